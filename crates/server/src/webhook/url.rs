//! Repository URLs normalised for matching a push with an app's `repoURL`: case, scheme,
//! user, port, a trailing `.git` and `/` do not matter, and the scp-like `git@host:path`
//! is the same repository as `ssh://git@host/path` and `https://host/path` (as Argo CD
//! matches webhook URLs, which also ignores the scheme and a `.git` suffix).

/// The comparable form of a repository URL: `host/path` in lower case, without scheme,
/// user, port, trailing `/` or `.git`; `file://` URLs and plain paths keep their path.
pub fn normalize_repo_url(url: &str) -> String {
    let url = url.trim().to_ascii_lowercase();
    let rest = match url.split_once("://") {
        Some(("file", path)) => return trim_suffixes(path).to_string(),
        Some((_, rest)) => strip_user_and_port(rest),
        None => match scp_like(&url) {
            Some((host, path)) => format!("{host}/{}", path.trim_start_matches('/')),
            None => return trim_suffixes(&url).to_string(),
        },
    };
    trim_suffixes(&rest).to_string()
}

/// Whether two repository URLs name the same repository.
pub fn same_repository(a: &str, b: &str) -> bool {
    let (a, b) = (normalize_repo_url(a), normalize_repo_url(b));
    !a.is_empty() && a == b
}

/// `[user@]host:path` (no scheme; a `/` before the first `:` makes it a path).
fn scp_like(url: &str) -> Option<(&str, &str)> {
    let (authority, path) = url.split_once(':')?;
    if authority.contains('/') || authority.is_empty() {
        return None;
    }
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    Some((host, path))
}

/// `host/path` from `[user[:password]@]host[:port]/path`.
fn strip_user_and_port(rest: &str) -> String {
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    format!("{host}/{path}")
}

fn trim_suffixes(text: &str) -> &str {
    let text = text.trim_end_matches('/');
    let text = text.strip_suffix(".git").unwrap_or(text);
    text.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_github_repository_normalises_the_same() {
        let spellings = [
            "https://github.com/Acme/Shop",
            "https://github.com/acme/shop.git",
            "https://github.com/acme/shop/",
            "http://github.com/acme/shop.git/",
            "git@github.com:acme/shop.git",
            "ssh://git@github.com/acme/shop.git",
            "ssh://git@github.com:22/acme/shop",
            "git://github.com/acme/shop",
            "https://user:token@github.com/acme/shop",
            "  https://GITHUB.COM/ACME/SHOP.GIT  ",
        ];
        for spelling in spellings {
            assert_eq!(
                normalize_repo_url(spelling),
                "github.com/acme/shop",
                "{spelling}"
            );
        }
    }

    #[test]
    fn different_repositories_or_hosts_stay_different() {
        assert!(!same_repository(
            "https://github.com/acme/shop",
            "https://github.com/acme/shop-api"
        ));
        assert!(!same_repository(
            "https://github.com/acme/shop",
            "https://gitlab.com/acme/shop"
        ));
        assert!(!same_repository("", ""));
    }

    #[test]
    fn file_urls_and_paths_keep_their_path() {
        assert_eq!(normalize_repo_url("file:///tmp/Repo/.git/"), "/tmp/repo");
        assert!(same_repository(
            "file:///srv/git/shop.git",
            "file:///srv/git/shop"
        ));
        assert!(!same_repository("file:///srv/git/shop", "/srv/git/other"));
    }

    #[test]
    fn an_scp_like_url_with_a_subgroup_matches_its_https_form() {
        assert!(same_repository(
            "git@gitlab.example.com:group/sub/project.git",
            "https://gitlab.example.com/group/sub/project"
        ));
        assert!(same_repository(
            "ssh://git@gitlab.example.com:2222/group/project.git",
            "git@gitlab.example.com:group/project.git"
        ));
    }
}
