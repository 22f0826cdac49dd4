#!/usr/bin/env python3
"""Generates a tree of office documents for the document benchmark (README "Performance").

    python3 examples/gen_office_tree.py DIR [DOCX=300] [XLSX=200] [PDF=50]

Letters (DOCX, ~2 pages with a table), registers (XLSX, 400 rows) and PDFs (3 pages), each
with a few synthetic fødselsnumre computed from the check-digit algorithm (valid by
checksum, belonging to no one). Deterministic. Needs python-docx, openpyxl and reportlab.
"""

import random
import sys
from pathlib import Path

W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]


def control(d, w):
    k = 11 - sum(a * b for a, b in zip(d, w)) % 11
    return 0 if k == 11 else (None if k == 10 else k)


def fnr(rng):
    while True:
        day, month, yy, ind = rng.randint(1, 28), rng.randint(1, 12), rng.randint(0, 99), rng.randint(0, 999)
        d = [day // 10, day % 10, month // 10, month % 10, yy // 10, yy % 10, ind // 100, ind // 10 % 10, ind % 10]
        k1 = control(d, W1)
        if k1 is None:
            continue
        k2 = control(d + [k1], W2)
        if k2 is not None:
            return "".join(map(str, d + [k1, k2]))


PROSE = ("Kommunen viser til søknaden og har vurdert saken etter forvaltningsloven. "
         "Vedtaket kan påklages innen tre uker fra det er mottatt. ") * 3


def main():
    root = Path(sys.argv[1])
    n_docx, n_xlsx, n_pdf = (int(a) for a in (sys.argv[2:] + ["300", "200", "50"][len(sys.argv[2:]):]))
    rng = random.Random(42)
    import docx
    import openpyxl
    from reportlab.pdfgen import canvas

    for i in range(n_docx):
        d = docx.Document()
        d.add_heading("Vedtak i sak %d" % i, 1)
        for _ in range(12):
            d.add_paragraph(PROSE)
        p = d.add_paragraph("Søkerens fødselsnummer: ")
        n = fnr(rng)
        p.add_run(n[:6])
        p.add_run(" " + n[6:])
        t = d.add_table(rows=6, cols=3)
        for r in range(6):
            t.cell(r, 0).text = "Kari Nordmann %d" % r
            t.cell(r, 1).text = fnr(rng) if r else "Fødselsnummer"
            t.cell(r, 2).text = "Oslo"
        path = root / ("brev/%03d" % (i // 100)) / ("vedtak-%04d.docx" % i)
        path.parent.mkdir(parents=True, exist_ok=True)
        d.save(path)

    for i in range(n_xlsx):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Register"
        ws.append(["Navn", "Fødselsnummer", "Adresse", "Beløp"])
        for r in range(400):
            ws.append(["Person %d" % r, fnr(rng) if r % 10 == 0 else "ukjent", "Storgata %d" % r, r * 13.5])
        path = root / "registre" / ("register-%04d.xlsx" % i)
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)

    for i in range(n_pdf):
        path = root / "pdf" / ("utskrift-%04d.pdf" % i)
        path.parent.mkdir(parents=True, exist_ok=True)
        c = canvas.Canvas(str(path))
        for page in range(3):
            y = 760
            for line in range(40):
                text = "Linje %d: %s" % (line, PROSE[:80])
                if line == 20:
                    text = "Fødselsnummer: " + fnr(rng)
                c.drawString(50, y, text)
                y -= 18
            c.showPage()
        c.save()


if __name__ == "__main__":
    main()
