//! Reads what each controller looks at from the store's index and runs its reconcile. The only
//! state kept between passes is the kubelet's memory of when it admitted each pod.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::SystemTime;

use ferry_cluster::ClusterState;
use ferry_cluster::fault::LostNode;
use ferry_cluster::store::ObjectKey;
use serde_json::Value;

use super::queue::{Controller, Key};
use crate::change::{Context, Outcome};
use crate::controllers::{
    cronjob, daemonset, deployment, hpa, ingress, job, namespace, node_lifecycle, nodes,
    replicaset, service, statefulset, volumes,
};
use crate::kubelet;
use crate::object;
use crate::resources::{
    AUTOSCALERS, CLAIMS, CONFIG_MAPS, CRON_JOBS, DAEMON_SETS, DEPLOYMENTS, ENDPOINT_SLICES,
    ENDPOINTS, INGRESSES, JOBS, NAMESPACES, NODES, PODS, REPLICA_SETS, REVISIONS, Resource,
    SERVICE_ACCOUNTS, SERVICES, STATEFUL_SETS, VOLUMES,
};

/// What the executor remembers between passes.
#[derive(Debug, Default)]
pub struct Memory {
    /// When the kubelet admitted each pod (by uid).
    pub admitted: HashMap<String, SystemTime>,
}

/// Objects of one resource in one namespace, by the uid of their controlling owner.
type ByOwner = HashMap<String, Vec<Arc<Value>>>;

/// A read-only view of the store for one batch.
pub struct View<'a> {
    state: &'a ClusterState,
    ready_nodes: Vec<String>,
    lost_nodes: Vec<LostNode>,
    /// Owner indexes built on first use in this batch, by (resource, namespace): a batch of
    /// keys in one namespace lists each resource once instead of once per key.
    by_owner: RefCell<HashMap<(&'static str, String), Rc<ByOwner>>>,
}

