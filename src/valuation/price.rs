//! The reference price once fixed: its amount (REF-16's exact average, REF-32), its validity and grace (REF-33),
//! the disposal deadline (REF-36), supervision objections (REF-31) and the lapse that leads to a reissue (REF-14,
//! REF-25).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::appraisal::Appraisal;
use super::error::ValuationError;
use super::facts::Method;
use super::limits::{LimitKind, TimeLimit};
use super::online::OnlineInquiry;
use super::review::Service;
use super::{Command, Outcome, Stage, Transition, Valuation};
use crate::calendar::{Calendar, Period};
use crate::money::Money;

/// REF-33: a result is valid for at most one year.
pub const VALIDITY_MONTHS_MAX: u32 = 12;
/// REF-33: an auction or sell-off that began within the validity may take place up to six months after it ended.
pub const GRACE_MONTHS: u32 = 6;
/// REF-36: the disposal starts within 10 days of the reference price.
pub const DISPOSAL_START_DAYS: u32 = 10;

/// The exact average of some results (REF-16; open question Q3, DESIGN): computed in fen as `sum / count`, rounded
/// half-up to the fen, with the unrounded value kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Average {
    /// Rounded half-up to the fen.
    pub amount: Money,
    /// `sum_fen / count / 100` in yuan, to rust_decimal's 28 significant digits.
    #[serde(with = "rust_decimal::serde::str")]
    pub exact_yuan: Decimal,
    pub sum_fen: i64,
    pub count: u32,
}

/// The average of `amounts`, or `None` for none. Amounts are non-negative fen, far below `i64::MAX / count`.
pub fn average(amounts: &[Money]) -> Option<Average> {
    if amounts.is_empty() {
        return None;
    }
    let count = amounts.len() as i128;
    let sum: i128 = amounts.iter().map(|amount| i128::from(amount.fen())).sum();
    // Half-up for a non-negative quotient: floor((2·sum + count) / (2·count)).
    let rounded = (2 * sum + count) / (2 * count);
    let exact_yuan = (Decimal::from_i128_with_scale(sum, 2) / Decimal::from_i128_with_scale(count, 0)).normalize();
    Some(Average {
        amount: Money::from_fen(rounded as i64),
        exact_yuan,
        sum_fen: sum as i64,
        count: count as u32,
    })
}

/// One result a price rests on: a platform's, an agency's, an institution's or the parties' (REF-4, 7, 16, 32).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceResult {
    /// The platform, agency or institution; "parties" for a negotiated price.
    pub source: String,
    pub amount: Money,
    /// The report's date, from which its validity counts (REF-33).
    pub reported_on: NaiveDate,
    /// The validity the report states, 1 to 12 months (REF-33).
    pub validity_months: u32,
}

/// The reference price (财产处置参考价).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferencePrice {
    pub method: Method,
    /// The price, to the fen.
    pub amount: Money,
    /// The unrounded value: the exact average for online inquiry (REF-16), the amount itself otherwise.
    #[serde(with = "rust_decimal::serde::str")]
    pub exact_yuan: Decimal,
    /// The results the price was computed from (one, except for an online average).
    pub results: Vec<SourceResult>,
    pub determined_on: NaiveDate,
    /// REF-33: the last day of the validity — of the earliest-ending result, for an average, since the price rests
    /// on every one of them (DESIGN).
    pub validity_ends_on: NaiveDate,
    /// REF-33: the last day an auction or sell-off begun within the validity may take place (Q5: its start).
    pub grace_ends_on: NaiveDate,
    /// Whether the result is a reissued one (REF-14, REF-25; the reissue fee of REF-43).
    pub reissued: bool,
}

