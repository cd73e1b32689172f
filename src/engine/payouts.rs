//! Payouts (执行款发放, FUND-4…FUND-8; item 22 of the 2021 opinion), the distribution plan (分配方案, FUND-9, FUND-11,
//! FUND-12), reconciliation (对账, SPEC §4) and the execution application fee (FUND-10): load the lifecycle, run one
//! command in the pure `crate::ledger` core, then post its journal entries with `post_entry`, store the new state,
//! its event, its case-level nodes, its notices and the audit event — all in one transaction (STYLE habit 10).
//!
//! Who may do what (SPEC §1; "谁审批、谁负责"):
//! - a payout is requested by the execution side (assistants, judges); finance records payments and bounces;
//! - the approval chain's positions (FUND-8) are held by these roles: case officer (承办人) ← judge or assistant;
//!   fund manager (案款管理人员) ← finance; bureau head (执行局长) ← supervisor; presiding vice-president (主管副院长)
//!   ← supervisor. The approver is the caller's user; the core refuses a user approving one payout twice, so a
//!   chain needing both the bureau head and the vice-president needs two supervisors;
//! - delays (延缓发放, FUND-6) and escrow (提存, FUND-7) are approved by a supervisor as bureau head or vice-president;
//! - a payout not yet paid is withdrawn (撤回, FUND-8) by the execution side that asked for it: a judge of the court,
//!   or the assistant who requested it — not finance, which pays, nor a supervisor, who approves; the withdrawal
//!   needs a reason, reverses any reservation and cancels the deadline node;
//! - the distribution plan is the court's: judges draw it up and decide; assistants may also record the facts
//!   (service, filings, notices, a suit);
//! - reconciliation is for finance and supervisors.
//!
//! Every refusal names its rule: the core's `LedgerError` codes, and the shell's own `PayoutsError`.

use super::Engine;
use crate::audit::{Actor, EventDraft};
use crate::auth::{Principal, Role};
use crate::clock::local_date;
use crate::error::{Code, Outcome, Refusal};
use crate::ledger::{
    self, Account, ApplicationFeeBasis, ApprovalMatrix, ApprovalRole, Claim, ClaimClass, ConfirmedAccount, DelayGround, DistributionInput,
    DistributionPlan, EscrowGround, LedgerMovement, OrdinaryOrder, PanelApproval, PartyRole, PayableShare, Payout, PayoutCommand,
    PayoutDeadlineProfile, PayoutPurpose, PayoutRules, PlanCommand, Reconciliation, ReconciliationInput, ReconciliationPeriod,
    RequestPayout, StatementLine, Transition,
};
use crate::money::Money;
use crate::store::{
    self,
    nodes::{KeyedChange, NodeInsert},
    payouts::{EventInsert, PayoutRow, PlanRow},
    Tx,
};
use crate::valuation::Effect;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest reason for withdrawing a payout (FUND-8) that is kept with it.
const CANCEL_REASON_MAX_CHARS: usize = 2_000;

/// The outbox topic of the ledger lifecycles' notices (a bounce alerts staff, FUND-8; a plan's objections, FUND-12).
pub(crate) const LEDGER_NOTICE_TOPIC: &str = "ledger.notice";

/// The payout configuration: the deadline profile (FUND-4 or FUND-5), the approval matrix per court (FUND-8), and
/// the UNCONFIRMED FUND-6 period after a delay is cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutSettings {
    /// `CHUZHI_PAYOUT_PROFILE`.
    pub profile: PayoutDeadlineProfile,
    /// `CHUZHI_PAYOUT_DELAY_CLEARED_DAYS` (FUND-6, UNCONFIRMED; DESIGN default 10).
    pub delay_cleared_payout_days: u32,
    /// `CHUZHI_APPROVAL_MATRIX`: court code → matrix; courts not listed use the core's default matrix.
    pub matrices: BTreeMap<String, ApprovalMatrix>,
}

impl Default for PayoutSettings {
    fn default() -> Self {
        PayoutSettings {
            profile: PayoutDeadlineProfile::default(),
            delay_cleared_payout_days: ledger::DELAY_CLEARED_PAYOUT_DAYS,
            matrices: BTreeMap::new(),
        }
    }
}

impl PayoutSettings {
    /// The rules a court's payouts follow.
    pub fn rules_for(&self, court_code: &str) -> PayoutRules {
        PayoutRules {
            profile: self.profile,
            matrix: self.matrices.get(court_code).cloned().unwrap_or_default(),
            delay_cleared_payout_days: self.delay_cleared_payout_days,
        }
    }

    /// Reads a `CHUZHI_APPROVAL_MATRIX` file: `{"<court code>": {"tiers": [...]}, ...}`, each matrix checked by the
    /// core (`approval_matrix_invalid`).
    pub fn parse_matrices(text: &str) -> Result<BTreeMap<String, ApprovalMatrix>, String> {
        let raw: BTreeMap<String, serde_json::Value> = serde_json::from_str(text).map_err(|error| error.to_string())?;
        let mut matrices = BTreeMap::new();
        for (court, value) in raw {
            let matrix = ApprovalMatrix::parse_json(&value.to_string()).map_err(|error| format!("court {court}: {error}"))?;
            matrices.insert(court, matrix);
        }
        Ok(matrices)
    }
}

/// Whether a chuzhi role holds a position of the payout approval chain (FUND-8; the mapping in the module doc).
pub fn holds_position(role: Role, position: ApprovalRole) -> bool {
    match position {
        ApprovalRole::CaseOfficer => matches!(role, Role::Judge | Role::Assistant),
        ApprovalRole::FundManager => matches!(role, Role::Finance),
        ApprovalRole::BureauHead | ApprovalRole::VicePresident => matches!(role, Role::Supervisor),
    }
}

/// The shell's own refusals: what the core cannot know because it lies in the register or the journal. Checked
/// before the core's own checks, in the order each command documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayoutsError {
    #[error("case {case_id} has no applicant with a payout account confirmed at registration; name the payee and the account")]
    NoConfirmedApplicant { case_id: i64 },
    #[error("'{payee}' has no account confirmed at registration: give pay_to, which then needs a panel's approval")]
    PayToMissing { payee: String },
    #[error("no funds are recorded as arrived for case {case_id}; give funds_arrived_on")]
    FundsArrivalUnknown { case_id: i64 },
    #[error("the arrival date {given} is after the latest receipt recorded for the case ({recorded}); only an earlier date may be given")]
    ArrivalAfterLatestReceipt { given: NaiveDate, recorded: NaiveDate },
    #[error("no court bank account is known for case {case_id}'s funds; give bank_account")]
    BankAccountUnknown { case_id: i64 },
    #[error(
        "under the distribution plan '{payee}' may be paid {payable} now; {requested} is already asked for, so {amount} more is too much"
    )]
    PayoutExceedsPayableShare {
        payee: String,
        payable: Money,
        requested: Money,
        amount: Money,
    },
    #[error("case {case_id} has a distribution plan already")]
    PlanExists { case_id: i64 },
    #[error("case {case_id} has no distribution plan")]
    PlanMissing { case_id: i64 },
    #[error("the plan would distribute {amount}, but the case holds {held}")]
    DistributionExceedsHeld { amount: Money, held: Money },
    #[error("case {case_id} has no debtor to receive a surplus; name the debtor")]
    DebtorMissing { case_id: i64 },
    #[error("a case without a claim amount pays a fee the court sets within 50–500 yuan; give court_set_fee")]
    CourtSetFeeMissing,
}

