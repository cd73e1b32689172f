//! Property tests of the lifecycle (issue 3, "Done when"):
//!
//! - for any sequence of commands, the accepted ones keep every invariant (the nodes the effects leave open are
//!   exactly the open limits; the state survives its JSON round trip; the event names the new stage), the refused
//!   ones fail with a documented code and rule and never panic; and from wherever the sequence ends, a driver that
//!   only issues valid commands reaches a reference price or the documented dead end (withdrawal) — so no stage is a
//!   trap;
//! - an averaged price always lies between the lowest and the highest result it averages.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::tests::{apply_node_effects, date, names, open_nodes_of, precheck, StoredNode};
use super::*;
use crate::registry::AssetKind;

/// The seeds the generated lotteries commit to; the driver reveals the one that matches.
const SEEDS: [[u8; 32]; 3] = [[1; 32], [2; 32], [3; 32]];
const PLATFORMS: [&str; 4] = ["p1", "p2", "p3", "px"];
const AGENCIES: [&str; 6] = ["a1", "a2", "a3", "a4", "a5", "a6"];
const RECIPIENTS: [&str; 3] = ["applicant", "debtor", "stranger"];
const AMOUNTS_FEN: [i64; 5] = [10_000_000, 10_000_001, 12_345_678, 9_999_999, 0];

/// A deterministic pick from a list by a generated number.
fn pick<T: Clone>(list: &[T], param: u32) -> T {
    list[param as usize % list.len()].clone()
}

fn amount(param: u32) -> Money {
    Money::from_fen(pick(&AMOUNTS_FEN, param))
}

fn grounds(param: u32) -> Vec<ObjectionGround> {
    let all = [
        ObjectionGround::WrongBasicFacts,
        ObjectionGround::WrongScope,
        ObjectionGround::AgencyNotQualified,
        ObjectionGround::ProcedureSeriouslyUnlawful,
        ObjectionGround::ReferenceStandard,
        ObjectionGround::CalculationMethod,
        ObjectionGround::AppraisalResult,
    ];
    (0..all.len())
        .filter(|index| param >> index & 1 == 1)
        .map(|index| all[index])
        .collect()
}

fn basis(param: u32) -> Basis {
    if param.is_multiple_of(3) {
        Basis::JointRequest
    } else {
        Basis::FallThrough
    }
}

fn later(today: NaiveDate, days: u32) -> NaiveDate {
    today + Days::new(days.into())
}

