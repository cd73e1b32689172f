//! The auction plan of a round: the panel's decision on the parameters (AUC-17), the platform (AUC-2, AUC-16), the
//! prices (AUC-3, AUC-16, AUC-14 Q6), the deposit (AUC-8), the increment (AUC-11), the priority holders (AUC-10), the
//! schedule (AUC-5, AUC-7, AUC-11, AUC-15, REF-33), the no-surplus check (TRAD-2), the notices (AUC-7) and the
//! publication of the announcement (the start of the disposal, REF-36).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::error::DisposalError;
use super::limits::{LimitKind, TimeLimit, COURT_SET_DAYS_MAX};
use super::procedure::Preparing;
use super::{
    at_least_percent, at_most_percent, is_movable, percent_ceil, percent_floor, require_name, Command, Disposal, Outcome, PublishedRound,
    Round, Stage, Transition,
};
use crate::calendar::{Calendar, Period};
use crate::clock::local_date;
use crate::money::Money;
use crate::registry::AssetKind;
use crate::valuation::{Audience, DisposalKind};

/// AUC-3: the starting price is at least 70 % of the reference price.
pub const STARTING_PRICE_FLOOR_PERCENT: i64 = 70;
/// AUC-16: the second round's starting price is at most 20 % lower than the first's, i.e. at least 80 % of it.
pub const SECOND_ROUND_FLOOR_PERCENT: i64 = 80;
/// AUC-8: the deposit is 5 % to 20 % of the starting price.
pub const DEPOSIT_MIN_PERCENT: i64 = 5;
pub const DEPOSIT_MAX_PERCENT: i64 = 20;
/// AUC-7: the parties are notified at least 3 days before the announcement.
pub const NOTICE_LEAD_DAYS: u32 = 3;
/// AUC-7: a notice published on the platform for an unreachable person counts as served 5 days later.
pub const DEEMED_NOTICE_DAYS: u32 = 5;
/// AUC-11: the bidding lasts at least 24 hours.
pub const BIDDING_HOURS_MIN: i64 = 24;
/// TRAD-2: the applicant may ask to go on within 5 days of the no-surplus notice.
pub const NO_SURPLUS_REQUEST_DAYS: u32 = 5;
/// A collegial panel (合议庭) has at least three members.
pub const PANEL_MEMBERS_MIN: usize = 3;

/// AUC-17: the recorded decision of the collegial panel (合议庭评议) fixing the round's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelDecision {
    pub decision_id: String,
    pub decided_on: NaiveDate,
    pub members: Vec<String>,
}

/// AUC-10: a priority-purchase holder (优先购买权人) confirmed by the court, with its rank (1 is the highest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityHolder {
    pub name: String,
    pub rank: u32,
    /// AUC-7: a holder who gave up the right in writing need not be notified.
    pub waived_in_writing: bool,
}

/// The bidding (竞价) on the platform, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BiddingWindow {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The round's schedule, as the announcement will state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// The planned publication date of the announcement (拍卖公告).
    pub announcement_on: NaiveDate,
    pub bidding: BiddingWindow,
    /// AUC-15: the announcement sets the deadline for the balance; the law fixes no number of days.
    pub balance_due_on: NaiveDate,
}

/// The panel's decision on a round (AUC-17), with the platform (AUC-2) and the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideAuctionPlan {
    pub panel: PanelDecision,
    /// The SPC's list of platforms, as the engine holds it (AUC-2: neither narrowed nor chosen by the court).
    pub platform_register: Vec<String>,
    /// The applicant's choice from the register (AUC-2).
    pub applicant_choice: Option<String>,
    /// The court's designation, when the applicant did not choose or the applicants disagree (AUC-2).
    pub court_designation: Option<String>,
    /// The starting price, which is the reserve price (保留价, AUC-3).
    pub starting_price: Money,
    pub deposit: Money,
    pub bid_increment: Money,
    pub priority_holders: Vec<PriorityHolder>,
    pub schedule: Schedule,
}

