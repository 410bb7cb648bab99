//! Scalars as go-yaml v3 resolves them (core-schema booleans and nulls, Go integer syntax,
//! YAML floats, timestamps), and the number clean-up kustomize's JSON round trip does.

use serde_json::{Number, Value};
use serde_saphyr::granit_parser::{ScalarStyle, Tag};

const CORE_SCHEMA: &str = "tag:yaml.org,2002:";

/// go-yaml v3's resolution of a scalar: quoted and block scalars are strings; plain ones may
/// be null, a boolean, a number or a timestamp.
pub(crate) fn resolve(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let tag = match tag {
        Some(tag) if tag.handle() == CORE_SCHEMA => Some(tag.suffix()),
        Some(_) => return Ok(Value::String(text.to_string())),
        None => None,
    };
    match tag {
        Some("str") | Some("binary") => return Ok(Value::String(text.to_string())),
        Some("null") => return Ok(Value::Null),
        None if style != ScalarStyle::Plain => return Ok(Value::String(text.to_string())),
        _ => {}
    }
    let resolved = resolve_plain(text, tag == Some("timestamp") || tag.is_none())?;
    match (tag, &resolved) {
        (Some("bool"), Value::Bool(_))
        | (Some("int"), Value::Number(_))
        | (Some("float"), Value::Number(_))
        | (Some("timestamp"), Value::String(_))
        | (None, _) => Ok(resolved),
        (Some("float"), _) | (Some("int"), _) | (Some("bool"), _) => Err(format!(
            "cannot decode {text:?} as !!{}",
            tag.unwrap_or_default()
        )),
        _ => Ok(Value::String(text.to_string())),
    }
}

fn resolve_plain(text: &str, timestamps: bool) -> Result<Value, String> {
    match text {
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
        | "-.inf" | "-.Inf" | "-.INF" => {
            return Err(format!("{text} cannot be represented in JSON"));
        }
        _ => {}
    }
    let Some(first) = text.chars().next() else {
        return Ok(Value::Null);
    };
    if first == '.' {
        return Ok(text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or_else(|| Value::String(text.into()), Value::Number));
    }
    if !(first.is_ascii_digit() || first == '+' || first == '-') {
        return Ok(Value::String(text.to_string()));
    }
    if timestamps && let Some(timestamp) = timestamp(text) {
        return Ok(Value::String(timestamp));
    }
    let plain: String = text.chars().filter(|&character| character != '_').collect();
    if let Some(number) = go_int(&plain) {
        return Ok(Value::Number(number));
    }
    if is_yaml_float(&plain)
        && let Some(number) = plain.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Ok(Value::Number(number));
    }
    Ok(Value::String(text.to_string()))
}

/// Go's `strconv.ParseInt(text, 0, 64)`, then `ParseUint`: sign, `0x`/`0o`/`0b`/`0` prefixes.
fn go_int(text: &str) -> Option<Number> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(body) = lower.strip_prefix("0x") {
        (16, body)
    } else if let Some(body) = lower.strip_prefix("0o") {
        (8, body)
    } else if let Some(body) = lower.strip_prefix("0b") {
        (2, body)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if body.is_empty() || body.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude)
            .ok()
            .map(|value| -value)
            .or((magnitude == 1 << 63).then_some(i64::MIN))?;
        Some(Number::from(value))
    } else {
        Some(Number::from(magnitude))
    }
}

/// go-yaml v3's `yamlStyleFloat`: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_yaml_float(text: &str) -> bool {
    let text = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(index) => (&text[..index], Some(&text[index + 1..])),
        None => (text, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent
        .is_none_or(|exponent| digits(exponent.strip_prefix(['-', '+']).unwrap_or(exponent)));
    mantissa_ok && exponent_ok
}

