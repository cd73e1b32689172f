//! Scenario tests, one per path of issue 3, on the embedded 2024–2026 calendar. Each names the rules it checks and
//! asserts the dates of the nodes it creates; every transition is also checked against a simulated node store (the
//! nodes the effects leave open must be exactly the lifecycle's open limits).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::*;
use crate::registry::AssetKind;

pub(crate) fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

pub(crate) fn yuan(text: &str) -> Money {
    Money::parse(text).unwrap()
}

pub(crate) fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| name.to_string()).collect()
}

pub(crate) fn asset(kind: AssetKind, seizure_date: &str) -> AssetFacts {
    AssetFacts {
        kind,
        seizure_date: date(seizure_date),
        to_be_sold: true,
        has_official_price: false,
        needs_onsite_inspection: false,
        appraisal_required_by_law: false,
        high_value_or_complex: false,
    }
}

pub(crate) fn precheck() -> Precheck {
    Precheck {
        title: "registered to the debtor".into(),
        encumbrances: "mortgage to the applicant".into(),
        occupancy: "vacant".into(),
        tax_arrears: "none".into(),
        defects: "none known".into(),
    }
}

/// Where a node stands in the simulated store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredNode {
    pub due_date: NaiveDate,
    pub paused: bool,
}

/// The nodes the effects leave open, as the engine would store them.
pub(crate) fn apply_node_effects(nodes: &mut BTreeMap<NodeKey, StoredNode>, effects: &[Effect]) {
    for effect in effects {
        match effect {
            Effect::CreateNode { key, due_date, .. } => {
                assert!(!nodes.contains_key(key), "node {key} created twice");
                nodes.insert(
                    key.clone(),
                    StoredNode {
                        due_date: *due_date,
                        paused: false,
                    },
                );
            }
            Effect::RescheduleNode { key, due_date, .. } => {
                let node = nodes.get_mut(key).unwrap_or_else(|| panic!("rescheduled unknown node {key}"));
                node.due_date = *due_date;
            }
            Effect::PauseNode { key } => nodes.get_mut(key).unwrap_or_else(|| panic!("paused unknown node {key}")).paused = true,
            Effect::ResumeNode { key, due_date, .. } => {
                let node = nodes.get_mut(key).unwrap_or_else(|| panic!("resumed unknown node {key}"));
                node.paused = false;
                node.due_date = *due_date;
            }
            Effect::MeetNode { key } | Effect::CancelNode { key } => {
                nodes.remove(key).unwrap_or_else(|| panic!("closed unknown node {key}"));
            }
            Effect::MeetNodes { .. } | Effect::Notify(_) => {}
        }
    }
}

pub(crate) fn open_nodes_of(state: &Valuation) -> BTreeMap<NodeKey, StoredNode> {
    state
        .open_limits()
        .into_iter()
        .map(|open| {
            (
                open.limit.key(),
                StoredNode {
                    due_date: open.limit.due_date,
                    paused: open.paused,
                },
            )
        })
        .collect()
}

/// One asset's valuation, driven command by command.
pub(crate) struct Case {
    pub state: Valuation,
    pub calendar: Calendar,
    pub nodes: BTreeMap<NodeKey, StoredNode>,
}

impl Case {
    pub(crate) fn start(facts: AssetFacts, on: &str) -> (Case, Transition) {
        let calendar = Calendar::embedded();
        let transition = Valuation::start(
            StartValuation {
                asset: facts,
                recipients: names(&["applicant", "debtor"]),
            },
            date(on),
            &calendar,
        )
        .expect("the procedure starts");
        let mut case = Case {
            state: transition.state.clone(),
            calendar,
            nodes: BTreeMap::new(),
        };
        apply_node_effects(&mut case.nodes, &transition.effects);
        assert_eq!(case.nodes, open_nodes_of(&case.state));
        (case, transition)
    }

    /// Started and pre-checked.
    pub(crate) fn ready(facts: AssetFacts, on: &str) -> Case {
        let (mut case, _) = Case::start(facts, on);
        case.ok(on, Command::RecordPrecheck(RecordPrecheck { precheck: precheck() }));
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
        // The lifecycle survives the JSON round trip the engine stores it in.
        let json = serde_json::to_string(&transition.state).unwrap();
        assert_eq!(serde_json::from_str::<Valuation>(&json).unwrap(), transition.state);
        let event = serde_json::to_string(&transition.event).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&event).unwrap(), transition.event);
        self.state = transition.state.clone();
        transition
    }

    pub(crate) fn refused(&self, on: &str, command: Command) -> ValuationError {
        match self.state.clone().apply(command.clone(), date(on), &self.calendar) {
            Ok(_) => panic!("{command:?} on {on} was accepted"),
            Err(error) => error,
        }
    }

    pub(crate) fn due(&self, key: &str) -> NaiveDate {
        self.nodes
            .get(&NodeKey(key.to_string()))
            .unwrap_or_else(|| panic!("no open node {key}; open: {:?}", self.nodes.keys().collect::<Vec<_>>()))
            .due_date
    }

    pub(crate) fn price(&self) -> &ReferencePrice {
        self.state.reference_price().expect("a reference price")
    }
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

pub(crate) fn met(transition: &Transition, key: &str) -> bool {
    transition
        .effects
        .iter()
        .any(|effect| matches!(effect, Effect::MeetNode { key: met } if met.0 == key))
}

pub(crate) fn cancelled(transition: &Transition, key: &str) -> bool {
    transition
        .effects
        .iter()
        .any(|effect| matches!(effect, Effect::CancelNode { key: cancelled } if cancelled.0 == key))
}

fn assert_refused(error: ValuationError, code: &str, rule: &str) {
    assert_eq!((error.code(), error.rule()), (code, rule), "{error}");
}

// --- commands, briefly -------------------------------------------------------------------------------------------

pub(crate) fn report(platform: &str, amount: &str, validity_months: u32) -> Command {
    Command::RecordPlatformReport(RecordPlatformReport {
        platform: platform.into(),
        amount: yuan(amount),
        validity_months,
    })
}

pub(crate) fn serve(recipient: &str, means: ServiceMeans) -> Command {
    Command::ServeReport(ServeReport {
        recipient: recipient.into(),
        means,
    })
}

pub(crate) fn close(defective: &[&str]) -> Command {
    Command::CloseOnlineInquiryWindow(CloseOnlineInquiryWindow {
        defective: names(defective),
    })
}

pub(crate) fn fix() -> Command {
    Command::FixReferencePrice(FixReferencePrice {})
}

pub(crate) fn send_online(basis: Basis, register: &[&str]) -> Command {
    Command::SendOnlineInquiry(SendOnlineInquiry {
        basis,
        register: names(register),
    })
}

pub(crate) fn appraisal_report(amount: &str, validity_months: u32) -> Command {
    Command::RecordAppraisalReport(RecordAppraisalReport {
        amount: yuan(amount),
        validity_months,
    })
}

pub(crate) fn objection(objector: &str, target: ObjectionTarget, grounds: &[ObjectionGround]) -> Command {
    Command::FileObjection(FileObjection {
        objector: objector.into(),
        target,
        grounds: grounds.to_vec(),
        postmarked_on: None,
    })
}

fn negotiation_impossible() -> Command {
    Command::RecordNegotiationImpossible(RecordNegotiationImpossible {
        reason: NegotiationImpossible::PartyMissing,
    })
}

fn open_appraisal(basis: Basis, agreement_deadline: &str) -> Command {
    Command::OpenAppraisal(OpenAppraisal {
        basis,
        agreement_deadline: date(agreement_deadline),
    })
}

fn agreed(agencies: &[&str]) -> Command {
    Command::RecordAgreedAgencies(RecordAgreedAgencies { agencies: names(agencies) })
}

fn commission(agency: &str) -> Command {
    Command::CommissionAgency(CommissionAgency { agency: agency.into() })
}

