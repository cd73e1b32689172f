//! Registering cases and seized assets, and reading them back.

use super::Engine;
use crate::audit::EventDraft;
use crate::auth::{Permission, Principal};
use crate::calendar::Period;
use crate::clock::local_date;
use crate::error::{Code, Outcome, Refusal};
use crate::money::Money;
use crate::nodes::{self, NodePlan};
use crate::registry::{collection_account_number, NewAsset, NewCase};
use crate::store::{self, nodes::NodeInsert, registry::CaseInsert};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A party as the API shows it: the stored row as it is.
pub type PartyView = store::registry::PartyRow;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub id: i64,
    pub case_number: String,
    /// The case's one collection account (一案一账号, FUND-1).
    pub collection_account: String,
    #[schema(value_type = String, format = Date)]
    pub filing_date: NaiveDate,
    #[schema(value_type = String, example = "1200000.00")]
    pub claim_amount: Money,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseView,
    pub parties: Vec<PartyView>,
    pub assets: Vec<AssetView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssetView {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub description: String,
    #[schema(value_type = String, format = Date)]
    pub seizure_date: NaiveDate,
    pub to_be_sold: bool,
    pub has_official_price: bool,
    pub needs_onsite_inspection: bool,
    pub appraisal_required_by_law: bool,
    pub high_value_or_complex: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssetDetail {
    #[serde(flatten)]
    pub asset: AssetView,
    pub nodes: Vec<NodeView>,
}

/// A deadline node as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NodeView {
    pub id: i64,
    pub case_id: i64,
    pub asset_id: Option<i64>,
    /// The rule that sets this time limit, e.g. "REF-1".
    pub rule: String,
    pub title: String,
    pub trigger_event: String,
    #[schema(value_type = String, format = Date)]
    pub trigger_date: NaiveDate,
    /// "30d" calendar days, "10wd" working days, "36m" months.
    pub period: String,
    #[schema(value_type = String, format = Date)]
    pub due_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub remind_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub next_alert_on: Option<NaiveDate>,
    pub status: String,
    /// The period reaches a year with no published holiday schedule (PER-10); recomputed when it is loaded.
    pub provisional: bool,
    /// The China date the node was met or cancelled.
    #[schema(value_type = Option<String>, format = Date)]
    pub closed_on: Option<NaiveDate>,
    /// Met after its due date: what the node waited for came, but late (a late report, a late answer). Supervisors
    /// count these; the node does not pretend it was met in time.
    pub met_late: bool,
}

/// A node with the calendar's explanation of its due date.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NodeDetail {
    #[serde(flatten)]
    pub node: NodeView,
    /// The steps from trigger to due date: the count, and each roll-forward over a rest day.
    #[schema(value_type = Object)]
    pub explanation: crate::calendar::Deadline,
}

impl From<store::registry::CaseRow> for CaseView {
    fn from(row: store::registry::CaseRow) -> Self {
        CaseView {
            id: row.id,
            case_number: row.case_number,
            collection_account: row.collection_account,
            filing_date: row.filing_date,
            claim_amount: Money::from_fen(row.claim_amount_fen),
            created_at: row.created_at,
        }
    }
}

impl From<store::registry::AssetRow> for AssetView {
    fn from(row: store::registry::AssetRow) -> Self {
        AssetView {
            id: row.id,
            case_id: row.case_id,
            kind: row.kind,
            description: row.description,
            seizure_date: row.seizure_date,
            to_be_sold: row.to_be_sold,
            has_official_price: row.has_official_price,
            needs_onsite_inspection: row.needs_onsite_inspection,
            appraisal_required_by_law: row.appraisal_required_by_law,
            high_value_or_complex: row.high_value_or_complex,
        }
    }
}

impl From<store::nodes::NodeRow> for NodeView {
    fn from(row: store::nodes::NodeRow) -> Self {
        NodeView {
            id: row.id,
            case_id: row.case_id,
            asset_id: row.asset_id,
            rule: row.rule_id,
            title: row.title,
            trigger_event: row.trigger_event,
            trigger_date: row.trigger_date,
            period: row.period,
            due_date: row.due_date,
            remind_on: row.remind_on,
            next_alert_on: row.next_alert_on,
            met_late: row.status == "met"
                && row
                    .closed_at
                    .is_some_and(|closed_at| crate::clock::local_date(closed_at) > row.due_date),
            closed_on: row.closed_at.map(crate::clock::local_date),
            status: row.status,
            provisional: row.provisional,
        }
    }
}

