//! Name resolution through the system resolver (as reqwest's default does), with its failures
//! wrapped in [`DnsError`], so that [`crate::Error::transport_kind`] tells a DNS failure from
//! every other one by its type rather than by reading messages (which contain the host name).

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// A host name could not be resolved. Found in the source chain of a transport error.
#[derive(Debug, thiserror::Error)]
#[error("could not resolve host {host}")]
pub(crate) struct DnsError {
    host: String,
    #[source]
    source: std::io::Error,
}

/// The system resolver (`getaddrinfo`, on a blocking thread), failures as [`DnsError`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map(|addrs| addrs.collect::<Vec<SocketAddr>>());
            match found {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as Addrs),
                Err(source) => Err(Box::new(DnsError { host, source }) as _),
            }
        })
    }
}