/// A round's plan, as the panel fixed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuctionPlan {
    pub panel: PanelDecision,
    pub platform: String,
    /// Whether the applicant chose the platform (else the court designated it, or it is the first round's).
    pub chosen_by_applicant: bool,
    pub starting_price: Money,
    pub deposit: Money,
    /// AUC-8: what the applicant pays if it bids: `max(0, deposit − outstanding claim)`.
    pub applicant_deposit: Money,
    pub bid_increment: Money,
    pub priority_holders: Vec<PriorityHolder>,
    pub schedule: Schedule,
}

/// TRAD-2: at this round's starting price nothing would be left after the priority claims and the costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoSurplus {
    /// The priority claims plus the execution costs.
    pub threshold: Money,
    pub notified_on: NaiveDate,
    /// Open until the applicant asks to go on.
    pub request_by: Option<TimeLimit>,
    pub request_due: NaiveDate,
    pub requested_on: Option<NaiveDate>,
}

/// How a notice reached, or is deemed to reach, its recipient (AUC-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "means", rename_all = "snake_case")]
pub enum NoticeMeans {
    /// In writing or another way that confirms receipt, today.
    Written,
    /// Unreachable: published on the platform today with the reason; deemed notified 5 days later.
    PublishedUnreachable { reason: String },
}

/// A notice of the round to a party or a priority holder (AUC-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyNotice {
    pub recipient: String,
    pub means: NoticeMeans,
    pub recorded_on: NaiveDate,
    /// The day the recipient counts as notified.
    pub notified_on: NaiveDate,
}

/// The round is fixed; notices and publication follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    pub round: Round,
    pub excluded_bidders: Vec<String>,
    /// The deadline to announce that was running when the plan was made (AUC-16, SELF-4), met at publication.
    pub announce_by: Option<TimeLimit>,
    pub plan: AuctionPlan,
    pub notices: Vec<PartyNotice>,
    pub no_surplus: Option<NoSurplus>,
}

impl Planned {
    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        if let Some(limit) = &mut self.announce_by {
            visit(limit);
        }
        if let Some(NoSurplus {
            request_by: Some(limit), ..
        }) = &mut self.no_surplus
        {
            visit(limit);
        }
    }
}

/// The announcement is published; the bidding and its result follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announced {
    pub round: Round,
    pub excluded_bidders: Vec<String>,
    pub plan: AuctionPlan,
    pub published_on: NaiveDate,
}

/// AUC-7: record a notice to a party or a known priority holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordNotice {
    pub recipient: String,
    pub means: NoticeMeans,
}

/// TRAD-2: the applicant asks, within 5 days of the no-surplus notice, to go on with the auction.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecordApplicantRequest {}

/// Publish the announcement today (AUC-5, AUC-6).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PublishAnnouncement {}

/// AUC-3: the lowest lawful starting price, in fen, rounded up (the check itself is exact: `start × 100 ≥ ref × 70`).
pub fn starting_price_floor(reference_price: Money) -> Money {
    percent_ceil(reference_price, STARTING_PRICE_FLOOR_PERCENT)
}

/// AUC-8: the lowest and highest lawful deposits for a starting price, in whole fen.
pub fn deposit_bounds(starting_price: Money) -> (Money, Money) {
    (
        percent_ceil(starting_price, DEPOSIT_MIN_PERCENT),
        percent_floor(starting_price, DEPOSIT_MAX_PERCENT),
    )
}

/// The announcement lead: AUC-5 for the first round (15 days for movables, 30 for real estate and other property
/// rights), AUC-16 for the second (7 and 15). A resale keeps its round's lead.
pub fn announcement_lead_days(kind: AssetKind, round: Round) -> u32 {
    match (round.number, is_movable(kind)) {
        (1, true) => 15,
        (1, false) => 30,
        (_, true) => 7,
        (_, false) => 15,
    }
}

fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(chrono::Days::new(days.into())).unwrap_or(date)
}

fn sub_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_sub_days(chrono::Days::new(days.into())).unwrap_or(date)
}

