//! Online inquiry (网络询价, REF-8 … REF-16, REF-14 reissue).
//!
//! One request goes to every platform on the register at once (REF-10); each owes its report within 3 days
//! (REF-11). A platform that cannot make it asks for an extension before the period ends; after the period the
//! court decides all requests together: granted (+3 days) only if no platform delivered in time, denied otherwise
//! (REF-12). A request made when another platform has already delivered is refused at once, since it could only be
//! denied. When the window closes, the court sorts the reports delivered in time: if every one of them is defective
//! the platforms correct them within 3 days (REF-15), else the defective ones are left out; if none remains, online
//! inquiry has failed and appraisal follows (REF-13). The valid reports are served and open to objections, and the
//! price is their average, narrowed by the objections as REF-16 says.
//!
//! REF-27 counts the service period from the court's receipt of a report. Which online reports count is known only
//! when the window closes (REF-12, REF-13, REF-15), so the service period of the valid reports counts from the close
//! (DESIGN); a court that serves each report as it arrives is ahead of it.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::ValuationError;
use super::facts::{Basis, FailedMethod, FailureReason, Method};
use super::limits::{Audience, LimitKind, TimeLimit};
use super::price::{Fixed, PriceOrigin, ReferencePrice, SourceResult, VALIDITY_MONTHS_MAX};
use super::review::{ObjectionStatus, Review};
use super::{Command, Draft, Outcome, Stage, Transition, Valuation};
use crate::calendar::{Calendar, Period};
use crate::money::Money;

