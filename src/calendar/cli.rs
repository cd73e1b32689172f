//! `chuzhi calendar …`: the command-line contract of SPEC §5.1.
//!
//! Each command prints one line (`workday`, `restday`, or a date), followed by
//! ` (provisional)` when a year without a published schedule was involved (PER-10).
//! `--explain` adds the reasoning, one line per step with its rule ID; `--json` prints one
//! JSON object instead (it already holds the steps, so `--explain` adds nothing to it).

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Calendar, Period};

#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum CalendarCommand {
    /// Says whether DATE is a working day (`workday`) or a rest day (`restday`) (PER-5, HOL-yyyy).
    IsWorkday {
        /// The date, as YYYY-MM-DD.
        #[arg(value_parser = parse_date_argument)]
        date: NaiveDate,
        /// Print why, with the rule that decides.
        #[arg(long)]
        explain: bool,
        /// Print one JSON object instead.
        #[arg(long)]
        json: bool,
    },
    /// Prints the last day of PERIOD started by an event on DATE (PER-1, PER-2, PER-4, PER-6).
    Deadline {
        /// The triggering event's date, as YYYY-MM-DD; it is not itself counted.
        #[arg(value_parser = parse_date_argument)]
        date: NaiveDate,
        /// 5d (calendar days), 3wd (working days), 1m (months) or 1y (years).
        period: Period,
        /// Print each step of the computation, with its rule ID.
        #[arg(long)]
        explain: bool,
        /// Print one JSON object instead.
        #[arg(long)]
        json: bool,
    },
}

/// Parses a strict `YYYY-MM-DD` date: four-digit year, two-digit month and day, and a day
/// that exists (2026-02-30 is refused).
pub fn parse_date_argument(input: &str) -> Result<NaiveDate, String> {
    let expected = || format!("expected a date as YYYY-MM-DD, got \"{input}\"");
    let bytes = input.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(position, byte)| match position {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(expected());
    }
    let number =
        |range: std::ops::Range<usize>| -> u32 { input[range].bytes().fold(0, |value, digit| value * 10 + u32::from(digit - b'0')) };
    let year = i32::try_from(number(0..4)).map_err(|_| expected())?;
    NaiveDate::from_ymd_opt(year, number(5..7), number(8..10)).ok_or_else(|| format!("{} (no such day)", expected()))
}

/// What to print for `command`, without a trailing newline (print it with `println!`).
pub fn run(calendar: &Calendar, command: &CalendarCommand) -> String {
    match command {
        CalendarCommand::IsWorkday { date, explain, json } => {
            let info = calendar.day_info(*date);
            if *json {
                return to_json_line(&info);
            }
            let mut output = String::from(if info.workday { "workday" } else { "restday" });
            if info.provisional {
                output.push_str(" (provisional)");
            }
            if *explain {
                let _ = write!(output, "\n  [{}] {}", info.rule, info.explanation);
            }
            output
        }
        CalendarCommand::Deadline {
            date,
            period,
            explain,
            json,
        } => {
            let deadline = calendar.deadline(*date, *period);
            if *json {
                return to_json_line(&deadline);
            }
            let mut output = deadline.due.to_string();
            if deadline.provisional {
                output.push_str(" (provisional)");
            }
            if *explain {
                for step in &deadline.steps {
                    match step.date {
                        Some(step_date) => {
                            let _ = write!(output, "\n  [{}] {step_date}: {}", step.rule, step.text);
                        }
                        None => {
                            let _ = write!(output, "\n  [{}] {}", step.rule, step.text);
                        }
                    }
                }
            }
            output
        }
    }
}

