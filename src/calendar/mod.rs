//! The legal calendar (PER, HOL): which days are working days, and when a legal period ends.
//!
//! The State Council's yearly holiday notices (HOL-yyyy) are data, in
//! `fixtures/calendar/yyyy.json`, embedded in the binary and replaceable from a directory.
//! A date in a year without a notice falls back to weekends plus the fixed-date statutory
//! holidays, and every answer that depends on such a date is marked provisional (PER-10).
//!
//! Two paths compute a deadline:
//! - `Calendar::due_date`, the fast path: a precomputed working-day bitset over 1970–2199;
//! - `Calendar::deadline`, the explained path: walks the dates one by one through
//!   `Calendar::day_info` and records each step with its rule ID.
//!
//! Both derive every day from the same rule (`is_rest_day_reference`), and the property
//! tests check that they agree.

pub mod cli;
mod period;
mod schedule;
mod working_day_index;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

pub use period::{Deadline, Period, PeriodParseError, Step, PERIOD_COUNT_MAX};
pub use schedule::{DayKind, ScheduledDay, YearSchedule};

use schedule::{fixed_date_statutory_holiday, is_weekend, EMBEDDED_SCHEDULE_FILES};
use working_day_index::{WorkingDayIndex, FIRST_INDEXED_YEAR, LAST_INDEXED_YEAR};

/// Why the calendar could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("cannot read holiday schedules from {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A schedule file that is not valid JSON in the `YearSchedule` format, or whose content
    /// is inconsistent (a date outside its year, a weekday make-up day, a duplicate date).
    #[error("holiday schedule file {} is malformed: {reason}", path.display())]
    Malformed { path: PathBuf, reason: String },
    /// A schedule handed to `Calendar::from_schedules` is inconsistent.
    #[error("holiday schedule for {year} is invalid: {reason}")]
    InvalidSchedule { year: i32, reason: String },
    #[error("two holiday schedules for {year}: {first} and {second}")]
    DuplicateYear { year: i32, first: String, second: String },
}

/// Why a day is a working day or a rest day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayReason {
    /// Monday to Friday, not listed in the year's notice (PER-5).
    Weekday,
    /// Saturday or Sunday, not listed in the year's notice (PER-5, 工作时间规定 art 7).
    Weekend,
    /// A rest day of a holiday break in the year's notice (HOL-yyyy).
    Holiday,
    /// A make-up working day (调休上班) in the year's notice (HOL-yyyy).
    MakeupWorkday,
    /// A fixed-date statutory holiday of 放假办法 in a year without a notice (PER-10).
    StatutoryHolidayFallback,
}

/// Everything the calendar knows about one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub workday: bool,
    /// True when the year has no published schedule (PER-10).
    pub provisional: bool,
    pub reason: DayReason,
    /// The holiday's name for `Holiday`, `MakeupWorkday` and `StatutoryHolidayFallback`.
    pub holiday: Option<String>,
    /// "HOL-yyyy" when the year's notice decides, else "PER-5" (ordinary week) or "PER-10"
    /// (year without a notice).
    pub rule: String,
    /// One sentence a judge can read.
    pub explanation: String,
}

/// The legal calendar: published schedules plus the precomputed working-day index.
/// Cloning is cheap (the data is shared).
#[derive(Debug, Clone)]
pub struct Calendar {
    data: Arc<CalendarData>,
}

struct CalendarData {
    schedules: BTreeMap<i32, YearSchedule>,
    working_days: WorkingDayIndex,
}

/// Shows the published years rather than the 84,000-bit working-day index.
impl std::fmt::Debug for CalendarData {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CalendarData")
            .field("published_years", &self.schedules.keys().collect::<Vec<_>>())
            .field("indexed_years", &(FIRST_INDEXED_YEAR..=LAST_INDEXED_YEAR))
            .finish_non_exhaustive()
    }
}

const EMBEDDED_ORIGIN: &str = "the embedded schedule";

impl Calendar {
    /// The calendar built from the schedules shipped in `fixtures/calendar/`. It is built
    /// once per process and shared, so calling this again costs a reference-count increment.
    pub fn embedded() -> Calendar {
        static EMBEDDED: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
        EMBEDDED
            .get_or_init(|| {
                let schedules = embedded_schedules().into_iter().map(|(_, schedule)| schedule).collect();
                Calendar::from_schedules(schedules).expect("the embedded holiday schedules are valid")
            })
            .clone()
    }

