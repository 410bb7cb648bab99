//! Waiting for a wave: its objects are read again until every one is healthy (objects whose
//! kind has no health check count as healthy once applied), one is Degraded, or time is up.
//! The decision is pure ([`wave_health`]); [`wait_for_wave`] polls and steps it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use ferry_health::Health;
use ferry_types::{HealthStatusCode, ObjectKey};
use futures_util::{FutureExt, StreamExt, TryStreamExt, stream};
use tokio::time::Instant;

use super::SyncEvent;
use crate::Result;
use crate::client::{ClusterClient, ResourceInfo};

/// Reads in flight at once while waiting.
const CONCURRENT_READS: usize = 32;

/// An object a wave waits for.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    /// The index of its step in the plan.
    pub index: usize,
    /// The object.
    pub key: ObjectKey,
    /// Its resource.
    pub resource: Arc<ResourceInfo>,
    /// Its health as last seen; `None` for kinds without a check.
    pub health: Option<Health>,
}

/// Where a wave stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WaveHealth {
    /// Every object is Healthy or Suspended, or has no health check.
    Healthy,
    /// An object is still on its way (Progressing, Missing, Unknown).
    Waiting {
        /// The first such object.
        key: ObjectKey,
        /// Its health.
        health: Health,
    },
    /// An object failed.
    Degraded {
        /// The first failed object.
        key: ObjectKey,
        /// Its health.
        health: Health,
    },
}

/// The state of a wave from its objects' health, pure.
pub(crate) fn wave_health(members: &[Member]) -> WaveHealth {
    if let Some(member) = members.iter().find(|member| {
        member
            .health
            .as_ref()
            .is_some_and(|health| health.status == HealthStatusCode::Degraded)
    }) {
        return WaveHealth::Degraded {
            key: member.key.clone(),
            health: member
                .health
                .clone()
                .unwrap_or_else(|| Health::degraded("")),
        };
    }
    for member in members {
        if let Some(health) = &member.health
            && !matches!(
                health.status,
                HealthStatusCode::Healthy | HealthStatusCode::Suspended
            )
        {
            return WaveHealth::Waiting {
                key: member.key.clone(),
                health: health.clone(),
            };
        }
    }
    WaveHealth::Healthy
}

/// How waiting ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WaitOutcome {
    /// Every object is healthy.
    Healthy,
    /// An object is Degraded.
    Degraded(ObjectKey, Health),
    /// The deadline passed while an object was not yet healthy.
    TimedOut(ObjectKey, Health),
}

/// Polls `members` until the wave is healthy, an object degrades, or `deadline` passes;
/// `members` keep the last health seen. Sends a [`SyncEvent::Health`] when one changes.
pub(crate) async fn wait_for_wave(
    client: &ClusterClient,
    members: &mut [Member],
    deadline: Instant,
    poll_interval: Duration,
    progress: &mut (dyn FnMut(&SyncEvent) + Send),
) -> Result<WaitOutcome> {
    loop {
        match wave_health(members) {
            WaveHealth::Healthy => return Ok(WaitOutcome::Healthy),
            WaveHealth::Degraded { key, health } => return Ok(WaitOutcome::Degraded(key, health)),
            WaveHealth::Waiting { key, health } => {
                if Instant::now() + poll_interval > deadline {
                    return Ok(WaitOutcome::TimedOut(key, health));
                }
            }
        }
        tokio::time::sleep(poll_interval).await;
        let pending: Vec<usize> = members
            .iter()
            .enumerate()
            .filter(|(_, member)| {
                member.health.as_ref().is_some_and(|health| {
                    !matches!(
                        health.status,
                        HealthStatusCode::Healthy | HealthStatusCode::Suspended
                    )
                })
            })
            .map(|(index, _)| index)
            .collect();
        let readings: BTreeMap<usize, Option<Health>> = stream::iter(pending)
            .map(|index| {
                let member = &members[index];
                async move {
                    let live = client.get_key(&member.resource, &member.key).await?;
                    let health = match live {
                        Some(object) => ferry_health::assess(&object),
                        None => Some(Health::new(HealthStatusCode::Missing, "not found")),
                    };
                    Ok::<_, crate::Error>((index, health))
                }
                .boxed()
            })
            .buffer_unordered(CONCURRENT_READS)
            .try_collect()
            .await?;
        for (index, health) in readings {
            let member = &mut members[index];
            if member.health != health {
                if let Some(health) = &health {
                    progress(&SyncEvent::Health {
                        key: member.key.clone(),
                        health: health.status,
                        message: health.message.clone(),
                    });
                }
                member.health = health;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, health: Option<Health>) -> Member {
        Member {
            index: 0,
            key: ObjectKey {
                group: "apps".into(),
                kind: "Deployment".into(),
                namespace: "shop".into(),
                name: name.into(),
            },
            resource: Arc::new(ResourceInfo {
                group: "apps".into(),
                version: "v1".into(),
                kind: "Deployment".into(),
                plural: "deployments".into(),
                namespaced: true,
                listable: true,
            }),
            health,
        }
    }

    #[test]
    fn objects_without_a_health_check_count_as_healthy_once_applied() {
        let members = [member("a", None), member("b", Some(Health::healthy("")))];
        assert_eq!(wave_health(&members), WaveHealth::Healthy);
    }

    #[test]
    fn a_progressing_object_keeps_the_wave_waiting() {
        let members = [
            member("a", Some(Health::healthy(""))),
            member("b", Some(Health::progressing("rolling out"))),
        ];
        assert!(matches!(
            wave_health(&members),
            WaveHealth::Waiting { key, .. } if key.name == "b"
        ));
    }

    #[test]
    fn a_degraded_object_ends_the_wave_even_when_others_progress() {
        let members = [
            member("a", Some(Health::progressing(""))),
            member("b", Some(Health::degraded("ProgressDeadlineExceeded"))),
        ];
        assert_eq!(
            wave_health(&members),
            WaveHealth::Degraded {
                key: members[1].key.clone(),
                health: Health::degraded("ProgressDeadlineExceeded")
            }
        );
    }

    #[test]
    fn a_suspended_object_does_not_hold_the_wave() {
        let members = [member("a", Some(Health::suspended("paused")))];
        assert_eq!(wave_health(&members), WaveHealth::Healthy);
    }
}