/// Commands worth trying in this stage, with generated parameters (many of them invalid on purpose), plus the
/// commands that are possible in any stage.
fn plausible_commands(state: &Valuation, today: NaiveDate, param: u32) -> Vec<Command> {
    let p = |shift: u32| param.rotate_right(shift);
    let mut commands = vec![
        Command::Suspend(Suspend {
            ground: SuspensionGround::ExecutionStayed,
        }),
        Command::Resume(Resume {}),
        Command::ServeReport(ServeReport {
            recipient: pick(&RECIPIENTS, p(3)).to_string(),
            means: if param.is_multiple_of(2) {
                ServiceMeans::Delivered
            } else {
                ServiceMeans::Published
            },
        }),
        Command::FixReferencePrice(FixReferencePrice {}),
    ];
    if param.is_multiple_of(40) {
        commands.push(Command::Withdraw(Withdraw {
            ground: if param.is_multiple_of(80) {
                WithdrawalGround::ObligationPerformed
            } else {
                WithdrawalGround::PartiesAgreedPrice {
                    amount: amount(p(5)),
                    validity_months: 1 + p(2) % 13,
                }
            },
        }));
    }
    let objection_target = |param: u32| match param % 4 {
        0 => ObjectionTarget::AppraisalReport,
        1 => ObjectionTarget::Correction,
        _ => ObjectionTarget::OnlineReport {
            platform: pick(&PLATFORMS, param / 4).to_string(),
        },
    };
    let review_commands = |commands: &mut Vec<Command>| {
        let id = 1 + p(7) % 4;
        commands.extend([
            Command::FileObjection(FileObjection {
                objector: pick(&RECIPIENTS, p(9)).to_string(),
                target: objection_target(p(11)),
                grounds: grounds(p(13)),
                postmarked_on: if param.is_multiple_of(5) {
                    Some(today - Days::new(2))
                } else {
                    None
                },
            }),
            Command::DecideObjection(DecideObjection {
                objection: id,
                upheld: param.is_multiple_of(3),
            }),
            Command::ForwardObjection(ForwardObjection { objection: id }),
            Command::RecordAgencyExplanation(RecordAgencyExplanation {
                objection: id,
                objector_accepts: param.is_multiple_of(2),
            }),
            Command::ReferToIndustryReview(ReferToIndustryReview {
                objection: id,
                deadline: later(today, 1 + p(4) % 20),
            }),
            Command::RecordIndustryReview(RecordIndustryReview {
                objection: id,
                correction_ordered: param % 2 == 1,
            }),
            Command::RecordCorrectedResult(RecordCorrectedResult {
                objection: id,
                amount: amount(p(6)),
            }),
        ]);
    };
    match &state.stage {
        Stage::ChoosingMethod => commands.extend([
            Command::RecordPrecheck(RecordPrecheck { precheck: precheck() }),
            Command::RecordNegotiationImpossible(RecordNegotiationImpossible {
                reason: NegotiationImpossible::PartyRefuses,
            }),
            Command::OpenNegotiation(OpenNegotiation {
                deadline: later(today, p(3) % 20),
            }),
            Command::OpenDirectedInquiry(OpenDirectedInquiry {
                basis: basis(p(5)),
                institution: "tax bureau".into(),
                deadline: later(today, 1 + p(3) % 20),
            }),
            Command::SendOnlineInquiry(SendOnlineInquiry {
                basis: basis(p(5)),
                register: PLATFORMS[..1 + p(7) as usize % 3].iter().map(|name| name.to_string()).collect(),
            }),
            Command::OpenAppraisal(OpenAppraisal {
                basis: basis(p(5)),
                agreement_deadline: later(today, 1 + p(3) % 20),
            }),
        ]),
        Stage::Negotiation(_) => {
            let price = |param: u32| {
                if param.is_multiple_of(4) {
                    None
                } else {
                    Some(Money::from_fen(pick(&AMOUNTS_FEN[..2], param)))
                }
            };
            commands.push(Command::RecordNegotiationResult(RecordNegotiationResult {
                applicant_price: price(p(3)),
                debtor_price: price(p(5)),
                validity_months: 1 + p(7) % 12,
                harms_third_parties: param.is_multiple_of(9),
            }));
        }
        Stage::DirectedInquiry(_) => commands.push(Command::RecordDirectedResult(RecordDirectedResult {
            result: if param.is_multiple_of(4) {
                DirectedResult::NoPrice
            } else {
                DirectedResult::Price {
                    amount: amount(p(3)),
                    validity_months: 1 + p(5) % 12,
                }
            },
        })),
        Stage::OnlineInquiry(_) => {
            commands.extend([
                Command::RecordPlatformReport(RecordPlatformReport {
                    platform: pick(&PLATFORMS, p(3)).to_string(),
                    amount: amount(p(5)),
                    validity_months: 1 + p(7) % 12,
                }),
                Command::RecordPlatformReport(RecordPlatformReport {
                    platform: pick(&PLATFORMS, p(9)).to_string(),
                    amount: Money::from_fen(1_000_000 + i64::from(p(11) % 1_000_000)),
                    validity_months: 12,
                }),
                Command::RequestPlatformExtension(RequestPlatformExtension {
                    platform: pick(&PLATFORMS, p(3)).to_string(),
                }),
                Command::DecidePlatformExtensions(DecidePlatformExtensions {}),
                Command::CloseOnlineInquiryWindow(CloseOnlineInquiryWindow {
                    defective: PLATFORMS
                        .iter()
                        .enumerate()
                        .filter(|(index, _)| p(13) >> index & 1 == 1 && param.is_multiple_of(3))
                        .map(|(_, name)| name.to_string())
                        .collect(),
                }),
            ]);
            review_commands(&mut commands);
        }
        Stage::Appraisal(_) => {
            commands.extend([
                Command::RecordAgreedAgencies(RecordAgreedAgencies {
                    agencies: (0..3).map(|index| pick(&AGENCIES, p(3 + index * 3))).map(str::to_string).collect(),
                }),
                Command::CommitAgencyLottery(CommitAgencyLottery {
                    reason: pick(
                        &[
                            LotteryReason::AgreementDeadlinePassed,
                            LotteryReason::PartiesDisagree,
                            LotteryReason::PartyMissing,
                            LotteryReason::JointRequest,
                            LotteryReason::NewSelection,
                        ],
                        p(5),
                    ),
                    sub_list: "sub-list".into(),
                    candidates: AGENCIES[..3 + p(7) as usize % 4].iter().map(|name| name.to_string()).collect(),
                    seed_sha256: seed_commitment(&pick(&SEEDS, p(9))),
                }),
                Command::DrawAppraisalAgencies(DrawAppraisalAgencies {
                    seed: hex::encode(pick(&SEEDS, p(9))),
                }),
                Command::CommissionAgency(CommissionAgency {
                    agency: pick(&AGENCIES, p(3)).to_string(),
                }),
                Command::RequestAppraisalExtension(RequestAppraisalExtension { days: p(3) % 17 }),
                Command::DecideAppraisalExtension(DecideAppraisalExtension {
                    granted_days: if param.is_multiple_of(3) { None } else { Some(1 + p(5) % 15) },
                }),
                Command::RecordAppraisalReport(RecordAppraisalReport {
                    amount: amount(p(5)),
                    validity_months: 1 + p(7) % 12,
                }),
                Command::RequestReportCorrection(RequestReportCorrection {
                    findings: vec![ReviewFinding::WrongBasicFacts],
                }),
                Command::RecordAgencyFailure(RecordAgencyFailure {
                    reason: pick(
                        &[
                            AgencyFailureReason::Declined,
                            AgencyFailureReason::ReportOverdue,
                            AgencyFailureReason::CorrectionOverdue,
                            AgencyFailureReason::ReissueOverdue,
                            AgencyFailureReason::ObjectionUpheld,
                        ],
                        p(5),
                    ),
                }),
                Command::RecordMaterialsReturned(RecordMaterialsReturned {
                    agency: pick(&AGENCIES, p(3)).to_string(),
                }),
            ]);
            review_commands(&mut commands);
        }
        Stage::Suspended(_) => {}
        Stage::Fixed(_) => commands.extend([
            Command::RecordDisposalStart(RecordDisposalStart {
                kind: DisposalKind::FirstAuctionAnnouncement,
            }),
            Command::RecordSaleStart(RecordSaleStart {}),
            Command::FileSupervisionObjection(FileSupervisionObjection {
                objector: pick(&RECIPIENTS, p(3)).to_string(),
                ground: SupervisionGround::CollusionHarmingOthers,
            }),
            Command::DecideSupervisionObjection(DecideSupervisionObjection {
                objection: 1 + p(5) % 4,
                upheld: param.is_multiple_of(4),
            }),
            Command::LapseValidity(LapseValidity {}),
            Command::FileObjection(FileObjection {
                objector: "debtor".into(),
                target: ObjectionTarget::AppraisalReport,
                grounds: vec![ObjectionGround::WrongScope],
                postmarked_on: None,
            }),
        ]),
        Stage::Withdrawn(_) => commands.push(Command::Start(StartValuation {
            asset: state.asset.clone(),
            recipients: names(&["applicant"]),
        })),
    }
    commands
}