fn failure(reason: AgencyFailureReason) -> Command {
    Command::RecordAgencyFailure(RecordAgencyFailure { reason })
}

/// An appraisal commissioned with agency a1 (agreed list a1, a2, a3) on `commissioned_on`.
fn commissioned_appraisal(kind: AssetKind, opened_on: &str, commissioned_on: &str) -> Case {
    let mut case = Case::ready(asset(kind, opened_on), opened_on);
    case.ok(opened_on, negotiation_impossible());
    case.ok(
        opened_on,
        open_appraisal(Basis::JointRequest, &(date(opened_on) + chrono::Days::new(10)).to_string()),
    );
    case.ok(opened_on, agreed(&["a1", "a2", "a3"]));
    case.ok(commissioned_on, commission("a1"));
    case
}

/// Serves the report under review on both parties by delivery on `on`.
fn serve_both(case: &mut Case, on: &str) {
    case.ok(on, serve("applicant", ServiceMeans::Delivered));
    case.ok(on, serve("debtor", ServiceMeans::Delivered));
}

// --- REF-1, REF-3, REF-4 -----------------------------------------------------------------------------------------

#[test]
fn ref_1_start_meets_the_seizure_node_and_ref_3_precheck_comes_before_any_method() {
    let (case, transition) = Case::start(asset(AssetKind::RealEstate, "2026-01-16"), "2026-02-24");
    assert_eq!(transition.effects[0], Effect::MeetNodes { rule_id: "REF-1" });
    // REF-1: 30 days from 2026-01-16 is 2026-02-15, in the Spring Festival break, so the start was due 02-24.
    assert_eq!(
        transition.event.outcomes,
        vec![Outcome::ProcedureStarted {
            start_due: date("2026-02-24"),
            late: false
        }]
    );
    let error = case.refused(
        "2026-02-24",
        Command::OpenNegotiation(OpenNegotiation {
            deadline: date("2026-03-06"),
        }),
    );
    assert_refused(error, "precheck_missing", "REF-3");
    let error = case.refused(
        "2026-02-24",
        Command::RecordPrecheck(RecordPrecheck {
            precheck: Precheck {
                occupancy: " ".into(),
                ..precheck()
            },
        }),
    );
    assert_refused(error, "precheck_incomplete", "REF-3");
    let mut deposit = asset(AssetKind::Deposit, "2026-01-16");
    deposit.to_be_sold = false;
    let error = Valuation::start(
        StartValuation {
            asset: deposit,
            recipients: names(&["applicant"]),
        },
        date("2026-01-20"),
        &Calendar::embedded(),
    )
    .unwrap_err();
    assert_refused(error, "asset_not_for_sale", "REF-1");
}

#[test]
fn ref_4_negotiation_succeeds_across_the_spring_festival_and_ref_36_ref_33_nodes_follow() {
    let mut case = Case::ready(asset(AssetKind::RealEstate, "2026-01-20"), "2026-02-02");
    // The court's deadline, 2026-02-16, falls in the Spring Festival break (HOL-2026): PER-1 moves it to 02-24.
    let opened = case.ok(
        "2026-02-02",
        Command::OpenNegotiation(OpenNegotiation {
            deadline: date("2026-02-16"),
        }),
    );
    assert_eq!(created(&opened, "negotiation"), (date("2026-02-24"), "REF-4"));
    let fixed = case.ok(
        "2026-02-24",
        Command::RecordNegotiationResult(RecordNegotiationResult {
            applicant_price: Some(yuan("1200000.00")),
            debtor_price: Some(yuan("1200000.00")),
            validity_months: 6,
            harms_third_parties: false,
        }),
    );
    assert!(met(&fixed, "negotiation"));
    assert_eq!(case.price().amount, yuan("1200000.00"));
    assert_eq!(case.price().method, Method::Negotiation);
    // REF-36: 10 days from 02-24 is 03-06 (Friday). REF-33: 6 months to 2026-08-24; the grace to 2027-02-24.
    assert_eq!(created(&fixed, "disposal_start"), (date("2026-03-06"), "REF-36"));
    assert_eq!(created(&fixed, "validity"), (date("2026-08-24"), "REF-33"));
    assert_eq!(created(&fixed, "sale_grace"), (date("2027-02-24"), "REF-33"));
    // REF-5: a negotiated price admits no objection.
    let error = case.refused(
        "2026-02-25",
        objection("debtor", ObjectionTarget::AppraisalReport, &[ObjectionGround::WrongBasicFacts]),
    );
    assert_refused(error, "objection_not_accepted_for_method", "REF-5");
}

#[test]
fn ref_4_ref_6_ref_7_negotiation_fails_then_directed_inquiry_sets_the_price_served_after_national_day() {
    let mut facts = asset(AssetKind::Vehicle, "2025-09-01");
    facts.has_official_price = true;
    let mut case = Case::ready(facts, "2025-09-08");
    case.ok(
        "2025-09-08",
        Command::OpenNegotiation(OpenNegotiation {
            deadline: date("2025-09-18"),
        }),
    );
    let failed = case.ok(
        "2025-09-18",
        Command::RecordNegotiationResult(RecordNegotiationResult {
            applicant_price: Some(yuan("180000.00")),
            debtor_price: Some(yuan("210000.00")),
            validity_months: 12,
            harms_third_parties: false,
        }),
    );
    assert_eq!(
        failed.event.outcomes,
        vec![Outcome::MethodFailed {
            method: Method::Negotiation,
            reason: FailureReason::PricesDiffer
        }]
    );
    assert_eq!(case.state.next_methods(), vec![Method::DirectedInquiry]);
    // REF-37: online inquiry comes after the directed inquiry this vehicle's official price allows.
    let error = case.refused("2025-09-19", send_online(Basis::FallThrough, &["jd", "taobao", "gpai"]));
    assert_refused(error, "method_out_of_order", "REF-37");
    case.ok(
        "2025-09-19",
        Command::OpenDirectedInquiry(OpenDirectedInquiry {
            basis: Basis::FallThrough,
            institution: "市税务局".into(),
            deadline: date("2025-09-29"),
        }),
    );
    // The answer arrives on the make-up working Sunday before National Day 2025.
    let fixed = case.ok(
        "2025-09-28",
        Command::RecordDirectedResult(RecordDirectedResult {
            result: DirectedResult::Price {
                amount: yuan("195000.00"),
                validity_months: 12,
            },
        }),
    );
    assert_eq!(case.price().amount, yuan("195000.00"));
    // REF-27: 3 days from 09-28 is 10-01, in the National Day break (10-01..10-08): served by 10-09.
    assert_eq!(created(&fixed, "report_service"), (date("2025-10-09"), "REF-27"));
    // REF-36: 10 days from 09-28 is 10-08, the break's last day: the disposal starts by 10-09.
    assert_eq!(created(&fixed, "disposal_start"), (date("2025-10-09"), "REF-36"));
    let error = case.refused(
        "2025-09-29",
        objection("debtor", ObjectionTarget::AppraisalReport, &[ObjectionGround::WrongBasicFacts]),
    );
    assert_refused(error, "objection_not_accepted_for_method", "REF-5");
    case.ok("2025-09-29", serve("applicant", ServiceMeans::Delivered));
    let served = case.ok("2025-10-09", serve("debtor", ServiceMeans::Delivered));
    assert!(met(&served, "report_service"));
}

#[test]
fn ref_7_a_late_directed_answer_fails_the_method() {
    let mut facts = asset(AssetKind::Vehicle, "2025-03-03");
    facts.has_official_price = true;
    let mut case = Case::ready(facts, "2025-03-10");
    case.ok(
        "2025-03-10",
        Command::OpenDirectedInquiry(OpenDirectedInquiry {
            basis: Basis::JointRequest,
            institution: "市发展改革委".into(),
            deadline: date("2025-03-20"),
        }),
    );
    let late = case.ok(
        "2025-03-21",
        Command::RecordDirectedResult(RecordDirectedResult {
            result: DirectedResult::Price {
                amount: yuan("88000.00"),
                validity_months: 6,
            },
        }),
    );
    assert!(cancelled(&late, "directed_inquiry"));
    assert_eq!(case.state.failed_methods[0].reason, FailureReason::AnsweredLate);
    assert_eq!(case.state.stage, Stage::ChoosingMethod);
}