impl PayoutsError {
    pub fn code(&self) -> &'static str {
        match self {
            PayoutsError::NoConfirmedApplicant { .. } => "no_confirmed_applicant",
            PayoutsError::PayToMissing { .. } => "pay_to_missing",
            PayoutsError::FundsArrivalUnknown { .. } => "funds_arrival_unknown",
            PayoutsError::ArrivalAfterLatestReceipt { .. } => "arrival_after_latest_receipt",
            PayoutsError::BankAccountUnknown { .. } => "bank_account_unknown",
            PayoutsError::PayoutExceedsPayableShare { .. } => "payout_exceeds_payable_share",
            PayoutsError::PlanExists { .. } => "distribution_plan_exists",
            PayoutsError::PlanMissing { .. } => "distribution_plan_missing",
            PayoutsError::DistributionExceedsHeld { .. } => "distribution_exceeds_held",
            PayoutsError::DebtorMissing { .. } => "debtor_missing",
            PayoutsError::CourtSetFeeMissing => "court_set_fee_missing",
        }
    }

    pub fn rule(&self) -> &'static str {
        match self {
            PayoutsError::NoConfirmedApplicant { .. } | PayoutsError::PayToMissing { .. } => "FUND-1",
            PayoutsError::FundsArrivalUnknown { .. } | PayoutsError::ArrivalAfterLatestReceipt { .. } => "FUND-5",
            PayoutsError::BankAccountUnknown { .. } => "FUND-2",
            PayoutsError::PayoutExceedsPayableShare { .. } | PayoutsError::PlanExists { .. } | PayoutsError::PlanMissing { .. } => {
                "FUND-12"
            }
            PayoutsError::DistributionExceedsHeld { .. } | PayoutsError::DebtorMissing { .. } => "FUND-9",
            PayoutsError::CourtSetFeeMissing => "FUND-10",
        }
    }
}

impl From<PayoutsError> for Refusal {
    fn from(error: PayoutsError) -> Self {
        Refusal::rule_violation(error.code(), error.rule(), error.to_string())
    }
}

/// A payout request as the API receives it. The payee, its confirmed account, the arrival date and the bank
/// account default from chuzhi's records.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutRequest {
    pub case_id: i64,
    #[schema(value_type = String)]
    pub amount: Money,
    /// Default: the case's applicant whose payout account was confirmed at registration (FUND-1, item 20).
    #[serde(default)]
    pub payee: Option<String>,
    /// `to_party` (default) or `refund_to_payer` (a refund due by law, exempt from the panel review, FUND-8).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub purpose: Option<PayoutPurpose>,
    /// `{"bank", "account_name", "account_number"}`; default the payee's confirmed account. Another account needs
    /// `panel_approval` (合议庭审查, FUND-8).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub pay_to: Option<ConfirmedAccount>,
    /// `{"decided_on", "reference"}`: the collegial panel approved another payee or account (FUND-8).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub panel_approval: Option<PanelApproval>,
    /// FUND-5: default the posting date of the latest receipt credited to the case; only an earlier date may be given.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub funds_arrived_on: Option<NaiveDate>,
    /// FUND-4 (spc2017 profile): the day finance notified the arrival (到账通知); default the arrival.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub arrival_notice_on: Option<NaiveDate>,
    /// The court's execution-fund account the payment leaves from; default the account the case's funds arrived in.
    #[serde(default)]
    pub bank_account: Option<String>,
}

/// A payout command as the API receives it; the approver is always the caller (never a field).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum PayoutAction {
    /// One approval, in the position the caller holds (FUND-8).
    Approve {
        role: ApprovalRole,
    },
    /// The payment notice went to finance (FUND-5).
    SendFinanceNotice {
        notified_on: NaiveDate,
    },
    /// Finance paid (FUND-4, FUND-5).
    RecordPaid {
        paid_on: NaiveDate,
    },
    /// 退票: the bank returned the payment.
    RecordBounce {
        bounced_on: NaiveDate,
        reason: String,
    },
    /// 延缓发放 (FUND-6).
    Delay {
        ground: DelayGround,
        role: ApprovalRole,
    },
    ClearDelay {
        cleared_on: NaiveDate,
    },
    /// 提存 (FUND-7).
    Escrow {
        ground: EscrowGround,
        role: ApprovalRole,
    },
    /// 撤回 (FUND-8): withdraws a payout not yet paid, with the reason.
    Cancel {
        reason: String,
    },
}

impl PayoutAction {
    fn name(&self) -> &'static str {
        match self {
            PayoutAction::Approve { .. } => "approve",
            PayoutAction::SendFinanceNotice { .. } => "send_finance_notice",
            PayoutAction::RecordPaid { .. } => "record_paid",
            PayoutAction::RecordBounce { .. } => "record_bounce",
            PayoutAction::Delay { .. } => "delay",
            PayoutAction::ClearDelay { .. } => "clear_delay",
            PayoutAction::Escrow { .. } => "escrow",
            PayoutAction::Cancel { .. } => "cancel",
        }
    }

    /// Checks the caller's role for the command (the module doc's table).
    fn permitted(&self, role: Role) -> Result<(), Refusal> {
        let refuse = |what: &str, rule: &'static str| {
            Err(Refusal::new(Code::RoleNotAllowed, format!("the role {role} may not {what}")).with_rule(rule))
        };
        match self {
            PayoutAction::Approve { role: position }
            | PayoutAction::Delay { role: position, .. }
            | PayoutAction::Escrow { role: position, .. } => {
                if holds_position(role, *position) {
                    Ok(())
                } else {
                    refuse(&format!("act as {} in the payout approval chain", position.as_str()), "FUND-8")
                }
            }
            PayoutAction::SendFinanceNotice { .. } | PayoutAction::ClearDelay { .. } => match role {
                Role::Judge | Role::Assistant | Role::Supervisor => Ok(()),
                Role::Finance | Role::Admin => refuse("act for the execution department here", "FUND-5"),
            },
            PayoutAction::RecordPaid { .. } | PayoutAction::RecordBounce { .. } => match role {
                Role::Finance => Ok(()),
                Role::Judge | Role::Assistant | Role::Supervisor | Role::Admin => refuse("record payments; finance does", "FUND-5"),
            },
            // An assistant may withdraw only a payout they requested; `payout_command` checks that against the row.
            PayoutAction::Cancel { .. } => match role {
                Role::Judge | Role::Assistant => Ok(()),
                Role::Finance | Role::Supervisor | Role::Admin => {
                    refuse("withdraw a payout; the judge or the one who requested it does", "FUND-8")
                }
            },
        }
    }

    fn into_command(self, approver: &str) -> PayoutCommand {
        match self {
            PayoutAction::Approve { role } => PayoutCommand::Approve {
                approver: approver.to_string(),
                role,
            },
            PayoutAction::SendFinanceNotice { notified_on } => PayoutCommand::SendFinanceNotice { notified_on },
            PayoutAction::RecordPaid { paid_on } => PayoutCommand::RecordPaid { paid_on },
            PayoutAction::RecordBounce { bounced_on, reason } => PayoutCommand::RecordBounce { bounced_on, reason },
            PayoutAction::Delay { ground, role } => PayoutCommand::Delay {
                ground,
                approver: approver.to_string(),
                role,
            },
            PayoutAction::ClearDelay { cleared_on } => PayoutCommand::ClearDelay { cleared_on },
            PayoutAction::Escrow { ground, role } => PayoutCommand::Escrow {
                ground,
                approver: approver.to_string(),
                role,
            },
            PayoutAction::Cancel { reason } => PayoutCommand::Cancel {
                reason,
                cancelled_by: approver.to_string(),
            },
        }
    }
}

