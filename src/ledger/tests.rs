//! Scenario and unit tests of the ledger, with exact fen amounts, on the embedded 2024–2026 calendar. Each test names
//! the rule it checks. Every lifecycle transition is also checked against a simulated node store: the nodes its
//! effects leave open must be exactly the lifecycle's open limits.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;
use crate::calendar::Calendar;
use crate::valuation::Effect;

pub(crate) fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

pub(crate) fn yuan(text: &str) -> Money {
    Money::parse(text).unwrap()
}

const BANK: &str = "6222000011112222";

/// The engine's node store, simulated: key → due date.
#[derive(Debug, Default)]
pub(crate) struct Nodes(pub BTreeMap<String, NaiveDate>);

impl Nodes {
    pub(crate) fn apply(&mut self, effects: &[Effect]) {
        for effect in effects {
            match effect {
                Effect::CreateNode { key, due_date, plan } => {
                    assert!(key.0.starts_with("ledger."), "{key}");
                    assert!(plan.rule_id.starts_with("FUND-"), "{}", plan.rule_id);
                    assert!(self.0.insert(key.0.clone(), *due_date).is_none(), "node {key} created twice");
                }
                Effect::RescheduleNode { key, due_date, .. } => {
                    assert!(
                        self.0.insert(key.0.clone(), *due_date).is_some(),
                        "node {key} rescheduled but not open"
                    );
                }
                Effect::MeetNode { key } | Effect::CancelNode { key } => {
                    assert!(self.0.remove(&key.0).is_some(), "node {key} closed but not open");
                }
                Effect::PauseNode { .. } | Effect::ResumeNode { .. } | Effect::MeetNodes { .. } => panic!("the ledger never pauses nodes"),
                Effect::Notify(_) => {}
            }
        }
    }

    pub(crate) fn check(&self, limits: &[LedgerLimit]) {
        let expected: BTreeMap<String, NaiveDate> = limits.iter().map(|limit| (limit.key().0, limit.due_date)).collect();
        assert_eq!(self.0, expected, "the stored nodes must be exactly the open limits");
    }
}

fn met(effects: &[Effect], key: &str) -> bool {
    effects
        .iter()
        .any(|effect| matches!(effect, Effect::MeetNode { key: found } if found.0 == key))
}

// ---------------------------------------------------------------- journal (FUND-1, FUND-2, FUND-3, item 22)

#[test]
fn account_keys_round_trip_and_malformed_keys_are_refused() {
    let accounts = [
        Account::CaseHeld(42),
        Account::CaseDisputed(42),
        Account::CasePayable {
            case_id: 42,
            payee: "applicant:7".into(),
        },
        Account::CaseFees(0),
        Account::CaseForfeited(42),
        Account::Bank("6222:0001".into()),
        Account::Suspense,
    ];
    for account in accounts {
        assert_eq!(Account::parse(&account.as_key()).unwrap(), account);
        let json = serde_json::to_string(&account).unwrap();
        assert_eq!(serde_json::from_str::<Account>(&json).unwrap(), account);
    }
    assert_eq!(Account::CaseHeld(42).as_key(), "case:42:held");
    assert_eq!(Account::CaseForfeited(42).as_key(), "case:42:forfeited");
    for bad in [
        "",
        "case:42",
        "case:x:held",
        "case:042:held",
        "case:+4:held",
        "case:4:payable:",
        "bank:",
        "case:4:held:x",
        "suspense:1",
    ] {
        let error = Account::parse(bad).unwrap_err();
        assert_eq!(error.code(), "account_key_invalid", "{bad}");
    }
}

#[test]
fn fund_2_receipt_to_case_balances_and_credits_the_case() {
    let mut balances = BalanceMap::new();
    balances.post(&receipt_to_case(BANK, 42, yuan("1234567.89"))).unwrap();
    assert_eq!(balances.balance(&Account::CaseHeld(42)), yuan("1234567.89"));
    assert_eq!(balances.balance(&Account::Bank(BANK.into())), yuan("1234567.89"));
}

#[test]
fn fund_2_unbalanced_entry_is_refused() {
    let entry = Entry {
        kind: EntryKind::Receipt,
        memo: String::new(),
        lines: vec![
            Line::debit(Account::Bank(BANK.into()), Money::from_fen(100)),
            Line::credit(Account::CaseHeld(1), Money::from_fen(99)),
        ],
    };
    let error = validate(&entry, &BalanceMap::new()).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("unbalanced_entry", "FUND-2"));
}

#[test]
fn fund_2_entry_needs_two_lines_each_with_one_positive_amount() {
    let one_line = Entry {
        kind: EntryKind::Receipt,
        memo: String::new(),
        lines: vec![Line::debit(Account::Bank(BANK.into()), Money::from_fen(100))],
    };
    assert_eq!(validate(&one_line, &BalanceMap::new()).unwrap_err().code(), "entry_too_few_lines");
    let zero = receipt_to_case(BANK, 1, Money::ZERO);
    assert_eq!(validate(&zero, &BalanceMap::new()).unwrap_err().code(), "line_amount_invalid");
    let negative = receipt_to_case(BANK, 1, Money::from_fen(-5));
    assert_eq!(validate(&negative, &BalanceMap::new()).unwrap_err().code(), "line_amount_invalid");
    let both_sides = Entry {
        kind: EntryKind::Receipt,
        memo: String::new(),
        lines: vec![
            Line {
                account: Account::Bank(BANK.into()),
                debit: Money::from_fen(5),
                credit: Money::from_fen(5),
            },
            Line::credit(Account::CaseHeld(1), Money::from_fen(5)),
        ],
    };
    assert_eq!(validate(&both_sides, &BalanceMap::new()).unwrap_err().code(), "line_amount_invalid");
}

#[test]
fn fund_2_sums_that_overflow_are_refused_not_wrapped() {
    let entry = Entry {
        kind: EntryKind::Receipt,
        memo: String::new(),
        lines: vec![
            Line::debit(Account::Bank(BANK.into()), Money::from_fen(i64::MAX)),
            Line::debit(Account::Bank("other".into()), Money::from_fen(i64::MAX)),
            Line::credit(Account::CaseHeld(1), Money::from_fen(1)),
        ],
    };
    assert_eq!(validate(&entry, &BalanceMap::new()).unwrap_err().code(), "amount_overflow");
}

#[test]
fn fund_2_case_account_never_goes_negative_so_the_same_funds_are_not_paid_twice() {
    let mut balances = BalanceMap::new();
    balances.post(&receipt_to_case(BANK, 42, yuan("1000.00"))).unwrap();
    balances.post(&approve_payout(42, "applicant", yuan("1000.00"))).unwrap();
    // A second clerk approves the same funds again: the held balance no longer covers it.
    let error = balances.post(&approve_payout(42, "applicant", yuan("0.01"))).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("case_balance_would_go_negative", "FUND-2"));
    // Paying out more than was approved is refused as well.
    let error = balances.post(&pay_out(BANK, 42, "applicant", yuan("1000.01"))).unwrap_err();
    assert_eq!(error.code(), "case_balance_would_go_negative");
    balances.post(&pay_out(BANK, 42, "applicant", yuan("1000.00"))).unwrap();
    assert_eq!(balances.balance(&Account::Bank(BANK.into())), Money::ZERO);
    assert_eq!(
        balances.post(&pay_out(BANK, 42, "applicant", yuan("1000.00"))).unwrap_err().code(),
        "case_balance_would_go_negative"
    );
}

#[test]
fn fund_3_suspense_claims_cannot_exceed_the_unidentified_funds() {
    let mut balances = BalanceMap::new();
    balances.post(&receipt_to_suspense(BANK, yuan("500.00"))).unwrap();
    balances.post(&claim_from_suspense(7, yuan("300.00"))).unwrap();
    let error = balances.post(&claim_from_suspense(8, yuan("200.01"))).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("suspense_balance_would_go_negative", "FUND-3"));
    assert_eq!(balances.balance(&Account::CaseHeld(7)), yuan("300.00"));
}

#[test]
fn fund_2_a_bank_account_cannot_pay_what_it_does_not_hold() {
    let mut balances = BalanceMap::new();
    balances.post(&receipt_to_case("A", 1, yuan("100.00"))).unwrap();
    balances.post(&approve_payout(1, "p", yuan("100.00"))).unwrap();
    let error = balances.post(&pay_out("B", 1, "p", yuan("100.00"))).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("bank_balance_would_go_negative", "FUND-2"));
}

#[test]
fn item_22_disputed_funds_are_held_back_and_only_the_undisputed_part_can_be_paid() {
    let mut balances = BalanceMap::new();
    balances.post(&receipt_to_case(BANK, 5, yuan("900000.00"))).unwrap();
    balances.post(&hold_disputed(5, yuan("300000.00"))).unwrap();
    assert_eq!(
        balances.post(&approve_payout(5, "a", yuan("600000.01"))).unwrap_err().code(),
        "case_balance_would_go_negative"
    );
    balances.post(&approve_payout(5, "a", yuan("600000.00"))).unwrap();
    balances.post(&release_disputed(5, yuan("300000.00"))).unwrap();
    assert_eq!(balances.balance(&Account::CaseHeld(5)), yuan("300000.00"));
    assert_eq!(balances.balance(&Account::CaseDisputed(5)), Money::ZERO);
}

#[test]
fn fund_10_fees_come_out_of_the_case_and_leave_for_the_court() {
    let mut balances = BalanceMap::new();
    balances.post(&receipt_to_case(BANK, 3, yuan("20000.00"))).unwrap();
    balances.post(&fee(3, yuan("200.00"))).unwrap();
    balances.post(&fee_transfer(BANK, 3, yuan("200.00"))).unwrap();
    balances.post(&refund(BANK, 3, yuan("0.01"))).unwrap();
    assert_eq!(balances.balance(&Account::CaseHeld(3)), yuan("19799.99"));
    assert_eq!(balances.balance(&Account::CaseFees(3)), Money::ZERO);
    assert_eq!(balances.balance(&Account::Bank(BANK.into())), yuan("19799.99"));
}

