//! `diff`: every object of an app compared with the cluster, after the server's own defaulting
//! (a server-side-apply dry-run), with `ignoreDifferences` applied and Secret values masked.

use ferry_diff::ResourceDiffStatus;
use ferry_sync::{Action, SyncPhase};
use ferry_types::{Application, Manifest, ObjectKey};
use serde::Serialize;

use crate::client::{ClusterClient, LiveObjects};
use crate::observe::{Prediction, observe, plan_options, predict};
use crate::target::Target;
use crate::{Error, Result};

/// How one object of an app compares with the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceComparison {
    /// The object.
    pub key: ObjectKey,
    /// Synced, OutOfSync, Missing or Extraneous.
    #[serde(serialize_with = "status_name")]
    pub status: ResourceDiffStatus,
    /// Unified YAML diff from live to desired, plain text, Secret values masked; `None` when
    /// synced.
    pub diff: Option<String>,
    /// A note, when the server could not predict the object (its CRD or namespace is created
    /// by the sync).
    pub message: Option<String>,
}

impl ResourceComparison {
    /// Whether live matches desired.
    pub fn is_synced(&self) -> bool {
        self.status == ResourceDiffStatus::Synced
    }
}

/// The name of a diff status, as Argo CD prints it.
pub fn status_name<S: serde::Serializer>(
    status: &ResourceDiffStatus,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(diff_status_text(*status))
}

/// `Synced`, `OutOfSync`, `Missing` or `Extraneous`.
pub fn diff_status_text(status: ResourceDiffStatus) -> &'static str {
    match status {
        ResourceDiffStatus::Synced => "Synced",
        ResourceDiffStatus::OutOfSync => "OutOfSync",
        ResourceDiffStatus::Missing => "Missing",
        ResourceDiffStatus::Extraneous => "Extraneous",
    }
}

/// An app compared with the cluster, with what the comparison was made of.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// One comparison per object, in sync order.
    pub resources: Vec<ResourceComparison>,
    /// The desired objects, as prepared for the cluster.
    pub target: Target,
    /// The live objects read.
    pub live: LiveObjects,
}

/// Compares every object the app declares (hooks aside) and every object it tracks that left
/// Git with the cluster. A dry-run the server rejects is an error naming every rejected object.
pub async fn diff(
    app: &Application,
    rendered: &[Manifest],
    client: &ClusterClient,
) -> Result<Vec<ResourceComparison>> {
    Ok(compare(app, rendered, client).await?.resources)
}

/// [`diff`], returning also the prepared target and the live objects it read, so a caller
/// that needs them (health, drift baselines) does not read the cluster again.
pub async fn compare(
    app: &Application,
    rendered: &[Manifest],
    client: &ClusterClient,
) -> Result<Comparison> {
    ferry_diff::check_ignore_differences(&app.spec.ignore_differences)?;
    let options = plan_options(app, false)?;
    let observed = observe(app, rendered, client, &options).await?;
    let steps: Vec<_> = observed
        .plan
        .steps
        .iter()
        .filter(|step| !matches!(step.action, Action::RunHook { .. }))
        // The namespace `CreateNamespace=true` adds is not the app's own object.
        .filter(|step| !(step.phase == SyncPhase::PreSync && step.action == Action::Apply))
        .cloned()
        .collect();
    let predictions = predict(client, &observed, &steps).await?;
    let rejections: Vec<_> = predictions
        .iter()
        .filter_map(|prediction| match prediction {
            Prediction::Rejected(rejection) => Some(rejection.clone()),
            _ => None,
        })
        .collect();
    if !rejections.is_empty() {
        return Err(Error::Rejected { rejections });
    }
    let ignore = &app.spec.ignore_differences;
    let mut comparisons = Vec::with_capacity(steps.len());
    for (step, prediction) in steps.iter().zip(&predictions) {
        let live = observed.live.get(&step.key);
        let desired = step.object.as_ref();
        let message = match prediction {
            Prediction::Deferred(reason) if desired.is_some() => Some(reason.clone()),
            _ => None,
        };
        let comparison = match (desired, live) {
            (None, None) => continue,
            (Some(desired), Some(live)) if prediction.object().is_none() => {
                // Not predicted yet live (cannot happen while its CRD or namespace is new):
                // compare with the manifest itself rather than claim a match.
                ferry_diff::compare(Some(desired), Some(desired), Some(live), ignore)?
            }
            _ => ferry_diff::compare(desired, prediction.object(), live, ignore)?,
        };
        comparisons.push(ResourceComparison {
            key: step.key.clone(),
            status: comparison.status,
            diff: comparison.diff,
            message,
        });
    }
    Ok(Comparison {
        resources: comparisons,
        target: observed.target,
        live: observed.live,
    })
}
