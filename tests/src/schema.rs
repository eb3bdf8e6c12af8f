//! A random JSON generator that follows a body's schema (used by the property test and the
//! malformed-input test); the spec itself is read through [`crate::spec`].
//!
//! The generator writes what the spec allows and, when asked, every leniency class the client
//! accepts on top of it (see `runtime/src/lenient.rs`); it does not write invalid JSON.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::spec::{resolve, unwrap_all_of};

/// The leniency classes the generator writes, by name, as counted in [`Generator::classes`].
pub const LENIENCY_CLASSES: &[&str] = &[
    "integer as string",
    "integer as integral float",
    "integer as exponent (1e3)",
    "number as string",
    "boolean as string",
    "boolean as 0/1",
    "string as number",
    "string as boolean",
    "unset as null",
    "unset as {}",
    "unset as \"\"",
    "unset as []",
    "nested object as null",
    "nested object as \"\"",
    "unknown enum value as number or boolean",
    "list inside a string",
    "map inside a string",
    "list of scalars element-wise",
    "allOf branch",
];

/// Random JSON valid against a schema, with unknown members and enum values sprinkled in, and
/// (with `lenient`) the leniency classes the client accepts.
pub struct Generator<'a> {
    spec: &'a Value,
    rng: fastrand::Rng,
    lenient: bool,
    /// How many values of each leniency class (names from [`LENIENCY_CLASSES`]) were written.
    pub classes: BTreeMap<&'static str, usize>,
}

impl<'a> Generator<'a> {
    /// A generator over `spec` seeded with `seed`.
    pub fn new(spec: &'a Value, seed: u64, lenient: bool) -> Self {
        Generator {
            spec,
            rng: fastrand::Rng::with_seed(seed),
            lenient,
            classes: BTreeMap::new(),
        }
    }

    fn class(&mut self, name: &'static str) {
        debug_assert!(LENIENCY_CLASSES.contains(&name), "{name}");
        *self.classes.entry(name).or_default() += 1;
    }

    /// Whether to write a lenient form this time (one value in five), at a position where
    /// the client is lenient.
    fn lenient_now(&mut self, here: bool) -> bool {
        here && self.lenient && self.rng.u8(..5) == 0
    }

    /// A value for the body schema `schema`.
    pub fn body(&mut self, schema: &Value) -> Value {
        self.value(schema, 0, false)
    }

