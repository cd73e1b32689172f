//! `chuzhi demo`: a demonstration court with cases and seized assets at different stages, walked through the
//! past week of sweeps so a new user sees nodes and alerts at once. Later capabilities extend it.
//!
//! The demo never acts in the future and never touches another court: it registers its cases as of a week ago
//! and sweeps only its own court, day by day, up to the moment it was run.

use crate::auth::{Principal, Role};
use crate::calendar::{Calendar, Period};
use crate::clock::{local_date, ManualClock};
use crate::disposal::{
    ApplySelfDisposal, AskDebtInKind, BiddingWindow, Command, DebtInKindCreditor, DecideAuctionPlan, DecideDebtInKind, DecideSelfDisposal,
    DisposalConfig, EndSuspensionCause, FundsSource, NoticeMeans, PanelDecision, PublishAnnouncement, PublishSellOffNotice,
    RecordBuyerDefault, RecordBuyerRefunded, RecordFailure, RecordHandover, RecordNotice, RecordPayment, RecordSale,
    RecordSelfDisposalSale, RecordSellOffBid, Release, ReleaseGround, Resume, Schedule, SelfDisposalBasis, SelfDisposalMode,
    ServeSaleRuling, Suspend, SuspensionKind,
};
use crate::engine::Engine;
use crate::error::Outcome;
use crate::money::Money;
use crate::registry::{AssetKind, NewApplicant, NewAsset, NewCase, NewDebtor, PayoutAccount};
use crate::store;
use chrono::{Days, NaiveDate};
use std::fmt::Write as _;
use std::sync::Arc;

pub const DEMO_COURT_CODE: &str = "999001";
pub const DEMO_COURT_NAME: &str = "示范市示范区人民法院";

/// What the demo did, for the terminal.
pub struct DemoReport {
    pub lines: Vec<String>,
    pub tokens: Vec<(Role, String)>,
}

#[derive(Clone)]
struct DemoAsset {
    kind: AssetKind,
    description: &'static str,
    seized_days_ago: u64,
    high_value_or_complex: bool,
}

struct DemoCase {
    number: &'static str,
    claim: &'static str,
    filed_days_ago: u64,
    applicant: &'static str,
    debtor: &'static str,
    assets: Vec<DemoAsset>,
}

fn demo_cases() -> Vec<DemoCase> {
    vec![
        DemoCase {
            number: "(2026)示0102执101号",
            claim: "1860000.00",
            filed_days_ago: 60,
            applicant: "示范银行股份有限公司示范支行",
            debtor: "张某某",
            assets: vec![DemoAsset {
                kind: AssetKind::RealEstate,
                description: "示范区光明路8号3单元1201室住宅",
                seized_days_ago: 40,
                high_value_or_complex: true,
            }],
        },
        DemoCase {
            number: "(2026)示0102执233号",
            claim: "356000.50",
            filed_days_ago: 45,
            applicant: "李某",
            debtor: "示范商贸有限公司",
            assets: vec![
                DemoAsset {
                    kind: AssetKind::Vehicle,
                    description: "小型轿车 示A·12345",
                    seized_days_ago: 35,
                    high_value_or_complex: false,
                },
                DemoAsset {
                    kind: AssetKind::Equity,
                    description: "示范商贸有限公司持有的示范物流有限公司30%股权",
                    seized_days_ago: 9,
                    high_value_or_complex: true,
                },
            ],
        },
        DemoCase {
            number: "(2025)示0102执877号",
            claim: "98000.00",
            filed_days_ago: 400,
            applicant: "王某",
            debtor: "赵某",
            assets: vec![DemoAsset {
                kind: AssetKind::Deposit,
                description: "赵某在示范银行的存款账户 6222********1234",
                seized_days_ago: 340,
                high_value_or_complex: false,
            }],
        },
        DemoCase {
            number: "(2026)示0102执305号",
            claim: "42000.00",
            filed_days_ago: 31,
            applicant: "示范建材有限公司",
            debtor: "钱某",
            assets: vec![DemoAsset {
                kind: AssetKind::Movable,
                description: "挖掘机一台（卡特彼勒320D）",
                seized_days_ago: 26,
                high_value_or_complex: false,
            }],
        },
    ]
}

/// How many days before the moment of the run the demo registers its cases and starts sweeping.
const WALK_DAYS: i64 = 7;

/// How many days before the moment of the run the disposal cases' history begins: their prices are fixed then. The
/// longest branch (two failed rounds, the 60-day sell-off, debt in kind) takes about 130 days, rest days included,
/// so every step lies weeks before the walked week.
const DISPOSAL_HISTORY_DAYS: u64 = 165;

/// Loads the demonstration court (once, as of a week ago) and walks it through the past week of sweeps.
pub async fn run(engine: &Engine, clock: Arc<ManualClock>) -> Outcome<DemoReport> {
    let mut lines = Vec::new();
    let start = clock.now_instant();
    let today = local_date(start);
    let registered_at = start - chrono::Duration::days(WALK_DAYS);
    let mut tokens = Vec::new();
    let mut negotiating = None;
    let mut cash = None;
    let mut cash_receipt = None;
    let court = match store::auth::court_by_code(&engine.db, DEMO_COURT_CODE).await? {
        Some(court) => {
            lines.push(format!(
                "The demonstration court {DEMO_COURT_NAME} ({DEMO_COURT_CODE}) is already loaded; walking it forward."
            ));
            court
        }
        None => {
            let history_from = today - Days::new(DISPOSAL_HISTORY_DAYS);
            clock.set(local_instant(history_from, 9));
            engine.create_court(DEMO_COURT_CODE, DEMO_COURT_NAME).await?;
            lines.push(format!(
                "Created the demonstration court {DEMO_COURT_NAME} ({DEMO_COURT_CODE}) as of {history_from}; its disposal cases' history runs from then, the other cases are registered as of {}.",
                local_date(registered_at)
            ));
            let court = store::auth::court_by_code(&engine.db, DEMO_COURT_CODE)
                .await?
                .ok_or_else(|| crate::error::Refusal::internal("demo court vanished"))?;
            let clerk = Principal {
                user: "演示助理".to_string(),
                court_id: court.id,
                court_code: court.code.clone(),
                role: Role::Assistant,
            };
            let judge = Principal {
                user: "演示法官".to_string(),
                role: Role::Judge,
                ..clerk.clone()
            };
            load_disposal_history(engine, &clock, &clerk, &judge, today, &mut lines).await?;
            clock.set(registered_at);
            let mut first_asset = None;
            for case in demo_cases() {
                let (case_id, assets) = load_case(engine, &clerk, today, &case, &mut lines).await?;
                first_asset = first_asset.or(assets.first().copied());
                if case.number == CASH_CASE_NUMBER {
                    cash = Some((clerk.clone(), case_id));
                }
            }
            if let Some(asset_id) = first_asset {
                open_negotiation(engine, &clerk, registered_at, asset_id).await?;
                negotiating = Some((clerk, asset_id));
            }
            court
        }
    };
    lines.push(String::new());
    lines.push("Walking the demonstration court through the past week of sweeps:".to_string());
    let actor = crate::audit::Actor {
        user: "system:demo".to_string(),
        role: "system".to_string(),
        court_id: Some(court.id),
    };
    for days_ago in (0..WALK_DAYS).rev() {
        let at = start - chrono::Duration::days(days_ago);
        clock.set(at);
        if let (2, Some((clerk, asset_id))) = (days_ago, &negotiating) {
            lines.push(agree_price(engine, clerk, *asset_id, at).await?);
        }
        if let (4, Some((clerk, case_id))) = (days_ago, &cash) {
            let (line, receipt_id) = record_cash(engine, clerk, *case_id, at).await?;
            lines.push(line);
            cash_receipt = Some(receipt_id);
        }
        if let (3, Some((clerk, case_id)), Some(receipt_id)) = (days_ago, &cash, cash_receipt) {
            lines.extend(funds_day(engine, clerk, *case_id, receipt_id, at).await?);
        }
        let report = engine.sweep_court(at, engine.settings.sweep_limit, court.id, &actor).await?;
        let mut line = format!("  {}  ", local_date(at));
        if report.alerts_raised() == 0 {
            line.push_str("nothing new");
        } else {
            let _ = write!(
                line,
                "{} upcoming, {} due today, {} overdue",
                report.upcoming, report.due_today, report.overdue
            );
            if report.overdue > 0 {
                line.push_str(" (escalated to the supervisors)");
            }
        }
        lines.push(line);
    }
    clock.set(start);
    for role in Role::ALL {
        tokens.push((
            role,
            engine.create_token(&court.code, &format!("演示{}", role.as_str()), role).await?,
        ));
    }
    Ok(DemoReport { lines, tokens })
}

