//! Scenario tests, one per path of issue 4, on the embedded 2024–2026 calendar. Each names the rules it checks and
//! asserts the dates of the nodes it creates; every transition is also checked against a simulated node store (the
//! nodes the effects leave open must be exactly the lifecycle's open limits), and every refusal leaves the state
//! as it was.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::valuation::NodeKey;

pub(crate) fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

pub(crate) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

pub(crate) fn yuan(text: &str) -> Money {
    Money::parse(text).unwrap()
}

pub(crate) const ACCOUNT: &str = "6222000012345678";

pub(crate) fn start_command(kind: AssetKind, reference: &str, validity_ends_on: &str, grace_ends_on: &str) -> StartDisposal {
    StartDisposal {
        asset_kind: kind,
        reference_price: yuan(reference),
        validity_ends_on: date(validity_ends_on),
        grace_ends_on: date(grace_ends_on),
        applicant: "applicant".into(),
        debtor: "debtor".into(),
        other_parties: Vec::new(),
        outstanding_claim: yuan("50000.00"),
        priority_claims: yuan("0.00"),
        execution_costs: yuan("0.00"),
        collection_account: ACCOUNT.into(),
        high_value_or_complex: true,
        purchase_restricted: false,
        config: DisposalConfig::default(),
    }
}

pub(crate) fn panel(on: &str) -> PanelDecision {
    PanelDecision {
        decision_id: format!("panel-{on}"),
        decided_on: date(on),
        members: vec!["judge-a".into(), "judge-b".into(), "juror-c".into()],
    }
}

pub(crate) fn schedule(announcement_on: &str, starts_at: &str, ends_at: &str, balance_due_on: &str) -> Schedule {
    Schedule {
        announcement_on: date(announcement_on),
        bidding: BiddingWindow {
            starts_at: at(starts_at),
            ends_at: at(ends_at),
        },
        balance_due_on: date(balance_due_on),
    }
}

pub(crate) fn plan(decided_on: &str, starting: &str, deposit: &str, schedule: Schedule) -> DecideAuctionPlan {
    DecideAuctionPlan {
        panel: panel(decided_on),
        platform_register: vec!["jd".into(), "taobao".into(), "rmfysszc".into()],
        applicant_choice: Some("jd".into()),
        court_designation: None,
        starting_price: yuan(starting),
        deposit: yuan(deposit),
        bid_increment: yuan("1000.00"),
        priority_holders: Vec::new(),
        schedule,
    }
}

pub(crate) fn decide(plan: DecideAuctionPlan) -> Command {
    Command::DecideAuctionPlan(Box::new(plan))
}

pub(crate) fn written(recipient: &str) -> Command {
    Command::RecordNotice(RecordNotice {
        recipient: recipient.into(),
        means: NoticeMeans::Written,
    })
}

pub(crate) fn publish() -> Command {
    Command::PublishAnnouncement(PublishAnnouncement {})
}

pub(crate) fn sale(buyer: &str, price: &str, ended_at: &str) -> Command {
    Command::RecordSale(RecordSale {
        buyer: buyer.into(),
        price: yuan(price),
        bidding_ended_at: at(ended_at),
        other_bidders_paid_deposits: false,
    })
}

pub(crate) fn failure(ended_at: &str) -> Command {
    Command::RecordFailure(RecordFailure {
        bidding_ended_at: at(ended_at),
        deposits_paid: false,
    })
}

pub(crate) fn payment(source: FundsSource, amount: &str) -> Command {
    Command::RecordPayment(RecordPayment {
        source,
        amount: yuan(amount),
        account: ACCOUNT.into(),
        bank_reference: format!("ref-{amount}"),
    })
}

pub(crate) fn serve_ruling() -> Command {
    Command::ServeSaleRuling(ServeSaleRuling {
        buyer_eligibility_confirmed: true,
    })
}

pub(crate) fn handover() -> Command {
    Command::RecordHandover(RecordHandover {})
}

/// The nodes the effects leave open, as the engine would store them: due date and paused flag.
pub(crate) fn apply_node_effects(nodes: &mut BTreeMap<NodeKey, (NaiveDate, bool)>, effects: &[Effect]) {
    for effect in effects {
        match effect {
            Effect::CreateNode { key, due_date, plan } => {
                assert!(key.0.starts_with("disposal."), "node key {key} must start with disposal.");
                assert_eq!(
                    plan.dates(&Calendar::embedded()).due_date,
                    *due_date,
                    "the plan of {key} gives its due date"
                );
                assert!(nodes.insert(key.clone(), (*due_date, false)).is_none(), "node {key} created twice");
            }
            Effect::RescheduleNode { key, due_date, .. } => {
                nodes.get_mut(key).unwrap_or_else(|| panic!("rescheduled unknown node {key}")).0 = *due_date;
            }
            Effect::PauseNode { key } => nodes.get_mut(key).unwrap_or_else(|| panic!("paused unknown node {key}")).1 = true,
            Effect::ResumeNode { key, due_date, .. } => {
                *nodes.get_mut(key).unwrap_or_else(|| panic!("resumed unknown node {key}")) = (*due_date, false);
            }
            Effect::MeetNode { key } | Effect::CancelNode { key } => {
                nodes.remove(key).unwrap_or_else(|| panic!("closed unknown node {key}"));
            }
            Effect::MeetNodes { .. } | Effect::Notify(_) => {}
        }
    }
}

pub(crate) fn open_nodes_of(state: &Disposal) -> BTreeMap<NodeKey, (NaiveDate, bool)> {
    state
        .open_limits()
        .into_iter()
        .map(|open| (open.limit.key(), (open.limit.due_date, open.paused)))
        .collect()
}

/// One asset's disposal, driven command by command.
pub(crate) struct Case {
    pub state: Disposal,
    pub calendar: Calendar,
    pub nodes: BTreeMap<NodeKey, (NaiveDate, bool)>,
}

impl Case {
    pub(crate) fn start(command: StartDisposal, on: &str) -> Case {
        let calendar = Calendar::embedded();
        let transition = Disposal::start(command, date(on), &calendar).expect("the disposal starts");
        let mut case = Case {
            state: transition.state.clone(),
            calendar,
            nodes: BTreeMap::new(),
        };
        apply_node_effects(&mut case.nodes, &transition.effects);
        case
    }

    pub(crate) fn ok(&mut self, on: &str, command: Command) -> Transition {
        let transition = self
            .state
            .clone()
            .apply(command.clone(), date(on), &self.calendar)
            .unwrap_or_else(|error| panic!("{command:?} on {on} refused: {} ({}): {error}", error.code(), error.rule()));
        apply_node_effects(&mut self.nodes, &transition.effects);
        assert_eq!(self.nodes, open_nodes_of(&transition.state), "nodes after {command:?}");
        // The lifecycle and its event survive the JSON round trip the engine stores them in.
        let json = serde_json::to_string(&transition.state).unwrap();
        assert_eq!(serde_json::from_str::<Disposal>(&json).unwrap(), transition.state);
        let event = serde_json::to_string(&transition.event).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&event).unwrap(), transition.event);
        assert_eq!(transition.event.signals, transition.signals);
        self.state = transition.state.clone();
        transition
    }

    /// The refusal of `command`; the state is unchanged.
    pub(crate) fn refused(&self, on: &str, command: Command) -> DisposalError {
        let before = self.state.clone();
        let error = match self.state.clone().apply(command.clone(), date(on), &self.calendar) {
            Ok(_) => panic!("{command:?} on {on} was accepted"),
            Err(error) => error,
        };
        assert_eq!(self.state, before, "a refusal changes nothing");
        error
    }

    pub(crate) fn due(&self, key: &str) -> NaiveDate {
        self.nodes
            .get(&NodeKey(key.to_string()))
            .unwrap_or_else(|| panic!("no open node {key}; open: {:?}", self.nodes.keys().collect::<Vec<_>>()))
            .0
    }

    pub(crate) fn open_keys(&self) -> Vec<String> {
        self.nodes.keys().map(|key| key.0.clone()).collect()
    }
}

pub(crate) fn met(transition: &Transition, key: &str) -> bool {
    transition
        .effects
        .iter()
        .any(|effect| matches!(effect, Effect::MeetNode { key: met } if met.0 == key))
}

