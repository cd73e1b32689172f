//! Distribution of the proceeds (执行款分配, FUND-9, FUND-11): a pure function from the distributable amount and the
//! claims to shares that add up to the amount exactly, to the fen.
//!
//! The order of payment (FUND-9; 执行工作规定 item 34 ¶2, 民诉法解释 arts 508 and 514, 民法典 art 414):
//! 1. execution costs (执行费用), in full, or pro rata among themselves when the amount does not cover them (DESIGN);
//! 2. priority claims (优先受偿债权) by rank, rank 1 first; claims of the same rank share pro rata (民法典 art 414:
//!    unregistered mortgages "按照债权比例清偿");
//! 3. ordinary claims (普通债权), either `ProRata` (参与分配, debtor a natural person or other organisation, art 508) or
//!    `BySeizureOrder` (enterprise debtor, art 514: in the order of the seizures; claims with the same order number
//!    share pro rata, and claims without a seizure come last, pro rata — both DESIGN);
//! 4. the surplus to the debtor (SELL-10, 执行工作规定 item 34 ¶2).
//!
//! Pro rata is exact by the largest-remainder method: each claim first gets the floor of
//! `amount × claim ÷ total`; the fen left over (fewer than the number of claims) go one each to the claims with the
//! largest remainders; equal remainders go to the claim listed first in the input (the claimant order the court
//! entered, which the plan shows). No share exceeds its claim, and the shares add up exactly to what is shared.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::LedgerError;
use crate::money::Money;

/// How ordinary claims are paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrdinaryOrder {
    /// 参与分配 (民诉法解释 art 508): pro rata over all ordinary claims.
    ProRata,
    /// Enterprise debtor (民诉法解释 art 514): by the order of preservation and seizure.
    BySeizureOrder,
}

/// What a claim is, in the order of payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "class", rename_all = "snake_case")]
pub enum ClaimClass {
    /// 执行费用: the actual costs of the auction or sell-off, the execution application fee (FUND-10).
    ExecutionCost,
    /// 优先受偿债权: a security interest or statutory priority; rank 1 is paid first.
    Priority { rank: u32 },
    /// 普通债权; `seizure_order` is the creditor's place in the order of seizures (1 = first seizure), if any.
    Ordinary { seizure_order: Option<u32> },
}

/// One claim on the proceeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub claimant: String,
    pub amount: Money,
    pub class: ClaimClass,
    /// When the claim was filed (参与分配申请). Execution costs are not applications; their date is not checked.
    pub filed_on: NaiveDate,
}

/// Everything the distribution needs besides the amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionInput {
    pub claims: Vec<Claim>,
    pub ordinary_order: OrdinaryOrder,
    /// The debtor, who receives any surplus.
    pub debtor: String,
    /// FUND-11: applications come after execution started …
    pub execution_started_on: NaiveDate,
    /// … and before execution against the asset ended, if it has.
    pub execution_ended_on: Option<NaiveDate>,
}

/// Why a share was paid: the step of the order of payment and its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum ShareBasis {
    ExecutionCost,
    Priority { rank: u32 },
    OrdinaryProRata,
    OrdinaryBySeizureOrder { seizure_order: Option<u32> },
    Surplus,
}

impl ShareBasis {
    /// The rule and article behind the share.
    pub fn rule(self) -> &'static str {
        match self {
            ShareBasis::ExecutionCost => "FUND-9 (执行工作规定 item 34)",
            ShareBasis::Priority { .. } => "FUND-9 (民法典 art 414)",
            ShareBasis::OrdinaryProRata => "FUND-9 (民诉法解释 art 508)",
            ShareBasis::OrdinaryBySeizureOrder { .. } => "FUND-9 (民诉法解释 art 514)",
            ShareBasis::Surplus => "SELL-10 (执行工作规定 item 34)",
        }
    }
}

/// One claimant's share. `claimed` is the claim (zero for the surplus).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub claimant: String,
    pub basis: ShareBasis,
    pub claimed: Money,
    pub amount: Money,
    /// The rule, for the plan the court serves.
    pub rule: String,
}

/// The result: shares in the order of payment (then in input order), adding up to `amount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    pub amount: Money,
    pub shares: Vec<Share>,
}

impl Distribution {
    pub fn total(&self) -> Money {
        Money::from_fen(self.shares.iter().map(|share| share.amount.fen()).sum())
    }

    /// The share of one claimant, summed over its claims.
    pub fn share_of(&self, claimant: &str) -> Money {
        Money::from_fen(
            self.shares
                .iter()
                .filter(|share| share.claimant == claimant)
                .map(|share| share.amount.fen())
                .sum(),
        )
    }
}

/// FUND-11: an application to share (参与分配) must come after execution started and before execution against the
/// asset ended. DESIGN: with only dates known, a claim filed on the day execution ended is still in time (the end is
/// recorded when the proceeds are paid out, which happens after the day's filings are entered).
pub fn check_application_timely(
    claimant: &str,
    filed_on: NaiveDate,
    execution_started_on: NaiveDate,
    execution_ended_on: Option<NaiveDate>,
) -> Result<(), LedgerError> {
    if filed_on < execution_started_on {
        return Err(LedgerError::DistributionApplicationTooEarly {
            claimant: claimant.to_string(),
            filed_on,
            started_on: execution_started_on,
        });
    }
    if let Some(ended_on) = execution_ended_on {
        if filed_on > ended_on {
            return Err(LedgerError::DistributionApplicationTooLate {
                claimant: claimant.to_string(),
                filed_on,
                ended_on,
            });
        }
    }
    Ok(())
}

