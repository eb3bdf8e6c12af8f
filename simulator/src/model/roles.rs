//! Roles, Redis ACLs and LDAP mappings: CRUD with uid assignment, duplicate names, a role
//! still in use, and the last admin (a role change that leaves no admin is refused). The
//! permission check is [`super::permissions`].

use std::collections::BTreeMap;

use redis_enterprise_api::types;
use serde_json::{Map, Value};

use super::{decode, users, ModelError};
use crate::state::Store;
use crate::Shared;

/// Every role.
pub(crate) fn list(shared: &Shared) -> Vec<types::Role> {
    shared.with_store(|s| s.roles.values().cloned().collect())
}

/// One role.
pub(crate) fn get(shared: &Shared, uid: i64) -> Result<types::Role, ModelError> {
    shared.with_store(|s| {
        s.roles
            .get(&uid)
            .cloned()
            .ok_or_else(|| ModelError::not_found("role", uid))
    })
}

fn name_taken(s: &Store, name: &str, except: Option<i64>) -> bool {
    s.roles
        .iter()
        .any(|(u, r)| Some(*u) != except && r.name.as_deref() == Some(name))
}

/// Creates a role (`name` and `management` required, the name free, a given uid positive and
/// free).
pub(crate) fn create(
    shared: &Shared,
    mut role: types::Role,
    dry_run: bool,
) -> Result<types::Role, ModelError> {
    let name = role
        .name
        .clone()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ModelError::invalid("missing_field", "name is required"))?;
    if role.management.is_none() {
        return Err(ModelError::invalid(
            "missing_field",
            "management is required",
        ));
    }
    let role = shared.with_store(|s| {
        if name_taken(s, &name, None) {
            return Err(ModelError::invalid(
                "name_already_exists",
                format!("a role named {name:?} exists"),
            ));
        }
        let uid = match role.uid {
            // A path names a role by a positive uid: a role with another could not be
            // read, changed or deleted.
            Some(uid) if uid < 1 => {
                return Err(ModelError::invalid(
                    "invalid_uid",
                    format!("a role uid is a positive integer, not {uid}"),
                ))
            }
            Some(uid) if s.roles.contains_key(&uid) => {
                return Err(ModelError::invalid(
                    "uid_exists",
                    format!("role uid {uid} is in use"),
                ))
            }
            Some(uid) => uid,
            None => Store::next_uid(&s.roles),
        };
        let given = role.uid.is_some();
        role.uid = Some(uid);
        role.action_uid = None;
        if !dry_run {
            s.roles.insert(uid, role.clone());
        } else if !given {
            // A dry run creates nothing, so it names no uid the caller did not choose.
            role.uid = None;
        }
        Ok(role)
    })?;
    shared.persist();
    Ok(role)
}

/// Merges `changes` (a body valid against `Role`) into a role; its uid stays, its name must be
/// free, and at least one admin must remain.
pub(crate) fn update(
    shared: &Shared,
    uid: i64,
    changes: &Value,
    dry_run: bool,
) -> Result<types::Role, ModelError> {
    let role = shared.with_store(|s| {
        let current = s
            .roles
            .get(&uid)
            .ok_or_else(|| ModelError::not_found("role", uid))?;
        let mut value = serde_json::to_value(current).unwrap_or(Value::Null);
        if let (Value::Object(map), Value::Object(new)) = (&mut value, changes) {
            for (k, v) in new {
                if k != "uid" && k != "action_uid" {
                    map.insert(k.clone(), v.clone());
                }
            }
        }
        let role: types::Role = decode(value)?;
        if let Some(name) = &role.name {
            if name_taken(s, name, Some(uid)) {
                return Err(ModelError::invalid(
                    "name_already_exists",
                    format!("a role named {name:?} exists"),
                ));
            }
        }
        if !dry_run {
            let mut after = s.clone();
            after.roles.insert(uid, role.clone());
            let admins = after
                .users
                .values()
                .filter(|u| users::management_of(&after, &u.user) == "admin")
                .count();
            if admins == 0 {
                return Err(ModelError::invalid(
                    "change_last_admin_role_not_allowed",
                    "at least one user with the admin role must remain",
                ));
            }
            s.roles.insert(uid, role.clone());
        }
        Ok(role)
    })?;
    shared.persist();
    Ok(role)
}

