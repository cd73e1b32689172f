//! Payouts, distribution, reconciliation and the application fee through the API (FUND-2, FUND-4…FUND-12, SPEC §4):
//! deadlines on the legal calendar, the confirmed payee, the approval chain in order, bounces, two payouts of the same
//! funds, plans whose shares add up, reconciliation files, and after each the books checked by independent queries.

use crate::harness::*;
use axum::http::StatusCode;
use chuzhi::engine::payouts::PayoutAction;
use chuzhi::ledger::ApprovalRole;
use chuzhi::money::Money;
use serde_json::{json, Value};

const BANK: &str = STATEMENT_BANK;
const MT940: &str = include_str!("../../fixtures/statements/sample.mt940");
const APPLICANT: &str = "济南农村商业银行股份有限公司";

/// An MT940 statement of the court's account for one day (`yymmdd`), with credits paid to collection accounts.
fn statement(day: &str, opening: &str, closing: &str, credits: &[(&str, &str, &str)]) -> String {
    let remittances: Vec<String> = credits.iter().map(|(_, _, account)| format!("执行款 {account}")).collect();
    let credits: Vec<(&str, &str, &str)> = credits
        .iter()
        .zip(&remittances)
        .map(|((amount, reference, _), remittance)| (*amount, *reference, remittance.as_str()))
        .collect();
    mt940_statement(day, opening, closing, &credits)
}

async fn collection_account(app: &TestApp, case_id: i64) -> String {
    let (status, case) = app.get(&format!("/api/v1/cases/{case_id}"), &app.assistant).await;
    assert_eq!(status, StatusCode::OK, "{case}");
    case["collection_account"].as_str().unwrap().to_string()
}

/// The three cases the sample statement pays: 12345.67 to the first, 1,000,000.00 to the second, 500.00 to the third.
async fn funded_cases(app: &TestApp) -> [i64; 3] {
    app.set_now("2026-01-09T10:00:00+08:00");
    let cases = [
        register_case(app, "（2026）鲁0102执1号", "2026-01-02").await,
        register_case(app, "(2026)鲁0102执2号", "2026-01-02").await,
        register_case(app, "（2026）鲁0102执恢3号", "2026-01-02").await,
    ];
    import_mt940(app, MT940).await;
    cases
}

async fn request(app: &TestApp, body: &Value) -> i64 {
    let (status, payout) = app.post("/api/v1/payouts", &app.assistant, body).await;
    assert_eq!(status, StatusCode::CREATED, "{payout}");
    payout["id"].as_i64().unwrap()
}

async fn command(app: &TestApp, token: &str, payout: i64, body: Value) -> (StatusCode, Value) {
    app.post(&format!("/api/v1/payouts/{payout}/commands"), token, &body).await
}

