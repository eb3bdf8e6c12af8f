//! What the simulator refuses to pretend: the operations in [`NOT_MODELLED`] are answered with
//! `not_modelled` (see [`super::ModelError::not_modelled`]) naming what it does not model.

/// Operations the simulator refuses with 501, and what it does not model for each.
pub const NOT_MODELLED: &[(&str, &str)] = &[
    (
        "bdb_action_optimize_shards_placement",
        "shard placement across nodes (a database runs as one redis-server)",
    ),
    (
        "bdb_action_rebalance",
        "shard placement across nodes (a database runs as one redis-server)",
    ),
    (
        "bdb_action_revamp",
        "shard placement across nodes (a database runs as one redis-server)",
    ),
    (
        "bdb_action_recover_plan_get",
        "persistence files (the simulator keeps none to plan a recovery from)",
    ),
    (
        "bdb_action_stop_traffic",
        "proxies (clients reach the redis-server directly)",
    ),
    (
        "bdb_action_resume_traffic",
        "proxies (clients reach the redis-server directly)",
    ),
    (
        "bdb_alerts_update",
        "per-database alert settings (alerts are raised from live memory use only)",
    ),
    (
        "bdb_crdt_source_alerts_list_all",
        "Active-Active sources and their alerts",
    ),
    (
        "bdb_crdt_source_alerts_list",
        "Active-Active sources and their alerts",
    ),
    (
        "bdb_crdt_source_alerts_get",
        "Active-Active sources and their alerts",
    ),
    (
        "bdb_crdt_source_alert_get",
        "Active-Active sources and their alerts",
    ),
    (
        "bdb_replica_source_alerts_list_all",
        "Replica Of sources and their alerts",
    ),
    (
        "bdb_replica_source_alerts_list",
        "Replica Of sources and their alerts",
    ),
    (
        "bdb_replica_source_alerts_get",
        "Replica Of sources and their alerts",
    ),
    (
        "bdb_replica_source_alert_get",
        "Replica Of sources and their alerts",
    ),
    ("bdb_debuginfo_get_all", "debug-info packages"),
    ("bdb_debuginfo_get", "debug-info packages"),
    (
        "bdb_modules_config",
        "modules (the redis-server loads none)",
    ),
    (
        "bdb_modules_upgrade",
        "modules (the redis-server loads none)",
    ),
    ("bdb_peer_stats_list", "Active-Active peers"),
    ("bdb_peer_stats_get", "Active-Active peers"),
    (
        "bdb_sync_source_stats_list",
        "Replica Of and Active-Active sync sources",
    ),
    (
        "bdb_sync_source_stats_get",
        "Replica Of and Active-Active sync sources",
    ),
    (
        "bdb_syncer_state_get",
        "the syncer process of Replica Of and Active-Active",
    ),
    (
        "bdb_syncer_state_crdt_get",
        "the syncer process of Replica Of and Active-Active",
    ),
    (
        "bdb_syncer_state_replica_get",
        "the syncer process of Replica Of and Active-Active",
    ),
    (
        "bdb_certificate_list",
        "per-database TLS certificates (the redis-server serves no TLS)",
    ),
    (
        "bdb_certificate_get",
        "per-database TLS certificates (the redis-server serves no TLS)",
    ),
    (
        "bdb_certificate_set",
        "per-database TLS certificates (the redis-server serves no TLS)",
    ),
    (
        "bdb_certificate_delete",
        "per-database TLS certificates (the redis-server serves no TLS)",
    ),
];

/// What the simulator does not model for operation `id`, when it answers it with 501.
pub(crate) fn not_modelled_reason(id: &str) -> Option<&'static str> {
    NOT_MODELLED
        .iter()
        .find(|(op, _)| *op == id)
        .map(|(_, why)| *why)
}
