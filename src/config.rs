//! Every setting chuzhi reads, with its default (STYLE habit 13). The README's configuration table mirrors this file.

use std::fmt;
use std::path::PathBuf;

/// Typed configuration, read from the environment. `Debug` redacts the database password.
#[derive(Clone)]
pub struct Config {
    /// `CHUZHI_DATABASE_URL`, else `DATABASE_URL`; default `sqlite://chuzhi.db`. A `postgres://…` URL selects PostgreSQL.
    pub database_url: String,
    /// `CHUZHI_BIND`: where `serve` listens; default `127.0.0.1:8080`.
    pub bind: String,
    /// `CHUZHI_SWEEP_CRON`: when `serve` sweeps, a cron expression with seconds, in Asia/Shanghai; default every 5 minutes.
    pub sweep_cron: String,
    /// `CHUZHI_DIGEST_CRON`: when `serve` sends the daily digest, in Asia/Shanghai; default 08:30 every day.
    pub digest_cron: String,
    /// `CHUZHI_SWEEP_LIMIT`: the most nodes one sweep handles; the rest wait for the next tick. Default 10000.
    pub sweep_limit: u32,
    /// `CHUZHI_UPCOMING_WORKING_DAYS`: how many working days before its due date a node raises an "upcoming" alert (SPEC §3.2). Default 3.
    pub upcoming_working_days: u32,
    /// `CHUZHI_SEIZURE_RENEWAL_LEAD_WORKING_DAYS`: how early the seizure-expiry node (SEIZ-1) reminds staff to renew. Default 20.
    pub seizure_renewal_lead_working_days: u32,
    /// `CHUZHI_CALENDAR_DIR`: a folder of holiday schedules (`YYYY.json`) loaded over the built-in ones. Default none.
    pub calendar_dir: Option<PathBuf>,
    /// `CHUZHI_INQUIRY_PLATFORMS`: a JSON file with the SPC's register of online-inquiry platforms (REF-9, REF-10), in
    /// the format of `fixtures/registers/inquiry_platforms.json`. Default: that file, built in.
    pub inquiry_platforms_file: Option<PathBuf>,
    /// `CHUZHI_APPRAISAL_AGENCIES`: a JSON file with the register of appraisal agencies by sub-list (REF-18), in the
    /// format of `fixtures/registers/appraisal_agencies.json`. Default: that file (sample data), built in.
    pub appraisal_agencies_file: Option<PathBuf>,
    /// `CHUZHI_AUCTION_PLATFORMS`: a JSON file with the SPC's list of online judicial auction platforms (AUC-2), in the
    /// format of `fixtures/registers/auction_platforms.json`. Default: that file, built in.
    pub auction_platforms_file: Option<PathBuf>,
    /// `CHUZHI_SUSPENSE_CLAIM_PERIOD`: how long finance has to claim unidentified funds into their case (FUND-3, a
    /// local rule), as a period: "3wd" working days, "5d" calendar days. Default 3wd.
    pub suspense_claim_period: crate::calendar::Period,
    /// `CHUZHI_CSV_LAYOUT`: a JSON file with the columns of the court's bank's CSV statements, in the format of
    /// `fixtures/statements/csv_layout.json`. Default: that file, built in.
    pub csv_layout_file: Option<PathBuf>,
    /// `CHUZHI_PAYOUT_PROFILE`: the payout deadlines. `regional2024` (default; FUND-5, item 22 of the 2021 opinion):
    /// the payment notice goes to finance within 10 working days of the funds' arrival, and finance pays within 5
    /// working days of the notice. `spc2017` (FUND-4, 款物规定): the payout is completed within 30 days of finance's
    /// arrival notice.
    pub payout_profile: crate::ledger::PayoutDeadlineProfile,
    /// `CHUZHI_APPROVAL_MATRIX`: a JSON file mapping court codes to payout approval matrices (FUND-8), e.g.
    /// `{"370102": {"tiers": [{"up_to": "100000.00", "roles": ["case_officer", "fund_manager", "bureau_head"]},
    /// {"up_to": null, "roles": ["case_officer", "fund_manager", "bureau_head", "vice_president"]}]}}`. Courts not
    /// listed, and every court by default, use that matrix (the local rules' ¥100,000 threshold). The positions are
    /// held by: case_officer ← judge or assistant, fund_manager ← finance, bureau_head and vice_president ← supervisor.
    pub approval_matrices: std::collections::BTreeMap<String, crate::ledger::ApprovalMatrix>,
    /// `CHUZHI_PAYOUT_DELAY_CLEARED_DAYS`: calendar days to pay out after the ground of a delay (延缓发放) is cleared
    /// (FUND-6, UNCONFIRMED). Default 10.
    pub payout_delay_cleared_days: u32,
    /// `CHUZHI_DB_MAX_CONNECTIONS`: the connection pool's size. Default 8.
    pub db_max_connections: u32,
    /// `CHUZHI_LOG`: the tracing filter; default `info`. `CHUZHI_LOG_FORMAT=json` logs JSON lines.
    pub log_filter: String,
    pub log_json: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://chuzhi.db".to_string(),
            bind: "127.0.0.1:8080".to_string(),
            sweep_cron: "0 */5 * * * *".to_string(),
            digest_cron: "0 30 8 * * *".to_string(),
            sweep_limit: 10_000,
            upcoming_working_days: 3,
            seizure_renewal_lead_working_days: 20,
            calendar_dir: None,
            inquiry_platforms_file: None,
            appraisal_agencies_file: None,
            auction_platforms_file: None,
            suspense_claim_period: crate::calendar::Period::WorkingDays(3),
            csv_layout_file: None,
            payout_profile: crate::ledger::PayoutDeadlineProfile::Regional2024,
            approval_matrices: std::collections::BTreeMap::new(),
            payout_delay_cleared_days: crate::ledger::DELAY_CLEARED_PAYOUT_DAYS,
            db_max_connections: 8,
            log_filter: "info".to_string(),
            log_json: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {name} = '{value}': {expected}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub expected: String,
}

