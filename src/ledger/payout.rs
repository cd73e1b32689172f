//! The payout lifecycle (执行款发放, FUND-4 … FUND-8; item 22 of the 2021 opinion).
//!
//! ```text
//! request (payee check, FUND-8/FUND-1) → approving: one approval per role, in the matrix's order (FUND-8)
//!     → approved (approve_payout entry: held → payable) → finance notified → paid (pay_out entry) → bounced (退票)
//! approving | approved | finance notified ⇄ delayed (FUND-6: a ground and the bureau head's or vice-president's
//!     approval; the deadline node is cancelled; when the ground is cleared, payout within 10 days)
//! approving | approved | finance notified | delayed → escrowed (提存, FUND-7: a ground and the same approval)
//! approving | approved | finance notified | delayed → cancelled (撤回, FUND-8: withdrawn before payment, with a
//!     reason; a completed approval's reservation is reversed by a `cancel_approval` entry, the deadline node cancelled)
//! ```
//!
//! Deadlines (`PayoutDeadlineProfile`, a court's configuration):
//! - `Regional2024` (default, FUND-5): the payment notice goes to finance within 10 working days of the funds' arrival
//!   (`ledger.payout.finance_notice:<id>`), and finance pays within 5 working days of the notice
//!   (`ledger.payout.payment:<id>`). Working days follow the legal calendar, so 调休 make-up days count (PER-6).
//! - `Spc2017` (FUND-4): the whole payout is completed within 30 days of finance's arrival notice
//!   (`ledger.payout.completion:<id>`).
//!
//! A late step is recorded (`late: true` in its outcome) and its node goes overdue and escalates; it is not refused,
//! because refusing a late payout would only delay the payee's money further.
//!
//! The undisputed part is paid first (item 22): disputed funds sit in `CaseDisputed`, not `CaseHeld`, so a payout
//! approved from the held balance can only use undisputed funds, and `journal::validate` refuses any approval the held
//! balance does not cover — including the second of two payouts of the same funds.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::accounts::CaseId;
use super::error::LedgerError;
use super::journal::{self, EscrowFrom};
use super::limits::{LedgerLimit, LedgerLimitKind};
use super::{Draft, Outcome, Transition};
use crate::calendar::{Calendar, Period};
use crate::money::Money;
use crate::registry::PayoutAccount;
use crate::valuation::Audience;

/// FUND-6 (UNCONFIRMED): after the ground for a delay is cleared, the payout is completed within 10 days. Configurable
/// in `PayoutRules::delay_cleared_payout_days`.
pub const DELAY_CLEARED_PAYOUT_DAYS: u32 = 10;

/// FUND-5 (Regional2024): notice to finance within 10 working days of arrival.
const FINANCE_NOTICE_WORKING_DAYS: u32 = 10;
/// FUND-5 (Regional2024): payment within 5 working days of the notice.
const PAYMENT_WORKING_DAYS: u32 = 5;
/// FUND-4 (Spc2017): completion within 30 days of finance's arrival notice.
const COMPLETION_DAYS: u32 = 30;

/// A role in the payout approval chain (执行款发放审批; FUND-8 and the local rules it cites).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalRole {
    /// 承办人
    CaseOfficer,
    /// 案款管理人员
    FundManager,
    /// 执行局长
    BureauHead,
    /// 主管副院长 (the presiding vice-president)
    VicePresident,
}

impl ApprovalRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalRole::CaseOfficer => "case_officer",
            ApprovalRole::FundManager => "fund_manager",
            ApprovalRole::BureauHead => "bureau_head",
            ApprovalRole::VicePresident => "vice_president",
        }
    }

    /// FUND-6, FUND-7: delays and escrow are approved by the bureau head or the presiding vice-president
    /// ("经报执行局长和主管院领导批准").
    pub fn may_approve_delay_or_escrow(self) -> bool {
        match self {
            ApprovalRole::BureauHead | ApprovalRole::VicePresident => true,
            ApprovalRole::CaseOfficer | ApprovalRole::FundManager => false,
        }
    }
}

/// One tier of the approval matrix: payouts up to `up_to` (inclusive; `None` = no upper bound) need these roles, in
/// this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalTier {
    pub up_to: Option<Money>,
    pub roles: Vec<ApprovalRole>,
}

/// The approval chain by amount, configured per court as JSON (FUND-8). Example (the default):
/// `{"tiers": [{"up_to": "100000.00", "roles": ["case_officer", "fund_manager", "bureau_head"]},
///             {"up_to": null, "roles": ["case_officer", "fund_manager", "bureau_head", "vice_president"]}]}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalMatrix {
    pub tiers: Vec<ApprovalTier>,
}

