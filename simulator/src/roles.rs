//! Roles, Redis ACLs and LDAP mappings (CRUD with uid assignment, duplicate names, a role still
//! in use), and the permission check: which management level may call which operation, after
//! `permissions.md` of the 8.2 reference, by operation tag and method:
//!
//! - `admin`: everything;
//! - `none`: nothing but signing in (`user_authorize`, `user_refresh_jwt`, `user_role_get`);
//! - every level but `none`: its own passwords (`user_password_*`; another user's needs `admin`);
//! - every other level reads everything except users and LDAP settings (only `admin` and
//!   `user_manager` hold `view_all_users_info`, `view_ldap_config`);
//! - `db_member`, `cluster_member`: also change databases, shards and Active-Active databases
//!   (`create_bdb`, `update_bdb`, `delete_bdb`, `migrate_shard`, …);
//! - `user_manager`: also change users, roles, Redis ACLs, LDAP mappings, the LDAP settings,
//!   proxies and the license (`create_new_user`, `install_new_license`, `update_proxy`, …);
//! - `db_viewer`, `cluster_viewer`: nothing else.
//!
//! Per-database role scopes (`resources`) are stored but not enforced.

use std::collections::BTreeMap;
use std::sync::Arc;

use redis_enterprise_api::operations::Operation;
use redis_enterprise_api::types;
use serde_json::Value;

use crate::api::{decode, ApiError, Handler, Reply, Req};
use crate::state::Store;
use crate::{schema, users, Shared};

/// Whether a management level may call an operation.
pub(crate) fn allowed(management: &str, op: &Operation) -> bool {
    if matches!(op.id, "user_authorize" | "user_refresh_jwt") {
        return true;
    }
    // Any user may read its own role and change its own passwords (the handler refuses other
    // users' passwords to non-admins).
    if matches!(
        op.id,
        "user_role_get" | "user_password_update" | "user_password_add" | "user_password_delete"
    ) {
        return management != "none" || op.id == "user_role_get";
    }
    let read = op.method == "GET";
    let user_admin = matches!(op.tag, "users" | "roles" | "redis_acls" | "ldap_mappings")
        || matches!(
            op.id,
            "cluster_ldap_get" | "cluster_ldap_update" | "cluster_ldap_delete"
        )
        || matches!(op.tag, "license" | "proxies");
    let database = matches!(op.tag, "bdbs" | "crdbs" | "shards" | "crdb_tasks");
    let user_info = matches!(op.tag, "users" | "ldap_mappings") || op.id == "cluster_ldap_get";
    match management {
        "admin" => true,
        "none" => false,
        "user_manager" => read || user_admin,
        "db_member" | "cluster_member" => (read && !user_info) || database,
        "db_viewer" | "cluster_viewer" => read && !user_info,
        _ => false,
    }
}

/// `GET /v1/roles`.
pub(crate) fn list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    shared.with_store(|s| Ok(Reply::of(&s.roles.values().collect::<Vec<_>>())))
}

/// `GET /v1/roles/{uid}`.
pub(crate) fn get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    shared.with_store(|s| match s.roles.get(&uid) {
        Some(r) => Ok(Reply::of(r)),
        None => Err(req.missing("role", uid)),
    })
}

fn name_taken(s: &Store, name: &str, except: Option<i64>) -> bool {
    s.roles
        .iter()
        .any(|(u, r)| Some(*u) != except && r.name.as_deref() == Some(name))
}

/// `POST /v1/roles`.
pub(crate) fn create(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    schema::validate_named(&body, "Role").map_err(|e| ApiError::new(400, "invalid_schema", e))?;
    let mut role: types::Role = decode(body)?;
    let name = role
        .name
        .clone()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::new(400, "missing_field", "name is required"))?;
    if role.management.is_none() {
        return Err(ApiError::new(
            400,
            "missing_field",
            "management is required",
        ));
    }
    let dry_run = req.query_flag("dry_run");
    let reply = shared.with_store(|s| {
        if name_taken(s, &name, None) {
            return Err(ApiError::new(
                400,
                "name_already_exists",
                format!("a role named {name:?} exists"),
            ));
        }
        let uid = match role.uid {
            Some(uid) if s.roles.contains_key(&uid) => {
                return Err(ApiError::new(
                    400,
                    "uid_exists",
                    format!("role uid {uid} is in use"),
                ))
            }
            Some(uid) => uid,
            None => Store::next_uid(&s.roles),
        };
        role.uid = Some(uid);
        role.action_uid = None;
        if !dry_run {
            s.roles.insert(uid, role.clone());
        }
        Ok(Reply::of(&role))
    })?;
    shared.persist();
    Ok(reply)
}

