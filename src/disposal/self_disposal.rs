//! The debtor's self-disposal (被执行人自行处置, SELF-1 … SELF-4; item 17 of the 2021 opinion): the application and
//! its eligibility, the judge's approval with a period of at most 90 days (a cap per legal basis, configuration),
//! the sale (a public online auction by the debtor, or a direct deal that needs the applicant's consent or a price
//! covering the claim), the proceeds into the case's account only (FUND-1), and the lapse at the end of the period
//! after which the court's own disposal restarts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::DisposalError;
use super::limits::{LimitKind, TimeLimit};
use super::procedure::{Preparing, TerminalKind};
use super::{require_name, Command, Disposal, Draft, FundsSource, RecordPayment, Round, Signal, Stage, Transition};
use crate::calendar::{Calendar, Period};
use crate::money::Money;
use crate::valuation::{Audience, DisposalKind};

/// How the debtor sells (SELF-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum SelfDisposalMode {
    /// 通过网络平台自行公开拍卖, the court controlling the proceeds.
    PublicOnlineAuction,
    /// 直接交易 with a known buyer: needs the applicant's consent or a price that covers the outstanding claim.
    DirectDeal {
        buyer: String,
        price: Money,
        applicant_consents: bool,
    },
}

/// The legal basis of the period's cap (SELF-2, SELF-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelfDisposalBasis {
    /// 法〔2021〕322号 item 17: at most 90 days.
    Opinion2021,
    /// 法发〔2019〕35号 (UNCONFIRMED): a self-sell-off of at most 60 days.
    Opinion2019SellOff,
}

impl SelfDisposalBasis {
    pub fn rule(self) -> &'static str {
        match self {
            SelfDisposalBasis::Opinion2021 => "SELF-2",
            SelfDisposalBasis::Opinion2019SellOff => "SELF-3",
        }
    }
}

/// The debtor applies to dispose of the asset itself (SELF-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplySelfDisposal {
    /// The debtor's grounds, as written.
    pub grounds: String,
    /// The debtor holds the reference price too low (参考价过低).
    pub debtor_says_reference_too_low: bool,
    /// The court can control the proceeds (可控制其拍卖款).
    pub court_controls_proceeds: bool,
    pub mode: SelfDisposalMode,
}

/// The application, recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfDisposalApplication {
    pub applied_on: NaiveDate,
    pub grounds: String,
    pub mode: SelfDisposalMode,
}

/// The judge's decision on the application (SELF-2; SELF-4: recorded with its decision id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideSelfDisposal {
    pub decision_id: String,
    pub approve: bool,
    pub basis: SelfDisposalBasis,
    /// The period the court sets (自行处置期限), in days from today.
    pub period_days: u32,
}

/// SELF-4 (DESIGN): an extension, only within the cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtendSelfDisposal {
    pub decision_id: String,
    pub days: u32,
}

/// The debtor found its buyer (SELF-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSelfDisposalSale {
    pub buyer: String,
    pub price: Money,
    /// SELF-4 (UNCONFIRMED): a price below the reference price needs the applicant's consent.
    pub applicant_consents_below_reference: bool,
}

/// SELF-4 (DESIGN): the period ended without full payment; run by the engine's sweep.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LapseSelfDisposal {}

/// The debtor's sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfDisposalSale {
    pub buyer: String,
    pub price: Money,
    pub on: NaiveDate,
}

/// The approved self-disposal, running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfDisposal {
    pub application: SelfDisposalApplication,
    pub decision_id: String,
    pub approved_on: NaiveDate,
    pub basis: SelfDisposalBasis,
    pub cap_days: u32,
    /// The whole period in days from the approval, extensions included.
    pub period_days: u32,
    pub period: TimeLimit,
    pub sale: Option<SelfDisposalSale>,
    pub received: Money,
}

impl Disposal {
    /// The cap of the period for a basis (configuration: 90 days under the 2021 opinion, 60 under the 2019 one).
    pub fn self_disposal_cap_days(&self, basis: SelfDisposalBasis) -> u32 {
        match basis {
            SelfDisposalBasis::Opinion2021 => self.config.self_disposal_cap_days_opinion_2021,
            SelfDisposalBasis::Opinion2019SellOff => self.config.self_disposal_cap_days_opinion_2019_selloff,
        }
    }

