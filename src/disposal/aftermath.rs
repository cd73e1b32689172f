//! After the sale or the debt in kind: the deposit transfer (AUC-15), the balance (AUC-15) or the top-up (TRAD-5),
//! the ruling (TRAD-8, AUC-24) and the handover (TRAD-9). Every payment goes to the case's account (FUND-1).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::debt_in_kind::DebtInKindBasis;
use super::error::DisposalError;
use super::limits::{LimitKind, TimeLimit, COURT_SET_DAYS_MAX};
use super::procedure::TerminalKind;
use super::{require_name, Command, Disposal, FundsSource, Outcome, Round, Signal, Stage, Transition};
use crate::calendar::{Calendar, Period};
use crate::money::Money;
use crate::registry::AssetKind;
use crate::valuation::Audience;

/// TRAD-8: the ruling is served within 10 days after full payment.
pub const RULING_DAYS: u32 = 10;
/// TRAD-9: the asset is handed over within 15 days after the ruling.
pub const HANDOVER_DAYS: u32 = 15;

/// How the asset found its new owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "channel", rename_all = "snake_case")]
pub enum SaleChannel {
    Auction { round: Round },
    SellOff,
    DebtInKind { basis: DebtInKindBasis },
}

/// The money, the ruling and the handover after a sale or a debt in kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub channel: SaleChannel,
    /// The buyer (买受人) or the taker (承受人).
    pub buyer: String,
    pub price: Money,
    pub sold_on: NaiveDate,
    /// What the platform transfers within 24 hours: the buyer's deposit, or in a sell-off the prepaid price.
    pub deposit: Money,
    /// What must reach the case account through this lifecycle: the price of a sale, the top-up of a debt in kind.
    pub amount_due: Money,
    pub received: Money,
    pub deposit_transferred_on: Option<NaiveDate>,
    pub balance_due_on: Option<NaiveDate>,
    /// AUC-15, open until the platform transfers.
    pub deposit_transfer: Option<TimeLimit>,
    /// AUC-15, open until the balance is paid.
    pub balance: Option<TimeLimit>,
    /// TRAD-5, open until the top-up is paid.
    pub top_up: Option<TimeLimit>,
    pub paid_in_full_on: Option<NaiveDate>,
    /// TRAD-8, open from full payment until the ruling is served.
    pub ruling: Option<TimeLimit>,
    pub ruling_served_on: Option<NaiveDate>,
    /// TRAD-9, open from the ruling until the handover.
    pub handover: Option<TimeLimit>,
    /// AUC-14: the buyers already excluded, carried into a resale.
    pub excluded_bidders: Vec<String>,
    /// SELL-6: in a sell-off, what the buyer forfeits on backing out — the deposit the notice stated, out of the
    /// prepaid price. `None` in an auction, which forfeits the whole deposit (AUC-14), and in a debt in kind.
    #[serde(default)]
    pub forfeit_on_default: Option<Money>,
}

impl Settlement {
    /// A sale: the deposit (or the prepaid sell-off price) is transferred within 24 hours of the sale (AUC-15), the
    /// balance is due by the announced date (AUC-15).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn after_sale(
        channel: SaleChannel,
        buyer: String,
        price: Money,
        deposit: Money,
        sold_at: DateTime<Utc>,
        balance_due_on: Option<NaiveDate>,
        excluded_bidders: Vec<String>,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Settlement {
        let deposit = deposit.min(price);
        let deposit_transfer =
            (deposit.fen() > 0).then(|| TimeLimit::hours_24(LimitKind::DepositTransfer, None, crate::clock::local_date(sold_at), calendar));
        let balance = match balance_due_on {
            Some(due) if price > deposit => {
                let due = due
                    .max(today.succ_opt().unwrap_or(today))
                    .min(today + chrono::Days::new(COURT_SET_DAYS_MAX.into()));
                Some(TimeLimit::court_set(LimitKind::Balance, None, today, due, calendar))
            }
            Some(_) | None => None,
        };
        Settlement {
            channel,
            buyer,
            price,
            sold_on: crate::clock::local_date(sold_at),
            deposit,
            amount_due: price,
            received: Money::ZERO,
            deposit_transferred_on: None,
            balance_due_on: balance.as_ref().map(|limit| limit.due_date),
            deposit_transfer,
            balance,
            top_up: None,
            paid_in_full_on: None,
            ruling: None,
            ruling_served_on: None,
            handover: None,
            excluded_bidders,
            forfeit_on_default: None,
        }
    }

    pub(crate) fn for_each_open_limit(&mut self, visit: &mut dyn FnMut(&mut TimeLimit)) {
        for limit in [
            &mut self.deposit_transfer,
            &mut self.balance,
            &mut self.top_up,
            &mut self.ruling,
            &mut self.handover,
        ]
        .into_iter()
        .flatten()
        {
            visit(limit);
        }
    }

    pub fn outstanding(&self) -> Money {
        Money::from_fen(self.amount_due.fen() - self.received.fen())
    }

