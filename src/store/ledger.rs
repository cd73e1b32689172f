//! The execution-fund journal's rows: entries, their lines, the running balances, and the independent checks that
//! recompute balances from the lines (STYLE habit 11: asserted on two paths).

use super::{on_pool, on_tx, Db, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// One line of an entry as stored: the account's key, the case it belongs to (case accounts only), the amounts,
/// and the change to the account's balance in its normal direction (the core decides the sign).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    pub account: String,
    pub case_id: Option<i64>,
    pub debit_fen: i64,
    pub credit_fen: i64,
    pub balance_delta_fen: i64,
}

/// An entry to post. `source` names what it records and is unique per court: posting the same source twice
/// posts nothing the second time.
#[derive(Debug, Clone)]
pub struct EntryRow<'a> {
    pub court_id: i64,
    pub kind: &'a str,
    pub memo: &'a str,
    pub source: &'a str,
    pub posted_on: NaiveDate,
    pub posted_at: DateTime<Utc>,
    pub audit_seq: i64,
    pub lines: &'a [LineRow],
}

/// Posts an entry whose source the caller found new under the write lock (`balances_and_posted`), and moves the
/// balances, in the caller's transaction; returns the entry's id. The lines go in one insert, then each touched
/// balance row is made to exist (at zero, so a debit never offers a negative row to the balance check), then one
/// update adds every account's delta; a case balance that would go negative fails the database's check and rolls
/// the caller's transaction back. On SQLite the entry and all of that go to the database as one script, in one
/// round trip (SPEC §8: a posting costs little more than the durable commit itself); PostgreSQL takes them one by
/// one.
pub async fn post_new(tx: &mut Tx, entry: &EntryRow<'_>) -> Result<i64, sqlx::Error> {
    let court_id = entry.court_id;
    let lines = entry.lines;
    // One delta per account: an entry may touch an account twice, and an update moves each row once.
    let mut deltas: Vec<(&str, Option<i64>, i64)> = Vec::with_capacity(lines.len());
    for line in lines {
        match deltas.iter_mut().find(|(account, _, _)| *account == line.account) {
            Some(delta) => delta.2 = delta.2.checked_add(line.balance_delta_fen).ok_or_else(|| overflow(&line.account))?,
            None => deltas.push((&line.account, line.case_id, line.balance_delta_fen)),
        }
    }
    macro_rules! push_entry {
        ($query:expr) => {{
            $query.push(
                "insert into ledger_entries (id, court_id, kind, memo, source, posted_on, posted_at, audit_seq)
                 values ((select coalesce(max(id), 0) + 1 from ledger_entries), ",
            );
            let mut separated = $query.separated(", ");
            separated
                .push_bind(court_id)
                .push_bind(entry.kind)
                .push_bind(entry.memo)
                .push_bind(entry.source)
                .push_bind(entry.posted_on)
                .push_bind(entry.posted_at)
                .push_bind(entry.audit_seq);
            $query.push(") returning id");
        }};
    }
    // `None`: the entry inserted just before, in the same script (ids are max + 1 under the write lock).
    macro_rules! push_lines {
        ($query:expr, $entry_id:expr) => {{
            $query.push("insert into ledger_lines (entry_id, line_no, court_id, account, case_id, debit_fen, credit_fen) ");
            $query.push_values(lines.iter().enumerate(), |mut row, (index, line)| {
                match $entry_id {
                    Some(id) => row.push_bind(id),
                    None => row.push("(select max(id) from ledger_entries)"),
                };
                row.push_bind(index as i64 + 1)
                    .push_bind(court_id)
                    .push_bind(line.account.as_str())
                    .push_bind(line.case_id)
                    .push_bind(line.debit_fen)
                    .push_bind(line.credit_fen);
            });
        }};
    }
    macro_rules! push_balance_rows {
        ($query:expr) => {{
            $query.push("insert into ledger_balances (court_id, account, case_id, balance_fen) ");
            $query.push_values(deltas.iter(), |mut row, (account, case_id, _)| {
                row.push_bind(court_id)
                    .push_bind(*account)
                    .push_bind(*case_id)
                    .push_unseparated(", 0");
            });
            $query.push(" on conflict (court_id, account) do nothing");
        }};
    }
    macro_rules! push_update {
        ($query:expr) => {{
            $query.push("update ledger_balances set balance_fen = balance_fen + case account");
            for (account, _, delta) in &deltas {
                $query
                    .push(" when ")
                    .push_bind(*account)
                    .push(" then cast(")
                    .push_bind(*delta)
                    .push(" as bigint)");
            }
            $query.push(" end where court_id = ").push_bind(court_id).push(" and account in (");
            let mut separated = $query.separated(", ");
            for (account, _, _) in &deltas {
                separated.push_bind(*account);
            }
            $query.push(")");
        }};
    }
    match tx {
        Tx::Sqlite(transaction) => {
            let mut query = sqlx::QueryBuilder::new("");
            push_entry!(query);
            if !lines.is_empty() {
                query.push("; ");
                push_lines!(query, None::<i64>);
                query.push("; ");
                push_balance_rows!(query);
                query.push("; ");
                push_update!(query);
            }
            let ids: Vec<i64> = query.build_query_scalar().fetch_all(transaction.conn()).await?;
            ids.first().copied().ok_or(sqlx::Error::RowNotFound)
        }
        Tx::Postgres(transaction) => {
            let mut query = sqlx::QueryBuilder::new("");
            push_entry!(query);
            let id: i64 = query.build_query_scalar().fetch_one(&mut **transaction).await?;
            if !lines.is_empty() {
                let mut query = sqlx::QueryBuilder::new("");
                push_lines!(query, Some(id));
                query.build().execute(&mut **transaction).await?;
                let mut query = sqlx::QueryBuilder::new("");
                push_balance_rows!(query);
                query.build().execute(&mut **transaction).await?;
                let mut query = sqlx::QueryBuilder::new("");
                push_update!(query);
                query.build().execute(&mut **transaction).await?;
            }
            Ok(id)
        }
    }
}

fn overflow(account: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!("the balance delta of {account} overflows 64 bits"))
}

