//! Object name rules: DNS-1123 subdomains and labels, DNS-1035 labels, path segments, with the
//! real server's messages.

/// Which rule a kind's names follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    /// RFC 1123 subdomain (most kinds).
    Subdomain,
    /// RFC 1123 label (namespaces).
    Label,
    /// RFC 1035 label (services).
    Dns1035Label,
    /// Any path segment (RBAC kinds).
    PathSegment,
}

/// The name rule of a kind.
pub fn rule_for(group: &str, kind: &str) -> NameRule {
    match (group, kind) {
        ("", "Namespace") => NameRule::Label,
        ("", "Service") => NameRule::Dns1035Label,
        ("rbac.authorization.k8s.io", _) => NameRule::PathSegment,
        _ => NameRule::Subdomain,
    }
}

const SUBDOMAIN_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MESSAGE: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn is_label(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// True for an RFC 1123 subdomain of at most 253 characters.
pub fn is_subdomain(text: &str) -> bool {
    text.len() <= 253 && text.split('.').all(is_label)
}

/// The problems with a name under a rule, as the real server words them.
pub fn problems(rule: NameRule, name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    match rule {
        NameRule::Subdomain => {
            if name.len() > 253 {
                problems.push("must be no more than 253 characters".to_string());
            }
            if !name.split('.').all(is_label) {
                problems.push(SUBDOMAIN_MESSAGE.to_string());
            }
        }
        NameRule::Label | NameRule::Dns1035Label => {
            if name.len() > 63 {
                problems.push("must be no more than 63 characters".to_string());
            }
            let starts_with_letter = name.as_bytes().first().is_some_and(u8::is_ascii_lowercase);
            if rule == NameRule::Label && !is_label(name) {
                problems.push(LABEL_MESSAGE.to_string());
            }
            if rule == NameRule::Dns1035Label && (!is_label(name) || !starts_with_letter) {
                problems.push(DNS1035_MESSAGE.to_string());
            }
        }
        NameRule::PathSegment => {
            if name == "." || name == ".." {
                problems.push(format!("may not be '{name}'"));
            }
            for forbidden in ["/", "%"] {
                if name.contains(forbidden) {
                    problems.push(format!("may not contain '{forbidden}'"));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rule_of_their_kind() {
        assert!(problems(NameRule::Subdomain, "web.example-1").is_empty());
        assert_eq!(
            problems(NameRule::Subdomain, "Bad_Name"),
            vec![SUBDOMAIN_MESSAGE.to_string()]
        );
        assert!(!problems(NameRule::Label, "a.b").is_empty());
        assert!(!problems(NameRule::Dns1035Label, "1web").is_empty());
        assert!(problems(NameRule::PathSegment, "system:aggregate-to-view").is_empty());
    }
}
