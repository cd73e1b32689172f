//! Nodes, alerts, the outbox and digests. The sweep's statements are set-based and read only due nodes through
//! the partial index on `next_alert_on`, so a sweep's cost follows the number of due nodes, not the number stored.

use super::{on_pool, on_tx, Db, Tx};
use crate::nodes::{AlertKind, NodeDates, NodePlan};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NodeRow {
    pub id: i64,
    pub court_id: i64,
    pub case_id: i64,
    pub asset_id: Option<i64>,
    pub rule_id: String,
    pub title: String,
    pub trigger_event: String,
    pub trigger_date: NaiveDate,
    pub period: String,
    pub due_date: NaiveDate,
    pub remind_on: NaiveDate,
    pub overdue_on: NaiveDate,
    pub lead_working_days: i32,
    pub next_alert_on: Option<NaiveDate>,
    pub status: String,
    pub provisional: bool,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AlertRow {
    pub id: i64,
    pub node_id: i64,
    pub court_id: i64,
    pub kind: String,
    pub audience: String,
    pub as_of: NaiveDate,
    pub raised_at: DateTime<Utc>,
    pub rule_id: String,
    pub title: String,
    pub due_date: NaiveDate,
    pub case_id: i64,
    pub asset_id: Option<i64>,
}

const NODE_COLUMNS: &str = "id, court_id, case_id, asset_id, rule_id, title, trigger_event, trigger_date, period, due_date, remind_on, overdue_on, lead_working_days, next_alert_on, status, provisional, created_at, closed_at";
const ALERT_SELECT: &str =
    "select a.id, a.node_id, a.court_id, a.kind, a.audience, a.as_of, a.raised_at, n.rule_id, n.title, n.due_date, n.case_id, n.asset_id
     from alerts a join nodes n on n.id = a.node_id";

pub struct NodeInsert<'a> {
    pub court_id: i64,
    pub case_id: i64,
    pub asset_id: Option<i64>,
    pub plan: &'a NodePlan,
    pub dates: NodeDates,
    pub created_at: DateTime<Utc>,
    /// The key a lifecycle addresses the node by (the valuation's `NodeKey`); none for the engine's own nodes.
    pub node_key: Option<&'a str>,
}

pub async fn insert_node(tx: &mut Tx, node: &NodeInsert<'_>) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "insert into nodes (court_id, case_id, asset_id, rule_id, title, trigger_event, trigger_date, period, due_date, remind_on, overdue_on, lead_working_days, next_alert_on, status, provisional, created_at, node_key)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $14, $10, 'pending', $12, $13, $15) returning id",
        )
        .bind(node.court_id)
        .bind(node.case_id)
        .bind(node.asset_id)
        .bind(node.plan.rule_id)
        .bind(&node.plan.title)
        .bind(&node.plan.trigger_event)
        .bind(node.plan.trigger_date)
        .bind(node.plan.period.to_string())
        .bind(node.dates.due_date)
        .bind(node.dates.remind_on)
        .bind(node.dates.overdue_on)
        .bind(node.dates.provisional)
        .bind(node.created_at)
        .bind(node.plan.lead_working_days as i32)
        .bind(node.node_key)
        .fetch_one(conn)
        .await
    })
}

pub async fn node_in_court(db: &Db, court_id: i64, node_id: i64) -> Result<Option<NodeRow>, sqlx::Error> {
    let sql = format!("select {NODE_COLUMNS} from nodes where id = $1 and court_id = $2");
    on_pool!(db, pool => sqlx::query_as::<_, NodeRow>(&sql).bind(node_id).bind(court_id).fetch_optional(pool).await)
}

/// Filters for listing a court's nodes.
#[derive(Debug, Clone, Default)]
pub struct NodeFilter {
    pub status: Option<String>,
    pub case_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub due_on_or_before: Option<NaiveDate>,
    pub after_id: i64,
    pub limit: i64,
}

