//! `ferry render`: print the objects a source declares.

use std::io::Write;

use anyhow::Context;

use crate::args::{OutputFormat, RenderArgs};
use crate::exit::ExitStatus;
use crate::source;

/// Renders the source and prints every object, or nothing and an error.
pub fn run(args: &RenderArgs) -> anyhow::Result<ExitStatus> {
    let rendered = source::render(&args.source)?;
    let values: Vec<serde_json::Value> = rendered
        .manifests
        .into_iter()
        .map(|manifest| manifest.object)
        .collect();
    let text = match args.output {
        OutputFormat::Yaml => ferry_yaml::to_yaml_stream(&values)?,
        OutputFormat::Json => ferry_yaml::to_json_stream(&values)?,
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing to stdout")?;
    Ok(ExitStatus::Success)
}
