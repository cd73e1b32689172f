//! Fees of online inquiry and appraisal (REF-41 … REF-44), computed once the sale is known. Pure functions of
//! amounts in fen; every split adds up to the fee exactly.

use serde::{Deserialize, Serialize};

use super::price::SourceResult;
use crate::money::Money;

/// REF-44: the applicant advances the online-inquiry and appraisal fees …
pub const FEES_ADVANCED_BY: &str = "applicant";
/// … and the debtor bears them in the end, as an execution cost (FUND-10).
pub const FEES_BORNE_BY: &str = "debtor";

/// How the disposal ended, for the fees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "sale", rename_all = "snake_case")]
pub enum Sale {
    Sold { price: Money },
    NotSold,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeShare {
    pub payee: String,
    pub amount: Money,
}

/// The online inquiry, for REF-41 and REF-42.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnlineFeeCase<'a> {
    /// The results the reference price was averaged from (DESIGN: a result left out under REF-15 or REF-16 did not
    /// serve the court, so it does not compete for the fee).
    Results(&'a [SourceResult]),
    /// REF-42: every platform failed and the court commissioned an appraisal (REF-13).
    AllPlatformsFailed,
    /// REF-42: the inquiry was withdrawn (REF-35).
    Withdrawn,
}

/// Splits `total` equally among `payees`, exact to the fen by largest remainder. All shares have the same
/// fractional part, so the remaining fen go one each to the first payees in the order given (callers pass them
/// sorted, so the order is stable and documented).
pub fn split_equally(total: Money, payees: &[String]) -> Vec<FeeShare> {
    if payees.is_empty() {
        return Vec::new();
    }
    let count = payees.len() as i64;
    let base = total.fen() / count;
    let remainder = total.fen() % count;
    payees
        .iter()
        .enumerate()
        .map(|(index, payee)| FeeShare {
            payee: payee.clone(),
            amount: Money::from_fen(base + i64::from((index as i64) < remainder)),
        })
        .collect()
}

/// REF-41 / REF-42: the online-inquiry fee (one per inquiry) goes to the platform whose result is closest to the sale
/// price, split equally among platforms equally close; nothing when all platforms failed or the inquiry was
/// withdrawn. When the asset was not sold the rules name no price to compare with; DESIGN: the reference price.
pub fn online_inquiry_fee_shares(fee: Money, case: OnlineFeeCase<'_>, sale: Sale, reference_price: Money) -> Vec<FeeShare> {
    let results = match case {
        OnlineFeeCase::Results(results) => results,
        OnlineFeeCase::AllPlatformsFailed | OnlineFeeCase::Withdrawn => return Vec::new(),
    };
    let target = match sale {
        Sale::Sold { price } => price,
        Sale::NotSold => reference_price,
    };
    let distance = |result: &SourceResult| (result.amount.fen() - target.fen()).unsigned_abs();
    let Some(closest) = results.iter().map(distance).min() else {
        return Vec::new();
    };
    let mut winners: Vec<String> = results
        .iter()
        .filter(|result| distance(result) == closest)
        .map(|result| result.source.clone())
        .collect();
    winners.sort();
    winners.dedup();
    split_equally(fee, &winners)
}

/// The appraisal, for REF-43.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "case", rename_all = "snake_case")]
pub enum AppraisalFeeCase {
    /// The agency's result stood (or was corrected) and the disposal ended.
    Reported {
        appraisal_value: Money,
        sale: Sale,
        actual_cost: Money,
    },
    /// REF-35: withdrawn; reasonable actual costs.
    Withdrawn { actual_cost: Money },
    /// REF-24 / REF-29: the agency was replaced; nothing is paid to it.
    Replaced,
}

/// What the appraisal fee is computed from (REF-43).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "base", rename_all = "snake_case")]
pub enum FeeBase {
    /// The fee schedule applied to this value: the lower of the sale price and the appraisal value.
    Value {
        amount: Money,
    },
    /// Reasonable actual costs, paid as they are.
    ActualCost {
        amount: Money,
    },
    Nothing,
}

/// REF-43: sold, the lower of the sale price and the appraisal value; not sold or withdrawn, the actual costs;
/// replaced, nothing.
pub fn appraisal_fee_base(case: AppraisalFeeCase) -> FeeBase {
    match case {
        AppraisalFeeCase::Reported {
            appraisal_value,
            sale: Sale::Sold { price },
            ..
        } => FeeBase::Value {
            amount: price.min(appraisal_value),
        },
        AppraisalFeeCase::Reported {
            sale: Sale::NotSold,
            actual_cost,
            ..
        }
        | AppraisalFeeCase::Withdrawn { actual_cost } => FeeBase::ActualCost { amount: actual_cost },
        AppraisalFeeCase::Replaced => FeeBase::Nothing,
    }
}

/// REF-43: the fee, with the fee schedule (a tariff set outside these rules) applied to a value base.
pub fn appraisal_fee(case: AppraisalFeeCase, tariff: impl Fn(Money) -> Money) -> Money {
    match appraisal_fee_base(case) {
        FeeBase::Value { amount } => tariff(amount),
        FeeBase::ActualCost { amount } => amount,
        FeeBase::Nothing => Money::ZERO,
    }
}

/// REF-43: a report reissued by the original agency (REF-25) costs 30 % of the fee, rounded half-up to the fen.
pub fn reissue_fee(fee: Money) -> Money {
    Money::from_fen((fee.fen() * 3 + 5) / 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn result(source: &str, fen: i64) -> SourceResult {
        SourceResult {
            source: source.to_string(),
            amount: Money::from_fen(fen),
            reported_on: NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(),
            validity_months: 12,
        }
    }

    #[test]
    fn ref_41_fee_goes_to_the_closest_platform() {
        let results = [result("jd", 98_000_000), result("taobao", 101_000_000), result("gpai", 103_000_000)];
        let shares = online_inquiry_fee_shares(
            Money::from_fen(300_000),
            OnlineFeeCase::Results(&results),
            Sale::Sold {
                price: Money::from_fen(100_500_000),
            },
            Money::from_fen(100_666_667),
        );
        assert_eq!(
            shares,
            vec![FeeShare {
                payee: "taobao".into(),
                amount: Money::from_fen(300_000)
            }]
        );
    }

    #[test]
    fn ref_41_equally_close_platforms_split_the_fee_exactly_by_largest_remainder() {
        // 98.00 and 102.00 are both 2.00 from a sale at 100.00; 1,000.01 yuan splits 500.01 + 500.00.
        let results = [result("taobao", 10_200), result("jd", 9_800), result("gpai", 11_000)];
        let shares = online_inquiry_fee_shares(
            Money::from_fen(100_001),
            OnlineFeeCase::Results(&results),
            Sale::Sold {
                price: Money::from_fen(10_000),
            },
            Money::from_fen(10_333),
        );
        assert_eq!(
            shares,
            vec![
                FeeShare {
                    payee: "jd".into(),
                    amount: Money::from_fen(50_001)
                },
                FeeShare {
                    payee: "taobao".into(),
                    amount: Money::from_fen(50_000)
                },
            ]
        );
        let split = split_equally(Money::from_fen(100), &["a".into(), "b".into(), "c".into()]);
        assert_eq!(split.iter().map(|share| share.amount.fen()).collect::<Vec<_>>(), vec![34, 33, 33]);
    }

    #[test]
    fn ref_42_no_platform_is_paid_when_all_failed_or_withdrawn() {
        let sale = Sale::Sold { price: Money::from_fen(1) };
        assert!(online_inquiry_fee_shares(Money::from_fen(300_000), OnlineFeeCase::AllPlatformsFailed, sale, Money::ZERO).is_empty());
        assert!(online_inquiry_fee_shares(Money::from_fen(300_000), OnlineFeeCase::Withdrawn, sale, Money::ZERO).is_empty());
    }

    #[test]
    fn ref_43_appraisal_fee_base_is_the_lower_of_sale_and_appraisal_and_reissue_is_30_percent() {
        let tariff = |base: Money| Money::from_fen(base.fen() / 100); // 1 % for the test
        let sold_below = AppraisalFeeCase::Reported {
            appraisal_value: Money::from_fen(200_000_000),
            sale: Sale::Sold {
                price: Money::from_fen(150_000_000),
            },
            actual_cost: Money::from_fen(800_000),
        };
        assert_eq!(
            appraisal_fee_base(sold_below),
            FeeBase::Value {
                amount: Money::from_fen(150_000_000)
            }
        );
        assert_eq!(appraisal_fee(sold_below, tariff), Money::from_fen(1_500_000));
        let sold_above = AppraisalFeeCase::Reported {
            appraisal_value: Money::from_fen(200_000_000),
            sale: Sale::Sold {
                price: Money::from_fen(210_000_000),
            },
            actual_cost: Money::from_fen(800_000),
        };
        assert_eq!(appraisal_fee(sold_above, tariff), Money::from_fen(2_000_000));
        let unsold = AppraisalFeeCase::Reported {
            appraisal_value: Money::from_fen(200_000_000),
            sale: Sale::NotSold,
            actual_cost: Money::from_fen(800_000),
        };
        assert_eq!(appraisal_fee(unsold, tariff), Money::from_fen(800_000));
        assert_eq!(
            appraisal_fee(
                AppraisalFeeCase::Withdrawn {
                    actual_cost: Money::from_fen(1234)
                },
                tariff
            ),
            Money::from_fen(1234)
        );
        assert_eq!(appraisal_fee(AppraisalFeeCase::Replaced, tariff), Money::ZERO);
        // 30 % of 1,000.05 yuan = 300.015 → 300.02 half-up.
        assert_eq!(reissue_fee(Money::from_fen(100_005)), Money::from_fen(30_002));
        assert_eq!((FEES_ADVANCED_BY, FEES_BORNE_BY), ("applicant", "debtor"));
    }
}
