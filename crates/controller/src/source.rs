//! An Application's source fetched from Git and rendered: shared by the controller and the
//! CLI's `diff`, `sync` and `render --app`.

use ferry_git::{Credentials, FetchRequest, RepoCache};
use ferry_manifest::{Limits, Rendered};
use ferry_types::Application;

use crate::{Error, Result};

/// A rendered source and the commit it came from.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The full commit SHA rendered.
    pub revision: String,
    /// The commit message.
    pub message: String,
    /// The commit's author.
    pub author: String,
    /// The commit time (committer date), RFC 3339.
    pub commit_time: String,
    /// The objects, and how the source was read.
    pub rendered: Rendered,
}

/// Fetches the app's source at `revision` (its `targetRevision` when `None`) into `cache`
/// and renders it with its directory and kustomize options. Blocking: run it off the async
/// runtime's threads.
pub fn fetch_and_render(
    cache: &RepoCache,
    credentials: &Credentials,
    application: &Application,
    revision: Option<&str>,
) -> Result<Fetched> {
    let Some(source) = application.source() else {
        return Err(Error::Application {
            name: application.metadata.name.clone(),
            message: "no spec.source".into(),
        });
    };
    if source.repo_url.is_empty() {
        return Err(Error::Application {
            name: application.metadata.name.clone(),
            message: "spec.source.repoURL is empty".into(),
        });
    }
    let request = FetchRequest {
        url: source.repo_url.clone(),
        revision: revision.unwrap_or(source.revision()).to_string(),
        credentials: credentials.clone(),
    };
    let checkout = cache.fetch(&request)?;
    let rendered =
        ferry_manifest::render_application_source(&checkout.tree, source, &Limits::default())?;
    Ok(Fetched {
        revision: checkout.commit,
        message: checkout.message,
        author: checkout.author,
        commit_time: crate::status::rfc3339(
            std::time::UNIX_EPOCH
                + std::time::Duration::from_secs(u64::try_from(checkout.committed_at).unwrap_or(0)),
        ),
        rendered,
    })
}