impl Default for ApprovalMatrix {
    /// The local rules' ¥100,000 threshold (FUND-8): up to it the bureau head approves last, above it the
    /// presiding vice-president.
    fn default() -> Self {
        ApprovalMatrix {
            tiers: vec![
                ApprovalTier {
                    up_to: Some(Money::from_fen(10_000_000)),
                    roles: vec![ApprovalRole::CaseOfficer, ApprovalRole::FundManager, ApprovalRole::BureauHead],
                },
                ApprovalTier {
                    up_to: None,
                    roles: vec![
                        ApprovalRole::CaseOfficer,
                        ApprovalRole::FundManager,
                        ApprovalRole::BureauHead,
                        ApprovalRole::VicePresident,
                    ],
                },
            ],
        }
    }
}

impl ApprovalMatrix {
    /// Reads and checks a matrix (`approval_matrix_invalid`): at least one tier; bounds strictly increasing; the last
    /// tier unbounded and only the last; every tier at least one role, none twice.
    pub fn parse_json(text: &str) -> Result<ApprovalMatrix, LedgerError> {
        let matrix: ApprovalMatrix =
            serde_json::from_str(text).map_err(|error| LedgerError::ApprovalMatrixInvalid { reason: error.to_string() })?;
        matrix.check()?;
        Ok(matrix)
    }

    pub fn check(&self) -> Result<(), LedgerError> {
        let invalid = |reason: &str| LedgerError::ApprovalMatrixInvalid {
            reason: reason.to_string(),
        };
        if self.tiers.is_empty() {
            return Err(invalid("at least one tier is needed"));
        }
        let mut previous: Option<Money> = None;
        for (index, tier) in self.tiers.iter().enumerate() {
            let last = index + 1 == self.tiers.len();
            match (tier.up_to, last) {
                (None, true) => {}
                (None, false) => return Err(invalid("only the last tier may be unbounded")),
                (Some(_), true) => return Err(invalid("the last tier must be unbounded (up_to: null)")),
                (Some(bound), false) => {
                    if previous.is_some_and(|previous| bound <= previous) {
                        return Err(invalid("tier bounds must increase"));
                    }
                    previous = Some(bound);
                }
            }
            if tier.roles.is_empty() {
                return Err(invalid("every tier needs at least one role"));
            }
            for (position, role) in tier.roles.iter().enumerate() {
                if tier.roles[..position].contains(role) {
                    return Err(invalid("a role appears twice in one tier"));
                }
            }
        }
        Ok(())
    }

    /// The roles a payout of `amount` needs, in order.
    pub fn roles_for(&self, amount: Money) -> Vec<ApprovalRole> {
        self.tiers
            .iter()
            .find(|tier| tier.up_to.is_none_or(|bound| amount <= bound))
            .or(self.tiers.last())
            .map(|tier| tier.roles.clone())
            .unwrap_or_default()
    }
}

/// Which payout deadlines a court follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutDeadlineProfile {
    /// FUND-5 (item 22 of the 2021 opinion; the Xinjiang High Court's 2024 measures): 10 + 5 working days.
    #[default]
    Regional2024,
    /// FUND-4 (款物规定 法发〔2017〕6号): 30 days from finance's arrival notice.
    Spc2017,
}

/// A court's payout configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutRules {
    pub profile: PayoutDeadlineProfile,
    pub matrix: ApprovalMatrix,
    /// FUND-6 (UNCONFIRMED): calendar days to pay after a delay's ground is cleared; default 10.
    pub delay_cleared_payout_days: u32,
}

impl Default for PayoutRules {
    fn default() -> Self {
        PayoutRules {
            profile: PayoutDeadlineProfile::default(),
            matrix: ApprovalMatrix::default(),
            delay_cleared_payout_days: DELAY_CLEARED_PAYOUT_DAYS,
        }
    }
}

/// A payee's bank account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmedAccount {
    pub bank: String,
    pub account_name: String,
    pub account_number: String,
}

impl From<&PayoutAccount> for ConfirmedAccount {
    fn from(account: &PayoutAccount) -> Self {
        ConfirmedAccount {
            bank: account.bank.clone(),
            account_name: account.account_name.clone(),
            account_number: account.account_number.clone(),
        }
    }
}

/// What the payout is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutPurpose {
    /// To a party entitled under the plan or the title: only to the account confirmed at registration (FUND-1, item
    /// 20), unless a collegial panel approved another payee (FUND-8).
    ToParty,
    /// A refund to the payer that is due by law: FUND-8 exempts it from the panel review.
    RefundToPayer,
}

/// A collegial panel's approval of a payee other than the confirmed account (合议庭审查, FUND-8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelApproval {
    pub decided_on: NaiveDate,
    /// The panel decision's reference.
    pub reference: String,
}

