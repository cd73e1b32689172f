//! The distribution plan and its objections (分配方案异议, FUND-12; 民诉法解释 arts 509–510).
//!
//! ```text
//! draw_up → serving: record_service per party opens its 15-day objection window (ledger.plan.objection:<party>)
//!   file_objection (within the objector's window, else objection_after_deadline)
//!     → filed → notify_objection: the others have 15 days to counter-object (ledger.plan.counter_objection:<id>)
//!         close_counter_period, none → upheld: the plan is revised as the objection asks (revise_plan)
//!         close_counter_period, some → awaiting notice → notify_objector: 15 days to sue (ledger.plan.suit:<id>)
//!             record_suit → suit pending: the disputed amount is held (hold_disputed) and the rest is paid
//!                 record_judgment → decided: the hold is released, the plan revised if the judgment says so
//!             close_suit_period, no suit → lapsed: the original plan is carried out
//! close_objection_period (every window over) → closed → carry_out (every objection settled) → carried out
//! ```
//!
//! Each objection runs its own chain; the plan's stage only says whether new objections can still come. While any
//! objection is unsettled, `payable_now` withholds the shares it disputes and releases the rest (item 22 of the 2021
//! opinion: "有争议的，要及时发放无争议部分案款").
//!
//! PER-7: a `filed_on` date is the postmark date of a posted filing, or the date the court received it.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::accounts::CaseId;
use super::distribution::Distribution;
use super::error::LedgerError;
use super::journal;
use super::limits::{LedgerLimit, LedgerLimitKind};
use super::{Draft, Outcome, Transition};
use crate::calendar::{Calendar, Period};
use crate::money::Money;
use crate::valuation::Audience;

/// FUND-12: each of the three periods is 15 days (民诉法解释 arts 509–510).
pub const FUND_12_PERIOD_DAYS: u32 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// 债权人
    Creditor,
    /// 被执行人
    Debtor,
}

/// A creditor or the debtor, on whom the plan is served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanParty {
    pub name: String,
    pub role: PartyRole,
    /// The day the party received the plan (送达); its objection window runs 15 days from it.
    pub received_on: Option<NaiveDate>,
    pub objection_window: Option<LedgerLimit>,
}

/// A share an objection disputes, and by how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputedShare {
    pub claimant: String,
    pub amount: Money,
}

/// Where one objection stands. Adding a variant breaks every match that must decide about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ObjectionStatus {
    /// Filed; the court is to notify the other parties.
    Filed,
    /// The others were notified; they may counter-object until the window ends.
    AwaitingCounter {
        window: LedgerLimit,
        counter_objectors: Vec<String>,
    },
    /// Counter-objections came; the court is to notify the objector.
    AwaitingCounterNotice { counter_objectors: Vec<String> },
    /// The objector may sue the counter-objectors until the window ends.
    AwaitingSuit {
        counter_objectors: Vec<String>,
        window: LedgerLimit,
    },
    /// No counter-objection: the plan is to be revised as the objection asks (`revised` once it is).
    Upheld { revised: bool },
    /// No suit in time: the original plan is carried out as to this objection.
    Lapsed,
    /// 分配方案异议之诉 pending: the disputed amount is held (民诉法解释 art 510 ¶3).
    SuitPending {
        counter_objectors: Vec<String>,
        filed_on: NaiveDate,
    },
    /// The suit is decided; the hold is released.
    Decided {
        filed_on: NaiveDate,
        decided_on: NaiveDate,
        plan_revised: bool,
    },
}

