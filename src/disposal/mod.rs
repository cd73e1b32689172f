//! AUC, TRAD, SELL, SELF: the disposal (变价) of one priced asset — online auction (网络司法拍卖), sell-off (变卖),
//! debt in kind (以物抵债) and the debtor's self-disposal (自行处置); items 16–18 of the 2021 opinion. Pure: no HTTP,
//! no SQL, no clock, no randomness. Every transition takes the lifecycle, a command, the local China date of the
//! event (`today`) and the legal calendar, and returns the new lifecycle with its node effects, the signals the
//! engine must carry out elsewhere in the same transaction, and its audit event — or a `DisposalError` naming the
//! rule it enforces.
//!
//! ```text
//! start (REF-36) → preparing ─ panel decision (AUC-17) ─► planned ─ notices (AUC-7), TRAD-2 ─► announced (AUC-5)
//!       │                 ▲ second round ≤30 d (AUC-16)                 │ published = disposal started (REF-36)
//!       │                 │ resale after default (AUC-14, Q6)           ▼
//!       │                 ├──────── failed (流拍) round 1 ◄──── results: sold (AUC-4) / failed / (悔拍 later)
//!       │                 │                                        │ failed round 2
//!       │                 │                                        ▼
//!       │                 │              second failure: question ≤10 d, sell-off notice ≤15 d (SELL-3)
//!       │                 │                                        ▼
//!       │                 │              sell-off 60 d at the 2nd starting price (SELL-4…6) ─► failed:
//!       │                 │              debt in kind / management (民诉法解释 art 490) / release (SELL-7)
//!       │                 │              sold, then the buyer backs out (SELL-6): notice deposit forfeited, the
//!       │                 │              rest refunded, the sell-off published again without that buyer (DESIGN)
//!       │   sold or debt in kind → settlement: deposit 24 h, balance, top-up (AUC-15, TRAD-5), ruling ≤10 d
//!       │                                       (TRAD-8: ownership passes, SEIZ-1 ends), handover ≤15 d (TRAD-9)
//!       │   a forfeited deposit waits apart until the ruling on the next sale (or the end) allocates it (AUC-14)
//!       └─► self-disposal (SELF-1…4): application → approval (≤ 90 d) → proceeds into the case account → completed
//!                                                         └─ lapsed → preparing, restart ≤ 10 d (DESIGN)
//!   suspended (AUC-18, AUC-19) ⇄ any running stage; stopped (TRAD-11, TRAD-12)
//! ```
//!
//! The lifecycle is `Disposal`: the facts every stage shares (the asset kind, the reference price and its dates,
//! the claims, the case account, the configuration), the record of the rounds, and `stage`, the enum whose variants
//! carry each stage's data. `Disposal::apply` dispatches a `Command` to the transition methods, so a stored event can
//! be replayed. Node effects are computed, never written by hand: see `limits`.

mod aftermath;
mod auction;
pub mod bid_log;
mod debt_in_kind;
mod error;
mod limits;
mod plan;
mod procedure;
mod self_disposal;
mod selloff;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::money::Money;
use crate::registry::AssetKind;
use crate::valuation::{Audience, DisposalKind, Effect, NodeKey, Notice};

pub use aftermath::{RecordDepositsRefunded, RecordHandover, RecordPayment, SaleChannel, ServeSaleRuling, Settlement};
pub use auction::{
    allocate_forfeited_deposit, resale_shortfall, BuyerRefund, Forfeit, ForfeitAllocation, ForfeitClaims, RecordBuyerDefault,
    RecordBuyerRefunded, RecordFailure, RecordSale,
};
pub use debt_in_kind::{draw_taker, DebtInKindBasis, DebtInKindCreditor, DecideDebtInKind, TakerDraw};
pub use error::DisposalError;
pub use limits::{LimitKind, OpenLimit, TimeLimit, COURT_SET_DAYS_MAX};
pub use plan::{
    check_plan, deposit_bounds, starting_price_floor, Announced, AuctionPlan, BiddingWindow, DecideAuctionPlan, NoSurplus, NoticeMeans,
    PanelDecision, PartyNotice, Planned, PriorityHolder, PublishAnnouncement, RecordApplicantRequest, RecordNotice, Schedule,
};
pub use procedure::{
    EndSuspensionCause, HandOverForManagement, Preparing, Release, ReleaseGround, Resume, StartDisposal, StopClaimCovered,
    StopOnDebtorPayment, Suspend, Suspension, SuspensionKind, Terminal, TerminalKind,
};
pub use self_disposal::{
    ApplySelfDisposal, DecideSelfDisposal, ExtendSelfDisposal, LapseSelfDisposal, RecordSelfDisposalSale, SelfDisposal,
    SelfDisposalApplication, SelfDisposalBasis, SelfDisposalMode, SelfDisposalSale,
};
pub use selloff::{AskDebtInKind, FirstBid, PublishSellOffNotice, RecordSellOffBid, SecondFailure, SellOff, SellOffFailure, SellOffResale};

