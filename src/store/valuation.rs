//! The valuation lifecycle's rows: its state, and its events.

use super::{on_pool, on_tx, Db, Tx};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ValuationRow {
    pub asset_id: i64,
    pub court_id: i64,
    pub state: String,
    pub stage: String,
    pub version: i32,
}

pub async fn load_for_update(tx: &mut Tx, court_id: i64, asset_id: i64) -> Result<Option<ValuationRow>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_as::<_, ValuationRow>("select asset_id, court_id, state, stage, version from valuations where asset_id = $1 and court_id = $2")
            .bind(asset_id)
            .bind(court_id)
            .fetch_optional(conn)
            .await
    })
}

pub async fn load(db: &Db, court_id: i64, asset_id: i64) -> Result<Option<ValuationRow>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, ValuationRow>("select asset_id, court_id, state, stage, version from valuations where asset_id = $1 and court_id = $2")
            .bind(asset_id)
            .bind(court_id)
            .fetch_optional(pool)
            .await
    })
}

/// Writes the new state: inserted at version 1, or updated from `version - 1` (the audit head's lock already
/// serialises writers; the version check makes a lost update impossible even so).
pub async fn save(tx: &mut Tx, row: &ValuationRow, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_tx!(tx, conn => {
        if row.version == 1 {
            sqlx::query("insert into valuations (asset_id, court_id, state, stage, version, updated_at) values ($1, $2, $3, $4, 1, $5)")
                .bind(row.asset_id)
                .bind(row.court_id)
                .bind(&row.state)
                .bind(&row.stage)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        } else {
            sqlx::query("update valuations set state = $3, stage = $4, version = $5, updated_at = $6 where asset_id = $1 and court_id = $2 and version = $5 - 1")
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
        sqlx::query("insert into valuation_events (asset_id, version, on_date, event, audit_seq) values ($1, $2, $3, $4, $5)")
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
pub struct ValuationEventRow {
    pub version: i32,
    pub on_date: NaiveDate,
    pub event: String,
    pub audit_seq: i64,
}

pub async fn events(db: &Db, asset_id: i64) -> Result<Vec<ValuationEventRow>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, ValuationEventRow>("select version, on_date, event, audit_seq from valuation_events where asset_id = $1 order by version")
            .bind(asset_id)
            .fetch_all(pool)
            .await
    })
}

/// Keeps a lottery seed until its draw (REF-19).
pub async fn insert_seed(tx: &mut Tx, asset_id: i64, commitment: &str, seed: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("insert into lottery_seeds (asset_id, commitment, seed, committed_at) values ($1, $2, $3, $4)")
            .bind(asset_id)
            .bind(commitment)
            .bind(seed)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// The seed behind a commitment, marking it revealed (the draw's transaction rolls this back if the draw is
/// refused).
pub async fn reveal_seed(tx: &mut Tx, asset_id: i64, commitment: &str, now: DateTime<Utc>) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, String>("update lottery_seeds set revealed_at = $3 where asset_id = $1 and commitment = $2 returning seed")
            .bind(asset_id)
            .bind(commitment)
            .bind(now)
            .fetch_optional(conn)
            .await
    })
}