/// Checks a round's plan and returns it, with the amounts the law derives (AUC-8's offset). Pure: the lifecycle
/// calls it for `decide_auction_plan`, and the property tests call it on generated plans.
///
/// Checks, in order: the panel decision (`panel_decision_incomplete`, AUC-17); the platform on the register, the
/// applicant's choice before the court's designation (`platform_register_empty`, `platform_missing`,
/// `platform_not_on_register`, `platform_not_applicants_choice`, AUC-2), the first round's platform for later rounds
/// (`platform_differs_from_first_round`, AUC-16); the starting price above zero, ≥ 70 % of the reference price in
/// the first round (`starting_price_below_floor`, AUC-3), ≥ 80 % of the first round's in the second
/// (`second_round_price_cut_too_deep`, AUC-16), equal to the round's in a resale (`resale_starting_price_differs`,
/// AUC-14, Q6); the deposit within 5–20 % (`deposit_out_of_range`, AUC-8); the increment above zero
/// (`bid_increment_not_positive`, AUC-11); the priority holders (`priority_holder_invalid`, AUC-10); the schedule
/// (see `check_schedule`).
pub fn check_plan(disposal: &Disposal, round: Round, command: &DecideAuctionPlan, today: NaiveDate) -> Result<AuctionPlan, DisposalError> {
    let panel = &command.panel;
    let mut members = panel
        .members
        .iter()
        .map(|member| member.trim())
        .filter(|member| !member.is_empty())
        .collect::<Vec<_>>();
    members.sort_unstable();
    members.dedup();
    if panel.decision_id.trim().is_empty() || panel.decided_on > today || members.len() < PANEL_MEMBERS_MIN {
        return Err(DisposalError::PanelDecisionIncomplete);
    }
    let (platform, chosen_by_applicant) = choose_platform(disposal, command)?;
    if command.starting_price.fen() <= 0 {
        return Err(DisposalError::AmountNotPositive {
            field: "starting_price",
            rule: "AUC-3",
        });
    }
    check_starting_price(disposal, round, command.starting_price)?;
    if !at_least_percent(command.deposit, command.starting_price, DEPOSIT_MIN_PERCENT)
        || !at_most_percent(command.deposit, command.starting_price, DEPOSIT_MAX_PERCENT)
    {
        let (min, max) = deposit_bounds(command.starting_price);
        return Err(DisposalError::DepositOutOfRange {
            deposit: command.deposit,
            min,
            max,
        });
    }
    if command.bid_increment.fen() <= 0 {
        return Err(DisposalError::BidIncrementNotPositive);
    }
    for (index, holder) in command.priority_holders.iter().enumerate() {
        let repeated = command.priority_holders[..index].iter().any(|earlier| earlier.name == holder.name);
        if holder.name.trim().is_empty() || holder.rank == 0 || repeated {
            return Err(DisposalError::PriorityHolderInvalid {
                holder: holder.name.clone(),
            });
        }
    }
    if command.schedule.announcement_on < add_days(today, NOTICE_LEAD_DAYS) {
        return Err(DisposalError::NoticePeriodTooShort {
            recipient: None,
            earliest_announcement_on: add_days(today, NOTICE_LEAD_DAYS),
        });
    }
    check_schedule(disposal, round, command.schedule.announcement_on, &command.schedule)?;
    let applicant_deposit = Money::from_fen((command.deposit.fen() - disposal.outstanding_claim.fen()).max(0));
    Ok(AuctionPlan {
        panel: PanelDecision {
            decision_id: panel.decision_id.trim().to_string(),
            decided_on: panel.decided_on,
            members: members.into_iter().map(str::to_string).collect(),
        },
        platform,
        chosen_by_applicant,
        starting_price: command.starting_price,
        deposit: command.deposit,
        applicant_deposit,
        bid_increment: command.bid_increment,
        priority_holders: command.priority_holders.clone(),
        schedule: command.schedule,
    })
}

