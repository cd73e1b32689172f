//! `chuzhi demo`: a demonstration court with cases and seized assets at different stages, walked through the
//! past week of sweeps so a new user sees nodes and alerts at once. Later capabilities extend it.
//!
//! The demo never acts in the future and never touches another court: it registers its cases as of a week ago
//! and sweeps only its own court, day by day, up to the moment it was run.

use crate::auth::{Principal, Role};
use crate::clock::{local_date, ManualClock};
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

/// How many days before the moment of the run the disposal case's history begins: its prices are fixed then, and
/// every one of its steps lies at least a month in the past.
const DISPOSAL_HISTORY_DAYS: u64 = 60;

/// Loads the demonstration court (once, as of a week ago) and walks it through the past week of sweeps.
pub async fn run(engine: &Engine, clock: Arc<ManualClock>) -> Outcome<DemoReport> {
    let mut lines = Vec::new();
    let start = clock.now_instant();
    let today = local_date(start);
    let registered_at = start - chrono::Duration::days(WALK_DAYS);
    let mut tokens = Vec::new();
    let mut negotiating = None;
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
                "Created the demonstration court {DEMO_COURT_NAME} ({DEMO_COURT_CODE}) as of {history_from}; its disposal case's history runs from then, the other cases are registered as of {}.",
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
                let assets = load_case(engine, &clerk, today, &case, &mut lines).await?;
                first_asset = first_asset.or(assets.first().copied());
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

/// Registers a demo case and its assets; returns the ids of its assets, in order.
async fn load_case(engine: &Engine, clerk: &Principal, today: NaiveDate, case: &DemoCase, lines: &mut Vec<String>) -> Outcome<Vec<i64>> {
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
    Ok(asset_ids)
}

/// The case whose assets show the disposal's branches (AUC, SELF, TRAD): a forklift sold in the first round and
/// handed over, a lorry whose first round failed and whose second round is announced, and a shop in the debtor's
/// approved self-disposal.
fn disposal_case() -> DemoCase {
    DemoCase {
        number: "(2026)示0102执150号",
        claim: "2000000.00",
        filed_days_ago: 120,
        applicant: "示范租赁有限公司",
        debtor: "示范机械制造有限公司",
        assets: vec![
            DemoAsset {
                kind: AssetKind::Movable,
                description: "叉车两台（合力CPCD30）",
                seized_days_ago: 90,
                high_value_or_complex: false,
            },
            DemoAsset {
                kind: AssetKind::Vehicle,
                description: "重型货车 示B·67890",
                seized_days_ago: 90,
                high_value_or_complex: false,
            },
            DemoAsset {
                kind: AssetKind::RealEstate,
                description: "示范区工业路18号商铺",
                seized_days_ago: 90,
                high_value_or_complex: true,
            },
        ],
    }
}

/// The local China instant of `date` at `hour`:00 (China keeps no daylight saving).
fn local_instant(date: NaiveDate, hour: u32) -> chrono::DateTime<chrono::Utc> {
    date.and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::hours(8)
}

fn yuan(text: &str) -> Outcome<Money> {
    Money::parse(text).map_err(crate::error::Refusal::internal)
}

/// The disposal case's history, step by step in date order, every step at least a month before the run (the demo
/// never acts in the future). Each asset's reference price is agreed on the first day (REF-4); nothing it leaves
/// open comes due during the walked week, so the week's sweeps show only the other cases.
async fn load_disposal_history(
    engine: &Engine,
    clock: &ManualClock,
    clerk: &Principal,
    judge: &Principal,
    today: NaiveDate,
    lines: &mut Vec<String>,
) -> Outcome<()> {
    use crate::disposal::{
        ApplySelfDisposal, BiddingWindow, Command, DecideAuctionPlan, DecideSelfDisposal, FundsSource, NoticeMeans, PanelDecision,
        PublishAnnouncement, RecordFailure, RecordHandover, RecordNotice, RecordPayment, RecordSale, Schedule, SelfDisposalBasis,
        SelfDisposalMode, ServeSaleRuling,
    };
    let day0 = today - Days::new(DISPOSAL_HISTORY_DAYS);
    let day = |offset: u64| day0 + Days::new(offset);
    let at = |offset: u64, hour: u32| local_instant(day0 + Days::new(offset), hour);
    clock.set(at(0, 10));
    let assets = load_case(engine, clerk, today, &disposal_case(), lines).await?;
    let [forklift, lorry, shop] = assets[..] else {
        return Err(crate::error::Refusal::internal("the disposal case has three assets"));
    };
    for (asset_id, price) in [(forklift, "200000.00"), (lorry, "300000.00"), (shop, "2500000.00")] {
        agree_reference_price(engine, clerk, asset_id, day(10), yuan(price)?).await?;
    }
    let mut parties = Vec::new();
    for asset_id in [forklift, lorry, shop] {
        let view = engine
            .start_disposal(clerk, asset_id, crate::engine::StartDisposalRequest::default())
            .await?;
        parties = serde_json::from_value(view.state["parties"].clone()).map_err(crate::error::Refusal::internal)?;
    }
    let account = crate::store::registry::case_in_court(&engine.db, clerk.court_id, {
        let asset = crate::store::registry::asset_in_court(&engine.db, clerk.court_id, forklift).await?;
        asset.map(|asset| asset.case_id).unwrap_or_default()
    })
    .await?
    .map(|case| case.collection_account)
    .unwrap_or_default();
    let plan = |decided: u64, starting: &str, deposit: &str, announce: u64, bidding: u64, balance: u64| -> Outcome<Command> {
        Ok(Command::DecideAuctionPlan(Box::new(DecideAuctionPlan {
            panel: PanelDecision {
                decision_id: format!("合议-{}", day(decided)),
                decided_on: day(decided),
                members: vec!["审判长甲".to_string(), "审判员乙".to_string(), "人民陪审员丙".to_string()],
            },
            platform_register: Vec::new(),
            applicant_choice: engine.auction_platforms.first().cloned(),
            court_designation: None,
            starting_price: yuan(starting)?,
            deposit: yuan(deposit)?,
            bid_increment: yuan("1000.00")?,
            priority_holders: Vec::new(),
            schedule: Schedule {
                announcement_on: day(announce),
                bidding: BiddingWindow {
                    starts_at: at(bidding, 10),
                    ends_at: at(bidding + 1, 10),
                },
                balance_due_on: day(balance),
            },
        })))
    };
    let notify = |recipient: &String| {
        Command::RecordNotice(RecordNotice {
            recipient: recipient.clone(),
            means: NoticeMeans::Written,
        })
    };
    // AUC-3, AUC-5, AUC-7, AUC-8, AUC-17: the panel plans both movables' first rounds at 80 % of the reference
    // price; the parties are told in writing; the debtor asks to sell the shop itself (SELF-2).
    engine
        .disposal_command(judge, forklift, plan(0, "160000.00", "16000.00", 3, 20, 35)?)
        .await?;
    engine
        .disposal_command(judge, lorry, plan(0, "240000.00", "24000.00", 3, 20, 35)?)
        .await?;
    for asset_id in [forklift, lorry] {
        for party in &parties {
            engine.disposal_command(clerk, asset_id, notify(party)).await?;
        }
    }
    let application = ApplySelfDisposal {
        grounds: "参考价明显偏低，已有意向买家，申请自行通过网络平台公开拍卖".to_string(),
        debtor_says_reference_too_low: true,
        court_controls_proceeds: true,
        mode: SelfDisposalMode::PublicOnlineAuction,
    };
    engine
        .disposal_command(clerk, shop, Command::ApplySelfDisposal(application))
        .await?;
    clock.set(at(3, 10));
    for asset_id in [forklift, lorry] {
        engine
            .disposal_command(clerk, asset_id, Command::PublishAnnouncement(PublishAnnouncement {}))
            .await?;
    }
    clock.set(at(4, 10));
    let approval = DecideSelfDisposal {
        decision_id: format!("自行处置决定-{}", day(4)),
        approve: true,
        basis: SelfDisposalBasis::Opinion2021,
        period_days: 90,
    };
    engine.disposal_command(judge, shop, Command::DecideSelfDisposal(approval)).await?;
    // AUC-4: the forklifts sell in the first round; AUC-16: the lorry's round fails (流拍).
    clock.set(at(21, 11));
    let sale = RecordSale {
        buyer: "竞买人甲".to_string(),
        price: yuan("172000.00")?,
        bidding_ended_at: at(21, 10),
        other_bidders_paid_deposits: false,
    };
    engine.disposal_command(clerk, forklift, Command::RecordSale(sale)).await?;
    let failure = RecordFailure {
        bidding_ended_at: at(21, 10),
        deposits_paid: false,
    };
    engine.disposal_command(clerk, lorry, Command::RecordFailure(failure)).await?;
    clock.set(at(22, 10));
    let payment = |source: FundsSource, amount: &str, reference: &str| -> Outcome<Command> {
        Ok(Command::RecordPayment(RecordPayment {
            source,
            amount: yuan(amount)?,
            account: account.clone(),
            bank_reference: reference.to_string(),
        }))
    };
    engine
        .disposal_command(
            clerk,
            forklift,
            payment(FundsSource::DepositTransfer, "16000.00", "DEMO-PLAT-0001")?,
        )
        .await?;
    // AUC-16: the second round within 30 days, at most 20 % lower, 7 days' notice for a movable.
    clock.set(at(24, 10));
    engine
        .disposal_command(judge, lorry, plan(24, "192000.00", "19200.00", 27, 36, 55)?)
        .await?;
    for party in &parties {
        engine.disposal_command(clerk, lorry, notify(party)).await?;
    }
    clock.set(at(27, 10));
    engine
        .disposal_command(clerk, lorry, Command::PublishAnnouncement(PublishAnnouncement {}))
        .await?;
    // AUC-15, TRAD-8, TRAD-9: the balance, the ruling, the handover.
    clock.set(at(30, 10));
    engine
        .disposal_command(clerk, forklift, payment(FundsSource::Balance, "156000.00", "DEMO-BANK-0002")?)
        .await?;
    clock.set(at(33, 10));
    let ruling = ServeSaleRuling {
        buyer_eligibility_confirmed: true,
    };
    engine.disposal_command(clerk, forklift, Command::ServeSaleRuling(ruling)).await?;
    clock.set(at(36, 10));
    engine
        .disposal_command(clerk, forklift, Command::RecordHandover(RecordHandover {}))
        .await?;
    lines.push(format!(
        "    {}  the shop is in the debtor's approved self-disposal for 90 days (SELF-2)",
        day(4)
    ));
    lines.push(format!(
        "    {}  forklifts sold in the first round for ¥172000.00, paid into the case account, ruling served and handed over (AUC-4, AUC-15, TRAD-8, TRAD-9)",
        day(21)
    ));
    lines.push(format!(
        "    {}  the lorry's first round failed; the second round, 20 % lower, is announced on {} (AUC-16)",
        day(21),
        day(27)
    ));
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