/// A payout as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PayoutView {
    pub id: i64,
    pub case_id: i64,
    /// approving, approved, finance_notified, delayed, paid, bounced, escrowed or cancelled.
    pub stage: String,
    pub version: i32,
    #[schema(value_type = String)]
    pub amount: Money,
    pub payee: String,
    /// The positions still to approve, in order (FUND-8).
    pub remaining_approvals: Vec<String>,
    /// The whole lifecycle state, as the core keeps it.
    #[schema(value_type = Object)]
    pub state: serde_json::Value,
}

fn payout_view(row: &PayoutRow) -> Outcome<PayoutView> {
    let payout: Payout = serde_json::from_str(&row.state).map_err(Refusal::internal)?;
    Ok(PayoutView {
        id: row.id,
        case_id: row.case_id,
        stage: row.stage.clone(),
        version: row.version,
        amount: Money::from_fen(row.amount_fen),
        payee: row.payee.clone(),
        remaining_approvals: payout.remaining_roles().into_iter().map(|role| role.as_str().to_string()).collect(),
        state: serde_json::from_str(&row.state).map_err(Refusal::internal)?,
    })
}

/// Drawing up the distribution plan (FUND-9, FUND-11). The amount defaults to the case's held balance.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawUpPlanRequest {
    /// `[{"claimant", "amount", "class": {"class": "execution_cost" | "priority", "rank" | "ordinary", "seizure_order"},
    /// "filed_on"}]`.
    #[schema(value_type = Vec<Object>)]
    pub claims: Vec<Claim>,
    /// `pro_rata` (参与分配, 民诉法解释 art 508) or `by_seizure_order` (enterprise debtor, art 514).
    #[schema(value_type = String)]
    pub ordinary_order: OrdinaryOrder,
    /// Who receives a surplus; default the case's first debtor.
    #[serde(default)]
    pub debtor: Option<String>,
    /// FUND-11: default the case's filing date.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub execution_started_on: Option<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub execution_ended_on: Option<NaiveDate>,
    /// Default: the case's whole held balance; never more.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub amount: Option<Money>,
}

/// A distribution plan as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub case_id: i64,
    /// serving, closed or carried_out.
    pub stage: String,
    pub version: i32,
    /// What each claimant can be paid now, and what unsettled objections withhold (item 22, FUND-12).
    #[schema(value_type = Vec<Object>)]
    pub payable_now: Vec<PayableShare>,
    #[schema(value_type = Object)]
    pub state: serde_json::Value,
}

fn plan_view(row: &PlanRow) -> Outcome<PlanView> {
    let plan: DistributionPlan = serde_json::from_str(&row.state).map_err(Refusal::internal)?;
    Ok(PlanView {
        case_id: row.case_id,
        stage: row.stage.clone(),
        version: row.version,
        payable_now: plan.payable_now(),
        state: serde_json::from_str(&row.state).map_err(Refusal::internal)?,
    })
}

/// The execution application fee of a case (FUND-10).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationFeeView {
    pub case_id: i64,
    #[schema(value_type = String)]
    pub claim_amount: Money,
    #[schema(value_type = String)]
    pub fee: Money,
    /// `amount` or `no_amount` (the court set the fee within 50–500 yuan).
    pub basis: String,
    /// Paid after execution, borne by the debtor: an execution cost taken first from the proceeds (FUND-9).
    pub borne_by: String,
    pub rule: String,
}

/// The reconciliation as CSV: UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese headers),
/// CRLF line ends and RFC 4180 quoting.
pub fn reconciliation_csv(reconciliation: &Reconciliation) -> Vec<u8> {
    super::export::csv(&ledger::reconciliation_table(reconciliation))
}

/// The reconciliation as an XLSX workbook of one sheet.
pub fn reconciliation_xlsx(reconciliation: &Reconciliation) -> Outcome<Vec<u8>> {
    super::export::xlsx("对账 Reconciliation", &ledger::reconciliation_table(reconciliation), 40.0)
}

/// The first and last day of a reconciliation period.
fn period_bounds(period: ReconciliationPeriod) -> Outcome<(NaiveDate, NaiveDate)> {
    match period {
        ReconciliationPeriod::Day { date } => Ok((date, date)),
        ReconciliationPeriod::Month { year, month } => {
            let invalid = || Refusal::new(Code::InvalidQuery, format!("month {year}-{month:02} does not exist"));
            let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(invalid)?;
            let next = if month == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, month + 1, 1)
            }
            .ok_or_else(invalid)?;
            Ok((first, next.pred_opt().ok_or_else(invalid)?))
        }
    }
}

fn outcomes_json<T: Serialize>(outcomes: &T) -> Outcome<String> {
    serde_json::to_string(outcomes).map_err(Refusal::internal)
}

fn command_name(command: &PlanCommand) -> &'static str {
    match command {
        PlanCommand::RecordService { .. } => "record_service",
        PlanCommand::FileObjection { .. } => "file_objection",
        PlanCommand::NotifyObjection { .. } => "notify_objection",
        PlanCommand::FileCounterObjection { .. } => "file_counter_objection",
        PlanCommand::CloseCounterPeriod { .. } => "close_counter_period",
        PlanCommand::NotifyObjector { .. } => "notify_objector",
        PlanCommand::RecordSuit { .. } => "record_suit",
        PlanCommand::CloseSuitPeriod { .. } => "close_suit_period",
        PlanCommand::RecordJudgment { .. } => "record_judgment",
        PlanCommand::RevisePlan { .. } => "revise_plan",
        PlanCommand::CloseObjectionPeriod => "close_objection_period",
        PlanCommand::CarryOut => "carry_out",
    }
}

/// FUND-12: the facts of the objection chain may be recorded by assistants; the decisions are the judge's.
fn plan_command_is_decision(command: &PlanCommand) -> bool {
    match command {
        PlanCommand::RecordService { .. }
        | PlanCommand::FileObjection { .. }
        | PlanCommand::NotifyObjection { .. }
        | PlanCommand::FileCounterObjection { .. }
        | PlanCommand::NotifyObjector { .. }
        | PlanCommand::RecordSuit { .. } => false,
        PlanCommand::CloseCounterPeriod { .. }
        | PlanCommand::CloseSuitPeriod { .. }
        | PlanCommand::RecordJudgment { .. }
        | PlanCommand::RevisePlan { .. }
        | PlanCommand::CloseObjectionPeriod
        | PlanCommand::CarryOut => true,
    }
}

