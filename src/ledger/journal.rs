//! The journal: double-entry, append-only, integer fen (FUND-2, SPEC §3.5, §4).
//!
//! The engine never builds lines by hand: each business posting has a constructor below, and every entry passes
//! `validate` against the current balances before the engine stores it, in the same transaction that reads those
//! balances. Two clerks paying out the same funds therefore cannot both succeed: the engine serialises the postings
//! of a case, and the second one finds the held balance no longer covers it (`case_balance_would_go_negative`).
//! A posted entry is never changed; a mistake is corrected by a new entry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::accounts::{Account, CaseId};
use super::error::LedgerError;
use crate::money::Money;

/// What a posting is, for reports and for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Funds arrive in the case's own collection account (一案一账号, FUND-1).
    Receipt,
    /// Funds arrive that cannot be matched to a case (不明款, FUND-3).
    SuspenseReceipt,
    /// Unidentified funds are claimed into a case, with approval (补录入一案一账号, FUND-3).
    SuspenseClaim,
    /// Unidentified funds are sent back to the payer, with approval (FUND-3).
    SuspenseRefund,
    /// Disputed funds are held back (FUND-12 distribution suit; item 22: the undisputed part is paid first).
    HoldDisputed,
    /// Held-back funds are released to the case when the dispute is settled.
    ReleaseDisputed,
    /// The payout approval chain is complete: the amount is reserved for one payee (执行款发放审批, FUND-8).
    ApprovePayout,
    /// An approved payout is withdrawn before payment; the amount returns to the case.
    CancelApproval,
    /// Finance pays the payee (发放, FUND-4, FUND-5).
    Payout,
    /// The bank returns a payment (退票): the funds return to the case and staff are alerted.
    Bounce,
    /// Execution costs or fees are taken from the case's funds first (FUND-9, FUND-10).
    Fee,
    /// Fees owed to the court leave the execution-fund account for the court's revenue account.
    FeeTransfer,
    /// Funds are returned to the payer (e.g. an overpayment), a refund due by law (FUND-8).
    Refund,
    /// Funds are deposited with a notary (提存, FUND-7).
    EscrowDeposit,
    /// The disposal side reports funds paid into the case's account before the statement shows them (AUC-15).
    ReceiptInTransit,
    /// The statement shows funds already credited from the disposal side: in transit → bank.
    ClearInTransit,
    /// The statement line of money already credited in transit (a cash deposit, FUND-2) was imported before anyone
    /// said what it was, and credited the case a second time: that second credit is taken back and the in-transit
    /// amount cleared.
    ClearInTransitFromCase,
    /// A defaulting buyer's deposit is forfeited (悔拍, AUC-14): it leaves the case's funds for `CaseForfeited` until
    /// its allocation is known.
    ForfeitDeposit,
    /// One part of a forfeited deposit allocated in AUC-14's order: the auction's cost losses to the court's fees,
    /// the resale's shortfall, this case's debt and what is left back to the case's funds.
    ForfeitAllocation,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Receipt => "receipt",
            EntryKind::SuspenseReceipt => "suspense_receipt",
            EntryKind::SuspenseClaim => "suspense_claim",
            EntryKind::SuspenseRefund => "suspense_refund",
            EntryKind::HoldDisputed => "hold_disputed",
            EntryKind::ReleaseDisputed => "release_disputed",
            EntryKind::ApprovePayout => "approve_payout",
            EntryKind::CancelApproval => "cancel_approval",
            EntryKind::Payout => "payout",
            EntryKind::Bounce => "bounce",
            EntryKind::Fee => "fee",
            EntryKind::FeeTransfer => "fee_transfer",
            EntryKind::Refund => "refund",
            EntryKind::EscrowDeposit => "escrow_deposit",
            EntryKind::ReceiptInTransit => "receipt_in_transit",
            EntryKind::ClearInTransit => "clear_in_transit",
            EntryKind::ClearInTransitFromCase => "clear_in_transit_from_case",
            EntryKind::ForfeitDeposit => "forfeit_deposit",
            EntryKind::ForfeitAllocation => "forfeit_allocation",
        }
    }
}