/// Settings the law leaves open (RULES.md marks them UNCONFIRMED or DESIGN). The defaults are the DESIGN defaults;
/// a court may change them in its configuration, and the values in force are stored with each disposal so a replay
/// decides the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisposalConfig {
    /// AUC-16, Q7 (DESIGN): the second round must be announced within this many days of the first failure
    /// ("流拍后应当在三十日内…再次拍卖", read as the announcement).
    pub second_round_within_days: u32,
    /// SELL-4 (SECONDARY): the sell-off notice lead for real estate and other property rights.
    pub selloff_notice_lead_days_real_estate: u32,
    /// SELL-4 (UNCONFIRMED): the sell-off notice lead for movables.
    pub selloff_notice_lead_days_movable: u32,
    /// SELL-4 (SECONDARY): the length of the online sell-off.
    pub selloff_period_days: u32,
    /// SELF-2 (item 17 of the 2021 opinion, CONFIRMED): the cap of a self-disposal under the 2021 opinion.
    pub self_disposal_cap_days_opinion_2021: u32,
    /// SELF-3 (法发〔2019〕35号, UNCONFIRMED): the cap of a self-sell-off under the 2019 opinion.
    pub self_disposal_cap_days_opinion_2019_selloff: u32,
    /// SELF-4 (DESIGN, by analogy to REF-36): the court's disposal restarts within this many days of a lapse.
    pub self_disposal_restart_days: u32,
    /// SELL-6 (DESIGN, by analogy to SELL-3's 15 days after the second failure): after a sell-off buyer backs out,
    /// the new sell-off notice is published within this many days. Absent from disposals stored before it existed.
    #[serde(default = "default_selloff_resale_notice_days")]
    pub selloff_resale_notice_days: u32,
}

fn default_selloff_resale_notice_days() -> u32 {
    selloff::SELLOFF_NOTICE_DAYS
}

impl Default for DisposalConfig {
    fn default() -> Self {
        DisposalConfig {
            second_round_within_days: 30,
            selloff_notice_lead_days_real_estate: 15,
            selloff_notice_lead_days_movable: 7,
            selloff_period_days: 60,
            self_disposal_cap_days_opinion_2021: 90,
            self_disposal_cap_days_opinion_2019_selloff: 60,
            self_disposal_restart_days: 10,
            selloff_resale_notice_days: default_selloff_resale_notice_days(),
        }
    }
}

/// The two regimes of announcement leads (AUC-5 for the first round, AUC-16 for the second, SELL-4 for the
/// sell-off): movables (vehicles included) or real estate and other property rights (equity included).
pub fn is_movable(kind: AssetKind) -> bool {
    match kind {
        AssetKind::Movable | AssetKind::Vehicle => true,
        AssetKind::RealEstate | AssetKind::Equity | AssetKind::OtherPropertyRight | AssetKind::Deposit => false,
    }
}

/// An auction round: the first or the second (AUC-16: there is no third online round), and whether it is a resale
/// after the buyer's default (AUC-14), which does not count as a new round (Q6 DESIGN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    pub number: u8,
    pub resale: bool,
}

impl Round {
    pub const FIRST: Round = Round { number: 1, resale: false };

    /// The subject of the round's node keys (`1`, `2`, `1-resale`).
    pub fn label(self) -> String {
        if self.resale {
            format!("{}-resale", self.number)
        } else {
            self.number.to_string()
        }
    }
}

/// What became of a published round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RoundResult {
    /// 流拍: no valid bid (AUC-16).
    Failed { on: NaiveDate },
    /// 成交 (AUC-4).
    Sold { on: NaiveDate, buyer: String, price: Money },
    /// 悔拍: the buyer did not pay; the deposit is forfeited (AUC-14).
    BuyerDefaulted {
        on: NaiveDate,
        buyer: String,
        price: Money,
        forfeited_deposit: Money,
    },
}

