//! The error type of refdesk-core: one enum, each variant with the context a person needs.

use std::path::PathBuf;

use crate::api::{CommandError, ErrorCode};

/// Errors of the store layer; carried inside [`Error::Store`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database at {path} is damaged or is not a Refdesk database ({detail})")]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the database at {path} was written by a newer Refdesk (schema {found}, this version knows up to {known}); \
         update Refdesk or restore a backup"
    )]
    NewerSchema { path: PathBuf, found: i64, known: i64 },
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database error while {context}: {source}")]
    Sqlite {
        context: &'static str,
        #[source]
        source: rusqlite::Error,
    },
}

impl StoreError {
    pub(crate) fn sqlite(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
        move |source| StoreError::Sqlite { context, source }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a walk-up patron is already being helped; end it first")]
    WalkupAlreadyActive,
    #[error("no walk-up patron is being helped right now")]
    NoActiveWalkup,
    #[error("{0}")]
    InvalidInput(String),
    #[error("cannot set up logging in {path}: {source}")]
    Logging {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The stable code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Store(StoreError::Corrupt { .. }) => ErrorCode::StoreCorrupt,
            Error::Store(StoreError::NewerSchema { .. }) => ErrorCode::StoreNewerSchema,
            Error::Store(StoreError::Io { .. }) => ErrorCode::StoreIo,
            Error::Store(StoreError::Sqlite { .. }) => ErrorCode::StoreFailed,
            Error::WalkupAlreadyActive => ErrorCode::WalkupAlreadyActive,
            Error::NoActiveWalkup => ErrorCode::NoActiveWalkup,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::Logging { .. } => ErrorCode::Internal,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for CommandError {
    fn from(e: Error) -> Self {
        CommandError { code: e.code(), message: e.to_string() }
    }
}