/// REF-3, REF-4: the flat's reference-price procedure starts with the demo's cases, and the parties are asked to
/// negotiate within 10 days.
async fn open_negotiation(engine: &Engine, clerk: &Principal, registered_at: chrono::DateTime<chrono::Utc>, asset_id: i64) -> Outcome<()> {
    use crate::valuation::{Command, OpenNegotiation, Precheck, RecordPrecheck};
    engine.start_valuation(clerk, asset_id).await?;
    let precheck = Precheck {
        title: "登记在被执行人张某某名下".to_string(),
        encumbrances: "示范银行抵押登记一项".to_string(),
        occupancy: "被执行人自住".to_string(),
        tax_arrears: "物业费欠缴约3200元".to_string(),
        defects: "未发现".to_string(),
    };
    engine
        .valuation_command(clerk, asset_id, Command::RecordPrecheck(RecordPrecheck { precheck }))
        .await?;
    let deadline = local_date(registered_at) + Days::new(10);
    engine
        .valuation_command(clerk, asset_id, Command::OpenNegotiation(OpenNegotiation { deadline }))
        .await?;
    Ok(())
}

/// REF-4, REF-36: the parties agree the price during the week; the disposal must start within 10 days.
async fn agree_price(engine: &Engine, clerk: &Principal, asset_id: i64, at: chrono::DateTime<chrono::Utc>) -> Outcome<String> {
    use crate::valuation::{Command, RecordNegotiationResult};
    let price = Money::parse("1650000.00").map_err(crate::error::Refusal::internal)?;
    let result = RecordNegotiationResult {
        applicant_price: Some(price),
        debtor_price: Some(price),
        validity_months: 12,
        harms_third_parties: false,
    };
    let fixed = engine
        .valuation_command(clerk, asset_id, Command::RecordNegotiationResult(result))
        .await?;
    Ok(format!(
        "  {}  the parties agree the flat's reference price, ¥{price} (REF-4; stage {}); REF-36: start the disposal within 10 days",
        local_date(at),
        fixed.stage
    ))
}

/// The case whose debtor pays part of the claim in cash during the walked week.
const CASH_CASE_NUMBER: &str = "(2026)示0102执305号";

/// FUND-2: two officers collect cash from the debtor on the way back to court; finance has closed, so they hand it
/// over the next morning, with the explanation the rule asks for. The case is credited in transit until finance's
/// deposit shows on the bank statement.
async fn record_cash(engine: &Engine, clerk: &Principal, case_id: i64, at: chrono::DateTime<chrono::Utc>) -> Outcome<(String, i64)> {
    let today = local_date(at);
    let returned_on = today - Days::new(1);
    let request = crate::engine::cash::CashReceiptRequest {
        receipt_number: "示执现收-2026-0001".to_string(),
        amount: yuan(8_600),
        officers: vec!["执行员周某".to_string(), "执行员吴某".to_string()],
        payer: Some("钱某".to_string()),
        collected_on: returned_on,
        returned_on,
        handed_over_on: today,
        explanation: Some("返院时财务部门已下班，次日上午移交".to_string()),
    };
    let (_, receipt) = engine.record_cash_receipt(clerk, case_id, request).await?;
    let line = format!(
        "  {today}  two officers' cash receipt {} for case {CASH_CASE_NUMBER}: ¥{} from 钱某, back at court {returned_on}, handed to finance today ({}, explained; limit {}), in transit until the bank shows the deposit (FUND-2)",
        receipt.receipt_number, receipt.amount, receipt.handover_timing, receipt.handover_due_on
    );
    Ok((line, receipt.id))
}

/// The demonstration court's execution-fund account (执行款专户).
const DEMO_BANK: &str = "37010299000000000001";
/// The bank's reference of finance's deposit of the officers' cash.
const CASH_DEPOSIT_REFERENCE: &str = "DEMO-CASH-DEP-0001";

