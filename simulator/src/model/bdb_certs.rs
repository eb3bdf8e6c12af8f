//! Per-database proxy certificates (`/v1/bdbs/certificates`, `/v1/bdbs/{uid}/certificates`):
//! a certificate is set with its private key, both PEM; the certificate must parse as X.509,
//! the key as a PKCS #8 private key, and the key must be the certificate's (else 400 or 406,
//! nothing stored). The store keeps the certificate and its validity period read from it; the
//! key is checked and not kept (no redis-server serves TLS with it). Get answers what was set
//! (404 when nothing is), delete removes it, the list pages and filters them, and a database's
//! delete removes its certificate.

use redis_enterprise_api::types;
use serde_json::{json, Value};

use super::ModelError;
use crate::state::iso_from_secs;
use crate::Shared;

/// The certificate of `pem` and its validity period (Unix seconds), or why it is refused.
fn parse_cert(pem: &str) -> Result<(Vec<u8>, i64, i64), ModelError> {
    let bad = |why: String| ModelError::invalid("invalid_certificate", why);
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes())
        .map_err(|e| bad(format!("cert is not a PEM block: {e}")))?;
    if block.label != "CERTIFICATE" {
        return Err(bad(format!(
            "cert is a PEM {:?} block, not a CERTIFICATE",
            block.label
        )));
    }
    let cert = block
        .parse_x509()
        .map_err(|e| bad(format!("cert is not an X.509 certificate: {e}")))?;
    let validity = cert.validity();
    Ok((
        cert.public_key().subject_public_key.data.to_vec(),
        validity.not_before.timestamp(),
        validity.not_after.timestamp(),
    ))
}

/// Checks that `pem` is a PKCS #8 private key whose public key is `public_key`.
fn check_key(pem: &str, public_key: &[u8]) -> Result<(), ModelError> {
    use rcgen::PublicKeyData;
    let key = rcgen::KeyPair::from_pem(pem).map_err(|e| {
        ModelError::invalid(
            "invalid_private_key",
            format!("private_key is not a PEM PKCS #8 private key: {e}"),
        )
    })?;
    if key.der_bytes() != public_key {
        return Err(ModelError::refused(
            "certificate_key_mismatch",
            "private_key is not the key of cert",
        ));
    }
    Ok(())
}

fn require_bdb(shared: &Shared, uid: i64) -> Result<types::Bdb, ModelError> {
    shared
        .with_store(|s| s.bdbs.get(&uid).map(|e| e.bdb.clone()))
        .ok_or_else(|| ModelError::not_found("db", uid))
}

/// Sets the proxy certificate of database `uid` (a dry run checks and answers it, storing
/// nothing). Answers the certificate as stored.
pub(crate) fn set(
    shared: &Shared,
    uid: i64,
    cert: &str,
    private_key: &str,
    dry_run: bool,
) -> Result<Value, ModelError> {
    require_bdb(shared, uid)?;
    let (public_key, not_before, not_after) = parse_cert(cert)?;
    check_key(private_key, &public_key)?;
    let stored = json!({
        "bdb_uid": uid.to_string(),
        "cert": cert,
        "not_before": iso_from_secs(not_before),
        "not_after": iso_from_secs(not_after),
    });
    if !dry_run {
        let kept = shared.with_store(|s| {
            if !s.bdbs.contains_key(&uid) {
                return false;
            }
            s.bdb_certificates.insert(uid, stored.clone());
            true
        });
        if !kept {
            return Err(ModelError::not_found("db", uid));
        }
        shared.persist();
    }
    Ok(stored)
}

/// The proxy certificate of database `uid` (404 for an unknown database or one without).
pub(crate) fn get(shared: &Shared, uid: i64) -> Result<Value, ModelError> {
    require_bdb(shared, uid)?;
    shared
        .with_store(|s| s.bdb_certificates.get(&uid).cloned())
        .ok_or_else(|| no_certificate(uid))
}

fn no_certificate(uid: i64) -> ModelError {
    ModelError::new(
        super::ErrorKind::NotFound,
        "certificate_not_exist",
        format!("database {uid} has no proxy certificate"),
    )
}