/// AUC-2 and AUC-16: the applicant's choice from the register, else the court's designation; a later round stays on
/// the first round's platform (and takes it when none is named).
fn choose_platform(disposal: &Disposal, command: &DecideAuctionPlan) -> Result<(String, bool), DisposalError> {
    let first_platform = disposal.published_round(1).map(|first| first.plan.platform.clone());
    let applicant = command.applicant_choice.as_deref().map(str::trim).filter(|name| !name.is_empty());
    let court = command.court_designation.as_deref().map(str::trim).filter(|name| !name.is_empty());
    if command.platform_register.is_empty() {
        return Err(DisposalError::PlatformRegisterEmpty);
    }
    let (platform, chosen_by_applicant) = match (applicant, court, &first_platform) {
        (Some(chosen), Some(designated), _) if chosen != designated => {
            return Err(DisposalError::PlatformNotApplicantsChoice {
                chosen: chosen.to_string(),
                designated: designated.to_string(),
            })
        }
        (Some(chosen), _, _) => (chosen.to_string(), true),
        (None, Some(designated), _) => (designated.to_string(), false),
        (None, None, Some(first)) => (first.clone(), false),
        (None, None, None) => return Err(DisposalError::PlatformMissing),
    };
    if !command.platform_register.iter().any(|listed| listed.trim() == platform) {
        return Err(DisposalError::PlatformNotOnRegister { platform });
    }
    if let Some(required) = first_platform {
        if required != platform {
            return Err(DisposalError::PlatformDiffersFromFirstRound { required, platform });
        }
    }
    Ok((platform, chosen_by_applicant))
}

/// AUC-3 (first round), AUC-16 (second round), AUC-14 with Q6 (a resale keeps the round's starting price).
fn check_starting_price(disposal: &Disposal, round: Round, starting_price: Money) -> Result<(), DisposalError> {
    if round.resale {
        if let Some(original) = disposal.published_round(round.number) {
            if original.plan.starting_price != starting_price {
                return Err(DisposalError::ResaleStartingPriceDiffers {
                    starting_price,
                    required: original.plan.starting_price,
                });
            }
            return Ok(());
        }
    }
    match disposal.published_round(1).filter(|_| round.number >= 2) {
        Some(first) => {
            if !at_least_percent(starting_price, first.plan.starting_price, SECOND_ROUND_FLOOR_PERCENT) {
                return Err(DisposalError::SecondRoundPriceCutTooDeep {
                    starting_price,
                    first_starting_price: first.plan.starting_price,
                    floor: percent_ceil(first.plan.starting_price, SECOND_ROUND_FLOOR_PERCENT),
                });
            }
        }
        None => {
            if !at_least_percent(starting_price, disposal.reference_price, STARTING_PRICE_FLOOR_PERCENT) {
                return Err(DisposalError::StartingPriceBelowFloor {
                    starting_price,
                    reference_price: disposal.reference_price,
                    floor: starting_price_floor(disposal.reference_price),
                });
            }
        }
    }
    Ok(())
}

/// The windows of a schedule announced on `announcement_on`. Checks, in order: the first announcement within the
/// reference price's validity (`reference_price_expired`, REF-33); the announcement lead
/// (`announcement_too_late`, AUC-5 / AUC-16); at least 24 hours of bidding (`bidding_too_short`, AUC-11); the bidding
/// within the 6-month grace (`reference_price_grace_passed`, REF-33); the balance deadline after the bidding and
/// within a year (`balance_due_out_of_range`, AUC-15).
pub(crate) fn check_schedule(
    disposal: &Disposal,
    round: Round,
    announcement_on: NaiveDate,
    schedule: &Schedule,
) -> Result<(), DisposalError> {
    // REF-33: once the disposal has begun (a first announcement, or an approved self-disposal recorded as a direct
    // sell-off), only the 6-month grace applies.
    if disposal.disposal_started_on.is_none() && announcement_on > disposal.validity_ends_on {
        return Err(DisposalError::ReferencePriceExpired {
            validity_ends_on: disposal.validity_ends_on,
        });
    }
    let lead_days = announcement_lead_days(disposal.asset_kind, round);
    let bidding_starts_on = local_date(schedule.bidding.starts_at);
    if bidding_starts_on < add_days(announcement_on, lead_days) {
        return Err(DisposalError::AnnouncementTooLate {
            lead_days,
            announcement_on,
            bidding_starts_on,
            earliest_bidding_start: add_days(announcement_on, lead_days),
            latest_announcement_on: sub_days(bidding_starts_on, lead_days),
        });
    }
    check_bidding_window(&schedule.bidding)?;
    if bidding_starts_on > disposal.grace_ends_on {
        return Err(DisposalError::ReferencePriceGracePassed {
            grace_ends_on: disposal.grace_ends_on,
            starts_on: bidding_starts_on,
        });
    }
    let bidding_ends_on = local_date(schedule.bidding.ends_at);
    if schedule.balance_due_on <= bidding_ends_on || schedule.balance_due_on > add_days(bidding_ends_on, COURT_SET_DAYS_MAX) {
        return Err(DisposalError::BalanceDueOutOfRange {
            balance_due_on: schedule.balance_due_on,
            bidding_ends_on,
        });
    }
    Ok(())
}

