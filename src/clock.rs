//! Time as an input (STYLE habit 8). Decision logic takes `now`; the app reads it once per command from a `Clock`.

use chrono::{DateTime, FixedOffset, NaiveDate, SubsecRound, Utc};
use std::sync::Mutex;

/// China Standard Time. China keeps no daylight saving, so a fixed offset is exact.
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The local date in Asia/Shanghai of an instant: legal periods are counted in local dates.
pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&china_offset()).date_naive()
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock, truncated to microseconds so that both databases store the same instant.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that stays where it is set: tests, `--at` on the CLI, and the demo's walk through time.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at.trunc_subsecs(6)))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = at.trunc_subsecs(6);
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut guard = self.0.lock().expect("clock lock");
        *guard += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

/// Parses an instant given on the command line: RFC 3339, or a bare local date meaning 09:00 in Asia/Shanghai.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let local = date
            .and_hms_opt(9, 0, 0)
            .and_then(|naive| naive.and_local_timezone(china_offset()).single())
            .ok_or_else(|| format!("cannot place {text} at 09:00 China time"))?;
        return Ok(local.with_timezone(&Utc));
    }
    Err(format!(
        "expected an instant as RFC 3339 (2026-02-10T09:00:00+08:00) or a date as YYYY-MM-DD, got '{text}'"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_date_is_counted_in_china_time() {
        let late_utc = DateTime::parse_from_rfc3339("2026-02-10T17:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(local_date(late_utc), NaiveDate::from_ymd_opt(2026, 2, 11).unwrap());
    }

    #[test]
    fn bare_date_means_nine_in_the_morning_in_beijing() {
        let at = parse_instant("2026-02-10").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-02-10T01:00:00+00:00");
        assert!(parse_instant("2026-02-30").is_err());
    }
}