impl ObjectionStatus {
    pub fn name(&self) -> &'static str {
        match self {
            ObjectionStatus::Filed => "filed",
            ObjectionStatus::AwaitingCounter { .. } => "awaiting_counter",
            ObjectionStatus::AwaitingCounterNotice { .. } => "awaiting_counter_notice",
            ObjectionStatus::AwaitingSuit { .. } => "awaiting_suit",
            ObjectionStatus::Upheld { .. } => "upheld",
            ObjectionStatus::Lapsed => "lapsed",
            ObjectionStatus::SuitPending { .. } => "suit_pending",
            ObjectionStatus::Decided { .. } => "decided",
        }
    }

    /// Whether the objection no longer holds anything back.
    pub fn is_settled(&self) -> bool {
        match self {
            ObjectionStatus::Upheld { revised } => *revised,
            ObjectionStatus::Lapsed | ObjectionStatus::Decided { .. } => true,
            ObjectionStatus::Filed
            | ObjectionStatus::AwaitingCounter { .. }
            | ObjectionStatus::AwaitingCounterNotice { .. }
            | ObjectionStatus::AwaitingSuit { .. }
            | ObjectionStatus::SuitPending { .. } => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub id: u32,
    pub objector: String,
    pub filed_on: NaiveDate,
    pub disputed: Vec<DisputedShare>,
    pub status: ObjectionStatus,
}

impl Objection {
    pub fn disputed_total(&self) -> Money {
        Money::from_fen(self.disputed.iter().map(|share| share.amount.fen()).sum())
    }
}

/// Where the plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStage {
    /// Being served; objection windows are running.
    Serving,
    /// Every objection window is over; objections already filed run their course.
    Closed,
    /// Every objection is settled; the plan (as revised) is carried out.
    CarriedOut,
}

impl PlanStage {
    pub fn name(self) -> &'static str {
        match self {
            PlanStage::Serving => "serving",
            PlanStage::Closed => "closed",
            PlanStage::CarriedOut => "carried_out",
        }
    }
}

/// The distribution plan of one case's proceeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionPlan {
    pub case_id: CaseId,
    pub distribution: Distribution,
    pub parties: Vec<PlanParty>,
    pub objections: Vec<Objection>,
    pub drawn_up_on: NaiveDate,
    pub last_event_on: NaiveDate,
    pub stage: PlanStage,
}

/// One share as it can be paid now: the plan's amount less what unsettled objections withhold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayableShare {
    pub claimant: String,
    pub payable: Money,
    pub withheld: Money,
}

/// The commands of the plan, as the engine receives them and the audit log records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum PlanCommand {
    RecordService {
        party: String,
        received_on: NaiveDate,
    },
    FileObjection {
        objector: String,
        filed_on: NaiveDate,
        disputed: Vec<DisputedShare>,
    },
    NotifyObjection {
        objection: u32,
        notified_on: NaiveDate,
    },
    FileCounterObjection {
        objection: u32,
        party: String,
        filed_on: NaiveDate,
    },
    CloseCounterPeriod {
        objection: u32,
    },
    NotifyObjector {
        objection: u32,
        notified_on: NaiveDate,
    },
    RecordSuit {
        objection: u32,
        filed_on: NaiveDate,
    },
    CloseSuitPeriod {
        objection: u32,
    },
    RecordJudgment {
        objection: u32,
        revised: Option<Distribution>,
    },
    RevisePlan {
        revised: Distribution,
    },
    CloseObjectionPeriod,
    CarryOut,
}

impl DistributionPlan {
    /// Draws up the plan to serve on the creditors and the debtor. Checks: every party named once
    /// (`name_missing`, `party_listed_twice`), the debtor and at least one creditor (`plan_parties_missing`).
    pub fn draw_up(
        case_id: CaseId,
        distribution: Distribution,
        parties: Vec<(String, PartyRole)>,
        today: NaiveDate,
    ) -> Result<Self, LedgerError> {
        let mut seen = BTreeSet::new();
        for (name, _) in &parties {
            if name.trim().is_empty() {
                return Err(LedgerError::NameMissing {
                    field: "party",
                    rule: "FUND-12",
                });
            }
            if !seen.insert(name.clone()) {
                return Err(LedgerError::PartyListedTwice { party: name.clone() });
            }
        }
        let has = |role: PartyRole| parties.iter().any(|(_, party_role)| *party_role == role);
        if !has(PartyRole::Debtor) || !has(PartyRole::Creditor) {
            return Err(LedgerError::PlanPartiesMissing);
        }
        Ok(DistributionPlan {
            case_id,
            distribution,
            parties: parties
                .into_iter()
                .map(|(name, role)| PlanParty {
                    name,
                    role,
                    received_on: None,
                    objection_window: None,
                })
                .collect(),
            objections: Vec::new(),
            drawn_up_on: today,
            last_event_on: today,
            stage: PlanStage::Serving,
        })
    }

