//! Secrets never printed: every member the spec marks `format: password` (passwords, private
//! keys, access keys, tokens) shows as `<redacted>` in `Debug` of its generated type, and in
//! `Debug` of the request builder of every operation that sends the type as its body.
//!
//! The members are read from the spec, their count is asserted, and each type that holds one is
//! formatted with a known secret in every such member.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use redis_enterprise_api::{types, Client, Credentials};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// The secret every marked member is set to; it must never appear in `Debug` output.
const SECRET: &str = "canary-9f3e1d-not-for-display";

/// The members marked in the spec: `(schema, property)`.
fn marked_members() -> (BTreeSet<(String, String)>, Value) {
    let text = include_str!("../../spec/redis-enterprise.yaml");
    let mut spec: serde_yaml::Value = serde_yaml::from_str(text).expect("the spec is YAML");
    spec.apply_merge().expect("merge keys resolve");
    let spec: Value = serde_json::to_value(spec).expect("the spec is JSON-compatible");
    let mut marked = BTreeSet::new();
    let schemas = spec["components"]["schemas"]
        .as_object()
        .expect("components.schemas is a map");
    for (name, schema) in schemas {
        for (prop, def) in schema["properties"].as_object().into_iter().flatten() {
            if def["format"] == "password" {
                marked.insert((name.clone(), prop.clone()));
            }
        }
    }
    (marked, spec)
}

/// A body of `schema` with every marked member set to [`SECRET`] and every other required
/// member set to a value of its type.
fn body(spec: &Value, schema: &str, secrets: &BTreeSet<&str>) -> Value {
    let def = &spec["components"]["schemas"][schema];
    let mut object = serde_json::Map::new();
    for required in def["required"].as_array().into_iter().flatten() {
        let name = required.as_str().expect("required names are strings");
        let value = match def["properties"][name]["type"].as_str() {
            Some("integer") => json!(1),
            Some("number") => json!(1.5),
            Some("boolean") => json!(false),
            Some("array") => json!([]),
            Some("object") => json!({}),
            _ => json!("value"),
        };
        object.insert(name.to_string(), value);
    }
    for secret in secrets {
        object.insert(secret.to_string(), json!(SECRET));
    }
    Value::Object(object)
}

fn debug_of<T: DeserializeOwned + Debug>(body: &Value) -> String {
    let value: T = serde_json::from_value(body.clone()).expect("the body decodes");
    format!("{value:?}\n{value:#?}")
}

/// Every generated type with a marked member, by schema name.
fn formatters() -> BTreeMap<&'static str, fn(&Value) -> String> {
    macro_rules! formatters {
        ($($name:ident),* $(,)?) => {
            BTreeMap::from([$((stringify!($name), debug_of::<types::$name> as fn(&Value) -> String)),*])
        };
    }
    formatters!(
        Bdb,
        BdbBackupLocation,
        BdbCertificateSetRequest,
        BdbDatasetImportSources,
        BdbPasswordRequest,
        BdbProxyCertificate,
        BdbSyncerSources,
        BootstrapCredentials,
        BootstrapUserDefinedModuleCredentials,
        Certificates,
        Cluster,
        ClusterCertificatesGetResponse,
        CrdbClusterInfoCertificateAuth,
        CrdbClusterInfoCredentials,
        CrdbDatabaseConfig,
        Ldap,
        License,
        JwtAuthorize,
        JwtToken,
        User,
        UserCreate,
        UserPasswordAddRequest,
        UserPasswordDeleteRequest,
        UserPasswordUpdateRequest,
    )
}

#[test]
fn generated_types_redact_every_marked_member() {
    let (marked, spec) = marked_members();
    println!("{} members marked `format: password`:", marked.len());
    for (schema, prop) in &marked {
        println!("  {schema}.{prop}");
    }
    assert_eq!(marked.len(), 45, "members marked `format: password`");
    let mut by_schema: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (schema, prop) in &marked {
        by_schema.entry(schema).or_default().insert(prop);
    }
    let formatters = formatters();
    assert_eq!(
        by_schema.keys().copied().collect::<Vec<_>>(),
        formatters.keys().copied().collect::<Vec<_>>(),
        "every schema with a secret is formatted by this test"
    );
    let mut checked = 0;
    for (schema, secrets) in &by_schema {
        let text = formatters[schema](&body(&spec, schema, secrets));
        assert!(!text.contains(SECRET), "{schema} prints a secret:\n{text}");
        assert_eq!(
            text.matches("<redacted>").count(),
            2 * secrets.len(),
            "{schema}: each of {secrets:?} redacted in `{{:?}}` and `{{:#?}}`:\n{text}"
        );
        checked += secrets.len();
    }
    assert_eq!(checked, 45);
}