/// A published round and what became of it: the record the later rounds are checked against (AUC-16, AUC-14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedRound {
    pub round: Round,
    pub plan: AuctionPlan,
    pub published_on: NaiveDate,
    pub result: Option<RoundResult>,
}

/// The disposal of one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disposal {
    pub asset_kind: AssetKind,
    /// The reference price (参考价, REF-36), with its validity (REF-33).
    pub reference_price: Money,
    pub validity_ends_on: NaiveDate,
    pub grace_ends_on: NaiveDate,
    /// The applicant (申请执行人) and the debtor (被执行人), by the engine's ids.
    pub applicant: String,
    pub debtor: String,
    /// Everyone notified of the auction (AUC-7): the parties; the applicant and the debtor are among them.
    pub parties: Vec<String>,
    /// The applicant's outstanding claim: the deposit offset (AUC-8), the direct deal's cover (SELF-2), TRAD-12.
    pub outstanding_claim: Money,
    /// Priority claims on the asset and the execution costs: the no-surplus check (TRAD-2).
    pub priority_claims: Money,
    pub execution_costs: Money,
    /// The case's collection account (一案一账号, FUND-1): the only account any proceeds may go to.
    pub collection_account: String,
    /// A large or complex asset (SELF-2), as the court found it.
    pub high_value_or_complex: bool,
    /// Real estate in a city with purchase restrictions (AUC-24).
    pub purchase_restricted: bool,
    pub config: DisposalConfig,
    pub started_on: NaiveDate,
    /// The date of the last recorded event; commands are recorded in date order.
    pub last_event_on: NaiveDate,
    /// When the disposal began for REF-36 (the first announcement, or the approved self-disposal).
    pub disposal_started_on: Option<NaiveDate>,
    /// When the first bidding took place (REF-33's sale date, Q5: its start).
    pub sale_started_on: Option<NaiveDate>,
    /// The published rounds, in order.
    pub rounds: Vec<PublishedRound>,
    /// Whether the debtor's self-disposal has been tried (SELF-4 DESIGN: once).
    pub self_disposal_tried: bool,
    /// AUC-13: the other bidders' deposits, refunded within 24 hours after the bidding. The platform's duty runs
    /// whatever stage the disposal is in, so it lives outside the stage and no suspension pauses it.
    pub deposit_refund: Option<TimeLimit>,
    /// AUC-14: every deposit forfeited by a defaulting buyer, in order; each is allocated once the asset's fate is
    /// known. Its position is its number in node keys and ledger sources.
    #[serde(default)]
    pub forfeits: Vec<Forfeit>,
    /// SELL-6, AUC-14: what defaulting buyers paid beyond the forfeited deposit, owed back to them; like the AUC-13
    /// refund it runs outside the stage, and its position is its number in node keys.
    #[serde(default)]
    pub buyer_refunds: Vec<BuyerRefund>,
    pub stage: Stage,
}

/// Where the disposal stands. Adding a variant breaks every exhaustive match that must decide about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// A round is to be decided by the panel (AUC-17).
    Preparing(Preparing),
    /// The panel fixed the round; the notices (AUC-7) and, where nothing would be left, the applicant's request
    /// (TRAD-2) come before publication.
    Planned(Box<Planned>),
    /// The announcement is published; the result is awaited (AUC-4, AUC-16).
    Announced(Box<Announced>),
    /// The second round failed (SELL-3).
    SecondRoundFailed(SecondFailure),
    /// The online sell-off (SELL-4 … SELL-6).
    SellOff(Box<SellOff>),
    /// No buyer in the sell-off (SELL-7): the judge chooses.
    SellOffFailed(SellOffFailure),
    /// The sell-off buyer backed out (SELL-6): the sell-off is to be published again without that buyer (DESIGN).
    SellOffResale(SellOffResale),
    /// Sold, or taken in payment: the money, the ruling, the handover (AUC-15, TRAD-5, TRAD-8, TRAD-9).
    Settlement(Box<Settlement>),
    /// The debtor applied to dispose of the asset itself (SELF-2).
    SelfDisposalApplied(Box<SelfDisposalApplication>),
    /// The debtor's approved self-disposal is running (SELF-2, SELF-4).
    SelfDisposal(Box<SelfDisposal>),
    /// AUC-18, AUC-19: the stage in `paused` is suspended or stayed.
    Suspended(Suspension),
    /// The end: handed over, self-disposed, stopped, released, or handed over for management.
    Ended(Terminal),
}

