//! Payouts (执行款发放, FUND-4…FUND-8), distribution plans (分配方案, FUND-9…FUND-12), the case-level nodes of both,
//! and the read-only queries of reconciliation (对账, SPEC §4) over the journal and the imported statements.
//! Tables from `migrations/*/0008_payouts.sql`, `0007_ledger.sql` and `0001_spine.sql`.

use super::nodes::KeyedChange;
use super::{on_pool, on_tx, Db, Tx};
use crate::nodes::{NodeDates, NodePlan};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PayoutRow {
    pub id: i64,
    pub court_id: i64,
    pub case_id: i64,
    pub amount_fen: i64,
    pub payee: String,
    pub state: String,
    pub stage: String,
    pub version: i32,
}

const PAYOUT_COLUMNS: &str = "id, court_id, case_id, amount_fen, payee, state, stage, version";

/// Reserves the payout's id inside the requesting transaction: the core names the payout's nodes by it, so the id
/// must exist before the core decides. The row is completed by `save_payout` at version 1, or rolled back with the
/// refusal.
pub async fn insert_payout(
    tx: &mut Tx,
    court_id: i64,
    case_id: i64,
    amount_fen: i64,
    payee: &str,
    requested_by: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "insert into payouts (court_id, case_id, amount_fen, payee, state, stage, version, requested_by, created_at, updated_at)
             values ($1, $2, $3, $4, '', 'requesting', 0, $5, $6, $6) returning id",
        )
        .bind(court_id)
        .bind(case_id)
        .bind(amount_fen)
        .bind(payee)
        .bind(requested_by)
        .bind(now)
        .fetch_one(conn)
        .await
    })
}

pub async fn payout_for_update(tx: &mut Tx, court_id: i64, id: i64) -> Result<Option<PayoutRow>, sqlx::Error> {
    let sql = format!("select {PAYOUT_COLUMNS} from payouts where id = $1 and court_id = $2 and version > 0");
    on_tx!(tx, conn => sqlx::query_as::<_, PayoutRow>(&sql).bind(id).bind(court_id).fetch_optional(conn).await)
}

/// Who requested the payout (an assistant may withdraw only their own, FUND-8).
pub async fn requested_by(tx: &mut Tx, id: i64) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar::<_, String>("select requested_by from payouts where id = $1").bind(id).fetch_optional(conn).await)
}

pub async fn payout(db: &Db, court_id: i64, id: i64) -> Result<Option<PayoutRow>, sqlx::Error> {
    let sql = format!("select {PAYOUT_COLUMNS} from payouts where id = $1 and court_id = $2 and version > 0");
    on_pool!(db, pool => sqlx::query_as::<_, PayoutRow>(&sql).bind(id).bind(court_id).fetch_optional(pool).await)
}

/// The payouts of a court, or of one case, in id order.
pub async fn payouts(db: &Db, court_id: i64, case_id: Option<i64>) -> Result<Vec<PayoutRow>, sqlx::Error> {
    let sql =
        format!("select {PAYOUT_COLUMNS} from payouts where court_id = $1 and ($2 is null or case_id = $2) and version > 0 order by id");
    on_pool!(db, pool => sqlx::query_as::<_, PayoutRow>(&sql).bind(court_id).bind(case_id).fetch_all(pool).await)
}

/// The payouts of one case, read in the writing transaction (a request checks what is already asked for).
pub async fn payouts_of_case_tx(tx: &mut Tx, case_id: i64) -> Result<Vec<PayoutRow>, sqlx::Error> {
    let sql = format!("select {PAYOUT_COLUMNS} from payouts where case_id = $1 and version > 0 order by id");
    on_tx!(tx, conn => sqlx::query_as::<_, PayoutRow>(&sql).bind(case_id).fetch_all(conn).await)
}

