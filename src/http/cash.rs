//! Cash receipts over HTTP (现金收款, FUND-2): thin handlers over `crate::engine::cash`.

use super::error::{ApiError, ApiJson, ApiPath};
use super::handlers::positive_id;
use super::AppState;
use crate::auth::Principal;
use crate::engine::cash::{CashDepositRequest, CashReceiptRequest, CashReceiptView};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Extension, Json, Router};

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{case_id}/cash-receipts", post(record_cash_receipt).get(list_cash_receipts))
        .route("/cash-receipts/{receipt_id}/deposit", post(record_cash_deposit))
}

/// Record cash two officers collected for the case (assistants, judges; FUND-2): at least two different officers,
/// the receipt's number (unique in the court), the amount, and the days of collection, return to court and handover
/// to finance; an explanation unless the handover was on the return day. The case is credited at once, in transit
/// until the statement shows finance's deposit. A handover after the limit (the next day, rolled past rest days) is
/// recorded as a FUND-2 breach and alerts the supervisors. The same receipt recorded again answers 200 with the record.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/cash-receipts", tag = "funds", params(("case_id" = i64, Path)),
    request_body = CashReceiptRequest,
    responses((status = 201, body = CashReceiptView), (status = 200, description = "recorded before, with the same facts", body = CashReceiptView),
        (status = 403, body = super::error::ErrorEnvelope), (status = 409, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn record_cash_receipt(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(case_id): ApiPath<i64>,
    ApiJson(request): ApiJson<CashReceiptRequest>,
) -> ApiResult<(StatusCode, Json<CashReceiptView>)> {
    let case_id = positive_id(case_id, "case")?;
    let (created, view) = state.engine.record_cash_receipt(&principal, case_id, request).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(view)))
}

/// The case's cash receipts, oldest first, with their handover timing and where the deposit stands.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/cash-receipts", tag = "funds", params(("case_id" = i64, Path)),
    responses((status = 200, body = [CashReceiptView]), (status = 404, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn list_cash_receipts(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(case_id): ApiPath<i64>,
) -> ApiResult<Json<Vec<CashReceiptView>>> {
    let case_id = positive_id(case_id, "case")?;
    Ok(Json(state.engine.cash_receipts(&principal, case_id).await?))
}

/// Record finance's deposit of the cash at the bank (finance; FUND-2): the bank's reference of the deposit, by which
/// the statement line is recognised and clears the amount from in transit. If that line was imported already, it
/// is checked to be this cash and the second credit it gave the case is taken back at once.
#[utoipa::path(post, path = "/api/v1/cash-receipts/{receipt_id}/deposit", tag = "funds", params(("receipt_id" = i64, Path)),
    request_body = CashDepositRequest,
    responses((status = 200, body = CashReceiptView), (status = 403, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn record_cash_deposit(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(receipt_id): ApiPath<i64>,
    ApiJson(request): ApiJson<CashDepositRequest>,
) -> ApiResult<Json<CashReceiptView>> {
    let receipt_id = positive_id(receipt_id, "cash receipt")?;
    Ok(Json(state.engine.record_cash_deposit(&principal, receipt_id, request).await?))
}
