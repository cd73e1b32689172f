//! Every class of bad input gets a 4xx whose code and message say what was wrong, and writes nothing but the
//! audit record of the refusal (SPEC §3.3). Never a 5xx.

use crate::harness::*;
use axum::http::StatusCode;
use serde_json::json;

/// The rows a refused command must not touch.
async fn state_counts(app: &TestApp) -> [i64; 5] {
    [
        app.count("cases").await,
        app.count("parties").await,
        app.count("assets").await,
        app.count("nodes").await,
        app.count("outbox").await,
    ]
}

/// Asserts the refusal's status and code, that nothing but one refused audit event was written, and returns
/// the message.
async fn assert_refused(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    status: StatusCode,
    code: &str,
) -> String {
    let before = state_counts(app).await;
    let audit_before = app.count("audit_events").await;
    let (got_status, got) = app.call(method, path, token, body).await;
    assert_eq!(got_status, status, "{method} {path}: {got}");
    assert_eq!(got["error"]["code"], code, "{got}");
    let message = got["error"]["message"].as_str().unwrap_or_default().to_string();
    assert!(!message.is_empty(), "a refusal says what was wrong");
    assert_eq!(state_counts(app).await, before, "a refused command changes nothing");
    assert_eq!(app.count("audit_events").await, audit_before + 1, "one audit record of the refusal");
    message
}

