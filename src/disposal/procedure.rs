//! The disposal as a whole: its start (REF-36), suspension and stay (AUC-18, AUC-19), stopping it (TRAD-11,
//! TRAD-12), and the ends after a failed sell-off (SELL-7).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::DisposalError;
use super::limits::{LimitKind, TimeLimit};
use super::plan::{check_bidding_window, BiddingWindow, NoSurplus};
use super::{require_name, Command, Disposal, DisposalConfig, FundsSource, Outcome, Round, Signal, Stage, Transition};
use crate::calendar::{Calendar, Period};
use crate::clock::local_date;
use crate::money::Money;
use crate::registry::AssetKind;
use crate::valuation::Audience;

/// AUC-18: the auction resumes within 5 days after the suspension's term or cause ended.
pub const RESUME_DAYS: u32 = 5;

/// Starts the disposal of a priced asset (REF-36). The engine passes the facts of the case and of the fixed
/// reference price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartDisposal {
    pub asset_kind: AssetKind,
    pub reference_price: Money,
    /// REF-33: the first announcement comes by this date …
    pub validity_ends_on: NaiveDate,
    /// … and the auction or sell-off by this one.
    pub grace_ends_on: NaiveDate,
    pub applicant: String,
    pub debtor: String,
    /// Other parties and interested persons to notify of each round (AUC-7), besides the applicant and the debtor.
    pub other_parties: Vec<String>,
    pub outstanding_claim: Money,
    pub priority_claims: Money,
    pub execution_costs: Money,
    /// The case's collection account (FUND-1).
    pub collection_account: String,
    pub high_value_or_complex: bool,
    pub purchase_restricted: bool,
    #[serde(default)]
    pub config: DisposalConfig,
}

/// A round is to be decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preparing {
    pub round: Round,
    /// AUC-14: buyers who defaulted may not bid in the resale.
    pub excluded_bidders: Vec<String>,
    /// The running deadline to announce: AUC-16 after a failed first round, SELF-4 after a lapsed self-disposal.
    pub announce_by: Option<TimeLimit>,
}

impl Preparing {
    pub fn first() -> Self {
        Preparing {
            round: Round::FIRST,
            excluded_bidders: Vec::new(),
            announce_by: None,
        }
    }
}

/// 暂缓 (postponement, decided) or 中止 (stay, ruled) (AUC-18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionKind {
    Postponed,
    Stayed,
}

/// AUC-18, AUC-19: suspend or stay the disposal; every running deadline pauses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspend {
    pub kind: SuspensionKind,
    /// The ground, as the court's decision states it (it is published on the platform, AUC-18).
    pub ground: String,
}

/// AUC-18: the suspension's term expired or its cause ended; the auction must resume within 5 days.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EndSuspensionCause {}

/// AUC-18: resume. A suspended bidding gets a new window.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Resume {
    pub bidding: Option<BiddingWindow>,
}

/// The suspended stage, kept whole, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub since: NaiveDate,
    pub kind: SuspensionKind,
    pub ground: String,
    pub cause_ended_on: Option<NaiveDate>,
    /// AUC-18: resume within 5 days of the cause ending; runs while the rest is paused.
    pub resume_by: Option<TimeLimit>,
    pub paused: Box<Stage>,
}

/// TRAD-12: before the bidding day the debtor paid the full amount and asks to stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopOnDebtorPayment {
    pub amount: Money,
    pub account: String,
    pub bank_reference: String,
}

/// TRAD-11: the case's other assets already cover the claim and the costs; this disposal stops.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StopClaimCovered {}

/// SELL-7 (民诉法解释 art 490): the applicant takes the unsold asset to manage it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandOverForManagement {
    pub applicant_consents: bool,
}

/// Why the seizure is released and the asset returned to the debtor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseGround {
    /// SELL-7: no buyer in the sell-off, and no creditor takes it in payment or for management.
    NoBuyerAfterSellOff,
    /// TRAD-2: nothing would be left for the applicant, and the applicant did not ask to go on within 5 days.
    NoSurplusNotPursued,
}

