//! `chuzhi serve`: the HTTP API plus the scheduled sweep and daily digest, with graceful shutdown.

use crate::clock::china_offset;
use crate::config::Config;
use crate::engine::Engine;
use crate::http::{router, AppState};
use std::future::Future;
use std::str::FromStr;
use tokio::sync::watch;

pub async fn serve(config: &Config, engine: Engine) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.bind).await?;
    tracing::info!(address = %listener.local_addr()?, backend = ?engine.db.backend(), "chuzhi is serving");
    let (stop_sender, stop) = watch::channel(false);
    let sweeper = tokio::spawn(scheduled(
        config.sweep_cron.clone(),
        stop.clone(),
        engine.clone(),
        |engine| async move {
            let now = engine.now();
            match engine.sweep_all(now).await {
                Ok(reports) => {
                    let raised: u64 = reports.iter().map(|report| report.alerts_raised()).sum();
                    tracing::info!(raised, "scheduled sweep");
                }
                Err(refusal) => tracing::error!(error = %refusal, "scheduled sweep failed"),
            }
        },
    ));
    let digester = tokio::spawn(scheduled(
        config.digest_cron.clone(),
        stop.clone(),
        engine.clone(),
        |engine| async move {
            let now = engine.now();
            match engine.digest(now).await {
                Ok(report) => tracing::info!(sent = report.digests_sent, "daily digest"),
                Err(refusal) => tracing::error!(error = %refusal, "daily digest failed"),
            }
            // FUND-2: the month just ended, once per bank account (a day missed is caught up the next day).
            match engine.reconcile_last_month(now).await {
                Ok(report) => tracing::info!(
                    month = %report.month,
                    recorded = report.recorded,
                    not_reconciled = report.not_reconciled,
                    waiting = report.waiting_for_statements,
                    failed = report.failed,
                    "monthly reconciliation"
                ),
                Err(refusal) => tracing::error!(error = %refusal, "monthly reconciliation failed"),
            }
        },
    ));
    let app = router(AppState { engine: engine.clone() });
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    let _ = stop_sender.send(true);
    let _ = tokio::join!(sweeper, digester);
    engine.db.close().await;
    tracing::info!("chuzhi stopped");
    Ok(())
}

/// Runs `job` at each time of the cron expression, read in Asia/Shanghai, until told to stop.
async fn scheduled<F, Fut>(expression: String, mut stop: watch::Receiver<bool>, engine: Engine, job: F)
where
    F: Fn(Engine) -> Fut,
    Fut: Future<Output = ()>,
{
    let schedule = match cron::Schedule::from_str(&expression) {
        Ok(schedule) => schedule,
        Err(error) => {
            tracing::error!(%expression, %error, "invalid cron expression; this job will not run");
            return;
        }
    };
    loop {
        let now = engine.now();
        let Some(next) = next_fire(&schedule, now) else { return };
        let wait = (next - now).to_std().unwrap_or_default();
        tokio::select! {
            _ = tokio::time::sleep(wait) => job(engine.clone()).await,
            _ = stop.changed() => return,
        }
    }
}

/// The next time a cron schedule fires after `after`, reading its fields in Asia/Shanghai (SPEC §3.2: the digest
/// at 08:30 Beijing time).
pub fn next_fire(schedule: &cron::Schedule, after: chrono::DateTime<chrono::Utc>) -> Option<chrono::DateTime<chrono::Utc>> {
    schedule
        .after(&after.with_timezone(&china_offset()))
        .next()
        .map(|next| next.with_timezone(&chrono::Utc))
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_fires_at_half_past_eight_beijing_time() {
        let schedule = cron::Schedule::from_str(&Config::default().digest_cron).unwrap();
        let after = crate::clock::parse_instant("2026-03-02T08:00:00+08:00").unwrap();
        assert_eq!(next_fire(&schedule, after).unwrap().to_rfc3339(), "2026-03-02T00:30:00+00:00");
        let after = crate::clock::parse_instant("2026-03-02T08:31:00+08:00").unwrap();
        assert_eq!(next_fire(&schedule, after).unwrap().to_rfc3339(), "2026-03-03T00:30:00+00:00");
    }

    #[test]
    fn the_sweep_fires_every_five_minutes() {
        let schedule = cron::Schedule::from_str(&Config::default().sweep_cron).unwrap();
        let after = crate::clock::parse_instant("2026-03-02T08:02:10+08:00").unwrap();
        assert_eq!(next_fire(&schedule, after).unwrap().to_rfc3339(), "2026-03-02T00:05:00+00:00");
    }
}
