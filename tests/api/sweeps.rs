//! Sweeps (SPEC §3.2): alerts at each stage, escalation, idempotency, concurrency, limits, provisional nodes.

use crate::harness::*;
use chuzhi::calendar::{Calendar, Period};
use chuzhi::nodes::{next_alert_after, node_dates, stage_reached, status_after_sweep};
use chuzhi::store::nodes::NodeFilter;

async fn alert_kinds(app: &TestApp) -> Vec<(i64, String, String)> {
    let principal = app.engine.authenticate(&app.supervisor).await.unwrap();
    let alerts = app.engine.list_alerts(&principal, None, 0, 1000).await.unwrap();
    alerts
        .into_iter()
        .map(|alert| (alert.node_id, alert.kind, alert.audience))
        .collect()
}

both_backends! {
    async fn sweep_raises_upcoming_then_due_today_then_overdue_escalated_to_supervisors(app: &TestApp) {
        app.set_now("2026-01-20T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执1号", "2026-01-05").await;
        let asset = register_asset(app, case_id, "real_estate", "2026-01-16").await;
        let ref_1 = asset["nodes"][0]["id"].as_i64().unwrap();
        // REF-1 is due 2026-02-24 and reminds on 2026-02-12 (3 working days ahead, counting 02-14, a make-up Saturday).
        let report = app.engine.sweep(at("2026-02-11T09:00:00+08:00"), 100).await.unwrap();
        assert_eq!(report.alerts_raised(), 0);
        let report = app.engine.sweep(at("2026-02-12T09:00:00+08:00"), 100).await.unwrap();
        assert_eq!((report.upcoming, report.due_today, report.overdue), (1, 0, 0));
        let report = app.engine.sweep(at("2026-02-20T09:00:00+08:00"), 100).await.unwrap();
        assert_eq!(report.alerts_raised(), 0, "nothing new during the holiday");
        let report = app.engine.sweep(at("2026-02-24T09:00:00+08:00"), 100).await.unwrap();
        assert_eq!((report.upcoming, report.due_today, report.overdue), (0, 1, 0));
        let report = app.engine.sweep(at("2026-02-25T00:30:00+08:00"), 100).await.unwrap();
        assert_eq!((report.upcoming, report.due_today, report.overdue), (0, 0, 1));
        assert_eq!(
            alert_kinds(app).await,
            vec![
                (ref_1, "upcoming".to_string(), "staff".to_string()),
                (ref_1, "due_today".to_string(), "staff".to_string()),
                (ref_1, "overdue".to_string(), "supervisors".to_string()),
            ]
        );
        let principal = app.engine.authenticate(&app.supervisor).await.unwrap();
        let node = app.engine.node_detail(&principal, ref_1).await.unwrap();
        assert_eq!(node.node.status, "overdue");
        assert_eq!(node.node.next_alert_on, None);
        assert_eq!(app.count("outbox").await, 3, "one outbox message per alert, in the same transaction");
    }

    async fn sweep_is_idempotent(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执2号", "2026-01-05").await;
        for seized in ["2026-01-20", "2026-01-27", "2026-02-03", "2026-02-27"] {
            register_asset(app, case_id, "movable", seized).await;
        }
        let now = at("2026-03-02T10:00:00+08:00");
        let first = app.engine.sweep(now, 100).await.unwrap();
        assert!(first.alerts_raised() > 0);
        let alerts = app.count("alerts").await;
        let outbox = app.count("outbox").await;
        let second = app.engine.sweep(now, 100).await.unwrap();
        assert_eq!(second.alerts_raised(), 0);
        assert_eq!(second.sweep_seq, None, "nothing due: the second sweep does not even take the write lock");
        assert_eq!(app.count("alerts").await, alerts);
        assert_eq!(app.count("outbox").await, outbox);
    }

    async fn two_sweepers_on_one_database_never_raise_the_same_alert_twice(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执3号", "2026-01-05").await;
        for day in 1..=20 {
            register_asset(app, case_id, "movable", &format!("2026-01-{day:02}")).await;
        }
        let other = app.second_engine().await;
        let now = at("2026-03-02T10:00:00+08:00");
        let mine = app.engine.clone();
        let (first, second) = tokio::join!(
            tokio::spawn(async move { mine.sweep_all(now).await }),
            tokio::spawn(async move { other.sweep_all(now).await })
        );
        let raised: u64 = first.unwrap().unwrap().iter().chain(second.unwrap().unwrap().iter()).map(|report| report.alerts_raised()).sum();
        // 20 REF-1 nodes (seized 2026-01-01 … 01-20): all past due on 2026-03-02, so one overdue alert each.
        assert_eq!(raised, 20);
        assert_eq!(app.count("alerts").await, 20);
        assert_eq!(app.count("outbox").await, 20);
    }

    async fn a_sweep_handles_at_most_its_limit_and_the_next_takes_the_rest(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执4号", "2026-01-05").await;
        for day in 1..=5 {
            register_asset(app, case_id, "movable", &format!("2026-01-{day:02}")).await;
        }
        let now = at("2026-03-02T10:00:00+08:00");
        let first = app.engine.sweep(now, 2).await.unwrap();
        assert_eq!((first.nodes_advanced, first.more_due), (2, true));
        let second = app.engine.sweep(now, 2).await.unwrap();
        assert_eq!(second.nodes_advanced, 2);
        let third = app.engine.sweep(now, 2).await.unwrap();
        assert_eq!((third.nodes_advanced, third.more_due), (1, false));
        assert_eq!(app.count("alerts").await, 5);
    }

    async fn the_sweeps_sql_follows_the_domain_rules_for_stage_next_date_and_status(app: &TestApp) {
        // Invariants on two paths: the set-based SQL of the sweep against `nodes::stage_reached`,
        // `nodes::next_alert_after` and `nodes::status_after_sweep`, over a month of nodes and several sweep days.
        app.set_now("2026-03-20T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执5号", "2025-12-01").await;
        let mut seizure = chrono::NaiveDate::from_ymd_opt(2026, 1, 28).unwrap();
        while seizure <= chrono::NaiveDate::from_ymd_opt(2026, 2, 28).unwrap() {
            register_asset(app, case_id, "movable", &seizure.to_string()).await;
            seizure = seizure.succ_opt().unwrap();
        }
        let principal = app.engine.authenticate(&app.supervisor).await.unwrap();
        let calendar = Calendar::embedded();
        let mut expected_alerts: std::collections::BTreeSet<(i64, String)> = Default::default();
        for sweep_day in ["2026-02-26", "2026-03-02", "2026-03-05", "2026-03-06", "2026-03-20"] {
            let day = chrono::NaiveDate::parse_from_str(sweep_day, "%Y-%m-%d").unwrap();
            app.engine.sweep_all(at(&format!("{sweep_day}T09:00:00+08:00"))).await.unwrap();
            let filter = NodeFilter { case_id: Some(case_id), limit: 1000, ..Default::default() };
            let nodes = app.engine.list_nodes(&principal, &filter).await.unwrap();
            let mut checked = 0;
            for node in nodes.iter().filter(|node| node.rule == "REF-1") {
                let dates = node_dates(&calendar, calendar.due_date(node.trigger_date, Period::Days(30)), false, node.trigger_date, 3);
                if let Some(kind) = stage_reached(&dates, day) {
                    expected_alerts.insert((node.id, kind.as_str().to_string()));
                }
                assert_eq!(node.next_alert_on, next_alert_after(&dates, day), "next stage of the node seized {} on {day}", node.trigger_date);
                assert_eq!(node.status, status_after_sweep(&dates, day).as_str(), "status of the node seized {} on {day}", node.trigger_date);
                checked += 1;
            }
            assert_eq!(checked, 32);
            let raised: std::collections::BTreeSet<(i64, String)> = alert_kinds(app).await.into_iter().map(|(node, kind, _)| (node, kind)).collect();
            assert_eq!(raised, expected_alerts, "alerts after the sweep of {day}");
        }
    }

    async fn a_supervisors_sweep_by_hand_covers_only_their_court(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let mine = register_case(app, "(2026)鲁0102执7号", "2026-01-05").await;
        register_asset(app, mine, "movable", "2026-01-05").await;
        let (status, other) = app.post("/api/v1/cases", &app.other_court_assistant, &case_body("(2026)鲁0203执7号", "2026-01-05")).await;
        assert_eq!(status.as_u16(), 201);
        let other_case = other["id"].as_i64().unwrap();
        let (status, _) = app.post(&format!("/api/v1/cases/{other_case}/assets"), &app.other_court_assistant, &asset_body("movable", "2026-01-05")).await;
        assert_eq!(status.as_u16(), 201);
        let (status, report) = app.call("POST", "/api/v1/sweeps", Some(&app.supervisor), None).await;
        assert_eq!(status.as_u16(), 200, "{report}");
        assert_eq!(report["overdue"], 1, "only this court's REF-1");
        assert_eq!(app.count("alerts").await, 1);
        let events = chuzhi::store::audit::recent_for_court(app.db(), app.engine.authenticate(&app.supervisor).await.unwrap().court_id, 1).await.unwrap();
        assert_eq!(events[0].action, "sweep");
        assert_eq!(events[0].actor_user, "supervisor-user", "the audit names who asked for the sweep");
    }

    async fn the_daily_digest_goes_out_once_per_court_and_day(app: &TestApp) {
        let now = at("2026-03-02T08:30:00+08:00");
        let first = app.engine.digest(now).await.unwrap();
        assert_eq!(first.digests_sent, 2, "two courts");
        let again = app.engine.digest(now).await.unwrap();
        assert_eq!(again.digests_sent, 0);
        let next_day = app.engine.digest(at("2026-03-03T08:30:00+08:00")).await.unwrap();
        assert_eq!(next_day.digests_sent, 2);
    }
}

