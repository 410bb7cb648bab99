//! What the differential test and the benchmark share: loading a case directory into a
//! `MemoryTree`, running `kubectl kustomize`, and describing how two renderings differ.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use ferry_types::MemoryTree;
use serde_json::{Map, Value};

/// How many differing objects of one case are shown as line diffs.
const DIFFS_SHOWN: usize = 3;

/// Files at a case's root that describe the case rather than belong to it.
const CASE_FILES: [&str; 2] = ["CASE", "EXPECT"];

/// One directory of a corpus.
pub struct Case {
    /// The directory name, `NN-short-name`.
    pub name: String,
    /// The case directory: the root of the tree ferry sees.
    pub root: PathBuf,
    /// The directory to build, relative to `root`; empty for the root itself.
    pub target: String,
}

impl Case {
    /// The directory to build, on disk.
    pub fn target_dir(&self) -> PathBuf {
        if self.target.is_empty() {
            self.root.clone()
        } else {
            self.root.join(&self.target)
        }
    }
}

/// `testdata/<name>` at the top of the workspace.
pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(name)
}

/// The cases of a corpus directory, sorted by name. A case builds the directory named on
/// the first line of its `CASE` file, or its root.
pub fn cases(corpus: &Path) -> io::Result<Vec<Case>> {
    let mut cases = Vec::new();
    for entry in fs::read_dir(corpus)? {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let root = entry.path();
        let target = match fs::read_to_string(root.join("CASE")) {
            Ok(text) => text
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('/')
                .to_string(),
            Err(error) if error.kind() == io::ErrorKind::NotFound => String::new(),
            Err(error) => return Err(error),
        };
        cases.push(Case {
            name: entry.file_name().to_string_lossy().into_owned(),
            root,
            target,
        });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

/// Loads every file and symbolic link under `root` into a tree, with paths relative to
/// `root`. Links are stored as written, not followed.
pub fn load_tree(root: &Path) -> io::Result<MemoryTree> {
    let name = root.file_name().map_or_else(
        || root.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut tree = MemoryTree::new(name);
    load_dir(&mut tree, root, "")?;
    Ok(tree)
}

fn load_dir(tree: &mut MemoryTree, dir: &Path, prefix: &str) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if prefix.is_empty() && CASE_FILES.contains(&file_name.as_str()) {
            continue;
        }
        let relative = if prefix.is_empty() {
            file_name
        } else {
            format!("{prefix}/{file_name}")
        };
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            let target = fs::read_link(entry.path())?;
            tree.insert_symlink(&relative, &target.to_string_lossy());
        } else if kind.is_dir() {
            load_dir(tree, &entry.path(), &relative)?;
        } else {
            tree.insert_file(&relative, fs::read(entry.path())?);
        }
    }
    Ok(())
}

