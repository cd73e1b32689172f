//! Every refusal of the reference-price lifecycle: a closed list of stable `snake_case` codes, each with the rule it
//! enforces (STYLE habit 4). `code()` and `rule()` are what the HTTP edge puts in its error envelope.
//!
//! Every transition checks, in this order, and returns the first refusal it meets:
//! 1. the date: not before the last recorded event (`date_before_last_event`);
//! 2. the stage: the command belongs to the current stage (`out_of_order`, naming the rule that sets the order);
//! 3. the command's own checks, in the order listed on each transition's documentation.
//!
//! `rule()` is "DESIGN" where no rule of law exists and the check only keeps the record consistent.

use chrono::NaiveDate;

use super::facts::Method;
use super::review::{ObjectionGround, ObjectionTarget};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValuationError {
    #[error("{command} is not allowed while the valuation is {stage}")]
    OutOfOrder {
        command: &'static str,
        stage: &'static str,
        rule: &'static str,
    },
    #[error("the date {today} is before the last recorded event ({last_event_on}); events are recorded in date order")]
    DateBeforeLastEvent { today: NaiveDate, last_event_on: NaiveDate },
    #[error("the valuation has already started")]
    ProcedureAlreadyStarted,
    #[error("the asset is not to be auctioned or sold off, so it needs no reference price")]
    AssetNotForSale,
    #[error("the procedure cannot start before the seizure ({seizure_date})")]
    DateBeforeSeizure { seizure_date: NaiveDate },
    #[error("at least one party or interested person must be named, to serve reports on")]
    RecipientsMissing,
    #[error("recipient '{recipient}' is empty or named twice")]
    RecipientInvalid { recipient: String },
    #[error("the pre-check finding '{field}' is missing; every finding of REF-3 must be recorded")]
    PrecheckIncomplete { field: &'static str },
    #[error("record the pre-check of title, encumbrances, occupancy, tax arrears and defects first")]
    PrecheckMissing,
    #[error("{} has already been tried", method.as_str())]
    MethodAlreadyTried { method: Method },
    #[error("a law or administrative regulation requires appraisal; {} cannot be used", method.as_str())]
    AppraisalRequiredByLaw { method: Method },
    #[error("{} does not apply to this asset", method.as_str())]
    MethodNotApplicable { method: Method, rule: &'static str },
    #[error("{} comes after {}, which has not failed", method.as_str(), earlier.as_str())]
    MethodOutOfOrder { method: Method, earlier: Method },
    #[error("the deadline {deadline} must lie 1 to 365 days after today")]
    DeadlineOutOfRange { deadline: NaiveDate, rule: &'static str },
    #[error("the amount must be more than zero")]
    AmountNotPositive { rule: &'static str },
    #[error("a result's validity must be 1 to 12 months, not {months}")]
    ValidityOutOfRange { months: u32 },
    #[error("{field} must not be empty")]
    NameMissing { field: &'static str, rule: &'static str },
    #[error("the register of online-inquiry platforms is empty")]
    PlatformRegisterEmpty,
    #[error("platform '{platform}' is listed twice")]
    PlatformListedTwice { platform: String },
    #[error("platform '{platform}' was not sent this inquiry")]
    PlatformNotRequested { platform: String },
    #[error("platform '{platform}' has already delivered its report")]
    PlatformReportExists { platform: String },
    #[error("platform '{platform}' has already asked for an extension")]
    OnlineExtensionAlreadyRequested { platform: String },
    #[error("an extension must be asked before the period ends ({due})")]
    OnlineExtensionRequestLate { due: NaiveDate },
    #[error("another platform has delivered in time, so no extension is granted")]
    OnlineExtensionDeniedSomeDelivered { delivered: Vec<String> },
    #[error("there is no extension request to decide")]
    NoExtensionRequest { rule: &'static str },
    #[error("the reports are still due until {until}")]
    OnlineWindowStillOpen { until: NaiveDate },
    #[error("decide the platforms' extension requests first")]
    PlatformExtensionsUndecided,
    #[error("platform '{platform}' has no report in time to find defective")]
    DefectivePlatformUnknown { platform: String },
    #[error("platform '{platform}' was not asked to correct its report")]
    PlatformNotAskedToCorrect { platform: String },
    #[error("the parties' deadline to agree agencies passed on {due}")]
    AgreementDeadlinePassed { due: NaiveDate },
    #[error("the parties may still agree agencies until {until}")]
    AgreementWindowOpen { until: NaiveDate },
    #[error("the parties must agree exactly three different agencies, in order")]
    AgreedAgenciesInvalid,
    #[error("agency '{agency}' already failed in this procedure")]
    AgencyAlreadyFailed { agency: String },
    #[error("this reason for a lottery does not apply now")]
    LotteryReasonNotApplicable,
    #[error("the seed commitment must be a SHA-256 hash: 64 hex digits")]
    LotteryCommitmentMalformed,
    #[error("agency '{agency}' is listed twice in the sub-list")]
    CandidateListedTwice { agency: String },
    #[error("the sub-list has {eligible} eligible agencies; three are needed")]
    SubListTooSmall { eligible: usize },
    #[error("the seed must be 32 bytes written as 64 hex digits")]
    LotterySeedMalformed,
    #[error("the seed does not match the commitment recorded before the draw")]
    LotterySeedMismatch,
    #[error("the next agency in order is '{expected}'")]
    AgencyNotNextInOrder { expected: String },
    #[error("an extension request is waiting for the court's decision")]
    AppraisalExtensionPending,
    #[error("the report period has been extended twice already")]
    AppraisalExtensionLimitReached,
    #[error("an extension is 1 to 15 days, not {days}")]
    AppraisalExtensionOutOfRange { days: u32 },
    #[error("an extension must be asked at least 5 days before the deadline, by {latest}")]
    AppraisalExtensionRequestLate { latest: NaiveDate },
    #[error("the court can grant 1 to {requested} days, as asked")]
    ExtensionExceedsRequest { requested: u32 },
    #[error("the report was due by {due}; the agency is replaced instead")]
    AppraisalReportLate { due: NaiveDate },
    #[error("the agency is not overdue: its deadline is {due}")]
    AgencyNotOverdue { due: NaiveDate },
    #[error("this failure does not apply to the agency's current step")]
    AgencyFailureReasonNotApplicable,
    #[error("agency '{agency}' has no materials to return")]
    NoMaterialsDue { agency: String },
    #[error("name at least one finding of the court's review")]
    ReviewFindingsMissing,
    #[error("the report has been served already; it can no longer be sent back for correction")]
    ReportAlreadyServed,
    #[error("'{recipient}' is not a party or interested person of this valuation")]
    UnknownRecipient { recipient: String, rule: &'static str },
    #[error("'{recipient}' has been served already")]
    RecipientAlreadyServed { recipient: String },
    #[error("objections to a {} price are not accepted; the remedy is execution supervision", method.as_str())]
    ObjectionNotAcceptedForMethod { method: Method },
    #[error("objections against a {target:?} are not accepted")]
    ObjectionAgainstConclusion { target: ObjectionTarget },
    #[error("an objection must name at least one ground")]
    ObjectionGroundsMissing,
    #[error("the objection's target is not a report under review")]
    ObjectionTargetUnknown,
    #[error("the ground {ground:?} does not apply to this report")]
    ObjectionGroundNotAllowed { ground: ObjectionGround },
    #[error("the postmark date is after today")]
    PostmarkAfterToday,
    #[error("the objection period ended on {due}")]
    ObjectionLate { due: NaiveDate },
    #[error("the same objector has an open objection to this report ({objection})")]
    ObjectionExists { objection: u32 },
    #[error("there is no open objection {objection}")]
    ObjectionUnknown { objection: u32, rule: &'static str },
    #[error("objection {objection} is not waiting for {step}")]
    ObjectionNotAtStep {
        objection: u32,
        step: &'static str,
        rule: &'static str,
    },
    #[error("the agency may still explain until {due}")]
    ExplanationNotOverdue { due: NaiveDate },
    #[error("the report has not been served on '{recipient}'")]
    ServiceIncomplete { recipient: String },
    #[error("objections may still be filed until {until}")]
    ObjectionWindowOpen { until: NaiveDate },
    #[error("objections {objections:?} are still open")]
    ObjectionsPending { objections: Vec<u32> },
    #[error("the disposal started on {on}")]
    DisposalAlreadyStarted { on: NaiveDate },
    #[error("the reference price is no longer valid (validity ended {validity_ends_on})")]
    ReferencePriceExpired { validity_ends_on: NaiveDate },
    #[error("the reference price is still valid (validity ends {validity_ends_on}, grace {grace_ends_on})")]
    ReferencePriceStillValid {
        validity_ends_on: NaiveDate,
        grace_ends_on: NaiveDate,
    },
    #[error("the disposal has not started")]
    DisposalNotStarted,
    #[error("the sale has been recorded already")]
    SaleAlreadyRecorded,
    #[error("the first announcement or sell-off began on {disposal_started_on}; supervision objections are closed")]
    SupervisionObjectionClosed { disposal_started_on: NaiveDate },
    #[error("this ground allows a withdrawal only during an online inquiry or an appraisal")]
    WithdrawalGroundNotApplicable,
}

impl ValuationError {
    pub(crate) fn out_of_order(command: &'static str, stage: &'static str, rule: &'static str) -> Self {
        ValuationError::OutOfOrder { command, stage, rule }
    }

    /// The stable code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            ValuationError::OutOfOrder { .. } => "out_of_order",
            ValuationError::DateBeforeLastEvent { .. } => "date_before_last_event",
            ValuationError::ProcedureAlreadyStarted => "procedure_already_started",
            ValuationError::AssetNotForSale => "asset_not_for_sale",
            ValuationError::DateBeforeSeizure { .. } => "date_before_seizure",
            ValuationError::RecipientsMissing => "recipients_missing",
            ValuationError::RecipientInvalid { .. } => "recipient_invalid",
            ValuationError::PrecheckIncomplete { .. } => "precheck_incomplete",
            ValuationError::PrecheckMissing => "precheck_missing",
            ValuationError::MethodAlreadyTried { .. } => "method_already_tried",
            ValuationError::AppraisalRequiredByLaw { .. } => "appraisal_required_by_law",
            ValuationError::MethodNotApplicable { .. } => "method_not_applicable",
            ValuationError::MethodOutOfOrder { .. } => "method_out_of_order",
            ValuationError::DeadlineOutOfRange { .. } => "deadline_out_of_range",
            ValuationError::AmountNotPositive { .. } => "amount_not_positive",
            ValuationError::ValidityOutOfRange { .. } => "validity_out_of_range",
            ValuationError::NameMissing { .. } => "name_missing",
            ValuationError::PlatformRegisterEmpty => "platform_register_empty",
            ValuationError::PlatformListedTwice { .. } => "platform_listed_twice",
            ValuationError::PlatformNotRequested { .. } => "platform_not_requested",
            ValuationError::PlatformReportExists { .. } => "platform_report_exists",
            ValuationError::OnlineExtensionAlreadyRequested { .. } => "online_extension_already_requested",
            ValuationError::OnlineExtensionRequestLate { .. } => "online_extension_request_late",
            ValuationError::OnlineExtensionDeniedSomeDelivered { .. } => "online_extension_denied_some_delivered",
            ValuationError::NoExtensionRequest { .. } => "no_extension_request",
            ValuationError::OnlineWindowStillOpen { .. } => "online_window_still_open",
            ValuationError::PlatformExtensionsUndecided => "platform_extensions_undecided",
            ValuationError::DefectivePlatformUnknown { .. } => "defective_platform_unknown",
            ValuationError::PlatformNotAskedToCorrect { .. } => "platform_not_asked_to_correct",
            ValuationError::AgreementDeadlinePassed { .. } => "agreement_deadline_passed",
            ValuationError::AgreementWindowOpen { .. } => "agreement_window_open",
            ValuationError::AgreedAgenciesInvalid => "agreed_agencies_invalid",
            ValuationError::AgencyAlreadyFailed { .. } => "agency_already_failed",
            ValuationError::LotteryReasonNotApplicable => "lottery_reason_not_applicable",
            ValuationError::LotteryCommitmentMalformed => "lottery_commitment_malformed",
            ValuationError::CandidateListedTwice { .. } => "candidate_listed_twice",
            ValuationError::SubListTooSmall { .. } => "sub_list_too_small",
            ValuationError::LotterySeedMalformed => "lottery_seed_malformed",
            ValuationError::LotterySeedMismatch => "lottery_seed_mismatch",
            ValuationError::AgencyNotNextInOrder { .. } => "agency_not_next_in_order",
            ValuationError::AppraisalExtensionPending => "appraisal_extension_pending",
            ValuationError::AppraisalExtensionLimitReached => "appraisal_extension_limit_reached",
            ValuationError::AppraisalExtensionOutOfRange { .. } => "appraisal_extension_out_of_range",
            ValuationError::AppraisalExtensionRequestLate { .. } => "appraisal_extension_request_late",
            ValuationError::ExtensionExceedsRequest { .. } => "extension_exceeds_request",
            ValuationError::AppraisalReportLate { .. } => "appraisal_report_late",
            ValuationError::AgencyNotOverdue { .. } => "agency_not_overdue",
            ValuationError::AgencyFailureReasonNotApplicable => "agency_failure_reason_not_applicable",
            ValuationError::NoMaterialsDue { .. } => "no_materials_due",
            ValuationError::ReviewFindingsMissing => "review_findings_missing",
            ValuationError::ReportAlreadyServed => "report_already_served",
            ValuationError::UnknownRecipient { .. } => "unknown_recipient",
            ValuationError::RecipientAlreadyServed { .. } => "recipient_already_served",
            ValuationError::ObjectionNotAcceptedForMethod { .. } => "objection_not_accepted_for_method",
            ValuationError::ObjectionAgainstConclusion { .. } => "objection_against_conclusion",
            ValuationError::ObjectionGroundsMissing => "objection_grounds_missing",
            ValuationError::ObjectionTargetUnknown => "objection_target_unknown",
            ValuationError::ObjectionGroundNotAllowed { .. } => "objection_ground_not_allowed",
            ValuationError::PostmarkAfterToday => "postmark_after_today",
            ValuationError::ObjectionLate { .. } => "objection_late",
            ValuationError::ObjectionExists { .. } => "objection_exists",
            ValuationError::ObjectionUnknown { .. } => "objection_unknown",
            ValuationError::ObjectionNotAtStep { .. } => "objection_not_at_step",
            ValuationError::ExplanationNotOverdue { .. } => "explanation_not_overdue",
            ValuationError::ServiceIncomplete { .. } => "service_incomplete",
            ValuationError::ObjectionWindowOpen { .. } => "objection_window_open",
            ValuationError::ObjectionsPending { .. } => "objections_pending",
            ValuationError::DisposalAlreadyStarted { .. } => "disposal_already_started",
            ValuationError::ReferencePriceExpired { .. } => "reference_price_expired",
            ValuationError::ReferencePriceStillValid { .. } => "reference_price_still_valid",
            ValuationError::DisposalNotStarted => "disposal_not_started",
            ValuationError::SaleAlreadyRecorded => "sale_already_recorded",
            ValuationError::SupervisionObjectionClosed { .. } => "supervision_objection_closed",
            ValuationError::WithdrawalGroundNotApplicable => "withdrawal_ground_not_applicable",
        }
    }

    /// The rule the refusal enforces ("DESIGN" where no rule of law exists).
    pub fn rule(&self) -> &'static str {
        match self {
            ValuationError::OutOfOrder { rule, .. }
            | ValuationError::MethodNotApplicable { rule, .. }
            | ValuationError::DeadlineOutOfRange { rule, .. }
            | ValuationError::AmountNotPositive { rule, .. }
            | ValuationError::NameMissing { rule, .. }
            | ValuationError::NoExtensionRequest { rule, .. }
            | ValuationError::UnknownRecipient { rule, .. }
            | ValuationError::ObjectionUnknown { rule, .. }
            | ValuationError::ObjectionNotAtStep { rule, .. } => rule,
            ValuationError::DateBeforeLastEvent { .. } => "DESIGN",
            ValuationError::ProcedureAlreadyStarted | ValuationError::AssetNotForSale | ValuationError::DateBeforeSeizure { .. } => "REF-1",
            ValuationError::RecipientsMissing
            | ValuationError::RecipientInvalid { .. }
            | ValuationError::RecipientAlreadyServed { .. }
            | ValuationError::ServiceIncomplete { .. } => "REF-27",
            ValuationError::PrecheckIncomplete { .. } | ValuationError::PrecheckMissing => "REF-3",
            ValuationError::MethodAlreadyTried { .. } | ValuationError::MethodOutOfOrder { .. } => "REF-37",
            ValuationError::AppraisalRequiredByLaw { .. } => "REF-17",
            ValuationError::ValidityOutOfRange { .. }
            | ValuationError::ReferencePriceExpired { .. }
            | ValuationError::ReferencePriceStillValid { .. }
            | ValuationError::DisposalNotStarted
            | ValuationError::SaleAlreadyRecorded => "REF-33",
            ValuationError::PlatformRegisterEmpty
            | ValuationError::PlatformListedTwice { .. }
            | ValuationError::PlatformNotRequested { .. } => "REF-10",
            ValuationError::PlatformReportExists { .. } | ValuationError::OnlineWindowStillOpen { .. } => "REF-11",
            ValuationError::OnlineExtensionAlreadyRequested { .. }
            | ValuationError::OnlineExtensionRequestLate { .. }
            | ValuationError::OnlineExtensionDeniedSomeDelivered { .. }
            | ValuationError::PlatformExtensionsUndecided => "REF-12",
            ValuationError::DefectivePlatformUnknown { .. } | ValuationError::PlatformNotAskedToCorrect { .. } => "REF-15",
            ValuationError::AgreementDeadlinePassed { .. }
            | ValuationError::AgreementWindowOpen { .. }
            | ValuationError::AgreedAgenciesInvalid
            | ValuationError::LotteryReasonNotApplicable
            | ValuationError::LotteryCommitmentMalformed
            | ValuationError::CandidateListedTwice { .. }
            | ValuationError::SubListTooSmall { .. }
            | ValuationError::LotterySeedMalformed
            | ValuationError::LotterySeedMismatch => "REF-19",
            ValuationError::AgencyNotNextInOrder { .. } => "REF-20",
            ValuationError::AppraisalExtensionPending
            | ValuationError::AppraisalExtensionLimitReached
            | ValuationError::AppraisalExtensionOutOfRange { .. }
            | ValuationError::AppraisalExtensionRequestLate { .. }
            | ValuationError::ExtensionExceedsRequest { .. } => "REF-23",
            ValuationError::AgencyAlreadyFailed { .. }
            | ValuationError::AppraisalReportLate { .. }
            | ValuationError::AgencyNotOverdue { .. }
            | ValuationError::AgencyFailureReasonNotApplicable
            | ValuationError::NoMaterialsDue { .. } => "REF-24",
            ValuationError::ReviewFindingsMissing | ValuationError::ReportAlreadyServed => "REF-26",
            ValuationError::ObjectionNotAcceptedForMethod { .. } => "REF-5",
            ValuationError::ObjectionAgainstConclusion { .. } | ValuationError::ObjectionLate { .. } => "REF-30",
            ValuationError::ObjectionGroundsMissing
            | ValuationError::ObjectionTargetUnknown
            | ValuationError::ObjectionGroundNotAllowed { .. }
            | ValuationError::ObjectionExists { .. }
            | ValuationError::ObjectionWindowOpen { .. }
            | ValuationError::ObjectionsPending { .. } => "REF-28",
            ValuationError::PostmarkAfterToday => "PER-7",
            ValuationError::ExplanationNotOverdue { .. } => "REF-29",
            ValuationError::DisposalAlreadyStarted { .. } => "REF-36",
            ValuationError::SupervisionObjectionClosed { .. } => "REF-31",
            ValuationError::WithdrawalGroundNotApplicable => "REF-35",
        }
    }
}
