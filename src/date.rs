//! Strict dates at the edge: exactly `YYYY-MM-DD`, a day that exists, within the years chuzhi's calendar covers.
//! chrono's own parser also takes `2026-2-2`, `+002026-02-02` or `-5000-01-01`; the law's dates are none of those.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

pub const EARLIEST: (i32, u32, u32) = (1900, 1, 1);
pub const LATEST: (i32, u32, u32) = (2199, 12, 31);

/// Parses a strict `YYYY-MM-DD` date in 1900-01-01 ..= 2199-12-31; the error says what was expected.
pub fn parse_strict(text: &str) -> Result<NaiveDate, String> {
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(index, byte)| {
            if index == 4 || index == 7 {
                byte == b'-'
            } else {
                byte.is_ascii_digit()
            }
        });
    let parsed = if shape_ok {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
    } else {
        None
    };
    let earliest = NaiveDate::from_ymd_opt(EARLIEST.0, EARLIEST.1, EARLIEST.2).expect("valid bound");
    let latest = NaiveDate::from_ymd_opt(LATEST.0, LATEST.1, LATEST.2).expect("valid bound");
    match parsed {
        Some(date) if (earliest..=latest).contains(&date) => Ok(date),
        Some(_) => Err(format!("invalid date '{text}': expected a date between {earliest} and {latest}")),
        None => Err(format!("invalid date '{text}': expected an existing date as YYYY-MM-DD")),
    }
}

/// `#[serde(deserialize_with = "crate::date::strict")]`
pub fn strict<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    match value.as_str() {
        Some(text) => parse_strict(text).map_err(serde::de::Error::custom),
        None => Err(serde::de::Error::custom(format!(
            "invalid date {value}: expected a string as YYYY-MM-DD"
        ))),
    }
}

/// `#[serde(default, deserialize_with = "crate::date::strict_option")]` for optional dates (query strings too).
pub fn strict_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    text.map(|text| parse_strict(&text).map_err(serde::de::Error::custom)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_dates_in_the_strict_shape_pass() {
        assert_eq!(parse_strict("2026-02-28").unwrap(), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        for bad in [
            "2026-02-30",
            "2026-2-2",
            "+02026-02-02",
            "-5000-01-01",
            "0000-01-01",
            "2026/02/02",
            "2026-02-02T00:00",
            "",
        ] {
            assert!(parse_strict(bad).is_err(), "{bad} should be refused");
        }
        assert!(parse_strict("1899-12-31").unwrap_err().contains("between"));
    }
}
