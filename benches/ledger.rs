//! Ledger posting against the database's own raw commit rate (SPEC §8): target ≥ 70 % of the raw single-row durable
//! commit rate of the same database on the same machine, measured in this same bench.
//!
//! `raw_single_row_commit` is the baseline: one `insert` of one row per transaction, committed durably (SQLite in
//! WAL mode with `synchronous = FULL`, SQLite syncing the log at every commit). `post_receipt` is one ledger posting
//! the way every chuzhi command writes it (`Engine::post_entry` in a `WriteTx`): the audit head advanced, the
//! accounts' balances read and the entry validated against them (FUND-2), the entry, its two lines, the two running
//! balances, and the audit event, all in one transaction, answered once committed and durable (`store::durability`).
//! `post_receipt_16_at_once` is the same with 16 commands at once: each is its own savepoint in the batch of writers
//! that queued together, which commits once and flushes the log once (the bench prints how many commits and flushes
//! its postings took). Compare its postings per second with the raw commits per second (1 / the raw time).

use chrono::{DateTime, Utc};
use chuzhi::audit::{Actor, EventDraft};
use chuzhi::store::Db;
use divan::Bencher;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use std::sync::atomic::{AtomicI64, Ordering};
use tokio::runtime::Runtime;

fn main() {
    divan::main();
}

