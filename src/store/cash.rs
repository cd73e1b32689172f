//! Cash receipts (现金收款, FUND-2) and what finance's deposit of the cash is recognised by. Table from
//! `migrations/*/0009_cash_receipts.sql`; the money is in the journal (`store::ledger`).

use super::{on_pool, on_tx, Db, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CashRow {
    pub id: i64,
    pub court_id: i64,
    pub case_id: i64,
    pub receipt_number: String,
    pub amount_fen: i64,
    /// A JSON array of names.
    pub officers: String,
    pub payer: String,
    pub collected_on: NaiveDate,
    pub returned_on: NaiveDate,
    pub handed_over_on: NaiveDate,
    pub handover_due_on: NaiveDate,
    pub handover_timing: String,
    pub explanation: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    pub entry_id: i64,
    pub node_id: Option<i64>,
    pub stage: String,
    pub deposit_reference: Option<String>,
    pub deposited_on: Option<NaiveDate>,
    pub deposit_recorded_by: Option<String>,
    pub statement_line_id: Option<i64>,
    pub cleared_entry_id: Option<i64>,
    pub cleared_on: Option<NaiveDate>,
}

const CASH_COLUMNS: &str = "id, court_id, case_id, receipt_number, amount_fen, officers, payer, collected_on, returned_on, handed_over_on,
     handover_due_on, handover_timing, explanation, recorded_by, recorded_at, entry_id, node_id, stage, deposit_reference, deposited_on,
     deposit_recorded_by, statement_line_id, cleared_entry_id, cleared_on";

/// A new cash receipt, awaiting finance's deposit.
pub struct CashInsert<'a> {
    pub court_id: i64,
    pub case_id: i64,
    pub receipt_number: &'a str,
    pub amount_fen: i64,
    pub officers: &'a str,
    pub payer: &'a str,
    pub collected_on: NaiveDate,
    pub returned_on: NaiveDate,
    pub handed_over_on: NaiveDate,
    pub handover_due_on: NaiveDate,
    pub handover_timing: &'a str,
    pub explanation: Option<&'a str>,
    pub recorded_by: &'a str,
    pub recorded_at: DateTime<Utc>,
    pub entry_id: i64,
    pub node_id: i64,
}

/// Inserts the receipt. The unique key (court, receipt number) refuses a second record of one receipt.
pub async fn insert(tx: &mut Tx, row: &CashInsert<'_>) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "insert into cash_receipts (court_id, case_id, receipt_number, amount_fen, officers, payer, collected_on, returned_on,
                                        handed_over_on, handover_due_on, handover_timing, explanation, recorded_by, recorded_at,
                                        entry_id, node_id, stage)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'awaiting_deposit') returning id",
        )
        .bind(row.court_id)
        .bind(row.case_id)
        .bind(row.receipt_number)
        .bind(row.amount_fen)
        .bind(row.officers)
        .bind(row.payer)
        .bind(row.collected_on)
        .bind(row.returned_on)
        .bind(row.handed_over_on)
        .bind(row.handover_due_on)
        .bind(row.handover_timing)
        .bind(row.explanation)
        .bind(row.recorded_by)
        .bind(row.recorded_at)
        .bind(row.entry_id)
        .bind(row.node_id)
        .fetch_one(conn)
        .await
    })
}

/// The receipt with this number in the court, read in the writing transaction.
pub async fn by_number_tx(tx: &mut Tx, court_id: i64, receipt_number: &str) -> Result<Option<CashRow>, sqlx::Error> {
    let sql = format!("select {CASH_COLUMNS} from cash_receipts where court_id = $1 and receipt_number = $2");
    on_tx!(tx, conn => sqlx::query_as::<_, CashRow>(&sql).bind(court_id).bind(receipt_number).fetch_optional(conn).await)
}

pub async fn for_update(tx: &mut Tx, court_id: i64, id: i64) -> Result<Option<CashRow>, sqlx::Error> {
    let sql = format!("select {CASH_COLUMNS} from cash_receipts where court_id = $1 and id = $2");
    on_tx!(tx, conn => sqlx::query_as::<_, CashRow>(&sql).bind(court_id).bind(id).fetch_optional(conn).await)
}

