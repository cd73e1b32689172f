//! Calendar throughput. One bench iteration is a whole batch of 10,000 inputs, so divan's
//! items/s is deadlines (or day look-ups) per second.
//!
//! Target (fast path): at least 5 million `due_date` computations per second on one core.

use chrono::{Days, NaiveDate};
use chuzhi::calendar::{Calendar, Period};
use divan::counter::ItemsCount;
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

const BATCH_SIZE: usize = 10_000;

/// Realistic period sizes from RULES.md: objection and notice periods in days, payout and
/// review periods in working days, validity and grace periods in months.
const PERIODS: [Period; 11] = [
    Period::Days(3),
    Period::Days(5),
    Period::Days(10),
    Period::Days(15),
    Period::Days(30),
    Period::WorkingDays(3),
    Period::WorkingDays(5),
    Period::WorkingDays(10),
    Period::Months(1),
    Period::Months(6),
    Period::Months(12),
];

/// A deterministic pseudo-random sequence (xorshift64), so every run measures the same batch.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn first_trigger() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date")
}

/// Triggers spread over 2024-01-01..=2026-12-31 (1096 days).
const TRIGGER_SPAN_DAYS: u64 = 1096;

fn mixed_batch() -> Vec<(NaiveDate, Period)> {
    let mut random = Xorshift(0x9E37_79B9_7F4A_7C15);
    (0..BATCH_SIZE)
        .map(|_| {
            let trigger = first_trigger() + Days::new(random.next() % TRIGGER_SPAN_DAYS);
            let period = PERIODS[(random.next() % PERIODS.len() as u64) as usize];
            (trigger, period)
        })
        .collect()
}

fn date_batch() -> Vec<NaiveDate> {
    let mut random = Xorshift(0xD1B5_4A32_D192_ED03);
    (0..BATCH_SIZE)
        .map(|_| first_trigger() + Days::new(random.next() % TRIGGER_SPAN_DAYS))
        .collect()
}

/// The fast path: `due_date` over a mixed batch of d/wd/m periods.
#[divan::bench]
fn due_date(bencher: Bencher) {
    let calendar = Calendar::embedded();
    let batch = mixed_batch();
    bencher.counter(ItemsCount::new(batch.len())).bench(|| {
        for &(trigger, period) in &batch {
            black_box(calendar.due_date(black_box(trigger), black_box(period)));
        }
    });
}

/// The explained path: `deadline` with its steps, over the same batch.
#[divan::bench]
fn deadline_with_steps(bencher: Bencher) {
    let calendar = Calendar::embedded();
    let batch = mixed_batch();
    bencher.counter(ItemsCount::new(batch.len())).bench(|| {
        for &(trigger, period) in &batch {
            black_box(calendar.deadline(black_box(trigger), black_box(period)));
        }
    });
}

/// Single-day look-ups.
#[divan::bench]
fn is_working_day(bencher: Bencher) {
    let calendar = Calendar::embedded();
    let batch = date_batch();
    bencher.counter(ItemsCount::new(batch.len())).bench(|| {
        for &date in &batch {
            black_box(calendar.is_working_day(black_box(date)));
        }
    });
}
