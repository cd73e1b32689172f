//! Cash receipts (现金收款, FUND-2): the execution side records cash two officers collected; finance records its
//! deposit at the bank; the statement line of that deposit clears it. The pure `crate::ledger::CashReceipt` decides;
//! this shell stores the receipt, its journal entry, its handover node, any alert and the audit event in one
//! transaction (STYLE habit 10).
//!
//! Who does what (SPEC §1):
//! - assistants and judges record the cash (the officers are the execution department's); the receipt number is the
//!   receipt given to the payer, unique in the court, and the journal entry's source (`cash:<receipt number>`), so
//!   recording the same receipt again changes nothing and answers with the record (`exists`), while the same number
//!   with other facts is refused (`cash_receipt_number_taken`);
//! - finance records the deposit (`bank_reference`, `deposited_on`): that is finance's confirmation that it received
//!   the cash, and the bank's reference is how the statement line of the deposit is recognised. Until that line
//!   clears it, finance may record the deposit again to correct a mistyped reference.
//!
//! The money. Recording posts `receipt_in_transit` (in transit → case held): the case has the money at once, and the
//! bank account's ledger balance still equals the statement's. The statement line whose reference finance gave — a
//! credit of the same amount matched to the same case (paid into its collection account or naming its case number,
//! FUND-1) — posts `clear_in_transit` (bank → in transit) instead of a new receipt. If that line was imported before
//! finance gave its reference, it was credited to the case as an ordinary receipt; recording the deposit then posts
//! `clear_in_transit_from_case` (case held → in transit), which takes the second credit back. A line that does not
//! fit (another case, another amount, in suspense, a debit) is refused (`cash_deposit_line_mismatch`) and changes
//! nothing. Until the deposit clears, the amount is visible in `in_transit` and in the reconciliation.
//!
//! The FUND-2 breach. A handover after the limit (one day after the return, rolled past rest days: PER-1) is
//! recorded, with its explanation, and flagged three ways in the same transaction: the handover node
//! (`ledger.cash.handover:<receipt number>`, met on the handover day) gets an `overdue` alert for the supervisors —
//! in `GET /api/v1/alerts` and as an `alert.overdue` outbox message, like the sweep's escalations; the audit event
//! carries `rule_id` FUND-2 and the code `cash_handover_late`; and the receipt shows `fund_2_breached`.

use super::Engine;
use crate::audit::EventDraft;
use crate::auth::{Principal, Role};
use crate::clock::local_date;
use crate::error::{Code, Outcome, Refusal};
use crate::ledger::{self, CashReceipt, CashStage, HandoverTiming, RecordCash};
use crate::money::Money;
use crate::nodes::AlertKind;
use crate::registry::check_text;
use crate::store::{self, cash::CashRow, nodes::KeyedChange, nodes::NodeInsert};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The longest receipt number, officer's name or bank reference chuzhi keeps.
const NAME_MAX_CHARS: usize = 64;
/// The longest payer's name.
const PAYER_MAX_CHARS: usize = 200;
/// The longest explanation.
const EXPLANATION_MAX_CHARS: usize = 2_000;
/// The most officers one receipt names.
const OFFICERS_MAX: usize = 20;

/// Cash collected for a case, as the execution side records it (FUND-2).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashReceiptRequest {
    /// The number of the receipt given to the payer (收据号); unique in the court.
    pub receipt_number: String,
    #[schema(value_type = String)]
    pub amount: Money,
    /// The officers who collected it: at least two different people (`cash_officers_too_few`, FUND-2).
    pub officers: Vec<String>,
    /// Who paid, as the receipt names them.
    #[serde(default)]
    pub payer: Option<String>,
    #[serde(deserialize_with = "crate::date::strict")]
    #[schema(value_type = String, format = Date)]
    pub collected_on: NaiveDate,
    /// The day the officers were back at court.
    #[serde(deserialize_with = "crate::date::strict")]
    #[schema(value_type = String, format = Date)]
    pub returned_on: NaiveDate,
    /// The day finance received the cash: the return day, or at the latest the next (rolled past rest days).
    #[serde(deserialize_with = "crate::date::strict")]
    #[schema(value_type = String, format = Date)]
    pub handed_over_on: NaiveDate,
    /// Required unless the cash was handed over on the return day (说明情况).
    #[serde(default)]
    pub explanation: Option<String>,
}