impl Stage {
    pub fn name(&self) -> &'static str {
        match self {
            Stage::Preparing(_) => "preparing",
            Stage::Planned(_) => "planned",
            Stage::Announced(_) => "announced",
            Stage::SecondRoundFailed(_) => "second_round_failed",
            Stage::SellOff(_) => "sell_off",
            Stage::SellOffFailed(_) => "sell_off_failed",
            Stage::SellOffResale(_) => "sell_off_resale",
            Stage::Settlement(_) => "settlement",
            Stage::SelfDisposalApplied(_) => "self_disposal_applied",
            Stage::SelfDisposal(_) => "self_disposal",
            Stage::Suspended(_) => "suspended",
            Stage::Ended(_) => "ended",
        }
    }

    /// Visits every time limit the stage is waiting on: the one place that says which limits are open.
    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        match self {
            Stage::Preparing(preparing) => preparing.announce_by.iter_mut().for_each(visit),
            Stage::Planned(planned) => planned.for_each_open_limit(visit),
            Stage::Announced(_) => {}
            Stage::SecondRoundFailed(failure) => failure.for_each_open_limit(visit),
            Stage::SellOff(selloff) => visit(&mut selloff.period),
            Stage::SellOffResale(resale) => visit(&mut resale.notice),
            Stage::SellOffFailed(_) | Stage::SelfDisposalApplied(_) | Stage::Ended(_) => {}
            Stage::Settlement(settlement) => settlement.for_each_open_limit(visit),
            Stage::SelfDisposal(self_disposal) => visit(&mut self_disposal.period),
            Stage::Suspended(suspension) => suspension.paused.for_each_open_limit(visit),
        }
    }
}

/// A command, as the engine receives it and the audit log records it. `Disposal::apply` runs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    Start(StartDisposal),
    DecideAuctionPlan(Box<DecideAuctionPlan>),
    RecordNotice(RecordNotice),
    RecordApplicantRequest(RecordApplicantRequest),
    PublishAnnouncement(PublishAnnouncement),
    RecordSale(RecordSale),
    RecordFailure(RecordFailure),
    RecordDepositsRefunded(RecordDepositsRefunded),
    RecordPayment(RecordPayment),
    RecordBuyerDefault(RecordBuyerDefault),
    ServeSaleRuling(ServeSaleRuling),
    RecordHandover(RecordHandover),
    AskDebtInKind(AskDebtInKind),
    PublishSellOffNotice(PublishSellOffNotice),
    RecordSellOffBid(RecordSellOffBid),
    RecordBuyerRefunded(RecordBuyerRefunded),
    DecideDebtInKind(DecideDebtInKind),
    HandOverForManagement(HandOverForManagement),
    Release(Release),
    ApplySelfDisposal(ApplySelfDisposal),
    DecideSelfDisposal(DecideSelfDisposal),
    ExtendSelfDisposal(ExtendSelfDisposal),
    RecordSelfDisposalSale(RecordSelfDisposalSale),
    LapseSelfDisposal(LapseSelfDisposal),
    Suspend(Suspend),
    EndSuspensionCause(EndSuspensionCause),
    Resume(Resume),
    StopOnDebtorPayment(StopOnDebtorPayment),
    StopClaimCovered(StopClaimCovered),
}

impl Command {
    /// The command's name in the audit log and in refusals.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Start(_) => "start",
            Command::DecideAuctionPlan(_) => "decide_auction_plan",
            Command::RecordNotice(_) => "record_notice",
            Command::RecordApplicantRequest(_) => "record_applicant_request",
            Command::PublishAnnouncement(_) => "publish_announcement",
            Command::RecordSale(_) => "record_sale",
            Command::RecordFailure(_) => "record_failure",
            Command::RecordDepositsRefunded(_) => "record_deposits_refunded",
            Command::RecordPayment(_) => "record_payment",
            Command::RecordBuyerDefault(_) => "record_buyer_default",
            Command::ServeSaleRuling(_) => "serve_sale_ruling",
            Command::RecordHandover(_) => "record_handover",
            Command::AskDebtInKind(_) => "ask_debt_in_kind",
            Command::PublishSellOffNotice(_) => "publish_sell_off_notice",
            Command::RecordSellOffBid(_) => "record_sell_off_bid",
            Command::RecordBuyerRefunded(_) => "record_buyer_refunded",
            Command::DecideDebtInKind(_) => "decide_debt_in_kind",
            Command::HandOverForManagement(_) => "hand_over_for_management",
            Command::Release(_) => "release",
            Command::ApplySelfDisposal(_) => "apply_self_disposal",
            Command::DecideSelfDisposal(_) => "decide_self_disposal",
            Command::ExtendSelfDisposal(_) => "extend_self_disposal",
            Command::RecordSelfDisposalSale(_) => "record_self_disposal_sale",
            Command::LapseSelfDisposal(_) => "lapse_self_disposal",
            Command::Suspend(_) => "suspend",
            Command::EndSuspensionCause(_) => "end_suspension_cause",
            Command::Resume(_) => "resume",
            Command::StopOnDebtorPayment(_) => "stop_on_debtor_payment",
            Command::StopClaimCovered(_) => "stop_claim_covered",
        }
    }
}

