//! `--format csv`: one row per finding, for a privacy officer's spreadsheet.
//!
//! The columns are the JSONL contract with `location` flattened: `path`, `inner`, `rule`,
//! `category`, `severity`, `confidence`, `masked`, `value` (only with `--reveal`), `line`,
//! `column`, `page`, `sheet`, `cell`, `part`, `field`, `fingerprint`, `note`. Files not
//! examined follow as rows with an empty `rule` and `note` = `not examined: REASON`.
//!
//! Excel decides the encoding and the delimiter from the file: a UTF-8 byte-order mark makes it
//! read "fødselsnummer" correctly, and Norwegian Excel splits on `;` (`,` is the decimal
//! separator there), hence the defaults. A cell that starts with `=`, `+`, `-`, `@`, tab or CR
//! would be run as a formula by a spreadsheet (file names come from the scanned tree, masked
//! phone numbers start with `+`), so such cells get a leading `'` (OWASP "CSV injection").

use super::{Out, ReportContext, Reporter};
use crate::model::{Finding, NotExamined};
use crate::scan::{FileResult, Summary};
use std::io::{self, Write};

pub struct Csv {
    out: Out,
    ctx: ReportContext,
    results: Vec<FileResult>,
}

impl Csv {
    pub fn new(out: Out, ctx: ReportContext) -> Csv {
        Csv {
            out,
            ctx,
            results: Vec::new(),
        }
    }

    fn header(&self) -> Vec<&'static str> {
        let mut h = vec![
            "path",
            "inner",
            "rule",
            "category",
            "severity",
            "confidence",
            "masked",
        ];
        if self.ctx.reveal {
            h.push("value");
        }
        h.extend([
            "line",
            "column",
            "page",
            "sheet",
            "cell",
            "part",
            "field",
            "fingerprint",
            "note",
        ]);
        h
    }

    fn finding_row(&self, f: &Finding) -> Vec<String> {
        let l = &f.location;
        let mut row = vec![
            f.path.clone(),
            f.inner.clone().unwrap_or_default(),
            f.rule.clone(),
            f.category.as_str().to_string(),
            f.severity.as_str().to_string(),
            f.confidence.as_str().to_string(),
            f.masked.clone(),
        ];
        if self.ctx.reveal {
            row.push(f.value.clone());
        }
        row.extend([
            l.line.to_string(),
            l.column.to_string(),
            l.page.map(|p| p.to_string()).unwrap_or_default(),
            l.sheet.clone().unwrap_or_default(),
            l.cell.clone().unwrap_or_default(),
            l.part.clone().unwrap_or_default(),
            l.field.clone().unwrap_or_default(),
            f.fingerprint.clone(),
            f.note.as_ref().map(|n| n.en.clone()).unwrap_or_default(),
        ]);
        row
    }

    fn not_examined_row(&self, n: &NotExamined, width: usize) -> Vec<String> {
        let mut row = vec![String::new(); width];
        row[0] = n.path.clone();
        row[1] = n.inner.clone().unwrap_or_default();
        row[width - 1] = format!("not examined: {}", n.reason);
        row
    }

    fn summary_rows(summary: &Summary) -> Vec<[String; 3]> {
        let mut rows = vec![
            ["count".into(), "name".into(), "value".into()],
            [
                "files".into(),
                "scanned".into(),
                summary.files_scanned.to_string(),
            ],
            [
                "files".into(),
                "with-findings".into(),
                summary.files_with_findings.to_string(),
            ],
            [
                "files".into(),
                "binary".into(),
                summary.files_binary.to_string(),
            ],
            [
                "files".into(),
                "not-examined".into(),
                summary.not_examined.to_string(),
            ],
            [
                "findings".into(),
                "total".into(),
                summary.findings.to_string(),
            ],
        ];
        for (s, n) in &summary.by_severity {
            rows.push(["severity".into(), s.as_str().into(), n.to_string()]);
        }
        for (c, n) in &summary.by_category {
            rows.push(["category".into(), c.as_str().into(), n.to_string()]);
        }
        for (r, n) in &summary.by_rule {
            rows.push(["rule".into(), r.clone(), n.to_string()]);
        }
        rows
    }
}

/// Prefixes a cell a spreadsheet would evaluate as a formula.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

impl Reporter for Csv {
    fn file(&mut self, result: &FileResult) -> io::Result<()> {
        super::keep(&mut self.results, result);
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.out.write_all("\u{feff}".as_bytes())?;
        let mut w = ::csv::WriterBuilder::new()
            .delimiter(self.ctx.csv_delimiter)
            .flexible(false)
            .from_writer(Vec::new());
        if self.ctx.summary_only {
            for row in Self::summary_rows(summary) {
                w.write_record(row.iter().map(|c| defuse(c).into_owned()))?;
            }
        } else {
            let header = self.header();
            w.write_record(&header)?;
            let (findings, not_examined) = super::sorted(&self.results);
            for f in findings {
                w.write_record(
                    self.finding_row(f)
                        .iter()
                        .map(|c| defuse(c))
                        .map(|c| c.into_owned()),
                )?;
            }
            for n in not_examined {
                w.write_record(
                    self.not_examined_row(n, header.len())
                        .iter()
                        .map(|c| defuse(c).into_owned()),
                )?;
            }
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        self.out.write_all(&bytes)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::testing::{ctx, render};

    fn rows(text: &str, delim: u8) -> Vec<Vec<String>> {
        let body = text.strip_prefix('\u{feff}').expect("starts with a BOM");
        ::csv::ReaderBuilder::new()
            .delimiter(delim)
            .has_headers(false)
            .from_reader(body.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn columns_bom_and_masking() {
        let text = render(Format::Csv, ctx(false));
        let rows = rows(&text, b';');
        assert_eq!(
            rows[0].join(","),
            "path,inner,rule,category,severity,confidence,masked,line,column,page,sheet,cell,\
             part,field,fingerprint,note"
        );
        // Sorted by path: arkiv.docx first, then its not-examined member at the end.
        assert_eq!(rows[1][0], "arkiv.docx");
        assert_eq!(rows[1][1], "word/document.xml");
        assert_eq!(rows[1][2], "no.dnr");
        assert_eq!(rows[2][0], "brev/a <b>.txt");
        assert_eq!(rows[2][7], "2", "line");
        assert_eq!(rows[2][8], "5", "column");
        assert_eq!(rows[2][6], "****** ***00");
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[4][1], "media/bilde.emf");
        assert_eq!(rows[4][15], "not examined: unsupported format");
        assert!(!text.contains("14700"), "no plain value without --reveal");
    }

    #[test]
    fn reveal_adds_the_value_column_and_delimiter_is_configurable() {
        let mut c = ctx(true);
        c.csv_delimiter = b',';
        let rows = rows(&render(Format::Csv, c), b',');
        assert_eq!(rows[0][7], "value");
        assert_eq!(rows[1][7], "200369 14700");
        assert!(rows.iter().all(|r| r.len() == 17));
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(super::defuse("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(super::defuse("+** *** ** *67"), "'+** *** ** *67");
        assert_eq!(super::defuse("brev.txt"), "brev.txt");
    }

    #[test]
    fn summary_only_has_counts() {
        let mut c = ctx(false);
        c.summary_only = true;
        let rows = rows(&render(Format::Csv, c), b';');
        assert_eq!(rows[0], ["count", "name", "value"]);
        assert!(rows.contains(&vec!["findings".into(), "total".into(), "3".into()]));
        assert!(rows.contains(&vec!["rule".into(), "no.fnr".into(), "1".into()]));
        assert!(!rows.iter().any(|r| r[0].contains("brev")));
    }
}
