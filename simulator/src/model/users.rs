//! Users and authentication: CRUD with uid assignment and the documented errors (duplicate
//! email or name, unknown role uid, the last admin), password checks for Basic auth, and JWTs
//! (HS256, `iat`/`exp`, signed with the store's secret so they survive a restart), issued by
//! [`authorize`] and [`refresh`]; each user's own passwords ([`change_passwords`]).
//!
//! Credentials work as a cluster's: the start-up credentials only create the admin user (a
//! password change, a delete or a lock applies to them too), passwords are stored as salted
//! hashes, and failed sign-ins lock an account at the cluster policy's `login_lockout_threshold`.
//! The one exception is opt-in, for fuzzers: [`crate::SimulatorBuilder::fuzz_admin`].

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use redis_enterprise_api::operations::Operation;
use redis_enterprise_api::types;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{decode, ErrorKind, ModelError};
use crate::password::PasswordHash;
use crate::state::{iso_now, now_secs, Lockout, Store, UserEntry};
use crate::Shared;

/// Who is calling.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The user's uid (0 before bootstrap).
    pub uid: i64,
    /// The user's email (or name).
    pub email: String,
    /// The management role that decides permissions.
    pub management: String,
}

/// Claims of the simulator's tokens.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The user's email.
    sub: String,
    /// The user's uid.
    uid: i64,
    /// Issued at (Unix seconds).
    iat: i64,
    /// Expires at (Unix seconds).
    exp: i64,
}

/// The management level of a user: its `role`, or the strongest of its roles' `management`,
/// or `db_viewer` (the documented default).
pub(crate) fn management_of(store: &Store, user: &types::User) -> String {
    const ORDER: &[&str] = &[
        "admin",
        "cluster_member",
        "db_member",
        "user_manager",
        "cluster_viewer",
        "db_viewer",
        "none",
    ];
    let from_roles: Vec<String> = user
        .role_uids
        .iter()
        .flatten()
        .filter_map(|uid| store.roles.get(uid))
        .filter_map(|r| r.management.as_ref().map(|m| m.as_str().to_string()))
        .collect();
    if let Some(best) = ORDER.iter().find(|m| from_roles.iter().any(|r| r == *m)) {
        return best.to_string();
    }
    match &user.role {
        Some(role) => role.as_str().to_string(),
        None if !from_roles.is_empty() => "none".into(),
        None => "db_viewer".into(),
    }
}

fn caller_of(store: &Store, entry: &UserEntry) -> Caller {
    Caller {
        uid: entry.user.uid.unwrap_or_default(),
        email: entry.user.email.clone().unwrap_or_default(),
        management: management_of(store, &entry.user),
    }
}

fn find_by_login<'a>(store: &'a Store, login: &str) -> Option<&'a UserEntry> {
    store
        .users
        .values()
        .find(|u| u.user.email.as_deref() == Some(login) || u.user.name.as_deref() == Some(login))
}

/// Whether these are the start-up credentials and the simulator was started for fuzzing
/// ([`crate::SimulatorBuilder::fuzz_admin`]): only then do they sign in as the admin (uid 1)
/// whatever happened to that user since, so a fuzzer changing passwords at random cannot lock
/// itself out. Without that opt-in they are the admin user's first password and nothing more.
fn is_fuzz_admin(shared: &Shared, login: &str, password: &str) -> bool {
    shared.config.fuzz_admin
        && login == shared.config.username
        && password == shared.config.password
}

/// The lockout rules in force: the cluster policy's `login_lockout_*`, the documented
/// defaults for what it does not set.
fn lockout_policy(store: &Store) -> Lockout {
    let policy = store.settings.get("/v1/cluster/policy");
    let get = |key: &str, default: i64| {
        policy
            .and_then(|p| p.get(key))
            .and_then(Value::as_i64)
            .filter(|v| *v >= 0)
            .unwrap_or(default)
    };
    Lockout {
        threshold: get("login_lockout_threshold", Lockout::DEFAULT.threshold),
        duration: get("login_lockout_duration", Lockout::DEFAULT.duration),
        reset_after: get(
            "login_lockout_counter_reset_after",
            Lockout::DEFAULT.reset_after,
        ),
    }
}