/// REF-11: a platform reports within 3 days of receiving the request.
pub const REPORT_DAYS: u32 = 3;
/// REF-12: the extension granted when no platform delivered in time.
pub const EXTENSION_DAYS: u32 = 3;
/// REF-15: a correction within 3 days.
pub const CORRECTION_DAYS: u32 = 3;
/// REF-14: a reissue within 3 days.
pub const REISSUE_DAYS: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "extension", rename_all = "snake_case")]
pub enum PlatformExtension {
    NotRequested,
    /// Asked before the period ended; the court decides after it (REF-12).
    Requested {
        on: NaiveDate,
    },
    Granted {
        on: NaiveDate,
        decided_on: NaiveDate,
    },
    Denied {
        on: NaiveDate,
        decided_on: NaiveDate,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformReport {
    pub amount: Money,
    pub validity_months: u32,
    pub delivered_on: NaiveDate,
}

/// REF-15: a correction asked of a platform whose report was defective, like every other in-time report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformCorrection {
    pub limit: TimeLimit,
    pub corrected: Option<PlatformReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformInquiry {
    pub platform: String,
    /// REF-11 (REF-14 for a reissue), lengthened by REF-12 when granted.
    pub report_limit: TimeLimit,
    pub extension: PlatformExtension,
    pub report: Option<PlatformReport>,
    pub correction: Option<PlatformCorrection>,
}

impl PlatformInquiry {
    /// Delivered within its period, extensions included.
    pub fn delivered_in_time(&self) -> bool {
        self.report
            .as_ref()
            .is_some_and(|report| self.report_limit.allows(report.delivered_on))
    }

    /// Corrected within the REF-15 period.
    pub fn corrected_in_time(&self) -> bool {
        self.correction.as_ref().is_some_and(|correction| {
            correction
                .corrected
                .as_ref()
                .is_some_and(|report| correction.limit.allows(report.delivered_on))
        })
    }

    /// The report that counts: the correction when one was asked for, else the report.
    pub fn result(&self) -> Option<&PlatformReport> {
        match &self.correction {
            Some(correction) => correction.corrected.as_ref(),
            None => self.report.as_ref(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum OnlinePhase {
    /// Waiting for the reports (REF-11, REF-12).
    AwaitingReports,
    /// Every in-time report was defective; waiting for the corrections (REF-15).
    Correcting,
    /// The valid reports are served and open to objections (REF-16, REF-27, REF-28).
    Reviewing { valid: Vec<String>, review: Review },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineInquiry {
    pub basis: Basis,
    pub sent_on: NaiveDate,
    /// A reissue after the validity lapsed (REF-14): no extensions, and a new average.
    pub reissue: bool,
    pub platforms: Vec<PlatformInquiry>,
    pub phase: OnlinePhase,
}

impl OnlineInquiry {
    /// Whether the inquiry waits for corrections (REF-15) rather than reports (REF-11); `None` once it is under
    /// review, when neither reports nor the window's close are in order.
    fn correcting(&self) -> Option<bool> {
        match &self.phase {
            OnlinePhase::AwaitingReports => Some(false),
            OnlinePhase::Correcting => Some(true),
            OnlinePhase::Reviewing { .. } => None,
        }
    }

    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        match &mut self.phase {
            OnlinePhase::AwaitingReports => {
                for platform in &mut self.platforms {
                    if platform.report.is_none() {
                        visit(&mut platform.report_limit);
                    }
                }
            }
            OnlinePhase::Correcting => {
                for platform in &mut self.platforms {
                    if let Some(correction) = &mut platform.correction {
                        if correction.corrected.is_none() {
                            visit(&mut correction.limit);
                        }
                    }
                }
            }
            OnlinePhase::Reviewing { review, .. } => review.for_each_open_limit(visit),
        }
    }

    fn platform_mut(&mut self, platform: &str) -> Result<&mut PlatformInquiry, ValuationError> {
        self.platforms
            .iter_mut()
            .find(|inquiry| inquiry.platform == platform)
            .ok_or_else(|| ValuationError::PlatformNotRequested {
                platform: platform.to_string(),
            })
    }

    /// REF-14: the same platforms that made the price reissue their reports within 3 days; the new price is their
    /// new average, reviewed again.
    pub(crate) fn into_reissue(self, price: &ReferencePrice, today: NaiveDate, calendar: &Calendar) -> OnlineInquiry {
        OnlineInquiry {
            basis: self.basis,
            sent_on: today,
            reissue: true,
            platforms: price
                .results
                .iter()
                .map(|result| PlatformInquiry {
                    platform: result.source.clone(),
                    report_limit: TimeLimit::start(
                        LimitKind::PlatformReissue,
                        Some(result.source.clone()),
                        today,
                        Period::Days(REISSUE_DAYS),
                        calendar,
                    ),
                    extension: PlatformExtension::NotRequested,
                    report: None,
                    correction: None,
                })
                .collect(),
            phase: OnlinePhase::AwaitingReports,
        }
    }
}

/// REF-10: the request to every platform on the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendOnlineInquiry {
    pub basis: Basis,
    /// The platforms on the SPC's register (全国性司法网络询价平台名单库) today: reference data, passed in whole.
    /// The engine fills it from its register file; a request does not send it.
    #[serde(default)]
    pub register: Vec<String>,
}

/// A platform's report, or its correction while corrections are due (REF-11, REF-14, REF-15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordPlatformReport {
    pub platform: String,
    pub amount: Money,
    pub validity_months: u32,
}

/// REF-12: a platform asks for more time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPlatformExtension {
    pub platform: String,
}

/// REF-12: the court decides the extension requests once the period has ended.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DecidePlatformExtensions {}

/// Closes the report (or correction) window and records the court's review of the in-time reports (REF-13, REF-15).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CloseOnlineInquiryWindow {
    /// Platforms whose report has wrong basic facts, goes beyond the assets or leaves some out (REF-15).
    #[serde(default)]
    pub defective: Vec<String>,
}

pub(crate) fn check_reported_result(amount: Money, validity_months: u32, rule: &'static str) -> Result<(), ValuationError> {
    if amount.fen() <= 0 {
        return Err(ValuationError::AmountNotPositive { rule });
    }
    if !(1..=VALIDITY_MONTHS_MAX).contains(&validity_months) {
        return Err(ValuationError::ValidityOutOfRange { months: validity_months });
    }
    Ok(())
}

impl Valuation {
    /// REF-10: one request to every platform on the register, each due in 3 days (REF-11).
    ///
    /// Checks, in order: the date; choosing a method (`out_of_order`, REF-37); the method allowed now
    /// (`check_method_allowed`); a register that is not empty (`platform_register_empty`, REF-10), with no empty
    /// name (`name_missing`, REF-10) and no platform twice (`platform_listed_twice`, REF-10).
    pub fn send_online_inquiry(
        mut self,
        command: SendOnlineInquiry,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::SendOnlineInquiry(command.clone()))?;
        self.expect_choosing_method("send_online_inquiry")?;
        self.check_method_allowed(Method::OnlineInquiry, command.basis)?;
        if command.register.is_empty() {
            return Err(ValuationError::PlatformRegisterEmpty);
        }
        let mut seen = BTreeSet::new();
        for platform in &command.register {
            if platform.trim().is_empty() {
                return Err(ValuationError::NameMissing {
                    field: "register",
                    rule: "REF-10",
                });
            }
            if !seen.insert(platform.as_str()) {
                return Err(ValuationError::PlatformListedTwice {
                    platform: platform.clone(),
                });
            }
        }
        let platforms = command
            .register
            .iter()
            .map(|platform| PlatformInquiry {
                platform: platform.clone(),
                report_limit: TimeLimit::start(
                    LimitKind::PlatformReport,
                    Some(platform.clone()),
                    today,
                    Period::Days(REPORT_DAYS),
                    calendar,
                ),
                extension: PlatformExtension::NotRequested,
                report: None,
                correction: None,
            })
            .collect();
        self.stage = Stage::OnlineInquiry(Box::new(OnlineInquiry {
            basis: command.basis,
            sent_on: today,
            reissue: false,
            platforms,
            phase: OnlinePhase::AwaitingReports,
        }));
        draft.outcome(Outcome::MethodOpened {
            method: Method::OnlineInquiry,
            basis: command.basis,
        });
        Ok(draft.finish(self))
    }

    /// A platform's report (REF-11, REF-14), or its correction (REF-15). A report after its period is recorded but
    /// does not count (REF-13, REF-16).
    ///
    /// Checks, in order: the date; an online inquiry waiting for reports or corrections (`out_of_order`, REF-10:
    /// no report before the request); a platform that was asked (`platform_not_requested`, REF-10); an amount above
    /// zero (`amount_not_positive`, REF-11); a validity of 1 to 12 months (`validity_out_of_range`, REF-33); no
    /// report yet (`platform_report_exists`, REF-11), or, while correcting, a platform asked to correct
    /// (`platform_not_asked_to_correct`, REF-15).
    pub fn record_platform_report(
        mut self,
        command: RecordPlatformReport,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordPlatformReport(command.clone()))?;
        let stage = self.stage.name();
        let out_of_order = || ValuationError::out_of_order("record_platform_report", stage, "REF-10");
        let Stage::OnlineInquiry(inquiry) = &mut self.stage else {
            return Err(out_of_order());
        };
        let Some(correcting) = inquiry.correcting() else {
            return Err(out_of_order());
        };
        let platform = inquiry.platform_mut(&command.platform)?;
        check_reported_result(command.amount, command.validity_months, "REF-11")?;
        let report = PlatformReport {
            amount: command.amount,
            validity_months: command.validity_months,
            delivered_on: today,
        };
        if correcting {
            let Some(correction) = platform.correction.as_mut().filter(|correction| correction.corrected.is_none()) else {
                return Err(ValuationError::PlatformNotAskedToCorrect {
                    platform: command.platform,
                });
            };
            draft.meet(correction.limit.key());
            correction.corrected = Some(report);
        } else {
            if platform.report.is_some() {
                return Err(ValuationError::PlatformReportExists {
                    platform: command.platform,
                });
            }
            draft.meet(platform.report_limit.key());
            platform.report = Some(report);
        }
        Ok(draft.finish(self))
    }

