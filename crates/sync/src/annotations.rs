//! Per-object sync settings read from annotations, under ferry's names and Argo CD's
//! (`ferry.dev/hook` or `argocd.argoproj.io/hook`, and so on), so Argo CD manifests keep
//! working unchanged.

use ferry_types::Manifest;
use serde_json::Value;

use crate::{Error, Result};

/// The prefixes sync annotations are read under, ferry's first.
const PREFIXES: [&str; 2] = ["ferry.dev/", "argocd.argoproj.io/"];

/// Phases of a sync, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SyncPhase {
    /// Before anything is applied (migrations, checks).
    PreSync,
    /// With the app's own objects.
    Sync,
    /// After every object of the Sync phase is healthy.
    PostSync,
    /// Only when the sync failed.
    SyncFail,
}

/// What a hook annotation asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookType {
    /// Run in a phase.
    Phase(SyncPhase),
    /// Never apply this object.
    Skip,
}

/// When a hook object is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookDeletePolicy {
    /// After it succeeded.
    HookSucceeded,
    /// After it failed.
    HookFailed,
    /// Before a new one is created (the default, as in Argo CD).
    BeforeHookCreation,
}

/// Sync settings of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceOptions {
    /// Hook types; empty for a normal object.
    pub hooks: Vec<HookType>,
    /// Hook deletion policies; `BeforeHookCreation` when a hook names none.
    pub hook_delete_policies: Vec<HookDeletePolicy>,
    /// Sync wave; lower waves go first.
    pub wave: i64,
    /// `Prune=false` keeps the object when it leaves Git.
    pub prune: bool,
    /// `PruneLast=true` prunes it after every wave.
    pub prune_last: bool,
    /// `Replace=true` replaces instead of applying.
    pub replace: bool,
    /// `ServerSideApply=true|false`, when set.
    pub server_side_apply: Option<bool>,
    /// `Validate=false` skips schema validation.
    pub validate: bool,
    /// `Delete=false` keeps the object when the app is deleted.
    pub delete: bool,
    /// `Force=true`: an apply the server refuses as a conflict or an invalid change (an
    /// immutable field) deletes and recreates the object.
    pub force: bool,
}

impl Default for ResourceOptions {
    fn default() -> Self {
        Self {
            hooks: Vec::new(),
            hook_delete_policies: Vec::new(),
            wave: 0,
            prune: true,
            prune_last: false,
            replace: false,
            server_side_apply: None,
            validate: true,
            delete: true,
            force: false,
        }
    }
}

impl ResourceOptions {
    /// Reads the sync annotations of a manifest.
    pub fn of(manifest: &Manifest) -> Result<Self> {
        Self::from_object(&manifest.object)
    }

    /// Reads the sync annotations of an object.
    pub fn from_object(object: &Value) -> Result<Self> {
        let label = format!(
            "{}/{}",
            object["kind"].as_str().unwrap_or(""),
            object["metadata"]["name"]
                .as_str()
                .or(object["metadata"]["generateName"].as_str())
                .unwrap_or("")
        );
        let error = |name: &String, message: String| Error::Annotation {
            object: label.clone(),
            annotation: name.clone(),
            message,
        };
        let mut options = Self::default();
        if let Some((name, value)) = annotation(object, "hook") {
            for item in list(value) {
                options.hooks.push(match item {
                    "PreSync" => HookType::Phase(SyncPhase::PreSync),
                    "Sync" => HookType::Phase(SyncPhase::Sync),
                    "PostSync" => HookType::Phase(SyncPhase::PostSync),
                    "SyncFail" => HookType::Phase(SyncPhase::SyncFail),
                    "Skip" => HookType::Skip,
                    other => return Err(error(&name, format!("unknown hook {other:?}; expected PreSync, Sync, PostSync, SyncFail or Skip"))),
                });
            }
        }
        if let Some((name, value)) = annotation(object, "hook-delete-policy") {
            for item in list(value) {
                options.hook_delete_policies.push(match item {
                    "HookSucceeded" => HookDeletePolicy::HookSucceeded,
                    "HookFailed" => HookDeletePolicy::HookFailed,
                    "BeforeHookCreation" => HookDeletePolicy::BeforeHookCreation,
                    other => {
                        return Err(error(&name, format!("unknown policy {other:?}; expected HookSucceeded, HookFailed or BeforeHookCreation")));
                    }
                });
            }
        }
        if options.is_hook() && options.hook_delete_policies.is_empty() {
            options
                .hook_delete_policies
                .push(HookDeletePolicy::BeforeHookCreation);
        }
        if let Some((name, value)) = annotation(object, "sync-wave") {
            options.wave = value
                .trim()
                .parse()
                .map_err(|_| error(&name, format!("wave {value:?} is not an integer")))?;
        }
        if let Some((name, value)) = annotation(object, "sync-options") {
            for item in list(value) {
                let (key, setting) = item
                    .split_once('=')
                    .ok_or_else(|| error(&name, format!("option {item:?} is not Name=value")))?;
                let flag = match setting.trim().to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(error(
                            &name,
                            format!("option {key} wants true or false, found {setting:?}"),
                        ));
                    }
                };
                match key.trim() {
                    "Prune" => options.prune = flag,
                    "PruneLast" => options.prune_last = flag,
                    "Replace" => options.replace = flag,
                    "ServerSideApply" => options.server_side_apply = Some(flag),
                    "Validate" => options.validate = flag,
                    "Delete" => options.delete = flag,
                    "Force" => options.force = flag,
                    // Options that only change how an apply is sent; the executor reads them.
                    "SkipDryRunOnMissingResource"
                    | "CreateNamespace"
                    | "ApplyOutOfSyncOnly"
                    | "RespectIgnoreDifferences" => {}
                    other => return Err(error(&name, format!("unknown option {other:?}"))),
                }
            }
        }
        Ok(options)
    }

    /// Whether the object is a hook (of any phase, or skipped).
    pub fn is_hook(&self) -> bool {
        !self.hooks.is_empty()
    }

    /// Whether the object must never be applied.
    pub fn is_skipped(&self) -> bool {
        self.hooks.contains(&HookType::Skip)
    }

    /// The phases this hook runs in.
    pub fn hook_phases(&self) -> impl Iterator<Item = SyncPhase> + '_ {
        self.hooks.iter().filter_map(|hook| match hook {
            HookType::Phase(phase) => Some(*phase),
            HookType::Skip => None,
        })
    }
}

