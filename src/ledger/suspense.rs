//! Unidentified funds (不明款 / 待认领款, FUND-3): a receipt that matched no case waits in the suspense account until
//! it is claimed into the right case (补录入"一案一账号"), with an approval record, or returned to the payer.
//!
//! The claim deadline is a local rule (嘉鱼法院: within 3 days), so it is configurable; the DESIGN default is 3
//! WORKING days on the legal calendar (`ledger.suspense.claim:<id>`). A late claim is recorded, not refused: the money
//! must still reach its case. The ageing report uses `age_days`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::accounts::CaseId;
use super::error::LedgerError;
use super::journal;
use super::limits::{LedgerLimit, LedgerLimitKind};
use super::{Draft, Outcome, Transition};
use crate::calendar::{Calendar, Period};
use crate::money::Money;

/// A court's suspense configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspenseRules {
    /// FUND-3 (local rule, configurable): how long staff have to claim unidentified funds; default 3 working days.
    pub claim_period: Period,
}

impl Default for SuspenseRules {
    fn default() -> Self {
        SuspenseRules {
            claim_period: Period::WorkingDays(3),
        }
    }
}

/// The approval record a claim needs (FUND-3: "严格审批").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimApproval {
    pub approver: String,
    pub approved_on: NaiveDate,
    /// The approval form's reference.
    pub reference: String,
}

/// One unidentified receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspenseItem {
    /// The engine's id; it names the item's node.
    pub id: String,
    pub bank: String,
    pub amount: Money,
    pub arrived_on: NaiveDate,
    pub payer: String,
    pub remittance: String,
    /// The claim limit while anything is unclaimed.
    pub claim_limit: LedgerLimit,
    /// What has been claimed, case by case.
    pub claims: Vec<(CaseId, Money, ClaimApproval)>,
    pub last_event_on: NaiveDate,
}

impl SuspenseItem {
    /// Records the receipt: the transition carries the `receipt_to_suspense` entry and opens the claim limit.
    /// Checks: an id and a bank (`name_missing`), an amount above zero (`amount_not_positive`), the arrival not after
    /// today (`date_after_today`).
    #[allow(clippy::too_many_arguments)]
    pub fn receive(
        id: &str,
        bank: &str,
        amount: Money,
        arrived_on: NaiveDate,
        payer: &str,
        remittance: &str,
        rules: &SuspenseRules,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition<SuspenseItem>, LedgerError> {
        let mut draft = Draft::begin(today, today, Vec::new())?;
        for (field, value) in [("suspense item id", id), ("bank", bank)] {
            if value.trim().is_empty() {
                return Err(LedgerError::NameMissing { field, rule: "FUND-3" });
            }
        }
        if amount.fen() <= 0 {
            return Err(LedgerError::AmountNotPositive { rule: "FUND-3" });
        }
        if arrived_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "arrival",
                date: arrived_on,
                today,
            });
        }
        draft.entry(journal::receipt_to_suspense(bank, amount));
        let item = SuspenseItem {
            id: id.to_string(),
            bank: bank.to_string(),
            amount,
            arrived_on,
            payer: payer.to_string(),
            remittance: remittance.to_string(),
            claim_limit: LedgerLimit::start(LedgerLimitKind::SuspenseClaim, id, arrived_on, rules.claim_period, calendar),
            claims: Vec::new(),
            last_event_on: today,
        };
        let after = item.open_limits();
        Ok(draft.finish(item, after))
    }

    pub fn claimed(&self) -> Money {
        Money::from_fen(self.claims.iter().map(|(_, amount, _)| amount.fen()).sum())
    }

    pub fn unclaimed(&self) -> Money {
        Money::from_fen(self.amount.fen() - self.claimed().fen())
    }

    /// The claim deadline.
    pub fn claim_due(&self) -> NaiveDate {
        self.claim_limit.due_date
    }

    /// Calendar days since arrival, for the ageing report (0 on the day of arrival).
    pub fn age_days(&self, today: NaiveDate) -> i64 {
        (today - self.arrived_on).num_days().max(0)
    }

    pub fn open_limits(&self) -> Vec<LedgerLimit> {
        if self.unclaimed().fen() > 0 {
            vec![self.claim_limit.clone()]
        } else {
            Vec::new()
        }
    }

    /// Claims part or all of the funds into a case (FUND-3). Checks, in order: an approval record
    /// (`claim_needs_approval`); an amount above zero (`amount_not_positive`) and within what is unclaimed
    /// (`claim_exceeds_unclaimed`). The transition carries the `claim_from_suspense` entry; the node is met once
    /// everything is claimed.
    pub fn claim(
        mut self,
        case_id: CaseId,
        amount: Money,
        approval: Option<ClaimApproval>,
        today: NaiveDate,
    ) -> Result<Transition<SuspenseItem>, LedgerError> {
        let mut draft = Draft::begin(today, self.last_event_on, self.open_limits())?;
        let approval = approval
            .filter(|approval| !approval.approver.trim().is_empty() && !approval.reference.trim().is_empty())
            .ok_or(LedgerError::ClaimNeedsApproval)?;
        if amount.fen() <= 0 {
            return Err(LedgerError::AmountNotPositive { rule: "FUND-3" });
        }
        let unclaimed = self.unclaimed();
        if amount > unclaimed {
            return Err(LedgerError::ClaimExceedsUnclaimed {
                claimed: amount,
                unclaimed,
            });
        }
        self.claims.push((case_id, amount, approval));
        self.last_event_on = today;
        let unclaimed = self.unclaimed();
        if unclaimed.fen() == 0 {
            draft.meet(self.claim_limit.key());
        }
        draft.entry(journal::claim_from_suspense(case_id, amount));
        draft.outcome(Outcome::SuspenseClaimed {
            case_id,
            amount,
            unclaimed,
            late: !self.claim_limit.allows(today),
        });
        let after = self.open_limits();
        Ok(draft.finish(self, after))
    }
}

/// FUND-3: unidentified funds not claimed by their claim deadline are overdue from the day after it (PER-4: the last
/// day runs to 24:00). The deadline itself is a working-day count on the legal calendar (PER-6), fixed at arrival.
pub fn claim_overdue(claim_due_on: NaiveDate, today: NaiveDate) -> bool {
    today > claim_due_on
}

/// What the daily digest tells a court about its unidentified funds past their claim deadline (FUND-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OverdueSummary {
    pub count: u64,
    pub total: Money,
    /// The arrival of the oldest overdue item, and its age in calendar days.
    pub oldest_arrived_on: Option<NaiveDate>,
    pub oldest_age_days: Option<i64>,
}

/// Sums the unclaimed items `(amount, arrived_on, claim_due_on)` that are overdue on `today` (`claim_overdue`);
/// items not yet overdue are skipped. A total beyond 64-bit fen is refused (`amount_overflow`), never wrapped.
pub fn overdue_summary(
    items: impl IntoIterator<Item = (Money, NaiveDate, NaiveDate)>,
    today: NaiveDate,
) -> Result<OverdueSummary, LedgerError> {
    let mut summary = OverdueSummary::default();
    for (amount, arrived_on, claim_due_on) in items {
        if !claim_overdue(claim_due_on, today) {
            continue;
        }
        summary.count += 1;
        summary.total = Money::from_fen(summary.total.fen().checked_add(amount.fen()).ok_or(LedgerError::AmountOverflow)?);
        if summary.oldest_arrived_on.is_none_or(|oldest| arrived_on < oldest) {
            summary.oldest_arrived_on = Some(arrived_on);
            summary.oldest_age_days = Some((today - arrived_on).num_days().max(0));
        }
    }
    Ok(summary)
}
