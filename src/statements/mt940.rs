//! SWIFT MT940 (customer statement message). Reads the fields `:20:` (statement reference), `:25:` (account),
//! `:28C:` (statement number), `:60F:`/`:60M:` (opening balance), `:61:` (statement line), `:86:` (information to
//! the account owner) and `:62F:`/`:62M:` (closing balance); other fields (`:64:`, `:65:`, `:NS:`…) are skipped.
//!
//! Written here rather than taken from the `mt940` crate: that crate is strict about the SWIFT character set and
//! transliterates or refuses anything else, while Chinese banks write the payer's name and the remittance (附言) in
//! Chinese in `:86:`; case matching (FUND-1, FUND-3) must read them as they are. Files may be UTF-8 or GBK.
//!
//! A file may hold several messages (pages `:28C: n/1`, `n/2`…) of one account; they are read as one statement,
//! and each message's balances must add up (FUND-2). The bank reference of `:61:` (after `//`) is the line's
//! identity where the bank gives one.

use chrono::{Datelike, NaiveDate};

use super::{
    check_balances, decode_utf8_or_gbk, normalize_text, parse_unsigned_amount, period_of, ReferenceAssigner, Statement, StatementError,
    StatementFormat, StatementLine, StatementPeriod,
};
use crate::money::Money;

/// One field: its tag, its lines (the first after the tag), and the file line it starts on.
struct Field {
    tag: String,
    lines: Vec<String>,
    line: usize,
}

impl Field {
    /// The field's text with SWIFT's line wrapping undone: a line filled to the 65-character maximum was wrapped
    /// mid-word (or mid-number: an account number may be split), so it is joined without a space.
    fn unwrapped(&self) -> String {
        let mut out = String::new();
        for (index, line) in self.lines.iter().enumerate() {
            if index > 0 && self.lines[index - 1].chars().count() < 65 {
                out.push(' ');
            }
            out.push_str(line);
        }
        out
    }
}

/// Splits the text into messages of fields. A message starts at `:20:`; block headers (`{1:…}{2:…}{4:`) and
/// trailers (`-}`) are skipped.
fn messages(text: &str) -> Vec<Vec<Field>> {
    let mut messages: Vec<Vec<Field>> = Vec::new();
    let mut current: Option<Field> = None;
    let flush = |messages: &mut Vec<Vec<Field>>, field: Option<Field>| {
        if let Some(field) = field {
            if field.tag == "20" || messages.is_empty() {
                messages.push(Vec::new());
            }
            if let Some(message) = messages.last_mut() {
                message.push(field);
            }
        }
    };
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let mut line = raw.trim_end_matches('\r');
        if line.starts_with('{') {
            match line.rfind("{4:") {
                Some(position) => line = &line[position + 3..],
                None => continue,
            }
        }
        if line.trim().is_empty() {
            continue;
        }
        if line.trim() == "-" || line.starts_with("-}") {
            flush(&mut messages, current.take());
            continue;
        }
        if let Some((tag, rest)) = split_tag(line) {
            flush(&mut messages, current.take());
            current = Some(Field {
                tag: tag.to_string(),
                lines: vec![rest.to_string()],
                line: number,
            });
        } else if let Some(field) = current.as_mut() {
            field.lines.push(line.to_string());
        }
    }
    flush(&mut messages, current.take());
    messages
}

/// `:61:rest` → ("61", "rest"); a tag is two digits and an optional capital letter, or `NS`.
fn split_tag(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let tag = &rest[..end];
    let bytes = tag.as_bytes();
    let valid = tag == "NS"
        || (bytes.len() == 2 && bytes.iter().all(u8::is_ascii_digit))
        || (bytes.len() == 3 && bytes[..2].iter().all(u8::is_ascii_digit) && bytes[2].is_ascii_uppercase());
    valid.then(|| (tag, &rest[end + 1..]))
}

fn malformed(line: usize, tag: &'static str, message: impl Into<String>) -> StatementError {
    StatementError::FieldMalformed {
        line,
        tag,
        message: message.into(),
    }
}

/// YYMMDD; SWIFT years 80–99 are 19xx, the rest 20xx.
fn parse_yymmdd(text: &str, line: usize, tag: &'static str) -> Result<NaiveDate, StatementError> {
    let digits = text.get(..6).filter(|digits| digits.bytes().all(|byte| byte.is_ascii_digit()));
    let date = digits.and_then(|digits| {
        let year: i32 = digits[..2].parse().ok()?;
        let year = if year >= 80 { 1900 + year } else { 2000 + year };
        NaiveDate::from_ymd_opt(year, digits[2..4].parse().ok()?, digits[4..6].parse().ok()?)
    });
    date.ok_or_else(|| StatementError::DateInvalid {
        line,
        field: tag,
        value: text.chars().take(6).collect(),
        expected: "YYMMDD".into(),
    })
}

