//! What a database does with its data and its default user, on its real redis-server:
//! passwords (applied with `ACL SETUSER default`), export to and
//! import from a `mount_point` location (an RDB file written with `SAVE`, loaded with `DEBUG
//! RELOAD`), recover, upgrade, stopping and resuming the clients' traffic (the default user
//! `off`/`on`), and the reset of the backup/export/import status.
//!
//! Export, import, recover, upgrade and the traffic changes are actions: each answers at once with the action's uid,
//! holds the database busy (409 `db_busy` to other changes) until the action's time has passed
//! on the simulator's clock, then does its work and ends the action `completed` or `failed`
//! with the database's `*_status` and `*_failure_reason` set as a cluster sets them. Locations
//! other than `mount_point` would reach outside this machine: they are not modelled.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use redis_enterprise_api::types;
use serde_json::{json, Value};

use super::bdbs::{busy_error, redis_config};
use super::{actions, ModelError};
use crate::state::iso_now;
use crate::Shared;

/// Why an action's work failed: the `*_failure_reason` value and a message for the action.
struct Failure {
    reason: &'static str,
    message: String,
}

impl Failure {
    fn new(reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            reason,
            message: message.into(),
        }
    }
}

fn needs_redis(shared: &Shared, what: &str) -> Result<(), ModelError> {
    if shared.config.no_redis {
        return Err(ModelError::not_modelled(format!(
            "{what} needs the database's redis-server, and this simulator runs without any (no_redis)"
        )));
    }
    Ok(())
}

/// Starts action `name` on database `uid`: `db_not_exist` for an unknown database, `db_busy`
/// while another action runs; `prepare` updates the database object as the action starts.
/// Returns the action's uid and the database as it is now.
fn begin(
    shared: &Shared,
    uid: i64,
    name: &str,
    prepare: impl FnOnce(&mut types::Bdb),
) -> Result<(String, types::Bdb, Vec<String>), ModelError> {
    let now = shared.clock.now_ms();
    let delay = shared.config.action_delay;
    let started = shared.with_store(|s| {
        let entry = s
            .bdbs
            .get(&uid)
            .ok_or_else(|| ModelError::not_found("db", uid))?;
        if let Some(action) = &entry.busy {
            return Err(busy_error(uid, action));
        }
        let action = actions::start(s, name, Some(uid), now, delay);
        let entry = s
            .bdbs_mut()
            .get_mut(&uid)
            .ok_or_else(|| ModelError::not_found("db", uid))?;
        entry.busy = Some(action.clone());
        entry.bdb.action_uid = Some(action.clone());
        prepare(&mut entry.bdb);
        Ok((action, entry.bdb.clone(), entry.password_hashes.clone()))
    })?;
    shared.persist();
    Ok(started)
}

/// Runs an action's `work` once its time has passed on the clock, then frees the database,
/// lets `finish` record the outcome on it and ends the action.
fn complete<W, Fut, F>(shared: &Arc<Shared>, uid: i64, action: String, work: W, finish: F)
where
    W: FnOnce(Arc<Shared>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), Failure>> + Send,
    F: FnOnce(&mut types::Bdb, &Result<(), Failure>) + Send + 'static,
{
    let shared = shared.clone();
    let deadline = shared.clock.now_ms() + shared.config.action_delay.as_millis() as i64;
    tokio::spawn(async move {
        shared.clock.sleep_until(deadline).await;
        let result = work(shared.clone()).await;
        shared.with_store(|s| {
            if let Some(entry) = s.bdbs_mut().get_mut(&uid) {
                entry.busy = None;
                finish(&mut entry.bdb, &result);
            }
            let error = result.as_ref().err().map(|f| (f.reason, f.message.clone()));
            actions::finish(s, &action, error);
        });
        shared.persist();
    });
}

// ---------------------------------------------------------------------------------------------
// Passwords

/// What a change of a database's passwords does with its password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PasswordChange {
    /// It becomes the one password.
    Replace,
    /// It is added.
    Add,
    /// It is removed, unless it is the last.
    Remove,
}

