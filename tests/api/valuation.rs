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

        app.set_now("2026-02-24T10:00:00+08:00");
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
}