#[test]
fn auc_14_a_forfeited_deposit_is_set_apart_then_allocated_costs_to_fees_the_rest_back_to_the_case_to_the_fen() {
    let mut balances = BalanceMap::new();
    // The platform transferred the buyer's deposit of 8,000.00 into the case's account (AUC-15).
    balances.post(&receipt_in_transit(9, yuan("8000.00"))).unwrap();
    let set_apart = forfeit_deposit(9, yuan("8000.00"));
    assert_eq!(set_apart.kind, EntryKind::ForfeitDeposit);
    balances.post(&set_apart).unwrap();
    assert_eq!(balances.balance(&Account::CaseHeld(9)), Money::ZERO);
    assert_eq!(balances.balance(&Account::CaseForfeited(9)), yuan("8000.00"));
    // AUC-14's order: 1,200.00 of costs, the 5,000.00 shortfall, 1,799.99 of this case's debt, 0.01 left.
    let parts = [
        (ForfeitPart::Remainder, yuan("0.01")),
        (ForfeitPart::ResaleShortfall, yuan("5000.00")),
        (ForfeitPart::AuctionCostLosses, yuan("1200.00")),
        (ForfeitPart::ThisCaseDebt, yuan("1799.99")),
        (ForfeitPart::RelatedDebts, Money::ZERO),
    ];
    let entries = forfeit_allocation_entries(9, &parts);
    let order: Vec<ForfeitPart> = entries.iter().map(|(part, _)| *part).collect();
    assert_eq!(
        order,
        vec![
            ForfeitPart::AuctionCostLosses,
            ForfeitPart::ResaleShortfall,
            ForfeitPart::ThisCaseDebt,
            ForfeitPart::Remainder
        ],
        "in the rule's order, no entry for a part of zero"
    );
    // Each part leaves the forfeited account for its destination, with its own amount: the costs to the court's
    // fees, every other part back to the case's funds.
    let moves: Vec<(ForfeitPart, Account, Money)> = entries
        .iter()
        .map(|(part, entry)| {
            assert_eq!(entry.kind, EntryKind::ForfeitAllocation);
            let from = entry.lines.iter().find(|line| line.debit.fen() > 0).expect("a debit");
            assert_eq!(from.account, Account::CaseForfeited(9), "every part leaves the forfeited account");
            let to = entry.lines.iter().find(|line| line.credit.fen() > 0).expect("a credit");
            (*part, to.account.clone(), to.credit)
        })
        .collect();
    assert_eq!(
        moves,
        vec![
            (ForfeitPart::AuctionCostLosses, Account::CaseFees(9), yuan("1200.00")),
            (ForfeitPart::ResaleShortfall, Account::CaseHeld(9), yuan("5000.00")),
            (ForfeitPart::ThisCaseDebt, Account::CaseHeld(9), yuan("1799.99")),
            (ForfeitPart::Remainder, Account::CaseHeld(9), yuan("0.01")),
        ]
    );
    for (_, entry) in &entries {
        balances.post(entry).unwrap();
    }
    assert_eq!(balances.balance(&Account::CaseForfeited(9)), Money::ZERO);
    assert_eq!(balances.balance(&Account::CaseFees(9)), yuan("1200.00"));
    assert_eq!(balances.balance(&Account::CaseHeld(9)), yuan("6800.00"));
    // FUND-2: nothing more can leave the forfeited account than it holds.
    let error = balances
        .post(&forfeit_allocation(9, ForfeitPart::Remainder, yuan("0.01")))
        .unwrap_err();
    assert_eq!(error.code(), "case_balance_would_go_negative");
    // Nor can a deposit be set apart that the case's funds no longer hold.
    let error = balances.post(&forfeit_deposit(9, yuan("6800.01"))).unwrap_err();
    assert_eq!(error.code(), "case_balance_would_go_negative");
}

// ---------------------------------------------------------------- distribution (FUND-9, FUND-11)

fn claim(claimant: &str, amount: &str, class: ClaimClass) -> Claim {
    Claim {
        claimant: claimant.into(),
        amount: yuan(amount),
        class,
        filed_on: date("2025-03-01"),
    }
}

fn input(claims: Vec<Claim>, ordinary_order: OrdinaryOrder) -> DistributionInput {
    DistributionInput {
        claims,
        ordinary_order,
        debtor: "debtor".into(),
        execution_started_on: date("2025-01-10"),
        execution_ended_on: None,
    }
}

fn shares(distribution: &Distribution) -> Vec<(String, String)> {
    distribution
        .shares
        .iter()
        .map(|share| (share.claimant.clone(), share.amount.to_string()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(name, amount)| (name.to_string(), amount.to_string())).collect()
}

#[test]
fn fund_9_costs_first_then_priority_by_rank_then_ordinary_pro_rata_exact_to_the_fen() {
    let claims = vec![
        claim("ordinary-a", "100000.00", ClaimClass::Ordinary { seizure_order: None }),
        claim("mortgage-2", "300000.00", ClaimClass::Priority { rank: 2 }),
        claim("auction-costs", "12345.67", ClaimClass::ExecutionCost),
        claim("mortgage-1", "500000.00", ClaimClass::Priority { rank: 1 }),
        claim("ordinary-b", "200000.00", ClaimClass::Ordinary { seizure_order: None }),
        claim("ordinary-c", "100000.00", ClaimClass::Ordinary { seizure_order: None }),
    ];
    let distribution = distribute(yuan("912345.68"), &input(claims, OrdinaryOrder::ProRata)).unwrap();
    // 912,345.68 − 12,345.67 − 500,000 − 300,000 = 100,000.01 for 400,000 of ordinary claims:
    // a 25,000.0025 → 25,000.00 (remainder .25 fen), b 50,000.005 → 50,000.00 (.5 fen), c 25,000.0025 → 25,000.00;
    // the one fen left goes to b, the largest remainder.
    assert_eq!(
        shares(&distribution),
        pairs(&[
            ("auction-costs", "12345.67"),
            ("mortgage-1", "500000.00"),
            ("mortgage-2", "300000.00"),
            ("ordinary-a", "25000.00"),
            ("ordinary-b", "50000.01"),
            ("ordinary-c", "25000.00"),
        ])
    );
    assert_eq!(distribution.total(), yuan("912345.68"));
    assert_eq!(distribution.shares[3].basis, ShareBasis::OrdinaryProRata);
    assert!(distribution.shares[3].rule.contains("508"));
}

#[test]
fn fund_9_same_rank_priorities_share_pro_rata_and_equal_remainders_go_to_the_first_listed() {
    let claims = vec![
        claim("m-x", "100.00", ClaimClass::Priority { rank: 1 }),
        claim("m-y", "100.00", ClaimClass::Priority { rank: 1 }),
        claim("m-z", "100.00", ClaimClass::Priority { rank: 1 }),
        claim("late-rank", "100.00", ClaimClass::Priority { rank: 2 }),
    ];
    let distribution = distribute(yuan("100.00"), &input(claims, OrdinaryOrder::ProRata)).unwrap();
    assert_eq!(
        shares(&distribution),
        pairs(&[("m-x", "33.34"), ("m-y", "33.33"), ("m-z", "33.33"), ("late-rank", "0.00")])
    );
    assert!(distribution.shares[0].rule.contains("414"));
}

#[test]
fn fund_9_enterprise_debtor_pays_ordinary_claims_in_seizure_order_and_the_surplus_to_the_debtor() {
    let claims = vec![
        claim("third-seizer", "50000.00", ClaimClass::Ordinary { seizure_order: Some(3) }),
        claim("no-seizure", "10000.00", ClaimClass::Ordinary { seizure_order: None }),
        claim("first-seizer", "60000.00", ClaimClass::Ordinary { seizure_order: Some(1) }),
    ];
    let distribution = distribute(yuan("100000.00"), &input(claims.clone(), OrdinaryOrder::BySeizureOrder)).unwrap();
    assert_eq!(
        shares(&distribution),
        pairs(&[("first-seizer", "60000.00"), ("third-seizer", "40000.00"), ("no-seizure", "0.00")])
    );
    assert!(distribution.shares[0].rule.contains("514"));
    let distribution = distribute(yuan("130000.00"), &input(claims, OrdinaryOrder::BySeizureOrder)).unwrap();
    assert_eq!(distribution.shares.last().unwrap().claimant, "debtor");
    assert_eq!(distribution.shares.last().unwrap().amount, yuan("10000.00"));
    assert_eq!(distribution.shares.last().unwrap().basis, ShareBasis::Surplus);
    assert_eq!(distribution.total(), yuan("130000.00"));
}

#[test]
fn fund_9_costs_that_exceed_the_proceeds_share_them_pro_rata() {
    let claims = vec![
        claim("auction", "2.00", ClaimClass::ExecutionCost),
        claim("appraisal", "1.00", ClaimClass::ExecutionCost),
        claim("creditor", "1.00", ClaimClass::Ordinary { seizure_order: None }),
    ];
    let distribution = distribute(Money::from_fen(100), &input(claims, OrdinaryOrder::ProRata)).unwrap();
    // 100 fen over 200:100 → 66.67 and 33.33 fen; the spare fen goes to the larger remainder (auction).
    assert_eq!(
        shares(&distribution),
        pairs(&[("auction", "0.67"), ("appraisal", "0.33"), ("creditor", "0.00")])
    );
}

#[test]
fn fund_11_a_claim_filed_after_execution_against_the_asset_ended_is_refused() {
    let mut late = claim("late", "100.00", ClaimClass::Ordinary { seizure_order: None });
    late.filed_on = date("2025-06-02");
    let mut input = input(vec![late.clone()], OrdinaryOrder::ProRata);
    input.execution_ended_on = Some(date("2025-06-01"));
    let error = distribute(yuan("100.00"), &input).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("distribution_application_too_late", "FUND-11"));
    // Filed on the day execution ended: still in time (DESIGN).
    late.filed_on = date("2025-06-01");
    input.claims = vec![late.clone()];
    assert!(distribute(yuan("100.00"), &input).is_ok());
    late.filed_on = date("2025-01-09");
    input.claims = vec![late];
    assert_eq!(
        distribute(yuan("100.00"), &input).unwrap_err().code(),
        "distribution_application_too_early"
    );
}

