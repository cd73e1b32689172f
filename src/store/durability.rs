//! Group commit on SQLite (SPEC §8: durable postings at the rate of the database's own durable commits).
//!
//! chuzhi's SQLite connections commit with `synchronous = NORMAL` in WAL mode: a commit writes its pages to the
//! write-ahead log and returns without waiting for the disk. Before a transaction's command answers, `Tx::commit`
//! waits here until an `fdatasync` of the log that began after its commit has returned. Transactions that commit
//! while one sync runs share the next one, so under load one flush makes many commands durable instead of one
//! flush each (`synchronous = FULL`). SQLite itself syncs the log before every checkpoint and the database after
//! it, so the log never loses what the flush covered.
//!
//! The one difference from `FULL`: between its commit and the flush (a fraction of a millisecond), a transaction's
//! changes are visible to readers before they are durable. Any later write is durable only after them (the log is
//! written in order), so nothing durable ever depends on something lost.
//!
//! **Batches of writers.** SQLite writes one transaction at a time, so this process's writers take turns on one
//! connection of their own (`Member`). The turns are batched: the first writer of a batch opens a transaction
//! (`begin immediate`), and each writer's work is a savepoint inside it, rolled back alone if the writer fails or
//! gives up. A writer that released its savepoint queues for the connection again, behind the writers that were
//! already waiting, and commits the batch unless one of them did so first. Commands that arrive together thus
//! share one commit, which writes each page they touched once (the audit head, the balances, the journal's last
//! pages), and one flush. Every writer still answers only once its batch is committed and flushed; a batch whose
//! commit fails fails every writer in it, none of which has answered yet. A batch holds the write lock no longer
//! than its writers queue: the last of them commits it.

use sqlx::{Connection, SqliteConnection};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The savepoint of the writer whose turn it is (one at a time, so one name).
const SAVEPOINT: &str = "chuzhi_write";
/// Ends a writer's savepoint, keeping its work in the batch: the last statement of its turn.
pub(crate) const RELEASE: &str = "release chuzhi_write";

/// The writers' connection, one writer at a time (a fair lock: writers get it in the order they asked).
type WriterConnection = Arc<tokio::sync::Mutex<Option<SqliteConnection>>>;

/// What to undo of a writer that gave up its turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Undo {
    /// Its savepoint, inside the batch.
    Savepoint,
    /// Its transaction: a writer that wrote alone (`Member::join_alone`).
    Transaction,
}

/// Where the batch on the writers' connection stands.
#[derive(Debug, Default)]
struct BatchState {
    /// A transaction is open on the connection: batch number `generation`.
    open: bool,
    /// The batch the next writer joins; counts up at every commit (or failure).
    generation: u64,
    /// A writer gave up its turn unfinished: the next one undoes its work first.
    undo: Option<Undo>,
    /// The last few batches whose commit failed, with the error, for the writers that wait on them.
    failed: VecDeque<(u64, String)>,
    /// The flush ticket taken right after the last commit: a writer of that batch or an earlier one is durable
    /// once a flush covers it (one flush for the batch, not one more per writer that comes to commit it late).
    committed_ticket: u64,
    /// The newest failed batch dropped from `failed`: a writer of a batch up to it that is not in the list is told
    /// it may have failed, never that it committed.
    forgotten_failures: Option<u64>,
}

/// The flushes of one database's write-ahead log.
#[derive(Debug)]
pub struct WalSync {
    wal: PathBuf,
    /// Tickets handed out: one per commit that waits.
    requested: AtomicU64,
    /// The highest ticket a finished flush covered; the flush runs under this lock, so later waiters queue on it.
    synced: tokio::sync::Mutex<u64>,
    /// Flushes done (for tests and for the bench's report).
    flushes: AtomicU64,
    /// Batches committed (for tests and for the bench's report).
    commits: AtomicU64,
    /// The directory was synced for the log file as it is now (its inode), as SQLite does when it creates one.
    dir_synced_for: Mutex<Option<u64>>,
    /// The writers' connection: SQLite writes one transaction at a time, and a writer that finds the write lock
    /// taken sleeps in `busy_timeout`'s steps (milliseconds; 16 postings at once took 100 ms instead of 5). Every
    /// `begin_write` of this process takes this one connection instead, in turn (`Member`), and gives it back when
    /// its savepoint is released (not after its batch's commit and flush, which it shares with the next writers).
    writer: Mutex<Option<WriterConnection>>,
    batch: Mutex<BatchState>,
}

