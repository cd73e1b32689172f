//! The disposal (变价) of a priced asset (AUC, SELL, SELF, TRAD): load its lifecycle, run one command in the pure
//! `crate::disposal` core, then write the new state, its event, its node effects, its notices, what its signals ask
//! of the other lifecycles (the valuation's REF-36 and REF-33 steps, the ledger's receipt, the TRAD-11 stop flags)
//! and the audit event, all in one transaction (STYLE habit 10). The ledger's part: receipts (FUND-1), and the
//! forfeited deposit of a defaulting buyer set apart and then allocated in AUC-14's order.

use super::valuation::ValuationStep;
use super::Engine;
use crate::audit::{Actor, EventDraft};
use crate::auth::{Principal, Role};
use crate::clock::local_date;
use crate::disposal::bid_log::{self, AuctionRules, Bid, BidLogError, ExcludedBidder, ExclusionReason, ReportedResult};
use crate::disposal::{
    reserved_to_judges, Command, Disposal, DisposalConfig, DisposalError, FundsSource, LapseSelfDisposal, LimitKind,
    Outcome as DomainOutcome, RoundResult, Signal, Stage, StartDisposal, Transition,
};
use crate::error::{Code, Outcome, Refusal};
use crate::ledger::ForfeitPart;
use crate::money::Money;
use crate::registry::AssetKind;
use crate::store::{self, disposal::DisposalRow, registry::AssetRow, Tx};
use crate::valuation::{self, Audience, Method, Notice, Valuation};
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// The outbox topic of the disposal's notices (the core's, TRAD-11's, and those of its signals).
pub(crate) const DISPOSAL_NOTICE_TOPIC: &str = "disposal.notice";

/// A disposal as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisposalView {
    pub asset_id: i64,
    pub case_id: i64,
    /// The lifecycle's stage: preparing, planned, announced, second_round_failed, sell_off, sell_off_failed,
    /// sell_off_resale, settlement, self_disposal_applied, self_disposal, suspended or ended.
    pub stage: String,
    pub version: i32,
    /// TRAD-11: another asset's sale covered the case's claim and costs; the judge should stop this disposal with
    /// `stop_claim_covered`.
    pub stop_flagged: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub stop_flagged_at: Option<DateTime<Utc>>,
    /// REF-41 … REF-43: what the sale means for the valuation's fees, once the asset is sold.
    pub fees: Option<SaleFees>,
    /// The whole lifecycle state, as the core keeps it.
    #[schema(value_type = Object)]
    pub state: serde_json::Value,
}

/// The facts the register does not hold, for the start of the disposal (REF-36). Everything else — the asset's kind,
/// the reference price and its dates (REF-33), the claim, the collection account (FUND-1), the parties — chuzhi takes
/// from its own records.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartDisposalRequest {
    /// Claims ranking before the applicant's on this asset (mortgages, construction priority …), for TRAD-2.
    #[serde(default)]
    #[schema(value_type = String)]
    pub priority_claims: Money,
    /// The execution costs so far, for TRAD-2 and TRAD-11.
    #[serde(default)]
    #[schema(value_type = String)]
    pub execution_costs: Money,
    /// Real estate in a city with purchase restrictions (限购, AUC-24).
    #[serde(default)]
    pub purchase_restricted: bool,
    /// Interested persons to notify of each round besides the case's parties (co-owners, …; AUC-7).
    #[serde(default)]
    pub other_parties: Vec<String>,
    /// The court's settings where the law leaves them open (UNCONFIRMED or DESIGN); omitted ones keep the defaults.
    #[serde(default)]
    pub config: DisposalConfigOverrides,
}

/// Overrides of `crate::disposal::DisposalConfig`; each omitted field keeps its DESIGN default.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisposalConfigOverrides {
    /// AUC-16 (Q7, DESIGN 30): the second round is announced within this many days of the first failure.
    pub second_round_within_days: Option<u32>,
    /// SELL-4 (15): the sell-off notice lead for real estate and other property rights.
    pub selloff_notice_lead_days_real_estate: Option<u32>,
    /// SELL-4 (UNCONFIRMED 7): the sell-off notice lead for movables.
    pub selloff_notice_lead_days_movable: Option<u32>,
    /// SELL-4 (60): the length of the online sell-off.
    pub selloff_period_days: Option<u32>,
    /// SELF-2 (90): the cap of a self-disposal under the 2021 opinion.
    pub self_disposal_cap_days_opinion_2021: Option<u32>,
    /// SELF-3 (UNCONFIRMED 60): the cap of a self-sell-off under the 2019 opinion.
    pub self_disposal_cap_days_opinion_2019_selloff: Option<u32>,
    /// SELF-4 (DESIGN 10): the court's disposal restarts within this many days of a lapse.
    pub self_disposal_restart_days: Option<u32>,
    /// SELL-6 (DESIGN 15): after a sell-off buyer backed out, the sell-off is published again within this many days.
    pub selloff_resale_notice_days: Option<u32>,
}

