//! Idempotency keys (SPEC §3.6). The HTTP edge sets the request's claim in a task-local; `WriteTx::commit` writes
//! the key in the same transaction as the change, so a retried request can never apply a change twice, even if
//! the process dies between the commit and the answer.

use super::{on_pool, on_tx, Db, Tx};
use chrono::{DateTime, Utc};

/// The key a request carries, scoped to its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub court_id: i64,
    pub user: String,
    pub key: String,
    pub fingerprint: String,
}

tokio::task_local! {
    /// The idempotency claim of the request being handled on this task, if it sent one.
    pub static CLAIM: Claim;
}

/// The claim of the current request, if any.
pub fn current() -> Option<Claim> {
    CLAIM.try_with(Claim::clone).ok()
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRow {
    pub fingerprint: String,
    pub audit_seq: i64,
    pub status_code: Option<i32>,
    pub response_body: Option<String>,
}

pub async fn find(db: &Db, claim: &Claim) -> Result<Option<KeyRow>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, KeyRow>(
            "select fingerprint, audit_seq, status_code, response_body from idempotency_keys
             where court_id = $1 and user_name = $2 and idempotency_key = $3",
        )
        .bind(claim.court_id)
        .bind(&claim.user)
        .bind(&claim.key)
        .fetch_optional(pool)
        .await
    })
}

/// Records the key with the change. A concurrent request with the same key that committed first makes this a
/// unique violation, which rolls the whole change back.
pub async fn insert(tx: &mut Tx, claim: &Claim, audit_seq: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "insert into idempotency_keys (court_id, user_name, idempotency_key, fingerprint, audit_seq, created_at)
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(claim.court_id)
        .bind(&claim.user)
        .bind(&claim.key)
        .bind(&claim.fingerprint)
        .bind(audit_seq)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Stores the answer that a replay will give, in a write of its own: on SQLite, a turn in the writers' batch (see
/// `store::durability`), durable before it returns.
pub async fn store_response(db: &Db, claim: &Claim, status_code: u16, body: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_unaudited_write().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "update idempotency_keys set status_code = $4, response_body = $5
             where court_id = $1 and user_name = $2 and idempotency_key = $3",
        )
        .bind(claim.court_id)
        .bind(&claim.user)
        .bind(&claim.key)
        .bind(i32::from(status_code))
        .bind(body)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    tx.commit().await
}
