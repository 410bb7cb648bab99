//! The paths a jq path expression selects in an object (`ignoreDifferences.jqPathExpressions`),
//! with jaq: `path(<expression>)` is compiled once per thread and evaluated per object.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use jaq_core::box_iter::box_once;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Cv, DataT, Exn, Native, ValXs, Vars, data};
use jaq_json::Val;
use serde::Deserialize;
use serde_json::Value;

use crate::path::Segment;
use crate::{Error, Result};

type Data = data::JustLut<Val>;
type Filter = jaq_core::Filter<Data>;

/// Compiled expressions kept per thread before the cache starts over.
const CACHE_LIMIT: usize = 256;
/// Paths one expression may select in one object; more means a runaway expression.
const PATH_LIMIT: usize = 100_000;

thread_local! {
    static COMPILED: RefCell<HashMap<String, Rc<Filter>>> = RefCell::default();
}

/// Checks that an expression compiles.
pub(crate) fn check(expression: &str) -> Result<()> {
    compile(expression).map(|_| ())
}

/// The paths `expression` selects in `object`, or `None` when evaluating it fails on this
/// object (a missing list, a type error): as in Argo CD, such a rule then removes nothing.
pub(crate) fn selected_paths(
    expression: &str,
    object: &Value,
) -> Result<Option<Vec<Vec<Segment>>>> {
    let filter = compile(expression)?;
    let Ok(input) = Val::deserialize(object) else {
        return Ok(None);
    };
    let context = Ctx::<Data>::new(&filter.lut, Vars::new([]));
    let mut paths = Vec::new();
    for output in filter.id.run((context, input)) {
        // An error or `halt` ends the evaluation; neither is ever shown, as either may
        // carry a value of the object.
        let Ok(path) = output else {
            return Ok(None);
        };
        let Some(path) = to_segments(&path) else {
            continue;
        };
        if paths.len() == PATH_LIMIT {
            return Ok(None);
        }
        paths.push(path);
    }
    Ok(Some(paths))
}

fn to_segments(path: &Val) -> Option<Vec<Segment>> {
    let Ok(Value::Array(steps)) = serde_json::from_str::<Value>(&path.to_string()) else {
        return None;
    };
    steps
        .iter()
        .map(|step| match step {
            Value::String(key) => Some(Segment::Key(key.clone())),
            Value::Number(number) => number
                .as_u64()
                .and_then(|index| usize::try_from(index).ok())
                .map(Segment::Index),
            // Slices (`.[1:3]`) and negative positions are not followed.
            _ => None,
        })
        .collect()
}

fn compile(expression: &str) -> Result<Rc<Filter>> {
    if let Some(filter) = COMPILED.with(|cache| cache.borrow().get(expression).cloned()) {
        return Ok(filter);
    }
    let filter = Rc::new(compile_uncached(expression)?);
    COMPILED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(expression.to_string(), Rc::clone(&filter));
    });
    Ok(filter)
}

/// The text wrapped around the user's expression.
const PREFIX: &str = "path(";

fn compile_uncached(expression: &str) -> Result<Filter> {
    let code = format!("{PREFIX}{expression})");
    let invalid = |reason: String| Error::InvalidJqExpression {
        expression: expression.to_string(),
        reason,
    };
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs().map(without_logging))
        .chain(jaq_json::funs());
    let arena = Arena::default();
    let file = File {
        code: code.as_str(),
        path: (),
    };
    let modules = Loader::new(defs)
        .load(&arena, file)
        .map_err(|errors| invalid(describe_load_errors(&code, errors)))?;
    Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errors| invalid(describe_compile_errors(errors)))
}

/// `debug` and `stderr` would write values (Secret data among them) to the log: here they
/// fail instead, which makes the rule remove nothing.
fn without_logging(fun: jaq_core::native::Fun<Data>) -> jaq_core::native::Fun<Data> {
    let (name, arity, native) = fun;
    if name == "debug_empty" || name == "stderr_empty" {
        let refuse: jaq_core::RunPtr<Data> = refuse_logging;
        (name, arity, Native::<Data>::new(refuse))
    } else {
        (name, arity, native)
    }
}

