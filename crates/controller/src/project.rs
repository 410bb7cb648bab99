//! AppProjects (`appprojects.ferry.dev`): what an Application may deploy, from where and where
//! to, with Argo CD's field names. [`check`] is pure; [`project_for`] reads the app's project
//! (the `default` project allows everything and exists implicitly).

use ferry_types::{Application, Manifest};
use kube::api::{Api, ApiResource, DynamicObject};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The name of the AppProject CRD.
pub const APPPROJECT_CRD_NAME: &str = "appprojects.ferry.dev";

/// An AppProject's spec (the fields ferry enforces).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppProjectSpec {
    /// Globs of the repository URLs apps may use (`*` allows all).
    #[serde(default)]
    pub source_repos: Vec<String>,
    /// Where apps may deploy.
    #[serde(default)]
    pub destinations: Vec<ProjectDestination>,
    /// Cluster-scoped kinds apps may manage (none when empty).
    #[serde(default)]
    pub cluster_resource_whitelist: Vec<GroupKind>,
    /// Cluster-scoped kinds apps may not manage.
    #[serde(default)]
    pub cluster_resource_blacklist: Vec<GroupKind>,
    /// Namespaced kinds apps may not manage.
    #[serde(default)]
    pub namespace_resource_blacklist: Vec<GroupKind>,
}

/// One allowed destination; every field is a glob, empty meaning "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectDestination {
    /// API server URL glob.
    #[serde(default)]
    pub server: String,
    /// Cluster name glob.
    #[serde(default)]
    pub name: String,
    /// Namespace glob.
    #[serde(default)]
    pub namespace: String,
}

/// A group and kind, both globs (`*` for any); the core group is the empty string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupKind {
    /// API group glob.
    #[serde(default)]
    pub group: String,
    /// Kind glob.
    #[serde(default)]
    pub kind: String,
}

impl AppProjectSpec {
    /// The implicit `default` project: everything allowed.
    pub fn allow_all() -> Self {
        let any = GroupKind {
            group: "*".into(),
            kind: "*".into(),
        };
        Self {
            source_repos: vec!["*".into()],
            destinations: vec![ProjectDestination {
                server: "*".into(),
                name: "*".into(),
                namespace: "*".into(),
            }],
            cluster_resource_whitelist: vec![any],
            ..Self::default()
        }
    }
}

/// Why a project refuses an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// The source repository matches no `sourceRepos` glob.
    SourceRepo(String),
    /// The destination matches no `destinations` entry.
    Destination {
        /// Server.
        server: String,
        /// Cluster name.
        name: String,
        /// Namespace.
        namespace: String,
    },
    /// A cluster-scoped object the project does not allow.
    ClusterResource {
        /// Group.
        group: String,
        /// Kind.
        kind: String,
        /// Object name.
        name: String,
    },
    /// A namespaced object of a blacklisted kind.
    NamespacedResource {
        /// Group.
        group: String,
        /// Kind.
        kind: String,
        /// Object name.
        name: String,
    },
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SourceRepo(repo) => {
                write!(f, "application repo {repo} is not permitted in project")
            }
            Self::Destination {
                server,
                name,
                namespace,
            } => write!(
                f,
                "application destination {{server: {server:?}, name: {name:?}, namespace: {namespace:?}}} is not permitted in project"
            ),
            Self::ClusterResource { group, kind, name } => write!(
                f,
                "cluster-scoped resource {}/{kind} {name} is not permitted in project",
                display_group(group)
            ),
            Self::NamespacedResource { group, kind, name } => write!(
                f,
                "namespaced resource {}/{kind} {name} is not permitted in project",
                display_group(group)
            ),
        }
    }
}

fn display_group(group: &str) -> &str {
    if group.is_empty() { "core" } else { group }
}

/// What `project` forbids of `app` and its rendered objects. `rendered` are the objects with
/// their namespace resolved: one without a namespace is cluster-scoped.
pub fn check(project: &AppProjectSpec, app: &Application, rendered: &[Manifest]) -> Vec<Violation> {
    let mut violations = Vec::new();
    if let Some(source) = app.source() {
        let repo = source.repo_url.trim_end_matches('/');
        let allowed = project
            .source_repos
            .iter()
            .any(|glob| glob_match(glob.trim_end_matches('/'), repo));
        if !allowed {
            violations.push(Violation::SourceRepo(source.repo_url.clone()));
        }
    }
    let destination = &app.spec.destination;
    let allowed = project.destinations.iter().any(|allowed| {
        field_match(&allowed.server, &destination.server)
            && field_match(&allowed.name, &destination.name)
            && field_match(&allowed.namespace, &destination.namespace)
    });
    if !allowed {
        violations.push(Violation::Destination {
            server: destination.server.clone(),
            name: destination.name.clone(),
            namespace: destination.namespace.clone(),
        });
    }
    for manifest in rendered {
        let group = manifest.gvk().group;
        let kind = manifest.kind().to_string();
        let name = manifest.name().to_string();
        let listed = |list: &[GroupKind]| {
            list.iter()
                .any(|entry| glob_match(&entry.group, &group) && glob_match(&entry.kind, &kind))
        };
        if manifest.namespace().is_none() {
            if !listed(&project.cluster_resource_whitelist)
                || listed(&project.cluster_resource_blacklist)
            {
                violations.push(Violation::ClusterResource { group, kind, name });
            }
        } else if listed(&project.namespace_resource_blacklist) {
            violations.push(Violation::NamespacedResource { group, kind, name });
        }
    }
    violations
}