impl From<SignInError> for ModelError {
    fn from(e: SignInError) -> Self {
        let (code, description) = match e {
            SignInError::WrongCredentials => (
                "unauthorized",
                "authentication failed: wrong username or password",
            ),
            SignInError::Locked => (
                "user_locked",
                "authentication failed: the account is locked after too many failed sign-ins",
            ),
            SignInError::PasswordExpired => (
                "password_expired",
                "authentication failed: the password has expired",
            ),
        };
        ModelError::new(ErrorKind::Unauthenticated, code, description)
    }
}

/// Why a sign-in is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignInError {
    /// Unknown user or wrong password (not told apart, as a cluster does not).
    WrongCredentials,
    /// Too many failures: the account is locked.
    Locked,
    /// The password has expired.
    PasswordExpired,
}

/// Checks a login and password against the store, counting failures and locking the account
/// at the policy's threshold. Returns the user's uid.
fn sign_in(store: &mut Store, login: &str, password: &str) -> Result<i64, SignInError> {
    let policy = lockout_policy(store);
    let now = now_secs();
    let uid = find_by_login(store, login)
        .and_then(|e| e.user.uid)
        .ok_or(SignInError::WrongCredentials)?;
    let entry = store
        .users
        .get_mut(&uid)
        .ok_or(SignInError::WrongCredentials)?;
    if entry.locked(now) {
        return Err(SignInError::Locked);
    }
    if !entry.accepts(password) {
        if policy.reset_after > 0 && now - entry.last_failure >= policy.reset_after {
            entry.failed_logins = 0;
        }
        entry.failed_logins += 1;
        entry.last_failure = now;
        if policy.threshold > 0 && entry.failed_logins >= policy.threshold {
            entry.locked_until = Some(if policy.duration == 0 {
                i64::MAX
            } else {
                now.saturating_add(policy.duration)
            });
            entry.user.status = Some(types::UserStatus::Locked);
        }
        return Err(SignInError::WrongCredentials);
    }
    entry.failed_logins = 0;
    if entry.user.status == Some(types::UserStatus::PasswordExpired) {
        return Err(SignInError::PasswordExpired);
    }
    Ok(uid)
}

/// The caller for Basic credentials, or why they are refused.
pub(crate) fn check_password(
    shared: &Shared,
    login: &str,
    password: &str,
) -> Result<Caller, SignInError> {
    if is_fuzz_admin(shared, login, password) {
        return Ok(Caller {
            uid: 1,
            email: login.to_string(),
            management: "admin".into(),
        });
    }
    let (result, changed) = shared.with_store(|s| {
        let failures =
            |s: &Store| find_by_login(s, login).map(|e| (e.failed_logins, e.locked_until));
        let before = failures(s);
        let result = sign_in(s, login, password).and_then(|uid| {
            s.users
                .get(&uid)
                .map(|e| caller_of(s, e))
                .ok_or(SignInError::WrongCredentials)
        });
        (result, before != failures(s))
    });
    if changed {
        shared.persist();
    }
    result
}

/// The caller for a JWT, or why it is refused.
pub(crate) fn verify_jwt(shared: &Shared, token: &str, _op: &Operation) -> Result<Caller, String> {
    shared.with_store(|s| {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.required_spec_claims = ["exp", "iat", "sub"]
            .iter()
            .map(|c| c.to_string())
            .collect();
        let data = jsonwebtoken::decode::<Claims>(
            token,
            &DecodingKey::from_secret(s.jwt_secret.as_bytes()),
            &validation,
        )
        .map_err(|e| format!("invalid token: {e}"))?;
        // jsonwebtoken compares exp with its own clock; also refuse a token at its exact expiry.
        if data.claims.exp <= now_secs() {
            return Err("the token has expired".into());
        }
        let entry = s
            .users
            .get(&data.claims.uid)
            .filter(|u| u.user.email.as_deref() == Some(data.claims.sub.as_str()))
            .ok_or_else(|| "the token's user no longer exists".to_string())?;
        if entry.locked_until.is_some_and(|until| now_secs() < until) {
            return Err("the token's user is locked".into());
        }
        Ok(caller_of(s, entry))
    })
}

