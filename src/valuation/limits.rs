//! Running time limits of the reference-price procedure, and the node effects they produce.
//!
//! Every time limit the procedure is waiting on lives in the lifecycle's own data as a `TimeLimit` (the platform's
//! report deadline inside its inquiry, the agency's deadline inside its commission, …). Which of them are open is
//! decided in one place per stage (`for_each_open_limit`), and the node effects of a transition are the difference
//! between the open limits before and after it. So the nodes the engine stores can never disagree with the state:
//! a limit that opens creates a node, one that moves reschedules it, one that closes meets or cancels it, and a
//! suspension pauses and resumes exactly the limits that were running (REF-34).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, Period};
use crate::nodes::NodePlan;

/// What a time limit is for. Each kind names the rule that sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// REF-4: the parties submit their negotiated prices by the court's deadline (指定期限).
    Negotiation,
    /// REF-7: the institution answers the directed inquiry by the court's deadline.
    DirectedInquiry,
    /// REF-11: a platform delivers its report within 3 days of the request (REF-12: +3 days when extended).
    PlatformReport,
    /// REF-15: a platform corrects its report within 3 days when every report was defective.
    PlatformCorrection,
    /// REF-14: a platform reissues its report within 3 days after the result's validity lapsed.
    PlatformReissue,
    /// REF-19: the parties agree three agencies and their order by the court's deadline.
    AgencyAgreement,
    /// REF-22: the agency delivers its report within 30 days (REF-23 extensions and REF-34 suspensions added).
    AppraisalReport,
    /// REF-26: the agency explains or corrects its report within 3 days of the court's request.
    AgencyCorrection,
    /// REF-24: a failed agency returns the materials within 3 days.
    MaterialsReturn,
    /// REF-25: the original agency reissues its report within 15 days after the result's validity lapsed.
    AgencyReissue,
    /// REF-27: the court serves the report on the parties and interested persons within 3 days of receiving it.
    ReportService,
    /// REF-28: the court decides an objection within 15 days of receiving it.
    ObjectionDecision,
    /// REF-29: the court forwards a method objection to the agency within 3 days.
    ObjectionForwarding,
    /// REF-29: the agency explains in writing within 5 days.
    AgencyExplanation,
    /// REF-29: the industry association's technical review, by the court's deadline.
    IndustryReview,
    /// REF-16 / REF-32: the corrected result after an upheld objection or a negative industry review. The rules fix
    /// no period; 3 days, as for every other correction (REF-15, REF-26), is a DESIGN choice.
    ObjectionCorrection,
    /// REF-36: the disposal starts within 10 days of the reference price.
    DisposalStart,
    /// REF-33: the first auction announcement or the direct sell-off comes within the result's validity.
    Validity,
    /// REF-33: the auction or sell-off takes place at most 6 months after the validity ended.
    SaleGrace,
}