/// go-yaml v3's timestamp forms (`2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00`, the same with
/// `t` or a space and no zone), written back as Go writes a time in JSON (RFC 3339).
fn timestamp(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    if bytes.len() < 5 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return None;
    }
    let mut cursor = Cursor { text, position: 5 };
    let year: u32 = text[..4].parse().ok()?;
    let month = cursor.number(1, 2)?;
    cursor.expect('-')?;
    let day = cursor.number(1, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if cursor.done() {
        return Some(format!("{date}T00:00:00Z"));
    }
    let separator = cursor.next()?;
    let zoned = match separator {
        'T' | 't' => true,
        ' ' => false,
        _ => return None,
    };
    let hour = cursor.number(1, 2)?;
    cursor.expect(':')?;
    let minute = cursor.number(1, 2)?;
    cursor.expect(':')?;
    let second = cursor.number(1, 2)?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut fraction = String::new();
    if cursor.peek() == Some('.') {
        cursor.next();
        while let Some(digit) = cursor.peek().filter(char::is_ascii_digit) {
            fraction.push(digit);
            cursor.next();
        }
        if fraction.is_empty() || fraction.len() > 9 {
            return None;
        }
    }
    let zone = if zoned {
        match cursor.next()? {
            'Z' => "Z".to_string(),
            sign @ ('+' | '-') => {
                let hours = cursor.number(2, 2)?;
                cursor.expect(':')?;
                let minutes = cursor.number(2, 2)?;
                if hours > 24 || minutes > 59 {
                    return None;
                }
                if hours == 0 && minutes == 0 {
                    "Z".to_string()
                } else {
                    format!("{sign}{hours:02}:{minutes:02}")
                }
            }
            _ => return None,
        }
    } else {
        "Z".to_string()
    };
    if !cursor.done() {
        return None;
    }
    let fraction = fraction.trim_end_matches('0');
    let fraction = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    Some(format!(
        "{date}T{hour:02}:{minute:02}:{second:02}{fraction}{zone}"
    ))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads a timestamp left to right.
struct Cursor<'a> {
    text: &'a str,
    position: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.position..].chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let character = self.peek()?;
        self.position += character.len_utf8();
        Some(character)
    }

    fn expect(&mut self, wanted: char) -> Option<()> {
        (self.next()? == wanted).then_some(())
    }

    fn done(&self) -> bool {
        self.position == self.text.len()
    }

    /// Between `least` and `most` decimal digits.
    fn number(&mut self, least: usize, most: usize) -> Option<u32> {
        let start = self.position;
        while self.position - start < most
            && self
                .peek()
                .is_some_and(|character| character.is_ascii_digit())
        {
            self.position += 1;
        }
        if self.position - start < least {
            return None;
        }
        self.text[start..self.position].parse().ok()
    }
}

/// kustomize writes every object through Go's JSON encoder and back to YAML, so a float
/// without a fraction comes out as an integer (`1.0` as `1`, `1e2` as `100`).
pub(crate) fn whole_floats_to_integers(value: &mut Value) {
    match value {
        Value::Number(number) if number.is_f64() => {
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float.abs() < 9.223_372_036_854_775e18
            {
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_floats_to_integers),
        Value::Object(map) => map.values_mut().for_each(whole_floats_to_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Vec<Value> {
        crate::yaml::read_documents("x.yaml", text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|document| document.value)
            .collect()
    }
    #[test]
    fn plain_scalars_resolve_as_go_yaml_v3_resolves_them() {
        let values = read(
            "a: yes\nb: True\nc: 0640\nd: 0o640\ne: 0x1F\nf: 0b101\ng: 1_000\nh: 1e2\ni: .5\nj: 12:30:00\nk: \"0640\"\nl:\nm: +1\nn: 08\n",
        );
        assert_eq!(
            values[0],
            json!({"a": "yes", "b": true, "c": 416, "d": 416, "e": 31, "f": 5, "g": 1000, "h": 100.0, "i": 0.5,
                   "j": "12:30:00", "k": "0640", "l": null, "m": 1, "n": 8.0})
        );
    }

    #[test]
    fn plain_dates_become_rfc3339_timestamps_and_quoted_ones_stay() {
        let values = read(
            "a: 2024-01-15\nb: \"2024-01-15\"\nc: 2024-1-5T10:04:05.500+02:00\nd: 2024-02-30\ne: 2001-12-14 21:59:43.10\n",
        );
        assert_eq!(
            values[0],
            json!({"a": "2024-01-15T00:00:00Z", "b": "2024-01-15", "c": "2024-01-05T10:04:05.5+02:00",
                   "d": "2024-02-30", "e": "2001-12-14T21:59:43.1Z"})
        );
    }

    #[test]
    fn whole_floats_are_written_as_integers() {
        let mut value = json!({"a": 1.0, "b": [100.0, 0.5], "c": 1.2345678901234568e20});
        whole_floats_to_integers(&mut value);
        assert_eq!(
            value,
            json!({"a": 1, "b": [100, 0.5], "c": 1.2345678901234568e20})
        );
    }
}
