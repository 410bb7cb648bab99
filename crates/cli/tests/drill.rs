//! `ferry drill` end to end: the real binary runs ADR-007's validation plan on a fresh data
//! directory and reports every check passed, as JSON on stdout and in `drill-report.json`.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn the_drill_passes_every_check_of_the_validation_plan_and_reports_its_figures() {
    if !tool_available("git") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("drill");
    let output = ferry(
        dir.path(),
        &[
            "drill",
            "--data",
            data.to_str().unwrap(),
            "--patience",
            "2m",
            "-o",
            "json",
        ],
    );
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap_or_else(|error| {
        panic!(
            "stdout is not one JSON document ({error}):\n{}\nstderr:\n{}",
            stdout(&output),
            stderr(&output)
        )
    });
    assert!(
        output.status.success(),
        "{report:#}\nstderr:\n{}",
        stderr(&output)
    );
    assert_eq!(report["app"], "reai-staging");
    assert_eq!(report["passed"], true);
    let checks = report["checks"].as_array().unwrap();
    let plan: Vec<u64> = checks
        .iter()
        .map(|check| check["plan"].as_u64().unwrap())
        .collect();
    assert_eq!(plan, [1, 2, 2, 2, 2, 4, 4], "{report:#}");
    for check in checks {
        assert_eq!(check["outcome"], "passed", "{check:#}");
        assert!(
            check["seconds"]
                .as_f64()
                .is_some_and(|seconds| seconds > 0.0)
        );
    }
    // Four deployments at least (two releases, the rollback, the resumption) and the one
    // failed release, all read back from the history ferry recorded.
    let figures = &report["figures"];
    assert!(figures["deployments"].as_u64().unwrap() >= 4, "{figures:#}");
    assert_eq!(figures["failures"], 1, "{figures:#}");
    assert!(figures["successRate"].as_f64().unwrap() < 1.0);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("drill-report.json")).unwrap())
            .unwrap();
    assert_eq!(written, report);
}
