//! Routing from the generated operation table: a path matches an operation's template when
//! every literal segment is equal; among the templates that match the path, the most specific
//! one is the resource (a literal segment beats a parameter, left to right), so
//! `/v1/bdbs/stats` is `bdb_stats_list`, not `bdb_get`, and `PUT /v1/bdbs/stats` is a method
//! that resource lacks. A resource without this method is [`Routed::MethodNotAllowed`] (its
//! `Allow` lists only that resource's methods); an operation the impersonated release does not
//! serve is [`Routed::NotFound`].

use std::collections::BTreeMap;
use std::sync::OnceLock;

use redis_enterprise_api::operations::{Operation, OPERATIONS};

enum Segment {
    Literal(&'static str),
    Param(&'static str),
}

struct Route {
    op: &'static Operation,
    segments: Vec<Segment>,
}

fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        OPERATIONS
            .iter()
            .map(|op| Route {
                op,
                segments: op
                    .path
                    .trim_matches('/')
                    .split('/')
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Segment::Param(name),
                            None => Segment::Literal(s),
                        },
                    )
                    .collect(),
            })
            .collect()
    })
}

/// What routing found for a request.
pub(crate) enum Routed {
    /// The operation and its path parameters.
    Found(&'static Operation, BTreeMap<String, String>),
    /// The path exists with other methods.
    MethodNotAllowed(Vec<&'static str>),
    /// No operation has this path.
    NotFound,
}

/// Specificity of a route: literal segments, left to right, beat parameters.
fn specificity(route: &Route) -> Vec<bool> {
    route
        .segments
        .iter()
        .map(|s| matches!(s, Segment::Literal(_)))
        .collect()
}

/// Routes a request among the operations `release` serves (every operation with `None`): a
/// method and path of an operation the release does not serve answers 404, as that release's
/// clusters did, even where the path serves other methods.
pub(crate) fn find(method: &str, path: &str, release: Option<&str>) -> Routed {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let matching: Vec<&Route> = routes()
        .iter()
        .filter(|r| {
            r.segments.len() == parts.len()
                && r.segments.iter().zip(&parts).all(|(s, p)| match s {
                    Segment::Literal(l) => l == p,
                    Segment::Param(_) => !p.is_empty(),
                })
        })
        .collect();
    // The path belongs to its most specific template: `PUT /v1/bdbs/alerts` is a method the
    // `/v1/bdbs/alerts` resource lacks (405), not `bdb_update` of a database called "alerts".
    let Some(top) = matching.iter().map(|r| specificity(r)).max() else {
        return Routed::NotFound;
    };
    let mut allowed: Vec<&'static str> = Vec::new();
    let mut unserved = false;
    for route in matching.into_iter().filter(|r| specificity(r) == top) {
        if release.is_some_and(|rel| !crate::release::serves(rel, route.op)) {
            unserved |= route.op.method.eq_ignore_ascii_case(method);
            continue;
        }
        if !route.op.method.eq_ignore_ascii_case(method) {
            allowed.push(route.op.method);
            continue;
        }
        let params = route
            .segments
            .iter()
            .zip(&parts)
            .filter_map(|(s, p)| match s {
                Segment::Param(name) => Some((name.to_string(), percent_decode(p))),
                Segment::Literal(_) => None,
            })
            .collect();
        return Routed::Found(route.op, params);
    }
    if allowed.is_empty() || unserved {
        return Routed::NotFound;
    }
    allowed.sort_unstable();
    allowed.dedup();
    Routed::MethodNotAllowed(allowed)
}

/// The operation that serves `method` on `path` (a concrete path such as `/v1/bdbs/1`) among
/// every operation of the spec, whatever the release; `None` when no operation matches.
pub fn route(method: &str, path: &str) -> Option<&'static Operation> {
    match find(method, path, None) {
        Routed::Found(op, _) => Some(op),
        _ => None,
    }
}

/// The operation a simulator impersonating `release` routes `method` `path` to; `None` when it
/// answers 404 or 405 (a route that release does not serve is a 404).
pub fn route_in(release: &str, method: &str, path: &str) -> Option<&'static Operation> {
    match find(method, path, Some(release)) {
        Routed::Found(op, _) => Some(op),
        _ => None,
    }
}

pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                let v = (h * 16 + l) as u8;
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn parse_query(query: Option<&str>) -> BTreeMap<String, String> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(kv), String::new()),
        })
        .collect()
}

/// Names given more than once in a query string.
pub(super) fn duplicate_query_names(query: Option<&str>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut twice = Vec::new();
    for kv in query
        .unwrap_or_default()
        .split('&')
        .filter(|kv| !kv.is_empty())
    {
        let name = percent_decode(kv.split_once('=').map_or(kv, |(k, _)| k));
        if !seen.insert(name.clone()) && !twice.contains(&name) {
            twice.push(name);
        }
    }
    twice
}