    /// REF-12: a platform asks for more time before its period ends.
    ///
    /// Checks, in order: the date; a first online inquiry waiting for reports (`out_of_order`, REF-12; a reissue
    /// has no extension); a platform that was asked (`platform_not_requested`, REF-10); no report from it
    /// (`platform_report_exists`, REF-11); no earlier request (`online_extension_already_requested`, REF-12); before
    /// the period ends (`online_extension_request_late`, REF-12); no other platform has delivered in time
    /// (`online_extension_denied_some_delivered`, REF-12).
    pub fn request_platform_extension(
        mut self,
        command: RequestPlatformExtension,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let draft = self.draft(today, Command::RequestPlatformExtension(command.clone()))?;
        let stage = self.stage.name();
        let out_of_order = || ValuationError::out_of_order("request_platform_extension", stage, "REF-12");
        let Stage::OnlineInquiry(inquiry) = &mut self.stage else {
            return Err(out_of_order());
        };
        match &inquiry.phase {
            OnlinePhase::AwaitingReports if !inquiry.reissue => {}
            OnlinePhase::AwaitingReports | OnlinePhase::Correcting | OnlinePhase::Reviewing { .. } => return Err(out_of_order()),
        }
        let delivered: Vec<String> = inquiry
            .platforms
            .iter()
            .filter(|platform| platform.delivered_in_time())
            .map(|platform| platform.platform.clone())
            .collect();
        let platform = inquiry.platform_mut(&command.platform)?;
        if platform.report.is_some() {
            return Err(ValuationError::PlatformReportExists {
                platform: command.platform,
            });
        }
        if platform.extension != PlatformExtension::NotRequested {
            return Err(ValuationError::OnlineExtensionAlreadyRequested {
                platform: command.platform,
            });
        }
        if !platform.report_limit.allows(today) {
            return Err(ValuationError::OnlineExtensionRequestLate {
                due: platform.report_limit.due_date,
            });
        }
        if !delivered.is_empty() {
            return Err(ValuationError::OnlineExtensionDeniedSomeDelivered { delivered });
        }
        platform.extension = PlatformExtension::Requested { on: today };
        Ok(draft.finish(self))
    }

