//! The `chuzhi` command line: parse, set up tracing, load configuration, run the subcommand.

use anyhow::Context;
use chuzhi::auth::Role;
use chuzhi::calendar::{cli::CalendarCommand, Calendar};
use chuzhi::clock::{parse_instant, Clock, ManualClock, SystemClock};
use chuzhi::config::Config;
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "chuzhi",
    version,
    about = "处置 — deadlines, interception and exact money for the disposal of seized assets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The HTTP API and the scheduled sweeps (default: ./chuzhi.db, 127.0.0.1:8080).
    Serve,
    /// Apply the migrations to the configured database.
    Migrate,
    /// One sweep (until nothing due is left), as of now or of --at; prints the alerts it raised.
    Sweep {
        /// RFC 3339 instant, or a date (09:00 China time).
        #[arg(long, value_parser = parse_instant)]
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The daily digest, and the monthly reconciliation of the month just ended if not yet recorded (FUND-2), as of
    /// now or of --at: what `serve` runs every day.
    Digest {
        #[arg(long, value_parser = parse_instant)]
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The legal calendar (PER, HOL).
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Courts.
    Court {
        #[command(subcommand)]
        command: CourtCommand,
    },
    /// Bearer tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import a bank statement (CSV, MT940, camt.053) into the execution-fund ledger; lines imported before post
    /// nothing again (FUND-1, FUND-3).
    ImportStatement {
        /// The statement file.
        file: std::path::PathBuf,
        /// The court's code (its collection accounts' prefix).
        #[arg(long)]
        court: String,
        /// csv, mt940 or camt053; detected from the content when absent.
        #[arg(long)]
        format: Option<chuzhi::statements::StatementFormat>,
        /// A CSV layout file (JSON); default: CHUZHI_CSV_LAYOUT or the built-in one.
        #[arg(long)]
        layout: Option<std::path::PathBuf>,
        /// Who runs the import, for the audit log.
        #[arg(long, default_value = "cli")]
        operator: String,
        #[arg(long, value_parser = parse_instant)]
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Load a demonstration court and walk it through a week of sweeps.
    Demo {
        #[arg(long, value_parser = parse_instant)]
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; names the first broken link.
    Verify,
}

#[derive(Subcommand)]
enum CourtCommand {
    /// Register a court; its code (4–12 digits) prefixes its collection account numbers.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for a user of a court with a role; prints the token once.
    Create {
        #[arg(long)]
        court: String,
        #[arg(long)]
        user: String,
        #[arg(long, value_parser = |text: &str| text.parse::<Role>())]
        role: Role,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Calendar { command } = &cli.command {
        return calendar(command);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let mut config = config;
    if !matches!(cli.command, Command::Serve) && std::env::var_os("CHUZHI_LOG").is_none() {
        // One-shot commands print their own results; only warnings and errors go to the log.
        config.log_filter = "warn".to_string();
    }
    init_tracing(&config);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn calendar(command: &CalendarCommand) -> ExitCode {
    let directory = std::env::var_os("CHUZHI_CALENDAR_DIR")
        .filter(|dir| !dir.is_empty())
        .map(std::path::PathBuf::from);
    match Calendar::load(directory.as_deref()) {
        Ok(calendar) => {
            println!("{}", chuzhi::calendar::cli::run(&calendar, command));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    let refused = |refusal: chuzhi::error::Refusal| anyhow::anyhow!("{} ({})", refusal.message, refusal.code.as_str());
    match command {
        Command::Calendar { .. } => unreachable!("handled before the runtime starts"),
        Command::Serve => {
            let engine = chuzhi::open(&config, Arc::new(SystemClock)).await?;
            chuzhi::serve::serve(&config, engine).await?;
        }
        Command::Migrate => {
            chuzhi::open(&config, Arc::new(SystemClock)).await?;
            println!("migrations applied to {}", chuzhi::config::redact_url(&config.database_url));
        }
        Command::Sweep { at } => {
            let clock: Arc<dyn Clock> = match at {
                Some(at) => Arc::new(ManualClock::new(at)),
                None => Arc::new(SystemClock),
            };
            let engine = chuzhi::open(&config, clock.clone()).await?;
            let reports = engine.sweep_all(clock.now()).await.map_err(refused)?;
            let mut raised = 0;
            for report in &reports {
                let Some(seq) = report.sweep_seq else { continue };
                for alert in chuzhi::store::nodes::alerts_of_sweep(&engine.db, seq).await? {
                    raised += 1;
                    println!(
                        "{}\t{}\t{}\tnode {}\tcase {}\tdue {}\t{}",
                        alert.as_of, alert.kind, alert.rule_id, alert.node_id, alert.case_id, alert.due_date, alert.audience
                    );
                }
            }
            println!("sweep as of {}: {raised} alerts raised", chuzhi::clock::local_date(clock.now()));
        }
        Command::Digest { at } => {
            let now = at.unwrap_or_else(|| SystemClock.now());
            let engine = chuzhi::open(&config, Arc::new(ManualClock::new(now))).await?;
            let report = engine.digest(now).await.map_err(refused)?;
            println!(
                "{} digests sent; {} of them report unidentified funds past their claim deadline (FUND-3)",
                report.digests_sent, report.suspense_overdue_courts
            );
            let monthly = engine.reconcile_last_month(now).await.map_err(refused)?;
            println!(
                "reconciliation of {}: {} bank accounts recorded, {} of them not reconciled, {} recorded before, {} waiting for the month's last statement, {} failed (FUND-2)",
                monthly.month,
                monthly.recorded,
                monthly.not_reconciled,
                monthly.already_recorded,
                monthly.waiting_for_statements,
                monthly.failed
            );
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let engine = chuzhi::open(&config, Arc::new(SystemClock)).await?;
            match engine.verify_audit().await? {
                chuzhi::audit::Verification::Intact { events } => println!("audit chain intact: {events} events"),
                chuzhi::audit::Verification::Broken { seq, problem } => {
                    println!("audit chain BROKEN at event {seq}: {problem}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Court {
            command: CourtCommand::Add { code, name },
        } => {
            let engine = chuzhi::open(&config, Arc::new(SystemClock)).await?;
            let id = engine.create_court(&code, &name).await.map_err(refused)?;
            println!("court {code} registered (id {id})");
        }
        Command::Token {
            command: TokenCommand::Create { court, user, role },
        } => {
            let engine = chuzhi::open(&config, Arc::new(SystemClock)).await?;
            let token = engine.create_token(&court, &user, role).await.map_err(refused)?;
            println!("{token}");
        }
        Command::ImportStatement {
            file,
            court,
            format,
            layout,
            operator,
            at,
        } => {
            let clock: Arc<dyn Clock> = match at {
                Some(at) => Arc::new(ManualClock::new(at)),
                None => Arc::new(SystemClock),
            };
            let engine = chuzhi::open(&config, clock).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let layout = match layout {
                Some(path) => {
                    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                    Some(chuzhi::statements::CsvLayout::from_json(&text).map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?)
                }
                None => None,
            };
            let name = file.file_name().and_then(|name| name.to_str());
            let report = engine
                .import_statement_file(&court, &operator, &bytes, format, name, layout.as_ref())
                .await
                .map_err(refused)?;
            println!(
                "{} lines: {} new, {} imported before; {} by collection account, {} by case number, {} to suspense (不明款), {} debits; {} yuan to cases, {} yuan in suspense",
                report.lines_total,
                report.lines_new,
                report.already_imported,
                report.matched_by_collection_account,
                report.matched_by_case_number,
                report.to_suspense,
                report.debits,
                report.credited_to_cases,
                report.held_in_suspense
            );
            if report.cash_deposits_cleared + report.cash_deposits_mismatched > 0 {
                println!(
                    "cash deposits (FUND-2): {} cleared from in transit, {} with finance's reference but another amount or case",
                    report.cash_deposits_cleared, report.cash_deposits_mismatched
                );
            }
        }
        Command::Demo { at } => {
            let clock = Arc::new(ManualClock::new(at.unwrap_or_else(|| SystemClock.now())));
            let engine = chuzhi::open(&config, clock.clone()).await.context("opening the database")?;
            let report = chuzhi::demo::run(&engine, clock).await.map_err(refused)?;
            for line in report.lines {
                println!("{line}");
            }
            println!();
            println!("Tokens for the demonstration court (Authorization: Bearer <token>):");
            for (role, token) in report.tokens {
                println!("  {:<10} {token}", role.as_str());
            }
            println!();
            println!("Next: chuzhi serve, then curl -H 'Authorization: Bearer <token>' http://127.0.0.1:8080/api/v1/nodes");
        }
    }
    Ok(ExitCode::SUCCESS)
}
