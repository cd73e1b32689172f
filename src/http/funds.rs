//! The execution-fund ledger over HTTP (一案一账号, FUND-1…FUND-12): statement imports, unidentified funds and
//! their approved claims, balances.

use super::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use super::handlers::Download;
use super::AppState;
use crate::auth::Principal;
use crate::engine::funds::{BalanceView, ImportReport, ImportRequest, SuspenseView};
use crate::error::{Code, Refusal};
use crate::statements::StatementFormat;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/statements", post(import_statement))
        .route("/suspense", get(list_suspense))
        .route("/suspense/publication", get(suspense_publication))
        .route("/suspense/{item_id}/claim", post(request_claim))
        .route("/suspense/{item_id}/approval", post(approve_claim))
        .route("/balances", get(balances))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// csv, mt940 or camt053; detected from the content when absent.
    pub format: Option<String>,
    /// The file's name, which helps detection.
    pub file_name: Option<String>,
}

/// Import a bank statement (finance): the request body is the file as the bank exported it (CSV in GBK or UTF-8
/// with the court's configured columns, MT940, or camt.053). Lines imported before post nothing again.
#[utoipa::path(post, path = "/api/v1/statements", tag = "funds", params(ImportQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "the statement file"),
    responses((status = 200, body = ImportReport), (status = 403, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn import_statement(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let format = query
        .format
        .as_deref()
        .map(|text| {
            text.parse::<StatementFormat>()
                .map_err(|_| Refusal::new(Code::InvalidQuery, format!("format '{text}' must be csv, mt940 or camt053")))
        })
        .transpose()?;
    if body.is_empty() {
        return Err(ApiError(Refusal::new(
            Code::InvalidField,
            "the request body must be the statement file",
        )));
    }
    let request = ImportRequest {
        bytes: &body,
        format,
        file_name: query.file_name.as_deref(),
        layout: None,
    };
    Ok(Json(state.engine.import_statement(&principal, request).await?))
}

/// Unidentified funds (不明款) not yet claimed, oldest first, with their age and claim deadline (FUND-3).
#[utoipa::path(get, path = "/api/v1/suspense", tag = "funds", responses((status = 200, body = [SuspenseView])), security(("bearer" = [])))]
pub async fn list_suspense(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> ApiResult<Json<Vec<SuspenseView>>> {
    Ok(Json(state.engine.suspense(&principal).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PublicationQuery {
    /// csv (default) or xlsx.
    pub format: Option<String>,
}

/// The public notice of unidentified funds (待认领款公示, FUND-3) as a file to publish: every item not yet claimed,
/// oldest first, the payer's account masked to its first and last four characters.
#[utoipa::path(get, path = "/api/v1/suspense/publication", tag = "funds", params(PublicationQuery),
    responses((status = 200, description = "the notice as CSV (text/csv) or XLSX"), (status = 400, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn suspense_publication(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(query): ApiQuery<PublicationQuery>,
) -> ApiResult<Response> {
    let format = match query.format.as_deref() {
        None | Some("csv") => Download::Csv,
        Some("xlsx") => Download::Xlsx,
        Some(other) => {
            return Err(ApiError(Refusal::new(
                Code::InvalidQuery,
                format!("format '{other}' must be csv or xlsx"),
            )))
        }
    };
    let rows = state.engine.suspense_publication(&principal).await?;
    let today = crate::clock::local_date(state.engine.now());
    let bytes = match format {
        Download::Csv => crate::engine::export::csv(&rows),
        Download::Xlsx => crate::engine::export::xlsx("待认领款公示", &rows, 8.0)?,
    };
    format.response(bytes, &format!("suspense-publication-{today}"))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// The case the funds belong to.
    pub case_id: i64,
    /// Why: the evidence that identifies the payer and the case.
    pub reason: String,
}

/// Ask to claim unidentified funds into a case (finance); an approval by someone else posts it (FUND-3).
#[utoipa::path(post, path = "/api/v1/suspense/{item_id}/claim", tag = "funds", params(("item_id" = i64, Path)), request_body = ClaimRequest,
    responses((status = 200, body = SuspenseView), (status = 403, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn request_claim(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(item_id): ApiPath<i64>,
    ApiJson(request): ApiJson<ClaimRequest>,
) -> ApiResult<Json<SuspenseView>> {
    Ok(Json(
        state
            .engine
            .request_suspense_claim(&principal, item_id, request.case_id, &request.reason)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimApprovalRequest {
    /// The approval form's reference (审批表编号).
    pub reference: String,
}

/// Approve a claim (a judge or the bureau head, never the requester): the funds move from suspense to the case (FUND-3).
#[utoipa::path(post, path = "/api/v1/suspense/{item_id}/approval", tag = "funds", params(("item_id" = i64, Path)), request_body = ClaimApprovalRequest,
    responses((status = 200, body = SuspenseView), (status = 403, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn approve_claim(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(item_id): ApiPath<i64>,
    ApiJson(request): ApiJson<ClaimApprovalRequest>,
) -> ApiResult<Json<SuspenseView>> {
    Ok(Json(
        state.engine.approve_suspense_claim(&principal, item_id, &request.reference).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BalanceQuery {
    pub case_id: Option<i64>,
}

/// Account balances of the court, or of one case, on each account's normal side.
#[utoipa::path(get, path = "/api/v1/balances", tag = "funds", params(BalanceQuery), responses((status = 200, body = [BalanceView])), security(("bearer" = [])))]
pub async fn balances(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(query): ApiQuery<BalanceQuery>,
) -> ApiResult<Json<Vec<BalanceView>>> {
    Ok(Json(state.engine.balances(&principal, query.case_id).await?))
}
