//! The ranked health of an object or an application.

use serde::{Deserialize, Serialize};

/// Health, ranked from best to worst as Argo CD ranks it: the health of a group of objects
/// is the worst of theirs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub enum HealthStatusCode {
    /// Running as declared.
    Healthy,
    /// Paused or waiting on purpose (a suspended CronJob, a paused rollout).
    Suspended,
    /// On its way to healthy.
    Progressing,
    /// Declared but absent from the cluster.
    Missing,
    /// Failed, or will not become healthy without a change.
    Degraded,
    /// Health cannot be assessed.
    #[default]
    Unknown,
}

impl HealthStatusCode {
    /// The worse of two health codes.
    pub fn worst(self, other: Self) -> Self {
        self.max(other)
    }
}

#[cfg(test)]
mod tests {
    use super::HealthStatusCode::*;

    #[test]
    fn the_worst_health_wins_in_argo_order() {
        assert_eq!(Healthy.worst(Progressing), Progressing);
        assert_eq!(Degraded.worst(Missing), Degraded);
        assert_eq!(Suspended.worst(Healthy), Suspended);
        assert_eq!(Unknown.worst(Degraded), Unknown);
    }
}
