//! What a push says, read from each provider's payload, and which apps it concerns: the
//! repository (any of the URLs the payload gives) and the branch or tag against the app's
//! `targetRevision`.

use ferry_types::Application;
use serde_json::Value;

use super::url::same_repository;

/// A push, provider-neutral.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Push {
    /// Every URL the payload gives for the repository (web, HTTPS clone, SSH).
    pub repositories: Vec<String>,
    /// The branch or tag pushed (`main`, `v1.2`); `None` when the payload names none.
    pub reference: Option<String>,
    /// The repository's default branch, when the payload says.
    pub default_branch: Option<String>,
    /// The commit pushed, when given.
    pub revision: Option<String>,
}

/// A payload that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("payload: {0}")]
pub struct PayloadError(pub String);

fn parse_json(body: &[u8]) -> Result<Value, PayloadError> {
    serde_json::from_slice(body).map_err(|error| PayloadError(format!("not JSON: {error}")))
}

fn strings(object: &Value, fields: &[&str]) -> Vec<String> {
    fields
        .iter()
        .filter_map(|field| object.get(field).and_then(Value::as_str))
        .filter(|url| !url.is_empty())
        .map(str::to_string)
        .collect()
}

fn text(value: &Value, field: &str) -> Option<String> {
    value
        .get(field)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
        .map(str::to_string)
}

/// The branch or tag name of a Git ref (`refs/heads/main` → `main`, `refs/tags/v1` → `v1`);
/// other text unchanged.
pub fn short_reference(reference: &str) -> &str {
    reference
        .strip_prefix("refs/heads/")
        .or_else(|| reference.strip_prefix("refs/tags/"))
        .unwrap_or(reference)
}

fn finish(mut push: Push) -> Result<Push, PayloadError> {
    push.repositories.dedup();
    if push.repositories.is_empty() {
        return Err(PayloadError("no repository URL".into()));
    }
    push.reference = push.reference.map(|r| short_reference(&r).to_string());
    Ok(push)
}

/// A GitHub `push` event: `ref`, `after`, `repository.{html_url, clone_url, ssh_url,
/// git_url, url, default_branch}`.
pub fn github_push(body: &[u8]) -> Result<Push, PayloadError> {
    let payload = parse_json(body)?;
    let repository = payload.get("repository").cloned().unwrap_or_default();
    finish(Push {
        repositories: strings(
            &repository,
            &["html_url", "clone_url", "ssh_url", "git_url", "url"],
        ),
        reference: text(&payload, "ref"),
        default_branch: text(&repository, "default_branch"),
        revision: text(&payload, "after"),
    })
}

/// A GitLab `Push Hook` or `Tag Push Hook`: `ref`, `after`, `project.{web_url,
/// git_http_url, git_ssh_url, default_branch}`, `repository.{homepage, url, git_http_url,
/// git_ssh_url}`.
pub fn gitlab_push(body: &[u8]) -> Result<Push, PayloadError> {
    let payload = parse_json(body)?;
    let project = payload.get("project").cloned().unwrap_or_default();
    let repository = payload.get("repository").cloned().unwrap_or_default();
    let mut repositories = strings(&project, &["web_url", "git_http_url", "git_ssh_url"]);
    repositories.extend(strings(
        &repository,
        &["homepage", "url", "git_http_url", "git_ssh_url"],
    ));
    finish(Push {
        repositories,
        reference: text(&payload, "ref"),
        default_branch: text(&project, "default_branch"),
        revision: text(&payload, "after").or_else(|| text(&payload, "checkout_sha")),
    })
}

/// ferry's generic payload: `{"repository": URL, "branch": "main", "revision": SHA,
/// "defaultBranch": "main"}`; only `repository` is required.
pub fn generic_push(body: &[u8]) -> Result<Push, PayloadError> {
    let payload = parse_json(body)?;
    let repository = payload
        .get("repository")
        .and_then(Value::as_str)
        .filter(|url| !url.is_empty())
        .ok_or_else(|| PayloadError("\"repository\" (a URL string) is required".into()))?;
    finish(Push {
        repositories: vec![repository.to_string()],
        reference: text(&payload, "branch").or_else(|| text(&payload, "ref")),
        default_branch: text(&payload, "defaultBranch"),
        revision: text(&payload, "revision"),
    })
}

