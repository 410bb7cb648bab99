//! The GitOps loop of ferry. [`Controller`] installs the `applications.ferry.dev` CRD, then
//! lists Applications, refreshes each from Git on its poll interval (or at once on the
//! `ferry.dev/refresh` annotation, a spec change or a requested `.operation`), compares it with
//! the cluster through the engine and writes `.status` with Argo CD's field names. It syncs
//! when `syncPolicy.automated` is set and carries out manual syncs requested through
//! `.operation`, recording the operation state before acting and the history after. Between
//! polls it checks the objects each app manages (`drift`): a change or deletion makes the app
//! due at once, so `selfHeal` reverts drift within about a second (with backoff). `ops` is
//! what `ferry app` does to Applications: request a sync, roll back (switching automation
//! off), switch automation on again, list and read them.

#![deny(missing_docs)]

mod apps;
mod crd;
mod decide;
mod drift;
mod error;
mod ops;
mod reconcile;
mod run;
mod source;
mod status;

pub use apps::Context;
pub use crd::{APPLICATION_CRD_NAME, application_crd, install_crds};
pub use decide::automated_request;
pub use drift::{
    BACKOFF_BASE, BACKOFF_MAX, BACKOFF_RESET, Backoff, Fingerprints, MAX_TRACKED_OBJECTS,
    fingerprint, fingerprints,
};
pub use error::{Error, Result};
pub use ops::{
    automated, get_application, list_applications, request_sync, rollback, rollback_target,
    set_auto_sync, sync_operation,
};
pub use reconcile::{Outcome, reconcile};
pub use run::{Controller, ControllerConfig, REFRESH_ANNOTATION, State};
pub use source::{Fetched, fetch_and_render};
pub use status::{DEFAULT_HISTORY_LIMIT, now_rfc3339, push_history, rfc3339};
