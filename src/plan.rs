//! Command line + `sladd.toml` + defaults → one [`Plan`] for a scan (ripgrep's "HiArgs").
//!
//! Precedence is decided here and nowhere else: a flag given on the command line wins, then the
//! config file, then the built-in default. Scalar options the config can set are `Option`s in
//! clap so that "not given" is visible. Lists add up: rule packs, excludes and disabled rules
//! from the config and the command line are all used.

use crate::baseline::{Baseline, Recorder};
use crate::cli::ScanArgs;
use crate::config::Config;
use crate::fingerprint::{Fingerprinter, KeySource};
use crate::model::{Finding, Severity};
use crate::report::{Format, RunInfo};
use crate::rules::RuleSet;
use crate::scan::{FileResult, Summary};
use crate::walk::WalkOptions;
use anyhow::{Context, Result, bail};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The default of `--fail-on`.
pub const DEFAULT_FAIL_ON: Severity = Severity::Medium;

/// Everything a scan needs, resolved.
#[derive(Debug)]
pub struct Plan {
    pub config: Option<Config>,
    pub rules: RuleSet,
    pub fail_on: Severity,
    pub format: Format,
    /// What to walk; None when only standard input (or an empty `--files-from` list) is
    /// scanned.
    pub walk: Option<WalkOptions>,
    /// Scan standard input (`-` among the paths).
    pub stdin: bool,
    pub fingerprinter: Fingerprinter,
    /// `value_hash`es of allowlisted values.
    pub allowlist: HashSet<String>,
    pub baseline: Option<Baseline>,
    pub run: RunInfo,
    /// `--file-timeout`: one file's time budget; None when disabled (0).
    pub file_timeout: Option<std::time::Duration>,
}

impl Plan {
    pub fn resolve(args: &ScanArgs) -> Result<Plan> {
        let mut run = RunInfo {
            started: RunInfo::now(),
            ..Default::default()
        };
        let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
        let mut paths: Vec<PathBuf> = args
            .paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .cloned()
            .collect();
        let missing = crate::walk::missing_paths(&paths);
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(|p| p.display().to_string()).collect();
            bail!("no such file or folder: {}", list.join(", "));
        }
        run.paths = args.paths.iter().map(|p| p.display().to_string()).collect();

        // The config lives in the scanned folder; for files, standard input and lists, in the
        // current one.
        let folder = paths
            .first()
            .filter(|p| p.is_dir())
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        let config = if args.no_config {
            None
        } else {
            Config::discover(args.config.as_deref(), &folder)?
        };
        run.config = config.as_ref().map(|c| c.path.display().to_string());

        if let Some(list) = &args.files_from {
            if stdin && list.as_os_str() == "-" {
                bail!("standard input cannot be both scanned ('-') and read as --files-from -");
            }
            paths.extend(read_list(list)?);
            run.files_from = Some(list.display().to_string());
        } else if args.paths.is_empty() {
            paths.push(PathBuf::from("."));
            run.paths = vec![".".to_string()];
        }

        let rules = resolve_rules(args, config.as_ref(), &mut run)?;
        let fail_on = args
            .fail_on
            .or(config.as_ref().and_then(|c| c.fail_on))
            .unwrap_or(DEFAULT_FAIL_ON);
        let file_timeout = args
            .file_timeout
            .or(config.as_ref().and_then(|c| c.file_timeout))
            .unwrap_or(crate::extract::DEFAULT_FILE_TIMEOUT);
        let file_timeout = (!file_timeout.is_zero()).then_some(file_timeout);
        let format = args
            .format
            .or_else(|| args.output.as_deref().and_then(Format::from_path))
            .unwrap_or(Format::Human);

        let key_file = args
            .fingerprint_key_file
            .clone()
            .or_else(|| config.as_ref().and_then(Config::key_file));
        let fingerprinter = Fingerprinter::resolve(key_file.as_deref())?;
        if args.write_baseline.is_some() && matches!(fingerprinter.source, KeySource::Ephemeral) {
            bail!(
                "--write-baseline needs a fingerprint key that outlives this run: set \
                 SLADD_FINGERPRINT_KEY or --fingerprint-key-file"
            );
        }
        let baseline = match &args.baseline {
            Some(p) => {
                run.baseline = Some(p.display().to_string());
                Some(Baseline::load(p, &fingerprinter)?)
            }
            None => None,
        };
        let allowlist: HashSet<String> = config
            .as_ref()
            .map(|c| c.allowlist.hashes.iter().cloned().collect())
            .unwrap_or_default();
        run.allowlist_entries = allowlist.len();

        let mut globs = args.globs.clone();
        if let Some(c) = &config {
            globs.extend(c.exclude.iter().map(|g| format!("!{g}")));
        }
        run.globs = globs.clone();
        run.max_filesize = args.max_filesize;
        run.respect_gitignore = args.respect_gitignore;
        run.strict = args.strict;
        let walk = (!paths.is_empty()).then_some(WalkOptions {
            paths,
            respect_gitignore: args.respect_gitignore,
            globs,
            max_filesize: args.max_filesize,
            threads: args.threads,
            follow_links: args.follow,
            force_exclude: args.force_exclude,
        });