pub async fn nodes_in_court(db: &Db, court_id: i64, filter: &NodeFilter) -> Result<Vec<NodeRow>, sqlx::Error> {
    let sql = format!(
        "select {NODE_COLUMNS} from nodes where court_id = $1 and id > $2
           and ($3 is null or status = $3) and ($4 is null or case_id = $4) and ($5 is null or asset_id = $5)
           and ($6 is null or due_date <= $6)
         order by id limit $7"
    );
    on_pool!(db, pool => {
        sqlx::query_as::<_, NodeRow>(&sql)
            .bind(court_id)
            .bind(filter.after_id)
            .bind(&filter.status)
            .bind(filter.case_id)
            .bind(filter.asset_id)
            .bind(filter.due_on_or_before)
            .bind(filter.limit)
            .fetch_all(pool)
            .await
    })
}

pub async fn nodes_of_asset_tx(tx: &mut Tx, asset_id: i64) -> Result<Vec<NodeRow>, sqlx::Error> {
    let sql = format!("select {NODE_COLUMNS} from nodes where asset_id = $1 order by id");
    on_tx!(tx, conn => sqlx::query_as::<_, NodeRow>(&sql).bind(asset_id).fetch_all(conn).await)
}

/// Whether any node (of one court, or of all) has an alert stage due on or before `today` (a cheap index probe
/// before taking the write lock).
pub async fn any_due(db: &Db, today: NaiveDate, court_id: Option<i64>) -> Result<bool, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>(
            "select id from nodes where next_alert_on <= $1 and status in ('pending', 'overdue') and ($2 is null or court_id = $2) limit 1",
        )
            .bind(today)
            .bind(court_id)
            .fetch_optional(pool)
            .await
            .map(|found| found.is_some())
    })
}

/// The nodes one sweep takes: open ones with a stage due, of one court or all (`court` is the placeholder of the
/// court filter), oldest stage first, at most `limit` ($2). The same text is used by every statement of the
/// sweep, so within its transaction they all see the same set.
fn due_nodes(court: &str) -> String {
    format!(
        "select id from nodes where next_alert_on <= $1 and status in ('pending', 'overdue') and ({court} is null or court_id = {court})
         order by next_alert_on, id limit $2"
    )
}

/// Raises the alert of the stage each due node has reached (see `crate::nodes::stage_reached`, which this
/// mirrors and which the tests compare it with). The unique key (node, kind, due date) makes a repeated or
/// concurrent sweep raise nothing twice. Returns how many alerts were raised.
pub async fn raise_alerts(
    tx: &mut Tx,
    today: NaiveDate,
    now: DateTime<Utc>,
    sweep_seq: i64,
    limit: i64,
    court_id: Option<i64>,
) -> Result<u64, sqlx::Error> {
    let due = due_nodes("$5");
    let sql = format!(
        "insert into alerts (node_id, court_id, kind, due_date, audience, as_of, raised_at, sweep_seq)
         select n.id, n.court_id,
                case when n.overdue_on <= $1 then 'overdue' when n.due_date <= $1 then 'due_today' else 'upcoming' end,
                n.due_date,
                case when n.overdue_on <= $1 then 'supervisors' else 'staff' end,
                $1, $3, $4
         from nodes n where n.id in ({due})
         on conflict (node_id, kind, due_date) do nothing"
    );
    on_tx!(tx, conn => {
        sqlx::query(&sql).bind(today).bind(limit).bind(now).bind(sweep_seq).bind(court_id).execute(conn).await.map(|done| done.rows_affected())
    })
}

/// The outbox message of each alert chosen by the `where` that follows (`$1`: the time it is put).
const ALERT_OUTBOX: &str = "insert into outbox (topic, court_id, alert_id, payload, created_at)
     select 'alert.' || a.kind, a.court_id, a.id,
            '{\"alert_id\":' || a.id || ',\"node_id\":' || a.node_id || ',\"case_id\":' || n.case_id
              || ',\"rule\":\"' || n.rule_id || '\",\"kind\":\"' || a.kind || '\",\"audience\":\"' || a.audience
              || '\",\"due_date\":\"' || n.due_date || '\"}',
            $1
     from alerts a join nodes n on n.id = a.node_id";