/// The cash receipts of one case, oldest first.
pub async fn of_case(db: &Db, court_id: i64, case_id: i64) -> Result<Vec<CashRow>, sqlx::Error> {
    let sql = format!("select {CASH_COLUMNS} from cash_receipts where court_id = $1 and case_id = $2 order by id");
    on_pool!(db, pool => sqlx::query_as::<_, CashRow>(&sql).bind(court_id).bind(case_id).fetch_all(pool).await)
}

/// Finance deposited the cash: awaiting_deposit → deposited, or a deposited one's reference corrected. Returns the
/// rows changed (0: the statement cleared it first).
pub async fn record_deposit(
    tx: &mut Tx,
    id: i64,
    deposit_reference: &str,
    deposited_on: NaiveDate,
    recorded_by: &str,
) -> Result<u64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "update cash_receipts set stage = 'deposited', deposit_reference = $2, deposited_on = $3, deposit_recorded_by = $4
             where id = $1 and stage in ('awaiting_deposit', 'deposited')",
        )
        .bind(id)
        .bind(deposit_reference)
        .bind(deposited_on)
        .bind(recorded_by)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })
}

/// The statement showed the deposit: deposited → cleared, with the line and the clearing entry.
pub async fn clear(tx: &mut Tx, id: i64, statement_line_id: i64, cleared_entry_id: i64, cleared_on: NaiveDate) -> Result<u64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "update cash_receipts set stage = 'cleared', statement_line_id = $2, cleared_entry_id = $3, cleared_on = $4
             where id = $1 and stage = 'deposited'",
        )
        .bind(id)
        .bind(statement_line_id)
        .bind(cleared_entry_id)
        .bind(cleared_on)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })
}

/// A deposit the statement has yet to show: the receipt, its case and its amount, by the deposit's bank reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwaitedDeposit {
    pub receipt_id: i64,
    pub case_id: i64,
    pub amount_fen: i64,
}

/// The court's deposits awaiting their statement line, read once per import chunk (a court has few at a time).
pub async fn awaited_deposits(tx: &mut Tx, court_id: i64) -> Result<HashMap<String, AwaitedDeposit>, sqlx::Error> {
    let rows: Vec<(String, i64, i64, i64)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "select deposit_reference, id, case_id, amount_fen from cash_receipts
             where court_id = $1 and stage = 'deposited' and deposit_reference is not null",
        )
        .bind(court_id)
        .fetch_all(conn)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(reference, receipt_id, case_id, amount_fen)| {
            (
                reference,
                AwaitedDeposit {
                    receipt_id,
                    case_id,
                    amount_fen,
                },
            )
        })
        .collect())
}

/// A statement line already imported, with the kind of the entry it posted, as the deposit check needs it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportedLine {
    pub id: i64,
    pub bank_account: String,
    pub booking_date: NaiveDate,
    pub amount_fen: i64,
    pub direction: String,
    pub match_kind: String,
    pub case_id: Option<i64>,
    pub entry_id: Option<i64>,
    pub entry_kind: Option<String>,
}

/// The court's statement lines with this bank reference (one per bank account of the court; normally one).
pub async fn imported_lines(tx: &mut Tx, court_id: i64, bank_reference: &str) -> Result<Vec<ImportedLine>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_as::<_, ImportedLine>(
            "select l.id, l.bank_account, l.booking_date, l.amount_fen, l.direction, l.match_kind, l.case_id, l.entry_id, e.kind as entry_kind
             from statement_lines l left join ledger_entries e on e.id = l.entry_id
             where l.court_id = $1 and l.bank_reference = $2 order by l.id",
        )
        .bind(court_id)
        .bind(bank_reference)
        .fetch_all(conn)
        .await
    })
}

/// The number of another cash receipt of the court that already names this deposit reference, if any.
pub async fn deposit_reference_used(
    tx: &mut Tx,
    court_id: i64,
    receipt_id: i64,
    deposit_reference: &str,
) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, String>(
            "select receipt_number from cash_receipts where court_id = $1 and deposit_reference = $2 and id <> $3",
        )
        .bind(court_id)
        .bind(deposit_reference)
        .bind(receipt_id)
        .fetch_optional(conn)
        .await
    })
}
