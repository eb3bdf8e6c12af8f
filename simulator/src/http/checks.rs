//! What the spec says about every request, checked before any handler runs, and the status a
//! refusal takes on each operation.

use serde_json::Value;

use crate::api::{ApiError, Req};

/// A 400 for a body or parameter the spec refuses (malformed JSON included), on an operation
/// that documents no 400 but documents 406 ("invalid configuration", as `bdb_create` does),
/// becomes that 406: same error code, the status the reference gives.
pub(super) fn fit_status(req: &Req, mut e: ApiError) -> ApiError {
    if e.status == 400 {
        if let Some(op) = crate::schema::operation(req.op.id, req.op.method, req.op.path) {
            let statuses = crate::schema::statuses(op);
            if !statuses.contains(&400) && statuses.contains(&406) {
                e.status = 406;
            }
        }
    }
    e
}

/// What the spec says about every request of an operation, checked before any handler runs:
/// path, query and header parameters of the declared type, within their bounds
/// (`minimum`/`maximum` and the range of `format: int32`/`int64`) and enum, query parameters
/// present when required and given once, no query parameter the operation does not declare,
/// and a body when the operation requires one, fitting its schema. A path parameter that is
/// not a valid id is a 404 where the operation documents one (no such object); other refusals
/// are the first of 400, 406 the operation documents.
pub(super) fn check_request(
    req: &Req,
    duplicates: &[String],
    headers: &hyper::HeaderMap,
) -> Result<(), ApiError> {
    let Some(op) = crate::schema::operation(req.op.id, req.op.method, req.op.path) else {
        return Ok(());
    };
    let params = op.get("parameters").and_then(Value::as_array);
    let declared = |name: &str| {
        params
            .into_iter()
            .flatten()
            .map(crate::schema::resolve)
            .any(|p| {
                p.get("in").and_then(Value::as_str) == Some("query")
                    && p.get("name").and_then(Value::as_str) == Some(name)
            })
    };
    if let Some(unknown) = req.query.keys().find(|k| !declared(k)) {
        if let Some(refusal) = req.input_refusal_status() {
            return Err(ApiError::new(
                refusal,
                "unknown_parameter",
                format!("{} takes no query parameter {unknown:?}", req.op.id),
            ));
        }
    }
    // An operation that documents no refusal of its input (400 or 406) accepts whatever
    // parameters it is sent.
    if let Some(refusal) = req.input_refusal_status() {
        for p in params.into_iter().flatten().map(crate::schema::resolve) {
            let param = Param {
                name: p.get("name").and_then(Value::as_str).unwrap_or_default(),
                schema: p.get("schema").map(crate::schema::resolve),
                required: p.get("required").and_then(Value::as_bool) == Some(true),
                refusal,
            };
            match p.get("in").and_then(Value::as_str) {
                Some("path") => check_path(req, &param)?,
                Some("header") => check_header(headers, &param)?,
                Some("query") => check_query(req, &param, duplicates)?,
                _ => {}
            }
        }
    }
    check_body(req, op)
}

/// Whether a parameter's text is a valid value of its schema: its type, bounds and enum. An
/// integer without a format has no bound (any run of digits).
fn param_fits(raw: &str, schema: Option<&'static Value>) -> bool {
    let Some(schema) = schema else {
        return true;
    };
    let value = match schema.get("type").and_then(Value::as_str) {
        Some("boolean") => return matches!(raw, "true" | "false" | "1" | "0"),
        Some("integer") => match raw.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => {
                let digits = raw.strip_prefix('-').unwrap_or(raw);
                let unbounded = schema.get("format").is_none()
                    && schema.get("minimum").is_none()
                    && schema.get("maximum").is_none();
                return unbounded
                    && !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit());
            }
        },
        Some("number") => match raw.parse::<f64>() {
            Ok(n) if n.is_finite() => Value::from(n),
            _ => return false,
        },
        Some("array") => return true,
        _ => Value::String(raw.to_string()),
    };
    crate::schema::validate(&value, schema, "").is_ok()
}

