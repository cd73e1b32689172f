//! Identity: bearer tokens carrying a user, a court and a role (SPEC §5.2). Each role sees only its court and may
//! run only the commands its row in SPEC §1 allows.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 司法拍卖辅助人员: registers assets, runs the valuation and auction steps.
    Assistant,
    /// 法官 / 合议庭: decides what the law reserves to the court.
    Judge,
    /// 财务部门: statements, payouts, reconciliation.
    Finance,
    /// 专人监管 / 执行局长: watches overdue nodes, receives escalations.
    Supervisor,
    /// The court's administrator.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Assistant, Role::Judge, Role::Finance, Role::Supervisor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Assistant => "assistant",
            Role::Judge => "judge",
            Role::Finance => "finance",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| format!("unknown role '{text}': expected one of assistant, judge, finance, supervisor, admin"))
    }
}

/// What a command needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read the court's cases, assets, nodes and alerts: every role.
    Read,
    /// Register cases and seized assets: assistants, judges and admins.
    Register,
    /// Run a sweep by hand: admins and supervisors.
    Sweep,
}

impl Permission {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Permission::Read => true,
            Permission::Register => matches!(role, Role::Assistant | Role::Judge | Role::Admin),
            Permission::Sweep => matches!(role, Role::Admin | Role::Supervisor),
        }
    }
}

/// The caller of an API command, as its token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: String,
    pub court_id: i64,
    pub court_code: String,
    pub role: Role,
}

impl Principal {
    pub fn actor(&self) -> crate::audit::Actor {
        crate::audit::Actor {
            user: self.user.clone(),
            role: self.role.as_str().to_string(),
            court_id: Some(self.court_id),
        }
    }
}

/// A fresh token: 32 random bytes, hex, with a prefix that says what it is.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("chz_{}", hex::encode(bytes))
}

/// Only this hash is stored, so a copy of the database gives no usable token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
