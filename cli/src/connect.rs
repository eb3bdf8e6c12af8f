//! Where the connection comes from: flags, then `REDIS_ENTERPRISE_*` variables, then a named
//! profile of the config file. The password never comes from an argument: it is read from
//! `REDIS_ENTERPRISE_PASSWORD`, `--password-stdin`, the profile (`password_env` naming a
//! variable, or `password`), or a prompt without echo on a terminal. Nothing here prints a
//! password or puts it in an error.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ArgMatches;
use redis_enterprise_api::config::env;
use redis_enterprise_api::Client;
use serde_json::Value;

use crate::exit::Failure;

/// Names the config file and profile variables.
const ENV_PROFILE: &str = "REDIS_ENTERPRISE_PROFILE";
const ENV_CONFIG: &str = "REDIS_ENTERPRISE_CONFIG";

/// One profile of the config file. No `Debug`: it may hold a password.
#[derive(Default, Clone)]
struct Profile {
    url: Option<String>,
    user: Option<String>,
    password_env: Option<String>,
    password: Option<String>,
    ca_cert: Option<String>,
    insecure: Option<bool>,
}

/// Builds the client the flags, environment and profile describe.
pub fn client(matches: &ArgMatches) -> Result<Client, Failure> {
    let flag = |name: &str| matches.get_one::<String>(name).cloned();
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let profile = load_profile(flag("config").or_else(|| var(ENV_CONFIG)), {
        flag("profile").or_else(|| var(ENV_PROFILE))
    })?;
    let url = flag("url")
        .or_else(|| var(env::URL))
        .or(profile.url.clone())
        .ok_or_else(|| {
            Failure::usage("no cluster URL: give --url, set REDIS_ENTERPRISE_URL or use a profile")
        })?;
    let user = flag("user")
        .or_else(|| var(env::USER))
        .or(profile.user.clone())
        .ok_or_else(|| {
            Failure::usage("no user: give --user, set REDIS_ENTERPRISE_USER or use a profile")
        })?;
    let password = password(matches.get_flag("password-stdin"), &profile, &user)?;
    let ca_cert = flag("ca-cert")
        .or_else(|| var(env::CA_CERT))
        .or(profile.ca_cert.clone());
    let insecure = matches.get_flag("insecure")
        || match var(env::INSECURE) {
            Some(v) => parse_bool(env::INSECURE, &v)?,
            None => profile.insecure.unwrap_or(false),
        };
    let mut builder = Client::builder(url.clone())
        .basic_auth(user, password)
        .danger_accept_invalid_certs(insecure)
        // Plain http only when the URL asks for it: the user typed it.
        .allow_insecure_http(url.trim_start().starts_with("http://"));
    if let Some(path) = ca_cert {
        let pem = std::fs::read(&path)
            .map_err(|e| Failure::usage(format!("cannot read CA certificate {path}: {e}")))?;
        builder = builder.add_ca_certificate_pem(pem);
    }
    builder
        .build()
        .map_err(|e| Failure::usage(format!("cannot build the client: {e}")))
}

fn password(stdin: bool, profile: &Profile, user: &str) -> Result<String, Failure> {
    if stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Failure::local(format!("cannot read the password from stdin: {e}")))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    if let Some(p) = std::env::var(env::PASSWORD).ok().filter(|p| !p.is_empty()) {
        return Ok(p);
    }
    if let Some(name) = &profile.password_env {
        return std::env::var(name).map_err(|_| {
            Failure::usage(format!(
                "the profile reads the password from ${name}, which is not set"
            ))
        });
    }
    if let Some(p) = &profile.password {
        return Ok(p.clone());
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        return rpassword::prompt_password(format!("Password for {user}: "))
            .map_err(|e| Failure::local(format!("cannot read the password: {e}")));
    }
    Err(Failure::usage(
        "no password: set REDIS_ENTERPRISE_PASSWORD, use --password-stdin or a profile",
    ))
}

fn parse_bool(name: &str, value: &str) -> Result<bool, Failure> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(Failure::usage(format!("{name} must be true or false"))),
    }
}

/// The default config file: `$XDG_CONFIG_HOME/redis-enterprise/config.yaml`, else
/// `~/.config/redis-enterprise/config.yaml`.
fn default_config() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("redis-enterprise").join("config.yaml"))
}

/// Reads the profile `name` (or the file's `default_profile`) from the config file. A missing
/// default file means no profile; a missing named file or profile is a usage error.
fn load_profile(path: Option<String>, name: Option<String>) -> Result<Profile, Failure> {
    let explicit = path.is_some();
    let Some(path) = path.map(PathBuf::from).or_else(default_config) else {
        return Ok(Profile::default());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => {
            return match name {
                Some(n) => Err(Failure::usage(format!(
                    "profile {n}: no config file at {}",
                    path.display()
                ))),
                None => Ok(Profile::default()),
            }
        }
        Err(e) => {
            return Err(Failure::usage(format!(
                "cannot read config file {}: {e}",
                path.display()
            )))
        }
    };
    let file: Value = serde_yaml::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "config file {} is not valid YAML: {e}",
            path.display()
        ))
    })?;
    let name = match name.or_else(|| {
        file.get("default_profile")
            .and_then(Value::as_str)
            .map(str::to_string)
    }) {
        Some(n) => n,
        None => return Ok(Profile::default()),
    };
    let profiles: BTreeMap<String, Value> = file
        .get("profiles")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let p = profiles.get(&name).ok_or_else(|| {
        Failure::usage(format!(
            "no profile {name} in {} (profiles: {})",
            path.display(),
            profiles.keys().cloned().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(Profile {
        url: s("url"),
        user: s("user"),
        password_env: s("password_env"),
        password: s("password"),
        ca_cert: s("ca_cert"),
        insecure: p.get("insecure").and_then(Value::as_bool),
    })
}
