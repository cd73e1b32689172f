//! The closed list of outcome codes (STYLE habit 4) and the one error type commands return.
//!
//! A command checks its input in a documented order and returns the first `Refusal` it meets. Each code has a
//! fixed HTTP status class and, where it enforces law, the rule ID it enforces. `Internal` is a bug or an
//! outage: its text is logged, never shown.

use serde_json::Value;

/// Every refusal chuzhi can give. Stable `snake_case` names; new codes are added, never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// The request body is not JSON.
    MalformedJson,
    /// The body names a field the command does not know.
    UnknownField,
    /// A field is missing or has the wrong type or shape.
    InvalidField,
    /// A money amount is negative, has more than two decimals, or is not a decimal string.
    InvalidAmount,
    /// A date does not exist or is not `YYYY-MM-DD`.
    InvalidDate,
    /// A query parameter is malformed.
    InvalidQuery,
    /// A path segment (an id) is malformed.
    InvalidPath,
    /// The body must be `application/json`.
    UnsupportedMediaType,
    /// No bearer token was sent.
    MissingToken,
    /// The bearer token is unknown or revoked.
    InvalidToken,
    /// The caller's role may not run this command.
    RoleNotAllowed,
    /// The case does not exist in the caller's court.
    CaseNotFound,
    /// The asset does not exist in the caller's court.
    AssetNotFound,
    /// A lifecycle refused the command under a rule of law; the specific code is the lifecycle's own
    /// (`ValuationError::code`, e.g. `objection_period_passed`), carried in `Refusal::domain_code`.
    RuleViolation,
    /// The asset has no reference-price procedure yet.
    ValuationNotStarted,
    /// The node does not exist in the caller's court.
    NodeNotFound,
    /// The court does not exist.
    CourtNotFound,
    /// No such route.
    RouteNotFound,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// The case number is already registered in this court.
    CaseNumberTaken,
    /// A case needs at least one applicant and one debtor.
    PartiesIncomplete,
    /// An applicant's payout account must be confirmed at filing (FUND-1, item 20 of the 2021 opinion).
    PayoutAccountUnconfirmed,
    /// The seizure date lies before the case was filed, or in the future.
    SeizureDateOutOfRange,
    /// A filing date in the future.
    FilingDateInFuture,
    /// The `Idempotency-Key` header is empty, too long or not visible ASCII.
    IdempotencyKeyInvalid,
    /// The key was used before for a different request (method, path or body).
    IdempotencyKeyReused,
    /// Another request with the same key committed first, while this one was running.
    IdempotencyKeyInUse,
    /// The key's request was committed but its answer was not stored (the process stopped in between).
    IdempotentRequestUnanswered,
    /// A cash receipt with this number is already recorded in the court, with other facts (FUND-2).
    CashReceiptNumberTaken,
    /// Something went wrong inside chuzhi.
    Internal,
}

