//! `/api/webhook/{github,gitlab,generic}`: a push verified by its signature (or GitLab's
//! token) refreshes every app of that repository and branch by setting the controller's
//! `ferry.dev/refresh` annotation, so the new commit is fetched within about a second.
//! Anything unverified is refused with 401 before its payload is parsed, and a body over
//! [`BODY_LIMIT`] with 413.

mod push;
mod signature;
mod url;

pub use push::{Push, app_matches, generic_push, github_push, gitlab_push, short_reference};
pub use signature::{SignatureError, sign, verify_hmac, verify_token};
pub use url::{normalize_repo_url, same_repository};

use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::ApiError;
use crate::secrets::WEBHOOK_SECRET_KEY;
use crate::state::AppState;

/// The largest webhook body accepted (1 MiB); larger ones get 413.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// GitHub's signature header.
pub const GITHUB_SIGNATURE: &str = "x-hub-signature-256";
/// GitHub's event header.
pub const GITHUB_EVENT: &str = "x-github-event";
/// GitLab's token header.
pub const GITLAB_TOKEN: &str = "x-gitlab-token";
/// GitLab's event header.
pub const GITLAB_EVENT: &str = "x-gitlab-event";
/// The generic webhook's signature header (`sha256=<hex>` HMAC of the body).
pub const GENERIC_SIGNATURE: &str = "x-ferry-signature-256";

/// A webhook provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// GitHub (and GitHub Enterprise).
    GitHub,
    /// GitLab.
    GitLab,
    /// ferry's generic payload.
    Generic,
}

impl Provider {
    /// Its name in metrics and in the webhook Secret's per-provider key.
    pub fn name(self) -> &'static str {
        match self {
            Provider::GitHub => "github",
            Provider::GitLab => "gitlab",
            Provider::Generic => "generic",
        }
    }
}

/// What a webhook request came to; the `result` label of `ferry_webhook_requests_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Verified, and at least one app refreshed.
    Refreshed,
    /// Verified, but no app follows that repository and branch.
    NoMatch,
    /// Verified, not a push (GitHub's ping, other events).
    Ignored,
    /// Signature or token missing or wrong.
    Unauthorized,
    /// The body is over the limit.
    TooLarge,
    /// Verified but unreadable.
    Invalid,
    /// The refresh failed on the server's side.
    Error,
}

impl Outcome {
    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Refreshed => "refreshed",
            Outcome::NoMatch => "no_match",
            Outcome::Ignored => "ignored",
            Outcome::Unauthorized => "unauthorized",
            Outcome::TooLarge => "too_large",
            Outcome::Invalid => "invalid",
            Outcome::Error => "error",
        }
    }
}

/// `POST /api/webhook/github`.
pub async fn github(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    handle(state, Provider::GitHub, headers, body).await
}

/// `POST /api/webhook/gitlab`.
pub async fn gitlab(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    handle(state, Provider::GitLab, headers, body).await
}

/// `POST /api/webhook/generic`.
pub async fn generic(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    handle(state, Provider::Generic, headers, body).await
}

async fn handle(state: AppState, provider: Provider, headers: HeaderMap, body: Body) -> Response {
    let (outcome, response) = process(&state, provider, &headers, body).await;
    state
        .telemetry()
        .count_webhook(provider.name(), outcome.label());
    response
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

async fn process(
    state: &AppState,
    provider: Provider,
    headers: &HeaderMap,
    body: Body,
) -> (Outcome, Response) {
    let too_large = || {
        (
            Outcome::TooLarge,
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("webhook body larger than {BODY_LIMIT} bytes"),
            )
            .into_response(),
        )
    };
    let declared = header(headers, header::CONTENT_LENGTH.as_str())
        .and_then(|length| length.parse::<usize>().ok());
    if declared.is_some_and(|length| length > BODY_LIMIT) {
        return too_large();
    }
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return too_large();
    };
    let secret = provider_secret(state, provider).await;
    let verified = match provider {
        Provider::GitHub => verify_hmac(&secret, &body, header(headers, GITHUB_SIGNATURE)),
        Provider::GitLab => verify_token(&secret, header(headers, GITLAB_TOKEN)),
        Provider::Generic => verify_hmac(&secret, &body, header(headers, GENERIC_SIGNATURE)),
    };
    if let Err(error) = verified {
        return (
            Outcome::Unauthorized,
            ApiError::unauthorized(format!("{} webhook: {error}", provider.name())).into_response(),
        );
    }
    let event = match provider {
        Provider::GitHub => header(headers, GITHUB_EVENT).unwrap_or("push"),
        Provider::GitLab => header(headers, GITLAB_EVENT).unwrap_or("Push Hook"),
        Provider::Generic => "push",
    };
    let parsed = match (provider, event) {
        (Provider::GitHub, "push") => github_push(&body),
        (Provider::GitLab, "Push Hook" | "Tag Push Hook") => gitlab_push(&body),
        (Provider::Generic, _) => generic_push(&body),
        (_, event) => {
            let message = if event == "ping" {
                "pong"
            } else {
                "not a push event; ignored"
            };
            return (
                Outcome::Ignored,
                (
                    StatusCode::OK,
                    Json(json!({"message": message, "event": event})),
                )
                    .into_response(),
            );
        }
    };
    let push = match parsed {
        Ok(push) => push,
        Err(error) => {
            return (
                Outcome::Invalid,
                ApiError::bad_request(error.to_string()).into_response(),
            );
        }
    };
    match refresh_matching(state, &push).await {
        Ok(refreshed) => {
            let outcome = if refreshed.is_empty() {
                Outcome::NoMatch
            } else {
                Outcome::Refreshed
            };
            let body = json!({
                "refreshed": refreshed,
                "repository": push.repositories.first(),
                "reference": push.reference,
            });
            (outcome, (StatusCode::ACCEPTED, Json(body)).into_response())
        }
        Err(error) => (Outcome::Error, error.into_response()),
    }
}

/// The provider's secret: its own key in the webhook Secret, else the shared `secret` key.
async fn provider_secret(state: &AppState, provider: Provider) -> Vec<u8> {
    let data = state.webhook_secret().data(Duration::from_secs(10)).await;
    data.get(provider.name())
        .or_else(|| data.get(WEBHOOK_SECRET_KEY))
        .map(|value| trim_ascii(value).to_vec())
        .unwrap_or_default()
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// Sets the refresh annotation on every app `push` concerns; returns them as
/// `namespace/name`.
async fn refresh_matching(state: &AppState, push: &Push) -> Result<Vec<String>, ApiError> {
    let apps = ferry_controller::list_applications(state.kube(), state.apps_namespace()).await?;
    let mut refreshed = Vec::new();
    for app in apps.iter().filter(|app| app_matches(app, push)) {
        let namespace = app.metadata.namespace.clone().unwrap_or_default();
        crate::api::refresh(state.kube(), &namespace, &app.metadata.name).await?;
        refreshed.push(format!("{namespace}/{}", app.metadata.name));
    }
    Ok(refreshed)
}
