//! `configMapGenerator` and `secretGenerator`: objects made from literals, files and env files,
//! marked for a content-hash suffix and combined with base objects by their `behavior`.

use std::collections::BTreeMap;

use ferry_types::Origin;
use serde_json::{Map, Value, json};

use crate::kustomization::{GeneratorArgs, GeneratorOptions};
use crate::load::{LoadedKustomization, Loader};
use crate::resmap::ResMap;
use crate::resource::{Behavior, Generated, Resource};
use crate::{Error, Result};

/// Which generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ConfigMap,
    Secret,
}

impl Kind {
    fn field(self) -> &'static str {
        match self {
            Self::ConfigMap => "configMapGenerator",
            Self::Secret => "secretGenerator",
        }
    }
}

/// Runs the kustomization's generators, ConfigMaps first, and absorbs their objects.
pub(crate) fn run(
    loader: &Loader<'_>,
    at: &LoadedKustomization,
    resources: &mut ResMap,
) -> Result<()> {
    let global = at.kustomization.generator_options.as_ref();
    let generators = at
        .kustomization
        .config_map_generator
        .iter()
        .map(|args| (Kind::ConfigMap, args));
    let generators = generators.chain(
        at.kustomization
            .secret_generator
            .iter()
            .map(|args| (Kind::Secret, args)),
    );
    for (kind, args) in generators {
        let options = GeneratorOptions::merged_with(args.options.as_ref(), global);
        let resource = make(loader, at, kind, args, &options)?;
        resources.absorb(
            resource,
            &format!("{}: {} {:?}", at.file, kind.field(), args.name),
        )?;
    }
    Ok(())
}

fn make(
    loader: &Loader<'_>,
    at: &LoadedKustomization,
    kind: Kind,
    args: &GeneratorArgs,
    options: &GeneratorOptions,
) -> Result<Resource> {
    let fail = |message: String| Error::Generator {
        file: at.file.to_string(),
        field: kind.field().to_string(),
        name: args.name.clone(),
        message,
    };
    if args.name.is_empty() {
        return Err(fail("a generated object must have a name".into()));
    }
    let pairs = pairs(loader, at, kind, args)?;
    let mut seen = BTreeMap::new();
    for (key, value) in pairs {
        check_key(&key).map_err(&fail)?;
        if seen.insert(key.clone(), value).is_some() {
            return Err(fail(format!("illegally repeats the key `{key}`")));
        }
    }
    let mut metadata = Map::new();
    metadata.insert("name".into(), Value::String(args.name.clone()));
    if !args.namespace.is_empty() {
        metadata.insert("namespace".into(), Value::String(args.namespace.clone()));
    }
    if !options.labels.is_empty() {
        metadata.insert("labels".into(), string_map(&options.labels));
    }
    if !options.annotations.is_empty() {
        metadata.insert("annotations".into(), string_map(&options.annotations));
    }
    let mut object = match kind {
        Kind::ConfigMap => json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata}),
        Kind::Secret => {
            let secret_type = if args.secret_type.is_empty() {
                "Opaque"
            } else {
                &args.secret_type
            };
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": metadata, "type": secret_type})
        }
    };
    let fields = crate::resource::object_mut(&mut object);
    match kind {
        Kind::ConfigMap => {
            let mut data = Map::new();
            let mut binary = Map::new();
            for (key, value) in seen {
                match String::from_utf8(value) {
                    Ok(text) => data.insert(key, Value::String(text)),
                    Err(error) => binary.insert(key, Value::String(base64(error.as_bytes()))),
                };
            }
            if !data.is_empty() {
                fields.insert("data".into(), Value::Object(data));
            }
            if !binary.is_empty() {
                fields.insert("binaryData".into(), Value::Object(binary));
            }
        }
        Kind::Secret => {
            let data: Map<String, Value> = seen
                .into_iter()
                .map(|(key, value)| (key, Value::String(base64(&value))))
                .collect();
            fields.insert("data".into(), Value::Object(data));
        }
    }
    if options.immutable {
        fields.insert("immutable".into(), Value::Bool(true));
    }
    let mut resource = Resource::new(
        object,
        Origin {
            file: at.file.to_string(),
            document: 0,
            line: 1,
        },
    );
    resource.generated = Some(Generated {
        behavior: Behavior::parse(&args.behavior),
        needs_hash: !options.disable_name_suffix_hash,
    });
    Ok(resource)
}

fn string_map(map: &BTreeMap<String, String>) -> Value {
    Value::Object(
        map.iter()
            .map(|(key, value)| (key.clone(), Value::String(value.clone())))
            .collect(),
    )
}

/// The key/value pairs of a generator: env files, then literals, then files.
fn pairs(
    loader: &Loader<'_>,
    at: &LoadedKustomization,
    kind: Kind,
    args: &GeneratorArgs,
) -> Result<Vec<(String, Vec<u8>)>> {
    let fail = |message: String| Error::Generator {
        file: at.file.to_string(),
        field: kind.field().to_string(),
        name: args.name.clone(),
        message,
    };
    let mut pairs = Vec::new();
    for path in &args.envs {
        let (_, bytes) = loader.field_file(at, &format!("{} envs", kind.field()), path)?;
        pairs.extend(
            env_pairs(&bytes).map_err(|message| fail(format!("env file {path:?}: {message}")))?,
        );
    }
    for literal in &args.literals {
        let (key, value) = literal_pair(literal).map_err(&fail)?;
        pairs.push((key, value.into_bytes()));
    }
    for source in &args.files {
        let (key, path) = file_source(source).map_err(&fail)?;
        let (_, bytes) = loader.field_file(at, &format!("{} files", kind.field()), &path)?;
        pairs.push((key, bytes));
    }
    Ok(pairs)
}

