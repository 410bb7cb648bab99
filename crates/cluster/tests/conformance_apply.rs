//! Replays `apply/*` in the recorded order against one in-process cluster: each case is applied
//! by manager `ferry` (created), applied again (a no-op), applied modified (result or error),
//! applied by manager `other` without force (409 conflicts) and with force (ownership moves), and
//! for the custom resource with a status subresource, applied to `/status`. Objects are compared
//! as JSON values with their managedFields, after the README's normalisation.

mod common;

use common::{Answer, Cluster, Tally, fixture, fixtures, normalise};
use serde_json::{Value, json};

fn read(path: &str) -> String {
    std::fs::read_to_string(fixtures().join(path)).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn exists(path: &str) -> bool {
    fixtures().join(path).exists()
}

/// `kubectl apply --server-side` of a manifest file.
async fn apply(cluster: &Cluster, file: &str, manager: &str, force: bool) -> Answer {
    cluster.apply_fixture(file, manager, force).await
}

/// Allocated node ports vary (the README): any port the manifest does not give is a placeholder.
fn scrub_node_ports(object: &mut Value, manifest_text: &str) {
    if let Some(Value::Array(ports)) = object.pointer_mut("/spec/ports") {
        for port in ports {
            if let Some(node_port) = port.get("nodePort").and_then(Value::as_u64)
                && !manifest_text.contains(&format!("nodePort: {node_port}"))
            {
                port["nodePort"] = json!("<allocated>");
            }
        }
    }
}

/// What kube-controller-manager wrote during the recording (workload status, the deployment
/// revision annotation and its managedFields entry): this server runs no controllers, so it is
/// left out of both sides.
fn without_controller_state(object: &Value) -> Value {
    let mut object = object.clone();
    let kind = object["kind"].as_str().unwrap_or("").to_string();
    if matches!(
        kind.as_str(),
        "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "Job"
            | "CronJob"
            | "PodDisruptionBudget"
    ) && let Some(map) = object.as_object_mut()
    {
        map.remove("status");
    }
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        if let Some(Value::Array(entries)) = metadata.get_mut("managedFields") {
            entries.retain(|entry| entry["manager"] != "kube-controller-manager");
        }
        if let Some(Value::Object(annotations)) = metadata.get_mut("annotations") {
            annotations.remove("deployment.kubernetes.io/revision");
            if annotations.is_empty() {
                metadata.remove("annotations");
            }
        }
    }
    object
}

fn compare_object(
    tally: &mut Tally,
    case: &str,
    expected: &Value,
    answer: &Answer,
    manifest: &str,
) {
    let mut expected = normalise(&without_controller_state(expected));
    let mut actual = normalise(&without_controller_state(&answer.json()));
    scrub_node_ports(&mut expected, manifest);
    scrub_node_ports(&mut actual, manifest);
    tally.compare(case, &expected, &actual);
}

fn check_code(tally: &mut Tally, case: &str, answer: &Answer, code: u16) -> bool {
    if answer.code == code {
        return true;
    }
    tally.check(
        case,
        false,
        format!("code {} instead of {code}: {}", answer.code, answer.text),
    );
    false
}

fn ferry_time(object: &Value) -> Option<String> {
    object["metadata"]["managedFields"]
        .as_array()?
        .iter()
        .find(|entry| entry["manager"] == "ferry")
        .and_then(|entry| entry["time"].as_str().map(str::to_string))
}

async fn created(cluster: &Cluster, tally: &mut Tally, case: &str) -> Option<Value> {
    let input = format!("apply/{case}/input.yaml");
    let answer = apply(cluster, &input, "ferry", false).await;
    let label = format!("{case} created");
    if !check_code(tally, &label, &answer, 201) {
        return None;
    }
    compare_object(
        tally,
        &label,
        &fixture(&format!("apply/{case}/created.json")),
        &answer,
        &read(&input),
    );
    if exists(&format!("apply/{case}/established.json")) {
        let manifest = ferry_yaml::parse_single(&input, read(&input).as_bytes()).expect("manifest");
        let (_, object) = cluster.paths(&manifest);
        let established = cluster.get(&object).await;
        let current = established.json();
        compare_object(
            tally,
            &format!("{case} established"),
            &fixture(&format!("apply/{case}/established.json")),
            &established,
            "",
        );
        return Some(current);
    }
    Some(answer.json())
}

async fn noop(cluster: &Cluster, tally: &mut Tally, case: &str, before: &Value) {
    let recorded = fixture(&format!("apply/{case}/noop-reapply.json"));
    let answer = apply(cluster, &format!("apply/{case}/input.yaml"), "ferry", false).await;
    let label = format!("{case} no-op");
    if recorded["exitCode"] != 0 {
        let stderr = recorded["stderr"].as_str().unwrap_or("");
        let first = stderr
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("error: ");
        let ok = answer.code == 409 && answer.json()["message"] == first;
        tally.check(&label, ok, format!("{}: {}", answer.code, answer.text));
        return;
    }
    if !check_code(tally, &label, &answer, 200) {
        return;
    }
    let after = answer.json();
    let same_version =
        after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"];
    let same_time = ferry_time(&after) == ferry_time(before);
    let expected_same = recorded["resourceVersionChanged"] == false;
    tally.check(&label, same_time && (same_version || !expected_same), {
        let mut differences = Vec::new();
        common::differences_between(before, &after, "", &mut differences);
        format!(
            "resourceVersion {} -> {}, ferry time {:?} -> {:?}: {}",
            before["metadata"]["resourceVersion"],
            after["metadata"]["resourceVersion"],
            ferry_time(before),
            ferry_time(&after),
            differences.join("; ")
        )
    });
}

