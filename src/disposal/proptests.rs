//! Property tests: every plan the lifecycle accepts satisfies AUC-3, AUC-5, AUC-8 and AUC-16, and every plan that
//! breaks one of them is refused with that rule. The plans are generated around each boundary (a few fen or a day
//! on either side), on both kinds of asset and in both rounds.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

use super::plan::announcement_lead_days;
use super::tests::{date, start_command, ACCOUNT};
use super::*;

fn instant_on(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    // 10:00 in Shanghai.
    day.and_hms_opt(2, 0, 0).unwrap().and_utc()
}

/// A plan around the boundaries: `price_delta` fen from the floor, deposits `deposit_delta` fen outside or inside
/// the 5 % and 20 % bounds, the bidding `lead_delta` days from the minimum lead.
#[derive(Debug, Clone)]
struct Generated {
    price_delta: i64,
    deposit_at_top: bool,
    deposit_delta: i64,
    lead_delta: i64,
    other_platform: bool,
}

fn generated() -> impl Strategy<Value = Generated> {
    (-3i64..=3, any::<bool>(), -3i64..=3, -2i64..=2, prop::bool::weighted(0.2)).prop_map(
        |(price_delta, deposit_at_top, deposit_delta, lead_delta, other_platform)| Generated {
            price_delta,
            deposit_at_top,
            deposit_delta,
            lead_delta,
            other_platform,
        },
    )
}

/// The smallest amount that is at least `percent` % of `base`, in fen.
fn floor_fen(base: i64, percent: i64) -> i64 {
    (base * percent + 99) / 100
}

fn build(generated: &Generated, base_fen: i64, percent: i64, kind: AssetKind, round: Round, today: NaiveDate) -> DecideAuctionPlan {
    let starting = floor_fen(base_fen, percent) + generated.price_delta;
    let deposit = if generated.deposit_at_top {
        starting * 20 / 100 + generated.deposit_delta
    } else {
        (starting * 5 + 99) / 100 + generated.deposit_delta
    };
    let announcement_on = today + Duration::days(3);
    let lead = i64::from(announcement_lead_days(kind, round)) + generated.lead_delta;
    let starts_on = announcement_on + Duration::days(lead);
    DecideAuctionPlan {
        panel: PanelDecision {
            decision_id: "panel".into(),
            decided_on: today,
            members: vec!["a".into(), "b".into(), "c".into()],
        },
        platform_register: vec!["jd".into(), "taobao".into()],
        applicant_choice: Some(if generated.other_platform { "taobao" } else { "jd" }.into()),
        court_designation: None,
        starting_price: Money::from_fen(starting),
        deposit: Money::from_fen(deposit.max(0)),
        bid_increment: Money::from_fen(100),
        priority_holders: Vec::new(),
        schedule: Schedule {
            announcement_on,
            bidding: BiddingWindow {
                starts_at: instant_on(starts_on),
                ends_at: instant_on(starts_on) + Duration::hours(24),
            },
            balance_due_on: starts_on + Duration::days(10),
        },
    }
}

/// The rules the plan breaks, by the plain arithmetic of the rules (independent of the lifecycle's code).
fn broken_rules(
    plan: &DecideAuctionPlan,
    base: Money,
    percent: i64,
    kind: AssetKind,
    round: Round,
    first_platform: Option<&str>,
) -> Vec<&'static str> {
    let mut broken = Vec::new();
    let starting = i128::from(plan.starting_price.fen());
    let price_rule = if round.number == 1 { "AUC-3" } else { "AUC-16" };
    if starting * 100 < i128::from(base.fen()) * i128::from(percent) {
        broken.push(price_rule);
    }
    if let Some(first) = first_platform {
        if plan.applicant_choice.as_deref() != Some(first) {
            broken.push("AUC-16");
        }
    }
    let deposit = i128::from(plan.deposit.fen());
    if deposit * 100 < starting * 5 || deposit * 100 > starting * 20 {
        broken.push("AUC-8");
    }
    let lead = (crate::clock::local_date(plan.schedule.bidding.starts_at) - plan.schedule.announcement_on).num_days();
    if lead < i64::from(announcement_lead_days(kind, round)) {
        broken.push("AUC-5");
    }
    broken
}

fn first_round_failed(kind: AssetKind, reference_fen: i64, calendar: &Calendar) -> (Disposal, Money, NaiveDate) {
    let mut command = start_command(kind, "1.00", "2026-06-30", "2026-12-31");
    command.reference_price = Money::from_fen(reference_fen);
    let today = date("2025-03-03");
    let mut state = Disposal::start(command, today, calendar).unwrap().state;
    let first = Generated {
        price_delta: 0,
        deposit_at_top: false,
        deposit_delta: 0,
        lead_delta: 0,
        other_platform: false,
    };
    let plan = build(&first, reference_fen, 70, kind, Round::FIRST, today);
    let first_starting = plan.starting_price;
    let bidding_end = plan.schedule.bidding.ends_at;
    let announce_on = plan.schedule.announcement_on;
    state = state
        .apply(Command::DecideAuctionPlan(Box::new(plan)), today, calendar)
        .unwrap()
        .state;
    for party in ["applicant", "debtor"] {
        state = state
            .apply(
                Command::RecordNotice(RecordNotice {
                    recipient: party.into(),
                    means: NoticeMeans::Written,
                }),
                today,
                calendar,
            )
            .unwrap()
            .state;
    }
    state = state
        .apply(Command::PublishAnnouncement(PublishAnnouncement {}), announce_on, calendar)
        .unwrap()
        .state;
    let failed_on = crate::clock::local_date(bidding_end);
    state = state
        .apply(
            Command::RecordFailure(RecordFailure {
                bidding_ended_at: bidding_end,
                deposits_paid: false,
            }),
            failed_on,
            calendar,
        )
        .unwrap()
        .state;
    (state, first_starting, failed_on)
}

