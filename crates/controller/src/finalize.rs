//! Cascading deletion of an Application: with Argo CD's resources finalizer on it, deleting
//! the Application first deletes what it deployed (the engine's `delete_app`: its inventory's
//! objects still claimed by it), then the controller removes the finalizer and the API server
//! lets the Application go. Without the finalizer the objects stay.

use ferry_engine::Deleted;
use ferry_types::Application;
use kube::api::{Patch, PatchParams};
use serde_json::json;

use crate::apps::{Context, retrying};
use crate::events::{AppEvent, emit};
use crate::{Error, Result};

/// The finalizer that makes deleting an Application delete its objects first (Argo CD's name,
/// so Argo CD manifests carrying it work unchanged; its `/foreground` and `/background`
/// variants are honoured the same way).
pub const RESOURCES_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";

/// Whether `finalizer` is Argo CD's resources finalizer or one of its variants.
pub fn is_resources_finalizer(finalizer: &str) -> bool {
    finalizer == RESOURCES_FINALIZER
        || finalizer
            .strip_prefix(RESOURCES_FINALIZER)
            .is_some_and(|rest| matches!(rest, "/foreground" | "/background"))
}

/// The app's resources finalizers (one, normally), as written.
pub fn resources_finalizers(app: &Application) -> Vec<&str> {
    app.metadata
        .finalizers
        .iter()
        .map(String::as_str)
        .filter(|finalizer| is_resources_finalizer(finalizer))
        .collect()
}

/// Whether the app is being deleted and waits for ferry to delete its objects.
pub fn awaits_cascade(app: &Application) -> bool {
    app.metadata.deletion_timestamp.is_some() && !resources_finalizers(app).is_empty()
}

/// Deletes the app's objects, then removes its resources finalizer.
pub(crate) async fn finalize(app: &Application, context: &Context) -> Result<Deleted> {
    let client = context.client_for(app).await?;
    let deleted = ferry_engine::delete_app(
        app,
        &client,
        context.sync_timeout,
        std::time::Duration::from_millis(200),
    )
    .await?;
    emit(
        context,
        app,
        vec![AppEvent::normal(
            "ResourcesDeleted",
            format!(
                "Deleted {} objects of the application before deleting it{}",
                deleted.deleted.len(),
                if deleted.left.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; left {} no longer its own or already gone",
                        deleted.left.len()
                    )
                },
            ),
        )],
    );
    remove_finalizers(app, context).await?;
    Ok(deleted)
}

/// Removes the resources finalizers with a merge patch of the remaining list, guarded by the
/// resourceVersion read, so a finalizer list changed meanwhile makes the patch fail (409, and
/// the next attempt reads again) rather than drop another's finalizer.
async fn remove_finalizers(app: &Application, context: &Context) -> Result<()> {
    let name = app.metadata.name.clone();
    let namespace = app.metadata.namespace.clone().unwrap_or_default();
    let ours = resources_finalizers(app);
    let remaining: Vec<&String> = app
        .metadata
        .finalizers
        .iter()
        .filter(|finalizer| !ours.contains(&finalizer.as_str()))
        .collect();
    let api = context.api(&namespace);
    let params = PatchParams::default();
    let patch = Patch::Merge(json!({"metadata": {
        "resourceVersion": app.metadata.resource_version,
        "finalizers": remaining,
    }}));
    match retrying(|| api.patch(&name, &params, &patch)).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(source) => Err(Error::Kube {
            action: format!("removing the resources finalizer of Application {namespace}/{name}"),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(finalizers: &[&str], deleting: bool) -> Application {
        let mut value = json!({
            "apiVersion": "ferry.dev/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "shop", "namespace": "default", "finalizers": finalizers},
            "spec": {"source": {"repoURL": "https://example.com/r.git"}, "destination": {}},
        });
        if deleting {
            value["metadata"]["deletionTimestamp"] = "2026-11-26T10:00:00Z".into();
        }
        Application::from_value(value, "test").unwrap().0
    }

    #[test]
    fn argo_cds_finalizer_and_its_variants_ask_for_a_cascade_and_others_do_not() {
        let all = [
            RESOURCES_FINALIZER,
            "resources-finalizer.argocd.argoproj.io/background",
            "example.com/other",
            "resources-finalizer.argocd.argoproj.io/sideways",
        ];
        assert_eq!(
            resources_finalizers(&app(&all, true)),
            [
                RESOURCES_FINALIZER,
                "resources-finalizer.argocd.argoproj.io/background"
            ]
        );
        assert!(awaits_cascade(&app(&[RESOURCES_FINALIZER], true)));
        assert!(!awaits_cascade(&app(&[RESOURCES_FINALIZER], false)));
        assert!(!awaits_cascade(&app(&["example.com/other"], true)));
    }
}
