//! The HTTP side: the listener (HTTPS with the generated certificate, or plain HTTP), routing
//! ([`routing`]), authentication (Basic or JWT), permissions, body limits, the checks the spec
//! makes of every request, and error bodies in the spec's `ErrorBody` shape. It holds no state:
//! every handler works on `Shared`'s store.
//!
//! Dispatch: each resource's handler module registers the operation ids it serves
//! (`register()`, collected by [`crate::handlers::registered`]); the table built from those
//! lists finds the handler, then settings objects, then the fallback.

mod checks;
mod routing;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use redis_enterprise_api::operations::Operation;
use tokio::net::TcpListener;

use crate::api::{ApiError, Caller, Handler, Reply, ReplyBody, Req};
use crate::handlers::{fallback, settings};
use crate::model::not_modelled::not_modelled_reason;
use crate::model::{permissions, users};
use crate::tls::Tls;
use crate::{Shared, SimError};
use checks::{check_request, fit_status};
use routing::{find, parse_query, Routed};
pub use routing::{route, route_in};

/// A running listener.
pub(crate) struct Server {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Server {
    /// Stops accepting and closes open connections.
    pub async fn stop(self) {
        self.shutdown.send_replace(true);
        self.task.abort();
        if let Err(e) = self.task.await {
            tracing::trace!(error = %e, "listener stopped");
        }
    }

    /// Stops without waiting (for `Drop`).
    pub fn abort(self) {
        self.shutdown.send_replace(true);
        self.task.abort();
    }
}

/// Binds the listener and serves until stopped.
pub(crate) async fn serve(shared: Arc<Shared>, tls: &Tls) -> Result<Server, SimError> {
    let listen = shared.config.listen;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| SimError::Listen {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SimError::Listen {
        addr: listen,
        source,
    })?;
    let acceptor = if shared.config.http {
        None
    } else {
        Some(tls.acceptor.clone())
    };
    let (shutdown, watch) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let shared = shared.clone();
            let acceptor = acceptor.clone();
            let mut watch = watch.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let shared = shared.clone();
                    async move { Ok::<_, Infallible>(handle(shared, req).await) }
                });
                let builder = hyper::server::conn::http1::Builder::new();
                let result = match acceptor {
                    Some(acceptor) => match acceptor.accept(stream).await {
                        Ok(stream) => {
                            let conn = builder.serve_connection(TokioIo::new(stream), service);
                            tokio::select! {
                                r = conn => r,
                                _ = watch.wait_for(|stop| *stop) => Ok(()),
                            }
                        }
                        Err(e) => {
                            tracing::debug!(error = %e, "tls handshake failed");
                            Ok(())
                        }
                    },
                    None => {
                        let conn = builder.serve_connection(TokioIo::new(stream), service);
                        tokio::select! {
                            r = conn => r,
                            _ = watch.wait_for(|stop| *stop) => Ok(()),
                        }
                    }
                };
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
        }
    });
    Ok(Server {
        addr,
        task,
        shutdown,
    })
}

// ---------------------------------------------------------------------------------------------
// The request pipeline

async fn handle(shared: Arc<Shared>, req: hyper::Request<Incoming>) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let (reply, op_id) = match pipeline(&shared, req).await {
        Ok((reply, op)) => (reply, op),
        Err((e, op)) => (e.into_reply(), op),
    };
    tracing::info!(
        target: "redis_enterprise_simulator",
        "{method} {path} {} {} {}us",
        reply.status,
        op_id.unwrap_or("-"),
        started.elapsed().as_micros()
    );
    to_response(reply)
}

