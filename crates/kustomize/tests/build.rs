//! Whole builds over in-memory trees: limits, safety checks, origins and Argo CD overrides.

use ferry_kustomize::{BuildOptions, Error, build, find_kustomization};
use ferry_types::{KustomizeSource, MemoryTree, RepoPath};
use serde_json::{Value, json};

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.0
        envFrom:
        - configMapRef: {name: settings}
";

fn tree(files: &[(&str, &str)]) -> MemoryTree {
    let mut tree = MemoryTree::new("test");
    for (path, content) in files {
        tree.insert_file(path, *content);
    }
    tree
}

fn path(text: &str) -> RepoPath {
    RepoPath::new(text).unwrap()
}

fn objects(tree: &MemoryTree, dir: &str, options: &BuildOptions) -> Vec<Value> {
    build(tree, &path(dir), options)
        .unwrap()
        .into_iter()
        .map(|manifest| manifest.object)
        .collect()
}

fn error(tree: &MemoryTree, dir: &str, options: &BuildOptions) -> String {
    build(tree, &path(dir), options).unwrap_err().to_string()
}

#[test]
fn argo_cd_detection_prefers_kustomization_yaml() {
    let tree = tree(&[
        ("app/Kustomization", "resources: []"),
        ("app/kustomization.yaml", "resources: []"),
    ]);
    assert_eq!(
        find_kustomization(&tree, &path("app")).unwrap(),
        Some(path("app/kustomization.yaml"))
    );
    assert_eq!(find_kustomization(&tree, &path("other")).unwrap(), None);
}

#[test]
fn objects_keep_the_file_and_line_they_were_declared_at() {
    let tree = tree(&[
        (
            "app/kustomization.yaml",
            "resources: [all.yaml]\nconfigMapGenerator:\n- name: settings\n  literals: [a=1]\n",
        ),
        ("app/all.yaml", &format!("# leading comment\n{DEPLOYMENT}")),
    ]);
    let manifests = build(&tree, &path("app"), &BuildOptions::default()).unwrap();
    let origins: Vec<String> = manifests
        .iter()
        .map(|manifest| manifest.origin.to_string())
        .collect();
    assert_eq!(origins, ["app/kustomization.yaml:1", "app/all.yaml:2"]);
    assert_eq!(
        manifests[1].object["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["configMapRef"]
            ["name"],
        "settings-h29d89cmmt"
    );
}

#[test]
fn argo_cd_overrides_edit_the_root_kustomization() {
    let tree = tree(&[
        (
            "app/kustomization.yaml",
            "resources: [deployment.yaml, settings.yaml]\ncommonLabels: {app: web}\n",
        ),
        ("app/deployment.yaml", DEPLOYMENT),
        (
            "app/settings.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n",
        ),
    ]);
    let overrides: KustomizeSource = serde_json::from_value(json!({
        "namePrefix": "argo-", "namespace": "prod", "images": ["nginx:2.0"],
        "commonAnnotations": {"owner": "team"}, "replicas": [{"name": "web", "count": 4}],
        "patches": [{"target": {"kind": "Deployment"}, "patch": "- op: add\n  path: /spec/paused\n  value: true"}]
    }))
    .unwrap();
    let options = BuildOptions {
        overrides: Some(overrides),
        ..BuildOptions::default()
    };
    let built = objects(&tree, "app", &options);
    let deployment = &built[1];
    assert_eq!(deployment["metadata"]["name"], "argo-web");
    assert_eq!(deployment["metadata"]["namespace"], "prod");
    assert_eq!(deployment["metadata"]["annotations"]["owner"], "team");
    assert_eq!(deployment["spec"]["replicas"], 4);
    assert_eq!(deployment["spec"]["paused"], true);
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "nginx:2.0");
    assert_eq!(
        container["envFrom"][0]["configMapRef"]["name"],
        "argo-settings"
    );
}

