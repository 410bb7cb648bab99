//! What diff and sync both start from: the target prepared, the live objects read, the pure
//! plan made, and the server's prediction of every object (a dry run), concurrently.

use std::collections::BTreeSet;

use ferry_sync::{Action, Plan, PlanOptions, Step};
use ferry_types::{Application, Manifest, ObjectKey};
use futures_util::{FutureExt, StreamExt, stream};
use serde_json::Value;

use crate::client::{ClusterClient, LiveObjects, WriteOptions};
use crate::target::{self, Target, app_name};
use crate::{Error, Rejection, Result};

/// Dry runs in flight at once.
const CONCURRENT_DRY_RUNS: usize = 32;

/// The app as ferry sees it before changing anything.
#[derive(Debug, Clone)]
pub(crate) struct Observed {
    /// The desired objects, ready for the cluster.
    pub target: Target,
    /// What the cluster has.
    pub live: LiveObjects,
    /// Every step of a sync, in order.
    pub plan: Plan,
    /// The namespace of the app's inventory ConfigMap.
    pub inventory_namespace: String,
    /// The keys the inventory held; `None` when the app has none (never synced by ferry).
    pub inventory: Option<BTreeSet<ObjectKey>>,
}

/// Prepares the target, reads the live objects and plans.
pub(crate) async fn observe(
    app: &Application,
    rendered: &[Manifest],
    client: &ClusterClient,
    options: &PlanOptions,
) -> Result<Observed> {
    let target = target::prepare(app, rendered, client).await?;
    let declared: BTreeSet<ObjectKey> = target.manifests.iter().map(Manifest::key).collect();
    let inventory_namespace = inventory_namespace(app, client);
    let inventory = client
        .read_inventory(&options.app, &inventory_namespace)
        .await?;
    // Read by key: what the app declares and what it applied before. Every sync writes the
    // inventory before it applies anything, so an app without one has nothing of its own in
    // the cluster that it does not declare, and no kind is listed cluster-wide to find out.
    let keys: BTreeSet<ObjectKey> = match &inventory {
        Some(keys) => keys.union(&declared).cloned().collect(),
        None => declared,
    };
    let live = client.live_objects_by_key(&options.app, &keys).await?;
    let plan = ferry_sync::plan(&target.manifests, &live.tracked, options)?;
    Ok(Observed {
        target,
        live,
        plan,
        inventory_namespace,
        inventory,
    })
}

/// Where an app's inventory lives: `destination.namespace`, else the context's namespace.
pub(crate) fn inventory_namespace(app: &Application, client: &ClusterClient) -> String {
    let namespace = &app.spec.destination.namespace;
    if namespace.is_empty() {
        client.default_namespace().to_string()
    } else {
        namespace.clone()
    }
}

/// What the server said about one object before anything was applied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Prediction {
    /// The object as the server would store it.
    Predicted(Value),
    /// Nothing to send (prunes, kept objects).
    NotSent,
    /// Not asked: the server cannot judge it yet (its CRD or namespace is created by this
    /// sync, or a hook of its name exists); the reason says which.
    Deferred(String),
    /// The server refused it.
    Rejected(Rejection),
}

impl Prediction {
    /// The predicted object, if any.
    pub fn object(&self) -> Option<&Value> {
        match self {
            Prediction::Predicted(object) => Some(object),
            _ => None,
        }
    }
}

/// Dry-runs every step that sends an object: applies and replaces by server-side apply, hooks
/// by create. One prediction per step, in order.
pub(crate) async fn predict(
    client: &ClusterClient,
    observed: &Observed,
    steps: &[Step],
) -> Result<Vec<Prediction>> {
    let created_namespaces: BTreeSet<&str> = observed
        .plan
        .steps
        .iter()
        .filter(|step| step.key.kind == "Namespace" && step.key.group.is_empty())
        .filter(|step| matches!(step.action, Action::Apply | Action::Replace))
        .map(|step| step.key.name.as_str())
        .collect();
    let mut missing_namespaces = BTreeSet::new();
    let namespaces: BTreeSet<&str> = steps
        .iter()
        .filter_map(|step| step.object.as_ref())
        .filter_map(|object| object["metadata"]["namespace"].as_str())
        .filter(|namespace| !namespace.is_empty())
        .collect();
    let namespace_resource = client
        .resource(&ferry_types::Gvk::from_api_version("v1", "Namespace"))
        .await?;
    for namespace in namespaces {
        if client
            .get(&namespace_resource, "", namespace)
            .await?
            .is_none()
            && created_namespaces.contains(namespace)
        {
            missing_namespaces.insert(namespace.to_string());
        }
    }
    // Indices, not `&Step` items: a closure over borrowed items makes the future non-`Send`
    // (rust-lang/rust#102211), and the controller spawns reconciles on worker tasks.
    let missing_namespaces = &missing_namespaces;
    let predictions = stream::iter(0..steps.len())
        .map(|index| predict_step(client, observed, missing_namespaces, &steps[index]).boxed())
        .buffered(CONCURRENT_DRY_RUNS)
        .collect::<Vec<_>>()
        .await;
    predictions.into_iter().collect()
}

