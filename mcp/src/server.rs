//! The MCP handler: lists the tools the policy built and calls them through the client. A
//! result is the JSON the API returned, as text; a failure the API reported is a tool error
//! whose text is a JSON object with `status`, `error_code` and `message`. Calling a tool that
//! is not in the list is a protocol error, never a request.

use std::collections::BTreeMap;
use std::time::Duration;

use redis_enterprise_api::describe::{OperationSpec, ParamLocation};
use redis_enterprise_api::extras::{WaitOptions, WorkflowError};
use redis_enterprise_api::types::Bdb;
use redis_enterprise_api::{Client, Error};
use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorData,
    Implementation, JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{json, Value};

use crate::tools::{Action, Entry};

/// The server: a client and the allowed tools by name.
pub struct Server {
    client: Client,
    tools: BTreeMap<String, Entry>,
    order: Vec<Tool>,
}

impl Server {
    /// A server over `client` offering exactly `tools`.
    pub fn new(client: Client, tools: Vec<Entry>) -> Self {
        let order = tools.iter().map(|e| e.tool.clone()).collect();
        let tools = tools
            .into_iter()
            .map(|e| (e.tool.name.to_string(), e))
            .collect();
        Server {
            client,
            tools,
            order,
        }
    }

    async fn call(&self, action: Action, args: &JsonObject) -> Result<Value, ToolFailure> {
        match action {
            Action::Operation(spec) => self.call_operation(spec, args).await,
            Action::CreateDatabase => {
                let body = bdb_body(args)?;
                let bdb = self
                    .client
                    .create_database_and_wait(&body, wait_options(args))
                    .await?;
                Ok(serde_json::to_value(bdb).unwrap_or(Value::Null))
            }
            Action::UpdateDatabase => {
                let uid = uid(args)?;
                let body = bdb_body(args)?;
                let bdb = self
                    .client
                    .update_database_and_wait(uid, &body, wait_options(args))
                    .await?;
                Ok(serde_json::to_value(bdb).unwrap_or(Value::Null))
            }
            Action::DeleteDatabase => {
                let uid = uid(args)?;
                self.client
                    .delete_database_and_wait(uid, wait_options(args))
                    .await?;
                Ok(json!({ "deleted": uid }))
            }
        }
    }

    async fn call_operation(
        &self,
        spec: &OperationSpec,
        args: &JsonObject,
    ) -> Result<Value, ToolFailure> {
        let mut path = Vec::new();
        let mut query = Vec::new();
        let mut headers = Vec::new();
        for p in &spec.params {
            let Some(value) = args.get(&p.name) else {
                if p.required {
                    return Err(ToolFailure::arguments(format!(
                        "missing argument {}",
                        p.name
                    )));
                }
                continue;
            };
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string).unwrap_or(v.to_string()))
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            let pair = (p.name.as_str(), text);
            match p.location {
                ParamLocation::Path => path.push(pair),
                ParamLocation::Query => query.push(pair),
                ParamLocation::Header => headers.push(pair),
            }
        }
        let (path, query, headers) = (pairs(&path), pairs(&query), pairs(&headers));
        let id = spec.operation.id;
        if !spec.response_is_json() {
            let out = args
                .get("out_file")
                .and_then(Value::as_str)
                .ok_or_else(|| ToolFailure::arguments("missing argument out_file".into()))?;
            let done = self
                .client
                .operation_download_to_file(id, &path, &query, out, Default::default())
                .await?;
            return Ok(json!({ "file": out, "bytes": done.bytes }));
        }
        let body = args.get("body");
        if body.is_none() && spec.body_required {
            return Err(ToolFailure::arguments("missing argument body".into()));
        }
        let raw = self
            .client
            .operation_raw_with_headers(id, &path, &query, &headers, body)
            .await?;
        if raw.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        Ok(raw.value()?)
    }
}

/// Borrowed `(name, value)` pairs, as the raw client takes them.
fn pairs<'a>(list: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    list.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A failed call, as the caller sees it.
struct ToolFailure(Value);

impl ToolFailure {
    fn arguments(message: String) -> Self {
        ToolFailure(json!({ "message": message }))
    }
}

impl From<Error> for ToolFailure {
    fn from(e: Error) -> Self {
        ToolFailure(json!({
            "status": e.status().map(|s| s.as_u16()),
            "error_code": e.error_code(),
            "message": e.message().map(str::to_string).unwrap_or_else(|| e.to_string()),
        }))
    }
}

impl From<WorkflowError> for ToolFailure {
    fn from(e: WorkflowError) -> Self {
        match e {
            WorkflowError::Request { source, .. } => source.into(),
            WorkflowError::ActionFailed { ref error_code, .. } => ToolFailure(json!({
                "error_code": error_code,
                "message": e.to_string(),
            })),
            other => ToolFailure(json!({ "message": other.to_string() })),
        }
    }
}

fn uid(args: &JsonObject) -> Result<i64, ToolFailure> {
    args.get("uid")
        .and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .ok_or_else(|| ToolFailure::arguments("argument uid must be an integer".into()))
}

fn bdb_body(args: &JsonObject) -> Result<Bdb, ToolFailure> {
    let body = args
        .get("body")
        .cloned()
        .ok_or_else(|| ToolFailure::arguments("missing argument body".into()))?;
    serde_json::from_value(body)
        .map_err(|e| ToolFailure::arguments(format!("argument body is not a database: {e}")))
}

fn wait_options<T>(args: &JsonObject) -> WaitOptions<T> {
    let seconds = args
        .get("timeout_seconds")
        .and_then(Value::as_u64)
        .unwrap_or(600);
    WaitOptions::default()
        .timeout(Duration::from_secs(seconds))
        .poll_interval(Duration::from_millis(250))
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let mut config = ServerConfig::new(ServerCapabilities::builder().enable_tools().build());
        config.server_info = Implementation::new("redis-enterprise-mcp", env!("CARGO_PKG_VERSION"));
        config.instructions = Some(
            "Tools for the Redis Software REST API, one per operation (named by operationId). \
             Results are the JSON the API returned."
                .into(),
        );
        config
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult {
            tools: self.order.clone(),
            ..Default::default()
        })
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.get(name).map(|e| e.tool.clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(entry) = self.tools.get(request.name.as_ref()) else {
            return Err(ErrorData::invalid_params(
                format!(
                    "no tool {} on this server (not an operation, or not allowed by its policy)",
                    request.name
                ),
                None,
            ));
        };
        let args = request.arguments.unwrap_or_default();
        let result = match self.call(entry.action, &args).await {
            Ok(value) => CallToolResult::success(vec![ContentBlock::text(
                serde_json::to_string_pretty(&value).unwrap_or_default(),
            )]),
            Err(ToolFailure(value)) => CallToolResult::error(vec![ContentBlock::text(
                serde_json::to_string(&value).unwrap_or_default(),
            )]),
        };
        Ok(result.into())
    }
}
