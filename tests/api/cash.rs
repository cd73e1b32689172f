//! Cash receipts through the API (FUND-2): two officers, a receipt number recorded once, the handover on the return
//! day or — explained — the next (rolled past rest days), a later handover recorded as a breach that alerts the
//! supervisors; the cash credited to the case in transit until the statement shows finance's deposit, whichever of
//! the deposit's record and the statement comes first; after each step the books checked by independent queries.

use crate::harness::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

fn receipt(number: &str, amount: &str, returned_on: &str, handed_over_on: &str, explanation: Option<&str>) -> Value {
    let mut body = json!({
        "receipt_number": number,
        "amount": amount,
        "officers": ["执行员王五", "执行员赵六"],
        "payer": "钱某",
        "collected_on": returned_on,
        "returned_on": returned_on,
        "handed_over_on": handed_over_on,
    });
    if let Some(explanation) = explanation {
        body["explanation"] = json!(explanation);
    }
    body
}

async fn collection_account(app: &TestApp, case_id: i64) -> String {
    let (status, case) = app.get(&format!("/api/v1/cases/{case_id}"), &app.assistant).await;
    assert_eq!(status, StatusCode::OK, "{case}");
    case["collection_account"].as_str().unwrap().to_string()
}

async fn record(app: &TestApp, case_id: i64, body: &Value) -> Value {
    let (status, view) = app
        .post(&format!("/api/v1/cases/{case_id}/cash-receipts"), &app.assistant, body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    view
}

async fn deposit(app: &TestApp, receipt_id: i64, reference: &str, on: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/cash-receipts/{receipt_id}/deposit"),
        &app.finance,
        &json!({ "bank_reference": reference, "deposited_on": on }),
    )
    .await
}

/// The newest audit event of the test court.
async fn last_event(app: &TestApp) -> chuzhi::audit::StoredEvent {
    chuzhi::store::audit::recent_for_court(app.db(), 1, 1).await.unwrap().remove(0)
}

