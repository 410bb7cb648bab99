//! `plan(desired, live, options) -> Plan`: pairs the objects Git declares with the live
//! objects this app tracks and decides every step of a sync, in order. No IO.

use std::collections::BTreeSet;

use ferry_types::{Manifest, ObjectKey};
use serde_json::Value;

use crate::tracking::{TRACKING_ANNOTATION, TrackingId};
use crate::{HookDeletePolicy, ResourceOptions, Result, SyncPhase, kind_rank};

/// A live object found in the cluster with this app's tracking annotation.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveObject {
    /// Its identity.
    pub key: ObjectKey,
    /// The object as the cluster returned it.
    pub object: Value,
}

/// App-level settings that shape a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// The app's name, written into tracking ids.
    pub app: String,
    /// Delete tracked objects that left Git.
    pub prune: bool,
    /// Create this namespace first (`CreateNamespace=true`), unless Git declares it.
    pub create_namespace: Option<String>,
    /// App-level `Replace=true`.
    pub replace: bool,
    /// App-level `PruneLast=true`: every prune runs in a final wave, after all other waves.
    pub prune_last: bool,
}

/// What one step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Apply the object (server-side apply).
    Apply,
    /// Replace the object (`Replace=true`).
    Replace,
    /// Create a hook object for its phase, after deleting an old one when its policy asks.
    RunHook {
        /// Delete policies to honour once it finishes.
        delete_policies: Vec<HookDeletePolicy>,
    },
    /// Delete a tracked object that left Git.
    Prune,
    /// A tracked object left Git but is kept: pruning is off, or the object says `Prune=false`.
    KeepExtraneous {
        /// Why it is kept.
        reason: String,
    },
}

/// One step of a sync.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The phase it runs in.
    pub phase: SyncPhase,
    /// The wave within the phase.
    pub wave: i64,
    /// What it does.
    pub action: Action,
    /// The object's identity.
    pub key: ObjectKey,
    /// The object to send (with the tracking annotation); `None` for prunes.
    pub object: Option<Value>,
}

/// Every step of a sync, in the order they run, and the steps run only on failure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Steps in order: phase, wave, then kind order (prunes after applies, in reverse).
    pub steps: Vec<Step>,
    /// SyncFail hooks, run only when the sync fails.
    pub on_failure: Vec<Step>,
}

impl Plan {
    /// The waves of one phase, in order, each with its steps.
    pub fn waves(&self, phase: SyncPhase) -> Vec<(i64, Vec<&Step>)> {
        let mut waves: Vec<(i64, Vec<&Step>)> = Vec::new();
        for step in self.steps.iter().filter(|step| step.phase == phase) {
            match waves.last_mut() {
                Some((wave, steps)) if *wave == step.wave => steps.push(step),
                _ => waves.push((step.wave, vec![step])),
            }
        }
        waves
    }
}

/// A wave after every other, for `PruneLast=true`.
const PRUNE_LAST_WAVE: i64 = i64::MAX;

/// Decides every step of a sync of `desired` against the `live` objects this app tracks.
pub fn plan(desired: &[Manifest], live: &[LiveObject], options: &PlanOptions) -> Result<Plan> {
    let mut steps = Vec::new();
    let mut on_failure = Vec::new();
    let mut declared = BTreeSet::new();
    if let Some(namespace) = &options.create_namespace {
        let declares_it = desired
            .iter()
            .any(|m| m.kind() == "Namespace" && m.gvk().group.is_empty() && m.name() == namespace);
        if !declares_it && !namespace.is_empty() {
            let object = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}});
            let key = ObjectKey {
                group: String::new(),
                kind: "Namespace".into(),
                namespace: String::new(),
                name: namespace.clone(),
            };
            steps.push(Step {
                phase: SyncPhase::PreSync,
                wave: i64::MIN,
                action: Action::Apply,
                key,
                object: Some(object),
            });
        }
    }
    for manifest in desired {
        let settings = ResourceOptions::of(manifest)?;
        if settings.is_skipped() {
            continue;
        }
        let key = manifest.key();
        if settings.is_hook() {
            for phase in settings.hook_phases() {
                let step = Step {
                    phase,
                    wave: settings.wave,
                    action: Action::RunHook {
                        delete_policies: settings.hook_delete_policies.clone(),
                    },
                    key: key.clone(),
                    object: Some(manifest.object.clone()),
                };
                if phase == SyncPhase::SyncFail {
                    on_failure.push(step)
                } else {
                    steps.push(step)
                }
            }
            continue;
        }
        declared.insert(key.clone());
        let action = if settings.replace || options.replace {
            Action::Replace
        } else {
            Action::Apply
        };
        steps.push(Step {
            phase: SyncPhase::Sync,
            wave: settings.wave,
            action,
            key: key.clone(),
            object: Some(tracked(manifest, &options.app, &key)),
        });
    }
    for item in live {
        let owned =
            TrackingId::of(&item.object).is_some_and(|id| id.claims(&options.app, &item.key));
        if !owned || declared.contains(&item.key) {
            continue;
        }
        let settings = ResourceOptions::from_object(&item.object)?;
        if settings.is_hook() {
            continue;
        }
        let action = if !options.prune {
            Action::KeepExtraneous {
                reason: "pruning is off for this sync".into(),
            }
        } else if !settings.prune {
            Action::KeepExtraneous {
                reason: "the object says Prune=false".into(),
            }
        } else {
            Action::Prune
        };
        let wave = if settings.prune_last || options.prune_last {
            PRUNE_LAST_WAVE
        } else {
            settings.wave
        };
        steps.push(Step {
            phase: SyncPhase::Sync,
            wave,
            action,
            key: item.key.clone(),
            object: None,
        });
    }
    steps.sort_by_key(order);
    on_failure.sort_by_key(order);
    Ok(Plan { steps, on_failure })
}