impl LimitKind {
    pub const ALL: [LimitKind; 19] = [
        LimitKind::Negotiation,
        LimitKind::DirectedInquiry,
        LimitKind::PlatformReport,
        LimitKind::PlatformCorrection,
        LimitKind::PlatformReissue,
        LimitKind::AgencyAgreement,
        LimitKind::AppraisalReport,
        LimitKind::AgencyCorrection,
        LimitKind::MaterialsReturn,
        LimitKind::AgencyReissue,
        LimitKind::ReportService,
        LimitKind::ObjectionDecision,
        LimitKind::ObjectionForwarding,
        LimitKind::AgencyExplanation,
        LimitKind::IndustryReview,
        LimitKind::ObjectionCorrection,
        LimitKind::DisposalStart,
        LimitKind::Validity,
        LimitKind::SaleGrace,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::Negotiation => "negotiation",
            LimitKind::DirectedInquiry => "directed_inquiry",
            LimitKind::PlatformReport => "platform_report",
            LimitKind::PlatformCorrection => "platform_correction",
            LimitKind::PlatformReissue => "platform_reissue",
            LimitKind::AgencyAgreement => "agency_agreement",
            LimitKind::AppraisalReport => "appraisal_report",
            LimitKind::AgencyCorrection => "agency_correction",
            LimitKind::MaterialsReturn => "materials_return",
            LimitKind::AgencyReissue => "agency_reissue",
            LimitKind::ReportService => "report_service",
            LimitKind::ObjectionDecision => "objection_decision",
            LimitKind::ObjectionForwarding => "objection_forwarding",
            LimitKind::AgencyExplanation => "agency_explanation",
            LimitKind::IndustryReview => "industry_review",
            LimitKind::ObjectionCorrection => "objection_correction",
            LimitKind::DisposalStart => "disposal_start",
            LimitKind::Validity => "validity",
            LimitKind::SaleGrace => "sale_grace",
        }
    }

    /// The rule that sets the limit; the node's `rule_id`.
    pub fn rule_id(self) -> &'static str {
        match self {
            LimitKind::Negotiation => "REF-4",
            LimitKind::DirectedInquiry => "REF-7",
            LimitKind::PlatformReport => "REF-11",
            LimitKind::PlatformCorrection => "REF-15",
            LimitKind::PlatformReissue => "REF-14",
            LimitKind::AgencyAgreement => "REF-19",
            LimitKind::AppraisalReport => "REF-22",
            LimitKind::AgencyCorrection => "REF-26",
            LimitKind::MaterialsReturn => "REF-24",
            LimitKind::AgencyReissue => "REF-25",
            LimitKind::ReportService => "REF-27",
            LimitKind::ObjectionDecision => "REF-28",
            LimitKind::ObjectionForwarding | LimitKind::AgencyExplanation | LimitKind::IndustryReview => "REF-29",
            LimitKind::ObjectionCorrection => "REF-32",
            LimitKind::DisposalStart => "REF-36",
            LimitKind::Validity | LimitKind::SaleGrace => "REF-33",
        }
    }

    /// The node's title, in Chinese with the English the staff pages show next to it.
    pub fn title(self) -> &'static str {
        match self {
            LimitKind::Negotiation => "当事人在指定期限内提交议价结果 (the parties submit their negotiated prices)",
            LimitKind::DirectedInquiry => "定向询价机构在指定期限内出具询价结果 (the institution answers the directed inquiry)",
            LimitKind::PlatformReport => "司法网络询价平台出具网络询价报告 (the platform delivers its online-inquiry report)",
            LimitKind::PlatformCorrection => "司法网络询价平台补正网络询价报告 (the platform corrects its report)",
            LimitKind::PlatformReissue => "司法网络询价平台重新出具网络询价报告 (the platform reissues its report)",
            LimitKind::AgencyAgreement => "当事人协商确定三家评估机构及顺序 (the parties agree three appraisal agencies and their order)",
            LimitKind::AppraisalReport => "评估机构出具评估报告 (the agency delivers its appraisal report)",
            LimitKind::AgencyCorrection => "评估机构书面说明或者补正 (the agency explains or corrects its report)",
            LimitKind::MaterialsReturn => "评估机构退回评估材料 (the replaced agency returns the materials)",
            LimitKind::AgencyReissue => "原评估机构重新出具评估报告 (the original agency reissues its report)",
            LimitKind::ReportService => "向当事人、利害关系人送达报告 (serve the report on the parties and interested persons)",
            LimitKind::ObjectionDecision => "审查处理异议 (decide the objection)",
            LimitKind::ObjectionForwarding => "将异议交评估机构书面说明 (forward the objection to the agency)",
            LimitKind::AgencyExplanation => "评估机构对异议作出书面说明 (the agency explains in writing)",
            LimitKind::IndustryReview => "行业协会组织专业技术评审 (the industry association's technical review)",
            LimitKind::ObjectionCorrection => "补正异议成立的结果 (the corrected result after the objection)",
            LimitKind::DisposalStart => "参考价确定后启动财产变价程序 (start the disposal after the reference price)",
            LimitKind::Validity => {
                "在参考价有效期内发布一拍公告或者进入变卖 (announce the first auction or start the sell-off within the validity)"
            }
            LimitKind::SaleGrace => "拍卖、变卖时未超过有效期六个月 (auction or sell within 6 months after the validity)",
        }
    }

    /// The event that starts the period, as the node records it.
    pub fn trigger_event(self) -> &'static str {
        match self {
            LimitKind::Negotiation => "negotiation_opened",
            LimitKind::DirectedInquiry => "directed_inquiry_sent",
            LimitKind::PlatformReport => "online_inquiry_sent",
            LimitKind::PlatformCorrection => "correction_requested",
            LimitKind::PlatformReissue | LimitKind::AgencyReissue => "reissue_requested",
            LimitKind::AgencyAgreement => "appraisal_opened",
            LimitKind::AppraisalReport => "agency_commissioned",
            LimitKind::AgencyCorrection => "report_reviewed",
            LimitKind::MaterialsReturn => "agency_replaced",
            LimitKind::ReportService => "report_received",
            LimitKind::ObjectionDecision | LimitKind::ObjectionForwarding => "objection_received",
            LimitKind::AgencyExplanation => "objection_forwarded",
            LimitKind::IndustryReview => "industry_review_referred",
            LimitKind::ObjectionCorrection => "correction_ordered",
            LimitKind::DisposalStart => "reference_price_fixed",
            LimitKind::Validity => "result_reported",
            LimitKind::SaleGrace => "validity_ended",
        }
    }

    /// How many working days ahead the `upcoming` alert is raised. Short limits warn one working day ahead (node
    /// dates never put the reminder on or before the trigger day); the engine may override these defaults.
    pub fn lead_working_days(self) -> u32 {
        match self {
            LimitKind::AppraisalReport | LimitKind::DisposalStart | LimitKind::AgencyReissue | LimitKind::IndustryReview => 3,
            LimitKind::Validity | LimitKind::SaleGrace => 20,
            LimitKind::Negotiation
            | LimitKind::DirectedInquiry
            | LimitKind::PlatformReport
            | LimitKind::PlatformCorrection
            | LimitKind::PlatformReissue
            | LimitKind::AgencyAgreement
            | LimitKind::AgencyCorrection
            | LimitKind::MaterialsReturn
            | LimitKind::ReportService
            | LimitKind::ObjectionDecision
            | LimitKind::ObjectionForwarding
            | LimitKind::AgencyExplanation
            | LimitKind::ObjectionCorrection => 1,
        }
    }
}