        Ok(Plan {
            config,
            rules,
            fail_on,
            format,
            walk,
            stdin,
            fingerprinter,
            allowlist,
            baseline,
            run,
            file_timeout,
        })
    }

    /// Drops allowlisted findings, records the rest for `--write-baseline`, then drops those
    /// in the baseline; counts what was dropped.
    pub fn filter(
        &self,
        result: &mut FileResult,
        summary: &mut Summary,
        recorder: Option<&mut Recorder>,
    ) {
        if !self.allowlist.is_empty() {
            let before = result.findings.len();
            result.findings.retain(|f| !self.allowlisted(f));
            summary.allowlisted += (before - result.findings.len()) as u64;
        }
        if let Some(rec) = recorder {
            result.findings.iter().for_each(|f| rec.add(f));
        }
        if let Some(b) = &self.baseline {
            let before = result.findings.len();
            result.findings.retain(|f| !b.contains(&f.fingerprint));
            summary.baselined += (before - result.findings.len()) as u64;
        }
    }

    fn allowlisted(&self, f: &Finding) -> bool {
        self.allowlist
            .contains(&self.fingerprinter.value_hash(&f.normalized))
    }
}

/// Rule packs (config, then `--rules`), `enable`, `disable` and severity overrides. Every id
/// named is checked against the loaded rules, so a typo is an error, not a silent no-op.
fn resolve_rules(args: &ScanArgs, config: Option<&Config>, run: &mut RunInfo) -> Result<RuleSet> {
    let mut packs: Vec<PathBuf> = config.map(Config::pack_paths).unwrap_or_default();
    packs.extend(args.rule_args.rules.iter().cloned());
    let refs: Vec<&Path> = packs.iter().map(PathBuf::as_path).collect();
    let mut rules = RuleSet::load(true, &refs)?;

    let empty = crate::config::RulesConfig::default();
    let rc = config.map_or(&empty, |c| &c.rules);
    let known = |id: &String, what: &str| -> Result<()> {
        if rules.get(id).is_none() {
            bail!("{what} names unknown rule '{id}' (see `sladd rules`)");
        }
        Ok(())
    };
    for id in &rc.enable {
        known(id, "rules.enable in the config")?;
    }
    let mut optional_on: Vec<String> = rc.enable_optional.clone();
    optional_on.extend(args.enable_rules.iter().cloned());
    for id in &optional_on {
        known(id, "rules.enable-optional / --enable-rule")?;
    }
    optional_on.extend(rc.enable.iter().cloned());
    for id in rc.severity.keys() {
        known(id, "rules.severity in the config")?;
    }
    let mut disabled: Vec<String> = rc.disable.clone();
    disabled.extend(args.disable_rules.iter().cloned());
    for id in &disabled {
        known(id, "rules.disable / --disable-rule")?;
    }

    rules.drop_optional(&optional_on);
    disabled.retain(|id| rules.get(id).is_some());
    for r in &mut rules.rules {
        if let Some(&s) = rc.severity.get(&r.id) {
            r.severity = s;
        }
    }
    run.severity_overrides = rc.severity.iter().map(|(k, v)| (k.clone(), *v)).collect();
    if !rc.enable.is_empty() {
        let off: Vec<String> = rules
            .rules
            .iter()
            .filter(|r| !rc.enable.contains(&r.id))
            .map(|r| r.id.clone())
            .collect();
        disabled.extend(off);
    }
    disabled.sort();
    disabled.dedup();
    rules.disable(&disabled).map_err(anyhow::Error::msg)?;
    run.disabled_rules = disabled;
    Ok(rules)
}