async fn approve(app: &TestApp, token: &str, payout: i64, role: &str) -> Value {
    let (status, body) = command(app, token, payout, json!({ "command": "approve", "role": role })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The default matrix up to ¥100,000 (FUND-8): case officer, fund manager, bureau head.
async fn approve_up_to_bureau_head(app: &TestApp, payout: i64) -> Value {
    approve(app, &app.judge, payout, "case_officer").await;
    approve(app, &app.finance, payout, "fund_manager").await;
    approve(app, &app.supervisor, payout, "bureau_head").await
}

/// A payout of 12,345.67 from `case_id`, approved, notified to finance and paid on 2026-01-09 (FUND-5, FUND-8).
async fn paid_payout(app: &TestApp, case_id: i64) -> i64 {
    let payout = request(app, &json!({ "case_id": case_id, "amount": "12345.67" })).await;
    approve_up_to_bureau_head(app, payout).await;
    for (token, step) in [
        (
            &app.assistant,
            json!({ "command": "send_finance_notice", "notified_on": "2026-01-09" }),
        ),
        (&app.finance, json!({ "command": "record_paid", "paid_on": "2026-01-09" })),
    ] {
        let (status, body) = command(app, token, payout, step).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    payout
}

async fn node(app: &TestApp, case_id: i64, key: &str) -> (String, String) {
    let (status, due) = chuzhi::store::payouts::case_node(app.db(), case_id, key)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no node {key}"));
    (status, due.to_string())
}

both_backends! {
    async fn fund_5_notice_within_10_and_payment_within_5_working_days_across_national_day_2025(app: &TestApp) {
        app.set_now("2025-09-26T10:00:00+08:00");
        let case_id = register_case(app, "（2025）鲁0102执88号", "2025-09-01").await;
        let account = collection_account(app, case_id).await;
        import_mt940(app, &statement("250926", "0,00", "50000,00", &[("50000,00", "BOC2025092600001", &account)])).await;
        let payout = request(app, &json!({ "case_id": case_id, "amount": "50000.00" })).await;

        // Funds arrived Friday 2025-09-26. Ten working days: Sun 28 Sep (a make-up working day), 29, 30 Sep, then
        // the holiday 1–8 Oct, then 9, 10, Sat 11 Oct (make-up), 13, 14, 15, 16 Oct (PER-6, HOL-2025).
        let key = format!("ledger.payout.finance_notice:{payout}");
        assert_eq!(node(app, case_id, &key).await, ("pending".to_string(), "2025-10-16".to_string()));
        let (_, view) = app.get(&format!("/api/v1/payouts/{payout}"), &app.assistant).await;
        assert_eq!(view["stage"], "approving");
        assert_eq!(view["state"]["stage"]["deadline"]["due_date"], "2025-10-16");
        assert_eq!(view["remaining_approvals"], json!(["case_officer", "fund_manager", "bureau_head"]));

        let approved = approve_up_to_bureau_head(app, payout).await;
        assert_eq!(approved["stage"], "approved");
        assert_eq!(balance_of(app, &format!("case:{case_id}:held")).await, "0.00");
        assert_eq!(balance_of(app, &format!("case:{case_id}:payable:{APPLICANT}")).await, "50000.00");

        // Notice on Tuesday 30 Sep: five working days are 9, 10, 11 (make-up), 13, 14 Oct.
        app.set_now("2025-09-30T16:00:00+08:00");
        let (status, noticed) = command(app, &app.assistant, payout, json!({ "command": "send_finance_notice", "notified_on": "2025-09-30" })).await;
        assert_eq!(status, StatusCode::OK, "{noticed}");
        assert_eq!(node(app, case_id, &key).await.0, "met");
        let payment = format!("ledger.payout.payment:{payout}");
        assert_eq!(node(app, case_id, &payment).await, ("pending".to_string(), "2025-10-14".to_string()));

        // Only finance records the payment.
        app.set_now("2025-10-14T11:00:00+08:00");
        let (status, refused) = command(app, &app.judge, payout, json!({ "command": "record_paid", "paid_on": "2025-10-14" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        let (status, paid) = command(app, &app.finance, payout, json!({ "command": "record_paid", "paid_on": "2025-10-14" })).await;
        assert_eq!(status, StatusCode::OK, "{paid}");
        assert_eq!(paid["stage"], "paid");
        assert_eq!(node(app, case_id, &payment).await.0, "met");
        assert_eq!(balance_of(app, &format!("case:{case_id}:payable:{APPLICANT}")).await, "0.00");
        assert_eq!(balance_of(app, &format!("bank:{BANK}")).await, "0.00");
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_8_a_payee_account_other_than_the_confirmed_one_is_refused_unless_the_panel_approved(app: &TestApp) {
        let [first, _, _] = funded_cases(app).await;
        let other_account = json!({ "bank": "某银行", "account_name": "济南农村商业银行股份有限公司", "account_number": "6222000000000000001" });
        let (status, refused) = app
            .post("/api/v1/payouts", &app.assistant, &json!({ "case_id": first, "amount": "100.00", "pay_to": other_account }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "payee_not_confirmed");
        assert_eq!(refused["error"]["rule"], "FUND-8");
        assert_eq!(app.count("payouts").await, 0, "a refused request leaves no payout");

        // A payee who is not the applicant has no confirmed account at all.
        let (status, refused) = app
            .post("/api/v1/payouts", &app.assistant, &json!({ "case_id": first, "amount": "100.00", "payee": "王五" }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "pay_to_missing");

        let panel = json!({ "decided_on": "2026-01-08", "reference": "（2026）鲁0102执1号合议庭评议笔录" });
        let body = json!({ "case_id": first, "amount": "100.00", "pay_to": other_account, "panel_approval": panel });
        let (status, allowed) = app.post("/api/v1/payouts", &app.assistant, &body).await;
        assert_eq!(status, StatusCode::CREATED, "{allowed}");
        assert_eq!(allowed["state"]["pay_to"]["account_number"], "6222000000000000001");

        // Finance and supervisors do not request payouts.
        let (status, _) = app.post("/api/v1/payouts", &app.finance, &json!({ "case_id": first, "amount": "1.00" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_8_a_refund_to_the_payer_goes_only_to_an_account_that_paid_into_the_case_and_no_more_than_it_paid(app: &TestApp) {
        app.set_now("2025-09-26T10:00:00+08:00");
        let case_id = register_case(app, "（2025）鲁0102执88号", "2025-09-01").await;
        let account = collection_account(app, case_id).await;
        // The statement's credits come from 张三's account 6222020200001234567 (see `mt940_statement`).
        // The second names no collection account and waits in suspense.
        let credits = [("500,00", "BOC2025092600001", account.as_str()), ("100,00", "BOC2025092600002", "货款")];
        import_mt940(app, &statement("250926", "0,00", "600,00", &credits)).await;
        let refund = |amount: &str, account_number: &str| {
            json!({ "case_id": case_id, "amount": amount, "purpose": "refund_to_payer", "payee": "张三",
                    "pay_to": { "bank": "中国银行", "account_name": "张三", "account_number": account_number } })
        };
        const PAYER: &str = "6222020200001234567";
        for (body, why) in [
            (refund("100.00", "6222000000000000009"), "an account that paid nothing into the case"),
            (refund("500.01", PAYER), "one fen more than the payer paid"),
        ] {
            let (status, refused) = app.post("/api/v1/payouts", &app.assistant, &body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {refused}");
            assert_eq!(refused["error"]["code"], "refund_beyond_payment", "{why}");
            assert_eq!(refused["error"]["rule"], "FUND-8", "{why}");
        }
        assert_eq!(app.count("payouts").await, 0, "a refused request leaves no payout");

        // No panel is needed to send the payer's money back (FUND-8), up to what it paid, less what is already asked.
        let first = request(app, &refund("300.00", PAYER)).await;
        let (status, refused) = app.post("/api/v1/payouts", &app.assistant, &refund("200.01", PAYER)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "refund_beyond_payment");
        let (status, withdrawn) = command(app, &app.judge, first, json!({ "command": "cancel", "reason": "退款金额有误" })).await;
        assert_eq!(status, StatusCode::OK, "{withdrawn}");
        let second = request(app, &refund("500.00", PAYER)).await;
        let (_, view) = app.get(&format!("/api/v1/payouts/{second}"), &app.assistant).await;
        assert_eq!(view["state"]["purpose"], "refund_to_payer");
        assert_eq!(view["state"]["pay_to"]["account_number"], PAYER);

        // What the payer paid and the case claimed from suspense (FUND-3) counts too, once claimed.
        let (status, refused) = app.post("/api/v1/payouts", &app.assistant, &refund("0.01", PAYER)).await;
        assert_eq!((status, refused["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("refund_beyond_payment")));
        let (_, suspense) = app.get("/api/v1/suspense", &app.finance).await;
        let item = suspense[0]["id"].as_i64().unwrap();
        let claim = json!({ "case_id": case_id, "reason": "张三确认为本案还款" });
        let (status, asked) = app.post(&format!("/api/v1/suspense/{item}/claim"), &app.finance, &claim).await;
        assert_eq!(status, StatusCode::OK, "{asked}");
        let (status, refused) = app.post("/api/v1/payouts", &app.assistant, &refund("0.01", PAYER)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a claim only asked for is not the case's money yet: {refused}");
        let (status, claimed) = app.post(&format!("/api/v1/suspense/{item}/approval"), &app.judge, &json!({ "reference": "审批-9" })).await;
        assert_eq!(status, StatusCode::OK, "{claimed}");
        let (status, refused) = app.post("/api/v1/payouts", &app.assistant, &refund("100.01", PAYER)).await;
        assert_eq!((status, refused["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("refund_beyond_payment")));
        request(app, &refund("100.00", PAYER)).await;
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_6_fund_7_a_delay_and_an_escrow_need_the_bureau_head_move_the_deadline_and_the_money(app: &TestApp) {
        let [first, _, _] = funded_cases(app).await;
        let payout = request(app, &json!({ "case_id": first, "amount": "12345.67" })).await;
        approve_up_to_bureau_head(app, payout).await;
        let notice = format!("ledger.payout.finance_notice:{payout}");
        assert_eq!(node(app, first, &notice).await.0, "pending");

        // FUND-6: a delay needs a ground and the bureau head's (or the vice-president's) approval.
        let delay = json!({ "command": "delay", "ground": { "ground": "case_stayed_or_suspended" }, "role": "bureau_head" });
        for token in [&app.assistant, &app.judge, &app.finance] {
            let (status, refused) = command(app, token, payout, delay.clone()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        }
        let (status, refused) = command(app, &app.supervisor, payout, json!({ "command": "delay", "ground": { "ground": "case_stayed_or_suspended" }, "role": "fund_manager" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a supervisor holds no fund manager's position: {refused}");
        assert_eq!(refused["error"]["code"], "role_not_allowed");
        let (status, delayed) = command(app, &app.supervisor, payout, delay).await;
        assert_eq!(status, StatusCode::OK, "{delayed}");
        assert_eq!(delayed["stage"], "delayed");
        assert_eq!(node(app, first, &notice).await.0, "cancelled", "a delay stops the running deadline");

        // Cleared on Tuesday 2026-01-20: the payout follows within 10 days, by Friday 01-30 (FUND-6, UNCONFIRMED 10).
        app.set_now("2026-01-20T10:00:00+08:00");
        let (status, cleared) = command(app, &app.assistant, payout, json!({ "command": "clear_delay", "cleared_on": "2026-01-20" })).await;
        assert_eq!(status, StatusCode::OK, "{cleared}");
        assert_eq!(cleared["stage"], "approved");
        assert_eq!(node(app, first, &format!("ledger.payout.after_delay:{payout}")).await, ("pending".to_string(), "2026-01-30".to_string()));

        // FUND-7: the applicant cannot be reached; with the bureau head's approval the money goes to a notary (提存):
        // it leaves the payee's payable account and the court's bank account to the fen.
        assert_eq!(balance_of(app, &format!("case:{first}:payable:{APPLICANT}")).await, "12345.67");
        let bank_before = balance_of(app, &format!("bank:{BANK}")).await;
        let escrow = json!({ "command": "escrow", "ground": "applicant_unreachable", "role": "bureau_head" });
        let (status, refused) = command(app, &app.finance, payout, escrow.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        let (status, escrowed) = command(app, &app.supervisor, payout, escrow).await;
        assert_eq!(status, StatusCode::OK, "{escrowed}");
        assert_eq!(escrowed["stage"], "escrowed");
        assert_eq!(balance_of(app, &format!("case:{first}:payable:{APPLICANT}")).await, "0.00");
        let bank_after = Money::parse(&balance_of(app, &format!("bank:{BANK}")).await).unwrap();
        assert_eq!(Money::parse(&bank_before).unwrap().fen() - bank_after.fen(), 1_234_567);
        let (status, refused) = command(app, &app.finance, payout, json!({ "command": "record_paid", "paid_on": "2026-01-21" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an escrowed payout is not paid again: {refused}");
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_12_an_objection_countered_and_sued_holds_the_disputed_amount_in_the_case_until_the_judgment(app: &TestApp) {
        let [_, second, _] = funded_cases(app).await;
        let claim = |claimant: &str, amount: &str, class: Value| json!({ "claimant": claimant, "amount": amount, "class": class, "filed_on": "2026-01-05" });
        let plan = json!({
            "ordinary_order": "pro_rata",
            "claims": [
                claim(APPLICANT, "700000.00", json!({ "class": "ordinary" })),
                claim("甲公司", "500000.00", json!({ "class": "ordinary" })),
                claim("乙", "333333.33", json!({ "class": "ordinary" })),
            ]
        });
        let path = format!("/api/v1/cases/{second}/distribution");
        let (status, drawn) = app.post(&path, &app.judge, &plan).await;
        assert_eq!(status, StatusCode::CREATED, "{drawn}");
        let commands = format!("{path}/commands");
        let step = |token: &'static str, body: Value| {
            let commands = commands.clone();
            async move {
                let token = match token {
                    "judge" => &app.judge,
                    _ => &app.assistant,
                };
                let (status, view) = app.post(&commands, token, &body).await;
                assert_eq!(status, StatusCode::OK, "{body}: {view}");
                view
            }
        };
        for party in [APPLICANT, "甲公司", "乙", "刘某某"] {
            step("assistant", json!({ "command": "record_service", "party": party, "received_on": "2026-01-09" })).await;
        }
        // 甲公司 objects to 50,000.00 of 乙's share within its 15 days.
        app.set_now("2026-01-20T10:00:00+08:00");
        step("assistant", json!({ "command": "file_objection", "objector": "甲公司", "filed_on": "2026-01-20",
            "disputed": [{ "claimant": "乙", "amount": "50000.00" }] })).await;
        app.set_now("2026-01-27T10:00:00+08:00");
        let closed = step("judge", json!({ "command": "close_objection_period" })).await;
        let share_of = |view: &Value, claimant: &str, field: &str| {
            view["payable_now"].as_array().unwrap().iter().find(|share| share["claimant"] == claimant).unwrap()[field]
                .as_str()
                .unwrap()
                .to_string()
        };
        // Item 22: the undisputed part is payable now; the disputed 50,000.00 is withheld.
        assert_eq!(share_of(&closed, "乙", "withheld"), "50000.00", "{closed}");
        let undisputed = Money::parse(&share_of(&closed, "乙", "payable")).unwrap();

        // Notified on 01-27, 乙 counter-objects; the objector, notified on 02-12, sues within 15 days.
        step("assistant", json!({ "command": "notify_objection", "objection": 1, "notified_on": "2026-01-27" })).await;
        assert_eq!(node(app, second, "ledger.plan.counter_objection:1").await, ("pending".to_string(), "2026-02-11".to_string()));
        app.set_now("2026-02-02T10:00:00+08:00");
        step("assistant", json!({ "command": "file_counter_objection", "objection": 1, "party": "乙", "filed_on": "2026-02-02" })).await;
        app.set_now("2026-02-12T10:00:00+08:00");
        step("judge", json!({ "command": "close_counter_period", "objection": 1 })).await;
        step("assistant", json!({ "command": "notify_objector", "objection": 1, "notified_on": "2026-02-12" })).await;
        let held_before = Money::parse(&balance_of(app, &format!("case:{second}:held")).await).unwrap();
        app.set_now("2026-02-13T10:00:00+08:00");
        step("assistant", json!({ "command": "record_suit", "objection": 1, "filed_on": "2026-02-13" })).await;
        // 民诉法解释 art 510 ¶3: while the suit is pending the disputed amount is held apart, to the fen.
        assert_eq!(balance_of(app, &format!("case:{second}:disputed")).await, "50000.00");
        let held = Money::parse(&balance_of(app, &format!("case:{second}:held")).await).unwrap();
        assert_eq!(held_before.fen() - held.fen(), 5_000_000);
        // 乙's undisputed part can still be paid; a fen of the disputed part cannot.
        let body = json!({ "case_id": second, "amount": undisputed.to_string(), "payee": "乙",
            "pay_to": { "bank": "某银行", "account_name": "乙", "account_number": "6222000000000000077" },
            "panel_approval": { "decided_on": "2026-02-12", "reference": "合议庭-分配-1" } });
        request(app, &body).await;
        let mut more = body.clone();
        more["amount"] = json!("0.01");
        let (status, refused) = app.post("/api/v1/payouts", &app.assistant, &more).await;
        assert_eq!((status, refused["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("payout_exceeds_payable_share")));
        assert_ledger_consistent(app).await;

        // The judgment keeps the plan: the disputed amount returns to the case's funds.
        app.set_now("2026-05-11T10:00:00+08:00");
        step("judge", json!({ "command": "record_judgment", "objection": 1, "revised": null })).await;
        assert_eq!(balance_of(app, &format!("case:{second}:disputed")).await, "0.00");
        assert_eq!(balance_of(app, &format!("case:{second}:held")).await, held_before.to_string());
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_8_approvals_out_of_order_are_refused_and_nobody_approves_twice(app: &TestApp) {
        let [_, second, _] = funded_cases(app).await;
        // Above ¥100,000 the default matrix adds the presiding vice-president.
        let payout = request(app, &json!({ "case_id": second, "amount": "200000.00" })).await;
        let (status, refused) = command(app, &app.finance, payout, json!({ "command": "approve", "role": "fund_manager" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "approval_out_of_order");
        assert_eq!(refused["error"]["rule"], "FUND-8");
        // A role may only act in the positions it holds.
        let (status, refused) = command(app, &app.finance, payout, json!({ "command": "approve", "role": "case_officer" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert_eq!(refused["error"]["code"], "role_not_allowed");

        approve_up_to_bureau_head(app, payout).await;
        let (status, refused) = command(app, &app.supervisor, payout, json!({ "command": "approve", "role": "vice_president" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "approver_already_approved");
        assert_eq!(balance_of(app, &format!("case:{second}:held")).await, "1000000.00", "nothing reserved before the last approval");

        let vice_president = app.engine.create_token(COURT_CODE, "副院长-李", chuzhi::auth::Role::Supervisor).await.unwrap();
        let approved = approve(app, &vice_president, payout, "vice_president").await;
        assert_eq!(approved["stage"], "approved");
        assert_eq!(balance_of(app, &format!("case:{second}:held")).await, "800000.00");
        let (status, refused) = command(app, &vice_president, payout, json!({ "command": "approve", "role": "vice_president" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "out_of_order");
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_8_a_bounced_payment_returns_the_money_to_held_and_alerts_staff(app: &TestApp) {
        let [first, _, _] = funded_cases(app).await;
        let payout = paid_payout(app, first).await;
        assert_eq!(balance_of(app, &format!("case:{first}:held")).await, "0.00");
        assert_eq!(balance_of(app, &format!("bank:{BANK}")).await, "1000888.00");

        let alerts = app.count("outbox where topic = 'ledger.notice'").await;
        app.set_now("2026-01-12T10:00:00+08:00");
        let bounce = json!({ "command": "record_bounce", "bounced_on": "2026-01-12", "reason": "户名不符" });
        let (status, bounced) = command(app, &app.finance, payout, bounce).await;
        assert_eq!(status, StatusCode::OK, "{bounced}");
        assert_eq!(bounced["stage"], "bounced");
        assert_eq!(balance_of(app, &format!("case:{first}:held")).await, "12345.67");
        assert_eq!(balance_of(app, &format!("bank:{BANK}")).await, "1013233.67");
        assert_eq!(app.count("outbox where topic = 'ledger.notice'").await, alerts + 1, "staff are alerted to check the account");
        assert_ledger_consistent(app).await;

        // The money is free again: a new payout of it can pass the whole chain.
        let again = request(app, &json!({ "case_id": first, "amount": "12345.67" })).await;
        assert_eq!(approve_up_to_bureau_head(app, again).await["stage"], "approved");
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_2_two_simultaneous_payouts_of_the_same_funds_let_exactly_one_through(app: &TestApp) {
        let [first, _, _] = funded_cases(app).await;
        let body = json!({ "case_id": first, "amount": "12345.67" });
        let one = request(app, &body).await;
        let two = request(app, &body).await;
        for payout in [one, two] {
            approve(app, &app.judge, payout, "case_officer").await;
            approve(app, &app.finance, payout, "fund_manager").await;
        }
        let supervisor = app.engine.authenticate(&app.supervisor).await.unwrap();
        let last = || PayoutAction::Approve { role: ApprovalRole::BureauHead };
        let (first_result, second_result) = tokio::join!(
            app.engine.payout_command(&supervisor, one, last()),
            app.engine.payout_command(&supervisor, two, last()),
        );
        let (passed, refused): (Vec<_>, Vec<_>) = [first_result, second_result].into_iter().partition(Result::is_ok);
        assert_eq!(passed.len(), 1, "exactly one payout of the same funds passes");
        let refusal = refused.into_iter().next().unwrap().unwrap_err();
        assert_eq!(refusal.code_str(), "case_balance_would_go_negative");
        assert_eq!(refusal.rule, Some("FUND-2"));
        assert_eq!(balance_of(app, &format!("case:{first}:held")).await, "0.00");
        assert_eq!(balance_of(app, &format!("case:{first}:payable:{APPLICANT}")).await, "12345.67");
        let stages: Vec<String> = app.engine.payouts(&supervisor, Some(first)).await.unwrap().into_iter().map(|view| view.stage).collect();
        assert!(stages.contains(&"approved".to_string()) && stages.contains(&"approving".to_string()), "{stages:?}");
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_9_fund_12_a_distribution_plan_adds_up_exactly_and_its_payable_shares_can_be_paid(app: &TestApp) {
        let [_, second, _] = funded_cases(app).await;
        let claim = |claimant: &str, amount: &str, class: Value| json!({ "claimant": claimant, "amount": amount, "class": class, "filed_on": "2026-01-05" });
        let plan = json!({
            "ordinary_order": "pro_rata",
            "claims": [
                claim("历下区人民法院（拍卖费用）", "10000.00", json!({ "class": "execution_cost" })),
                claim("某抵押权人", "300000.00", json!({ "class": "priority", "rank": 1 })),
                claim(APPLICANT, "700000.00", json!({ "class": "ordinary" })),
                claim("甲公司", "500000.00", json!({ "class": "ordinary" })),
                claim("乙", "333333.33", json!({ "class": "ordinary" })),
            ]
        });
        let path = format!("/api/v1/cases/{second}/distribution");
        let (status, _) = app.post(&path, &app.assistant, &plan).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "the plan is the judge's");
        let (status, drawn) = app.post(&path, &app.judge, &plan).await;
        assert_eq!(status, StatusCode::CREATED, "{drawn}");
        let shares = drawn["state"]["distribution"]["shares"].as_array().unwrap();
        let total: i64 = shares.iter().map(|share| Money::parse(share["amount"].as_str().unwrap()).unwrap().fen()).sum();
        assert_eq!(Money::from_fen(total).to_string(), "1000000.00", "the shares add up to the held funds exactly");
        assert!(drawn["payable_now"].as_array().unwrap().iter().all(|share| share["payable"] == "0.00"), "nothing is paid while serving");
        let (status, refused) = app.post(&path, &app.judge, &plan).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused["error"]["code"], "distribution_plan_exists");

        // Served on every creditor and the debtor on 9 January: 15 days end on Saturday 24 January, so objections
        // may come until Monday 26 January (FUND-12, PER-2).
        let commands = format!("{path}/commands");
        for party in ["某抵押权人", APPLICANT, "甲公司", "乙", "刘某某"] {
            let (status, body) = app
                .post(&commands, &app.assistant, &json!({ "command": "record_service", "party": party, "received_on": "2026-01-09" }))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        assert_eq!(node(app, second, "ledger.plan.objection:甲公司").await, ("pending".to_string(), "2026-01-26".to_string()));
        let (status, refused) = app.post(&commands, &app.judge, &json!({ "command": "close_objection_period" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "window_still_open");

        app.set_now("2026-01-27T10:00:00+08:00");
        let (status, closed) = app.post(&commands, &app.judge, &json!({ "command": "close_objection_period" })).await;
        assert_eq!(status, StatusCode::OK, "{closed}");
        assert_eq!(node(app, second, "ledger.plan.objection:甲公司").await.0, "met");
        let share = closed["payable_now"]
            .as_array()
            .unwrap()
            .iter()
            .find(|share| share["claimant"] == APPLICANT)
            .unwrap()["payable"]
            .as_str()
            .unwrap()
            .to_string();
        let share = Money::parse(&share).unwrap();
        assert!(share.fen() > 0);

        // The applicant's share is payable now; a cent more is refused.
        let payout = request(app, &json!({ "case_id": second, "amount": share.to_string() })).await;
        let (status, refused) = app.post("/api/v1/payouts", &app.assistant, &json!({ "case_id": second, "amount": "0.01" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "payout_exceeds_payable_share");
        assert_eq!(refused["error"]["rule"], "FUND-12");
        approve_up_to_bureau_head(app, payout).await;
        let vice_president = app.engine.create_token(COURT_CODE, "副院长-李", chuzhi::auth::Role::Supervisor).await.unwrap();
        approve(app, &vice_president, payout, "vice_president").await;
        let (status, carried) = app.post(&commands, &app.judge, &json!({ "command": "carry_out" })).await;
        assert_eq!(status, StatusCode::OK, "{carried}");
        assert_eq!(carried["stage"], "carried_out");
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_2_the_monthly_job_records_last_months_reconciliation_once_per_bank_account_and_tells_the_court(app: &TestApp) {
        app.set_now("2026-01-09T10:00:00+08:00");
        let case_id = register_case(app, "（2026）鲁0102执5号", "2026-01-02").await;
        let account = collection_account(app, case_id).await;
        import_mt940(app, &statement("260109", "0,00", "12345,67", &[("12345,67", "BOC2026010900001", &account)])).await;
        // Paid the same day, but the bank's statement of the payment is not imported: January does not reconcile.
        paid_payout(app, case_id).await;

        // The first run after December: the account had nothing then, and December reconciles.
        app.set_now("2026-01-10T08:30:00+08:00");
        let report = app.engine.reconcile_last_month(app.engine.now()).await.unwrap();
        assert_eq!((report.month.as_str(), report.recorded, report.not_reconciled), ("2025-12", 1, 0));

        // February 2: January, as the reconciliation shows it on demand.
        app.set_now("2026-02-02T08:30:00+08:00");
        let (status, january) = app.get(&format!("/api/v1/reconciliation?bank_account={BANK}&month=2026-01"), &app.finance).await;
        assert_eq!(status, StatusCode::OK, "{january}");
        assert_eq!(january["ok"], false);
        assert_eq!(january["difference"], "12345.67");
        assert_eq!(january["unmatched_statement_lines"], json!([]));
        let unmatched = january["unmatched_ledger_entries"].as_array().unwrap();
        assert_eq!(unmatched.len(), 1, "{january}");
        assert_eq!((unmatched[0]["date"].as_str(), unmatched[0]["amount"].as_str()), (Some("2026-01-09"), Some("-12345.67")));

        // The statements reach only 01-09: January waits for its last day's statement (FUND-2).
        let report = app.engine.reconcile_last_month(app.engine.now()).await.unwrap();
        assert_eq!((report.month.as_str(), report.recorded, report.waiting_for_statements), ("2026-01", 0, 1));
        assert_eq!(app.count("monthly_reconciliations").await, 1);
        // The statement of 02-02 (a payment naming no case) shows the account's state after January: two processes
        // at once record the month once, with one audit event.
        import_mt940(app, &statement("260202", "12345,67", "12346,67", &[("1,00", "BOC2026020200001", "货款")])).await;
        let audit = app.count("audit_events").await;
        let other = app.second_engine().await;
        let now = app.engine.now();
        let (first, second) = tokio::join!(app.engine.reconcile_last_month(now), other.reconcile_last_month(now));
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!((first.recorded + second.recorded, first.not_reconciled + second.not_reconciled), (1, 1), "{first:?} {second:?}");
        assert_eq!(first.already_recorded + second.already_recorded, 1);
        assert_eq!(app.count("audit_events").await, audit + 1, "one audit event per account and month");
        let message = app.text("select payload from outbox where topic = 'reconciliation.monthly' order by id desc limit 1").await;
        let message: Value = serde_json::from_str(&message).unwrap();
        assert_eq!((message["rule"].as_str(), message["month"].as_str(), message["ok"].as_bool()), (Some("FUND-2"), Some("2026-01"), Some(false)));
        assert_eq!(message["difference"], "12345.67");
        assert_eq!(message["unmatched_ledger_entries_count"], 1);
        assert_eq!(message["unmatched_ledger_entries"], january["unmatched_ledger_entries"]);

        // The next day's run records nothing again.
        app.set_now("2026-02-03T08:30:00+08:00");
        let report = app.engine.reconcile_last_month(app.engine.now()).await.unwrap();
        assert_eq!((report.recorded, report.already_recorded), (0, 1));
        assert_eq!(app.count("audit_events").await, audit + 1);
        assert_eq!(app.text("select cast(count(*) as text) from outbox where topic = 'reconciliation.monthly'").await, "2");

        // February's statements stop at 02-02: the month waits, and ten days after its end it is recorded anyway,
        // the missing statement showing as what does not reconcile.
        app.set_now("2026-03-10T08:30:00+08:00");
        let report = app.engine.reconcile_last_month(app.engine.now()).await.unwrap();
        assert_eq!((report.month.as_str(), report.recorded, report.waiting_for_statements), ("2026-02", 0, 1));
        app.set_now("2026-03-11T08:30:00+08:00");
        let report = app.engine.reconcile_last_month(app.engine.now()).await.unwrap();
        assert_eq!((report.month.as_str(), report.recorded, report.waiting_for_statements), ("2026-02", 1, 0));

        let (status, refused) = app.get("/api/v1/reconciliation/monthly", &app.assistant).await;
        assert_eq!((status, refused["error"]["rule"].as_str()), (StatusCode::FORBIDDEN, Some("FUND-2")));
        let (status, months) = app.get("/api/v1/reconciliation/monthly", &app.supervisor).await;
        assert_eq!(status, StatusCode::OK, "{months}");
        let mut months = months.as_array().unwrap().clone();
        for month in &mut months {
            assert!(month["audit_seq"].as_i64().unwrap() > 0, "{month}");
            month.as_object_mut().unwrap().remove("audit_seq");
        }
        assert_eq!(
            months,
            vec![
                json!({ "bank_account": BANK, "month": "2025-12", "ok": true, "statement_balance": "0.00", "ledger_balance": "0.00",
                        "difference": "0.00", "unmatched_statement_lines": 0, "unmatched_ledger_entries": 0 }),
                json!({ "bank_account": BANK, "month": "2026-01", "ok": false, "statement_balance": "12345.67", "ledger_balance": "0.00",
                        "difference": "12345.67", "unmatched_statement_lines": 0, "unmatched_ledger_entries": 1 }),
                json!({ "bank_account": BANK, "month": "2026-02", "ok": false, "statement_balance": "12346.67", "ledger_balance": "1.00",
                        "difference": "12345.67", "unmatched_statement_lines": 0, "unmatched_ledger_entries": 0 }),
            ]
        );
        other.db.close().await;
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_2_a_day_reconciles_and_downloads_as_csv_and_xlsx(app: &TestApp) {
        app.set_now("2026-01-09T10:00:00+08:00");
        let case_id = register_case(app, "（2026）鲁0102执5号", "2026-01-02").await;
        let account = collection_account(app, case_id).await;
        import_mt940(app, &statement("260109", "0,00", "1000,00", &[("1000,00", "BOC2026010900001", &account)])).await;

        let path = format!("/api/v1/reconciliation?bank_account={BANK}&day=2026-01-09");
        let (status, refused) = app.get(&path, &app.judge).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        let (status, reconciled) = app.get(&path, &app.finance).await;
        assert_eq!(status, StatusCode::OK, "{reconciled}");
        assert_eq!(reconciled["ok"], true, "{reconciled}");
        assert_eq!(reconciled["statement_balance"], "1000.00");
        assert_eq!(reconciled["ledger_balance"], "1000.00");
        assert_eq!(reconciled["difference"], "0.00");
        assert_eq!(reconciled["case_balances_total"], "1000.00");

        let (status, headers, csv) = app.call_with_headers("GET", &format!("{path}&format=csv"), Some(&app.supervisor), None, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\"reconciliation-") && disposition.ends_with(".csv\""), "{disposition}");
        let csv = csv.as_str().unwrap();
        assert!(csv.contains("银行对账单余额 Statement balance,,,1000.00,"), "{csv}");
        assert!(csv.contains("平衡 balanced"), "{csv}");

        let (status, headers, xlsx) = app.call_with_headers("GET", &format!("{path}&format=xlsx"), Some(&app.finance), None, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert!(xlsx.as_str().unwrap().starts_with("PK"), "an XLSX file is a zip archive");

        // The sample statement's month does not reconcile: its opening balance and its payout line are not in the
        // books, and the report says so.
        import_mt940(app, MT940).await;
        let (status, month) = app.get(&format!("/api/v1/reconciliation?bank_account={BANK}&month=2026-01"), &app.finance).await;
        assert_eq!(status, StatusCode::OK, "{month}");
        assert_eq!(month["ok"], false);
        assert_eq!(month["unmatched_statement_lines"][0]["amount"], "-2000.00");
        let (status, refused) = app.get(&format!("/api/v1/reconciliation?bank_account={BANK}&month=2026-13"), &app.finance).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_10_the_application_fee_at_the_500000_yuan_band_boundary(app: &TestApp) {
        let mut body = case_body("（2026）鲁0102执9号", "2026-01-02");
        body["claim_amount"] = json!("500000.00");
        let (status, case) = app.post("/api/v1/cases", &app.assistant, &body).await;
        assert_eq!(status, StatusCode::CREATED, "{case}");
        let (status, fee) = app.get(&format!("/api/v1/cases/{}/application-fee", case["id"]), &app.assistant).await;
        assert_eq!(status, StatusCode::OK, "{fee}");
        // 50 for the first 10,000, then 1.5 % of 490,000 = 7,350.
        assert_eq!(fee["fee"], "7400.00");
        assert_eq!(fee["rule"], "FUND-10");

        let mut body = case_body("（2026）鲁0102执10号", "2026-01-02");
        body["claim_amount"] = json!("500100.00");
        let (_, case) = app.post("/api/v1/cases", &app.assistant, &body).await;
        let (_, fee) = app.get(&format!("/api/v1/cases/{}/application-fee", case["id"]), &app.assistant).await;
        // The 100 above the boundary is charged at 1 %.
        assert_eq!(fee["fee"], "7401.00");
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_8_a_payout_withdrawn_before_payment_returns_its_reservation_to_the_fen_and_cancels_its_node(app: &TestApp) {
        let [first, _, _] = funded_cases(app).await;
        let payout = request(app, &json!({ "case_id": first, "amount": "12345.67" })).await;
        let key = format!("ledger.payout.finance_notice:{payout}");
        approve_up_to_bureau_head(app, payout).await;
        assert_eq!(balance_of(app, &format!("case:{first}:held")).await, "0.00");
        assert_eq!(balance_of(app, &format!("case:{first}:payable:{APPLICANT}")).await, "12345.67");

        // Finance pays and supervisors approve; neither withdraws. A withdrawal needs its reason.
        for token in [&app.finance, &app.supervisor] {
            let (status, refused) = command(app, token, payout, json!({ "command": "cancel", "reason": "x" })).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
            assert_eq!(refused["error"]["rule"], "FUND-8");
        }
        let (status, refused) = command(app, &app.judge, payout, json!({ "command": "cancel", "reason": " " })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!((refused["error"]["code"].as_str(), refused["error"]["rule"].as_str()), (Some("name_missing"), Some("FUND-8")));
        // Another assistant did not ask for this payout and may not withdraw it.
        let other_assistant = app.engine.create_token(COURT_CODE, "助理-孙", chuzhi::auth::Role::Assistant).await.unwrap();
        let (status, refused) = command(app, &other_assistant, payout, json!({ "command": "cancel", "reason": "误操作" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert_eq!(refused["error"]["rule"], "FUND-8");
        assert_eq!(node(app, first, &key).await.0, "pending", "refusals change nothing");

        let entries = app.count("ledger_entries").await;
        let (status, withdrawn) = command(app, &app.judge, payout, json!({ "command": "cancel", "reason": "申请执行人与被执行人达成和解" })).await;
        assert_eq!(status, StatusCode::OK, "{withdrawn}");
        assert_eq!(withdrawn["stage"], "cancelled");
        assert_eq!(withdrawn["state"]["stage"]["released"], "12345.67");
        // Append-only: one reversing entry, and the balances are back to the fen.
        assert_eq!(app.count("ledger_entries").await, entries + 1);
        assert_eq!(balance_of(app, &format!("case:{first}:held")).await, "12345.67");
        assert_eq!(balance_of(app, &format!("case:{first}:payable:{APPLICANT}")).await, "0.00");
        assert_eq!(balance_of(app, &format!("bank:{BANK}")).await, "1013233.67");
        assert_eq!(node(app, first, &key).await, ("cancelled".to_string(), "2026-01-23".to_string()));
        let event = chuzhi::store::audit::recent_for_court(app.db(), 1, 1).await.unwrap().remove(0);
        assert_eq!(event.action, "payouts.cancel");
        assert_eq!(event.reason.as_deref(), Some("申请执行人与被执行人达成和解"));
        assert_ledger_consistent(app).await;

        // The funds are free again; the assistant who asks for a payout may withdraw it, even before any approval.
        let again = request(app, &json!({ "case_id": first, "amount": "12345.67" })).await;
        let (status, withdrawn) = command(app, &app.assistant, again, json!({ "command": "cancel", "reason": "金额有误，重新申请" })).await;
        assert_eq!(status, StatusCode::OK, "{withdrawn}");
        assert!(withdrawn["state"]["stage"]["released"].is_null(), "nothing was reserved");
        let third = request(app, &json!({ "case_id": first, "amount": "12345.67" })).await;
        assert_eq!(approve_up_to_bureau_head(app, third).await["stage"], "approved");
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_8_a_paid_payout_cannot_be_withdrawn(app: &TestApp) {
        let [first, _, _] = funded_cases(app).await;
        let payout = paid_payout(app, first).await;
        let entries = app.count("ledger_entries").await;
        let audit = app.count("audit_events").await;
        let (status, refused) = command(app, &app.judge, payout, json!({ "command": "cancel", "reason": "付款后发现错误" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "out_of_order");
        assert_eq!(refused["error"]["rule"], "FUND-8");
        assert!(refused["error"]["message"].as_str().unwrap().contains("paid"), "{refused}");
        assert_eq!(app.count("ledger_entries").await, entries);
        assert_eq!(app.count("audit_events").await, audit + 1, "the refusal is audited");
        assert_eq!(balance_of(app, &format!("case:{first}:held")).await, "0.00");
        assert_eq!(balance_of(app, &format!("bank:{BANK}")).await, "1000888.00");
        let (_, view) = app.get(&format!("/api/v1/payouts/{payout}"), &app.assistant).await;
        assert_eq!(view["stage"], "paid");
        assert_ledger_consistent(app).await;
    }
}
