//! FUND: the execution-fund ledger (执行款管理, 一案一账号; RULES.md §5, SPEC §4, items 19–22 of the 2021 opinion).
//! Pure: no HTTP, no SQL, no clock. The engine stores; this core decides.
//!
//! - `accounts`: the chart of accounts and its sign convention; `journal`: double-entry entries, their constructors
//!   and `validate` (FUND-2: balanced, no case account negative);
//! - `distribution`: the order of payment and exact pro-rata shares (FUND-9, FUND-11);
//! - `plan`: the distribution plan and its 15 + 15 + 15-day objection chain (FUND-12);
//! - `payout`: the payout lifecycle — payee check, approval chain, deadlines, delay and escrow (FUND-4 … FUND-8);
//! - `suspense`: unidentified funds (不明款) and their claims (FUND-3);
//! - `cash`: cash collected by two officers and handed to finance (FUND-2), in transit until the bank shows it;
//! - `fees`: the execution application fee (FUND-10);
//! - `reconcile`: statement against ledger, and the books against the bank (FUND-2), with a table for CSV and XLSX.
//!
//! The lifecycles (`DistributionPlan`, `Payout`, `SuspenseItem`) follow `valuation`: a transition takes the state, the
//! command's data and the local China date (`today`), checks the date, then the stage, then its own conditions, and
//! returns a `Transition` — the new state, the node effects (the difference between the open time limits before and
//! after, as `valuation::Effect`s with keys starting `ledger.`), the journal entries the engine must validate and
//! post in the same transaction, and the outcomes for the audit log — or a `LedgerError` naming its rule.

mod accounts;
mod cash;
mod distribution;
mod error;
mod fees;
mod journal;
mod limits;
mod payout;
mod plan;
mod reconcile;
mod suspense;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::valuation::{Audience, Effect, NodeKey, Notice};

pub use accounts::{Account, CaseId, NormalSide};
pub use cash::{handover_timing, CashReceipt, CashStage, HandoverTiming, RecordCash, CASH_OFFICERS_MIN, HANDOVER_PERIOD};
pub use distribution::{
    check_application_timely, distribute, largest_remainder, Claim, ClaimClass, Distribution, DistributionInput, OrdinaryOrder, Share,
    ShareBasis,
};
pub use error::LedgerError;
pub use fees::{execution_application_fee, ApplicationFeeBasis, NO_AMOUNT_FEE_MAX_FEN, NO_AMOUNT_FEE_MIN_FEN};
pub use journal::{
    approve_payout, bounce, cancel_approval, claim_from_suspense, clear_in_transit, clear_in_transit_from_case, escrow_deposit, fee,
    fee_transfer, forfeit_allocation, forfeit_allocation_entries, forfeit_deposit, hold_disputed, pay_out, receipt_in_transit,
    receipt_to_case, receipt_to_suspense, refund, refund_from_suspense, release_disputed, validate, BalanceMap, Balances, Entry, EntryKind,
    EscrowFrom, ForfeitPart, Line,
};
pub use limits::{LedgerLimit, LedgerLimitKind};
pub use payout::{
    Approval, ApprovalMatrix, ApprovalRole, ApprovalTier, ConfirmedAccount, DelayGround, EscrowGround, PanelApproval, Payout,
    PayoutCommand, PayoutDeadlineProfile, PayoutPurpose, PayoutRules, PayoutStage, RequestPayout, DELAY_CLEARED_PAYOUT_DAYS,
};
pub use plan::{
    DisputedShare, DistributionPlan, Objection, ObjectionStatus, PartyRole, PayableShare, PlanCommand, PlanParty, PlanStage,
    FUND_12_PERIOD_DAYS,
};
pub use reconcile::{
    reconcile, reconciliation_table, LedgerMovement, Reconciliation, ReconciliationInput, ReconciliationPeriod, StatementLine,
};
pub use suspense::{claim_overdue, overdue_summary, ClaimApproval, OverdueSummary, SuspenseItem, SuspenseRules};