/// Finance's deposit of the cash at the bank.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashDepositRequest {
    /// The bank's reference of the deposit, as the statement line will carry it.
    pub bank_reference: String,
    #[serde(deserialize_with = "crate::date::strict")]
    #[schema(value_type = String, format = Date)]
    pub deposited_on: NaiveDate,
}

/// A cash receipt as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CashReceiptView {
    pub id: i64,
    pub case_id: i64,
    pub receipt_number: String,
    #[schema(value_type = String)]
    pub amount: Money,
    pub officers: Vec<String>,
    pub payer: String,
    #[schema(value_type = String, format = Date)]
    pub collected_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub returned_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub handed_over_on: NaiveDate,
    /// FUND-2: the last lawful day of the handover.
    #[schema(value_type = String, format = Date)]
    pub handover_due_on: NaiveDate,
    /// same_day, next_day (explained) or late (explained, a FUND-2 breach).
    pub handover_timing: String,
    pub fund_2_breached: bool,
    pub explanation: Option<String>,
    /// awaiting_deposit, deposited or cleared.
    pub stage: String,
    pub deposit_reference: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub deposited_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub cleared_on: Option<NaiveDate>,
    pub statement_line_id: Option<i64>,
    /// The `receipt_in_transit` entry that credited the case.
    pub entry_id: i64,
    /// The handover node (FUND-2).
    pub node_id: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

fn view(row: CashRow) -> Outcome<CashReceiptView> {
    let officers: Vec<String> = serde_json::from_str(&row.officers).map_err(Refusal::internal)?;
    let timing = HandoverTiming::parse(&row.handover_timing)
        .ok_or_else(|| Refusal::internal(format!("cash receipt {} has timing {}", row.id, row.handover_timing)))?;
    Ok(CashReceiptView {
        id: row.id,
        case_id: row.case_id,
        receipt_number: row.receipt_number,
        amount: Money::from_fen(row.amount_fen),
        officers,
        payer: row.payer,
        collected_on: row.collected_on,
        returned_on: row.returned_on,
        handed_over_on: row.handed_over_on,
        handover_due_on: row.handover_due_on,
        handover_timing: row.handover_timing,
        fund_2_breached: timing.breaches_fund_2(),
        explanation: row.explanation,
        stage: row.stage,
        deposit_reference: row.deposit_reference,
        deposited_on: row.deposited_on,
        cleared_on: row.cleared_on,
        statement_line_id: row.statement_line_id,
        entry_id: row.entry_id,
        node_id: row.node_id,
        recorded_by: row.recorded_by,
        recorded_at: row.recorded_at,
    })
}

/// The stored receipt as the core keeps it, for the deposit's transition.
fn core_receipt(row: &CashRow) -> Outcome<CashReceipt> {
    let timing = HandoverTiming::parse(&row.handover_timing)
        .ok_or_else(|| Refusal::internal(format!("cash receipt {} has timing {}", row.id, row.handover_timing)))?;
    let stage = match (row.stage.as_str(), &row.deposit_reference, row.deposited_on, row.cleared_on) {
        ("awaiting_deposit", _, _, _) => CashStage::AwaitingDeposit,
        ("deposited", Some(reference), Some(deposited_on), _) => CashStage::Deposited {
            bank_reference: reference.clone(),
            deposited_on,
        },
        ("cleared", Some(reference), Some(deposited_on), Some(cleared_on)) => CashStage::Cleared {
            bank_reference: reference.clone(),
            deposited_on,
            cleared_on,
        },
        (stage, ..) => return Err(Refusal::internal(format!("cash receipt {} is {stage} without its deposit", row.id))),
    };
    Ok(CashReceipt {
        case_id: row.case_id,
        receipt_number: row.receipt_number.clone(),
        amount: Money::from_fen(row.amount_fen),
        officers: serde_json::from_str(&row.officers).map_err(Refusal::internal)?,
        payer: row.payer.clone(),
        collected_on: row.collected_on,
        returned_on: row.returned_on,
        handed_over_on: row.handed_over_on,
        handover_due_on: row.handover_due_on,
        timing,
        explanation: row.explanation.clone(),
        stage,
    })
}