/// FUND-1 … FUND-5, FUND-8: the day after the cash was handed over, finance deposits it and imports the bank's
/// statement of the day: the deposit clears the cash receipt, the debtor's transfer is matched to the case by its
/// collection account, and a payment naming no case waits in suspense. Then the case's money — the cash and the
/// transfer — is paid out to the applicant's confirmed account through the approval chain.
async fn funds_day(
    engine: &Engine,
    clerk: &Principal,
    case_id: i64,
    cash_receipt: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> Outcome<Vec<String>> {
    let today = local_date(at);
    let as_role = |user: &str, role: Role| Principal {
        user: user.to_string(),
        role,
        ..clerk.clone()
    };
    let (finance, judge, supervisor) = (
        as_role("演示财务", Role::Finance),
        as_role("演示法官", Role::Judge),
        as_role("演示执行局长", Role::Supervisor),
    );
    let case = store::registry::case_in_court(&engine.db, clerk.court_id, case_id)
        .await?
        .ok_or_else(|| crate::error::Refusal::internal("demo case vanished"))?;
    let deposit = crate::engine::cash::CashDepositRequest {
        bank_reference: CASH_DEPOSIT_REFERENCE.to_string(),
        deposited_on: today,
    };
    engine.record_cash_deposit(&finance, cash_receipt, deposit).await?;
    let statement = demo_statement(today, &case.collection_account);
    let import = crate::engine::funds::ImportRequest {
        bytes: statement.as_bytes(),
        format: Some(crate::statements::StatementFormat::Mt940),
        file_name: Some("demo.mt940"),
        layout: None,
    };
    let report = engine.import_statement(&finance, import).await?;
    let suspense = engine.suspense(&finance).await?;
    let mut lines = vec![format!(
        "  {today}  finance imports the day's statement of {DEMO_BANK}: {} lines, {} matched by collection account (the cash deposit among them, clearing its receipt: {}), {} to suspense{} (FUND-1, FUND-2, FUND-3)",
        report.lines_new,
        report.matched_by_collection_account,
        report.cash_deposits_cleared,
        report.to_suspense,
        suspense
            .first()
            .map(|item| format!(", ¥{} from {} to be claimed by {}", item.amount, item.payer, item.claim_due_on))
            .unwrap_or_default(),
    )];
    let request = crate::engine::payouts::PayoutRequest {
        case_id,
        amount: yuan(28_600),
        payee: None,
        purpose: None,
        pay_to: None,
        panel_approval: None,
        funds_arrived_on: None,
        arrival_notice_on: None,
        bank_account: None,
    };
    let payout = engine.request_payout(clerk, request).await?;
    for (approver, role) in [
        (&judge, crate::ledger::ApprovalRole::CaseOfficer),
        (&finance, crate::ledger::ApprovalRole::FundManager),
        (&supervisor, crate::ledger::ApprovalRole::BureauHead),
    ] {
        engine
            .payout_command(approver, payout.id, crate::engine::payouts::PayoutAction::Approve { role })
            .await?;
    }
    let payout = engine.payout(&finance, payout.id).await?;
    lines.push(format!(
        "  {today}  payout #{} of ¥{} to {}'s confirmed account, approved by the case officer, the fund manager and the bureau head (FUND-8); stage {}, the payment notice due to finance by {} (FUND-5: 10 working days from the arrival)",
        payout.id,
        payout.amount,
        payout.payee,
        payout.stage,
        payout.state["stage"]["deadline"]["due_date"].as_str().unwrap_or("?"),
    ));
    Ok(lines)
}

/// The bank's MT940 statement of the demonstration court's account for `day`: the cash deposit, the debtor's
/// transfer to the case's collection account, and a payment that names no case.
fn demo_statement(day: NaiveDate, collection_account: &str) -> String {
    let date = day.format("%y%m%d");
    let entry = day.format("%m%d");
    format!(
        "{{1:F01BKCHCNBJA4000000000000}}{{2:I940BKCHCNBJXXXXN}}{{4:\n:20:DEMO{date}\n:25:{DEMO_BANK}\n:28C:00001/001\n\
         :60F:C{date}CNY0,00\n\
         :61:{date}{entry}C8600,00NTRFNONREF//{CASH_DEPOSIT_REFERENCE}\n\
         :86:/CNTP/{DEMO_BANK}/BKCHCNBJ/示范法院财务/济南/ /REMI/现金缴存 {collection_account}\n\
         :61:{date}{entry}C20000,00NTRFNONREF//DEMO{date}0002\n\
         :86:/CNTP/6222020200998877665/BKCHCNBJ/钱某/济南/ /REMI/执行款 {collection_account}\n\
         :61:{date}{entry}C1234,56NTRFNONREF//DEMO{date}0003\n\
         :86:/CNTP/6222020200555666777/BKCHCNBJ/孙某/济南/ /REMI/货款\n\
         :62F:C{date}CNY29834,56\n-}}"
    )
}

/// Registers a demo case and its assets; returns the case's id and the ids of its assets, in order.
async fn load_case(
    engine: &Engine,
    clerk: &Principal,
    today: NaiveDate,
    case: &DemoCase,
    lines: &mut Vec<String>,
) -> Outcome<(i64, Vec<i64>)> {
    let filed = today - Days::new(case.filed_days_ago);
    let input = NewCase {
        case_number: case.number.to_string(),
        filing_date: filed,
        claim_amount: Money::parse(case.claim).map_err(crate::error::Refusal::internal)?,
        applicants: vec![NewApplicant {
            name: case.applicant.to_string(),
            identity_number: None,
            payout_account: Some(PayoutAccount {
                bank: "示范银行示范支行".to_string(),
                account_name: case.applicant.to_string(),
                account_number: "6222020200112233445".to_string(),
                confirmed_on: filed,
            }),
        }],
        debtors: vec![NewDebtor {
            name: case.debtor.to_string(),
            identity_number: None,
        }],
    };
    let detail = engine.register_case(clerk, &input).await?;
    let mut asset_ids = Vec::new();
    lines.push(format!(
        "  case {} — claim ¥{} — collection account {}",
        case.number, detail.case.claim_amount, detail.case.collection_account
    ));
    for asset in &case.assets {
        let input = NewAsset {
            kind: asset.kind,
            description: asset.description.to_string(),
            seizure_date: today - Days::new(asset.seized_days_ago),
            to_be_sold: None,
            has_official_price: matches!(asset.kind, AssetKind::Vehicle),
            needs_onsite_inspection: matches!(asset.kind, AssetKind::RealEstate),
            appraisal_required_by_law: false,
            high_value_or_complex: asset.high_value_or_complex,
        };
        let detail = engine.register_asset(clerk, detail.case.id, &input).await?;
        asset_ids.push(detail.asset.id);
        lines.push(format!(
            "    asset {} ({}, seized {})",
            asset.description,
            asset.kind.as_str(),
            input.seizure_date
        ));
        for node in &detail.nodes {
            lines.push(format!(
                "      {} due {}{} — {}",
                node.rule,
                node.due_date,
                if node.provisional { " (provisional)" } else { "" },
                node.title
            ));
        }
    }
    Ok((detail.case.id, asset_ids))
}

/// A branch of the disposal (issue 4) the demonstration court shows, each on its own asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Branch {
    /// AUC-4, AUC-15, TRAD-8, TRAD-9.
    SoldFirstRound,
    /// AUC-16: the first round fails (流拍); the second, at most 20 % lower, sells.
    SoldSecondRound,
    /// SELL-3 … SELL-6: two rounds fail; the 60-day online sell-off (变卖) sells.
    SellOffSold,
    /// SELL-7, TRAD-5: the sell-off fails; a creditor takes the asset in payment (以物抵债) at the sell-off price.
    SellOffDebtInKind,
    /// SELL-7: the sell-off fails and nobody takes the asset; the seizure is released (解除查封).
    SellOffReleased,
    /// AUC-14: the buyer does not pay the balance (悔拍); the resale at the same starting price sells, and its ruling
    /// allocates the forfeited deposit.
    BuyerDefaultResale,
    /// SELL-6: the sell-off buyer backs out before the ruling; the sell-off is published again and sells.
    SellOffBuyerBackedOut,
    /// AUC-18, AUC-19: the announced auction is stayed (中止) and resumes with a new bidding window.
    SuspendedResumed,
    /// SELF-2, SELF-4, FUND-1: the debtor's approved self-disposal (自行处置) is paid into the case account.
    SelfDisposed,
    /// SELF-4: the self-disposal period ends unsold; the sweep lapses it and the court auctions the asset itself.
    SelfDisposalLapsed,
}

