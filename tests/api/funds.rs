//! The execution-fund ledger through the API (FUND-1…FUND-3): statements imported, matched to cases by collection
//! account then case number, the rest held in suspense; imports that post nothing twice; claims that need an
//! approval; balances checked again by an independent query.

use crate::harness::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

const MT940: &str = include_str!("../../fixtures/statements/sample.mt940");
const CAMT053: &str = include_str!("../../fixtures/statements/sample.camt053.xml");

/// The three cases the fixtures pay: sequence 1 (collection account 370102000000014), 执2号 and 执恢3号.
async fn three_cases(app: &TestApp) -> [i64; 3] {
    [
        register_case(app, "（2026）鲁0102执1号", "2026-01-02").await,
        register_case(app, "(2026)鲁0102执2号", "2026-01-02").await,
        register_case(app, "（2026）鲁0102执恢3号", "2026-01-02").await,
    ]
}

async fn import(app: &TestApp, format: &str, body: &str) -> (StatusCode, Value) {
    app.call(
        "POST",
        &format!("/api/v1/statements?format={format}"),
        Some(&app.finance),
        Some(body),
    )
    .await
}

both_backends! {
    async fn fund_1_fund_3_an_mt940_statement_is_matched_to_cases_and_importing_it_twice_changes_nothing(app: &TestApp) {
        app.set_now("2026-01-09T10:00:00+08:00");
        let [first, second, third] = three_cases(app).await;
        let (status, report) = import(app, "mt940", MT940).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["lines_total"], 6);
        assert_eq!(report["lines_new"], 6);
        assert_eq!(report["matched_by_collection_account"], 1);
        assert_eq!(report["matched_by_case_number"], 2);
        // 88.00 names nothing; 300.00 names case 1's account and case 2's number: ambiguous, so suspense (FUND-1).
        assert_eq!(report["to_suspense"], 2);
        assert_eq!(report["debits"], 1);
        assert_eq!(report["credited_to_cases"], "1012845.67");
        assert_eq!(report["held_in_suspense"], "388.00");
        assert_eq!(balance_of(app, &format!("case:{first}:held")).await, "12345.67");
        assert_eq!(balance_of(app, &format!("case:{second}:held")).await, "1000000.00");
        assert_eq!(balance_of(app, &format!("case:{third}:held")).await, "500.00");
        assert_eq!(balance_of(app, "suspense").await, "388.00");
        assert_eq!(balance_of(app, "bank:37010201040012345678").await, "1013233.67");
        assert_ledger_consistent(app).await;

        // The same file again: every line is known, nothing is posted (SPEC §3.6).
        let entries = app.count("ledger_entries").await;
        let lines = app.count("statement_lines").await;
        let (status, again) = import(app, "mt940", MT940).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["lines_new"], 0);
        assert_eq!(again["already_imported"], 6);
        assert_eq!(app.count("ledger_entries").await, entries);
        assert_eq!(app.count("statement_lines").await, lines);
        assert_eq!(balance_of(app, &format!("case:{second}:held")).await, "1000000.00");

        // FUND-3: the suspense list shows the claim deadline, 3 working days after arrival, and the age.
        let (status, suspense) = app.get("/api/v1/suspense", &app.finance).await;
        assert_eq!(status, StatusCode::OK);
        let items = suspense.as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["amount"], "88.00");
        assert_eq!(items[0]["arrived_on"], "2026-01-07");
        assert_eq!(items[0]["claim_due_on"], "2026-01-12");
        assert_eq!(items[0]["age_days"], 2);
        // Each item shows its own statement line (the debit between them has a line and no suspense item).
        assert_eq!(items[0]["remittance"], "王五 货款");
        assert!(items[0]["bank_reference"].as_str().unwrap().starts_with("h:"), "no reference: a hashed identity");
        assert_eq!((items[1]["amount"].as_str(), items[1]["bank_reference"].as_str()), (Some("300.00"), Some("BOC2026010800001")));
    }
}

both_backends! {
    async fn fund_1_a_camt053_statement_is_matched_the_same_way(app: &TestApp) {
        app.set_now("2026-01-09T10:00:00+08:00");
        let [first, second, third] = three_cases(app).await;
        let (status, report) = import(app, "camt053", CAMT053).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        // camt.053 carries the virtual sub-account (子账号) the third payer paid to: matched by account this time.
        assert_eq!(report["matched_by_collection_account"], 2);
        assert_eq!(report["matched_by_case_number"], 1);
        assert_eq!(balance_of(app, &format!("case:{first}:held")).await, "12345.67");
        assert_eq!(balance_of(app, &format!("case:{second}:held")).await, "1000000.00");
        assert_eq!(balance_of(app, &format!("case:{third}:held")).await, "500.00");
        assert_ledger_consistent(app).await;
        let (_, again) = import(app, "camt053", CAMT053).await;
        assert_eq!(again["lines_new"], 0);
    }
}