impl Config {
    /// Reads the environment over the defaults. A value that cannot be used is an error that names the variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config = Config::default();
        let database_variable = if lookup("CHUZHI_DATABASE_URL").is_some() {
            "CHUZHI_DATABASE_URL"
        } else {
            "DATABASE_URL"
        };
        if let Some(url) = lookup("CHUZHI_DATABASE_URL").or_else(|| lookup("DATABASE_URL")) {
            config.database_url = url;
        }
        if let Some(bind) = lookup("CHUZHI_BIND") {
            if bind.parse::<std::net::SocketAddr>().is_err() {
                return Err(ConfigError {
                    name: "CHUZHI_BIND",
                    value: bind,
                    expected: "an address and port like 127.0.0.1:8080".to_string(),
                });
            }
            config.bind = bind;
        }
        if let Some(cron) = lookup("CHUZHI_SWEEP_CRON") {
            config.sweep_cron = cron;
        }
        if let Some(cron) = lookup("CHUZHI_DIGEST_CRON") {
            config.digest_cron = cron;
        }
        let number = |name: &'static str, default: u32, range: std::ops::RangeInclusive<u32>| -> Result<u32, ConfigError> {
            match lookup(name) {
                None => Ok(default),
                Some(value) => value.trim().parse::<u32>().ok().filter(|n| range.contains(n)).ok_or(ConfigError {
                    name,
                    value,
                    expected: format!("a whole number from {} to {}", range.start(), range.end()),
                }),
            }
        };
        config.sweep_limit = number("CHUZHI_SWEEP_LIMIT", config.sweep_limit, 1..=1_000_000)?;
        config.upcoming_working_days = number("CHUZHI_UPCOMING_WORKING_DAYS", config.upcoming_working_days, 0..=60)?;
        config.seizure_renewal_lead_working_days = number(
            "CHUZHI_SEIZURE_RENEWAL_LEAD_WORKING_DAYS",
            config.seizure_renewal_lead_working_days,
            0..=250,
        )?;
        config.db_max_connections = number("CHUZHI_DB_MAX_CONNECTIONS", config.db_max_connections, 1..=512)?;
        config.payout_delay_cleared_days = number("CHUZHI_PAYOUT_DELAY_CLEARED_DAYS", config.payout_delay_cleared_days, 1..=365)?;
        if let Some(value) = lookup("CHUZHI_PAYOUT_PROFILE") {
            config.payout_profile = match value.trim() {
                "regional2024" => crate::ledger::PayoutDeadlineProfile::Regional2024,
                "spc2017" => crate::ledger::PayoutDeadlineProfile::Spc2017,
                _ => {
                    return Err(ConfigError {
                        name: "CHUZHI_PAYOUT_PROFILE",
                        value,
                        expected: "regional2024 (FUND-5) or spc2017 (FUND-4)".to_string(),
                    })
                }
            };
        }
        if let Some(file) = lookup("CHUZHI_APPROVAL_MATRIX").filter(|file| !file.is_empty()) {
            let read = std::fs::read_to_string(&file).map_err(|error| error.to_string());
            config.approval_matrices = read
                .and_then(|text| crate::engine::payouts::PayoutSettings::parse_matrices(&text))
                .map_err(|error| ConfigError {
                    name: "CHUZHI_APPROVAL_MATRIX",
                    value: file,
                    expected: format!("a readable JSON file of court code → approval matrix ({error})"),
                })?;
        }
        config.calendar_dir = lookup("CHUZHI_CALENDAR_DIR").filter(|dir| !dir.is_empty()).map(PathBuf::from);
        config.inquiry_platforms_file = lookup("CHUZHI_INQUIRY_PLATFORMS")
            .filter(|file| !file.is_empty())
            .map(PathBuf::from);
        config.appraisal_agencies_file = lookup("CHUZHI_APPRAISAL_AGENCIES")
            .filter(|file| !file.is_empty())
            .map(PathBuf::from);
        config.auction_platforms_file = lookup("CHUZHI_AUCTION_PLATFORMS")
            .filter(|file| !file.is_empty())
            .map(PathBuf::from);
        config.csv_layout_file = lookup("CHUZHI_CSV_LAYOUT").filter(|file| !file.is_empty()).map(PathBuf::from);
        if let Some(value) = lookup("CHUZHI_SUSPENSE_CLAIM_PERIOD") {
            config.suspense_claim_period = value
                .trim()
                .parse::<crate::calendar::Period>()
                .ok()
                .filter(|period| !matches!(period, crate::calendar::Period::Days(0) | crate::calendar::Period::WorkingDays(0)))
                .ok_or(ConfigError {
                    name: "CHUZHI_SUSPENSE_CLAIM_PERIOD",
                    value,
                    expected: "a period such as 3wd (working days) or 5d (calendar days)".to_string(),
                })?;
        }
        if let Some(filter) = lookup("CHUZHI_LOG") {
            if let Err(error) = tracing_subscriber::EnvFilter::try_new(&filter) {
                return Err(ConfigError {
                    name: "CHUZHI_LOG",
                    value: filter,
                    expected: format!("a tracing filter like \"info\" ({error})"),
                });
            }
            config.log_filter = filter;
        }
        config.log_json = match lookup("CHUZHI_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(ConfigError {
                    name: "CHUZHI_LOG_FORMAT",
                    value: other.to_string(),
                    expected: "text or json".to_string(),
                });
            }
        };
        for (name, expression) in [
            ("CHUZHI_SWEEP_CRON", &config.sweep_cron),
            ("CHUZHI_DIGEST_CRON", &config.digest_cron),
        ] {
            expression.parse::<cron::Schedule>().map_err(|error| ConfigError {
                name,
                value: expression.clone(),
                expected: format!("a cron expression with seconds, like \"0 */5 * * * *\" ({error})"),
            })?;
        }
        if !(config.database_url.starts_with("sqlite:")
            || config.database_url.starts_with("postgres://")
            || config.database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError {
                name: database_variable,
                value: redact_url(&config.database_url),
                expected: "a sqlite://FILE or postgres://… URL".to_string(),
            });
        }
        Ok(config)
    }
}

