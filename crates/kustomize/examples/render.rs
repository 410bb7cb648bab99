//! Builds kustomization directories on disk and prints each one's objects as a JSON list, for
//! comparing with `kubectl kustomize DIR` by hand, or times them with `--quiet`:
//! `cargo run -p ferry-kustomize --example render -- [--root ROOT] [--quiet] DIR...`
//! (ROOT, the tree root that no path may leave, defaults to the first DIR).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ferry_types::{Entry, Error, RepoPath, Result, SourceTree};

struct DiskTree {
    root: PathBuf,
}

impl DiskTree {
    fn full(&self, path: &RepoPath) -> PathBuf {
        path.components()
            .fold(self.root.clone(), |full, part| full.join(part))
    }
}

fn read_error(path: &RepoPath, error: &io::Error) -> Error {
    Error::Read {
        path: path.to_string(),
        message: error.to_string(),
    }
}

impl SourceTree for DiskTree {
    fn entry(&self, path: &RepoPath) -> Result<Option<Entry>> {
        let metadata = match fs::symlink_metadata(self.full(path)) {
            Ok(metadata) => metadata,
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(None);
            }
            Err(error) => return Err(read_error(path, &error)),
        };
        if metadata.file_type().is_symlink() {
            let target =
                fs::read_link(self.full(path)).map_err(|error| read_error(path, &error))?;
            Ok(Some(Entry::Symlink {
                target: target.to_string_lossy().into_owned(),
            }))
        } else if metadata.is_dir() {
            Ok(Some(Entry::Dir))
        } else {
            Ok(Some(Entry::File {
                size: metadata.len(),
            }))
        }
    }

    fn read_file(&self, path: &RepoPath) -> Result<Vec<u8>> {
        fs::read(self.full(path)).map_err(|error| read_error(path, &error))
    }

    fn list_dir(&self, path: &RepoPath) -> Result<Vec<String>> {
        let mut names: Vec<String> = fs::read_dir(self.full(path))
            .map_err(|error| read_error(path, &error))?
            .filter_map(|item| {
                item.ok()
                    .map(|item| item.file_name().to_string_lossy().into_owned())
            })
            .collect();
        names.sort();
        Ok(names)
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let quiet = args.iter().any(|arg| arg == "--quiet");
    args.retain(|arg| arg != "--quiet");
    let root = match args.iter().position(|arg| arg == "--root") {
        Some(index) if index + 1 < args.len() => {
            let root = args.remove(index + 1);
            args.remove(index);
            Some(root)
        }
        _ => None,
    };
    if args.is_empty() {
        eprintln!("usage: render [--root ROOT] [--quiet] DIR...");
        return ExitCode::from(2);
    }
    let root = fs::canonicalize(root.as_ref().unwrap_or(&args[0])).expect("root exists");
    let tree = DiskTree { root: root.clone() };
    let started = std::time::Instant::now();
    let mut objects_built = 0;
    for dir in &args {
        let dir = fs::canonicalize(dir).expect("dir exists");
        let relative = dir
            .strip_prefix(&root)
            .unwrap_or(Path::new(""))
            .to_string_lossy()
            .into_owned();
        let path = RepoPath::new(&relative).expect("relative path");
        match ferry_kustomize::build(&tree, &path, &ferry_kustomize::BuildOptions::default()) {
            Ok(manifests) => {
                objects_built += manifests.len();
                if !quiet {
                    let objects: Vec<_> = manifests
                        .into_iter()
                        .map(|manifest| manifest.object)
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&objects).expect("json"));
                }
            }
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    if quiet {
        println!(
            "{} kustomizations, {objects_built} objects in {:?}",
            args.len(),
            started.elapsed()
        );
    }
    ExitCode::SUCCESS
}
