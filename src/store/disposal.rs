//! The disposal lifecycle's rows (变价, AUC/SELL/SELF/TRAD): its state, its events, the TRAD-11 stop flag, and the
//! seeds of debt-in-kind lots (TRAD-5). Tables from `migrations/*/0006_disposal.sql`.

use super::{on_pool, on_tx, Db, Tx};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisposalRow {
    pub asset_id: i64,
    pub court_id: i64,
    pub case_id: i64,
    pub state: String,
    pub stage: String,
    pub version: i32,
    /// TRAD-11: when another asset's sale covered the case's claim and costs, so this disposal should stop.
    pub stop_flagged_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "asset_id, court_id, case_id, state, stage, version, stop_flagged_at";

pub async fn load_for_update(tx: &mut Tx, court_id: i64, asset_id: i64) -> Result<Option<DisposalRow>, sqlx::Error> {
    let sql = format!("select {COLUMNS} from disposals where asset_id = $1 and court_id = $2");
    on_tx!(tx, conn => sqlx::query_as::<_, DisposalRow>(&sql).bind(asset_id).bind(court_id).fetch_optional(conn).await)
}

pub async fn load(db: &Db, court_id: i64, asset_id: i64) -> Result<Option<DisposalRow>, sqlx::Error> {
    let sql = format!("select {COLUMNS} from disposals where asset_id = $1 and court_id = $2");
    on_pool!(db, pool => sqlx::query_as::<_, DisposalRow>(&sql).bind(asset_id).bind(court_id).fetch_optional(pool).await)
}

/// Every disposal of a case, in asset order (TRAD-11 looks across them).
pub async fn of_case_tx(tx: &mut Tx, case_id: i64) -> Result<Vec<DisposalRow>, sqlx::Error> {
    let sql = format!("select {COLUMNS} from disposals where case_id = $1 order by asset_id");
    on_tx!(tx, conn => sqlx::query_as::<_, DisposalRow>(&sql).bind(case_id).fetch_all(conn).await)
}

/// Writes the new state: inserted at version 1, or updated from `version - 1`. The audit head's lock already
/// serialises writers; the version check makes a lost update impossible even so. Returns the rows written.
pub async fn save(tx: &mut Tx, row: &DisposalRow, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_tx!(tx, conn => {
        if row.version == 1 {
            sqlx::query("insert into disposals (asset_id, court_id, case_id, state, stage, version, updated_at) values ($1, $2, $3, $4, $5, 1, $6)")
                .bind(row.asset_id)
                .bind(row.court_id)
                .bind(row.case_id)
                .bind(&row.state)
                .bind(&row.stage)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        } else {
            sqlx::query("update disposals set state = $3, stage = $4, version = $5, updated_at = $6 where asset_id = $1 and court_id = $2 and version = $5 - 1")
                .bind(row.asset_id)
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

pub async fn append_event(tx: &mut Tx, asset_id: i64, version: i32, on: NaiveDate, event: &str, audit_seq: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("insert into disposal_events (asset_id, version, on_date, event, audit_seq) values ($1, $2, $3, $4, $5)")
            .bind(asset_id)
            .bind(version)
            .bind(on)
            .bind(event)
            .bind(audit_seq)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisposalEventRow {
    pub asset_id: i64,
    pub version: i32,
    pub on_date: NaiveDate,
    pub event: String,
    pub audit_seq: i64,
}

pub async fn events(db: &Db, asset_id: i64) -> Result<Vec<DisposalEventRow>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, DisposalEventRow>("select asset_id, version, on_date, event, audit_seq from disposal_events where asset_id = $1 order by version")
            .bind(asset_id)
            .fetch_all(pool)
            .await
    })
}

/// Every event of every disposal of a case, in asset and version order (TRAD-11 folds them).
pub async fn events_of_case_tx(tx: &mut Tx, case_id: i64) -> Result<Vec<DisposalEventRow>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_as::<_, DisposalEventRow>(
            "select e.asset_id, e.version, e.on_date, e.event, e.audit_seq from disposal_events e
             join disposals d on d.asset_id = e.asset_id where d.case_id = $1 order by e.asset_id, e.version",
        )
        .bind(case_id)
        .fetch_all(conn)
        .await
    })
}

/// TRAD-11: flags a disposal to stop; returns whether it was flagged now (a flagged one stays as it was).
pub async fn flag_stop(tx: &mut Tx, asset_id: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("update disposals set stop_flagged_at = $2 where asset_id = $1 and stop_flagged_at is null")
            .bind(asset_id)
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected() == 1)
    })
}

/// TRAD-5: keeps the seed chuzhi drew for a lot between creditors of the same rank, so the draw can be re-run.
pub async fn insert_lot_seed(tx: &mut Tx, asset_id: i64, seed: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("insert into disposal_lots (asset_id, seed, drawn_at) values ($1, $2, $3)")
            .bind(asset_id)
            .bind(seed)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// SELF-4: the assets whose self-disposal period (自行处置期限) ended before `today` with its node still open — not
/// met by the full payment of the debtor's sale, not paused by a suspension (AUC-18) — earliest first, at most
/// `limit`, of one court or of all. `node_key` is the core's key of that node (`disposal.self_disposal_period`).
pub async fn lapsed_self_disposals(
    db: &Db,
    today: NaiveDate,
    court_id: Option<i64>,
    node_key: &str,
    limit: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, (i64, i64)>(
            "select court_id, asset_id from nodes
             where node_key = $4 and status in ('pending', 'overdue') and due_date < $1
               and ($2 is null or court_id = $2) and asset_id is not null
             order by due_date, asset_id limit $3",
        )
        .bind(today)
        .bind(court_id)
        .bind(limit)
        .bind(node_key)
        .fetch_all(pool)
        .await
    })
}
