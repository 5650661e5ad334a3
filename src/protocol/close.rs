//! What to do when a link ends: the close-code policy of the protocol, with our changes
//! (backoff with jitter instead of fixed one-second retries; 4300-class errors are
//! recoverable unless they repeat).

/// How the core reacts to a link that ended with a given code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseAction {
    /// 4000: the app only accepts TLS. Switch to `wss://` and reconnect at once (already
    /// on TLS, switching cannot help: back off as for [`CloseAction::Retry`]).
    SwitchToTls,
    /// 4001–4099: the server refused us for a reason retrying cannot fix (unknown or
    /// disabled app, over quota, bad path or protocol, unauthorized). Stop for good.
    Refused,
    /// 4100–4199: the server is over capacity. Retry with backoff, never before 1 s.
    RetryLater,
    /// 4200–4299: the server asks us to reconnect. Retry at once; back off only when it
    /// keeps happening.
    ReconnectNow,
    /// 4300–4399: an error on our side of the protocol (e.g. 4301 client-event rate
    /// limit). Recoverable with backoff unless it repeats (see [`REPEATED_ERROR_LIMIT`]).
    RetryUnlessRepeated,
    /// Anything else, 1000–1999 included: the transport closed. Retry with backoff.
    Retry,
}

/// Consecutive 4300–4399 closures, without a stable connection between them, after which
/// the client gives up (state `disconnected`) instead of looping.
pub const REPEATED_ERROR_LIMIT: u32 = 3;

impl CloseAction {
    /// The policy for a WebSocket close code or a `pusher:error` code.
    pub fn for_code(code: u16) -> CloseAction {
        // By the hundred: one division instead of a comparison per range.
        match code / 100 {
            40 if code == 4000 => CloseAction::SwitchToTls,
            40 => CloseAction::Refused,
            41 => CloseAction::RetryLater,
            42 => CloseAction::ReconnectNow,
            43 => CloseAction::RetryUnlessRepeated,
            _ => CloseAction::Retry,
        }
    }
}

/// A short reason for a close or refusal code, for when the server gave no reason of
/// its own: by the code's class, as the policy above reads it. The servers put the
/// specific reason (unknown app, over quota, …) into the close frame or the
/// `pusher:error` before it; a class is what is left to say without one. The two
/// transport codes a browser reports without a reason get their own words.
pub fn describe(code: u16) -> &'static str {
    match code {
        1001 => "server going away",
        1006 => "connection lost",
        _ => {
            // By policy, in the order of `CloseAction`: a table rather than a `match`.
            const BY_ACTION: [&str; 6] = [
                "TLS connections only",
                "connection refused",
                "server over capacity",
                "server asked to reconnect",
                "protocol error",
                "connection closed",
            ];
            BY_ACTION
                .get(CloseAction::for_code(code) as usize)
                .copied()
                .unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_ranges() {
        assert_eq!(CloseAction::for_code(1000), CloseAction::Retry);
        assert_eq!(CloseAction::for_code(1006), CloseAction::Retry);
        assert_eq!(CloseAction::for_code(4000), CloseAction::SwitchToTls);
        for code in [4001, 4003, 4004, 4005, 4006, 4007, 4008, 4009, 4099] {
            assert_eq!(CloseAction::for_code(code), CloseAction::Refused, "{code}");
        }
        assert_eq!(CloseAction::for_code(4100), CloseAction::RetryLater);
        assert_eq!(CloseAction::for_code(4201), CloseAction::ReconnectNow);
        assert_eq!(
            CloseAction::for_code(4301),
            CloseAction::RetryUnlessRepeated
        );
        assert_eq!(CloseAction::for_code(4400), CloseAction::Retry);
        assert_eq!(describe(4001), "connection refused");
        assert_eq!(describe(1001), "server going away");
        assert_eq!(describe(1006), "connection lost");
        assert_eq!(describe(1000), "connection closed");
        assert_eq!(describe(4000), "TLS connections only");
        assert_eq!(describe(4050), "connection refused");
        assert_eq!(describe(4150), "server over capacity");
        assert_eq!(describe(4250), "server asked to reconnect");
        assert_eq!(describe(4350), "protocol error");
        assert_eq!(describe(4999), "connection closed");
    }
}