impl<'a> View<'a> {
    /// A view; the Ready nodes (less those a node-loss fault took) are computed once per batch.
    pub fn new(state: &'a ClusterState) -> View<'a> {
        let nodes = list(state, &NODES, None);
        let refs: Vec<&Value> = nodes.iter().map(Arc::as_ref).collect();
        let lost_nodes = state.faults.lost_nodes();
        let mut ready_nodes = nodes::ready_nodes(&refs);
        ready_nodes.retain(|name| !lost_nodes.iter().any(|lost| &lost.node == name));
        View {
            ready_nodes,
            lost_nodes,
            state,
            by_owner: RefCell::default(),
        }
    }

    fn get(&self, resource: &Resource, namespace: &str, name: &str) -> Option<Arc<Value>> {
        self.state.store.get(&ObjectKey::new(
            resource.group,
            resource.plural,
            namespace,
            name,
        ))
    }

    fn list(&self, resource: &Resource, namespace: Option<&str>) -> Vec<Arc<Value>> {
        list(self.state, resource, namespace)
    }

    fn owner_index(&self, resource: &'static Resource, namespace: &str) -> Rc<ByOwner> {
        let slot = (resource.plural, namespace.to_string());
        if let Some(index) = self.by_owner.borrow().get(&slot) {
            return index.clone();
        }
        let mut index = ByOwner::new();
        for item in self.list(resource, Some(namespace)) {
            if let Some(uid) = object::controller_uid(&item) {
                index.entry(uid.to_string()).or_default().push(item);
            }
        }
        let index = Rc::new(index);
        self.by_owner.borrow_mut().insert(slot, index.clone());
        index
    }

    fn controlled(&self, resource: &'static Resource, owner: &Value) -> Vec<Arc<Value>> {
        self.owner_index(resource, object::namespace(owner))
            .get(object::uid(owner))
            .cloned()
            .unwrap_or_default()
    }
}

fn list(state: &ClusterState, resource: &Resource, namespace: Option<&str>) -> Vec<Arc<Value>> {
    state.store.list(&resource.type_key(), namespace).0
}

/// Runs the controller of `key` against the store; `None` when its object is gone.
pub fn reconcile(
    key: &Key,
    view: &View<'_>,
    memory: &mut Memory,
    ctx: &Context<'_>,
) -> Option<Outcome> {
    let namespace = key.namespace.as_str();
    let name = key.name.as_str();
    match key.controller {
        Controller::Nodes => {
            let all = view.list(&NODES, None);
            let refs: Vec<&Value> = all.iter().map(Arc::as_ref).collect();
            Some(nodes::reconcile(&refs, &view.lost_nodes, ctx))
        }
        Controller::Namespace => {
            let namespace = view.get(&NAMESPACES, "", name)?;
            let account = view.get(&SERVICE_ACCOUNTS, name, "default");
            let root_ca = view.get(&CONFIG_MAPS, name, namespace::ROOT_CA_CONFIG_MAP);
            Some(namespace::reconcile(
                &namespace::NamespaceInputs {
                    namespace: &namespace,
                    service_account: account.as_deref(),
                    root_ca: root_ca.as_deref(),
                },
                ctx,
            ))
        }
        Controller::Deployment => {
            let deployment = view.get(&DEPLOYMENTS, namespace, name)?;
            let replica_sets = view.controlled(&REPLICA_SETS, &deployment);
            let pods_by_owner = view.owner_index(&PODS, namespace);
            let pods: Vec<Arc<Value>> = replica_sets
                .iter()
                .flat_map(|rs| {
                    pods_by_owner
                        .get(object::uid(rs))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            Some(deployment::reconcile(
                &deployment::DeploymentInputs {
                    deployment: &deployment,
                    replica_sets: replica_sets.iter().map(Arc::as_ref).collect(),
                    pods: pods.iter().map(Arc::as_ref).collect(),
                },
                ctx,
            ))
        }
        Controller::ReplicaSet => {
            let replica_set = view.get(&REPLICA_SETS, namespace, name)?;
            let pods = view.controlled(&PODS, &replica_set);
            Some(replicaset::reconcile(
                &replicaset::ReplicaSetInputs {
                    replica_set: &replica_set,
                    pods: pods.iter().map(Arc::as_ref).collect(),
                    ready_nodes: &view.ready_nodes,
                },
                ctx,
            ))
        }
        Controller::Pod => {
            let pod = view.get(&PODS, namespace, name)?;
            let node_name = object::text(&pod, "/spec/nodeName").unwrap_or("");
            if let Some(lost) = view.lost_nodes.iter().find(|lost| lost.node == node_name) {
                return Some(node_lifecycle::reconcile_pod(&pod, lost, ctx));
            }
            let node = if node_name.is_empty() {
                None
            } else {
                view.get(&NODES, "", node_name)
            };
            let admitted_at = if node_name.is_empty() {
                ctx.now
            } else {
                *memory
                    .admitted
                    .entry(object::uid(&pod).to_string())
                    .or_insert_with(|| {
                        object::time_at(&pod, "/status/startTime").unwrap_or(ctx.now)
                    })
            };
            Some(kubelet::reconcile(
                &kubelet::PodInputs {
                    pod: &pod,
                    node: node.as_deref(),
                    ready_nodes: &view.ready_nodes,
                    admitted_at,
                },
                ctx,
            ))
        }
        Controller::Service => {
            let endpoints = view.get(&ENDPOINTS, namespace, name);
            let Some(service) = view.get(&SERVICES, namespace, name) else {
                return endpoints.map(|endpoints| service::service_gone(&endpoints));
            };
            let pods = view.list(&PODS, Some(namespace));
            let slices: Vec<Arc<Value>> = view
                .list(&ENDPOINT_SLICES, Some(namespace))
                .into_iter()
                .filter(|slice| {
                    let labels = object::labels(slice);
                    labels.get(service::SERVICE_NAME_LABEL).map(String::as_str) == Some(name)
                        && labels.get(service::SLICE_MANAGED_BY.0).map(String::as_str)
                            == Some(service::SLICE_MANAGED_BY.1)
                })
                .collect();
            Some(service::reconcile(
                &service::ServiceInputs {
                    service: &service,
                    pods: pods.iter().map(Arc::as_ref).collect(),
                    endpoints: endpoints.as_deref(),
                    slices: slices.iter().map(Arc::as_ref).collect(),
                },
                ctx,
            ))
        }
        Controller::Job => {
            let job = view.get(&JOBS, namespace, name)?;
            let pods = view.controlled(&PODS, &job);
            Some(job::reconcile(
                &job::JobInputs {
                    job: &job,
                    pods: pods.iter().map(Arc::as_ref).collect(),
                    ready_nodes: &view.ready_nodes,
                },
                ctx,
            ))
        }
        Controller::CronJob => {
            let cron_job = view.get(&CRON_JOBS, namespace, name)?;
            let jobs = view.controlled(&JOBS, &cron_job);
            Some(cronjob::reconcile(
                &cronjob::CronJobInputs {
                    cron_job: &cron_job,
                    jobs: jobs.iter().map(Arc::as_ref).collect(),
                },
                ctx,
            ))
        }
        Controller::StatefulSet => {
            let set = view.get(&STATEFUL_SETS, namespace, name)?;
            let pods = view.controlled(&PODS, &set);
            let claims = view.list(&CLAIMS, Some(namespace));
            let revisions = view.controlled(&REVISIONS, &set);
            Some(statefulset::reconcile(
                &statefulset::StatefulSetInputs {
                    stateful_set: &set,
                    pods: pods.iter().map(Arc::as_ref).collect(),
                    claims: claims.iter().map(Arc::as_ref).collect(),
                    revisions: revisions.iter().map(Arc::as_ref).collect(),
                    ready_nodes: &view.ready_nodes,
                },
                ctx,
            ))
        }
        Controller::DaemonSet => {
            let daemon_set = view.get(&DAEMON_SETS, namespace, name)?;
            let pods = view.controlled(&PODS, &daemon_set);
            let revisions = view.controlled(&REVISIONS, &daemon_set);
            let nodes = view.list(&NODES, None);
            Some(daemonset::reconcile(
                &daemonset::DaemonSetInputs {
                    daemon_set: &daemon_set,
                    pods: pods.iter().map(Arc::as_ref).collect(),
                    revisions: revisions.iter().map(Arc::as_ref).collect(),
                    nodes: nodes.iter().map(Arc::as_ref).collect(),
                },
                ctx,
            ))
        }
        Controller::Autoscaler => {
            let autoscaler = view.get(&AUTOSCALERS, namespace, name)?;
            let target = hpa::target_resource(&autoscaler).and_then(|resource| {
                let target_name =
                    object::text(&autoscaler, "/spec/scaleTargetRef/name").unwrap_or("");
                view.get(resource, namespace, target_name)
            });
            Some(hpa::reconcile(
                &hpa::AutoscalerInputs {
                    autoscaler: &autoscaler,
                    target: target.as_deref(),
                },
                ctx,
            ))
        }
        Controller::Ingress => {
            let ingress = view.get(&INGRESSES, namespace, name)?;
            Some(ingress::reconcile(&ingress))
        }
        Controller::Claim => {
            let claim = view.get(&CLAIMS, namespace, name);
            let volumes = view.list(&VOLUMES, None);
            Some(volumes::reconcile(
                &volumes::ClaimInputs {
                    namespace,
                    name,
                    claim: claim.as_deref(),
                    volumes: volumes.iter().map(Arc::as_ref).collect(),
                },
                ctx,
            ))
        }
    }
}
