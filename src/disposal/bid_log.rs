//! The check of an online auction's bid log (竞价记录核查; AUC-4, AUC-10, AUC-11, AUC-14, AUC-16, AUC-21).
//!
//! After an online judicial auction (网络司法拍卖) the court imports the platform's bid log and its reported result
//! (winner, price, end), replays the log by the rules, and is shown every discrepancy — never only the first — so
//! the collegial panel can decide whether the result stands (an auction can be set aside for a wrong result caused
//! by a system fault or data error, AUC-20 (2)).
//!
//! The replay, bid by bid in order of server receipt time (AUC-11: "竞买人的出价时间以进入网络司法拍卖平台服务系统的
//! 时间为准"; bids with the same instant keep their order in the log). Each bid is checked in this order, and the
//! first failed check makes it invalid, with one discrepancy:
//! 1. `excluded_bidder_bid`: the bidder may not bid (a defaulting buyer at the resale, AUC-14; the court's, the
//!    platform's or support staff, AUC-21; a bidder without purchase eligibility, AUC-24);
//! 2. `bid_before_start`: before the bidding started;
//! 3. `bid_after_end`: at or after the end, as extended so far (the end instant itself is after the bidding);
//! 4. `bid_below_starting_price`: below the starting price, which is the reserve (AUC-3, AUC-11: "以低于起拍价出价
//!    的无效");
//! 5. `bid_not_above_current`: not above the current price — except that a confirmed priority holder
//!    (优先购买权人) may bid the same price (AUC-10, art 21);
//! 6. `bid_off_increment`: above the current price (or, for the first bid, above the starting price) by other than a
//!    whole multiple of the increment. This is platform practice, not the text of AUC-11, so it is the
//!    `increment_multiples_only` flag of the rules (DESIGN default: on).
//!
//! A valid bid received less than five minutes before the end moves the end to five minutes after it (AUC-11). The
//! leader is ordered by (price desc, is priority holder desc, rank asc, time asc) (AUC-10). One valid bid is a sale
//! (AUC-4: "一人参与竞拍，出价不低于起拍价的，拍卖成交"); none is a failed auction (流拍, AUC-16).
//!
//! Then the platform's result is compared with the replay's: the winner (`wrong_winner`, or
//! `priority_tie_decided_wrongly` when the reported winner bid the winning price too and lost only by AUC-10's
//! order; `reported_failed_but_valid_bids`; `reported_sold_without_valid_bid`), the price (`wrong_price`,
//! `sold_below_reserve`), and the end (`closed_before_scheduled_end`, `missed_extension`). The bidding window's
//! own length (≥ 24 hours, AUC-11) is checked first (`bidding_shorter_than_24_hours`).

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::money::Money;

/// AUC-11: a bid in the last five minutes extends the bidding to five minutes after it.
pub const EXTENSION_MINUTES: i64 = 5;
/// AUC-11: "网络司法拍卖的竞价时间应当不少于二十四小时".
pub const MIN_BIDDING_HOURS: i64 = 24;

fn extension() -> TimeDelta {
    TimeDelta::minutes(EXTENSION_MINUTES)
}

/// A priority-purchase holder confirmed by the court (AUC-10); rank 1 is the highest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityHolder {
    pub bidder: String,
    pub rank: u32,
}

/// Why a bidder may not bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// The buyer who defaulted (悔拍) may not bid at the resale (AUC-14).
    DefaultingBuyer,
    /// The executing court, the platform, the auction support organisations, their staff and close relatives (AUC-21).
    Insider,
    /// No purchase eligibility in a city with purchase restrictions (限购, AUC-24).
    PurchaseRestricted,
}

impl ExclusionReason {
    pub fn rule(self) -> &'static str {
        match self {
            ExclusionReason::DefaultingBuyer => "AUC-14",
            ExclusionReason::Insider => "AUC-21",
            ExclusionReason::PurchaseRestricted => "AUC-24",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcludedBidder {
    pub bidder: String,
    pub reason: ExclusionReason,
}

/// The auction's rules as the court set them (the collegial panel's decision, AUC-17) and published them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuctionRules {
    /// 起拍价, which is the reserve (保留价, AUC-3).
    pub starting_price: Money,
    /// 加价幅度 (AUC-11, AUC-17).
    pub increment: Money,
    pub bidding_start: DateTime<Utc>,
    /// The end before any extension.
    pub scheduled_end: DateTime<Utc>,
    #[serde(default)]
    pub priority_holders: Vec<PriorityHolder>,
    #[serde(default)]
    pub excluded_bidders: Vec<ExcludedBidder>,
    /// Whether a raise must be a whole multiple of the increment (platform practice, not in AUC-11's text). Default
    /// true (DESIGN).
    #[serde(default = "default_true")]
    pub increment_multiples_only: bool,
}

fn default_true() -> bool {
    true
}

/// One bid as the platform logged it. `at` is the server's receipt time (AUC-11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bid {
    pub bidder: String,
    pub amount: Money,
    pub at: DateTime<Utc>,
}

/// What the platform reported: the winner and the price (both absent for a failed auction) and when it closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportedResult {
    pub winner: Option<String>,
    pub price: Option<Money>,
    pub ended_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 成交 (AUC-4).
    Sold,
    /// 流拍 (AUC-16).
    Failed,
}

/// The closed list of discrepancies, in the order the check reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscrepancyCode {
    BiddingShorterThan24Hours,
    ExcludedBidderBid,
    BidBeforeStart,
    BidAfterEnd,
    BidBelowStartingPrice,
    BidNotAboveCurrent,
    BidOffIncrement,
    WrongWinner,
    PriorityTieDecidedWrongly,
    ReportedFailedButValidBids,
    ReportedSoldWithoutValidBid,
    WrongPrice,
    SoldBelowReserve,
    ClosedBeforeScheduledEnd,
    MissedExtension,
}