// --- REF-10 … REF-16: online inquiry -----------------------------------------------------------------------------

/// An online inquiry sent on `sent_on` to jd, taobao and gpai, after the parties' joint request.
fn online_case(seized_on: &str, sent_on: &str) -> (Case, Transition) {
    let mut case = Case::ready(asset(AssetKind::RealEstate, seized_on), sent_on);
    let sent = case.ok(sent_on, send_online(Basis::JointRequest, &["jd", "taobao", "gpai"]));
    (case, sent)
}

#[test]
fn ref_10_to_ref_16_every_platform_on_time_across_labour_day_averages_to_the_fen() {
    let (mut case, sent) = online_case("2026-04-20", "2026-04-28");
    // REF-11: 3 days from 04-28 is 05-01, in the Labour Day break (05-01..05-05): every report is due 05-06.
    for platform in ["jd", "taobao", "gpai"] {
        assert_eq!(
            created(&sent, &format!("platform_report:{platform}")),
            (date("2026-05-06"), "REF-11")
        );
    }
    case.ok("2026-04-29", report("jd", "1000000.01", 6));
    case.ok("2026-04-30", report("taobao", "1000000.02", 12));
    // Every platform has delivered, so the window can close at once.
    case.ok("2026-05-06", report("gpai", "1000000.02", 12));
    let closed = case.ok("2026-05-06", close(&[]));
    // REF-27: served within 3 days of 05-06: 05-09 is a make-up working Saturday (HOL-2026).
    assert_eq!(created(&closed, "report_service"), (date("2026-05-09"), "REF-27"));
    case.ok("2026-05-07", serve("applicant", ServiceMeans::Delivered));
    // The debtor cannot be served: published on 05-07, deemed received 15 days later (05-22), objections to 05-27.
    let published = case.ok("2026-05-07", serve("debtor", ServiceMeans::Published));
    assert_eq!(
        published.event.outcomes,
        vec![Outcome::RecipientServed {
            recipient: "debtor".into(),
            received_on: date("2026-05-22"),
            objection_due: date("2026-05-27"),
        }]
    );
    let error = case.refused("2026-05-27", fix());
    assert_refused(error, "objection_window_open", "REF-28");
    let fixed = case.ok("2026-05-28", fix());
    // REF-16: (1,000,000.01 + 1,000,000.02 + 1,000,000.02) / 3 = 1,000,000.01666… → 1,000,000.02, exact kept.
    let price = case.price();
    assert_eq!(price.amount, yuan("1000000.02"));
    assert!(price.exact_yuan.to_string().starts_with("1000000.016666"), "{}", price.exact_yuan);
    // REF-33: the earliest validity ends first: jd's 6 months from 04-29.
    assert_eq!(price.validity_ends_on, date("2026-10-29"));
    // REF-36: 10 days from 05-28 is Sunday 06-07: the disposal starts by Monday 06-08.
    assert_eq!(created(&fixed, "disposal_start"), (date("2026-06-08"), "REF-36"));
}

#[test]
fn ref_11_ref_13_ref_16_a_late_platform_is_left_out_of_the_average() {
    let (mut case, sent) = online_case("2025-09-15", "2025-09-26");
    assert_eq!(created(&sent, "platform_report:gpai"), (date("2025-09-29"), "REF-11"));
    // 09-28 is a make-up working Sunday before National Day 2025.
    case.ok("2025-09-28", report("jd", "500000.00", 12));
    case.ok("2025-09-29", report("taobao", "510000.01", 12));
    let error = case.refused("2025-09-29", close(&[]));
    assert_refused(error, "online_window_still_open", "REF-11");
    // gpai delivers after the break, ten days late: recorded, but it does not count.
    case.ok("2025-10-09", report("gpai", "900000.00", 12));
    let closed = case.ok("2025-10-09", close(&[]));
    assert_eq!(
        closed.event.outcomes,
        vec![Outcome::ReportsAccepted {
            valid: names(&["jd", "taobao"]),
            late: names(&["gpai"]),
            defective: vec![],
        }]
    );
    // REF-28: an objection to the late report is not about a report under review.
    let error = case.refused(
        "2025-10-10",
        objection(
            "debtor",
            ObjectionTarget::OnlineReport { platform: "gpai".into() },
            &[ObjectionGround::WrongBasicFacts],
        ),
    );
    assert_refused(error, "objection_target_unknown", "REF-28");
    serve_both(&mut case, "2025-10-10");
    case.ok("2025-10-16", fix());
    // (500,000.00 + 510,000.01) / 2 = 505,000.005 → 505,000.01 half-up.
    assert_eq!(case.price().amount, yuan("505000.01"));
    assert_eq!(case.price().exact_yuan.to_string(), "505000.005");
}

#[test]
fn ref_12_no_platform_on_time_extensions_granted_run_past_the_spring_festival() {
    let (mut case, _) = online_case("2026-02-02", "2026-02-10");
    // Due 02-13 (Friday). Two platforms ask for more time before it ends.
    case.ok(
        "2026-02-12",
        Command::RequestPlatformExtension(RequestPlatformExtension { platform: "jd".into() }),
    );
    case.ok(
        "2026-02-13",
        Command::RequestPlatformExtension(RequestPlatformExtension { platform: "taobao".into() }),
    );
    let error = case.refused(
        "2026-02-13",
        Command::RequestPlatformExtension(RequestPlatformExtension { platform: "jd".into() }),
    );
    assert_refused(error, "online_extension_already_requested", "REF-12");
    let error = case.refused("2026-02-13", Command::DecidePlatformExtensions(DecidePlatformExtensions {}));
    assert_refused(error, "online_window_still_open", "REF-11");
    let error = case.refused(
        "2026-02-14",
        Command::RequestPlatformExtension(RequestPlatformExtension { platform: "gpai".into() }),
    );
    assert_refused(error, "online_extension_request_late", "REF-12");
    let error = case.refused("2026-02-14", close(&[]));
    assert_refused(error, "platform_extensions_undecided", "REF-12");
    // Decided on the make-up working Saturday 02-14: nobody delivered, so +3 days from the last day 02-13 is 02-16,
    // in the Spring Festival break (02-15..02-23): due 02-24.
    let decided = case.ok("2026-02-14", Command::DecidePlatformExtensions(DecidePlatformExtensions {}));
    assert_eq!(
        decided.event.outcomes,
        vec![Outcome::PlatformExtensionsGranted {
            platforms: names(&["jd", "taobao"]),
            due_date: date("2026-02-24"),
        }]
    );
    assert_eq!(case.due("platform_report:jd"), date("2026-02-24"));
    assert_eq!(case.due("platform_report:taobao"), date("2026-02-24"));
    // gpai asked for nothing: its node stays overdue on 02-13 until the window closes.
    assert_eq!(case.due("platform_report:gpai"), date("2026-02-13"));
    case.ok("2026-02-24", report("jd", "2000000.00", 12));
    case.ok("2026-02-24", report("taobao", "2100000.00", 12));
    let closed = case.ok("2026-02-24", close(&[]));
    assert!(cancelled(&closed, "platform_report:gpai"));
    serve_both(&mut case, "2026-02-25");
    case.ok("2026-03-03", fix());
    assert_eq!(case.price().amount, yuan("2050000.00"));
}

#[test]
fn ref_12_extension_refused_once_a_platform_has_delivered() {
    let (mut case, _) = online_case("2025-03-03", "2025-03-10");
    case.ok("2025-03-11", report("jd", "300000.00", 12));
    let error = case.refused(
        "2025-03-12",
        Command::RequestPlatformExtension(RequestPlatformExtension { platform: "gpai".into() }),
    );
    assert_refused(error, "online_extension_denied_some_delivered", "REF-12");
}

