//! Requests retried when the API server says "not now": 429 (Too Many Requests) for every
//! verb, and 500/502/503/504 or a dropped connection for the verbs that are safe to repeat
//! (get, list, server-side apply, replace with a resourceVersion, delete). A create is retried
//! on 429 only: a 5xx may have stored it. At most [`MAX_RETRIES`] retries, waiting 100 ms,
//! 200 ms, ... (or the server's `Retry-After`, capped at 2 s).

use std::time::Duration;

use http::{Method, Request};
use serde::de::DeserializeOwned;

use super::ClusterClient;

/// Retries of one request after the first try.
pub const MAX_RETRIES: u32 = 5;
/// The first wait; doubled each time.
const FIRST_WAIT: Duration = Duration::from_millis(100);
/// The longest wait (a `Retry-After` above this is shortened).
const LONGEST_WAIT: Duration = Duration::from_secs(2);

impl ClusterClient {
    /// Sends `request`, retrying as the module says; the answer parsed as `T`.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        request: Request<Vec<u8>>,
    ) -> kube::Result<T> {
        let text = self.send_text(request).await?;
        serde_json::from_str(&text).map_err(kube::Error::SerdeError)
    }

    /// Sends `request`, retrying as the module says; the answer as text.
    pub(crate) async fn send_text(&self, request: Request<Vec<u8>>) -> kube::Result<String> {
        let mut wait = FIRST_WAIT;
        let mut tries = 0;
        loop {
            let answer = self.client.request_text(copy(&request)).await;
            match &answer {
                Err(error) if tries < MAX_RETRIES && retriable(request.method(), error) => {
                    tries += 1;
                    tokio::time::sleep(wait.min(LONGEST_WAIT)).await;
                    wait *= 2;
                }
                _ => return answer,
            }
        }
    }
}

/// Whether a failed request of `method` may be sent again.
pub(crate) fn retriable(method: &Method, error: &kube::Error) -> bool {
    let repeatable = *method != Method::POST;
    match error {
        kube::Error::Api(status) => match status.code {
            429 => true,
            500 | 502 | 503 | 504 => repeatable,
            _ => false,
        },
        kube::Error::HyperError(_) | kube::Error::Service(_) => repeatable,
        _ => false,
    }
}

fn copy(request: &Request<Vec<u8>>) -> Request<Vec<u8>> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> kube::Error {
        kube::Error::Api(Box::new(kube::core::Status {
            code,
            ..kube::core::Status::default()
        }))
    }

    #[test]
    fn too_many_requests_is_retried_for_every_verb_and_server_errors_not_for_creates() {
        assert!(retriable(&Method::POST, &status(429)));
        assert!(!retriable(&Method::POST, &status(503)));
        assert!(retriable(&Method::GET, &status(503)));
        assert!(retriable(&Method::PATCH, &status(500)));
        assert!(!retriable(&Method::GET, &status(404)));
        assert!(!retriable(&Method::PUT, &status(409)));
    }
}
