//! `ferry controller`: run the GitOps loop (crates/controller) in the foreground until
//! Ctrl-C: install the Application CRD, refresh apps from Git, write status, sync.

use anyhow::Context;
use ferry_controller::{Controller, ControllerConfig};
use ferry_engine::ConnectOptions;
use ferry_types::parse_go_duration;

use crate::args::ControllerArgs;
use crate::exit::ExitStatus;
use crate::source;

/// Runs the controller until Ctrl-C.
pub fn run(args: &ControllerArgs) -> anyhow::Result<ExitStatus> {
    let duration = |flag: &str, text: &str| {
        parse_go_duration(text)
            .map_err(|_| anyhow::anyhow!("{flag} {text:?}: not a duration (90s, 5m)"))
    };
    let config = ControllerConfig {
        connect: ConnectOptions {
            kubeconfig: args.kubeconfig.clone(),
            context: args.context.clone(),
        },
        namespace: args.namespace.clone(),
        poll_interval: duration("--poll-interval", &args.poll_interval)?,
        sync_timeout: duration("--sync-timeout", &args.sync_timeout)?,
        cache_dir: source::cache_dir(args.cache_dir.as_deref()),
        credentials: source::credentials(
            args.git_ssh_key.as_ref(),
            args.git_username.as_ref(),
            args.git_password.as_ref(),
        ),
        signals: Default::default(),
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let controller = Controller::connect(config).await?;
        eprintln!("ferry controller running; Ctrl-C stops it");
        controller
            .run(async {
                let _ = tokio::signal::ctrl_c().await;
                eprintln!("stopping");
            })
            .await?;
        anyhow::Ok(ExitStatus::Success)
    })
}