impl Branch {
    fn label(self) -> &'static str {
        match self {
            Branch::SoldFirstRound => "sold in the first round (AUC-4)",
            Branch::SoldSecondRound => "first round failed → second round → sold (AUC-16)",
            Branch::SellOffSold => "failed twice → sell-off → sold (SELL-3 … SELL-6)",
            Branch::SellOffDebtInKind => "sell-off failed → debt in kind (SELL-7, TRAD-5)",
            Branch::SellOffReleased => "sell-off failed → seizure released (SELL-7)",
            Branch::BuyerDefaultResale => "buyer defaulted → resale → sold (AUC-14)",
            Branch::SellOffBuyerBackedOut => "sell-off sold → buyer backed out → sold again (SELL-6)",
            Branch::SuspendedResumed => "stayed and resumed → sold (AUC-18, AUC-19)",
            Branch::SelfDisposed => "self-disposal completed (SELF-2, SELF-4)",
            Branch::SelfDisposalLapsed => "self-disposal lapsed → court auction → sold (SELF-4)",
        }
    }
}

/// An asset of a disposal case: what it is, its agreed reference price in yuan (REF-4), and the branch it shows.
struct DisposalAsset {
    asset: DemoAsset,
    short: &'static str,
    reference_yuan: i64,
    branch: Branch,
}

/// A disposal case; its dates count back from the first day of the disposal history, not from the run.
struct DisposalCase {
    number: &'static str,
    claim: &'static str,
    applicant: &'static str,
    debtor: &'static str,
    assets: Vec<DisposalAsset>,
}

fn disposal_asset(kind: AssetKind, description: &'static str, short: &'static str, reference_yuan: i64, branch: Branch) -> DisposalAsset {
    DisposalAsset {
        asset: DemoAsset {
            kind,
            description,
            seized_days_ago: 30,
            high_value_or_complex: matches!(branch, Branch::SelfDisposed | Branch::SelfDisposalLapsed),
        },
        short,
        reference_yuan,
        branch,
    }
}

/// The cases whose assets show the disposal's branches, one asset each. Each case's claim stays above what its
/// assets realise, so TRAD-11 never asks to stop a disposal the demo carries on.
fn disposal_cases() -> Vec<DisposalCase> {
    vec![
        DisposalCase {
            number: "(2026)示0102执150号",
            claim: "2500000.00",
            applicant: "示范租赁有限公司",
            debtor: "示范机械制造有限公司",
            assets: vec![
                disposal_asset(
                    AssetKind::Movable,
                    "叉车两台（合力CPCD30）",
                    "the forklifts",
                    200_000,
                    Branch::SoldFirstRound,
                ),
                disposal_asset(
                    AssetKind::Vehicle,
                    "重型货车 示B·67890",
                    "the lorry",
                    300_000,
                    Branch::SoldSecondRound,
                ),
                disposal_asset(
                    AssetKind::RealEstate,
                    "示范区工业路18号商铺",
                    "the shop",
                    2_500_000,
                    Branch::SelfDisposalLapsed,
                ),
            ],
        },
        DisposalCase {
            number: "(2026)示0102执168号",
            claim: "3000000.00",
            applicant: "示范融资担保有限公司",
            debtor: "示范精密机械有限公司",
            assets: vec![
                disposal_asset(
                    AssetKind::Movable,
                    "数控车床一台（沈阳CAK6150）",
                    "the lathe",
                    500_000,
                    Branch::SellOffSold,
                ),
                disposal_asset(
                    AssetKind::Movable,
                    "注塑机一台（海天MA3800）",
                    "the moulding machine",
                    500_000,
                    Branch::SellOffDebtInKind,
                ),
                disposal_asset(
                    AssetKind::Movable,
                    "燃煤锅炉一台（4吨）",
                    "the boiler",
                    500_000,
                    Branch::SellOffReleased,
                ),
                disposal_asset(
                    AssetKind::Movable,
                    "螺杆空气压缩机一台（75千瓦）",
                    "the compressor",
                    500_000,
                    Branch::SellOffBuyerBackedOut,
                ),
            ],
        },
        DisposalCase {
            number: "(2026)示0102执172号",
            claim: "3000000.00",
            applicant: "示范小额贷款有限公司",
            debtor: "孙某某",
            assets: vec![
                disposal_asset(
                    AssetKind::Vehicle,
                    "小型越野车 示C·24680",
                    "the car",
                    150_000,
                    Branch::BuyerDefaultResale,
                ),
                disposal_asset(
                    AssetKind::Movable,
                    "塔式起重机一台（QTZ80）",
                    "the tower crane",
                    300_000,
                    Branch::SuspendedResumed,
                ),
                disposal_asset(
                    AssetKind::RealEstate,
                    "示范区金融街6号写字楼1801室",
                    "the office",
                    1_200_000,
                    Branch::SelfDisposed,
                ),
            ],
        },
    ]
}

/// The local China instant of `date` at `hour`:00 (China keeps no daylight saving).
fn local_instant(date: NaiveDate, hour: u32) -> chrono::DateTime<chrono::Utc> {
    date.and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::hours(8)
}

/// Whole yuan, exactly.
fn yuan(amount: i64) -> Money {
    Money::from_fen(amount * 100)
}

/// What one step of a disposal's history does.
enum Act {
    /// AUC-7: every party of the case is told in writing.
    NotifyParties,
    /// A decision the law reserves to the judge or the panel.
    Judge(Command),
    /// A step the assistant records.
    Clerk(Command),
    /// FUND-1: money reaches the case's account (a bank reference is given in execution order).
    Pay(FundsSource, Money),
    /// SELF-4: the day's sweep lapses the self-disposals whose period ended unsold (chuzhi's own step).
    SweepLapse,
}

/// One step of the history: when, on which asset (its index among the disposal assets), what, and what the report
/// says of it.
struct Step {
    at: chrono::DateTime<chrono::Utc>,
    asset: usize,
    act: Act,
    note: Option<String>,
}

/// Builds one asset's steps in its own order; `Steps::into_vec` hands them to the chronological merge.
struct Steps {
    asset: usize,
    platform: Option<String>,
    list: Vec<Step>,
}

impl Steps {
    fn push(&mut self, on: NaiveDate, hour: u32, act: Act, note: Option<String>) {
        self.list.push(Step {
            at: local_instant(on, hour),
            asset: self.asset,
            act,
            note,
        });
    }

    fn judge(&mut self, on: NaiveDate, command: Command) {
        self.push(on, 10, Act::Judge(command), None);
    }

    fn clerk(&mut self, on: NaiveDate, command: Command) {
        self.push(on, 10, Act::Clerk(command), None);
    }

