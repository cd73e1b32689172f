//! Cases, parties, seized assets and collection account numbers (pure: no HTTP, no SQL).

use crate::error::{Code, Outcome, Refusal};
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kind of a seized asset (查封、扣押、冻结的财产). It decides the seizure term (SEIZ-1), the announcement
/// leads (AUC-5) and whether a reference price is needed at all (REF-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    /// 不动产
    RealEstate,
    /// 动产
    Movable,
    /// 机动车 (a movable with a register)
    Vehicle,
    /// 股权
    Equity,
    /// 其他财产权
    OtherPropertyRight,
    /// 存款 (frozen bank deposits are deducted, not sold)
    Deposit,
}

impl AssetKind {
    pub const ALL: [AssetKind; 6] = [
        AssetKind::RealEstate,
        AssetKind::Movable,
        AssetKind::Vehicle,
        AssetKind::Equity,
        AssetKind::OtherPropertyRight,
        AssetKind::Deposit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::RealEstate => "real_estate",
            AssetKind::Movable => "movable",
            AssetKind::Vehicle => "vehicle",
            AssetKind::Equity => "equity",
            AssetKind::OtherPropertyRight => "other_property_right",
            AssetKind::Deposit => "deposit",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        AssetKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// SEIZ-1 (民诉法解释 art 485): deposits frozen at most 1 year, movables seized at most 2 years, real estate
    /// and other property rights at most 3 years; a renewal is for no longer than the same term.
    pub fn seizure_term_months(self) -> u32 {
        match self {
            AssetKind::Deposit => 12,
            AssetKind::Movable | AssetKind::Vehicle => 24,
            AssetKind::RealEstate | AssetKind::Equity | AssetKind::OtherPropertyRight => 36,
        }
    }

    /// Bank deposits are paid over from the frozen account; they are never auctioned, so REF-1 does not apply.
    pub fn can_be_sold(self) -> bool {
        !matches!(self, AssetKind::Deposit)
    }
}

/// A party's payout account, confirmed at filing (FUND-1; item 20 of the 2021 opinion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutAccount {
    pub bank: String,
    pub account_name: String,
    pub account_number: String,
    /// The date the applicant confirmed this account.
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::date::strict")]
    pub confirmed_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplicant {
    pub name: String,
    #[serde(default)]
    pub identity_number: Option<String>,
    /// Required: payouts go only to this account (FUND-1, FUND-8).
    pub payout_account: Option<PayoutAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDebtor {
    pub name: String,
    #[serde(default)]
    pub identity_number: Option<String>,
}

/// Registering an execution case (执行案件).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// 案号, e.g. "(2026)鲁0102执123号".
    pub case_number: String,
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::date::strict")]
    pub filing_date: NaiveDate,
    /// The execution claim in yuan, as a decimal string.
    #[schema(value_type = String, example = "1200000.00")]
    pub claim_amount: Money,
    pub applicants: Vec<NewApplicant>,
    pub debtors: Vec<NewDebtor>,
}

/// Registering a seized asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAsset {
    pub kind: AssetKind,
    pub description: String,
    /// The date of the seizure, freeze or detention; the trigger of REF-1 and SEIZ-1.
    #[schema(value_type = String, format = Date)]
    #[serde(deserialize_with = "crate::date::strict")]
    pub seizure_date: NaiveDate,
    /// Whether the asset must be sold (auction or sell-off). Default: true for every kind but deposits.
    #[serde(default)]
    pub to_be_sold: Option<bool>,
    /// Has a tax-base price, a government price or a government-guided price (REF-6).
    #[serde(default)]
    pub has_official_price: bool,
    /// Needs on-site inspection or an expert's examination (REF-8).
    #[serde(default)]
    pub needs_onsite_inspection: bool,
    /// A law or administrative regulation requires appraisal (REF-17).
    #[serde(default)]
    pub appraisal_required_by_law: bool,
    /// High value or complex (SELF-2).
    #[serde(default)]
    pub high_value_or_complex: bool,
}

/// Text the court keeps: no control characters (line breaks allowed where `multiline`), not longer than `max_chars`
/// once trimmed.
pub(crate) fn check_text(field: &str, value: &str, max_chars: usize, multiline: bool) -> Outcome<()> {
    if value.chars().any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r'))) {
        return Err(
            Refusal::new(Code::InvalidField, format!("{field} must not contain control characters"))
                .with_details(serde_json::json!({ "field": field })),
        );
    }
    if value.trim().chars().count() > max_chars {
        return Err(
            Refusal::new(Code::InvalidField, format!("{field} is longer than {max_chars} characters"))
                .with_details(serde_json::json!({ "field": field })),
        );
    }
    Ok(())
}

fn required_text(field: &str, value: &str, max_chars: usize) -> Outcome<()> {
    check_text(field, value, max_chars, false)?;
    if value.trim().is_empty() {
        return Err(
            Refusal::new(Code::InvalidField, format!("{field} must not be empty")).with_details(serde_json::json!({ "field": field }))
        );
    }
    Ok(())
}

fn optional_text(field: &str, value: Option<&str>, max_chars: usize) -> Outcome<()> {
    match value {
        Some(value) => required_text(field, value, max_chars),
        None => Ok(()),
    }
}

