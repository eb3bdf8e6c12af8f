//! The module catalogue: a package upload adds the module its `module.json` names to
//! `/v1/modules`, a delete removes it, custom module definitions and node artifacts likewise;
//! malformed packages are refused with an error body; module upgrades of a database refuse a
//! module the cluster lacks or the database does not run.

use std::io::Write;

use redis_enterprise_simulator::Simulator;
use serde_json::{json, Value};

use crate::common;

/// Starts a simulator without redis-servers impersonating `release`.
async fn start(release: &str) -> Simulator {
    common::builder()
        .no_redis(true)
        .release(release)
        .start()
        .await
        .expect("the simulator starts")
}

/// Sends a request as the admin with an optional body and content type; returns the status and
/// the JSON body (`null` for none).
async fn send(
    sim: &Simulator,
    method: &str,
    path: &str,
    body: Option<(&str, Vec<u8>)>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut req = common::raw_client(sim)
        .request(method, format!("{}{path}", sim.base_url()))
        .header("authorization", common::admin_auth(sim));
    if let Some((content_type, bytes)) = body {
        req = req.header("content-type", content_type).body(bytes);
    }
    let resp = req.send().await.expect("the simulator answers");
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.expect("a body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn json_call(sim: &Simulator, method: &str, path: &str, body: Value) -> (u16, Value) {
    let body = ("application/json", body.to_string().into_bytes());
    send(sim, method, path, Some(body)).await
}

/// A zip holding `files` (name, content), deflated or stored.
fn zip(files: &[(&str, &[u8])], deflated: bool) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if deflated {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, content) in files {
        out.start_file(*name, options).expect("a zip entry");
        out.write_all(content).expect("written");
    }
    out.finish().expect("a zip").into_inner()
}

/// A module package whose `module.json` is `meta`, with a binary beside it.
fn package(meta: &Value, deflated: bool) -> Vec<u8> {
    let meta = meta.to_string();
    zip(
        &[
            ("module.json", meta.as_bytes()),
            ("module.so", b"\x7fELF not really".as_slice()),
        ],
        deflated,
    )
}

/// A `multipart/form-data` body with one file part `name`; returns its content type and bytes.
fn multipart(name: &str, file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "------------------------4751ac3b332ace13";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; \
         filename=\"{file_name}\"\r\nContent-Type: application/zip\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(sim: &Simulator, path: &str, content: &[u8]) -> (u16, Value) {
    let (ct, body) = multipart("module", "custom.Linux-x86_64.1.2.3.zip", content);
    send(sim, "POST", path, Some((&ct, body))).await
}

fn meta(name: &str, version: i64) -> Value {
    json!({
        "module_name": name,
        "version": version,
        "semantic_version": "1.2.3",
        "display_name": "Custom",
        "author": "someone",
        "capabilities": ["types", "backup_restore"],
        "commands": [{"command_name": "custom.get", "command_arity": 2}],
        "os": "Linux",
        "crdb": {"name": "custom", "supported_featureset_versions": [1]},
    })
}

