//! Deadline nodes and the alert stages a sweep walks them through (SPEC §3.1–3.2). Pure: no SQL, no clock.
//!
//! A node is one legal time limit on one subject. Its due date comes from the legal calendar; from the due date
//! follow three alert stages, each raised once: `upcoming` on `remind_on` (by default 3 working days ahead),
//! `due_today` on the due date, and `overdue` the day after, which escalates to the court's supervisors.
//! `next_alert_on` always holds the date of the next stage not yet raised, so a sweep only reads nodes whose
//! `next_alert_on` has come.

use crate::calendar::{Calendar, Period};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    Pending,
    Met,
    Overdue,
    Paused,
    Cancelled,
}

impl NodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Pending => "pending",
            NodeStatus::Met => "met",
            NodeStatus::Overdue => "overdue",
            NodeStatus::Paused => "paused",
            NodeStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            NodeStatus::Pending,
            NodeStatus::Met,
            NodeStatus::Overdue,
            NodeStatus::Paused,
            NodeStatus::Cancelled,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    Upcoming,
    DueToday,
    Overdue,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Upcoming => "upcoming",
            AlertKind::DueToday => "due_today",
            AlertKind::Overdue => "overdue",
        }
    }

    /// Overdue nodes escalate to the court's supervisors (专人监管); the rest go to the staff on the case.
    pub fn audience(self) -> &'static str {
        match self {
            AlertKind::Upcoming | AlertKind::DueToday => "staff",
            AlertKind::Overdue => "supervisors",
        }
    }
}

/// What a legal rule asks for, before the calendar turns it into dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodePlan {
    pub rule_id: &'static str,
    pub title: String,
    pub trigger_event: String,
    pub trigger_date: NaiveDate,
    pub period: Period,
    /// How many working days ahead the `upcoming` alert is raised.
    pub lead_working_days: u32,
}

/// The dates of a node, as the calendar gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeDates {
    pub due_date: NaiveDate,
    pub remind_on: NaiveDate,
    pub overdue_on: NaiveDate,
    pub provisional: bool,
}

impl NodePlan {
    pub fn dates(&self, calendar: &Calendar) -> NodeDates {
        let due = calendar.due_date(self.trigger_date, self.period);
        let provisional = calendar.is_provisional_between(self.trigger_date, due);
        node_dates(calendar, due, provisional, self.trigger_date, self.lead_working_days)
    }
}

/// The alert dates around a due date. The reminder never falls on or before the trigger day (a 1-day period has
/// no room for an early warning), and the overdue stage starts the day after the due date (PER-4: the last day
/// runs to 24:00).
pub fn node_dates(
    calendar: &Calendar,
    due_date: NaiveDate,
    provisional: bool,
    trigger_date: NaiveDate,
    lead_working_days: u32,
) -> NodeDates {
    let earliest_reminder = trigger_date.succ_opt().unwrap_or(trigger_date).min(due_date);
    let remind_on = calendar.sub_working_days(due_date, lead_working_days).max(earliest_reminder);
    NodeDates {
        due_date,
        remind_on,
        overdue_on: due_date.succ_opt().unwrap_or(due_date),
        provisional,
    }
}

/// The most advanced stage a node has reached on `today`, if any.
pub fn stage_reached(dates: &NodeDates, today: NaiveDate) -> Option<AlertKind> {
    if today >= dates.overdue_on {
        Some(AlertKind::Overdue)
    } else if today >= dates.due_date {
        Some(AlertKind::DueToday)
    } else if today >= dates.remind_on {
        Some(AlertKind::Upcoming)
    } else {
        None
    }
}

/// The date of the stage after the one reached on `today`; `None` once the overdue stage is raised.
pub fn next_alert_after(dates: &NodeDates, today: NaiveDate) -> Option<NaiveDate> {
    match stage_reached(dates, today) {
        None => Some(dates.remind_on),
        Some(AlertKind::Upcoming) => Some(dates.due_date),
        Some(AlertKind::DueToday) => Some(dates.overdue_on),
        Some(AlertKind::Overdue) => None,
    }
}