/// Adds each delta to its account's running balance, creating balance rows on first use: one statement per 500
/// accounts. Each account appears once (PostgreSQL refuses to update one row twice in one statement). For receipts
/// only: a case account's delta must not be negative here, since the upsert offers it as a new row first (see
/// `post_new`, which every other posting uses).
pub async fn move_balances(tx: &mut Tx, court_id: i64, deltas: &[(String, Option<i64>, i64)]) -> Result<(), sqlx::Error> {
    for chunk in deltas.chunks(500) {
        on_tx!(tx, conn => {
            let mut query = sqlx::QueryBuilder::new("insert into ledger_balances (court_id, account, case_id, balance_fen) ");
            query.push_values(chunk, |mut row, (account, case_id, delta)| {
                row.push_bind(court_id).push_bind(account).push_bind(*case_id).push_bind(*delta);
            });
            query.push(" on conflict (court_id, account) do update set balance_fen = ledger_balances.balance_fen + excluded.balance_fen");
            query.build().execute(conn).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// The last id of a table whose ids chuzhi gives itself (ledger entries, statement lines), read under the audit
/// head's lock so nobody else takes the next ones.
pub async fn last_id(tx: &mut Tx, table: LedgerTable) -> Result<i64, sqlx::Error> {
    let sql = match table {
        LedgerTable::Entries => "select coalesce(max(id), 0) from ledger_entries",
        LedgerTable::StatementLines => "select coalesce(max(id), 0) from statement_lines",
    };
    on_tx!(tx, conn => sqlx::query_scalar::<_, i64>(sql).fetch_one(conn).await)
}

#[derive(Debug, Clone, Copy)]
pub enum LedgerTable {
    Entries,
    StatementLines,
}

/// The sources of receipts the disposal side credited to cases (in transit until the statement shows them).
pub async fn in_transit_sources(tx: &mut Tx, court_id: i64) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    let sources: Vec<String> = on_tx!(tx, conn => {
        sqlx::query_scalar("select source from ledger_entries where court_id = $1 and kind = 'receipt_in_transit'")
            .bind(court_id)
            .fetch_all(conn)
            .await
    })?;
    Ok(sources.into_iter().collect())
}

/// The current balances of these accounts, and whether an entry with this source was posted before, in one query
/// inside the transaction that will post (the write lock, taken first, means nobody moves them before the commit).
pub async fn balances_and_posted(
    tx: &mut Tx,
    court_id: i64,
    accounts: &[String],
    source: &str,
) -> Result<(BTreeMap<String, i64>, bool), sqlx::Error> {
    let mut found: BTreeMap<String, i64> = accounts.iter().map(|account| (account.clone(), 0)).collect();
    let rows: Vec<(String, i64)> = on_tx!(tx, conn => {
        let mut query = sqlx::QueryBuilder::new("select account, balance_fen from ledger_balances where court_id = ");
        query.push_bind(court_id).push(" and account in (");
        let mut separated = query.separated(", ");
        separated.push_bind("");
        for account in accounts {
            separated.push_bind(account.as_str());
        }
        // An account key is never empty: the empty key marks the entry posted before.
        query.push(") union all select '', id from ledger_entries where court_id = ").push_bind(court_id);
        query.push(" and source = ").push_bind(source);
        query.build_query_as().fetch_all(conn).await
    })?;
    let mut posted = false;
    for (account, balance) in rows {
        if account.is_empty() {
            posted = true;
        } else {
            found.insert(account, balance);
        }
    }
    Ok((found, posted))
}

/// The current balances of these accounts, read inside the transaction that will post against them (the audit
/// head's lock, taken first, means nobody else moves them before the commit).
pub async fn balances_tx(tx: &mut Tx, court_id: i64, accounts: &[String]) -> Result<BTreeMap<String, i64>, sqlx::Error> {
    let mut found: BTreeMap<String, i64> = accounts.iter().map(|account| (account.clone(), 0)).collect();
    if accounts.is_empty() {
        return Ok(found);
    }
    let rows: Vec<(String, i64)> = on_tx!(tx, conn => {
        let mut query = sqlx::QueryBuilder::new("select account, balance_fen from ledger_balances where court_id = ");
        query.push_bind(court_id).push(" and account in (");
        let mut separated = query.separated(", ");
        for account in accounts {
            separated.push_bind(account.as_str());
        }
        query.push(")");
        query.build_query_as().fetch_all(conn).await
    })?;
    found.extend(rows);
    Ok(found)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BalanceRow {
    pub account: String,
    pub case_id: Option<i64>,
    pub balance_fen: i64,
}

/// Every account balance of a court (optionally only one case's), by account key.
pub async fn balances(db: &Db, court_id: i64, case_id: Option<i64>) -> Result<Vec<BalanceRow>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, BalanceRow>(
            "select account, case_id, balance_fen from ledger_balances
             where court_id = $1 and ($2 is null or case_id = $2) order by account",
        )
        .bind(court_id)
        .bind(case_id)
        .fetch_all(pool)
        .await
    })
}

/// One line of a posted entry, with its entry's kind and source.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EntryLineRow {
    pub entry_id: i64,
    pub kind: String,
    pub source: String,
    pub account: String,
    pub debit_fen: i64,
    pub credit_fen: i64,
}