/// What `account` paid into the case through the court's bank account `bank`, by its statements (FUND-8: where a
/// refund to the payer may go, and how much): the lines of the receipts credited to the case — each keyed
/// `receipt:<case>:<bank reference>`, whether the statement or the disposal side reported it first — and the lines
/// claimed into the case from suspense. Read through the case's held account and the statement's unique reference,
/// so it costs the case's receipts, not the statement's million lines.
pub async fn paid_in_from(tx: &mut Tx, court_id: i64, case_id: i64, bank: &str, account: &str) -> Result<i64, sqlx::Error> {
    let held = format!("case:{case_id}:held");
    let prefix = format!("receipt:{case_id}:");
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "select cast(coalesce(sum(amount_fen), 0) as bigint) from (
                 select s.amount_fen from ledger_lines l
                 join ledger_entries e on e.id = l.entry_id
                 join statement_lines s on s.court_id = e.court_id and s.bank_account = $4
                                       and s.bank_reference = substr(e.source, length($5) + 1)
                 where l.court_id = $1 and l.account = $3 and l.credit_fen > 0 and substr(e.source, 1, length($5)) = $5
                   and s.direction = 'credit' and replace(s.counterparty_account, ' ', '') = $6
                 union all
                 select s.amount_fen from suspense_items u join statement_lines s on s.id = u.statement_line_id
                 where u.court_id = $1 and u.claim_case_id = $2 and u.status = 'claimed' and s.bank_account = $4
                   and s.direction = 'credit' and replace(s.counterparty_account, ' ', '') = $6
             ) paid",
        )
        .bind(court_id)
        .bind(case_id)
        .bind(&held)
        .bind(bank)
        .bind(&prefix)
        .bind(account)
        .fetch_one(conn)
        .await
    })
}

/// Writes the new state from `version - 1` (version 1 completes the row `insert_payout` reserved). Returns the
/// rows written: 0 means someone else moved the payout first, and the caller rolls back.
pub async fn save_payout(tx: &mut Tx, row: &PayoutRow, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("update payouts set state = $3, stage = $4, version = $5, updated_at = $6 where id = $1 and court_id = $2 and version = $5 - 1")
            .bind(row.id)
            .bind(row.court_id)
            .bind(&row.state)
            .bind(&row.stage)
            .bind(row.version)
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })
}

/// One event of a lifecycle: the command as given, the core's outcomes, and the audit event recording both.
pub struct EventInsert<'a> {
    pub subject_id: i64,
    pub version: i32,
    pub on: NaiveDate,
    pub command: &'a str,
    pub outcomes: &'a str,
    pub audit_seq: i64,
}