fn kind_strategy() -> impl Strategy<Value = AssetKind> {
    prop::sample::select(vec![
        AssetKind::RealEstate,
        AssetKind::Movable,
        AssetKind::Vehicle,
        AssetKind::Equity,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn every_accepted_first_round_plan_satisfies_auc_3_auc_5_auc_8_and_every_breach_is_refused_with_its_rule(
        kind in kind_strategy(),
        reference_fen in 10_000i64..100_000_000_000,
        generated in generated(),
    ) {
        let calendar = Calendar::embedded();
        let mut command = start_command(kind, "1.00", "2026-06-30", "2026-12-31");
        command.reference_price = Money::from_fen(reference_fen);
        command.collection_account = ACCOUNT.into();
        let today = date("2025-03-03");
        let state = Disposal::start(command, today, &calendar).unwrap().state;
        let generated = Generated { other_platform: false, ..generated };
        let plan = build(&generated, reference_fen, 70, kind, Round::FIRST, today);
        let broken = broken_rules(&plan, Money::from_fen(reference_fen), 70, kind, Round::FIRST, None);
        match state.apply(Command::DecideAuctionPlan(Box::new(plan)), today, &calendar) {
            Ok(transition) => {
                prop_assert!(broken.is_empty(), "accepted a plan that breaks {:?}", broken);
                let Stage::Planned(planned) = &transition.state.stage else { panic!("planned") };
                prop_assert!(i128::from(planned.plan.starting_price.fen()) * 100 >= i128::from(reference_fen) * 70);
            }
            Err(error) => {
                prop_assert!(broken.contains(&error.rule()), "refused with {} ({}) but broken: {:?}", error.code(), error.rule(), broken);
            }
        }
    }

    #[test]
    fn every_accepted_second_round_plan_satisfies_auc_16_auc_5_auc_8_and_every_breach_is_refused_with_its_rule(
        kind in kind_strategy(),
        reference_fen in 10_000i64..100_000_000_000,
        generated in generated(),
    ) {
        let calendar = Calendar::embedded();
        let (state, first_starting, failed_on) = first_round_failed(kind, reference_fen, &calendar);
        let today = failed_on + Duration::days(1);
        let round = Round { number: 2, resale: false };
        let plan = build(&generated, first_starting.fen(), 80, kind, round, today);
        let broken = broken_rules(&plan, first_starting, 80, kind, round, Some("jd"));
        match state.apply(Command::DecideAuctionPlan(Box::new(plan)), today, &calendar) {
            Ok(transition) => {
                prop_assert!(broken.is_empty(), "accepted a plan that breaks {:?}", broken);
                let Stage::Planned(planned) = &transition.state.stage else { panic!("planned") };
                prop_assert_eq!(&planned.plan.platform, "jd");
            }
            Err(error) => {
                prop_assert!(broken.contains(&error.rule()), "refused with {} ({}) but broken: {:?}", error.code(), error.rule(), broken);
            }
        }
    }

    #[test]
    fn the_forfeited_deposit_is_allocated_in_order_and_adds_up_to_the_fen_auc_14(
        deposit in 0i64..10_000_000,
        claims in prop::array::uniform4(0i64..5_000_000),
    ) {
        let allocation = allocate_forfeited_deposit(Money::from_fen(deposit), ForfeitClaims {
            auction_cost_losses: Money::from_fen(claims[0]),
            resale_shortfall: Money::from_fen(claims[1]),
            this_case_debt: Money::from_fen(claims[2]),
            related_debts: Money::from_fen(claims[3]),
        });
        let parts = [allocation.auction_cost_losses, allocation.resale_shortfall, allocation.this_case_debt, allocation.related_debts];
        prop_assert_eq!(parts.iter().map(|part| part.fen()).sum::<i64>() + allocation.remainder.fen(), deposit);
        // A later claim gets something only when every earlier one is paid in full.
        for index in 1..4 {
            if parts[index].fen() > 0 {
                prop_assert!((0..index).all(|earlier| parts[earlier].fen() == claims[earlier]));
            }
        }
    }

    #[test]
    fn the_lot_between_tied_creditors_depends_only_on_the_seed_and_the_set_of_names_trad_5(
        seed in "[0-9a-f]{1,16}",
        mut names in prop::collection::btree_set("[a-z]{1,6}", 2..6).prop_map(|set| set.into_iter().collect::<Vec<_>>()),
    ) {
        let draw = draw_taker(&seed, &names);
        names.reverse();
        prop_assert_eq!(&draw, &draw_taker(&seed, &names));
        prop_assert!(names.contains(&draw.taker));
    }
}
