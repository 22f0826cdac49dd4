//! Stable, non-reversible finding fingerprints.
//!
//! A fingerprint identifies "this value, found by this rule, in this file" across runs, so that
//! baselines survive edits elsewhere in the file (no line numbers go in). It must not reveal the
//! value: there are only about 40 million valid fødselsnummer, so a plain SHA-256 of one is
//! reversed by brute force in seconds. We therefore use HMAC-SHA256 with a secret key that never
//! appears in any report or baseline:
//!
//! 1. `SLADD_FINGERPRINT_KEY` (the key itself, e.g. a CI secret shared by all jobs), else
//! 2. a key file named by `--fingerprint-key-file` or the config, else
//! 3. the per-user key file `$XDG_CONFIG_HOME/sladd/fingerprint.key` (`~/.config/...`), created
//!    with 32 random bytes on first use.
//!
//! Anyone holding the key can test guesses against fingerprints, so the key is as sensitive as
//! the data; anyone without it learns nothing from a report.

use anyhow::{Context, Result};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Environment variable holding the key material directly.
pub const KEY_ENV: &str = "SLADD_FINGERPRINT_KEY";

/// Where the key came from; shown by `sladd scan --verbose` so a CI job can check it used the
/// shared key and not a fresh per-machine one.
#[derive(Debug, Clone)]
pub enum KeySource {
    Environment,
    File(PathBuf),
    /// No key could be stored; fingerprints are stable within this run only.
    Ephemeral,
}

#[derive(Clone)]
pub struct Fingerprinter {
    mac: Hmac<Sha256>,
    pub source: KeySource,
}

impl std::fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("Fingerprinter")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Fingerprinter {
    pub fn from_key(key: &[u8], source: KeySource) -> Fingerprinter {
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
            .expect("HMAC accepts keys of any length");
        Fingerprinter { mac, source }
    }

    /// Resolves the key as described in the module docs.
    pub fn resolve(key_file: Option<&Path>) -> Result<Fingerprinter> {
        if let Ok(key) = std::env::var(KEY_ENV)
            && !key.is_empty()
        {
            return Ok(Fingerprinter::from_key(
                key.as_bytes(),
                KeySource::Environment,
            ));
        }
        if let Some(path) = key_file {
            let key = crate::input::read(path, crate::input::MAX_KEY_FILE)
                .with_context(|| format!("reading fingerprint key file {}", path.display()))?;
            anyhow::ensure!(
                key.len() >= 16,
                "fingerprint key file {} holds fewer than 16 bytes",
                path.display()
            );
            return Ok(Fingerprinter::from_key(
                &key,
                KeySource::File(path.to_path_buf()),
            ));
        }
        match default_key_path() {
            Some(path) => match load_or_create(&path) {
                Ok(key) => Ok(Fingerprinter::from_key(&key, KeySource::File(path))),
                Err(_) => Ok(Self::ephemeral()),
            },
            None => Ok(Self::ephemeral()),
        }
    }

    pub fn ephemeral() -> Fingerprinter {
        let mut key = [0u8; 32];
        // If even the OS random source fails, a fixed key still masks values in reports; only
        // the brute-force resistance of fingerprints is lost, which `source` makes visible.
        let _ = getrandom::fill(&mut key);
        Fingerprinter::from_key(&key, KeySource::Ephemeral)
    }

    /// `rule ‖ path ‖ inner ‖ normalised value`, each separated by a NUL so that no two
    /// different tuples produce the same input. Hex of the first 128 bits.
    pub fn fingerprint(&self, rule: &str, path: &str, inner: Option<&str>, value: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(b"sladd-fp-v1\0");
        mac.update(rule.as_bytes());
        mac.update(b"\0");
        mac.update(normalised(path).as_bytes());
        mac.update(b"\0");
        mac.update(inner.unwrap_or("").as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        hex(&digest[..16])
    }

    /// A check value of the key (not the key, nor anything it could be recovered from), written
    /// into baselines so that one used with another key is reported instead of matching nothing.
    pub fn key_check(&self) -> String {
        let mut mac = self.mac.clone();
        mac.update(b"sladd-key-check-v1\0");
        hex(&mac.finalize().into_bytes()[..8])
    }

    /// A keyed hash of a value alone, for allowlists of known test data (no path, no rule).
    pub fn value_hash(&self, value: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(b"sladd-allow-v1\0");
        mac.update(value.as_bytes());
        hex(&mac.finalize().into_bytes()[..16])
    }
}

/// `./a/b` and `a/b` are the same file to a baseline; so are `a\b` on Windows.
pub fn normalise_path(path: &str) -> String {
    normalised(path).into_owned()
}

/// [`normalise_path`] without an allocation when the path needs no change (every finding is
/// fingerprinted).
fn normalised(path: &str) -> Cow<'_, str> {
    if path.contains('\\') {
        Cow::Owned(without_dot_slash(&path.replace('\\', "/")).to_string())
    } else {
        Cow::Borrowed(without_dot_slash(path))
    }
}

fn without_dot_slash(mut path: &str) -> &str {
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    path
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

fn default_key_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("sladd").join("fingerprint.key"))
}

fn load_or_create(path: &Path) -> std::io::Result<Vec<u8>> {
    if let Ok(key) = crate::input::read(path, crate::input::MAX_KEY_FILE)
        && key.len() >= 16
    {
        return Ok(key);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(std::io::Error::other)?;
    let key = hex(&raw).into_bytes();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(mut f) => {
            use std::io::Write;
            f.write_all(&key)?;
            Ok(key)
        }
        // Another sladd process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            crate::input::read(path, crate::input::MAX_KEY_FILE)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_keyed() {
        let a = Fingerprinter::from_key(b"key-one-0123456789", KeySource::Ephemeral);
        let b = Fingerprinter::from_key(b"key-two-0123456789", KeySource::Ephemeral);
        let fa = a.fingerprint("no.fnr", "./docs/a.txt", None, "01019012345");
        assert_eq!(
            fa,
            a.fingerprint("no.fnr", "docs/a.txt", None, "01019012345")
        );
        assert_ne!(
            fa,
            b.fingerprint("no.fnr", "docs/a.txt", None, "01019012345")
        );
        assert_ne!(
            fa,
            a.fingerprint("no.dnr", "docs/a.txt", None, "01019012345")
        );
        assert_ne!(
            fa,
            a.fingerprint("no.fnr", "docs/a.txt", Some("x"), "01019012345")
        );
        assert_eq!(fa.len(), 32);
        assert!(!fa.contains("01019012345"));
    }

    #[test]
    fn hex_and_path_forms() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(normalise_path("./././a\\b/c"), "a/b/c");
        assert_eq!(normalise_path(".\\x"), "x");
        assert_eq!(normalise_path("a/./b"), "a/./b");
        assert!(matches!(normalised("./a/b"), Cow::Borrowed("a/b")));
    }

    #[test]
    fn key_file_is_created_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("fingerprint.key");
        let k1 = load_or_create(&p).unwrap();
        let k2 = load_or_create(&p).unwrap();
        assert_eq!(k1, k2);
        assert_eq!(k1.len(), 64);
    }
}
