//! The operation type of the generated operation table (`redis_enterprise_api::operations`),
//! and which Redis Software releases serve an operation.

/// One operation of the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// operationId, which is also the client method name.
    pub id: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template, such as `/v1/bdbs/{uid}`.
    pub path: &'static str,
    /// Resource group.
    pub tag: &'static str,
    /// Oldest Redis Software release whose reference documents it.
    pub since: Option<&'static str>,
    /// First release whose reference no longer documents it.
    pub removed_in: Option<&'static str>,
    /// Releases whose live clusters served it although `since`/`removed_in` say otherwise
    /// (from observed clusters); when not empty, this list alone decides.
    pub served_in: &'static [&'static str],
    /// Releases whose live clusters answered 404 although the reference documents it.
    pub not_served_in: &'static [&'static str],
    /// Deprecated (or removed from newer releases).
    pub deprecated: bool,
    /// Implemented by hand in the client layer (the generator cannot express it).
    pub handwritten: bool,
    /// What the operation does to the cluster (`x-safety`), decided from what it does,
    /// not from its HTTP method.
    pub safety: Safety,
}

/// What an operation does to the cluster (`x-safety` in the spec). The CLI asks for
/// confirmation before `Destructive` operations and the MCP server lists only `Read`
/// ones unless told otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Safety {
    /// Only reads: no state changes (every GET, and POSTs that only validate or
    /// authenticate, such as `redis_acl_validate` or `user_authorize`).
    Read,
    /// Changes state in a way that can be changed back: creates, updates, actions that
    /// start or cancel work, a new license.
    Write,
    /// Removes or replaces something that cannot be recovered by the API: deletes of
    /// objects, configurations or passwords, flushes, purges, imports over the dataset,
    /// node removal, stopping services.
    Destructive,
}

impl Safety {
    /// The spec's spelling: `read`, `write` or `destructive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Safety::Read => "read",
            Safety::Write => "write",
            Safety::Destructive => "destructive",
        }
    }
}

impl std::fmt::Display for Safety {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Operation {
    /// Whether a cluster of `release` (`"7.22"`, `"7.22.2-170"`, `"8.0.2"`) serves this
    /// operation: the observed lists when the spec has them, otherwise `since` and
    /// `removed_in`. A release that cannot be read as `major.minor` is assumed to serve it.
    pub fn served_by(&self, release: &str) -> bool {
        let Some(r) = release_number(release) else {
            return true;
        };
        if !self.served_in.is_empty() {
            return self.served_in.iter().any(|s| release_number(s) == Some(r));
        }
        if self
            .not_served_in
            .iter()
            .any(|s| release_number(s) == Some(r))
        {
            return false;
        }
        let from_ok = self
            .since
            .and_then(release_number)
            .map(|s| r >= s)
            .unwrap_or(true);
        let until_ok = self
            .removed_in
            .and_then(release_number)
            .map(|s| r < s)
            .unwrap_or(true);
        from_ok && until_ok
    }
}

/// `(major, minor)` of a release string; `None` when it does not start with two numbers.
pub fn release_number(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.split(['.', '-']);
    let major = parts.next()?.trim().parse().ok()?;
    let minor = parts.next()?.trim().parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: Operation = Operation {
        id: "x",
        method: "GET",
        path: "/v1/x",
        tag: "x",
        since: Some("7.4"),
        removed_in: Some("8.0"),
        served_in: &[],
        not_served_in: &["7.8"],
        deprecated: false,
        handwritten: false,
        safety: Safety::Read,
    };

    #[test]
    fn served_by_reads_since_removed_and_observed_lists() {
        let cases = [
            ("7.2.4-92", false),
            ("7.4", true),
            ("7.8.2", false),
            ("7.22.0-95", true),
            ("8.0.2", false),
            ("unknown", true),
        ];
        for (release, served) in cases {
            assert_eq!(OP.served_by(release), served, "{release}");
        }
        let observed = Operation {
            served_in: &["8.0"],
            ..OP
        };
        assert!(observed.served_by("8.0.2"));
        assert!(!observed.served_by("7.4"));
        assert_eq!(cases.len(), 6);
    }

    #[test]
    fn release_number_reads_major_minor() {
        assert_eq!(release_number("7.22.2-170"), Some((7, 22)));
        assert_eq!(release_number("8-0"), Some((8, 0)));
        assert_eq!(release_number("8"), None);
        assert_eq!(release_number(""), None);
    }
}
