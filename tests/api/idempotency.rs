//! `Idempotency-Key` (SPEC §3.6): nothing twice, and the first answer again.

use crate::harness::*;
use axum::http::StatusCode;

async fn post_with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &serde_json::Value,
) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    app.call_with_headers(
        "POST",
        "/api/v1/cases",
        Some(token),
        Some(&body.to_string()),
        &[("idempotency-key", key)],
    )
    .await
}

both_backends! {
    async fn a_retried_request_with_the_same_key_gets_the_first_answer_and_changes_nothing(app: &TestApp) {
        let body = case_body("(2026)鲁0102执1号", "2026-01-02");
        let (status, headers, first) = post_with_key(app, &app.assistant, "7f8c1c2e-key-1", &body).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert!(headers.get("idempotent-replayed").is_none());
        let audit = app.count("audit_events").await;
        let (status, headers, again) = post_with_key(app, &app.assistant, "7f8c1c2e-key-1", &body).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(headers.get("idempotent-replayed").unwrap(), "true");
        assert_eq!(again, first);
        assert_eq!(app.count("cases").await, 1);
        assert_eq!(app.count("audit_events").await, audit, "a replay writes nothing");
    }

    async fn the_same_key_for_a_different_request_is_refused(app: &TestApp) {
        post_with_key(app, &app.assistant, "key-2", &case_body("(2026)鲁0102执2号", "2026-01-02")).await;
        let (status, _, refused) = post_with_key(app, &app.assistant, "key-2", &case_body("(2026)鲁0102执3号", "2026-01-02")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "idempotency_key_reused");
        assert_eq!(app.count("cases").await, 1);
    }

    async fn keys_belong_to_their_user(app: &TestApp) {
        post_with_key(app, &app.assistant, "shared-key", &case_body("(2026)鲁0102执4号", "2026-01-02")).await;
        let (status, _, created) = post_with_key(app, &app.judge, "shared-key", &case_body("(2026)鲁0102执5号", "2026-01-02")).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(app.count("cases").await, 2);
    }

    async fn a_refused_request_does_not_use_up_its_key(app: &TestApp) {
        let mut body = case_body("(2026)鲁0102执6号", "2026-01-02");
        body["claim_amount"] = serde_json::json!("-1.00");
        let (status, _, _) = post_with_key(app, &app.assistant, "key-6", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _, created) = post_with_key(app, &app.assistant, "key-6", &case_body("(2026)鲁0102执6号", "2026-01-02")).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
    }

    async fn a_malformed_key_is_refused(app: &TestApp) {
        let long = "k".repeat(201);
        let (status, _, refused) = post_with_key(app, &app.assistant, &long, &case_body("(2026)鲁0102执7号", "2026-01-02")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(refused["error"]["code"], "idempotency_key_invalid");
        assert_eq!(app.count("cases").await, 0);
    }

    async fn a_change_committed_without_its_answer_is_not_applied_again(app: &TestApp) {
        let body = case_body("(2026)鲁0102执8号", "2026-01-02");
        post_with_key(app, &app.assistant, "key-8", &body).await;
        // As if the process had stopped between the commit and storing the answer.
        app.execute("update idempotency_keys set status_code = null, response_body = null").await;
        let (status, _, refused) = post_with_key(app, &app.assistant, "key-8", &body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{refused}");
        assert_eq!(refused["error"]["code"], "idempotent_request_unanswered");
        assert_eq!(app.count("cases").await, 1);
    }
}