/// The next valid step towards a price: a date (never before `today`) and a command. `None` once the lifecycle is
/// fixed or withdrawn. Every stage and phase has an answer, which is what makes none of them a trap.
fn next_step(state: &Valuation, today: NaiveDate) -> Option<(NaiveDate, Command)> {
    let after = |due: NaiveDate| (due + Days::new(1)).max(today);
    let step = |command: Command| Some((today, command));
    match &state.stage {
        Stage::Fixed(_) | Stage::Withdrawn(_) => None,
        Stage::Suspended(_) => step(Command::Resume(Resume {})),
        Stage::ChoosingMethod => {
            if state.precheck.is_none() {
                return step(Command::RecordPrecheck(RecordPrecheck { precheck: precheck() }));
            }
            let method = *state
                .next_methods()
                .first()
                .expect("a method is always open after a failure (REF-37)");
            step(match method {
                Method::Negotiation => Command::OpenNegotiation(OpenNegotiation {
                    deadline: later(today, 10),
                }),
                Method::DirectedInquiry => Command::OpenDirectedInquiry(OpenDirectedInquiry {
                    basis: Basis::FallThrough,
                    institution: "tax bureau".into(),
                    deadline: later(today, 10),
                }),
                Method::OnlineInquiry => Command::SendOnlineInquiry(SendOnlineInquiry {
                    basis: Basis::FallThrough,
                    register: names(&["p1", "p2", "p3"]),
                }),
                Method::Appraisal => Command::OpenAppraisal(OpenAppraisal {
                    basis: Basis::FallThrough,
                    agreement_deadline: later(today, 10),
                }),
            })
        }
        Stage::Negotiation(_) => step(Command::RecordNegotiationResult(RecordNegotiationResult {
            applicant_price: Some(Money::from_fen(10_000_000)),
            debtor_price: Some(Money::from_fen(10_000_000)),
            validity_months: 12,
            harms_third_parties: false,
        })),
        Stage::DirectedInquiry(_) => step(Command::RecordDirectedResult(RecordDirectedResult {
            result: DirectedResult::Price {
                amount: Money::from_fen(10_000_000),
                validity_months: 12,
            },
        })),
        Stage::OnlineInquiry(inquiry) => match &inquiry.phase {
            OnlinePhase::AwaitingReports => {
                let requested: Vec<&PlatformInquiry> = inquiry
                    .platforms
                    .iter()
                    .filter(|platform| matches!(platform.extension, PlatformExtension::Requested { .. }))
                    .collect();
                if let Some(due) = requested.iter().map(|platform| platform.report_limit.due_date).max() {
                    return Some((after(due), Command::DecidePlatformExtensions(DecidePlatformExtensions {})));
                }
                if let Some(platform) = inquiry
                    .platforms
                    .iter()
                    .find(|platform| platform.report.is_none() && platform.report_limit.allows(today))
                {
                    return step(Command::RecordPlatformReport(RecordPlatformReport {
                        platform: platform.platform.clone(),
                        amount: Money::from_fen(10_000_000),
                        validity_months: 12,
                    }));
                }
                step(Command::CloseOnlineInquiryWindow(CloseOnlineInquiryWindow::default()))
            }
            OnlinePhase::Correcting => {
                let pending = inquiry.platforms.iter().find(|platform| {
                    platform
                        .correction
                        .as_ref()
                        .is_some_and(|correction| correction.corrected.is_none() && correction.limit.allows(today))
                });
                match pending {
                    Some(platform) => step(Command::RecordPlatformReport(RecordPlatformReport {
                        platform: platform.platform.clone(),
                        amount: Money::from_fen(10_000_000),
                        validity_months: 12,
                    })),
                    None => step(Command::CloseOnlineInquiryWindow(CloseOnlineInquiryWindow::default())),
                }
            }
            OnlinePhase::Reviewing { review, .. } => next_review_step(review, today, true),
        },
        Stage::Appraisal(appraisal) => match &appraisal.phase {
            AppraisalPhase::Selecting { agreement } => match agreement {
                Some(limit) if !limit.allows(today) => step(Command::CommitAgencyLottery(CommitAgencyLottery {
                    reason: LotteryReason::AgreementDeadlinePassed,
                    sub_list: "driver".into(),
                    candidates: (1..=5).map(|index| format!("r{}-{index}", appraisal.round)).collect(),
                    seed_sha256: seed_commitment(&SEEDS[0]),
                })),
                Some(_) | None => step(Command::RecordAgreedAgencies(RecordAgreedAgencies {
                    agencies: (1..=3).map(|index| format!("q{}-{index}", appraisal.round)).collect(),
                })),
            },
            AppraisalPhase::LotteryCommitted { commitment } => {
                let seed = SEEDS
                    .iter()
                    .find(|seed| seed_commitment(seed) == commitment.seed_sha256)
                    .expect("the generated lotteries commit to known seeds");
                step(Command::DrawAppraisalAgencies(DrawAppraisalAgencies { seed: hex::encode(seed) }))
            }
            AppraisalPhase::AwaitingCommission { selection, position } => step(Command::CommissionAgency(CommissionAgency {
                agency: selection.agencies[*position].clone(),
            })),
            AppraisalPhase::Commissioned { commission, .. } => {
                if commission.extension_request.is_some() {
                    step(Command::DecideAppraisalExtension(DecideAppraisalExtension { granted_days: None }))
                } else if commission.report_limit.allows(today) {
                    step(Command::RecordAppraisalReport(RecordAppraisalReport {
                        amount: Money::from_fen(10_000_000),
                        validity_months: 12,
                    }))
                } else {
                    step(Command::RecordAgencyFailure(RecordAgencyFailure {
                        reason: AgencyFailureReason::ReportOverdue,
                    }))
                }
            }
            AppraisalPhase::CorrectionRequested { limit, .. } | AppraisalPhase::Reissuing { limit, .. } if limit.allows(today) => {
                step(Command::RecordAppraisalReport(RecordAppraisalReport {
                    amount: Money::from_fen(10_000_000),
                    validity_months: 12,
                }))
            }
            AppraisalPhase::CorrectionRequested { .. } => step(Command::RecordAgencyFailure(RecordAgencyFailure {
                reason: AgencyFailureReason::CorrectionOverdue,
            })),
            AppraisalPhase::Reissuing { .. } => step(Command::RecordAgencyFailure(RecordAgencyFailure {
                reason: AgencyFailureReason::ReissueOverdue,
            })),
            AppraisalPhase::Reviewing { review, .. } => next_review_step(review, today, false),
        },
    }
}