/// The shell's own refusals of cash receipts: what the core cannot know because it lies in the stored records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CashError {
    #[error("bank reference {reference} is already the deposit of cash receipt {receipt_number}")]
    DepositReferenceTaken { reference: String, receipt_number: String },
    #[error("the statement line {reference} imported on {booked_on} is not this cash: {why}")]
    DepositLineMismatch {
        reference: String,
        booked_on: NaiveDate,
        why: String,
        details: serde_json::Value,
    },
}

impl From<CashError> for Refusal {
    fn from(error: CashError) -> Self {
        let (code, details) = match &error {
            CashError::DepositReferenceTaken { .. } => ("cash_deposit_reference_taken", serde_json::Value::Null),
            CashError::DepositLineMismatch { details, .. } => ("cash_deposit_line_mismatch", details.clone()),
        };
        Refusal::rule_violation(code, "FUND-2", error.to_string()).with_details(details)
    }
}

fn not_found(receipt_id: i64) -> Refusal {
    Refusal::new(Code::InvalidPath, format!("there is no cash receipt {receipt_id} in your court"))
}

impl Engine {
    /// Records cash collected for a case (assistants and judges; FUND-2). Checks, in order: the role; the text of
    /// the fields (`invalid_field`); the case (in the caller's court); a receipt with the same number (the same facts
    /// answer with that record, `created` false; other facts are refused, `cash_receipt_number_taken`); then the
    /// core's checks (two officers, the dates in order, the explanation). Posts the in-transit receipt, records the
    /// handover node met, and — for a late handover — raises the supervisors' alert, all with the audit event.
    pub async fn record_cash_receipt(
        &self,
        principal: &Principal,
        case_id: i64,
        request: CashReceiptRequest,
    ) -> Outcome<(bool, CashReceiptView)> {
        match principal.role {
            Role::Assistant | Role::Judge => {}
            Role::Finance | Role::Supervisor | Role::Admin => {
                return Err(Refusal::new(
                    Code::RoleNotAllowed,
                    format!(
                        "cash is recorded by the execution department that collected it, not the role {}; finance records the deposit",
                        principal.role
                    ),
                )
                .with_rule("FUND-2"))
            }
        }
        check_text("receipt_number", &request.receipt_number, NAME_MAX_CHARS, false)?;
        if request.officers.len() > OFFICERS_MAX {
            return Err(
                Refusal::new(Code::InvalidField, format!("officers lists at most {OFFICERS_MAX} names"))
                    .with_details(serde_json::json!({ "field": "officers" })),
            );
        }
        for officer in &request.officers {
            check_text("officers", officer, NAME_MAX_CHARS, false)?;
        }
        if let Some(payer) = &request.payer {
            check_text("payer", payer, PAYER_MAX_CHARS, false)?;
        }
        if let Some(explanation) = &request.explanation {
            check_text("explanation", explanation, EXPLANATION_MAX_CHARS, true)?;
        }
        let now = self.now();
        let today = local_date(now);
        let mut write = self.db.begin_write(now).await?;
        store::registry::case_in_court_tx(&mut write.tx, principal.court_id, case_id)
            .await?
            .ok_or_else(|| Refusal::new(Code::CaseNotFound, format!("there is no case {case_id} in your court")))?;
        let command = RecordCash {
            case_id,
            receipt_number: request.receipt_number.clone(),
            amount: request.amount,
            officers: request.officers.clone(),
            payer: request.payer.clone().unwrap_or_default(),
            collected_on: request.collected_on,
            returned_on: request.returned_on,
            handed_over_on: request.handed_over_on,
            explanation: request.explanation.clone(),
        };
        if let Some(existing) = store::cash::by_number_tx(&mut write.tx, principal.court_id, request.receipt_number.trim()).await? {
            // A retried command answers with what it recorded (TigerBeetle's `exists`); the same number for other
            // facts is another receipt, or a typing error, and is refused.
            let stored = core_receipt(&existing)?;
            let same = stored.case_id == case_id
                && stored.amount == request.amount
                && stored.officers == distinct_trimmed(&request.officers)
                && stored.payer == command.payer.trim()
                && (stored.collected_on, stored.returned_on, stored.handed_over_on)
                    == (request.collected_on, request.returned_on, request.handed_over_on)
                && stored.explanation.as_deref() == request.explanation.as_deref().map(str::trim).filter(|text| !text.is_empty());
            if same {
                return Ok((false, view(existing)?));
            }
            return Err(Refusal::new(
                Code::CashReceiptNumberTaken,
                format!(
                    "receipt {} is already recorded (cash receipt {}, case {}) with other facts",
                    existing.receipt_number, existing.id, existing.case_id
                ),
            )
            .with_details(serde_json::json!({ "cash_receipt_id": existing.id, "case_id": existing.case_id })));
        }
        let ledger::Transition {
            state, entries, outcomes, ..
        } = CashReceipt::record(command, today, &self.calendar)?;
        let source = format!("cash:{}", state.receipt_number);
        let [entry] = entries.as_slice() else {
            return Err(Refusal::internal(format!("a cash receipt posts one entry, not {}", entries.len())));
        };
        let entry_id = self
            .post_entry(&mut write.tx, write.seq, principal.court_id, entry, &source, now)
            .await?
            .ok_or_else(|| Refusal::internal(format!("entry {source} was posted before its cash receipt")))?;
        // The handover limit as a node, met on the handover day: the case's timeline shows it, explained.
        let limit = state.handover_limit(&self.calendar);
        let key = limit.key();
        let plan = limit.plan();
        let node_id = store::nodes::insert_node(
            &mut write.tx,
            &NodeInsert {
                court_id: principal.court_id,
                case_id,
                asset_id: None,
                plan: &plan,
                dates: plan.dates(&self.calendar),
                created_at: now,
                node_key: Some(&key.0),
            },
        )
        .await?;
        if store::payouts::change_case_node(&mut write.tx, case_id, &key.0, KeyedChange::Meet, now).await? != 1 {
            return Err(Refusal::internal(format!("case {case_id}: node {} was not met", key.0)));
        }
        let alert_id = if state.timing.breaches_fund_2() {
            let alert_id = store::nodes::insert_alert(
                &mut write.tx,
                node_id,
                principal.court_id,
                AlertKind::Overdue,
                state.handover_due_on,
                today,
                now,
                write.seq,
            )
            .await?;
            store::nodes::enqueue_alert(&mut write.tx, alert_id, now).await?;
            Some(alert_id)
        } else {
            None
        };
        let officers = serde_json::to_string(&state.officers).map_err(Refusal::internal)?;
        let id = store::cash::insert(
            &mut write.tx,
            &store::cash::CashInsert {
                court_id: principal.court_id,
                case_id,
                receipt_number: &state.receipt_number,
                amount_fen: state.amount.fen(),
                officers: &officers,
                payer: &state.payer,
                collected_on: state.collected_on,
                returned_on: state.returned_on,
                handed_over_on: state.handed_over_on,
                handover_due_on: state.handover_due_on,
                handover_timing: state.timing.as_str(),
                explanation: state.explanation.as_deref(),
                recorded_by: &principal.user,
                recorded_at: now,
                entry_id,
                node_id,
            },
        )
        .await
        .map_err(|error| store::map_unique(error, Code::CashReceiptNumberTaken, "this receipt number was recorded concurrently"))?;
        let mut event = EventDraft::change(
            &principal.actor(),
            "cash.record_receipt",
            format!("cash_receipt:{id}"),
            serde_json::json!({
                "cash_receipt_id": id,
                "case_id": case_id,
                "receipt_number": state.receipt_number,
                "amount": state.amount,
                "officers": state.officers,
                "collected_on": state.collected_on,
                "returned_on": state.returned_on,
                "handed_over_on": state.handed_over_on,
                "handover_due_on": state.handover_due_on,
                "handover_timing": state.timing.as_str(),
                "fund_2_breached": state.timing.breaches_fund_2(),
                "entry_id": entry_id,
                "node_id": node_id,
                "alert_id": alert_id,
                "outcomes": outcomes,
            }),
        );
        // The explanation FUND-2 asks for is the event's reason; a late handover flags the event with its rule.
        event.reason = state.explanation.clone();
        if state.timing.breaches_fund_2() {
            event.rule_id = Some("FUND-2".to_string());
            event.code = Some("cash_handover_late".to_string());
        }
        write.commit(event).await?;
        let row = store::cash::of_case(&self.db, principal.court_id, case_id)
            .await?
            .into_iter()
            .find(|row| row.id == id)
            .ok_or_else(|| Refusal::internal(format!("cash receipt {id} vanished")))?;
        Ok((true, view(row)?))
    }

