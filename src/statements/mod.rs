//! Bank statements (银行对账单) into one statement-line type, and the matching of each credit to one case's
//! collection account (一案一账号, FUND-1) or to suspense (不明款, FUND-3). SPEC §4.
//!
//! Pure: the readers take the file's bytes and return a `Statement` or a `StatementError` naming the line; the
//! matcher takes a line and a `CaseLookup` and returns a `Match`. No clock, no database, no randomness.
//!
//! Three formats are read:
//! - CSV with configurable columns (`CsvLayout`, deserialised from the court's JSON configuration), UTF-8 or GBK;
//! - SWIFT MT940 (`mt940`), written here rather than taken from a crate: the one crate (`mt940`) enforces the SWIFT
//!   character set and transliterates or refuses other text, and Chinese banks put the payer's name and the
//!   remittance (附言) in Chinese in `:86:`, which is exactly what case matching needs to read;
//! - ISO 20022 camt.053 (`camt053`), any version of the namespace (.001.02 and .001.08 are tested).
//!
//! Every amount is read exactly into fen (never a float): a third decimal is refused, not rounded. `StatementLine`'s
//! `bank_reference` is the line's stable identity for idempotent import (SPEC §3.6): the engine keys posted lines on
//! `(statement.account, bank_reference)`, so importing the same statement twice posts nothing twice.

mod camt053;
mod csv;
mod error;
mod matching;
mod mt940;

#[cfg(test)]
pub(crate) mod tests;

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::money::{Money, MoneyError};

pub use csv::{synthetic_csv, synthetic_layout, Column, CsvColumns, CsvLayout, SyntheticReferences, TextEncoding};
pub use error::StatementError;
pub use matching::{
    case_numbers_in, collection_accounts_in, match_line, normalize_case_number, CaseLookup, CaseRef, Match, UnmatchedReason,
};

/// The formats a statement can be imported from (`chuzhi import-statement --format csv|mt940|camt053`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementFormat {
    Csv,
    Mt940,
    Camt053,
}

impl StatementFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementFormat::Csv => "csv",
            StatementFormat::Mt940 => "mt940",
            StatementFormat::Camt053 => "camt053",
        }
    }

    /// Guesses the format from the file name's extension, then from the content. `None` when neither says: the
    /// caller must then name the format, since a wrong guess would read a statement wrongly.
    pub fn detect(bytes: &[u8], file_name: Option<&str>) -> Option<StatementFormat> {
        if let Some(name) = file_name {
            let lower = name.to_ascii_lowercase();
            if lower.ends_with(".csv") || lower.ends_with(".txt.csv") {
                return Some(StatementFormat::Csv);
            }
            if lower.ends_with(".mt940") || lower.ends_with(".sta") || lower.ends_with(".940") {
                return Some(StatementFormat::Mt940);
            }
            if lower.ends_with(".xml") || lower.ends_with(".camt053") || lower.ends_with(".053") {
                return Some(StatementFormat::Camt053);
            }
        }
        let head = &bytes[..bytes.len().min(4096)];
        let head = String::from_utf8_lossy(head);
        let trimmed = head.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('<') && head.contains("camt.053") {
            return Some(StatementFormat::Camt053);
        }
        if head.contains(":20:") && (head.contains(":60F:") || head.contains(":60M:") || head.contains(":61:")) {
            return Some(StatementFormat::Mt940);
        }
        None
    }
}

impl FromStr for StatementFormat {
    type Err = StatementError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(StatementFormat::Csv),
            "mt940" => Ok(StatementFormat::Mt940),
            "camt053" | "camt.053" => Ok(StatementFormat::Camt053),
            _ => Err(StatementError::FormatUnknown { value: text.to_string() }),
        }
    }
}

