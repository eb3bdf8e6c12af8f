//! Exact JSON comparison for round trips, aware of the body's schema.
//!
//! What the client writes back must equal what it read, except for the [`Normalisation`]s it
//! documents (see `runtime/src/lenient.rs`). Each one is accepted only where the type the spec
//! gives the member explains it (a string that became a number only in an integer or number
//! member, and only when the number is the one the string holds), and is counted, so a test can
//! assert how many of each it saw. Any other change (a lost or added member, a value of another
//! type, a different number, an unknown enum value retyped) is a difference, reported with its
//! JSON path. Members the spec does not describe must come back exactly.
//!
//! The spec stands in for the generated types: codegen maps `integer` to `i64`, `number` to
//! `f64`, `boolean` to `bool`, `string` to `String`, a string `enum` component to an open enum,
//! an object with `properties` to a struct, `additionalProperties` to a map and any other object
//! to a free-form JSON map.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::spec::resolve;

/// A change the client makes on write-back, with the type that explains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Normalisation {
    /// `"90"`, `"1e3"`, `"8.0"` in an integer member, or `"0.5"` in a number member, written
    /// back as the number the string holds.
    NumberFromString,
    /// `8.0` in an integer member, written back as `8`.
    IntegralFloat,
    /// `8` in a number member (`f64`), written back as `8.0`.
    FloatFromInteger,
    /// `"true"`, `"yes"`, `"enabled"`, `"on"` (and their opposites) in a boolean member, written
    /// back as the boolean.
    BoolFromString,
    /// `0` or `1` in a boolean member, written back as `false` or `true`.
    BoolFromNumber,
    /// A number in a string member, written back as its JSON text.
    StringFromNumber,
    /// A boolean in a string member, written back as `"true"` or `"false"`.
    StringFromBool,
    /// `null` for an optional member: unset, so not written back.
    NullDropped,
    /// `{}` for an optional scalar or list: unset, so not written back.
    EmptyObjectDropped,
    /// `""` for an optional number, boolean, list, map or nested object: unset, so not
    /// written back.
    EmptyStringDropped,
    /// `[]` for an optional scalar, map or free-form object: unset, so not written back.
    EmptyArrayDropped,
    /// `null`, `{}`, `""` (list) or `[]` (map) for a required list or map, written back as the
    /// empty list or map.
    UnsetWrittenAsEmpty,
    /// A list or object sent as a JSON document inside a string, written back as the document.
    JsonInString,
}

impl Normalisation {
    /// Every normalisation, in declaration order.
    pub const ALL: &'static [Normalisation] = &[
        Normalisation::NumberFromString,
        Normalisation::IntegralFloat,
        Normalisation::FloatFromInteger,
        Normalisation::BoolFromString,
        Normalisation::BoolFromNumber,
        Normalisation::StringFromNumber,
        Normalisation::StringFromBool,
        Normalisation::NullDropped,
        Normalisation::EmptyObjectDropped,
        Normalisation::EmptyStringDropped,
        Normalisation::EmptyArrayDropped,
        Normalisation::UnsetWrittenAsEmpty,
        Normalisation::JsonInString,
    ];
}

impl fmt::Display for Normalisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// The outcome of one comparison: the normalisations seen (with their paths) and the
/// differences no normalisation explains.
#[derive(Debug, Default, Clone)]
pub struct Comparison {
    /// Each normalisation, with the JSON path where it happened.
    pub normalised: Vec<(Normalisation, String)>,
    /// Each change that is not a documented normalisation, with its JSON path.
    pub differences: Vec<String>,
}

impl Comparison {
    /// How many of each normalisation.
    pub fn counts(&self) -> BTreeMap<Normalisation, usize> {
        let mut out = BTreeMap::new();
        for (n, _) in &self.normalised {
            *out.entry(*n).or_default() += 1;
        }
        out
    }

    /// Whether what came back equals what was sent, byte for byte as JSON values.
    pub fn is_exact(&self) -> bool {
        self.normalised.is_empty() && self.differences.is_empty()
    }

    fn norm(&mut self, n: Normalisation, path: &str) {
        self.normalised.push((n, path.to_string()));
    }

    fn diff(&mut self, path: &str, what: String) {
        self.differences.push(format!("{path}: {what}"));
    }
}

