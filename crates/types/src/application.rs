//! The `Application` resource (`ferry.dev/v1alpha1`), with Argo CD's field names and
//! meanings, so an `argoproj.io/v1alpha1` Application reads unchanged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::status::ApplicationStatus;
use crate::{Error, Result};

/// ferry's API group and version for Application.
pub const FERRY_API_VERSION: &str = "ferry.dev/v1alpha1";
/// Argo CD's API group and version for Application, accepted as the same thing.
pub const ARGO_API_VERSION: &str = "argoproj.io/v1alpha1";

/// A GitOps application: where its manifests live, where they go, and how to keep them synced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// `ferry.dev/v1alpha1` (or `argoproj.io/v1alpha1` as read).
    pub api_version: String,
    /// Always `Application`.
    pub kind: String,
    /// Name, namespace, labels and annotations.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// What to deploy, where, and how.
    #[serde(default)]
    pub spec: ApplicationSpec,
    /// What the controller observed and did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ApplicationStatus>,
    /// A requested operation (a manual sync), as Argo CD records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<crate::status::Operation>,
}

/// The subset of Kubernetes object metadata ferry reads and writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Object name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Prefix for a generated name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<String>,
    /// Namespace of the Application object itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Finalizers (Argo CD's `resources-finalizer.argocd.argoproj.io` is honoured later).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<String>,
    /// Server-assigned identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Server-assigned version for optimistic concurrency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// Server-assigned generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<i64>,
    /// Server-assigned creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<String>,
    /// Set when deletion was requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<String>,
    /// Owners, kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_references: Option<Value>,
    /// Field ownership, kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_fields: Option<Value>,
}

/// What to deploy, where, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    /// The one source of manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// Several sources (Argo CD multi-source); read, not yet rendered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<ApplicationSource>,
    /// The cluster and namespace to deploy to.
    #[serde(default)]
    pub destination: ApplicationDestination,
    /// The AppProject this app belongs to; `default` when empty.
    #[serde(default)]
    pub project: String,
    /// Automation, sync options and retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_policy: Option<SyncPolicy>,
    /// Differences to leave out of comparison.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_differences: Vec<ResourceIgnoreDifferences>,
    /// How many history entries to keep; Argo CD's default is 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i64>,
    /// Free-form information shown with the app.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub info: Vec<Info>,
}

/// A name/value pair of free-form information.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Info {
    /// Label.
    pub name: String,
    /// Value.
    pub value: String,
}

/// Where manifests come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSource {
    /// Repository URL: `https://`, `http://`, `git://`, `ssh://`, `file://` or a plain path.
    #[serde(rename = "repoURL", default)]
    pub repo_url: String,
    /// Branch, tag, commit SHA (full or short) or `HEAD`; `HEAD` when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target_revision: String,
    /// Directory within the repository; the root when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// Helm chart name (Helm repositories); read, not yet rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// Reference name for multi-source apps.
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Options for plain directories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectorySource>,
    /// Kustomize overrides applied on top of the kustomization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kustomize: Option<KustomizeSource>,
    /// Helm options; read, not yet rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<Value>,
    /// Config-management plugin; read, not supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<Value>,
}

impl ApplicationSource {
    /// `targetRevision`, or `HEAD` when empty.
    pub fn revision(&self) -> &str {
        if self.target_revision.is_empty() {
            "HEAD"
        } else {
            &self.target_revision
        }
    }
}

/// Options for a plain directory of manifests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DirectorySource {
    /// Descend into subdirectories.
    #[serde(default)]
    pub recurse: bool,
    /// Glob (or `{a,b}` list of globs) of files to include.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub include: String,
    /// Glob (or `{a,b}` list of globs) of files to leave out; wins over `include`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub exclude: String,
    /// Jsonnet options; read, not supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jsonnet: Option<Value>,
}

