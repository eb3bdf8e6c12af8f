//! `/v1/bdbs`, `/v2/bdbs`, `/v1/shards` and the databases' stats, alerts and availability over
//! [`crate::model::bdbs`]; the data operations are [`super::bdb_data`].

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{bdb_data, fallback};
use crate::api::{async_handler, decode, validate_named, ApiError, Handler, Reply, ReplyBody, Req};
use crate::model::bdbs::{self, BdbChanges, NewBdb};
use crate::Shared;

/// `GET /v1/bdbs`: without `fields` or `extended`, the cached serialised list.
fn list(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let fields = req.query.get("fields");
    if fields.is_none() && !req.query_flag("extended") {
        return Ok(Reply {
            status: 200,
            body: ReplyBody::Raw("application/json", bdbs::list_json(shared)),
            headers: Vec::new(),
        });
    }
    Ok(Reply::ok(Value::Array(bdbs::list(shared, fields))))
}

/// `GET /v1/bdbs/{uid}`.
fn get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    Ok(Reply::ok(bdbs::get(shared, uid, req.query.get("fields"))?))
}

/// `POST /v1/bdbs` and `POST /v2/bdbs` (the database under `bdb`).
async fn create(shared: &Arc<Shared>, req: &Req, v2: bool) -> Result<Reply, ApiError> {
    let mut body = req.json_value()?;
    if v2 {
        body = match body.get_mut("bdb").map(Value::take) {
            Some(bdb) => bdb,
            None => {
                return Err(ApiError::new(
                    400,
                    "missing_field",
                    "the body needs a bdb member",
                ))
            }
        };
    }
    validate_named(&body, "Bdb")?;
    let bdb = decode(body.clone())?;
    let new = NewBdb {
        body,
        bdb,
        expected_state: req.expected_state()?,
    };
    let bdb = bdbs::create(shared, new, req.query_flag("dry_run")).await?;
    Ok(Reply::of(&bdb))
}

async fn create_v1(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    create(shared, req, false).await
}

async fn create_v2(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    create(shared, req, true).await
}

/// `PUT /v1/bdbs/{uid}` and `PUT /v1/bdbs/{uid}/{action}` (`flush`, `reset_admin_pass`).
async fn update(
    shared: &Arc<Shared>,
    req: &Req,
    with_action: Option<String>,
) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    if let Some(action) = &with_action {
        if action != "flush" && action != "reset_admin_pass" {
            return Err(ApiError::new(
                404,
                "unsupported_action",
                format!("{action:?} is not an action: use flush or reset_admin_pass"),
            ));
        }
    }
    let body = req.json_value()?;
    let Value::Object(changes) = &body else {
        return Err(ApiError::new(
            400,
            "invalid_schema",
            "the body must be a JSON object",
        ));
    };
    validate_named(&body, "Bdb")?;
    let parsed = decode(body.clone())?;
    let changes = BdbChanges {
        changes: changes.clone(),
        parsed,
        re_place: false,
        expected_state: req.expected_state()?,
    };
    let flush = with_action.as_deref() == Some("flush");
    let bdb = bdbs::update(shared, uid, changes, flush, req.query_flag("dry_run")).await?;
    Ok(Reply::of(&bdb))
}

async fn update_plain(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    update(shared, req, None).await
}

async fn update_with_action(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let action = req.param("action").to_string();
    update(shared, req, Some(action)).await
}

/// `DELETE /v1/bdbs/{uid}`: the process stops at once (its port closes before the reply), the
/// database is `delete-pending` until its action completes, then it is gone.
async fn delete(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    bdbs::delete(shared, uid).await?;
    Ok(Reply::empty(200))
}

/// `GET /v1/bdbs/stats/last`.
async fn stats_last_list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    let mut out = Map::new();
    for (uid, interval) in bdbs::stats_all(shared).await {
        out.insert(uid.to_string(), interval);
    }
    Ok(Reply::ok(Value::Object(out)))
}

/// `GET /v1/bdbs/stats/last/{uid}`.
async fn stats_last_get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let mut out = Map::new();
    out.insert(uid.to_string(), bdbs::stats(shared, uid).await?);
    Ok(Reply::ok(Value::Object(out)))
}

/// `GET /v1/bdbs/stats`.
async fn stats_list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    let out: Vec<Value> = bdbs::stats_all(shared)
        .await
        .into_iter()
        .map(|(uid, interval)| {
            serde_json::json!({ "uid": uid.to_string(), "intervals": [interval] })
        })
        .collect();
    Ok(Reply::ok(Value::Array(out)))
}

/// `GET /v1/bdbs/stats/{uid}`.
async fn stats_get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let interval = bdbs::stats(shared, uid).await?;
    Ok(Reply::ok(
        serde_json::json!({ "uid": uid.to_string(), "intervals": [interval] }),
    ))
}