    /// The cash receipts of a case, oldest first (every role of the court).
    pub async fn cash_receipts(&self, principal: &Principal, case_id: i64) -> Outcome<Vec<CashReceiptView>> {
        store::registry::case_in_court(&self.db, principal.court_id, case_id)
            .await?
            .ok_or_else(|| Refusal::new(Code::CaseNotFound, format!("there is no case {case_id} in your court")))?;
        store::cash::of_case(&self.db, principal.court_id, case_id)
            .await?
            .into_iter()
            .map(view)
            .collect()
    }

    /// Finance deposited the cash at the bank (finance; FUND-2). Checks, in order: the role; the reference's text
    /// (`invalid_field`); the receipt (in the caller's court); the core's checks (awaiting deposit, the dates); the
    /// reference not the deposit of another receipt (`cash_deposit_reference_taken`); and, when the statement line
    /// with that reference was imported already, that it is this cash (`cash_deposit_line_mismatch`) — then the
    /// second credit it gave the case is taken back and the receipt is cleared at once.
    pub async fn record_cash_deposit(
        &self,
        principal: &Principal,
        receipt_id: i64,
        request: CashDepositRequest,
    ) -> Outcome<CashReceiptView> {
        if principal.role != Role::Finance {
            return Err(Refusal::new(
                Code::RoleNotAllowed,
                format!("the deposit of cash is recorded by finance, not the role {}", principal.role),
            )
            .with_rule("FUND-2"));
        }
        check_text("bank_reference", &request.bank_reference, NAME_MAX_CHARS, false)?;
        let reference = crate::statements::canonical_reference(request.bank_reference.trim()).into_owned();
        let now = self.now();
        let today = local_date(now);
        let mut write = self.db.begin_write(now).await?;
        let row = store::cash::for_update(&mut write.tx, principal.court_id, receipt_id)
            .await?
            .ok_or_else(|| not_found(receipt_id))?;
        let receipt = core_receipt(&row)?.record_deposit(&reference, request.deposited_on, today)?;
        if let Some(receipt_number) = store::cash::deposit_reference_used(&mut write.tx, principal.court_id, row.id, &reference).await? {
            return Err(CashError::DepositReferenceTaken { reference, receipt_number }.into());
        }
        if store::cash::record_deposit(&mut write.tx, row.id, &reference, request.deposited_on, &principal.user).await? != 1 {
            return Err(Refusal::internal(format!("cash receipt {receipt_id} changed underneath")));
        }
        let imported = store::cash::imported_lines(&mut write.tx, principal.court_id, &reference).await?;
        let corrects = row.deposit_reference.clone();
        let mut cleared = None;
        if let Some(line) = imported.first() {
            let why = if imported.len() > 1 {
                Some("the reference names lines of several bank accounts".to_string())
            } else if line.direction != "credit" {
                Some("it is money out of the account".to_string())
            } else if line.amount_fen != row.amount_fen {
                Some(format!(
                    "its amount is {}, the cash {}",
                    Money::from_fen(line.amount_fen),
                    receipt.amount
                ))
            } else if line.case_id != Some(row.case_id) || line.entry_kind.as_deref() != Some("receipt") {
                Some(match line.match_kind.as_str() {
                    "suspense" => "it is held in suspense as unidentified funds; claim it there".to_string(),
                    _ => format!(
                        "it was credited to {} as {}",
                        line.case_id
                            .map(|case| format!("case {case}"))
                            .unwrap_or_else(|| "no case".to_string()),
                        line.entry_kind.as_deref().unwrap_or("nothing")
                    ),
                })
            } else {
                None
            };
            if let Some(why) = why {
                return Err(CashError::DepositLineMismatch {
                    reference,
                    booked_on: line.booking_date,
                    why,
                    details: serde_json::json!({
                        "statement_line_id": line.id,
                        "bank_account": line.bank_account,
                        "amount": Money::from_fen(line.amount_fen),
                        "direction": line.direction,
                        "match_kind": line.match_kind,
                        "case_id": line.case_id,
                        "entry_kind": line.entry_kind,
                    }),
                }
                .into());
            }
            // The statement credited the case with this cash as a new receipt: take that second credit back.
            let entry = ledger::clear_in_transit_from_case(row.case_id, receipt.amount);
            let entry_id = self
                .post_entry(
                    &mut write.tx,
                    write.seq,
                    principal.court_id,
                    &entry,
                    &format!("cash_deposit:{}", row.id),
                    now,
                )
                .await?
                .ok_or_else(|| Refusal::internal(format!("the deposit of cash receipt {receipt_id} was posted before")))?;
            receipt.clone().clear(today)?;
            if store::cash::clear(&mut write.tx, row.id, line.id, entry_id, today).await? != 1 {
                return Err(Refusal::internal(format!("cash receipt {receipt_id} was not cleared")));
            }
            cleared = Some((line.id, entry_id));
        }
        write
            .commit(EventDraft::change(
                &principal.actor(),
                "cash.record_deposit",
                format!("cash_receipt:{receipt_id}"),
                serde_json::json!({
                    "cash_receipt_id": receipt_id,
                    "case_id": row.case_id,
                    "bank_reference": reference,
                    "deposited_on": request.deposited_on,
                    "corrects": corrects,
                    "statement_line_id": cleared.map(|(line, _)| line),
                    "cleared_entry_id": cleared.map(|(_, entry)| entry),
                }),
            ))
            .await?;
        let row = store::cash::of_case(&self.db, principal.court_id, row.case_id)
            .await?
            .into_iter()
            .find(|found| found.id == receipt_id)
            .ok_or_else(|| not_found(receipt_id))?;
        view(row)
    }
}

/// The officers as the core keeps them (trimmed, each once, in order), to compare a retried record with the stored.
fn distinct_trimmed(officers: &[String]) -> Vec<String> {
    let mut distinct: Vec<String> = Vec::new();
    for officer in officers {
        let name = officer.trim().to_string();
        if !distinct.contains(&name) {
            distinct.push(name);
        }
    }
    distinct
}

/// The source of the journal entry that clears a cash deposit from its statement line; `funds` uses it on import.
pub(crate) fn cleared_by(bank: &str, bank_reference: &str) -> String {
    format!("statement:{bank}:{}", crate::statements::canonical_reference(bank_reference))
}
