//! The execution-fund ledger's commands (一案一账号, FUND-1…FUND-12): bank statement imports matched to cases,
//! unidentified funds and their approved claims, balances. The pure `crate::ledger` core builds every journal
//! entry and validates it; this shell stores it with its audit event in one transaction.

use super::Engine;
use crate::audit::{Actor, EventDraft};
use crate::auth::{Principal, Role};
use crate::clock::local_date;
use crate::error::{Code, Outcome, Refusal};
use crate::ledger::{self, Entry};
use crate::money::Money;
use crate::statements::{self, CaseLookup, CaseRef, CsvLayout, Match, Statement, StatementFormat};
use crate::store::{self, ledger::LineRow, statements as rows, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The bank references an import has seen: those imported before (read once, for the statement's dates) and those
/// of the file itself, borrowed from it, so a line repeated anywhere in the file, or imported before, posts nothing.
struct KnownReferences<'s> {
    imported: HashSet<String>,
    in_file: HashSet<&'s str>,
}

impl<'s> KnownReferences<'s> {
    /// Whether `reference` is seen for the first time (and it is now known).
    fn is_new(&mut self, reference: &'s str) -> bool {
        !self.imported.contains(reference) && self.in_file.insert(reference)
    }
}

/// An account number as a public notice shows it: the last four characters, and the first four too when it has
/// twelve or more (a bank card or account number); the rest as `*`, one per character. Four characters or fewer show
/// nothing.
pub fn masked_account(account: &str) -> String {
    let characters: Vec<char> = account.chars().filter(|character| !character.is_whitespace()).collect();
    let count = characters.len();
    let head = if count >= 12 { 4 } else { 0 };
    let tail = if count > 4 { count - 4 } else { count };
    characters
        .iter()
        .enumerate()
        .map(|(index, character)| if index < head || index >= tail { *character } else { '*' })
        .collect()
}

/// Free text as a public notice shows it: every run of six or more digits (an ID card, a telephone or an account
/// number a payer wrote into the remittance) masked as `masked_account` masks a number; and a cell a spreadsheet
/// would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) kept as text by a leading
/// `'`. The payer writes this text, so it is nobody's to trust.
pub fn public_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.chars().count() >= 6 {
            out.push_str(&masked_account(digits));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for character in text.chars() {
        if character.is_ascii_digit() || ('０'..='９').contains(&character) {
            digits.push(character);
        } else {
            flush(&mut digits, &mut out);
            out.push(character);
        }
    }
    flush(&mut digits, &mut out);
    if out.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.insert(0, '\'');
    }
    out
}

/// Statement lines per transaction: each chunk commits with its own audit event, so a crash loses at most the
/// chunk in flight, and importing the file again posts exactly what is missing.
pub const IMPORT_CHUNK_LINES: usize = 250_000;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// The court's bank account the statement is for.
    pub bank_account: String,
    pub format: String,
    /// SHA-256 of the file, as recorded with the import.
    pub file_sha256: String,
    pub lines_total: u64,
    /// Lines not seen before; the rest were imported earlier and posted nothing now.
    pub lines_new: u64,
    pub already_imported: u64,
    /// Credits matched by the case's collection account (FUND-1).
    pub matched_by_collection_account: u64,
    /// Credits matched by the case number in the remittance text.
    pub matched_by_case_number: u64,
    /// Credits that matched no case: held in suspense (不明款) with a claim deadline (FUND-3).
    pub to_suspense: u64,
    /// Money out of the account (payouts, refunds), recorded for reconciliation.
    pub debits: u64,
    /// The total of new credits posted to cases.
    #[schema(value_type = String)]
    pub credited_to_cases: Money,
    /// The total of new credits held in suspense.
    #[schema(value_type = String)]
    pub held_in_suspense: Money,
    /// Cash deposits recognised by the bank reference finance gave (FUND-2): cleared from in transit, not credited
    /// to their case again. Counted in the matches and `credited_to_cases` like the disposal's receipts in transit.
    pub cash_deposits_cleared: u64,
    /// Lines carrying the reference finance gave for a cash deposit, but for another case or amount: posted like
    /// any receipt, while the cash stays in transit until finance corrects its deposit record (FUND-2).
    pub cash_deposits_mismatched: u64,
}

