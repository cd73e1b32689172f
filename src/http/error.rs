//! The HTTP edge of errors (STYLE habit 5): one envelope, `{"error": {"code", "rule", "message", "details"}}`.

use crate::error::{Class, Code, Refusal};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A refusal on its way out. The `Refusal` rides along in the response's extensions so the audit middleware
/// can record it.
#[derive(Debug)]
pub struct ApiError(pub Refusal);

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        ApiError(refusal)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError(Refusal::internal(error))
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: String,
    /// The rule the refusal enforces, e.g. "AUC-3"; null when it is not a rule of law.
    pub rule: Option<String>,
    pub message: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

pub fn status_of(code: Code) -> StatusCode {
    match code.class() {
        Class::BadRequest => StatusCode::BAD_REQUEST,
        Class::Unauthorized => StatusCode::UNAUTHORIZED,
        Class::Forbidden => StatusCode::FORBIDDEN,
        Class::NotFound => StatusCode::NOT_FOUND,
        Class::Conflict => StatusCode::CONFLICT,
        Class::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Class::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        Class::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        Class::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let refusal = self.0;
        let body = ErrorEnvelope {
            error: ErrorBody {
                code: refusal.code_str().to_string(),
                rule: refusal.rule.map(str::to_string),
                message: refusal.message.clone(),
                details: refusal.details.clone(),
            },
        };
        let mut response = (status_of(refusal.code), Json(body)).into_response();
        response.extensions_mut().insert(refusal);
        response
    }
}

/// `Json` with refusals in the envelope: which code depends on what was wrong with the body.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(json_refusal(rejection))),
        }
    }
}

fn json_refusal(rejection: JsonRejection) -> Refusal {
    match rejection {
        JsonRejection::JsonSyntaxError(error) => {
            Refusal::new(Code::MalformedJson, format!("the body is not valid JSON: {}", error.body_text()))
        }
        JsonRejection::MissingJsonContentType(_) => Refusal::new(Code::UnsupportedMediaType, "send the body as application/json"),
        JsonRejection::JsonDataError(error) => {
            let text = error.body_text();
            let message = text
                .trim_start_matches("Failed to deserialize the JSON body into the target type: ")
                .to_string();
            // The messages come from chuzhi's own deserializers (`Money`, `crate::date`) and from serde's
            // `deny_unknown_fields`, whose wording is stable: "unknown field `name`, expected …". An unknown enum
            // value reads "unknown variant `…`" and is an invalid field, whatever its text.
            let code = if message.contains("unknown variant") {
                Code::InvalidField
            } else if message.contains("unknown field `") {
                Code::UnknownField
            } else if message.contains("invalid amount") || message.contains("an amount as a decimal string") {
                Code::InvalidAmount
            } else if message.contains("invalid date") {
                Code::InvalidDate
            } else {
                Code::InvalidField
            };
            Refusal::new(code, message)
        }
        other => Refusal::new(Code::MalformedJson, other.body_text()),
    }
}

/// `Path` with refusals in the envelope.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(ApiError(path_refusal(rejection))),
        }
    }
}

fn path_refusal(rejection: PathRejection) -> Refusal {
    Refusal::new(
        Code::InvalidPath,
        format!("{} (ids are positive whole numbers)", rejection.body_text()),
    )
}

/// `Query` with refusals in the envelope.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError(query_refusal(rejection))),
        }
    }
}

fn query_refusal(rejection: QueryRejection) -> Refusal {
    Refusal::new(Code::InvalidQuery, rejection.body_text())
}