/// Valid progress with variety, for the generated part of a run: the roads the decisive driver does not take
/// (failed negotiations, silent platforms, extensions, objections, lotteries, lapses). Falls back to `next_step`.
fn varied_step(state: &Valuation, today: NaiveDate, variant: u32) -> Option<(NaiveDate, Command)> {
    let v = |shift: u32| variant.rotate_right(shift);
    let after = |due: NaiveDate| (due + Days::new(1)).max(today);
    let step = |command: Command| Some((today, command));
    let fallback = || next_step(state, today);
    match &state.stage {
        Stage::ChoosingMethod if state.precheck.is_some() => match v(1) % 4 {
            1 if state.failed_methods.is_empty() => step(Command::RecordNegotiationImpossible(RecordNegotiationImpossible {
                reason: NegotiationImpossible::PartyMissing,
            })),
            2 => step(Command::SendOnlineInquiry(SendOnlineInquiry {
                basis: Basis::JointRequest,
                register: PLATFORMS[..1 + v(3) as usize % 3].iter().map(|name| name.to_string()).collect(),
            })),
            3 => step(Command::OpenAppraisal(OpenAppraisal {
                basis: Basis::JointRequest,
                agreement_deadline: later(today, 1 + v(5) % 15),
            })),
            _ => fallback(),
        },
        Stage::Negotiation(_) if v(1).is_multiple_of(2) => step(Command::RecordNegotiationResult(RecordNegotiationResult {
            applicant_price: Some(Money::from_fen(10_000_000)),
            debtor_price: Some(Money::from_fen(12_000_000)),
            validity_months: 12,
            harms_third_parties: false,
        })),
        Stage::DirectedInquiry(_) if v(1).is_multiple_of(3) => step(Command::RecordDirectedResult(RecordDirectedResult {
            result: DirectedResult::NoPrice,
        })),
        Stage::OnlineInquiry(inquiry) => match &inquiry.phase {
            OnlinePhase::AwaitingReports => {
                let unreported: Vec<&PlatformInquiry> = inquiry.platforms.iter().filter(|platform| platform.report.is_none()).collect();
                let first = unreported.first()?;
                match v(1) % 5 {
                    // The platform stays silent past its deadline.
                    0 => Some((
                        after(first.report_limit.due_date),
                        Command::CloseOnlineInquiryWindow(CloseOnlineInquiryWindow::default()),
                    )),
                    1 | 2 => step(Command::RequestPlatformExtension(RequestPlatformExtension {
                        platform: pick(&unreported, v(3)).platform.clone(),
                    })),
                    _ => step(Command::RecordPlatformReport(RecordPlatformReport {
                        platform: pick(&unreported, v(3)).platform.clone(),
                        amount: Money::from_fen(9_000_000 + i64::from(v(5) % 2_000_000)),
                        validity_months: 1 + v(7) % 12,
                    })),
                }
            }
            OnlinePhase::Correcting => fallback(),
            OnlinePhase::Reviewing { valid, review } => match v(1) % 4 {
                0 => step(Command::FileObjection(FileObjection {
                    objector: pick(&RECIPIENTS[..2], v(3)).to_string(),
                    target: ObjectionTarget::OnlineReport {
                        platform: pick(valid, v(5)).clone(),
                    },
                    grounds: vec![ObjectionGround::WrongBasicFacts],
                    postmarked_on: None,
                })),
                1 => review
                    .objections
                    .iter()
                    .find(|objection| matches!(objection.status, ObjectionStatus::AwaitingDecision { .. }))
                    .map(|objection| {
                        (
                            today,
                            Command::DecideObjection(DecideObjection {
                                objection: objection.id,
                                upheld: true,
                            }),
                        )
                    })
                    .or_else(fallback),
                _ => fallback(),
            },
        },
        Stage::Appraisal(appraisal) => match &appraisal.phase {
            AppraisalPhase::Selecting { .. } if v(1).is_multiple_of(2) => step(Command::CommitAgencyLottery(CommitAgencyLottery {
                reason: LotteryReason::PartiesDisagree,
                sub_list: "varied".into(),
                candidates: (1..=4).map(|index| format!("v{}-{index}", appraisal.round)).collect(),
                seed_sha256: seed_commitment(&pick(&SEEDS, v(3))),
            })),
            AppraisalPhase::Commissioned { commission, .. } => match (v(1) % 5, commission.extension_request) {
                (0 | 1, Some(request)) => step(Command::DecideAppraisalExtension(DecideAppraisalExtension {
                    granted_days: Some(1 + v(3) % request.days),
                })),
                (0 | 1, None) => step(Command::RequestAppraisalExtension(RequestAppraisalExtension {
                    days: 1 + v(3) % 15,
                })),
                (2, _) => Some((
                    after(commission.report_limit.due_date),
                    Command::RecordAgencyFailure(RecordAgencyFailure {
                        reason: AgencyFailureReason::ReportOverdue,
                    }),
                )),
                (3, None) => step(Command::RecordAgencyFailure(RecordAgencyFailure {
                    reason: AgencyFailureReason::Declined,
                })),
                _ => fallback(),
            },
            AppraisalPhase::Reviewing { review, .. } => match v(1) % 5 {
                0 if !review.service.any_served() => step(Command::RequestReportCorrection(RequestReportCorrection {
                    findings: vec![ReviewFinding::WrongAgency],
                })),
                1 | 2 => step(Command::FileObjection(FileObjection {
                    objector: pick(&RECIPIENTS[..2], v(3)).to_string(),
                    target: ObjectionTarget::AppraisalReport,
                    grounds: {
                        let chosen = grounds(v(5) % 127);
                        if chosen.is_empty() {
                            vec![ObjectionGround::AppraisalResult]
                        } else {
                            chosen
                        }
                    },
                    postmarked_on: None,
                })),
                3 => review
                    .objections
                    .iter()
                    .find(|objection| matches!(objection.status, ObjectionStatus::AwaitingDecision { .. }))
                    .map(|objection| {
                        (
                            today,
                            Command::DecideObjection(DecideObjection {
                                objection: objection.id,
                                upheld: true,
                            }),
                        )
                    })
                    .or_else(fallback),
                _ => fallback(),
            },
            _ => fallback(),
        },
        Stage::Fixed(fixed) if v(1).is_multiple_of(3) && fixed.disposal_started.is_none() => {
            Some((after(fixed.price.validity_ends_on), Command::LapseValidity(LapseValidity {})))
        }
        Stage::ChoosingMethod
        | Stage::Negotiation(_)
        | Stage::DirectedInquiry(_)
        | Stage::Suspended(_)
        | Stage::Fixed(_)
        | Stage::Withdrawn(_) => fallback(),
    }
}

