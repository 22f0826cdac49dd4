//! `sladd redact`: walks the sources as a scan does, writes each redacted copy under the
//! output folder at the same relative path, re-scans the copy, and reports.
//!
//! A copy is written to a temporary name beside its final place, re-scanned with the same
//! rules, and only then renamed into place; if the re-scan still finds something that should
//! have been replaced (or cannot read the copy whole), the copy is deleted and the file is
//! reported as failed. So the output folder only ever holds verified copies. Sources are
//! never opened for writing: the output folder may not be a source, inside one, or hold one.

use super::audit::{self, FileEntry, Remaining, Status, Totals};
use super::{Options, Redactor, Refusal, Style};
use crate::cli::{ExitCode, RuleArgs, ScanArgs, parse_size};
use crate::extract::{Buffers, Limits};
use crate::model::{Lang, Severity};
use crate::plan::Plan;
use crate::scan::Scanner;
use crate::walk::{self, Entry};
use anyhow::{Context, Result, bail};
use clap::Args;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

const EXIT_CODES: &str = "\
Exit status:
  0  every file was written and its re-scan found nothing at the chosen level
  1  some file was not written: it cannot be redacted (PDF, image, legacy Office...), could
     not be read whole, or its copy still held a finding after redaction (the copy was
     deleted); each is listed with the reason
  2  usage or fatal error (bad option, a path that does not exist, --out inside a source)";

/// `sladd redact`.
#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct RedactArgs {
    /// Files or folders to redact.
    #[arg(value_name = "SRC", required = true)]
    pub paths: Vec<PathBuf>,

    /// Folder for the redacted copies (created if missing). Each copy keeps its path
    /// relative to its SRC folder (a SRC file: its name). Must not be a SRC, inside one, or
    /// hold one.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// How values are replaced.
    #[arg(long, value_enum, default_value_t = Style::Mask)]
    pub style: Style,

    /// Replace findings of this severity or higher [default: medium; with --only: info].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub min_severity: Option<Severity>,

    /// Replace only findings of these rules (repeatable, or comma-separated).
    #[arg(long = "only", value_name = "RULE", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Write a JSON audit log of every file and replacement (masked values only) to FILE.
    #[arg(long, value_name = "FILE")]
    pub audit: Option<PathBuf>,

    /// The character that replaces letters and digits in --style mask.
    #[arg(long, value_name = "CHAR", default_value_t = 'X')]
    pub mask_char: char,

    /// Keep author names in document properties, comments and tracked changes (by default
    /// they are emptied, as Word's "remove personal information" does).
    #[arg(long)]
    pub keep_authors: bool,

    /// Language of the labels of --style label and of the messages.
    #[arg(long, value_enum, default_value_t = Lang::Nb)]
    pub lang: Lang,

    #[command(flatten)]
    pub rule_args: RuleArgs,

    /// Do not run the rule with this id; repeatable (adds to the config's rules.disable).
    #[arg(long = "disable-rule", value_name = "ID")]
    pub disable_rules: Vec<String>,

    /// Config file [default: sladd.toml in the first SRC if it is a folder, else in the
    /// current folder]. Its rule packs, rule settings, excludes and allowlist apply.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any sladd.toml.
    #[arg(long)]
    pub no_config: bool,

    /// File holding the fingerprint key (pseudonyms are derived from it; default as for
    /// `sladd scan`).
    #[arg(long, value_name = "FILE")]
    pub fingerprint_key_file: Option<PathBuf>,

    /// Include or exclude files matching GLOB ("!GLOB" excludes); repeatable. Files left out
    /// are neither copied nor listed.
    #[arg(short = 'g', long = "glob", value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Honour .gitignore files.
    #[arg(long)]
    pub respect_gitignore: bool,

    /// Files larger than SIZE are not redacted (listed as skipped).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_filesize: Option<u64>,

    /// Worker threads (default: number of cores, at most 12).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Follow symbolic links (otherwise they are listed as skipped).
    #[arg(short = 'L', long)]
    pub follow: bool,

    /// Print only files that were not written, and the summary.
    #[arg(short, long)]
    pub quiet: bool,

    /// Containers nested deeper than N are not redacted.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    pub max_depth: usize,

    /// Decompressed bytes allowed inside one file, all nesting levels together.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_decompressed: Option<u64>,

    /// Text chunk size in bytes (tuning and tests).
    #[arg(long, hide = true, value_parser = parse_size)]
    pub chunk_size: Option<u64>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