#[test]
fn ref_13_ref_17_all_platforms_fail_then_appraisal_follows() {
    let (mut case, _) = online_case("2024-04-22", "2024-04-29");
    // 3 days from 04-29 is 05-02, in the Labour Day break 2024 (05-01..05-05): due 05-06.
    assert_eq!(case.due("platform_report:jd"), date("2024-05-06"));
    let failed = case.ok("2024-05-07", close(&[]));
    assert_eq!(
        failed.event.outcomes,
        vec![Outcome::MethodFailed {
            method: Method::OnlineInquiry,
            reason: FailureReason::AllPlatformsFailed
        }]
    );
    for platform in ["jd", "taobao", "gpai"] {
        assert!(cancelled(&failed, &format!("platform_report:{platform}")));
    }
    assert_eq!(case.state.next_methods(), vec![Method::Appraisal]);
    let opened = case.ok("2024-05-08", open_appraisal(Basis::FallThrough, "2024-05-18"));
    // REF-19: the court's deadline for the parties' list, Saturday 05-18, moves to Monday 05-20.
    assert_eq!(created(&opened, "agency_agreement"), (date("2024-05-20"), "REF-19"));
}

#[test]
fn ref_15_every_in_time_report_defective_so_all_correct_within_three_days() {
    let (mut case, _) = online_case("2025-06-02", "2025-06-09");
    case.ok("2025-06-10", report("jd", "700000.00", 12));
    case.ok("2025-06-11", report("taobao", "720000.00", 12));
    let error = case.refused("2025-06-13", close(&["gpai"]));
    assert_refused(error, "defective_platform_unknown", "REF-15");
    let correcting = case.ok("2025-06-13", close(&["jd", "taobao"]));
    assert_eq!(created(&correcting, "platform_correction:jd"), (date("2025-06-16"), "REF-15"));
    let error = case.refused("2025-06-14", report("gpai", "710000.00", 12));
    assert_refused(error, "platform_not_asked_to_correct", "REF-15");
    case.ok("2025-06-16", report("jd", "705000.00", 12));
    // taobao never corrects; after its deadline the window closes on jd's corrected report alone.
    let reviewing = case.ok("2025-06-17", close(&[]));
    assert!(cancelled(&reviewing, "platform_correction:taobao"));
    serve_both(&mut case, "2025-06-17");
    // Objections to 06-22, a Sunday: to Monday 06-23.
    let error = case.refused("2025-06-23", fix());
    assert_refused(error, "objection_window_open", "REF-28");
    case.ok("2025-06-24", fix());
    assert_eq!(case.price().amount, yuan("705000.00"));
}

#[test]
fn ref_16_objections_to_some_reports_average_the_others() {
    let (mut case, _) = online_case("2025-06-02", "2025-06-09");
    case.ok("2025-06-10", report("jd", "700000.00", 12));
    case.ok("2025-06-10", report("taobao", "800000.00", 12));
    case.ok("2025-06-10", report("gpai", "900000.00", 12));
    case.ok("2025-06-10", close(&[]));
    serve_both(&mut case, "2025-06-11");
    let error = case.refused(
        "2025-06-12",
        objection(
            "debtor",
            ObjectionTarget::OnlineReport { platform: "jd".into() },
            &[ObjectionGround::CalculationMethod],
        ),
    );
    assert_refused(error, "objection_ground_not_allowed", "REF-28");
    let filed = case.ok(
        "2025-06-12",
        objection(
            "debtor",
            ObjectionTarget::OnlineReport { platform: "jd".into() },
            &[ObjectionGround::WrongBasicFacts],
        ),
    );
    assert_eq!(created(&filed, "objection_decision:1"), (date("2025-06-27"), "REF-28"));
    // Objections to some reports: the price is the average of the others, without waiting for the decision.
    let fixed = case.ok("2025-06-17", fix());
    assert!(cancelled(&fixed, "objection_decision:1"));
    assert_eq!(case.price().amount, yuan("850000.00"));
    assert_eq!(
        case.price().results.iter().map(|result| result.source.as_str()).collect::<Vec<_>>(),
        vec!["taobao", "gpai"]
    );
}

#[test]
fn ref_16_ref_28_objections_to_every_report_use_the_rejected_and_corrected_results() {
    let (mut case, _) = online_case("2025-06-02", "2025-06-09");
    case.ok("2025-06-10", report("jd", "700000.00", 12));
    case.ok("2025-06-10", report("taobao", "800000.00", 12));
    // gpai's report is due until 06-12.
    case.ok("2025-06-13", close(&[]));
    serve_both(&mut case, "2025-06-13");
    let jd = ObjectionTarget::OnlineReport { platform: "jd".into() };
    let taobao = ObjectionTarget::OnlineReport { platform: "taobao".into() };
    case.ok("2025-06-16", objection("debtor", jd, &[ObjectionGround::WrongBasicFacts]));
    case.ok("2025-06-16", objection("applicant", taobao, &[ObjectionGround::WrongScope]));
    let error = case.refused("2025-06-19", fix());
    assert_refused(error, "objections_pending", "REF-28");
    case.ok(
        "2025-06-20",
        Command::DecideObjection(DecideObjection {
            objection: 1,
            upheld: true,
        }),
    );
    case.ok(
        "2025-06-20",
        Command::DecideObjection(DecideObjection {
            objection: 2,
            upheld: false,
        }),
    );
    case.ok(
        "2025-06-23",
        Command::RecordCorrectedResult(RecordCorrectedResult {
            objection: 1,
            amount: yuan("750000.00"),
        }),
    );
    case.ok("2025-06-23", fix());
    // (750,000.00 corrected + 800,000.00 rejected objection) / 2.
    assert_eq!(case.price().amount, yuan("775000.00"));
}

// --- REF-17 … REF-26: appraisal ----------------------------------------------------------------------------------

#[test]
fn ref_19_lottery_commits_the_seed_before_the_draw_and_the_draw_is_reproducible() {
    let mut case = Case::ready(asset(AssetKind::Equity, "2025-07-21"), "2025-07-28");
    case.ok("2025-07-28", negotiation_impossible());
    case.ok("2025-07-28", open_appraisal(Basis::JointRequest, "2025-08-11"));
    let seed = [0x5au8; 32];
    let commit = |reason| {
        Command::CommitAgencyLottery(CommitAgencyLottery {
            reason,
            sub_list: "山东省 资产评估 济南市子库".into(),
            candidates: names(&["e1", "e2", "e3", "e4", "e5"]),
            seed_sha256: seed_commitment(&seed),
        })
    };
    let error = case.refused("2025-08-11", commit(LotteryReason::AgreementDeadlinePassed));
    assert_refused(error, "agreement_window_open", "REF-19");
    let error = case.refused("2025-08-12", commission("e1"));
    assert_refused(error, "out_of_order", "REF-20");
    let committed = case.ok("2025-08-12", commit(LotteryReason::AgreementDeadlinePassed));
    assert!(cancelled(&committed, "agency_agreement"));
    assert!(committed.effects.iter().any(|effect| matches!(
        effect,
        Effect::Notify(Notice {
            audience: Audience::Parties,
            ..
        })
    )));
    let error = case.refused(
        "2025-08-12",
        Command::DrawAppraisalAgencies(DrawAppraisalAgencies {
            seed: hex::encode([0x5bu8; 32]),
        }),
    );
    assert_refused(error, "lottery_seed_mismatch", "REF-19");
    let drawn = case.ok(
        "2025-08-12",
        Command::DrawAppraisalAgencies(DrawAppraisalAgencies { seed: hex::encode(seed) }),
    );
    let order = draw(&seed, &names(&["e5", "e4", "e3", "e2", "e1"]), 3);
    assert_eq!(drawn.event.outcomes[1], Outcome::AgenciesSelected { agencies: order.clone() });
    // The recorded draw, fixed here so that any change to the algorithm shows (checked independently with a
    // ten-line Python script following the `lottery` module's description).
    assert_eq!(order, names(&["e4", "e5", "e1"]));
    let Stage::Appraisal(appraisal) = &case.state.stage else { panic!() };
    let AppraisalPhase::AwaitingCommission { selection, .. } = &appraisal.phase else {
        panic!()
    };
    let SelectionHow::Drawn { lottery } = &selection.how else {
        panic!()
    };
    assert_eq!(lottery.commitment.seed_sha256, seed_commitment(&seed));
    assert_eq!(lottery.commitment.candidates, names(&["e1", "e2", "e3", "e4", "e5"]));
    let error = case.refused("2025-08-13", commission("e5"));
    assert_refused(error, "agency_not_next_in_order", "REF-20");
    case.ok("2025-08-13", commission("e4"));
}

