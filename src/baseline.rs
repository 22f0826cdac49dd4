//! Baselines: "these findings are known; tell me only about new ones".
//!
//! `sladd scan --write-baseline FILE` records every current finding by its fingerprint
//! (rule, path, container path and normalised value under the secret key; no line number, so
//! an edit elsewhere in the file does not invalidate it). `--baseline FILE` drops findings whose
//! fingerprint is listed, before reporting and before the exit code.
//!
//! The file is JSON and holds no values, masked or plain: only fingerprints, with rule, path
//! and container path so a reviewer can read what was accepted. It also records a check value
//! of the key (`key_check`), so a baseline used with another key, where nothing would match,
//! is reported instead of silently suppressing nothing.

use crate::fingerprint::Fingerprinter;
use crate::model::Finding;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    /// Always `"sladd-baseline"`, so a wrong file is recognised.
    pub kind: String,
    pub version: u32,
    /// `Fingerprinter::key_check()` of the key that made the fingerprints.
    pub key_check: String,
    pub findings: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
    pub inner: Option<String>,
}

/// A loaded baseline: the set of accepted fingerprints.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    fingerprints: HashSet<String>,
}

impl Baseline {
    /// Reads a baseline; fails if it was written with another fingerprint key.
    pub fn load(path: &Path, fp: &Fingerprinter) -> Result<Baseline> {
        let text = crate::input::read_to_string(path, crate::input::MAX_LIST_FILE)
            .with_context(|| format!("reading baseline {}", path.display()))?;
        let file: BaselineFile = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a sladd baseline", path.display()))?;
        if file.kind != "sladd-baseline" || file.version != FORMAT_VERSION {
            bail!(
                "{} is not a sladd baseline of version {FORMAT_VERSION}",
                path.display()
            );
        }
        if file.key_check != fp.key_check() {
            bail!(
                "baseline {} was written with another fingerprint key, so none of its entries \
                 can match (set SLADD_FINGERPRINT_KEY or --fingerprint-key-file to that key)",
                path.display()
            );
        }
        Ok(Baseline {
            fingerprints: file.findings.into_iter().map(|e| e.fingerprint).collect(),
        })
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }
}

/// Collects findings during a scan and writes them as a baseline at the end.
#[derive(Debug, Default)]
pub struct Recorder {
    entries: BTreeSet<Entry>,
}

impl Recorder {
    pub fn add(&mut self, f: &Finding) {
        self.entries.insert(Entry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.clone(),
            path: crate::fingerprint::normalise_path(&f.path),
            inner: f.inner.clone(),
        });
    }

    /// Writes the baseline, sorted by path, so that it diffs well under version control.
    pub fn write(self, path: &Path, fp: &Fingerprinter) -> Result<()> {
        let mut findings: Vec<Entry> = self.entries.into_iter().collect();
        findings.sort_by(|a, b| {
            (&a.path, &a.inner, &a.rule, &a.fingerprint).cmp(&(
                &b.path,
                &b.inner,
                &b.rule,
                &b.fingerprint,
            ))
        });
        let file = BaselineFile {
            kind: "sladd-baseline".to_string(),
            version: FORMAT_VERSION,
            key_check: fp.key_check(),
            findings,
        };
        let mut text = serde_json::to_string_pretty(&file)?;
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("writing baseline {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::KeySource;

    #[test]
    fn round_trip_and_key_check() {
        let fp = Fingerprinter::from_key(b"key-one-0123456789", KeySource::Ephemeral);
        let mut f = crate::report::testing::finding("./a.txt", None, "no.fnr", 3);
        f.fingerprint = fp.fingerprint("no.fnr", "a.txt", None, &f.normalized);
        let mut rec = Recorder::default();
        rec.add(&f);
        rec.add(&f);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("baseline.json");
        rec.write(&p, &fp).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(!text.contains("14700"), "no values in a baseline: {text}");
        assert!(!text.contains("***"), "not even masked ones: {text}");
        assert!(text.contains("\"path\": \"a.txt\""));
        let b = Baseline::load(&p, &fp).unwrap();
        assert_eq!(b.len(), 1);
        assert!(b.contains(&f.fingerprint));

        let other = Fingerprinter::from_key(b"key-two-0123456789", KeySource::Ephemeral);
        let e = Baseline::load(&p, &other).unwrap_err();
        assert!(e.to_string().contains("another fingerprint key"));

        std::fs::write(&p, "{\"findings\": []}").unwrap();
        assert!(Baseline::load(&p, &fp).is_err());
    }
}
