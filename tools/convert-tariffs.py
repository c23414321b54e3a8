#!/usr/bin/env python3
"""convert-tariffs.py - builds the compact duty-rate files of data/tariffs/
from the upstream tariff schedules in shared/data (dev time only; stdlib only).

    python3 tools/convert-tariffs.py ../shared/data [OUTDIR]

OUTDIR defaults to data/tariffs/ beside tools/.  Writes:
  us_hts_2025.tsv   US HTSUS 2025, "General" (column 1, MFN) rate of duty
  gb_ukgt_2021.tsv  UK Global Tariff from 2021-01-01 (column ukgt_duty_rate)
  eu_cet_2020.tsv   EU Common External Tariff as applied in 2020
                    (the same file's column cet_duty_rate)

Format (documented in docs/countries.md and data/tariffs/PROVENANCE.md):
tab-separated, UTF-8, LF, one header line `code ad_valorem specific kind`,
no quoting, sorted by code.
  code        2 to 10 digits, no dots
  ad_valorem  the ad valorem rate in percent ("6.8", "0"), empty when the
              rate has no ad valorem part (purely specific, or prose)
  specific    the upstream text of a rate that is not purely ad valorem
              (specific, compound, "MAX"/"MIN" clauses, prose), else empty
  kind        line: a real tariff line of the schedule;
              all:  a summary row, every line below this prefix has exactly
                    this rate (lines below are then omitted: compaction);
              max:  a summary row, the lines below differ; ad_valorem is the
                    highest ad valorem rate among them (a cautious quote for
                    a code declared at this length only)
Summary rows exist for 4- and 6-digit prefixes, so that a consignment
declared with a 6-digit HS code still finds a rate.

The script checks what it knows of the upstream files (row counts, header)
and stops on anything unexpected.
"""

import csv
import os
import re
import sys
from decimal import Decimal


class ConvertError(Exception):
    pass


def fail(msg):
    raise ConvertError(msg)


PCT = re.compile(r"^(\d+(?:\.\d+)?)%$")
ANY_PCT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def norm_pct(text):
    """'6.80' -> '6.8', '0.0' -> '0' (Decimal, never float)."""
    d = Decimal(text).normalize()
    s = format(d, "f")
    return s


def parse_rate(text):
    """-> (ad_valorem or '', specific text or '')."""
    t = " ".join(text.split())
    if t == "":
        return None
    if t.lower() == "free":
        return ("0", "")
    m = PCT.match(t)
    if m:
        return (norm_pct(m.group(1)), "")
    pcts = ANY_PCT.findall(t)
    if len(pcts) == 1 and "MAX" not in t.upper() and "MIN" not in t.upper():
        # compound: an ad valorem part plus a specific part we cannot
        # express; the engine computes the ad valorem part and flags it
        return (norm_pct(pcts[0]), t)
    return ("", t)


def summarise(lines):
    """lines: dict code -> (adv, spec).  Returns rows incl. summaries."""
    out = {}
    for code, (adv, spec) in lines.items():
        out[code] = (adv, spec, "line")
    prefixes = {}
    for code in lines:
        for n in (4, 6):
            if len(code) > n:
                prefixes.setdefault(code[:n], []).append(code)
    for p, codes in sorted(prefixes.items()):
        if p in lines:
            continue  # a real line at this length: longest prefix finds it
        rates = {lines[c] for c in codes}
        if len(rates) == 1:
            adv, spec = next(iter(rates))
            out[p] = (adv, spec, "all")
            continue
        advs = [Decimal(a) for a, _ in rates if a != ""]
        has_spec = any(s != "" for _, s in rates)
        adv = format(max(advs).normalize(), "f") if advs else ""
        spec = "varies by line; some lines have a specific rate" if has_spec else ""
        out[p] = (adv, spec, "max")
    # compaction: drop rows covered by an 'all' summary of a shorter prefix
    alls = {p for p, (_, _, k) in out.items() if k == "all"}
    for code in list(out):
        for n in (4, 6):
            if len(code) > n and code[:n] in alls:
                del out[code]
                break
    return out


def write(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("code\tad_valorem\tspecific\tkind\n")
        for code in sorted(rows):
            adv, spec, kind = rows[code]
            for field in (adv, spec):
                if "\t" in field or "\n" in field:
                    fail(f"{path}: {code}: field holds a separator")
            f.write(f"{code}\t{adv}\t{spec}\t{kind}\n")
    os.replace(tmp, path)
    return len(rows)


def convert_us(src):
    path = os.path.join(src, "tariffs", "us_hts", "hts_2025_usitc_export.csv")
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 35938:
        fail(f"{path}: {len(rows)} records, expected 35938")
    lines = {}
    for r in rows:
        code = r["HTS Number"].replace(".", "").strip()
        rate = r["General Rate of Duty"]
        if code == "" or rate.strip() == "":
            continue
        if not code.isdigit() or len(code) not in (4, 6, 8, 10):
            fail(f"{path}: bad HTS number {r['HTS Number']!r}")
        # chapters 98 and 99 are special classification provisions and
        # temporary modifications (e.g. the 2025 reciprocal tariffs), not
        # rates of goods: left out, see PROVENANCE.md
        if code[:2] in ("98", "99"):
            continue
        parsed = parse_rate(rate)
        if parsed is None:
            continue
        if code in lines:
            fail(f"{path}: {code} twice")
        lines[code] = parsed
    return summarise(lines)


def convert_uk(src, column):
    path = os.path.join(src, "tariffs", "uk_global_tariff_2021", "ukgt_2021.csv")
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 11830:
        fail(f"{path}: {len(rows)} records, expected 11830")
    lines = {}
    for r in rows:
        code = r["commodity_code"].strip()
        if not code.isdigit() or len(code) not in (8, 10):
            fail(f"{path}: bad commodity code {code!r}")
        parsed = parse_rate(r[column])
        if parsed is None:
            fail(f"{path}: {code}: empty {column}")
        if code in lines and lines[code] != parsed:
            fail(f"{path}: {code} twice with different rates")
        lines[code] = parsed
    return summarise(lines)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = argv[1]
    out = argv[2] if len(argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "tariffs")
    os.makedirs(out, exist_ok=True)
    n = write(os.path.join(out, "us_hts_2025.tsv"), convert_us(src))
    print(f"us_hts_2025.tsv: {n} rows")
    n = write(os.path.join(out, "gb_ukgt_2021.tsv"), convert_uk(src, "ukgt_duty_rate"))
    print(f"gb_ukgt_2021.tsv: {n} rows")
    n = write(os.path.join(out, "eu_cet_2020.tsv"), convert_uk(src, "cet_duty_rate"))
    print(f"eu_cet_2020.tsv: {n} rows")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except ConvertError as e:
        print(f"convert-tariffs: {e}", file=sys.stderr)
        sys.exit(1)
