//! Appraisal (委托评估, REF-17 … REF-26, REF-25 reissue, REF-32 price).
//!
//! The parties agree three agencies and their order by the court's deadline, or the court draws them by lot
//! (REF-19, `lottery`). The first in order is commissioned (REF-20) and reports within 30 days, suspended days added
//! back (REF-22); it may ask, at least 5 days before the deadline, for an extension of at most 15 days, at most twice
//! (REF-23). An agency that declines, is late, or does not explain or correct in time returns the materials within 3
//! days and the next in order appraises afresh (REF-24); when all three have failed a new selection is made (open
//! question Q4, DESIGN), from which the failed agencies are excluded. The court reviews the report (REF-26) before
//! serving it; then come service and objections (`review`), and the price (REF-32).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::ValuationError;
use super::facts::{Basis, Method};
use super::limits::{Audience, LimitKind, TimeLimit};
use super::lottery::{self, LotteryCommitment, LotteryReason, LotteryRecord, AGENCIES_PER_SELECTION};
use super::online::check_reported_result;
use super::price::{Fixed, PriceOrigin, ReferencePrice, SourceResult};
use super::review::{check_court_deadline, ObjectionStatus, Review};
use super::{Command, Draft, Outcome, Stage, Transition, Valuation};
use crate::calendar::{Calendar, Period};
use crate::money::Money;

/// REF-22: the report within 30 days of the commission.
pub const REPORT_DAYS: u32 = 30;
/// REF-23: an extension is asked at least 5 days before the deadline.
pub const EXTENSION_NOTICE_DAYS: u32 = 5;
/// REF-23: each extension is at most 15 days.
pub const EXTENSION_DAYS_MAX: u32 = 15;
/// REF-23: at most two extensions.
pub const EXTENSIONS_MAX: usize = 2;
/// REF-24: a failed agency returns the materials within 3 days.
pub const MATERIALS_RETURN_DAYS: u32 = 3;
/// REF-26: an explanation or correction within 3 days.
pub const CORRECTION_DAYS: u32 = 3;
/// REF-25: the original agency reissues within 15 days.
pub const REISSUE_DAYS: u32 = 15;

/// How the three agencies were chosen (REF-19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum SelectionHow {
    Agreed { on: NaiveDate },
    Drawn { lottery: LotteryRecord },
}

/// Three agencies in order (REF-19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    pub agencies: Vec<String>,
    pub how: SelectionHow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRequest {
    pub on: NaiveDate,
    pub days: u32,
}

/// The commission of one agency and its report deadline (REF-20, REF-22, REF-23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commission {
    pub agency: String,
    pub commissioned_on: NaiveDate,
    /// REF-22: 30 days, plus granted extensions (REF-23) and suspended days (REF-34).
    pub report_limit: TimeLimit,
    pub extension_request: Option<ExtensionRequest>,
    pub extensions_granted: Vec<u32>,
    pub extensions_denied: u32,
}

/// An agency's report (or its explanation/correction, or its reissue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppraisalReport {
    pub agency: String,
    pub amount: Money,
    pub validity_months: u32,
    pub received_on: NaiveDate,
    pub reissued: bool,
}

/// REF-26: what the court's review found wrong with a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewFinding {
    /// (1) the asset's basic facts are wrong
    WrongBasicFacts,
    /// (2) assets included that should not be, or left out
    WrongScope,
    /// (3) the signing agency is not the one selected
    WrongAgency,
    /// (4) the signing appraisers do not match their certificates
    AppraisersMismatch,
    /// (5) other cases
    Other,
}

/// Why an agency drops out (REF-24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyFailureReason {
    /// The agency refused the commission (REF-24, DESIGN: treated as a failure; REF-18 may remove it from the list).
    Declined,
    /// No report by the deadline, and no valid extension request.
    ReportOverdue,
    /// No explanation or correction by the REF-26 deadline, or no corrected result after an objection (REF-32).
    CorrectionOverdue,
    /// No reissued report by the REF-25 deadline (DESIGN: as REF-24).
    ReissueOverdue,
    /// An objection on grounds (3)/(4) was upheld (REF-29). Only the court's decision gives this reason.
    ObjectionUpheld,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedAgency {
    pub agency: String,
    pub on: NaiveDate,
    pub reason: AgencyFailureReason,
    pub round: u32,
}