/// Release the seizure and return the asset to the debtor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub ground: ReleaseGround,
}

/// How the disposal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminalKind {
    /// Sold or taken in payment, and handed over (TRAD-9).
    HandedOver,
    /// The debtor's self-disposal was paid in full into the case account (SELF-4).
    SelfDisposed,
    /// TRAD-12.
    StoppedDebtorPaid,
    /// TRAD-11.
    StoppedClaimCovered,
    /// SELL-7 / TRAD-2.
    Released,
    /// SELL-7 (民诉法解释 art 490).
    ManagedByApplicant,
}

/// The end of the disposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terminal {
    pub on: NaiveDate,
    pub kind: TerminalKind,
}

impl Disposal {
    /// Starts the disposal (REF-36). The start meets nothing yet: the valuation's REF-36 node is met when the first
    /// announcement is published or the self-disposal is approved (`Signal::DisposalStarted`).
    ///
    /// Checks, in order: an asset that is sold (`asset_not_for_sale`, REF-36); the names (`name_missing`,
    /// `name_repeated`, DESIGN / FUND-1); a reference price above zero (`amount_not_positive`, REF-36); the validity
    /// dates in order and not passed (`reference_price_dates_invalid`, `reference_price_expired`, REF-33).
    pub fn start(command: StartDisposal, today: NaiveDate, _calendar: &Calendar) -> Result<Transition, DisposalError> {
        if !command.asset_kind.can_be_sold() {
            return Err(DisposalError::AssetNotForSale);
        }
        require_name(&command.applicant, "applicant", "DESIGN")?;
        require_name(&command.debtor, "debtor", "DESIGN")?;
        require_name(&command.collection_account, "collection_account", "FUND-1")?;
        let mut parties = vec![command.applicant.trim().to_string(), command.debtor.trim().to_string()];
        for party in &command.other_parties {
            require_name(party, "other_parties", "AUC-7")?;
            if parties.iter().any(|known| known == party.trim()) {
                return Err(DisposalError::NameRepeated {
                    field: "parties",
                    name: party.clone(),
                    rule: "AUC-7",
                });
            }
            parties.push(party.trim().to_string());
        }
        if parties[0] == parties[1] {
            return Err(DisposalError::NameRepeated {
                field: "parties",
                name: parties[0].clone(),
                rule: "AUC-7",
            });
        }
        if command.reference_price.fen() <= 0 {
            return Err(DisposalError::AmountNotPositive {
                field: "reference_price",
                rule: "REF-36",
            });
        }
        if command.grace_ends_on < command.validity_ends_on {
            return Err(DisposalError::ReferencePriceDatesInvalid {
                validity_ends_on: command.validity_ends_on,
                grace_ends_on: command.grace_ends_on,
            });
        }
        if today > command.validity_ends_on {
            return Err(DisposalError::ReferencePriceExpired {
                validity_ends_on: command.validity_ends_on,
            });
        }
        let disposal = Disposal {
            asset_kind: command.asset_kind,
            reference_price: command.reference_price,
            validity_ends_on: command.validity_ends_on,
            grace_ends_on: command.grace_ends_on,
            applicant: parties[0].clone(),
            debtor: parties[1].clone(),
            parties,
            outstanding_claim: command.outstanding_claim,
            priority_claims: command.priority_claims,
            execution_costs: command.execution_costs,
            collection_account: command.collection_account.trim().to_string(),
            high_value_or_complex: command.high_value_or_complex,
            purchase_restricted: command.purchase_restricted,
            config: command.config.clone(),
            started_on: today,
            last_event_on: today,
            disposal_started_on: None,
            sale_started_on: None,
            rounds: Vec::new(),
            self_disposal_tried: false,
            deposit_refund: None,
            forfeits: Vec::new(),
            buyer_refunds: Vec::new(),
            stage: Stage::Preparing(Preparing::first()),
        };
        let draft = disposal.draft(today, Command::Start(command))?;
        Ok(draft.finish(disposal))
    }

