//! Tests of the calendar engine, named after the rules they check.

use std::path::PathBuf;

use chrono::{Datelike, Days, NaiveDate};
use proptest::prelude::*;

use super::*;

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid test date")
}

fn embedded() -> Calendar {
    Calendar::embedded()
}

/// A calendar with only the 2024 and 2025 notices, as if 2026's were not yet published.
fn calendar_without_2026() -> Calendar {
    let schedules = embedded_schedules()
        .into_iter()
        .map(|(_, schedule)| schedule)
        .filter(|schedule| schedule.year != 2026)
        .collect();
    Calendar::from_schedules(schedules).expect("valid schedules")
}

/// A fresh, empty directory under the system temp directory for one test.
fn scratch_directory(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("chuzhi-calendar-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).expect("create a test directory");
    directory
}

#[test]
fn calendar_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Calendar>();
}

#[test]
fn hol_embedded_calendar_has_2024_to_2026() {
    let calendar = embedded();
    assert_eq!(calendar.years(), vec![2024, 2025, 2026]);
    assert!(calendar.has_schedule(2026));
    assert!(!calendar.has_schedule(2027));
}

// HOL-engine unit tests, as listed in RULES.md §7.

#[test]
fn hol_2024_chuxi_was_a_working_day() {
    assert!(embedded().is_working_day(date(2024, 2, 9)));
}

#[test]
fn hol_2024_02_18_is_a_makeup_working_day() {
    assert!(embedded().is_working_day(date(2024, 2, 18)));
}

#[test]
fn hol_2025_01_26_is_a_makeup_working_day() {
    assert!(embedded().is_working_day(date(2025, 1, 26)));
}

#[test]
fn hol_2026_02_14_is_a_makeup_working_day() {
    assert!(embedded().is_working_day(date(2026, 2, 14)));
}

#[test]
fn hol_2025_10_08_is_a_rest_day() {
    assert!(embedded().is_rest_day(date(2025, 10, 8)));
}

#[test]
fn per_1_five_day_objection_deadline_moves_past_the_2026_spring_festival() {
    let calendar = embedded();
    let deadline = calendar.deadline(date(2026, 2, 10), Period::Days(5));
    assert_eq!(deadline.due, date(2026, 2, 24));
    assert!(!deadline.provisional);
    assert_eq!(calendar.due_date(date(2026, 2, 10), Period::Days(5)), date(2026, 2, 24));
    // Day 5 is 02-15, and each rest day passed over (02-15 to 02-23) is its own step.
    let rolled: Vec<NaiveDate> = deadline
        .steps
        .iter()
        .filter(|step| step.rule == "HOL-2026")
        .filter_map(|step| step.date)
        .collect();
    assert_eq!(rolled.len(), 9);
    assert_eq!(rolled.first(), Some(&date(2026, 2, 15)));
    assert_eq!(rolled.last(), Some(&date(2026, 2, 23)));
}

#[test]
fn per_6_one_working_day_after_thursday_2026_02_12_is_friday() {
    assert_eq!(embedded().add_working_days(date(2026, 2, 12), 1), date(2026, 2, 13));
}

#[test]
fn per_6_one_working_day_after_2026_02_13_is_the_makeup_saturday() {
    assert_eq!(embedded().add_working_days(date(2026, 2, 13), 1), date(2026, 2, 14));
}

#[test]
fn per_6_one_working_day_after_2026_02_14_is_after_the_spring_festival() {
    assert_eq!(embedded().add_working_days(date(2026, 2, 14), 1), date(2026, 2, 24));
}

#[test]
fn per_6_three_working_days_cite_the_makeup_day_and_the_break() {
    let deadline = embedded().deadline(date(2026, 2, 12), Period::WorkingDays(3));
    assert_eq!(deadline.due, date(2026, 2, 24));
    let rules: Vec<(&str, Option<NaiveDate>)> = deadline.steps.iter().map(|step| (step.rule.as_str(), step.date)).collect();
    assert_eq!(
        rules,
        vec![
            ("PER-6", Some(date(2026, 2, 13))),
            ("PER-6", Some(date(2026, 2, 13))),
            ("HOL-2026", Some(date(2026, 2, 14))),
            ("HOL-2026", Some(date(2026, 2, 15))),
            ("PER-6", Some(date(2026, 2, 24))),
            ("PER-6", Some(date(2026, 2, 24))),
        ]
    );
    assert!(deadline.steps[3].text.contains("9 rest days of the 春节 holiday"));
}