#[test]
fn ref_22_ref_23_appraisal_with_extensions_across_national_day_and_no_third() {
    let mut case = commissioned_appraisal(AssetKind::RealEstate, "2025-08-20", "2025-09-01");
    // REF-22: 30 days from 09-01 is 10-01, National Day 2025 (10-01..10-08): due 10-09.
    assert_eq!(case.due("appraisal_report:a1"), date("2025-10-09"));
    // REF-23: at least 5 days before the deadline, i.e. by 10-04.
    let error = case.refused(
        "2025-10-05",
        Command::RequestAppraisalExtension(RequestAppraisalExtension { days: 15 }),
    );
    assert_refused(error, "appraisal_extension_request_late", "REF-23");
    let error = case.refused(
        "2025-09-30",
        Command::RequestAppraisalExtension(RequestAppraisalExtension { days: 16 }),
    );
    assert_refused(error, "appraisal_extension_out_of_range", "REF-23");
    case.ok(
        "2025-09-30",
        Command::RequestAppraisalExtension(RequestAppraisalExtension { days: 15 }),
    );
    let granted = case.ok(
        "2025-09-30",
        Command::DecideAppraisalExtension(DecideAppraisalExtension { granted_days: Some(15) }),
    );
    // 15 days from the current last day 10-09 (the extension is not eaten by the National Day break): 10-24.
    assert!(granted.effects.iter().any(|effect| matches!(
        effect,
        Effect::RescheduleNode { key, due_date, .. } if key.0 == "appraisal_report:a1" && *due_date == date("2025-10-24")
    )));
    case.ok(
        "2025-10-10",
        Command::RequestAppraisalExtension(RequestAppraisalExtension { days: 10 }),
    );
    let error = case.refused(
        "2025-10-10",
        Command::DecideAppraisalExtension(DecideAppraisalExtension { granted_days: Some(11) }),
    );
    assert_refused(error, "extension_exceeds_request", "REF-23");
    case.ok(
        "2025-10-10",
        Command::DecideAppraisalExtension(DecideAppraisalExtension { granted_days: Some(10) }),
    );
    // 10 more days from 10-24: Monday 11-03.
    assert_eq!(case.due("appraisal_report:a1"), date("2025-11-03"));
    let error = case.refused(
        "2025-10-13",
        Command::RequestAppraisalExtension(RequestAppraisalExtension { days: 5 }),
    );
    assert_refused(error, "appraisal_extension_limit_reached", "REF-23");
    let reported = case.ok("2025-10-27", appraisal_report("3600000.00", 12));
    assert!(met(&reported, "appraisal_report:a1"));
    assert_eq!(created(&reported, "report_service"), (date("2025-10-30"), "REF-27"));
    serve_both(&mut case, "2025-10-28");
    // REF-28: objections within 5 days of 10-28, i.e. to 11-02, a Sunday: to Monday 11-03.
    let error = case.refused("2025-11-03", fix());
    assert_refused(error, "objection_window_open", "REF-28");
    case.ok("2025-11-04", fix());
    assert_eq!(case.price().amount, yuan("3600000.00"));
    assert_eq!(case.price().method, Method::Appraisal);
}

#[test]
fn ref_24_a_failed_agency_returns_the_materials_and_the_next_takes_over_then_q4_new_selection() {
    let mut case = commissioned_appraisal(AssetKind::Movable, "2024-08-26", "2024-09-02");
    // 30 days from 09-02 is 10-02, National Day 2024 (10-01..10-07): due 10-08.
    assert_eq!(case.due("appraisal_report:a1"), date("2024-10-08"));
    let error = case.refused("2024-10-08", failure(AgencyFailureReason::ReportOverdue));
    assert_refused(error, "agency_not_overdue", "REF-24");
    let error = case.refused("2024-10-09", appraisal_report("50000.00", 6));
    assert_refused(error, "appraisal_report_late", "REF-24");
    let failed = case.ok("2024-10-09", failure(AgencyFailureReason::ReportOverdue));
    assert!(cancelled(&failed, "appraisal_report:a1"));
    assert_eq!(created(&failed, "materials_return:a1"), (date("2024-10-12"), "REF-24"));
    let error = case.refused("2024-10-10", commission("a3"));
    assert_refused(error, "agency_not_next_in_order", "REF-20");
    case.ok("2024-10-10", commission("a2"));
    let returned = case.ok(
        "2024-10-11",
        Command::RecordMaterialsReturned(RecordMaterialsReturned { agency: "a1".into() }),
    );
    assert!(met(&returned, "materials_return:a1"));
    case.ok("2024-10-11", failure(AgencyFailureReason::Declined));
    case.ok("2024-10-14", commission("a3"));
    let third = case.ok("2024-10-15", failure(AgencyFailureReason::Declined));
    assert!(matches!(
        &third.event.outcomes[..],
        [
            Outcome::AgencyFailed { next_agency: None, .. },
            Outcome::NewSelectionRequired { round: 2 }
        ]
    ));
    let Stage::Appraisal(appraisal) = &case.state.stage else { panic!() };
    assert_eq!(appraisal.round, 2);
    // Q4: the failed agencies are out of the new selection.
    let error = case.refused("2024-10-16", agreed(&["a1", "b2", "b3"]));
    assert_refused(error, "agency_already_failed", "REF-24");
    let error = case.refused(
        "2024-10-16",
        Command::CommitAgencyLottery(CommitAgencyLottery {
            reason: LotteryReason::NewSelection,
            sub_list: "movables".into(),
            candidates: names(&["a1", "a2", "a3", "b1", "b2"]),
            seed_sha256: seed_commitment(&[1; 32]),
        }),
    );
    assert_refused(error, "sub_list_too_small", "REF-19");
    case.ok("2024-10-16", agreed(&["b1", "b2", "b3"]));
    case.ok("2024-10-16", commission("b1"));
}

#[test]
fn ref_26_the_court_sends_the_report_back_before_serving_it() {
    let mut case = commissioned_appraisal(AssetKind::RealEstate, "2025-03-03", "2025-03-10");
    case.ok("2025-04-01", appraisal_report("2000000.00", 12));
    let sent_back = case.ok(
        "2025-04-02",
        Command::RequestReportCorrection(RequestReportCorrection {
            findings: vec![ReviewFinding::WrongScope],
        }),
    );
    assert!(cancelled(&sent_back, "report_service"));
    assert_eq!(created(&sent_back, "agency_correction:a1"), (date("2025-04-07"), "REF-26"));
    // 04-05 is Saturday and 04-04..04-06 the Qingming break 2025: due Monday 04-07.
    case.ok("2025-04-07", appraisal_report("1900000.00", 12));
    case.ok("2025-04-08", serve("applicant", ServiceMeans::Delivered));
    let error = case.refused(
        "2025-04-08",
        Command::RequestReportCorrection(RequestReportCorrection {
            findings: vec![ReviewFinding::Other],
        }),
    );
    assert_refused(error, "report_already_served", "REF-26");
}

