//! The chart of accounts of the execution-fund ledger (执行款专户, 一案一账号; FUND-1, FUND-2).
//!
//! The court's dedicated execution-fund bank account is the only asset. Every other account is money the court
//! holds for someone else: a case's funds, funds not yet identified (不明款), fees owed to the court. So the books
//! balance exactly when the sum of all those accounts equals the sum of the bank accounts (SPEC §4), which is what
//! double entry guarantees and what reconciliation checks again.
//!
//! Sign convention. A line carries a non-negative debit or credit. Each account has a *normal side*:
//! - `Bank` is an asset, debit-normal: a debit (money arriving) increases it, a credit (money leaving) decreases it;
//! - every case account and `Suspense` is a liability, credit-normal: a credit increases it, a debit decreases it.
//!
//! A balance is always reported on the account's normal side, so a healthy ledger has no negative balance anywhere;
//! `journal::validate` refuses any entry that would make one negative.
//!
//! There is deliberately no "paid out" or "escrowed" account: money that leaves the court (a payout, a refund, a
//! deposit with a notary under FUND-7, a fee transferred to the court's revenue account) is a credit to `Bank`, so
//! the bank's ledger balance is always what the bank statement should show.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::LedgerError;

/// The case's id in the engine's register.
pub type CaseId = i64;

/// One account of the ledger. Stored by its key (`as_key`), which `parse` reads back.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Account {
    /// `case:<id>:held` — funds held for the case and free to distribute or pay (案款). Credit-normal.
    CaseHeld(CaseId),
    /// `case:<id>:disputed` — funds held back because they are disputed: a distribution suit pending (FUND-12,
    /// 民诉法解释 art 510 ¶3) or an objection not yet settled. The undisputed rest stays in `CaseHeld` and can be paid
    /// first (item 22 of the 2021 opinion). Credit-normal.
    CaseDisputed(CaseId),
    /// `case:<id>:payable:<payee>` — approved for payout to one payee (审批通过、待发放). Credit-normal.
    CasePayable { case_id: CaseId, payee: String },
    /// `case:<id>:fees` — execution costs and fees owed to the court out of the case's funds (FUND-9, FUND-10).
    /// Credit-normal.
    CaseFees(CaseId),
    /// `case:<id>:forfeited` — a defaulting buyer's forfeited deposit (悔拍保证金不予退还, AUC-14), set apart from the
    /// case's funds until its allocation is known: the costs the auction caused, the shortfall of the resale, this
    /// case's debt, in that order. The shortfall is known only when the asset is finally sold, so until then the
    /// amount may be neither distributed nor paid out. Credit-normal.
    CaseForfeited(CaseId),
    /// `bank:<account number>` — the court's execution-fund bank account (执行款专户). Debit-normal.
    Bank(String),
    /// `suspense` — receipts not yet matched to a case (不明款 / 待认领款, FUND-3). Credit-normal.
    Suspense,
    /// `in_transit` — money the disposal side reports paid to the case's account (the platform's deposit transfer,
    /// the buyer's balance, AUC-15) that the bank statement has not shown yet. An asset, debit-normal: the case is
    /// credited at once, and the statement line, when imported, moves the amount from here to `Bank`.
    InTransit,
}

/// The side on which an account's balance grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormalSide {
    Debit,
    Credit,
}

impl Account {
    pub fn as_key(&self) -> String {
        match self {
            Account::CaseHeld(case_id) => format!("case:{case_id}:held"),
            Account::CaseDisputed(case_id) => format!("case:{case_id}:disputed"),
            Account::CasePayable { case_id, payee } => format!("case:{case_id}:payable:{payee}"),
            Account::CaseFees(case_id) => format!("case:{case_id}:fees"),
            Account::CaseForfeited(case_id) => format!("case:{case_id}:forfeited"),
            Account::Bank(number) => format!("bank:{number}"),
            Account::Suspense => "suspense".to_string(),
            Account::InTransit => "in_transit".to_string(),
        }
    }

    /// Reads a key written by `as_key`. A payee or bank account number may itself contain ':', so it takes the rest
    /// of the key; it must not be empty.
    pub fn parse(key: &str) -> Result<Account, LedgerError> {
        let invalid = || LedgerError::AccountKeyInvalid { key: key.to_string() };
        if key == "suspense" {
            return Ok(Account::Suspense);
        }
        if key == "in_transit" {
            return Ok(Account::InTransit);
        }
        if let Some(number) = key.strip_prefix("bank:") {
            return if number.is_empty() {
                Err(invalid())
            } else {
                Ok(Account::Bank(number.to_string()))
            };
        }
        let rest = key.strip_prefix("case:").ok_or_else(invalid)?;
        let mut parts = rest.splitn(3, ':');
        let id_text = parts.next().ok_or_else(invalid)?;
        // Only plain digits: "+7" or "07" would parse as a number but not round-trip.
        if id_text.is_empty() || !id_text.bytes().all(|byte| byte.is_ascii_digit()) || (id_text.len() > 1 && id_text.starts_with('0')) {
            return Err(invalid());
        }
        let case_id: CaseId = id_text.parse().map_err(|_| invalid())?;
        match (parts.next(), parts.next()) {
            (Some("held"), None) => Ok(Account::CaseHeld(case_id)),
            (Some("disputed"), None) => Ok(Account::CaseDisputed(case_id)),
            (Some("fees"), None) => Ok(Account::CaseFees(case_id)),
            (Some("forfeited"), None) => Ok(Account::CaseForfeited(case_id)),
            (Some("payable"), Some(payee)) if !payee.is_empty() => Ok(Account::CasePayable {
                case_id,
                payee: payee.to_string(),
            }),
            _ => Err(invalid()),
        }
    }

    pub fn normal_side(&self) -> NormalSide {
        match self {
            Account::Bank(_) | Account::InTransit => NormalSide::Debit,
            Account::CaseHeld(_)
            | Account::CaseDisputed(_)
            | Account::CasePayable { .. }
            | Account::CaseFees(_)
            | Account::CaseForfeited(_)
            | Account::Suspense => NormalSide::Credit,
        }
    }

    /// The case the account belongs to, for case accounts.
    pub fn case_id(&self) -> Option<CaseId> {
        match self {
            Account::CaseHeld(case_id) | Account::CaseDisputed(case_id) | Account::CaseFees(case_id) | Account::CaseForfeited(case_id) => {
                Some(*case_id)
            }
            Account::CasePayable { case_id, .. } => Some(*case_id),
            Account::Bank(_) | Account::Suspense | Account::InTransit => None,
        }
    }

    pub fn is_bank(&self) -> bool {
        matches!(self, Account::Bank(_))
    }

    /// The change a line makes to this account's balance on its normal side, in fen.
    pub fn signed_change_fen(&self, debit_fen: i64, credit_fen: i64) -> Option<i64> {
        match self.normal_side() {
            NormalSide::Debit => debit_fen.checked_sub(credit_fen),
            NormalSide::Credit => credit_fen.checked_sub(debit_fen),
        }
    }
}

impl fmt::Display for Account {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.as_key())
    }
}

impl FromStr for Account {
    type Err = LedgerError;
    fn from_str(key: &str) -> Result<Self, Self::Err> {
        Account::parse(key)
    }
}

impl Serialize for Account {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_key())
    }
}

impl<'de> Deserialize<'de> for Account {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = String::deserialize(deserializer)?;
        Account::parse(&key).map_err(serde::de::Error::custom)
    }
}