fn calendar_without_2026() -> Calendar {
    let embedded = Calendar::embedded();
    Calendar::from_schedules(
        embedded
            .years()
            .into_iter()
            .filter(|year| *year != 2026)
            .filter_map(|year| embedded.schedule(year).cloned())
            .collect(),
    )
    .unwrap()
}

/// PER-10: a calendar that lacks 2026 gives REF-1 for a seizure on 2026-01-16 as day 30 = 2026-02-15, a Sunday,
/// rolled to Monday 2026-02-16 and marked provisional. Loading HOL-2026 moves it past the Spring Festival.
async fn recompute_provisional(app: TestApp) {
    app.set_now("2026-01-20T10:00:00+08:00");
    let case_id = register_case(&app, "(2026)鲁0102执6号", "2026-01-05").await;
    let asset = register_asset(&app, case_id, "movable", "2026-01-16").await;
    assert_eq!(asset["nodes"][0]["due_date"], "2026-02-16");
    assert_eq!(asset["nodes"][0]["provisional"], true);
    let node_id = asset["nodes"][0]["id"].as_i64().unwrap();
    let mut engine = app.engine.clone();
    engine.calendar = std::sync::Arc::new(Calendar::embedded());
    assert_eq!(
        engine.recompute_provisional_nodes().await.unwrap(),
        1,
        "REF-1 changes; SEIZ-1 (2028) stays provisional"
    );
    let principal = engine.authenticate(&app.judge).await.unwrap();
    let node = engine.node_detail(&principal, node_id).await.unwrap();
    assert_eq!(node.node.due_date.to_string(), "2026-02-24");
    assert!(!node.node.provisional);
    assert_eq!(node.node.remind_on.to_string(), "2026-02-12");
    assert_eq!(
        node.explanation.due, node.node.due_date,
        "the explanation agrees with the stored date"
    );
    assert_eq!(engine.recompute_provisional_nodes().await.unwrap(), 0, "nothing left to change");
    app.finish().await;
}

