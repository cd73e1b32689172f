//! Negotiation (当事人议价, REF-4, REF-5) and directed inquiry (定向询价, REF-6, REF-7): the two methods whose
//! deadline the court sets and whose price admits no objection.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::ValuationError;
use super::facts::{Basis, FailedMethod, FailureReason, Method};
use super::limits::{LimitKind, TimeLimit};
use super::online::check_reported_result;
use super::price::{Fixed, PriceOrigin, ReferencePrice, SourceResult, VALIDITY_MONTHS_MAX};
use super::review::{check_court_deadline, Service};
use super::{Command, Outcome, Stage, Transition, Valuation};
use crate::calendar::Calendar;
use crate::money::Money;

/// The source name of a negotiated result.
pub const PARTIES: &str = "parties";

/// REF-4: the negotiation and the court's deadline for the results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Negotiation {
    pub opened_on: NaiveDate,
    pub limit: TimeLimit,
}

impl Negotiation {
    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        visit(&mut self.limit);
    }
}

/// REF-6, REF-7: the inquiry letter to the institution where the asset lies, and the court's deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectedInquiry {
    pub basis: Basis,
    pub institution: String,
    pub opened_on: NaiveDate,
    pub limit: TimeLimit,
}

impl DirectedInquiry {
    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        visit(&mut self.limit);
    }
}

/// REF-4: the court asks the parties to negotiate and sets the deadline for their results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenNegotiation {
    #[serde(deserialize_with = "crate::date::strict")]
    pub deadline: NaiveDate,
}

/// REF-4: what the parties submitted (`None`: nothing), recorded on the day the court received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordNegotiationResult {
    pub applicant_price: Option<Money>,
    pub debtor_price: Option<Money>,
    /// REF-33: the validity the parties agreed, at most 12 months.
    pub validity_months: u32,
    /// The judge's finding that the price would harm others' lawful rights (REF-4).
    pub harms_third_parties: bool,
}

/// REF-6, REF-7: the directed inquiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDirectedInquiry {
    pub basis: Basis,
    /// The institution where the asset lies (计税基准价、政府定价或者政府指导价的有关机构).
    pub institution: String,
    #[serde(deserialize_with = "crate::date::strict")]
    pub deadline: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum DirectedResult {
    Price { amount: Money, validity_months: u32 },
    NoPrice,
}

/// REF-7: the institution's answer, recorded on the day it arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDirectedResult {
    pub result: DirectedResult,
}