/// One line: a debit or a credit to one account. Exactly one of the two is above zero (checked by `validate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub account: Account,
    pub debit: Money,
    pub credit: Money,
}

impl Line {
    pub fn debit(account: Account, amount: Money) -> Line {
        Line {
            account,
            debit: amount,
            credit: Money::ZERO,
        }
    }

    pub fn credit(account: Account, amount: Money) -> Line {
        Line {
            account,
            debit: Money::ZERO,
            credit: amount,
        }
    }
}

/// One journal entry. Its lines balance (debits == credits) once `validate` has accepted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub kind: EntryKind,
    pub memo: String,
    pub lines: Vec<Line>,
}

impl Entry {
    fn two_lines(kind: EntryKind, memo: String, debit: Account, credit: Account, amount: Money) -> Entry {
        Entry {
            kind,
            memo,
            lines: vec![Line::debit(debit, amount), Line::credit(credit, amount)],
        }
    }

    /// Replaces the standard memo with the engine's (a statement reference, the approval form's number, …).
    pub fn with_memo(mut self, memo: impl Into<String>) -> Entry {
        self.memo = memo.into();
        self
    }

    /// The entry's net change to each account it touches, on the account's normal side, in fen.
    pub fn changes_fen(&self) -> Result<BTreeMap<Account, i64>, LedgerError> {
        let mut changes: BTreeMap<Account, i64> = BTreeMap::new();
        for line in &self.lines {
            let change = line
                .account
                .signed_change_fen(line.debit.fen(), line.credit.fen())
                .ok_or(LedgerError::AmountOverflow)?;
            let slot = changes.entry(line.account.clone()).or_insert(0);
            *slot = slot.checked_add(change).ok_or(LedgerError::AmountOverflow)?;
        }
        Ok(changes)
    }
}

/// Where the constructors take funds a payee is owed from, when they are deposited with a notary (FUND-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", content = "payee", rename_all = "snake_case")]
pub enum EscrowFrom {
    Held,
    Disputed,
    Payable(String),
}

/// FUND-1: funds arrive in the case's collection account.
pub fn receipt_to_case(bank: &str, case_id: CaseId, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::Receipt,
        format!("案款到账 receipt for case {case_id}"),
        Account::Bank(bank.to_string()),
        Account::CaseHeld(case_id),
        amount,
    )
}

/// AUC-15, FUND-1: the disposal side reports funds paid into the case's account (a deposit transfer, a balance, a
/// top-up, the debtor's payment); the case is credited now and the statement line clears it later.
pub fn receipt_in_transit(case_id: CaseId, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::ReceiptInTransit,
        format!("处置款到账（待银行流水确认） receipt in transit for case {case_id}"),
        Account::InTransit,
        Account::CaseHeld(case_id),
        amount,
    )
}

/// The statement line of a receipt already credited from the disposal side: in transit → bank.
pub fn clear_in_transit(bank: &str, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::ClearInTransit,
        "银行流水确认 receipt confirmed by the statement".to_string(),
        Account::Bank(bank.to_string()),
        Account::InTransit,
        amount,
    )
}

/// FUND-2: the statement line of a cash deposit was imported, and credited to the case as a new receipt, before finance
/// named its bank reference. The case was credited twice for one sum of money — once in transit when the cash was
/// recorded, once by the statement — so the second credit is taken back and the in-transit amount cleared: after
/// it, the books are what `clear_in_transit` would have made them.
pub fn clear_in_transit_from_case(case_id: CaseId, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::ClearInTransitFromCase,
        format!("现金缴存已由银行流水入账 cash deposit already credited by the statement, case {case_id}"),
        Account::CaseHeld(case_id),
        Account::InTransit,
        amount,
    )
}

/// FUND-3: funds arrive that match no case; they wait in suspense (不明款).
pub fn receipt_to_suspense(bank: &str, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::SuspenseReceipt,
        "不明款到账 unidentified receipt".to_string(),
        Account::Bank(bank.to_string()),
        Account::Suspense,
        amount,
    )
}