/// How a code is answered over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    UnsupportedMediaType,
    MethodNotAllowed,
    Unprocessable,
    Internal,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::MalformedJson => "malformed_json",
            Code::UnknownField => "unknown_field",
            Code::InvalidField => "invalid_field",
            Code::InvalidAmount => "invalid_amount",
            Code::InvalidDate => "invalid_date",
            Code::InvalidQuery => "invalid_query",
            Code::InvalidPath => "invalid_path",
            Code::UnsupportedMediaType => "unsupported_media_type",
            Code::MissingToken => "missing_token",
            Code::InvalidToken => "invalid_token",
            Code::RoleNotAllowed => "role_not_allowed",
            Code::CaseNotFound => "case_not_found",
            Code::AssetNotFound => "asset_not_found",
            Code::RuleViolation => "rule_violation",
            Code::ValuationNotStarted => "valuation_not_started",
            Code::NodeNotFound => "node_not_found",
            Code::CourtNotFound => "court_not_found",
            Code::RouteNotFound => "route_not_found",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::CaseNumberTaken => "case_number_taken",
            Code::PartiesIncomplete => "parties_incomplete",
            Code::PayoutAccountUnconfirmed => "payout_account_unconfirmed",
            Code::SeizureDateOutOfRange => "seizure_date_out_of_range",
            Code::FilingDateInFuture => "filing_date_in_future",
            Code::IdempotencyKeyInvalid => "idempotency_key_invalid",
            Code::IdempotencyKeyReused => "idempotency_key_reused",
            Code::IdempotencyKeyInUse => "idempotency_key_in_use",
            Code::IdempotentRequestUnanswered => "idempotent_request_unanswered",
            Code::CashReceiptNumberTaken => "cash_receipt_number_taken",
            Code::Internal => "internal",
        }
    }

    /// The rule a code enforces, where it enforces law.
    pub fn rule(self) -> Option<&'static str> {
        match self {
            Code::PayoutAccountUnconfirmed => Some("FUND-1"),
            Code::CashReceiptNumberTaken => Some("FUND-2"),
            _ => None,
        }
    }

    pub fn class(self) -> Class {
        match self {
            Code::MalformedJson | Code::InvalidQuery | Code::InvalidPath | Code::IdempotencyKeyInvalid => Class::BadRequest,
            Code::UnknownField
            | Code::InvalidField
            | Code::InvalidAmount
            | Code::InvalidDate
            | Code::PartiesIncomplete
            | Code::PayoutAccountUnconfirmed
            | Code::SeizureDateOutOfRange
            | Code::FilingDateInFuture
            | Code::RuleViolation => Class::Unprocessable,
            Code::UnsupportedMediaType => Class::UnsupportedMediaType,
            Code::MissingToken | Code::InvalidToken => Class::Unauthorized,
            Code::RoleNotAllowed => Class::Forbidden,
            Code::CaseNotFound
            | Code::AssetNotFound
            | Code::ValuationNotStarted
            | Code::NodeNotFound
            | Code::CourtNotFound
            | Code::RouteNotFound => Class::NotFound,
            Code::MethodNotAllowed => Class::MethodNotAllowed,
            Code::CaseNumberTaken | Code::IdempotencyKeyInUse | Code::IdempotentRequestUnanswered | Code::CashReceiptNumberTaken => {
                Class::Conflict
            }
            Code::IdempotencyKeyReused => Class::Unprocessable,
            Code::Internal => Class::Internal,
        }
    }
}

/// A command refused, or failed inside. What the caller sees is `code`, `rule`, `message` and `details`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {message}", self.code_str())]
pub struct Refusal {
    pub code: Code,
    /// The lifecycle's own code for a `Code::RuleViolation`, which is what the caller sees.
    pub domain_code: Option<&'static str>,
    pub rule: Option<&'static str>,
    pub message: String,
    pub details: Value,
}

impl Refusal {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Refusal {
            code,
            domain_code: None,
            rule: code.rule(),
            message: message.into(),
            details: Value::Null,
        }
    }

    /// A lifecycle's refusal under a rule: its own code, its rule, its message.
    pub fn rule_violation(domain_code: &'static str, rule: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            code: Code::RuleViolation,
            domain_code: Some(domain_code),
            rule: Some(rule),
            message: message.into(),
            details: Value::Null,
        }
    }

    /// The code the caller sees.
    pub fn code_str(&self) -> &'static str {
        self.domain_code.unwrap_or(self.code.as_str())
    }

    pub fn with_rule(mut self, rule: &'static str) -> Self {
        self.rule = Some(rule);
        self
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// An internal failure. The cause goes to the log inside the request span; the caller sees a generic message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Refusal::new(Code::Internal, "an internal error occurred; it has been logged")
    }
}

impl From<sqlx::Error> for Refusal {
    /// A data exception (SQLSTATE class 22: a value out of the database's range) is bad input that slipped past
    /// validation: the caller gets a 422, and the log keeps the cause. Everything else is internal.
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(database) = &error {
            if database.code().is_some_and(|code| code.starts_with("22")) {
                tracing::warn!(%error, "a value was refused by the database");
                return Refusal::new(
                    Code::InvalidField,
                    "a value is outside what can be stored (out of range or malformed)",
                );
            }
        }
        Refusal::internal(error)
    }
}

pub type Outcome<T> = Result<T, Refusal>;
