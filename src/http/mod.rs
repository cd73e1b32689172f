//! HTTP: `/api/v1` for cases, assets, nodes, alerts, the valuation and the disposal, `/api/openapi.json`, `/healthz`. Thin handlers over the
//! engine; one error envelope; every refused command is audited by `guard`.

mod cash;
mod disposal;
pub mod error;
mod funds;
mod handlers;
mod idempotency;
mod openapi;
mod payouts;

use crate::audit::Actor;
use crate::auth::Principal;
use crate::engine::Engine;
use crate::error::{Code, Refusal};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use error::ApiError;
use idempotency::IDEMPOTENCY_KEY;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
}

/// The whole HTTP surface; tests call this with `oneshot`.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/cases", post(handlers::register_case).get(handlers::list_cases))
        .route("/cases/{case_id}", get(handlers::get_case))
        .route("/cases/{case_id}/assets", post(handlers::register_asset).get(handlers::list_assets))
        .route("/assets/{asset_id}", get(handlers::get_asset))
        .route(
            "/assets/{asset_id}/valuation",
            post(handlers::start_valuation).get(handlers::get_valuation),
        )
        .route("/assets/{asset_id}/valuation/commands", post(handlers::valuation_command))
        .route("/nodes", get(handlers::list_nodes))
        .route("/nodes/{node_id}", get(handlers::get_node))
        .route("/alerts", get(handlers::list_alerts))
        .route("/sweeps", post(handlers::run_sweep))
        .route("/me", get(handlers::me))
        .merge(funds::routes())
        .merge(cash::routes())
        .merge(disposal::router())
        .merge(payouts::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), guard));
    Router::new()
        .nest("/api/v1", api)
        .route("/api/openapi.json", get(openapi::document))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO).include_headers(false))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.engine.db.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok", "backend": format!("{:?}", state.engine.db.backend()).to_lowercase() }))
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "database unreachable" })),
            )
                .into_response()
        }
    }
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError(Refusal::new(
        Code::MethodNotAllowed,
        format!("{} does not accept {method}", uri.path()),
    ))
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError(Refusal::new(Code::RouteNotFound, format!("no route {}", uri.path())))
}

/// Authenticates every `/api/v1` request from its bearer token and, after the handler, writes the audit record
/// of a refused command (SPEC §3.3: a refusal leaves no trace but that record), failed authentication included.
/// Reads are not commands: a refused read is answered but not recorded, so anonymous traffic cannot make the
/// audit chain (and its write lock) a bottleneck.
async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let action = format!(
        "{} {}",
        request.method(),
        request
            .extensions()
            .get::<MatchedPath>()
            .map(|path| path.as_str().to_string())
            .unwrap_or_default()
    );
    let subject = request.uri().path().to_string();
    let mutating = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .map(str::trim)
        });
    let principal = match token {
        None => Err(Refusal::new(
            Code::MissingToken,
            "send a bearer token: Authorization: Bearer <token>",
        )),
        Some(None) | Some(Some("")) => Err(Refusal::new(
            Code::InvalidToken,
            "the Authorization header must be 'Bearer <token>'",
        )),
        Some(Some(token)) => state.engine.authenticate(token).await,
    };
    let principal: Principal = match principal {
        Ok(principal) => principal,
        Err(refusal) => {
            if mutating && refusal.code != Code::Internal {
                record(&state, &Actor::anonymous(), &action, &subject, &refusal).await;
            }
            return ApiError(refusal).into_response();
        }
    };
    let actor = principal.actor();
    let key = request
        .headers()
        .get(IDEMPOTENCY_KEY)
        .map(|value| value.to_str().map(str::to_string));
    let court_id = principal.court_id;
    let user = principal.user.clone();
    request.extensions_mut().insert(principal);
    let response = match (mutating, key) {
        (true, Some(key)) => match idempotency::claim(key, court_id, user, request).await {
            Ok((claim, request)) => idempotency::run(&state, claim, request, next).await,
            Err(refusal) => ApiError(refusal).into_response(),
        },
        _ => next.run(request).await,
    };
    if mutating {
        if let Some(refusal) = response.extensions().get::<Refusal>() {
            if refusal.code != Code::Internal {
                record(&state, &actor, &action, &subject, refusal).await;
            }
        }
    }
    response
}

async fn record(state: &AppState, actor: &Actor, action: &str, subject: &str, refusal: &Refusal) {
    if let Err(error) = state.engine.record_refusal(actor, action, subject, refusal).await {
        tracing::error!(%error, code = refusal.code_str(), "could not write the audit record of a refusal");
    }
}