both_backends! {
    async fn fund_2_cash_needs_two_officers_and_stays_in_transit_until_the_statement_shows_the_deposit(app: &TestApp) {
        app.set_now("2026-01-09T10:00:00+08:00");
        let case_id = register_case(app, "（2026）鲁0102执7号", "2026-01-02").await;
        let path = format!("/api/v1/cases/{case_id}/cash-receipts");

        // FUND-2: one officer is refused, and so are two names for one person; nothing is posted, the refusal is audited.
        let entries = app.count("ledger_entries").await;
        let audit = app.count("audit_events").await;
        let mut alone = receipt("XJ-0001", "12800.50", "2026-01-08", "2026-01-08", None);
        alone["officers"] = json!(["执行员王五", " 执行员王五 "]);
        let (status, refused) = app.post(&path, &app.assistant, &alone).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "cash_officers_too_few");
        assert_eq!(refused["error"]["rule"], "FUND-2");
        assert_eq!(app.count("ledger_entries").await, entries);
        assert_eq!(app.count("cash_receipts").await, 0);
        assert_eq!(app.count("audit_events").await, audit + 1);
        // Finance does not record the cash it receives; it records the deposit.
        let body = receipt("XJ-0001", "12800.50", "2026-01-08", "2026-01-08", None);
        let (status, refused) = app.post(&path, &app.finance, &body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert_eq!(refused["error"]["rule"], "FUND-2");

        // Handed to finance on the return day, Thursday 2026-01-08; the limit would have been Friday 01-09.
        let view = record(app, case_id, &body).await;
        let receipt_id = view["id"].as_i64().unwrap();
        assert_eq!(view["handover_timing"], "same_day");
        assert_eq!(view["handover_due_on"], "2026-01-09");
        assert_eq!(view["fund_2_breached"], false);
        assert_eq!(view["stage"], "awaiting_deposit");
        assert_eq!(view["officers"], json!(["执行员王五", "执行员赵六"]));
        assert_eq!(balance_of(app, &format!("case:{case_id}:held")).await, "12800.50");
        assert_eq!(balance_of(app, "in_transit").await, "12800.50");
        assert_eq!(balance_of(app, &format!("bank:{STATEMENT_BANK}")).await, "0.00");
        let (_, node) = app.get(&format!("/api/v1/nodes/{}", view["node_id"]), &app.assistant).await;
        assert_eq!(node["rule"], "FUND-2");
        assert_eq!(node["status"], "met");
        assert_eq!(node["due_date"], "2026-01-09");

        // The same receipt again is the same record (nothing posted twice); the same number with other facts is refused.
        let (status, again) = app.post(&path, &app.assistant, &body).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["id"], receipt_id);
        assert_eq!(app.count("ledger_entries").await, entries + 1);
        let (status, refused) = app.post(&path, &app.judge, &receipt("XJ-0001", "12800.00", "2026-01-08", "2026-01-08", None)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{refused}");
        assert_eq!(refused["error"]["code"], "cash_receipt_number_taken");
        assert_eq!(refused["error"]["rule"], "FUND-2");

        // Finance deposits it on Friday and names the bank's reference; the statement line with it clears the transit.
        let (status, refused) = app
            .post(&format!("/api/v1/cash-receipts/{receipt_id}/deposit"), &app.judge, &json!({ "bank_reference": "BOC0109CASH01", "deposited_on": "2026-01-09" }))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        let (status, refused) = deposit(app, receipt_id, "BOC0109CASH01", "2026-01-07").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "date_before_previous_step", "deposited before finance had it");
        // A mistyped reference is corrected by recording the deposit again, until the statement line clears it.
        let (status, deposited) = deposit(app, receipt_id, "BOC0109CASH10", "2026-01-09").await;
        assert_eq!(status, StatusCode::OK, "{deposited}");
        assert_eq!(deposited["stage"], "deposited");
        let (status, deposited) = deposit(app, receipt_id, "BOC0109CASH01", "2026-01-09").await;
        assert_eq!(status, StatusCode::OK, "{deposited}");
        assert_eq!(deposited["deposit_reference"], "BOC0109CASH01");
        let account = collection_account(app, case_id).await;
        // Another receipt comes first on the statement: the cash is its second line.
        let report = import_mt940(
            app,
            &mt940_statement(
                "260109",
                "0,00",
                "12900,50",
                &[("100,00", "BOC0109OTHER", &format!("执行款 {account}")), ("12800,50", "BOC0109CASH01", &format!("现金缴存 {account}"))],
            ),
        )
        .await;
        assert_eq!(report["cash_deposits_cleared"], 1);
        assert_eq!(report["matched_by_collection_account"], 2);
        assert_eq!(balance_of(app, &format!("case:{case_id}:held")).await, "12900.50", "the cash credited once, not twice");
        assert_eq!(balance_of(app, "in_transit").await, "0.00");
        assert_eq!(balance_of(app, &format!("bank:{STATEMENT_BANK}")).await, "12900.50");
        let (status, list) = app.get(&path, &app.supervisor).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["stage"], "cleared");
        assert_eq!(list[0]["deposit_reference"], "BOC0109CASH01");
        assert_eq!(list[0]["cleared_on"], "2026-01-09");
        // The receipt names its own statement line and the entry that cleared it, not its neighbour's.
        let line = list[0]["statement_line_id"].as_i64().unwrap();
        let cleared_by = app
            .text(&format!(
                "select l.bank_reference || ' ' || e.source from cash_receipts r
                 join statement_lines l on l.id = r.statement_line_id join ledger_entries e on e.id = r.cleared_entry_id
                 where r.id = {receipt_id} and l.id = {line}"
            ))
            .await;
        assert_eq!(cleared_by, format!("BOC0109CASH01 statement:{STATEMENT_BANK}:BOC0109CASH01"));
        let (status, refused) = deposit(app, receipt_id, "BOC0109CASH02", "2026-01-09").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!((refused["error"]["code"].as_str(), refused["error"]["rule"].as_str()), (Some("out_of_order"), Some("FUND-2")));
        assert_ledger_consistent(app).await;

        // The day's reconciliation: the statement and the ledger's bank account agree to the fen.
        let (status, reconciliation) = app
            .get(&format!("/api/v1/reconciliation?bank_account={STATEMENT_BANK}&day=2026-01-09"), &app.finance)
            .await;
        assert_eq!(status, StatusCode::OK, "{reconciliation}");
        assert_eq!(reconciliation["ledger_balance"], "12900.50", "{reconciliation}");
        assert_eq!(reconciliation["difference"], "0.00", "{reconciliation}");
        assert_eq!(reconciliation["ok"], true, "{reconciliation}");
    }
}

