//! Leader election with a `coordination.k8s.io/v1` Lease, as client-go does it: the holder
//! renews `renewTime` every [`LeaderElection::renew_period`]; another candidate takes the
//! Lease over only once it has seen the same record unchanged for `leaseDurationSeconds`
//! (its own clock, so clock skew does not matter), and every write carries the
//! resourceVersion it read, so two candidates cannot both win. A leader that cannot renew
//! for two thirds of the duration steps down; one that stops releases the Lease.
//! [`decide`] is the pure part.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kube::api::{Api, ApiResource, DynamicObject, PostParams};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::{Error, Result};

/// Default name of the Lease.
pub const LEASE_NAME: &str = "ferry-controller";

/// How a controller competes for leadership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderElection {
    /// The Lease's name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// This candidate's identity (`holderIdentity`).
    pub identity: String,
    /// `leaseDurationSeconds`: how long a silent holder keeps the Lease.
    pub lease_duration: Duration,
    /// How often the holder renews and the others look.
    pub renew_period: Duration,
}

impl LeaderElection {
    /// Lease `ferry-controller` in `namespace`, 15 s, renewed every 2 s, for `identity`.
    pub fn new(namespace: &str, identity: &str) -> Self {
        Self {
            name: LEASE_NAME.into(),
            namespace: namespace.into(),
            identity: identity.into(),
            lease_duration: Duration::from_secs(15),
            renew_period: Duration::from_secs(2),
        }
    }

    /// An identity unique to this process: `$HOSTNAME` (a pod's name) and the process id.
    pub fn default_identity() -> String {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "ferry".into());
        format!("{host}_{}", std::process::id())
    }
}

/// The Lease as read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeaseRecord {
    /// `spec.holderIdentity` (empty: released).
    pub holder: String,
    /// `spec.renewTime`.
    pub renew_time: String,
    /// `spec.leaseDurationSeconds`.
    pub duration_seconds: i64,
    /// `spec.leaseTransitions`.
    pub transitions: i64,
}

impl LeaseRecord {
    fn from_object(object: &Value) -> Self {
        let spec = &object["spec"];
        Self {
            holder: spec["holderIdentity"].as_str().unwrap_or("").to_string(),
            renew_time: spec["renewTime"].as_str().unwrap_or("").to_string(),
            duration_seconds: spec["leaseDurationSeconds"].as_i64().unwrap_or(0),
            transitions: spec["leaseTransitions"].as_i64().unwrap_or(0),
        }
    }
}

/// What a candidate does with the Lease it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseAction {
    /// No Lease: create it, holding it.
    Create,
    /// Ours: renew it.
    Renew,
    /// Released, or not renewed for its duration: take it over.
    TakeOver,
    /// Someone else holds it: wait.
    Follow,
}

/// The pure decision: `unchanged_for` is how long this candidate has seen the same record.
pub fn decide(record: Option<&LeaseRecord>, me: &str, unchanged_for: Duration) -> LeaseAction {
    let Some(record) = record else {
        return LeaseAction::Create;
    };
    if record.holder == me {
        return LeaseAction::Renew;
    }
    let duration = Duration::from_secs(u64::try_from(record.duration_seconds).unwrap_or(0));
    if record.holder.is_empty() || unchanged_for >= duration {
        LeaseAction::TakeOver
    } else {
        LeaseAction::Follow
    }
}

fn lease_resource() -> ApiResource {
    ApiResource {
        group: "coordination.k8s.io".into(),
        version: "v1".into(),
        api_version: "coordination.k8s.io/v1".into(),
        kind: "Lease".into(),
        plural: "leases".into(),
    }
}

/// A candidate: call [`Elector::round`] every renew period.
pub struct Elector {
    api: Api<DynamicObject>,
    election: LeaderElection,
    observed: Option<(LeaseRecord, Instant)>,
    last_renewed: Option<Instant>,
    leader: watch::Sender<bool>,
}

impl Elector {
    /// A candidate reporting whether it leads on `leader`.
    pub fn new(client: kube::Client, election: LeaderElection) -> (Self, watch::Receiver<bool>) {
        let (leader, receiver) = watch::channel(false);
        let api = Api::namespaced_with(client, &election.namespace, &lease_resource());
        (
            Self {
                api,
                election,
                observed: None,
                last_renewed: None,
                leader,
            },
            receiver,
        )
    }

    /// One look at the Lease: create, renew, take over or follow; steps down when renewals
    /// have failed for two thirds of the duration.
    pub async fn round(&mut self) {
        let leads = match self.try_round().await {
            Ok(leads) => leads,
            Err(error) => {
                eprintln!("controller: leader election: {error}");
                self.last_renewed
                    .is_some_and(|renewed| renewed.elapsed() < self.election.lease_duration * 2 / 3)
            }
        };
        if !leads {
            self.last_renewed = None;
        }
        if *self.leader.borrow() != leads {
            eprintln!(
                "controller: {} {} leader (Lease {}/{})",
                self.election.identity,
                if leads { "is now" } else { "is no longer" },
                self.election.namespace,
                self.election.name
            );
            self.leader.send_replace(leads);
        }
    }

