//! The GitOps loop of ferry. [`Controller`] installs the `applications.ferry.dev` and
//! `appprojects.ferry.dev` CRDs, then
//! lists Applications, refreshes each from Git on its poll interval (or at once on the
//! `ferry.dev/refresh` annotation, a spec change or a requested `.operation`), compares it with
//! the cluster through the engine and writes `.status` with Argo CD's field names. It syncs
//! when `syncPolicy.automated` is set and carries out manual syncs requested through
//! `.operation`, recording the operation state before acting and the history after. Between
//! polls it checks the objects each app manages (`drift`): a change or deletion makes the app
//! due at once, so `selfHeal` reverts drift within about a second (with backoff). `ops` is
//! what `ferry app` does to Applications: request a sync, roll back (switching automation
//! off), switch automation on again, list and read them. `project` checks an app against its
//! AppProject (a violation applies nothing), `events` writes Kubernetes Events on Applications
//! (best-effort), `install` is what `ferry install` prints or applies, and `signal` is what
//! the loop reports as it works (reconciles, fetches, syncs, drift), for `ferry server`.

#![deny(missing_docs)]

mod apps;
mod argo;
mod crd;
mod decide;
mod drift;
mod error;
mod events;
mod finalize;
mod install;
mod lease;
mod ops;
mod project;
mod reconcile;
mod run;
mod schema;
mod signal;
mod source;
mod status;
mod store;
mod timings;
mod watch;

pub use apps::Context;
pub use argo::{
    ARGO_API_VERSION, MIRROR_ANNOTATION, argo_application_crd, mirror_of, status_patch,
};
pub use crd::{APPLICATION_CRD_NAME, application_crd, appproject_crd, install_crds};
pub use decide::{WaitFor, Waited, automated_request, wait_state, with_operation_options};
pub use drift::{
    BACKOFF_BASE, BACKOFF_MAX, BACKOFF_RESET, Backoff, Fingerprints, MAX_TRACKED_OBJECTS,
    ObjectCache, Print, fingerprint,
};
pub use error::{Error, Result};
pub use events::{AppEvent, EVENT_COMPONENT, EventRecorder, event_object, status_events};
pub use finalize::{RESOURCES_FINALIZER, awaits_cascade, resources_finalizers};
pub use install::{INSTALL_NAMESPACE, apply_install, default_image, install_objects};
pub use lease::{LEASE_NAME, LeaderElection, LeaseAction, LeaseRecord, decide, micro_time};
pub use ops::{
    NewApplication, automated, create_application, delete_application, get_application,
    list_applications, request_sync, rollback, rollback_target, set_auto_sync, sync_operation,
};
pub use project::{
    APPPROJECT_CRD_NAME, AppProjectSpec, GroupKind, ProjectDestination, Violation, check,
    glob_match, project_for,
};
pub use reconcile::{Outcome, reconcile};
pub use run::{Controller, ControllerConfig, FETCH_RETRY_BASE, REFRESH_ANNOTATION, State};
pub use signal::{AppRef, Signal, Signals};
pub use source::{Fetched, fetch_and_render};
pub use status::{DEFAULT_HISTORY_LIMIT, now_rfc3339, push_history, rfc3339};
pub use timings::{Mark, timings};
