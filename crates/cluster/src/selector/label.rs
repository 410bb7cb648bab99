//! Label selectors with every operator: `=`, `==`, `!=`, `in`, `notin`, exists, `!` (does not
//! exist), `>` and `<`.

use std::collections::BTreeMap;

use serde_json::Value;

/// One requirement of a selector.
#[derive(Clone, Debug, PartialEq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
    GreaterThan(String, i64),
    LessThan(String, i64),
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Identifier(String),
    Equals,
    DoubleEquals,
    NotEquals,
    Not,
    Open,
    Close,
    Comma,
    Greater,
    Less,
    End,
}

impl Token {
    fn literal(&self) -> String {
        match self {
            Token::Identifier(text) => text.clone(),
            Token::Equals => "=".into(),
            Token::DoubleEquals => "==".into(),
            Token::NotEquals => "!=".into(),
            Token::Not => "!".into(),
            Token::Open => "(".into(),
            Token::Close => ")".into(),
            Token::Comma => ",".into(),
            Token::Greater => ">".into(),
            Token::Less => "<".into(),
            Token::End => String::new(),
        }
    }
}

fn tokens(text: &str) -> Vec<Token> {
    let characters: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        let next = characters.get(index + 1).copied();
        let (token, width) = match (character, next) {
            (c, _) if c.is_whitespace() => {
                index += 1;
                continue;
            }
            ('=', Some('=')) => (Token::DoubleEquals, 2),
            ('=', _) => (Token::Equals, 1),
            ('!', Some('=')) => (Token::NotEquals, 2),
            ('!', _) => (Token::Not, 1),
            ('(', _) => (Token::Open, 1),
            (')', _) => (Token::Close, 1),
            (',', _) => (Token::Comma, 1),
            ('>', _) => (Token::Greater, 1),
            ('<', _) => (Token::Less, 1),
            _ => {
                let start = index;
                while index < characters.len() && !" \t\n\r=!(),<>".contains(characters[index]) {
                    index += 1;
                }
                tokens.push(Token::Identifier(characters[start..index].iter().collect()));
                continue;
            }
        };
        tokens.push(token);
        index += width;
    }
    tokens.push(Token::End);
    tokens
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        self.tokens.get(self.position).unwrap_or(&Token::End)
    }

    fn next(&mut self) -> Token {
        let token = self.peek().clone();
        self.position += 1;
        token
    }

    fn key(&mut self) -> Result<String, String> {
        match self.next() {
            Token::Identifier(key) => {
                check_key(&key)?;
                Ok(key)
            }
            other => Err(format!("found '{}', expected: identifier", other.literal())),
        }
    }

    fn values(&mut self) -> Result<Vec<String>, String> {
        match self.next() {
            Token::Open => {}
            other => return Err(format!("found '{}' expected: '('", other.literal())),
        }
        let mut values = Vec::new();
        loop {
            match self.next() {
                Token::Identifier(value) => {
                    check_value(&value)?;
                    values.push(value);
                    match self.next() {
                        Token::Comma => continue,
                        Token::Close => break,
                        other => {
                            return Err(format!(
                                "found '{}', expected: ',' or ')'",
                                other.literal()
                            ));
                        }
                    }
                }
                Token::Close if values.is_empty() => break,
                Token::Comma => values.push(String::new()),
                other => {
                    return Err(format!(
                        "found '{}', expected: ',', ')' or identifier",
                        other.literal()
                    ));
                }
            }
        }
        Ok(values)
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        if self.peek() == &Token::Not {
            self.next();
            return Ok(Requirement::DoesNotExist(self.key()?));
        }
        let key = self.key()?;
        match self.peek().clone() {
            Token::Comma | Token::End => Ok(Requirement::Exists(key)),
            Token::Equals | Token::DoubleEquals | Token::NotEquals => {
                let operator = self.next();
                let value = match self.peek().clone() {
                    Token::Identifier(value) => {
                        self.next();
                        value
                    }
                    Token::Comma | Token::End => String::new(),
                    other => {
                        return Err(format!("found '{}', expected: identifier", other.literal()));
                    }
                };
                check_value(&value)?;
                Ok(if operator == Token::NotEquals {
                    Requirement::NotEquals(key, value)
                } else {
                    Requirement::Equals(key, value)
                })
            }
            Token::Identifier(word) if word == "in" || word == "notin" => {
                self.next();
                let values = self.values()?;
                Ok(if word == "in" {
                    Requirement::In(key, values)
                } else {
                    Requirement::NotIn(key, values)
                })
            }
            Token::Greater | Token::Less => {
                let operator = self.next();
                let number = match self.next() {
                    Token::Identifier(value) => value.parse::<i64>().map_err(|_| {
                        "for 'Gt', 'Lt' operators, the value must be an integer".to_string()
                    })?,
                    other => {
                        return Err(format!("found '{}', expected: identifier", other.literal()));
                    }
                };
                Ok(if operator == Token::Greater {
                    Requirement::GreaterThan(key, number)
                } else {
                    Requirement::LessThan(key, number)
                })
            }
            other => Err(format!(
                "found '{}', expected: in, notin, =, ==, !=, gt, lt",
                other.literal()
            )),
        }
    }
}

