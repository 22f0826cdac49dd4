//! Unit tests of the redaction engine: which findings qualify, what each style writes, and
//! where a replacement is located.

use super::*;
use crate::fingerprint::KeySource;
use crate::rules::RuleSet;

fn redactor(opts: Options) -> Redactor {
    Redactor::new(
        Detector::new(RuleSet::builtin().unwrap()).unwrap(),
        opts,
        Fingerprinter::from_key(b"unit-test-key-0123", KeySource::Ephemeral),
        HashSet::new(),
        Limits::default(),
    )
}

fn plan(red: &mut Redactor, text: &str, target: Target) -> Vec<(String, String)> {
    let place = Location {
        line: 1,
        column: 1,
        ..Location::default()
    };
    red.plan(&[Segment::new(text.as_bytes())], &[place], None, target)
        .into_iter()
        .map(|p| (text[p.start..p.end].to_string(), p.with))
        .collect()
}

#[test]
fn severity_and_only_decide() {
    let red = redactor(Options::default());
    assert!(red.qualifies("no.fnr", Severity::High));
    assert!(!red.qualifies("email", Severity::Low));
    let red = redactor(Options {
        only: vec!["email".into()],
        min_severity: Severity::Info,
        ..Options::default()
    });
    assert!(red.qualifies("email", Severity::Low));
    assert!(!red.qualifies("no.fnr", Severity::High));
}

#[test]
fn mask_keeps_separators_and_breaks_addresses() {
    let mut red = redactor(Options {
        min_severity: Severity::Low,
        ..Options::default()
    });
    let got = plan(
        &mut red,
        "fnr 200369-14700, ola.nordmann@eksempel.no",
        Target::Unicode,
    );
    assert_eq!(
        got,
        [
            ("200369-14700".to_string(), "XXXXXX-XXXXX".to_string()),
            (
                "ola.nordmann@eksempel.no".to_string(),
                "XXX.XXXXXXXXXXXXXXXXX.XX".to_string()
            )
        ]
    );
    // A mask character Windows-1252 cannot hold falls back to X there.
    let mut red = redactor(Options {
        mask_char: '█',
        ..Options::default()
    });
    assert_eq!(
        plan(&mut red, "fnr 20036914700", Target::Unicode)[0].1,
        "███████████"
    );
    assert_eq!(
        plan(&mut red, "fnr 20036914700", Target::Windows1252)[0].1,
        "XXXXXXXXXXX"
    );
}

#[test]
fn labels_in_both_languages() {
    let mut red = redactor(Options {
        style: Style::Label,
        ..Options::default()
    });
    assert_eq!(
        plan(&mut red, "konto 8601.11.17947", Target::Windows1252)[0].1,
        "[KONTONUMMER]"
    );
    let mut red = redactor(Options {
        style: Style::Label,
        lang: Lang::En,
        ..Options::default()
    });
    assert_eq!(
        plan(&mut red, "IBAN NO93 8601 1117 947", Target::Unicode)[0].1,
        "[IBAN]"
    );
}

#[test]
fn locations_count_lines_and_characters() {
    let place = Location {
        line: 10,
        column: 5,
        part: Some("word/document.xml".into()),
        ..Location::default()
    };
    let text = "første linje æøå\nandre 20036914700".as_bytes();
    let at = text.len() - 11;
    let loc = locate(text, at, &place);
    assert_eq!((loc.line, loc.column), (11, 7));
    assert_eq!(loc.part.as_deref(), Some("word/document.xml"));
    let loc = locate(text, 7, &place);
    assert_eq!((loc.line, loc.column), (10, 11));
}

#[test]
fn formats_that_cannot_be_redacted() {
    for f in [
        Format::Pdf,
        Format::Ole,
        Format::Binary,
        Format::Rtf,
        Format::Tar,
        Format::Gzip,
        Format::Mbox,
    ] {
        assert!(unredactable(f).is_some(), "{f:?}");
    }
    for f in [Format::Zip, Format::Eml, Format::Html, Format::Xml] {
        assert!(unredactable(f).is_none(), "{f:?}");
    }
}

/// The source is opened as the scan opens it: a symbolic link only when following links, and
/// a FIFO is refused at once instead of blocking the worker.
#[cfg(unix)]
#[test]
fn sources_are_opened_like_scanned_files() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("brev.txt");
    // A fødselsnummer generated from the algorithm, no one's.
    let fnr = crate::synth::Gen::new(5).fnr();
    std::fs::write(&real, format!("Fødselsnummer: {fnr}\n")).unwrap();
    let link = dir.path().join("lenke.txt");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let fifo = dir.path().join("rør");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success());

    let mut red = redactor(Options::default());
    let mut bufs = Buffers::default();
    let dst = dir.path().join("ut.txt");
    let refused = red.redact_path(&link, false, &dst, &mut bufs);
    assert!(refused.is_err(), "a link is not followed unless asked");
    let done = red.redact_path(&link, true, &dst, &mut bufs).unwrap();
    assert_eq!(done.replacements.len(), 1);
    let Err(Refusal(why)) = red.redact_path(&fifo, false, &dst, &mut bufs) else {
        panic!("a FIFO is not redacted");
    };
    assert!(why.contains("FIFO") || why.contains("pipe"), "{why}");
}
