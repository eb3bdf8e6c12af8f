//! The one store of the simulated cluster, and its persistence as a JSON file (written
//! atomically and durably, readable by its owner only: see [`Persistence::save`]). Handlers read and change it under one
//! lock and never keep state of their own; nothing here does I/O on redis-server processes
//! (that is `redis.rs`) and nothing here knows about HTTP.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use redis_enterprise_api::types;
use serde::{Deserialize, Serialize};

use crate::password::{self, PasswordHash};
use crate::SimError;

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A database and what the simulator tracks about it beyond the API object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct BdbEntry {
    /// The database object as the API returns it.
    pub bdb: types::Bdb,
    /// The action running on the database, if any: state-changing requests answer 409 meanwhile.
    #[serde(default)]
    pub busy: Option<String>,
    /// SHA-256 (hex) of each password of the database's default user, the form redis-server's
    /// `ACL SETUSER` takes (none: no password).
    #[serde(default)]
    pub password_hashes: Vec<String>,
    /// The node of each shard of `bdb.shard_list`, in order, as placed when the database was
    /// created or its shards last moved (maintenance, rebalance, a change of topology). `None`
    /// (a state file of an older simulator): placed by [`Store::place`] when read.
    #[serde(default)]
    pub shard_nodes: Option<Vec<i64>>,
}

/// An action and its timing (progress is derived from the clock when read).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ActionEntry {
    /// The action object (status, progress, names).
    pub action: types::Action,
    /// The database it works on, if any.
    pub bdb_uid: Option<i64>,
    /// When it started (Unix ms).
    pub started_ms: i64,
    /// How long it takes (ms).
    pub duration_ms: i64,
    /// The node it works on, for a node action (`/v1/nodes/{uid}/actions`).
    #[serde(default)]
    pub node: Option<i64>,
}

/// A user with its passwords (never returned by the API) and its sign-in failures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UserEntry {
    /// The user object as the API returns it (without the password).
    pub user: types::User,
    /// Salted hashes of the user's valid passwords, the current one first (more than one
    /// after `user_password_add`, for rotation).
    pub passwords: Vec<PasswordHash>,
    /// Failed sign-ins since the last success (or since the counter reset).
    #[serde(default)]
    pub failed_logins: i64,
    /// When the last sign-in failed (Unix seconds).
    #[serde(default)]
    pub last_failure: i64,
    /// Locked until this time (Unix seconds; `i64::MAX` until an admin resets the password).
    #[serde(default)]
    pub locked_until: Option<i64>,
}

impl UserEntry {
    /// A user whose only password is `password`.
    pub fn new(user: types::User, password: &str) -> Self {
        Self {
            user,
            passwords: vec![PasswordHash::new(password)],
            failed_logins: 0,
            last_failure: 0,
            locked_until: None,
        }
    }

    /// Whether `password` is one of the user's passwords.
    pub fn accepts(&self, password: &str) -> bool {
        self.passwords.iter().any(|h| h.matches(password))
    }

    /// Makes `password` the user's only password; an admin setting it also releases a lock.
    pub fn set_password(&mut self, password: &str) {
        self.passwords = vec![PasswordHash::new(password)];
        self.unlock();
    }

    /// Releases a lock and forgets earlier failures.
    pub fn unlock(&mut self) {
        self.failed_logins = 0;
        self.locked_until = None;
        if self.user.status == Some(types::UserStatus::Locked) {
            self.user.status = Some(types::UserStatus::Active);
        }
    }

    /// Whether the user is locked at `now` (a lock whose time has passed is released).
    pub fn locked(&mut self, now: i64) -> bool {
        match self.locked_until {
            Some(until) if now < until => true,
            Some(_) => {
                self.unlock();
                false
            }
            None => false,
        }
    }
}

/// The sign-in lockout rules of the cluster policy (`login_lockout_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lockout {
    /// Failed attempts before the account locks (0: never).
    pub threshold: i64,
    /// Seconds it stays locked (0: until an admin resets the password).
    pub duration: i64,
    /// Seconds without a failure after which the counter restarts.
    pub reset_after: i64,
}