/// Hides the password of a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &credentials[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("sweep_cron", &self.sweep_cron)
            .field("digest_cron", &self.digest_cron)
            .field("sweep_limit", &self.sweep_limit)
            .field("upcoming_working_days", &self.upcoming_working_days)
            .field("seizure_renewal_lead_working_days", &self.seizure_renewal_lead_working_days)
            .field("calendar_dir", &self.calendar_dir)
            .field("payout_profile", &self.payout_profile)
            .field("approval_matrices", &self.approval_matrices)
            .field("payout_delay_cleared_days", &self.payout_delay_cleared_days)
            .field("db_max_connections", &self.db_max_connections)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_embedded_sqlite_file_on_localhost() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.database_url, "sqlite://chuzhi.db");
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert_eq!(config.upcoming_working_days, 3);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let error = Config::from_lookup(|name| (name == "CHUZHI_SWEEP_LIMIT").then(|| "lots".to_string())).unwrap_err();
        assert_eq!(error.name, "CHUZHI_SWEEP_LIMIT");
        let error = Config::from_lookup(|name| (name == "CHUZHI_SWEEP_CRON").then(|| "every minute".to_string())).unwrap_err();
        assert_eq!(error.name, "CHUZHI_SWEEP_CRON");
        let error = Config::from_lookup(|name| (name == "CHUZHI_BIND").then(|| "nonsense".to_string())).unwrap_err();
        assert_eq!(error.name, "CHUZHI_BIND");
        let error = Config::from_lookup(|name| (name == "CHUZHI_LOG_FORMAT").then(|| "xml".to_string())).unwrap_err();
        assert_eq!(error.name, "CHUZHI_LOG_FORMAT");
        let error = Config::from_lookup(|name| (name == "DATABASE_URL").then(|| "mysql://x".to_string())).unwrap_err();
        assert_eq!(error.name, "DATABASE_URL");
    }

    #[test]
    fn fund_5_the_payout_profile_defaults_to_regional2024_and_a_bad_matrix_names_its_variable() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.payout_profile, crate::ledger::PayoutDeadlineProfile::Regional2024);
        let config = Config::from_lookup(|name| (name == "CHUZHI_PAYOUT_PROFILE").then(|| "spc2017".to_string())).unwrap();
        assert_eq!(config.payout_profile, crate::ledger::PayoutDeadlineProfile::Spc2017);
        let error = Config::from_lookup(|name| (name == "CHUZHI_PAYOUT_PROFILE").then(|| "fast".to_string())).unwrap_err();
        assert_eq!(error.name, "CHUZHI_PAYOUT_PROFILE");
        let path = std::env::temp_dir().join(format!("chuzhi-matrix-{}.json", std::process::id()));
        std::fs::write(&path, r#"{"370102": {"tiers": [{"up_to": "1000.00", "roles": ["case_officer"]}]}}"#).unwrap();
        let file = path.display().to_string();
        let error = Config::from_lookup(|name| (name == "CHUZHI_APPROVAL_MATRIX").then(|| file.clone())).unwrap_err();
        assert_eq!(error.name, "CHUZHI_APPROVAL_MATRIX", "the last tier must be unbounded");
        std::fs::write(
            &path,
            r#"{"370102": {"tiers": [{"up_to": null, "roles": ["case_officer", "bureau_head"]}]}}"#,
        )
        .unwrap();
        let config = Config::from_lookup(|name| (name == "CHUZHI_APPROVAL_MATRIX").then(|| file.clone())).unwrap();
        assert_eq!(config.approval_matrices["370102"].tiers[0].roles.len(), 2);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn fund_3_fund_6_the_claim_period_and_the_days_after_a_delay_are_read_checked_and_reach_the_engine() {
        let defaults = crate::engine::Settings::from(&Config::from_lookup(|_| None).unwrap());
        assert_eq!(defaults.suspense_claim_period, crate::calendar::Period::WorkingDays(3));
        assert_eq!(defaults.payouts.delay_cleared_payout_days, 10);
        let config = Config::from_lookup(|name| match name {
            "CHUZHI_SUSPENSE_CLAIM_PERIOD" => Some(" 5d ".to_string()),
            "CHUZHI_PAYOUT_DELAY_CLEARED_DAYS" => Some("15".to_string()),
            _ => None,
        })
        .unwrap();
        let settings = crate::engine::Settings::from(&config);
        assert_eq!(settings.suspense_claim_period, crate::calendar::Period::Days(5));
        assert_eq!(settings.payouts.rules_for("370102").delay_cleared_payout_days, 15);
        for (name, value) in [
            ("CHUZHI_SUSPENSE_CLAIM_PERIOD", "0wd"),
            ("CHUZHI_SUSPENSE_CLAIM_PERIOD", "three days"),
            ("CHUZHI_PAYOUT_DELAY_CLEARED_DAYS", "0"),
            ("CHUZHI_PAYOUT_DELAY_CLEARED_DAYS", "366"),
        ] {
            let error = Config::from_lookup(|asked| (asked == name).then(|| value.to_string())).unwrap_err();
            assert_eq!(error.name, name, "{value}");
        }
    }

    #[test]
    fn debug_redacts_the_database_password() {
        let config = Config::from_lookup(|name| (name == "DATABASE_URL").then(|| "postgres://u:secret@h/db".to_string())).unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("postgres://u:***@h/db"), "{shown}");
    }
}