    /// The embedded schedules plus every `*.json` file in `directory`. A file for a year
    /// that is embedded replaces the embedded schedule; two files for one year are an error.
    pub fn load(directory: Option<&Path>) -> Result<Calendar, CalendarError> {
        let mut schedules: BTreeMap<i32, (String, YearSchedule)> = embedded_schedules()
            .into_iter()
            .map(|(origin, schedule)| (schedule.year, (origin, schedule)))
            .collect();
        if let Some(directory) = directory {
            for path in schedule_files_in(directory)? {
                let schedule = read_schedule_file(&path)?;
                let origin = path.display().to_string();
                if let Some((previous_origin, _)) = schedules.get(&schedule.year) {
                    if previous_origin != EMBEDDED_ORIGIN {
                        return Err(CalendarError::DuplicateYear {
                            year: schedule.year,
                            first: previous_origin.clone(),
                            second: origin,
                        });
                    }
                }
                schedules.insert(schedule.year, (origin, schedule));
            }
        }
        Ok(Calendar::build(
            schedules.into_values().map(|(_, schedule)| (schedule.year, schedule)).collect(),
        ))
    }

    /// A calendar from exactly these schedules (no embedded ones), e.g. to test a year
    /// without a notice.
    pub fn from_schedules(schedules: Vec<YearSchedule>) -> Result<Calendar, CalendarError> {
        let mut by_year = BTreeMap::new();
        for (position, mut schedule) in schedules.into_iter().enumerate() {
            schedule.validate_and_sort().map_err(|reason| CalendarError::InvalidSchedule {
                year: schedule.year,
                reason,
            })?;
            let year = schedule.year;
            if by_year.insert(year, schedule).is_some() {
                return Err(CalendarError::DuplicateYear {
                    year,
                    first: "an earlier schedule in the list".into(),
                    second: format!("schedule number {} in the list", position + 1),
                });
            }
        }
        Ok(Calendar::build(by_year))
    }

    fn build(schedules: BTreeMap<i32, YearSchedule>) -> Calendar {
        let working_days = WorkingDayIndex::build(|date| !rest_day_by_rule(&schedules, date));
        Calendar {
            data: Arc::new(CalendarData { schedules, working_days }),
        }
    }

    /// The years with a published schedule, in order.
    pub fn years(&self) -> Vec<i32> {
        self.data.schedules.keys().copied().collect()
    }

    pub fn has_schedule(&self, year: i32) -> bool {
        self.data.schedules.contains_key(&year)
    }

    /// The published schedule for `year`, if any.
    pub fn schedule(&self, year: i32) -> Option<&YearSchedule> {
        self.data.schedules.get(&year)
    }

