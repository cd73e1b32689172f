//! Every refusal of the disposal lifecycle: a closed list of stable `snake_case` codes, each with the rule it
//! enforces (STYLE habit 4). `code()`, `rule()` and `details()` are what the HTTP edge puts in its error envelope.
//!
//! Every transition checks, in this order, and returns the first refusal it meets:
//! 1. the date: not before the last recorded event (`date_before_last_event`);
//! 2. the stage: the command belongs to the current stage (`out_of_order`, naming the rule that sets the order);
//! 3. the command's own checks, in the order listed on each transition's documentation.
//!
//! A refusal that concerns a window carries the earliest (or latest) lawful dates, so the staff can fix the plan
//! without computing them again. `rule()` is "DESIGN" where no rule of law exists and the check only keeps the
//! record consistent.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DisposalError {
    #[error("{command} is not allowed while the disposal is {stage}")]
    OutOfOrder {
        command: &'static str,
        stage: &'static str,
        rule: &'static str,
    },
    #[error("the date {today} is before the last recorded event ({last_event_on}); events are recorded in date order")]
    DateBeforeLastEvent { today: NaiveDate, last_event_on: NaiveDate },
    #[error("the disposal has already started")]
    DisposalAlreadyStarted,
    #[error("bank deposits are deducted, not auctioned or sold off")]
    AssetNotForSale,
    #[error("{field} must not be empty")]
    NameMissing { field: &'static str, rule: &'static str },
    #[error("'{name}' is named twice in {field}")]
    NameRepeated {
        field: &'static str,
        name: String,
        rule: &'static str,
    },
    #[error("the amount must be more than zero")]
    AmountNotPositive { field: &'static str, rule: &'static str },
    #[error("the reference price's dates are inconsistent: validity ends {validity_ends_on}, grace ends {grace_ends_on}")]
    ReferencePriceDatesInvalid {
        validity_ends_on: NaiveDate,
        grace_ends_on: NaiveDate,
    },
    #[error("the date {deadline} must lie 1 to 365 days after {after}")]
    DeadlineOutOfRange {
        field: &'static str,
        after: NaiveDate,
        deadline: NaiveDate,
        rule: &'static str,
    },
    // --- AUC-17: the panel decision --------------------------------------------------------------------------
    #[error("the auction parameters need a recorded collegial-panel decision: an id, a date not after today and at least three members")]
    PanelDecisionIncomplete,
    // --- AUC-2, AUC-16: the platform ------------------------------------------------------------------------
    #[error("the register of auction platforms is empty")]
    PlatformRegisterEmpty,
    #[error("no platform: the applicant chooses one from the register, or else the court designates one")]
    PlatformMissing,
    #[error("platform '{platform}' is not on the register")]
    PlatformNotOnRegister { platform: String },
    #[error("the applicant chose '{chosen}'; the court may not designate another platform")]
    PlatformNotApplicantsChoice { chosen: String, designated: String },
    #[error("the earlier round ran on '{required}'; a later round or the sell-off runs on the same platform, not '{platform}'")]
    PlatformDiffersFromFirstRound { required: String, platform: String },
    // --- prices and deposit ---------------------------------------------------------------------------------
    #[error("the starting price {starting_price} is below 70% of the reference price {reference_price}: at least {floor}")]
    StartingPriceBelowFloor {
        starting_price: Money,
        reference_price: Money,
        floor: Money,
    },
    #[error("the second round's starting price {starting_price} is more than 20% below the first round's {first_starting_price}: at least {floor}")]
    SecondRoundPriceCutTooDeep {
        starting_price: Money,
        first_starting_price: Money,
        floor: Money,
    },
    #[error("a resale after the buyer's default starts at the round's starting price {required}, not {starting_price}")]
    ResaleStartingPriceDiffers { starting_price: Money, required: Money },
    #[error("the deposit {deposit} must lie between 5% and 20% of the starting price: {min} to {max}")]
    DepositOutOfRange { deposit: Money, min: Money, max: Money },
    #[error("the bid increment must be more than zero")]
    BidIncrementNotPositive,
    #[error("priority-purchase holder '{holder}' is unnamed, named twice or has no rank (ranks start at 1)")]
    PriorityHolderInvalid { holder: String },
    #[error("online auctions have two rounds; after the second failure come debt in kind and the online sell-off")]
    ThirdOnlineRoundNotAllowed,
    // --- schedule --------------------------------------------------------------------------------------------
    #[error("the parties and known priority holders must be notified at least 3 days before the announcement: announce on {earliest_announcement_on} at the earliest")]
    NoticePeriodTooShort {
        recipient: Option<String>,
        earliest_announcement_on: NaiveDate,
    },
    #[error("'{recipient}' has not been notified of the auction")]
    NoticeMissing { recipient: String },
    #[error("'{recipient}' is not a party or a known priority holder of this round")]
    NoticeRecipientUnknown { recipient: String },
    #[error("the announcement must come at least {lead_days} days before the bidding: bidding from {earliest_bidding_start} at the earliest, or announce by {latest_announcement_on}")]
    AnnouncementTooLate {
        lead_days: u32,
        announcement_on: NaiveDate,
        bidding_starts_on: NaiveDate,
        earliest_bidding_start: NaiveDate,
        latest_announcement_on: NaiveDate,
    },
    #[error("the bidding must last at least 24 hours: until {earliest_bidding_end} at the earliest")]
    BiddingTooShort {
        bidding_starts_at: DateTime<Utc>,
        earliest_bidding_end: DateTime<Utc>,
    },
    #[error("the announced balance deadline {balance_due_on} must come after the bidding ends ({bidding_ends_on}) and within 365 days")]
    BalanceDueOutOfRange {
        balance_due_on: NaiveDate,
        bidding_ends_on: NaiveDate,
    },
    #[error("the reference price's validity ended on {validity_ends_on}; the first announcement must come within it")]
    ReferencePriceExpired { validity_ends_on: NaiveDate },
    #[error("the auction or sell-off must start by {grace_ends_on}, six months after the reference price's validity")]
    ReferencePriceGracePassed { grace_ends_on: NaiveDate, starts_on: NaiveDate },
    // --- TRAD-2 ----------------------------------------------------------------------------------------------
    #[error("at the starting price {starting_price} nothing would be left after priority claims and costs ({threshold}); publication waits for the applicant's request to go on")]
    NoSurplusNeedsApplicantRequest { starting_price: Money, threshold: Money },
    #[error("the applicant's request to go on was due by {due}")]
    NoSurplusRequestLate { due: NaiveDate },
    #[error("after the applicant's request, the starting price must exceed priority claims and costs ({threshold})")]
    NoSurplusReservePriceTooLow { starting_price: Money, threshold: Money },
    #[error("this round has no no-surplus warning to answer")]
    NoSurplusNotApplicable,
    // --- results ---------------------------------------------------------------------------------------------
    #[error("the bidding has not ended: it runs until {bidding_ends_at}")]
    BiddingNotEnded { bidding_ends_at: DateTime<Utc> },
    #[error("the result is recorded after the bidding: {bidding_ended_on} is after today")]
    BiddingEndInFuture { bidding_ended_on: NaiveDate },
    #[error("the sale price {price} is below the starting price {starting_price}")]
    SalePriceBelowStartingPrice { price: Money, starting_price: Money },
    #[error("'{buyer}' defaulted on this asset and may not bid in the resale")]
    DefaultedBuyerExcluded { buyer: String },
    #[error("the bidding began on {bidding_started_on}; the debtor's payment can no longer stop the auction")]
    BiddingAlreadyStarted { bidding_started_on: NaiveDate },
    #[error("the debtor's payment {amount} does not cover the outstanding claim {outstanding_claim}")]
    DebtorPaymentInsufficient { amount: Money, outstanding_claim: Money },
    // --- payments --------------------------------------------------------------------------------------------
    #[error("the funds must go to the case's collection account {required}, not '{account}'")]
    AccountNotCaseAccount { account: String, required: String },
    #[error("a payment of kind {source_kind} is not expected now")]
    PaymentNotExpected { source_kind: &'static str, rule: &'static str },
    #[error("the amount {amount} is not what is due ({due})")]
    PaymentAmountMismatch { amount: Money, due: Money, rule: &'static str },
    #[error("the amount {amount} exceeds what is still due ({outstanding})")]
    PaymentExceedsAmountDue {
        amount: Money,
        outstanding: Money,
        rule: &'static str,
    },
    #[error("the price has not been paid in full: {outstanding} is still due")]
    NotPaidInFull { outstanding: Money },
    #[error("the buyer's eligibility to buy real estate under the purchase restriction must be confirmed before the ruling")]
    BuyerEligibilityUnconfirmed,
    #[error("the balance is due until {due}; the buyer has not defaulted yet")]
    BalanceNotOverdue { due: NaiveDate },
    #[error("the buyer has paid in full; there is no default")]
    PaidInFullNoDefault,
    #[error("the deposits to refund have been recorded already, or there are none")]
    NoDepositsToRefund,
    #[error("the platform's transfer of the deposit ({deposit}) is not recorded; record it first, so the forfeited deposit is in the case's account")]
    DepositTransferNotRecorded { deposit: Money },
    #[error("the ruling was served on {ruling_served_on}; the asset is the buyer's and the sale can no longer be backed out of")]
    OwnershipAlreadyPassed { ruling_served_on: NaiveDate },
    #[error("no refund is owed to '{buyer}', or it has been recorded already")]
    NoBuyerRefundOwed { buyer: String, rule: &'static str },
    // --- sell-off --------------------------------------------------------------------------------------------
    #[error("ask the applicant and the creditors about debt in kind before the sell-off notice")]
    DebtInKindQuestionPending,
    #[error("the sell-off notice must come at least {lead_days} days before the sell-off starts: from {earliest_start} at the earliest")]
    SellOffNoticeTooLate { lead_days: u32, earliest_start: NaiveDate },
    #[error("the sell-off price {price} is below the sell-off price {selloff_price}, the second round's starting price")]
    SalePriceBelowSellOffPrice { price: Money, selloff_price: Money },
    #[error("the first bid at {at} lies outside the sell-off period {starts_on} to {ends_on}")]
    BidOutsideSellOffPeriod {
        at: DateTime<Utc>,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    },
    #[error("the first bid has been recorded already; its 24-hour window ends at {window_closes_at}")]
    FirstBidAlreadyRecorded { window_closes_at: DateTime<Utc> },
    #[error("no bid opened a 24-hour window; there is no sale to record")]
    NoSellOffBid,
    #[error("the 24-hour window opened by the first bid ends at {window_closes_at}")]
    SellOffWindowOpen { window_closes_at: DateTime<Utc> },
    #[error("the sell-off runs until {ends_on}")]
    SellOffStillRunning { ends_on: NaiveDate },
    #[error("a bid opened a window; record its sale instead of a failure")]
    SellOffHasBid,
    // --- debt in kind ----------------------------------------------------------------------------------------
    #[error("at least one creditor must apply to take the asset in payment")]
    DebtInKindCreditorsMissing,
    #[error("after a failure the price of a debt in kind is fixed at {required}, not {price}")]
    DebtInKindPriceFixedByRule { price: Money, required: Money, rule: &'static str },
    #[error("a debt in kind without a failed round needs a price set by the court")]
    DebtInKindPriceMissing,
    #[error(
        "a debt in kind without auction needs the consent of the applicant and the debtor, and must harm no other creditor or the public"
    )]
    DebtInKindConsentMissing { rule: &'static str },
    #[error("the draw between creditors of the same rank needs a seed")]
    DrawSeedMissing,
    #[error("the taker owes a difference of {top_up}; the court must set the date to pay it")]
    TopUpDueDateMissing { top_up: Money },
    #[error("the applicant must consent to take the asset for management")]
    ManagementConsentMissing,
    #[error("a release needs a ground that applies now")]
    ReleaseGroundNotApplicable { rule: &'static str },
    #[error("'{taker}' has no purchase eligibility and cannot take this real estate in payment")]
    TakerNotEligible { taker: String },
    // --- self-disposal ---------------------------------------------------------------------------------------
    #[error("the debtor's self-disposal is not eligible: {reason}")]
    SelfDisposalNotEligible { reason: &'static str },
    #[error("a direct deal needs the applicant's consent or a price covering the outstanding claim {outstanding_claim}")]
    DirectDealNeedsConsentOrFullCover { price: Money, outstanding_claim: Money },
    #[error("the price {price} is below the reference price {reference_price}; the applicant has not consented")]
    SelfDisposalPriceBelowReference { price: Money, reference_price: Money },
    #[error("the self-disposal period of {days} days exceeds the cap of {cap_days} days")]
    SelfDisposalPeriodTooLong { days: u32, cap_days: u32, rule: &'static str },
    #[error("the self-disposal has been tried already in this disposal")]
    SelfDisposalAlreadyTried,
    #[error("the self-disposal period runs until {ends_on}")]
    SelfDisposalPeriodRunning { ends_on: NaiveDate },
    #[error("the self-disposal period ended on {ends_on}")]
    SelfDisposalPeriodEnded { ends_on: NaiveDate },
    #[error("the direct deal was approved with '{buyer}' at {price}")]
    DirectDealTermsDiffer { buyer: String, price: Money },
    #[error("the sale has been recorded already")]
    SelfDisposalSaleRecorded,
    #[error("record the debtor's sale before its proceeds")]
    SelfDisposalSaleMissing,
    // --- suspension ------------------------------------------------------------------------------------------
    #[error("the suspension's cause has already been recorded as ended on {on}")]
    SuspensionCauseAlreadyEnded { on: NaiveDate },
    #[error("the new bidding window must start today or later")]
    BiddingWindowInPast,
}

impl DisposalError {
    pub(crate) fn out_of_order(command: &'static str, stage: &'static str, rule: &'static str) -> Self {
        DisposalError::OutOfOrder { command, stage, rule }
    }

    /// The stable code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            DisposalError::OutOfOrder { .. } => "out_of_order",
            DisposalError::DateBeforeLastEvent { .. } => "date_before_last_event",
            DisposalError::DisposalAlreadyStarted => "disposal_already_started",
            DisposalError::AssetNotForSale => "asset_not_for_sale",
            DisposalError::NameMissing { .. } => "name_missing",
            DisposalError::NameRepeated { .. } => "name_repeated",
            DisposalError::AmountNotPositive { .. } => "amount_not_positive",
            DisposalError::ReferencePriceDatesInvalid { .. } => "reference_price_dates_invalid",
            DisposalError::DeadlineOutOfRange { .. } => "deadline_out_of_range",
            DisposalError::PanelDecisionIncomplete => "panel_decision_incomplete",
            DisposalError::PlatformRegisterEmpty => "platform_register_empty",
            DisposalError::PlatformMissing => "platform_missing",
            DisposalError::PlatformNotOnRegister { .. } => "platform_not_on_register",
            DisposalError::PlatformNotApplicantsChoice { .. } => "platform_not_applicants_choice",
            DisposalError::PlatformDiffersFromFirstRound { .. } => "platform_differs_from_first_round",
            DisposalError::StartingPriceBelowFloor { .. } => "starting_price_below_floor",
            DisposalError::SecondRoundPriceCutTooDeep { .. } => "second_round_price_cut_too_deep",
            DisposalError::ResaleStartingPriceDiffers { .. } => "resale_starting_price_differs",
            DisposalError::DepositOutOfRange { .. } => "deposit_out_of_range",
            DisposalError::BidIncrementNotPositive => "bid_increment_not_positive",
            DisposalError::PriorityHolderInvalid { .. } => "priority_holder_invalid",
            DisposalError::ThirdOnlineRoundNotAllowed => "third_online_round_not_allowed",
            DisposalError::NoticePeriodTooShort { .. } => "notice_period_too_short",
            DisposalError::NoticeMissing { .. } => "notice_missing",
            DisposalError::NoticeRecipientUnknown { .. } => "notice_recipient_unknown",
            DisposalError::AnnouncementTooLate { .. } => "announcement_too_late",
            DisposalError::BiddingTooShort { .. } => "bidding_too_short",
            DisposalError::BalanceDueOutOfRange { .. } => "balance_due_out_of_range",
            DisposalError::ReferencePriceExpired { .. } => "reference_price_expired",
            DisposalError::ReferencePriceGracePassed { .. } => "reference_price_grace_passed",
            DisposalError::NoSurplusNeedsApplicantRequest { .. } => "no_surplus_needs_applicant_request",
            DisposalError::NoSurplusRequestLate { .. } => "no_surplus_request_late",
            DisposalError::NoSurplusReservePriceTooLow { .. } => "no_surplus_reserve_price_too_low",
            DisposalError::NoSurplusNotApplicable => "no_surplus_not_applicable",
            DisposalError::BiddingNotEnded { .. } => "bidding_not_ended",
            DisposalError::BiddingEndInFuture { .. } => "bidding_end_in_future",
            DisposalError::SalePriceBelowStartingPrice { .. } => "sale_price_below_starting_price",
            DisposalError::DefaultedBuyerExcluded { .. } => "defaulted_buyer_excluded",
            DisposalError::BiddingAlreadyStarted { .. } => "bidding_already_started",
            DisposalError::DebtorPaymentInsufficient { .. } => "debtor_payment_insufficient",
            DisposalError::AccountNotCaseAccount { .. } => "account_not_case_account",
            DisposalError::PaymentNotExpected { .. } => "payment_not_expected",
            DisposalError::PaymentAmountMismatch { .. } => "payment_amount_mismatch",
            DisposalError::PaymentExceedsAmountDue { .. } => "payment_exceeds_amount_due",
            DisposalError::NotPaidInFull { .. } => "not_paid_in_full",
            DisposalError::BuyerEligibilityUnconfirmed => "buyer_eligibility_unconfirmed",
            DisposalError::PaidInFullNoDefault => "paid_in_full_no_default",
            DisposalError::BalanceNotOverdue { .. } => "balance_not_overdue",
            DisposalError::NoDepositsToRefund => "no_deposits_to_refund",
            DisposalError::DepositTransferNotRecorded { .. } => "deposit_transfer_not_recorded",
            DisposalError::OwnershipAlreadyPassed { .. } => "ownership_already_passed",
            DisposalError::NoBuyerRefundOwed { .. } => "no_buyer_refund_owed",
            DisposalError::DebtInKindQuestionPending => "debt_in_kind_question_pending",
            DisposalError::SellOffNoticeTooLate { .. } => "sell_off_notice_too_late",
            DisposalError::SalePriceBelowSellOffPrice { .. } => "sale_price_below_sell_off_price",
            DisposalError::BidOutsideSellOffPeriod { .. } => "bid_outside_sell_off_period",
            DisposalError::FirstBidAlreadyRecorded { .. } => "first_bid_already_recorded",
            DisposalError::NoSellOffBid => "no_sell_off_bid",
            DisposalError::SellOffWindowOpen { .. } => "sell_off_window_open",
            DisposalError::SellOffStillRunning { .. } => "sell_off_still_running",
            DisposalError::SellOffHasBid => "sell_off_has_bid",
            DisposalError::DebtInKindCreditorsMissing => "debt_in_kind_creditors_missing",
            DisposalError::DebtInKindPriceFixedByRule { .. } => "debt_in_kind_price_fixed_by_rule",
            DisposalError::DebtInKindPriceMissing => "debt_in_kind_price_missing",
            DisposalError::DebtInKindConsentMissing { .. } => "debt_in_kind_consent_missing",
            DisposalError::DrawSeedMissing => "draw_seed_missing",
            DisposalError::TopUpDueDateMissing { .. } => "top_up_due_date_missing",
            DisposalError::ManagementConsentMissing => "management_consent_missing",
            DisposalError::ReleaseGroundNotApplicable { .. } => "release_ground_not_applicable",
            DisposalError::TakerNotEligible { .. } => "taker_not_eligible",
            DisposalError::SelfDisposalNotEligible { .. } => "self_disposal_not_eligible",
            DisposalError::DirectDealNeedsConsentOrFullCover { .. } => "direct_deal_needs_consent_or_full_cover",
            DisposalError::SelfDisposalPriceBelowReference { .. } => "self_disposal_price_below_reference",
            DisposalError::SelfDisposalPeriodTooLong { .. } => "self_disposal_period_too_long",
            DisposalError::SelfDisposalAlreadyTried => "self_disposal_already_tried",
            DisposalError::SelfDisposalPeriodRunning { .. } => "self_disposal_period_running",
            DisposalError::SelfDisposalPeriodEnded { .. } => "self_disposal_period_ended",
            DisposalError::DirectDealTermsDiffer { .. } => "direct_deal_terms_differ",
            DisposalError::SelfDisposalSaleRecorded => "self_disposal_sale_recorded",
            DisposalError::SelfDisposalSaleMissing => "self_disposal_sale_missing",
            DisposalError::SuspensionCauseAlreadyEnded { .. } => "suspension_cause_already_ended",
            DisposalError::BiddingWindowInPast => "bidding_window_in_past",
        }
    }

    /// The rule the refusal enforces ("DESIGN" where no rule of law exists).
    pub fn rule(&self) -> &'static str {
        match self {
            DisposalError::OutOfOrder { rule, .. }
            | DisposalError::NoBuyerRefundOwed { rule, .. }
            | DisposalError::NameMissing { rule, .. }
            | DisposalError::NameRepeated { rule, .. }
            | DisposalError::AmountNotPositive { rule, .. }
            | DisposalError::DeadlineOutOfRange { rule, .. }
            | DisposalError::PaymentNotExpected { rule, .. }
            | DisposalError::PaymentAmountMismatch { rule, .. }
            | DisposalError::PaymentExceedsAmountDue { rule, .. }
            | DisposalError::DebtInKindPriceFixedByRule { rule, .. }
            | DisposalError::DebtInKindConsentMissing { rule, .. }
            | DisposalError::ReleaseGroundNotApplicable { rule, .. }
            | DisposalError::SelfDisposalPeriodTooLong { rule, .. } => rule,
            DisposalError::DateBeforeLastEvent { .. } => "DESIGN",
            DisposalError::DisposalAlreadyStarted | DisposalError::AssetNotForSale => "REF-36",
            DisposalError::ReferencePriceDatesInvalid { .. }
            | DisposalError::ReferencePriceExpired { .. }
            | DisposalError::ReferencePriceGracePassed { .. } => "REF-33",
            DisposalError::PanelDecisionIncomplete => "AUC-17",
            DisposalError::PlatformRegisterEmpty
            | DisposalError::PlatformMissing
            | DisposalError::PlatformNotOnRegister { .. }
            | DisposalError::PlatformNotApplicantsChoice { .. } => "AUC-2",
            DisposalError::PlatformDiffersFromFirstRound { .. }
            | DisposalError::SecondRoundPriceCutTooDeep { .. }
            | DisposalError::ThirdOnlineRoundNotAllowed => "AUC-16",
            DisposalError::StartingPriceBelowFloor { .. } => "AUC-3",
            DisposalError::ResaleStartingPriceDiffers { .. } | DisposalError::DefaultedBuyerExcluded { .. } => "AUC-14",
            DisposalError::DepositOutOfRange { .. } => "AUC-8",
            DisposalError::BidIncrementNotPositive | DisposalError::BiddingTooShort { .. } | DisposalError::BiddingNotEnded { .. } => {
                "AUC-11"
            }
            DisposalError::PriorityHolderInvalid { .. } => "AUC-10",
            DisposalError::NoticePeriodTooShort { .. }
            | DisposalError::NoticeMissing { .. }
            | DisposalError::NoticeRecipientUnknown { .. } => "AUC-7",
            DisposalError::AnnouncementTooLate { .. } => "AUC-5",
            DisposalError::BalanceDueOutOfRange { .. }
            | DisposalError::NotPaidInFull { .. }
            | DisposalError::PaidInFullNoDefault
            | DisposalError::BalanceNotOverdue { .. }
            | DisposalError::DepositTransferNotRecorded { .. } => "AUC-15",
            DisposalError::OwnershipAlreadyPassed { .. } => "AUC-12",
            DisposalError::NoSurplusNeedsApplicantRequest { .. }
            | DisposalError::NoSurplusRequestLate { .. }
            | DisposalError::NoSurplusReservePriceTooLow { .. }
            | DisposalError::NoSurplusNotApplicable => "TRAD-2",
            DisposalError::BiddingEndInFuture { .. } => "DESIGN",
            DisposalError::SalePriceBelowStartingPrice { .. } => "AUC-4",
            DisposalError::BiddingAlreadyStarted { .. } | DisposalError::DebtorPaymentInsufficient { .. } => "TRAD-12",
            DisposalError::AccountNotCaseAccount { .. } => "FUND-1",
            DisposalError::BuyerEligibilityUnconfirmed | DisposalError::TakerNotEligible { .. } => "AUC-24",
            DisposalError::NoDepositsToRefund => "AUC-13",
            DisposalError::DebtInKindQuestionPending => "SELL-3",
            DisposalError::SellOffNoticeTooLate { .. } => "SELL-4",
            DisposalError::SalePriceBelowSellOffPrice { .. } => "SELL-5",
            DisposalError::BidOutsideSellOffPeriod { .. }
            | DisposalError::FirstBidAlreadyRecorded { .. }
            | DisposalError::NoSellOffBid
            | DisposalError::SellOffWindowOpen { .. }
            | DisposalError::SellOffHasBid => "SELL-6",
            DisposalError::SellOffStillRunning { .. } => "SELL-4",
            DisposalError::DebtInKindCreditorsMissing | DisposalError::DrawSeedMissing | DisposalError::TopUpDueDateMissing { .. } => {
                "TRAD-5"
            }
            DisposalError::DebtInKindPriceMissing => "SELL-8",
            DisposalError::ManagementConsentMissing => "SELL-7",
            DisposalError::SelfDisposalNotEligible { .. } | DisposalError::DirectDealNeedsConsentOrFullCover { .. } => "SELF-2",
            DisposalError::DirectDealTermsDiffer { .. } | DisposalError::SelfDisposalPeriodEnded { .. } => "SELF-2",
            DisposalError::SelfDisposalPriceBelowReference { .. }
            | DisposalError::SelfDisposalAlreadyTried
            | DisposalError::SelfDisposalPeriodRunning { .. }
            | DisposalError::SelfDisposalSaleRecorded
            | DisposalError::SelfDisposalSaleMissing => "SELF-4",
            DisposalError::SuspensionCauseAlreadyEnded { .. } | DisposalError::BiddingWindowInPast => "AUC-18",
        }
    }

    /// The refusal's data for the error envelope's `details`: every field of the variant (dates as `YYYY-MM-DD`,
    /// instants in RFC 3339, money as decimal strings), without the code and the rule, which the envelope carries.
    pub fn details(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(fields) = &mut value {
            fields.remove("code");
            fields.remove("rule");
        }
        value
    }
}
