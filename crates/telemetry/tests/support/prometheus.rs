//! A strict reader of the Prometheus text format (0.0.4): every line is a comment, a HELP,
//! a TYPE or a sample of the family last declared; label values are unescaped; anything else
//! is an error, so a malformed exposition fails the test that reads it.

use std::collections::BTreeMap;

/// One sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The sample's name (`x_bucket`, `x_sum`, ...).
    pub name: String,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// Its value.
    pub value: f64,
}

/// One metric family.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Family {
    /// HELP text.
    pub help: String,
    /// `counter`, `gauge`, `histogram`, ...
    pub kind: String,
    /// Samples, in order.
    pub samples: Vec<Sample>,
}

/// A parsed exposition: families by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Exposition {
    /// The families.
    pub families: BTreeMap<String, Family>,
}

impl Exposition {
    /// The value of the sample `name` whose labels include all of `labels`; panics unless
    /// exactly one matches.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let found = self.find(name, labels);
        assert_eq!(found.len(), 1, "samples {name} {labels:?}: {found:#?}");
        found[0].value
    }

    /// Every sample `name` whose labels include all of `labels`.
    pub fn find(&self, name: &str, labels: &[(&str, &str)]) -> Vec<&Sample> {
        self.families
            .values()
            .flat_map(|family| &family.samples)
            .filter(|sample| sample.name == name)
            .filter(|sample| {
                labels
                    .iter()
                    .all(|(key, value)| sample.labels.get(*key).map(String::as_str) == Some(value))
            })
            .collect()
    }
}

/// Reads `text`, or says which line is wrong and why.
pub fn parse(text: &str) -> Result<Exposition, String> {
    let mut exposition = Exposition::default();
    let mut current: Option<String> = None;
    for (number, line) in text.lines().enumerate() {
        let fail = |reason: &str| format!("line {}: {reason}: {line:?}", number + 1);
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest
                .split_once(' ')
                .ok_or_else(|| fail("HELP without text"))?;
            check_name(name).map_err(|reason| fail(&reason))?;
            let family = exposition.families.entry(name.to_string()).or_default();
            if !family.help.is_empty() {
                return Err(fail("second HELP"));
            }
            family.help = help.to_string();
            current = Some(name.to_string());
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest
                .split_once(' ')
                .ok_or_else(|| fail("TYPE without type"))?;
            if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                return Err(fail("unknown type"));
            }
            let family = exposition.families.entry(name.to_string()).or_default();
            if !family.kind.is_empty() || !family.samples.is_empty() {
                return Err(fail("TYPE after samples or twice"));
            }
            family.kind = kind.to_string();
            current = Some(name.to_string());
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let sample = parse_sample(line).map_err(|reason| fail(&reason))?;
        let family_name = current
            .clone()
            .ok_or_else(|| fail("sample before any TYPE"))?;
        let family = exposition
            .families
            .get_mut(&family_name)
            .ok_or_else(|| fail("no family"))?;
        let allowed: Vec<String> = match family.kind.as_str() {
            "histogram" => ["_bucket", "_sum", "_count"]
                .iter()
                .map(|suffix| format!("{family_name}{suffix}"))
                .collect(),
            _ => vec![family_name.clone()],
        };
        if !allowed.contains(&sample.name) {
            return Err(fail(
                "sample does not belong to the family declared above it",
            ));
        }
        if family.kind == "histogram" && sample.name.ends_with("_bucket") {
            sample
                .labels
                .get("le")
                .ok_or_else(|| fail("bucket without le"))?;
        }
        if family.kind == "counter" && sample.value < 0.0 {
            return Err(fail("negative counter"));
        }
        if family
            .samples
            .iter()
            .any(|other| other.name == sample.name && other.labels == sample.labels)
        {
            return Err(fail("duplicate series"));
        }
        family.samples.push(sample);
    }
    for (name, family) in &exposition.families {
        if family.kind.is_empty() {
            return Err(format!("family {name} has no TYPE"));
        }
        if family.kind == "histogram" {
            check_histogram(name, family)?;
        }
    }
    Ok(exposition)
}

fn check_name(name: &str) -> Result<(), String> {
    let mut characters = name.chars();
    let first_ok = characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_' || first == ':');
    if first_ok && characters.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
        Ok(())
    } else {
        Err(format!("bad metric name {name:?}"))
    }
}