    /// Whether `date` is a working day (PER-5): not a holiday rest day, and not a weekend
    /// day unless the notice makes it a make-up working day.
    #[inline]
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.data.working_days.index_of(date) {
            Some(index) => self.data.working_days.is_working(index),
            None => !self.is_rest_day_reference(date),
        }
    }

    /// Whether `date` is a rest day, which PER-5 treats as a 法定休假日 for PER-1.
    #[inline]
    pub fn is_rest_day(&self, date: NaiveDate) -> bool {
        !self.is_working_day(date)
    }

    /// The per-date rule every other answer derives from (PER-5, HOL-yyyy, PER-10).
    fn is_rest_day_reference(&self, date: NaiveDate) -> bool {
        rest_day_by_rule(&self.data.schedules, date)
    }

    /// Whether `date`'s answer is provisional, because its year has no notice (PER-10).
    pub fn is_provisional(&self, date: NaiveDate) -> bool {
        !self.has_schedule(date.year())
    }

    /// What the calendar knows about `date`, and why.
    pub fn day_info(&self, date: NaiveDate) -> DayInfo {
        let weekday = date.weekday();
        if let Some(schedule) = self.data.schedules.get(&date.year()) {
            return match schedule.entry(date) {
                Some(entry) => match entry.kind {
                    DayKind::Off => DayInfo {
                        date,
                        workday: false,
                        provisional: false,
                        reason: DayReason::Holiday,
                        holiday: Some(entry.holiday.clone()),
                        rule: schedule.rule.clone(),
                        explanation: format!(
                            "{date} ({weekday}) is a rest day of the {} holiday ({}, {}).",
                            entry.holiday, schedule.rule, schedule.document
                        ),
                    },
                    DayKind::Work => DayInfo {
                        date,
                        workday: true,
                        provisional: false,
                        reason: DayReason::MakeupWorkday,
                        holiday: Some(entry.holiday.clone()),
                        rule: schedule.rule.clone(),
                        explanation: format!(
                            "{date} ({weekday}) is a make-up working day (调休上班) for {} ({}, {}).",
                            entry.holiday, schedule.rule, schedule.document
                        ),
                    },
                },
                None => ordinary_week_day_info(date, false),
            };
        }
        // PER-10: no notice for this year, so only the fixed-date holidays are known.
        if let Some(holiday) = fixed_date_statutory_holiday(date) {
            return DayInfo {
                date,
                workday: false,
                provisional: true,
                reason: DayReason::StatutoryHolidayFallback,
                holiday: Some(holiday.to_owned()),
                rule: "PER-10".into(),
                explanation: format!(
                    "{date} ({weekday}) is {holiday}, a fixed-date statutory holiday of 放假办法; \
                     {} has no published State Council schedule, so this is provisional (PER-10).",
                    date.year()
                ),
            };
        }
        ordinary_week_day_info(date, true)
    }

    /// `date` itself if it is a working day, else the first working day after it (PER-1:
    /// a period whose last day is a rest day ends on the first day after the rest).
    pub fn roll_forward(&self, date: NaiveDate) -> NaiveDate {
        let working_days = &self.data.working_days;
        working_days
            .index_of(date)
            .and_then(|index| working_days.roll_forward(index))
            .map(|index| working_days.date_at(index))
            .unwrap_or_else(|| self.roll_forward_reference(date).expect(BEYOND_CHRONO_RANGE))
    }

    /// The `count`-th working day after `date`, not counting `date` (PER-6).
    pub fn add_working_days(&self, date: NaiveDate, count: u32) -> NaiveDate {
        let working_days = &self.data.working_days;
        working_days
            .index_of(date)
            .and_then(|index| working_days.add_working_days(index, count))
            .map(|index| working_days.date_at(index))
            .unwrap_or_else(|| self.add_working_days_reference(date, count).expect(BEYOND_CHRONO_RANGE))
    }

    /// The `count`-th working day before `date`, not counting `date`; e.g. "remind 3 working
    /// days ahead" is `sub_working_days(due, 3)`. With `count == 0` it is `date`.
    pub fn sub_working_days(&self, date: NaiveDate, count: u32) -> NaiveDate {
        let working_days = &self.data.working_days;
        working_days
            .index_of(date)
            .and_then(|index| working_days.sub_working_days(index, count))
            .map(|index| working_days.date_at(index))
            .unwrap_or_else(|| self.sub_working_days_reference(date, count).expect(BEYOND_CHRONO_RANGE))
    }

    /// The number of working days in (`after`, `up_to`], i.e. counted as PER-6 counts them.
    /// Zero when `up_to` is not after `after`.
    pub fn count_working_days(&self, after: NaiveDate, up_to: NaiveDate) -> u32 {
        after
            .iter_days()
            .skip(1)
            .take_while(|date| *date <= up_to)
            .filter(|date| self.is_working_day(*date))
            .count() as u32
    }

    /// The last day of `period` started by an event on `trigger`, without the explanation:
    /// the fast path for sweeps. Same answer as `deadline(trigger, period).due`.
    ///
    /// # Panics
    /// If the answer lies beyond chrono's last date (year 262142), which no period of at most
    /// `PERIOD_COUNT_MAX` units from a four-digit year can reach.
    #[inline]
    pub fn due_date(&self, trigger: NaiveDate, period: Period) -> NaiveDate {
        self.checked_due_date(trigger, period).expect(BEYOND_CHRONO_RANGE)
    }

    /// `due_date`, or `None` when the answer lies beyond chrono's last date.
    #[inline]
    pub fn checked_due_date(&self, trigger: NaiveDate, period: Period) -> Option<NaiveDate> {
        self.indexed_due_date(trigger, period)
            .or_else(|| self.due_date_reference(trigger, period))
    }

    /// The bitset path; `None` when any date involved is outside the indexed years.
    #[inline]
    fn indexed_due_date(&self, trigger: NaiveDate, period: Period) -> Option<NaiveDate> {
        let working_days = &self.data.working_days;
        let due_index = match period {
            // PER-1/PER-2: day n is trigger + n; a rest day moves the end forward.
            Period::Days(count) => {
                let last_day = working_days.index_of(trigger)? + count as usize;
                working_days.roll_forward(last_day)?
            }
            // PER-6: the n-th working day after the trigger.
            Period::WorkingDays(count) => working_days.add_working_days(working_days.index_of(trigger)?, count)?,
            // PER-4: the corresponding day (clamped to the month's end), then PER-1.
            Period::Months(count) => {
                let last_day = trigger.checked_add_months(Months::new(count))?;
                let last_day_index = working_days.index_of(last_day)?;
                let due_index = working_days.roll_forward(last_day_index)?;
                if due_index == last_day_index {
                    return Some(last_day);
                }
                due_index
            }
        };
        Some(working_days.date_at(due_index))
    }

    /// The day-by-day definition of every period, used outside the indexed years and as the
    /// oracle the fast path is tested against.
    fn due_date_reference(&self, trigger: NaiveDate, period: Period) -> Option<NaiveDate> {
        match period {
            Period::Days(count) => self.roll_forward_reference(trigger.checked_add_days(Days::new(count.into()))?),
            Period::WorkingDays(count) => self.add_working_days_reference(trigger, count),
            Period::Months(count) => self.roll_forward_reference(trigger.checked_add_months(Months::new(count))?),
        }
    }

    fn roll_forward_reference(&self, mut date: NaiveDate) -> Option<NaiveDate> {
        while self.is_rest_day_reference(date) {
            date = date.succ_opt()?;
        }
        Some(date)
    }

    fn add_working_days_reference(&self, mut date: NaiveDate, count: u32) -> Option<NaiveDate> {
        let mut counted = 0;
        while counted < count {
            date = date.succ_opt()?;
            if !self.is_rest_day_reference(date) {
                counted += 1;
            }
        }
        Some(date)
    }

    fn sub_working_days_reference(&self, mut date: NaiveDate, count: u32) -> Option<NaiveDate> {
        let mut counted = 0;
        while counted < count {
            date = date.pred_opt()?;
            if !self.is_rest_day_reference(date) {
                counted += 1;
            }
        }
        Some(date)
    }

    /// The last day of `period` started by an event on `trigger`, with every step of the
    /// reasoning and its rule ID.
    ///
    /// # Panics
    /// As `due_date`.
    pub fn deadline(&self, trigger: NaiveDate, period: Period) -> Deadline {
        let mut steps = Vec::new();
        let due = match period {
            Period::Days(count) => self.explain_calendar_days(trigger, count, &mut steps),
            Period::WorkingDays(count) => self.explain_working_days(trigger, count, &mut steps),
            Period::Months(count) => self.explain_months(trigger, count, &mut steps),
        };
        // The PER-10 notes are dated at the start of each unpublished year; a stable sort
        // puts them in date order among the other steps without reordering equal dates.
        steps.sort_by_key(|step| step.date);
        Deadline {
            trigger,
            period,
            due,
            provisional: self.is_provisional_between(trigger, due),
            steps,
        }
    }

    /// Whether any date in (trigger, due] lies in a year without a notice (PER-10): the
    /// `provisional` flag of `deadline`, for callers that use the fast `due_date`.
    pub fn is_provisional_between(&self, trigger: NaiveDate, due: NaiveDate) -> bool {
        let first_year = trigger.succ_opt().unwrap_or(trigger).year();
        (first_year..=due.year()).any(|year| !self.has_schedule(year))
    }

    /// PER-1/PER-2: n calendar days; only the end moves off a rest day.
    fn explain_calendar_days(&self, trigger: NaiveDate, count: u32, steps: &mut Vec<Step>) -> NaiveDate {
        let first_day = trigger.succ_opt().expect(BEYOND_CHRONO_RANGE);
        steps.push(Step::on(
            "PER-2",
            first_day,
            format!(
                "The period starts on {first_day} ({}), the day after the trigger {trigger}; \
                 the trigger day itself is not counted (PER-1, PER-2).",
                first_day.weekday()
            ),
        ));
        let last_day = trigger.checked_add_days(Days::new(count.into())).expect(BEYOND_CHRONO_RANGE);
        steps.push(Step::on(
            "PER-1",
            last_day,
            format!(
                "Day {count} of {count} calendar day{} is {last_day} ({}).",
                if count == 1 { "" } else { "s" },
                last_day.weekday()
            ),
        ));
        self.explain_roll_forward(first_day, last_day, "PER-1", steps)
    }

    /// PER-4: n months; the corresponding day, clamped to the month's end, then PER-1.
    fn explain_months(&self, trigger: NaiveDate, count: u32, steps: &mut Vec<Step>) -> NaiveDate {
        let last_day = trigger.checked_add_months(Months::new(count)).expect(BEYOND_CHRONO_RANGE);
        let months = if count == 1 { "month" } else { "months" };
        let text = if last_day.day() == trigger.day() {
            format!(
                "{count} {months} after {trigger} is the corresponding day {last_day} ({}) \
                 (PER-4, 民法典 art 202).",
                last_day.weekday()
            )
        } else {
            format!(
                "{count} {months} after {trigger} falls in {}, which has no day {}; the last day \
                 of that month, {last_day} ({}), is the last day of the period (PER-4, 民法典 art 202).",
                last_day.format("%B %Y"),
                trigger.day(),
                last_day.weekday()
            )
        };
        steps.push(Step::on("PER-4", last_day, text));
        let first_day = trigger.succ_opt().expect(BEYOND_CHRONO_RANGE);
        self.explain_roll_forward(first_day, last_day, "PER-4", steps)
    }

    /// PER-1 (and PER-4, 民法典 art 203): if the last day is a rest day, the period ends on
    /// the first working day after it. Adds a PER-10 note for each year in [first_day, due]
    /// without a notice, one step per rest day passed over, then the due date.
    fn explain_roll_forward(&self, first_day: NaiveDate, last_day: NaiveDate, period_rule: &str, steps: &mut Vec<Step>) -> NaiveDate {
        let mut due = last_day;
        let mut rest_day_steps = Vec::new();
        loop {
            let info = self.day_info(due);
            if info.workday {
                break;
            }
            rest_day_steps.push(Step::on(info.rule, due, info.explanation));
            due = due.succ_opt().expect(BEYOND_CHRONO_RANGE);
        }
        // The year notes go before the rest days so that, after the final sort by date, a
        // note shares its date with a rest day only by coming first.
        self.note_provisional_years(first_day, due, steps);
        steps.append(&mut rest_day_steps);
        let text = if due == last_day {
            format!("{due} ({}) is a working day, so it is the due date ({period_rule}).", due.weekday())
        } else {
            let basis = if period_rule == "PER-4" {
                "PER-4, 民法典 art 203"
            } else {
                "PER-1"
            };
            format!(
                "The last day fell on a rest day, so the period ends on the first working day \
                 after the rest: {due} ({}) ({basis}).",
                due.weekday()
            )
        };
        steps.push(Step::on(period_rule, due, text));
        due
    }

    /// PER-6: count only working days, from the day after the trigger. Ordinary weeks are
    /// summarised in one step; holiday breaks and make-up working days get their own steps
    /// so the HOL-yyyy rule that moved the date is visible.
    fn explain_working_days(&self, trigger: NaiveDate, count: u32, steps: &mut Vec<Step>) -> NaiveDate {
        let first_day = trigger.succ_opt().expect(BEYOND_CHRONO_RANGE);
        steps.push(Step::on(
            "PER-6",
            first_day,
            format!(
                "Counting {count} working day{} from {first_day} ({}), the day after the trigger \
                 {trigger}; only working days count (PER-6).",
                if count == 1 { "" } else { "s" },
                first_day.weekday()
            ),
        ));
        let mut summary = WorkingDaySummary::default();
        let mut counted = 0;
        let mut date = trigger;
        let mut noted_year = None;
        while counted < count {
            date = date.succ_opt().expect(BEYOND_CHRONO_RANGE);
            let info = self.day_info(date);
            if info.provisional && noted_year != Some(date.year()) {
                summary.flush(steps);
                steps.push(provisional_year_step(date));
                noted_year = Some(date.year());
            }
            if info.workday {
                counted += 1;
            }
            summary.add(info, counted, steps);
        }
        summary.flush(steps);
        steps.push(Step::on(
            "PER-6",
            date,
            format!(
                "Working day {count} is {date} ({}): the last day of the period (PER-6).",
                date.weekday()
            ),
        ));
        date
    }

    /// One PER-10 step for each year in [first_day, last_day] without a notice.
    fn note_provisional_years(&self, first_day: NaiveDate, last_day: NaiveDate, steps: &mut Vec<Step>) {
        for year in first_day.year()..=last_day.year() {
            if !self.has_schedule(year) {
                let first_in_year = NaiveDate::from_ymd_opt(year, 1, 1).map_or(first_day, |january_first| january_first.max(first_day));
                steps.push(provisional_year_step(first_in_year));
            }
        }
    }
}

