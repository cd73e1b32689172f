//! The State Council's annual holiday schedules (HOL-yyyy) as data, and the fixed-date
//! statutory holidays used when a year has no published schedule yet (PER-10).

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The schedules shipped with the binary. Each file is one State Council notice
/// (国务院办公厅关于yyyy年部分节假日安排的通知), transcribed from RULES.md §7.
pub(crate) const EMBEDDED_SCHEDULE_FILES: [(&str, &str); 3] = [
    ("fixtures/calendar/2024.json", include_str!("../../fixtures/calendar/2024.json")),
    ("fixtures/calendar/2025.json", include_str!("../../fixtures/calendar/2025.json")),
    ("fixtures/calendar/2026.json", include_str!("../../fixtures/calendar/2026.json")),
];

/// What the notice says about one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    /// A rest day (放假) of a holiday break, including the weekend dates inside the break.
    Off,
    /// A make-up working day (调休上班): a Saturday or Sunday that is a working day.
    Work,
}

/// One date listed in a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday the date belongs to, as the notice names it (e.g. "春节", "国庆节、中秋节").
    pub holiday: String,
}

/// One year's State Council holiday notice (HOL-yyyy), in the format of
/// `fixtures/calendar/yyyy.json`. Dates it does not list follow the ordinary week:
/// Monday to Friday working, Saturday and Sunday rest (PER-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearSchedule {
    /// The rule ID this schedule implements, always `HOL-<year>`.
    pub rule: String,
    pub year: i32,
    /// The notice's title.
    pub notice: String,
    /// The notice's document number (e.g. 国办发明电〔2025〕7号).
    pub document: String,
    /// The day the notice was published.
    pub published: NaiveDate,
    /// Every rest date of every break and every make-up working day.
    pub days: Vec<ScheduledDay>,
}

impl YearSchedule {
    /// Checks the schedule for the mistakes a transcription can make, and sorts its days by
    /// date so that look-ups can use a binary search. The error is a sentence saying what is
    /// wrong; the caller adds where the schedule came from.
    pub(crate) fn validate_and_sort(&mut self) -> Result<(), String> {
        let expected_rule = format!("HOL-{}", self.year);
        if self.rule != expected_rule {
            return Err(format!(
                "rule is \"{}\" but a schedule for {} must be \"{expected_rule}\"",
                self.rule, self.year
            ));
        }
        for day in &self.days {
            if day.date.year() != self.year {
                return Err(format!("{} is listed in the schedule for {}", day.date, self.year));
            }
            if day.holiday.trim().is_empty() {
                return Err(format!("{} has no holiday name", day.date));
            }
            // A make-up working day (调休上班) only means something on a day that would
            // otherwise be a weekend rest day (PER-5); on a weekday it is a transcription error.
            if day.kind == DayKind::Work && !is_weekend(day.date) {
                return Err(format!(
                    "{} ({}) is marked \"work\" but only a Saturday or Sunday can be a make-up working day",
                    day.date,
                    day.date.weekday()
                ));
            }
        }
        self.days.sort_by_key(|day| day.date);
        if let Some(pair) = self.days.windows(2).find(|pair| pair[0].date == pair[1].date) {
            return Err(format!("{} is listed twice", pair[0].date));
        }
        Ok(())
    }

    /// The entry for `date`, if the notice lists it. Needs `validate_and_sort` to have run.
    pub(crate) fn entry(&self, date: NaiveDate) -> Option<&ScheduledDay> {
        self.days
            .binary_search_by_key(&date, |day| day.date)
            .ok()
            .map(|position| &self.days[position])
    }

    pub fn rest_day_count(&self) -> usize {
        self.days.iter().filter(|day| day.kind == DayKind::Off).count()
    }

    pub fn makeup_working_day_count(&self) -> usize {
        self.days.iter().filter(|day| day.kind == DayKind::Work).count()
    }
}