fn to_json_line(value: &impl Serialize) -> String {
    // The calendar's answers hold only strings, booleans and dates, which always serialize.
    serde_json::to_string(value).expect("calendar answers serialize to JSON")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, clap::Parser)]
    struct TestCli {
        #[command(subcommand)]
        command: CalendarCommand,
    }

    fn run_arguments(calendar: &Calendar, arguments: &[&str]) -> String {
        let cli = TestCli::try_parse_from(std::iter::once("calendar").chain(arguments.iter().copied()))
            .unwrap_or_else(|error| panic!("{arguments:?} should parse: {error}"));
        run(calendar, &cli.command)
    }

    fn parse_error(arguments: &[&str]) -> String {
        TestCli::try_parse_from(std::iter::once("calendar").chain(arguments.iter().copied()))
            .expect_err("the arguments should be refused")
            .to_string()
    }

    #[test]
    fn spec_5_1_contract_lines() {
        let calendar = Calendar::embedded();
        assert_eq!(run_arguments(&calendar, &["is-workday", "2026-02-14"]), "workday");
        assert_eq!(run_arguments(&calendar, &["is-workday", "2026-02-16"]), "restday");
        assert_eq!(run_arguments(&calendar, &["deadline", "2026-02-10", "5d"]), "2026-02-24");
        assert_eq!(run_arguments(&calendar, &["deadline", "2026-02-12", "3wd"]), "2026-02-24");
        assert_eq!(run_arguments(&calendar, &["deadline", "2025-01-31", "1m"]), "2025-02-28");
    }

    #[test]
    fn per_10_provisional_answers_are_marked_on_the_command_line() {
        let calendar = Calendar::embedded();
        // 2027-02-27 is a Saturday in a year without a schedule: rolled to Monday 03-01.
        assert_eq!(
            run_arguments(&calendar, &["deadline", "2027-02-26", "1d"]),
            "2027-03-01 (provisional)"
        );
        assert_eq!(run_arguments(&calendar, &["is-workday", "2027-03-01"]), "workday (provisional)");
        assert_eq!(run_arguments(&calendar, &["is-workday", "2027-10-01"]), "restday (provisional)");
    }

    #[test]
    fn per_1_explain_lists_the_steps_with_rule_ids() {
        let calendar = Calendar::embedded();
        let output = run_arguments(&calendar, &["deadline", "2026-02-10", "5d", "--explain"]);
        let lines: Vec<&str> = output.lines().collect();
        assert_eq!(lines[0], "2026-02-24");
        assert!(lines[1].starts_with("  [PER-2] 2026-02-11: "), "{output}");
        assert!(lines[2].starts_with("  [PER-1] 2026-02-15: Day 5 of 5"), "{output}");
        // One step per rest day passed over: 02-15 to 02-23, the 春节 break.
        let holiday_lines = lines.iter().filter(|line| line.contains("[HOL-2026]")).count();
        assert_eq!(holiday_lines, 9, "{output}");
        assert!(lines.last().is_some_and(|line| line.starts_with("  [PER-1] 2026-02-24: ")));

        let output = run_arguments(&calendar, &["is-workday", "2026-02-14", "--explain"]);
        assert_eq!(
            output,
            "workday\n  [HOL-2026] 2026-02-14 (Sat) is a make-up working day (调休上班) for 春节 \
             (HOL-2026, 国办发明电〔2025〕7号)."
        );
    }

    #[test]
    fn per_6_json_output_is_one_object_with_due_provisional_and_steps() {
        let calendar = Calendar::embedded();
        let output = run_arguments(&calendar, &["deadline", "2026-02-12", "3wd", "--json"]);
        assert!(!output.contains('\n'));
        let value: serde_json::Value = serde_json::from_str(&output).expect("valid JSON");
        assert_eq!(value["due"], "2026-02-24");
        assert_eq!(value["provisional"], false);
        assert_eq!(value["trigger"], "2026-02-12");
        assert_eq!(value["period"], "3wd");
        let steps = value["steps"].as_array().expect("steps array");
        assert!(steps.iter().any(|step| step["rule"] == "HOL-2026" && step["date"] == "2026-02-14"));

        let output = run_arguments(&calendar, &["is-workday", "2026-02-16", "--json"]);
        let value: serde_json::Value = serde_json::from_str(&output).expect("valid JSON");
        assert_eq!(value["date"], "2026-02-16");
        assert_eq!(value["workday"], false);
        assert_eq!(value["provisional"], false);
        assert_eq!(value["reason"], "holiday");
        assert_eq!(value["holiday"], "春节");
        assert_eq!(value["rule"], "HOL-2026");
    }

    #[test]
    fn malformed_arguments_say_what_was_expected() {
        for bad_date in ["2026-02-30", "2026-2-3", "20260203", "2026-13-01", "tomorrow", "+2026-02-03"] {
            let message = parse_error(&["is-workday", bad_date]);
            assert!(message.contains("expected a date as YYYY-MM-DD"), "{bad_date}: {message}");
        }
        let message = parse_error(&["deadline", "2026-02-10", "5x"]);
        assert!(message.contains("expected a period like 5d, 3wd, 1m or 1y"), "{message}");
        let message = parse_error(&["deadline", "2026-02-10", "0d"]);
        assert!(message.contains("expected a period like 5d, 3wd, 1m or 1y"), "{message}");
    }

    #[test]
    fn date_argument_parser_accepts_leap_days_only_in_leap_years() {
        assert_eq!(
            parse_date_argument("2024-02-29"),
            Ok(NaiveDate::from_ymd_opt(2024, 2, 29).expect("valid date"))
        );
        assert!(parse_date_argument("2025-02-29").is_err());
    }
}
