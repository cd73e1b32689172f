//! Tables as the files finance downloads: CSV (UTF-8 with a byte-order mark, so Excel opens Chinese text right) and
//! XLSX. Every cell is text: amounts stay decimal strings exactly as the ledger has them (STYLE habit 11: no float
//! ever holds money).

use crate::error::{Outcome, Refusal};

/// The rows as CSV, quoting the cells that need it.
pub fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut text = String::from("\u{feff}");
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| {
                if cell.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", cell.replace('"', "\"\""))
                } else {
                    cell.clone()
                }
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push_str("\r\n");
    }
    text.into_bytes()
}

/// The rows as an XLSX workbook of one sheet named `sheet_name`, its first column `first_column_width` wide.
pub fn xlsx(sheet_name: &str, rows: &[Vec<String>], first_column_width: f64) -> Outcome<Vec<u8>> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name).map_err(Refusal::internal)?;
    for (row_index, row) in rows.iter().enumerate() {
        let row_number = u32::try_from(row_index).map_err(Refusal::internal)?;
        for (column, cell) in row.iter().enumerate() {
            let column = u16::try_from(column).map_err(Refusal::internal)?;
            sheet.write_string(row_number, column, cell).map_err(Refusal::internal)?;
        }
    }
    sheet.set_column_width(0, first_column_width).map_err(Refusal::internal)?;
    workbook.save_to_buffer().map_err(Refusal::internal)
}
