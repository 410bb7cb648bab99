//! The notification targets, as configured in the `ferry-notifications` ConfigMap's
//! `targets.yaml` key: a YAML list of `{name, url, format, events, apps}`.

use std::time::Duration;

use serde::Deserialize;

use crate::{Error, Result};

/// The ConfigMap holding the targets, in the server's namespace.
pub const CONFIG_MAP: &str = "ferry-notifications";
/// Its key listing the targets.
pub const TARGETS_KEY: &str = "targets.yaml";
/// Targets read at most; more is a configuration error.
pub const MAX_TARGETS: usize = 32;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// A sync (not a dry run) succeeded.
    SyncSucceeded,
    /// A sync failed or ended in error.
    SyncFailed,
    /// The app's health became Degraded.
    HealthDegraded,
    /// Managed objects were changed outside ferry.
    DriftDetected,
}

impl EventKind {
    /// Every kind, as targets without `events` receive them.
    pub const ALL: [EventKind; 4] = [
        EventKind::SyncSucceeded,
        EventKind::SyncFailed,
        EventKind::HealthDegraded,
        EventKind::DriftDetected,
    ];

    /// The kebab-case name (`sync-succeeded`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SyncSucceeded => "sync-succeeded",
            EventKind::SyncFailed => "sync-failed",
            EventKind::HealthDegraded => "health-degraded",
            EventKind::DriftDetected => "drift-detected",
        }
    }
}

/// The payload shape a target receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// ferry's JSON document (see `payload::generic`).
    #[default]
    Generic,
    /// A Slack incoming-webhook message (`text` plus `attachments`).
    Slack,
}

/// One webhook to notify.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// A name for logs.
    pub name: String,
    /// Where to POST (`http://` or `https://`); may hold a token, so it is masked in logs.
    pub url: String,
    /// Payload shape; `generic` by default.
    #[serde(default)]
    pub format: Format,
    /// Events sent; all when absent.
    #[serde(default = "all_events")]
    pub events: Vec<EventKind>,
    /// Application names (globs with `*` and `?`) sent; all when absent.
    #[serde(default)]
    pub apps: Vec<String>,
}

fn all_events() -> Vec<EventKind> {
    EventKind::ALL.to_vec()
}

impl Target {
    /// Whether this target wants `event` about app `name`.
    pub fn wants(&self, event: EventKind, name: &str) -> bool {
        self.events.contains(&event)
            && (self.apps.is_empty()
                || self
                    .apps
                    .iter()
                    .any(|pattern| ferry_controller::glob_match(pattern, name)))
    }
}

/// Reads and checks `targets.yaml`.
pub fn parse_targets(text: &str) -> Result<Vec<Target>> {
    let invalid = |reason: String| Error::InvalidTargets {
        key: TARGETS_KEY.to_string(),
        reason,
    };
    let value = ferry_yaml::parse_single(TARGETS_KEY, text.as_bytes())
        .map_err(|error| invalid(error.to_string()))?;
    if value.is_null() {
        return Ok(Vec::new());
    }
    let targets: Vec<Target> =
        serde_json::from_value(value).map_err(|error| invalid(error.to_string()))?;
    if targets.len() > MAX_TARGETS {
        return Err(invalid(format!("more than {MAX_TARGETS} targets")));
    }
    for (index, target) in targets.iter().enumerate() {
        if target.name.trim().is_empty() {
            return Err(invalid(format!("target {index} has no name")));
        }
        if targets[..index]
            .iter()
            .any(|other| other.name == target.name)
        {
            return Err(invalid(format!(
                "target name {:?} is used twice",
                target.name
            )));
        }
        let url = reqwest::Url::parse(&target.url)
            .map_err(|_| invalid(format!("target {:?}: url is not a URL", target.name)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(format!(
                "target {:?}: url must be http:// or https://",
                target.name
            )));
        }
    }
    Ok(targets)
}

/// Reads the targets from the ConfigMap; no ConfigMap (or no key) means no targets.
pub async fn load(client: &kube::Client, namespace: &str, name: &str) -> Result<Vec<Target>> {
    let resource = kube::api::ApiResource::from_gvk_with_plural(
        &kube::api::GroupVersionKind::gvk("", "v1", "ConfigMap"),
        "configmaps",
    );
    let api: kube::Api<kube::api::DynamicObject> =
        kube::Api::namespaced_with(client.clone(), namespace, &resource);
    let read = tokio::time::timeout(Duration::from_secs(10), api.get_opt(name)).await;
    let object = match read {
        Ok(result) => result.map_err(|source| Error::ReadConfig {
            namespace: namespace.to_string(),
            name: name.to_string(),
            source,
        })?,
        Err(_) => {
            return Err(Error::InvalidTargets {
                key: TARGETS_KEY.to_string(),
                reason: "reading the ConfigMap timed out".to_string(),
            });
        }
    };
    let Some(object) = object else {
        return Ok(Vec::new());
    };
    match object
        .data
        .get("data")
        .and_then(|data| data.get(TARGETS_KEY))
    {
        Some(serde_json::Value::String(text)) => parse_targets(text),
        _ => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_with_defaults_for_format_events_and_apps() {
        let targets = parse_targets(
            "- name: chat\n  url: https://hooks.slack.com/services/T0/B0/secret\n  format: slack\n  events: [sync-failed, health-degraded]\n- name: audit\n  url: http://127.0.0.1:9000/hook\n",
        )
        .unwrap();
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].format, Format::Slack);
        assert!(targets[0].wants(EventKind::SyncFailed, "web"));
        assert!(!targets[0].wants(EventKind::SyncSucceeded, "web"));
        assert_eq!(targets[1].format, Format::Generic);
        assert_eq!(targets[1].events, EventKind::ALL.to_vec());
    }

    #[test]
    fn an_app_filter_takes_globs() {
        let targets =
            parse_targets("- name: a\n  url: http://x/\n  apps: [\"listings-*\"]\n").unwrap();
        assert!(targets[0].wants(EventKind::DriftDetected, "listings-api"));
        assert!(!targets[0].wants(EventKind::DriftDetected, "valuation"));
    }

    #[test]
    fn bad_targets_are_refused_with_a_reason() {
        for (text, reason) in [
            ("- name: a\n  url: ftp://x/\n", "http"),
            (
                "- name: a\n  url: http://x/\n  events: [deployed]\n",
                "unknown variant",
            ),
            (
                "- name: a\n  url: http://x/\n- name: a\n  url: http://y/\n",
                "twice",
            ),
            (
                "- name: a\n  url: http://x/\n  colour: red\n",
                "unknown field",
            ),
            ("- url: http://x/\n", "name"),
            ("name: a\n", "sequence"),
        ] {
            let error = parse_targets(text).unwrap_err().to_string();
            assert!(error.contains(reason), "{text}: {error}");
        }
    }

    #[test]
    fn an_empty_key_means_no_targets() {
        assert!(parse_targets("").unwrap().is_empty());
    }
}
