//! What the simulator refuses to pretend: the operations in [`NOT_MODELLED`] are answered with
//! `not_modelled` (see [`super::ModelError::not_modelled`]) naming what it does not model.

/// Operations the simulator refuses with 501, and what it does not model for each.
pub const NOT_MODELLED: &[(&str, &str)] = &[
    (
        "bdb_action_recover_plan_get",
        "persistence files (each redis-server runs without persistence, and a database of several shards is one process: there is no file per shard to plan a recovery from)",
    ),
];

/// What the simulator does not model for operation `id`, when it answers it with 501.
pub(crate) fn not_modelled_reason(id: &str) -> Option<&'static str> {
    NOT_MODELLED
        .iter()
        .find(|(op, _)| *op == id)
        .map(|(_, why)| *why)
}
