//! What a drill found, as data, and its table: pure functions, no clock and no IO.

use serde::Serialize;
use serde_json::{Value, json};

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Outcome {
    /// It did what the plan says.
    Passed,
    /// It did not; the detail says what was seen.
    Failed,
    /// An earlier check failed, so this one was not tried.
    NotRun,
}

impl Outcome {
    fn text(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "FAILED",
            Outcome::NotRun => "not run",
        }
    }
}

/// One check of the drill.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Check {
    /// What is checked, as a sentence.
    pub name: &'static str,
    /// The item of ADR-007's validation plan it answers (1 staging, 2 failure and recovery,
    /// 3 deployment time, 4 rollback).
    pub plan: u8,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it took, in seconds (the figure the plan asks for), when it passed.
    pub seconds: Option<f64>,
    /// What was done and seen.
    pub detail: String,
}

/// Whether every check passed.
pub(crate) fn all_passed(checks: &[Check]) -> bool {
    checks.iter().all(|check| check.outcome == Outcome::Passed)
}

/// The checks as a table, then the deployment figures of the app over the drill.
pub(crate) fn table(app: &str, checks: &[Check], figures: &[(String, String)]) -> String {
    let header = ["#", "CHECK", "RESULT", "TIME", "DETAIL"].map(String::from);
    let rows: Vec<Vec<String>> = std::iter::once(header.to_vec())
        .chain(checks.iter().enumerate().map(|(index, check)| {
            vec![
                (index + 1).to_string(),
                check.name.to_string(),
                check.outcome.text().to_string(),
                check
                    .seconds
                    .map(|seconds| format!("{seconds:.1} s"))
                    .unwrap_or_else(|| "-".into()),
                check.detail.clone(),
            ]
        }))
        .collect();
    let mut out = format!("ferry drill: ADR-007's validation plan on {app}\n\n");
    out.push_str(&ferry_telemetry::columns(&rows));
    if !figures.is_empty() {
        out.push_str(&format!("\n{app} over the drill (from its history):\n"));
        let width = figures
            .iter()
            .map(|(name, _)| name.chars().count())
            .max()
            .unwrap_or(0);
        for (name, value) in figures {
            out.push_str(&format!("  {name:<width$}  {value}\n"));
        }
    }
    let passed = checks
        .iter()
        .filter(|check| check.outcome == Outcome::Passed)
        .count();
    out.push_str(&format!("\n{passed} of {} checks passed\n", checks.len()));
    out
}

/// The drill as JSON: the app, the checks and the figures.
pub(crate) fn to_json(app: &str, checks: &[Check], figures: &Value) -> Value {
    json!({
        "app": app,
        "passed": all_passed(checks),
        "checks": checks,
        "figures": figures,
    })
}

/// Replaces the `newTag` of `image` in a kustomization's `images` list; `None` when the
/// kustomization has no such entry with a `newTag` on the next line.
pub(crate) fn with_image_tag(kustomization: &str, image: &str, tag: &str) -> Option<String> {
    let lines: Vec<&str> = kustomization.lines().collect();
    let at = lines
        .iter()
        .position(|line| line.trim() == format!("- name: {image}"))?;
    let next = lines.get(at + 1)?;
    let indent = &next[..next.len() - next.trim_start().len()];
    next.trim_start().strip_prefix("newTag:")?;
    let mut out: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    out[at + 1] = format!("{indent}newTag: {tag}");
    Some(out.join("\n") + "\n")
}

/// The `newTag` of `image` in a kustomization's `images` list.
pub(crate) fn image_tag(kustomization: &str, image: &str) -> Option<String> {
    let lines: Vec<&str> = kustomization.lines().collect();
    let at = lines
        .iter()
        .position(|line| line.trim() == format!("- name: {image}"))?;
    let tag = lines.get(at + 1)?.trim().strip_prefix("newTag:")?;
    Some(tag.trim().to_string())
}

/// A Job manifest whose pod template carries a fault annotation: the migration it runs
/// fails. `None` when the manifest has no `template:` followed by `spec:` to put it between.
pub(crate) fn with_pod_fault(job: &str, fault: &str) -> Option<String> {
    let marker = "  template:\n    spec:\n";
    job.contains(marker).then(|| {
        job.replacen(
            marker,
            &format!(
                "  template:\n    metadata:\n      annotations:\n        cluster.ferry.dev/fault: {fault}\n    spec:\n"
            ),
            1,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUSTOMIZATION: &str = "images:\n  - name: registry.example.com/reai/listings-api\n    newTag: 1.5.0-rc.1\n  - name: registry.example.com/reai/web\n    newTag: 3.0.2\n";

    #[test]
    fn an_image_tag_is_read_and_replaced_in_place() {
        let image = "registry.example.com/reai/listings-api";
        assert_eq!(
            image_tag(KUSTOMIZATION, image).as_deref(),
            Some("1.5.0-rc.1")
        );
        let changed = with_image_tag(KUSTOMIZATION, image, "drill-7").unwrap();
        assert_eq!(image_tag(&changed, image).as_deref(), Some("drill-7"));
        assert_eq!(
            image_tag(&changed, "registry.example.com/reai/web").as_deref(),
            Some("3.0.2")
        );
        assert_eq!(with_image_tag(KUSTOMIZATION, "other", "x"), None);
    }

    #[test]
    fn a_fault_goes_on_the_jobs_pod_template() {
        let job = "kind: Job\nspec:\n  backoffLimit: 1\n  template:\n    spec:\n      restartPolicy: Never\n";
        let faulty = with_pod_fault(job, "fail-after=1s").unwrap();
        assert!(faulty.contains(
            "  template:\n    metadata:\n      annotations:\n        cluster.ferry.dev/fault: fail-after=1s\n    spec:\n      restartPolicy: Never\n"
        ));
        assert_eq!(with_pod_fault("kind: Job\n", "oom"), None);
    }

    #[test]
    fn the_table_numbers_checks_and_counts_the_passed_ones() {
        let checks = [
            Check {
                name: "a release reaches staging",
                plan: 1,
                outcome: Outcome::Passed,
                seconds: Some(2.04),
                detail: "deployed".into(),
            },
            Check {
                name: "drift is reverted",
                plan: 2,
                outcome: Outcome::Failed,
                seconds: None,
                detail: "still 4 replicas".into(),
            },
        ];
        let figures = [("deployments".to_string(), "1".to_string())];
        assert_eq!(
            table("reai-staging", &checks, &figures),
            "ferry drill: ADR-007's validation plan on reai-staging\n\n\
             #  CHECK                      RESULT  TIME   DETAIL\n\
             1  a release reaches staging  passed  2.0 s  deployed\n\
             2  drift is reverted          FAILED  -      still 4 replicas\n\
             \nreai-staging over the drill (from its history):\n  deployments  1\n\
             \n1 of 2 checks passed\n"
        );
        assert!(!all_passed(&checks));
        assert_eq!(
            to_json("reai-staging", &checks, &json!({}))["checks"][1]["outcome"],
            "failed"
        );
    }
}
