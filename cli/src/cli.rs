//! The clap command tree, built at run time from the command model: global flags, one
//! `<resource> <verb>` command per operation, the same commands under `call <operation_id>`,
//! `operations` and `completions`. It only declares; `run` reads the matches.

use clap::{Arg, ArgAction, Command};
use redis_enterprise_api::describe::ParamLocation;
use redis_enterprise_api::operations::Safety;

use crate::model::{self, OpCommand};

/// The binary's name.
pub const BIN: &str = "redis-enterprise";

/// The whole command tree.
pub fn command() -> Command {
    let mut root = Command::new(BIN)
        .version(env!("CARGO_PKG_VERSION"))
        .about("Every operation of the Redis Software REST API, from the spec")
        .long_about(
            "Every operation of the Redis Software (Redis Enterprise) REST API, from the spec.\n\n\
             Commands are `<resource> <verb>`; `call <operation_id>` reaches the same operations \
             by their spec names. Connection: --url/--user flags, REDIS_ENTERPRISE_* variables or \
             a profile in the config file; the password comes from REDIS_ENTERPRISE_PASSWORD, \
             the profile, --password-stdin or a prompt, never from an argument.\n\n\
             Exit codes: 0 success, 1 local error, 2 usage, 3 authentication, 4 not found, \
             5 conflict or busy, 6 other server error, 7 transport (connection, TLS, timeout), \
             8 a waited-for action or task failed or timed out.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_args());
    let mut groups: Vec<&str> = Vec::new();
    for c in model::commands() {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    for group in groups {
        let ops: Vec<&OpCommand> = model::commands()
            .iter()
            .filter(|c| c.group == group)
            .collect();
        let mut sub = Command::new(group.to_string())
            .about(format!("{} operation(s) on {group}", ops.len()))
            .subcommand_required(true)
            .arg_required_else_help(true);
        for c in ops {
            sub = sub.subcommand(op_command(c, &c.verb));
        }
        root = root.subcommand(sub);
    }
    let mut call = Command::new("call")
        .about("Any operation by its operationId, parameters by their spec names")
        .subcommand_required(true)
        .arg_required_else_help(true);
    for c in model::commands() {
        call = call.subcommand(op_command(c, c.id()));
    }
    root.subcommand(call)
        .subcommand(
            Command::new("operations")
                .about("List every operation: id, command, method, path and safety"),
        )
        .subcommand(
            Command::new("completions")
                .about("Print a shell completion script")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell)),
                ),
        )
}

fn global_args() -> Vec<Arg> {
    let flag = |name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .global(true)
            .action(ArgAction::SetTrue)
            .help(help)
    };
    let value = |name: &'static str, value: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .global(true)
            .value_name(value)
            .help(help)
    };
    vec![
        value(
            "url",
            "URL",
            "Cluster API URL, such as https://cluster:9443 [env REDIS_ENTERPRISE_URL]",
        ),
        value("user", "EMAIL", "User name or email [env REDIS_ENTERPRISE_USER]"),
        value(
            "profile",
            "NAME",
            "Profile of the config file to use [env REDIS_ENTERPRISE_PROFILE]",
        ),
        value(
            "config",
            "FILE",
            "Config file with profiles [env REDIS_ENTERPRISE_CONFIG; default ~/.config/redis-enterprise/config.yaml]",
        ),
        value(
            "ca-cert",
            "FILE",
            "PEM file of the CA that signed the cluster's certificate [env REDIS_ENTERPRISE_CA_CERT]",
        ),
        flag(
            "insecure",
            "Accept any server certificate (testing only) [env REDIS_ENTERPRISE_INSECURE]",
        ),
        flag(
            "password-stdin",
            "Read the password from the first line of standard input",
        ),
        value("output", "FORMAT", "Output format")
            .short('o')
            .value_parser(["json", "yaml", "table"])
            .default_value("json"),
        value(
            "query",
            "JMESPATH",
            "JMESPath expression applied to the result before output",
        )
        .short('q'),
    ]
}