pub async fn append_payout_event(tx: &mut Tx, event: &EventInsert<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("insert into payout_events (payout_id, version, on_date, command, outcomes, audit_seq) values ($1, $2, $3, $4, $5, $6)")
            .bind(event.subject_id)
            .bind(event.version)
            .bind(event.on)
            .bind(event.command)
            .bind(event.outcomes)
            .bind(event.audit_seq)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanRow {
    pub case_id: i64,
    pub court_id: i64,
    pub state: String,
    pub stage: String,
    pub version: i32,
}

const PLAN_COLUMNS: &str = "case_id, court_id, state, stage, version";

pub async fn plan_for_update(tx: &mut Tx, court_id: i64, case_id: i64) -> Result<Option<PlanRow>, sqlx::Error> {
    let sql = format!("select {PLAN_COLUMNS} from distribution_plans where case_id = $1 and court_id = $2");
    on_tx!(tx, conn => sqlx::query_as::<_, PlanRow>(&sql).bind(case_id).bind(court_id).fetch_optional(conn).await)
}

pub async fn plan(db: &Db, court_id: i64, case_id: i64) -> Result<Option<PlanRow>, sqlx::Error> {
    let sql = format!("select {PLAN_COLUMNS} from distribution_plans where case_id = $1 and court_id = $2");
    on_pool!(db, pool => sqlx::query_as::<_, PlanRow>(&sql).bind(case_id).bind(court_id).fetch_optional(pool).await)
}

/// Inserts the plan at version 1, or updates it from `version - 1`; returns the rows written.
pub async fn save_plan(tx: &mut Tx, row: &PlanRow, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_tx!(tx, conn => {
        if row.version == 1 {
            sqlx::query("insert into distribution_plans (case_id, court_id, state, stage, version, updated_at) values ($1, $2, $3, $4, 1, $5)")
                .bind(row.case_id)
                .bind(row.court_id)
                .bind(&row.state)
                .bind(&row.stage)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        } else {
            sqlx::query("update distribution_plans set state = $3, stage = $4, version = $5, updated_at = $6 where case_id = $1 and court_id = $2 and version = $5 - 1")
                .bind(row.case_id)
                .bind(row.court_id)
                .bind(&row.state)
                .bind(&row.stage)
                .bind(row.version)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        }
    })
}

pub async fn append_plan_event(tx: &mut Tx, event: &EventInsert<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("insert into distribution_plan_events (case_id, version, on_date, command, outcomes, audit_seq) values ($1, $2, $3, $4, $5, $6)")
            .bind(event.subject_id)
            .bind(event.version)
            .bind(event.on)
            .bind(event.command)
            .bind(event.outcomes)
            .bind(event.audit_seq)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// FUND-5: the latest receipt credited to the case's held account — its posting date (the day the ledger saw the
/// funds arrive) and the court bank account it arrived in, if it came through the bank (a claim from suspense also
/// came through the bank; a receipt in transit has not reached it yet and names no bank).
pub async fn latest_receipt(tx: &mut Tx, court_id: i64, case_id: i64) -> Result<Option<(NaiveDate, Option<String>)>, sqlx::Error> {
    let held = format!("case:{case_id}:held");
    on_tx!(tx, conn => {
        sqlx::query_as::<_, (NaiveDate, Option<String>)>(
            "select e.posted_on,
                    (select b.account from ledger_lines b where b.entry_id = e.id and b.account like 'bank:%' limit 1)
             from ledger_entries e join ledger_lines l on l.entry_id = e.id
             where e.court_id = $1 and l.account = $2 and l.credit_fen > 0
               and e.kind in ('receipt', 'suspense_claim', 'receipt_in_transit')
             order by e.posted_on desc, e.id desc limit 1",
        )
        .bind(court_id)
        .bind(&held)
        .fetch_optional(conn)
        .await
    })
}

/// The court's bank account that last received money, for a payout whose case's funds came without a bank line of
/// their own (claimed from suspense): a court normally keeps one execution-fund account (执行款专户, FUND-2).
pub async fn latest_bank_account(tx: &mut Tx, court_id: i64) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, String>(
            "select l.account from ledger_lines l join ledger_entries e on e.id = l.entry_id
             where e.court_id = $1 and l.account like 'bank:%' and l.debit_fen > 0 order by e.id desc limit 1",
        )
        .bind(court_id)
        .fetch_optional(conn)
        .await
    })
}

// --- the case-level nodes of the ledger's lifecycles -------------------------------------------------------------

const OPEN: &str = "status in ('pending', 'overdue', 'paused')";

/// Closes (met, cancelled) or pauses the open case-level node with this key; returns how many rows changed.
pub async fn change_case_node(
    tx: &mut Tx,
    case_id: i64,
    node_key: &str,
    change: KeyedChange,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let (status, closes) = match change {
        KeyedChange::Meet => ("met", true),
        KeyedChange::Cancel => ("cancelled", true),
        KeyedChange::Pause => ("paused", false),
    };
    let sql = format!(
        "update nodes set status = $3, next_alert_on = null, closed_at = case when $4 then $5 else closed_at end
         where case_id = $1 and asset_id is null and node_key = $2 and {OPEN}"
    );
    on_tx!(tx, conn => {
        sqlx::query(&sql).bind(case_id).bind(node_key).bind(status).bind(closes).bind(now).execute(conn).await.map(|done| done.rows_affected())
    })
}

/// Meets every open case-level node of a rule.
pub async fn meet_case_rule_nodes(tx: &mut Tx, case_id: i64, rule_id: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "update nodes set status = 'met', next_alert_on = null, closed_at = $3 where case_id = $1 and asset_id is null and rule_id = $2 and {OPEN}"
    );
    on_tx!(tx, conn => sqlx::query(&sql).bind(case_id).bind(rule_id).bind(now).execute(conn).await.map(|done| done.rows_affected()))
}

