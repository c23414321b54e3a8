#!/usr/bin/env python3
"""convert-refdata.py - builds the project's reference data files under data/
from the upstream sources in shared/data (dev time only; stdlib only).

    python3 tools/convert-refdata.py ../shared/data [OUTDIR]

OUTDIR defaults to the data/ directory beside tools/.  Output formats are
documented in include/mlv/refdata.h and data/README.md.  The script checks
the upstream files against what we know of them (row counts, the Comtrade
pseudo rows, the Turkish currency gap) and stops on anything unexpected, so
a silently changed upstream cannot slip into data/.

Provenance text (data/*/PROVENANCE.md) is written by hand, not here: it
quotes upstream commits that this script cannot know.
"""

import csv
import json
import os
import re
import shutil
import sys

# Comtrade adds a pseudo chapter 99 ("Commodities not specified according
# to kind") with heading 9999 and subheading 999999, under a pseudo section
# TOTAL, and a grand-total row TOTAL at level 5.  None is part of the HS.
HS_PSEUDO = {"TOTAL", "99", "9999", "999999"}

# country-codes.csv (datasets/country-codes, 2026-05-15) has an empty
# currency for Turkiye: its join with the ISO 4217 list broke when the
# country was renamed (the 4217 list calls it TURKIYE, the country list's
# currency_country_name is empty).  ISO 4217 list one gives TRY for it.
# The script fails if upstream fixes the gap, so the override is removed.
CURRENCY_OVERRIDES = {"TR": "TRY"}

EXPECTED_HS = {2: 96, 4: 1228, 6: 5612}


class ConvertError(Exception):
    pass


def fail(msg):
    raise ConvertError(msg)


def clean(text):
    """Tabs, newlines and no-break spaces become spaces; trimmed."""
    text = re.sub(r"[\t\r\n\u00a0]", " ", text)
    return text.strip()


def write_tsv(path, header, rows):
    for row in rows:
        for field in row:
            if "\t" in field or "\n" in field or "\r" in field:
                fail(f"{path}: field {field!r} holds a separator")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    os.replace(tmp, path)
    return len(rows)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def convert_hs(src, out):
    rows = read_csv(os.path.join(src, "hs", "hs2022.csv"))
    seen = set()
    entries = []
    chapter_section = {}
    counts = {2: 0, 4: 0, 6: 0}
    pseudo = set()
    for r in rows:
        code = r["hscode"].strip()
        if code in HS_PSEUDO:
            pseudo.add(code)
            continue
        level = int(r["level"])
        if level not in counts or len(code) != level or not code.isdigit():
            fail(f"hs2022.csv: unexpected code {code!r} level {level}")
        if code in seen:
            fail(f"hs2022.csv: duplicate code {code}")
        seen.add(code)
        if level > 2 and code[: level - 2] not in seen:
            fail(f"hs2022.csv: {code} precedes its parent")
        desc = clean(r["description"])
        if not desc:
            fail(f"hs2022.csv: {code} has no description")
        section = r["section"].strip()
        if level == 2:
            chapter_section[code] = section
        elif chapter_section.get(code[:2]) != section:
            fail(f"hs2022.csv: {code} is not in its chapter's section")
        counts[level] += 1
        entries.append((code, str(level), desc))
    if pseudo != HS_PSEUDO:
        fail(f"hs2022.csv: pseudo rows changed, found {sorted(pseudo)}")
    if counts != EXPECTED_HS:
        fail(f"hs2022.csv: counts {counts}, expected {EXPECTED_HS}")
    entries.sort(key=lambda e: e[0])
    n_hs = write_tsv(os.path.join(out, "hs", "hs2022.tsv"),
                     ("code", "level", "description"), entries)

    names = {}
    order = []
    for r in read_csv(os.path.join(src, "hs", "hs_sections.csv")):
        sec = r["section"].strip()
        names[sec] = clean(r["name"])
        order.append(sec)
    ranges = {}
    for chapter, sec in chapter_section.items():
        lo, hi = ranges.get(sec, (chapter, chapter))
        ranges[sec] = (min(lo, chapter), max(hi, chapter))
    if set(ranges) != set(names):
        fail(f"sections differ: {sorted(set(ranges) ^ set(names))}")
    sections = []
    last_hi = "00"
    for sec in order:
        lo, hi = ranges[sec]
        if lo <= last_hi:
            fail(f"section {sec} overlaps the one before it")
        last_hi = hi
        sections.append((sec, names[sec], lo, hi))
    n_sec = write_tsv(os.path.join(out, "hs", "sections.tsv"),
                      ("section", "name", "first_chapter", "last_chapter"),
                      sections)
    return n_hs, n_sec


