//! Repository URLs: credentials taken out of the transport URL, masked for messages, and
//! normalised into the key that names a repository's cache directory.

use gix::bstr::ByteSlice;

use crate::{Credentials, Error, Result};

/// A repository URL split into what each consumer may see.
#[derive(Debug, Clone)]
pub(crate) struct RepoUrl {
    /// What gitoxide connects to: no password, and no user name for HTTP.
    pub(crate) transport: gix::Url,
    /// What messages and [`crate::Checkout::url`] show: credentials masked.
    pub(crate) display: String,
    /// User name and password written into an HTTP URL, if any.
    pub(crate) embedded: Option<Credentials>,
    /// The normalised form whose hash names the cache directory.
    pub(crate) key: String,
}

impl RepoUrl {
    /// Parses a URL or a local path (made absolute).
    pub(crate) fn parse(input: &str) -> Result<Self> {
        let display = redact_url(input);
        let invalid = |reason: String| Error::InvalidUrl {
            url: display.clone(),
            reason,
        };
        if input.trim().is_empty() {
            return Err(invalid("the url is empty".into()));
        }
        let mut url = gix::url::parse(input.as_bytes().as_bstr())
            .map_err(|error| invalid(scrub(&error.to_string(), input)))?;
        let is_http = matches!(url.scheme, gix::url::Scheme::Http | gix::url::Scheme::Https);
        let password = url.set_password(None);
        let embedded = if is_http {
            let user = url.set_user(None);
            match (user, password) {
                (Some(username), Some(password)) => Some(Credentials::Basic { username, password }),
                (Some(token), None) => Some(Credentials::Token(token)),
                _ => None,
            }
        } else {
            None
        };
        if url.scheme == gix::url::Scheme::File {
            let path = gix::path::from_bstr(url.path.as_bstr())
                .map_err(|error| invalid(error.to_string()))?
                .into_owned();
            let absolute =
                std::path::absolute(&path).map_err(|error| invalid(error.to_string()))?;
            url.path = gix::path::into_bstr(absolute)
                .map_err(|error| invalid(error.to_string()))?
                .into_owned();
        }
        let key = normalise(&url);
        Ok(Self {
            transport: url,
            display,
            embedded,
            key,
        })
    }

    /// A short, file-name-safe hint of the repository name, for cache directory names.
    pub(crate) fn slug(&self) -> String {
        let path = self.transport.path.to_str_lossy();
        let name = path
            .trim_end_matches('/')
            .rsplit(['/', ':'])
            .next()
            .unwrap_or("");
        let name = name.strip_suffix(".git").unwrap_or(name);
        let slug: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .take(32)
            .collect();
        if slug.is_empty() {
            "repo".to_string()
        } else {
            slug
        }
    }
}

/// The cache key: scheme, user (for ssh), lower-cased host, port and path without a trailing
/// `/` or `.git`, so `https://Host/org/app.git` and `https://host/org/app` share one cache.
fn normalise(url: &gix::Url) -> String {
    let path = url.path.to_str_lossy();
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let mut key = format!("{}://", url.scheme.as_str());
    if let Some(user) = url.user() {
        key.push_str(user);
        key.push('@');
    }
    if let Some(host) = url.host() {
        key.push_str(&host.to_ascii_lowercase());
    }
    if let Some(port) = url.port {
        key.push_str(&format!(":{port}"));
    }
    if !path.starts_with('/') {
        key.push('/');
    }
    key.push_str(path);
    key
}

/// Masks the credentials in a URL so it can be logged: the password becomes `***`, and so does
/// a lone HTTP user name, which is often a token. Strings that are not URLs come back unchanged.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_string();
    };
    let userinfo = &rest[..at];
    let masked = match userinfo.split_once(':') {
        Some((user, _password)) => format!("{user}:***"),
        None if scheme.starts_with("http") => "***".to_string(),
        None => userinfo.to_string(),
    };
    format!("{scheme}://{masked}{}", &rest[at..])
}

/// Removes the raw user info of `input` from a message that may quote it.
fn scrub(message: &str, input: &str) -> String {
    let redacted = redact_url(input);
    let mut message = message.replace(input, &redacted);
    if let Some((_, rest)) = input.split_once("://")
        && let Some(at) = rest[..rest.find('/').unwrap_or(rest.len())].rfind('@')
    {
        message = message.replace(&rest[..at], "***");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_lone_http_users_are_masked() {
        assert_eq!(
            redact_url("https://me:secret@host/r.git"),
            "https://me:***@host/r.git"
        );
        assert_eq!(
            redact_url("https://ghp_token@host/r.git"),
            "https://***@host/r.git"
        );
        assert_eq!(redact_url("ssh://git@host/r.git"), "ssh://git@host/r.git");
        assert_eq!(redact_url("git@host:org/r.git"), "git@host:org/r.git");
        assert_eq!(redact_url("/srv/repos/r"), "/srv/repos/r");
    }

    #[test]
    fn credentials_in_an_http_url_move_out_of_the_transport_url() {
        let url = RepoUrl::parse("https://me:secret@Example.com/org/app.git").unwrap();
        assert_eq!(
            url.transport.to_bstring(),
            "https://example.com/org/app.git"
        );
        assert_eq!(url.display, "https://me:***@Example.com/org/app.git");
        assert_eq!(
            url.embedded,
            Some(Credentials::Basic {
                username: "me".into(),
                password: "secret".into()
            })
        );
        assert_eq!(url.key, "https://example.com/org/app");
        assert_eq!(url.slug(), "app");
    }

    #[test]
    fn equivalent_spellings_share_a_cache_key() {
        let a = RepoUrl::parse("https://example.com/org/app.git").unwrap();
        let b = RepoUrl::parse("https://EXAMPLE.com/org/app/").unwrap();
        let c = RepoUrl::parse("https://token@example.com/org/app").unwrap();
        assert_eq!(a.key, b.key);
        assert_eq!(a.key, c.key);
        let ssh = RepoUrl::parse("git@example.com:org/app.git").unwrap();
        assert_eq!(ssh.key, "ssh://git@example.com/org/app");
    }

    #[test]
    fn relative_paths_become_absolute_file_urls() {
        let url = RepoUrl::parse("some/repo").unwrap();
        assert_eq!(url.transport.scheme, gix::url::Scheme::File);
        assert!(url.key.starts_with("file:///"), "{}", url.key);
        assert!(url.key.ends_with("/some/repo"), "{}", url.key);
    }

    #[test]
    fn an_empty_url_is_invalid() {
        assert!(matches!(RepoUrl::parse(" "), Err(Error::InvalidUrl { .. })));
    }
}