/// Reads a `--files-from` list: NUL-separated if it holds a NUL (`find -print0`,
/// `git ls-files -z`), else one path per line. Blank lines are skipped.
fn read_list(path: &Path) -> Result<Vec<PathBuf>> {
    use crate::input::{MAX_LIST_FILE, read, read_from};
    let bytes = if path.as_os_str() == "-" {
        read_from(std::io::stdin().lock(), MAX_LIST_FILE)
            .context("reading the --files-from list from standard input")?
    } else {
        read(path, MAX_LIST_FILE)
            .with_context(|| format!("reading --files-from {}", path.display()))?
    };
    let nul = bytes.contains(&0);
    let items = bytes.split(|&b| if nul { b == 0 } else { b == b'\n' });
    Ok(items
        .map(|item| match item {
            [rest @ .., b'\r'] if !nul => rest,
            _ => item,
        })
        .filter(|item| !item.is_empty())
        .map(path_from_bytes)
        .collect())
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn args(argv: &[&str]) -> ScanArgs {
        let mut full = vec!["sladd", "scan"];
        full.extend_from_slice(argv);
        match Cli::parse_from(full).command {
            Command::Scan(a) => a,
            _ => unreachable!(),
        }
    }

    /// A folder with a config; the fingerprint key comes from a key file beside it, so no test
    /// touches the user's key.
    fn project(config: &str) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("sladd.toml"), config).unwrap();
        std::fs::write(d.path().join("key"), "0123456789abcdef0123456789abcdef").unwrap();
        d
    }

    fn plan(d: &tempfile::TempDir, extra: &[&str]) -> Result<Plan> {
        let dir = d.path().to_str().unwrap().to_string();
        let key = d.path().join("key").to_str().unwrap().to_string();
        let mut argv = vec![dir.as_str(), "--fingerprint-key-file", key.as_str()];
        argv.extend_from_slice(extra);
        Plan::resolve(&args(&argv))
    }

    #[test]
    fn precedence_cli_over_config_over_default() {
        let none = project("");
        assert_eq!(plan(&none, &[]).unwrap().fail_on, Severity::Medium);
        let cfg = project("fail-on = 'high'\n");
        assert_eq!(plan(&cfg, &[]).unwrap().fail_on, Severity::High);
        assert_eq!(
            plan(&cfg, &["--fail-on", "low"]).unwrap().fail_on,
            Severity::Low
        );
        assert_eq!(
            plan(&cfg, &["--no-config"]).unwrap().fail_on,
            Severity::Medium
        );

        let secs = std::time::Duration::from_secs;
        assert_eq!(plan(&none, &[]).unwrap().file_timeout, Some(secs(10)));
        let cfg = project("file-timeout = 60\n");
        assert_eq!(plan(&cfg, &[]).unwrap().file_timeout, Some(secs(60)));
        let p = plan(&cfg, &["--file-timeout", "3"]).unwrap();
        assert_eq!(p.file_timeout, Some(secs(3)));
        let p = plan(&cfg, &["--file-timeout", "0"]).unwrap();
        assert_eq!(p.file_timeout, None);
    }

    #[test]
    fn format_from_flag_then_output_extension() {
        let d = project("");
        let out = d.path().join("r.html");
        let out = out.to_str().unwrap();
        assert_eq!(plan(&d, &[]).unwrap().format, Format::Human);
        assert_eq!(plan(&d, &["-o", out]).unwrap().format, Format::Html);
        assert_eq!(
            plan(&d, &["-o", out, "-f", "json"]).unwrap().format,
            Format::Json
        );
    }

    #[test]
    fn rules_enable_disable_and_severity() {
        let d = project("[rules]\ndisable = ['email']\nseverity = { 'no.phone' = 'critical' }\n");
        let p = plan(&d, &["--disable-rule", "iban"]).unwrap();
        assert!(p.rules.get("email").is_none());
        assert!(p.rules.get("iban").is_none());
        assert_eq!(
            p.rules.get("no.phone").unwrap().severity,
            Severity::Critical
        );
        assert_eq!(p.run.disabled_rules, ["email", "iban"]);

        let d = project("[rules]\nenable = ['no.fnr', 'no.dnr']\n");
        let p = plan(&d, &[]).unwrap();
        let ids: Vec<&str> = p.rules.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["no.fnr", "no.dnr"]);

        for bad in [
            "[rules]\ndisable = ['no.such']\n",
            "[rules]\nenable = ['no.such']\n",
            "[rules]\nseverity = { 'no.such' = 'low' }\n",
        ] {
            let e = plan(&project(bad), &[]).unwrap_err();
            assert!(e.to_string().contains("unknown rule 'no.such'"), "{e}");
        }
        let e = plan(&project(""), &["--disable-rule", "nope"]).unwrap_err();
        assert!(e.to_string().contains("'nope'"));
    }

    #[test]
    fn packs_are_relative_to_the_config_and_excludes_become_globs() {
        let d = project("exclude = ['testdata/']\n[rules]\npacks = ['regler/acme.toml']\n");
        std::fs::create_dir_all(d.path().join("regler")).unwrap();
        std::fs::write(
            d.path().join("regler/acme.toml"),
            "[pack]\nid='acme'\nschema=1\n[[rule]]\nid='acme.emp'\ntitle={no='a',en='b'}\n\
             category='other'\nseverity='low'\npattern='ANS-[0-9]{6}'\n",
        )
        .unwrap();
        let p = plan(&d, &["-g", "*.txt"]).unwrap();
        assert!(p.rules.get("acme.emp").is_some());
        assert_eq!(p.walk.unwrap().globs, ["*.txt", "!testdata/"]);
    }

    #[test]
    fn files_from_lists() {
        let d = tempfile::tempdir().unwrap();
        let list = d.path().join("list");
        std::fs::write(&list, "a.txt\r\n\nb c.txt\n").unwrap();
        assert_eq!(
            read_list(&list).unwrap(),
            [PathBuf::from("a.txt"), PathBuf::from("b c.txt")]
        );
        std::fs::write(&list, "a\nb\0c\0").unwrap();
        assert_eq!(
            read_list(&list).unwrap(),
            [PathBuf::from("a\nb"), PathBuf::from("c")]
        );
    }
}
