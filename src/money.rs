//! Exact money (SPEC §3.5): `rust_decimal` at the edges, integer fen everywhere else, decimal strings in JSON.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An amount of CNY in fen (分). Never negative where the law counts money owed or paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("invalid amount '{0}': expected a decimal string of yuan with at most two decimals, like \"1234.56\"")]
    NotADecimal(String),
    #[error("invalid amount '{0}': amounts cannot be negative")]
    Negative(String),
    #[error("invalid amount '{0}': at most two decimals (fen) are allowed")]
    TooManyDecimals(String),
    #[error("invalid amount '{0}': too large")]
    TooLarge(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_fen(fen: i64) -> Self {
        Money(fen)
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Reads a non-negative yuan amount with at most two decimals. Trailing zeros beyond the fen are accepted
    /// ("12.300") because they change nothing; a third significant decimal is refused, never rounded.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let trimmed = text.trim();
        let plain =
            !trimmed.is_empty() && trimmed.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-') && trimmed.matches('.').count() <= 1;
        if !plain {
            return Err(MoneyError::NotADecimal(text.to_string()));
        }
        // `from_str_exact` refuses what `from_str` would round (beyond 28 significant digits).
        let value = Decimal::from_str_exact(trimmed).map_err(|_| MoneyError::NotADecimal(text.to_string()))?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::Negative(text.to_string()));
        }
        let normalized = value.normalize();
        if normalized.scale() > 2 {
            return Err(MoneyError::TooManyDecimals(text.to_string()));
        }
        let fen = (normalized * Decimal::ONE_HUNDRED).trunc();
        i64::try_from(fen)
            .ok()
            .filter(|fen| *fen <= MAX_FEN)
            .map(Money)
            .ok_or_else(|| MoneyError::TooLarge(text.to_string()))
    }
}

/// 10^15 fen (ten trillion yuan) is far above any claim and far below overflow when amounts are added.
const MAX_FEN: i64 = 1_000_000_000_000_000;

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount as a decimal string like \"1234.56\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                Money::parse(v).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                Err(E::custom(format!(
                    "invalid amount {v}: amounts are decimal strings like \"1234.56\", not JSON numbers"
                )))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                Err(E::custom(format!(
                    "invalid amount {v}: amounts are decimal strings like \"1234.56\", not JSON numbers"
                )))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                Err(E::custom(format!(
                    "invalid amount {v}: amounts are decimal strings like \"1234.56\", not JSON numbers"
                )))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yuan_to_exact_fen() {
        assert_eq!(Money::parse("1234567.89").unwrap().fen(), 123_456_789);
        assert_eq!(Money::parse("0.1").unwrap().fen(), 10);
        assert_eq!(Money::parse("12.300").unwrap().fen(), 1230);
        assert_eq!(Money::parse("5").unwrap().fen(), 500);
        assert_eq!(Money::from_fen(123_456_789).to_string(), "1234567.89");
        assert_eq!(Money::from_fen(5).to_string(), "0.05");
    }

    #[test]
    fn refuses_negative_sub_fen_and_garbage() {
        assert!(matches!(Money::parse("-1.00"), Err(MoneyError::Negative(_))));
        assert!(matches!(Money::parse("1.001"), Err(MoneyError::TooManyDecimals(_))));
        assert!(matches!(Money::parse("1e5"), Err(MoneyError::NotADecimal(_))));
        assert!(matches!(Money::parse(""), Err(MoneyError::NotADecimal(_))));
        assert!(matches!(Money::parse("99999999999999999999"), Err(MoneyError::TooLarge(_))));
        assert!(Money::parse("12.0000000000000000000000000001").is_err(), "never rounded away");
    }

    #[test]
    fn json_numbers_are_refused_so_no_float_ever_carries_money() {
        let err = serde_json::from_str::<Money>("12.5").unwrap_err().to_string();
        assert!(err.contains("decimal strings"), "{err}");
        assert_eq!(serde_json::from_str::<Money>("\"12.50\"").unwrap().fen(), 1250);
    }
}
