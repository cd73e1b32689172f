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

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

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
    /// The directory was synced for the log file as it is now (its inode), as SQLite does when it creates one.
    dir_synced_for: Mutex<Option<u64>>,
    /// The writers' connection: SQLite writes one transaction at a time, and a writer that finds the write lock
    /// taken sleeps in `busy_timeout`'s steps (milliseconds; 16 postings at once took 100 ms instead of 5). Every
    /// `begin_write` of this process takes this one connection instead, in turn, and gives it back when its commit
    /// returns (not after its flush, which it shares with the next writers).
    writer: Mutex<Option<sqlx::SqlitePool>>,
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
            dir_synced_for: Mutex::new(None),
            writer: Mutex::new(None),
        }
    }

    /// The writers' pool of one connection (see `writer`).
    pub(crate) fn writer(&self) -> Option<sqlx::SqlitePool> {
        self.writer.lock().unwrap_or_else(|poison| poison.into_inner()).clone()
    }

    /// Returns once everything committed before the call is on disk. Call it after the commit returned.
    pub async fn durable(&self) -> std::io::Result<()> {
        let ticket = self.requested.fetch_add(1, Ordering::SeqCst) + 1;
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

    /// The flushes done so far.
    pub fn flushes(&self) -> u64 {
        self.flushes.load(Ordering::Relaxed)
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
pub(crate) fn register(database: &Path, writer: sqlx::SqlitePool) -> Arc<WalSync> {
    let mut registry = registry().lock().unwrap_or_else(|poison| poison.into_inner());
    let sync = registry
        .entry(database.to_path_buf())
        .or_insert_with(|| Arc::new(WalSync::new(database)))
        .clone();
    *sync.writer.lock().unwrap_or_else(|poison| poison.into_inner()) = Some(writer);
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