fn next_review_step(review: &Review, today: NaiveDate, online: bool) -> Option<(NaiveDate, Command)> {
    if let Some(entry) = review.service.recipients.iter().find(|entry| entry.served.is_none()) {
        return Some((
            today,
            Command::ServeReport(ServeReport {
                recipient: entry.recipient.clone(),
                means: ServiceMeans::Delivered,
            }),
        ));
    }
    if let Some(objection) = review.objections.iter().find(|objection| objection.status.is_open()) {
        let id = objection.id;
        let command = match &objection.status {
            ObjectionStatus::AwaitingDecision { .. } => Command::DecideObjection(DecideObjection {
                objection: id,
                upheld: false,
            }),
            ObjectionStatus::AwaitingForwarding { .. } => Command::ForwardObjection(ForwardObjection { objection: id }),
            ObjectionStatus::AwaitingExplanation { .. } => Command::RecordAgencyExplanation(RecordAgencyExplanation {
                objection: id,
                objector_accepts: true,
            }),
            ObjectionStatus::ExplanationDisputed { .. } => Command::ReferToIndustryReview(ReferToIndustryReview {
                objection: id,
                deadline: later(today, 10),
            }),
            ObjectionStatus::InIndustryReview { .. } => Command::RecordIndustryReview(RecordIndustryReview {
                objection: id,
                correction_ordered: false,
            }),
            ObjectionStatus::AwaitingCorrection { limit } if online || limit.allows(today) => {
                Command::RecordCorrectedResult(RecordCorrectedResult {
                    objection: id,
                    amount: Money::from_fen(10_000_000),
                })
            }
            ObjectionStatus::AwaitingCorrection { .. } => Command::RecordAgencyFailure(RecordAgencyFailure {
                reason: AgencyFailureReason::CorrectionOverdue,
            }),
            ObjectionStatus::Rejected { .. }
            | ObjectionStatus::Settled { .. }
            | ObjectionStatus::Corrected { .. }
            | ObjectionStatus::AgencyReplaced { .. }
            | ObjectionStatus::Uncorrected { .. }
            | ObjectionStatus::Moot { .. } => unreachable!("closed objections are filtered out"),
        };
        return Some((today, command));
    }
    let until = review.service.last_objection_due().unwrap_or(today);
    Some(((until + Days::new(1)).max(today), Command::FixReferencePrice(FixReferencePrice {})))
}