/// One approval in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub approver: String,
    pub role: ApprovalRole,
    pub on: NaiveDate,
}

/// FUND-6 (延缓发放; grounds UNCONFIRMED, from the best recollection in RULES.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ground", content = "detail", rename_all = "snake_case")]
pub enum DelayGround {
    /// The funds must be distributed among creditors (案款分配).
    DistributionAmongCreditors,
    /// The applicant's entitlement is preserved or frozen (another suit, another execution, a suspected crime).
    EntitlementPreservedOrFrozen,
    /// The applicant was notified but did not collect.
    ApplicantDidNotCollect,
    /// The case is stayed (中止) or suspended (暂缓) by law.
    CaseStayedOrSuspended,
    /// Another proper reason, stated.
    OtherProperReason(String),
}

/// FUND-7 (提存; grounds UNCONFIRMED except the distribution suit, 民诉法解释 art 510 ¶3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscrowGround {
    ApplicantRefusesWithoutGoodReason,
    ApplicantMissing,
    ApplicantDiedNoHeirDetermined,
    ApplicantLostCapacityNoGuardian,
    ApplicantUnreachable,
    DistributionSuitPending,
}

/// A payout request, as the engine receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPayout {
    /// The engine's id of the payout; it names the payout's nodes.
    pub id: String,
    pub case_id: CaseId,
    /// The court's execution-fund account the payment leaves from.
    pub bank: String,
    pub payee: String,
    pub amount: Money,
    pub purpose: PayoutPurpose,
    /// Where the money is to go.
    pub pay_to: ConfirmedAccount,
    /// The payee's account confirmed at registration, if any (FUND-1).
    pub confirmed_account: Option<ConfirmedAccount>,
    pub panel_approval: Option<PanelApproval>,
    /// FUND-5: the day the funds arrived in the case account.
    pub funds_arrived_on: NaiveDate,
    /// FUND-4: the day finance notified the execution department of the arrival (到账通知); the arrival when absent.
    pub arrival_notice_on: Option<NaiveDate>,
    /// FUND-8, for a refund to the payer: what `pay_to` paid into the case by the court's bank statements, less the
    /// refunds to it already asked for (none bounced or withdrawn). A refund goes back where the money came from,
    /// and no further; any other payee needs the panel.
    #[serde(default)]
    pub refundable_to_payer: Money,
}

/// Where a payout stands. Adding a variant breaks every match that must decide about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum PayoutStage {
    /// The approval chain runs; `deadline` is the FUND-5 notice, FUND-4 completion or FUND-6 after-delay limit.
    Approving {
        deadline: LedgerLimit,
    },
    /// Approved; the payment notice is to go to finance.
    Approved {
        deadline: LedgerLimit,
    },
    /// Finance has the notice and is to pay.
    FinanceNotified {
        notified_on: NaiveDate,
        deadline: LedgerLimit,
    },
    /// FUND-6: delayed; `resume` is the stage to return to when the ground is cleared.
    Delayed {
        ground: DelayGround,
        approval: Approval,
        resume: Box<PayoutStage>,
    },
    Paid {
        paid_on: NaiveDate,
    },
    /// 退票: the bank returned the payment; the funds are back in the case, and a new payout is needed.
    Bounced {
        paid_on: NaiveDate,
        bounced_on: NaiveDate,
        reason: String,
    },
    /// FUND-7: deposited with a notary.
    Escrowed {
        ground: EscrowGround,
        approval: Approval,
    },
    /// FUND-8: withdrawn before payment. `released` is the reservation the `cancel_approval` entry returned to the
    /// case's held funds, when the approval chain had completed.
    Cancelled {
        cancelled_on: NaiveDate,
        cancelled_by: String,
        reason: String,
        released: Option<Money>,
    },
}

