//! The disposal's routes (变价: AUC, SELL, SELF, TRAD): start, one command per step, the view, and the bid-log check.

use super::error::{ApiError, ApiJson, ApiPath};
use super::AppState;
use crate::auth::Principal;
use crate::engine::{BidLogReport, BidLogRequest, DisposalView, StartDisposalRequest};
use crate::error::{Code, Refusal};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Extension, Json, Router};

type ApiResult<T> = Result<T, ApiError>;

/// The disposal's routes, nested under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/{asset_id}/disposal", post(start_disposal).get(get_disposal))
        .route("/assets/{asset_id}/disposal/commands", post(disposal_command))
        .route("/assets/{asset_id}/disposal/bid-log", post(check_bid_log))
}

fn asset_id(id: i64) -> ApiResult<i64> {
    if id > 0 {
        Ok(id)
    } else {
        Err(ApiError(Refusal::new(
            Code::InvalidPath,
            format!("asset id {id} must be a positive whole number"),
        )))
    }
}

/// Start the disposal of an asset whose reference price is fixed (REF-36). The price, its dates (REF-33), the claim,
/// the collection account (FUND-1) and the parties come from chuzhi's records; the body gives the rest.
#[utoipa::path(post, path = "/api/v1/assets/{asset_id}/disposal", tag = "disposal", params(("asset_id" = i64, Path)),
    request_body = StartDisposalRequest,
    responses((status = 201, body = DisposalView), (status = 403, body = super::error::ErrorEnvelope), (status = 404, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn start_disposal(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<StartDisposalRequest>,
) -> ApiResult<(StatusCode, Json<DisposalView>)> {
    let id = asset_id(id)?;
    Ok((
        StatusCode::CREATED,
        Json(state.engine.start_disposal(&principal, id, request).await?),
    ))
}

/// The asset's disposal: its stage, whole state, TRAD-11 stop flag and, once sold, the REF-41…43 fees.
#[utoipa::path(get, path = "/api/v1/assets/{asset_id}/disposal", tag = "disposal", params(("asset_id" = i64, Path)),
    responses((status = 200, body = DisposalView), (status = 422, body = super::error::ErrorEnvelope)), security(("bearer" = [])))]
pub async fn get_disposal(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DisposalView>> {
    let id = asset_id(id)?;
    Ok(Json(state.engine.disposal(&principal, id).await?))
}

/// Run one step of the disposal: `{"command": "decide_auction_plan", …}` (see `crate::disposal::Command`). A refusal
/// names its rule (AUC-n, SELL-n, SELF-n, TRAD-n), carries the core's data in `details` (e.g. the earliest lawful
/// dates) and changes nothing.
#[utoipa::path(post, path = "/api/v1/assets/{asset_id}/disposal/commands", tag = "disposal", params(("asset_id" = i64, Path)),
    request_body(content = Object, description = "a disposal command, tagged by \"command\""),
    responses((status = 200, body = DisposalView), (status = 403, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn disposal_command(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(CommandBody(command)): ApiJson<CommandBody>,
) -> ApiResult<Json<DisposalView>> {
    let id = asset_id(id)?;
    Ok(Json(state.engine.disposal_command(&principal, id, command).await?))
}

/// A disposal command as the caller sends it. The register of auction platforms is chuzhi's reference data (AUC-2),
/// so a caller leaves `platform_register` out of `decide_auction_plan` and the engine fills it; the core's command
/// type requires the field, so an omitted one reads as empty here (a non-empty one is refused by the engine).
pub struct CommandBody(pub crate::disposal::Command);

impl<'de> serde::Deserialize<'de> for CommandBody {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut value = serde_json::Value::deserialize(deserializer)?;
        if value.get("command").and_then(serde_json::Value::as_str) == Some("decide_auction_plan") {
            if let Some(fields) = value.as_object_mut() {
                fields
                    .entry("platform_register")
                    .or_insert_with(|| serde_json::Value::Array(Vec::new()));
            }
        }
        serde_json::from_value(value).map(CommandBody).map_err(serde::de::Error::custom)
    }
}

/// Check the platform's bid log and reported result against the current round's rules (AUC-4, AUC-10, AUC-11,
/// AUC-14): every discrepancy, never only the first. Assistants and judges.
#[utoipa::path(post, path = "/api/v1/assets/{asset_id}/disposal/bid-log", tag = "disposal", params(("asset_id" = i64, Path)),
    request_body = BidLogRequest,
    responses((status = 200, body = BidLogReport), (status = 403, body = super::error::ErrorEnvelope), (status = 422, body = super::error::ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn check_bid_log(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<BidLogRequest>,
) -> ApiResult<Json<BidLogReport>> {
    let id = asset_id(id)?;
    Ok(Json(state.engine.check_disposal_bid_log(&principal, id, request).await?))
}