/// Whether the law reserves the command to a judge or a collegial panel (SPEC §1): the auction parameters
/// (AUC-17), the self-disposal and its extension (SELF-2, SELF-4), suspension, stay and resumption (AUC-18), debt in
/// kind and management (TRAD-5, SELL-7, SELL-8), release (SELL-7), and stopping the disposal (TRAD-11, TRAD-12).
/// Everything else records facts (notices, results, payments) and is the staff's.
pub fn reserved_to_judges(command: &Command) -> bool {
    match command {
        Command::DecideAuctionPlan(_)
        | Command::DecideSelfDisposal(_)
        | Command::ExtendSelfDisposal(_)
        | Command::Suspend(_)
        | Command::EndSuspensionCause(_)
        | Command::Resume(_)
        | Command::DecideDebtInKind(_)
        | Command::HandOverForManagement(_)
        | Command::Release(_)
        | Command::StopOnDebtorPayment(_)
        | Command::StopClaimCovered(_) => true,
        Command::Start(_)
        | Command::RecordNotice(_)
        | Command::RecordApplicantRequest(_)
        | Command::PublishAnnouncement(_)
        | Command::RecordSale(_)
        | Command::RecordFailure(_)
        | Command::RecordDepositsRefunded(_)
        | Command::RecordPayment(_)
        | Command::RecordBuyerDefault(_)
        | Command::ServeSaleRuling(_)
        | Command::RecordHandover(_)
        | Command::AskDebtInKind(_)
        | Command::PublishSellOffNotice(_)
        | Command::RecordSellOffBid(_)
        | Command::RecordBuyerRefunded(_)
        | Command::ApplySelfDisposal(_)
        | Command::RecordSelfDisposalSale(_)
        | Command::LapseSelfDisposal(_) => false,
    }
}

/// Where money came from (the ledger posts each as a receipt to the case account, FUND-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundsSource {
    /// The platform's transfer of the buyer's deposit (AUC-15), or of the prepaid sell-off price (SELL-6).
    DepositTransfer,
    /// The buyer's balance (AUC-15).
    Balance,
    /// The taker's difference in a debt in kind (TRAD-5).
    TopUp,
    /// The debtor's payment that stops the auction (TRAD-12).
    DebtorPayment,
    /// The proceeds of the debtor's self-disposal (SELF-4).
    SelfDisposalProceeds,
}

impl FundsSource {
    pub fn as_str(self) -> &'static str {
        match self {
            FundsSource::DepositTransfer => "deposit_transfer",
            FundsSource::Balance => "balance",
            FundsSource::TopUp => "top_up",
            FundsSource::DebtorPayment => "debtor_payment",
            FundsSource::SelfDisposalProceeds => "self_disposal_proceeds",
        }
    }
}