/// A node's status after a sweep on `today`.
pub fn status_after_sweep(dates: &NodeDates, today: NaiveDate) -> NodeStatus {
    if today >= dates.overdue_on {
        NodeStatus::Overdue
    } else {
        NodeStatus::Pending
    }
}

/// REF-1 (参考价规定 art 1): start the reference-price procedure within 30 days of the seizure, for assets that
/// must be sold. PER-9 flags it as a management deadline of the court, not a bar on the parties.
pub fn ref_1_plan(seizure_date: NaiveDate, lead_working_days: u32) -> NodePlan {
    NodePlan {
        rule_id: "REF-1",
        title: "启动确定财产处置参考价程序 (start the reference-price procedure)".to_string(),
        trigger_event: "seizure".to_string(),
        trigger_date: seizure_date,
        period: Period::Days(30),
        lead_working_days,
    }
}

/// SEIZ-1 (民诉法解释 art 485; 查封规定 art 27): the seizure lapses at the end of its term unless renewed before
/// it expires; the node reminds staff early enough to renew.
pub fn seiz_1_plan(seizure_date: NaiveDate, term_months: u32, lead_working_days: u32) -> NodePlan {
    NodePlan {
        rule_id: "SEIZ-1",
        title: format!("查封期限届满前续行查封 (renew the seizure before its {term_months}-month term ends)"),
        trigger_event: "seizure".to_string(),
        trigger_date: seizure_date,
        period: Period::Months(term_months),
        lead_working_days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn ref_1_is_due_30_days_after_seizure_rolled_past_the_spring_festival() {
        let calendar = Calendar::embedded();
        // Seized 2026-01-16; day 30 is 2026-02-15, the first day of the 2026 Spring Festival break (HOL-2026),
        // so PER-1 moves the end to the first working day after it, 2026-02-24.
        let dates = ref_1_plan(date("2026-01-16"), 3).dates(&calendar);
        assert_eq!(dates.due_date, date("2026-02-24"));
        // Three working days back: 02-14 (make-up Saturday), 02-13, 02-12 — the reminder is on 2026-02-12.
        assert_eq!(dates.remind_on, date("2026-02-12"));
        assert_eq!(dates.overdue_on, date("2026-02-25"));
        assert!(!dates.provisional);
    }

    #[test]
    fn seiz_1_term_ends_on_the_corresponding_day_rolled_to_a_working_day() {
        let calendar = Calendar::embedded();
        // Real estate seized 2023-10-07 for 36 months: 2026-10-07 is inside the National Day break (HOL-2026),
        // so the term's last day moves to 2026-10-08.
        let dates = seiz_1_plan(date("2023-10-07"), 36, 20).dates(&calendar);
        assert_eq!(dates.due_date, date("2026-10-08"));
    }

    #[test]
    fn stages_advance_once_each_and_overdue_escalates() {
        let calendar = Calendar::embedded();
        let dates = ref_1_plan(date("2026-01-16"), 3).dates(&calendar);
        assert_eq!(stage_reached(&dates, date("2026-02-11")), None);
        assert_eq!(next_alert_after(&dates, date("2026-02-11")), Some(date("2026-02-12")));
        assert_eq!(stage_reached(&dates, date("2026-02-12")), Some(AlertKind::Upcoming));
        assert_eq!(next_alert_after(&dates, date("2026-02-12")), Some(date("2026-02-24")));
        assert_eq!(stage_reached(&dates, date("2026-02-24")), Some(AlertKind::DueToday));
        assert_eq!(stage_reached(&dates, date("2026-03-01")), Some(AlertKind::Overdue));
        assert_eq!(next_alert_after(&dates, date("2026-03-01")), None);
        assert_eq!(AlertKind::Overdue.audience(), "supervisors");
        assert_eq!(status_after_sweep(&dates, date("2026-02-25")), NodeStatus::Overdue);
        assert_eq!(status_after_sweep(&dates, date("2026-02-24")), NodeStatus::Pending);
    }
}