/// Kustomize overrides, as Argo CD's `spec.source.kustomize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct KustomizeSource {
    /// Prefix added to every resource name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name_prefix: String,
    /// Suffix added to every resource name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name_suffix: String,
    /// Namespace set on every namespaced resource.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Image overrides: `name=newName:tag`, `name:tag`, `name@digest`, `name=newName`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// Labels added to every resource (and selectors).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub common_labels: BTreeMap<String, String>,
    /// Annotations added to every resource.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub common_annotations: BTreeMap<String, String>,
    /// Replace existing common labels instead of failing on conflict.
    #[serde(default)]
    pub force_common_labels: bool,
    /// Replace existing common annotations instead of failing on conflict.
    #[serde(default)]
    pub force_common_annotations: bool,
    /// Add common labels without touching selectors.
    #[serde(default)]
    pub label_without_selector: bool,
    /// Replica count overrides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<KustomizeReplica>,
    /// Patches applied after the kustomization's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<KustomizePatch>,
    /// Components added to the kustomization.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    /// Kustomize version to use; ferry has one built in and ignores this.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
}

/// A replica override for a named workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct KustomizeReplica {
    /// Workload name (before prefix/suffix).
    pub name: String,
    /// Replica count; Argo CD accepts a number or a numeric string.
    pub count: Value,
}

/// A kustomize patch: strategic merge or JSON 6902, inline or from a file, with a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct KustomizePatch {
    /// File holding the patch, relative to the kustomization.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The patch itself, as YAML or JSON text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub patch: String,
    /// Which resources the patch applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<PatchTarget>,
    /// Patch options (`allowNameChange`, `allowKindChange`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, bool>,
}

/// Selects resources for a patch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PatchTarget {
    /// API group.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
    /// API version.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Kind.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Name (a regular expression in kustomize).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Namespace (a regular expression in kustomize).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Label selector.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label_selector: String,
    /// Annotation selector.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub annotation_selector: String,
}

/// The cluster and namespace an app deploys to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationDestination {
    /// API server URL; `https://kubernetes.default.svc` or empty means the current context.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub server: String,
    /// A cluster name (a kubeconfig context), instead of `server`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Namespace for namespaced objects that set none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// Automation, sync options and retries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    /// Sync automatically when Git or the cluster changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated: Option<SyncPolicyAutomated>,
    /// Options such as `CreateNamespace=true`, `PruneLast=true`, `ServerSideApply=true`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_options: Vec<String>,
    /// Retries of a failed sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryStrategy>,
    /// Labels and annotations for a namespace created by `CreateNamespace=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_namespace_metadata: Option<Value>,
}

impl SyncPolicy {
    /// Whether a `Name=value` sync option is set to `value` (case-insensitive on the value).
    pub fn has_option(&self, name: &str, value: &str) -> bool {
        self.sync_options.iter().any(|option| {
            option.split_once('=').is_some_and(|(key, set)| {
                key.trim() == name && set.trim().eq_ignore_ascii_case(value)
            })
        })
    }
}

/// Automated sync settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicyAutomated {
    /// Delete tracked objects that left Git.
    #[serde(default)]
    pub prune: bool,
    /// Revert changes made in the cluster.
    #[serde(default)]
    pub self_heal: bool,
    /// Allow a sync that leaves the app with no objects.
    #[serde(default)]
    pub allow_empty: bool,
    /// Argo CD 3.x switch to turn automation off without removing it; absent means on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// How often and how fast to retry a failed sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RetryStrategy {
    /// Attempts after the first; negative means no limit.
    #[serde(default)]
    pub limit: i64,
    /// Backoff between attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<Backoff>,
}

/// Exponential backoff, as Argo CD defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Backoff {
    /// First delay, a Go duration (`5s`); Argo CD's default is `5s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// Multiplier per attempt; Argo CD's default is 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<i64>,
    /// Longest delay; Argo CD's default is `3m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<String>,
}

/// Differences to leave out of comparison, per group/kind/name/namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourceIgnoreDifferences {
    /// API group; empty for the core group.
    #[serde(default)]
    pub group: String,
    /// Kind.
    #[serde(default)]
    pub kind: String,
    /// Name; all when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Namespace; all when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// RFC 6901 pointers to ignore.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub json_pointers: Vec<String>,
    /// jq path expressions to ignore.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jq_path_expressions: Vec<String>,
    /// Field managers whose fields are ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_fields_managers: Vec<String>,
}

