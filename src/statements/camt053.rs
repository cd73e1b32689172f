//! ISO 20022 camt.053 (BankToCustomerStatement), read with `roxmltree`: small, no dependencies, and it answers
//! with line numbers. Elements are matched by local name, so every version of the namespace reads alike
//! (`camt.053.001.02` and `.001.08` differ here only in `Sts` and in the `Pty` level of related parties, and both
//! are handled).
//!
//! Only booked entries (`Sts` BOOK, or no status) are movements; pending and information-only entries are not
//! money on the account. A batch entry whose transaction details carry their own amounts (adding up to the entry)
//! becomes one line per transaction, since each payer may be paying a different case (FUND-1).
//!
//! The line's identity: the account servicer's reference (`AcctSvcrRef`, of the transaction, else of the entry).
//! An `EndToEndId` is set by the payer and unique only among that payer's payments, so it is used only together
//! with the booking date and the amount (`e2e:<id>:<date>:<fen>`); otherwise the line's fields are hashed.

use chrono::NaiveDate;
use roxmltree::{Document, Node};

use super::{
    check_balances, decode_utf8_or_gbk, normalize_text, parse_unsigned_amount, period_of, ReferenceAssigner, Statement, StatementError,
    StatementFormat, StatementLine, StatementPeriod,
};
use crate::money::Money;

const NAMESPACE_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:camt.053.";

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|child| child.is_element() && child.tag_name().name() == name)
}

fn children<'a, 'input: 'a>(node: Node<'a, 'input>, name: &'a str) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children()
        .filter(move |child| child.is_element() && child.tag_name().name() == name)
}

fn path<'a, 'input>(node: Node<'a, 'input>, names: &[&str]) -> Option<Node<'a, 'input>> {
    names.iter().try_fold(node, |node, name| child(node, name))
}

fn text_at(node: Node, names: &[&str]) -> Option<String> {
    path(node, names)
        .and_then(|node| node.text())
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_string)
}

fn line_of(document: &Document, node: Node) -> usize {
    document.text_pos_at(node.range().start).row as usize
}

