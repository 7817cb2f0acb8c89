//! What the counters count: the slots of operations, the outcomes, the latency buckets, and
//! one operation's counts added up for a scrape.

/// The most distinct operation names that get series of their own.
pub const MAX_OPERATIONS: usize = 100;
/// The slot of requests that sent no `operationName`.
pub(super) const ANONYMOUS: usize = 0;
/// The slot of names past the cap, or not GraphQL names.
pub(super) const OTHER: usize = 1;
/// The first slot of a named operation.
pub(super) const FIRST_NAMED: usize = 2;
/// Every slot a shard keeps.
pub(super) const SLOTS: usize = FIRST_NAMED + MAX_OPERATIONS;

/// Upper bounds of the latency histogram's buckets, in microseconds (the last bucket, +Inf,
/// has none).
pub(super) const BOUNDS_MICROS: [u64; 14] = [
    500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
    2_500_000, 5_000_000, 10_000_000,
];
pub(super) const BUCKETS: usize = BOUNDS_MICROS.len() + 1;

/// The error codes counted by name (`extensions.code` of a response's first error); any other
/// code counts as `OTHER`.
pub(super) const CODES: [&str; 8] = [
    "BAD_USER_INPUT",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "CONFLICT",
    "RATE_LIMITED",
    "INTERNAL",
    "PERSISTED_QUERY_NOT_FOUND",
];
/// Ok, each code, and other codes.
pub(super) const OUTCOMES: usize = CODES.len() + 2;
const OTHER_CODE: u8 = (CODES.len() + 1) as u8;

/// A request's operation, as its counters know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation(pub(super) usize);

/// How a request ended: ok, or an error with its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome(pub(super) u8);

impl Outcome {
    /// No errors.
    pub const OK: Outcome = Outcome(0);

    /// The outcome of a response with these errors: ok when there are none, else the code of
    /// the first (errors without a code are about the request: `BAD_USER_INPUT`, as the
    /// response says too).
    #[inline]
    pub fn of(errors: &[async_graphql::ServerError]) -> Outcome {
        let Some(first) = errors.first() else {
            return Outcome::OK;
        };
        let code = first
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|v| match v {
                async_graphql::Value::String(s) => Some(s.as_str()),
                _ => None,
            })
            .unwrap_or("BAD_USER_INPUT");
        Outcome::error(code)
    }

    /// An error with `code`.
    pub fn error(code: &str) -> Outcome {
        CODES
            .iter()
            .position(|c| *c == code)
            .map_or(Outcome(OTHER_CODE), |i| Outcome(i as u8 + 1))
    }

    /// The code's label value, `None` for ok.
    pub(super) fn code(index: usize) -> Option<&'static str> {
        match index {
            0 => None,
            i if i <= CODES.len() => Some(CODES[i - 1]),
            _ => Some("OTHER"),
        }
    }
}

/// One operation's counters, added up over every thread's shard.
pub(super) struct Sums {
    pub(super) outcomes: [u64; OUTCOMES],
    pub(super) buckets: [u64; BUCKETS],
    pub(super) micros: u64,
}
