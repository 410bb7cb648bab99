//! What appears in every active namespace: the `default` ServiceAccount and the
//! `kube-root-ca.crt` ConfigMap holding the cluster's CA bundle.

use serde_json::{Value, json};

use crate::change::{Change, Context, Outcome};
use crate::object;
use crate::resources::{CONFIG_MAPS, SERVICE_ACCOUNTS};

/// The ConfigMap that publishes the cluster CA.
pub const ROOT_CA_CONFIG_MAP: &str = "kube-root-ca.crt";

const ROOT_CA_DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/// What the namespace controllers look at.
pub struct NamespaceInputs<'a> {
    /// The namespace.
    pub namespace: &'a Value,
    /// Its `default` ServiceAccount, if any.
    pub service_account: Option<&'a Value>,
    /// Its `kube-root-ca.crt` ConfigMap, if any.
    pub root_ca: Option<&'a Value>,
}

/// Creates the default ServiceAccount and the root CA ConfigMap where missing.
pub fn reconcile(inputs: &NamespaceInputs<'_>, ctx: &Context<'_>) -> Outcome {
    let namespace = inputs.namespace;
    let mut outcome = Outcome::none();
    if object::is_deleting(namespace)
        || object::text(namespace, "/status/phase") == Some("Terminating")
    {
        return outcome;
    }
    let name = object::name(namespace);
    if inputs.service_account.is_none() {
        outcome.push(Change::Create {
            resource: &SERVICE_ACCOUNTS,
            object: json!({
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "default", "namespace": name}
            }),
        });
    }
    let data = json!({"ca.crt": ctx.config.root_ca});
    match inputs.root_ca {
        None => outcome.push(Change::Create {
            resource: &CONFIG_MAPS,
            object: json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {
                    "name": ROOT_CA_CONFIG_MAP, "namespace": name,
                    "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION}
                },
                "data": data
            }),
        }),
        Some(config_map) if config_map.get("data") != Some(&data) => {
            let mut updated = config_map.clone();
            object::ensure_map(&mut updated).insert("data".into(), data);
            outcome.push(Change::Update {
                resource: &CONFIG_MAPS,
                object: updated,
            });
        }
        Some(_) => {}
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::CountingNames;
    use crate::config::SimulationConfig;
    use std::time::SystemTime;

    fn run(inputs: &NamespaceInputs<'_>) -> Outcome {
        let config = SimulationConfig {
            root_ca: "PEM".into(),
            ..SimulationConfig::default()
        };
        let names = CountingNames::default();
        reconcile(
            inputs,
            &Context {
                now: SystemTime::now(),
                config: &config,
                names: &names,
            },
        )
    }

    #[test]
    fn a_new_namespace_gets_the_default_service_account_and_the_root_ca() {
        let namespace = json!({"metadata": {"name": "team"}, "status": {"phase": "Active"}});
        let outcome = run(&NamespaceInputs {
            namespace: &namespace,
            service_account: None,
            root_ca: None,
        });
        let created: Vec<(String, String)> = outcome
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::Create { object, .. } => Some((
                    object["kind"].as_str().unwrap_or("").to_string(),
                    object::name(object).to_string(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            created,
            [
                ("ServiceAccount".to_string(), "default".to_string()),
                ("ConfigMap".to_string(), "kube-root-ca.crt".to_string())
            ]
        );
    }

    #[test]
    fn a_terminating_namespace_gets_nothing() {
        let namespace = json!({"metadata": {"name": "team"}, "status": {"phase": "Terminating"}});
        let outcome = run(&NamespaceInputs {
            namespace: &namespace,
            service_account: None,
            root_ca: None,
        });
        assert!(outcome.changes.is_empty());
    }
}