/// A body when the operation requires one; a JSON body that is JSON and fits the operation's
/// schema.
fn check_body(req: &Req, op: &'static Value) -> Result<(), ApiError> {
    let body = op.get("requestBody").map(crate::schema::resolve);
    let required = body
        .and_then(|b| b.get("required"))
        .and_then(Value::as_bool)
        == Some(true);
    if required && req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            400,
            "missing_body",
            "this request needs a body",
        ));
    }
    // A JSON body must be JSON and fit the operation's schema (types, enums, bounds, required
    // members), whichever handler serves it: handlers decode into the generated types, which
    // see types but not bounds or patterns, and one whose body is optional would otherwise
    // ignore bytes that are not JSON at all.
    if let Some(schema) = crate::schema::request_schema(op) {
        if !req.body.iter().all(u8::is_ascii_whitespace) {
            let value = req.json_value()?;
            crate::schema::validate(&value, checked_schema(schema), "$")
                .map_err(|e| ApiError::new(400, "invalid_schema", e))?;
        }
    }
    Ok(())
}

/// The schema a body is checked against: the operation's, without the `required` lists of its
/// refinements (`allOf: [{$ref}, {required: [...]}, ...]`: the members a create needs), which
/// the handler refuses with the operation's own codes (406 `missing_db_name`, as the reference
/// lists them) instead of a schema error.
fn checked_schema(schema: &'static Value) -> &'static Value {
    fn strip_required(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("required");
                map.values_mut().for_each(strip_required);
            }
            Value::Array(items) => items.iter_mut().for_each(strip_required),
            _ => {}
        }
    }
    let refined = schema
        .get("allOf")
        .and_then(Value::as_array)
        .is_some_and(|parts| parts.len() > 1);
    if !refined {
        return schema;
    }
    // One stripped copy per refined schema of the embedded spec (a few), kept for the process:
    // the validator resolves references against the spec and takes schemas for 'static.
    static STRIPPED: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<usize, &'static Value>>,
    > = std::sync::OnceLock::new();
    let mut cache = STRIPPED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    cache
        .entry(schema as *const Value as usize)
        .or_insert_with(|| {
            let mut owned = schema.clone();
            if let Some(Value::Array(parts)) = owned.get_mut("allOf") {
                parts.iter_mut().skip(1).for_each(strip_required);
            }
            Box::leak(Box::new(owned))
        })
}

/// A declared parameter, as the checks read it.
struct Param {
    name: &'static str,
    schema: Option<&'static Value>,
    required: bool,
    /// How the operation refuses input it cannot use (400 or 406).
    refusal: u16,
}

impl Param {
    /// The schema's type, for messages.
    fn kind(&self) -> &'static str {
        self.schema
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("value")
    }
}

/// A path parameter of its schema; one that is not names no object (404 where documented).
fn check_path(req: &Req, p: &Param) -> Result<(), ApiError> {
    let raw = req.param(p.name);
    if param_fits(raw, p.schema) {
        return Ok(());
    }
    let status = if req.documents(404) { 404 } else { p.refusal };
    let code = if p.name.ends_with("uid") {
        "invalid_uid"
    } else {
        "invalid_parameter"
    };
    Err(ApiError::new(
        status,
        code,
        format!(
            "path parameter {}={raw:?} is not a valid {}",
            p.name,
            p.kind()
        ),
    ))
}

/// A declared header, when sent, holds a value of its schema.
fn check_header(headers: &hyper::HeaderMap, p: &Param) -> Result<(), ApiError> {
    let Some(value) = headers.get(p.name) else {
        return Ok(());
    };
    if value.to_str().is_ok_and(|raw| param_fits(raw, p.schema)) {
        return Ok(());
    }
    Err(ApiError::new(
        p.refusal,
        "invalid_header",
        format!("header {} is not a valid {}", p.name, p.kind()),
    ))
}

/// A query parameter: present when required, given once (unless a list), of its schema.
fn check_query(req: &Req, p: &Param, duplicates: &[String]) -> Result<(), ApiError> {
    let Some(raw) = req.query.get(p.name) else {
        if p.required {
            return Err(ApiError::new(
                p.refusal,
                "missing_parameter",
                format!("query parameter {} is required", p.name),
            ));
        }
        return Ok(());
    };
    if p.kind() != "array" && duplicates.iter().any(|d| d == p.name) {
        return Err(ApiError::new(
            p.refusal,
            "invalid_parameter",
            format!("query parameter {} is given more than once", p.name),
        ));
    }
    if !param_fits(raw, p.schema) {
        return Err(ApiError::new(
            p.refusal,
            "invalid_parameter",
            format!(
                "query parameter {}={raw:?} is not a valid {}",
                p.name,
                p.kind()
            ),
        ));
    }
    Ok(())
}