/// A destination field: an empty pattern matches anything.
fn field_match(pattern: &str, value: &str) -> bool {
    pattern.is_empty() || glob_match(pattern, value)
}

/// Shell-style glob: `*` any run of characters, `?` one character, everything else literal.
pub fn glob_match(pattern: &str, value: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let value: Vec<char> = value.chars().collect();
    let (mut p, mut v) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == value[v]) {
            p += 1;
            v += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, v));
            p += 1;
        } else if let Some((star_p, star_v)) = star {
            p = star_p + 1;
            v = star_v + 1;
            star = Some((star_p, star_v + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

fn appproject_resource() -> ApiResource {
    ApiResource {
        group: "ferry.dev".into(),
        version: "v1alpha1".into(),
        api_version: "ferry.dev/v1alpha1".into(),
        kind: "AppProject".into(),
        plural: "appprojects".into(),
    }
}

/// The project of `app`, read from the app's namespace; `default` allows everything when it
/// does not exist. A missing other project is an error.
pub async fn project_for(kube: &kube::Client, app: &Application) -> Result<AppProjectSpec> {
    let namespace = app.metadata.namespace.clone().unwrap_or_default();
    let api: Api<DynamicObject> =
        Api::namespaced_with(kube.clone(), &namespace, &appproject_resource());
    let name = app.project();
    let object = api.get_opt(name).await.map_err(|source| Error::Kube {
        action: format!("reading AppProject {namespace}/{name}"),
        source,
    })?;
    match object {
        Some(object) => {
            let spec = object.data.get("spec").cloned().unwrap_or_default();
            serde_json::from_value(spec).map_err(|error| Error::Application {
                name: app.metadata.name.clone(),
                message: format!("AppProject {name}: {error}"),
            })
        }
        None if name == "default" => Ok(AppProjectSpec::allow_all()),
        None => Err(Error::InvalidSpec(format!(
            "AppProject {name} does not exist in namespace {namespace}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app(repo: &str, namespace: &str) -> Application {
        Application::from_value(
            json!({
                "apiVersion": "ferry.dev/v1alpha1",
                "kind": "Application",
                "metadata": {"name": "shop", "namespace": "default"},
                "spec": {
                    "project": "team",
                    "source": {"repoURL": repo, "path": "."},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace}
                }
            }),
            "test",
        )
        .unwrap()
        .0
    }

    fn manifest(object: serde_json::Value) -> Manifest {
        Manifest::new(object, ferry_types::Origin::default())
    }

    fn project() -> AppProjectSpec {
        serde_json::from_value(json!({
            "sourceRepos": ["https://github.com/acme/*"],
            "destinations": [{"server": "https://kubernetes.default.svc", "namespace": "team-*"}],
            "clusterResourceWhitelist": [{"group": "rbac.authorization.k8s.io", "kind": "*"}],
            "clusterResourceBlacklist": [{"group": "rbac.authorization.k8s.io", "kind": "ClusterRoleBinding"}],
            "namespaceResourceBlacklist": [{"group": "", "kind": "ResourceQuota"}]
        }))
        .unwrap()
    }

    #[test]
    fn globs_match_like_a_shell() {
        assert!(glob_match("*", ""));
        assert!(glob_match(
            "https://github.com/acme/*",
            "https://github.com/acme/shop.git"
        ));
        assert!(glob_match("team-?", "team-a"));
        assert!(!glob_match("team-?", "team-ab"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
    }

    #[test]
    fn the_default_project_allows_everything() {
        let app = app("file:///anything", "kube-system");
        let rendered = [manifest(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}),
        )];
        assert!(check(&AppProjectSpec::allow_all(), &app, &rendered).is_empty());
    }

    #[test]
    fn a_repo_outside_source_repos_and_a_wrong_namespace_are_violations() {
        let app = app("https://github.com/other/shop.git", "default");
        let violations = check(&project(), &app, &[]);
        assert_eq!(
            violations,
            [
                Violation::SourceRepo("https://github.com/other/shop.git".into()),
                Violation::Destination {
                    server: "https://kubernetes.default.svc".into(),
                    name: String::new(),
                    namespace: "default".into()
                }
            ]
        );
        assert!(violations[0].to_string().contains("not permitted"));
    }

    #[test]
    fn cluster_scoped_kinds_need_the_whitelist_and_blacklists_win() {
        let app = app("https://github.com/acme/shop.git", "team-a");
        let rendered = [
            manifest(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "ok"}}),
            ),
            manifest(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "no"}}),
            ),
            manifest(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns"}})),
            manifest(
                json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "team-a"}}),
            ),
            manifest(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "team-a"}}),
            ),
        ];
        let names: Vec<String> = check(&project(), &app, &rendered)
            .iter()
            .map(|violation| match violation {
                Violation::ClusterResource { name, .. }
                | Violation::NamespacedResource { name, .. } => name.clone(),
                other => panic!("{other}"),
            })
            .collect();
        assert_eq!(names, ["no", "ns", "q"]);
    }
}