impl DisposalConfigOverrides {
    fn apply(&self) -> DisposalConfig {
        let default = DisposalConfig::default();
        DisposalConfig {
            second_round_within_days: self.second_round_within_days.unwrap_or(default.second_round_within_days),
            selloff_notice_lead_days_real_estate: self
                .selloff_notice_lead_days_real_estate
                .unwrap_or(default.selloff_notice_lead_days_real_estate),
            selloff_notice_lead_days_movable: self
                .selloff_notice_lead_days_movable
                .unwrap_or(default.selloff_notice_lead_days_movable),
            selloff_period_days: self.selloff_period_days.unwrap_or(default.selloff_period_days),
            self_disposal_cap_days_opinion_2021: self
                .self_disposal_cap_days_opinion_2021
                .unwrap_or(default.self_disposal_cap_days_opinion_2021),
            self_disposal_cap_days_opinion_2019_selloff: self
                .self_disposal_cap_days_opinion_2019_selloff
                .unwrap_or(default.self_disposal_cap_days_opinion_2019_selloff),
            self_disposal_restart_days: self.self_disposal_restart_days.unwrap_or(default.self_disposal_restart_days),
            selloff_resale_notice_days: self.selloff_resale_notice_days.unwrap_or(default.selloff_resale_notice_days),
        }
    }
}

/// REF-41 … REF-43 after a sale: who earns the online-inquiry fee and on what the appraisal fee is computed. The fee
/// tariff itself is not in the rules, so chuzhi gives the base and the payees, not the amounts; the applicant
/// advances the fees and the debtor bears them (REF-44).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SaleFees {
    #[schema(value_type = String)]
    pub sale_price: Money,
    /// How the reference price was determined: negotiation, directed_inquiry, online_inquiry or appraisal.
    pub method: String,
    /// REF-41: the platforms whose results were closest to the sale price; they share the one online-inquiry fee
    /// equally. Empty unless the price came from an online inquiry.
    pub online_inquiry_fee_payees: Vec<String>,
    /// REF-43: the appraisal fee is the tariff applied to the lower of the sale price and the appraisal value.
    #[schema(value_type = Option<String>)]
    pub appraisal_fee_base: Option<Money>,
    /// REF-43: the report was reissued by the original agency (REF-25): that fee is 30 % of the tariff's.
    pub reissued: bool,
    pub advanced_by: String,
    pub borne_by: String,
}

/// The platform's bid log and reported result, for the check of the current round (AUC-4, AUC-10, AUC-11).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BidLogRequest {
    /// The bids as JSON: `[{"bidder", "amount" (decimal string), "at" (RFC 3339)}]`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub bids: Option<Vec<Bid>>,
    /// Or the bids as CSV text, `bidder,amount,at` per line (an optional header line starting with `bidder`).
    #[serde(default)]
    pub bids_csv: Option<String>,
    /// The platform's result: `{"winner", "price", "ended_at"}`; winner and price null for a failed auction.
    #[schema(value_type = Object)]
    pub reported: ReportedResult,
    /// Bidders the court knows may not bid besides the buyers who defaulted on this asset, which chuzhi adds
    /// itself (AUC-14): insiders (AUC-21), bidders without purchase eligibility (AUC-24).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub excluded_bidders: Vec<ExcludedBidder>,
    /// Whether a raise must be a whole multiple of the increment (platform practice, not AUC-11's text); DESIGN
    /// default true.
    #[serde(default)]
    pub increment_multiples_only: Option<bool>,
}

/// The result of a bid-log check.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BidLogReport {
    pub asset_id: i64,
    /// The round checked (`1`, `2`, `1-resale`).
    pub round: String,
    /// The rules the log was replayed against, as the stored round fixed them.
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
    /// `computed_winner`, `computed_price`, `computed_end`, `outcome`, `valid_bids` and every discrepancy.
    #[schema(value_type = Object)]
    pub check: serde_json::Value,
}

impl From<DisposalError> for Refusal {
    /// The core's code and rule, with its data (the earliest lawful dates, the floors …) in the envelope's details.
    fn from(error: DisposalError) -> Self {
        Refusal::rule_violation(error.code(), error.rule(), error.to_string()).with_details(error.details())
    }
}

impl From<BidLogError> for Refusal {
    fn from(error: BidLogError) -> Self {
        Refusal::rule_violation(error.code(), error.rule(), error.to_string())
    }
}

/// What a step is: the start, or one command.
enum Step {
    Start(StartDisposalRequest),
    Command(Command),
}

/// What one stored disposal step did, for the audit event.
struct DisposalStep {
    row: DisposalRow,
    action: &'static str,
    event: serde_json::Value,
    fees: Option<SaleFees>,
    valuation_steps: Vec<serde_json::Value>,
    receipts: Vec<serde_json::Value>,
    /// AUC-14: the entries that set a forfeited deposit apart and allocate it.
    forfeit_entries: Vec<serde_json::Value>,
    stop_flagged_assets: Vec<i64>,
}

impl DisposalStep {
    fn audit_payload(&self) -> serde_json::Value {
        serde_json::json!({
            "asset_id": self.row.asset_id,
            "version": self.row.version,
            "event": self.event,
            "fees": self.fees,
            "valuation_steps": self.valuation_steps,
            "receipts": self.receipts,
            "forfeit_entries": self.forfeit_entries,
            "trad_11_stop_flagged_assets": self.stop_flagged_assets,
        })
    }
}

