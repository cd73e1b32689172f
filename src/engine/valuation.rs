//! The reference-price procedure of an asset (REF-1…REF-46): load its lifecycle, run one command in the pure
//! `crate::valuation` core, then write the new state, its event, its node effects, its notices and the audit event
//! in one transaction.

use super::Engine;
use crate::audit::{Actor, EventDraft};
use crate::auth::{Principal, Role};
use crate::clock::local_date;
use crate::error::{Code, Outcome, Refusal};
use crate::store::{self, nodes::KeyedChange, nodes::NodeInsert, valuation::ValuationRow, Tx};
use crate::valuation::{AssetFacts, Command, Effect, StartValuation, Transition, Valuation, ValuationError};
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::Serialize;

/// A valuation as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ValuationView {
    pub asset_id: i64,
    /// The lifecycle's stage: choosing_method, negotiation, directed_inquiry, online_inquiry, appraisal, suspended,
    /// fixed or withdrawn.
    pub stage: String,
    pub version: i32,
    /// The whole lifecycle state, as the core keeps it.
    #[schema(value_type = Object)]
    pub state: serde_json::Value,
}

impl From<ValuationError> for Refusal {
    fn from(error: ValuationError) -> Self {
        Refusal::rule_violation(error.code(), error.rule(), error.to_string())
    }
}

/// Commands the law reserves to the judge or panel (SPEC §1: judges decide, assistants run the steps; "谁审批、
/// 谁负责"): extensions (REF-12, REF-23), ordering a report's correction (REF-26), referring it to the industry
/// review (REF-29), deciding objections (REF-28, REF-31), suspension, resumption and withdrawal (REF-34, REF-35),
/// and the finding that a negotiated price harms others' rights (REF-4).
fn reserved_to_judges(command: &Command) -> bool {
    match command {
        Command::DecidePlatformExtensions(_)
        | Command::DecideAppraisalExtension(_)
        | Command::RequestReportCorrection(_)
        | Command::ReferToIndustryReview(_)
        | Command::DecideObjection(_)
        | Command::DecideSupervisionObjection(_)
        | Command::Suspend(_)
        | Command::Resume(_)
        | Command::Withdraw(_) => true,
        Command::RecordNegotiationResult(result) => result.harms_third_parties,
        _ => false,
    }
}

/// The outbox topic of the valuation's notices.
pub(crate) const VALUATION_NOTICE_TOPIC: &str = "valuation.notice";