    fn note(&mut self, on: NaiveDate, hour: u32, act: Act, note: String) {
        self.push(on, hour, act, Some(note));
    }

    /// AUC-3, AUC-5, AUC-7, AUC-8, AUC-17: the panel plans a round on `decided`, the parties are told in writing the
    /// same day, and the announcement is published on `announce`; the bidding runs from `bidding` 10:00 for 24 hours
    /// (AUC-11); the deposit is a tenth of the starting price.
    fn round(&mut self, decided: NaiveDate, starting: i64, announce: NaiveDate, bidding: NaiveDate, balance: NaiveDate) {
        let plan = DecideAuctionPlan {
            panel: PanelDecision {
                decision_id: format!("合议-{decided}"),
                decided_on: decided,
                members: vec!["审判长甲".to_string(), "审判员乙".to_string(), "人民陪审员丙".to_string()],
            },
            platform_register: Vec::new(),
            applicant_choice: self.platform.clone(),
            court_designation: None,
            starting_price: yuan(starting),
            deposit: yuan(starting / 10),
            bid_increment: yuan(1000),
            priority_holders: Vec::new(),
            schedule: Schedule {
                announcement_on: announce,
                bidding: BiddingWindow {
                    starts_at: local_instant(bidding, 10),
                    ends_at: local_instant(bidding + Days::new(1), 10),
                },
                balance_due_on: balance,
            },
        };
        self.judge(decided, Command::DecideAuctionPlan(Box::new(plan)));
        self.push(decided, 10, Act::NotifyParties, None);
        self.clerk(announce, Command::PublishAnnouncement(PublishAnnouncement {}));
    }

    /// AUC-4: the bidding that ended on `ended` 10:00 sold; recorded at 11:00.
    fn sold(&mut self, ended: NaiveDate, buyer: &str, price: i64, note: String) {
        let sale = RecordSale {
            buyer: buyer.to_string(),
            price: yuan(price),
            bidding_ended_at: local_instant(ended, 10),
            other_bidders_paid_deposits: false,
        };
        self.note(ended, 11, Act::Clerk(Command::RecordSale(sale)), note);
    }

    /// AUC-16: the bidding that ended on `ended` 10:00 had no valid bid (流拍); recorded at 11:00.
    fn failed(&mut self, ended: NaiveDate, note: Option<String>) {
        let failure = RecordFailure {
            bidding_ended_at: local_instant(ended, 10),
            deposits_paid: false,
        };
        self.push(ended, 11, Act::Clerk(Command::RecordFailure(failure)), note);
    }

    /// AUC-15, TRAD-8, TRAD-9: the platform transfers the deposit the next day (`None` when the whole price was
    /// prepaid, SELL-6), the balance is paid on `balance_on`, the ruling served three days later, and the asset
    /// handed over three days after that.
    fn settle(&mut self, short: &str, sold_on: NaiveDate, deposit: i64, balance: Option<(NaiveDate, i64)>) {
        self.push(
            sold_on + Days::new(1),
            10,
            Act::Pay(FundsSource::DepositTransfer, yuan(deposit)),
            None,
        );
        let paid_on = match balance {
            Some((on, amount)) => {
                self.push(on, 10, Act::Pay(FundsSource::Balance, yuan(amount)), None);
                on
            }
            None => sold_on + Days::new(1),
        };
        self.hand_over(short, paid_on, "the price is paid in full into the case account (AUC-15, FUND-1)");
    }

    /// AUC-16, SELL-3, SELL-4: the first round at `first` fails, the second at 80 % of it fails too, the creditors
    /// are asked about debt in kind, and the sell-off notice is published. Returns the sell-off's first and last
    /// days (its 60 days end on a working day, PER-1).
    fn failed_twice_then_sell_off(&mut self, short: &str, day0: NaiveDate, first: i64, calendar: &Calendar) -> (NaiveDate, NaiveDate) {
        let d = |offset: u64| day0 + Days::new(offset);
        let second = first * 8 / 10;
        let config = DisposalConfig::default();
        self.round(d(0), first, d(3), d(20), d(35));
        self.failed(d(21), None);
        self.round(d(24), second, d(27), d(36), d(55));
        let note = format!("{short}: the second round fails too; the creditors are asked about debt in kind (SELL-3)");
        self.failed(d(37), Some(note));
        self.clerk(d(38), Command::AskDebtInKind(AskDebtInKind {}));
        // SELL-4: a movable's sell-off notice comes at least 7 days ahead [UNCONFIRMED, configurable].
        let starts_on = d(39) + Days::new(u64::from(config.selloff_notice_lead_days_movable) + 1);
        let ends_on = calendar.due_date(starts_on, Period::Days(config.selloff_period_days));
        let notice = PublishSellOffNotice {
            starts_on,
            platform: None,
            deposit: None,
        };
        let note = format!(
            "{short}: online sell-off (变卖) at ¥{} from {starts_on} to {ends_on} (SELL-4, SELL-5)",
            yuan(second)
        );
        self.note(d(39), 10, Act::Clerk(Command::PublishSellOffNotice(notice)), note);
        (starts_on, ends_on)
    }

    /// SELL-7: the sell-off that ended on `ends_on` had no bid; recorded the next day. Returns that day.
    fn sell_off_failed(&mut self, short: &str, ends_on: NaiveDate) -> NaiveDate {
        let failed_on = ends_on + Days::new(1);
        let failure = RecordFailure {
            bidding_ended_at: local_instant(failed_on, 0),
            deposits_paid: false,
        };
        let note = format!("{short}: the sell-off ends without a bid (SELL-7)");
        self.note(failed_on, 10, Act::Clerk(Command::RecordFailure(failure)), note);
        failed_on
    }

    /// TRAD-8, TRAD-9: the ruling three days after full payment, the handover three days after the ruling.
    fn hand_over(&mut self, short: &str, paid_on: NaiveDate, paid: &str) {
        let ruled = paid_on + Days::new(3);
        let handed = ruled + Days::new(3);
        self.clerk(
            ruled,
            Command::ServeSaleRuling(ServeSaleRuling {
                buyer_eligibility_confirmed: true,
            }),
        );
        self.note(
            handed,
            10,
            Act::Clerk(Command::RecordHandover(RecordHandover {})),
            format!("{short}: {paid}; the ruling was served on {ruled} and the asset is handed over (TRAD-8, TRAD-9)"),
        );
    }
}

/// One asset's branch as a list of steps, every date counted from `day0` and, where the law moves a last day, from
/// the legal calendar (PER-1), so the steps are lawful whatever day the demo runs. The command sequences are those
/// of the core's scenario tests (`crate::disposal::tests`).
/// AUC-14 as the disposal core allocates a forfeited deposit (all in yuan), for the demo's notes.
fn forfeit_split(deposit: i64, costs: i64, original: i64, resale: i64, claim: Money) -> crate::disposal::ForfeitAllocation {
    crate::disposal::allocate_forfeited_deposit(
        yuan(deposit),
        crate::disposal::ForfeitClaims {
            auction_cost_losses: yuan(costs),
            resale_shortfall: crate::disposal::resale_shortfall(yuan(original), yuan(resale)),
            this_case_debt: claim,
            related_debts: Money::ZERO,
        },
    )
}