/// The lines of a court's entries whose source starts with `prefix` (e.g. `forfeit:<asset>:`, the entries of one
/// asset's forfeited deposits), in posting order.
pub async fn entry_lines_by_source(db: &Db, court_id: i64, prefix: &str) -> Result<Vec<EntryLineRow>, sqlx::Error> {
    let pattern = format!("{}%", prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    on_pool!(db, pool => {
        sqlx::query_as::<_, EntryLineRow>(
            "select e.id as entry_id, e.kind, e.source, l.account, l.debit_fen, l.credit_fen
             from ledger_entries e join ledger_lines l on l.entry_id = e.id
             where e.court_id = $1 and e.source like $2 escape '\\'
             order by e.id, l.line_no",
        )
        .bind(court_id)
        .bind(&pattern)
        .fetch_all(pool)
        .await
    })
}

/// The independent check (STYLE habit 11): entries whose debits differ from their credits. Always empty.
pub async fn unbalanced_entries(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_scalar(
            "select entry_id from ledger_lines group by entry_id having sum(debit_fen) <> sum(credit_fen) order by entry_id",
        )
        .fetch_all(pool)
        .await
    })
}

/// The independent check: each account's debits and credits summed from the lines, to compare with the running
/// balances.
pub async fn line_totals(db: &Db, court_id: i64) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, (String, i64, i64)>(
            "select account, cast(sum(debit_fen) as bigint), cast(sum(credit_fen) as bigint) from ledger_lines
             where court_id = $1 group by account order by account",
        )
        .bind(court_id)
        .fetch_all(pool)
        .await
    })
}