#[test]
fn per_6_long_runs_of_ordinary_weeks_are_summarised() {
    // 60 working days from 2026-03-02 cross 清明 and 劳动节 but otherwise ordinary weeks.
    let deadline = embedded().deadline(date(2026, 3, 2), Period::WorkingDays(60));
    assert!(deadline.steps.len() < 15, "{:#?}", deadline.steps);
    assert!(deadline.steps.iter().any(|step| step.text.contains("weekend days (PER-5)")));
}

#[test]
fn per_4_january_31_plus_one_month_is_february_28_in_a_normal_year() {
    let calendar = embedded();
    assert_eq!(calendar.due_date(date(2025, 1, 31), Period::Months(1)), date(2025, 2, 28));
    let deadline = calendar.deadline(date(2025, 1, 31), Period::Months(1));
    assert_eq!(deadline.due, date(2025, 2, 28));
    assert!(deadline.steps[0].text.contains("has no day 31"));
}

#[test]
fn per_4_january_31_plus_one_month_is_february_29_in_a_leap_year() {
    // 2024-02-29 is a Thursday, a working day, so no roll-forward.
    let calendar = embedded();
    assert_eq!(calendar.due_date(date(2024, 1, 31), Period::Months(1)), date(2024, 2, 29));
    assert_eq!(calendar.deadline(date(2024, 1, 31), Period::Months(1)).due, date(2024, 2, 29));
}

#[test]
fn per_4_a_month_end_on_a_rest_day_rolls_forward() {
    // 2026-01-31 + 1 month = 2026-02-28, a make-up working Saturday: it stays.
    let calendar = embedded();
    assert_eq!(calendar.due_date(date(2026, 1, 31), Period::Months(1)), date(2026, 2, 28));
    // 2025-08-31 + 1 month = 2025-09-30 (Tue), working. 2025-09-01 + 1 month = 10-01, the
    // 国庆节、中秋节 break, which ends on 10-08: the period ends on 10-09 (PER-4, art 203).
    assert_eq!(calendar.due_date(date(2025, 9, 1), Period::Months(1)), date(2025, 10, 9));
    // One year = 12 months: 2025-02-15 + 1y = 2026-02-15, in the 春节 break.
    assert_eq!(calendar.due_date(date(2025, 2, 15), Period::Months(12)), date(2026, 2, 24));
}

#[test]
fn per_10_2027_uses_weekends_and_fixed_date_holidays_and_is_provisional() {
    let calendar = embedded();
    for (holiday_date, name) in [
        (date(2027, 1, 1), "元旦"),
        (date(2027, 5, 1), "劳动节"),
        (date(2027, 5, 2), "劳动节"),
        (date(2027, 10, 1), "国庆节"),
        (date(2027, 10, 2), "国庆节"),
        (date(2027, 10, 3), "国庆节"),
    ] {
        let info = calendar.day_info(holiday_date);
        assert!(!info.workday, "{holiday_date}");
        assert!(info.provisional);
        assert_eq!(info.rule, "PER-10");
        assert_eq!(info.holiday.as_deref(), Some(name));
    }
    // 2027-10-04 is a Monday: a working day as far as anyone can know before the notice.
    let info = calendar.day_info(date(2027, 10, 4));
    assert!(info.workday && info.provisional);
    assert_eq!(info.reason, DayReason::Weekday);
    assert!(calendar.is_rest_day(date(2027, 3, 6)));

    // Friday 2027-04-30 + 1 day = Saturday 05-01: rolled over 05-01 and 05-02 (both fixed
    // holidays) to Monday 05-03.
    let deadline = calendar.deadline(date(2027, 4, 30), Period::Days(1));
    assert_eq!(deadline.due, date(2027, 5, 3));
    assert!(deadline.provisional);
    assert!(deadline.steps.iter().any(|step| step.rule == "PER-10"));
}