/// The period a statement covers (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One bank statement of one of the court's accounts, whatever the format it came in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub format: StatementFormat,
    /// The court's bank account the statement is for (MT940 `:25:`, camt.053 `Acct/Id`, or the CSV layout's).
    pub account: String,
    /// The account's currency (ISO 4217), "CNY" for a court's execution-fund account.
    pub currency: String,
    /// The bank's identifier of the statement (MT940 `:20:`, camt.053 `Stmt/Id`), where the format has one.
    pub statement_id: Option<String>,
    /// The opening balance, signed (a debit balance is negative), where the format carries it.
    pub opening_balance: Option<Money>,
    /// The closing balance, signed, where the format carries it.
    pub closing_balance: Option<Money>,
    /// The date the statement was drawn up (MT940: the closing balance's date; camt.053: `CreDtTm`).
    pub statement_date: Option<NaiveDate>,
    /// The period covered: the format's own where it states one, otherwise the first and last booking dates.
    pub period: Option<StatementPeriod>,
    pub lines: Vec<StatementLine>,
}

/// Whether money came in or went out. Derived from the sign of `StatementLine::amount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// 贷方 / 收入: money into the court's account.
    Credit,
    /// 借方 / 支出: money out of the court's account.
    Debit,
}

/// One booked movement on the court's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    /// The 1-based line of the source file where this movement starts (the CSV row, MT940 `:61:`, camt `<Ntry>`).
    pub line_number: usize,
    pub booking_date: NaiveDate,
    pub value_date: Option<NaiveDate>,
    /// Signed fen: a credit (money in) is positive, a debit is negative. `Money` holds any `i64` of fen; only
    /// `Money::parse` refuses a sign, so the readers parse the magnitude and apply the sign themselves.
    pub amount: Money,
    pub currency: String,
    /// The payer of a credit, the payee of a debit (对方户名).
    pub counterparty_name: Option<String>,
    /// The counterparty's account (对方账号).
    pub counterparty_account: Option<String>,
    /// The court-side virtual sub-account the money was paid to (子账号/虚拟账号), where the format carries one:
    /// with 一案一账号 this is the case's collection account itself.
    pub virtual_account: Option<String>,
    /// The remittance text (附言/摘要/用途), as the bank gives it.
    pub remittance: String,
    /// The line's stable identity for idempotent import: the bank's own transaction reference where the format has
    /// one, otherwise `h:` and the first 128 bits (32 hex digits) of the SHA-256 of the account, the line's
    /// normalised fields and the occurrence index of identical lines within the statement (migration 0012 shortened
    /// the full `sha256:` digests stored before to the same form). A reference the bank repeats within one statement gets
    /// `#2`, `#3`… on its later occurrences, so two movements never share one identity.
    pub bank_reference: String,
}

impl StatementLine {
    pub fn direction(&self) -> Direction {
        if self.amount.fen() > 0 {
            Direction::Credit
        } else {
            Direction::Debit
        }
    }

    /// Whether this is money coming in, the only kind of line that is matched to a case (FUND-1).
    pub fn is_credit(&self) -> bool {
        self.amount.fen() > 0
    }
}

/// Reads a whole statement. `layout` is required for CSV and ignored for the other formats.
pub fn read_statement(bytes: &[u8], format: StatementFormat, layout: Option<&CsvLayout>) -> Result<Statement, StatementError> {
    match format {
        StatementFormat::Csv => csv::read(bytes, layout.ok_or(StatementError::LayoutMissing)?),
        StatementFormat::Mt940 => mt940::read(bytes),
        StatementFormat::Camt053 => camt053::read(bytes),
    }
}

/// Reads an exact amount of yuan, as printed by a bank, into unsigned fen. Accepts thousands separators (`,`, or
/// the layout's), a leading `+`, and a currency sign (`¥`/`￥`); refuses anything else, and refuses a third decimal
/// rather than round it. `decimal_comma` reads "1234,56" (SWIFT's decimal comma) as 1234.56.
pub(crate) fn parse_unsigned_amount(
    text: &str,
    line: usize,
    thousands: Option<char>,
    decimal_comma: bool,
) -> Result<Money, StatementError> {
    let trimmed = text.trim().trim_start_matches(['¥', '￥']).trim_start_matches('+').trim();
    let needs_rewrite = decimal_comma || thousands.is_some_and(|separator| trimmed.contains(separator));
    let cleaned: std::borrow::Cow<str> = if needs_rewrite {
        let mut out = String::with_capacity(trimmed.len());
        for c in trimmed.chars() {
            if decimal_comma && c == ',' {
                out.push('.');
            } else if Some(c) == thousands {
                continue;
            } else {
                out.push(c);
            }
        }
        // SWIFT allows "123," for 123.00.
        if decimal_comma && out.ends_with('.') {
            out.push('0');
        }
        out.into()
    } else {
        trimmed.into()
    };
    // `Money::parse` accepts a sign; here a sign inside the magnitude is malformed.
    if cleaned.starts_with('-') || cleaned.starts_with('.') {
        return Err(StatementError::AmountInvalid {
            line,
            value: text.to_string(),
        });
    }
    Money::parse(&cleaned).map_err(|error| match error {
        MoneyError::TooManyDecimals(_) => StatementError::AmountTooManyDecimals {
            line,
            value: text.to_string(),
        },
        MoneyError::TooLarge(_) => StatementError::AmountTooLarge {
            line,
            value: text.to_string(),
        },
        MoneyError::NotADecimal(_) | MoneyError::Negative(_) => StatementError::AmountInvalid {
            line,
            value: text.to_string(),
        },
    })
}

