//! The procedure as a whole: its start (REF-1), the pre-check (REF-3), the order of methods (REF-37), suspension
//! (REF-34) and withdrawal (REF-35).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::ValuationError;
use super::facts::{AssetFacts, Basis, Method, NegotiationImpossible, Precheck};
use super::limits::Effect;
use super::negotiation::PARTIES;
use super::price::{Fixed, PriceOrigin, ReferencePrice, SourceResult, VALIDITY_MONTHS_MAX};
use super::{Command, Outcome, Stage, Transition, Valuation};
use crate::calendar::{Calendar, Period};
use crate::money::Money;

/// REF-1: the procedure starts within 30 days of the seizure.
pub const START_DAYS: u32 = 30;

/// Starts the procedure for a seized asset that must be sold (REF-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartValuation {
    pub asset: AssetFacts,
    /// The parties and interested persons, by the ids the engine uses ("applicant:12", "debtor:7"): reports are
    /// served on them (REF-27) and they may object (REF-28).
    pub recipients: Vec<String>,
}

/// REF-3: the court's findings before any method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordPrecheck {
    pub precheck: Precheck,
}

/// REF-4: a party refuses to negotiate or cannot be found, so negotiation is impossible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordNegotiationImpossible {
    pub reason: NegotiationImpossible,
}

