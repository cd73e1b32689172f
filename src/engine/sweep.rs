//! Sweeps (SPEC §3.2, STYLE habit 9): bounded, idempotent, and what tests call directly; the scheduled loop in
//! `serve` only ticks and logs.

use super::Engine;
use crate::audit::{Actor, EventDraft};
use crate::calendar::Period;
use crate::clock::local_date;
use crate::error::Outcome;
use crate::ledger;
use crate::money::Money;
use crate::nodes::node_dates;
use crate::store;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// What one sweep raised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SweepReport {
    #[schema(value_type = String, format = Date)]
    pub as_of: Option<NaiveDate>,
    /// The audit sequence number of the sweep, which also tags its alerts; none when nothing was due.
    pub sweep_seq: Option<i64>,
    pub nodes_advanced: u64,
    pub upcoming: u64,
    pub due_today: u64,
    pub overdue: u64,
    /// True when the limit was reached and more due nodes wait for the next sweep.
    pub more_due: bool,
    /// REF-33: prices whose validity or grace ended unused, lapsed by this sweep (each its own audited step).
    pub prices_lapsed: u64,
    /// SELF-4: self-disposals whose period ended unsold, lapsed by this sweep (each its own audited step); the court's
    /// disposal restarts.
    pub self_disposals_lapsed: u64,
}

