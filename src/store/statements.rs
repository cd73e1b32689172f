//! Bank statement imports, their lines, and unidentified funds (FUND-1, FUND-3), written in bulk: a statement of a
//! million lines is imported in chunks of multi-row inserts, each chunk one transaction with one audit event.

use super::{on_pool, on_tx, Db, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashSet;

/// Rows per multi-row `insert`: well under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters.
const ROWS_PER_INSERT: usize = 500;

/// Inserts `$rows` by multi-row statements of `ROWS_PER_INSERT` rows, each built by `$build` (given the batch's
/// offset in `$rows` and the batch). The next statement is built while the database runs the one before — SQLite
/// on its own thread, PostgreSQL on its server — so binding a million values and writing them overlap instead of
/// taking turns. The statements run in order; the first error stops them.
///
/// `insert or fail` (SQLite; PostgreSQL has no such clause and needs none): a broken constraint stops the statement
/// without undoing its earlier rows, so SQLite keeps no statement journal for it. Bulk work never commits after an
/// error: the whole transaction is rolled back. With the import tables' foreign keys deferred (migration 0012), such
/// a statement cannot abort midway, and every page it touches is written once instead of also copied aside.
macro_rules! insert_overlapped {
    ($conn:ident, $rows:expr, |$insert:ident, $offset:ident, $batch:ident| $build:expr) => {{
        let $insert = BulkInsert::verb(&*$conn);
        let rows = $rows;
        let build = batch_builder(rows, |$offset, $batch| $build);
        let mut batches = rows.chunks(ROWS_PER_INSERT).enumerate();
        let mut pending = batches.next().map(&build);
        while let Some(mut query) = pending.take() {
            let (done, next) = tokio::join!(query.build().execute(&mut *$conn), async { batches.next().map(&build) });
            done?;
            pending = next;
        }
        Ok::<(), sqlx::Error>(())
    }};
}

/// The statement builder of `insert_overlapped`, typed by its rows (a closure alone could not name them).
fn batch_builder<'r, T, Q>(_rows: &'r [T], build: impl Fn(usize, &'r [T]) -> Q) -> impl Fn((usize, &'r [T])) -> Q {
    move |(index, batch)| build(index * ROWS_PER_INSERT, batch)
}

/// How each backend starts a bulk insert (see `insert_overlapped`).
trait BulkInsert {
    fn verb(&self) -> &'static str;
}

impl BulkInsert for sqlx::SqliteConnection {
    fn verb(&self) -> &'static str {
        "insert or fail"
    }
}

impl BulkInsert for sqlx::PgConnection {
    fn verb(&self) -> &'static str {
        "insert"
    }
}

/// The page cache of a connection that imports a statement, while it imports (SQLite): 1 GiB, so the indexes a
/// chunk's receipts touch all over (keyed by references and sources, in no order) stay in memory until the commit
/// writes them once. With the usual 128 MiB, a chunk of 250,000 lines spills pages and takes a fifth longer.
const BULK_CACHE_KIB: i64 = 1 << 20;

/// Prepares the transaction of an import chunk (SQLite): the larger page cache. `end_bulk` gives the connection its
/// usual cache back before the commit.
pub async fn begin_bulk(tx: &mut Tx) -> Result<(), sqlx::Error> {
    if let Tx::Sqlite(transaction) = tx {
        sqlx::query(&format!("pragma cache_size = -{BULK_CACHE_KIB}"))
            .execute(transaction.conn())
            .await?;
    }
    Ok(())
}

pub async fn end_bulk(tx: &mut Tx) -> Result<(), sqlx::Error> {
    if let Tx::Sqlite(transaction) = tx {
        sqlx::query(&format!("pragma cache_size = -{}", super::SQLITE_CACHE_KIB))
            .execute(transaction.conn())
            .await?;
    }
    Ok(())
}

/// The cases of a court as the matcher needs them: id, case number, collection account.
pub async fn case_keys(db: &Db, court_id: i64) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, (i64, String, String)>("select id, case_number, collection_account from cases where court_id = $1")
            .bind(court_id)
            .fetch_all(pool)
            .await
    })
}

/// The bank references already imported for this account between two booking dates (inclusive), read once per
/// import: a re-imported line is recognised here, and the unique key on (court, account, reference) refuses it again if it slips through.
pub async fn existing_references(
    db: &Db,
    court_id: i64,
    bank_account: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashSet<String>, sqlx::Error> {
    let references: Vec<String> = on_pool!(db, pool => {
        sqlx::query_scalar(
            "select bank_reference from statement_lines
             where court_id = $1 and bank_account = $2 and booking_date between $3 and $4",
        )
        .bind(court_id)
        .bind(bank_account)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await
    })?;
    Ok(references.into_iter().collect())
}

pub struct ImportRow<'a> {
    pub court_id: i64,
    pub bank_account: &'a str,
    pub format: &'a str,
    pub file_sha256: &'a str,
    pub statement_date: Option<NaiveDate>,
    pub opening_balance_fen: Option<i64>,
    pub closing_balance_fen: Option<i64>,
    pub lines_total: i64,
    pub lines_new: i64,
    pub imported_at: DateTime<Utc>,
    pub imported_by: &'a str,
}