both_backends! {
    async fn fund_1_a_line_imported_before_under_another_booking_date_refuses_the_statement_and_changes_nothing(app: &TestApp) {
        app.set_now("2026-03-09T10:00:00+08:00");
        let [_, second, _] = three_cases(app).await;
        let first = mt940_statement("260302", "0,00", "100,00", &[("100,00", "REF-A", "（2026）鲁0102执2号")]);
        assert_eq!(import_mt940(app, &first).await["lines_new"], 1);
        let tables = ["ledger_entries", "ledger_lines", "statement_lines", "statement_imports", "suspense_items"];
        let mut before = Vec::new();
        for table in tables {
            before.push(app.count(table).await);
        }

        // The bank's later file books REF-A again on another day, beside a new line: the stored line is outside
        // this file's dates, so only the unique key meets it, in the middle of the bulk insert. Nothing of the file
        // may stay, the new line included.
        let contradicting = mt940_statement(
            "260305",
            "100,00",
            "350,00",
            &[("50,00", "REF-B", "（2026）鲁0102执2号"), ("200,00", "REF-A", "（2026）鲁0102执2号")],
        );
        let (status, refused) = import(app, "mt940", &contradicting).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "invalid_field");
        assert!(refused["error"]["message"].as_str().unwrap().contains("another booking date"), "{refused}");
        for (table, count) in tables.into_iter().zip(before) {
            assert_eq!(app.count(table).await, count, "{table}");
        }
        assert_eq!(balance_of(app, &format!("case:{second}:held")).await, "100.00");
        assert_ledger_consistent(app).await;
        // The refusal itself is on record, and the chain is intact around it (SPEC §3.4).
        let court = app.engine.authenticate(&app.finance).await.unwrap().court_id;
        let events = chuzhi::store::audit::recent_for_court(app.db(), court, 1).await.unwrap();
        assert_eq!((events[0].outcome.as_str(), events[0].code.as_deref()), ("refused", Some("invalid_field")));
        assert!(matches!(app.engine.verify_audit().await.unwrap(), chuzhi::audit::Verification::Intact { .. }));
    }
}

