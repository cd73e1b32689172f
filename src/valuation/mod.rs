//! REF: the reference-price lifecycle of one seized asset (财产处置参考价, 法释〔2018〕15号; item 16 of the 2021
//! opinion). Pure: no HTTP, no SQL, no clock. Every transition takes the lifecycle, a command, the local China date
//! of the event (`today`) and the legal calendar, and returns the new lifecycle with its effects and its audit
//! event, or a `ValuationError` naming the rule it enforces.
//!
//! ```text
//! start (REF-1 met) → choosing a method ──► negotiation (REF-4) ─────────────┐ price
//!     pre-check (REF-3)   │ fall-through order, joint requests (REF-37)        │
//!                         ├─► directed inquiry (REF-6, REF-7) ─────────────────┤ price (served, no objection, REF-5)
//!                         ├─► online inquiry (REF-8 … REF-16) ─ review ────────┤ average (REF-16)
//!                         └─► appraisal (REF-17 … REF-26) ─── review ──────────┤ result (REF-32)
//!                                                                              ▼
//!   suspended (REF-34) ⇄ any running stage          fixed: disposal within 10 days (REF-36), validity ≤ 12 months
//!   withdrawn (REF-35): the only dead end           and a 6-month grace (REF-33); lapsed → reissue (REF-14, REF-25)
//! ```
//!
//! The lifecycle is `Valuation`: the facts every stage shares (the asset, the recipients of reports, the pre-check,
//! the failed methods) and `stage`, the enum whose variants carry each stage's data. Transitions are methods named
//! with the law's verbs; `Valuation::apply` dispatches a `Command` to them, so a stored event can be replayed.
//! Every transition checks the date first, then the stage, then its own conditions (see `error`), and changes
//! nothing when it refuses.
//!
//! Node effects are not written by hand: a transition changes the time limits inside the stage's data, and
//! `Draft::finish` compares the open limits before and after (`limits::node_effects`). The nodes therefore always
//! match the state, and a suspension pauses exactly what was running.

mod appraisal;
mod error;
mod facts;
mod fees;
pub(crate) mod limits;
mod lottery;
mod negotiation;
mod online;
mod price;
mod procedure;
mod review;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::money::Money;

pub use appraisal::{
    AgencyFailureReason, Appraisal, AppraisalPhase, AppraisalReport, Commission, CommissionAgency, CommitAgencyLottery,
    DecideAppraisalExtension, DrawAppraisalAgencies, ExtensionRequest, FailedAgency, MaterialsReturn, OpenAppraisal, RecordAgencyFailure,
    RecordAgreedAgencies, RecordAppraisalReport, RecordMaterialsReturned, RequestAppraisalExtension, RequestReportCorrection,
    ReviewFinding, Selection, SelectionHow,
};
pub use error::ValuationError;
pub use facts::{AssetFacts, Basis, FailedMethod, FailureReason, Method, NegotiationImpossible, Precheck};
pub use fees::{
    appraisal_fee, appraisal_fee_base, online_inquiry_fee_shares, reissue_fee, split_equally, AppraisalFeeCase, FeeBase, FeeShare,
    OnlineFeeCase, Sale, FEES_ADVANCED_BY, FEES_BORNE_BY,
};
pub use limits::{Audience, Effect, LimitKind, NodeKey, Notice, OpenLimit, TimeLimit};
pub use lottery::{draw, parse_hex_32, seed_commitment, LotteryCommitment, LotteryReason, LotteryRecord};
pub use negotiation::{
    DirectedInquiry, DirectedResult, Negotiation, OpenDirectedInquiry, OpenNegotiation, RecordDirectedResult, RecordNegotiationResult,
};
pub use online::{
    CloseOnlineInquiryWindow, DecidePlatformExtensions, OnlineInquiry, OnlinePhase, PlatformCorrection, PlatformExtension, PlatformInquiry,
    PlatformReport, RecordPlatformReport, RequestPlatformExtension, SendOnlineInquiry,
};
pub use price::{
    average, needs_new_reference_price, Average, DecideSupervisionObjection, DisposalKind, DisposalStarted, FileSupervisionObjection,
    Fixed, LapseValidity, PriceOrigin, RecordDisposalStart, RecordSaleStart, ReferencePrice, SourceResult, SupervisionGround,
    SupervisionObjection,
};
pub use procedure::{
    RecordNegotiationImpossible, RecordPrecheck, Resume, StartValuation, Suspend, Suspension, SuspensionGround, Withdraw, Withdrawal,
    WithdrawalGround,
};
pub use review::{
    DecideObjection, FileObjection, FixReferencePrice, ForwardObjection, Objection, ObjectionGround, ObjectionStatus, ObjectionTarget,
    RecipientService, RecordAgencyExplanation, RecordCorrectedResult, RecordIndustryReview, ReferToIndustryReview, Review, ServeReport,
    Served, Service, ServiceMeans,
};