pub async fn insert_import(tx: &mut Tx, row: &ImportRow<'_>) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar(
            "insert into statement_imports (court_id, bank_account, format, file_sha256, statement_date, opening_balance_fen,
                                            closing_balance_fen, lines_total, lines_new, imported_at, imported_by)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
        )
        .bind(row.court_id)
        .bind(row.bank_account)
        .bind(row.format)
        .bind(row.file_sha256)
        .bind(row.statement_date)
        .bind(row.opening_balance_fen)
        .bind(row.closing_balance_fen)
        .bind(row.lines_total)
        .bind(row.lines_new)
        .bind(row.imported_at)
        .bind(row.imported_by)
        .fetch_one(conn)
        .await
    })
}

/// A journal entry to insert in bulk; `source` is unique per court.
pub struct BulkEntry<'a> {
    pub kind: &'static str,
    pub memo: &'a str,
    pub source: &'a str,
}

/// Inserts entries that are all new (the caller has checked their sources), with the ids `first_id`, `first_id + 1`…
/// in order (the caller gives them, so no `returning`: reading rows back costs more than the insert).
pub async fn insert_entries(
    tx: &mut Tx,
    court_id: i64,
    posted_on: NaiveDate,
    posted_at: DateTime<Utc>,
    audit_seq: i64,
    first_id: i64,
    entries: &[BulkEntry<'_>],
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => insert_overlapped!(conn, entries, |insert, offset, batch| {
        let base = first_id + offset as i64;
        let mut query = sqlx::QueryBuilder::new(format!("{insert} into ledger_entries (id, court_id, kind, memo, source, posted_on, posted_at, audit_seq) "));
        query.push_values(batch.iter().enumerate(), |mut row, (index, entry)| {
            row.push_bind(base + index as i64)
                .push_bind(court_id)
                .push_bind(entry.kind)
                .push_bind(entry.memo)
                .push_bind(entry.source)
                .push_bind(posted_on)
                .push_bind(posted_at)
                .push_bind(audit_seq);
        });
        query
    }))?;
    Ok(())
}

/// A journal line to insert in bulk.
pub struct BulkLine {
    pub entry_id: i64,
    pub line_no: i64,
    pub account: String,
    pub case_id: Option<i64>,
    pub debit_fen: i64,
    pub credit_fen: i64,
}

pub async fn insert_lines(tx: &mut Tx, court_id: i64, lines: &[BulkLine]) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => insert_overlapped!(conn, lines, |insert, _offset, batch| {
        let mut query = sqlx::QueryBuilder::new(format!("{insert} into ledger_lines (entry_id, line_no, court_id, account, case_id, debit_fen, credit_fen) "));
        query.push_values(batch, |mut row, line| {
            row.push_bind(line.entry_id)
                .push_bind(line.line_no)
                .push_bind(court_id)
                .push_bind(line.account.as_str())
                .push_bind(line.case_id)
                .push_bind(line.debit_fen)
                .push_bind(line.credit_fen);
        });
        query
    }))?;
    Ok(())
}

/// A statement line to insert in bulk.
pub struct BulkStatementLine<'a> {
    pub bank_reference: &'a str,
    pub line_number: i64,
    pub booking_date: NaiveDate,
    pub amount_fen: i64,
    pub direction: &'static str,
    pub counterparty_name: &'a str,
    pub counterparty_account: &'a str,
    pub remittance: &'a str,
    pub match_kind: &'static str,
    pub case_id: Option<i64>,
    pub entry_id: Option<i64>,
}

/// Inserts statement lines not imported before (the caller has checked), with the ids `first_id`, `first_id + 1`…
/// in order.
pub async fn insert_statement_lines(
    tx: &mut Tx,
    court_id: i64,
    bank_account: &str,
    import_id: i64,
    first_id: i64,
    lines: &[BulkStatementLine<'_>],
) -> Result<(), sqlx::Error> {
    // Fifteen binds a row: 500 rows stay well under both backends' limits.
    on_tx!(tx, conn => insert_overlapped!(conn, lines, |insert, offset, batch| {
        let base = first_id + offset as i64;
        let mut query = sqlx::QueryBuilder::new(format!(
            "{insert} into statement_lines (id, court_id, bank_account, bank_reference, import_id, line_number, booking_date, amount_fen,
                                            direction, counterparty_name, counterparty_account, remittance, match_kind, case_id, entry_id) ",
        ));
        query.push_values(batch.iter().enumerate(), |mut row, (index, line)| {
            row.push_bind(base + index as i64)
                .push_bind(court_id)
                .push_bind(bank_account)
                .push_bind(line.bank_reference)
                .push_bind(import_id)
                .push_bind(line.line_number)
                .push_bind(line.booking_date)
                .push_bind(line.amount_fen)
                .push_bind(line.direction)
                .push_bind(line.counterparty_name)
                .push_bind(line.counterparty_account)
                .push_bind(line.remittance)
                .push_bind(line.match_kind)
                .push_bind(line.case_id)
                .push_bind(line.entry_id);
        });
        query
    }))?;
    Ok(())
}