/// Applies an accepted transition to the simulated store and checks every invariant.
fn check_transition(nodes: &mut BTreeMap<NodeKey, StoredNode>, transition: &Transition, today: NaiveDate) -> Result<(), TestCaseError> {
    apply_node_effects(nodes, &transition.effects);
    prop_assert_eq!(&*nodes, &open_nodes_of(&transition.state));
    prop_assert_eq!(transition.state.last_event_on, today);
    prop_assert_eq!(transition.event.stage.as_str(), transition.state.stage.name());
    let json = serde_json::to_string(&transition.state).expect("the state serializes");
    prop_assert_eq!(
        &serde_json::from_str::<Valuation>(&json).expect("the state deserializes"),
        &transition.state
    );
    serde_json::to_string(&transition.event).expect("the event serializes");
    if let Some(price) = transition.state.reference_price() {
        let lowest = price.results.iter().map(|result| result.amount).min().expect("a price has results");
        let highest = price.results.iter().map(|result| result.amount).max().expect("a price has results");
        prop_assert!(lowest <= price.amount && price.amount <= highest, "{price:?}");
        prop_assert!(
            lowest.to_decimal() <= price.exact_yuan && price.exact_yuan <= highest.to_decimal(),
            "{price:?}"
        );
        prop_assert!(price.amount.fen() > 0);
        prop_assert!(price.validity_ends_on <= price.grace_ends_on);
    }
    Ok(())
}