/// Removes the proxy certificate of database `uid` (404 for an unknown database or one
/// without).
pub(crate) fn delete(shared: &Shared, uid: i64) -> Result<(), ModelError> {
    require_bdb(shared, uid)?;
    let removed = shared.with_store(|s| s.bdb_certificates.remove(&uid).is_some());
    if !removed {
        return Err(no_certificate(uid));
    }
    shared.persist();
    Ok(())
}

/// Filters and paging of the certificate list.
#[derive(Debug, Default)]
pub(crate) struct ListFilter {
    /// Page to return, from 1.
    pub page: Option<i64>,
    /// Certificates per page.
    pub page_size: Option<i64>,
    /// Only certificates that expire before this time (ISO 8601 or Unix seconds).
    pub expires_before: Option<String>,
    /// Only certificates of databases with this `tls_mode`.
    pub tls_mode: Option<String>,
}

/// Unix seconds of `text`: an integer, or an ISO 8601 date-time as the certificates show them
/// (`YYYY-MM-DDTHH:MM:SSZ`, also without the time).
fn timestamp(text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let (date, time) = text.split_once('T').unwrap_or((text, "00:00:00Z"));
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time = time.trim_end_matches('Z');
    let mut t = time
        .split(':')
        .map(|p| p.split('.').next()?.parse::<i64>().ok());
    let (h, min, sec) = (t.next()??, t.next()??, t.next().flatten().unwrap_or(0));
    // Years as X.509 writes them (up to 9999), which also keeps the arithmetic in range.
    if !(0..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || !(0..=23).contains(&h)
        || !(0..=59).contains(&min)
        || !(0..=60).contains(&sec)
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + min * 60 + sec)
}

/// The proxy certificates of every database, filtered and paged (400 for a page or page size
/// below 1, or an `expires_before` that is not a time).
pub(crate) fn list(shared: &Shared, filter: &ListFilter) -> Result<Vec<Value>, ModelError> {
    let bad = |why: String| ModelError::invalid("invalid_parameter", why);
    let before = match &filter.expires_before {
        Some(t) => Some(timestamp(t).ok_or_else(|| {
            bad(format!(
                "expires_before {t:?} is not a time (ISO 8601 or Unix seconds)"
            ))
        })?),
        None => None,
    };
    if filter.page.is_some_and(|p| p < 1) || filter.page_size.is_some_and(|p| p < 1) {
        return Err(bad("page and page_size count from 1".into()));
    }
    let all: Vec<Value> = shared.with_store(|s| {
        s.bdb_certificates
            .iter()
            .filter(|(uid, cert)| {
                let mode_ok = filter.tls_mode.as_deref().is_none_or(|wanted| {
                    s.bdbs
                        .get(uid)
                        .and_then(|e| e.bdb.tls_mode.as_ref())
                        .is_some_and(|m| m.to_string() == wanted)
                });
                let expiry_ok = before.is_none_or(|b| {
                    cert["not_after"]
                        .as_str()
                        .and_then(timestamp)
                        .is_some_and(|t| t < b)
                });
                mode_ok && expiry_ok
            })
            .map(|(_, c)| c.clone())
            .collect()
    });
    Ok(match (filter.page, filter.page_size) {
        (_, None) => all,
        (page, Some(size)) => {
            let page = page.unwrap_or(1);
            let skip = usize::try_from((page - 1).saturating_mul(size)).unwrap_or(usize::MAX);
            let take = usize::try_from(size).unwrap_or(usize::MAX);
            all.into_iter().skip(skip).take(take).collect()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::timestamp;

    #[test]
    fn timestamps_read_both_forms() {
        assert_eq!(timestamp("0"), Some(0));
        assert_eq!(timestamp("1970-01-02T00:00:00Z"), Some(86_400));
        assert_eq!(timestamp("2025-01-01T00:00:00Z"), Some(1_735_689_600));
        assert_eq!(timestamp("2025-01-01"), Some(1_735_689_600));
        assert_eq!(timestamp("yesterday"), None);
        assert_eq!(timestamp("99999999999999999-01-01"), None);
        assert_eq!(timestamp("2025-01-01T-1:00:00Z"), None);
        assert_eq!(
            crate::state::iso_from_secs(1_735_689_600),
            "2025-01-01T00:00:00Z"
        );
    }
}
