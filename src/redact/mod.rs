//! Redaction: publishable copies of files with the personal data replaced.
//!
//! `sladd redact SRC... --out DIR` writes a copy of every file into DIR with each finding that
//! qualifies (severity at or above `--min-severity`, or a rule named by `--only`) replaced,
//! re-scans every copy and refuses to leave one behind that still holds such a finding.
//!
//! The redactor must know where a finding is in the file's *bytes*, while detection runs on
//! extracted text (decoded, joined across Word runs, entities resolved). So each format's
//! rewriter builds the same records the extractor builds, with the walkers of
//! [`crate::extract`] recording the source of every piece of text ([`crate::extract::srcmap`]),
//! runs the detector on them itself, and rewrites only those bytes:
//!
//! - [`text`]: plain text, CSV/TSV, JSON, Markdown, HTML and XML, streamed in the extractor's
//!   chunks and written back in the same encoding;
//! - [`xml`]: one document XML part (paragraphs, cells, comments, metadata fields);
//! - [`ooxml`], [`odf`]: DOCX/XLSX/PPTX and ODT/ODS/ODP packages;
//! - [`zip`]: zip archives, rebuilt with their members redacted; shared zip writing;
//! - [`mail`]: e-mail messages (headers, bodies, attachments);
//! - [`run`]: the command: walking, output paths, re-scan, audit log ([`audit`]).
//!
//! Formats that cannot be redacted safely (PDF, images, legacy OLE, other binaries, RTF, tar,
//! gzip, mbox) are refused with a reason, never copied.

pub mod audit;
pub mod edit;
pub mod mail;
pub mod odf;
pub mod ooxml;
pub mod pseudonym;
pub mod run;
pub mod text;
pub mod xml;
pub mod zip;

use crate::detect::{Detector, Hit, Segment};
use crate::extract::sniff::{self, Format};
use crate::extract::{Buffers, Ctx, Limits, Problem};
use crate::fingerprint::Fingerprinter;
use crate::mask;
use crate::model::{Lang, Location, Severity};
use crate::rules::{Matcher, Rule, Validator};
use pseudonym::{Kind, Pseudonyms};
use serde::Serialize;
use std::collections::HashSet;
use std::io::{Read, Seek};
use std::path::Path;
use std::sync::Arc;

pub use run::RedactArgs;

/// How a value is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Style {
    /// Every letter and digit (and `@`) becomes the mask character; separators stay, so the
    /// layout stays.
    Mask,
    /// The rule's name in brackets: `[FØDSELSNUMMER]`.
    Label,
    /// A consistent synthetic value per value (Tenor test numbers for identity numbers).
    Pseudonym,
}

/// What to replace, and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub style: Style,
    pub min_severity: Severity,
    /// If not empty: only these rules' findings (at or above `min_severity`).
    pub only: Vec<String>,
    pub mask_char: char,
    /// Language of labels.
    pub lang: Lang,
    /// Keep author names in document properties, comments and tracked changes.
    pub keep_authors: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            style: Style::Mask,
            min_severity: Severity::Medium,
            only: Vec::new(),
            mask_char: 'X',
            lang: Lang::Nb,
            keep_authors: false,
        }
    }
}

/// What was done about one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// The value was replaced in place.
    Replaced,
    /// The tracked deletion or comment holding it was removed.
    Removed,
    /// The metadata field holding it was emptied.
    Cleared,
}

/// One replacement, as the audit log records it: never the plain value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replacement {
    pub rule: String,
    /// Path inside a container (archive member, attachment), as in the JSONL contract.
    pub inner: Option<String>,
    pub location: Location,
    pub masked: String,
    pub action: Action,
}

/// Why a file was not written. The text names the format, limit or part, never content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl From<Problem> for Refusal {
    fn from(p: Problem) -> Refusal {
        Refusal(p.describe())
    }
}