/// The value of the first of `ferry.dev/<suffix>` and `argocd.argoproj.io/<suffix>` that is
/// set, with the key it was found under.
fn annotation<'a>(object: &'a Value, suffix: &str) -> Option<(String, &'a str)> {
    let annotations = object["metadata"]["annotations"].as_object()?;
    PREFIXES.iter().find_map(|prefix| {
        let key = format!("{prefix}{suffix}");
        let value = annotations.get(&key).and_then(Value::as_str)?;
        Some((key, value))
    })
}

fn list(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_annotations(annotations: Value) -> Value {
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "annotations": annotations}})
    }

    #[test]
    fn argo_cd_hook_annotations_read_unchanged() {
        let options = ResourceOptions::from_object(&with_annotations(json!({
            "argocd.argoproj.io/hook": "PreSync,PostSync",
            "argocd.argoproj.io/hook-delete-policy": "HookSucceeded",
            "argocd.argoproj.io/sync-wave": "-2"
        })))
        .unwrap();
        assert_eq!(
            options.hook_phases().collect::<Vec<_>>(),
            [SyncPhase::PreSync, SyncPhase::PostSync]
        );
        assert_eq!(
            options.hook_delete_policies,
            [HookDeletePolicy::HookSucceeded]
        );
        assert_eq!(options.wave, -2);
    }

    #[test]
    fn ferry_annotations_win_over_argo_cd_ones() {
        let options = ResourceOptions::from_object(&with_annotations(json!({
            "ferry.dev/sync-wave": "5", "argocd.argoproj.io/sync-wave": "1"
        })))
        .unwrap();
        assert_eq!(options.wave, 5);
    }

    #[test]
    fn hooks_without_a_policy_are_deleted_before_the_next_creation() {
        let options =
            ResourceOptions::from_object(&with_annotations(json!({"ferry.dev/hook": "Sync"})))
                .unwrap();
        assert_eq!(
            options.hook_delete_policies,
            [HookDeletePolicy::BeforeHookCreation]
        );
    }

    #[test]
    fn sync_options_set_prune_and_replace() {
        let options = ResourceOptions::from_object(&with_annotations(json!({
            "argocd.argoproj.io/sync-options": "Prune=false, PruneLast=true,Replace=true,ServerSideApply=false"
        })))
        .unwrap();
        assert!(!options.prune && options.prune_last && options.replace);
        assert_eq!(options.server_side_apply, Some(false));
    }

    #[test]
    fn bad_values_are_errors_naming_object_and_annotation() {
        let error =
            ResourceOptions::from_object(&with_annotations(json!({"ferry.dev/sync-wave": "soon"})))
                .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Job/migrate: annotation ferry.dev/sync-wave: wave \"soon\" is not an integer"
        );
        let error = ResourceOptions::from_object(&with_annotations(
            json!({"argocd.argoproj.io/hook": "PreDeploy"}),
        ))
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("argocd.argoproj.io/hook: unknown hook \"PreDeploy\""),
            "{error}"
        );
    }
}