/// Whether `kubectl` can be run at all.
pub fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Runs `kubectl kustomize dir` and parses what it prints, one value per object. A failure
/// carries kubectl's standard error.
pub fn kubectl_kustomize(dir: &Path) -> Result<Vec<Value>, String> {
    let output = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .map_err(|error| format!("running kubectl: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "kubectl kustomize {} exited with {}: {}",
            dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let documents = ferry_yaml::parse_documents("kubectl-output.yaml", &output.stdout)
        .map_err(|error| format!("parsing kubectl's output: {error}"))?;
    Ok(documents
        .into_iter()
        .map(|document| document.value)
        .collect())
}

/// An error and its sources, joined as `anyhow` prints them with `{:#}`.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// How two renderings differ, or `None` if they are equal: a one-line summary, and a
/// longer account (identities of both lists, and a line diff of the first differing object).
pub struct Difference {
    /// One line, for the final list of failures.
    pub summary: String,
    /// Several lines, printed as the case is checked.
    pub detail: String,
}

/// Compares kubectl's objects with ferry's, in order.
pub fn compare(expected: &[Value], actual: &[Value]) -> Option<Difference> {
    let expected_ids: Vec<String> = expected.iter().map(identity).collect();
    let actual_ids: Vec<String> = actual.iter().map(identity).collect();
    if expected_ids != actual_ids {
        let mut detail = String::from("objects, kubectl | ferry:\n");
        for index in 0..expected_ids.len().max(actual_ids.len()) {
            let left = expected_ids.get(index).map_or("-", String::as_str);
            let right = actual_ids.get(index).map_or("-", String::as_str);
            let marker = if left == right { ' ' } else { '!' };
            let _ = writeln!(detail, "  {marker} {index:>2}  {left:<60} | {right}");
        }
        let (mut wanted, mut got) = (expected_ids.clone(), actual_ids.clone());
        wanted.sort();
        got.sort();
        let summary = if wanted == got {
            let index = expected_ids
                .iter()
                .zip(&actual_ids)
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            format!(
                "same objects in another order; at {index} kubectl emits {}, ferry {}",
                expected_ids[index], actual_ids[index]
            )
        } else {
            let missing: Vec<&String> = wanted.iter().filter(|id| !got.contains(id)).collect();
            let extra: Vec<&String> = got.iter().filter(|id| !wanted.contains(id)).collect();
            format!(
                "kubectl emits {} objects, ferry {}; missing from ferry: {missing:?}; only in ferry: {extra:?}",
                wanted.len(),
                got.len()
            )
        };
        // A renamed object (a hash suffix, a prefix) is often otherwise equal: show the first
        // pair of the same kind that differs, so the cause is visible.
        let same_kind = |a: &Value, b: &Value| a.get("kind") == b.get("kind");
        if let Some(index) = expected
            .iter()
            .zip(actual)
            .position(|(a, b)| a != b && same_kind(a, b))
        {
            let _ = write!(
                detail,
                "object {index}, `-` kubectl, `+` ferry:\n{}",
                line_diff(&pretty(&expected[index]), &pretty(&actual[index]))
            );
        }
        return Some(Difference { summary, detail });
    }
    let index = expected.iter().zip(actual).position(|(a, b)| a != b)?;
    let (left, right) = (&expected[index], &actual[index]);
    let path = first_difference(left, right, String::new()).unwrap_or_default();
    let differing = expected.iter().zip(actual).filter(|(a, b)| a != b).count();
    let summary = format!(
        "{differing} of {} objects differ; first, object {index} ({}), at {}",
        expected.len(),
        expected_ids[index],
        if path.is_empty() { "/" } else { &path }
    );
    // The first few differing objects, each as a line diff.
    let mut detail = String::new();
    let pairs = expected
        .iter()
        .zip(actual)
        .enumerate()
        .filter(|(_, (a, b))| a != b);
    for (index, (left, right)) in pairs.take(DIFFS_SHOWN) {
        let _ = write!(
            detail,
            "object {index} ({}), `-` kubectl, `+` ferry:\n{}",
            expected_ids[index],
            line_diff(&pretty(left), &pretty(right))
        );
    }
    Some(Difference { summary, detail })
}

/// `apiVersion Kind namespace/name`, to tell objects apart in messages.
pub fn identity(object: &Value) -> String {
    let field = |pointer: &str| {
        object
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let namespace = field("/metadata/namespace");
    let name = field("/metadata/name");
    let scoped = if namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}/{name}")
    };
    format!("{} {} {scoped}", field("/apiVersion"), field("/kind"))
}

/// The JSON pointer of the first place where two values differ.
fn first_difference(left: &Value, right: &Value, at: String) -> Option<String> {
    match (left, right) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|key| {
                let child = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => first_difference(x, y, child),
                    _ => Some(child),
                }
            })
        }
        (Value::Array(a), Value::Array(b)) => {
            let found = a
                .iter()
                .zip(b)
                .enumerate()
                .find_map(|(index, (x, y))| first_difference(x, y, format!("{at}/{index}")));
            found.or_else(|| (a.len() != b.len()).then(|| format!("{at}/{}", a.len().min(b.len()))))
        }
        _ => (left != right).then_some(at),
    }
}

/// Pretty JSON with keys sorted at every level, so that key order never shows in a diff.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(&sorted(value)).unwrap_or_default()
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|key| (key.clone(), sorted(&map[key])))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// A line diff of two texts (longest common subsequence), showing changed lines with two
/// lines of context, `-` for the left text and `+` for the right.
fn line_diff(left: &str, right: &str) -> String {
    const CONTEXT: usize = 2;
    let a: Vec<&str> = left.lines().collect();
    let b: Vec<&str> = right.lines().collect();
    // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || common[i + 1][j] >= common[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, (tag, _))| *tag != ' ')
        .map(|(n, _)| n)
        .collect();
    let near_change = |n: usize| changed.iter().any(|&c| c.abs_diff(n) <= CONTEXT);
    let mut out = String::new();
    let mut skipped = false;
    for (n, (tag, line)) in lines.iter().enumerate() {
        if near_change(n) {
            let _ = writeln!(out, "  {tag} {line}");
            skipped = false;
        } else if !skipped {
            out.push_str("    ...\n");
            skipped = true;
        }
    }
    out
}