const BEYOND_CHRONO_RANGE: &str = "the deadline lies beyond the last date chrono can represent";

fn provisional_year_step(date: NaiveDate) -> Step {
    let year = date.year();
    Step::on(
        "PER-10",
        date,
        format!(
            "{year} has no published State Council holiday schedule: only weekends and the \
             fixed-date holidays of 放假办法 (元旦, 劳动节, 国庆节) are known, lunar holidays \
             and 调休 are not, so the deadline is provisional (PER-10)."
        ),
    )
}

/// PER-5 with the year's notice (or PER-10 without one): Monday to Friday working,
/// Saturday and Sunday rest.
fn ordinary_week_day_info(date: NaiveDate, provisional: bool) -> DayInfo {
    let weekday = date.weekday();
    let weekend = is_weekend(date);
    let rule = if provisional { "PER-10" } else { "PER-5" };
    let mut explanation = if weekend {
        format!("{date} ({weekday}) is a weekend day, a rest day (PER-5, 工作时间规定 art 7).")
    } else {
        format!("{date} ({weekday}) is an ordinary weekday, a working day (PER-5).")
    };
    if provisional {
        explanation.push_str(&format!(
            " {} has no published State Council schedule, so this is provisional (PER-10).",
            date.year()
        ));
    }
    DayInfo {
        date,
        workday: !weekend,
        provisional,
        reason: if weekend { DayReason::Weekend } else { DayReason::Weekday },
        holiday: None,
        rule: rule.into(),
        explanation,
    }
}