/// Replaces the default user's passwords with `password`, adds it, or removes it, applied to
/// the redis-server before answering (a new connection with a removed password is refused from
/// then on). Removing the last password is refused: it would open the database to anyone.
pub(crate) async fn change_password(
    shared: &Arc<Shared>,
    uid: i64,
    change: PasswordChange,
    password: String,
) -> Result<(), ModelError> {
    if password.is_empty() {
        return Err(ModelError::refused(
            "invalid_password",
            "the password must not be empty",
        ));
    }
    let hash = crate::password::sha256_hex(&password);
    let (bdb, hashes) = shared.with_store(|s| {
        let entry = s
            .bdbs
            .get(&uid)
            .ok_or_else(|| ModelError::not_found("db", uid))?;
        let mut hashes = entry.password_hashes.clone();
        match change {
            PasswordChange::Replace => hashes = vec![hash.clone()],
            PasswordChange::Add => {
                if hashes.contains(&hash) {
                    return Err(ModelError::refused(
                        "password_exists",
                        "the database already has this password",
                    ));
                }
                hashes.push(hash.clone());
            }
            PasswordChange::Remove => {
                if !hashes.contains(&hash) {
                    return Err(ModelError::refused(
                        "password_not_found",
                        "the database has no such password",
                    ));
                }
                if hashes.len() == 1 {
                    return Err(ModelError::refused(
                        "cannot_delete_last_password",
                        "the database has no other password",
                    ));
                }
                hashes.retain(|h| *h != hash);
            }
        }
        let entry = s
            .bdbs_mut()
            .get_mut(&uid)
            .ok_or_else(|| ModelError::not_found("db", uid))?;
        entry.password_hashes = hashes.clone();
        // The deprecated member shows the one password a replace set; once the set changes
        // otherwise it no longer names the database's password.
        #[allow(deprecated)]
        {
            entry.bdb.authentication_redis_pass = match change {
                PasswordChange::Replace => Some(password.clone()),
                PasswordChange::Add => entry.bdb.authentication_redis_pass.take(),
                PasswordChange::Remove => entry
                    .bdb
                    .authentication_redis_pass
                    .take()
                    .filter(|p| *p != password),
            };
        }
        entry.bdb.last_changed_time = Some(iso_now());
        Ok((entry.bdb.clone(), hashes))
    })?;
    shared
        .processes
        .configure(uid, &redis_config(&bdb, hashes))
        .await
        .map_err(|e| ModelError::internal(e.to_string()))?;
    shared.persist();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Export and import

/// Where an export goes: a location's `type` and `path`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Location {
    /// `mount_point` is the one modelled.
    pub kind: String,
    /// The directory.
    pub path: String,
}

/// Exports a database: an action that writes an RDB file `bdb-<uid>-<unix ms>.rdb` in the
/// `mount_point` directory `path`. Answers the action's uid.
pub(crate) async fn export(
    shared: &Arc<Shared>,
    uid: i64,
    location: Location,
) -> Result<String, ModelError> {
    let kind = location.kind.as_str();
    if kind != "mount_point" {
        return Err(ModelError::not_modelled(format!(
            "exports to {kind:?} locations: the simulator writes only to mount_point paths on its own machine"
        )));
    }
    let dir = location.path;
    if dir.is_empty() {
        return Err(ModelError::refused(
            "invalid_export_location",
            "a mount_point export location needs a path",
        ));
    }
    needs_redis(shared, "an export")?;
    let (action, _, _) = begin(shared, uid, "SMExportBDB", |bdb| {
        bdb.export_status = Some(types::BdbExportStatus::Exporting);
        bdb.export_progress = Some(0.0);
        bdb.export_failure_reason = None;
    })?;
    let file = format!("bdb-{uid}-{}.rdb", crate::state::now_millis());
    complete(
        shared,
        uid,
        action.clone(),
        move |shared| async move {
            if !Path::new(&dir).is_absolute() || !Path::new(&dir).is_dir() {
                return Err(Failure::new(
                    "wrong-file-path",
                    format!("{dir} is not an existing directory"),
                ));
            }
            match shared.processes.export(uid, &dir, &file).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(Failure::new("general-error", "the database is not running")),
                Err(e) => Err(Failure::new("no-permission", e.to_string())),
            }
        },
        |bdb, result| match result {
            Ok(()) => {
                bdb.export_status = Some(types::BdbExportStatus::Succeeded);
                bdb.export_progress = Some(100.0);
                bdb.last_export_time = Some(iso_now());
            }
            Err(f) => {
                bdb.export_status = Some(types::BdbExportStatus::Failed);
                bdb.export_failure_reason = serde_json::from_value(json!(f.reason)).ok();
            }
        },
    );
    Ok(action)
}

