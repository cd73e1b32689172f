//! chuzhi (处置): the clocks, the interception and the money of the disposal of seized assets in Chinese courts'
//! execution departments. `main.rs` is a thin CLI over this library.

/// The hash-chained audit log (SPEC §3.4).
pub mod audit;
/// Bearer tokens, roles and permissions.
pub mod auth;
/// PER, HOL: the legal calendar, working days and periods, with explanations.
pub mod calendar;
/// Time as an input: the clock and China's local date.
pub mod clock;
/// Every setting, documented, with its default.
pub mod config;
/// Strict `YYYY-MM-DD` dates at the edge.
pub mod date;
/// The demonstration court of `chuzhi demo`.
pub mod demo;
/// AUC, SELL, SELF, TRAD: auctions, sell-off, debt in kind, self-disposal (pure).
pub mod disposal;
/// Commands: load, decide in the domain, write state + nodes + audit + outbox in one transaction.
pub mod engine;
/// The closed list of outcome codes.
pub mod error;
/// The HTTP API, its error edge and its OpenAPI document.
pub mod http;
/// Exact money in fen.
pub mod money;
/// Deadline nodes and their alert stages (pure).
pub mod nodes;
/// Cases, parties, seized assets, collection account numbers (pure).
pub mod registry;
/// `chuzhi serve`: the API and the scheduled sweeps.
pub mod serve;
/// Bank statements (CSV, MT940, camt.053) into one line type, and matching credits to cases (pure).
pub mod statements;
/// SQLite and PostgreSQL behind one interface.
pub mod store;
/// REF: the reference-price lifecycle of a seized asset (pure).
pub mod valuation;

use std::sync::Arc;

/// Connects to the configured database, applies its migrations, loads the calendar and builds the engine.
pub async fn open(config: &config::Config, clock: Arc<dyn clock::Clock>) -> anyhow::Result<engine::Engine> {
    let calendar = calendar::Calendar::load(config.calendar_dir.as_deref())?;
    let db = store::Db::connect(&config.database_url, config.db_max_connections).await?;
    db.migrate().await?;
    let mut engine = engine::Engine::new(db, Arc::new(calendar), clock, engine::Settings::from(config));
    if let Some(file) = &config.inquiry_platforms_file {
        let text =
            std::fs::read_to_string(file).map_err(|error| anyhow::anyhow!("CHUZHI_INQUIRY_PLATFORMS {}: {error}", file.display()))?;
        let platforms = engine::PlatformRegister::parse(&text)
            .map_err(|error| anyhow::anyhow!("CHUZHI_INQUIRY_PLATFORMS {}: {error}", file.display()))?;
        engine.inquiry_platforms = Arc::new(platforms);
    }
    if let Some(file) = &config.appraisal_agencies_file {
        let text =
            std::fs::read_to_string(file).map_err(|error| anyhow::anyhow!("CHUZHI_APPRAISAL_AGENCIES {}: {error}", file.display()))?;
        let register = engine::AgencyRegister::parse(&text)
            .map_err(|error| anyhow::anyhow!("CHUZHI_APPRAISAL_AGENCIES {}: {error}", file.display()))?;
        engine.appraisal_agencies = Arc::new(register);
    }
    let recomputed = engine
        .reconcile_calendar()
        .await
        .map_err(|refusal| anyhow::anyhow!("recomputing nodes: {}", refusal.message))?;
    if recomputed > 0 {
        tracing::info!(recomputed, "nodes recomputed against the loaded holiday schedules (PER-10)");
    }
    Ok(engine)
}