/// `GET /v1/bdbs/{bdb_uid}/shards`.
fn shards_of(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("bdb_uid")?;
    Ok(Reply::ok(Value::Array(bdbs::shards_of(shared, uid)?)))
}

/// `GET /v1/shards`.
fn shard_list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(Value::Array(bdbs::all_shards(shared))))
}

/// `GET /v1/shards/{uid}`.
fn shard_get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(bdbs::shard(shared, req.param("uid"))?))
}

/// `GET /v1/bdbs/alerts`.
async fn alerts_all(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(Value::Object(bdbs::all_alerts(shared).await)))
}

/// `GET /v1/bdbs/alerts/{uid}`.
async fn alerts_of(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    Ok(Reply::ok(bdbs::alerts_of(shared, uid).await?))
}

/// `POST /v1/bdbs/alerts/{uid}`: the alert settings of a database.
async fn alerts_update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let Value::Object(changes) = req.json_value()? else {
        return Err(ApiError::new(
            406,
            "invalid_schema",
            "the body maps alert names to alert settings",
        ));
    };
    let reply = bdbs::update_alert_settings(shared, uid, changes, req.query_flag("dry_run"));
    Ok(Reply::ok(reply.await?))
}

/// `GET /v1/bdbs/alerts/{uid}/{alert}`.
async fn alert_get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    Ok(Reply::ok(
        bdbs::alert(shared, uid, req.param("alert")).await?,
    ))
}

/// `GET /v1/bdbs/{uid}/availability`, `GET /v1/local/bdbs/{uid}/endpoint/availability` and
/// `GET /v4/db/{uid}/health`: 404 for an unknown database, 503 (`bdb_unavailable`) unless it is
/// `active` and its redis-server answers PING, otherwise the documented 200.
async fn availability(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    bdbs::check_available(shared, uid).await?;
    fallback::answer(req)
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("bdb_list", Handler::Sync(list)),
        ("bdb_get", Handler::Sync(get)),
        ("bdb_create", async_handler!(create_v1)),
        ("bdb_create_v2", async_handler!(create_v2)),
        ("bdb_update", async_handler!(update_plain)),
        ("bdb_update_with_action", async_handler!(update_with_action)),
        ("bdb_delete", async_handler!(delete)),
        ("bdb_stats_last_list", async_handler!(stats_last_list)),
        ("bdb_stats_last_get", async_handler!(stats_last_get)),
        ("bdb_stats_list", async_handler!(stats_list)),
        ("bdb_stats_get", async_handler!(stats_get)),
        ("bdb_shards_list", Handler::Sync(shards_of)),
        ("bdb_availability_get", async_handler!(availability)),
        (
            "bdb_endpoint_availability_get_local",
            async_handler!(availability),
        ),
        ("bdb_health_get", async_handler!(availability)),
        ("shard_list", Handler::Sync(shard_list)),
        ("shard_get", Handler::Sync(shard_get)),
        ("bdb_alerts_list_all", async_handler!(alerts_all)),
        ("bdb_alerts_list", async_handler!(alerts_of)),
        ("bdb_alert_get", async_handler!(alert_get)),
        ("bdb_alerts_update", async_handler!(alerts_update)),
        ("bdb_password_update", async_handler!(bdb_data::passwords)),
        ("bdb_password_add", async_handler!(bdb_data::passwords)),
        ("bdb_password_delete", async_handler!(bdb_data::passwords)),
        ("bdb_action_export", async_handler!(bdb_data::export)),
        ("bdb_action_import", async_handler!(bdb_data::import)),
        (
            "bdb_action_backup_reset_status",
            Handler::Sync(bdb_data::reset_status),
        ),
        (
            "bdb_action_export_reset_status",
            Handler::Sync(bdb_data::reset_status),
        ),
        (
            "bdb_action_import_reset_status",
            Handler::Sync(bdb_data::reset_status),
        ),
        ("bdb_action_recover", async_handler!(bdb_data::recover)),
        ("bdb_upgrade", async_handler!(bdb_data::upgrade)),
        ("bdb_action_stop_traffic", Handler::Sync(bdb_data::traffic)),
        (
            "bdb_action_resume_traffic",
            Handler::Sync(bdb_data::traffic),
        ),
        (
            "bdb_modules_config",
            Handler::Sync(bdb_data::modules_config),
        ),
        (
            "module_config_bdb_update",
            Handler::Sync(bdb_data::modules_config),
        ),
        (
            "bdb_modules_upgrade",
            Handler::Sync(bdb_data::modules_upgrade),
        ),
        (
            "module_upgrade_bdb",
            Handler::Sync(bdb_data::modules_upgrade),
        ),
    ]
}