/// A balance: `C260105CNY1234,56` → (signed amount, date, currency).
fn parse_balance(field: &Field, tag: &'static str) -> Result<(Money, NaiveDate, String), StatementError> {
    let text = field.lines[0].trim();
    let sign = match text.chars().next() {
        Some('C') => 1,
        Some('D') => -1,
        _ => return Err(malformed(field.line, tag, "a balance starts with C or D")),
    };
    let date = parse_yymmdd(text.get(1..).unwrap_or(""), field.line, tag)?;
    let currency = text.get(7..10).filter(|code| code.bytes().all(|byte| byte.is_ascii_uppercase()));
    let currency = currency.ok_or_else(|| malformed(field.line, tag, "a three-letter currency must follow the date"))?;
    let amount = parse_unsigned_amount(text.get(10..).unwrap_or(""), field.line, None, true)?;
    Ok((Money::from_fen(sign * amount.fen()), date, currency.to_string()))
}

/// What `:61:` says.
struct Entry {
    booking_date: NaiveDate,
    value_date: NaiveDate,
    amount: Money,
    bank_reference: Option<String>,
    customer_reference: String,
    supplementary: String,
}

fn parse_statement_line(field: &Field) -> Result<Entry, StatementError> {
    const TAG: &str = ":61:";
    let line = field.line;
    let text = field.lines[0].trim_end();
    let value_date = parse_yymmdd(text, line, TAG)?;
    let mut rest = &text[6..];
    // The optional entry date, MMDD, in the value date's year unless it crosses New Year.
    let mut booking_date = value_date;
    if rest.len() >= 4 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        let month: u32 = rest[..2].parse().map_err(|_| malformed(line, TAG, "bad entry date"))?;
        let day: u32 = rest[2..4].parse().map_err(|_| malformed(line, TAG, "bad entry date"))?;
        let mut year = value_date.year();
        if value_date.month() == 12 && month == 1 {
            year += 1;
        } else if value_date.month() == 1 && month == 12 {
            year -= 1;
        }
        booking_date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| StatementError::DateInvalid {
            line,
            field: TAG,
            value: rest[..4].to_string(),
            expected: "MMDD".into(),
        })?;
        rest = &rest[4..];
    }
    // C, D, RC (reversal of a credit: money out) or RD (reversal of a debit: money in).
    let (sign, after_mark) = if let Some(after) = rest.strip_prefix("RC") {
        (-1, after)
    } else if let Some(after) = rest.strip_prefix("RD") {
        (1, after)
    } else if let Some(after) = rest.strip_prefix('C') {
        (1, after)
    } else if let Some(after) = rest.strip_prefix('D') {
        (-1, after)
    } else {
        return Err(malformed(line, TAG, "the debit/credit mark must be C, D, RC or RD"));
    };
    rest = after_mark;
    // The optional funds code: the third letter of the currency.
    if rest.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        rest = &rest[1..];
    }
    let amount_end = rest.find(|c: char| !(c.is_ascii_digit() || c == ',')).unwrap_or(rest.len());
    if amount_end == 0 {
        return Err(StatementError::AmountMissing { line });
    }
    let amount = parse_unsigned_amount(&rest[..amount_end], line, None, true)?;
    rest = &rest[amount_end..];
    // The transaction type: N, F or S and a three-character code.
    if rest.len() < 4 || !matches!(rest.as_bytes()[0], b'N' | b'F' | b'S') || !rest.is_char_boundary(4) {
        return Err(malformed(
            line,
            TAG,
            "a transaction type (N, F or S and three characters) must follow the amount",
        ));
    }
    rest = &rest[4..];
    let (customer_reference, bank_reference) = match rest.find("//") {
        Some(position) => (rest[..position].trim(), Some(rest[position + 2..].trim())),
        None => (rest.trim(), None),
    };
    Ok(Entry {
        booking_date,
        value_date,
        amount: Money::from_fen(sign * amount.fen()),
        bank_reference: bank_reference.filter(|reference| !reference.is_empty()).map(str::to_string),
        customer_reference: customer_reference.to_string(),
        supplementary: field.lines[1..].join(" ").trim().to_string(),
    })
}

/// What `:86:` says: structured (`/CNTP/account/bic/name/city/` and `/REMI/text`, the SWIFT/ING convention) or free
/// text, which is then the remittance as a whole.
struct Information {
    counterparty_name: Option<String>,
    counterparty_account: Option<String>,
    remittance: String,
}

const KEYWORDS: [&str; 10] = ["CNTP", "REMI", "EREF", "ORDP", "BENM", "TRCD", "PREF", "MARF", "CSID", "IREF"];

