//! Debt in kind (以物抵债): after a failed round at that round's reserve price (TRAD-5, SELL-9), after the second
//! failure (SELL-3), after a failed sell-off at the sell-off price (SELL-7, 民诉法解释 art 490), or at any stage with
//! the consents of SELL-8 (民诉法解释 art 489). Several creditors: the highest legal rank takes it, ties by lot
//! (TRAD-5); the taker tops up the difference above its claim (补交差额).
//!
//! The lot is drawn from a seed the engine passes in, so the decision stays pure and can be re-run from the audit
//! log: the tied names are sorted, then SHA-256 over `"chuzhi/TRAD-5/draw" ‖ 0x00 ‖ seed ‖ 0x00 ‖ names joined by
//! '\n'`, its first 8 bytes as a big-endian integer, modulo the number of tied creditors, picks the taker. (The
//! modulo bias is below n / 2^64, far below anything a lot between a handful of creditors could show.)

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::aftermath::{SaleChannel, Settlement};
use super::error::DisposalError;
use super::limits::{LimitKind, TimeLimit, COURT_SET_DAYS_MAX};
use super::{require_name, Command, Disposal, Outcome, RoundResult, Signal, Stage, Transition};
use crate::calendar::Calendar;
use crate::money::Money;
use crate::registry::AssetKind;
use crate::valuation::Audience;

const DRAW_DOMAIN: &[u8] = b"chuzhi/TRAD-5/draw";

/// Why and at what price the asset is taken in payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum DebtInKindBasis {
    /// TRAD-5 / SELL-9: after a failed round, at that round's reserve (starting) price.
    AfterFailedRound { round: u8 },
    /// SELL-7 (Q8 DESIGN): after a failed sell-off, at the sell-off price.
    AfterSellOff,
    /// SELL-8: without auction, with the applicant's and the debtor's consent, at the court's price.
    ByConsent,
}

impl DebtInKindBasis {
    pub fn rule(self) -> &'static str {
        match self {
            DebtInKindBasis::AfterFailedRound { .. } => "TRAD-5",
            DebtInKindBasis::AfterSellOff => "SELL-7",
            DebtInKindBasis::ByConsent => "SELL-8",
        }
    }
}

/// A creditor who asks to take the asset in payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtInKindCreditor {
    pub name: String,
    /// The legal rank of its claim (法定受偿顺位); 1 is the highest.
    pub rank: u32,
    /// What it is owed: the top-up is the price above this.
    pub claim: Money,
}

/// The judge decides the debt in kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideDebtInKind {
    pub creditors: Vec<DebtInKindCreditor>,
    /// The engine's seed for a lot between creditors of the same rank (TRAD-5).
    pub seed: Option<String>,
    /// The court's price: required by consent (SELL-8); after a failure the rule fixes it, and a price given must
    /// match.
    pub price: Option<Money>,
    pub applicant_consents: bool,
    pub debtor_consents: bool,
    /// SELL-8, art 490: whether it harms other creditors or the public interest.
    pub harms_others: bool,
    /// TRAD-5: the date by which the taker pays the difference.
    pub top_up_due_on: Option<NaiveDate>,
    /// AUC-24: the taker's purchase eligibility, for real estate under purchase restrictions.
    pub taker_purchase_eligible: bool,
}

/// The lot between creditors of the same rank, reproducible from the seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakerDraw {
    pub seed: String,
    /// The tied creditors, sorted.
    pub tied: Vec<String>,
    pub taker: String,
}

