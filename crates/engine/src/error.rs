//! The one error type of this crate. Errors name the object, the field and the reason; they
//! never carry object values, so no Secret data can leak through them.

use ferry_types::ObjectKey;

/// Why the engine could not connect, read or write.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The kubeconfig could not be read or used.
    #[error("kubeconfig: {message}")]
    Kubeconfig {
        /// What went wrong, in words.
        message: String,
    },
    /// A context named by `--context` or `destination.name` is not in the kubeconfig.
    #[error("kubeconfig has no context {context:?}")]
    UnknownContext {
        /// The context asked for.
        context: String,
    },
    /// `destination.server` names a server no kubeconfig context points at.
    #[error(
        "destination.server {server:?}: no kubeconfig context points at this server; use \
         destination.name with a context name, or https://kubernetes.default.svc for the current context"
    )]
    UnknownServer {
        /// The server asked for.
        server: String,
    },
    /// The Application cannot be synced as written.
    #[error("application: {message}")]
    Application {
        /// What is wrong with it.
        message: String,
    },
    /// Discovery of the served resources failed.
    #[error("discovery: {source}")]
    Discovery {
        /// The client's error.
        #[source]
        source: kube::Error,
    },
    /// The cluster serves no resource for this apiVersion and kind.
    #[error("{api_version} {kind} is not served by the cluster")]
    NotServed {
        /// The object's `apiVersion`.
        api_version: String,
        /// The object's `kind`.
        kind: String,
    },
    /// The API server answered a request with an error status.
    #[error("{verb} {object}: {message}")]
    Api {
        /// What was asked (`apply`, `get`, `delete`, ...).
        verb: &'static str,
        /// The object, as `group/Kind/namespace/name`.
        object: String,
        /// The HTTP status code.
        code: u16,
        /// The machine-readable reason (`Invalid`, `NotFound`, ...).
        reason: String,
        /// The first field the server named as a cause (`spec.replicas`).
        field: Option<String>,
        /// The server's message, which names the field.
        message: String,
    },
    /// A request did not reach the server or its answer could not be read.
    #[error("{verb} {object}: {source}")]
    Request {
        /// What was asked.
        verb: &'static str,
        /// The object or collection.
        object: String,
        /// The client's error.
        #[source]
        source: kube::Error,
    },
    /// Objects were rejected before anything was applied.
    #[error("{} object(s) rejected, nothing applied: {}", rejections.len(), summary(rejections))]
    Rejected {
        /// Every rejected object and why.
        rejections: Vec<Rejection>,
    },
    /// Sync annotations could not be read.
    #[error(transparent)]
    Plan(#[from] ferry_sync::Error),
    /// Objects could not be compared.
    #[error(transparent)]
    Diff(#[from] ferry_diff::Error),
}

/// One object the server (or ferry) refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    /// The object.
    pub key: ObjectKey,
    /// The field at fault, when the server named one (`spec.replicas`).
    pub field: Option<String>,
    /// The reason, as the server gave it (`Invalid`, `NotFound`).
    pub reason: String,
    /// The whole message.
    pub message: String,
}

fn summary(rejections: &[Rejection]) -> String {
    rejections
        .iter()
        .map(|rejection| format!("{}: {}", rejection.key, rejection.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// The HTTP status code of an API error, if this is one.
    pub fn code(&self) -> Option<u16> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether the server answered 404.
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(404)
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
