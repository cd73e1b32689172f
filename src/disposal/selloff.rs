//! After the second failed round: the debt-in-kind question (SELL-3), the online sell-off (网络司法变卖, SELL-4 …
//! SELL-6) on the same platform (AUC-16) at the second round's starting price (SELL-5), and its failure (SELL-7).
//! A buyer who backs out of the sell-off (SELL-6) is recorded with `record_buyer_default` (see `auction`); the
//! sell-off is then published again from `SellOffResale`, and the rest of the buyer's prepayment refunded.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::aftermath::{SaleChannel, Settlement};
use super::auction::RecordSale;
use super::error::DisposalError;
use super::limits::{LimitKind, TimeLimit};
use super::plan::deposit_bounds;
use super::{is_movable, require_name, Command, Disposal, Draft, Outcome, Signal, Stage, Transition};
use crate::calendar::{Calendar, Period};
use crate::clock::local_date;
use crate::money::Money;
use crate::valuation::Audience;

/// SELL-3: the creditors are asked about debt in kind within 10 days of the second failure.
pub const QUESTION_DAYS: u32 = 10;
/// SELL-3: the sell-off notice follows within 15 days of the second failure.
pub const SELLOFF_NOTICE_DAYS: u32 = 15;
/// SELL-6: the first bid opens a 24-hour window.
pub const SELLOFF_WINDOW_HOURS: i64 = 24;

/// The second round failed (SELL-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFailure {
    pub failed_on: NaiveDate,
    /// SELL-3: open until the creditors are asked.
    pub question: Option<TimeLimit>,
    pub asked_on: Option<NaiveDate>,
    /// SELL-3: the sell-off notice.
    pub notice: TimeLimit,
}

impl SecondFailure {
    pub(crate) fn new(failed_on: NaiveDate, calendar: &Calendar) -> Self {
        SecondFailure {
            failed_on,
            question: Some(TimeLimit::start(
                LimitKind::DebtInKindQuestion,
                None,
                failed_on,
                Period::Days(QUESTION_DAYS),
                calendar,
            )),
            asked_on: None,
            notice: TimeLimit::start(
                LimitKind::SellOffNotice,
                None,
                failed_on,
                Period::Days(SELLOFF_NOTICE_DAYS),
                calendar,
            ),
        }
    }

    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        if let Some(limit) = &mut self.question {
            visit(limit);
        }
        visit(&mut self.notice);
    }
}

/// The first bid of the sell-off and the 24-hour window it opens (SELL-6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstBid {
    pub bidder: String,
    pub at: DateTime<Utc>,
    pub window_closes_at: DateTime<Utc>,
}

/// The online sell-off (SELL-4 … SELL-6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellOff {
    pub platform: String,
    /// SELL-5: the second round's starting price.
    pub price: Money,
    pub notice_on: NaiveDate,
    pub starts_on: NaiveDate,
    /// SELL-4: the 60 days, counted from the start.
    pub period: TimeLimit,
    pub first_bid: Option<FirstBid>,
    /// SELL-6: the deposit the notice states — what a buyer who backs out forfeits of the prepaid price. Absent from
    /// sell-offs stored before it was kept: the second round's deposit then (DESIGN).
    #[serde(default)]
    pub deposit: Option<Money>,
    /// AUC-14 (through AUC-23): buyers who backed out of this asset's sale may not bid again.
    #[serde(default)]
    pub excluded_bidders: Vec<String>,
}

/// The sell-off buyer backed out (SELL-6); the sell-off is to be published again without that buyer (DESIGN, see
/// `Disposal::record_buyer_default`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellOffResale {
    pub defaulted_on: NaiveDate,
    pub buyer: String,
    /// DESIGN (by analogy to SELL-3): the new notice, within 15 days of the default (configurable).
    pub notice: TimeLimit,
    pub excluded_bidders: Vec<String>,
}

/// No buyer in the sell-off (SELL-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellOffFailure {
    pub failed_on: NaiveDate,
    /// The sell-off price: the price of a debt in kind now (SELL-7, Q8 DESIGN).
    pub price: Money,
}

