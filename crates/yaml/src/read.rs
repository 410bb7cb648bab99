//! Parsing YAML and JSON text into JSON values, one per document, with their start lines.

use serde_json::Value;

use crate::{Error, Result};

/// One document of a YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The parsed value.
    pub value: Value,
    /// Zero-based index among the file's documents, counting empty ones.
    pub index: usize,
    /// One-based line where the document's content starts.
    pub line: usize,
}

/// Which YAML reader's rules to follow for plain scalars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// sigs.k8s.io/yaml, as kubectl apply and Argo CD read manifests: YAML 1.1 booleans
    /// (`yes`, `on` are true) and legacy octals (`0644` is 420).
    #[default]
    Kubernetes,
    /// kustomize's reader: only `true`/`false` are booleans (`yes` stays text); legacy octals
    /// are still numbers.
    Kustomize,
}

/// Parses every document of a YAML (or JSON) stream. Empty documents and documents that
/// are only `null` are skipped, as kubectl skips them; their index is still counted.
/// Whole-number floats (`1.0`, `1e2`) become integers, as they do once Kubernetes tooling
/// has turned YAML into JSON.
pub fn parse_documents(file: &str, bytes: &[u8]) -> Result<Vec<Document>> {
    parse_documents_in(Dialect::Kubernetes, file, bytes)
}

/// [`parse_documents`] with the plain-scalar rules of `dialect`.
pub fn parse_documents_in(dialect: Dialect, file: &str, bytes: &[u8]) -> Result<Vec<Document>> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
        file: file.to_string(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if file.ends_with(".json") {
        return parse_json(file, text);
    }
    let mut documents = Vec::new();
    for (index, chunk) in split_documents(text).into_iter().enumerate() {
        let mut value = parse_chunk(dialect, file, &chunk)?;
        whole_floats_to_integers(&mut value);
        if value.is_null() {
            continue;
        }
        documents.push(Document {
            value,
            index,
            line: chunk.content_line,
        });
    }
    Ok(documents)
}

/// Parses a file that must hold exactly one document (a kustomization, a patch).
pub fn parse_single(file: &str, bytes: &[u8]) -> Result<Value> {
    let mut documents = parse_documents(file, bytes)?;
    match documents.len() {
        1 => Ok(documents.remove(0).value),
        0 => Ok(Value::Null),
        found => Err(Error::DocumentCount {
            file: file.to_string(),
            found,
        }),
    }
}

fn parse_json(file: &str, text: &str) -> Result<Vec<Document>> {
    let mut documents = Vec::new();
    let stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    for (index, item) in stream.enumerate() {
        let value = item.map_err(|error| Error::Syntax {
            file: file.to_string(),
            line: error.line() as u64,
            column: error.column() as u64,
            message: error.to_string(),
        })?;
        if !value.is_null() {
            documents.push(Document {
                value,
                index,
                line: 1,
            });
        }
    }
    Ok(documents)
}

/// One document's text and where it sits in the file.
struct Chunk {
    /// The document text, preceded by blank lines so parser line numbers match the file.
    text: String,
    /// First line of content (not blank, not a comment), one-based.
    content_line: usize,
}

/// Splits a stream at `---` and `...` markers in column 0. A marker line may carry content
/// after it (`--- !tag` or `--- {a: 1}`), which stays in the document.
fn split_documents(text: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut start_line = 1;
    let mut saw_marker_or_content = false;
    for (number, line) in text.lines().enumerate() {
        let line_number = number + 1;
        let is_start = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        let is_end = line == "..." || line.starts_with("... ");
        if is_start || is_end {
            if saw_marker_or_content || !current.trim().is_empty() {
                chunks.push(finish_chunk(&current, start_line));
            }
            current = "\n".repeat(line_number - 1);
            start_line = line_number;
            saw_marker_or_content = is_start;
            if is_start {
                // Keep what follows the marker on the same line, padded to its column.
                current.push_str(&" ".repeat(3));
                current.push_str(&line[3..]);
                current.push('\n');
            } else {
                current.push('\n');
                saw_marker_or_content = false;
            }
            continue;
        }
        if current.is_empty() && number > 0 {
            current = "\n".repeat(number);
        }
        current.push_str(line);
        current.push('\n');
        if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            saw_marker_or_content = true;
        }
    }
    if saw_marker_or_content || !current.trim().is_empty() {
        chunks.push(finish_chunk(&current, start_line));
    }
    chunks
}