fn not_found_payout(id: i64) -> Refusal {
    Refusal::new(Code::InvalidPath, format!("there is no payout {id} in your court"))
}

fn case_not_found(case_id: i64) -> Refusal {
    Refusal::new(Code::CaseNotFound, format!("there is no case {case_id} in your court"))
}

impl Engine {
    /// Requests a payout (执行款发放申请; assistants and judges). Checks, in order: the role; the case (in the caller's
    /// court); the payee (`no_confirmed_applicant` when none is named and no applicant has a confirmed account;
    /// `pay_to_missing` when the named payee has none and no account is given); the arrival date
    /// (`funds_arrival_unknown`, `arrival_after_latest_receipt`); the bank account (`bank_account_unknown`); under a
    /// distribution plan, the payee's payable share (`payout_exceeds_payable_share`, FUND-12); then the core's
    /// checks (`payee_not_confirmed`, FUND-8 …), which open the FUND-5 or FUND-4 deadline node.
    pub async fn request_payout(&self, principal: &Principal, request: PayoutRequest) -> Outcome<PayoutView> {
        match principal.role {
            Role::Assistant | Role::Judge => {}
            Role::Finance | Role::Supervisor | Role::Admin => {
                return Err(Refusal::new(
                    Code::RoleNotAllowed,
                    format!("a payout is requested by the execution department, not the role {}", principal.role),
                )
                .with_rule("FUND-8"))
            }
        }
        let now = self.now();
        let today = local_date(now);
        let case_id = request.case_id;
        let mut write = self.db.begin_write(now).await?;
        let case = store::registry::case_in_court_tx(&mut write.tx, principal.court_id, case_id)
            .await?
            .ok_or_else(|| case_not_found(case_id))?;
        let parties = store::registry::parties_of_case_tx(&mut write.tx, case.id).await?;
        let confirmed_of = |name: &str| {
            parties
                .iter()
                .filter(|party| party.role == "applicant" && party.name == name)
                .find_map(
                    |party| match (&party.payout_bank, &party.payout_account_name, &party.payout_account_number) {
                        (Some(bank), Some(account_name), Some(account_number)) => Some(ConfirmedAccount {
                            bank: bank.clone(),
                            account_name: account_name.clone(),
                            account_number: account_number.clone(),
                        }),
                        _ => None,
                    },
                )
        };
        let payee = match request.payee.as_deref().map(str::trim) {
            Some(name) => name.to_string(),
            None => parties
                .iter()
                .find(|party| party.role == "applicant" && party.payout_account_number.is_some())
                .map(|party| party.name.clone())
                .ok_or(PayoutsError::NoConfirmedApplicant { case_id })?,
        };
        let confirmed_account = confirmed_of(&payee);
        let pay_to = request
            .pay_to
            .clone()
            .or_else(|| confirmed_account.clone())
            .ok_or_else(|| PayoutsError::PayToMissing { payee: payee.clone() })?;
        let latest = store::payouts::latest_receipt(&mut write.tx, principal.court_id, case_id).await?;
        let funds_arrived_on = match (request.funds_arrived_on, &latest) {
            (Some(given), Some((recorded, _))) if given > *recorded => {
                return Err(PayoutsError::ArrivalAfterLatestReceipt {
                    given,
                    recorded: *recorded,
                }
                .into())
            }
            (Some(given), _) => given,
            (None, Some((recorded, _))) => *recorded,
            (None, None) => return Err(PayoutsError::FundsArrivalUnknown { case_id }.into()),
        };
        let bank = match (&request.bank_account, latest.and_then(|(_, bank)| bank)) {
            (Some(bank), _) => Some(bank.trim().to_string()),
            (None, Some(bank)) => Some(bank),
            (None, None) => store::payouts::latest_bank_account(&mut write.tx, principal.court_id).await?,
        }
        .map(|bank| bank.strip_prefix("bank:").map(str::to_string).unwrap_or(bank))
        .filter(|bank| !bank.is_empty())
        .ok_or(PayoutsError::BankAccountUnknown { case_id })?;
        let purpose = request.purpose.unwrap_or(PayoutPurpose::ToParty);
        let refundable_to_payer = match purpose {
            PayoutPurpose::ToParty => {
                self.check_payable_share(&mut write.tx, principal.court_id, case_id, &payee, request.amount)
                    .await?;
                Money::ZERO
            }
            PayoutPurpose::RefundToPayer => {
                refundable_to(&mut write.tx, principal.court_id, case_id, &bank, &pay_to.account_number).await?
            }
        };
        let id = store::payouts::insert_payout(
            &mut write.tx,
            principal.court_id,
            case_id,
            request.amount.fen().max(1),
            &payee,
            &principal.user,
            now,
        )
        .await?;
        let core_request = RequestPayout {
            id: id.to_string(),
            case_id,
            bank,
            payee: payee.clone(),
            amount: request.amount,
            purpose,
            pay_to,
            confirmed_account,
            panel_approval: request.panel_approval.clone(),
            funds_arrived_on,
            arrival_notice_on: request.arrival_notice_on,
            refundable_to_payer,
        };
        let command = serde_json::to_value(&core_request).map_err(Refusal::internal)?;
        let rules = self.settings.payouts.rules_for(&principal.court_code);
        let transition = Payout::request(core_request, &rules, today, &self.calendar)?;
        let row = PayoutRow {
            id,
            court_id: principal.court_id,
            case_id,
            amount_fen: request.amount.fen(),
            payee,
            state: String::new(),
            stage: String::new(),
            version: 1,
        };
        let row = self.store_payout(&mut write.tx, write.seq, row, &command, transition, now).await?;
        write
            .commit(EventDraft::change(
                &principal.actor(),
                "payouts.request",
                format!("payout:{id}"),
                serde_json::json!({ "payout_id": id, "case_id": case_id, "version": 1, "command": command }),
            ))
            .await?;
        payout_view(&row)
    }

    /// FUND-12 and item 22: under a distribution plan a party is paid no more than its share payable now, less what
    /// is already asked for (every payout of that payee neither bounced nor withdrawn).
    async fn check_payable_share(&self, tx: &mut Tx, court_id: i64, case_id: i64, payee: &str, amount: Money) -> Outcome<()> {
        let Some(row) = store::payouts::plan_for_update(tx, court_id, case_id).await? else {
            return Ok(());
        };
        let plan: DistributionPlan = serde_json::from_str(&row.state).map_err(Refusal::internal)?;
        let payable = plan
            .payable_now()
            .into_iter()
            .find(|share| share.claimant == payee)
            .map(|share| share.payable)
            .unwrap_or(Money::ZERO);
        let requested: i64 = store::payouts::payouts_of_case_tx(tx, case_id)
            .await?
            .iter()
            .filter(|payout| payout.payee == payee && payout.stage != "bounced" && payout.stage != "cancelled")
            .map(|payout| payout.amount_fen)
            .sum();
        if requested + amount.fen() > payable.fen() {
            return Err(PayoutsError::PayoutExceedsPayableShare {
                payee: payee.to_string(),
                payable,
                requested: Money::from_fen(requested),
                amount,
            }
            .into());
        }
        Ok(())
    }