both_backends! {
    async fn fund_3_a_claim_from_suspense_needs_another_persons_approval(app: &TestApp) {
        app.set_now("2026-01-09T10:00:00+08:00");
        let [first, _, _] = three_cases(app).await;
        assert_eq!(import(app, "mt940", MT940).await.0, StatusCode::OK);
        let (_, suspense) = app.get("/api/v1/suspense", &app.finance).await;
        let item = suspense[0]["id"].as_i64().unwrap();

        // Approving before anyone asked is refused; an assistant may not ask.
        let (status, refused) = app.post(&format!("/api/v1/suspense/{item}/approval"), &app.judge, &json!({ "reference": "审批-1" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "claim_needs_request");
        assert_eq!(refused["error"]["rule"], "FUND-3");
        let claim = json!({ "case_id": first, "reason": "王五来电确认为（2026）鲁0102执1号还款" });
        let (status, _) = app.post(&format!("/api/v1/suspense/{item}/claim"), &app.assistant, &claim).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, asked) = app.post(&format!("/api/v1/suspense/{item}/claim"), &app.finance, &claim).await;
        assert_eq!(status, StatusCode::OK, "{asked}");
        assert_eq!(asked["status"], "claim_requested");
        assert_eq!(balance_of(app, "suspense").await, "388.00", "nothing moves before the approval");

        // Finance cannot approve its own request; the judge can.
        let (status, _) = app.post(&format!("/api/v1/suspense/{item}/approval"), &app.finance, &json!({ "reference": "审批-1" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, approved) = app.post(&format!("/api/v1/suspense/{item}/approval"), &app.judge, &json!({ "reference": "审批-1" })).await;
        assert_eq!(status, StatusCode::OK, "{approved}");
        assert_eq!(approved["status"], "claimed");
        assert_eq!(balance_of(app, "suspense").await, "300.00");
        assert_eq!(balance_of(app, &format!("case:{first}:held")).await, "12433.67");
        assert_ledger_consistent(app).await;
        let (status, _) = app.post(&format!("/api/v1/suspense/{item}/approval"), &app.judge, &json!({ "reference": "审批-1" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a claim is approved once");
    }
}

both_backends! {
    async fn fund_3_the_public_notice_of_unidentified_funds_lists_the_unclaimed_oldest_first_with_masked_accounts(app: &TestApp) {
        app.set_now("2026-01-09T10:00:00+08:00");
        let [first, _, _] = three_cases(app).await;
        // Two credits name no case (张三's account 6222020200001234567, see `mt940_statement`): both wait in suspense.
        let day = |day: &str, reference: &str, amount: &str| mt940_statement(day, "0,00", amount, &[(amount, reference, "货款")]);
        assert_eq!(import(app, "mt940", &day("260107", "BOC2026010700011", "250,00")).await.0, StatusCode::OK);
        assert_eq!(import(app, "mt940", &day("260108", "BOC2026010800012", "99,50")).await.0, StatusCode::OK);
        let (_, suspense) = app.get("/api/v1/suspense", &app.finance).await;
        let newest = suspense.as_array().unwrap().iter().find(|item| item["amount"] == "99.50").unwrap()["id"].as_i64().unwrap();
        let (status, asked) = app
            .post(&format!("/api/v1/suspense/{newest}/claim"), &app.finance, &json!({ "case_id": first, "reason": "张三来电" }))
            .await;
        assert_eq!(status, StatusCode::OK, "{asked}");

        let (status, headers, csv) = app.call_with_headers("GET", "/api/v1/suspense/publication", Some(&app.assistant), None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{csv}");
        assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
        assert_eq!(headers["content-disposition"], "attachment; filename=\"suspense-publication-2026-01-09.csv\"");
        let csv = csv.as_str().unwrap();
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines,
            vec![
                "序号 No.,到账日期 Arrived,金额 Amount,付款人 Payer,付款账号 Payer account,附言 Remittance,认领期限 Claim by,状态 Status,逾期 Overdue",
                // FUND-3: three working days from Wednesday 01-07 is Monday 01-12; it is not past on 01-09.
                "1,2026-01-07,250.00,张三,6222***********4567,货款,2026-01-12,待认领 unclaimed,否 no",
                "2,2026-01-08,99.50,张三,6222***********4567,货款,2026-01-13,认领审批中 claim pending,否 no",
            ]
        );

        // Claimed, it leaves the notice.
        let (status, claimed) = app.post(&format!("/api/v1/suspense/{newest}/approval"), &app.judge, &json!({ "reference": "审批-2" })).await;
        assert_eq!(status, StatusCode::OK, "{claimed}");
        let (status, headers, xlsx) =
            app.call_with_headers("GET", "/api/v1/suspense/publication?format=xlsx", Some(&app.finance), None, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert!(xlsx.as_str().unwrap().starts_with("PK"), "an XLSX file is a zip archive");
        let (_, csv) = app.get("/api/v1/suspense/publication?format=csv", &app.finance).await;
        assert_eq!(csv.as_str().unwrap().lines().count(), 2, "the header and the one unclaimed item: {csv}");

        let (status, refused) = app.get("/api/v1/suspense/publication?format=pdf", &app.finance).await;
        assert_eq!((status, refused["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
    }
}

both_backends! {
    async fn fund_2_the_database_refuses_to_change_or_remove_a_posted_entry_or_line_the_journal_is_append_only(app: &TestApp) {
        app.set_now("2026-01-09T10:00:00+08:00");
        three_cases(app).await;
        assert_eq!(import(app, "mt940", MT940).await.0, StatusCode::OK);
        let (entries, lines) = (app.count("ledger_entries").await, app.count("ledger_lines").await);
        assert!(entries > 0);
        for sql in [
            "update ledger_lines set credit_fen = credit_fen + 1 where credit_fen > 0",
            "update ledger_lines set account = 'suspense'",
            "delete from ledger_lines",
            "update ledger_entries set memo = 'x'",
            "delete from ledger_entries",
        ] {
            let error = app.try_execute(sql).await.expect_err(sql);
            assert!(error.to_string().contains("append-only"), "{sql}: {error}");
        }
        if matches!(app.db(), chuzhi::store::Db::Postgres(_)) {
            // PostgreSQL's `truncate` fires no row trigger: a statement trigger refuses it too.
            for sql in ["truncate ledger_lines", "truncate ledger_entries cascade"] {
                let error = app.try_execute(sql).await.expect_err(sql);
                assert!(error.to_string().contains("append-only"), "{sql}: {error}");
            }
        }
        assert_eq!((app.count("ledger_entries").await, app.count("ledger_lines").await), (entries, lines));
        assert_ledger_consistent(app).await;
    }
}

both_backends! {
    async fn fund_3_a_court_that_sets_7_working_days_to_claim_unidentified_funds_gets_that_deadline(app: &TestApp) {
        app.set_now("2026-01-09T10:00:00+08:00");
        let config = chuzhi::config::Config::from_lookup(|name| (name == "CHUZHI_SUSPENSE_CLAIM_PERIOD").then(|| "7wd".to_string())).unwrap();
        let engine = app.second_engine_with(chuzhi::engine::Settings::from(&config)).await;
        let statement = mt940_statement("260107", "0,00", "88,00", &[("88,00", "BOC2026010700088", "货款")]);
        let report = engine
            .import_statement_file(COURT_CODE, "财务-张", statement.as_bytes(), Some(chuzhi::statements::StatementFormat::Mt940), None, None)
            .await
            .expect("imported");
        assert_eq!(report.to_suspense, 1);
        // Seven working days from Wednesday 2026-01-07: Friday 01-16 (the default three would give Monday 01-12).
        let (_, suspense) = app.get("/api/v1/suspense", &app.finance).await;
        assert_eq!(suspense[0]["claim_due_on"], "2026-01-16", "{suspense}");
        engine.db.close().await;
    }
}

both_backends! {
    async fn fund_2_a_gbk_csv_statement_imports_through_the_file_entry_and_bad_files_change_nothing(app: &TestApp) {
        app.set_now("2026-01-09T10:00:00+08:00");
        three_cases(app).await;
        let gbk = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/statements/sample_gbk.csv")).unwrap();
        let layout = chuzhi::statements::CsvLayout::from_json(include_str!("../../fixtures/statements/csv_layout_gbk.json")).unwrap();
        let report = app
            .engine
            .import_statement_file(COURT_CODE, "财务-张", &gbk, Some(chuzhi::statements::StatementFormat::Csv), None, Some(&layout))
            .await
            .expect("imported");
        assert_eq!((report.lines_total, report.lines_new), (6, 6));
        // The same money as the MT940 sample: two credits by collection account, one by case number, the 88.00
        // naming nothing and the 300.00 naming two different cases wait in suspense, and one debit.
        let counts = (report.matched_by_collection_account, report.matched_by_case_number, report.to_suspense, report.debits);
        assert_eq!(counts, (2, 1, 2, 1));
        assert_eq!(balance_of(app, "suspense").await, "388.00");
        assert_eq!(balance_of(app, "bank:37010201040012345678").await, "1013233.67");
        assert_ledger_consistent(app).await;

        let entries = app.count("ledger_entries").await;
        let (status, refused) = import(app, "mt940", "not a statement").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        let (status, refused) = import(app, "xls", MT940).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(refused["error"]["code"], "invalid_query");
        // A statement booked in the future is refused whole.
        app.set_now("2026-01-06T10:00:00+08:00");
        let (status, refused) = import(app, "camt053", CAMT053).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["code"], "invalid_field");
        assert_eq!(app.count("ledger_entries").await, entries);
        let (status, _) = app.call("POST", "/api/v1/statements?format=mt940", Some(&app.judge), Some(MT940)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "statements are finance's");
    }
}

/// SPEC §5.1: `chuzhi import-statement` on a fresh SQLite file; the second run of the same file posts nothing.
#[test]
fn fund_3_import_statement_cli_holds_unknown_payers_in_suspense_and_imports_once() {
    let path = std::env::temp_dir().join(format!("chuzhi-cli-import-{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_chuzhi"))
            .args(args)
            .env("CHUZHI_DATABASE_URL", &url)
            .output()
            .expect("run chuzhi");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, _, stderr) = run(&["court", "add", "--code", "370102", "--name", "济南市历下区人民法院"]);
    assert!(ok, "{stderr}");
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/statements/sample.mt940");
    // No case is registered: every credit is unidentified (不明款) and waits in suspense.
    let (ok, stdout, stderr) = run(&["import-statement", file, "--court", "370102", "--at", "2026-01-09"]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.starts_with("6 lines: 6 new, 0 imported before; 0 by collection account, 0 by case number, 5 to suspense"),
        "{stdout}"
    );
    assert!(stdout.contains("1013233.67 yuan in suspense"), "{stdout}");
    let (ok, stdout, stderr) = run(&[
        "import-statement",
        file,
        "--court",
        "370102",
        "--format",
        "mt940",
        "--at",
        "2026-01-10",
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("6 lines: 0 new, 6 imported before"), "{stdout}");
    let (ok, _, stderr) = run(&["import-statement", file, "--court", "999999", "--at", "2026-01-10"]);
    assert!(!ok);
    assert!(stderr.contains("999999"), "{stderr}");
    // A bank's GBK CSV export read with its layout file (FUND-2): the same six lines under the bank's own serials.
    let gbk = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/statements/sample_gbk.csv");
    let layout = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/statements/csv_layout_gbk.json");
    let (ok, stdout, stderr) = run(&[
        "import-statement",
        gbk,
        "--court",
        "370102",
        "--layout",
        layout,
        "--at",
        "2026-01-10",
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.starts_with("6 lines: 6 new, 0 imported before; 0 by collection account, 0 by case number, 5 to suspense"),
        "{stdout}"
    );
    // Without its layout the file cannot be read as the built-in CSV layout; nothing is imported.
    let (ok, _, stderr) = run(&[
        "import-statement",
        gbk,
        "--court",
        "370102",
        "--format",
        "csv",
        "--at",
        "2026-01-10",
    ]);
    assert!(!ok, "{stderr}");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

both_backends! {
    async fn fund_3_unidentified_funds_past_their_claim_deadline_are_flagged_and_counted_in_the_daily_digest_across_national_day(app: &TestApp) {
        // Three credits no case can be matched to, arriving before and after the National Day break 2025.
        app.set_now("2025-10-09T17:00:00+08:00");
        for (day, amount, reference) in [("250926", "500,00", "BOC0926X1"), ("250930", "3000,01", "BOC0930X1"), ("251009", "88,00", "BOC1009X1")] {
            let report = import_mt940(app, &mt940_statement(day, "0,00", amount, &[(amount, reference, "货款 无案号")])).await;
            assert_eq!(report["to_suspense"], 1, "{report}");
        }
        // FUND-3, PER-6: three working days — 09-26 → 09-30 (the make-up Sunday 09-28 counts); 09-30 → 10-11 (the
        // make-up Saturday); 10-09 → 10-13. Overdue from the day after.
        app.set_now("2025-10-13T09:00:00+08:00");
        let (status, suspense) = app.get("/api/v1/suspense", &app.finance).await;
        assert_eq!(status, StatusCode::OK, "{suspense}");
        let flags: Vec<(&str, &str, bool)> = suspense
            .as_array()
            .unwrap()
            .iter()
            .map(|item| (item["amount"].as_str().unwrap(), item["claim_due_on"].as_str().unwrap(), item["overdue"].as_bool().unwrap()))
            .collect();
        assert_eq!(flags, vec![("500.00", "2025-09-30", true), ("3000.01", "2025-10-11", true), ("88.00", "2025-10-13", false)]);

        // The 08:30 digest of 2025-10-13: two items overdue, 3500.01 in all, the oldest 17 days old; the other court none.
        let report = app.engine.digest(at("2025-10-13T08:30:00+08:00")).await.unwrap();
        assert_eq!(report.digests_sent, 2);
        assert_eq!(report.suspense_overdue_courts, 1);
        let digests = outbox(app, "digest.daily").await;
        let ours = &digests.iter().find(|(court, _)| *court == Some(1)).unwrap().1;
        assert_eq!(ours["date"], "2025-10-13");
        assert_eq!(
            ours["suspense_overdue"],
            json!({ "rule": "FUND-3", "count": 2, "total": "3500.01", "oldest_arrived_on": "2025-09-26", "oldest_age_days": 17 })
        );
        let theirs = &digests.iter().find(|(court, _)| *court == Some(2)).unwrap().1;
        assert_eq!(theirs["suspense_overdue"]["count"], 0);
        assert!(theirs["suspense_overdue"]["oldest_arrived_on"].is_null());

        // Once claimed, an item is no longer counted: the next day's digest has only what is still unclaimed.
        let oldest = suspense[0]["id"].as_i64().unwrap();
        let case_id = register_case(app, "（2025）鲁0102执50号", "2025-09-01").await;
        let claim = json!({ "case_id": case_id, "reason": "付款人来电确认" });
        assert_eq!(app.post(&format!("/api/v1/suspense/{oldest}/claim"), &app.finance, &claim).await.0, StatusCode::OK);
        assert_eq!(app.post(&format!("/api/v1/suspense/{oldest}/approval"), &app.judge, &json!({ "reference": "审批-7" })).await.0, StatusCode::OK);
        app.engine.digest(at("2025-10-14T08:30:00+08:00")).await.unwrap();
        let digests = outbox(app, "digest.daily").await;
        let ours = &digests.iter().rev().find(|(court, _)| *court == Some(1)).unwrap().1;
        assert_eq!(ours["date"], "2025-10-14");
        assert_eq!(
            ours["suspense_overdue"],
            json!({ "rule": "FUND-3", "count": 2, "total": "3088.01", "oldest_arrived_on": "2025-09-30", "oldest_age_days": 14 })
        );
    }
}
