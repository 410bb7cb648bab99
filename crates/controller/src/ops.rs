//! What `ferry app …` does to Application objects through the Kubernetes API: read and list
//! them, request a sync through `.operation`, roll back to a history entry (which also
//! switches automation off, as Argo CD requires), and switch automation back on. The
//! controller alone carries out the operations these request.

use ferry_types::{Application, RevisionHistory};
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Value, json};

use crate::apps::{application_resource, parse_application};
use crate::{Error, Result};

/// The Applications API in `namespace`, or in all namespaces when `None`.
fn applications(client: &kube::Client, namespace: Option<&str>) -> Api<DynamicObject> {
    match namespace {
        Some(namespace) => Api::namespaced_with(client.clone(), namespace, &application_resource()),
        None => Api::all_with(client.clone(), &application_resource()),
    }
}

/// Reads Application `name` in `namespace`.
pub async fn get_application(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<Application> {
    let object = applications(client, Some(namespace))
        .get(name)
        .await
        .map_err(|source| Error::Kube {
            action: format!("reading Application {namespace}/{name}"),
            source,
        })?;
    parse_application(&object)
}

/// Lists the Applications in `namespace` (all namespaces when `None`), by namespace and name.
pub async fn list_applications(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Vec<Application>> {
    let list = applications(client, namespace)
        .list(&ListParams::default())
        .await
        .map_err(|source| Error::Kube {
            action: "listing Applications".into(),
            source,
        })?;
    let mut apps = list
        .items
        .iter()
        .map(parse_application)
        .collect::<Result<Vec<_>>>()?;
    apps.sort_by(|a, b| {
        (&a.metadata.namespace, &a.metadata.name).cmp(&(&b.metadata.namespace, &b.metadata.name))
    });
    Ok(apps)
}

async fn patch(client: &kube::Client, namespace: &str, name: &str, patch: Value) -> Result<()> {
    applications(client, Some(namespace))
        .patch(name, &PatchParams::default(), &Patch::Merge(patch))
        .await
        .map_err(|source| Error::Kube {
            action: format!("updating Application {namespace}/{name}"),
            source,
        })?;
    Ok(())
}

/// The `.operation` asking for a sync of `revision` (the app's target when empty) by
/// `username`; of the objects `resources` names only, when any (Argo CD's shape).
pub fn sync_operation(
    revision: &str,
    prune: bool,
    username: &str,
    resources: &[ferry_engine::ResourceSelector],
) -> Value {
    let mut sync = json!({"prune": prune});
    if !revision.is_empty() {
        sync["revision"] = revision.into();
    }
    if !resources.is_empty() {
        sync["resources"] = resources
            .iter()
            .map(|selector| {
                let mut resource = json!({
                    "group": selector.group,
                    "kind": selector.kind,
                    "name": selector.name,
                });
                if !selector.namespace.is_empty() {
                    resource["namespace"] = selector.namespace.clone().into();
                }
                resource
            })
            .collect();
    }
    json!({"sync": sync, "initiatedBy": {"username": username}})
}

/// Creates an Application from `document` (any `apiVersion` of ferry's or Argo CD's is
/// written as `ferry.dev/v1alpha1`); its namespace is `namespace` unless the document names
/// one. Returns it as stored.
pub async fn create_application(
    client: &kube::Client,
    namespace: &str,
    mut document: Value,
) -> Result<Application> {
    document["apiVersion"] = ferry_types::FERRY_API_VERSION.into();
    document["kind"] = "Application".into();
    let namespace = match document["metadata"]["namespace"].as_str() {
        Some(given) if !given.is_empty() => given.to_string(),
        _ => namespace.to_string(),
    };
    document["metadata"]["namespace"] = namespace.clone().into();
    let name = document["metadata"]["name"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let object: DynamicObject =
        serde_json::from_value(document).map_err(|error| Error::Application {
            name: name.clone(),
            message: error.to_string(),
        })?;
    let created = applications(client, Some(&namespace))
        .create(&kube::api::PostParams::default(), &object)
        .await
        .map_err(|source| Error::Kube {
            action: format!("creating Application {namespace}/{name}"),
            source,
        })?;
    parse_application(&created)
}

/// The Application document `ferry app create` writes from flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewApplication {
    /// Its name.
    pub name: String,
    /// Git repository URL.
    pub repo: String,
    /// Path inside the repository.
    pub path: String,
    /// Branch, tag or commit (`HEAD` when empty).
    pub revision: String,
    /// Destination server (`https://kubernetes.default.svc` when empty).
    pub dest_server: String,
    /// Destination namespace.
    pub dest_namespace: String,
    /// Its AppProject (`default` when empty).
    pub project: String,
    /// `syncPolicy.automated`.
    pub auto_sync: bool,
    /// `syncPolicy.automated.prune`.
    pub prune: bool,
    /// `syncPolicy.automated.selfHeal`.
    pub self_heal: bool,
}

impl NewApplication {
    /// The document.
    pub fn document(&self) -> Value {
        let or = |value: &str, default: &str| {
            if value.is_empty() {
                default.to_string()
            } else {
                value.to_string()
            }
        };
        let mut document = json!({
            "apiVersion": ferry_types::FERRY_API_VERSION,
            "kind": "Application",
            "metadata": {"name": self.name},
            "spec": {
                "project": or(&self.project, "default"),
                "source": {
                    "repoURL": self.repo,
                    "path": or(&self.path, "."),
                    "targetRevision": or(&self.revision, "HEAD"),
                },
                "destination": {
                    "server": or(&self.dest_server, ferry_engine::IN_CLUSTER_SERVER),
                    "namespace": self.dest_namespace,
                },
            }
        });
        if self.auto_sync || self.prune || self.self_heal {
            document["spec"]["syncPolicy"] = json!({"automated": {
                "prune": self.prune,
                "selfHeal": self.self_heal,
            }});
        }
        document
    }
}

/// Deletes Application `name`. With `cascade` (as `argocd app delete`), the resources
/// finalizer is put on it first, so the controller deletes the objects it deployed before the
/// Application goes; without, any resources finalizer is taken off and the objects stay (as
/// `argocd app delete --cascade=false`).
pub async fn delete_application(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    cascade: bool,
) -> Result<()> {
    let app = get_application(client, namespace, name).await?;
    let ours = crate::finalize::resources_finalizers(&app);
    let mut finalizers: Vec<&str> = app
        .metadata
        .finalizers
        .iter()
        .map(String::as_str)
        .filter(|finalizer| cascade || !ours.contains(finalizer))
        .collect();
    if cascade && ours.is_empty() {
        finalizers.push(crate::finalize::RESOURCES_FINALIZER);
    }
    if finalizers.len() != app.metadata.finalizers.len() {
        // Guarded by the resourceVersion read: another writer's finalizer is never dropped.
        patch(
            client,
            namespace,
            name,
            json!({"metadata": {
                "resourceVersion": app.metadata.resource_version,
                "finalizers": finalizers,
            }}),
        )
        .await?;
    }
    applications(client, Some(namespace))
        .delete(name, &Default::default())
        .await
        .map_err(|source| Error::Kube {
            action: format!("deleting Application {namespace}/{name}"),
            source,
        })?;
    Ok(())
}

/// Requests a sync through `.operation` (`ferry app sync`).
pub async fn request_sync(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    revision: &str,
    prune: bool,
    username: &str,
    resources: &[ferry_engine::ResourceSelector],
) -> Result<()> {
    let operation = sync_operation(revision, prune, username, resources);
    patch(client, namespace, name, json!({"operation": operation})).await
}

/// The history entry a rollback goes to: entry `id`, or the successful one before the
/// newest successful one. Failed syncs are recorded in history too, but never rolled back to.
pub fn rollback_target(app: &Application, id: Option<i64>) -> Result<RevisionHistory> {
    let history = &app
        .status
        .as_ref()
        .map(|status| status.history.clone())
        .unwrap_or_default();
    let error = |message: String| Error::Application {
        name: app.metadata.name.clone(),
        message,
    };
    match id {
        Some(id) => {
            let entry = history
                .iter()
                .find(|entry| entry.id == id)
                .cloned()
                .ok_or_else(|| error(format!("no history entry {id} (see `ferry app history`)")))?;
            if entry.succeeded() {
                Ok(entry)
            } else {
                Err(error(format!(
                    "history entry {id} is a sync that did not succeed; roll back to a successful one"
                )))
            }
        }
        None => {
            let mut sorted: Vec<&RevisionHistory> =
                history.iter().filter(|entry| entry.succeeded()).collect();
            sorted.sort_by_key(|entry| entry.id);
            sorted
                .iter()
                .rev()
                .nth(1)
                .map(|entry| (*entry).clone())
                .ok_or_else(|| {
                    error("no previous deployment in its history to roll back to".into())
                })
        }
    }
}

/// Rolls back (`ferry app rollback`): switches automated sync off
/// (`spec.syncPolicy.automated.enabled: false`, so Git's newer commits are not deployed over
/// the rollback) and requests a sync of the recorded revision of history entry `id` (the
/// previous deployment by default). Returns the entry.
pub async fn rollback(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    id: Option<i64>,
    prune: bool,
    username: &str,
) -> Result<RevisionHistory> {
    let app = get_application(client, namespace, name).await?;
    let entry = rollback_target(&app, id)?;
    let mut document = json!({"operation": sync_operation(&entry.revision, prune, username, &[])});
    if automated(&app) {
        document["spec"] = json!({"syncPolicy": {"automated": {"enabled": false}}});
    }
    patch(client, namespace, name, document).await?;
    Ok(entry)
}

/// Whether `syncPolicy.automated` is set and not switched off.
pub fn automated(app: &Application) -> bool {
    app.spec
        .sync_policy
        .as_ref()
        .and_then(|policy| policy.automated.as_ref())
        .is_some_and(|automated| automated.enabled != Some(false))
}

/// Switches automated sync on (`ferry app set --auto-sync`; resumes it after a rollback) or
/// off (`--no-auto-sync`), keeping `prune` and `selfHeal` as they are.
pub async fn set_auto_sync(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    enabled: bool,
) -> Result<()> {
    let app = get_application(client, namespace, name).await?;
    let has_automated = app
        .spec
        .sync_policy
        .as_ref()
        .and_then(|policy| policy.automated.as_ref())
        .is_some();
    let automated = match (enabled, has_automated) {
        (true, true) => json!({"enabled": null}),
        (true, false) => json!({}),
        (false, true) => json!({"enabled": false}),
        (false, false) => return Ok(()),
    };
    patch(
        client,
        namespace,
        name,
        json!({"spec": {"syncPolicy": {"automated": automated}}}),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_with_history(revisions: &[&str]) -> Application {
        let mut app = Application::default();
        app.metadata.name = "shop".into();
        app.status = Some(ferry_types::ApplicationStatus {
            history: revisions
                .iter()
                .enumerate()
                .map(|(id, revision)| RevisionHistory {
                    id: i64::try_from(id).unwrap(),
                    revision: (*revision).into(),
                    ..RevisionHistory::default()
                })
                .collect(),
            ..ferry_types::ApplicationStatus::default()
        });
        app
    }

    #[test]
    fn a_rollback_goes_to_the_previous_entry_or_the_one_named() {
        let app = app_with_history(&["a", "b", "c"]);
        assert_eq!(rollback_target(&app, None).unwrap().revision, "b");
        assert_eq!(rollback_target(&app, Some(0)).unwrap().revision, "a");
        let error = rollback_target(&app, Some(7)).unwrap_err().to_string();
        assert!(error.contains("no history entry 7"), "{error}");
        let error = rollback_target(&app_with_history(&["a"]), None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("no previous deployment"), "{error}");
    }

    #[test]
    fn a_rollback_skips_and_refuses_failed_syncs() {
        let mut app = app_with_history(&["a", "b", "c"]);
        let history = &mut app.status.as_mut().unwrap().history;
        history[1].result = Some(ferry_types::OperationPhase::Failed);
        history[2].result = Some(ferry_types::OperationPhase::Succeeded);
        assert_eq!(rollback_target(&app, None).unwrap().revision, "a");
        let error = rollback_target(&app, Some(1)).unwrap_err().to_string();
        assert!(error.contains("did not succeed"), "{error}");
    }

    #[test]
    fn a_sync_operation_names_its_revision_only_when_given() {
        let operation = sync_operation("", true, "alice", &[]);
        assert_eq!(
            operation,
            json!({"sync": {"prune": true}, "initiatedBy": {"username": "alice"}})
        );
        assert_eq!(
            sync_operation("abc", false, "bob", &[])["sync"]["revision"],
            "abc"
        );
    }
}