impl SweepReport {
    pub fn alerts_raised(&self) -> u64 {
        self.upcoming + self.due_today + self.overdue
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DigestReport {
    pub digests_sent: u64,
    /// Courts whose digest reported unidentified funds past their claim deadline (FUND-3).
    pub suspense_overdue_courts: u64,
}

impl Engine {
    /// Raises the alerts that are due as of `now`, for at most `limit` nodes of every court: `upcoming`,
    /// `due_today`, and `overdue`, which escalates to the court's supervisors. Alerts and their outbox messages are
    /// written with the nodes' new stages and one audit event, in one transaction. Running it twice raises nothing
    /// new; two processes running it at once raise nothing twice (the audit head's lock orders them, and the
    /// unique key (node, kind) would refuse a duplicate anyway).
    pub async fn sweep(&self, now: DateTime<Utc>, limit: u32) -> Outcome<SweepReport> {
        self.sweep_scoped(now, limit, None, &Actor::system("sweep")).await
    }

    /// The same, for one court's nodes only (a supervisor's sweep by hand, the demo), recorded as `actor`'s.
    pub async fn sweep_court(&self, now: DateTime<Utc>, limit: u32, court_id: i64, actor: &Actor) -> Outcome<SweepReport> {
        self.sweep_scoped(now, limit, Some(court_id), actor).await
    }

    async fn sweep_scoped(&self, now: DateTime<Utc>, limit: u32, court_id: Option<i64>, actor: &Actor) -> Outcome<SweepReport> {
        let today = local_date(now);
        let prices_lapsed = self.lapse_expired_prices(now, limit, court_id).await?;
        // Before the alerts: a lapsed period's node is cancelled, not raised as overdue.
        let self_disposals_lapsed = self.lapse_expired_self_disposals(now, limit, court_id).await?;
        let limit = i64::from(limit.max(1));
        if !store::nodes::any_due(&self.db, today, court_id).await? {
            return Ok(SweepReport {
                as_of: Some(today),
                prices_lapsed,
                self_disposals_lapsed,
                ..Default::default()
            });
        }
        let mut write = self.db.begin_write(now).await?;
        let sweep_seq = write.seq;
        store::nodes::raise_alerts(&mut write.tx, today, now, sweep_seq, limit, court_id).await?;
        store::nodes::enqueue_alerts(&mut write.tx, now, sweep_seq).await?;
        let nodes_advanced = store::nodes::advance_due_nodes(&mut write.tx, today, limit, court_id).await?;
        let mut report = SweepReport {
            as_of: Some(today),
            sweep_seq: Some(sweep_seq),
            nodes_advanced,
            more_due: nodes_advanced as i64 >= limit,
            prices_lapsed,
            self_disposals_lapsed,
            ..Default::default()
        };
        for (kind, count) in store::nodes::alert_counts_of_sweep(&mut write.tx, sweep_seq).await? {
            let count = count as u64;
            match kind.as_str() {
                "upcoming" => report.upcoming = count,
                "due_today" => report.due_today = count,
                _ => report.overdue = count,
            }
        }
        let mut payload = serde_json::to_value(&report).unwrap_or_default();
        payload["court_id"] = serde_json::json!(court_id);
        write
            .commit(EventDraft::change(actor, "sweep", format!("sweep:{today}"), payload))
            .await?;
        tracing::info!(%today, nodes_advanced, alerts = report.alerts_raised(), overdue = report.overdue, "sweep");
        Ok(report)
    }

    /// Sweeps until nothing due is left (the CLI's `sweep`, the scheduled sweep).
    pub async fn sweep_all(&self, now: DateTime<Utc>) -> Outcome<Vec<SweepReport>> {
        let mut reports = Vec::new();
        loop {
            let report = self.sweep(now, self.settings.sweep_limit).await?;
            let more = report.more_due;
            reports.push(report);
            if !more {
                return Ok(reports);
            }
        }
    }

    /// The daily digest (SPEC §3.2, 08:30 Asia/Shanghai): one outbox message per court and day with the counts
    /// of nodes due today, overdue and upcoming, and the court's unidentified funds past their claim deadline
    /// (`suspense_overdue`: count, total, the oldest arrival and its age; FUND-3). Suspense items are the court's,
    /// not a case's, so they are reminded here rather than as nodes. Sent once per court and day, however often it
    /// runs.
    pub async fn digest(&self, now: DateTime<Utc>) -> Outcome<DigestReport> {
        let today = local_date(now);
        let counts = store::nodes::digest_counts(&self.db, today).await?;
        let mut suspense: BTreeMap<i64, Vec<(Money, NaiveDate, NaiveDate)>> = BTreeMap::new();
        for (court_id, amount_fen, arrived_on, claim_due_on) in store::statements::overdue_suspense(&self.db, today).await? {
            suspense
                .entry(court_id)
                .or_default()
                .push((Money::from_fen(amount_fen), arrived_on, claim_due_on));
        }
        let mut write = self.db.begin_write(now).await?;
        let mut report = DigestReport::default();
        for (court_id, due_today, overdue, upcoming) in counts {
            if store::nodes::claim_digest(&mut write.tx, court_id, today).await? {
                let items = suspense.remove(&court_id).unwrap_or_default();
                let suspense_overdue = ledger::overdue_summary(items, today)?;
                if suspense_overdue.count > 0 {
                    report.suspense_overdue_courts += 1;
                }
                let payload = serde_json::json!({
                    "court_id": court_id,
                    "date": today,
                    "due_today": due_today,
                    "overdue": overdue,
                    "upcoming": upcoming,
                    "suspense_overdue": {
                        "rule": "FUND-3",
                        "count": suspense_overdue.count,
                        "total": suspense_overdue.total,
                        "oldest_arrived_on": suspense_overdue.oldest_arrived_on,
                        "oldest_age_days": suspense_overdue.oldest_age_days,
                    },
                });
                store::nodes::enqueue(&mut write.tx, "digest.daily", Some(court_id), &payload, now).await?;
                report.digests_sent += 1;
            }
        }
        write
            .commit(EventDraft::change(
                &Actor::system("digest"),
                "digest",
                format!("digest:{today}"),
                serde_json::to_value(&report).unwrap_or_default(),
            ))
            .await?;
        Ok(report)
    }

    /// Brings the stored nodes in line with the calendar now loaded. If the schedules are the ones the nodes were
    /// computed with, only provisional nodes (PER-10) can change; if the schedules changed (a new year published,
    /// a corrected file in `CHUZHI_CALENDAR_DIR`), every open node is recomputed, so a node's stored due date and
    /// its explanation never disagree. Returns how many nodes got new dates.
    pub async fn reconcile_calendar(&self) -> Outcome<u64> {
        let fingerprint = calendar_fingerprint(&self.calendar);
        let stored = store::nodes::calendar_fingerprint(&self.db).await?;
        let schedules_changed = stored.as_deref() != Some(fingerprint.as_str());
        let changed = self.recompute_nodes(schedules_changed).await?;
        if schedules_changed {
            let mut write = self.db.begin_write(self.now()).await?;
            store::nodes::set_calendar_fingerprint(&mut write.tx, &fingerprint).await?;
            let payload = serde_json::json!({ "fingerprint": fingerprint, "years": self.calendar.years(), "nodes_changed": changed });
            write
                .commit(EventDraft::change(&Actor::system("calendar"), "load_calendar", "calendar", payload))
                .await?;
        }
        Ok(changed)
    }

    /// Recomputes the open provisional nodes (or all open nodes) against the calendar now loaded, in batches of
    /// 1,000 nodes, each its own transaction with its own audit event. Returns how many nodes got new dates.
    pub async fn recompute_nodes(&self, all: bool) -> Outcome<u64> {
        let mut changed_total = 0;
        let mut after = 0;
        loop {
            let now = self.now();
            let mut write = self.db.begin_write(now).await?;
            let rows = store::nodes::open_nodes_to_recompute(&mut write.tx, all, after, 1_000).await?;
            let Some(last) = rows.last() else { return Ok(changed_total) };
            after = last.id;
            let mut changed = Vec::new();
            for row in rows {
                let Ok(period) = row.period.parse::<Period>() else { continue };
                let due = self.calendar.due_date(row.trigger_date, period);
                let provisional = self.calendar.is_provisional_between(row.trigger_date, due);
                let lead = u32::try_from(row.lead_working_days).unwrap_or(0);
                let dates = node_dates(&self.calendar, due, provisional, row.trigger_date, lead);
                if dates.due_date != row.due_date || dates.provisional != row.provisional || dates.remind_on != row.remind_on {
                    store::nodes::reschedule_node(&mut write.tx, row.id, &dates).await?;
                    changed.push(
                        serde_json::json!({ "node": row.id, "from": row.due_date, "to": dates.due_date, "provisional": dates.provisional }),
                    );
                }
            }
            if changed.is_empty() {
                continue;
            }
            changed_total += changed.len() as u64;
            let payload = serde_json::json!({ "changed": changed });
            write
                .commit(EventDraft::change(&Actor::system("calendar"), "recompute_nodes", "nodes", payload))
                .await?;
        }
    }

    /// PER-10: recomputes the open provisional nodes, e.g. after the next year's schedule is loaded.
    pub async fn recompute_provisional_nodes(&self) -> Outcome<u64> {
        self.recompute_nodes(false).await
    }
}

/// SHA-256 over the loaded schedules, year by year.
pub fn calendar_fingerprint(calendar: &crate::calendar::Calendar) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for year in calendar.years() {
        if let Some(schedule) = calendar.schedule(year) {
            hasher.update(serde_json::to_vec(schedule).unwrap_or_default());
        }
    }
    hex::encode(hasher.finalize())
}