    /// Runs one command of a payout. Checks, in order: the caller's role for the command (and, for an approval, a
    /// delay or an escrow, that the role holds the position named, FUND-8); the payout (in the caller's court); then
    /// the core's checks. Its journal entry (the approval's reservation, the payment, the bounce, the deposit) is
    /// validated against the stored balances and posted in the same transaction, so of two payouts of the same
    /// funds only the first approved passes (`case_balance_would_go_negative`, FUND-2).
    pub async fn payout_command(&self, principal: &Principal, payout_id: i64, action: PayoutAction) -> Outcome<PayoutView> {
        action.permitted(principal.role)?;
        let name = action.name();
        let now = self.now();
        let today = local_date(now);
        let mut write = self.db.begin_write(now).await?;
        let row = store::payouts::payout_for_update(&mut write.tx, principal.court_id, payout_id)
            .await?
            .ok_or_else(|| not_found_payout(payout_id))?;
        if let (PayoutAction::Cancel { .. }, Role::Assistant) = (&action, principal.role) {
            let requester = store::payouts::requested_by(&mut write.tx, payout_id).await?;
            if requester.as_deref() != Some(principal.user.as_str()) {
                return Err(Refusal::new(
                    Code::RoleNotAllowed,
                    format!("payout {payout_id} was requested by someone else; its withdrawal is for them or a judge"),
                )
                .with_rule("FUND-8"));
            }
        }
        if let PayoutAction::Cancel { reason } = &action {
            crate::registry::check_text("reason", reason, CANCEL_REASON_MAX_CHARS, true)?;
        }
        let payout: Payout = serde_json::from_str(&row.state).map_err(Refusal::internal)?;
        let reason = if let PayoutAction::Cancel { reason } = &action {
            Some(reason.trim().to_string())
        } else {
            None
        };
        let command = action.into_command(&principal.user);
        let command_json = serde_json::to_value(&command).map_err(Refusal::internal)?;
        let transition = payout.apply(command, today, &self.calendar)?;
        let version = row.version + 1;
        let next = PayoutRow { version, ..row };
        let row = self
            .store_payout(&mut write.tx, write.seq, next, &command_json, transition, now)
            .await?;
        let mut event = EventDraft::change(
            &principal.actor(),
            &format!("payouts.{name}"),
            format!("payout:{payout_id}"),
            serde_json::json!({ "payout_id": payout_id, "case_id": row.case_id, "version": version, "command": command_json }),
        );
        // A withdrawal's reason is the event's reason (SPEC §3.4: why, where the law asks for one).
        event.reason = reason;
        write.commit(event).await?;
        payout_view(&row)
    }

    /// Posts a payout transition's entries, then stores its state, event and nodes, in the caller's transaction.
    async fn store_payout(
        &self,
        tx: &mut Tx,
        audit_seq: i64,
        mut row: PayoutRow,
        command: &serde_json::Value,
        transition: Transition<Payout>,
        now: DateTime<Utc>,
    ) -> Outcome<PayoutRow> {
        let Transition {
            state,
            effects,
            entries,
            outcomes,
        } = transition;
        for entry in &entries {
            let source = format!("payout:{}:{}", row.id, entry.kind.as_str());
            self.post_once(tx, audit_seq, row.court_id, entry, &source, now).await?;
        }
        row.state = serde_json::to_string(&state).map_err(Refusal::internal)?;
        row.stage = state.stage.name().to_string();
        if store::payouts::save_payout(tx, &row, now).await? != 1 {
            return Err(Refusal::internal(format!(
                "payout {} changed underneath version {}",
                row.id, row.version
            )));
        }
        store::payouts::append_payout_event(
            tx,
            &EventInsert {
                subject_id: row.id,
                version: row.version,
                on: state.last_event_on,
                command: &command.to_string(),
                outcomes: &outcomes_json(&outcomes)?,
                audit_seq,
            },
        )
        .await?;
        self.apply_case_effects(tx, row.court_id, row.case_id, &effects, now).await?;
        Ok(row)
    }

    /// Validates an entry against the stored balances and posts it in the caller's transaction, as
    /// `Engine::post_entry` does; its source must be new (a lifecycle posts each of its entries once, so a source
    /// posted already means the stored state and the journal disagree, and the command is rolled back).
    ///
    /// Posts an entry the lifecycle returned, exactly once: `post_entry` validates it against the stored balances;
    /// a source posted before means the stored lifecycle and the journal disagree.
    async fn post_once(
        &self,
        tx: &mut Tx,
        audit_seq: i64,
        court_id: i64,
        entry: &ledger::Entry,
        source: &str,
        now: DateTime<Utc>,
    ) -> Outcome<i64> {
        self.post_entry(tx, audit_seq, court_id, entry, source, now)
            .await?
            .ok_or_else(|| Refusal::internal(format!("entry {source} was posted before")))
    }

    pub async fn payout(&self, principal: &Principal, payout_id: i64) -> Outcome<PayoutView> {
        let row = store::payouts::payout(&self.db, principal.court_id, payout_id)
            .await?
            .ok_or_else(|| not_found_payout(payout_id))?;
        payout_view(&row)
    }

    pub async fn payouts(&self, principal: &Principal, case_id: Option<i64>) -> Outcome<Vec<PayoutView>> {
        store::payouts::payouts(&self.db, principal.court_id, case_id)
            .await?
            .iter()
            .map(payout_view)
            .collect()
    }

