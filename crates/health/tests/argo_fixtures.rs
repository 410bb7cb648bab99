//! Argo CD's built-in health fixtures (`shared/health-fixtures/builtin`): ferry must give
//! every object the status, and where recorded the message, that Argo CD's tests assert.

use std::path::{Path, PathBuf};

use ferry_health::{HealthStatusCode, assess};
use serde_json::Value;

/// The fixtures folder: `shared/` sits beside the repository, locally and in CI.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/health-fixtures/builtin")
}

/// Reads a fixture with ferry's YAML reader. One fixture (`statefulset-ondelete.yaml`) repeats
/// a key with the same value; ferry-yaml rejects duplicate keys as kubectl does, while the
/// reader in Argo CD's test keeps the last value, so such a file is read again that way.
fn load(file: &str, bytes: &[u8]) -> Value {
    let documents = match ferry_yaml::parse_documents(file, bytes) {
        Ok(documents) => documents,
        Err(error) if error.to_string().contains("duplicate mapping key") => {
            let text = std::str::from_utf8(bytes).expect("fixtures are UTF-8");
            let options = serde_saphyr::options! {
                duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
                legacy_octal_numbers: true,
            };
            return serde_saphyr::from_str_with_options(text, options)
                .unwrap_or_else(|error| panic!("cannot parse fixture {file}: {error}"));
        }
        Err(error) => panic!("cannot parse fixture {file}: {error}"),
    };
    assert_eq!(documents.len(), 1, "{file} should hold one object");
    documents.into_iter().next().expect("one document").value
}

fn status_name(status: HealthStatusCode) -> String {
    format!("{status:?}")
}

#[test]
fn every_argo_fixture_gets_the_health_argo_cd_asserts() {
    let folder = fixtures();
    let index = std::fs::read(folder.join("index.json"))
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", folder.display()));
    let entries: Vec<Value> = serde_json::from_slice(&index).expect("index.json is JSON");
    assert!(!entries.is_empty(), "index.json lists no fixtures");

    let mut mismatches = Vec::new();
    for entry in &entries {
        let file = entry["file"].as_str().expect("every entry names a file");
        let bytes = std::fs::read(folder.join(file))
            .unwrap_or_else(|error| panic!("cannot read fixture {file}: {error}"));
        let object = load(file, &bytes);
        let health = assess(&object);
        let expected_status = entry["expectedStatus"].as_str();
        let actual_status = health.as_ref().map(|health| status_name(health.status));
        if expected_status != actual_status.as_deref() {
            mismatches.push(format!(
                "{file}: expected {expected_status:?}, got {actual_status:?} ({:?})",
                health.as_ref().map(|health| &health.message)
            ));
            continue;
        }
        if let (Some(expected), Some(health)) = (entry["expectedMessage"].as_str(), &health)
            && health.message != expected
        {
            mismatches.push(format!(
                "{file}: expected message {expected:?}, got {:?}",
                health.message
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} fixtures disagree with Argo CD:\n{}",
        mismatches.len(),
        entries.len(),
        mismatches.join("\n")
    );
}
