#!/usr/bin/env python3
"""Writes the office documents in examples/dokumenter/ (python-docx, openpyxl).

Every identity number is computed here from the fødselsnummer check-digit algorithm for a
made-up date and individual number: synthetic, belonging to no one. Run from the repository
root: python3 tools/make_examples.py
"""
import docx
import openpyxl

W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]


def control(digits, weights):
    k = 11 - sum(d * w for d, w in zip(digits, weights)) % 11
    return 0 if k == 11 else (None if k == 10 else k)


def fnr(day, month, yy):
    """The first valid number for this date, trying individual numbers from 100 up."""
    for ind in range(100, 1000):
        d = [day // 10, day % 10, month // 10, month % 10, yy // 10, yy % 10,
             ind // 100, ind // 10 % 10, ind % 10]
        k1 = control(d, W1)
        if k1 is None:
            continue
        k2 = control(d + [k1], W2)
        if k2 is None:
            continue
        return "".join(map(str, d + [k1, k2]))
    raise ValueError("no number for this date")


def letter(path):
    doc = docx.Document()
    doc.core_properties.author = "Saksbehandler Testesen"
    doc.add_heading("Vedtak om hjemmesykepleie", 1)
    number = fnr(12, 5, 48)
    # Word writes text in runs; the number is split across two of them on purpose.
    p = doc.add_paragraph("Vedtaket gjelder Ola Prøvesen, fødselsnummer ")
    p.add_run(number[:6])
    p.add_run(" " + number[6:])
    p.add_run(", som har demens og får hjemmesykepleie to ganger daglig.")
    doc.add_paragraph("Vedtaket kan påklages innen tre uker.")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Kontonummer for refusjon"
    table.cell(0, 1).text = "1503.42.94973"
    table.cell(1, 0).text = "Telefon"
    table.cell(1, 1).text = "912 34 567"
    doc.save(path)


def sheet(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Brukere"
    ws.append(["Navn", "Fødselsnummer", "Tjeneste"])
    ws.append(["Kari Eksempel", fnr(3, 11, 71), "Støttekontakt"])
    # A number stored as a number loses its leading zero: 0407... becomes 407...
    ws.append(["Per Testmann", int(fnr(4, 7, 82)), "Fosterhjem"])
    ws.append(["Lise Prøve", fnr(19, 2, 90), "Praktisk bistand"])
    hidden = wb.create_sheet("Skjult")
    hidden.sheet_state = "hidden"
    hidden.append(["Notat", f"Fødselsnummer {fnr(27, 9, 65)} har bekymringsmelding"])
    wb.save(path)


if __name__ == "__main__":
    letter("examples/dokumenter/vedtak-hjemmesykepleie.docx")
    sheet("examples/dokumenter/brukerliste.xlsx")
