//! `/v1/bootstrap`, `/v1/cluster`, `/v1/license` and `/v1/nodes` over
//! [`crate::model::cluster`].

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::api::{async_handler, validate_named, ApiError, Handler, Reply, Req};
use crate::model::cluster::{self, Bootstrap, BootstrapAction};
use crate::model::{health, node_status};
use crate::Shared;

/// The body as a JSON object (400 `invalid_schema` otherwise).
fn object(body: Value) -> Result<Map<String, Value>, ApiError> {
    match body {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::new(
            400,
            "invalid_schema",
            "the body must be a JSON object",
        )),
    }
}

/// `GET /v1/bootstrap`.
fn bootstrap_get(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(cluster::bootstrap_status(shared)))
}

/// `POST /v1/bootstrap/{action}`: a body that does not fit `Bootstrap` is a 409
/// `config_error`, as on a cluster.
fn bootstrap_start(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let action = req.param("action").to_string();
    let action = match action.as_str() {
        "create_cluster" => BootstrapAction::Create,
        "join_cluster" => BootstrapAction::Join,
        "recover_cluster" => BootstrapAction::Recover,
        _ => {
            return Err(ApiError::new(
                409,
                "invalid_action",
                format!("{action:?} is not create_cluster, join_cluster or recover_cluster"),
            ))
        }
    };
    let body = req.json_value()?;
    crate::schema::validate_named(&body, "Bootstrap")
        .map_err(|e| ApiError::new(409, "config_error", e))?;
    let text = |p: &str| body.pointer(p).and_then(Value::as_str).map(str::to_string);
    let bootstrap = Bootstrap {
        cluster_name: text("/cluster/name"),
        credentials: text("/credentials/username").zip(text("/credentials/password")),
    };
    cluster::start_bootstrap(shared, action, bootstrap)?;
    Ok(Reply::empty(200))
}

/// `GET /v1/cluster`.
fn get(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(cluster::get(shared)))
}

/// `PUT /v1/cluster`: the members sent replace the stored ones.
fn update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    validate_named(&body, "Cluster")?;
    let changes = object(body)?;
    Ok(Reply::ok(cluster::update(shared, changes)))
}

/// `GET /v1/license`.
fn license_get(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(cluster::license(shared)))
}

/// `PUT /v1/license`: installs the license text (`{"license": "..."}`).
fn license_update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    let Some(text) = body.get("license").and_then(Value::as_str) else {
        return Err(ApiError::new(400, "missing_field", "license is required"));
    };
    Ok(Reply::ok(cluster::install_license(
        shared,
        text.to_string(),
    )))
}

/// `GET /v1/nodes`.
fn node_list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(Value::Array(cluster::nodes(shared))))
}

/// `GET /v1/nodes/{uid}`.
fn node_get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    cluster::node(shared, uid)
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

/// `GET /v1/nodes/status`.
fn node_status_list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(node_status::list(shared)))
}

/// `GET /v1/nodes/{uid}/status`.
fn node_status_get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    node_status::get(shared, uid)
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

/// `GET /v1/nodes/check/{uid}`.
fn node_check(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    node_status::check_node(shared, uid)
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

/// `GET /v1/cluster/check`.
fn cluster_check(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(node_status::check_cluster(shared)))
}

/// `PUT /v1/nodes/{uid}`: changes the writable fields; any other field is refused (406).
fn node_update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = req.json_value()?;
    validate_named(&body, "Node")?;
    let changes = object(body)?;
    cluster::update_node(shared, uid, changes).map_err(|e| req.missing(e))?;
    Ok(Reply::empty(200))
}

/// `GET /v1/cluster/alerts`.
async fn alerts(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(Value::Object(cluster::alerts(shared).await)))
}

/// `GET /v4/cluster/health` (`issues_only`).
async fn health(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let cluster_alerts = cluster::alerts(shared).await;
    let node_alerts = cluster::all_node_alerts(shared);
    Ok(Reply::ok(health::report(
        shared,
        req.query_flag("issues_only"),
        &cluster_alerts,
        &node_alerts,
    )))
}

/// `GET /v1/nodes/alerts`.
fn node_alerts_all(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(Value::Object(cluster::all_node_alerts(shared))))
}

/// `GET /v1/nodes/alerts/{uid}`.
fn node_alerts_of(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    cluster::alerts_of_node(shared, uid)
        .map(|a| Reply::ok(Value::Object(a)))
        .map_err(|e| req.missing(e))
}

/// `GET /v1/nodes/alerts/{uid}/{alert}`: the alert, or a disabled one when it is not raised.
fn node_alert_get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let name = req.param("alert").to_string();
    cluster::node_alert(shared, uid, &name)
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("bootstrap_get", Handler::Sync(bootstrap_get)),
        ("bootstrap_start", Handler::Sync(bootstrap_start)),
        ("cluster_get", Handler::Sync(get)),
        ("cluster_update", Handler::Sync(update)),
        ("license_get", Handler::Sync(license_get)),
        ("license_update", Handler::Sync(license_update)),
        ("node_list", Handler::Sync(node_list)),
        ("node_get", Handler::Sync(node_get)),
        ("node_update", Handler::Sync(node_update)),
        ("node_status_list", Handler::Sync(node_status_list)),
        ("node_status_get", Handler::Sync(node_status_get)),
        ("node_check_get", Handler::Sync(node_check)),
        ("cluster_check_get", Handler::Sync(cluster_check)),
        ("node_alerts_list_all", Handler::Sync(node_alerts_all)),
        ("node_alerts_list", Handler::Sync(node_alerts_of)),
        ("node_alert_get", Handler::Sync(node_alert_get)),
        ("cluster_alerts_list", async_handler!(alerts)),
        ("cluster_health_get", async_handler!(health)),
    ]
}
