//! Legal periods (期间) and the deadlines they produce (PER-1, PER-2, PER-4, PER-6).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest count a period may have. Ten thousand days is about 27 years, far beyond any
/// period in RULES.md, and the bound keeps every computation finite and inside chrono's range.
pub const PERIOD_COUNT_MAX: u32 = 10_000;

/// A legal period, written as on the command line: `5d`, `3wd`, `1m`, `1y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// N calendar days (N日): only the last day moves off a rest day (PER-1, PER-2).
    Days(u32),
    /// N working days (N个工作日): only working days are counted (PER-6).
    WorkingDays(u32),
    /// N months (a year is 12 months): the corresponding day of the month, clamped to the
    /// month's end (PER-4).
    Months(u32),
}

/// A period string that is not `<n>d`, `<n>wd`, `<n>m` or `<n>y` with 1 ≤ n ≤ 10000.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "expected a period like 5d, 3wd, 1m or 1y (a whole number from 1 to {PERIOD_COUNT_MAX} \
     followed by d, wd, m or y), got \"{input}\""
)]
pub struct PeriodParseError {
    pub input: String,
}

impl FromStr for Period {
    type Err = PeriodParseError;

    fn from_str(input: &str) -> Result<Period, PeriodParseError> {
        let error = || PeriodParseError { input: input.to_owned() };
        let digits_end = input.find(|character: char| !character.is_ascii_digit()).ok_or_else(error)?;
        let (digits, unit) = input.split_at(digits_end);
        // `u32::from_str` would accept a leading '+', which `find` has already excluded;
        // leading zeros ("05d") are accepted as the number they spell.
        let count: u32 = digits.parse().map_err(|_| error())?;
        if !(1..=PERIOD_COUNT_MAX).contains(&count) {
            return Err(error());
        }
        match unit {
            "d" => Ok(Period::Days(count)),
            "wd" => Ok(Period::WorkingDays(count)),
            "m" => Ok(Period::Months(count)),
            "y" => Ok(Period::Months(count * 12)),
            _ => Err(error()),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Days(count) => write!(formatter, "{count}d"),
            Period::WorkingDays(count) => write!(formatter, "{count}wd"),
            Period::Months(count) => write!(formatter, "{count}m"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Period, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A computed deadline with the reasoning a judge can check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// The triggering event's date (not itself counted, PER-1/PER-2).
    pub trigger: NaiveDate,
    pub period: Period,
    /// The last day of the period.
    pub due: NaiveDate,
    /// True when a date from the day after the trigger to the due date lies in a year with
    /// no published State Council schedule, so lunar holidays and 调休 are unknown (PER-10).
    pub provisional: bool,
    /// The reasoning, in date order, each step citing its rule.
    pub steps: Vec<Step>,
}

/// One step of a deadline's reasoning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The rule ID the step applies (e.g. "PER-1", "HOL-2026").
    pub rule: String,
    /// The date the step is about, if any.
    pub date: Option<NaiveDate>,
    pub text: String,
}

impl Step {
    pub(crate) fn on(rule: impl Into<String>, date: NaiveDate, text: impl Into<String>) -> Step {
        Step {
            rule: rule.into(),
            date: Some(date),
            text: text.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_parses_days_working_days_months_and_years() {
        assert_eq!("5d".parse(), Ok(Period::Days(5)));
        assert_eq!("3wd".parse(), Ok(Period::WorkingDays(3)));
        assert_eq!("1m".parse(), Ok(Period::Months(1)));
        assert_eq!("1y".parse(), Ok(Period::Months(12)));
        assert_eq!("10000d".parse(), Ok(Period::Days(10_000)));
    }

    #[test]
    fn period_rejects_zero_too_large_and_malformed_input() {
        for input in [
            "0d",
            "10001d",
            "d",
            "5",
            "",
            "5x",
            "-5d",
            "+5d",
            "5 d",
            "5D",
            "1.5m",
            "99999999999d",
        ] {
            let error = input.parse::<Period>().expect_err(input);
            assert!(error.to_string().starts_with("expected a period like 5d, 3wd, 1m or 1y"), "{error}");
        }
    }

    #[test]
    fn period_displays_and_serializes_as_its_short_form() {
        assert_eq!(Period::Days(5).to_string(), "5d");
        assert_eq!(Period::WorkingDays(3).to_string(), "3wd");
        assert_eq!(Period::Months(12).to_string(), "12m");
        assert_eq!(serde_json::to_string(&Period::WorkingDays(3)).expect("serializes"), "\"3wd\"");
        assert_eq!(serde_json::from_str::<Period>("\"1y\"").expect("deserializes"), Period::Months(12));
        assert!(serde_json::from_str::<Period>("\"0d\"").is_err());
    }
}
