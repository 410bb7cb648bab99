//! Credentials for a fetch: HTTP basic auth or a token answered to the server's challenge, and
//! the `ssh` command line that carries a private key.

use std::fmt;
use std::path::{Path, PathBuf};

use gix::credentials::helper::Action;
use gix::credentials::protocol::Outcome;
use gix::sec::identity::Account;

/// The user name sent with a [`Credentials::Token`]; forges accept any name with a token.
pub(crate) const TOKEN_USERNAME: &str = "x-access-token";

/// How long `ssh` may take to connect before giving up, in seconds.
const SSH_CONNECT_TIMEOUT_SECONDS: u32 = 30;

/// How to authenticate against the repository's server.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Credentials {
    /// Anonymous access.
    #[default]
    None,
    /// HTTP(S) basic authentication.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
    /// An HTTP(S) access token, sent as the basic-auth password of user `x-access-token`.
    Token(String),
    /// An SSH private key file, passed to `ssh -i`.
    SshKey {
        /// Path of the private key; it must be readable by `ssh` (mode 0600).
        private_key: PathBuf,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"***")
                .finish(),
            Self::Token(_) => f.write_str("Token(***)"),
            Self::SshKey { private_key } => f
                .debug_struct("SshKey")
                .field("private_key", private_key)
                .finish(),
        }
    }
}

impl Credentials {
    /// The identity HTTP transports answer a `401` with, if any.
    pub(crate) fn account(&self) -> Option<Account> {
        let (username, password) = match self {
            Self::Basic { username, password } => (username.clone(), password.clone()),
            Self::Token(token) => (TOKEN_USERNAME.to_string(), token.clone()),
            Self::None | Self::SshKey { .. } => return None,
        };
        Some(Account {
            username,
            password,
            oauth_refresh_token: None,
        })
    }

    /// The private key to hand to `ssh`, if any.
    fn private_key(&self) -> Option<&Path> {
        match self {
            Self::SshKey { private_key } => Some(private_key),
            _ => None,
        }
    }
}

/// A credential callback for gitoxide that answers with `account` and never prompts: without
/// an account the server's challenge fails with an authentication error.
pub(crate) fn authenticate(
    account: Option<Account>,
) -> impl FnMut(Action) -> gix::Result<Option<Outcome>> {
    move |action| {
        let (Some(context), Some(identity)) = (action.context(), account.clone()) else {
            return Ok(None);
        };
        Ok(Some(Outcome {
            identity,
            next: context.clone().into(),
        }))
    }
}

/// The `core.sshCommand` for a fetch: batch mode (never prompt), a connect timeout and, with a
/// key, `-i <key>` restricted to that identity. Host keys are checked against the user's
/// `known_hosts` as usual.
pub(crate) fn ssh_command(program: &Path, credentials: &Credentials) -> String {
    let mut command = shell_quote(&program.to_string_lossy());
    command.push_str(" -o BatchMode=yes");
    command.push_str(&format!(" -o ConnectTimeout={SSH_CONNECT_TIMEOUT_SECONDS}"));
    if let Some(key) = credentials.private_key() {
        command.push_str(" -o IdentitiesOnly=yes -i ");
        command.push_str(&shell_quote(&key.to_string_lossy()));
    }
    command
}

/// Quotes `text` for a POSIX shell, the way gitoxide runs `core.sshCommand`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_secrets() {
        let basic = Credentials::Basic {
            username: "me".into(),
            password: "hunter2".into(),
        };
        let token = Credentials::Token("ghp_secret".into());
        assert_eq!(
            format!("{basic:?}"),
            r#"Basic { username: "me", password: "***" }"#
        );
        assert_eq!(format!("{token:?}"), "Token(***)");
    }

    #[test]
    fn a_token_is_sent_as_the_password_of_a_fixed_user() {
        let account = Credentials::Token("t0k3n".into()).account().unwrap();
        assert_eq!(
            (account.username.as_str(), account.password.as_str()),
            (TOKEN_USERNAME, "t0k3n")
        );
        assert!(
            Credentials::SshKey {
                private_key: "k".into()
            }
            .account()
            .is_none()
        );
    }

    #[test]
    fn the_ssh_command_quotes_the_key_and_never_prompts() {
        let key = Credentials::SshKey {
            private_key: "/keys/it's here".into(),
        };
        assert_eq!(
            ssh_command(Path::new("ssh"), &key),
            r"'ssh' -o BatchMode=yes -o ConnectTimeout=30 -o IdentitiesOnly=yes -i '/keys/it'\''s here'"
        );
        assert_eq!(
            ssh_command(Path::new("ssh"), &Credentials::None),
            "'ssh' -o BatchMode=yes -o ConnectTimeout=30"
        );
    }
}
