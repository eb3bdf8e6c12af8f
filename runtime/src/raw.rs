//! The escape hatch: any request, or any spec operation by operationId, returning the undecoded
//! body. It goes through the same authentication, retries and tracing as the generated methods,
//! so a user is never blocked by a type. [`operation_stream`] leaves the body unread, for binary
//! operations; the client's `extras::download` writes such a body to a file or any `AsyncWrite`.
//! The generated `Client` has these as methods (`client.send_raw(…)`).

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::ApiClient;

/// An undecoded response.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body as received.
    pub body: Bytes,
}

impl RawResponse {
    /// Decodes the body as `T`, naming the JSON path on failure.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        crate::decode::decode_body(&self.body).map_err(|(path, source)| {
            Error::Decode(Box::new(crate::error::DecodeError {
                status: self.status,
                path,
                body: self.body.clone(),
                source,
            }))
        })
    }

    /// The body as a JSON value.
    pub fn value(&self) -> Result<serde_json::Value, Error> {
        self.json()
    }
}

/// An undecoded response whose body has not been read yet: for binary operations (debug-info
/// archives) that should not be held in memory. See [`operation_stream`].
#[derive(Debug)]
pub struct RawStream {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// `Content-Length`, when the server announced one.
    pub content_length: Option<u64>,
    pub(crate) response: reqwest::Response,
}

impl RawStream {
    /// The next chunk of the body, `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        self.response.chunk().await.map_err(Error::Transport)
    }

    /// The body as a stream of chunks.
    pub fn into_stream(
        self,
    ) -> impl futures_util::Stream<Item = Result<Bytes, Error>> + Send + 'static {
        use futures_util::TryStreamExt;
        self.response.bytes_stream().map_err(Error::Transport)
    }
}

/// The longest per-request timeout handed to reqwest: longer ones (`Duration::MAX`) are
/// clamped, so no deadline arithmetic can overflow (about 136 years).
pub const MAX_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(u32::MAX as u64);

/// Sends `method` to `path_and_query` (such as `/v1/bdbs?fields=uid,name`) with an optional
/// JSON body, and returns the response undecoded. Non-2xx statuses are returned as
/// [`Error::Api`]. The path must start with `/` (it is appended to the base URL; anything
/// else is [`Error::InvalidRequest`], nothing is sent).
pub async fn send_raw<C: ApiClient>(
    client: &C,
    method: Method,
    path_and_query: &str,
    body: Option<&serde_json::Value>,
) -> Result<RawResponse, Error> {
    if !path_and_query.starts_with('/') {
        return Err(Error::InvalidRequest(format!(
            "path {path_and_query:?} does not start with '/'"
        )));
    }
    let response = send_raw_as(client, method, path_and_query, body, "raw", None, &[]).await?;
    read_raw(response).await
}

/// Calls the spec operation `operation_id` with its path parameters filled in from
/// `path_params` and the given query, returning the body undecoded (read into memory: for
/// binary operations use [`operation_stream`] or the client's `operation_download`).
pub async fn operation_raw<C: ApiClient>(
    client: &C,
    operation_id: &str,
    path_params: &[(&str, &str)],
    query: &[(&str, &str)],
    body: Option<&serde_json::Value>,
) -> Result<RawResponse, Error> {
    let (method, path, id) = operation_path::<C>(operation_id, path_params, query)?;
    let response = send_raw_as(client, method, &path, body, id, None, &[]).await?;
    read_raw(response).await
}

/// [`operation_raw`] with request headers: the spec's header parameters (such as
/// `cluster-state-id`), by name. A name or value that is not a valid header is
/// [`Error::InvalidRequest`], nothing is sent.
pub async fn operation_raw_with_headers<C: ApiClient>(
    client: &C,
    operation_id: &str,
    path_params: &[(&str, &str)],
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    body: Option<&serde_json::Value>,
) -> Result<RawResponse, Error> {
    let (method, path, id) = operation_path::<C>(operation_id, path_params, query)?;
    let response = send_raw_as(client, method, &path, body, id, None, headers).await?;
    read_raw(response).await
}

/// [`operation_raw`] without reading the body: the caller streams it. `timeout` replaces the
/// client's request timeout for this request (connection, headers and the whole body); `None`
/// keeps the client's. Non-2xx statuses are [`Error::Api`].
pub async fn operation_stream<C: ApiClient>(
    client: &C,
    operation_id: &str,
    path_params: &[(&str, &str)],
    query: &[(&str, &str)],
    timeout: Option<std::time::Duration>,
) -> Result<RawStream, Error> {
    let (method, path, id) = operation_path::<C>(operation_id, path_params, query)?;
    let response = send_raw_as(client, method, &path, None, id, timeout, &[]).await?;
    let status = response.status();
    if !status.is_success() {
        return Err(crate::decode::error_response(response).await);
    }
    Ok(RawStream {
        status,
        headers: response.headers().clone(),
        content_length: response.content_length(),
        response,
    })
}

/// Sends a request built here (base URL + `path_and_query`, optional JSON body, optional
/// timeout) through the version check, authentication and retries, as `operation_id` (the
/// name in the tracing span and the retry policy), with extra request `headers` (by name), and
/// returns the response whatever its status.
pub async fn send_raw_as<C: ApiClient>(
    client: &C,
    method: Method,
    path_and_query: &str,
    body: Option<&serde_json::Value>,
    operation_id: &str,
    timeout: Option<std::time::Duration>,
    headers: &[(&str, &str)],
) -> Result<reqwest::Response, Error> {
    let mut builder = client
        .client()
        .request(method, format!("{}{}", client.baseurl(), path_and_query));
    for (name, value) in headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| Error::InvalidRequest(format!("header name {name:?}: {e}")))?;
        let value = reqwest::header::HeaderValue::from_str(value)
            .map_err(|e| Error::InvalidRequest(format!("header {name}: {e}")))?;
        builder = builder.header(name, value);
    }
    if let Some(body) = body {
        builder = builder.json(body);
    }
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout.min(MAX_TIMEOUT));
    }
    let mut request = builder.build()?;
    crate::hooks::prepare(client, &mut request, operation_id).await?;
    Ok(crate::hooks::execute_with_retries(client, request, operation_id).await?)
}

async fn read_raw(response: reqwest::Response) -> Result<RawResponse, Error> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    if status.is_success() {
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    } else {
        Err(crate::decode::api_error(status, headers, body))
    }
}

/// The method and filled-in path (with query) of a spec operation.
fn operation_path<C: ApiClient>(
    operation_id: &str,
    path_params: &[(&str, &str)],
    query: &[(&str, &str)],
) -> Result<(Method, String, &'static str), Error> {
    let op = C::operation(operation_id)
        .ok_or_else(|| Error::InvalidRequest(format!("no operation {operation_id} in the spec")))?;
    let mut path = op.path.to_string();
    for (name, value) in path_params {
        path = path.replace(
            &format!("{{{name}}}"),
            &progenitor_client::encode_path(value),
        );
    }
    if path.contains('{') {
        return Err(Error::InvalidRequest(format!(
            "missing path parameters for {}",
            op.path
        )));
    }
    if !query.is_empty() {
        let mut url = reqwest::Url::parse("http://x").expect("static URL parses");
        url.query_pairs_mut().extend_pairs(query);
        path.push('?');
        path.push_str(url.query().unwrap_or_default());
    }
    let method = Method::from_bytes(op.method.as_bytes())
        .map_err(|e| Error::InvalidRequest(e.to_string()))?;
    Ok((method, path, op.id))
}