/// REF-34: the grounds for suspending (暂缓) an inquiry or appraisal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ground", rename_all = "snake_case")]
pub enum SuspensionGround {
    /// (1) 暂缓执行
    ExecutionSuspended,
    /// (1) 中止执行
    ExecutionStayed,
    /// (2) the materials seriously contradict the facts and need re-investigation
    MaterialsContradictFacts,
    /// (3) other cases the court finds appropriate
    Other { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspend {
    pub ground: SuspensionGround,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Resume {}

/// REF-35: the grounds for withdrawing (撤回) the procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ground", rename_all = "snake_case")]
pub enum WithdrawalGround {
    /// (1) the applicant withdrew the execution application
    ApplicationWithdrawn,
    /// (2) the obligation has been fully performed
    ObligationPerformed,
    /// (3) the enforcement title was revoked or refused enforcement
    TitleRevokedOrRefused,
    /// (4) other cases
    Other { reason: String },
    /// ¶2 (may): after the inquiry or appraisal was ordered, the parties agreed a price; it becomes the reference
    /// price (REF-4).
    PartiesAgreedPrice { amount: Money, validity_months: u32 },
    /// ¶2 (may): after the inquiry or appraisal was ordered, the parties agreed not to sell the asset.
    PartiesAgreeNotToSell,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdraw {
    pub ground: WithdrawalGround,
}

/// REF-34: the suspended stage, kept whole, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub since: NaiveDate,
    pub ground: SuspensionGround,
    pub paused: Box<Stage>,
}

/// REF-35: the end of the procedure without a price. A dead end: nothing follows in this lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub on: NaiveDate,
    pub ground: WithdrawalGround,
    /// The method running when it was withdrawn, for the fees (REF-42, REF-43).
    pub running_method: Option<Method>,
}

impl Valuation {
    /// Starts the reference-price procedure (REF-1). The REF-1 node the engine created at the seizure is met.
    ///
    /// Checks, in order: an asset to be sold (`asset_not_for_sale`, REF-1); not before the seizure
    /// (`date_before_seizure`, REF-1); at least one recipient (`recipients_missing`, REF-27), each named once
    /// (`recipient_invalid`, REF-27).
    pub fn start(command: StartValuation, today: NaiveDate, calendar: &Calendar) -> Result<Transition, ValuationError> {
        if !command.asset.to_be_sold || !command.asset.kind.can_be_sold() {
            return Err(ValuationError::AssetNotForSale);
        }
        if today < command.asset.seizure_date {
            return Err(ValuationError::DateBeforeSeizure {
                seizure_date: command.asset.seizure_date,
            });
        }
        if command.recipients.is_empty() {
            return Err(ValuationError::RecipientsMissing);
        }
        for (index, recipient) in command.recipients.iter().enumerate() {
            if recipient.trim().is_empty() || command.recipients[..index].contains(recipient) {
                return Err(ValuationError::RecipientInvalid {
                    recipient: recipient.clone(),
                });
            }
        }
        let valuation = Valuation {
            asset: command.asset.clone(),
            recipients: command.recipients.clone(),
            started_on: today,
            last_event_on: today,
            precheck: None,
            failed_methods: Vec::new(),
            next_objection_id: 1,
            stage: Stage::ChoosingMethod,
            materials_out: Vec::new(),
        };
        let start_due = calendar.due_date(command.asset.seizure_date, Period::Days(START_DAYS));
        let mut draft = valuation.draft(today, Command::Start(command))?;
        draft.effect(Effect::MeetNodes { rule_id: "REF-1" });
        draft.outcome(Outcome::ProcedureStarted {
            start_due,
            late: today > start_due,
        });
        Ok(draft.finish(valuation))
    }

    /// REF-3: records (or amends) the pre-check.
    ///
    /// Checks, in order: the date; choosing a method (`out_of_order`, REF-3: the pre-check comes before the
    /// methods); every finding given (`precheck_incomplete`, REF-3).
    pub fn record_precheck(
        mut self,
        command: RecordPrecheck,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let draft = self.draft(today, Command::RecordPrecheck(command.clone()))?;
        self.expect_choosing_method_rule("record_precheck", "REF-3")?;
        if let Some(field) = command.precheck.first_missing() {
            return Err(ValuationError::PrecheckIncomplete { field });
        }
        self.precheck = Some(command.precheck);
        Ok(draft.finish(self))
    }

    /// REF-4: negotiation is impossible; the next method may follow.
    ///
    /// Checks, in order: the date; choosing a method (`out_of_order`, REF-37); negotiation not tried yet
    /// (`method_already_tried`, REF-37).
    pub fn record_negotiation_impossible(
        mut self,
        command: RecordNegotiationImpossible,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::RecordNegotiationImpossible(command.clone()))?;
        self.expect_choosing_method("record_negotiation_impossible")?;
        if !self.failed_methods.is_empty() {
            return Err(ValuationError::MethodAlreadyTried {
                method: Method::Negotiation,
            });
        }
        let reason = match command.reason {
            NegotiationImpossible::PartyRefuses => super::facts::FailureReason::PartyRefuses,
            NegotiationImpossible::PartyMissing => super::facts::FailureReason::PartyMissing,
        };
        self.fail_method(Method::Negotiation, reason, today, &mut draft);
        Ok(draft.finish(self))
    }

    pub(crate) fn expect_choosing_method(&self, command: &'static str) -> Result<(), ValuationError> {
        self.expect_choosing_method_rule(command, "REF-37")
    }

    fn expect_choosing_method_rule(&self, command: &'static str, rule: &'static str) -> Result<(), ValuationError> {
        match &self.stage {
            Stage::ChoosingMethod => Ok(()),
            Stage::Negotiation(_)
            | Stage::DirectedInquiry(_)
            | Stage::OnlineInquiry(_)
            | Stage::Appraisal(_)
            | Stage::Suspended(_)
            | Stage::Fixed(_)
            | Stage::Withdrawn(_) => Err(ValuationError::out_of_order(command, self.stage.name(), rule)),
        }
    }

    fn tried(&self, method: Method) -> bool {
        self.failed_methods.iter().any(|failed| failed.method == method)
    }

    /// Whether `method` may be opened now, by REF-3, REF-17 and REF-37. Checks, in order: the pre-check recorded
    /// (`precheck_missing`, REF-3); the method not tried already (`method_already_tried`, REF-37); appraisal when
    /// the law requires it (`appraisal_required_by_law`, REF-17); the method applies to the asset
    /// (`method_not_applicable`, REF-6 / REF-8); no later method tried already, and, unless both parties asked for
    /// it, every earlier applicable method failed (`method_out_of_order`, REF-37).
    pub fn check_method_allowed(&self, method: Method, basis: Basis) -> Result<(), ValuationError> {
        if self.precheck.is_none() {
            return Err(ValuationError::PrecheckMissing);
        }
        if self.tried(method) {
            return Err(ValuationError::MethodAlreadyTried { method });
        }
        if self.asset.appraisal_required_by_law {
            return match method {
                Method::Appraisal => Ok(()),
                Method::Negotiation | Method::DirectedInquiry | Method::OnlineInquiry => {
                    Err(ValuationError::AppraisalRequiredByLaw { method })
                }
            };
        }
        if !method.applies_to(&self.asset) {
            return Err(ValuationError::MethodNotApplicable {
                method,
                rule: method.applicability_rule(),
            });
        }
        if let Some(later) = Method::ALL.into_iter().find(|other| *other > method && self.tried(*other)) {
            return Err(ValuationError::MethodOutOfOrder {
                method: later,
                earlier: method,
            });
        }
        // A joint request skips the earlier methods (REF-6 ¶2, REF-8, REF-17); negotiation comes first anyway.
        if basis == Basis::JointRequest {
            return Ok(());
        }
        // An earlier method that was skipped by a joint request (some method after it was tried) stays skipped: after
        // a joint request straight to online inquiry, its failure leads to appraisal (REF-17) without negotiating.
        let last_tried = self.failed_methods.iter().map(|failed| failed.method).max();
        let pending = Method::ALL
            .into_iter()
            .filter(|earlier| *earlier < method && Some(*earlier) > last_tried)
            .find(|earlier| earlier.applies_to(&self.asset) && !self.tried(*earlier));
        match pending {
            Some(earlier) => Err(ValuationError::MethodOutOfOrder { method, earlier }),
            None => Ok(()),
        }
    }

    /// The methods that may be opened now by fall-through (REF-37), for the staff pages.
    pub fn next_methods(&self) -> Vec<Method> {
        match &self.stage {
            Stage::ChoosingMethod => Method::ALL
                .into_iter()
                .filter(|method| self.check_method_allowed(*method, Basis::FallThrough).is_ok())
                .collect(),
            Stage::Negotiation(_)
            | Stage::DirectedInquiry(_)
            | Stage::OnlineInquiry(_)
            | Stage::Appraisal(_)
            | Stage::Suspended(_)
            | Stage::Fixed(_)
            | Stage::Withdrawn(_) => Vec::new(),
        }
    }

    /// REF-34: suspends the procedure; every running deadline pauses.
    ///
    /// Checks, in order: the date; a procedure that is running, not fixed, suspended or withdrawn
    /// (`out_of_order`, REF-34); a reason for an "other" ground (`name_missing`, REF-34).
    pub fn suspend(mut self, command: Suspend, today: NaiveDate, _calendar: &Calendar) -> Result<Transition, ValuationError> {
        let draft = self.draft(today, Command::Suspend(command.clone()))?;
        match &self.stage {
            Stage::ChoosingMethod | Stage::Negotiation(_) | Stage::DirectedInquiry(_) | Stage::OnlineInquiry(_) | Stage::Appraisal(_) => {}
            Stage::Suspended(_) | Stage::Fixed(_) | Stage::Withdrawn(_) => {
                return Err(ValuationError::out_of_order("suspend", self.stage.name(), "REF-34"))
            }
        }
        if let SuspensionGround::Other { reason } = &command.ground {
            if reason.trim().is_empty() {
                return Err(ValuationError::NameMissing {
                    field: "reason",
                    rule: "REF-34",
                });
            }
        }
        let paused = std::mem::replace(&mut self.stage, Stage::ChoosingMethod);
        self.stage = Stage::Suspended(Suspension {
            since: today,
            ground: command.ground,
            paused: Box::new(paused),
        });
        Ok(draft.finish(self))
    }

    /// REF-34: resumes the procedure. Every deadline that was running is lengthened by the days of the suspension
    /// (REF-22 for the appraisal report; for the others, DESIGN: a suspended procedure's clocks stop, PER-8).
    ///
    /// Checks, in order: the date; suspended (`out_of_order`, REF-34).
    pub fn resume(mut self, command: Resume, today: NaiveDate, calendar: &Calendar) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::Resume(command))?;
        let stage = self.stage.name();
        let Stage::Suspended(suspension) = std::mem::replace(&mut self.stage, Stage::ChoosingMethod) else {
            return Err(ValuationError::out_of_order("resume", stage, "REF-34"));
        };
        let paused_days = u32::try_from((today - suspension.since).num_days()).unwrap_or(0);
        let mut resumed = *suspension.paused;
        resumed.for_each_open_limit(&mut |limit| limit.extend(paused_days, calendar));
        super::review::extend_objection_periods(&mut resumed, suspension.since, paused_days, calendar);
        self.stage = resumed;
        draft.resumed(paused_days);
        draft.outcome(Outcome::Resumed { paused_days });
        Ok(draft.finish(self))
    }

    /// REF-35: withdraws the procedure; every running deadline is cancelled. When the parties agreed a price after
    /// the inquiry or appraisal was ordered, that price becomes the reference price instead.
    ///
    /// Checks, in order: the date; not withdrawn already (`out_of_order`, REF-35); a discretionary ground only
    /// during an online inquiry or an appraisal (`withdrawal_ground_not_applicable`, REF-35); a reason for an
    /// "other" ground (`name_missing`, REF-35); an agreed price above zero (`amount_not_positive`, REF-35) with a
    /// validity of 1 to 12 months (`validity_out_of_range`, REF-33).
    pub fn withdraw(mut self, command: Withdraw, today: NaiveDate, calendar: &Calendar) -> Result<Transition, ValuationError> {
        let mut draft = self.draft(today, Command::Withdraw(command.clone()))?;
        let running = running_method(&self.stage);
        if let Stage::Withdrawn(_) = &self.stage {
            return Err(ValuationError::out_of_order("withdraw", self.stage.name(), "REF-35"));
        }
        let inquiry_or_appraisal =
            matches!(running, Some(Method::OnlineInquiry | Method::Appraisal)) && !matches!(self.stage, Stage::Fixed(_));
        match &command.ground {
            WithdrawalGround::PartiesAgreedPrice { .. } | WithdrawalGround::PartiesAgreeNotToSell if !inquiry_or_appraisal => {
                return Err(ValuationError::WithdrawalGroundNotApplicable)
            }
            WithdrawalGround::Other { reason } if reason.trim().is_empty() => {
                return Err(ValuationError::NameMissing {
                    field: "reason",
                    rule: "REF-35",
                })
            }
            WithdrawalGround::PartiesAgreedPrice { amount, .. } if amount.fen() <= 0 => {
                return Err(ValuationError::AmountNotPositive { rule: "REF-35" })
            }
            WithdrawalGround::PartiesAgreedPrice { validity_months, .. } if !(1..=VALIDITY_MONTHS_MAX).contains(validity_months) => {
                return Err(ValuationError::ValidityOutOfRange { months: *validity_months })
            }
            _ => {}
        }
        if let (WithdrawalGround::PartiesAgreedPrice { amount, validity_months }, Some(method)) = (&command.ground, running) {
            let result = SourceResult {
                source: PARTIES.to_string(),
                amount: *amount,
                reported_on: today,
                validity_months: *validity_months,
            };
            if let Some(price) = ReferencePrice::from_results(Method::Negotiation, vec![result], today, false, calendar) {
                draft.price_fixed(&price);
                let origin = PriceOrigin::AgreedDuringProcedure { withdrawn_method: method };
                self.stage = Stage::Fixed(Box::new(Fixed::new(price, origin, today, calendar)));
                return Ok(draft.finish(self));
            }
        }
        self.stage = Stage::Withdrawn(Withdrawal {
            on: today,
            ground: command.ground,
            running_method: running,
        });
        Ok(draft.finish(self))
    }
}

/// The method at work in a stage (looking through a suspension), if any.
fn running_method(stage: &Stage) -> Option<Method> {
    match stage {
        Stage::ChoosingMethod | Stage::Withdrawn(_) => None,
        Stage::Negotiation(_) => Some(Method::Negotiation),
        Stage::DirectedInquiry(_) => Some(Method::DirectedInquiry),
        Stage::OnlineInquiry(_) => Some(Method::OnlineInquiry),
        Stage::Appraisal(_) => Some(Method::Appraisal),
        Stage::Suspended(suspension) => running_method(&suspension.paused),
        Stage::Fixed(fixed) => Some(fixed.price.method),
    }
}
