//! The server's one error type, and how an error becomes an HTTP response (in one place: a
//! 500 names no internals, the detail goes to stderr).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What can go wrong in the server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The controller failed (connect, or an action on an Application).
    #[error(transparent)]
    Controller(#[from] ferry_controller::Error),
    /// The engine failed (connect to a destination, discovery, diff).
    #[error(transparent)]
    Engine(#[from] ferry_engine::Error),
    /// A Kubernetes request made by the server itself failed.
    #[error("{action}: {source}")]
    Kube {
        /// What the server was doing.
        action: String,
        /// The client's error.
        #[source]
        source: kube::Error,
    },
    /// A Secret the server keeps (tokens, webhook secret) cannot be used as stored.
    #[error("secret {namespace}/{name}: {message}")]
    Secret {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The listen address could not be bound.
    #[error("listening on {address}: {source}")]
    Listen {
        /// The address.
        address: std::net::SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The system's random generator failed.
    #[error("random generator failed")]
    Random,
    /// A background task or thread ended abnormally.
    #[error("{0}")]
    Task(String),
}

/// Results with the server's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error answered to an HTTP client: a status and a message safe to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What was wrong, for the client.
    pub message: String,
}

impl ApiError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// 400: the request is malformed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401: no credentials, or wrong ones.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 403: the credentials do not allow this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404: no such thing.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        if let Some(status) = kube_status(&error) {
            if status == 404 {
                return ApiError::not_found(error.to_string());
            }
            if (400..500).contains(&status) {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                return ApiError::new(status, error.to_string());
            }
        }
        match &error {
            // What the user asked cannot be done to this app (no history to roll back to…).
            Error::Controller(ferry_controller::Error::Application { .. }) => {
                ApiError::new(StatusCode::CONFLICT, error.to_string())
            }
            _ => {
                eprintln!("server: {error}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error (see the server's log)",
                )
            }
        }
    }
}

impl From<ferry_controller::Error> for ApiError {
    fn from(error: ferry_controller::Error) -> Self {
        Error::from(error).into()
    }
}

/// The HTTP status of the Kubernetes API's answer behind `error`, if it was one.
fn kube_status(error: &Error) -> Option<u16> {
    let kube = match error {
        Error::Kube { source, .. } => source,
        Error::Controller(ferry_controller::Error::Kube { source, .. }) => source,
        _ => return None,
    };
    match kube {
        kube::Error::Api(response) => Some(response.code),
        _ => None,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({"error": self.message}))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"ferry\""),
            );
        }
        response
    }
}