impl WalSync {
    fn new(database: &Path) -> WalSync {
        let mut wal = database.as_os_str().to_owned();
        wal.push("-wal");
        WalSync {
            wal: PathBuf::from(wal),
            requested: AtomicU64::new(0),
            synced: tokio::sync::Mutex::new(0),
            flushes: AtomicU64::new(0),
            commits: AtomicU64::new(0),
            dir_synced_for: Mutex::new(None),
            writer: Mutex::new(None),
            batch: Mutex::new(BatchState::default()),
        }
    }

    fn writer(&self) -> Option<WriterConnection> {
        self.writer.lock().unwrap_or_else(|poison| poison.into_inner()).clone()
    }

    fn batch(&self) -> std::sync::MutexGuard<'_, BatchState> {
        self.batch.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// Whether this database's writers take turns on a writers' connection (a file database connected by
    /// `Db::connect_sqlite`).
    pub(crate) fn has_writer(&self) -> bool {
        self.writer().is_some()
    }

    /// Undoes the work of a writer that gave up its turn (see `Member`'s drop), before anyone else uses the
    /// connection. If the batch's transaction itself is gone (SQLite rolls back everything on some errors, such as a
    /// full disk), the batch has failed: its writers are told so when they come to commit it.
    async fn settle(&self, conn: &mut SqliteConnection) {
        let undo = self.batch().undo.take();
        match undo {
            None => {}
            Some(Undo::Savepoint) => {
                let undo = format!("rollback to {SAVEPOINT}; release {SAVEPOINT}");
                if let Err(error) = sqlx::query(&undo).execute(&mut *conn).await {
                    if !(error.to_string().contains("no such savepoint") && transaction_open(conn).await) {
                        let _ = sqlx::query("rollback").execute(&mut *conn).await;
                        self.end_generation(Some(format!("the batch's transaction was lost: {error}")));
                    }
                    // Otherwise the writer's last statement (its audit event and `RELEASE`) ran before the writer gave
                    // up, and it learnt no more: its work, whole and audited, is the batch's and is committed with it.
                }
            }
            Some(Undo::Transaction) => {
                // An error means the transaction is gone already (or its commit went through before the writer gave
                // up); either way none is open now.
                let _ = sqlx::query("rollback").execute(&mut *conn).await;
                self.end_generation(None);
            }
        }
    }

    /// Commits the open batch on the connection the caller holds; returns the flush ticket that covers it.
    async fn commit_open(&self, conn: &mut SqliteConnection) -> Result<u64, sqlx::Error> {
        match sqlx::query("commit").execute(&mut *conn).await {
            Ok(_) => {
                let ticket = self.ticket();
                self.batch().committed_ticket = ticket;
                self.end_generation(None);
                self.commits.fetch_add(1, Ordering::Relaxed);
                Ok(ticket)
            }
            Err(error) => {
                let _ = sqlx::query("rollback").execute(&mut *conn).await;
                self.end_generation(Some(error.to_string()));
                Err(error)
            }
        }
    }

    /// The open batch is over: committed (`None`), or failed with this error.
    fn end_generation(&self, failure: Option<String>) {
        let mut state = self.batch();
        if let Some(error) = failure {
            let generation = state.generation;
            state.failed.push_back((generation, error));
            if state.failed.len() > 64 {
                if let Some((dropped, _)) = state.failed.pop_front() {
                    state.forgotten_failures = Some(dropped);
                }
            }
        }
        state.open = false;
        state.generation += 1;
    }

    /// Commits batch `generation` unless a writer in it did already (see the module's documentation), and returns
    /// once it is durable; an error if the batch failed.
    async fn end_batch(&self, generation: u64) -> Result<(), sqlx::Error> {
        let ticket = self.commit_batch(generation).await?;
        Ok(self.durable_through(ticket).await?)
    }

