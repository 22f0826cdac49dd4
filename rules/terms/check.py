#!/usr/bin/env python3
"""Check the term lists in this folder, and optionally count their hits in a corpus.

    python3 rules/terms/check.py                      # format check of every *.txt here
    python3 rules/terms/check.py --corpus ../shared/corpora/law_sections.tsv.gz [--top 15]

The format is sladd's term-list format (one term a line, optional `| flags`, `!exception`).
suffix-exceptions.txt has its own shape: `# suffix: -itt` section lines, then `!word` (a whole
word, or its form without the inflection ending) and `!-ending` (any word whose part up to the
suffix ends so).

The corpus count is an APPROXIMATION of the engine (src/detect/terms.rs is the truth): words are
runs of letters/digits joined by hyphens, inflection classes are the broad sets below, and
multi-word terms are matched with a regular expression. It is meant for finding terms that fire
in ordinary prose, not for exact numbers.
"""
import argparse
import collections
import gzip
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
FLAGS = {"case", "exact", "tail", "notail", "head"}
CLASSES = {"noun", "adj", "verb", "none"}
CONFS = {"low", "medium", "high"}
INFL = {
    "noun": ["", "s", "en", "ens", "et", "ets", "a", "as", "er", "ers", "ene", "enes", "ar",
             "ane", "n", "ns", "r", "rs", "ne", "nes"],
    "adj": ["", "e", "t", "ere", "est", "este", "es"],
    "verb": ["", "e", "er", "et", "te", "de", "t", "r", "s", "es", "a", "ar", "ast", "ende", "ande"],
    "none": [""],
}
LETTER = r"[^\W_]"
WORD = re.compile(LETTER + r"+(?:-" + LETTER + r"+)*")


def parse(path):
    """Return (terms, exceptions, errors). A term is a dict with text and flags."""
    terms, exceptions, errors = [], set(), []
    seen = {}
    for no, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        line = raw.rstrip("\r")
        where = f"{path.name}:{no}"
        if not line.strip() or line.startswith("#"):
            continue
        if line != line.strip():
            errors.append(f"{where}: leading/trailing space")
        if "  " in line or "\t" in line:
            errors.append(f"{where}: double space or tab")
        if line.startswith("!"):
            word = line[1:]
            if not word or word != word.lower() or " " in word or "|" in word:
                errors.append(f"{where}: bad exception {line!r}")
            if word in exceptions:
                errors.append(f"{where}: duplicate exception {word!r}")
            exceptions.add(word)
            continue
        text, _, flagtext = line.partition("|")
        text = text.strip()
        term = {"text": text, "flags": set(), "inflect": None, "conf": None, "line": no}
        for flag in flagtext.split():
            if flag in FLAGS:
                term["flags"].add(flag)
            elif flag.startswith("inflect=") and flag[8:] in CLASSES:
                term["inflect"] = flag[8:]
            elif flag.startswith("conf=") and flag[5:] in CONFS:
                term["conf"] = flag[5:]
            else:
                errors.append(f"{where}: unknown flag {flag!r}")
        if {"tail", "notail"} <= term["flags"]:
            errors.append(f"{where}: tail and notail")
        if "case" not in term["flags"] and text != text.lower():
            errors.append(f"{where}: upper case without `case`: {text!r}")
        key = text if "case" in term["flags"] else text.lower()
        if key in seen:
            errors.append(f"{where}: duplicate of line {seen[key]}: {text!r}")
        seen[key] = no
        terms.append(term)
    return terms, exceptions, errors


def parse_suffixes(path):
    sections, errors, current = {}, [], None
    for no, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        m = re.fullmatch(r"# suffix: -(\S+)", line)
        if m:
            current = m.group(1)
            if current in sections:
                errors.append(f"{path.name}:{no}: section -{current} twice")
            sections[current] = set()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith("!") or current is None:
            errors.append(f"{path.name}:{no}: expected `!word` inside a `# suffix:` section")
            continue
        word = line[1:]
        if not word or word != word.lower() or " " in word:
            errors.append(f"{path.name}:{no}: bad exception {line!r}")
        elif word in sections[current]:
            errors.append(f"{path.name}:{no}: duplicate {word!r} in -{current}")
        elif not word.lstrip("-").endswith(current) and not word.startswith("-"):
            errors.append(f"{path.name}:{no}: {word!r} does not end in -{current}")
        sections[current].add(word)
    return sections, errors