fn to_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in &reply.headers {
        builder = builder.header(*k, v);
    }
    let (ct, body) = match reply.body {
        ReplyBody::Json(v) => (
            Some("application/json"),
            Bytes::from(serde_json::to_vec(&v).unwrap_or_default()),
        ),
        ReplyBody::Raw(ct, b) => (Some(ct), b),
        ReplyBody::Empty => (None, Bytes::new()),
    };
    if let Some(ct) = ct {
        builder = builder.header("content-type", ct);
    }
    builder.body(Full::new(body)).unwrap_or_else(|_| {
        let mut r = Response::new(Full::new(Bytes::new()));
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

type Failure = (ApiError, Option<&'static str>);

async fn pipeline(
    shared: &Arc<Shared>,
    req: hyper::Request<Incoming>,
) -> Result<(Reply, Option<&'static str>), Failure> {
    let (parts, body) = req.into_parts();
    let release = Some(shared.config.release.as_str());
    let (op, params) = match find(parts.method.as_str(), parts.uri.path(), release) {
        Routed::Found(op, params) => (op, params),
        Routed::NotFound => {
            return Err((
                ApiError::new(
                    404,
                    "not_found",
                    format!("no such path: {}", parts.uri.path()),
                ),
                None,
            ))
        }
        Routed::MethodNotAllowed(allowed) => {
            let mut reply = ApiError::new(
                405,
                "method_not_allowed",
                format!("{} is not allowed on {}", parts.method, parts.uri.path()),
            )
            .into_reply();
            reply.headers.push(("allow", allowed.join(", ")));
            return Ok((reply, None));
        }
    };
    let fail = |e: ApiError| (e, Some(op.id));
    let bootstrapped = shared.with_store(|s| s.bootstrap.state == "completed");
    let caller = if !bootstrapped && op.tag == "bootstrap" {
        // A node outside a cluster has no users yet: bootstrap calls need no credentials.
        Caller {
            uid: 0,
            email: String::new(),
            management: "admin".into(),
        }
    } else {
        let header = parts
            .headers
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        authenticate(shared, header, op).map_err(fail)?
    };
    if !bootstrapped && op.tag != "bootstrap" {
        return Err(fail(ApiError::new(
            503,
            "cluster_not_bootstrapped",
            "this node is not part of a cluster yet: POST /v1/bootstrap/create_cluster first",
        )));
    }
    if !permissions::allowed(&caller.management, op) {
        return Err(fail(ApiError::new(
            403,
            "insufficient_permissions",
            format!(
                "role {} may not call {} ({} {})",
                caller.management, op.id, op.method, op.path
            ),
        )));
    }
    let limit = shared.config.body_limit;
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || {
        fail(ApiError::new(
            413,
            "request_too_large",
            format!("the body exceeds the limit of {limit} bytes"),
        ))
    };
    if declared.is_some_and(|n| n > limit) {
        discard(body, limit).await;
        return Err(too_large());
    }
    let body = match Limited::new(body, limit).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Err(too_large()),
    };
    let req = Req {
        op,
        params,
        query: parse_query(parts.uri.query()),
        body,
        content_type: parts
            .headers
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        cluster_state_id: parts
            .headers
            .get("cluster-state-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        caller,
    };
    let duplicates = routing::duplicate_query_names(parts.uri.query());
    check_request(&req, &duplicates, &parts.headers).map_err(|e| fail(fit_status(&req, e)))?;
    dispatch(shared, &req)
        .await
        .map(|r| (r, Some(op.id)))
        .map_err(|e| fail(fit_status(&req, e)))
}

/// Reads and drops an oversized body (up to 64 times the limit), so the client, still sending,
/// gets the 413 instead of a broken pipe.
async fn discard(mut body: Incoming, limit: usize) {
    let cap = limit.saturating_mul(64);
    let mut seen = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        seen += frame.data_ref().map_or(0, |d| d.len());
        if seen > cap {
            break;
        }
    }
}

fn authenticate(shared: &Shared, header: Option<&str>, op: &Operation) -> Result<Caller, ApiError> {
    let unauthorized =
        |why: &str| ApiError::new(401, "unauthorized", format!("authentication failed: {why}"));
    let header = header.ok_or_else(|| unauthorized("no Authorization header"))?;
    let (scheme, value) = header.split_once(' ').unwrap_or((header, ""));
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .map_err(|_| unauthorized("malformed Basic credentials"))?;
            let decoded = String::from_utf8_lossy(&decoded);
            let (user, password) = decoded
                .split_once(':')
                .ok_or_else(|| unauthorized("malformed Basic credentials"))?;
            users::check_password(shared, user, password).map_err(ApiError::from)
        }
        "jwt" | "bearer" => {
            users::verify_jwt(shared, value.trim(), op).map_err(|why| unauthorized(&why))
        }
        _ => Err(unauthorized("unsupported authorization scheme")),
    }
}

/// The routing table: every operation a resource registers, by operation id, built once from
/// the resources' own lists (a resource adds an operation in its own module, not here).
fn handlers() -> &'static HashMap<&'static str, Handler> {
    static HANDLERS: OnceLock<HashMap<&'static str, Handler>> = OnceLock::new();
    HANDLERS.get_or_init(|| registered().into_iter().collect())
}

fn registered() -> Vec<(&'static str, Handler)> {
    crate::handlers::registered()
}

/// A registered handler, else a settings object, else the fallback (501 for what is not
/// modelled, the spec's answer otherwise).
async fn dispatch(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    if let Some(handler) = handlers().get(req.op.id) {
        return handler.call(shared, req).await;
    }
    if settings::handles(req.op) {
        return settings::answer(shared, req);
    }
    if not_modelled_reason(req.op.id).is_some() {
        return fallback::refuse(req);
    }
    fallback::answer(req)
}

#[cfg(test)]
mod tests {
    use super::routing::percent_decode;
    use super::*;
    use redis_enterprise_api::operations::OPERATIONS;

    #[test]
    fn every_registered_operation_exists_once_and_is_not_also_refused() {
        let all = registered();
        let mut seen = std::collections::BTreeSet::new();
        for (id, _) in &all {
            assert!(
                OPERATIONS.iter().any(|o| o.id == *id),
                "{id} is not in the spec"
            );
            assert!(seen.insert(*id), "{id} is registered twice");
            assert!(
                not_modelled_reason(id).is_none(),
                "{id} is registered and refused"
            );
        }
        assert_eq!(handlers().len(), all.len());
        assert_eq!(all.len(), 159, "registered operations");
    }

    #[test]
    fn percent_decoding_never_splits_a_character() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%aé"), "%aé");
        assert_eq!(percent_decode("%C3%A9"), "é");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn literal_segments_beat_parameters() {
        let id = |m: &str, p: &str| route(m, p).map(|o| o.id);
        assert_eq!(id("GET", "/v1/bdbs/stats"), Some("bdb_stats_list"));
        assert_eq!(id("GET", "/v1/bdbs/7"), Some("bdb_get"));
        assert_eq!(
            id("GET", "/v1/bdbs/7/availability"),
            Some("bdb_availability_get")
        );
        assert_eq!(
            id("PUT", "/v1/bdbs/7/flush"),
            Some("bdb_update_with_action")
        );
        assert_eq!(
            id("PUT", "/v1/users/password"),
            Some("user_password_update")
        );
        assert_eq!(id("PUT", "/v1/users/3"), Some("user_update"));
        assert_eq!(id("PATCH", "/v1/bdbs"), None);
        assert!(matches!(
            find("PATCH", "/v1/bdbs", None),
            Routed::MethodNotAllowed(_)
        ));
        assert!(matches!(find("GET", "/v9/nothing", None), Routed::NotFound));
    }
}