/// The rest-day rule of PER-5 as RULES.md states it:
/// `holiday_off.contains(d) || (is_weekend(d) && !makeup_workday.contains(d))`,
/// with the PER-10 fixed-date holidays for a year without a notice.
fn rest_day_by_rule(schedules: &BTreeMap<i32, YearSchedule>, date: NaiveDate) -> bool {
    match schedules.get(&date.year()) {
        Some(schedule) => match schedule.entry(date) {
            Some(entry) => entry.kind == DayKind::Off,
            None => is_weekend(date),
        },
        None => is_weekend(date) || fixed_date_statutory_holiday(date).is_some(),
    }
}

/// Groups the days walked by the PER-6 explanation into readable steps.
#[derive(Default)]
struct WorkingDaySummary {
    ordinary_run: Option<OrdinaryRun>,
    holiday_run: Option<HolidayRun>,
}

/// Consecutive ordinary days (weekdays and plain weekends).
struct OrdinaryRun {
    first: NaiveDate,
    last: NaiveDate,
    /// The working-day numbers of the first and last working day in the run, if any.
    counted_range: Option<(u32, u32)>,
    weekend_days: u32,
    provisional: bool,
}

/// Consecutive rest days of one holiday break.
struct HolidayRun {
    first: NaiveDate,
    last: NaiveDate,
    days: u32,
    holiday: String,
    rule: String,
}

