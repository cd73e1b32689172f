//! The hash-chained audit log (SPEC §3.4): every change and every refusal, tamper-evident.

use crate::harness::*;
use chuzhi::audit::Verification;

both_backends! {
    async fn every_change_and_refusal_is_an_audit_event_and_the_chain_verifies(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let before = app.count("audit_events").await;
        let case_id = register_case(app, "(2026)鲁0102执1号", "2026-02-02").await;
        register_asset(app, case_id, "movable", "2026-02-03").await;
        let (status, _) = app.post("/api/v1/cases", &app.finance, &case_body("(2026)鲁0102执2号", "2026-02-02")).await;
        assert_eq!(status.as_u16(), 403);
        assert_eq!(app.count("audit_events").await, before + 3);
        let events = chuzhi::store::audit::recent_for_court(app.db(), app.engine.authenticate(&app.judge).await.unwrap().court_id, 3).await.unwrap();
        assert_eq!(events[0].outcome, "refused");
        assert_eq!(events[0].code.as_deref(), Some("role_not_allowed"));
        assert_eq!(events[0].actor_role, "finance");
        assert_eq!(events[1].action, "register_asset");
        assert_eq!(events[2].action, "register_case");
        assert_eq!(events[2].actor_user, "assistant-user");
        assert!(matches!(app.engine.verify_audit().await.unwrap(), Verification::Intact { .. }));
    }

    async fn audit_verify_names_the_first_tampered_event(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let case_id = register_case(app, "(2026)鲁0102执3号", "2026-02-02").await;
        register_asset(app, case_id, "movable", "2026-02-03").await;
        let Verification::Intact { events } = app.engine.verify_audit().await.unwrap() else { panic!("intact before tampering") };
        assert!(events >= 10);
        // Someone edits the payload of event 9 behind the application's back.
        app.execute("update audit_events set payload = '{\"claim_amount\":\"1.00\"}' where seq = 9").await;
        match app.engine.verify_audit().await.unwrap() {
            Verification::Broken { seq, problem } => {
                assert_eq!(seq, 9);
                assert!(problem.contains("changed"), "{problem}");
            }
            other => panic!("tampering not detected: {other:?}"),
        }
    }

    async fn audit_verify_detects_a_deleted_event(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        register_case(app, "(2026)鲁0102执4号", "2026-02-02").await;
        app.execute("delete from audit_events where seq = 4").await;
        assert!(matches!(app.engine.verify_audit().await.unwrap(), Verification::Broken { seq: 4, .. }));
    }

    async fn audit_verify_detects_a_truncated_tail(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        register_case(app, "(2026)鲁0102执5号", "2026-02-02").await;
        let last = chuzhi::store::audit::head(app.db()).await.unwrap().0;
        app.execute(&format!("delete from audit_events where seq = {last}")).await;
        assert!(matches!(app.engine.verify_audit().await.unwrap(), Verification::Broken { seq, .. } if seq == last));
    }

    async fn audit_verify_gives_no_false_alarm_while_the_service_writes(app: &TestApp) {
        app.set_now("2026-03-02T10:00:00+08:00");
        let mut writes = Vec::new();
        for index in 0..30 {
            let engine = app.engine.clone();
            let token = app.assistant.clone();
            writes.push(tokio::spawn(async move {
                let principal = engine.authenticate(&token).await.unwrap();
                let refusal = chuzhi::error::Refusal::new(chuzhi::error::Code::InvalidField, format!("probe {index}"));
                engine.record_refusal(&principal.actor(), "probe", "probe", &refusal).await.unwrap();
            }));
        }
        for _ in 0..30 {
            assert!(matches!(app.engine.verify_audit().await.unwrap(), Verification::Intact { .. }));
        }
        for write in writes {
            write.await.unwrap();
        }
        assert!(matches!(app.engine.verify_audit().await.unwrap(), Verification::Intact { .. }));
    }
}
