//! Turns source arguments (a path, a repository, an Application file) into a tree, a path in
//! it and render options, then renders.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use ferry_git::{Credentials, FetchRequest, RepoCache};
use ferry_manifest::{DirectoryOptions, DiskTree, Limits, Rendered};
use ferry_types::{Application, RepoPath, SourceTree};

use crate::args::SourceArgs;

/// Renders what the arguments point at.
pub fn render(args: &SourceArgs) -> anyhow::Result<Rendered> {
    let limits = Limits::default();
    if let Some(app_file) = &args.app {
        return render_application(args, &read_application(app_file)?);
    }
    let directory = DirectoryOptions {
        recurse: args.recurse,
        include: args.include.clone(),
        exclude: args.exclude.clone(),
    };
    if let Some(url) = &args.repo {
        let tree = fetch(args, url, &args.revision)?;
        let path = RepoPath::new(&args.repo_path)?;
        return Ok(ferry_manifest::render(
            tree.as_ref(),
            &path,
            &directory,
            None,
            &limits,
        )?);
    }
    let Some(path) = &args.path else {
        bail!("nothing to render: give a PATH, --repo URL or --app FILE");
    };
    let (tree, repo_path) = disk_tree_for(path)?;
    Ok(ferry_manifest::render(
        &tree, &repo_path, &directory, None, &limits,
    )?)
}

/// A tree rooted at the Git work tree holding `path` (so overlays may reach `../base`);
/// outside Git, at the current directory if `path` lies under it, else at `path` itself.
/// Nothing outside that root can be read. Returns the tree and `path` within it.
pub fn disk_tree_for(path: &Path) -> anyhow::Result<(DiskTree, RepoPath)> {
    let absolute =
        std::fs::canonicalize(path).with_context(|| format!("{}: cannot open", path.display()))?;
    if !absolute.is_dir() {
        bail!("{}: not a directory", path.display());
    }
    let current = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    let root = absolute
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .or_else(|| current.as_deref().filter(|cwd| absolute.starts_with(cwd)))
        .unwrap_or(&absolute)
        .to_path_buf();
    let relative = absolute
        .strip_prefix(&root)
        .unwrap_or(Path::new(""))
        .to_string_lossy()
        .replace('\\', "/");
    let tree = DiskTree::open(&root).with_context(|| format!("{}: cannot open", root.display()))?;
    Ok((tree, RepoPath::new(&relative)?))
}

/// Reads an Application manifest (ferry's or Argo CD's); unknown fields are warned about on
/// stderr.
pub fn read_application(file: &Path) -> anyhow::Result<Application> {
    let bytes = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    let name = file.display().to_string();
    let mut documents = ferry_yaml::parse_documents(&name, &bytes)?;
    if documents.len() != 1 {
        bail!(
            "{name}: expected one Application document, found {}",
            documents.len()
        );
    }
    let document = documents.remove(0);
    let (application, warnings) =
        Application::from_value(document.value, &format!("{name}:{}", document.line))?;
    for warning in warnings {
        eprintln!(
            "warning: {name}: Application {}: {warning}",
            application.metadata.name
        );
    }
    match application.source() {
        Some(source) if source.repo_url.is_empty() => bail!("{name}: spec.source.repoURL is empty"),
        Some(_) => Ok(application),
        None => bail!(
            "{name}: Application {} has no spec.source",
            application.metadata.name
        ),
    }
}

/// Fetches an Application's source with the arguments' cache and credentials, and renders it
/// with its options (the controller's code, shared).
pub fn render_application(
    args: &SourceArgs,
    application: &Application,
) -> anyhow::Result<Rendered> {
    let cache = RepoCache::new(cache_dir(args.cache_dir.as_deref()));
    let credentials = credentials(
        args.git_ssh_key.as_ref(),
        args.git_username.as_ref(),
        args.git_password.as_ref(),
    );
    Ok(ferry_controller::fetch_and_render(&cache, &credentials, application, None)?.rendered)
}

fn fetch(args: &SourceArgs, url: &str, revision: &str) -> anyhow::Result<Box<dyn SourceTree>> {
    let cache = RepoCache::new(cache_dir(args.cache_dir.as_deref()));
    let request = FetchRequest {
        url: url.to_string(),
        revision: revision.to_string(),
        credentials: credentials(
            args.git_ssh_key.as_ref(),
            args.git_username.as_ref(),
            args.git_password.as_ref(),
        ),
    };
    let checkout = cache.fetch(&request)?;
    Ok(Box::new(checkout.tree))
}

/// Git credentials from the arguments: an SSH key, a user and password, or a token.
pub fn credentials(
    ssh_key: Option<&PathBuf>,
    username: Option<&String>,
    password: Option<&String>,
) -> Credentials {
    match (ssh_key, username, password) {
        (Some(key), _, _) => Credentials::SshKey {
            private_key: key.clone(),
        },
        (None, Some(username), Some(password)) => Credentials::Basic {
            username: username.clone(),
            password: password.clone(),
        },
        (None, None, Some(token)) => Credentials::Token(token.clone()),
        _ => Credentials::None,
    }
}

/// The Git cache: the given directory, else `$XDG_CACHE_HOME/ferry/repos`.
pub fn cache_dir(given: Option<&Path>) -> PathBuf {
    if let Some(dir) = given {
        return dir.to_path_buf();
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("ferry").join("repos")
}
