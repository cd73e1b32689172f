//! The result of an announced round: sold (AUC-4), failed (流拍, AUC-16), and the buyer's default (悔拍, AUC-14;
//! in the sell-off, SELL-6) with the exact allocation of the forfeited deposit.
//!
//! The forfeited deposit is allocated in AUC-14's order: the costs the auction caused, the shortfall of the resale
//! below the defaulted price, this case's debt, the debtor's related debts. The shortfall is known only when the asset
//! is finally sold, so the allocation waits (DESIGN): the deposit is set apart at the default (`Forfeit`), and
//! allocated when the ruling on the asset's next sale or debt in kind is served (TRAD-8: that sale can no longer
//! fail), against that price; or, when the disposal ends without another sale, with no shortfall.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::aftermath::{SaleChannel, Settlement};
use super::error::DisposalError;
use super::limits::{LimitKind, TimeLimit};
use super::procedure::Preparing;
use super::selloff::{SecondFailure, SellOffResale};
use super::{require_name, Command, Disposal, Draft, Outcome, Round, RoundResult, Signal, Stage, Transition};
use crate::calendar::{Calendar, Period};
use crate::clock::local_date;
use crate::money::Money;
use crate::valuation::Audience;

/// The round ended with a sale (成交): the highest valid bid, at least the starting price (AUC-4: one bidder is
/// enough). In a sell-off, the sale after the first bid's 24-hour window (SELL-6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSale {
    pub buyer: String,
    pub price: Money,
    /// When the bidding ended, extensions included (AUC-11).
    pub bidding_ended_at: DateTime<Utc>,
    /// AUC-13: other bidders paid deposits, to be refunded within 24 hours.
    pub other_bidders_paid_deposits: bool,
}

/// The round ended without a valid bid (流拍, AUC-16); in a sell-off, the 60 days ended without a bid (SELL-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFailure {
    pub bidding_ended_at: DateTime<Utc>,
    /// AUC-13: bidders paid deposits without a valid bid; they are refunded within 24 hours.
    pub deposits_paid: bool,
}

/// AUC-14: the buyer did not pay the balance (悔拍); the deposit is forfeited and the asset is sold again without
/// that buyer. In the sell-off (SELL-6), the buyer who prepaid the price backs out before the ruling.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecordBuyerDefault {
    /// 拍卖产生的费用损失: the costs the defaulted sale caused (the platform's, the announcements', …) as the court
    /// found them; the forfeited deposit pays them first (AUC-14). DESIGN: stated with the default; zero when none.
    #[serde(default)]
    pub auction_cost_losses: Money,
}

/// What a defaulting buyer paid into the case's account beyond the forfeited deposit, owed back to that buyer: the
/// rest of a sell-off's prepaid price (SELL-6), or an auction buyer's part payments of the balance (AUC-14 forfeits
/// only the deposit, 保证金不予退还; DESIGN). DESIGN: within 24 hours, as AUC-13 has deposits refunded; the money
/// leaves through a payout to the payer (FUND-8), and staff record it with `record_buyer_refunded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerRefund {
    pub buyer: String,
    pub amount: Money,
    pub limit: TimeLimit,
    pub refunded_on: Option<NaiveDate>,
}

/// The refund owed to a defaulting buyer was paid (SELL-6, AUC-14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordBuyerRefunded {
    pub buyer: String,
}

/// A deposit forfeited by a defaulting buyer (AUC-14), and its allocation once the asset's fate is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forfeit {
    pub buyer: String,
    pub defaulted_on: NaiveDate,
    /// The sale the buyer defaulted on: an auction round, or the sell-off (SELL-6).
    pub channel: SaleChannel,
    /// Its price: the resale's shortfall is measured against it (AUC-14).
    pub original_price: Money,
    /// What is forfeited: the whole deposit in an auction (AUC-14 不予退还); in a sell-off the amount of the deposit
    /// the notice stated (SELL-6).
    pub deposit: Money,
    /// As the court stated them with the default.
    pub auction_cost_losses: Money,
    pub allocation: Option<ForfeitAllocation>,
    pub allocated_on: Option<NaiveDate>,
}