fn sign(store: &Store, uid: i64, email: &str, ttl: i64) -> Result<String, ModelError> {
    let now = now_secs();
    let claims = Claims {
        sub: email.to_string(),
        uid,
        iat: now,
        exp: now + ttl,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(store.jwt_secret.as_bytes()),
    )
    .map_err(|e| ModelError::internal(format!("cannot sign the token: {e}")))
}

/// A token's lifetime: `ttl` seconds (300 when not given), 1-86400.
pub(crate) fn checked_ttl(ttl: Option<i64>) -> Result<i64, ModelError> {
    let ttl = ttl.unwrap_or(300);
    if !(1..=86_400).contains(&ttl) {
        return Err(ModelError::invalid(
            "invalid_ttl",
            "ttl must be 1-86400 seconds",
        ));
    }
    Ok(ttl)
}

/// Signs in with `username` and `password` and answers a token valid for `ttl` seconds. A
/// success records `last_login`, a failure counts towards the lockout.
pub(crate) fn authorize(
    shared: &Shared,
    auth: &types::JwtAuthorize,
    ttl: i64,
) -> Result<String, ModelError> {
    let fuzz_admin = is_fuzz_admin(shared, &auth.username, &auth.password);
    let token = shared.with_store(|s| {
        let uid = if fuzz_admin && s.users.contains_key(&1) {
            1
        } else {
            sign_in(s, &auth.username, &auth.password).map_err(ModelError::from)?
        };
        let email = s
            .users
            .get(&uid)
            .and_then(|e| e.user.email.clone())
            .unwrap_or_default();
        let token = sign(s, uid, &email, ttl)?;
        if let Some(e) = s.users.get_mut(&uid) {
            e.user.last_login = Some(now_secs());
        }
        Ok(token)
    });
    shared.persist();
    token
}

/// A new token for the caller, valid for `ttl` seconds.
pub(crate) fn refresh(shared: &Shared, caller: &Caller, ttl: i64) -> Result<String, ModelError> {
    shared.with_store(|s| sign(s, caller.uid, &caller.email, ttl))
}

/// Every user.
pub(crate) fn list(shared: &Shared) -> Vec<types::User> {
    shared.with_store(|s| s.users.values().map(|u| u.user.clone()).collect())
}

/// One user.
pub(crate) fn get(shared: &Shared, uid: i64) -> Result<types::User, ModelError> {
    shared.with_store(|s| match s.users.get(&uid) {
        Some(u) => Ok(u.user.clone()),
        None => Err(ModelError::not_found("user", uid)),
    })
}

/// Every role uid must name a role (`role_not_exist`, of the kind `kind`).
fn check_roles(
    store: &Store,
    role_uids: Option<&Vec<i64>>,
    kind: ErrorKind,
) -> Result<(), ModelError> {
    for uid in role_uids.into_iter().flatten() {
        if !store.roles.contains_key(uid) {
            return Err(ModelError::new(
                kind,
                "role_not_exist",
                format!("role {uid} does not exist"),
            ));
        }
    }
    Ok(())
}

fn admins(store: &Store) -> usize {
    store
        .users
        .values()
        .filter(|u| management_of(store, &u.user) == "admin")
        .count()
}