/// REF-24: a failed agency's materials, due back within 3 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialsReturn {
    pub agency: String,
    pub limit: TimeLimit,
    pub returned_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum AppraisalPhase {
    /// REF-19: waiting for the parties' list, or for a lottery. No deadline in a new selection (Q4).
    Selecting { agreement: Option<TimeLimit> },
    /// REF-19: the seed's hash and the candidates are recorded; the seed is revealed next.
    LotteryCommitted { commitment: LotteryCommitment },
    /// REF-20, REF-24: the agency at `position` is to be commissioned.
    AwaitingCommission { selection: Selection, position: usize },
    /// REF-22, REF-23: the agency is appraising.
    Commissioned {
        selection: Selection,
        position: usize,
        commission: Commission,
    },
    /// REF-26: the court asked for an explanation or correction within 3 days.
    CorrectionRequested {
        selection: Selection,
        position: usize,
        report: AppraisalReport,
        findings: Vec<ReviewFinding>,
        limit: TimeLimit,
    },
    /// REF-27 … REF-32: the report is served and open to objections.
    Reviewing {
        selection: Selection,
        position: usize,
        report: AppraisalReport,
        review: Review,
    },
    /// REF-25: the original agency reissues its report within 15 days.
    Reissuing {
        selection: Selection,
        position: usize,
        previous: AppraisalReport,
        limit: TimeLimit,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appraisal {
    pub basis: Basis,
    pub opened_on: NaiveDate,
    /// 1 for the first selection; one more for each new selection after three failures (Q4).
    pub round: u32,
    pub failed_agencies: Vec<FailedAgency>,
    pub materials: Vec<MaterialsReturn>,
    pub phase: AppraisalPhase,
}

impl Appraisal {
    /// The materials of replaced agencies not yet returned (REF-24): open in every phase, and after the price.
    pub(crate) fn for_each_open_materials_return(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        for materials in &mut self.materials {
            if materials.returned_on.is_none() {
                visit(&mut materials.limit);
            }
        }
    }

    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        self.for_each_open_materials_return(visit);
        match &mut self.phase {
            AppraisalPhase::Selecting { agreement } => {
                if let Some(limit) = agreement {
                    visit(limit);
                }
            }
            AppraisalPhase::LotteryCommitted { .. } | AppraisalPhase::AwaitingCommission { .. } => {}
            AppraisalPhase::Commissioned { commission, .. } => visit(&mut commission.report_limit),
            AppraisalPhase::CorrectionRequested { limit, .. } | AppraisalPhase::Reissuing { limit, .. } => visit(limit),
            AppraisalPhase::Reviewing { review, .. } => review.for_each_open_limit(visit),
        }
    }

    pub(crate) fn review_mut(&mut self) -> Option<&mut Review> {
        match &mut self.phase {
            AppraisalPhase::Reviewing { review, .. } => Some(review),
            AppraisalPhase::Selecting { .. }
            | AppraisalPhase::LotteryCommitted { .. }
            | AppraisalPhase::AwaitingCommission { .. }
            | AppraisalPhase::Commissioned { .. }
            | AppraisalPhase::CorrectionRequested { .. }
            | AppraisalPhase::Reissuing { .. } => None,
        }
    }

    fn has_failed(&self, agency: &str) -> bool {
        self.failed_agencies.iter().any(|failed| failed.agency == agency)
    }

    /// The due date of a pending reissue (REF-25).
    pub fn reissue_due(&self) -> Option<NaiveDate> {
        match &self.phase {
            AppraisalPhase::Reissuing { limit, .. } => Some(limit.due_date),
            AppraisalPhase::Selecting { .. }
            | AppraisalPhase::LotteryCommitted { .. }
            | AppraisalPhase::AwaitingCommission { .. }
            | AppraisalPhase::Commissioned { .. }
            | AppraisalPhase::CorrectionRequested { .. }
            | AppraisalPhase::Reviewing { .. } => None,
        }
    }

    /// REF-25: the original agency reissues its report within 15 days. Only a reviewed report can have made a
    /// price, so any other phase is kept as it is.
    pub(crate) fn into_reissue(mut self, today: NaiveDate, calendar: &Calendar) -> Appraisal {
        let phase = std::mem::replace(&mut self.phase, AppraisalPhase::Selecting { agreement: None });
        self.phase = match phase {
            AppraisalPhase::Reviewing {
                selection,
                position,
                report,
                ..
            } => AppraisalPhase::Reissuing {
                limit: TimeLimit::start(
                    LimitKind::AgencyReissue,
                    Some(report.agency.clone()),
                    today,
                    Period::Days(REISSUE_DAYS),
                    calendar,
                ),
                selection,
                position,
                previous: report,
            },
            other @ (AppraisalPhase::Selecting { .. }
            | AppraisalPhase::LotteryCommitted { .. }
            | AppraisalPhase::AwaitingCommission { .. }
            | AppraisalPhase::Commissioned { .. }
            | AppraisalPhase::CorrectionRequested { .. }
            | AppraisalPhase::Reissuing { .. }) => other,
        };
        self
    }

    /// REF-24: the current agency drops out: it returns the materials within 3 days and the next in order takes
    /// over; after the third, a new selection (Q4). Records the outcomes, and tells the staff when a new selection
    /// is needed.
    pub(crate) fn replace_agency(&mut self, reason: AgencyFailureReason, today: NaiveDate, calendar: &Calendar, draft: &mut Draft) {
        let phase = std::mem::replace(&mut self.phase, AppraisalPhase::Selecting { agreement: None });
        let (selection, position) = match phase {
            AppraisalPhase::Commissioned { selection, position, .. }
            | AppraisalPhase::CorrectionRequested { selection, position, .. }
            | AppraisalPhase::Reviewing { selection, position, .. }
            | AppraisalPhase::Reissuing { selection, position, .. }
            | AppraisalPhase::AwaitingCommission { selection, position } => (selection, position),
            other @ (AppraisalPhase::Selecting { .. } | AppraisalPhase::LotteryCommitted { .. }) => {
                // No agency is at work; nothing to replace.
                self.phase = other;
                return;
            }
        };
        let agency = selection.agencies.get(position).cloned().unwrap_or_default();
        self.failed_agencies.push(FailedAgency {
            agency: agency.clone(),
            on: today,
            reason,
            round: self.round,
        });
        self.materials.push(MaterialsReturn {
            limit: TimeLimit::start(
                LimitKind::MaterialsReturn,
                Some(agency.clone()),
                today,
                Period::Days(MATERIALS_RETURN_DAYS),
                calendar,
            ),
            agency: agency.clone(),
            returned_on: None,
        });
        let next = position + 1;
        if let Some(next_agency) = selection.agencies.get(next).cloned() {
            self.phase = AppraisalPhase::AwaitingCommission { selection, position: next };
            draft.outcome(Outcome::AgencyFailed {
                agency,
                reason,
                next_agency: Some(next_agency),
            });
        } else {
            // Q4 (DESIGN): all three failed; select anew under REF-19, without the failed agencies.
            self.round += 1;
            self.phase = AppraisalPhase::Selecting { agreement: None };
            draft.outcome(Outcome::AgencyFailed {
                agency,
                reason,
                next_agency: None,
            });
            draft.outcome(Outcome::NewSelectionRequired { round: self.round });
            draft.notify(
                Audience::Staff,
                "REF-24",
                "all three agencies failed: select three new agencies (REF-19, Q4)".to_string(),
            );
        }
    }
}

/// REF-17, REF-19: opens the appraisal and asks the parties to agree three agencies by the court's deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenAppraisal {
    pub basis: Basis,
    #[serde(deserialize_with = "crate::date::strict")]
    pub agreement_deadline: NaiveDate,
}