/// Gives the open case-level node with this key a new plan and dates, running again.
pub async fn replan_case_node(tx: &mut Tx, case_id: i64, node_key: &str, plan: &NodePlan, dates: &NodeDates) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "update nodes set title = $3, trigger_event = $4, trigger_date = $5, period = $6, due_date = $7, remind_on = $8,
                overdue_on = $9, lead_working_days = $10, provisional = $11, next_alert_on = $8, status = 'pending'
         where case_id = $1 and asset_id is null and node_key = $2 and {OPEN}"
    );
    on_tx!(tx, conn => {
        sqlx::query(&sql)
            .bind(case_id)
            .bind(node_key)
            .bind(&plan.title)
            .bind(&plan.trigger_event)
            .bind(plan.trigger_date)
            .bind(plan.period.to_string())
            .bind(dates.due_date)
            .bind(dates.remind_on)
            .bind(dates.overdue_on)
            .bind(plan.lead_working_days as i32)
            .bind(dates.provisional)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })
}

/// A case-level node by key, open or closed, newest first (for views and tests): (status, due date).
pub async fn case_node(db: &Db, case_id: i64, node_key: &str) -> Result<Option<(String, NaiveDate)>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, (String, NaiveDate)>(
            "select status, due_date from nodes where case_id = $1 and asset_id is null and node_key = $2 order by id desc limit 1",
        )
        .bind(case_id)
        .bind(node_key)
        .fetch_optional(pool)
        .await
    })
}

// --- reconciliation (对账) ----------------------------------------------------------------------------------------

/// A statement line as reconciliation reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReconcileLine {
    pub bank_reference: String,
    pub booking_date: NaiveDate,
    pub amount_fen: i64,
    pub direction: String,
}

/// The statement lines of one bank account booked within the period, in booking order.
pub async fn statement_lines_between(
    db: &Db,
    court_id: i64,
    bank_account: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ReconcileLine>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, ReconcileLine>(
            "select bank_reference, booking_date, amount_fen, direction from statement_lines
             where court_id = $1 and bank_account = $2 and booking_date >= $3 and booking_date <= $4
             order by booking_date, line_number, id",
        )
        .bind(court_id)
        .bind(bank_account)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await
    })
}

/// The imports of one bank account that carry a statement date and balances: (statement date, opening, closing), in
/// date order.
pub async fn statement_balances(db: &Db, court_id: i64, bank_account: &str) -> Result<Vec<(NaiveDate, i64, i64)>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, (NaiveDate, i64, i64)>(
            "select statement_date, opening_balance_fen, closing_balance_fen from statement_imports
             where court_id = $1 and bank_account = $2 and statement_date is not null
               and opening_balance_fen is not null and closing_balance_fen is not null
             order by statement_date, id",
        )
        .bind(court_id)
        .bind(bank_account)
        .fetch_all(pool)
        .await
    })
}

/// One posted movement on a bank account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BankMovement {
    pub entry_id: i64,
    pub posted_on: NaiveDate,
    pub debit_fen: i64,
    pub credit_fen: i64,
    /// The bank reference of the statement line the entry was posted from, if it was.
    pub bank_reference: Option<String>,
}

/// The journal's movements on `bank:<account>` posted within the period.
pub async fn bank_movements_between(
    db: &Db,
    court_id: i64,
    bank_account: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<BankMovement>, sqlx::Error> {
    let account = format!("bank:{bank_account}");
    on_pool!(db, pool => {
        sqlx::query_as::<_, BankMovement>(
            "select e.id as entry_id, e.posted_on, l.debit_fen, l.credit_fen,
                    (select s.bank_reference from statement_lines s where s.entry_id = e.id limit 1) as bank_reference
             from ledger_lines l join ledger_entries e on e.id = l.entry_id
             where l.court_id = $1 and l.account = $2 and e.posted_on >= $3 and e.posted_on <= $4
             order by e.posted_on, e.id, l.line_no",
        )
        .bind(court_id)
        .bind(&account)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await
    })
}

/// Every account's debits and credits over the entries posted on or before `until`: the balances at the end of a
/// period, recomputed from the lines.
pub async fn line_totals_until(db: &Db, court_id: i64, until: NaiveDate) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, (String, i64, i64)>(
            "select l.account, cast(sum(l.debit_fen) as bigint), cast(sum(l.credit_fen) as bigint)
             from ledger_lines l join ledger_entries e on e.id = l.entry_id
             where l.court_id = $1 and e.posted_on <= $2 group by l.account order by l.account",
        )
        .bind(court_id)
        .bind(until)
        .fetch_all(pool)
        .await
    })
}

