//! Argo CD's `applications.argoproj.io`, served unchanged (`--argocd-applications`): an
//! Argo CD Application applied to the cluster (by hand, or by an app of apps written for Argo
//! CD) gets a ferry Application of the same namespace and name that mirrors its spec, owned by
//! it; the ferry controller reconciles that one, and its status is copied back onto the Argo
//! CD object, so `kubectl get applications.argoproj.io` and Argo CD's tooling read ferry's
//! status. A sync requested on the Argo CD object (`.operation`, the refresh annotation) is
//! passed on; deleting it deletes the mirror, with Argo CD's resources finalizer cascading to
//! the deployed objects first. The CRD is installed only when the cluster has none (never over
//! a real Argo CD's). Decisions are pure ([`mirror_of`], [`status_patch`]); the adapter task
//! applies them as the watches report changes.

use std::time::Duration;

use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::watch::{Update, watch};

/// Argo CD's Application API version.
pub const ARGO_API_VERSION: &str = "argoproj.io/v1alpha1";
/// The annotation marking a ferry Application as the mirror of an Argo CD one.
pub const MIRROR_ANNOTATION: &str = "ferry.dev/mirror-of";
/// Argo CD's refresh request annotation.
const ARGO_REFRESH: &str = "argocd.argoproj.io/refresh";
/// The field manager of the adapter's writes.
const MANAGER: &str = "ferry-argocd-adapter";

fn argo_resource() -> ApiResource {
    ApiResource {
        group: "argoproj.io".into(),
        version: "v1alpha1".into(),
        api_version: ARGO_API_VERSION.into(),
        kind: "Application".into(),
        plural: "applications".into(),
    }
}

/// `applications.argoproj.io`, the same schema as ferry's kind, without short names (ferry's
/// `app` stays unambiguous).
pub fn argo_application_crd() -> Value {
    let mut crd = crate::crd::application_crd();
    crd["metadata"]["name"] = "applications.argoproj.io".into();
    crd["spec"]["group"] = "argoproj.io".into();
    crd["spec"]["names"] = json!({
        "plural": "applications",
        "singular": "application",
        "kind": "Application",
        "listKind": "ApplicationList",
        "categories": ["argoproj"],
    });
    crd
}

/// The ferry Application mirroring Argo CD Application `argo`: same namespace, name, labels,
/// spec and resources finalizer, owned by it. Pure.
pub fn mirror_of(argo: &Value) -> Value {
    let metadata = &argo["metadata"];
    let mut annotations = metadata["annotations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
    annotations.remove(ARGO_REFRESH);
    annotations.insert(MIRROR_ANNOTATION.into(), "argoproj.io".into());
    let finalizers: Vec<Value> = metadata["finalizers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|finalizer| {
            finalizer
                .as_str()
                .is_some_and(crate::finalize::is_resources_finalizer)
        })
        .cloned()
        .collect();
    let mut mirror = json!({
        "apiVersion": ferry_types::FERRY_API_VERSION,
        "kind": "Application",
        "metadata": {
            "name": metadata["name"],
            "namespace": metadata["namespace"],
            "annotations": annotations,
            "ownerReferences": [{
                "apiVersion": ARGO_API_VERSION,
                "kind": "Application",
                "name": metadata["name"],
                "uid": metadata["uid"],
                "controller": true,
                "blockOwnerDeletion": true,
            }],
        },
        "spec": argo["spec"],
    });
    if let Some(labels) = metadata["labels"].as_object() {
        mirror["metadata"]["labels"] = Value::Object(labels.clone());
    }
    if !finalizers.is_empty() {
        mirror["metadata"]["finalizers"] = Value::Array(finalizers);
    }
    mirror
}

/// The merge patch that makes `argo`'s status equal to `status` (fields it has and `status`
/// lacks become null, at any depth); `None` when they are equal. Pure.
pub fn status_patch(argo: &Value, status: &Value) -> Option<Value> {
    if &argo["status"] == status {
        return None;
    }
    Some(json!({"status": merge_patch(&argo["status"], status)}))
}

