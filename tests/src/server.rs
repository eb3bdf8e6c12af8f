//! A real loopback server for client tests: HTTPS (rustls, with a CA and a server certificate
//! generated at start-up by rcgen) or plain HTTP, answering with a handler the test supplies
//! and recording every request it receives.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Headers.
    pub headers: hyper::HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl Recorded {
    /// A header as a string.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// What the handler answers.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON reply.
    pub fn json(status: u16, value: serde_json::Value) -> Self {
        Self::raw(
            status,
            "application/json",
            serde_json::to_vec(&value).expect("JSON serialises"),
        )
    }

    /// A reply with any content type and body.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The server certificate a [`TestServer::https_with`] presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certificate {
    /// Valid for 127.0.0.1 and localhost.
    Valid,
    /// Valid, but for `cluster.example.invalid` only.
    OtherName,
    /// For 127.0.0.1, but expired on 2021-01-01.
    Expired,
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

/// A running test server; it stops when dropped.
pub struct TestServer {
    /// `https://127.0.0.1:<port>` or `http://…`.
    pub url: String,
    /// PEM of the CA that signed the server certificate (HTTPS only).
    pub ca_pem: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    connections: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("request log lock").clone()
    }

    /// TCP connections accepted so far (a TLS handshake that fails still counts).
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Starts an HTTPS server.
    pub async fn https(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        Self::https_with(Certificate::Valid, handler).await
    }

    /// Starts an HTTPS server whose certificate is `certificate` (valid, for another name, or
    /// expired), signed by the CA in [`TestServer::ca_pem`].
    pub async fn https_with(
        certificate: Certificate,
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "redis-enterprise-api test CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA certificate");
        let key = rcgen::KeyPair::generate().expect("server key");
        let names = match certificate {
            Certificate::OtherName => vec!["cluster.example.invalid".to_string()],
            _ => vec!["127.0.0.1".to_string(), "localhost".to_string()],
        };
        let mut params = rcgen::CertificateParams::new(names).expect("server params");
        if certificate == Certificate::Expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let cert = params.signed_by(&key, &ca).expect("server certificate");
        let config = tokio_rustls::rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .expect("server TLS config");
        Self::start(
            Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))),
            ca.pem(),
            Arc::new(handler),
        )
        .await
    }

    /// Starts a plain HTTP server.
    pub async fn http(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        Self::start(None, String::new(), Arc::new(handler)).await
    }

    async fn start(
        tls: Option<tokio_rustls::TlsAcceptor>,
        ca_pem: String,
        handler: Arc<Handler>,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr: SocketAddr = listener.local_addr().expect("local address");
        let scheme = if tls.is_some() { "https" } else { "http" };
        let requests: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let log = requests.clone();
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let accepted = connections.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                accepted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let handler = handler.clone();
                let log = log.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let handler = handler.clone();
                        let log = log.clone();
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let recorded = Recorded {
                                method: parts.method.to_string(),
                                path: parts
                                    .uri
                                    .path_and_query()
                                    .map(|p| p.to_string())
                                    .unwrap_or_default(),
                                headers: parts.headers,
                                body,
                            };
                            let reply = handler(&recorded);
                            log.lock().expect("request log lock").push(recorded);
                            let mut response = hyper::Response::builder().status(reply.status);
                            for (k, v) in &reply.headers {
                                response = response.header(k, v);
                            }
                            Ok::<_, std::convert::Infallible>(
                                response
                                    .body(Full::new(Bytes::from(reply.body)))
                                    .expect("valid response"),
                            )
                        }
                    });
                    let builder = hyper::server::conn::http1::Builder::new();
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let _ = builder
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                            }
                        }
                        None => {
                            let _ = builder
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                    }
                });
            }
        });
        Self {
            url: format!("{scheme}://{addr}"),
            ca_pem,
            requests,
            connections,
            task,
        }
    }
}

/// What a [`RawServer`] does with each connection.
#[derive(Debug, Clone)]
pub enum RawBehaviour {
    /// Reads the request head, writes these bytes verbatim, then closes the connection.
    Respond(Vec<u8>),
    /// Reads the request head, writes these bytes, then keeps the connection open without
    /// writing anything more (a stalled body).
    RespondThenStall(Vec<u8>),
    /// Accepts the connection and never reads or writes (a server that hangs).
    Hang,
}

/// A plain-TCP loopback server that answers with raw bytes: for what a well-behaved HTTP server
/// cannot do (truncated bodies, stalls). It stops when dropped, and so do its connections.
pub struct RawServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    connections: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RawServer {
    /// Starts the server.
    pub async fn start(behaviour: RawBehaviour) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = connections.clone();
        let task = tokio::spawn(async move {
            // Connections live in this set, so aborting the accept task drops them all.
            let mut open = tokio::task::JoinSet::new();
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let behaviour = behaviour.clone();
                open.spawn(async move {
                    let (bytes, stall) = match behaviour {
                        RawBehaviour::Hang => {
                            std::future::pending::<()>().await;
                            return;
                        }
                        RawBehaviour::Respond(b) => (b, false),
                        RawBehaviour::RespondThenStall(b) => (b, true),
                    };
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    if stream.write_all(&bytes).await.is_err() {
                        return;
                    }
                    if stall {
                        std::future::pending::<()>().await;
                    }
                    // Dropping the stream closes the connection.
                });
            }
        });
        Self {
            url: format!("http://{addr}"),
            connections,
            task,
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A loopback port on which nothing listens (bound, then released).
pub async fn refused_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    drop(listener);
    format!("https://{addr}")
}