both_backends! {
    async fn malformed_json_is_refused_with_malformed_json(app: &TestApp) {
        let message = assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some("{\"case_number\": "), StatusCode::BAD_REQUEST, "malformed_json").await;
        assert!(message.contains("not valid JSON"), "{message}");
    }

    async fn unknown_fields_are_refused_with_unknown_field(app: &TestApp) {
        let mut body = case_body("(2026)鲁0102执1号", "2026-01-02");
        body["judge_override"] = json!(true);
        let message = assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "unknown_field").await;
        assert!(message.contains("judge_override"), "{message}");
    }

    async fn negative_money_is_refused_with_invalid_amount(app: &TestApp) {
        let mut body = case_body("(2026)鲁0102执1号", "2026-01-02");
        body["claim_amount"] = json!("-100.00");
        let message = assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount").await;
        assert!(message.contains("negative"), "{message}");
    }

    async fn money_with_more_than_two_decimals_is_refused_with_invalid_amount(app: &TestApp) {
        let mut body = case_body("(2026)鲁0102执1号", "2026-01-02");
        body["claim_amount"] = json!("100.005");
        let message = assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount").await;
        assert!(message.contains("two decimals"), "{message}");
        body["claim_amount"] = json!(100.5);
        assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount").await;
    }

    async fn impossible_dates_are_refused_with_invalid_date(app: &TestApp) {
        let body = case_body("(2026)鲁0102执1号", "2026-02-30");
        let message = assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_date").await;
        assert!(message.contains("YYYY-MM-DD"), "{message}");
        let case_id = register_case(app, "(2026)鲁0102执2号", "2026-01-02").await;
        let asset = json!({ "kind": "movable", "description": "钢材", "seizure_date": "2026-13-01" });
        assert_refused(app, "POST", &format!("/api/v1/cases/{case_id}/assets"), Some(&app.assistant), Some(&asset.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_date").await;
        let asset = json!({ "kind": "movable", "description": "钢材", "seizure_date": "2026/01/03" });
        assert_refused(app, "POST", &format!("/api/v1/cases/{case_id}/assets"), Some(&app.assistant), Some(&asset.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_date").await;
    }

    async fn a_seizure_in_the_future_is_refused(app: &TestApp) {
        let case_id = register_case(app, "(2026)鲁0102执3号", "2026-01-02").await;
        // The clock says 2026-01-05.
        let asset = json!({ "kind": "movable", "description": "钢材", "seizure_date": "2026-01-06" });
        assert_refused(app, "POST", &format!("/api/v1/cases/{case_id}/assets"), Some(&app.assistant), Some(&asset.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "seizure_date_out_of_range").await;
    }

    async fn an_unknown_asset_kind_is_refused_naming_the_choices(app: &TestApp) {
        let case_id = register_case(app, "(2026)鲁0102执4号", "2026-01-02").await;
        let asset = json!({ "kind": "spaceship", "description": "x", "seizure_date": "2026-01-03" });
        let message = assert_refused(app, "POST", &format!("/api/v1/cases/{case_id}/assets"), Some(&app.assistant), Some(&asset.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert!(message.contains("real_estate"), "{message}");
    }

    async fn fund_1_an_applicant_without_a_confirmed_payout_account_is_refused(app: &TestApp) {
        let mut body = case_body("(2026)鲁0102执5号", "2026-01-02");
        body["applicants"][0]["payout_account"] = serde_json::Value::Null;
        assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "payout_account_unconfirmed").await;
        let (_, refused) = app.post("/api/v1/cases", &app.assistant, &body).await;
        assert_eq!(refused["error"]["rule"], "FUND-1");
    }

    async fn an_unknown_case_is_refused_with_case_not_found(app: &TestApp) {
        let asset = asset_body("movable", "2026-01-03");
        assert_refused(app, "POST", "/api/v1/cases/999/assets", Some(&app.assistant), Some(&asset.to_string()), StatusCode::NOT_FOUND, "case_not_found").await;
        let (status, body) = app.get("/api/v1/cases/999", &app.assistant).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], "case_not_found");
    }

    async fn another_courts_case_is_not_found_from_this_court(app: &TestApp) {
        let case_id = register_case(app, "(2026)鲁0102执6号", "2026-01-02").await;
        let asset = asset_body("movable", "2026-01-03");
        assert_refused(app, "POST", &format!("/api/v1/cases/{case_id}/assets"), Some(&app.other_court_assistant), Some(&asset.to_string()), StatusCode::NOT_FOUND, "case_not_found").await;
        let (status, _) = app.get(&format!("/api/v1/cases/{case_id}"), &app.other_court_assistant).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn a_missing_token_is_refused_with_missing_token(app: &TestApp) {
        let body = case_body("(2026)鲁0102执7号", "2026-01-02").to_string();
        assert_refused(app, "POST", "/api/v1/cases", None, Some(&body), StatusCode::UNAUTHORIZED, "missing_token").await;
    }

    async fn a_wrong_token_is_refused_with_invalid_token(app: &TestApp) {
        let body = case_body("(2026)鲁0102执7号", "2026-01-02").to_string();
        assert_refused(app, "POST", "/api/v1/cases", Some("chz_not_a_real_token"), Some(&body), StatusCode::UNAUTHORIZED, "invalid_token").await;
    }

    async fn malformed_ids_and_queries_are_4xx_not_5xx(app: &TestApp) {
        let (status, body) = app.get("/api/v1/cases/abc", &app.assistant).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["code"], "invalid_path");
        let (status, body) = app.get("/api/v1/nodes?status=sleeping", &app.assistant).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "invalid_query");
        let (status, body) = app.get("/api/v1/nodes?due_on_or_before=2026-02-30", &app.assistant).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = app.get("/api/v1/nodes?limit=100000", &app.assistant).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = app.get("/api/v1/cases/-4", &app.assistant).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = app.call("GET", "/api/v1/nowhere", Some(&app.assistant), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = app.call("POST", "/api/v1/cases", Some(&app.assistant), None).await;
        assert!(status.is_client_error(), "{status} {body}");
    }

    async fn control_characters_in_text_are_refused_on_both_backends(app: &TestApp) {
        let mut body = case_body("(2026)鲁0102执9号", "2026-01-02");
        body["debtors"][0]["name"] = json!("刘\u{0}某");
        let message = assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert!(message.contains("control characters"), "{message}");
        let mut body = case_body("(2026)鲁0102执9号", "2026-01-02");
        body["debtors"][0]["identity_number"] = json!("37010\u{0}19800101");
        assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    }

    async fn out_of_range_and_loosely_written_dates_are_refused(app: &TestApp) {
        for date in ["-5000-01-01", "-262143-01-05", "0000-01-01", "1899-12-31", "2026-2-2", "+002026-01-02"] {
            let body = case_body("(2026)鲁0102执10号", date);
            assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_date").await;
        }
        let mut body = case_body("(2026)鲁0102执10号", "2026-01-02");
        body["filing_date"] = json!(20260102);
        assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_date").await;
    }

    async fn wrong_types_and_missing_fields_are_invalid_fields(app: &TestApp) {
        let mut body = case_body("(2026)鲁0102执11号", "2026-01-02");
        body["debtors"] = json!("刘某");
        assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        let mut body = case_body("(2026)鲁0102执11号", "2026-01-02");
        body.as_object_mut().unwrap().remove("case_number");
        let message = assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert!(message.contains("case_number"), "{message}");
        let case_id = register_case(app, "(2026)鲁0102执12号", "2026-01-02").await;
        // An enum value that happens to read like another error is still just an invalid field.
        let asset = json!({ "kind": "unknown field `x`", "description": "x", "seizure_date": "2026-01-03" });
        assert_refused(app, "POST", &format!("/api/v1/cases/{case_id}/assets"), Some(&app.assistant), Some(&asset.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        let mut body = case_body("(2026)鲁0102执13号", "2026-01-02");
        body["claim_amount"] = json!("12.0000000000000000000000000001");
        assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), Some(&body.to_string()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount").await;
    }

    async fn a_body_less_post_and_a_wrong_method_are_refused_in_the_envelope(app: &TestApp) {
        assert_refused(app, "POST", "/api/v1/cases", Some(&app.assistant), None, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
        let before = state_counts(app).await;
        let (status, body) = app.call("DELETE", "/api/v1/cases", Some(&app.assistant), None).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(body["error"]["code"], "method_not_allowed");
        assert_eq!(state_counts(app).await, before);
    }

    async fn refused_reads_are_answered_but_not_audited(app: &TestApp) {
        let audit = app.count("audit_events").await;
        let (status, _) = app.call("GET", "/api/v1/nodes", Some("chz_wrong"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = app.call("GET", "/api/v1/nodes", None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.count("audit_events").await, audit);
    }
}