    /// Draws up the distribution plan of a case's held funds (judges; FUND-9, FUND-11). Checks, in order: the role;
    /// the case; no plan yet (`distribution_plan_exists`); the amount within the held balance
    /// (`distribution_exceeds_held`); a debtor (`debtor_missing`); then the core's checks of the claims and the
    /// parties. The plan is served on the debtor and on every creditor with a priority or ordinary claim (DESIGN:
    /// execution costs are the court's and its agents', who are not served).
    pub async fn draw_up_distribution(&self, principal: &Principal, case_id: i64, request: DrawUpPlanRequest) -> Outcome<PlanView> {
        if !matches!(principal.role, Role::Judge) {
            return Err(Refusal::new(
                Code::RoleNotAllowed,
                format!("the distribution plan is the judge's, not the role {}'s", principal.role),
            )
            .with_rule("FUND-12"));
        }
        let now = self.now();
        let today = local_date(now);
        let mut write = self.db.begin_write(now).await?;
        let case = store::registry::case_in_court_tx(&mut write.tx, principal.court_id, case_id)
            .await?
            .ok_or_else(|| case_not_found(case_id))?;
        if store::payouts::plan_for_update(&mut write.tx, principal.court_id, case_id)
            .await?
            .is_some()
        {
            return Err(PayoutsError::PlanExists { case_id }.into());
        }
        let held_key = Account::CaseHeld(case_id).as_key();
        let held = Money::from_fen(
            store::ledger::balances_tx(&mut write.tx, principal.court_id, std::slice::from_ref(&held_key))
                .await?
                .get(&held_key)
                .copied()
                .unwrap_or(0),
        );
        let amount = request.amount.unwrap_or(held);
        if amount > held {
            return Err(PayoutsError::DistributionExceedsHeld { amount, held }.into());
        }
        let parties = store::registry::parties_of_case_tx(&mut write.tx, case_id).await?;
        let debtor = match request.debtor.as_deref().map(str::trim) {
            Some(name) => name.to_string(),
            None => parties
                .iter()
                .find(|party| party.role == "debtor")
                .map(|party| party.name.clone())
                .ok_or(PayoutsError::DebtorMissing { case_id })?,
        };
        let input = DistributionInput {
            claims: request.claims.clone(),
            ordinary_order: request.ordinary_order,
            debtor: debtor.clone(),
            execution_started_on: request.execution_started_on.unwrap_or(case.filing_date),
            execution_ended_on: request.execution_ended_on,
        };
        let distribution = ledger::distribute(amount, &input)?;
        let mut served: Vec<(String, PartyRole)> = Vec::new();
        for claim in &request.claims {
            match claim.class {
                ClaimClass::ExecutionCost => {}
                ClaimClass::Priority { .. } | ClaimClass::Ordinary { .. } => {
                    if !served.iter().any(|(name, _)| *name == claim.claimant) && claim.claimant != debtor {
                        served.push((claim.claimant.clone(), PartyRole::Creditor));
                    }
                }
            }
        }
        served.push((debtor, PartyRole::Debtor));
        let plan = DistributionPlan::draw_up(case_id, distribution, served, today)?;
        let command = serde_json::to_value(&request).map_err(Refusal::internal)?;
        let row = PlanRow {
            case_id,
            court_id: principal.court_id,
            state: serde_json::to_string(&plan).map_err(Refusal::internal)?,
            stage: plan.stage.name().to_string(),
            version: 1,
        };
        if store::payouts::save_plan(&mut write.tx, &row, now).await? != 1 {
            return Err(Refusal::internal(format!(
                "distribution plan of case {case_id} was written concurrently"
            )));
        }
        store::payouts::append_plan_event(
            &mut write.tx,
            &EventInsert {
                subject_id: case_id,
                version: 1,
                on: today,
                command: &command.to_string(),
                outcomes: "[]",
                audit_seq: write.seq,
            },
        )
        .await?;
        write
            .commit(EventDraft::change(
                &principal.actor(),
                "distribution.draw_up",
                format!("case:{case_id}"),
                serde_json::json!({ "case_id": case_id, "version": 1, "amount": amount, "distributed": plan.distribution.total() }),
            ))
            .await?;
        plan_view(&row)
    }

    /// Runs one command of the plan's objection chain (FUND-12). Checks, in order: the role (decisions are the
    /// judge's, facts may be recorded by assistants too); the plan; then the core's checks. A suit holds the
    /// disputed amount and a judgment releases it (民诉法解释 art 510 ¶3): those entries are posted in the same
    /// transaction.
    pub async fn distribution_command(&self, principal: &Principal, case_id: i64, command: PlanCommand) -> Outcome<PlanView> {
        let allowed = match principal.role {
            Role::Judge => true,
            Role::Assistant => !plan_command_is_decision(&command),
            Role::Finance | Role::Supervisor | Role::Admin => false,
        };
        if !allowed {
            return Err(Refusal::new(
                Code::RoleNotAllowed,
                format!(
                    "the role {} may not {} on the distribution plan",
                    principal.role,
                    command_name(&command)
                ),
            )
            .with_rule("FUND-12"));
        }
        let name = command_name(&command);
        let now = self.now();
        let today = local_date(now);
        let mut write = self.db.begin_write(now).await?;
        let row = store::payouts::plan_for_update(&mut write.tx, principal.court_id, case_id)
            .await?
            .ok_or(PayoutsError::PlanMissing { case_id })?;
        let plan: DistributionPlan = serde_json::from_str(&row.state).map_err(Refusal::internal)?;
        let command_json = serde_json::to_value(&command).map_err(Refusal::internal)?;
        let Transition {
            state,
            effects,
            entries,
            outcomes,
        } = plan.apply(command, today, &self.calendar)?;
        let version = row.version + 1;
        for (index, entry) in entries.iter().enumerate() {
            let source = format!("plan:{case_id}:{version}:{}", index + 1);
            self.post_once(&mut write.tx, write.seq, principal.court_id, entry, &source, now)
                .await?;
        }
        let row = PlanRow {
            state: serde_json::to_string(&state).map_err(Refusal::internal)?,
            stage: state.stage.name().to_string(),
            version,
            ..row
        };
        if store::payouts::save_plan(&mut write.tx, &row, now).await? != 1 {
            return Err(Refusal::internal(format!(
                "distribution plan of case {case_id} changed underneath version {version}"
            )));
        }
        store::payouts::append_plan_event(
            &mut write.tx,
            &EventInsert {
                subject_id: case_id,
                version,
                on: today,
                command: &command_json.to_string(),
                outcomes: &outcomes_json(&outcomes)?,
                audit_seq: write.seq,
            },
        )
        .await?;
        self.apply_case_effects(&mut write.tx, principal.court_id, case_id, &effects, now)
            .await?;
        write
            .commit(EventDraft::change(
                &principal.actor(),
                &format!("distribution.{name}"),
                format!("case:{case_id}"),
                serde_json::json!({ "case_id": case_id, "version": version, "command": command_json, "outcomes": outcomes }),
            ))
            .await?;
        plan_view(&row)
    }

    pub async fn distribution(&self, principal: &Principal, case_id: i64) -> Outcome<PlanView> {
        let row = store::payouts::plan(&self.db, principal.court_id, case_id)
            .await?
            .ok_or(PayoutsError::PlanMissing { case_id })?;
        plan_view(&row)
    }

    /// Reconciles one of the court's bank accounts for a day or a month (SPEC §4, FUND-2; finance and supervisors).
    ///
    /// The statement side: the lines booked in the period, and the balances of the imports whose statement date
    /// falls in it — the opening of the first, the closing of the last (DESIGN; with no import in the period, the
    /// closing of the latest import before it, for both). The ledger side: the journal's movements on
    /// `bank:<account>` posted in the period, and every account's balance at the period's end, recomputed from the
    /// journal's lines.
    pub async fn reconciliation(&self, principal: &Principal, bank_account: &str, period: ReconciliationPeriod) -> Outcome<Reconciliation> {
        reconciliation_reader(principal)?;
        let bank_account = bank_account.trim();
        if bank_account.is_empty() {
            return Err(Refusal::new(Code::InvalidQuery, "bank_account must name the court's bank account"));
        }
        self.reconcile_bank(principal.court_id, bank_account, period).await
    }