impl ReferencePrice {
    /// Builds the price from its results: the exact average for several, the single amount otherwise. The validity
    /// ends at the earliest end among the results (REF-33: `add_months`, then PER-4 off a rest day).
    pub(crate) fn from_results(
        method: Method,
        results: Vec<SourceResult>,
        today: NaiveDate,
        reissued: bool,
        calendar: &Calendar,
    ) -> Option<ReferencePrice> {
        let amounts: Vec<Money> = results.iter().map(|result| result.amount).collect();
        let average = average(&amounts)?;
        let validity_ends_on = results
            .iter()
            .map(|result| calendar.due_date(result.reported_on, Period::Months(result.validity_months)))
            .min()?;
        Some(ReferencePrice {
            method,
            amount: average.amount,
            exact_yuan: average.exact_yuan,
            results,
            determined_on: today,
            validity_ends_on,
            grace_ends_on: calendar.due_date(validity_ends_on, Period::Months(GRACE_MONTHS)),
            reissued,
        })
    }

    /// REF-33 (`needs_new_ref_price`): whether the price can no longer be used for an auction or sell-off that
    /// takes place on `sale_on`, given the day the first announcement was published or the direct sell-off began.
    /// The answer is "no new price needed" only when the disposal began within the validity and the sale is at most
    /// six months after the validity ended. Q5 (DESIGN): `sale_on` is the auction's or sell-off's start.
    pub fn needs_new_reference_price(&self, disposal_started_on: Option<NaiveDate>, sale_on: NaiveDate) -> bool {
        needs_new_reference_price(self.validity_ends_on, self.grace_ends_on, disposal_started_on, sale_on)
    }
}

/// REF-33 as a free function of the two dates the price carries; see `ReferencePrice::needs_new_reference_price`.
pub fn needs_new_reference_price(
    validity_ends_on: NaiveDate,
    grace_ends_on: NaiveDate,
    disposal_started_on: Option<NaiveDate>,
    sale_on: NaiveDate,
) -> bool {
    let started_in_time = disposal_started_on.is_some_and(|started| started <= validity_ends_on);
    !(started_in_time && sale_on <= grace_ends_on)
}

/// How the price came about, with the method's whole record (for fees, reissues and the audit trail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "origin", rename_all = "snake_case")]
pub enum PriceOrigin {
    /// REF-4: both parties submitted the same price in time.
    Negotiation,
    /// REF-35: after the inquiry or appraisal was ordered the parties agreed a price, and the court withdrew it.
    AgreedDuringProcedure { withdrawn_method: Method },
    /// REF-7: the institution's answer in time. Its report is still served (REF-27), but not objected to (REF-5).
    DirectedInquiry { institution: String, service: Service },
    /// REF-16: the average of the platforms' valid results.
    OnlineInquiry { inquiry: Box<OnlineInquiry> },
    /// REF-32: the agency's result, corrected or confirmed.
    Appraisal { appraisal: Box<Appraisal> },
}

/// How the disposal began (REF-33, REF-36).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisposalKind {
    /// 一拍拍卖公告
    FirstAuctionAnnouncement,
    /// 直接进入变卖程序
    DirectSellOff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisposalStarted {
    pub on: NaiveDate,
    pub kind: DisposalKind,
}

/// REF-31: the grounds of an objection under execution supervision (执行监督).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupervisionGround {
    /// (1) fraud or duress in the negotiation
    NegotiationFraudOrDuress,
    /// (2) collusion harming others
    CollusionHarmingOthers,
    /// (3) a false directed-inquiry result
    FalseDirectedResult,
    /// (4) a clearly wrong handling of the objections of REF-28/REF-29
    ObjectionHandlingClearlyWrong,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionObjection {
    pub id: u32,
    pub objector: String,
    pub ground: SupervisionGround,
    pub filed_on: NaiveDate,
    /// `Some(upheld)` once the court decided.
    pub upheld: Option<bool>,
}

/// The stage after the price is fixed: its deadlines and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fixed {
    pub price: ReferencePrice,
    pub origin: PriceOrigin,
    /// REF-36: start the disposal within 10 days.
    pub disposal_start: TimeLimit,
    /// REF-33: the first announcement or direct sell-off within the validity.
    pub validity: TimeLimit,
    /// REF-33: the sale within 6 months after the validity.
    pub grace: TimeLimit,
    pub disposal_started: Option<DisposalStarted>,
    /// The day the auction or sell-off took place (its start, Q5).
    pub sale_on: Option<NaiveDate>,
    pub supervision_objections: Vec<SupervisionObjection>,
}