/// The JSON merge patch (RFC 7386) that turns `from` into `to`.
fn merge_patch(from: &Value, to: &Value) -> Value {
    match (from.as_object(), to.as_object()) {
        (Some(from), Some(to)) => {
            let mut patch = serde_json::Map::new();
            for (field, value) in to {
                match from.get(field) {
                    Some(old) if old == value => {}
                    Some(old) => {
                        patch.insert(field.clone(), merge_patch(old, value));
                    }
                    None => {
                        patch.insert(field.clone(), value.clone());
                    }
                }
            }
            for field in from.keys().filter(|field| !to.contains_key(*field)) {
                patch.insert(field.clone(), Value::Null);
            }
            Value::Object(patch)
        }
        _ => to.clone(),
    }
}

fn is_mirror(object: &Value) -> bool {
    object["metadata"]["annotations"][MIRROR_ANNOTATION] == "argoproj.io"
}

/// What the adapter hears about.
enum Heard {
    Argo(Update),
    Ferry(Update),
}

/// Installs Argo CD's Application CRD when the cluster has none; returns whether it did.
pub(crate) async fn install_crd_if_absent(
    client: &ferry_engine::ClusterClient,
) -> crate::Result<bool> {
    let crds = client
        .resource(&ferry_types::Gvk::from_api_version(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
        ))
        .await?;
    if client
        .get(&crds, "", "applications.argoproj.io")
        .await?
        .is_some()
    {
        return Ok(false);
    }
    client
        .apply(&argo_application_crd(), ferry_engine::WriteOptions::APPLY)
        .await?;
    Ok(true)
}

/// Runs the adapter until aborted: watches both kinds and keeps each Argo CD Application's
/// mirror, operation, deletion and status in step.
pub(crate) async fn run_adapter(kube: kube::Client, namespace: Option<String>) {
    let (send, mut heard) = mpsc::unbounded_channel();
    let argo_send = send.clone();
    let listed_namespace = namespace.clone();
    let argo_watch = AbortOnDrop(tokio::spawn(watch(
        kube.clone(),
        argo_resource(),
        namespace.clone(),
        move |update| {
            let _ = argo_send.send(Heard::Argo(update));
        },
    )));
    let ferry_watch = AbortOnDrop(tokio::spawn(watch(
        kube.clone(),
        crate::apps::application_resource(),
        namespace,
        move |update| {
            let _ = send.send(Heard::Ferry(update));
        },
    )));
    let adapter = Adapter { kube: kube.clone() };
    let mut resync = tokio::time::interval(RESYNC);
    resync.tick().await;
    // Whether something failed since the last look at every Argo CD Application.
    let mut failed = false;
    loop {
        let message = tokio::select! {
            message = heard.recv() => match message {
                Some(message) => message,
                None => break,
            },
            // After a failure, every Argo CD Application is looked at once more.
            _ = resync.tick() => {
                if !std::mem::take(&mut failed) {
                    continue;
                }
                match list_argo(&kube, listed_namespace.as_deref()).await {
                    Some(objects) => Heard::Argo(Update::Listed(objects)),
                    None => {
                        failed = true;
                        continue;
                    }
                }
            }
        };
        let result = match message {
            Heard::Argo(Update::Listed(objects)) => adapter.argo_all(&objects).await,
            Heard::Argo(Update::Applied(object)) => adapter.argo(&object).await,
            Heard::Argo(Update::Deleted(object)) => adapter.argo_deleted(&object).await,
            Heard::Ferry(Update::Listed(objects)) => adapter.ferry_all(&objects).await,
            Heard::Ferry(Update::Applied(object)) => adapter.ferry(&object).await,
            Heard::Ferry(Update::Deleted(object)) => adapter.ferry_deleted(&object).await,
        };
        if let Err(error) = result {
            eprintln!("controller: argocd applications: {error}");
            failed = true;
        }
    }
    drop((argo_watch, ferry_watch));
}

/// How long after a failed write every Argo CD Application is looked at again.
const RESYNC: Duration = Duration::from_secs(30);

/// Aborts a task when dropped, so the watches end with the adapter.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Every Argo CD Application (in `namespace`, or everywhere); `None` when the list fails.
async fn list_argo(kube: &kube::Client, namespace: Option<&str>) -> Option<Vec<Value>> {
    let api: Api<DynamicObject> = match namespace {
        Some(namespace) => Api::namespaced_with(kube.clone(), namespace, &argo_resource()),
        None => Api::all_with(kube.clone(), &argo_resource()),
    };
    let list = api.list(&Default::default()).await.ok()?;
    Some(
        list.items
            .iter()
            .filter_map(|item| serde_json::to_value(item).ok())
            .collect(),
    )
}

