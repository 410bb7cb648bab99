//! `ferry validate`: render and check sources for CI, one line per problem.

use std::path::Path;

use ferry_manifest::{DirectoryOptions, Error, Limits, Problem, validate};
use ferry_types::{Manifest, Origin};

use crate::args::ValidateArgs;
use crate::exit::ExitStatus;
use crate::source;

/// Checks every path and prints each problem; fails if there is any.
pub fn run(args: &ValidateArgs) -> anyhow::Result<ExitStatus> {
    let mut problems = Vec::new();
    let mut objects = 0;
    for path in &args.paths {
        match check(path) {
            Ok(count) => objects += count,
            Err(found) => problems.extend(found),
        }
    }
    for problem in &problems {
        println!("{problem}");
    }
    if problems.is_empty() {
        eprintln!("{objects} objects valid in {} path(s)", args.paths.len());
        Ok(ExitStatus::Success)
    } else {
        eprintln!("{} problem(s) found", problems.len());
        Ok(ExitStatus::Failure)
    }
}

/// Renders one path (directory or file); the number of valid objects, or the problems.
fn check(path: &Path) -> Result<usize, Vec<Problem>> {
    let as_problem = |message: String| {
        vec![Problem {
            file: path.display().to_string(),
            line: 0,
            object: None,
            message,
        }]
    };
    if path.is_dir() {
        let (tree, repo_path) =
            source::disk_tree_for(path).map_err(|error| as_problem(format!("{error:#}")))?;
        return match ferry_manifest::render(
            &tree,
            &repo_path,
            &DirectoryOptions::default(),
            None,
            &Limits::default(),
        ) {
            Ok(rendered) => Ok(rendered.manifests.len()),
            Err(Error::Invalid(problems)) => Err(problems),
            Err(other) => Err(as_problem(other.to_string())),
        };
    }
    let bytes = std::fs::read(path).map_err(|error| as_problem(error.to_string()))?;
    let file = path.display().to_string();
    let documents = ferry_yaml::parse_documents(&file, &bytes).map_err(|error| match error {
        ferry_yaml::Error::Syntax {
            line,
            column,
            message,
            ..
        } => vec![Problem {
            file: file.clone(),
            line: line as usize,
            object: None,
            message: format!("column {column}: {message}"),
        }],
        other => as_problem(other.to_string()),
    })?;
    let manifests: Vec<Manifest> = documents
        .into_iter()
        .map(|document| {
            Manifest::new(
                document.value,
                Origin {
                    file: file.clone(),
                    document: document.index,
                    line: document.line,
                },
            )
        })
        .collect();
    let problems = validate(&manifests);
    if problems.is_empty() {
        Ok(manifests.len())
    } else {
        Err(problems)
    }
}