fn parse_information(text: &str) -> Information {
    let text = text.trim();
    let structured = text.starts_with('/') && KEYWORDS.iter().any(|key| text[1..].starts_with(&format!("{key}/")));
    if !structured {
        return Information {
            counterparty_name: None,
            counterparty_account: None,
            remittance: normalize_text(text),
        };
    }
    // Cut the text at each "/KEY/".
    let mut parts: Vec<(&str, &str)> = Vec::new();
    let mut position = 0;
    let mut current: Option<(&str, usize)> = None;
    while position < text.len() {
        let found = KEYWORDS.iter().find(|key| {
            text[position..].starts_with('/')
                && text[position + 1..].starts_with(**key)
                && text[position + 1 + key.len()..].starts_with('/')
        });
        if let Some(key) = found {
            if let Some((previous, start)) = current {
                parts.push((previous, &text[start..position]));
            }
            position += key.len() + 2;
            current = Some((key, position));
        } else {
            position += text[position..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if let Some((key, start)) = current {
        parts.push((key, &text[start..]));
    }
    let value = |key: &str| {
        parts
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, value)| value.trim_end_matches('/').trim())
    };
    let mut counterparty = value("CNTP").unwrap_or("").split('/');
    let account = counterparty
        .next()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_string);
    let _bic = counterparty.next();
    let name = counterparty.next().map(normalize_text).filter(|text| !text.is_empty());
    Information {
        counterparty_name: name,
        counterparty_account: account,
        remittance: normalize_text(value("REMI").unwrap_or(text)),
    }
}

pub(super) fn read(bytes: &[u8]) -> Result<Statement, StatementError> {
    let text = decode_utf8_or_gbk(bytes)?;
    let messages = messages(&text);
    if messages.is_empty() {
        return Err(StatementError::FieldMissing { line: 1, tag: ":20:" });
    }
    let mut account: Option<String> = None;
    let mut statement_id: Option<String> = None;
    let mut currency = String::new();
    let mut opening_balance: Option<(Money, NaiveDate)> = None;
    let mut closing_balance: Option<(Money, NaiveDate)> = None;
    let mut lines: Vec<StatementLine> = Vec::new();
    let mut references: Vec<Option<String>> = Vec::new();
    for message in &messages {
        let first_line = message.first().map_or(1, |field| field.line);
        let find = |tags: &[&str]| message.iter().find(|field| tags.contains(&field.tag.as_str()));
        let reference = find(&["20"]).ok_or(StatementError::FieldMissing {
            line: first_line,
            tag: ":20:",
        })?;
        let account_field = find(&["25"]).ok_or(StatementError::FieldMissing {
            line: first_line,
            tag: ":25:",
        })?;
        let opening_field = find(&["60F", "60M"]).ok_or(StatementError::FieldMissing {
            line: first_line,
            tag: ":60F:",
        })?;
        let closing_field = find(&["62F", "62M"]).ok_or(StatementError::FieldMissing {
            line: first_line,
            tag: ":62F:",
        })?;
        let this_account = account_field.unwrapped().trim().to_string();
        match &account {
            Some(first) if *first != this_account => {
                return Err(StatementError::AccountsDiffer {
                    line: account_field.line,
                    first: first.clone(),
                    second: this_account,
                })
            }
            Some(_) => {}
            None => account = Some(this_account),
        }
        statement_id.get_or_insert_with(|| reference.unwrapped().trim().to_string());
        let (opening, opening_date, opening_currency) = parse_balance(opening_field, ":60F:")?;
        let (closing, closing_date, _) = parse_balance(closing_field, ":62F:")?;
        if currency.is_empty() {
            currency = opening_currency;
        }
        opening_balance.get_or_insert((opening, opening_date));
        closing_balance = Some((closing, closing_date));
        let first_of_message = lines.len();
        for (index, field) in message.iter().enumerate() {
            if field.tag != "61" {
                continue;
            }
            let entry = parse_statement_line(field)?;
            let information = message
                .get(index + 1)
                .filter(|next| next.tag == "86")
                .map(|next| parse_information(&next.unwrapped()))
                .unwrap_or(Information {
                    counterparty_name: None,
                    counterparty_account: None,
                    remittance: String::new(),
                });
            let mut remittance = information.remittance;
            if remittance.is_empty() {
                remittance = normalize_text(&format!("{} {}", entry.customer_reference, entry.supplementary));
            }
            lines.push(StatementLine {
                line_number: field.line,
                booking_date: entry.booking_date,
                value_date: Some(entry.value_date),
                amount: entry.amount,
                currency: currency.clone(),
                counterparty_name: information.counterparty_name,
                counterparty_account: information.counterparty_account,
                virtual_account: None,
                remittance,
                bank_reference: String::new(),
            });
            references.push(entry.bank_reference);
        }
        check_balances(Some(opening), Some(closing), &lines[first_of_message..], closing_field.line)?;
    }
    let account = account.unwrap_or_default();
    let mut assigner = ReferenceAssigner::new(&account);
    for (line, reference) in lines.iter_mut().zip(references) {
        line.bank_reference = assigner.assign(line, reference.as_deref());
    }
    let period = period_of(&lines).or(match (opening_balance, closing_balance) {
        (Some((_, from)), Some((_, to))) if from <= to => Some(StatementPeriod { from, to }),
        _ => None,
    });
    Ok(Statement {
        format: StatementFormat::Mt940,
        account,
        currency,
        statement_id,
        opening_balance: opening_balance.map(|(amount, _)| amount),
        closing_balance: closing_balance.map(|(amount, _)| amount),
        statement_date: closing_balance.map(|(_, date)| date),
        period,
        lines,
    })
}
