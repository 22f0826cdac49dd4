//! Document formats: every format and hidden place of issue 3, on committed fixtures made by
//! real office software or established libraries (tests/fixtures/generate.py).
//!
//! Every identity number in the fixtures is synthetic (see tests/fixtures/README.md); the
//! values asserted here are listed in tests/fixtures/numbers.txt.

mod util;

use serde_json::Value;
use std::path::{Path, PathBuf};
use util::sladd;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A scan's JSON document and exit code.
struct Scan {
    findings: Vec<Value>,
    not_examined: Vec<Value>,
    code: i32,
}

fn scan_with(rel: &str, extra: &[&str]) -> Scan {
    let out = sladd()
        .args(["scan", "-q", "--format", "json", "--reveal"])
        .args(extra)
        .arg(fixture(rel))
        .output()
        .unwrap();
    let code = out.status.code().expect("sladd was not killed");
    assert!(
        matches!(code, 0 | 1 | 3),
        "{rel}: exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    Scan {
        findings: doc["findings"].as_array().unwrap().clone(),
        not_examined: doc["not_examined"].as_array().unwrap().clone(),
        code,
    }
}

fn scan(rel: &str) -> Scan {
    scan_with(rel, &[])
}

impl Scan {
    /// The one finding whose value, digits only, is `digits`; asserts its rule.
    fn number(&self, digits: &str, rule: &str) -> &Value {
        let hits: Vec<&Value> = self
            .findings
            .iter()
            .filter(|f| {
                let v: String = f["value"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                v == digits
            })
            .collect();
        assert_eq!(
            hits.len(),
            1,
            "expected one finding of {digits}, got {:#?}",
            self.findings
        );
        assert_eq!(hits[0]["rule"], rule, "{:#?}", hits[0]);
        hits[0]
    }

    fn fnr(&self, digits: &str) -> &Value {
        self.number(digits, "no.fnr")
    }

    fn value(&self, value: &str) -> &Value {
        self.findings
            .iter()
            .find(|f| f["value"] == value)
            .unwrap_or_else(|| panic!("no finding {value} in {:#?}", self.findings))
    }

    fn reason(&self) -> String {
        assert!(
            !self.not_examined.is_empty(),
            "expected a not-examined entry"
        );
        self.not_examined
            .iter()
            .map(|n| n["reason"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

fn loc<'a>(f: &'a Value, key: &str) -> &'a Value {
    &f["location"][key]
}

#[test]
fn docx_runs_tables_headers_comments_notes_deletions_textboxes_metadata() {
    // "DDMMYY" and " IIIKK" in separate runs of one paragraph.
    let s = scan("docx/split-runs.docx");
    let f = s.fnr("10015110096");
    assert_eq!(f["value"], "100151 10096");
    assert_eq!(loc(f, "part"), "word/document.xml");
    assert_eq!(f["confidence"], "high");

    let s = scan("docx/table.docx");
    let f = s.fnr("11025813784");
    assert_eq!(loc(f, "part"), "word/document.xml");
    assert_eq!(loc(f, "field"), "Fødselsnummer");

    let s = scan("docx/header-footer.docx");
    assert_eq!(loc(s.fnr("12036517458"), "part"), "word/header1.xml");
    assert_eq!(loc(s.fnr("13047221220"), "part"), "word/footer1.xml");

    let s = scan("docx/comment.docx");
    assert_eq!(loc(s.fnr("14057924838"), "part"), "word/comments.xml");

    let s = scan("docx/footnote.docx");
    assert_eq!(loc(s.fnr("11088480394"), "part"), "word/footnotes.xml");

    // Deleted with change tracking on: still in the file, still a leak.
    let s = scan("docx/tracked-deletion.docx");
    assert_eq!(loc(s.fnr("12099184068"), "part"), "word/document.xml");

    // Text box (LibreOffice also writes a VML fallback copy: reported once).
    let s = scan("docx/textbox.docx");
    assert_eq!(loc(s.fnr("13109887794"), "part"), "word/document.xml");

    let s = scan("docx/metadata.docx");
    let f = s.fnr("15068628501");
    assert_eq!(loc(f, "part"), "docProps/core.xml");
    assert_eq!(loc(f, "field"), "description");
    let author = s.value("ola.nordmann@eksempel.no");
    assert_eq!(author["rule"], "email");
    assert_eq!(loc(author, "field"), "creator");
    assert_eq!(
        loc(s.value("kari.nordmann@eksempel.no"), "field"),
        "lastModifiedBy"
    );
}

#[test]
fn xlsx_sheets_strings_hidden_sheets_leading_zero_comments() {
    let s = scan("xlsx/workbook.xlsx");
    // Shared string under a header row: the header is the field.
    let f = s.fnr("16079332384");
    assert_eq!(loc(f, "sheet"), "Brukere");
    assert_eq!(loc(f, "cell"), "B2");
    assert_eq!(loc(f, "field"), "Fødselsnummer");
    assert_eq!(f["confidence"], "high");
    // Inline (rich text) string.
    assert_eq!(loc(s.fnr("17080035969"), "cell"), "B3");
    // A number that lost its leading zero in a numeric cell.
    let f = s.fnr("03090739637");
    assert_eq!(f["value"], "03090739637");
    assert_eq!(loc(f, "cell"), "B7");
    assert!(
        f["note"]
            .as_str()
            .unwrap()
            .contains("leading zero restored"),
        "{f:#}"
    );
    // Cell comment, at its cell.
    let f = s.fnr("19101443313");
    assert_eq!(loc(f, "sheet"), "Brukere");
    assert_eq!(loc(f, "cell"), "A8");
    assert_eq!(loc(f, "part"), "xl/comments/comment1.xml");
    // Hidden and very hidden sheets are scanned, and say so.
    for (n, sheet) in [("20112147188", "Skjult"), ("21122850703", "Veldig skjult")] {
        let f = s.fnr(n);
        assert_eq!(loc(f, "sheet"), sheet);
        assert_eq!(loc(f, "cell"), "B1");
        assert!(f["note"].as_str().unwrap().contains("hidden sheet"));
    }
    assert_eq!(
        loc(s.value("ola.nordmann@eksempel.no"), "part"),
        "docProps/core.xml"
    );

    // No header row: "Fødselsnummer" in A3 is context for the number in B3.
    let s = scan("xlsx/row-context.xlsx");
    let f = s.fnr("22013554459");
    assert_eq!(loc(f, "cell"), "B3");
    assert_eq!(f["confidence"], "high");
}

#[test]
fn pptx_slides_tables_and_speaker_notes() {
    let s = scan("pptx/slides.pptx");
    assert_eq!(loc(s.fnr("23024258122"), "part"), "ppt/slides/slide1.xml");
    assert_eq!(
        loc(s.fnr("24034961839"), "part"),
        "ppt/notesSlides/notesSlide1.xml"
    );
    let f = s.fnr("25045665502");
    assert_eq!(loc(f, "part"), "ppt/slides/slide2.xml");
    assert_eq!(loc(f, "field"), "Fødselsnummer");
    assert_eq!(
        loc(s.value("ola.nordmann@eksempel.no"), "part"),
        "docProps/core.xml"
    );
}

#[test]
fn opendocument_body_headers_footers_sheets_slides_metadata() {
    let s = scan("odf/document.odt");
    assert_eq!(loc(s.fnr("26056369286"), "part"), "content.xml");
    assert_eq!(loc(s.fnr("27067072931"), "part"), "styles.xml");
    assert_eq!(loc(s.fnr("10077776783"), "part"), "styles.xml");
    let meta = s.value("ola.nordmann@eksempel.no");
    assert_eq!(loc(meta, "part"), "meta.xml");
    assert_eq!(loc(meta, "field"), "initial-creator");

    let s = scan("odf/sheet.ods");
    let f = s.fnr("16011918836");
    assert_eq!(
        (loc(f, "sheet"), loc(f, "cell")),
        (&"Brukere".into(), &"B2".into())
    );
    assert_eq!(loc(f, "field"), "Fødselsnummer");
    let f = s.fnr("05022622589");
    assert_eq!(loc(f, "cell"), "B3");
    assert!(
        f["note"]
            .as_str()
            .unwrap()
            .contains("leading zero restored")
    );

    // Converted from the PPTX by LibreOffice: slide text, notes and table.
    let s = scan("odf/slides.odp");
    for n in ["23024258122", "24034961839", "25045665502"] {
        assert_eq!(loc(s.fnr(n), "part"), "content.xml");
    }
}

#[test]
fn pdf_pages_metadata_and_what_cannot_be_read() {
    let s = scan("pdf/multipage.pdf");
    assert_eq!(loc(s.fnr("18033326382"), "page"), 2);
    assert_eq!(loc(s.fnr("19044029939"), "page"), 3);
    let author = s.value("ola.nordmann@eksempel.no");
    assert_eq!(loc(author, "part"), "Info");
    assert_eq!(loc(author, "field"), "Author");
    assert!(s.not_examined.is_empty());

    // No silent zero findings: an image-only PDF is reported, with the reason.
    let s = scan("pdf/image-only.pdf");
    assert!(s.findings.is_empty());
    assert!(s.reason().contains("no text layer"), "{}", s.reason());
}

#[test]
fn email_bodies_encodings_and_attachments() {
    let s = scan("mail/message.eml");
    // Quoted-printable text body.
    let f = s.fnr("20117320228");
    assert_eq!(loc(f, "part"), "body");
    assert_eq!(loc(f, "line"), 3);
    // Base64 HTML body.
    assert_eq!(loc(s.fnr("21128023965"), "part"), "body 2 (html)");
    // Attachments are files of their own: a docx and a zip holding a CSV.
    let f = s.fnr("22018727661");
    assert_eq!(f["inner"], "vedlegg.docx");
    assert_eq!(loc(f, "part"), "word/document.xml");
    let f = s.fnr("23029431353");
    assert_eq!(f["inner"], "vedlegg.zip/liste.csv");
    assert_eq!(loc(f, "field"), "Fødselsnummer");
    // The sender in the header block.
    let from = s.value("kari.nordmann@eksempel.no");
    assert_eq!(
        (loc(from, "part"), loc(from, "line")),
        (&"headers".into(), &1.into())
    );

    let s = scan("mail/inbox.mbox");
    let f = s.fnr("24030135055");
    assert_eq!(f["inner"], "message-2.eml");
    assert_eq!(loc(f, "part"), "body");
}

/// Word 97-2003: the stories through the piece table, a record per paragraph and table row.
/// (LibreOffice's conversion of a python-docx document; numbers from numbers.txt.)
#[test]
fn word97_through_the_piece_table() {
    let s = scan("ole/word97.doc");
    let at = |digits: &str, rule: &str| {
        s.findings
            .iter()
            .find(|f| f["value"] == digits && f["rule"] == rule)
            .unwrap_or_else(|| panic!("{digits} {rule}: {:#?}", s.findings))
    };
    // A number split over a bold run, next to a diagnosis in the same paragraph: the worst
    // case, reported at the number.
    let combined = at("27062246109", "person.special-category");
    assert_eq!(combined["severity"], "critical");
    assert_eq!(
        (loc(combined, "line"), loc(combined, "column")),
        (&2.into(), &29.into())
    );
    // A diagnosis in one paragraph and a number in the next are not combined.
    at("10072949833", "no.fnr");
    assert!(
        s.findings
            .iter()
            .all(|f| !(f["value"] == "10072949833" && f["rule"] == "person.special-category")),
        "{:#?}",
        s.findings
    );
    assert_eq!(
        loc(at("astma", "health.condition"), "line"),
        &Value::from(3)
    );
    // A table row: the header row names the column.
    let cell = at("11083653525", "no.fnr");
    assert_eq!(loc(cell, "field"), "Fødselsnummer");
    assert_eq!(cell["confidence"], "high");
    // Header and comment stories.
    let part = |digits: &str| loc(at(digits, "no.fnr"), "part").clone();
    assert_eq!(part("25040838743"), "WordDocument (headers and footers)");
    assert_eq!(part("26051542435"), "WordDocument (comments)");
}

#[test]
fn legacy_office_rtf_markup_json_csv_markdown() {
    let s = scan("ole/legacy.xls");
    let f = s.fnr("22013554459");
    assert_eq!(
        (loc(f, "sheet"), loc(f, "cell")),
        (&"Ark1".into(), &"B3".into())
    );

    let s = scan("ole/legacy.doc");
    let f = s.fnr("15121215176");
    assert_eq!(loc(f, "part"), "WordDocument");
    assert_eq!((loc(f, "line"), loc(f, "column")), (&1.into(), &16.into()));

    let s = scan("rtf/letter.rtf");
    assert_eq!(s.fnr("14110511583")["confidence"], "high");
    let author = s.value("ola.nordmann@eksempel.no");
    assert_eq!(
        (loc(author, "part"), loc(author, "field")),
        (&"info".into(), &"author".into())
    );

    let s = scan("text/side.html");
    // Split by <b> and an entity, keyword written with &oslash;.
    let f = s.fnr("23086844745");
    assert_eq!(
        (loc(f, "line"), f["confidence"].clone()),
        (&5.into(), "high".into())
    );
    // An attribute value, with the name="fnr" beside it as context.
    let f = s.fnr("24097548419");
    assert_eq!(loc(f, "line"), 6);
    assert_eq!(f["confidence"], "high");
    assert_eq!(loc(s.fnr("25108252149"), "line"), 8);

    let s = scan("text/eksport.xml");
    let f = s.fnr("26118955837");
    assert_eq!((loc(f, "line"), loc(f, "column")), (&5.into(), &20.into()));
    assert_eq!(f["confidence"], "high");
    assert_eq!(loc(s.fnr("27129659500"), "line"), 7);

    let s = scan("text/data.json");
    let f = s.fnr("10010363239");
    assert_eq!((loc(f, "line"), loc(f, "column")), (&5.into(), &15.into()));

    let s = scan("text/liste.csv");
    let f = s.fnr("21065437365");
    assert_eq!(
        (loc(f, "line"), loc(f, "field")),
        (&2.into(), &"Fødselsnummer".into())
    );
    let s = scan("text/liste.tsv");
    let f = s.fnr("22076141057");
    assert_eq!(
        (loc(f, "line"), loc(f, "field")),
        (&3.into(), &"fnr".into())
    );

    let s = scan("text/notat.md");
    assert_eq!(loc(s.fnr("11021066976"), "line"), 7);
}

#[test]
fn archives_nested_and_compressed() {
    let s = scan("archive/bundle.zip");
    let f = s.fnr("12031770619");
    assert_eq!(f["inner"], "dypt/liste.csv");
    assert_eq!(
        (loc(f, "line"), loc(f, "field")),
        (&2.into(), &"Fødselsnummer".into())
    );

    let s = scan("archive/bundle.tar");
    assert_eq!(s.fnr("13042474392")["inner"], "dypt/notat.txt");
    let s = scan("archive/bundle.tgz");
    assert_eq!(s.fnr("14053178066")["inner"], "bundle.tar/dypt/liste.csv");
    let s = scan("archive/notat.txt.gz");
    assert_eq!(s.fnr("15063881772")["inner"], "notat.txt");
    let s = scan("archive/nested-2.zip");
    assert_eq!(s.fnr("16074585446")["inner"], "nested.zip/dypt/liste.csv");
}

#[test]
fn limits_zip_bomb_and_nesting_depth() {
    // The bomb member is stopped by the ratio limit; its neighbour is still scanned.
    let s = scan("archive/bomb.zip");
    assert_eq!(s.fnr("18095912814")["inner"], "ok.txt");
    assert_eq!(s.not_examined.len(), 1);
    assert_eq!(s.not_examined[0]["inner"], "nuller.txt");
    assert!(s.reason().contains("max-ratio"), "{}", s.reason());

    // Seven zips deep: the sixth level is past the default depth of 5.
    let s = scan("archive/too-deep.zip");
    assert!(s.findings.is_empty());
    assert!(s.reason().contains("max-depth"), "{}", s.reason());
    // ... and a deeper limit reaches the number.
    let s = scan_with("archive/too-deep.zip", &["--max-depth", "8"]);
    assert_eq!(
        s.fnr("17085289381")["inner"],
        "nivå1.zip/nivå2.zip/nivå3.zip/nivå4.zip/nivå5.zip/nivå6.zip/nivå7.zip/bunn.txt"
    );

    // The whole file's decompressed budget.
    let s = scan_with("archive/bomb.zip", &["--max-decompressed", "512K"]);
    assert!(s.reason().contains("max-member-bytes") || s.reason().contains("max-total-bytes"));
}

/// Damaged and password-protected files: a clear per-file reason, exit 0 (3 with --strict),
/// never a crash, and no content quoted in the reason.
#[test]
fn damaged_and_protected_files_are_reported_not_fatal() {
    let cases = [
        ("broken/truncated.docx", "damaged zip"),
        ("broken/truncated.zip", "damaged zip"),
        ("broken/encrypted.docx", "password-protected"),
        ("broken/encrypted.xlsx", "password-protected"),
        ("broken/encrypted.zip", "password protected"),
        ("broken/encrypted.pdf", "encrypted PDF"),
        ("broken/truncated.pdf", "damaged PDF"),
        ("broken/not-really.docx", "not (damaged or mislabelled)"),
    ];
    for (rel, reason) in cases {
        let s = scan(rel);
        assert!(s.reason().contains(reason), "{rel}: {}", s.reason());
        assert_eq!(s.code, 0, "{rel}");
        assert!(s.findings.is_empty(), "{rel}: {:#?}", s.findings);
        let strict = scan_with(rel, &["--strict"]);
        assert_eq!(strict.code, 3, "{rel}");
    }
    // The corrupted workbook loses the damaged sheet, not the rest of the package.
    let s = scan("broken/corrupted.xlsx");
    assert_eq!(s.not_examined.len(), 1);
    assert_eq!(s.not_examined[0]["inner"], "xl/worksheets/sheet1.xml");
    assert!(
        s.reason().contains("corrupt deflate stream"),
        "{}",
        s.reason()
    );
    assert_eq!(loc(s.fnr("20112147188"), "sheet"), "Skjult");
}

#[test]
fn not_examined_appears_in_every_format() {
    let path = fixture("pdf/image-only.pdf");
    let human = sladd()
        .args(["scan", "-q", "--lang", "en"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("no text layer"), "{text}");
    let jsonl = sladd()
        .args(["scan", "-q", "--format", "jsonl"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(jsonl.stdout.is_empty());
    assert!(String::from_utf8_lossy(&jsonl.stderr).contains("no text layer"));
}

/// The whole fixture tree in one run: nothing crashes, and every format contributes.
#[test]
fn whole_fixture_tree_scans() {
    let out = sladd()
        .args(["scan", "-q", "--format", "json"])
        .arg(fixture(""))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Masked by default, even inside documents.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("16079332384"));
    assert!(doc["summary"]["findings"].as_u64().unwrap() > 50);
}

/// Hostile input: truncated and bit-flipped copies of every kind of fixture, scanned in one
/// run. Each may be unreadable, but the scan must finish with a report and a documented exit
/// code, whatever the parsers make of them.
#[test]
fn mutated_documents_never_end_the_scan() {
    let sources = [
        "docx/table.docx",
        "docx/textbox.docx",
        "xlsx/workbook.xlsx",
        "pptx/slides.pptx",
        "odf/document.odt",
        "pdf/multipage.pdf",
        "ole/legacy.xls",
        "ole/legacy.doc",
        "mail/message.eml",
        "rtf/letter.rtf",
        "text/side.html",
        "archive/bundle.tgz",
        "archive/nested-2.zip",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut count = 0;
    for src in sources {
        let data = std::fs::read(fixture(src)).unwrap();
        let name = src.replace('/', "-");
        for k in 0..6 {
            let mut m = data.clone();
            if k < 2 {
                m.truncate(data.len() * (k + 1) / 3);
            } else {
                for _ in 0..(4 << k) {
                    let i = (next() % m.len() as u64) as usize;
                    m[i] ^= 1 << (next() % 8);
                }
            }
            std::fs::write(dir.path().join(format!("{k}-{name}")), m).unwrap();
            count += 1;
        }
    }
    let out = sladd()
        .args([
            "scan",
            "-q",
            "--strict",
            "--format",
            "json",
            "--parser-timeout",
            "20",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &doc["summary"];
    let total = ["files_scanned", "files_binary", "files_not_examined"]
        .iter()
        .map(|k| s[k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(total, count);
    for n in doc["not_examined"].as_array().unwrap() {
        let reason = n["reason"].as_str().unwrap();
        assert!(!reason.contains("internal error"), "{n}");
    }
}
