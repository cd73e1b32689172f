//! Payouts, the distribution plan, reconciliation and the application fee over HTTP (执行款发放、分配、对账;
//! FUND-4…FUND-12, SPEC §4). Thin handlers over `crate::engine::payouts`.

use super::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use super::handlers::{positive_id, Download};
use super::AppState;
use crate::auth::Principal;
use crate::engine::payouts::{
    parse_period, reconciliation_csv, reconciliation_xlsx, ApplicationFeeView, DrawUpPlanRequest, PayoutAction, PayoutRequest, PayoutView,
    PlanView,
};
use crate::error::{Code, Refusal};
use crate::ledger::PlanCommand;
use crate::money::Money;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/payouts", post(request_payout).get(list_payouts))
        .route("/payouts/{payout_id}", get(get_payout))
        .route("/payouts/{payout_id}/commands", post(payout_command))
        .route("/cases/{case_id}/distribution", post(draw_up_distribution).get(get_distribution))
        .route("/cases/{case_id}/distribution/commands", post(distribution_command))
        .route("/cases/{case_id}/application-fee", get(application_fee))
        .route("/reconciliation", get(reconciliation))
        .route("/reconciliation/monthly", get(monthly_reconciliations))
}

/// Request a payout (assistants, judges): only to the account confirmed at registration unless a panel approved
/// another (FUND-8, FUND-1). Opens the FUND-5 (or FUND-4) deadline node; the approval chain follows.
#[utoipa::path(post, path = "/api/v1/payouts", tag = "payouts", request_body = PayoutRequest,
    responses((status = 201, body = PayoutView), (status = 403, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn request_payout(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiJson(request): ApiJson<PayoutRequest>,
) -> ApiResult<(StatusCode, Json<PayoutView>)> {
    positive_id(request.case_id, "case")?;
    Ok((StatusCode::CREATED, Json(state.engine.request_payout(&principal, request).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PayoutListQuery {
    pub case_id: Option<i64>,
}

/// The court's payouts, or one case's.
#[utoipa::path(get, path = "/api/v1/payouts", tag = "payouts", params(PayoutListQuery), responses((status = 200, body = [PayoutView])), security(("bearer" = [])))]
pub async fn list_payouts(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(query): ApiQuery<PayoutListQuery>,
) -> ApiResult<Json<Vec<PayoutView>>> {
    Ok(Json(state.engine.payouts(&principal, query.case_id).await?))
}

#[utoipa::path(get, path = "/api/v1/payouts/{payout_id}", tag = "payouts", params(("payout_id" = i64, Path)),
    responses((status = 200, body = PayoutView), (status = 400, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn get_payout(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PayoutView>> {
    let id = positive_id(id, "payout")?;
    Ok(Json(state.engine.payout(&principal, id).await?))
}

/// One step of a payout: `{"command": "approve", "role": "case_officer" | "fund_manager" | "bureau_head" |
/// "vice_president"}`, `send_finance_notice {notified_on}`, `record_paid {paid_on}`, `record_bounce {bounced_on,
/// reason}`, `delay {ground, role}`, `clear_delay {cleared_on}`, `escrow {ground, role}`, `cancel {reason}` (FUND-8:
/// a judge, or the assistant who requested it, withdraws a payout not yet paid). The approver is the caller.
#[utoipa::path(post, path = "/api/v1/payouts/{payout_id}/commands", tag = "payouts", params(("payout_id" = i64, Path)),
    request_body(content = Object, description = "a payout command, tagged by \"command\""),
    responses((status = 200, body = PayoutView), (status = 403, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn payout_command(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(action): ApiJson<PayoutAction>,
) -> ApiResult<Json<PayoutView>> {
    let id = positive_id(id, "payout")?;
    Ok(Json(state.engine.payout_command(&principal, id, action).await?))
}

/// Draw up the distribution plan of the case's held funds (judges; FUND-9, FUND-11): costs first, priority claims by
/// rank, ordinary claims pro rata or by seizure order, the surplus to the debtor; shares exact to the fen.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/distribution", tag = "payouts", params(("case_id" = i64, Path)),
    request_body = DrawUpPlanRequest,
    responses((status = 201, body = PlanView), (status = 403, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn draw_up_distribution(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(case_id): ApiPath<i64>,
    ApiJson(request): ApiJson<DrawUpPlanRequest>,
) -> ApiResult<(StatusCode, Json<PlanView>)> {
    let case_id = positive_id(case_id, "case")?;
    Ok((
        StatusCode::CREATED,
        Json(state.engine.draw_up_distribution(&principal, case_id, request).await?),
    ))
}

/// The case's distribution plan, with what can be paid now.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/distribution", tag = "payouts", params(("case_id" = i64, Path)),
    responses((status = 200, body = PlanView), (status = 422, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn get_distribution(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(case_id): ApiPath<i64>,
) -> ApiResult<Json<PlanView>> {
    let case_id = positive_id(case_id, "case")?;
    Ok(Json(state.engine.distribution(&principal, case_id).await?))
}

/// One step of the plan's objection chain (FUND-12): `{"command": "record_service", "party", "received_on"}`,
/// `file_objection`, `notify_objection`, `file_counter_objection`, `close_counter_period`, `notify_objector`,
/// `record_suit`, `close_suit_period`, `record_judgment`, `revise_plan`, `close_objection_period`, `carry_out`.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/distribution/commands", tag = "payouts", params(("case_id" = i64, Path)),
    request_body(content = Object, description = "a plan command, tagged by \"command\""),
    responses((status = 200, body = PlanView), (status = 403, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn distribution_command(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(case_id): ApiPath<i64>,
    ApiJson(command): ApiJson<PlanCommand>,
) -> ApiResult<Json<PlanView>> {
    let case_id = positive_id(case_id, "case")?;
    Ok(Json(state.engine.distribution_command(&principal, case_id, command).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FeeQuery {
    /// For a case registered without an amount: the fee the court set, 50–500 yuan (FUND-10).
    pub court_set_fee: Option<String>,
}

/// The execution application fee (申请执行费, FUND-10) on the case's claim amount, paid after execution by the debtor.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/application-fee", tag = "payouts", params(("case_id" = i64, Path), FeeQuery),
    responses((status = 200, body = ApplicationFeeView), (status = 422, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn application_fee(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(case_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<FeeQuery>,
) -> ApiResult<Json<ApplicationFeeView>> {
    let case_id = positive_id(case_id, "case")?;
    let fee = query
        .court_set_fee
        .as_deref()
        .map(|text| {
            Money::parse(text).map_err(|_| Refusal::new(Code::InvalidQuery, format!("court_set_fee '{text}' must be a decimal amount")))
        })
        .transpose()?;
    Ok(Json(state.engine.application_fee(&principal, case_id, fee).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReconciliationQuery {
    /// The court's bank account (执行款专户) number.
    pub bank_account: String,
    /// One day, YYYY-MM-DD …
    pub day: Option<String>,
    /// … or one month, YYYY-MM.
    pub month: Option<String>,
    /// json (default), csv or xlsx.
    pub format: Option<String>,
}

/// The monthly reconciliations the monthly job recorded for the caller's court (FUND-2; finance and supervisors),
/// oldest month first: per bank account, whether it reconciled, the balances, the difference in fen and the
/// unmatched items' counts. `GET /api/v1/reconciliation?month=` shows a month's items themselves.
#[utoipa::path(get, path = "/api/v1/reconciliation/monthly", tag = "payouts",
    responses((status = 200, description = "the recorded monthly reconciliations"), (status = 403, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn monthly_reconciliations(State(state): State<AppState>, Extension(principal): Extension<Principal>) -> ApiResult<Response> {
    let rows = state.engine.monthly_reconciliations(&principal).await?;
    let rows: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|row| {
            serde_json::json!({
                "bank_account": row.bank_account,
                "month": row.month,
                "ok": row.ok,
                "statement_balance": Money::from_fen(row.statement_balance_fen),
                "ledger_balance": Money::from_fen(row.ledger_balance_fen),
                "difference": Money::from_fen(row.difference_fen),
                "unmatched_statement_lines": row.unmatched_statement_lines,
                "unmatched_ledger_entries": row.unmatched_ledger_entries,
                "audit_seq": row.audit_seq,
            })
        })
        .collect();
    Ok(Json(rows).into_response())
}

/// Reconcile a bank account for a day or a month (对账; finance and supervisors; SPEC §4, FUND-2): the statement
/// against the ledger, and the case accounts against the bank. `format=csv` or `format=xlsx` downloads the table.
#[utoipa::path(get, path = "/api/v1/reconciliation", tag = "payouts", params(ReconciliationQuery),
    responses((status = 200, description = "the reconciliation as JSON, CSV (text/csv) or XLSX"), (status = 403, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn reconciliation(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(query): ApiQuery<ReconciliationQuery>,
) -> ApiResult<Response> {
    let download = match query.format.as_deref() {
        None | Some("json") => None,
        Some("csv") => Some(Download::Csv),
        Some("xlsx") => Some(Download::Xlsx),
        Some(other) => {
            return Err(ApiError(Refusal::new(
                Code::InvalidQuery,
                format!("format '{other}' must be json, csv or xlsx"),
            )))
        }
    };
    let period = parse_period(query.day.as_deref(), query.month.as_deref())?;
    let reconciliation = state.engine.reconciliation(&principal, &query.bank_account, period).await?;
    let Some(download) = download else {
        return Ok(Json(reconciliation).into_response());
    };
    let bytes = match download {
        Download::Csv => reconciliation_csv(&reconciliation),
        Download::Xlsx => reconciliation_xlsx(&reconciliation)?,
    };
    // Only the account's digits and letters go into the file name, so no caller's text can break the header.
    let account: String = reconciliation.bank.chars().filter(char::is_ascii_alphanumeric).collect();
    let stem = format!("reconciliation-{account}-{}", period.label());
    download.response(bytes, &stem)
}
