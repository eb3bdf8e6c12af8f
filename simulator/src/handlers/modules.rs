//! `/v1/modules`, `/v2/modules`, `/v2/modules/user-defined` and
//! `/v2/local/modules/user-defined/artifacts` over [`crate::model::modules`]: the uploads take
//! the package from the `module` part of a `multipart/form-data` body.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::{ApiError, Handler, Reply, Req};
use crate::model::modules::{self, Upload};
use crate::Shared;

/// A part of a `multipart/form-data` body: its file name, if any, and its content.
struct Part<'a> {
    file_name: Option<String>,
    content: &'a [u8],
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The value of `key="..."` (or unquoted) in a header line.
fn header_param(line: &str, key: &str) -> Option<String> {
    line.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Part `name` of the request's `multipart/form-data` body: 400 `no_module` when the body is
/// not multipart or has no such part, as a cluster refuses an upload without its module.
fn part<'a>(req: &'a Req, name: &str) -> Result<Part<'a>, ApiError> {
    let no_module = |why: &str| ApiError::new(400, "no_module", why.to_string());
    let ct = req.content_type.as_deref().unwrap_or_default();
    let is_multipart = ct
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"));
    let boundary = header_param(ct, "boundary")
        .filter(|b| is_multipart && !b.is_empty())
        .ok_or_else(|| no_module("the body must be multipart/form-data with a boundary"))?;
    let delimiter = format!("--{boundary}");
    let body: &[u8] = &req.body;
    let mut rest = match find(body, delimiter.as_bytes()) {
        Some(at) => &body[at + delimiter.len()..],
        None => return Err(no_module("the multipart body has no part")),
    };
    let closing = format!("\r\n{delimiter}");
    while !rest.starts_with(b"--") {
        let rest_after_crlf = rest.strip_prefix(b"\r\n").unwrap_or(rest);
        let Some(head_end) = find(rest_after_crlf, b"\r\n\r\n") else {
            break;
        };
        let head = String::from_utf8_lossy(&rest_after_crlf[..head_end]);
        let after_head = &rest_after_crlf[head_end + 4..];
        let Some(end) = find(after_head, closing.as_bytes()) else {
            break;
        };
        let content = &after_head[..end];
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"));
        if let Some(line) = disposition {
            let line = &line["content-disposition:".len()..];
            if header_param(line, "name").as_deref() == Some(name) {
                return Ok(Part {
                    file_name: header_param(line, "filename"),
                    content,
                });
            }
        }
        rest = &after_head[end + closing.len()..];
    }
    Err(no_module(&format!(
        "the multipart body has no {name:?} part"
    )))
}

fn list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(Value::Array(modules::list(shared))))
}

fn get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(modules::get(shared, req.param("uid"))?))
}

fn create(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let package = part(req, "module")?;
    let upload = if req.op.id == "module_create_v2" {
        Upload::V2
    } else {
        Upload::V1
    };
    let module = modules::install(
        shared,
        package.content,
        package.file_name.as_deref(),
        upload,
    )?;
    Ok(match upload {
        // The v1 reply documents no body.
        Upload::V1 => Reply::empty(200),
        Upload::V2 => Reply::ok(module),
    })
}

fn delete(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let upload = match req.op.id {
        "module_delete" => Some(Upload::V1),
        "module_delete_v2" => Some(Upload::V2),
        _ => None,
    };
    let action = modules::delete(shared, req.param("uid"), upload).map_err(|e| req.missing(e))?;
    Ok(match action {
        Some(action) => Reply::ok(json!({ "action_uid": action })),
        None => Reply::empty(200),
    })
}

/// A custom module definition: the body must fit its schema (406, the status the operation
/// documents for a definition it cannot use).
fn define(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let refuse = |mut e: ApiError| {
        e.status = 406;
        e
    };
    let body = req.json_value()?;
    crate::api::validate_named(&body, "ModuleUserDefinedCreateRequest").map_err(refuse)?;
    let Value::Object(definition) = body else {
        return Err(ApiError::new(
            406,
            "invalid_schema",
            "the module definition must be a JSON object",
        ));
    };
    Ok(Reply::ok(modules::define(shared, definition)?))
}

fn artifacts(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(Value::Array(modules::artifacts(shared))))
}

fn upload_artifact(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let package = part(req, "module")?;
    modules::upload_artifact(shared, package.content)?;
    Ok(Reply::empty(200))
}

fn delete_artifact(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let version = req.int_param("version")?;
    modules::delete_artifact(shared, req.param("module_name"), version)?;
    Ok(Reply::empty(200))
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("module_list", Handler::Sync(list)),
        ("module_get", Handler::Sync(get)),
        ("module_create", Handler::Sync(create)),
        ("module_create_v2", Handler::Sync(create)),
        ("module_delete", Handler::Sync(delete)),
        ("module_delete_v2", Handler::Sync(delete)),
        ("module_user_defined_create", Handler::Sync(define)),
        ("module_user_defined_delete", Handler::Sync(delete)),
        (
            "module_user_defined_artifact_list",
            Handler::Sync(artifacts),
        ),
        (
            "module_user_defined_artifact_upload",
            Handler::Sync(upload_artifact),
        ),
        (
            "module_user_defined_artifact_delete",
            Handler::Sync(delete_artifact),
        ),
    ]
}
