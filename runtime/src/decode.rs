//! Response decoding used by every generated operation (codegen rewrites progenitor's decoding
//! to call these): success bodies decode with the failing JSON path recorded; error bodies are
//! read whatever they are (JSON, HTML, empty) and keep status, headers and raw bytes. The
//! hand-written workflows of the client crate decode through these too.

use bytes::Bytes;
use progenitor_client::ResponseValue;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, DecodeError, Error, Leniency, StrictError};
use crate::ApiClient;

/// Decodes `body` as `T` exactly as the client decodes responses, returning the JSON path of
/// the failure with serde's error.
///
/// The happy path decodes without path tracking (about a third faster, see BENCHMARKS.md); only
/// when that fails is the body decoded again with `serde_path_to_error`, which fails at the same
/// place and names it.
pub fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, (String, serde_json::Error)> {
    match plain::<T>(body) {
        Ok(value) => Ok(value),
        Err(plain) => Err(match decode_with_path::<T>(body) {
            Err(failure) => (failure.path, failure.source),
            // Trailing characters after a valid document: the path is the whole body.
            Ok(_) => (".".to_string(), plain),
        }),
    }
}

/// The plain decode (no path tracking) of every body the client decodes as `T`: the body's UTF-8
/// is checked once, and the document is then read as text, so that serde_json does not check
/// each string again (a tenth of a typed decode, BENCHMARKS.md row 1). A body that is not UTF-8
/// fails here and goes, as every other failure, to the path-tracking decode, which reads bytes
/// and names the place. Every plain decode of a `T` goes through here: one deserializer type,
/// one instantiation per type.
pub(crate) fn plain<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str::<T>(text),
        Err(e) => Err(<serde_json::Error as serde::de::Error>::custom(
            format_args!("the body is not UTF-8 (from byte {})", e.valid_up_to()),
        )),
    }
}

/// The path-tracking decode behind [`decode_body`] and the isolating pass of [`crate::unfit`]:
/// one instantiation per type, from bytes, shared by both (a second one over `serde_json::Value`
/// would add to every build).
pub(crate) fn decode_with_path<T: DeserializeOwned>(body: &[u8]) -> Result<T, PathFailure> {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => Err(PathFailure {
            segments: e.path().iter().cloned().collect(),
            path: e.path().to_string(),
            source: e.into_inner(),
        }),
        Ok(value) => match de.end() {
            Ok(()) => Ok(value),
            Err(source) => Err(PathFailure {
                segments: Vec::new(),
                path: ".".to_string(),
                source,
            }),
        },
    }
}

/// Where a path-tracking decode failed.
pub(crate) struct PathFailure {
    /// The path, segment by segment.
    pub(crate) segments: Vec<serde_path_to_error::Segment>,
    /// The path as text (`[1].uid`, `.` for the whole body).
    pub(crate) path: String,
    /// serde's error.
    pub(crate) source: serde_json::Error,
}

/// The response's headers without those that carry the client's decode report
/// ([`crate::DecodeReport`]): only the client writes them, never the server or a proxy.
fn received_headers(response: &reqwest::Response) -> reqwest::header::HeaderMap {
    let mut headers = response.headers().clone();
    headers.remove(crate::unfit::UNFIT_HEADER);
    headers.remove(crate::unfit::BODY_HEADER);
    headers
}

