//! TLS with rustls (ring provider), so no system OpenSSL is needed.
//!
//! Certificates are verified by default against Mozilla's roots (webpki-roots) plus any CA the
//! caller adds (a cluster with its own certificate authority). Accepting any certificate is only
//! possible through [`crate::ClientBuilder::danger_accept_invalid_certs`], named to be noticed
//! in review. Client certificates are not supported.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::pem::PemObject;

use crate::config::BuildError;

/// What the caller asked for.
#[derive(Clone, Default)]
pub(crate) struct TlsSettings {
    /// Extra trusted CAs, PEM.
    pub ca_pem: Vec<Vec<u8>>,
    /// Accept any server certificate (explicit opt-in only).
    pub accept_invalid_certs: bool,
}

/// The process-level provider: the one the application installed
/// ([`CryptoProvider::install_default`], e.g. aws-lc-rs for post-quantum key exchange or a FIPS
/// build), else the one rustls's crate features name (*ring*, which this crate enables), which
/// rustls installs as the process default itself. Not `rustls::crypto::ring::default_provider`:
/// deprecated since rustls 0.23.48. As rustls requires, an application that enables both *ring*
/// and aws-lc-rs installs a provider before building a client.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    match CryptoProvider::get_default() {
        Some(provider) => provider.clone(),
        None => rustls::ClientConfig::builder().crypto_provider().clone(),
    }
}

/// Builds the rustls configuration handed to reqwest.
pub(crate) fn client_config(settings: &TlsSettings) -> Result<rustls::ClientConfig, BuildError> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(BuildError::Tls)?;
    let mut config = if settings.accept_invalid_certs {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for pem in &settings.ca_pem {
            let mut found = 0;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| BuildError::CaCertificate {
                    reason: e.to_string(),
                })?;
                roots.add(cert).map_err(|e| BuildError::CaCertificate {
                    reason: e.to_string(),
                })?;
                found += 1;
            }
            if found == 0 {
                return Err(BuildError::CaCertificate {
                    reason: "no PEM certificate found".into(),
                });
            }
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Accepts every certificate but still checks handshake signatures, so the connection is
/// encrypted, just not authenticated.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