struct Adapter {
    kube: kube::Client,
}

type Step = Result<(), String>;

impl Adapter {
    fn argo_api(&self, namespace: &str) -> Api<DynamicObject> {
        Api::namespaced_with(self.kube.clone(), namespace, &argo_resource())
    }

    fn ferry_api(&self, namespace: &str) -> Api<DynamicObject> {
        Api::namespaced_with(
            self.kube.clone(),
            namespace,
            &crate::apps::application_resource(),
        )
    }

    /// Every Argo CD Application listed; one that fails does not hold up the others.
    async fn argo_all(&self, objects: &[Value]) -> Step {
        let mut failed = 0;
        for object in objects {
            if let Err(error) = self.argo(object).await {
                eprintln!("controller: argocd applications: {error}");
                failed += 1;
            }
        }
        match failed {
            0 => Ok(()),
            _ => Err(format!(
                "{failed} Argo CD Applications not handled; tried again later"
            )),
        }
    }

    /// Every mirror listed; one that fails does not hold up the others.
    async fn ferry_all(&self, objects: &[Value]) -> Step {
        let mut failed = 0;
        for object in objects {
            if let Err(error) = self.ferry(object).await {
                eprintln!("controller: argocd applications: {error}");
                failed += 1;
            }
        }
        match failed {
            0 => Ok(()),
            _ => Err(format!("{failed} statuses not copied; tried again later")),
        }
    }

    /// An Argo CD Application changed: keep its mirror, pass on a requested operation or
    /// refresh, or start the deletion of the mirror.
    async fn argo(&self, argo: &Value) -> Step {
        let (namespace, name) = identity(argo);
        let ferry = self.ferry_api(&namespace);
        if !argo["metadata"]["deletionTimestamp"].is_null() {
            return match ferry.delete(&name, &DeleteParams::default()).await {
                Ok(_) => Ok(()),
                Err(kube::Error::Api(status)) if status.code == 404 => self.release(argo).await,
                Err(error) => Err(format!(
                    "deleting the mirror of {namespace}/{name}: {error}"
                )),
            };
        }
        if let Ok(existing) = ferry.get(&name).await {
            let existing = serde_json::to_value(&existing).unwrap_or_default();
            if !is_mirror(&existing) {
                return Err(format!(
                    "{namespace}/{name}: a ferry Application of that name exists and is not the mirror of the Argo CD one; left alone"
                ));
            }
        }
        let params = PatchParams::apply(MANAGER).force();
        ferry
            .patch(&name, &params, &Patch::Apply(mirror_of(argo)))
            .await
            .map_err(|error| format!("mirroring {namespace}/{name}: {error}"))?;
        let mut pass_on = json!({});
        if !argo["operation"].is_null() {
            pass_on["operation"] = argo["operation"].clone();
        }
        if let Some(refresh) = argo["metadata"]["annotations"][ARGO_REFRESH].as_str() {
            pass_on["metadata"] = json!({"annotations": {crate::run::REFRESH_ANNOTATION: refresh}});
        }
        if pass_on.as_object().is_some_and(|fields| !fields.is_empty()) {
            ferry
                .patch(&name, &PatchParams::default(), &Patch::Merge(&pass_on))
                .await
                .map_err(|error| format!("passing a request on to {namespace}/{name}: {error}"))?;
            let mut clear = json!({});
            if pass_on.get("operation").is_some() {
                clear["operation"] = Value::Null;
            }
            if pass_on.get("metadata").is_some() {
                clear["metadata"] = json!({"annotations": {ARGO_REFRESH: null}});
            }
            self.argo_api(&namespace)
                .patch(&name, &PatchParams::default(), &Patch::Merge(&clear))
                .await
                .map_err(|error| format!("clearing the request on {namespace}/{name}: {error}"))?;
        }
        Ok(())
    }

