//! Request bodies read like the calls: the types sent as request bodies have chainable setters
//! taking `impl Into<_>`, which set optional members to `Some` and required ones directly.

use redis_enterprise_api::types::{Bdb, JwtAuthorize};

const MB: i64 = 1024 * 1024;

#[test]
fn chained_setters_set_the_members() {
    let bdb = Bdb::default()
        .name("cache")
        .memory_size(100 * MB)
        .replication(true);
    let mut assigned = Bdb::default();
    assigned.name = Some("cache".to_string());
    assigned.memory_size = Some(100 * MB);
    assigned.replication = Some(true);
    assert_eq!(bdb, assigned);

    // A required member is set directly; a later call replaces an earlier one.
    let login = JwtAuthorize::new("first".into(), "admin@example.com".into())
        .password("second")
        .ttl(60);
    assert_eq!(login.password, "second");
    assert_eq!(login.username, "admin@example.com");
    assert_eq!(login.ttl, Some(60));
}
