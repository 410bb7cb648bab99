//! Starting and stopping a server: the Secrets (created at first start), the controller on
//! its own thread, the Applications watch, telemetry and notifications fed from the
//! controller's signals, and the HTTP listener. [`Running::stop`] ends all of them.

use std::net::SocketAddr;
use std::time::Duration;

use ferry_controller::{Controller, ControllerConfig, Signals};
use ferry_engine::ClusterClient;
use tokio::sync::{broadcast, oneshot, watch};
use tokio::task::JoinHandle;

use crate::auth::admin_token;
use crate::secrets::{
    CachedSecret, INITIAL_TOKEN_KEY, TOKENS_SECRET, WEBHOOK_SECRET, WEBHOOK_SECRET_KEY,
    ensure_secret,
};
use crate::state::{AppState, StateParts};
use crate::{Error, Result};

/// Where `ferry server` listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Where the server keeps its Secrets unless told otherwise.
pub const DEFAULT_NAMESPACE: &str = "ferry";
/// Signals kept per listener before the oldest are dropped.
const SIGNAL_CAPACITY: usize = 1024;
/// How long `stop` waits for open connections to finish.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// How to run a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free port; [`Running::url`] says which).
    pub listen: SocketAddr,
    /// Namespace of the server's Secrets (`ferry-api-tokens`, `ferry-webhook`); created if
    /// missing.
    pub namespace: String,
    /// The controller to run (its `signals` are replaced by the server's channel unless
    /// already set).
    pub controller: ControllerConfig,
}

/// A running server.
pub struct Running {
    /// `http://<address>`.
    pub url: String,
    /// The address bound.
    pub address: SocketAddr,
    /// An admin token (the one generated at first start, else the first admin token of the
    /// Secret; empty when the Secret holds none).
    pub admin_token: String,
    /// The webhook secret (generated at first start, else the stored one).
    pub webhook_secret: String,
    /// Where the tokens are, `namespace/name`.
    pub tokens_secret: String,
    /// Where the webhook secret is, `namespace/name`.
    pub webhook_secret_location: String,
    /// Whether this start created the tokens Secret (a new admin token).
    pub created_token: bool,
    shutdown: watch::Sender<bool>,
    controller_stop: Option<oneshot::Sender<()>>,
    controller: Option<std::thread::JoinHandle<()>>,
    server: Option<JoinHandle<()>>,
    tasks: Vec<JoinHandle<()>>,
}

/// Starts the controller and the HTTP server; returns once both run (the Secrets exist and
/// the port is bound). Fails when the cluster cannot be reached, a Secret cannot be made,
/// the controller cannot connect or the address cannot be bound.
pub async fn start(config: ServerConfig) -> Result<Running> {
    let mut controller_config = config.controller.clone();
    if controller_config.signals.subscribe().is_none() {
        controller_config.signals = Signals::new(SIGNAL_CAPACITY);
    }
    let signals = controller_config.signals.clone();
    let client = ClusterClient::connect(&controller_config.connect, &Default::default()).await?;
    let kube = client.kube().clone();
    let namespace = config.namespace.clone();

    let (tokens, created_token) =
        ensure_secret(&kube, &namespace, TOKENS_SECRET, INITIAL_TOKEN_KEY).await?;
    let (webhook, _) = ensure_secret(&kube, &namespace, WEBHOOK_SECRET, WEBHOOK_SECRET_KEY).await?;
    let admin = admin_token(&tokens).unwrap_or_default();
    let webhook_secret = webhook
        .get(WEBHOOK_SECRET_KEY)
        .map(|value| String::from_utf8_lossy(value).trim().to_string())
        .unwrap_or_default();

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Listen {
            address: config.listen,
            source,
        })?;
    let address = listener.local_addr().map_err(|source| Error::Listen {
        address: config.listen,
        source,
    })?;

    // Every listener subscribes before the controller sends its first signal.
    let subscribe = || {
        signals
            .subscribe()
            .ok_or_else(|| Error::Task("the controller's signal channel is closed".into()))
    };
    let (telemetry_signals, notify_signals, stream_signals) =
        (subscribe()?, subscribe()?, subscribe()?);
    drop(signals);

    let (controller_stop, controller) = spawn_controller(controller_config.clone()).await?;

    let (shutdown, shutdown_receiver) = watch::channel(false);
    let telemetry = ferry_telemetry::Telemetry::new();
    let state = AppState::new(StateParts {
        kube: kube.clone(),
        connect: controller_config.connect.clone(),
        apps_namespace: controller_config.namespace.clone(),
        tokens: CachedSecret::new(kube.clone(), &namespace, TOKENS_SECRET, tokens),
        webhook: CachedSecret::new(kube.clone(), &namespace, WEBHOOK_SECRET, webhook),
        cache_dir: controller_config.cache_dir.clone(),
        credentials: controller_config.credentials.clone(),
        shutdown: shutdown_receiver.clone(),
        telemetry: telemetry.clone(),
    });

    let stopped = |mut receiver: watch::Receiver<bool>| async move {
        let _ = receiver.wait_for(|stopped| *stopped).await;
    };
    let tasks = vec![
        tokio::spawn(crate::watch::run(state.clone())),
        tokio::spawn(telemetry.listen(telemetry_signals)),
        tokio::spawn(ferry_telemetry::notify::run(
            kube.clone(),
            namespace.clone(),
            notify_signals,
            stopped(shutdown_receiver.clone()),
        )),
        tokio::spawn(forward_signals(state.clone(), stream_signals)),
    ];
    let app = crate::router(state);
    let server = tokio::spawn(async move {
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(stopped(shutdown_receiver))
            .await;
        if let Err(error) = result {
            eprintln!("server: {error}");
        }
    });

    Ok(Running {
        url: format!("http://{address}"),
        address,
        admin_token: admin,
        webhook_secret,
        tokens_secret: format!("{namespace}/{TOKENS_SECRET}"),
        webhook_secret_location: format!("{namespace}/{WEBHOOK_SECRET}"),
        created_token,
        shutdown,
        controller_stop: Some(controller_stop),
        controller: Some(controller),
        server: Some(server),
        tasks,
    })
}