    /// Commits batch `generation` unless a writer in it did already; returns the flush ticket that covers it.
    async fn commit_batch(&self, generation: u64) -> Result<u64, sqlx::Error> {
        let writer = self.writer().ok_or(sqlx::Error::PoolClosed)?;
        let mut guard = writer.lock_owned().await;
        let conn = guard.as_mut().ok_or(sqlx::Error::PoolClosed)?;
        self.settle(conn).await;
        let pending = {
            let state = self.batch();
            if state.generation > generation {
                match state.failed.iter().find(|(failed, _)| *failed == generation) {
                    Some((_, error)) => return Err(sqlx::Error::Protocol(format!("the batch of writes failed: {error}"))),
                    None if state.forgotten_failures.is_some_and(|newest| generation <= newest) => {
                        return Err(sqlx::Error::Protocol(
                            "the batch of writes may have failed: too many batches failed meanwhile to tell".to_string(),
                        ))
                    }
                    None => return Ok(state.committed_ticket),
                }
            }
            state.open
        };
        if !pending {
            return Ok(self.ticket());
        }
        self.commit_open(conn).await
    }

    /// Closes the writers' connection, committing a batch still open.
    pub(crate) async fn close_writer(&self) {
        let Some(writer) = self.writer() else { return };
        let generation = self.batch().generation;
        let _ = self.end_batch(generation).await;
        let conn = writer.lock().await.take();
        if let Some(conn) = conn {
            let _ = conn.close().await;
        }
    }

    /// Returns once everything committed before the call is on disk. Call it after the commit returned.
    pub async fn durable(&self) -> std::io::Result<()> {
        self.durable_through(self.ticket()).await
    }

    /// A ticket for what has been committed so far.
    fn ticket(&self) -> u64 {
        self.requested.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Returns once a flush that began after `ticket` was handed out has returned.
    async fn durable_through(&self, ticket: u64) -> std::io::Result<()> {
        let mut synced = self.synced.lock().await;
        if *synced >= ticket {
            return Ok(());
        }
        // Every ticket handed out so far belongs to a commit that had returned: this flush covers them all.
        let covers = self.requested.load(Ordering::SeqCst);
        let wal = self.wal.clone();
        let dir_synced = *self.dir_synced_for.lock().unwrap_or_else(|poison| poison.into_inner());
        let new_inode = tokio::task::spawn_blocking(move || flush(&wal, dir_synced))
            .await
            .map_err(std::io::Error::other)??;
        if let Some(inode) = new_inode {
            *self.dir_synced_for.lock().unwrap_or_else(|poison| poison.into_inner()) = Some(inode);
        }
        self.flushes.fetch_add(1, Ordering::Relaxed);
        *synced = covers;
        Ok(())
    }

    /// The batches of writers committed so far.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// The flushes done so far.
    pub fn flushes(&self) -> u64 {
        self.flushes.load(Ordering::Relaxed)
    }
}

/// One writer's turn on the writers' connection: a savepoint inside the open batch (see the module's
/// documentation). Dropped without `commit`, the savepoint is rolled back before the connection's next use, and the
/// batch is committed for the writers in it that finished.
pub struct Member {
    turn: Option<tokio::sync::OwnedMutexGuard<Option<SqliteConnection>>>,
    sync: Arc<WalSync>,
    generation: u64,
    /// The savepoint was released by the writer's last statement (`RELEASE`, appended to it).
    released: bool,
    /// A transaction of its own instead of a savepoint in the batch (`join_alone`).
    alone: bool,
}

impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Member")
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl Member {
    /// Waits for the writers' turn, opens a batch if none is open, sets this writer's savepoint, and runs `then`
    /// (statements whose rows are returned) in the same round trip.
    pub(crate) async fn join<T>(sync: &Arc<WalSync>, then: &str) -> Result<(Member, Vec<T>), sqlx::Error>
    where
        T: Send + Unpin + 'static + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    {
        Member::turn(sync, then, false).await
    }

