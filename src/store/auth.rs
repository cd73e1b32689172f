//! Courts and tokens.

use super::{on_pool, on_tx, Db, Tx};
use crate::auth::{Principal, Role};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CourtRow {
    pub id: i64,
    pub code: String,
    pub name: String,
}

pub async fn insert_court(tx: &mut Tx, code: &str, name: &str) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>("insert into courts (code, name) values ($1, $2) returning id")
            .bind(code)
            .bind(name)
            .fetch_one(conn)
            .await
    })
}

pub async fn court_by_code(db: &Db, code: &str) -> Result<Option<CourtRow>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as::<_, CourtRow>("select id, code, name from courts where code = $1").bind(code).fetch_optional(pool).await)
}

pub async fn court_by_code_tx(tx: &mut Tx, code: &str) -> Result<Option<CourtRow>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_as::<_, CourtRow>("select id, code, name from courts where code = $1").bind(code).fetch_optional(conn).await)
}

pub async fn courts(db: &Db) -> Result<Vec<CourtRow>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as::<_, CourtRow>("select id, code, name from courts order by id").fetch_all(pool).await)
}

pub async fn insert_token(
    tx: &mut Tx,
    token_hash: &str,
    user: &str,
    court_id: i64,
    role: Role,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "insert into tokens (token_hash, user_name, court_id, role, created_at) values ($1, $2, $3, $4, $5) returning id",
        )
        .bind(token_hash)
        .bind(user)
        .bind(court_id)
        .bind(role.as_str())
        .bind(now)
        .fetch_one(conn)
        .await
    })
}

/// The principal a token stands for, unless it is unknown or revoked.
pub async fn principal_by_token_hash(db: &Db, token_hash: &str) -> Result<Option<Principal>, sqlx::Error> {
    let row: Option<(String, i64, String, String)> = on_pool!(db, pool => {
        sqlx::query_as(
            "select t.user_name, t.court_id, c.code, t.role from tokens t join courts c on c.id = t.court_id
             where t.token_hash = $1 and t.revoked_at is null",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.and_then(|(user, court_id, court_code, role)| {
        role.parse::<Role>().ok().map(|role| Principal {
            user,
            court_id,
            court_code,
            role,
        })
    }))
}
