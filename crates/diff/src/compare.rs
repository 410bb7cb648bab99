//! Comparing one object: desired (and the server's prediction of it) against live.

use std::borrow::Cow;

use ferry_types::{ResourceIgnoreDifferences, SyncStatusCode};
use serde_json::{Map, Value};

use crate::fields::{FieldSet, fields_owned_by};
use crate::normalize::normalize_with;
use crate::object::{is_secret, key_of};
use crate::render::unified_diff;
use crate::{Error, Result};

/// The field manager ferry applies with; fields other managers own alone are not drift
/// unless ferry's manifest sets them.
pub const FIELD_MANAGER: &str = "ferry";

/// The outcome of comparing one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// Synced, OutOfSync, Missing or Extraneous.
    pub status: ResourceDiffStatus,
    /// Unified YAML diff from live to desired, plain text, Secret values masked; `None` when
    /// synced.
    pub diff: Option<String>,
}

/// How one object's live state relates to its desired state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceDiffStatus {
    /// Live matches desired.
    Synced,
    /// Live differs from desired.
    OutOfSync,
    /// Desired, not live.
    Missing,
    /// Live and tracked by the application, no longer desired.
    Extraneous,
}

impl ResourceDiffStatus {
    /// The application-level sync status: anything but `Synced` is `OutOfSync`.
    pub fn sync_status(self) -> SyncStatusCode {
        match self {
            Self::Synced => SyncStatusCode::Synced,
            Self::OutOfSync | Self::Missing | Self::Extraneous => SyncStatusCode::OutOfSync,
        }
    }
}

/// Compares one object. `desired` is the manifest as rendered, `predicted` the result of a
/// server-side-apply dry-run of it by [`FIELD_MANAGER`] (`None` when the object does not
/// exist), `live` the object as read (`None` if missing).
///
/// `predicted` and `live` are compared after [`crate::normalize`], with the
/// `managedFieldsManagers` fields read from the live object on both sides. A field of the
/// live object that only managers other than [`FIELD_MANAGER`] own, and that `desired`
/// does not set, is left out of both sides. An object that is desired and live needs
/// `predicted`: comparing with the raw manifest would report every server default as drift.
pub fn compare(
    desired: Option<&Value>,
    predicted: Option<&Value>,
    live: Option<&Value>,
    ignore: &[ResourceIgnoreDifferences],
) -> Result<Comparison> {
    let nothing = FieldSet::default();
    match (desired, live) {
        (None, None) => Err(Error::NothingToCompare),
        (None, Some(live)) => {
            let live = normalize_with(live, ignore, live, &nothing)?;
            Ok(Comparison {
                status: ResourceDiffStatus::Extraneous,
                diff: Some(unified_diff(&key_of(&live), Some(&live), None, false)),
            })
        }
        (Some(desired), None) => {
            let shown = predicted.unwrap_or(desired);
            let shown = normalize_with(shown, ignore, shown, &nothing)?;
            Ok(Comparison {
                status: ResourceDiffStatus::Missing,
                diff: Some(unified_diff(&key_of(desired), None, Some(&shown), false)),
            })
        }
        (Some(desired), Some(live)) => {
            let predicted = predicted.ok_or_else(|| Error::MissingPrediction {
                object: key_of(desired),
            })?;
            let others_alone = fields_owned_by(live, |manager| manager != FIELD_MANAGER)
                .difference(&fields_owned_by(live, |manager| manager == FIELD_MANAGER))
                .not_set_in(&as_stored(desired));
            let left = normalize_with(live, ignore, live, &others_alone)?;
            let right = normalize_with(predicted, ignore, live, &others_alone)?;
            if left == right {
                return Ok(Comparison {
                    status: ResourceDiffStatus::Synced,
                    diff: None,
                });
            }
            Ok(Comparison {
                status: ResourceDiffStatus::OutOfSync,
                diff: Some(unified_diff(
                    &key_of(desired),
                    Some(&left),
                    Some(&right),
                    false,
                )),
            })
        }
    }
}

/// The manifest as the server stores its fields: a Secret's `stringData` keys are `data`
/// keys, so a `data` value another manager wrote is still a field ferry sets.
fn as_stored(desired: &Value) -> Cow<'_, Value> {
    let string_data = match desired.get("stringData") {
        Some(Value::Object(string_data)) if is_secret(desired) => string_data,
        _ => return Cow::Borrowed(desired),
    };
    let mut stored = desired.clone();
    if let Some(object) = stored.as_object_mut() {
        let data = object
            .entry("data")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(data) = data {
            for (key, value) in string_data {
                data.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
    }
    Cow::Owned(stored)
}
