//! Reporting: findings, not-examined files and the summary, written in the format asked for.
//!
//! One [`Reporter`] per run lives on the consuming thread and receives one [`FileResult`] at a
//! time (ripgrep's single printer thread), then the [`Summary`]. Streaming formats write as
//! files complete; the others collect and write in [`Reporter::finish`].
//!
//! Every reporter prints `masked` unless the context says `reveal`: the plain value never
//! reaches an output by default.

pub mod human;
pub mod json;
pub mod jsonl;

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
}

pub trait Reporter {
    fn file(&mut self, result: &FileResult) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

impl Format {
    pub fn reporter(self, out: Box<dyn Write>, ctx: ReportContext) -> Box<dyn Reporter> {
        match self {
            Format::Human => Box::new(human::Human::new(out, ctx)),
            Format::Jsonl => Box::new(jsonl::Jsonl::new(out, ctx)),
            Format::Json => Box::new(json::Json::new(out, ctx)),
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