/// An unidentified receipt (不明款, FUND-3) to insert.
pub struct SuspenseRow {
    pub statement_line_id: i64,
    pub amount_fen: i64,
    pub arrived_on: NaiveDate,
    pub claim_due_on: NaiveDate,
    pub entry_id: i64,
}

pub async fn insert_suspense(tx: &mut Tx, court_id: i64, items: &[SuspenseRow]) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => insert_overlapped!(conn, items, |insert, _offset, batch| {
        let mut query = sqlx::QueryBuilder::new(format!(
            "{insert} into suspense_items (court_id, statement_line_id, amount_fen, arrived_on, claim_due_on, status, entry_id) ",
        ));
        query.push_values(batch, |mut row, item| {
            row.push_bind(court_id)
                .push_bind(item.statement_line_id)
                .push_bind(item.amount_fen)
                .push_bind(item.arrived_on)
                .push_bind(item.claim_due_on)
                .push_bind("open")
                .push_bind(item.entry_id);
        });
        query
    }))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SuspenseView {
    pub id: i64,
    pub amount_fen: i64,
    pub arrived_on: NaiveDate,
    pub claim_due_on: NaiveDate,
    pub status: String,
    pub bank_account: String,
    pub bank_reference: String,
    pub counterparty_name: String,
    pub counterparty_account: String,
    pub remittance: String,
    pub claim_case_id: Option<i64>,
    pub claim_requested_by: Option<String>,
    pub claim_reason: Option<String>,
    pub approved_by: Option<String>,
}

const SUSPENSE_COLUMNS: &str =
    "s.id, s.amount_fen, s.arrived_on, s.claim_due_on, s.status, l.bank_account, l.bank_reference, l.counterparty_name,
     l.counterparty_account, l.remittance, s.claim_case_id, s.claim_requested_by, s.claim_reason, s.approved_by";

/// The court's unidentified funds not yet claimed, oldest first.
pub async fn open_suspense(db: &Db, court_id: i64) -> Result<Vec<SuspenseView>, sqlx::Error> {
    let sql = format!(
        "select {SUSPENSE_COLUMNS} from suspense_items s join statement_lines l on l.id = s.statement_line_id
         where s.court_id = $1 and s.status <> 'claimed' order by s.arrived_on, s.id"
    );
    on_pool!(db, pool => sqlx::query_as::<_, SuspenseView>(&sql).bind(court_id).fetch_all(pool).await)
}

pub async fn suspense_for_update(tx: &mut Tx, court_id: i64, id: i64) -> Result<Option<SuspenseView>, sqlx::Error> {
    let sql = format!(
        "select {SUSPENSE_COLUMNS} from suspense_items s join statement_lines l on l.id = s.statement_line_id
         where s.court_id = $1 and s.id = $2"
    );
    on_tx!(tx, conn => sqlx::query_as::<_, SuspenseView>(&sql).bind(court_id).bind(id).fetch_optional(conn).await)
}

/// Records a claim request (who, for which case, why); the approval comes from someone else.
pub async fn request_claim(tx: &mut Tx, id: i64, case_id: i64, requested_by: &str, reason: &str) -> Result<u64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "update suspense_items set status = 'claim_requested', claim_case_id = $2, claim_requested_by = $3, claim_reason = $4
             where id = $1 and status = 'open'",
        )
        .bind(id)
        .bind(case_id)
        .bind(requested_by)
        .bind(reason)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })
}

/// Records the approved claim (its journal entry's source is `suspense_claim:<id>`).
pub async fn approve_claim(tx: &mut Tx, id: i64, approved_by: &str, at: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "update suspense_items set status = 'claimed', approved_by = $2, claimed_at = $3
             where id = $1 and status = 'claim_requested'",
        )
        .bind(id)
        .bind(approved_by)
        .bind(at)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })
}

/// Every court's unidentified funds not yet claimed whose claim deadline passed before `today` (FUND-3), as
/// (court, amount, arrival, claim deadline): what the daily digest sums. Read before the digest takes the write lock.
pub async fn overdue_suspense(db: &Db, today: NaiveDate) -> Result<Vec<(i64, i64, NaiveDate, NaiveDate)>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, (i64, i64, NaiveDate, NaiveDate)>(
            "select court_id, amount_fen, arrived_on, claim_due_on from suspense_items
             where status <> 'claimed' and claim_due_on < $1 order by court_id, arrived_on, id",
        )
        .bind(today)
        .fetch_all(pool)
        .await
    })
}