fn command_name(command: &Command) -> String {
    serde_json::to_value(command)
        .ok()
        .and_then(|value| value["command"].as_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}

impl Engine {
    /// Starts the reference-price procedure of a seized asset (REF-1, REF-3): its facts come from the register,
    /// its recipients are the case's parties.
    pub async fn start_valuation(&self, principal: &Principal, asset_id: i64) -> Outcome<ValuationView> {
        self.run_valuation(principal, asset_id, None).await
    }

    /// Runs one command of the procedure.
    pub async fn valuation_command(&self, principal: &Principal, asset_id: i64, command: Command) -> Outcome<ValuationView> {
        if matches!(command, Command::Start(_)) {
            return Err(Refusal::new(
                Code::InvalidField,
                "start the procedure with POST /api/v1/assets/{asset_id}/valuation",
            ));
        }
        self.run_valuation(principal, asset_id, Some(command)).await
    }

    pub async fn valuation(&self, principal: &Principal, asset_id: i64) -> Outcome<ValuationView> {
        let row = store::valuation::load(&self.db, principal.court_id, asset_id)
            .await?
            .ok_or_else(|| {
                Refusal::new(
                    Code::ValuationNotStarted,
                    format!("asset {asset_id} has no reference-price procedure in your court"),
                )
            })?;
        view(&row)
    }

    /// Checks, in order: the role (assistants, judges and admins; decisions reserved to judges), the asset (in the
    /// caller's court), the procedure's existence, then the core's own checks.
    async fn run_valuation(&self, principal: &Principal, asset_id: i64, command: Option<Command>) -> Outcome<ValuationView> {
        match (&command, principal.role) {
            (_, Role::Finance | Role::Supervisor) => {
                return Err(Refusal::new(
                    Code::RoleNotAllowed,
                    format!("the role {} may not run the reference-price procedure", principal.role),
                ));
            }
            (Some(command), Role::Assistant | Role::Admin) if reserved_to_judges(command) => {
                return Err(Refusal::new(
                    Code::RoleNotAllowed,
                    format!("{} is the judge's decision", command_name(command)),
                ));
            }
            _ => {}
        }
        let now = self.now();
        let mut write = self.db.begin_write(now).await?;
        let asset = store::registry::asset_in_court_tx(&mut write.tx, principal.court_id, asset_id)
            .await?
            .ok_or_else(|| Refusal::new(Code::AssetNotFound, format!("there is no asset {asset_id} in your court")))?;
        let step = self.valuation_step(&mut write.tx, write.seq, &asset, command, now).await?;
        write
            .commit(EventDraft::change(
                &principal.actor(),
                &format!("valuation.{}", step.action),
                format!("asset:{asset_id}"),
                step.audit_payload(),
            ))
            .await?;
        view(&step.row)
    }

    /// REF-33: every fixed price whose validity (or grace) ended yesterday or earlier without the disposal (or the
    /// sale) it waited for lapses, as chuzhi's own step: the platforms or the agency are asked to reissue (REF-14,
    /// REF-25), or a new price is determined. One transaction and audit event per asset; at most `limit` assets.
    pub async fn lapse_expired_prices(&self, now: DateTime<Utc>, limit: u32, court_id: Option<i64>) -> Outcome<u64> {
        let today = local_date(now);
        let mut lapsed = 0;
        for (court, asset_id) in store::nodes::lapsed_validity_assets(&self.db, today, court_id, i64::from(limit.max(1))).await? {
            let mut write = self.db.begin_write(now).await?;
            let Some(asset) = store::registry::asset_in_court_tx(&mut write.tx, court, asset_id).await? else {
                continue;
            };
            let command = Command::LapseValidity(crate::valuation::LapseValidity {});
            let step = self.valuation_step(&mut write.tx, write.seq, &asset, Some(command), now).await?;
            write
                .commit(EventDraft::change(
                    &Actor::system("sweep"),
                    "valuation.lapse_validity",
                    format!("asset:{asset_id}"),
                    step.audit_payload(),
                ))
                .await?;
            lapsed += 1;
        }
        Ok(lapsed)
    }

    /// One step of an asset's procedure inside the caller's writing transaction: load, decide in the core, store
    /// the state, the event and the node effects. The caller commits with its audit event (another lifecycle, such
    /// as the disposal recording its start, runs this inside its own transaction).
    pub(crate) async fn valuation_step(
        &self,
        tx: &mut Tx,
        audit_seq: i64,
        asset: &store::registry::AssetRow,
        command: Option<Command>,
        now: DateTime<Utc>,
    ) -> Outcome<ValuationStep> {
        let today = local_date(now);
        let asset_id = asset.id;
        let existing = store::valuation::load_for_update(tx, asset.court_id, asset_id).await?;
        let (transition, version, action) = match (command, existing) {
            (None, Some(_)) => return Err(ValuationError::ProcedureAlreadyStarted.into()),
            (None, None) => {
                let facts = AssetFacts {
                    kind: crate::registry::AssetKind::parse(&asset.kind)
                        .ok_or_else(|| Refusal::internal(format!("asset {asset_id} has kind {}", asset.kind)))?,
                    seizure_date: asset.seizure_date,
                    to_be_sold: asset.to_be_sold,
                    has_official_price: asset.has_official_price,
                    needs_onsite_inspection: asset.needs_onsite_inspection,
                    appraisal_required_by_law: asset.appraisal_required_by_law,
                    high_value_or_complex: asset.high_value_or_complex,
                };
                let recipients = store::registry::parties_of_case_tx(tx, asset.case_id)
                    .await?
                    .into_iter()
                    .map(|party| format!("{}:{}", party.role, party.id))
                    .collect();
                (
                    Valuation::start(StartValuation { asset: facts, recipients }, today, &self.calendar)?,
                    1,
                    "start".to_string(),
                )
            }
            (Some(_), None) => {
                return Err(Refusal::new(
                    Code::ValuationNotStarted,
                    format!("asset {asset_id} has no reference-price procedure; start it first"),
                ));
            }
            (Some(command), Some(row)) => {
                let state: Valuation = serde_json::from_str(&row.state)
                    .map_err(|error| Refusal::internal(format!("valuation of asset {asset_id}: {error}")))?;
                let action = command_name(&command);
                let command = self.complete_command(tx, asset_id, &state, command, now).await?;
                (state.apply(command, today, &self.calendar)?, row.version + 1, action)
            }
        };
        let Transition { state, effects, event } = transition;
        let row = ValuationRow {
            asset_id,
            court_id: asset.court_id,
            state: serde_json::to_string(&state).map_err(Refusal::internal)?,
            stage: state.stage.name().to_string(),
            version,
        };
        if store::valuation::save(tx, &row, now).await? != 1 {
            return Err(Refusal::internal(format!(
                "valuation of asset {asset_id} changed underneath version {version}"
            )));
        }
        let event_json = serde_json::to_value(&event).map_err(Refusal::internal)?;
        store::valuation::append_event(tx, asset_id, version, event.on, &event_json.to_string(), audit_seq).await?;
        self.apply_effects(tx, asset.court_id, asset.case_id, asset_id, &effects, VALUATION_NOTICE_TOPIC, now)
            .await?;
        Ok(ValuationStep {
            row,
            action,
            event: event_json,
        })
    }

    /// Fills what chuzhi keeps rather than the caller (checked in this order): the platform register for an
    /// online inquiry (REF-10), the register check of agreed agencies (REF-18), a lottery's candidates from the
    /// register and a fresh seed's commitment, and the seed at the draw (REF-19).
    /// The seed comes from the operating system's random source and stays out of the state and the audit log until
    /// the draw, so nobody can see or choose a result before it is fixed.
    async fn complete_command(
        &self,
        tx: &mut Tx,
        asset_id: i64,
        state: &Valuation,
        command: Command,
        now: DateTime<Utc>,
    ) -> Outcome<Command> {
        let supplied = |field: &str| Refusal::new(Code::InvalidField, format!("{field} is kept by chuzhi, not sent with the command"));
        Ok(match command {
            Command::SendOnlineInquiry(mut inquiry) => {
                if !inquiry.register.is_empty() {
                    return Err(supplied("register"));
                }
                inquiry.register = self.inquiry_platforms.as_ref().clone();
                Command::SendOnlineInquiry(inquiry)
            }
            Command::RecordAgreedAgencies(agreed) => {
                // REF-18, REF-19: the parties agree agencies from the register's sub-lists.
                if let Some(unlisted) = agreed.agencies.iter().find(|agency| !self.appraisal_agencies.contains(agency)) {
                    return Err(Refusal::rule_violation(
                        "agency_not_on_register",
                        "REF-18",
                        format!("{unlisted} is not on the register of appraisal agencies"),
                    ));
                }
                Command::RecordAgreedAgencies(agreed)
            }
            Command::CommitAgencyLottery(mut lottery) => {
                if !lottery.seed_sha256.is_empty() {
                    return Err(supplied("seed_sha256"));
                }
                if !lottery.candidates.is_empty() {
                    return Err(supplied("candidates"));
                }
                // REF-19: the candidates are the named sub-list's agencies on the register (REF-18), never the caller's.
                lottery.candidates = self.appraisal_agencies.sub_lists.get(&lottery.sub_list).cloned().ok_or_else(|| {
                    Refusal::rule_violation(
                        "sub_list_not_on_register",
                        "REF-18",
                        format!("there is no sub-list '{}' on the register", lottery.sub_list),
                    )
                })?;
                let mut seed = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut seed);
                lottery.seed_sha256 = crate::valuation::seed_commitment(&seed);
                store::valuation::insert_seed(tx, asset_id, &lottery.seed_sha256, &hex::encode(seed), now).await?;
                Command::CommitAgencyLottery(lottery)
            }
            Command::DrawAppraisalAgencies(mut draw) => {
                if !draw.seed.is_empty() {
                    return Err(supplied("seed"));
                }
                // The seed behind the commitment the lifecycle holds; none when no lottery is committed, which the
                // core then refuses as out of order.
                if let crate::valuation::Stage::Appraisal(appraisal) = &state.stage {
                    if let crate::valuation::AppraisalPhase::LotteryCommitted { commitment } = &appraisal.phase {
                        draw.seed = store::valuation::reveal_seed(tx, asset_id, &commitment.seed_sha256, now)
                            .await?
                            .unwrap_or_default();
                    }
                }
                Command::DrawAppraisalAgencies(draw)
            }
            other => other,
        })
    }

    /// Carries out a lifecycle's effects on the nodes and the outbox, in the command's transaction. The valuation
    /// and the disposal share it (their node keys never clash: the disposal's start with `disposal.`); `topic` names
    /// the outbox topic of their notices.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn apply_effects(
        &self,
        tx: &mut Tx,
        court_id: i64,
        case_id: i64,
        asset_id: i64,
        effects: &[Effect],
        topic: &str,
        now: DateTime<Utc>,
    ) -> Outcome<()> {
        for effect in effects {
            match effect {
                Effect::CreateNode { key, plan, .. } => {
                    let dates = plan.dates(&self.calendar);
                    let node = NodeInsert {
                        court_id,
                        case_id,
                        asset_id: Some(asset_id),
                        plan,
                        dates,
                        created_at: now,
                        node_key: Some(&key.0),
                    };
                    store::nodes::insert_node(tx, &node).await?;
                }
                Effect::RescheduleNode { key, plan, .. } | Effect::ResumeNode { key, plan, .. } => {
                    let changed = store::nodes::replan_keyed_node(tx, asset_id, &key.0, plan, &plan.dates(&self.calendar)).await?;
                    expect_one_node(changed, asset_id, &key.0)?;
                }
                Effect::PauseNode { key } => {
                    expect_one_node(
                        store::nodes::change_keyed_node(tx, asset_id, &key.0, KeyedChange::Pause, now).await?,
                        asset_id,
                        &key.0,
                    )?;
                }
                Effect::MeetNode { key } => {
                    expect_one_node(
                        store::nodes::change_keyed_node(tx, asset_id, &key.0, KeyedChange::Meet, now).await?,
                        asset_id,
                        &key.0,
                    )?;
                }
                Effect::CancelNode { key } => {
                    expect_one_node(
                        store::nodes::change_keyed_node(tx, asset_id, &key.0, KeyedChange::Cancel, now).await?,
                        asset_id,
                        &key.0,
                    )?;
                }
                Effect::MeetNodes { rule_id } => {
                    store::nodes::meet_rule_nodes(tx, asset_id, rule_id, now).await?;
                }
                Effect::Notify(notice) => {
                    let payload = serde_json::json!({ "asset_id": asset_id, "case_id": case_id, "notice": notice });
                    store::nodes::enqueue(tx, topic, Some(court_id), &payload, now).await?;
                }
            }
        }
        Ok(())
    }
}

/// A keyed effect must find exactly its one open node; anything else means the stored nodes and the lifecycle
/// disagree, and the command is rolled back rather than leave a node alerting forever.
fn expect_one_node(changed: u64, asset_id: i64, key: &str) -> Outcome<()> {
    if changed == 1 {
        Ok(())
    } else {
        Err(Refusal::internal(format!(
            "asset {asset_id}: node {key} matched {changed} open nodes"
        )))
    }
}

/// What one stored valuation step did: the new row, the command's name, and its event.
pub(crate) struct ValuationStep {
    pub row: ValuationRow,
    pub action: String,
    pub event: serde_json::Value,
}

impl ValuationStep {
    pub(crate) fn audit_payload(&self) -> serde_json::Value {
        serde_json::json!({ "asset_id": self.row.asset_id, "version": self.row.version, "event": self.event })
    }
}

fn view(row: &ValuationRow) -> Outcome<ValuationView> {
    Ok(ValuationView {
        asset_id: row.asset_id,
        stage: row.stage.clone(),
        version: row.version,
        state: serde_json::from_str(&row.state).map_err(Refusal::internal)?,
    })
}
