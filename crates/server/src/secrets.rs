//! The Secrets the server keeps in its namespace: API tokens (`ferry-api-tokens`) and the
//! webhook secret (`ferry-webhook`). Created at first start with a generated value, read
//! through a short-lived cache so a token added with `kubectl` works at once and a removed
//! one stops working within [`SECRET_TTL`].

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use kube::api::{Api, ApiResource, DynamicObject, PostParams};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::{Error, Result};

/// The Secret holding API tokens: one key per token, `<role>.<name>` (`admin.initial`,
/// `read-only.grafana`), the token as the value.
pub const TOKENS_SECRET: &str = "ferry-api-tokens";
/// The Secret holding the webhook secret: key `secret` for every provider, or `github`,
/// `gitlab`, `generic` for one provider each.
pub const WEBHOOK_SECRET: &str = "ferry-webhook";
/// The key of the admin token generated at first start.
pub const INITIAL_TOKEN_KEY: &str = "admin.initial";
/// The key of the webhook secret generated at first start.
pub const WEBHOOK_SECRET_KEY: &str = "secret";
/// How long a read Secret is trusted before it is read again.
pub const SECRET_TTL: Duration = Duration::from_secs(10);
/// Label on the Secrets the server creates.
const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "ferry-server");

/// The contents of a Secret: key to bytes.
pub type SecretData = BTreeMap<String, Vec<u8>>;

/// 32 random bytes from the system's generator, hex-encoded (64 characters).
pub fn generate_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| Error::Random)?;
    Ok(hex(&bytes))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

fn secret_resource() -> ApiResource {
    ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "Secret".into(),
        plural: "secrets".into(),
    }
}

fn secret_error(namespace: &str, name: &str, message: impl Into<String>) -> Error {
    Error::Secret {
        namespace: namespace.into(),
        name: name.into(),
        message: message.into(),
    }
}

/// Reads Secret `name`; `None` when it does not exist.
pub async fn read_secret(
    kube: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<Option<SecretData>> {
    let api: Api<DynamicObject> = Api::namespaced_with(kube.clone(), namespace, &secret_resource());
    let object = api.get_opt(name).await.map_err(|source| Error::Kube {
        action: format!("reading Secret {namespace}/{name}"),
        source,
    })?;
    let Some(object) = object else {
        return Ok(None);
    };
    let mut data = SecretData::new();
    if let Some(fields) = object.data.get("data").and_then(Value::as_object) {
        for (key, value) in fields {
            let text = value.as_str().unwrap_or_default();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| secret_error(namespace, name, format!("key {key}: not base64")))?;
            data.insert(key.clone(), bytes);
        }
    }
    Ok(Some(data))
}

/// Reads Secret `name`, creating it (and its namespace) with `key` = a generated value when
/// it does not exist. Returns its contents and whether it was created now.
pub async fn ensure_secret(
    kube: &kube::Client,
    namespace: &str,
    name: &str,
    key: &str,
) -> Result<(SecretData, bool)> {
    if let Some(data) = read_secret(kube, namespace, name).await? {
        return Ok((data, false));
    }
    ensure_namespace(kube, namespace).await?;
    let value = generate_secret()?;
    let document = json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {MANAGED_BY.0: MANAGED_BY.1},
        },
        "type": "Opaque",
        "data": {key: base64::engine::general_purpose::STANDARD.encode(&value)},
    });
    let object: DynamicObject = serde_json::from_value(document)
        .map_err(|error| secret_error(namespace, name, error.to_string()))?;
    let api: Api<DynamicObject> = Api::namespaced_with(kube.clone(), namespace, &secret_resource());
    match api.create(&PostParams::default(), &object).await {
        Ok(_) => Ok((
            SecretData::from([(key.to_string(), value.into_bytes())]),
            true,
        )),
        // Another server created it meanwhile: use theirs.
        Err(kube::Error::Api(status)) if status.code == 409 => {
            let data = read_secret(kube, namespace, name)
                .await?
                .ok_or_else(|| secret_error(namespace, name, "created and gone again"))?;
            Ok((data, false))
        }
        Err(source) => Err(Error::Kube {
            action: format!("creating Secret {namespace}/{name}"),
            source,
        }),
    }
}

/// Creates namespace `namespace` unless it exists.
async fn ensure_namespace(kube: &kube::Client, namespace: &str) -> Result<()> {
    let resource = ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "Namespace".into(),
        plural: "namespaces".into(),
    };
    let api: Api<DynamicObject> = Api::all_with(kube.clone(), &resource);
    let error = |source| Error::Kube {
        action: format!("creating namespace {namespace}"),
        source,
    };
    if api.get_opt(namespace).await.map_err(error)?.is_some() {
        return Ok(());
    }
    let object: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": namespace},
    }))
    .map_err(|error| secret_error(namespace, "-", error.to_string()))?;
    match api.create(&PostParams::default(), &object).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(source) => Err(error(source)),
    }
}

/// A Secret read through a cache: trusted for [`SECRET_TTL`], or read again sooner on demand.
pub struct CachedSecret {
    kube: kube::Client,
    namespace: String,
    name: String,
    cache: Mutex<Option<(Instant, SecretData)>>,
}

impl CachedSecret {
    /// A cache of Secret `namespace/name`, seeded with `data` read just now.
    pub fn new(kube: kube::Client, namespace: &str, name: &str, data: SecretData) -> Self {
        Self {
            kube,
            namespace: namespace.into(),
            name: name.into(),
            cache: Mutex::new(Some((Instant::now(), data))),
        }
    }

    /// Where the Secret lives, `namespace/name`.
    pub fn location(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The contents, read again when older than `max_age` (at most [`SECRET_TTL`]). A failed
    /// read keeps the last contents (and says so on stderr); a deleted Secret is empty.
    pub async fn data(&self, max_age: Duration) -> SecretData {
        let mut cache = self.cache.lock().await;
        let max_age = max_age.min(SECRET_TTL);
        if let Some((read_at, data)) = cache.as_ref()
            && read_at.elapsed() < max_age
        {
            return data.clone();
        }
        match read_secret(&self.kube, &self.namespace, &self.name).await {
            Ok(data) => {
                let data = data.unwrap_or_default();
                *cache = Some((Instant::now(), data.clone()));
                data
            }
            Err(error) => {
                eprintln!("server: {error}");
                let data = cache.as_ref().map(|(_, data)| data.clone());
                // Do not ask again on every request while the API server is away.
                *cache = Some((Instant::now(), data.clone().unwrap_or_default()));
                data.unwrap_or_default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_64_hex_characters_and_differs_each_time() {
        let first = generate_secret().unwrap();
        let second = generate_secret().unwrap();
        assert_eq!(first.len(), 64);
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(first, second);
    }

    #[test]
    fn hex_writes_two_lower_case_digits_per_byte() {
        assert_eq!(hex(&[0x00, 0xab, 0x7f]), "00ab7f");
    }
}