#[test]
fn fund_9_claims_are_checked_before_anything_is_shared() {
    let zero = claim("zero", "0", ClaimClass::Ordinary { seizure_order: None });
    assert_eq!(
        distribute(yuan("1"), &input(vec![zero], OrdinaryOrder::ProRata))
            .unwrap_err()
            .code(),
        "amount_not_positive"
    );
    let rank_zero = claim("r0", "1", ClaimClass::Priority { rank: 0 });
    assert_eq!(
        distribute(yuan("1"), &input(vec![rank_zero], OrdinaryOrder::ProRata))
            .unwrap_err()
            .code(),
        "priority_rank_invalid"
    );
    let nothing = distribute(Money::ZERO, &input(Vec::new(), OrdinaryOrder::ProRata)).unwrap();
    assert!(nothing.shares.is_empty());
}

// ---------------------------------------------------------------- distribution plan (FUND-12)

fn plan_distribution() -> Distribution {
    let claims = vec![
        claim("creditor-a", "600000.00", ClaimClass::Ordinary { seizure_order: None }),
        claim("creditor-b", "400000.00", ClaimClass::Ordinary { seizure_order: None }),
    ];
    distribute(yuan("500000.00"), &input(claims, OrdinaryOrder::ProRata)).unwrap()
}

fn served_plan(calendar: &Calendar, nodes: &mut Nodes) -> DistributionPlan {
    let parties = vec![
        ("creditor-a".to_string(), PartyRole::Creditor),
        ("creditor-b".to_string(), PartyRole::Creditor),
        ("debtor".to_string(), PartyRole::Debtor),
    ];
    let mut plan = DistributionPlan::draw_up(9, plan_distribution(), parties, date("2025-09-18")).unwrap();
    for party in ["creditor-a", "creditor-b", "debtor"] {
        let transition = plan
            .record_service(party, date("2025-09-20"), date("2025-09-22"), calendar)
            .unwrap();
        nodes.apply(&transition.effects);
        plan = transition.state;
        nodes.check(&plan.open_limits());
    }
    plan
}

#[test]
fn fund_12_objection_counter_objection_and_suit_run_15_plus_15_plus_15_days_across_national_day() {
    let calendar = Calendar::embedded();
    let mut nodes = Nodes::default();
    let plan = served_plan(&calendar, &mut nodes);
    // Received 2025-09-20: day 15 is 2025-10-05, inside the National Day break (HOL-2025), so PER-1 moves the end to
    // the first working day after it, 2025-10-09.
    assert_eq!(nodes.0.get("ledger.plan.objection:debtor"), Some(&date("2025-10-09")));

    // creditor-b objects on the last day, disputing 100,000 of creditor-a's 300,000.
    let disputed = vec![DisputedShare {
        claimant: "creditor-a".into(),
        amount: yuan("100000.00"),
    }];
    let step = plan
        .file_objection("creditor-b", date("2025-10-09"), disputed, date("2025-10-09"))
        .unwrap();
    assert!(met(&step.effects, "ledger.plan.objection:creditor-b"));
    nodes.apply(&step.effects);
    nodes.check(&step.state.open_limits());

    // Nothing is paid while the plan is being served.
    assert!(step.state.payable_now().iter().all(|share| share.payable == Money::ZERO));
    let step = step.state.close_objection_period(date("2025-10-10")).unwrap();
    nodes.apply(&step.effects);
    nodes.check(&step.state.open_limits());
    // The undisputed part is payable (item 22); 100,000 of creditor-a's share is withheld.
    let payable = step.state.payable_now();
    assert_eq!(payable[0].payable, yuan("200000.00"));
    assert_eq!(payable[0].withheld, yuan("100000.00"));
    assert_eq!(payable[1].payable, yuan("200000.00"));

    // The others are notified on 2025-10-10: day 15 is Saturday 2025-10-25, moved to Monday 2025-10-27.
    let step = step
        .state
        .notify_objection(1, date("2025-10-10"), date("2025-10-10"), &calendar)
        .unwrap();
    nodes.apply(&step.effects);
    assert_eq!(nodes.0.get("ledger.plan.counter_objection:1"), Some(&date("2025-10-27")));
    let step = step
        .state
        .file_counter_objection(1, "creditor-a", date("2025-10-20"), date("2025-10-20"))
        .unwrap();
    nodes.apply(&step.effects);
    let refused = step.state.clone().close_counter_period(1, date("2025-10-27")).unwrap_err();
    assert_eq!((refused.code(), refused.rule()), ("window_still_open", "FUND-12"));
    let step = step.state.close_counter_period(1, date("2025-10-28")).unwrap();
    nodes.apply(&step.effects);

    // The objector is notified on 2025-10-28 and may sue until 2025-11-12.
    let step = step
        .state
        .notify_objector(1, date("2025-10-28"), date("2025-10-28"), &calendar)
        .unwrap();
    nodes.apply(&step.effects);
    assert_eq!(nodes.0.get("ledger.plan.suit:1"), Some(&date("2025-11-12")));
    let late = step
        .state
        .clone()
        .record_suit(1, date("2025-11-13"), date("2025-11-13"))
        .unwrap_err();
    assert_eq!((late.code(), late.rule()), ("suit_after_deadline", "FUND-12"));
    let step = step.state.record_suit(1, date("2025-11-12"), date("2025-11-12")).unwrap();
    nodes.apply(&step.effects);
    nodes.check(&step.state.open_limits());
    // While the suit is pending the disputed amount is held (民诉法解释 art 510 ¶3).
    assert_eq!(step.entries, vec![hold_disputed(9, yuan("100000.00"))]);
    assert_eq!(step.state.carry_out_check_code(), Some("objection_not_at_step"));

    let step = step.state.record_judgment(1, None, date("2026-03-02")).unwrap();
    assert_eq!(step.entries, vec![release_disputed(9, yuan("100000.00"))]);
    let step = step.state.carry_out(date("2026-03-02")).unwrap();
    assert_eq!(step.state.stage, PlanStage::CarriedOut);
    assert_eq!(step.state.payable_now()[0].payable, yuan("300000.00"));
    assert!(nodes.0.is_empty());
}

impl DistributionPlan {
    /// The code `carry_out` would refuse with, if any (a test helper).
    fn carry_out_check_code(&self) -> Option<&'static str> {
        self.clone().carry_out(self.last_event_on).err().map(|error| error.code())
    }
}

#[test]
fn fund_12_objection_after_the_15_days_is_refused() {
    let calendar = Calendar::embedded();
    let plan = served_plan(&calendar, &mut Nodes::default());
    let disputed = vec![DisputedShare {
        claimant: "creditor-a".into(),
        amount: yuan("1.00"),
    }];
    let error = plan
        .file_objection("debtor", date("2025-10-10"), disputed, date("2025-10-10"))
        .unwrap_err();
    assert_eq!((error.code(), error.rule()), ("objection_after_deadline", "FUND-12"));
}

#[test]
fn fund_12_without_counter_objection_the_plan_is_revised_as_the_objection_asks() {
    let calendar = Calendar::embedded();
    let mut nodes = Nodes::default();
    let plan = served_plan(&calendar, &mut nodes);
    let disputed = vec![DisputedShare {
        claimant: "creditor-b".into(),
        amount: yuan("50000.00"),
    }];
    let step = plan
        .file_objection("creditor-a", date("2025-09-25"), disputed, date("2025-09-25"))
        .unwrap();
    nodes.apply(&step.effects);
    let step = step
        .state
        .notify_objection(1, date("2025-09-26"), date("2025-09-26"), &calendar)
        .unwrap();
    nodes.apply(&step.effects);
    let outsider = step
        .state
        .clone()
        .file_counter_objection(1, "creditor-a", date("2025-09-29"), date("2025-09-29"))
        .unwrap_err();
    assert_eq!(outsider.code(), "counter_objector_is_objector");
    let step = step.state.close_objection_period(date("2025-10-10")).unwrap();
    nodes.apply(&step.effects);
    // Notified 2025-09-26: day 15 is 2025-10-11, a make-up working Saturday (HOL-2025), so it stays.
    assert_eq!(nodes.0.get("ledger.plan.counter_objection:1"), Some(&date("2025-10-11")));
    let step = step.state.close_counter_period(1, date("2025-10-13")).unwrap();
    nodes.apply(&step.effects);
    assert!(matches!(
        step.state.objections[0].status,
        ObjectionStatus::Upheld { revised: false }
    ));
    assert_eq!(step.state.carry_out_check_code(), Some("objection_not_at_step"));

    let mut wrong = step.state.distribution.clone();
    wrong.shares[0].amount = yuan("1.00");
    assert_eq!(
        step.state.clone().revise_plan(wrong, date("2025-10-14")).unwrap_err().code(),
        "revision_total_mismatch"
    );
    let mut revised = step.state.distribution.clone();
    revised.shares[0].amount = yuan("350000.00");
    revised.shares[1].amount = yuan("150000.00");
    let step = step.state.revise_plan(revised, date("2025-10-14")).unwrap();
    let step = step.state.carry_out(date("2025-10-14")).unwrap();
    assert_eq!(step.state.distribution.share_of("creditor-a"), yuan("350000.00"));
    nodes.check(&step.state.open_limits());
}