    /// SELF-2: the debtor applies, before any round is published.
    ///
    /// Checks, in order: the date; preparing the first round with nothing published (`out_of_order`, SELF-2); not
    /// tried before (`self_disposal_already_tried`, SELF-4); grounds (`name_missing`, SELF-2); eligibility: a large or
    /// complex asset, the debtor holding the reference price too low, the court controlling the proceeds
    /// (`self_disposal_not_eligible`, SELF-2); a direct deal's buyer and price (`name_missing`,
    /// `amount_not_positive`), the applicant's consent or a price covering the claim
    /// (`direct_deal_needs_consent_or_full_cover`, SELF-2), not below the reference price without consent
    /// (`self_disposal_price_below_reference`, SELF-4).
    pub fn apply_self_disposal(
        mut self,
        command: ApplySelfDisposal,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::ApplySelfDisposal(command.clone()))?;
        match &self.stage {
            Stage::Preparing(preparing) if preparing.round == Round::FIRST && self.rounds.is_empty() => {}
            Stage::Preparing(_)
            | Stage::Planned(_)
            | Stage::Announced(_)
            | Stage::SecondRoundFailed(_)
            | Stage::SellOff(_)
            | Stage::SellOffFailed(_)
            | Stage::SellOffResale(_)
            | Stage::Settlement(_)
            | Stage::SelfDisposalApplied(_)
            | Stage::SelfDisposal(_)
            | Stage::Suspended(_)
            | Stage::Ended(_) => return Err(DisposalError::out_of_order("apply_self_disposal", self.stage.name(), "SELF-2")),
        }
        if self.self_disposal_tried {
            return Err(DisposalError::SelfDisposalAlreadyTried);
        }
        require_name(&command.grounds, "grounds", "SELF-2")?;
        if !self.high_value_or_complex {
            return Err(DisposalError::SelfDisposalNotEligible {
                reason: "the asset is neither of large value nor complex",
            });
        }
        if !command.debtor_says_reference_too_low {
            return Err(DisposalError::SelfDisposalNotEligible {
                reason: "the debtor does not hold the reference price too low",
            });
        }
        if !command.court_controls_proceeds {
            return Err(DisposalError::SelfDisposalNotEligible {
                reason: "the court cannot control the proceeds",
            });
        }
        if let SelfDisposalMode::DirectDeal {
            buyer,
            price,
            applicant_consents,
        } = &command.mode
        {
            require_name(buyer, "buyer", "SELF-2")?;
            if price.fen() <= 0 {
                return Err(DisposalError::AmountNotPositive {
                    field: "price",
                    rule: "SELF-2",
                });
            }
            if !applicant_consents && *price < self.outstanding_claim {
                return Err(DisposalError::DirectDealNeedsConsentOrFullCover {
                    price: *price,
                    outstanding_claim: self.outstanding_claim,
                });
            }
            if !applicant_consents && *price < self.reference_price {
                return Err(DisposalError::SelfDisposalPriceBelowReference {
                    price: *price,
                    reference_price: self.reference_price,
                });
            }
        }
        self.self_disposal_tried = true;
        draft.notify(
            Audience::Judge,
            "SELF-2",
            "the debtor applies to dispose of the asset itself; decide".to_string(),
        );
        self.stage = Stage::SelfDisposalApplied(Box::new(SelfDisposalApplication {
            applied_on: today,
            grounds: command.grounds.trim().to_string(),
            mode: command.mode,
        }));
        Ok(draft.finish(self))
    }

    /// SELF-2: the judge approves (with a period within the cap) or refuses. The approval begins the disposal for
    /// REF-36: the debtor's supervised sale is a sell-off without auction (执行工作规定 item 33 "自行变卖"), so it is
    /// recorded on the valuation as a direct sell-off.
    ///
    /// Checks, in order: the date; an application (`out_of_order`, SELF-2); a decision id (`name_missing`, SELF-4);
    /// for an approval, a period of 1 day up to the cap (`self_disposal_period_too_long`, SELF-2 or SELF-3).
    pub fn decide_self_disposal(
        mut self,
        command: DecideSelfDisposal,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::DecideSelfDisposal(command.clone()))?;
        let Stage::SelfDisposalApplied(application) = &self.stage else {
            return Err(DisposalError::out_of_order("decide_self_disposal", self.stage.name(), "SELF-2"));
        };
        require_name(&command.decision_id, "decision_id", "SELF-4")?;
        if !command.approve {
            self.stage = Stage::Preparing(Preparing::first());
            return Ok(draft.finish(self));
        }
        let cap_days = self.self_disposal_cap_days(command.basis);
        if command.period_days == 0 || command.period_days > cap_days {
            return Err(DisposalError::SelfDisposalPeriodTooLong {
                days: command.period_days,
                cap_days,
                rule: command.basis.rule(),
            });
        }
        let application = (**application).clone();
        let period = TimeLimit::start(
            LimitKind::SelfDisposalPeriod,
            None,
            today,
            Period::Days(command.period_days),
            calendar,
        );
        self.mark_disposal_started(DisposalKind::DirectSellOff, today, &mut draft);
        draft.notify(
            Audience::Parties,
            "SELF-2",
            format!(
                "the debtor may dispose of the asset itself until {}; proceeds only into account {}",
                period.due_date, self.collection_account
            ),
        );
        self.stage = Stage::SelfDisposal(Box::new(SelfDisposal {
            application,
            decision_id: command.decision_id.trim().to_string(),
            approved_on: today,
            basis: command.basis,
            cap_days,
            period_days: command.period_days,
            period,
            sale: None,
            received: Money::ZERO,
        }));
        Ok(draft.finish(self))
    }

    /// SELF-4 (DESIGN): the judge extends the period, only within the cap counted from the approval.
    ///
    /// Checks, in order: the date; a running self-disposal (`out_of_order`, SELF-4); a decision id (`name_missing`,
    /// SELF-4); before the period ended (`self_disposal_period_ended`, SELF-2); at least one day, and the whole period
    /// within the cap (`self_disposal_period_too_long`, SELF-4).
    pub fn extend_self_disposal(
        mut self,
        command: ExtendSelfDisposal,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let draft = self.draft(today, Command::ExtendSelfDisposal(command.clone()))?;
        let stage = self.stage.name();
        let Stage::SelfDisposal(running) = &mut self.stage else {
            return Err(DisposalError::out_of_order("extend_self_disposal", stage, "SELF-4"));
        };
        require_name(&command.decision_id, "decision_id", "SELF-4")?;
        if today > running.period.due_date {
            return Err(DisposalError::SelfDisposalPeriodEnded {
                ends_on: running.period.due_date,
            });
        }
        let total = running.period_days.saturating_add(command.days);
        if command.days == 0 || total > running.cap_days {
            return Err(DisposalError::SelfDisposalPeriodTooLong {
                days: total,
                cap_days: running.cap_days,
                rule: "SELF-4",
            });
        }
        running.period_days = total;
        // Counted from the approval, so the cap bounds the whole period whatever the rest days moved.
        running.period = TimeLimit::start(
            LimitKind::SelfDisposalPeriod,
            None,
            running.approved_on,
            Period::Days(total),
            calendar,
        );
        Ok(draft.finish(self))
    }

    /// SELF-2: the debtor's sale, within the period.
    ///
    /// Checks, in order: the date; a running self-disposal (`out_of_order`, SELF-2); no sale yet
    /// (`self_disposal_sale_recorded`, SELF-4); within the period (`self_disposal_period_ended`, SELF-2); a buyer and a
    /// price (`name_missing`, `amount_not_positive`); a direct deal's approved terms (`direct_deal_terms_differ`,
    /// SELF-2); not below the reference price without the applicant's consent (`self_disposal_price_below_reference`,
    /// SELF-4).
    pub fn record_self_disposal_sale(
        mut self,
        command: RecordSelfDisposalSale,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::RecordSelfDisposalSale(command.clone()))?;
        let reference_price = self.reference_price;
        let stage = self.stage.name();
        let Stage::SelfDisposal(running) = &mut self.stage else {
            return Err(DisposalError::out_of_order("record_self_disposal_sale", stage, "SELF-2"));
        };
        if running.sale.is_some() {
            return Err(DisposalError::SelfDisposalSaleRecorded);
        }
        if today > running.period.due_date {
            return Err(DisposalError::SelfDisposalPeriodEnded {
                ends_on: running.period.due_date,
            });
        }
        require_name(&command.buyer, "buyer", "SELF-2")?;
        if command.price.fen() <= 0 {
            return Err(DisposalError::AmountNotPositive {
                field: "price",
                rule: "SELF-2",
            });
        }
        let buyer = command.buyer.trim().to_string();
        let consented = match &running.application.mode {
            SelfDisposalMode::DirectDeal {
                buyer: approved_buyer,
                price,
                applicant_consents,
            } => {
                if approved_buyer.trim() != buyer || *price != command.price {
                    return Err(DisposalError::DirectDealTermsDiffer {
                        buyer: approved_buyer.clone(),
                        price: *price,
                    });
                }
                *applicant_consents || command.applicant_consents_below_reference
            }
            SelfDisposalMode::PublicOnlineAuction => command.applicant_consents_below_reference,
        };
        if command.price < reference_price && !consented {
            return Err(DisposalError::SelfDisposalPriceBelowReference {
                price: command.price,
                reference_price,
            });
        }
        running.sale = Some(SelfDisposalSale {
            buyer,
            price: command.price,
            on: today,
        });
        // REF-33: the debtor's sale is the sale the reference price was for; its date closes the price's grace, so
        // the sweep never lapses the price of an asset already sold.
        self.mark_sale_started(today, &mut draft);
        Ok(draft.finish(self))
    }

    /// SELF-4, FUND-1: proceeds of the debtor's sale reached the case account; when the price is paid in full the
    /// disposal is complete and the seizure is released (钱物两清, 执行工作规定 items 33–34). The caller checked the
    /// account, the amount and the reference. Checks, in order: the source (`payment_not_expected`, SELF-4); a sale
    /// recorded (`self_disposal_sale_missing`, SELF-4); not more than is due (`payment_exceeds_amount_due`, SELF-4).
    pub(crate) fn record_self_disposal_proceeds(
        mut self,
        command: RecordPayment,
        today: NaiveDate,
        mut draft: Draft,
    ) -> Result<Transition, DisposalError> {
        let Stage::SelfDisposal(running) = &mut self.stage else {
            unreachable!("the caller checked the stage");
        };
        if command.source != FundsSource::SelfDisposalProceeds {
            return Err(DisposalError::PaymentNotExpected {
                source_kind: command.source.as_str(),
                rule: "SELF-4",
            });
        }
        let Some(sale) = &running.sale else {
            return Err(DisposalError::SelfDisposalSaleMissing);
        };
        let outstanding = Money::from_fen(sale.price.fen() - running.received.fen());
        if command.amount > outstanding {
            return Err(DisposalError::PaymentExceedsAmountDue {
                amount: command.amount,
                outstanding,
                rule: "SELF-4",
            });
        }
        running.received = Money::from_fen(running.received.fen() + command.amount.fen());
        draft.signal(Signal::FundsReceived {
            source: FundsSource::SelfDisposalProceeds,
            amount: command.amount,
            bank_reference: command.bank_reference.trim().to_string(),
            on: today,
        });
        if running.received == sale.price {
            let (price, buyer) = (sale.price, sale.buyer.clone());
            draft.meet(running.period.key());
            draft.signal(Signal::Sold { price, buyer, on: today });
            draft.signal(Signal::Released { on: today });
            // AUC-14 (DESIGN): a deposit forfeited before the self-disposal is allocated against its price.
            self.allocate_forfeits(Some(price), today, &mut draft);
            self.end(TerminalKind::SelfDisposed, today, &mut draft);
        }
        Ok(draft.finish(self))
    }

    /// SELF-4 (DESIGN): the period ended without full payment; the court's disposal restarts, its first announcement
    /// due within 10 days (by analogy to REF-36; configuration).
    ///
    /// Checks, in order: the date; a running self-disposal (`out_of_order`, SELF-4); the period over
    /// (`self_disposal_period_running`, SELF-4).
    pub fn lapse_self_disposal(
        mut self,
        command: LapseSelfDisposal,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::LapseSelfDisposal(command))?;
        let Stage::SelfDisposal(running) = &self.stage else {
            return Err(DisposalError::out_of_order("lapse_self_disposal", self.stage.name(), "SELF-4"));
        };
        if today <= running.period.due_date {
            return Err(DisposalError::SelfDisposalPeriodRunning {
                ends_on: running.period.due_date,
            });
        }
        let restart = TimeLimit::start(
            LimitKind::ResumeAfterSelfDisposal,
            None,
            today,
            Period::Days(self.config.self_disposal_restart_days),
            calendar,
        );
        draft.notify(
            Audience::Judge,
            "SELF-4",
            format!("the self-disposal lapsed; announce the first auction by {}", restart.due_date),
        );
        self.stage = Stage::Preparing(Preparing {
            round: Round::FIRST,
            excluded_bidders: Vec::new(),
            announce_by: Some(restart),
        });
        Ok(draft.finish(self))
    }
}
