//! `sladd.toml`: a project's standing choices, so a CI job and a clerk's laptop scan alike.
//!
//! Found in the scanned folder (the first path argument, when it is a folder; otherwise the
//! current folder), or named with `--config FILE`; `--no-config` ignores it. Strict: an
//! unknown key is an error with its line, so a typo never silently does nothing. Every field is
//! optional; the command line wins over the file, the file over the defaults (resolved in one
//! place, `plan.rs`).
//!
//! ```toml
//! fail-on = "high"                  # default for --fail-on
//! exclude = ["testdata/", "*.log"]  # globs, as --glob '!PATTERN'
//! fingerprint-key-file = "../secrets/sladd.key"
//! file-timeout = 30                 # default for --file-timeout (seconds, 0 = none)
//!
//! [rules]
//! packs = ["regler/acme.toml"]      # extra rule packs, relative to this file
//! disable = ["no.phone"]
//! enable = []                       # if not empty: only these rules run
//! enable-optional = []               # optional rules to turn on ("health.ambiguous")
//! severity = { "email" = "medium" }
//!
//! [allowlist]
//! hashes = ["5f0c…"]                # from `sladd allowlist-hash`: never plain values
//! ```
//!
//! Allowlist entries are keyed hashes of the normalised value (`Fingerprinter::value_hash`), so
//! the file can be committed without listing the numbers it exempts; they only match when the
//! scan uses the same fingerprint key as the one that made them.

use crate::model::Severity;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name looked for in the scanned folder.
pub const FILE_NAME: &str = "sladd.toml";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Default for `--fail-on`.
    #[serde(default)]
    pub fail_on: Option<Severity>,
    /// Paths to skip: globs as `--glob` takes them, without the leading `!`.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Fingerprint key file, relative to this file (`SLADD_FINGERPRINT_KEY` still wins).
    #[serde(default)]
    pub fingerprint_key_file: Option<PathBuf>,
    /// Default for `--file-timeout`, in seconds (0: no time budget).
    #[serde(default, deserialize_with = "seconds")]
    pub file_timeout: Option<std::time::Duration>,
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub allowlist: Allowlist,
    /// The folder holding the file: relative paths in it are relative to this.
    #[serde(skip)]
    pub dir: PathBuf,
    /// Where the file was read from.
    #[serde(skip)]
    pub path: PathBuf,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RulesConfig {
    /// Extra rule packs (paths relative to the config file).
    #[serde(default)]
    pub packs: Vec<PathBuf>,
    /// Rules not to run.
    #[serde(default)]
    pub disable: Vec<String>,
    /// If not empty, only these rules run.
    #[serde(default)]
    pub enable: Vec<String>,
    /// Optional rules to turn on (they are off by default), e.g. "health.ambiguous".
    #[serde(default)]
    pub enable_optional: Vec<String>,
    /// Severity per rule id.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Allowlist {
    /// Hashes printed by `sladd allowlist-hash` (32 lower-case hex digits).
    #[serde(default)]
    pub hashes: Vec<String>,
}

/// Seconds as a TOML integer or float, not negative.
fn seconds<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<std::time::Duration>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Secs {
        Int(u64),
        Float(f64),
    }
    let secs = match Secs::deserialize(d)? {
        Secs::Int(n) => n as f64,
        Secs::Float(f) => f,
    };
    std::time::Duration::try_from_secs_f64(secs)
        .map(Some)
        .map_err(|_| serde::de::Error::custom("expected a number of seconds, 0 or more"))
}

