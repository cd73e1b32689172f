//! Every refusal of the execution-fund ledger: a closed list of stable `snake_case` codes, each with the rule it
//! enforces (STYLE habit 4). `code()` and `rule()` are what the HTTP edge puts in its error envelope.
//!
//! `journal::validate` checks an entry in this order and returns the first refusal it meets:
//! 1. at least two lines (`entry_too_few_lines`);
//! 2. every line carries exactly one positive amount, debit or credit (`line_amount_invalid`);
//! 3. the sums fit in 64-bit fen (`amount_overflow`);
//! 4. debits equal credits (`unbalanced_entry`);
//! 5. after the entry, no case account (`case_balance_would_go_negative`), no suspense account
//!    (`suspense_balance_would_go_negative`) and no bank account (`bank_balance_would_go_negative`) is below zero.
//!
//! The lifecycles (distribution plan, payout, suspense item) check the date first (`date_before_last_event`), then the
//! stage (`out_of_order`, naming the rule that sets the order), then the command's own conditions, in the order listed
//! on each transition (a cash receipt, `cash::CashReceipt::record`, has no earlier event: it checks its own fields).
//! `rule()` is "DESIGN" where no rule of law exists and the check only keeps the record consistent.

use chrono::NaiveDate;

use super::accounts::Account;
use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    // --- the journal (FUND-2) ---
    #[error("an entry needs at least two lines, it has {lines}")]
    EntryTooFewLines { lines: usize },
    #[error("line {line} must carry exactly one amount above zero, as debit or as credit")]
    LineAmountInvalid { line: usize },
    #[error("the amounts of the entry overflow 64-bit fen")]
    AmountOverflow,
    #[error("debits ({debits}) do not equal credits ({credits})")]
    UnbalancedEntry { debits: Money, credits: Money },
    #[error("case account {account} would go negative: balance {balance}, change {change}")]
    CaseBalanceWouldGoNegative { account: Account, balance: Money, change: Money },
    #[error("the suspense account would go negative: balance {balance}, change {change}")]
    SuspenseBalanceWouldGoNegative { balance: Money, change: Money },
    #[error("bank account {account} would go negative: balance {balance}, change {change}")]
    BankBalanceWouldGoNegative { account: Account, balance: Money, change: Money },
    #[error("'{key}' is not an account key (expected case:<id>:held, case:<id>:disputed, case:<id>:payable:<payee>, case:<id>:fees, bank:<number> or suspense)")]
    AccountKeyInvalid { key: String },

    // --- shared by the lifecycles ---
    #[error("{command} is not allowed while the {subject} is {stage}")]
    OutOfOrder {
        command: &'static str,
        subject: &'static str,
        stage: &'static str,
        rule: &'static str,
    },
    #[error("the date {today} is before the last recorded event ({last_event_on}); events are recorded in date order")]
    DateBeforeLastEvent { today: NaiveDate, last_event_on: NaiveDate },
    #[error("the date {date} of {what} is after today ({today})")]
    DateAfterToday {
        what: &'static str,
        date: NaiveDate,
        today: NaiveDate,
    },
    #[error("the date {date} of {what} is before {earliest}, the date of the step it follows")]
    DateBeforePreviousStep {
        what: &'static str,
        date: NaiveDate,
        earliest: NaiveDate,
    },
    #[error("the amount must be more than zero")]
    AmountNotPositive { rule: &'static str },
    #[error("{field} must not be empty")]
    NameMissing { field: &'static str, rule: &'static str },

    // --- distribution (FUND-9, FUND-11) ---
    #[error("claim of '{claimant}': a priority rank starts at 1")]
    PriorityRankInvalid { claimant: String },
    #[error("the claim of '{claimant}' was filed on {filed_on}, after execution against the asset ended on {ended_on}")]
    DistributionApplicationTooLate {
        claimant: String,
        filed_on: NaiveDate,
        ended_on: NaiveDate,
    },
    #[error("the claim of '{claimant}' was filed on {filed_on}, before execution started on {started_on}")]
    DistributionApplicationTooEarly {
        claimant: String,
        filed_on: NaiveDate,
        started_on: NaiveDate,
    },

    // --- the distribution plan (FUND-12) ---
    #[error("'{party}' is not a creditor or the debtor of this plan")]
    PartyUnknown { party: String },
    #[error("'{party}' is named twice")]
    PartyListedTwice { party: String },
    #[error("the plan must be served on the debtor and at least one creditor")]
    PlanPartiesMissing,
    #[error("'{party}' has been served already")]
    PartyAlreadyServed { party: String },
    #[error("the plan has not been served on '{party}'")]
    PartyNotServed { party: String },
    #[error("the objection period of '{party}' ended on {due}")]
    ObjectionAfterDeadline { party: String, due: NaiveDate },
    #[error("'{party}' has already objected (objection {objection})")]
    ObjectionExists { party: String, objection: u32 },
    #[error("there is no objection {objection}")]
    ObjectionUnknown { objection: u32 },
    #[error("objection {objection} is not waiting for {step}")]
    ObjectionNotAtStep { objection: u32, step: &'static str },
    #[error("the counter-objection period of objection {objection} ended on {due}")]
    CounterObjectionAfterDeadline { objection: u32, due: NaiveDate },
    #[error("'{party}' cannot counter-object to its own objection")]
    CounterObjectorIsObjector { party: String },
    #[error("'{party}' has already counter-objected")]
    CounterObjectionExists { party: String },
    #[error("the period runs until {until}")]
    WindowStillOpen { until: NaiveDate },
    #[error("the objector's time to sue ended on {due}")]
    SuitAfterDeadline { objection: u32, due: NaiveDate },
    #[error("the disputed amount {disputed} must be above zero and at most the distributed amount {distributed}")]
    DisputedAmountInvalid { disputed: Money, distributed: Money },
    #[error("the revised plan distributes {revised}, the plan distributed {original}")]
    RevisionTotalMismatch { original: Money, revised: Money },
    #[error("no objection was upheld, so there is nothing to revise")]
    NothingToRevise,

    // --- payouts (FUND-4 … FUND-8) ---
    #[error("account {account_number} is not the payee's account confirmed at registration, and no panel approved another payee")]
    PayeeNotConfirmed { account_number: String },
    #[error(
        "a refund to the payer goes back to an account that paid into this case: by the court's bank statements, \
         account {account_number} paid in {refundable} not yet refunded, less than {amount}; another payee needs a \
         collegial panel's approval"
    )]
    RefundBeyondPayment {
        account_number: String,
        refundable: Money,
        amount: Money,
    },
    #[error("the next approval must come from the {expected}, not the {given}")]
    ApprovalOutOfOrder { expected: String, given: String },
    #[error("'{approver}' has already approved this payout")]
    ApproverAlreadyApproved { approver: String },
    #[error("a {what} must be approved by the bureau head or the presiding vice-president, not the {given}")]
    ApproverNotAuthorised {
        what: &'static str,
        given: String,
        rule: &'static str,
    },
    #[error("the approval matrix is invalid: {reason}")]
    ApprovalMatrixInvalid { reason: String },
    #[error("the period after a cleared delay must be 1 to 365 days, not {days}")]
    DelayPeriodOutOfRange { days: u32 },

    // --- suspense (FUND-3) ---
    #[error("claiming unidentified funds into a case needs an approval record")]
    ClaimNeedsApproval,
    #[error("the claim of {claimed} exceeds the unclaimed {unclaimed}")]
    ClaimExceedsUnclaimed { claimed: Money, unclaimed: Money },

    // --- cash receipts (FUND-2) ---
    #[error("cash is collected by at least {required} different officers; {distinct} named")]
    CashOfficersTooFew { distinct: usize, required: usize },
    #[error("the officers' return to court on {returned_on} is before the collection on {collected_on}")]
    CashReturnedBeforeCollected { collected_on: NaiveDate, returned_on: NaiveDate },
    #[error("the handover to finance on {handed_over_on} is before the officers' return to court on {returned_on}")]
    CashHandedOverBeforeReturn { returned_on: NaiveDate, handed_over_on: NaiveDate },
    #[error(
        "cash handed to finance on {handed_over_on}, not on the day of the return to court ({returned_on}), needs a written explanation (the limit is {handover_due_on})"
    )]
    CashHandoverExplanationMissing {
        returned_on: NaiveDate,
        handed_over_on: NaiveDate,
        handover_due_on: NaiveDate,
    },

    // --- fees (FUND-10) ---
    #[error("a fee set by the court for a case without an amount must be 50 to 500 yuan, not {fee}")]
    ApplicationFeeOutOfRange { fee: Money },
}

