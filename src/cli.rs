//! The command line: clap definitions and the commands they run. `main.rs` only calls
//! [`main`]; everything here returns errors instead of exiting, so the exit code policy lives
//! in one place ([`ExitCode`]).

use crate::baseline::Recorder;
use crate::detect::Detector;
use crate::extract::Limits;
use crate::model::{Lang, Severity};
use crate::plan::Plan;
use crate::report::{Format, ReportContext};
use crate::rules::{Matcher, RuleSet};
use crate::scan::{self, Scanner, Summary};
use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Exit codes. Stable: CI jobs depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// No finding at or above `--fail-on`.
    Clean = 0,
    /// Findings at or above `--fail-on`.
    Findings = 1,
    /// Usage error or fatal error.
    Error = 2,
    /// With `--strict`: some file could not be examined (and no failing finding).
    NotExamined = 3,
}

const EXIT_CODES: &str = "\
Exit status:
  0  no finding at or above --fail-on (default: medium)
  1  findings at or above --fail-on
  2  usage error or fatal error (invalid rule pack, a path that does not exist, ...)
  3  with --strict: some file could not be examined, and no finding at or above --fail-on";

#[derive(Debug, Parser)]
#[command(
    name = "sladd",
    version,
    about = "Finds personal data (fødselsnummer, bank accounts, health and child-welfare information...) in files before they are published.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per run: the size of the scan variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and folders (or standard input, "-") for personal data.
    Scan(ScanArgs),
    /// List the loaded rules, or run their self-tests.
    Rules(RulesArgs),
    /// Tell whether a number is a valid identifier, and if not, which check failed.
    ///
    /// Knows fødselsnummer, D-, H- and FH-nummer, Tenor and SyntPop test numbers, bank account
    /// numbers, organisation numbers and IBAN. Nothing is stored. Without NUMBER, reads one
    /// number per line from standard input (keeps it out of the shell history). Exit status 0
    /// when every number is valid as something, 1 otherwise.
    #[command(visible_alias = "check")]
    Explain(ExplainArgs),
    /// Print the allowlist hash of known test data, for sladd.toml.
    ///
    /// Prints `"HASH",  # RULE` lines for sladd.toml's allowlist.hashes; the value itself is
    /// never written. The hash is keyed with the fingerprint key, so it matches only scans using
    /// the same key. Without VALUE, reads one value per line from standard input (keeps it out
    /// of the shell history).
    AllowlistHash(AllowlistHashArgs),
    /// Write copies of files with the personal data replaced, for publishing.
    ///
    /// Every file under SRC is copied into --out at the same relative path with each finding
    /// at or above --min-severity (or of the --only rules) replaced; formats that cannot be
    /// redacted safely (PDF, images, legacy Office) are not copied but listed. Every copy is
    /// re-scanned and deleted if something is left. Originals are never changed.
    Redact(crate::redact::RedactArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command into a folder.
    Man(ManArgs),
    /// Internal: runs one risky parser on standard input (see `extract::worker`).
    #[command(name = "__extract-worker", hide = true)]
    ExtractWorker { request: String },
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The numbers to explain (spaces, dots and hyphens between digits are fine).
    #[arg(value_name = "NUMBER")]
    pub numbers: Vec<String>,

    /// Language of the explanation.
    #[arg(long, value_enum, default_value_t = Lang::Nb)]
    pub lang: Lang,
}

#[derive(Debug, Args)]
pub struct AllowlistHashArgs {
    /// The values, written as in the documents (a keyword may be needed, e.g. "konto
    /// 86011117947", when the rule requires one).
    #[arg(value_name = "VALUE")]
    pub values: Vec<String>,

    #[command(flatten)]
    pub rule_args: RuleArgs,

    /// Config file (its rule packs and fingerprint-key-file apply) [default: ./sladd.toml].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any sladd.toml.
    #[arg(long)]
    pub no_config: bool,

