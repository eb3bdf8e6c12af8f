//! What serves one operation: a [`Handler`], sync or async, over the shared state and the
//! request. Each resource's handler module registers its own (`register()`), and the server
//! builds its routing table from those lists.

use super::{ApiError, Reply, Req};

/// A handler's future.
pub(crate) type BoxFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Reply, ApiError>> + Send + 'a>>;

/// What serves one operation. Each resource registers its handlers by operation id (its
/// `register()`), and the server builds its routing table from those lists.
#[derive(Clone, Copy)]
pub(crate) enum Handler {
    /// Answers at once.
    Sync(fn(&std::sync::Arc<crate::Shared>, &Req) -> Result<Reply, ApiError>),
    /// Awaits redis-server or the clock.
    Async(for<'a> fn(&'a std::sync::Arc<crate::Shared>, &'a Req) -> BoxFuture<'a>),
}

impl Handler {
    /// Runs the handler.
    pub async fn call(
        self,
        shared: &std::sync::Arc<crate::Shared>,
        req: &Req,
    ) -> Result<Reply, ApiError> {
        match self {
            Self::Sync(f) => f(shared, req),
            Self::Async(f) => f(shared, req).await,
        }
    }
}

/// [`Handler::Async`] for an `async fn(&Arc<Shared>, &Req) -> Result<Reply, ApiError>`.
macro_rules! async_handler {
    ($f:path) => {{
        fn boxed<'a>(
            shared: &'a std::sync::Arc<crate::Shared>,
            req: &'a crate::api::Req,
        ) -> crate::api::BoxFuture<'a> {
            Box::pin($f(shared, req))
        }
        crate::api::Handler::Async(boxed)
    }};
}
pub(crate) use async_handler;
