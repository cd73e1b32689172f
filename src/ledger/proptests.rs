//! Property tests of the ledger:
//!
//! - any sequence of receipts, suspense receipts and claims, holds and releases, approvals, payouts, bounces, fees
//!   and refunds: the entries the core accepts each balance, and an INDEPENDENT recomputation of the balances from
//!   all accepted lines (not `validate`) finds no case, suspense or bank account below zero, agrees with the
//!   in-memory balances, and the books equal the bank (FUND-2). A refusal happens exactly when the entry would take
//!   an account below zero (the check is exact: never too strict, never too lax);
//! - a distribution's shares add up exactly to the distributable amount, never exceed a claim, follow the order of
//!   payment, and deviate from the exact pro-rata share by less than one fen (FUND-9);
//! - the execution application fee never falls as the amount grows (FUND-10);
//! - for any sequence of payout or plan commands, the nodes the effects leave open are exactly the open limits.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::tests::{date, Nodes};
use super::*;
use crate::calendar::Calendar;

const BANKS: [&str; 2] = ["bank-a", "bank-b"];
const PAYEES: [&str; 2] = ["applicant", "other"];

#[derive(Debug, Clone)]
enum Operation {
    Receipt {
        bank: usize,
        case: i64,
        fen: i64,
    },
    SuspenseReceipt {
        bank: usize,
        fen: i64,
    },
    Claim {
        case: i64,
        fen: i64,
    },
    SuspenseRefund {
        bank: usize,
        fen: i64,
    },
    Hold {
        case: i64,
        fen: i64,
    },
    Release {
        case: i64,
        fen: i64,
    },
    Approve {
        case: i64,
        payee: usize,
        fen: i64,
    },
    CancelApproval {
        case: i64,
        payee: usize,
        fen: i64,
    },
    Pay {
        bank: usize,
        case: i64,
        payee: usize,
        fen: i64,
    },
    Bounce {
        bank: usize,
        case: i64,
        fen: i64,
    },
    Fee {
        case: i64,
        fen: i64,
    },
    FeeTransfer {
        bank: usize,
        case: i64,
        fen: i64,
    },
    Refund {
        bank: usize,
        case: i64,
        fen: i64,
    },
    Escrow {
        bank: usize,
        case: i64,
        fen: i64,
    },
    /// Distribute a case's held funds over two payees by a plan and approve each share.
    Distribute {
        case: i64,
        claim_a: i64,
        claim_b: i64,
    },
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![1i64..=100, 1i64..=10_000_000, Just(0i64), Just(-1i64)]
}

fn operation() -> impl Strategy<Value = Operation> {
    let bank = 0usize..2;
    let case = 1i64..=3;
    let payee = 0usize..2;
    prop_oneof![
        3 => (bank.clone(), case.clone(), amount()).prop_map(|(bank, case, fen)| Operation::Receipt { bank, case, fen }),
        1 => (bank.clone(), amount()).prop_map(|(bank, fen)| Operation::SuspenseReceipt { bank, fen }),
        1 => (case.clone(), amount()).prop_map(|(case, fen)| Operation::Claim { case, fen }),
        1 => (bank.clone(), amount()).prop_map(|(bank, fen)| Operation::SuspenseRefund { bank, fen }),
        1 => (case.clone(), amount()).prop_map(|(case, fen)| Operation::Hold { case, fen }),
        1 => (case.clone(), amount()).prop_map(|(case, fen)| Operation::Release { case, fen }),
        2 => (case.clone(), payee.clone(), amount()).prop_map(|(case, payee, fen)| Operation::Approve { case, payee, fen }),
        1 => (case.clone(), payee.clone(), amount()).prop_map(|(case, payee, fen)| Operation::CancelApproval { case, payee, fen }),
        2 => (bank.clone(), case.clone(), payee.clone(), amount()).prop_map(|(bank, case, payee, fen)| Operation::Pay { bank, case, payee, fen }),
        1 => (bank.clone(), case.clone(), amount()).prop_map(|(bank, case, fen)| Operation::Bounce { bank, case, fen }),
        1 => (case.clone(), amount()).prop_map(|(case, fen)| Operation::Fee { case, fen }),
        1 => (bank.clone(), case.clone(), amount()).prop_map(|(bank, case, fen)| Operation::FeeTransfer { bank, case, fen }),
        1 => (bank.clone(), case.clone(), amount()).prop_map(|(bank, case, fen)| Operation::Refund { bank, case, fen }),
        1 => (bank.clone(), case.clone(), amount()).prop_map(|(bank, case, fen)| Operation::Escrow { bank, case, fen }),
        1 => (case, 1i64..=5_000_000, 1i64..=5_000_000).prop_map(|(case, claim_a, claim_b)| Operation::Distribute { case, claim_a, claim_b }),
    ]
}

