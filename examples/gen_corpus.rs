//! Generates a deterministic tree of Norwegian-like text and CSV files for benchmarks, with
//! synthetic identity numbers planted rarely, and writes the planted values to
//! `<DIR>.planted.tsv` (outside the tree, so the scan does not see it).
//!
//!     cargo run --release --example gen_corpus -- DIR SIZE_MIB [SEED]
//!     cargo run --release --example gen_corpus -- --single FILE SIZE_MIB [SEED]
//!
//! Every number is generated from the check-digit algorithms by `sladd::synth`: synthetic.

use sladd::synth::Gen;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

const WORDS: &[&str] = &[
    "og",
    "i",
    "det",
    "som",
    "en",
    "på",
    "er",
    "til",
    "av",
    "for",
    "med",
    "at",
    "har",
    "ikke",
    "den",
    "de",
    "vi",
    "om",
    "et",
    "men",
    "så",
    "var",
    "seg",
    "kan",
    "skal",
    "fra",
    "etter",
    "kommunen",
    "vedtak",
    "søknad",
    "saksbehandler",
    "klage",
    "tjenesten",
    "barnehage",
    "skole",
    "veien",
    "reguleringsplan",
    "høring",
    "formannskapet",
    "kommunestyret",
    "budsjett",
    "tilskudd",
    "rådmannen",
    "innbyggere",
    "utvalget",
    "saken",
    "møte",
    "protokoll",
    "referat",
    "eiendom",
    "byggesak",
    "dispensasjon",
    "tomt",
    "gnr",
    "bnr",
    "arealplan",
    "uttalelse",
    "frist",
    "innstilling",
    "behandling",
    "forvaltningsloven",
    "offentleglova",
    "arkiv",
    "postjournal",
    "dokument",
    "brev",
    "svar",
    "henvendelse",
    "opplysninger",
    "tiltak",
    "prosjekt",
    "anbud",
    "kontrakt",
    "leverandør",
    "faktura",
    "betaling",
    "regnskap",
    "økonomi",
    "drift",
    "vedlikehold",
    "bygg",
    "kultur",
    "idrett",
    "bibliotek",
    "helse",
    "omsorg",
    "eldresenter",
    "hjemmeside",
    "brannvesen",
    "renovasjon",
    "vann",
    "avløp",
    "miljø",
    "klima",
    "næring",
    "landbruk",
    "skog",
    "fiske",
    "havn",
    "samferdsel",
    "buss",
    "ferje",
    "parkering",
    "trafikk",
    "fortau",
    "gatelys",
    "brøyting",
    "strøing",
    "sommer",
    "vinter",
    "høst",
    "vår",
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
    "mandag",
    "tirsdag",
    "onsdag",
    "torsdag",
    "fredag",
    "viktig",
    "ny",
    "nye",
    "gammel",
    "stor",
    "liten",
    "offentlig",
    "privat",
    "felles",
    "lokal",
    "regional",
    "nasjonal",
    "ansvar",
    "rutiner",
    "retningslinjer",
    "kvalitet",
    "beredskap",
    "digitalisering",
    "innbyggerdialog",
    "medvirkning",
    "ungdomsråd",
    "eldreråd",
    "plan",
    "strategi",
    "mål",
    "resultat",
    "rapport",
    "evaluering",
    "oppfølging",
];

const HEALTH: &[&str] = &[
    "diabetes",
    "demens",
    "depresjon",
    "astma",
    "epilepsi",
    "angstlidelse",
];

/// Writes one Norwegian-like paragraph with ordinary numbers (dates, amounts, case numbers).
fn paragraph(g: &mut Gen, out: &mut String) {
    let sentences = 2 + g.below(5);
    for _ in 0..sentences {
        let words = 6 + g.below(14);
        for w in 0..words {
            let word = *g.pick(WORDS);
            if w == 0 {
                let mut c = word.chars();
                if let Some(f) = c.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(c.as_str());
                }
            } else {
                out.push_str(word);
            }
            match g.below(40) {
                0 => {
                    let _ = write!(
                        out,
                        " {}.{:02}.20{:02}",
                        1 + g.below(28),
                        1 + g.below(12),
                        g.below(30)
                    );
                }
                1 => {
                    let _ = write!(out, " kr {} {:03}", 1 + g.below(999), g.below(1000));
                }
                2 => {
                    let _ = write!(out, " saksnr. 20{:02}/{}", g.below(30), g.below(9999));
                }
                3 => {
                    let _ = write!(out, " kl. {:02}.{:02}", g.below(24), g.below(60));
                }
                4 => {
                    let _ = write!(out, " {:04} Bergby", g.below(10000));
                }
                5 => {
                    let _ = write!(out, " referanse {:011}", g.below(100_000_000_000));
                }
                _ => {}
            }
            out.push(if w + 1 == words { '.' } else { ' ' });
        }
        out.push(' ');
    }
    out.push_str("\n\n");
}