#[test]
fn fund_12_without_a_suit_in_time_the_original_plan_is_carried_out() {
    let calendar = Calendar::embedded();
    let mut nodes = Nodes::default();
    let plan = served_plan(&calendar, &mut nodes);
    let disputed = vec![DisputedShare {
        claimant: "creditor-a".into(),
        amount: yuan("10.00"),
    }];
    let mut step = plan
        .file_objection("debtor", date("2025-09-30"), disputed, date("2025-09-30"))
        .unwrap();
    nodes.apply(&step.effects);
    for next in [
        PlanCommand::NotifyObjection {
            objection: 1,
            notified_on: date("2025-10-09"),
        },
        PlanCommand::FileCounterObjection {
            objection: 1,
            party: "creditor-a".into(),
            filed_on: date("2025-10-10"),
        },
        PlanCommand::CloseObjectionPeriod,
    ] {
        step = step.state.apply(next, date("2025-10-10"), &calendar).unwrap();
        nodes.apply(&step.effects);
    }
    step = step.state.close_counter_period(1, date("2025-10-27")).unwrap();
    nodes.apply(&step.effects);
    step = step
        .state
        .notify_objector(1, date("2025-10-27"), date("2025-10-27"), &calendar)
        .unwrap();
    nodes.apply(&step.effects);
    let early = step.state.clone().close_suit_period(1, date("2025-11-11")).unwrap_err();
    assert_eq!(early.code(), "window_still_open");
    step = step.state.close_suit_period(1, date("2025-11-12")).unwrap();
    nodes.apply(&step.effects);
    assert_eq!(step.state.objections[0].status, ObjectionStatus::Lapsed);
    let original = step.state.distribution.clone();
    step = step.state.carry_out(date("2025-11-12")).unwrap();
    assert_eq!(step.state.distribution, original);
    nodes.check(&step.state.open_limits());
    assert!(nodes.0.is_empty());
}

#[test]
fn fund_12_plan_refusals_name_their_rule() {
    let calendar = Calendar::embedded();
    let parties = vec![("creditor-a".to_string(), PartyRole::Creditor)];
    assert_eq!(
        DistributionPlan::draw_up(1, plan_distribution(), parties, date("2025-09-18"))
            .unwrap_err()
            .code(),
        "plan_parties_missing"
    );
    let plan = served_plan(&calendar, &mut Nodes::default());
    assert_eq!(
        plan.clone()
            .record_service("stranger", date("2025-09-22"), date("2025-09-22"), &calendar)
            .unwrap_err()
            .code(),
        "party_unknown"
    );
    assert_eq!(
        plan.clone()
            .record_service("debtor", date("2025-09-22"), date("2025-09-22"), &calendar)
            .unwrap_err()
            .code(),
        "party_already_served"
    );
    assert_eq!(
        plan.clone().close_objection_period(date("2025-10-09")).unwrap_err().code(),
        "window_still_open"
    );
    let too_much = vec![DisputedShare {
        claimant: "creditor-a".into(),
        amount: yuan("300000.01"),
    }];
    assert_eq!(
        plan.clone()
            .file_objection("debtor", date("2025-09-30"), too_much, date("2025-09-30"))
            .unwrap_err()
            .code(),
        "disputed_amount_invalid"
    );
    let earlier = plan
        .clone()
        .file_objection("debtor", date("2025-09-21"), Vec::new(), date("2025-09-21"))
        .unwrap_err();
    assert_eq!((earlier.code(), earlier.rule()), ("date_before_last_event", "DESIGN"));
}

// ---------------------------------------------------------------- payouts (FUND-4 … FUND-8)

fn account(number: &str) -> ConfirmedAccount {
    ConfirmedAccount {
        bank: "ICBC".into(),
        account_name: "张三".into(),
        account_number: number.into(),
    }
}

fn request(amount: &str, arrived: &str) -> RequestPayout {
    RequestPayout {
        id: "p-1".into(),
        case_id: 42,
        bank: BANK.into(),
        payee: "applicant".into(),
        amount: yuan(amount),
        purpose: PayoutPurpose::ToParty,
        pay_to: account("6217-0001"),
        confirmed_account: Some(account("6217-0001")),
        panel_approval: None,
        funds_arrived_on: date(arrived),
        arrival_notice_on: None,
        refundable_to_payer: Money::ZERO,
    }
}

/// A payout of `amount` to case 42, which received exactly that on `arrived`: requested that day under the default
/// rules, then approved by every role it needs on `approved_on`; with its nodes and the balances after approval.
fn funded_and_approved(amount: &str, arrived: &str, approved_on: &str, calendar: &Calendar) -> (Nodes, BalanceMap, Payout) {
    funded_and_approved_under(&PayoutRules::default(), amount, arrived, approved_on, calendar)
}

/// The same under a court's own `rules`.
fn funded_and_approved_under(
    rules: &PayoutRules,
    amount: &str,
    arrived: &str,
    approved_on: &str,
    calendar: &Calendar,
) -> (Nodes, BalanceMap, Payout) {
    let mut nodes = Nodes::default();
    let mut balances = BalanceMap::new();
    balances.post(&receipt_to_case(BANK, 42, yuan(amount))).unwrap();
    let step = Payout::request(request(amount, arrived), rules, date(arrived), calendar).unwrap();
    nodes.apply(&step.effects);
    let payout = approve_all(step.state, date(approved_on), &mut nodes, &mut balances);
    (nodes, balances, payout)
}

fn approve_all(mut payout: Payout, today: NaiveDate, nodes: &mut Nodes, balances: &mut BalanceMap) -> Payout {
    for (index, role) in payout.required_roles.clone().into_iter().enumerate() {
        let step = payout.approve(&format!("approver-{index}"), role, today).unwrap();
        nodes.apply(&step.effects);
        for entry in &step.entries {
            balances.post(entry).unwrap();
        }
        payout = step.state;
    }
    payout
}

#[test]
fn fund_5_notice_within_10_working_days_and_payment_within_5_across_national_day_2025() {
    let calendar = Calendar::embedded();
    let mut nodes = Nodes::default();
    let mut balances = BalanceMap::new();
    balances.post(&receipt_to_case(BANK, 42, yuan("80000.00"))).unwrap();
    let step = Payout::request(
        request("80000.00", "2025-09-26"),
        &PayoutRules::default(),
        date("2025-09-26"),
        &calendar,
    )
    .unwrap();
    nodes.apply(&step.effects);
    // Funds arrived Friday 2025-09-26. Working days after it: 09-28 (make-up Sunday), 09-29, 09-30, then the
    // National Day break 10-01..08, 10-09, 10-10, 10-11 (make-up Saturday), 10-13, 10-14, 10-15, 10-16: the 10th.
    assert_eq!(nodes.0.get("ledger.payout.finance_notice:p-1"), Some(&date("2025-10-16")));
    let payout = approve_all(step.state, date("2025-09-29"), &mut nodes, &mut balances);
    assert_eq!(payout.stage.name(), "approved");
    assert_eq!(
        balances.balance(&Account::CasePayable {
            case_id: 42,
            payee: "applicant".into()
        }),
        yuan("80000.00")
    );

    let step = payout
        .send_finance_notice(date("2025-10-16"), date("2025-10-16"), &calendar)
        .unwrap();
    assert!(met(&step.effects, "ledger.payout.finance_notice:p-1"));
    nodes.apply(&step.effects);
    // Five working days after Thursday 10-16: 10-17, 10-20, 10-21, 10-22, 10-23.
    assert_eq!(nodes.0.get("ledger.payout.payment:p-1"), Some(&date("2025-10-23")));
    assert!(matches!(step.outcomes[0], Outcome::FinanceNotified { late: false, .. }));

    let early = step.state.clone().record_paid(date("2025-10-15"), date("2025-10-23")).unwrap_err();
    assert_eq!((early.code(), early.rule()), ("date_before_previous_step", "DESIGN"));
    let future = step.state.clone().record_paid(date("2025-10-24"), date("2025-10-23")).unwrap_err();
    assert_eq!(future.code(), "date_after_today");
    let step = step.state.record_paid(date("2025-10-23"), date("2025-10-23")).unwrap();
    nodes.apply(&step.effects);
    for entry in &step.entries {
        balances.post(entry).unwrap();
    }
    assert!(matches!(step.outcomes[0], Outcome::PayoutPaid { late: false }));
    assert_eq!(balances.balance(&Account::Bank(BANK.into())), Money::ZERO);
    nodes.check(&step.state.open_limits());
    assert!(nodes.0.is_empty());

    // 退票: the funds return to the case and staff are alerted.
    let step = step
        .state
        .record_bounce(date("2025-10-24"), "account closed", date("2025-10-24"))
        .unwrap();
    for entry in &step.entries {
        balances.post(entry).unwrap();
    }
    assert_eq!(balances.balance(&Account::CaseHeld(42)), yuan("80000.00"));
    assert!(step
        .effects
        .iter()
        .any(|effect| matches!(effect, Effect::Notify(notice) if notice.rule == "FUND-8" && notice.message.contains("退票"))));
}

#[test]
fn fund_5_a_late_notice_is_recorded_not_refused() {
    let calendar = Calendar::embedded();
    let (_, _, payout) = funded_and_approved("10.00", "2025-09-26", "2025-10-09", &calendar);
    let step = payout
        .send_finance_notice(date("2025-10-17"), date("2025-10-17"), &calendar)
        .unwrap();
    assert!(matches!(step.outcomes[0], Outcome::FinanceNotified { late: true, .. }));
}