/// Reads a signed amount: a leading `-` (or a trailing one, as some bank exports print) makes it a debit.
pub(crate) fn parse_signed_amount(text: &str, line: usize, thousands: Option<char>) -> Result<Money, StatementError> {
    let trimmed = text.trim();
    let (negative, magnitude) = if let Some(rest) = trimmed.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = trimmed.strip_suffix('-') {
        (true, rest)
    } else {
        (false, trimmed)
    };
    if magnitude.starts_with('-') || magnitude.ends_with('-') {
        return Err(StatementError::AmountInvalid {
            line,
            value: text.to_string(),
        });
    }
    let fen = parse_unsigned_amount(magnitude, line, thousands, false).map_err(|error| with_value(error, text))?;
    Ok(if negative { Money::from_fen(-fen.fen()) } else { fen })
}

fn with_value(error: StatementError, text: &str) -> StatementError {
    match error {
        StatementError::AmountInvalid { line, .. } => StatementError::AmountInvalid {
            line,
            value: text.to_string(),
        },
        StatementError::AmountTooManyDecimals { line, .. } => StatementError::AmountTooManyDecimals {
            line,
            value: text.to_string(),
        },
        StatementError::AmountTooLarge { line, .. } => StatementError::AmountTooLarge {
            line,
            value: text.to_string(),
        },
        other => other,
    }
}

/// Decodes UTF-8 (with or without a byte-order mark); an invalid byte is refused with its line.
pub(crate) fn decode_utf8(bytes: &[u8]) -> Result<&str, StatementError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| StatementError::EncodingInvalid {
        line: line_of_offset(bytes, error.valid_up_to()),
        encoding: "UTF-8",
    })
}

/// Decodes GBK (read as GB18030, its superset, as the WHATWG encoding standard does); an invalid byte is refused.
pub(crate) fn decode_gbk(bytes: &[u8]) -> Result<String, StatementError> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        let line = text
            .split('\n')
            .position(|row| row.contains('\u{fffd}'))
            .map_or(1, |index| index + 1);
        return Err(StatementError::EncodingInvalid { line, encoding: "GBK" });
    }
    Ok(text.into_owned())
}

/// Decodes text that is UTF-8 where it can be and GBK otherwise: MT940 files from Chinese banks come in either.
pub(crate) fn decode_utf8_or_gbk(bytes: &[u8]) -> Result<String, StatementError> {
    match decode_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(_) => decode_gbk(bytes),
    }
}

fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())].iter().filter(|&&byte| byte == b'\n').count() + 1
}

/// Trims and collapses every run of white space (including the ideographic space U+3000) into one space.
pub(crate) fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace()).filter(|word| !word.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Assigns each line its `bank_reference` (see `StatementLine::bank_reference`). `bank_refs[i]` is the bank's own
/// reference for line `i`, if the format gave one.
pub(crate) struct ReferenceAssigner<'a> {
    account: &'a str,
    seen_hashes: HashMap<[u8; 32], u32>,
    seen_references: HashMap<String, u32>,
}

impl<'a> ReferenceAssigner<'a> {
    pub(crate) fn new(account: &'a str) -> Self {
        Self {
            account,
            seen_hashes: HashMap::new(),
            seen_references: HashMap::new(),
        }
    }

