//! Service of reports and objections (REF-27 … REF-30), shared by online inquiry and appraisal, and the transitions
//! that act on whichever report is under review: `serve_report`, `file_objection`, the steps of an objection, and
//! `fix_reference_price`.
//!
//! An objection to an online report goes to the court's decision (REF-28). An objection to an appraisal report is
//! routed by its grounds (REF-28, REF-29):
//! - any ground (3) or (4) (qualification, seriously unlawful procedure), or only grounds (1)–(2): the court decides
//!   within 15 days. Upheld on (3)/(4), the agency is replaced (the next in order appraises afresh); upheld on
//!   (1)/(2) only, the agency corrects. Rejected, an objection that also names method grounds continues as below;
//! - method grounds (reference standard, calculation method, result), alone or with (1)–(2): forwarded to the
//!   agency within 3 days, explained within 5; not explained in time, or still disputed, the industry association
//!   reviews it by the court's deadline; a negative conclusion orders a correction, otherwise the result stands
//!   (REF-32).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::ValuationError;
use super::limits::{LimitKind, TimeLimit, COURT_SET_DAYS_MAX};
use super::online::OnlinePhase;
use super::price::PriceOrigin;
use super::{Command, Outcome, Stage, Transition, Valuation};
use crate::calendar::{Calendar, Period};
use crate::money::Money;

/// REF-27: the court serves a report within 3 days of receiving it.
pub const SERVICE_DAYS: u32 = 3;
/// REF-27: a published report is deemed received when it has been published for 15 days.
pub const PUBLICATION_DAYS: u32 = 15;
/// REF-28, REF-29: objections within 5 days of receiving the report.
pub const OBJECTION_DAYS: u32 = 5;
/// REF-28 (民诉法 art 236): the court decides within 15 days.
pub const DECISION_DAYS: u32 = 15;
/// REF-29: the court forwards a method objection within 3 days.
pub const FORWARDING_DAYS: u32 = 3;
/// REF-29: the agency explains within 5 days.
pub const EXPLANATION_DAYS: u32 = 5;
/// REF-16 / REF-32: the corrected result after an upheld objection (DESIGN, as REF-15 and REF-26).
pub const CORRECTION_DAYS: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMeans {
    /// 送达
    Delivered,
    /// 在中国执行信息公开网上公示 (when the person cannot be served)
    Published,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Served {
    pub on: NaiveDate,
    pub means: ServiceMeans,
    /// The day the report counts as received: the day of delivery, or 15 days after publication (REF-27).
    pub received_on: NaiveDate,
    /// The last day to object (REF-28, REF-29).
    pub objection_due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientService {
    pub recipient: String,
    pub served: Option<Served>,
}

/// REF-27: serving one report on every party and interested person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// The day the court received the report (or, for online inquiry, closed the window that decided which
    /// reports count; see `OnlineInquiry`).
    pub received_on: NaiveDate,
    pub limit: TimeLimit,
    pub recipients: Vec<RecipientService>,
}

impl Service {
    pub(crate) fn new(received_on: NaiveDate, recipients: &[String], calendar: &Calendar) -> Service {
        Service {
            received_on,
            limit: TimeLimit::start(LimitKind::ReportService, None, received_on, Period::Days(SERVICE_DAYS), calendar),
            recipients: recipients
                .iter()
                .map(|recipient| RecipientService {
                    recipient: recipient.clone(),
                    served: None,
                })
                .collect(),
        }
    }

    pub fn is_complete(&self) -> bool {
        self.recipients.iter().all(|recipient| recipient.served.is_some())
    }

    pub fn any_served(&self) -> bool {
        self.recipients.iter().any(|recipient| recipient.served.is_some())
    }

    /// The last day anyone may object, once everyone is served.
    pub fn last_objection_due(&self) -> Option<NaiveDate> {
        let dues: Option<Vec<NaiveDate>> = self
            .recipients
            .iter()
            .map(|recipient| recipient.served.as_ref().map(|served| served.objection_due))
            .collect();
        dues.and_then(|dues| dues.into_iter().max())
    }

    pub fn objection_due_of(&self, recipient: &str) -> Option<NaiveDate> {
        self.recipients
            .iter()
            .find(|entry| entry.recipient == recipient)
            .and_then(|entry| entry.served.as_ref())
            .map(|served| served.objection_due)
    }

    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        if !self.is_complete() {
            visit(&mut self.limit);
        }
    }

    /// Checks, in order: a known recipient (`unknown_recipient`, REF-27); not served yet
    /// (`recipient_already_served`, REF-27).
    fn serve(&mut self, command: &ServeReport, today: NaiveDate, calendar: &Calendar) -> Result<Served, ValuationError> {
        let Some(entry) = self.recipients.iter_mut().find(|entry| entry.recipient == command.recipient) else {
            return Err(ValuationError::UnknownRecipient {
                recipient: command.recipient.clone(),
                rule: "REF-27",
            });
        };
        if entry.served.is_some() {
            return Err(ValuationError::RecipientAlreadyServed {
                recipient: command.recipient.clone(),
            });
        }
        let received_on = match command.means {
            ServiceMeans::Delivered => today,
            // REF-27: "公示满十五日即视为收到"; the 15 days are a period like any other (PER-1, PER-9).
            ServiceMeans::Published => calendar.due_date(today, Period::Days(PUBLICATION_DAYS)),
        };
        let served = Served {
            on: today,
            means: command.means,
            received_on,
            objection_due: calendar.due_date(received_on, Period::Days(OBJECTION_DAYS)),
        };
        entry.served = Some(served.clone());
        Ok(served)
    }

    /// The checks every conclusion shares: everyone served (`service_incomplete`, REF-27), every objection period
    /// over (`objection_window_open`, REF-28).
    fn check_closed(&self, today: NaiveDate) -> Result<(), ValuationError> {
        if let Some(entry) = self.recipients.iter().find(|entry| entry.served.is_none()) {
            return Err(ValuationError::ServiceIncomplete {
                recipient: entry.recipient.clone(),
            });
        }
        if let Some(until) = self.last_objection_due() {
            if today <= until {
                return Err(ValuationError::ObjectionWindowOpen { until });
            }
        }
        Ok(())
    }
}

