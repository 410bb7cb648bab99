//! `ferry render` end to end: the real binary on directories, kustomizations and real Git
//! repositories; kubectl kustomize as the oracle.

mod common;

use common::*;
use std::process::Command;

const CONFIG_MAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: \"0644\"\n  level: info\n";

#[test]
fn the_readme_example_renders_exactly_what_kubectl_kustomize_renders() {
    if !tool_available("kubectl") {
        return;
    }
    let root = workspace();
    for overlay in [
        "examples/real-estate-ai-os/overlays/staging",
        "examples/real-estate-ai-os/overlays/production",
    ] {
        let output = ferry(&root, &["render", overlay]);
        assert!(output.status.success(), "{}", stderr(&output));
        let oracle = Command::new("kubectl")
            .args(["kustomize", overlay])
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(oracle.status.success());
        assert_eq!(
            parse_stream(&stdout(&output)),
            parse_stream(&String::from_utf8_lossy(&oracle.stdout)),
            "{overlay}"
        );
    }
}

#[test]
fn a_plain_directory_renders_as_a_yaml_stream_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("app/b.yaml", CONFIG_MAP),
            (
                "app/a.yaml",
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
            ),
            ("app/notes.txt", "ignored"),
        ],
    );
    let output = ferry(dir.path(), &["render", "app"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: \"0644\"\n  level: info\n"
    );
}

#[test]
fn json_output_is_a_list_of_the_objects() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("app/a.yaml", CONFIG_MAP),
            (
                "app/b.yaml",
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
            ),
        ],
    );
    let output = ferry(dir.path(), &["render", "app", "-o", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"][0]["data"]["mode"], "0644");
    assert_eq!(list["items"][1]["kind"], "Namespace");
}

#[test]
fn a_broken_file_prints_nothing_and_names_file_and_line_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("app/good.yaml", CONFIG_MAP),
            (
                "app/z-bad.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [\n",
            ),
        ],
    );
    let output = ferry(dir.path(), &["render", "app"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("app/z-bad.yaml:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_symlink_leaving_the_repository_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    write_files(outside.path(), &[("secret.yaml", CONFIG_MAP)]);
    write_files(dir.path(), &[("app/a.yaml", CONFIG_MAP)]);
    std::os::unix::fs::symlink(
        outside.path().join("secret.yaml"),
        dir.path().join("app/link.yaml"),
    )
    .unwrap();
    let output = ferry(dir.path(), &["render", "app"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("leaves the repository root"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

fn make_repository(dir: &std::path::Path) -> (String, String) {
    git(dir, &["init", "-q", "-b", "main"]);
    write_files(
        dir,
        &[
            (
                "deploy/base/kustomization.yaml",
                "resources:\n- settings.yaml\n",
            ),
            ("deploy/base/settings.yaml", CONFIG_MAP),
            (
                "deploy/prod/kustomization.yaml",
                "namespace: prod\nnamePrefix: prod-\nresources:\n- ../base\n",
            ),
        ],
    );
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "first"]);
    git(dir, &["tag", "v1"]);
    let first = git(dir, &["rev-parse", "HEAD"]);
    write_files(
        dir,
        &[(
            "deploy/prod/kustomization.yaml",
            "namespace: prod\nnamePrefix: prod2-\nresources:\n- ../base\n",
        )],
    );
    git(dir, &["commit", "-q", "-am", "second"]);
    let second = git(dir, &["rev-parse", "HEAD"]);
    (first, second)
}

#[test]
fn render_from_git_reads_the_asked_revision_without_a_worktree() {
    if !tool_available("git") {
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let (first, _) = make_repository(repo.path());
    let url = format!("file://{}", repo.path().display());
    let work = tempfile::tempdir().unwrap();
    let names = |revision: &str| {
        let output = ferry(
            work.path(),
            &[
                "render",
                "--repo",
                &url,
                "--revision",
                revision,
                "--path",
                "deploy/prod",
            ],
        );
        assert!(output.status.success(), "{revision}: {}", stderr(&output));
        parse_stream(&stdout(&output))
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("main"), ["prod2-settings"]);
    assert_eq!(names("HEAD"), ["prod2-settings"]);
    assert_eq!(names("v1"), ["prod-settings"]);
    assert_eq!(names(&first), ["prod-settings"]);
    assert_eq!(names(&first[..8]), ["prod-settings"]);
    let missing = ferry(
        work.path(),
        &[
            "render",
            "--repo",
            &url,
            "--revision",
            "no-such-branch",
            "--path",
            "deploy/prod",
        ],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("no-such-branch"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn an_argo_cd_application_renders_its_source_with_its_kustomize_overrides() {
    if !tool_available("git") {
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    make_repository(repo.path());
    let work = tempfile::tempdir().unwrap();
    let application = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: file://{}\n    targetRevision: v1\n    path: deploy/prod\n    kustomize:\n      nameSuffix: -x\n      commonLabels:\n        team: shop\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: prod\n  futureField: 1\n",
        repo.path().display()
    );
    write_files(work.path(), &[("app.yaml", &application)]);
    let output = ferry(work.path(), &["render", "--app", "app.yaml"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let objects = parse_stream(&stdout(&output));
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0]["metadata"]["name"], "prod-settings-x");
    assert_eq!(objects[0]["metadata"]["labels"]["team"], "shop");
    assert!(
        stderr(&output).contains("unknown field spec.futureField ignored"),
        "{}",
        stderr(&output)
    );
}
