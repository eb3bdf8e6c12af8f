//! `/v1/bdbs/debuginfo` and `/v1/bdbs/{bdb_uid}/debuginfo` over [`crate::model::debuginfo`]:
//! `application/x-gzip` with `Content-Disposition: attachment`, as the reference shows.

use std::sync::Arc;

use bytes::Bytes;

use crate::api::{async_handler, ApiError, Handler, Reply, ReplyBody, Req};
use crate::model::debuginfo;
use crate::Shared;

fn archive(bytes: Vec<u8>, name: String) -> Reply {
    Reply {
        status: 200,
        body: ReplyBody::Raw("application/x-gzip", Bytes::from(bytes)),
        headers: vec![(
            "content-disposition",
            format!("attachment; filename={name}"),
        )],
    }
}

/// `GET /v1/bdbs/debuginfo`.
async fn all(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    let bytes = debuginfo::of_all(shared).await?;
    Ok(archive(bytes, "debuginfo.tar.gz".into()))
}

/// `GET /v1/bdbs/{bdb_uid}/debuginfo` (an unknown database: the refusal the operation
/// documents, as it documents no 404).
async fn one(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("bdb_uid")?;
    let bytes = debuginfo::of_bdb(shared, uid)
        .await
        .map_err(|e| req.missing(e))?;
    Ok(archive(bytes, format!("debuginfo-bdb-{uid}.tar.gz")))
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("bdb_debuginfo_get_all", async_handler!(all)),
        ("bdb_debuginfo_get", async_handler!(one)),
    ]
}