/// The reference-price lifecycle of one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Valuation {
    pub asset: AssetFacts,
    /// The parties and interested persons: reports are served on them (REF-27), and they may object (REF-28).
    pub recipients: Vec<String>,
    pub started_on: NaiveDate,
    /// The date of the last recorded event; commands are recorded in date order.
    pub last_event_on: NaiveDate,
    /// REF-3: recorded before any method runs.
    pub precheck: Option<Precheck>,
    /// REF-37: the methods that failed or were impossible, in order.
    pub failed_methods: Vec<FailedMethod>,
    /// Objection ids are unique within the valuation.
    pub next_objection_id: u32,
    pub stage: Stage,
    /// REF-24: materials of replaced agencies still due back after the appraisal they belonged to was left behind
    /// (a withdrawal, an upheld supervision objection, a lapsed validity, a price agreed during the procedure). The
    /// duty to return them outlives the stage, so their nodes stay open until they come back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials_out: Vec<MaterialsReturn>,
}

/// Where the procedure stands. Adding a variant breaks every exhaustive match that must decide about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// The next method is to be chosen (REF-3 pre-check first, REF-37 order).
    ChoosingMethod,
    Negotiation(Negotiation),
    DirectedInquiry(DirectedInquiry),
    OnlineInquiry(Box<OnlineInquiry>),
    Appraisal(Box<Appraisal>),
    /// REF-34: the stage in `paused` is suspended.
    Suspended(Suspension),
    /// The reference price is fixed (REF-4, REF-7, REF-16, REF-32).
    Fixed(Box<Fixed>),
    /// REF-35: the documented dead end.
    Withdrawn(Withdrawal),
}

impl Stage {
    pub fn name(&self) -> &'static str {
        match self {
            Stage::ChoosingMethod => "choosing_method",
            Stage::Negotiation(_) => "negotiation",
            Stage::DirectedInquiry(_) => "directed_inquiry",
            Stage::OnlineInquiry(_) => "online_inquiry",
            Stage::Appraisal(_) => "appraisal",
            Stage::Suspended(_) => "suspended",
            Stage::Fixed(_) => "fixed",
            Stage::Withdrawn(_) => "withdrawn",
        }
    }

    /// Visits every time limit the stage is waiting on: the one place that says which limits are open.
    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        match self {
            Stage::ChoosingMethod | Stage::Withdrawn(_) => {}
            Stage::Negotiation(negotiation) => negotiation.for_each_open_limit(visit),
            Stage::DirectedInquiry(inquiry) => inquiry.for_each_open_limit(visit),
            Stage::OnlineInquiry(inquiry) => inquiry.for_each_open_limit(visit),
            Stage::Appraisal(appraisal) => appraisal.for_each_open_limit(visit),
            Stage::Suspended(suspension) => suspension.paused.for_each_open_limit(visit),
            Stage::Fixed(fixed) => fixed.for_each_open_limit(visit),
        }
    }
}