    /// Full payment (TRAD-8): the ruling is due within 10 days.
    pub(crate) fn paid_in_full(&mut self, today: NaiveDate, calendar: &Calendar, draft: &mut super::Draft) {
        self.paid_in_full_on = Some(today);
        for limit in [self.balance.take(), self.top_up.take()].into_iter().flatten() {
            draft.meet(limit.key());
        }
        self.ruling = Some(TimeLimit::start(
            LimitKind::SaleRuling,
            None,
            today,
            Period::Days(RULING_DAYS),
            calendar,
        ));
        draft.outcome(Outcome::PaidInFull { on: today });
    }
}

/// Money for this disposal reached the case account (FUND-1): the platform's transfer, the balance, the top-up, or
/// the proceeds of a self-disposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordPayment {
    pub source: FundsSource,
    pub amount: Money,
    /// The account the money went to; only the case's collection account is accepted.
    pub account: String,
    pub bank_reference: String,
}

/// AUC-13: the platform refunded the other bidders' deposits.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecordDepositsRefunded {}

/// TRAD-8: the sale (or debt-in-kind) ruling was served on the buyer today; ownership passes (AUC-12).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServeSaleRuling {
    /// AUC-24: for real estate under purchase restrictions, the court checked that the buyer stayed eligible.
    pub buyer_eligibility_confirmed: bool,
}

/// TRAD-9: the asset was handed over today.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecordHandover {}

