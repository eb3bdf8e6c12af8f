//! Response decoding used by every generated operation (codegen rewrites progenitor's decoding
//! to call these): success bodies decode with the failing JSON path recorded; error bodies are
//! read whatever they are (JSON, HTML, empty) and keep status, headers and raw bytes.

use bytes::Bytes;
use progenitor_client::ResponseValue;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, DecodeError, Error};

/// Decodes `body` as `T` exactly as the client decodes responses, returning the JSON path of
/// the failure with serde's error.
///
/// The happy path decodes without path tracking (about a third faster, see BENCHMARKS.md); only
/// when that fails is the body decoded again with `serde_path_to_error`, which fails at the same
/// place and names it.
pub fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, (String, serde_json::Error)> {
    match serde_json::from_slice::<T>(body) {
        Ok(value) => Ok(value),
        Err(plain) => {
            let mut de = serde_json::Deserializer::from_slice(body);
            match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) => {
                    let path = e.path().to_string();
                    Err((path, e.into_inner()))
                }
                // Trailing characters after a valid document: the path is the whole body.
                Ok(_) => Err((".".to_string(), de.end().err().unwrap_or(plain))),
            }
        }
    }
}

/// A documented success response.
pub(crate) async fn from_response<T: DeserializeOwned>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, Error> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::Transport)?;
    match decode_body::<T>(&body) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
        Err((path, source)) => Err(Error::Decode(Box::new(DecodeError {
            status,
            path,
            body,
            source,
        }))),
    }
}

/// Builds the error of an error response from its parts: [`Error::Api`], wrapped in
/// [`Error::Auth`] for a 401 (the server refused the credentials or token), so that every
/// authentication failure has one shape whichever call met it.
pub(crate) fn api_error(
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Bytes,
) -> Error {
    let error = api_error_plain(status, headers, body);
    if status == reqwest::StatusCode::UNAUTHORIZED {
        Error::Auth(std::sync::Arc::new(error))
    } else {
        error
    }
}

/// [`Error::Api`] of an error response, never wrapped.
pub(crate) fn api_error_plain(
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Bytes,
) -> Error {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "crate::lenient::opt_string")]
        error_code: Option<String>,
        #[serde(default, deserialize_with = "crate::lenient::opt_string")]
        description: Option<String>,
        #[serde(default, deserialize_with = "crate::lenient::opt_string")]
        message: Option<String>,
    }
    let parsed: Option<Body> = serde_json::from_slice(&body).ok();
    let (error_code, message) = match parsed {
        Some(b) => (b.error_code, b.description.or(b.message)),
        None => (None, None),
    };
    Error::Api(Box::new(ApiError {
        status,
        error_code,
        message,
        body,
        headers,
    }))
}

/// A documented error response.
pub(crate) async fn error_response(response: reqwest::Response) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    match response.bytes().await {
        Ok(body) => api_error(status, headers, body),
        Err(e) => Error::Transport(e),
    }
}

/// A status the spec does not list for this operation.
pub(crate) async fn unexpected_response(response: reqwest::Response) -> Error {
    error_response(response).await
}