impl LedgerError {
    pub(crate) fn out_of_order(command: &'static str, subject: &'static str, stage: &'static str, rule: &'static str) -> Self {
        LedgerError::OutOfOrder {
            command,
            subject,
            stage,
            rule,
        }
    }

    /// The stable code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            LedgerError::EntryTooFewLines { .. } => "entry_too_few_lines",
            LedgerError::LineAmountInvalid { .. } => "line_amount_invalid",
            LedgerError::AmountOverflow => "amount_overflow",
            LedgerError::UnbalancedEntry { .. } => "unbalanced_entry",
            LedgerError::CaseBalanceWouldGoNegative { .. } => "case_balance_would_go_negative",
            LedgerError::SuspenseBalanceWouldGoNegative { .. } => "suspense_balance_would_go_negative",
            LedgerError::BankBalanceWouldGoNegative { .. } => "bank_balance_would_go_negative",
            LedgerError::AccountKeyInvalid { .. } => "account_key_invalid",
            LedgerError::OutOfOrder { .. } => "out_of_order",
            LedgerError::DateBeforeLastEvent { .. } => "date_before_last_event",
            LedgerError::DateAfterToday { .. } => "date_after_today",
            LedgerError::DateBeforePreviousStep { .. } => "date_before_previous_step",
            LedgerError::AmountNotPositive { .. } => "amount_not_positive",
            LedgerError::NameMissing { .. } => "name_missing",
            LedgerError::PriorityRankInvalid { .. } => "priority_rank_invalid",
            LedgerError::DistributionApplicationTooLate { .. } => "distribution_application_too_late",
            LedgerError::DistributionApplicationTooEarly { .. } => "distribution_application_too_early",
            LedgerError::PartyUnknown { .. } => "party_unknown",
            LedgerError::PartyListedTwice { .. } => "party_listed_twice",
            LedgerError::PlanPartiesMissing => "plan_parties_missing",
            LedgerError::PartyAlreadyServed { .. } => "party_already_served",
            LedgerError::PartyNotServed { .. } => "party_not_served",
            LedgerError::ObjectionAfterDeadline { .. } => "objection_after_deadline",
            LedgerError::ObjectionExists { .. } => "objection_exists",
            LedgerError::ObjectionUnknown { .. } => "objection_unknown",
            LedgerError::ObjectionNotAtStep { .. } => "objection_not_at_step",
            LedgerError::CounterObjectionAfterDeadline { .. } => "counter_objection_after_deadline",
            LedgerError::CounterObjectorIsObjector { .. } => "counter_objector_is_objector",
            LedgerError::CounterObjectionExists { .. } => "counter_objection_exists",
            LedgerError::WindowStillOpen { .. } => "window_still_open",
            LedgerError::SuitAfterDeadline { .. } => "suit_after_deadline",
            LedgerError::DisputedAmountInvalid { .. } => "disputed_amount_invalid",
            LedgerError::RevisionTotalMismatch { .. } => "revision_total_mismatch",
            LedgerError::NothingToRevise => "nothing_to_revise",
            LedgerError::PayeeNotConfirmed { .. } => "payee_not_confirmed",
            LedgerError::RefundBeyondPayment { .. } => "refund_beyond_payment",
            LedgerError::ApprovalOutOfOrder { .. } => "approval_out_of_order",
            LedgerError::ApproverAlreadyApproved { .. } => "approver_already_approved",
            LedgerError::ApproverNotAuthorised { .. } => "approver_not_authorised",
            LedgerError::ApprovalMatrixInvalid { .. } => "approval_matrix_invalid",
            LedgerError::DelayPeriodOutOfRange { .. } => "delay_period_out_of_range",
            LedgerError::ClaimNeedsApproval => "claim_needs_approval",
            LedgerError::ClaimExceedsUnclaimed { .. } => "claim_exceeds_unclaimed",
            LedgerError::ApplicationFeeOutOfRange { .. } => "application_fee_out_of_range",
            LedgerError::CashOfficersTooFew { .. } => "cash_officers_too_few",
            LedgerError::CashReturnedBeforeCollected { .. } => "cash_returned_before_collected",
            LedgerError::CashHandedOverBeforeReturn { .. } => "cash_handed_over_before_return",
            LedgerError::CashHandoverExplanationMissing { .. } => "cash_handover_explanation_missing",
        }
    }

    /// The rule the refusal enforces ("DESIGN" where no rule of law exists).
    pub fn rule(&self) -> &'static str {
        match self {
            LedgerError::OutOfOrder { rule, .. }
            | LedgerError::AmountNotPositive { rule, .. }
            | LedgerError::NameMissing { rule, .. }
            | LedgerError::ApproverNotAuthorised { rule, .. } => rule,
            LedgerError::EntryTooFewLines { .. }
            | LedgerError::LineAmountInvalid { .. }
            | LedgerError::UnbalancedEntry { .. }
            | LedgerError::CaseBalanceWouldGoNegative { .. }
            | LedgerError::BankBalanceWouldGoNegative { .. }
            | LedgerError::CashOfficersTooFew { .. }
            | LedgerError::CashReturnedBeforeCollected { .. }
            | LedgerError::CashHandedOverBeforeReturn { .. }
            | LedgerError::CashHandoverExplanationMissing { .. } => "FUND-2",
            LedgerError::SuspenseBalanceWouldGoNegative { .. }
            | LedgerError::ClaimNeedsApproval
            | LedgerError::ClaimExceedsUnclaimed { .. } => "FUND-3",
            LedgerError::AmountOverflow
            | LedgerError::AccountKeyInvalid { .. }
            | LedgerError::DateBeforeLastEvent { .. }
            | LedgerError::DateAfterToday { .. }
            | LedgerError::DateBeforePreviousStep { .. } => "DESIGN",
            LedgerError::PriorityRankInvalid { .. } => "FUND-9",
            LedgerError::DistributionApplicationTooLate { .. } | LedgerError::DistributionApplicationTooEarly { .. } => "FUND-11",
            LedgerError::PartyUnknown { .. }
            | LedgerError::PartyListedTwice { .. }
            | LedgerError::PlanPartiesMissing
            | LedgerError::PartyAlreadyServed { .. }
            | LedgerError::PartyNotServed { .. }
            | LedgerError::ObjectionAfterDeadline { .. }
            | LedgerError::ObjectionExists { .. }
            | LedgerError::ObjectionUnknown { .. }
            | LedgerError::ObjectionNotAtStep { .. }
            | LedgerError::CounterObjectionAfterDeadline { .. }
            | LedgerError::CounterObjectorIsObjector { .. }
            | LedgerError::CounterObjectionExists { .. }
            | LedgerError::WindowStillOpen { .. }
            | LedgerError::SuitAfterDeadline { .. }
            | LedgerError::DisputedAmountInvalid { .. }
            | LedgerError::RevisionTotalMismatch { .. }
            | LedgerError::NothingToRevise => "FUND-12",
            LedgerError::PayeeNotConfirmed { .. }
            | LedgerError::RefundBeyondPayment { .. }
            | LedgerError::ApprovalOutOfOrder { .. }
            | LedgerError::ApproverAlreadyApproved { .. }
            | LedgerError::ApprovalMatrixInvalid { .. } => "FUND-8",
            LedgerError::DelayPeriodOutOfRange { .. } => "FUND-6",
            LedgerError::ApplicationFeeOutOfRange { .. } => "FUND-10",
        }
    }
}