/// An import request: the file's bytes, and how to read it.
pub struct ImportRequest<'a> {
    pub bytes: &'a [u8],
    /// `None`: detected from the content and the file name.
    pub format: Option<StatementFormat>,
    pub file_name: Option<&'a str>,
    /// The CSV layout; `None` uses the court's configured one.
    pub layout: Option<&'a CsvLayout>,
}

/// The cases of one court, keyed the way the matcher asks.
struct CourtCases {
    by_account: HashMap<String, CaseRef>,
    by_number: HashMap<String, CaseRef>,
}

impl CaseLookup for CourtCases {
    fn by_collection_account(&self, account: &str) -> Option<CaseRef> {
        self.by_account.get(account).cloned()
    }

    fn by_case_number(&self, case_number: &str) -> Option<CaseRef> {
        self.by_number.get(case_number).cloned()
    }
}

/// The running balance change of each account an entry touches, as the store keeps it.
fn line_rows(entry: &Entry) -> Outcome<Vec<LineRow>> {
    entry
        .lines
        .iter()
        .map(|line| {
            let delta = line
                .account
                .signed_change_fen(line.debit.fen(), line.credit.fen())
                .ok_or_else(|| Refusal::internal("ledger line amount overflow"))?;
            Ok(LineRow {
                account: line.account.as_key(),
                case_id: line.account.case_id(),
                debit_fen: line.debit.fen(),
                credit_fen: line.credit.fen(),
                balance_delta_fen: delta,
            })
        })
        .collect()
}

/// One new statement line decided: the line, its entry's source, how it matched, its case, and its entry.
type Decided<'a> = (&'a statements::StatementLine, String, &'static str, Option<i64>, Option<Entry>);

/// A reference imported before under another booking date slips past the date-range check and meets the unique
/// key: the bank's data contradicts itself, and the whole chunk is refused.
fn statement_conflict(error: sqlx::Error) -> Refusal {
    store::map_unique(
        error,
        Code::InvalidField,
        "a line of this statement was imported before with another booking date; check the file with the bank",
    )
}

/// A statement whose amounts add up beyond what fen in 64 bits hold is refused, never wrapped (FUND-2).
fn amount_overflow() -> Refusal {
    Refusal::rule_violation(
        "amount_overflow",
        "FUND-2",
        "the statement's amounts add up beyond what the ledger can hold; split the file",
    )
}

fn add_money(total: Money, amount: Money) -> Outcome<Money> {
    total
        .fen()
        .checked_add(amount.fen())
        .map(Money::from_fen)
        .ok_or_else(amount_overflow)
}

/// The source of the entry that credits a case with a receipt: the case and the bank's reference of the payment.
pub fn receipt_source(case_id: i64, bank_reference: &str) -> String {
    format!("receipt:{case_id}:{}", statements::canonical_reference(bank_reference))
}

impl From<ledger::LedgerError> for Refusal {
    fn from(error: ledger::LedgerError) -> Self {
        Refusal::rule_violation(error.code(), error.rule(), error.to_string())
    }
}

impl From<statements::StatementError> for Refusal {
    fn from(error: statements::StatementError) -> Self {
        Refusal::rule_violation(error.code(), "FUND-2", error.to_string())
    }
}

fn finance_only(principal: &Principal, what: &str) -> Outcome<()> {
    match principal.role {
        Role::Finance | Role::Admin => Ok(()),
        Role::Assistant | Role::Judge | Role::Supervisor => Err(Refusal::new(
            Code::RoleNotAllowed,
            format!("{what} is for the finance department (role {} may not)", principal.role),
        )),
    }
}

impl Engine {
    /// Imports a bank statement for the caller's court (finance staff; SPEC §4). Every new credit is matched to one
    /// case — by collection account, then by case number in the remittance text — and posted to its held account,
    /// or held in suspense with a claim deadline and a node (FUND-3). Lines imported before post nothing again.
    pub async fn import_statement(&self, principal: &Principal, request: ImportRequest<'_>) -> Outcome<ImportReport> {
        finance_only(principal, "importing bank statements")?;
        let format = match request.format {
            Some(format) => format,
            None => StatementFormat::detect(request.bytes, request.file_name).ok_or_else(|| {
                Refusal::new(
                    Code::InvalidField,
                    "the statement's format could not be recognised: give format csv, mt940 or camt053",
                )
            })?,
        };
        let layout = request.layout.or(self.csv_layout.as_deref());
        let statement = statements::read_statement(request.bytes, format, layout)?;
        let file_sha256 = hex::encode(Sha256::digest(request.bytes));
        self.import_parsed(principal.court_id, &principal.actor(), &statement, &file_sha256)
            .await
    }