impl Lockout {
    /// The spec gives no default for these members; Redis Software's documented defaults are 5
    /// attempts, 30 minutes locked and a counter reset after 15 minutes.
    pub const DEFAULT: Self = Self {
        threshold: 5,
        duration: 1800,
        reset_after: 900,
    };
}

/// Bootstrap progress of the simulated node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct BootstrapState {
    /// `idle`, `creating_cluster`, `completed`, ...
    pub state: String,
    /// Start time (ISO 8601), once started.
    pub start_time: Option<String>,
    /// End time (ISO 8601), once completed.
    pub end_time: Option<String>,
}

/// Everything the simulated cluster knows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Store {
    /// Bootstrap status.
    pub bootstrap: BootstrapState,
    /// Cluster settings (the `Cluster` object, kept as sent).
    pub cluster: serde_json::Value,
    /// License object.
    pub license: serde_json::Value,
    /// Nodes by uid.
    pub nodes: BTreeMap<i64, serde_json::Value>,
    /// Databases by uid (change them through [`Store::bdbs_mut`]).
    pub bdbs: BTreeMap<i64, BdbEntry>,
    /// Bumped by every change of `bdbs` (keys the serialised list cache).
    #[serde(skip)]
    pub bdbs_generation: u64,
    /// Actions by uid.
    pub actions: BTreeMap<String, ActionEntry>,
    /// Users by uid.
    pub users: BTreeMap<i64, UserEntry>,
    /// Roles by uid.
    pub roles: BTreeMap<i64, types::Role>,
    /// Redis ACLs by uid.
    pub redis_acls: BTreeMap<i64, serde_json::Value>,
    /// LDAP mappings by uid.
    pub ldap_mappings: BTreeMap<i64, serde_json::Value>,
    /// Active-Active databases by guid.
    #[serde(default)]
    pub crdbs: BTreeMap<String, serde_json::Value>,
    /// CRDB tasks by id.
    #[serde(default)]
    pub crdb_tasks: BTreeMap<String, serde_json::Value>,
    /// Singleton settings objects by path (`/v1/cluster/policy`, `/v1/ocsp`, …).
    #[serde(default)]
    pub settings: BTreeMap<String, serde_json::Value>,
    /// Alerts raised on databases: (bdb uid, alert name) → alert object.
    #[serde(default)]
    pub bdb_alerts: BTreeMap<i64, BTreeMap<String, serde_json::Value>>,
    /// Alert settings of databases (`bdb_alerts_update`): (bdb uid, alert name) →
    /// `{enabled, threshold}`.
    #[serde(default)]
    pub bdb_alert_settings: BTreeMap<i64, BTreeMap<String, serde_json::Value>>,
    /// Proxy certificates set for databases (`bdb_certificate_set`): bdb uid → the certificate
    /// as the API shows it (`bdb_uid`, `cert`, `not_before`, `not_after`; never the key).
    #[serde(default)]
    pub bdb_certificates: BTreeMap<i64, serde_json::Value>,
    /// The module catalogue by module uid: the bundled modules of a fresh cluster, then what
    /// uploads and custom module definitions add and deletes remove.
    #[serde(default = "bundled_modules")]
    pub modules: BTreeMap<String, serde_json::Value>,
    /// Custom module artifacts stored on this node, by `<module_name>/<version>`.
    #[serde(default)]
    pub module_artifacts: BTreeMap<String, serde_json::Value>,
    /// Nodes in maintenance mode: node uid → the maintenance snapshot (`name`, `time`) and the
    /// node members it restores (`accept_servers`, `max_redis_servers`).
    #[serde(default)]
    pub maintenance: BTreeMap<i64, serde_json::Value>,
    /// The cluster state id (`cluster-state-id` of shard blueprints): bumped by every change of
    /// the databases or of where their shards are.
    #[serde(default)]
    pub cluster_state_id: u64,
    /// The cluster's primary (master) node, as `change_master` last set it; `None`: the node of
    /// the lowest uid (see [`Store::master_node`]).
    #[serde(default)]
    pub master_node: Option<i64>,
    /// Proxy settings changed by `proxy_update`/`proxy_update_all`, by node uid (the rest of
    /// each proxy is what a fresh cluster's proxies report).
    #[serde(default)]
    pub proxy_settings: BTreeMap<i64, serde_json::Map<String, serde_json::Value>>,
    /// Next action number.
    pub next_action: u64,
    /// The largest database uid ever given: uids are not reused after a delete.
    #[serde(default)]
    pub last_bdb_uid: i64,
    /// The secret that signs JWTs (kept so tokens survive a restart).
    pub jwt_secret: String,
}

