//! Look-ups by name that users otherwise write by hand over a list call: a database by name, a
//! module by name and version, a user by email, a role by name. Each returns the one object,
//! or [`FindError::NotFound`], or [`FindError::Ambiguous`] naming every match: the API does not
//! promise unique names everywhere, and picking the first match silently is how scripts end up
//! changing the wrong object.
//!
//! They read the whole list (one request); they do not cache.

use crate::error::Error;
use crate::types::{Bdb, Module, Role, User};
use crate::Client;

/// Why a look-up did not find exactly one object.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FindError {
    /// Nothing matches.
    #[error("no {kind} matches {key}")]
    NotFound {
        /// What was looked for (`database`, `module`, `user`, `role`).
        kind: &'static str,
        /// The key, as given (`name "cache"`, `email "a@b.c"`).
        key: String,
    },
    /// More than one object matches.
    #[error("{} {kind}s match {key} (uids {})", uids.len(), uids.join(", "))]
    Ambiguous {
        /// What was looked for.
        kind: &'static str,
        /// The key, as given.
        key: String,
        /// The uids of every match.
        uids: Vec<String>,
    },
    /// The list request failed.
    #[error("listing {kind}s failed")]
    Request {
        /// What was looked for.
        kind: &'static str,
        /// The request error.
        #[source]
        source: Error,
    },
}

impl FindError {
    /// Whether nothing matched.
    pub fn is_not_found(&self) -> bool {
        matches!(self, FindError::NotFound { .. })
    }
}

/// Exactly one of `matches`, or the error that says why not.
fn exactly_one<T>(
    kind: &'static str,
    key: String,
    mut matches: Vec<T>,
    uid: impl Fn(&T) -> String,
) -> Result<T, FindError> {
    match matches.len() {
        0 => Err(FindError::NotFound { kind, key }),
        1 => Ok(matches.remove(0)),
        _ => Err(FindError::Ambiguous {
            kind,
            key,
            uids: matches.iter().map(uid).collect(),
        }),
    }
}

fn uid_text(uid: Option<i64>) -> String {
    uid.map(|u| u.to_string())
        .unwrap_or_else(|| "(none)".to_string())
}

impl Client {
    /// The database named `name` (exact, case-sensitive: database names are).
    pub async fn find_bdb_by_name(&self, name: &str) -> Result<Bdb, FindError> {
        const KIND: &str = "database";
        let all = self
            .bdb_list()
            .send()
            .await
            .map_err(|source| FindError::Request { kind: KIND, source })?
            .into_inner();
        let matches = all
            .into_iter()
            .filter(|b| b.name.as_deref() == Some(name))
            .collect();
        exactly_one(KIND, format!("name {name:?}"), matches, |b| uid_text(b.uid))
    }

    /// The module whose `module_name` (or `display_name`) is `name` and, when `version` is
    /// given, whose `semantic_version` (or numeric `version`) is `version`. Without a version,
    /// several installed versions of the module are [`FindError::Ambiguous`].
    pub async fn find_module(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<Module, FindError> {
        const KIND: &str = "module";
        let all = self
            .module_list()
            .send()
            .await
            .map_err(|source| FindError::Request { kind: KIND, source })?
            .into_inner();
        let matches = all
            .into_iter()
            .filter(|m| {
                m.module_name.as_ref().map(|n| n.as_str()) == Some(name)
                    || m.display_name.as_deref() == Some(name)
            })
            .filter(|m| match version {
                None => true,
                Some(v) => {
                    m.semantic_version.as_deref() == Some(v)
                        || m.version.map(|n| n.to_string()).as_deref() == Some(v)
                }
            })
            .collect();
        let key = match version {
            Some(v) => format!("name {name:?} version {v:?}"),
            None => format!("name {name:?}"),
        };
        exactly_one(KIND, key, matches, |m| {
            m.uid.clone().unwrap_or_else(|| "(none)".to_string())
        })
    }

    /// The uid of the module `name` (and `version`): see [`Client::find_module`].
    pub async fn find_module_uid(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<String, FindError> {
        let module = self.find_module(name, version).await?;
        module.uid.ok_or_else(|| FindError::NotFound {
            kind: "module",
            key: format!("uid of module {name:?}"),
        })
    }

    /// The user whose email is `email`, compared ignoring ASCII case (email addresses are
    /// case-insensitive in practice, and the cluster stores them as typed).
    pub async fn find_user_by_email(&self, email: &str) -> Result<User, FindError> {
        const KIND: &str = "user";
        let all = self
            .user_list()
            .send()
            .await
            .map_err(|source| FindError::Request { kind: KIND, source })?
            .into_inner();
        let matches = all
            .into_iter()
            .filter(|u| {
                u.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
            .collect();
        exactly_one(KIND, format!("email {email:?}"), matches, |u| {
            uid_text(u.uid)
        })
    }

    /// The role named `name` (exact).
    pub async fn find_role_by_name(&self, name: &str) -> Result<Role, FindError> {
        const KIND: &str = "role";
        let all = self
            .role_list()
            .send()
            .await
            .map_err(|source| FindError::Request { kind: KIND, source })?
            .into_inner();
        let matches = all
            .into_iter()
            .filter(|r| r.name.as_deref() == Some(name))
            .collect();
        exactly_one(KIND, format!("name {name:?}"), matches, |r| uid_text(r.uid))
    }
}