impl Valuation {
    /// REF-4: opens the negotiation, always the first method.
    ///
    /// Checks, in order: the date; choosing a method (`out_of_order`, REF-37); the method allowed now
    /// (`check_method_allowed`); a deadline 1 to 365 days ahead (`deadline_out_of_range`, REF-4).
    pub fn open_negotiation(
        mut self,
        command: OpenNegotiation,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::OpenNegotiation(command.clone()))?;
        self.expect_choosing_method("open_negotiation")?;
        self.check_method_allowed(Method::Negotiation, Basis::FallThrough)?;
        check_court_deadline(today, command.deadline, "REF-4")?;
        self.stage = Stage::Negotiation(Negotiation {
            opened_on: today,
            limit: TimeLimit::court_set(LimitKind::Negotiation, None, today, command.deadline, calendar),
        });
        draft.outcome(Outcome::MethodOpened {
            method: Method::Negotiation,
            basis: Basis::FallThrough,
        });
        Ok(draft.finish(self))
    }

    /// REF-4: the parties' results. Both submitted in time, equal and harmless: that is the reference price.
    /// Otherwise the negotiation has failed (不成) and the next method follows (REF-37).
    ///
    /// Checks, in order: the date; a negotiation (`out_of_order`, REF-4); prices above zero
    /// (`amount_not_positive`, REF-4); a validity of 1 to 12 months (`validity_out_of_range`, REF-33).
    pub fn record_negotiation_result(
        mut self,
        command: RecordNegotiationResult,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordNegotiationResult(command.clone()))?;
        let stage = self.stage.name();
        let Stage::Negotiation(negotiation) = &self.stage else {
            return Err(ValuationError::out_of_order("record_negotiation_result", stage, "REF-4"));
        };
        if [command.applicant_price, command.debtor_price]
            .into_iter()
            .flatten()
            .any(|price| price.fen() <= 0)
        {
            return Err(ValuationError::AmountNotPositive { rule: "REF-4" });
        }
        if !(1..=VALIDITY_MONTHS_MAX).contains(&command.validity_months) {
            return Err(ValuationError::ValidityOutOfRange {
                months: command.validity_months,
            });
        }
        let limit = negotiation.limit.clone();
        let failure = match (command.applicant_price, command.debtor_price) {
            (Some(_), Some(_)) if !limit.allows(today) => Some(FailureReason::NotSubmittedInTime),
            (Some(applicant), Some(debtor)) if applicant != debtor => Some(FailureReason::PricesDiffer),
            (Some(_), Some(_)) if command.harms_third_parties => Some(FailureReason::HarmsThirdParties),
            (Some(_), Some(_)) => None,
            (None, _) | (_, None) => Some(FailureReason::NotSubmittedInTime),
        };
        if command.applicant_price.is_some() && command.debtor_price.is_some() {
            draft.meet(limit.key());
        }
        match (failure, command.applicant_price) {
            (None, Some(amount)) => {
                let result = SourceResult {
                    source: PARTIES.to_string(),
                    amount,
                    reported_on: today,
                    validity_months: command.validity_months,
                };
                let price = ReferencePrice::from_results(Method::Negotiation, vec![result], today, false, calendar)
                    .ok_or_else(|| ValuationError::out_of_order("record_negotiation_result", stage, "REF-4"))?;
                draft.price_fixed(&price);
                self.stage = Stage::Fixed(Box::new(Fixed::new(price, PriceOrigin::Negotiation, today, calendar)));
            }
            (reason, _) => {
                let reason = reason.unwrap_or(FailureReason::NotSubmittedInTime);
                self.fail_method(Method::Negotiation, reason, today, &mut draft);
            }
        }
        Ok(draft.finish(self))
    }

    /// REF-6, REF-7: sends the inquiry letter.
    ///
    /// Checks, in order: the date; choosing a method (`out_of_order`, REF-37); the method allowed now
    /// (`check_method_allowed`); a named institution (`name_missing`, REF-6); a deadline 1 to 365 days ahead
    /// (`deadline_out_of_range`, REF-7).
    pub fn open_directed_inquiry(
        mut self,
        command: OpenDirectedInquiry,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::OpenDirectedInquiry(command.clone()))?;
        self.expect_choosing_method("open_directed_inquiry")?;
        self.check_method_allowed(Method::DirectedInquiry, command.basis)?;
        if command.institution.trim().is_empty() {
            return Err(ValuationError::NameMissing {
                field: "institution",
                rule: "REF-6",
            });
        }
        check_court_deadline(today, command.deadline, "REF-7")?;
        self.stage = Stage::DirectedInquiry(DirectedInquiry {
            basis: command.basis,
            institution: command.institution.clone(),
            opened_on: today,
            limit: TimeLimit::court_set(LimitKind::DirectedInquiry, None, today, command.deadline, calendar),
        });
        draft.outcome(Outcome::MethodOpened {
            method: Method::DirectedInquiry,
            basis: command.basis,
        });
        Ok(draft.finish(self))
    }

    /// REF-7: the institution's answer. A price in time is the reference price, served on the parties (REF-27) and
    /// open to no objection (REF-5); no price, or a late one, and the directed inquiry has failed.
    ///
    /// Checks, in order: the date; a directed inquiry (`out_of_order`, REF-7); a price above zero
    /// (`amount_not_positive`, REF-7) with a validity of 1 to 12 months (`validity_out_of_range`, REF-33).
    pub fn record_directed_result(
        mut self,
        command: RecordDirectedResult,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordDirectedResult(command.clone()))?;
        let stage = self.stage.name();
        let recipients = self.recipients.clone();
        let Stage::DirectedInquiry(inquiry) = &self.stage else {
            return Err(ValuationError::out_of_order("record_directed_result", stage, "REF-7"));
        };
        let inquiry = inquiry.clone();
        match command.result {
            DirectedResult::Price { amount, validity_months } => {
                check_reported_result(amount, validity_months, "REF-7")?;
                if !inquiry.limit.allows(today) {
                    self.fail_method(Method::DirectedInquiry, FailureReason::AnsweredLate, today, &mut draft);
                    return Ok(draft.finish(self));
                }
                draft.meet(inquiry.limit.key());
                let result = SourceResult {
                    source: inquiry.institution.clone(),
                    amount,
                    reported_on: today,
                    validity_months,
                };
                let price = ReferencePrice::from_results(Method::DirectedInquiry, vec![result], today, false, calendar)
                    .ok_or_else(|| ValuationError::out_of_order("record_directed_result", stage, "REF-7"))?;
                draft.price_fixed(&price);
                let origin = PriceOrigin::DirectedInquiry {
                    institution: inquiry.institution,
                    service: Service::new(today, &recipients, calendar),
                };
                self.stage = Stage::Fixed(Box::new(Fixed::new(price, origin, today, calendar)));
            }
            DirectedResult::NoPrice => self.fail_method(Method::DirectedInquiry, FailureReason::NoPrice, today, &mut draft),
        }
        Ok(draft.finish(self))
    }

    /// Records a failed method and returns to the choice of the next one (REF-37).
    pub(crate) fn fail_method(&mut self, method: Method, reason: FailureReason, today: NaiveDate, draft: &mut super::Draft) {
        self.failed_methods.push(FailedMethod { method, on: today, reason });
        self.stage = Stage::ChoosingMethod;
        draft.outcome(Outcome::MethodFailed { method, reason });
    }
}