fn branch_steps(asset: &DisposalAsset, applicant: &str, claim: Money, day0: NaiveDate, calendar: &Calendar, steps: &mut Steps) {
    let d = |offset: u64| day0 + Days::new(offset);
    let short = asset.short;
    // AUC-3: the first round at 80 % of the reference price; AUC-16: the second at 80 % of the first.
    let first = asset.reference_yuan * 8 / 10;
    let second = first * 8 / 10;
    let config = DisposalConfig::default();
    match asset.branch {
        Branch::SoldFirstRound => {
            let price = first + 12_000;
            steps.round(d(0), first, d(3), d(20), d(35));
            steps.sold(
                d(21),
                "竞买人甲",
                price,
                format!("{short}: sold in the first round for ¥{} (AUC-4)", yuan(price)),
            );
            steps.settle(short, d(21), first / 10, Some((d(30), price - first / 10)));
        }
        Branch::SoldSecondRound => {
            steps.round(d(0), first, d(3), d(20), d(35));
            let note = format!("{short}: the first round fails (流拍); the second is due within 30 days, at most 20 % lower (AUC-16)");
            steps.failed(d(21), Some(note));
            steps.round(d(24), second, d(27), d(36), d(55));
            steps.sold(
                d(37),
                "竞买人乙",
                second,
                format!("{short}: sold in the second round for ¥{} (AUC-16, AUC-4)", yuan(second)),
            );
            steps.settle(short, d(37), second / 10, Some((d(45), second - second / 10)));
        }
        Branch::SellOffSold => {
            let (starts_on, _) = steps.failed_twice_then_sell_off(short, day0, first, calendar);
            let bid_on = starts_on + Days::new(13);
            let bid = RecordSellOffBid {
                bidder: "竞买人丙".to_string(),
                at: local_instant(bid_on, 10),
            };
            let note = format!("{short}: a bidder who prepaid the full price bids first; the others have 24 hours (SELL-6)");
            steps.note(bid_on, 11, Act::Clerk(Command::RecordSellOffBid(bid)), note);
            // SELL-6: the window closes 24 hours after the first bid; SELL-5: the price is the second round's.
            let sold_on = bid_on + Days::new(1);
            let note = format!("{short}: sold in the sell-off for ¥{} (SELL-6)", yuan(second));
            steps.sold(sold_on, "竞买人丙", second, note);
            // SELL-6: the whole price was prepaid; its transfer is the full payment.
            steps.settle(short, sold_on, second, None);
        }
        Branch::SellOffDebtInKind => {
            let (_, ends_on) = steps.failed_twice_then_sell_off(short, day0, first, calendar);
            let decided = steps.sell_off_failed(short, ends_on) + Days::new(3);
            let claim = 200_000;
            let decision = DecideDebtInKind {
                creditors: vec![
                    DebtInKindCreditor {
                        name: "示范银行股份有限公司示范支行（抵押权人）".to_string(),
                        rank: 1,
                        claim: yuan(claim),
                    },
                    DebtInKindCreditor {
                        name: applicant.to_string(),
                        rank: 2,
                        claim: yuan(3_000_000),
                    },
                ],
                seed: None,
                price: None,
                applicant_consents: true,
                debtor_consents: false,
                harms_others: false,
                top_up_due_on: Some(decided + Days::new(20)),
                taker_purchase_eligible: true,
            };
            let note = format!(
                "{short}: the first-ranking creditor takes it in payment (以物抵债) at the sell-off price ¥{}, paying the difference ¥{} (SELL-7, TRAD-5)",
                yuan(second),
                yuan(second - claim)
            );
            steps.note(decided, 10, Act::Judge(Command::DecideDebtInKind(decision)), note);
            let paid_on = decided + Days::new(7);
            steps.push(paid_on, 10, Act::Pay(FundsSource::TopUp, yuan(second - claim)), None);
            steps.hand_over(short, paid_on, "the difference is paid into the case account (TRAD-5)");
        }
        Branch::SellOffReleased => {
            let (_, ends_on) = steps.failed_twice_then_sell_off(short, day0, first, calendar);
            let release_on = steps.sell_off_failed(short, ends_on) + Days::new(3);
            let release = Release {
                ground: ReleaseGround::NoBuyerAfterSellOff,
            };
            let note = format!("{short}: no creditor takes it in payment or to manage; the seizure is released (解除查封, SELL-7)");
            steps.note(release_on, 10, Act::Judge(Command::Release(release)), note);
        }
        Branch::BuyerDefaultResale => {
            let price = first + 5_000;
            steps.round(d(0), first, d(3), d(20), d(30));
            steps.sold(
                d(21),
                "竞买人丁",
                price,
                format!("{short}: sold in the first round for ¥{} (AUC-4)", yuan(price)),
            );
            steps.push(d(22), 10, Act::Pay(FundsSource::DepositTransfer, yuan(first / 10)), None);
            // AUC-15: the balance is due on the announced day, or the next working day (PER-1).
            let balance_due = calendar.due_date(d(21), Period::Days(9));
            let defaulted = balance_due + Days::new(1);
            let costs = 1_500;
            let note = format!(
                "{short}: the buyer did not pay the balance by {balance_due} (悔拍); the deposit ¥{} is forfeited and set apart, the auction's costs ¥{} to come first, and the asset resold at the same starting price (AUC-14)",
                yuan(first / 10),
                yuan(costs)
            );
            let default = RecordBuyerDefault {
                auction_cost_losses: yuan(costs),
            };
            steps.note(defaulted, 10, Act::Clerk(Command::RecordBuyerDefault(default)), note);
            let at = |offset: u64| defaulted + Days::new(offset);
            let resale = first + 1_000;
            steps.round(at(1), first, at(4), at(21), at(35));
            let split = forfeit_split(first / 10, costs, price, resale, claim);
            let note = format!(
                "{short}: resold for ¥{}, the defaulting buyer excluded; at its ruling the forfeited deposit pays ¥{} of costs, the ¥{} shortfall and ¥{} toward the claim (AUC-14)",
                yuan(resale),
                split.auction_cost_losses,
                split.resale_shortfall,
                split.this_case_debt
            );
            steps.sold(at(22), "竞买人戊", resale, note);
            steps.settle(short, at(22), first / 10, Some((at(30), resale - first / 10)));
        }
        Branch::SellOffBuyerBackedOut => {
            let (starts_on, _) = steps.failed_twice_then_sell_off(short, day0, first, calendar);
            let bid_on = starts_on + Days::new(5);
            let bid = RecordSellOffBid {
                bidder: "竞买人辛".to_string(),
                at: local_instant(bid_on, 10),
            };
            steps.clerk(bid_on, Command::RecordSellOffBid(bid));
            let sold_on = bid_on + Days::new(1);
            let note = format!(
                "{short}: sold in the sell-off for ¥{}, the whole price prepaid (SELL-6)",
                yuan(second)
            );
            steps.sold(sold_on, "竞买人辛", second, note);
            steps.push(
                sold_on + Days::new(1),
                10,
                Act::Pay(FundsSource::DepositTransfer, yuan(second)),
                None,
            );
            // SELL-6: the notice's deposit is the second round's (DESIGN), a tenth of its starting price here.
            let backed_out = sold_on + Days::new(3);
            let (forfeited, costs) = (second / 10, 1_000);
            let note = format!(
                "{short}: the buyer backs out before the ruling (悔拍); the notice's deposit ¥{} is forfeited and set apart, ¥{} of the prepaid price is owed back, and the sell-off is to be published again (SELL-6)",
                yuan(forfeited),
                yuan(second - forfeited)
            );
            let default = RecordBuyerDefault {
                auction_cost_losses: yuan(costs),
            };
            steps.note(backed_out, 10, Act::Clerk(Command::RecordBuyerDefault(default)), note);
            let refunded = RecordBuyerRefunded {
                buyer: "竞买人辛".to_string(),
            };
            steps.clerk(backed_out + Days::new(1), Command::RecordBuyerRefunded(refunded));
            let republished = backed_out + Days::new(2);
            let restarts = republished + Days::new(u64::from(config.selloff_notice_lead_days_movable) + 1);
            let notice = PublishSellOffNotice {
                starts_on: restarts,
                platform: None,
                deposit: None,
            };
            let note =
                format!("{short}: the sell-off is published again from {restarts}, without the buyer who backed out (SELL-6, AUC-14)");
            steps.note(republished, 10, Act::Clerk(Command::PublishSellOffNotice(notice)), note);
            let bid_on = restarts + Days::new(2);
            let bid = RecordSellOffBid {
                bidder: "竞买人壬".to_string(),
                at: local_instant(bid_on, 10),
            };
            steps.clerk(bid_on, Command::RecordSellOffBid(bid));
            let sold_on = bid_on + Days::new(1);
            let split = forfeit_split(forfeited, costs, second, second, claim);
            let note = format!(
                "{short}: sold again for ¥{}; at its ruling the forfeited deposit pays ¥{} of costs and ¥{} toward the claim (AUC-14)",
                yuan(second),
                split.auction_cost_losses,
                split.this_case_debt
            );
            steps.sold(sold_on, "竞买人壬", second, note);
            steps.settle(short, sold_on, second, None);
        }
        Branch::SuspendedResumed => {
            let price = first + 10_000;
            steps.round(d(0), first, d(3), d(20), d(35));
            let suspend = Suspend {
                kind: SuspensionKind::Stayed,
                ground: "案外人对拍卖财产提出执行异议".to_string(),
            };
            let note =
                format!("{short}: a third party objects; the announced auction is stayed (中止) and its deadlines pause (AUC-18, AUC-19)");
            steps.note(d(10), 10, Act::Judge(Command::Suspend(suspend)), note);
            let note = format!("{short}: the objection is dismissed; the auction must resume within 5 days (AUC-18)");
            steps.note(d(15), 10, Act::Judge(Command::EndSuspensionCause(EndSuspensionCause {})), note);
            let window = BiddingWindow {
                starts_at: local_instant(d(30), 10),
                ends_at: local_instant(d(31), 10),
            };
            let note = format!("{short}: resumed with a new 24-hour bidding window from {} (AUC-18, AUC-11)", d(30));
            steps.note(d(17), 10, Act::Judge(Command::Resume(Resume { bidding: Some(window) })), note);
            steps.sold(
                d(31),
                "竞买人己",
                price,
                format!("{short}: sold in the resumed round for ¥{} (AUC-4)", yuan(price)),
            );
            steps.settle(short, d(31), first / 10, Some((d(34), price - first / 10)));
        }
        Branch::SelfDisposed => {
            let buyer = "示范置业有限公司";
            let price = asset.reference_yuan + 60_000;
            let application = ApplySelfDisposal {
                grounds: "参考价明显偏低，已与买受人达成直接交易意向".to_string(),
                debtor_says_reference_too_low: true,
                court_controls_proceeds: true,
                mode: SelfDisposalMode::DirectDeal {
                    buyer: buyer.to_string(),
                    price: yuan(price),
                    applicant_consents: true,
                },
            };
            steps.clerk(d(0), Command::ApplySelfDisposal(application));
            let approval = DecideSelfDisposal {
                decision_id: format!("自行处置决定-{}", d(2)),
                approve: true,
                basis: SelfDisposalBasis::Opinion2021,
                period_days: 60,
            };
            let note = format!(
                "{short}: the debtor's direct sale to {buyer} for ¥{}, with the applicant's consent, is approved for 60 days (自行处置, SELF-2)",
                yuan(price)
            );
            steps.note(d(2), 10, Act::Judge(Command::DecideSelfDisposal(approval)), note);
            let sale = RecordSelfDisposalSale {
                buyer: buyer.to_string(),
                price: yuan(price),
                applicant_consents_below_reference: false,
            };
            steps.clerk(d(20), Command::RecordSelfDisposalSale(sale));
            steps.push(
                d(25),
                10,
                Act::Pay(FundsSource::SelfDisposalProceeds, yuan(price - 1_000_000)),
                None,
            );
            let note = format!(
                "{short}: the whole price is in the case account; the self-disposal is complete and the seizure released (SELF-4, FUND-1)"
            );
            steps.note(d(40), 10, Act::Pay(FundsSource::SelfDisposalProceeds, yuan(1_000_000)), note);
        }
        Branch::SelfDisposalLapsed => {
            let application = ApplySelfDisposal {
                grounds: "参考价明显偏低，已有意向买家，申请自行通过网络平台公开拍卖".to_string(),
                debtor_says_reference_too_low: true,
                court_controls_proceeds: true,
                mode: SelfDisposalMode::PublicOnlineAuction,
            };
            steps.clerk(d(0), Command::ApplySelfDisposal(application));
            let period_days = 30;
            let approval = DecideSelfDisposal {
                decision_id: format!("自行处置决定-{}", d(4)),
                approve: true,
                basis: SelfDisposalBasis::Opinion2021,
                period_days,
            };
            let period_ends = calendar.due_date(d(4), Period::Days(period_days));
            let note = format!("{short}: the debtor may sell it itself, by public online auction, until {period_ends} (SELF-2)");
            steps.note(d(4), 10, Act::Judge(Command::DecideSelfDisposal(approval)), note);
            let lapsed = period_ends + Days::new(1);
            let note = format!(
                "{short}: the period ended unsold; the sweep lapses the self-disposal and the court's auction is due within {} days (SELF-4)",
                config.self_disposal_restart_days
            );
            steps.note(lapsed, 9, Act::SweepLapse, note);
            let at = |offset: u64| lapsed + Days::new(offset);
            let price = first + 50_000;
            // AUC-5: real estate is announced 30 days before the bidding.
            steps.round(at(1), first, at(4), at(35), at(50));
            steps.sold(
                at(36),
                "竞买人庚",
                price,
                format!("{short}: sold in the court's auction for ¥{} (AUC-4)", yuan(price)),
            );
            steps.settle(short, at(36), first / 10, Some((at(45), price - first / 10)));
        }
    }
}