#[test]
#[allow(deprecated)] // `cluster_certificate_update` is deprecated and still sends a private key
fn request_builders_redact_their_bodies() {
    let (marked, spec) = marked_members();
    let secrets = |schema: &str| -> BTreeSet<&str> {
        marked
            .iter()
            .filter(|(s, _)| s == schema)
            .map(|(_, p)| p.as_str())
            .collect()
    };
    let decode = |schema: &str| body(&spec, schema, &secrets(schema));
    let client = Client::new(
        "https://127.0.0.1:9443",
        Credentials::basic("admin@example.com", SECRET),
    )
    .expect("a client builds without connecting");

    let bdb: types::Bdb = serde_json::from_value(decode("Bdb")).expect("Bdb");
    let bdb_password: types::BdbPasswordRequest =
        serde_json::from_value(decode("BdbPasswordRequest")).expect("BdbPasswordRequest");
    let bdb_cert: types::BdbCertificateSetRequest =
        serde_json::from_value(decode("BdbCertificateSetRequest")).expect("certificate");
    let cluster: types::Cluster = serde_json::from_value(decode("Cluster")).expect("Cluster");
    let certificates: types::Certificates =
        serde_json::from_value(decode("Certificates")).expect("Certificates");
    let ldap: types::Ldap = serde_json::from_value(decode("Ldap")).expect("Ldap");
    let user_create: types::UserCreate =
        serde_json::from_value(decode("UserCreate")).expect("UserCreate");
    let user: types::User = serde_json::from_value(decode("User")).expect("User");
    let authorize: types::JwtAuthorize =
        serde_json::from_value(decode("JwtAuthorize")).expect("JwtAuthorize");
    let password_update: types::UserPasswordUpdateRequest =
        serde_json::from_value(decode("UserPasswordUpdateRequest")).expect("update");
    let password_add: types::UserPasswordAddRequest =
        serde_json::from_value(decode("UserPasswordAddRequest")).expect("add");
    let password_delete: types::UserPasswordDeleteRequest =
        serde_json::from_value(decode("UserPasswordDeleteRequest")).expect("delete");

    let builders: Vec<(&str, String)> = vec![
        ("bdb_create", format!("{:?}", client.bdb_create(&bdb))),
        ("bdb_update", format!("{:?}", client.bdb_update(1, &bdb))),
        (
            "bdb_update_with_action",
            format!("{:?}", client.bdb_update_with_action(1, "flush", &bdb)),
        ),
        (
            "bdb_password_update",
            format!("{:?}", client.bdb_password_update(1, &bdb_password)),
        ),
        (
            "bdb_password_add",
            format!("{:?}", client.bdb_password_add(1, &bdb_password)),
        ),
        (
            "bdb_password_delete",
            format!("{:?}", client.bdb_password_delete(1, &bdb_password)),
        ),
        (
            "bdb_certificate_set",
            format!("{:?}", client.bdb_certificate_set(1, &bdb_cert)),
        ),
        (
            "cluster_update",
            format!("{:?}", client.cluster_update(&cluster)),
        ),
        (
            "cluster_certificate_update",
            format!("{:?}", client.cluster_certificate_update(&certificates)),
        ),
        (
            "cluster_ldap_update",
            format!("{:?}", client.cluster_ldap_update(&ldap)),
        ),
        (
            "user_create",
            format!("{:?}", client.user_create(&user_create)),
        ),
        ("user_update", format!("{:?}", client.user_update(1, &user))),
        (
            "user_authorize",
            format!("{:?}", client.user_authorize(&authorize)),
        ),
        (
            "user_password_update",
            format!("{:?}", client.user_password_update(&password_update)),
        ),
        (
            "user_password_add",
            format!("{:?}", client.user_password_add(&password_add)),
        ),
        (
            "user_password_delete",
            format!("{:?}", client.user_password_delete(&password_delete)),
        ),
    ];
    // Every operation whose JSON body is a type with a secret.
    let mut expected = BTreeSet::new();
    for item in spec["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("a path item").values() {
            // A refinement (`allOf: [$ref, {required: ...}]`, the members a create requires)
            // sends the type it refines.
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            let schema = body["$ref"]
                .as_str()
                .or_else(|| body["allOf"][0]["$ref"].as_str())
                .and_then(|r| r.rsplit('/').next());
            if schema.is_some_and(|s| !secrets(s).is_empty()) {
                expected.insert(op["operationId"].as_str().expect("an operationId"));
            }
        }
    }
    assert_eq!(
        builders.iter().map(|(op, _)| *op).collect::<BTreeSet<_>>(),
        expected,
        "every operation that sends a secret is formatted by this test"
    );
    for (op, text) in &builders {
        assert!(
            !text.contains(SECRET),
            "{op}'s builder prints a secret:\n{text}"
        );
        assert!(text.contains("<redacted>"), "{op}: {text}");
    }
    assert_eq!(builders.len(), 16);
}