/// What the engine must do elsewhere in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub enum Signal {
    /// The disposal began (REF-36 met): the engine runs the valuation's `RecordDisposalStart`.
    DisposalStarted { kind: DisposalKind, on: NaiveDate },
    /// The first bidding took place (REF-33, Q5: its start): the engine runs the valuation's `RecordSaleStart`.
    SaleStarted { on: NaiveDate },
    /// Money reached the case's account: the ledger posts the receipt; the engine checks TRAD-11 across the case.
    FundsReceived {
        source: FundsSource,
        amount: Money,
        bank_reference: String,
        on: NaiveDate,
    },
    /// The asset was sold: fees (REF-41 … REF-43) and the TRAD-11 check of the case's other assets.
    Sold { price: Money, buyer: String, on: NaiveDate },
    /// The seizure is released (SELL-7, or after a completed self-disposal).
    Released { on: NaiveDate },
    /// The sale or debt-in-kind ruling was served: the asset is the buyer's or the taker's (AUC-12, TRAD-9; 民诉法解释
    /// art 491), so its seizure has no object left and the renewal reminder (SEIZ-1) ends.
    OwnershipPassed { owner: String, on: NaiveDate },
    /// AUC-14 (SELL-6 in a sell-off): the defaulting buyer's deposit, already in the case's account (AUC-15), is
    /// forfeited: the ledger sets `amount` apart until it is allocated. `forfeit` is its number in
    /// `Disposal::forfeits`. `refund` is what a sell-off buyer gets back of the prepaid price (zero in an auction).
    DepositForfeited {
        forfeit: usize,
        buyer: String,
        amount: Money,
        refund: Money,
        on: NaiveDate,
    },
    /// AUC-14: the forfeited deposit number `forfeit` is allocated in the rule's order; the ledger posts each part.
    ForfeitAllocated {
        forfeit: usize,
        buyer: String,
        allocation: ForfeitAllocation,
        on: NaiveDate,
    },
    /// The asset was taken in payment (以物抵债, TRAD-5, SELL-7, SELL-8).
    DebtInKind { taker: String, price: Money, top_up: Money },
}

/// What the domain decided, beyond what the command says: the audit log's record of the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The plan's amounts, as the panel fixed them (AUC-3, AUC-8; AUC-8's offset for the applicant).
    PlanFixed {
        round: Round,
        platform: String,
        starting_price: Money,
        deposit: Money,
        applicant_deposit: Money,
    },
    /// TRAD-2: nothing would be left for the applicant at this starting price; the applicant is told and may ask
    /// within 5 days to go on.
    NoSurplusWarning {
        threshold: Money,
        request_due: NaiveDate,
    },
    /// A notice was served, or is deemed served (AUC-7).
    Notified {
        recipient: String,
        notified_on: NaiveDate,
    },
    /// The announcement was published; `late` when after the AUC-16 or SELF-4 restart deadline.
    Announced {
        round: Round,
        late: bool,
    },
    RoundFailed {
        round: Round,
    },
    RoundSold {
        round: Round,
        buyer: String,
        price: Money,
    },
    /// AUC-14: the deposit is forfeited; the resale excludes the buyer.
    BuyerDefaulted {
        buyer: String,
        forfeited_deposit: Money,
    },
    /// AUC-14: the shortfall of the resale below the defaulted sale, which the forfeited deposit covers second.
    ResaleShortfall {
        original_price: Money,
        resale_price: Money,
        shortfall: Money,
    },
    PaidInFull {
        on: NaiveDate,
    },
    /// TRAD-5: the draw between creditors of the same rank, reproducible from the seed.
    TakerDrawn(TakerDraw),
    SellOffScheduled {
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        price: Money,
    },
    /// A suspension ended; the paused limits are longer by `paused_days` (AUC-18).
    Resumed {
        paused_days: u32,
    },
    Ended {
        kind: TerminalKind,
    },
}

/// The audit record of one transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The local China date of the event (the command's `today`).
    pub on: NaiveDate,
    pub command: Command,
    pub outcomes: Vec<Outcome>,
    pub signals: Vec<Signal>,
    /// The stage after the transition.
    pub stage: String,
}

/// The result of a transition: the new lifecycle, its node effects and notices, the signals for the engine, and
/// what the audit log records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub state: Disposal,
    pub effects: Vec<Effect>,
    pub signals: Vec<Signal>,
    pub event: Event,
}

/// A transition being built: what was open before, what the transition says happened.
pub(crate) struct Draft {
    today: NaiveDate,
    command: Command,
    before: Vec<OpenLimit>,
    met: BTreeSet<NodeKey>,
    outcomes: Vec<Outcome>,
    signals: Vec<Signal>,
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

    pub(crate) fn signal(&mut self, signal: Signal) {
        self.signals.push(signal);
    }

    pub(crate) fn notify(&mut self, audience: Audience, rule: &'static str, message: String) {
        self.notices.push(Notice {
            audience,
            rule: rule.to_string(),
            message,
        });
    }

    pub(crate) fn resumed(&mut self, paused_days: u32) {
        self.paused_days = paused_days;
    }