impl DiscrepancyCode {
    pub fn code(self) -> &'static str {
        match self {
            DiscrepancyCode::BiddingShorterThan24Hours => "bidding_shorter_than_24_hours",
            DiscrepancyCode::ExcludedBidderBid => "excluded_bidder_bid",
            DiscrepancyCode::BidBeforeStart => "bid_before_start",
            DiscrepancyCode::BidAfterEnd => "bid_after_end",
            DiscrepancyCode::BidBelowStartingPrice => "bid_below_starting_price",
            DiscrepancyCode::BidNotAboveCurrent => "bid_not_above_current",
            DiscrepancyCode::BidOffIncrement => "bid_off_increment",
            DiscrepancyCode::WrongWinner => "wrong_winner",
            DiscrepancyCode::PriorityTieDecidedWrongly => "priority_tie_decided_wrongly",
            DiscrepancyCode::ReportedFailedButValidBids => "reported_failed_but_valid_bids",
            DiscrepancyCode::ReportedSoldWithoutValidBid => "reported_sold_without_valid_bid",
            DiscrepancyCode::WrongPrice => "wrong_price",
            DiscrepancyCode::SoldBelowReserve => "sold_below_reserve",
            DiscrepancyCode::ClosedBeforeScheduledEnd => "closed_before_scheduled_end",
            DiscrepancyCode::MissedExtension => "missed_extension",
        }
    }

    /// The rule the discrepancy breaks. `excluded_bidder_bid` names the rule of the exclusion instead (see
    /// `Discrepancy::rule`); AUC-21 is its most common ground.
    pub fn rule(self) -> &'static str {
        match self {
            DiscrepancyCode::BiddingShorterThan24Hours
            | DiscrepancyCode::BidBeforeStart
            | DiscrepancyCode::BidAfterEnd
            | DiscrepancyCode::BidBelowStartingPrice
            | DiscrepancyCode::BidOffIncrement
            | DiscrepancyCode::WrongPrice
            | DiscrepancyCode::ClosedBeforeScheduledEnd
            | DiscrepancyCode::MissedExtension => "AUC-11",
            DiscrepancyCode::BidNotAboveCurrent | DiscrepancyCode::WrongWinner | DiscrepancyCode::PriorityTieDecidedWrongly => "AUC-10",
            DiscrepancyCode::ExcludedBidderBid => "AUC-21",
            DiscrepancyCode::ReportedFailedButValidBids | DiscrepancyCode::SoldBelowReserve => "AUC-4",
            DiscrepancyCode::ReportedSoldWithoutValidBid => "AUC-16",
        }
    }
}

/// One finding: its code, the rule it breaks, the bid it concerns (the bid's index in the log as imported), and a
/// message for the court.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discrepancy {
    pub code: DiscrepancyCode,
    pub rule: &'static str,
    pub bid_index: Option<usize>,
    pub message: String,
}

impl Discrepancy {
    fn new(code: DiscrepancyCode, bid_index: Option<usize>, message: String) -> Self {
        Discrepancy {
            code,
            rule: code.rule(),
            bid_index,
            message,
        }
    }
}

/// The check's answer: the result the rules give, and every discrepancy from the log and the reported result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BidLogCheck {
    pub computed_winner: Option<String>,
    pub computed_price: Option<Money>,
    /// The end of the bidding after every extension; never before the scheduled end.
    pub computed_end: DateTime<Utc>,
    pub outcome: Outcome,
    /// The indices (in the log as imported) of the bids the rules accept, in time order.
    pub valid_bids: Vec<usize>,
    pub discrepancies: Vec<Discrepancy>,
}

impl BidLogCheck {
    pub fn has(&self, code: DiscrepancyCode) -> bool {
        self.discrepancies.iter().any(|discrepancy| discrepancy.code == code)
    }
}

/// Rules that cannot be replayed at all (a court's data error, not a platform's discrepancy).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BidLogError {
    #[error("the starting price must be more than zero")]
    StartingPriceNotPositive,
    #[error("the bid increment must be more than zero")]
    IncrementNotPositive,
    #[error("the scheduled end {scheduled_end} is not after the start {bidding_start}")]
    EndNotAfterStart {
        bidding_start: DateTime<Utc>,
        scheduled_end: DateTime<Utc>,
    },
    #[error("priority holder '{bidder}' is listed twice")]
    PriorityHolderListedTwice { bidder: String },
    #[error("priority holder '{bidder}' has rank 0; rank 1 is the highest")]
    PriorityRankZero { bidder: String },
    #[error("line {line}: {message}")]
    BidLogMalformed { line: usize, message: String },
}

impl BidLogError {
    pub fn code(&self) -> &'static str {
        match self {
            BidLogError::StartingPriceNotPositive => "starting_price_not_positive",
            BidLogError::IncrementNotPositive => "increment_not_positive",
            BidLogError::EndNotAfterStart { .. } => "end_not_after_start",
            BidLogError::PriorityHolderListedTwice { .. } => "priority_holder_listed_twice",
            BidLogError::PriorityRankZero { .. } => "priority_rank_zero",
            BidLogError::BidLogMalformed { .. } => "bid_log_malformed",
        }
    }

    pub fn rule(&self) -> &'static str {
        match self {
            BidLogError::StartingPriceNotPositive => "AUC-3",
            BidLogError::IncrementNotPositive | BidLogError::EndNotAfterStart { .. } => "AUC-11",
            BidLogError::PriorityHolderListedTwice { .. } | BidLogError::PriorityRankZero { .. } => "AUC-10",
            BidLogError::BidLogMalformed { .. } => "DESIGN",
        }
    }
}

