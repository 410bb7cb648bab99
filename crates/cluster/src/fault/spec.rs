//! What a cluster-wide fault is: the request body of `POST /ferry/faults` checked into a
//! [`FaultSpec`], and the durations it is written with (`500ms`, `30s`, `2m`, `1h`).

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};

/// The verbs a latency or error fault can be limited to.
pub const VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

/// The status codes an error fault can answer with.
pub const ERROR_CODES: &[u16] = &[429, 500, 503];

/// Which requests a fault applies to: every one when both lists are empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// Verbs (`get`, `list`, `watch`, ...); empty means every verb.
    pub verbs: Vec<String>,
    /// Resources as `plural` (any group) or `plural.group`; empty means every request,
    /// discovery included.
    pub resources: Vec<String>,
}

impl Scope {
    /// Whether a request of `verb` on `resource` (`None` for discovery and other non-resource
    /// paths) of `group` is in scope.
    pub fn matches(&self, verb: &str, resource: Option<&str>, group: &str) -> bool {
        let verb_matches = self.verbs.is_empty() || self.verbs.iter().any(|v| v == verb);
        let resource_matches = self.resources.is_empty()
            || resource.is_some_and(|resource| {
                self.resources
                    .iter()
                    .any(|wanted| match wanted.split_once('.') {
                        Some((plural, wanted_group)) => plural == resource && wanted_group == group,
                        None => wanted == resource,
                    })
            });
        verb_matches && resource_matches
    }

    fn write(&self, map: &mut Map<String, Value>) {
        if !self.verbs.is_empty() {
            map.insert("verbs".into(), json!(self.verbs));
        }
        if !self.resources.is_empty() {
            map.insert("resources".into(), json!(self.resources));
        }
    }
}

/// A cluster-wide fault.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultSpec {
    /// Every request in scope waits this long before it is served.
    Latency {
        /// The added delay.
        delay: Duration,
        /// Which requests.
        scope: Scope,
    },
    /// A fraction of the requests in scope is answered with an error Status instead.
    Errors {
        /// 429, 500 or 503.
        code: u16,
        /// From 0 to 1.
        fraction: f64,
        /// The `Retry-After` of a 429 (whole seconds, at least 1).
        retry_after: Duration,
        /// Which requests.
        scope: Scope,
    },
    /// Watch connections are closed this long after they open (0: at once); watches open when
    /// the fault is added are closed this long after it.
    DropWatches {
        /// How long a watch lives.
        after: Duration,
    },
    /// The history is compacted: watches and exact lists from a resourceVersion before the
    /// compaction get 410 Gone; with `every`, compacted again at that interval while active.
    Compaction {
        /// Compact again this often.
        every: Option<Duration>,
    },
    /// A simulated Node stops reporting: NotReady (conditions Unknown), its pods not ready,
    /// then evicted and replaced on other nodes.
    NodeLoss {
        /// The node's name.
        node: String,
        /// How long after the node is lost its pods are evicted; `None` follows the pods'
        /// `node.kubernetes.io/unreachable` toleration (300 s by default, scaled by the
        /// simulation's time factor).
        evict_after: Option<Duration>,
    },
}

impl FaultSpec {
    /// The fault's type as written in requests (`latency`, `errors`, `drop-watches`,
    /// `compaction`, `node-loss`).
    pub fn type_name(&self) -> &'static str {
        match self {
            FaultSpec::Latency { .. } => "latency",
            FaultSpec::Errors { .. } => "errors",
            FaultSpec::DropWatches { .. } => "drop-watches",
            FaultSpec::Compaction { .. } => "compaction",
            FaultSpec::NodeLoss { .. } => "node-loss",
        }
    }

    /// The fields of the fault as JSON (the same names a request uses).
    pub fn write(&self, map: &mut Map<String, Value>) {
        map.insert("type".into(), json!(self.type_name()));
        match self {
            FaultSpec::Latency { delay, scope } => {
                map.insert("delay".into(), json!(format_duration(*delay)));
                scope.write(map);
            }
            FaultSpec::Errors {
                code,
                fraction,
                retry_after,
                scope,
            } => {
                map.insert("code".into(), json!(code));
                map.insert("fraction".into(), json!(fraction));
                if *code == 429 {
                    map.insert("retryAfter".into(), json!(format_duration(*retry_after)));
                }
                scope.write(map);
            }
            FaultSpec::DropWatches { after } => {
                map.insert("after".into(), json!(format_duration(*after)));
            }
            FaultSpec::Compaction { every } => {
                if let Some(every) = every {
                    map.insert("every".into(), json!(format_duration(*every)));
                }
            }
            FaultSpec::NodeLoss { node, evict_after } => {
                map.insert("node".into(), json!(node));
                if let Some(evict_after) = evict_after {
                    map.insert("evictAfter".into(), json!(format_duration(*evict_after)));
                }
            }
        }
    }
}

