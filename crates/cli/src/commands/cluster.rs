//! `ferry cluster up`: serve the local cluster in the foreground.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use ferry_cluster::ClusterConfig;
use ferry_workloads::SimulationConfig;

use crate::args::ClusterUpArgs;
use crate::exit::ExitStatus;

/// Starts the cluster, prints where it is, and serves until Ctrl-C.
pub fn up(args: &ClusterUpArgs) -> anyhow::Result<ExitStatus> {
    let config = ClusterConfig {
        data_dir: args.data.clone().unwrap_or_else(default_data_dir),
        listen: args.listen,
        kubeconfig_path: args.kubeconfig.clone(),
        insecure_http: args.insecure_http,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let running = ferry_cluster::start(config.clone()).await?;
        let controllers = (!args.no_controllers).then(|| {
            let mut simulation = SimulationConfig::default().with_root_ca_from(&config.data_dir);
            simulation.time_factor = args.time_factor;
            simulation.nodes = args.nodes;
            ferry_workloads::spawn_controllers(running.state.clone(), simulation)
        });
        // Write errors are ignored: a closed stdout must not stop a running cluster.
        let mut out = std::io::stdout().lock();
        let kubeconfig = running.kubeconfig.display();
        let _ = writeln!(out, "ferry local cluster serving at {}", running.url);
        let _ = writeln!(out, "data:       {}", config.data_dir.display());
        let _ = writeln!(out, "kubeconfig: {kubeconfig}");
        let _ = writeln!(
            out,
            "try:        KUBECONFIG={kubeconfig} kubectl get namespaces"
        );
        let _ = out.flush();
        drop(out);
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        eprintln!("stopping");
        if let Some(controllers) = controllers {
            controllers.stop().await;
        }
        running.stop().await?;
        anyhow::Ok(ExitStatus::Success)
    })
}

/// `$XDG_DATA_HOME/ferry/cluster`, or `~/.local/share/ferry/cluster`.
fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir)
        .join("ferry")
        .join("cluster")
}