#[test]
fn per_10_a_deadline_reaching_into_an_unpublished_year_is_provisional() {
    let calendar = embedded();
    assert!(!calendar.deadline(date(2026, 12, 1), Period::Days(10)).provisional);
    let crossing = calendar.deadline(date(2026, 12, 25), Period::WorkingDays(10));
    assert!(crossing.provisional);
    assert!(crossing.steps.iter().any(|step| step.rule == "PER-10"));
    // Computed in a year whose notice is not yet out, 2026's 春节 is unknown: the fallback
    // only knows weekends, so 5 days after 2026-02-10 is Sunday 02-15, rolled to Monday 02-16.
    let early = calendar_without_2026().deadline(date(2026, 2, 10), Period::Days(5));
    assert_eq!(early.due, date(2026, 2, 16));
    assert!(early.provisional);
}

#[test]
fn per_5_day_info_explains_each_kind_of_day() {
    let calendar = embedded();
    let weekday = calendar.day_info(date(2026, 3, 2));
    assert_eq!((weekday.reason, weekday.rule.as_str()), (DayReason::Weekday, "PER-5"));
    let weekend = calendar.day_info(date(2026, 3, 7));
    assert_eq!((weekend.reason, weekend.workday), (DayReason::Weekend, false));
    let holiday = calendar.day_info(date(2025, 10, 8));
    assert_eq!(holiday.reason, DayReason::Holiday);
    assert_eq!(holiday.holiday.as_deref(), Some("国庆节、中秋节"));
    assert_eq!(holiday.rule, "HOL-2025");
    let makeup = calendar.day_info(date(2024, 9, 29));
    assert_eq!((makeup.reason, makeup.workday), (DayReason::MakeupWorkday, true));
    assert_eq!(makeup.rule, "HOL-2024");
}

#[test]
fn per_6_remind_three_working_days_ahead() {
    let calendar = embedded();
    // Three working days before 2026-02-24: 02-14 (make-up Saturday), 02-13, 02-12.
    assert_eq!(calendar.sub_working_days(date(2026, 2, 24), 3), date(2026, 2, 12));
    assert_eq!(calendar.sub_working_days(date(2026, 2, 24), 0), date(2026, 2, 24));
}

#[test]
fn per_1_roll_forward_keeps_a_working_day_and_moves_a_rest_day() {
    let calendar = embedded();
    assert_eq!(calendar.roll_forward(date(2026, 2, 14)), date(2026, 2, 14));
    assert_eq!(calendar.roll_forward(date(2026, 2, 15)), date(2026, 2, 24));
}

#[test]
fn hol_load_replaces_an_embedded_year_and_adds_a_new_one() {
    let directory = scratch_directory("load");
    // A made-up 2027 notice: one rest day on Monday 2027-02-08 and a make-up Saturday.
    let schedule_2027 = r#"{"rule": "HOL-2027", "year": 2027, "notice": "test notice",
        "document": "test", "published": "2026-11-01", "days": [
        {"date": "2027-02-08", "kind": "off", "holiday": "春节"},
        {"date": "2027-02-13", "kind": "work", "holiday": "春节"}]}"#;
    std::fs::write(directory.join("2027.json"), schedule_2027).expect("write 2027");
    // A replacement 2026 that, unlike the real one, leaves 2026-02-16 a working day.
    let mut replacement_2026 = embedded_schedules()
        .into_iter()
        .map(|(_, schedule)| schedule)
        .find(|schedule| schedule.year == 2026)
        .expect("embedded 2026");
    replacement_2026.days.retain(|day| day.date != date(2026, 2, 16));
    std::fs::write(
        directory.join("2026-revised.json"),
        serde_json::to_string(&replacement_2026).expect("serialize"),
    )
    .expect("write 2026");
    std::fs::write(directory.join("README.txt"), "not a schedule").expect("write readme");

    let calendar = Calendar::load(Some(&directory)).expect("the directory loads");
    assert_eq!(calendar.years(), vec![2024, 2025, 2026, 2027]);
    assert!(calendar.is_working_day(date(2026, 2, 16)));
    assert!(calendar.is_rest_day(date(2027, 2, 8)));
    assert!(calendar.is_working_day(date(2027, 2, 13)));
    assert!(!calendar.day_info(date(2027, 2, 13)).provisional);
    // With a 2027 notice, 2027 no longer falls back: 2027-05-01 is just a Saturday.
    assert_eq!(calendar.day_info(date(2027, 5, 1)).reason, DayReason::Weekend);
    assert!(calendar.is_working_day(date(2027, 10, 1)));

    let _ = std::fs::remove_dir_all(&directory);
}

