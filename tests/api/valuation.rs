//! The reference-price procedure through the API (REF-1…REF-46): the core's transitions, stored with their
//! nodes and audit events in one transaction, refusals naming their rule and changing nothing.

use crate::harness::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

async fn command(app: &TestApp, token: &str, asset_id: i64, body: Value) -> (StatusCode, Value) {
    app.post(&format!("/api/v1/assets/{asset_id}/valuation/commands"), token, &body)
        .await
}

async fn nodes_of(app: &TestApp, asset_id: i64) -> Vec<Value> {
    let (status, nodes) = app.get(&format!("/api/v1/nodes?asset_id={asset_id}"), &app.judge).await;
    assert_eq!(status, StatusCode::OK);
    nodes.as_array().unwrap().clone()
}

fn node<'a>(nodes: &'a [Value], rule: &str) -> &'a Value {
    nodes
        .iter()
        .find(|node| node["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} node in {nodes:?}"))
}

both_backends! {
    async fn ref_4_negotiated_price_meets_ref_1_and_creates_ref_36_across_the_spring_festival(app: &TestApp) {
        app.set_now("2026-01-22T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执21号", "2026-01-05").await;
        let asset = register_asset(app, case_id, "real_estate", "2026-01-20").await;
        let asset_id = asset["id"].as_i64().unwrap();
        // REF-1: day 30 after 2026-01-20 is 02-19, inside the Spring Festival break: due 2026-02-24.
        assert_eq!(node(&nodes_of(app, asset_id).await, "REF-1")["due_date"], "2026-02-24");

        app.set_now("2026-02-02T10:00:00+08:00");
        let (status, started) = app.call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.assistant), None).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        assert_eq!(started["stage"], "choosing_method");
        assert_eq!(node(&nodes_of(app, asset_id).await, "REF-1")["status"], "met", "REF-1 is met when the procedure starts");

        let precheck = json!({ "command": "record_precheck", "precheck": {
            "title": "登记在被执行人名下", "encumbrances": "抵押一项", "occupancy": "被执行人自住", "tax_arrears": "无", "defects": "无" } });
        let (status, body) = command(app, &app.assistant, asset_id, precheck).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = command(app, &app.assistant, asset_id, json!({ "command": "open_negotiation", "deadline": "2026-02-16" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["stage"], "negotiation");
        // The court's deadline 02-16 falls in the break (HOL-2026): PER-1 moves it to 02-24.
        assert_eq!(node(&nodes_of(app, asset_id).await, "REF-4")["due_date"], "2026-02-24");

        // Withdrawal is the judge's decision, not an assistant's.
        let (status, refused) = command(app, &app.assistant, asset_id, json!({ "command": "withdraw", "ground": { "ground": "application_withdrawn" } })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert_eq!(refused["error"]["code"], "role_not_allowed");
        let (status, _) = command(app, &app.admin, asset_id, json!({ "command": "withdraw", "ground": { "ground": "application_withdrawn" } })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "an administrator does not take the judge's decisions either");

        app.set_now("2026-02-24T10:00:00+08:00");
        // REF-4: finding that the price harms others' rights is the judge's.
        let harmful = json!({ "command": "record_negotiation_result", "applicant_price": "1200000.00", "debtor_price": "1200000.00",
                              "validity_months": 6, "harms_third_parties": true });
        let (status, _) = command(app, &app.assistant, asset_id, harmful).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let result = json!({ "command": "record_negotiation_result", "applicant_price": "1200000.00", "debtor_price": "1200000.00",
                             "validity_months": 6, "harms_third_parties": false });
        let (status, fixed) = command(app, &app.assistant, asset_id, result.clone()).await;
        assert_eq!(status, StatusCode::OK, "{fixed}");
        assert_eq!(fixed["stage"], "fixed");
        assert_eq!(fixed["version"], 4);
        let nodes = nodes_of(app, asset_id).await;
        assert_eq!(node(&nodes, "REF-4")["status"], "met");
        // REF-36: start the disposal within 10 days of the price: 2026-03-06.
        assert_eq!(node(&nodes, "REF-36")["due_date"], "2026-03-06");
        assert_eq!(node(&nodes, "REF-36")["status"], "pending");

        // The same result again is out of order now: refused with its rule, nothing changes but the audit record.
        let audit = app.count("audit_events").await;
        let node_count = app.count("nodes").await;
        let events = app.count("valuation_events").await;
        let (status, refused) = command(app, &app.assistant, asset_id, result).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(refused["error"]["rule"].as_str().unwrap().starts_with("REF-"), "{refused}");
        assert!(!refused["error"]["code"].as_str().unwrap().is_empty());
        assert_eq!(app.count("audit_events").await, audit + 1);
        assert_eq!(app.count("nodes").await, node_count);
        assert_eq!(app.count("valuation_events").await, events);
        let (_, current) = app.get(&format!("/api/v1/assets/{asset_id}/valuation"), &app.finance).await;
        assert_eq!(current["version"], 4);
    }

    async fn ref_3_no_method_before_the_precheck_and_no_second_start(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执22号", "2026-02-02").await;
        let asset_id = register_asset(app, case_id, "movable", "2026-02-03").await["id"].as_i64().unwrap();
        let (status, _) = app.call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.judge), None).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, refused) = command(app, &app.assistant, asset_id, json!({ "command": "open_negotiation", "deadline": "2026-03-10" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["rule"], "REF-3");
        let (status, refused) = app.call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.judge), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        let (status, refused) = app.call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.other_court_assistant), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{refused}");
        let (status, refused) = app.call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.finance), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    }

    async fn ref_10_online_inquiry_goes_to_every_platform_on_chuzhis_register(app: &TestApp) {
        app.set_now("2026-04-27T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执23号", "2026-04-01").await;
        let asset_id = register_asset(app, case_id, "movable", "2026-04-20").await["id"].as_i64().unwrap();
        app.set_now("2026-04-28T10:00:00+08:00");
        let (status, _) = app.call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.assistant), None).await;
        assert_eq!(status, StatusCode::CREATED);
        let precheck = json!({ "command": "record_precheck", "precheck": {
            "title": "被执行人所有", "encumbrances": "无", "occupancy": "法院扣押", "tax_arrears": "无", "defects": "无" } });
        assert_eq!(command(app, &app.assistant, asset_id, precheck).await.0, StatusCode::OK);
        // The register is chuzhi's reference data, not the caller's.
        let (status, refused) = command(app, &app.assistant, asset_id, json!({ "command": "send_online_inquiry", "basis": "joint_request", "register": ["某平台"] })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "invalid_field");
        let (status, sent) = command(app, &app.assistant, asset_id, json!({ "command": "send_online_inquiry", "basis": "joint_request" })).await;
        assert_eq!(status, StatusCode::OK, "{sent}");
        // REF-11: three days from 04-28 is 05-01, in the Labour Day break (HOL-2026): every report is due 05-06.
        let nodes = nodes_of(app, asset_id).await;
        let reports: Vec<&Value> = nodes.iter().filter(|node| node["rule"] == "REF-11").collect();
        assert_eq!(reports.len(), app.engine.inquiry_platforms.len());
        assert!(reports.iter().all(|node| node["due_date"] == "2026-05-06"), "{reports:?}");
        let platform = app.engine.inquiry_platforms[0].clone();
        let (status, body) = command(app, &app.assistant, asset_id, json!({ "command": "record_platform_report", "platform": platform, "amount": "86000.00", "validity_months": 6 })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, refused) = command(app, &app.assistant, asset_id, json!({ "command": "record_platform_report", "platform": "不在名单上的平台", "amount": "1.00", "validity_months": 6 })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["rule"], "REF-10");
    }

    async fn ref_19_the_lottery_seed_is_chuzhis_fixed_before_the_draw_and_the_draw_is_reproducible(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执24号", "2026-02-02").await;
        let asset_id = register_asset(app, case_id, "real_estate", "2026-02-03").await["id"].as_i64().unwrap();
        app.call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.assistant), None).await;
        let precheck = json!({ "command": "record_precheck", "precheck": {
            "title": "被执行人所有", "encumbrances": "无", "occupancy": "空置", "tax_arrears": "无", "defects": "无" } });
        assert_eq!(command(app, &app.assistant, asset_id, precheck).await.0, StatusCode::OK);
        let (status, body) = command(app, &app.assistant, asset_id, json!({ "command": "open_appraisal", "basis": "joint_request", "agreement_deadline": "2026-03-09" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let candidates = app.engine.appraisal_agencies.sub_lists["房地产估价/山东省济南市"].clone();
        let (status, refused) = command(app, &app.assistant, asset_id, json!({ "command": "commit_agency_lottery", "reason": "parties_disagree",
            "sub_list": "房地产估价/山东省济南市", "candidates": ["我的朋友评估公司", "济南甲房地产估价有限公司", "济南乙房地产估价有限公司"] })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the caller cannot choose the candidates: {refused}");
        let (status, refused) = command(app, &app.assistant, asset_id, json!({ "command": "commit_agency_lottery", "reason": "parties_disagree", "sub_list": "不存在的子库" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused["error"]["rule"], "REF-18");
        let lottery = json!({ "command": "commit_agency_lottery", "reason": "parties_disagree", "sub_list": "房地产估价/山东省济南市" });
        let mut with_seed = lottery.clone();
        with_seed["seed_sha256"] = json!("00".repeat(32));
        let (status, _) = command(app, &app.assistant, asset_id, with_seed).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the caller cannot choose the seed");
        let (status, committed) = command(app, &app.assistant, asset_id, lottery).await;
        assert_eq!(status, StatusCode::OK, "{committed}");
        let seed: String = match app.db() {
            chuzhi::store::Db::Sqlite(pool) => sqlx::query_scalar("select seed from lottery_seeds").fetch_one(pool).await.unwrap(),
            chuzhi::store::Db::Postgres(pool) => sqlx::query_scalar("select seed from lottery_seeds").fetch_one(pool).await.unwrap(),
        };
        let seed_bytes = chuzhi::valuation::parse_hex_32(&seed).unwrap();
        let committed_text = committed.to_string();
        assert!(committed_text.contains(&chuzhi::valuation::seed_commitment(&seed_bytes)), "the commitment is in the state");
        assert!(!committed_text.contains(&seed), "the seed is not, before the draw");
        let (_, read) = app.get(&format!("/api/v1/assets/{asset_id}/valuation"), &app.judge).await;
        assert!(!read.to_string().contains(&seed), "nor in what a read shows");
        for table in ["audit_events", "valuation_events", "outbox"] {
            let sql = format!("select count(*) from {table} where payload like '%{seed}%'").replace("payload", if table == "valuation_events" { "event" } else { "payload" });
            let leaked: i64 = match app.db() {
                chuzhi::store::Db::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
                chuzhi::store::Db::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
            };
            assert_eq!(leaked, 0, "the seed is not in {table} before the draw");
        }
        let (status, drawn) = command(app, &app.assistant, asset_id, json!({ "command": "draw_appraisal_agencies" })).await;
        assert_eq!(status, StatusCode::OK, "{drawn}");
        let expected = chuzhi::valuation::draw(&seed_bytes, &candidates, 3);
        let drawn_text = drawn.to_string();
        assert!(drawn_text.contains(&seed), "the draw reveals the seed");
        assert!(drawn_text.contains(&serde_json::to_string(&expected).unwrap()), "the recorded draw is the one the seed gives: {expected:?}");
    }
}

both_backends! {
    async fn dates_in_valuation_commands_are_strict(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执25号", "2026-02-02").await;
        let asset_id = register_asset(app, case_id, "movable", "2026-02-03").await["id"].as_i64().unwrap();
        app.call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.assistant), None).await;
        let precheck = json!({ "command": "record_precheck", "precheck": {
            "title": "被执行人所有", "encumbrances": "无", "occupancy": "扣押", "tax_arrears": "无", "defects": "无" } });
        assert_eq!(command(app, &app.assistant, asset_id, precheck).await.0, StatusCode::OK);
        for deadline in ["2026-3-9", "+262142-12-31", "2026-02-30"] {
            let (status, refused) = command(app, &app.assistant, asset_id, json!({ "command": "open_negotiation", "deadline": deadline })).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{deadline}: {refused}");
            assert_eq!(refused["error"]["code"], "invalid_date", "{deadline}: {refused}");
        }
    }
}

both_backends! {
    async fn ref_22_ref_23_an_extension_granted_by_the_judge_moves_the_stored_node_past_national_day(app: &TestApp) {
        app.set_now("2025-08-25T10:00:00+08:00");
        let case_id = register_case(app, "(2025)鲁0102执26号", "2025-08-01").await;
        let asset_id = register_asset(app, case_id, "real_estate", "2025-08-20").await["id"].as_i64().unwrap();
        app.set_now("2025-08-26T10:00:00+08:00");
        app.call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.assistant), None).await;
        let precheck = json!({ "command": "record_precheck", "precheck": {
            "title": "被执行人所有", "encumbrances": "无", "occupancy": "出租", "tax_arrears": "无", "defects": "无" } });
        assert_eq!(command(app, &app.assistant, asset_id, precheck).await.0, StatusCode::OK);
        let (status, body) = command(app, &app.assistant, asset_id, json!({ "command": "open_appraisal", "basis": "joint_request", "agreement_deadline": "2025-08-29" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let agencies = app.engine.appraisal_agencies.sub_lists["房地产估价/山东省济南市"][..3].to_vec();
        let (status, refused) = command(app, &app.assistant, asset_id, json!({ "command": "record_agreed_agencies", "agencies": ["不在名单上的公司", agencies[1], agencies[2]] })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["rule"], "REF-18");
        app.set_now("2025-08-27T10:00:00+08:00");
        let (status, body) = command(app, &app.assistant, asset_id, json!({ "command": "record_agreed_agencies", "agencies": agencies })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        app.set_now("2025-09-01T10:00:00+08:00");
        let (status, body) = command(app, &app.assistant, asset_id, json!({ "command": "commission_agency", "agency": agencies[0] })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // REF-22: 30 days from 09-01 is 10-01, in the 2025 National Day break (10-01..10-08): due 10-09.
        let report_node = |nodes: Vec<Value>| nodes.into_iter().find(|node| node["rule"] == "REF-22").expect("REF-22 node");
        assert_eq!(report_node(nodes_of(app, asset_id).await)["due_date"], "2025-10-09");
        app.set_now("2025-09-30T10:00:00+08:00");
        let (status, body) = command(app, &app.assistant, asset_id, json!({ "command": "request_appraisal_extension", "days": 15 })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _) = command(app, &app.assistant, asset_id, json!({ "command": "decide_appraisal_extension", "granted_days": 15 })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "REF-23: the court decides, not its assistant");
        let (status, body) = command(app, &app.judge, asset_id, json!({ "command": "decide_appraisal_extension", "granted_days": 15 })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // REF-23: 15 more days from 10-09: 10-24, stored on the same node.
        let node = report_node(nodes_of(app, asset_id).await);
        assert_eq!(node["due_date"], "2025-10-24");
        assert_eq!(node["status"], "pending");
        assert_eq!(nodes_of(app, asset_id).await.iter().filter(|node| node["rule"] == "REF-22").count(), 1);
    }
}

both_backends! {
    async fn ref_4_a_late_negotiation_result_meets_its_node_late_and_fails_the_method(app: &TestApp) {
        app.set_now("2025-09-22T10:00:00+08:00");
        let case_id = register_case(app, "(2025)鲁0102执77号", "2025-09-01").await;
        let asset_id = register_asset(app, case_id, "movable", "2025-09-15").await["id"].as_i64().unwrap();
        let (status, _) = app.call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.assistant), None).await;
        assert_eq!(status, StatusCode::CREATED);
        let precheck = json!({ "command": "record_precheck", "precheck": {
            "title": "被执行人所有", "encumbrances": "无", "occupancy": "法院保管", "tax_arrears": "无", "defects": "无" } });
        assert_eq!(command(app, &app.assistant, asset_id, precheck).await.0, StatusCode::OK);
        let (status, body) = command(app, &app.assistant, asset_id, json!({ "command": "open_negotiation", "deadline": "2025-09-30" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(node(&nodes_of(app, asset_id).await, "REF-4")["due_date"], "2025-09-30");

        // The prices arrive after National Day: the node is closed as met, but late, and the method fails (REF-4).
        app.set_now("2025-10-09T10:00:00+08:00");
        let result = json!({ "command": "record_negotiation_result", "applicant_price": "30000.00", "debtor_price": "30000.00",
                             "validity_months": 6, "harms_third_parties": false });
        let (status, body) = command(app, &app.assistant, asset_id, result).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["stage"], "choosing_method");
        let nodes = nodes_of(app, asset_id).await;
        let negotiation = node(&nodes, "REF-4");
        assert_eq!(negotiation["status"], "met");
        assert_eq!(negotiation["closed_on"], "2025-10-09");
        assert_eq!(negotiation["met_late"], true);
        assert_eq!(node(&nodes, "REF-1")["met_late"], false, "REF-1 was met in time");
    }
}

both_backends! {
    async fn ref_33_the_sweep_lapses_a_price_whose_validity_ended_unused(app: &TestApp) {
        app.set_now("2025-08-01T10:00:00+08:00");
        let case_id = register_case(app, "(2025)鲁0102执78号", "2025-07-20").await;
        let asset_id = register_asset(app, case_id, "movable", "2025-07-28").await["id"].as_i64().unwrap();
        let (status, _) = app.call("POST", &format!("/api/v1/assets/{asset_id}/valuation"), Some(&app.assistant), None).await;
        assert_eq!(status, StatusCode::CREATED);
        let precheck = json!({ "command": "record_precheck", "precheck": {
            "title": "被执行人所有", "encumbrances": "无", "occupancy": "法院保管", "tax_arrears": "无", "defects": "无" } });
        assert_eq!(command(app, &app.assistant, asset_id, precheck).await.0, StatusCode::OK);
        assert_eq!(command(app, &app.assistant, asset_id, json!({ "command": "open_negotiation", "deadline": "2025-08-08" })).await.0, StatusCode::OK);
        let result = json!({ "command": "record_negotiation_result", "applicant_price": "30000.00", "debtor_price": "30000.00",
                             "validity_months": 1, "harms_third_parties": false });
        let (status, fixed) = command(app, &app.assistant, asset_id, result).await;
        assert_eq!(status, StatusCode::OK, "{fixed}");
        // REF-33: one month from 2025-08-05 is 2025-09-05, a Friday.
        app.set_now("2025-08-05T10:00:00+08:00");
        let nodes = nodes_of(app, asset_id).await;
        let validity = nodes.iter().find(|node| node["rule"] == "REF-33" && node["trigger_event"] != "validity_ended").unwrap().clone();
        let due = validity["due_date"].as_str().unwrap().to_string();

        // On the last day the price still holds; the sweep leaves it alone.
        let report = app.engine.sweep(at(&format!("{due}T09:00:00+08:00")), 100).await.unwrap();
        assert_eq!(report.prices_lapsed, 0);
        let audit = app.count("audit_events").await;
        // The day after, the sweep lapses it as chuzhi's own audited step, and a new price must be determined.
        let next_day = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").unwrap() + chrono::Days::new(1);
        let report = app.engine.sweep(at(&format!("{next_day}T09:00:00+08:00")), 100).await.unwrap();
        assert_eq!(report.prices_lapsed, 1);
        assert!(app.count("audit_events").await > audit);
        let (_, valuation) = app.get(&format!("/api/v1/assets/{asset_id}/valuation"), &app.judge).await;
        assert_eq!(valuation["stage"], "choosing_method", "a negotiated price has no reissue: a new price is determined");
        let report = app.engine.sweep(at(&format!("{next_day}T10:00:00+08:00")), 100).await.unwrap();
        assert_eq!(report.prices_lapsed, 0, "running the sweep again lapses nothing twice");
        assert!(nodes_of(app, asset_id).await.iter().all(|node| node["rule"] != "REF-33" || node["status"] != "pending"));
    }
}
