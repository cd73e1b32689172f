//! Running time limits of the disposal (变价), and the node effects they produce.
//!
//! The same approach as the valuation (`crate::valuation::limits`): every limit the disposal waits on lives in the
//! stage's own data as a `TimeLimit`; `Stage::for_each_open_limit` is the one place that says which are open; and
//! the node effects of a transition are the difference between the open limits before and after it. Effects, node
//! keys and notices are the valuation's own types, so the engine stores both lifecycles' nodes alike. Every key
//! starts with `disposal.`, so it never collides with a valuation node of the same asset.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, Period};
use crate::nodes::NodePlan;
use crate::valuation::limits::{effects_between, TrackedLimit};
use crate::valuation::{Effect, NodeKey};

/// What a disposal time limit is for. Each kind names the rule that sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// TRAD-2: the applicant asks to go on within 5 days of the no-surplus notice (无剩余可能).
    NoSurplusRequest,
    /// AUC-16: after a failed first round, the second round is announced within 30 days (Q7 DESIGN: the
    /// announcement; the number of days is configuration).
    SecondRoundAnnouncement,
    /// SELF-4 (DESIGN, by analogy to REF-36): after a lapsed self-disposal the court's own disposal restarts (the
    /// first announcement) within 10 days.
    ResumeAfterSelfDisposal,
    /// AUC-18: the auction resumes within 5 days after the suspension's term or cause ended.
    ResumeAuction,
    /// AUC-15: the platform transfers the buyer's frozen deposit (in a sell-off, the prepaid price, AUC-23) to the
    /// court's account within 24 hours of the sale.
    DepositTransfer,
    /// AUC-13: the other bidders' deposits are refunded or unfrozen within 24 hours after the bidding ended.
    DepositRefund,
    /// AUC-15: the buyer pays the balance by the deadline the announcement set (the law fixes no number of days).
    Balance,
    /// TRAD-5: the taker of a debt in kind pays the difference (补交差额) by the court's date.
    TopUp,
    /// TRAD-8: the sale ruling is served within 10 days after the price (or the top-up) is paid in full.
    SaleRuling,
    /// TRAD-9: the asset is handed over within 15 days after the ruling is served.
    Handover,
    /// SELL-3: after the second failure, the applicant and the other creditors are asked within 10 days whether
    /// they take the asset in payment (以物抵债).
    DebtInKindQuestion,
    /// SELL-3: the online sell-off notice is published within 15 days of the second failure.
    SellOffNotice,
    /// SELL-4: the online sell-off runs 60 days.
    SellOffPeriod,
    /// SELL-6 (DESIGN, by analogy to SELL-3's 15 days): after the sell-off buyer backed out, the sell-off notice is
    /// published again within 15 days (configurable).
    SellOffResaleNotice,
    /// SELL-6: the rest of the backing-out buyer's prepayment is returned; DESIGN: within 24 hours, as AUC-13 has
    /// deposits refunded (AUC-23 applies the auction rules to the sell-off).
    PrepaymentRefund,
    /// AUC-14 (DESIGN): an auction buyer who defaulted after paying part of the balance forfeits only the deposit;
    /// the part payments are returned within 24 hours, as AUC-13 has deposits refunded.
    BalanceRefund,
    /// SELF-2: the debtor's self-disposal period set by the court (at most 90 days under the 2021 opinion).
    SelfDisposalPeriod,
}