    /// The line's identity: the bank's reference (made unique within the statement), or the fields' hash.
    pub(crate) fn assign(&mut self, line: &StatementLine, bank_reference: Option<&str>) -> String {
        if let Some(reference) = bank_reference.map(str::trim).filter(|reference| is_real_reference(reference)) {
            let count = self.seen_references.entry(reference.to_string()).or_insert(0);
            *count += 1;
            return if *count == 1 {
                reference.to_string()
            } else {
                format!("{reference}#{count}")
            };
        }
        let mut hasher = Sha256::new();
        hash_field(&mut hasher, self.account);
        hasher.update(line.booking_date.num_days_from_ce().to_le_bytes());
        hasher.update(line.value_date.map_or(i32::MIN, |date| date.num_days_from_ce()).to_le_bytes());
        hasher.update(line.amount.fen().to_le_bytes());
        for field in [
            line.currency.as_str(),
            line.counterparty_name.as_deref().unwrap_or(""),
            line.counterparty_account.as_deref().unwrap_or(""),
            line.virtual_account.as_deref().unwrap_or(""),
            &line.remittance,
        ] {
            hash_field(&mut hasher, field);
        }
        let digest: [u8; 32] = hasher.finalize_reset().into();
        let occurrence = self.seen_hashes.entry(digest).or_insert(0);
        let index = *occurrence;
        *occurrence += 1;
        hasher.update(digest);
        hasher.update(index.to_le_bytes());
        format!("h:{}", hex::encode(&hasher.finalize()[..16]))
    }
}

/// A bank reference as chuzhi stores it: an identity in the form chuzhi gave before migration 0012 (`sha256:` and
/// 64 hex digits) becomes the form it gives now (`h:` and the first 32), so a reference someone copied from an older
/// screen still names the same line (FUND-1: never credited twice). Anything else is kept as it is.
pub fn canonical_reference(reference: &str) -> std::borrow::Cow<'_, str> {
    match reference.strip_prefix("sha256:") {
        Some(hex) if hex.len() == 64 && hex.bytes().all(|byte| byte.is_ascii_hexdigit()) => format!("h:{}", &hex[..32]).into(),
        _ => reference.into(),
    }
}

/// Feeds a text field to the hash with its white space normalised (as `normalize_text`, without allocating), then
/// the byte 0xFF, which never occurs in UTF-8: so no two different lists of fields hash the same bytes.
fn hash_field(hasher: &mut Sha256, text: &str) {
    let mut first = true;
    for word in text.split(char::is_whitespace).filter(|word| !word.is_empty()) {
        if !first {
            hasher.update(b" ");
        }
        hasher.update(word.as_bytes());
        first = false;
    }
    hasher.update([0xFF]);
}

/// Banks write placeholders where they have no reference; those identify nothing.
fn is_real_reference(reference: &str) -> bool {
    !reference.is_empty() && !matches!(reference.to_ascii_uppercase().as_str(), "NONREF" | "NOTPROVIDED" | "NONE" | "N/A")
}

/// The period from the first to the last booking date, for formats that state none.
pub(crate) fn period_of(lines: &[StatementLine]) -> Option<StatementPeriod> {
    let from = lines.iter().map(|line| line.booking_date).min()?;
    let to = lines.iter().map(|line| line.booking_date).max()?;
    Some(StatementPeriod { from, to })
}

/// Checks opening + movements = closing where both balances are given (FUND-2: a statement that does not add up
/// is truncated or corrupt, and posting part of it would leave the ledger wrong).
pub(crate) fn check_balances(
    opening: Option<Money>,
    closing: Option<Money>,
    lines: &[StatementLine],
    line: usize,
) -> Result<(), StatementError> {
    let (Some(opening), Some(closing)) = (opening, closing) else {
        return Ok(());
    };
    let movements: i64 = lines.iter().map(|line| line.amount.fen()).sum();
    if opening.fen() + movements != closing.fen() {
        return Err(StatementError::BalanceMismatch {
            line,
            opening: opening.to_string(),
            movements: Money::from_fen(movements).to_string(),
            closing: closing.to_string(),
        });
    }
    Ok(())
}