// --- posting (a stopgap) -----------------------------------------------------------------------------------------

// --- the monthly reconciliation (FUND-2) -----------------------------------------------------------------------

/// Every court's bank accounts: those it imported statements of, and those its ledger holds money in.
pub async fn court_bank_accounts(db: &Db) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, (i64, String)>(
            "select court_id, bank_account from statement_imports
             union
             select court_id, substr(account, 6) from ledger_balances where account like 'bank:%'
             order by 1, 2",
        )
        .fetch_all(pool)
        .await
    })
}

/// The last day the court's statements of `bank_account` cover: the latest statement date of its imports, or the
/// latest booking date of its lines, whichever is later.
pub async fn statements_cover_until(db: &Db, court_id: i64, bank_account: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
    let (imports, lines) = on_pool!(db, pool => {
        sqlx::query_as::<_, (Option<NaiveDate>, Option<NaiveDate>)>(
            "select (select max(statement_date) from statement_imports where court_id = $1 and bank_account = $2),
                    (select max(booking_date) from statement_lines where court_id = $1 and bank_account = $2)",
        )
        .bind(court_id)
        .bind(bank_account)
        .fetch_one(pool)
        .await
    })?;
    Ok(imports.max(lines))
}

pub async fn monthly_reconciliation_recorded(db: &Db, court_id: i64, bank_account: &str, month: &str) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from monthly_reconciliations where court_id = $1 and bank_account = $2 and month = $3",
        )
        .bind(court_id)
        .bind(bank_account)
        .bind(month)
        .fetch_one(pool)
        .await
        .map(|count| count > 0)
    })
}

/// One month's reconciliation of one bank account, as the monthly job recorded it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MonthlyReconciliationRow {
    pub court_id: i64,
    pub bank_account: String,
    pub month: String,
    pub ok: bool,
    pub statement_balance_fen: i64,
    pub ledger_balance_fen: i64,
    pub difference_fen: i64,
    pub unmatched_statement_lines: i64,
    pub unmatched_ledger_entries: i64,
    pub audit_seq: i64,
}

/// Records the month once: false when it was recorded already (by another run), and then nothing is written.
pub async fn record_monthly_reconciliation(tx: &mut Tx, row: &MonthlyReconciliationRow, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into monthly_reconciliations (court_id, bank_account, month, ok, statement_balance_fen, ledger_balance_fen,
                                                  difference_fen, unmatched_statement_lines, unmatched_ledger_entries, audit_seq,
                                                  recorded_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict do nothing",
        )
        .bind(row.court_id)
        .bind(&row.bank_account)
        .bind(&row.month)
        .bind(row.ok)
        .bind(row.statement_balance_fen)
        .bind(row.ledger_balance_fen)
        .bind(row.difference_fen)
        .bind(row.unmatched_statement_lines)
        .bind(row.unmatched_ledger_entries)
        .bind(row.audit_seq)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected() == 1)
    })
}

pub async fn monthly_reconciliations(db: &Db, court_id: i64) -> Result<Vec<MonthlyReconciliationRow>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, MonthlyReconciliationRow>(
            "select court_id, bank_account, month, ok, statement_balance_fen, ledger_balance_fen, difference_fen,
                    unmatched_statement_lines, unmatched_ledger_entries, audit_seq
             from monthly_reconciliations where court_id = $1 order by month, bank_account",
        )
        .bind(court_id)
        .fetch_all(pool)
        .await
    })
}