    /// File holding the fingerprint key (as for `sladd scan`).
    #[arg(long, value_name = "FILE")]
    pub fingerprint_key_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write sladd.1, sladd-scan.1, ... into this folder instead of printing sladd.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Options shared by commands that load rule packs.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Load an extra rule pack (TOML); repeatable. A rule with a built-in id replaces it.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct ScanArgs {
    /// Files or folders to scan ("-" for standard input) [default: . unless --files-from].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format [default: from the --output file's extension (.html, .sarif, .csv,
    /// .json, .jsonl), else human].
    #[arg(short, long, value_enum)]
    pub format: Option<Format>,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when a finding has this severity or higher [default: the config's fail-on,
    /// else medium].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,

    /// Show matched values unmasked. Never write such output where others can read it.
    #[arg(long)]
    pub reveal: bool,

    /// Exit with 3 when some file could not be examined.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub rule_args: RuleArgs,

    /// Diagnosis code table you hold (JSON as in the @navikt/diagnosekoder package:
    /// [{"code": "F321", "text": "..."}]); repeatable. Codes not in it are not reported.
    #[arg(long = "health-codes", value_name = "FILE")]
    pub health_codes: Vec<PathBuf>,

    /// Turn on an optional rule (off by default, e.g. health.ambiguous); repeatable.
    #[arg(long = "enable-rule", value_name = "ID")]
    pub enable_rules: Vec<String>,

    /// Do not run the rule with this id; repeatable (adds to the config's rules.disable).
    #[arg(long = "disable-rule", value_name = "ID")]
    pub disable_rules: Vec<String>,

    /// Config file [default: sladd.toml in the first PATH if it is a folder, else in the
    /// current folder].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any sladd.toml.
    #[arg(long)]
    pub no_config: bool,

    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings (by fingerprint, no values) as a baseline in FILE.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Also scan the paths listed in FILE ("-" for standard input), one per line or
    /// NUL-separated. Listed paths that do not exist are reported as not examined.
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,

    /// Skip files named explicitly (arguments, --files-from) when .sladdignore, --glob or the
    /// config's exclude would skip them in a folder (for pre-commit).
    #[arg(long)]
    pub force_exclude: bool,

    /// Honour .gitignore files (by default everything but version-control folders is scanned).
    #[arg(long)]
    pub respect_gitignore: bool,

    /// Include or exclude files matching GLOB ("!GLOB" excludes); repeatable.
    #[arg(short = 'g', long = "glob", value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Report files larger than SIZE as not examined (e.g. 500M, 2G).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_filesize: Option<u64>,

    /// Worker threads (default: number of cores, at most 12).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Follow symbolic links (loops are detected and reported).
    #[arg(short = 'L', long)]
    pub follow: bool,

    /// When to use colour in the human format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Never use colour (same as --color never).
    #[arg(long)]
    pub no_color: bool,

    /// Language of the human and HTML reports and SARIF messages.
    #[arg(long, value_enum, default_value_t = Lang::Nb)]
    pub lang: Lang,

    /// Field delimiter of --format csv: one ASCII character, or "tab".
    #[arg(long, value_name = "CHAR", default_value = ";", value_parser = parse_delimiter)]
    pub csv_delimiter: u8,

    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,

    /// Sort JSONL output by path and location (the other formats are always sorted).
    #[arg(long)]
    pub sort: bool,

    /// Only counts: no individual findings in the report.
    #[arg(long)]
    pub summary_only: bool,

    /// File holding the fingerprint key (default: $SLADD_FINGERPRINT_KEY, else the config's
    /// fingerprint-key-file, else a per-user key file created on first use).
    #[arg(long, value_name = "FILE")]
    pub fingerprint_key_file: Option<PathBuf>,

    /// Text chunk size in bytes (tuning and tests).
    #[arg(long, hide = true, value_parser = parse_size)]
    pub chunk_size: Option<u64>,

    /// Containers (archives, e-mails, documents) nested deeper than N are not examined.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    pub max_depth: usize,

    /// Decompressed bytes allowed inside one file, all nesting levels together.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_decompressed: Option<u64>,

    /// Findings kept per file; past it the rest of the file is not examined (bounds memory).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_findings)]
    pub max_findings: usize,

    /// Seconds a PDF or legacy-Office parser may spend on one file.
    #[arg(long, value_name = "SECS")]
    pub parser_timeout: Option<u64>,

    /// Seconds one document, archive or e-mail may take (0: no limit); what was found before is
    /// reported, and the file is listed as not examined. Plain text and CSV files are never cut
    /// off [default: the config's file-timeout, else 10].
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub file_timeout: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(flatten)]
    pub rule_args: RuleArgs,

    /// Run every rule's self-tests (its `match` and `no-match` samples).
    #[arg(long)]
    pub test: bool,

    /// List as JSON.
    #[arg(long)]
    pub json: bool,

    /// Language of the titles.
    #[arg(long, value_enum, default_value_t = Lang::Nb)]
    pub lang: Lang,
}

/// `10`, `2.5`: seconds, 0 or more.
fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .and_then(|f| std::time::Duration::try_from_secs_f64(f).ok())
        .ok_or_else(|| format!("'{s}' is not a number of seconds"))
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" && s != "\r" => {
            Ok(s.as_bytes()[0])
        }
        _ => Err(format!(
            "'{s}' is not one ASCII character (other than a quote or line break)"
        )),
    }
}