impl PayoutStage {
    pub fn name(&self) -> &'static str {
        match self {
            PayoutStage::Approving { .. } => "approving",
            PayoutStage::Approved { .. } => "approved",
            PayoutStage::FinanceNotified { .. } => "finance_notified",
            PayoutStage::Delayed { .. } => "delayed",
            PayoutStage::Paid { .. } => "paid",
            PayoutStage::Bounced { .. } => "bounced",
            PayoutStage::Escrowed { .. } => "escrowed",
            PayoutStage::Cancelled { .. } => "cancelled",
        }
    }

    fn deadline(&self) -> Option<&LedgerLimit> {
        match self {
            PayoutStage::Approving { deadline } | PayoutStage::Approved { deadline } | PayoutStage::FinanceNotified { deadline, .. } => {
                Some(deadline)
            }
            PayoutStage::Delayed { .. }
            | PayoutStage::Paid { .. }
            | PayoutStage::Bounced { .. }
            | PayoutStage::Escrowed { .. }
            | PayoutStage::Cancelled { .. } => None,
        }
    }

    /// Whether the payout is still on its way to the payee: approving, approved, notified to finance or delayed
    /// (what escrow and withdrawal start from).
    fn before_payment(&self) -> bool {
        match self {
            PayoutStage::Approving { .. }
            | PayoutStage::Approved { .. }
            | PayoutStage::FinanceNotified { .. }
            | PayoutStage::Delayed { .. } => true,
            PayoutStage::Paid { .. } | PayoutStage::Bounced { .. } | PayoutStage::Escrowed { .. } | PayoutStage::Cancelled { .. } => false,
        }
    }

    /// Whether the approval entry has moved the amount to the payee's payable account.
    fn funds_approved(&self) -> bool {
        match self {
            PayoutStage::Approved { .. } | PayoutStage::FinanceNotified { .. } => true,
            PayoutStage::Delayed { resume, .. } => resume.funds_approved(),
            PayoutStage::Approving { .. }
            | PayoutStage::Paid { .. }
            | PayoutStage::Bounced { .. }
            | PayoutStage::Escrowed { .. }
            | PayoutStage::Cancelled { .. } => false,
        }
    }
}

/// One payout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    pub id: String,
    pub case_id: CaseId,
    pub bank: String,
    pub payee: String,
    pub amount: Money,
    pub purpose: PayoutPurpose,
    pub pay_to: ConfirmedAccount,
    pub panel_approval: Option<PanelApproval>,
    pub profile: PayoutDeadlineProfile,
    pub delay_cleared_payout_days: u32,
    /// The roles the matrix requires for this amount, in order (FUND-8).
    pub required_roles: Vec<ApprovalRole>,
    pub approvals: Vec<Approval>,
    pub requested_on: NaiveDate,
    pub last_event_on: NaiveDate,
    pub stage: PayoutStage,
}

/// The commands after the request, for replay from the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum PayoutCommand {
    Approve {
        approver: String,
        role: ApprovalRole,
    },
    SendFinanceNotice {
        notified_on: NaiveDate,
    },
    RecordPaid {
        paid_on: NaiveDate,
    },
    RecordBounce {
        bounced_on: NaiveDate,
        reason: String,
    },
    Delay {
        ground: DelayGround,
        approver: String,
        role: ApprovalRole,
    },
    ClearDelay {
        cleared_on: NaiveDate,
    },
    Escrow {
        ground: EscrowGround,
        approver: String,
        role: ApprovalRole,
    },
    Cancel {
        reason: String,
        cancelled_by: String,
    },
}