/// The source of a forfeit's ledger entry: the asset, the forfeit's number and the part, so a retried command posts
/// nothing twice.
fn forfeit_source(asset_id: i64, forfeit: usize, part: &str) -> String {
    format!("forfeit:{asset_id}:{forfeit}:{part}")
}

fn not_started(asset_id: i64) -> Refusal {
    Refusal::rule_violation(
        "disposal_not_started",
        "REF-36",
        format!("asset {asset_id} has no disposal in your court; start it first"),
    )
}

fn outbox_notice(asset_id: i64, case_id: i64, audience: Audience, rule: &str, message: String) -> serde_json::Value {
    let notice = Notice {
        audience,
        rule: rule.to_string(),
        message,
    };
    serde_json::json!({ "asset_id": asset_id, "case_id": case_id, "notice": notice })
}

impl Engine {
    /// Starts the disposal of an asset whose reference price is fixed (REF-36).
    pub async fn start_disposal(&self, principal: &Principal, asset_id: i64, request: StartDisposalRequest) -> Outcome<DisposalView> {
        self.run_disposal(principal, asset_id, Step::Start(request)).await
    }

    /// Runs one command of the disposal.
    pub async fn disposal_command(&self, principal: &Principal, asset_id: i64, command: Command) -> Outcome<DisposalView> {
        if matches!(command, Command::Start(_)) {
            return Err(Refusal::new(
                Code::InvalidField,
                "start the disposal with POST /api/v1/assets/{asset_id}/disposal",
            ));
        }
        self.run_disposal(principal, asset_id, Step::Command(command)).await
    }

    /// The asset's disposal: its stage, state, TRAD-11 flag and, once sold, the REF-41…43 fees.
    pub async fn disposal(&self, principal: &Principal, asset_id: i64) -> Outcome<DisposalView> {
        let row = store::disposal::load(&self.db, principal.court_id, asset_id)
            .await?
            .ok_or_else(|| not_started(asset_id))?;
        let mut fees = None;
        for event in store::disposal::events(&self.db, asset_id).await?.iter().rev() {
            let event: crate::disposal::Event = serde_json::from_str(&event.event).map_err(Refusal::internal)?;
            if let Some(price) = event.signals.iter().find_map(|signal| match signal {
                Signal::Sold { price, .. } => Some(*price),
                _ => None,
            }) {
                fees = self.sale_fees(None, principal.court_id, asset_id, price).await?;
                break;
            }
        }
        view(&row, fees)
    }

    /// SELF-4 (DESIGN): every approved self-disposal whose period (自行处置期限, SELF-2) ended yesterday or earlier
    /// without the price paid in full lapses, as chuzhi's own step run by the sweep (actor `system:sweep`): the
    /// court's own disposal restarts, its first announcement due within the configured days (DESIGN 10, by analogy
    /// to REF-36). What the sweep looks for is the open `disposal.self_disposal_period` node; the core itself checks
    /// that the period is over. One transaction and audit event per asset; at most `limit` assets, of one court or
    /// of all. Returns how many lapsed; a lapsed self-disposal's node is cancelled, so a second sweep finds nothing.
    pub async fn lapse_expired_self_disposals(&self, now: DateTime<Utc>, limit: u32, court_id: Option<i64>) -> Outcome<u64> {
        let today = local_date(now);
        let node_key = format!("disposal.{}", LimitKind::SelfDisposalPeriod.as_str());
        let mut lapsed = 0;
        for (court, asset_id) in
            store::disposal::lapsed_self_disposals(&self.db, today, court_id, &node_key, i64::from(limit.max(1))).await?
        {
            let mut write = self.db.begin_write(now).await?;
            let Some(asset) = store::registry::asset_in_court_tx(&mut write.tx, court, asset_id).await? else {
                continue;
            };
            let command = Command::LapseSelfDisposal(LapseSelfDisposal {});
            let step = self
                .disposal_step(&mut write.tx, write.seq, &asset, Step::Command(command), now)
                .await?;
            // The sweep's own actor, tagged with the asset's court so the court's audit trail shows the lapse.
            let actor = Actor {
                court_id: Some(asset.court_id),
                ..Actor::system("sweep")
            };
            write
                .commit(EventDraft::change(
                    &actor,
                    &format!("disposal.{}", step.action),
                    format!("asset:{asset_id}"),
                    step.audit_payload(),
                ))
                .await?;
            lapsed += 1;
        }
        Ok(lapsed)
    }

    /// Checks, in order: the role (assistants, judges and admins; finance and supervisors never; the decisions the
    /// law reserves to the judge or panel only for judges), the asset (in the caller's court), the disposal's
    /// existence, then the core's own checks.
    async fn run_disposal(&self, principal: &Principal, asset_id: i64, step: Step) -> Outcome<DisposalView> {
        match (&step, principal.role) {
            (_, Role::Finance | Role::Supervisor) => {
                return Err(Refusal::new(
                    Code::RoleNotAllowed,
                    format!("the role {} may not run the disposal", principal.role),
                ));
            }
            (Step::Command(command), Role::Assistant | Role::Admin) if reserved_to_judges(command) => {
                return Err(Refusal::new(
                    Code::RoleNotAllowed,
                    format!("{} is the judge's decision", command.name()),
                ));
            }
            _ => {}
        }
        let now = self.now();
        let mut write = self.db.begin_write(now).await?;
        let asset = store::registry::asset_in_court_tx(&mut write.tx, principal.court_id, asset_id)
            .await?
            .ok_or_else(|| Refusal::new(Code::AssetNotFound, format!("there is no asset {asset_id} in your court")))?;
        let step = self.disposal_step(&mut write.tx, write.seq, &asset, step, now).await?;
        write
            .commit(EventDraft::change(
                &principal.actor(),
                &format!("disposal.{}", step.action),
                format!("asset:{asset_id}"),
                step.audit_payload(),
            ))
            .await?;
        view(&step.row, step.fees.clone())
    }