/// The disposal cases' history, every branch of issue 4 on its own asset: each asset's reference price is agreed
/// on the first day (REF-4) and its disposal started (REF-36); then the steps of all branches run merged in date
/// order, the clock set to each step's moment. Every step lies before the walked week (the demo never acts in the
/// future), and every branch ends, so nothing it leaves open comes due while the week is walked.
async fn load_disposal_history(
    engine: &Engine,
    clock: &ManualClock,
    clerk: &Principal,
    judge: &Principal,
    today: NaiveDate,
    lines: &mut Vec<String>,
) -> Outcome<()> {
    let day0 = today - Days::new(DISPOSAL_HISTORY_DAYS);
    clock.set(local_instant(day0, 9));
    let mut assets: Vec<(i64, DisposalAsset)> = Vec::new();
    let mut steps = Vec::new();
    for case in disposal_cases() {
        let demo = DemoCase {
            number: case.number,
            claim: case.claim,
            filed_days_ago: 60,
            applicant: case.applicant,
            debtor: case.debtor,
            assets: case.assets.iter().map(|asset| asset.asset.clone()).collect(),
        };
        let (_, ids) = load_case(engine, clerk, day0, &demo, lines).await?;
        for (asset_id, asset) in ids.into_iter().zip(case.assets) {
            let mut own = Steps {
                asset: assets.len(),
                platform: engine.auction_platforms.first().cloned(),
                list: Vec::new(),
            };
            let claim = Money::parse(case.claim).map_err(crate::error::Refusal::internal)?;
            branch_steps(&asset, case.applicant, claim, day0, &engine.calendar, &mut own);
            steps.extend(own.list);
            assets.push((asset_id, asset));
        }
    }
    // The history stays out of the walked week (and so out of the future).
    let walk_starts = local_instant(today - Days::new(WALK_DAYS as u64), 0);
    if steps.iter().any(|step| step.at >= walk_starts) {
        return Err(crate::error::Refusal::internal(
            "the demo's disposal history reaches into the walked week",
        ));
    }
    let mut parties = Vec::new();
    let mut accounts = Vec::new();
    for (asset_id, asset) in &assets {
        agree_reference_price(engine, clerk, *asset_id, day0 + Days::new(10), yuan(asset.reference_yuan)).await?;
        let view = engine
            .start_disposal(clerk, *asset_id, crate::engine::StartDisposalRequest::default())
            .await?;
        let names: Vec<String> = serde_json::from_value(view.state["parties"].clone()).map_err(crate::error::Refusal::internal)?;
        parties.push(names);
        accounts.push(view.state["collection_account"].as_str().unwrap_or_default().to_string());
    }
    // A stable sort: one asset's steps at the same moment keep their order.
    steps.sort_by_key(|step| step.at);
    lines.push(String::new());
    lines.push(format!(
        "  The disposals (变价) of these cases, from {day0}: every reference price agreed and every disposal started that day (REF-4, REF-36), then in date order:"
    ));
    let mut payments = 0;
    for step in steps {
        clock.set(step.at);
        let (asset_id, asset) = &assets[step.asset];
        let asset_id = *asset_id;
        let done = match step.act {
            Act::NotifyParties => {
                let mut done = Ok(());
                for party in &parties[step.asset] {
                    let notice = RecordNotice {
                        recipient: party.clone(),
                        means: NoticeMeans::Written,
                    };
                    done = engine
                        .disposal_command(clerk, asset_id, Command::RecordNotice(notice))
                        .await
                        .map(|_| ());
                    if done.is_err() {
                        break;
                    }
                }
                done
            }
            Act::Judge(command) => engine.disposal_command(judge, asset_id, command).await.map(|_| ()),
            Act::Clerk(command) => engine.disposal_command(clerk, asset_id, command).await.map(|_| ()),
            Act::Pay(source, amount) => {
                payments += 1;
                let payment = RecordPayment {
                    source,
                    amount,
                    account: accounts[step.asset].clone(),
                    bank_reference: format!("DEMO-BANK-{payments:04}"),
                };
                engine
                    .disposal_command(clerk, asset_id, Command::RecordPayment(payment))
                    .await
                    .map(|_| ())
            }
            Act::SweepLapse => engine
                .lapse_expired_self_disposals(step.at, engine.settings.sweep_limit, Some(clerk.court_id))
                .await
                .map(|_| ()),
        };
        done.map_err(|mut refusal| {
            refusal.message = format!("demo history, {} on {}: {}", asset.short, local_date(step.at), refusal.message);
            refusal
        })?;
        if let Some(note) = step.note {
            lines.push(format!("    {}  {note}", local_date(step.at)));
        }
    }
    lines.push(String::new());
    lines.push("  Where each disposal stands (one branch of issue 4 each):".to_string());
    for (asset_id, asset) in &assets {
        let view = engine.disposal(clerk, *asset_id).await?;
        let stage = match view.state["stage"]["kind"].as_str() {
            Some(kind) => format!("{} ({kind})", view.stage),
            None => view.stage.clone(),
        };
        lines.push(format!(
            "    {} — {} — stage: {stage}",
            asset.asset.description,
            asset.branch.label()
        ));
    }
    Ok(())
}

