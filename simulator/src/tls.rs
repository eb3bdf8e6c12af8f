//! The certificate generated at start-up: a CA (whose PEM clients trust) and a server
//! certificate for `127.0.0.1` and `localhost` signed by it. Nothing is read from disk.

use std::sync::Arc;

use tokio_rustls::rustls;

use crate::SimError;

/// A CA and the TLS acceptor of a server certificate it signed.
pub(crate) struct Tls {
    /// PEM of the CA.
    pub ca_pem: String,
    /// Acceptor for incoming connections.
    pub acceptor: tokio_rustls::TlsAcceptor,
}

fn tls_error(reason: impl std::fmt::Display) -> SimError {
    SimError::Tls {
        reason: reason.to_string(),
    }
}

impl Tls {
    /// Generates a CA and a server certificate.
    pub fn generate() -> Result<Self, SimError> {
        let ca_key = rcgen::KeyPair::generate().map_err(tls_error)?;
        let mut ca_params =
            rcgen::CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "redis-enterprise-simulator CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(tls_error)?;
        let key = rcgen::KeyPair::generate().map_err(tls_error)?;
        let params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .map_err(tls_error)?;
        let cert = params.signed_by(&key, &ca).map_err(tls_error)?;
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .map_err(tls_error)?;
        Ok(Self {
            ca_pem: ca.pem(),
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        })
    }
}