    /// A value for `schema`. `here`: whether the client decodes this position leniently (a
    /// struct member, or an element of a member that is a list or map of scalars; not a
    /// body's top level, nor the items of lists and maps of collections).
    fn value(&mut self, schema: &Value, depth: u32, here: bool) -> Value {
        let spec = self.spec;
        let schema = resolve(spec, schema);
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            return self.all_of(all, depth, here);
        }
        if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
            // The alternatives of an untagged enum: only their struct members are lenient.
            let branch = &one[self.rng.usize(..one.len())];
            return self.value(branch, depth, false);
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            // An open enum reads any JSON scalar, wherever it is (its own `Deserialize`), and
            // writes a number or boolean back as it came.
            if self.lenient_now(true) {
                self.class("unknown enum value as number or boolean");
                return if self.rng.bool() {
                    json!(self.rng.u16(..))
                } else {
                    json!(self.rng.bool())
                };
            }
            return if self.rng.u8(..10) == 0 {
                json!(format!("value_from_a_newer_cluster_{}", self.rng.u16(..)))
            } else {
                values[self.rng.usize(..values.len())].clone()
            };
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => self.string(here),
            Some("integer") => self.integer(here),
            Some("number") => self.number(here),
            Some("boolean") => self.boolean(here),
            Some("array") => self.array(schema, depth, here),
            _ => self.object(schema, depth, here),
        }
    }

    /// Every `allOf` branch contributes: the members of all object branches are merged; a
    /// branch that is not an object (a one-branch wrapper of a scalar or enum) gives the value.
    fn all_of(&mut self, all: &[Value], depth: u32, here: bool) -> Value {
        let mut merged = Map::new();
        let mut scalar = None;
        for branch in all {
            self.class("allOf branch");
            match self.value(branch, depth, here) {
                Value::Object(m) if scalar.is_none() => merged.extend(m),
                other => scalar = Some(other),
            }
        }
        scalar.unwrap_or(Value::Object(merged))
    }

    fn string(&mut self, here: bool) -> Value {
        if self.lenient_now(here) {
            return if self.rng.bool() {
                self.class("string as number");
                json!(self.rng.u32(..100_000))
            } else {
                self.class("string as boolean");
                json!(self.rng.bool())
            };
        }
        json!((0..self.rng.usize(..12))
            .map(|_| self.rng.alphanumeric())
            .collect::<String>())
    }

    fn integer(&mut self, here: bool) -> Value {
        if self.lenient_now(here) {
            return match self.rng.u8(..3) {
                0 => {
                    self.class("integer as string");
                    json!(self.rng.i64(..).to_string())
                }
                1 => {
                    self.class("integer as integral float");
                    json!(self.rng.i32(..) as f64)
                }
                _ => {
                    self.class("integer as exponent (1e3)");
                    json!(format!("{}e{}", self.rng.u8(1..10), self.rng.u8(..6)))
                }
            };
        }
        match self.rng.u8(..6) {
            0 => json!(-1),
            // Beyond 2^53: must come back unaltered.
            1 => json!(self.rng.i64((1 << 53) + 1..i64::MAX)),
            2 => json!(self.rng.i64(i64::MIN..-(1 << 53) - 1)),
            _ => json!(self.rng.i64(0..100_000)),
        }
    }

    fn number(&mut self, here: bool) -> Value {
        if self.lenient_now(here) {
            self.class("number as string");
            return json!(format!("{}", self.rng.i32(..) as f64 / 8.0));
        }
        match self.rng.u8(..3) {
            0 => json!(self.rng.i64(-1000..1000) as f64 / 4.0),
            // An integer is a valid number: written back as a float (`FloatFromInteger`).
            1 => json!(self.rng.u32(..1_000_000)),
            _ => json!(self.rng.f64() * 1e6),
        }
    }

    fn boolean(&mut self, here: bool) -> Value {
        if self.lenient_now(here) {
            let b = self.rng.bool();
            return if self.rng.bool() {
                self.class("boolean as string");
                let words = if b {
                    ["true", "yes", "enabled", "on", "TRUE"]
                } else {
                    ["false", "no", "disabled", "off", "False"]
                };
                json!(words[self.rng.usize(..words.len())])
            } else {
                self.class("boolean as 0/1");
                json!(u8::from(b))
            };
        }
        json!(self.rng.bool())
    }

    /// Whether `schema` is a plain scalar (the client's `LenientScalar`s; not an enum).
    fn is_scalar(&self, schema: &Value) -> bool {
        let schema = resolve(self.spec, schema);
        matches!(
            schema.get("type").and_then(Value::as_str),
            Some("integer" | "number" | "boolean" | "string")
        ) && schema.get("enum").is_none()
    }

    fn array(&mut self, schema: &Value, depth: u32, here: bool) -> Value {
        let n = if depth > 3 { 0 } else { self.rng.usize(..3) };
        let items = &schema["items"];
        let element_wise = here && self.is_scalar(items);
        let list = Value::Array(
            (0..n)
                .map(|_| self.value(items, depth + 1, element_wise))
                .collect(),
        );
        if element_wise && n > 0 && self.lenient {
            self.class("list of scalars element-wise");
        }
        if self.lenient_now(here) {
            self.class("list inside a string");
            return Value::String(list.to_string());
        }
        list
    }

    /// An unset form for a member (`null`, `{}`, `""`, `[]`, whichever its type reads as
    /// unset), or `None` when it has none. A required member is unset only if it is a list or
    /// map (read as empty); a scalar or struct must be there.
    fn unset(&mut self, schema: &Value, required: bool) -> Option<Value> {
        let schema = unwrap_all_of(self.spec, schema);
        let kind = schema.get("type").and_then(Value::as_str);
        let is_enum = schema.get("enum").is_some();
        let is_struct = schema.get("properties").is_some() || schema.get("allOf").is_some();
        let list = kind == Some("array");
        let map = kind == Some("object") && !is_struct;
        if schema.get("oneOf").is_some() || kind.is_none() && !is_enum {
            return None;
        }
        if is_struct {
            // `null` and `""` are unset for an optional nested object.
            return match (required, self.rng.bool()) {
                (true, _) => None,
                (false, false) => {
                    self.class("nested object as null");
                    Some(Value::Null)
                }
                (false, true) => {
                    self.class("nested object as \"\"");
                    Some(json!(""))
                }
            };
        }
        if required && !list && !map {
            return None;
        }
        // `{}` stays an empty map, `[]` an empty list, and `""` is a value of a string or enum:
        // none of them is unset there.
        let mut forms = vec!["unset as null"];
        if !map {
            forms.push("unset as {}");
        }
        if kind != Some("string") {
            forms.push("unset as \"\"");
        }
        if map {
            forms.push("unset as []");
        }
        let form = forms[self.rng.usize(..forms.len())];
        self.class(form);
        Some(match form {
            "unset as null" => Value::Null,
            "unset as {}" => json!({}),
            "unset as []" => json!([]),
            _ => json!(""),
        })
    }

    fn object(&mut self, schema: &Value, depth: u32, here: bool) -> Value {
        let mut out = Map::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let required = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().any(|x| x == name));
                if required || (depth < 4 && self.rng.bool()) {
                    let value = match self
                        .lenient_now(true)
                        .then(|| self.unset(prop, required))
                        .flatten()
                    {
                        Some(unset) => unset,
                        None => self.value(prop, depth + 1, true),
                    };
                    out.insert(name.clone(), value);
                }
            }
        }
        match schema.get("additionalProperties") {
            Some(ap) if ap.is_object() && depth < 4 => {
                let element_wise = here && self.is_scalar(ap);
                for _ in 0..self.rng.usize(..3) {
                    let key = format!("k{}", self.rng.u16(..));
                    let value = self.value(ap, depth + 1, element_wise);
                    out.insert(key, value);
                }
                if !out.is_empty() && self.lenient_now(here) {
                    self.class("map inside a string");
                    return Value::String(Value::Object(out).to_string());
                }
            }
            _ => {
                if self.rng.u8(..3) == 0 {
                    out.insert(
                        format!("x_unknown_{}", self.rng.u16(..)),
                        json!({"any": [self.rng.u8(..), "thing"]}),
                    );
                }
                // A free-form object member: also accepted as a JSON document in a string.
                let free_form = schema.get("properties").is_none()
                    && schema.get("type").and_then(Value::as_str) == Some("object");
                if free_form && !out.is_empty() && self.lenient_now(here) {
                    self.class("map inside a string");
                    return Value::String(Value::Object(out).to_string());
                }
            }
        }
        Value::Object(out)
    }
}

/// Random JSON valid against `schema` (no leniency classes), with unknown members and enum
/// values sprinkled in.
pub fn generate(spec: &Value, schema: &Value, rng: &mut fastrand::Rng, depth: u32) -> Value {
    let mut generator = Generator::new(spec, rng.u64(..), false);
    generator.value(schema, depth, false)
}