impl Config {
    /// Parses a config file's text. `path` names it in errors and anchors relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let mut config: Config =
            toml::from_str(text).with_context(|| format!("invalid config {}", path.display()))?;
        config.path = path.to_path_buf();
        config.dir = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        config.check()?;
        Ok(config)
    }

    pub fn load(path: &Path) -> Result<Config> {
        let text = crate::input::read_to_string(path, crate::input::MAX_TEXT_FILE)
            .with_context(|| format!("reading config {}", path.display()))?;
        Config::parse(&text, path)
    }

    /// The config that applies: `explicit` if given, else `sladd.toml` in `folder`, else none.
    pub fn discover(explicit: Option<&Path>, folder: &Path) -> Result<Option<Config>> {
        if let Some(p) = explicit {
            return Config::load(p).map(Some);
        }
        let candidate = folder.join(FILE_NAME);
        if candidate.is_file() {
            return Config::load(&candidate).map(Some);
        }
        Ok(None)
    }

    /// Checks what serde cannot. Errors never quote an allowlist entry: a user who pasted a
    /// plain number there must not see it copied into a CI log.
    fn check(&self) -> Result<()> {
        let name = self.path.display();
        for (i, h) in self.allowlist.hashes.iter().enumerate() {
            if h.len() != 32
                || !h
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                bail!(
                    "{name}: allowlist.hashes entry {} is not a hash from `sladd allowlist-hash` \
                     (32 hex digits); plain values never belong in the config",
                    i + 1
                );
            }
        }
        for g in &self.exclude {
            if g.starts_with('!') || g.trim().is_empty() {
                bail!(
                    "{name}: exclude pattern '{g}' must be a non-empty glob without a leading '!'"
                );
            }
        }
        Ok(())
    }

    /// Rule pack paths, resolved against the config's folder.
    pub fn pack_paths(&self) -> Vec<PathBuf> {
        self.rules.packs.iter().map(|p| self.dir.join(p)).collect()
    }

    pub fn key_file(&self) -> Option<PathBuf> {
        self.fingerprint_key_file.as_ref().map(|p| self.dir.join(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_field() {
        let c = Config::parse(
            r#"
            fail-on = "high"
            exclude = ["testdata/", "*.log"]
            fingerprint-key-file = "key"
            file-timeout = 2.5
            [rules]
            packs = ["regler/acme.toml"]
            disable = ["no.phone"]
            enable = ["no.fnr", "email"]
            severity = { "email" = "medium" }
            [allowlist]
            hashes = ["0123456789abcdef0123456789abcdef"]
            "#,
            Path::new("proj/sladd.toml"),
        )
        .unwrap();
        assert_eq!(c.fail_on, Some(Severity::High));
        assert_eq!(c.pack_paths(), [PathBuf::from("proj/regler/acme.toml")]);
        assert_eq!(c.key_file(), Some(PathBuf::from("proj/key")));
        assert_eq!(c.rules.severity["email"], Severity::Medium);
        assert_eq!(c.allowlist.hashes.len(), 1);
        assert_eq!(c.file_timeout, Some(std::time::Duration::from_millis(2500)));
        let c = Config::parse("file-timeout = 30", Path::new("s.toml")).unwrap();
        assert_eq!(c.file_timeout, Some(std::time::Duration::from_secs(30)));
        assert!(Config::parse("file-timeout = -1", Path::new("s.toml")).is_err());
    }

    #[test]
    fn empty_file_is_all_defaults() {
        let c = Config::parse("", Path::new("sladd.toml")).unwrap();
        assert_eq!(c.fail_on, None);
        assert!(c.exclude.is_empty() && c.rules.packs.is_empty());
        assert_eq!(c.dir, PathBuf::from("."));
    }

    #[test]
    fn strict() {
        let e = Config::parse("fail_on = 'high'\n", Path::new("s.toml")).unwrap_err();
        assert!(format!("{e:#}").contains("unknown field"), "{e:#}");
        let e = Config::parse("[rules]\ndisabel = []\n", Path::new("s.toml")).unwrap_err();
        assert!(format!("{e:#}").contains("disabel"), "{e:#}");
        let e = Config::parse("fail-on = 'huge'\n", Path::new("s.toml")).unwrap_err();
        assert!(format!("{e:#}").contains("huge"), "{e:#}");
        let e = Config::parse("exclude = ['!x']\n", Path::new("s.toml")).unwrap_err();
        assert!(e.to_string().contains("leading '!'"));
    }

    #[test]
    fn plain_values_are_refused_without_being_quoted() {
        let e = Config::parse(
            "[allowlist]\nhashes = ['20036914700']\n",
            Path::new("s.toml"),
        )
        .unwrap_err();
        let text = format!("{e:#}");
        assert!(text.contains("entry 1 is not a hash"), "{text}");
        assert!(!text.contains("20036914700"), "{text}");
    }
}