/// Puts one outbox message per alert raised by this sweep.
pub async fn enqueue_alerts(tx: &mut Tx, now: DateTime<Utc>, sweep_seq: i64) -> Result<u64, sqlx::Error> {
    let sql = format!("{ALERT_OUTBOX} where a.sweep_seq = $2");
    on_tx!(tx, conn => sqlx::query(&sql).bind(now).bind(sweep_seq).execute(conn).await.map(|done| done.rows_affected()))
}

/// Raises one alert outside a sweep, tagged with the command's audit sequence number: a breach that is known the
/// moment it is recorded (a cash handover after the FUND-2 limit) goes to the same alerts list and outbox as the
/// sweep's, instead of waiting for a sweep that would never see a node already closed. Returns the alert's id.
#[allow(clippy::too_many_arguments)]
pub async fn insert_alert(
    tx: &mut Tx,
    node_id: i64,
    court_id: i64,
    kind: AlertKind,
    due_date: NaiveDate,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    audit_seq: i64,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "insert into alerts (node_id, court_id, kind, due_date, audience, as_of, raised_at, sweep_seq)
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        )
        .bind(node_id)
        .bind(court_id)
        .bind(kind.as_str())
        .bind(due_date)
        .bind(kind.audience())
        .bind(as_of)
        .bind(now)
        .bind(audit_seq)
        .fetch_one(conn)
        .await
    })
}

/// Puts the outbox message of one alert, in the same shape as the sweep's (`enqueue_alerts`).
pub async fn enqueue_alert(tx: &mut Tx, alert_id: i64, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let sql = format!("{ALERT_OUTBOX} where a.id = $2");
    on_tx!(tx, conn => sqlx::query(&sql).bind(now).bind(alert_id).execute(conn).await.map(|done| done.rows_affected()))
}

/// Moves each due node to its next stage (`crate::nodes::next_alert_after`) and marks overdue ones.
pub async fn advance_due_nodes(tx: &mut Tx, today: NaiveDate, limit: i64, court_id: Option<i64>) -> Result<u64, sqlx::Error> {
    let due = due_nodes("$3");
    let sql = format!(
        "update nodes set
            status = case when overdue_on <= $1 then 'overdue' else status end,
            next_alert_on = case when $1 < remind_on then remind_on
                                 when $1 < due_date then due_date
                                 when $1 < overdue_on then overdue_on
                                 else null end
         where id in ({due})"
    );
    on_tx!(tx, conn => sqlx::query(&sql).bind(today).bind(limit).bind(court_id).execute(conn).await.map(|done| done.rows_affected()))
}

/// Counts of the alerts one sweep raised, by kind.
pub async fn alert_counts_of_sweep(tx: &mut Tx, sweep_seq: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_as::<_, (String, i64)>("select kind, count(*) from alerts where sweep_seq = $1 group by kind order by kind")
            .bind(sweep_seq)
            .fetch_all(conn)
            .await
    })
}

pub async fn alerts_of_sweep(db: &Db, sweep_seq: i64) -> Result<Vec<AlertRow>, sqlx::Error> {
    let sql = format!("{ALERT_SELECT} where a.sweep_seq = $1 order by a.id");
    on_pool!(db, pool => sqlx::query_as::<_, AlertRow>(&sql).bind(sweep_seq).fetch_all(pool).await)
}

pub async fn alerts_in_court(db: &Db, court_id: i64, kind: Option<&str>, after_id: i64, limit: i64) -> Result<Vec<AlertRow>, sqlx::Error> {
    let sql = format!("{ALERT_SELECT} where a.court_id = $1 and a.id > $2 and ($3 is null or a.kind = $3) order by a.id limit $4");
    on_pool!(db, pool => sqlx::query_as::<_, AlertRow>(&sql).bind(court_id).bind(after_id).bind(kind).bind(limit).fetch_all(pool).await)
}