/// `PUT /v1/roles/{uid}`.
pub(crate) fn update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = req.json_value()?;
    schema::validate_named(&body, "Role").map_err(|e| ApiError::new(400, "invalid_schema", e))?;
    let dry_run = req.query_flag("dry_run");
    let reply = shared.with_store(|s| {
        let current = s.roles.get(&uid).ok_or_else(|| req.missing("role", uid))?;
        let mut value = serde_json::to_value(current).unwrap_or(Value::Null);
        if let (Value::Object(map), Value::Object(new)) = (&mut value, &body) {
            for (k, v) in new {
                if k != "uid" && k != "action_uid" {
                    map.insert(k.clone(), v.clone());
                }
            }
        }
        let role: types::Role = decode(value)?;
        if let Some(name) = &role.name {
            if name_taken(s, name, Some(uid)) {
                return Err(ApiError::new(
                    400,
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
                return Err(ApiError::new(
                    400,
                    "change_last_admin_role_not_allowed",
                    "at least one user with the admin role must remain",
                ));
            }
            s.roles.insert(uid, role.clone());
        }
        Ok(Reply::of(&role))
    })?;
    shared.persist();
    Ok(reply)
}

/// `DELETE /v1/roles/{uid}`: refused (406 `role_in_use`) while a user or LDAP mapping has it.
pub(crate) fn delete(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    shared.with_store(|s| {
        if !s.roles.contains_key(&uid) {
            return Err(req.missing("role", uid));
        }
        let has = |v: Option<&Vec<i64>>| v.is_some_and(|v| v.contains(&uid));
        let used_by_user = s.users.values().any(|u| has(u.user.role_uids.as_ref()));
        let used_by_mapping = s.ldap_mappings.values().any(|m| {
            m.get("role_uids")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|v| v.as_i64() == Some(uid)))
        });
        if used_by_user || used_by_mapping {
            return Err(ApiError::new(
                406,
                "role_in_use",
                format!("role {uid} is still assigned"),
            ));
        }
        s.roles.remove(&uid);
        Ok(())
    })?;
    shared.persist();
    Ok(Reply::empty(200))
}

// ---------------------------------------------------------------------------------------------
// Redis ACLs and LDAP mappings: the same CRUD over JSON objects

struct Kind {
    what: &'static str,
    schema: &'static str,
    required: &'static [&'static str],
    map: fn(&mut Store) -> &mut BTreeMap<i64, Value>,
}

const ACL: Kind = Kind {
    what: "redis_acl",
    schema: "RedisAcl",
    required: &["name", "acl"],
    map: |s| &mut s.redis_acls,
};

const LDAP: Kind = Kind {
    what: "ldap_mapping",
    schema: "LdapMapping",
    required: &["name", "dn"],
    map: |s| &mut s.ldap_mappings,
};

/// Redis ACL CRUD.
pub(crate) fn acl_crud(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    crud(shared, req, &ACL)
}

/// LDAP mapping CRUD.
pub(crate) fn ldap_crud(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    crud(shared, req, &LDAP)
}

