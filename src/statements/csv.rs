//! CSV statements with configurable columns. Every Chinese bank exports its own layout (and often in GBK), so the
//! court describes its banks' exports in JSON (`CsvLayout`) instead of the code guessing.
//!
//! The reader makes one pass over the text, record by record, borrowing unquoted fields from the input; its cost
//! per line is constant apart from the identity map of `ReferenceAssigner` (see the measurement in `tests.rs`).

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    decode_gbk, decode_utf8, normalize_text, parse_signed_amount, period_of, ReferenceAssigner, Statement, StatementError, StatementFormat,
    StatementLine,
};
use crate::money::Money;

/// The text encoding of an export. Chinese banks' desktop exports are mostly GBK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    #[default]
    Utf8,
    /// GBK, read as GB18030 (its superset), so every GBK file reads the same.
    Gbk,
}

/// A column: its number counted from 1 as a spreadsheet shows it (`3` is column C), or its header text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Column {
    Number(usize),
    Header(String),
}

impl Column {
    fn describe(&self) -> String {
        match self {
            Column::Number(number) => format!("#{number}"),
            Column::Header(header) => header.clone(),
        }
    }
}

/// Where each field is. The amount is either one signed column (`amount`, optionally with a `direction` column
/// holding a debit/credit mark such as 借/贷), or two columns `debit` and `credit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvColumns {
    pub booking_date: Column,
    #[serde(default)]
    pub value_date: Option<Column>,
    #[serde(default)]
    pub amount: Option<Column>,
    #[serde(default)]
    pub direction: Option<Column>,
    #[serde(default)]
    pub debit: Option<Column>,
    #[serde(default)]
    pub credit: Option<Column>,
    #[serde(default)]
    pub currency: Option<Column>,
    #[serde(default)]
    pub counterparty_name: Option<Column>,
    #[serde(default)]
    pub counterparty_account: Option<Column>,
    /// The court-side virtual sub-account (子账号), where the bank exports one.
    #[serde(default)]
    pub virtual_account: Option<Column>,
    /// The remittance text: one column or several (e.g. 摘要 and 附言), joined with a space.
    #[serde(default)]
    pub remittance: Vec<Column>,
    /// The bank's transaction reference (流水号), where the export has one.
    #[serde(default)]
    pub bank_reference: Option<Column>,
    /// The court's own account number, where the export repeats it on each row.
    #[serde(default)]
    pub account: Option<Column>,
}

/// How to read one bank's CSV export. Deserialised from the court's JSON configuration; every field but `columns`
/// has a default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvLayout {
    /// The court's account the statement is for, when the rows do not carry it (`columns.account`).
    #[serde(default)]
    pub account: Option<String>,
    /// The field separator. Default `,`.
    #[serde(default = "default_delimiter")]
    pub delimiter: char,
    /// Rows before the header row (a bank's banner: account name, period…). Default 0.
    #[serde(default)]
    pub skip_rows: usize,
    /// Whether the first row after `skip_rows` names the columns. Default true.
    #[serde(default = "default_true")]
    pub header: bool,
    /// Rows at the end that are not movements (合计 lines). Default 0.
    #[serde(default)]
    pub skip_footer_rows: usize,
    /// Default `utf8`.
    #[serde(default)]
    pub encoding: TextEncoding,
    /// A chrono format for the date part of a date cell (anything after a space, such as a time, is ignored).
    /// Default `%Y-%m-%d`.
    #[serde(default = "default_date_format")]
    pub date_format: String,
    /// The thousands separator in amounts ("1,234.56"); `null` for none. Default `,`.
    #[serde(default = "default_thousands_separator")]
    pub thousands_separator: Option<char>,
    /// The currency when no column gives it. Default `CNY`.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Marks in the `direction` column that mean money in. Default 贷, 收, 收入, C, CR, CREDIT.
    #[serde(default = "default_credit_marks")]
    pub credit_marks: Vec<String>,
    /// Marks in the `direction` column that mean money out. Default 借, 付, 支出, D, DR, DEBIT.
    #[serde(default = "default_debit_marks")]
    pub debit_marks: Vec<String>,
    pub columns: CsvColumns,
}

fn default_delimiter() -> char {
    ','
}
fn default_true() -> bool {
    true
}
fn default_date_format() -> String {
    "%Y-%m-%d".to_string()
}
fn default_thousands_separator() -> Option<char> {
    Some(',')
}
fn default_currency() -> String {
    "CNY".to_string()
}
fn default_credit_marks() -> Vec<String> {
    ["贷", "收", "收入", "C", "CR", "CREDIT"].map(String::from).to_vec()
}
fn default_debit_marks() -> Vec<String> {
    ["借", "付", "支出", "D", "DR", "DEBIT"].map(String::from).to_vec()
}