/// Open nodes to recompute against a newly loaded calendar: the provisional ones (PER-10), or all of them when
/// the schedules changed.
pub async fn open_nodes_to_recompute(tx: &mut Tx, all: bool, after_id: i64, limit: i64) -> Result<Vec<NodeRow>, sqlx::Error> {
    let sql = format!(
        "select {NODE_COLUMNS} from nodes where ($1 or provisional = $4) and status in ('pending', 'overdue', 'paused') and id > $2 order by id limit $3"
    );
    on_tx!(tx, conn => sqlx::query_as::<_, NodeRow>(&sql).bind(all).bind(after_id).bind(limit).bind(true).fetch_all(conn).await)
}

/// The fingerprint of the schedules the nodes were last computed with.
pub async fn calendar_fingerprint(db: &Db) -> Result<Option<String>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_scalar::<_, String>("select fingerprint from calendar_state where id = 1").fetch_optional(pool).await)
}

pub async fn set_calendar_fingerprint(tx: &mut Tx, fingerprint: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("insert into calendar_state (id, fingerprint) values (1, $1) on conflict (id) do update set fingerprint = excluded.fingerprint")
            .bind(fingerprint)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// Replaces an open node's dates. The alert stages restart from the new reminder date: alerts are keyed by due
/// date too, so a node moved to a new date is alerted afresh, and one that kept its date is not alerted twice.
pub async fn reschedule_node(tx: &mut Tx, node_id: i64, dates: &NodeDates) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "update nodes set due_date = $2, remind_on = $3, overdue_on = $4, provisional = $5,
                    next_alert_on = case when status = 'paused' then null else $3 end,
                    status = case when status = 'overdue' then 'pending' else status end
             where id = $1",
        )
        .bind(node_id)
        .bind(dates.due_date)
        .bind(dates.remind_on)
        .bind(dates.overdue_on)
        .bind(dates.provisional)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Per-court counts for the daily digest: (court, due today, overdue, upcoming within the reminder window).
/// Read before the digest takes the write lock, so the counting never holds up writers.
pub async fn digest_counts(db: &Db, today: NaiveDate) -> Result<Vec<(i64, i64, i64, i64)>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, (i64, i64, i64, i64)>(
            "select c.id,
                    (select count(*) from nodes n where n.court_id = c.id and n.status = 'pending' and n.due_date = $1),
                    (select count(*) from nodes n where n.court_id = c.id and n.status = 'overdue'),
                    (select count(*) from nodes n where n.court_id = c.id and n.status = 'pending' and n.remind_on <= $1 and n.due_date > $1)
             from courts c order by c.id",
        )
        .bind(today)
        .fetch_all(pool)
        .await
    })
}

/// Claims the day's digest for a court; false when it was already sent.
pub async fn claim_digest(tx: &mut Tx, court_id: i64, today: NaiveDate) -> Result<bool, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("insert into digests (court_id, digest_date) values ($1, $2) on conflict do nothing")
            .bind(court_id)
            .bind(today)
            .execute(conn)
            .await
            .map(|done| done.rows_affected() == 1)
    })
}

pub async fn enqueue(
    tx: &mut Tx,
    topic: &str,
    court_id: Option<i64>,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("insert into outbox (topic, court_id, payload, created_at) values ($1, $2, $3, $4)")
            .bind(topic)
            .bind(court_id)
            .bind(payload.to_string())
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

pub async fn count_rows(db: &Db, table: &str) -> Result<i64, sqlx::Error> {
    let sql = format!("select count(*) from {table}");
    on_pool!(db, pool => sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await)
}

/// What a lifecycle's effect does to its open node `node_key` on an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyedChange {
    Meet,
    Cancel,
    Pause,
}

