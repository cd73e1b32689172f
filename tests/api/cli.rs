//! The command line: the calendar contract of SPEC §5.1, exactly, and the database commands.

use std::process::Command;

fn chuzhi(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_chuzhi"))
        .args(args)
        .env_remove("CHUZHI_CALENDAR_DIR")
        .output()
        .expect("run chuzhi");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn spec_5_1_calendar_contract_prints_exactly_these_lines() {
    let cases: [(&[&str], &str); 5] = [
        (&["calendar", "is-workday", "2026-02-14"], "workday\n"),
        (&["calendar", "is-workday", "2026-02-16"], "restday\n"),
        (&["calendar", "deadline", "2026-02-10", "5d"], "2026-02-24\n"),
        (&["calendar", "deadline", "2026-02-12", "3wd"], "2026-02-24\n"),
        (&["calendar", "deadline", "2025-01-31", "1m"], "2025-02-28\n"),
    ];
    for (args, expected) in cases {
        let (ok, stdout, stderr) = chuzhi(args);
        assert!(ok, "{args:?}: {stderr}");
        assert_eq!(stdout, expected, "{args:?}");
    }
}

#[test]
fn calendar_json_and_explain() {
    let (ok, stdout, _) = chuzhi(&["calendar", "deadline", "2026-02-10", "5d", "--json"]);
    assert!(ok);
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["due"], "2026-02-24");
    assert_eq!(value["provisional"], false);
    assert!(value["steps"].as_array().unwrap().len() > 2);
    let (ok, stdout, _) = chuzhi(&["calendar", "deadline", "2026-02-10", "5d", "--explain"]);
    assert!(ok);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("2026-02-24"));
    assert!(stdout.contains("PER-1"));
}

#[test]
fn per_10_beyond_the_loaded_schedule_is_answered_and_marked_provisional() {
    let (ok, stdout, _) = chuzhi(&["calendar", "deadline", "2027-02-25", "5d"]);
    assert!(ok);
    assert_eq!(stdout, "2027-03-02 (provisional)\n");
}

#[test]
fn malformed_calendar_arguments_exit_non_zero_saying_what_was_expected() {
    let (ok, _, stderr) = chuzhi(&["calendar", "deadline", "2026-02-30", "5d"]);
    assert!(!ok);
    assert!(stderr.contains("YYYY-MM-DD"), "{stderr}");
    let (ok, _, stderr) = chuzhi(&["calendar", "deadline", "2026-02-10", "5x"]);
    assert!(!ok);
    assert!(stderr.contains("5d"), "{stderr}");
    let (ok, _, _) = chuzhi(&["calendar", "is-workday"]);
    assert!(!ok);
}