    /// FUND-2's monthly reconciliation (the monthly job; the daily digest's tick runs it): the month just ended,
    /// for every court's bank account, recorded once per account and month with an audit event, and sent to the
    /// court through the outbox (`reconciliation.monthly`: finance and the supervisors see whether it reconciles,
    /// the difference and the unmatched items on both sides). An account is reconciled once its statements cover
    /// the month's last day (the last day's statement usually comes in the days after), or, if they never do, once
    /// `MONTHLY_RECONCILIATION_WAIT_DAYS` have passed: then the missing statement shows as the difference. A run that
    /// finds a month recorded does nothing for it, so a missed day is caught up by the next; an account that fails is
    /// logged and counted, and the others go on.
    pub async fn reconcile_last_month(&self, now: DateTime<Utc>) -> Outcome<MonthlyReconciliationReport> {
        let today = local_date(now);
        let last_month = today
            .with_day(1)
            .and_then(|first| first.pred_opt())
            .ok_or_else(|| Refusal::internal("no month before"))?;
        let period = ReconciliationPeriod::Month {
            year: last_month.year(),
            month: last_month.month(),
        };
        let month = period.label();
        let mut report = MonthlyReconciliationReport {
            month: month.clone(),
            ..Default::default()
        };
        // The wait is counted as the law counts periods (PER-1: an end on a rest day moves to the next working day).
        let waited_enough = today
            > self
                .calendar
                .due_date(last_month, crate::calendar::Period::Days(MONTHLY_RECONCILIATION_WAIT_DAYS));
        for (court_id, bank_account) in store::payouts::court_bank_accounts(&self.db).await? {
            if store::payouts::monthly_reconciliation_recorded(&self.db, court_id, &bank_account, &month).await? {
                report.already_recorded += 1;
                continue;
            }
            let covered = store::payouts::statements_cover_until(&self.db, court_id, &bank_account).await?;
            if !waited_enough && covered.is_none_or(|until| until < last_month) {
                report.waiting_for_statements += 1;
                continue;
            }
            match self.record_month(court_id, &bank_account, period, now).await {
                Ok(Some(ok)) => {
                    report.recorded += 1;
                    if !ok {
                        report.not_reconciled += 1;
                    }
                }
                Ok(None) => report.already_recorded += 1,
                Err(refusal) => {
                    tracing::error!(court_id, %bank_account, %month, error = %refusal, "monthly reconciliation of an account failed");
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    /// Reconciles one account's month and records it with its audit event and outbox message: whether it reconciled,
    /// or `None` when another run recorded it first (then nothing is written).
    async fn record_month(
        &self,
        court_id: i64,
        bank_account: &str,
        period: ReconciliationPeriod,
        now: DateTime<Utc>,
    ) -> Outcome<Option<bool>> {
        let month = period.label();
        let reconciliation = self.reconcile_bank(court_id, bank_account, period).await?;
        let mut write = self.db.begin_write(now).await?;
        let row = store::payouts::MonthlyReconciliationRow {
            court_id,
            bank_account: bank_account.to_string(),
            month: month.clone(),
            ok: reconciliation.ok,
            statement_balance_fen: reconciliation.statement_balance.fen(),
            ledger_balance_fen: reconciliation.ledger_balance.fen(),
            difference_fen: reconciliation.difference.fen(),
            unmatched_statement_lines: reconciliation.unmatched_statement_lines.len() as i64,
            unmatched_ledger_entries: reconciliation.unmatched_ledger_entries.len() as i64,
            audit_seq: write.seq,
        };
        if !store::payouts::record_monthly_reconciliation(&mut write.tx, &row, now).await? {
            return Ok(None);
        }
        // The counts are whole; the items themselves are listed up to a bound (the month's reconciliation shows
        // all of them), so one month's missing statement cannot swell an audit event without limit.
        let payload = serde_json::json!({
            "rule": "FUND-2",
            "court_id": court_id,
            "bank_account": bank_account,
            "month": month,
            "ok": reconciliation.ok,
            "statement_balance": reconciliation.statement_balance,
            "ledger_balance": reconciliation.ledger_balance,
            "difference": reconciliation.difference,
            "statement_consistent": reconciliation.statement_consistent,
            "unmatched_statement_lines_count": reconciliation.unmatched_statement_lines.len(),
            "unmatched_statement_lines": reconciliation.unmatched_statement_lines.iter().take(MONTHLY_ITEMS_LISTED).collect::<Vec<_>>(),
            "unmatched_ledger_entries_count": reconciliation.unmatched_ledger_entries.len(),
            "unmatched_ledger_entries": reconciliation.unmatched_ledger_entries.iter().take(MONTHLY_ITEMS_LISTED).collect::<Vec<_>>(),
            "case_balances_total": reconciliation.case_balances_total,
            "bank_balance": reconciliation.bank_balance,
        });
        store::nodes::enqueue(&mut write.tx, "reconciliation.monthly", Some(court_id), &payload, now).await?;
        write
            .commit(EventDraft::change(
                &Actor::system("reconciliation"),
                "reconcile_month",
                format!("reconciliation:{bank_account}:{month}"),
                payload,
            ))
            .await?;
        Ok(Some(reconciliation.ok))
    }

    /// The monthly reconciliations recorded for the caller's court (finance and supervisors), oldest month first.
    pub async fn monthly_reconciliations(&self, principal: &Principal) -> Outcome<Vec<store::payouts::MonthlyReconciliationRow>> {
        reconciliation_reader(principal)?;
        Ok(store::payouts::monthly_reconciliations(&self.db, principal.court_id).await?)
    }

    async fn reconcile_bank(&self, court_id: i64, bank_account: &str, period: ReconciliationPeriod) -> Outcome<Reconciliation> {
        let (from, to) = period_bounds(period)?;
        let statement_lines = store::payouts::statement_lines_between(&self.db, court_id, bank_account, from, to)
            .await?
            .into_iter()
            .map(|line| StatementLine {
                reference: line.bank_reference,
                value_date: line.booking_date,
                amount: Money::from_fen(if line.direction == "debit" {
                    -line.amount_fen
                } else {
                    line.amount_fen
                }),
            })
            .collect();
        let imports = store::payouts::statement_balances(&self.db, court_id, bank_account).await?;
        let within: Vec<&(NaiveDate, i64, i64)> = imports.iter().filter(|(date, _, _)| *date >= from && *date <= to).collect();
        let before = imports
            .iter()
            .rev()
            .find(|(date, _, _)| *date < from)
            .map(|(_, _, closing)| *closing);
        let opening = within.first().map(|(_, opening, _)| *opening).or(before).unwrap_or(0);
        let closing = within.last().map(|(_, _, closing)| *closing).unwrap_or(opening);
        let ledger_movements = store::payouts::bank_movements_between(&self.db, court_id, bank_account, from, to)
            .await?
            .into_iter()
            .map(|movement| LedgerMovement {
                entry_id: movement.entry_id.to_string(),
                date: movement.posted_on,
                reference: movement.bank_reference,
                amount: Money::from_fen(movement.debit_fen - movement.credit_fen),
            })
            .collect();
        let mut ledger_balances = Vec::new();
        for (key, debits, credits) in store::payouts::line_totals_until(&self.db, court_id, to).await? {
            let account = Account::parse(&key).map_err(Refusal::internal)?;
            let balance = account
                .signed_change_fen(debits, credits)
                .ok_or_else(|| Refusal::internal(format!("balance of {key} overflows")))?;
            ledger_balances.push((account, Money::from_fen(balance)));
        }
        Ok(ledger::reconcile(&ReconciliationInput {
            bank: bank_account.to_string(),
            period,
            statement_opening: Money::from_fen(opening),
            statement_closing: Money::from_fen(closing),
            statement_lines,
            ledger_movements,
            ledger_balances,
        }))
    }

    /// The execution application fee of a case from its registered claim amount (FUND-10); a case registered
    /// without an amount needs the fee the court set (`court_set_fee_missing`, `application_fee_out_of_range`).
    pub async fn application_fee(&self, principal: &Principal, case_id: i64, court_set_fee: Option<Money>) -> Outcome<ApplicationFeeView> {
        let case = store::registry::case_in_court(&self.db, principal.court_id, case_id)
            .await?
            .ok_or_else(|| case_not_found(case_id))?;
        let claim_amount = Money::from_fen(case.claim_amount_fen);
        let (basis, name) = if case.claim_amount_fen > 0 {
            (ApplicationFeeBasis::Amount { amount: claim_amount }, "amount")
        } else {
            let fee = court_set_fee.ok_or(PayoutsError::CourtSetFeeMissing)?;
            (ApplicationFeeBasis::NoAmount { court_set_fee: fee }, "no_amount")
        };
        Ok(ApplicationFeeView {
            case_id,
            claim_amount,
            fee: ledger::execution_application_fee(basis)?,
            basis: name.to_string(),
            borne_by: "debtor".to_string(),
            rule: "FUND-10".to_string(),
        })
    }

    /// Carries out a ledger lifecycle's effects on the case's nodes and the outbox, in the command's transaction.
    /// The ledger's nodes belong to the case, not to an asset (`asset_id` null), and are addressed by their keys
    /// (`ledger.payout.…:<payout id>`, `ledger.plan.…:<party or objection>`), which are unique within a case.
    pub(crate) async fn apply_case_effects(
        &self,
        tx: &mut Tx,
        court_id: i64,
        case_id: i64,
        effects: &[Effect],
        now: DateTime<Utc>,
    ) -> Outcome<()> {
        for effect in effects {
            let changed = match effect {
                Effect::CreateNode { key, plan, .. } => {
                    let node = NodeInsert {
                        court_id,
                        case_id,
                        asset_id: None,
                        plan,
                        dates: plan.dates(&self.calendar),
                        created_at: now,
                        node_key: Some(&key.0),
                    };
                    store::nodes::insert_node(tx, &node).await?;
                    None
                }
                Effect::RescheduleNode { key, plan, .. } | Effect::ResumeNode { key, plan, .. } => Some((
                    key,
                    store::payouts::replan_case_node(tx, case_id, &key.0, plan, &plan.dates(&self.calendar)).await?,
                )),
                Effect::PauseNode { key } => Some((
                    key,
                    store::payouts::change_case_node(tx, case_id, &key.0, KeyedChange::Pause, now).await?,
                )),
                Effect::MeetNode { key } => Some((
                    key,
                    store::payouts::change_case_node(tx, case_id, &key.0, KeyedChange::Meet, now).await?,
                )),
                Effect::CancelNode { key } => Some((
                    key,
                    store::payouts::change_case_node(tx, case_id, &key.0, KeyedChange::Cancel, now).await?,
                )),
                Effect::MeetNodes { rule_id } => {
                    store::payouts::meet_case_rule_nodes(tx, case_id, rule_id, now).await?;
                    None
                }
                Effect::Notify(notice) => {
                    let payload = serde_json::json!({ "case_id": case_id, "notice": notice });
                    store::nodes::enqueue(tx, LEDGER_NOTICE_TOPIC, Some(court_id), &payload, now).await?;
                    None
                }
            };
            // A keyed effect must find exactly its one open node; anything else means the stored nodes and the
            // lifecycle disagree, and the command is rolled back rather than leave a node alerting forever.
            if let Some((key, count)) = changed {
                if count != 1 {
                    return Err(Refusal::internal(format!(
                        "case {case_id}: node {} matched {count} open nodes",
                        key.0
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Reads `day=YYYY-MM-DD` or `month=YYYY-MM` into a period (exactly one of them).
pub fn parse_period(day: Option<&str>, month: Option<&str>) -> Outcome<ReconciliationPeriod> {
    let invalid = |message: String| Refusal::new(Code::InvalidQuery, message);
    match (day, month) {
        (Some(day), None) => NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .ok()
            .filter(|date| date.format("%Y-%m-%d").to_string() == day)
            .map(|date| ReconciliationPeriod::Day { date })
            .ok_or_else(|| invalid(format!("day '{day}' must be a date YYYY-MM-DD"))),
        (None, Some(month)) => NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
            .ok()
            .filter(|date| format!("{:04}-{:02}", date.year(), date.month()) == month)
            .map(|date| ReconciliationPeriod::Month {
                year: date.year(),
                month: date.month(),
            })
            .ok_or_else(|| invalid(format!("month '{month}' must be YYYY-MM"))),
        (Some(_), Some(_)) | (None, None) => Err(invalid("give exactly one of day=YYYY-MM-DD or month=YYYY-MM".to_string())),
    }
}

/// FUND-8: what `account` paid into the case through `bank` by the court's statements (receipts credited to the
/// case, or claimed into it from suspense), less the refunds to it already asked for, neither bounced nor withdrawn.
async fn refundable_to(tx: &mut Tx, court_id: i64, case_id: i64, bank: &str, account: &str) -> Outcome<Money> {
    // Account numbers are compared without their spaces, as banks print them in groups.
    let digits = |number: &str| number.chars().filter(|character| !character.is_whitespace()).collect::<String>();
    let account = digits(account);
    let paid_in = store::payouts::paid_in_from(tx, court_id, case_id, bank, &account).await?;
    let mut refunded = 0i64;
    for row in store::payouts::payouts_of_case_tx(tx, case_id).await? {
        if row.stage == "bounced" || row.stage == "cancelled" {
            continue;
        }
        let payout: Payout = serde_json::from_str(&row.state).map_err(Refusal::internal)?;
        if payout.purpose == PayoutPurpose::RefundToPayer && digits(&payout.pay_to.account_number) == account {
            refunded = refunded
                .checked_add(row.amount_fen)
                .ok_or_else(|| Refusal::internal("refunds overflow"))?;
        }
    }
    Ok(Money::from_fen(paid_in.saturating_sub(refunded).max(0)))
}

/// Reconciliation is for finance and supervisors (FUND-2).
fn reconciliation_reader(principal: &Principal) -> Outcome<()> {
    match principal.role {
        Role::Finance | Role::Supervisor | Role::Admin => Ok(()),
        Role::Assistant | Role::Judge => Err(Refusal::new(
            Code::RoleNotAllowed,
            format!("reconciliation is for finance and supervisors, not the role {}", principal.role),
        )
        .with_rule("FUND-2")),
    }
}

/// What one run of the monthly reconciliation did (FUND-2).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MonthlyReconciliationReport {
    /// The month reconciled, `YYYY-MM`.
    pub month: String,
    /// Bank accounts whose month this run recorded.
    pub recorded: u64,
    /// Of those, the ones that do not reconcile.
    pub not_reconciled: u64,
    /// Bank accounts whose month was recorded before.
    pub already_recorded: u64,
    /// Bank accounts whose statements do not yet reach the month's last day (tried again the next day).
    pub waiting_for_statements: u64,
    /// Bank accounts whose reconciliation failed (logged; tried again the next day).
    pub failed: u64,
}

/// FUND-2: days after a month's end when it is reconciled even without statements up to its last day.
pub const MONTHLY_RECONCILIATION_WAIT_DAYS: u32 = 10;

/// FUND-2: unmatched items listed in a monthly reconciliation's message and audit event (all are counted).
const MONTHLY_ITEMS_LISTED: usize = 50;
