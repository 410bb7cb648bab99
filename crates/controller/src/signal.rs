//! What the loop reports as it works, as data: reconciles, Git fetches, finished syncs, drift
//! noticed and healed, health changes. `ferry server` turns these into metrics, notifications
//! and its live stream. They travel on a broadcast channel: sending never waits, and a
//! listener that falls behind loses the oldest signals, never slows reconciliation.

use std::time::Duration;

use ferry_types::{Application, HealthStatusCode, OperationPhase, SyncStatusCode};
use tokio::sync::broadcast;

/// Which Application a signal is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppRef {
    /// Namespace of the Application object.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its AppProject (`default` when unset).
    pub project: String,
}

impl AppRef {
    /// The reference of `app`.
    pub fn of(app: &Application) -> Self {
        Self {
            namespace: app.metadata.namespace.clone().unwrap_or_default(),
            name: app.metadata.name.clone(),
            project: app.project().to_string(),
        }
    }
}

/// One thing the controller did or saw.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// One reconcile finished (status written or not).
    Reconciled {
        /// The app.
        app: AppRef,
        /// How long the reconcile took, sync included.
        duration: Duration,
        /// Sync status written.
        sync: SyncStatusCode,
        /// Health written.
        health: HealthStatusCode,
        /// The revision compared (empty when the fetch failed).
        revision: String,
        /// The error written as a condition, if any.
        error: Option<String>,
    },
    /// One fetch of a repository (with the render of the app's source) finished.
    GitFetched {
        /// The repository URL as the app names it.
        repo: String,
        /// How long fetch and render took.
        duration: Duration,
        /// Whether it succeeded.
        ok: bool,
    },
    /// A sync operation ended.
    SyncFinished {
        /// The app.
        app: AppRef,
        /// How it ended.
        phase: OperationPhase,
        /// From the operation's start to its end.
        duration: Duration,
        /// The revision synced.
        revision: String,
        /// Automated, or requested by a user.
        automated: bool,
        /// Who asked (empty for automation).
        username: String,
        /// The engine's message.
        message: String,
        /// Whether it was a dry run (not a deployment).
        dry_run: bool,
    },
    /// Managed objects differ from what the last reconcile left.
    DriftDetected {
        /// The app.
        app: AppRef,
        /// The drifted objects, `Kind/namespace/name`.
        objects: Vec<String>,
    },
    /// A drift-triggered sync succeeded and the app is Synced again.
    DriftHealed {
        /// The app.
        app: AppRef,
    },
    /// The app's health changed between two reconciles.
    HealthChanged {
        /// The app.
        app: AppRef,
        /// Before.
        from: HealthStatusCode,
        /// After.
        to: HealthStatusCode,
        /// The revision the app was compared with.
        revision: String,
    },
}

impl Signal {
    /// The app the signal is about, when it is about one.
    pub fn app(&self) -> Option<&AppRef> {
        match self {
            Signal::Reconciled { app, .. }
            | Signal::SyncFinished { app, .. }
            | Signal::DriftDetected { app, .. }
            | Signal::DriftHealed { app }
            | Signal::HealthChanged { app, .. } => Some(app),
            Signal::GitFetched { .. } => None,
        }
    }
}

/// The sending side, cheap to clone; `Signals::default()` sends nowhere.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    sender: Option<broadcast::Sender<Signal>>,
}

impl Signals {
    /// A channel keeping up to `capacity` unread signals per listener.
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        Self {
            sender: Some(sender),
        }
    }

    /// A new listener, seeing signals sent from now on; `None` for `Signals::default()`.
    pub fn subscribe(&self) -> Option<broadcast::Receiver<Signal>> {
        self.sender.as_ref().map(broadcast::Sender::subscribe)
    }

    /// Sends to every listener; never waits, and without listeners the signal is dropped.
    pub fn send(&self, signal: Signal) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(signal);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> AppRef {
        AppRef {
            namespace: "ferry".into(),
            name: "web".into(),
            project: "default".into(),
        }
    }

    #[test]
    fn a_listener_receives_what_is_sent_after_it_subscribed() {
        let signals = Signals::new(4);
        signals.send(Signal::DriftHealed { app: app() });
        let mut listener = signals.subscribe().unwrap();
        signals.send(Signal::DriftDetected {
            app: app(),
            objects: vec!["Deployment/ferry/web".into()],
        });
        let received = listener.try_recv().unwrap();
        assert_eq!(received.app(), Some(&app()));
        assert!(matches!(received, Signal::DriftDetected { .. }));
        assert!(listener.try_recv().is_err());
    }

    #[test]
    fn a_slow_listener_loses_the_oldest_signals_and_the_sender_never_waits() {
        let signals = Signals::new(2);
        let mut listener = signals.subscribe().unwrap();
        for _ in 0..5 {
            signals.send(Signal::DriftHealed { app: app() });
        }
        assert!(matches!(
            listener.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(3))
        ));
        assert!(listener.try_recv().is_ok());
    }

    #[test]
    fn default_signals_go_nowhere() {
        let signals = Signals::default();
        assert!(signals.subscribe().is_none());
        signals.send(Signal::DriftHealed { app: app() });
    }
}