/// One operation's command, named `name`.
fn op_command(c: &OpCommand, name: &str) -> Command {
    let spec = c.spec;
    let op = spec.operation;
    let mut about = spec.summary.clone();
    if op.deprecated {
        about.push_str(" (deprecated)");
    }
    let mut long = format!(
        "{}\n\n{}\n\n{} {}   operationId: {}   safety: {}",
        spec.summary, spec.description, op.method, op.path, op.id, op.safety
    );
    if op.safety == Safety::Destructive {
        long.push_str("\n\nDestructive: asks for confirmation on a terminal; --yes otherwise.");
    }
    let mut cmd = Command::new(name.to_string()).about(about).long_about(long);
    for p in &spec.params {
        let mut arg = Arg::new(format!("p:{}", p.name))
            .long(p.name.clone())
            .value_name(p.name.to_uppercase().replace('-', "_"))
            .help(first_sentence(&p.description))
            .long_help(p.description.clone())
            .required(p.required && p.location == ParamLocation::Path);
        if p.location != ParamLocation::Path && p.json_type() == "boolean" {
            arg = arg
                .num_args(0..=1)
                .default_missing_value("true")
                .value_parser(["true", "false"]);
        }
        if p.name == "dry_run" {
            arg = arg.visible_alias("dry-run");
        }
        if p.location == ParamLocation::Header {
            arg = arg.help_heading("Headers");
        }
        cmd = cmd.arg(arg);
    }
    if c.has_json_body() {
        let required = if spec.body_required && c.body_flags.is_empty() {
            " (required)"
        } else {
            ""
        };
        cmd = cmd.arg(
            Arg::new("body")
                .long("body")
                .value_name("FILE")
                .help(format!(
                    "Request body as JSON or YAML from FILE, or - for standard input{required}; \
                     member flags override its members"
                )),
        );
        for f in &c.body_flags {
            cmd = cmd.arg(
                Arg::new(format!("b:{}", f.member))
                    .long(f.long.clone())
                    .value_name(format!("{:?}", f.scalar).to_uppercase())
                    .help(first_sentence(&f.description))
                    .long_help(f.description.clone())
                    .help_heading("Body members"),
            );
        }
    }
    if c.is_upload() {
        cmd = cmd.arg(
            Arg::new("package")
                .long("package")
                .value_name("FILE")
                .required(true)
                .help("The module package (.zip) to upload"),
        );
    }
    if c.is_download() {
        cmd = cmd.arg(
            Arg::new("out")
                .long("out")
                .value_name("FILE")
                .required(true)
                .help("Stream the response body into FILE"),
        );
    }
    if let Some(kind) = c.wait {
        cmd = cmd
            .arg(
                Arg::new("wait")
                    .long("wait")
                    .action(ArgAction::SetTrue)
                    .help(format!(
                        "Wait until it is done ({})",
                        crate::run::wait_label(kind)
                    )),
            )
            .arg(
                Arg::new("wait-timeout")
                    .long("wait-timeout")
                    .value_name("SECONDS")
                    .value_parser(clap::value_parser!(u64))
                    .default_value("600")
                    .help("Give up waiting after this many seconds"),
            );
    }
    if op.safety == Safety::Destructive {
        cmd = cmd.arg(
            Arg::new("yes")
                .long("yes")
                .short('y')
                .action(ArgAction::SetTrue)
                .help("Do not ask for confirmation (needed when not on a terminal)"),
        );
    }
    if c.has_chart() {
        cmd = cmd.arg(
            Arg::new("chart")
                .long("chart")
                .value_name("METRIC")
                .help("Draw METRIC over the returned intervals as a terminal chart"),
        );
    }
    cmd
}

/// The first sentence (or line) of a description, for short help.
fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.find(". ") {
        Some(i) => line[..=i].to_string(),
        None => line.to_string(),
    }
}
