//! Request handlers: extract, call the engine, answer.

use super::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use super::AppState;
use crate::auth::{Permission, Principal};
use crate::engine::{AlertView, AssetView, CaseView, NodeDetail, NodeView};
use crate::engine::{AssetDetail, CaseDetail, SweepReport, ValuationView};
use crate::error::{Code, Refusal};
use crate::registry::{NewAsset, NewCase};
use crate::store::nodes::NodeFilter;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::Deserialize;

type ApiResult<T> = Result<T, ApiError>;

fn page_limit(limit: Option<i64>) -> ApiResult<i64> {
    match limit {
        None => Ok(100),
        Some(limit) if (1..=1000).contains(&limit) => Ok(limit),
        Some(limit) => Err(ApiError(Refusal::new(
            Code::InvalidQuery,
            format!("limit {limit} must be from 1 to 1000"),
        ))),
    }
}

/// A table file to download (`crate::engine::export`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Download {
    Csv,
    Xlsx,
}

impl Download {
    fn extension(self) -> &'static str {
        match self {
            Download::Csv => "csv",
            Download::Xlsx => "xlsx",
        }
    }

    /// The file as a response: its content type, and an `attachment` disposition named `{stem}.{extension}`. The
    /// callers build `stem` from their own text only, so no caller's input can break the header.
    pub(super) fn response(self, bytes: Vec<u8>, stem: &str) -> ApiResult<axum::response::Response> {
        use axum::http::{header, HeaderValue};
        use axum::response::IntoResponse;
        let content_type = match self {
            Download::Csv => "text/csv; charset=utf-8",
            Download::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        };
        let disposition = format!("attachment; filename=\"{stem}.{}\"", self.extension());
        let disposition = HeaderValue::from_str(&disposition).map_err(Refusal::internal)?;
        Ok((
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response())
    }
}