impl AuctionRules {
    /// Checks, in this order: the starting price, the increment, the window, the priority holders.
    pub fn validate(&self) -> Result<(), BidLogError> {
        if self.starting_price.fen() <= 0 {
            return Err(BidLogError::StartingPriceNotPositive);
        }
        if self.increment.fen() <= 0 {
            return Err(BidLogError::IncrementNotPositive);
        }
        if self.scheduled_end <= self.bidding_start {
            return Err(BidLogError::EndNotAfterStart {
                bidding_start: self.bidding_start,
                scheduled_end: self.scheduled_end,
            });
        }
        let mut seen = std::collections::HashSet::new();
        for holder in &self.priority_holders {
            if holder.rank == 0 {
                return Err(BidLogError::PriorityRankZero {
                    bidder: holder.bidder.clone(),
                });
            }
            if !seen.insert(holder.bidder.as_str()) {
                return Err(BidLogError::PriorityHolderListedTwice {
                    bidder: holder.bidder.clone(),
                });
            }
        }
        Ok(())
    }
}

/// The bid leading so far.
#[derive(Debug, Clone, Copy)]
struct Leader {
    index: usize,
    amount: Money,
    /// The priority rank, if the bidder is a confirmed holder.
    rank: Option<u32>,
}

/// AUC-10: at the same price a holder beats a non-holder, a higher rank (smaller number) beats a lower one, and
/// between equal ranks the earlier bid (the current leader) stays.
fn holder_takes_lead(challenger_rank: u32, leader: &Leader) -> bool {
    match leader.rank {
        None => true,
        Some(leader_rank) => challenger_rank < leader_rank,
    }
}

fn multiple_of(difference: i64, increment: Money) -> bool {
    difference % increment.fen() == 0
}

/// Replays the log and compares the platform's result with it. Refuses only rules that cannot be replayed.
pub fn check_bid_log(rules: &AuctionRules, bids: &[Bid], reported: &ReportedResult) -> Result<BidLogCheck, BidLogError> {
    rules.validate()?;
    let ranks: HashMap<&str, u32> = rules
        .priority_holders
        .iter()
        .map(|holder| (holder.bidder.as_str(), holder.rank))
        .collect();
    let excluded: HashMap<&str, ExclusionReason> = rules
        .excluded_bidders
        .iter()
        .map(|excluded| (excluded.bidder.as_str(), excluded.reason))
        .collect();
    let mut discrepancies = Vec::new();
    let window = rules.scheduled_end - rules.bidding_start;
    if window < TimeDelta::hours(MIN_BIDDING_HOURS) {
        discrepancies.push(Discrepancy::new(
            DiscrepancyCode::BiddingShorterThan24Hours,
            None,
            format!(
                "the bidding was scheduled for {} minutes; it must last at least 24 hours",
                window.num_minutes()
            ),
        ));
    }

    let mut order: Vec<usize> = (0..bids.len()).collect();
    order.sort_by_key(|&index| (bids[index].at, index));
    let mut end = rules.scheduled_end;
    let mut leader: Option<Leader> = None;
    let mut valid_bids = Vec::new();
    for index in order {
        let bid = &bids[index];
        let rank = ranks.get(bid.bidder.as_str()).copied();
        let invalid = |code: DiscrepancyCode, message: String| Some(Discrepancy::new(code, Some(index), message));
        let finding = if let Some(reason) = excluded.get(bid.bidder.as_str()) {
            let mut discrepancy = Discrepancy::new(
                DiscrepancyCode::ExcludedBidderBid,
                Some(index),
                format!("{} may not bid ({reason:?}) but bid {} at {}", bid.bidder, bid.amount, bid.at),
            );
            discrepancy.rule = reason.rule();
            Some(discrepancy)
        } else if bid.at < rules.bidding_start {
            invalid(
                DiscrepancyCode::BidBeforeStart,
                format!(
                    "{}'s bid at {} came before the bidding started at {}",
                    bid.bidder, bid.at, rules.bidding_start
                ),
            )
        } else if bid.at >= end {
            invalid(
                DiscrepancyCode::BidAfterEnd,
                format!(
                    "{}'s bid of {} at {} came after the bidding ended at {end}",
                    bid.bidder, bid.amount, bid.at
                ),
            )
        } else if bid.amount < rules.starting_price {
            invalid(
                DiscrepancyCode::BidBelowStartingPrice,
                format!(
                    "{}'s bid of {} is below the starting price {}",
                    bid.bidder, bid.amount, rules.starting_price
                ),
            )
        } else {
            match leader {
                None if rules.increment_multiples_only && !multiple_of(bid.amount.fen() - rules.starting_price.fen(), rules.increment) => {
                    invalid(
                        DiscrepancyCode::BidOffIncrement,
                        format!(
                            "{}'s bid of {} is not the starting price {} plus a whole number of increments of {}",
                            bid.bidder, bid.amount, rules.starting_price, rules.increment
                        ),
                    )
                }
                None => {
                    leader = Some(Leader {
                        index,
                        amount: bid.amount,
                        rank,
                    });
                    None
                }
                Some(current)
                    if bid.amount > current.amount
                        && rules.increment_multiples_only
                        && !multiple_of(bid.amount.fen() - current.amount.fen(), rules.increment) =>
                {
                    invalid(
                        DiscrepancyCode::BidOffIncrement,
                        format!(
                            "{}'s bid of {} is not the current price {} plus a whole number of increments of {}",
                            bid.bidder, bid.amount, current.amount, rules.increment
                        ),
                    )
                }
                Some(current) if bid.amount > current.amount => {
                    leader = Some(Leader {
                        index,
                        amount: bid.amount,
                        rank,
                    });
                    None
                }
                Some(current) if bid.amount == current.amount && rank.is_some() => {
                    // AUC-10 (art 21): a confirmed holder may match the current price; whether the match leads
                    // depends on the ranks.
                    if rank.is_some_and(|rank| holder_takes_lead(rank, &current)) {
                        leader = Some(Leader {
                            index,
                            amount: bid.amount,
                            rank,
                        });
                    }
                    None
                }
                Some(current) => invalid(
                    DiscrepancyCode::BidNotAboveCurrent,
                    format!(
                        "{}'s bid of {} does not exceed the current price {}{}",
                        bid.bidder,
                        bid.amount,
                        current.amount,
                        if rank.is_some() {
                            ""
                        } else {
                            " (only a priority holder may match it)"
                        }
                    ),
                ),
            }
        };
        match finding {
            Some(discrepancy) => discrepancies.push(discrepancy),
            None => {
                valid_bids.push(index);
                // AUC-11: a bid in the last five minutes moves the end to five minutes after it.
                if end - bid.at < extension() {
                    end = bid.at + extension();
                }
            }
        }
    }

    let computed_winner = leader.map(|leader| bids[leader.index].bidder.clone());
    let computed_price = leader.map(|leader| leader.amount);
    let outcome = if leader.is_some() { Outcome::Sold } else { Outcome::Failed };

    match (&computed_winner, &reported.winner) {
        (Some(computed), Some(winner)) if computed != winner => {
            let price = computed_price.expect("a winner has a price");
            let tied = valid_bids
                .iter()
                .any(|&index| bids[index].bidder == *winner && bids[index].amount == price);
            if tied {
                discrepancies.push(Discrepancy::new(
                    DiscrepancyCode::PriorityTieDecidedWrongly,
                    None,
                    format!(
                        "{winner} and {computed} both bid {price}; by priority rank and time (AUC-10) {computed} wins, but the platform named {winner}"
                    ),
                ));
            } else {
                discrepancies.push(Discrepancy::new(
                    DiscrepancyCode::WrongWinner,
                    None,
                    format!("the platform named {winner} the buyer; by the rules it is {computed}, with {price}"),
                ));
            }
        }
        (Some(computed), None) => discrepancies.push(Discrepancy::new(
            DiscrepancyCode::ReportedFailedButValidBids,
            None,
            format!(
                "the platform reported a failed auction, but {} valid bid(s) were made and {computed} bid {}",
                valid_bids.len(),
                computed_price.expect("a winner has a price")
            ),
        )),
        (None, Some(winner)) => discrepancies.push(Discrepancy::new(
            DiscrepancyCode::ReportedSoldWithoutValidBid,
            None,
            format!("the platform named {winner} the buyer, but no bid is valid: the auction failed (流拍)"),
        )),
        _ => {}
    }
    let reported_something = reported.winner.is_some() || reported.price.is_some();
    if reported_something && reported.price != computed_price {
        discrepancies.push(Discrepancy::new(
            DiscrepancyCode::WrongPrice,
            None,
            format!(
                "the platform reported the price {}; by the rules it is {}",
                reported.price.map_or_else(|| "none".to_string(), |price| price.to_string()),
                computed_price.map_or_else(|| "none (failed)".to_string(), |price| price.to_string())
            ),
        ));
    }
    if let (Some(_), Some(price)) = (&reported.winner, reported.price) {
        if price < rules.starting_price {
            discrepancies.push(Discrepancy::new(
                DiscrepancyCode::SoldBelowReserve,
                None,
                format!(
                    "the platform reported a sale at {price}, below the starting price (reserve) {}",
                    rules.starting_price
                ),
            ));
        }
    }
    if reported.ended_at < rules.scheduled_end {
        discrepancies.push(Discrepancy::new(
            DiscrepancyCode::ClosedBeforeScheduledEnd,
            None,
            format!(
                "the platform closed at {}, before the scheduled end {}",
                reported.ended_at, rules.scheduled_end
            ),
        ));
    }
    if reported.ended_at < end && end > rules.scheduled_end {
        discrepancies.push(Discrepancy::new(
            DiscrepancyCode::MissedExtension,
            None,
            format!(
                "the platform closed at {}, but bids in the last five minutes extended the bidding to {end}",
                reported.ended_at
            ),
        ));
    } else if reported.ended_at > end {
        discrepancies.push(Discrepancy::new(
            DiscrepancyCode::MissedExtension,
            None,
            format!(
                "the platform kept the bidding open until {}, but it ended at {end}",
                reported.ended_at
            ),
        ));
    }

    Ok(BidLogCheck {
        computed_winner,
        computed_price,
        computed_end: end,
        outcome,
        valid_bids,
        discrepancies,
    })
}

