//! A local cluster for a test: served over HTTPS on 127.0.0.1 (a free port), its data and
//! kubeconfig in a directory the test owns, its simulated workloads running fast.

use std::path::{Path, PathBuf};

use ferry_cluster::{ClusterConfig, RunningCluster};
use ferry_engine::{ClusterClient, ConnectOptions};
use ferry_workloads::{ControllersHandle, SimulationConfig};

/// The simulated time factor of test clusters: a 300 ms container start takes 30 ms.
pub const TIME_FACTOR: f64 = 0.1;

/// A running local cluster with its workload controllers.
pub struct LocalCluster {
    /// The server (URL, kubeconfig, in-process state).
    pub running: RunningCluster,
    /// How ferry's engine and controller reach it.
    pub connect: ConnectOptions,
    /// Where its data and kubeconfig live.
    pub data_dir: PathBuf,
    controllers: ControllersHandle,
}

impl LocalCluster {
    /// Starts a cluster keeping its state in `dir/cluster`, with workloads at
    /// [`TIME_FACTOR`].
    pub async fn start(dir: &Path) -> Self {
        Self::start_with(dir, TIME_FACTOR).await
    }

    /// Starts a cluster with workloads at `time_factor`.
    pub async fn start_with(dir: &Path, time_factor: f64) -> Self {
        let data_dir = dir.join("cluster");
        let running = ferry_cluster::start(ClusterConfig {
            data_dir: data_dir.clone(),
            listen: "127.0.0.1:0".parse().expect("address"),
            kubeconfig_path: None,
            insecure_http: false,
        })
        .await
        .expect("the local cluster starts");
        let simulation =
            SimulationConfig::with_time_factor(time_factor).with_root_ca_from(&data_dir);
        let controllers = ferry_workloads::spawn_controllers(running.state.clone(), simulation);
        let connect = ConnectOptions {
            kubeconfig: Some(running.kubeconfig.clone()),
            context: None,
        };
        Self {
            running,
            connect,
            data_dir,
            controllers,
        }
    }

    /// The kubeconfig written at start (context `ferry-local`).
    pub fn kubeconfig(&self) -> &Path {
        &self.running.kubeconfig
    }

    /// A client of the cluster, as ferry's engine makes one.
    pub async fn client(&self) -> ClusterClient {
        ClusterClient::connect(&self.connect, &Default::default())
            .await
            .expect("a client of the local cluster")
    }

    /// Stops the workloads, then the server.
    pub async fn stop(self) {
        self.controllers.stop().await;
        let _ = self.running.stop().await;
    }
}
