//! REF-19: the lottery (摇号) that picks three appraisal agencies and their order when the parties do not agree.
//!
//! The draw must be reproducible and auditable, and nobody may see a result before the seed is fixed. So it is a
//! commit–reveal scheme:
//!
//! 1. **Commit.** The court's system generates a 32-byte seed outside the domain (the engine may use `rand`; the
//!    domain never does) and records only its SHA-256 hash, together with the sub-list and the eligible candidates.
//!    That record is an audit event and a notice to the parties, so the hash and the candidates are fixed and known
//!    before anyone can compute a draw.
//! 2. **Reveal.** The seed is recorded; its hash must match the commitment. The draw is a pure function of the seed
//!    and the candidates, so anyone holding the audit log can re-run `draw` and check the order.
//!
//! The draw: the candidates are sorted (so the order they were typed in does not matter), then each pick `i`
//! hashes `"chuzhi/REF-19/draw" ‖ seed ‖ i ‖ attempt` with SHA-256, reads the first 8 bytes as a big-endian
//! integer and takes it modulo the number of candidates left, rejecting the few values above the largest multiple
//! of that number (so every candidate is exactly equally likely). The picked candidate is removed and the next pick
//! follows; the picks in order are the agencies in order.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Domain separation for the draw's hashes, so that no other hash in the system can be replayed as a draw.
const DRAW_DOMAIN: &[u8] = b"chuzhi/REF-19/draw";

/// The number of agencies the lottery picks, in order (REF-19).
pub const AGENCIES_PER_SELECTION: usize = 3;

/// Why the court draws rather than using the parties' list (REF-19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LotteryReason {
    /// The parties did not agree within the court's deadline (协商不成).
    AgreementDeadlinePassed,
    /// The parties told the court they cannot agree, before the deadline.
    PartiesDisagree,
    /// A party cannot be found (下落不明).
    PartyMissing,
    /// Both parties asked for a draw from one sub-list (双方当事人一致要求在同一名单子库中随机确定).
    JointRequest,
    /// All three agencies of the previous selection failed (REF-24; open question Q4, DESIGN: select anew).
    NewSelection,
}

/// The fixed part of a lottery, recorded before the seed is revealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotteryCommitment {
    pub reason: LotteryReason,
    /// The sub-list drawn from (名单分库, or the sub-list where the asset lies, 财产所在地的名单子库).
    pub sub_list: String,
    /// The eligible agencies of the sub-list, sorted; agencies that already failed in this procedure are left out.
    pub candidates: Vec<String>,
    /// SHA-256 of the seed's 32 bytes, lowercase hex.
    pub seed_sha256: String,
    pub committed_on: chrono::NaiveDate,
}

/// A completed lottery: the commitment, the revealed seed and the draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotteryRecord {
    pub commitment: LotteryCommitment,
    /// The seed, lowercase hex.
    pub seed: String,
    /// The agencies drawn, in order.
    pub drawn: Vec<String>,
    pub drawn_on: chrono::NaiveDate,
}

/// Parses a 32-byte value written as 64 hex digits (either case).
pub fn parse_hex_32(text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(text.trim()).ok()?;
    bytes.try_into().ok()
}

/// The commitment to a seed: SHA-256 of its 32 bytes, lowercase hex.
pub fn seed_commitment(seed: &[u8; 32]) -> String {
    hex::encode(Sha256::digest(seed))
}

/// The ordered draw of `count` agencies from `candidates` (see the module's documentation). Deterministic: the same
/// seed and the same set of candidates always give the same order. Returns fewer than `count` when there are fewer
/// candidates.
pub fn draw(seed: &[u8; 32], candidates: &[String], count: usize) -> Vec<String> {
    let mut remaining: Vec<String> = candidates.to_vec();
    remaining.sort();
    remaining.dedup();
    let mut drawn = Vec::with_capacity(count.min(remaining.len()));
    for pick in 0..count as u32 {
        if remaining.is_empty() {
            break;
        }
        let index = uniform_index(seed, pick, remaining.len() as u64);
        drawn.push(remaining.remove(index as usize));
    }
    drawn
}

/// An index in `0..bound`, uniform by rejection sampling over the hash chain.
fn uniform_index(seed: &[u8; 32], pick: u32, bound: u64) -> u64 {
    // The largest multiple of `bound` that fits in a u64; values at or above it would favour small indexes.
    let zone = u64::MAX - (u64::MAX % bound);
    let mut attempt: u32 = 0;
    loop {
        let mut hasher = Sha256::new();
        hasher.update(DRAW_DOMAIN);
        hasher.update(seed);
        hasher.update(pick.to_be_bytes());
        hasher.update(attempt.to_be_bytes());
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let value = u64::from_be_bytes(first);
        if value < zone {
            return value % bound;
        }
        // Happens with probability below bound / 2^64; the next attempt is as well defined as the first.
        attempt = attempt.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn ref_19_draw_is_reproducible_and_independent_of_the_candidates_order() {
        let seed = [7u8; 32];
        let candidates = names(&["a1", "a2", "a3", "a4", "a5", "a6"]);
        let first = draw(&seed, &candidates, 3);
        let mut shuffled = candidates.clone();
        shuffled.reverse();
        assert_eq!(draw(&seed, &shuffled, 3), first);
        assert_eq!(first.len(), 3);
        let mut unique = first.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 3, "three different agencies: {first:?}");
        // A different seed gives (almost surely) a different order; this one is fixed in the test.
        assert_ne!(draw(&[8u8; 32], &candidates, 3), first);
    }

    #[test]
    fn ref_19_commitment_is_the_sha256_of_the_seed() {
        let seed = [0u8; 32];
        assert_eq!(
            seed_commitment(&seed),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
        );
        assert_eq!(parse_hex_32(&"00".repeat(32)), Some(seed));
        assert_eq!(parse_hex_32("00"), None);
        assert_eq!(parse_hex_32(&"zz".repeat(32)), None);
    }
}