/// Reads the JSON form of a bid log: an array of `{"bidder", "amount" (a decimal string), "at" (RFC 3339)}`.
pub fn parse_bid_log_json(text: &str) -> Result<Vec<Bid>, BidLogError> {
    let bids: Vec<Bid> = serde_json::from_str(text).map_err(|error| BidLogError::BidLogMalformed {
        line: error.line(),
        message: error.to_string(),
    })?;
    if let Some(position) = bids.iter().position(|bid| bid.bidder.trim().is_empty()) {
        return Err(BidLogError::BidLogMalformed {
            line: 0,
            message: format!("bid {} has no bidder", position + 1),
        });
    }
    Ok(bids)
}

/// Reads the CSV form: `bidder,amount,at` per line (amount a decimal string of yuan, at RFC 3339), an optional
/// header line starting with `bidder`. A bidder's code may itself contain commas; the last two fields are the
/// amount and the time.
pub fn parse_bid_log_csv(text: &str) -> Result<Vec<Bid>, BidLogError> {
    let mut bids = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let row = raw.trim().trim_start_matches('\u{feff}');
        if row.is_empty() || (bids.is_empty() && row.to_ascii_lowercase().starts_with("bidder")) {
            continue;
        }
        let malformed = |message: String| BidLogError::BidLogMalformed { line, message };
        let mut fields = row.rsplitn(3, ',');
        let (Some(at), Some(amount), Some(bidder)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(malformed("expected bidder,amount,at".into()));
        };
        let amount = Money::parse(amount).map_err(|error| malformed(error.to_string()))?;
        let at = DateTime::parse_from_rfc3339(at.trim())
            .map_err(|error| malformed(format!("'{}' is not an RFC 3339 instant: {error}", at.trim())))?
            .with_timezone(&Utc);
        if bidder.trim().is_empty() {
            return Err(malformed("the bid has no bidder".into()));
        }
        bids.push(Bid {
            bidder: bidder.trim().to_string(),
            amount,
            at,
        });
    }
    Ok(bids)
}

