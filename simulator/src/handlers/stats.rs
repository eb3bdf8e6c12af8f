//! The statistics of shards, nodes and the cluster over [`crate::model::stats`] (a database's
//! own statistics are in [`super::bdbs`]).

use std::sync::Arc;

use serde_json::Value;

use crate::api::{async_handler, ApiError, Handler, Reply, Req};
use crate::model::stats::{self, Query};
use crate::Shared;

fn query(req: &Req) -> Query {
    Query::from_params(&req.query)
}

/// `GET /v1/shards/stats`, of one database's shards with `parent_uid`.
async fn shards(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let parent = match req.query.get("parent_uid") {
        None => None,
        Some(raw) => Some(raw.parse::<i64>().map_err(|_| {
            ApiError::new(
                400,
                "invalid_schema",
                format!("parent_uid must be an integer, got {raw:?}"),
            )
        })?),
    };
    let series = stats::shards(shared, parent, &query(req))
        .await
        .map_err(|e| req.missing(e))?;
    Ok(Reply::ok(Value::Array(series)))
}

/// `GET /v1/shards/stats/last`.
async fn shards_last(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(stats::shards_last(shared, &query(req)).await))
}

/// `GET /v1/shards/stats/{uid}`.
async fn shard(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    stats::shard(shared, &uid.to_string(), &query(req))
        .await
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

/// `GET /v1/shards/stats/last/{uid}`.
async fn shard_last(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    stats::shard_last(shared, &uid.to_string(), &query(req))
        .await
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

/// `GET /v1/nodes/stats`.
async fn nodes(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(Value::Array(
        stats::nodes(shared, &query(req)).await,
    )))
}

/// `GET /v1/nodes/stats/last`.
async fn nodes_last(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(stats::nodes_last(shared, &query(req)).await))
}

/// `GET /v1/nodes/stats/{uid}`.
async fn node(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    stats::node(shared, uid, &query(req))
        .await
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

/// `GET /v1/nodes/stats/last/{uid}`.
async fn node_last(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    stats::node_last(shared, uid, &query(req))
        .await
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

/// `GET /v1/cluster/stats`.
async fn cluster(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(stats::cluster(shared, &query(req)).await))
}

/// `GET /v1/cluster/stats/last`.
async fn cluster_last(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(stats::cluster_last(shared, &query(req)).await))
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("shard_stats_list", async_handler!(shards)),
        ("shard_stats_last_list", async_handler!(shards_last)),
        ("shard_stats_get", async_handler!(shard)),
        ("shard_stats_last_get", async_handler!(shard_last)),
        ("node_stats_list", async_handler!(nodes)),
        ("node_stats_last_list", async_handler!(nodes_last)),
        ("node_stats_get", async_handler!(node)),
        ("node_stats_last_get", async_handler!(node_last)),
        ("cluster_stats_get", async_handler!(cluster)),
        ("cluster_stats_last_get", async_handler!(cluster_last)),
    ]
}