/// Compares `sent` with what the client wrote back (`returned`), for a body whose schema (in
/// `spec`) is `schema`.
pub fn compare(spec: &Value, schema: &Value, sent: &Value, returned: &Value) -> Comparison {
    let mut out = Comparison::default();
    Walker { spec }.value("$", schema, sent, returned, &mut out);
    out
}

/// The kind of generated type the comparator takes `schema` to have: `integer`, `number`,
/// `boolean`, `string`, `enum`, `list`, `map`, `object` (free-form), `struct`, `oneOf` or `any`
/// (used to check the comparator's reading of the spec against the generated types).
pub fn kind(spec: &Value, schema: &Value) -> &'static str {
    match (Walker { spec }).shape(schema) {
        Shape::Integer => "integer",
        Shape::Number => "number",
        Shape::Boolean => "boolean",
        Shape::String => "string",
        Shape::Enum => "enum",
        Shape::List(_) => "list",
        Shape::Map(_) => "map",
        Shape::Object => "object",
        Shape::Struct(_) => "struct",
        Shape::OneOf(_) => "oneOf",
        Shape::Any => "any",
    }
}

/// The generated type of a schema, as far as write-back is concerned.
enum Shape<'a> {
    Integer,
    Number,
    Boolean,
    String,
    /// An open enum: any string, kept exactly.
    Enum,
    List(&'a Value),
    Map(&'a Value),
    /// A free-form JSON map, kept exactly.
    Object,
    Struct(Vec<(&'a String, &'a Value, bool)>),
    OneOf(&'a [Value]),
    /// No type information: kept exactly.
    Any,
}

struct Walker<'a> {
    spec: &'a Value,
}

fn is_int(v: &Value) -> bool {
    v.is_i64() || v.is_u64()
}

/// The integer a JSON number holds, when it holds one exactly.
fn integer_of(v: &Value) -> Option<i128> {
    v.as_i64()
        .map(i128::from)
        .or_else(|| v.as_u64().map(i128::from))
}

/// The integer the client reads from a string in an integer member: an integer, or a decimal
/// whose value is integral (`"1e3"`, `"8.0"`), computed on the digits (never through `f64`, which
/// would round integers beyond 2^53).
fn integer_from_str(s: &str) -> Option<i128> {
    let t = s.trim();
    if let Ok(v) = t.parse::<i128>() {
        return Some(v);
    }
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (mantissa, exponent) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().ok()?),
        None => (t, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Where the decimal point falls in `digits`.
    let point = i64::try_from(whole.len()).ok()? + exponent;
    let len = i64::try_from(digits.len()).ok()?;
    let integral = if point >= len {
        format!(
            "{digits}{}",
            "0".repeat(usize::try_from(point - len).ok()?.min(64))
        )
    } else {
        let point = usize::try_from(point.max(0)).ok()?;
        if !digits[point..].bytes().all(|b| b == b'0') {
            return None;
        }
        digits[..point].to_string()
    };
    let value: i128 = if integral.trim_start_matches('0').is_empty() {
        0
    } else {
        integral.trim_start_matches('0').parse().ok()?
    };
    Some(if negative { -value } else { value })
}

fn bool_from_str(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "enabled" | "1" | "on" => Some(true),
        "false" | "no" | "disabled" | "0" | "off" => Some(false),
        _ => None,
    }
}

