//! Helpers shared by the integration tests.
#![allow(dead_code)]

use serde_json::Value;
use std::io::Write;
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
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, content).unwrap();
    p
}

/// Every file and folder below `dir`, sorted.
pub fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(tree(&p));
        }
        out.push(p);
    }
    out.sort();
    out
}

/// Every file below `dir`, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    tree(dir).into_iter().filter(|p| p.is_file()).collect()
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

/// The OASIS SARIF 2.1.0 schema from the team's shared folder (`../shared/schemas/`), compiled
/// with format checks on; None (and a note on stderr) when the folder is absent.
pub fn sarif_validator() -> Option<jsonschema::Validator> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "SKIP: SARIF schema validation: {} is absent (the team's shared folder)",
            path.display()
        );
        return None;
    };
    // The official schema's `language` patterns end in a lone `]`, legal in ECMAScript's
    // lenient (Annex B) syntax but rejected by the validator's strict check of the schema
    // itself. Escaping it keeps the meaning (a literal `]`); sladd never writes `language`.
    const LANGUAGE: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(LANGUAGE), "the shared SARIF schema changed");
    let text = text.replace(LANGUAGE, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    Some(
        jsonschema::options()
            .offline()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles offline"),
    )
}

/// Panics with every schema error if `doc` is not valid SARIF 2.1.0.
pub fn assert_valid_sarif(validator: &jsonschema::Validator, doc: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

/// The directory holding the built `sladd` binary, for tests that run command lines through
/// a shell as a CI job would.
pub fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_sladd"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A zip archive of `(name, bytes)` members, in memory.
pub fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in members {
        zw.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zw.write_all(data).unwrap();
    }
    zw.finish().unwrap().into_inner()
}