    /// `chuzhi import-statement`: imports a file for the court with this code, recorded as the operator's (the CLI
    /// runs on the server, as finance's batch job).
    pub async fn import_statement_file(
        &self,
        court_code: &str,
        operator: &str,
        bytes: &[u8],
        format: Option<StatementFormat>,
        file_name: Option<&str>,
        layout: Option<&CsvLayout>,
    ) -> Outcome<ImportReport> {
        let court = store::auth::court_by_code(&self.db, court_code)
            .await?
            .ok_or_else(|| Refusal::new(Code::InvalidField, format!("there is no court with code {court_code}")))?;
        let principal = Principal {
            user: operator.to_string(),
            court_id: court.id,
            court_code: court_code.to_string(),
            role: Role::Finance,
        };
        self.import_statement(
            &principal,
            ImportRequest {
                bytes,
                format,
                file_name,
                layout,
            },
        )
        .await
    }

    /// Imports a statement already read (the CLI and the benches come in here too).
    pub async fn import_parsed(&self, court_id: i64, actor: &Actor, statement: &Statement, file_sha256: &str) -> Outcome<ImportReport> {
        let now = self.now();
        let today = local_date(now);
        if statement.account.trim().is_empty() {
            return Err(Refusal::new(Code::InvalidField, "the statement names no bank account"));
        }
        if statement.currency != "CNY" {
            return Err(Refusal::rule_violation(
                "statement_currency_not_cny",
                "FUND-2",
                format!(
                    "the execution-fund account keeps renminbi; this statement is in {}",
                    statement.currency
                ),
            ));
        }
        if let Some(line) = statement.lines.iter().find(|line| line.booking_date > today) {
            return Err(Refusal::new(
                Code::InvalidField,
                format!(
                    "line {} is booked on {}, after today ({today})",
                    line.line_number, line.booking_date
                ),
            ));
        }
        let mut cases = CourtCases {
            by_account: HashMap::new(),
            by_number: HashMap::new(),
        };
        for (case_id, case_number, account) in rows::case_keys(&self.db, court_id).await? {
            let case = CaseRef {
                case_id,
                case_number: case_number.clone(),
            };
            cases
                .by_number
                .insert(statements::normalize_case_number(&case_number), case.clone());
            cases.by_account.insert(account, case);
        }
        let mut report = ImportReport {
            bank_account: statement.account.clone(),
            format: statement.format.as_str().to_string(),
            file_sha256: file_sha256.to_string(),
            lines_total: statement.lines.len() as u64,
            ..Default::default()
        };
        let chunks: Vec<&[statements::StatementLine]> = if statement.lines.is_empty() {
            vec![&[]]
        } else {
            statement.lines.chunks(IMPORT_CHUNK_LINES).collect()
        };
        // The unique key on (court, account, reference) is the last guard against a line posted twice.
        let imported = match (
            statement.lines.iter().map(|line| line.booking_date).min(),
            statement.lines.iter().map(|line| line.booking_date).max(),
        ) {
            (Some(from), Some(to)) => rows::existing_references(&self.db, court_id, &statement.account, from, to).await?,
            _ => HashSet::new(),
        };
        let mut known = KnownReferences {
            imported,
            in_file: HashSet::with_capacity(statement.lines.len()),
        };
        for (index, chunk) in chunks.iter().enumerate() {
            let mut write = self.db.begin_bulk_write(now).await?;
            rows::begin_bulk(&mut write.tx).await?;
            let chunk_report = self
                .import_chunk(
                    &mut write.tx,
                    write.seq,
                    court_id,
                    actor,
                    statement,
                    chunk,
                    file_sha256,
                    &cases,
                    &mut known,
                    now,
                )
                .await;
            // The writers' connection gets its usual cache back also when the chunk is refused (then rolled back).
            rows::end_bulk(&mut write.tx).await?;
            let chunk_report = chunk_report?;
            let payload = serde_json::json!({
                "bank_account": statement.account,
                "file_sha256": file_sha256,
                "chunk": index + 1,
                "chunks": chunks.len(),
                "report": chunk_report,
            });
            write
                .commit(EventDraft::change(
                    actor,
                    "funds.import_statement",
                    format!("bank:{}", statement.account),
                    payload,
                ))
                .await?;
            report.lines_new += chunk_report.lines_new;
            report.already_imported += chunk_report.already_imported;
            report.matched_by_collection_account += chunk_report.matched_by_collection_account;
            report.matched_by_case_number += chunk_report.matched_by_case_number;
            report.to_suspense += chunk_report.to_suspense;
            report.debits += chunk_report.debits;
            report.credited_to_cases = add_money(report.credited_to_cases, chunk_report.credited_to_cases)?;
            report.held_in_suspense = add_money(report.held_in_suspense, chunk_report.held_in_suspense)?;
            report.cash_deposits_cleared += chunk_report.cash_deposits_cleared;
            report.cash_deposits_mismatched += chunk_report.cash_deposits_mismatched;
        }
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)]
    async fn import_chunk<'s>(
        &self,
        tx: &mut Tx,
        audit_seq: i64,
        court_id: i64,
        actor: &Actor,
        statement: &Statement,
        lines: &'s [statements::StatementLine],
        file_sha256: &str,
        cases: &CourtCases,
        known: &mut KnownReferences<'s>,
        now: DateTime<Utc>,
    ) -> Outcome<ImportReport> {
        let today = local_date(now);
        let bank = statement.account.as_str();
        let mut report = ImportReport::default();
        if lines.is_empty() {
            return Ok(report);
        }
        let fresh: Vec<&statements::StatementLine> = lines.iter().filter(|line| known.is_new(&line.bank_reference)).collect();
        report.already_imported = (lines.len() - fresh.len()) as u64;
        report.lines_new = fresh.len() as u64;
        let import_id = rows::insert_import(
            tx,
            &rows::ImportRow {
                court_id,
                bank_account: bank,
                format: statement.format.as_str(),
                file_sha256,
                statement_date: statement.statement_date,
                opening_balance_fen: statement.opening_balance.map(Money::fen),
                closing_balance_fen: statement.closing_balance.map(Money::fen),
                lines_total: lines.len() as i64,
                lines_new: fresh.len() as i64,
                imported_at: now,
                imported_by: &actor.user,
            },
        )
        .await?;

        // Decide every new line: its match, and the entry it posts (FUND-1, FUND-3). A receipt credited to a case is
        // keyed by the case and the bank's reference, whichever side reports it first: the statement, or the
        // disposal (a deposit transfer or a balance, AUC-15), so the case is never credited twice.
        let mut decided: Vec<Decided> = Vec::with_capacity(fresh.len());
        for line in &fresh {
            let (match_kind, case_id, source, entry) = if !line.is_credit() {
                report.debits += 1;
                ("debit", None, String::new(), None)
            } else {
                let matched = match statements::match_line(line, cases) {
                    Match::ByCollectionAccount(case) => {
                        report.matched_by_collection_account += 1;
                        Ok(("collection_account", case))
                    }
                    Match::ByCaseNumber(case) => {
                        report.matched_by_case_number += 1;
                        Ok(("case_number", case))
                    }
                    Match::Unmatched(reason) => Err(reason),
                };
                match matched {
                    Ok((kind, case)) => {
                        report.credited_to_cases = add_money(report.credited_to_cases, line.amount)?;
                        (
                            kind,
                            Some(case.case_id),
                            receipt_source(case.case_id, &line.bank_reference),
                            Some(ledger::receipt_to_case(bank, case.case_id, line.amount)),
                        )
                    }
                    Err(_) => {
                        report.to_suspense += 1;
                        report.held_in_suspense = add_money(report.held_in_suspense, line.amount)?;
                        (
                            "suspense",
                            None,
                            format!("statement:{bank}:{}", line.bank_reference),
                            Some(ledger::receipt_to_suspense(bank, line.amount)),
                        )
                    }
                }
            };
            if let Some(entry) = &entry {
                ledger::validate(entry, &ledger::BalanceMap::new())?;
            }
            decided.push((*line, source, match_kind, case_id, entry));
        }
        // Receipts the disposal side credited already, and cash finance deposited (FUND-2, by the reference finance
        // gave, for the same case and amount): the statement line moves them from in transit to the bank.
        let in_transit = store::ledger::in_transit_sources(tx, court_id).await?;
        let awaited = store::cash::awaited_deposits(tx, court_id).await?;
        // Cash deposits cleared, by the position of their line in `decided`.
        let mut cash_cleared = Vec::new();
        for (index, item) in decided.iter_mut().enumerate() {
            if item.4.is_none() {
                continue;
            }
            let named = awaited.get(&item.0.bank_reference);
            let cash = named.filter(|deposit| item.3 == Some(deposit.case_id) && item.0.amount.fen() == deposit.amount_fen);
            if named.is_some() && cash.is_none() {
                report.cash_deposits_mismatched += 1;
            }
            if in_transit.contains(&item.1) || cash.is_some() {
                item.1 = super::cash::cleared_by(bank, &item.0.bank_reference);
                item.4 = Some(ledger::clear_in_transit(bank, item.0.amount));
            }
            if let Some(deposit) = cash {
                cash_cleared.push((deposit.receipt_id, index));
            }
        }
        report.cash_deposits_cleared = cash_cleared.len() as u64;

        // Ids are given here, in the order of `decided` (max + 1 under the write lock): the entries of the lines
        // that post one, and every line's statement row.
        let first_entry = store::ledger::last_id(tx, store::ledger::LedgerTable::Entries).await? + 1;
        let first_line = store::ledger::last_id(tx, store::ledger::LedgerTable::StatementLines).await? + 1;
        let mut entry_ids = Vec::with_capacity(decided.len());
        let mut next_entry = first_entry;
        for (_, _, _, _, entry) in &decided {
            entry_ids.push(entry.as_ref().map(|_| {
                next_entry += 1;
                next_entry - 1
            }));
        }
        let entries: Vec<rows::BulkEntry> = decided
            .iter()
            .filter_map(|(_, source, _, _, entry)| {
                entry.as_ref().map(|entry| rows::BulkEntry {
                    kind: entry.kind.as_str(),
                    // The remittance text stays on the statement line the entry's source names; the memo says what
                    // the entry is, as the core wrote it.
                    memo: &entry.memo,
                    source,
                })
            })
            .collect();
        rows::insert_entries(tx, court_id, today, now, audit_seq, first_entry, &entries)
            .await
            .map_err(statement_conflict)?;
        let mut journal_lines = Vec::with_capacity(entries.len() * 2);
        let mut deltas: BTreeMap<String, (Option<i64>, i64)> = BTreeMap::new();
        let mut statement_lines = Vec::with_capacity(decided.len());
        for ((line, _, match_kind, case_id, entry), entry_id) in decided.iter().zip(&entry_ids) {
            if let (Some(entry), Some(entry_id)) = (entry, entry_id) {
                for (line_no, row) in line_rows(entry)?.into_iter().enumerate() {
                    let delta = match deltas.get_mut(&row.account) {
                        Some(delta) => delta,
                        None => deltas.entry(row.account.clone()).or_insert((row.case_id, 0)),
                    };
                    delta.1 = delta.1.checked_add(row.balance_delta_fen).ok_or_else(amount_overflow)?;
                    journal_lines.push(rows::BulkLine {
                        entry_id: *entry_id,
                        line_no: line_no as i64 + 1,
                        account: row.account,
                        case_id: row.case_id,
                        debit_fen: row.debit_fen,
                        credit_fen: row.credit_fen,
                    });
                }
            }
            statement_lines.push(rows::BulkStatementLine {
                bank_reference: &line.bank_reference,
                line_number: line.line_number as i64,
                booking_date: line.booking_date,
                amount_fen: line.amount.fen().abs(),
                direction: if line.is_credit() { "credit" } else { "debit" },
                counterparty_name: line.counterparty_name.as_deref().unwrap_or_default(),
                counterparty_account: line.counterparty_account.as_deref().unwrap_or_default(),
                remittance: &line.remittance,
                match_kind,
                case_id: *case_id,
                entry_id: *entry_id,
            });
        }
        rows::insert_lines(tx, court_id, &journal_lines).await?;
        let deltas: Vec<(String, Option<i64>, i64)> = deltas
            .into_iter()
            .map(|(account, (case_id, delta))| (account, case_id, delta))
            .collect();
        store::ledger::move_balances(tx, court_id, &deltas).await?;
        rows::insert_statement_lines(tx, court_id, bank, import_id, first_line, &statement_lines)
            .await
            .map_err(statement_conflict)?;
        for (receipt_id, index) in cash_cleared {
            let entry_id =
                entry_ids[index].ok_or_else(|| Refusal::internal(format!("cash receipt {receipt_id} was cleared by no entry")))?;
            if store::cash::clear(tx, receipt_id, first_line + index as i64, entry_id, today).await? != 1 {
                return Err(Refusal::internal(format!("cash receipt {receipt_id} was not cleared")));
            }
        }
        // FUND-3: every unidentified receipt gets its claim deadline (the suspense list shows it with the age).
        let mut suspense = Vec::new();
        for (index, ((line, source, match_kind, _, _), entry_id)) in decided.iter().zip(&entry_ids).enumerate() {
            if *match_kind != "suspense" {
                continue;
            }
            suspense.push(rows::SuspenseRow {
                statement_line_id: first_line + index as i64,
                amount_fen: line.amount.fen(),
                arrived_on: line.booking_date,
                claim_due_on: self.calendar.due_date(line.booking_date, self.settings.suspense_claim_period),
                entry_id: entry_id.ok_or_else(|| Refusal::internal(format!("suspense entry {source} was not posted")))?,
            });
        }
        rows::insert_suspense(tx, court_id, &suspense).await?;
        Ok(report)
    }

    /// Validates an entry against the current balances and posts it in the caller's transaction (STYLE habit 10:
    /// the journal entry is written with the change it records, or not at all). Returns `None` when an entry with
    /// this source was posted before, so a retried command posts nothing twice.
    pub async fn post_entry(
        &self,
        tx: &mut Tx,
        audit_seq: i64,
        court_id: i64,
        entry: &Entry,
        source: &str,
        now: DateTime<Utc>,
    ) -> Outcome<Option<i64>> {
        let accounts: Vec<String> = entry.lines.iter().map(|line| line.account.as_key()).collect();
        let (current, posted_before) = store::ledger::balances_and_posted(tx, court_id, &accounts, source).await?;
        if posted_before {
            return Ok(None);
        }
        let mut balances = ledger::BalanceMap::new();
        for line in &entry.lines {
            let fen = current.get(&line.account.as_key()).copied().unwrap_or(0);
            balances.set(line.account.clone(), Money::from_fen(fen));
        }
        ledger::validate(entry, &balances)?;
        let lines = line_rows(entry)?;
        let row = store::ledger::EntryRow {
            court_id,
            kind: entry.kind.as_str(),
            memo: &entry.memo,
            source,
            posted_on: local_date(now),
            posted_at: now,
            audit_seq,
            lines: &lines,
        };
        store::ledger::post_new(tx, &row).await.map(Some).map_err(|error| match &error {
            sqlx::Error::Database(db) if db.is_check_violation() => Refusal::rule_violation(
                "case_balance_would_go_negative",
                "FUND-2",
                "the case's funds do not cover this entry (checked again by the database)",
            ),
            _ => Refusal::internal(error),
        })
    }

    /// The court's unidentified funds not yet claimed, with their age in days (FUND-3's ageing report).
    pub async fn suspense(&self, principal: &Principal) -> Outcome<Vec<SuspenseView>> {
        let today = local_date(self.now());
        Ok(rows::open_suspense(&self.db, principal.court_id)
            .await?
            .into_iter()
            .map(|row| SuspenseView::new(row, today))
            .collect())
    }

    /// FUND-3: the public notice of unidentified funds (待认领款公示) that the court publishes so that payers come
    /// forward: every item not yet claimed, oldest first, with its arrival date, amount, the payer's name, the payer's
    /// account masked (`masked_account`: a public notice shows no full account number), the remittance text with
    /// any long number in it masked the same way (`public_text`), the claim deadline and whether it has passed. A
    /// table, header first, for CSV or XLSX.
    pub async fn suspense_publication(&self, principal: &Principal) -> Outcome<Vec<Vec<String>>> {
        let header = [
            "序号 No.",
            "到账日期 Arrived",
            "金额 Amount",
            "付款人 Payer",
            "付款账号 Payer account",
            "附言 Remittance",
            "认领期限 Claim by",
            "状态 Status",
            "逾期 Overdue",
        ];
        let mut rows = vec![header.iter().map(|cell| cell.to_string()).collect::<Vec<String>>()];
        let items = self.suspense(principal).await?;
        for (number, item) in items.iter().filter(|item| item.status != "claimed").enumerate() {
            rows.push(vec![
                (number + 1).to_string(),
                item.arrived_on.to_string(),
                item.amount.to_string(),
                public_text(&item.payer),
                masked_account(&item.payer_account),
                public_text(&item.remittance),
                item.claim_due_on.to_string(),
                if item.status == "claim_requested" {
                    "认领审批中 claim pending"
                } else {
                    "待认领 unclaimed"
                }
                .to_string(),
                if item.overdue { "是 yes" } else { "否 no" }.to_string(),
            ]);
        }
        Ok(rows)
    }

    /// Finance asks to claim unidentified funds into a case, with the reason (FUND-3). Nothing moves until someone
    /// else approves.
    pub async fn request_suspense_claim(&self, principal: &Principal, item_id: i64, case_id: i64, reason: &str) -> Outcome<SuspenseView> {
        finance_only(principal, "claiming unidentified funds")?;
        if reason.trim().is_empty() || reason.chars().any(|c| c.is_control() && c != '\n') {
            return Err(Refusal::new(
                Code::InvalidField,
                "reason must name the evidence that identifies the payer and the case",
            ));
        }
        let now = self.now();
        let mut write = self.db.begin_write(now).await?;
        let item = rows::suspense_for_update(&mut write.tx, principal.court_id, item_id)
            .await?
            .ok_or_else(|| {
                Refusal::new(
                    Code::InvalidPath,
                    format!("there is no unidentified receipt {item_id} in your court"),
                )
            })?;
        if item.status != "open" {
            return Err(Refusal::rule_violation(
                "suspense_item_not_open",
                "FUND-3",
                format!("unidentified receipt {item_id} is {}, not open", item.status),
            ));
        }
        store::registry::case_in_court_tx(&mut write.tx, principal.court_id, case_id)
            .await?
            .ok_or_else(|| Refusal::new(Code::CaseNotFound, format!("there is no case {case_id} in your court")))?;
        rows::request_claim(&mut write.tx, item_id, case_id, &principal.user, reason.trim()).await?;
        let item = rows::suspense_for_update(&mut write.tx, principal.court_id, item_id)
            .await?
            .ok_or_else(|| Refusal::internal("suspense item vanished"))?;
        let payload = serde_json::json!({ "item_id": item_id, "case_id": case_id, "reason": reason.trim() });
        write
            .commit(EventDraft::change(
                &principal.actor(),
                "funds.request_suspense_claim",
                format!("suspense:{item_id}"),
                payload,
            ))
            .await?;
        Ok(SuspenseView::new(item, local_date(now)))
    }

    /// A judge or the bureau head (supervisor) approves a claim someone else asked for; the funds move from suspense
    /// to the case's held account in the same transaction (FUND-3: "严格审批").
    pub async fn approve_suspense_claim(&self, principal: &Principal, item_id: i64, reference: &str) -> Outcome<SuspenseView> {
        if !matches!(principal.role, Role::Judge | Role::Supervisor) {
            return Err(Refusal::new(
                Code::RoleNotAllowed,
                format!(
                    "approving a claim of unidentified funds is for a judge or the bureau head, not the role {}",
                    principal.role
                ),
            ));
        }
        if reference.trim().is_empty() {
            return Err(Refusal::new(Code::InvalidField, "reference must name the approval form"));
        }
        let now = self.now();
        let mut write = self.db.begin_write(now).await?;
        let item = rows::suspense_for_update(&mut write.tx, principal.court_id, item_id)
            .await?
            .ok_or_else(|| {
                Refusal::new(
                    Code::InvalidPath,
                    format!("there is no unidentified receipt {item_id} in your court"),
                )
            })?;
        let (Some(case_id), "claim_requested") = (item.claim_case_id, item.status.as_str()) else {
            return Err(Refusal::rule_violation(
                "claim_needs_request",
                "FUND-3",
                format!(
                    "unidentified receipt {item_id} is {}: finance asks for the claim first",
                    item.status
                ),
            ));
        };
        if item.claim_requested_by.as_deref() == Some(principal.user.as_str()) {
            return Err(Refusal::rule_violation(
                "approver_is_requester",
                "FUND-3",
                "the claim must be approved by someone other than the one who asked for it",
            ));
        }
        let entry = ledger::claim_from_suspense(case_id, Money::from_fen(item.amount_fen));
        self.post_entry(
            &mut write.tx,
            write.seq,
            principal.court_id,
            &entry,
            &format!("suspense_claim:{item_id}"),
            now,
        )
        .await?;
        rows::approve_claim(&mut write.tx, item_id, &principal.user, now).await?;
        let item = rows::suspense_for_update(&mut write.tx, principal.court_id, item_id)
            .await?
            .ok_or_else(|| Refusal::internal("suspense item vanished"))?;
        let payload = serde_json::json!({ "item_id": item_id, "case_id": case_id, "amount": Money::from_fen(item.amount_fen), "reference": reference.trim() });
        write
            .commit(EventDraft::change(
                &principal.actor(),
                "funds.approve_suspense_claim",
                format!("suspense:{item_id}"),
                payload,
            ))
            .await?;
        Ok(SuspenseView::new(item, local_date(now)))
    }

    /// Every account balance of the court, or of one case.
    pub async fn balances(&self, principal: &Principal, case_id: Option<i64>) -> Outcome<Vec<BalanceView>> {
        Ok(store::ledger::balances(&self.db, principal.court_id, case_id)
            .await?
            .into_iter()
            .map(|row| BalanceView {
                account: row.account,
                case_id: row.case_id,
                balance: Money::from_fen(row.balance_fen),
            })
            .collect())
    }
}

