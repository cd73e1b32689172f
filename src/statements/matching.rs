//! Matching a credit to exactly one case (一案一账号, FUND-1), or sending it to suspense (不明款, FUND-3). SPEC §4:
//! first by the collection account number, then by the case number (案号) in the remittance text.
//!
//! The order, and why:
//! 1. A debit is never matched (`not_a_credit`): money going out is a payout, posted by the payout itself.
//! 2. Collection accounts: the court-side virtual sub-account where the bank gives one (with 一案一账号 the payer
//!    paid straight into the case's account), the counterparty's account if it is a well-formed collection account
//!    (a transfer from another court account), and every digit run in the remittance that is a well-formed collection
//!    account number (court code + 8-digit sequence + Luhn digit: a mistyped digit is caught here, not matched to a
//!    neighbouring case).
//! 3. Case numbers in the remittance, normalised (full-width/half-width parentheses and digits, spaces).
//! 4. Every case found by 2 and 3 must be the same case: two different cases mean the payer's intent is unclear and
//!    a person must decide (`ambiguous`); the money goes to suspense rather than to a guess, since FUND-1 requires
//!    every inflow to map to exactly one case.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::StatementLine;
use crate::registry::collection_account_is_valid;

/// A case as the matcher reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CaseRef {
    pub case_id: i64,
    pub case_number: String,
}

/// How the matcher finds cases; the engine implements it over the store (for one court).
pub trait CaseLookup {
    /// The case whose collection account (FUND-1) this is.
    fn by_collection_account(&self, account: &str) -> Option<CaseRef>;
    /// The case with this case number; `case_number` is in `normalize_case_number`'s form, so the implementation
    /// must look it up by its own case numbers normalised the same way.
    fn by_case_number(&self, case_number: &str) -> Option<CaseRef>;
}

/// The matcher's answer for one statement line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    ByCollectionAccount(CaseRef),
    ByCaseNumber(CaseRef),
    /// To suspense (不明款, FUND-3), with the reason.
    Unmatched(UnmatchedReason),
}

impl Match {
    pub fn case(&self) -> Option<&CaseRef> {
        match self {
            Match::ByCollectionAccount(case) | Match::ByCaseNumber(case) => Some(case),
            Match::Unmatched(_) => None,
        }
    }
}

/// Why a line matched no case: a closed list of codes, each with its rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum UnmatchedReason {
    /// A debit or a zero line: only money coming in is matched.
    NotACredit,
    /// The line names no well-formed collection account and no case number.
    NoReference,
    /// The line names accounts or case numbers, but no case of this court has them.
    UnknownReference { accounts: Vec<String>, case_numbers: Vec<String> },
    /// The line points to two or more different cases.
    Ambiguous { cases: Vec<CaseRef> },
}

impl UnmatchedReason {
    pub fn code(&self) -> &'static str {
        match self {
            UnmatchedReason::NotACredit => "not_a_credit",
            UnmatchedReason::NoReference => "no_reference",
            UnmatchedReason::UnknownReference { .. } => "unknown_reference",
            UnmatchedReason::Ambiguous { .. } => "ambiguous",
        }
    }

    pub fn rule(&self) -> &'static str {
        match self {
            UnmatchedReason::NotACredit | UnmatchedReason::Ambiguous { .. } => "FUND-1",
            UnmatchedReason::NoReference | UnmatchedReason::UnknownReference { .. } => "FUND-3",
        }
    }
}

