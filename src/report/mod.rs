//! Reporting: findings, not-examined files and the summary, written in the format asked for.
//!
//! One [`Reporter`] per run lives on the consuming thread and receives one [`FileResult`] at a
//! time (ripgrep's single printer thread), then the [`Summary`]. Streaming formats write as
//! files complete; the others collect and write in [`Reporter::finish`].
//!
//! Every reporter prints `masked` unless the context says `reveal`: the plain value never
//! reaches an output by default.

pub mod csv;
pub mod html;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod sarif;

use crate::model::{Finding, Lang, NotExamined, Severity};
use crate::rules::RuleSet;
use crate::scan::{FileResult, Summary};
use serde::Serialize;
use std::io::{self, Write};
use std::sync::Arc;

/// Output formats (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Findings grouped by file, for people (default)
    Human,
    /// One JSON object per finding per line
    Jsonl,
    /// One JSON document with findings, summary and not-examined files
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers
    Sarif,
    /// One row per finding (UTF-8 with BOM, ';' by default) for spreadsheets
    Csv,
    /// One self-contained HTML page for people (use with --output)
    Html,
}

impl Format {
    /// The format a report file name implies (`rapport.html`, `funn.sarif`), as gitleaks
    /// infers it from `--report-path`. None when the extension names no format.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let ext = name.rsplit('.').next()?;
        Some(match ext {
            "sarif" => Format::Sarif,
            "json" if name.ends_with(".sarif.json") => Format::Sarif,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::Jsonl,
            "csv" => Format::Csv,
            "html" | "htm" => Format::Html,
            _ => return None,
        })
    }
}

/// What every reporter needs to know about the run.
#[derive(Debug, Clone)]
pub struct ReportContext {
    pub rules: Arc<RuleSet>,
    pub lang: Lang,
    pub color: bool,
    pub reveal: bool,
    /// Sort streamed output (JSONL) by path and location, for reproducible output.
    pub sort: bool,
    /// Counts only, no individual findings.
    pub summary_only: bool,
    pub fail_on: Severity,
    /// Field delimiter of `--format csv`.
    pub csv_delimiter: u8,
    /// What was scanned and how, for reports that document the run.
    pub run: RunInfo,
}

/// The scan's parameters, as the HTML and SARIF reports record them. Never holds a value found.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    /// The paths given on the command line, as given (`-` for standard input).
    pub paths: Vec<String>,
    /// The `--files-from` list, if any.
    pub files_from: Option<String>,
    /// When the scan started: `YYYY-MM-DD HH:MM UTC`.
    pub started: String,
    pub config: Option<String>,
    pub baseline: Option<String>,
    pub globs: Vec<String>,
    pub max_filesize: Option<u64>,
    pub respect_gitignore: bool,
    pub strict: bool,
    pub disabled_rules: Vec<String>,
    pub severity_overrides: Vec<(String, Severity)>,
    /// Number of hashes on the config's allowlist.
    pub allowlist_entries: usize,
}

impl RunInfo {
    /// The current time as `YYYY-MM-DD HH:MM UTC`; `SOURCE_DATE_EPOCH` (seconds) overrides the
    /// clock so that reports can be reproduced byte for byte.
    pub fn now() -> String {
        let secs = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64)
            });
        utc_timestamp(secs)
    }
}