async fn list(sim: &Simulator) -> Vec<Value> {
    let (status, modules) = send(sim, "GET", "/v1/modules", None).await;
    assert_eq!(status, 200);
    modules.as_array().expect("a list").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_catalogue_lists_the_bundled_modules_and_nothing_else() {
    let _process = common::share_the_process().await;
    let sim = start("8.2").await;
    let modules = list(&sim).await;
    assert!(!modules.is_empty());
    for module in &modules {
        assert_eq!(module["is_bundled"], true);
        let uid = module["uid"].as_str().expect("a uid");
        let (status, got) = send(&sim, "GET", &format!("/v1/modules/{uid}"), None).await;
        assert_eq!((status, &got), (200, module));
    }
    let (status, got) = send(&sim, "GET", "/v1/modules/0123456789abcdef", None).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (404, Some("module_not_exist"))
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_package_is_listed_until_deleted_v2() {
    let _process = common::share_the_process().await;
    let sim = start("7.22").await;
    let (status, module) =
        upload(&sim, "/v2/modules", &package(&meta("custom", 10203), true)).await;
    assert_eq!(status, 200, "{module}");
    let uid = module["uid"].as_str().expect("a uid").to_string();
    assert_eq!(module["module_name"], "custom");
    assert_eq!(module["version"], 10203);
    assert_eq!(module["semantic_version"], "1.2.3");
    assert_eq!(module["is_bundled"], false);
    assert_eq!(module["module_file"], "custom.Linux-x86_64.1.2.3.zip");
    assert_eq!(
        module["crdb"],
        json!({"supported_featureset_versions": [1]})
    );
    assert!(
        module.get("commands").is_none(),
        "not a member of the module object"
    );
    let client = common::client(&sim);
    let action = module["action_uid"].as_str().expect("an action");
    client
        .wait_for_action(action, common::wait())
        .await
        .expect("the upload completes");

    let listed: Vec<Value> = list(&sim)
        .await
        .into_iter()
        .filter(|m| m["uid"] == uid.as_str())
        .collect();
    assert_eq!(listed.len(), 1);
    let (status, got) = send(&sim, "GET", &format!("/v1/modules/{uid}"), None).await;
    assert_eq!((status, got["module_name"].as_str()), (200, Some("custom")));

    // The same name and version again: already there.
    let (status, got) = upload(&sim, "/v2/modules", &package(&meta("custom", 10203), false)).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (400, Some("module_exists"))
    );

    let (status, got) = send(&sim, "DELETE", &format!("/v2/modules/{uid}"), None).await;
    assert_eq!(status, 200, "{got}");
    client
        .wait_for_action(
            got["action_uid"].as_str().expect("an action"),
            common::wait(),
        )
        .await
        .expect("the delete completes");
    let (status, _) = send(&sim, "GET", &format!("/v1/modules/{uid}"), None).await;
    assert_eq!(status, 404);
    assert!(list(&sim).await.iter().all(|m| m["uid"] != uid.as_str()));
    let (status, got) = send(&sim, "DELETE", &format!("/v2/modules/{uid}"), None).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (404, Some("module_not_exist"))
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v1_upload_refuses_dependencies_and_its_delete_removes_the_module() {
    let _process = common::share_the_process().await;
    let sim = start("7.22").await;
    let mut with_deps = meta("gears", 10201);
    with_deps["dependencies"] =
        json!({"gears_python": {"sha256": "00", "url": "http://example.com/x.tgz"}});
    let (status, got) = upload(&sim, "/v1/modules", &package(&with_deps, true)).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (400, Some("dependencies_not_supported"))
    );
    assert!(list(&sim).await.iter().all(|m| m["module_name"] != "gears"));

    let (status, _) = upload(&sim, "/v1/modules", &package(&meta("plain", 1), false)).await;
    assert_eq!(status, 200);
    let uid = list(&sim)
        .await
        .into_iter()
        .find(|m| m["module_name"] == "plain")
        .and_then(|m| m["uid"].as_str().map(str::to_string))
        .expect("the uploaded module is listed");
    let (status, _) = send(&sim, "DELETE", &format!("/v1/modules/{uid}"), None).await;
    assert_eq!(status, 200);
    let (status, _) = send(&sim, "GET", &format!("/v1/modules/{uid}"), None).await;
    assert_eq!(status, 404);
    let (status, _) = send(&sim, "DELETE", &format!("/v1/modules/{uid}"), None).await;
    assert_eq!(status, 404);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_package_is_refused_with_an_error_body() {
    let _process = common::share_the_process().await;
    let sim = start("7.22").await;
    let before = list(&sim).await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not a zip",
            b"PK not a zip at all".to_vec(),
            "invalid_module",
        ),
        (
            "no module.json",
            zip(&[("module.so", b"x")], true),
            "invalid_module",
        ),
        (
            "module.json not JSON",
            zip(&[("module.json", b"{nope")], false),
            "invalid_module",
        ),
        (
            "module.json a list",
            zip(&[("module.json", b"[1]")], false),
            "invalid_module",
        ),
        (
            "no version",
            package(&json!({"module_name": "x"}), true),
            "invalid_module",
        ),
        (
            "no name",
            package(&json!({"version": 1}), true),
            "invalid_module",
        ),
    ];
    for path in ["/v1/modules", "/v2/modules"] {
        for (what, bytes, code) in &cases {
            let (status, got) = upload(&sim, path, bytes).await;
            assert_eq!(
                (status, got["error_code"].as_str()),
                (400, Some(*code)),
                "{path}: {what}"
            );
            assert!(got["description"].is_string(), "{what}: {got}");
        }
        // No `module` part, or no multipart body at all.
        let (ct, body) = multipart("file", "x.zip", &package(&meta("x", 1), true));
        let (status, got) = send(&sim, "POST", path, Some((&ct, body))).await;
        assert_eq!(
            (status, got["error_code"].as_str()),
            (400, Some("no_module"))
        );
        let (status, got) = send(
            &sim,
            "POST",
            path,
            Some(("application/zip", b"PK".to_vec())),
        )
        .await;
        assert_eq!(
            (status, got["error_code"].as_str()),
            (400, Some("no_module"))
        );
    }
    assert_eq!(list(&sim).await, before);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_module_definition_is_listed_until_deleted() {
    let _process = common::share_the_process().await;
    let sim = start("8.2").await;
    let definition = json!({
        "module_name": "TestModule",
        "version": 1,
        "semantic_version": "0.0.1",
        "display_name": "test module",
        "commands": [{"command_name": "test.get", "command_arity": -1}],
        "command_line_args": "",
        "capabilities": ["types"],
        "min_redis_version": "7.4",
    });
    let (status, module) =
        json_call(&sim, "POST", "/v2/modules/user-defined", definition.clone()).await;
    assert_eq!(status, 200, "{module}");
    let uid = module["uid"].as_str().expect("a uid").to_string();
    assert_eq!(module["display_name"], "test module");
    let (status, got) = send(&sim, "GET", &format!("/v1/modules/{uid}"), None).await;
    assert_eq!(
        (status, got["module_name"].as_str()),
        (200, Some("TestModule"))
    );
    assert!(list(&sim).await.iter().any(|m| m["uid"] == uid.as_str()));

    let (status, got) = json_call(&sim, "POST", "/v2/modules/user-defined", definition).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (406, Some("module_exists"))
    );
    let (status, got) = json_call(
        &sim,
        "POST",
        "/v2/modules/user-defined",
        json!({"module_name": "x"}),
    )
    .await;
    assert_eq!(status, 406, "{got}");

    let path = format!("/v2/modules/user-defined/{uid}");
    let (status, _) = send(&sim, "DELETE", &path, None).await;
    assert_eq!(status, 200);
    let (status, _) = send(&sim, "GET", &format!("/v1/modules/{uid}"), None).await;
    assert_eq!(status, 404);
    let (status, got) = send(&sim, "DELETE", &path, None).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (404, Some("module_not_exist"))
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_artifact_is_listed_until_deleted() {
    let _process = common::share_the_process().await;
    let sim = start("8.2").await;
    let artifacts = "/v2/local/modules/user-defined/artifacts";
    let (status, got) = send(&sim, "GET", artifacts, None).await;
    assert_eq!((status, got), (200, json!([])));
    let mut m = meta("TestModule", 123);
    m["dependencies"] = json!({"dep_1": {"url": "http://example.com/d.tgz", "sha256": "00"}});
    let (status, got) = upload(&sim, artifacts, &package(&m, true)).await;
    assert_eq!(status, 200, "{got}");
    let (_, got) = send(&sim, "GET", artifacts, None).await;
    assert_eq!(
        got,
        json!([{"module_name": "TestModule", "version": 123, "dependencies": ["dep_1"]}])
    );

    let (status, got) = upload(
        &sim,
        artifacts,
        &package(&json!({"module_name": "x"}), true),
    )
    .await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (406, Some("invalid_metadata"))
    );
    let (status, got) = upload(&sim, artifacts, b"not a zip").await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (400, Some("invalid_module"))
    );

    let one = format!("{artifacts}/TestModule/123");
    let (status, _) = send(&sim, "DELETE", &one, None).await;
    assert_eq!(status, 200);
    let (status, _) = send(&sim, "DELETE", &one, None).await;
    assert_eq!(status, 404);
    let (_, got) = send(&sim, "GET", artifacts, None).await;
    assert_eq!(got, json!([]));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_upgrade_names_an_installed_module_the_database_runs() {
    let _process = common::share_the_process().await;
    for release in ["8.2", "7.22"] {
        let sim = start(release).await;
        let bundled = list(&sim).await[0].clone();
        let bundled_uid = bundled["uid"].as_str().expect("a uid");
        let client = common::client(&sim);
        let mut db = redis_enterprise_api::types::Bdb::default();
        db.name = Some("plain".into());
        db.memory_size = Some(64 << 20);
        let created = client
            .bdb_create(&db)
            .send()
            .await
            .expect("create")
            .into_inner();
        client
            .wait_for_action(&created.action_uid.expect("an action"), common::wait())
            .await
            .expect("created");
        let uid = created.uid.expect("a uid");
        let mut paths = vec![format!("/v1/bdbs/{uid}/modules/upgrade")];
        if release == "7.22" {
            paths.push(format!("/v1/modules/upgrade/bdb/{uid}"));
        }
        for path in &paths {
            let unknown = json!({"modules": [{"module_name": "search", "new_module": "ffff"}]});
            let (status, got) = json_call(&sim, "POST", path, unknown).await;
            assert_eq!(
                (status, got["error_code"].as_str()),
                (400, Some("missing_module")),
                "{path}"
            );
            let not_run =
                json!({"modules": [{"current_module": bundled_uid, "new_module": bundled_uid}]});
            let (status, got) = json_call(&sim, "POST", path, not_run).await;
            assert_eq!(
                (status, got["error_code"].as_str()),
                (400, Some("module_not_exist")),
                "{path}"
            );
        }
        // An entry that names no module, or no list at all: missing configuration.
        for body in [
            json!({"modules": []}),
            json!({"modules": [{}]}),
            json!({"modules": [{"module_name": "search"}]}),
        ] {
            let path = format!("/v1/bdbs/{uid}/modules/upgrade");
            let (status, got) = json_call(&sim, "POST", &path, body.clone()).await;
            assert_eq!(
                (status, got["error_code"].as_str()),
                (400, Some("missing_field")),
                "{body}"
            );
        }
        let body = json!({"modules": [{"module_name": "search", "new_module": bundled_uid}]});
        let (status, _) = json_call(&sim, "POST", "/v1/bdbs/999/modules/upgrade", body).await;
        assert_eq!(status, 404);
        sim.shutdown().await;
    }
}