/// Creates a user: email, name and uid free, its roles existing.
pub(crate) fn create(
    shared: &Shared,
    new: types::UserCreate,
    dry_run: bool,
) -> Result<types::User, ModelError> {
    let user = shared.with_store(|s| {
        if s.users
            .values()
            .any(|u| u.user.email.as_deref() == Some(new.email.as_str()))
        {
            return Err(ModelError::conflict(
                "email_already_exists",
                format!("email {} is already taken", new.email),
            ));
        }
        if let Some(name) = &new.name {
            if s.users
                .values()
                .any(|u| u.user.name.as_deref() == Some(name.as_str()))
            {
                return Err(ModelError::conflict(
                    "name_already_exists",
                    format!("name {name} is already taken"),
                ));
            }
        }
        if let Some(uid) = new.uid {
            if s.users.contains_key(&uid) {
                return Err(ModelError::conflict(
                    "uid_exists",
                    format!("user uid {uid} is already in use"),
                ));
            }
        }
        check_roles(s, new.role_uids.as_ref(), ErrorKind::Invalid)?;
        let uid = new.uid.unwrap_or_else(|| Store::next_uid(&s.users));
        let user = {
            let mut value = types::User::default();
            value.uid = Some(uid);
            value.account_id = new.account_id;
            value.auth_method = Some(
                new.auth_method
                    .clone()
                    .unwrap_or(types::UserAuthMethod::Regular),
            );
            value.bdbs_email_alerts = Some(new.bdbs_email_alerts.clone().unwrap_or_default());
            value.certificate_subject_line = new.certificate_subject_line.clone();
            value.cluster_email_alerts = Some(new.cluster_email_alerts.unwrap_or(false));
            value.email = Some(new.email.clone());
            value.email_alerts = Some(new.email_alerts.unwrap_or(true));
            value.name = new.name.clone();
            value.password_hash_method = new.password_hash_method.clone();
            value.password_issue_date = Some(iso_now());
            value.role = match (&new.role, &new.role_uids) {
                (Some(r), _) => Some(r.clone()),
                (None, Some(_)) => None,
                (None, None) => Some(types::UserRole::DbViewer),
            };
            value.role_uids = Some(new.role_uids.clone().unwrap_or_default());
            value.status = Some(types::UserStatus::Active);
            value
        };
        if !dry_run {
            s.users
                .insert(uid, UserEntry::new(user.clone(), &new.password));
        }
        // A dry run creates nothing, so it names no uid the caller did not choose.
        let mut user = user;
        if dry_run && new.uid.is_none() {
            user.uid = None;
        }
        Ok(user)
    })?;
    shared.persist();
    Ok(user)
}

/// What a user update sends: the body as sent (its members replace the user's, but for those
/// the cluster owns) and the same body decoded.
pub(crate) struct UserChanges {
    /// The body as sent.
    pub body: Value,
    /// The body decoded.
    pub parsed: types::User,
}

/// Updates a user: a free email, existing roles, and at least one admin left. A password sent
/// replaces the user's passwords (and so releases a locked account).
pub(crate) fn update(
    shared: &Shared,
    uid: i64,
    changes: UserChanges,
    dry_run: bool,
) -> Result<types::User, ModelError> {
    let UserChanges {
        body,
        parsed: changes,
    } = changes;
    let user = shared.with_store(|s| {
        let entry = s
            .users
            .get(&uid)
            .ok_or_else(|| ModelError::not_found("user", uid))?;
        if let Some(email) = &changes.email {
            if s.users
                .iter()
                .any(|(u, e)| *u != uid && e.user.email.as_deref() == Some(email))
            {
                return Err(ModelError::refused(
                    "email_already_exists",
                    format!("email {email} is already taken"),
                ));
            }
        }
        check_roles(s, changes.role_uids.as_ref(), ErrorKind::Refused)?;
        let mut value = serde_json::to_value(&entry.user).unwrap_or(Value::Null);
        if let (Value::Object(map), Value::Object(new)) = (&mut value, &body) {
            for (k, v) in new {
                if !matches!(
                    k.as_str(),
                    "uid"
                        | "password"
                        | "action_uid"
                        | "last_login"
                        | "password_issue_date"
                        | "status"
                ) {
                    map.insert(k.clone(), v.clone());
                }
            }
        }
        let mut user: types::User = decode(value)?;
        let was_admin = management_of(s, &entry.user) == "admin";
        if was_admin && management_of(s, &user) != "admin" && admins(s) <= 1 {
            return Err(ModelError::refused(
                "change_last_admin_role_not_allowed",
                "at least one user with the admin role must remain",
            ));
        }
        let password = changes.password.clone();
        if password.is_some() {
            user.password_issue_date = Some(iso_now());
        }
        if !dry_run {
            if let Some(e) = s.users.get_mut(&uid) {
                e.user = user.clone();
                // An admin setting a password is also how a locked account is released.
                if let Some(p) = password {
                    e.set_password(&p);
                }
            }
        }
        Ok(user)
    })?;
    shared.persist();
    Ok(user)
}