/// Imports into a database: an action that replaces its data with one RDB file, the
/// `mount_point` source's `path` (`sources` as sent, or the database's stored
/// `dataset_import_sources`). Answers the action's uid.
pub(crate) async fn import(
    shared: &Arc<Shared>,
    uid: i64,
    sources: Option<Vec<Value>>,
) -> Result<String, ModelError> {
    let sources = match sources {
        Some(list) => list,
        None => shared.with_store(|s| {
            s.bdbs
                .get(&uid)
                .and_then(|e| e.bdb.dataset_import_sources.as_ref())
                .and_then(|v| serde_json::to_value(v).ok())
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default()
        }),
    };
    let source = match sources.as_slice() {
        [] => {
            // The database must exist before anything is said about its sources.
            shared.with_store(|s| {
                s.bdbs
                    .contains_key(&uid)
                    .then_some(())
                    .ok_or_else(|| ModelError::not_found("db", uid))
            })?;
            return Err(ModelError::refused(
                "missing_import_sources",
                "no dataset_import_sources sent and none stored on the database",
            ));
        }
        [one] => one,
        _ => {
            return Err(ModelError::not_modelled(
                "importing several files at once: the simulator imports one RDB file",
            ))
        }
    };
    let kind = source.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != "mount_point" {
        return Err(ModelError::not_modelled(format!(
            "imports from {kind:?} sources: the simulator reads only mount_point paths on its own machine"
        )));
    }
    let path = source
        .get("path")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    needs_redis(shared, "an import")?;
    let (action, _, _) = begin(shared, uid, "SMImportBDB", |bdb| {
        bdb.import_status = Some(types::BdbImportStatus::Importing);
        bdb.import_progress = Some(0.0);
        bdb.import_failure_reason = None;
    })?;
    complete(
        shared,
        uid,
        action.clone(),
        move |shared| async move {
            let file = Path::new(&path);
            let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else {
                return Err(Failure::new(
                    "download-error",
                    format!("{path} names no file"),
                ));
            };
            if !file.is_absolute() || !file.is_file() {
                return Err(Failure::new(
                    "download-error",
                    format!("{path} is not an existing file"),
                ));
            }
            let (dir, name) = (dir.to_string_lossy(), name.to_string_lossy());
            match shared.processes.import(uid, &dir, &name).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(Failure::new("general-error", "the database is not running")),
                Err(e) => Err(Failure::new("file-corrupted", e.to_string())),
            }
        },
        |bdb, result| match result {
            Ok(()) => {
                bdb.import_status = Some(types::BdbImportStatus::Succeeded);
                bdb.import_progress = Some(100.0);
            }
            Err(f) => {
                bdb.import_status = Some(types::BdbImportStatus::Failed);
                bdb.import_failure_reason = serde_json::from_value(json!(f.reason)).ok();
            }
        },
    );
    Ok(action)
}

/// Which outcome a status reset forgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusReset {
    /// The last backup's.
    Backup,
    /// The last export's.
    Export,
    /// The last import's.
    Import,
}