fn case_not_found(case_id: i64) -> Refusal {
    Refusal::new(Code::CaseNotFound, format!("there is no case {case_id} in your court"))
}

impl Engine {
    /// Registers an execution case and gives it its collection account number (FUND-1).
    /// Checks, in order: the caller's role, the input (`NewCase::validate`), then the case number's uniqueness.
    pub async fn register_case(&self, principal: &Principal, input: &NewCase) -> Outcome<CaseDetail> {
        self.require(principal, Permission::Register, "register cases")?;
        let now = self.now();
        input.validate(local_date(now))?;
        let mut write = self.db.begin_write(now).await?;
        let sequence = store::registry::take_case_sequence(&mut write.tx, principal.court_id).await?;
        let account = collection_account_number(&principal.court_code, sequence);
        let case_id = store::registry::insert_case(
            &mut write.tx,
            &CaseInsert {
                court_id: principal.court_id,
                case_number: &input.case_number,
                sequence,
                collection_account: &account,
                filing_date: input.filing_date,
                claim_amount_fen: input.claim_amount.fen(),
                created_at: now,
            },
        )
        .await
        .map_err(|error| {
            store::map_unique(
                error,
                Code::CaseNumberTaken,
                format!("case number {} is already registered in your court", input.case_number.trim()),
            )
        })?;
        for applicant in &input.applicants {
            store::registry::insert_applicant(&mut write.tx, case_id, applicant).await?;
        }
        for debtor in &input.debtors {
            store::registry::insert_debtor(&mut write.tx, case_id, debtor).await?;
        }
        let payload = serde_json::json!({
            "case_number": input.case_number.trim(),
            "collection_account": account,
            "claim_amount": input.claim_amount,
            "filing_date": input.filing_date,
            "applicants": input.applicants.len(),
            "debtors": input.debtors.len(),
        });
        write
            .commit(EventDraft::change(
                &principal.actor(),
                "register_case",
                format!("case:{case_id}"),
                payload,
            ))
            .await?;
        self.case_detail(principal, case_id).await
    }

    /// Registers a seized asset and creates its nodes: REF-1 for assets that must be sold, SEIZ-1 for every asset.
    /// Checks, in order: the caller's role, the case (in the caller's court), then the input.
    pub async fn register_asset(&self, principal: &Principal, case_id: i64, input: &NewAsset) -> Outcome<AssetDetail> {
        self.require(principal, Permission::Register, "register seized assets")?;
        let now = self.now();
        let mut write = self.db.begin_write(now).await?;
        let case = store::registry::case_in_court_tx(&mut write.tx, principal.court_id, case_id)
            .await?
            .ok_or_else(|| case_not_found(case_id))?;
        input.validate(case.filing_date, local_date(now))?;
        let asset_id = store::registry::insert_asset(&mut write.tx, case_id, principal.court_id, input, now).await?;
        let mut plans: Vec<NodePlan> = Vec::with_capacity(2);
        if input.to_be_sold() {
            plans.push(nodes::ref_1_plan(input.seizure_date, self.settings.upcoming_working_days));
        }
        plans.push(nodes::seiz_1_plan(
            input.seizure_date,
            input.kind.seizure_term_months(),
            self.settings.seizure_renewal_lead_working_days,
        ));
        let mut node_ids = Vec::with_capacity(plans.len());
        for plan in &plans {
            let dates = plan.dates(&self.calendar);
            let node = NodeInsert {
                court_id: principal.court_id,
                case_id,
                asset_id: Some(asset_id),
                plan,
                dates,
                created_at: now,
                node_key: None,
            };
            node_ids.push(serde_json::json!({ "rule": plan.rule_id, "due_date": dates.due_date, "id": store::nodes::insert_node(&mut write.tx, &node).await? }));
        }
        let payload = serde_json::json!({ "case_id": case_id, "kind": input.kind, "seizure_date": input.seizure_date, "nodes": node_ids });
        write
            .commit(EventDraft::change(
                &principal.actor(),
                "register_asset",
                format!("asset:{asset_id}"),
                payload,
            ))
            .await?;
        self.asset_detail(principal, asset_id).await
    }