// --- REF-27 … REF-32: objections ---------------------------------------------------------------------------------

/// An appraisal report of 1,000,000.00 received on 2025-05-06 and served on both parties on 05-07.
fn reviewed_appraisal() -> Case {
    let mut case = commissioned_appraisal(AssetKind::RealEstate, "2025-03-24", "2025-04-01");
    case.ok("2025-05-06", appraisal_report("1000000.00", 12));
    serve_both(&mut case, "2025-05-07");
    case
}

#[test]
fn ref_28_ref_32_an_upheld_objection_on_the_facts_makes_the_corrected_result_the_price() {
    let mut case = reviewed_appraisal();
    let filed = case.ok(
        "2025-05-09",
        objection("debtor", ObjectionTarget::AppraisalReport, &[ObjectionGround::WrongBasicFacts]),
    );
    // REF-28: decided within 15 days of 05-09: 05-24 is a Saturday, so 05-26.
    assert_eq!(created(&filed, "objection_decision:1"), (date("2025-05-26"), "REF-28"));
    let decided = case.ok(
        "2025-05-20",
        Command::DecideObjection(DecideObjection {
            objection: 1,
            upheld: true,
        }),
    );
    assert!(met(&decided, "objection_decision:1"));
    assert_eq!(created(&decided, "objection_correction:1"), (date("2025-05-23"), "REF-32"));
    let error = case.refused("2025-05-21", fix());
    assert_refused(error, "objections_pending", "REF-28");
    case.ok(
        "2025-05-22",
        Command::RecordCorrectedResult(RecordCorrectedResult {
            objection: 1,
            amount: yuan("950000.00"),
        }),
    );
    // REF-30: no objection against the correction.
    let error = case.refused(
        "2025-05-22",
        objection("debtor", ObjectionTarget::Correction, &[ObjectionGround::WrongBasicFacts]),
    );
    assert_refused(error, "objection_against_conclusion", "REF-30");
    case.ok("2025-05-22", fix());
    assert_eq!(case.price().amount, yuan("950000.00"));
}

#[test]
fn ref_29_ref_32_a_method_objection_goes_to_the_agency_then_the_industry_review() {
    let mut case = reviewed_appraisal();
    let filed = case.ok(
        "2025-05-08",
        objection("applicant", ObjectionTarget::AppraisalReport, &[ObjectionGround::CalculationMethod]),
    );
    assert_eq!(created(&filed, "objection_forwarding:1"), (date("2025-05-12"), "REF-29"));
    let forwarded = case.ok("2025-05-09", Command::ForwardObjection(ForwardObjection { objection: 1 }));
    assert_eq!(created(&forwarded, "agency_explanation:1"), (date("2025-05-14"), "REF-29"));
    let error = case.refused(
        "2025-05-14",
        Command::ReferToIndustryReview(ReferToIndustryReview {
            objection: 1,
            deadline: date("2025-06-13"),
        }),
    );
    assert_refused(error, "explanation_not_overdue", "REF-29");
    // No explanation by 05-14: the court refers it to the industry association.
    let referred = case.ok(
        "2025-05-15",
        Command::ReferToIndustryReview(ReferToIndustryReview {
            objection: 1,
            deadline: date("2025-06-14"),
        }),
    );
    assert!(cancelled(&referred, "agency_explanation:1"));
    // The court's deadline 06-14 is a Saturday: 06-16.
    assert_eq!(created(&referred, "industry_review:1"), (date("2025-06-16"), "REF-29"));
    case.ok(
        "2025-06-10",
        Command::RecordIndustryReview(RecordIndustryReview {
            objection: 1,
            correction_ordered: false,
        }),
    );
    case.ok("2025-06-10", fix());
    // REF-32: the review reached no negative conclusion, so the original result stands.
    assert_eq!(case.price().amount, yuan("1000000.00"));
}

#[test]
fn ref_29_an_upheld_objection_on_the_agencys_qualification_moves_to_the_next_agency() {
    let mut case = reviewed_appraisal();
    case.ok(
        "2025-05-08",
        objection("debtor", ObjectionTarget::AppraisalReport, &[ObjectionGround::AgencyNotQualified]),
    );
    let decided = case.ok(
        "2025-05-12",
        Command::DecideObjection(DecideObjection {
            objection: 1,
            upheld: true,
        }),
    );
    assert_eq!(created(&decided, "materials_return:a1"), (date("2025-05-15"), "REF-24"));
    assert!(matches!(
        &decided.event.outcomes[..],
        [Outcome::ObjectionStep { .. }, Outcome::AgencyFailed { next_agency: Some(next), .. }] if next == "a2"
    ));
    case.ok("2025-05-13", commission("a2"));
}

#[test]
fn ref_30_an_objection_on_day_six_is_refused_but_a_posted_one_counts_from_its_postmark() {
    let mut case = reviewed_appraisal();
    // Served 05-07: objections to 05-12 (day 5). Day 6 is refused.
    let error = case.refused(
        "2025-05-13",
        objection("debtor", ObjectionTarget::AppraisalReport, &[ObjectionGround::WrongScope]),
    );
    assert_refused(error, "objection_late", "REF-30");
    // PER-7: posted on 05-12, received 05-13: on time.
    case.ok(
        "2025-05-13",
        Command::FileObjection(FileObjection {
            objector: "applicant".into(),
            target: ObjectionTarget::AppraisalReport,
            grounds: vec![ObjectionGround::WrongScope],
            postmarked_on: Some(date("2025-05-12")),
        }),
    );
    let error = case.refused(
        "2025-05-13",
        objection("stranger", ObjectionTarget::AppraisalReport, &[ObjectionGround::WrongScope]),
    );
    assert_refused(error, "unknown_recipient", "REF-28");
}

// --- REF-31, REF-33, REF-34, REF-35, REF-36 ----------------------------------------------------------------------

#[test]
fn ref_33_ref_25_validity_lapses_and_the_original_agency_reissues() {
    let mut case = reviewed_appraisal();
    case.ok("2025-05-13", fix());
    // Valid 12 months from the report of 2025-05-06.
    assert_eq!(case.price().validity_ends_on, date("2026-05-06"));
    let error = case.refused("2026-05-06", Command::LapseValidity(LapseValidity {}));
    assert_refused(error, "reference_price_still_valid", "REF-33");
    let error = case.refused(
        "2026-05-07",
        Command::RecordDisposalStart(RecordDisposalStart {
            kind: DisposalKind::FirstAuctionAnnouncement,
        }),
    );
    assert_refused(error, "reference_price_expired", "REF-33");
    let lapsed = case.ok("2026-05-07", Command::LapseValidity(LapseValidity {}));
    assert!(cancelled(&lapsed, "validity"));
    // REF-25: 15 days from 05-07 is 05-22.
    assert_eq!(created(&lapsed, "agency_reissue:a1"), (date("2026-05-22"), "REF-25"));
    assert_eq!(
        lapsed.event.outcomes,
        vec![Outcome::ValidityLapsed {
            reissue_due: Some(date("2026-05-22"))
        }]
    );
    case.ok("2026-05-20", appraisal_report("980000.00", 12));
    serve_both(&mut case, "2026-05-20");
    case.ok("2026-05-26", fix());
    assert_eq!(case.price().amount, yuan("980000.00"));
    assert!(case.price().reissued);
    assert_eq!(case.price().validity_ends_on, date("2027-05-20"));
}

