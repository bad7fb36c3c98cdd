//! What a feed's callback returns, and why a feed stopped.

use crate::error::Error;

/// What a feed's callback returns: `()` to take every event, or
/// `Result<(), E>` to stop early with `Err` (see [`Follower`](super::Follower)). The feed
/// returns [`EmitResult::Error`]: the callback's error as it is, or the
/// follower's own [`Error`] converted with `From`.
pub trait EmitResult {
    /// The error a feed returns.
    type Error: From<Error>;
    /// The callback's answer as a `Result`.
    ///
    /// # Errors
    /// The callback's own error.
    fn into_result(self) -> Result<(), Self::Error>;
}

impl EmitResult for () {
    type Error = Error;
    #[inline]
    fn into_result(self) -> Result<(), Error> {
        Ok(())
    }
}

impl<E: From<Error>> EmitResult for Result<(), E> {
    type Error = E;
    #[inline]
    fn into_result(self) -> Result<(), E> {
        self
    }
}

/// Why a feed stopped before its end.
pub(super) enum Halt<E> {
    /// The follower's own error.
    Follower(Error),
    /// The callback's.
    Caller(E),
}

impl<E> From<Error> for Halt<E> {
    fn from(e: Error) -> Halt<E> {
        Halt::Follower(e)
    }
}
