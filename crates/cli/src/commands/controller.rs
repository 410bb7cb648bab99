//! `ferry controller`: run the GitOps loop (crates/controller) in the foreground until
//! Ctrl-C: install the Application CRD, refresh apps from Git, write status, sync.

use anyhow::Context;
use ferry_controller::{Controller, ControllerConfig, LeaderElection};
use ferry_engine::ConnectOptions;
use ferry_types::parse_go_duration;

use crate::args::{ControllerArgs, LoopArgs};
use crate::exit::ExitStatus;
use crate::source;

/// Runs the controller until Ctrl-C.
pub fn run(args: &ControllerArgs) -> anyhow::Result<ExitStatus> {
    let config = controller_config(&args.run, args.namespace.clone())?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let ended = runtime.block_on(async {
        let controller = Controller::connect(config).await?;
        eprintln!("ferry controller running; Ctrl-C stops it");
        controller
            .run(async {
                let _ = tokio::signal::ctrl_c().await;
                eprintln!("stopping");
            })
            .await?;
        anyhow::Ok(ExitStatus::Success)
    });
    // A fetch abandoned at its deadline may still hold a blocking thread: do not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    ended
}

/// The controller's configuration from the loop's flags, for Applications in `namespace`
/// (all when `None`).
pub(crate) fn controller_config(
    args: &LoopArgs,
    namespace: Option<String>,
) -> anyhow::Result<ControllerConfig> {
    let duration = |flag: &str, text: &str| {
        parse_go_duration(text)
            .map_err(|_| anyhow::anyhow!("{flag} {text:?}: not a duration (90s, 5m)"))
    };
    Ok(ControllerConfig {
        connect: ConnectOptions {
            kubeconfig: args.kubeconfig.clone(),
            context: args.context.clone(),
        },
        namespace,
        poll_interval: duration("--poll-interval", &args.poll_interval)?,
        sync_timeout: duration("--sync-timeout", &args.sync_timeout)?,
        cache_dir: source::cache_dir(args.cache_dir.as_deref()),
        credentials: source::credentials(
            args.git_ssh_key.as_ref(),
            args.git_username.as_ref(),
            args.git_password.as_ref(),
        ),
        signals: Default::default(),
        workers: args.workers.max(1),
        fetch_timeout: duration("--fetch-timeout", &args.fetch_timeout)?,
        leader_election: args.leader_elect.then(|| {
            LeaderElection::new(&args.lease_namespace, &LeaderElection::default_identity())
        }),
        argocd_applications: args.argocd_applications,
    })
}