fn check_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    let prefix_ok = prefix.is_none_or(crate::object::names::is_subdomain);
    if name_ok && prefix_ok {
        Ok(())
    } else {
        Err(format!(
            "invalid label key \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ))
    }
}

fn check_value(value: &str) -> Result<(), String> {
    let ok = value.is_empty()
        || (value.len() <= 63
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && value.starts_with(|c: char| c.is_ascii_alphanumeric())
            && value.ends_with(|c: char| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid label value: \"{value}\": at key: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ))
    }
}

impl LabelSelector {
    /// Parses the `labelSelector` query syntax; the error is the real server's message.
    pub fn parse(text: &str) -> Result<LabelSelector, String> {
        let mut parser = Parser {
            tokens: tokens(text),
            position: 0,
        };
        let mut requirements = Vec::new();
        if parser.peek() == &Token::End {
            return Ok(LabelSelector::default());
        }
        loop {
            let requirement = parser
                .requirement()
                .map_err(|error| format!("unable to parse requirement: {error}"))?;
            requirements.push(requirement);
            match parser.next() {
                Token::End => break,
                Token::Comma => continue,
                other => {
                    return Err(format!(
                        "found '{}', expected: ',' or 'end of string'",
                        other.literal()
                    ));
                }
            }
        }
        Ok(LabelSelector { requirements })
    }

    /// A selector from an object's `matchLabels` and `matchExpressions` (`spec.selector`).
    pub fn from_object(selector: &Value) -> LabelSelector {
        let mut requirements = Vec::new();
        if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
            for (key, value) in labels {
                requirements.push(Requirement::Equals(
                    key.clone(),
                    value.as_str().unwrap_or("").to_string(),
                ));
            }
        }
        if let Some(expressions) = selector.get("matchExpressions").and_then(Value::as_array) {
            for expression in expressions {
                let key = expression["key"].as_str().unwrap_or("").to_string();
                let values: Vec<String> = expression["values"]
                    .as_array()
                    .map(|values| {
                        values
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                requirements.push(match expression["operator"].as_str().unwrap_or("") {
                    "In" => Requirement::In(key, values),
                    "NotIn" => Requirement::NotIn(key, values),
                    "Exists" => Requirement::Exists(key),
                    _ => Requirement::DoesNotExist(key),
                });
            }
        }
        LabelSelector { requirements }
    }

    /// True for the selector that matches everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// True when the labels satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements
            .iter()
            .all(|requirement| match requirement {
                Requirement::Equals(key, value) => labels.get(key) == Some(value),
                Requirement::NotEquals(key, value) => labels.get(key) != Some(value),
                Requirement::In(key, values) => {
                    labels.get(key).is_some_and(|label| values.contains(label))
                }
                Requirement::NotIn(key, values) => {
                    labels.get(key).is_none_or(|label| !values.contains(label))
                }
                Requirement::Exists(key) => labels.contains_key(key),
                Requirement::DoesNotExist(key) => !labels.contains_key(key),
                Requirement::GreaterThan(key, number) => labels
                    .get(key)
                    .and_then(|label| label.parse::<i64>().ok())
                    .is_some_and(|label| label > *number),
                Requirement::LessThan(key, number) => labels
                    .get(key)
                    .and_then(|label| label.parse::<i64>().ok())
                    .is_some_and(|label| label < *number),
            })
    }

    /// True when an object's `metadata.labels` satisfy the selector.
    pub fn matches_object(&self, object: &Value) -> bool {
        self.is_empty() || self.matches(&labels_of(object.pointer("/metadata/labels")))
    }
}

/// A label map from a JSON object.
pub fn labels_of(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|labels| {
            labels
                .iter()
                .map(|(key, value)| (key.clone(), value.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn every_operator_matches_like_kubernetes() {
        let hot = labels(&[("tier", "hot"), ("app", "web"), ("size", "5")]);
        let cases = [
            ("tier=hot", true),
            ("tier==hot,app=web", true),
            ("tier!=hot", false),
            ("tier in (hot, cold)", true),
            ("tier notin (hot)", false),
            ("app", true),
            ("!app", false),
            ("!missing", true),
            ("size>4", true),
            ("size<4", false),
            ("missing!=x", true),
        ];
        for (text, expected) in cases {
            let selector =
                LabelSelector::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(selector.matches(&hot), expected, "{text}");
        }
    }

    #[test]
    fn a_truncated_set_selector_is_refused_with_the_real_message() {
        assert_eq!(
            LabelSelector::parse("app in ").err().as_deref(),
            Some("unable to parse requirement: found '' expected: '('")
        );
    }
}