impl Fixed {
    pub(crate) fn new(price: ReferencePrice, origin: PriceOrigin, today: NaiveDate, calendar: &Calendar) -> Fixed {
        let first = price
            .results
            .iter()
            .min_by_key(|result| calendar.due_date(result.reported_on, Period::Months(result.validity_months)));
        let (validity_trigger, validity_months) = first
            .map(|result| (result.reported_on, result.validity_months))
            .unwrap_or((today, VALIDITY_MONTHS_MAX));
        let validity = TimeLimit::start(
            LimitKind::Validity,
            None,
            validity_trigger,
            Period::Months(validity_months),
            calendar,
        );
        let grace = TimeLimit::start(
            LimitKind::SaleGrace,
            None,
            validity.due_date,
            Period::Months(GRACE_MONTHS),
            calendar,
        );
        Fixed {
            disposal_start: TimeLimit::start(LimitKind::DisposalStart, None, today, Period::Days(DISPOSAL_START_DAYS), calendar),
            validity,
            grace,
            price,
            origin,
            disposal_started: None,
            sale_on: None,
            supervision_objections: Vec::new(),
        }
    }

    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        if self.disposal_started.is_none() {
            visit(&mut self.disposal_start);
            visit(&mut self.validity);
        }
        if self.sale_on.is_none() {
            visit(&mut self.grace);
        }
        match &mut self.origin {
            PriceOrigin::DirectedInquiry { service, .. } => service.for_each_open_limit(visit),
            PriceOrigin::Appraisal { appraisal } => appraisal.for_each_open_materials_return(visit),
            PriceOrigin::Negotiation | PriceOrigin::AgreedDuringProcedure { .. } | PriceOrigin::OnlineInquiry { .. } => {}
        }
    }

    /// Whether the price has lapsed on `today` (REF-33): no disposal began within the validity, or the sale has
    /// not taken place within the grace.
    pub fn lapsed_on(&self, today: NaiveDate) -> bool {
        match (self.disposal_started, self.sale_on) {
            (None, _) => today > self.price.validity_ends_on,
            (Some(_), None) => today > self.price.grace_ends_on,
            (Some(_), Some(_)) => false,
        }
    }
}

/// The disposal began: the first auction announcement was published or the direct sell-off started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDisposalStart {
    pub kind: DisposalKind,
}

/// The auction or sell-off took place today (Q5: its start).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecordSaleStart {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSupervisionObjection {
    pub objector: String,
    pub ground: SupervisionGround,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideSupervisionObjection {
    pub objection: u32,
    pub upheld: bool,
}

/// The price's validity passed without a timely disposal or sale (REF-33): ask for a reissue (REF-14, REF-25) or,
/// for a negotiated or directed price, determine a new one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LapseValidity {}