impl NewCase {
    /// Checks, in this order: the case number, the filing date, the parties, each applicant's payout account.
    pub fn validate(&self, today: NaiveDate) -> Outcome<()> {
        required_text("case_number", &self.case_number, 64)?;
        if self.filing_date > today {
            return Err(Refusal::new(
                Code::FilingDateInFuture,
                format!("filing_date {} is after today ({today})", self.filing_date),
            ));
        }
        if self.applicants.is_empty() || self.debtors.is_empty() {
            return Err(Refusal::new(
                Code::PartiesIncomplete,
                "a case needs at least one applicant and one debtor",
            ));
        }
        for (index, applicant) in self.applicants.iter().enumerate() {
            required_text(&format!("applicants[{index}].name"), &applicant.name, 200)?;
            optional_text(
                &format!("applicants[{index}].identity_number"),
                applicant.identity_number.as_deref(),
                64,
            )?;
            let Some(account) = &applicant.payout_account else {
                return Err(Refusal::new(
                    Code::PayoutAccountUnconfirmed,
                    format!(
                        "applicant {} has no confirmed payout account; it must be confirmed at filing",
                        applicant.name
                    ),
                )
                .with_details(serde_json::json!({ "field": format!("applicants[{index}].payout_account") })));
            };
            required_text(&format!("applicants[{index}].payout_account.bank"), &account.bank, 200)?;
            required_text(
                &format!("applicants[{index}].payout_account.account_name"),
                &account.account_name,
                200,
            )?;
            if !(6..=34).contains(&account.account_number.len()) || !account.account_number.chars().all(|c| c.is_ascii_digit()) {
                return Err(Refusal::new(
                    Code::InvalidField,
                    format!("applicants[{index}].payout_account.account_number must be 6 to 34 digits"),
                ));
            }
            if account.confirmed_on > today {
                return Err(Refusal::new(
                    Code::InvalidDate,
                    format!("applicants[{index}].payout_account.confirmed_on is in the future"),
                ));
            }
        }
        for (index, debtor) in self.debtors.iter().enumerate() {
            required_text(&format!("debtors[{index}].name"), &debtor.name, 200)?;
            optional_text(&format!("debtors[{index}].identity_number"), debtor.identity_number.as_deref(), 64)?;
        }
        Ok(())
    }
}

impl NewAsset {
    /// Checks the description, then that the seizure date lies between the filing date and today.
    pub fn validate(&self, filing_date: NaiveDate, today: NaiveDate) -> Outcome<()> {
        required_text("description", &self.description, 500)?;
        if self.seizure_date > today {
            return Err(Refusal::new(
                Code::SeizureDateOutOfRange,
                format!("seizure_date {} is after today ({today})", self.seizure_date),
            ));
        }
        // Property preserved before filing (诉讼保全) is carried into execution, so an earlier date is allowed,
        // but not one more than ten years earlier, which is a typing error, not a preservation.
        if filing_date
            .checked_sub_days(chrono::Days::new(3650))
            .is_some_and(|earliest| self.seizure_date < earliest)
        {
            return Err(Refusal::new(
                Code::SeizureDateOutOfRange,
                format!(
                    "seizure_date {} is more than ten years before the filing date {filing_date}",
                    self.seizure_date
                ),
            ));
        }
        Ok(())
    }

    pub fn to_be_sold(&self) -> bool {
        self.to_be_sold.unwrap_or(self.kind.can_be_sold()) && self.kind.can_be_sold()
    }
}

/// A court code usable in account numbers: 4 to 12 digits.
pub fn validate_court_code(code: &str) -> Result<(), String> {
    if (4..=12).contains(&code.len()) && code.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("court code '{code}' must be 4 to 12 digits"))
    }
}

/// The case's collection account number (一案一账号, FUND-1; SPEC §4): the court's code, the case's sequence in
/// that court as 8 digits, and a Luhn check digit, so a mistyped digit in a remittance is caught before matching.
pub fn collection_account_number(court_code: &str, sequence: i64) -> String {
    let body = format!("{court_code}{sequence:08}");
    format!("{body}{}", luhn_check_digit(&body))
}

/// The Luhn (ISO/IEC 7812) check digit of a string of digits.
pub fn luhn_check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(index, digit)| {
            if index % 2 == 0 {
                let doubled = digit * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                digit
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// Whether an account number's last digit is its Luhn check digit.
pub fn collection_account_is_valid(account: &str) -> bool {
    account.len() >= 2
        && account.chars().all(|c| c.is_ascii_digit())
        && account[account.len() - 1..].parse::<u32>().ok() == Some(luhn_check_digit(&account[..account.len() - 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fund_1_collection_account_has_court_code_sequence_and_check_digit() {
        let account = collection_account_number("370102", 42);
        assert_eq!(&account[..6], "370102");
        assert_eq!(&account[6..14], "00000042");
        assert!(collection_account_is_valid(&account));
        // The Luhn example from ISO/IEC 7812: 7992739871 has check digit 3.
        assert_eq!(luhn_check_digit("7992739871"), 3);
    }

    #[test]
    fn fund_1_a_single_mistyped_digit_fails_the_check() {
        let account = collection_account_number("370102", 7);
        for position in 0..account.len() {
            let mut digits: Vec<char> = account.chars().collect();
            digits[position] = char::from_digit((digits[position].to_digit(10).unwrap() + 1) % 10, 10).unwrap();
            let typo: String = digits.into_iter().collect();
            assert!(!collection_account_is_valid(&typo), "{typo} should fail");
        }
    }

    #[test]
    fn seiz_1_terms_by_kind() {
        assert_eq!(AssetKind::Deposit.seizure_term_months(), 12);
        assert_eq!(AssetKind::Movable.seizure_term_months(), 24);
        assert_eq!(AssetKind::Vehicle.seizure_term_months(), 24);
        assert_eq!(AssetKind::RealEstate.seizure_term_months(), 36);
        assert_eq!(AssetKind::Equity.seizure_term_months(), 36);
    }
}
