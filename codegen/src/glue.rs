//! Glue between the generated `Client` and the hand-written runtime crate
//! (`redis-enterprise-api-runtime`), emitted beside the client so that `generated/src/` holds no
//! hand-written code but its `lib.rs` and workflows:
//!
//! - `config.rs`: the runtime's configuration items, with its generic `ClientBuilder<C>` and
//!   `builder_from_lookup` made concrete for this `Client`;
//! - `glue.rs`: the runtime's `ApiClient` (constructor and operation table), progenitor's
//!   `ClientHooks` (the hooks every generated operation runs through), and the `Client` methods
//!   that forward to the runtime (building, raw requests, the cluster version).
//!
//! Nothing here depends on the spec: the same tokens for every spec.

use syn::{parse_quote, File};

/// `config.rs`: building a `Client`.
pub fn config_module() -> File {
    parse_quote! {
        //! Building a [`Client`]: base URL, credentials, TLS, timeouts, user agent and retry
        //! policy, from code ([`Client::builder`]) or from the environment
        //! ([`Client::from_env`]).
        //!
        //! The generated `Client` carries a [`ClientState`] as its inner value; the hooks read it
        //! on every request. Building never panics: every misconfiguration is a [`BuildError`].

        use super::Client;

        pub use redis_enterprise_api_runtime::config::{
            env, BuildError, ClientState, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
        };

        /// Builds a [`Client`]. Start with [`Client::builder`].
        pub type ClientBuilder = redis_enterprise_api_runtime::config::ClientBuilder<Client>;

        /// [`Client::builder_from_env`] over any variable lookup (testable without touching the
        /// process environment).
        pub fn builder_from_lookup(
            lookup: impl Fn(&str) -> Option<String>,
        ) -> Result<ClientBuilder, BuildError> {
            redis_enterprise_api_runtime::config::builder_from_lookup(lookup)
        }
    }
}

