//! Running `kubectl` offline as the oracle of the differential tests.
//!
//! kubectl is looked up as `$KUBECTL`, else `kubectl` on the PATH. Without it the tests are
//! skipped, except under `CI=true`, where they fail.

// Each test file uses a part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use ferry_types::Gvk;
use serde_json::Value;

/// `kubectl` run offline, against a kubeconfig whose server does not exist.
pub struct Kubectl {
    program: PathBuf,
    directory: tempfile::TempDir,
}

/// A kubeconfig pointing at a port nothing listens on: `--local` and `kustomize` must not need
/// a server.
const KUBECONFIG: &str = r#"{"apiVersion": "v1", "kind": "Config",
  "clusters": [{"name": "none", "cluster": {"server": "https://127.0.0.1:1"}}],
  "users": [{"name": "none", "user": {"token": "none"}}],
  "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none"}}],
  "current-context": "none"}"#;

impl Kubectl {
    /// kubectl, or `None` (the caller skips) when it is missing; under `CI=true` a missing
    /// kubectl panics.
    pub fn find_or_skip() -> Option<Kubectl> {
        let program =
            PathBuf::from(std::env::var_os("KUBECTL").unwrap_or_else(|| "kubectl".into()));
        let works = Command::new(&program)
            .args(["version", "--client"])
            .output()
            .is_ok_and(|output| output.status.success());
        if !works {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "kubectl is required under CI=true but was not found"
            );
            eprintln!("skipped: kubectl not found (set KUBECTL or put kubectl on the PATH)");
            return None;
        }
        let directory = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(directory.path().join("kubeconfig"), KUBECONFIG).expect("a kubeconfig");
        Some(Kubectl { program, directory })
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .env("KUBECONFIG", self.directory.path().join("kubeconfig"))
            .env("HOME", self.directory.path());
        command
    }

    /// `kubectl patch --local` of `base` with a patch of `patch_type` (`strategic`, `json`, `merge`).
    pub fn patch(
        &self,
        name: &str,
        base: &Value,
        patch_type: &str,
        patch: &Value,
    ) -> Result<Value, String> {
        let file = self.directory.path().join(format!("{name}.json"));
        std::fs::write(&file, base.to_string()).expect("the base written");
        let output = self
            .command()
            .args([
                "patch",
                "--local",
                "-o",
                "json",
                "--type",
                patch_type,
                "-p",
                &patch.to_string(),
                "-f",
            ])
            .arg(&file)
            .output()
            .map_err(|error| error.to_string())?;
        result_of(output)
    }

    /// `kubectl kustomize` of a kustomization with `base` as its resource and `patch` in
    /// `patches`, as JSON.
    pub fn kustomize(&self, name: &str, base: &Value, patch: &Value) -> Result<Value, String> {
        let directory = self.directory.path().join(name);
        std::fs::create_dir_all(&directory).expect("a kustomization directory");
        std::fs::write(directory.join("base.json"), base.to_string()).expect("the base written");
        std::fs::write(directory.join("patch.json"), patch.to_string()).expect("the patch written");
        let kustomization = "resources: [base.json]\npatches:\n- path: patch.json\n";
        std::fs::write(directory.join("kustomization.yaml"), kustomization)
            .expect("the kustomization written");
        let output = self
            .command()
            .arg("kustomize")
            .arg(&directory)
            .output()
            .map_err(|error| error.to_string())?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
        }
        self.yaml_to_json(&output.stdout)
    }

    /// One YAML document as JSON, read by kubectl itself (an empty local merge patch).
    fn yaml_to_json(&self, yaml: &[u8]) -> Result<Value, String> {
        let mut child = self
            .command()
            .args([
                "patch", "--local", "-o", "json", "--type", "merge", "-p", "{}", "-f", "-",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| error.to_string())?;
        child
            .stdin
            .take()
            .expect("a piped stdin")
            .write_all(yaml)
            .map_err(|error| error.to_string())?;
        result_of(
            child
                .wait_with_output()
                .map_err(|error| error.to_string())?,
        )
    }
}

fn result_of(output: std::process::Output) -> Result<Value, String> {
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    serde_json::from_slice(&output.stdout).map_err(|error| error.to_string())
}

/// The group, version and kind of an object.
pub fn gvk_of(object: &Value) -> Gvk {
    Gvk::from_api_version(
        object["apiVersion"].as_str().unwrap_or(""),
        object["kind"].as_str().unwrap_or(""),
    )
}

/// A result for a mismatch report.
pub fn describe(result: &Result<Value, String>) -> String {
    match result {
        Ok(value) => value.to_string(),
        Err(error) => format!("error: {error}"),
    }
}
