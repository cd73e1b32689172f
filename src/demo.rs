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
            clock.set(registered_at);
            engine.create_court(DEMO_COURT_CODE, DEMO_COURT_NAME).await?;
            lines.push(format!(
                "Created the demonstration court {DEMO_COURT_NAME} ({DEMO_COURT_CODE}), registering its cases as of {}.",
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
            let mut first_asset = None;
            for case in demo_cases() {
                let asset = load_case(engine, &clerk, today, &case, &mut lines).await?;
                first_asset = first_asset.or(asset);
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

/// Registers a demo case and its assets; returns the id of its first asset.
async fn load_case(engine: &Engine, clerk: &Principal, today: NaiveDate, case: &DemoCase, lines: &mut Vec<String>) -> Outcome<Option<i64>> {
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
    let mut first_asset = None;
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
        first_asset = first_asset.or(Some(detail.asset.id));
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
    Ok(first_asset)
}

impl ManualClock {
    fn now_instant(&self) -> chrono::DateTime<chrono::Utc> {
        crate::clock::Clock::now(self)
    }
}