impl Valuation {
    /// Records the start of the disposal (REF-36 met; REF-33 validity met).
    ///
    /// Checks, in order: the date; a fixed price (`out_of_order`, REF-36); not already started
    /// (`disposal_already_started`, REF-36); within the validity (`reference_price_expired`, REF-33).
    pub fn record_disposal_start(
        mut self,
        command: RecordDisposalStart,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordDisposalStart(command.clone()))?;
        let stage = self.stage.name();
        let Stage::Fixed(fixed) = &mut self.stage else {
            return Err(ValuationError::out_of_order("record_disposal_start", stage, "REF-36"));
        };
        if let Some(started) = fixed.disposal_started {
            return Err(ValuationError::DisposalAlreadyStarted { on: started.on });
        }
        if today > fixed.price.validity_ends_on {
            return Err(ValuationError::ReferencePriceExpired {
                validity_ends_on: fixed.price.validity_ends_on,
            });
        }
        fixed.disposal_started = Some(DisposalStarted {
            on: today,
            kind: command.kind,
        });
        draft.meet(fixed.disposal_start.key());
        draft.meet(fixed.validity.key());
        Ok(draft.finish(self))
    }

    /// Records that the auction or sell-off took place today (REF-33's grace met).
    ///
    /// Checks, in order: the date; a fixed price (`out_of_order`, REF-33); a disposal started
    /// (`disposal_not_started`, REF-33); not already recorded (`sale_already_recorded`, REF-33); within the grace
    /// (`reference_price_expired`, REF-33).
    pub fn record_sale_start(
        mut self,
        command: RecordSaleStart,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordSaleStart(command))?;
        let stage = self.stage.name();
        let Stage::Fixed(fixed) = &mut self.stage else {
            return Err(ValuationError::out_of_order("record_sale_start", stage, "REF-33"));
        };
        if fixed.disposal_started.is_none() {
            return Err(ValuationError::DisposalNotStarted);
        }
        if fixed.sale_on.is_some() {
            return Err(ValuationError::SaleAlreadyRecorded);
        }
        if fixed
            .price
            .needs_new_reference_price(fixed.disposal_started.map(|started| started.on), today)
        {
            return Err(ValuationError::ReferencePriceExpired {
                validity_ends_on: fixed.price.validity_ends_on,
            });
        }
        fixed.sale_on = Some(today);
        draft.meet(fixed.grace.key());
        Ok(draft.finish(self))
    }

    /// REF-31: an objection under execution supervision, until the first announcement or direct sell-off.
    ///
    /// Checks, in order: the date; a fixed price (`out_of_order`, REF-31; before the price is fixed the objections
    /// of REF-28 are the remedy); a known objector (`unknown_recipient`, REF-31); no disposal started
    /// (`supervision_objection_closed`, REF-31).
    pub fn file_supervision_objection(
        mut self,
        command: FileSupervisionObjection,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let draft = self.draft(today, Command::FileSupervisionObjection(command.clone()))?;
        let stage = self.stage.name();
        let known = self.recipients.contains(&command.objector);
        let id = self.next_objection_id;
        let Stage::Fixed(fixed) = &mut self.stage else {
            return Err(ValuationError::out_of_order("file_supervision_objection", stage, "REF-31"));
        };
        if !known {
            return Err(ValuationError::UnknownRecipient {
                recipient: command.objector,
                rule: "REF-31",
            });
        }
        if let Some(started) = fixed.disposal_started {
            return Err(ValuationError::SupervisionObjectionClosed {
                disposal_started_on: started.on,
            });
        }
        fixed.supervision_objections.push(SupervisionObjection {
            id,
            objector: command.objector,
            ground: command.ground,
            filed_on: today,
            upheld: None,
        });
        self.next_objection_id += 1;
        let mut draft = draft;
        draft.notify_judge("REF-31", format!("supervision objection {id} filed; review it under 执行监督"));
        Ok(draft.finish(self))
    }

    /// REF-31: the court's decision on a supervision objection. Upheld, the price is set aside and a new one is
    /// determined from the start (DESIGN: the rules leave the remedy to the supervision ruling; a fresh procedure is
    /// the one that fits every ground).
    ///
    /// Checks, in order: the date; a fixed price (`out_of_order`, REF-31); an undecided supervision objection with
    /// that id (`objection_unknown`, REF-31).
    pub fn decide_supervision_objection(
        mut self,
        command: DecideSupervisionObjection,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::DecideSupervisionObjection(command.clone()))?;
        let stage = self.stage.name();
        let Stage::Fixed(fixed) = &mut self.stage else {
            return Err(ValuationError::out_of_order("decide_supervision_objection", stage, "REF-31"));
        };
        let Some(objection) = fixed
            .supervision_objections
            .iter_mut()
            .find(|objection| objection.id == command.objection && objection.upheld.is_none())
        else {
            return Err(ValuationError::ObjectionUnknown {
                objection: command.objection,
                rule: "REF-31",
            });
        };
        objection.upheld = Some(command.upheld);
        if command.upheld {
            draft.outcome(Outcome::ReferencePriceSetAside);
            self.failed_methods.clear();
            self.stage = Stage::ChoosingMethod;
        }
        Ok(draft.finish(self))
    }

    /// REF-33: the validity passed without a timely disposal or sale. An online price is reissued by the platforms
    /// it was averaged from within 3 days (REF-14); an appraised price by the original agency within 15 days
    /// (REF-25); a negotiated or directed price has no reissue, so a new price is determined from the start.
    ///
    /// Checks, in order: the date; a fixed price (`out_of_order`, REF-33); lapsed (`reference_price_still_valid`,
    /// REF-33).
    pub fn lapse_validity(mut self, command: LapseValidity, today: NaiveDate, calendar: &Calendar) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::LapseValidity(command))?;
        let stage = self.stage.name();
        let Stage::Fixed(fixed) = std::mem::replace(&mut self.stage, Stage::ChoosingMethod) else {
            return Err(ValuationError::out_of_order("lapse_validity", stage, "REF-33"));
        };
        if !fixed.lapsed_on(today) {
            return Err(ValuationError::ReferencePriceStillValid {
                validity_ends_on: fixed.price.validity_ends_on,
                grace_ends_on: fixed.price.grace_ends_on,
            });
        }
        let Fixed { price, origin, .. } = *fixed;
        self.stage = match origin {
            PriceOrigin::Negotiation | PriceOrigin::AgreedDuringProcedure { .. } | PriceOrigin::DirectedInquiry { .. } => {
                self.failed_methods.clear();
                draft.outcome(Outcome::ValidityLapsed { reissue_due: None });
                Stage::ChoosingMethod
            }
            PriceOrigin::OnlineInquiry { inquiry } => {
                let reissue = inquiry.into_reissue(&price, today, calendar);
                draft.outcome(Outcome::ValidityLapsed {
                    reissue_due: reissue.platforms.first().map(|platform| platform.report_limit.due_date),
                });
                Stage::OnlineInquiry(Box::new(reissue))
            }
            PriceOrigin::Appraisal { appraisal } => {
                let reissue = appraisal.into_reissue(today, calendar);
                draft.outcome(Outcome::ValidityLapsed {
                    reissue_due: reissue.reissue_due(),
                });
                Stage::Appraisal(Box::new(reissue))
            }
        };
        Ok(draft.finish(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fen(amounts: &[i64]) -> Vec<Money> {
        amounts.iter().map(|amount| Money::from_fen(*amount)).collect()
    }

    #[test]
    fn ref_16_average_rounds_half_up_to_the_fen_and_keeps_the_exact_value() {
        // 1,000,000.01 + 1,000,000.02 = 2,000,000.03 → 1,000,000.015 → 1,000,000.02 half-up.
        let average = average(&fen(&[100_000_001, 100_000_002])).unwrap();
        assert_eq!(average.amount, Money::from_fen(100_000_002));
        assert_eq!(average.exact_yuan.to_string(), "1000000.015");
        // Thirds: 100.00 + 100.00 + 100.01 = 300.01 → 100.003333… → 100.00.
        let average = super::average(&fen(&[10_000, 10_000, 10_001])).unwrap();
        assert_eq!(average.amount, Money::from_fen(10_000));
        assert!(average.exact_yuan.to_string().starts_with("100.00333333"));
        assert_eq!((average.sum_fen, average.count), (30_001, 3));
        assert!(super::average(&[]).is_none());
    }

    #[test]
    fn ref_33_needs_a_new_price_unless_started_within_validity_and_sold_within_six_months_after() {
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        let (validity_end, grace_end) = (date("2025-10-09"), date("2026-04-09"));
        assert!(!needs_new_reference_price(
            validity_end,
            grace_end,
            Some(date("2025-10-09")),
            date("2026-04-09")
        ));
        assert!(needs_new_reference_price(
            validity_end,
            grace_end,
            Some(date("2025-10-10")),
            date("2025-11-01")
        ));
        assert!(needs_new_reference_price(
            validity_end,
            grace_end,
            Some(date("2025-09-01")),
            date("2026-04-10")
        ));
        assert!(needs_new_reference_price(validity_end, grace_end, None, date("2025-09-01")));
    }
}