/// A command, as the engine receives it and the audit log records it. `Valuation::apply` runs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    Start(StartValuation),
    RecordPrecheck(RecordPrecheck),
    RecordNegotiationImpossible(RecordNegotiationImpossible),
    OpenNegotiation(OpenNegotiation),
    RecordNegotiationResult(RecordNegotiationResult),
    OpenDirectedInquiry(OpenDirectedInquiry),
    RecordDirectedResult(RecordDirectedResult),
    SendOnlineInquiry(SendOnlineInquiry),
    RecordPlatformReport(RecordPlatformReport),
    RequestPlatformExtension(RequestPlatformExtension),
    DecidePlatformExtensions(DecidePlatformExtensions),
    CloseOnlineInquiryWindow(CloseOnlineInquiryWindow),
    OpenAppraisal(OpenAppraisal),
    RecordAgreedAgencies(RecordAgreedAgencies),
    CommitAgencyLottery(CommitAgencyLottery),
    DrawAppraisalAgencies(DrawAppraisalAgencies),
    CommissionAgency(CommissionAgency),
    RequestAppraisalExtension(RequestAppraisalExtension),
    DecideAppraisalExtension(DecideAppraisalExtension),
    RecordAppraisalReport(RecordAppraisalReport),
    RequestReportCorrection(RequestReportCorrection),
    RecordAgencyFailure(RecordAgencyFailure),
    RecordMaterialsReturned(RecordMaterialsReturned),
    ServeReport(ServeReport),
    FileObjection(FileObjection),
    DecideObjection(DecideObjection),
    ForwardObjection(ForwardObjection),
    RecordAgencyExplanation(RecordAgencyExplanation),
    ReferToIndustryReview(ReferToIndustryReview),
    RecordIndustryReview(RecordIndustryReview),
    RecordCorrectedResult(RecordCorrectedResult),
    FixReferencePrice(FixReferencePrice),
    RecordDisposalStart(RecordDisposalStart),
    RecordSaleStart(RecordSaleStart),
    FileSupervisionObjection(FileSupervisionObjection),
    DecideSupervisionObjection(DecideSupervisionObjection),
    LapseValidity(LapseValidity),
    Suspend(Suspend),
    Resume(Resume),
    Withdraw(Withdraw),
}

/// What the domain decided, beyond what the command says: the audit log's record of the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// REF-1: started; `late` when after the 30 days.
    ProcedureStarted {
        start_due: NaiveDate,
        late: bool,
    },
    MethodOpened {
        method: Method,
        basis: Basis,
    },
    MethodFailed {
        method: Method,
        reason: FailureReason,
    },
    PlatformExtensionsGranted {
        platforms: Vec<String>,
        due_date: NaiveDate,
    },
    PlatformExtensionsDenied {
        platforms: Vec<String>,
    },
    CorrectionsRequested {
        platforms: Vec<String>,
        due_date: NaiveDate,
    },
    ReportsAccepted {
        valid: Vec<String>,
        late: Vec<String>,
        defective: Vec<String>,
    },
    AgenciesSelected {
        agencies: Vec<String>,
    },
    LotteryCommitted {
        seed_sha256: String,
        candidates: Vec<String>,
    },
    LotteryDrawn {
        seed: String,
        drawn: Vec<String>,
    },
    AgencyCommissioned {
        agency: String,
        due_date: NaiveDate,
    },
    AppraisalExtensionDecided {
        granted_days: Option<u32>,
        due_date: NaiveDate,
    },
    ReportReceived {
        source: String,
        amount: Money,
    },
    CorrectionRequestedFromAgency {
        agency: String,
        due_date: NaiveDate,
    },
    /// REF-24: `next_agency` is `None` when all three failed and a new selection follows (Q4).
    AgencyFailed {
        agency: String,
        reason: AgencyFailureReason,
        next_agency: Option<String>,
    },
    NewSelectionRequired {
        round: u32,
    },
    RecipientServed {
        recipient: String,
        received_on: NaiveDate,
        objection_due: NaiveDate,
    },
    ObjectionStep {
        objection: u32,
        status: String,
    },
    ObjectionsMoot {
        objections: Vec<u32>,
    },
    ReferencePriceFixed {
        method: Method,
        amount: Money,
        #[serde(with = "rust_decimal::serde::str")]
        exact_yuan: Decimal,
        sources: Vec<String>,
        validity_ends_on: NaiveDate,
        grace_ends_on: NaiveDate,
    },
    /// REF-31: a supervision objection was upheld.
    ReferencePriceSetAside,
    /// REF-33: `reissue_due` is the REF-14 / REF-25 deadline, `None` when a new price is determined instead.
    ValidityLapsed {
        reissue_due: Option<NaiveDate>,
    },
    Resumed {
        paused_days: u32,
    },
}

/// The audit record of one transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The local China date of the event (the command's `today`).
    pub on: NaiveDate,
    pub command: Command,
    pub outcomes: Vec<Outcome>,
    /// The stage after the transition.
    pub stage: String,
}

/// The result of a transition: the new lifecycle, what the engine must do, and what the audit log records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub state: Valuation,
    pub effects: Vec<Effect>,
    pub event: Event,
}

/// A transition being built: what was open before, what the transition says happened.
pub(crate) struct Draft {
    today: NaiveDate,
    command: Command,
    before: Vec<OpenLimit>,
    met: BTreeSet<NodeKey>,
    outcomes: Vec<Outcome>,
    leading: Vec<Effect>,
    notices: Vec<Notice>,
    paused_days: u32,
}