#[test]
fn fund_4_spc2017_profile_completes_within_30_days_of_the_arrival_notice() {
    let calendar = Calendar::embedded();
    let mut nodes = Nodes::default();
    let rules = PayoutRules {
        profile: PayoutDeadlineProfile::Spc2017,
        ..PayoutRules::default()
    };
    let mut spc = request("500.00", "2025-09-01");
    spc.arrival_notice_on = Some(date("2025-09-05"));
    let step = Payout::request(spc, &rules, date("2025-09-05"), &calendar).unwrap();
    nodes.apply(&step.effects);
    // 30 days from 09-05 is 10-05, inside the National Day break: PER-1 moves it to 10-09.
    assert_eq!(nodes.0.get("ledger.payout.completion:p-1"), Some(&date("2025-10-09")));
    let mut balances = BalanceMap::new();
    balances.post(&receipt_to_case(BANK, 42, yuan("500.00"))).unwrap();
    let payout = approve_all(step.state, date("2025-09-08"), &mut nodes, &mut balances);
    let step = payout
        .send_finance_notice(date("2025-09-09"), date("2025-09-09"), &calendar)
        .unwrap();
    nodes.apply(&step.effects);
    // The same completion limit keeps running through the notice.
    assert_eq!(nodes.0.get("ledger.payout.completion:p-1"), Some(&date("2025-10-09")));
    nodes.check(&step.state.open_limits());
}

#[test]
fn fund_8_only_the_confirmed_account_is_paid_unless_a_panel_approved_another_payee_and_a_refund_goes_back_to_its_payer_only() {
    let calendar = Calendar::embedded();
    let rules = PayoutRules::default();
    let mut other = request("100.00", "2025-09-26");
    other.pay_to = account("9999-0000");
    let error = Payout::request(other.clone(), &rules, date("2025-09-26"), &calendar).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("payee_not_confirmed", "FUND-8"));
    let mut none_confirmed = request("100.00", "2025-09-26");
    none_confirmed.confirmed_account = None;
    assert_eq!(
        Payout::request(none_confirmed, &rules, date("2025-09-26"), &calendar)
            .unwrap_err()
            .code(),
        "payee_not_confirmed"
    );
    let mut panel = other.clone();
    panel.panel_approval = Some(PanelApproval {
        decided_on: date("2025-09-25"),
        reference: "合议庭 2025-17".into(),
    });
    assert!(Payout::request(panel, &rules, date("2025-09-26"), &calendar).is_ok());
    // A refund to the payer needs no panel, but goes only back to an account that paid in, and no more than it paid.
    let mut refund = other;
    refund.purpose = PayoutPurpose::RefundToPayer;
    let error = Payout::request(refund.clone(), &rules, date("2025-09-26"), &calendar).unwrap_err();
    assert_eq!(
        (error.code(), error.rule()),
        ("refund_beyond_payment", "FUND-8"),
        "this account paid nothing in"
    );
    refund.refundable_to_payer = yuan("99.99");
    let error = Payout::request(refund.clone(), &rules, date("2025-09-26"), &calendar).unwrap_err();
    assert_eq!(
        (error.code(), error.rule()),
        ("refund_beyond_payment", "FUND-8"),
        "one fen more than it paid"
    );
    refund.refundable_to_payer = yuan("100.00");
    assert!(Payout::request(refund, &rules, date("2025-09-26"), &calendar).is_ok());
}

#[test]
fn fund_8_approvals_come_in_the_matrix_order_one_per_role_and_never_twice_from_one_approver() {
    let calendar = Calendar::embedded();
    let step = Payout::request(
        request("100000.00", "2025-09-26"),
        &PayoutRules::default(),
        date("2025-09-26"),
        &calendar,
    )
    .unwrap();
    let payout = step.state;
    assert_eq!(
        payout.required_roles,
        vec![ApprovalRole::CaseOfficer, ApprovalRole::FundManager, ApprovalRole::BureauHead]
    );
    let error = payout
        .clone()
        .approve("li", ApprovalRole::BureauHead, date("2025-09-26"))
        .unwrap_err();
    assert_eq!((error.code(), error.rule()), ("approval_out_of_order", "FUND-8"));
    let payout = payout.approve("li", ApprovalRole::CaseOfficer, date("2025-09-26")).unwrap().state;
    let error = payout
        .clone()
        .approve("li", ApprovalRole::FundManager, date("2025-09-26"))
        .unwrap_err();
    assert_eq!((error.code(), error.rule()), ("approver_already_approved", "FUND-8"));
    let payout = payout.approve("wang", ApprovalRole::FundManager, date("2025-09-26")).unwrap().state;
    let step = payout.approve("zhao", ApprovalRole::BureauHead, date("2025-09-26")).unwrap();
    assert_eq!(step.entries, vec![approve_payout(42, "applicant", yuan("100000.00"))]);
    assert_eq!(step.state.stage.name(), "approved");
    let error = step
        .state
        .approve("qian", ApprovalRole::VicePresident, date("2025-09-26"))
        .unwrap_err();
    assert_eq!(error.code(), "out_of_order");

    let above = Payout::request(
        request("100000.01", "2025-09-26"),
        &PayoutRules::default(),
        date("2025-09-26"),
        &calendar,
    )
    .unwrap();
    assert_eq!(above.state.required_roles.last(), Some(&ApprovalRole::VicePresident));
}

#[test]
fn fund_8_approval_matrix_is_read_from_json_and_checked() {
    let json = r#"{"tiers": [
        {"up_to": "50000.00", "roles": ["case_officer", "bureau_head"]},
        {"up_to": null, "roles": ["case_officer", "fund_manager", "bureau_head", "vice_president"]}
    ]}"#;
    let matrix = ApprovalMatrix::parse_json(json).unwrap();
    assert_eq!(matrix.roles_for(yuan("50000.00")).len(), 2);
    assert_eq!(matrix.roles_for(yuan("50000.01")).len(), 4);
    for bad in [
        r#"{"tiers": []}"#,
        r#"{"tiers": [{"up_to": "1.00", "roles": ["case_officer"]}]}"#,
        r#"{"tiers": [{"up_to": null, "roles": []}]}"#,
        r#"{"tiers": [{"up_to": null, "roles": ["bureau_head", "bureau_head"]}]}"#,
        r#"{"tiers": [{"up_to": "5.00", "roles": ["bureau_head"]}, {"up_to": "5.00", "roles": ["bureau_head"]}, {"up_to": null, "roles": ["bureau_head"]}]}"#,
        r#"{"tiers": [{"up_to": 5, "roles": ["bureau_head"]}]}"#,
        r#"{"tiers": [{"up_to": null, "roles": ["janitor"]}]}"#,
    ] {
        let error = ApprovalMatrix::parse_json(bad).unwrap_err();
        assert_eq!((error.code(), error.rule()), ("approval_matrix_invalid", "FUND-8"), "{bad}");
    }
    ApprovalMatrix::default().check().unwrap();
}

#[test]
fn fund_6_a_delay_needs_the_bureau_head_and_the_payout_follows_within_10_days_of_clearance() {
    let calendar = Calendar::embedded();
    let (mut nodes, _, payout) = funded_and_approved("100.00", "2025-09-01", "2025-09-02", &calendar);
    let error = payout
        .clone()
        .delay(
            DelayGround::ApplicantDidNotCollect,
            "li",
            ApprovalRole::FundManager,
            date("2025-09-03"),
        )
        .unwrap_err();
    assert_eq!((error.code(), error.rule()), ("approver_not_authorised", "FUND-6"));
    let step = payout
        .delay(
            DelayGround::CaseStayedOrSuspended,
            "zhao",
            ApprovalRole::BureauHead,
            date("2025-09-03"),
        )
        .unwrap();
    nodes.apply(&step.effects);
    assert!(nodes.0.is_empty(), "a delay cancels the running deadline");
    assert_eq!(step.state.send_finance_notice_code(&calendar), Some("out_of_order"));
    // Cleared 2025-09-26: 10 days is 2025-10-06, inside the National Day break → 2025-10-09.
    let step = step.state.clear_delay(date("2025-09-26"), date("2025-09-26"), &calendar).unwrap();
    nodes.apply(&step.effects);
    assert_eq!(nodes.0.get("ledger.payout.after_delay:p-1"), Some(&date("2025-10-09")));
    assert_eq!(step.state.stage.name(), "approved");
    let step = step
        .state
        .send_finance_notice(date("2025-09-29"), date("2025-09-29"), &calendar)
        .unwrap();
    nodes.apply(&step.effects);
    assert_eq!(nodes.0.get("ledger.payout.after_delay:p-1"), Some(&date("2025-10-09")));
    nodes.check(&step.state.open_limits());
}

#[test]
fn fund_6_the_days_to_pay_after_a_cleared_delay_are_the_courts_setting() {
    let calendar = Calendar::embedded();
    let rules = PayoutRules {
        delay_cleared_payout_days: 20,
        ..PayoutRules::default()
    };
    let (mut nodes, _, payout) = funded_and_approved_under(&rules, "100.00", "2025-09-01", "2025-09-02", &calendar);
    let step = payout
        .delay(
            DelayGround::CaseStayedOrSuspended,
            "zhao",
            ApprovalRole::BureauHead,
            date("2025-09-03"),
        )
        .unwrap();
    nodes.apply(&step.effects);
    let step = step.state.clear_delay(date("2025-09-26"), date("2025-09-26"), &calendar).unwrap();
    nodes.apply(&step.effects);
    // 20 days from 09-26 instead of 10: Thursday 2025-10-16, after the National Day break.
    assert_eq!(nodes.0.get("ledger.payout.after_delay:p-1"), Some(&date("2025-10-16")));
    nodes.check(&step.state.open_limits());
}