/// The grounds of an objection: the four of REF-28 (art 22) and the method grounds of REF-29 (art 23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionGround {
    /// (1) 财产基本信息错误
    WrongBasicFacts,
    /// (2) 超出财产范围或者遗漏财产
    WrongScope,
    /// (3) 评估机构或者评估人员不具备相应评估资质
    AgencyNotQualified,
    /// (4) 评估程序严重违法
    ProcedureSeriouslyUnlawful,
    /// REF-29: 参照标准
    ReferenceStandard,
    /// REF-29: 计算方法
    CalculationMethod,
    /// REF-29: 评估结果
    AppraisalResult,
}

impl ObjectionGround {
    fn is_procedural(self) -> bool {
        matches!(
            self,
            ObjectionGround::AgencyNotQualified | ObjectionGround::ProcedureSeriouslyUnlawful
        )
    }

    fn is_method(self) -> bool {
        matches!(
            self,
            ObjectionGround::ReferenceStandard | ObjectionGround::CalculationMethod | ObjectionGround::AppraisalResult
        )
    }

    /// Grounds (3), (4) and the method grounds concern an appraisal; an online report can be objected to only for
    /// its facts or its scope (DESIGN reading of art 22, whose (3) and (4) name agencies and appraisal procedure).
    fn applies_to_online_report(self) -> bool {
        matches!(self, ObjectionGround::WrongBasicFacts | ObjectionGround::WrongScope)
    }
}

/// What an objection is against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "target", rename_all = "snake_case")]
pub enum ObjectionTarget {
    OnlineReport {
        platform: String,
    },
    AppraisalReport,
    /// REF-30: not accepted.
    Correction,
    /// REF-30: not accepted.
    Explanation,
    /// REF-30: not accepted.
    IndustryReviewConclusion,
}

/// Where an objection stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ObjectionStatus {
    /// REF-28: the court decides within 15 days.
    AwaitingDecision {
        limit: TimeLimit,
    },
    /// REF-29: the court forwards it to the agency within 3 days.
    AwaitingForwarding {
        limit: TimeLimit,
    },
    /// REF-29: the agency explains within 5 days.
    AwaitingExplanation {
        limit: TimeLimit,
    },
    /// REF-29: the agency's explanation came late or did not satisfy; the court refers it to the industry review.
    ExplanationDisputed {
        since: NaiveDate,
    },
    /// REF-29: the industry association reviews it by the court's deadline.
    InIndustryReview {
        limit: TimeLimit,
    },
    /// REF-16 / REF-32: upheld, or the review was negative; the corrected result is awaited.
    AwaitingCorrection {
        limit: TimeLimit,
    },
    Rejected {
        on: NaiveDate,
    },
    /// The explanation satisfied the objector, or the industry review confirmed the result (REF-32).
    Settled {
        on: NaiveDate,
    },
    Corrected {
        on: NaiveDate,
        amount: Money,
    },
    /// REF-29: upheld on grounds (3)/(4); the next agency appraises afresh.
    AgencyReplaced {
        on: NaiveDate,
    },
    /// Online: the platform never sent the corrected result; its result is left out (REF-16, DESIGN).
    Uncorrected {
        on: NaiveDate,
    },
    /// No longer decides anything: REF-16 averages the reports nobody objected to, or the report was replaced.
    Moot {
        on: NaiveDate,
    },
}

