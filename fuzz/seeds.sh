#!/bin/sh
# Copies seed inputs from tests/fixtures into fuzz/corpus/TARGET (git-ignored), so the
# corpora start from real documents without duplicating binaries in the repository.
# Usage: fuzz/seeds.sh            (from anywhere; idempotent)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fx="$here/../tests/fixtures"
seed() { # TARGET PREFIX-BYTE FILE...
    target=$1; prefix=$2; shift 2
    mkdir -p "$here/corpus/$target"
    for f in "$@"; do
        [ -f "$f" ] || continue
        out="$here/corpus/$target/seed-$(basename "$f")"
        if [ -n "$prefix" ]; then
            { printf "$prefix"; cat "$f"; } > "$out"
        else
            cp "$f" "$out"
        fi
    done
}
seed detect_bytes "" "$fx/numbers.txt" "$fx"/text/*
seed zip_office "" "$fx"/docx/* "$fx"/xlsx/* "$fx"/pptx/* "$fx"/odf/* "$fx"/archive/*.zip "$fx"/broken/*.docx "$fx"/broken/*.xlsx "$fx"/broken/*.zip
seed markup '\000' "$fx/text/side.html"
seed markup '\001' "$fx/text/eksport.xml"
seed rtf "" "$fx/rtf/letter.rtf"
seed mail '\000' "$fx/mail/message.eml"
seed mail '\001' "$fx/mail/inbox.mbox"
seed tar_gzip '\000' "$fx/archive/bundle.tar"
seed tar_gzip '\001' "$fx/archive/bundle.tgz"
seed tar_gzip '\002' "$fx/archive/notat.txt.gz"
seed csv '\000' "$fx/text/liste.csv"
seed csv '\001' "$fx/text/liste.tsv"
seed text '\000' "$fx/numbers.txt" "$fx/text/notat.md" "$fx/text/data.json"
seed pdf "" "$fx"/pdf/* "$fx"/broken/*.pdf
seed ole "" "$fx"/ole/*
# Word documents for the piece-table target: length-prefixed WordDocument, then the table
# stream (needs python3 with olefile; skipped without it).
mkdir -p "$here/corpus/doc"
python3 - "$fx" "$here/corpus/doc" <<'PY' || echo "seeds: no python3/olefile, doc corpus not seeded"
import olefile, struct, sys, pathlib
fx, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for f in sorted((fx / "ole").glob("*.doc")):
    ole = olefile.OleFileIO(str(f))
    word = ole.openstream("WordDocument").read()
    table = next(ole.openstream(t).read() for t in ("1Table", "0Table") if ole.exists(t))
    (out / ("seed-" + f.name)).write_bytes(struct.pack("<I", len(word)) + word + table)
PY
# The XML parts of the office fixtures, unzipped, for the flow extractor (selector byte 0:
# OOXML, 1: ODF).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$here/corpus/xml_flow"
for f in "$fx/docx/table.docx" "$fx/docx/comment.docx" "$fx/pptx/slides.pptx"; do
    python3 - "$f" "$here/corpus/xml_flow" '\x00' <<'PY'
import sys, zipfile, os
src, out, sel = sys.argv[1], sys.argv[2], b"\x00"
with zipfile.ZipFile(src) as z:
    for n in z.namelist():
        if n.endswith(".xml") and ("document" in n or "slide" in n or "comments" in n or "footer" in n):
            with open(os.path.join(out, "seed-" + os.path.basename(src) + "-" + n.replace("/", "_")), "wb") as f:
                f.write(sel + z.read(n))
PY
done
for f in "$fx/odf/document.odt" "$fx/odf/sheet.ods"; do
    python3 - "$f" "$here/corpus/xml_flow" <<'PY'
import sys, zipfile, os
src, out = sys.argv[1], sys.argv[2]
sel = b"\x02" if src.endswith(".ods") else b"\x01"
with zipfile.ZipFile(src) as z:
    for n in ("content.xml", "styles.xml", "meta.xml"):
        if n in z.namelist():
            with open(os.path.join(out, "seed-" + os.path.basename(src) + "-" + n), "wb") as f:
                f.write(sel + z.read(n))
PY
done
# Office packages as parts for office_parts (see fuzz_targets/office_parts.rs).
mkdir -p "$here/corpus/office_parts"
for f in "$fx"/xlsx/*.xlsx "$fx"/docx/table.docx "$fx"/docx/comment.docx "$fx"/pptx/slides.pptx "$fx"/odf/*.od?; do
    python3 - "$f" "$here/corpus/office_parts" <<'PY'
import sys, zipfile, os
names = ["[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
         "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml",
         "xl/worksheets/_rels/sheet1.xml.rels", "xl/comments1.xml", "word/document.xml",
         "word/footer1.xml", "docProps/core.xml", "ppt/slides/slide1.xml",
         "word/embeddings/inner.xlsx", "mimetype", "content.xml", "styles.xml", "meta.xml",
         "META-INF/manifest.xml", "xl/worksheets/sheet2.xml", "word/comments.xml",
         "ppt/notesSlides/notesSlide1.xml"]
src, out = sys.argv[1], sys.argv[2]
parts = []
with zipfile.ZipFile(src) as z:
    for n in z.namelist():
        if n in names:
            parts.append(bytes([names.index(n)]) + z.read(n))
with open(os.path.join(out, "seed-" + os.path.basename(src)), "wb") as f:
    f.write(b"\0PART".join(parts))
PY
done
echo "seeded: $(ls "$here/corpus" | tr '\n' ' ')"
