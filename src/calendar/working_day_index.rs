//! A precomputed bitset of working days, so that a deadline costs a few word operations
//! instead of a walk through the schedules (the fast path behind `Calendar::due_date`).
//!
//! Bit `i` is set when the `i`-th day after 1970-01-01 is a working day. The bits are
//! computed once from the same day-by-day rule (`Calendar::is_rest_day_reference`,
//! PER-5/HOL-yyyy/PER-10) that the explained path uses, so both paths agree by
//! construction, and the tests check it.

use chrono::{Datelike, NaiveDate};

/// The first and last years kept in the bitset. Dates outside them take the slow path.
pub(crate) const FIRST_INDEXED_YEAR: i32 = 1970;
pub(crate) const LAST_INDEXED_YEAR: i32 = 2199;

/// `NaiveDate::num_days_from_ce` of 1970-01-01, the day with index 0.
const FIRST_INDEXED_DAY_FROM_CE: i32 = 719_163;

const BITS_PER_WORD: usize = u64::BITS as usize;

#[derive(Debug, Clone)]
pub(crate) struct WorkingDayIndex {
    /// Bit `i % 64` of word `i / 64` is set when day `i` is a working day. Bits past
    /// `day_count` are clear, so a scan that reaches them finds no working day and
    /// reports "outside the index" rather than a wrong date.
    working_words: Vec<u64>,
    day_count: usize,
}

impl WorkingDayIndex {
    /// Builds the bitset from a per-date rule.
    pub(crate) fn build(is_working_day: impl Fn(NaiveDate) -> bool) -> WorkingDayIndex {
        let first = NaiveDate::from_ymd_opt(FIRST_INDEXED_YEAR, 1, 1).expect("the first indexed day is a valid date");
        let last = NaiveDate::from_ymd_opt(LAST_INDEXED_YEAR, 12, 31).expect("the last indexed day is a valid date");
        debug_assert_eq!(first.num_days_from_ce(), FIRST_INDEXED_DAY_FROM_CE);
        let day_count = usize::try_from(last.num_days_from_ce() - first.num_days_from_ce() + 1).expect("the indexed range is not empty");
        let mut working_words = vec![0u64; day_count.div_ceil(BITS_PER_WORD)];
        for (index, date) in first.iter_days().take(day_count).enumerate() {
            if is_working_day(date) {
                working_words[index / BITS_PER_WORD] |= 1 << (index % BITS_PER_WORD);
            }
        }
        WorkingDayIndex { working_words, day_count }
    }

    /// The index of `date`, or `None` outside the indexed years.
    #[inline]
    pub(crate) fn index_of(&self, date: NaiveDate) -> Option<usize> {
        let index = usize::try_from(date.num_days_from_ce() - FIRST_INDEXED_DAY_FROM_CE).ok()?;
        (index < self.day_count).then_some(index)
    }

    #[inline]
    pub(crate) fn date_at(&self, index: usize) -> NaiveDate {
        debug_assert!(index < self.day_count);
        // The index is below `day_count`, so it fits an i32 and names a date in 1970..=2199.
        NaiveDate::from_num_days_from_ce_opt(FIRST_INDEXED_DAY_FROM_CE + index as i32).expect("an indexed day is a valid date")
    }

    #[inline]
    pub(crate) fn is_working(&self, index: usize) -> bool {
        (self.working_words[index / BITS_PER_WORD] >> (index % BITS_PER_WORD)) & 1 == 1
    }

    /// The first working day at or after `index` (PER-1: a period whose last day is a rest
    /// day ends on the first day after the rest). `None` when the answer is outside the index.
    #[inline]
    pub(crate) fn roll_forward(&self, index: usize) -> Option<usize> {
        self.nth_working_day_from(index, 1)
    }

    /// The `count`-th working day after `index`, not counting `index` itself (PER-6).
    /// `None` when the answer is outside the index.
    #[inline]
    pub(crate) fn add_working_days(&self, index: usize, count: u32) -> Option<usize> {
        if count == 0 {
            return Some(index);
        }
        self.nth_working_day_from(index + 1, count)
    }

    /// The `count`-th working day at or after `start` (`count` ≥ 1).
    #[inline]
    fn nth_working_day_from(&self, start: usize, count: u32) -> Option<usize> {
        debug_assert!(count >= 1);
        let mut word_index = start / BITS_PER_WORD;
        let mut bits = *self.working_words.get(word_index)? & (u64::MAX << (start % BITS_PER_WORD));
        let mut remaining = count;
        loop {
            let working_in_word = bits.count_ones();
            if working_in_word >= remaining {
                let found = word_index * BITS_PER_WORD + select_lowest(bits, remaining - 1);
                return (found < self.day_count).then_some(found);
            }
            remaining -= working_in_word;
            word_index += 1;
            bits = *self.working_words.get(word_index)?;
        }
    }

    /// The `count`-th working day before `index`, not counting `index` itself.
    /// `None` when the answer is before the index starts.
    #[inline]
    pub(crate) fn sub_working_days(&self, index: usize, count: u32) -> Option<usize> {
        if count == 0 {
            return Some(index);
        }
        let mut word_index = index / BITS_PER_WORD;
        // Keep only the days strictly before `index`.
        let mut bits = self.working_words[word_index] & ((1u64 << (index % BITS_PER_WORD)) - 1);
        let mut remaining = count;
        loop {
            let working_in_word = bits.count_ones();
            if working_in_word >= remaining {
                return Some(word_index * BITS_PER_WORD + select_highest(bits, remaining - 1));
            }
            remaining -= working_in_word;
            word_index = word_index.checked_sub(1)?;
            bits = self.working_words[word_index];
        }
    }
}

/// The position of the `rank`-th lowest set bit (0-based). `bits` has more than `rank` set bits.
#[inline]
fn select_lowest(mut bits: u64, rank: u32) -> usize {
    for _ in 0..rank {
        bits &= bits - 1;
    }
    bits.trailing_zeros() as usize
}

/// The position of the `rank`-th highest set bit (0-based). `bits` has more than `rank` set bits.
#[inline]
fn select_highest(mut bits: u64, rank: u32) -> usize {
    for _ in 0..rank {
        bits &= !(1u64 << (63 - bits.leading_zeros()));
    }
    (63 - bits.leading_zeros()) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_indexed_day_constant_is_1970_01_01() {
        let first = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        assert_eq!(first.num_days_from_ce(), FIRST_INDEXED_DAY_FROM_CE);
    }

    #[test]
    fn bit_selection_finds_the_ranked_bits() {
        let bits = 0b1011_0100u64;
        assert_eq!(select_lowest(bits, 0), 2);
        assert_eq!(select_lowest(bits, 1), 4);
        assert_eq!(select_lowest(bits, 3), 7);
        assert_eq!(select_highest(bits, 0), 7);
        assert_eq!(select_highest(bits, 3), 2);
    }

    #[test]
    fn scans_stop_at_the_edges_of_the_index() {
        let index = WorkingDayIndex::build(|date| date.day() == 15);
        let last = index.day_count - 1;
        assert_eq!(index.roll_forward(last), None);
        assert_eq!(index.sub_working_days(0, 1), None);
        let first_fifteenth = index.roll_forward(0).expect("1970-01-15");
        assert_eq!(index.date_at(first_fifteenth).to_string(), "1970-01-15");
        assert_eq!(index.sub_working_days(first_fifteenth, 1), None);
    }
}