impl Payout {
    fn send_finance_notice_code(&self, calendar: &Calendar) -> Option<&'static str> {
        self.clone()
            .send_finance_notice(self.last_event_on, self.last_event_on, calendar)
            .err()
            .map(|error| error.code())
    }
}

#[test]
fn fund_7_escrow_needs_the_same_approval_and_takes_the_approved_funds_to_the_notary() {
    let calendar = Calendar::embedded();
    let (mut nodes, mut balances, payout) = funded_and_approved("100.00", "2025-09-01", "2025-09-02", &calendar);
    let error = payout
        .clone()
        .escrow(EscrowGround::ApplicantMissing, "li", ApprovalRole::CaseOfficer, date("2025-09-03"))
        .unwrap_err();
    assert_eq!((error.code(), error.rule()), ("approver_not_authorised", "FUND-7"));
    let step = payout
        .escrow(
            EscrowGround::ApplicantMissing,
            "qian",
            ApprovalRole::VicePresident,
            date("2025-09-03"),
        )
        .unwrap();
    nodes.apply(&step.effects);
    for entry in &step.entries {
        balances.post(entry).unwrap();
    }
    assert_eq!(step.entries[0].kind, EntryKind::EscrowDeposit);
    assert_eq!(balances.balance(&Account::Bank(BANK.into())), Money::ZERO);
    assert!(balances.iter().all(|(_, balance)| balance == Money::ZERO));
    assert!(nodes.0.is_empty());
}

// ---------------------------------------------------------------- suspense (FUND-3)

#[test]
fn fund_3_unidentified_funds_have_a_3_working_day_claim_deadline_an_age_and_need_an_approval_to_claim() {
    let calendar = Calendar::embedded();
    let mut nodes = Nodes::default();
    let mut balances = BalanceMap::new();
    let step = SuspenseItem::receive(
        "s-1",
        BANK,
        yuan("3000.00"),
        date("2025-09-30"),
        "某公司",
        "货款",
        &SuspenseRules::default(),
        date("2025-09-30"),
        &calendar,
    )
    .unwrap();
    nodes.apply(&step.effects);
    for entry in &step.entries {
        balances.post(entry).unwrap();
    }
    // Arrived 2025-09-30: working days 10-09, 10-10, 10-11 (make-up Saturday).
    assert_eq!(step.state.claim_due(), date("2025-10-11"));
    assert_eq!(nodes.0.get("ledger.suspense.claim:s-1"), Some(&date("2025-10-11")));
    assert_eq!(step.state.age_days(date("2025-10-13")), 13);
    assert_eq!(step.state.age_days(date("2025-09-30")), 0);

    let error = step.state.clone().claim(42, yuan("1000.00"), None, date("2025-10-09")).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("claim_needs_approval", "FUND-3"));
    let approval = ClaimApproval {
        approver: "wang".into(),
        approved_on: date("2025-10-09"),
        reference: "认领审批 2025-88".into(),
    };
    let step = step
        .state
        .claim(42, yuan("1000.00"), Some(approval.clone()), date("2025-10-09"))
        .unwrap();
    nodes.apply(&step.effects);
    for entry in &step.entries {
        balances.post(entry).unwrap();
    }
    let error = step
        .state
        .clone()
        .claim(43, yuan("2000.01"), Some(approval.clone()), date("2025-10-10"))
        .unwrap_err();
    assert_eq!(error.code(), "claim_exceeds_unclaimed");
    let step = step.state.claim(43, yuan("2000.00"), Some(approval), date("2025-10-13")).unwrap();
    assert!(met(&step.effects, "ledger.suspense.claim:s-1"));
    assert!(matches!(step.outcomes[0], Outcome::SuspenseClaimed { late: true, .. }));
    nodes.apply(&step.effects);
    for entry in &step.entries {
        balances.post(entry).unwrap();
    }
    assert_eq!(balances.balance(&Account::Suspense), Money::ZERO);
    assert_eq!(balances.balance(&Account::CaseHeld(43)), yuan("2000.00"));
    assert!(nodes.0.is_empty());
}

// ---------------------------------------------------------------- fees (FUND-10)

fn fee_on(amount: &str) -> String {
    execution_application_fee(ApplicationFeeBasis::Amount { amount: yuan(amount) })
        .unwrap()
        .to_string()
}

#[test]
fn fund_10_application_fee_at_the_band_boundaries() {
    assert_eq!(fee_on("0"), "50.00");
    assert_eq!(fee_on("10000.00"), "50.00");
    assert_eq!(fee_on("10000.01"), "50.00"); // + 0.00015 yuan, rounded away
    assert_eq!(fee_on("500000.00"), "7400.00"); // 50 + 1.5 % of 490,000
    assert_eq!(fee_on("5000000.00"), "52400.00"); // + 1 % of 4,500,000
    assert_eq!(fee_on("10000000.00"), "77400.00"); // + 0.5 % of 5,000,000
    assert_eq!(fee_on("10000000.01"), "77400.00"); // + 0.00001 yuan
    assert_eq!(fee_on("20000000.00"), "87400.00"); // + 0.1 % of 10,000,000
}

#[test]
fn fund_10_application_fee_rounds_half_up_to_the_fen_once() {
    // 1 yuan above 10,000 at 1.5 % is 1.5 fen → 2 fen.
    assert_eq!(fee_on("10001.00"), "50.02");
    // 0.99 yuan above is 1.485 fen → 1 fen.
    assert_eq!(fee_on("10000.99"), "50.01");
    // 500,000.50: 7,400 + 0.50 × 1 % = 0.5 fen → 1 fen.
    assert_eq!(fee_on("500000.50"), "7400.01");
}

#[test]
fn fund_10_a_case_without_an_amount_pays_50_to_500_yuan_as_the_court_sets() {
    let set = |fee: &str| execution_application_fee(ApplicationFeeBasis::NoAmount { court_set_fee: yuan(fee) });
    assert_eq!(set("50.00").unwrap(), yuan("50.00"));
    assert_eq!(set("500.00").unwrap(), yuan("500.00"));
    for bad in ["49.99", "500.01"] {
        let error = set(bad).unwrap_err();
        assert_eq!((error.code(), error.rule()), ("application_fee_out_of_range", "FUND-10"));
    }
}

// ---------------------------------------------------------------- reconciliation (FUND-2)

fn reconciliation_input(balances: &BalanceMap) -> ReconciliationInput {
    ReconciliationInput {
        bank: BANK.into(),
        period: ReconciliationPeriod::Day { date: date("2025-10-09") },
        statement_opening: Money::ZERO,
        statement_closing: yuan("1500.00"),
        statement_lines: vec![
            StatementLine {
                reference: "TX1".into(),
                value_date: date("2025-10-09"),
                amount: yuan("1000.00"),
            },
            StatementLine {
                reference: "TX2".into(),
                value_date: date("2025-10-09"),
                amount: yuan("500.00"),
            },
        ],
        ledger_movements: vec![
            LedgerMovement {
                entry_id: "e1".into(),
                date: date("2025-10-09"),
                reference: Some("TX1".into()),
                amount: yuan("1000.00"),
            },
            LedgerMovement {
                entry_id: "e2".into(),
                date: date("2025-10-09"),
                reference: None,
                amount: yuan("500.00"),
            },
        ],
        ledger_balances: balances.to_vec(),
    }
}

#[test]
fn fund_2_reconciliation_balances_statement_ledger_and_books() {
    let mut balances = BalanceMap::new();
    balances.post(&receipt_to_case(BANK, 1, yuan("1000.00"))).unwrap();
    balances.post(&receipt_to_suspense(BANK, yuan("500.00"))).unwrap();
    let result = reconcile(&reconciliation_input(&balances));
    assert!(result.ok, "{result:?}");
    assert_eq!(result.case_balances_total, yuan("1500.00"));
    assert_eq!(result.bank_balance, yuan("1500.00"));
    assert_eq!(result.difference, Money::ZERO);
    let table = reconciliation_table(&result);
    assert_eq!(
        table[0],
        vec!["项目 Item", "日期 Date", "参考号 Reference", "金额 Amount", "说明 Note"]
    );
    assert_eq!(table.last().unwrap()[4], "平衡 balanced");
    assert!(table.iter().all(|row| row.len() == 5));
}

#[test]
fn fund_2_reconciliation_reports_unmatched_lines_and_a_books_mismatch() {
    let mut balances = BalanceMap::new();
    balances.post(&receipt_to_case(BANK, 1, yuan("1000.00"))).unwrap();
    let mut input = reconciliation_input(&balances);
    // A line lost from the store: the case total no longer equals the bank.
    input.ledger_balances.push((Account::CaseHeld(2), yuan("0.01")));
    input.ledger_movements.pop();
    let result = reconcile(&input);
    assert!(!result.ok);
    assert_eq!(result.difference, yuan("500.00"));
    assert_eq!(result.unmatched_statement_lines.len(), 1);
    assert_eq!(result.unmatched_statement_lines[0].reference, "TX2");
    assert_ne!(result.case_balances_total, result.bank_balance);
    let table = reconciliation_table(&result);
    assert!(table.iter().any(|row| row[0].starts_with("未达账项（银行）") && row[2] == "TX2"));
    assert_eq!(table.last().unwrap()[4], "不平衡 not balanced");
}