/// `123`, `64K`, `500M`, `2G` (powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                'B' => 1,
                _ => return Err(format!("unknown size suffix in '{s}' (use K, M, G or T)")),
            };
            (&s[..i], m)
        }
        _ => (s, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("invalid size '{s}'"))
}

/// Entry point for the binary: parses arguments, runs, and returns the exit code.
pub fn main() -> i32 {
    // Panic messages can quote file content: never print them (see `guard`).
    crate::guard::install_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::Error as i32
            } else {
                0
            };
        }
    };
    match run(cli) {
        Ok(code) => code as i32,
        Err(e) if is_broken_pipe(&e) => ExitCode::Clean as i32,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("sladd: error: {e:#}");
            }
            ExitCode::Error as i32
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan_command(args),
        Command::Rules(args) => rules_command(args),
        Command::Explain(args) => explain_command(args),
        Command::AllowlistHash(args) => allowlist_hash_command(args),
        Command::Redact(args) => crate::redact::run::command(args),
        Command::Completions(args) => {
            use clap::CommandFactory;
            let mut out = std::io::stdout().lock();
            clap_complete::generate(args.shell, &mut Cli::command(), "sladd", &mut out);
            Ok(ExitCode::Clean)
        }
        Command::Man(args) => {
            use clap::CommandFactory;
            match args.dir {
                Some(dir) => {
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                    clap_mangen::generate_to(Cli::command(), &dir)
                        .with_context(|| format!("writing manual pages to {}", dir.display()))?;
                }
                None => {
                    clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout().lock())?
                }
            }
            Ok(ExitCode::Clean)
        }
        Command::ExtractWorker { request } => {
            crate::extract::worker::worker_main(&request)?;
            Ok(ExitCode::Clean)
        }
    }
}

fn load_rules(args: &RuleArgs) -> Result<RuleSet> {
    let extra: Vec<&Path> = args.rules.iter().map(|p| p.as_path()).collect();
    Ok(RuleSet::load(true, &extra)?)
}