/// Deletes a role: refused (`role_in_use`) while a user or LDAP mapping has it.
pub(crate) fn delete(shared: &Shared, uid: i64) -> Result<(), ModelError> {
    shared.with_store(|s| {
        if !s.roles.contains_key(&uid) {
            return Err(ModelError::not_found("role", uid));
        }
        let has = |v: Option<&Vec<i64>>| v.is_some_and(|v| v.contains(&uid));
        let used_by_user = s.users.values().any(|u| has(u.user.role_uids.as_ref()));
        let used_by_mapping = s.ldap_mappings.values().any(|m| {
            m.get("role_uids")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|v| v.as_i64() == Some(uid)))
        });
        if used_by_user || used_by_mapping {
            return Err(ModelError::refused(
                "role_in_use",
                format!("role {uid} is still assigned"),
            ));
        }
        s.roles.remove(&uid);
        Ok(())
    })?;
    shared.persist();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Redis ACLs and LDAP mappings: the same CRUD over JSON objects

/// A kind of object kept as JSON with the same CRUD rules.
pub(crate) struct Kind {
    /// Its name in errors (`redis_acl_not_exist`).
    pub what: &'static str,
    /// The spec's schema of its bodies.
    pub schema: &'static str,
    required: &'static [&'static str],
    map: fn(&mut Store) -> &mut BTreeMap<i64, Value>,
}

/// Redis ACLs.
pub(crate) const ACL: Kind = Kind {
    what: "redis_acl",
    schema: "RedisAcl",
    required: &["name", "acl"],
    map: |s| &mut s.redis_acls,
};

/// LDAP mappings.
pub(crate) const LDAP: Kind = Kind {
    what: "ldap_mapping",
    schema: "LdapMapping",
    required: &["name", "dn"],
    map: |s| &mut s.ldap_mappings,
};

/// A CRUD operation on objects of a [`Kind`].
pub(crate) enum Crud {
    /// Every object.
    List,
    /// One object.
    Get(i64),
    /// A new object (required members present, name free); with `dry_run`, nothing is stored.
    Create {
        /// The object.
        object: Map<String, Value>,
        /// Check and answer without storing.
        dry_run: bool,
    },
    /// Members replacing an object's (its uid stays).
    Update(i64, Map<String, Value>),
    /// Removes an object.
    Delete(i64),
}

/// What a [`Crud`] operation answers: the objects, one object, or nothing (a delete).
pub(crate) enum CrudOutcome {
    /// Several objects.
    List(Vec<Value>),
    /// One object.
    One(Value),
    /// Done.
    Deleted,
}

/// Runs a CRUD operation on objects of `kind`.
pub(crate) fn crud(shared: &Shared, kind: &Kind, op: Crud) -> Result<CrudOutcome, ModelError> {
    let changed = !matches!(op, Crud::List | Crud::Get(_));
    let outcome = shared.with_store(|s| {
        let map = (kind.map)(s);
        match op {
            Crud::List => Ok(CrudOutcome::List(map.values().cloned().collect())),
            Crud::Get(uid) => map
                .get(&uid)
                .cloned()
                .map(CrudOutcome::One)
                .ok_or_else(|| ModelError::not_found(kind.what, uid)),
            Crud::Create {
                object: mut obj,
                dry_run,
            } => {
                for field in kind.required {
                    if !obj.contains_key(*field) {
                        return Err(ModelError::invalid(
                            "missing_field",
                            format!("{field} is required"),
                        ));
                    }
                }
                let name = obj.get("name").cloned();
                if map.values().any(|v| v.get("name") == name.as_ref()) {
                    return Err(ModelError::invalid(
                        "name_already_exists",
                        "an object of the same name exists",
                    ));
                }
                let uid = Store::next_uid(map);
                obj.remove("action_uid");
                if dry_run {
                    // A dry run creates nothing, so it names no uid.
                    obj.remove("uid");
                    return Ok(CrudOutcome::One(Value::Object(obj)));
                }
                obj.insert("uid".into(), Value::from(uid));
                let value = Value::Object(obj);
                map.insert(uid, value.clone());
                Ok(CrudOutcome::One(value))
            }
            Crud::Update(uid, obj) => {
                let current = map
                    .get_mut(&uid)
                    .ok_or_else(|| ModelError::not_found(kind.what, uid))?;
                if let Value::Object(cur) = current {
                    for (k, v) in obj {
                        if k != "uid" {
                            cur.insert(k, v);
                        }
                    }
                }
                Ok(CrudOutcome::One(current.clone()))
            }
            Crud::Delete(uid) => match map.remove(&uid) {
                Some(_) => Ok(CrudOutcome::Deleted),
                None => Err(ModelError::not_found(kind.what, uid)),
            },
        }
    })?;
    if changed {
        shared.persist();
    }
    Ok(outcome)
}