/// AUC-14: what the forfeited deposit pays, in the order of the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ForfeitClaims {
    /// 拍卖产生的费用损失
    pub auction_cost_losses: Money,
    /// 重新拍卖价款低于原拍卖价款的差价 (`resale_shortfall`)
    pub resale_shortfall: Money,
    /// 本案被执行人的债务
    pub this_case_debt: Money,
    /// 与拍卖财产相关的被执行人的债务
    pub related_debts: Money,
}

/// The forfeited deposit applied to each claim of `ForfeitClaims`, in order, to the fen. `remainder` is what is
/// left after all four: the online rule forfeits the whole deposit (不予退还), so it is not returned to the buyer;
/// it stays in the case account for the distribution (FUND-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ForfeitAllocation {
    pub auction_cost_losses: Money,
    pub resale_shortfall: Money,
    pub this_case_debt: Money,
    pub related_debts: Money,
    pub remainder: Money,
}

/// AUC-14: the shortfall of the resale price below the defaulted sale price (never negative).
pub fn resale_shortfall(original_price: Money, resale_price: Money) -> Money {
    Money::from_fen((original_price.fen() - resale_price.fen()).max(0))
}

/// AUC-14: applies the forfeited deposit to the claims in the rule's order; each claim takes what is left, up to its
/// amount. The parts always add up to the deposit exactly.
pub fn allocate_forfeited_deposit(deposit: Money, claims: ForfeitClaims) -> ForfeitAllocation {
    let mut left = deposit.fen().max(0);
    let mut take = |claim: Money| {
        let part = claim.fen().max(0).min(left);
        left -= part;
        Money::from_fen(part)
    };
    let auction_cost_losses = take(claims.auction_cost_losses);
    let resale_shortfall = take(claims.resale_shortfall);
    let this_case_debt = take(claims.this_case_debt);
    let related_debts = take(claims.related_debts);
    ForfeitAllocation {
        auction_cost_losses,
        resale_shortfall,
        this_case_debt,
        related_debts,
        remainder: Money::from_fen(left),
    }
}

impl Disposal {
    /// AUC-14: allocates every forfeited deposit still waiting, against `final_price`, the price the asset finally
    /// fetched after the default (the resale's, or DESIGN: whichever later sale, sell-off, debt in kind or
    /// self-disposal replaced it), or with no shortfall when the disposal ends without one. This case's debt is the
    /// claim the disposal started with (DESIGN); chuzhi keeps no register of the debtor's related debts, so that part
    /// is zero and what is left stays with the case for the distribution (FUND-9), which reaches other creditors.
    pub(crate) fn allocate_forfeits(&mut self, final_price: Option<Money>, today: NaiveDate, draft: &mut Draft) {
        let this_case_debt = self.outstanding_claim;
        for (index, forfeit) in self.forfeits.iter_mut().enumerate() {
            if forfeit.allocation.is_some() {
                continue;
            }
            let claims = ForfeitClaims {
                auction_cost_losses: forfeit.auction_cost_losses,
                resale_shortfall: final_price.map_or(Money::ZERO, |price| resale_shortfall(forfeit.original_price, price)),
                this_case_debt,
                related_debts: Money::ZERO,
            };
            let allocation = allocate_forfeited_deposit(forfeit.deposit, claims);
            forfeit.allocation = Some(allocation);
            forfeit.allocated_on = Some(today);
            draft.signal(Signal::ForfeitAllocated {
                forfeit: index,
                buyer: forfeit.buyer.clone(),
                allocation,
                on: today,
            });
        }
    }