def convert_iso(src, out):
    cur_rows = read_csv(os.path.join(src, "iso", "iso4217_codes-all.csv"))
    currencies = {}
    for r in cur_rows:
        code = r["AlphabeticCode"].strip()
        minor = r["MinorUnit"].strip()
        if r["WithdrawalDate"].strip() or not code or not minor.isdigit():
            continue
        row = (code, r["NumericCode"].strip(), minor, clean(r["Currency"]))
        if not re.fullmatch(r"[A-Z]{3}", code) or \
           not re.fullmatch(r"[0-9]{3}", row[1]) or int(minor) > 4:
            fail(f"iso4217: odd row {row}")
        if code in currencies and currencies[code][:3] != row[:3]:
            fail(f"iso4217: {code} listed twice with different data")
        currencies.setdefault(code, row)
    for withdrawn in ("BGN", "HRK"):
        if withdrawn in currencies:
            fail(f"iso4217: {withdrawn} is listed as active")
    n_cur = write_tsv(os.path.join(out, "iso", "currencies.tsv"),
                      ("code", "numeric", "minor_units", "name"),
                      [currencies[c] for c in sorted(currencies)])

    with open(os.path.join(src, "iso", "iso_3166-1.json"),
              encoding="utf-8") as f:
        countries = json.load(f)["3166-1"]
    if len(countries) != 249:
        fail(f"iso_3166-1.json: {len(countries)} countries, expected 249")
    cc_currency = {}
    for r in read_csv(os.path.join(src, "iso", "country-codes.csv")):
        a2 = r["ISO3166-1-Alpha-2"].strip()
        codes = [c.strip() for c in
                 r["ISO4217-currency_alphabetic_code"].split(",")]
        cc_currency[a2] = codes[0]
    rows = []
    for c in countries:
        a2 = c["alpha_2"]
        if a2 not in cc_currency:
            fail(f"country-codes.csv: no row for {a2}")
        cur = cc_currency[a2]
        if a2 in CURRENCY_OVERRIDES:
            if cur:
                fail(f"country-codes.csv now gives {a2} a currency ({cur});"
                     " drop the override")
            cur = CURRENCY_OVERRIDES[a2]
        if cur and cur not in currencies:
            fail(f"{a2}: currency {cur} is not an active ISO 4217 code")
        row = (a2, c["alpha_3"], c["numeric"], clean(c["name"]), cur)
        if not re.fullmatch(r"[A-Z]{2}", row[0]) or \
           not re.fullmatch(r"[A-Z]{3}", row[1]) or \
           not re.fullmatch(r"[0-9]{3}", row[2]) or not row[3]:
            fail(f"iso_3166-1.json: odd row {row}")
        rows.append(row)
    rows.sort(key=lambda r: r[0])
    n_cty = write_tsv(os.path.join(out, "iso", "countries.tsv"),
                      ("alpha2", "alpha3", "numeric", "name", "currency"),
                      rows)
    return n_cty, n_cur


def convert_fx(src, out):
    path = os.path.join(out, "fx", "eurofxref-hist.csv")
    shutil.copyfile(os.path.join(src, "fx", "eurofxref-hist.csv"),
                    path + ".tmp")
    os.replace(path + ".tmp", path)
    with open(path, encoding="ascii") as f:
        return sum(1 for _ in f) - 1


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    src = argv[1]
    out = argv[2] if len(argv) == 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data")
    for sub in ("hs", "iso", "fx"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    try:
        n_hs, n_sec = convert_hs(src, out)
        n_cty, n_cur = convert_iso(src, out)
        n_fx = convert_fx(src, out)
    except (ConvertError, OSError, KeyError, ValueError) as e:
        print(f"convert-refdata: {e}", file=sys.stderr)
        return 1
    print(f"hs/hs2022.tsv {n_hs} rows, hs/sections.tsv {n_sec}, "
          f"iso/countries.tsv {n_cty}, iso/currencies.tsv {n_cur}, "
          f"fx/eurofxref-hist.csv {n_fx} days")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