impl Store {
    /// A fresh cluster with the admin user, `nodes` nodes and, unless `unbootstrapped`, bootstrap
    /// completed.
    pub fn new(username: &str, password: &str, nodes: usize, unbootstrapped: bool) -> Self {
        let mut users = BTreeMap::new();
        users.insert(1, admin_user(username, password));
        let nodes = (1..=nodes.max(1) as i64)
            .map(|uid| (uid, node_object(uid)))
            .collect();
        let secret = password::hex(&password::random_bytes::<32>());
        let bootstrap = if unbootstrapped {
            BootstrapState {
                state: "idle".into(),
                start_time: None,
                end_time: None,
            }
        } else {
            BootstrapState {
                state: "completed".into(),
                start_time: Some(iso_now()),
                end_time: Some(iso_now()),
            }
        };
        Self {
            bootstrap,
            cluster: {
                let mut cluster = serde_json::json!({
                    "name": "cluster.local",
                    "email_alerts": false,
                    "rack_aware": false,
                    "created_time": iso_now(),
                });
                crate::schema::add_defaults(&mut cluster, "Cluster");
                crate::schema::add_members(&mut cluster, "Cluster", cluster_members());
                // Alert settings: every alert the reference documents, with its default.
                let mut alerts = serde_json::json!({});
                crate::schema::add_defaults(&mut alerts, "ClusterAlertSettings");
                // Threshold alerts the reference gives no default for: the certificate expiry
                // alerts on at 45 days (as a fresh cluster has them), the resource alerts off at
                // a usual level.
                crate::schema::add_members(
                    &mut alerts,
                    "ClusterAlertSettings",
                    serde_json::json!({
                        "cluster_certs_about_to_expire": { "enabled": true, "threshold": "45" },
                        "node_cpu_utilization": { "enabled": false, "threshold": "80" },
                        "node_ephemeral_storage": { "enabled": false, "threshold": "70" },
                        "node_free_flash": { "enabled": false, "threshold": "70" },
                        "node_internal_certs_about_to_expire": { "enabled": true, "threshold": "45" },
                        "node_memory": { "enabled": false, "threshold": "80" },
                        "node_net_throughput": { "enabled": false, "threshold": "1000000000" },
                        "node_persistent_storage": { "enabled": false, "threshold": "70" },
                    }),
                );
                crate::schema::add_members(
                    &mut cluster,
                    "Cluster",
                    serde_json::json!({ "alert_settings": alerts }),
                );
                cluster
            },
            license: serde_json::json!({
                "license": "",
                "expired": false,
                "shards_limit": 1000,
                "ram_shards_limit": 1000,
                "ram_shards_in_use": 0,
                "features": [],
                "cluster_name": "cluster.local",
                "expiration_date": "2099-12-31T00:00:00Z",
                "activation_date": iso_now(),
                "owner": "redis-enterprise-simulator",
                "flash_shards_limit": 1000,
                "flash_shards_in_use": 0,
            }),
            nodes,
            bdbs: BTreeMap::new(),
            bdbs_generation: 0,
            actions: BTreeMap::new(),
            users,
            roles: BTreeMap::new(),
            redis_acls: BTreeMap::new(),
            ldap_mappings: BTreeMap::new(),
            crdbs: BTreeMap::new(),
            crdb_tasks: BTreeMap::new(),
            settings: BTreeMap::new(),
            bdb_alerts: BTreeMap::new(),
            bdb_alert_settings: BTreeMap::new(),
            bdb_certificates: BTreeMap::new(),
            modules: bundled_modules(),
            module_artifacts: BTreeMap::new(),
            maintenance: BTreeMap::new(),
            cluster_state_id: 0,
            master_node: None,
            proxy_settings: BTreeMap::new(),
            next_action: 1,
            last_bdb_uid: 0,
            jwt_secret: secret,
        }
    }