    /// The time limits the plan is waiting on: the objection windows of served parties who have not objected while
    /// the plan is being served, and each objection's counter-objection or suit window.
    pub fn open_limits(&self) -> Vec<LedgerLimit> {
        let mut limits = Vec::new();
        match self.stage {
            PlanStage::Serving => {
                for party in &self.parties {
                    let objected = self.objections.iter().any(|objection| objection.objector == party.name);
                    if let (Some(window), false) = (&party.objection_window, objected) {
                        limits.push(window.clone());
                    }
                }
            }
            PlanStage::Closed | PlanStage::CarriedOut => {}
        }
        for objection in &self.objections {
            match &objection.status {
                ObjectionStatus::AwaitingCounter { window, .. } | ObjectionStatus::AwaitingSuit { window, .. } => {
                    limits.push(window.clone())
                }
                ObjectionStatus::Filed
                | ObjectionStatus::AwaitingCounterNotice { .. }
                | ObjectionStatus::Upheld { .. }
                | ObjectionStatus::Lapsed
                | ObjectionStatus::SuitPending { .. }
                | ObjectionStatus::Decided { .. } => {}
            }
        }
        limits
    }

    /// What can be paid now (item 22, FUND-12): nothing while the plan is being served; afterwards each share less
    /// what the unsettled objections dispute in it.
    pub fn payable_now(&self) -> Vec<PayableShare> {
        let serving = match self.stage {
            PlanStage::Serving => true,
            PlanStage::Closed | PlanStage::CarriedOut => false,
        };
        let mut payable: Vec<PayableShare> = Vec::new();
        for share in &self.distribution.shares {
            match payable.iter_mut().find(|entry| entry.claimant == share.claimant) {
                Some(entry) => entry.payable = Money::from_fen(entry.payable.fen() + share.amount.fen()),
                None => payable.push(PayableShare {
                    claimant: share.claimant.clone(),
                    payable: share.amount,
                    withheld: Money::ZERO,
                }),
            }
        }
        for entry in &mut payable {
            let withheld = if serving {
                entry.payable.fen()
            } else {
                let disputed: i64 = self
                    .objections
                    .iter()
                    .filter(|objection| !objection.status.is_settled())
                    .flat_map(|objection| objection.disputed.iter())
                    .filter(|share| share.claimant == entry.claimant)
                    .map(|share| share.amount.fen())
                    .sum();
                disputed.min(entry.payable.fen())
            };
            entry.withheld = Money::from_fen(withheld);
            entry.payable = Money::from_fen(entry.payable.fen() - withheld);
        }
        payable
    }

    fn draft(&self, today: NaiveDate) -> Result<Draft, LedgerError> {
        Draft::begin(today, self.last_event_on, self.open_limits())
    }

    fn finish(self, draft: Draft) -> Transition<DistributionPlan> {
        let mut state = self;
        state.last_event_on = draft.today;
        let after = state.open_limits();
        draft.finish(state, after)
    }

    fn party(&self, name: &str) -> Result<&PlanParty, LedgerError> {
        self.parties
            .iter()
            .find(|party| party.name == name)
            .ok_or_else(|| LedgerError::PartyUnknown { party: name.to_string() })
    }

    fn objection_index(&self, id: u32) -> Result<usize, LedgerError> {
        self.objections
            .iter()
            .position(|objection| objection.id == id)
            .ok_or(LedgerError::ObjectionUnknown { objection: id })
    }

    fn not_at_step(objection: u32, step: &'static str) -> LedgerError {
        LedgerError::ObjectionNotAtStep { objection, step }
    }

    fn require_stage(&self, command: &'static str, allowed: &[PlanStage]) -> Result<(), LedgerError> {
        if allowed.contains(&self.stage) {
            Ok(())
        } else {
            Err(LedgerError::out_of_order(
                command,
                "distribution plan",
                self.stage.name(),
                "FUND-12",
            ))
        }
    }