#[test]
fn ref_33_ref_14_an_online_price_lapses_and_the_platforms_reissue_within_three_days() {
    let (mut case, _) = online_case("2024-09-02", "2024-09-09");
    case.ok("2024-09-10", report("jd", "400000.00", 1));
    case.ok("2024-09-10", report("taobao", "420000.00", 1));
    // gpai never reports; its period ends 09-12.
    case.ok("2024-09-13", close(&[]));
    serve_both(&mut case, "2024-09-13");
    case.ok("2024-09-19", fix());
    // One month from 09-10 is 10-10.
    assert_eq!(case.price().validity_ends_on, date("2024-10-10"));
    let lapsed = case.ok("2024-10-11", Command::LapseValidity(LapseValidity {}));
    // REF-14: 3 days from 10-11 is 10-14 (Monday).
    assert_eq!(created(&lapsed, "platform_reissue:jd"), (date("2024-10-14"), "REF-14"));
    assert_eq!(created(&lapsed, "platform_reissue:taobao"), (date("2024-10-14"), "REF-14"));
    assert!(!lapsed
        .effects
        .iter()
        .any(|effect| matches!(effect, Effect::CreateNode { key, .. } if key.0.ends_with("gpai"))));
    let error = case.refused(
        "2024-10-12",
        Command::RequestPlatformExtension(RequestPlatformExtension { platform: "jd".into() }),
    );
    assert_refused(error, "out_of_order", "REF-12");
    case.ok("2024-10-12", report("jd", "390000.00", 6));
    case.ok("2024-10-14", report("taobao", "410000.00", 6));
    case.ok("2024-10-14", close(&[]));
    serve_both(&mut case, "2024-10-15");
    // Objections to 10-20, a Sunday: to Monday 10-21.
    case.ok("2024-10-22", fix());
    assert_eq!(case.price().amount, yuan("400000.00"));
    assert!(case.price().reissued);
}

#[test]
fn ref_36_ref_33_ref_31_disposal_start_meets_the_nodes_and_closes_supervision_objections() {
    let mut case = reviewed_appraisal();
    case.ok("2025-05-13", fix());
    case.ok(
        "2025-05-14",
        Command::FileSupervisionObjection(FileSupervisionObjection {
            objector: "debtor".into(),
            ground: SupervisionGround::ObjectionHandlingClearlyWrong,
        }),
    );
    case.ok(
        "2025-05-16",
        Command::DecideSupervisionObjection(DecideSupervisionObjection {
            objection: 1,
            upheld: false,
        }),
    );
    let started = case.ok(
        "2025-05-20",
        Command::RecordDisposalStart(RecordDisposalStart {
            kind: DisposalKind::FirstAuctionAnnouncement,
        }),
    );
    assert!(met(&started, "disposal_start"));
    assert!(met(&started, "validity"));
    let error = case.refused(
        "2025-05-21",
        Command::FileSupervisionObjection(FileSupervisionObjection {
            objector: "debtor".into(),
            ground: SupervisionGround::ObjectionHandlingClearlyWrong,
        }),
    );
    assert_refused(error, "supervision_objection_closed", "REF-31");
    let sold = case.ok("2025-06-20", Command::RecordSaleStart(RecordSaleStart {}));
    assert!(met(&sold, "sale_grace"));
    assert!(case.nodes.is_empty());
    assert!(!case.price().needs_new_reference_price(Some(date("2025-05-20")), date("2025-06-20")));
}

#[test]
fn ref_34_suspension_pauses_the_appraisal_deadline_and_adds_the_days_back() {
    let mut case = commissioned_appraisal(AssetKind::RealEstate, "2024-08-26", "2024-09-02");
    assert_eq!(case.due("appraisal_report:a1"), date("2024-10-08"));
    let suspended = case.ok(
        "2024-09-10",
        Command::Suspend(Suspend {
            ground: SuspensionGround::ExecutionSuspended,
        }),
    );
    assert_eq!(
        suspended.effects,
        vec![Effect::PauseNode {
            key: NodeKey("appraisal_report:a1".into())
        }]
    );
    let error = case.refused("2024-09-12", appraisal_report("100.00", 6));
    assert_refused(error, "out_of_order", "REF-22");
    let resumed = case.ok("2024-09-20", Command::Resume(Resume {}));
    // REF-22: 30 + 10 suspended days from 09-02 is 10-12, a make-up working Saturday (HOL-2024).
    assert!(matches!(
        &resumed.effects[..],
        [Effect::ResumeNode { key, due_date, paused_days: 10, .. }] if key.0 == "appraisal_report:a1" && *due_date == date("2024-10-12")
    ));
}

#[test]
fn ref_24_ref_35_a_withdrawal_does_not_cancel_the_materials_a_replaced_agency_still_owes() {
    let mut case = commissioned_appraisal(AssetKind::Movable, "2024-08-26", "2024-09-02");
    case.ok("2024-10-09", failure(AgencyFailureReason::ReportOverdue));
    assert_eq!(case.due("materials_return:a1"), date("2024-10-12"));
    let withdrawn = case.ok(
        "2024-10-10",
        Command::Withdraw(Withdraw {
            ground: WithdrawalGround::ObligationPerformed,
        }),
    );
    assert!(!cancelled(&withdrawn, "materials_return:a1"));
    assert_eq!(case.state.stage.name(), "withdrawn");
    // The node stays open with its date, and the return is recorded after the withdrawal.
    assert_eq!(case.due("materials_return:a1"), date("2024-10-12"));
    let returned = case.ok(
        "2024-10-11",
        Command::RecordMaterialsReturned(RecordMaterialsReturned { agency: "a1".into() }),
    );
    assert!(met(&returned, "materials_return:a1"));
    assert!(case.nodes.is_empty());
    let error = case.refused(
        "2024-10-12",
        Command::RecordMaterialsReturned(RecordMaterialsReturned { agency: "a1".into() }),
    );
    assert_refused(error, "out_of_order", "REF-24");
}

#[test]
fn ref_35_withdrawal_cancels_every_running_deadline_or_fixes_an_agreed_price() {
    let (mut case, _) = online_case("2025-06-02", "2025-06-09");
    let error = case.refused(
        "2025-06-10",
        Command::Withdraw(Withdraw {
            ground: WithdrawalGround::Other { reason: "".into() },
        }),
    );
    assert_refused(error, "name_missing", "REF-35");
    let mut agreed_case = Case {
        state: case.state.clone(),
        calendar: case.calendar.clone(),
        nodes: case.nodes.clone(),
    };
    let withdrawn = case.ok(
        "2025-06-10",
        Command::Withdraw(Withdraw {
            ground: WithdrawalGround::ObligationPerformed,
        }),
    );
    for platform in ["jd", "taobao", "gpai"] {
        assert!(cancelled(&withdrawn, &format!("platform_report:{platform}")));
    }
    assert_eq!(case.state.stage.name(), "withdrawn");
    let error = case.refused("2025-06-11", report("jd", "1.00", 1));
    assert_refused(error, "out_of_order", "REF-10");
    // REF-35 ¶2: the parties agree a price after the inquiry was ordered; it becomes the reference price.
    agreed_case.ok(
        "2025-06-10",
        Command::Withdraw(Withdraw {
            ground: WithdrawalGround::PartiesAgreedPrice {
                amount: yuan("650000.00"),
                validity_months: 12,
            },
        }),
    );
    assert_eq!(agreed_case.price().amount, yuan("650000.00"));
}

// --- REF-37 and refusals of order --------------------------------------------------------------------------------

#[test]
fn ref_37_appraisal_is_mandatory_when_the_law_requires_it_and_joint_requests_skip_ahead() {
    let mut facts = asset(AssetKind::Equity, "2025-02-10");
    facts.appraisal_required_by_law = true;
    let case = Case::ready(facts, "2025-02-17");
    let error = case.refused(
        "2025-02-17",
        Command::OpenNegotiation(OpenNegotiation {
            deadline: date("2025-02-27"),
        }),
    );
    assert_refused(error, "appraisal_required_by_law", "REF-17");
    assert_eq!(case.state.next_methods(), vec![Method::Appraisal]);
    let mut onsite = asset(AssetKind::Movable, "2025-02-10");
    onsite.needs_onsite_inspection = true;
    let case = Case::ready(onsite, "2025-02-17");
    let error = case.refused("2025-02-17", send_online(Basis::JointRequest, &["jd"]));
    assert_refused(error, "method_not_applicable", "REF-8");
    let error = case.refused("2025-02-17", open_appraisal(Basis::FallThrough, "2025-02-27"));
    assert_refused(error, "method_out_of_order", "REF-37");
    let mut case = Case::ready(asset(AssetKind::RealEstate, "2025-02-10"), "2025-02-17");
    // No official price: a joint request goes straight to online inquiry.
    let error = case.refused("2025-02-17", send_online(Basis::FallThrough, &["jd"]));
    assert_refused(error, "method_out_of_order", "REF-37");
    case.ok("2025-02-17", send_online(Basis::JointRequest, &["jd"]));
}