impl ObjectionStatus {
    pub fn is_open(&self) -> bool {
        match self {
            ObjectionStatus::AwaitingDecision { .. }
            | ObjectionStatus::AwaitingForwarding { .. }
            | ObjectionStatus::AwaitingExplanation { .. }
            | ObjectionStatus::ExplanationDisputed { .. }
            | ObjectionStatus::InIndustryReview { .. }
            | ObjectionStatus::AwaitingCorrection { .. } => true,
            ObjectionStatus::Rejected { .. }
            | ObjectionStatus::Settled { .. }
            | ObjectionStatus::Corrected { .. }
            | ObjectionStatus::AgencyReplaced { .. }
            | ObjectionStatus::Uncorrected { .. }
            | ObjectionStatus::Moot { .. } => false,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            ObjectionStatus::AwaitingDecision { .. } => "awaiting_decision",
            ObjectionStatus::AwaitingForwarding { .. } => "awaiting_forwarding",
            ObjectionStatus::AwaitingExplanation { .. } => "awaiting_explanation",
            ObjectionStatus::ExplanationDisputed { .. } => "explanation_disputed",
            ObjectionStatus::InIndustryReview { .. } => "in_industry_review",
            ObjectionStatus::AwaitingCorrection { .. } => "awaiting_correction",
            ObjectionStatus::Rejected { .. } => "rejected",
            ObjectionStatus::Settled { .. } => "settled",
            ObjectionStatus::Corrected { .. } => "corrected",
            ObjectionStatus::AgencyReplaced { .. } => "agency_replaced",
            ObjectionStatus::Uncorrected { .. } => "uncorrected",
            ObjectionStatus::Moot { .. } => "moot",
        }
    }

    fn limit_mut(&mut self) -> Option<&mut TimeLimit> {
        match self {
            ObjectionStatus::AwaitingDecision { limit }
            | ObjectionStatus::AwaitingForwarding { limit }
            | ObjectionStatus::AwaitingExplanation { limit }
            | ObjectionStatus::InIndustryReview { limit }
            | ObjectionStatus::AwaitingCorrection { limit } => Some(limit),
            ObjectionStatus::ExplanationDisputed { .. }
            | ObjectionStatus::Rejected { .. }
            | ObjectionStatus::Settled { .. }
            | ObjectionStatus::Corrected { .. }
            | ObjectionStatus::AgencyReplaced { .. }
            | ObjectionStatus::Uncorrected { .. }
            | ObjectionStatus::Moot { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub id: u32,
    pub objector: String,
    pub target: ObjectionTarget,
    pub grounds: Vec<ObjectionGround>,
    /// The filing date: the postmark for a posted objection (PER-7), else the day it was received.
    pub filed_on: NaiveDate,
    pub received_on: NaiveDate,
    pub status: ObjectionStatus,
}

impl Objection {
    pub fn is_procedural(&self) -> bool {
        self.grounds.iter().any(|ground| ground.is_procedural())
    }

    pub fn has_method_grounds(&self) -> bool {
        self.grounds.iter().any(|ground| ground.is_method())
    }

    pub fn platform(&self) -> Option<&str> {
        match &self.target {
            ObjectionTarget::OnlineReport { platform } => Some(platform),
            ObjectionTarget::AppraisalReport
            | ObjectionTarget::Correction
            | ObjectionTarget::Explanation
            | ObjectionTarget::IndustryReviewConclusion => None,
        }
    }
}

/// A report (or, for online inquiry, the set of valid reports) under review: its service and its objections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub service: Service,
    pub objections: Vec<Objection>,
}

/// Which report a review is about, for the checks that differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReviewedReport {
    Online { valid: Vec<String> },
    Appraisal,
}

/// What a decision on an objection requires of the stage around the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecisionConsequence {
    None,
    /// REF-29: upheld on grounds (3)/(4); the next agency appraises afresh.
    ReplaceAgency,
}

