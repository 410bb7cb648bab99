//! Bearer-token authentication and the two roles. Tokens live in the `ferry-api-tokens`
//! Secret, one key per token, `<role>.<name>`; a request's token is compared with every
//! stored one through SHA-256 digests in constant time, so neither its content nor its
//! length leaks through timing.

use std::time::Duration;

use aws_lc_rs::{constant_time, digest};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::ApiError;
use crate::secrets::{CachedSecret, SecretData};
use crate::state::AppState;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Read applications, trees, diffs, history and the stream.
    ReadOnly,
    /// Everything, sync, refresh and rollback included.
    Admin,
}

impl Role {
    /// The role a Secret key's prefix names (`admin`, `read-only`).
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "read-only" | "readonly" => Some(Role::ReadOnly),
            _ => None,
        }
    }
}

/// Who a request was authenticated as; put in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name (the key after the role).
    pub name: String,
    /// Its role.
    pub role: Role,
}

/// One stored token, kept only as its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// The caller it authenticates.
    pub caller: Caller,
    digest: Vec<u8>,
}

/// The tokens of a Secret's contents. Keys that name no role, and empty tokens, are skipped
/// and named in the second list.
pub fn parse_tokens(data: &SecretData) -> (Vec<StoredToken>, Vec<String>) {
    let mut tokens = Vec::new();
    let mut skipped = Vec::new();
    for (key, value) in data {
        let token = String::from_utf8_lossy(value);
        let token = token.trim();
        let parsed = key
            .split_once('.')
            .and_then(|(role, name)| Some((Role::parse(role)?, name)));
        match parsed {
            Some((role, name)) if !token.is_empty() && !name.is_empty() => {
                tokens.push(StoredToken {
                    caller: Caller {
                        name: name.to_string(),
                        role,
                    },
                    digest: sha256(token.as_bytes()),
                });
            }
            _ => skipped.push(key.clone()),
        }
    }
    (tokens, skipped)
}

/// The first admin token of a Secret's contents (`admin.initial` first), in clear.
pub fn admin_token(data: &SecretData) -> Option<String> {
    let initial = data.get(crate::secrets::INITIAL_TOKEN_KEY);
    initial
        .into_iter()
        .chain(
            data.iter()
                .filter(|(key, _)| key.starts_with("admin."))
                .map(|(_, value)| value),
        )
        .map(|value| String::from_utf8_lossy(value).trim().to_string())
        .find(|token| !token.is_empty())
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    digest::digest(&digest::SHA256, bytes).as_ref().to_vec()
}

/// The caller `presented` authenticates, comparing with every token (no early exit).
pub fn authenticate(tokens: &[StoredToken], presented: &str) -> Option<Caller> {
    let presented = sha256(presented.as_bytes());
    let mut found = None;
    for token in tokens {
        if constant_time::verify_slices_are_equal(&token.digest, &presented).is_ok()
            && found.is_none()
        {
            found = Some(token.caller.clone());
        }
    }
    found
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The role an API request needs: reads are for every token, everything else for admins.
pub fn required_role(method: &Method) -> Role {
    if method == Method::GET || method == Method::HEAD {
        Role::ReadOnly
    } else {
        Role::Admin
    }
}

/// The tokens Secret behind its cache.
pub struct TokenStore {
    secret: CachedSecret,
}

/// A miss reads the Secret again when the cache is older than this (a token just added
/// works at once; guessing costs the API server at most one read a second).
const REREAD_ON_MISS: Duration = Duration::from_secs(1);

impl TokenStore {
    /// Tokens read through `secret`.
    pub fn new(secret: CachedSecret) -> Self {
        Self { secret }
    }

    /// The caller `presented` authenticates, if any.
    pub async fn caller(&self, presented: &str) -> Option<Caller> {
        let (tokens, _) = parse_tokens(&self.secret.data(crate::secrets::SECRET_TTL).await);
        if let Some(caller) = authenticate(&tokens, presented) {
            return Some(caller);
        }
        let (tokens, _) = parse_tokens(&self.secret.data(REREAD_ON_MISS).await);
        authenticate(&tokens, presented)
    }
}

/// Middleware of `/api/v1`: 401 without a valid bearer token, 403 when its role is short.
pub async fn require_token(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "missing Authorization: Bearer <token> header",
        ));
    };
    let token =
        value.to_str().ok().and_then(bearer).ok_or_else(|| {
            ApiError::unauthorized("Authorization header is not `Bearer <token>`")
        })?;
    let caller = state
        .tokens()
        .caller(token)
        .await
        .ok_or_else(|| ApiError::unauthorized("invalid token"))?;
    let needed = required_role(request.method());
    if caller.role < needed {
        return Err(ApiError::forbidden(format!(
            "token {:?} is read-only; {} {} needs an admin token",
            caller.name,
            request.method(),
            request.uri().path()
        )));
    }
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(entries: &[(&str, &str)]) -> SecretData {
        entries
            .iter()
            .map(|(key, value)| (key.to_string(), value.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn tokens_are_read_from_role_dot_name_keys_and_others_are_skipped() {
        let (tokens, skipped) = parse_tokens(&data(&[
            ("admin.initial", "secret-one\n"),
            ("read-only.grafana", "secret-two"),
            ("viewer.bob", "secret-three"),
            ("admin.", "x"),
            ("admin.empty", "  "),
        ]));
        let callers: Vec<_> = tokens.iter().map(|token| token.caller.clone()).collect();
        assert_eq!(
            callers,
            [
                Caller {
                    name: "initial".into(),
                    role: Role::Admin
                },
                Caller {
                    name: "grafana".into(),
                    role: Role::ReadOnly
                },
            ]
        );
        assert_eq!(skipped, ["admin.", "admin.empty", "viewer.bob"]);
        assert_eq!(
            authenticate(&tokens, "secret-one").map(|caller| caller.role),
            Some(Role::Admin)
        );
        assert_eq!(
            authenticate(&tokens, "secret-two").map(|caller| caller.role),
            Some(Role::ReadOnly)
        );
        assert_eq!(authenticate(&tokens, "secret-on"), None);
        assert_eq!(authenticate(&tokens, ""), None);
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_needs_a_token() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }

    #[test]
    fn reads_need_any_token_and_actions_need_an_admin() {
        assert_eq!(required_role(&Method::GET), Role::ReadOnly);
        assert_eq!(required_role(&Method::POST), Role::Admin);
        assert!(Role::ReadOnly < Role::Admin);
    }

    #[test]
    fn the_admin_token_prefers_the_initial_one() {
        let stored = data(&[("admin.a", "first"), ("admin.initial", "initial")]);
        assert_eq!(admin_token(&stored).as_deref(), Some("initial"));
        assert_eq!(admin_token(&data(&[("read-only.x", "r")])), None);
    }
}