/// The scan options that mean the same for redact, so config, rules and walking are
/// resolved exactly as for a scan. Defaults come from clap itself, so new scan options need
/// no change here.
fn scan_args(a: &RedactArgs) -> ScanArgs {
    use clap::Parser;
    let crate::cli::Command::Scan(mut s) = crate::cli::Cli::parse_from(["sladd", "scan"]).command
    else {
        unreachable!("`sladd scan` parses as the scan command")
    };
    s.paths = a.paths.clone();
    s.rule_args = RuleArgs {
        rules: a.rule_args.rules.clone(),
    };
    s.disable_rules = a.disable_rules.clone();
    s.config = a.config.clone();
    s.no_config = a.no_config;
    s.fingerprint_key_file = a.fingerprint_key_file.clone();
    s.globs = a.globs.clone();
    s.respect_gitignore = a.respect_gitignore;
    s.max_filesize = a.max_filesize;
    s.threads = a.threads;
    s.follow = a.follow;
    s
}

/// Where the copies go: the output folder, checked against the sources.
struct Layout {
    out: PathBuf,
    /// Each source as given and canonical, and whether it is a folder.
    roots: Vec<(PathBuf, PathBuf, bool)>,
    claimed: Mutex<HashSet<PathBuf>>,
}

impl Layout {
    fn new(out: &Path, srcs: &[PathBuf]) -> Result<Layout> {
        if srcs.iter().any(|p| p.as_os_str() == "-") {
            bail!("standard input cannot be redacted: name files or folders");
        }
        std::fs::create_dir_all(out)
            .with_context(|| format!("creating the output folder {}", out.display()))?;
        let out_c = out
            .canonicalize()
            .with_context(|| format!("resolving {}", out.display()))?;
        let mut roots = Vec::new();
        for src in srcs {
            let c = src
                .canonicalize()
                .with_context(|| format!("resolving {}", src.display()))?;
            let dir = c.is_dir();
            if out_c == c || out_c.starts_with(&c) && dir {
                bail!(
                    "--out {} is inside the source {}: choose a folder outside every source",
                    out.display(),
                    src.display()
                );
            }
            if c.starts_with(&out_c) {
                bail!(
                    "the source {} is inside --out {}: choose an output folder that holds no source",
                    src.display(),
                    out.display()
                );
            }
            roots.push((src.clone(), c, dir));
        }
        Ok(Layout {
            out: out.to_path_buf(),
            roots,
            claimed: Mutex::new(HashSet::new()),
        })
    }

    /// The copy's path for a walked file: the output folder plus its path relative to the
    /// source it came from (a source file: its name).
    fn target(&self, path: &Path) -> Option<PathBuf> {
        for (given, _, dir) in &self.roots {
            if *dir {
                if let Ok(rel) = path.strip_prefix(given) {
                    return Some(self.out.join(safe_relative(rel)?));
                }
            } else if path == given {
                return Some(self.out.join(path.file_name()?));
            }
        }
        None
    }

    /// Claims an output path, so two sources never write the same copy.
    fn claim(&self, p: &Path) -> bool {
        self.claimed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(p.to_path_buf())
    }
}

/// A relative path made only of normal components (no `..`, no root).
fn safe_relative(rel: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary name beside `target`, keeping its extension (the re-scan sniffs by it).
fn temp_beside(target: &Path) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".sladd-{}-{n}.{name}", std::process::id()))
}

/// Redaction passes over one file at most (see [`one_file`]).
const PASSES: usize = 3;