/// Scenario tests (issue 4 item 3) and property tests. Times are UTC instants; the auction runs from 10:00 on
/// 2026-03-02 to 10:00 on 2026-03-03 (Beijing time), 24 hours as AUC-11 requires.
#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn yuan(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    /// Starting price 1,000,000.00, increment 10,000.00; holder H1 (rank 1) and H2 (rank 2); staff member S barred.
    fn rules() -> AuctionRules {
        AuctionRules {
            starting_price: yuan("1000000"),
            increment: yuan("10000"),
            bidding_start: at("2026-03-02T10:00:00+08:00"),
            scheduled_end: at("2026-03-03T10:00:00+08:00"),
            priority_holders: vec![
                PriorityHolder {
                    bidder: "H1".into(),
                    rank: 1,
                },
                PriorityHolder {
                    bidder: "H2".into(),
                    rank: 2,
                },
            ],
            excluded_bidders: vec![
                ExcludedBidder {
                    bidder: "S".into(),
                    reason: ExclusionReason::Insider,
                },
                ExcludedBidder {
                    bidder: "D".into(),
                    reason: ExclusionReason::DefaultingBuyer,
                },
            ],
            increment_multiples_only: true,
        }
    }

    fn bid(bidder: &str, amount: &str, time: &str) -> Bid {
        Bid {
            bidder: bidder.into(),
            amount: yuan(amount),
            at: at(time),
        }
    }

    fn reported(winner: Option<&str>, price: Option<&str>, ended_at: &str) -> ReportedResult {
        ReportedResult {
            winner: winner.map(str::to_string),
            price: price.map(yuan),
            ended_at: at(ended_at),
        }
    }

    fn codes(check: &BidLogCheck) -> Vec<&'static str> {
        check.discrepancies.iter().map(|discrepancy| discrepancy.code.code()).collect()
    }

    /// A clean auction: A opens at the starting price, B raises, A raises again two minutes before the end, which
    /// extends the bidding to 10:03.
    fn clean_log() -> Vec<Bid> {
        vec![
            bid("A", "1000000", "2026-03-02T11:00:00+08:00"),
            bid("B", "1020000", "2026-03-02T15:30:00+08:00"),
            bid("A", "1030000", "2026-03-03T09:58:00+08:00"),
        ]
    }

    #[test]
    fn auc_11_clean_log_gives_no_discrepancy_and_extends_the_end() {
        let check = check_bid_log(
            &rules(),
            &clean_log(),
            &reported(Some("A"), Some("1030000"), "2026-03-03T10:03:00+08:00"),
        )
        .unwrap();
        assert_eq!(check.discrepancies, vec![]);
        assert_eq!(check.outcome, Outcome::Sold);
        assert_eq!(check.computed_winner.as_deref(), Some("A"));
        assert_eq!(check.computed_price, Some(yuan("1030000")));
        assert_eq!(check.computed_end, at("2026-03-03T10:03:00+08:00"));
        assert_eq!(check.valid_bids, vec![0, 1, 2]);
    }

    #[test]
    fn auc_10_a_planted_wrong_winner_is_found() {
        let check = check_bid_log(
            &rules(),
            &clean_log(),
            &reported(Some("B"), Some("1030000"), "2026-03-03T10:03:00+08:00"),
        )
        .unwrap();
        assert_eq!(codes(&check), vec!["wrong_winner"]);
        assert_eq!(check.discrepancies[0].rule, "AUC-10");
    }

    #[test]
    fn auc_11_a_missed_extension_is_found() {
        // The platform closed at the scheduled end although A bid two minutes before it.
        let check = check_bid_log(
            &rules(),
            &clean_log(),
            &reported(Some("A"), Some("1030000"), "2026-03-03T10:00:00+08:00"),
        )
        .unwrap();
        assert_eq!(codes(&check), vec!["missed_extension"]);
        assert_eq!(check.discrepancies[0].rule, "AUC-11");
        // A platform that closed on time but then accepted a bid after the real end: the late bid is invalid, the
        // platform's winner and price are wrong, and it ran past the end.
        let mut log = clean_log();
        log.push(bid("B", "1040000", "2026-03-03T10:04:00+08:00"));
        let check = check_bid_log(&rules(), &log, &reported(Some("B"), Some("1040000"), "2026-03-03T10:09:00+08:00")).unwrap();
        assert_eq!(
            codes(&check),
            vec!["bid_after_end", "wrong_winner", "wrong_price", "missed_extension"]
        );
        assert_eq!(check.discrepancies[0].bid_index, Some(3));
        assert_eq!(check.computed_end, at("2026-03-03T10:03:00+08:00"));
    }

    #[test]
    fn auc_11_a_bid_exactly_five_minutes_before_the_end_does_not_extend_it() {
        let log = vec![bid("A", "1000000", "2026-03-03T09:55:00+08:00")];
        let check = check_bid_log(&rules(), &log, &reported(Some("A"), Some("1000000"), "2026-03-03T10:00:00+08:00")).unwrap();
        assert_eq!(check.discrepancies, vec![]);
        assert_eq!(check.computed_end, at("2026-03-03T10:00:00+08:00"));
        // Chained extensions: each bid in the last five minutes of the extended end moves it again.
        let log = vec![
            bid("A", "1000000", "2026-03-03T09:59:00+08:00"),
            bid("B", "1010000", "2026-03-03T10:03:30+08:00"),
            bid("A", "1020000", "2026-03-03T10:08:29+08:00"),
        ];
        let check = check_bid_log(&rules(), &log, &reported(Some("A"), Some("1020000"), "2026-03-03T10:13:29+08:00")).unwrap();
        assert_eq!(check.discrepancies, vec![]);
        assert_eq!(check.computed_end, at("2026-03-03T10:13:29+08:00"));
    }

    #[test]
    fn auc_10_a_priority_holder_matching_the_price_wins_and_the_platform_deciding_otherwise_is_found() {
        let log = vec![
            bid("A", "1000000", "2026-03-02T11:00:00+08:00"),
            bid("B", "1050000", "2026-03-02T12:00:00+08:00"),
            bid("H2", "1050000", "2026-03-02T13:00:00+08:00"),
        ];
        let check = check_bid_log(&rules(), &log, &reported(Some("B"), Some("1050000"), "2026-03-03T10:00:00+08:00")).unwrap();
        assert_eq!(
            check.computed_winner.as_deref(),
            Some("H2"),
            "a holder may match the price (AUC-10 art 21)"
        );
        assert_eq!(codes(&check), vec!["priority_tie_decided_wrongly"]);
        assert_eq!(check.discrepancies[0].rule, "AUC-10");
    }

    #[test]
    fn auc_10_between_holders_the_higher_rank_wins_and_between_equal_ranks_the_earlier() {
        let log = vec![
            bid("H2", "1000000", "2026-03-02T11:00:00+08:00"),
            bid("H1", "1000000", "2026-03-02T12:00:00+08:00"),
        ];
        let check = check_bid_log(&rules(), &log, &reported(Some("H2"), Some("1000000"), "2026-03-03T10:00:00+08:00")).unwrap();
        assert_eq!(
            check.computed_winner.as_deref(),
            Some("H1"),
            "rank 1 beats rank 2 at the same price"
        );
        assert_eq!(codes(&check), vec!["priority_tie_decided_wrongly"]);

        let mut same_rank = rules();
        same_rank.priority_holders.push(PriorityHolder {
            bidder: "H1b".into(),
            rank: 1,
        });
        let log = vec![
            bid("H1", "1000000", "2026-03-02T11:00:00+08:00"),
            bid("H1b", "1000000", "2026-03-02T12:00:00+08:00"),
        ];
        let check = check_bid_log(
            &same_rank,
            &log,
            &reported(Some("H1b"), Some("1000000"), "2026-03-03T10:00:00+08:00"),
        )
        .unwrap();
        assert_eq!(check.computed_winner.as_deref(), Some("H1"), "the same rank: the earlier bid wins");
        assert_eq!(codes(&check), vec!["priority_tie_decided_wrongly"]);
        // A lower-ranked holder's match is valid but does not take the lead from a higher-ranked one.
        let log = vec![
            bid("H1", "1000000", "2026-03-02T11:00:00+08:00"),
            bid("H2", "1000000", "2026-03-02T12:00:00+08:00"),
        ];
        let check = check_bid_log(&rules(), &log, &reported(Some("H1"), Some("1000000"), "2026-03-03T10:00:00+08:00")).unwrap();
        assert_eq!(check.discrepancies, vec![]);
        assert_eq!(check.valid_bids, vec![0, 1]);
    }

    #[test]
    fn auc_11_invalid_bids_are_each_reported_and_ignored() {
        let log = vec![
            bid("A", "1000000", "2026-03-02T09:59:59+08:00"),
            bid("A", "990000", "2026-03-02T11:00:00+08:00"),
            bid("A", "1000000", "2026-03-02T11:01:00+08:00"),
            bid("B", "1000000", "2026-03-02T11:02:00+08:00"),
            bid("B", "1015000", "2026-03-02T11:03:00+08:00"),
            bid("B", "1010000", "2026-03-02T11:04:00+08:00"),
            bid("S", "1020000", "2026-03-02T11:05:00+08:00"),
            bid("D", "1030000", "2026-03-02T11:06:00+08:00"),
            bid("A", "1000000", "2026-03-02T11:07:00+08:00"),
        ];
        let check = check_bid_log(&rules(), &log, &reported(Some("B"), Some("1010000"), "2026-03-03T10:00:00+08:00")).unwrap();
        let found: Vec<(&str, &str, Option<usize>)> = check
            .discrepancies
            .iter()
            .map(|discrepancy| (discrepancy.code.code(), discrepancy.rule, discrepancy.bid_index))
            .collect();
        assert_eq!(
            found,
            vec![
                ("bid_before_start", "AUC-11", Some(0)),
                ("bid_below_starting_price", "AUC-11", Some(1)),
                ("bid_not_above_current", "AUC-10", Some(3)),
                ("bid_off_increment", "AUC-11", Some(4)),
                ("excluded_bidder_bid", "AUC-21", Some(6)),
                ("excluded_bidder_bid", "AUC-14", Some(7)),
                ("bid_not_above_current", "AUC-10", Some(8)),
            ]
        );
        assert_eq!(check.valid_bids, vec![2, 5]);
        assert_eq!(check.computed_winner.as_deref(), Some("B"));
    }

    #[test]
    fn auc_11_increment_multiples_are_a_flag_of_the_rules() {
        let mut free = rules();
        free.increment_multiples_only = false;
        let log = vec![
            bid("A", "1000001", "2026-03-02T11:00:00+08:00"),
            bid("B", "1000002", "2026-03-02T11:01:00+08:00"),
        ];
        let check = check_bid_log(&free, &log, &reported(Some("B"), Some("1000002"), "2026-03-03T10:00:00+08:00")).unwrap();
        assert_eq!(check.discrepancies, vec![]);
        let check = check_bid_log(&rules(), &log, &reported(None, None, "2026-03-03T10:00:00+08:00")).unwrap();
        assert_eq!(codes(&check), vec!["bid_off_increment", "bid_off_increment"]);
        assert_eq!(check.outcome, Outcome::Failed);
    }

    #[test]
    fn auc_4_one_bidder_at_the_starting_price_is_a_sale_and_reporting_it_failed_is_found() {
        let log = vec![bid("A", "1000000", "2026-03-02T11:00:00+08:00")];
        let check = check_bid_log(&rules(), &log, &reported(None, None, "2026-03-03T10:00:00+08:00")).unwrap();
        assert_eq!(check.outcome, Outcome::Sold);
        assert_eq!(codes(&check), vec!["reported_failed_but_valid_bids"]);
        assert_eq!(check.discrepancies[0].rule, "AUC-4");
    }

    #[test]
    fn auc_16_no_valid_bid_is_a_failed_auction_and_a_reported_sale_below_the_reserve_is_found() {
        let check = check_bid_log(&rules(), &[], &reported(None, None, "2026-03-03T10:00:00+08:00")).unwrap();
        assert_eq!((check.outcome, check.discrepancies.len()), (Outcome::Failed, 0));
        assert_eq!(check.computed_end, rules().scheduled_end);
        let log = vec![bid("A", "900000", "2026-03-02T11:00:00+08:00")];
        let check = check_bid_log(&rules(), &log, &reported(Some("A"), Some("900000"), "2026-03-03T10:00:00+08:00")).unwrap();
        assert_eq!(check.outcome, Outcome::Failed);
        assert_eq!(
            codes(&check),
            vec![
                "bid_below_starting_price",
                "reported_sold_without_valid_bid",
                "wrong_price",
                "sold_below_reserve"
            ]
        );
        let rules_of = |code: &str| {
            check
                .discrepancies
                .iter()
                .find(|discrepancy| discrepancy.code.code() == code)
                .unwrap()
                .rule
        };
        assert_eq!(rules_of("reported_sold_without_valid_bid"), "AUC-16");
        assert_eq!(rules_of("sold_below_reserve"), "AUC-4");
    }

    #[test]
    fn auc_11_a_wrong_price_a_short_window_and_an_early_close_are_found() {
        let mut short = rules();
        short.scheduled_end = at("2026-03-03T09:00:00+08:00");
        let log = vec![bid("A", "1000000", "2026-03-02T11:00:00+08:00")];
        let check = check_bid_log(&short, &log, &reported(Some("A"), Some("1010000"), "2026-03-03T08:00:00+08:00")).unwrap();
        assert_eq!(
            codes(&check),
            vec!["bidding_shorter_than_24_hours", "wrong_price", "closed_before_scheduled_end"]
        );
    }

    #[test]
    fn rules_that_cannot_be_replayed_are_refused_with_their_rule() {
        let mut broken = rules();
        broken.increment = Money::ZERO;
        let error = check_bid_log(&broken, &[], &reported(None, None, "2026-03-03T10:00:00+08:00")).unwrap_err();
        assert_eq!((error.code(), error.rule()), ("increment_not_positive", "AUC-11"));
        let mut broken = rules();
        broken.priority_holders.push(PriorityHolder {
            bidder: "H1".into(),
            rank: 3,
        });
        let error = check_bid_log(&broken, &[], &reported(None, None, "2026-03-03T10:00:00+08:00")).unwrap_err();
        assert_eq!((error.code(), error.rule()), ("priority_holder_listed_twice", "AUC-10"));
        let mut broken = rules();
        broken.starting_price = Money::ZERO;
        assert_eq!(
            check_bid_log(&broken, &[], &reported(None, None, "2026-03-03T10:00:00+08:00"))
                .unwrap_err()
                .code(),
            "starting_price_not_positive"
        );
    }

    #[test]
    fn the_log_reads_from_csv_and_json_alike() {
        let csv = "bidder,amount,at\nA,1000000.00,2026-03-02T11:00:00+08:00\nB,1020000,2026-03-02T07:30:00Z\n\n";
        let json = r#"[{"bidder": "A", "amount": "1000000.00", "at": "2026-03-02T11:00:00+08:00"},
                       {"bidder": "B", "amount": "1020000", "at": "2026-03-02T07:30:00Z"}]"#;
        let from_csv = parse_bid_log_csv(csv).unwrap();
        assert_eq!(from_csv, parse_bid_log_json(json).unwrap());
        assert_eq!(from_csv[1].at, at("2026-03-02T15:30:00+08:00"));
        assert_eq!(from_csv[1].amount.fen(), 102_000_000);
        for bad in [
            "A,1.001,2026-03-02T11:00:00Z",
            "A,1.00,2026-03-02 11:00",
            "A,1.00",
            ",1.00,2026-03-02T11:00:00Z",
        ] {
            let error = parse_bid_log_csv(bad).unwrap_err();
            assert_eq!((error.code(), error.rule()), ("bid_log_malformed", "DESIGN"), "{bad}");
        }
        assert_eq!(
            parse_bid_log_json(r#"[{"bidder": "A", "amount": 1, "at": "2026-03-02T11:00:00Z"}]"#)
                .unwrap_err()
                .code(),
            "bid_log_malformed"
        );
        let rules_json = r#"{"starting_price": "1000000", "increment": "10000", "bidding_start": "2026-03-02T02:00:00Z",
            "scheduled_end": "2026-03-03T02:00:00Z", "priority_holders": [{"bidder": "H1", "rank": 1}],
            "excluded_bidders": [{"bidder": "S", "reason": "insider"}]}"#;
        let parsed: AuctionRules = serde_json::from_str(rules_json).unwrap();
        assert!(parsed.increment_multiples_only, "on by default (DESIGN)");
        assert_eq!(parsed.scheduled_end, rules().scheduled_end);
    }

    /// One step of a generated auction: seconds since the previous bid, who bids, and how.
    #[derive(Debug, Clone)]
    struct Step {
        gap_seconds: i64,
        bidder: usize,
        raise_increments: i64,
        match_if_holder: bool,
    }

    const BIDDERS: [&str; 5] = ["H1", "H2", "H3", "A", "B"];

    fn generated_rules(starting_fen: i64, increment_fen: i64, h3_rank: u32) -> AuctionRules {
        AuctionRules {
            starting_price: Money::from_fen(starting_fen),
            increment: Money::from_fen(increment_fen),
            bidding_start: at("2026-03-02T10:00:00+08:00"),
            scheduled_end: at("2026-03-03T10:00:00+08:00"),
            priority_holders: vec![
                PriorityHolder {
                    bidder: "H1".into(),
                    rank: 1,
                },
                PriorityHolder {
                    bidder: "H2".into(),
                    rank: 2,
                },
                PriorityHolder {
                    bidder: "H3".into(),
                    rank: h3_rank,
                },
            ],
            excluded_bidders: vec![],
            increment_multiples_only: true,
        }
    }

    /// A log that follows the rules: every bid inside the (extended) window, raising by whole increments, or a
    /// holder matching the current price.
    fn valid_log(rules: &AuctionRules, first_offset_seconds: i64, steps: &[Step]) -> Vec<Bid> {
        let mut bids = Vec::new();
        let mut now = rules.bidding_start + TimeDelta::seconds(first_offset_seconds);
        let mut end = rules.scheduled_end;
        let mut current: Option<Money> = None;
        for step in steps {
            if now >= end {
                break;
            }
            let bidder = BIDDERS[step.bidder % BIDDERS.len()];
            let holder = rules.priority_holders.iter().any(|holder| holder.bidder == bidder);
            let amount = match current {
                None => Money::from_fen(rules.starting_price.fen() + (step.raise_increments - 1) * rules.increment.fen()),
                Some(price) if holder && step.match_if_holder => price,
                Some(price) => Money::from_fen(price.fen() + step.raise_increments * rules.increment.fen()),
            };
            bids.push(Bid {
                bidder: bidder.to_string(),
                amount,
                at: now,
            });
            current = Some(amount);
            if end - now < extension() {
                end = now + extension();
            }
            now += TimeDelta::seconds(step.gap_seconds);
        }
        bids
    }

    fn step() -> impl Strategy<Value = Step> {
        (0i64..400, 0usize..5, 1i64..4, any::<bool>()).prop_map(|(gap_seconds, bidder, raise_increments, match_if_holder)| Step {
            gap_seconds,
            bidder,
            raise_increments,
            match_if_holder,
        })
    }

    proptest! {
        /// For logs that follow the rules, the check agrees with itself: reporting the result it computed gives no
        /// discrepancy, and the computed end is never before the scheduled end (AUC-10, AUC-11).
        #[test]
        fn auc_11_valid_logs_checked_against_their_own_result_have_no_discrepancy(
            starting_fen in 1i64..100_000_000,
            increment_fen in 1i64..1_000_000,
            h3_rank in 1u32..3,
            first_offset_seconds in 0i64..(24 * 3600),
            steps in prop::collection::vec(step(), 0..40),
        ) {
            let rules = generated_rules(starting_fen, increment_fen, h3_rank);
            let log = valid_log(&rules, first_offset_seconds, &steps);
            let own = check_bid_log(&rules, &log, &reported(None, None, "2026-03-03T10:00:00+08:00")).unwrap();
            let result = ReportedResult { winner: own.computed_winner.clone(), price: own.computed_price, ended_at: own.computed_end };
            let check = check_bid_log(&rules, &log, &result).unwrap();
            prop_assert_eq!(&check.discrepancies, &vec![]);
            prop_assert_eq!(check.valid_bids.len(), log.len());
            prop_assert!(check.computed_end >= rules.scheduled_end);
            prop_assert_eq!(check.outcome == Outcome::Sold, !log.is_empty(), "AUC-4 and AUC-16");
            if let Some(price) = check.computed_price {
                prop_assert_eq!(Some(price), log.iter().map(|bid| bid.amount).max(), "the winning price is the highest bid");
            }
        }

        /// For any log at all: no panic, every bid is either valid or has exactly one finding, the end never moves
        /// before the scheduled end, and the result the check computed is consistent with itself.
        #[test]
        fn auc_11_any_log_is_checked_without_panic_and_every_bid_is_accounted_for(
            raw in prop::collection::vec((0usize..7, 0i64..3_000_000, -3600i64..(26 * 3600)), 0..30),
            increment_multiples_only in any::<bool>(),
        ) {
            let mut rules = generated_rules(1_000_000, 10_000, 2);
            rules.increment_multiples_only = increment_multiples_only;
            rules.excluded_bidders.push(ExcludedBidder { bidder: "S".into(), reason: ExclusionReason::Insider });
            let names = ["H1", "H2", "H3", "A", "B", "S", "C"];
            let log: Vec<Bid> = raw
                .iter()
                .map(|(bidder, fen, offset)| Bid {
                    bidder: names[*bidder].to_string(),
                    amount: Money::from_fen(*fen),
                    at: rules.bidding_start + TimeDelta::seconds(*offset),
                })
                .collect();
            let own = check_bid_log(&rules, &log, &reported(None, None, "2026-03-03T10:00:00+08:00")).unwrap();
            prop_assert!(own.computed_end >= rules.scheduled_end);
            let per_bid: Vec<usize> = own.discrepancies.iter().filter_map(|discrepancy| discrepancy.bid_index).collect();
            prop_assert_eq!(per_bid.len() + own.valid_bids.len(), log.len());
            let mut all: Vec<usize> = per_bid.iter().chain(own.valid_bids.iter()).copied().collect();
            all.sort_unstable();
            prop_assert_eq!(all, (0..log.len()).collect::<Vec<_>>());
            let result = ReportedResult { winner: own.computed_winner.clone(), price: own.computed_price, ended_at: own.computed_end };
            let check = check_bid_log(&rules, &log, &result).unwrap();
            prop_assert!(check.discrepancies.iter().all(|discrepancy| discrepancy.bid_index.is_some()), "{:?}", check.discrepancies);
            if let Some(price) = check.computed_price {
                prop_assert!(price >= rules.starting_price);
                let highest = check.valid_bids.iter().map(|&index| log[index].amount).max();
                prop_assert_eq!(Some(price), highest);
            }
        }
    }
}
