//! Cash receipts (现金收款, FUND-2: 款物规定 as copied by local courts' rules). Cash is collected only by at least two
//! officers, who give the payer a receipt and make a written record; they hand it to finance on the day they return
//! to court, or at the latest the next day with an explanation.
//!
//! ```text
//! record (two officers, receipt, dates, explanation) → awaiting deposit   [receipt_in_transit: in transit → case held]
//!     → deposited (finance gives the bank's reference of its deposit; it may correct it until the line is seen)
//!     → cleared (the statement line with that reference)                 [clear_in_transit: bank → in transit]
//! ```
//!
//! The cash becomes the case's money when it is recorded, exactly as a receipt the disposal side reports (AUC-15):
//! it waits in `in_transit` — an asset of the court that the bank has not yet seen — until finance's deposit shows on
//! the bank statement, so the bank account's ledger balance stays what the statement says (SPEC §4) and a receipt
//! never deposited stays visible as an open in-transit amount.
//!
//! The handover limit. "次日" is read as a period of one day under PER-1/PER-2 (PER-9: the management deadlines of
//! the execution-fund rules are periods too): day 1 is the day after the return, and a last day that is a rest day
//! moves to the next working day, so officers back on a Friday evening hand over on Monday at the latest, and officers
//! back on 30 September 2025 by 9 October (HOL-2025). A handover after that is recorded — the money exists and must
//! reach the case — but as a breach of FUND-2 (`HandoverTiming::Late`), which the engine escalates to the supervisors.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::accounts::CaseId;
use super::error::LedgerError;
use super::journal::{self, Entry};
use super::limits::{LedgerLimit, LedgerLimitKind};
use super::{Draft, Outcome, Transition};
use crate::calendar::{Calendar, Period};
use crate::money::Money;

/// FUND-2: cash is collected by at least two officers (两名以上执行人员).
pub const CASH_OFFICERS_MIN: usize = 2;

/// FUND-2: cash is handed to finance at the latest the day after the return to court ("最迟次日").
pub const HANDOVER_PERIOD: Period = Period::Days(1);

/// When the cash reached finance, measured against FUND-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverTiming {
    /// On the day the officers returned to court: what the rule asks.
    SameDay,
    /// After the return day but by the handover limit ("最迟次日"): allowed with an explanation (说明情况).
    NextDay,
    /// After the limit: recorded with an explanation, as a breach of FUND-2 that escalates to the supervisors.
    Late,
}

impl HandoverTiming {
    pub fn as_str(self) -> &'static str {
        match self {
            HandoverTiming::SameDay => "same_day",
            HandoverTiming::NextDay => "next_day",
            HandoverTiming::Late => "late",
        }
    }

    pub fn parse(text: &str) -> Option<HandoverTiming> {
        [HandoverTiming::SameDay, HandoverTiming::NextDay, HandoverTiming::Late]
            .into_iter()
            .find(|timing| timing.as_str() == text)
    }

    /// Whether the handover must be explained in writing.
    pub fn needs_explanation(self) -> bool {
        match self {
            HandoverTiming::SameDay => false,
            HandoverTiming::NextDay | HandoverTiming::Late => true,
        }
    }

    /// Whether the handover broke FUND-2.
    pub fn breaches_fund_2(self) -> bool {
        match self {
            HandoverTiming::SameDay | HandoverTiming::NextDay => false,
            HandoverTiming::Late => true,
        }
    }
}

/// A cash receipt as the execution side records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCash {
    pub case_id: CaseId,
    /// The number of the receipt given to the payer (收据号); unique in the court.
    pub receipt_number: String,
    pub amount: Money,
    /// The officers who collected the cash: at least two different people.
    pub officers: Vec<String>,
    /// Who paid, as the receipt names them; may be empty.
    pub payer: String,
    pub collected_on: NaiveDate,
    /// The day the officers were back at court.
    pub returned_on: NaiveDate,
    /// The day finance received the cash.
    pub handed_over_on: NaiveDate,
    /// Why the handover was not on the return day (required then, FUND-2).
    pub explanation: Option<String>,
}

/// Where the cash stands between finance and the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum CashStage {
    /// Finance holds the cash; the case is credited, in transit.
    AwaitingDeposit,
    /// Finance paid it into the court's account; the statement line with `bank_reference` will clear it.
    Deposited { bank_reference: String, deposited_on: NaiveDate },
    /// The statement showed the deposit: in transit → bank.
    Cleared {
        bank_reference: String,
        deposited_on: NaiveDate,
        cleared_on: NaiveDate,
    },
}