fn check_refusal(error: &ValuationError) -> Result<(), TestCaseError> {
    let code = error.code();
    prop_assert!(
        !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        "{code}"
    );
    let rule = error.rule();
    prop_assert!(rule.starts_with("REF-") || rule.starts_with("PER-") || rule == "DESIGN", "{rule}");
    Ok(())
}

fn asset_strategy() -> impl Strategy<Value = AssetFacts> {
    (0usize..4, any::<bool>(), any::<bool>(), prop::bool::weighted(0.15), 0u64..900).prop_map(
        |(kind, has_official_price, needs_onsite_inspection, appraisal_required_by_law, offset)| AssetFacts {
            kind: [AssetKind::RealEstate, AssetKind::Movable, AssetKind::Vehicle, AssetKind::Equity][kind],
            seizure_date: date("2024-01-02") + Days::new(offset),
            to_be_sold: true,
            has_official_price,
            needs_onsite_inspection,
            appraisal_required_by_law,
            high_value_or_complex: false,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_of_commands_keeps_the_invariants_and_ends_in_a_price_or_a_documented_dead_end(
        facts in asset_strategy(),
        steps in prop::collection::vec(
            (prop::sample::select(vec![0u32, 0, 0, 1, 1, 2, 3, 5, 16, 40, 200]), any::<u32>(), any::<u32>(), any::<bool>()),
            0..80,
        ),
    ) {
        let calendar = Calendar::embedded();
        let mut today = facts.seizure_date + Days::new(3);
        let start = Valuation::start(
            StartValuation { asset: facts, recipients: names(&["applicant", "debtor"]) },
            today,
            &calendar,
        ).expect("a saleable asset starts");
        let mut nodes = BTreeMap::new();
        check_transition(&mut nodes, &start, today)?;
        let mut state = start.state;
        for (advance, choice, param, drive) in steps {
            today = later(today, advance);
            // Half the steps follow the driver (valid progress), half try a generated command (often refused).
            let command = match (drive, varied_step(&state, today, param)) {
                (true, Some((on, command))) => { today = on; command }
                (true, None) | (false, _) => {
                    let commands = plausible_commands(&state, today, param);
                    pick(&commands, choice)
                }
            };
            match state.clone().apply(command, today, &calendar) {
                Ok(transition) => {
                    check_transition(&mut nodes, &transition, today)?;
                    state = transition.state;
                }
                Err(error) => check_refusal(&error)?,
            }
        }
        // From wherever the sequence ended, valid commands lead to a price or a withdrawal.
        for _ in 0..400 {
            let Some((on, command)) = next_step(&state, today) else { break };
            today = on;
            let transition = state
                .clone()
                .apply(command.clone(), today, &calendar)
                .map_err(|error| TestCaseError::fail(format!("driver's {command:?} on {today} refused: {} ({})", error.code(), error.rule())))?;
            check_transition(&mut nodes, &transition, today)?;
            state = transition.state;
        }
        prop_assert!(
            matches!(state.stage, Stage::Fixed(_) | Stage::Withdrawn(_)),
            "stuck in {}: {:?}",
            state.stage.name(),
            state.stage
        );
        // Past the price: the disposal starts within the validity and the sale follows (REF-36, REF-33), or the
        // validity lapses and the procedure goes round again (REF-14, REF-25) until it does. Either way the asset
        // reaches a sale or the documented dead end, and no time limit is left running but a materials return.
        for _ in 0..400 {
            let (on, command) = match &state.stage {
                Stage::Withdrawn(_) => break,
                Stage::Fixed(fixed) if fixed.sale_on.is_some() => break,
                Stage::Fixed(fixed) if fixed.disposal_started.is_some() && fixed.grace.allows(today) => {
                    (today, Command::RecordSaleStart(RecordSaleStart {}))
                }
                Stage::Fixed(fixed) if fixed.disposal_started.is_some() => (today, Command::LapseValidity(LapseValidity {})),
                Stage::Fixed(fixed) if fixed.validity.allows(today) => (
                    today,
                    Command::RecordDisposalStart(RecordDisposalStart { kind: DisposalKind::FirstAuctionAnnouncement }),
                ),
                Stage::Fixed(_) => (today, Command::LapseValidity(LapseValidity {})),
                Stage::ChoosingMethod
                | Stage::Negotiation(_)
                | Stage::DirectedInquiry(_)
                | Stage::OnlineInquiry(_)
                | Stage::Appraisal(_)
                | Stage::Suspended(_) => match next_step(&state, today) {
                    Some(step) => step,
                    None => break,
                },
            };
            today = on;
            let transition = state
                .clone()
                .apply(command.clone(), today, &calendar)
                .map_err(|error| TestCaseError::fail(format!("after the price, {command:?} on {today} refused: {} ({})", error.code(), error.rule())))?;
            check_transition(&mut nodes, &transition, today)?;
            state = transition.state;
        }
        let sold = matches!(&state.stage, Stage::Fixed(fixed) if fixed.sale_on.is_some());
        prop_assert!(sold || matches!(state.stage, Stage::Withdrawn(_)), "no sale and no dead end: {}", state.stage.name());
        let running: Vec<String> = state
            .open_limits()
            .iter()
            .filter(|open| open.limit.kind != LimitKind::MaterialsReturn && open.limit.kind != LimitKind::ReportService)
            .map(|open| open.limit.key().0)
            .collect();
        prop_assert!(!sold || running.is_empty(), "after the sale these still run: {:?}", running);
    }

    #[test]
    fn an_averaged_price_lies_between_the_lowest_and_highest_result(amounts in prop::collection::vec(1i64..1_000_000_000_000, 1..7)) {
        let amounts: Vec<Money> = amounts.into_iter().map(Money::from_fen).collect();
        let average = average(&amounts).expect("some amounts");
        let lowest = *amounts.iter().min().unwrap();
        let highest = *amounts.iter().max().unwrap();
        prop_assert!(lowest <= average.amount && average.amount <= highest);
        prop_assert!(lowest.to_decimal() <= average.exact_yuan && average.exact_yuan <= highest.to_decimal());
        // Half-up to the fen: within half a fen of the exact value, and exactly representable back.
        let difference = (average.amount.to_decimal() - average.exact_yuan).abs();
        prop_assert!(difference <= rust_decimal::Decimal::new(5, 3), "{difference}");
        prop_assert_eq!(average.sum_fen, amounts.iter().map(|amount| amount.fen()).sum::<i64>());
    }
}