/// Reads an env file: `KEY=value` lines; blank lines and `#` comments skipped; a line without
/// `=` gives an empty value.
fn env_pairs(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut pairs = Vec::new();
    let mut lines: Vec<&[u8]> = bytes.split(|&byte| byte == b'\n').collect();
    if bytes.ends_with(b"\n") {
        lines.pop();
    }
    for (number, raw) in lines.into_iter().enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let raw = if number == 0 {
            raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
        } else {
            raw
        };
        let line = std::str::from_utf8(raw)
            .map_err(|_| format!("line {} has invalid utf8 bytes", number + 1))?;
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        if !is_env_var_name(key) {
            return Err(format!(
                "invalid key {key:?}: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"
            ));
        }
        pairs.push((key.to_string(), value.as_bytes().to_vec()));
    }
    Ok(pairs)
}

fn is_env_var_name(key: &str) -> bool {
    let mut characters = key.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || "-._".contains(first))
        && characters
            .all(|character| character.is_ascii_alphanumeric() || "-._".contains(character))
}

/// `key=value`, with one pair of matching quotes around the value removed.
fn literal_pair(source: &str) -> Result<(String, String), String> {
    match source.split_once('=') {
        Some((key, value)) if !key.is_empty() => {
            let bytes = value.as_bytes();
            let quoted = bytes.len() >= 2
                && bytes[0] == bytes[bytes.len() - 1]
                && (bytes[0] == b'"' || bytes[0] == b'\'');
            let value = if quoted {
                &value[1..value.len() - 1]
            } else {
                value
            };
            Ok((key.to_string(), value.to_string()))
        }
        _ => Err(format!(
            "invalid literal source {source:?}, expected key=value"
        )),
    }
}

/// `path` (key: the file name) or `key=path`.
fn file_source(source: &str) -> Result<(String, String), String> {
    match source.matches('=').count() {
        0 => Ok((
            source
                .rsplit('/')
                .find(|part| !part.is_empty())
                .unwrap_or(source)
                .to_string(),
            source.to_string(),
        )),
        1 => match source.split_once('=') {
            Some(("", path)) => Err(format!(
                "missing key name for file path {path:?} in source {source:?}"
            )),
            Some((key, "")) => Err(format!(
                "missing file path for key name {key:?} in source {source:?}"
            )),
            Some((key, path)) => Ok((key.to_string(), path.to_string())),
            None => unreachable!("one separator was counted"),
        },
        _ => Err(format!(
            "source {source:?} key name or file path contains '='"
        )),
    }
}

/// Kubernetes' rule for ConfigMap and Secret keys.
fn check_key(key: &str) -> Result<(), String> {
    let valid_characters = !key.is_empty()
        && key
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || "-._".contains(character));
    if key.len() > 253 || !valid_characters || key == "." || key.starts_with("..") {
        return Err(format!(
            "invalid key {key:?}: a valid config key must consist of alphanumeric characters, '-', '_' or '.', and must not be '.' or start with '..'"
        ));
    }
    Ok(())
}

/// Standard base64 wrapped at 70 characters with a newline after each line, as kustomize
/// writes Secret values (one line, no newline, when shorter than 70 characters).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for index in 0..4 {
            if index <= chunk.len() {
                encoded.push(ALPHABET[((group >> (18 - 6 * index)) & 63) as usize] as char);
            } else {
                encoded.push('=');
            }
        }
    }
    const LINE: usize = 70;
    if encoded.len() < LINE {
        return encoded;
    }
    let mut wrapped = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for line in encoded.as_bytes().chunks(LINE) {
        wrapped.push_str(std::str::from_utf8(line).unwrap_or_default());
        wrapped.push('\n');
    }
    wrapped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files_skip_comments_and_keep_values_verbatim() {
        let pairs = env_pairs(b"\xEF\xBB\xBF# comment\n\n  A=1\nB=x=y \r\nC\n").unwrap();
        let pairs: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(key, value)| (key, String::from_utf8(value).unwrap()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("A".into(), "1".into()),
                ("B".into(), "x=y ".into()),
                ("C".into(), String::new())
            ]
        );
    }

    #[test]
    fn literals_lose_one_pair_of_matching_quotes() {
        assert_eq!(
            literal_pair("a=\"b c\"").unwrap(),
            ("a".into(), "b c".into())
        );
        assert_eq!(literal_pair("a='b").unwrap(), ("a".into(), "'b".into()));
        assert!(literal_pair("=b").is_err());
    }

    #[test]
    fn file_sources_take_the_base_name_unless_keyed() {
        assert_eq!(
            file_source("dir/app.properties").unwrap(),
            ("app.properties".into(), "dir/app.properties".into())
        );
        assert_eq!(
            file_source("key=dir/a").unwrap(),
            ("key".into(), "dir/a".into())
        );
        assert!(file_source("a=b=c").is_err());
    }

    #[test]
    fn long_base64_values_wrap_at_seventy_characters() {
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        let long = base64(&[0u8; 60]);
        assert_eq!(long.lines().next().unwrap().len(), 70);
        assert!(long.ends_with('\n'));
    }

    #[test]
    fn keys_follow_the_kubernetes_rule() {
        assert!(check_key("app.properties").is_ok());
        assert!(check_key("..a").is_err());
        assert!(check_key("a b").is_err());
    }
}