impl Disposal {
    /// Records money received into the case account. In a settlement: the platform's transfer of the deposit
    /// (exactly the deposit), the balance (in parts, up to what is due) or the top-up; full payment starts the TRAD-8
    /// ruling period. In a self-disposal: see `self_disposal`.
    ///
    /// Checks, in order: the date; a settlement or a self-disposal (`out_of_order`, AUC-15); the case account
    /// (`account_not_case_account`, FUND-1); an amount above zero (`amount_not_positive`, FUND-1) and a bank reference
    /// (`name_missing`, FUND-1); a source the stage expects (`payment_not_expected`); the amount
    /// (`payment_amount_mismatch`, `payment_exceeds_amount_due`).
    pub fn record_payment(mut self, command: RecordPayment, today: NaiveDate, calendar: &Calendar) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::RecordPayment(command.clone()))?;
        match &self.stage {
            Stage::Settlement(_) | Stage::SelfDisposal(_) => {}
            Stage::Preparing(_)
            | Stage::Planned(_)
            | Stage::Announced(_)
            | Stage::SecondRoundFailed(_)
            | Stage::SellOff(_)
            | Stage::SellOffFailed(_)
            | Stage::SellOffResale(_)
            | Stage::SelfDisposalApplied(_)
            | Stage::Suspended(_)
            | Stage::Ended(_) => return Err(DisposalError::out_of_order("record_payment", self.stage.name(), "AUC-15")),
        }
        self.check_account(&command.account)?;
        if command.amount.fen() <= 0 {
            return Err(DisposalError::AmountNotPositive {
                field: "amount",
                rule: "FUND-1",
            });
        }
        require_name(&command.bank_reference, "bank_reference", "FUND-1")?;
        if let Stage::SelfDisposal(_) = &self.stage {
            return self.record_self_disposal_proceeds(command, today, draft);
        }
        let Stage::Settlement(settlement) = &mut self.stage else {
            unreachable!("checked above");
        };
        let not_expected = |rule: &'static str| DisposalError::PaymentNotExpected {
            source_kind: command.source.as_str(),
            rule,
        };
        match (command.source, settlement.channel) {
            (FundsSource::DepositTransfer, SaleChannel::Auction { .. } | SaleChannel::SellOff) => {
                if settlement.deposit_transferred_on.is_some() || settlement.deposit.fen() == 0 {
                    return Err(not_expected("AUC-15"));
                }
                if command.amount != settlement.deposit {
                    return Err(DisposalError::PaymentAmountMismatch {
                        amount: command.amount,
                        due: settlement.deposit,
                        rule: "AUC-15",
                    });
                }
                settlement.deposit_transferred_on = Some(today);
                if let Some(limit) = settlement.deposit_transfer.take() {
                    draft.meet(limit.key());
                }
            }
            (FundsSource::Balance, SaleChannel::Auction { .. }) => {
                // The deposit counts toward the price (AUC-13), so the balance is the price less the deposit.
                let deposit_pending = if settlement.deposit_transferred_on.is_some() {
                    0
                } else {
                    settlement.deposit.fen()
                };
                let outstanding = Money::from_fen(settlement.outstanding().fen() - deposit_pending);
                if command.amount > outstanding {
                    return Err(DisposalError::PaymentExceedsAmountDue {
                        amount: command.amount,
                        outstanding,
                        rule: "AUC-15",
                    });
                }
            }
            (FundsSource::TopUp, SaleChannel::DebtInKind { .. }) => {
                if command.amount > settlement.outstanding() {
                    return Err(DisposalError::PaymentExceedsAmountDue {
                        amount: command.amount,
                        outstanding: settlement.outstanding(),
                        rule: "TRAD-5",
                    });
                }
            }
            (FundsSource::DepositTransfer, SaleChannel::DebtInKind { .. })
            | (FundsSource::Balance, SaleChannel::SellOff | SaleChannel::DebtInKind { .. }) => return Err(not_expected("AUC-15")),
            (FundsSource::TopUp, SaleChannel::Auction { .. } | SaleChannel::SellOff) => return Err(not_expected("TRAD-5")),
            (FundsSource::DebtorPayment, _) => return Err(not_expected("TRAD-12")),
            (FundsSource::SelfDisposalProceeds, _) => return Err(not_expected("SELF-4")),
        }
        settlement.received = Money::from_fen(settlement.received.fen() + command.amount.fen());
        draft.signal(Signal::FundsReceived {
            source: command.source,
            amount: command.amount,
            bank_reference: command.bank_reference.trim().to_string(),
            on: today,
        });
        if settlement.outstanding().fen() == 0 && settlement.paid_in_full_on.is_none() {
            settlement.paid_in_full(today, calendar, &mut draft);
        }
        Ok(draft.finish(self))
    }

    /// AUC-13: the other bidders' deposits were refunded.
    ///
    /// Checks, in order: the date; a refund pending (`no_deposits_to_refund`, AUC-13).
    pub fn record_deposits_refunded(
        mut self,
        command: RecordDepositsRefunded,
        today: NaiveDate,
        _calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::RecordDepositsRefunded(command))?;
        let Some(limit) = self.deposit_refund.take() else {
            return Err(DisposalError::NoDepositsToRefund);
        };
        draft.meet(limit.key());
        Ok(draft.finish(self))
    }

    /// TRAD-8: the ruling is served; the asset is to be handed over within 15 days (TRAD-9). Ownership passes with
    /// the ruling (AUC-12, TRAD-9; 民诉法解释 art 491 for a debt in kind): from now on the buyer cannot default, so the
    /// sale's price is final. The seizure has no object left, so its renewal reminder (SEIZ-1) ends
    /// (`Signal::OwnershipPassed`) — not at the sale, since a buyer may still default and the asset be sold again
    /// (AUC-14), and not at the handover, which only delivers what is already the buyer's. Deposits forfeited by
    /// earlier defaulting buyers are allocated now, against this price (AUC-14, see `auction`).
    ///
    /// Checks, in order: the date; a settlement not yet ruled (`out_of_order`, TRAD-8); paid in full
    /// (`not_paid_in_full`, AUC-15); for real estate under purchase restrictions, the buyer's eligibility confirmed
    /// (`buyer_eligibility_unconfirmed`, AUC-24).
    pub fn serve_sale_ruling(
        mut self,
        command: ServeSaleRuling,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::ServeSaleRuling(command.clone()))?;
        let restricted = self.purchase_restricted && self.asset_kind == AssetKind::RealEstate;
        let stage = self.stage.name();
        let Stage::Settlement(settlement) = &mut self.stage else {
            return Err(DisposalError::out_of_order("serve_sale_ruling", stage, "TRAD-8"));
        };
        if settlement.ruling_served_on.is_some() {
            return Err(DisposalError::out_of_order("serve_sale_ruling", stage, "TRAD-8"));
        }
        if settlement.paid_in_full_on.is_none() {
            return Err(DisposalError::NotPaidInFull {
                outstanding: settlement.outstanding(),
            });
        }
        if restricted && !command.buyer_eligibility_confirmed {
            return Err(DisposalError::BuyerEligibilityUnconfirmed);
        }
        if let Some(limit) = settlement.ruling.take() {
            draft.meet(limit.key());
        }
        settlement.ruling_served_on = Some(today);
        settlement.handover = Some(TimeLimit::start(
            LimitKind::Handover,
            None,
            today,
            Period::Days(HANDOVER_DAYS),
            calendar,
        ));
        draft.notify(
            Audience::Staff,
            "TRAD-9",
            format!("the ruling is served on {}; hand the asset over within 15 days", settlement.buyer),
        );
        let (owner, price) = (settlement.buyer.clone(), settlement.price);
        draft.signal(Signal::OwnershipPassed { owner, on: today });
        self.allocate_forfeits(Some(price), today, &mut draft);
        Ok(draft.finish(self))
    }

    /// TRAD-9: the asset was handed over; the disposal ends.
    ///
    /// Checks, in order: the date; the ruling served (`out_of_order`, TRAD-9).
    pub fn record_handover(mut self, command: RecordHandover, today: NaiveDate, _calendar: &Calendar) -> Result<Transition, DisposalError> {
        let mut draft = self.draft(today, Command::RecordHandover(command))?;
        let stage = self.stage.name();
        let Stage::Settlement(settlement) = &mut self.stage else {
            return Err(DisposalError::out_of_order("record_handover", stage, "TRAD-9"));
        };
        let Some(limit) = settlement.handover.take() else {
            return Err(DisposalError::out_of_order("record_handover", stage, "TRAD-9"));
        };
        draft.meet(limit.key());
        self.end(TerminalKind::HandedOver, today, &mut draft);
        Ok(draft.finish(self))
    }
}
