//! `/v1/bdbs/certificates` and `/v1/bdbs/{uid}/certificates` over
//! [`crate::model::bdb_certs`].

use std::sync::Arc;

use serde_json::Value;

use crate::api::{validate_named, ApiError, Handler, Reply, Req};
use crate::model::bdb_certs::{self, ListFilter};
use crate::Shared;

/// An integer query parameter (400 when it is not one).
fn int_query(req: &Req, name: &str) -> Result<Option<i64>, ApiError> {
    match req.query.get(name) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ApiError::new(
                400,
                "invalid_parameter",
                format!("{name} must be an integer, not {v:?}"),
            )
        }),
    }
}

/// `GET /v1/bdbs/certificates`.
fn list(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let filter = ListFilter {
        page: int_query(req, "page")?,
        page_size: int_query(req, "page_size")?,
        // An empty value filters nothing, like an absent one.
        expires_before: req
            .query
            .get("expires_before")
            .filter(|t| !t.trim().is_empty())
            .cloned(),
        tls_mode: req.query.get("tls_mode").cloned(),
    };
    Ok(Reply::ok(Value::Array(bdb_certs::list(shared, &filter)?)))
}

/// `GET /v1/bdbs/{uid}/certificates`.
fn get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    Ok(Reply::ok(bdb_certs::get(shared, uid)?))
}

/// `POST /v1/bdbs/{uid}/certificates` (`dry_run`): the stored certificate, without the key.
fn set(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = req.json_value()?;
    validate_named(&body, "BdbCertificateSetRequest")?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
    let stored = bdb_certs::set(
        shared,
        uid,
        text("cert"),
        text("private_key"),
        req.query_flag("dry_run"),
    )?;
    Ok(Reply::ok(stored))
}

/// `DELETE /v1/bdbs/{uid}/certificates`.
fn delete(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    bdb_certs::delete(shared, uid)?;
    Ok(Reply::empty(200))
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("bdb_certificate_list", Handler::Sync(list)),
        ("bdb_certificate_get", Handler::Sync(get)),
        ("bdb_certificate_set", Handler::Sync(set)),
        ("bdb_certificate_delete", Handler::Sync(delete)),
    ]
}