/// Deletes a user, but never the last admin.
pub(crate) fn delete(shared: &Shared, uid: i64) -> Result<(), ModelError> {
    shared.with_store(|s| {
        let entry = s
            .users
            .get(&uid)
            .ok_or_else(|| ModelError::not_found("user", uid))?;
        if management_of(s, &entry.user) == "admin" && admins(s) <= 1 {
            return Err(ModelError::refused(
                "change_last_admin_role_not_allowed",
                "the last admin user cannot be deleted",
            ));
        }
        s.users.remove(&uid);
        Ok(())
    })?;
    shared.persist();
    Ok(())
}

/// A change to a user's own passwords.
#[derive(Debug, Clone)]
pub(crate) enum PasswordChange {
    /// `new` becomes the one password.
    Replace {
        /// The new password.
        new: String,
    },
    /// `new` is added (for rotation: both work).
    Add {
        /// The new password.
        new: String,
    },
    /// `old` is removed, unless it is the last.
    Remove {
        /// The password to remove.
        old: String,
    },
}

/// Changes the passwords of `target` (the caller itself when `None`); only an admin may change
/// another user's.
pub(crate) fn change_passwords(
    shared: &Shared,
    caller: &Caller,
    target: Option<String>,
    change: PasswordChange,
) -> Result<(), ModelError> {
    let target = target.unwrap_or_else(|| caller.email.clone());
    if target != caller.email && caller.management != "admin" {
        return Err(ModelError::new(
            ErrorKind::Forbidden,
            "unauthorized_action",
            "only an admin may change another user's passwords",
        ));
    }
    let no_user = || {
        ModelError::new(
            ErrorKind::NotFound,
            "user_not_exist",
            format!("no user {target}"),
        )
    };
    shared.with_store(|s| {
        let uid = find_by_login(s, &target)
            .and_then(|e| e.user.uid)
            .ok_or_else(no_user)?;
        let entry = s.users.get_mut(&uid).ok_or_else(no_user)?;
        match change {
            PasswordChange::Replace { new } | PasswordChange::Add { new }
                if entry.accepts(&new) =>
            {
                return Err(ModelError::invalid(
                    "new_password_same_as_current",
                    "the new password is already one of the user's passwords",
                ));
            }
            PasswordChange::Replace { new } => {
                entry.passwords = vec![PasswordHash::new(&new)];
                entry.user.password_issue_date = Some(iso_now());
            }
            PasswordChange::Add { new } => {
                entry.passwords.push(PasswordHash::new(&new));
                entry.user.password_issue_date = Some(iso_now());
            }
            PasswordChange::Remove { old } => {
                if !entry.accepts(&old) {
                    return Err(ModelError::invalid(
                        "password_not_found",
                        "no such password",
                    ));
                }
                if entry.passwords.len() <= 1 {
                    return Err(ModelError::invalid(
                        "cannot_delete_last_password",
                        "the user has no other password",
                    ));
                }
                entry.passwords.retain(|h| !h.matches(&old));
            }
        }
        Ok::<_, ModelError>(())
    })?;
    shared.persist();
    Ok(())
}
