//! Commands: load, decide in the domain, then write the state, its nodes, its audit event and its outbox messages
//! in one transaction. HTTP handlers and the CLI both call these, so the rules hold whichever door is used.

pub mod cash;
mod disposal;
pub mod export;
pub mod funds;
pub mod payouts;
pub mod registry;
mod sweep;
mod valuation;

pub use disposal::{BidLogReport, BidLogRequest, DisposalConfigOverrides, DisposalView, SaleFees, StartDisposalRequest};
pub use registry::{AlertView, AssetDetail, AssetView, CaseDetail, CaseView, NodeDetail, NodeView};
pub use sweep::{DigestReport, SweepReport};
pub use valuation::ValuationView;

use crate::audit::{Actor, EventDraft, Verification, Verifier};
use crate::auth::{Permission, Principal, Role};
use crate::calendar::Calendar;
use crate::clock::Clock;
use crate::config::Config;
use crate::error::{Code, Outcome, Refusal};
use crate::store::{self, Db};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The engine's settings (a subset of `Config`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub upcoming_working_days: u32,
    pub seizure_renewal_lead_working_days: u32,
    pub sweep_limit: u32,
    /// FUND-3: the claim period of unidentified funds.
    pub suspense_claim_period: crate::calendar::Period,
    /// FUND-4 … FUND-8: the payout deadline profile, the approval matrix per court, the FUND-6 period.
    pub payouts: payouts::PayoutSettings,
}

impl From<&Config> for Settings {
    fn from(config: &Config) -> Self {
        Settings {
            upcoming_working_days: config.upcoming_working_days,
            seizure_renewal_lead_working_days: config.seizure_renewal_lead_working_days,
            sweep_limit: config.sweep_limit,
            suspense_claim_period: config.suspense_claim_period,
            payouts: payouts::PayoutSettings {
                profile: config.payout_profile,
                delay_cleared_payout_days: config.payout_delay_cleared_days,
                matrices: config.approval_matrices.clone(),
            },
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from(&Config::default())
    }
}

#[derive(Clone)]
pub struct Engine {
    pub db: Db,
    pub calendar: Arc<Calendar>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    /// The SPC's register of online-inquiry platforms (REF-9, REF-10): every online inquiry goes to all of them.
    pub inquiry_platforms: Arc<Vec<String>>,
    /// The register of appraisal agencies by sub-list (REF-18): agencies are agreed or drawn only from it (REF-19).
    pub appraisal_agencies: Arc<AgencyRegister>,
    /// The SPC's list of online judicial auction platforms (AUC-2): the applicant chooses from it.
    pub auction_platforms: Arc<Vec<String>>,
    /// The columns of the court's bank's CSV statements (FUND-2).
    pub csv_layout: Option<Arc<crate::statements::CsvLayout>>,
}

/// The register shipped in `fixtures/registers/appraisal_agencies.json`: sub-list name → agencies.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AgencyRegister {
    pub sub_lists: std::collections::BTreeMap<String, Vec<String>>,
}

impl AgencyRegister {
    pub fn embedded() -> AgencyRegister {
        Self::parse(include_str!("../../fixtures/registers/appraisal_agencies.json")).expect("the embedded agency register is valid")
    }

    /// Reads a register file: at least one sub-list, none empty.
    pub fn parse(text: &str) -> Result<AgencyRegister, String> {
        let register: AgencyRegister = serde_json::from_str(text).map_err(|error| format!("agency register: {error}"))?;
        if register.sub_lists.is_empty() || register.sub_lists.values().any(Vec::is_empty) {
            return Err("agency register: list at least one sub-list, none empty".to_string());
        }
        Ok(register)
    }

    pub fn contains(&self, agency: &str) -> bool {
        self.sub_lists
            .values()
            .any(|agencies| agencies.iter().any(|listed| listed == agency))
    }
}

/// The register shipped in `fixtures/registers/inquiry_platforms.json`.
#[derive(Debug, serde::Deserialize)]
pub struct PlatformRegister {
    pub platforms: Vec<String>,
}

impl PlatformRegister {
    pub fn embedded() -> Vec<String> {
        Self::parse(include_str!("../../fixtures/registers/inquiry_platforms.json")).expect("the embedded platform register is valid")
    }

    /// The auction platforms shipped in `fixtures/registers/auction_platforms.json` (AUC-2), same format.
    pub fn embedded_auction() -> Vec<String> {
        Self::parse(include_str!("../../fixtures/registers/auction_platforms.json")).expect("the embedded auction register is valid")
    }

