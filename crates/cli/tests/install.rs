//! `ferry install`: its output parses and passes `ferry validate`.

mod common;

use common::{ferry, stderr, stdout};

#[test]
fn ferry_install_prints_a_valid_installation_with_two_controller_replicas() {
    let dir = tempfile::tempdir().unwrap();
    let output = ferry(dir.path(), &["install"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let documents = ferry_yaml::parse_documents("install.yaml", text.as_bytes()).unwrap();
    let kinds: Vec<String> = documents
        .iter()
        .map(|document| document.value["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment"
        ]
    );
    let deployment = &documents[6].value;
    assert_eq!(deployment["spec"]["replicas"], 2);
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        container["image"],
        format!("ghcr.io/ferry-dev/ferry:{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(container["args"][0], "controller");

    let file = dir.path().join("install.yaml");
    std::fs::write(&file, &text).unwrap();
    let validated = ferry(dir.path(), &["validate", file.to_str().unwrap()]);
    assert!(
        validated.status.success(),
        "{}{}",
        stdout(&validated),
        stderr(&validated)
    );
    assert!(
        stderr(&validated).contains("7 objects valid"),
        "{}",
        stderr(&validated)
    );
}