    /// A turn with a transaction of its own, for bulk work (a statement import's chunk of 250,000 lines): SQLite
    /// keeps a savepoint's undo record per statement, which costs more the more the transaction has written (an
    /// import inside a savepoint took minutes instead of seconds). The batch open before it is committed first (its
    /// writers find it committed when they come to commit it).
    pub(crate) async fn join_alone<T>(sync: &Arc<WalSync>, then: &str) -> Result<(Member, Vec<T>), sqlx::Error>
    where
        T: Send + Unpin + 'static + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    {
        Member::turn(sync, then, true).await
    }

    /// Runs on a task of its own: a caller that stops waiting (a dropped request) cannot leave a statement of the
    /// turn's first round trip half-known (a `begin` the batch's state misses, an audit head advanced with no event
    /// to follow). The turn is then dropped like any writer's that gave up, and rolled back.
    async fn turn<T>(sync: &Arc<WalSync>, then: &str, alone: bool) -> Result<(Member, Vec<T>), sqlx::Error>
    where
        T: Send + Unpin + 'static + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    {
        let (sync, then) = (sync.clone(), then.to_string());
        tokio::spawn(async move { Member::take_turn(&sync, &then, alone).await })
            .await
            .map_err(|error| sqlx::Error::Protocol(format!("the writer's turn stopped: {error}")))?
    }

    async fn take_turn<T>(sync: &Arc<WalSync>, then: &str, alone: bool) -> Result<(Member, Vec<T>), sqlx::Error>
    where
        T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    {
        let writer = sync.writer().ok_or(sqlx::Error::PoolClosed)?;
        let mut turn = writer.lock_owned().await;
        let conn = turn.as_mut().ok_or(sqlx::Error::PoolClosed)?;
        sync.settle(conn).await;
        if alone && sync.batch().open {
            // The batch's writers learn of a failure when they come to commit it.
            let _ = sync.commit_open(conn).await;
        }
        let (begins, generation) = {
            let state = sync.batch();
            (!state.open, state.generation)
        };
        let sql = match (begins, alone) {
            (_, true) => format!("begin immediate; {then}"),
            (true, false) => format!("begin immediate; savepoint {SAVEPOINT}; {then}"),
            (false, false) => format!("savepoint {SAVEPOINT}; {then}"),
        };
        match sqlx::query_as::<_, T>(&sql).fetch_all(&mut *conn).await {
            Ok(rows) => {
                if begins {
                    sync.batch().open = true;
                }
                Ok((
                    Member {
                        turn: Some(turn),
                        sync: sync.clone(),
                        generation,
                        released: false,
                        alone,
                    },
                    rows,
                ))
            }
            Err(error) => {
                // Undo whatever of it ran; the batch carries on without this writer (or never began).
                let undo = if begins {
                    "rollback".to_string()
                } else {
                    format!("rollback to {SAVEPOINT}; release {SAVEPOINT}")
                };
                let _ = sqlx::query(&undo).execute(&mut *conn).await;
                Err(error)
            }
        }
    }

    /// What ends the writer's work, appended to its last statement: the savepoint's release (none for a writer
    /// alone, whose commit ends it). Call `released` once that statement ran.
    pub(crate) fn closing(&self) -> &'static str {
        if self.alone {
            ""
        } else {
            RELEASE
        }
    }

    /// The writer's last statement ended its work (`closing`): nothing may follow but `commit`.
    pub(crate) fn released(&mut self) {
        self.released = !self.alone;
    }

    /// The writers' connection, for this writer's statements.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.turn
            .as_mut()
            .and_then(|turn| turn.as_mut())
            .expect("a member holds the writers' connection until it commits or drops")
    }

    /// Releases the savepoint, gives the connection to the next writer, and returns once the batch is committed
    /// (by this writer or a later one in it) and flushed to disk.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        if self.alone {
            let sync = self.sync.clone();
            let ticket = sync.commit_open(self.conn()).await;
            // Committed or rolled back: nothing for the drop to undo.
            self.released = true;
            self.turn = None;
            return Ok(sync.durable_through(ticket?).await?);
        }
        if !self.released {
            sqlx::query(RELEASE).execute(self.conn()).await?;
        }
        self.turn = None;
        let sync = self.sync.clone();
        let generation = self.generation;
        // The commit runs on its own task, so a caller that stops waiting (a dropped request) leaves it to finish.
        tokio::spawn(async move { sync.end_batch(generation).await })
            .await
            .map_err(|error| sqlx::Error::Protocol(format!("the batch's commit stopped: {error}")))?
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let Some(turn) = self.turn.take() else { return };
        // Marked before the connection is given back, so the next writer rolls this one back first; a released
        // savepoint's work is the batch's already, and is committed with it.
        if !self.released {
            self.sync.batch().undo = Some(if self.alone { Undo::Transaction } else { Undo::Savepoint });
        }
        drop(turn);
        let sync = self.sync.clone();
        let generation = self.generation;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = sync.end_batch(generation).await {
                    tracing::warn!(%error, "a batch of writes failed after a writer gave up its turn");
                }
            });
        }
    }
}

