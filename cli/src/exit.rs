//! Exit codes and the error lines on standard error. Each failure class has its own code so
//! scripts can tell a typo from a missing object from a busy database from a dead network; the
//! server's `error_code` and message are printed as they came.

use redis_enterprise_api::extras::{UntilError, WaitError};
use redis_enterprise_api::Error;

/// Success.
pub const OK: u8 = 0;
/// A local failure: a file that cannot be read or written, a terminal that cannot be read.
pub const LOCAL: u8 = 1;
/// Wrong usage: unknown flag, missing value, bad body, destructive without `--yes`.
pub const USAGE: u8 = 2;
/// Authentication or authorisation failed (401, 403).
pub const AUTH: u8 = 3;
/// The object does not exist (404).
pub const NOT_FOUND: u8 = 4;
/// Conflict: the object exists, or the database or cluster is busy (409).
pub const CONFLICT: u8 = 5;
/// Any other error answer of the server (400, 5xx…), or an answer that did not decode.
pub const SERVER: u8 = 6;
/// No answer: connection refused, TLS verification failed, timeout.
pub const TRANSPORT: u8 = 7;
/// A waited-for action or task failed, or the wait timed out.
pub const WAIT: u8 = 8;

/// A failure with its exit code and the lines to print.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// The message.
    pub message: String,
    /// The server's `error_code`, when it sent one.
    pub error_code: Option<String>,
}

impl Failure {
    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: USAGE,
            message: message.into(),
            error_code: None,
        }
    }

    /// A local error.
    pub fn local(message: impl Into<String>) -> Self {
        Failure {
            code: LOCAL,
            message: message.into(),
            error_code: None,
        }
    }

    /// A failed or timed-out wait.
    pub fn wait(message: impl Into<String>, error_code: Option<String>) -> Self {
        Failure {
            code: WAIT,
            message: message.into(),
            error_code,
        }
    }

    /// Prints the failure on standard error.
    pub fn print(&self) {
        eprintln!("error: {}", self.message);
        if let Some(code) = &self.error_code {
            eprintln!("error_code: {code}");
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = code_of(&e);
        // The whole chain: a TLS failure's reason is in the sources.
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            let text = s.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = s.source();
        }
        Failure {
            code,
            message,
            error_code: e.error_code().map(str::to_string),
        }
    }
}

impl From<WaitError> for Failure {
    fn from(e: WaitError) -> Self {
        match e {
            WaitError::Api { source, .. } => source.into(),
            WaitError::Ended { ref action, .. } => {
                let error_code = action.error_code.clone();
                Failure::wait(e.to_string(), error_code)
            }
            other => Failure::wait(other.to_string(), None),
        }
    }
}

impl<T: std::fmt::Debug> From<UntilError<T>> for Failure {
    fn from(e: UntilError<T>) -> Self {
        match e {
            UntilError::Poll { source, .. } => source.into(),
            other => Failure::wait(other.to_string(), None),
        }
    }
}

/// The exit code of a client error.
pub fn code_of(e: &Error) -> u8 {
    if e.is_auth_failure() {
        return AUTH;
    }
    if e.is_not_found() {
        return NOT_FOUND;
    }
    match e {
        Error::Transport(_) => TRANSPORT,
        Error::InvalidRequest(_) => USAGE,
        _ if e.status().map(|s| s.as_u16()) == Some(409) => CONFLICT,
        _ => SERVER,
    }
}