#[test]
fn hol_load_without_a_directory_is_the_embedded_calendar() {
    let calendar = Calendar::load(None).expect("loads");
    assert_eq!(calendar.years(), vec![2024, 2025, 2026]);
}

#[test]
fn hol_load_reports_a_malformed_file_by_name() {
    let directory = scratch_directory("malformed");
    std::fs::write(
        directory.join("2027.json"),
        r#"{"rule": "HOL-2027", "year": 2027, "days": [{"date": "2027-02-30"}]}"#,
    )
    .expect("write");
    let error = Calendar::load(Some(&directory)).expect_err("malformed file");
    let message = error.to_string();
    assert!(matches!(error, CalendarError::Malformed { .. }), "{message}");
    assert!(message.contains("2027.json"), "{message}");
    assert!(message.contains("malformed"), "{message}");

    // Valid JSON with inconsistent content is refused the same way.
    std::fs::write(
        directory.join("2027.json"),
        r#"{"rule": "HOL-2027", "year": 2027, "notice": "n", "document": "d",
            "published": "2026-11-01",
            "days": [{"date": "2027-03-03", "kind": "work", "holiday": "x"}]}"#,
    )
    .expect("write");
    let message = Calendar::load(Some(&directory)).expect_err("weekday make-up day").to_string();
    assert!(message.contains("2027.json") && message.contains("2027-03-03"), "{message}");

    let _ = std::fs::remove_dir_all(&directory);
}

#[test]
fn hol_load_refuses_two_files_for_one_year_and_a_missing_directory() {
    let directory = scratch_directory("duplicate");
    let schedule = r#"{"rule": "HOL-2027", "year": 2027, "notice": "n", "document": "d",
        "published": "2026-11-01", "days": []}"#;
    std::fs::write(directory.join("a.json"), schedule).expect("write");
    std::fs::write(directory.join("b.json"), schedule).expect("write");
    let error = Calendar::load(Some(&directory)).expect_err("two files for 2027");
    assert!(matches!(error, CalendarError::DuplicateYear { year: 2027, .. }), "{error}");
    let _ = std::fs::remove_dir_all(&directory);

    let error = Calendar::load(Some(&directory)).expect_err("missing directory");
    assert!(matches!(error, CalendarError::Read { .. }), "{error}");
}

#[test]
fn hol_from_schedules_refuses_duplicate_years() {
    let mut schedules: Vec<YearSchedule> = embedded_schedules().into_iter().map(|(_, schedule)| schedule).collect();
    schedules.push(schedules[0].clone());
    assert!(matches!(
        Calendar::from_schedules(schedules),
        Err(CalendarError::DuplicateYear { year: 2024, .. })
    ));
}

#[test]
fn per_5_fast_path_agrees_with_the_rule_outside_and_across_the_indexed_years() {
    let calendar = embedded();
    let periods = [
        Period::Days(1),
        Period::Days(30),
        Period::WorkingDays(1),
        Period::WorkingDays(45),
        Period::Months(1),
        Period::Months(13),
    ];
    let ranges = [
        (date(1969, 11, 1), 120),
        (date(2199, 10, 1), 120),
        (date(2023, 12, 1), 60),
        (date(2026, 12, 1), 60),
    ];
    for (start, days) in ranges {
        for trigger in start.iter_days().take(days) {
            for period in periods {
                assert_eq!(
                    calendar.due_date(trigger, period),
                    calendar.due_date_reference(trigger, period).expect("in range"),
                    "{trigger} {period}"
                );
                assert_eq!(calendar.is_working_day(trigger), !calendar.is_rest_day_reference(trigger));
            }
            assert_eq!(
                calendar.sub_working_days(trigger, 7),
                calendar.sub_working_days_reference(trigger, 7).expect("in range")
            );
        }
    }
}