/// Forgets the last outcome of a backup, export or import (`db_busy` while an action runs).
pub(crate) fn reset_status(
    shared: &Shared,
    uid: i64,
    which: StatusReset,
) -> Result<(), ModelError> {
    shared.with_store(|s| {
        let entry = s
            .bdbs
            .get(&uid)
            .ok_or_else(|| ModelError::not_found("db", uid))?;
        if let Some(action) = &entry.busy {
            return Err(busy_error(uid, action));
        }
        let Some(entry) = s.bdbs_mut().get_mut(&uid) else {
            return Err(ModelError::not_found("db", uid));
        };
        let bdb = &mut entry.bdb;
        match which {
            StatusReset::Backup => {
                bdb.backup_status = None;
                bdb.backup_failure_reason = None;
                bdb.backup_progress = None;
            }
            StatusReset::Export => {
                bdb.export_status = None;
                bdb.export_failure_reason = None;
                bdb.export_progress = None;
            }
            StatusReset::Import => {
                bdb.import_status = Some(types::BdbImportStatus::Idle);
                bdb.import_failure_reason = None;
                bdb.import_progress = None;
            }
        }
        Ok(())
    })?;
    shared.persist();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Recover and upgrade

/// Recovers a database: one whose redis-server is gone gets a new one on its port (empty: the
/// simulator keeps no persistence files); a running one is left as it is. Either way an action
/// the caller can wait for, whose uid is answered.
/// Stops (`stop_traffic`) or resumes (`resume_traffic`) the clients' traffic to database
/// `uid`: an action during which the database is `active-change-pending` (busy: 409 for other
/// changes). When its time has passed the default user of the redis-server is turned `off`
/// (the clients' connections are closed, and a new one's commands and `AUTH` are refused) or
/// `on` again, and `traffic_manually_disabled` says which; the simulator's own connection is
/// another ACL user, so statistics and availability still read the process. The state holds
/// across password changes, recover and restarts (the default user is configured from it).
/// Without redis-servers (`no_redis`) only the member changes: no client reaches anything.
pub(crate) fn set_traffic(shared: &Arc<Shared>, uid: i64, on: bool) -> Result<String, ModelError> {
    let name = if on { "resume_traffic" } else { "stop_traffic" };
    let (action, _, _) = begin(shared, uid, name, |bdb| {
        bdb.status = Some(types::BdbStatus::ActiveChangePending);
    })?;
    complete(
        shared,
        uid,
        action.clone(),
        move |shared| async move {
            // The member first, so that a password change meanwhile keeps the new state.
            let changed = shared.with_store(|s| {
                let entry = s.bdbs_mut().get_mut(&uid)?;
                entry.bdb.traffic_manually_disabled = Some(!on);
                Some((entry.bdb.clone(), entry.password_hashes.clone()))
            });
            let Some((bdb, hashes)) = changed else {
                return Err(Failure::new(
                    "db_not_exist",
                    format!("database {uid} is gone"),
                ));
            };
            shared
                .processes
                .configure(uid, &redis_config(&bdb, hashes))
                .await
                .map_err(|e| Failure::new("internal_error", e.to_string()))
        },
        move |bdb, result| {
            bdb.status = Some(types::BdbStatus::Active);
            if result.is_ok() {
                bdb.last_changed_time = Some(iso_now());
            } else {
                bdb.traffic_manually_disabled = Some(on);
            }
        },
    );
    Ok(action)
}

pub(crate) async fn recover(shared: &Arc<Shared>, uid: i64) -> Result<String, ModelError> {
    needs_redis(shared, "a recovery")?;
    let (action, bdb, hashes) = begin(shared, uid, "SMRecoverBDB", |_| {})?;
    let config = redis_config(&bdb, hashes);
    let port = bdb
        .port
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or_default();
    complete(
        shared,
        uid,
        action.clone(),
        move |shared| async move {
            if matches!(shared.processes.run(uid, &["PING"]).await, Ok(Some(_))) {
                return Ok(());
            }
            shared.processes.stop(uid).await;
            shared
                .processes
                .start(uid, port, &config)
                .await
                .map(drop)
                .map_err(|e| Failure::new("internal_error", e.to_string()))
        },
        |bdb, result| {
            if result.is_ok() {
                bdb.status = Some(types::BdbStatus::Active);
            }
        },
    );
    Ok(action)
}

/// Reconfigures modules of database `uid` (`bdb_modules_config`): every module named must be
/// one the database runs (its `module_list`), else 400 `module_not_exist`, the reference's
/// code. Changing the arguments of a module the database runs is not modelled: the
/// redis-server loads no modules.
pub(crate) fn modules_config(
    shared: &Shared,
    uid: i64,
    names: &[String],
) -> Result<(), ModelError> {
    let running: Vec<String> = shared.with_store(|s| {
        s.bdbs
            .get(&uid)
            .map(|e| {
                e.bdb
                    .module_list
                    .iter()
                    .flatten()
                    .filter_map(|m| m.module_name.clone())
                    .collect()
            })
            .ok_or_else(|| ModelError::not_found("db", uid))
    })?;
    if let Some(missing) = names.iter().find(|n| !running.contains(n)) {
        return Err(ModelError::invalid(
            "module_not_exist",
            format!("database {uid} does not run module {missing:?}"),
        ));
    }
    Err(ModelError::not_modelled(
        "module arguments (the redis-server loads no modules)",
    ))
}

/// One module to upgrade: the module the database runs, by catalogue uid (`current_module`)
/// or by name, and the catalogue uid of the version to run instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ModuleUpgrade {
    /// Catalogue uid of the module the database runs.
    pub current_module: Option<String>,
    /// Name of the module the database runs.
    pub module_name: Option<String>,
    /// Catalogue uid of the module to run instead.
    pub new_module: Option<String>,
}

