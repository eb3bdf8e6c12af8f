//! The permission check: which management level may call which operation, after
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

use redis_enterprise_api::operations::Operation;

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