/// TRAD-5: draws the taker among creditors of the same rank: deterministic in the seed and the set of names.
pub fn draw_taker(seed: &str, tied: &[String]) -> TakerDraw {
    let mut sorted = tied.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut hasher = Sha256::new();
    hasher.update(DRAW_DOMAIN);
    hasher.update([0u8]);
    hasher.update(seed.as_bytes());
    hasher.update([0u8]);
    hasher.update(sorted.join("\n").as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let index = if sorted.is_empty() {
        0
    } else {
        (u64::from_be_bytes(first) % sorted.len() as u64) as usize
    };
    TakerDraw {
        seed: seed.to_string(),
        taker: sorted.get(index).cloned().unwrap_or_default(),
        tied: sorted,
    }
}

impl Disposal {
    /// The basis and the price the rule fixes, if a debt in kind may be decided in the current stage.
    fn debt_in_kind_basis(&self) -> Option<(DebtInKindBasis, Option<Money>)> {
        let last_failed = self
            .rounds
            .last()
            .filter(|published| matches!(published.result, Some(RoundResult::Failed { .. })))
            .map(|published| {
                (
                    DebtInKindBasis::AfterFailedRound {
                        round: published.round.number,
                    },
                    Some(published.plan.starting_price),
                )
            });
        match &self.stage {
            Stage::Preparing(_) | Stage::Planned(_) => Some(last_failed.unwrap_or((DebtInKindBasis::ByConsent, None))),
            Stage::SecondRoundFailed(_) => last_failed,
            Stage::SellOffFailed(failure) => Some((DebtInKindBasis::AfterSellOff, Some(failure.price))),
            // SELL-8: after a sell-off buyer backed out the sell-off did not fail, so only the consents allow it.
            Stage::SellOffResale(_) => Some((DebtInKindBasis::ByConsent, None)),
            Stage::Announced(_)
            | Stage::SellOff(_)
            | Stage::Settlement(_)
            | Stage::SelfDisposalApplied(_)
            | Stage::SelfDisposal(_)
            | Stage::Suspended(_)
            | Stage::Ended(_) => None,
        }
    }

    /// The judge decides the debt in kind: the taker, the price, the top-up; the ruling follows full payment
    /// (TRAD-8).
    ///
    /// Checks, in order: the date; a stage that allows it (`out_of_order`, SELL-8); at least one creditor
    /// (`debt_in_kind_creditors_missing`, TRAD-5), each named once with a rank (`name_missing`, `name_repeated`,
    /// TRAD-5); the price: fixed by the rule after a failure (`debt_in_kind_price_fixed_by_rule`), set by the court
    /// by consent (`debt_in_kind_price_missing`, SELL-8); the consents (`debt_in_kind_consent_missing`: SELL-8 needs
    /// both parties and no harm, SELL-7 no harm); a seed for a tie (`draw_seed_missing`, TRAD-5); the taker's purchase
    /// eligibility (`taker_not_eligible`, AUC-24); a top-up date 1 to 365 days ahead when the taker owes a difference
    /// (`top_up_due_date_missing`, `deadline_out_of_range`, TRAD-5).
    pub fn decide_debt_in_kind(
        mut self,
        command: DecideDebtInKind,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::DecideDebtInKind(command.clone()))?;
        let Some((basis, fixed_price)) = self.debt_in_kind_basis() else {
            return Err(DisposalError::out_of_order("decide_debt_in_kind", self.stage.name(), "SELL-8"));
        };
        if command.creditors.is_empty() {
            return Err(DisposalError::DebtInKindCreditorsMissing);
        }
        for (index, creditor) in command.creditors.iter().enumerate() {
            require_name(&creditor.name, "creditors", "TRAD-5")?;
            if creditor.rank == 0
                || command.creditors[..index]
                    .iter()
                    .any(|earlier| earlier.name.trim() == creditor.name.trim())
            {
                return Err(DisposalError::NameRepeated {
                    field: "creditors",
                    name: creditor.name.clone(),
                    rule: "TRAD-5",
                });
            }
        }
        let price = match (fixed_price, command.price) {
            (Some(required), Some(price)) if price != required => {
                return Err(DisposalError::DebtInKindPriceFixedByRule {
                    price,
                    required,
                    rule: basis.rule(),
                })
            }
            (Some(required), _) => required,
            (None, Some(price)) if price.fen() > 0 => price,
            (None, _) => return Err(DisposalError::DebtInKindPriceMissing),
        };
        match basis {
            DebtInKindBasis::ByConsent if !command.applicant_consents || !command.debtor_consents || command.harms_others => {
                return Err(DisposalError::DebtInKindConsentMissing { rule: "SELL-8" })
            }
            DebtInKindBasis::AfterSellOff if command.harms_others => {
                return Err(DisposalError::DebtInKindConsentMissing { rule: "SELL-7" })
            }
            DebtInKindBasis::ByConsent | DebtInKindBasis::AfterSellOff | DebtInKindBasis::AfterFailedRound { .. } => {}
        }
        let top_rank = command.creditors.iter().map(|creditor| creditor.rank).min().unwrap_or(1);
        let tied: Vec<String> = command
            .creditors
            .iter()
            .filter(|creditor| creditor.rank == top_rank)
            .map(|creditor| creditor.name.trim().to_string())
            .collect();
        let draw = if tied.len() > 1 {
            let seed = command.seed.as_deref().map(str::trim).filter(|seed| !seed.is_empty());
            let Some(seed) = seed else {
                return Err(DisposalError::DrawSeedMissing);
            };
            Some(draw_taker(seed, &tied))
        } else {
            None
        };
        let taker = draw.as_ref().map_or_else(|| tied[0].clone(), |draw| draw.taker.clone());
        if self.purchase_restricted && self.asset_kind == AssetKind::RealEstate && !command.taker_purchase_eligible {
            return Err(DisposalError::TakerNotEligible { taker });
        }
        let claim = command
            .creditors
            .iter()
            .find(|creditor| creditor.name.trim() == taker)
            .map_or(Money::ZERO, |creditor| creditor.claim);
        let top_up = Money::from_fen((price.fen() - claim.fen()).max(0));
        let top_up_limit = if top_up.fen() > 0 {
            let Some(due) = command.top_up_due_on else {
                return Err(DisposalError::TopUpDueDateMissing { top_up });
            };
            let days = (due - today).num_days();
            if days < 1 || days > i64::from(COURT_SET_DAYS_MAX) {
                return Err(DisposalError::DeadlineOutOfRange {
                    field: "top_up_due_on",
                    after: today,
                    deadline: due,
                    rule: "TRAD-5",
                });
            }
            Some(TimeLimit::court_set(LimitKind::TopUp, None, today, due, calendar))
        } else {
            None
        };
        // The SELL-3 question is answered by the decision; every other running limit of the stage ends with it.
        if let Stage::SecondRoundFailed(failure) = &self.stage {
            if let Some(limit) = &failure.question {
                draft.meet(limit.key());
            }
        }
        if let Some(draw) = &draw {
            draft.outcome(Outcome::TakerDrawn(draw.clone()));
        }
        let mut settlement = Settlement {
            channel: SaleChannel::DebtInKind { basis },
            buyer: taker.clone(),
            price,
            sold_on: today,
            deposit: Money::ZERO,
            amount_due: top_up,
            received: Money::ZERO,
            deposit_transferred_on: None,
            balance_due_on: None,
            deposit_transfer: None,
            balance: None,
            top_up: top_up_limit,
            paid_in_full_on: None,
            ruling: None,
            ruling_served_on: None,
            handover: None,
            excluded_bidders: Vec::new(),
            forfeit_on_default: None,
        };
        if top_up.fen() == 0 {
            settlement.paid_in_full(today, calendar, &mut draft);
        }
        draft.signal(Signal::DebtInKind {
            taker: taker.clone(),
            price,
            top_up,
        });
        draft.notify(
            Audience::Parties,
            basis.rule(),
            format!("{taker} takes the asset in payment at {price}; difference to pay: {top_up}"),
        );
        self.stage = Stage::Settlement(Box::new(settlement));
        Ok(draft.finish(self))
    }
}