impl Payout {
    /// Opens a payout. Checks, in order: a payee, a bank and the payout id named (`name_missing`); the amount above
    /// zero (`amount_not_positive`); the arrival dates not after today (`date_after_today`); the payee's account
    /// (`payee_not_confirmed`, FUND-8/FUND-1): a party is paid only into the account confirmed at registration unless
    /// a panel approved another payee; a refund to the payer due by law needs no panel. Opens the FUND-5 notice
    /// limit (Regional2024) or the FUND-4 completion limit (Spc2017).
    pub fn request(
        request: RequestPayout,
        rules: &PayoutRules,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition<Payout>, LedgerError> {
        let mut draft = Draft::begin(today, today, Vec::new())?;
        for (field, value) in [("payee", &request.payee), ("bank", &request.bank), ("payout id", &request.id)] {
            if value.trim().is_empty() {
                return Err(LedgerError::NameMissing { field, rule: "FUND-8" });
            }
        }
        if request.amount.fen() <= 0 {
            return Err(LedgerError::AmountNotPositive { rule: "FUND-8" });
        }
        for (what, date) in [
            ("funds arrival", Some(request.funds_arrived_on)),
            ("arrival notice", request.arrival_notice_on),
        ] {
            if let Some(date) = date.filter(|date| *date > today) {
                return Err(LedgerError::DateAfterToday { what, date, today });
            }
        }
        let confirmed = request
            .confirmed_account
            .as_ref()
            .is_some_and(|confirmed| confirmed.account_number == request.pay_to.account_number);
        let payee_allowed = match request.purpose {
            PayoutPurpose::RefundToPayer if request.amount > request.refundable_to_payer => {
                return Err(LedgerError::RefundBeyondPayment {
                    account_number: request.pay_to.account_number.clone(),
                    refundable: request.refundable_to_payer,
                    amount: request.amount,
                });
            }
            PayoutPurpose::RefundToPayer => true,
            PayoutPurpose::ToParty => confirmed || request.panel_approval.is_some(),
        };
        if !payee_allowed {
            return Err(LedgerError::PayeeNotConfirmed {
                account_number: request.pay_to.account_number.clone(),
            });
        }
        let deadline = match rules.profile {
            PayoutDeadlineProfile::Regional2024 => LedgerLimit::start(
                LedgerLimitKind::PayoutFinanceNotice,
                request.id.clone(),
                request.funds_arrived_on,
                Period::WorkingDays(FINANCE_NOTICE_WORKING_DAYS),
                calendar,
            ),
            PayoutDeadlineProfile::Spc2017 => LedgerLimit::start(
                LedgerLimitKind::PayoutCompletion,
                request.id.clone(),
                request.arrival_notice_on.unwrap_or(request.funds_arrived_on),
                Period::Days(COMPLETION_DAYS),
                calendar,
            ),
        };
        let required_roles = rules.matrix.roles_for(request.amount);
        draft.outcome(Outcome::PayoutRequested {
            amount: request.amount,
            roles: required_roles.clone(),
            due_date: deadline.due_date,
        });
        let payout = Payout {
            id: request.id,
            case_id: request.case_id,
            bank: request.bank,
            payee: request.payee,
            amount: request.amount,
            purpose: request.purpose,
            pay_to: request.pay_to,
            panel_approval: request.panel_approval,
            profile: rules.profile,
            delay_cleared_payout_days: rules.delay_cleared_payout_days,
            required_roles,
            approvals: Vec::new(),
            requested_on: today,
            last_event_on: today,
            stage: PayoutStage::Approving { deadline },
        };
        let after = payout.open_limits();
        Ok(draft.finish(payout, after))
    }

    /// The limits the payout is waiting on: its one deadline, none while delayed or once finished.
    pub fn open_limits(&self) -> Vec<LedgerLimit> {
        self.stage.deadline().cloned().into_iter().collect()
    }

    /// The roles still to approve, in order; none once the payout is withdrawn.
    pub fn remaining_roles(&self) -> Vec<ApprovalRole> {
        if matches!(self.stage, PayoutStage::Cancelled { .. }) {
            return Vec::new();
        }
        self.required_roles.iter().skip(self.approvals.len()).copied().collect()
    }

    fn draft(&self, today: NaiveDate) -> Result<Draft, LedgerError> {
        Draft::begin(today, self.last_event_on, self.open_limits())
    }

    fn finish(mut self, draft: Draft) -> Transition<Payout> {
        self.last_event_on = draft.today;
        let after = self.open_limits();
        draft.finish(self, after)
    }

    fn out_of_order(&self, command: &'static str, rule: &'static str) -> LedgerError {
        LedgerError::out_of_order(command, "payout", self.stage.name(), rule)
    }

    /// Runs a command (for replay from the audit log).
    pub fn apply(self, command: PayoutCommand, today: NaiveDate, calendar: &Calendar) -> Result<Transition<Payout>, LedgerError> {
        match command {
            PayoutCommand::Approve { approver, role } => self.approve(&approver, role, today),
            PayoutCommand::SendFinanceNotice { notified_on } => self.send_finance_notice(notified_on, today, calendar),
            PayoutCommand::RecordPaid { paid_on } => self.record_paid(paid_on, today),
            PayoutCommand::RecordBounce { bounced_on, reason } => self.record_bounce(bounced_on, &reason, today),
            PayoutCommand::Delay { ground, approver, role } => self.delay(ground, &approver, role, today),
            PayoutCommand::ClearDelay { cleared_on } => self.clear_delay(cleared_on, today, calendar),
            PayoutCommand::Escrow { ground, approver, role } => self.escrow(ground, &approver, role, today),
            PayoutCommand::Cancel { reason, cancelled_by } => self.cancel(&reason, &cancelled_by, today),
        }
    }

    /// One approval (FUND-8). Checks, in order: stage approving; the approver named (`name_missing`); the approver
    /// has not approved this payout already, in any role (`approver_already_approved`); the role is the next one
    /// the matrix requires (`approval_out_of_order`). The last approval moves the amount from the case's held funds
    /// to the payee's payable account (the `approve_payout` entry, which the held balance must cover).
    pub fn approve(mut self, approver: &str, role: ApprovalRole, today: NaiveDate) -> Result<Transition<Payout>, LedgerError> {
        let mut draft = self.draft(today)?;
        let deadline = match &self.stage {
            PayoutStage::Approving { deadline } => deadline.clone(),
            PayoutStage::Approved { .. }
            | PayoutStage::FinanceNotified { .. }
            | PayoutStage::Delayed { .. }
            | PayoutStage::Paid { .. }
            | PayoutStage::Bounced { .. }
            | PayoutStage::Escrowed { .. }
            | PayoutStage::Cancelled { .. } => return Err(self.out_of_order("approve", "FUND-8")),
        };
        if approver.trim().is_empty() {
            return Err(LedgerError::NameMissing {
                field: "approver",
                rule: "FUND-8",
            });
        }
        if self.approvals.iter().any(|approval| approval.approver == approver) {
            return Err(LedgerError::ApproverAlreadyApproved {
                approver: approver.to_string(),
            });
        }
        let expected = self.remaining_roles().first().copied();
        if expected != Some(role) {
            return Err(LedgerError::ApprovalOutOfOrder {
                expected: expected
                    .map(|role| role.as_str().to_string())
                    .unwrap_or_else(|| "nobody".to_string()),
                given: role.as_str().to_string(),
            });
        }
        self.approvals.push(Approval {
            approver: approver.to_string(),
            role,
            on: today,
        });
        let remaining = self.remaining_roles();
        draft.outcome(Outcome::PayoutApprovalRecorded {
            approver: approver.to_string(),
            role,
            remaining: remaining.clone(),
        });
        if remaining.is_empty() {
            draft.entry(journal::approve_payout(self.case_id, &self.payee, self.amount));
            draft.outcome(Outcome::PayoutApproved { amount: self.amount });
            self.stage = PayoutStage::Approved { deadline };
        }
        Ok(self.finish(draft))
    }

    /// The payment notice went to finance on `notified_on` (FUND-5). Under Regional2024 the notice limit is met and
    /// the 5-working-day payment limit opens; under Spc2017 (or after a delay) the running limit stays. Late is
    /// recorded, not refused.
    pub fn send_finance_notice(
        mut self,
        notified_on: NaiveDate,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Result<Transition<Payout>, LedgerError> {
        let mut draft = self.draft(today)?;
        let deadline = match &self.stage {
            PayoutStage::Approved { deadline } => deadline.clone(),
            PayoutStage::Approving { .. }
            | PayoutStage::FinanceNotified { .. }
            | PayoutStage::Delayed { .. }
            | PayoutStage::Paid { .. }
            | PayoutStage::Bounced { .. }
            | PayoutStage::Escrowed { .. }
            | PayoutStage::Cancelled { .. } => return Err(self.out_of_order("send_finance_notice", "FUND-8")),
        };
        if notified_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "finance notice",
                date: notified_on,
                today,
            });
        }
        if notified_on < self.requested_on {
            return Err(LedgerError::DateBeforePreviousStep {
                what: "finance notice",
                date: notified_on,
                earliest: self.requested_on,
            });
        }
        let late = !deadline.allows(notified_on) && deadline.kind == LedgerLimitKind::PayoutFinanceNotice;
        let next = match deadline.kind {
            LedgerLimitKind::PayoutFinanceNotice => {
                draft.meet(deadline.key());
                LedgerLimit::start(
                    LedgerLimitKind::PayoutPayment,
                    self.id.clone(),
                    notified_on,
                    Period::WorkingDays(PAYMENT_WORKING_DAYS),
                    calendar,
                )
            }
            LedgerLimitKind::PayoutCompletion
            | LedgerLimitKind::PayoutAfterDelay
            | LedgerLimitKind::PayoutPayment
            | LedgerLimitKind::PlanObjection
            | LedgerLimitKind::PlanCounterObjection
            | LedgerLimitKind::PlanSuit
            | LedgerLimitKind::SuspenseClaim
            | LedgerLimitKind::CashHandover => deadline,
        };
        draft.outcome(Outcome::FinanceNotified {
            late,
            payment_due: Some(next.due_date),
        });
        draft.notify(
            Audience::Staff,
            next.kind.rule_id(),
            format!("执行款发放通知 pay {} yuan to {} by {}", self.amount, self.payee, next.due_date),
        );
        self.stage = PayoutStage::FinanceNotified {
            notified_on,
            deadline: next,
        };
        Ok(self.finish(draft))
    }

    /// Finance paid on `paid_on` (FUND-4, FUND-5): the `pay_out` entry; the deadline node is met (late recorded).
    pub fn record_paid(mut self, paid_on: NaiveDate, today: NaiveDate) -> Result<Transition<Payout>, LedgerError> {
        let mut draft = self.draft(today)?;
        let PayoutStage::FinanceNotified { notified_on, deadline } = &self.stage else {
            return Err(self.out_of_order("record_paid", "FUND-5"));
        };
        if paid_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "payment",
                date: paid_on,
                today,
            });
        }
        if paid_on < *notified_on {
            return Err(LedgerError::DateBeforePreviousStep {
                what: "payment",
                date: paid_on,
                earliest: *notified_on,
            });
        }
        draft.meet(deadline.key());
        draft.outcome(Outcome::PayoutPaid {
            late: !deadline.allows(paid_on),
        });
        draft.entry(journal::pay_out(&self.bank, self.case_id, &self.payee, self.amount));
        self.stage = PayoutStage::Paid { paid_on };
        Ok(self.finish(draft))
    }

    /// 退票: the bank returned the payment. The funds return to the case's held account (the `bounce` entry) and
    /// staff are alerted to check the payee's account before paying again (FUND-8).
    pub fn record_bounce(mut self, bounced_on: NaiveDate, reason: &str, today: NaiveDate) -> Result<Transition<Payout>, LedgerError> {
        let mut draft = self.draft(today)?;
        let PayoutStage::Paid { paid_on } = &self.stage else {
            return Err(self.out_of_order("record_bounce", "FUND-8"));
        };
        let paid_on = *paid_on;
        if bounced_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "bounce",
                date: bounced_on,
                today,
            });
        }
        if bounced_on < paid_on {
            return Err(LedgerError::DateBeforePreviousStep {
                what: "bounce",
                date: bounced_on,
                earliest: paid_on,
            });
        }
        draft.entry(journal::bounce(&self.bank, self.case_id, self.amount));
        draft.outcome(Outcome::PayoutBounced {
            reason: reason.to_string(),
        });
        draft.notify(
            Audience::Staff,
            "FUND-8",
            format!(
                "退票 the payment of {} yuan to {} (account {}) was returned: {reason}",
                self.amount, self.payee, self.pay_to.account_number
            ),
        );
        self.stage = PayoutStage::Bounced {
            paid_on,
            bounced_on,
            reason: reason.to_string(),
        };
        Ok(self.finish(draft))
    }

    /// FUND-6: the payout is delayed on a ground, approved by the bureau head or the presiding vice-president
    /// (`approver_not_authorised`). The running deadline node is cancelled; clearing the ground opens a new one.
    pub fn delay(
        mut self,
        ground: DelayGround,
        approver: &str,
        role: ApprovalRole,
        today: NaiveDate,
    ) -> Result<Transition<Payout>, LedgerError> {
        let mut draft = self.draft(today)?;
        match &self.stage {
            PayoutStage::Approving { .. } | PayoutStage::Approved { .. } | PayoutStage::FinanceNotified { .. } => {}
            PayoutStage::Delayed { .. }
            | PayoutStage::Paid { .. }
            | PayoutStage::Bounced { .. }
            | PayoutStage::Escrowed { .. }
            | PayoutStage::Cancelled { .. } => return Err(self.out_of_order("delay", "FUND-6")),
        }
        let approval = Self::authorised(approver, role, today, "delay", "FUND-6")?;
        draft.outcome(Outcome::PayoutDelayed { ground: ground.clone() });
        let resume = std::mem::replace(&mut self.stage, PayoutStage::Paid { paid_on: today });
        self.stage = PayoutStage::Delayed {
            ground,
            approval,
            resume: Box::new(resume),
        };
        Ok(self.finish(draft))
    }

    fn authorised(
        approver: &str,
        role: ApprovalRole,
        today: NaiveDate,
        what: &'static str,
        rule: &'static str,
    ) -> Result<Approval, LedgerError> {
        if approver.trim().is_empty() {
            return Err(LedgerError::NameMissing { field: "approver", rule });
        }
        if !role.may_approve_delay_or_escrow() {
            return Err(LedgerError::ApproverNotAuthorised {
                what,
                given: role.as_str().to_string(),
                rule,
            });
        }
        Ok(Approval {
            approver: approver.to_string(),
            role,
            on: today,
        })
    }

    /// FUND-6: the ground for the delay was cleared on `cleared_on`; the payout resumes where it stopped and must be
    /// completed within `delay_cleared_payout_days` (default 10, UNCONFIRMED) — `ledger.payout.after_delay:<id>`.
    pub fn clear_delay(mut self, cleared_on: NaiveDate, today: NaiveDate, calendar: &Calendar) -> Result<Transition<Payout>, LedgerError> {
        let mut draft = self.draft(today)?;
        let PayoutStage::Delayed { resume, .. } = &self.stage else {
            return Err(self.out_of_order("clear_delay", "FUND-6"));
        };
        if cleared_on > today {
            return Err(LedgerError::DateAfterToday {
                what: "clearance",
                date: cleared_on,
                today,
            });
        }
        if !(1..=365).contains(&self.delay_cleared_payout_days) {
            return Err(LedgerError::DelayPeriodOutOfRange {
                days: self.delay_cleared_payout_days,
            });
        }
        let deadline = LedgerLimit::start(
            LedgerLimitKind::PayoutAfterDelay,
            self.id.clone(),
            cleared_on,
            Period::Days(self.delay_cleared_payout_days),
            calendar,
        );
        draft.outcome(Outcome::DelayGroundCleared {
            payout_due: deadline.due_date,
        });
        let resumed = match resume.as_ref() {
            PayoutStage::Approving { .. } => PayoutStage::Approving { deadline },
            PayoutStage::Approved { .. } => PayoutStage::Approved { deadline },
            PayoutStage::FinanceNotified { notified_on, .. } => PayoutStage::FinanceNotified {
                notified_on: *notified_on,
                deadline,
            },
            // A delay is only entered from the three stages above; these keep the stage as it was.
            stage @ (PayoutStage::Delayed { .. }
            | PayoutStage::Paid { .. }
            | PayoutStage::Bounced { .. }
            | PayoutStage::Escrowed { .. }
            | PayoutStage::Cancelled { .. }) => stage.clone(),
        };
        self.stage = resumed;
        Ok(self.finish(draft))
    }

    /// FUND-7: the funds are deposited with a notary (提存) on a ground, with the same approval as a delay
    /// (`approver_not_authorised`). The `escrow_deposit` entry takes them from the payee's payable account when the
    /// payout was approved, else from the case's held funds. The deadline node is met: 提存 discharges the payout.
    pub fn escrow(
        mut self,
        ground: EscrowGround,
        approver: &str,
        role: ApprovalRole,
        today: NaiveDate,
    ) -> Result<Transition<Payout>, LedgerError> {
        let mut draft = self.draft(today)?;
        if !self.stage.before_payment() {
            return Err(self.out_of_order("escrow", "FUND-7"));
        }
        let approval = Self::authorised(approver, role, today, "escrow", "FUND-7")?;
        if let Some(deadline) = self.stage.deadline() {
            draft.meet(deadline.key());
        }
        let from = if self.stage.funds_approved() {
            EscrowFrom::Payable(self.payee.clone())
        } else {
            EscrowFrom::Held
        };
        draft.entry(journal::escrow_deposit(&self.bank, self.case_id, &from, self.amount));
        draft.outcome(Outcome::PayoutEscrowed { ground: ground.clone() });
        self.stage = PayoutStage::Escrowed { ground, approval };
        Ok(self.finish(draft))
    }

    /// FUND-8: the execution side withdraws the payout before it is paid (撤回), with a reason. Checks, in order: the
    /// stage — approving, approved, finance notified or delayed; a paid or bounced payout is refused under FUND-8 (the
    /// money has left; a bounce already returned it), an escrowed one under FUND-7, a cancelled one again under FUND-8
    /// (`out_of_order`); the reason and who withdraws named (`name_missing`). When the approval chain had completed,
    /// the `cancel_approval` entry returns the reservation from the payee's payable account to the case's held funds
    /// (the journal is append-only: a reversing entry, never a deletion). The running deadline node is cancelled, not
    /// met. When finance already had the payment notice, staff are told not to pay.
    pub fn cancel(mut self, reason: &str, cancelled_by: &str, today: NaiveDate) -> Result<Transition<Payout>, LedgerError> {
        let mut draft = self.draft(today)?;
        if !self.stage.before_payment() {
            // An escrowed payout went to the notary under FUND-7; the others are paid, bounced or withdrawn.
            let rule = if matches!(self.stage, PayoutStage::Escrowed { .. }) {
                "FUND-7"
            } else {
                "FUND-8"
            };
            return Err(self.out_of_order("cancel", rule));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(LedgerError::NameMissing {
                field: "reason",
                rule: "FUND-8",
            });
        }
        if cancelled_by.trim().is_empty() {
            return Err(LedgerError::NameMissing {
                field: "who withdraws the payout",
                rule: "FUND-8",
            });
        }
        let released = if self.stage.funds_approved() {
            draft.entry(journal::cancel_approval(self.case_id, &self.payee, self.amount));
            Some(self.amount)
        } else {
            None
        };
        let finance_notified = match &self.stage {
            PayoutStage::FinanceNotified { .. } => true,
            PayoutStage::Delayed { resume, .. } => matches!(resume.as_ref(), PayoutStage::FinanceNotified { .. }),
            PayoutStage::Approving { .. }
            | PayoutStage::Approved { .. }
            | PayoutStage::Paid { .. }
            | PayoutStage::Bounced { .. }
            | PayoutStage::Escrowed { .. }
            | PayoutStage::Cancelled { .. } => false,
        };
        if finance_notified {
            draft.notify(
                Audience::Staff,
                "FUND-8",
                format!(
                    "撤回执行款发放 the payout of {} yuan to {} is withdrawn: do not pay it ({reason})",
                    self.amount, self.payee
                ),
            );
        }
        draft.outcome(Outcome::PayoutCancelled {
            reason: reason.to_string(),
            released,
        });
        self.stage = PayoutStage::Cancelled {
            cancelled_on: today,
            cancelled_by: cancelled_by.trim().to_string(),
            reason: reason.to_string(),
            released,
        };
        Ok(self.finish(draft))
    }
}
