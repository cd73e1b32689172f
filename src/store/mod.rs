//! Storage: one interface over SQLite (the embedded default) and PostgreSQL (for scale), STYLE habit 6 and atuin.
//!
//! Every query is written once, as text that both backends accept (`$1` placeholders, `on conflict`,
//! `returning`), and the `on_tx!`/`on_pool!` macros expand each call for both connection types, so the compiler
//! checks the binds and decodes for SQLite and PostgreSQL alike. The shared test suite runs against both.

pub mod audit;
pub mod auth;
pub mod cash;
pub mod disposal;
pub mod durability;
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
                let $conn = transaction.conn();
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

/// The page cache of every SQLite connection, in KiB (128 MiB; SQLite's default is 2 MiB).
pub(crate) const SQLITE_CACHE_KIB: i64 = 128 * 1024;

/// The database: a pool for one backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on either backend.
pub enum Tx {
    Sqlite(SqliteTx),
    Postgres(Transaction<'static, Postgres>),
}

/// A SQLite transaction: a writer's turn in a batch on the writers' connection of a file database
/// (`durability::Member`), or a transaction of its own (an in-memory database; its commit waits for the
/// database's group-commit flusher where it has one).
pub enum SqliteTx {
    Batched(durability::Member),
    Own(Transaction<'static, Sqlite>, Option<std::sync::Arc<durability::WalSync>>),
}

impl SqliteTx {
    pub fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        match self {
            SqliteTx::Batched(member) => member.conn(),
            SqliteTx::Own(transaction, _) => transaction,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Applies SQLite migrations on one connection with foreign keys off, as SQLite's table rebuilds need (0010, 0012:
/// with them on, dropping the old table would check, or cascade to, the rows that refer to it). Every key is
/// checked once they have run (`foreign_key_check`), and the connection gets its keys back before the pool does.
async fn migrate_sqlite(pool: &sqlx::SqlitePool, migrator: &sqlx::migrate::Migrator) -> Result<(), sqlx::migrate::MigrateError> {
    let mut conn = pool.acquire().await?;
    sqlx::query("pragma foreign_keys = off").execute(&mut *conn).await?;
    let applied_before = applied_migrations(&mut conn).await;
    let ran = migrator.run_direct(&mut *conn).await;
    // Checked only when something ran: the check reads every key of the database.
    let broken: Result<Vec<(String, Option<i64>, String)>, sqlx::Error> = if applied_migrations(&mut conn).await == applied_before {
        Ok(Vec::new())
    } else {
        sqlx::query_as("select \"table\", rowid, parent from pragma_foreign_key_check")
            .fetch_all(&mut *conn)
            .await
    };
    if let Err(error) = sqlx::query("pragma foreign_keys = on").execute(&mut *conn).await {
        // Never back to the pool without its keys.
        conn.close_on_drop();
        return Err(error.into());
    }
    ran?;
    match broken?.first() {
        None => Ok(()),
        Some((table, rowid, parent)) => Err(sqlx::migrate::MigrateError::Execute(sqlx::Error::Protocol(format!(
            "after the migrations, row {rowid:?} of {table} refers to a missing row of {parent}"
        )))),
    }
}

/// How many migrations the database has applied (none before the first run made sqlx's table).
async fn applied_migrations(conn: &mut sqlx::SqliteConnection) -> i64 {
    sqlx::query_scalar("select count(*) from _sqlx_migrations")
        .fetch_one(conn)
        .await
        .unwrap_or(0)
}

impl Db {
    /// Connects to `sqlite://FILE` (created if missing; WAL, foreign keys on, group commit) or `postgres://…`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
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
    ///
    /// A database file commits by group commit (`durability`): `synchronous = NORMAL`, and every `Tx::commit`
    /// waits for a flush of the write-ahead log that began after it, shared with whatever else committed meanwhile.
    /// Whatever `synchronous` the options asked for, a file database is as durable as with `FULL`; an in-memory
    /// one keeps the options' setting.
    pub async fn connect_sqlite(options: SqliteConnectOptions, max_connections: u32) -> Result<Db, sqlx::Error> {
        let in_memory = options.get_filename().as_os_str().is_empty()
            || options.get_filename().to_string_lossy().starts_with(':')
            || options.get_filename().to_string_lossy().starts_with("file::memory:");
        let options = options
            .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"))
            .pragma("temp_store", "memory");
        if in_memory {
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .connect_with(options)
                .await?;
            return Ok(Db::Sqlite(pool));
        }
        let options = options.synchronous(SqliteSynchronous::Normal);
        // A file database's connection cannot drop: pinging it before every use only costs a round trip.
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let writer = sqlx::ConnectOptions::connect(&options).await?;
        durability::register(options.get_filename(), writer);
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
            Db::Sqlite(pool) => migrate_sqlite(pool, &SQLITE_MIGRATIONS).await,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
    }

    pub async fn close(&self) {
        if let Db::Sqlite(pool) = self {
            if let Some(sync) = durability::lookup(pool.connect_options().get_filename()) {
                sync.close_writer().await;
            }
        }
        on_pool!(self, pool => pool.close().await)
    }

    /// A plain transaction, for reads that must see one snapshot.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(SqliteTx::Own(
                pool.begin().await?,
                durability::lookup(pool.connect_options().get_filename()),
            )),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Batches of writers committed and log flushes done so far, on a SQLite file database (for the bench's report).
    pub fn group_commits(&self) -> Option<(u64, u64)> {
        self.batch().map(|sync| (sync.commits(), sync.flushes()))
    }

    /// The writers' batch of a SQLite file database (`durability`), if it has one.
    fn batch(&self) -> Option<std::sync::Arc<durability::WalSync>> {
        match self {
            Db::Sqlite(pool) => durability::lookup(pool.connect_options().get_filename()).filter(|sync| sync.has_writer()),
            Db::Postgres(_) => None,
        }
    }

    /// A writing transaction. Its first statement advances the audit chain's head, which takes the write lock
    /// (SQLite) or the head row's lock (PostgreSQL) before anything is read, so writers are serialised, the
    /// chain never forks and two `serve` processes cannot act on the same due nodes at once. On a SQLite file,
    /// the writer takes its turn in the writers' batch (`durability`), the head advanced in the same round trip.
    pub async fn begin_write(&self, at: DateTime<Utc>) -> Result<WriteTx, sqlx::Error> {
        self.begin_write_as(at, false).await
    }

    /// A writing transaction for bulk work (a statement import's chunk): on a SQLite file, a transaction of its own
    /// on the writers' connection instead of a savepoint in their batch (see `durability::Member::join_alone`).
    pub async fn begin_bulk_write(&self, at: DateTime<Utc>) -> Result<WriteTx, sqlx::Error> {
        self.begin_write_as(at, true).await
    }

    async fn begin_write_as(&self, at: DateTime<Utc>, alone: bool) -> Result<WriteTx, sqlx::Error> {
        if let Some(sync) = self.batch() {
            let (member, heads) = if alone {
                durability::Member::join_alone::<(i64, String)>(&sync, audit::ADVANCE_HEAD).await?
            } else {
                durability::Member::join::<(i64, String)>(&sync, audit::ADVANCE_HEAD).await?
            };
            let (seq, prev_hash) = heads.into_iter().next().ok_or(sqlx::Error::RowNotFound)?;
            return Ok(WriteTx {
                tx: Tx::Sqlite(SqliteTx::Batched(member)),
                seq,
                prev_hash,
                at,
            });
        }
        let mut tx = self.begin().await?;
        let (seq, prev_hash) = audit::advance_head(&mut tx).await?;
        Ok(WriteTx { tx, seq, prev_hash, at })
    }

    /// A writing transaction outside the audit chain (a stored idempotent response): on a SQLite file, a turn in
    /// the writers' batch like any writer's.
    pub(crate) async fn begin_unaudited_write(&self) -> Result<Tx, sqlx::Error> {
        if let Some(sync) = self.batch() {
            let (member, _) = durability::Member::join::<(i64,)>(&sync, "select 1 where 0").await?;
            return Ok(Tx::Sqlite(SqliteTx::Batched(member)));
        }
        self.begin().await
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self, pool => sqlx::query("select 1").execute(pool).await.map(|_| ()))
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(SqliteTx::Batched(member)) => member.commit().await,
            Tx::Sqlite(SqliteTx::Own(tx, sync)) => {
                // The commit returns the connection to its pool first, so others commit while this one waits for
                // its flush.
                tx.commit().await?;
                match sync {
                    Some(sync) => Ok(sync.durable().await?),
                    None => Ok(()),
                }
            }
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
        // Last: on SQLite's batch of writers, the append also ends the writer's turn.
        audit::append(&mut self.tx, &sealed).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's migrations up to (not including) `version`.
    fn migrations_before(version: i64) -> sqlx::migrate::Migrator {
        sqlx::migrate::Migrator {
            migrations: std::borrow::Cow::Owned(
                SQLITE_MIGRATIONS
                    .migrations
                    .iter()
                    .filter(|migration| migration.version < version)
                    .cloned()
                    .collect(),
            ),
            ..sqlx::migrate::Migrator::DEFAULT
        }
    }

    async fn memory_database() -> sqlx::SqlitePool {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").expect("url").foreign_keys(true);
        SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .expect("memory database")
    }

    /// Migration 0012 rebuilds the tables an import writes with their foreign keys checked at commit (SPEC §8: no
    /// statement journal in bulk inserts) and shortens stored hashed identities to 128 bits: every row is kept, an
    /// identity stored before is the one the reader now gives the same line (so an old file is still recognised,
    /// FUND-1), the keys still refuse a dangling row at commit, and the connection has its keys back.
    #[tokio::test]
    async fn migration_0012_keeps_the_import_tables_defers_their_keys_and_shortens_hashed_identities() {
        let pool = memory_database().await;
        migrate_sqlite(&pool, &migrations_before(12)).await.expect("migrations 1 to 11");
        // The identity an older chuzhi stored for a line the statements tests pin the new identity of.
        let old = crate::statements::tests::PINNED_LINE_OLD_IDENTITY;
        let hash = old.strip_prefix("sha256:").expect("old form");
        for sql in [
            "insert into courts (code, name) values ('370102', '历下区人民法院')".to_string(),
            "insert into cases (court_id, case_number, sequence, collection_account, filing_date, claim_amount_fen, created_at)
             values (1, '（2026）鲁0102执1号', 1, '3701020000000119', '2026-01-01', 100, '2026-01-01T00:00:00Z')"
                .to_string(),
            "insert into statement_imports (court_id, bank_account, format, file_sha256, lines_total, lines_new, imported_at, imported_by)
             values (1, '6222', 'csv', 'f', 2, 2, '2026-03-02T01:00:00Z', 'finance')"
                .to_string(),
            format!(
                "insert into ledger_entries (id, court_id, kind, memo, source, posted_on, posted_at, audit_seq) values
                 (1, 1, 'receipt', 'm', 'receipt:1:sha256:{hash}', '2026-03-02', '2026-03-02T01:00:00Z', 1),
                 (2, 1, 'receipt_to_suspense', 'm', 'statement:6222:sha256:{hash}', '2026-03-02', '2026-03-02T01:00:00Z', 1),
                 (3, 1, 'receipt', 'm', 'receipt:1:BANK-REF-7', '2026-03-02', '2026-03-02T01:00:00Z', 1),
                 (4, 1, 'cash_receipt', 'm', 'x:sha256:{}', '2026-03-02', '2026-03-02T01:00:00Z', 1)",
                &hash[..27]
            ),
            "insert into ledger_lines (entry_id, line_no, court_id, account, case_id, debit_fen, credit_fen) values
             (1, 1, 1, 'bank:6222', null, 100, 0), (1, 2, 1, 'case:1:held', 1, 0, 100),
             (2, 1, 1, 'bank:6222', null, 50, 0), (2, 2, 1, 'suspense', null, 0, 50)"
                .to_string(),
            format!(
                "insert into statement_lines (id, court_id, bank_account, bank_reference, import_id, line_number, booking_date, amount_fen,
                                              direction, counterparty_name, counterparty_account, remittance, match_kind, case_id, entry_id) values
                 (1, 1, '6222', 'sha256:{hash}', 1, 2, '2026-03-02', 100, 'credit', 'a', 'b', 'c', 'collection_account', 1, 1),
                 (2, 1, '6223', 'sha256:{hash}', 1, 3, '2026-03-02', 50, 'credit', 'a', 'b', 'c', 'suspense', null, 2),
                 (3, 1, '6222', 'BANK-REF-7', 1, 4, '2026-03-02', 70, 'credit', 'a', 'b', 'c', 'collection_account', 1, 3)"
            ),
            "insert into suspense_items (court_id, statement_line_id, amount_fen, arrived_on, claim_due_on, status, entry_id)
             values (1, 2, 50, '2026-03-02', '2026-03-05', 'open', 2)"
                .to_string(),
            format!(
                "insert into cash_receipts (court_id, case_id, receipt_number, amount_fen, officers, payer, collected_on, returned_on,
                                            handed_over_on, handover_due_on, handover_timing, recorded_by, recorded_at, entry_id, stage,
                                            deposit_reference, deposited_on, deposit_recorded_by)
                 values (1, 1, 'XJ-1', 100, '[\"a\",\"b\"]', 'p', '2026-03-02', '2026-03-02', '2026-03-02', '2026-03-03', 'same_day',
                         'f', '2026-03-02T01:00:00Z', 4, 'deposited', '{old}', '2026-03-02', 'f')"
            ),
        ] {
            sqlx::query(&sql).execute(&pool).await.expect(&sql);
        }
        migrate_sqlite(&pool, &SQLITE_MIGRATIONS)
            .await
            .expect("migration 12 on a database with an import");