both_backends! {
    async fn fund_2_a_deposit_line_imported_before_finance_named_it_is_not_counted_twice(app: &TestApp) {
        app.set_now("2026-01-09T10:00:00+08:00");
        let case_id = register_case(app, "（2026）鲁0102执8号", "2026-01-02").await;
        let account = collection_account(app, case_id).await;
        let first = record(app, case_id, &receipt("XJ-0002", "5000.00", "2026-01-08", "2026-01-08", None)).await;
        let second = record(app, case_id, &receipt("XJ-0003", "700.00", "2026-01-08", "2026-01-08", None)).await;
        // The statement arrives first: its lines are ordinary receipts of the case, so the case is credited twice.
        import_mt940(app, &mt940_statement("260109", "0,00", "5699,99", &[
            ("5000,00", "BOC0109CASH11", &account),
            ("699,99", "BOC0109CASH12", &account),
        ]))
        .await;
        assert_eq!(balance_of(app, &format!("case:{case_id}:held")).await, "11399.99");
        assert_eq!(balance_of(app, "in_transit").await, "5700.00");

        // Finance names the first line: it is this cash, so the second credit is taken back and the transit cleared.
        let (status, cleared) = deposit(app, first["id"].as_i64().unwrap(), "BOC0109CASH11", "2026-01-09").await;
        assert_eq!(status, StatusCode::OK, "{cleared}");
        assert_eq!(cleared["stage"], "cleared");
        assert_eq!(balance_of(app, &format!("case:{case_id}:held")).await, "6399.99");
        assert_eq!(balance_of(app, "in_transit").await, "700.00");
        assert_eq!(balance_of(app, &format!("bank:{STATEMENT_BANK}")).await, "5699.99");

        // The second line is 699.99, not the 700.00 collected: refused, nothing changes.
        let entries = app.count("ledger_entries").await;
        let second_id = second["id"].as_i64().unwrap();
        let (status, refused) = deposit(app, second_id, "BOC0109CASH12", "2026-01-09").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "cash_deposit_line_mismatch");
        assert_eq!(refused["error"]["rule"], "FUND-2");
        assert_eq!(refused["error"]["details"]["amount"], "699.99");
        // A reference already given for another receipt is refused too.
        let (status, refused) = deposit(app, second_id, "BOC0109CASH11", "2026-01-09").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "cash_deposit_reference_taken");
        assert_eq!(app.count("ledger_entries").await, entries);
        let (_, list) = app.get(&format!("/api/v1/cases/{case_id}/cash-receipts"), &app.assistant).await;
        assert_eq!(list[1]["stage"], "awaiting_deposit");
        assert_ledger_consistent(app).await;

        // A deposit named first whose line then shows another amount is not cleared: the import says so, and the
        // cash stays visibly in transit.
        let third = record(app, case_id, &receipt("XJ-0004", "300.00", "2026-01-08", "2026-01-08", None)).await;
        let (status, _) = deposit(app, third["id"].as_i64().unwrap(), "BOC0109CASH13", "2026-01-09").await;
        assert_eq!(status, StatusCode::OK);
        let report = import_mt940(app, &mt940_statement("260109", "5699,99", "5999,98", &[("299,99", "BOC0109CASH13", &account)])).await;
        assert_eq!(report["cash_deposits_mismatched"], 1, "{report}");
        assert_eq!(report["cash_deposits_cleared"], 0, "{report}");
        assert_eq!(balance_of(app, "in_transit").await, "1000.00");
        let (_, list) = app.get(&format!("/api/v1/cases/{case_id}/cash-receipts"), &app.assistant).await;
        assert_eq!(list[2]["stage"], "deposited");
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_2_a_handover_after_the_next_day_is_recorded_with_its_explanation_and_alerts_the_supervisors_across_national_day_2025(app: &TestApp) {
        app.set_now("2025-10-10T11:00:00+08:00");
        let case_id = register_case(app, "（2025）鲁0102执99号", "2025-09-01").await;
        // Back at court on Tuesday 2025-09-30: "the next day" is inside the National Day break (HOL-2025), so PER-1
        // moves the limit to Thursday 2025-10-09. A handover then needs an explanation.
        let (status, refused) = app
            .post(&format!("/api/v1/cases/{case_id}/cash-receipts"), &app.assistant, &receipt("XJ-0100", "3000.00", "2025-09-30", "2025-10-09", None))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "cash_handover_explanation_missing");
        assert_eq!(refused["error"]["rule"], "FUND-2");
        assert!(refused["error"]["message"].as_str().unwrap().contains("2025-10-09"), "{refused}");
        let (status, refused) = app
            .post(&format!("/api/v1/cases/{case_id}/cash-receipts"), &app.assistant, &receipt("XJ-0100", "3000.00", "2025-09-30", "2025-09-29", None))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "cash_handed_over_before_return");
        let mut backwards = receipt("XJ-0100", "3000.00", "2025-09-30", "2025-09-30", None);
        backwards["collected_on"] = json!("2025-10-01");
        let (status, refused) = app.post(&format!("/api/v1/cases/{case_id}/cash-receipts"), &app.assistant, &backwards).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "cash_returned_before_collected");

        let next_day = record(app, case_id, &receipt("XJ-0100", "3000.00", "2025-09-30", "2025-10-09", Some("国庆假期财务部门闭门，节后首个工作日移交"))).await;
        assert_eq!(next_day["handover_timing"], "next_day");
        assert_eq!(next_day["handover_due_on"], "2025-10-09");
        assert_eq!(next_day["fund_2_breached"], false);
        assert_eq!(app.count("alerts").await, 0);
        assert_eq!(last_event(app).await.reason.as_deref(), Some("国庆假期财务部门闭门，节后首个工作日移交"));

        // Friday 2025-10-10 is a day late: recorded — the money exists — but flagged as a FUND-2 breach.
        let late = record(app, case_id, &receipt("XJ-0101", "450.25", "2025-09-30", "2025-10-10", Some("承办人外出未及时移交"))).await;
        assert_eq!(late["handover_timing"], "late");
        assert_eq!(late["fund_2_breached"], true);
        assert_eq!(balance_of(app, &format!("case:{case_id}:held")).await, "3450.25");
        let event = last_event(app).await;
        assert_eq!(event.action, "cash.record_receipt");
        assert_eq!(event.outcome, "ok");
        assert_eq!(event.rule_id.as_deref(), Some("FUND-2"));
        assert_eq!(event.code.as_deref(), Some("cash_handover_late"));
        assert_eq!(event.reason.as_deref(), Some("承办人外出未及时移交"));
        // The supervisors see it where they see every escalation: an overdue alert and its outbox message.
        let (status, alerts) = app.get("/api/v1/alerts?kind=overdue", &app.supervisor).await;
        assert_eq!(status, StatusCode::OK, "{alerts}");
        let alerts = alerts.as_array().unwrap();
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0]["rule"], "FUND-2");
        assert_eq!(alerts[0]["audience"], "supervisors");
        assert_eq!(alerts[0]["due_date"], "2025-10-09");
        assert_eq!(alerts[0]["case_id"], case_id);
        assert_eq!(alerts[0]["node_id"], late["node_id"]);
        let messages = outbox(app, "alert.overdue").await;
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].1["rule"], "FUND-2");
        assert_eq!(messages[0].1["audience"], "supervisors");
        // The handover node is met (the cash did reach finance): the sweep raises nothing more about it.
        let (_, node) = app.get(&format!("/api/v1/nodes/{}", late["node_id"]), &app.assistant).await;
        assert_eq!(node["status"], "met");
        let report = app.engine.sweep(at("2025-10-13T09:00:00+08:00"), 100).await.unwrap();
        assert_eq!(report.alerts_raised(), 0);
        assert_eq!(app.count("alerts").await, 1);
        assert_ledger_consistent(app).await;
    }
}
