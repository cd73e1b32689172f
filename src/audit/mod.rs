//! The append-only, hash-chained audit log (SPEC §3.4): who, what, when, why, for every change and every refusal.
//!
//! Each event's hash is SHA-256 over its own fields and the previous event's hash, so changing, removing or
//! reordering any stored event breaks the chain from that event on; `verify` names the first broken link.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The hash that stands before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acted: a user with a role in a court, or the system itself (sweeps, the CLI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user: String,
    pub role: String,
    pub court_id: Option<i64>,
}

impl Actor {
    pub fn system(what: &str) -> Self {
        Actor {
            user: format!("system:{what}"),
            role: "system".to_string(),
            court_id: None,
        }
    }

    pub fn anonymous() -> Self {
        Actor {
            user: "anonymous".to_string(),
            role: "none".to_string(),
            court_id: None,
        }
    }
}

/// An event before it is placed in the chain.
#[derive(Debug, Clone)]
pub struct EventDraft {
    pub actor: Actor,
    pub action: String,
    pub subject: String,
    pub outcome: Outcome,
    pub code: Option<String>,
    pub rule_id: Option<String>,
    pub reason: Option<String>,
    pub payload: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
        }
    }
}

impl EventDraft {
    pub fn change(actor: &Actor, action: &str, subject: impl Into<String>, payload: Value) -> Self {
        EventDraft {
            actor: actor.clone(),
            action: action.to_string(),
            subject: subject.into(),
            outcome: Outcome::Ok,
            code: None,
            rule_id: None,
            reason: None,
            payload,
        }
    }

    pub fn refusal(actor: &Actor, action: &str, subject: impl Into<String>, refusal: &crate::error::Refusal) -> Self {
        EventDraft {
            actor: actor.clone(),
            action: action.to_string(),
            subject: subject.into(),
            outcome: Outcome::Refused,
            code: Some(refusal.code_str().to_string()),
            rule_id: refusal.rule.map(str::to_string),
            reason: None,
            payload: serde_json::json!({ "message": refusal.message, "details": refusal.details }),
        }
    }
}

/// An event as stored: every field that the hash covers, plus the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StoredEvent {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_user: String,
    pub actor_role: String,
    pub court_id: Option<i64>,
    pub action: String,
    pub subject: String,
    pub outcome: String,
    pub code: Option<String>,
    pub rule_id: Option<String>,
    pub reason: Option<String>,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Places a draft in the chain at `seq` after `prev_hash`.
pub fn seal(seq: i64, at: DateTime<Utc>, prev_hash: &str, draft: EventDraft) -> StoredEvent {
    let mut event = StoredEvent {
        seq,
        at,
        actor_user: draft.actor.user,
        actor_role: draft.actor.role,
        court_id: draft.actor.court_id,
        action: draft.action,
        subject: draft.subject,
        outcome: draft.outcome.as_str().to_string(),
        code: draft.code,
        rule_id: draft.rule_id,
        reason: draft.reason,
        payload: draft.payload.to_string(),
        prev_hash: prev_hash.to_string(),
        hash: String::new(),
    };
    event.hash = hash_of(&event);
    event
}

/// SHA-256 over the fields in a fixed order, each with a presence byte (so NULL and "" differ) and a length
/// prefix (so no two field lists hash alike).
pub fn hash_of(event: &StoredEvent) -> String {
    let mut hasher = Sha256::new();
    let court_id = event.court_id.map(|id| id.to_string());
    let fields: [Option<&str>; 13] = [
        Some(&event.seq.to_string()),
        Some(&event.at.to_rfc3339_opts(SecondsFormat::Micros, true)),
        Some(&event.actor_user),
        Some(&event.actor_role),
        court_id.as_deref(),
        Some(&event.action),
        Some(&event.subject),
        Some(&event.outcome),
        event.code.as_deref(),
        event.rule_id.as_deref(),
        event.reason.as_deref(),
        Some(&event.payload),
        Some(&event.prev_hash),
    ];
    for field in fields {
        match field {
            None => hasher.update([0u8]),
            Some(text) => {
                hasher.update([1u8]);
                hasher.update((text.len() as u64).to_be_bytes());
                hasher.update(text.as_bytes());
            }
        }
    }
    hex::encode(hasher.finalize())
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Verification {
    Intact { events: i64 },
    Broken { seq: i64, problem: String },
}

/// Walks the chain in order and stops at the first event whose sequence, link or hash is wrong.
/// `head` is the sequence and hash the database says the chain ends with.
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
        }
    }
}

impl Verifier {
    /// Checks the next event; an error names the first broken link.
    pub fn check(&mut self, event: &StoredEvent) -> Result<(), Verification> {
        let broken = |problem: String| Verification::Broken { seq: event.seq, problem };
        if event.seq != self.expected_seq {
            return Err(Verification::Broken {
                seq: self.expected_seq,
                problem: format!("event {} is missing (the next stored event is {})", self.expected_seq, event.seq),
            });
        }
        if event.prev_hash != self.prev_hash {
            return Err(broken(
                "its link to the previous event does not match that event's hash".to_string(),
            ));
        }
        if hash_of(event) != event.hash {
            return Err(broken(
                "its content does not match its hash: it was changed after it was written".to_string(),
            ));
        }
        self.expected_seq += 1;
        self.prev_hash = event.hash.clone();
        Ok(())
    }

    /// Ends the walk against the head row: events cut off the end are caught here.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Verification {
        let last = self.expected_seq - 1;
        if head_seq != last {
            return Verification::Broken {
                seq: last + 1,
                problem: format!("the chain's head says {head_seq} events but {last} are stored"),
            };
        }
        if head_hash != self.prev_hash {
            return Verification::Broken {
                seq: last,
                problem: "the chain's head hash does not match the last event".to_string(),
            };
        }
        Verification::Intact { events: last }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEvent> {
        let at = DateTime::parse_from_rfc3339("2026-02-10T01:00:00Z").unwrap().with_timezone(&Utc);
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let event = seal(
                    seq,
                    at,
                    &prev,
                    EventDraft::change(&Actor::system("test"), "x", "s", serde_json::json!({"n": seq})),
                );
                prev = event.hash.clone();
                event
            })
            .collect()
    }

    fn verify(events: &[StoredEvent], head_seq: i64, head_hash: &str) -> Verification {
        let mut verifier = Verifier::default();
        for event in events {
            if let Err(found) = verifier.check(event) {
                return found;
            }
        }
        verifier.finish(head_seq, head_hash)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let events = chain(5);
        assert_eq!(verify(&events, 5, &events[4].hash), Verification::Intact { events: 5 });
    }

    #[test]
    fn a_changed_payload_is_the_first_broken_link() {
        let mut events = chain(5);
        events[2].payload = "{\"n\":99}".to_string();
        assert!(matches!(verify(&events, 5, &events[4].hash), Verification::Broken { seq: 3, .. }));
    }

    #[test]
    fn null_and_empty_text_hash_differently() {
        let mut events = chain(2);
        events[1].reason = Some(String::new());
        assert!(matches!(verify(&events, 2, &events[1].hash), Verification::Broken { seq: 2, .. }));
    }

    #[test]
    fn a_removed_event_is_named() {
        let mut events = chain(5);
        events.remove(1);
        assert!(matches!(verify(&events, 5, &events[3].hash), Verification::Broken { seq: 2, .. }));
    }
}
