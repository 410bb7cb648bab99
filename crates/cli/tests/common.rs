//! Helpers shared by the CLI tests: run the real binary, make real Git repositories.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs `ferry` with `args` in `dir`.
pub fn ferry(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .current_dir(dir)
        .env("FERRY_CACHE_DIR", dir.join(".ferry-cache"))
        .env_remove("FERRY_GIT_USERNAME")
        .env_remove("FERRY_GIT_PASSWORD")
        .output()
        .expect("ferry runs")
}

/// Stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Whether a tool is on the PATH. Under `CI=true` a missing tool fails the test.
pub fn tool_available(tool: &str) -> bool {
    let probe: &[&str] = if tool == "kubectl" {
        &["version", "--client"]
    } else {
        &["--version"]
    };
    ferry_testkit::available(tool, probe)
}

#[allow(unused_imports)]
pub use ferry_testkit::git;

/// Writes `files` (path, content) under `dir`, creating directories.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }
}

/// Parses a YAML stream into values.
pub fn parse_stream(text: &str) -> Vec<serde_json::Value> {
    ferry_yaml::parse_documents("stdout.yaml", text.as_bytes())
        .expect("valid YAML")
        .into_iter()
        .map(|document| document.value)
        .collect()
}
