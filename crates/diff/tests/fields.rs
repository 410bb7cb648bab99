//! `fields_owned_by` and `FieldSet::remove_from` on an object recorded from a real API
//! server: a Deployment applied by `ferry` with keyed lists (`k:` with one and two key
//! fields), atomic lists and maps, and a nested keyed list.

mod support;

use ferry_diff::{FIELD_MANAGER, fields_owned_by, normalize};
use support::fixture;

#[test]
fn removing_everything_ferry_owns_leaves_only_what_the_server_added() {
    let created = fixture("deployment-full-created.json");
    let mut remainder = normalize(&created, &[]).unwrap();
    fields_owned_by(&created, |manager| manager == FIELD_MANAGER).remove_from(&mut remainder);
    assert_eq!(
        ferry_yaml::to_yaml(&remainder).unwrap(),
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: conformance
spec:
  progressDeadlineSeconds: 600
  template:
    spec:
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
"
    );
}

#[test]
fn a_manager_that_owns_nothing_removes_nothing() {
    let created = fixture("deployment-full-created.json");
    let set = fields_owned_by(&created, |manager| manager == "kube-controller-manager");
    assert!(set.is_empty());
    let mut copy = created.clone();
    set.remove_from(&mut copy);
    assert_eq!(copy, created);
}