/// A path id must be a positive whole number (`invalid_path`, a 4xx, before anything is read).
pub(super) fn positive_id(id: i64, what: &str) -> ApiResult<i64> {
    if id > 0 {
        Ok(id)
    } else {
        Err(ApiError(Refusal::new(
            Code::InvalidPath,
            format!("{what} id {id} must be a positive whole number"),
        )))
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Return items with an id greater than this (keyset paging).
    pub after_id: Option<i64>,
    /// At most this many items, 1 to 1000; default 100.
    pub limit: Option<i64>,
}

/// Register an execution case; it receives its collection account number (FUND-1).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCase,
    responses((status = 201, body = CaseDetail), (status = 401, body = super::error::ErrorEnvelope), (status = 409, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn register_case(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiJson(input): ApiJson<NewCase>,
) -> ApiResult<(StatusCode, Json<CaseDetail>)> {
    let detail = state.engine.register_case(&principal, &input).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// The court's cases, oldest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(PageQuery), responses((status = 200, body = [CaseView])), security(("bearer" = [])))]
pub async fn list_cases(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Vec<CaseView>>> {
    let limit = page_limit(query.limit)?;
    Ok(Json(state.engine.list_cases(&principal, query.after_id.unwrap_or(0), limit).await?))
}

/// A case with its parties and assets.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}", tag = "cases", params(("case_id" = i64, Path)),
    responses((status = 200, body = CaseDetail), (status = 404, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn get_case(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(case_id): ApiPath<i64>,
) -> ApiResult<Json<CaseDetail>> {
    let case_id = positive_id(case_id, "case")?;
    Ok(Json(state.engine.case_detail(&principal, case_id).await?))
}

/// Register a seized asset; creates its nodes REF-1 (when it must be sold) and SEIZ-1.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/assets", tag = "assets", params(("case_id" = i64, Path)), request_body = NewAsset,
    responses((status = 201, body = AssetDetail), (status = 404, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn register_asset(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(case_id): ApiPath<i64>,
    ApiJson(input): ApiJson<NewAsset>,
) -> ApiResult<(StatusCode, Json<AssetDetail>)> {
    let case_id = positive_id(case_id, "case")?;
    let detail = state.engine.register_asset(&principal, case_id, &input).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// The assets of a case.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/assets", tag = "assets", params(("case_id" = i64, Path)),
    responses((status = 200, body = [AssetView]), (status = 404, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn list_assets(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(case_id): ApiPath<i64>,
) -> ApiResult<Json<Vec<AssetView>>> {
    let case_id = positive_id(case_id, "case")?;
    Ok(Json(state.engine.assets_of_case(&principal, case_id).await?))
}

/// An asset with its nodes.
#[utoipa::path(get, path = "/api/v1/assets/{asset_id}", tag = "assets", params(("asset_id" = i64, Path)),
    responses((status = 200, body = AssetDetail), (status = 404, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn get_asset(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(asset_id): ApiPath<i64>,
) -> ApiResult<Json<AssetDetail>> {
    let asset_id = positive_id(asset_id, "asset")?;
    Ok(Json(state.engine.asset_detail(&principal, asset_id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NodeQuery {
    /// pending, met, overdue, paused or cancelled.
    pub status: Option<String>,
    pub case_id: Option<i64>,
    pub asset_id: Option<i64>,
    /// Only nodes due on or before this date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date)]
    #[serde(default, deserialize_with = "crate::date::strict_option")]
    pub due_on_or_before: Option<NaiveDate>,
    pub after_id: Option<i64>,
    pub limit: Option<i64>,
}

/// The court's deadline nodes.
#[utoipa::path(get, path = "/api/v1/nodes", tag = "nodes", params(NodeQuery), responses((status = 200, body = [NodeView]), (status = 400, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn list_nodes(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(query): ApiQuery<NodeQuery>,
) -> ApiResult<Json<Vec<NodeView>>> {
    if let Some(status) = &query.status {
        if crate::nodes::NodeStatus::parse(status).is_none() {
            return Err(ApiError(Refusal::new(
                Code::InvalidQuery,
                format!("status '{status}' must be one of pending, met, overdue, paused, cancelled"),
            )));
        }
    }
    let filter = NodeFilter {
        status: query.status,
        case_id: query.case_id,
        asset_id: query.asset_id,
        due_on_or_before: query.due_on_or_before,
        after_id: query.after_id.unwrap_or(0),
        limit: page_limit(query.limit)?,
    };
    Ok(Json(state.engine.list_nodes(&principal, &filter).await?))
}

/// A node with the explanation of its due date: the trigger, the rule, the count and each roll-forward.
#[utoipa::path(get, path = "/api/v1/nodes/{node_id}", tag = "nodes", params(("node_id" = i64, Path)),
    responses((status = 200, body = NodeDetail), (status = 404, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn get_node(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(node_id): ApiPath<i64>,
) -> ApiResult<Json<NodeDetail>> {
    let node_id = positive_id(node_id, "node")?;
    Ok(Json(state.engine.node_detail(&principal, node_id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertQuery {
    /// upcoming, due_today or overdue.
    pub kind: Option<String>,
    pub after_id: Option<i64>,
    pub limit: Option<i64>,
}

/// The court's alerts, oldest first.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "nodes", params(AlertQuery), responses((status = 200, body = [AlertView])), security(("bearer" = [])))]
pub async fn list_alerts(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiQuery(query): ApiQuery<AlertQuery>,
) -> ApiResult<Json<Vec<AlertView>>> {
    if let Some(kind) = &query.kind {
        if !["upcoming", "due_today", "overdue"].contains(&kind.as_str()) {
            return Err(ApiError(Refusal::new(
                Code::InvalidQuery,
                format!("kind '{kind}' must be one of upcoming, due_today, overdue"),
            )));
        }
    }
    let limit = page_limit(query.limit)?;
    Ok(Json(
        state
            .engine
            .list_alerts(&principal, query.kind.as_deref(), query.after_id.unwrap_or(0), limit)
            .await?,
    ))
}

/// Run one sweep of the caller's court now (admins and supervisors). The scheduled sweep covers every court.
#[utoipa::path(post, path = "/api/v1/sweeps", tag = "nodes", responses((status = 200, body = SweepReport), (status = 403, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn run_sweep(State(state): State<AppState>, Extension(principal): Extension<Principal>) -> ApiResult<Json<SweepReport>> {
    state.engine.require(&principal, Permission::Sweep, "run a sweep")?;
    let now = state.engine.now();
    let report = state
        .engine
        .sweep_court(now, state.engine.settings.sweep_limit, principal.court_id, &principal.actor())
        .await?;
    Ok(Json(report))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user: String,
    pub court_id: i64,
    pub court_code: String,
    pub role: crate::auth::Role,
}

/// Who the token stands for.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity", responses((status = 200, body = Me), (status = 401, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn me(Extension(principal): Extension<Principal>) -> Json<Me> {
    Json(Me {
        user: principal.user,
        court_id: principal.court_id,
        court_code: principal.court_code,
        role: principal.role,
    })
}

/// Start the reference-price procedure of a seized asset (REF-1 is met; REF-3's pre-check comes first).
#[utoipa::path(post, path = "/api/v1/assets/{asset_id}/valuation", tag = "valuation", params(("asset_id" = i64, Path)),
    responses((status = 201, body = ValuationView), (status = 404, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn start_valuation(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(asset_id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<ValuationView>)> {
    let asset_id = positive_id(asset_id, "asset")?;
    Ok((StatusCode::CREATED, Json(state.engine.start_valuation(&principal, asset_id).await?)))
}

/// The asset's reference-price procedure: its stage and whole state.
#[utoipa::path(get, path = "/api/v1/assets/{asset_id}/valuation", tag = "valuation", params(("asset_id" = i64, Path)),
    responses((status = 200, body = ValuationView), (status = 404, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn get_valuation(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(asset_id): ApiPath<i64>,
) -> ApiResult<Json<ValuationView>> {
    let asset_id = positive_id(asset_id, "asset")?;
    Ok(Json(state.engine.valuation(&principal, asset_id).await?))
}

/// Run one step of the procedure: `{"command": "record_precheck", …}` (see `crate::valuation::Command`). A refusal
/// names its rule (REF-n) and changes nothing.
#[utoipa::path(post, path = "/api/v1/assets/{asset_id}/valuation/commands", tag = "valuation", params(("asset_id" = i64, Path)),
    request_body(content = Object, description = "a valuation command, tagged by \"command\""),
    responses((status = 200, body = ValuationView), (status = 403, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn valuation_command(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(asset_id): ApiPath<i64>,
    ApiJson(command): ApiJson<crate::valuation::Command>,
) -> ApiResult<Json<ValuationView>> {
    let asset_id = positive_id(asset_id, "asset")?;
    Ok(Json(state.engine.valuation_command(&principal, asset_id, command).await?))
}