/// Whether a transaction is open on the connection: `begin` fails inside one. If it was not, the probe's own
/// transaction is rolled back.
async fn transaction_open(conn: &mut SqliteConnection) -> bool {
    match sqlx::query("begin").execute(&mut *conn).await {
        Ok(_) => {
            let _ = sqlx::query("rollback").execute(&mut *conn).await;
            false
        }
        Err(error) => error.to_string().contains("within a transaction"),
    }
}

/// `fdatasync` of the log, and of its directory the first time a log file (an inode) is seen. A missing log means
/// SQLite checkpointed everything into the database and removed it (the last connection closed): nothing to do.
/// Returns the log's inode when the directory was synced for it.
fn flush(wal: &Path, dir_synced_for: Option<u64>) -> std::io::Result<Option<u64>> {
    use std::os::unix::fs::MetadataExt;
    let file = match std::fs::File::open(wal) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    file.sync_data()?;
    let inode = file.metadata()?.ino();
    if dir_synced_for == Some(inode) {
        return Ok(None);
    }
    if let Some(dir) = wal.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    } else {
        std::fs::File::open(".")?.sync_all()?;
    }
    Ok(Some(inode))
}

fn registry() -> &'static Mutex<HashMap<PathBuf, Arc<WalSync>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<PathBuf, Arc<WalSync>>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The flusher of this database file, created on first use (every pool on the file shares it), and the writers'
/// connection of the pool connected last (a file deleted and created again must not be written through a connection
/// to the old one).
pub(crate) fn register(database: &Path, writer: SqliteConnection) -> Arc<WalSync> {
    let mut registry = registry().lock().unwrap_or_else(|poison| poison.into_inner());
    let sync = registry
        .entry(database.to_path_buf())
        .or_insert_with(|| Arc::new(WalSync::new(database)))
        .clone();
    *sync.writer.lock().unwrap_or_else(|poison| poison.into_inner()) = Some(Arc::new(tokio::sync::Mutex::new(Some(writer))));
    // A new connection has no transaction open: the next writer begins a new batch. A batch still open on the old
    // one is lost with it (its writers are told so when they come to commit it), not taken for committed.
    if sync.batch().open {
        sync.end_generation(Some("the writers' connection was replaced".to_string()));
    }
    sync.batch().undo = None;
    sync
}

