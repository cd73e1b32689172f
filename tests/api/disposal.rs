//! The disposal through the API (AUC, SELL, SELF, TRAD): from a fixed reference price, each step is the core's
//! transition stored with its nodes, its audit event and what its signals ask of the valuation (REF-36, REF-33),
//! the ledger (FUND-1) and the case's other disposals (TRAD-11), in one transaction; refusals name their rule, carry
//! the core's details and change nothing.

use crate::harness::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

async fn valuation_command(app: &TestApp, asset_id: i64, body: Value) -> Value {
    let (status, answer) = app
        .post(&format!("/api/v1/assets/{asset_id}/valuation/commands"), &app.assistant, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

/// Registers an asset of the case and fixes its reference price today by the parties' agreement (REF-4).
async fn priced_asset(app: &TestApp, case_id: i64, kind: &str, price: &str, negotiation_deadline: &str) -> i64 {
    let asset_id = register_asset(app, case_id, kind, "2026-02-10").await["id"].as_i64().unwrap();
    fix_price(app, asset_id, price, negotiation_deadline).await;
    asset_id
}

/// Fixes an asset's reference price today by the parties' agreement (REF-3, REF-4).
async fn fix_price(app: &TestApp, asset_id: i64, price: &str, negotiation_deadline: &str) {
    let (status, body) = app
        .call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.assistant), None)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let precheck = json!({ "command": "record_precheck", "precheck": {
        "title": "被执行人所有", "encumbrances": "无", "occupancy": "法院扣押", "tax_arrears": "无", "defects": "无" } });
    valuation_command(app, asset_id, precheck).await;
    valuation_command(
        app,
        asset_id,
        json!({ "command": "open_negotiation", "deadline": negotiation_deadline }),
    )
    .await;
    let fixed = valuation_command(
        app,
        asset_id,
        json!({ "command": "record_negotiation_result", "applicant_price": price, "debtor_price": price,
                "validity_months": 12, "harms_third_parties": false }),
    )
    .await;
    assert_eq!(fixed["stage"], "fixed");
}

async fn start(app: &TestApp, asset_id: i64) -> Value {
    let (status, body) = app
        .post(&format!("/api/v1/assets/{asset_id}/disposal"), &app.assistant, &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["stage"], "preparing");
    body
}

async fn command(app: &TestApp, token: &str, asset_id: i64, body: Value) -> (StatusCode, Value) {
    app.post(&format!("/api/v1/assets/{asset_id}/disposal/commands"), token, &body)
        .await
}

async fn ok(app: &TestApp, token: &str, asset_id: i64, body: Value) -> Value {
    let (status, answer) = command(app, token, asset_id, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body} → {answer}");
    answer
}

/// The panel's plan of a round (AUC-17) on the register's first platform (AUC-2); `schedule` is the announcement
/// date, the bidding's start and end, and the balance deadline.
fn plan(app: &TestApp, decided_on: &str, starting: &str, deposit: &str, schedule: [&str; 4]) -> Value {
    let [announcement_on, starts_at, ends_at, balance_due_on] = schedule;
    json!({
        "command": "decide_auction_plan",
        "panel": { "decision_id": format!("合议-{decided_on}"), "decided_on": decided_on, "members": ["审判长甲", "审判员乙", "人民陪审员丙"] },
        "applicant_choice": app.engine.auction_platforms[0],
        "court_designation": null,
        "starting_price": starting,
        "deposit": deposit,
        "bid_increment": "5000.00",
        "priority_holders": [],
        "schedule": { "announcement_on": announcement_on, "bidding": { "starts_at": starts_at, "ends_at": ends_at }, "balance_due_on": balance_due_on }
    })
}

/// AUC-7: every party is told in writing today.
async fn notify_parties(app: &TestApp, asset_id: i64, view: &Value) {
    for party in view["state"]["parties"].as_array().unwrap() {
        ok(
            app,
            &app.assistant,
            asset_id,
            json!({ "command": "record_notice", "recipient": party, "means": { "means": "written" } }),
        )
        .await;
    }
}

/// Plans (on 03-02), notifies and publishes (on 03-06) a first round bidding 03-23 10:00 to 03-24 10:00.
async fn announced(app: &TestApp, asset_id: i64, starting: &str, deposit: &str) -> Value {
    app.set_now("2026-03-02T15:00:00+08:00");
    let view = start(app, asset_id).await;
    let round = plan(
        app,
        "2026-03-02",
        starting,
        deposit,
        ["2026-03-06", "2026-03-23T10:00:00+08:00", "2026-03-24T10:00:00+08:00", "2026-04-24"],
    );
    ok(app, &app.judge, asset_id, round).await;
    notify_parties(app, asset_id, &view).await;
    app.set_now("2026-03-06T09:00:00+08:00");
    ok(app, &app.assistant, asset_id, json!({ "command": "publish_announcement" })).await
}

async fn nodes_of(app: &TestApp, asset_id: i64) -> Vec<Value> {
    let (status, nodes) = app.get(&format!("/api/v1/nodes?asset_id={asset_id}"), &app.judge).await;
    assert_eq!(status, StatusCode::OK);
    nodes.as_array().unwrap().clone()
}

fn node<'a>(nodes: &'a [Value], rule: &str, title: &str) -> &'a Value {
    nodes
        .iter()
        .find(|node| node["rule"] == rule && node["title"].as_str().unwrap().contains(title))
        .unwrap_or_else(|| panic!("no {rule} node '{title}' in {nodes:?}"))
}

async fn held(app: &TestApp, case_id: i64) -> i64 {
    let court = chuzhi::store::auth::court_by_code(app.db(), COURT_CODE).await.unwrap().unwrap();
    chuzhi::store::ledger::balances(app.db(), court.id, Some(case_id))
        .await
        .unwrap()
        .into_iter()
        .find(|row| row.account == format!("case:{case_id}:held"))
        .map(|row| row.balance_fen)
        .unwrap_or(0)
}

