//! Registering cases and seized assets, with their collection accounts and nodes.

use crate::harness::*;
use axum::http::StatusCode;

both_backends! {
    async fn fund_1_case_gets_a_collection_account_from_court_code_sequence_and_check_digit(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let (status, first) = app.post("/api/v1/cases", &app.assistant, &case_body("(2026)鲁0102执1号", "2026-02-27")).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        let (_, second) = app.post("/api/v1/cases", &app.assistant, &case_body("(2026)鲁0102执2号", "2026-02-27")).await;
        let first_account = first["collection_account"].as_str().unwrap();
        let second_account = second["collection_account"].as_str().unwrap();
        assert_eq!(&first_account[..14], "37010200000001");
        assert_eq!(&second_account[..14], "37010200000002");
        assert!(chuzhi::registry::collection_account_is_valid(first_account));
        assert!(chuzhi::registry::collection_account_is_valid(second_account));
        assert_eq!(first["claim_amount"], "1200000.00");
        assert_eq!(first["parties"].as_array().unwrap().len(), 2);
        assert_eq!(first["parties"][0]["payout_account_number"], "6228480402564890018");
    }

    async fn ref_1_and_seiz_1_nodes_are_created_on_registration_across_the_spring_festival(app: &TestApp) {
        app.set_now("2026-01-20T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执3号", "2026-01-05").await;
        // Seized 2026-01-16: day 30 is 2026-02-15, a rest day of the 2026 Spring Festival (HOL-2026), so REF-1
        // falls due on the first working day after the break, 2026-02-24 (PER-1).
        let asset = register_asset(app, case_id, "real_estate", "2026-01-16").await;
        let nodes = asset["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[0]["rule"], "REF-1");
        assert_eq!(nodes[0]["due_date"], "2026-02-24");
        assert_eq!(nodes[0]["remind_on"], "2026-02-12");
        assert_eq!(nodes[0]["status"], "pending");
        assert_eq!(nodes[0]["period"], "30d");
        // SEIZ-1: real estate is seized for at most 3 years; 2029-01-16 has no published schedule (PER-10).
        assert_eq!(nodes[1]["rule"], "SEIZ-1");
        assert_eq!(nodes[1]["period"], "36m");
        assert_eq!(nodes[1]["due_date"], "2029-01-16");
        assert_eq!(nodes[1]["provisional"], true);
    }

    async fn ref_1_is_not_created_for_frozen_deposits_which_are_not_sold(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执4号", "2026-02-02").await;
        let asset = register_asset(app, case_id, "deposit", "2026-02-03").await;
        let nodes = asset["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 1);
        assert_eq!(nodes[0]["rule"], "SEIZ-1");
        // SEIZ-1: a deposit is frozen for at most one year: 2027-02-03 (provisional: no 2027 schedule yet).
        assert_eq!(nodes[0]["due_date"], "2027-02-03");
        assert_eq!(asset["to_be_sold"], false);
    }

    async fn a_node_explains_its_due_date_step_by_step(app: &TestApp) {
        app.set_now("2026-01-20T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执5号", "2026-01-05").await;
        let asset = register_asset(app, case_id, "movable", "2026-01-16").await;
        let node_id = asset["nodes"][0]["id"].as_i64().unwrap();
        let (status, node) = app.get(&format!("/api/v1/nodes/{node_id}"), &app.judge).await;
        assert_eq!(status, StatusCode::OK, "{node}");
        assert_eq!(node["explanation"]["due"], "2026-02-24");
        let steps = node["explanation"]["steps"].as_array().unwrap();
        let rules: Vec<&str> = steps.iter().filter_map(|step| step["rule"].as_str()).collect();
        assert!(rules.contains(&"PER-1"), "{rules:?}");
        assert!(rules.contains(&"HOL-2026"), "{rules:?}");
        // One roll-forward step per rest day from 02-15 to 02-23.
        assert_eq!(rules.iter().filter(|rule| **rule == "HOL-2026").count(), 9);
    }

    async fn cases_assets_and_nodes_are_listed_for_the_callers_court_only(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执6号", "2026-02-02").await;
        register_asset(app, case_id, "vehicle", "2026-02-03").await;
        let (_, cases) = app.get("/api/v1/cases", &app.finance).await;
        assert_eq!(cases.as_array().unwrap().len(), 1);
        let (_, cases) = app.get("/api/v1/cases", &app.other_court_assistant).await;
        assert_eq!(cases.as_array().unwrap().len(), 0);
        let (_, nodes) = app.get(&format!("/api/v1/nodes?case_id={case_id}"), &app.supervisor).await;
        assert_eq!(nodes.as_array().unwrap().len(), 2);
        let (_, nodes) = app.get("/api/v1/nodes", &app.other_court_assistant).await;
        assert_eq!(nodes.as_array().unwrap().len(), 0);
        let (_, assets) = app.get(&format!("/api/v1/cases/{case_id}/assets"), &app.judge).await;
        assert_eq!(assets[0]["kind"], "vehicle");
        let (_, nodes) = app.get("/api/v1/nodes?due_on_or_before=2026-03-10", &app.judge).await;
        assert_eq!(nodes.as_array().unwrap().len(), 1, "{nodes}");
        assert_eq!(nodes[0]["rule"], "REF-1");
        assert_eq!(nodes[0]["due_date"], "2026-03-05");
    }

    async fn only_assistants_judges_and_admins_register(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        for token in [&app.finance, &app.supervisor] {
            let (status, body) = app.post("/api/v1/cases", token, &case_body("(2026)鲁0102执7号", "2026-02-02")).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
            assert_eq!(body["error"]["code"], "role_not_allowed");
        }
        for (index, token) in [&app.judge, &app.admin].into_iter().enumerate() {
            let (status, body) = app.post("/api/v1/cases", token, &case_body(&format!("(2026)鲁0102执7{index}号"), "2026-02-02")).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        assert_eq!(app.count("cases").await, 2);
    }

    async fn a_case_number_is_registered_once_per_court(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        register_case(app, "(2026)鲁0102执8号", "2026-02-02").await;
        let (status, body) = app.post("/api/v1/cases", &app.assistant, &case_body("(2026)鲁0102执8号", "2026-02-02")).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "case_number_taken");
        // Another court may use the same text: case numbers are unique within a court.
        let (status, _) = app.post("/api/v1/cases", &app.other_court_assistant, &case_body("(2026)鲁0102执8号", "2026-02-02")).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(app.count("cases").await, 2);
    }
}
