//! Sweep cost against the number of stored nodes (SPEC §8): 10,000 due nodes among 100,000 and among 1,000,000
//! stored, on SQLite. Target: under 1 second with 1,000,000 stored, and within 1.5× of the 100,000 figure, because
//! the sweep reads only due nodes through the partial index on `next_alert_on`.
//!
//! Each sample sweeps the same 10,000 due nodes: the untimed setup before it puts them back to their first
//! stage and clears the alerts and outbox of the previous sample.

use chrono::{DateTime, Utc};
use chuzhi::calendar::Calendar;
use chuzhi::clock::{parse_instant, ManualClock};
use chuzhi::engine::{Engine, Settings};
use chuzhi::store::Db;
use divan::Bencher;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use std::sync::Arc;
use tokio::runtime::Runtime;

fn main() {
    divan::main();
}

const DUE: i64 = 10_000;

struct Fixture {
    runtime: Runtime,
    engine: Engine,
    pool: sqlx::SqlitePool,
    path: std::path::PathBuf,
    now: DateTime<Utc>,
}

impl Fixture {
    fn new(stored: i64) -> Fixture {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let path = std::env::temp_dir().join(format!("chuzhi-bench-sweep-{}-{stored}.db", std::process::id()));
        let now = parse_instant("2026-03-02T09:00:00+08:00").expect("instant");
        let (engine, pool) = runtime.block_on(async {
            let options = SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true);
            let db = Db::connect_sqlite(options, 4).await.expect("sqlite");
            db.migrate().await.expect("migrate");
            let engine = Engine::new(db.clone(), Arc::new(Calendar::embedded()), Arc::new(ManualClock::new(now)), Settings::default());
            engine.create_court("370102", "基准法院").await.expect("court");
            let Db::Sqlite(pool) = db else { unreachable!() };
            sqlx::query("insert into cases (court_id, case_number, sequence, collection_account, filing_date, claim_amount_fen, created_at) values (1, 'bench', 1, '3701020000000119', '2026-01-01', 100, '2026-01-01T00:00:00Z')")
                .execute(&pool)
                .await
                .expect("case");
            // Stored nodes: the first DUE are overdue as of 2026-03-02; the rest wait for a stage in 2027, or are closed.
            sqlx::query(
                "insert into nodes (court_id, case_id, asset_id, rule_id, title, trigger_event, trigger_date, period, due_date, remind_on, overdue_on, lead_working_days, next_alert_on, status, provisional, created_at)
                 with recursive seq(n) as (select 1 union all select n + 1 from seq where n < $1)
                 select 1, 1, null, 'REF-1', 'bench', 'seizure', '2026-01-16', '30d',
                        case when n <= $2 then '2026-02-24' else '2027-03-01' end,
                        case when n <= $2 then '2026-02-12' else '2027-02-24' end,
                        case when n <= $2 then '2026-02-25' else '2027-03-02' end,
                        3,
                        case when n <= $2 then '2026-02-12' when n % 3 = 0 then null else '2027-02-24' end,
                        case when n <= $2 or n % 3 <> 0 then 'pending' else 'met' end,
                        0, '2026-01-16T00:00:00Z'
                 from seq",
            )
            .bind(stored)
            .bind(DUE)
            .execute(&pool)
            .await
            .expect("nodes");
            sqlx::query("analyze").execute(&pool).await.expect("analyze");
            (engine, pool)
        });
        Fixture {
            runtime,
            engine,
            pool,
            path,
            now,
        }
    }

    /// Puts the due nodes back to their first stage and clears what the previous sample raised.
    fn reset(&self) {
        self.runtime.block_on(async {
            sqlx::query("delete from outbox").execute(&self.pool).await.expect("outbox");
            sqlx::query("delete from alerts").execute(&self.pool).await.expect("alerts");
            sqlx::query("update nodes set next_alert_on = remind_on, status = 'pending' where id <= $1")
                .bind(DUE)
                .execute(&self.pool)
                .await
                .expect("reset");
        });
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

/// One sweep of 10,000 due nodes; the argument is the number of nodes stored.
#[divan::bench(args = [100_000, 1_000_000], sample_count = 7, sample_size = 1)]
fn sweep_10000_due(bencher: Bencher, stored: i64) {
    let fixture = Fixture::new(stored);
    bencher.with_inputs(|| fixture.reset()).bench_local_values(|()| {
        let report = fixture
            .runtime
            .block_on(fixture.engine.sweep(fixture.now, DUE as u32))
            .expect("sweep");
        assert_eq!(report.overdue, DUE as u64);
    });
}