fn scan_command(args: ScanArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let mut plan = Plan::resolve(&args)?;
    let rules = Arc::new(std::mem::take(&mut plan.rules));
    let codes = if args.health_codes.is_empty() {
        None
    } else {
        let paths: Vec<&Path> = args.health_codes.iter().map(PathBuf::as_path).collect();
        Some(crate::rules::codes::CodeTable::load(&paths).map_err(anyhow::Error::msg)?)
    };
    let mut limits = Limits::from_options(args.max_depth, args.max_decompressed, args.chunk_size);
    limits.max_findings = args.max_findings.max(1);
    if let Some(t) = args.parser_timeout {
        limits.worker_timeout = std::time::Duration::from_secs(t.max(1));
    }
    limits.file_timeout = plan.file_timeout;
    let build_scanner = || -> Result<Scanner> {
        let mut detector = Detector::from_shared(Arc::clone(&rules)).context("compiling rules")?;
        if let Some(codes) = codes {
            detector = detector.with_codes(codes);
        }
        let mut scanner = Scanner::new(detector, plan.fingerprinter.clone(), limits);
        scanner.chunk_helper = crate::walk::thread_count(args.threads) > 1;
        Ok(scanner)
    };

    let to_stdout = args.output.is_none();
    if plan.format == Format::Html && to_stdout && std::io::stdout().is_terminal() {
        bail!("the HTML report is a file: add --output rapport.html");
    }
    let color = match (args.color, args.no_color) {
        (_, true) | (ColorChoice::Never, _) => false,
        (ColorChoice::Always, _) => true,
        (ColorChoice::Auto, _) => {
            to_stdout && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let ctx = ReportContext {
        rules: Arc::clone(&rules),
        lang: args.lang,
        color,
        reveal: args.reveal,
        sort: args.sort,
        summary_only: args.summary_only,
        fail_on: plan.fail_on,
        csv_delimiter: args.csv_delimiter,
        run: plan.run.clone(),
    };
    // Opened once the rules have compiled, so that a rule error leaves an existing report
    // file as it was.
    let open_reporter = || -> Result<Box<dyn crate::report::Reporter>> {
        let out: crate::report::Out = match &args.output {
            Some(p) => Box::new(std::io::BufWriter::new(
                std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
            )),
            None => Box::new(std::io::BufWriter::new(std::io::stdout())),
        };
        Ok(plan.format.reporter(out, ctx))
    };
    let jsonl = plan.format == Format::Jsonl;
    // Filled by `compile` while the walk (holding `consume`) may already have started.
    let reporter: std::sync::Mutex<Option<Box<dyn crate::report::Reporter>>> = Default::default();
    let progress = progress_bar(args.quiet);
    let mut summary = Summary::default();
    let mut recorder = args.write_baseline.as_ref().map(|_| Recorder::default());
    let mut io_error: Option<std::io::Error> = None;

    let mut consume = |mut result: scan::FileResult| {
        plan.filter(&mut result, &mut summary, recorder.as_mut());
        summary.add(&result);
        if jsonl {
            // JSONL carries findings only; files not examined are reported on stderr.
            for n in &result.not_examined {
                progress.suspend(|| warn_not_examined(n));
            }
        }
        let mut reporter = reporter.lock().unwrap_or_else(|e| e.into_inner());
        if io_error.is_none()
            && let Some(r) = reporter.as_mut()
            && let Err(e) = r.file(&result)
        {
            io_error = Some(e);
        }
        progress.inc(1);
        if !progress.is_hidden() {
            progress.set_message(format!("{} funn", summary.findings));
        }
    };

    // Sets the reporter before `ready`: results reach `consume` only once `ready` is set.
    let ready = scan::Ready::new();
    let compile = || -> Result<()> {
        match build_scanner().and_then(|scanner| Ok((scanner, open_reporter()?))) {
            Ok((scanner, r)) => {
                *reporter.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                let _ = ready.set(Some(scanner));
                Ok(())
            }
            Err(e) => {
                let _ = ready.set(None);
                Err(e)
            }
        }
    };
    if plan.stdin {
        // Standard input is scanned first, as listed: here the rules compile before anything
        // is scanned.
        compile()?;
        if let Some(Some(scanner)) = ready.get() {
            let mut s = scanner.clone();
            let stdin = std::io::stdin();
            let result = scan::guarded("-", &mut Default::default(), |bufs| {
                s.scan_reader(stdin.lock(), "-", bufs)
            });
            consume(result);
        }
        if let Some(opts) = &plan.walk {
            scan::run(opts, &ready, &mut consume).context("walking the paths")?;
        }
    } else {
        std::thread::scope(|s| -> Result<()> {
            // The walk starts while the rules compile (see `scan::Ready`).
            let walker = plan
                .walk
                .as_ref()
                .map(|opts| s.spawn(|| scan::run(opts, &ready, &mut consume)));
            let compiled = compile();
            let walked = walker.map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            compiled?;
            walked.transpose().context("walking the paths")?;
            Ok(())
        })?;
    }
    // The process ends next: freeing the compiled rules one allocation at a time (the term
    // automaton's per-state lists, thousands of terms) took 0.8 ms, the kernel frees it all
    // at once.
    std::mem::forget(ready);
    progress.finish_and_clear();
    summary.elapsed = started.elapsed();
    if let Some(e) = io_error {
        return Err(e).context("writing the report");
    }
    let mut reporter = reporter.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = reporter.as_mut() {
        r.finish(&summary).context("writing the report")?;
    }
    if let (Some(path), Some(rec)) = (&args.write_baseline, recorder) {
        rec.write(path, &plan.fingerprinter)?;
    }

    Ok(if summary.at_or_above(plan.fail_on) > 0 {
        ExitCode::Findings
    } else if args.strict && summary.not_examined > 0 {
        ExitCode::NotExamined
    } else {
        ExitCode::Clean
    })
}

#[allow(clippy::print_stderr)]
fn warn_not_examined(n: &crate::model::NotExamined) {
    match &n.inner {
        Some(i) => eprintln!("sladd: not examined: {} → {}: {}", n.path, i, n.reason),
        None => eprintln!("sladd: not examined: {}: {}", n.path, n.reason),
    }
}

fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} filer, {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// The values given, or one per line from standard input.
fn args_or_stdin_lines(values: Vec<String>) -> Result<Vec<String>> {
    if !values.is_empty() {
        return Ok(values);
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
        .context("reading standard input")?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// Exit 0 when every number is valid as something, 1 otherwise.
fn explain_command(args: ExplainArgs) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let mut all_valid = true;
    for (i, number) in args_or_stdin_lines(args.numbers)?.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{}", number.trim())?;
        let checks = crate::explain::explain(number);
        all_valid &= checks.iter().any(|c| c.is_valid());
        for c in &checks {
            writeln!(out, "  {}", crate::explain::render(c, args.lang))?;
        }
    }
    Ok(if all_valid {
        ExitCode::Clean
    } else {
        ExitCode::Findings
    })
}

/// Prints `"HASH",  # RULE` per value a rule finds, ready to paste into `allowlist.hashes`.
/// The value is normalised by the detector itself, exactly as a scan would. Exit 1 when some
/// value is found by no rule.
fn allowlist_hash_command(args: AllowlistHashArgs) -> Result<ExitCode> {
    let config = if args.no_config {
        None
    } else {
        crate::config::Config::discover(args.config.as_deref(), Path::new("."))?
    };
    let mut packs: Vec<PathBuf> = config
        .as_ref()
        .map(crate::config::Config::pack_paths)
        .unwrap_or_default();
    packs.extend(args.rule_args.rules.iter().cloned());
    let refs: Vec<&Path> = packs.iter().map(PathBuf::as_path).collect();
    let rules = RuleSet::load(true, &refs)?;
    let key_file = args
        .fingerprint_key_file
        .clone()
        .or_else(|| config.as_ref().and_then(crate::config::Config::key_file));
    let fp = crate::fingerprint::Fingerprinter::resolve(key_file.as_deref())?;
    if matches!(fp.source, crate::fingerprint::KeySource::Ephemeral) {
        bail!(
            "no fingerprint key could be stored; set SLADD_FINGERPRINT_KEY or --fingerprint-key-file"
        );
    }
    let mut det = crate::detect::Detector::new(rules.clone())?;
    let mut out = std::io::stdout().lock();
    let mut missed = 0;
    for (i, value) in args_or_stdin_lines(args.values)?.iter().enumerate() {
        let hits = det.scan_text(value);
        if hits.is_empty() {
            missed += 1;
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "sladd: value {} is found by no rule; if its rule needs a keyword, give one \
                     (e.g. \"konto 86011117947\")",
                    i + 1
                );
            }
        }
        for h in hits {
            writeln!(
                out,
                "\"{}\",  # {}",
                fp.value_hash(&h.normalized),
                rules.rules[h.rule].id
            )?;
        }
    }
    Ok(if missed == 0 {
        ExitCode::Clean
    } else {
        ExitCode::Findings
    })
}

