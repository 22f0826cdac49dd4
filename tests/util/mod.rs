//! Helpers shared by the integration tests.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The fingerprint key every test run uses, so no test writes a key file into $HOME.
pub const TEST_KEY: &str = "sladd-test-key-not-secret";

/// The built binary with a fixed fingerprint key and no colour.
pub fn sladd() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("sladd").unwrap();
    c.env("SLADD_FINGERPRINT_KEY", TEST_KEY)
        .env("NO_COLOR", "1");
    c
}

/// Writes `content` to `dir/name`, creating folders; returns the path.
pub fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, content).unwrap();
    p
}

/// Runs the command and parses its stdout as JSON Lines.
pub fn jsonl(cmd: &mut assert_cmd::Command) -> Vec<Value> {
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}
