//! The escape hatch: any request, or any spec operation by operationId, returning the undecoded
//! body. It goes through the same authentication, retries and tracing as the generated methods,
//! so a user is never blocked by a type.

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::Client;

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

impl Client {
    /// Sends `method` to `path_and_query` (such as `/v1/bdbs?fields=uid,name`) with an optional
    /// JSON body, and returns the response undecoded. Non-2xx statuses are returned as
    /// [`Error::Api`].
    pub async fn send_raw(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<RawResponse, Error> {
        self.send_raw_as(method, path_and_query, body, "raw").await
    }

    /// Calls the spec operation `operation_id` with its path parameters filled in from
    /// `path_params` and the given query, returning the body undecoded.
    pub async fn operation_raw(
        &self,
        operation_id: &str,
        path_params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<RawResponse, Error> {
        let op = crate::operations::operation(operation_id).ok_or_else(|| {
            Error::InvalidRequest(format!("no operation {operation_id} in the spec"))
        })?;
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
        self.send_raw_as(method, &path, body, op.id).await
    }

    async fn send_raw_as(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&serde_json::Value>,
        operation_id: &str,
    ) -> Result<RawResponse, Error> {
        let mut builder = self
            .client
            .request(method, format!("{}{}", self.baseurl, path_and_query));
        if let Some(body) = body {
            builder = builder.json(body);
        }
        let mut request = builder.build()?;
        self.authorize(&mut request).await?;
        let response = self.execute_with_retries(request, operation_id).await?;
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
}