#[allow(clippy::print_stdout)]
fn rules_command(args: RulesArgs) -> Result<ExitCode> {
    let rules = load_rules(&args.rule_args)?;
    if args.test {
        return rule_self_tests(rules);
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let list: Vec<serde_json::Value> = rules
            .rules
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id,
                    "category": r.category,
                    "severity": r.severity,
                    "title": r.title,
                    "matcher": match &r.matcher {
                        Matcher::Validator(v) => format!("validator:{}", v.name()),
                        Matcher::Pattern { regex, .. } => format!("pattern:{regex}"),
                        Matcher::Terms(list) => format!("terms:{}", list.entries.len()),
                        Matcher::Combination => "combination".to_string(),
                    },
                    "source": r.source,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
        return Ok(ExitCode::Clean);
    }
    writeln!(
        out,
        "{:<28} {:<18} {:<9} TITLE",
        "ID", "CATEGORY", "SEVERITY"
    )?;
    for r in &rules.rules {
        let optional = match (r.optional, args.lang) {
            (false, _) => "",
            (true, Lang::Nb) => " (valgfri: --enable-rule)",
            (true, Lang::En) => " (optional: --enable-rule)",
        };
        writeln!(
            out,
            "{:<28} {:<18} {:<9} {}{optional}",
            r.id,
            r.category.as_str(),
            r.severity.as_str(),
            r.title.get(args.lang)
        )?;
    }
    Ok(ExitCode::Clean)
}

