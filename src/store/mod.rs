//! Storage: one interface over SQLite (the embedded default) and PostgreSQL (for scale), STYLE habit 6 and atuin.
//!
//! Every query is written once, as text that both backends accept (`$1` placeholders, `on conflict`,
//! `returning`), and the `on_tx!`/`on_pool!` macros expand each call for both connection types, so the compiler
//! checks the binds and decodes for SQLite and PostgreSQL alike. The shared test suite runs against both.

pub mod audit;
pub mod auth;
pub mod cash;
pub mod disposal;
pub mod idempotency;
pub mod ledger;
pub mod nodes;
pub mod payouts;
pub mod registry;
pub mod statements;
pub mod valuation;

use crate::error::{Code, Refusal};
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Runs `$body` with `$conn` bound to the transaction's connection, for whichever backend it is.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(transaction) => {
                let $conn = &mut **transaction;
                $body
            }
            $crate::store::Tx::Postgres(transaction) => {
                let $conn = &mut **transaction;
                $body
            }
        }
    };
}

/// Runs `$body` with `$pool` bound to the pool, for whichever backend it is.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}

pub(crate) use on_pool;
pub(crate) use on_tx;

/// The database: a pool for one backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on either backend.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Db {
    /// Connects to `sqlite://FILE` (created if missing; WAL, foreign keys on) or `postgres://…`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            Self::connect_sqlite(options, max_connections).await
        } else {
            let options = PgConnectOptions::from_str(url)?;
            Self::connect_postgres(options, max_connections).await
        }
    }

    /// Every SQLite connection gets a 128 MiB page cache (the default is 2 MiB): a statement import inserts into
    /// unique indexes keyed by hashes, whose pages are touched at random, and a small cache rereads them constantly.
    pub async fn connect_sqlite(options: SqliteConnectOptions, max_connections: u32) -> Result<Db, sqlx::Error> {
        let options = options.pragma("cache_size", "-131072").pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            // A file database's connection cannot drop: pinging it before every use only costs a round trip.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    pub async fn connect_postgres(options: PgConnectOptions, max_connections: u32) -> Result<Db, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        Ok(Db::Postgres(pool))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the backend's migrations (one folder per backend, STYLE habit 14).
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// A plain transaction, for reads that must see one snapshot.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A writing transaction. Its first statement advances the audit chain's head, which takes the write lock
    /// (SQLite) or the head row's lock (PostgreSQL) before anything is read, so writers are serialised, the
    /// chain never forks and two `serve` processes cannot act on the same due nodes at once.
    pub async fn begin_write(&self, at: DateTime<Utc>) -> Result<WriteTx, sqlx::Error> {
        let mut tx = self.begin().await?;
        let (seq, prev_hash) = audit::advance_head(&mut tx).await?;
        Ok(WriteTx { tx, seq, prev_hash, at })
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self, pool => sqlx::query("select 1").execute(pool).await.map(|_| ()))
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// A writing transaction that ends with exactly one audit event (SPEC §3.4).
pub struct WriteTx {
    pub tx: Tx,
    pub seq: i64,
    pub prev_hash: String,
    pub at: DateTime<Utc>,
}

impl WriteTx {
    /// Appends the command's audit event, chained to the previous one, and commits everything together.
    /// A request's idempotency key (SPEC §3.6) is written here too, with the change it records.
    pub async fn commit(mut self, event: crate::audit::EventDraft) -> Result<i64, Refusal> {
        let records_change = event.outcome == crate::audit::Outcome::Ok;
        let sealed = crate::audit::seal(self.seq, self.at, &self.prev_hash, event);
        audit::append(&mut self.tx, &sealed).await?;
        if records_change {
            if let Some(claim) = idempotency::current() {
                idempotency::insert(&mut self.tx, &claim, sealed.seq, self.at)
                    .await
                    .map_err(|error| {
                        map_unique(
                            error,
                            Code::IdempotencyKeyInUse,
                            "another request with this Idempotency-Key was committed first",
                        )
                    })?;
            }
        }
        self.tx.commit().await?;
        Ok(sealed.seq)
    }
}

/// Maps a database error by kind so both backends answer alike (STYLE habit 7).
pub fn map_unique(error: sqlx::Error, code: Code, message: impl Into<String>) -> Refusal {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => Refusal::new(code, message),
        _ => Refusal::internal(error),
    }
}