    /// One step inside the caller's writing transaction: load, decide in the core, store the state, the event and
    /// the node effects, then carry out the signals.
    async fn disposal_step(&self, tx: &mut Tx, audit_seq: i64, asset: &AssetRow, step: Step, now: DateTime<Utc>) -> Outcome<DisposalStep> {
        let today = local_date(now);
        let asset_id = asset.id;
        let existing = store::disposal::load_for_update(tx, asset.court_id, asset_id).await?;
        let (transition, version, stop_flagged_at, lot_seed) = match (step, existing) {
            (Step::Start(_), Some(_)) => return Err(DisposalError::DisposalAlreadyStarted.into()),
            (Step::Start(request), None) => {
                let command = self.start_command(tx, asset, request).await?;
                (Disposal::start(command, today, &self.calendar)?, 1, None, None)
            }
            (Step::Command(_), None) => return Err(not_started(asset_id)),
            (Step::Command(command), Some(row)) => {
                let state: Disposal = serde_json::from_str(&row.state)
                    .map_err(|error| Refusal::internal(format!("disposal of asset {asset_id}: {error}")))?;
                let (command, lot_seed) = self.complete_disposal_command(command)?;
                (
                    state.apply(command, today, &self.calendar)?,
                    row.version + 1,
                    row.stop_flagged_at,
                    lot_seed,
                )
            }
        };
        let Transition {
            state,
            effects,
            signals,
            event,
        } = transition;
        let action = event.command.name();
        let row = DisposalRow {
            asset_id,
            court_id: asset.court_id,
            case_id: asset.case_id,
            state: serde_json::to_string(&state).map_err(Refusal::internal)?,
            stage: state.stage.name().to_string(),
            version,
            stop_flagged_at,
        };
        if store::disposal::save(tx, &row, now).await? != 1 {
            return Err(Refusal::internal(format!(
                "disposal of asset {asset_id} changed underneath version {version}"
            )));
        }
        let event_json = serde_json::to_value(&event).map_err(Refusal::internal)?;
        store::disposal::append_event(tx, asset_id, version, event.on, &event_json.to_string(), audit_seq).await?;
        // TRAD-5: the seed of a lot is kept only when the core drew one, so the draw can be re-run from it.
        if let Some(seed) = lot_seed {
            if event.outcomes.iter().any(|outcome| matches!(outcome, DomainOutcome::TakerDrawn(_))) {
                store::disposal::insert_lot_seed(tx, asset_id, &seed, now).await?;
            }
        }
        self.apply_effects(tx, asset.court_id, asset.case_id, asset_id, &effects, DISPOSAL_NOTICE_TOPIC, now)
            .await?;
        let mut step = DisposalStep {
            row,
            action,
            event: event_json,
            fees: None,
            valuation_steps: Vec::new(),
            receipts: Vec::new(),
            forfeit_entries: Vec::new(),
            stop_flagged_assets: Vec::new(),
        };
        self.carry_out_signals(tx, audit_seq, asset, &signals, now, &mut step).await?;
        Ok(step)
    }

    /// The start command from chuzhi's records: the fixed reference price and its dates (REF-33, REF-36), the asset,
    /// the case's claim and collection account (FUND-1), its parties (AUC-7), and the caller's facts.
    async fn start_command(&self, tx: &mut Tx, asset: &AssetRow, request: StartDisposalRequest) -> Outcome<StartDisposal> {
        let asset_id = asset.id;
        let not_fixed = |stage: &str| {
            Refusal::rule_violation(
                "reference_price_not_fixed",
                "REF-36",
                format!("the disposal starts from a fixed reference price; the valuation of asset {asset_id} is {stage}"),
            )
        };
        let valuation_row = store::valuation::load_for_update(tx, asset.court_id, asset_id)
            .await?
            .ok_or_else(|| not_fixed("not started"))?;
        let valuation: Valuation = serde_json::from_str(&valuation_row.state).map_err(Refusal::internal)?;
        let price = valuation.reference_price().ok_or_else(|| not_fixed(&valuation_row.stage))?;
        let case = store::registry::case_in_court_tx(tx, asset.court_id, asset.case_id)
            .await?
            .ok_or_else(|| Refusal::internal(format!("asset {asset_id} belongs to no case of its court")))?;
        let parties = store::registry::parties_of_case_tx(tx, asset.case_id).await?;
        let name = |party: &store::registry::PartyRow| format!("{}:{}", party.role, party.id);
        let applicants: Vec<String> = parties.iter().filter(|party| party.role == "applicant").map(name).collect();
        let debtors: Vec<String> = parties.iter().filter(|party| party.role == "debtor").map(name).collect();
        // The first applicant and debtor carry the roles the core names; every other party is notified too (AUC-7).
        let mut other_parties: Vec<String> = applicants.iter().skip(1).chain(debtors.iter().skip(1)).cloned().collect();
        other_parties.extend(request.other_parties.iter().cloned());
        Ok(StartDisposal {
            asset_kind: AssetKind::parse(&asset.kind)
                .ok_or_else(|| Refusal::internal(format!("asset {asset_id} has kind {}", asset.kind)))?,
            reference_price: price.amount,
            validity_ends_on: price.validity_ends_on,
            grace_ends_on: price.grace_ends_on,
            applicant: applicants.first().cloned().unwrap_or_default(),
            debtor: debtors.first().cloned().unwrap_or_default(),
            other_parties,
            outstanding_claim: Money::from_fen(case.claim_amount_fen),
            priority_claims: request.priority_claims,
            execution_costs: request.execution_costs,
            collection_account: case.collection_account,
            high_value_or_complex: asset.high_value_or_complex,
            purchase_restricted: request.purchase_restricted,
            config: request.config.apply(),
        })
    }