pub(crate) fn created(transition: &Transition, key: &str) -> (NaiveDate, &'static str) {
    transition
        .effects
        .iter()
        .find_map(|effect| match effect {
            Effect::CreateNode {
                key: created,
                plan,
                due_date,
            } if created.0 == key => Some((*due_date, plan.rule_id)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no node {key} created: {:?}", transition.effects))
}

fn assert_refused(error: DisposalError, code: &str, rule: &str) {
    assert_eq!((error.code(), error.rule()), (code, rule), "{error}");
}

// --- paths to a stage ---------------------------------------------------------------------------------------------

/// Real estate, reference price 1,000,000.00, first round announced 2024-06-06 and failed 2024-07-09, second round
/// announced 2024-08-07 and failed 2024-09-24 (just before National Day 2024).
fn real_estate_failed_twice() -> Case {
    let mut case = Case::start(
        start_command(AssetKind::RealEstate, "1000000.00", "2025-06-30", "2025-12-31"),
        "2024-06-03",
    );
    case.ok(
        "2024-06-03",
        decide(plan(
            "2024-06-03",
            "700000.00",
            "100000.00",
            schedule("2024-06-06", "2024-07-08T02:00:00Z", "2024-07-09T02:00:00Z", "2024-07-20"),
        )),
    );
    case.ok("2024-06-03", written("applicant"));
    case.ok("2024-06-03", written("debtor"));
    case.ok("2024-06-06", publish());
    let failed = case.ok("2024-07-09", failure("2024-07-09T02:00:00Z"));
    // AUC-16: 30 days from the failure: 2024-08-08, a Thursday.
    assert_eq!(
        created(&failed, "disposal.second_round_announcement"),
        (date("2024-08-08"), "AUC-16")
    );
    case.ok(
        "2024-08-02",
        decide(plan(
            "2024-08-02",
            "560000.00",
            "56000.00",
            schedule("2024-08-07", "2024-09-23T02:00:00Z", "2024-09-24T02:00:00Z", "2024-10-10"),
        )),
    );
    case.ok("2024-08-02", written("applicant"));
    case.ok("2024-08-02", written("debtor"));
    let published = case.ok("2024-08-07", publish());
    assert!(met(&published, "disposal.second_round_announcement"));
    let failed = case.ok("2024-09-24", failure("2024-09-24T02:00:00Z"));
    // SELL-3: 10 days from 2024-09-24 is 2024-10-04, inside National Day (10-01..10-07): 2024-10-08.
    assert_eq!(created(&failed, "disposal.debt_in_kind_question"), (date("2024-10-08"), "SELL-3"));
    // SELL-3: 15 days: 2024-10-09, a Wednesday.
    assert_eq!(created(&failed, "disposal.sell_off_notice"), (date("2024-10-09"), "SELL-3"));
    case
}

/// `real_estate_failed_twice`, then the sell-off from 2024-10-23 to 2024-12-23.
fn real_estate_in_sell_off() -> Case {
    let mut case = real_estate_failed_twice();
    let asked = case.ok("2024-09-27", Command::AskDebtInKind(AskDebtInKind {}));
    assert!(met(&asked, "disposal.debt_in_kind_question"));
    let noticed = case.ok(
        "2024-10-08",
        Command::PublishSellOffNotice(PublishSellOffNotice {
            starts_on: date("2024-10-23"),
            platform: Some("jd".into()),
            deposit: None,
        }),
    );
    assert!(met(&noticed, "disposal.sell_off_notice"));
    // SELL-4: 60 days from 2024-10-23 is Sunday 2024-12-22: 2024-12-23.
    assert_eq!(created(&noticed, "disposal.sell_off_period"), (date("2024-12-23"), "SELL-4"));
    case
}

// --- the scenarios ------------------------------------------------------------------------------------------------

#[test]
fn sold_in_the_first_round_balance_due_in_national_day_2025_moves_to_the_first_working_day_auc_15_trad_8_trad_9() {
    let mut case = Case::start(
        start_command(AssetKind::RealEstate, "1000000.00", "2026-03-01", "2026-09-01"),
        "2025-08-20",
    );
    // AUC-3: exactly 70 %; AUC-8: 10 %; AUC-5: 30 days between 2025-08-25 and 2025-09-24.
    let planned = case.ok(
        "2025-08-20",
        decide(plan(
            "2025-08-20",
            "700000.00",
            "70000.00",
            schedule("2025-08-25", "2025-09-24T02:00:00Z", "2025-09-25T02:00:00Z", "2025-10-03"),
        )),
    );
    assert!(planned.event.outcomes.contains(&Outcome::PlanFixed {
        round: Round::FIRST,
        platform: "jd".into(),
        starting_price: yuan("700000.00"),
        deposit: yuan("70000.00"),
        // AUC-8: the applicant's claim of 50,000.00 offsets the deposit.
        applicant_deposit: yuan("20000.00"),
    }));
    case.ok("2025-08-21", written("applicant"));
    case.ok("2025-08-21", written("debtor"));
    let published = case.ok("2025-08-25", publish());
    assert_eq!(
        published.signals,
        vec![Signal::DisposalStarted {
            kind: DisposalKind::FirstAuctionAnnouncement,
            on: date("2025-08-25")
        }]
    );
    let sold = case.ok(
        "2025-09-25",
        Command::RecordSale(RecordSale {
            buyer: "buyer-a".into(),
            price: yuan("750000.00"),
            bidding_ended_at: at("2025-09-25T02:03:00Z"),
            other_bidders_paid_deposits: true,
        }),
    );
    assert!(sold.signals.contains(&Signal::SaleStarted { on: date("2025-09-24") }));
    assert!(sold.signals.contains(&Signal::Sold {
        price: yuan("750000.00"),
        buyer: "buyer-a".into(),
        on: date("2025-09-25")
    }));
    // AUC-15 and AUC-13: 24 hours after 10:03 on 09-25 is 10:03 on Friday 09-26.
    assert_eq!(created(&sold, "disposal.deposit_transfer"), (date("2025-09-26"), "AUC-15"));
    assert_eq!(created(&sold, "disposal.deposit_refund:1"), (date("2025-09-26"), "AUC-13"));
    // AUC-15: the announced 2025-10-03 falls in National Day (10-01..10-08): 2025-10-09.
    assert_eq!(created(&sold, "disposal.balance"), (date("2025-10-09"), "AUC-15"));
    case.ok("2025-09-26", Command::RecordDepositsRefunded(RecordDepositsRefunded {}));
    let deposit = case.ok("2025-09-26", payment(FundsSource::DepositTransfer, "70000.00"));
    assert!(met(&deposit, "disposal.deposit_transfer"));
    assert_eq!(
        deposit.signals,
        vec![Signal::FundsReceived {
            source: FundsSource::DepositTransfer,
            amount: yuan("70000.00"),
            bank_reference: "ref-70000.00".into(),
            on: date("2025-09-26")
        }]
    );
    assert_refused(
        case.refused("2025-10-09", payment(FundsSource::Balance, "680000.01")),
        "payment_exceeds_amount_due",
        "AUC-15",
    );
    let paid = case.ok("2025-10-09", payment(FundsSource::Balance, "680000.00"));
    assert!(met(&paid, "disposal.balance"));
    // TRAD-8: 10 days from 2025-10-09 is Sunday 10-19: 2025-10-20.
    assert_eq!(created(&paid, "disposal.sale_ruling"), (date("2025-10-20"), "TRAD-8"));
    let ruled = case.ok("2025-10-15", serve_ruling());
    // TRAD-9: 15 days from 2025-10-15: Thursday 2025-10-30.
    assert_eq!(created(&ruled, "disposal.handover"), (date("2025-10-30"), "TRAD-9"));
    let done = case.ok("2025-10-20", handover());
    assert!(met(&done, "disposal.handover"));
    assert!(matches!(
        case.state.stage,
        Stage::Ended(Terminal {
            kind: TerminalKind::HandedOver,
            ..
        })
    ));
    assert!(case.nodes.is_empty());
}

#[test]
fn first_auction_failure_allows_second_auction_within_30_days_at_most_20_percent_lower_across_spring_festival_2026_auc_16() {
    let mut case = Case::start(
        start_command(AssetKind::Vehicle, "200000.00", "2026-06-30", "2026-12-31"),
        "2026-01-05",
    );
    // AUC-5: a movable needs 15 days: 2026-01-08 to 2026-01-23.
    case.ok(
        "2026-01-05",
        decide(plan(
            "2026-01-05",
            "140000.00",
            "14000.00",
            schedule("2026-01-08", "2026-01-23T02:00:00Z", "2026-01-24T02:00:00Z", "2026-02-06"),
        )),
    );
    case.ok("2026-01-05", written("applicant"));
    case.ok("2026-01-05", written("debtor"));
    case.ok("2026-01-08", publish());
    let failed = case.ok("2026-01-24", failure("2026-01-24T02:00:00Z"));
    assert!(failed.signals.contains(&Signal::SaleStarted { on: date("2026-01-23") }));
    // AUC-16: 30 days from 01-24 is 02-23, the last day of Spring Festival (02-15..02-23): 2026-02-24.
    assert_eq!(
        created(&failed, "disposal.second_round_announcement"),
        (date("2026-02-24"), "AUC-16")
    );
    // AUC-16: exactly 80 % of 140,000.00; a movable's second round needs 7 days (01-29 to 02-05).
    case.ok(
        "2026-01-26",
        decide(plan(
            "2026-01-26",
            "112000.00",
            "11200.00",
            schedule("2026-01-29", "2026-02-05T02:00:00Z", "2026-02-06T02:00:00Z", "2026-02-16"),
        )),
    );
    case.ok("2026-01-26", written("applicant"));
    case.ok("2026-01-26", written("debtor"));
    let published = case.ok("2026-01-29", publish());
    assert!(met(&published, "disposal.second_round_announcement"));
    assert!(published.signals.is_empty(), "the disposal started with the first announcement");
    assert!(published.event.outcomes.contains(&Outcome::Announced {
        round: Round { number: 2, resale: false },
        late: false
    }));
    let sold = case.ok("2026-02-06", sale("buyer-b", "112000.00", "2026-02-06T02:00:00Z"));
    // AUC-15: 24 hours end on Saturday 02-07, a rest day: PER-1 moves the end to Monday 2026-02-09.
    assert_eq!(created(&sold, "disposal.deposit_transfer"), (date("2026-02-09"), "AUC-15"));
    // AUC-15: the announced 02-16 falls in Spring Festival: 2026-02-24.
    assert_eq!(created(&sold, "disposal.balance"), (date("2026-02-24"), "AUC-15"));
    case.ok("2026-02-07", payment(FundsSource::DepositTransfer, "11200.00"));
    let paid = case.ok("2026-02-24", payment(FundsSource::Balance, "100800.00"));
    // TRAD-8: 10 days from 02-24: Friday 2026-03-06.
    assert_eq!(created(&paid, "disposal.sale_ruling"), (date("2026-03-06"), "TRAD-8"));
    let ruled = case.ok("2026-03-02", serve_ruling());
    assert_eq!(created(&ruled, "disposal.handover"), (date("2026-03-17"), "TRAD-9"));
    case.ok("2026-03-10", handover());
    assert!(case.nodes.is_empty());
}

#[test]
fn failed_twice_then_the_sell_off_sells_after_the_first_bids_24_hour_window_sell_3_to_sell_6() {
    let mut case = real_estate_in_sell_off();
    assert_refused(
        case.refused("2024-11-05", sale("buyer-c", "560000.00", "2024-11-05T03:00:00Z")),
        "no_sell_off_bid",
        "SELL-6",
    );
    case.ok(
        "2024-11-05",
        Command::RecordSellOffBid(RecordSellOffBid {
            bidder: "buyer-c".into(),
            at: at("2024-11-05T03:00:00Z"),
        }),
    );
    assert_refused(
        case.refused("2024-11-06", sale("buyer-c", "560000.00", "2024-11-06T02:59:59Z")),
        "sell_off_window_open",
        "SELL-6",
    );
    // SELL-5: the sell-off price is the second round's starting price.
    assert_refused(
        case.refused("2024-11-06", sale("buyer-c", "559999.99", "2024-11-06T03:00:00Z")),
        "sale_price_below_sell_off_price",
        "SELL-5",
    );
    let sold = case.ok("2024-11-06", sale("buyer-c", "560000.00", "2024-11-06T03:00:00Z"));
    assert!(met(&sold, "disposal.sell_off_period"));
    assert_eq!(created(&sold, "disposal.deposit_transfer"), (date("2024-11-07"), "AUC-15"));
    // SELL-6: the full price was prepaid; its transfer is full payment.
    let paid = case.ok("2024-11-07", payment(FundsSource::DepositTransfer, "560000.00"));
    // TRAD-8: 10 days from 11-07 is Sunday 11-17: 2024-11-18.
    assert_eq!(created(&paid, "disposal.sale_ruling"), (date("2024-11-18"), "TRAD-8"));
    let ruled = case.ok("2024-11-12", serve_ruling());
    assert_eq!(created(&ruled, "disposal.handover"), (date("2024-11-27"), "TRAD-9"));
    case.ok("2024-11-20", handover());
    assert!(case.nodes.is_empty());
}

#[test]
fn a_failed_sell_off_ends_in_debt_in_kind_at_the_sell_off_price_with_a_top_up_sell_7_trad_5_trad_8() {
    let mut case = real_estate_in_sell_off();
    assert_refused(
        case.refused("2024-12-23", failure("2024-12-23T16:00:00Z")),
        "sell_off_still_running",
        "SELL-4",
    );
    let failed = case.ok("2024-12-24", failure("2024-12-23T16:00:00Z"));
    assert!(met(&failed, "disposal.sell_off_period"));
    let mut decision = DecideDebtInKind {
        creditors: vec![
            DebtInKindCreditor {
                name: "applicant".into(),
                rank: 1,
                claim: yuan("300000.00"),
            },
            DebtInKindCreditor {
                name: "creditor-x".into(),
                rank: 2,
                claim: yuan("900000.00"),
            },
        ],
        seed: None,
        price: Some(yuan("500000.00")),
        applicant_consents: true,
        debtor_consents: false,
        harms_others: false,
        top_up_due_on: Some(date("2025-01-10")),
        taker_purchase_eligible: true,
    };
    // SELL-7 (Q8 DESIGN): the price after a failed sell-off is the sell-off price.
    assert_refused(
        case.refused("2024-12-30", Command::DecideDebtInKind(decision.clone())),
        "debt_in_kind_price_fixed_by_rule",
        "SELL-7",
    );
    decision.price = None;
    let decided = case.ok("2024-12-30", Command::DecideDebtInKind(decision));
    // AUC-14: a taker in payment is no buyer who could back out of a sale.
    assert_refused(
        case.refused("2024-12-30", Command::RecordBuyerDefault(RecordBuyerDefault::default())),
        "out_of_order",
        "AUC-14",
    );
    // TRAD-5: the highest rank takes it; the difference above its claim is 560,000.00 − 300,000.00.
    assert_eq!(
        decided.signals,
        vec![Signal::DebtInKind {
            taker: "applicant".into(),
            price: yuan("560000.00"),
            top_up: yuan("260000.00")
        }]
    );
    // TRAD-5: the court's date, Friday 2025-01-10.
    assert_eq!(created(&decided, "disposal.top_up"), (date("2025-01-10"), "TRAD-5"));
    assert_refused(
        case.refused("2025-01-08", payment(FundsSource::Balance, "260000.00")),
        "payment_not_expected",
        "AUC-15",
    );
    let paid = case.ok("2025-01-08", payment(FundsSource::TopUp, "260000.00"));
    assert!(met(&paid, "disposal.top_up"));
    // TRAD-8: 10 days from 2025-01-08 is Saturday 01-18: 2025-01-20.
    assert_eq!(created(&paid, "disposal.sale_ruling"), (date("2025-01-20"), "TRAD-8"));
    case.ok("2025-01-15", serve_ruling());
    case.ok("2025-01-20", handover());
    assert!(case.nodes.is_empty());
}

#[test]
fn a_failed_sell_off_with_no_taker_releases_the_seizure_sell_7() {
    let mut case = real_estate_in_sell_off();
    case.ok("2024-12-24", failure("2024-12-23T16:00:00Z"));
    assert_refused(
        case.refused(
            "2024-12-30",
            Command::HandOverForManagement(HandOverForManagement { applicant_consents: false }),
        ),
        "management_consent_missing",
        "SELL-7",
    );
    assert_refused(
        case.refused(
            "2024-12-30",
            Command::Release(Release {
                ground: ReleaseGround::NoSurplusNotPursued,
            }),
        ),
        "release_ground_not_applicable",
        "TRAD-2",
    );
    let released = case.ok(
        "2024-12-30",
        Command::Release(Release {
            ground: ReleaseGround::NoBuyerAfterSellOff,
        }),
    );
    assert_eq!(released.signals, vec![Signal::Released { on: date("2024-12-30") }]);
    assert!(matches!(
        case.state.stage,
        Stage::Ended(Terminal {
            kind: TerminalKind::Released,
            ..
        })
    ));
    assert!(case.nodes.is_empty());
}

#[test]
fn a_sell_off_buyer_who_backs_out_forfeits_the_notices_deposit_is_refunded_the_rest_and_the_sell_off_is_published_again_without_them_sell_6(
) {
    let mut case = real_estate_in_sell_off();
    case.ok(
        "2024-11-05",
        Command::RecordSellOffBid(RecordSellOffBid {
            bidder: "buyer-c".into(),
            at: at("2024-11-05T03:00:00Z"),
        }),
    );
    case.ok("2024-11-06", sale("buyer-c", "560000.00", "2024-11-06T03:00:00Z"));
    // AUC-15: the prepaid price must have reached the case's account before the buyer backs out.
    assert_refused(
        case.refused("2024-11-06", Command::RecordBuyerDefault(RecordBuyerDefault::default())),
        "deposit_transfer_not_recorded",
        "AUC-15",
    );
    let paid = case.ok("2024-11-07", payment(FundsSource::DepositTransfer, "560000.00"));
    assert_eq!(created(&paid, "disposal.sale_ruling"), (date("2024-11-18"), "TRAD-8"));
    // SELL-6: the buyer backs out before the ruling: the notice's deposit (DESIGN: the second round's 56,000.00) is
    // forfeited, the other 504,000.00 of the prepayment is owed back.
    let defaulted = case.ok(
        "2024-11-11",
        Command::RecordBuyerDefault(RecordBuyerDefault {
            auction_cost_losses: yuan("3000.00"),
        }),
    );
    assert_eq!(
        defaulted.signals,
        vec![Signal::DepositForfeited {
            forfeit: 0,
            buyer: "buyer-c".into(),
            amount: yuan("56000.00"),
            refund: yuan("504000.00"),
            on: date("2024-11-11"),
        }]
    );
    assert!(defaulted.event.outcomes.contains(&Outcome::BuyerDefaulted {
        buyer: "buyer-c".into(),
        forfeited_deposit: yuan("56000.00")
    }));
    assert_eq!(case.state.stage.name(), "sell_off_resale");
    assert!(
        !case.open_keys().contains(&"disposal.sale_ruling".to_string()),
        "no ruling for a sale backed out of: {:?}",
        case.open_keys()
    );
    // DESIGN (SELL-3 by analogy): the new notice within 15 days of Monday 11-11: Tuesday 2024-11-26.
    assert_eq!(
        created(&defaulted, "disposal.sell_off_resale_notice"),
        (date("2024-11-26"), "SELL-6")
    );
    // DESIGN (AUC-13 by analogy): the rest of the prepayment is refunded within 24 hours: Tuesday 2024-11-12.
    assert_eq!(created(&defaulted, "disposal.prepayment_refund:1"), (date("2024-11-12"), "SELL-6"));
    assert_refused(
        case.refused(
            "2024-11-12",
            Command::RecordBuyerRefunded(RecordBuyerRefunded { buyer: "buyer-z".into() }),
        ),
        "no_buyer_refund_owed",
        "SELL-6",
    );
    let refunded = case.ok(
        "2024-11-12",
        Command::RecordBuyerRefunded(RecordBuyerRefunded { buyer: "buyer-c".into() }),
    );
    assert!(met(&refunded, "disposal.prepayment_refund:1"));
    assert_refused(
        case.refused(
            "2024-11-12",
            Command::RecordBuyerRefunded(RecordBuyerRefunded { buyer: "buyer-c".into() }),
        ),
        "no_buyer_refund_owed",
        "SELL-6",
    );
    // AUC-8 (through AUC-23): the deposit the notice states is 5 % to 20 % of the sell-off price.
    let notice = |deposit: &str| {
        Command::PublishSellOffNotice(PublishSellOffNotice {
            starts_on: date("2024-11-30"),
            platform: None,
            deposit: Some(yuan(deposit)),
        })
    };
    assert_refused(case.refused("2024-11-15", notice("27999.99")), "deposit_out_of_range", "AUC-8");
    let republished = case.ok("2024-11-15", notice("60000.00"));
    assert!(met(&republished, "disposal.sell_off_resale_notice"));
    // SELL-4: 60 days from 11-30 end on 2025-01-29, in Spring Festival 2025 (01-28..02-04): 2025-02-05.
    assert_eq!(created(&republished, "disposal.sell_off_period"), (date("2025-02-05"), "SELL-4"));
    // AUC-14 (through AUC-23): the buyer who backed out may not bid again.
    let bid = |bidder: &str| {
        Command::RecordSellOffBid(RecordSellOffBid {
            bidder: bidder.into(),
            at: at("2024-12-02T03:00:00Z"),
        })
    };
    assert_refused(case.refused("2024-12-02", bid("buyer-c")), "defaulted_buyer_excluded", "AUC-14");
    case.ok("2024-12-02", bid("buyer-d"));
    assert_refused(
        case.refused("2024-12-03", sale("buyer-c", "560000.00", "2024-12-03T03:00:00Z")),
        "defaulted_buyer_excluded",
        "AUC-14",
    );
    case.ok("2024-12-03", sale("buyer-d", "560000.00", "2024-12-03T03:00:00Z"));
    case.ok("2024-12-04", payment(FundsSource::DepositTransfer, "560000.00"));
    // TRAD-8: the ruling passes ownership; the forfeited 56,000.00 pays the 3,000.00 of costs, no shortfall (the
    // same price), 50,000.00 toward the claim, and 3,000.00 are left for the distribution.
    let ruled = case.ok("2024-12-06", serve_ruling());
    assert_eq!(
        ruled.signals,
        vec![
            Signal::OwnershipPassed {
                owner: "buyer-d".into(),
                on: date("2024-12-06"),
            },
            Signal::ForfeitAllocated {
                forfeit: 0,
                buyer: "buyer-c".into(),
                allocation: ForfeitAllocation {
                    auction_cost_losses: yuan("3000.00"),
                    resale_shortfall: Money::ZERO,
                    this_case_debt: yuan("50000.00"),
                    related_debts: Money::ZERO,
                    remainder: yuan("3000.00"),
                },
                on: date("2024-12-06"),
            },
        ]
    );
    // AUC-12: once the ruling is served the asset is the buyer's; there is no backing out.
    assert_refused(
        case.refused("2024-12-06", Command::RecordBuyerDefault(RecordBuyerDefault::default())),
        "ownership_already_passed",
        "AUC-12",
    );
    case.ok("2024-12-10", handover());
    assert!(case.nodes.is_empty());
}

#[test]
fn an_auction_buyer_who_paid_part_of_the_balance_gets_it_back_and_a_disposal_stopped_before_the_resale_allocates_with_no_shortfall_auc_14()
{
    let mut case = movable_first_round_published();
    case.ok("2025-03-22", sale("buyer-x", "90000.00", "2025-03-22T02:00:00Z"));
    case.ok("2025-03-23", payment(FundsSource::DepositTransfer, "8000.00"));
    case.ok("2025-03-28", payment(FundsSource::Balance, "10000.00"));
    let defaulted = case.ok("2025-04-01", Command::RecordBuyerDefault(RecordBuyerDefault::default()));
    // AUC-14 forfeits the deposit only (DESIGN): the 10,000.00 paid toward the balance is owed back, by Wednesday 04-02.
    assert_eq!(
        defaulted.signals,
        vec![Signal::DepositForfeited {
            forfeit: 0,
            buyer: "buyer-x".into(),
            amount: yuan("8000.00"),
            refund: yuan("10000.00"),
            on: date("2025-04-01"),
        }]
    );
    assert_eq!(created(&defaulted, "disposal.balance_refund:1"), (date("2025-04-02"), "AUC-14"));
    // TRAD-11: the claim is covered elsewhere and the judge stops this disposal before any resale: the deposit is
    // allocated with no shortfall (DESIGN), all 8,000.00 toward this case's claim of 50,000.00.
    let stopped = case.ok("2025-04-03", Command::StopClaimCovered(StopClaimCovered {}));
    assert_eq!(
        stopped.signals,
        vec![Signal::ForfeitAllocated {
            forfeit: 0,
            buyer: "buyer-x".into(),
            allocation: ForfeitAllocation {
                auction_cost_losses: Money::ZERO,
                resale_shortfall: Money::ZERO,
                this_case_debt: yuan("8000.00"),
                related_debts: Money::ZERO,
                remainder: Money::ZERO,
            },
            on: date("2025-04-03"),
        }]
    );
    // The refund runs outside the stage, so the end of the disposal leaves it open until it is recorded.
    assert_eq!(case.open_keys(), vec!["disposal.balance_refund:1".to_string()]);
    let refunded = case.ok(
        "2025-04-03",
        Command::RecordBuyerRefunded(RecordBuyerRefunded { buyer: "buyer-x".into() }),
    );
    assert!(met(&refunded, "disposal.balance_refund:1"));
    assert!(case.nodes.is_empty());
    // Recorded twice, or for a buyer owed nothing: refused under the auction's rule, not the sell-off's.
    for buyer in ["buyer-x", "buyer-nobody"] {
        assert_refused(
            case.refused(
                "2025-04-03",
                Command::RecordBuyerRefunded(RecordBuyerRefunded { buyer: buyer.into() }),
            ),
            "no_buyer_refund_owed",
            "AUC-14",
        );
    }
}

#[test]
fn a_disposal_stored_before_forfeits_and_sell_off_defaults_were_kept_still_loads_with_their_defaults() {
    let case = real_estate_in_sell_off();
    let mut stored = serde_json::to_value(&case.state).unwrap();
    let fields = stored.as_object_mut().unwrap();
    fields.remove("forfeits");
    fields.remove("buyer_refunds");
    fields["config"].as_object_mut().unwrap().remove("selloff_resale_notice_days");
    let stage = fields["stage"].as_object_mut().unwrap();
    stage.remove("deposit");
    stage.remove("excluded_bidders");
    let loaded: Disposal = serde_json::from_value(stored).unwrap();
    assert!(loaded.forfeits.is_empty() && loaded.buyer_refunds.is_empty());
    assert_eq!(loaded.config.selloff_resale_notice_days, 15);
    let Stage::SellOff(selloff) = &loaded.stage else {
        panic!("still in the sell-off: {:?}", loaded.stage)
    };
    assert_eq!((selloff.deposit, selloff.excluded_bidders.len()), (None, 0));
}

/// A movable asset's first round (80,000.00, deposit 8,000.00) decided, both parties told in writing, published on
/// 2025-03-06; bidding ends 2025-03-22 10:00 Beijing time.
fn movable_first_round_published() -> Case {
    let mut case = Case::start(
        start_command(AssetKind::Movable, "100000.00", "2025-12-31", "2026-06-30"),
        "2025-03-03",
    );
    case.ok(
        "2025-03-03",
        decide(plan(
            "2025-03-03",
            "80000.00",
            "8000.00",
            schedule("2025-03-06", "2025-03-21T02:00:00Z", "2025-03-22T02:00:00Z", "2025-03-31"),
        )),
    );
    case.ok("2025-03-03", written("applicant"));
    case.ok("2025-03-03", written("debtor"));
    case.ok("2025-03-06", publish());
    case
}

#[test]
fn the_buyers_default_forfeits_the_deposit_and_the_resale_at_the_same_starting_price_excludes_that_buyer_auc_14() {
    let mut case = movable_first_round_published();
    let sold = case.ok("2025-03-22", sale("buyer-x", "90000.00", "2025-03-22T02:00:00Z"));
    // AUC-15: 24 hours after Saturday 03-22 end on Sunday 03-23, a rest day: Monday 2025-03-24.
    assert_eq!(created(&sold, "disposal.deposit_transfer"), (date("2025-03-24"), "AUC-15"));
    // AUC-15: the announced Monday 2025-03-31.
    assert_eq!(created(&sold, "disposal.balance"), (date("2025-03-31"), "AUC-15"));
    // AUC-15: the forfeited deposit must be in the case's account first.
    assert_refused(
        case.refused("2025-04-01", Command::RecordBuyerDefault(RecordBuyerDefault::default())),
        "deposit_transfer_not_recorded",
        "AUC-15",
    );
    case.ok("2025-03-23", payment(FundsSource::DepositTransfer, "8000.00"));
    assert_refused(
        case.refused("2025-03-31", Command::RecordBuyerDefault(RecordBuyerDefault::default())),
        "balance_not_overdue",
        "AUC-15",
    );
    let defaulted = case.ok(
        "2025-04-01",
        Command::RecordBuyerDefault(RecordBuyerDefault {
            auction_cost_losses: yuan("1200.00"),
        }),
    );
    assert!(defaulted.event.outcomes.contains(&Outcome::BuyerDefaulted {
        buyer: "buyer-x".into(),
        forfeited_deposit: yuan("8000.00")
    }));
    // AUC-14: the whole deposit is forfeited and set apart; nothing else was paid, so nothing is refunded.
    assert_eq!(
        defaulted.signals,
        vec![Signal::DepositForfeited {
            forfeit: 0,
            buyer: "buyer-x".into(),
            amount: yuan("8000.00"),
            refund: Money::ZERO,
            on: date("2025-04-01"),
        }]
    );
    assert_eq!(case.state.forfeits[0].allocation, None, "the shortfall is not known yet");
    assert!(case.nodes.is_empty(), "the balance node is cancelled: {:?}", case.open_keys());
    // Q6 DESIGN: the resale keeps the round's starting price.
    assert_refused(
        case.refused(
            "2025-04-02",
            decide(plan(
                "2025-04-02",
                "72000.00",
                "8000.00",
                schedule("2025-04-07", "2025-04-23T02:00:00Z", "2025-04-24T02:00:00Z", "2025-05-08"),
            )),
        ),
        "resale_starting_price_differs",
        "AUC-14",
    );
    case.ok(
        "2025-04-02",
        decide(plan(
            "2025-04-02",
            "80000.00",
            "8000.00",
            schedule("2025-04-07", "2025-04-23T02:00:00Z", "2025-04-24T02:00:00Z", "2025-05-08"),
        )),
    );
    case.ok("2025-04-02", written("applicant"));
    case.ok("2025-04-02", written("debtor"));
    case.ok("2025-04-07", publish());
    assert_refused(
        case.refused("2025-04-24", sale("buyer-x", "95000.00", "2025-04-24T02:00:00Z")),
        "defaulted_buyer_excluded",
        "AUC-14",
    );
    let resold = case.ok("2025-04-24", sale("buyer-y", "85000.00", "2025-04-24T02:00:00Z"));
    assert_eq!(created(&resold, "disposal.deposit_transfer"), (date("2025-04-25"), "AUC-15"));
    assert_eq!(created(&resold, "disposal.balance"), (date("2025-05-08"), "AUC-15"));
    assert!(resold.event.outcomes.contains(&Outcome::ResaleShortfall {
        original_price: yuan("90000.00"),
        resale_price: yuan("85000.00"),
        shortfall: yuan("5000.00")
    }));
    assert!(
        !resold
            .signals
            .iter()
            .any(|signal| matches!(signal, Signal::ForfeitAllocated { .. })),
        "the resale's buyer may still default: the allocation waits for the ruling"
    );
    // The resale did not count as a failed round: the plan of round 1 is still the one later rounds refer to.
    assert_eq!(case.state.rounds.len(), 2);
    case.ok("2025-04-25", payment(FundsSource::DepositTransfer, "8000.00"));
    case.ok("2025-05-06", payment(FundsSource::Balance, "77000.00"));
    // TRAD-8: the ruling passes ownership (AUC-12): the seizure's reminder ends, and the forfeited deposit is
    // allocated against the resale's price in AUC-14's order: 1,200.00 of costs, the 5,000.00 shortfall, and the
    // remaining 1,800.00 toward this case's claim of 50,000.00.
    let ruled = case.ok("2025-05-08", serve_ruling());
    let allocated = ForfeitAllocation {
        auction_cost_losses: yuan("1200.00"),
        resale_shortfall: yuan("5000.00"),
        this_case_debt: yuan("1800.00"),
        related_debts: Money::ZERO,
        remainder: Money::ZERO,
    };
    assert_eq!(
        ruled.signals,
        vec![
            Signal::OwnershipPassed {
                owner: "buyer-y".into(),
                on: date("2025-05-08"),
            },
            Signal::ForfeitAllocated {
                forfeit: 0,
                buyer: "buyer-x".into(),
                allocation: allocated,
                on: date("2025-05-08"),
            },
        ]
    );
    assert_eq!(case.state.forfeits[0].allocation, Some(allocated));
    let handed = case.ok("2025-05-12", handover());
    assert!(handed.signals.is_empty(), "allocated once");
    assert!(case.nodes.is_empty());
    // AUC-14: the forfeited 8,000.00 pays 1,200.00 of costs, the 5,000.00 shortfall, and 1,800.00 of the debt.
    let allocation = allocate_forfeited_deposit(
        yuan("8000.00"),
        ForfeitClaims {
            auction_cost_losses: yuan("1200.00"),
            resale_shortfall: resale_shortfall(yuan("90000.00"), yuan("85000.00")),
            this_case_debt: yuan("40000.00"),
            related_debts: yuan("10000.00"),
        },
    );
    assert_eq!(
        allocation,
        ForfeitAllocation {
            auction_cost_losses: yuan("1200.00"),
            resale_shortfall: yuan("5000.00"),
            this_case_debt: yuan("1800.00"),
            related_debts: yuan("0.00"),
            remainder: yuan("0.00"),
        }
    );
}

#[test]
fn a_suspension_pauses_the_second_round_deadline_and_resumption_lengthens_it_by_the_suspended_days_auc_18() {
    let mut case = Case::start(
        start_command(AssetKind::Vehicle, "200000.00", "2026-06-30", "2026-12-31"),
        "2026-01-05",
    );
    case.ok(
        "2026-01-05",
        decide(plan(
            "2026-01-05",
            "140000.00",
            "14000.00",
            schedule("2026-01-08", "2026-01-23T02:00:00Z", "2026-01-24T02:00:00Z", "2026-02-06"),
        )),
    );
    case.ok("2026-01-05", written("applicant"));
    case.ok("2026-01-05", written("debtor"));
    case.ok("2026-01-08", publish());
    case.ok("2026-01-24", failure("2026-01-24T02:00:00Z"));
    assert_eq!(case.due("disposal.second_round_announcement"), date("2026-02-24"));
    let suspended = case.ok(
        "2026-02-02",
        Command::Suspend(Suspend {
            kind: SuspensionKind::Stayed,
            ground: "third-party objection (案外人异议), AUC-19".into(),
        }),
    );
    assert!(suspended
        .effects
        .iter()
        .any(|effect| matches!(effect, Effect::PauseNode { key } if key.0 == "disposal.second_round_announcement")));
    let ended = case.ok("2026-02-09", Command::EndSuspensionCause(EndSuspensionCause {}));
    // AUC-18: 5 days from 02-09 is Saturday 02-14, a make-up working day of Spring Festival 2026.
    assert_eq!(created(&ended, "disposal.resume_auction"), (date("2026-02-14"), "AUC-18"));
    let resumed = case.ok("2026-02-12", Command::Resume(Resume::default()));
    assert!(met(&resumed, "disposal.resume_auction"));
    assert!(resumed.event.outcomes.contains(&Outcome::Resumed { paused_days: 10 }));
    // 30 + 10 days from 01-24: Thursday 2026-03-05.
    assert!(resumed.effects.iter().any(|effect| matches!(
        effect,
        Effect::ResumeNode { key, due_date, paused_days: 10, .. } if key.0 == "disposal.second_round_announcement" && *due_date == date("2026-03-05")
    )));
    assert_eq!(case.due("disposal.second_round_announcement"), date("2026-03-05"));
}

#[test]
fn a_suspended_bidding_resumes_with_a_new_window_of_at_least_24_hours_auc_18_auc_11() {
    let mut case = Case::start(
        start_command(AssetKind::Vehicle, "200000.00", "2026-06-30", "2026-12-31"),
        "2026-01-05",
    );
    case.ok(
        "2026-01-05",
        decide(plan(
            "2026-01-05",
            "140000.00",
            "14000.00",
            schedule("2026-01-08", "2026-01-23T02:00:00Z", "2026-01-24T02:00:00Z", "2026-02-06"),
        )),
    );
    case.ok("2026-01-05", written("applicant"));
    case.ok("2026-01-05", written("debtor"));
    case.ok("2026-01-08", publish());
    case.ok(
        "2026-01-23",
        Command::Suspend(Suspend {
            kind: SuspensionKind::Postponed,
            ground: "platform failure".into(),
        }),
    );
    let short = BiddingWindow {
        starts_at: at("2026-01-28T02:00:00Z"),
        ends_at: at("2026-01-29T01:59:59Z"),
    };
    assert_refused(
        case.refused("2026-01-26", Command::Resume(Resume { bidding: Some(short) })),
        "bidding_too_short",
        "AUC-11",
    );
    let window = BiddingWindow {
        starts_at: at("2026-01-28T02:00:00Z"),
        ends_at: at("2026-01-29T02:00:00Z"),
    };
    case.ok("2026-01-26", Command::Resume(Resume { bidding: Some(window) }));
    assert_refused(
        case.refused("2026-01-29", failure("2026-01-29T01:00:00Z")),
        "bidding_not_ended",
        "AUC-11",
    );
    case.ok("2026-01-29", sale("buyer-b", "140000.00", "2026-01-29T02:00:00Z"));
}

#[test]
fn an_approved_self_disposal_completes_when_the_proceeds_reach_the_case_account_self_2_self_4_fund_1() {
    let mut case = Case::start(
        start_command(AssetKind::RealEstate, "1000000.00", "2026-03-01", "2026-09-01"),
        "2025-09-01",
    );
    let mode = SelfDisposalMode::DirectDeal {
        buyer: "buyer-d".into(),
        price: yuan("1050000.00"),
        applicant_consents: false,
    };
    case.ok(
        "2025-09-01",
        Command::ApplySelfDisposal(ApplySelfDisposal {
            grounds: "the appraised price is far below the market".into(),
            debtor_says_reference_too_low: true,
            court_controls_proceeds: true,
            mode,
        }),
    );
    let approved = case.ok(
        "2025-09-01",
        Command::DecideSelfDisposal(DecideSelfDisposal {
            decision_id: "ruling-17".into(),
            approve: true,
            basis: SelfDisposalBasis::Opinion2021,
            period_days: 90,
        }),
    );
    assert_eq!(
        approved.signals,
        vec![Signal::DisposalStarted {
            kind: DisposalKind::DirectSellOff,
            on: date("2025-09-01")
        }]
    );
    // SELF-2: 90 days from 2025-09-01 is Sunday 11-30: 2025-12-01.
    assert_eq!(created(&approved, "disposal.self_disposal_period"), (date("2025-12-01"), "SELF-2"));
    assert_refused(
        case.refused(
            "2025-10-09",
            Command::RecordSelfDisposalSale(RecordSelfDisposalSale {
                buyer: "buyer-e".into(),
                price: yuan("1050000.00"),
                applicant_consents_below_reference: false,
            }),
        ),
        "direct_deal_terms_differ",
        "SELF-2",
    );
    let deal = case.ok(
        "2025-10-09",
        Command::RecordSelfDisposalSale(RecordSelfDisposalSale {
            buyer: "buyer-d".into(),
            price: yuan("1050000.00"),
            applicant_consents_below_reference: false,
        }),
    );
    // REF-33: the debtor's deal is the sale; the valuation records it, so the price's grace closes.
    assert!(deal.signals.contains(&Signal::SaleStarted { on: date("2025-10-09") }));
    case.ok("2025-10-10", payment(FundsSource::SelfDisposalProceeds, "50000.00"));
    let done = case.ok("2025-10-20", payment(FundsSource::SelfDisposalProceeds, "1000000.00"));
    assert!(met(&done, "disposal.self_disposal_period"));
    assert!(done.signals.contains(&Signal::Sold {
        price: yuan("1050000.00"),
        buyer: "buyer-d".into(),
        on: date("2025-10-20")
    }));
    assert!(done.signals.contains(&Signal::Released { on: date("2025-10-20") }));
    assert!(matches!(
        case.state.stage,
        Stage::Ended(Terminal {
            kind: TerminalKind::SelfDisposed,
            ..
        })
    ));
}

#[test]
fn a_lapsed_self_disposal_returns_to_the_court_auction_within_10_days_across_spring_festival_2026_self_4() {
    let mut case = Case::start(
        start_command(AssetKind::RealEstate, "1000000.00", "2026-06-30", "2026-12-31"),
        "2026-01-19",
    );
    case.ok(
        "2026-01-19",
        Command::ApplySelfDisposal(ApplySelfDisposal {
            grounds: "a buyer is being sought".into(),
            debtor_says_reference_too_low: true,
            court_controls_proceeds: true,
            mode: SelfDisposalMode::PublicOnlineAuction,
        }),
    );
    let approved = case.ok(
        "2026-01-19",
        Command::DecideSelfDisposal(DecideSelfDisposal {
            decision_id: "ruling-3".into(),
            approve: true,
            basis: SelfDisposalBasis::Opinion2021,
            period_days: 30,
        }),
    );
    // 30 days from 01-19 is 02-18, inside Spring Festival (02-15..02-23): 2026-02-24.
    assert_eq!(created(&approved, "disposal.self_disposal_period"), (date("2026-02-24"), "SELF-2"));
    // SELF-4 (DESIGN): an extension stays within the 90-day cap.
    assert_refused(
        case.refused(
            "2026-02-10",
            Command::ExtendSelfDisposal(ExtendSelfDisposal {
                decision_id: "ruling-4".into(),
                days: 61,
            }),
        ),
        "self_disposal_period_too_long",
        "SELF-4",
    );
    assert_refused(
        case.refused("2026-02-24", Command::LapseSelfDisposal(LapseSelfDisposal {})),
        "self_disposal_period_running",
        "SELF-4",
    );
    let lapsed = case.ok("2026-02-25", Command::LapseSelfDisposal(LapseSelfDisposal {}));
    // 10 days from 02-25 is Saturday 03-07: 2026-03-09.
    assert_eq!(
        created(&lapsed, "disposal.resume_after_self_disposal"),
        (date("2026-03-09"), "SELF-4")
    );
    assert!(
        !lapsed.effects.iter().any(|effect| matches!(effect, Effect::MeetNode { .. })),
        "the period was not met"
    );
    assert_refused(
        case.refused(
            "2026-02-25",
            Command::ApplySelfDisposal(ApplySelfDisposal {
                grounds: "again".into(),
                debtor_says_reference_too_low: true,
                court_controls_proceeds: true,
                mode: SelfDisposalMode::PublicOnlineAuction,
            }),
        ),
        "self_disposal_already_tried",
        "SELF-4",
    );
    case.ok(
        "2026-02-26",
        decide(plan(
            "2026-02-26",
            "700000.00",
            "70000.00",
            schedule("2026-03-02", "2026-04-02T02:00:00Z", "2026-04-03T02:00:00Z", "2026-04-20"),
        )),
    );
    case.ok("2026-02-26", written("applicant"));
    case.ok("2026-02-26", written("debtor"));
    let published = case.ok("2026-03-02", publish());
    assert!(met(&published, "disposal.resume_after_self_disposal"));
    assert!(published.signals.is_empty(), "REF-36 was recorded at the approval");
}

// --- refusals, each with its rule; the state is unchanged ----------------------------------------------------------

fn fresh_real_estate() -> Case {
    Case::start(
        start_command(AssetKind::RealEstate, "1000000.00", "2025-06-30", "2025-12-31"),
        "2024-06-03",
    )
}

fn good_schedule() -> Schedule {
    schedule("2024-06-06", "2024-07-08T02:00:00Z", "2024-07-09T02:00:00Z", "2024-07-20")
}

#[test]
fn a_starting_price_of_69_99_percent_is_refused_auc_3() {
    let case = fresh_real_estate();
    let error = case.refused("2024-06-03", decide(plan("2024-06-03", "699999.99", "70000.00", good_schedule())));
    assert_refused(error.clone(), "starting_price_below_floor", "AUC-3");
    assert_eq!(error.details()["floor"], "700000.00");
}

#[test]
fn deposits_of_4_99_and_20_01_percent_are_refused_auc_8() {
    let case = fresh_real_estate();
    let low = case.refused("2024-06-03", decide(plan("2024-06-03", "700000.00", "34930.00", good_schedule())));
    assert_refused(low.clone(), "deposit_out_of_range", "AUC-8");
    assert_eq!(
        (low.details()["min"].clone(), low.details()["max"].clone()),
        ("35000.00".into(), "140000.00".into())
    );
    let high = case.refused("2024-06-03", decide(plan("2024-06-03", "700000.00", "140070.00", good_schedule())));
    assert_refused(high, "deposit_out_of_range", "AUC-8");
}

#[test]
fn an_announcement_29_days_before_real_estate_bidding_is_refused_with_the_earliest_lawful_dates_auc_5() {
    let case = fresh_real_estate();
    let error = case.refused(
        "2024-06-03",
        decide(plan(
            "2024-06-03",
            "700000.00",
            "70000.00",
            schedule("2024-06-09", "2024-07-08T02:00:00Z", "2024-07-09T02:00:00Z", "2024-07-20"),
        )),
    );
    assert_refused(error.clone(), "announcement_too_late", "AUC-5");
    let details = error.details();
    assert_eq!(details["earliest_bidding_start"], "2024-07-09");
    assert_eq!(details["latest_announcement_on"], "2024-06-08");
    assert_eq!(details["lead_days"], 30);
}

#[test]
fn notices_less_than_3_days_before_the_announcement_are_refused_auc_7() {
    let mut case = fresh_real_estate();
    assert_refused(
        case.refused(
            "2024-06-03",
            decide(plan(
                "2024-06-03",
                "700000.00",
                "70000.00",
                schedule("2024-06-05", "2024-07-08T02:00:00Z", "2024-07-09T02:00:00Z", "2024-07-20"),
            )),
        ),
        "notice_period_too_short",
        "AUC-7",
    );
    let later = schedule("2024-06-06", "2024-07-15T02:00:00Z", "2024-07-16T02:00:00Z", "2024-07-25");
    case.ok("2024-06-03", decide(plan("2024-06-03", "700000.00", "70000.00", later)));
    assert_refused(case.refused("2024-06-06", publish()), "notice_missing", "AUC-7");
    case.ok("2024-06-03", written("applicant"));
    // AUC-7: unreachable, published on the platform: deemed notified 5 days later (06-09), so no announcement before 06-12.
    case.ok(
        "2024-06-04",
        Command::RecordNotice(RecordNotice {
            recipient: "debtor".into(),
            means: NoticeMeans::PublishedUnreachable {
                reason: "address unknown".into(),
            },
        }),
    );
    let error = case.refused("2024-06-06", publish());
    assert_refused(error.clone(), "notice_period_too_short", "AUC-7");
    assert_eq!(error.details()["earliest_announcement_on"], "2024-06-12");
    case.ok("2024-06-12", publish());
}

#[test]
fn an_announcement_after_the_reference_price_expired_is_refused_ref_33() {
    let mut case = Case::start(
        start_command(AssetKind::Movable, "100000.00", "2024-06-10", "2024-12-10"),
        "2024-06-03",
    );
    case.ok(
        "2024-06-03",
        decide(plan(
            "2024-06-03",
            "70000.00",
            "7000.00",
            schedule("2024-06-07", "2024-06-24T02:00:00Z", "2024-06-25T02:00:00Z", "2024-07-05"),
        )),
    );
    case.ok("2024-06-03", written("applicant"));
    case.ok("2024-06-03", written("debtor"));
    assert_refused(case.refused("2024-06-11", publish()), "reference_price_expired", "REF-33");
}

#[test]
fn a_second_round_below_80_percent_another_platform_and_a_third_online_round_are_refused_auc_16() {
    let mut case = fresh_real_estate();
    case.ok("2024-06-03", decide(plan("2024-06-03", "700000.00", "70000.00", good_schedule())));
    case.ok("2024-06-03", written("applicant"));
    case.ok("2024-06-03", written("debtor"));
    case.ok("2024-06-06", publish());
    case.ok("2024-07-09", failure("2024-07-09T02:00:00Z"));
    let second = schedule("2024-07-18", "2024-08-05T02:00:00Z", "2024-08-06T02:00:00Z", "2024-08-20");
    let error = case.refused("2024-07-15", decide(plan("2024-07-15", "559999.99", "56000.00", second)));
    assert_refused(error.clone(), "second_round_price_cut_too_deep", "AUC-16");
    assert_eq!(error.details()["floor"], "560000.00");
    let mut elsewhere = plan("2024-07-15", "560000.00", "56000.00", second);
    elsewhere.applicant_choice = Some("taobao".into());
    assert_refused(
        case.refused("2024-07-15", decide(elsewhere)),
        "platform_differs_from_first_round",
        "AUC-16",
    );
    // AUC-16: the second round's lead for real estate is 15 days.
    let late = schedule("2024-07-22", "2024-08-05T02:00:00Z", "2024-08-06T02:00:00Z", "2024-08-20");
    assert_refused(
        case.refused("2024-07-15", decide(plan("2024-07-15", "560000.00", "56000.00", late))),
        "announcement_too_late",
        "AUC-5",
    );

    let mut case = real_estate_failed_twice();
    let third = schedule("2024-10-08", "2024-11-08T02:00:00Z", "2024-11-09T02:00:00Z", "2024-11-20");
    assert_refused(
        case.refused("2024-09-27", decide(plan("2024-09-27", "560000.00", "56000.00", third))),
        "third_online_round_not_allowed",
        "AUC-16",
    );
    assert_refused(
        case.refused(
            "2024-09-27",
            Command::PublishSellOffNotice(PublishSellOffNotice {
                starts_on: date("2024-10-15"),
                platform: None,
                deposit: None,
            }),
        ),
        "debt_in_kind_question_pending",
        "SELL-3",
    );
    case.ok("2024-09-27", Command::AskDebtInKind(AskDebtInKind {}));
    let error = case.refused(
        "2024-09-27",
        Command::PublishSellOffNotice(PublishSellOffNotice {
            starts_on: date("2024-10-11"),
            platform: None,
            deposit: None,
        }),
    );
    assert_refused(error.clone(), "sell_off_notice_too_late", "SELL-4");
    assert_eq!(error.details()["earliest_start"], "2024-10-12");
}

#[test]
fn a_sale_below_the_starting_price_is_refused_and_one_bidder_is_enough_auc_4() {
    let mut case = fresh_real_estate();
    case.ok("2024-06-03", decide(plan("2024-06-03", "700000.00", "70000.00", good_schedule())));
    case.ok("2024-06-03", written("applicant"));
    case.ok("2024-06-03", written("debtor"));
    case.ok("2024-06-06", publish());
    assert_refused(
        case.refused("2024-07-09", sale("buyer", "699999.99", "2024-07-09T02:00:00Z")),
        "sale_price_below_starting_price",
        "AUC-4",
    );
    case.ok("2024-07-09", sale("buyer", "700000.00", "2024-07-09T02:00:00Z"));
}

#[test]
fn a_self_disposal_period_of_91_days_is_refused_self_2() {
    let mut case = fresh_real_estate();
    case.ok(
        "2024-06-03",
        Command::ApplySelfDisposal(ApplySelfDisposal {
            grounds: "price too low".into(),
            debtor_says_reference_too_low: true,
            court_controls_proceeds: true,
            mode: SelfDisposalMode::PublicOnlineAuction,
        }),
    );
    let decision = |days: u32, basis: SelfDisposalBasis| {
        Command::DecideSelfDisposal(DecideSelfDisposal {
            decision_id: "ruling-1".into(),
            approve: true,
            basis,
            period_days: days,
        })
    };
    let error = case.refused("2024-06-04", decision(91, SelfDisposalBasis::Opinion2021));
    assert_refused(error.clone(), "self_disposal_period_too_long", "SELF-2");
    assert_eq!(error.details()["cap_days"], 90);
    assert_refused(
        case.refused("2024-06-04", decision(61, SelfDisposalBasis::Opinion2019SellOff)),
        "self_disposal_period_too_long",
        "SELF-3",
    );
    case.ok("2024-06-04", decision(90, SelfDisposalBasis::Opinion2021));
}

#[test]
fn a_direct_deal_needs_the_applicants_consent_or_a_price_covering_the_claim_self_2() {
    let mut command = start_command(AssetKind::RealEstate, "1000000.00", "2025-06-30", "2025-12-31");
    command.outstanding_claim = yuan("2000000.00");
    let case = Case::start(command, "2024-06-03");
    let apply = |price: &str, consents: bool| {
        Command::ApplySelfDisposal(ApplySelfDisposal {
            grounds: "a buyer offers more".into(),
            debtor_says_reference_too_low: true,
            court_controls_proceeds: true,
            mode: SelfDisposalMode::DirectDeal {
                buyer: "buyer-d".into(),
                price: yuan(price),
                applicant_consents: consents,
            },
        })
    };
    assert_refused(
        case.refused("2024-06-03", apply("1500000.00", false)),
        "direct_deal_needs_consent_or_full_cover",
        "SELF-2",
    );
    let mut consenting = Case::start(
        start_command(AssetKind::RealEstate, "1000000.00", "2025-06-30", "2025-12-31"),
        "2024-06-03",
    );
    consenting.ok("2024-06-03", apply("900000.00", true));
    let mut small = start_command(AssetKind::RealEstate, "1000000.00", "2025-06-30", "2025-12-31");
    small.high_value_or_complex = false;
    assert_refused(
        Case::start(small, "2024-06-03").refused("2024-06-03", apply("1500000.00", true)),
        "self_disposal_not_eligible",
        "SELF-2",
    );
}

#[test]
fn proceeds_into_another_account_are_refused_fund_1() {
    let mut case = fresh_real_estate();
    case.ok(
        "2024-06-03",
        Command::ApplySelfDisposal(ApplySelfDisposal {
            grounds: "price too low".into(),
            debtor_says_reference_too_low: true,
            court_controls_proceeds: true,
            mode: SelfDisposalMode::PublicOnlineAuction,
        }),
    );
    case.ok(
        "2024-06-04",
        Command::DecideSelfDisposal(DecideSelfDisposal {
            decision_id: "ruling-1".into(),
            approve: true,
            basis: SelfDisposalBasis::Opinion2021,
            period_days: 60,
        }),
    );
    // SELF-4 (UNCONFIRMED): below the reference price only with the applicant's consent.
    assert_refused(
        case.refused(
            "2024-06-20",
            Command::RecordSelfDisposalSale(RecordSelfDisposalSale {
                buyer: "buyer".into(),
                price: yuan("999999.99"),
                applicant_consents_below_reference: false,
            }),
        ),
        "self_disposal_price_below_reference",
        "SELF-4",
    );
    case.ok(
        "2024-06-20",
        Command::RecordSelfDisposalSale(RecordSelfDisposalSale {
            buyer: "buyer".into(),
            price: yuan("1000000.00"),
            applicant_consents_below_reference: false,
        }),
    );
    let error = case.refused(
        "2024-06-21",
        Command::RecordPayment(RecordPayment {
            source: FundsSource::SelfDisposalProceeds,
            amount: yuan("1000000.00"),
            account: "6222000099999999".into(),
            bank_reference: "debtor-transfer".into(),
        }),
    );
    assert_refused(error.clone(), "account_not_case_account", "FUND-1");
    assert_eq!(error.details()["required"], ACCOUNT);
    case.ok("2024-06-21", payment(FundsSource::SelfDisposalProceeds, "1000000.00"));
}

#[test]
fn no_surplus_publication_waits_for_the_applicants_request_then_a_starting_price_above_priority_claims_trad_2() {
    let mut command = start_command(AssetKind::RealEstate, "1000000.00", "2025-06-30", "2025-12-31");
    command.priority_claims = yuan("690000.00");
    command.execution_costs = yuan("10000.00");
    let mut case = Case::start(command, "2024-06-03");
    let warned = case.ok("2024-06-03", decide(plan("2024-06-03", "700000.00", "70000.00", good_schedule())));
    // TRAD-2: 5 days from Monday 06-03: Saturday 06-08, so Monday 2024-06-11 (06-10 is Dragon Boat Festival).
    assert_eq!(created(&warned, "disposal.no_surplus_request:1"), (date("2024-06-11"), "TRAD-2"));
    case.ok("2024-06-03", written("applicant"));
    case.ok("2024-06-03", written("debtor"));
    assert_refused(
        case.refused("2024-06-06", publish()),
        "no_surplus_needs_applicant_request",
        "TRAD-2",
    );
    let requested = case.ok("2024-06-06", Command::RecordApplicantRequest(RecordApplicantRequest {}));
    assert!(met(&requested, "disposal.no_surplus_request:1"));
    assert_refused(case.refused("2024-06-06", publish()), "no_surplus_reserve_price_too_low", "TRAD-2");
    let moved = schedule("2024-06-10", "2024-07-10T02:00:00Z", "2024-07-11T02:00:00Z", "2024-07-20");
    assert_refused(
        case.refused("2024-06-06", decide(plan("2024-06-06", "700000.00", "70000.00", moved))),
        "no_surplus_reserve_price_too_low",
        "TRAD-2",
    );
    case.ok("2024-06-06", decide(plan("2024-06-06", "700000.01", "70000.00", moved)));
    case.ok("2024-06-06", written("applicant"));
    case.ok("2024-06-06", written("debtor"));
    case.ok("2024-06-10", publish());
}

#[test]
fn the_debtors_full_payment_before_the_bidding_day_stops_the_auction_trad_12() {
    let mut case = fresh_real_estate();
    case.ok("2024-06-03", decide(plan("2024-06-03", "700000.00", "70000.00", good_schedule())));
    case.ok("2024-06-03", written("applicant"));
    case.ok("2024-06-03", written("debtor"));
    case.ok("2024-06-06", publish());
    let stop = |amount: &str| {
        Command::StopOnDebtorPayment(StopOnDebtorPayment {
            amount: yuan(amount),
            account: ACCOUNT.into(),
            bank_reference: "debtor-pays".into(),
        })
    };
    assert_refused(case.refused("2024-07-08", stop("50000.00")), "bidding_already_started", "TRAD-12");
    assert_refused(
        case.refused("2024-07-01", stop("49999.99")),
        "debtor_payment_insufficient",
        "TRAD-12",
    );
    let stopped = case.ok("2024-07-01", stop("50000.00"));
    assert!(stopped.signals.contains(&Signal::FundsReceived {
        source: FundsSource::DebtorPayment,
        amount: yuan("50000.00"),
        bank_reference: "debtor-pays".into(),
        on: date("2024-07-01")
    }));
    assert!(matches!(
        case.state.stage,
        Stage::Ended(Terminal {
            kind: TerminalKind::StoppedDebtorPaid,
            ..
        })
    ));
}

#[test]
fn debt_in_kind_after_a_failed_first_round_is_at_that_rounds_reserve_and_ties_are_drawn_by_lot_reproducibly_trad_5_sell_9() {
    let mut case = fresh_real_estate();
    case.ok("2024-06-03", decide(plan("2024-06-03", "700000.00", "70000.00", good_schedule())));
    case.ok("2024-06-03", written("applicant"));
    case.ok("2024-06-03", written("debtor"));
    case.ok("2024-06-06", publish());
    case.ok("2024-07-09", failure("2024-07-09T02:00:00Z"));
    let creditors = vec![
        DebtInKindCreditor {
            name: "creditor-b".into(),
            rank: 1,
            claim: yuan("800000.00"),
        },
        DebtInKindCreditor {
            name: "applicant".into(),
            rank: 1,
            claim: yuan("800000.00"),
        },
    ];
    let decision = DecideDebtInKind {
        creditors,
        seed: None,
        price: None,
        applicant_consents: true,
        debtor_consents: false,
        harms_others: false,
        top_up_due_on: None,
        taker_purchase_eligible: true,
    };
    assert_refused(
        case.refused("2024-07-10", Command::DecideDebtInKind(decision.clone())),
        "draw_seed_missing",
        "TRAD-5",
    );
    let seeded = DecideDebtInKind {
        seed: Some("4f2a".into()),
        ..decision
    };
    let decided = case.ok("2024-07-10", Command::DecideDebtInKind(seeded));
    let expected = draw_taker("4f2a", &["applicant".to_string(), "creditor-b".to_string()]);
    assert_eq!(
        expected,
        draw_taker("4f2a", &["creditor-b".to_string(), "applicant".to_string()]),
        "order does not matter"
    );
    assert!(decided.event.outcomes.contains(&Outcome::TakerDrawn(expected.clone())));
    // TRAD-5: at the failed round's reserve, 700,000.00, below either claim: nothing to top up; the ruling is due in 10 days.
    assert_eq!(
        decided.signals,
        vec![Signal::DebtInKind {
            taker: expected.taker,
            price: yuan("700000.00"),
            top_up: yuan("0.00")
        }]
    );
    assert!(
        met(&decided, "disposal.second_round_announcement")
            || !case.open_keys().contains(&"disposal.second_round_announcement".to_string())
    );
    assert_eq!(case.due("disposal.sale_ruling"), date("2024-07-22"));
}

#[test]
fn debt_in_kind_without_auction_needs_both_parties_consent_sell_8() {
    let mut case = fresh_real_estate();
    let decision = DecideDebtInKind {
        creditors: vec![DebtInKindCreditor {
            name: "applicant".into(),
            rank: 1,
            claim: yuan("900000.00"),
        }],
        seed: None,
        price: Some(yuan("950000.00")),
        applicant_consents: true,
        debtor_consents: false,
        harms_others: false,
        top_up_due_on: Some(date("2024-06-20")),
        taker_purchase_eligible: true,
    };
    assert_refused(
        case.refused("2024-06-04", Command::DecideDebtInKind(decision.clone())),
        "debt_in_kind_consent_missing",
        "SELL-8",
    );
    let decided = case.ok(
        "2024-06-04",
        Command::DecideDebtInKind(DecideDebtInKind {
            debtor_consents: true,
            ..decision
        }),
    );
    assert_eq!(created(&decided, "disposal.top_up"), (date("2024-06-20"), "TRAD-5"));
}

#[test]
fn the_judges_commands_are_reserved_to_judges() {
    assert!(reserved_to_judges(&decide(plan(
        "2024-06-03",
        "700000.00",
        "70000.00",
        good_schedule()
    ))));
    assert!(reserved_to_judges(&Command::Resume(Resume::default())));
    assert!(reserved_to_judges(&Command::Release(Release {
        ground: ReleaseGround::NoBuyerAfterSellOff
    })));
    assert!(reserved_to_judges(&Command::StopClaimCovered(StopClaimCovered {})));
    assert!(!reserved_to_judges(&publish()));
    assert!(!reserved_to_judges(&payment(FundsSource::Balance, "1.00")));
    assert!(!reserved_to_judges(&Command::LapseSelfDisposal(LapseSelfDisposal {})));
}

#[test]
fn commands_are_tagged_json_and_a_start_through_apply_is_refused() {
    let command = publish();
    assert_eq!(
        serde_json::to_value(&command).unwrap(),
        serde_json::json!({"command": "publish_announcement"})
    );
    let case = fresh_real_estate();
    let again = Command::Start(start_command(AssetKind::RealEstate, "1.00", "2025-06-30", "2025-12-31"));
    assert_refused(case.refused("2024-06-03", again), "disposal_already_started", "REF-36");
    assert_refused(case.refused("2024-06-02", publish()), "date_before_last_event", "DESIGN");
}

#[test]
fn every_error_has_a_snake_case_code_and_a_rule() {
    let day = date("2024-06-03");
    let instant = at("2024-06-03T02:00:00Z");
    let money = yuan("1.00");
    let errors = vec![
        DisposalError::OutOfOrder {
            command: "c",
            stage: "s",
            rule: "AUC-17",
        },
        DisposalError::DateBeforeLastEvent {
            today: day,
            last_event_on: day,
        },
        DisposalError::DisposalAlreadyStarted,
        DisposalError::AssetNotForSale,
        DisposalError::NameMissing { field: "f", rule: "AUC-4" },
        DisposalError::NameRepeated {
            field: "f",
            name: "n".into(),
            rule: "AUC-7",
        },
        DisposalError::AmountNotPositive { field: "f", rule: "AUC-3" },
        DisposalError::ReferencePriceDatesInvalid {
            validity_ends_on: day,
            grace_ends_on: day,
        },
        DisposalError::DeadlineOutOfRange {
            field: "f",
            after: day,
            deadline: day,
            rule: "TRAD-5",
        },
        DisposalError::PanelDecisionIncomplete,
        DisposalError::PlatformRegisterEmpty,
        DisposalError::PlatformMissing,
        DisposalError::PlatformNotOnRegister { platform: "p".into() },
        DisposalError::PlatformNotApplicantsChoice {
            chosen: "a".into(),
            designated: "b".into(),
        },
        DisposalError::PlatformDiffersFromFirstRound {
            required: "a".into(),
            platform: "b".into(),
        },
        DisposalError::StartingPriceBelowFloor {
            starting_price: money,
            reference_price: money,
            floor: money,
        },
        DisposalError::SecondRoundPriceCutTooDeep {
            starting_price: money,
            first_starting_price: money,
            floor: money,
        },
        DisposalError::ResaleStartingPriceDiffers {
            starting_price: money,
            required: money,
        },
        DisposalError::DepositOutOfRange {
            deposit: money,
            min: money,
            max: money,
        },
        DisposalError::BidIncrementNotPositive,
        DisposalError::PriorityHolderInvalid { holder: "h".into() },
        DisposalError::ThirdOnlineRoundNotAllowed,
        DisposalError::NoticePeriodTooShort {
            recipient: None,
            earliest_announcement_on: day,
        },
        DisposalError::NoticeMissing { recipient: "r".into() },
        DisposalError::NoticeRecipientUnknown { recipient: "r".into() },
        DisposalError::AnnouncementTooLate {
            lead_days: 30,
            announcement_on: day,
            bidding_starts_on: day,
            earliest_bidding_start: day,
            latest_announcement_on: day,
        },
        DisposalError::BiddingTooShort {
            bidding_starts_at: instant,
            earliest_bidding_end: instant,
        },
        DisposalError::BalanceDueOutOfRange {
            balance_due_on: day,
            bidding_ends_on: day,
        },
        DisposalError::ReferencePriceExpired { validity_ends_on: day },
        DisposalError::ReferencePriceGracePassed {
            grace_ends_on: day,
            starts_on: day,
        },
        DisposalError::NoSurplusNeedsApplicantRequest {
            starting_price: money,
            threshold: money,
        },
        DisposalError::NoSurplusRequestLate { due: day },
        DisposalError::NoSurplusReservePriceTooLow {
            starting_price: money,
            threshold: money,
        },
        DisposalError::NoSurplusNotApplicable,
        DisposalError::BiddingNotEnded { bidding_ends_at: instant },
        DisposalError::BiddingEndInFuture { bidding_ended_on: day },
        DisposalError::SalePriceBelowStartingPrice {
            price: money,
            starting_price: money,
        },
        DisposalError::DefaultedBuyerExcluded { buyer: "b".into() },
        DisposalError::BiddingAlreadyStarted { bidding_started_on: day },
        DisposalError::DebtorPaymentInsufficient {
            amount: money,
            outstanding_claim: money,
        },
        DisposalError::AccountNotCaseAccount {
            account: "a".into(),
            required: "b".into(),
        },
        DisposalError::PaymentNotExpected {
            source_kind: "balance",
            rule: "AUC-15",
        },
        DisposalError::PaymentAmountMismatch {
            amount: money,
            due: money,
            rule: "AUC-15",
        },
        DisposalError::PaymentExceedsAmountDue {
            amount: money,
            outstanding: money,
            rule: "AUC-15",
        },
        DisposalError::NotPaidInFull { outstanding: money },
        DisposalError::BuyerEligibilityUnconfirmed,
        DisposalError::BalanceNotOverdue { due: day },
        DisposalError::PaidInFullNoDefault,
        DisposalError::NoDepositsToRefund,
        DisposalError::DebtInKindQuestionPending,
        DisposalError::SellOffNoticeTooLate {
            lead_days: 15,
            earliest_start: day,
        },
        DisposalError::SalePriceBelowSellOffPrice {
            price: money,
            selloff_price: money,
        },
        DisposalError::BidOutsideSellOffPeriod {
            at: instant,
            starts_on: day,
            ends_on: day,
        },
        DisposalError::FirstBidAlreadyRecorded { window_closes_at: instant },
        DisposalError::NoSellOffBid,
        DisposalError::SellOffWindowOpen { window_closes_at: instant },
        DisposalError::SellOffStillRunning { ends_on: day },
        DisposalError::SellOffHasBid,
        DisposalError::DebtInKindCreditorsMissing,
        DisposalError::DebtInKindPriceFixedByRule {
            price: money,
            required: money,
            rule: "TRAD-5",
        },
        DisposalError::DebtInKindPriceMissing,
        DisposalError::DebtInKindConsentMissing { rule: "SELL-8" },
        DisposalError::DrawSeedMissing,
        DisposalError::TopUpDueDateMissing { top_up: money },
        DisposalError::ManagementConsentMissing,
        DisposalError::ReleaseGroundNotApplicable { rule: "SELL-7" },
        DisposalError::TakerNotEligible { taker: "t".into() },
        DisposalError::SelfDisposalNotEligible { reason: "r" },
        DisposalError::DirectDealNeedsConsentOrFullCover {
            price: money,
            outstanding_claim: money,
        },
        DisposalError::SelfDisposalPriceBelowReference {
            price: money,
            reference_price: money,
        },
        DisposalError::SelfDisposalPeriodTooLong {
            days: 91,
            cap_days: 90,
            rule: "SELF-2",
        },
        DisposalError::SelfDisposalAlreadyTried,
        DisposalError::SelfDisposalPeriodRunning { ends_on: day },
        DisposalError::SelfDisposalPeriodEnded { ends_on: day },
        DisposalError::DirectDealTermsDiffer {
            buyer: "b".into(),
            price: money,
        },
        DisposalError::SelfDisposalSaleRecorded,
        DisposalError::SelfDisposalSaleMissing,
        DisposalError::SuspensionCauseAlreadyEnded { on: day },
        DisposalError::BiddingWindowInPast,
    ];
    let rule_prefixes = ["REF-", "AUC-", "TRAD-", "SELL-", "SELF-", "FUND-", "PER-"];
    let mut codes = std::collections::BTreeSet::new();
    for error in &errors {
        let code = error.code();
        assert!(
            !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{code}"
        );
        assert!(codes.insert(code), "code {code} used twice");
        let rule = error.rule();
        assert!(
            rule == "DESIGN" || rule_prefixes.iter().any(|prefix| rule.starts_with(prefix)),
            "{code}: {rule}"
        );
        assert!(error.details().is_object(), "{code}: details are an object");
        assert!(error.details().get("code").is_none());
        assert!(!error.to_string().is_empty());
    }
    // Every variant is listed: the serde tag of each is its code, and the list covers the closed set.
    assert_eq!(codes.len(), errors.len());
    for error in &errors {
        assert_eq!(serde_json::to_value(error).unwrap()["code"], error.code());
    }
}