impl Review {
    pub(crate) fn new(received_on: NaiveDate, recipients: &[String], calendar: &Calendar) -> Review {
        Review {
            service: Service::new(received_on, recipients, calendar),
            objections: Vec::new(),
        }
    }

    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        self.service.for_each_open_limit(visit);
        for objection in &mut self.objections {
            if let Some(limit) = objection.status.limit_mut() {
                visit(limit);
            }
        }
    }

    pub fn open_objections(&self) -> Vec<u32> {
        self.objections
            .iter()
            .filter(|objection| objection.status.is_open())
            .map(|objection| objection.id)
            .collect()
    }

    /// The conclusion's checks for an appraisal: service and periods over, then no open objection
    /// (`objections_pending`, REF-28).
    pub(crate) fn check_concluded(&self, today: NaiveDate) -> Result<(), ValuationError> {
        self.service.check_closed(today)?;
        let open = self.open_objections();
        if !open.is_empty() {
            return Err(ValuationError::ObjectionsPending { objections: open });
        }
        Ok(())
    }

    pub(crate) fn check_closed(&self, today: NaiveDate) -> Result<(), ValuationError> {
        self.service.check_closed(today)
    }

    /// Marks every open objection moot (the report it targets no longer decides the price).
    pub(crate) fn make_moot(&mut self, today: NaiveDate, only: impl Fn(&Objection) -> bool) -> Vec<u32> {
        let mut moot = Vec::new();
        for objection in &mut self.objections {
            if objection.status.is_open() && only(objection) {
                objection.status = ObjectionStatus::Moot { on: today };
                moot.push(objection.id);
            }
        }
        moot
    }

    fn objection_mut(&mut self, id: u32, rule: &'static str) -> Result<&mut Objection, ValuationError> {
        self.objections
            .iter_mut()
            .find(|objection| objection.id == id && objection.status.is_open())
            .ok_or(ValuationError::ObjectionUnknown { objection: id, rule })
    }

    /// Files an objection. Checks, in order: a known objector (`unknown_recipient`, REF-28); not against a
    /// correction, explanation or review conclusion (`objection_against_conclusion`, REF-30); at least one ground
    /// (`objection_grounds_missing`, REF-28); a report under this review (`objection_target_unknown`, REF-28);
    /// grounds that fit the report (`objection_ground_not_allowed`, REF-28); a postmark not after today
    /// (`postmark_after_today`, PER-7); within 5 days of receipt (`objection_late`, REF-30); no open objection of
    /// the same objector to the same report (`objection_exists`, REF-28).
    fn file(
        &mut self,
        id: u32,
        command: &FileObjection,
        report: &ReviewedReport,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<&'static str, ValuationError> {
        if !self.service.recipients.iter().any(|entry| entry.recipient == command.objector) {
            return Err(ValuationError::UnknownRecipient {
                recipient: command.objector.clone(),
                rule: "REF-28",
            });
        }
        match &command.target {
            ObjectionTarget::Correction | ObjectionTarget::Explanation | ObjectionTarget::IndustryReviewConclusion => {
                return Err(ValuationError::ObjectionAgainstConclusion {
                    target: command.target.clone(),
                })
            }
            ObjectionTarget::OnlineReport { .. } | ObjectionTarget::AppraisalReport => {}
        }
        if command.grounds.is_empty() {
            return Err(ValuationError::ObjectionGroundsMissing);
        }
        let target_known = match (report, &command.target) {
            (ReviewedReport::Online { valid }, ObjectionTarget::OnlineReport { platform }) => valid.contains(platform),
            (ReviewedReport::Appraisal, ObjectionTarget::AppraisalReport) => true,
            _ => false,
        };
        if !target_known {
            return Err(ValuationError::ObjectionTargetUnknown);
        }
        if let ReviewedReport::Online { .. } = report {
            if let Some(ground) = command.grounds.iter().find(|ground| !ground.applies_to_online_report()) {
                return Err(ValuationError::ObjectionGroundNotAllowed { ground: *ground });
            }
        }
        if command.postmarked_on.is_some_and(|postmark| postmark > today) {
            return Err(ValuationError::PostmarkAfterToday);
        }
        // PER-7: a posted objection is on time when its postmark is.
        let filed_on = command.postmarked_on.unwrap_or(today);
        if let Some(due) = self.service.objection_due_of(&command.objector) {
            if filed_on > due {
                return Err(ValuationError::ObjectionLate { due });
            }
        }
        if let Some(existing) = self
            .objections
            .iter()
            .find(|objection| objection.status.is_open() && objection.objector == command.objector && objection.target == command.target)
        {
            return Err(ValuationError::ObjectionExists { objection: existing.id });
        }
        let mut grounds = command.grounds.clone();
        grounds.sort();
        grounds.dedup();
        let subject = Some(id.to_string());
        let procedural = grounds.iter().any(|ground| ground.is_procedural());
        let method = grounds.iter().any(|ground| ground.is_method());
        let status = match report {
            ReviewedReport::Appraisal if method && !procedural => ObjectionStatus::AwaitingForwarding {
                limit: TimeLimit::start(
                    LimitKind::ObjectionForwarding,
                    subject,
                    today,
                    Period::Days(FORWARDING_DAYS),
                    calendar,
                ),
            },
            ReviewedReport::Appraisal | ReviewedReport::Online { .. } => ObjectionStatus::AwaitingDecision {
                limit: TimeLimit::start(LimitKind::ObjectionDecision, subject, today, Period::Days(DECISION_DAYS), calendar),
            },
        };
        let name = status.name();
        self.objections.push(Objection {
            id,
            objector: command.objector.clone(),
            target: command.target.clone(),
            grounds,
            filed_on,
            received_on: today,
            status,
        });
        Ok(name)
    }
}

/// Serve the report under review on one party or interested person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServeReport {
    pub recipient: String,
    pub means: ServiceMeans,
}

/// A written objection to a report (REF-28, REF-29).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileObjection {
    pub objector: String,
    pub target: ObjectionTarget,
    pub grounds: Vec<ObjectionGround>,
    /// The postmark, for an objection sent by post (PER-7).
    #[serde(default, deserialize_with = "crate::date::strict_option")]
    pub postmarked_on: Option<NaiveDate>,
}

/// REF-28: the court upholds or rejects an objection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideObjection {
    pub objection: u32,
    pub upheld: bool,
}

/// REF-29: the court forwards a method objection to the agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardObjection {
    pub objection: u32,
}

/// REF-29: the agency's written explanation, and whether the objector accepts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordAgencyExplanation {
    pub objection: u32,
    pub objector_accepts: bool,
}