#[test]
fn out_of_order_commands_are_refused_with_their_rule_and_change_nothing() {
    let mut case = Case::ready(asset(AssetKind::RealEstate, "2025-02-10"), "2025-02-17");
    let before = case.state.clone();
    // A platform report before the request (REF-10).
    let error = case.refused("2025-02-18", report("jd", "100000.00", 12));
    assert_refused(error, "out_of_order", "REF-10");
    // An objection with no report under review (REF-28).
    let error = case.refused(
        "2025-02-18",
        objection("debtor", ObjectionTarget::AppraisalReport, &[ObjectionGround::WrongScope]),
    );
    assert_refused(error, "out_of_order", "REF-28");
    // A fix with nothing to fix (REF-32), an extension with no agency (REF-23).
    assert_refused(case.refused("2025-02-18", fix()), "out_of_order", "REF-32");
    let error = case.refused(
        "2025-02-18",
        Command::RequestAppraisalExtension(RequestAppraisalExtension { days: 5 }),
    );
    assert_refused(error, "out_of_order", "REF-23");
    assert_eq!(case.state, before, "refused commands leave the lifecycle as it was");
    // A date before the last event.
    case.ok("2025-02-18", send_online(Basis::JointRequest, &["jd", "jd2"]));
    let error = case.refused("2025-02-17", report("jd", "100000.00", 12));
    assert_refused(error, "date_before_last_event", "DESIGN");
    let error = case.refused("2025-02-18", report("jd", "0.00", 12));
    assert_refused(error, "amount_not_positive", "REF-11");
    let error = case.refused("2025-02-18", report("jd", "1.00", 13));
    assert_refused(error, "validity_out_of_range", "REF-33");
    let error = case.refused("2025-02-18", send_online(Basis::JointRequest, &["jd"]));
    assert_refused(error, "out_of_order", "REF-37");
    let error = Valuation::start(
        StartValuation {
            asset: asset(AssetKind::RealEstate, "2025-02-10"),
            recipients: names(&["applicant", "applicant"]),
        },
        date("2025-02-11"),
        &Calendar::embedded(),
    )
    .unwrap_err();
    assert_refused(error, "recipient_invalid", "REF-27");
    let error = before
        .clone()
        .apply(send_online(Basis::JointRequest, &["jd", "jd"]), date("2025-02-18"), &case.calendar)
        .unwrap_err();
    assert_refused(error, "platform_listed_twice", "REF-10");
    let error = before
        .apply(send_online(Basis::JointRequest, &[]), date("2025-02-18"), &case.calendar)
        .unwrap_err();
    assert_refused(error, "platform_register_empty", "REF-10");
}

#[test]
fn every_refusal_has_a_snake_case_code_and_a_rule() {
    let samples = [
        ValuationError::AssetNotForSale,
        ValuationError::OnlineExtensionDeniedSomeDelivered { delivered: vec![] },
        ValuationError::AppraisalExtensionLimitReached,
        ValuationError::ObjectionLate { due: date("2025-01-01") },
        ValuationError::out_of_order("x", "y", "REF-10"),
    ];
    for error in samples {
        assert!(error.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", error.code());
        assert!(error.rule().starts_with("REF-") || error.rule() == "DESIGN" || error.rule().starts_with("PER-"));
        assert!(!error.to_string().is_empty());
    }
}

/// `code()` and `rule()` are exhaustive matches, so the compiler already gives every variant a code and a rule; this
/// reads the source to check all of them at once: one distinct snake_case code per variant, and every rule literal
/// (in `rule()` and at every call site that passes a rule) names a REF or PER rule, or DESIGN.
#[test]
fn every_variant_has_a_distinct_snake_case_code_and_every_cited_rule_exists() {
    let source = include_str!("error.rs");
    let enum_body = &source[source.find("pub enum ValuationError {").unwrap()..];
    let enum_body = &enum_body[..enum_body.find("\n}").unwrap()];
    let variants: Vec<&str> = enum_body
        .lines()
        .filter_map(|line| line.strip_prefix("    "))
        .filter(|line| line.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|line| line.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap())
        .collect();
    let code_body = &source[source.find("pub fn code(&self)").unwrap()..source.find("pub fn rule(&self)").unwrap()];
    let codes: Vec<&str> = code_body
        .split("=> \"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(variants.len() > 70, "found {} variants", variants.len());
    assert_eq!(codes.len(), variants.len(), "one code per variant");
    let distinct: BTreeSet<&str> = codes.iter().copied().collect();
    assert_eq!(distinct.len(), codes.len(), "codes are distinct");
    for code in &codes {
        assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
    }
    let known_rule = |rule: &str| {
        rule == "DESIGN"
            || rule
                .strip_prefix("REF-")
                .and_then(|number| number.parse::<u32>().ok())
                .is_some_and(|number| (1..=46).contains(&number))
            || rule.strip_prefix("PER-").is_some_and(|number| number.parse::<u32>().is_ok())
    };
    let sources = [
        source,
        include_str!("appraisal.rs"),
        include_str!("negotiation.rs"),
        include_str!("online.rs"),
        include_str!("price.rs"),
        include_str!("procedure.rs"),
        include_str!("review.rs"),
    ];
    let mut cited = 0;
    for text in sources {
        for literal in text.split('"').skip(1).step_by(2) {
            if literal.len() < 8 && (literal.starts_with("REF-") || literal.starts_with("PER-")) {
                assert!(known_rule(literal), "unknown rule {literal}");
                cited += 1;
            }
        }
    }
    assert!(cited > 50, "only {cited} rule literals found");
}

#[test]
fn ref_12_a_granted_extension_counts_from_the_last_day_so_national_day_does_not_swallow_it() {
    let (mut case, _) = online_case("2025-09-20", "2025-09-30");
    // REF-11: 3 days from 09-30 is 10-03, in the National Day break (2025-10-01..10-08): due 10-09.
    assert_eq!(case.due("platform_report:jd"), date("2025-10-09"));
    case.ok(
        "2025-10-09",
        Command::RequestPlatformExtension(RequestPlatformExtension { platform: "jd".into() }),
    );
    case.ok("2025-10-10", Command::DecidePlatformExtensions(DecidePlatformExtensions {}));
    // REF-12: 3 more days from 10-09 is Sunday 10-12: due Monday 10-13 — not 10-09 again.
    assert_eq!(case.due("platform_report:jd"), date("2025-10-13"));
}

#[test]
fn ref_34_ref_28_a_suspension_during_the_objection_period_does_not_take_the_right_to_object() {
    let mut case = reviewed_appraisal();
    // Served 05-07: objections until 05-12. Suspended 05-08 to 05-20 (12 days).
    case.ok(
        "2025-05-08",
        Command::Suspend(Suspend {
            ground: SuspensionGround::ExecutionSuspended,
        }),
    );
    case.ok("2025-05-20", Command::Resume(Resume {}));
    // 12 more days from 05-12 is Saturday 05-24: objections until Monday 05-26, so one on 05-21 is in time.
    case.ok(
        "2025-05-21",
        objection("debtor", ObjectionTarget::AppraisalReport, &[ObjectionGround::WrongBasicFacts]),
    );
}
