//! Resources read as kustomize's YAML layer (kyaml, go-yaml v3) reads them: only `true` and
//! `false` are booleans, `0640`, `0o640`, `0x1F`, `0b101` and `1_000` are integers, plain
//! dates and times become RFC 3339 timestamps, quoted scalars stay strings. Kustomization
//! files are not read here: kustomize reads those with Kubernetes' YAML 1.1 rules.

use std::collections::HashMap;

use ferry_yaml::Document;
use serde_json::{Map, Value};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, ScanError};

use crate::Result;
use crate::scalar::resolve;

/// Deepest nesting accepted; Kubernetes objects stay far below it.
const MAX_DEPTH: usize = 256;

/// Parses a stream of resources. Syntax errors are reported as `ferry-yaml` reports them.
pub(crate) fn read_documents(file: &str, bytes: &[u8]) -> Result<Vec<Document>> {
    let fallback = || ferry_yaml::parse_documents(file, bytes).map_err(Into::into);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return fallback();
    };
    if file.ends_with(".json") {
        return fallback();
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Aliases may expand a small text into a huge value ("billion laughs"): bound the nodes.
    let budget = 100_000 + 4 * text.len();
    match (Builder {
        budget,
        ..Builder::default()
    })
    .run(text)
    {
        Ok(documents) => Ok(documents),
        Err(message) => {
            // Let ferry-yaml name the position in its usual way; if it accepts the text, the
            // two parsers disagree, and ferry-yaml's reading is the safer one to keep.
            fallback()?;
            Err(ferry_yaml::Error::Syntax {
                file: file.to_string(),
                line: 0,
                column: 0,
                message,
            }
            .into())
        }
    }
}

/// A collection being built.
enum Frame {
    Sequence {
        items: Vec<Value>,
        anchor: usize,
        nodes: usize,
    },
    Mapping {
        map: Map<String, Value>,
        anchor: usize,
        nodes: usize,
        key: Option<Key>,
        merges: Vec<Value>,
    },
}

/// A mapping key waiting for its value.
enum Key {
    Field(String),
    Merge,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// Anchored values with the number of nodes each holds.
    anchors: HashMap<usize, (Value, usize)>,
    /// Nodes still allowed in the whole stream.
    budget: usize,
    documents: Vec<Document>,
    index: usize,
    line: usize,
    root: Option<Value>,
}

