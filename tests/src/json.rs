//! JSON comparison for round trips. Two documents are *equivalent* when they are equal except for
//! the normalisations the client documents (see `generated/src/lenient.rs`): a `null` member is
//! the same as an absent one, a number sent as a string or as an integral float equals the number,
//! `"true"`/`"false"` equal the booleans, and a JSON document sent inside a string equals the
//! document. Anything else (a lost field, a changed enum value, an array turned into a map) is a
//! difference, reported with its JSON path.

use serde_json::Value;

/// The first difference between `expected` (what was sent) and `actual` (what came back), if any.
pub fn difference(expected: &Value, actual: &Value) -> Option<String> {
    diff_at("$", expected, actual)
}

/// Whether `a` and `b` are equal without any normalisation (key order aside).
pub fn exactly_equal(a: &Value, b: &Value) -> bool {
    a == b
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

fn diff_at(path: &str, expected: &Value, actual: &Value) -> Option<String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    None if ev.is_null() => {}
                    None if matches!(ev, Value::Object(m) if m.is_empty()) => {}
                    None if matches!(ev, Value::String(s) if s.trim().is_empty()) => {}
                    None => return Some(format!("{p}: lost (was {ev})")),
                    Some(av) => {
                        if let Some(d) = diff_at(&p, ev, av) {
                            return Some(d);
                        }
                    }
                }
            }
            for (k, av) in a {
                if !e.contains_key(k) && !av.is_null() {
                    return Some(format!("{path}.{k}: added ({av})"));
                }
            }
            None
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Some(format!("{path}: {} items became {}", e.len(), a.len()));
            }
            e.iter()
                .zip(a)
                .enumerate()
                .find_map(|(i, (ev, av))| diff_at(&format!("{path}[{i}]"), ev, av))
        }
        (Value::String(s), other) if !other.is_string() => match serde_json::from_str::<Value>(s) {
            Ok(inner) if inner.is_array() || inner.is_object() => diff_at(path, &inner, other),
            _ => scalar(path, expected, actual),
        },
        _ => scalar(path, expected, actual),
    }
}

fn scalar(path: &str, expected: &Value, actual: &Value) -> Option<String> {
    if expected == actual {
        return None;
    }
    if let (Some(x), Some(y)) = (as_number(expected), as_number(actual)) {
        if x == y {
            return None;
        }
    }
    match (expected, actual) {
        (Value::String(s), Value::Bool(b)) if s.eq_ignore_ascii_case(&b.to_string()) => None,
        (Value::Number(n), Value::String(s)) if n.to_string() == *s => None,
        (Value::Bool(b), Value::String(s)) if b.to_string() == *s => None,
        _ => Some(format!("{path}: {expected} became {actual}")),
    }
}

/// Adds an unknown member to every object of `value` (a copy of a fixture with fields the spec
/// does not know).
pub fn with_unknown_members(value: &Value) -> Value {
    match value {
        Value::Object(m) => {
            let mut out: serde_json::Map<String, Value> = m
                .iter()
                .map(|(k, v)| (k.clone(), with_unknown_members(v)))
                .collect();
            // A copy of a sibling's value: valid whether the object is a struct (the member is
            // unknown) or a map keyed by name (the entry is new).
            if let Some(sibling) = m.values().next() {
                out.insert("x_field_from_the_future".into(), sibling.clone());
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(with_unknown_members).collect()),
        other => other.clone(),
    }
}