/// REF-3, REF-4: a reference price agreed by the parties, as of the clock's day.
async fn agree_reference_price(engine: &Engine, clerk: &Principal, asset_id: i64, deadline: NaiveDate, price: Money) -> Outcome<()> {
    use crate::valuation::{Command, OpenNegotiation, Precheck, RecordNegotiationResult, RecordPrecheck};
    engine.start_valuation(clerk, asset_id).await?;
    let precheck = Precheck {
        title: "登记在被执行人名下".to_string(),
        encumbrances: "无".to_string(),
        occupancy: "法院查封".to_string(),
        tax_arrears: "无".to_string(),
        defects: "未发现".to_string(),
    };
    engine
        .valuation_command(clerk, asset_id, Command::RecordPrecheck(RecordPrecheck { precheck }))
        .await?;
    engine
        .valuation_command(clerk, asset_id, Command::OpenNegotiation(OpenNegotiation { deadline }))
        .await?;
    let result = RecordNegotiationResult {
        applicant_price: Some(price),
        debtor_price: Some(price),
        validity_months: 12,
        harms_third_parties: false,
    };
    engine
        .valuation_command(clerk, asset_id, Command::RecordNegotiationResult(result))
        .await?;
    Ok(())
}

impl ManualClock {
    fn now_instant(&self) -> chrono::DateTime<chrono::Utc> {
        crate::clock::Clock::now(self)
    }
}