    async fn try_round(&mut self) -> Result<bool> {
        let existing = match self.api.get_opt(&self.election.name).await {
            Ok(existing) => existing,
            Err(source) => return Err(self.error("reading", source)),
        };
        let record = existing.as_ref().map(|object| {
            LeaseRecord::from_object(&serde_json::to_value(object).unwrap_or_default())
        });
        let now = Instant::now();
        let unchanged_for = match (&self.observed, &record) {
            (Some((seen, since)), Some(record)) if seen == record => now.duration_since(*since),
            _ => {
                self.observed = record.clone().map(|record| (record, now));
                Duration::ZERO
            }
        };
        let action = decide(record.as_ref(), &self.election.identity, unchanged_for);
        let written = match (action, existing) {
            (LeaseAction::Follow, _) => return Ok(false),
            (LeaseAction::Create, _) => {
                let object = self.lease_object(None, 0, true);
                let object: DynamicObject =
                    serde_json::from_value(object).map_err(|error| Error::Application {
                        name: self.election.name.clone(),
                        message: error.to_string(),
                    })?;
                self.api.create(&PostParams::default(), &object).await
            }
            (action, Some(existing)) => {
                let record = record.unwrap_or_default();
                let take_over = action == LeaseAction::TakeOver;
                let transitions = record.transitions + i64::from(take_over);
                let mut object = self.lease_object(
                    existing.metadata.resource_version.clone(),
                    transitions,
                    take_over,
                );
                if !take_over {
                    object["spec"]["acquireTime"] = serde_json::to_value(&existing)
                        .unwrap_or_default()["spec"]["acquireTime"]
                        .clone();
                }
                let object: DynamicObject =
                    serde_json::from_value(object).map_err(|error| Error::Application {
                        name: self.election.name.clone(),
                        message: error.to_string(),
                    })?;
                self.api
                    .replace(&self.election.name, &PostParams::default(), &object)
                    .await
            }
            (_, None) => return Ok(false),
        };
        match written {
            Ok(_) => {
                self.last_renewed = Some(Instant::now());
                Ok(true)
            }
            // Another candidate wrote first.
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
            Err(source) => Err(self.error("writing", source)),
        }
    }

    /// Releases the Lease if this candidate holds it (empty holder, so another takes it at
    /// once).
    pub async fn release(&mut self) {
        if !*self.leader.borrow() {
            return;
        }
        self.leader.send_replace(false);
        let Ok(Some(existing)) = self.api.get_opt(&self.election.name).await else {
            return;
        };
        let mut object = serde_json::to_value(&existing).unwrap_or_default();
        if object["spec"]["holderIdentity"].as_str() != Some(self.election.identity.as_str()) {
            return;
        }
        object["spec"]["holderIdentity"] = Value::Null;
        object["spec"]["leaseDurationSeconds"] = 1.into();
        object["spec"]["renewTime"] = micro_time(SystemTime::now()).into();
        if let Ok(object) = serde_json::from_value::<DynamicObject>(object) {
            let _ = self
                .api
                .replace(&self.election.name, &PostParams::default(), &object)
                .await;
        }
    }

    fn lease_object(&self, version: Option<String>, transitions: i64, acquire: bool) -> Value {
        let now = micro_time(SystemTime::now());
        let mut object = json!({
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": self.election.name, "namespace": self.election.namespace},
            "spec": {
                "holderIdentity": self.election.identity,
                "leaseDurationSeconds": self.election.lease_duration.as_secs().max(1),
                "renewTime": now,
                "leaseTransitions": transitions,
            }
        });
        if acquire {
            object["spec"]["acquireTime"] = now.into();
        }
        if let Some(version) = version {
            object["metadata"]["resourceVersion"] = version.into();
        }
        object
    }

    fn error(&self, action: &str, source: kube::Error) -> Error {
        Error::Kube {
            action: format!(
                "{action} Lease {}/{}",
                self.election.namespace, self.election.name
            ),
            source,
        }
    }
}

/// A Kubernetes MicroTime: RFC 3339 with microseconds, UTC.
pub fn micro_time(instant: SystemTime) -> String {
    let since = instant.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = crate::status::rfc3339(UNIX_EPOCH + Duration::from_secs(since.as_secs()));
    format!(
        "{}.{:06}Z",
        seconds.trim_end_matches('Z'),
        since.subsec_micros()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held_by(holder: &str) -> LeaseRecord {
        LeaseRecord {
            holder: holder.into(),
            renew_time: "2026-11-26T12:00:00.000000Z".into(),
            duration_seconds: 15,
            transitions: 0,
        }
    }

    #[test]
    fn a_missing_lease_is_created_and_our_own_is_renewed() {
        assert_eq!(decide(None, "a", Duration::ZERO), LeaseAction::Create);
        assert_eq!(
            decide(Some(&held_by("a")), "a", Duration::ZERO),
            LeaseAction::Renew
        );
    }

    #[test]
    fn another_holders_lease_is_taken_over_only_after_its_duration_without_renewal() {
        let lease = held_by("b");
        assert_eq!(
            decide(Some(&lease), "a", Duration::from_secs(14)),
            LeaseAction::Follow
        );
        assert_eq!(
            decide(Some(&lease), "a", Duration::from_secs(15)),
            LeaseAction::TakeOver
        );
        assert_eq!(
            decide(Some(&held_by("")), "a", Duration::ZERO),
            LeaseAction::TakeOver
        );
    }

    #[test]
    fn micro_time_has_six_fraction_digits() {
        let instant = UNIX_EPOCH + Duration::from_micros(1_764_158_400_000_123);
        assert_eq!(micro_time(instant), "2025-11-26T12:00:00.000123Z");
    }
}
