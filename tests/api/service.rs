//! The service around the API: health, the OpenAPI document, identity.

use crate::harness::*;
use axum::http::StatusCode;

both_backends! {
    async fn healthz_answers_ok_with_the_backend(app: &TestApp) {
        let (status, body) = app.call("GET", "/healthz", None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ok");
    }

    async fn the_openapi_document_describes_every_route(app: &TestApp) {
        let (status, document) = app.call("GET", "/api/openapi.json", None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(document["openapi"].as_str().unwrap().starts_with("3."));
        for path in ["/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/assets", "/api/v1/assets/{asset_id}", "/api/v1/nodes", "/api/v1/nodes/{node_id}", "/api/v1/alerts", "/api/v1/sweeps", "/api/v1/me"] {
            assert!(document["paths"][path].is_object(), "{path} missing from the OpenAPI document");
        }
        assert!(document["components"]["schemas"]["NewCase"].is_object());
        assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    }

    async fn a_token_carries_user_court_and_role(app: &TestApp) {
        let (status, me) = app.get("/api/v1/me", &app.judge).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["role"], "judge");
        assert_eq!(me["court_code"], COURT_CODE);
        assert_eq!(me["user"], "judge-user");
    }

    async fn only_supervisors_and_admins_sweep_by_hand(app: &TestApp) {
        let (status, body) = app.call("POST", "/api/v1/sweeps", Some(&app.assistant), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "role_not_allowed");
        let (status, body) = app.call("POST", "/api/v1/sweeps", Some(&app.supervisor), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}
