//! `ferry install`: print (or apply with `--apply`) everything to run ferry inside a real
//! cluster: the CRDs, Namespace `ferry`, RBAC and a Deployment of the controller
//! (crates/controller/src/install.rs).

use anyhow::Context;
use clap::Args;
use ferry_engine::{ClusterClient, ConnectOptions};

use crate::exit::ExitStatus;

/// `ferry install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Apply the objects to the cluster (server-side apply) instead of printing them.
    #[arg(long)]
    pub apply: bool,
    /// The controller's image; `ghcr.io/ferry-dev/ferry:<this version>` by default.
    #[arg(long)]
    pub image: Option<String>,
    /// The kubeconfig (with `--apply`); `KUBECONFIG` or ~/.kube/config by default.
    #[arg(long)]
    pub kubeconfig: Option<std::path::PathBuf>,
    /// The kubeconfig context (with `--apply`); its current-context by default.
    #[arg(long)]
    pub context: Option<String>,
}

/// Prints the installation as a YAML stream, or applies it.
pub fn run(args: &InstallArgs) -> anyhow::Result<ExitStatus> {
    let image = args
        .image
        .clone()
        .unwrap_or_else(|| ferry_controller::default_image(env!("CARGO_PKG_VERSION")));
    let objects = ferry_controller::install_objects(&image);
    if !args.apply {
        print!("{}", ferry_yaml::to_yaml_stream(&objects)?);
        return Ok(ExitStatus::Success);
    }
    let connect = ConnectOptions {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let client = ClusterClient::connect(&connect, &Default::default()).await?;
        for applied in ferry_controller::apply_install(&client, &objects).await? {
            println!("{applied} applied");
        }
        anyhow::Ok(())
    })?;
    Ok(ExitStatus::Success)
}