    /// Fills what chuzhi keeps rather than the caller: the register of auction platforms (AUC-2) and the seed of a
    /// debt-in-kind lot (TRAD-5), drawn from the operating system's random source so nobody can choose the taker.
    /// Returns the command and the seed it carries, if any.
    fn complete_disposal_command(&self, command: Command) -> Outcome<(Command, Option<String>)> {
        let supplied = |field: &str| Refusal::new(Code::InvalidField, format!("{field} is kept by chuzhi, not sent with the command"));
        Ok(match command {
            Command::DecideAuctionPlan(mut plan) => {
                if !plan.platform_register.is_empty() {
                    return Err(supplied("platform_register"));
                }
                plan.platform_register = self.auction_platforms.as_ref().clone();
                (Command::DecideAuctionPlan(plan), None)
            }
            Command::DecideDebtInKind(mut decision) => {
                if decision.seed.is_some() {
                    return Err(supplied("seed"));
                }
                let mut seed = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut seed);
                let seed = hex::encode(seed);
                decision.seed = Some(seed.clone());
                (Command::DecideDebtInKind(decision), Some(seed))
            }
            other => (other, None),
        })
    }

    /// What the signals ask of the rest of chuzhi, in the step's transaction: the valuation's REF-36 and REF-33
    /// steps, the ledger's receipt (FUND-1), the fees (REF-41…43), notices, and the TRAD-11 check of the case.
    async fn carry_out_signals(
        &self,
        tx: &mut Tx,
        audit_seq: i64,
        asset: &AssetRow,
        signals: &[Signal],
        now: DateTime<Utc>,
        step: &mut DisposalStep,
    ) -> Outcome<()> {
        let mut check_coverage = false;
        for signal in signals {
            match signal {
                Signal::DisposalStarted { kind, .. } => {
                    // REF-36: the first announcement (or the approved self-disposal) starts the disposal.
                    let command = valuation::Command::RecordDisposalStart(valuation::RecordDisposalStart { kind: *kind });
                    let done = self.valuation_step(tx, audit_seq, asset, Some(command), now).await?;
                    step.valuation_steps.push(valuation_audit(&done));
                }
                Signal::SaleStarted { .. } => {
                    // REF-33 (Q5: its start): the sale took place within the grace.
                    let command = valuation::Command::RecordSaleStart(valuation::RecordSaleStart {});
                    let done = self.valuation_step(tx, audit_seq, asset, Some(command), now).await?;
                    step.valuation_steps.push(valuation_audit(&done));
                }
                Signal::FundsReceived {
                    source,
                    amount,
                    bank_reference,
                    ..
                } => {
                    // FUND-1: the case account is credited in transit now; the bank statement line clears it later,
                    // and a receipt the statement posted first makes this a no-op (same source key).
                    let entry = crate::ledger::receipt_in_transit(asset.case_id, *amount);
                    let source_key = super::funds::receipt_source(asset.case_id, bank_reference);
                    let entry_id = self.post_entry(tx, audit_seq, asset.court_id, &entry, &source_key, now).await?;
                    step.receipts.push(serde_json::json!({
                        "source": source.as_str(),
                        "amount": amount,
                        "bank_reference": bank_reference,
                        "entry_id": entry_id,
                    }));
                    check_coverage = true;
                }
                Signal::Sold { price, .. } => {
                    step.fees = self.sale_fees(Some(&mut *tx), asset.court_id, asset.id, *price).await?;
                    check_coverage = true;
                }
                Signal::Released { on } => {
                    let payload = outbox_notice(
                        asset.id,
                        asset.case_id,
                        Audience::Judge,
                        "SELL-7",
                        format!("the seizure of asset {} is released as of {on}: notify the registry", asset.id),
                    );
                    store::nodes::enqueue(tx, DISPOSAL_NOTICE_TOPIC, Some(asset.court_id), &payload, now).await?;
                    // SEIZ-1: a lifted seizure needs no renewal reminder.
                    store::nodes::cancel_rule_nodes(tx, asset.id, "SEIZ-1", now).await?;
                }
                Signal::OwnershipPassed { owner, on } => {
                    // AUC-12, TRAD-9 (民诉法解释 art 491): the ruling passed the asset to its buyer or taker; the
                    // seizure has no object left, so the renewal reminder (SEIZ-1) is cancelled, like a release's.
                    let payload = outbox_notice(
                        asset.id,
                        asset.case_id,
                        Audience::Staff,
                        "AUC-12",
                        format!(
                            "the ruling served on {on} passed asset {} to {owner}; lift its seizure with the registry (协助执行)",
                            asset.id
                        ),
                    );
                    store::nodes::enqueue(tx, DISPOSAL_NOTICE_TOPIC, Some(asset.court_id), &payload, now).await?;
                    store::nodes::cancel_rule_nodes(tx, asset.id, "SEIZ-1", now).await?;
                }
                Signal::DepositForfeited { forfeit, amount, .. } => {
                    // AUC-14: the deposit the platform transferred into the case's funds (AUC-15) is set apart until
                    // its allocation; the case's funds must still hold it (FUND-2, checked before posting).
                    let entry = crate::ledger::forfeit_deposit(asset.case_id, *amount);
                    let source = forfeit_source(asset.id, *forfeit, "deposit");
                    let entry_id = self.post_entry(tx, audit_seq, asset.court_id, &entry, &source, now).await?;
                    step.forfeit_entries.push(serde_json::json!({
                        "forfeit": forfeit, "part": "deposit", "amount": amount, "entry_id": entry_id,
                    }));
                }
                Signal::ForfeitAllocated { forfeit, allocation, .. } => {
                    // AUC-14: each part in the rule's order; the parts add up to the forfeited deposit exactly.
                    let parts = [
                        (ForfeitPart::AuctionCostLosses, allocation.auction_cost_losses),
                        (ForfeitPart::ResaleShortfall, allocation.resale_shortfall),
                        (ForfeitPart::ThisCaseDebt, allocation.this_case_debt),
                        (ForfeitPart::RelatedDebts, allocation.related_debts),
                        (ForfeitPart::Remainder, allocation.remainder),
                    ];
                    for (part, entry) in crate::ledger::forfeit_allocation_entries(asset.case_id, &parts) {
                        let source = forfeit_source(asset.id, *forfeit, part.as_str());
                        let entry_id = self.post_entry(tx, audit_seq, asset.court_id, &entry, &source, now).await?;
                        let amount = entry.lines[0].debit;
                        step.forfeit_entries.push(serde_json::json!({
                            "forfeit": forfeit, "part": part.as_str(), "amount": amount, "entry_id": entry_id,
                        }));
                    }
                }
                Signal::DebtInKind { taker, price, top_up } => {
                    let payload = outbox_notice(
                        asset.id,
                        asset.case_id,
                        Audience::Parties,
                        "TRAD-5",
                        format!(
                            "asset {} is taken in payment by {taker} at {price}; difference to pay: {top_up}",
                            asset.id
                        ),
                    );
                    store::nodes::enqueue(tx, DISPOSAL_NOTICE_TOPIC, Some(asset.court_id), &payload, now).await?;
                    check_coverage = true;
                }
            }
        }
        if check_coverage {
            step.stop_flagged_assets = self.flag_covered_case(tx, asset, now).await?;
        }
        Ok(())
    }

    /// TRAD-11 (拍卖变卖规定 art 14): when what the case's disposals realised covers the claim and the costs, the
    /// disposal of the other assets stops. chuzhi does not stop them itself — the debtor may agree to sell all, and
    /// the stop is the judge's decision — it flags every other disposal of the case not yet sold and tells the judge.
    ///
    /// What a disposal realised, folded over its events (DESIGN): the price of its last sale (AUC-4, SELL-6, SELF-4)
    /// or debt in kind (TRAD-5), nothing after the buyer's default (AUC-14), plus the debtor's payments (TRAD-12).
    /// Payments towards a sale price are part of that price and are not counted again. The costs are the largest
    /// execution costs any of the case's disposals was started with (they are the case's costs, DESIGN).
    async fn flag_covered_case(&self, tx: &mut Tx, asset: &AssetRow, now: DateTime<Utc>) -> Outcome<Vec<i64>> {
        let case = store::registry::case_in_court_tx(tx, asset.court_id, asset.case_id)
            .await?
            .ok_or_else(|| Refusal::internal(format!("asset {} belongs to no case of its court", asset.id)))?;
        let disposals = store::disposal::of_case_tx(tx, asset.case_id).await?;
        let mut costs = 0i64;
        for row in &disposals {
            let state: Disposal = serde_json::from_str(&row.state).map_err(Refusal::internal)?;
            costs = costs.max(state.execution_costs.fen());
        }
        let mut realised: std::collections::BTreeMap<i64, (i64, i64)> = std::collections::BTreeMap::new();
        for row in store::disposal::events_of_case_tx(tx, asset.case_id).await? {
            let event: crate::disposal::Event = serde_json::from_str(&row.event).map_err(Refusal::internal)?;
            let (sold, paid) = realised.entry(row.asset_id).or_default();
            for outcome in &event.outcomes {
                if let DomainOutcome::BuyerDefaulted { .. } = outcome {
                    *sold = 0;
                }
            }
            for signal in &event.signals {
                match signal {
                    Signal::Sold { price, .. } | Signal::DebtInKind { price, .. } => *sold = price.fen(),
                    Signal::FundsReceived {
                        source: FundsSource::DebtorPayment,
                        amount,
                        ..
                    } => *paid += amount.fen(),
                    Signal::FundsReceived { .. }
                    | Signal::DisposalStarted { .. }
                    | Signal::SaleStarted { .. }
                    | Signal::Released { .. }
                    | Signal::OwnershipPassed { .. }
                    | Signal::DepositForfeited { .. }
                    | Signal::ForfeitAllocated { .. } => {}
                }
            }
        }
        let covered: i64 = realised.values().map(|(sold, paid)| sold + paid).sum();
        let needed = case.claim_amount_fen.saturating_add(costs);
        if covered < needed {
            return Ok(Vec::new());
        }
        let mut flagged = Vec::new();
        for row in disposals
            .iter()
            .filter(|row| row.asset_id != asset.id && row.stop_flagged_at.is_none())
        {
            let state: Disposal = serde_json::from_str(&row.state).map_err(Refusal::internal)?;
            if !not_yet_sold(&state.stage) {
                continue;
            }
            if store::disposal::flag_stop(tx, row.asset_id, now).await? {
                let payload = outbox_notice(
                    row.asset_id,
                    row.case_id,
                    Audience::Judge,
                    "TRAD-11",
                    format!(
                        "the case's disposals realised {} against its claim and costs of {}: stop the disposal of asset {} with stop_claim_covered, unless the debtor agrees to sell all",
                        Money::from_fen(covered),
                        Money::from_fen(needed),
                        row.asset_id
                    ),
                );
                store::nodes::enqueue(tx, DISPOSAL_NOTICE_TOPIC, Some(row.court_id), &payload, now).await?;
                flagged.push(row.asset_id);
            }
        }
        Ok(flagged)
    }

    /// REF-41 … REF-43 from the stored valuation and the sale price. `tx` reads inside a step's transaction;
    /// `None` reads the pool.
    async fn sale_fees(&self, tx: Option<&mut Tx>, court_id: i64, asset_id: i64, price: Money) -> Outcome<Option<SaleFees>> {
        let row = match tx {
            Some(tx) => store::valuation::load_for_update(tx, court_id, asset_id).await?,
            None => store::valuation::load(&self.db, court_id, asset_id).await?,
        };
        let Some(row) = row else { return Ok(None) };
        let valuation: Valuation = serde_json::from_str(&row.state).map_err(Refusal::internal)?;
        let Some(reference) = valuation.reference_price() else {
            return Ok(None);
        };
        Ok(Some(sale_fees(reference, price)))
    }

    /// Replays the platform's bid log against the rules of the current round as the stored disposal fixed them
    /// (AUC-4, AUC-10, AUC-11, AUC-14) and reports every discrepancy; the check and its result are audited.
    /// Assistants and judges.
    pub async fn check_disposal_bid_log(&self, principal: &Principal, asset_id: i64, request: BidLogRequest) -> Outcome<BidLogReport> {
        if !matches!(principal.role, Role::Assistant | Role::Judge) {
            return Err(Refusal::new(
                Code::RoleNotAllowed,
                format!("the role {} may not check a bid log", principal.role),
            ));
        }
        let bids = match (&request.bids, &request.bids_csv) {
            (Some(bids), None) => bids.clone(),
            (None, Some(csv)) => bid_log::parse_bid_log_csv(csv)?,
            (Some(_), Some(_)) | (None, None) => {
                return Err(Refusal::new(
                    Code::InvalidField,
                    "send the bids either as bids (JSON) or as bids_csv, not both",
                ))
            }
        };
        let now = self.now();
        let mut write = self.db.begin_write(now).await?;
        let row = store::disposal::load_for_update(&mut write.tx, principal.court_id, asset_id)
            .await?
            .ok_or_else(|| not_started(asset_id))?;
        let state: Disposal = serde_json::from_str(&row.state).map_err(Refusal::internal)?;
        let (round, rules) = round_rules(&state, &request)?;
        let check = bid_log::check_bid_log(&rules, &bids, &request.reported)?;
        let check_json = serde_json::to_value(&check).map_err(Refusal::internal)?;
        let rules_json = serde_json::to_value(&rules).map_err(Refusal::internal)?;
        let codes: Vec<&str> = check.discrepancies.iter().map(|found| found.code.code()).collect();
        write
            .commit(EventDraft::change(
                &principal.actor(),
                "disposal.check_bid_log",
                format!("asset:{asset_id}"),
                serde_json::json!({
                    "asset_id": asset_id,
                    "version": row.version,
                    "round": round,
                    "bids": bids.len(),
                    "reported": request.reported,
                    "computed_winner": check.computed_winner,
                    "computed_price": check.computed_price,
                    "outcome": check.outcome,
                    "discrepancies": codes,
                }),
            ))
            .await?;
        Ok(BidLogReport {
            asset_id,
            round,
            rules: rules_json,
            check: check_json,
        })
    }
}

