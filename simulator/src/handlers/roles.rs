//! `/v1/roles`, `/v1/redis_acls` and `/v1/ldap_mappings` over [`crate::model::roles`].

use std::sync::Arc;

use serde_json::Value;

use crate::api::{decode, validate_named, ApiError, Handler, Reply, Req};
use crate::model::roles::{self, Crud, CrudOutcome, Kind, ACL, LDAP};
use crate::Shared;

/// `GET /v1/roles`.
fn list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::of(&roles::list(shared)))
}

/// `GET /v1/roles/{uid}`.
fn get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    roles::get(shared, uid)
        .map(|r| Reply::of(&r))
        .map_err(|e| req.missing(e))
}

/// `POST /v1/roles`.
fn create(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    validate_named(&body, "Role")?;
    let role = decode(body)?;
    let role = roles::create(shared, role, req.query_flag("dry_run"))?;
    Ok(Reply::of(&role))
}

/// `PUT /v1/roles/{uid}`.
fn update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = req.json_value()?;
    validate_named(&body, "Role")?;
    roles::update(shared, uid, &body, req.query_flag("dry_run"))
        .map(|r| Reply::of(&r))
        .map_err(|e| req.missing(e))
}

/// `DELETE /v1/roles/{uid}`: refused (406 `role_in_use`) while a user or LDAP mapping has it.
fn delete(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    roles::delete(shared, uid).map_err(|e| req.missing(e))?;
    Ok(Reply::empty(200))
}

/// Redis ACL CRUD.
fn acl_crud(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    crud(shared, req, &ACL)
}

/// LDAP mapping CRUD.
fn ldap_crud(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    crud(shared, req, &LDAP)
}

/// The verb is the operation id's last word (`redis_acl_create`).
fn crud(shared: &Arc<Shared>, req: &Req, kind: &Kind) -> Result<Reply, ApiError> {
    let verb = req.op.id.rsplit('_').next().unwrap_or_default();
    let body = if matches!(verb, "create" | "update") {
        let body = req.json_value()?;
        validate_named(&body, kind.schema)?;
        Some(body)
    } else {
        None
    };
    let uid = if matches!(verb, "get" | "update" | "delete") {
        Some(req.int_param("uid")?)
    } else {
        None
    };
    let not_an_object = || ApiError::new(400, "invalid_schema", "the body must be a JSON object");
    let op = match (verb, uid, body) {
        ("list", _, _) => Crud::List,
        ("get", Some(uid), _) => Crud::Get(uid),
        ("create", _, Some(Value::Object(object))) => Crud::Create {
            object,
            dry_run: req.query_flag("dry_run"),
        },
        ("update", Some(uid), Some(Value::Object(obj))) => Crud::Update(uid, obj),
        ("delete", Some(uid), _) => Crud::Delete(uid),
        _ => return Err(not_an_object()),
    };
    match roles::crud(shared, kind, op).map_err(|e| req.missing(e))? {
        CrudOutcome::List(all) => Ok(Reply::ok(Value::Array(all))),
        CrudOutcome::One(value) => Ok(Reply::ok(value)),
        CrudOutcome::Deleted => Ok(Reply::empty(200)),
    }
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    let mut ops = vec![
        ("role_list", Handler::Sync(list)),
        ("role_get", Handler::Sync(get)),
        ("role_create", Handler::Sync(create)),
        ("role_update", Handler::Sync(update)),
        ("role_delete", Handler::Sync(delete)),
    ];
    for id in [
        "redis_acl_list",
        "redis_acl_get",
        "redis_acl_create",
        "redis_acl_update",
        "redis_acl_delete",
    ] {
        ops.push((id, Handler::Sync(acl_crud)));
    }
    for id in [
        "ldap_mapping_list",
        "ldap_mapping_get",
        "ldap_mapping_create",
        "ldap_mapping_update",
        "ldap_mapping_delete",
    ] {
        ops.push((id, Handler::Sync(ldap_crud)));
    }
    ops
}
