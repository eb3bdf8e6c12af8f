//! The request hooks every generated operation runs through (progenitor's `ClientHooks`, which
//! the generated crate implements for its `Client` by calling [`prepare`] and
//! [`execute_with_retries`]):
//!
//! - `before_send` (called by every generated operation in place of progenitor's `pre`): refuses
//!   an operation the cluster's release does not serve, when that check is on
//!   ([`ClientBuilder::check_cluster_version`](crate::ClientBuilder::check_cluster_version)); drops progenitor's `api-version` header
//!   (the server has no use for it and the reference says unknown headers may be refused) and
//!   adds the `Authorization` header; failures stay a typed `crate::Error`.
//! - `exec`: one tracing span per request (method, path template, operationId, status,
//!   duration, attempts; never headers or bodies) and the retry loop of [`crate::RetryPolicy`]:
//!   transient failures of idempotent requests, opt-in busy (409) retries, and with JWT one
//!   re-authorisation when the server answers 401 to a token (revoked, or expired early).
//!
//! - `send_json`, `send_undocumented`, `send_stream`: the whole request path of a generated
//!   operation once its request is built (`before_send`, `exec`, then the success body of its
//!   kind or the error any other status carries), so that each of the 218 generated `send`
//!   methods is one call with one await point instead of a state machine of its own.
//!
//! It does not decode anything itself: that is [`crate::decode`].

use std::time::{Duration, SystemTime};

use progenitor_client::OperationInfo;
use reqwest::header::{HeaderName, AUTHORIZATION};
use reqwest::StatusCode;
use tracing::Instrument;

use crate::auth::Auth;
use crate::retry::{is_retryable_status, retry_after};
use crate::ApiClient;

/// Runs before every generated operation is sent (codegen calls it in place of progenitor's
/// `pre` hook, whose error type can only carry a string): the version check, then
/// authentication, with failures kept as a typed [`crate::Error`].
pub async fn before_send<C: ApiClient>(
    client: &C,
    request: &mut reqwest::Request,
    info: &OperationInfo,
) -> Result<(), crate::Error> {
    client.prepare_raw(request, info.operation_id).await
}

/// Sends a built request of a generated operation (`before_send`, then `exec`) and returns the
/// response when its status is the operation's documented `success` status; any other status,
/// documented or not, is the [`crate::Error`] its body carries.
async fn send<C: ApiClient>(
    client: &C,
    mut request: reqwest::Request,
    info: &OperationInfo,
    success: u16,
) -> Result<reqwest::Response, crate::Error> {
    before_send(client, &mut request, info).await?;
    let response = execute_with_retries(client, request, info.operation_id).await?;
    if response.status().as_u16() == success {
        Ok(response)
    } else {
        Err(crate::decode::error_response(response).await)
    }
}

/// A generated operation with a JSON success body: sent, then decoded as
/// [`crate::decode::operation_response`] does. `request` is what the operation's builder made,
/// or the error that stopped it (then nothing is sent).
///
/// A generated `send()` returns this function's future as it is (`impl Future + Send`), so the
/// crate checks one generic state machine per success kind instead of one per operation
/// (BENCHMARKS.md §4), and the future of an operation is compiled only where it is awaited.
pub async fn send_json<C: ApiClient, T: serde::de::DeserializeOwned>(
    client: &C,
    request: Result<reqwest::Request, crate::Error>,
    operation_id: &'static str,
    success: u16,
) -> Result<progenitor_client::ResponseValue<T>, crate::Error> {
    let info = OperationInfo { operation_id };
    let response = send(client, request?, &info, success).await?;
    crate::decode::operation_response(client, &info, response).await
}

/// A generated operation whose reference documents no success body: sent, and whatever body
/// came is kept ([`crate::decode::undocumented_response`]).
pub async fn send_undocumented<C: ApiClient>(
    client: &C,
    request: Result<reqwest::Request, crate::Error>,
    operation_id: &'static str,
    success: u16,
) -> Result<progenitor_client::ResponseValue<crate::UndocumentedBody>, crate::Error> {
    let info = OperationInfo { operation_id };
    let response = send(client, request?, &info, success).await?;
    crate::decode::undocumented_response(response).await
}