/// Re-scans a copy with the same rules, as a scan of the output folder would see it: the
/// findings that should have been replaced, and what could not be read.
fn rescan(
    red: &Redactor,
    scanner: &mut Scanner,
    copy: &Path,
    display: &str,
    bufs: &mut Buffers,
) -> (Vec<Remaining>, Vec<String>) {
    let result = scanner.scan_path(copy, display, bufs);
    let remaining = result
        .findings
        .iter()
        .filter(|f| {
            red.qualifies(&f.rule, f.severity)
                && !red.allowlisted(&f.normalized)
                && !red.is_pseudonym(&f.value)
        })
        .map(|f| Remaining {
            rule: f.rule.clone(),
            inner: f.inner.clone(),
            location: f.location.clone(),
            masked: f.masked.clone(),
        })
        .collect();
    let unread = result
        .not_examined
        .iter()
        .map(|n| match &n.inner {
            Some(i) => format!("{i}: {}", n.reason),
            None => n.reason.clone(),
        })
        .collect();
    (remaining, unread)
}

/// One file's job: redact into a temporary copy, re-scan it, move it into place.
fn one_file(
    red: &mut Redactor,
    scanner: &mut Scanner,
    layout: &Layout,
    path: &Path,
    follow: bool,
    bufs: &mut Buffers,
) -> FileEntry {
    let source = path.to_string_lossy().into_owned();
    let mut entry = FileEntry {
        source,
        output: None,
        status: Status::Skipped,
        reason: None,
        replacements: Vec::new(),
        notes: Vec::new(),
        remaining: Vec::new(),
    };
    let Some(target) = layout.target(path) else {
        entry.reason = Some("its place under --out could not be determined".into());
        return entry;
    };
    if !layout.claim(&target) {
        entry.reason = Some(format!(
            "another source is also copied to {}",
            target.display()
        ));
        return entry;
    }
    if let Some(dir) = target.parent()
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        entry.reason = Some(format!("cannot create {}: {e}", dir.display()));
        return entry;
    }
    let display = target.to_string_lossy().into_owned();
    let mut temp = temp_beside(&target);
    let mut from = path.to_path_buf();
    // Removing a tracked deletion or comment can join text into a value neither scan saw
    // before; redacting the copy again catches that. Every pass is re-scanned.
    for pass in 1..=PASSES {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // Later passes read the copy this run wrote, never a link.
            red.redact_path(&from, follow && pass == 1, &temp, bufs)
        }))
        .unwrap_or_else(|_| {
            *bufs = Buffers::default();
            Err(Refusal(
                "internal error while redacting this file (please report it)".into(),
            ))
        });
        if pass > 1 {
            let _ = std::fs::remove_file(&from);
        }
        let done = match outcome {
            Ok(d) => d,
            Err(r) => {
                let _ = std::fs::remove_file(&temp);
                entry.reason = Some(r.0);
                return entry;
            }
        };
        entry.replacements.extend(done.replacements);
        for n in done.notes {
            if !entry.notes.contains(&n) {
                entry.notes.push(n);
            }
        }
        let (remaining, unread) = rescan(red, scanner, &temp, &display, bufs);
        entry.remaining = remaining;
        if !unread.is_empty() {
            let _ = std::fs::remove_file(&temp);
            entry.status = Status::Failed;
            entry.reason = Some(format!(
                "the copy could not be re-scanned whole ({})",
                unread.join("; ")
            ));
            return entry;
        }
        if entry.remaining.is_empty() {
            break;
        }
        if pass == PASSES {
            let _ = std::fs::remove_file(&temp);
            entry.status = Status::Failed;
            entry.reason = Some(format!(
                "the re-scan of the copy still found {} finding(s) at the chosen level; the copy was deleted",
                entry.remaining.len()
            ));
            return entry;
        }
        from = std::mem::replace(&mut temp, temp_beside(&target));
    }
    if let Err(e) = std::fs::rename(&temp, &target) {
        let _ = std::fs::remove_file(&temp);
        entry.reason = Some(format!("cannot write {}: {e}", target.display()));
        return entry;
    }
    entry.status = Status::Redacted;
    entry.output = Some(display);
    entry
}