async fn predict_step(
    client: &ClusterClient,
    observed: &Observed,
    missing_namespaces: &BTreeSet<String>,
    step: &Step,
) -> Result<Prediction> {
    let Some(object) = &step.object else {
        return Ok(Prediction::NotSent);
    };
    if observed.target.is_pending(object) {
        return Ok(Prediction::Deferred(
            "its CRD is created by this sync; validated when applied".into(),
        ));
    }
    let namespace = object["metadata"]["namespace"].as_str().unwrap_or("");
    if missing_namespaces.contains(namespace) {
        return Ok(Prediction::Deferred(format!(
            "namespace {namespace} is created by this sync; validated when applied"
        )));
    }
    let options = WriteOptions {
        validate: validates(object)?,
        ..WriteOptions::DRY_RUN
    };
    let answer = match step.action {
        Action::Apply | Action::Replace => send(client, &step.action, object, options).await,
        Action::RunHook { .. } => client.create(object, options).await,
        Action::Prune | Action::KeepExtraneous { .. } => {
            return Ok(Prediction::NotSent);
        }
    };
    match answer {
        Ok(predicted) => Ok(Prediction::Predicted(predicted)),
        // A named hook that exists is deleted (BeforeHookCreation) or kept before it runs.
        Err(Error::Api { code: 409, .. }) if matches!(step.action, Action::RunHook { .. }) => Ok(
            Prediction::Deferred("a hook of this name exists; validated when run".into()),
        ),
        // `Force=true` deletes and recreates what the server refuses to change in place.
        Err(Error::Api {
            code: 409 | 422, ..
        }) if matches!(step.action, Action::Apply | Action::Replace)
            && ferry_sync::ResourceOptions::from_object(object)?.force =>
        {
            Ok(Prediction::Deferred(
                "Force=true: deleted and created again when applied".into(),
            ))
        }
        Err(Error::Api {
            reason,
            field,
            message,
            ..
        }) => Ok(Prediction::Rejected(Rejection {
            key: step.key.clone(),
            field,
            reason,
            message,
        })),
        Err(error) => Err(error),
    }
}

/// The plan options of an app: its name, prune (asked, or `syncPolicy.automated.prune`),
/// `CreateNamespace=true` and `Replace=true`.
pub(crate) fn plan_options(app: &Application, prune: bool) -> Result<PlanOptions> {
    let policy = app.spec.sync_policy.clone().unwrap_or_default();
    let automated_prune = policy
        .automated
        .as_ref()
        .is_some_and(|automated| automated.prune && automated.enabled != Some(false));
    let namespace = &app.spec.destination.namespace;
    Ok(PlanOptions {
        app: app_name(app)?.to_string(),
        prune: prune || automated_prune,
        create_namespace: (policy.has_option("CreateNamespace", "true") && !namespace.is_empty())
            .then(|| namespace.clone()),
        replace: policy.has_option("Replace", "true"),
        prune_last: policy.has_option("PruneLast", "true"),
    })
}

/// Sends an object of an apply or replace step: `Replace` replaces; an object that says
/// `ServerSideApply=false` gets a create or JSON merge patch; the rest server-side apply.
pub(crate) async fn send(
    client: &ClusterClient,
    action: &Action,
    object: &Value,
    options: WriteOptions,
) -> Result<Value> {
    let settings = ferry_sync::ResourceOptions::from_object(object)?;
    let answer = if *action == Action::Replace {
        client.replace(object, options).await
    } else if settings.server_side_apply == Some(false) {
        client.apply_client_side(object, options).await
    } else {
        client.apply(object, options).await
    };
    match answer {
        Err(Error::Api {
            code: 409 | 422, ..
        }) if settings.force && !options.dry_run => recreate(client, object, options).await,
        answer => answer,
    }
}

/// `Force=true`: deletes the object, then creates it again (retrying while the old one is
/// still going away).
async fn recreate(client: &ClusterClient, object: &Value, options: WriteOptions) -> Result<Value> {
    let resource = client.resource_of(object).await?;
    let key = ObjectKey {
        group: resource.group.clone(),
        kind: resource.kind.clone(),
        namespace: object["metadata"]["namespace"]
            .as_str()
            .unwrap_or("")
            .to_string(),
        name: object["metadata"]["name"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    };
    client.delete(&resource, &key, false).await?;
    let mut tries = 0;
    loop {
        match client.create(object, options).await {
            Err(Error::Api { code: 409, .. }) if tries < 100 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            answer => return answer,
        }
    }
}

/// Whether an object asks for field validation (`Validate=false` turns it off).
pub(crate) fn validates(object: &Value) -> Result<bool> {
    Ok(ferry_sync::ResourceOptions::from_object(object)?.validate)
}