def corpus_words(path):
    """Counter of words as written, and the lower-cased text of every section."""
    words = collections.Counter()
    texts = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        next(f)
        for line in f:
            text = line.rstrip("\n").split("\t", 2)[-1]
            words.update(WORD.findall(text))
            texts.append(text)
    return words, texts


def term_hits(terms, exceptions, words, texts, default_inflect="noun"):
    """Approximate hit count per term text."""
    hits = collections.Counter()
    lower = collections.Counter()
    for w, n in words.items():
        lower[w.lower()] += n
    single = [t for t in terms if " " not in t["text"]]
    multi = [t for t in terms if " " in t["text"]]
    # Plain terms are looked up by stem; tail/head terms are tried on every word.
    plain = collections.defaultdict(list)
    special = []
    for t in single:
        if t["flags"] & {"tail", "head"}:
            special.append(t)
        else:
            plain[t["text"] if "case" in t["flags"] else t["text"].lower()].append(t)
    for source, cased in ((lower, False), (words, True)):
        for w, n in source.items():
            if w.lower() in exceptions:
                continue
            done = set()
            for cut in range(0, min(len(w), 4) + 1):
                stem, x = (w[: len(w) - cut], w[len(w) - cut:]) if cut else (w, "")
                for t in plain.get(stem, ()):
                    if ("case" in t["flags"]) != cased or t["text"] in done:
                        continue
                    endings = [""] if "exact" in t["flags"] else INFL[t["inflect"] or default_inflect]
                    if x in endings:
                        hits[t["text"]] += n
                        done.add(t["text"])
    for t in special:
        endings = [""] if "exact" in t["flags"] else INFL[t["inflect"] or default_inflect]
        source = words if "case" in t["flags"] else lower
        key = t["text"] if "case" in t["flags"] else t["text"].lower()
        for w, n in source.items():
            if w.lower() in exceptions:
                continue
            if "head" in t["flags"]:
                pos = w.find(key) if "tail" in t["flags"] else (0 if w.startswith(key) else -1)
                if pos >= 0:
                    hits[t["text"]] += n
                    continue
            for x in endings:
                if x and not w.endswith(x):
                    continue
                stem = w[: len(w) - len(x)] if x else w
                if stem == key or ("tail" in t["flags"] and stem.endswith(key)):
                    hits[t["text"]] += n
                    break
    for t in multi:
        cls = t["inflect"] or default_inflect
        endings = [""] if "exact" in t["flags"] else INFL[cls]
        flags = 0 if "case" in t["flags"] else re.IGNORECASE
        body = r"\s+".join(re.escape(p) for p in t["text"].split(" "))
        tail_ok = "(?:" + "|".join(re.escape(x) for x in sorted(endings, key=len, reverse=True)) + ")"
        rx = re.compile(r"(?<![\w-])" + body + tail_ok + r"(?![\w])", flags)
        hits[t["text"]] += sum(len(rx.findall(s)) for s in texts)
    return hits


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", help="law_sections.tsv.gz (lawId, paragraph, text)")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    paths = [pathlib.Path(f) for f in args.files] or sorted(HERE.glob("*.txt"))
    errors, parsed = [], {}
    for p in paths:
        if p.name == "suffix-exceptions.txt":
            sections, errs = parse_suffixes(p)
            errors += errs
            print(f"{p.name}: {len(sections)} suffixes, "
                  f"{sum(len(v) for v in sections.values())} exceptions")
            continue
        terms, exc, errs = parse(p)
        errors += errs
        parsed[p] = (terms, exc)
        print(f"{p.name}: {len(terms)} terms, {len(exc)} exceptions")
    for e in errors:
        print("ERROR", e)
    if args.corpus:
        words, texts = corpus_words(args.corpus)
        for p, (terms, exc) in parsed.items():
            inflect = "none" if "marking" in p.name else "noun"
            hits = term_hits(terms, exc, words, texts, inflect)
            top = ", ".join(f"{t} {n}" for t, n in hits.most_common(args.top))
            print(f"\n{p.name}: {sum(hits.values())} hits; top: {top}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
