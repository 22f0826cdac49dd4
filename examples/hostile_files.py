#!/usr/bin/env python3
"""Writes the large hostile files of README "Security and limits" into OUTDIR, for measuring
sladd's time and peak memory on them with a release build:

    cargo build --release
    python3 examples/hostile_files.py target/hostile
    for f in target/hostile/*; do
        /usr/bin/time -f "%e s %M KiB  $f" target/release/sladd scan -q --no-config \
            --format jsonl "$f" > /dev/null
    done

tests/hostile.rs builds smaller versions of the same files at test time; these are full
size and run with the default limits. The only identity number is Skatteetaten's published
test number 20036914700.
"""

import io
import os
import random
import sys
import zipfile

FNR = "20036914700"


def zip_bytes(members, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


def docx(document_xml):
    return zip_bytes([("[Content_Types].xml", "<Types/>"), ("word/document.xml", document_xml)])


def pdf(objects):
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, o.encode())
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def main(out):
    os.makedirs(out, exist_ok=True)
    w = lambda name, data: open(os.path.join(out, name), "wb").write(
        data.encode() if isinstance(data, str) else data)

    # A 1000:1 member, and 42.zip-style nesting: 16 zips of 16 zips of 16 such members
    # (96 GiB if inflated; the decompression budget stops it at 1 GiB).
    leaf = zip_bytes([("a.txt", b"A" * (16 << 20))])
    w("bomb-ratio.zip", leaf)
    l1 = zip_bytes([("leaf%d.txt" % i, b"A" * (16 << 20)) for i in range(16)])
    l2 = zip_bytes([("l1-%d.zip" % i, l1) for i in range(16)])
    w("bomb-nested.zip", zip_bytes([("l2-%d.zip" % i, l2) for i in range(16)]))
    w("entries-10001.zip", zip_bytes([("m%d.txt" % i, "hei") for i in range(10001)]))

    deep = 100_000
    w("deep.xml", "<?xml version='1.0'?>" + "<a>" * deep + "</a>" * deep)
    rnd = random.Random(1)
    body = "".join('<w:p w:rsidR="%08X">' % rnd.getrandbits(32) for _ in range(deep))
    w("deep.docx", docx('<w:document xmlns:w="w"><w:body>%s%s</w:body></w:document>'
                        % (body, "</w:p>" * deep)))
    lol = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        '<!ENTITY lol%d "%s">' % (i, ("&lol%s;" % ("" if i == 1 else i - 1)) * 10)
        for i in range(1, 10)) + "]>"
    w("laughs.xml", "<?xml version='1.0'?>%s<lolz><fnr>%s</fnr>&lol9;</lolz>" % (lol, FNR))

    content = "BT /F1 12 Tf 72 712 Td (fnr %s) Tj ET" % FNR
    stream = "<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
    w("cyclic-parent.pdf", pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        stream,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]))

    line = bytearray(b"x" * (100 << 20))
    for at in (8 << 20, 50 << 20):
        line[at:at + 17] = (" fnr %s " % FNR).encode()
    w("line-100MiB.txt", bytes(line))
    w("minified.html", "<html><body>" + "".join(
        '<span class="c%d">x</span>' % i for i in range(200_000)) + "</body></html>")
    w("oneline.csv", "navn;epost\n" + "".join("p%d@eksempel.no;" % i for i in range(200_000)))
    # Seconds of parsing: stopped by the 10 s time budget, the number before it reported.
    w("slow.xml", "<?xml version='1.0'?><r><fnr>%s</fnr>%s</r>" % (FNR, '<a v="1"/>' * 20_000_000))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: hostile_files.py OUTDIR")
    main(sys.argv[1])
