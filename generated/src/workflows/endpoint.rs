//! Small conveniences over generated types: where a database answers
//! ([`DatabaseEndpoints::first_endpoint`]: address, port and `redis://`/`rediss://` URL), and a
//! [`JwtAuthorize`] whose user name and password are named at the call site.

use crate::types::{Bdb, BdbEndpoint, BdbTlsMode, JwtAuthorize};

/// One address a database answers on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseEndpoint {
    /// The host to connect to: the endpoint's DNS name when the cluster gives one, else its
    /// first address.
    pub host: String,
    /// The port.
    pub port: u16,
    /// Whether clients must connect with TLS (`tls_mode: enabled`, or `ssl: true` on older
    /// releases).
    pub tls: bool,
}

impl DatabaseEndpoint {
    /// `host:port` (an IPv6 address in brackets), for a Redis client's connect call.
    pub fn address(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// `redis://host:port` or, when the database requires TLS, `rediss://host:port`. Without
    /// credentials: add them with the Redis client's own options.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        format!("{scheme}://{}", self.address())
    }
}

/// Endpoints of a database object, read from `endpoints[].dns_name`, `addr` and `port`.
pub trait DatabaseEndpoints {
    /// Every endpoint that names a host and a port, in the cluster's order.
    fn endpoints_list(&self) -> Vec<DatabaseEndpoint>;

    /// The first endpoint ([`DatabaseEndpoints::endpoints_list`]), `None` when the object
    /// names none (a database still being created, or a response without `endpoints`).
    fn first_endpoint(&self) -> Option<DatabaseEndpoint> {
        self.endpoints_list().into_iter().next()
    }
}

impl DatabaseEndpoints for Bdb {
    fn endpoints_list(&self) -> Vec<DatabaseEndpoint> {
        // `ssl` is deprecated in the spec, but it is all that releases before `tls_mode` report.
        #[allow(deprecated)]
        let tls = match &self.tls_mode {
            Some(mode) => *mode == BdbTlsMode::Enabled,
            None => self.ssl == Some(true),
        };
        self.endpoints
            .iter()
            .flatten()
            .filter_map(|e| endpoint(e, self.port, tls))
            .collect()
    }
}

fn endpoint(e: &BdbEndpoint, bdb_port: Option<i64>, tls: bool) -> Option<DatabaseEndpoint> {
    let port = e.port.or(bdb_port)?;
    let port = u16::try_from(port).ok().filter(|p| *p != 0)?;
    let host = e
        .dns_name
        .as_deref()
        .filter(|name| !name.is_empty())
        .or_else(|| {
            e.addr
                .iter()
                .flatten()
                .map(String::as_str)
                .find(|a| !a.is_empty())
        })?;
    Some(DatabaseEndpoint {
        host: host.to_string(),
        port,
        tls,
    })
}

impl JwtAuthorize {
    /// Starts a `JwtAuthorize` for `username`; [`JwtAuthorizeFor::password`] completes it:
    /// `JwtAuthorize::for_user("admin@example.com").password(pw)`. Both are named where they are
    /// written, so they cannot be swapped silently (the generated `JwtAuthorize::new` takes its
    /// required fields in alphabetical order: password first).
    pub fn for_user(username: impl Into<String>) -> JwtAuthorizeFor {
        JwtAuthorizeFor {
            username: username.into(),
        }
    }
}

/// A [`JwtAuthorize`] waiting for its password ([`JwtAuthorize::for_user`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "call `.password(..)` to get the JwtAuthorize"]
pub struct JwtAuthorizeFor {
    username: String,
}

impl JwtAuthorizeFor {
    /// The user's password: the finished body (set `ttl` on it to ask for a lifetime).
    pub fn password(self, password: impl Into<String>) -> JwtAuthorize {
        JwtAuthorize::new(password.into(), self.username)
    }
}
