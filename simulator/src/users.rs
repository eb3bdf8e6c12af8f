//! Users and authentication: CRUD with uid assignment and the documented errors (duplicate
//! email or name, unknown role uid, the last admin), password checks for Basic auth, and JWTs
//! (HS256, `iat`/`exp`, signed with the store's secret so they survive a restart) for
//! `POST /v1/users/authorize` and `POST /v1/users/refresh_jwt`.
//!
//! Credentials work as a cluster's: the start-up credentials only create the admin user (a
//! password change, a delete or a lock applies to them too), passwords are stored as salted
//! hashes, and failed sign-ins lock an account at the cluster policy's `login_lockout_threshold`.
//! The one exception is opt-in, for fuzzers: [`crate::SimulatorBuilder::fuzz_admin`].

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use redis_enterprise_api::operations::Operation;
use redis_enterprise_api::types;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{decode, ApiError, Caller, Handler, Reply, Req};
use crate::password::PasswordHash;
use crate::state::{iso_now, now_secs, Lockout, Store, UserEntry};
use crate::{schema, Shared};

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

impl SignInError {
    /// The 401 a cluster answers.
    pub fn into_api_error(self) -> ApiError {
        match self {
            Self::WrongCredentials => ApiError::new(
                401,
                "unauthorized",
                "authentication failed: wrong username or password",
            ),
            Self::Locked => ApiError::new(
                401,
                "user_locked",
                "authentication failed: the account is locked after too many failed sign-ins",
            ),
            Self::PasswordExpired => ApiError::new(
                401,
                "password_expired",
                "authentication failed: the password has expired",
            ),
        }
    }
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

fn sign(store: &Store, uid: i64, email: &str, ttl: i64) -> Result<String, ApiError> {
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
    .map_err(|e| ApiError::new(500, "internal_error", format!("cannot sign the token: {e}")))
}

fn ttl_of(value: &Value) -> Result<i64, ApiError> {
    let ttl = value.get("ttl").and_then(Value::as_i64).unwrap_or(300);
    if !(1..=86_400).contains(&ttl) {
        return Err(ApiError::new(
            400,
            "invalid_ttl",
            "ttl must be 1-86400 seconds",
        ));
    }
    Ok(ttl)
}

/// `POST /v1/users/authorize`.
pub(crate) fn authorize(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    schema::validate_named(&body, "JwtAuthorize")
        .map_err(|e| ApiError::new(400, "invalid_schema", e))?;
    let auth: types::JwtAuthorize = decode(body.clone())?;
    let ttl = ttl_of(&body)?;
    let fuzz_admin = is_fuzz_admin(shared, &auth.username, &auth.password);
    let reply = shared.with_store(|s| {
        let uid = if fuzz_admin && s.users.contains_key(&1) {
            1
        } else {
            sign_in(s, &auth.username, &auth.password).map_err(SignInError::into_api_error)?
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
        Ok(Reply::ok(serde_json::json!({ "access_token": token })))
    });
    // A success records `last_login`, a failure counts towards the lockout.
    shared.persist();
    reply
}

/// `POST /v1/users/refresh_jwt` (the caller authenticated with a valid token or credentials).
/// The operation documents no 400, so a `ttl` out of range is clamped to 1-86400.
pub(crate) fn refresh(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value().unwrap_or(Value::Null);
    let ttl = body
        .get("ttl")
        .and_then(Value::as_i64)
        .unwrap_or(300)
        .clamp(1, 86_400);
    shared.with_store(|s| {
        let token = sign(s, req.caller.uid, &req.caller.email, ttl)?;
        Ok(Reply::ok(serde_json::json!({ "access_token": token })))
    })
}

/// `GET /v1/users`.
pub(crate) fn list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    shared.with_store(|s| {
        let all: Vec<&types::User> = s.users.values().map(|u| &u.user).collect();
        Ok(Reply::of(&all))
    })
}

/// `GET /v1/users/{uid}`.
pub(crate) fn get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    shared.with_store(|s| match s.users.get(&uid) {
        Some(u) => Ok(Reply::of(&u.user)),
        None => Err(req.missing("user", uid)),
    })
}