impl CsvLayout {
    /// Reads a layout from the court's JSON configuration.
    pub fn from_json(text: &str) -> Result<CsvLayout, StatementError> {
        let layout: CsvLayout = serde_json::from_str(text).map_err(|error| StatementError::LayoutInvalid {
            message: error.to_string(),
        })?;
        layout.validate()?;
        Ok(layout)
    }

    /// Checks that the layout can be used at all, before any row is read.
    pub fn validate(&self) -> Result<(), StatementError> {
        let invalid = |message: &str| {
            Err(StatementError::LayoutInvalid {
                message: message.to_string(),
            })
        };
        let columns = &self.columns;
        match (&columns.amount, &columns.debit, &columns.credit) {
            (Some(_), None, None) => {}
            (None, Some(_), Some(_)) => {
                if columns.direction.is_some() {
                    return invalid("a direction column goes with a single amount column, not with debit and credit columns");
                }
            }
            _ => return invalid("give either one amount column, or both a debit and a credit column"),
        }
        if self.account.is_none() && columns.account.is_none() {
            return invalid("name the court's account: either account, or columns.account");
        }
        if matches!(self.delimiter, '"' | '\n' | '\r') {
            return invalid("the delimiter cannot be a quote or a line break");
        }
        if self.thousands_separator == Some('.') {
            return invalid("the thousands separator cannot be the decimal point");
        }
        if self.date_format.is_empty()
            || chrono::format::StrftimeItems::new(&self.date_format).any(|item| matches!(item, chrono::format::Item::Error))
        {
            return invalid("date_format is not a valid chrono format");
        }
        for column in self.all_columns() {
            match column {
                Column::Number(0) => return invalid("column numbers count from 1 (column A is 1)"),
                Column::Header(_) if !self.header => return invalid("columns are named by header but the layout has no header row"),
                _ => {}
            }
        }
        Ok(())
    }

    fn all_columns(&self) -> impl Iterator<Item = &Column> {
        let columns = &self.columns;
        [
            Some(&columns.booking_date),
            columns.value_date.as_ref(),
            columns.amount.as_ref(),
            columns.direction.as_ref(),
            columns.debit.as_ref(),
            columns.credit.as_ref(),
            columns.currency.as_ref(),
            columns.counterparty_name.as_ref(),
            columns.counterparty_account.as_ref(),
            columns.virtual_account.as_ref(),
            columns.bank_reference.as_ref(),
            columns.account.as_ref(),
        ]
        .into_iter()
        .flatten()
        .chain(columns.remittance.iter())
    }
}

/// Column positions, 0-based, resolved against the header row.
struct Resolved {
    booking_date: usize,
    value_date: Option<usize>,
    amount: Option<usize>,
    direction: Option<usize>,
    debit: Option<usize>,
    credit: Option<usize>,
    currency: Option<usize>,
    counterparty_name: Option<usize>,
    counterparty_account: Option<usize>,
    virtual_account: Option<usize>,
    remittance: Vec<usize>,
    bank_reference: Option<usize>,
    account: Option<usize>,
}

fn resolve(layout: &CsvLayout, header: Option<(&[Cow<str>], usize)>) -> Result<Resolved, StatementError> {
    let position = |field: &'static str, column: &Column| -> Result<usize, StatementError> {
        match column {
            Column::Number(number) => Ok(number - 1),
            Column::Header(name) => {
                let (cells, line) = header.ok_or_else(|| StatementError::LayoutInvalid {
                    message: "columns are named by header but the file has no header row".into(),
                })?;
                cells
                    .iter()
                    .position(|cell| cell.trim().trim_start_matches('\u{feff}') == name.trim())
                    .ok_or_else(|| StatementError::ColumnMissing {
                        line,
                        field,
                        column: name.clone(),
                    })
            }
        }
    };
    let optional = |field: &'static str, column: &Option<Column>| column.as_ref().map(|column| position(field, column)).transpose();
    let columns = &layout.columns;
    Ok(Resolved {
        booking_date: position("booking_date", &columns.booking_date)?,
        value_date: optional("value_date", &columns.value_date)?,
        amount: optional("amount", &columns.amount)?,
        direction: optional("direction", &columns.direction)?,
        debit: optional("debit", &columns.debit)?,
        credit: optional("credit", &columns.credit)?,
        currency: optional("currency", &columns.currency)?,
        counterparty_name: optional("counterparty_name", &columns.counterparty_name)?,
        counterparty_account: optional("counterparty_account", &columns.counterparty_account)?,
        virtual_account: optional("virtual_account", &columns.virtual_account)?,
        remittance: columns
            .remittance
            .iter()
            .map(|column| position("remittance", column))
            .collect::<Result<_, _>>()?,
        bank_reference: optional("bank_reference", &columns.bank_reference)?,
        account: optional("account", &columns.account)?,
    })
}

