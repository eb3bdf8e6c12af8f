//! `redis-enterprise-mcp`: an MCP server (stdio) with one tool per operation of the Redis
//! Software REST API, read-only unless told otherwise. The connection comes from the
//! `REDIS_ENTERPRISE_*` variables; flags only choose the policy. See the crate README.

mod server;
mod tools;

use std::process::ExitCode;

use clap::{Arg, ArgAction, Command};
use redis_enterprise_api::Client;
use rmcp::ServiceExt;

fn command() -> Command {
    let list = |name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name("TAG|OPERATION_ID,...")
            .value_delimiter(',')
            .action(ArgAction::Append)
            .help(help)
    };
    Command::new("redis-enterprise-mcp")
        .version(env!("CARGO_PKG_VERSION"))
        .about("MCP server (stdio) for the Redis Software REST API: one tool per operation, read-only by default")
        .long_about(
            "MCP server (stdio) for the Redis Software REST API: one tool per operation, read-only \
             by default. Connection: REDIS_ENTERPRISE_URL, REDIS_ENTERPRISE_USER, \
             REDIS_ENTERPRISE_PASSWORD, optional REDIS_ENTERPRISE_CA_CERT (PEM file) and \
             REDIS_ENTERPRISE_INSECURE. A tool the policy does not allow is neither listed nor \
             callable.",
        )
        .arg(Arg::new("allow-writes").long("allow-writes").action(ArgAction::SetTrue).help("Add the tools whose x-safety is write"))
        .arg(Arg::new("allow-destructive").long("allow-destructive").action(ArgAction::SetTrue).help("Add the tools whose x-safety is destructive"))
        .arg(list("allow", "Only tools of these tags or operationIds"))
        .arg(list("deny", "Never tools of these tags or operationIds"))
        .arg(Arg::new("list-tools").long("list-tools").action(ArgAction::SetTrue).help("Print the allowed tools' names and exit"))
}

fn main() -> ExitCode {
    let matches = command().get_matches();
    let strings = |name: &str| -> Vec<String> {
        matches
            .get_many::<String>(name)
            .map(|v| v.cloned().collect())
            .unwrap_or_default()
    };
    let policy = tools::Policy {
        allow_writes: matches.get_flag("allow-writes"),
        allow_destructive: matches.get_flag("allow-destructive"),
        allow: strings("allow"),
        deny: strings("deny"),
    };
    let tools = tools::tools(&policy);
    if matches.get_flag("list-tools") {
        for e in &tools {
            println!("{}", e.tool.name);
        }
        return ExitCode::SUCCESS;
    }
    let client = match Client::builder_from_env().and_then(|b| b.build()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let served = runtime.block_on(async move {
        let running = server::Server::new(client, tools)
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| e.to_string())?;
        running.waiting().await.map_err(|e| e.to_string())
    });
    match served {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