/// FUND-3: unidentified funds are claimed into a case. `suspense::SuspenseItem::claim` checks the approval first.
pub fn claim_from_suspense(case_id: CaseId, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::SuspenseClaim,
        format!("不明款认领 claimed into case {case_id}"),
        Account::Suspense,
        Account::CaseHeld(case_id),
        amount,
    )
}

/// FUND-3: unidentified funds are returned to the payer.
pub fn refund_from_suspense(bank: &str, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::SuspenseRefund,
        "不明款退回 unidentified funds returned".to_string(),
        Account::Suspense,
        Account::Bank(bank.to_string()),
        amount,
    )
}

/// FUND-12 / item 22: the disputed amount is held back, so the rest can be paid.
pub fn hold_disputed(case_id: CaseId, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::HoldDisputed,
        format!("争议款项留存 disputed funds held for case {case_id}"),
        Account::CaseHeld(case_id),
        Account::CaseDisputed(case_id),
        amount,
    )
}

/// The dispute is settled: the held-back funds are the case's again.
pub fn release_disputed(case_id: CaseId, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::ReleaseDisputed,
        format!("争议款项解除留存 disputed funds released for case {case_id}"),
        Account::CaseDisputed(case_id),
        Account::CaseHeld(case_id),
        amount,
    )
}

/// FUND-8: the approval chain is complete; the amount is reserved for the payee.
pub fn approve_payout(case_id: CaseId, payee: &str, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::ApprovePayout,
        format!("执行款发放审批 payout approved for {payee} in case {case_id}"),
        Account::CaseHeld(case_id),
        Account::CasePayable {
            case_id,
            payee: payee.to_string(),
        },
        amount,
    )
}

/// An approved payout is withdrawn before it is paid.
pub fn cancel_approval(case_id: CaseId, payee: &str, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::CancelApproval,
        format!("撤回发放审批 payout approval withdrawn for {payee} in case {case_id}"),
        Account::CasePayable {
            case_id,
            payee: payee.to_string(),
        },
        Account::CaseHeld(case_id),
        amount,
    )
}

/// FUND-4, FUND-5: finance pays the payee from the execution-fund account.
pub fn pay_out(bank: &str, case_id: CaseId, payee: &str, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::Payout,
        format!("执行款发放 paid to {payee} in case {case_id}"),
        Account::CasePayable {
            case_id,
            payee: payee.to_string(),
        },
        Account::Bank(bank.to_string()),
        amount,
    )
}

/// 退票: the bank returned a payment; the funds are the case's again, to be paid anew after the payee's account is
/// checked.
pub fn bounce(bank: &str, case_id: CaseId, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::Bounce,
        format!("退票 payment returned in case {case_id}"),
        Account::Bank(bank.to_string()),
        Account::CaseHeld(case_id),
        amount,
    )
}

/// FUND-9, FUND-10: execution costs and fees are taken from the case's funds first and owed to the court.
pub fn fee(case_id: CaseId, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::Fee,
        format!("执行费用 execution costs and fees of case {case_id}"),
        Account::CaseHeld(case_id),
        Account::CaseFees(case_id),
        amount,
    )
}

/// The fees owed to the court leave the execution-fund account.
pub fn fee_transfer(bank: &str, case_id: CaseId, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::FeeTransfer,
        format!("执行费用划转 fees of case {case_id} transferred to the court"),
        Account::CaseFees(case_id),
        Account::Bank(bank.to_string()),
        amount,
    )
}

/// FUND-8: a refund to the payer that is due by law (an overpayment).
pub fn refund(bank: &str, case_id: CaseId, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::Refund,
        format!("退还 refund to the payer in case {case_id}"),
        Account::CaseHeld(case_id),
        Account::Bank(bank.to_string()),
        amount,
    )
}