both_backends! {
    async fn auc_4_first_round_sale_meets_ref_36_and_ref_33_posts_the_deposit_and_dates_the_ruling_past_labour_day(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执301号", "2026-02-02").await;
        let asset_id = priced_asset(app, case_id, "movable", "1000000.00", "2026-03-09").await;
        // REF-36: the disposal starts within 10 days of the price.
        assert_eq!(node(&nodes_of(app, asset_id).await, "REF-36", "")["status"], "pending");
        let published = announced(app, asset_id, "800000.00", "80000.00").await;
        assert_eq!(published["stage"], "announced");
        // Publishing the first announcement starts the disposal (REF-36 met, in the same transaction).
        let nodes = nodes_of(app, asset_id).await;
        assert_eq!(node(&nodes, "REF-36", "")["status"], "met");
        let (_, valuation) = app.get(&format!("/api/v1/assets/{asset_id}/valuation"), &app.judge).await;
        assert_eq!(valuation["state"]["stage"]["disposal_started"]["on"], "2026-03-06", "{valuation}");

        app.set_now("2026-03-24T11:00:00+08:00");
        let sold = ok(app, &app.assistant, asset_id, json!({ "command": "record_sale", "buyer": "竞买人7号", "price": "850000.00",
            "bidding_ended_at": "2026-03-24T10:00:00+08:00", "other_bidders_paid_deposits": false })).await;
        assert_eq!(sold["stage"], "settlement");
        // REF-33: the sale took place (the bidding's start) within the grace; the fees follow the price's method.
        let (_, valuation) = app.get(&format!("/api/v1/assets/{asset_id}/valuation"), &app.judge).await;
        assert_eq!(valuation["state"]["stage"]["sale_on"], "2026-03-24", "{valuation}");
        assert_eq!(sold["fees"]["sale_price"], "850000.00");
        assert_eq!(sold["fees"]["method"], "negotiation");
        // AUC-15: the platform transfers the deposit within 24 hours: due the next day, Wednesday 03-25.
        let nodes = nodes_of(app, asset_id).await;
        assert_eq!(node(&nodes, "AUC-15", "保证金")["due_date"], "2026-03-25");
        assert_eq!(node(&nodes, "AUC-15", "剩余价款")["due_date"], "2026-04-24");

        // FUND-1: the transfer reaches the case account: the held account grows by the deposit, to the fen.
        app.set_now("2026-03-25T10:00:00+08:00");
        let account = sold["state"]["collection_account"].as_str().unwrap().to_string();
        let before = held(app, case_id).await;
        ok(app, &app.assistant, asset_id, json!({ "command": "record_payment", "source": "deposit_transfer", "amount": "80000.00",
            "account": account, "bank_reference": "PLAT-20260325-001" })).await;
        assert_eq!(held(app, case_id).await, before + 8_000_000);
        assert_eq!(node(&nodes_of(app, asset_id).await, "AUC-15", "保证金")["status"], "met");

        // The balance on 04-21 pays in full: TRAD-8's 10 days end on 05-01, in the Labour Day break (HOL-2026): 05-06.
        app.set_now("2026-04-21T10:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_payment", "source": "balance", "amount": "770000.00",
            "account": account, "bank_reference": "BAL-20260421-001" })).await;
        assert_eq!(held(app, case_id).await, before + 85_000_000);
        assert_eq!(node(&nodes_of(app, asset_id).await, "TRAD-8", "")["due_date"], "2026-05-06");

        let (status, view) = app.get(&format!("/api/v1/assets/{asset_id}/disposal"), &app.finance).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(view["fees"]["sale_price"], "850000.00");
        assert_eq!(view["version"], 8, "start, plan, two notices, publication, sale, two payments: {view}");
    }

    async fn auc_3_starting_price_below_70_percent_is_refused_with_the_floor_and_changes_nothing(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执302号", "2026-02-02").await;
        let asset_id = priced_asset(app, case_id, "movable", "1000000.00", "2026-03-09").await;
        start(app, asset_id).await;
        let counts = (app.count("disposals").await, app.count("disposal_events").await, app.count("nodes").await);
        let audit = app.count("audit_events").await;
        let low = plan(app, "2026-03-02", "699999.99", "70000.00", ["2026-03-06", "2026-03-23T10:00:00+08:00", "2026-03-24T10:00:00+08:00", "2026-04-24"]);
        let (status, refused) = command(app, &app.judge, asset_id, low).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "starting_price_below_floor");
        assert_eq!(refused["error"]["rule"], "AUC-3");
        assert_eq!(refused["error"]["details"]["floor"], "700000.00");
        assert_eq!(refused["error"]["details"]["reference_price"], "1000000.00");
        assert_eq!((app.count("disposals").await, app.count("disposal_events").await, app.count("nodes").await), counts);
        assert_eq!(app.count("audit_events").await, audit + 1, "only the refusal's audit record");
        let (_, view) = app.get(&format!("/api/v1/assets/{asset_id}/disposal"), &app.judge).await;
        assert_eq!(view["version"], 1);
        assert_eq!(view["stage"], "preparing");
    }

    async fn auc_5_late_announcement_shows_the_earliest_lawful_dates_and_roles_and_registers_are_chuzhis(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执303号", "2026-02-02").await;
        // REF-36: no disposal before the price is fixed.
        let unpriced = register_asset(app, case_id, "movable", "2026-02-10").await["id"].as_i64().unwrap();
        let (status, refused) = app.post(&format!("/api/v1/assets/{unpriced}/disposal"), &app.assistant, &json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "reference_price_not_fixed");
        assert_eq!(refused["error"]["rule"], "REF-36");

        let asset_id = priced_asset(app, case_id, "movable", "1000000.00", "2026-03-09").await;
        let (status, _) = app.post(&format!("/api/v1/assets/{asset_id}/disposal"), &app.finance, &json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "finance does not run the disposal");
        start(app, asset_id).await;
        let (status, refused) = app.post(&format!("/api/v1/assets/{asset_id}/disposal"), &app.assistant, &json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused["error"]["code"], "disposal_already_started");

        // AUC-17: the plan is the panel's; an assistant or an administrator is refused.
        let round = plan(app, "2026-03-02", "800000.00", "80000.00", ["2026-03-06", "2026-03-15T10:00:00+08:00", "2026-03-16T10:00:00+08:00", "2026-04-24"]);
        for token in [&app.assistant, &app.admin] {
            let (status, refused) = command(app, token, asset_id, round.clone()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
            assert_eq!(refused["error"]["code"], "role_not_allowed");
        }
        // AUC-2: the register is chuzhi's, not the caller's.
        let mut narrowed = round.clone();
        narrowed["platform_register"] = json!(["某平台"]);
        let (status, refused) = command(app, &app.judge, asset_id, narrowed).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "invalid_field");

        // AUC-5: a movable's announcement comes 15 days before the bidding: announced 03-06, bidding from 03-21.
        let (status, refused) = command(app, &app.judge, asset_id, round).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "announcement_too_late");
        assert_eq!(refused["error"]["rule"], "AUC-5");
        assert_eq!(refused["error"]["details"]["earliest_bidding_start"], "2026-03-21");
        assert_eq!(refused["error"]["details"]["latest_announcement_on"], "2026-02-28");
        assert_eq!(refused["error"]["details"]["lead_days"], 15);
    }

    async fn auc_16_a_failed_first_round_opens_the_30_day_second_announcement_and_caps_the_price_cut(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执304号", "2026-02-02").await;
        let asset_id = priced_asset(app, case_id, "movable", "1000000.00", "2026-03-09").await;
        announced(app, asset_id, "800000.00", "80000.00").await;
        app.set_now("2026-03-24T11:00:00+08:00");
        let failed = ok(app, &app.assistant, asset_id, json!({ "command": "record_failure",
            "bidding_ended_at": "2026-03-24T10:00:00+08:00", "deposits_paid": false })).await;
        assert_eq!(failed["stage"], "preparing");
        // AUC-16 (Q7 DESIGN): the second round is announced within 30 days of the failure: 04-23, a Thursday.
        let second = node(&nodes_of(app, asset_id).await, "AUC-16", "").clone();
        assert_eq!(second["status"], "pending");
        assert_eq!(second["due_date"], "2026-04-23");
        // The second round's starting price is at most 20 % below the first's: at least 640,000.00.
        let cut = plan(app, "2026-03-24", "600000.00", "60000.00", ["2026-03-27", "2026-04-13T10:00:00+08:00", "2026-04-14T10:00:00+08:00", "2026-05-20"]);
        let (status, refused) = command(app, &app.judge, asset_id, cut).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "second_round_price_cut_too_deep");
        assert_eq!(refused["error"]["rule"], "AUC-16");
        assert_eq!(refused["error"]["details"]["floor"], "640000.00");
        let second_round = plan(app, "2026-03-24", "640000.00", "64000.00", ["2026-03-27", "2026-04-13T10:00:00+08:00", "2026-04-14T10:00:00+08:00", "2026-05-20"]);
        let planned = ok(app, &app.judge, asset_id, second_round).await;
        assert_eq!(planned["state"]["stage"]["round"]["number"], 2);
    }

    async fn trad_11_a_sale_covering_the_claim_flags_the_cases_other_disposal_for_the_judge(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        // The case claims 1,200,000.00 (harness case body).
        let case_id = register_case(app, "(2026)鲁0102执305号", "2026-02-02").await;
        let first = priced_asset(app, case_id, "movable", "1500000.00", "2026-03-09").await;
        let other = priced_asset(app, case_id, "vehicle", "300000.00", "2026-03-09").await;
        app.set_now("2026-03-02T15:00:00+08:00");
        start(app, other).await;
        announced(app, first, "1200000.00", "120000.00").await;
        let outbox = app.count("outbox").await;
        app.set_now("2026-03-24T11:00:00+08:00");
        let sold = ok(app, &app.assistant, first, json!({ "command": "record_sale", "buyer": "竞买人1号", "price": "1250000.00",
            "bidding_ended_at": "2026-03-24T10:00:00+08:00", "other_bidders_paid_deposits": false })).await;
        assert!(!sold["stop_flagged"].as_bool().unwrap(), "the sold asset itself is not flagged");
        let (_, flagged) = app.get(&format!("/api/v1/assets/{other}/disposal"), &app.judge).await;
        assert_eq!(flagged["stop_flagged"], true, "{flagged}");
        assert!(app.count("outbox").await > outbox, "the judge is told through the outbox");
        // The stop itself is the judge's decision.
        let (status, _) = command(app, &app.assistant, other, json!({ "command": "stop_claim_covered" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let stopped = ok(app, &app.judge, other, json!({ "command": "stop_claim_covered" })).await;
        assert_eq!(stopped["stage"], "ended");
        assert_eq!(stopped["state"]["stage"]["kind"], "stopped_claim_covered");
    }

    async fn auc_10_bid_log_check_finds_a_planted_wrong_winner_in_json_and_csv(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执306号", "2026-02-02").await;
        let asset_id = priced_asset(app, case_id, "movable", "1000000.00", "2026-03-09").await;
        announced(app, asset_id, "800000.00", "80000.00").await;
        app.set_now("2026-03-24T11:00:00+08:00");
        let path = format!("/api/v1/assets/{asset_id}/disposal/bid-log");
        let bids = json!([
            { "bidder": "A", "amount": "800000.00", "at": "2026-03-23T11:00:00+08:00" },
            { "bidder": "B", "amount": "805000.00", "at": "2026-03-23T12:00:00+08:00" },
            { "bidder": "A", "amount": "810000.00", "at": "2026-03-23T13:00:00+08:00" }
        ]);
        // The platform reports B at 805,000.00: A's higher valid bid won (AUC-10 / AUC-11).
        let reported = json!({ "winner": "B", "price": "805000.00", "ended_at": "2026-03-24T10:00:00+08:00" });
        let audit = app.count("audit_events").await;
        let (status, report) = app.post(&path, &app.assistant, &json!({ "bids": bids, "reported": reported })).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["round"], "1");
        assert_eq!(report["rules"]["starting_price"], "800000.00");
        assert_eq!(report["check"]["computed_winner"], "A");
        assert_eq!(report["check"]["computed_price"], "810000.00");
        let codes: Vec<&str> = report["check"]["discrepancies"].as_array().unwrap().iter().map(|found| found["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"wrong_winner"), "{codes:?}");
        assert_eq!(app.count("audit_events").await, audit + 1, "the check is audited");

        let csv = "bidder,amount,at\nA,800000.00,2026-03-23T11:00:00+08:00\nB,805000.00,2026-03-23T12:00:00+08:00\nA,810000.00,2026-03-23T13:00:00+08:00\n";
        let (status, report) = app.post(&path, &app.judge, &json!({ "bids_csv": csv, "reported": reported })).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["check"]["computed_winner"], "A");
        let (status, _) = app.post(&path, &app.finance, &json!({ "bids_csv": csv, "reported": reported })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

both_backends! {
    async fn self_4_the_sweep_lapses_a_self_disposal_whose_period_ended_unsold_and_the_court_must_announce_within_10_days(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执307号", "2026-02-02").await;
        let (asset_id, approved) = self_disposal_approved(app, case_id, "自行处置决定-1").await;
        assert_eq!(approved["stage"], "self_disposal");
        // SELF-2: 30 days from 03-02 end on Wednesday 2026-04-01.
        let period = node(&nodes_of(app, asset_id).await, "SELF-2", "").clone();
        assert_eq!(period["due_date"], "2026-04-01");
        assert_eq!(period["status"], "pending");

        // On the last day the debtor may still sell: the sweep leaves it alone.
        let report = app.engine.sweep(at("2026-04-01T09:00:00+08:00"), 100).await.unwrap();
        assert_eq!(report.self_disposals_lapsed, 0);
        assert_eq!(ok_view(app, asset_id).await["stage"], "self_disposal");

        // The day after, the sweep lapses it as chuzhi's own audited step; the court's disposal restarts.
        let report = app.engine.sweep(at("2026-04-02T09:00:00+08:00"), 100).await.unwrap();
        assert_eq!(report.self_disposals_lapsed, 1);
        let view = ok_view(app, asset_id).await;
        assert_eq!(view["stage"], "preparing", "{view}");
        assert_eq!(view["state"]["self_disposal_tried"], true, "SELF-4: the debtor does not get a second self-disposal");
        let nodes = nodes_of(app, asset_id).await;
        assert_eq!(node(&nodes, "SELF-2", "")["status"], "cancelled", "the period lapsed unmet: {nodes:?}");
        // SELF-4 (DESIGN 10 days): 10 days from Thursday 04-02 end on Sunday 04-12, a rest day: Monday 2026-04-13.
        let resume = node(&nodes, "SELF-4", "").clone();
        assert_eq!(resume["status"], "pending");
        assert_eq!(resume["trigger_event"], "self_disposal_lapsed");
        assert_eq!(resume["trigger_date"], "2026-04-02");
        assert_eq!(resume["due_date"], "2026-04-13");
        let court_id = app.engine.authenticate(&app.judge).await.unwrap().court_id;
        let events = chuzhi::store::audit::recent_for_court(app.db(), court_id, 10).await.unwrap();
        let lapse = events.iter().find(|event| event.action == "disposal.lapse_self_disposal").expect("the lapse is audited");
        assert_eq!(lapse.actor_user, "system:sweep");
        assert_eq!(lapse.subject, format!("asset:{asset_id}"));

        // Running the sweep again, that day or the next, lapses nothing twice.
        let audit = app.count("audit_events").await;
        let report = app.engine.sweep(at("2026-04-02T10:00:00+08:00"), 100).await.unwrap();
        assert_eq!(report.self_disposals_lapsed, 0, "running the sweep again lapses nothing twice");
        assert_eq!(app.count("audit_events").await, audit, "nothing new to record");
        let report = app.engine.sweep(at("2026-04-03T09:00:00+08:00"), 100).await.unwrap();
        assert_eq!(report.self_disposals_lapsed, 0);
        assert_eq!(ok_view(app, asset_id).await["version"], view["version"]);
    }
}

both_backends! {
    async fn fund_1_the_debtors_self_disposal_proceeds_and_the_payment_that_stops_an_auction_are_the_cases_at_once_self_4_trad_12(app: &TestApp) {
        // SELF-4: the debtor may sell the flat himself; in another case a car goes to auction.
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执308号", "2026-02-02").await;
        let held = format!("case:{case_id}:held");
        let (flat, approved) = self_disposal_approved(app, case_id, "自行处置决定-8").await;
        let account_no = approved["state"]["collection_account"].as_str().unwrap().to_string();
        let other_case = register_case(app, "(2026)鲁0102执309号", "2026-02-02").await;
        let other_held = format!("case:{other_case}:held");
        let car = priced_asset(app, other_case, "vehicle", "300000.00", "2026-03-09").await;
        let announced_view = announced(app, car, "240000.00", "24000.00").await;
        let other_account = announced_view["state"]["collection_account"].as_str().unwrap().to_string();

        // TRAD-12: before the bidding day the car's debtor pays the whole claim (1,200,000.00) and the auction stops;
        // the payment is the case's at once, in transit until the bank's statement shows it.
        app.set_now("2026-03-16T10:00:00+08:00");
        let stop = |amount: &str| json!({ "command": "stop_on_debtor_payment", "amount": amount, "account": other_account, "bank_reference": "DEBTOR-309-1" });
        let (status, refused) = command(app, &app.judge, car, stop("1199999.99")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "one fen short of the claim: {refused}");
        assert_eq!(refused["error"]["rule"], "TRAD-12");
        assert_eq!(balance_of(app, &other_held).await, "0.00", "a refusal posts nothing");
        let stopped = ok(app, &app.judge, car, stop("1200000.00")).await;
        assert_eq!(stopped["stage"], "ended", "{stopped}");
        assert_eq!(balance_of(app, &other_held).await, "1200000.00");
        assert_eq!(balance_of(app, "in_transit").await, "1200000.00");

        // SELF-4: the debtor sells the flat; the buyer pays the price into the case account.
        app.set_now("2026-03-20T10:00:00+08:00");
        ok(app, &app.assistant, flat, json!({ "command": "record_self_disposal_sale", "buyer": "买受人甲", "price": "2500000.00",
            "applicant_consents_below_reference": false })).await;
        assert_eq!(balance_of(app, &held).await, "0.00", "a sale is not money");
        let paid = ok(app, &app.assistant, flat, json!({ "command": "record_payment", "source": "self_disposal_proceeds",
            "amount": "2500000.00", "account": account_no, "bank_reference": "SELF-308-1" })).await;
        assert_eq!(paid["stage"], "ended", "{paid}");
        assert_eq!(balance_of(app, &held).await, "2500000.00");
        assert_eq!(balance_of(app, "in_transit").await, "3700000.00");
        assert_ledger_consistent(app).await;
    }
}

/// A flat (large value, SELF-2) priced at 2,500,000.00 whose debtor applied on 2026-03-02 to sell it himself, approved
/// for 30 days under the 2021 opinion: its id and the view after the approval.
async fn self_disposal_approved(app: &TestApp, case_id: i64, decision_id: &str) -> (i64, Value) {
    // SELF-2: only an asset of large value or complex may be disposed of by the debtor.
    let mut body = asset_body("real_estate", "2026-02-10");
    body["high_value_or_complex"] = json!(true);
    let (status, asset) = app.post(&format!("/api/v1/cases/{case_id}/assets"), &app.assistant, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{asset}");
    let asset_id = asset["id"].as_i64().unwrap();
    fix_price(app, asset_id, "2500000.00", "2026-03-09").await;
    start(app, asset_id).await;
    ok(
        app,
        &app.assistant,
        asset_id,
        json!({ "command": "apply_self_disposal", "grounds": "参考价明显偏低，已有意向买家",
        "debtor_says_reference_too_low": true, "court_controls_proceeds": true, "mode": { "mode": "public_online_auction" } }),
    )
    .await;
    let approved = ok(
        app,
        &app.judge,
        asset_id,
        json!({ "command": "decide_self_disposal", "decision_id": decision_id,
        "approve": true, "basis": "opinion2021", "period_days": 30 }),
    )
    .await;
    (asset_id, approved)
}

async fn ok_view(app: &TestApp, asset_id: i64) -> Value {
    let (status, view) = app.get(&format!("/api/v1/assets/{asset_id}/disposal"), &app.judge).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

/// A case account's balance in fen (zero when it has none yet).
async fn account(app: &TestApp, key: &str) -> i64 {
    let court = chuzhi::store::auth::court_by_code(app.db(), COURT_CODE).await.unwrap().unwrap();
    chuzhi::store::ledger::balances(app.db(), court.id, None)
        .await
        .unwrap()
        .into_iter()
        .find(|row| row.account == key)
        .map(|row| row.balance_fen)
        .unwrap_or(0)
}

/// An entry's lines: (account, debit fen, credit fen).
type Lines = Vec<(String, i64, i64)>;

/// The forfeit entries of an asset, as (kind, source suffix, lines).
async fn forfeit_entries(app: &TestApp, asset_id: i64) -> Vec<(String, String, Lines)> {
    let court = chuzhi::store::auth::court_by_code(app.db(), COURT_CODE).await.unwrap().unwrap();
    let prefix = format!("forfeit:{asset_id}:");
    let mut entries: Vec<(i64, String, String, Lines)> = Vec::new();
    for line in chuzhi::store::ledger::entry_lines_by_source(app.db(), court.id, &prefix)
        .await
        .unwrap()
    {
        if entries.last().map(|entry| entry.0) != Some(line.entry_id) {
            let suffix = line.source.strip_prefix(&prefix).unwrap().to_string();
            entries.push((line.entry_id, line.kind.clone(), suffix, Vec::new()));
        }
        entries.last_mut().unwrap().3.push((line.account, line.debit_fen, line.credit_fen));
    }
    entries.into_iter().map(|(_, kind, source, lines)| (kind, source, lines)).collect()
}

fn seiz_1(nodes: &[Value]) -> &Value {
    nodes
        .iter()
        .find(|node| node["rule"] == "SEIZ-1")
        .unwrap_or_else(|| panic!("no SEIZ-1 node in {nodes:?}"))
}

both_backends! {
    async fn seiz_1_the_sale_ruling_passes_ownership_so_the_seizure_renewal_reminder_is_cancelled_and_no_sweep_alerts_for_it(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执311号", "2026-02-02").await;
        let asset_id = priced_asset(app, case_id, "movable", "1000000.00", "2026-03-09").await;
        // Another asset of the case, still seized: its reminder is the control.
        let unsold = register_asset(app, case_id, "movable", "2026-02-10").await["id"].as_i64().unwrap();
        // SEIZ-1: a movable is seized for at most 2 years: until 2028-02-10.
        let seizure = seiz_1(&nodes_of(app, asset_id).await).clone();
        assert_eq!(seizure["due_date"], "2028-02-10");
        assert_eq!(seizure["status"], "pending");
        let seizure_id = seizure["id"].as_i64().unwrap();

        let sold = announced(app, asset_id, "800000.00", "80000.00").await;
        app.set_now("2026-03-24T11:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_sale", "buyer": "竞买人7号", "price": "850000.00",
            "bidding_ended_at": "2026-03-24T10:00:00+08:00", "other_bidders_paid_deposits": false })).await;
        // AUC-14: the buyer may still default and the asset be sold again, so the seizure stays and is reminded.
        assert_eq!(seiz_1(&nodes_of(app, asset_id).await)["status"], "pending");
        let account_no = sold["state"]["collection_account"].as_str().unwrap().to_string();
        app.set_now("2026-03-25T10:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_payment", "source": "deposit_transfer", "amount": "80000.00",
            "account": account_no, "bank_reference": "PLAT-311-D" })).await;
        app.set_now("2026-04-21T10:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_payment", "source": "balance", "amount": "770000.00",
            "account": account_no, "bank_reference": "PLAT-311-B" })).await;
        assert_eq!(seiz_1(&nodes_of(app, asset_id).await)["status"], "pending", "paid in full, not yet the buyer's");

        // TRAD-8 / AUC-12: the ruling served on 04-23 passes ownership; the seizure has no object left.
        app.set_now("2026-04-23T10:00:00+08:00");
        let outbox = app.count("outbox").await;
        let ruled = ok(app, &app.assistant, asset_id, json!({ "command": "serve_sale_ruling", "buyer_eligibility_confirmed": false })).await;
        assert_eq!(ruled["stage"], "settlement");
        let nodes = nodes_of(app, asset_id).await;
        let seizure = seiz_1(&nodes);
        assert_eq!(seizure["status"], "cancelled", "{seizure}");
        assert_eq!(node(&nodes, "TRAD-9", "")["status"], "pending");
        assert!(app.count("outbox").await > outbox, "the registry is told to lift the seizure");
        app.set_now("2026-04-27T10:00:00+08:00");
        let handed = ok(app, &app.assistant, asset_id, json!({ "command": "record_handover" })).await;
        assert_eq!(handed["stage"], "ended");

        // Two years on, the sweep reminds the unsold asset's seizure, never the sold one's.
        let report = app.engine.sweep(at("2028-02-11T09:00:00+08:00"), 1000).await.unwrap();
        assert!(report.alerts_raised() > 0);
        let principal = app.engine.authenticate(&app.supervisor).await.unwrap();
        let alerts = app.engine.list_alerts(&principal, None, 0, 1000).await.unwrap();
        assert!(alerts.iter().all(|alert| alert.node_id != seizure_id), "no alert for the sold asset's seizure: {alerts:?}");
        let control = seiz_1(&nodes_of(app, unsold).await)["id"].as_i64().unwrap();
        assert!(alerts.iter().any(|alert| alert.node_id == control), "the unsold asset's seizure is alerted");
        let principal = app.engine.authenticate(&app.judge).await.unwrap();
        let detail = app.engine.node_detail(&principal, seizure_id).await.unwrap();
        assert_eq!(detail.node.status, "cancelled");
        assert_eq!(detail.node.next_alert_on, None);
    }

    async fn seiz_1_a_debt_in_kind_ends_the_seizure_reminder_when_its_ruling_is_served_not_when_decided(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执312号", "2026-02-02").await;
        let asset_id = priced_asset(app, case_id, "movable", "1000000.00", "2026-03-09").await;
        let view = announced(app, asset_id, "800000.00", "80000.00").await;
        app.set_now("2026-03-24T11:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_failure",
            "bidding_ended_at": "2026-03-24T10:00:00+08:00", "deposits_paid": false })).await;
        // TRAD-5 / SELL-9: the applicant takes the asset at the failed round's starting price; its claim covers it.
        app.set_now("2026-03-25T10:00:00+08:00");
        let applicant = view["state"]["applicant"].as_str().unwrap().to_string();
        let decided = ok(app, &app.judge, asset_id, json!({ "command": "decide_debt_in_kind",
            "creditors": [{ "name": applicant, "rank": 1, "claim": "1200000.00" }],
            "applicant_consents": true, "debtor_consents": false, "harms_others": false, "taker_purchase_eligible": true })).await;
        assert_eq!(decided["stage"], "settlement");
        assert_eq!(seiz_1(&nodes_of(app, asset_id).await)["status"], "pending");
        // 民诉法解释 art 491: ownership passes when the debt-in-kind ruling is served on the taker.
        app.set_now("2026-03-27T10:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "serve_sale_ruling", "buyer_eligibility_confirmed": false })).await;
        assert_eq!(seiz_1(&nodes_of(app, asset_id).await)["status"], "cancelled");
    }

    async fn auc_14_the_defaulting_buyers_deposit_is_set_apart_then_allocated_at_the_resales_ruling_costs_shortfall_claim_to_the_fen(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执313号", "2026-02-02").await;
        let asset_id = priced_asset(app, case_id, "movable", "1000000.00", "2026-03-09").await;
        let view = announced(app, asset_id, "800000.00", "80000.00").await;
        let account_no = view["state"]["collection_account"].as_str().unwrap().to_string();
        let (held_key, forfeited_key, fees_key) =
            (format!("case:{case_id}:held"), format!("case:{case_id}:forfeited"), format!("case:{case_id}:fees"));
        let before = account(app, &held_key).await;
        app.set_now("2026-03-24T11:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_sale", "buyer": "竞买人7号", "price": "850000.00",
            "bidding_ended_at": "2026-03-24T10:00:00+08:00", "other_bidders_paid_deposits": false })).await;

        // The balance was due on Friday 04-24. AUC-15: the deposit must be in the case's account before it is forfeited.
        app.set_now("2026-04-27T10:00:00+08:00");
        let audit = app.count("audit_events").await;
        let default = json!({ "command": "record_buyer_default", "auction_cost_losses": "1500.00" });
        let (status, refused) = command(app, &app.assistant, asset_id, default.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "deposit_transfer_not_recorded");
        assert_eq!(refused["error"]["rule"], "AUC-15");
        assert_eq!(refused["error"]["details"]["deposit"], "80000.00");
        assert_eq!(app.count("audit_events").await, audit + 1, "only the refusal's audit record");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_payment", "source": "deposit_transfer", "amount": "80000.00",
            "account": account_no, "bank_reference": "PLAT-313-D1" })).await;
        assert_eq!(account(app, &held_key).await, before + 8_000_000);

        // AUC-14: forfeited and set apart: the 80,000.00 leave the case's funds for case:<id>:forfeited.
        let defaulted = ok(app, &app.assistant, asset_id, default).await;
        assert_eq!(defaulted["stage"], "preparing");
        let forfeit = &defaulted["state"]["forfeits"][0];
        assert_eq!(forfeit["deposit"], "80000.00");
        assert_eq!(forfeit["buyer"], "竞买人7号");
        assert_eq!(forfeit["defaulted_on"], "2026-04-27");
        assert_eq!(forfeit["channel"], json!({ "channel": "auction", "round": { "number": 1, "resale": false } }), "the sale the buyer defaulted on");
        assert_eq!(forfeit["original_price"], "850000.00", "the price the resale's shortfall is measured against");
        assert_eq!(forfeit["allocated_on"], Value::Null, "allocated only once the resale is final");
        assert_eq!(account(app, &held_key).await, before);
        assert_eq!(account(app, &forfeited_key).await, 8_000_000);
        assert_ledger_consistent(app).await;

        // The resale at the same starting price, without the defaulting buyer (AUC-14, Q6).
        app.set_now("2026-04-28T10:00:00+08:00");
        let resale = plan(app, "2026-04-28", "800000.00", "80000.00",
            ["2026-05-06", "2026-05-21T10:00:00+08:00", "2026-05-22T10:00:00+08:00", "2026-06-05"]);
        let planned = ok(app, &app.judge, asset_id, resale).await;
        notify_parties(app, asset_id, &planned).await;
        app.set_now("2026-05-06T10:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "publish_announcement" })).await;
        app.set_now("2026-05-22T11:00:00+08:00");
        let (status, refused) = command(app, &app.assistant, asset_id, json!({ "command": "record_sale", "buyer": "竞买人7号",
            "price": "900000.00", "bidding_ended_at": "2026-05-22T10:00:00+08:00", "other_bidders_paid_deposits": false })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "defaulted_buyer_excluded");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_sale", "buyer": "竞买人8号", "price": "820000.00",
            "bidding_ended_at": "2026-05-22T10:00:00+08:00", "other_bidders_paid_deposits": false })).await;
        app.set_now("2026-05-25T10:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_payment", "source": "deposit_transfer", "amount": "80000.00",
            "account": account_no, "bank_reference": "PLAT-313-D2" })).await;
        app.set_now("2026-05-29T10:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_payment", "source": "balance", "amount": "740000.00",
            "account": account_no, "bank_reference": "PLAT-313-B2" })).await;
        assert_eq!(account(app, &forfeited_key).await, 8_000_000, "the resale's buyer may still default: nothing allocated");

        // TRAD-8: the ruling makes the resale final; AUC-14's order: 1,500.00 of costs, the 30,000.00 shortfall below
        // 850,000.00, and the remaining 48,500.00 toward the claim of 1,200,000.00.
        app.set_now("2026-06-01T10:00:00+08:00");
        let ruled = ok(app, &app.assistant, asset_id, json!({ "command": "serve_sale_ruling", "buyer_eligibility_confirmed": false })).await;
        assert_eq!(ruled["state"]["forfeits"][0]["allocation"], json!({ "auction_cost_losses": "1500.00",
            "resale_shortfall": "30000.00", "this_case_debt": "48500.00", "related_debts": "0.00", "remainder": "0.00" }));
        assert_eq!(ruled["state"]["forfeits"][0]["allocated_on"], "2026-06-01");
        let (held, forfeited, fees) = (format!("case:{case_id}:held"), format!("case:{case_id}:forfeited"), format!("case:{case_id}:fees"));
        let lines = |debit: &str, credit: &str, fen: i64| vec![(debit.to_string(), fen, 0), (credit.to_string(), 0, fen)];
        assert_eq!(
            forfeit_entries(app, asset_id).await,
            vec![
                ("forfeit_deposit".to_string(), "0:deposit".to_string(), lines(&held, &forfeited, 8_000_000)),
                ("forfeit_allocation".to_string(), "0:auction_cost_losses".to_string(), lines(&forfeited, &fees, 150_000)),
                ("forfeit_allocation".to_string(), "0:resale_shortfall".to_string(), lines(&forfeited, &held, 3_000_000)),
                ("forfeit_allocation".to_string(), "0:this_case_debt".to_string(), lines(&forfeited, &held, 4_850_000)),
            ]
        );
        assert_eq!(account(app, &forfeited_key).await, 0);
        assert_eq!(account(app, &fees_key).await, 150_000);
        // The resale's 820,000.00 and 78,500.00 of the forfeited deposit: 898,500.00 more than before the sale.
        assert_eq!(account(app, &held_key).await, before + 89_850_000);
        assert_ledger_consistent(app).await;
        assert_eq!(seiz_1(&nodes_of(app, asset_id).await)["status"], "cancelled");
    }

    async fn sell_6_a_sell_off_buyer_who_backs_out_forfeits_the_notices_deposit_and_the_sell_off_is_published_again_without_them(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执314号", "2026-02-02").await;
        let asset_id = priced_asset(app, case_id, "movable", "1000000.00", "2026-03-09").await;
        let view = announced(app, asset_id, "800000.00", "80000.00").await;
        let account_no = view["state"]["collection_account"].as_str().unwrap().to_string();
        let (held_key, forfeited_key, fees_key) =
            (format!("case:{case_id}:held"), format!("case:{case_id}:forfeited"), format!("case:{case_id}:fees"));
        let before = account(app, &held_key).await;
        // Two failed rounds (AUC-16), the creditors asked (SELL-3), the sell-off at the second starting price (SELL-5).
        app.set_now("2026-03-24T11:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_failure",
            "bidding_ended_at": "2026-03-24T10:00:00+08:00", "deposits_paid": false })).await;
        let second = plan(app, "2026-03-24", "640000.00", "64000.00",
            ["2026-03-27", "2026-04-13T10:00:00+08:00", "2026-04-14T10:00:00+08:00", "2026-05-20"]);
        let planned = ok(app, &app.judge, asset_id, second).await;
        notify_parties(app, asset_id, &planned).await;
        app.set_now("2026-03-27T10:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "publish_announcement" })).await;
        app.set_now("2026-04-14T11:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_failure",
            "bidding_ended_at": "2026-04-14T10:00:00+08:00", "deposits_paid": false })).await;
        app.set_now("2026-04-15T10:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "ask_debt_in_kind" })).await;
        let noticed = ok(app, &app.assistant, asset_id, json!({ "command": "publish_sell_off_notice", "starts_on": "2026-04-22" })).await;
        assert_eq!(noticed["stage"], "sell_off");
        // SELL-6 (DESIGN): the notice states the second round's deposit unless the court gives another.
        assert_eq!(noticed["state"]["stage"]["deposit"], "64000.00");
        app.set_now("2026-04-23T11:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_sell_off_bid", "bidder": "竞买人A", "at": "2026-04-23T10:00:00+08:00" })).await;
        app.set_now("2026-04-24T11:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_sale", "buyer": "竞买人A", "price": "640000.00",
            "bidding_ended_at": "2026-04-24T10:00:00+08:00", "other_bidders_paid_deposits": false })).await;
        app.set_now("2026-04-24T15:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_payment", "source": "deposit_transfer", "amount": "640000.00",
            "account": account_no, "bank_reference": "SELLOFF-314-1" })).await;
        assert_eq!(account(app, &held_key).await, before + 64_000_000);

        // SELL-6: the buyer backs out before the ruling: 64,000.00 forfeited and set apart, 576,000.00 owed back.
        app.set_now("2026-04-27T10:00:00+08:00");
        let defaulted = ok(app, &app.assistant, asset_id, json!({ "command": "record_buyer_default", "auction_cost_losses": "2000.00" })).await;
        assert_eq!(defaulted["stage"], "sell_off_resale", "{defaulted}");
        assert_eq!(account(app, &forfeited_key).await, 6_400_000);
        assert_eq!(account(app, &held_key).await, before + 57_600_000, "the refund leaves by a payout to the payer (FUND-8)");
        assert_ledger_consistent(app).await;
        let nodes = nodes_of(app, asset_id).await;
        assert_eq!(node(&nodes, "TRAD-8", "")["status"], "cancelled", "no ruling on a sale backed out of");
        // DESIGN: publish again within 15 days of Monday 04-27: Tuesday 05-12; refund the rest within 24 hours: 04-28.
        let renotice = node(&nodes, "SELL-6", "重新发布变卖公告");
        assert_eq!((renotice["due_date"].as_str(), renotice["status"].as_str()), (Some("2026-05-12"), Some("pending")));
        let refund = node(&nodes, "SELL-6", "预交价款余额");
        assert_eq!((refund["due_date"].as_str(), refund["status"].as_str()), (Some("2026-04-28"), Some("pending")));
        assert_eq!(seiz_1(&nodes)["status"], "pending", "the asset is still the debtor's and still seized");

        app.set_now("2026-04-28T10:00:00+08:00");
        let (status, refused) = command(app, &app.assistant, asset_id, json!({ "command": "record_buyer_refunded", "buyer": "竞买人Z" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!((refused["error"]["code"].as_str(), refused["error"]["rule"].as_str()), (Some("no_buyer_refund_owed"), Some("SELL-6")));
        ok(app, &app.assistant, asset_id, json!({ "command": "record_buyer_refunded", "buyer": "竞买人A" })).await;
        assert_eq!(node(&nodes_of(app, asset_id).await, "SELL-6", "预交价款余额")["status"], "met");
        let republished = ok(app, &app.assistant, asset_id, json!({ "command": "publish_sell_off_notice", "starts_on": "2026-05-06" })).await;
        assert_eq!(republished["stage"], "sell_off");
        assert_eq!(node(&nodes_of(app, asset_id).await, "SELL-6", "重新发布变卖公告")["status"], "met");

        // AUC-14 through AUC-23: the buyer who backed out may not bid again.
        app.set_now("2026-05-07T11:00:00+08:00");
        let (status, refused) = command(app, &app.assistant, asset_id,
            json!({ "command": "record_sell_off_bid", "bidder": "竞买人A", "at": "2026-05-07T10:00:00+08:00" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!((refused["error"]["code"].as_str(), refused["error"]["rule"].as_str()), (Some("defaulted_buyer_excluded"), Some("AUC-14")));
        ok(app, &app.assistant, asset_id, json!({ "command": "record_sell_off_bid", "bidder": "竞买人B", "at": "2026-05-07T10:00:00+08:00" })).await;
        app.set_now("2026-05-08T11:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_sale", "buyer": "竞买人B", "price": "640000.00",
            "bidding_ended_at": "2026-05-08T10:00:00+08:00", "other_bidders_paid_deposits": false })).await;
        app.set_now("2026-05-08T15:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "record_payment", "source": "deposit_transfer", "amount": "640000.00",
            "account": account_no, "bank_reference": "SELLOFF-314-2" })).await;

        // TRAD-8: the ruling on the second sale: ownership passes (SEIZ-1 ends) and the forfeited 64,000.00 pay
        // 2,000.00 of costs, no shortfall (the same price), and 62,000.00 toward the claim.
        app.set_now("2026-05-11T10:00:00+08:00");
        ok(app, &app.assistant, asset_id, json!({ "command": "serve_sale_ruling", "buyer_eligibility_confirmed": false })).await;
        let (status, refused) = command(app, &app.assistant, asset_id, json!({ "command": "record_buyer_default" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!((refused["error"]["code"].as_str(), refused["error"]["rule"].as_str()), (Some("ownership_already_passed"), Some("AUC-12")));
        let lines = |debit: &str, credit: &str, fen: i64| vec![(debit.to_string(), fen, 0), (credit.to_string(), 0, fen)];
        assert_eq!(
            forfeit_entries(app, asset_id).await,
            vec![
                ("forfeit_deposit".to_string(), "0:deposit".to_string(), lines(&held_key, &forfeited_key, 6_400_000)),
                ("forfeit_allocation".to_string(), "0:auction_cost_losses".to_string(), lines(&forfeited_key, &fees_key, 200_000)),
                ("forfeit_allocation".to_string(), "0:this_case_debt".to_string(), lines(&forfeited_key, &held_key, 6_200_000)),
            ]
        );
        assert_eq!(account(app, &forfeited_key).await, 0);
        assert_eq!(account(app, &fees_key).await, 200_000);
        // Both prepayments, less the 64,000.00 set apart, plus the 62,000.00 allocated back: 1,278,000.00.
        assert_eq!(account(app, &held_key).await, before + 127_800_000);
        assert_ledger_consistent(app).await;
        assert_eq!(seiz_1(&nodes_of(app, asset_id).await)["status"], "cancelled");
    }
}