async fn modified(cluster: &Cluster, tally: &mut Tally, case: &str) {
    let input = format!("apply/{case}/reapply-modified/input.yaml");
    let answer = apply(cluster, &input, "ferry", false).await;
    let label = format!("{case} modified");
    if exists(&format!("apply/{case}/reapply-modified/error.json")) {
        let recorded = fixture(&format!("apply/{case}/reapply-modified/error.json"));
        let code = recorded["response"]["code"].as_u64().unwrap_or(0) as u16;
        if check_code(tally, &label, &answer, code) {
            tally.compare(
                &label,
                &normalise(&recorded["response"]["body"]),
                &normalise(&answer.json()),
            );
        }
        return;
    }
    if check_code(tally, &label, &answer, 200) {
        let expected = fixture(&format!("apply/{case}/reapply-modified/result.json"));
        compare_object(tally, &label, &expected, &answer, &read(&input));
    }
}

async fn conflict(cluster: &Cluster, tally: &mut Tally, case: &str) {
    let exchange = fixture(&format!("apply/{case}/conflict/exchange.json"));
    let answer = cluster.replay(&exchange).await;
    let label = format!("{case} conflict");
    let code = exchange["response"]["code"].as_u64().unwrap_or(0) as u16;
    if check_code(tally, &label, &answer, code) {
        tally.compare(
            &label,
            &normalise(&exchange["response"]["body"]),
            &normalise(&answer.json()),
        );
    }
    let input = format!("apply/{case}/conflict/input.yaml");
    let forced = apply(cluster, &input, "other", true).await;
    let label = format!("{case} forced");
    if exists(&format!("apply/{case}/conflict/forced-result.json")) {
        if check_code(tally, &label, &forced, 200) {
            let expected = fixture(&format!("apply/{case}/conflict/forced-result.json"));
            compare_object(tally, &label, &expected, &forced, &read(&input));
        }
        return;
    }
    let recorded = fixture(&format!("apply/{case}/conflict/forced-kubectl.json"));
    let stderr = recorded["stderr"].as_str().unwrap_or("").trim_end();
    // kubectl prints an Invalid Status as `The <kind> "<name>" is invalid: <field>: <message>`.
    let body = forced.json();
    let cause = &body["details"]["causes"][0];
    let printed = format!(
        "The {} {:?} is invalid: {}: {}",
        body["details"]["kind"].as_str().unwrap_or(""),
        body["details"]["name"].as_str().unwrap_or(""),
        cause["field"].as_str().unwrap_or(""),
        cause["message"].as_str().unwrap_or("")
    );
    let ok = forced.code == 422 && printed == stderr;
    tally.check(&label, ok, format!("{}: {}", forced.code, forced.text));
}

async fn status(cluster: &Cluster, tally: &mut Tally, case: &str) {
    let exchange = fixture(&format!("apply/{case}/status/exchange.json"));
    let answer = cluster.replay(&exchange).await;
    let label = format!("{case} status");
    if check_code(tally, &label, &answer, 200) {
        compare_object(tally, &label, &exchange["response"]["body"], &answer, "");
    }
    let path = exchange["request"]["path"].as_str().unwrap_or("");
    let main = path.split("/status").next().unwrap_or("");
    let after = cluster.get(main).await;
    compare_object(
        tally,
        &format!("{case} status then main resource"),
        &fixture(&format!("apply/{case}/status/main-resource-after.json")),
        &after,
        "",
    );
    let via_main = fixture(&format!("apply/{case}/status/via-main-resource.json"));
    let answer = cluster.replay(&via_main).await;
    let label = format!("{case} status via main resource");
    if check_code(tally, &label, &answer, 200) {
        compare_object(tally, &label, &via_main["response"]["body"], &answer, "");
        let unchanged = answer.json()["metadata"]["resourceVersion"]
            == after.json()["metadata"]["resourceVersion"];
        tally.check(
            &format!("{label} is a no-op"),
            unchanged,
            answer.text.clone(),
        );
    }
}

#[tokio::test]
async fn server_side_apply_matches_every_recorded_case() {
    let cluster = Cluster::new();
    let mut tally = Tally::default();
    for entry in fixture("apply/index.json")
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let case = entry["case"].as_str().unwrap_or("").to_string();
        let Some(object) = created(&cluster, &mut tally, &case).await else {
            continue;
        };
        if exists(&format!("apply/{case}/aggregated.json")) {
            let aggregated = cluster
                .get("/apis/rbac.authorization.k8s.io/v1/clusterroles/conformance-monitoring")
                .await;
            compare_object(
                &mut tally,
                &format!("{case} aggregated"),
                &fixture(&format!("apply/{case}/aggregated.json")),
                &aggregated,
                "",
            );
        }
        noop(&cluster, &mut tally, &case, &object).await;
        if exists(&format!("apply/{case}/reapply-modified")) {
            modified(&cluster, &mut tally, &case).await;
        }
        if exists(&format!("apply/{case}/conflict")) {
            conflict(&cluster, &mut tally, &case).await;
        }
        if exists(&format!("apply/{case}/status")) {
            status(&cluster, &mut tally, &case).await;
        }
    }
    tally.finish("apply");
}