    /// Runs a command (for replay from the audit log).
    pub fn apply(self, command: PlanCommand, today: NaiveDate, calendar: &Calendar) -> Result<Transition<DistributionPlan>, LedgerError> {
        match command {
            PlanCommand::RecordService { party, received_on } => self.record_service(&party, received_on, today, calendar),
            PlanCommand::FileObjection {
                objector,
                filed_on,
                disputed,
            } => self.file_objection(&objector, filed_on, disputed, today),
            PlanCommand::NotifyObjection { objection, notified_on } => self.notify_objection(objection, notified_on, today, calendar),
            PlanCommand::FileCounterObjection {
                objection,
                party,
                filed_on,
            } => self.file_counter_objection(objection, &party, filed_on, today),
            PlanCommand::CloseCounterPeriod { objection } => self.close_counter_period(objection, today),
            PlanCommand::NotifyObjector { objection, notified_on } => self.notify_objector(objection, notified_on, today, calendar),
            PlanCommand::RecordSuit { objection, filed_on } => self.record_suit(objection, filed_on, today),
            PlanCommand::CloseSuitPeriod { objection } => self.close_suit_period(objection, today),
            PlanCommand::RecordJudgment { objection, revised } => self.record_judgment(objection, revised, today),
            PlanCommand::RevisePlan { revised } => self.revise_plan(revised, today),
            PlanCommand::CloseObjectionPeriod => self.close_objection_period(today),
            PlanCommand::CarryOut => self.carry_out(today),
        }
    }