/// A generated download: sent, and the body handed over as a stream.
pub async fn send_stream<C: ApiClient>(
    client: &C,
    request: Result<reqwest::Request, crate::Error>,
    operation_id: &'static str,
    success: u16,
) -> Result<progenitor_client::ResponseValue<progenitor_client::ByteStream>, crate::Error> {
    let info = OperationInfo { operation_id };
    let response = send(client, request?, &info, success).await?;
    Ok(progenitor_client::ResponseValue::stream(response))
}

/// What every request goes through before it is sent: the version check (for operations of the
/// spec, when enabled), then authentication.
pub async fn prepare<C: ApiClient>(
    client: &C,
    request: &mut reqwest::Request,
    operation_id: &str,
) -> Result<(), crate::Error> {
    client.prepare_raw(request, operation_id).await
}

/// Adds authentication to a request that has none (and drops progenitor's `api-version`
/// header).
pub async fn authorize<C: ApiClient>(
    client: &C,
    request: &mut reqwest::Request,
) -> Result<(), crate::Error> {
    client.authorize(request).await
}

/// Sends a request with tracing (one `redis_enterprise_api.request` span) and the retries of
/// the client's [`RetryPolicy`](crate::RetryPolicy).
pub async fn execute_with_retries<C: ApiClient>(
    client: &C,
    request: reqwest::Request,
    operation_id: &str,
) -> reqwest::Result<reqwest::Response> {
    client.execute_with_retries(request, operation_id).await
}

/// The header progenitor adds to every request, carrying the spec's `info.version`.
pub(crate) const API_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");

/// The request path as methods of any generated client (the runtime cannot add inherent
/// methods to it); the functions above are its public face.
trait RequestPath: ApiClient {
    async fn prepare_raw(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
    ) -> Result<(), crate::Error>;

    async fn authorize(&self, request: &mut reqwest::Request) -> Result<(), crate::Error>;

    async fn execute_with_retries(
        &self,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response>;
}

impl<C: ApiClient> RequestPath for C {
    /// What every request goes through before it is sent: the version check (for operations of
    /// the spec, when enabled), then authentication.
    async fn prepare_raw(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
    ) -> Result<(), crate::Error> {
        crate::version::check_served(self, operation_id).await?;
        self.authorize(request).await
    }

    /// Adds authentication to a request that has none.
    async fn authorize(&self, request: &mut reqwest::Request) -> Result<(), crate::Error> {
        request.headers_mut().remove(API_VERSION_HEADER);
        if request.headers().contains_key(AUTHORIZATION) {
            return Ok(());
        }
        let value = match &self.inner().auth {
            Auth::None => return Ok(()),
            Auth::Basic(value) => value.clone(),
            Auth::Jwt(session) => session.header(self.client(), self.baseurl()).await?,
        };
        request.headers_mut().insert(AUTHORIZATION, value);
        Ok(())
    }