/// The stable name of one node of one asset's valuation: the limit's kind and, where a kind can be open several
/// times at once, its subject (`platform_report:jd`, `objection_decision:3`). Unique among the open nodes of an
/// asset; the engine keeps it next to the node so that later effects find it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeKey(pub String);

impl fmt::Display for NodeKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// One time limit: what it is for, what started it, its period and its last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimit {
    pub kind: LimitKind,
    /// The platform, agency, recipient or objection the limit is about, where there can be several.
    pub subject: Option<String>,
    pub trigger_date: NaiveDate,
    /// The period counted from the trigger, extensions and suspended days included (REF-12, REF-22, REF-23).
    pub period: Period,
    /// The last day (PER-1/PER-2, PER-4), as the legal calendar computes it.
    pub due_date: NaiveDate,
}

/// The longest court-set deadline accepted (指定期限). The rules fix none; a year keeps a typing error from
/// creating a node decades away.
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

    /// A limit the court sets by date (指定期限): the period is the number of days from today to that date, so the
    /// node explains itself like any other, and PER-1 moves a deadline that falls on a rest day. The caller has
    /// checked that `deadline` lies 1 to `COURT_SET_DAYS_MAX` days after today.
    pub(crate) fn court_set(kind: LimitKind, subject: Option<String>, today: NaiveDate, deadline: NaiveDate, calendar: &Calendar) -> Self {
        let days = u32::try_from((deadline - today).num_days())
            .unwrap_or(1)
            .clamp(1, COURT_SET_DAYS_MAX);
        TimeLimit::start(kind, subject, today, Period::Days(days), calendar)
    }

    pub fn key(&self) -> NodeKey {
        match &self.subject {
            Some(subject) => NodeKey(format!("{}:{subject}", self.kind.as_str())),
            None => NodeKey(self.kind.as_str().to_string()),
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

    /// A granted extension (REF-12: "延期三日"; REF-23: "每次不超过十五日"): `days` more calendar days counted
    /// from the current last day, which becomes the new trigger, then PER-1 moves the new end off a rest day. Counting
    /// from the original trigger instead would let a holiday that had already moved the last day swallow the
    /// extension (a due date moved from 10-03 to 10-09 by National Day would gain nothing from 3 more days).
    pub(crate) fn extend_from_due(&mut self, days: u32, calendar: &Calendar) {
        if days == 0 {
            return;
        }
        self.trigger_date = self.due_date;
        self.period = Period::Days(days);
        self.due_date = calendar.due_date(self.trigger_date, self.period);
    }

    /// Lengthens the period by `days` calendar days and recomputes the last day: the days of a suspension
    /// (REF-22, REF-34, PER-8), which are deducted from the period as if it had not run while suspended. The days are added to the period rather than to
    /// the last day, so PER-1 moves only the new end off a rest day, as it would for a period that long from the
    /// start. A month period keeps its length and starts `days` later instead.
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

/// A limit that is open after a transition, and whether it is paused by a suspension (REF-34).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLimit {
    pub limit: TimeLimit,
    pub paused: bool,
}

/// Who a notice is for. The outbox delivers it; the domain only says what and to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "audience", content = "id")]
pub enum Audience {
    /// The staff running the procedure.
    Staff,
    /// The judge or panel, where the law reserves the decision.
    Judge,
    /// Every party and interested person of the valuation.
    Parties,
    /// One platform or agency.
    Provider(String),
}

/// A message the outbox should deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub audience: Audience,
    pub rule: String,
    pub message: String,
}

