//! Validation: every problem that would make progenitor fail, panic or generate something
//! unsafe for this API, reported at once with its location.
//!
//! The checks are the inputs progenitor 0.15 rejects, panics on or mis-generates (external or
//! dangling `$ref`s, missing or duplicate operationIds, parameter styles and locations it does not
//! support, inline enums, operations without exactly one tag or without responses), plus the
//! house rules of `spec/README.md`. It works on the raw JSON value so that it sees vendor
//! extensions and can point at any node. It does not check style (descriptions, examples);
//! the Redocly lint does that.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use crate::Problem;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// Keywords that change what progenitor generates in ways that break decoding or requests.
///
/// Bounds (`minimum`, `maximum`, `minLength`, `maxLength`, `pattern`) are not among them:
/// `prepare` takes them out of what progenitor sees and notes them in the description, so
/// validators (Schemathesis, Prism, the simulator) read them while the Rust types stay plain
/// integers and strings.
const FORBIDDEN_KEYWORDS: [(&str, &str); 2] = [
    (
        "default",
        "makes the field non-optional and always sent (a PUT would reset it); use x-default",
    ),
    (
        "anyOf",
        "is generated as flattened optional structs that fail at runtime; use oneOf",
    ),
];

/// Media types progenitor can send as a request body.
const REQUEST_MEDIA_TYPES: [&str; 4] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "text/plain",
];

/// Checks a loaded spec. Returns every problem found, sorted by location.
pub fn validate(spec: &Value) -> Vec<Problem> {
    let mut v = Validator {
        spec,
        problems: Vec::new(),
    };
    v.check_refs(spec, String::new());
    v.check_operations();
    v.check_components();
    let mut problems = v.problems;
    problems.sort();
    problems.dedup();
    problems
}

struct Validator<'a> {
    spec: &'a Value,
    problems: Vec<Problem>,
}