    /// The uid after the largest of a map (uids start at 1); once a client has taken
    /// `i64::MAX` itself, the lowest free positive uid.
    pub fn next_uid<V>(map: &BTreeMap<i64, V>) -> i64 {
        match map.keys().next_back() {
            None => 1,
            Some(last) => match last.checked_add(1) {
                Some(next) if next > 0 => next,
                _ => lowest_free(map),
            },
        }
    }

    /// Every node (and the local node info of the cluster object) reports `version`.
    pub fn set_software_version(&mut self, version: &str) {
        for node in self.nodes.values_mut() {
            if let Some(obj) = node.as_object_mut() {
                obj.insert("software_version".into(), version.into());
            }
        }
    }

    /// The nodes shards are placed on, round-robin: every node not in maintenance mode (all of
    /// them if every node is).
    pub fn placement(&self) -> Vec<i64> {
        let open: Vec<i64> = self
            .nodes
            .keys()
            .copied()
            .filter(|u| !self.maintenance.contains_key(u))
            .collect();
        if open.is_empty() {
            self.nodes.keys().copied().collect()
        } else {
            open
        }
    }

    /// The node of shard `index` of a database (its shards are placed round-robin over
    /// [`Store::placement`], `nodes`).
    pub fn shard_node(nodes: &[i64], index: usize) -> i64 {
        if nodes.is_empty() {
            1
        } else {
            nodes[index % nodes.len()]
        }
    }

    /// The nodes that may take shards of a database avoiding `avoid`: those not in maintenance
    /// mode and not avoided, in uid order (may be empty).
    pub fn open_nodes(&self, avoid: &[i64]) -> Vec<i64> {
        self.nodes
            .keys()
            .copied()
            .filter(|u| !self.maintenance.contains_key(u) && !avoid.contains(u))
            .collect()
    }

    /// The placement rule: shard `i` of `count` goes to node `i mod n` of the open nodes
    /// ([`Store::open_nodes`]), round-robin, so a master and its replica (consecutive shards)
    /// are on different nodes whenever there are two. `None` when no node is open.
    pub fn place(&self, count: usize, avoid: &[i64]) -> Option<Vec<i64>> {
        let open = self.open_nodes(avoid);
        if open.is_empty() {
            return None;
        }
        Some((0..count).map(|i| Self::shard_node(&open, i)).collect())
    }

    /// The node of each shard of database `entry`: where it was placed, else by the rule over
    /// [`Store::placement`].
    pub fn shard_nodes(&self, entry: &BdbEntry) -> Vec<i64> {
        let count = entry.bdb.shard_list.as_ref().map_or(0, Vec::len);
        match &entry.shard_nodes {
            Some(nodes) if nodes.len() == count => nodes.clone(),
            _ => {
                let nodes = self.placement();
                (0..count).map(|i| Self::shard_node(&nodes, i)).collect()
            }
        }
    }

    /// The cluster's primary (master) node: the one `change_master` made primary while it
    /// exists, else the node of the lowest uid.
    pub fn master_node(&self) -> i64 {
        self.master_node
            .filter(|u| self.nodes.contains_key(u))
            .or_else(|| self.nodes.keys().next().copied())
            .unwrap_or(1)
    }

    /// The databases, for a change: bumps the generation so cached lists are rebuilt.
    pub fn bdbs_mut(&mut self) -> &mut BTreeMap<i64, BdbEntry> {
        self.bdbs_generation += 1;
        self.cluster_state_id += 1;
        &mut self.bdbs
    }

    /// A new database uid: above every uid ever given (a deleted database's uid stays retired).
    pub fn new_bdb_uid(&mut self) -> i64 {
        let uid = self.peek_bdb_uid();
        self.last_bdb_uid = self.last_bdb_uid.max(uid);
        uid
    }

