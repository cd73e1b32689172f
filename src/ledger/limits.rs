//! Running time limits of the ledger's lifecycles, and the node effects they produce — the same pattern as
//! `valuation::limits`: every limit lives in the lifecycle's data, one function per lifecycle lists the open ones,
//! and the effects of a transition are the difference between the open limits before and after it. The effects are
//! `valuation::Effect`s, so the engine stores ledger nodes exactly as it stores valuation nodes. Every node key
//! starts with `ledger.`.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, Period};
use crate::nodes::NodePlan;
use crate::valuation::limits::{effects_between, TrackedLimit};
use crate::valuation::{Effect, NodeKey};

/// What a ledger time limit is for. Each kind names the rule that sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerLimitKind {
    /// FUND-12: a party objects to the distribution plan within 15 days of receiving it.
    PlanObjection,
    /// FUND-12: the other parties counter-object within 15 days of the notice of the objection.
    PlanCounterObjection,
    /// FUND-12: the objector sues within 15 days of the notice of the counter-objection.
    PlanSuit,
    /// FUND-5 (Regional2024): the payment notice goes to finance within 10 working days of the funds' arrival.
    PayoutFinanceNotice,
    /// FUND-5 (Regional2024): finance pays within 5 working days of the notice.
    PayoutPayment,
    /// FUND-4 (Spc2017): the payout is completed within 30 days of finance's arrival notice.
    PayoutCompletion,
    /// FUND-6: after the ground for a delay is cleared, the payout follows within 10 days (UNCONFIRMED, configurable).
    PayoutAfterDelay,
    /// FUND-3: unidentified funds are claimed into a case (default 3 working days, a local rule, configurable).
    SuspenseClaim,
    /// FUND-2: collected cash is handed to finance on the day the officers return to court, at the latest the next.
    CashHandover,
}

impl LedgerLimitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerLimitKind::PlanObjection => "plan.objection",
            LedgerLimitKind::PlanCounterObjection => "plan.counter_objection",
            LedgerLimitKind::PlanSuit => "plan.suit",
            LedgerLimitKind::PayoutFinanceNotice => "payout.finance_notice",
            LedgerLimitKind::PayoutPayment => "payout.payment",
            LedgerLimitKind::PayoutCompletion => "payout.completion",
            LedgerLimitKind::PayoutAfterDelay => "payout.after_delay",
            LedgerLimitKind::SuspenseClaim => "suspense.claim",
            LedgerLimitKind::CashHandover => "cash.handover",
        }
    }

    pub fn rule_id(self) -> &'static str {
        match self {
            LedgerLimitKind::PlanObjection | LedgerLimitKind::PlanCounterObjection | LedgerLimitKind::PlanSuit => "FUND-12",
            LedgerLimitKind::PayoutFinanceNotice | LedgerLimitKind::PayoutPayment => "FUND-5",
            LedgerLimitKind::PayoutCompletion => "FUND-4",
            LedgerLimitKind::PayoutAfterDelay => "FUND-6",
            LedgerLimitKind::SuspenseClaim => "FUND-3",
            LedgerLimitKind::CashHandover => "FUND-2",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            LedgerLimitKind::PlanObjection => "对分配方案提出书面异议 (objections to the distribution plan)",
            LedgerLimitKind::PlanCounterObjection => "未提出异议的当事人提出反对意见 (counter-objections to an objection)",
            LedgerLimitKind::PlanSuit => "异议人提起分配方案异议之诉 (the objector sues on the distribution plan)",
            LedgerLimitKind::PayoutFinanceNotice => "向财务部门送交执行款发放通知 (send the payment notice to finance)",
            LedgerLimitKind::PayoutPayment => "财务部门向申请执行人发放执行款 (finance pays the payee)",
            LedgerLimitKind::PayoutCompletion => "完成执行款核算、结算、通知领取和发放 (complete the payout)",
            LedgerLimitKind::PayoutAfterDelay => "延缓发放事由消除后发放执行款 (pay out after the delay ended)",
            LedgerLimitKind::SuspenseClaim => "不明款认领入案 (claim the unidentified funds into a case)",
            LedgerLimitKind::CashHandover => "现金当日或次日交财务部门 (hand the collected cash to finance)",
        }
    }

    pub fn trigger_event(self) -> &'static str {
        match self {
            LedgerLimitKind::PlanObjection => "plan_received",
            LedgerLimitKind::PlanCounterObjection => "objection_notified",
            LedgerLimitKind::PlanSuit => "counter_objection_notified",
            LedgerLimitKind::PayoutFinanceNotice => "funds_arrived",
            LedgerLimitKind::PayoutPayment => "finance_notified",
            LedgerLimitKind::PayoutCompletion => "arrival_notice",
            LedgerLimitKind::PayoutAfterDelay => "delay_ground_cleared",
            LedgerLimitKind::SuspenseClaim => "unidentified_funds_arrived",
            LedgerLimitKind::CashHandover => "officers_returned_to_court",
        }
    }

    /// How many working days ahead the `upcoming` alert is raised.
    pub fn lead_working_days(self) -> u32 {
        match self {
            LedgerLimitKind::PlanObjection
            | LedgerLimitKind::PlanCounterObjection
            | LedgerLimitKind::PlanSuit
            | LedgerLimitKind::PayoutFinanceNotice
            | LedgerLimitKind::PayoutCompletion
            | LedgerLimitKind::PayoutAfterDelay => 3,
            LedgerLimitKind::PayoutPayment | LedgerLimitKind::SuspenseClaim => 1,
            // A one-day limit recorded after the fact: no room, and no use, for an early warning.
            LedgerLimitKind::CashHandover => 0,
        }
    }
}