/// The body of `POST /ferry/faults`: every field of every type, checked by [`FaultRequest::check`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRequest {
    /// `latency`, `errors`, `drop-watches`, `compaction` or `node-loss`.
    #[serde(rename = "type")]
    pub fault_type: String,
    /// How long the fault lasts; until cleared when absent.
    pub duration: Option<String>,
    /// latency: the delay.
    pub delay: Option<String>,
    /// latency, errors: verbs in scope.
    #[serde(default)]
    pub verbs: Vec<String>,
    /// latency, errors: resources in scope.
    #[serde(default)]
    pub resources: Vec<String>,
    /// errors: 429, 500 or 503.
    pub code: Option<u16>,
    /// errors: the fraction of requests answered with the error.
    pub fraction: Option<f64>,
    /// errors (429): the Retry-After.
    pub retry_after: Option<String>,
    /// drop-watches: how long a watch lives.
    pub after: Option<String>,
    /// compaction: compact again this often.
    pub every: Option<String>,
    /// node-loss: the node.
    pub node: Option<String>,
    /// node-loss: when pods are evicted.
    pub evict_after: Option<String>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidFault(message.into())
}

fn parse_field(name: &str, text: Option<&str>) -> Result<Option<Duration>> {
    text.map(|text| {
        parse_duration(text).ok_or_else(|| {
            invalid(format!(
                "{name}: {text:?} is not a duration (use 500ms, 30s, 2m or 1h)"
            ))
        })
    })
    .transpose()
}

impl FaultRequest {
    /// The fault asked for and its lifetime, or why the request is refused.
    pub fn check(&self) -> Result<(FaultSpec, Option<Duration>)> {
        let duration = parse_field("duration", self.duration.as_deref())?;
        if duration == Some(Duration::ZERO) {
            return Err(invalid("duration: must be more than 0"));
        }
        let allowed: &[&str] = match self.fault_type.as_str() {
            "latency" => &["delay", "verbs", "resources"],
            "errors" => &["code", "fraction", "retryAfter", "verbs", "resources"],
            "drop-watches" => &["after"],
            "compaction" => &["every"],
            "node-loss" => &["node", "evictAfter"],
            other => {
                return Err(invalid(format!(
                    "type: unsupported value {other:?}: supported values: \"latency\", \"errors\", \"drop-watches\", \"compaction\", \"node-loss\""
                )));
            }
        };
        let given = [
            ("delay", self.delay.is_some()),
            ("verbs", !self.verbs.is_empty()),
            ("resources", !self.resources.is_empty()),
            ("code", self.code.is_some()),
            ("fraction", self.fraction.is_some()),
            ("retryAfter", self.retry_after.is_some()),
            ("after", self.after.is_some()),
            ("every", self.every.is_some()),
            ("node", self.node.is_some()),
            ("evictAfter", self.evict_after.is_some()),
        ];
        if let Some((field, _)) = given
            .iter()
            .find(|(field, present)| *present && !allowed.contains(field))
        {
            return Err(invalid(format!(
                "{field}: not a field of a {} fault",
                self.fault_type
            )));
        }
        let spec = match self.fault_type.as_str() {
            "latency" => FaultSpec::Latency {
                delay: parse_field("delay", self.delay.as_deref())?
                    .ok_or_else(|| invalid("delay: required for a latency fault"))?,
                scope: self.scope()?,
            },
            "errors" => {
                let code = self.code.ok_or_else(|| {
                    invalid("code: required for an errors fault (429, 500 or 503)")
                })?;
                if !ERROR_CODES.contains(&code) {
                    return Err(invalid(format!(
                        "code: unsupported value {code}: supported values: 429, 500, 503"
                    )));
                }
                let fraction = self.fraction.unwrap_or(1.0);
                if !(0.0..=1.0).contains(&fraction) {
                    return Err(invalid(format!(
                        "fraction: {fraction} is not between 0 and 1"
                    )));
                }
                let retry_after = parse_field("retryAfter", self.retry_after.as_deref())?
                    .unwrap_or(Duration::from_secs(1));
                if code != 429 && self.retry_after.is_some() {
                    return Err(invalid("retryAfter: only a 429 fault carries Retry-After"));
                }
                FaultSpec::Errors {
                    code,
                    fraction,
                    retry_after: retry_after.max(Duration::from_secs(1)),
                    scope: self.scope()?,
                }
            }
            "drop-watches" => FaultSpec::DropWatches {
                after: parse_field("after", self.after.as_deref())?.unwrap_or_default(),
            },
            "compaction" => {
                let every = parse_field("every", self.every.as_deref())?;
                if every.is_some_and(|every| every < Duration::from_secs(1)) {
                    return Err(invalid("every: must be at least 1s"));
                }
                FaultSpec::Compaction { every }
            }
            _ => FaultSpec::NodeLoss {
                node: self
                    .node
                    .clone()
                    .filter(|node| !node.is_empty())
                    .ok_or_else(|| invalid("node: required for a node-loss fault"))?,
                evict_after: parse_field("evictAfter", self.evict_after.as_deref())?,
            },
        };
        Ok((spec, duration))
    }