    /// REF-12: decides every pending request once the period has ended: +3 days each if no platform delivered in
    /// time, all denied otherwise.
    ///
    /// Checks, in order: the date; an online inquiry waiting for reports (`out_of_order`, REF-12); a pending request
    /// (`no_extension_request`, REF-12); the requesters' period over (`online_window_still_open`, REF-11).
    pub fn decide_platform_extensions(
        mut self,
        command: DecidePlatformExtensions,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::DecidePlatformExtensions(command))?;
        let stage = self.stage.name();
        let out_of_order = || ValuationError::out_of_order("decide_platform_extensions", stage, "REF-12");
        let Stage::OnlineInquiry(inquiry) = &mut self.stage else {
            return Err(out_of_order());
        };
        match &inquiry.phase {
            OnlinePhase::AwaitingReports => {}
            OnlinePhase::Correcting | OnlinePhase::Reviewing { .. } => return Err(out_of_order()),
        }
        let requested: Vec<usize> = (0..inquiry.platforms.len())
            .filter(|index| matches!(inquiry.platforms[*index].extension, PlatformExtension::Requested { .. }))
            .collect();
        if requested.is_empty() {
            return Err(ValuationError::NoExtensionRequest { rule: "REF-12" });
        }
        if let Some(until) = requested.iter().map(|index| inquiry.platforms[*index].report_limit.due_date).max() {
            if today <= until {
                return Err(ValuationError::OnlineWindowStillOpen { until });
            }
        }
        let grant = !inquiry.platforms.iter().any(|platform| platform.delivered_in_time());
        let mut names = Vec::new();
        let mut due_date = None;
        for index in requested {
            let platform = &mut inquiry.platforms[index];
            let PlatformExtension::Requested { on } = platform.extension else {
                continue;
            };
            names.push(platform.platform.clone());
            if grant {
                platform.report_limit.extend_from_due(EXTENSION_DAYS, calendar);
                due_date = Some(platform.report_limit.due_date);
                platform.extension = PlatformExtension::Granted { on, decided_on: today };
            } else {
                platform.extension = PlatformExtension::Denied { on, decided_on: today };
            }
        }
        draft.outcome(match due_date {
            Some(due_date) => Outcome::PlatformExtensionsGranted {
                platforms: names,
                due_date,
            },
            None => Outcome::PlatformExtensionsDenied { platforms: names },
        });
        Ok(draft.finish(self))
    }

    /// Closes the window and sorts the reports (REF-13, REF-15): none in time, online inquiry has failed; all
    /// defective, corrections within 3 days; otherwise the valid ones go to review.
    ///
    /// Checks, in order: the date; an online inquiry waiting for reports or corrections (`out_of_order`, REF-11);
    /// no undecided extension request (`platform_extensions_undecided`, REF-12); no report or correction still
    /// due (`online_window_still_open`, REF-11); defective platforms among those in time
    /// (`defective_platform_unknown`, REF-15).
    pub fn close_online_inquiry_window(
        mut self,
        command: CloseOnlineInquiryWindow,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::CloseOnlineInquiryWindow(command.clone()))?;
        let stage = self.stage.name();
        let recipients = self.recipients.clone();
        let out_of_order = || ValuationError::out_of_order("close_online_inquiry_window", stage, "REF-11");
        let Stage::OnlineInquiry(inquiry) = &mut self.stage else {
            return Err(out_of_order());
        };
        let Some(correcting) = inquiry.correcting() else {
            return Err(out_of_order());
        };
        if !correcting
            && inquiry
                .platforms
                .iter()
                .any(|platform| matches!(platform.extension, PlatformExtension::Requested { .. }))
        {
            return Err(ValuationError::PlatformExtensionsUndecided);
        }
        let still_due = inquiry
            .platforms
            .iter()
            .filter_map(|platform| match (&platform.correction, correcting) {
                (_, false) if platform.report.is_none() => Some(platform.report_limit.due_date),
                (Some(correction), true) if correction.corrected.is_none() => Some(correction.limit.due_date),
                _ => None,
            })
            .filter(|due| today <= *due)
            .max();
        if let Some(until) = still_due {
            return Err(ValuationError::OnlineWindowStillOpen { until });
        }
        let in_time: Vec<String> = inquiry
            .platforms
            .iter()
            .filter(|platform| {
                if correcting {
                    platform.corrected_in_time()
                } else {
                    platform.delivered_in_time()
                }
            })
            .map(|platform| platform.platform.clone())
            .collect();
        if let Some(platform) = command.defective.iter().find(|platform| !in_time.contains(platform)) {
            return Err(ValuationError::DefectivePlatformUnknown {
                platform: platform.clone(),
            });
        }
        let late: Vec<String> = inquiry
            .platforms
            .iter()
            .filter(|platform| !in_time.contains(&platform.platform))
            .map(|platform| platform.platform.clone())
            .collect();
        let valid: Vec<String> = in_time
            .iter()
            .filter(|platform| !command.defective.contains(platform))
            .cloned()
            .collect();
        if in_time.is_empty() || (correcting && valid.is_empty()) {
            // REF-13: no platform delivered or corrected in time: appraisal follows (REF-17), and no platform is
            // paid (REF-42).
            self.failed_methods.push(FailedMethod {
                method: Method::OnlineInquiry,
                on: today,
                reason: FailureReason::AllPlatformsFailed,
            });
            self.stage = Stage::ChoosingMethod;
            draft.outcome(Outcome::MethodFailed {
                method: Method::OnlineInquiry,
                reason: FailureReason::AllPlatformsFailed,
            });
            draft.notify(
                Audience::Staff,
                "REF-13",
                "no platform delivered in time: commission an appraisal".to_string(),
            );
            return Ok(draft.finish(self));
        }
        if valid.is_empty() {
            // REF-15: every in-time report is defective, so every one of those platforms corrects within 3 days.
            let mut due_date = today;
            for platform in &mut inquiry.platforms {
                if in_time.contains(&platform.platform) {
                    let limit = TimeLimit::start(
                        LimitKind::PlatformCorrection,
                        Some(platform.platform.clone()),
                        today,
                        Period::Days(CORRECTION_DAYS),
                        calendar,
                    );
                    due_date = limit.due_date;
                    platform.correction = Some(PlatformCorrection { limit, corrected: None });
                }
            }
            inquiry.phase = OnlinePhase::Correcting;
            draft.outcome(Outcome::CorrectionsRequested {
                platforms: in_time,
                due_date,
            });
            return Ok(draft.finish(self));
        }
        draft.outcome(Outcome::ReportsAccepted {
            valid: valid.clone(),
            late,
            defective: command.defective,
        });
        inquiry.phase = OnlinePhase::Reviewing {
            valid,
            review: Review::new(today, &recipients, calendar),
        };
        Ok(draft.finish(self))
    }

    /// `fix_reference_price` for online inquiry: REF-16's narrowing, then the exact average.
    pub(crate) fn conclude_online_review(
        mut self,
        mut draft: Draft,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let stage = self.stage.name();
        let Stage::OnlineInquiry(mut inquiry) = std::mem::replace(&mut self.stage, Stage::ChoosingMethod) else {
            return Err(ValuationError::out_of_order("fix_reference_price", stage, "REF-32"));
        };
        let reissue = inquiry.reissue;
        let results_of = |platforms: &[PlatformInquiry], name: &str| {
            platforms
                .iter()
                .find(|platform| platform.platform == name)
                .and_then(|platform| platform.result())
                .cloned()
        };
        let platforms = inquiry.platforms.clone();
        let OnlinePhase::Reviewing { valid, review } = &mut inquiry.phase else {
            return Err(ValuationError::out_of_order("fix_reference_price", stage, "REF-32"));
        };
        review.check_closed(today)?;
        let objected: BTreeSet<String> = review
            .objections
            .iter()
            .filter_map(|objection| objection.platform().map(str::to_string))
            .collect();
        let mut included: Vec<SourceResult> = Vec::new();
        if objected.len() < valid.len() {
            // REF-16: objections to some reports: the average of the reports nobody objected to; the objections no
            // longer decide anything.
            let moot = review.make_moot(today, |_| true);
            if !moot.is_empty() {
                draft.outcome(Outcome::ObjectionsMoot { objections: moot });
            }
            for name in valid.iter().filter(|name| !objected.contains(*name)) {
                if let Some(report) = results_of(&platforms, name) {
                    included.push(source_result(name, &report, report.amount));
                }
            }
        } else {
            // REF-16: objections to every report: the average of the results whose objections were rejected or
            // which were corrected. A correction that never came leaves that result out (DESIGN).
            for objection in &mut review.objections {
                if let ObjectionStatus::AwaitingCorrection { limit } = &objection.status {
                    if !limit.allows(today) {
                        objection.status = ObjectionStatus::Uncorrected { on: today };
                    }
                }
            }
            let open = review.open_objections();
            if !open.is_empty() {
                return Err(ValuationError::ObjectionsPending { objections: open });
            }
            for name in valid.iter() {
                let Some(report) = results_of(&platforms, name) else { continue };
                let on_platform: Vec<&ObjectionStatus> = review
                    .objections
                    .iter()
                    .filter(|objection| objection.platform() == Some(name.as_str()))
                    .map(|objection| &objection.status)
                    .collect();
                let corrected = on_platform.iter().rev().find_map(|status| match status {
                    ObjectionStatus::Corrected { amount, .. } => Some(*amount),
                    _ => None,
                });
                let uncorrected = on_platform
                    .iter()
                    .any(|status| matches!(status, ObjectionStatus::Uncorrected { .. }));
                match (corrected, uncorrected) {
                    (Some(amount), _) => included.push(source_result(name, &report, amount)),
                    (None, true) => {}
                    (None, false) => included.push(source_result(name, &report, report.amount)),
                }
            }
        }
        let Some(price) = ReferencePrice::from_results(Method::OnlineInquiry, included, today, reissue, calendar) else {
            // REF-16 left nothing to average: online inquiry has failed (不成), appraisal follows (REF-17).
            self.failed_methods.push(FailedMethod {
                method: Method::OnlineInquiry,
                on: today,
                reason: FailureReason::NoValidResultAfterObjections,
            });
            draft.outcome(Outcome::MethodFailed {
                method: Method::OnlineInquiry,
                reason: FailureReason::NoValidResultAfterObjections,
            });
            self.stage = Stage::ChoosingMethod;
            return Ok(draft.finish(self));
        };
        draft.price_fixed(&price);
        self.stage = Stage::Fixed(Box::new(Fixed::new(price, PriceOrigin::OnlineInquiry { inquiry }, today, calendar)));
        Ok(draft.finish(self))
    }
}

fn source_result(platform: &str, report: &PlatformReport, amount: Money) -> SourceResult {
    SourceResult {
        source: platform.to_string(),
        amount,
        reported_on: report.delivered_on,
        validity_months: report.validity_months,
    }
}