/// One running time limit of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerLimit {
    pub kind: LedgerLimitKind,
    /// The party, objection, payout, suspense item or cash receipt the limit is about.
    pub subject: String,
    pub trigger_date: NaiveDate,
    pub period: Period,
    /// The last day (PER-1/PER-2, PER-6), as the legal calendar computes it.
    pub due_date: NaiveDate,
}

impl LedgerLimit {
    pub fn start(kind: LedgerLimitKind, subject: impl Into<String>, trigger_date: NaiveDate, period: Period, calendar: &Calendar) -> Self {
        LedgerLimit {
            kind,
            subject: subject.into(),
            trigger_date,
            period,
            due_date: calendar.due_date(trigger_date, period),
        }
    }

    /// `ledger.<kind>:<subject>`, e.g. `ledger.plan.objection:debtor`, `ledger.payout.finance_notice:p-17`.
    pub fn key(&self) -> NodeKey {
        NodeKey(format!("ledger.{}:{}", self.kind.as_str(), self.subject))
    }

    pub fn plan(&self) -> NodePlan {
        NodePlan {
            rule_id: self.kind.rule_id(),
            title: format!("{} [{}]", self.kind.title(), self.subject),
            trigger_event: self.kind.trigger_event().to_string(),
            trigger_date: self.trigger_date,
            period: self.period,
            lead_working_days: self.kind.lead_working_days(),
        }
    }

    /// Whether `date` is on or before the last day.
    pub fn allows(&self, date: NaiveDate) -> bool {
        date <= self.due_date
    }
}

/// The ledger's node effects: the valuation's `effects_between`, on limits that never pause.
pub(crate) fn node_effects(before: &[LedgerLimit], after: &[LedgerLimit], met: &BTreeSet<NodeKey>) -> Vec<Effect> {
    let tracked = |limits: &[LedgerLimit]| -> Vec<TrackedLimit> {
        limits
            .iter()
            .map(|limit| TrackedLimit {
                key: limit.key(),
                plan: limit.plan(),
                due_date: limit.due_date,
                paused: false,
            })
            .collect()
    };
    effects_between(tracked(before), tracked(after), met, 0)
}