/// The flusher of a database file registered by `Db::connect_sqlite`, if any.
pub(crate) fn lookup(database: &Path) -> Option<Arc<WalSync>> {
    registry()
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .get(database)
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Actor, EventDraft};
    use crate::store::Db;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};

    /// The instant every test write is stamped with (time is injected, never read).
    fn at() -> chrono::DateTime<chrono::Utc> {
        "2026-03-02T01:00:00Z".parse().expect("instant")
    }

    async fn file_db(name: &str) -> (Db, PathBuf) {
        let dir = std::env::temp_dir().join(format!("chuzhi-batch-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let options = SqliteConnectOptions::new()
            .filename(dir.join("batch.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let db = Db::connect_sqlite(options, 4).await.expect("sqlite");
        db.migrate().await.expect("migrate");
        (db, dir)
    }

    fn sync_of(db: &Db) -> Arc<WalSync> {
        let Db::Sqlite(pool) = db else { unreachable!() };
        lookup(pool.connect_options().get_filename()).expect("registered")
    }

    /// One audited write: a court named `code`, committed or (`keep == false`) given up.
    async fn add_court(db: Db, code: &'static str, keep: bool) -> Result<i64, crate::error::Refusal> {
        add_court_as(db, code, keep, false).await
    }

    /// The same as bulk work: a transaction of its own.
    async fn add_court_as(db: Db, code: &'static str, keep: bool, bulk: bool) -> Result<i64, crate::error::Refusal> {
        let now = at();
        let write = if bulk {
            db.begin_bulk_write(now).await?
        } else {
            db.begin_write(now).await?
        };
        write_court(write, code, keep).await
    }

    /// Adds the court in a turn already taken, then commits it or (`keep == false`) gives it up.
    async fn write_court(mut write: crate::store::WriteTx, code: &'static str, keep: bool) -> Result<i64, crate::error::Refusal> {
        crate::store::on_tx!(&mut write.tx, conn => {
            sqlx::query("insert into courts (code, name) values ($1, $1)").bind(code).execute(conn).await.map(|_| ())
        })?;
        if !keep {
            return Err(crate::error::Refusal::internal("given up"));
        }
        write
            .commit(EventDraft::change(
                &Actor::system("test"),
                "court.add",
                code.to_string(),
                serde_json::json!({}),
            ))
            .await
    }

    async fn audit_chain(db: &Db) -> crate::audit::Verification {
        let engine = crate::engine::Engine::new(
            db.clone(),
            Arc::new(crate::calendar::Calendar::embedded()),
            Arc::new(crate::clock::ManualClock::new(at())),
            crate::engine::Settings::default(),
        );
        engine.verify_audit().await.expect("verify")
    }

    async fn courts(db: &Db) -> Vec<String> {
        let Db::Sqlite(pool) = db else { unreachable!() };
        sqlx::query_scalar("select code from courts order by code")
            .fetch_all(pool)
            .await
            .expect("courts")
    }

    /// Three writers queue for the writers' connection while the first works: they run in turn inside one batch,
    /// the one that gives up is rolled back alone (its audit sequence number too), and one commit makes the other
    /// two durable, the chain of audit events unbroken.
    #[tokio::test(flavor = "current_thread")]
    async fn writers_that_queue_together_share_one_commit_and_one_that_gives_up_is_rolled_back_alone() {
        let (db, dir) = file_db("share").await;
        let sync = sync_of(&db);
        let commits = sync.commits();
        let first = db.begin_write(at()).await.expect("first turn");
        let second = tokio::spawn(add_court(db.clone(), "B", true));
        let third = tokio::spawn(add_court(db.clone(), "C", false));
        let fourth = tokio::spawn(add_court(db.clone(), "D", true));
        // The three run until they queue for the connection the first holds.
        tokio::task::yield_now().await;
        let first_seq = write_court(first, "A", true).await.expect("first commits");
        let second_seq = second.await.expect("task").expect("second commits");
        assert!(third.await.expect("task").is_err());
        let fourth_seq = fourth.await.expect("task").expect("fourth commits");
        assert_eq!(courts(&db).await, vec!["A", "B", "D"]);
        assert_eq!(
            (first_seq, second_seq, fourth_seq),
            (1, 2, 3),
            "the rolled-back writer's number is given again"
        );
        assert_eq!(sync.commits() - commits, 1, "one commit for the batch");
        assert_eq!(audit_chain(&db).await, crate::audit::Verification::Intact { events: 3 });
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Bulk work (an import's chunk) takes its turn with a transaction of its own: the batch open before it is
    /// committed first, and the writers of that batch find it committed; the audit chain runs on unbroken.
    #[tokio::test(flavor = "current_thread")]
    async fn bulk_work_commits_the_open_batch_then_writes_in_a_transaction_of_its_own() {
        let (db, dir) = file_db("bulk").await;
        let sync = sync_of(&db);
        let commits = sync.commits();
        let first = db.begin_write(at()).await.expect("first turn");
        let bulk = tokio::spawn(add_court_as(db.clone(), "B", true, true));
        let after = tokio::spawn(add_court(db.clone(), "C", true));
        let given_up = tokio::spawn(add_court_as(db.clone(), "D", false, true));
        tokio::task::yield_now().await;
        assert_eq!(write_court(first, "A", true).await.expect("first commits"), 1);
        assert_eq!(bulk.await.expect("task").expect("bulk commits"), 2);
        assert_eq!(after.await.expect("task").expect("after commits"), 3);
        assert!(given_up.await.expect("task").is_err());
        add_court(db.clone(), "E", true).await.expect("the next writer");
        assert_eq!(courts(&db).await, vec!["A", "B", "C", "E"]);
        assert_eq!(audit_chain(&db).await, crate::audit::Verification::Intact { events: 4 });
        // The first batch, the bulk work, the batch after it (committed by the bulk writer that gave up, or by the
        // next writer), and the last writer's.
        assert!(sync.commits() - commits >= 3, "{}", sync.commits() - commits);
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A writer that gives up while nobody else writes: its savepoint is rolled back and the batch closed, so the
    /// write lock is not kept (another connection can write at once).
    #[tokio::test(flavor = "current_thread")]
    async fn a_writer_that_gives_up_alone_leaves_no_batch_open() {
        let (db, dir) = file_db("alone").await;
        assert!(add_court(db.clone(), "X", false).await.is_err());
        add_court(db.clone(), "Y", true).await.expect("the next writer");
        assert!(add_court(db.clone(), "Z", false).await.is_err());
        // The clean-up runs on its own task: it takes the connection first (the yield lets it start), and once it
        // gives it back, no transaction is left open.
        tokio::task::yield_now().await;
        let sync = sync_of(&db);
        let writer = sync.writer().expect("writer");
        drop(writer.lock().await);
        assert!(!sync.batch().open && sync.batch().undo.is_none());
        let Db::Sqlite(pool) = &db else { unreachable!() };
        let mut other = pool.begin().await.expect("begin");
        sqlx::query("insert into courts (code, name) values ('W', 'W')")
            .execute(&mut *other)
            .await
            .expect("not locked");
        other.commit().await.expect("commit");
        assert_eq!(courts(&db).await, vec!["W", "Y"]);
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A writer whose last statement (its audit event and `RELEASE`) ran, but which gave up before it learnt so (a
    /// dropped request), did all its work: the next writer keeps it in the batch instead of failing the batch
    /// because the savepoint to roll back is gone.
    #[tokio::test]
    async fn a_writer_that_gives_up_after_its_release_ran_keeps_its_work_and_the_batch() {
        let (db, dir) = file_db("released").await;
        let mut write = db.begin_write(at()).await.expect("turn");
        async {
            crate::store::on_tx!(&mut write.tx, conn => {
                sqlx::query("insert into courts (code, name) values ('R1', 'R1')").execute(conn).await.map(|_| ())
            })
        }
        .await
        .expect("write");
        let sealed = crate::audit::seal(
            write.seq,
            write.at,
            &write.prev_hash,
            EventDraft::change(&Actor::system("test"), "court.add", "R1".to_string(), serde_json::json!({})),
        );
        crate::store::audit::append(&mut write.tx, &sealed)
            .await
            .expect("the last statement runs");
        let crate::store::Tx::Sqlite(crate::store::SqliteTx::Batched(member)) = &mut write.tx else {
            panic!("a file database's writer takes a turn in the batch")
        };
        member.released = false; // cancelled before the flag was set
        drop(write);
        add_court(db.clone(), "R2", true).await.expect("the batch carries on");
        assert_eq!(courts(&db).await, vec!["R1", "R2"]);
        assert!(matches!(audit_chain(&db).await, crate::audit::Verification::Intact { .. }));
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn commits_waiting_together_share_flushes_and_each_returns_after_one_that_began_after_it() {
        let dir = std::env::temp_dir().join(format!("chuzhi-walsync-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let database = dir.join("group.db");
        std::fs::write(dir.join("group.db-wal"), b"frames").expect("wal");
        let sync = Arc::new(WalSync::new(&database));
        let waiters: Vec<_> = (0..64)
            .map(|_| {
                let sync = sync.clone();
                tokio::spawn(async move { sync.durable().await })
            })
            .collect();
        for waiter in waiters {
            waiter.await.expect("task").expect("flush");
        }
        let flushes = sync.flushes();
        assert!(flushes >= 1, "at least one flush");
        assert!(flushes < 64, "64 waiters shared their flushes: {flushes}");
        // A commit after all that gets a flush of its own.
        sync.durable().await.expect("flush");
        assert_eq!(sync.flushes(), flushes + 1);
        // No log (SQLite removed it after the last checkpoint): nothing to flush, and no error.
        std::fs::remove_file(dir.join("group.db-wal")).expect("remove");
        sync.durable().await.expect("no log is durable already");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