/// What the engine must do besides storing the new state and the event, in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A new deadline node. `due_date` is what `plan.dates(calendar)` will give; it is here for readers and tests.
    CreateNode {
        key: NodeKey,
        plan: NodePlan,
        due_date: NaiveDate,
    },
    /// The open node `key` now has this plan (an extension, or a new trigger).
    RescheduleNode {
        key: NodeKey,
        plan: NodePlan,
        due_date: NaiveDate,
    },
    /// The node stops alerting while the procedure is suspended (REF-34).
    PauseNode {
        key: NodeKey,
    },
    /// The node runs again with its period lengthened by the suspended days (REF-22, REF-34, PER-8).
    ResumeNode {
        key: NodeKey,
        plan: NodePlan,
        due_date: NaiveDate,
        paused_days: u32,
    },
    /// What the node waited for has happened.
    MeetNode {
        key: NodeKey,
    },
    /// The node is no longer needed: the method failed or moved on, the procedure was withdrawn (REF-35).
    CancelNode {
        key: NodeKey,
    },
    /// Every open node of this rule on the asset, for nodes the engine created itself (REF-1 at seizure).
    MeetNodes {
        rule_id: &'static str,
    },
    Notify(Notice),
}

/// One open time limit as the node store sees it: its key, plan and last day, and whether a suspension pauses it.
/// Every lifecycle (valuation, disposal, ledger) turns its own limits into these, so one function decides the node
/// effects for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrackedLimit {
    pub key: NodeKey,
    pub plan: NodePlan,
    pub due_date: NaiveDate,
    pub paused: bool,
}

/// The node effects between two sets of open limits. Limits that closed are met when the transition said so,
/// cancelled otherwise; a limit whose plan or last day changed is rescheduled, one that a suspension released is
/// resumed with the paused days. Effects come in key order, so a transition always yields the same list.
pub(crate) fn effects_between(
    before: Vec<TrackedLimit>,
    after: Vec<TrackedLimit>,
    met: &BTreeSet<NodeKey>,
    paused_days: u32,
) -> Vec<Effect> {
    let before: BTreeMap<NodeKey, TrackedLimit> = before.into_iter().map(|open| (open.key.clone(), open)).collect();
    let after: BTreeMap<NodeKey, TrackedLimit> = after.into_iter().map(|open| (open.key.clone(), open)).collect();
    let mut effects = Vec::new();
    for key in before.keys() {
        if !after.contains_key(key) {
            if met.contains(key) {
                effects.push(Effect::MeetNode { key: key.clone() });
            } else {
                effects.push(Effect::CancelNode { key: key.clone() });
            }
        }
    }
    for (key, new) in after {
        match before.get(&key) {
            None => effects.push(Effect::CreateNode {
                key,
                plan: new.plan,
                due_date: new.due_date,
            }),
            Some(old) if old.paused && !new.paused => effects.push(Effect::ResumeNode {
                key,
                plan: new.plan,
                due_date: new.due_date,
                paused_days,
            }),
            Some(old) if !old.paused && new.paused => effects.push(Effect::PauseNode { key }),
            Some(old) if old.plan != new.plan || old.due_date != new.due_date => effects.push(Effect::RescheduleNode {
                key,
                plan: new.plan,
                due_date: new.due_date,
            }),
            Some(_) => {}
        }
    }
    effects
}

/// The valuation's node effects (see `effects_between`).
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