fn finish_chunk(text: &str, start_line: usize) -> Chunk {
    let content_line = text
        .lines()
        .enumerate()
        .skip(start_line.saturating_sub(1))
        .find(|(_, line)| {
            let trimmed = line.trim();
            !trimmed.is_empty() && !trimmed.starts_with('#') && trimmed != "---"
        })
        .map_or(start_line, |(index, _)| index + 1);
    Chunk {
        text: text.to_string(),
        content_line,
    }
}

fn parse_chunk(dialect: Dialect, file: &str, chunk: &Chunk) -> Result<Value> {
    if chunk.text.lines().all(|line| {
        let trimmed = line.trim();
        trimmed.is_empty() || trimmed.starts_with('#')
    }) {
        return Ok(Value::Null);
    }
    let options = serde_saphyr::options! {
        legacy_octal_numbers: true,
        strict_booleans: dialect == Dialect::Kustomize,
    };
    serde_saphyr::from_str_with_options::<Value>(&chunk.text, options).map_err(|error| {
        let (line, column) = error
            .location()
            .map_or((0, 0), |at| (at.line(), at.column()));
        Error::Syntax {
            file: file.to_string(),
            line,
            column,
            message: first_line(&error.to_string()),
        }
    })
}

/// Go's JSON encoding writes a float64 that holds a whole number without a fraction, so
/// `1.0` in YAML is `1` once Kubernetes tooling has read it.
fn whole_floats_to_integers(value: &mut Value) {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: larger floats are not exact integers
    match value {
        Value::Number(number) if number.is_f64() => {
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float.abs() < EXACT
            {
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_floats_to_integers),
        Value::Object(map) => map.values_mut().for_each(whole_floats_to_integers),
        _ => {}
    }
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn octal_modes_and_yaml_11_booleans_read_as_kubernetes_reads_them() {
        let value = parse_single(
            "a.yaml",
            b"defaultMode: 0644\nenabled: yes\nport: 8080\nversion: \"1.0\"\n",
        )
        .unwrap();
        assert_eq!(
            value,
            json!({"defaultMode": 420, "enabled": true, "port": 8080, "version": "1.0"})
        );
    }

    #[test]
    fn a_stream_yields_each_document_with_its_start_line() {
        let text = "# leading comment\napiVersion: v1\nkind: A\n---\n---\n# only a comment\n---\n\nkind: B\n...\n--- {kind: C}\n";
        let documents = parse_documents("s.yaml", text.as_bytes()).unwrap();
        let summary: Vec<(usize, usize, &str)> = documents
            .iter()
            .map(|d| (d.index, d.line, d.value["kind"].as_str().unwrap()))
            .collect();
        assert_eq!(summary, [(0, 2, "A"), (3, 9, "B"), (4, 11, "C")]);
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let text = "a: 1\n---\nkind: B\n  bad: [\n";
        let error = parse_documents("dir/bad.yaml", text.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("dir/bad.yaml:4:"), "{error}");
    }

    #[test]
    fn json_files_parse_as_json_with_positions() {
        let documents = parse_documents("a.json", br#"{"kind": "A"}"#).unwrap();
        assert_eq!(documents[0].value["kind"], "A");
        let error = parse_documents("b.json", b"{\n  \"kind\": }")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("b.json:2:"), "{error}");
    }

    #[test]
    fn whole_floats_become_integers_and_fractions_stay() {
        let value = parse_single("f.yaml", b"a: 1.0\nb: 1e2\nc: 0.5\nd: \"1.0\"\n").unwrap();
        assert_eq!(value, json!({"a": 1, "b": 100, "c": 0.5, "d": "1.0"}));
    }

    #[test]
    fn the_kustomize_dialect_keeps_yaml_11_boolean_words_as_text() {
        let text = b"a: yes\nb: true\nmode: 0644\n";
        let value = parse_documents_in(Dialect::Kustomize, "k.yaml", text)
            .unwrap()
            .remove(0)
            .value;
        assert_eq!(value, json!({"a": "yes", "b": true, "mode": 420}));
    }

    #[test]
    fn duplicate_keys_are_an_error() {
        assert!(parse_documents("d.yaml", b"a: 1\na: 2\n").is_err());
    }

    #[test]
    fn a_block_scalar_keeps_an_indented_triple_dash() {
        let documents = parse_documents(
            "b.yaml",
            b"data:\n  script: |\n    echo a\n    ---\n    echo b\n",
        )
        .unwrap();
        assert_eq!(documents.len(), 1);
        assert_eq!(
            documents[0].value["data"]["script"],
            "echo a\n---\necho b\n"
        );
    }
}