/// Whether `push` concerns `app`: same repository, and the pushed branch or tag is what the
/// app follows. An app on `HEAD` (or no `targetRevision`) follows the default branch: it
/// matches a push to the branch the payload calls default, or any push when the payload
/// does not say. A push naming no branch matches every app of the repository. A commit SHA
/// as `targetRevision` never moves, so never matches a named branch.
pub fn app_matches(app: &Application, push: &Push) -> bool {
    let Some(source) = app.source() else {
        return false;
    };
    if !push
        .repositories
        .iter()
        .any(|url| same_repository(url, &source.repo_url))
    {
        return false;
    }
    let Some(pushed) = push.reference.as_deref() else {
        return true;
    };
    let target = source.target_revision.trim();
    if target.is_empty() || target == "HEAD" {
        return push
            .default_branch
            .as_deref()
            .is_none_or(|default| default == pushed);
    }
    short_reference(target) == pushed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app(repo: &str, revision: &str) -> Application {
        let mut app = Application::default();
        app.metadata.name = "shop".into();
        app.spec.source = Some(ferry_types::ApplicationSource {
            repo_url: repo.into(),
            target_revision: revision.into(),
            ..Default::default()
        });
        app
    }

    fn github(reference: &str) -> Push {
        let body = json!({
            "ref": reference,
            "after": "abc123",
            "repository": {
                "html_url": "https://github.com/acme/shop",
                "clone_url": "https://github.com/acme/shop.git",
                "ssh_url": "git@github.com:acme/shop.git",
                "default_branch": "main"
            }
        });
        github_push(body.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn a_github_push_is_read_with_every_repository_url_and_the_short_branch() {
        let push = github("refs/heads/main");
        assert_eq!(push.repositories.len(), 3);
        assert_eq!(push.reference.as_deref(), Some("main"));
        assert_eq!(push.default_branch.as_deref(), Some("main"));
        assert_eq!(push.revision.as_deref(), Some("abc123"));
    }

    #[test]
    fn a_push_matches_apps_on_that_branch_in_any_spelling_of_the_repository() {
        let push = github("refs/heads/main");
        assert!(app_matches(
            &app("git@github.com:Acme/shop.git", "main"),
            &push
        ));
        assert!(app_matches(
            &app("https://github.com/acme/shop", "refs/heads/main"),
            &push
        ));
        assert!(!app_matches(
            &app("https://github.com/acme/shop", "release"),
            &push
        ));
        assert!(!app_matches(
            &app("https://github.com/acme/other", "main"),
            &push
        ));
        assert!(!app_matches(
            &app("https://github.com/acme/shop", "4f2a9c1"),
            &push
        ));
    }

    #[test]
    fn an_app_on_head_follows_only_the_default_branch() {
        assert!(app_matches(
            &app("https://github.com/acme/shop", "HEAD"),
            &github("refs/heads/main")
        ));
        assert!(app_matches(
            &app("https://github.com/acme/shop", ""),
            &github("refs/heads/main")
        ));
        assert!(!app_matches(
            &app("https://github.com/acme/shop", "HEAD"),
            &github("refs/heads/feature")
        ));
    }

    #[test]
    fn a_tag_push_matches_an_app_following_that_tag() {
        let push = github("refs/tags/v1.2.0");
        assert!(app_matches(
            &app("https://github.com/acme/shop", "v1.2.0"),
            &push
        ));
        assert!(app_matches(
            &app("https://github.com/acme/shop", "refs/tags/v1.2.0"),
            &push
        ));
    }

    #[test]
    fn a_gitlab_push_is_read_from_project_and_repository() {
        let body = json!({
            "object_kind": "push",
            "ref": "refs/heads/develop",
            "checkout_sha": "def456",
            "project": {
                "web_url": "https://gitlab.example.com/group/shop",
                "git_ssh_url": "git@gitlab.example.com:group/shop.git",
                "git_http_url": "https://gitlab.example.com/group/shop.git",
                "default_branch": "main"
            }
        });
        let push = gitlab_push(body.to_string().as_bytes()).unwrap();
        assert_eq!(push.reference.as_deref(), Some("develop"));
        assert_eq!(push.revision.as_deref(), Some("def456"));
        assert!(app_matches(
            &app("ssh://git@gitlab.example.com/group/shop", "develop"),
            &push
        ));
    }

    #[test]
    fn a_generic_push_needs_a_repository_and_without_a_branch_matches_every_app_of_it() {
        let push = generic_push(br#"{"repository": "https://git.example.com/shop.git"}"#).unwrap();
        assert_eq!(push.reference, None);
        assert!(app_matches(
            &app("https://git.example.com/shop", "anything"),
            &push
        ));
        assert!(app_matches(
            &app("https://git.example.com/shop", "HEAD"),
            &push
        ));
        let error = generic_push(br#"{"branch": "main"}"#).unwrap_err();
        assert!(error.to_string().contains("repository"), "{error}");
        assert!(generic_push(b"not json").is_err());
        let push = generic_push(
            br#"{"repository": "https://git.example.com/shop", "branch": "refs/heads/main", "defaultBranch": "trunk"}"#,
        )
        .unwrap();
        assert!(!app_matches(
            &app("https://git.example.com/shop", "HEAD"),
            &push
        ));
        assert!(app_matches(
            &app("https://git.example.com/shop", "main"),
            &push
        ));
    }

    #[test]
    fn a_payload_without_any_repository_url_is_an_error() {
        assert!(github_push(br#"{"ref": "refs/heads/main"}"#).is_err());
        assert!(gitlab_push(br#"{"ref": "refs/heads/main", "project": {}}"#).is_err());
    }
}
