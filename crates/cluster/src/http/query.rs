//! The query parameters the verbs read, parsed once.

/// Query parameters of a resource request; unknown parameters are ignored like the real server does.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// `watch=true|1`.
    pub watch: bool,
    /// `resourceVersion`.
    pub resource_version: Option<String>,
    /// `resourceVersionMatch`.
    pub resource_version_match: Option<String>,
    /// `labelSelector`.
    pub label_selector: Option<String>,
    /// `fieldSelector`.
    pub field_selector: Option<String>,
    /// `limit`.
    pub limit: Option<String>,
    /// `continue`.
    pub continue_token: Option<String>,
    /// `timeoutSeconds`.
    pub timeout_seconds: Option<String>,
    /// `allowWatchBookmarks=true`.
    pub allow_watch_bookmarks: bool,
    /// `sendInitialEvents` (`Some(true)`, `Some(false)` or absent).
    pub send_initial_events: Option<bool>,
    /// `dryRun` values.
    pub dry_run: Vec<String>,
    /// `fieldManager`.
    pub field_manager: Option<String>,
    /// `fieldValidation`.
    pub field_validation: Option<String>,
    /// `force`.
    pub force: Option<bool>,
    /// `propagationPolicy`.
    pub propagation_policy: Option<String>,
    /// `gracePeriodSeconds`.
    pub grace_period_seconds: Option<String>,
    /// `includeObject` (Table rows: `None`, `Metadata`, `Object`).
    pub include_object: Option<String>,
}

fn boolean(value: &str) -> bool {
    matches!(value, "true" | "1" | "True" | "TRUE")
}

impl Query {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> Query {
        let mut query = Query::default();
        let Some(raw) = raw else { return query };
        for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
            let value = value.into_owned();
            match key.as_ref() {
                "watch" => query.watch = boolean(&value),
                "resourceVersion" => query.resource_version = Some(value),
                "resourceVersionMatch" => query.resource_version_match = Some(value),
                "labelSelector" => query.label_selector = Some(value),
                "fieldSelector" => query.field_selector = Some(value),
                "limit" => query.limit = Some(value),
                "continue" => query.continue_token = Some(value),
                "timeoutSeconds" => query.timeout_seconds = Some(value),
                "allowWatchBookmarks" => query.allow_watch_bookmarks = boolean(&value),
                "sendInitialEvents" => query.send_initial_events = Some(boolean(&value)),
                "dryRun" => query.dry_run.push(value),
                "fieldManager" => query.field_manager = Some(value),
                "fieldValidation" => query.field_validation = Some(value),
                "force" => query.force = Some(boolean(&value)),
                "propagationPolicy" => query.propagation_policy = Some(value),
                "gracePeriodSeconds" => query.grace_period_seconds = Some(value),
                "includeObject" => query.include_object = Some(value),
                _ => {}
            }
        }
        query
    }

    /// True for `dryRun=All`.
    pub fn is_dry_run(&self) -> bool {
        self.dry_run.iter().any(|value| value == "All")
    }
}