/// Seconds since the Unix epoch as `YYYY-MM-DD HH:MM UTC` (proleptic Gregorian calendar;
/// Howard Hinnant's `civil_from_days`).
pub fn utc_timestamp(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// Where a report is written. `Send`, like the reporters: files finish on worker threads,
/// which hand their results to the reporter under a lock ([`crate::scan::run`]).
pub type Out = Box<dyn Write + Send>;

pub trait Reporter: Send {
    fn file(&mut self, result: &FileResult) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

impl Format {
    pub fn reporter(self, out: Out, ctx: ReportContext) -> Box<dyn Reporter> {
        match self {
            Format::Human => Box::new(human::Human::new(out, ctx)),
            Format::Jsonl => Box::new(jsonl::Jsonl::new(out, ctx)),
            Format::Json => Box::new(json::Json::new(out, ctx)),
            Format::Sarif => Box::new(sarif::Sarif::new(out, ctx)),
            Format::Csv => Box::new(csv::Csv::new(out, ctx)),
            Format::Html => Box::new(html::Html::new(out, ctx)),
        }
    }
}

/// The serialised form of a finding: the JSONL/JSON contract (README "Output contract").
#[derive(Debug, Serialize)]
pub struct FindingOut<'a> {
    pub path: &'a str,
    pub inner: Option<&'a str>,
    pub rule: &'a str,
    pub category: crate::model::Category,
    pub severity: Severity,
    pub confidence: crate::model::Confidence,
    pub masked: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
    pub location: &'a crate::model::Location,
    pub fingerprint: &'a str,
    pub note: Option<&'a str>,
}

impl<'a> FindingOut<'a> {
    pub fn new(f: &'a Finding, reveal: bool) -> FindingOut<'a> {
        FindingOut {
            path: &f.path,
            inner: f.inner.as_deref(),
            rule: &f.rule,
            category: f.category,
            severity: f.severity,
            confidence: f.confidence,
            masked: &f.masked,
            value: reveal.then_some(f.value.as_str()),
            location: &f.location,
            fingerprint: &f.fingerprint,
            note: f.note.as_ref().map(|n| n.en.as_str()),
        }
    }
}

/// Sorts findings and not-examined entries of collected results into report order.
pub fn sorted(results: &[FileResult]) -> (Vec<&Finding>, Vec<&NotExamined>) {
    let mut findings: Vec<&Finding> = results.iter().flat_map(|r| &r.findings).collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut ne: Vec<&NotExamined> = results.iter().flat_map(|r| &r.not_examined).collect();
    ne.sort();
    (findings, ne)
}

/// Collects the results that matter to a report written at the end (findings or files not
/// examined); clean files are only counted, in the summary.
pub(crate) fn keep(results: &mut Vec<FileResult>, result: &FileResult) {
    if !result.findings.is_empty() || !result.not_examined.is_empty() {
        results.push(result.clone());
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A small, fixed set of results for the reporters' unit tests.
    use super::*;
    use crate::model::{Category, Confidence, Location, Text};
    use crate::scan::FileStatus;

    pub fn finding(path: &str, inner: Option<&str>, rule: &str, line: u64) -> Finding {
        let rules = RuleSet::builtin().unwrap();
        let r = rules.get(rule).unwrap();
        Finding {
            path: path.to_string(),
            inner: inner.map(str::to_string),
            rule: rule.to_string(),
            category: r.category,
            severity: r.severity,
            confidence: Confidence::High,
            masked: "****** ***00".to_string(),
            value: "200369 14700".to_string(),
            normalized: "20036914700".to_string(),
            location: Location {
                line,
                column: 5,
                ..Default::default()
            },
            fingerprint: format!("{:032x}", line),
            note: Some(Text::new("notat", "note")),
        }
    }

    pub fn results() -> Vec<FileResult> {
        let mut a = FileResult {
            path: "brev/a <b>.txt".to_string(),
            status: FileStatus::Scanned,
            bytes: 100,
            findings: vec![
                finding("brev/a <b>.txt", None, "no.fnr", 2),
                finding("brev/a <b>.txt", None, "email", 3),
            ],
            not_examined: Vec::new(),
        };
        a.findings[1].category = Category::Contact;
        let b = FileResult {
            path: "arkiv.docx".to_string(),
            status: FileStatus::Scanned,
            bytes: 50,
            findings: vec![finding(
                "arkiv.docx",
                Some("word/document.xml"),
                "no.dnr",
                1,
            )],
            not_examined: vec![NotExamined {
                path: "arkiv.docx".to_string(),
                inner: Some("media/bilde.emf".to_string()),
                reason: "unsupported format".to_string(),
            }],
        };
        vec![a, b]
    }

    pub fn ctx(reveal: bool) -> ReportContext {
        ReportContext {
            rules: Arc::new(RuleSet::builtin().unwrap()),
            lang: Lang::Nb,
            color: false,
            reveal,
            sort: true,
            summary_only: false,
            fail_on: Severity::Medium,
            csv_delimiter: b';',
            run: RunInfo {
                paths: vec![".".to_string()],
                started: utc_timestamp(0),
                ..Default::default()
            },
        }
    }

    /// Runs a reporter over [`results`] and returns what it wrote.
    pub fn render(format: Format, ctx: ReportContext) -> String {
        let buf = SharedBuf::default();
        let mut rep = format.reporter(Box::new(buf.clone()), ctx);
        let mut summary = Summary::default();
        for r in results() {
            summary.add(&r);
            rep.file(&r).unwrap();
        }
        rep.finish(&summary).unwrap();
        let bytes = buf.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[derive(Clone, Default)]
    pub struct SharedBuf(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for SharedBuf {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(utc_timestamp(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_timestamp(1_764_180_540), "2025-11-26 18:09 UTC");
    }

    #[test]
    fn format_from_extension() {
        use std::path::Path;
        assert_eq!(Format::from_path(Path::new("r.HTML")), Some(Format::Html));
        assert_eq!(
            Format::from_path(Path::new("a/r.sarif")),
            Some(Format::Sarif)
        );
        assert_eq!(
            Format::from_path(Path::new("r.sarif.json")),
            Some(Format::Sarif)
        );
        assert_eq!(Format::from_path(Path::new("r.json")), Some(Format::Json));
        assert_eq!(Format::from_path(Path::new("r.csv")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("r.txt")), None);
        assert_eq!(Format::from_path(Path::new("rapport")), None);
    }
}