fn t(lang: Lang, no: &str, en: &str) -> String {
    match lang {
        Lang::Nb => no.to_string(),
        Lang::En => en.to_string(),
    }
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
fn report(entry: &FileEntry, lang: Lang, quiet: bool) {
    match entry.status {
        Status::Redacted if !quiet => {
            let n = entry.replacements.len();
            let what = match (n, lang) {
                (1, Lang::Nb) => "erstatning",
                (_, Lang::Nb) => "erstatninger",
                (1, Lang::En) => "replacement",
                (_, Lang::En) => "replacements",
            };
            println!(
                "{}: {} → {} ({n} {what})",
                t(lang, "sladdet", "redacted"),
                entry.source,
                entry.output.as_deref().unwrap_or(""),
            );
        }
        Status::Redacted => {}
        Status::Skipped => eprintln!(
            "sladd: {}: {}: {}",
            t(lang, "ikke skrevet", "not written"),
            entry.source,
            entry.reason.as_deref().unwrap_or("")
        ),
        Status::Failed => {
            eprintln!(
                "sladd: {}: {}: {}",
                t(lang, "FEILET", "FAILED"),
                entry.source,
                entry.reason.as_deref().unwrap_or("")
            );
            for r in &entry.remaining {
                let place = match &r.inner {
                    Some(i) => format!("{i} "),
                    None => String::new(),
                };
                let loc = &r.location;
                let mut at = format!("{}:{}", loc.line, loc.column);
                if let (Some(s), Some(c)) = (&loc.sheet, &loc.cell) {
                    at = format!("{s}!{c}");
                } else if let Some(p) = &loc.part {
                    at = format!("{p} {at}");
                }
                eprintln!("    {place}{at}  {}  {}", r.rule, r.masked);
            }
        }
    }
}

/// Runs `sladd redact`.
pub fn command(args: RedactArgs) -> Result<ExitCode> {
    let sargs = scan_args(&args);
    let plan = Plan::resolve(&sargs)?;
    let layout = Layout::new(&args.out, &args.paths)?;
    for id in &args.only {
        if plan.rules.get(id).is_none() {
            bail!("--only names unknown or disabled rule '{id}' (see `sladd rules`)");
        }
    }
    if args.mask_char.is_alphanumeric() && !matches!(args.mask_char, 'X' | 'x') {
        bail!("--mask-char must not be a letter or digit other than X");
    }
    let opts = Options {
        style: args.style,
        min_severity: args.min_severity.unwrap_or(if args.only.is_empty() {
            Severity::Medium
        } else {
            Severity::Info
        }),
        only: args.only.clone(),
        mask_char: args.mask_char,
        lang: args.lang,
        keep_authors: args.keep_authors,
    };
    let detector = crate::detect::Detector::new(plan.rules.clone()).context("compiling rules")?;
    let limits = Limits::from_options(args.max_depth, args.max_decompressed, args.chunk_size);
    let red = Redactor::new(
        detector.clone(),
        opts.clone(),
        plan.fingerprinter.clone(),
        plan.allowlist.clone(),
        limits.clone(),
    );
    let scanner = Scanner::new(detector, plan.fingerprinter.clone(), limits);
    let Some(walk_opts) = &plan.walk else {
        bail!("no files or folders to redact");
    };

    let mut files: Vec<FileEntry> = Vec::new();
    let mut totals = Totals::default();
    let (tx, rx) = crossbeam_channel::bounded::<FileEntry>(64);
    let walked = std::thread::scope(|s| {
        let walker = s.spawn(|| {
            let tx = tx;
            walk::walk(walk_opts, || {
                let mut red = red.clone();
                let mut scanner = scanner.clone();
                let mut bufs = Buffers::default();
                let tx = tx.clone();
                let layout = &layout;
                Box::new(move |e| {
                    let entry = match e {
                        Entry::File { path, follow } => {
                            one_file(&mut red, &mut scanner, layout, &path, follow, &mut bufs)
                        }
                        Entry::NotExamined { path, reason } => skipped(&path, reason),
                        Entry::Symlink { path } => skipped(
                            &path,
                            "a symbolic link: not followed (use -L to follow links)".into(),
                        ),
                    };
                    let _ = tx.send(entry);
                    std::ops::ControlFlow::Continue(())
                })
            })
        });
        for entry in rx.iter() {
            report(&entry, args.lang, args.quiet);
            totals.files += 1;
            match entry.status {
                Status::Redacted => totals.redacted += 1,
                Status::Skipped => totals.skipped += 1,
                Status::Failed => totals.failed += 1,
            }
            totals.replacements += entry.replacements.len() as u64;
            files.push(entry);
        }
        walker.join().expect("walker thread does not panic")
    });
    walked.context("walking the sources")?;

    if let Some(path) = &args.audit {
        audit::write(path, &opts, &mut files, &totals)
            .with_context(|| format!("writing the audit log {}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    let summary = match args.lang {
        Lang::Nb => format!(
            "{} filer: {} sladdet ({} erstatninger), {} ikke skrevet, {} feilet kontrollen",
            totals.files, totals.redacted, totals.replacements, totals.skipped, totals.failed
        ),
        Lang::En => format!(
            "{} files: {} redacted ({} replacements), {} not written, {} failed the re-scan",
            totals.files, totals.redacted, totals.replacements, totals.skipped, totals.failed
        ),
    };
    writeln!(out, "{summary}")?;
    Ok(if totals.skipped + totals.failed > 0 {
        ExitCode::Findings
    } else {
        ExitCode::Clean
    })
}

fn skipped(path: &Path, reason: String) -> FileEntry {
    FileEntry {
        source: path.to_string_lossy().into_owned(),
        output: None,
        status: Status::Skipped,
        reason: Some(reason),
        replacements: Vec::new(),
        notes: Vec::new(),
        remaining: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Detector;
    use crate::fingerprint::{Fingerprinter, KeySource};
    use crate::rules::RuleSet;

    /// If the redactor misses a finding (here: its rules lack `no.fnr`), the re-scan with the
    /// real rules sees it, the copy is deleted and the file is reported as failed.
    #[test]
    fn a_copy_that_still_holds_a_finding_is_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("inn");
        std::fs::create_dir(&src).unwrap();
        let file = src.join("brev.txt");
        std::fs::write(&file, "fnr 20036914700\n\nIBAN NO93 8601 1117 947\n").unwrap();
        let key = Fingerprinter::from_key(b"unit-test-key-0123", KeySource::Ephemeral);
        let mut blind = RuleSet::builtin().unwrap();
        blind.disable(&["no.fnr".to_string()]).unwrap();
        let mut red = Redactor::new(
            Detector::new(blind).unwrap(),
            Options::default(),
            key.clone(),
            HashSet::new(),
            Limits::default(),
        );
        let all = Detector::new(RuleSet::builtin().unwrap()).unwrap();
        let mut scanner = Scanner::new(all, key, Limits::default());
        let out = dir.path().join("ut");
        let layout = Layout::new(&out, std::slice::from_ref(&src)).unwrap();
        let entry = one_file(
            &mut red,
            &mut scanner,
            &layout,
            &file,
            false,
            &mut Buffers::default(),
        );
        assert_eq!(entry.status, Status::Failed, "{entry:?}");
        assert!(entry.output.is_none());
        assert_eq!(entry.remaining.len(), 1);
        assert_eq!(entry.remaining[0].rule, "no.fnr");
        assert_eq!(entry.remaining[0].masked, "*********00");
        // The IBAN was replaced before the re-scan caught the rest.
        assert_eq!(entry.replacements.len(), 1);
        assert_eq!(entry.replacements[0].rule, "iban");
        // No copy and no temporary file is left.
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
    }

    #[test]
    fn relative_paths_stay_inside() {
        assert_eq!(
            safe_relative(Path::new("a/b.txt")),
            Some(PathBuf::from("a/b.txt"))
        );
        assert_eq!(safe_relative(Path::new("../b.txt")), None);
        assert_eq!(safe_relative(Path::new("/etc/passwd")), None);
        let t = temp_beside(Path::new("out/x/liste.csv"));
        assert!(t.to_string_lossy().ends_with(".liste.csv"));
        assert_eq!(t.parent(), Some(Path::new("out/x")));
    }
}
