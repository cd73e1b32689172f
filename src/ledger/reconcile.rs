//! Reconciliation, the pure part (对账; FUND-2: the execution bureau reconciles with finance, daily and monthly).
//!
//! Two checks, both needed for `ok`:
//! 1. the bank statement against the ledger's bank account: the statement's opening plus its lines gives its
//!    closing, the closing equals the ledger's balance of that bank account, and every statement line is matched
//!    to a ledger movement and every movement to a line (未达账项 otherwise);
//! 2. the books against the bank: the sum of every case account (held, disputed, payable, fees) and the suspense
//!    account equals the sum of the ledger's bank accounts (SPEC §4). Double entry makes this hold for every posted
//!    entry; checking it again catches a store that lost or altered a line.
//!
//! Matching (DESIGN): first by bank reference and amount, then what is left by date and amount, one to one, in the
//! order given. Amounts here are signed: money into the bank is positive, money out negative.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::accounts::Account;
use crate::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "period", rename_all = "snake_case")]
pub enum ReconciliationPeriod {
    Day { date: NaiveDate },
    Month { year: i32, month: u32 },
}

impl ReconciliationPeriod {
    pub fn label(&self) -> String {
        match self {
            ReconciliationPeriod::Day { date } => date.to_string(),
            ReconciliationPeriod::Month { year, month } => format!("{year}-{month:02}"),
        }
    }
}

/// One line of the bank statement; `amount` is positive for money in, negative for money out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub reference: String,
    pub value_date: NaiveDate,
    pub amount: Money,
}

/// One posted entry's change to the bank account; `amount` is the debit minus the credit to the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerMovement {
    pub entry_id: String,
    pub date: NaiveDate,
    /// The bank reference the entry was posted from, if any.
    pub reference: Option<String>,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationInput {
    pub bank: String,
    pub period: ReconciliationPeriod,
    pub statement_opening: Money,
    pub statement_closing: Money,
    pub statement_lines: Vec<StatementLine>,
    /// The ledger's movements on this bank account within the period.
    pub ledger_movements: Vec<LedgerMovement>,
    /// Every account's balance at the end of the period, on its normal side.
    pub ledger_balances: Vec<(Account, Money)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub bank: String,
    pub period: ReconciliationPeriod,
    /// The statement's closing balance.
    pub statement_balance: Money,
    /// The ledger's balance of this bank account.
    pub ledger_balance: Money,
    /// Statement minus ledger.
    pub difference: Money,
    /// Whether the statement's opening plus its lines gives its closing.
    pub statement_consistent: bool,
    pub unmatched_statement_lines: Vec<StatementLine>,
    pub unmatched_ledger_entries: Vec<LedgerMovement>,
    /// Every case account and the suspense account.
    pub case_balances_total: Money,
    /// Every bank account of the ledger.
    pub bank_balance: Money,
    pub ok: bool,
}