/// Matches one line (see the module documentation for the order).
pub fn match_line(line: &StatementLine, lookup: &impl CaseLookup) -> Match {
    if !line.is_credit() {
        return Match::Unmatched(UnmatchedReason::NotACredit);
    }
    let mut accounts: Vec<String> = Vec::new();
    let mut push_account = |account: String| {
        if !accounts.contains(&account) {
            accounts.push(account);
        }
    };
    if let Some(virtual_account) = line.virtual_account.as_deref().map(str::trim).filter(|account| !account.is_empty()) {
        push_account(virtual_account.to_string());
    }
    if let Some(counterparty) = line.counterparty_account.as_deref().map(str::trim) {
        if is_collection_account_shape(counterparty) {
            push_account(counterparty.to_string());
        }
    }
    for account in collection_accounts_in(&line.remittance) {
        push_account(account);
    }
    let case_numbers = case_numbers_in(&line.remittance);

    let mut found: Vec<CaseRef> = Vec::new();
    let mut found_by_account = false;
    for account in &accounts {
        if let Some(case) = lookup.by_collection_account(account) {
            found_by_account = true;
            if !found.iter().any(|known| known.case_id == case.case_id) {
                found.push(case);
            }
        }
    }
    for case_number in &case_numbers {
        if let Some(case) = lookup.by_case_number(case_number) {
            if !found.iter().any(|known| known.case_id == case.case_id) {
                found.push(case);
            }
        }
    }
    match found.len() {
        0 if accounts.is_empty() && case_numbers.is_empty() => Match::Unmatched(UnmatchedReason::NoReference),
        0 => Match::Unmatched(UnmatchedReason::UnknownReference { accounts, case_numbers }),
        1 => {
            let case = found.remove(0);
            if found_by_account {
                Match::ByCollectionAccount(case)
            } else {
                Match::ByCaseNumber(case)
            }
        }
        _ => Match::Unmatched(UnmatchedReason::Ambiguous { cases: found }),
    }
}

/// A collection account is a court code of 4 to 12 digits, an 8-digit sequence and a check digit (see
/// `registry::collection_account_number`): 13 to 21 digits whose last is the Luhn digit of the rest.
fn is_collection_account_shape(text: &str) -> bool {
    (13..=21).contains(&text.len()) && collection_account_is_valid(text)
}

/// Full-width digits, letters and parentheses to half-width, so "（２０２６）" reads as "(2026)"; every other
/// character is kept.
fn to_half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '（' | '〔' | '［' | '[' => '(',
            '）' | '〕' | '］' | ']' => ')',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// Every well-formed collection account number written in the text (full-width digits included), in order.
pub fn collection_accounts_in(text: &str) -> Vec<String> {
    let text = to_half_width(text);
    let mut found: Vec<String> = Vec::new();
    for run in text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| is_collection_account_shape(run))
    {
        if !found.iter().any(|known| known == run) {
            found.push(run.to_string());
        }
    }
    found
}

/// A case number after width and space normalisation: `(2024)`, a court designation (a province abbreviation,
/// perhaps more characters such as 最高法, and the court's digits), 执 with its kind (执恢, 执保, 执异, 执复, 执监…),
/// an optional 字第 of older numbers, the number, 号.
static CASE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\((\d{4})\)([\x{4E00}-\x{9FFF}]{1,3}?\d{0,6}执[\x{4E00}-\x{9FFF}]{0,2}?(?:字第)?\d{1,7}号)")
        .expect("the case number pattern is valid")
});

/// The case numbers written in the text, each in `normalize_case_number`'s form, in order, without repeats.
pub fn case_numbers_in(text: &str) -> Vec<String> {
    let compact: String = to_half_width(text).chars().filter(|c| !c.is_whitespace()).collect();
    let mut found: Vec<String> = Vec::new();
    for captures in CASE_NUMBER.captures_iter(&compact) {
        let number = format!("（{}）{}", &captures[1], &captures[2]);
        if !found.contains(&number) {
            found.push(number);
        }
    }
    found
}

/// The one form a case number is compared in: full-width parentheses around the year (as the courts print them),
/// half-width digits, no spaces. Text that is not a case number is returned with the same width and space
/// normalisation, so a lookup keyed on this form still finds an unusual number written consistently.
pub fn normalize_case_number(text: &str) -> String {
    match case_numbers_in(text).into_iter().next() {
        Some(number) => number,
        None => to_half_width(text).chars().filter(|c| !c.is_whitespace()).collect(),
    }
}
