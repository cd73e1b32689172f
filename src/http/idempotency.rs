//! `Idempotency-Key` on mutating requests (SPEC §3.6): the same key with the same request gets the first answer
//! again and changes nothing; the same key with a different request is refused.

use super::error::ApiError;
use super::AppState;
use crate::error::{Code, Refusal};
use crate::store::idempotency::{self, Claim, CLAIM};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::{HeaderValue, ToStrError};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";
/// Requests and answers larger than this are not buffered for keys; chuzhi's commands are far smaller.
const BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;

/// Checks the key and fingerprints the request (method, path and query, body), which it buffers and puts back.
pub async fn claim(key: Result<String, ToStrError>, court_id: i64, user: String, request: Request) -> Result<(Claim, Request), Refusal> {
    let key = key
        .ok()
        .filter(|key| (1..=200).contains(&key.len()) && key.bytes().all(|byte| byte.is_ascii_graphic()))
        .ok_or_else(|| {
            Refusal::new(
                Code::IdempotencyKeyInvalid,
                "Idempotency-Key must be 1 to 200 visible ASCII characters, such as a UUID",
            )
        })?;
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT_BYTES)
        .await
        .map_err(|_| Refusal::new(Code::InvalidField, format!("the body is larger than {BODY_LIMIT_BYTES} bytes")))?;
    let mut hasher = Sha256::new();
    for part in [
        parts.method.as_str().as_bytes(),
        parts.uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("").as_bytes(),
        &bytes,
    ] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    let claim = Claim {
        court_id,
        user,
        key,
        fingerprint: hex::encode(hasher.finalize()),
    };
    Ok((claim, Request::from_parts(parts, Body::from(bytes))))
}

/// Replays the stored answer, refuses a reused key, or runs the request with the claim in scope so the change's
/// transaction records the key, then stores the answer.
pub async fn run(state: &AppState, claim: Claim, request: Request, next: Next) -> Response {
    match idempotency::find(&state.engine.db, &claim).await {
        Err(error) => ApiError(Refusal::internal(error)).into_response(),
        Ok(Some(row)) if row.fingerprint != claim.fingerprint => ApiError(
            Refusal::new(
                Code::IdempotencyKeyReused,
                "this Idempotency-Key was used before for a different request; use a new key",
            )
            .with_details(serde_json::json!({ "audit_seq": row.audit_seq })),
        )
        .into_response(),
        Ok(Some(row)) => match (row.status_code, row.response_body) {
            (Some(status), Some(body)) => replay(status, body),
            _ => ApiError(
                Refusal::new(
                    Code::IdempotentRequestUnanswered,
                    "this request was carried out, but its answer was not stored; read the result instead of retrying",
                )
                .with_details(serde_json::json!({ "audit_seq": row.audit_seq })),
            )
            .into_response(),
        },
        Ok(None) => {
            let response = CLAIM.scope(claim.clone(), next.run(request)).await;
            if !response.status().is_success() {
                return response;
            }
            let (parts, body) = response.into_parts();
            let Ok(bytes) = to_bytes(body, BODY_LIMIT_BYTES).await else {
                return ApiError(Refusal::internal("answer too large to store for its idempotency key")).into_response();
            };
            let text = String::from_utf8_lossy(&bytes);
            if let Err(error) = idempotency::store_response(&state.engine.db, &claim, parts.status.as_u16(), &text).await {
                // The change is committed with its key; a retry will say so (idempotent_request_unanswered).
                tracing::error!(%error, "could not store the answer for an idempotency key");
            }
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

fn replay(status: i32, body: String) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|code| axum::http::StatusCode::from_u16(code).ok())
        .unwrap_or(axum::http::StatusCode::OK);
    let mut response = (
        status,
        [(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response();
    response.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