struct Fixture {
    runtime: Runtime,
    db: Db,
    raw: sqlx::SqlitePool,
    now: DateTime<Utc>,
    /// Removed with the fixture: an import leaves about 1 GB.
    dir: std::path::PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Fixture {
    /// On a single-threaded runtime (the fastest for one client at a time, so the raw baseline is at its best).
    fn new(name: &str) -> Fixture {
        Fixture::on(
            name,
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime"),
            1,
        )
    }

    fn on(name: &str, runtime: Runtime, connections: u32) -> Fixture {
        let dir = std::env::temp_dir().join(format!("chuzhi-bench-ledger-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("bench.db");
        let now: DateTime<Utc> = "2026-03-02T01:00:00Z".parse().expect("instant");
        let db = runtime.block_on(async {
            let options = SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true);
            let db = Db::connect_sqlite(options, connections).await.expect("sqlite");
            db.migrate().await.expect("migrate");
            let Db::Sqlite(pool) = &db else { unreachable!() };
            sqlx::query("insert into courts (code, name) values ('370102', '基准法院')").execute(pool).await.expect("court");
            sqlx::query("insert into cases (court_id, case_number, sequence, collection_account, filing_date, claim_amount_fen, created_at) values (1, 'bench', 1, '3701020000000119', '2026-01-01', 100, '2026-01-01T00:00:00Z')")
                .execute(pool)
                .await
                .expect("case");
            db
        });
        // The baseline: a plain pool on its own file, durable by SQLite's own sync at every commit (FULL), with the
        // page cache chuzhi gives its connections.
        let raw = runtime.block_on(async {
            let options = SqliteConnectOptions::new()
                .filename(dir.join("raw.db"))
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .pragma("cache_size", "-131072");
            let raw = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_with(options)
                .await
                .expect("raw sqlite");
            sqlx::query("create table bench_raw (id integer primary key autoincrement, n integer not null)")
                .execute(&raw)
                .await
                .expect("raw table");
            raw
        });
        Fixture {
            runtime,
            db,
            raw,
            now,
            dir,
        }
    }

    fn engine(&self) -> chuzhi::engine::Engine {
        chuzhi::engine::Engine::new(
            self.db.clone(),
            std::sync::Arc::new(chuzhi::calendar::Calendar::embedded()),
            std::sync::Arc::new(chuzhi::clock::ManualClock::new(self.now)),
            chuzhi::engine::Settings::default(),
        )
    }
}

const SAMPLE: u32 = 200;

#[divan::bench(sample_count = 10, sample_size = SAMPLE)]
fn raw_single_row_commit(bencher: Bencher) {
    let fixture = Fixture::new("raw");
    let pool = &fixture.raw;
    let counter = AtomicI64::new(0);
    bencher.bench_local(|| {
        fixture.runtime.block_on(async {
            let mut tx = pool.begin().await.expect("begin");
            sqlx::query("insert into bench_raw (n) values ($1)")
                .bind(counter.fetch_add(1, Ordering::Relaxed))
                .execute(&mut *tx)
                .await
                .expect("insert");
            tx.commit().await.expect("commit");
        })
    });
}

#[divan::bench(sample_count = 10, sample_size = SAMPLE)]
fn post_receipt(bencher: Bencher) {
    let fixture = Fixture::new("post");
    let engine = fixture.engine();
    let counter = AtomicI64::new(0);
    bencher.bench_local(|| {
        fixture
            .runtime
            .block_on(post_one(&engine, &fixture.db, counter.fetch_add(1, Ordering::Relaxed), fixture.now))
    });
}

/// Postings by 16 commands at once (the service under load): each still commits its own transaction and answers
/// only once durable, and the commits that wait together share a flush of the log (group commit, see
/// `store::durability`). The service's default pool of 8 connections; the writers take turns at the database's
/// gate, as SQLite writes one transaction at a time. Divan's time is for all 16; the throughput line is postings
/// per second.
#[divan::bench(sample_count = 10, sample_size = 20)]
fn post_receipt_16_at_once(bencher: Bencher) {
    // Two worker threads, as the machine has two cores (a single thread serialises the 16 commands' waits).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let fixture = Fixture::on("post16", runtime, 8);
    let engine = std::sync::Arc::new(fixture.engine());
    let counter = std::sync::Arc::new(AtomicI64::new(0));
    let now = fixture.now;
    bencher.counter(divan::counter::ItemsCount::new(16usize)).bench_local(|| {
        fixture.runtime.block_on(async {
            let tasks: Vec<_> = (0..16)
                .map(|_| {
                    let engine = engine.clone();
                    let counter = counter.clone();
                    let db = fixture.db.clone();
                    tokio::spawn(async move { post_one(&engine, &db, counter.fetch_add(1, Ordering::Relaxed), now).await })
                })
                .collect();
            for task in tasks {
                task.await.expect("task");
            }
        })
    });
    if let Some((commits, flushes)) = fixture.db.group_commits() {
        let postings = counter.load(Ordering::Relaxed);
        eprintln!("{postings} postings in {commits} commits and {flushes} flushes of the log");
    }
}

async fn post_one(engine: &chuzhi::engine::Engine, db: &Db, n: i64, now: DateTime<Utc>) {
    let source = format!("bench:{n}");
    let entry = chuzhi::ledger::receipt_to_case("370102", 1, chuzhi::money::Money::from_fen(12_345));
    let mut write = db.begin_write(now).await.expect("begin");
    engine
        .post_entry(&mut write.tx, write.seq, 1, &entry, &source, now)
        .await
        .expect("post")
        .expect("new");
    write
        .commit(EventDraft::change(
            &Actor::system("bench"),
            "ledger.post",
            source,
            serde_json::json!({ "n": n }),
        ))
        .await
        .expect("commit");
}

/// SPEC §8: importing 1,000,000 statement lines on SQLite, target under 30 s, idempotent. One sample: read the
/// synthetic CSV, match every credit to one of 1,000 cases or to suspense, and post it, in chunks of
/// `IMPORT_CHUNK_LINES` lines per durable transaction. `IMPORT_LINES` shortens it for a quick look.
///
/// With the bank's serial numbers (交易流水号, as Chinese banks' CSV exports carry them): the usual case.
#[divan::bench(sample_count = 1, sample_size = 1)]
fn import_statement_lines(bencher: Bencher) {
    import(bencher, chuzhi::statements::SyntheticReferences::BankSerials);
}

/// The same file without serial numbers: every line's identity is 128 bits of a SHA-256 of its fields (34 characters, in no
/// order), the worst case for the unique indexes.
#[divan::bench(sample_count = 1, sample_size = 1)]
fn import_statement_lines_hashed_identity(bencher: Bencher) {
    import(bencher, chuzhi::statements::SyntheticReferences::None);
}

fn import(bencher: Bencher, references: chuzhi::statements::SyntheticReferences) {
    let lines: usize = std::env::var("IMPORT_LINES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(1_000_000);
    let mut fixture = Fixture::new("import");
    fixture.now = "2026-11-23T01:00:00Z".parse().expect("instant");
    let engine = fixture.engine();
    let Db::Sqlite(pool) = &fixture.db else { unreachable!() };
    let accounts: Vec<String> = (2..=1001)
        .map(|sequence| chuzhi::registry::collection_account_number("370102", sequence))
        .collect();
    fixture.runtime.block_on(async {
        for (index, account) in accounts.iter().enumerate() {
            sqlx::query("insert into cases (court_id, case_number, sequence, collection_account, filing_date, claim_amount_fen, created_at) values (1, $1, $2, $3, '2026-01-01', 100, '2026-01-01T00:00:00Z')")
                .bind(format!("（2026）鲁0102执{}号", index + 2))
                .bind(index as i64 + 2)
                .bind(account)
                .execute(pool)
                .await
                .expect("case");
        }
    });
    let csv = chuzhi::statements::synthetic_csv(lines, &accounts, references);
    let layout = chuzhi::statements::synthetic_layout(references);
    let read = || chuzhi::statements::read_statement(&csv, chuzhi::statements::StatementFormat::Csv, Some(&layout)).expect("read");
    let actor = Actor::system("bench");
    bencher.bench_local(|| {
        fixture.runtime.block_on(async {
            let report = engine.import_parsed(1, &actor, &read(), "bench").await.expect("import");
            assert_eq!(report.lines_new as usize, lines);
        })
    });
    // Idempotent: the same lines again post nothing (reported, not timed).
    let started = std::time::Instant::now();
    drop(read());
    eprintln!("reading {lines} lines alone: {:.1} s", started.elapsed().as_secs_f64());
    let started = std::time::Instant::now();
    let again = fixture
        .runtime
        .block_on(async { engine.import_parsed(1, &actor, &read(), "bench").await.expect("import again") });
    assert_eq!(again.lines_new, 0);
    eprintln!(
        "re-import of {lines} lines: {} new, {:.1} s",
        again.lines_new,
        started.elapsed().as_secs_f64()
    );
}