fn check_roles(store: &Store, role_uids: Option<&Vec<i64>>, status: u16) -> Result<(), ApiError> {
    for uid in role_uids.into_iter().flatten() {
        if !store.roles.contains_key(uid) {
            return Err(ApiError::new(
                status,
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

/// `POST /v1/users`.
pub(crate) fn create(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    schema::validate_named(&body, "UserCreate")
        .map_err(|e| ApiError::new(400, "invalid_schema", e))?;
    let new: types::UserCreate = decode(body)?;
    let dry_run = req.query_flag("dry_run");
    let reply = shared.with_store(|s| {
        if s.users
            .values()
            .any(|u| u.user.email.as_deref() == Some(new.email.as_str()))
        {
            return Err(ApiError::new(
                409,
                "email_already_exists",
                format!("email {} is already taken", new.email),
            ));
        }
        if let Some(name) = &new.name {
            if s.users
                .values()
                .any(|u| u.user.name.as_deref() == Some(name.as_str()))
            {
                return Err(ApiError::new(
                    409,
                    "name_already_exists",
                    format!("name {name} is already taken"),
                ));
            }
        }
        if let Some(uid) = new.uid {
            if s.users.contains_key(&uid) {
                return Err(ApiError::new(
                    409,
                    "uid_exists",
                    format!("user uid {uid} is already in use"),
                ));
            }
        }
        check_roles(s, new.role_uids.as_ref(), 400)?;
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
            value.bdbs_email_alerts = new.bdbs_email_alerts.clone();
            value.certificate_subject_line = new.certificate_subject_line.clone();
            value.cluster_email_alerts = new.cluster_email_alerts;
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
        Ok(Reply::of(&user))
    })?;
    shared.persist();
    Ok(reply)
}

/// `PUT /v1/users/{uid}`.
pub(crate) fn update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = req.json_value()?;
    schema::validate_named(&body, "User").map_err(|e| ApiError::new(400, "invalid_schema", e))?;
    let changes: types::User = decode(body.clone())?;
    let dry_run = req.query_flag("dry_run");
    let reply = shared.with_store(|s| {
        let entry = s.users.get(&uid).ok_or_else(|| req.missing("user", uid))?;
        if let Some(email) = &changes.email {
            if s.users
                .iter()
                .any(|(u, e)| *u != uid && e.user.email.as_deref() == Some(email))
            {
                return Err(ApiError::new(
                    406,
                    "email_already_exists",
                    format!("email {email} is already taken"),
                ));
            }
        }
        check_roles(s, changes.role_uids.as_ref(), 406)?;
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
            return Err(ApiError::new(
                406,
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
        Ok(Reply::of(&user))
    })?;
    shared.persist();
    Ok(reply)
}

/// `DELETE /v1/users/{uid}`.
pub(crate) fn delete(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    shared.with_store(|s| {
        let entry = s.users.get(&uid).ok_or_else(|| req.missing("user", uid))?;
        if management_of(s, &entry.user) == "admin" && admins(s) <= 1 {
            return Err(ApiError::new(
                406,
                "change_last_admin_role_not_allowed",
                "the last admin user cannot be deleted",
            ));
        }
        s.users.remove(&uid);
        Ok(())
    })?;
    shared.persist();
    Ok(Reply::empty(200))
}

/// `GET /v1/users/role`: the caller's management role.
pub(crate) fn role_of_caller(_shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(
        serde_json::json!({ "role": req.caller.management }),
    ))
}

/// `PUT`, `POST` and `DELETE /v1/users/password`: replace, add or remove a password of the
/// caller (or, for an admin, of `username`).
pub(crate) fn passwords(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    let schema_name = match req.op.method {
        "PUT" => "UserPasswordUpdateRequest",
        "POST" => "UserPasswordAddRequest",
        _ => "UserPasswordDeleteRequest",
    };
    schema::validate_named(&body, schema_name)
        .map_err(|e| ApiError::new(400, "invalid_schema", e))?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let target = text("username").unwrap_or_else(|| req.caller.email.clone());
    if target != req.caller.email && req.caller.management != "admin" {
        return Err(ApiError::new(
            403,
            "unauthorized_action",
            "only an admin may change another user's passwords",
        ));
    }
    shared.with_store(|s| {
        let uid = find_by_login(s, &target)
            .and_then(|e| e.user.uid)
            .ok_or_else(|| ApiError::new(404, "user_not_exist", format!("no user {target}")))?;
        let entry = s
            .users
            .get_mut(&uid)
            .ok_or_else(|| ApiError::new(404, "user_not_exist", format!("no user {target}")))?;
        match req.op.method {
            "PUT" | "POST" => {
                let new = text("new_password").unwrap_or_default();
                if entry.accepts(&new) {
                    return Err(ApiError::new(
                        400,
                        "new_password_same_as_current",
                        "the new password is already one of the user's passwords",
                    ));
                }
                if req.op.method == "PUT" {
                    entry.passwords = vec![PasswordHash::new(&new)];
                } else {
                    entry.passwords.push(PasswordHash::new(&new));
                }
                entry.user.password_issue_date = Some(iso_now());
            }
            _ => {
                let old = text("old_password").unwrap_or_default();
                if !entry.accepts(&old) {
                    return Err(ApiError::new(400, "password_not_found", "no such password"));
                }
                if entry.passwords.len() <= 1 {
                    return Err(ApiError::new(
                        400,
                        "cannot_delete_last_password",
                        "the user has no other password",
                    ));
                }
                entry.passwords.retain(|h| !h.matches(&old));
            }
        }
        Ok(())
    })?;
    shared.persist();
    Ok(Reply::empty(200))
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("user_list", Handler::Sync(list)),
        ("user_get", Handler::Sync(get)),
        ("user_create", Handler::Sync(create)),
        ("user_update", Handler::Sync(update)),
        ("user_delete", Handler::Sync(delete)),
        ("user_authorize", Handler::Sync(authorize)),
        ("user_refresh_jwt", Handler::Sync(refresh)),
        ("user_role_get", Handler::Sync(role_of_caller)),
        ("user_password_update", Handler::Sync(passwords)),
        ("user_password_add", Handler::Sync(passwords)),
        ("user_password_delete", Handler::Sync(passwords)),
    ]
}
