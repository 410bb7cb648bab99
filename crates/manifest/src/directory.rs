//! Argo CD's directory source: every `.yaml`, `.yml` and `.json` file of a directory (and,
//! with `recurse`, its subdirectories), filtered by `include`/`exclude` globs.

use std::collections::BTreeSet;

use ferry_types::{DirectorySource, Entry, Manifest, Origin, RepoPath, SourceTree, resolve};
use globset::{Glob, GlobMatcher};
use serde_json::Value;

use crate::{Error, Limits, Problem, Result};

/// Which files of a directory are manifests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryOptions {
    /// Descend into subdirectories.
    pub recurse: bool,
    /// Glob of files to include, matched against the path relative to the directory;
    /// `*` matches across `/`, and `{a,b}` lists alternatives, as in Argo CD.
    pub include: String,
    /// Glob of files to leave out; wins over `include`.
    pub exclude: String,
}

impl From<&DirectorySource> for DirectoryOptions {
    fn from(source: &DirectorySource) -> Self {
        Self {
            recurse: source.recurse,
            include: source.include.clone(),
            exclude: source.exclude.clone(),
        }
    }
}

const MANIFEST_EXTENSIONS: [&str; 3] = [".yaml", ".yml", ".json"];

struct Filter {
    include: Option<GlobMatcher>,
    exclude: Option<GlobMatcher>,
}

impl Filter {
    fn new(options: &DirectoryOptions) -> Result<Self> {
        let compile = |field: &str, pattern: &str| -> Result<Option<GlobMatcher>> {
            if pattern.is_empty() {
                return Ok(None);
            }
            Glob::new(pattern)
                .map(|glob| Some(glob.compile_matcher()))
                .map_err(|error| Error::Source {
                    path: format!("directory.{field}"),
                    reason: format!("invalid glob {pattern:?}: {error}"),
                })
        };
        Ok(Self {
            include: compile("include", &options.include)?,
            exclude: compile("exclude", &options.exclude)?,
        })
    }

    fn admits(&self, relative: &str) -> bool {
        if self
            .exclude
            .as_ref()
            .is_some_and(|glob| glob.is_match(relative))
        {
            return false;
        }
        self.include
            .as_ref()
            .is_none_or(|glob| glob.is_match(relative))
    }
}

