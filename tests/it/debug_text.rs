//! The generated `Debug` impls are written by codegen (so that they are `#[inline]` and compiled
//! only where used, BENCHMARKS.md §4), not derived; they must print exactly what the derive
//! printed, compact and pretty. Each case compares a generated type with a derived mirror of the
//! same name, fields and values.

use redis_enterprise_api::types;

#[allow(dead_code)] // the fields are read by the derived `Debug` only
mod mirror {
    #[derive(Debug)]
    pub enum AlertSeverity {
        Critical,
        Unknown(String),
        UnknownScalar(String),
    }

    #[derive(Debug)]
    pub struct ActionUid {
        pub action_uid: Option<String>,
        pub extra: serde_json::Map<String, serde_json::Value>,
    }
}

fn both(generated: &dyn std::fmt::Debug, derived: &dyn std::fmt::Debug) -> usize {
    assert_eq!(format!("{generated:?}"), format!("{derived:?}"));
    assert_eq!(format!("{generated:#?}"), format!("{derived:#?}"));
    1
}

#[test]
fn generated_debug_prints_what_the_derive_printed() {
    let mut extra = serde_json::Map::new();
    extra.insert("new_member".into(), serde_json::json!([1, "two"]));
    let mut uid = types::ActionUid::default();
    uid.action_uid = Some("a-1".into());
    uid.extra = extra.clone();
    let compared = both(
        &types::AlertSeverity::Critical,
        &mirror::AlertSeverity::Critical,
    ) + both(
        &types::AlertSeverity::from("FATAL"),
        &mirror::AlertSeverity::Unknown("FATAL".into()),
    ) + both(
        &<types::AlertSeverity as redis_enterprise_api::lenient::OpenEnum>::from_json_scalar(
            "3".into(),
        ),
        &mirror::AlertSeverity::UnknownScalar("3".into()),
    ) + both(
        &uid,
        &mirror::ActionUid {
            action_uid: Some("a-1".into()),
            extra,
        },
    ) + both(
        &types::ActionUid::default(),
        &mirror::ActionUid {
            action_uid: None,
            extra: serde_json::Map::new(),
        },
    );
    assert_eq!(compared, 5);
}
