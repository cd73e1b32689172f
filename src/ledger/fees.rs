//! FUND-10: the execution application fee (申请执行费; 诉讼费用交纳办法 arts 14, 20, 38). Paid after execution and
//! borne by the debtor, so it is an execution cost taken from the proceeds first (FUND-9).
//!
//! 诉讼费用交纳办法 art 14 (一): "没有执行金额或者价额的，每件交纳50元至500元。执行金额或者价额不超过1万元的，每件交纳50
//! 元；超过1万元至50万元的部分，按照1.5%交纳；超过50万元至500万元的部分，按照1%交纳；超过500万元至1000万元的部分，按照
//! 0.5%交纳；超过1000万元的部分，按照0.1%交纳。"
//!
//! Exactness (DESIGN; the statute says nothing about rounding): each band's part is computed exactly in thousandths of
//! a fen (every rate is a whole number of per mille), the parts are added exactly, and the sum is rounded once, half
//! up, to the fen.

use serde::{Deserialize, Serialize};

use super::error::LedgerError;
use crate::money::Money;

/// FUND-10: a case without an amount pays 50 to 500 yuan, as the court sets (in fen).
pub const NO_AMOUNT_FEE_MIN_FEN: i64 = 5_000;
pub const NO_AMOUNT_FEE_MAX_FEN: i64 = 50_000;

/// What the fee is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum ApplicationFeeBasis {
    /// 没有执行金额或者价额: the court sets the fee within 50–500 yuan.
    NoAmount { court_set_fee: Money },
    /// 执行金额或者价额.
    Amount { amount: Money },
}

/// (upper bound of the band in fen, rate in per mille). The first band (up to 10,000 yuan) is the flat 50 yuan.
const BANDS: [(i64, i64); 4] = [
    (50_000_000, 15),   // 10,000 – 500,000 yuan: 1.5 %
    (500_000_000, 10),  // 500,000 – 5,000,000 yuan: 1 %
    (1_000_000_000, 5), // 5,000,000 – 10,000,000 yuan: 0.5 %
    (i64::MAX, 1),      // above 10,000,000 yuan: 0.1 %
];
const FLAT_FEE_FEN: i64 = 5_000;
const FLAT_BAND_FEN: i64 = 1_000_000;

/// The execution application fee (FUND-10). `application_fee_out_of_range` when a court-set fee for a case without
/// an amount lies outside 50–500 yuan.
pub fn execution_application_fee(basis: ApplicationFeeBasis) -> Result<Money, LedgerError> {
    match basis {
        ApplicationFeeBasis::NoAmount { court_set_fee } => {
            if !(NO_AMOUNT_FEE_MIN_FEN..=NO_AMOUNT_FEE_MAX_FEN).contains(&court_set_fee.fen()) {
                return Err(LedgerError::ApplicationFeeOutOfRange { fee: court_set_fee });
            }
            Ok(court_set_fee)
        }
        ApplicationFeeBasis::Amount { amount } => {
            if amount.fen() < 0 {
                return Err(LedgerError::AmountNotPositive { rule: "FUND-10" });
            }
            let amount_fen = i128::from(amount.fen());
            // In thousandths of a fen.
            let mut fee_milli_fen: i128 = i128::from(FLAT_FEE_FEN) * 1000;
            let mut lower = i128::from(FLAT_BAND_FEN);
            for (upper, per_mille) in BANDS {
                let upper = i128::from(upper);
                if amount_fen <= lower {
                    break;
                }
                let in_band = amount_fen.min(upper) - lower;
                fee_milli_fen += in_band * i128::from(per_mille);
                lower = upper;
            }
            // Half up to the fen.
            let fee_fen = (fee_milli_fen + 500) / 1000;
            i64::try_from(fee_fen).map(Money::from_fen).map_err(|_| LedgerError::AmountOverflow)
        }
    }
}