    /// An Argo CD Application went: its mirror goes too (the ownerReference says so; this
    /// does it at once).
    async fn argo_deleted(&self, argo: &Value) -> Step {
        let (namespace, name) = identity(argo);
        match self
            .ferry_api(&namespace)
            .delete(&name, &DeleteParams::default())
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            Err(error) => Err(format!(
                "deleting the mirror of {namespace}/{name}: {error}"
            )),
        }
    }

    /// A mirror changed: copy its status onto the Argo CD Application.
    async fn ferry(&self, ferry: &Value) -> Step {
        if !is_mirror(ferry) || ferry["status"].is_null() {
            return Ok(());
        }
        let (namespace, name) = identity(ferry);
        let api = self.argo_api(&namespace);
        let Ok(argo) = api.get(&name).await else {
            return Ok(());
        };
        let argo = serde_json::to_value(&argo).unwrap_or_default();
        if let Some(patch) = status_patch(&argo, &ferry["status"]) {
            api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .map_err(|error| format!("copying the status of {namespace}/{name}: {error}"))?;
        }
        Ok(())
    }

    /// A mirror is gone: an Argo CD Application waiting for it lets go of its finalizer.
    async fn ferry_deleted(&self, ferry: &Value) -> Step {
        if !is_mirror(ferry) {
            return Ok(());
        }
        let (namespace, name) = identity(ferry);
        let Ok(argo) = self.argo_api(&namespace).get(&name).await else {
            return Ok(());
        };
        let argo = serde_json::to_value(&argo).unwrap_or_default();
        if argo["metadata"]["deletionTimestamp"].is_null() {
            return Ok(());
        }
        self.release(&argo).await
    }

    /// Removes the resources finalizers of a deleted Argo CD Application whose mirror is gone.
    async fn release(&self, argo: &Value) -> Step {
        let (namespace, name) = identity(argo);
        let remaining: Vec<&Value> = argo["metadata"]["finalizers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|finalizer| {
                !finalizer
                    .as_str()
                    .is_some_and(crate::finalize::is_resources_finalizer)
            })
            .collect();
        let patch = json!({"metadata": {
            "resourceVersion": argo["metadata"]["resourceVersion"],
            "finalizers": remaining,
        }});
        match self
            .argo_api(&namespace)
            .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            Err(error) => {
                // Tried again on the next change of either object.
                tokio::time::sleep(Duration::from_millis(200)).await;
                Err(format!("releasing {namespace}/{name}: {error}"))
            }
        }
    }
}

fn identity(object: &Value) -> (String, String) {
    crate::store::object_key(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argo() -> Value {
        json!({
            "apiVersion": ARGO_API_VERSION, "kind": "Application",
            "metadata": {"name": "shop", "namespace": "argocd", "uid": "u-1",
                         "labels": {"team": "a"},
                         "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "note": "kept"},
                         "finalizers": ["resources-finalizer.argocd.argoproj.io", "example.com/other"]},
            "spec": {"source": {"repoURL": "https://example.com/r.git"}, "destination": {"namespace": "shop"}},
            "status": {"sync": {"status": "OutOfSync"}, "summary": {"images": []}},
        })
    }

    #[test]
    fn the_mirror_is_a_ferry_application_owned_by_the_argo_cd_one_with_its_spec() {
        let mirror = mirror_of(&argo());
        assert_eq!(mirror["apiVersion"], "ferry.dev/v1alpha1");
        assert_eq!(mirror["metadata"]["namespace"], "argocd");
        assert_eq!(mirror["metadata"]["ownerReferences"][0]["uid"], "u-1");
        assert_eq!(
            mirror["metadata"]["annotations"][MIRROR_ANNOTATION],
            "argoproj.io"
        );
        assert_eq!(mirror["metadata"]["annotations"]["note"], "kept");
        assert!(
            mirror["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
                .is_null()
        );
        assert_eq!(
            mirror["metadata"]["finalizers"],
            json!(["resources-finalizer.argocd.argoproj.io"])
        );
        assert_eq!(mirror["spec"], argo()["spec"]);
        assert!(is_mirror(&mirror));
    }

    #[test]
    fn the_status_patch_copies_ferrys_status_and_clears_what_it_lacks() {
        let status = json!({"sync": {"status": "Synced"}});
        let patch = status_patch(&argo(), &status).unwrap();
        assert_eq!(
            patch,
            json!({"status": {"sync": {"status": "Synced"}, "summary": null}})
        );
        // Nested fields ferry dropped are cleared too.
        let mut nested = argo();
        nested["status"] = json!({"sync": {"status": "OutOfSync", "revision": "abc"}});
        assert_eq!(
            status_patch(&nested, &status).unwrap(),
            json!({"status": {"sync": {"status": "Synced", "revision": null}}})
        );
        let mut same = argo();
        same["status"] = status.clone();
        assert_eq!(status_patch(&same, &status), None);
    }
}