/// Sort key: phase, wave, applies before prunes, kind order (reversed for prunes), name.
fn order(step: &Step) -> (SyncPhase, i64, bool, isize, String, String) {
    let is_prune = matches!(step.action, Action::Prune | Action::KeepExtraneous { .. });
    let rank = kind_rank(&step.key.kind) as isize;
    let kind_order = if is_prune { -rank } else { rank };
    (
        step.phase,
        step.wave,
        is_prune,
        kind_order,
        step.key.namespace.clone(),
        step.key.name.clone(),
    )
}

fn tracked(manifest: &Manifest, app: &str, key: &ObjectKey) -> Value {
    let mut object = manifest.object.clone();
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = metadata
            .entry("annotations")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(annotations) = annotations.as_object_mut() {
            annotations.insert(
                TRACKING_ANNOTATION.to_string(),
                Value::String(TrackingId::new(app, key).to_string()),
            );
        }
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::Origin;
    use serde_json::json;

    fn manifest(kind: &str, name: &str, annotations: Value) -> Manifest {
        let api_version = match kind {
            "Deployment" => "apps/v1",
            "Job" => "batch/v1",
            "CustomResourceDefinition" => "apiextensions.k8s.io/v1",
            "Widget" => "example.com/v1",
            _ => "v1",
        };
        let namespace = if matches!(kind, "Namespace" | "CustomResourceDefinition") {
            json!(null)
        } else {
            json!("shop")
        };
        let mut object = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "annotations": annotations}});
        if !namespace.is_null() {
            object["metadata"]["namespace"] = namespace;
        }
        Manifest::new(object, Origin::default())
    }

    fn live(app: &str, kind: &str, name: &str, annotations: Value) -> LiveObject {
        let manifest = manifest(kind, name, annotations);
        let key = manifest.key();
        let mut object = manifest.object;
        object["metadata"]["annotations"][TRACKING_ANNOTATION] =
            json!(TrackingId::new(app, &key).to_string());
        LiveObject { key, object }
    }

    fn summary(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|step| {
                let verb = match &step.action {
                    Action::Apply => "apply",
                    Action::Replace => "replace",
                    Action::RunHook { .. } => "hook",
                    Action::Prune => "prune",
                    Action::KeepExtraneous { .. } => "keep",
                };
                format!(
                    "{:?}/{} {verb} {}/{}",
                    step.phase,
                    if step.wave == i64::MAX {
                        "last".to_string()
                    } else {
                        step.wave.to_string()
                    },
                    step.key.kind,
                    step.key.name
                )
            })
            .collect()
    }

    fn options(prune: bool) -> PlanOptions {
        PlanOptions {
            app: "shop".into(),
            prune,
            create_namespace: None,
            replace: false,
            prune_last: false,
        }
    }

    #[test]
    fn objects_go_by_phase_then_wave_then_kind_order() {
        let desired = [
            manifest("Deployment", "web", json!({})),
            manifest("Widget", "w", json!({})),
            manifest("ConfigMap", "settings", json!({})),
            manifest("CustomResourceDefinition", "widgets.example.com", json!({})),
            manifest("Namespace", "shop", json!({})),
            manifest(
                "Job",
                "migrate",
                json!({"argocd.argoproj.io/hook": "PreSync"}),
            ),
            manifest(
                "Job",
                "smoke",
                json!({"ferry.dev/hook": "PostSync", "ferry.dev/hook-delete-policy": "HookSucceeded"}),
            ),
            manifest("ConfigMap", "late", json!({"ferry.dev/sync-wave": "2"})),
            manifest("ConfigMap", "early", json!({"ferry.dev/sync-wave": "-1"})),
            manifest(
                "Job",
                "notify-failure",
                json!({"ferry.dev/hook": "SyncFail"}),
            ),
            manifest("ConfigMap", "never", json!({"ferry.dev/hook": "Skip"})),
        ];
        let plan = plan(&desired, &[], &options(false)).unwrap();
        assert_eq!(
            summary(&plan.steps),
            [
                "PreSync/0 hook Job/migrate",
                "Sync/-1 apply ConfigMap/early",
                "Sync/0 apply Namespace/shop",
                "Sync/0 apply CustomResourceDefinition/widgets.example.com",
                "Sync/0 apply ConfigMap/settings",
                "Sync/0 apply Deployment/web",
                "Sync/0 apply Widget/w",
                "Sync/2 apply ConfigMap/late",
                "PostSync/0 hook Job/smoke",
            ]
        );
        assert_eq!(
            summary(&plan.on_failure),
            ["SyncFail/0 hook Job/notify-failure"]
        );
        assert_eq!(
            plan.waves(SyncPhase::Sync)
                .iter()
                .map(|(wave, steps)| (*wave, steps.len()))
                .collect::<Vec<_>>(),
            [(-1, 1), (0, 5), (2, 1)]
        );
    }

    #[test]
    fn applied_objects_carry_the_tracking_annotation() {
        let plan = plan(
            &[manifest("ConfigMap", "settings", json!({}))],
            &[],
            &options(false),
        )
        .unwrap();
        let object = plan.steps[0].object.as_ref().unwrap();
        assert_eq!(
            object["metadata"]["annotations"][TRACKING_ANNOTATION],
            "shop:/ConfigMap:shop/settings"
        );
    }

    #[test]
    fn objects_that_left_git_are_pruned_only_with_prune_and_in_reverse_kind_order() {
        let desired = [manifest("ConfigMap", "kept", json!({}))];
        let live_objects = [
            live("shop", "ConfigMap", "kept", json!({})),
            live("shop", "ConfigMap", "gone", json!({})),
            live("shop", "Deployment", "old-web", json!({})),
            live(
                "shop",
                "Namespace",
                "old-ns",
                json!({"ferry.dev/sync-options": "PruneLast=true"}),
            ),
            live(
                "shop",
                "Secret",
                "precious",
                json!({"argocd.argoproj.io/sync-options": "Prune=false"}),
            ),
        ];
        let with_prune = plan(&desired, &live_objects, &options(true)).unwrap();
        assert_eq!(
            summary(&with_prune.steps),
            [
                "Sync/0 apply ConfigMap/kept",
                "Sync/0 prune Deployment/old-web",
                "Sync/0 prune ConfigMap/gone",
                "Sync/0 keep Secret/precious",
                "Sync/last prune Namespace/old-ns",
            ]
        );
        let without = plan(&desired, &live_objects, &options(false)).unwrap();
        assert!(
            without
                .steps
                .iter()
                .all(|step| !matches!(step.action, Action::Prune))
        );
    }

    #[test]
    fn an_object_this_app_does_not_track_is_never_pruned() {
        let mut stranger = live("other-app", "ConfigMap", "theirs", json!({}));
        let mut copied = live("shop", "ConfigMap", "original", json!({}));
        copied.key.name = "copy".into();
        stranger.object["metadata"]["labels"] = json!({"app": "shop"});
        let plan = plan(&[], &[stranger, copied], &options(true)).unwrap();
        assert!(plan.steps.is_empty(), "{:?}", summary(&plan.steps));
    }

    #[test]
    fn create_namespace_comes_first_unless_git_declares_it() {
        let mut options = options(false);
        options.create_namespace = Some("shop".into());
        let first = plan(&[manifest("ConfigMap", "a", json!({}))], &[], &options).unwrap();
        assert_eq!(
            summary(&first.steps)[0],
            "PreSync/-9223372036854775808 apply Namespace/shop"
        );
        let declared = plan(&[manifest("Namespace", "shop", json!({}))], &[], &options).unwrap();
        assert_eq!(summary(&declared.steps), ["Sync/0 apply Namespace/shop"]);
    }

    #[test]
    fn app_level_prune_last_puts_every_prune_in_the_final_wave() {
        let desired = [manifest(
            "ConfigMap",
            "late",
            json!({"argocd.argoproj.io/sync-wave": "5"}),
        )];
        let gone = live("shop", "ConfigMap", "gone", json!({}));
        let options = PlanOptions {
            prune_last: true,
            ..options(true)
        };
        let plan = plan(&desired, &[gone], &options).unwrap();
        assert_eq!(plan.steps.len(), 2);
        assert_eq!(plan.steps[0].key.name, "late");
        assert_eq!(plan.steps[1].action, Action::Prune);
        assert_eq!(plan.steps[1].wave, PRUNE_LAST_WAVE);
    }
}
