//! The days and moments tests arrange things on.

use chrono::{DateTime, Days, NaiveDate, Utc};

/// Today (UTC), for figures that look back from now.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// `n` days before today.
pub fn ago(n: u64) -> NaiveDate {
    today() - Days::new(n)
}

/// A day of 2026, for tests whose dates need not move with today; 5 January 2026 is a Monday.
pub fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// A moment of `day` (UTC).
pub fn at(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    day.and_hms_opt(h, m, 0).unwrap().and_utc()
}
