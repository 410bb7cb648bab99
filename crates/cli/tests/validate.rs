//! `ferry validate` end to end: one line per problem, exit status 0 or 1.

mod common;

use common::*;

#[test]
fn valid_sources_pass_with_exit_status_zero() {
    let root = workspace();
    let output = ferry(
        &root,
        &[
            "validate",
            "examples/real-estate-ai-os/overlays/staging",
            "examples/real-estate-ai-os/base",
        ],
    );
    assert!(
        output.status.success(),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn each_problem_is_one_line_with_file_line_object_and_message() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "app/a.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Settings\n---\nkind: Secret\nmetadata:\n  name: token\n",
            ),
            (
                "app/b.yaml",
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  namespace: other\n",
            ),
            (
                "single.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: web.frontend\n",
            ),
        ],
    );
    let output = ferry(dir.path(), &["validate", "app", "single.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "app/a.yaml:1: ConfigMap/Settings: metadata.name \"Settings\" is not a valid DNS-1123 subdomain (lower case letters, digits, '-' and '.', at most 253 characters, each part starting and ending with a letter or digit)\n\
         app/a.yaml:6: Secret/token: apiVersion is missing\n\
         app/b.yaml:1: Namespace/shop: Namespace is cluster-scoped but sets metadata.namespace \"other\"\n\
         single.yaml:1: Service/web.frontend: metadata.name \"web.frontend\" is not a valid DNS-1123 label (lower case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)\n"
    );
    assert!(stderr(&output).contains("4 problem(s) found"));
}
