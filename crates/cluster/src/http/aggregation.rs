//! The clusterrole-aggregation controller, run inline after ClusterRole writes: a ClusterRole
//! with an `aggregationRule` gets the rules of every other ClusterRole its selectors match (in
//! name order, without duplicates), applied server-side with force by
//! `clusterrole-aggregation-controller` like kube-controller-manager does.

use std::sync::Arc;

use serde_json::{Value, json};

use super::ClusterState;
use super::apply::{Request, apply_object};
use super::lifecycle::info_for;
use crate::object::meta;
use crate::selector::{LabelSelector, labels_of};

const MANAGER: &str = "clusterrole-aggregation-controller";

/// Brings every aggregated ClusterRole's rules up to date (a few passes, so that aggregated roles
/// selected by other aggregated roles settle).
pub async fn aggregate(state: &Arc<ClusterState>) {
    let Some(info) = info_for(state, "rbac.authorization.k8s.io", "clusterroles") else {
        return;
    };
    for _ in 0..5 {
        let (roles, _) = state.store.list(&info.type_key(), None);
        let mut changed = false;
        for role in &roles {
            let Some(selectors) = role
                .pointer("/aggregationRule/clusterRoleSelectors")
                .and_then(Value::as_array)
            else {
                continue;
            };
            let selectors: Vec<LabelSelector> =
                selectors.iter().map(LabelSelector::from_object).collect();
            let mut rules: Vec<Value> = Vec::new();
            for other in &roles {
                if meta::name(other) == meta::name(role) {
                    continue;
                }
                let labels = labels_of(other.pointer("/metadata/labels"));
                if !selectors.iter().any(|selector| selector.matches(&labels)) {
                    continue;
                }
                for rule in other
                    .get("rules")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if !rules.contains(rule) {
                        rules.push(rule.clone());
                    }
                }
            }
            let current = role
                .get("rules")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if current == rules {
                continue;
            }
            let config = json!({
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {"name": meta::name(role)},
                "rules": rules,
            });
            let request = Request {
                state,
                info: &info,
                namespace: None,
                name: meta::name(role),
                subresource: None,
                manager: MANAGER,
                force: true,
                dry_run: false,
            };
            changed |= apply_object(&request, &config).await.is_ok();
        }
        if !changed {
            return;
        }
    }
}