    /// The transition: node effects from the open limits before and after, then the notices, and the event.
    pub(crate) fn finish(self, mut state: Disposal) -> Transition {
        state.last_event_on = self.today;
        let after = state.open_limits();
        let mut effects = limits::node_effects(&self.before, &after, &self.met, self.paused_days);
        effects.extend(self.notices.into_iter().map(Effect::Notify));
        Transition {
            event: Event {
                on: self.today,
                command: self.command,
                outcomes: self.outcomes,
                signals: self.signals.clone(),
                stage: state.stage.name().to_string(),
            },
            state,
            effects,
            signals: self.signals,
        }
    }
}

impl Disposal {
    /// Starts a transition: refuses a date before the last event (`date_before_last_event`), and remembers the open
    /// limits to compare with afterwards.
    pub(crate) fn draft(&self, today: NaiveDate, command: Command) -> Result<Draft, DisposalError> {
        if today < self.last_event_on {
            return Err(DisposalError::DateBeforeLastEvent {
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
            signals: Vec::new(),
            notices: Vec::new(),
            paused_days: 0,
        })
    }

    /// The time limits the disposal is waiting on; those inside a suspended stage are paused. The engine's open
    /// disposal nodes for this asset are exactly these.
    pub fn open_limits(&self) -> Vec<OpenLimit> {
        let mut limits = Vec::new();
        let mut stage = self.stage.clone();
        let paused = matches!(stage, Stage::Suspended(_));
        stage.for_each_open_limit(&mut |limit| {
            limits.push(OpenLimit {
                limit: limit.clone(),
                paused,
            })
        });
        if let Some(refund) = &self.deposit_refund {
            limits.push(OpenLimit {
                limit: refund.clone(),
                paused: false,
            });
        }
        for refund in self.buyer_refunds.iter().filter(|refund| refund.refunded_on.is_none()) {
            limits.push(OpenLimit {
                limit: refund.limit.clone(),
                paused: false,
            });
        }
        if let Stage::Suspended(suspension) = &self.stage {
            // AUC-18: the deadline to resume runs while everything else is paused.
            if let Some(resume) = &suspension.resume_by {
                limits.push(OpenLimit {
                    limit: resume.clone(),
                    paused: false,
                });
            }
        }
        limits
    }

    /// The published round with this number (not a resale), if any.
    pub fn published_round(&self, number: u8) -> Option<&PublishedRound> {
        self.rounds
            .iter()
            .find(|published| published.round.number == number && !published.round.resale)
    }

    /// Runs a command. `Command::Start` is refused here (`disposal_already_started`): use `Disposal::start`.
    pub fn apply(self, command: Command, today: NaiveDate, calendar: &Calendar) -> Result<Transition, DisposalError> {
        match command {
            Command::Start(_) => Err(DisposalError::DisposalAlreadyStarted),
            Command::DecideAuctionPlan(command) => self.decide_auction_plan(*command, today, calendar),
            Command::RecordNotice(command) => self.record_notice(command, today, calendar),
            Command::RecordApplicantRequest(command) => self.record_applicant_request(command, today, calendar),
            Command::PublishAnnouncement(command) => self.publish_announcement(command, today, calendar),
            Command::RecordSale(command) => self.record_sale(command, today, calendar),
            Command::RecordFailure(command) => self.record_failure(command, today, calendar),
            Command::RecordDepositsRefunded(command) => self.record_deposits_refunded(command, today, calendar),
            Command::RecordPayment(command) => self.record_payment(command, today, calendar),
            Command::RecordBuyerDefault(command) => self.record_buyer_default(command, today, calendar),
            Command::ServeSaleRuling(command) => self.serve_sale_ruling(command, today, calendar),
            Command::RecordHandover(command) => self.record_handover(command, today, calendar),
            Command::AskDebtInKind(command) => self.ask_debt_in_kind(command, today, calendar),
            Command::PublishSellOffNotice(command) => self.publish_sell_off_notice(command, today, calendar),
            Command::RecordSellOffBid(command) => self.record_sell_off_bid(command, today, calendar),
            Command::RecordBuyerRefunded(command) => self.record_buyer_refunded(command, today, calendar),
            Command::DecideDebtInKind(command) => self.decide_debt_in_kind(command, today, calendar),
            Command::HandOverForManagement(command) => self.hand_over_for_management(command, today, calendar),
            Command::Release(command) => self.release(command, today, calendar),
            Command::ApplySelfDisposal(command) => self.apply_self_disposal(command, today, calendar),
            Command::DecideSelfDisposal(command) => self.decide_self_disposal(command, today, calendar),
            Command::ExtendSelfDisposal(command) => self.extend_self_disposal(command, today, calendar),
            Command::RecordSelfDisposalSale(command) => self.record_self_disposal_sale(command, today, calendar),
            Command::LapseSelfDisposal(command) => self.lapse_self_disposal(command, today, calendar),
            Command::Suspend(command) => self.suspend(command, today, calendar),
            Command::EndSuspensionCause(command) => self.end_suspension_cause(command, today, calendar),
            Command::Resume(command) => self.resume(command, today, calendar),
            Command::StopOnDebtorPayment(command) => self.stop_on_debtor_payment(command, today, calendar),
            Command::StopClaimCovered(command) => self.stop_claim_covered(command, today, calendar),
        }
    }

    /// FUND-1: money goes only to the case's collection account.
    pub(crate) fn check_account(&self, account: &str) -> Result<(), DisposalError> {
        if account.trim() != self.collection_account {
            return Err(DisposalError::AccountNotCaseAccount {
                account: account.to_string(),
                required: self.collection_account.clone(),
            });
        }
        Ok(())
    }

    /// REF-36: the first time the disposal begins, the engine records it on the valuation.
    pub(crate) fn mark_disposal_started(&mut self, kind: DisposalKind, today: NaiveDate, draft: &mut Draft) {
        if self.disposal_started_on.is_none() {
            self.disposal_started_on = Some(today);
            draft.signal(Signal::DisposalStarted { kind, on: today });
        }
    }

    /// REF-33 (Q5: the start): the first bidding that took place is the sale date the valuation records.
    pub(crate) fn mark_sale_started(&mut self, on: NaiveDate, draft: &mut Draft) {
        if self.sale_started_on.is_none() {
            self.sale_started_on = Some(on);
            draft.signal(Signal::SaleStarted { on });
        }
    }
}

/// The deposit of the published round with this number (not a resale), or zero: SELL-6's default for the deposit a
/// sell-off notice states (DESIGN: the second round's, UNCONFIRMED).
fn published_deposit(rounds: &[PublishedRound], number: u8) -> Money {
    rounds
        .iter()
        .find(|published| published.round.number == number && !published.round.resale)
        .map_or(Money::ZERO, |published| published.plan.deposit)
}

impl Disposal {
    /// SELL-6: the deposit a sell-off notice states, or (DESIGN, UNCONFIRMED) the second round's deposit where the
    /// notice gave none or the sell-off was stored before the deposit was kept.
    pub(crate) fn sell_off_deposit(&self, stated: Option<Money>) -> Money {
        stated.unwrap_or_else(|| published_deposit(&self.rounds, 2))
    }
}

/// `amount × percent / 100`, rounded up to the fen: the smallest amount that is at least `percent` % (the floors of
/// AUC-3, AUC-8, AUC-16 are checked exactly as `amount_a × 100 ≥ amount_b × percent`; this is only for messages).
pub(crate) fn percent_ceil(amount: Money, percent: i64) -> Money {
    let product = i128::from(amount.fen()) * i128::from(percent);
    let fen = (product + 99).div_euclid(100);
    Money::from_fen(i64::try_from(fen).unwrap_or(i64::MAX))
}

/// `amount × percent / 100`, rounded down to the fen.
pub(crate) fn percent_floor(amount: Money, percent: i64) -> Money {
    let product = i128::from(amount.fen()) * i128::from(percent);
    Money::from_fen(i64::try_from(product.div_euclid(100)).unwrap_or(i64::MAX))
}

/// Whether `amount × 100 ≥ base × percent`, exactly (in i128, so no product overflows).
pub(crate) fn at_least_percent(amount: Money, base: Money, percent: i64) -> bool {
    i128::from(amount.fen()) * 100 >= i128::from(base.fen()) * i128::from(percent)
}

/// Whether `amount × 100 ≤ base × percent`, exactly.
pub(crate) fn at_most_percent(amount: Money, base: Money, percent: i64) -> bool {
    i128::from(amount.fen()) * 100 <= i128::from(base.fen()) * i128::from(percent)
}

/// Refuses an empty name (`name_missing`, with the rule that needs the name).
pub(crate) fn require_name(value: &str, field: &'static str, rule: &'static str) -> Result<(), DisposalError> {
    if value.trim().is_empty() {
        return Err(DisposalError::NameMissing { field, rule });
    }
    Ok(())
}