impl LimitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::NoSurplusRequest => "no_surplus_request",
            LimitKind::SecondRoundAnnouncement => "second_round_announcement",
            LimitKind::ResumeAfterSelfDisposal => "resume_after_self_disposal",
            LimitKind::ResumeAuction => "resume_auction",
            LimitKind::DepositTransfer => "deposit_transfer",
            LimitKind::DepositRefund => "deposit_refund",
            LimitKind::Balance => "balance",
            LimitKind::TopUp => "top_up",
            LimitKind::SaleRuling => "sale_ruling",
            LimitKind::Handover => "handover",
            LimitKind::DebtInKindQuestion => "debt_in_kind_question",
            LimitKind::SellOffNotice => "sell_off_notice",
            LimitKind::SellOffPeriod => "sell_off_period",
            LimitKind::SellOffResaleNotice => "sell_off_resale_notice",
            LimitKind::PrepaymentRefund => "prepayment_refund",
            LimitKind::BalanceRefund => "balance_refund",
            LimitKind::SelfDisposalPeriod => "self_disposal_period",
        }
    }

    /// The rule that sets the limit; the node's `rule_id`.
    pub fn rule_id(self) -> &'static str {
        match self {
            LimitKind::NoSurplusRequest => "TRAD-2",
            LimitKind::SecondRoundAnnouncement => "AUC-16",
            LimitKind::ResumeAfterSelfDisposal => "SELF-4",
            LimitKind::ResumeAuction => "AUC-18",
            LimitKind::DepositTransfer | LimitKind::Balance => "AUC-15",
            LimitKind::DepositRefund => "AUC-13",
            LimitKind::TopUp => "TRAD-5",
            LimitKind::SaleRuling => "TRAD-8",
            LimitKind::Handover => "TRAD-9",
            LimitKind::DebtInKindQuestion | LimitKind::SellOffNotice => "SELL-3",
            LimitKind::SellOffPeriod => "SELL-4",
            LimitKind::SellOffResaleNotice | LimitKind::PrepaymentRefund => "SELL-6",
            LimitKind::BalanceRefund => "AUC-14",
            LimitKind::SelfDisposalPeriod => "SELF-2",
        }
    }

    /// The node's title, in Chinese with the English the staff pages show next to it.
    pub fn title(self) -> &'static str {
        match self {
            LimitKind::NoSurplusRequest => "申请执行人申请继续拍卖 (the applicant asks to go on despite no surplus)",
            LimitKind::SecondRoundAnnouncement => {
                "流拍后三十日内发布再次拍卖公告 (announce the second auction within 30 days of the failure)"
            }
            LimitKind::ResumeAfterSelfDisposal => "自行处置期满后恢复强制处置 (resume the court's disposal after the lapsed self-disposal)",
            LimitKind::ResumeAuction => "暂缓、中止事由消失后五日内恢复拍卖 (resume the auction within 5 days)",
            LimitKind::DepositTransfer => "网络服务提供者将保证金划入法院账户 (the platform transfers the deposit within 24 hours)",
            LimitKind::DepositRefund => "退还未成交竞买人保证金 (refund the other bidders' deposits within 24 hours)",
            LimitKind::Balance => "买受人交付剩余价款 (the buyer pays the balance by the announced deadline)",
            LimitKind::TopUp => "承受人补交差额 (the taker pays the difference)",
            LimitKind::SaleRuling => "送达成交或者抵债裁定 (serve the sale or debt-in-kind ruling within 10 days of full payment)",
            LimitKind::Handover => "移交拍卖财产 (hand the asset over within 15 days of the ruling)",
            LimitKind::DebtInKindQuestion => "二拍流拍后询问是否以物抵债 (ask the creditors about debt in kind within 10 days)",
            LimitKind::SellOffNotice => "二拍流拍之日起十五日内发布变卖公告 (publish the sell-off notice within 15 days)",
            LimitKind::SellOffPeriod => "网络司法变卖期 (the 60-day online sell-off)",
            LimitKind::SellOffResaleNotice => "买受人悔拍后重新发布变卖公告 (publish the sell-off again after the buyer backed out)",
            LimitKind::PrepaymentRefund => "退还悔拍买受人预交价款余额 (refund the rest of the backing-out buyer's prepayment)",
            LimitKind::BalanceRefund => "退还悔拍买受人已付的部分价款 (refund the defaulting buyer's part payments of the balance)",
            LimitKind::SelfDisposalPeriod => "被执行人自行处置期限 (the debtor's self-disposal period)",
        }
    }

    /// The event that starts the period, as the node records it.
    pub fn trigger_event(self) -> &'static str {
        match self {
            LimitKind::NoSurplusRequest => "no_surplus_notified",
            LimitKind::SecondRoundAnnouncement => "first_round_failed",
            LimitKind::ResumeAfterSelfDisposal => "self_disposal_lapsed",
            LimitKind::ResumeAuction => "suspension_cause_ended",
            LimitKind::DepositTransfer => "sold",
            LimitKind::DepositRefund => "bidding_ended",
            LimitKind::Balance => "sold",
            LimitKind::TopUp => "debt_in_kind_decided",
            LimitKind::SaleRuling => "paid_in_full",
            LimitKind::Handover => "ruling_served",
            LimitKind::DebtInKindQuestion | LimitKind::SellOffNotice => "second_round_failed",
            LimitKind::SellOffPeriod => "sell_off_started",
            LimitKind::SellOffResaleNotice | LimitKind::PrepaymentRefund | LimitKind::BalanceRefund => "buyer_defaulted",
            LimitKind::SelfDisposalPeriod => "self_disposal_approved",
        }
    }

    /// How many working days ahead the `upcoming` alert is raised; the engine may override these defaults.
    pub fn lead_working_days(self) -> u32 {
        match self {
            LimitKind::DepositTransfer | LimitKind::DepositRefund | LimitKind::PrepaymentRefund | LimitKind::BalanceRefund => 0,
            LimitKind::NoSurplusRequest
            | LimitKind::ResumeAuction
            | LimitKind::Balance
            | LimitKind::TopUp
            | LimitKind::DebtInKindQuestion => 1,
            LimitKind::SecondRoundAnnouncement
            | LimitKind::ResumeAfterSelfDisposal
            | LimitKind::SaleRuling
            | LimitKind::Handover
            | LimitKind::SellOffNotice
            | LimitKind::SellOffResaleNotice => 3,
            LimitKind::SellOffPeriod | LimitKind::SelfDisposalPeriod => 5,
        }
    }
}