/// AUC-11: at least 24 hours of bidding.
pub(crate) fn check_bidding_window(bidding: &BiddingWindow) -> Result<(), DisposalError> {
    let earliest_bidding_end = bidding.starts_at + Duration::hours(BIDDING_HOURS_MIN);
    if bidding.ends_at < earliest_bidding_end {
        return Err(DisposalError::BiddingTooShort {
            bidding_starts_at: bidding.starts_at,
            earliest_bidding_end,
        });
    }
    Ok(())
}

impl Disposal {
    /// AUC-17: the panel fixes a round (or fixes it again before publication). A first plan after a lapsed
    /// self-disposal or a failed first round keeps the running deadline to announce.
    ///
    /// Checks, in order: the date; preparing or planned (`out_of_order`, AUC-17), not after the second failure
    /// (`third_online_round_not_allowed`, AUC-16); `check_plan`; after the applicant's TRAD-2 request, a starting price
    /// above the priority claims and costs (`no_surplus_reserve_price_too_low`, TRAD-2).
    pub fn decide_auction_plan(
        mut self,
        command: DecideAuctionPlan,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::DecideAuctionPlan(Box::new(command.clone())))?;
        let (round, excluded_bidders, announce_by, previous_no_surplus) = match &self.stage {
            Stage::Preparing(preparing) => (
                preparing.round,
                preparing.excluded_bidders.clone(),
                preparing.announce_by.clone(),
                None,
            ),
            Stage::Planned(planned) => (
                planned.round,
                planned.excluded_bidders.clone(),
                planned.announce_by.clone(),
                planned.no_surplus.clone(),
            ),
            Stage::SecondRoundFailed(_) | Stage::SellOff(_) | Stage::SellOffFailed(_) | Stage::SellOffResale(_) => {
                return Err(DisposalError::ThirdOnlineRoundNotAllowed)
            }
            Stage::Announced(_)
            | Stage::Settlement(_)
            | Stage::SelfDisposalApplied(_)
            | Stage::SelfDisposal(_)
            | Stage::Suspended(_)
            | Stage::Ended(_) => return Err(DisposalError::out_of_order("decide_auction_plan", self.stage.name(), "AUC-17")),
        };
        let plan = check_plan(&self, round, &command, today)?;
        let threshold = Money::from_fen(self.priority_claims.fen() + self.execution_costs.fen());
        let no_surplus = if plan.starting_price <= threshold {
            match previous_no_surplus {
                Some(NoSurplus { requested_on: Some(_), .. }) => {
                    return Err(DisposalError::NoSurplusReservePriceTooLow {
                        starting_price: plan.starting_price,
                        threshold,
                    })
                }
                // The first warning's 5 days keep running: fixing the plan again does not restart them.
                Some(previous) => Some(NoSurplus { threshold, ..previous }),
                None => {
                    let limit = TimeLimit::start(
                        LimitKind::NoSurplusRequest,
                        Some(round.label()),
                        today,
                        Period::Days(NO_SURPLUS_REQUEST_DAYS),
                        calendar,
                    );
                    draft.outcome(Outcome::NoSurplusWarning {
                        threshold,
                        request_due: limit.due_date,
                    });
                    draft.notify(
                        Audience::Parties,
                        "TRAD-2",
                        format!(
                            "at the starting price {} nothing would be left after priority claims and costs of {}; the applicant may ask to go on by {}",
                            plan.starting_price, threshold, limit.due_date
                        ),
                    );
                    Some(NoSurplus {
                        threshold,
                        notified_on: today,
                        request_due: limit.due_date,
                        request_by: Some(limit),
                        requested_on: None,
                    })
                }
            }
        } else {
            None
        };
        draft.outcome(Outcome::PlanFixed {
            round,
            platform: plan.platform.clone(),
            starting_price: plan.starting_price,
            deposit: plan.deposit,
            applicant_deposit: plan.applicant_deposit,
        });
        // A plan fixed again changes the matters the parties were told, so they are told again (AUC-7).
        self.stage = Stage::Planned(Box::new(Planned {
            round,
            excluded_bidders,
            announce_by,
            plan,
            notices: Vec::new(),
            no_surplus,
        }));
        Ok(draft.finish(self))
    }

    /// AUC-7: a party or a known priority holder is notified today in writing, or, unreachable, by publication on
    /// the platform today (deemed notified 5 days later).
    ///
    /// Checks, in order: the date; planned (`out_of_order`, AUC-7); a recipient who must be notified
    /// (`notice_recipient_unknown`, AUC-7); a reason for a publication (`name_missing`, AUC-7).
    pub fn record_notice(mut self, command: RecordNotice, today: NaiveDate, _calendar: &Calendar) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::RecordNotice(command.clone()))?;
        let recipients = self.notice_recipients();
        let stage = self.stage.name();
        let Stage::Planned(planned) = &mut self.stage else {
            return Err(DisposalError::out_of_order("record_notice", stage, "AUC-7"));
        };
        if !recipients.contains(&command.recipient) {
            return Err(DisposalError::NoticeRecipientUnknown {
                recipient: command.recipient,
            });
        }
        let notified_on = match &command.means {
            NoticeMeans::Written => today,
            NoticeMeans::PublishedUnreachable { reason } => {
                require_name(reason, "reason", "AUC-7")?;
                add_days(today, DEEMED_NOTICE_DAYS)
            }
        };
        planned.notices.retain(|notice| notice.recipient != command.recipient);
        planned.notices.push(PartyNotice {
            recipient: command.recipient.clone(),
            means: command.means,
            recorded_on: today,
            notified_on,
        });
        draft.outcome(Outcome::Notified {
            recipient: command.recipient,
            notified_on,
        });
        Ok(draft.finish(self))
    }

    /// Who must be notified of the planned round (AUC-7): the parties and the priority holders who did not waive in
    /// writing.
    pub fn notice_recipients(&self) -> Vec<String> {
        let mut recipients = self.parties.clone();
        if let Stage::Planned(planned) = &self.stage {
            recipients.extend(
                planned
                    .plan
                    .priority_holders
                    .iter()
                    .filter(|holder| !holder.waived_in_writing)
                    .map(|holder| holder.name.clone()),
            );
        }
        recipients
    }

    /// TRAD-2: the applicant asks to go on despite no surplus. The panel must then fix a starting price above the
    /// priority claims and costs before publication.
    ///
    /// Checks, in order: the date; planned (`out_of_order`, TRAD-2); a warning to answer (`no_surplus_not_applicable`,
    /// TRAD-2); within 5 days of the notice (`no_surplus_request_late`, TRAD-2).
    pub fn record_applicant_request(
        mut self,
        command: RecordApplicantRequest,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::RecordApplicantRequest(command))?;
        let stage = self.stage.name();
        let Stage::Planned(planned) = &mut self.stage else {
            return Err(DisposalError::out_of_order("record_applicant_request", stage, "TRAD-2"));
        };
        let Some(no_surplus) = &mut planned.no_surplus else {
            return Err(DisposalError::NoSurplusNotApplicable);
        };
        if no_surplus.requested_on.is_some() {
            return Err(DisposalError::NoSurplusNotApplicable);
        }
        if today > no_surplus.request_due {
            return Err(DisposalError::NoSurplusRequestLate {
                due: no_surplus.request_due,
            });
        }
        if let Some(limit) = no_surplus.request_by.take() {
            draft.meet(limit.key());
        }
        no_surplus.requested_on = Some(today);
        draft.notify(
            Audience::Judge,
            "TRAD-2",
            format!(
                "the applicant asks to go on; fix a starting price above {} (priority claims and costs)",
                no_surplus.threshold
            ),
        );
        Ok(draft.finish(self))
    }

    /// Publishes the announcement today. The first publication starts the disposal (REF-36: the engine records it on
    /// the valuation).
    ///
    /// Checks, in order: the date; planned (`out_of_order`, AUC-5); no open no-surplus question
    /// (`no_surplus_needs_applicant_request`, `no_surplus_reserve_price_too_low`, TRAD-2); every recipient notified
    /// at least 3 days before today (`notice_missing`, `notice_period_too_short`, AUC-7); the schedule, announced today
    /// (`check_schedule`: REF-33, AUC-5, AUC-11, AUC-15).
    pub fn publish_announcement(
        mut self,
        command: PublishAnnouncement,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::PublishAnnouncement(command))?;
        let recipients = self.notice_recipients();
        let Stage::Planned(planned) = &self.stage else {
            return Err(DisposalError::out_of_order("publish_announcement", self.stage.name(), "AUC-5"));
        };
        if let Some(no_surplus) = &planned.no_surplus {
            return Err(match no_surplus.requested_on {
                None => DisposalError::NoSurplusNeedsApplicantRequest {
                    starting_price: planned.plan.starting_price,
                    threshold: no_surplus.threshold,
                },
                Some(_) => DisposalError::NoSurplusReservePriceTooLow {
                    starting_price: planned.plan.starting_price,
                    threshold: no_surplus.threshold,
                },
            });
        }
        for recipient in &recipients {
            let Some(notice) = planned.notices.iter().find(|notice| &notice.recipient == recipient) else {
                return Err(DisposalError::NoticeMissing {
                    recipient: recipient.clone(),
                });
            };
            let earliest_announcement_on = add_days(notice.notified_on, NOTICE_LEAD_DAYS);
            if today < earliest_announcement_on {
                return Err(DisposalError::NoticePeriodTooShort {
                    recipient: Some(recipient.clone()),
                    earliest_announcement_on,
                });
            }
        }
        check_schedule(&self, planned.round, today, &planned.plan.schedule)?;
        let Stage::Planned(planned) = std::mem::replace(&mut self.stage, Stage::Preparing(Preparing::first())) else {
            unreachable!("checked above");
        };
        let planned = *planned;
        let late = planned.announce_by.as_ref().is_some_and(|limit| !limit.allows(today));
        if let Some(limit) = &planned.announce_by {
            draft.meet(limit.key());
        }
        let mut plan = planned.plan;
        plan.schedule.announcement_on = today;
        self.rounds.push(PublishedRound {
            round: planned.round,
            plan: plan.clone(),
            published_on: today,
            result: None,
        });
        self.mark_disposal_started(DisposalKind::FirstAuctionAnnouncement, today, &mut draft);
        draft.outcome(Outcome::Announced {
            round: planned.round,
            late,
        });
        draft.notify(
            Audience::Parties,
            "AUC-5",
            format!(
                "auction round {} announced on {}: bidding from {} to {} at a starting price of {}",
                planned.round.label(),
                plan.platform,
                plan.schedule.bidding.starts_at,
                plan.schedule.bidding.ends_at,
                plan.starting_price
            ),
        );
        self.stage = Stage::Announced(Box::new(Announced {
            round: planned.round,
            excluded_bidders: planned.excluded_bidders,
            plan,
            published_on: today,
        }));
        Ok(draft.finish(self))
    }
}