impl<'a> Validator<'a> {
    fn problem(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            location: location.into(),
            message: message.into(),
        });
    }

    /// Resolves a local `$ref`.
    fn resolve(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        self.spec.pointer(pointer)
    }

    /// Follows `$ref`s (bounded, so a cycle cannot hang validation).
    fn deref(&self, mut value: &'a Value) -> &'a Value {
        for _ in 0..16 {
            match value
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.resolve(r))
            {
                Some(target) => value = target,
                None => break,
            }
        }
        value
    }

    /// Every `$ref` in the document must be local and resolve. Examples are data, not schema.
    fn check_refs(&mut self, node: &'a Value, location: String) {
        match node {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref") {
                    match r.as_str() {
                        Some(s) if !s.starts_with("#/") => self.problem(
                            &location,
                            format!("$ref {s} is not local; only #/... references are supported"),
                        ),
                        Some(s) => {
                            if self.resolve(s).is_none() {
                                self.problem(&location, format!("$ref {s} does not resolve"));
                            }
                        }
                        None => self.problem(&location, "$ref is not a string"),
                    }
                }
                for (k, v) in map {
                    if k == "example" || k == "examples" || k.starts_with("x-") {
                        continue;
                    }
                    self.check_refs(v, join(&location, k));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.check_refs(v, format!("{location}[{i}]"));
                }
            }
            _ => {}
        }
    }

    fn check_operations(&mut self) {
        let Some(paths) = self.spec.get("paths").and_then(Value::as_object) else {
            self.problem("paths", "missing paths object");
            return;
        };
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (path, item) in paths {
            if item.get("$ref").is_some() {
                self.problem(
                    format!("paths.{path}"),
                    "path item $ref is not supported by the generator",
                );
                continue;
            }
            let template: BTreeSet<String> = template_params(path);
            let path_level = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let loc = format!("paths.{path}.{method}");
                self.check_operation(&loc, op, &template, &path_level, &mut seen);
            }
        }
    }

    fn check_operation(
        &mut self,
        loc: &str,
        op: &'a Value,
        template: &BTreeSet<String>,
        path_level: &[Value],
        seen: &mut BTreeMap<String, String>,
    ) {
        // operationId: present, snake_case, unique even after snake_case conversion.
        match op.get("operationId").and_then(Value::as_str) {
            None => self.problem(loc, "missing operationId"),
            Some(id) => {
                let snake = id.to_snake_case();
                if snake != id {
                    self.problem(loc, format!("operationId {id} is not snake_case (it becomes the method name {snake})"));
                }
                if let Some(other) = seen.get(&snake) {
                    self.problem(loc, format!("duplicate operationId {id} (also at {other})"));
                } else {
                    seen.insert(snake, loc.to_string());
                }
            }
        }
        // Release facts: versions written as `major.minor` strings, so the client can compare.
        for key in ["x-since", "x-removed-in"] {
            if let Some(v) = op.get(key) {
                if !v.as_str().map(is_release).unwrap_or(false) {
                    self.problem(
                        join(loc, key),
                        format!("{key} must be a release such as \"7.22\", found {v}"),
                    );
                }
            }
        }
        for key in ["x-served-in", "x-not-served-in"] {
            if let Some(v) = op.get(key) {
                let ok = v
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .all(|r| r.as_str().map(is_release).unwrap_or(false))
                    })
                    .unwrap_or(false);
                if !ok {
                    self.problem(join(loc, key), format!("{key} must be a list of releases such as [\"7.8\", \"8.0\"], found {v}"));
                }
            }
        }
        // Safety: what the operation does to the cluster, declared per operation (a POST that
        // only reads is `read`); the CLI's confirmations and the MCP server's policy use it.
        match op.get("x-safety") {
            None => self.problem(loc, "missing x-safety (read, write or destructive)"),
            Some(v) if v.as_str().is_some_and(|s| SAFETY.contains(&s)) => {}
            Some(v) => self.problem(
                join(loc, "x-safety"),
                format!("x-safety must be read, write or destructive, found {v}"),
            ),
        }
        match op.get("tags").and_then(Value::as_array).map(Vec::len) {
            None | Some(0) => self.problem(loc, "operation has no tag (exactly one is needed)"),
            Some(1) => {}
            Some(n) => self.problem(
                loc,
                format!("operation has {n} tags (exactly one is needed)"),
            ),
        }

        // Parameters: path ones declared, required and used; no `body`; no name in two places.
        let mut declared_path = BTreeSet::new();
        let mut by_name: BTreeMap<String, String> = BTreeMap::new();
        let op_params = op
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let has_body = op.get("requestBody").is_some();
        for (i, p) in path_level.iter().chain(op_params.iter()).enumerate() {
            let p = self.deref(p);
            let ploc = format!("{loc}.parameters[{i}]");
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let place = p
                .get("in")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            match place.as_str() {
                "path" => {
                    declared_path.insert(name.clone());
                    if p.get("required") != Some(&Value::Bool(true)) {
                        self.problem(
                            &ploc,
                            format!("path parameter {name} must have required: true"),
                        );
                    }
                }
                "query" => {}
                "header" => {
                    // The generated code uses the name as a static header name, which panics
                    // at runtime unless it is lowercase.
                    if name.chars().any(|c| c.is_ascii_uppercase()) {
                        self.problem(
                            &ploc,
                            format!(
                                "header parameter {name} must be written in lowercase ({})",
                                name.to_lowercase()
                            ),
                        );
                    }
                }
                other => self.problem(
                    &ploc,
                    format!(
                        "parameter {name} is in {other}; only path, query and header are supported"
                    ),
                ),
            }
            if let Some(style) = p.get("style").and_then(Value::as_str) {
                if style != "form" && style != "simple" {
                    self.problem(&ploc, format!("parameter style {style} is not supported"));
                }
            }
            if name == "body" && has_body {
                self.problem(
                    &ploc,
                    "parameter named body clashes with the request body argument",
                );
            }
            if let Some(prev) = by_name.insert(name.clone(), place.clone()) {
                if prev != place {
                    self.problem(
                        &ploc,
                        format!("parameter {name} appears in both {prev} and {place}"),
                    );
                }
            }
            if let Some(schema) = p.get("schema") {
                if schema.get("enum").is_some() {
                    self.problem(&ploc, format!("parameter {name} has an inline enum; make it a component schema so that it is generated as an open enum"));
                }
            } else if p.get("content").is_some() {
                self.problem(
                    &ploc,
                    format!("parameter {name} uses content; only schema is supported"),
                );
            }
        }
        for name in template.difference(&declared_path) {
            self.problem(
                loc,
                format!("path parameter {{{name}}} is used in the path but not declared"),
            );
        }
        for name in declared_path.difference(template) {
            self.problem(
                loc,
                format!("path parameter {name} is declared but not used in the path"),
            );
        }

        // Request body: exactly one media type that progenitor can send.
        let handwritten = op.get("x-handwritten") == Some(&Value::Bool(true));
        if let Some(body) = op.get("requestBody") {
            let body = self.deref(body);
            let types: Vec<&String> = body
                .get("content")
                .and_then(Value::as_object)
                .map(|m| m.keys().collect())
                .unwrap_or_default();
            if types.len() != 1 {
                self.problem(
                    loc,
                    format!(
                    "request body offers {} media types ({}); the generator supports exactly one",
                    types.len(),
                    types.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ),
                );
            }
            for t in types {
                if !REQUEST_MEDIA_TYPES.contains(&t.as_str()) && !handwritten {
                    self.problem(loc, format!(
                        "request body media type {t} cannot be generated; mark the operation x-handwritten: true and write it in the client layer"
                    ));
                }
            }
        }

        // Responses: no default; one success body; one error body; JSON has a schema.
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            self.problem(loc, "missing responses");
            return;
        };
        let mut success: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut errors: BTreeMap<String, Option<String>> = BTreeMap::new();
        for (code, resp) in responses {
            let rloc = format!("{loc}.responses.{code}");
            if code == "default" {
                self.problem(
                    &rloc,
                    "default responses make the generator panic; list the error statuses",
                );
                continue;
            }
            let resp = self.deref(resp);
            let content = resp.get("content").and_then(Value::as_object);
            let body = match content {
                None => None,
                Some(c) if c.is_empty() => None,
                Some(c) => {
                    if c.len() > 1 && code.starts_with('2') {
                        self.problem(
                            &rloc,
                            format!(
                                "{} media types for one status; the generator uses only one",
                                c.len()
                            ),
                        );
                    }
                    let (media, mt) = c.iter().next().expect("non-empty map has a first entry");
                    match mt.get("schema") {
                        None => {
                            self.problem(&rloc, format!("{media} response has no schema"));
                            None
                        }
                        Some(s) => Some(format!("{media} {}", s)),
                    }
                }
            };
            if code.starts_with('2') {
                success.insert(code.clone(), body);
            } else if code.starts_with('4') || code.starts_with('5') {
                errors.insert(code.clone(), body);
            }
        }
        if success.is_empty() && !handwritten {
            self.problem(loc, "no 2xx response is declared");
        }
        let distinct: BTreeSet<&Option<String>> = success.values().collect();
        if distinct.len() > 1 {
            self.problem(loc, format!(
                "success responses {} have different bodies; the generator needs one body (or none) for all of them",
                success.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        let distinct: BTreeSet<&Option<String>> = errors.values().collect();
        if distinct.len() > 1 {
            self.problem(
                loc,
                format!(
                    "error responses {} have different bodies; they must share one error schema",
                    errors.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }

    fn check_components(&mut self) {
        let Some(schemas) = self
            .spec
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        else {
            return;
        };
        let mut pascal: BTreeMap<String, String> = BTreeMap::new();
        for (name, schema) in schemas {
            let loc = format!("components.schemas.{name}");
            let p = name.to_upper_camel_case();
            if let Some(other) = pascal.insert(p.clone(), name.clone()) {
                self.problem(
                    &loc,
                    format!("schema name collides with {other} (both become {p})"),
                );
            }
            self.check_schema(&loc, schema, true);
        }
    }

    fn check_schema(&mut self, loc: &str, schema: &'a Value, top: bool) {
        let Some(map) = schema.as_object() else {
            self.problem(loc, "schema is not a mapping");
            return;
        };
        if map.contains_key("$ref") {
            return;
        }
        for (kw, why) in FORBIDDEN_KEYWORDS {
            if map.contains_key(kw) {
                self.problem(loc, format!("keyword {kw} {why}"));
            }
        }
        if map.get("additionalProperties") == Some(&Value::Bool(false)) {
            self.problem(
                loc,
                "additionalProperties: false rejects fields a newer server adds",
            );
        }
        if map.contains_key("enum") && !top {
            self.problem(
                loc,
                "inline enum; make it a component schema so that it is generated as an open enum",
            );
        }
        if map.contains_key("enum") && map.get("type").and_then(Value::as_str) != Some("string") {
            self.problem(loc, "only string enums are supported");
        }
        if let Some(props) = map.get("properties").and_then(Value::as_object) {
            if !top {
                self.problem(
                    loc,
                    "inline object with properties; make it a component schema",
                );
            }
            let mut snake: BTreeMap<String, String> = BTreeMap::new();
            for (pname, pschema) in props {
                let ploc = format!("{loc}.properties.{pname}");
                let s = pname.to_snake_case();
                if s == "extra" {
                    self.problem(&ploc, "property name clashes with the generated `extra` map of unknown properties");
                }
                if let Some(other) = snake.insert(s.clone(), pname.clone()) {
                    self.problem(
                        &ploc,
                        format!("property collides with {other} (both become the field {s})"),
                    );
                }
                self.check_schema(&ploc, pschema, false);
            }
        }
        for key in ["oneOf", "allOf"] {
            if let Some(items) = map.get(key).and_then(Value::as_array) {
                let simple_wrapper =
                    key == "allOf" && items.len() == 1 && items[0].get("$ref").is_some();
                // What clusters send besides the documented type (codegen drops it).
                let lenient = |s: &Value| s.get("x-lenient").is_some();
                let documented_and_lenient = key == "oneOf"
                    && items.iter().filter(|s| !lenient(s)).count() == 1
                    && items.iter().any(lenient);
                if !top && !simple_wrapper && !documented_and_lenient {
                    self.problem(loc, format!("inline {key}; make it a component schema"));
                }
                for (i, s) in items.iter().enumerate() {
                    let at = format!("{loc}.{key}[{i}]");
                    match s.get("x-lenient") {
                        None => self.check_schema(&at, s, top),
                        Some(class) => {
                            let known = class
                                .as_str()
                                .is_some_and(|c| crate::prepare::LENIENT_CLASSES.contains(&c));
                            if !known {
                                self.problem(
                                    join(&at, "x-lenient"),
                                    format!(
                                        "x-lenient must be one of {}, found {class}",
                                        crate::prepare::LENIENT_CLASSES.join(", ")
                                    ),
                                );
                            }
                            if key != "oneOf" {
                                self.problem(&at, "x-lenient marks a oneOf alternative only");
                            }
                        }
                    }
                }
            }
        }
        if let Some(items) = map.get("items") {
            self.check_schema(&format!("{loc}.items"), items, false);
        }
        if let Some(ap) = map.get("additionalProperties") {
            if ap.is_object() {
                self.check_schema(&format!("{loc}.additionalProperties"), ap, false);
            }
        }
    }
}

/// `{uid}` names in a path template.
/// `major.minor`, both numbers.
/// The values of `x-safety`.
const SAFETY: [&str; 3] = ["read", "write", "destructive"];

fn is_release(s: &str) -> bool {
    let mut parts = s.split('.');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit())
    )
}

fn template_params(path: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.insert(rest[start + 1..start + end].to_string());
        rest = &rest[start + end + 1..];
    }
    out
}

/// `paths` + `/v1/bdbs` → `paths./v1/bdbs`: the location style of every problem.
fn join(location: &str, key: &str) -> String {
    if location.is_empty() {
        key.to_string()
    } else {
        format!("{location}.{key}")
    }
}