/// Reconciles one bank account for one day or month (see the module documentation).
pub fn reconcile(input: &ReconciliationInput) -> Reconciliation {
    let this_bank = Account::Bank(input.bank.clone());
    let mut ledger_balance: i128 = 0;
    let mut case_balances_total: i128 = 0;
    let mut bank_balance: i128 = 0;
    for (account, balance) in &input.ledger_balances {
        let fen = i128::from(balance.fen());
        if *account == this_bank {
            ledger_balance += fen;
        }
        // The assets: the bank accounts and money in transit to them; everything else is held for someone.
        if account.normal_side() == super::accounts::NormalSide::Debit {
            bank_balance += fen;
        } else {
            case_balances_total += fen;
        }
    }
    let lines_total: i128 = input.statement_lines.iter().map(|line| i128::from(line.amount.fen())).sum();
    let statement_consistent = i128::from(input.statement_opening.fen()) + lines_total == i128::from(input.statement_closing.fen());

    let mut line_matched = vec![false; input.statement_lines.len()];
    let mut movement_matched = vec![false; input.ledger_movements.len()];
    // Pass 1: reference and amount.
    for (line_index, line) in input.statement_lines.iter().enumerate() {
        if line.reference.is_empty() {
            continue;
        }
        let found = input.ledger_movements.iter().enumerate().find(|(index, movement)| {
            !movement_matched[*index] && movement.reference.as_deref() == Some(line.reference.as_str()) && movement.amount == line.amount
        });
        if let Some((index, _)) = found {
            movement_matched[index] = true;
            line_matched[line_index] = true;
        }
    }
    // Pass 2: date and amount.
    for (line_index, line) in input.statement_lines.iter().enumerate() {
        if line_matched[line_index] {
            continue;
        }
        let found = input
            .ledger_movements
            .iter()
            .enumerate()
            .find(|(index, movement)| !movement_matched[*index] && movement.date == line.value_date && movement.amount == line.amount);
        if let Some((index, _)) = found {
            movement_matched[index] = true;
            line_matched[line_index] = true;
        }
    }
    let unmatched_statement_lines: Vec<StatementLine> = input
        .statement_lines
        .iter()
        .zip(&line_matched)
        .filter(|(_, matched)| !**matched)
        .map(|(line, _)| line.clone())
        .collect();
    let unmatched_ledger_entries: Vec<LedgerMovement> = input
        .ledger_movements
        .iter()
        .zip(&movement_matched)
        .filter(|(_, matched)| !**matched)
        .map(|(movement, _)| movement.clone())
        .collect();
    let difference = i128::from(input.statement_closing.fen()) - ledger_balance;
    let ok = difference == 0
        && statement_consistent
        && unmatched_statement_lines.is_empty()
        && unmatched_ledger_entries.is_empty()
        && case_balances_total == bank_balance;
    // Balances are sums of i64 fen amounts bounded far below i64::MAX (Money's parse limit); saturate to stay total.
    let money = |fen: i128| Money::from_fen(fen.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64);
    Reconciliation {
        bank: input.bank.clone(),
        period: input.period,
        statement_balance: input.statement_closing,
        ledger_balance: money(ledger_balance),
        difference: money(difference),
        statement_consistent,
        unmatched_statement_lines,
        unmatched_ledger_entries,
        case_balances_total: money(case_balances_total),
        bank_balance: money(bank_balance),
        ok,
    }
}

/// The reconciliation as a table with Chinese and English headers, which the engine writes as CSV and XLSX.
/// The first row is the header; amounts are decimal strings of yuan.
pub fn reconciliation_table(reconciliation: &Reconciliation) -> Vec<Vec<String>> {
    let row = |item: &str, date: &str, reference: &str, amount: &str, note: &str| {
        vec![
            item.to_string(),
            date.to_string(),
            reference.to_string(),
            amount.to_string(),
            note.to_string(),
        ]
    };
    let mut table = vec![
        row("项目 Item", "日期 Date", "参考号 Reference", "金额 Amount", "说明 Note"),
        row("账户 Bank account", "", "", "", &reconciliation.bank),
        row("期间 Period", &reconciliation.period.label(), "", "", ""),
        row(
            "银行对账单余额 Statement balance",
            "",
            "",
            &reconciliation.statement_balance.to_string(),
            "",
        ),
        row("账簿余额 Ledger balance", "", "", &reconciliation.ledger_balance.to_string(), ""),
        row("差额 Difference", "", "", &reconciliation.difference.to_string(), ""),
        row(
            "对账单期初加发生额等于期末 Statement consistent",
            "",
            "",
            "",
            if reconciliation.statement_consistent { "是 yes" } else { "否 no" },
        ),
        row(
            "案款合计 Case and suspense total",
            "",
            "",
            &reconciliation.case_balances_total.to_string(),
            "",
        ),
        row(
            "银行账户合计 Bank accounts total",
            "",
            "",
            &reconciliation.bank_balance.to_string(),
            "",
        ),
    ];
    for line in &reconciliation.unmatched_statement_lines {
        table.push(row(
            "未达账项（银行） Unmatched statement line",
            &line.value_date.to_string(),
            &line.reference,
            &line.amount.to_string(),
            "",
        ));
    }
    for movement in &reconciliation.unmatched_ledger_entries {
        table.push(row(
            "未达账项（账簿） Unmatched ledger entry",
            &movement.date.to_string(),
            movement.reference.as_deref().unwrap_or(""),
            &movement.amount.to_string(),
            &movement.entry_id,
        ));
    }
    table.push(row(
        "结果 Result",
        "",
        "",
        "",
        if reconciliation.ok {
            "平衡 balanced"
        } else {
            "不平衡 not balanced"
        },
    ));
    table
}