impl CashStage {
    pub fn name(&self) -> &'static str {
        match self {
            CashStage::AwaitingDeposit => "awaiting_deposit",
            CashStage::Deposited { .. } => "deposited",
            CashStage::Cleared { .. } => "cleared",
        }
    }
}

/// One cash receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashReceipt {
    pub case_id: CaseId,
    pub receipt_number: String,
    pub amount: Money,
    /// The officers, trimmed, each once, in the order given.
    pub officers: Vec<String>,
    pub payer: String,
    pub collected_on: NaiveDate,
    pub returned_on: NaiveDate,
    pub handed_over_on: NaiveDate,
    /// The last lawful day of the handover (FUND-2, PER-1).
    pub handover_due_on: NaiveDate,
    pub timing: HandoverTiming,
    pub explanation: Option<String>,
    pub stage: CashStage,
}

/// The officers as named: trimmed, each once, in the order given. An empty name is refused.
fn distinct_officers(officers: &[String]) -> Result<Vec<String>, LedgerError> {
    let mut distinct: Vec<String> = Vec::new();
    for officer in officers {
        let name = officer.trim();
        if name.is_empty() {
            return Err(LedgerError::NameMissing {
                field: "officer",
                rule: "FUND-2",
            });
        }
        if !distinct.iter().any(|known| known == name) {
            distinct.push(name.to_string());
        }
    }
    Ok(distinct)
}

impl CashReceipt {
    /// Records cash collected for a case (FUND-2). Checks, in order: the receipt number named (`name_missing`); every
    /// officer named (`name_missing`) and at least two different officers (`cash_officers_too_few`); the amount above
    /// zero (`amount_not_positive`); no date after today (`date_after_today`); the return not before the collection
    /// (`cash_returned_before_collected`); the handover not before the return (`cash_handed_over_before_return`); an
    /// explanation unless the handover was on the return day (`cash_handover_explanation_missing`).
    ///
    /// The transition carries the `receipt_in_transit` entry that credits the case, and a `CashReceived` outcome
    /// saying whether FUND-2 was breached. It opens no node: the handover has already happened when it is recorded;
    /// the engine records the handover limit as a node met on the handover day (see `handover_limit`).
    pub fn record(command: RecordCash, today: NaiveDate, calendar: &Calendar) -> Result<Transition<CashReceipt>, LedgerError> {
        let mut draft = Draft::begin(today, today, Vec::new())?;
        let receipt_number = command.receipt_number.trim().to_string();
        if receipt_number.is_empty() {
            return Err(LedgerError::NameMissing {
                field: "receipt number",
                rule: "FUND-2",
            });
        }
        let officers = distinct_officers(&command.officers)?;
        if officers.len() < CASH_OFFICERS_MIN {
            return Err(LedgerError::CashOfficersTooFew {
                distinct: officers.len(),
                required: CASH_OFFICERS_MIN,
            });
        }
        if command.amount.fen() <= 0 {
            return Err(LedgerError::AmountNotPositive { rule: "FUND-2" });
        }
        for (what, date) in [
            ("collection", command.collected_on),
            ("return to court", command.returned_on),
            ("handover", command.handed_over_on),
        ] {
            if date > today {
                return Err(LedgerError::DateAfterToday { what, date, today });
            }
        }
        if command.returned_on < command.collected_on {
            return Err(LedgerError::CashReturnedBeforeCollected {
                collected_on: command.collected_on,
                returned_on: command.returned_on,
            });
        }
        if command.handed_over_on < command.returned_on {
            return Err(LedgerError::CashHandedOverBeforeReturn {
                returned_on: command.returned_on,
                handed_over_on: command.handed_over_on,
            });
        }
        let limit = LedgerLimit::start(
            LedgerLimitKind::CashHandover,
            receipt_number.clone(),
            command.returned_on,
            HANDOVER_PERIOD,
            calendar,
        );
        let timing = handover_timing(command.returned_on, command.handed_over_on, limit.due_date);
        let explanation = command
            .explanation
            .map(|text| text.trim().to_string())
            .filter(|text| !text.is_empty());
        if timing.needs_explanation() && explanation.is_none() {
            return Err(LedgerError::CashHandoverExplanationMissing {
                returned_on: command.returned_on,
                handed_over_on: command.handed_over_on,
                handover_due_on: limit.due_date,
            });
        }
        let receipt = CashReceipt {
            case_id: command.case_id,
            receipt_number,
            amount: command.amount,
            officers,
            payer: command.payer.trim().to_string(),
            collected_on: command.collected_on,
            returned_on: command.returned_on,
            handed_over_on: command.handed_over_on,
            handover_due_on: limit.due_date,
            timing,
            explanation,
            stage: CashStage::AwaitingDeposit,
        };
        draft.entry(receipt.entry());
        draft.outcome(Outcome::CashReceived {
            receipt_number: receipt.receipt_number.clone(),
            amount: receipt.amount,
            timing,
            handover_due_on: limit.due_date,
            fund_2_breached: timing.breaches_fund_2(),
        });
        Ok(draft.finish(receipt, Vec::new()))
    }