/// `Dt` or `DtTm` under `node` (a `DtTm`'s date part is the date the bank wrote; no time zone is applied).
fn date_at(document: &Document, node: Node, field: &'static str) -> Result<Option<NaiveDate>, StatementError> {
    let Some(text) = text_at(node, &["Dt"]).or_else(|| text_at(node, &["DtTm"])) else {
        return Ok(None);
    };
    let date = text.get(..10).and_then(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d").ok());
    date.map(Some).ok_or_else(|| StatementError::DateInvalid {
        line: line_of(document, node),
        field,
        value: text,
        expected: "YYYY-MM-DD".into(),
    })
}

/// An `Amt` element with its sign from the sibling `CdtDbtInd` (CRDT money in, DBIT money out).
fn signed_amount(document: &Document, parent: Node, default_indicator: Option<&str>) -> Result<Option<(Money, String)>, StatementError> {
    let Some(amount) = child(parent, "Amt").or_else(|| path(parent, &["AmtDtls", "TxAmt", "Amt"])) else {
        return Ok(None);
    };
    let line = line_of(document, amount);
    let text = amount.text().unwrap_or("").trim();
    if text.is_empty() {
        return Err(StatementError::AmountMissing { line });
    }
    let magnitude = parse_unsigned_amount(text, line, None, false)?;
    let indicator = text_at(parent, &["CdtDbtInd"]);
    let sign = match indicator.as_deref().or(default_indicator) {
        Some("CRDT") => 1,
        Some("DBIT") => -1,
        Some(other) => {
            return Err(StatementError::FieldMalformed {
                line,
                tag: "CdtDbtInd",
                message: format!("'{other}' is neither CRDT nor DBIT"),
            })
        }
        None => return Err(StatementError::FieldMissing { line, tag: "CdtDbtInd" }),
    };
    let currency = amount.attribute("Ccy").unwrap_or("").to_string();
    Ok(Some((Money::from_fen(sign * magnitude.fen()), currency)))
}

/// An account's identifier: the IBAN, or the other identification (Chinese accounts are `Othr/Id`).
fn account_id(node: Node) -> Option<String> {
    text_at(node, &["Id", "IBAN"]).or_else(|| text_at(node, &["Id", "Othr", "Id"]))
}

/// A party's name: `Nm` directly (.001.02) or under `Pty` (.001.08).
fn party_name(node: Node) -> Option<String> {
    text_at(node, &["Nm"])
        .or_else(|| text_at(node, &["Pty", "Nm"]))
        .map(|name| normalize_text(&name))
}

fn is_booked(entry: Node) -> bool {
    match child(entry, "Sts") {
        None => true,
        Some(status) => {
            let code = text_at(status, &["Cd"]).or_else(|| status.text().map(|text| text.trim().to_string()));
            matches!(code.as_deref(), Some("BOOK") | None | Some(""))
        }
    }
}

pub(super) fn read(bytes: &[u8]) -> Result<Statement, StatementError> {
    let text = decode_utf8_or_gbk(bytes)?;
    // roxmltree reads decoded text; a GBK declaration has been honoured by the decoding above.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let document = Document::parse(text).map_err(|error| StatementError::XmlInvalid {
        line: error.pos().row as usize,
        message: error.to_string(),
    })?;
    let root = document.root_element();
    let namespace = root.tag_name().namespace().unwrap_or("");
    if root.tag_name().name() != "Document" || !namespace.starts_with(NAMESPACE_PREFIX) {
        return Err(StatementError::NotCamt053 {
            namespace: namespace.to_string(),
        });
    }
    let report = child(root, "BkToCstmrStmt").ok_or(StatementError::FieldMissing {
        line: line_of(&document, root),
        tag: "BkToCstmrStmt",
    })?;
    let mut account: Option<String> = None;
    let mut currency: Option<String> = None;
    let mut statement_id = None;
    let mut statement_date = None;
    let mut stated_period: Option<StatementPeriod> = None;
    let mut opening_balance = None;
    let mut closing_balance = None;
    let mut lines = Vec::new();
    let mut references: Vec<Option<String>> = Vec::new();
    let mut statements = 0;
    for statement in children(report, "Stmt") {
        statements += 1;
        let statement_line = line_of(&document, statement);
        let account_node = child(statement, "Acct").ok_or(StatementError::FieldMissing {
            line: statement_line,
            tag: "Acct",
        })?;
        let this_account = account_id(account_node).ok_or(StatementError::FieldMissing {
            line: line_of(&document, account_node),
            tag: "Acct/Id",
        })?;
        match &account {
            Some(first) if *first != this_account => {
                return Err(StatementError::AccountsDiffer {
                    line: line_of(&document, account_node),
                    first: first.clone(),
                    second: this_account,
                })
            }
            Some(_) => {}
            None => account = Some(this_account),
        }
        if currency.is_none() {
            currency = text_at(account_node, &["Ccy"]);
        }
        statement_id.get_or_insert_with(|| text_at(statement, &["Id"]).unwrap_or_default());
        if let Some(created) = text_at(statement, &["CreDtTm"]) {
            statement_date = created
                .get(..10)
                .and_then(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d").ok())
                .or(statement_date);
        }
        let from = text_at(statement, &["FrToDt", "FrDtTm"]).and_then(|text| NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok());
        let to = text_at(statement, &["FrToDt", "ToDtTm"]).and_then(|text| NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok());
        if let (Some(from), Some(to)) = (from, to) {
            stated_period = Some(match stated_period {
                Some(period) => StatementPeriod {
                    from: period.from.min(from),
                    to: period.to.max(to),
                },
                None => StatementPeriod { from, to },
            });
        }
        let mut this_opening = None;
        let mut this_closing = None;
        for balance in children(statement, "Bal") {
            let code = text_at(balance, &["Tp", "CdOrPrtry", "Cd"]);
            let Some((amount, balance_currency)) = signed_amount(&document, balance, None)? else {
                continue;
            };
            if currency.is_none() && !balance_currency.is_empty() {
                currency = Some(balance_currency);
            }
            match code.as_deref() {
                Some("OPBD") | Some("PRCD") => this_opening = this_opening.or(Some(amount)),
                Some("CLBD") => this_closing = Some(amount),
                _ => {}
            }
        }
        opening_balance = opening_balance.or(this_opening);
        closing_balance = this_closing.or(closing_balance);
        let first_of_statement = lines.len();
        for entry in children(statement, "Ntry").filter(|entry| is_booked(*entry)) {
            let entry_line = line_of(&document, entry);
            let (entry_amount, entry_currency) =
                signed_amount(&document, entry, None)?.ok_or(StatementError::AmountMissing { line: entry_line })?;
            let booking_date = match child(entry, "BookgDt") {
                Some(node) => date_at(&document, node, "BookgDt")?,
                None => None,
            }
            .ok_or(StatementError::FieldMissing {
                line: entry_line,
                tag: "BookgDt",
            })?;
            let value_date = match child(entry, "ValDt") {
                Some(node) => date_at(&document, node, "ValDt")?,
                None => None,
            };
            let indicator = text_at(entry, &["CdtDbtInd"]);
            let transactions: Vec<Node> = children(entry, "NtryDtls")
                .flat_map(|details| children(details, "TxDtls"))
                .collect();
            // Split a batch only when every transaction states its amount and they add up to the entry.
            let mut split: Vec<(Node, Money)> = Vec::new();
            if transactions.len() > 1 {
                for transaction in &transactions {
                    match signed_amount(&document, *transaction, indicator.as_deref())? {
                        Some((amount, _)) => split.push((*transaction, amount)),
                        None => {
                            split.clear();
                            break;
                        }
                    }
                }
                if split.iter().map(|(_, amount)| amount.fen()).sum::<i64>() != entry_amount.fen() {
                    split.clear();
                }
            }
            if split.is_empty() {
                split.push((transactions.first().copied().unwrap_or(entry), entry_amount));
            }
            let batch = split.len() > 1;
            for (transaction, amount) in split {
                let credit = amount.fen() > 0;
                let parties = child(transaction, "RltdPties");
                let (party, party_account) = if credit { ("Dbtr", "DbtrAcct") } else { ("Cdtr", "CdtrAcct") };
                let counterparty_name = parties.and_then(|parties| child(parties, party)).and_then(party_name);
                let counterparty_account = parties.and_then(|parties| child(parties, party_account)).and_then(account_id);
                let own_account = parties
                    .and_then(|parties| child(parties, if credit { "CdtrAcct" } else { "DbtrAcct" }))
                    .and_then(account_id);
                let virtual_account = own_account.filter(|own| Some(own) != account.as_ref());
                let mut remittance_parts: Vec<String> = Vec::new();
                if let Some(information) = child(transaction, "RmtInf") {
                    remittance_parts.extend(children(information, "Ustrd").filter_map(|node| node.text()).map(str::to_string));
                    remittance_parts.extend(children(information, "Strd").filter_map(|node| text_at(node, &["CdtrRefInf", "Ref"])));
                }
                remittance_parts.extend(text_at(transaction, &["AddtlTxInf"]));
                if remittance_parts.is_empty() {
                    remittance_parts.extend(text_at(entry, &["AddtlNtryInf"]));
                }
                let reference = text_at(transaction, &["Refs", "AcctSvcrRef"])
                    .or_else(|| text_at(entry, &["AcctSvcrRef"]))
                    .or_else(|| {
                        text_at(transaction, &["Refs", "EndToEndId"])
                            .filter(|id| !id.eq_ignore_ascii_case("NOTPROVIDED"))
                            .map(|id| format!("e2e:{id}:{booking_date}:{}", amount.fen()))
                    });
                lines.push(StatementLine {
                    line_number: if batch { line_of(&document, transaction) } else { entry_line },
                    booking_date,
                    value_date,
                    amount,
                    currency: entry_currency.clone(),
                    counterparty_name,
                    counterparty_account,
                    virtual_account,
                    remittance: normalize_text(&remittance_parts.join(" ")),
                    bank_reference: String::new(),
                });
                references.push(reference);
            }
        }
        check_balances(this_opening, this_closing, &lines[first_of_statement..], statement_line)?;
    }
    if statements == 0 {
        return Err(StatementError::FieldMissing {
            line: line_of(&document, report),
            tag: "Stmt",
        });
    }
    let account = account.unwrap_or_default();
    let mut assigner = ReferenceAssigner::new(&account);
    for (line, reference) in lines.iter_mut().zip(references) {
        line.bank_reference = assigner.assign(line, reference.as_deref());
    }
    let currency = currency
        .or_else(|| lines.first().map(|line| line.currency.clone()))
        .unwrap_or_else(|| "CNY".to_string());
    Ok(Statement {
        format: StatementFormat::Camt053,
        account,
        currency,
        statement_id: statement_id.filter(|id| !id.is_empty()),
        opening_balance,
        closing_balance,
        statement_date,
        period: stated_period.or_else(|| period_of(&lines)),
        lines,
    })
}
