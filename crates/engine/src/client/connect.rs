//! Connecting from a kubeconfig: `--kubeconfig` or `KUBECONFIG` (or `~/.kube/config`),
//! `--context`, and the Application's destination (`server` or `name`) choose the context.

use std::path::PathBuf;

use ferry_types::ApplicationDestination;
use kube::config::{KubeConfigOptions, Kubeconfig};

use super::ClusterClient;
use crate::{Error, Result};

/// The in-cluster API server address Argo CD uses for "the cluster ferry runs against".
pub const IN_CLUSTER_SERVER: &str = "https://kubernetes.default.svc";

/// Where the kubeconfig is and which context to use.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// A kubeconfig file; `KUBECONFIG` or `~/.kube/config` when `None`.
    pub kubeconfig: Option<PathBuf>,
    /// The context used for the current cluster; the kubeconfig's `current-context` when `None`.
    pub context: Option<String>,
}

impl ClusterClient {
    /// Connects to the cluster an Application's destination names: `destination.name` is a
    /// context name; `destination.server` empty or [`IN_CLUSTER_SERVER`] is the current context
    /// (or `--context`); any other server is the context whose cluster has that URL.
    pub async fn connect(
        options: &ConnectOptions,
        destination: &ApplicationDestination,
    ) -> Result<Self> {
        let kubeconfig = match &options.kubeconfig {
            Some(path) => Kubeconfig::read_from(path),
            None => match Kubeconfig::read() {
                // No kubeconfig inside a pod: its service account (token and CA mounted at
                // /var/run/secrets/kubernetes.io/serviceaccount), for the in-cluster server.
                Err(_) if in_pod() && in_cluster_destination(options, destination) => {
                    return Self::connect_in_cluster();
                }
                read => read,
            },
        }
        .map_err(|error| Error::Kubeconfig {
            message: error.to_string(),
        })?;
        let context = choose_context(&kubeconfig, options.context.as_deref(), destination)?;
        let config = kube::Config::from_custom_kubeconfig(
            kubeconfig,
            &KubeConfigOptions {
                context: Some(context),
                ..KubeConfigOptions::default()
            },
        )
        .await
        .map_err(|error| Error::Kubeconfig {
            message: error.to_string(),
        })?;
        let client = kube::Client::try_from(config).map_err(|error| Error::Kubeconfig {
            message: error.to_string(),
        })?;
        Ok(Self::new(client))
    }
}

impl ClusterClient {
    /// Connects with the pod's service account (`KUBERNETES_SERVICE_HOST`, the mounted token
    /// and CA).
    fn connect_in_cluster() -> Result<Self> {
        let config = kube::Config::incluster().map_err(|error| Error::Kubeconfig {
            message: format!("in-cluster configuration: {error}"),
        })?;
        let client = kube::Client::try_from(config).map_err(|error| Error::Kubeconfig {
            message: error.to_string(),
        })?;
        Ok(Self::new(client))
    }
}

/// Whether this process runs in a pod (the API server's address is in its environment).
fn in_pod() -> bool {
    std::env::var_os("KUBERNETES_SERVICE_HOST").is_some()
}

/// Whether the destination is the cluster the process runs in (no context asked for).
fn in_cluster_destination(options: &ConnectOptions, destination: &ApplicationDestination) -> bool {
    options.context.is_none()
        && destination.name.is_empty()
        && (destination.server.is_empty() || destination.server == IN_CLUSTER_SERVER)
}

/// The context to use, decided from the kubeconfig alone (no IO).
pub fn choose_context(
    kubeconfig: &Kubeconfig,
    context: Option<&str>,
    destination: &ApplicationDestination,
) -> Result<String> {
    let has_context = |name: &str| kubeconfig.contexts.iter().any(|c| c.name == name);
    if !destination.name.is_empty() {
        return if has_context(&destination.name) {
            Ok(destination.name.clone())
        } else {
            Err(Error::UnknownContext {
                context: destination.name.clone(),
            })
        };
    }
    let current = match context {
        Some(name) if has_context(name) => name.to_string(),
        Some(name) => {
            return Err(Error::UnknownContext {
                context: name.to_string(),
            });
        }
        None => kubeconfig
            .current_context
            .clone()
            .filter(|name| has_context(name))
            .ok_or_else(|| Error::Kubeconfig {
                message: "no current-context; pass --context".into(),
            })?,
    };
    let server = destination.server.trim_end_matches('/');
    if server.is_empty() || server == IN_CLUSTER_SERVER {
        return Ok(current);
    }
    let server_of = |context_name: &str| -> Option<String> {
        let cluster = kubeconfig
            .contexts
            .iter()
            .find(|c| c.name == context_name)?
            .context
            .as_ref()?
            .cluster
            .clone();
        kubeconfig
            .clusters
            .iter()
            .find(|c| c.name == cluster)?
            .cluster
            .as_ref()?
            .server
            .as_ref()
            .map(|url| url.trim_end_matches('/').to_string())
    };
    if server_of(&current).as_deref() == Some(server) {
        return Ok(current);
    }
    kubeconfig
        .contexts
        .iter()
        .find(|c| server_of(&c.name).as_deref() == Some(server))
        .map(|c| c.name.clone())
        .ok_or_else(|| Error::UnknownServer {
            server: destination.server.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubeconfig() -> Kubeconfig {
        Kubeconfig::from_yaml(
            r#"
apiVersion: v1
kind: Config
current-context: local
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:6443"}
- name: prod
  cluster: {server: "https://prod.example.com/"}
contexts:
- name: local
  context: {cluster: local, user: me}
- name: prod-admin
  context: {cluster: prod, user: me}
users:
- name: me
  user: {token: secret}
"#,
        )
        .unwrap()
    }

    fn destination(server: &str, name: &str) -> ApplicationDestination {
        ApplicationDestination {
            server: server.into(),
            name: name.into(),
            namespace: String::new(),
        }
    }

    #[test]
    fn an_empty_or_in_cluster_server_is_the_current_context() {
        let config = kubeconfig();
        for server in ["", IN_CLUSTER_SERVER, "https://kubernetes.default.svc/"] {
            let chosen = choose_context(&config, None, &destination(server, "")).unwrap();
            assert_eq!(chosen, "local", "{server:?}");
        }
        let chosen = choose_context(
            &config,
            Some("prod-admin"),
            &destination(IN_CLUSTER_SERVER, ""),
        )
        .unwrap();
        assert_eq!(chosen, "prod-admin");
    }

    #[test]
    fn a_destination_name_is_a_context_name() {
        let chosen = choose_context(&kubeconfig(), None, &destination("", "prod-admin")).unwrap();
        assert_eq!(chosen, "prod-admin");
        let error = choose_context(&kubeconfig(), None, &destination("", "staging")).unwrap_err();
        assert_eq!(error.to_string(), "kubeconfig has no context \"staging\"");
    }

    #[test]
    fn a_destination_server_picks_the_context_pointing_at_it() {
        let chosen = choose_context(
            &kubeconfig(),
            None,
            &destination("https://prod.example.com", ""),
        )
        .unwrap();
        assert_eq!(chosen, "prod-admin");
        let error = choose_context(
            &kubeconfig(),
            None,
            &destination("https://elsewhere.example.com", ""),
        )
        .unwrap_err();
        assert!(matches!(error, Error::UnknownServer { .. }), "{error}");
    }
}
