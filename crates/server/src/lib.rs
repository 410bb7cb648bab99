//! `ferry server`: the controller plus an HTTP server. [`start`] runs the GitOps loop
//! (crates/controller) on its own thread, watches Applications, and serves a JSON API under
//! `/api/v1` behind bearer tokens (read-only and admin, kept in the `ferry-api-tokens`
//! Secret), an SSE stream of changes, an OpenAPI document, Git webhooks (GitHub, GitLab,
//! generic; HMAC-verified) that refresh matching apps, `/metrics` (crates/telemetry) and a
//! one-page web UI. [`router`] is the HTTP app without a socket.

#![deny(missing_docs)]

pub mod api;
pub mod auth;
mod error;
mod router;
pub mod secrets;
mod server;
mod state;
pub mod watch;
pub mod webhook;

pub use error::{ApiError, Error, Result};
pub use router::router;
pub use server::{DEFAULT_LISTEN, DEFAULT_NAMESPACE, Running, ServerConfig, start};
pub use state::{AppState, StateParts, StreamEvent, run_local};