/// Whether a disposal has not yet found a buyer or taker, so TRAD-11 can still stop it.
fn not_yet_sold(stage: &Stage) -> bool {
    match stage {
        Stage::Preparing(_)
        | Stage::Planned(_)
        | Stage::Announced(_)
        | Stage::SecondRoundFailed(_)
        | Stage::SellOff(_)
        | Stage::SellOffFailed(_)
        | Stage::SellOffResale(_)
        | Stage::SelfDisposalApplied(_)
        | Stage::SelfDisposal(_) => true,
        Stage::Suspended(suspension) => not_yet_sold(&suspension.paused),
        Stage::Settlement(_) | Stage::Ended(_) => false,
    }
}

/// The rules of the round to check: the announced round, else the last published one (the check comes after the
/// bidding, often after its result is recorded). Buyers who defaulted on this asset may not bid again (AUC-14);
/// a priority holder who waived in writing has no priority (DESIGN).
fn round_rules(state: &Disposal, request: &BidLogRequest) -> Outcome<(String, AuctionRules)> {
    let (round, plan) = match &state.stage {
        Stage::Announced(announced) => (announced.round, &announced.plan),
        _ => match state.rounds.last() {
            Some(published) => (published.round, &published.plan),
            None => {
                return Err(Refusal::rule_violation(
                    "out_of_order",
                    "AUC-11",
                    format!("no auction round has been published (the disposal is {})", state.stage.name()),
                ))
            }
        },
    };
    let mut excluded_bidders: Vec<ExcludedBidder> = state
        .rounds
        .iter()
        .filter_map(|published| match &published.result {
            Some(RoundResult::BuyerDefaulted { buyer, .. }) => Some(ExcludedBidder {
                bidder: buyer.clone(),
                reason: ExclusionReason::DefaultingBuyer,
            }),
            Some(RoundResult::Failed { .. } | RoundResult::Sold { .. }) | None => None,
        })
        .collect();
    for excluded in &request.excluded_bidders {
        if !excluded_bidders.iter().any(|known| known.bidder == excluded.bidder) {
            excluded_bidders.push(excluded.clone());
        }
    }
    let rules = AuctionRules {
        starting_price: plan.starting_price,
        increment: plan.bid_increment,
        bidding_start: plan.schedule.bidding.starts_at,
        scheduled_end: plan.schedule.bidding.ends_at,
        priority_holders: plan
            .priority_holders
            .iter()
            .filter(|holder| !holder.waived_in_writing)
            .map(|holder| bid_log::PriorityHolder {
                bidder: holder.name.clone(),
                rank: holder.rank,
            })
            .collect(),
        excluded_bidders,
        increment_multiples_only: request.increment_multiples_only.unwrap_or(true),
    };
    Ok((round.label(), rules))
}