#[test]
fn demo_sweep_and_audit_verify_run_on_a_fresh_sqlite_file() {
    let path = std::env::temp_dir().join(format!("chuzhi-cli-{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_chuzhi"))
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
    let (ok, stdout, stderr) = run(&["demo", "--at", "2026-11-23"]);
    assert!(ok, "{stderr}");
    // The car, seized 2026-10-19: REF-1 is due 2026-11-18 and walks through every stage.
    assert!(stdout.contains("REF-1 due 2026-11-18"), "{stdout}");
    assert!(stdout.contains("  2026-11-17  1 upcoming, 0 due today, 0 overdue"), "{stdout}");
    assert!(stdout.contains("  2026-11-18  0 upcoming, 1 due today, 0 overdue"), "{stdout}");
    assert!(
        stdout.contains("  2026-11-19  0 upcoming, 0 due today, 1 overdue (escalated to the supervisors)"),
        "{stdout}"
    );
    // The flat's price is negotiated during the week (REF-4).
    assert!(
        stdout.contains("  2026-11-21  the parties agree the flat's reference price, ¥1650000.00 (REF-4; stage fixed)"),
        "{stdout}"
    );
    // FUND-2: two officers' cash, back at court on Wednesday 11-18, handed to finance on Thursday with an explanation.
    assert!(
        stdout.contains("  2026-11-19  two officers' cash receipt 示执现收-2026-0001 for case (2026)示0102执305号: ¥8600.00 from 钱某, back at court 2026-11-18, handed to finance today (next_day, explained; limit 2026-11-19)"),
        "{stdout}"
    );
    // Issue 5: the next day finance deposits the cash and imports the bank's statement; the case's money is paid out.
    assert!(
        stdout.contains("  2026-11-20  finance imports the day's statement of 37010299000000000001: 3 lines, 2 matched by collection account (the cash deposit among them, clearing its receipt: 1), 1 to suspense, ¥1234.56 from 孙某 to be claimed by 2026-11-25 (FUND-1, FUND-2, FUND-3)"),
        "{stdout}"
    );
    // FUND-5: ten working days from Friday 11-20 is Friday 12-04.
    assert!(
        stdout.contains("  2026-11-20  payout #1 of ¥28600.00 to 示范建材有限公司's confirmed account, approved by the case officer, the fund manager and the bureau head (FUND-8); stage approved, the payment notice due to finance by 2026-12-04"),
        "{stdout}"
    );
    // Issue 4: every disposal branch on its own asset, each listed with its branch and where it stands.
    for (branch, stage) in [
        ("sold in the first round (AUC-4)", "ended (handed_over)"),
        ("first round failed → second round → sold (AUC-16)", "ended (handed_over)"),
        ("failed twice → sell-off → sold (SELL-3 … SELL-6)", "ended (handed_over)"),
        ("sell-off failed → debt in kind (SELL-7, TRAD-5)", "ended (handed_over)"),
        ("sell-off failed → seizure released (SELL-7)", "ended (released)"),
        ("buyer defaulted → resale → sold (AUC-14)", "ended (handed_over)"),
        ("sell-off sold → buyer backed out → sold again (SELL-6)", "ended (handed_over)"),
        ("stayed and resumed → sold (AUC-18, AUC-19)", "ended (handed_over)"),
        ("self-disposal completed (SELF-2, SELF-4)", "ended (self_disposed)"),
        ("self-disposal lapsed → court auction → sold (SELF-4)", "ended (handed_over)"),
    ] {
        assert!(stdout.contains(&format!(" — {branch} — stage: {stage}")), "{branch}: {stdout}");
    }
    // The disposals' history is told in date order, and all of it lies before the walked week.
    let history: Vec<&str> = stdout
        .lines()
        .skip_while(|line| !line.contains("The disposals (变价) of these cases"))
        .skip(1)
        .take_while(|line| !line.is_empty())
        .map(|line| line.trim_start().split("  ").next().unwrap())
        .collect();
    assert!(history.len() >= 9, "{stdout}");
    assert!(history.windows(2).all(|pair| pair[0] <= pair[1]), "{history:?}");
    assert!(history.iter().all(|date| *date < "2026-11-16"), "{history:?}");
    // SELF-4: the shop's 30-day self-disposal (approved 2026-06-15) ended unsold and the sweep lapsed it.
    assert!(
        stdout.contains("  2026-07-16  the shop: the period ended unsold; the sweep lapses the self-disposal"),
        "{stdout}"
    );
    // The walk ends at the moment of the run: nothing is left for a sweep as of that moment, and nothing was
    // raised as of a later day.
    assert!(!stdout.contains("2026-11-24"), "{stdout}");
    let (ok, stdout, stderr) = run(&["sweep", "--at", "2026-11-23"]);
    assert!(ok, "{stderr}");
    assert!(stdout.ends_with("sweep as of 2026-11-23: 0 alerts raised\n"), "{stdout}");
    let (ok, stdout, stderr) = run(&["sweep", "--at", "2026-11-25"]);
    assert!(ok, "{stderr}");
    // The excavator's REF-1 (due 11-27) reminds from 11-24.
    assert!(stdout.contains("upcoming\tREF-1"), "{stdout}");
    assert!(stdout.ends_with("sweep as of 2026-11-25: 1 alerts raised\n"), "{stdout}");
    let (ok, stdout, _) = run(&["audit", "verify"]);
    assert!(ok);
    assert!(stdout.starts_with("audit chain intact"), "{stdout}");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