    fn scope(&self) -> Result<Scope> {
        if let Some(verb) = self
            .verbs
            .iter()
            .find(|verb| !VERBS.contains(&verb.as_str()))
        {
            return Err(invalid(format!(
                "verbs: unsupported value {verb:?}: supported values: {}",
                VERBS.join(", ")
            )));
        }
        if let Some(resource) = self
            .resources
            .iter()
            .find(|resource| resource.is_empty() || resource.contains('/'))
        {
            return Err(invalid(format!(
                "resources: {resource:?} is not a resource (write pods or deployments.apps)"
            )));
        }
        Ok(Scope {
            verbs: self.verbs.clone(),
            resources: self.resources.clone(),
        })
    }
}

/// Parses `250ms`, `30s`, `2m`, `1h` or a combination (`1m30s`); a bare number is seconds
/// (`ferry_types::parse_go_duration`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    ferry_types::parse_go_duration(text).ok()
}

/// Writes a duration the way [`parse_duration`] reads it (`1500ms`, `30s`, `2m`).
pub fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if !millis.is_multiple_of(1000) {
        format!("{millis}ms")
    } else if millis.is_multiple_of(3_600_000) && millis > 0 {
        format!("{}h", millis / 3_600_000)
    } else if millis.is_multiple_of(60_000) && millis > 0 {
        format!("{}m", millis / 60_000)
    } else {
        format!("{}s", millis / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(value: Value) -> Result<(FaultSpec, Option<Duration>)> {
        serde_json::from_value::<FaultRequest>(value)
            .map_err(|error| invalid(error.to_string()))?
            .check()
    }

    #[test]
    fn durations_read_and_write_in_go_like_units() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("2x"), None);
        assert_eq!(parse_duration("ms"), None);
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(Duration::from_secs(120)), "2m");
        assert_eq!(format_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn an_errors_fault_needs_a_supported_code_and_a_fraction_between_0_and_1() {
        let (spec, duration) =
            request(json!({"type": "errors", "code": 429, "fraction": 0.5, "duration": "1m"}))
                .unwrap();
        assert_eq!(duration, Some(Duration::from_secs(60)));
        assert!(
            matches!(spec, FaultSpec::Errors { code: 429, retry_after, .. } if retry_after == Duration::from_secs(1))
        );
        let error = request(json!({"type": "errors", "code": 404})).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid fault: code: unsupported value 404: supported values: 429, 500, 503"
        );
        assert!(request(json!({"type": "errors", "code": 500, "fraction": 1.5})).is_err());
        assert!(request(json!({"type": "errors", "code": 500, "retryAfter": "2s"})).is_err());
    }

    #[test]
    fn fields_of_another_fault_type_are_refused_by_name() {
        let error = request(json!({"type": "latency", "delay": "1s", "node": "x"})).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid fault: node: not a field of a latency fault"
        );
        let error = request(json!({"type": "earthquake"})).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("unsupported value \"earthquake\"")
        );
        assert!(request(json!({"type": "latency", "delay": "1s", "verbs": ["fly"]})).is_err());
        assert!(request(json!({"type": "node-loss"})).is_err());
    }

    #[test]
    fn a_scope_matches_verbs_and_resources_with_or_without_their_group() {
        let scope = Scope {
            verbs: vec!["list".into()],
            resources: vec!["pods".into(), "deployments.apps".into()],
        };
        assert!(scope.matches("list", Some("pods"), ""));
        assert!(scope.matches("list", Some("deployments"), "apps"));
        assert!(!scope.matches("list", Some("deployments"), "extensions"));
        assert!(!scope.matches("get", Some("pods"), ""));
        assert!(!scope.matches("list", None, ""));
        assert!(Scope::default().matches("get", None, ""));
    }
}