/// REF-41 … REF-43 for a sale at `price` from the reference price and its results. The fee amounts need a tariff
/// the rules do not set (REF-43 "按照…收费标准"), so only the fee base and the payees are computed: the shares of a
/// zero fee give the REF-41 winners.
fn sale_fees(reference: &valuation::ReferencePrice, price: Money) -> SaleFees {
    let sale = valuation::Sale::Sold { price };
    let online_inquiry_fee_payees = match reference.method {
        Method::OnlineInquiry => valuation::online_inquiry_fee_shares(
            Money::ZERO,
            valuation::OnlineFeeCase::Results(&reference.results),
            sale,
            reference.amount,
        )
        .into_iter()
        .map(|share| share.payee)
        .collect(),
        Method::Negotiation | Method::DirectedInquiry | Method::Appraisal => Vec::new(),
    };
    let appraisal_fee_base = match reference.method {
        Method::Appraisal => match valuation::appraisal_fee_base(valuation::AppraisalFeeCase::Reported {
            appraisal_value: reference.amount,
            sale,
            actual_cost: Money::ZERO,
        }) {
            valuation::FeeBase::Value { amount } | valuation::FeeBase::ActualCost { amount } => Some(amount),
            valuation::FeeBase::Nothing => None,
        },
        Method::Negotiation | Method::DirectedInquiry | Method::OnlineInquiry => None,
    };
    SaleFees {
        sale_price: price,
        method: serde_json::to_value(reference.method)
            .ok()
            .and_then(|value| value.as_str().map(str::to_string))
            .unwrap_or_default(),
        online_inquiry_fee_payees,
        appraisal_fee_base,
        reissued: reference.reissued,
        advanced_by: valuation::FEES_ADVANCED_BY.to_string(),
        borne_by: valuation::FEES_BORNE_BY.to_string(),
    }
}

fn valuation_audit(step: &ValuationStep) -> serde_json::Value {
    serde_json::json!({ "action": step.action, "version": step.row.version, "event": step.event })
}

fn view(row: &DisposalRow, fees: Option<SaleFees>) -> Outcome<DisposalView> {
    Ok(DisposalView {
        asset_id: row.asset_id,
        case_id: row.case_id,
        stage: row.stage.clone(),
        version: row.version,
        stop_flagged: row.stop_flagged_at.is_some(),
        stop_flagged_at: row.stop_flagged_at,
        fees,
        state: serde_json::from_str(&row.state).map_err(Refusal::internal)?,
    })
}
