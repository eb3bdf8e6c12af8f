//! `/v1/users` (CRUD, `authorize`, `refresh_jwt`, `role`, `password`) over
//! [`crate::model::users`].

use std::sync::Arc;

use redis_enterprise_api::types;
use serde_json::Value;

use crate::api::{decode, validate_named, ApiError, Handler, Reply, Req};
use crate::model::users::{self, PasswordChange, UserChanges};
use crate::Shared;

/// `POST /v1/users/authorize`.
fn authorize(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    validate_named(&body, "JwtAuthorize")?;
    let auth: types::JwtAuthorize = decode(body.clone())?;
    let ttl = users::checked_ttl(body.get("ttl").and_then(Value::as_i64))?;
    let token = users::authorize(shared, &auth, ttl)?;
    Ok(Reply::ok(serde_json::json!({ "access_token": token })))
}

/// `POST /v1/users/refresh_jwt` (the caller authenticated with a valid token or credentials).
/// The operation documents no 400, so a `ttl` out of range is clamped to 1-86400.
fn refresh(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value().unwrap_or(Value::Null);
    let ttl = body
        .get("ttl")
        .and_then(Value::as_i64)
        .unwrap_or(300)
        .clamp(1, 86_400);
    let token = users::refresh(shared, &req.caller, ttl)?;
    Ok(Reply::ok(serde_json::json!({ "access_token": token })))
}

/// `GET /v1/users`.
fn list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::of(&users::list(shared)))
}

/// `GET /v1/users/{uid}`.
fn get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    users::get(shared, uid)
        .map(|u| Reply::of(&u))
        .map_err(|e| req.missing(e))
}

/// `POST /v1/users`.
fn create(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    validate_named(&body, "UserCreate")?;
    let new: types::UserCreate = decode(body)?;
    let user = users::create(shared, new, req.query_flag("dry_run"))?;
    Ok(Reply::of(&user))
}

/// `PUT /v1/users/{uid}`.
fn update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = req.json_value()?;
    validate_named(&body, "User")?;
    let parsed: types::User = decode(body.clone())?;
    let changes = UserChanges { body, parsed };
    users::update(shared, uid, changes, req.query_flag("dry_run"))
        .map(|u| Reply::of(&u))
        .map_err(|e| req.missing(e))
}

/// `DELETE /v1/users/{uid}`.
fn delete(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    users::delete(shared, uid).map_err(|e| req.missing(e))?;
    Ok(Reply::empty(200))
}

/// `GET /v1/users/role`: the caller's management role.
fn role_of_caller(_shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(
        serde_json::json!({ "role": req.caller.management }),
    ))
}

/// `PUT`, `POST` and `DELETE /v1/users/password`: replace, add or remove a password of the
/// caller (or, for an admin, of `username`).
fn passwords(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    let schema_name = match req.op.method {
        "PUT" => "UserPasswordUpdateRequest",
        "POST" => "UserPasswordAddRequest",
        _ => "UserPasswordDeleteRequest",
    };
    validate_named(&body, schema_name)?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let change = match req.op.method {
        "PUT" => PasswordChange::Replace {
            new: text("new_password").unwrap_or_default(),
        },
        "POST" => PasswordChange::Add {
            new: text("new_password").unwrap_or_default(),
        },
        _ => PasswordChange::Remove {
            old: text("old_password").unwrap_or_default(),
        },
    };
    users::change_passwords(shared, &req.caller, text("username"), change)?;
    Ok(Reply::empty(200))
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("user_list", Handler::Sync(list)),
        ("user_get", Handler::Sync(get)),
        ("user_create", Handler::Sync(create)),
        ("user_update", Handler::Sync(update)),
        ("user_delete", Handler::Sync(delete)),
        ("user_authorize", Handler::Sync(authorize)),
        ("user_refresh_jwt", Handler::Sync(refresh)),
        ("user_role_get", Handler::Sync(role_of_caller)),
        ("user_password_update", Handler::Sync(passwords)),
        ("user_password_add", Handler::Sync(passwords)),
        ("user_password_delete", Handler::Sync(passwords)),
    ]
}