fn entries_for(operation: &Operation, balances: &BalanceMap) -> Vec<Entry> {
    let money = Money::from_fen;
    match *operation {
        Operation::Receipt { bank, case, fen } => vec![receipt_to_case(BANKS[bank], case, money(fen))],
        Operation::SuspenseReceipt { bank, fen } => vec![receipt_to_suspense(BANKS[bank], money(fen))],
        Operation::Claim { case, fen } => vec![claim_from_suspense(case, money(fen))],
        Operation::SuspenseRefund { bank, fen } => vec![refund_from_suspense(BANKS[bank], money(fen))],
        Operation::Hold { case, fen } => vec![hold_disputed(case, money(fen))],
        Operation::Release { case, fen } => vec![release_disputed(case, money(fen))],
        Operation::Approve { case, payee, fen } => vec![approve_payout(case, PAYEES[payee], money(fen))],
        Operation::CancelApproval { case, payee, fen } => vec![cancel_approval(case, PAYEES[payee], money(fen))],
        Operation::Pay { bank, case, payee, fen } => vec![pay_out(BANKS[bank], case, PAYEES[payee], money(fen))],
        Operation::Bounce { bank, case, fen } => vec![bounce(BANKS[bank], case, money(fen))],
        Operation::Fee { case, fen } => vec![fee(case, money(fen))],
        Operation::FeeTransfer { bank, case, fen } => vec![fee_transfer(BANKS[bank], case, money(fen))],
        Operation::Refund { bank, case, fen } => vec![refund(BANKS[bank], case, money(fen))],
        Operation::Escrow { bank, case, fen } => vec![escrow_deposit(BANKS[bank], case, &EscrowFrom::Held, money(fen))],
        Operation::Distribute { case, claim_a, claim_b } => {
            let held = balances.balance(&Account::CaseHeld(case));
            let claims = [(PAYEES[0], claim_a), (PAYEES[1], claim_b)]
                .into_iter()
                .map(|(claimant, fen)| Claim {
                    claimant: claimant.to_string(),
                    amount: money(fen),
                    class: ClaimClass::Ordinary { seizure_order: None },
                    filed_on: date("2025-03-01"),
                })
                .collect();
            let input = DistributionInput {
                claims,
                ordinary_order: OrdinaryOrder::ProRata,
                debtor: "debtor".into(),
                execution_started_on: date("2025-01-01"),
                execution_ended_on: None,
            };
            let distribution = distribute(held, &input).expect("valid claims");
            distribution
                .shares
                .iter()
                .filter(|share| share.amount.fen() > 0)
                .map(|share| approve_payout(case, &share.claimant, share.amount))
                .collect()
        }
    }
}

