//! The types handlers and the server share: the request ([`Req`]), the reply ([`Reply`]), the
//! error in the spec's `ErrorBody` shape ([`ApiError`], with the mapping from model errors),
//! and the [`Handler`] a resource registers per operation. It imports the model (for its
//! error and caller types) but no handler and no part of the server.

mod error;
mod handler;
mod reply;
mod request;

pub(crate) use error::ApiError;
pub(crate) use handler::{async_handler, BoxFuture, Handler};
pub(crate) use reply::{Reply, ReplyBody};
pub(crate) use request::{decode, validate_named, Caller, Req};