impl Builder {
    fn run(mut self, text: &str) -> Result<Vec<Document>, String> {
        let mut started = false;
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|error: ScanError| error.info())?;
            match event {
                Event::DocumentStart(..) => {
                    if started {
                        self.index += 1;
                    }
                    started = true;
                    self.line = 0;
                    self.root = None;
                    self.anchors.clear();
                }
                Event::DocumentEnd => {
                    if let Some(value) = self.root.take()
                        && !value.is_null()
                    {
                        self.documents.push(Document {
                            value,
                            index: self.index,
                            line: self.line,
                        });
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    self.mark(span.start.line());
                    let is_merge = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
                    if self.expecting_key() {
                        let key = if is_merge {
                            Key::Merge
                        } else {
                            Key::Field(text.into_owned())
                        };
                        self.set_key(key)?;
                        continue;
                    }
                    let value = resolve(&text, style, tag.as_deref())?;
                    self.charge(1)?;
                    self.finish(value, anchor, 1)?;
                }
                Event::Alias(anchor) => {
                    self.mark(span.start.line());
                    let (value, nodes) =
                        self.anchors.get(&anchor).cloned().ok_or("unknown anchor")?;
                    if self.expecting_key() {
                        self.set_key(Key::Field(key_text(&value)))?;
                    } else {
                        self.charge(nodes)?;
                        self.finish(value, 0, nodes)?;
                    }
                }
                Event::SequenceStart(_, anchor, _) => {
                    self.mark(span.start.line());
                    self.open()?;
                    self.charge(1)?;
                    self.stack.push(Frame::Sequence {
                        items: Vec::new(),
                        anchor,
                        nodes: 1,
                    });
                }
                Event::MappingStart(_, anchor, _) => {
                    self.mark(span.start.line());
                    self.open()?;
                    self.charge(1)?;
                    self.stack.push(Frame::Mapping {
                        map: Map::new(),
                        anchor,
                        nodes: 1,
                        key: None,
                        merges: Vec::new(),
                    });
                }
                Event::SequenceEnd => {
                    let Some(Frame::Sequence {
                        items,
                        anchor,
                        nodes,
                    }) = self.stack.pop()
                    else {
                        return Err("unbalanced sequence".into());
                    };
                    self.finish(Value::Array(items), anchor, nodes)?;
                }
                Event::MappingEnd => {
                    let Some(Frame::Mapping {
                        mut map,
                        anchor,
                        nodes,
                        merges,
                        ..
                    }) = self.stack.pop()
                    else {
                        return Err("unbalanced mapping".into());
                    };
                    merge_keys(&mut map, merges)?;
                    self.finish(Value::Object(map), anchor, nodes)?;
                }
                _ => {}
            }
        }
        Ok(self.documents)
    }

    /// Records the line of a document's first node.
    fn mark(&mut self, line: usize) {
        if self.stack.is_empty() && self.root.is_none() && self.line == 0 {
            self.line = line;
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }))
    }

    /// Checks that a collection may start here.
    fn open(&self) -> Result<(), String> {
        if self.expecting_key() {
            return Err("collections as mapping keys are not supported".into());
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    fn set_key(&mut self, new_key: Key) -> Result<(), String> {
        if let Some(Frame::Mapping { map, key, .. }) = self.stack.last_mut() {
            if let Key::Field(name) = &new_key
                && map.contains_key(name)
            {
                return Err(format!("mapping key {name:?} already defined"));
            }
            *key = Some(new_key);
        }
        Ok(())
    }

    /// Takes `nodes` new nodes out of the budget.
    fn charge(&mut self, nodes: usize) -> Result<(), String> {
        self.budget = self
            .budget
            .checked_sub(nodes)
            .ok_or("aliases expand to too many nodes")?;
        Ok(())
    }

    /// Counts a finished value of `nodes` nodes, remembers it under its anchor, and places it.
    fn finish(&mut self, value: Value, anchor: usize, nodes: usize) -> Result<(), String> {
        if let Some(Frame::Sequence { nodes: total, .. } | Frame::Mapping { nodes: total, .. }) =
            self.stack.last_mut()
        {
            *total += nodes;
        }
        if anchor != 0 {
            self.anchors.insert(anchor, (value.clone(), nodes));
        }
        self.push(value)
    }

    /// Places a finished value in its parent, or makes it the document's root.
    fn push(&mut self, value: Value) -> Result<(), String> {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping {
                map, key, merges, ..
            }) => match key.take() {
                Some(Key::Field(name)) => {
                    map.insert(name, value);
                }
                Some(Key::Merge) => merges.push(value),
                None => return Err("mapping value without a key".into()),
            },
        }
        Ok(())
    }
}

/// Applies `<<` merge keys: explicit keys win, then earlier merged maps over later ones.
fn merge_keys(map: &mut Map<String, Value>, merges: Vec<Value>) -> Result<(), String> {
    for merge in merges {
        let sources = match merge {
            Value::Object(source) => vec![source],
            Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::Object(source) => Ok(source),
                    _ => Err("map merge requires a map or a sequence of maps".to_string()),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("map merge requires a map or a sequence of maps".into()),
        };
        for source in sources {
            for (key, value) in source {
                map.entry(key).or_insert(value);
            }
        }
    }
    Ok(())
}

/// The text a scalar used as a mapping key stands for.
fn key_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Vec<Value> {
        read_documents("x.yaml", text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|document| document.value)
            .collect()
    }

    #[test]
    fn anchors_aliases_and_merge_keys_expand() {
        let values = read("base: &base {a: 1, b: 2}\nother:\n  <<: *base\n  b: 3\nlist: [*base]\n");
        assert_eq!(values[0]["other"], json!({"b": 3, "a": 1}));
        assert_eq!(values[0]["list"], json!([{"a": 1, "b": 2}]));
    }

    #[test]
    fn documents_keep_their_index_and_first_line() {
        let text = "# comment\napiVersion: v1\n---\n---\n\nkind: B\n--- {kind: C}\n";
        let documents = read_documents("x.yaml", text.as_bytes()).unwrap();
        let summary: Vec<(usize, usize)> = documents
            .iter()
            .map(|document| (document.index, document.line))
            .collect();
        assert_eq!(summary, [(0, 2), (2, 6), (3, 7)]);
    }

    #[test]
    fn syntax_errors_are_reported_with_their_position() {
        let error = read_documents("bad.yaml", b"a: [1\nb: 2\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("bad.yaml:"), "{error}");
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..9 {
            let previous = (b'a' + level - 1) as char;
            let name = (b'a' + level) as char;
            bomb.push_str(&format!(
                "{name}: &{name} [{}]\n",
                vec![format!("*{previous}"); 10].join(", ")
            ));
        }
        assert!(read_documents("bomb.yaml", bomb.as_bytes()).is_err());
        let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(read_documents("deep.yaml", deep.as_bytes()).is_err());
    }
}