#[test]
fn per_6_largest_period_works_near_the_end_of_the_index() {
    let calendar = embedded();
    let trigger = date(2190, 1, 1);
    let due = calendar.due_date(trigger, Period::WorkingDays(PERIOD_COUNT_MAX));
    assert_eq!(due, calendar.deadline(trigger, Period::WorkingDays(PERIOD_COUNT_MAX)).due);
    assert_eq!(calendar.count_working_days(trigger, due), PERIOD_COUNT_MAX);
    assert_eq!(calendar.checked_due_date(NaiveDate::MAX, Period::Days(1)), None);
}

// Property tests. Triggers are spread over the published years; periods cover the sizes
// used in RULES.md and more.

fn trigger_strategy() -> impl Strategy<Value = NaiveDate> {
    let first = date(2024, 1, 1);
    let last_offset = (date(2026, 10, 31) - first).num_days() as u64;
    (0..=last_offset).prop_map(move |offset| first + Days::new(offset))
}

fn period_strategy() -> impl Strategy<Value = Period> {
    prop_oneof![
        (1u32..=60).prop_map(Period::Days),
        (1u32..=30).prop_map(Period::WorkingDays),
        (1u32..=12).prop_map(Period::Months),
    ]
}

proptest! {
    /// PER-1/PER-4/PER-6: every deadline ends after its trigger, on a working day; the fast
    /// path (`due_date`) and the explained path (`deadline`) agree.
    #[test]
    fn per_1_due_date_is_a_working_day_after_the_trigger_and_both_paths_agree(
        trigger in trigger_strategy(),
        period in period_strategy(),
    ) {
        let calendar = embedded();
        let due = calendar.due_date(trigger, period);
        prop_assert!(due > trigger);
        prop_assert!(calendar.is_working_day(due));
        let deadline = calendar.deadline(trigger, period);
        prop_assert_eq!(deadline.due, due);
        prop_assert_eq!(Some(due), calendar.due_date_reference(trigger, period));
        // A step cites a rule for every date it mentions, and the last step is the due date.
        prop_assert_eq!(deadline.steps.last().and_then(|step| step.date), Some(due));
        prop_assert_eq!(deadline.provisional, due.year() > 2026);
        prop_assert_eq!(deadline.provisional, calendar.is_provisional_between(trigger, due));
    }

    /// PER-1/PER-2/PER-4: for calendar days and months, the due date is the first working
    /// day on or after the (clamped) last day, so every day between them is a rest day.
    #[test]
    fn per_1_only_rest_days_lie_between_the_last_day_and_the_due_date(
        trigger in trigger_strategy(),
        period in period_strategy(),
    ) {
        let calendar = embedded();
        let last_day = match period {
            Period::Days(count) => trigger + Days::new(count.into()),
            Period::Months(count) => trigger.checked_add_months(Months::new(count)).expect("in range"),
            Period::WorkingDays(_) => return Ok(()),
        };
        let due = calendar.due_date(trigger, period);
        prop_assert!(due >= last_day);
        prop_assert!(last_day.iter_days().take_while(|day| *day < due).all(|day| calendar.is_rest_day(day)));
    }

    /// PER-6: exactly n working days lie in (trigger, due], and the due date is one of them.
    /// Going back n working days from it (`sub_working_days`) lands on the last working day
    /// on or before the trigger, i.e. `roll_back(trigger)` where roll_back(d) is d if d is
    /// a working day, else the nearest earlier working day.
    #[test]
    fn per_6_working_day_count_and_round_trip(
        trigger in trigger_strategy(),
        count in 1u32..=30,
    ) {
        let calendar = embedded();
        let due = calendar.due_date(trigger, Period::WorkingDays(count));
        prop_assert_eq!(due, calendar.add_working_days(trigger, count));
        prop_assert_eq!(calendar.count_working_days(trigger, due), count);
        prop_assert_eq!(calendar.count_working_days(trigger, due.pred_opt().expect("in range")), count - 1);
        let last_working_on_or_before_trigger = trigger
            .iter_days()
            .rev()
            .find(|day| calendar.is_working_day(*day))
            .expect("a working day before the trigger");
        prop_assert_eq!(calendar.sub_working_days(due, count), last_working_on_or_before_trigger);
    }
}