/// SELL-3: the applicant and the other creditors were asked today whether they take the asset in payment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AskDebtInKind {}

/// SELL-3, SELL-4: publish the sell-off notice today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishSellOffNotice {
    /// The first day of the 60-day sell-off.
    pub starts_on: NaiveDate,
    /// The platform, if named: it must be the auction's (AUC-16).
    pub platform: Option<String>,
    /// SELL-6: the deposit the notice states, forfeited by a buyer who backs out; 5 % to 20 % of the sell-off price
    /// (AUC-8 through AUC-23). DESIGN (UNCONFIRMED): the second round's deposit when not given.
    #[serde(default)]
    pub deposit: Option<Money>,
}

/// SELL-6: a qualified bidder (who paid the full sell-off price) bid first; a 24-hour window opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSellOffBid {
    pub bidder: String,
    pub at: DateTime<Utc>,
}

impl Disposal {
    /// SELL-3: the creditors were asked about debt in kind. Their answer, if they take it, is the judge's
    /// `decide_debt_in_kind`; otherwise the sell-off notice follows.
    ///
    /// Checks, in order: the date; the second round failed and not asked yet (`out_of_order`, SELL-3).
    pub fn ask_debt_in_kind(mut self, command: AskDebtInKind, today: NaiveDate, _calendar: &Calendar) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::AskDebtInKind(command))?;
        let stage = self.stage.name();
        let Stage::SecondRoundFailed(failure) = &mut self.stage else {
            return Err(DisposalError::out_of_order("ask_debt_in_kind", stage, "SELL-3"));
        };
        let Some(limit) = failure.question.take() else {
            return Err(DisposalError::out_of_order("ask_debt_in_kind", stage, "SELL-3"));
        };
        draft.meet(limit.key());
        failure.asked_on = Some(today);
        Ok(draft.finish(self))
    }

    /// SELL-3, SELL-4, SELL-5: publishes the sell-off notice today; the sell-off runs 60 days from `starts_on` at the
    /// second round's starting price, on the auction's platform. After a buyer backed out (SELL-6), the same notice
    /// publishes the sell-off again, without that buyer (DESIGN).
    ///
    /// Checks, in order: the date; the second round failed, or the sell-off buyer backed out (`out_of_order`, SELL-3);
    /// after the second failure, the creditors asked first (`debt_in_kind_question_pending`, SELL-3); the same
    /// platform (`platform_differs_from_first_round`, AUC-16); the deposit stated, 5 % to 20 % of the price
    /// (`deposit_out_of_range`, AUC-8); the notice lead, 15 days for real estate and other rights, 7 for movables
    /// [UNCONFIRMED, configurable] (`sell_off_notice_too_late`, SELL-4); the start within the grace
    /// (`reference_price_grace_passed`, REF-33).
    pub fn publish_sell_off_notice(
        mut self,
        command: PublishSellOffNotice,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::PublishSellOffNotice(command.clone()))?;
        let (notice_limit, excluded_bidders) = match &self.stage {
            Stage::SecondRoundFailed(failure) => {
                if failure.asked_on.is_none() {
                    return Err(DisposalError::DebtInKindQuestionPending);
                }
                (failure.notice.key(), Vec::new())
            }
            Stage::SellOffResale(resale) => (resale.notice.key(), resale.excluded_bidders.clone()),
            Stage::Preparing(_)
            | Stage::Planned(_)
            | Stage::Announced(_)
            | Stage::SellOff(_)
            | Stage::SellOffFailed(_)
            | Stage::Settlement(_)
            | Stage::SelfDisposalApplied(_)
            | Stage::SelfDisposal(_)
            | Stage::Suspended(_)
            | Stage::Ended(_) => return Err(DisposalError::out_of_order("publish_sell_off_notice", self.stage.name(), "SELL-3")),
        };
        let Some(second) = self.published_round(2) else {
            return Err(DisposalError::out_of_order("publish_sell_off_notice", self.stage.name(), "SELL-3"));
        };
        let required = second.plan.platform.clone();
        let price = second.plan.starting_price;
        if let Some(platform) = command.platform.as_deref().map(str::trim).filter(|name| !name.is_empty()) {
            if platform != required {
                return Err(DisposalError::PlatformDiffersFromFirstRound {
                    required,
                    platform: platform.to_string(),
                });
            }
        }
        let deposit = self.sell_off_deposit(command.deposit);
        let (min, max) = deposit_bounds(price);
        if deposit < min || deposit > max {
            return Err(DisposalError::DepositOutOfRange { deposit, min, max });
        }
        let lead_days = if is_movable(self.asset_kind) {
            self.config.selloff_notice_lead_days_movable
        } else {
            self.config.selloff_notice_lead_days_real_estate
        };
        let earliest_start = today.checked_add_days(chrono::Days::new(lead_days.into())).unwrap_or(today);
        if command.starts_on < earliest_start {
            return Err(DisposalError::SellOffNoticeTooLate { lead_days, earliest_start });
        }
        if command.starts_on > self.grace_ends_on {
            return Err(DisposalError::ReferencePriceGracePassed {
                grace_ends_on: self.grace_ends_on,
                starts_on: command.starts_on,
            });
        }
        draft.meet(notice_limit);
        let period = TimeLimit::start(
            LimitKind::SellOffPeriod,
            None,
            command.starts_on,
            Period::Days(self.config.selloff_period_days),
            calendar,
        );
        draft.outcome(Outcome::SellOffScheduled {
            starts_on: command.starts_on,
            ends_on: period.due_date,
            price,
        });
        draft.notify(
            Audience::Parties,
            "SELL-4",
            format!(
                "online sell-off on {required} from {} to {} at {price}",
                command.starts_on, period.due_date
            ),
        );
        self.stage = Stage::SellOff(Box::new(SellOff {
            platform: required,
            price,
            notice_on: today,
            starts_on: command.starts_on,
            period,
            first_bid: None,
            deposit: Some(deposit),
            excluded_bidders,
        }));
        Ok(draft.finish(self))
    }

    /// SELL-6: the first bid opens a 24-hour window for the other qualified bidders.
    ///
    /// Checks, in order: the date; in the sell-off (`out_of_order`, SELL-6); a bidder (`name_missing`, SELL-6) who
    /// did not back out of this asset's sale before (`defaulted_buyer_excluded`, AUC-14 through AUC-23); no first bid
    /// yet (`first_bid_already_recorded`, SELL-6); the bid within the period and not after today
    /// (`bid_outside_sell_off_period`, SELL-6).
    pub fn record_sell_off_bid(
        mut self,
        command: RecordSellOffBid,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let draft = self.draft(today, Command::RecordSellOffBid(command.clone()))?;
        let stage = self.stage.name();
        let Stage::SellOff(selloff) = &mut self.stage else {
            return Err(DisposalError::out_of_order("record_sell_off_bid", stage, "SELL-6"));
        };
        require_name(&command.bidder, "bidder", "SELL-6")?;
        let bidder = command.bidder.trim().to_string();
        if selloff.excluded_bidders.contains(&bidder) {
            return Err(DisposalError::DefaultedBuyerExcluded { buyer: bidder });
        }
        if let Some(first) = &selloff.first_bid {
            return Err(DisposalError::FirstBidAlreadyRecorded {
                window_closes_at: first.window_closes_at,
            });
        }
        let bid_on = local_date(command.at);
        if bid_on < selloff.starts_on || bid_on > selloff.period.due_date || bid_on > today {
            return Err(DisposalError::BidOutsideSellOffPeriod {
                at: command.at,
                starts_on: selloff.starts_on,
                ends_on: selloff.period.due_date,
            });
        }
        selloff.first_bid = Some(FirstBid {
            bidder,
            at: command.at,
            window_closes_at: command.at + Duration::hours(SELLOFF_WINDOW_HOURS),
        });
        Ok(draft.finish(self))
    }

    /// SELL-6: the window closed; the highest bidder, who prepaid the full price, buys. Checks, in order: a first
    /// bid (`no_sell_off_bid`, SELL-6); the window closed (`sell_off_window_open`, SELL-6) and not after today
    /// (`bidding_end_in_future`, DESIGN); a buyer (`name_missing`, SELL-6) who did not back out of this asset before
    /// (`defaulted_buyer_excluded`, AUC-14); the price (`sale_price_below_sell_off_price`, SELL-5).
    pub(crate) fn record_sell_off_sale(
        mut self,
        command: RecordSale,
        today: NaiveDate,
        calendar: &Calendar,
        mut draft: Draft,
    ) -> Result<Transition, DisposalError> {
        let Stage::SellOff(selloff) = &self.stage else {
            unreachable!("the caller checked the stage");
        };
        let Some(first_bid) = &selloff.first_bid else {
            return Err(DisposalError::NoSellOffBid);
        };
        if command.bidding_ended_at < first_bid.window_closes_at {
            return Err(DisposalError::SellOffWindowOpen {
                window_closes_at: first_bid.window_closes_at,
            });
        }
        if local_date(command.bidding_ended_at) > today {
            return Err(DisposalError::BiddingEndInFuture {
                bidding_ended_on: local_date(command.bidding_ended_at),
            });
        }
        require_name(&command.buyer, "buyer", "SELL-6")?;
        if selloff.excluded_bidders.iter().any(|excluded| excluded == command.buyer.trim()) {
            return Err(DisposalError::DefaultedBuyerExcluded {
                buyer: command.buyer.trim().to_string(),
            });
        }
        if command.price < selloff.price {
            return Err(DisposalError::SalePriceBelowSellOffPrice {
                price: command.price,
                selloff_price: selloff.price,
            });
        }
        let buyer = command.buyer.trim().to_string();
        draft.meet(selloff.period.key());
        // SELL-6: the buyer prepaid the whole price; the platform transfers it within 24 hours (AUC-15 via AUC-23).
        let mut settlement = Settlement::after_sale(
            SaleChannel::SellOff,
            buyer.clone(),
            command.price,
            command.price,
            command.bidding_ended_at,
            None,
            selloff.excluded_bidders.clone(),
            today,
            calendar,
        );
        settlement.forfeit_on_default = Some(self.sell_off_deposit(selloff.deposit));
        if command.other_bidders_paid_deposits {
            self.deposit_refund = Some(TimeLimit::hours_24(
                LimitKind::DepositRefund,
                Some("sell_off".to_string()),
                local_date(command.bidding_ended_at),
                calendar,
            ));
        }
        draft.signal(Signal::Sold {
            price: command.price,
            buyer,
            on: today,
        });
        self.stage = Stage::Settlement(Box::new(settlement));
        Ok(draft.finish(self))
    }

    /// SELL-7: the 60 days ended without a bid. Checks, in order: no bid (`sell_off_has_bid`, SELL-6); the period over
    /// (`sell_off_still_running`, SELL-4).
    pub(crate) fn record_sell_off_failure(mut self, today: NaiveDate, mut draft: Draft) -> Result<Transition, DisposalError> {
        let Stage::SellOff(selloff) = &self.stage else {
            unreachable!("the caller checked the stage");
        };
        if selloff.first_bid.is_some() {
            return Err(DisposalError::SellOffHasBid);
        }
        if today <= selloff.period.due_date {
            return Err(DisposalError::SellOffStillRunning {
                ends_on: selloff.period.due_date,
            });
        }
        draft.meet(selloff.period.key());
        let price = selloff.price;
        draft.notify(
            Audience::Judge,
            "SELL-7",
            format!("no buyer in the sell-off: decide debt in kind at {price}, management by the applicant, or release"),
        );
        self.stage = Stage::SellOffFailed(SellOffFailure { failed_on: today, price });
        Ok(draft.finish(self))
    }
}