/// What a transition decided, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    PlanServed {
        party: String,
        objection_due: NaiveDate,
    },
    ObjectionFiled {
        objection: u32,
        disputed: Money,
    },
    ObjectionNotified {
        objection: u32,
        counter_objection_due: NaiveDate,
    },
    CounterObjectionFiled {
        objection: u32,
        party: String,
    },
    ObjectionUpheld {
        objection: u32,
    },
    CounterObjected {
        objection: u32,
        counter_objectors: Vec<String>,
    },
    ObjectorNotified {
        objection: u32,
        suit_due: NaiveDate,
    },
    SuitFiled {
        objection: u32,
        held: Money,
    },
    ObjectionLapsed {
        objection: u32,
    },
    JudgmentRecorded {
        objection: u32,
        released: Money,
        plan_revised: bool,
    },
    PlanRevised {
        objections: Vec<u32>,
    },
    ObjectionPeriodClosed {
        objections: u32,
    },
    PlanCarriedOut {
        amount: Money,
    },
    PayoutRequested {
        amount: Money,
        roles: Vec<ApprovalRole>,
        due_date: NaiveDate,
    },
    PayoutApprovalRecorded {
        approver: String,
        role: ApprovalRole,
        remaining: Vec<ApprovalRole>,
    },
    PayoutApproved {
        amount: Money,
    },
    FinanceNotified {
        late: bool,
        payment_due: Option<NaiveDate>,
    },
    PayoutPaid {
        late: bool,
    },
    PayoutBounced {
        reason: String,
    },
    PayoutDelayed {
        ground: DelayGround,
    },
    DelayGroundCleared {
        payout_due: NaiveDate,
    },
    PayoutEscrowed {
        ground: EscrowGround,
    },
    /// FUND-8: the payout was withdrawn before payment; `released` is the reservation returned to the case's held
    /// funds, if the approval chain had completed.
    PayoutCancelled {
        reason: String,
        released: Option<Money>,
    },
    /// FUND-2: cash recorded; `fund_2_breached` when it reached finance after the handover limit.
    CashReceived {
        receipt_number: String,
        amount: Money,
        timing: HandoverTiming,
        handover_due_on: NaiveDate,
        fund_2_breached: bool,
    },
    SuspenseClaimed {
        case_id: CaseId,
        amount: Money,
        unclaimed: Money,
        late: bool,
    },
}

/// The result of a transition: the new state, the node effects and notices, the journal entries to post (validated
/// by the engine against the balances it holds, in the same transaction), and the outcomes for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition<S> {
    pub state: S,
    pub effects: Vec<Effect>,
    pub entries: Vec<Entry>,
    pub outcomes: Vec<Outcome>,
}

/// A transition being built.
pub(crate) struct Draft {
    today: NaiveDate,
    before: Vec<LedgerLimit>,
    met: BTreeSet<NodeKey>,
    outcomes: Vec<Outcome>,
    entries: Vec<Entry>,
    notices: Vec<Notice>,
}

impl Draft {
    /// Refuses a date before the last event (`date_before_last_event`) and remembers the open limits.
    pub(crate) fn begin(today: NaiveDate, last_event_on: NaiveDate, before: Vec<LedgerLimit>) -> Result<Draft, LedgerError> {
        if today < last_event_on {
            return Err(LedgerError::DateBeforeLastEvent { today, last_event_on });
        }
        Ok(Draft {
            today,
            before,
            met: BTreeSet::new(),
            outcomes: Vec::new(),
            entries: Vec::new(),
            notices: Vec::new(),
        })
    }

    pub(crate) fn meet(&mut self, key: NodeKey) {
        self.met.insert(key);
    }

    pub(crate) fn outcome(&mut self, outcome: Outcome) {
        self.outcomes.push(outcome);
    }

    pub(crate) fn entry(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    pub(crate) fn notify(&mut self, audience: Audience, rule: &'static str, message: String) {
        self.notices.push(Notice {
            audience,
            rule: rule.to_string(),
            message,
        });
    }

    pub(crate) fn finish<S>(self, state: S, after: Vec<LedgerLimit>) -> Transition<S> {
        let mut effects = limits::node_effects(&self.before, &after, &self.met);
        effects.extend(self.notices.into_iter().map(Effect::Notify));
        Transition {
            state,
            effects,
            entries: self.entries,
            outcomes: self.outcomes,
        }
    }
}