/// FUND-7: funds are deposited with a notary (提存).
pub fn escrow_deposit(bank: &str, case_id: CaseId, from: &EscrowFrom, amount: Money) -> Entry {
    let source = match from {
        EscrowFrom::Held => Account::CaseHeld(case_id),
        EscrowFrom::Disputed => Account::CaseDisputed(case_id),
        EscrowFrom::Payable(payee) => Account::CasePayable {
            case_id,
            payee: payee.clone(),
        },
    };
    Entry::two_lines(
        EntryKind::EscrowDeposit,
        format!("提存 deposited with a notary in case {case_id}"),
        source,
        Account::Bank(bank.to_string()),
        amount,
    )
}

/// AUC-14: the defaulting buyer's deposit, received into the case's funds when the platform transferred it (AUC-15),
/// is forfeited (不予退还) and set apart until its allocation is known.
pub fn forfeit_deposit(case_id: CaseId, amount: Money) -> Entry {
    Entry::two_lines(
        EntryKind::ForfeitDeposit,
        format!("悔拍保证金不予退还 forfeited deposit set apart in case {case_id} (AUC-14)"),
        Account::CaseHeld(case_id),
        Account::CaseForfeited(case_id),
        amount,
    )
}

/// The parts of a forfeited deposit, in AUC-14's order (拍卖变卖规定 art 24 / 网拍规定 art 24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForfeitPart {
    /// 拍卖产生的费用损失: owed to the court as execution costs (FUND-9: costs come first).
    AuctionCostLosses,
    /// 弥补重新拍卖价款低于原拍卖价款的差价: makes up the proceeds of the asset.
    ResaleShortfall,
    /// 冲抵本案被执行人的债务.
    ThisCaseDebt,
    /// 与拍卖财产相关的被执行人的债务.
    RelatedDebts,
    /// What the four leave: the online rule forfeits the whole deposit, so it stays with the case (DESIGN).
    Remainder,
}

impl ForfeitPart {
    pub fn as_str(self) -> &'static str {
        match self {
            ForfeitPart::AuctionCostLosses => "auction_cost_losses",
            ForfeitPart::ResaleShortfall => "resale_shortfall",
            ForfeitPart::ThisCaseDebt => "this_case_debt",
            ForfeitPart::RelatedDebts => "related_debts",
            ForfeitPart::Remainder => "remainder",
        }
    }

    fn memo(self) -> &'static str {
        match self {
            ForfeitPart::AuctionCostLosses => "悔拍保证金支付拍卖产生的费用损失 auction cost losses",
            ForfeitPart::ResaleShortfall => "悔拍保证金弥补重新拍卖差价 shortfall of the resale",
            ForfeitPart::ThisCaseDebt => "悔拍保证金冲抵本案债务 toward this case's debt",
            ForfeitPart::RelatedDebts => "悔拍保证金冲抵相关债务 toward the debtor's related debts",
            ForfeitPart::Remainder => "悔拍保证金余额 what is left, kept for the distribution",
        }
    }
}

/// AUC-14: one part of a forfeited deposit leaves `CaseForfeited`. The auction's cost losses become fees owed to
/// the court (FUND-9: execution costs first); every other part returns to the case's funds, where the distribution
/// (FUND-9, FUND-12) and the payouts reach it. Chuzhi keeps no register of the debtor's debts in other cases, so
/// the related debts are paid, like the rest, out of the case's funds by a distribution or an approved payout.
pub fn forfeit_allocation(case_id: CaseId, part: ForfeitPart, amount: Money) -> Entry {
    let to = match part {
        ForfeitPart::AuctionCostLosses => Account::CaseFees(case_id),
        ForfeitPart::ResaleShortfall | ForfeitPart::ThisCaseDebt | ForfeitPart::RelatedDebts | ForfeitPart::Remainder => {
            Account::CaseHeld(case_id)
        }
    };
    Entry::two_lines(
        EntryKind::ForfeitAllocation,
        format!("{} in case {case_id} (AUC-14)", part.memo()),
        Account::CaseForfeited(case_id),
        to,
        amount,
    )
}