/// Distributes `amount` over the claims (FUND-9), after checking each claim (in input order): a claimant named, an
/// amount above zero, a priority rank of at least 1, and, for priority and ordinary claims, the FUND-11 timing.
pub fn distribute(amount: Money, input: &DistributionInput) -> Result<Distribution, LedgerError> {
    if amount.fen() < 0 {
        return Err(LedgerError::AmountNotPositive { rule: "FUND-9" });
    }
    for claim in &input.claims {
        if claim.claimant.trim().is_empty() {
            return Err(LedgerError::NameMissing {
                field: "claimant",
                rule: "FUND-9",
            });
        }
        if claim.amount.fen() <= 0 {
            return Err(LedgerError::AmountNotPositive { rule: "FUND-9" });
        }
        match claim.class {
            ClaimClass::ExecutionCost => {}
            ClaimClass::Priority { rank } => {
                if rank == 0 {
                    return Err(LedgerError::PriorityRankInvalid {
                        claimant: claim.claimant.clone(),
                    });
                }
                check_application_timely(
                    &claim.claimant,
                    claim.filed_on,
                    input.execution_started_on,
                    input.execution_ended_on,
                )?;
            }
            ClaimClass::Ordinary { .. } => check_application_timely(
                &claim.claimant,
                claim.filed_on,
                input.execution_started_on,
                input.execution_ended_on,
            )?,
        }
    }
    let mut remaining = amount.fen();
    let mut shares = Vec::new();

    // The groups in the order of payment; each group shares pro rata when the remainder does not cover it.
    let mut groups: Vec<(ShareBasis, Vec<&Claim>)> = Vec::new();
    let costs: Vec<&Claim> = input
        .claims
        .iter()
        .filter(|claim| claim.class == ClaimClass::ExecutionCost)
        .collect();
    groups.push((ShareBasis::ExecutionCost, costs));
    let mut ranks: Vec<u32> = input
        .claims
        .iter()
        .filter_map(|claim| match claim.class {
            ClaimClass::Priority { rank } => Some(rank),
            ClaimClass::ExecutionCost | ClaimClass::Ordinary { .. } => None,
        })
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    for rank in ranks {
        let group = input
            .claims
            .iter()
            .filter(|claim| claim.class == ClaimClass::Priority { rank })
            .collect();
        groups.push((ShareBasis::Priority { rank }, group));
    }
    let ordinary = |claim: &&Claim| matches!(claim.class, ClaimClass::Ordinary { .. });
    match input.ordinary_order {
        OrdinaryOrder::ProRata => {
            groups.push((ShareBasis::OrdinaryProRata, input.claims.iter().filter(ordinary).collect()));
        }
        OrdinaryOrder::BySeizureOrder => {
            let order_of = |claim: &Claim| match claim.class {
                ClaimClass::Ordinary { seizure_order } => seizure_order,
                ClaimClass::ExecutionCost | ClaimClass::Priority { .. } => None,
            };
            let mut orders: Vec<u32> = input.claims.iter().filter(ordinary).filter_map(&order_of).collect();
            orders.sort_unstable();
            orders.dedup();
            for order in orders {
                let group = input
                    .claims
                    .iter()
                    .filter(ordinary)
                    .filter(|claim| order_of(claim) == Some(order))
                    .collect();
                groups.push((
                    ShareBasis::OrdinaryBySeizureOrder {
                        seizure_order: Some(order),
                    },
                    group,
                ));
            }
            let unseized = input
                .claims
                .iter()
                .filter(ordinary)
                .filter(|claim| order_of(claim).is_none())
                .collect();
            groups.push((ShareBasis::OrdinaryBySeizureOrder { seizure_order: None }, unseized));
        }
    }

    for (basis, group) in groups {
        if group.is_empty() {
            continue;
        }
        let claimed: Vec<i64> = group.iter().map(|claim| claim.amount.fen()).collect();
        let total: i128 = claimed.iter().map(|fen| i128::from(*fen)).sum();
        let paid = if total <= i128::from(remaining) {
            claimed.clone()
        } else {
            largest_remainder(remaining, &claimed)
        };
        for (claim, share) in group.iter().zip(paid) {
            remaining -= share;
            shares.push(Share {
                claimant: claim.claimant.clone(),
                basis,
                claimed: claim.amount,
                amount: Money::from_fen(share),
                rule: basis.rule().to_string(),
            });
        }
    }
    if remaining > 0 {
        shares.push(Share {
            claimant: input.debtor.clone(),
            basis: ShareBasis::Surplus,
            claimed: Money::ZERO,
            amount: Money::from_fen(remaining),
            rule: ShareBasis::Surplus.rule().to_string(),
        });
    }
    Ok(Distribution { amount, shares })
}

/// Splits `amount` fen pro rata over `weights` (each above zero, their sum above `amount`) by the largest-remainder
/// method; equal remainders favour the earlier weight. The parts add up to `amount` exactly and none exceeds its
/// weight. Computed in i128, so no product of two amounts can overflow.
pub fn largest_remainder(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|weight| i128::from(*weight)).sum();
    if total <= 0 || weights.is_empty() {
        return vec![0; weights.len()];
    }
    let amount_wide = i128::from(amount);
    let mut parts: Vec<i64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let product = amount_wide * i128::from(*weight);
        // The quotient is at most `amount`, so it fits in i64.
        parts.push((product / total) as i64);
        remainders.push((product % total, index));
    }
    let handed_out: i64 = parts.iter().sum();
    let leftover = (amount - handed_out) as usize;
    // Largest remainder first; equal remainders in input order.
    remainders.sort_by(|left, right| right.0.cmp(&left.0).then(left.1.cmp(&right.1)));
    for (_, index) in remainders.into_iter().take(leftover) {
        parts[index] += 1;
    }
    parts
}
