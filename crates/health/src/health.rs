//! The outcome of an assessment, and the health of a group of objects.

use ferry_types::HealthStatusCode;

/// The health of one object, or of an application: a ranked status and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// Where the object stands, ranked best to worst.
    pub status: HealthStatusCode,
    /// Why, in words; empty when there is nothing to add to the status.
    pub message: String,
}

impl Health {
    /// A health with the given status and message.
    pub fn new(status: HealthStatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// Running as declared.
    pub fn healthy(message: impl Into<String>) -> Self {
        Self::new(HealthStatusCode::Healthy, message)
    }

    /// Paused or waiting on purpose.
    pub fn suspended(message: impl Into<String>) -> Self {
        Self::new(HealthStatusCode::Suspended, message)
    }

    /// On its way to healthy.
    pub fn progressing(message: impl Into<String>) -> Self {
        Self::new(HealthStatusCode::Progressing, message)
    }

    /// Failed, or will not become healthy without a change.
    pub fn degraded(message: impl Into<String>) -> Self {
        Self::new(HealthStatusCode::Degraded, message)
    }

    /// Health cannot be assessed.
    pub fn unknown(message: impl Into<String>) -> Self {
        Self::new(HealthStatusCode::Unknown, message)
    }
}

/// The health of an application: the worst status among its objects, with the message of the
/// first object that has it. An application with no objects is Healthy.
pub fn aggregate<'a>(items: impl IntoIterator<Item = &'a Health>) -> Health {
    let mut worst: Option<&Health> = None;
    for item in items {
        if worst.is_none_or(|current| item.status > current.status) {
            worst = Some(item);
        }
    }
    worst.cloned().unwrap_or_else(|| Health::healthy(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_application_without_objects_is_healthy() {
        assert_eq!(aggregate([]), Health::healthy(""));
    }

    #[test]
    fn an_application_takes_the_worst_health_and_its_first_message() {
        let items = [
            Health::healthy("fine"),
            Health::degraded("first failure"),
            Health::progressing("rolling out"),
            Health::degraded("second failure"),
            Health::suspended("paused"),
        ];
        assert_eq!(aggregate(&items), Health::degraded("first failure"));
    }

    #[test]
    fn unknown_outranks_degraded_and_missing_outranks_progressing() {
        let items = [Health::degraded("a"), Health::unknown("b")];
        assert_eq!(aggregate(&items).status, HealthStatusCode::Unknown);
        let items = [
            Health::progressing("a"),
            Health::new(HealthStatusCode::Missing, "b"),
        ];
        assert_eq!(aggregate(&items).status, HealthStatusCode::Missing);
    }

    #[test]
    fn suspended_is_worse_than_healthy_only() {
        let items = [Health::healthy("a"), Health::suspended("b")];
        assert_eq!(aggregate(&items).status, HealthStatusCode::Suspended);
        let items = [Health::suspended("a"), Health::progressing("b")];
        assert_eq!(aggregate(&items).status, HealthStatusCode::Progressing);
    }
}