    pub async fn case_detail(&self, principal: &Principal, case_id: i64) -> Outcome<CaseDetail> {
        let case = store::registry::case_in_court(&self.db, principal.court_id, case_id)
            .await?
            .ok_or_else(|| case_not_found(case_id))?;
        let parties = store::registry::parties_of_case(&self.db, case_id).await?;
        let assets = store::registry::assets_of_case(&self.db, case_id).await?;
        Ok(CaseDetail {
            case: case.into(),
            parties,
            assets: assets.into_iter().map(Into::into).collect(),
        })
    }

    pub async fn list_cases(&self, principal: &Principal, after_id: i64, limit: i64) -> Outcome<Vec<CaseView>> {
        let rows = store::registry::cases_in_court(&self.db, principal.court_id, after_id, limit).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn asset_detail(&self, principal: &Principal, asset_id: i64) -> Outcome<AssetDetail> {
        let asset = store::registry::asset_in_court(&self.db, principal.court_id, asset_id)
            .await?
            .ok_or_else(|| Refusal::new(Code::AssetNotFound, format!("there is no asset {asset_id} in your court")))?;
        let filter = store::nodes::NodeFilter {
            asset_id: Some(asset_id),
            limit: 1_000,
            ..Default::default()
        };
        let nodes = store::nodes::nodes_in_court(&self.db, principal.court_id, &filter).await?;
        Ok(AssetDetail {
            asset: asset.into(),
            nodes: nodes.into_iter().map(Into::into).collect(),
        })
    }

    pub async fn assets_of_case(&self, principal: &Principal, case_id: i64) -> Outcome<Vec<AssetView>> {
        store::registry::case_in_court(&self.db, principal.court_id, case_id)
            .await?
            .ok_or_else(|| case_not_found(case_id))?;
        Ok(store::registry::assets_of_case(&self.db, case_id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub async fn list_nodes(&self, principal: &Principal, filter: &store::nodes::NodeFilter) -> Outcome<Vec<NodeView>> {
        Ok(store::nodes::nodes_in_court(&self.db, principal.court_id, filter)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// A node with the explanation of its due date, recomputed from its trigger and period on today's calendar.
    pub async fn node_detail(&self, principal: &Principal, node_id: i64) -> Outcome<NodeDetail> {
        let row = store::nodes::node_in_court(&self.db, principal.court_id, node_id)
            .await?
            .ok_or_else(|| Refusal::new(Code::NodeNotFound, format!("there is no node {node_id} in your court")))?;
        let period: Period = row
            .period
            .parse()
            .map_err(|_| Refusal::internal(format!("node {node_id} has an unreadable period {}", row.period)))?;
        let explanation = self.calendar.deadline(row.trigger_date, period);
        Ok(NodeDetail {
            node: row.into(),
            explanation,
        })
    }

    pub async fn list_alerts(&self, principal: &Principal, kind: Option<&str>, after_id: i64, limit: i64) -> Outcome<Vec<AlertView>> {
        let rows = store::nodes::alerts_in_court(&self.db, principal.court_id, kind, after_id, limit).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

/// An alert as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AlertView {
    pub id: i64,
    pub node_id: i64,
    pub case_id: i64,
    pub asset_id: Option<i64>,
    /// upcoming, due_today or overdue.
    pub kind: String,
    /// staff, or supervisors for an escalation.
    pub audience: String,
    pub rule: String,
    pub title: String,
    #[schema(value_type = String, format = Date)]
    pub due_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    #[schema(value_type = String, format = DateTime)]
    pub raised_at: DateTime<Utc>,
}

impl From<store::nodes::AlertRow> for AlertView {
    fn from(row: store::nodes::AlertRow) -> Self {
        AlertView {
            id: row.id,
            node_id: row.node_id,
            case_id: row.case_id,
            asset_id: row.asset_id,
            kind: row.kind,
            audience: row.audience,
            rule: row.rule_id,
            title: row.title,
            due_date: row.due_date,
            as_of: row.as_of,
            raised_at: row.raised_at,
        }
    }
}