/// One time limit of the disposal: what it is for, what started it, its period and its last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimit {
    pub kind: LimitKind,
    /// The round or other subject, where a kind can recur (`disposal.no_surplus_request:2`).
    pub subject: Option<String>,
    pub trigger_date: NaiveDate,
    /// The period counted from the trigger, suspended days included (AUC-18, PER-8).
    pub period: Period,
    /// The last day, as the legal calendar computes it.
    pub due_date: NaiveDate,
}

/// The longest court-set deadline accepted (指定期限): a year keeps a typing error from creating a node decades away.
pub const COURT_SET_DAYS_MAX: u32 = 365;

impl TimeLimit {
    pub(crate) fn start(kind: LimitKind, subject: Option<String>, trigger_date: NaiveDate, period: Period, calendar: &Calendar) -> Self {
        TimeLimit {
            kind,
            subject,
            trigger_date,
            period,
            due_date: calendar.due_date(trigger_date, period),
        }
    }

    /// A limit the court sets by date (the announcement's balance deadline, the top-up date): the period is the
    /// number of days from `today`, so PER-1 moves a date that falls on a rest day, and the node explains itself.
    /// The caller has checked that `deadline` lies 1 to `COURT_SET_DAYS_MAX` days after `today`.
    pub(crate) fn court_set(kind: LimitKind, subject: Option<String>, today: NaiveDate, deadline: NaiveDate, calendar: &Calendar) -> Self {
        let days = u32::try_from((deadline - today).num_days())
            .unwrap_or(1)
            .clamp(1, COURT_SET_DAYS_MAX);
        TimeLimit::start(kind, subject, today, Period::Days(days), calendar)
    }

    /// A 24-hour limit (AUC-13, AUC-15), started by an event on the local date `trigger_date`. China keeps no
    /// daylight saving, so 24 hours always end on the next local date: one day. PER-1 still applies (民诉法 art 85
    /// counts periods in hours as in days, and a last day that is a rest day moves to the next working day), so a
    /// transfer due on a Saturday is due on Monday; the node store, too, can only express periods of at least one
    /// unit.
    pub(crate) fn hours_24(kind: LimitKind, subject: Option<String>, trigger_date: NaiveDate, calendar: &Calendar) -> Self {
        TimeLimit::start(kind, subject, trigger_date, Period::Days(1), calendar)
    }

    pub fn key(&self) -> NodeKey {
        match &self.subject {
            Some(subject) => NodeKey(format!("disposal.{}:{subject}", self.kind.as_str())),
            None => NodeKey(format!("disposal.{}", self.kind.as_str())),
        }
    }

    pub fn plan(&self) -> NodePlan {
        let title = match &self.subject {
            Some(subject) => format!("{} [{subject}]", self.kind.title()),
            None => self.kind.title().to_string(),
        };
        NodePlan {
            rule_id: self.kind.rule_id(),
            title,
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

    /// Lengthens the limit by the days of a suspension (AUC-18; PER-8 applied as DESIGN: a suspended auction's
    /// clocks stop). Day periods get longer, so PER-1 moves only the new end; other periods start later.
    pub(crate) fn extend(&mut self, days: u32, calendar: &Calendar) {
        if days == 0 {
            return;
        }
        match self.period {
            Period::Days(count) => self.period = Period::Days(count.saturating_add(days)),
            Period::WorkingDays(_) | Period::Months(_) => {
                self.trigger_date = self
                    .trigger_date
                    .checked_add_days(chrono::Days::new(days.into()))
                    .unwrap_or(self.trigger_date)
            }
        }
        self.due_date = calendar.due_date(self.trigger_date, self.period);
    }
}

/// A limit that is open after a transition, and whether a suspension pauses it (AUC-18).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLimit {
    pub limit: TimeLimit,
    pub paused: bool,
}

/// The disposal's node effects: the valuation's `effects_between`, on the disposal's limits.
pub(crate) fn node_effects(before: &[OpenLimit], after: &[OpenLimit], met: &BTreeSet<NodeKey>, paused_days: u32) -> Vec<Effect> {
    let tracked = |limits: &[OpenLimit]| -> Vec<TrackedLimit> {
        limits
            .iter()
            .map(|open| TrackedLimit {
                key: open.limit.key(),
                plan: open.limit.plan(),
                due_date: open.limit.due_date,
                paused: open.paused,
            })
            .collect()
    };
    effects_between(tracked(before), tracked(after), met, paused_days)
}
