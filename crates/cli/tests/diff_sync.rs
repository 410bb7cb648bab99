//! `ferry diff` and `ferry sync` against the local cluster over HTTPS, with a real Git
//! repository: the binary is run as a user would run it.

mod common;

use std::process::Output;

use common::{git, stderr, stdout, write_files};
use ferry_cluster::{ClusterConfig, RunningCluster};
use tempfile::TempDir;

const SETTINGS: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  value: one\n";
const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: credentials\nstringData:\n  password: hunter2-in-git\n";

struct Setup {
    dir: TempDir,
    cluster: RunningCluster,
}

impl Setup {
    async fn start(files: &[(&str, &str)]) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let cluster = ferry_cluster::start(ClusterConfig {
            data_dir: dir.path().join("cluster"),
            listen: "127.0.0.1:0".parse().unwrap(),
            kubeconfig_path: None,
            insecure_http: false,
        })
        .await
        .unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        let setup = Setup { dir, cluster };
        setup.commit(files);
        std::fs::write(
            setup.dir.path().join("app.yaml"),
            format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\nspec:\n  source:\n    repoURL: file://{}\n    targetRevision: main\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: default\n",
                repo.display()
            ),
        )
        .unwrap();
        setup
    }

    fn commit(&self, files: &[(&str, &str)]) {
        let repo = self.dir.path().join("repo");
        write_files(&repo, files);
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "change"]);
    }

    /// Runs `ferry <args> -f app.yaml --kubeconfig <the cluster's>`, off the runtime's threads.
    fn ferry(&self, args: &[&str]) -> Output {
        let kubeconfig = self.cluster.kubeconfig.display().to_string();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["-f", "app.yaml", "--kubeconfig", &kubeconfig]);
        tokio::task::block_in_place(|| common::ferry(self.dir.path(), &all))
    }
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_then_sync_then_diff_again_reports_drift_then_none() {
    let setup = Setup::start(&[("settings.yaml", SETTINGS), ("secret.yaml", SECRET)]).await;

    let before = setup.ferry(&["diff"]);
    assert_eq!(code(&before), 1, "{}", stderr(&before));
    let text = stdout(&before);
    assert!(
        text.contains("+++ desired ConfigMap/default/settings\n"),
        "{text}"
    );
    assert!(text.contains("+  value: one\n"), "{text}");
    assert!(!text.contains('\x1b'), "no colour off a terminal: {text}");
    assert!(
        !text.contains("hunter2") && !text.contains("aHVudGVyMi"),
        "{text}"
    );
    assert_eq!(
        stderr(&before),
        "2 of 2 object(s) differ from the cluster\n"
    );

    let dry_run = setup.ferry(&["sync", "--dry-run"]);
    assert_eq!(code(&dry_run), 0, "{}", stderr(&dry_run));
    assert_eq!(
        stdout(&dry_run),
        "OBJECT                      ACTION   HEALTH  MESSAGE\n\
         Secret/default/credentials  created  -\n\
         ConfigMap/default/settings  created  -\n\
         Succeeded (dry run): dry run, nothing changed: would create 2 (app health Healthy)\n"
    );
    assert_eq!(code(&setup.ferry(&["diff"])), 1);

    let sync = setup.ferry(&["sync"]);
    assert_eq!(code(&sync), 0, "{}", stderr(&sync));
    assert_eq!(
        stdout(&sync),
        "OBJECT                      ACTION   HEALTH  MESSAGE\n\
         Secret/default/credentials  created  -\n\
         ConfigMap/default/settings  created  -\n\
         Succeeded: synced: 2 created (app health Healthy)\n"
    );
    assert_eq!(
        stderr(&sync),
        "validated by a server dry run: 2 accepted, 0 deferred, 0 rejected\n\
         Sync wave 0: 2 object(s)\n  \
         created    Secret/default/credentials\n  \
         created    ConfigMap/default/settings\n"
    );

    let after = setup.ferry(&["diff"]);
    assert_eq!(code(&after), 0, "{}", stderr(&after));
    assert_eq!(stdout(&after), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_as_json_reports_every_object_and_the_phase() {
    let setup = Setup::start(&[("settings.yaml", SETTINGS)]).await;
    setup.ferry(&["sync"]);
    let output = setup.ferry(&["sync", "-o", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let result: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        result,
        serde_json::json!({
            "phase": "Succeeded",
            "message": "synced: 1 unchanged",
            "dryRun": false,
            "attempts": 1,
            "health": "Healthy",
            "objects": [{
                "key": {"group": "", "kind": "ConfigMap", "namespace": "default", "name": "settings"},
                "phase": "Sync", "wave": 0, "action": "unchanged", "health": null, "message": ""
            }]
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_object_fails_the_sync_with_its_field_and_applies_nothing() {
    let invalid = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: web, image: nginx}]\n";
    let setup = Setup::start(&[("settings.yaml", SETTINGS), ("web.yaml", invalid)]).await;
    let output = setup.ferry(&["sync"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("skipped  -       not applied: another object was rejected"),
        "{text}"
    );
    assert!(text.contains("spec.replicas"), "{text}");
    assert_eq!(code(&setup.ferry(&["diff"])), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_application_file_is_an_error_with_exit_two() {
    let setup = Setup::start(&[("settings.yaml", SETTINGS)]).await;
    std::fs::remove_file(setup.dir.path().join("app.yaml")).unwrap();
    for command in ["diff", "sync"] {
        let output = setup.ferry(&[command]);
        assert_eq!(code(&output), 2, "{command}");
        assert!(
            stderr(&output).starts_with("error: app.yaml: cannot read"),
            "{}",
            stderr(&output)
        );
    }
}