/// Runs the controller on its own thread and runtime (the engine's futures are not `Send`,
/// so the loop cannot be a spawned task); returns once it has connected.
async fn spawn_controller(
    config: ControllerConfig,
) -> Result<(oneshot::Sender<()>, std::thread::JoinHandle<()>)> {
    let (stop, stopped) = oneshot::channel::<()>();
    let (connected, connection) = oneshot::channel::<Result<()>>();
    let thread = std::thread::Builder::new()
        .name("ferry-controller".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = connected.send(Err(Error::Task(format!(
                        "starting the controller's runtime: {error}"
                    ))));
                    return;
                }
            };
            runtime.block_on(async move {
                let controller = match Controller::connect(config).await {
                    Ok(controller) => controller,
                    Err(error) => {
                        let _ = connected.send(Err(error.into()));
                        return;
                    }
                };
                let _ = connected.send(Ok(()));
                let result = controller
                    .run(async {
                        let _ = stopped.await;
                    })
                    .await;
                if let Err(error) = result {
                    eprintln!("controller stopped: {error}");
                }
            });
        })
        .map_err(|error| Error::Task(format!("starting the controller's thread: {error}")))?;
    match connection.await {
        Ok(Ok(())) => Ok((stop, thread)),
        Ok(Err(error)) => Err(error),
        Err(_) => Err(Error::Task("the controller's thread ended at start".into())),
    }
}

/// Puts every controller signal on the live stream.
async fn forward_signals(
    state: AppState,
    mut receiver: broadcast::Receiver<ferry_controller::Signal>,
) {
    let mut shutdown = state.shutdown();
    loop {
        tokio::select! {
            _ = shutdown.wait_for(|stopped| *stopped) => return,
            received = receiver.recv() => match received {
                Ok(signal) => state.publish(crate::api::signal_event(&signal)),
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

impl Running {
    /// Stops gracefully: live streams end, the HTTP server finishes open requests (at most
    /// 10 s), the controller's loop ends, background tasks stop.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(stop) = self.controller_stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(STOP_GRACE, &mut server).await.is_err()
        {
            eprintln!("server: connections still open after {STOP_GRACE:?}; closing them");
            server.abort();
        }
        if let Some(controller) = self.controller.take() {
            let joined = tokio::task::spawn_blocking(move || controller.join()).await;
            if !matches!(joined, Ok(Ok(()))) {
                eprintln!("server: the controller's thread ended abnormally");
            }
        }
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}