/// Saturday and Sunday are the weekly rest days of state organs (PER-5, 工作时间规定 art 7).
pub(crate) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The year from which the 2024 revision of 放假办法 gives 劳动节 two days (HOL, §7:
/// "The changes to 春节 and 劳动节 apply from 2025").
const TWO_DAY_LABOUR_DAY_FROM_YEAR: i32 = 2025;

/// The fixed-date (solar calendar) statutory holidays of 放假办法 art 2 that fall on `date`,
/// used for years without a published notice (PER-10): 元旦 Jan 1, 劳动节 May 1 (and May 2
/// from 2025), 国庆节 Oct 1–3. The lunar holidays (春节, 清明, 端午, 中秋) and 调休 cannot be
/// predicted, which is why such answers are provisional.
pub(crate) fn fixed_date_statutory_holiday(date: NaiveDate) -> Option<&'static str> {
    match (date.month(), date.day()) {
        (1, 1) => Some("元旦"),
        (5, 1) => Some("劳动节"),
        (5, 2) if date.year() >= TWO_DAY_LABOUR_DAY_FROM_YEAR => Some("劳动节"),
        (10, 1..=3) => Some("国庆节"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded_schedule(year: i32) -> YearSchedule {
        let (_, text) = EMBEDDED_SCHEDULE_FILES
            .iter()
            .find(|(path, _)| path.ends_with(&format!("{year}.json")))
            .expect("an embedded schedule for the year");
        let mut schedule: YearSchedule = serde_json::from_str(text).expect("embedded schedule parses");
        schedule.validate_and_sort().expect("embedded schedule is valid");
        schedule
    }

    #[test]
    fn hol_2024_lists_28_rest_days_and_8_makeup_working_days() {
        let schedule = embedded_schedule(2024);
        assert_eq!(schedule.rule, "HOL-2024");
        assert_eq!(schedule.document, "国办发明电〔2023〕7号");
        assert_eq!(schedule.rest_day_count(), 28);
        assert_eq!(schedule.makeup_working_day_count(), 8);
    }

    #[test]
    fn hol_2025_lists_28_rest_days_and_5_makeup_working_days() {
        let schedule = embedded_schedule(2025);
        assert_eq!(schedule.rule, "HOL-2025");
        assert_eq!(schedule.document, "国办发明电〔2024〕12号");
        assert_eq!(schedule.rest_day_count(), 28);
        assert_eq!(schedule.makeup_working_day_count(), 5);
    }

    #[test]
    fn hol_2026_lists_33_rest_days_and_6_makeup_working_days() {
        let schedule = embedded_schedule(2026);
        assert_eq!(schedule.rule, "HOL-2026");
        assert_eq!(schedule.rest_day_count(), 33);
        assert_eq!(schedule.makeup_working_day_count(), 6);
    }

    #[test]
    fn hol_makeup_working_days_match_the_as_code_lists() {
        let makeup_dates = |year: i32| -> Vec<String> {
            embedded_schedule(year)
                .days
                .iter()
                .filter(|day| day.kind == DayKind::Work)
                .map(|day| day.date.format("%m-%d").to_string())
                .collect()
        };
        assert_eq!(
            makeup_dates(2024),
            ["02-04", "02-18", "04-07", "04-28", "05-11", "09-14", "09-29", "10-12"]
        );
        assert_eq!(makeup_dates(2025), ["01-26", "02-08", "04-27", "09-28", "10-11"]);
        assert_eq!(makeup_dates(2026), ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"]);
    }

    #[test]
    fn hol_schedule_rejects_a_makeup_working_day_on_a_weekday() {
        let mut schedule = embedded_schedule(2026);
        schedule.days.push(ScheduledDay {
            date: NaiveDate::from_ymd_opt(2026, 3, 4).expect("valid date"),
            kind: DayKind::Work,
            holiday: "test".into(),
        });
        let error = schedule.validate_and_sort().expect_err("weekday make-up day");
        assert!(error.contains("2026-03-04"), "{error}");
    }

    #[test]
    fn hol_schedule_rejects_a_date_from_another_year_and_a_duplicate() {
        let mut schedule = embedded_schedule(2026);
        schedule.days.push(ScheduledDay {
            date: NaiveDate::from_ymd_opt(2027, 1, 1).expect("valid date"),
            kind: DayKind::Off,
            holiday: "元旦".into(),
        });
        assert!(schedule.validate_and_sort().is_err());

        let mut schedule = embedded_schedule(2026);
        let first = schedule.days[0].clone();
        schedule.days.push(first);
        let error = schedule.validate_and_sort().expect_err("duplicate date");
        assert!(error.contains("listed twice"), "{error}");
    }

    #[test]
    fn per_10_fixed_date_holidays_follow_the_2024_revision_from_2025() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
        assert_eq!(fixed_date_statutory_holiday(date(2027, 1, 1)), Some("元旦"));
        assert_eq!(fixed_date_statutory_holiday(date(2027, 5, 2)), Some("劳动节"));
        assert_eq!(fixed_date_statutory_holiday(date(2027, 5, 3)), None);
        assert_eq!(fixed_date_statutory_holiday(date(2027, 10, 3)), Some("国庆节"));
        assert_eq!(fixed_date_statutory_holiday(date(2027, 10, 4)), None);
        // Before the 2024 revision took effect, 劳动节 was one day.
        assert_eq!(fixed_date_statutory_holiday(date(2023, 5, 2)), None);
    }
}
