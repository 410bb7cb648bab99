//! Measurement for `ferry server`. [`Telemetry`] consumes the controller's [`Signal`]s and
//! renders Prometheus text (counters and histograms from signals, per-app gauges and DORA
//! figures from the Applications given to [`Telemetry::render`]). [`dora`] computes the four
//! DORA figures from recorded history, purely; [`report`] groups them per app and environment
//! for `ferry report`; [`notify`] delivers outgoing webhooks (generic JSON, Slack) configured in
//! a ConfigMap, from a bounded queue so reconciliation never waits.
//!
//! [`Signal`]: ferry_controller::Signal

#![deny(missing_docs)]

mod error;
mod exposition;
mod histogram;
mod metrics;
mod time;

pub mod dora;
pub mod history;
pub mod notify;
pub mod report;

pub use error::{Error, Result};
pub use exposition::CONTENT_TYPE;
pub use histogram::Histogram;
pub use metrics::Telemetry;
pub use report::columns;
pub use time::{format_duration, format_rfc3339, parse_duration, parse_rfc3339};