/// REF-19: the parties' agreed agencies, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordAgreedAgencies {
    pub agencies: Vec<String>,
}

/// REF-19: fixes the lottery before the draw: the sub-list, its agencies and the SHA-256 of the seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitAgencyLottery {
    pub reason: LotteryReason,
    pub sub_list: String,
    /// The sub-list's agencies. The engine fills them from its register (REF-18); a request does not send them.
    #[serde(default)]
    pub candidates: Vec<String>,
    /// The commitment to the seed. The engine draws the seed and fills this; a request does not send it.
    #[serde(default)]
    pub seed_sha256: String,
}

/// REF-19: reveals the seed and draws.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawAppraisalAgencies {
    /// The revealed seed. The engine fills it from its record of the commitment; a request does not send it.
    #[serde(default)]
    pub seed: String,
}

/// REF-20: commissions the next agency in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionAgency {
    pub agency: String,
}

/// REF-23: the agency's written request for more time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestAppraisalExtension {
    pub days: u32,
}

/// REF-23: the court's decision: `None` denies, `Some(days)` grants up to the days asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideAppraisalExtension {
    pub granted_days: Option<u32>,
}

/// The agency's report, its explanation or correction (REF-26), or its reissue (REF-25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordAppraisalReport {
    pub amount: Money,
    pub validity_months: u32,
}

/// REF-26: the court's review found the report wanting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestReportCorrection {
    pub findings: Vec<ReviewFinding>,
}

/// REF-24: the current agency drops out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordAgencyFailure {
    pub reason: AgencyFailureReason,
}

/// REF-24: a replaced agency returned the materials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordMaterialsReturned {
    pub agency: String,
}

impl Valuation {
    fn appraisal_mut(&mut self, command: &'static str, rule: &'static str) -> Result<&mut Appraisal, ValuationError> {
        let stage = self.stage.name();
        match &mut self.stage {
            Stage::Appraisal(appraisal) => Ok(appraisal),
            Stage::ChoosingMethod
            | Stage::Negotiation(_)
            | Stage::DirectedInquiry(_)
            | Stage::OnlineInquiry(_)
            | Stage::Suspended(_)
            | Stage::Fixed(_)
            | Stage::Withdrawn(_) => Err(ValuationError::out_of_order(command, stage, rule)),
        }
    }