fn is_unset_form(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

impl<'a> Walker<'a> {
    fn shape(&self, schema: &'a Value) -> Shape<'a> {
        let schema = resolve(self.spec, schema);
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            if all.len() == 1 {
                return self.shape(&all[0]);
            }
            let mut props = Vec::new();
            for branch in all {
                match self.shape(branch) {
                    Shape::Struct(p) => props.extend(p),
                    _ => return Shape::Any,
                }
            }
            return Shape::Struct(props);
        }
        if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
            return Shape::OneOf(one);
        }
        if schema.get("enum").is_some() {
            return Shape::Enum;
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("integer") => Shape::Integer,
            Some("number") => Shape::Number,
            Some("boolean") => Shape::Boolean,
            Some("string") => Shape::String,
            Some("array") => Shape::List(&schema["items"]),
            _ => {
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    let required = |name: &String| {
                        schema
                            .get("required")
                            .and_then(Value::as_array)
                            .is_some_and(|r| r.iter().any(|x| x == name))
                    };
                    Shape::Struct(props.iter().map(|(k, v)| (k, v, required(k))).collect())
                } else if let Some(ap) = schema
                    .get("additionalProperties")
                    .filter(|ap| ap.is_object())
                {
                    Shape::Map(ap)
                } else if schema.get("type").and_then(Value::as_str) == Some("object") {
                    Shape::Object
                } else {
                    Shape::Any
                }
            }
        }
    }

    /// A member of a struct: `sent` or `returned` may be missing.
    fn member(
        &self,
        path: &str,
        schema: &'a Value,
        required: bool,
        sent: Option<&Value>,
        returned: Option<&Value>,
        out: &mut Comparison,
    ) {
        match (sent, returned) {
            (None, None) => {}
            (None, Some(r)) => out.diff(path, format!("added ({r})")),
            // An optional list, map or object (`Option<_>`) left unset by `null`, `{}`, `""` or
            // `[]` is not written back at all: written as an empty one, it is a change no type
            // of the client produces, not `UnsetWrittenAsEmpty` (that is for required members).
            (Some(s), Some(r))
                if !required
                    && is_unset_form(s)
                    && s != r
                    && matches!(r, Value::Array(a) if a.is_empty())
                        | matches!(r, Value::Object(m) if m.is_empty())
                    && matches!(
                        self.shape(schema),
                        Shape::List(_) | Shape::Map(_) | Shape::Object
                    ) =>
            {
                out.diff(path, format!("optional member {s} written back as {r}"))
            }
            (Some(s), Some(r)) => self.value(path, schema, s, r, out),
            (Some(s), None) => {
                let dropped = if required {
                    None
                } else {
                    self.dropped_as_unset(schema, s)
                };
                match dropped {
                    Some(n) => out.norm(n, path),
                    None => out.diff(path, format!("lost (was {s})")),
                }
            }
        }
    }

    /// Which normalisation explains that an optional member sent as `s` was not written back.
    fn dropped_as_unset(&self, schema: &'a Value, s: &Value) -> Option<Normalisation> {
        let shape = self.shape(schema);
        let scalar = matches!(
            shape,
            Shape::Integer | Shape::Number | Shape::Boolean | Shape::String | Shape::Enum
        );
        let list = matches!(shape, Shape::List(_));
        let map = matches!(shape, Shape::Map(_) | Shape::Object);
        // `""` for a nested object: unset, like the other members (issue 12).
        let nested = matches!(shape, Shape::Struct(_));
        let empty_string = matches!(s, Value::String(t) if t.trim().is_empty());
        match s {
            // serde reads `null` as `None` for any optional member, structs included.
            Value::Null => Some(Normalisation::NullDropped),
            Value::Object(m) if m.is_empty() && (scalar || list) => {
                Some(Normalisation::EmptyObjectDropped)
            }
            Value::Array(a) if a.is_empty() && (map || scalar) => {
                Some(Normalisation::EmptyArrayDropped)
            }
            _ if empty_string
                && (matches!(shape, Shape::Integer | Shape::Number | Shape::Boolean)
                    || list
                    || map
                    || nested) =>
            {
                Some(Normalisation::EmptyStringDropped)
            }
            _ => None,
        }
    }

    fn value(
        &self,
        path: &str,
        schema: &'a Value,
        sent: &Value,
        returned: &Value,
        out: &mut Comparison,
    ) {
        let shape = self.shape(schema);
        if sent == returned && !matches!(shape, Shape::Struct(_) | Shape::OneOf(_)) {
            // Same value (integers compared exactly, floats by value): nothing to explain.
            if is_int(sent) == is_int(returned) {
                return;
            }
        }
        match shape {
            Shape::Integer => self.integer(path, sent, returned, out),
            Shape::Number => self.number(path, sent, returned, out),
            Shape::Boolean => match (sent, returned) {
                (Value::String(s), Value::Bool(b)) if bool_from_str(s) == Some(*b) => {
                    out.norm(Normalisation::BoolFromString, path)
                }
                (Value::Number(n), Value::Bool(b))
                    if integer_of(sent) == Some(i128::from(u8::from(*b)))
                        || n.as_f64() == Some(f64::from(u8::from(*b))) =>
                {
                    out.norm(Normalisation::BoolFromNumber, path)
                }
                _ => out.diff(path, format!("{sent} became {returned}")),
            },
            Shape::String => match (sent, returned) {
                (Value::Number(n), Value::String(s)) if n.to_string() == *s => {
                    out.norm(Normalisation::StringFromNumber, path)
                }
                (Value::Bool(b), Value::String(s)) if b.to_string() == *s => {
                    out.norm(Normalisation::StringFromBool, path)
                }
                _ => out.diff(path, format!("{sent} became {returned}")),
            },
            // An unknown enum value must come back as it came: a number as that number.
            Shape::Enum | Shape::Any => out.diff(path, format!("{sent} became {returned}")),
            Shape::Object => match sent {
                Value::String(s) => self.in_string(path, schema, s, returned, out),
                _ if is_unset_form(sent) && returned == &Value::Object(Map::new()) => {
                    out.norm(Normalisation::UnsetWrittenAsEmpty, path)
                }
                _ => out.diff(path, format!("{sent} became {returned}")),
            },
            Shape::List(items) => match (sent, returned) {
                (Value::Array(s), Value::Array(r)) => {
                    if s.len() != r.len() {
                        out.diff(path, format!("{} items became {}", s.len(), r.len()));
                        return;
                    }
                    for (i, (sv, rv)) in s.iter().zip(r).enumerate() {
                        self.value(&format!("{path}[{i}]"), items, sv, rv, out);
                    }
                }
                (s, Value::Array(r)) if r.is_empty() && is_unset_form(s) && !s.is_array() => {
                    out.norm(Normalisation::UnsetWrittenAsEmpty, path)
                }
                (Value::String(s), _) => self.in_string(path, schema, s, returned, out),
                _ => out.diff(path, format!("{sent} became {returned}")),
            },
            Shape::Map(values) => match (sent, returned) {
                (Value::Object(s), Value::Object(r)) => {
                    for (k, sv) in s {
                        let p = format!("{path}.{k}");
                        match r.get(k) {
                            Some(rv) => self.value(&p, values, sv, rv, out),
                            None => out.diff(&p, format!("lost (was {sv})")),
                        }
                    }
                    for (k, rv) in r {
                        if !s.contains_key(k) {
                            out.diff(&format!("{path}.{k}"), format!("added ({rv})"));
                        }
                    }
                }
                (s, Value::Object(r)) if r.is_empty() && is_unset_form(s) && !s.is_object() => {
                    out.norm(Normalisation::UnsetWrittenAsEmpty, path)
                }
                (Value::String(s), _) => self.in_string(path, schema, s, returned, out),
                _ => out.diff(path, format!("{sent} became {returned}")),
            },
            Shape::Struct(props) => match (sent, returned) {
                (Value::Object(s), Value::Object(r)) => {
                    for (name, prop, required) in &props {
                        let p = format!("{path}.{name}");
                        self.member(&p, prop, *required, s.get(*name), r.get(*name), out);
                    }
                    // Members the spec does not describe come back exactly.
                    for (k, sv) in s {
                        if props.iter().any(|(name, _, _)| *name == k) {
                            continue;
                        }
                        match r.get(k) {
                            Some(rv) if rv == sv && is_int(rv) == is_int(sv) => {}
                            Some(rv) => {
                                out.diff(&format!("{path}.{k}"), format!("{sv} became {rv}"))
                            }
                            None => out.diff(&format!("{path}.{k}"), format!("lost (was {sv})")),
                        }
                    }
                    for (k, rv) in r {
                        if !s.contains_key(k) && !props.iter().any(|(name, _, _)| *name == k) {
                            out.diff(&format!("{path}.{k}"), format!("added ({rv})"));
                        }
                    }
                }
                _ => out.diff(path, format!("{sent} became {returned}")),
            },
            Shape::OneOf(branches) => {
                // The branch that explains the round trip with no difference, if any.
                let mut first = None;
                for branch in branches {
                    let mut attempt = Comparison::default();
                    self.value(path, branch, sent, returned, &mut attempt);
                    if attempt.differences.is_empty() {
                        out.normalised.extend(attempt.normalised);
                        return;
                    }
                    first.get_or_insert(attempt);
                }
                if let Some(attempt) = first {
                    out.differences.extend(attempt.differences);
                }
            }
        }
    }

    /// A list or map sent as a JSON document inside a string.
    fn in_string(
        &self,
        path: &str,
        schema: &'a Value,
        s: &str,
        returned: &Value,
        out: &mut Comparison,
    ) {
        match serde_json::from_str::<Value>(s) {
            Ok(inner) if inner.is_array() || inner.is_object() => {
                out.norm(Normalisation::JsonInString, path);
                self.value(path, schema, &inner, returned, out);
            }
            _ => out.diff(path, format!("{s:?} became {returned}")),
        }
    }

    fn integer(&self, path: &str, sent: &Value, returned: &Value, out: &mut Comparison) {
        let Some(back) = integer_of(returned) else {
            return out.diff(path, format!("{sent} became {returned} (not an integer)"));
        };
        match sent {
            Value::Number(n) if is_int(sent) => {
                if integer_of(sent) != Some(back) {
                    out.diff(path, format!("{n} became {back}"));
                }
            }
            Value::Number(n) => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f as i128 == back => {
                    out.norm(Normalisation::IntegralFloat, path)
                }
                _ => out.diff(path, format!("{n} became {back}")),
            },
            Value::String(s) if integer_from_str(s) == Some(back) => {
                out.norm(Normalisation::NumberFromString, path)
            }
            _ => out.diff(path, format!("{sent} became {returned}")),
        }
    }

    fn number(&self, path: &str, sent: &Value, returned: &Value, out: &mut Comparison) {
        let Some(back) = returned.as_f64().filter(|_| returned.is_f64()) else {
            return out.diff(path, format!("{sent} became {returned} (not a float)"));
        };
        match sent {
            // Only when the float holds the integer exactly (beyond 2^53 it may not).
            Value::Number(_) if is_int(sent) => match integer_of(sent) {
                Some(i) if back.fract() == 0.0 && back as i128 == i && i.abs() <= 1 << 53 => {
                    out.norm(Normalisation::FloatFromInteger, path)
                }
                _ => out.diff(path, format!("{sent} became {returned}")),
            },
            Value::Number(n) if n.as_f64() == Some(back) => {}
            Value::String(s) if s.trim().parse::<f64>().ok() == Some(back) => {
                out.norm(Normalisation::NumberFromString, path)
            }
            _ => out.diff(path, format!("{sent} became {returned}")),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A tiny spec with the shapes the walker distinguishes.
    fn spec() -> Value {
        json!({"components": {"schemas": {
            "Base": {"type": "object", "properties": {"id": {"type": "integer"}}},
            "Extra": {"type": "object", "required": ["tags"], "properties": {
                "tags": {"type": "array", "items": {"type": "string"}}
            }},
            "Both": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"$ref": "#/components/schemas/Extra"}]},
            "IdOrBase": {"oneOf": [{"type": "integer"}, {"$ref": "#/components/schemas/Base"}]},
            "Counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "Holder": {"type": "object", "properties": {
                "counts": {"$ref": "#/components/schemas/Counts"},
                "free": {"type": "object"},
                "choice": {"$ref": "#/components/schemas/IdOrBase"},
                "ratio": {"type": "number"},
                "labels": {"type": "array", "items": {"type": "string"}}
            }}
        }}})
    }

    fn schema(name: &str) -> Value {
        json!({"$ref": format!("#/components/schemas/{name}")})
    }

    /// `UnsetWrittenAsEmpty` only where the type produces it: a required list or map. An
    /// optional one (`Option<Vec<_>>`, `Option<BTreeMap<..>>`) is dropped, never written empty.
    #[test]
    fn an_optional_collection_written_back_empty_is_a_difference() {
        let spec = spec();
        let cases = [
            (json!({"labels": null}), json!({"labels": []}), "$.labels"),
            (json!({"labels": ""}), json!({"labels": []}), "$.labels"),
            (json!({"counts": null}), json!({"counts": {}}), "$.counts"),
            (json!({"counts": []}), json!({"counts": {}}), "$.counts"),
            (json!({"free": null}), json!({"free": {}}), "$.free"),
        ];
        for (sent, returned, path) in &cases {
            let c = compare(&spec, &schema("Holder"), sent, returned);
            assert!(c.normalised.is_empty(), "{sent}: {:?}", c.normalised);
            assert_eq!(c.differences.len(), 1, "{sent}: {:?}", c.differences);
            assert!(c.differences[0].starts_with(path), "{:?}", c.differences);
        }
        // The same unset forms dropped are normalisations, and a required list written empty
        // is one too.
        let c = compare(
            &spec,
            &schema("Holder"),
            &json!({"labels": null}),
            &json!({}),
        );
        assert_eq!(
            c.normalised,
            vec![(Normalisation::NullDropped, "$.labels".to_string())]
        );
        let c = compare(
            &spec,
            &schema("Extra"),
            &json!({"tags": null}),
            &json!({"tags": []}),
        );
        assert!(c.differences.is_empty(), "{:?}", c.differences);
        assert_eq!(c.normalised.len(), 1);
        assert_eq!(cases.len(), 5);
    }

    #[test]
    fn all_of_merges_the_members_of_every_branch() {
        let spec = spec();
        let c = compare(
            &spec,
            &schema("Both"),
            &json!({"id": "5", "tags": null}),
            &json!({"id": 5, "tags": []}),
        );
        assert!(c.differences.is_empty(), "{:?}", c.differences);
        assert_eq!(
            c.normalised,
            vec![
                (Normalisation::NumberFromString, "$.id".to_string()),
                (Normalisation::UnsetWrittenAsEmpty, "$.tags".to_string()),
            ]
        );
        // A required member cannot be dropped.
        let c = compare(&spec, &schema("Both"), &json!({"tags": null}), &json!({}));
        assert_eq!(c.differences, vec!["$.tags: lost (was null)".to_string()]);
    }

    #[test]
    fn one_of_takes_the_branch_that_explains_the_round_trip() {
        let spec = spec();
        let holder = schema("Holder");
        let c = compare(
            &spec,
            &holder,
            &json!({"choice": 7.0}),
            &json!({"choice": 7}),
        );
        assert_eq!(
            c.counts(),
            BTreeMap::from([(Normalisation::IntegralFloat, 1)])
        );
        let c = compare(
            &spec,
            &holder,
            &json!({"choice": {"id": "7"}}),
            &json!({"choice": {"id": 7}}),
        );
        assert_eq!(
            c.counts(),
            BTreeMap::from([(Normalisation::NumberFromString, 1)])
        );
        let c = compare(
            &spec,
            &holder,
            &json!({"choice": "x"}),
            &json!({"choice": 7}),
        );
        assert_eq!(c.differences.len(), 1, "{:?}", c.differences);
    }

    #[test]
    fn maps_and_free_form_objects() {
        let spec = spec();
        let holder = schema("Holder");
        let c = compare(
            &spec,
            &holder,
            &json!({"counts": "{\"a\": \"1\"}", "free": "{\"b\": [1]}", "ratio": 3}),
            &json!({"counts": {"a": 1}, "free": {"b": [1]}, "ratio": 3.0}),
        );
        assert!(c.differences.is_empty(), "{:?}", c.differences);
        assert_eq!(
            c.counts(),
            BTreeMap::from([
                (Normalisation::NumberFromString, 1),
                (Normalisation::FloatFromInteger, 1),
                (Normalisation::JsonInString, 2),
            ])
        );
        // A free-form object comes back exactly: no leniency inside it.
        let c = compare(
            &spec,
            &holder,
            &json!({"free": {"b": "1"}}),
            &json!({"free": {"b": 1}}),
        );
        assert_eq!(
            c.differences,
            vec!["$.free: {\"b\":\"1\"} became {\"b\":1}".to_string()]
        );
        // Beyond 2^53 a float cannot hold the integer: not a normalisation.
        let c = compare(
            &spec,
            &holder,
            &json!({"ratio": 9_007_199_254_740_993_u64}),
            &json!({"ratio": 9_007_199_254_740_992.0}),
        );
        assert_eq!(c.differences.len(), 1, "{:?}", c.differences);
    }

    #[test]
    fn integers_in_strings_are_read_on_their_digits() {
        assert_eq!(
            integer_from_str("9007199254740993.000"),
            Some(9_007_199_254_740_993)
        );
        assert_eq!(integer_from_str("1e3"), Some(1000));
        assert_eq!(integer_from_str("-2.50e1"), Some(-25));
        assert_eq!(integer_from_str("0.5"), None);
        assert_eq!(integer_from_str("1e-3"), None);
        assert_eq!(integer_from_str("x"), None);
    }
}