    /// Sends a request with tracing and retries.
    async fn execute_with_retries(
        &self,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let template = Self::operation(operation_id)
            .map(|op| op.path)
            .unwrap_or("(raw)");
        let method = request.method().clone();
        let span = tracing::debug_span!(
            "redis_enterprise_api.request",
            method = %method,
            path = template,
            operation = operation_id,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        let policy = &self.inner().retry;
        let may_retry = policy.max_retries > 0 && policy.is_idempotent(&method, operation_id);
        let may_retry_busy = policy.retries_busy(operation_id);
        let jwt = match &self.inner().auth {
            Auth::Jwt(session) => Some(session.clone()),
            _ => None,
        };
        let mut reauthorized = false;
        let mut busy_retries: u32 = 0;
        let mut transient_retries: u32 = 0;
        let mut attempt: u32 = 0;
        let mut request = request;
        let result = loop {
            attempt = attempt.saturating_add(1);
            let wants_spare = (may_retry && transient_retries < policy.max_retries)
                || (may_retry_busy && busy_retries < policy.busy_retries)
                || (jwt.is_some() && !reauthorized);
            let spare = if wants_spare {
                request.try_clone()
            } else {
                None
            };
            let sent_authorization = request.headers().get(AUTHORIZATION).cloned();
            let result = self
                .client()
                .execute(request)
                .instrument(span.clone())
                .await;
            let Some(mut spare) = spare else {
                break result;
            };
            match result {
                // A token the server no longer accepts (revoked, or expired earlier than its
                // claims said): forget it and authorise once more; a second 401 is final.
                Ok(response)
                    if response.status() == StatusCode::UNAUTHORIZED
                        && !reauthorized
                        && jwt.is_some()
                        && sent_authorization.is_some() =>
                {
                    reauthorized = true;
                    let (Some(session), Some(sent)) = (&jwt, &sent_authorization) else {
                        break Ok(response);
                    };
                    session.invalidate(sent);
                    match session.header(self.client(), self.baseurl()).await {
                        Ok(fresh) => {
                            tracing::debug!(parent: &span, "401 to a token: authorised again");
                            spare.headers_mut().insert(AUTHORIZATION, fresh);
                            request = spare;
                        }
                        Err(e) => {
                            tracing::debug!(parent: &span, error = %e, "re-authorisation failed");
                            break Ok(response);
                        }
                    }
                }
                Ok(response)
                    if response.status() == StatusCode::CONFLICT
                        && may_retry_busy
                        && busy_retries < policy.busy_retries =>
                {
                    let (busy, response) = read_busy(response).await;
                    if !busy {
                        break Ok(response);
                    }
                    busy_retries += 1;
                    let delay = retry_after(response.headers(), SystemTime::now())
                        .map(|d| d.min(policy.max_backoff))
                        .unwrap_or_else(|| policy.busy_delay(busy_retries));
                    tracing::debug!(parent: &span, busy_retries, delay_ms = millis(delay), "busy; retrying");
                    tokio::time::sleep(delay).await;
                    request = spare;
                }
                Ok(response)
                    if may_retry
                        && transient_retries < policy.max_retries
                        && is_retryable_status(response.status()) =>
                {
                    transient_retries += 1;
                    let delay = retry_after(response.headers(), SystemTime::now())
                        .map(|d| d.min(policy.max_backoff))
                        .unwrap_or_else(|| policy.backoff(transient_retries));
                    tracing::debug!(parent: &span, attempt, delay_ms = millis(delay), "retrying");
                    tokio::time::sleep(delay).await;
                    request = spare;
                }
                Err(e)
                    if may_retry
                        && transient_retries < policy.max_retries
                        && (e.is_connect() || e.is_timeout())
                        // A certificate that failed verification fails the same way again.
                        && !crate::error::classify(&e).is_tls() =>
                {
                    transient_retries += 1;
                    let delay = policy.backoff(transient_retries);
                    tracing::debug!(parent: &span, attempt, delay_ms = millis(delay), "retrying");
                    tokio::time::sleep(delay).await;
                    request = spare;
                }
                other => break other,
            }
        };
        span.record("attempts", attempt);
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Ok(response) = &result {
            span.record("status", response.status().as_u16());
        }
        result
    }
}

fn millis(delay: Duration) -> u64 {
    u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)
}

/// Reads a 409's body to tell "busy" from a real conflict ([`crate::retry::is_busy`]), and
/// gives back an equivalent response (same status, headers and body) for the caller to decode
/// when it is not retried.
async fn read_busy(response: reqwest::Response) -> (bool, reqwest::Response) {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "crate::lenient::opt_string")]
        error_code: Option<String>,
    }
    let status = response.status();
    let headers = response.headers().clone();
    let version = response.version();
    let body = match response.bytes().await {
        Ok(body) => body,
        // The body could not be read: not provably busy; hand back an empty body.
        Err(_) => bytes::Bytes::new(),
    };
    let code = serde_json::from_slice::<Body>(&body)
        .ok()
        .and_then(|b| b.error_code);
    let busy = crate::retry::is_busy(status, code.as_deref());
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    *rebuilt.version_mut() = version;
    (busy, reqwest::Response::from(rebuilt))
}