/// Reads every manifest of the directory `dir`, in path order, then document order.
pub(crate) fn read_directory(
    tree: &dyn SourceTree,
    dir: &RepoPath,
    options: &DirectoryOptions,
    limits: &Limits,
) -> Result<Vec<Manifest>> {
    let filter = Filter::new(options)?;
    let mut files = Vec::new();
    let mut visited = BTreeSet::new();
    collect_files(
        tree,
        dir,
        dir,
        options.recurse,
        &filter,
        &mut visited,
        &mut files,
    )?;
    let mut manifests = Vec::new();
    let mut problems = Vec::new();
    for (shown, real) in files {
        match read_file(tree, &shown, &real, limits) {
            Ok(found) => manifests.extend(found),
            Err(problem) => problems.push(problem),
        }
        if manifests.len() > limits.max_objects {
            problems.push(Problem {
                file: shown.to_string(),
                line: 0,
                object: None,
                message: format!(
                    "more than {} objects: the source is over the object limit",
                    limits.max_objects
                ),
            });
            break;
        }
    }
    if problems.is_empty() {
        Ok(manifests)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Collects `(path as shown, resolved path)` of manifest files, sorted by shown path.
fn collect_files(
    tree: &dyn SourceTree,
    root: &RepoPath,
    dir: &RepoPath,
    recurse: bool,
    filter: &Filter,
    visited: &mut BTreeSet<RepoPath>,
    files: &mut Vec<(RepoPath, RepoPath)>,
) -> Result<()> {
    let real_dir = resolve(tree, dir)?;
    if !visited.insert(real_dir.clone()) {
        return Ok(());
    }
    for name in tree.list_dir(&real_dir)? {
        let shown = dir.join(&name)?;
        let real = resolve(tree, &shown)?;
        match tree.entry(&real)? {
            Some(Entry::Dir) if recurse && name != ".git" => {
                collect_files(tree, root, &shown, recurse, filter, visited, files)?;
            }
            Some(Entry::File { .. })
                if MANIFEST_EXTENSIONS.iter().any(|ext| name.ends_with(ext)) =>
            {
                let relative = shown.strip_prefix(root).unwrap_or(shown.as_str());
                if filter.admits(relative) {
                    files.push((shown, real));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn read_file(
    tree: &dyn SourceTree,
    shown: &RepoPath,
    real: &RepoPath,
    limits: &Limits,
) -> Result<Vec<Manifest>, Problem> {
    let problem = |line: usize, message: String| Problem {
        file: shown.to_string(),
        line,
        object: None,
        message,
    };
    if let Ok(Some(Entry::File { size })) = tree.entry(real)
        && size > limits.max_file_size
    {
        return Err(problem(
            0,
            format!(
                "file is {size} bytes, over the limit of {} bytes",
                limits.max_file_size
            ),
        ));
    }
    let bytes = tree
        .read_file(real)
        .map_err(|error| problem(0, error.to_string()))?;
    let documents =
        ferry_yaml::parse_documents(shown.as_str(), &bytes).map_err(|error| match error {
            ferry_yaml::Error::Syntax {
                line,
                column,
                message,
                ..
            } => problem(line as usize, format!("column {column}: {message}")),
            other => problem(0, other.to_string()),
        })?;
    let mut manifests = Vec::new();
    for document in documents {
        let origin = Origin {
            file: shown.to_string(),
            document: document.index,
            line: document.line,
        };
        flatten(document.value, origin, &mut manifests)
            .map_err(|message| problem(document.line, message))?;
    }
    Ok(manifests)
}

/// Adds an object, or the items of a `List`, to `out`.
fn flatten(value: Value, origin: Origin, out: &mut Vec<Manifest>) -> Result<(), String> {
    if !value.is_object() {
        return Err(format!(
            "a manifest must be a mapping, found {}",
            type_name(&value)
        ));
    }
    let is_list = value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|kind| kind == "List")
        && value.get("items").is_some();
    if !is_list {
        out.push(Manifest::new(value, origin));
        return Ok(());
    }
    let Some(Value::Array(items)) = value.get("items").cloned() else {
        return Err("List.items must be a list".to_string());
    };
    for item in items {
        flatten(item, origin.clone(), out)?;
    }
    Ok(())
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::MemoryTree;

    fn config_map(name: &str) -> String {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n")
    }

    fn tree() -> MemoryTree {
        let mut tree = MemoryTree::new("test");
        tree.insert_file("app/b.yaml", config_map("b"))
            .insert_file("app/a.yml", format!("{}---\n{}", config_map("a1"), config_map("a2")))
            .insert_file("app/c.json", r#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}]}"#)
            .insert_file("app/README.md", "not a manifest")
            .insert_file("app/sub/d.yaml", config_map("d"))
            .insert_file("app/sub/deeper/e.yaml", config_map("e"));
        tree
    }

    fn names(options: &DirectoryOptions) -> Vec<String> {
        let dir = RepoPath::new("app").unwrap();
        read_directory(&tree(), &dir, options, &Limits::default())
            .unwrap()
            .iter()
            .map(|manifest| format!("{}@{}", manifest.name(), manifest.origin))
            .collect()
    }

    #[test]
    fn a_flat_directory_reads_manifest_files_in_path_order_and_flattens_lists() {
        assert_eq!(
            names(&DirectoryOptions::default()),
            [
                "a1@app/a.yml:1",
                "a2@app/a.yml:6",
                "b@app/b.yaml:1",
                "c@app/c.json:1"
            ]
        );
    }

    #[test]
    fn recurse_descends_into_subdirectories() {
        let options = DirectoryOptions {
            recurse: true,
            ..Default::default()
        };
        assert_eq!(names(&options).len(), 6);
    }

    #[test]
    fn include_and_exclude_match_paths_relative_to_the_directory_as_argo_cd_does() {
        let options = DirectoryOptions {
            recurse: true,
            include: "{*.yml,sub/*}".into(),
            exclude: "*/deeper/*".into(),
        };
        assert_eq!(
            names(&options),
            ["a1@app/a.yml:1", "a2@app/a.yml:6", "d@app/sub/d.yaml:1"]
        );
    }

    #[test]
    fn every_broken_file_is_reported_and_nothing_is_returned() {
        let mut tree = tree();
        tree.insert_file("app/bad.yaml", "kind: [\n")
            .insert_file("app/scalar.yaml", "just text\n");
        let error = read_directory(
            &tree,
            &RepoPath::new("app").unwrap(),
            &DirectoryOptions::default(),
            &Limits::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("app/bad.yaml:"), "{error}");
        assert!(
            error.contains("app/scalar.yaml:1: a manifest must be a mapping, found a string"),
            "{error}"
        );
    }

    #[test]
    fn files_over_the_size_limit_are_refused() {
        let limits = Limits {
            max_file_size: 10,
            max_objects: 100,
        };
        let error = read_directory(
            &tree(),
            &RepoPath::new("app").unwrap(),
            &DirectoryOptions::default(),
            &limits,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("over the limit of 10 bytes"), "{error}");
    }
}