/// A documented success response.
pub async fn from_response<T: DeserializeOwned>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, Error> {
    let status = response.status();
    let headers = received_headers(&response);
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

/// A documented success response of a generated operation: decoded with field-level fault
/// isolation (see [`crate::unfit`]), or strictly when the client was built with
/// `strict_decoding`; an empty 2xx body and a documented array wrapped in an object are
/// accepted and noted on the response ([`crate::DecodeReport`]).
pub async fn operation_response<C: ApiClient, T: DeserializeOwned>(
    client: &C,
    info: &progenitor_client::OperationInfo,
    response: reqwest::Response,
) -> Result<ResponseValue<T>, Error> {
    let status = response.status();
    let mut headers = received_headers(&response);
    let body = response.bytes().await.map_err(Error::Transport)?;
    let decode_error = |path: String, source: serde_json::Error, body: Bytes| {
        Error::Decode(Box::new(DecodeError {
            status,
            path,
            body,
            source,
        }))
    };
    let strict = client.inner().strict_decoding;
    let refuse = |leniency: Leniency, body: Bytes| {
        Error::Strict(Box::new(StrictError {
            status,
            leniency,
            body,
        }))
    };
    // The common case: the documented document, decoded in one pass.
    if let Ok(value) = plain::<T>(&body) {
        if strict {
            if let Some(path) = crate::unfit::duplicate_key(&body) {
                return Err(refuse(Leniency::DuplicateKey { path }, body));
            }
        }
        return Ok(ResponseValue::new(value, status, headers));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        if strict {
            return Err(refuse(Leniency::EmptyBody, body));
        }
        // Live clusters answer some documented JSON bodies with an empty 2xx body.
        // Through `plain`, like every other plain decode here: one deserializer type, one
        // instantiation.
        for empty in [&b"{}"[..], b"[]", b"null"] {
            if let Ok(value) = plain::<T>(empty) {
                tracing::debug!(
                    operation = info.operation_id,
                    "empty body on a success status"
                );
                headers.insert(
                    crate::unfit::BODY_HEADER,
                    http::HeaderValue::from_static("empty"),
                );
                return Ok(ResponseValue::new(value, status, headers));
            }
        }
    }
    if let Some((member, list)) = wrapped_list::<T>(&body, C::operation(info.operation_id)) {
        if strict {
            return Err(refuse(Leniency::WrappedList { member }, body));
        }
        tracing::debug!(
            operation = info.operation_id,
            member = %member,
            "documented array came wrapped in an object"
        );
        if let Ok(v) = http::HeaderValue::from_str(&format!("unwrapped:{member}")) {
            headers.insert(crate::unfit::BODY_HEADER, v);
        }
        return Ok(ResponseValue::new(list, status, headers));
    }
    if strict {
        return match decode_with_path::<T>(&body) {
            Err(failure) => Err(decode_error(failure.path, failure.source, body)),
            // Only trailing characters after a valid document fail the plain decode alone.
            Ok(_) => match decode_body::<T>(&body) {
                Err((path, source)) => Err(decode_error(path, source, body)),
                Ok(value) => Ok(ResponseValue::new(value, status, headers)),
            },
        };
    }
    match crate::unfit::isolate_bytes::<T>(&body) {
        Ok((decoded, unfit)) => {
            for property in &unfit {
                tracing::warn!(
                    operation = info.operation_id,
                    path = %property.path,
                    reason = %property.reason,
                    "response property does not fit its type; kept as sent in the enclosing object's `extra`"
                );
            }
            if !unfit.is_empty() {
                headers.insert(
                    crate::unfit::UNFIT_HEADER,
                    crate::unfit::header_value(&unfit),
                );
            }
            Ok(ResponseValue::new(decoded, status, headers))
        }
        Err((path, source)) => Err(decode_error(path, source, body)),
    }
}

/// A documented array sent as an object that wraps it, in the shapes clusters use: an object
/// with exactly one member, named after the operation's resource (the last literal segment of
/// its path: `{"actions": [...]}` for `/v1/actions`) or its tag, whose value is an array that
/// decodes as `T`. Never an object with other members (`{"error": "x", "details": []}` is not
/// an empty list). `None` when `body` is not such a wrapper.
fn wrapped_list<T: DeserializeOwned>(
    body: &[u8],
    operation: Option<&crate::Operation>,
) -> Option<(String, T)> {
    // Only worth trying when T is a list: an empty array decodes as T and an empty object does
    // not (a struct or a map accepts `{}`).
    plain::<T>(b"[]").ok()?;
    if plain::<T>(b"{}").is_ok() {
        return None;
    }
    let (member, range) = crate::unfit::sole_member(body)?;
    let op = operation?;
    let resource = op
        .path
        .rsplit('/')
        .find(|segment| !segment.is_empty() && !segment.starts_with('{'));
    if member != op.tag && Some(member.as_str()) != resource {
        return None;
    }
    let list = &body[range];
    if list.first() != Some(&b'[') {
        return None;
    }
    plain::<T>(list).ok().map(|t| (member, t))
}

/// Builds the error of an error response from its parts: [`Error::Api`], wrapped in
/// [`Error::Auth`] for a 401 (the server refused the credentials or token), so that every
/// authentication failure has one shape whichever call met it.
pub fn api_error(
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
pub fn api_error_plain(
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
pub async fn error_response(response: reqwest::Response) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    match response.bytes().await {
        Ok(body) => api_error(status, headers, body),
        Err(e) => Error::Transport(e),
    }
}

/// A status the spec does not list for this operation.
pub async fn unexpected_response(response: reqwest::Response) -> Error {
    error_response(response).await
}

/// The body of a success response whose reference documents none. Usually empty; some releases
/// send JSON anyway (deleting a user or a role on some 7.x clusters answers an `action_uid` to
/// wait on), and a proxy may send anything. The client never drops it: the bytes are kept as
/// received, with their JSON value when they parse as JSON.
///
/// `Debug` shows the size and the `action_uid`, never the content: the client cannot know which
/// of an undocumented body's members are secrets.
#[derive(Clone, Default, PartialEq)]
pub struct UndocumentedBody {
    bytes: Bytes,
    json: Option<serde_json::Value>,
}

impl UndocumentedBody {
    /// The body `bytes` as received; parsed as JSON when they are JSON.
    pub fn from_bytes(bytes: Bytes) -> Self {
        let json = if bytes.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            serde_json::from_slice(&bytes).ok()
        };
        UndocumentedBody { bytes, json }
    }

    /// Whether the server sent nothing but whitespace (what the reference documents).
    pub fn is_empty(&self) -> bool {
        self.bytes.iter().all(u8::is_ascii_whitespace)
    }

    /// The body as JSON, when it was JSON.
    pub fn json(&self) -> Option<&serde_json::Value> {
        self.json.as_ref()
    }

    /// The body's bytes exactly as received.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The `action_uid` member of a JSON object body: the action to wait for
    /// (`Client::wait_for_action`), when the server started one.
    pub fn action_uid(&self) -> Option<&str> {
        self.json.as_ref()?.get("action_uid")?.as_str()
    }

    /// The body decoded as `T`, with the failing JSON path on error (see [`decode_body`]); `None`
    /// when the body is empty.
    pub fn decode<T: DeserializeOwned>(&self) -> Option<Result<T, (String, serde_json::Error)>> {
        (!self.is_empty()).then(|| decode_body(&self.bytes))
    }
}

impl std::fmt::Debug for UndocumentedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UndocumentedBody")
            .field("bytes", &self.bytes.len())
            .field("json", &self.json.is_some())
            .field("action_uid", &self.action_uid())
            .finish()
    }
}

/// A documented success response of an operation the reference documents without a body: any
/// body the server sent anyway is kept ([`UndocumentedBody`]).
pub async fn undocumented_response(
    response: reqwest::Response,
) -> Result<ResponseValue<UndocumentedBody>, Error> {
    let status = response.status();
    let headers = received_headers(&response);
    let bytes = response.bytes().await.map_err(Error::Transport)?;
    let body = UndocumentedBody::from_bytes(bytes);
    if !body.is_empty() {
        tracing::debug!(
            bytes = body.bytes().len(),
            json = body.json().is_some(),
            "a body on a response documented without one; kept"
        );
    }
    Ok(ResponseValue::new(body, status, headers))
}
