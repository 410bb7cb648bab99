//! Waiting for the example's apps, and the table the quickstart prints: pure functions of
//! the Applications read.

use ferry_types::{Application, HealthStatusCode, SyncStatusCode};

/// The apps the quickstart deploys, in the order they become ready.
pub(crate) const APPS: [&str; 3] = ["reai-root", "reai-staging", "reai-production"];

/// Whether every one of [`APPS`] is in `apps`, Synced and Healthy, as reconciled at or after
/// `since` (RFC 3339, UTC, whole seconds: the controller's format, so text order is time
/// order); a status left by an earlier run does not count.
pub(crate) fn all_ready(apps: &[Application], since: &str) -> bool {
    APPS.iter().all(|name| {
        apps.iter()
            .find(|app| app.metadata.name == *name)
            .is_some_and(|app| ready(app, since))
    })
}

fn ready(app: &Application, since: &str) -> bool {
    app.status.as_ref().is_some_and(|status| {
        status.sync.status == SyncStatusCode::Synced
            && status.health.status == HealthStatusCode::Healthy
            && status
                .reconciled_at
                .as_deref()
                .is_some_and(|reconciled| reconciled >= since)
    })
}

/// One line per app: `name: Sync/Health`, for progress output; apps not yet there are
/// `waiting`.
pub(crate) fn summary(apps: &[Application]) -> Vec<String> {
    APPS.iter()
        .map(
            |name| match apps.iter().find(|app| app.metadata.name == *name) {
                None => format!("{name}: waiting to be created"),
                Some(app) => match &app.status {
                    None => format!("{name}: waiting for the controller"),
                    Some(status) => {
                        let mut line = format!(
                            "{name}: {:?}/{:?}",
                            status.sync.status, status.health.status
                        );
                        if let Some(condition) = status.conditions.first() {
                            line.push_str(&format!(" ({})", condition.message));
                        }
                        line
                    }
                },
            },
        )
        .collect()
}

/// The status table: NAME, SYNC, HEALTH, REVISION (12 characters), OBJECTS, DEPLOYS.
pub(crate) fn table(apps: &[Application]) -> String {
    let header = ["NAME", "SYNC", "HEALTH", "REVISION", "OBJECTS", "DEPLOYS"].map(String::from);
    let rows = std::iter::once(header.to_vec()).chain(apps.iter().map(|app| {
        let status = app.status.clone().unwrap_or_default();
        let revision: String = status.sync.revision.chars().take(12).collect();
        vec![
            app.metadata.name.clone(),
            format!("{:?}", status.sync.status),
            format!("{:?}", status.health.status),
            revision,
            status.resources.len().to_string(),
            status.history.len().to_string(),
        ]
    }));
    ferry_telemetry::columns(&rows.collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn app(name: &str, sync: &str, health: &str, history: usize) -> Application {
        let history: Vec<_> = (0..history)
            .map(|id| json!({"id": id, "revision": "0123456789abcdef", "deployedAt": "2026-11-26T10:00:00Z"}))
            .collect();
        let value = json!({
            "apiVersion": "ferry.dev/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "ferry"},
            "spec": {"destination": {"namespace": "x"}, "source": {"repoURL": "file:///r", "path": "."}},
            "status": {"sync": {"status": sync, "revision": "0123456789abcdef0123"},
                       "reconciledAt": "2026-11-26T10:00:05Z",
                       "health": {"status": health},
                       "resources": [{"kind": "Deployment", "name": "web"}],
                       "history": history}
        });
        Application::from_value(value, "test").unwrap().0
    }

    #[test]
    fn the_quickstart_is_ready_only_when_all_three_apps_are_synced_and_healthy() {
        let mut apps = vec![
            app("reai-root", "Synced", "Healthy", 1),
            app("reai-staging", "Synced", "Healthy", 1),
        ];
        let since = "2026-11-26T10:00:05Z";
        assert!(!all_ready(&apps, since));
        apps.push(app("reai-production", "OutOfSync", "Missing", 0));
        assert!(!all_ready(&apps, since));
        apps[2] = app("reai-production", "Synced", "Healthy", 1);
        assert!(all_ready(&apps, since));
        assert!(
            !all_ready(&apps, "2026-11-26T10:00:06Z"),
            "a status from before the start does not count"
        );
    }

    #[test]
    fn the_summary_names_apps_not_yet_created() {
        let apps = vec![app("reai-root", "Synced", "Progressing", 1)];
        assert_eq!(
            summary(&apps),
            [
                "reai-root: Synced/Progressing",
                "reai-staging: waiting to be created",
                "reai-production: waiting to be created"
            ]
        );
    }

    #[test]
    fn the_table_aligns_columns_and_shortens_revisions() {
        let apps = vec![
            app("reai-root", "Synced", "Healthy", 1),
            app("reai-production", "OutOfSync", "Degraded", 12),
        ];
        assert_eq!(
            table(&apps),
            "NAME             SYNC       HEALTH    REVISION      OBJECTS  DEPLOYS\n\
             reai-root        Synced     Healthy   0123456789ab  1        1\n\
             reai-production  OutOfSync  Degraded  0123456789ab  1        12\n"
        );
    }
}