const OPEN: &str = "status in ('pending', 'overdue', 'paused')";

/// Closes (met, cancelled) or pauses the open node with this key; returns how many rows changed.
pub async fn change_keyed_node(
    tx: &mut Tx,
    asset_id: i64,
    node_key: &str,
    change: KeyedChange,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let (status, closes) = match change {
        KeyedChange::Meet => ("met", true),
        KeyedChange::Cancel => ("cancelled", true),
        KeyedChange::Pause => ("paused", false),
    };
    let sql = format!(
        "update nodes set status = $3, next_alert_on = null, closed_at = case when $4 then $5 else closed_at end
         where asset_id = $1 and node_key = $2 and {OPEN}"
    );
    on_tx!(tx, conn => {
        sqlx::query(&sql).bind(asset_id).bind(node_key).bind(status).bind(closes).bind(now).execute(conn).await.map(|done| done.rows_affected())
    })
}

/// Meets every open node of a rule on an asset (REF-1, created at seizure, is met when the procedure starts).
pub async fn meet_rule_nodes(tx: &mut Tx, asset_id: i64, rule_id: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let sql =
        format!("update nodes set status = 'met', next_alert_on = null, closed_at = $3 where asset_id = $1 and rule_id = $2 and {OPEN}");
    on_tx!(tx, conn => sqlx::query(&sql).bind(asset_id).bind(rule_id).bind(now).execute(conn).await.map(|done| done.rows_affected()))
}

/// Cancels every open node of a rule on an asset: the seizure-renewal reminder (SEIZ-1) once the seizure is lifted.
pub async fn cancel_rule_nodes(tx: &mut Tx, asset_id: i64, rule_id: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "update nodes set status = 'cancelled', next_alert_on = null, closed_at = $3 where asset_id = $1 and rule_id = $2 and {OPEN}"
    );
    on_tx!(tx, conn => sqlx::query(&sql).bind(asset_id).bind(rule_id).bind(now).execute(conn).await.map(|done| done.rows_affected()))
}

/// Gives the open node with this key a new plan and dates, running again (a reschedule or a resumption).
pub async fn replan_keyed_node(tx: &mut Tx, asset_id: i64, node_key: &str, plan: &NodePlan, dates: &NodeDates) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "update nodes set title = $3, trigger_event = $4, trigger_date = $5, period = $6, due_date = $7, remind_on = $8,
                overdue_on = $9, lead_working_days = $10, provisional = $11, next_alert_on = $8, status = 'pending'
         where asset_id = $1 and node_key = $2 and {OPEN}"
    );
    on_tx!(tx, conn => {
        sqlx::query(&sql)
            .bind(asset_id)
            .bind(node_key)
            .bind(&plan.title)
            .bind(&plan.trigger_event)
            .bind(plan.trigger_date)
            .bind(plan.period.to_string())
            .bind(dates.due_date)
            .bind(dates.remind_on)
            .bind(dates.overdue_on)
            .bind(plan.lead_working_days as i32)
            .bind(dates.provisional)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })
}

/// REF-33: the assets whose price validity or sale grace ended before `today` with its node still open, i.e. the
/// disposal or the sale it waited for never came. At most `limit`, oldest first.
pub async fn lapsed_validity_assets(db: &Db, today: NaiveDate, court_id: Option<i64>, limit: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_pool!(db, pool => {
        sqlx::query_as::<_, (i64, i64)>(
            "select court_id, asset_id from nodes
             where rule_id = 'REF-33' and node_key in ('validity', 'sale_grace') and status in ('pending', 'overdue')
               and due_date < $1 and ($2 is null or court_id = $2) and asset_id is not null
             group by court_id, asset_id order by min(due_date), asset_id limit $3",
        )
        .bind(today)
        .bind(court_id)
        .bind(limit)
        .fetch_all(pool)
        .await
    })
}
