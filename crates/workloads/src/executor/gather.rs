//! Reads what each controller looks at from the store's index and runs its reconcile. The only
//! state kept between passes is the kubelet's memory of when it admitted each pod.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use ferry_cluster::ClusterState;
use ferry_cluster::store::ObjectKey;
use serde_json::Value;

use super::queue::{Controller, Key};
use crate::change::{Context, Outcome};
use crate::controllers::{
    cronjob, daemonset, deployment, ingress, job, namespace, nodes, replicaset, service,
    statefulset, volumes,
};
use crate::kubelet;
use crate::object;
use crate::resources::{
    CLAIMS, CONFIG_MAPS, CRON_JOBS, DAEMON_SETS, DEPLOYMENTS, ENDPOINT_SLICES, ENDPOINTS,
    INGRESSES, JOBS, NAMESPACES, NODES, PODS, REPLICA_SETS, REVISIONS, Resource, SERVICE_ACCOUNTS,
    SERVICES, STATEFUL_SETS, VOLUMES,
};

/// What the executor remembers between passes.
#[derive(Debug, Default)]
pub struct Memory {
    /// When the kubelet admitted each pod (by uid).
    pub admitted: HashMap<String, SystemTime>,
}

/// A read-only view of the store for one batch.
pub struct View<'a> {
    state: &'a ClusterState,
    ready_nodes: Vec<String>,
}

impl<'a> View<'a> {
    /// A view; the Ready nodes are computed once per batch.
    pub fn new(state: &'a ClusterState) -> View<'a> {
        let nodes = list(state, &NODES, None);
        let refs: Vec<&Value> = nodes.iter().map(Arc::as_ref).collect();
        View {
            ready_nodes: nodes::ready_nodes(&refs),
            state,
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

    fn controlled(&self, resource: &Resource, owner: &Value) -> Vec<Arc<Value>> {
        let uid = object::uid(owner);
        self.list(resource, Some(object::namespace(owner)))
            .into_iter()
            .filter(|item| object::controller_uid(item) == Some(uid))
            .collect()
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
            Some(nodes::reconcile(&refs, ctx))
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
            let set_uids: Vec<&str> = replica_sets.iter().map(|rs| object::uid(rs)).collect();
            let pods: Vec<Arc<Value>> = view
                .list(&PODS, Some(namespace))
                .into_iter()
                .filter(|pod| {
                    object::controller_uid(pod).is_some_and(|uid| set_uids.contains(&uid))
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