/// Splits the text into records, honouring quotes (RFC 4180: `""` inside quotes is one quote, and a quoted field
/// may span lines). Unquoted fields are borrowed from the input.
///
/// Why not the `csv` crate: it accepts a quote that is never closed and reads the rest of the file into that one
/// field, without an error (BurntSushi/rust-csv#252, closed without an option). For a bank statement that means
/// lines silently lost from the import; this reader refuses the file instead (`quote_unclosed`, with its line). Its
/// delimiter may also be any character a bank uses, not only an ASCII byte.
struct Records<'a> {
    text: &'a str,
    position: usize,
    end: usize,
    line: usize,
    delimiter: char,
}

impl<'a> Records<'a> {
    /// The next record and the line it starts on; `None` at the end.
    fn next_record(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Option<Result<usize, StatementError>> {
        fields.clear();
        if self.position >= self.end {
            return None;
        }
        let start_line = self.line;
        let rest = &self.text[self.position..self.end];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let physical = &rest[..line_end];
        if !physical.contains('"') {
            let physical = physical.strip_suffix('\r').unwrap_or(physical);
            fields.extend(physical.split(self.delimiter).map(Cow::Borrowed));
            self.position += (line_end + 1).min(rest.len());
            self.line += 1;
            return Some(Ok(start_line));
        }
        // The slow path: a quoted field, perhaps across lines.
        let mut field = String::new();
        let mut quoted = false;
        let mut at_field_start = true;
        let mut chars = rest.char_indices().peekable();
        let mut consumed = rest.len();
        while let Some((index, c)) = chars.next() {
            if quoted {
                if c == '"' {
                    if chars.peek().map(|(_, next)| *next) == Some('"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                    }
                } else {
                    if c == '\n' {
                        self.line += 1;
                    }
                    field.push(c);
                }
                continue;
            }
            if c == '"' && at_field_start {
                quoted = true;
                at_field_start = false;
            } else if c == self.delimiter {
                fields.push(Cow::Owned(std::mem::take(&mut field)));
                at_field_start = true;
            } else if c == '\n' {
                consumed = index + 1;
                break;
            } else if c == '\r' && chars.peek().map(|(_, next)| *next) == Some('\n') {
                continue;
            } else {
                field.push(c);
                at_field_start = false;
            }
        }
        if quoted {
            return Some(Err(StatementError::QuoteUnclosed { line: start_line }));
        }
        fields.push(Cow::Owned(field));
        self.position += consumed;
        self.line += 1;
        Some(Ok(start_line))
    }
}

/// The byte offset where the last `rows` non-empty lines begin (the footer), or the text's end.
fn footer_start(text: &str, rows: usize) -> usize {
    let mut end = text.len();
    let mut remaining = rows;
    while remaining > 0 {
        let trimmed = text[..end].trim_end();
        if trimmed.is_empty() {
            return 0;
        }
        end = trimmed.rfind('\n').map_or(0, |index| index + 1);
        remaining -= 1;
    }
    end
}

pub(super) fn read(bytes: &[u8], layout: &CsvLayout) -> Result<Statement, StatementError> {
    layout.validate()?;
    let decoded: Cow<str> = match layout.encoding {
        TextEncoding::Utf8 => Cow::Borrowed(decode_utf8(bytes)?),
        TextEncoding::Gbk => {
            let text = decode_gbk(bytes)?;
            Cow::Owned(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
        }
    };
    let text: &str = &decoded;
    let mut records = Records {
        text,
        position: 0,
        end: footer_start(text, layout.skip_footer_rows),
        line: 1,
        delimiter: layout.delimiter,
    };
    let mut fields: Vec<Cow<str>> = Vec::with_capacity(16);
    for _ in 0..layout.skip_rows {
        if records.next_record(&mut fields).transpose()?.is_none() {
            break;
        }
    }
    let resolved = if layout.header {
        match records.next_record(&mut fields).transpose()? {
            Some(line) => resolve(layout, Some((&fields, line)))?,
            None => resolve(layout, None)?,
        }
    } else {
        resolve(layout, None)?
    };
    let fast_iso_dates = layout.date_format == "%Y-%m-%d";
    let mut account = layout.account.clone();
    let mut lines = Vec::new();
    let mut raw_references: Vec<Option<String>> = Vec::new();
    while let Some(line) = records.next_record(&mut fields).transpose()? {
        if fields.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let cell = |field: &'static str, index: usize| -> Result<&str, StatementError> {
            fields
                .get(index)
                .map(|cell| cell.trim())
                .ok_or_else(|| StatementError::ColumnMissing {
                    line,
                    field,
                    column: layout
                        .all_columns()
                        .find(|column| column_index(column) == Some(index))
                        .map_or_else(|| format!("#{}", index + 1), Column::describe),
                })
        };
        let optional_cell = |field: &'static str, index: Option<usize>| -> Result<Option<String>, StatementError> {
            match index {
                Some(index) => Ok(Some(cell(field, index)?).filter(|text| !text.is_empty()).map(str::to_string)),
                None => Ok(None),
            }
        };
        let date = |field: &'static str, text: &str| -> Result<NaiveDate, StatementError> {
            parse_date(text, &layout.date_format, fast_iso_dates).ok_or_else(|| StatementError::DateInvalid {
                line,
                field,
                value: text.to_string(),
                expected: layout.date_format.clone(),
            })
        };
        let booking_date = date("booking_date", cell("booking_date", resolved.booking_date)?)?;
        let value_date = match optional_cell("value_date", resolved.value_date)? {
            Some(text) => Some(date("value_date", &text)?),
            None => None,
        };
        let amount = match (resolved.amount, resolved.debit, resolved.credit) {
            (Some(index), _, _) => {
                let text = cell("amount", index)?;
                if text.is_empty() {
                    return Err(StatementError::AmountMissing { line });
                }
                let amount = parse_signed_amount(text, line, layout.thousands_separator)?;
                match resolved.direction {
                    Some(direction) => {
                        let mark = cell("direction", direction)?;
                        let magnitude = amount.fen().abs();
                        if layout.credit_marks.iter().any(|credit| credit.eq_ignore_ascii_case(mark)) {
                            Money::from_fen(magnitude)
                        } else if layout.debit_marks.iter().any(|debit| debit.eq_ignore_ascii_case(mark)) {
                            Money::from_fen(-magnitude)
                        } else {
                            return Err(StatementError::DirectionInvalid {
                                line,
                                value: mark.to_string(),
                            });
                        }
                    }
                    None => amount,
                }
            }
            (None, Some(debit), Some(credit)) => {
                let read = |field: &'static str, index: usize| -> Result<Option<Money>, StatementError> {
                    let text = cell(field, index)?;
                    if text.is_empty() || text == "-" {
                        return Ok(None);
                    }
                    parse_signed_amount(text, line, layout.thousands_separator).map(Some)
                };
                match (read("debit", debit)?, read("credit", credit)?) {
                    (Some(debit), Some(credit)) if debit.fen() != 0 && credit.fen() != 0 => {
                        return Err(StatementError::AmountInBothColumns { line })
                    }
                    (Some(debit), Some(credit)) => Money::from_fen(credit.fen() - debit.fen().abs()),
                    (Some(debit), None) => Money::from_fen(-debit.fen().abs()),
                    (None, Some(credit)) => credit,
                    (None, None) => return Err(StatementError::AmountMissing { line }),
                }
            }
            _ => unreachable!("CsvLayout::validate requires an amount column or debit and credit columns"),
        };
        if let Some(index) = resolved.account {
            let row_account = cell("account", index)?;
            match &account {
                Some(first) if !row_account.is_empty() && first != row_account => {
                    return Err(StatementError::AccountsDiffer {
                        line,
                        first: first.clone(),
                        second: row_account.to_string(),
                    })
                }
                None if !row_account.is_empty() => account = Some(row_account.to_string()),
                _ => {}
            }
        }
        let mut remittance = String::new();
        for &index in &resolved.remittance {
            let text = cell("remittance", index)?;
            if !text.is_empty() {
                if !remittance.is_empty() {
                    remittance.push(' ');
                }
                remittance.push_str(text);
            }
        }
        lines.push(StatementLine {
            line_number: line,
            booking_date,
            value_date,
            amount,
            currency: optional_cell("currency", resolved.currency)?.unwrap_or_else(|| layout.currency.clone()),
            counterparty_name: optional_cell("counterparty_name", resolved.counterparty_name)?.map(|name| normalize_text(&name)),
            counterparty_account: optional_cell("counterparty_account", resolved.counterparty_account)?,
            virtual_account: optional_cell("virtual_account", resolved.virtual_account)?,
            remittance,
            bank_reference: String::new(),
        });
        raw_references.push(optional_cell("bank_reference", resolved.bank_reference)?);
    }
    let account = account.unwrap_or_default();
    let mut assigner = ReferenceAssigner::new(&account);
    for (line, reference) in lines.iter_mut().zip(raw_references) {
        line.bank_reference = assigner.assign(line, reference.as_deref());
    }
    Ok(Statement {
        format: StatementFormat::Csv,
        currency: lines.first().map_or_else(|| layout.currency.clone(), |line| line.currency.clone()),
        account,
        statement_id: None,
        opening_balance: None,
        closing_balance: None,
        statement_date: None,
        period: period_of(&lines),
        lines,
    })
}