    /// The entry that credits the case: in transit until the statement shows finance's deposit.
    pub fn entry(&self) -> Entry {
        journal::receipt_in_transit(self.case_id, self.amount).with_memo(format!(
            "现金收款（待存入银行） cash receipt {} for case {}",
            self.receipt_number, self.case_id
        ))
    }

    /// The handover limit (`ledger.cash.handover:<receipt number>`, FUND-2): one day from the return, PER-1.
    pub fn handover_limit(&self, calendar: &Calendar) -> LedgerLimit {
        LedgerLimit::start(
            LedgerLimitKind::CashHandover,
            self.receipt_number.clone(),
            self.returned_on,
            HANDOVER_PERIOD,
            calendar,
        )
    }

    /// Finance deposited the cash in the court's account on `deposited_on`; the bank's reference of the deposit is
    /// how the statement line will be recognised. A deposit recorded already may be corrected (a mistyped reference)
    /// until its statement line has cleared it. Checks, in order: the stage awaiting deposit or deposited
    /// (`out_of_order`); the reference named (`name_missing`); the deposit not after today (`date_after_today`) nor
    /// before the handover (`date_before_previous_step`).
    pub fn record_deposit(mut self, bank_reference: &str, deposited_on: NaiveDate, today: NaiveDate) -> Result<CashReceipt, LedgerError> {
        match &self.stage {
            CashStage::AwaitingDeposit | CashStage::Deposited { .. } => {}
            CashStage::Cleared { .. } => {
                return Err(LedgerError::out_of_order(
                    "record_deposit",
                    "cash receipt",
                    self.stage.name(),
                    "FUND-2",
                ))
            }
        }
        let bank_reference = bank_reference.trim();
        if bank_reference.is_empty() {
            return Err(LedgerError::NameMissing {
                field: "bank reference",
                rule: "FUND-2",
            });
        }
        if deposited_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "deposit",
                date: deposited_on,
                today,
            });
        }
        if deposited_on < self.handed_over_on {
            return Err(LedgerError::DateBeforePreviousStep {
                what: "deposit",
                date: deposited_on,
                earliest: self.handed_over_on,
            });
        }
        self.stage = CashStage::Deposited {
            bank_reference: bank_reference.to_string(),
            deposited_on,
        };
        Ok(self)
    }

    /// The statement line of the deposit was imported on `cleared_on`. Only a deposited receipt clears
    /// (`out_of_order`).
    pub fn clear(mut self, cleared_on: NaiveDate) -> Result<CashReceipt, LedgerError> {
        let CashStage::Deposited {
            bank_reference,
            deposited_on,
        } = &self.stage
        else {
            return Err(LedgerError::out_of_order("clear", "cash receipt", self.stage.name(), "FUND-2"));
        };
        self.stage = CashStage::Cleared {
            bank_reference: bank_reference.clone(),
            deposited_on: *deposited_on,
            cleared_on,
        };
        Ok(self)
    }
}

/// FUND-2: the handover on the return day is what the rule asks; by `handover_due_on` it needs an explanation; after
/// it, it is a breach.
pub fn handover_timing(returned_on: NaiveDate, handed_over_on: NaiveDate, handover_due_on: NaiveDate) -> HandoverTiming {
    if handed_over_on <= returned_on {
        HandoverTiming::SameDay
    } else if handed_over_on <= handover_due_on {
        HandoverTiming::NextDay
    } else {
        HandoverTiming::Late
    }
}
