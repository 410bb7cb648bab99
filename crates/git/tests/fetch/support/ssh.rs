//! A fake `ssh` program that runs the remote command locally.

use std::path::PathBuf;

use tempfile::TempDir;

/// A fake `ssh` that records its arguments next to itself and runs the remote command locally.
pub struct FakeSsh {
    pub dir: TempDir,
}

impl FakeSsh {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let script = r#"#!/bin/sh
echo "$@" > "$(dirname "$0")/ssh-args"
while [ $# -gt 0 ]; do
  case "$1" in
    -o|-i|-p) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
shift
exec sh -c "$*"
"#;
        let program = dir.path().join("ssh");
        std::fs::write(&program, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir }
    }

    pub fn program(&self) -> PathBuf {
        self.dir.path().join("ssh")
    }

    pub fn recorded_args(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("ssh-args")).unwrap_or_default()
    }
}