mod per_10_provisional_nodes_are_recomputed_when_the_years_schedule_is_loaded {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        recompute_provisional(TestApp::sqlite_with(calendar_without_2026()).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(app) = TestApp::postgres_with(calendar_without_2026()).await {
            recompute_provisional(app).await;
        }
    }
}

fn calendar_with_extra_rest_day_2026_02_24() -> Calendar {
    let embedded = Calendar::embedded();
    let mut schedules: Vec<_> = embedded
        .years()
        .into_iter()
        .filter_map(|year| embedded.schedule(year).cloned())
        .collect();
    for schedule in schedules.iter_mut().filter(|schedule| schedule.year == 2026) {
        schedule.days.push(chuzhi::calendar::ScheduledDay {
            date: chrono::NaiveDate::from_ymd_opt(2026, 2, 24).unwrap(),
            kind: chuzhi::calendar::DayKind::Off,
            holiday: "春节".to_string(),
        });
        schedule.days.sort_by_key(|day| day.date);
    }
    Calendar::from_schedules(schedules).unwrap()
}

both_backends! {
    async fn a_corrected_schedule_recomputes_every_open_node_and_alerts_it_afresh(app: &TestApp) {
        app.set_now("2026-01-20T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执8号", "2026-01-05").await;
        let asset = register_asset(app, case_id, "movable", "2026-01-16").await;
        let node_id = asset["nodes"][0]["id"].as_i64().unwrap();
        assert_eq!(app.engine.reconcile_calendar().await.unwrap(), 0, "the nodes were computed with these schedules");
        let report = app.engine.sweep(at("2026-02-25T09:00:00+08:00"), 100).await.unwrap();
        assert_eq!(report.overdue, 1, "REF-1 was due 2026-02-24");
        // A corrected 2026 file makes 2026-02-24 a rest day too: REF-1 moves to 2026-02-25 and is due today again.
        let mut corrected = app.engine.clone();
        corrected.calendar = std::sync::Arc::new(calendar_with_extra_rest_day_2026_02_24());
        assert_eq!(corrected.reconcile_calendar().await.unwrap(), 1);
        assert_eq!(corrected.reconcile_calendar().await.unwrap(), 0, "once per change of schedules");
        let principal = corrected.authenticate(&app.judge).await.unwrap();
        let node = corrected.node_detail(&principal, node_id).await.unwrap();
        assert_eq!(node.node.due_date.to_string(), "2026-02-25");
        assert_eq!(node.explanation.due, node.node.due_date);
        assert_eq!(node.node.status, "pending");
        let report = corrected.sweep(at("2026-02-25T09:00:00+08:00"), 100).await.unwrap();
        assert_eq!((report.due_today, report.overdue), (1, 0));
        let report = corrected.sweep(at("2026-02-26T09:00:00+08:00"), 100).await.unwrap();
        assert_eq!(report.overdue, 1, "the escalation for the new due date is raised, not suppressed by the old one");
    }
}
