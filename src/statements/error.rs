//! Every refusal of a bank-statement reader: a closed list of stable `snake_case` codes, each with the rule it serves
//! (STYLE habit 4). A reader never panics on bad input and never guesses: an amount it cannot read exactly, a date
//! it cannot read, a column it cannot find is a refusal that names the line of the file, so finance staff can fix
//! the export and import it again. Nothing is posted from a statement that does not read whole.
//!
//! `rule()` is "FUND-2" where the refusal keeps the per-case record of receipts exact (逐案登记、明细账: an amount or a
//! balance), and "DESIGN" where it only concerns the file's syntax.

/// A reader's refusal. `line` is the 1-based line of the source file where the problem was found (0 when the
/// problem is the file as a whole, such as an unknown format or a layout that cannot be used).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("unknown statement format '{value}': expected csv, mt940 or camt053")]
    FormatUnknown { value: String },
    #[error("the file is not valid {encoding} text (line {line})")]
    EncodingInvalid { line: usize, encoding: &'static str },
    #[error("the CSV layout cannot be used: {message}")]
    LayoutInvalid { message: String },
    #[error("a CSV layout is needed to read a CSV statement")]
    LayoutMissing,
    #[error("line {line}: the column '{column}' for {field} is missing")]
    ColumnMissing { line: usize, field: &'static str, column: String },
    #[error("line {line}: an opening quote is never closed")]
    QuoteUnclosed { line: usize },
    #[error("line {line}: {field} '{value}' is not a date in the format {expected}")]
    DateInvalid {
        line: usize,
        field: &'static str,
        value: String,
        expected: String,
    },
    #[error("line {line}: the amount '{value}' is not a decimal amount of yuan")]
    AmountInvalid { line: usize, value: String },
    #[error("line {line}: the amount '{value}' has more than two decimals; an amount is never rounded")]
    AmountTooManyDecimals { line: usize, value: String },
    #[error("line {line}: the amount '{value}' is too large")]
    AmountTooLarge { line: usize, value: String },
    #[error("line {line}: the line has no amount")]
    AmountMissing { line: usize },
    #[error("line {line}: the line has an amount in both the debit and the credit column")]
    AmountInBothColumns { line: usize },
    #[error("line {line}: the debit/credit mark '{value}' is not one of the layout's marks")]
    DirectionInvalid { line: usize, value: String },
    #[error("line {line}: the field {tag} is missing")]
    FieldMissing { line: usize, tag: &'static str },
    #[error("line {line}: the field {tag} cannot be read: {message}")]
    FieldMalformed { line: usize, tag: &'static str, message: String },
    #[error("line {line}: the file is not well-formed XML: {message}")]
    XmlInvalid { line: usize, message: String },
    #[error("the XML document is not an ISO 20022 camt.053 statement (namespace '{namespace}')")]
    NotCamt053 { namespace: String },
    #[error("line {line}: the file holds statements of two accounts ({first} and {second}); import them one by one")]
    AccountsDiffer { line: usize, first: String, second: String },
    #[error("line {line}: the opening balance {opening} plus the lines ({movements}) is not the closing balance {closing}")]
    BalanceMismatch {
        line: usize,
        opening: String,
        movements: String,
        closing: String,
    },
}

impl StatementError {
    /// The stable code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            StatementError::FormatUnknown { .. } => "format_unknown",
            StatementError::EncodingInvalid { .. } => "encoding_invalid",
            StatementError::LayoutInvalid { .. } => "layout_invalid",
            StatementError::LayoutMissing => "layout_missing",
            StatementError::ColumnMissing { .. } => "column_missing",
            StatementError::QuoteUnclosed { .. } => "quote_unclosed",
            StatementError::DateInvalid { .. } => "date_invalid",
            StatementError::AmountInvalid { .. } => "amount_invalid",
            StatementError::AmountTooManyDecimals { .. } => "amount_too_many_decimals",
            StatementError::AmountTooLarge { .. } => "amount_too_large",
            StatementError::AmountMissing { .. } => "amount_missing",
            StatementError::AmountInBothColumns { .. } => "amount_in_both_columns",
            StatementError::DirectionInvalid { .. } => "direction_invalid",
            StatementError::FieldMissing { .. } => "field_missing",
            StatementError::FieldMalformed { .. } => "field_malformed",
            StatementError::XmlInvalid { .. } => "xml_invalid",
            StatementError::NotCamt053 { .. } => "not_camt053",
            StatementError::AccountsDiffer { .. } => "accounts_differ",
            StatementError::BalanceMismatch { .. } => "balance_mismatch",
        }
    }

    /// The rule the refusal serves ("DESIGN" where it only concerns the file's syntax).
    pub fn rule(&self) -> &'static str {
        match self {
            StatementError::AmountInvalid { .. }
            | StatementError::AmountTooManyDecimals { .. }
            | StatementError::AmountTooLarge { .. }
            | StatementError::AmountMissing { .. }
            | StatementError::AmountInBothColumns { .. }
            | StatementError::DirectionInvalid { .. }
            | StatementError::AccountsDiffer { .. }
            | StatementError::BalanceMismatch { .. } => "FUND-2",
            StatementError::FormatUnknown { .. }
            | StatementError::EncodingInvalid { .. }
            | StatementError::LayoutInvalid { .. }
            | StatementError::LayoutMissing
            | StatementError::ColumnMissing { .. }
            | StatementError::QuoteUnclosed { .. }
            | StatementError::DateInvalid { .. }
            | StatementError::FieldMissing { .. }
            | StatementError::FieldMalformed { .. }
            | StatementError::XmlInvalid { .. }
            | StatementError::NotCamt053 { .. } => "DESIGN",
        }
    }

    /// The 1-based line of the source file, or 0 when the refusal concerns the file as a whole.
    pub fn line(&self) -> usize {
        match self {
            StatementError::FormatUnknown { .. } | StatementError::LayoutInvalid { .. } | StatementError::LayoutMissing => 0,
            StatementError::NotCamt053 { .. } => 0,
            StatementError::EncodingInvalid { line, .. }
            | StatementError::ColumnMissing { line, .. }
            | StatementError::QuoteUnclosed { line }
            | StatementError::DateInvalid { line, .. }
            | StatementError::AmountInvalid { line, .. }
            | StatementError::AmountTooManyDecimals { line, .. }
            | StatementError::AmountTooLarge { line, .. }
            | StatementError::AmountMissing { line }
            | StatementError::AmountInBothColumns { line }
            | StatementError::DirectionInvalid { line, .. }
            | StatementError::FieldMissing { line, .. }
            | StatementError::FieldMalformed { line, .. }
            | StatementError::XmlInvalid { line, .. }
            | StatementError::AccountsDiffer { line, .. }
            | StatementError::BalanceMismatch { line, .. } => *line,
        }
    }
}