    /// Reads a register file; it must list at least one platform, none twice.
    pub fn parse(text: &str) -> Result<Vec<String>, String> {
        let register: PlatformRegister = serde_json::from_str(text).map_err(|error| format!("platform register: {error}"))?;
        let mut seen = std::collections::BTreeSet::new();
        if register.platforms.is_empty()
            || !register
                .platforms
                .iter()
                .all(|platform| !platform.trim().is_empty() && seen.insert(platform.trim()))
        {
            return Err("platform register: list at least one platform, each once".to_string());
        }
        Ok(register.platforms)
    }
}

impl Engine {
    pub fn new(db: Db, calendar: Arc<Calendar>, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        Engine {
            db,
            calendar,
            clock,
            settings,
            inquiry_platforms: Arc::new(PlatformRegister::embedded()),
            appraisal_agencies: Arc::new(AgencyRegister::embedded()),
            auction_platforms: Arc::new(PlatformRegister::embedded_auction()),
            csv_layout: crate::statements::CsvLayout::from_json(include_str!("../../fixtures/statements/csv_layout.json"))
                .ok()
                .map(Arc::new),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Refuses a caller whose role may not run the command.
    pub fn require(&self, principal: &Principal, permission: Permission, action: &str) -> Outcome<()> {
        if permission.allows(principal.role) {
            Ok(())
        } else {
            Err(Refusal::new(
                Code::RoleNotAllowed,
                format!("the role {} may not {action}", principal.role),
            ))
        }
    }

    /// Writes the audit record of a refused command, alone in its own transaction (SPEC §3.3).
    pub async fn record_refusal(&self, actor: &Actor, action: &str, subject: &str, refusal: &Refusal) -> Outcome<()> {
        let write = self.db.begin_write(self.now()).await?;
        write.commit(EventDraft::refusal(actor, action, subject, refusal)).await?;
        Ok(())
    }

    /// Registers a court (CLI only).
    pub async fn create_court(&self, code: &str, name: &str) -> Outcome<i64> {
        crate::registry::validate_court_code(code).map_err(|message| Refusal::new(Code::InvalidField, message))?;
        if name.trim().is_empty() {
            return Err(Refusal::new(Code::InvalidField, "the court's name must not be empty"));
        }
        let mut write = self.db.begin_write(self.now()).await?;
        let id = store::auth::insert_court(&mut write.tx, code, name.trim())
            .await
            .map_err(|error| store::map_unique(error, Code::InvalidField, format!("a court with code {code} exists already")))?;
        let actor = Actor::system("cli");
        write
            .commit(EventDraft::change(
                &actor,
                "create_court",
                format!("court:{id}"),
                serde_json::json!({ "code": code, "name": name }),
            ))
            .await?;
        Ok(id)
    }

    /// Creates a bearer token for a user of a court; returns the token, which is shown once and stored only hashed.
    pub async fn create_token(&self, court_code: &str, user: &str, role: Role) -> Outcome<String> {
        if user.trim().is_empty() {
            return Err(Refusal::new(Code::InvalidField, "the user name must not be empty"));
        }
        let now = self.now();
        let mut write = self.db.begin_write(now).await?;
        let court = store::auth::court_by_code_tx(&mut write.tx, court_code)
            .await?
            .ok_or_else(|| Refusal::new(Code::CourtNotFound, format!("no court with code {court_code}")))?;
        let token = crate::auth::new_token();
        store::auth::insert_token(&mut write.tx, &crate::auth::token_hash(&token), user.trim(), court.id, role, now).await?;
        let actor = Actor {
            user: "system:cli".to_string(),
            role: "system".to_string(),
            court_id: Some(court.id),
        };
        write
            .commit(EventDraft::change(
                &actor,
                "create_token",
                format!("user:{}", user.trim()),
                serde_json::json!({ "role": role.as_str() }),
            ))
            .await?;
        Ok(token)
    }

    pub async fn authenticate(&self, token: &str) -> Outcome<Principal> {
        store::auth::principal_by_token_hash(&self.db, &crate::auth::token_hash(token))
            .await?
            .ok_or_else(|| Refusal::new(Code::InvalidToken, "the bearer token is unknown or revoked"))
    }

    /// Walks the audit chain up to the head as read first, and names the first broken link. Events committed
    /// while it walks lie beyond that head and are left for the next run, so a busy service gives no false alarm.
    pub async fn verify_audit(&self) -> Result<Verification, sqlx::Error> {
        let (head_seq, head_hash) = store::audit::head(&self.db).await?;
        let mut verifier = Verifier::default();
        let mut after = 0;
        loop {
            let page = store::audit::page(&self.db, after, head_seq, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for event in &page {
                if let Err(found) = verifier.check(event) {
                    return Ok(found);
                }
            }
        }
        Ok(verifier.finish(head_seq, &head_hash))
    }
}
