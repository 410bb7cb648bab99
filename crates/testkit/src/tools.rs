//! Whether a tool a test drives is on this machine.

use std::process::Command;

/// Whether `program` runs (`args` is a harmless invocation such as `--version`). Without it
/// a test may skip locally; under `CI=true` a missing tool fails the test instead.
pub fn available(program: &str, args: &[&str]) -> bool {
    let found = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{program} is not on the PATH (required under CI=true)"
        );
        eprintln!("{program} not found: skipping");
    }
    found
}