#[allow(clippy::print_stdout)]
fn rule_self_tests(rules: RuleSet) -> Result<ExitCode> {
    let mut det = crate::detect::Detector::new(rules.clone())?;
    let mut failures = 0;
    let mut total = 0;
    for (i, rule) in rules.rules.iter().enumerate() {
        for sample in &rule.tests.matches {
            total += 1;
            if !det.scan_text(sample).iter().any(|h| h.rule == i) {
                failures += 1;
                println!("FAIL {}: expected a match in {sample:?}", rule.id);
            }
        }
        for sample in &rule.tests.no_match {
            total += 1;
            if det.scan_text(sample).iter().any(|h| h.rule == i) {
                failures += 1;
                println!("FAIL {}: unexpected match in {sample:?}", rule.id);
            }
        }
    }
    println!("{} of {total} rule samples passed", total - failures);
    Ok(if failures == 0 {
        ExitCode::Clean
    } else {
        ExitCode::Findings
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("123"), Ok(123));
        assert_eq!(parse_size("64K"), Ok(65536));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert!(parse_size("12Q").is_err());
        assert!(parse_size("x").is_err());
        assert_eq!(
            parse_seconds("2.5"),
            Ok(std::time::Duration::from_millis(2500))
        );
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("soon").is_err());
    }

    #[test]
    fn cli_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