    /// SELL-6, AUC-14: the refund owed to a defaulting buyer was paid.
    ///
    /// Checks, in order: the date; a refund owed to that buyer and not yet recorded (`no_buyer_refund_owed`, citing
    /// the rule of the refund the buyer was owed: SELL-6 for a sell-off's prepayment, AUC-14 for an auction's part
    /// payments; for a buyer owed nothing ever, the rule of the channel the asset is in).
    pub fn record_buyer_refunded(
        mut self,
        command: RecordBuyerRefunded,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::RecordBuyerRefunded(command.clone()))?;
        let buyer = command.buyer.trim();
        let Some(refund) = self
            .buyer_refunds
            .iter_mut()
            .find(|refund| refund.buyer == buyer && refund.refunded_on.is_none())
        else {
            let owed_before = self.buyer_refunds.iter().rev().find(|refund| refund.buyer == buyer);
            let rule = match owed_before {
                Some(refund) => refund.limit.kind.rule_id(),
                None if matches!(self.stage, Stage::SellOff(_) | Stage::SellOffResale(_)) => "SELL-6",
                None => "AUC-14",
            };
            return Err(DisposalError::NoBuyerRefundOwed {
                buyer: buyer.to_string(),
                rule,
            });
        };
        refund.refunded_on = Some(today);
        draft.meet(refund.limit.key());
        Ok(draft.finish(self))
    }

    /// Records a sale: of an announced round (AUC-4), or of the sell-off (SELL-6, see `selloff`).
    ///
    /// Checks for a round, in order: the date; announced (`out_of_order`, AUC-4); the bidding ended
    /// (`bidding_not_ended`, AUC-11) and not after today (`bidding_end_in_future`, DESIGN); a buyer (`name_missing`,
    /// AUC-4) who did not default on this asset (`defaulted_buyer_excluded`, AUC-14); a price not below the starting
    /// price (`sale_price_below_starting_price`, AUC-4).
    pub fn record_sale(mut self, command: RecordSale, today: NaiveDate, calendar: &Calendar) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::RecordSale(command.clone()))?;
        if let Stage::SellOff(_) = &self.stage {
            return self.record_sell_off_sale(command, today, calendar, draft);
        }
        let Stage::Announced(announced) = &self.stage else {
            return Err(DisposalError::out_of_order("record_sale", self.stage.name(), "AUC-4"));
        };
        check_bidding_ended(&announced.plan.schedule.bidding.ends_at, command.bidding_ended_at, today)?;
        require_name(&command.buyer, "buyer", "AUC-4")?;
        let buyer = command.buyer.trim().to_string();
        if announced.excluded_bidders.contains(&buyer) {
            return Err(DisposalError::DefaultedBuyerExcluded { buyer });
        }
        if command.price < announced.plan.starting_price {
            return Err(DisposalError::SalePriceBelowStartingPrice {
                price: command.price,
                starting_price: announced.plan.starting_price,
            });
        }
        let Stage::Announced(announced) = std::mem::replace(&mut self.stage, Stage::Preparing(Preparing::first())) else {
            unreachable!("checked above");
        };
        let round = announced.round;
        let sold_on = local_date(command.bidding_ended_at);
        self.mark_sale_started(local_date(announced.plan.schedule.bidding.starts_at), &mut draft);
        if round.resale {
            if let Some(RoundResult::BuyerDefaulted { price, .. }) = self
                .rounds
                .iter()
                .rev()
                .filter(|published| published.round.number == round.number)
                .find_map(|published| {
                    published
                        .result
                        .clone()
                        .filter(|result| matches!(result, RoundResult::BuyerDefaulted { .. }))
                })
            {
                draft.outcome(Outcome::ResaleShortfall {
                    original_price: price,
                    resale_price: command.price,
                    shortfall: resale_shortfall(price, command.price),
                });
            }
        }
        if let Some(published) = self.rounds.last_mut() {
            published.result = Some(RoundResult::Sold {
                on: sold_on,
                buyer: buyer.clone(),
                price: command.price,
            });
        }
        // AUC-8: an applicant who bids pays only the part of the deposit above its claim.
        let deposit = if buyer == self.applicant {
            announced.plan.applicant_deposit
        } else {
            announced.plan.deposit
        };
        let settlement = Settlement::after_sale(
            SaleChannel::Auction { round },
            buyer.clone(),
            command.price,
            deposit,
            command.bidding_ended_at,
            Some(announced.plan.schedule.balance_due_on),
            announced.excluded_bidders,
            today,
            calendar,
        );
        if command.other_bidders_paid_deposits {
            self.deposit_refund = Some(TimeLimit::hours_24(
                LimitKind::DepositRefund,
                Some(round.label()),
                local_date(command.bidding_ended_at),
                calendar,
            ));
        }
        draft.outcome(Outcome::RoundSold {
            round,
            buyer: buyer.clone(),
            price: command.price,
        });
        draft.signal(Signal::Sold {
            price: command.price,
            buyer: buyer.clone(),
            on: today,
        });
        draft.notify(
            Audience::Parties,
            "AUC-12",
            format!("round {} sold to {buyer} for {}", round.label(), command.price),
        );
        self.stage = Stage::Settlement(Box::new(settlement));
        Ok(draft.finish(self))
    }

    /// Records a failed round (流拍, AUC-16): after the first, the second round must be announced within 30 days (Q7
    /// DESIGN, configurable) on the same platform; after the second, the creditors are asked about debt in kind and
    /// the sell-off follows (SELL-3). A resale that fails is a failure of its round. In a sell-off, see `selloff`.
    ///
    /// Checks for a round, in order: the date; announced (`out_of_order`, AUC-16); the bidding ended
    /// (`bidding_not_ended`, AUC-11) and not after today (`bidding_end_in_future`, DESIGN).
    pub fn record_failure(mut self, command: RecordFailure, today: NaiveDate, calendar: &Calendar) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::RecordFailure(command.clone()))?;
        if let Stage::SellOff(_) = &self.stage {
            return self.record_sell_off_failure(today, draft);
        }
        let Stage::Announced(announced) = &self.stage else {
            return Err(DisposalError::out_of_order("record_failure", self.stage.name(), "AUC-16"));
        };
        check_bidding_ended(&announced.plan.schedule.bidding.ends_at, command.bidding_ended_at, today)?;
        let Stage::Announced(announced) = std::mem::replace(&mut self.stage, Stage::Preparing(Preparing::first())) else {
            unreachable!("checked above");
        };
        let round = announced.round;
        let failed_on = local_date(command.bidding_ended_at);
        self.mark_sale_started(local_date(announced.plan.schedule.bidding.starts_at), &mut draft);
        if let Some(published) = self.rounds.last_mut() {
            published.result = Some(RoundResult::Failed { on: failed_on });
        }
        if command.deposits_paid {
            self.deposit_refund = Some(TimeLimit::hours_24(
                LimitKind::DepositRefund,
                Some(round.label()),
                local_date(command.bidding_ended_at),
                calendar,
            ));
        }
        draft.outcome(Outcome::RoundFailed { round });
        if round.number == 1 {
            let announce_by = TimeLimit::start(
                LimitKind::SecondRoundAnnouncement,
                None,
                failed_on,
                Period::Days(self.config.second_round_within_days),
                calendar,
            );
            draft.notify(
                Audience::Judge,
                "AUC-16",
                format!(
                    "the first round failed; announce the second on the same platform by {}, at no less than 80% of {}",
                    announce_by.due_date, announced.plan.starting_price
                ),
            );
            self.stage = Stage::Preparing(Preparing {
                round: Round { number: 2, resale: false },
                excluded_bidders: announced.excluded_bidders,
                announce_by: Some(announce_by),
            });
        } else {
            let failure = SecondFailure::new(failed_on, calendar);
            draft.notify(
                Audience::Parties,
                "SELL-3",
                format!(
                    "the second round failed; the creditors are asked by {} whether they take the asset at {}; the sell-off notice follows by {}",
                    failure.question.as_ref().map_or(failed_on, |limit| limit.due_date),
                    announced.plan.starting_price,
                    failure.notice.due_date
                ),
            );
            self.stage = Stage::SecondRoundFailed(failure);
        }
        Ok(draft.finish(self))
    }

    /// AUC-14: the buyer defaulted (悔拍). The deposit, which the platform has transferred into the case's account
    /// (AUC-15), is forfeited and set apart until its allocation (see the module); the asset is sold again at the same
    /// round's starting price without that buyer, and the resale is not a failed round (Q6 DESIGN).
    ///
    /// In the sell-off (SELL-6, SECONDARY; AUC-14 applies through AUC-23) the buyer prepaid the whole price and backs
    /// out before the ruling passes ownership (AUC-12): an amount equal to the deposit the sell-off notice stated is
    /// forfeited, and the rest of the prepayment is owed back to the buyer (a `BuyerRefund`; so are an auction
    /// buyer's part payments of the balance, DESIGN). The sell-off is then published again at the same price
    /// (SELL-5), on the same platform (AUC-16), without that buyer (AUC-14) — DESIGN (UNCONFIRMED, Q8: the 衔接通知's
    /// text on a sell-off default was not found), by analogy to the auction's resale (Q6), its notice due within 15
    /// days of the default by analogy to SELL-3 (configurable).
    ///
    /// Checks, in order: the date; settling a sale (`out_of_order`, AUC-14: a debt in kind has no buyer to default);
    /// in an auction, not paid in full (`paid_in_full_no_default`, AUC-15) and the balance overdue
    /// (`balance_not_overdue`, AUC-15); in a sell-off, the ruling not yet served (`ownership_already_passed`,
    /// AUC-12); the platform's transfer of the deposit or prepayment recorded (`deposit_transfer_not_recorded`,
    /// AUC-15), so the forfeited amount is in the case's account.
    pub fn record_buyer_default(
        mut self,
        command: RecordBuyerDefault,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::RecordBuyerDefault(command.clone()))?;
        let Stage::Settlement(settlement) = &self.stage else {
            return Err(DisposalError::out_of_order("record_buyer_default", self.stage.name(), "AUC-14"));
        };
        let defaulted = match settlement.channel {
            SaleChannel::Auction { round } => {
                if settlement.paid_in_full_on.is_some() {
                    return Err(DisposalError::PaidInFullNoDefault);
                }
                if let Some(due) = settlement.balance_due_on {
                    if today <= due {
                        return Err(DisposalError::BalanceNotOverdue { due });
                    }
                }
                Defaulted::Round(round)
            }
            SaleChannel::SellOff => {
                if let Some(ruling_served_on) = settlement.ruling_served_on {
                    return Err(DisposalError::OwnershipAlreadyPassed { ruling_served_on });
                }
                Defaulted::SellOff
            }
            SaleChannel::DebtInKind { .. } => {
                return Err(DisposalError::out_of_order("record_buyer_default", self.stage.name(), "AUC-14"));
            }
        };
        if settlement.deposit.fen() > 0 && settlement.deposit_transferred_on.is_none() {
            return Err(DisposalError::DepositTransferNotRecorded {
                deposit: settlement.deposit,
            });
        }
        let Stage::Settlement(settlement) = std::mem::replace(&mut self.stage, Stage::Preparing(Preparing::first())) else {
            unreachable!("checked above");
        };
        let settlement = *settlement;
        // AUC-14: an auction forfeits the whole deposit; SELL-6: a sell-off the notice's deposit out of the prepayment.
        let forfeited = match defaulted {
            Defaulted::SellOff => self.sell_off_deposit(settlement.forfeit_on_default).min(settlement.deposit),
            Defaulted::Round(_) => settlement.deposit,
        };
        // Whatever else the buyer paid into the case's account goes back (SELL-6; DESIGN for an auction's balance).
        let refund = Money::from_fen((settlement.received.fen() - forfeited.fen()).max(0));
        let buyer = settlement.buyer.clone();
        if forfeited.fen() > 0 {
            let index = self.forfeits.len();
            self.forfeits.push(Forfeit {
                buyer: buyer.clone(),
                defaulted_on: today,
                channel: settlement.channel,
                original_price: settlement.price,
                deposit: forfeited,
                auction_cost_losses: command.auction_cost_losses,
                allocation: None,
                allocated_on: None,
            });
            draft.signal(Signal::DepositForfeited {
                forfeit: index,
                buyer: buyer.clone(),
                amount: forfeited,
                refund,
                on: today,
            });
        }
        draft.outcome(Outcome::BuyerDefaulted {
            buyer: buyer.clone(),
            forfeited_deposit: forfeited,
        });
        if refund.fen() > 0 {
            let (kind, rule) = match defaulted {
                Defaulted::SellOff => (LimitKind::PrepaymentRefund, "SELL-6"),
                Defaulted::Round(_) => (LimitKind::BalanceRefund, "AUC-14"),
            };
            let limit = TimeLimit::hours_24(kind, Some((self.buyer_refunds.len() + 1).to_string()), today, calendar);
            draft.notify(
                Audience::Staff,
                rule,
                format!(
                    "refund {refund} to {buyer} by {} (a payout to the payer, FUND-8), then record it with record_buyer_refunded",
                    limit.due_date
                ),
            );
            self.buyer_refunds.push(BuyerRefund {
                buyer: buyer.clone(),
                amount: refund,
                limit,
                refunded_on: None,
            });
        }
        let mut excluded_bidders = settlement.excluded_bidders;
        excluded_bidders.push(buyer.clone());
        match defaulted {
            Defaulted::Round(round) => {
                if let Some(published) = self.rounds.last_mut() {
                    published.result = Some(RoundResult::BuyerDefaulted {
                        on: today,
                        buyer: buyer.clone(),
                        price: settlement.price,
                        forfeited_deposit: forfeited,
                    });
                }
                draft.notify(
                    Audience::Judge,
                    "AUC-14",
                    format!(
                        "{buyer} defaulted; the deposit of {forfeited} is forfeited; decide the resale at {} without that buyer",
                        self.rounds
                            .last()
                            .map_or(settlement.price, |published| published.plan.starting_price)
                    ),
                );
                self.stage = Stage::Preparing(Preparing {
                    round: Round {
                        number: round.number,
                        resale: true,
                    },
                    excluded_bidders,
                    announce_by: None,
                });
            }
            Defaulted::SellOff => {
                let notice = TimeLimit::start(
                    LimitKind::SellOffResaleNotice,
                    None,
                    today,
                    Period::Days(self.config.selloff_resale_notice_days),
                    calendar,
                );
                draft.notify(
                    Audience::Judge,
                    "SELL-6",
                    format!(
                        "{buyer} backed out of the sell-off; {forfeited} is forfeited; publish the sell-off again without that buyer by {}",
                        notice.due_date
                    ),
                );
                self.stage = Stage::SellOffResale(SellOffResale {
                    defaulted_on: today,
                    buyer,
                    notice,
                    excluded_bidders,
                });
            }
        }
        Ok(draft.finish(self))
    }
}

/// The sale a buyer defaulted on: a round of the auction (AUC-14), or the sell-off (SELL-6).
#[derive(Debug, Clone, Copy)]
enum Defaulted {
    Round(Round),
    SellOff,
}

/// AUC-11: the bidding ends at the announced end or later (each late bid adds 5 minutes); the result is recorded
/// after it.
fn check_bidding_ended(scheduled_end: &DateTime<Utc>, ended_at: DateTime<Utc>, today: NaiveDate) -> Result<(), DisposalError> {
    if ended_at < *scheduled_end {
        return Err(DisposalError::BiddingNotEnded {
            bidding_ends_at: *scheduled_end,
        });
    }
    if local_date(ended_at) > today {
        return Err(DisposalError::BiddingEndInFuture {
            bidding_ended_on: local_date(ended_at),
        });
    }
    Ok(())
}
