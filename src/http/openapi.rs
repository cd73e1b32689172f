//! The OpenAPI document, generated from the handlers and types (utoipa), served at `/api/openapi.json`.

use super::{cash, disposal, funds, handlers, payouts};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "chuzhi (处置)", description = "Deadlines, interception and exact money for the disposal of seized assets. Errors use the envelope {\"error\": {\"code\", \"rule\", \"message\", \"details\"}}; money is a decimal string; dates are YYYY-MM-DD."),
    paths(
        handlers::register_case, handlers::list_cases, handlers::get_case,
        handlers::register_asset, handlers::list_assets, handlers::get_asset,
        handlers::list_nodes, handlers::get_node, handlers::list_alerts, handlers::run_sweep, handlers::me,
        handlers::start_valuation, handlers::get_valuation, handlers::valuation_command,
        funds::import_statement, funds::list_suspense, funds::request_claim, funds::approve_claim, funds::balances,
        cash::record_cash_receipt, cash::list_cash_receipts, cash::record_cash_deposit,
        disposal::start_disposal, disposal::get_disposal, disposal::disposal_command, disposal::check_bid_log,
        payouts::request_payout, payouts::list_payouts, payouts::get_payout, payouts::payout_command,
        payouts::draw_up_distribution, payouts::get_distribution, payouts::distribution_command,
        funds::suspense_publication, payouts::application_fee, payouts::reconciliation, payouts::monthly_reconciliations,
    ),
    components(schemas(crate::registry::NewCase, crate::registry::NewAsset, crate::registry::AssetKind, super::error::ErrorEnvelope,
        crate::engine::StartDisposalRequest, crate::engine::DisposalConfigOverrides, crate::engine::DisposalView, crate::engine::SaleFees,
        crate::engine::BidLogRequest, crate::engine::BidLogReport,
        crate::engine::payouts::PayoutRequest, crate::engine::payouts::PayoutView, crate::engine::payouts::DrawUpPlanRequest,
        crate::engine::payouts::PlanView, crate::engine::payouts::ApplicationFeeView,
        crate::engine::cash::CashReceiptRequest, crate::engine::cash::CashDepositRequest, crate::engine::cash::CashReceiptView)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