fn column_index(column: &Column) -> Option<usize> {
    match column {
        Column::Number(number) => number.checked_sub(1),
        Column::Header(_) => None,
    }
}

/// Reads the date part of a cell. "2026-01-05" is read without chrono's format machinery, since it is by far the
/// most common and the reader must keep up with a million lines.
fn parse_date(text: &str, format: &str, fast_iso: bool) -> Option<NaiveDate> {
    let date_part = text.split([' ', 'T']).next().unwrap_or(text);
    if fast_iso {
        let bytes = date_part.as_bytes();
        if bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-' {
            let number = |range: std::ops::Range<usize>| -> Option<u32> {
                bytes[range]
                    .iter()
                    .try_fold(0u32, |acc, &byte| byte.is_ascii_digit().then(|| acc * 10 + u32::from(byte - b'0')))
            };
            return NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?);
        }
        return None;
    }
    NaiveDate::parse_from_str(date_part, format)
        .ok()
        .or_else(|| NaiveDate::parse_from_str(text, format).ok())
}

/// The layout of `synthetic_csv`'s output.
pub fn synthetic_layout(references: SyntheticReferences) -> CsvLayout {
    let reference = match references {
        SyntheticReferences::BankSerials => r#""bank_reference": "交易流水号","#,
        SyntheticReferences::None => "",
    };
    CsvLayout::from_json(&format!(
        r#"{{
            "account": "37010200000000000001",
            "columns": {{
                {reference}
                "booking_date": "交易日期",
                "amount": "金额",
                "counterparty_name": "对方户名",
                "counterparty_account": "对方账号",
                "remittance": ["附言"]
            }}
        }}"#
    ))
    .expect("the synthetic layout is valid")
}