#[test]
fn an_override_label_that_exists_needs_force() {
    let tree = tree(&[(
        "app/kustomization.yaml",
        "resources: []\ncommonLabels: {app: web}\n",
    )]);
    let overrides = KustomizeSource {
        common_labels: [("app".into(), "other".into())].into(),
        ..Default::default()
    };
    let options = BuildOptions {
        overrides: Some(overrides),
        ..BuildOptions::default()
    };
    assert_eq!(
        error(&tree, "app", &options),
        "app/kustomization.yaml: kustomize override commonLabels: label app already in kustomization file"
    );
}

#[test]
fn kustomizations_that_include_each_other_are_a_cycle() {
    let tree = tree(&[
        ("a/kustomization.yaml", "resources: [../b]"),
        ("b/kustomization.yaml", "resources: [../a]"),
    ]);
    assert_eq!(
        error(&tree, "a", &BuildOptions::default()),
        "cycle in kustomizations: a -> b -> a"
    );
}

#[test]
fn a_base_may_not_contain_the_kustomization_that_uses_it() {
    let tree = tree(&[
        ("x/kustomization.yaml", "namePrefix: p-"),
        ("x/y/kustomization.yaml", "resources: [..]"),
    ]);
    assert_eq!(
        error(&tree, "x/y", &BuildOptions::default()),
        "cycle in kustomizations: x/y -> x (x contains x/y)"
    );
}

#[test]
fn files_over_the_size_limit_are_refused() {
    let tree = tree(&[
        ("kustomization.yaml", "resources: [deployment.yaml]"),
        ("deployment.yaml", DEPLOYMENT),
    ]);
    let options = BuildOptions {
        max_file_size: 100,
        ..BuildOptions::default()
    };
    let message = error(&tree, "", &options);
    assert!(message.starts_with("deployment.yaml: file is"), "{message}");
}

#[test]
fn builds_over_the_object_limit_are_refused() {
    let config_maps: String = (0..5)
        .map(|index| {
            format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{index}}}\n")
        })
        .collect();
    let tree = tree(&[
        ("kustomization.yaml", "resources: [many.yaml]"),
        ("many.yaml", &config_maps),
    ]);
    let options = BuildOptions {
        max_objects: 4,
        ..BuildOptions::default()
    };
    assert_eq!(error(&tree, "", &options), ".: more than 4 objects");
}

#[test]
fn symlinks_out_of_the_tree_are_refused_and_named() {
    let mut tree = tree(&[("app/kustomization.yaml", "resources: [link.yaml]")]);
    tree.insert_symlink("app/link.yaml", "../../etc/passwd");
    let message = error(&tree, "app", &BuildOptions::default());
    assert!(
        message.contains("\"link.yaml\"") && message.contains("leaves the repository root"),
        "{message}"
    );
}

#[test]
fn the_same_object_under_two_versions_is_a_duplicate_for_ferry() {
    let tree = tree(&[
        ("kustomization.yaml", "resources: [a.yaml, b.yaml]"),
        (
            "a.yaml",
            "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n",
        ),
        (
            "b.yaml",
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n",
        ),
    ]);
    let message = error(&tree, "", &BuildOptions::default());
    assert!(
        message.contains("a.yaml:1") && message.contains("b.yaml:1"),
        "{message}"
    );
}

#[test]
fn remote_components_are_refused_by_name() {
    let tree = tree(&[(
        "kustomization.yaml",
        "components: [https://example.com/c.git]",
    )]);
    let error = build(&tree, &path(""), &BuildOptions::default()).unwrap_err();
    assert!(
        matches!(error, Error::Remote { ref field, .. } if field == "components"),
        "{error}"
    );
}

#[test]
fn objects_marked_local_config_are_left_out() {
    let tree = tree(&[
        ("kustomization.yaml", "resources: [a.yaml]"),
        (
            "a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n  annotations: {config.kubernetes.io/local-config: \"true\"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept, annotations: {}}\n",
        ),
    ]);
    assert_eq!(
        objects(&tree, "", &BuildOptions::default()),
        [json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept"}})]
    );
}
