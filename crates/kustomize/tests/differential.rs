//! Differential test against the real thing: every case of `testdata/kustomize` must render
//! with ferry exactly as `kubectl kustomize` renders it (same objects, same order), and every
//! case of `testdata/kustomize-errors` must be refused with a message naming the fault.
//!
//! All cases run before anything is asserted, so one run shows the whole picture.

mod support;

use std::panic::{self, AssertUnwindSafe};

use ferry_kustomize::{BuildOptions, build};
use ferry_types::RepoPath;
use serde_json::Value;

use support::{
    Case, cases, compare, error_chain, kubectl_available, kubectl_kustomize, load_tree, testdata,
};

/// The corpus must keep at least this many cases.
const MINIMUM_CASES: usize = 45;

#[test]
fn every_corpus_case_renders_exactly_as_kubectl_kustomize() {
    if !kubectl_available() {
        let notice = "kubectl is not on PATH: the differential test needs `kubectl kustomize`";
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{notice} (CI=true: failing)"
        );
        eprintln!("skipped: {notice}");
        return;
    }
    let cases = cases(&testdata("kustomize")).expect("reading testdata/kustomize");
    let mut failures = Vec::new();
    for case in &cases {
        match render_both(case) {
            Ok(()) => eprintln!("ok    {}", case.name),
            Err(failure) => {
                eprintln!(
                    "FAIL  {}: {}\n{}",
                    case.name, failure.summary, failure.detail
                );
                failures.push(format!("{}: {}", case.name, failure.summary));
            }
        }
    }
    let passed = cases.len() - failures.len();
    assert!(
        failures.is_empty(),
        "{passed} of {} cases render as kubectl does, {} do not:\n  {}",
        cases.len(),
        failures.len(),
        failures.join("\n  ")
    );
    eprintln!("all {passed} cases render as kubectl does");
}

#[test]
fn every_error_case_is_refused_with_a_message_naming_the_fault() {
    let cases = cases(&testdata("kustomize-errors")).expect("reading testdata/kustomize-errors");
    let mut failures = Vec::new();
    for case in &cases {
        let expected = std::fs::read_to_string(case.root.join("EXPECT"))
            .expect("every error case has an EXPECT file");
        let wanted: Vec<&str> = expected
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        let verdict = match render_with_ferry(case) {
            Outcome::Built(objects) => Err(format!(
                "built {} objects instead of failing",
                objects.len()
            )),
            Outcome::Panicked(message) => Err(format!("panicked instead of failing: {message}")),
            Outcome::Broken(message) => Err(format!("the case is broken: {message}")),
            Outcome::Refused(message) => match wanted
                .iter()
                .find(|needle| !message.contains(**needle))
            {
                Some(needle) => Err(format!("the error does not mention {needle:?}: {message}")),
                None => Ok(message),
            },
        };
        match verdict {
            Ok(message) => eprintln!("ok    {}: {message}", case.name),
            Err(failure) => {
                eprintln!("FAIL  {}: {failure}", case.name);
                failures.push(format!("{}: {failure}", case.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} error cases are refused as expected, {} are not:\n  {}",
        cases.len() - failures.len(),
        cases.len(),
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn the_corpus_holds_enough_cases_and_each_names_a_kustomization() {
    let corpus = cases(&testdata("kustomize")).expect("reading testdata/kustomize");
    assert!(
        corpus.len() >= MINIMUM_CASES,
        "the corpus holds {} cases, fewer than {MINIMUM_CASES}",
        corpus.len()
    );
    let errors = cases(&testdata("kustomize-errors")).expect("reading testdata/kustomize-errors");
    let without_kustomization: Vec<String> = corpus
        .iter()
        .chain(&errors)
        .filter(|case| {
            let dir = case.target_dir();
            !["kustomization.yaml", "kustomization.yml", "Kustomization"]
                .iter()
                .any(|name| dir.join(name).is_file())
        })
        .map(|case| format!("{} ({})", case.name, case.target_dir().display()))
        .collect();
    assert!(
        without_kustomization.is_empty(),
        "cases whose build directory holds no kustomization: {without_kustomization:?}"
    );
}

/// Renders a case with kubectl and with ferry and compares the two.
fn render_both(case: &Case) -> Result<(), support::Difference> {
    let broken = |summary: String| support::Difference {
        summary,
        detail: String::new(),
    };
    let expected = kubectl_kustomize(&case.target_dir())
        .map_err(|error| broken(format!("the case is broken: {error}")))?;
    let actual = match render_with_ferry(case) {
        Outcome::Built(objects) => objects,
        Outcome::Refused(message) => return Err(broken(format!("ferry failed: {message}"))),
        Outcome::Panicked(message) => return Err(broken(format!("ferry panicked: {message}"))),
        Outcome::Broken(message) => return Err(broken(format!("the case is broken: {message}"))),
    };
    compare(&expected, &actual).map_or(Ok(()), Err)
}

/// What ferry made of a case.
enum Outcome {
    /// It built these objects.
    Built(Vec<Value>),
    /// It returned an error; the message with its sources.
    Refused(String),
    /// It panicked, with this message.
    Panicked(String),
    /// The case could not be handed to ferry: unreadable, or its `CASE` names a bad path.
    Broken(String),
}

/// Loads a case into a `MemoryTree` and builds its target with default options. A panic in
/// ferry is caught, so that the other cases still run.
fn render_with_ferry(case: &Case) -> Outcome {
    let tree = match load_tree(&case.root) {
        Ok(tree) => tree,
        Err(error) => return Outcome::Broken(format!("loading {}: {error}", case.root.display())),
    };
    let dir = match RepoPath::new(&case.target) {
        Ok(dir) => dir,
        Err(error) => return Outcome::Broken(format!("CASE names {:?}: {error}", case.target)),
    };
    match panic::catch_unwind(AssertUnwindSafe(|| {
        build(&tree, &dir, &BuildOptions::default())
    })) {
        Ok(Ok(manifests)) => Outcome::Built(
            manifests
                .into_iter()
                .map(|manifest| manifest.object)
                .collect(),
        ),
        Ok(Err(error)) => Outcome::Refused(error_chain(&error)),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            Outcome::Panicked(message.to_string())
        }
    }
}
