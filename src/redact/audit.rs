//! The audit log (`--audit FILE`): what was done to every file, as JSON. It records each
//! replacement's rule, place and masked value, never a plain value (nor a pseudonym, which
//! next to the masked value would link the two).

use super::{Options, Replacement, Style};
use crate::model::Severity;
use serde::Serialize;
use std::path::Path;

/// What happened to one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Written (possibly with no replacements: a clean copy).
    Redacted,
    /// Not written: the format cannot be redacted or the file could not be read fully.
    Skipped,
    /// Written, but the re-scan found what should have been replaced: the copy was deleted.
    Failed,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    pub source: String,
    /// The copy's path, or null when none was left.
    pub output: Option<String>,
    pub status: Status,
    pub reason: Option<String>,
    pub replacements: Vec<Replacement>,
    /// Other changes (author names emptied, thumbnail removed).
    pub notes: Vec<String>,
    /// Findings the re-scan of the copy still saw (masked), for failed files.
    pub remaining: Vec<Remaining>,
}

/// A finding left in a copy, as the re-scan reported it (masked).
#[derive(Debug, Clone, Serialize)]
pub struct Remaining {
    pub rule: String,
    pub inner: Option<String>,
    pub location: crate::model::Location,
    pub masked: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub files: u64,
    pub redacted: u64,
    pub skipped: u64,
    pub failed: u64,
    pub replacements: u64,
}

#[derive(Debug, Serialize)]
struct Log<'a> {
    version: u32,
    style: Style,
    min_severity: Severity,
    only: &'a [String],
    files: &'a [FileEntry],
    totals: &'a Totals,
}

/// Writes the log. Files are sorted by source path so logs of two runs compare.
pub fn write(
    path: &Path,
    opts: &Options,
    files: &mut [FileEntry],
    totals: &Totals,
) -> std::io::Result<()> {
    files.sort_by(|a, b| a.source.cmp(&b.source));
    let log = Log {
        version: 1,
        style: opts.style,
        min_severity: opts.min_severity,
        only: &opts.only,
        files,
        totals,
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer_pretty(&mut out, &log)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)
}