impl Application {
    /// Reads an Application from a parsed document. `origin` names the document in errors
    /// (a file and line). Returns the Application and one warning per field ferry does not
    /// know, named by its path (`spec.source.foo`): nothing is dropped silently.
    pub fn from_value(document: Value, origin: &str) -> Result<(Self, Vec<String>)> {
        let api_version = document
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let kind = document.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind != "Application"
            || (api_version != FERRY_API_VERSION && api_version != ARGO_API_VERSION)
        {
            return Err(Error::NotAnApplication {
                origin: origin.to_string(),
                reason: format!(
                    "apiVersion {api_version:?} kind {kind:?}; expected kind Application in {FERRY_API_VERSION} or {ARGO_API_VERSION}"
                ),
            });
        }
        let name = document
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let mut unknown = Vec::new();
        let mut on_unknown = |path: serde_ignored::Path| {
            // serde_ignored marks each Option it passes through with `?`; people write paths without it.
            let path = path.to_string().replace(".?", "");
            unknown.push(format!("unknown field {path} ignored"));
        };
        let tracking = serde_ignored::Deserializer::new(document, &mut on_unknown);
        let application: Application =
            serde_path_to_error::deserialize(tracking).map_err(|error| {
                Error::InvalidApplication {
                    origin: origin.to_string(),
                    name: name.clone(),
                    reason: format!("field {}: {}", error.path(), error.inner()),
                }
            })?;
        Ok((application, unknown))
    }

    /// The app's single source, if it has one.
    pub fn source(&self) -> Option<&ApplicationSource> {
        self.spec.source.as_ref().or(self.spec.sources.first())
    }

    /// The project, `default` when empty.
    pub fn project(&self) -> &str {
        if self.spec.project.is_empty() {
            "default"
        } else {
            &self.spec.project
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn argo_guestbook() -> Value {
        json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "guestbook", "namespace": "argocd"},
            "spec": {
                "project": "default",
                "source": {
                    "repoURL": "https://github.com/argoproj/argocd-example-apps.git",
                    "targetRevision": "HEAD",
                    "path": "guestbook",
                    "kustomize": {"namePrefix": "prod-", "images": ["nginx:1.27"], "commonLabels": {"team": "web"}}
                },
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
                "syncPolicy": {
                    "automated": {"prune": true, "selfHeal": true},
                    "syncOptions": ["CreateNamespace=true"],
                    "retry": {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}}
                },
                "ignoreDifferences": [{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}],
                "revisionHistoryLimit": 3
            }
        })
    }

    #[test]
    fn an_argo_cd_application_reads_unchanged_with_no_warnings() {
        let (app, warnings) = Application::from_value(argo_guestbook(), "app.yaml:1").unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let source = app.source().unwrap();
        assert_eq!(
            source.repo_url,
            "https://github.com/argoproj/argocd-example-apps.git"
        );
        assert_eq!(source.kustomize.as_ref().unwrap().name_prefix, "prod-");
        let policy = app.spec.sync_policy.as_ref().unwrap();
        assert!(policy.automated.as_ref().unwrap().self_heal);
        assert!(policy.has_option("CreateNamespace", "true"));
        assert_eq!(policy.retry.as_ref().unwrap().limit, 5);
        assert_eq!(
            app.spec.ignore_differences[0].json_pointers,
            ["/spec/replicas"]
        );
        assert_eq!(app.spec.revision_history_limit, Some(3));
    }

    #[test]
    fn unknown_fields_are_named_in_warnings_not_dropped_silently() {
        let mut document = argo_guestbook();
        document["spec"]["source"]["pathh"] = json!("typo");
        document["spec"]["sncPolicy"] = json!({});
        let (_, warnings) = Application::from_value(document, "app.yaml:1").unwrap();
        assert_eq!(
            warnings,
            [
                "unknown field spec.source.pathh ignored",
                "unknown field spec.sncPolicy ignored"
            ]
        );
    }

    #[test]
    fn a_field_of_the_wrong_type_is_an_error_naming_the_field() {
        let mut document = argo_guestbook();
        document["spec"]["revisionHistoryLimit"] = json!("ten");
        let error = Application::from_value(document, "app.yaml:1")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("app.yaml:1") && error.contains("guestbook"),
            "{error}"
        );
        assert!(
            error.contains("field spec.revisionHistoryLimit: invalid type"),
            "{error}"
        );
    }

    #[test]
    fn other_kinds_are_not_applications() {
        let error = Application::from_value(
            json!({"apiVersion": "v1", "kind": "ConfigMap"}),
            "cm.yaml:1",
        );
        assert!(matches!(error, Err(Error::NotAnApplication { .. })));
    }
}
