//! The plain facts the procedure starts from and remembers: the asset, the pre-check, the methods and why a
//! method failed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::registry::{AssetKind, NewAsset};

/// What the valuation needs to know about the seized asset, as registered (`crate::registry::NewAsset`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetFacts {
    pub kind: AssetKind,
    /// The date of the seizure, freeze or detention (REF-1's trigger).
    pub seizure_date: NaiveDate,
    /// Whether the asset must be auctioned or sold off; only those need a reference price (REF-1).
    pub to_be_sold: bool,
    /// Has a tax-base price, a government price or a government-guided price (REF-6).
    pub has_official_price: bool,
    /// Needs on-site inspection or an expert's examination, which rules out online inquiry (REF-8).
    pub needs_onsite_inspection: bool,
    /// A law or administrative regulation requires appraisal (REF-17, REF-37).
    pub appraisal_required_by_law: bool,
    /// High value or complex (SELF-2); kept for the disposal that follows, not used by the valuation.
    pub high_value_or_complex: bool,
}

impl From<&NewAsset> for AssetFacts {
    fn from(asset: &NewAsset) -> Self {
        AssetFacts {
            kind: asset.kind,
            seizure_date: asset.seizure_date,
            to_be_sold: asset.to_be_sold(),
            has_official_price: asset.has_official_price,
            needs_onsite_inspection: asset.needs_onsite_inspection,
            appraisal_required_by_law: asset.appraisal_required_by_law,
            high_value_or_complex: asset.high_value_or_complex,
        }
    }
}

/// The four ways to set a reference price (REF-2), in the fall-through order of REF-37.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 当事人议价
    Negotiation,
    /// 定向询价
    DirectedInquiry,
    /// 网络询价
    OnlineInquiry,
    /// 委托评估
    Appraisal,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::Negotiation,
        Method::DirectedInquiry,
        Method::OnlineInquiry,
        Method::Appraisal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Negotiation => "negotiation",
            Method::DirectedInquiry => "directed_inquiry",
            Method::OnlineInquiry => "online_inquiry",
            Method::Appraisal => "appraisal",
        }
    }

    /// Whether the method can be used for this asset at all (REF-37's "not applicable"): directed inquiry needs an
    /// official price (REF-6), online inquiry needs an asset that can be priced without inspection (REF-8).
    /// Negotiation depends on the parties, which the procedure learns from `record_negotiation_impossible`.
    pub fn applies_to(self, asset: &AssetFacts) -> bool {
        match self {
            Method::Negotiation | Method::Appraisal => true,
            Method::DirectedInquiry => asset.has_official_price,
            Method::OnlineInquiry => !asset.needs_onsite_inspection,
        }
    }

    /// The rule that makes the method inapplicable when `applies_to` is false.
    pub fn applicability_rule(self) -> &'static str {
        match self {
            Method::Negotiation => "REF-4",
            Method::DirectedInquiry => "REF-6",
            Method::OnlineInquiry => "REF-8",
            Method::Appraisal => "REF-17",
        }
    }
}

/// Why a method is used now (REF-37).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Every earlier method failed or does not apply.
    FallThrough,
    /// Both parties asked for this method (REF-6 ¶2, REF-8, REF-17).
    JointRequest,
}

/// Why negotiation cannot take place (REF-4: "除一方当事人拒绝议价或者下落不明外").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NegotiationImpossible {
    PartyRefuses,
    PartyMissing,
}

/// Why a method failed (不能或者不成, REF-37).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    /// REF-4: a party refuses to negotiate.
    PartyRefuses,
    /// REF-4: a party cannot be found.
    PartyMissing,
    /// REF-4: the submitted prices differ.
    PricesDiffer,
    /// REF-4: a party did not submit a price by the court's deadline.
    NotSubmittedInTime,
    /// REF-4: the agreed price harms others' lawful rights (the judge's finding).
    HarmsThirdParties,
    /// REF-7: the institution gave no price.
    NoPrice,
    /// REF-7: the institution answered after the court's deadline.
    AnsweredLate,
    /// REF-13: no platform delivered or corrected its report in time.
    AllPlatformsFailed,
    /// REF-16: the objections left no result to average.
    NoValidResultAfterObjections,
}

/// A method that was tried and failed, or found impossible (REF-37's history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedMethod {
    pub method: Method,
    pub on: NaiveDate,
    pub reason: FailureReason,
}

/// REF-3: what the court established before any method runs (权属、权利负担、占有使用、欠缴税费、质量瑕疵). Each
/// finding is the court's text, e.g. "none" or "mortgage to X Bank, 1.2 million".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Precheck {
    /// 权属
    pub title: String,
    /// 权利负担
    pub encumbrances: String,
    /// 占有使用
    pub occupancy: String,
    /// 欠缴税费
    pub tax_arrears: String,
    /// 质量瑕疵
    pub defects: String,
}

impl Precheck {
    /// The first finding left empty, by its field name, in the order of REF-3.
    pub fn first_missing(&self) -> Option<&'static str> {
        [
            ("title", &self.title),
            ("encumbrances", &self.encumbrances),
            ("occupancy", &self.occupancy),
            ("tax_arrears", &self.tax_arrears),
            ("defects", &self.defects),
        ]
        .into_iter()
        .find(|(_, value)| value.trim().is_empty())
        .map(|(name, _)| name)
    }
}