    /// AUC-18, AUC-19: suspends (暂缓) or stays (中止) the disposal; every running deadline pauses.
    ///
    /// Checks, in order: the date; a running disposal, not suspended or ended (`out_of_order`, AUC-18); a ground
    /// (`name_missing`, AUC-18).
    pub fn suspend(mut self, command: Suspend, today: NaiveDate, _calendar: &Calendar) -> Result<Transition, DisposalError> {
        let draft = self.draft(today, Command::Suspend(command.clone()))?;
        match &self.stage {
            Stage::Preparing(_)
            | Stage::Planned(_)
            | Stage::Announced(_)
            | Stage::SecondRoundFailed(_)
            | Stage::SellOff(_)
            | Stage::SellOffFailed(_)
            | Stage::SellOffResale(_)
            | Stage::Settlement(_)
            | Stage::SelfDisposalApplied(_)
            | Stage::SelfDisposal(_) => {}
            Stage::Suspended(_) | Stage::Ended(_) => return Err(DisposalError::out_of_order("suspend", self.stage.name(), "AUC-18")),
        }
        require_name(&command.ground, "ground", "AUC-18")?;
        let paused = std::mem::replace(&mut self.stage, Stage::Preparing(Preparing::first()));
        self.stage = Stage::Suspended(Suspension {
            since: today,
            kind: command.kind,
            ground: command.ground,
            cause_ended_on: None,
            resume_by: None,
            paused: Box::new(paused),
        });
        Ok(draft.finish(self))
    }