        let short = "h:9f9d8c4ff26d0ac590dec32355d99eb4".to_string();
        let references: Vec<String> = sqlx::query_scalar("select bank_reference from statement_lines order by id")
            .fetch_all(&pool)
            .await
            .expect("references");
        assert_eq!(references, vec![short.clone(), short.clone(), "BANK-REF-7".to_string()]);
        let sources: Vec<String> = sqlx::query_scalar("select source from ledger_entries order by id")
            .fetch_all(&pool)
            .await
            .expect("sources");
        assert_eq!(
            sources,
            vec![
                format!("receipt:1:{short}"),
                format!("statement:6222:{short}"),
                "receipt:1:BANK-REF-7".to_string(),
                // Too short to end in a whole old identity: kept. (SQLite counts a negative start from the right, so a looser
                // guard would have turned this one into `h:` and its last characters.)
                format!("x:sha256:{}", &hash[..27])
            ]
        );
        let deposit: String = sqlx::query_scalar("select deposit_reference from cash_receipts")
            .fetch_one(&pool)
            .await
            .expect("deposit");
        assert_eq!(deposit, short, "a deposit recorded by a line's old identity still names the line");
        let kept: (i64, i64, i64) = sqlx::query_as(
            "select (select count(*) from ledger_lines), (select sum(debit_fen) from ledger_lines), (select count(*) from suspense_items)",
        )
        .fetch_one(&pool)
        .await
        .expect("counts");
        assert_eq!(kept, (4, 150, 1));
        let on: i64 = sqlx::query_scalar("pragma foreign_keys").fetch_one(&pool).await.expect("pragma");
        assert_eq!(on, 1, "the migrating connection has its foreign keys back");

