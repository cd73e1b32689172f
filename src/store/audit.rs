//! The audit chain's rows.

use super::{on_pool, on_tx, Db, SqliteTx, Tx};
use crate::audit::StoredEvent;

/// Advances the head by one, returning the new sequence number and the hash it follows.
pub const ADVANCE_HEAD: &str = "update audit_head set seq = seq + 1 where id = 1 returning seq, hash";

/// Advances the head by one and returns the new sequence number and the hash it follows.
pub async fn advance_head(tx: &mut Tx) -> Result<(i64, String), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_as::<_, (i64, String)>(ADVANCE_HEAD)
            .fetch_one(conn)
            .await
    })
}

const APPEND: &str = "insert into audit_events (seq, at, actor_user, actor_role, court_id, action, subject, outcome, code, rule_id, reason, payload, prev_hash, hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

/// Binds an event's fields to the `APPEND` statement's parameters, for either backend.
macro_rules! bind_event {
    ($query:expr, $event:expr) => {
        $query
            .bind($event.seq)
            .bind($event.at)
            .bind(&$event.actor_user)
            .bind(&$event.actor_role)
            .bind($event.court_id)
            .bind(&$event.action)
            .bind(&$event.subject)
            .bind(&$event.outcome)
            .bind(&$event.code)
            .bind(&$event.rule_id)
            .bind(&$event.reason)
            .bind(&$event.payload)
            .bind(&$event.prev_hash)
            .bind(&$event.hash)
    };
}

/// Appends the event, the last statement of a writing transaction; the trigger `audit_events_move_head`
/// (migration 0010) moves the head's hash to it. A writer's turn in SQLite's batch of writers releases its savepoint
/// in the same round trip (`durability::Member`).
pub async fn append(tx: &mut Tx, event: &StoredEvent) -> Result<(), sqlx::Error> {
    if let Tx::Sqlite(SqliteTx::Batched(member)) = tx {
        let sql = match member.closing() {
            "" => APPEND.to_string(),
            closing => format!("{APPEND}; {closing}"),
        };
        bind_event!(sqlx::query(&sql), event).execute(member.conn()).await?;
        member.released();
        return Ok(());
    }
    on_tx!(tx, conn => bind_event!(sqlx::query(APPEND), event).execute(conn).await.map(|_| ()))
}

pub async fn head(db: &Db) -> Result<(i64, String), sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as::<_, (i64, String)>("select seq, hash from audit_head where id = 1").fetch_one(pool).await)
}

/// Events after `after_seq` up to `up_to_seq`, in order, at most `limit`.
pub async fn page(db: &Db, after_seq: i64, up_to_seq: i64, limit: i64) -> Result<Vec<StoredEvent>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, StoredEvent>(
            "select seq, at, actor_user, actor_role, court_id, action, subject, outcome, code, rule_id, reason, payload, prev_hash, hash
             from audit_events where seq > $1 and seq <= $2 order by seq limit $3",
        )
        .bind(after_seq)
        .bind(up_to_seq)
        .bind(limit)
        .fetch_all(pool)
        .await
    })
}

/// Events of one court, newest first (for the API).
pub async fn recent_for_court(db: &Db, court_id: i64, limit: i64) -> Result<Vec<StoredEvent>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, StoredEvent>(
            "select seq, at, actor_user, actor_role, court_id, action, subject, outcome, code, rule_id, reason, payload, prev_hash, hash
             from audit_events where court_id = $1 order by seq desc limit $2",
        )
        .bind(court_id)
        .bind(limit)
        .fetch_all(pool)
        .await
    })
}