impl WorkingDaySummary {
    /// `counted` is the number of working days counted so far, including `info`'s day.
    fn add(&mut self, info: DayInfo, counted: u32, steps: &mut Vec<Step>) {
        match info.reason {
            DayReason::Weekday | DayReason::Weekend => {
                self.flush_holiday_run(steps);
                let run = self.ordinary_run.get_or_insert(OrdinaryRun {
                    first: info.date,
                    last: info.date,
                    counted_range: None,
                    weekend_days: 0,
                    provisional: info.provisional,
                });
                run.last = info.date;
                if info.workday {
                    run.counted_range = Some(match run.counted_range {
                        Some((first_number, _)) => (first_number, counted),
                        None => (counted, counted),
                    });
                } else {
                    run.weekend_days += 1;
                }
            }
            DayReason::Holiday | DayReason::StatutoryHolidayFallback => {
                self.flush_ordinary_run(steps);
                let holiday = info.holiday.unwrap_or_default();
                if let Some(run) = &mut self.holiday_run {
                    if run.holiday == holiday && run.rule == info.rule {
                        run.last = info.date;
                        run.days += 1;
                        return;
                    }
                }
                self.flush_holiday_run(steps);
                self.holiday_run = Some(HolidayRun {
                    first: info.date,
                    last: info.date,
                    days: 1,
                    holiday,
                    rule: info.rule,
                });
            }
            DayReason::MakeupWorkday => {
                self.flush(steps);
                steps.push(Step::on(
                    info.rule.clone(),
                    info.date,
                    format!(
                        "Working day {counted}: {} ({}), a make-up working day (调休上班) for {} ({}).",
                        info.date,
                        info.date.weekday(),
                        info.holiday.unwrap_or_default(),
                        info.rule
                    ),
                ));
            }
        }
    }