/// Whether a synthetic statement carries the bank's own transaction serial numbers (交易流水号), as Chinese banks'
/// CSV exports do, or none, so that every line takes the slower identity hashed from its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntheticReferences {
    BankSerials,
    None,
}

/// A deterministic UTF-8 CSV statement of `lines` movements for benchmarking imports (SPEC §8: 1,000,000 lines).
/// Every tenth line is a debit; the credits name the given collection accounts in turn in their remittance, and
/// every seventh credit names no account at all (it goes to suspense). With `BankSerials`, the first column is the
/// bank's running serial number; without, every line takes the slower, hashed identity. Read it with
/// `synthetic_layout` of the same choice.
pub fn synthetic_csv(lines: usize, accounts: &[String], references: SyntheticReferences) -> Vec<u8> {
    use std::fmt::Write;
    let mut out = String::with_capacity(64 + lines * 112);
    if references == SyntheticReferences::BankSerials {
        out.push_str("交易流水号,");
    }
    out.push_str("交易日期,金额,对方户名,对方账号,附言\n");
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).expect("a valid date");
    for index in 0..lines {
        let date = start + chrono::Days::new((index % 300) as u64);
        let fen = (index as i64 * 7919) % 99_999_989 + 1;
        let sign = if index % 10 == 9 { "-" } else { "" };
        let payer = index % 5000;
        let remittance = match accounts {
            _ if index % 7 == 3 => String::from("货款"),
            [] => String::from("执行款"),
            accounts => format!("执行款 {}", accounts[index % accounts.len()]),
        };
        if references == SyntheticReferences::BankSerials {
            let _ = write!(out, "HX{:012},", index + 1);
        }
        let _ = writeln!(
            out,
            "{date},{sign}{}.{:02},付款人{payer},62220202000{payer:08},{remittance}",
            fen / 100,
            fen % 100
        );
    }
    out.into_bytes()
}