/// `glue.rs`: the trait impls and forwarding methods that tie `Client` to the runtime.
pub fn glue_module() -> File {
    parse_quote! {
        //! What ties the generated [`Client`] to the runtime crate: its `ApiClient` and
        //! `ClientHooks` impls, and the `Client` methods the runtime provides.

        use redis_enterprise_api_runtime::raw::{RawResponse, RawStream};
        use redis_enterprise_api_runtime::{ApiClient, Credentials, Error, Operation, RetryPolicy};

        use super::config::{BuildError, ClientBuilder, ClientState};
        use super::Client;

        impl ApiClient for Client {
            fn from_parts(baseurl: &str, http: reqwest::Client, state: ClientState) -> Self {
                Client::new_with_client(baseurl, http, state)
            }

            fn operation(operation_id: &str) -> Option<&'static Operation> {
                super::operations::operation(operation_id)
            }
        }

        impl progenitor_client::ClientHooks<ClientState> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> Result<(), progenitor_client::Error<E>> {
                // Generated operations call `hooks::before_send` instead (its error stays a typed
                // `Error`), so this is only reached by code that drives progenitor's hooks directly.
                redis_enterprise_api_runtime::hooks::prepare(self, request, info.operation_id)
                    .await
                    .map_err(|e| progenitor_client::Error::Custom(e.to_string()))
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                redis_enterprise_api_runtime::hooks::execute_with_retries(self, request, info.operation_id)
                    .await
            }
        }

        impl Client {
            /// Starts building a client for the cluster at `base_url` (`https://host:9443`).
            pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
                ClientBuilder::new(base_url)
            }

            /// A client with default settings and these credentials.
            pub fn new(base_url: &str, credentials: Credentials) -> Result<Client, BuildError> {
                Self::builder(base_url).credentials(credentials).build()
            }

            /// A builder configured from `REDIS_ENTERPRISE_URL`, `REDIS_ENTERPRISE_USER`,
            /// `REDIS_ENTERPRISE_PASSWORD` and the optional `REDIS_ENTERPRISE_CA_CERT` (PEM file)
            /// and `REDIS_ENTERPRISE_INSECURE` (`true` accepts any certificate).
            pub fn builder_from_env() -> Result<ClientBuilder, BuildError> {
                super::config::builder_from_lookup(|name| std::env::var(name).ok())
            }

            /// [`Client::builder_from_env`], built.
            pub fn from_env() -> Result<Client, BuildError> {
                Self::builder_from_env()?.build()
            }

            /// A client that shares this one's connections, credentials, token and cached
            /// version but retries by `retry`: for one call (or a few) with another policy, such
            /// as busy retries for a database change,
            /// `client.with_retry_policy(RetryPolicy::default().retry_busy(5))`.
            pub fn with_retry_policy(&self, retry: RetryPolicy) -> Client {
                redis_enterprise_api_runtime::config::with_retry_policy(self, retry)
            }

            /// The current JWT, when JWT authentication is configured and a token has been
            /// obtained.
            pub async fn jwt_token(&self) -> Option<String> {
                redis_enterprise_api_runtime::config::jwt_token(self).await
            }

            /// Sends `method` to `path_and_query` (such as `/v1/bdbs?fields=uid,name`) with an
            /// optional JSON body, and returns the response undecoded. Non-2xx statuses are
            /// returned as [`Error::Api`]. The path must start with `/` (it is appended to the
            /// base URL; anything else is [`Error::InvalidRequest`], nothing is sent).
            pub async fn send_raw(
                &self,
                method: reqwest::Method,
                path_and_query: &str,
                body: Option<&serde_json::Value>,
            ) -> Result<RawResponse, Error> {
                redis_enterprise_api_runtime::raw::send_raw(self, method, path_and_query, body).await
            }

            /// Calls the spec operation `operation_id` with its path parameters filled in from
            /// `path_params` and the given query, returning the body undecoded (read into memory:
            /// for binary operations use [`Client::operation_stream`] or
            /// [`Client::operation_download`]).
            pub async fn operation_raw(
                &self,
                operation_id: &str,
                path_params: &[(&str, &str)],
                query: &[(&str, &str)],
                body: Option<&serde_json::Value>,
            ) -> Result<RawResponse, Error> {
                redis_enterprise_api_runtime::raw::operation_raw(self, operation_id, path_params, query, body)
                    .await
            }

            /// [`Client::operation_raw`] with request headers: the spec's header parameters (such
            /// as `cluster-state-id`), by name. A name or value that is not a valid header is
            /// [`Error::InvalidRequest`], nothing is sent.
            pub async fn operation_raw_with_headers(
                &self,
                operation_id: &str,
                path_params: &[(&str, &str)],
                query: &[(&str, &str)],
                headers: &[(&str, &str)],
                body: Option<&serde_json::Value>,
            ) -> Result<RawResponse, Error> {
                redis_enterprise_api_runtime::raw::operation_raw_with_headers(self, operation_id, path_params, query, headers, body)
                    .await
            }

            /// [`Client::operation_raw`] without reading the body: the caller streams it.
            /// `timeout` replaces the client's request timeout for this request (connection,
            /// headers and the whole body); `None` keeps the client's. Non-2xx statuses are
            /// [`Error::Api`].
            pub async fn operation_stream(
                &self,
                operation_id: &str,
                path_params: &[(&str, &str)],
                query: &[(&str, &str)],
                timeout: Option<std::time::Duration>,
            ) -> Result<RawStream, Error> {
                redis_enterprise_api_runtime::raw::operation_stream(self, operation_id, path_params, query, timeout)
                    .await
            }

            /// The cluster's Redis Software version (such as `7.22.0-95`), read once and cached
            /// for the life of the client (and its clones): the lowest `software_version` of
            /// `GET /v1/nodes` (a cluster being upgraded serves what its oldest node serves), or,
            /// when no node reports one, the `software_version` (or `version`) of
            /// `GET /v1/cluster`. Concurrent first calls share one read.
            pub async fn cluster_version(&self) -> Result<String, Error> {
                redis_enterprise_api_runtime::version::cluster_version(self).await
            }
        }
    }
}
