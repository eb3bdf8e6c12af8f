//! The cluster's module catalogue (`/v1/modules`) and the custom module artifacts stored on the
//! node (`/v2/local/modules/user-defined/artifacts`). A fresh cluster lists its bundled modules
//! ([`crate::state::bundled_modules`]); an uploaded package adds the module its `module.json`
//! describes, a custom module definition adds one, a delete removes one. The redis-servers
//! load none of them: a database's `module_list` is what the client said, and running a module
//! is not modelled (see [`super::bdb_data::modules_config`]).
//!
//! A package is a `.zip` (as RAMP builds them) whose `module.json` names the module:
//! `module_name`, `version` (an integer), `semantic_version`, and what else the module object
//! documents (author, capabilities, commands, dependencies, ...). The binary beside it is kept
//! nowhere: nothing would load it.

use std::io::Read;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{actions, ModelError};
use crate::password;
use crate::Shared;

/// What a package upload is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Upload {
    /// `POST /v1/modules`: installed at once; a module with dependencies is refused.
    V1,
    /// `POST /v2/modules`: installed by an action whose uid the reply carries.
    V2,
}

/// The modules of the catalogue.
pub(crate) fn list(shared: &Shared) -> Vec<Value> {
    shared.with_store(|s| s.modules.values().cloned().collect())
}

/// Module `uid` (`module_not_exist` when the catalogue has none).
pub(crate) fn get(shared: &Shared, uid: &str) -> Result<Value, ModelError> {
    shared
        .with_store(|s| s.modules.get(uid).cloned())
        .ok_or_else(|| ModelError::not_found("module", uid))
}

/// The `module.json` of a package: 400 `invalid_module` when the bytes are not a zip, hold no
/// `module.json` (at the top or in one folder), or its text is not a JSON object.
pub(crate) fn read_package(package: &[u8]) -> Result<Map<String, Value>, ModelError> {
    let invalid = |why: String| ModelError::invalid("invalid_module", why);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(package))
        .map_err(|e| invalid(format!("the module package is not a zip archive: {e}")))?;
    let name = zip
        .file_names()
        .filter(|n| *n == "module.json" || n.ends_with("/module.json"))
        .min_by_key(|n| n.len())
        .map(str::to_string)
        .ok_or_else(|| invalid("the module package holds no module.json".into()))?;
    let mut text = String::new();
    zip.by_name(&name)
        .map_err(|e| invalid(format!("module.json cannot be read: {e}")))?
        .take(1 << 20)
        .read_to_string(&mut text)
        .map_err(|e| invalid(format!("module.json cannot be read: {e}")))?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid("module.json is not a JSON object".into())),
        Err(e) => Err(invalid(format!("module.json is not valid JSON: {e}"))),
    }
}