        // Deferred: a journal line of no entry is accepted by its statement and refused by the commit.
        let mut conn = pool.acquire().await.expect("connection");
        sqlx::query("begin").execute(&mut *conn).await.expect("begin");
        sqlx::query("insert or fail into ledger_lines (entry_id, line_no, court_id, account, case_id, debit_fen, credit_fen) values (99, 1, 1, 'bank:6222', null, 1, 0)")
            .execute(&mut *conn)
            .await
            .expect("a deferred key lets the statement through");
        let commit = sqlx::query("commit").execute(&mut *conn).await;
        assert!(commit.is_err(), "the commit refuses the dangling line: {commit:?}");
        sqlx::query("rollback").execute(&mut *conn).await.expect("rollback");
        let lines: i64 = sqlx::query_scalar("select count(*) from ledger_lines")
            .fetch_one(&mut *conn)
            .await
            .expect("count");
        assert_eq!(lines, 4);
    }

    /// Migration 0010 rebuilds the journal's lines on SQLite (keyed without a rowid) and moves the audit head by a
    /// trigger: a database that already holds lines keeps every one, and an appended event moves the head.
    #[tokio::test]
    async fn migration_0010_keeps_the_journal_lines_it_rebuilds_and_the_trigger_moves_the_audit_head() {
        let pool = memory_database().await;
        let before = migrations_before(10);
        migrate_sqlite(&pool, &before).await.expect("migrations 1 to 9");
        for sql in [
            "insert into courts (code, name) values ('370102', '历下区人民法院')",
            "insert into cases (court_id, case_number, sequence, collection_account, filing_date, claim_amount_fen, created_at)
             values (1, '（2026）鲁0102执1号', 1, '3701020000000119', '2026-01-01', 100, '2026-01-01T00:00:00Z')",
            "insert into ledger_entries (id, court_id, kind, memo, source, posted_on, posted_at, audit_seq)
             values (1, 1, 'receipt', 'm', 'receipt:1:A', '2026-03-02', '2026-03-02T01:00:00Z', 1)",
            "insert into ledger_lines (entry_id, line_no, court_id, account, case_id, debit_fen, credit_fen)
             values (1, 1, 1, 'bank:1', null, 12345, 0), (1, 2, 1, 'case:1:held', 1, 0, 12345)",
        ] {
            sqlx::query(sql).execute(&pool).await.expect(sql);
        }
        migrate_sqlite(&pool, &SQLITE_MIGRATIONS)
            .await
            .expect("migration 10 on a database with lines");
        let lines: Vec<(i64, i64, String, Option<i64>, i64, i64)> = sqlx::query_as(
            "select entry_id, line_no, account, case_id, debit_fen, credit_fen from ledger_lines order by entry_id, line_no",
        )
        .fetch_all(&pool)
        .await
        .expect("lines");
        assert_eq!(
            lines,
            vec![
                (1, 1, "bank:1".to_string(), None, 12_345, 0),
                (1, 2, "case:1:held".to_string(), Some(1), 0, 12_345)
            ]
        );
        sqlx::query(
            "insert into audit_events (seq, at, actor_user, actor_role, court_id, action, subject, outcome, code, rule_id, reason, payload, prev_hash, hash)
             values (1, '2026-03-02T01:00:00Z', 'system', 'system', null, 'ledger.post', 's', 'ok', null, null, null, '{}', 'p', 'the-new-hash')",
        )
        .execute(&pool)
        .await
        .expect("event");
        let head: String = sqlx::query_scalar("select hash from audit_head where id = 1")
            .fetch_one(&pool)
            .await
            .expect("head");
        assert_eq!(head, "the-new-hash");
    }
}