    /// REF-17, REF-19: opens the appraisal.
    ///
    /// Checks, in order: the date; choosing a method (`out_of_order`, REF-37); the method allowed now
    /// (`check_method_allowed`); the agreement deadline 1 to 365 days ahead (`deadline_out_of_range`, REF-19).
    pub fn open_appraisal(mut self, command: OpenAppraisal, today: NaiveDate, calendar: &Calendar) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::OpenAppraisal(command.clone()))?;
        self.expect_choosing_method("open_appraisal")?;
        self.check_method_allowed(Method::Appraisal, command.basis)?;
        check_court_deadline(today, command.agreement_deadline, "REF-19")?;
        self.stage = Stage::Appraisal(Box::new(Appraisal {
            basis: command.basis,
            opened_on: today,
            round: 1,
            failed_agencies: Vec::new(),
            materials: Vec::new(),
            phase: AppraisalPhase::Selecting {
                agreement: Some(TimeLimit::court_set(
                    LimitKind::AgencyAgreement,
                    None,
                    today,
                    command.agreement_deadline,
                    calendar,
                )),
            },
        }));
        draft.outcome(Outcome::MethodOpened {
            method: Method::Appraisal,
            basis: command.basis,
        });
        Ok(draft.finish(self))
    }

    /// REF-19: the parties agreed three agencies and their order.
    ///
    /// Checks, in order: the date; selecting (`out_of_order`, REF-19); within the court's deadline
    /// (`agreement_deadline_passed`, REF-19); three different, named agencies (`agreed_agencies_invalid`, REF-19);
    /// none that failed before (`agency_already_failed`, REF-24).
    pub fn record_agreed_agencies(
        mut self,
        command: RecordAgreedAgencies,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordAgreedAgencies(command.clone()))?;
        let stage = self.stage.name();
        let appraisal = self.appraisal_mut("record_agreed_agencies", "REF-19")?;
        let AppraisalPhase::Selecting { agreement } = &appraisal.phase else {
            return Err(ValuationError::out_of_order("record_agreed_agencies", stage, "REF-19"));
        };
        if let Some(limit) = agreement {
            if !limit.allows(today) {
                return Err(ValuationError::AgreementDeadlinePassed { due: limit.due_date });
            }
            draft.meet(limit.key());
        }
        let mut distinct = command.agencies.clone();
        distinct.sort();
        distinct.dedup();
        if command.agencies.len() != AGENCIES_PER_SELECTION
            || distinct.len() != AGENCIES_PER_SELECTION
            || command.agencies.iter().any(|agency| agency.trim().is_empty())
        {
            return Err(ValuationError::AgreedAgenciesInvalid);
        }
        if let Some(agency) = command.agencies.iter().find(|agency| appraisal.has_failed(agency)) {
            return Err(ValuationError::AgencyAlreadyFailed { agency: agency.clone() });
        }
        appraisal.phase = AppraisalPhase::AwaitingCommission {
            selection: Selection {
                agencies: command.agencies.clone(),
                how: SelectionHow::Agreed { on: today },
            },
            position: 0,
        };
        draft.outcome(Outcome::AgenciesSelected {
            agencies: command.agencies,
        });
        Ok(draft.finish(self))
    }

    /// REF-19: records the lottery's sub-list, candidates and seed hash before the draw, and tells the parties.
    ///
    /// Checks, in order: the date; selecting (`out_of_order`, REF-19); the reason applies: after the deadline
    /// (`agreement_window_open`, REF-19), a new selection only after three failures
    /// (`lottery_reason_not_applicable`, REF-19); a named sub-list (`name_missing`, REF-19); a SHA-256 commitment
    /// (`lottery_commitment_malformed`, REF-19); no candidate twice (`candidate_listed_twice`, REF-19); at least
    /// three eligible candidates (`sub_list_too_small`, REF-19).
    pub fn commit_agency_lottery(
        mut self,
        command: CommitAgencyLottery,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::CommitAgencyLottery(command.clone()))?;
        let stage = self.stage.name();
        let appraisal = self.appraisal_mut("commit_agency_lottery", "REF-19")?;
        let AppraisalPhase::Selecting { agreement } = &appraisal.phase else {
            return Err(ValuationError::out_of_order("commit_agency_lottery", stage, "REF-19"));
        };
        match (command.reason, agreement) {
            (LotteryReason::AgreementDeadlinePassed, Some(limit)) if limit.allows(today) => {
                return Err(ValuationError::AgreementWindowOpen { until: limit.due_date })
            }
            (LotteryReason::AgreementDeadlinePassed, Some(_)) => {}
            (LotteryReason::AgreementDeadlinePassed, None) => return Err(ValuationError::LotteryReasonNotApplicable),
            (LotteryReason::NewSelection, _) if appraisal.round <= 1 => return Err(ValuationError::LotteryReasonNotApplicable),
            (
                LotteryReason::NewSelection | LotteryReason::PartiesDisagree | LotteryReason::PartyMissing | LotteryReason::JointRequest,
                _,
            ) => {}
        }
        if command.sub_list.trim().is_empty() {
            return Err(ValuationError::NameMissing {
                field: "sub_list",
                rule: "REF-19",
            });
        }
        if lottery::parse_hex_32(&command.seed_sha256).is_none() {
            return Err(ValuationError::LotteryCommitmentMalformed);
        }
        let mut seen = std::collections::BTreeSet::new();
        for agency in &command.candidates {
            if !seen.insert(agency.as_str()) {
                return Err(ValuationError::CandidateListedTwice { agency: agency.clone() });
            }
        }
        let mut eligible: Vec<String> = command
            .candidates
            .iter()
            .filter(|agency| !agency.trim().is_empty() && !appraisal.has_failed(agency))
            .cloned()
            .collect();
        eligible.sort();
        if eligible.len() < AGENCIES_PER_SELECTION {
            return Err(ValuationError::SubListTooSmall { eligible: eligible.len() });
        }
        let seed_sha256 = command.seed_sha256.trim().to_ascii_lowercase();
        appraisal.phase = AppraisalPhase::LotteryCommitted {
            commitment: LotteryCommitment {
                reason: command.reason,
                sub_list: command.sub_list.clone(),
                candidates: eligible.clone(),
                seed_sha256: seed_sha256.clone(),
                committed_on: today,
            },
        };
        draft.outcome(Outcome::LotteryCommitted {
            seed_sha256: seed_sha256.clone(),
            candidates: eligible,
        });
        draft.notify(
            Audience::Parties,
            "REF-19",
            format!(
                "the lottery on sub-list {} is fixed; the seed's SHA-256 is {seed_sha256}",
                command.sub_list
            ),
        );
        Ok(draft.finish(self))
    }

    /// REF-19: reveals the seed and draws three agencies in order.
    ///
    /// Checks, in order: the date; a committed lottery (`out_of_order`, REF-19); a 32-byte seed
    /// (`lottery_seed_malformed`, REF-19); the seed matches the commitment (`lottery_seed_mismatch`, REF-19).
    pub fn draw_appraisal_agencies(
        mut self,
        command: DrawAppraisalAgencies,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::DrawAppraisalAgencies(command.clone()))?;
        let stage = self.stage.name();
        let appraisal = self.appraisal_mut("draw_appraisal_agencies", "REF-19")?;
        let AppraisalPhase::LotteryCommitted { commitment } = &appraisal.phase else {
            return Err(ValuationError::out_of_order("draw_appraisal_agencies", stage, "REF-19"));
        };
        let Some(seed) = lottery::parse_hex_32(&command.seed) else {
            return Err(ValuationError::LotterySeedMalformed);
        };
        if lottery::seed_commitment(&seed) != commitment.seed_sha256 {
            return Err(ValuationError::LotterySeedMismatch);
        }
        let drawn = lottery::draw(&seed, &commitment.candidates, AGENCIES_PER_SELECTION);
        let record = LotteryRecord {
            commitment: commitment.clone(),
            seed: hex::encode(seed),
            drawn: drawn.clone(),
            drawn_on: today,
        };
        appraisal.phase = AppraisalPhase::AwaitingCommission {
            selection: Selection {
                agencies: drawn.clone(),
                how: SelectionHow::Drawn { lottery: record.clone() },
            },
            position: 0,
        };
        draft.outcome(Outcome::LotteryDrawn {
            seed: record.seed,
            drawn: drawn.clone(),
        });
        draft.outcome(Outcome::AgenciesSelected { agencies: drawn });
        Ok(draft.finish(self))
    }

    /// REF-20, REF-22: commissions the next agency in order; its report is due in 30 days.
    ///
    /// Checks, in order: the date; an agency to commission (`out_of_order`, REF-20); the next in order
    /// (`agency_not_next_in_order`, REF-20).
    pub fn commission_agency(
        mut self,
        command: CommissionAgency,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::CommissionAgency(command.clone()))?;
        let stage = self.stage.name();
        let appraisal = self.appraisal_mut("commission_agency", "REF-20")?;
        let AppraisalPhase::AwaitingCommission { selection, position } = &appraisal.phase else {
            return Err(ValuationError::out_of_order("commission_agency", stage, "REF-20"));
        };
        let expected = selection.agencies.get(*position).cloned().unwrap_or_default();
        if command.agency != expected {
            return Err(ValuationError::AgencyNotNextInOrder { expected });
        }
        let report_limit = TimeLimit::start(
            LimitKind::AppraisalReport,
            Some(expected.clone()),
            today,
            Period::Days(REPORT_DAYS),
            calendar,
        );
        draft.outcome(Outcome::AgencyCommissioned {
            agency: expected.clone(),
            due_date: report_limit.due_date,
        });
        appraisal.phase = AppraisalPhase::Commissioned {
            selection: selection.clone(),
            position: *position,
            commission: Commission {
                agency: expected,
                commissioned_on: today,
                report_limit,
                extension_request: None,
                extensions_granted: Vec::new(),
                extensions_denied: 0,
            },
        };
        Ok(draft.finish(self))
    }

    /// REF-23: the agency asks for more time, in writing.
    ///
    /// Checks, in order: the date; an agency at work (`out_of_order`, REF-23); no request waiting
    /// (`appraisal_extension_pending`, REF-23); fewer than two extensions granted
    /// (`appraisal_extension_limit_reached`, REF-23); 1 to 15 days (`appraisal_extension_out_of_range`, REF-23);
    /// at least 5 days before the deadline (`appraisal_extension_request_late`, REF-23).
    pub fn request_appraisal_extension(
        mut self,
        command: RequestAppraisalExtension,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RequestAppraisalExtension(command.clone()))?;
        let stage = self.stage.name();
        let appraisal = self.appraisal_mut("request_appraisal_extension", "REF-23")?;
        let AppraisalPhase::Commissioned { commission, .. } = &mut appraisal.phase else {
            return Err(ValuationError::out_of_order("request_appraisal_extension", stage, "REF-23"));
        };
        if commission.extension_request.is_some() {
            return Err(ValuationError::AppraisalExtensionPending);
        }
        if commission.extensions_granted.len() >= EXTENSIONS_MAX {
            return Err(ValuationError::AppraisalExtensionLimitReached);
        }
        if !(1..=EXTENSION_DAYS_MAX).contains(&command.days) {
            return Err(ValuationError::AppraisalExtensionOutOfRange { days: command.days });
        }
        // "在期限届满五日前": the request is on or before the deadline minus 5 days.
        let latest = commission.report_limit.due_date - chrono::Days::new(EXTENSION_NOTICE_DAYS.into());
        if today > latest {
            return Err(ValuationError::AppraisalExtensionRequestLate { latest });
        }
        commission.extension_request = Some(ExtensionRequest {
            on: today,
            days: command.days,
        });
        draft.notify(
            Audience::Judge,
            "REF-23",
            format!("agency {} asks {} more days for its report", commission.agency, command.days),
        );
        Ok(draft.finish(self))
    }

    /// REF-23: the court's decision on the request.
    ///
    /// Checks, in order: the date; an agency at work (`out_of_order`, REF-23); a request waiting
    /// (`no_extension_request`, REF-23); 1 day up to the days asked (`extension_exceeds_request`, REF-23).
    pub fn decide_appraisal_extension(
        mut self,
        command: DecideAppraisalExtension,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::DecideAppraisalExtension(command.clone()))?;
        let stage = self.stage.name();
        let appraisal = self.appraisal_mut("decide_appraisal_extension", "REF-23")?;
        let AppraisalPhase::Commissioned { commission, .. } = &mut appraisal.phase else {
            return Err(ValuationError::out_of_order("decide_appraisal_extension", stage, "REF-23"));
        };
        let Some(request) = commission.extension_request else {
            return Err(ValuationError::NoExtensionRequest { rule: "REF-23" });
        };
        if let Some(days) = command.granted_days {
            if days == 0 || days > request.days {
                return Err(ValuationError::ExtensionExceedsRequest { requested: request.days });
            }
            commission.report_limit.extend_from_due(days, calendar);
            commission.extensions_granted.push(days);
        } else {
            commission.extensions_denied += 1;
        }
        commission.extension_request = None;
        draft.outcome(Outcome::AppraisalExtensionDecided {
            granted_days: command.granted_days,
            due_date: commission.report_limit.due_date,
        });
        Ok(draft.finish(self))
    }

    /// The agency's report (REF-22), its explanation or correction (REF-26), or its reissue (REF-25). The report
    /// then goes to service and objections.
    ///
    /// Checks, in order: the date; a report expected (`out_of_order`, REF-22); an amount above zero
    /// (`amount_not_positive`, REF-22); a validity of 1 to 12 months (`validity_out_of_range`, REF-33); in time
    /// (`appraisal_report_late`, REF-24: a late agency is replaced, its report is not used).
    pub fn record_appraisal_report(
        mut self,
        command: RecordAppraisalReport,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordAppraisalReport(command.clone()))?;
        let stage = self.stage.name();
        let recipients = self.recipients.clone();
        let appraisal = self.appraisal_mut("record_appraisal_report", "REF-22")?;
        let (selection, position, agency, limit, reissued) = match &appraisal.phase {
            AppraisalPhase::Commissioned {
                selection,
                position,
                commission,
            } => (selection, *position, commission.agency.clone(), &commission.report_limit, false),
            AppraisalPhase::CorrectionRequested {
                selection,
                position,
                report,
                limit,
                ..
            } => (selection, *position, report.agency.clone(), limit, report.reissued),
            AppraisalPhase::Reissuing {
                selection,
                position,
                previous,
                limit,
            } => (selection, *position, previous.agency.clone(), limit, true),
            AppraisalPhase::Selecting { .. }
            | AppraisalPhase::LotteryCommitted { .. }
            | AppraisalPhase::AwaitingCommission { .. }
            | AppraisalPhase::Reviewing { .. } => return Err(ValuationError::out_of_order("record_appraisal_report", stage, "REF-22")),
        };
        check_reported_result(command.amount, command.validity_months, "REF-22")?;
        if !limit.allows(today) {
            return Err(ValuationError::AppraisalReportLate { due: limit.due_date });
        }
        draft.meet(limit.key());
        let report = AppraisalReport {
            agency,
            amount: command.amount,
            validity_months: command.validity_months,
            received_on: today,
            reissued,
        };
        draft.outcome(Outcome::ReportReceived {
            source: report.agency.clone(),
            amount: report.amount,
        });
        appraisal.phase = AppraisalPhase::Reviewing {
            selection: selection.clone(),
            position,
            report,
            review: Review::new(today, &recipients, calendar),
        };
        Ok(draft.finish(self))
    }

    /// REF-26: the court's review asks for a written explanation or correction within 3 days, before the report is
    /// served.
    ///
    /// Checks, in order: the date; a report under review (`out_of_order`, REF-26); at least one finding
    /// (`review_findings_missing`, REF-26); not yet served on anyone (`report_already_served`, REF-26).
    pub fn request_report_correction(
        mut self,
        command: RequestReportCorrection,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RequestReportCorrection(command.clone()))?;
        let stage = self.stage.name();
        let appraisal = self.appraisal_mut("request_report_correction", "REF-26")?;
        let AppraisalPhase::Reviewing {
            selection,
            position,
            report,
            review,
        } = &appraisal.phase
        else {
            return Err(ValuationError::out_of_order("request_report_correction", stage, "REF-26"));
        };
        if command.findings.is_empty() {
            return Err(ValuationError::ReviewFindingsMissing);
        }
        if review.service.any_served() {
            return Err(ValuationError::ReportAlreadyServed);
        }
        let limit = TimeLimit::start(
            LimitKind::AgencyCorrection,
            Some(report.agency.clone()),
            today,
            Period::Days(CORRECTION_DAYS),
            calendar,
        );
        draft.outcome(Outcome::CorrectionRequestedFromAgency {
            agency: report.agency.clone(),
            due_date: limit.due_date,
        });
        appraisal.phase = AppraisalPhase::CorrectionRequested {
            selection: selection.clone(),
            position: *position,
            report: report.clone(),
            findings: command.findings,
            limit,
        };
        Ok(draft.finish(self))
    }

    /// REF-24: the current agency drops out; the next in order takes over, or a new selection follows (Q4).
    ///
    /// Checks, in order: the date; an agency at work (`out_of_order`, REF-24); a reason that fits its step
    /// (`agency_failure_reason_not_applicable`, REF-24); for lateness, the deadline passed (`agency_not_overdue`,
    /// REF-24) and no extension request waiting (`appraisal_extension_pending`, REF-23).
    pub fn record_agency_failure(
        mut self,
        command: RecordAgencyFailure,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordAgencyFailure(command.clone()))?;
        let stage = self.stage.name();
        let appraisal = self.appraisal_mut("record_agency_failure", "REF-24")?;
        let overdue = |limit: &TimeLimit| {
            if limit.allows(today) {
                Err(ValuationError::AgencyNotOverdue { due: limit.due_date })
            } else {
                Ok(())
            }
        };
        match (&appraisal.phase, command.reason) {
            (AppraisalPhase::Commissioned { .. }, AgencyFailureReason::Declined) => {}
            (AppraisalPhase::Commissioned { commission, .. }, AgencyFailureReason::ReportOverdue) => {
                overdue(&commission.report_limit)?;
                if commission.extension_request.is_some() {
                    return Err(ValuationError::AppraisalExtensionPending);
                }
            }
            (AppraisalPhase::CorrectionRequested { limit, .. }, AgencyFailureReason::CorrectionOverdue) => overdue(limit)?,
            (AppraisalPhase::Reissuing { .. }, AgencyFailureReason::Declined) => {}
            (AppraisalPhase::Reissuing { limit, .. }, AgencyFailureReason::ReissueOverdue) => overdue(limit)?,
            (AppraisalPhase::Reviewing { review, .. }, AgencyFailureReason::CorrectionOverdue) => {
                // REF-24 / REF-32: a correction ordered after an objection that did not come in time.
                let earliest = review
                    .objections
                    .iter()
                    .filter_map(|objection| match &objection.status {
                        ObjectionStatus::AwaitingCorrection { limit } => Some(limit),
                        _ => None,
                    })
                    .min_by_key(|limit| limit.due_date);
                match earliest {
                    Some(limit) => overdue(limit)?,
                    None => return Err(ValuationError::AgencyFailureReasonNotApplicable),
                }
            }
            (AppraisalPhase::Selecting { .. } | AppraisalPhase::LotteryCommitted { .. } | AppraisalPhase::AwaitingCommission { .. }, _) => {
                return Err(ValuationError::out_of_order("record_agency_failure", stage, "REF-24"))
            }
            (
                AppraisalPhase::Commissioned { .. }
                | AppraisalPhase::CorrectionRequested { .. }
                | AppraisalPhase::Reissuing { .. }
                | AppraisalPhase::Reviewing { .. },
                _,
            ) => return Err(ValuationError::AgencyFailureReasonNotApplicable),
        }
        if let Some(review) = appraisal.review_mut() {
            let moot = review.make_moot(today, |_| true);
            if !moot.is_empty() {
                draft.outcome(Outcome::ObjectionsMoot { objections: moot });
            }
        }
        appraisal.replace_agency(command.reason, today, calendar, &mut draft);
        Ok(draft.finish(self))
    }

    /// REF-24: a replaced agency returned the materials.
    ///
    /// Checks, in order: the date; an appraisal, or a price from one (`out_of_order`, REF-24); materials due from that agency
    /// (`no_materials_due`, REF-24).
    pub fn record_materials_returned(
        mut self,
        command: RecordMaterialsReturned,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordMaterialsReturned(command.clone()))?;
        // Materials kept after their appraisal was left behind come back whatever the stage.
        if let Some(materials) = self
            .materials_out
            .iter_mut()
            .find(|materials| materials.agency == command.agency && materials.returned_on.is_none())
        {
            materials.returned_on = Some(today);
            draft.meet(materials.limit.key());
            return Ok(draft.finish(self));
        }
        let stage = self.stage.name();
        // The materials of a replaced agency may still be out after the price is fixed.
        let appraisal = match &mut self.stage {
            Stage::Appraisal(appraisal) => appraisal,
            Stage::Fixed(fixed) => match &mut fixed.origin {
                PriceOrigin::Appraisal { appraisal } => appraisal,
                PriceOrigin::Negotiation
                | PriceOrigin::AgreedDuringProcedure { .. }
                | PriceOrigin::DirectedInquiry { .. }
                | PriceOrigin::OnlineInquiry { .. } => {
                    return Err(ValuationError::out_of_order("record_materials_returned", stage, "REF-24"))
                }
            },
            Stage::ChoosingMethod
            | Stage::Negotiation(_)
            | Stage::DirectedInquiry(_)
            | Stage::OnlineInquiry(_)
            | Stage::Suspended(_)
            | Stage::Withdrawn(_) => return Err(ValuationError::out_of_order("record_materials_returned", stage, "REF-24")),
        };
        let Some(materials) = appraisal
            .materials
            .iter_mut()
            .find(|materials| materials.agency == command.agency && materials.returned_on.is_none())
        else {
            return Err(ValuationError::NoMaterialsDue { agency: command.agency });
        };
        materials.returned_on = Some(today);
        draft.meet(materials.limit.key());
        Ok(draft.finish(self))
    }

    /// `fix_reference_price` for appraisal (REF-32): the corrected result if an objection or review led to one,
    /// else the report's result.
    pub(crate) fn conclude_appraisal_review(
        mut self,
        mut draft: Draft,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let stage = self.stage.name();
        let Stage::Appraisal(appraisal) = std::mem::replace(&mut self.stage, Stage::ChoosingMethod) else {
            return Err(ValuationError::out_of_order("fix_reference_price", stage, "REF-32"));
        };
        let AppraisalPhase::Reviewing { report, review, .. } = &appraisal.phase else {
            return Err(ValuationError::out_of_order("fix_reference_price", stage, "REF-32"));
        };
        review.check_concluded(today)?;
        // REF-32: the last correction wins; corrections are recorded in date order.
        let amount = review
            .objections
            .iter()
            .filter_map(|objection| match &objection.status {
                ObjectionStatus::Corrected { on, amount } => Some((*on, objection.id, *amount)),
                _ => None,
            })
            .max()
            .map(|(_, _, amount)| amount)
            .unwrap_or(report.amount);
        let result = SourceResult {
            source: report.agency.clone(),
            amount,
            reported_on: report.received_on,
            validity_months: report.validity_months,
        };
        let Some(price) = ReferencePrice::from_results(Method::Appraisal, vec![result], today, report.reissued, calendar) else {
            return Err(ValuationError::out_of_order("fix_reference_price", stage, "REF-32"));
        };
        draft.price_fixed(&price);
        self.stage = Stage::Fixed(Box::new(Fixed::new(price, PriceOrigin::Appraisal { appraisal }, today, calendar)));
        Ok(draft.finish(self))
    }
}
