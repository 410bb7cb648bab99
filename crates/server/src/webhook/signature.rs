//! Webhook authenticity: HMAC-SHA256 over the raw body (GitHub's `X-Hub-Signature-256` and
//! ferry's generic `X-Ferry-Signature-256`, both `sha256=<hex>`) and GitLab's shared token
//! (`X-Gitlab-Token`), each checked in constant time.

use aws_lc_rs::{constant_time, digest, hmac};

/// Why a request is not authentic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is absent.
    #[error("missing signature header")]
    Missing,
    /// The header is not `sha256=<64 hex digits>`.
    #[error("signature header is not sha256=<hex>")]
    Malformed,
    /// The signature or token does not match.
    #[error("signature does not match")]
    Mismatch,
    /// No secret is configured for this provider: nothing can be verified.
    #[error("no webhook secret configured")]
    NoSecret,
}

/// `sha256=<hex>` over `body` with `secret`, as GitHub sends it.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    format!(
        "sha256={}",
        crate::secrets::hex(hmac::sign(&key, body).as_ref())
    )
}

/// Checks a `sha256=<hex>` header against the HMAC-SHA256 of `body` with `secret`.
pub fn verify_hmac(secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    if secret.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let header = header.ok_or(SignatureError::Missing)?;
    let hex = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let tag = decode_hex(hex).ok_or(SignatureError::Malformed)?;
    if tag.len() != digest::SHA256_OUTPUT_LEN {
        return Err(SignatureError::Malformed);
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    hmac::verify(&key, body, &tag).map_err(|_| SignatureError::Mismatch)
}

/// Checks a shared token (GitLab's `X-Gitlab-Token`) through SHA-256 digests, so the
/// comparison takes the same time whatever the token's length or content.
pub fn verify_token(secret: &[u8], presented: Option<&str>) -> Result<(), SignatureError> {
    if secret.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let presented = presented.ok_or(SignatureError::Missing)?;
    let expected = digest::digest(&digest::SHA256, secret);
    let presented = digest::digest(&digest::SHA256, presented.as_bytes());
    constant_time::verify_slices_are_equal(expected.as_ref(), presented.as_ref())
        .map_err(|_| SignatureError::Mismatch)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn githubs_documented_example_signature_verifies() {
        // From GitHub's "Validating webhook deliveries": secret "It's a Secret to
        // Everybody", payload "Hello, World!".
        let secret = b"It's a Secret to Everybody";
        let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(sign(secret, b"Hello, World!"), expected);
        assert_eq!(
            verify_hmac(secret, b"Hello, World!", Some(expected)),
            Ok(())
        );
    }

    #[test]
    fn a_changed_body_a_wrong_secret_or_a_bad_header_is_refused() {
        let header = sign(b"secret", b"body");
        assert_eq!(
            verify_hmac(b"secret", b"body!", Some(&header)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_hmac(b"other", b"body", Some(&header)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_hmac(b"secret", b"body", None),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_hmac(b"secret", b"body", Some("sha1=abcd")),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_hmac(b"secret", b"body", Some("sha256=zz")),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_hmac(b"secret", b"body", Some("sha256=abcd")),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_hmac(b"", b"body", Some(&header)),
            Err(SignatureError::NoSecret)
        );
    }

    #[test]
    fn a_gitlab_token_must_equal_the_secret() {
        assert_eq!(verify_token(b"token", Some("token")), Ok(()));
        assert_eq!(
            verify_token(b"token", Some("token2")),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_token(b"token", Some("")),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify_token(b"token", None), Err(SignatureError::Missing));
        assert_eq!(verify_token(b"", Some("")), Err(SignatureError::NoSecret));
    }
}