impl Draft {
    pub(crate) fn meet(&mut self, key: NodeKey) {
        self.met.insert(key);
    }

    pub(crate) fn outcome(&mut self, outcome: Outcome) {
        self.outcomes.push(outcome);
    }

    pub(crate) fn effect(&mut self, effect: Effect) {
        self.leading.push(effect);
    }

    pub(crate) fn notify(&mut self, audience: Audience, rule: &'static str, message: String) {
        self.notices.push(Notice {
            audience,
            rule: rule.to_string(),
            message,
        });
    }

    pub(crate) fn notify_judge(&mut self, rule: &'static str, message: String) {
        self.notify(Audience::Judge, rule, message);
    }

    pub(crate) fn resumed(&mut self, paused_days: u32) {
        self.paused_days = paused_days;
    }

    /// Records a fixed price and tells the parties (REF-36: the disposal follows within 10 days).
    pub(crate) fn price_fixed(&mut self, price: &ReferencePrice) {
        self.outcome(Outcome::ReferencePriceFixed {
            method: price.method,
            amount: price.amount,
            exact_yuan: price.exact_yuan,
            sources: price.results.iter().map(|result| result.source.clone()).collect(),
            validity_ends_on: price.validity_ends_on,
            grace_ends_on: price.grace_ends_on,
        });
        self.notify(
            Audience::Parties,
            "REF-36",
            format!(
                "the reference price is {} yuan, valid until {}",
                price.amount, price.validity_ends_on
            ),
        );
    }

    /// The transition: node effects from the open limits before and after, then the notices, and the event.
    pub(crate) fn finish(self, mut state: Valuation) -> Transition {
        state.last_event_on = self.today;
        state.keep_materials_out(&self.before, &self.met);
        let after = state.open_limits();
        let mut effects = self.leading;
        effects.extend(limits::node_effects(&self.before, &after, &self.met, self.paused_days));
        effects.extend(self.notices.into_iter().map(Effect::Notify));
        Transition {
            event: Event {
                on: self.today,
                command: self.command,
                outcomes: self.outcomes,
                stage: state.stage.name().to_string(),
            },
            state,
            effects,
        }
    }
}

impl Valuation {
    /// Starts a transition: refuses a date before the last event (`date_before_last_event`), and remembers the open
    /// limits to compare with afterwards.
    pub(crate) fn draft(&self, today: NaiveDate, command: Command) -> Result<Draft, ValuationError> {
        if today < self.last_event_on {
            return Err(ValuationError::DateBeforeLastEvent {
                today,
                last_event_on: self.last_event_on,
            });
        }
        Ok(Draft {
            today,
            command,
            before: self.open_limits(),
            met: BTreeSet::new(),
            outcomes: Vec::new(),
            leading: Vec::new(),
            notices: Vec::new(),
            paused_days: 0,
        })
    }

    /// The time limits the procedure is waiting on, paused while it is suspended. The engine's open nodes for this
    /// asset's valuation are exactly these (checked by the property tests).
    pub fn open_limits(&self) -> Vec<OpenLimit> {
        let paused = matches!(self.stage, Stage::Suspended(_));
        let mut stage = self.stage.clone();
        let mut limits = Vec::new();
        stage.for_each_open_limit(&mut |limit| {
            limits.push(OpenLimit {
                limit: limit.clone(),
                paused,
            })
        });
        limits.extend(
            self.materials_out
                .iter()
                .filter(|materials| materials.returned_on.is_none())
                .map(|materials| OpenLimit {
                    limit: materials.limit.clone(),
                    paused: false,
                }),
        );
        limits
    }

    /// REF-24: a materials-return limit that was open before a transition and is neither met nor open afterwards was
    /// dropped with its stage; it is kept on the valuation instead, since the agency still owes the materials.
    fn keep_materials_out(&mut self, before: &[OpenLimit], met: &BTreeSet<NodeKey>) {
        let still_open: BTreeSet<NodeKey> = self.open_limits().iter().map(|open| open.limit.key()).collect();
        for open in before {
            let key = open.limit.key();
            if open.limit.kind == LimitKind::MaterialsReturn && !met.contains(&key) && !still_open.contains(&key) {
                self.materials_out.push(MaterialsReturn {
                    agency: open.limit.subject.clone().unwrap_or_default(),
                    limit: open.limit.clone(),
                    returned_on: None,
                });
            }
        }
    }