fn csv_file(
    g: &mut Gen,
    target: usize,
    planted: &mut Vec<(String, &'static str)>,
    plant_every: u64,
) -> String {
    let mut s = String::from("id;navn;dato;beløp;merknad\n");
    let mut row = 0u64;
    while s.len() < target {
        row += 1;
        let note = if g.below(plant_every) == 0 {
            let n = g.fnr();
            planted.push((n.clone(), "no.fnr"));
            format!("fnr {n}")
        } else {
            (*g.pick(WORDS)).to_string()
        };
        let _ = writeln!(
            s,
            "{row};{} {};{}.{:02}.20{:02};{},{:02};{note}",
            g.pick(WORDS),
            g.pick(WORDS),
            1 + g.below(28),
            1 + g.below(12),
            g.below(30),
            g.below(100_000),
            g.below(100)
        );
    }
    s
}

fn text_file(
    g: &mut Gen,
    target: usize,
    planted: &mut Vec<(String, &'static str)>,
    plant_every: u64,
) -> String {
    let mut s = String::with_capacity(target + 4096);
    while s.len() < target {
        paragraph(g, &mut s);
        if g.below(plant_every) == 0 {
            let n = g.fnr();
            let (a, b) = n.split_at(6);
            planted.push((n.clone(), "no.fnr"));
            let _ = write!(s, "Fødselsnummer: {a} {b}\n\n");
        }
        // Health words turn up now and then in municipal text, mostly far from any person.
        if g.below(plant_every) == 0 {
            let _ = write!(
                s,
                "Tilbudet gjelder også personer med {}.\n\n",
                g.pick(HEALTH)
            );
        }
    }
    s
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let single = args.first().is_some_and(|a| a == "--single");
    let args = if single { &args[1..] } else { &args[..] };
    let (Some(dir), Some(mib)) = (args.first(), args.get(1)) else {
        eprintln!("usage: gen_corpus [--single] DIR|FILE SIZE_MIB [SEED]");
        std::process::exit(2);
    };
    let total: usize = mib.parse::<usize>().expect("SIZE_MIB is a number") << 20;
    let seed = args
        .get(2)
        .map_or(42, |s| s.parse().expect("SEED is a number"));
    let mut g = Gen::new(seed);
    let mut planted = Vec::new();
    let root = PathBuf::from(dir);
    let mut written = 0usize;
    if single {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&root)?);
        while written < total {
            let chunk = text_file(&mut g, 1 << 20, &mut planted, 600);
            f.write_all(chunk.as_bytes())?;
            written += chunk.len();
        }
    } else {
        std::fs::create_dir_all(&root)?;
        let mut i = 0;
        while written < total {
            let sub = root.join(format!("avd{:02}/{:03}", i % 23, i % 211));
            std::fs::create_dir_all(&sub)?;
            // Mostly small files, some large: typical of a file share.
            let size = match g.below(20) {
                0 => 1 << 20,
                1..=4 => 128 << 10,
                _ => 4096 + g.below(32 << 10) as usize,
            };
            let (name, body) = if g.below(4) == 0 {
                (
                    format!("liste-{i}.csv"),
                    csv_file(&mut g, size, &mut planted, 400),
                )
            } else {
                (
                    format!("dokument-{i}.txt"),
                    text_file(&mut g, size, &mut planted, 60),
                )
            };
            std::fs::write(sub.join(name), &body)?;
            written += body.len();
            i += 1;
        }
    }
    let manifest = Path::new(&format!("{}.planted.tsv", root.display())).to_path_buf();
    let mut m = String::new();
    for (v, r) in &planted {
        let _ = writeln!(m, "{v}\t{r}");
    }
    std::fs::write(&manifest, m)?;
    eprintln!(
        "wrote {} MiB to {}, {} planted values in {}",
        written >> 20,
        root.display(),
        planted.len(),
        manifest.display()
    );
    Ok(())
}