/// Upgrades modules of database `uid` (`bdb_modules_upgrade`, `module_upgrade_bdb`): a module
/// named by catalogue uid (`new_module`, `current_module`) must be in the cluster's catalogue,
/// else 400 `missing_module` (the reference's code), and the module to upgrade must be one the
/// database runs (its `module_list`), else 400 `module_not_exist` (as for its configuration).
/// Every entry names the module to upgrade (`current_module` or `module_name`) and
/// `new_module`, and the list is not empty, else 400 `missing_field` (the reference: each
/// entry must include them). Upgrading a module the database runs is not modelled: the
/// redis-server loads no modules.
pub(crate) fn modules_upgrade(
    shared: &Shared,
    uid: i64,
    modules: &[ModuleUpgrade],
) -> Result<(), ModelError> {
    shared.with_store(|s| {
        let entry = s
            .bdbs
            .get(&uid)
            .ok_or_else(|| ModelError::not_found("db", uid))?;
        if modules.is_empty() {
            return Err(ModelError::invalid(
                "missing_field",
                "modules names no module to upgrade",
            ));
        }
        let incomplete = modules.iter().any(|m| {
            m.new_module.is_none() || (m.current_module.is_none() && m.module_name.is_none())
        });
        if incomplete {
            return Err(ModelError::invalid(
                "missing_field",
                "each module to upgrade needs new_module and current_module (or module_name)",
            ));
        }
        let running: Vec<&str> = entry
            .bdb
            .module_list
            .iter()
            .flatten()
            .filter_map(|m| m.module_name.as_deref())
            .collect();
        let installed = |module_uid: &str| {
            s.modules.get(module_uid).ok_or_else(|| {
                ModelError::invalid(
                    "missing_module",
                    format!("module {module_uid:?} is not installed on the cluster"),
                )
            })
        };
        for m in modules {
            if let Some(new) = &m.new_module {
                installed(new)?;
            }
            let name = match (&m.current_module, &m.module_name) {
                (Some(current), _) => installed(current)?
                    .get("module_name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                (None, name) => name.clone(),
            };
            if let Some(name) = name.filter(|n| !running.contains(&n.as_str())) {
                return Err(ModelError::invalid(
                    "module_not_exist",
                    format!("database {uid} does not run module {name:?}"),
                ));
            }
        }
        Ok(())
    })?;
    Err(ModelError::not_modelled(
        "module upgrades (the redis-server loads no modules)",
    ))
}

/// Upgrades a database: its Redis version becomes `redis_version` (or the newest this release
/// ships) when the action completes; a downgrade is refused. Answers the database as the
/// action starts.
pub(crate) async fn upgrade(
    shared: &Arc<Shared>,
    uid: i64,
    redis_version: Option<String>,
) -> Result<types::Bdb, ModelError> {
    let newest = crate::release::redis_version(&shared.config.release);
    let target = redis_version.unwrap_or_else(|| newest.to_string());
    let Some(wanted) = redis_enterprise_api::operations::release_number(&target) else {
        return Err(ModelError::invalid(
            "invalid_redis_version",
            format!("redis_version {target:?} is not major.minor"),
        ));
    };
    if wanted > redis_enterprise_api::operations::release_number(newest).unwrap_or(wanted) {
        return Err(ModelError::refused(
            "redis_version_not_available",
            format!("this cluster ships Redis {newest} at most, not {target}"),
        ));
    }
    let current = shared.with_store(|s| {
        s.bdbs
            .get(&uid)
            .map(|e| e.bdb.version.clone().unwrap_or_default())
            .ok_or_else(|| ModelError::not_found("db", uid))
    })?;
    if redis_enterprise_api::operations::release_number(&current).is_some_and(|c| c > wanted) {
        return Err(ModelError::refused(
            "redis_version_downgrade",
            format!("the database runs Redis {current}; it cannot go back to {target}"),
        ));
    }
    let (action, bdb, _) = begin(shared, uid, "SMUpgradeBDB", |bdb| {
        bdb.status = Some(types::BdbStatus::ActiveChangePending);
    })?;
    complete(
        shared,
        uid,
        action,
        |_| async { Ok(()) },
        move |bdb, result| {
            bdb.status = Some(types::BdbStatus::Active);
            if result.is_ok() {
                bdb.version = Some(target);
                bdb.last_changed_time = Some(iso_now());
            }
        },
    );
    Ok(bdb)
}
