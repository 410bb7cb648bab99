//! The Real Estate AI OS example, built into the binary so `ferry quickstart` works from any
//! directory, and the local Git repository made from it.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// Where the example's Applications say the repository lives; the quickstart's local copy
/// replaces it with its own `file://` URL.
pub(crate) const PUBLISHED_URL: &str = "https://github.com/acme/real-estate-ai-os.git";

/// The example's files, relative to `examples/real-estate-ai-os` (a test keeps this list equal
/// to the directory).
pub(crate) const FILES: &[(&str, &str)] = &[
    file(
        ".github/workflows/promote.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/.github/workflows/promote.yaml"),
    ),
    file(
        ".github/workflows/validate.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/.github/workflows/validate.yaml"),
    ),
    file(
        "README.md",
        include_str!("../../../../../examples/real-estate-ai-os/README.md"),
    ),
    file(
        "apps/environments/production.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/apps/environments/production.yaml"),
    ),
    file(
        "apps/environments/staging.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/apps/environments/staging.yaml"),
    ),
    file(
        "apps/root.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/apps/root.yaml"),
    ),
    file(
        "apps/staging-from-this-checkout.yaml",
        include_str!(
            "../../../../../examples/real-estate-ai-os/apps/staging-from-this-checkout.yaml"
        ),
    ),
    file(
        "base/db-migrate.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/base/db-migrate.yaml"),
    ),
    file(
        "base/document-ingestion.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/base/document-ingestion.yaml"),
    ),
    file(
        "base/kustomization.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/base/kustomization.yaml"),
    ),
    file(
        "base/listings-api.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/base/listings-api.yaml"),
    ),
    file(
        "base/postgres.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/base/postgres.yaml"),
    ),
    file(
        "base/property-search-api.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/base/property-search-api.yaml"),
    ),
    file(
        "base/redis.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/base/redis.yaml"),
    ),
    file(
        "base/search-indexer.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/base/search-indexer.yaml"),
    ),
    file(
        "base/valuation-model.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/base/valuation-model.yaml"),
    ),
    file(
        "base/web.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/base/web.yaml"),
    ),
    file(
        "ci/listings-api/.github/workflows/release.yaml",
        include_str!(
            "../../../../../examples/real-estate-ai-os/ci/listings-api/.github/workflows/release.yaml"
        ),
    ),
    file(
        "overlays/production/kustomization.yaml",
        include_str!(
            "../../../../../examples/real-estate-ai-os/overlays/production/kustomization.yaml"
        ),
    ),
    file(
        "overlays/production/namespace.yaml",
        include_str!(
            "../../../../../examples/real-estate-ai-os/overlays/production/namespace.yaml"
        ),
    ),
    file(
        "overlays/production/resources.yaml",
        include_str!(
            "../../../../../examples/real-estate-ai-os/overlays/production/resources.yaml"
        ),
    ),
    file(
        "overlays/staging/kustomization.yaml",
        include_str!(
            "../../../../../examples/real-estate-ai-os/overlays/staging/kustomization.yaml"
        ),
    ),
    file(
        "overlays/staging/namespace.yaml",
        include_str!("../../../../../examples/real-estate-ai-os/overlays/staging/namespace.yaml"),
    ),
];

const fn file(path: &'static str, text: &'static str) -> (&'static str, &'static str) {
    (path, text)
}

/// The example's file at `path`, with the published repository URL replaced by `url`.
pub(crate) fn text(path: &str, url: &str) -> Option<String> {
    FILES
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, text)| text.replace(PUBLISHED_URL, url))
}

/// What [`ensure_repository`] found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Repository {
    /// Made now, with one commit.
    Created,
    /// There already (a previous run); left as it is, user commits included.
    Reused,
}

/// Makes `dir` a Git repository holding the example (one commit on `main`, the repository URL
/// in the Applications pointing at `dir` itself), unless it already is one.
pub(crate) fn ensure_repository(dir: &Path, url: &str) -> anyhow::Result<Repository> {
    if dir.join(".git").is_dir() {
        return Ok(Repository::Reused);
    }
    for (path, _) in FILES {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        let content = text(path, url).unwrap_or_default();
        std::fs::write(&target, content)
            .with_context(|| format!("writing {}", target.display()))?;
    }
    git(dir, &["init", "-q", "-b", "main"])?;
    commit_all(dir, "Real Estate AI OS: base, staging and production")?;
    Ok(Repository::Created)
}

/// The commit `main` points at, or `None` while it cannot be read.
pub(crate) fn head(dir: &Path) -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "--verify", "-q", "refs/heads/main"])
        .current_dir(dir)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Commits everything changed in `dir` on its branch as the quickstart's user; returns the
/// new commit.
pub(crate) fn commit_all(dir: &Path, message: &str) -> anyhow::Result<String> {
    git(dir, &["add", "-A"])?;
    as_quickstart(dir, &["commit", "-q", "-m", message])
}

/// Reverts the last commit of `dir` (`git revert --no-edit HEAD`) as the quickstart's user;
/// returns the new commit.
pub(crate) fn revert_head(dir: &Path) -> anyhow::Result<String> {
    as_quickstart(dir, &["revert", "--no-edit", "HEAD"])
}

/// Runs a committing git command as the quickstart's user; returns `main` after it.
fn as_quickstart(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let mut all = vec![
        "-c",
        "user.name=ferry quickstart",
        "-c",
        "user.email=quickstart@ferry.dev",
    ];
    all.extend(args);
    git(dir, &all)?;
    head(dir).ok_or_else(|| anyhow::anyhow!("reading main in {} after a commit", dir.display()))
}

/// Runs git in `dir`; its error output becomes the error.
fn git(dir: &Path, args: &[&str]) -> anyhow::Result<()> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .context("running git (ferry quickstart makes a local Git repository; install git)")?;
    if !output.status.success() {
        bail!(
            "git {} in {}: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_example_is_exactly_the_directory_in_the_repository() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/real-estate-ai-os");
        let mut on_disk = Vec::new();
        let mut pending = vec![root.clone()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    let relative = path.strip_prefix(&root).unwrap();
                    on_disk.push((
                        relative.to_string_lossy().into_owned(),
                        std::fs::read_to_string(&path).unwrap(),
                    ));
                }
            }
        }
        on_disk.sort();
        let built_in: Vec<(String, String)> = FILES
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect();
        assert_eq!(built_in, on_disk);
    }

    #[test]
    fn the_applications_point_at_the_local_repository() {
        let root = text("apps/root.yaml", "file:///tmp/reai").unwrap();
        assert!(root.contains("repoURL: file:///tmp/reai\n"));
        assert!(!root.contains(PUBLISHED_URL));
        for environment in ["staging", "production"] {
            let app = text(
                &format!("apps/environments/{environment}.yaml"),
                "file:///tmp/reai",
            )
            .unwrap();
            assert!(app.contains("repoURL: file:///tmp/reai\n"), "{environment}");
        }
    }
}