/// Balances recomputed from scratch from every accepted line: debit − credit for the bank, credit − debit for the
/// rest. Independent of `BalanceMap` and `validate`.
fn recompute(lines: &[Line]) -> BTreeMap<Account, i128> {
    let mut balances: BTreeMap<Account, i128> = BTreeMap::new();
    for line in lines {
        let (debit, credit) = (i128::from(line.debit.fen()), i128::from(line.credit.fen()));
        let change = if matches!(line.account, Account::Bank(_)) {
            debit - credit
        } else {
            credit - debit
        };
        *balances.entry(line.account.clone()).or_insert(0) += change;
    }
    balances
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fund_2_accepted_entries_balance_and_no_account_ever_goes_negative(operations in prop::collection::vec(operation(), 1..60)) {
        let mut balances = BalanceMap::new();
        let mut accepted_lines: Vec<Line> = Vec::new();
        for operation in &operations {
            for entry in entries_for(operation, &balances) {
                // What the entry would leave, computed independently of validate().
                let mut trial = accepted_lines.clone();
                trial.extend(entry.lines.iter().cloned());
                let would_be_negative = recompute(&trial).values().any(|balance| *balance < 0);
                let malformed = entry.lines.iter().any(|line| line.debit.fen() <= 0 && line.credit.fen() <= 0);
                match balances.post(&entry) {
                    Ok(()) => {
                        prop_assert!(!would_be_negative && !malformed, "accepted {entry:?}");
                        let debits: i128 = entry.lines.iter().map(|line| i128::from(line.debit.fen())).sum();
                        let credits: i128 = entry.lines.iter().map(|line| i128::from(line.credit.fen())).sum();
                        prop_assert_eq!(debits, credits);
                        accepted_lines.extend(entry.lines.iter().cloned());
                    }
                    Err(error) => {
                        prop_assert!(would_be_negative || malformed, "refused {entry:?} with {}", error.code());
                        prop_assert!(error.rule().starts_with("FUND-"));
                    }
                }
            }
        }
        let recomputed = recompute(&accepted_lines);
        let mut books: i128 = 0;
        let mut bank: i128 = 0;
        for (account, balance) in &recomputed {
            prop_assert!(*balance >= 0, "{account} is {balance}");
            prop_assert_eq!(i128::from(balances.balance(account).fen()), *balance);
            if account.is_bank() { bank += balance } else { books += balance }
        }
        prop_assert_eq!(books, bank, "the books must equal the bank");
        let reconciliation = reconcile(&ReconciliationInput {
            bank: BANKS[0].into(),
            period: ReconciliationPeriod::Month { year: 2025, month: 10 },
            statement_opening: Money::ZERO,
            statement_closing: balances.balance(&Account::Bank(BANKS[0].into())),
            statement_lines: Vec::new(),
            ledger_movements: Vec::new(),
            ledger_balances: balances.to_vec(),
        });
        prop_assert_eq!(reconciliation.case_balances_total, reconciliation.bank_balance);
        prop_assert_eq!(reconciliation.difference, Money::ZERO);
    }

    #[test]
    fn fund_9_shares_add_up_exactly_never_exceed_a_claim_and_follow_the_order_of_payment(
        amount_fen in 0i64..=2_000_000_000,
        raw_claims in prop::collection::vec((1i64..=1_000_000_000, 0u8..4, 1u32..=3, prop::option::of(1u32..=3)), 0..8),
        by_seizure in any::<bool>(),
    ) {
        let claims: Vec<Claim> = raw_claims
            .iter()
            .enumerate()
            .map(|(index, (fen, class, rank, order))| Claim {
                claimant: format!("c{index}"),
                amount: Money::from_fen(*fen),
                class: match class {
                    0 => ClaimClass::ExecutionCost,
                    1 => ClaimClass::Priority { rank: *rank },
                    _ => ClaimClass::Ordinary { seizure_order: *order },
                },
                filed_on: date("2025-03-01"),
            })
            .collect();
        let input = DistributionInput {
            claims: claims.clone(),
            ordinary_order: if by_seizure { OrdinaryOrder::BySeizureOrder } else { OrdinaryOrder::ProRata },
            debtor: "debtor".into(),
            execution_started_on: date("2025-01-01"),
            execution_ended_on: None,
        };
        let distribution = distribute(Money::from_fen(amount_fen), &input).unwrap();
        prop_assert_eq!(distribution.total().fen(), amount_fen);
        let mut fully_paid_so_far = true;
        let mut previous_basis: Option<ShareBasis> = None;
        let mut group: Vec<&Share> = Vec::new();
        let check_group = |group: &[&Share]| -> Result<(), TestCaseError> {
            // Within a group sharing pro rata, each share is within one fen of the exact share.
            let claimed: i128 = group.iter().map(|share| i128::from(share.claimed.fen())).sum();
            let paid: i128 = group.iter().map(|share| i128::from(share.amount.fen())).sum();
            if claimed > paid && claimed > 0 {
                for share in group {
                    let exact_times_claimed = paid * i128::from(share.claimed.fen());
                    let scaled = i128::from(share.amount.fen()) * claimed;
                    prop_assert!((scaled - exact_times_claimed).abs() < claimed, "{share:?}");
                }
            }
            Ok(())
        };
        for share in &distribution.shares {
            prop_assert!(share.amount.fen() >= 0);
            if previous_basis != Some(share.basis) {
                // A new step of the order of payment: it is reached only if every earlier step was paid in full.
                check_group(&group)?;
                if group.iter().any(|earlier| earlier.amount < earlier.claimed) {
                    fully_paid_so_far = false;
                }
                group.clear();
                previous_basis = Some(share.basis);
            }
            if share.basis == ShareBasis::Surplus {
                prop_assert!(fully_paid_so_far, "a surplus only after every claim is paid");
                continue;
            }
            prop_assert!(share.amount <= share.claimed, "{share:?}");
            group.push(share);
            if share.amount.fen() > 0 {
                prop_assert!(fully_paid_so_far, "a later step is paid only when the earlier ones are paid in full: {share:?}");
            }
        }
        check_group(&group)?;
        prop_assert_eq!(distribution.shares.iter().filter(|share| share.basis != ShareBasis::Surplus).count(), claims.len());
    }

    #[test]
    fn fund_9_largest_remainder_is_exact_and_within_one_fen(amount in 0i64..=1_000_000_000, weights in prop::collection::vec(1i64..=1_000_000_000, 1..10)) {
        let total: i128 = weights.iter().map(|weight| i128::from(*weight)).sum();
        prop_assume!(i128::from(amount) < total);
        let parts = largest_remainder(amount, &weights);
        prop_assert_eq!(parts.iter().sum::<i64>(), amount);
        for (part, weight) in parts.iter().zip(&weights) {
            prop_assert!(part <= weight);
            let scaled = i128::from(*part) * total;
            let exact = i128::from(amount) * i128::from(*weight);
            prop_assert!((scaled - exact).abs() < total);
        }
    }

    #[test]
    fn fund_10_fee_never_falls_as_the_amount_grows(first in 0i64..=5_000_000_000, step in 0i64..=100_000_000) {
        let fee = |fen: i64| execution_application_fee(ApplicationFeeBasis::Amount { amount: Money::from_fen(fen) }).unwrap();
        prop_assert!(fee(first) >= Money::from_fen(5_000));
        prop_assert!(fee(first) <= fee(first + step));
    }

    #[test]
    fn payout_nodes_always_match_the_open_limits(commands in prop::collection::vec((0u8..8, 0u8..4, 0u32..6), 0..25), spc in any::<bool>()) {
        let calendar = Calendar::embedded();
        let rules = PayoutRules {
            profile: if spc { PayoutDeadlineProfile::Spc2017 } else { PayoutDeadlineProfile::Regional2024 },
            ..PayoutRules::default()
        };
        let request = RequestPayout {
            id: "p".into(),
            case_id: 1,
            bank: "bank-a".into(),
            payee: "applicant".into(),
            amount: Money::from_fen(12_345_600),
            purpose: PayoutPurpose::ToParty,
            pay_to: ConfirmedAccount { bank: "b".into(), account_name: "n".into(), account_number: "1".into() },
            confirmed_account: Some(ConfirmedAccount { bank: "b".into(), account_name: "n".into(), account_number: "1".into() }),
            panel_approval: None,
            funds_arrived_on: date("2025-09-26"),
            arrival_notice_on: None,
            refundable_to_payer: Money::ZERO,
        };
        let mut today = date("2025-09-26");
        let first = Payout::request(request, &rules, today, &calendar).unwrap();
        let mut nodes = Nodes::default();
        nodes.apply(&first.effects);
        let mut payout = first.state;
        let roles = [ApprovalRole::CaseOfficer, ApprovalRole::FundManager, ApprovalRole::BureauHead, ApprovalRole::VicePresident];
        for (kind, who, days) in commands {
            today = today.checked_add_days(Days::new(u64::from(days))).unwrap();
            let command = match kind {
                0 | 1 => PayoutCommand::Approve { approver: format!("a{who}"), role: roles[usize::from(who)] },
                2 => PayoutCommand::SendFinanceNotice { notified_on: today },
                3 => PayoutCommand::RecordPaid { paid_on: today },
                4 => PayoutCommand::RecordBounce { bounced_on: today, reason: "closed".into() },
                5 => PayoutCommand::Delay { ground: DelayGround::ApplicantDidNotCollect, approver: "h".into(), role: roles[usize::from(who)] },
                6 => PayoutCommand::ClearDelay { cleared_on: today },
                _ => PayoutCommand::Escrow { ground: EscrowGround::ApplicantMissing, approver: "h".into(), role: roles[usize::from(who)] },
            };
            match payout.clone().apply(command, today, &calendar) {
                Ok(step) => {
                    nodes.apply(&step.effects);
                    payout = step.state;
                    let json = serde_json::to_string(&payout).unwrap();
                    prop_assert_eq!(serde_json::from_str::<Payout>(&json).unwrap(), payout.clone());
                }
                Err(error) => prop_assert!(error.rule().starts_with("FUND-") || error.rule() == "DESIGN"),
            }
            nodes.check(&payout.open_limits());
        }
    }

    #[test]
    fn plan_nodes_always_match_the_open_limits(commands in prop::collection::vec((0u8..12, 0u8..3, 0u32..9), 0..30)) {
        let calendar = Calendar::embedded();
        let parties = ["creditor-a", "creditor-b", "debtor"];
        let input = DistributionInput {
            claims: vec![
                Claim { claimant: "creditor-a".into(), amount: Money::from_fen(60_000), class: ClaimClass::Ordinary { seizure_order: None }, filed_on: date("2025-03-01") },
                Claim { claimant: "creditor-b".into(), amount: Money::from_fen(40_000), class: ClaimClass::Ordinary { seizure_order: None }, filed_on: date("2025-03-01") },
            ],
            ordinary_order: OrdinaryOrder::ProRata,
            debtor: "debtor".into(),
            execution_started_on: date("2025-01-01"),
            execution_ended_on: None,
        };
        let distribution = distribute(Money::from_fen(50_000), &input).unwrap();
        let mut plan = DistributionPlan::draw_up(
            1,
            distribution.clone(),
            parties.iter().map(|name| (name.to_string(), if *name == "debtor" { PartyRole::Debtor } else { PartyRole::Creditor })).collect(),
            date("2025-09-15"),
        ).unwrap();
        let mut nodes = Nodes::default();
        let mut today = date("2025-09-15");
        let mut disputes_held: i64 = 0;
        for (kind, who, days) in commands {
            today = today.checked_add_days(Days::new(u64::from(days))).unwrap();
            let party = parties[usize::from(who)].to_string();
            let objection = u32::from(who) + 1;
            let command = match kind {
                0 | 1 => PlanCommand::RecordService { party, received_on: today },
                2 => PlanCommand::FileObjection { objector: party, filed_on: today, disputed: vec![DisputedShare { claimant: "creditor-a".into(), amount: Money::from_fen(1_000) }] },
                3 => PlanCommand::NotifyObjection { objection, notified_on: today },
                4 => PlanCommand::FileCounterObjection { objection: 1, party, filed_on: today },
                5 => PlanCommand::CloseCounterPeriod { objection },
                6 => PlanCommand::NotifyObjector { objection, notified_on: today },
                7 => PlanCommand::RecordSuit { objection, filed_on: today },
                8 => PlanCommand::CloseSuitPeriod { objection },
                9 => PlanCommand::RecordJudgment { objection, revised: None },
                10 => PlanCommand::CloseObjectionPeriod,
                _ => PlanCommand::RevisePlan { revised: distribution.clone() },
            };
            match plan.clone().apply(command, today, &calendar) {
                Ok(step) => {
                    nodes.apply(&step.effects);
                    for entry in &step.entries {
                        match entry.kind {
                            EntryKind::HoldDisputed => disputes_held += entry.lines[0].debit.fen(),
                            EntryKind::ReleaseDisputed => disputes_held -= entry.lines[0].debit.fen(),
                            other => prop_assert!(false, "unexpected entry {other:?}"),
                        }
                    }
                    plan = step.state;
                }
                Err(error) => prop_assert!(error.rule() == "FUND-12" || error.rule() == "DESIGN", "{}", error.code()),
            }
            nodes.check(&plan.open_limits());
            // The funds held equal the disputed amounts of the suits pending.
            let pending: i64 = plan
                .objections
                .iter()
                .filter(|objection| matches!(objection.status, ObjectionStatus::SuitPending { .. }))
                .map(|objection| objection.disputed_total().fen())
                .sum();
            prop_assert_eq!(disputes_held, pending);
            let payable: i64 = plan.payable_now().iter().map(|share| share.payable.fen() + share.withheld.fen()).sum();
            prop_assert_eq!(payable, plan.distribution.total().fen());
        }
    }
}

#[test]
fn recompute_is_independent_of_the_balance_map() {
    // A sanity check of the oracle itself: one receipt, recomputed by hand.
    let entry = receipt_to_case("bank-a", 1, Money::from_fen(250));
    let recomputed = recompute(&entry.lines);
    assert_eq!(recomputed.get(&Account::Bank("bank-a".into())), Some(&250));
    assert_eq!(recomputed.get(&Account::CaseHeld(1)), Some(&250));
    let _ = NaiveDate::MIN;
}