fn refuse_logging<'a>(_: Cv<'a, Data>) -> ValXs<'a, <Data as DataT>::V<'a>> {
    box_once(Err(Exn::from(jaq_core::Error::str(
        "debug and stderr are not available in jqPathExpressions",
    ))))
}

fn describe_load_errors(code: &str, errors: jaq_core::load::Errors<&str, ()>) -> String {
    use jaq_core::load::Error as LoadError;
    let mut reasons = Vec::new();
    for (_, error) in errors {
        match error {
            LoadError::Io(failures) => {
                reasons.extend(failures.into_iter().map(|(_, message)| message));
            }
            LoadError::Lex(failures) => reasons.extend(
                failures
                    .iter()
                    .map(|(expected, rest)| expected_at(code, expected.as_str(), rest)),
            ),
            LoadError::Parse(failures) => reasons.extend(
                failures
                    .iter()
                    .map(|(expected, rest)| expected_at(code, expected.as_str(), rest)),
            ),
        }
    }
    reasons.join("; ")
}

fn expected_at(code: &str, expected: &str, rest: &str) -> String {
    let offset = code.len().saturating_sub(rest.len());
    let column = code[..offset].chars().count().saturating_sub(PREFIX.len()) + 1;
    if rest.is_empty() || offset + 1 >= code.len() {
        format!("expected {expected} at the end")
    } else {
        format!("expected {expected} at character {column}")
    }
}

fn describe_compile_errors(errors: jaq_core::compile::Errors<&str, ()>) -> String {
    let mut reasons = Vec::new();
    for (_, undefined) in errors {
        for (name, kind) in undefined {
            reasons.push(format!("undefined {} {name}", kind.as_str()));
        }
    }
    reasons.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(expression: &str, object: &Value) -> Option<Vec<Vec<Segment>>> {
        selected_paths(expression, object).unwrap()
    }

    #[test]
    fn a_select_on_a_list_yields_the_positions_of_the_matching_items() {
        let object = json!({"spec": {"containers": [{"name": "web"}, {"name": "sidecar"}]}});
        assert_eq!(
            paths(
                r#".spec.containers[] | select(.name == "sidecar")"#,
                &object
            ),
            Some(vec![vec![
                Segment::Key("spec".into()),
                Segment::Key("containers".into()),
                Segment::Index(1)
            ]])
        );
    }

    #[test]
    fn iterating_a_missing_list_removes_nothing() {
        let object = json!({"spec": {}});
        assert_eq!(paths(".spec.containers[].image", &object), None);
        assert_eq!(paths(".spec.containers[]?.image", &object), Some(vec![]));
    }

    #[test]
    fn standard_library_filters_are_available() {
        let object = json!({"metadata": {"annotations": {"istio.io/rev": "1", "team": "x"}}});
        let found = paths(
            r#".metadata.annotations | to_entries[] | select(.key | test("^istio")) | .key as $k | $k"#,
            &object,
        );
        assert_eq!(
            found, None,
            "to_entries builds a new value: not a path expression"
        );
        let found = paths(
            r#".metadata.annotations | .[keys[] | select(startswith("istio"))]"#,
            &object,
        );
        assert_eq!(found.map(|p| p.len()), Some(1));
    }

    #[test]
    fn logging_filters_fail_instead_of_printing_values() {
        let object = json!({"data": {"password": "c2VjcmV0"}});
        assert_eq!(paths(".data.password | debug", &object), None);
        assert_eq!(paths(".data.password | stderr", &object), None);
    }

    #[test]
    fn halt_ends_the_evaluation_without_ending_the_process() {
        assert_eq!(paths("halt", &json!({})), None);
    }

    #[test]
    fn a_syntax_error_names_what_was_expected() {
        let error = check(".spec.containers[").unwrap_err().to_string();
        assert!(
            error.starts_with(
                r#"ignoreDifferences jqPathExpression ".spec.containers[" is invalid: "#
            ),
            "{error}"
        );
        let error = check(".spec | nosuchfilter").unwrap_err().to_string();
        assert!(error.ends_with("undefined filter nosuchfilter"), "{error}");
    }
}