/// REF-29: the court refers the objection to the industry association's technical review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferToIndustryReview {
    pub objection: u32,
    /// The court's deadline for the review (指定期限).
    #[serde(deserialize_with = "crate::date::strict")]
    pub deadline: NaiveDate,
}

/// REF-29: the industry review's conclusion: the result stands, or the original agency must correct it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordIndustryReview {
    pub objection: u32,
    pub correction_ordered: bool,
}

/// REF-16 / REF-32: the corrected result after an upheld objection or a negative review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCorrectedResult {
    pub objection: u32,
    pub amount: Money,
}

/// Conclude the review: the reference price by REF-16 (online) or REF-32 (appraisal).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FixReferencePrice {}

/// Where the report under review lives, found by an exhaustive walk over the stages.
enum ReviewSite<'a> {
    Online(&'a mut Review, Vec<String>),
    Appraisal(&'a mut Review),
    /// A directed-inquiry price: served, never objected to (REF-5).
    DirectedService(&'a mut Service),
    /// A price fixed after its review, whose objection periods are over.
    ClosedReview(Option<&'a Service>),
    /// A negotiated or agreed price: nothing to serve or object to (REF-5).
    NoReport(super::facts::Method),
    None,
}

/// REF-34, REF-28: lengthens every objection period still running on the day of the suspension by the days the
/// procedure was suspended, counted from its old last day (PER-1 moves the new end off a rest day), so a
/// suspension never takes away a party's right to object.
pub(crate) fn extend_objection_periods(stage: &mut Stage, suspended_on: NaiveDate, paused_days: u32, calendar: &Calendar) {
    if paused_days == 0 {
        return;
    }
    let service = match stage {
        Stage::OnlineInquiry(inquiry) => match &mut inquiry.phase {
            OnlinePhase::Reviewing { review, .. } => Some(&mut review.service),
            OnlinePhase::AwaitingReports | OnlinePhase::Correcting => None,
        },
        Stage::Appraisal(appraisal) => appraisal.review_mut().map(|review| &mut review.service),
        Stage::ChoosingMethod
        | Stage::Negotiation(_)
        | Stage::DirectedInquiry(_)
        | Stage::Suspended(_)
        | Stage::Fixed(_)
        | Stage::Withdrawn(_) => None,
    };
    for entry in service.into_iter().flat_map(|service| service.recipients.iter_mut()) {
        if let Some(served) = &mut entry.served {
            if served.objection_due >= suspended_on {
                served.objection_due = calendar.due_date(served.objection_due, Period::Days(paused_days));
            }
        }
    }
}

fn review_site(stage: &mut Stage) -> ReviewSite<'_> {
    match stage {
        Stage::OnlineInquiry(inquiry) => match &mut inquiry.phase {
            OnlinePhase::Reviewing { valid, review } => ReviewSite::Online(review, valid.clone()),
            OnlinePhase::AwaitingReports | OnlinePhase::Correcting => ReviewSite::None,
        },
        Stage::Appraisal(appraisal) => match appraisal.review_mut() {
            Some(review) => ReviewSite::Appraisal(review),
            None => ReviewSite::None,
        },
        Stage::Fixed(fixed) => match &mut fixed.origin {
            PriceOrigin::DirectedInquiry { service, .. } => ReviewSite::DirectedService(service),
            PriceOrigin::OnlineInquiry { inquiry } => match &inquiry.phase {
                OnlinePhase::Reviewing { review, .. } => ReviewSite::ClosedReview(Some(&review.service)),
                OnlinePhase::AwaitingReports | OnlinePhase::Correcting => ReviewSite::ClosedReview(None),
            },
            PriceOrigin::Appraisal { appraisal } => ReviewSite::ClosedReview(appraisal.review_mut().map(|review| &review.service)),
            PriceOrigin::Negotiation => ReviewSite::NoReport(super::facts::Method::Negotiation),
            PriceOrigin::AgreedDuringProcedure { .. } => ReviewSite::NoReport(super::facts::Method::Negotiation),
        },
        Stage::ChoosingMethod | Stage::Negotiation(_) | Stage::DirectedInquiry(_) | Stage::Suspended(_) | Stage::Withdrawn(_) => {
            ReviewSite::None
        }
    }
}

impl Valuation {
    /// REF-27: serves the report under review (or a directed-inquiry report after its price) on one person,
    /// delivered or published. The service node is met when everyone is served.
    ///
    /// Checks, in order: the date; a report to serve (`out_of_order`, REF-27); then `Service::serve`'s checks.
    pub fn serve_report(mut self, command: ServeReport, today: NaiveDate, calendar: &Calendar) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::ServeReport(command.clone()))?;
        let stage = self.stage.name();
        let service = match review_site(&mut self.stage) {
            ReviewSite::Online(review, _) | ReviewSite::Appraisal(review) => &mut review.service,
            ReviewSite::DirectedService(service) => service,
            ReviewSite::ClosedReview(_) | ReviewSite::NoReport(_) | ReviewSite::None => {
                return Err(ValuationError::out_of_order("serve_report", stage, "REF-27"))
            }
        };
        let served = service.serve(&command, today, calendar)?;
        if service.is_complete() {
            draft.meet(service.limit.key());
        }
        draft.outcome(Outcome::RecipientServed {
            recipient: command.recipient,
            received_on: served.received_on,
            objection_due: served.objection_due,
        });
        Ok(draft.finish(self))
    }

    /// REF-28 / REF-29: a written objection to the report under review.
    ///
    /// Checks, in order: the date; a negotiated or directed price (`objection_not_accepted_for_method`, REF-5); a
    /// price fixed after its objection periods (`objection_late`, REF-30); a report under review (`out_of_order`,
    /// REF-28); then `Review::file`'s checks.
    pub fn file_objection(mut self, command: FileObjection, today: NaiveDate, calendar: &Calendar) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::FileObjection(command.clone()))?;
        let stage = self.stage.name();
        let id = self.next_objection_id;
        let route = match review_site(&mut self.stage) {
            ReviewSite::DirectedService(_) => {
                return Err(ValuationError::ObjectionNotAcceptedForMethod {
                    method: super::facts::Method::DirectedInquiry,
                })
            }
            ReviewSite::NoReport(method) => return Err(ValuationError::ObjectionNotAcceptedForMethod { method }),
            ReviewSite::ClosedReview(service) => {
                let due = service
                    .and_then(|service| service.objection_due_of(&command.objector))
                    .unwrap_or(today);
                return Err(ValuationError::ObjectionLate { due });
            }
            ReviewSite::None => return Err(ValuationError::out_of_order("file_objection", stage, "REF-28")),
            ReviewSite::Online(review, valid) => review.file(id, &command, &ReviewedReport::Online { valid }, today, calendar)?,
            ReviewSite::Appraisal(review) => review.file(id, &command, &ReviewedReport::Appraisal, today, calendar)?,
        };
        self.next_objection_id += 1;
        draft.outcome(Outcome::ObjectionStep {
            objection: id,
            status: route.to_string(),
        });
        Ok(draft.finish(self))
    }

    /// REF-28: the court's decision. Online: upheld, the platform corrects its result (REF-16); rejected, the
    /// result stands. Appraisal: see the module's documentation.
    ///
    /// Checks, in order: the date; a report under review (`out_of_order`, REF-28); an open objection with that id
    /// (`objection_unknown`, REF-28); waiting for a decision (`objection_not_at_step`, REF-28).
    pub fn decide_objection(
        mut self,
        command: DecideObjection,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::DecideObjection(command.clone()))?;
        let stage = self.stage.name();
        let (review, online) = match review_site(&mut self.stage) {
            ReviewSite::Online(review, _) => (review, true),
            ReviewSite::Appraisal(review) => (review, false),
            ReviewSite::DirectedService(_) | ReviewSite::ClosedReview(_) | ReviewSite::NoReport(_) | ReviewSite::None => {
                return Err(ValuationError::out_of_order("decide_objection", stage, "REF-28"))
            }
        };
        let objection = review.objection_mut(command.objection, "REF-28")?;
        let ObjectionStatus::AwaitingDecision { limit } = &objection.status else {
            return Err(ValuationError::ObjectionNotAtStep {
                objection: command.objection,
                step: "decision",
                rule: "REF-28",
            });
        };
        draft.meet(limit.key());
        let subject = Some(objection.id.to_string());
        let correction = |calendar: &Calendar| ObjectionStatus::AwaitingCorrection {
            limit: TimeLimit::start(
                LimitKind::ObjectionCorrection,
                subject.clone(),
                today,
                Period::Days(CORRECTION_DAYS),
                calendar,
            ),
        };
        let mut consequence = DecisionConsequence::None;
        objection.status = match (command.upheld, online) {
            (false, true) => ObjectionStatus::Rejected { on: today },
            (true, true) => correction(calendar),
            (true, false) if objection.is_procedural() => {
                consequence = DecisionConsequence::ReplaceAgency;
                ObjectionStatus::AgencyReplaced { on: today }
            }
            (true, false) => correction(calendar),
            (false, false) if objection.has_method_grounds() => ObjectionStatus::AwaitingForwarding {
                limit: TimeLimit::start(
                    LimitKind::ObjectionForwarding,
                    subject.clone(),
                    today,
                    Period::Days(FORWARDING_DAYS),
                    calendar,
                ),
            },
            (false, false) => ObjectionStatus::Rejected { on: today },
        };
        draft.outcome(Outcome::ObjectionStep {
            objection: command.objection,
            status: objection.status.name().to_string(),
        });
        if consequence == DecisionConsequence::ReplaceAgency {
            let moot = review.make_moot(today, |_| true);
            if !moot.is_empty() {
                draft.outcome(Outcome::ObjectionsMoot { objections: moot });
            }
            if let Stage::Appraisal(appraisal) = &mut self.stage {
                appraisal.replace_agency(super::appraisal::AgencyFailureReason::ObjectionUpheld, today, calendar, &mut draft);
            }
        }
        Ok(draft.finish(self))
    }

    /// REF-29: the court forwards a method objection to the agency, which explains within 5 days.
    ///
    /// Checks, in order: the date; an appraisal report under review (`out_of_order`, REF-29); an open objection
    /// (`objection_unknown`, REF-29); waiting for forwarding (`objection_not_at_step`, REF-29).
    pub fn forward_objection(
        mut self,
        command: ForwardObjection,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::ForwardObjection(command.clone()))?;
        let review = self.appraisal_review("forward_objection")?;
        let objection = review.objection_mut(command.objection, "REF-29")?;
        let ObjectionStatus::AwaitingForwarding { limit } = &objection.status else {
            return Err(ValuationError::ObjectionNotAtStep {
                objection: command.objection,
                step: "forwarding",
                rule: "REF-29",
            });
        };
        draft.meet(limit.key());
        objection.status = ObjectionStatus::AwaitingExplanation {
            limit: TimeLimit::start(
                LimitKind::AgencyExplanation,
                Some(objection.id.to_string()),
                today,
                Period::Days(EXPLANATION_DAYS),
                calendar,
            ),
        };
        draft.outcome(Outcome::ObjectionStep {
            objection: command.objection,
            status: objection.status.name().to_string(),
        });
        Ok(draft.finish(self))
    }

    /// REF-29: the agency's explanation. Given in time and accepted, the objection is settled; late, or still
    /// disputed, it waits for the industry review.
    ///
    /// Checks, in order: the date; an appraisal report under review (`out_of_order`, REF-29); an open objection
    /// (`objection_unknown`, REF-29); waiting for an explanation (`objection_not_at_step`, REF-29).
    pub fn record_agency_explanation(
        mut self,
        command: RecordAgencyExplanation,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordAgencyExplanation(command.clone()))?;
        let review = self.appraisal_review("record_agency_explanation")?;
        let objection = review.objection_mut(command.objection, "REF-29")?;
        let ObjectionStatus::AwaitingExplanation { limit } = &objection.status else {
            return Err(ValuationError::ObjectionNotAtStep {
                objection: command.objection,
                step: "explanation",
                rule: "REF-29",
            });
        };
        let in_time = limit.allows(today);
        if in_time {
            draft.meet(limit.key());
        }
        objection.status = if in_time && command.objector_accepts {
            ObjectionStatus::Settled { on: today }
        } else {
            ObjectionStatus::ExplanationDisputed { since: today }
        };
        draft.outcome(Outcome::ObjectionStep {
            objection: command.objection,
            status: objection.status.name().to_string(),
        });
        Ok(draft.finish(self))
    }

    /// REF-29: refers the objection to the industry association's review, by the court's deadline.
    ///
    /// Checks, in order: the date; an appraisal report under review (`out_of_order`, REF-29); an open objection
    /// (`objection_unknown`, REF-29); disputed, or unexplained past its 5 days (`explanation_not_overdue`,
    /// `objection_not_at_step`, REF-29); a deadline 1 to 365 days ahead (`deadline_out_of_range`, REF-29).
    pub fn refer_to_industry_review(
        mut self,
        command: ReferToIndustryReview,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::ReferToIndustryReview(command.clone()))?;
        let review = self.appraisal_review("refer_to_industry_review")?;
        let objection = review.objection_mut(command.objection, "REF-29")?;
        match &objection.status {
            ObjectionStatus::ExplanationDisputed { .. } => {}
            ObjectionStatus::AwaitingExplanation { limit } if !limit.allows(today) => {}
            ObjectionStatus::AwaitingExplanation { limit } => return Err(ValuationError::ExplanationNotOverdue { due: limit.due_date }),
            ObjectionStatus::AwaitingDecision { .. }
            | ObjectionStatus::AwaitingForwarding { .. }
            | ObjectionStatus::InIndustryReview { .. }
            | ObjectionStatus::AwaitingCorrection { .. }
            | ObjectionStatus::Rejected { .. }
            | ObjectionStatus::Settled { .. }
            | ObjectionStatus::Corrected { .. }
            | ObjectionStatus::AgencyReplaced { .. }
            | ObjectionStatus::Uncorrected { .. }
            | ObjectionStatus::Moot { .. } => {
                return Err(ValuationError::ObjectionNotAtStep {
                    objection: command.objection,
                    step: "industry_review",
                    rule: "REF-29",
                })
            }
        }
        check_court_deadline(today, command.deadline, "REF-29")?;
        objection.status = ObjectionStatus::InIndustryReview {
            limit: TimeLimit::court_set(
                LimitKind::IndustryReview,
                Some(objection.id.to_string()),
                today,
                command.deadline,
                calendar,
            ),
        };
        draft.outcome(Outcome::ObjectionStep {
            objection: command.objection,
            status: objection.status.name().to_string(),
        });
        Ok(draft.finish(self))
    }

    /// REF-29 / REF-32: the industry review's conclusion.
    ///
    /// Checks, in order: the date; an appraisal report under review (`out_of_order`, REF-29); an open objection
    /// (`objection_unknown`, REF-29); in review (`objection_not_at_step`, REF-29).
    pub fn record_industry_review(
        mut self,
        command: RecordIndustryReview,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordIndustryReview(command.clone()))?;
        let review = self.appraisal_review("record_industry_review")?;
        let objection = review.objection_mut(command.objection, "REF-29")?;
        let ObjectionStatus::InIndustryReview { limit } = &objection.status else {
            return Err(ValuationError::ObjectionNotAtStep {
                objection: command.objection,
                step: "industry_review_conclusion",
                rule: "REF-29",
            });
        };
        draft.meet(limit.key());
        objection.status = if command.correction_ordered {
            ObjectionStatus::AwaitingCorrection {
                limit: TimeLimit::start(
                    LimitKind::ObjectionCorrection,
                    Some(objection.id.to_string()),
                    today,
                    Period::Days(CORRECTION_DAYS),
                    calendar,
                ),
            }
        } else {
            ObjectionStatus::Settled { on: today }
        };
        draft.outcome(Outcome::ObjectionStep {
            objection: command.objection,
            status: objection.status.name().to_string(),
        });
        Ok(draft.finish(self))
    }

    /// REF-16 / REF-32: the corrected result after an upheld objection or a negative review.
    ///
    /// Checks, in order: the date; a report under review (`out_of_order`, REF-32); an open objection
    /// (`objection_unknown`, REF-32); awaiting correction (`objection_not_at_step`, REF-32); an amount above zero
    /// (`amount_not_positive`, REF-32).
    pub fn record_corrected_result(
        mut self,
        command: RecordCorrectedResult,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordCorrectedResult(command.clone()))?;
        let stage = self.stage.name();
        let review = match review_site(&mut self.stage) {
            ReviewSite::Online(review, _) | ReviewSite::Appraisal(review) => review,
            ReviewSite::DirectedService(_) | ReviewSite::ClosedReview(_) | ReviewSite::NoReport(_) | ReviewSite::None => {
                return Err(ValuationError::out_of_order("record_corrected_result", stage, "REF-32"))
            }
        };
        let objection = review.objection_mut(command.objection, "REF-32")?;
        let ObjectionStatus::AwaitingCorrection { limit } = &objection.status else {
            return Err(ValuationError::ObjectionNotAtStep {
                objection: command.objection,
                step: "correction",
                rule: "REF-32",
            });
        };
        if command.amount.fen() <= 0 {
            return Err(ValuationError::AmountNotPositive { rule: "REF-32" });
        }
        draft.meet(limit.key());
        objection.status = ObjectionStatus::Corrected {
            on: today,
            amount: command.amount,
        };
        draft.outcome(Outcome::ObjectionStep {
            objection: command.objection,
            status: objection.status.name().to_string(),
        });
        Ok(draft.finish(self))
    }

    /// Concludes the review and fixes the reference price: the average of REF-16 for online inquiry, the result of
    /// REF-32 for appraisal. When REF-16 leaves no result, online inquiry has failed (不成) and the procedure moves
    /// on to appraisal (REF-17) instead.
    ///
    /// Checks, in order: the date; a report under review (`out_of_order`, REF-32); everyone served
    /// (`service_incomplete`, REF-27); every objection period over (`objection_window_open`, REF-28); no open
    /// objection that still decides the price (`objections_pending`, REF-28).
    pub fn fix_reference_price(
        self,
        command: FixReferencePrice,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let draft = self.draft(today, Command::FixReferencePrice(command))?;
        match &self.stage {
            Stage::OnlineInquiry(_) => self.conclude_online_review(draft, today, calendar),
            Stage::Appraisal(_) => self.conclude_appraisal_review(draft, today, calendar),
            Stage::ChoosingMethod
            | Stage::Negotiation(_)
            | Stage::DirectedInquiry(_)
            | Stage::Suspended(_)
            | Stage::Fixed(_)
            | Stage::Withdrawn(_) => Err(ValuationError::out_of_order("fix_reference_price", self.stage.name(), "REF-32")),
        }
    }

    fn appraisal_review(&mut self, command: &'static str) -> Result<&mut Review, ValuationError> {
        let stage = self.stage.name();
        match review_site(&mut self.stage) {
            ReviewSite::Appraisal(review) => Ok(review),
            ReviewSite::Online(..)
            | ReviewSite::DirectedService(_)
            | ReviewSite::ClosedReview(_)
            | ReviewSite::NoReport(_)
            | ReviewSite::None => Err(ValuationError::out_of_order(command, stage, "REF-29")),
        }
    }
}

/// A court-set deadline (指定期限) must lie 1 to `COURT_SET_DAYS_MAX` days after today.
pub(crate) fn check_court_deadline(today: NaiveDate, deadline: NaiveDate, rule: &'static str) -> Result<(), ValuationError> {
    let days = (deadline - today).num_days();
    if days < 1 || days > i64::from(COURT_SET_DAYS_MAX) {
        return Err(ValuationError::DeadlineOutOfRange { deadline, rule });
    }
    Ok(())
}