fn crud(shared: &Arc<Shared>, req: &Req, kind: &Kind) -> Result<Reply, ApiError> {
    let verb = req.op.id.rsplit('_').next().unwrap_or_default();
    let body = if matches!(verb, "create" | "update") {
        let body = req.json_value()?;
        schema::validate_named(&body, kind.schema)
            .map_err(|e| ApiError::new(400, "invalid_schema", e))?;
        Some(body)
    } else {
        None
    };
    let uid = if matches!(verb, "get" | "update" | "delete") {
        Some(req.int_param("uid")?)
    } else {
        None
    };
    let changed = matches!(verb, "create" | "update" | "delete");
    let reply = shared.with_store(|s| {
        let map = (kind.map)(s);
        match (verb, uid, body) {
            ("list", _, _) => Ok(Reply::ok(Value::Array(map.values().cloned().collect()))),
            ("get", Some(uid), _) => map
                .get(&uid)
                .cloned()
                .map(Reply::ok)
                .ok_or_else(|| req.missing(kind.what, uid)),
            ("create", _, Some(Value::Object(mut obj))) => {
                for field in kind.required {
                    if !obj.contains_key(*field) {
                        return Err(ApiError::new(
                            400,
                            "missing_field",
                            format!("{field} is required"),
                        ));
                    }
                }
                let name = obj.get("name").cloned();
                if map.values().any(|v| v.get("name") == name.as_ref()) {
                    return Err(ApiError::new(
                        400,
                        "name_already_exists",
                        "an object of the same name exists",
                    ));
                }
                let uid = Store::next_uid(map);
                obj.insert("uid".into(), Value::from(uid));
                obj.remove("action_uid");
                let value = Value::Object(obj);
                if !req.query_flag("dry_run") {
                    map.insert(uid, value.clone());
                }
                Ok(Reply::ok(value))
            }
            ("update", Some(uid), Some(Value::Object(obj))) => {
                let current = map
                    .get_mut(&uid)
                    .ok_or_else(|| req.missing(kind.what, uid))?;
                if let Value::Object(cur) = current {
                    for (k, v) in obj {
                        if k != "uid" {
                            cur.insert(k, v);
                        }
                    }
                }
                Ok(Reply::ok(current.clone()))
            }
            ("delete", Some(uid), _) => match map.remove(&uid) {
                Some(_) => Ok(Reply::empty(200)),
                None => Err(req.missing(kind.what, uid)),
            },
            _ => Err(ApiError::new(
                400,
                "invalid_schema",
                "the body must be a JSON object",
            )),
        }
    })?;
    if changed {
        shared.persist();
    }
    Ok(reply)
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    let mut ops = vec![
        ("role_list", Handler::Sync(list)),
        ("role_get", Handler::Sync(get)),
        ("role_create", Handler::Sync(create)),
        ("role_update", Handler::Sync(update)),
        ("role_delete", Handler::Sync(delete)),
    ];
    for id in [
        "redis_acl_list",
        "redis_acl_get",
        "redis_acl_create",
        "redis_acl_update",
        "redis_acl_delete",
    ] {
        ops.push((id, Handler::Sync(acl_crud)));
    }
    for id in [
        "ldap_mapping_list",
        "ldap_mapping_get",
        "ldap_mapping_create",
        "ldap_mapping_update",
        "ldap_mapping_delete",
    ] {
        ops.push((id, Handler::Sync(ldap_crud)));
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis_enterprise_api::operations::operation;

    fn may(management: &str, id: &str) -> bool {
        allowed(management, operation(id).expect("a spec operation"))
    }

    #[test]
    fn permissions_follow_the_reference() {
        // (role, operation, allowed) after permissions.md.
        let table = [
            ("admin", "cluster_update", true),
            ("admin", "user_delete", true),
            ("db_viewer", "bdb_list", true),
            ("db_viewer", "bdb_create", false),
            ("db_viewer", "bdb_update", false),
            ("db_viewer", "user_list", false),
            ("db_viewer", "user_password_add", true),
            ("db_member", "bdb_create", true),
            ("db_member", "bdb_delete", true),
            ("db_member", "shard_action_migrate", true),
            ("db_member", "cluster_update", false),
            ("db_member", "user_create", false),
            ("cluster_member", "crdb_create", true),
            ("cluster_member", "license_update", false),
            ("cluster_viewer", "node_list", true),
            ("cluster_viewer", "role_create", false),
            ("user_manager", "user_create", true),
            ("user_manager", "role_delete", true),
            ("user_manager", "license_update", true),
            ("user_manager", "user_list", true),
            ("user_manager", "bdb_create", false),
            ("none", "bdb_list", false),
            ("none", "user_authorize", true),
            ("none", "user_role_get", true),
            ("none", "user_password_update", false),
        ];
        for (role, id, expected) in table {
            assert_eq!(may(role, id), expected, "{role} on {id}");
        }
        assert_eq!(table.len(), 25);
    }
}