    fn flush(&mut self, steps: &mut Vec<Step>) {
        self.flush_ordinary_run(steps);
        self.flush_holiday_run(steps);
    }

    fn flush_ordinary_run(&mut self, steps: &mut Vec<Step>) {
        let Some(run) = self.ordinary_run.take() else {
            return;
        };
        let span = date_span(run.first, run.last);
        let weekend_note = match run.weekend_days {
            0 => String::new(),
            1 => ", not counting 1 weekend day (PER-5)".into(),
            days => format!(", not counting {days} weekend days (PER-5)"),
        };
        let (rule, text) = match run.counted_range {
            Some((first_number, last_number)) if first_number == last_number => {
                ("PER-6", format!("Working day {first_number}: {span}{weekend_note}."))
            }
            Some((first_number, last_number)) => ("PER-6", format!("Working days {first_number}–{last_number}: {span}{weekend_note}.")),
            None => (
                "PER-5",
                format!(
                    "{span}: {} weekend day{}, not counted (PER-5).",
                    run.weekend_days,
                    if run.weekend_days == 1 { "" } else { "s" }
                ),
            ),
        };
        let rule = if run.provisional && run.counted_range.is_none() {
            "PER-10"
        } else {
            rule
        };
        steps.push(Step::on(rule, run.first, text));
    }

    fn flush_holiday_run(&mut self, steps: &mut Vec<Step>) {
        let Some(run) = self.holiday_run.take() else {
            return;
        };
        let text = format!(
            "{}: {} rest day{} of the {} holiday, not counted ({}).",
            date_span(run.first, run.last),
            run.days,
            if run.days == 1 { "" } else { "s" },
            run.holiday,
            run.rule
        );
        steps.push(Step::on(run.rule, run.first, text));
    }
}

/// "2026-02-15 (Sun)" or "2026-02-15 (Sun) to 2026-02-23 (Mon)".
fn date_span(first: NaiveDate, last: NaiveDate) -> String {
    if first == last {
        format!("{first} ({})", first.weekday())
    } else {
        format!("{first} ({}) to {last} ({})", first.weekday(), last.weekday())
    }
}

fn embedded_schedules() -> Vec<(String, YearSchedule)> {
    EMBEDDED_SCHEDULE_FILES
        .iter()
        .map(|(path, text)| {
            let mut schedule: YearSchedule =
                serde_json::from_str(text).unwrap_or_else(|error| panic!("embedded {path} is not a valid schedule: {error}"));
            schedule
                .validate_and_sort()
                .unwrap_or_else(|reason| panic!("embedded {path} is inconsistent: {reason}"));
            (EMBEDDED_ORIGIN.to_owned(), schedule)
        })
        .collect()
}

/// The `*.json` files directly in `directory`, sorted so that errors are reproducible.
fn schedule_files_in(directory: &Path) -> Result<Vec<PathBuf>, CalendarError> {
    let read_error = |source| CalendarError::Read {
        path: directory.to_owned(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(directory).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path.is_file() && path.extension().is_some_and(|extension| extension == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

fn read_schedule_file(path: &Path) -> Result<YearSchedule, CalendarError> {
    let text = std::fs::read_to_string(path).map_err(|source| CalendarError::Read {
        path: path.to_owned(),
        source,
    })?;
    let malformed = |reason: String| CalendarError::Malformed {
        path: path.to_owned(),
        reason,
    };
    let mut schedule: YearSchedule = serde_json::from_str(&text).map_err(|error| malformed(error.to_string()))?;
    schedule.validate_and_sort().map_err(malformed)?;
    Ok(schedule)
}

// The indexed range must cover the published years, or the fast path would never be used.
const _: () = assert!(FIRST_INDEXED_YEAR <= 2024 && LAST_INDEXED_YEAR >= 2026);