impl From<std::io::Error> for Refusal {
    fn from(e: std::io::Error) -> Refusal {
        Refusal::from(Problem::from(e))
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What redacting one file or member produced.
#[derive(Debug, Default)]
pub struct Redacted {
    pub replacements: Vec<Replacement>,
    /// Other changes made (author names cleared, thumbnail removed), for the audit log.
    pub notes: Vec<String>,
    /// Values replaced (identifiers only) and their replacements, to check no copy of them is
    /// left elsewhere in the file. In memory only.
    pub values: Vec<(String, String)>,
}

impl Redacted {
    pub fn absorb(&mut self, other: Redacted) {
        self.replacements.extend(other.replacements);
        for n in other.notes {
            if !self.notes.contains(&n) {
                self.notes.push(n);
            }
        }
        self.values.extend(other.values);
    }
}

/// One replacement planned in a record: segment, byte span in its text, the new text.
#[derive(Debug, Clone)]
pub struct Planned {
    pub seg: usize,
    pub start: usize,
    pub end: usize,
    pub with: String,
    pub audit: Replacement,
}

/// What a replacement may be written in: legacy single-byte text cannot hold every character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Unicode,
    Windows1252,
}

impl Target {
    pub fn can_encode(self, s: &str) -> bool {
        match self {
            Target::Unicode => true,
            Target::Windows1252 => !encoding_rs::WINDOWS_1252.encode(s).2,
        }
    }
}

/// The per-thread redaction engine: detector, options and the run's shared pseudonyms.
#[derive(Debug, Clone)]
pub struct Redactor {
    detector: Detector,
    opts: Arc<Options>,
    pseudonyms: Arc<Pseudonyms>,
    /// Allowlisted values (keyed hashes, as `sladd.toml` holds them): known test data stays.
    allowlist: Arc<HashSet<String>>,
    fingerprinter: Fingerprinter,
    pub limits: Limits,
}

impl Redactor {
    pub fn new(
        detector: Detector,
        opts: Options,
        fingerprinter: Fingerprinter,
        allowlist: HashSet<String>,
        limits: Limits,
    ) -> Redactor {
        Redactor {
            detector,
            opts: Arc::new(opts),
            pseudonyms: Arc::new(Pseudonyms::new(fingerprinter.clone())),
            allowlist: Arc::new(allowlist),
            fingerprinter,
            limits,
        }
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    pub fn rules(&self) -> &[Rule] {
        &self.detector.rules().rules
    }

    /// Does a finding of this rule and severity have to go?
    pub fn qualifies(&self, rule: &str, severity: Severity) -> bool {
        severity >= self.opts.min_severity
            && (self.opts.only.is_empty() || self.opts.only.iter().any(|r| r == rule))
    }

    /// Is this normalised value on the config's allowlist?
    pub fn allowlisted(&self, normalized: &str) -> bool {
        !self.allowlist.is_empty()
            && self
                .allowlist
                .contains(&self.fingerprinter.value_hash(normalized))
    }

    /// Is this value one of the pseudonyms this run wrote?
    pub fn is_pseudonym(&self, value: &str) -> bool {
        self.pseudonyms.is_ours(value)
    }

    /// Detects in one record and plans the replacements, in segment and text order.
    /// Overlapping hits (the combination rule repeats the identifier's span) become one
    /// replacement, named after the identifier's own rule when it is among them.
    pub fn plan(
        &mut self,
        segs: &[Segment<'_>],
        places: &[Location],
        inner: Option<&str>,
        target: Target,
    ) -> Vec<Planned> {
        let mut hits: Vec<Hit> = Vec::new();
        self.detector.scan_record(segs, &mut hits);
        let rules = &self.detector.rules().rules;
        hits.retain(|h| {
            let r = &rules[h.rule];
            self.qualifies(&r.id, r.severity) && !self.allowlisted(&h.normalized)
        });
        hits.sort_by(|a, b| (a.seg, a.start, b.end).cmp(&(b.seg, b.start, a.end)));
        let mut clusters: Vec<(usize, usize, usize, Vec<Hit>)> = Vec::new();
        for h in hits {
            match clusters.last_mut() {
                Some((seg, _, end, members)) if *seg == h.seg && h.start < *end => {
                    *end = (*end).max(h.end);
                    members.push(h);
                }
                _ => clusters.push((h.seg, h.start, h.end, vec![h])),
            }
        }
        let mut out = Vec::with_capacity(clusters.len());
        for (seg, start, end, members) in clusters {
            let primary = members
                .iter()
                .find(|h| !matches!(rules[h.rule].matcher, Matcher::Combination))
                .unwrap_or(&members[0])
                .clone();
            let rule = &rules[primary.rule];
            let value = String::from_utf8_lossy(&segs[seg].text[start..end]).into_owned();
            let with = self.replacement(rule, &value, &primary.normalized, target);
            let mut location = locate(segs[seg].text, start, &places[seg]);
            if let Some(cols) = segs[seg].columns {
                location.field = cols.header_at(segs[seg].text, start).map(str::to_string);
            }
            out.push(Planned {
                seg,
                start,
                end,
                with,
                audit: Replacement {
                    rule: rule.id.clone(),
                    inner: inner.map(str::to_string),
                    location,
                    masked: mask::mask(&value, rule.mask),
                    action: Action::Replaced,
                },
            });
        }
        out
    }

    /// The text that replaces `value` (found by `rule`) in the chosen style.
    fn replacement(&self, rule: &Rule, value: &str, normalized: &str, target: Target) -> String {
        match self.opts.style {
            Style::Mask => self.mask(value, target),
            Style::Label => self.label(rule, target),
            Style::Pseudonym => match pseudonym_kind(rule, value) {
                Some(kind) => self.pseudonyms.get(kind, value, normalized),
                None => self.label(rule, target),
            },
        }
    }

    fn mask(&self, value: &str, target: Target) -> String {
        let c = self.opts.mask_char;
        let c = if target.can_encode(c.encode_utf8(&mut [0; 4])) {
            c
        } else {
            'X'
        };
        value
            .chars()
            .map(|v| {
                if v.is_alphanumeric() || v == '@' {
                    c
                } else {
                    v
                }
            })
            .collect()
    }

    fn label(&self, rule: &Rule, target: Target) -> String {
        let label = format!("[{}]", rule.title.get(self.opts.lang).to_uppercase());
        if target.can_encode(&label) {
            label
        } else {
            match self.opts.lang {
                Lang::Nb => "[SLADDET]".to_string(),
                Lang::En => "[REDACTED]".to_string(),
            }
        }
    }

    /// Notes the identifiers (seven digits or more, or an `@`) among planned replacements,
    /// with their replacements, for the check that no copy of them is left elsewhere in a
    /// document.
    pub fn note_values(planned: &[Planned], segs: &[Segment<'_>], into: &mut Redacted) {
        for p in planned {
            let v = String::from_utf8_lossy(&segs[p.seg].text[p.start..p.end]).into_owned();
            let digits = v.chars().filter(char::is_ascii_digit).count();
            if digits >= 7 || v.contains('@') {
                into.values.push((v, p.with.clone()));
            }
        }
    }
}

impl Redactor {
    /// Redacts a member of a container (an archive member, an embedded file, an attachment)
    /// held in memory. Returns the new bytes, or None when nothing had to change.
    ///
    /// An `embedded` file of a format that cannot be redacted (an OLE object in a document)
    /// is kept as it is if a scan of it finds nothing to replace and reads it whole; an
    /// archive member of such a format refuses the archive, as the file would on its own.
    pub fn member(
        &mut self,
        data: &[u8],
        name: &str,
        ctx: &Ctx<'_>,
        inner: &str,
        bufs: &mut Buffers,
        embedded: bool,
    ) -> Result<(Option<Vec<u8>>, Redacted), Refusal> {
        if ctx.depth > ctx.limits.max_depth {
            return Err(crate::extract::limit(
                "max-depth",
                format!("nested more than {} containers deep", ctx.limits.max_depth),
            )
            .into());
        }
        let base = name.rsplit('/').next().unwrap_or(name);
        let head = &data[..data.len().min(sniff::HEAD)];
        let format = sniff::sniff_format(head, Some(base));
        match format {
            Format::Html | Format::Xml => {
                xml::redact_markup(self, data, dialect(format), Some(inner), ctx)
            }
            Format::Text(_) | Format::Delimited(_) => {
                let mut out = Vec::new();
                let done = text::redact(
                    self,
                    head,
                    &data[head.len()..],
                    format,
                    &mut out,
                    Some(inner),
                    bufs,
                )?;
                Ok(((!done.replacements.is_empty()).then_some(out), done))
            }
            Format::Eml => {
                let (out, done) = mail::redact(self, data, ctx, Some(inner), bufs)?;
                Ok((out, done))
            }
            Format::Zip => {
                let (out, done) = zip::redact(
                    self,
                    std::io::Cursor::new(data),
                    std::io::Cursor::new(Vec::new()),
                    ctx,
                    Some(inner),
                    bufs,
                )?;
                Ok((Some(out.into_inner()), done))
            }
            _ if embedded => {
                self.clean_by_scan(data, base, ctx, bufs)?;
                Ok((None, Redacted::default()))
            }
            other => Err(Refusal(
                unredactable(other).unwrap_or_else(|| "cannot be redacted".into()),
            )),
        }
    }

    /// Succeeds if the extractor reads `data` whole and finds nothing that would have to be
    /// replaced.
    fn clean_by_scan(
        &mut self,
        data: &[u8],
        name: &str,
        ctx: &Ctx<'_>,
        bufs: &mut Buffers,
    ) -> Result<(), Refusal> {
        struct Check<'r> {
            red: &'r mut Redactor,
            found: usize,
            problem: Option<String>,
        }
        impl crate::extract::Sink for Check<'_> {
            fn record(&mut self, _: Option<&str>, segs: &[Segment<'_>], places: &[Location]) {
                self.found += self.red.plan(segs, places, None, Target::Unicode).len();
            }
            fn not_examined(&mut self, _: Option<&str>, reason: &str) {
                self.problem.get_or_insert(reason.to_string());
            }
            fn binary(&mut self, _: Option<&str>) {}
        }
        let mut check = Check {
            red: self,
            found: 0,
            problem: None,
        };
        crate::extract::extract_bytes(data, Some(name), ctx, bufs, &mut check)?;
        if let Some(p) = check.problem {
            return Err(Refusal(format!(
                "cannot be redacted and could not be fully read ({p})"
            )));
        }
        if check.found > 0 {
            return Err(Refusal(format!(
                "cannot be redacted and holds {} finding(s) to replace",
                check.found
            )));
        }
        Ok(())
    }

    /// Redacts a file on disk into `dst` (created). The caller removes `dst` on error. The
    /// source is opened as the scan opens it ([`crate::extract::open_regular`]): through a
    /// symbolic link only if `follow`, and refused if it is no longer a regular file.
    pub fn redact_path(
        &mut self,
        src: &Path,
        follow: bool,
        dst: &Path,
        bufs: &mut Buffers,
    ) -> Result<Redacted, Refusal> {
        let (mut file, _) = crate::extract::open_regular(src, follow)?;
        let name = src.file_name().map(|n| n.to_string_lossy().into_owned());
        let mut head = vec![0u8; sniff::HEAD];
        let n = crate::extract::read_full(&mut file, &mut head)?;
        head.truncate(n);
        let format = sniff::sniff_format(&head, name.as_deref());
        if let Some(why) = unredactable(format) {
            return Err(Refusal(why));
        }
        let limits = self.limits.clone();
        match format {
            Format::Zip => {
                file.rewind()?;
                let out = std::io::BufWriter::new(std::fs::File::create(dst)?);
                let (out, done) =
                    with_ctx(&limits, |ctx| zip::redact(self, file, out, ctx, None, bufs))?;
                out.into_inner().map_err(|e| e.into_error())?;
                Ok(done)
            }
            Format::Eml | Format::Html | Format::Xml => {
                let max = limits.max_member_bytes;
                let mut data = head;
                (&mut file).take(max + 1).read_to_end(&mut data)?;
                if data.len() as u64 > max {
                    return Err(crate::extract::limit(
                        "max-member-bytes",
                        format!("a file larger than {}", crate::extract::mib(max)),
                    )
                    .into());
                }
                let (out, done) = with_ctx(&limits, |ctx| match format {
                    Format::Eml => mail::redact(self, &data, ctx, None, bufs),
                    _ => xml::redact_markup(self, &data, dialect(format), None, ctx),
                })?;
                std::fs::write(dst, out.as_deref().unwrap_or(&data))?;
                Ok(done)
            }
            _ => {
                let mut out = std::io::BufWriter::new(std::fs::File::create(dst)?);
                let done = text::redact(self, &head, file, format, &mut out, None, bufs)?;
                out.into_inner().map_err(|e| e.into_error())?;
                Ok(done)
            }
        }
    }
}

fn dialect(format: Format) -> crate::extract::markup::Dialect {
    match format {
        Format::Html => crate::extract::markup::Dialect::Html,
        _ => crate::extract::markup::Dialect::Xml,
    }
}

/// Which pseudonym a rule's values get; None: a label.
fn pseudonym_kind(rule: &Rule, value: &str) -> Option<Kind> {
    match &rule.matcher {
        Matcher::Validator(v) => match v {
            Validator::NoFnr
            | Validator::NoDnr
            | Validator::NoHnr
            | Validator::NoFhnr
            | Validator::NoSyntheticId => pseudonym::person_kind(value),
            Validator::NoBankAccount => Some(Kind::Account),
            Validator::Iban => Some(Kind::Iban),
            Validator::PaymentCard => Some(Kind::Card),
            Validator::Email => Some(Kind::Email),
            Validator::NoPhone => Some(Kind::Phone),
            Validator::DiagnosisCode => None,
        },
        // The combination rule points at an identifier: a person number or an address.
        Matcher::Combination => {
            pseudonym::person_kind(value).or_else(|| value.contains('@').then_some(Kind::Email))
        }
        Matcher::Pattern { .. } | Matcher::Terms(_) => None,
    }
}

/// The location of byte `offset` of a segment whose first byte is at `place`, as the scan
/// reports it (lines counted from the place's line, columns in characters).
pub fn locate(text: &[u8], offset: usize, place: &Location) -> Location {
    let (line, column) =
        crate::extract::text::LineColumn::new(place.line.max(1), place.column.max(1))
            .advance(text, offset.min(text.len()));
    Location {
        line,
        column,
        ..place.clone()
    }
}

/// Why a format cannot be redacted, or None if it can.
pub fn unredactable(format: Format) -> Option<String> {
    let why = match format {
        Format::Pdf => {
            "a PDF: sladd cannot redact PDF files safely (text can also sit in images and \
             hidden layers); redact the document it was made from and convert that"
        }
        Format::Ole => {
            "an OLE compound file (legacy .doc, .xls or .ppt, an Outlook .msg, or a \
             password-protected Office document): cannot be redacted; save it as DOCX, XLSX or \
             PPTX, without a password, first"
        }
        Format::Binary => "an image or other binary file: its content cannot be read or redacted",
        Format::Rtf => "RTF cannot be redacted; save it as DOCX or ODT first",
        Format::Gzip | Format::Tar => "gzip and tar archives cannot be redacted; use zip",
        Format::Mbox => "a mailbox (MBOX) cannot be redacted; export the messages as EML files",
        Format::NotA(what) => {
            return Some(format!(
                "named like {what} but its content is not (damaged or mislabelled)"
            ));
        }
        _ => return None,
    };
    Some(why.to_string())
}

/// A fresh extraction context for one file: the scan's byte and time budgets apply, so a
/// pathological file is refused rather than stalling the run.
pub fn with_ctx<T>(limits: &Limits, f: impl FnOnce(&Ctx<'_>) -> T) -> T {
    let budget = std::cell::Cell::new(0);
    f(&Ctx::top(limits, &budget))
}

#[cfg(test)]
mod tests;