    /// The uid [`Store::new_bdb_uid`] would give, without taking it.
    pub fn peek_bdb_uid(&self) -> i64 {
        let uid = match self.last_bdb_uid.checked_add(1) {
            Some(next) => next.max(Self::next_uid(&self.bdbs)),
            None => Self::next_uid(&self.bdbs),
        };
        // Past `i64::MAX` the retired uids are the only ones left: take the lowest free one.
        if self.bdbs.contains_key(&uid) {
            lowest_free(&self.bdbs)
        } else {
            uid
        }
    }

    /// A new action uid.
    pub fn new_action_uid(&mut self) -> String {
        let n = self.next_action;
        self.next_action += 1;
        format!("{:08x}-{:04x}-4000-8000-{:012x}", n, n & 0xffff, n)
    }

    /// Reads a state file.
    pub fn load(path: &Path) -> Result<Self, SimError> {
        let text = std::fs::read_to_string(path).map_err(|source| SimError::StateFile {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| SimError::StateDecode {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// The modules a fresh cluster lists, bundled with Redis Software: the spec's `module_list`
/// example (the bundled `search` module the list answered before the catalogue was state).
pub(crate) fn bundled_modules() -> BTreeMap<String, serde_json::Value> {
    crate::schema::operation("module_list", "GET", "/v1/modules")
        .and_then(|op| crate::schema::response_content(op, 200))
        .map(|(_, media)| crate::schema::example(media))
        .and_then(|list| list.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| Some((m.get("uid")?.as_str()?.to_string(), m)))
        .collect()
}

/// The lowest positive uid a map does not use.
fn lowest_free<V>(map: &BTreeMap<i64, V>) -> i64 {
    let mut candidate = 1;
    for uid in map.keys().filter(|u| **u >= 1) {
        if *uid != candidate {
            break;
        }
        candidate += 1;
    }
    candidate
}

/// Writes the store to its file atomically. One writer at a time: a later writer serialises a
/// newer store, so the file never goes back in time.
pub(crate) struct Persistence {
    path: Option<PathBuf>,
    lock: Mutex<()>,
}

impl Persistence {
    /// Persistence to `path`, or none.
    pub fn new(path: Option<PathBuf>) -> Self {
        Self {
            path,
            lock: Mutex::new(()),
        }
    }

    /// Saves the store if a state file is configured.
    pub fn save(&self, store: &Mutex<Store>) -> Result<(), SimError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let text = {
            let store = store.lock().unwrap_or_else(|e| e.into_inner());
            serde_json::to_vec_pretty(&*store).map_err(|source| SimError::StateDecode {
                path: path.clone(),
                source,
            })?
        };
        write_private(path, &text).map_err(|source| SimError::StateFile {
            path: path.clone(),
            source,
        })
    }
}

/// Writes `bytes` to `path` so that no reader ever sees a partial file and a crash never loses
/// a write that returned: a temporary file readable by its owner only (0600: it holds password
/// hashes and the JWT secret), fsynced, renamed over `path`, and the directory fsynced so the
/// rename itself is durable.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    // `mode` applies only when the file is created: a leftover temporary file keeps its mode.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)?.sync_all()
}

fn admin_user(username: &str, password: &str) -> UserEntry {
    UserEntry::new(
        {
            let mut value = types::User::default();
            value.uid = Some(1);
            value.email = Some(username.to_string());
            value.name = Some("admin".into());
            value.role = Some(types::UserRole::Admin);
            value.auth_method = Some(types::UserAuthMethod::Regular);
            value.status = Some(types::UserStatus::Active);
            value.email_alerts = Some(false);
            value.role_uids = Some(Vec::new());
            value.password_issue_date = Some(iso_now());
            value.bdbs_email_alerts = Some(Vec::new());
            value.cluster_email_alerts = Some(false);
            value
        },
        password,
    )
}

/// Members a fresh cluster returns that have no documented default: its ports, TLS floors, empty
/// lists and unset mail settings. Not returned: secrets (`smtp_password`), the PEM certificates
/// (`proxy_certificate`, `syncer_certificate`: served by the certificates routes) and the
/// Active-Active version maps. Each value is checked against the `Cluster` schema.
fn cluster_members() -> serde_json::Value {
    serde_json::json!({
        "bigstore_driver": "speedb",
        "cluster_ssh_public_key": "",
        "cm_port": 8443,
        "cnm_http_port": 8080,
        "cnm_https_port": 9443,
        "control_cipher_suites": "",
        "control_cipher_suites_tls_1_3": "",
        "data_cipher_list": "",
        "data_cipher_suites_tls_1_3": "",
        "debuginfo_path": "/var/opt/redislabs/tmp",
        "email_from": "",
        "envoy_admin_port": 8002,
        "envoy_mgmt_server_port": 8004,
        "min_control_TLS_version": "1.2",
        "min_data_TLS_version": "1.2",
        "min_sentinel_TLS_version": "1.2",
        "mtls_authorized_subjects": [],
        "mtls_certificate_authentication": false,
        "mtls_client_cert_subject_validation_type": "disabled",
        "multi_commands_opt": "disabled",
        "reserved_ports": [],
        "s3_ca_cert": "",
        "s3_url": "",
        "sentinel_cipher_suites": [],
        "sentinel_cipher_suites_tls_1_3": "",
        "sentinel_tls_mode": "allowed",
        "slowlog_in_sanitized_support": false,
        "smtp_host": "",
        "smtp_port": 25,
        "smtp_tls_mode": "none",
        "smtp_username": "",
    })
}

fn node_object(uid: i64) -> serde_json::Value {
    let mut node = serde_json::json!({
        "uid": uid,
        "addr": format!("127.0.0.{}", uid),
        "status": "active",
        "accept_servers": true,
        "architecture": "x86_64",
        "cores": 2,
        "total_memory": 8_589_934_592_i64,
        "ephemeral_storage_size": 53_687_091_200.0_f64,
        "persistent_storage_size": 53_687_091_200.0_f64,
        "os_version": "Debian (simulated)",
        "software_version": "8.2.0-simulated",
        "shard_count": 0,
        "rack_id": "",
        "uptime": 0,
    });
    crate::schema::add_defaults(&mut node, "Node");
    crate::schema::add_members(
        &mut node,
        "Node",
        serde_json::json!({
            "name": format!("node:{uid}"),
            "os_name": "Debian GNU/Linux 12 (bookworm)",
            "os_semantic_version": "12.0.0",
            "ephemeral_storage_path": "/var/opt/redislabs/tmp",
            "persistent_storage_path": "/var/opt/redislabs/persist",
            "bigstore_size": 0,
            "use_internal_ipv6": false,
            "bigstore_enabled": false,
            "external_addr": [],
            "max_listeners": 100,
            "max_redis_servers": 100,
            "recovery_path": "/var/opt/redislabs/persist/recovery",
            "bigredis_storage_path": "/var/opt/redislabs/flash",
            "supported_database_versions": [],
        }),
    );
    node
}

/// The current time as ISO 8601 (UTC, seconds).
pub(crate) fn iso_now() -> String {
    iso_from_secs(now_secs())
}

/// A Unix time as ISO 8601 (UTC, seconds).
pub(crate) fn iso_from_secs(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso_from_secs(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_from_secs(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn uids_follow_the_largest() {
        let mut m = BTreeMap::new();
        assert_eq!(Store::next_uid(&m), 1);
        m.insert(4, ());
        assert_eq!(Store::next_uid(&m), 5);
        // A client took the largest uid: the next one is the lowest free, never an overflow.
        m.insert(i64::MAX, ());
        assert_eq!(Store::next_uid(&m), 1);
        m.insert(1, ());
        assert_eq!(Store::next_uid(&m), 2);
    }

    #[test]
    fn database_uids_survive_the_largest() {
        let mut s = Store::new("a@example.com", "pw", 1, false);
        s.last_bdb_uid = i64::MAX;
        assert_eq!(s.new_bdb_uid(), 1);
    }
}