#[test]
fn every_error_code_is_snake_case_and_names_a_rule() {
    let errors = [
        LedgerError::AmountOverflow,
        LedgerError::ClaimNeedsApproval,
        LedgerError::PlanPartiesMissing,
        LedgerError::NothingToRevise,
        LedgerError::out_of_order("x", "payout", "paid", "FUND-5"),
    ];
    for error in errors {
        assert!(error.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        assert!(error.rule().starts_with("FUND-") || error.rule() == "DESIGN");
    }
}

// ---------------------------------------------------------------- payout withdrawal (FUND-8)

fn cancelled(effects: &[Effect], key: &str) -> bool {
    effects
        .iter()
        .any(|effect| matches!(effect, Effect::CancelNode { key: found } if found.0 == key))
}

#[test]
fn fund_8_withdrawing_an_approved_payout_returns_the_reservation_to_the_fen_and_cancels_its_node() {
    let calendar = Calendar::embedded();
    let (mut nodes, mut balances, payout) = funded_and_approved("80000.37", "2025-09-26", "2025-09-29", &calendar);
    assert_eq!(balances.balance(&Account::CaseHeld(42)), Money::ZERO);
    let payable = Account::CasePayable {
        case_id: 42,
        payee: "applicant".into(),
    };
    assert_eq!(balances.balance(&payable), yuan("80000.37"));

    let missing = payout.clone().cancel("  ", "judge-wang", date("2025-09-30")).unwrap_err();
    assert_eq!((missing.code(), missing.rule()), ("name_missing", "FUND-8"));
    let step = payout
        .cancel("申请执行人已与被执行人和解 settled", "judge-wang", date("2025-09-30"))
        .unwrap();
    // The journal is append-only: the reservation is reversed by a new entry, payable → held.
    assert_eq!(step.entries.len(), 1);
    assert_eq!(step.entries[0].kind, EntryKind::CancelApproval);
    for entry in &step.entries {
        balances.post(entry).unwrap();
    }
    assert_eq!(balances.balance(&Account::CaseHeld(42)), yuan("80000.37"));
    assert_eq!(balances.balance(&payable), Money::ZERO);
    assert!(cancelled(&step.effects, "ledger.payout.finance_notice:p-1"));
    assert!(!met(&step.effects, "ledger.payout.finance_notice:p-1"));
    nodes.apply(&step.effects);
    assert!(nodes.0.is_empty());
    assert_eq!(step.state.stage.name(), "cancelled");
    assert!(matches!(
        &step.outcomes[0],
        Outcome::PayoutCancelled { released: Some(amount), .. } if *amount == yuan("80000.37")
    ));
    // Finance never had the notice: nobody needs telling not to pay.
    assert!(!step.effects.iter().any(|effect| matches!(effect, Effect::Notify(_))));
    let again = step.state.cancel("again", "judge-wang", date("2025-09-30")).unwrap_err();
    assert_eq!((again.code(), again.rule()), ("out_of_order", "FUND-8"));
}

#[test]
fn fund_8_a_payout_still_in_its_approval_chain_is_withdrawn_without_any_entry() {
    let calendar = Calendar::embedded();
    let mut nodes = Nodes::default();
    let step = Payout::request(
        request("100.00", "2025-09-01"),
        &PayoutRules::default(),
        date("2025-09-01"),
        &calendar,
    )
    .unwrap();
    nodes.apply(&step.effects);
    let step = step
        .state
        .approve("officer", ApprovalRole::CaseOfficer, date("2025-09-02"))
        .unwrap();
    nodes.apply(&step.effects);
    let step = step
        .state
        .cancel("wrong amount requested", "assistant-li", date("2025-09-02"))
        .unwrap();
    assert!(step.entries.is_empty(), "nothing was reserved yet");
    assert!(matches!(&step.outcomes[0], Outcome::PayoutCancelled { released: None, .. }));
    assert!(cancelled(&step.effects, "ledger.payout.finance_notice:p-1"));
    nodes.apply(&step.effects);
    nodes.check(&step.state.open_limits());
    assert!(nodes.0.is_empty());
}

#[test]
fn fund_8_withdrawing_after_the_finance_notice_tells_finance_not_to_pay_and_a_delayed_payout_can_be_withdrawn() {
    let calendar = Calendar::embedded();
    let (mut nodes, balances, payout) = funded_and_approved("200.00", "2025-09-01", "2025-09-02", &calendar);
    let step = payout
        .send_finance_notice(date("2025-09-03"), date("2025-09-03"), &calendar)
        .unwrap();
    nodes.apply(&step.effects);
    let notified = step.state;

    let step = notified
        .clone()
        .cancel("申请执行人账户冻结", "judge-wang", date("2025-09-04"))
        .unwrap();
    assert!(cancelled(&step.effects, "ledger.payout.payment:p-1"));
    assert!(step
        .effects
        .iter()
        .any(|effect| matches!(effect, Effect::Notify(notice) if notice.rule == "FUND-8" && notice.message.contains("do not pay"))));
    let mut after_cancel = balances.clone();
    for entry in &step.entries {
        after_cancel.post(entry).unwrap();
    }
    assert_eq!(after_cancel.balance(&Account::CaseHeld(42)), yuan("200.00"));

    // Delayed with the funds reserved: the withdrawal still returns them; the delay had cancelled the node already.
    let step = notified
        .delay(
            DelayGround::ApplicantDidNotCollect,
            "bureau",
            ApprovalRole::BureauHead,
            date("2025-09-04"),
        )
        .unwrap();
    nodes.apply(&step.effects);
    let step = step.state.cancel("改为提存以外的处理", "judge-wang", date("2025-09-05")).unwrap();
    assert_eq!(step.entries[0].kind, EntryKind::CancelApproval);
    assert!(step.effects.iter().all(|effect| !matches!(effect, Effect::CancelNode { .. })));
    nodes.apply(&step.effects);
    assert!(nodes.0.is_empty());
}

#[test]
fn fund_8_a_paid_or_bounced_payout_cannot_be_withdrawn_and_fund_7_an_escrowed_one_neither() {
    let calendar = Calendar::embedded();
    let (_, _, approved) = funded_and_approved("300.00", "2025-09-01", "2025-09-02", &calendar);
    let notified = approved
        .clone()
        .send_finance_notice(date("2025-09-02"), date("2025-09-02"), &calendar)
        .unwrap()
        .state;
    let paid = notified.record_paid(date("2025-09-03"), date("2025-09-03")).unwrap().state;
    let refused = paid.clone().cancel("too late", "judge-wang", date("2025-09-04")).unwrap_err();
    assert_eq!((refused.code(), refused.rule()), ("out_of_order", "FUND-8"));
    assert!(refused.to_string().contains("paid"), "{refused}");
    let bounced = paid
        .record_bounce(date("2025-09-05"), "account closed", date("2025-09-05"))
        .unwrap()
        .state;
    let refused = bounced.cancel("too late", "judge-wang", date("2025-09-05")).unwrap_err();
    assert_eq!((refused.code(), refused.rule()), ("out_of_order", "FUND-8"));
    let escrowed = approved
        .escrow(
            EscrowGround::ApplicantMissing,
            "qian",
            ApprovalRole::VicePresident,
            date("2025-09-03"),
        )
        .unwrap()
        .state;
    let refused = escrowed.cancel("too late", "judge-wang", date("2025-09-04")).unwrap_err();
    assert_eq!((refused.code(), refused.rule()), ("out_of_order", "FUND-7"));
}

// ---------------------------------------------------------------- cash receipts (FUND-2)

fn cash(officers: &[&str], collected: &str, returned: &str, handed_over: &str, explanation: Option<&str>) -> RecordCash {
    RecordCash {
        case_id: 42,
        receipt_number: "XJ-2025-0007".into(),
        amount: yuan("12800.50"),
        officers: officers.iter().map(|name| name.to_string()).collect(),
        payer: "钱某".into(),
        collected_on: date(collected),
        returned_on: date(returned),
        handed_over_on: date(handed_over),
        explanation: explanation.map(str::to_string),
    }
}

#[test]
fn fund_2_cash_is_collected_by_at_least_two_different_officers() {
    let calendar = Calendar::embedded();
    let today = date("2025-09-30");
    for officers in [&["张三"][..], &["张三", " 张三 "][..], &[][..]] {
        let error = CashReceipt::record(cash(officers, "2025-09-30", "2025-09-30", "2025-09-30", None), today, &calendar).unwrap_err();
        assert_eq!((error.code(), error.rule()), ("cash_officers_too_few", "FUND-2"), "{officers:?}");
    }
    let error = CashReceipt::record(
        cash(&["张三", " "], "2025-09-30", "2025-09-30", "2025-09-30", None),
        today,
        &calendar,
    )
    .unwrap_err();
    assert_eq!((error.code(), error.rule()), ("name_missing", "FUND-2"));
    let step = CashReceipt::record(
        cash(&[" 张三", "李四", "张三"], "2025-09-30", "2025-09-30", "2025-09-30", None),
        today,
        &calendar,
    )
    .unwrap();
    assert_eq!(step.state.officers, vec!["张三".to_string(), "李四".to_string()]);
    assert_eq!(step.state.timing, HandoverTiming::SameDay);
    assert!(step.effects.is_empty(), "the handover has happened: no node is left open");
    let mut unnumbered = cash(&["张三", "李四"], "2025-09-30", "2025-09-30", "2025-09-30", None);
    unnumbered.receipt_number = "  ".into();
    let error = CashReceipt::record(unnumbered, today, &calendar).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("name_missing", "FUND-2"));
    let mut nothing = cash(&["张三", "李四"], "2025-09-30", "2025-09-30", "2025-09-30", None);
    nothing.amount = Money::ZERO;
    let error = CashReceipt::record(nothing, today, &calendar).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("amount_not_positive", "FUND-2"));
}

