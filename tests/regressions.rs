//! Regressions: inputs that once crashed, aborted, hung or blew the memory of a scan, found
//! by fuzzing (`fuzz/`, README "Security and limits") or by the hostile-file suite. Each test
//! names the bug; the inputs are minimised and built here, or are the fuzzer's minimised
//! bytes. Scans run the real binary, so an abort (which no `catch_unwind` can stop) fails the
//! test instead of killing the test runner.

mod util;

use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use util::{sladd, zip_of};

const CANARY: &str = "20036914700";

/// Scans one file given as bytes; returns the JSON report after checking that the process
/// ended normally and nothing was an internal error.
fn scan_bytes(name: &str, data: &[u8]) -> Value {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join(name);
    std::fs::write(&p, data).unwrap();
    scan_path(&p)
}

/// Scans under a 4 GiB address-space limit (`ulimit -v`, where a shell has it), so that a
/// runaway allocation fails the test even on a machine with the memory to satisfy it.
fn scan_path(p: &Path) -> Value {
    let mut cmd = if cfg!(unix) {
        let mut c = assert_cmd::Command::new("sh");
        c.args(["-c", "ulimit -v 4194304 && exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_sladd"))
            .env("SLADD_FINGERPRINT_KEY", util::TEST_KEY);
        c
    } else {
        sladd()
    };
    let out = cmd
        .args(["scan", "-q", "--no-config", "--format", "json"])
        .arg(p)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    for n in doc["not_examined"].as_array().unwrap() {
        assert!(
            !n["reason"]
                .as_str()
                .unwrap()
                .starts_with(sladd::guard::INTERNAL_ERROR),
            "{n}"
        );
    }
    doc
}

/// A workbook whose first sheet is `sheet_xml`.
fn xlsx(sheet_xml: &str) -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        (
            "xl/workbook.xml",
            br#"<workbook xmlns:r="r"><sheets><sheet name="A" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml.as_bytes()),
    ])
}

/// Exactly one fødselsnummer was found, in `cell`.
fn assert_one_fnr_at(doc: &Value, cell: &str) {
    let fnr: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "no.fnr")
        .collect();
    assert_eq!(fnr.len(), 1, "{doc:#}");
    assert_eq!(fnr[0]["location"]["cell"], cell);
}

/// A header cell at column `XFDXFDXFD` (5.4 trillion) sized the header list by its column:
/// a 121 TB allocation that aborted the whole scan, not just the file.
#[test]
fn xlsx_header_cell_far_to_the_right_aborted_the_scan() {
    let doc = scan_bytes(
        "bred.xlsx",
        &xlsx(&format!(
            r#"<worksheet><sheetData><row r="1"><c r="XFDXFDXFD1" t="inlineStr"><is><t>Navn</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>fnr {CANARY}</t></is></c></row></sheetData></worksheet>"#
        )),
    );
    // The number in A2 is the point; other rules may report the header text.
    assert_one_fnr_at(&doc, "A2");
}

/// A cell reference of 20 letters overflowed the column arithmetic (a panic in debug builds,
/// a wrapped column in release ones).
#[test]
fn xlsx_cell_reference_of_many_letters_overflowed() {
    let doc = scan_bytes(
        "bredere.xlsx",
        &xlsx(&format!(
            r#"<worksheet><sheetData><row r="1"><c r="{}1" t="inlineStr"><is><t>Navn</t></is></c></row></sheetData></worksheet>"#,
            "Z".repeat(20)
        )),
    );
    assert_eq!(doc["summary"]["files_scanned"], 1);
}

/// OpenDocument header cells repeated 16,384 times each pushed the column past 300 million;
/// the header list was sized by it (gigabytes).
#[test]
fn ods_repeated_header_cells_sized_the_header_list() {
    let mut g = sladd::synth::Gen::new(0x2545_f491);
    let mut cells = String::new();
    for _ in 0..20_000 {
        // Letters that do not repeat keep the part under the compression-ratio limit.
        let word: String = (0..8).map(|_| (b'a' + g.below(26) as u8) as char).collect();
        cells.push_str(&format!(
            r#"<table:table-cell table:number-columns-repeated="16384"><text:p>{word}</text:p></table:table-cell>"#
        ));
    }
    let content = format!(
        r#"<office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row>{cells}</table:table-row><table:table-row><table:table-cell><text:p>fnr {CANARY}</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let ods = zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("content.xml", content.as_bytes()),
    ]);
    let doc = scan_bytes("bred.ods", &ods);
    assert!(
        doc["not_examined"].as_array().unwrap().is_empty(),
        "{doc:#}"
    );
    // Random header words can look like clinical terms (a suffix rule); the number is the point.
    assert_one_fnr_at(&doc, "A2");
}
