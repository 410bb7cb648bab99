//! `ferry server`: the controller plus the HTTP API, webhooks, metrics and web UI
//! (crates/server), in the foreground until Ctrl-C. Parses arguments, calls
//! `ferry_server::start`, prints where to go.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Args;
use ferry_server::ServerConfig;

use crate::args::LoopArgs;
use crate::commands::controller::controller_config;
use crate::exit::ExitStatus;

/// `ferry server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Address of the HTTP server (port 0 picks a free port).
    #[arg(long, default_value = ferry_server::DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Namespace of the server's Secrets (API tokens, webhook secret); created if missing.
    #[arg(long, default_value = ferry_server::DEFAULT_NAMESPACE)]
    pub namespace: String,
    /// Only Applications in this namespace; all namespaces by default.
    #[arg(long, value_name = "NAMESPACE")]
    pub apps_namespace: Option<String>,
    /// How the controller runs (the flags of `ferry controller`).
    #[command(flatten)]
    pub run: LoopArgs,
}

/// Runs the server until Ctrl-C.
pub fn run(args: &ServerArgs) -> anyhow::Result<ExitStatus> {
    let config = ServerConfig {
        listen: args.listen,
        namespace: args.namespace.clone(),
        controller: controller_config(&args.run, args.apps_namespace.clone())?,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let running = ferry_server::start(config).await?;
        eprintln!("ferry server running at {} (UI, /api/v1, /metrics); Ctrl-C stops it", running.url);
        let (namespace, name) = running
            .tokens_secret
            .split_once('/')
            .unwrap_or(("ferry", ferry_server::secrets::TOKENS_SECRET));
        if running.created_token {
            eprintln!("an admin API token was generated and stored in Secret {namespace}/{name}");
        }
        eprintln!(
            "API tokens: Secret {namespace}/{name}, one key per token `<admin|read-only>.<name>`; the admin token:\n  \
             kubectl -n {namespace} get secret {name} -o jsonpath='{{.data.admin\\.initial}}' | base64 -d"
        );
        eprintln!(
            "webhooks: {0}/api/webhook/github, /gitlab, /generic; secret in Secret {1}",
            running.url, running.webhook_secret_location
        );
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("stopping");
        running.stop().await;
        anyhow::Ok(ExitStatus::Success)
    })
}
