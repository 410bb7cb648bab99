//! Running the server: checked configuration in, data directory opened (token, certificates,
//! store), the listener bound, the kubeconfig written, then connections served over HTTPS (or
//! plain HTTP when asked) until shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use crate::datadir::{self, DataDir};
use crate::error::{Error, Result};
use crate::http::{ClusterState, Limits, router};
use crate::store::{DEFAULT_EVENT_LOG_CAPACITY, Store};
use crate::{kubeconfig, tls};

/// How to run the local cluster.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// Where the store, certificates and token live.
    pub data_dir: PathBuf,
    /// The address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Where to write the kubeconfig; `None` writes `<data_dir>/kubeconfig`.
    pub kubeconfig_path: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS.
    pub insecure_http: bool,
}

/// A cluster serving in the background.
#[derive(Debug)]
pub struct RunningCluster {
    /// The bound address.
    pub address: SocketAddr,
    /// The written kubeconfig.
    pub kubeconfig: PathBuf,
    /// The server URL in the kubeconfig.
    pub url: String,
    /// The API state (for in-process access alongside the socket).
    pub state: Arc<ClusterState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningCluster {
    /// Stops accepting connections, ends open watches and waits for the server task.
    pub async fn stop(mut self) -> Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .map_err(|error| Error::Server(error.to_string()))?;
        }
        Ok(())
    }
}

impl Drop for RunningCluster {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

const TOKEN_FILE: &str = "token";

struct Prepared {
    state: Arc<ClusterState>,
    tls: Option<Arc<rustls::ServerConfig>>,
    ca_pem: Option<String>,
    token: String,
    data_dir: PathBuf,
}

fn prepare(config: &ClusterConfig) -> Result<Prepared> {
    let dir = DataDir::open(&config.data_dir)?;
    let token_path = dir.file(TOKEN_FILE);
    let token = if dir.is_fresh() || !token_path.exists() {
        let token = crate::object::ids::token();
        datadir::write_private(&token_path, token.as_bytes())?;
        token
    } else {
        String::from_utf8_lossy(&datadir::read(&token_path)?)
            .trim()
            .to_string()
    };
    let certificates = tls::load_or_create(&dir)?;
    let store = Store::open(&dir.store(), dir.is_fresh(), DEFAULT_EVENT_LOG_CAPACITY)?;
    let state = ClusterState::new(store, Some(token.clone()), Limits::default())?;
    let (tls, ca_pem) = if config.insecure_http {
        (None, None)
    } else {
        (
            Some(tls::server_config(&certificates)?),
            Some(certificates.ca_pem),
        )
    };
    Ok(Prepared {
        state,
        tls,
        ca_pem,
        token,
        data_dir: dir.root().to_path_buf(),
    })
}

/// Starts the cluster in the background and returns once it accepts connections.
pub async fn start(config: ClusterConfig) -> Result<RunningCluster> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let prepare_config = config.clone();
    let prepared = tokio::task::spawn_blocking(move || prepare(&prepare_config))
        .await
        .map_err(|error| Error::Server(error.to_string()))??;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Bind {
            address: config.listen,
            source,
        })?;
    let address = listener.local_addr().map_err(|source| Error::Bind {
        address: config.listen,
        source,
    })?;
    let host = if address.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        address.ip().to_string()
    };
    let scheme = if config.insecure_http {
        "http"
    } else {
        "https"
    };
    let url = format!("{scheme}://{host}:{}", address.port());
    let kubeconfig = config
        .kubeconfig_path
        .clone()
        .unwrap_or_else(|| prepared.data_dir.join("kubeconfig"));
    kubeconfig::write(
        &kubeconfig,
        &url,
        &prepared.token,
        prepared.ca_pem.as_deref(),
    )?;
    let (shutdown, shutdown_signal) = oneshot::channel();
    let state = prepared.state.clone();
    let task = tokio::spawn(accept_loop(
        listener,
        state.clone(),
        prepared.tls,
        shutdown_signal,
    ));
    Ok(RunningCluster {
        address,
        kubeconfig,
        url,
        state,
        shutdown: Some(shutdown),
        task: Some(task),
    })
}

/// Runs the cluster in the foreground until `shutdown` completes.
pub async fn serve(config: ClusterConfig, shutdown: impl Future<Output = ()>) -> Result<()> {
    let running = start(config).await?;
    shutdown.await;
    running.stop().await
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<ClusterState>,
    tls: Option<Arc<rustls::ServerConfig>>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let app = router(state.clone());
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let service = TowerToHyperService::new(app.clone());
                let acceptor = acceptor.clone();
                connections.spawn(async move {
                    let builder = hyper::server::conn::http1::Builder::new();
                    match acceptor {
                        Some(acceptor) => {
                            let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
                            else {
                                return;
                            };
                            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                        }
                        None => {
                            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    state.shut_down();
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}