    /// The fixed reference price, if the procedure has reached one.
    pub fn reference_price(&self) -> Option<&ReferencePrice> {
        match &self.stage {
            Stage::Fixed(fixed) => Some(&fixed.price),
            Stage::ChoosingMethod
            | Stage::Negotiation(_)
            | Stage::DirectedInquiry(_)
            | Stage::OnlineInquiry(_)
            | Stage::Appraisal(_)
            | Stage::Suspended(_)
            | Stage::Withdrawn(_) => None,
        }
    }

    /// Runs a command. `Command::Start` is refused here (`procedure_already_started`): use `Valuation::start`.
    pub fn apply(self, command: Command, today: NaiveDate, calendar: &Calendar) -> Result<Transition, ValuationError> {
        match command {
            Command::Start(_) => Err(ValuationError::ProcedureAlreadyStarted),
            Command::RecordPrecheck(command) => self.record_precheck(command, today, calendar),
            Command::RecordNegotiationImpossible(command) => self.record_negotiation_impossible(command, today, calendar),
            Command::OpenNegotiation(command) => self.open_negotiation(command, today, calendar),
            Command::RecordNegotiationResult(command) => self.record_negotiation_result(command, today, calendar),
            Command::OpenDirectedInquiry(command) => self.open_directed_inquiry(command, today, calendar),
            Command::RecordDirectedResult(command) => self.record_directed_result(command, today, calendar),
            Command::SendOnlineInquiry(command) => self.send_online_inquiry(command, today, calendar),
            Command::RecordPlatformReport(command) => self.record_platform_report(command, today, calendar),
            Command::RequestPlatformExtension(command) => self.request_platform_extension(command, today, calendar),
            Command::DecidePlatformExtensions(command) => self.decide_platform_extensions(command, today, calendar),
            Command::CloseOnlineInquiryWindow(command) => self.close_online_inquiry_window(command, today, calendar),
            Command::OpenAppraisal(command) => self.open_appraisal(command, today, calendar),
            Command::RecordAgreedAgencies(command) => self.record_agreed_agencies(command, today, calendar),
            Command::CommitAgencyLottery(command) => self.commit_agency_lottery(command, today, calendar),
            Command::DrawAppraisalAgencies(command) => self.draw_appraisal_agencies(command, today, calendar),
            Command::CommissionAgency(command) => self.commission_agency(command, today, calendar),
            Command::RequestAppraisalExtension(command) => self.request_appraisal_extension(command, today, calendar),
            Command::DecideAppraisalExtension(command) => self.decide_appraisal_extension(command, today, calendar),
            Command::RecordAppraisalReport(command) => self.record_appraisal_report(command, today, calendar),
            Command::RequestReportCorrection(command) => self.request_report_correction(command, today, calendar),
            Command::RecordAgencyFailure(command) => self.record_agency_failure(command, today, calendar),
            Command::RecordMaterialsReturned(command) => self.record_materials_returned(command, today, calendar),
            Command::ServeReport(command) => self.serve_report(command, today, calendar),
            Command::FileObjection(command) => self.file_objection(command, today, calendar),
            Command::DecideObjection(command) => self.decide_objection(command, today, calendar),
            Command::ForwardObjection(command) => self.forward_objection(command, today, calendar),
            Command::RecordAgencyExplanation(command) => self.record_agency_explanation(command, today, calendar),
            Command::ReferToIndustryReview(command) => self.refer_to_industry_review(command, today, calendar),
            Command::RecordIndustryReview(command) => self.record_industry_review(command, today, calendar),
            Command::RecordCorrectedResult(command) => self.record_corrected_result(command, today, calendar),
            Command::FixReferencePrice(command) => self.fix_reference_price(command, today, calendar),
            Command::RecordDisposalStart(command) => self.record_disposal_start(command, today, calendar),
            Command::RecordSaleStart(command) => self.record_sale_start(command, today, calendar),
            Command::FileSupervisionObjection(command) => self.file_supervision_objection(command, today, calendar),
            Command::DecideSupervisionObjection(command) => self.decide_supervision_objection(command, today, calendar),
            Command::LapseValidity(command) => self.lapse_validity(command, today, calendar),
            Command::Suspend(command) => self.suspend(command, today, calendar),
            Command::Resume(command) => self.resume(command, today, calendar),
            Command::Withdraw(command) => self.withdraw(command, today, calendar),
        }
    }
}