    /// AUC-18: the term or the cause of the suspension ended today; the auction must resume within 5 days.
    ///
    /// Checks, in order: the date; suspended (`out_of_order`, AUC-18); not recorded already
    /// (`suspension_cause_already_ended`, AUC-18).
    pub fn end_suspension_cause(
        mut self,
        command: EndSuspensionCause,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::EndSuspensionCause(command))?;
        let stage = self.stage.name();
        let Stage::Suspended(suspension) = &mut self.stage else {
            return Err(DisposalError::out_of_order("end_suspension_cause", stage, "AUC-18"));
        };
        if let Some(on) = suspension.cause_ended_on {
            return Err(DisposalError::SuspensionCauseAlreadyEnded { on });
        }
        suspension.cause_ended_on = Some(today);
        let limit = TimeLimit::start(LimitKind::ResumeAuction, None, today, Period::Days(RESUME_DAYS), calendar);
        draft.notify(Audience::Judge, "AUC-18", format!("resume the auction by {}", limit.due_date));
        suspension.resume_by = Some(limit);
        Ok(draft.finish(self))
    }

    /// AUC-18: resumes. Every deadline that was running is lengthened by the days of the suspension (PER-8, DESIGN:
    /// a suspended auction's clocks stop); a suspended bidding gets its new window.
    ///
    /// Checks, in order: the date; suspended (`out_of_order`, AUC-18); a new window only for an announced round
    /// (`out_of_order`, AUC-18), starting today or later (`bidding_window_in_past`, AUC-18), of at least 24 hours
    /// (`bidding_too_short`, AUC-11), within the grace (`reference_price_grace_passed`, REF-33).
    pub fn resume(mut self, command: Resume, today: NaiveDate, calendar: &Calendar) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::Resume(command.clone()))?;
        let stage = self.stage.name();
        let Stage::Suspended(suspension) = &self.stage else {
            return Err(DisposalError::out_of_order("resume", stage, "AUC-18"));
        };
        if let Some(bidding) = &command.bidding {
            if !matches!(*suspension.paused, Stage::Announced(_)) {
                return Err(DisposalError::out_of_order("resume", suspension.paused.name(), "AUC-18"));
            }
            if local_date(bidding.starts_at) < today {
                return Err(DisposalError::BiddingWindowInPast);
            }
            check_bidding_window(bidding)?;
            if local_date(bidding.starts_at) > self.grace_ends_on {
                return Err(DisposalError::ReferencePriceGracePassed {
                    grace_ends_on: self.grace_ends_on,
                    starts_on: local_date(bidding.starts_at),
                });
            }
        }
        let Stage::Suspended(suspension) = std::mem::replace(&mut self.stage, Stage::Preparing(Preparing::first())) else {
            unreachable!("checked above");
        };
        let paused_days = u32::try_from((today - suspension.since).num_days()).unwrap_or(0);
        let mut resumed = *suspension.paused;
        resumed.for_each_open_limit(&mut |limit| limit.extend(paused_days, calendar));
        if let Stage::Planned(planned) = &mut resumed {
            if let Some(NoSurplus {
                request_by: Some(limit),
                request_due,
                ..
            }) = &mut planned.no_surplus
            {
                *request_due = limit.due_date;
            }
        }
        if let (Stage::Announced(announced), Some(bidding)) = (&mut resumed, command.bidding) {
            announced.plan.schedule.bidding = bidding;
            if let Some(published) = self.rounds.last_mut() {
                published.plan.schedule.bidding = bidding;
            }
        }
        if let Some(limit) = &suspension.resume_by {
            draft.meet(limit.key());
        }
        self.stage = resumed;
        draft.resumed(paused_days);
        draft.outcome(Outcome::Resumed { paused_days });
        Ok(draft.finish(self))
    }

    /// TRAD-12: before the bidding day the debtor paid the full amount and asked to stop; the court agrees (the
    /// debtor bears the costs already incurred). The payment is received into the case account.
    ///
    /// Checks, in order: the date; before any bidding took place (`out_of_order`, TRAD-12), before the bidding day of
    /// an announced round (`bidding_already_started`, TRAD-12); the case account (`account_not_case_account`,
    /// FUND-1); a bank reference (`name_missing`, FUND-1); the outstanding claim covered
    /// (`debtor_payment_insufficient`, TRAD-12).
    pub fn stop_on_debtor_payment(
        mut self,
        command: StopOnDebtorPayment,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::StopOnDebtorPayment(command.clone()))?;
        match &self.stage {
            Stage::Preparing(_) | Stage::Planned(_) => {}
            Stage::Announced(announced) => {
                let bidding_started_on = local_date(announced.plan.schedule.bidding.starts_at);
                if today >= bidding_started_on {
                    return Err(DisposalError::BiddingAlreadyStarted { bidding_started_on });
                }
            }
            Stage::SecondRoundFailed(_)
            | Stage::SellOff(_)
            | Stage::SellOffFailed(_)
            | Stage::SellOffResale(_)
            | Stage::Settlement(_)
            | Stage::SelfDisposalApplied(_)
            | Stage::SelfDisposal(_)
            | Stage::Suspended(_)
            | Stage::Ended(_) => return Err(DisposalError::out_of_order("stop_on_debtor_payment", self.stage.name(), "TRAD-12")),
        }
        self.check_account(&command.account)?;
        require_name(&command.bank_reference, "bank_reference", "FUND-1")?;
        if command.amount < self.outstanding_claim || command.amount.fen() <= 0 {
            return Err(DisposalError::DebtorPaymentInsufficient {
                amount: command.amount,
                outstanding_claim: self.outstanding_claim,
            });
        }
        draft.signal(Signal::FundsReceived {
            source: FundsSource::DebtorPayment,
            amount: command.amount,
            bank_reference: command.bank_reference.trim().to_string(),
            on: today,
        });
        self.end(TerminalKind::StoppedDebtorPaid, today, &mut draft);
        Ok(draft.finish(self))
    }

    /// TRAD-11: the engine found that the case's other assets already cover the claim and the costs; this asset's
    /// disposal stops before its sale.
    ///
    /// Checks, in order: the date; not sold, taken or ended (`out_of_order`, TRAD-11).
    pub fn stop_claim_covered(
        mut self,
        command: StopClaimCovered,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::StopClaimCovered(command))?;
        match &self.stage {
            Stage::Preparing(_)
            | Stage::Planned(_)
            | Stage::Announced(_)
            | Stage::SecondRoundFailed(_)
            | Stage::SellOff(_)
            | Stage::SellOffFailed(_)
            | Stage::SellOffResale(_)
            | Stage::SelfDisposalApplied(_)
            | Stage::SelfDisposal(_)
            | Stage::Suspended(_) => {}
            Stage::Settlement(_) | Stage::Ended(_) => {
                return Err(DisposalError::out_of_order("stop_claim_covered", self.stage.name(), "TRAD-11"))
            }
        }
        self.end(TerminalKind::StoppedClaimCovered, today, &mut draft);
        Ok(draft.finish(self))
    }

    /// SELL-7 (民诉法解释 art 490): the unsold asset is handed to the applicant to manage.
    ///
    /// Checks, in order: the date; the sell-off failed (`out_of_order`, SELL-7); the applicant consents
    /// (`management_consent_missing`, SELL-7).
    pub fn hand_over_for_management(
        mut self,
        command: HandOverForManagement,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::HandOverForManagement(command.clone()))?;
        let Stage::SellOffFailed(_) = &self.stage else {
            return Err(DisposalError::out_of_order("hand_over_for_management", self.stage.name(), "SELL-7"));
        };
        if !command.applicant_consents {
            return Err(DisposalError::ManagementConsentMissing);
        }
        self.end(TerminalKind::ManagedByApplicant, today, &mut draft);
        Ok(draft.finish(self))
    }

    /// Releases the seizure and returns the asset to the debtor: after a failed sell-off (SELL-7), or when nothing
    /// would be left for the applicant and it did not ask to go on in time (TRAD-2).
    ///
    /// Checks, in order: the date; a ground that applies to the stage (`release_ground_not_applicable`, SELL-7 or
    /// TRAD-2).
    pub fn release(mut self, command: Release, today: NaiveDate, _calendar: &Calendar) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::Release(command.clone()))?;
        let applies = match (&command.ground, &self.stage) {
            (ReleaseGround::NoBuyerAfterSellOff, Stage::SellOffFailed(_)) => true,
            (ReleaseGround::NoSurplusNotPursued, Stage::Planned(planned)) => planned
                .no_surplus
                .as_ref()
                .is_some_and(|no_surplus| no_surplus.requested_on.is_none() && today > no_surplus.request_due),
            (ReleaseGround::NoBuyerAfterSellOff | ReleaseGround::NoSurplusNotPursued, _) => false,
        };
        if !applies {
            let rule = match command.ground {
                ReleaseGround::NoBuyerAfterSellOff => "SELL-7",
                ReleaseGround::NoSurplusNotPursued => "TRAD-2",
            };
            return Err(DisposalError::ReleaseGroundNotApplicable { rule });
        }
        draft.signal(Signal::Released { on: today });
        self.end(TerminalKind::Released, today, &mut draft);
        Ok(draft.finish(self))
    }

    /// Ends the disposal: every open limit of the stage is cancelled (a met one is met by its caller first). A
    /// forfeited deposit still waiting is allocated now: the asset is not sold again, so there is no resale
    /// shortfall (AUC-14; DESIGN, see `auction`).
    pub(crate) fn end(&mut self, kind: TerminalKind, today: NaiveDate, draft: &mut super::Draft) {
        self.allocate_forfeits(None, today, draft);
        draft.outcome(Outcome::Ended { kind });
        self.stage = Stage::Ended(Terminal { on: today, kind });
    }
}