    /// The plan reached `party` on `received_on` (送达): its 15-day objection window opens (FUND-12). Checks: stage
    /// serving; the party is known (`party_unknown`) and not yet served (`party_already_served`); the date is not
    /// after today (`date_after_today`).
    pub fn record_service(
        mut self,
        party: &str,
        received_on: NaiveDate,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        self.require_stage("record_service", &[PlanStage::Serving])?;
        if self.party(party)?.received_on.is_some() {
            return Err(LedgerError::PartyAlreadyServed { party: party.to_string() });
        }
        if received_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "service",
                date: received_on,
                today,
            });
        }
        if received_on < self.drawn_up_on {
            return Err(LedgerError::DateBeforePreviousStep {
                what: "service",
                date: received_on,
                earliest: self.drawn_up_on,
            });
        }
        let window = LedgerLimit::start(
            LedgerLimitKind::PlanObjection,
            party,
            received_on,
            Period::Days(FUND_12_PERIOD_DAYS),
            calendar,
        );
        draft.outcome(Outcome::PlanServed {
            party: party.to_string(),
            objection_due: window.due_date,
        });
        let entry = self
            .parties
            .iter_mut()
            .find(|entry| entry.name == party)
            .expect("party checked above");
        entry.received_on = Some(received_on);
        entry.objection_window = Some(window);
        Ok(self.finish(draft))
    }

    /// A party objects in writing (FUND-12). Checks, in order: stage serving or closed; the objector is a party
    /// (`party_unknown`) who was served (`party_not_served`); the filing date is not after today
    /// (`date_after_today`) and within the objector's 15 days (`objection_after_deadline`); one objection per party
    /// (`objection_exists`); every disputed share names a claimant of the plan and lies above zero and within that
    /// claimant's share (`disputed_amount_invalid`).
    pub fn file_objection(
        mut self,
        objector: &str,
        filed_on: NaiveDate,
        disputed: Vec<DisputedShare>,
        today: NaiveDate,
    ) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        self.require_stage("file_objection", &[PlanStage::Serving, PlanStage::Closed])?;
        let party = self.party(objector)?;
        let window = party.objection_window.clone().ok_or_else(|| LedgerError::PartyNotServed {
            party: objector.to_string(),
        })?;
        if filed_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "objection",
                date: filed_on,
                today,
            });
        }
        if !window.allows(filed_on) {
            return Err(LedgerError::ObjectionAfterDeadline {
                party: objector.to_string(),
                due: window.due_date,
            });
        }
        if let Some(existing) = self.objections.iter().find(|objection| objection.objector == objector) {
            return Err(LedgerError::ObjectionExists {
                party: objector.to_string(),
                objection: existing.id,
            });
        }
        let distributed = self.distribution.total();
        let mut disputed_total: i64 = 0;
        for share in &disputed {
            let claimant_share = self.distribution.share_of(&share.claimant);
            disputed_total = disputed_total.saturating_add(share.amount.fen());
            if share.amount.fen() <= 0 || share.amount > claimant_share {
                return Err(LedgerError::DisputedAmountInvalid {
                    disputed: share.amount,
                    distributed: claimant_share,
                });
            }
        }
        if disputed.is_empty() || disputed_total > distributed.fen() {
            return Err(LedgerError::DisputedAmountInvalid {
                disputed: Money::from_fen(disputed_total),
                distributed,
            });
        }
        let id = self.objections.iter().map(|objection| objection.id).max().unwrap_or(0) + 1;
        draft.meet(window.key());
        draft.outcome(Outcome::ObjectionFiled {
            objection: id,
            disputed: Money::from_fen(disputed_total),
        });
        draft.notify(
            Audience::Judge,
            "FUND-12",
            format!("{objector} objects to the distribution plan (objection {id})"),
        );
        self.objections.push(Objection {
            id,
            objector: objector.to_string(),
            filed_on,
            disputed,
            status: ObjectionStatus::Filed,
        });
        Ok(self.finish(draft))
    }

    /// The court notified the other parties of the objection on `notified_on`; they have 15 days to counter-object
    /// (FUND-12). DESIGN: one date for all of them, the last day one of them received the notice.
    pub fn notify_objection(
        mut self,
        objection: u32,
        notified_on: NaiveDate,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        let index = self.objection_index(objection)?;
        match &self.objections[index].status {
            ObjectionStatus::Filed => {}
            ObjectionStatus::AwaitingCounter { .. }
            | ObjectionStatus::AwaitingCounterNotice { .. }
            | ObjectionStatus::AwaitingSuit { .. }
            | ObjectionStatus::Upheld { .. }
            | ObjectionStatus::Lapsed
            | ObjectionStatus::SuitPending { .. }
            | ObjectionStatus::Decided { .. } => return Err(Self::not_at_step(objection, "notice to the other parties")),
        }
        if notified_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "notice",
                date: notified_on,
                today,
            });
        }
        let window = LedgerLimit::start(
            LedgerLimitKind::PlanCounterObjection,
            objection.to_string(),
            notified_on,
            Period::Days(FUND_12_PERIOD_DAYS),
            calendar,
        );
        draft.outcome(Outcome::ObjectionNotified {
            objection,
            counter_objection_due: window.due_date,
        });
        draft.notify(
            Audience::Parties,
            "FUND-12",
            format!(
                "objection {objection} to the distribution plan: counter-objections until {}",
                window.due_date
            ),
        );
        self.objections[index].status = ObjectionStatus::AwaitingCounter {
            window,
            counter_objectors: Vec::new(),
        };
        Ok(self.finish(draft))
    }

    /// A party counter-objects (反对意见). Checks: the objection awaits counter-objections; the party is a served party
    /// (`party_unknown`, `party_not_served`) other than the objector (`counter_objector_is_objector`); the filing date
    /// is not after today and within the 15 days (`counter_objection_after_deadline`); once per party
    /// (`counter_objection_exists`).
    pub fn file_counter_objection(
        mut self,
        objection: u32,
        party: &str,
        filed_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        let index = self.objection_index(objection)?;
        if self.party(party)?.received_on.is_none() {
            return Err(LedgerError::PartyNotServed { party: party.to_string() });
        }
        let objector = self.objections[index].objector.clone();
        let ObjectionStatus::AwaitingCounter { window, counter_objectors } = &mut self.objections[index].status else {
            return Err(Self::not_at_step(objection, "counter-objections"));
        };
        if party == objector {
            return Err(LedgerError::CounterObjectorIsObjector { party: party.to_string() });
        }
        if filed_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "counter-objection",
                date: filed_on,
                today,
            });
        }
        if !window.allows(filed_on) {
            return Err(LedgerError::CounterObjectionAfterDeadline {
                objection,
                due: window.due_date,
            });
        }
        if counter_objectors.iter().any(|name| name == party) {
            return Err(LedgerError::CounterObjectionExists { party: party.to_string() });
        }
        counter_objectors.push(party.to_string());
        draft.outcome(Outcome::CounterObjectionFiled {
            objection,
            party: party.to_string(),
        });
        Ok(self.finish(draft))
    }

    /// The counter-objection window is over (`window_still_open` before). No counter-objection: the objection stands
    /// and the plan is to be revised as it asks (FUND-12); otherwise the objector is to be notified.
    pub fn close_counter_period(mut self, objection: u32, today: NaiveDate) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        let index = self.objection_index(objection)?;
        let ObjectionStatus::AwaitingCounter { window, counter_objectors } = &self.objections[index].status else {
            return Err(Self::not_at_step(objection, "the end of the counter-objection period"));
        };
        if window.allows(today) {
            return Err(LedgerError::WindowStillOpen { until: window.due_date });
        }
        draft.meet(window.key());
        if counter_objectors.is_empty() {
            draft.outcome(Outcome::ObjectionUpheld { objection });
            draft.notify(
                Audience::Judge,
                "FUND-12",
                format!("no counter-objection to objection {objection}: revise the distribution plan as it asks"),
            );
            self.objections[index].status = ObjectionStatus::Upheld { revised: false };
        } else {
            draft.outcome(Outcome::CounterObjected {
                objection,
                counter_objectors: counter_objectors.clone(),
            });
            self.objections[index].status = ObjectionStatus::AwaitingCounterNotice {
                counter_objectors: counter_objectors.clone(),
            };
        }
        Ok(self.finish(draft))
    }

    /// The objector was notified of the counter-objections on `notified_on`; it may sue within 15 days (FUND-12).
    pub fn notify_objector(
        mut self,
        objection: u32,
        notified_on: NaiveDate,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        let index = self.objection_index(objection)?;
        let ObjectionStatus::AwaitingCounterNotice { counter_objectors } = &self.objections[index].status else {
            return Err(Self::not_at_step(objection, "notice to the objector"));
        };
        if notified_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "notice",
                date: notified_on,
                today,
            });
        }
        let window = LedgerLimit::start(
            LedgerLimitKind::PlanSuit,
            objection.to_string(),
            notified_on,
            Period::Days(FUND_12_PERIOD_DAYS),
            calendar,
        );
        draft.outcome(Outcome::ObjectorNotified {
            objection,
            suit_due: window.due_date,
        });
        self.objections[index].status = ObjectionStatus::AwaitingSuit {
            counter_objectors: counter_objectors.clone(),
            window,
        };
        Ok(self.finish(draft))
    }

    /// The objector sued the counter-objectors (分配方案异议之诉) within 15 days (`suit_after_deadline`). The disputed
    /// amount is held (民诉法解释 art 510 ¶3): the transition carries the `hold_disputed` entry.
    pub fn record_suit(
        mut self,
        objection: u32,
        filed_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        let index = self.objection_index(objection)?;
        let ObjectionStatus::AwaitingSuit { counter_objectors, window } = &self.objections[index].status else {
            return Err(Self::not_at_step(objection, "a suit"));
        };
        if filed_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "suit",
                date: filed_on,
                today,
            });
        }
        if !window.allows(filed_on) {
            return Err(LedgerError::SuitAfterDeadline {
                objection,
                due: window.due_date,
            });
        }
        draft.meet(window.key());
        let held = self.objections[index].disputed_total();
        draft.entry(journal::hold_disputed(self.case_id, held));
        draft.outcome(Outcome::SuitFiled { objection, held });
        self.objections[index].status = ObjectionStatus::SuitPending {
            counter_objectors: counter_objectors.clone(),
            filed_on,
        };
        Ok(self.finish(draft))
    }

    /// The objector did not sue within 15 days (`window_still_open` before they end): the original plan is carried
    /// out as to this objection (FUND-12).
    pub fn close_suit_period(mut self, objection: u32, today: NaiveDate) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        let index = self.objection_index(objection)?;
        let ObjectionStatus::AwaitingSuit { window, .. } = &self.objections[index].status else {
            return Err(Self::not_at_step(objection, "the end of the suit period"));
        };
        if window.allows(today) {
            return Err(LedgerError::WindowStillOpen { until: window.due_date });
        }
        draft.meet(window.key());
        draft.outcome(Outcome::ObjectionLapsed { objection });
        self.objections[index].status = ObjectionStatus::Lapsed;
        Ok(self.finish(draft))
    }

    /// The suit is decided: the hold is released (`release_disputed`), and the plan is replaced when the judgment
    /// revised it (`revision_total_mismatch` unless it distributes the same amount).
    pub fn record_judgment(
        mut self,
        objection: u32,
        revised: Option<Distribution>,
        today: NaiveDate,
    ) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        let index = self.objection_index(objection)?;
        let ObjectionStatus::SuitPending { filed_on, .. } = &self.objections[index].status else {
            return Err(Self::not_at_step(objection, "a judgment"));
        };
        let filed_on = *filed_on;
        if let Some(revised) = &revised {
            self.check_revision(revised)?;
        }
        let held = self.objections[index].disputed_total();
        draft.entry(journal::release_disputed(self.case_id, held));
        draft.outcome(Outcome::JudgmentRecorded {
            objection,
            released: held,
            plan_revised: revised.is_some(),
        });
        self.objections[index].status = ObjectionStatus::Decided {
            filed_on,
            decided_on: today,
            plan_revised: revised.is_some(),
        };
        if let Some(revised) = revised {
            self.distribution = revised;
        }
        Ok(self.finish(draft))
    }

    fn check_revision(&self, revised: &Distribution) -> Result<(), LedgerError> {
        if revised.total() != self.distribution.total() || revised.amount != self.distribution.amount {
            return Err(LedgerError::RevisionTotalMismatch {
                original: self.distribution.total(),
                revised: revised.total(),
            });
        }
        Ok(())
    }

    /// The court revises the plan as the upheld objections ask (FUND-12: "人民法院应当依异议人的意见对分配方案审查修正").
    /// Checks: an upheld objection awaits revision (`nothing_to_revise`); the revised plan distributes the same amount
    /// (`revision_total_mismatch`).
    pub fn revise_plan(mut self, revised: Distribution, today: NaiveDate) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        let waiting: Vec<u32> = self
            .objections
            .iter()
            .filter(|objection| objection.status == ObjectionStatus::Upheld { revised: false })
            .map(|objection| objection.id)
            .collect();
        if waiting.is_empty() {
            return Err(LedgerError::NothingToRevise);
        }
        self.check_revision(&revised)?;
        for objection in &mut self.objections {
            if waiting.contains(&objection.id) {
                objection.status = ObjectionStatus::Upheld { revised: true };
            }
        }
        self.distribution = revised;
        draft.outcome(Outcome::PlanRevised { objections: waiting });
        Ok(self.finish(draft))
    }

    /// Every party has been served and every objection window is over: no new objection can come. Checks: stage
    /// serving; every party served (`party_not_served`); no window still running (`window_still_open`).
    pub fn close_objection_period(mut self, today: NaiveDate) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        self.require_stage("close_objection_period", &[PlanStage::Serving])?;
        if let Some(unserved) = self.parties.iter().find(|party| party.received_on.is_none()) {
            return Err(LedgerError::PartyNotServed {
                party: unserved.name.clone(),
            });
        }
        let running = self
            .open_limits()
            .into_iter()
            .filter(|limit| limit.kind == LedgerLimitKind::PlanObjection)
            .map(|limit| limit.due_date)
            .max();
        if let Some(until) = running.filter(|until| *until >= today) {
            return Err(LedgerError::WindowStillOpen { until });
        }
        for limit in self.open_limits() {
            if limit.kind == LedgerLimitKind::PlanObjection {
                draft.meet(limit.key());
            }
        }
        self.stage = PlanStage::Closed;
        draft.outcome(Outcome::ObjectionPeriodClosed {
            objections: self.objections.len() as u32,
        });
        Ok(self.finish(draft))
    }

    /// The plan is carried out: stage closed, and every objection settled (`objection_not_at_step` names the first
    /// that is not).
    pub fn carry_out(mut self, today: NaiveDate) -> Result<Transition<DistributionPlan>, LedgerError> {
        let mut draft = self.draft(today)?;
        self.require_stage("carry_out", &[PlanStage::Closed])?;
        if let Some(open) = self.objections.iter().find(|objection| !objection.status.is_settled()) {
            return Err(Self::not_at_step(open.id, "settlement before the plan is carried out"));
        }
        self.stage = PlanStage::CarriedOut;
        draft.outcome(Outcome::PlanCarriedOut {
            amount: self.distribution.total(),
        });
        Ok(self.finish(draft))
    }
}
