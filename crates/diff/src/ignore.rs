//! Which `ignoreDifferences` rules apply to an object, and the RFC 6901 pointers they name.

use ferry_types::ResourceIgnoreDifferences;
use serde_json::Value;

use crate::object::{key_of, text};
use crate::path::Segment;
use crate::{Error, Result, jq};

/// Checks every rule's JSON pointers and jq expressions, whether or not any object matches
/// it, so a typo is reported when the application is read rather than never.
pub fn check_ignore_differences(ignore: &[ResourceIgnoreDifferences]) -> Result<()> {
    for rule in ignore {
        for pointer in &rule.json_pointers {
            parse_pointer(pointer)?;
        }
        for expression in &rule.jq_path_expressions {
            jq::check(expression)?;
        }
    }
    Ok(())
}

/// The rules that apply to `object`: group and kind match as globs (`*`), as in Argo CD;
/// name and namespace match exactly, and an empty one matches all.
pub(crate) fn matching_rules<'a>(
    object: &Value,
    ignore: &'a [ResourceIgnoreDifferences],
) -> Vec<&'a ResourceIgnoreDifferences> {
    let key = key_of(object);
    let namespace = text(object, "/metadata/namespace");
    ignore
        .iter()
        .filter(|rule| {
            glob_matches(&rule.group, &key.group)
                && glob_matches(&rule.kind, &key.kind)
                && (rule.name.is_empty() || rule.name == key.name)
                && (rule.namespace.is_empty() || rule.namespace == namespace)
        })
        .collect()
}

/// The reference tokens of an RFC 6901 pointer (`~1` is `/`, `~0` is `~`).
pub(crate) fn parse_pointer(pointer: &str) -> Result<Vec<String>> {
    let invalid = |reason| Error::InvalidJsonPointer {
        pointer: pointer.to_string(),
        reason,
    };
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(invalid("a pointer to a field starts with /"));
    };
    rest.split('/')
        .map(|token| {
            let mut decoded = String::with_capacity(token.len());
            let mut characters = token.chars();
            while let Some(character) = characters.next() {
                if character != '~' {
                    decoded.push(character);
                    continue;
                }
                match characters.next() {
                    Some('0') => decoded.push('~'),
                    Some('1') => decoded.push('/'),
                    _ => return Err(invalid("~ must be followed by 0 or 1")),
                }
            }
            Ok(decoded)
        })
        .collect()
}

/// The path the pointer's tokens name in `object`, if it leads to a value: a token names a
/// list position when the value there is a list.
pub(crate) fn resolve_pointer(object: &Value, tokens: &[String]) -> Option<Vec<Segment>> {
    let mut current = object;
    let mut path = Vec::with_capacity(tokens.len());
    for token in tokens {
        let segment = match current {
            Value::Object(map) => {
                current = map.get(token)?;
                Segment::Key(token.clone())
            }
            Value::Array(items) => {
                let canonical = token == "0" || !token.starts_with('0');
                let index: usize = token.parse().ok().filter(|_| canonical)?;
                current = items.get(index)?;
                Segment::Index(index)
            }
            _ => return None,
        };
        path.push(segment);
    }
    Some(path)
}

/// Shell-style match where `*` stands for any run of characters.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let mut parts: Vec<&str> = rest.split('*').collect();
    let last = parts.pop().unwrap_or("");
    for part in parts {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(group: &str, kind: &str, name: &str, namespace: &str) -> ResourceIgnoreDifferences {
        ResourceIgnoreDifferences {
            group: group.into(),
            kind: kind.into(),
            name: name.into(),
            namespace: namespace.into(),
            ..Default::default()
        }
    }

    #[test]
    fn rules_match_by_group_kind_name_and_namespace() {
        let object = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"}});
        let rules = [
            rule("apps", "Deployment", "", ""),
            rule("apps", "Deployment", "web", "shop"),
            rule("*", "*", "", ""),
            rule("apps", "Deploy*", "", ""),
            rule("", "Deployment", "", ""),
            rule("apps", "StatefulSet", "", ""),
            rule("apps", "Deployment", "api", ""),
            rule("apps", "Deployment", "", "other"),
        ];
        let matched = matching_rules(&object, &rules);
        assert_eq!(matched.len(), 4);
        assert!(matched.iter().all(|rule| rule.kind != "StatefulSet"));
    }

    #[test]
    fn a_core_kind_matches_the_empty_group() {
        let object = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}});
        assert_eq!(
            matching_rules(&object, &[rule("", "Service", "", "")]).len(),
            1
        );
        assert_eq!(
            matching_rules(&object, &[rule("apps", "Service", "", "")]).len(),
            0
        );
    }

    #[test]
    fn pointer_tokens_are_unescaped() {
        assert_eq!(
            parse_pointer("/metadata/annotations/example.com~1note~0x").unwrap(),
            vec!["metadata", "annotations", "example.com/note~x"]
        );
        assert!(parse_pointer("spec/replicas").is_err());
        assert!(parse_pointer("/spec/~2").is_err());
    }

    #[test]
    fn a_pointer_resolves_list_positions_only_in_lists() {
        let object = json!({"spec": {"ports": [{"port": 80}], "0": "key"}});
        let tokens = parse_pointer("/spec/ports/0/port").unwrap();
        assert_eq!(
            resolve_pointer(&object, &tokens),
            Some(vec![
                Segment::Key("spec".into()),
                Segment::Key("ports".into()),
                Segment::Index(0),
                Segment::Key("port".into())
            ])
        );
        assert_eq!(
            resolve_pointer(&object, &parse_pointer("/spec/ports/01").unwrap()),
            None
        );
        assert_eq!(
            resolve_pointer(&object, &parse_pointer("/spec/ports/1").unwrap()),
            None
        );
        assert!(resolve_pointer(&object, &parse_pointer("/spec/0").unwrap()).is_some());
    }

    #[test]
    fn globs_match_runs_of_characters() {
        assert!(glob_matches("*", ""));
        assert!(glob_matches("*.k8s.io", "apps.k8s.io"));
        assert!(glob_matches("a*c*e", "abcde"));
        assert!(!glob_matches("a*c*e", "abcd"));
        assert!(!glob_matches("ab*b", "ab"));
        assert!(glob_matches("Deployment", "Deployment"));
    }
}