/// The name and numeric version a package's metadata gives, or why it gives none.
fn identity(meta: &Map<String, Value>) -> Result<(String, i64), String> {
    let name = meta
        .get("module_name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .ok_or("module.json has no module_name")?;
    let version = meta
        .get("version")
        .and_then(Value::as_i64)
        .ok_or("module.json has no integer version")?;
    Ok((name.to_string(), version))
}

/// The module object for metadata `meta`: the members the module object documents, each kept
/// only when it fits its schema (RAMP's own keys, `commands`, `os`, ..., are not members).
fn module_object(meta: &Map<String, Value>, file_name: Option<&str>) -> Value {
    let documented = crate::schema::named("Module")
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let mut module = Map::new();
    for (key, value) in meta {
        let Some(schema) = documented.and_then(|d| d.get(key)) else {
            continue;
        };
        let value = match (key.as_str(), value) {
            // module.json's crdb also names the module for Active-Active; the object keeps
            // only the feature-set versions.
            ("crdb", Value::Object(crdb)) => {
                let mut kept = Map::new();
                if let Some(v) = crdb.get("supported_featureset_versions") {
                    kept.insert("supported_featureset_versions".into(), v.clone());
                }
                Value::Object(kept)
            }
            _ => value.clone(),
        };
        // A custom module carries its own name, outside the bundled names the schema lists.
        let fits = key == "module_name" && value.is_string()
            || crate::schema::validate(&value, schema, "$").is_ok();
        if key != "uid" && key != "is_bundled" && fits {
            module.insert(key.clone(), value);
        }
    }
    if let Some(file) = file_name.filter(|f| !f.is_empty()) {
        module.insert("module_file".into(), file.into());
    }
    module.insert("is_bundled".into(), false.into());
    module.insert(
        "uid".into(),
        password::hex(&password::random_bytes::<16>()).into(),
    );
    Value::Object(module)
}

/// Adds `module` unless the catalogue has one of the same name and version (then `exists`).
fn add(shared: &Shared, module: Value, exists: ModelError) -> Result<Value, ModelError> {
    let name = module.get("module_name").cloned();
    let version = module.get("version").cloned();
    let added = shared.with_store(|s| {
        let taken = s
            .modules
            .values()
            .any(|m| m.get("module_name") == name.as_ref() && m.get("version") == version.as_ref());
        if taken {
            return Err(exists);
        }
        let uid = module["uid"].as_str().unwrap_or_default().to_string();
        s.modules.insert(uid, module.clone());
        Ok(module)
    })?;
    shared.persist();
    Ok(added)
}

/// Installs the module a package describes (`module_create`, `module_create_v2`). 400
/// `invalid_module` for a package without a usable `module.json` (name and integer version),
/// `dependencies_not_supported` for a v1 upload of a module with dependencies, `module_exists`
/// when the catalogue has that name and version. V2 answers the module with the `action_uid`
/// of the installation, which completes after the action delay.
pub(crate) fn install(
    shared: &Arc<Shared>,
    package: &[u8],
    file_name: Option<&str>,
    upload: Upload,
) -> Result<Value, ModelError> {
    let meta = read_package(package)?;
    let (name, version) =
        identity(&meta).map_err(|why| ModelError::invalid("invalid_module", why))?;
    let has_dependencies = meta
        .get("dependencies")
        .and_then(Value::as_object)
        .is_some_and(|d| !d.is_empty());
    if upload == Upload::V1 && has_dependencies {
        return Err(ModelError::invalid(
            "dependencies_not_supported",
            format!("module {name} has dependencies: upload it with POST /v2/modules"),
        ));
    }
    let exists = ModelError::invalid(
        "module_exists",
        format!("module {name} version {version} is already installed"),
    );
    let mut module = add(shared, module_object(&meta, file_name), exists)?;
    if upload == Upload::V2 {
        let action = run_action(shared, "module_upload");
        if let Some(obj) = module.as_object_mut() {
            obj.insert("action_uid".into(), action.into());
        }
    }
    Ok(module)
}

/// Deletes module `uid` (`module_delete`, `module_delete_v2`, `module_user_defined_delete`):
/// `module_not_exist` for an unknown uid; `dependencies_not_supported` for a v1 delete of a
/// module with dependencies. With `action`, answers the uid of an action that completes after
/// the action delay.
pub(crate) fn delete(
    shared: &Arc<Shared>,
    uid: &str,
    upload: Option<Upload>,
) -> Result<Option<String>, ModelError> {
    shared.with_store(|s| {
        let module = s
            .modules
            .get(uid)
            .ok_or_else(|| ModelError::not_found("module", uid))?;
        let has_dependencies = module
            .get("dependencies")
            .and_then(Value::as_object)
            .is_some_and(|d| !d.is_empty());
        if upload == Some(Upload::V1) && has_dependencies {
            return Err(ModelError::refused(
                "dependencies_not_supported",
                format!("module {uid} has dependencies: delete it with DELETE /v2/modules/{uid}"),
            ));
        }
        s.modules.remove(uid);
        Ok(())
    })?;
    shared.persist();
    Ok((upload == Some(Upload::V2)).then(|| run_action(shared, "module_delete")))
}

/// Registers a custom module (`module_user_defined_create`) from its definition, already
/// checked against its schema: 406 `module_exists` when the catalogue has that name and version.
pub(crate) fn define(shared: &Shared, definition: Map<String, Value>) -> Result<Value, ModelError> {
    let (name, version) = identity(&definition).map_err(|why| {
        ModelError::refused(
            "invalid_module",
            why.replace("module.json", "the definition"),
        )
    })?;
    let exists = ModelError::refused(
        "module_exists",
        format!("module {name} version {version} is already defined"),
    );
    add(shared, module_object(&definition, None), exists)
}

/// The custom module artifacts stored on this node.
pub(crate) fn artifacts(shared: &Shared) -> Vec<Value> {
    shared.with_store(|s| s.module_artifacts.values().cloned().collect())
}

fn artifact_key(name: &str, version: i64) -> String {
    format!("{name}/{version}")
}

/// Stores the artifact of a package on this node (`module_user_defined_artifact_upload`): 400
/// `invalid_module` for a package without `module.json`, 406 `invalid_metadata` when it names no
/// module or no integer version. Uploading the same name and version again replaces it.
pub(crate) fn upload_artifact(shared: &Shared, package: &[u8]) -> Result<Value, ModelError> {
    let meta = read_package(package)?;
    let (name, version) =
        identity(&meta).map_err(|why| ModelError::refused("invalid_metadata", why))?;
    let dependencies: Vec<Value> = meta
        .get("dependencies")
        .and_then(Value::as_object)
        .map(|d| d.keys().map(|k| Value::String(k.clone())).collect())
        .unwrap_or_default();
    let artifact = serde_json::json!({
        "module_name": name,
        "version": version,
        "dependencies": dependencies,
    });
    shared.with_store(|s| {
        s.module_artifacts
            .insert(artifact_key(&name, version), artifact.clone())
    });
    shared.persist();
    Ok(artifact)
}

/// Deletes the artifact `name` `version` from this node: `module_not_exist` when it has none.
pub(crate) fn delete_artifact(shared: &Shared, name: &str, version: i64) -> Result<(), ModelError> {
    shared
        .with_store(|s| s.module_artifacts.remove(&artifact_key(name, version)))
        .ok_or_else(|| {
            ModelError::not_found("module", format!("artifact {name} version {version}"))
        })?;
    shared.persist();
    Ok(())
}

/// An action of no database that completes after the action delay (the catalogue change it
/// tracks is already made); returns its uid.
fn run_action(shared: &Arc<Shared>, name: &str) -> String {
    let now = shared.clock.now_ms();
    let delay = shared.config.action_delay;
    let action = shared.with_store(|s| actions::start(s, name, None, now, delay));
    let task_shared = shared.clone();
    let uid = action.clone();
    let deadline = now + delay.as_millis() as i64;
    tokio::spawn(async move {
        task_shared.clock.sleep_until(deadline).await;
        task_shared.with_store(|s| actions::finish(s, &uid, None));
        task_shared.persist();
    });
    shared.persist();
    action
}
