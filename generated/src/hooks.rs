//! The request hooks every generated operation runs through (progenitor's `ClientHooks`):
//!
//! - `before_send` (called by every generated operation in place of progenitor's `pre`): drops
//!   progenitor's `api-version` header (the server has no use for it and the
//!   reference says unknown headers may be refused) and adds the `Authorization` header;
//!   failures stay a typed `crate::Error`.
//! - `exec`: one tracing span per request (method, path template, operationId, status,
//!   duration, attempts; never headers or bodies) and the retry loop of [`crate::RetryPolicy`].
//!
//! It deliberately does not decode anything: that is `decode.rs`.

use std::time::SystemTime;

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{HeaderName, AUTHORIZATION};
use tracing::Instrument;

use crate::auth::Auth;
use crate::config::ClientState;
use crate::retry::{is_retryable_status, retry_after};
use crate::Client;

/// Runs before every generated operation is sent (codegen calls it in place of progenitor's
/// `pre` hook, whose error type can only carry a string): authentication, with failures kept as
/// a typed [`crate::Error`].
pub(crate) async fn before_send(
    client: &Client,
    request: &mut reqwest::Request,
    _info: &OperationInfo,
) -> Result<(), crate::Error> {
    client.authorize(request).await
}

/// The header progenitor adds to every request, carrying the spec's `info.version`.
pub(crate) const API_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");

impl Client {
    /// Adds authentication to a request that has none.
    pub(crate) async fn authorize(
        &self,
        request: &mut reqwest::Request,
    ) -> Result<(), crate::Error> {
        request.headers_mut().remove(API_VERSION_HEADER);
        if request.headers().contains_key(AUTHORIZATION) {
            return Ok(());
        }
        let value = match &self.inner.auth {
            Auth::None => return Ok(()),
            Auth::Basic(value) => value.clone(),
            Auth::Jwt(session) => session.header(&self.client, &self.baseurl).await?,
        };
        request.headers_mut().insert(AUTHORIZATION, value);
        Ok(())
    }

    /// Sends a request with tracing and retries.
    pub(crate) async fn execute_with_retries(
        &self,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let template = crate::operations::operation(operation_id)
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
        let policy = &self.inner.retry;
        let may_retry = policy.max_retries > 0 && policy.is_idempotent(&method, operation_id);
        let mut attempt: u32 = 0;
        let mut request = request;
        let result = loop {
            attempt += 1;
            let spare = if may_retry && attempt <= policy.max_retries {
                request.try_clone()
            } else {
                None
            };
            let result = self.client.execute(request).instrument(span.clone()).await;
            let delay = match (&result, &spare) {
                (_, None) => None,
                (Ok(response), Some(_)) if is_retryable_status(response.status()) => Some(
                    retry_after(response.headers(), SystemTime::now())
                        .map(|d| d.min(policy.max_backoff))
                        .unwrap_or_else(|| policy.backoff(attempt)),
                ),
                (Err(e), Some(_)) if e.is_connect() || e.is_timeout() => {
                    Some(policy.backoff(attempt))
                }
                _ => None,
            };
            match (delay, spare) {
                (Some(delay), Some(spare)) => {
                    tracing::debug!(parent: &span, attempt, delay_ms = delay.as_millis() as u64, "retrying");
                    tokio::time::sleep(delay).await;
                    request = spare;
                }
                _ => break result,
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

impl ClientHooks<ClientState> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        // Generated operations call `before_send` instead (codegen rewrites the call), so this
        // is only reached by code that drives progenitor's hooks directly.
        self.authorize(request)
            .await
            .map_err(|e| progenitor_client::Error::Custom(e.to_string()))
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.execute_with_retries(request, info.operation_id).await
    }
}