#[test]
fn fund_2_cash_dates_run_collection_return_handover_and_none_after_today() {
    let calendar = Calendar::embedded();
    let officers = ["张三", "李四"];
    let error = CashReceipt::record(
        cash(&officers, "2025-09-30", "2025-09-29", "2025-09-30", None),
        date("2025-09-30"),
        &calendar,
    )
    .unwrap_err();
    assert_eq!((error.code(), error.rule()), ("cash_returned_before_collected", "FUND-2"));
    let error = CashReceipt::record(
        cash(&officers, "2025-09-29", "2025-09-30", "2025-09-29", None),
        date("2025-09-30"),
        &calendar,
    )
    .unwrap_err();
    assert_eq!((error.code(), error.rule()), ("cash_handed_over_before_return", "FUND-2"));
    let error = CashReceipt::record(
        cash(&officers, "2025-09-29", "2025-09-30", "2025-10-09", Some("x")),
        date("2025-09-30"),
        &calendar,
    )
    .unwrap_err();
    assert_eq!((error.code(), error.rule()), ("date_after_today", "DESIGN"));
}

#[test]
fn fund_2_handover_the_next_day_needs_an_explanation_and_later_is_a_breach_across_national_day_2025() {
    let calendar = Calendar::embedded();
    let officers = ["张三", "李四"];
    let today = date("2025-10-13");
    // Back at court on Tuesday 2025-09-30. "At the latest the next day" is 10-01, the first day of the National Day
    // break (HOL-2025), so PER-1 moves the last day to the first working day after it: Thursday 2025-10-09.
    let same_day = CashReceipt::record(cash(&officers, "2025-09-29", "2025-09-30", "2025-09-30", None), today, &calendar).unwrap();
    assert_eq!(same_day.state.handover_due_on, date("2025-10-09"));
    assert_eq!(same_day.state.timing, HandoverTiming::SameDay);
    let error = CashReceipt::record(cash(&officers, "2025-09-29", "2025-09-30", "2025-10-09", None), today, &calendar).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("cash_handover_explanation_missing", "FUND-2"));
    let error = CashReceipt::record(
        cash(&officers, "2025-09-29", "2025-09-30", "2025-10-09", Some(" \n ")),
        today,
        &calendar,
    )
    .unwrap_err();
    assert_eq!(error.code(), "cash_handover_explanation_missing");
    let next_day = CashReceipt::record(
        cash(
            &officers,
            "2025-09-29",
            "2025-09-30",
            "2025-10-09",
            Some("财务部门国庆假期闭门，节后首日移交"),
        ),
        today,
        &calendar,
    )
    .unwrap();
    assert_eq!(next_day.state.timing, HandoverTiming::NextDay);
    assert!(matches!(
        &next_day.outcomes[0],
        Outcome::CashReceived { fund_2_breached: false, handover_due_on, .. } if *handover_due_on == date("2025-10-09")
    ));
    // Friday 2025-10-10 is one day too late: recorded, explained, and a breach.
    let error = CashReceipt::record(cash(&officers, "2025-09-29", "2025-09-30", "2025-10-10", None), today, &calendar).unwrap_err();
    assert_eq!(error.code(), "cash_handover_explanation_missing");
    let late = CashReceipt::record(
        cash(&officers, "2025-09-29", "2025-09-30", "2025-10-10", Some("承办人出差")),
        today,
        &calendar,
    )
    .unwrap();
    assert_eq!(late.state.timing, HandoverTiming::Late);
    assert!(late.state.timing.breaches_fund_2());
    assert!(matches!(&late.outcomes[0], Outcome::CashReceived { fund_2_breached: true, .. }));
    // Back on a Friday (2026-01-09): the next day is Saturday, so Monday 2026-01-12 is still in time.
    let friday = CashReceipt::record(
        cash(&officers, "2026-01-09", "2026-01-09", "2026-01-12", Some("周五晚返院，财务已下班")),
        date("2026-01-12"),
        &calendar,
    )
    .unwrap();
    assert_eq!(friday.state.handover_due_on, date("2026-01-12"));
    assert_eq!(friday.state.timing, HandoverTiming::NextDay);
    let limit = friday.state.handover_limit(&calendar);
    assert_eq!(limit.key().0, "ledger.cash.handover:XJ-2025-0007");
    assert_eq!(limit.plan().rule_id, "FUND-2");
    assert_eq!(
        handover_timing(date("2026-01-09"), date("2026-01-13"), date("2026-01-12")),
        HandoverTiming::Late
    );
}

#[test]
fn fund_2_cash_is_the_cases_money_in_transit_until_the_statement_shows_the_deposit() {
    let calendar = Calendar::embedded();
    let mut balances = BalanceMap::new();
    let step = CashReceipt::record(
        cash(&["张三", "李四"], "2025-09-29", "2025-09-29", "2025-09-29", None),
        date("2025-09-29"),
        &calendar,
    )
    .unwrap();
    assert_eq!(step.entries.len(), 1);
    assert_eq!(step.entries[0].kind, EntryKind::ReceiptInTransit);
    for entry in &step.entries {
        balances.post(entry).unwrap();
    }
    assert_eq!(balances.balance(&Account::CaseHeld(42)), yuan("12800.50"));
    assert_eq!(balances.balance(&Account::InTransit), yuan("12800.50"));
    assert_eq!(balances.balance(&Account::Bank(BANK.into())), Money::ZERO);

    let receipt = step.state;
    let error = receipt.clone().clear(date("2025-09-30")).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("out_of_order", "FUND-2"));
    let error = receipt
        .clone()
        .record_deposit("BOC-1", date("2025-09-28"), date("2025-09-30"))
        .unwrap_err();
    assert_eq!(error.code(), "date_before_previous_step");
    let error = receipt
        .clone()
        .record_deposit(" ", date("2025-09-30"), date("2025-09-30"))
        .unwrap_err();
    assert_eq!((error.code(), error.rule()), ("name_missing", "FUND-2"));
    let mistyped = receipt.record_deposit("BOC-7", date("2025-09-30"), date("2025-09-30")).unwrap();
    assert_eq!(mistyped.stage.name(), "deposited");
    // Until the statement line clears it, finance may correct the reference; after, the deposit is settled.
    let deposited = mistyped.record_deposit("BOC-1", date("2025-09-30"), date("2025-09-30")).unwrap();
    assert!(matches!(&deposited.stage, CashStage::Deposited { bank_reference, .. } if bank_reference == "BOC-1"));
    let cleared = deposited.clear(date("2025-10-09")).unwrap();
    assert_eq!(cleared.stage.name(), "cleared");
    let error = cleared.record_deposit("BOC-2", date("2025-10-09"), date("2025-10-09")).unwrap_err();
    assert_eq!((error.code(), error.rule()), ("out_of_order", "FUND-2"));

    // The statement line, recognised by its reference: in transit → bank; the case keeps exactly what it had.
    let mut cleared = balances.clone();
    cleared.post(&clear_in_transit(BANK, yuan("12800.50"))).unwrap();
    assert_eq!(cleared.balance(&Account::CaseHeld(42)), yuan("12800.50"));
    assert_eq!(cleared.balance(&Account::InTransit), Money::ZERO);
    assert_eq!(cleared.balance(&Account::Bank(BANK.into())), yuan("12800.50"));
    // The line imported before finance named it: credited as a new receipt, then the second credit taken back.
    let mut merged = balances;
    merged.post(&receipt_to_case(BANK, 42, yuan("12800.50"))).unwrap();
    assert_eq!(merged.balance(&Account::CaseHeld(42)), yuan("25601.00"));
    merged.post(&clear_in_transit_from_case(42, yuan("12800.50"))).unwrap();
    assert_eq!(merged.to_vec(), cleared.to_vec());
}

// ---------------------------------------------------------------- suspense past its claim deadline (FUND-3)

#[test]
fn fund_3_unidentified_funds_are_overdue_the_day_after_their_working_day_deadline_across_national_day() {
    let calendar = Calendar::embedded();
    let claim_period = SuspenseRules::default().claim_period;
    // Three working days (PER-6): from Friday 09-26: 09-28 (make-up Sunday), 09-29, 09-30; from Tuesday 09-30:
    // 10-09, 10-10, 10-11 (make-up Saturday); from Thursday 10-09: 10-10, 10-11, 10-13.
    let items = [
        (yuan("500.00"), date("2025-09-26")),
        (yuan("3000.01"), date("2025-09-30")),
        (yuan("88.00"), date("2025-10-09")),
    ]
    .map(|(amount, arrived)| (amount, arrived, calendar.due_date(arrived, claim_period)));
    assert_eq!(
        items.map(|(_, _, due)| due),
        [date("2025-09-30"), date("2025-10-11"), date("2025-10-13")]
    );
    assert!(!claim_overdue(date("2025-10-11"), date("2025-10-11")), "the last day runs to 24:00");
    assert!(claim_overdue(date("2025-10-11"), date("2025-10-12")));

    // During the break only the first is overdue.
    let summary = overdue_summary(items, date("2025-10-05")).unwrap();
    assert_eq!((summary.count, summary.total), (1, yuan("500.00")));
    // On Monday 10-13 the first two are, the oldest 17 days old; the third is due that day.
    let summary = overdue_summary(items, date("2025-10-13")).unwrap();
    assert_eq!(summary.count, 2);
    assert_eq!(summary.total, yuan("3500.01"));
    assert_eq!(summary.oldest_arrived_on, Some(date("2025-09-26")));
    assert_eq!(summary.oldest_age_days, Some(17));
    assert_eq!(overdue_summary(items, date("2025-10-14")).unwrap().count, 3);
    assert_eq!(overdue_summary(items, date("2025-09-30")).unwrap(), OverdueSummary::default());
    let error = overdue_summary(
        [
            (Money::from_fen(i64::MAX), date("2025-09-26"), date("2025-09-30")),
            (Money::from_fen(1), date("2025-09-26"), date("2025-09-30")),
        ],
        date("2025-10-13"),
    )
    .unwrap_err();
    assert_eq!(error.code(), "amount_overflow");
}