/// An account's balance, on its normal side.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BalanceView {
    /// `case:<id>:held`, `case:<id>:disputed`, `case:<id>:payable:<payee>`, `case:<id>:fees`, `bank:<number>`, `suspense`.
    pub account: String,
    pub case_id: Option<i64>,
    #[schema(value_type = String)]
    pub balance: Money,
}

/// An unidentified receipt as finance sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuspenseView {
    pub id: i64,
    #[schema(value_type = String)]
    pub amount: Money,
    #[schema(value_type = String, format = Date)]
    pub arrived_on: NaiveDate,
    /// FUND-3: claim by this date (configurable; default 3 working days).
    #[schema(value_type = String, format = Date)]
    pub claim_due_on: NaiveDate,
    /// Calendar days since it arrived.
    pub age_days: i64,
    /// FUND-3: not claimed by `claim_due_on` (from the day after it); the daily digest counts these.
    pub overdue: bool,
    /// open, claim_requested or claimed.
    pub status: String,
    pub bank_account: String,
    pub bank_reference: String,
    pub payer: String,
    pub payer_account: String,
    pub remittance: String,
    pub claim_case_id: Option<i64>,
    pub claim_requested_by: Option<String>,
}

impl SuspenseView {
    fn new(row: rows::SuspenseView, today: NaiveDate) -> SuspenseView {
        SuspenseView {
            id: row.id,
            amount: Money::from_fen(row.amount_fen),
            arrived_on: row.arrived_on,
            claim_due_on: row.claim_due_on,
            age_days: (today - row.arrived_on).num_days().max(0),
            overdue: ledger::claim_overdue(row.claim_due_on, today),
            status: row.status,
            bank_account: row.bank_account,
            bank_reference: row.bank_reference,
            payer: row.counterparty_name,
            payer_account: row.counterparty_account,
            remittance: row.remittance,
            claim_case_id: row.claim_case_id,
            claim_requested_by: row.claim_requested_by,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{masked_account, public_text};

    #[test]
    fn fund_3_a_published_account_number_shows_at_most_its_first_and_last_four_characters() {
        assert_eq!(masked_account("6222020200001234567"), "6222***********4567");
        assert_eq!(
            masked_account("6222 0202 0000 1234 567"),
            "6222***********4567",
            "spaces are not characters of the number"
        );
        assert_eq!(masked_account("123456789012"), "1234****9012");
        assert_eq!(masked_account("12345678901"), "*******8901", "under twelve: only the last four");
        assert_eq!(masked_account("12345"), "*2345");
        assert_eq!(masked_account("1234"), "****");
        assert_eq!(masked_account(""), "");
    }

    #[test]
    fn fund_3_published_text_masks_long_numbers_and_cannot_become_a_formula() {
        assert_eq!(
            public_text("张三 13912345678 身份证370102199001011234"),
            "张三 *******5678 身份证3701**********1234"
        );
        assert_eq!(public_text("货款 第12345号"), "货款 第12345号", "five digits or fewer stay");
        assert_eq!(public_text("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(public_text("-1+2"), "'-1+2");
        assert_eq!(public_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(public_text("退款"), "退款");
    }
}