fn parse_sample(line: &str) -> Result<Sample, String> {
    let name_end = line
        .find(['{', ' '])
        .ok_or_else(|| "no value".to_string())?;
    let name = &line[..name_end];
    check_name(name)?;
    let mut rest = &line[name_end..];
    let mut labels = BTreeMap::new();
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        let consumed;
        loop {
            // label name
            let start = match chars.peek() {
                Some((_, '}')) => {
                    consumed = chars.next().map(|(index, _)| index + 1).unwrap_or(0);
                    break;
                }
                Some((index, _)) => *index,
                None => return Err("unterminated labels".into()),
            };
            let mut end = start;
            while let Some((index, character)) = chars.peek().copied() {
                if character == '=' {
                    end = index;
                    break;
                }
                if !(character.is_ascii_alphanumeric() || character == '_') {
                    return Err(format!("bad label name character {character:?}"));
                }
                chars.next();
            }
            let label = &inner[start..end];
            if label.is_empty() {
                return Err("empty label name".into());
            }
            chars.next(); // '='
            if chars.next().map(|(_, c)| c) != Some('"') {
                return Err("label value not quoted".into());
            }
            let mut value = String::new();
            loop {
                match chars.next() {
                    Some((_, '\\')) => match chars.next() {
                        Some((_, '\\')) => value.push('\\'),
                        Some((_, '"')) => value.push('"'),
                        Some((_, 'n')) => value.push('\n'),
                        _ => return Err("bad escape".into()),
                    },
                    Some((_, '"')) => break,
                    Some((_, '\n')) | None => return Err("unterminated label value".into()),
                    Some((_, other)) => value.push(other),
                }
            }
            if labels.insert(label.to_string(), value).is_some() {
                return Err(format!("label {label} twice"));
            }
            match chars.next() {
                Some((_, ',')) => {}
                Some((index, '}')) => {
                    consumed = index + 1;
                    break;
                }
                _ => return Err("expected , or }".into()),
            }
        }
        rest = &inner[consumed..];
    }
    let rest = rest
        .strip_prefix(' ')
        .ok_or_else(|| "no space before the value".to_string())?;
    let mut parts = rest.split(' ');
    let value = parse_value(parts.next().unwrap_or_default())?;
    if let Some(timestamp) = parts.next() {
        timestamp
            .parse::<i64>()
            .map_err(|_| format!("bad timestamp {timestamp:?}"))?;
    }
    if parts.next().is_some() {
        return Err("trailing text".into());
    }
    Ok(Sample {
        name: name.to_string(),
        labels,
        value,
    })
}

fn parse_value(text: &str) -> Result<f64, String> {
    match text {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => text.parse().map_err(|_| format!("bad value {text:?}")),
    }
}

/// Buckets ascend in `le`, are cumulative, end with `+Inf` equal to `_count`.
fn check_histogram(name: &str, family: &Family) -> Result<(), String> {
    let mut series: BTreeMap<BTreeMap<String, String>, Vec<(f64, f64)>> = BTreeMap::new();
    let mut counts: BTreeMap<BTreeMap<String, String>, f64> = BTreeMap::new();
    for sample in &family.samples {
        let mut labels = sample.labels.clone();
        if sample.name.ends_with("_bucket") {
            let le = parse_value(&labels.remove("le").unwrap_or_default())?;
            series.entry(labels).or_default().push((le, sample.value));
        } else if sample.name.ends_with("_count") {
            counts.insert(labels, sample.value);
        }
    }
    for (labels, buckets) in &series {
        for pair in buckets.windows(2) {
            if pair[1].0 <= pair[0].0 || pair[1].1 < pair[0].1 {
                return Err(format!(
                    "{name} {labels:?}: buckets not ascending and cumulative"
                ));
            }
        }
        let last = buckets.last().copied().unwrap_or((0.0, 0.0));
        if last.0 != f64::INFINITY || Some(&last.1) != counts.get(labels) {
            return Err(format!(
                "{name} {labels:?}: +Inf bucket missing or not _count"
            ));
        }
    }
    Ok(())
}

#[test]
fn the_parser_refuses_malformed_expositions() {
    let good = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"q\\\"\"} 1\n";
    let parsed = parse(good).unwrap();
    assert_eq!(parsed.value("a_total", &[("x", "q\"")]), 1.0);
    for bad in [
        "a_total 1\n",
        "# TYPE a_total counter\na_total{x=\"1\"} one\n",
        "# TYPE a_total counter\na_total{x=1} 1\n",
        "# TYPE a_total counter\nb_total 1\n",
        "# TYPE a_total counter\na_total 1\na_total 2\n",
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}