/// AUC-14: the entries of one allocation, one per part above zero, in the rule's order. Their amounts add up to
/// what the parts add up to, which the disposal core makes exactly the forfeited deposit.
pub fn forfeit_allocation_entries(case_id: CaseId, parts: &[(ForfeitPart, Money)]) -> Vec<(ForfeitPart, Entry)> {
    let mut parts = parts.to_vec();
    parts.sort_by_key(|(part, _)| *part);
    parts
        .into_iter()
        .filter(|(_, amount)| amount.fen() > 0)
        .map(|(part, amount)| (part, forfeit_allocation(case_id, part, amount)))
        .collect()
}

/// Current balances, on each account's normal side (see `accounts`). The engine implements it over its stored
/// balances, read in the transaction that will post the entry.
pub trait Balances {
    fn balance(&self, account: &Account) -> Money;
}

/// Balances in memory: what tests, the demo and reconciliation use. `post` validates and applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceMap {
    balances_fen: BTreeMap<Account, i64>,
}

impl Balances for BalanceMap {
    fn balance(&self, account: &Account) -> Money {
        Money::from_fen(self.balances_fen.get(account).copied().unwrap_or(0))
    }
}

impl BalanceMap {
    pub fn new() -> BalanceMap {
        BalanceMap::default()
    }

    /// Sets an account's balance as read from the store.
    pub fn set(&mut self, account: Account, balance: Money) {
        self.balances_fen.insert(account, balance.fen());
    }

    /// Validates the entry against these balances and applies it; changes nothing when it refuses.
    pub fn post(&mut self, entry: &Entry) -> Result<(), LedgerError> {
        validate(entry, self)?;
        for (account, change) in entry.changes_fen()? {
            let slot = self.balances_fen.entry(account).or_insert(0);
            // validate() has checked the sum stays within range and not negative.
            *slot += change;
        }
        Ok(())
    }

    /// Every account with a balance, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&Account, Money)> {
        self.balances_fen.iter().map(|(account, fen)| (account, Money::from_fen(*fen)))
    }

    pub fn to_vec(&self) -> Vec<(Account, Money)> {
        self.iter().map(|(account, balance)| (account.clone(), balance)).collect()
    }
}

/// Checks an entry before it is posted, in the documented order (see `error`): at least two lines; each line one
/// positive amount; sums within range; debits equal credits (FUND-2); and, against the current balances, no case
/// account, no suspense account and no bank account below zero afterwards (FUND-2, FUND-3, SPEC §4).
pub fn validate(entry: &Entry, balances: &impl Balances) -> Result<(), LedgerError> {
    if entry.lines.len() < 2 {
        return Err(LedgerError::EntryTooFewLines { lines: entry.lines.len() });
    }
    for (index, line) in entry.lines.iter().enumerate() {
        let debit = line.debit.fen();
        let credit = line.credit.fen();
        let one_side = (debit > 0 && credit == 0) || (credit > 0 && debit == 0);
        if !one_side {
            return Err(LedgerError::LineAmountInvalid { line: index });
        }
    }
    let mut debits: i64 = 0;
    let mut credits: i64 = 0;
    for line in &entry.lines {
        debits = debits.checked_add(line.debit.fen()).ok_or(LedgerError::AmountOverflow)?;
        credits = credits.checked_add(line.credit.fen()).ok_or(LedgerError::AmountOverflow)?;
    }
    if debits != credits {
        return Err(LedgerError::UnbalancedEntry {
            debits: Money::from_fen(debits),
            credits: Money::from_fen(credits),
        });
    }
    for (account, change) in entry.changes_fen()? {
        let balance = balances.balance(&account);
        let after = balance.fen().checked_add(change).ok_or(LedgerError::AmountOverflow)?;
        if after >= 0 {
            continue;
        }
        let change = Money::from_fen(change);
        return Err(match &account {
            Account::CaseHeld(_)
            | Account::CaseDisputed(_)
            | Account::CasePayable { .. }
            | Account::CaseFees(_)
            | Account::CaseForfeited(_) => LedgerError::CaseBalanceWouldGoNegative { account, balance, change },
            Account::Suspense => LedgerError::SuspenseBalanceWouldGoNegative { balance, change },
            Account::Bank(_) | Account::InTransit => LedgerError::BankBalanceWouldGoNegative { account, balance, change },
        });
    }
    Ok(())
}
