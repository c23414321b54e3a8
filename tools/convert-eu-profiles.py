#!/usr/bin/env python3
"""convert-eu-profiles.py - writes the 27 EU member-state profiles
data/countries/XX.ini from the VAT rate history in shared/data/vat
(dev time only; stdlib only).

    python3 tools/convert-eu-profiles.py ../shared/data [OUTDIR]

OUTDIR defaults to data/countries/ beside tools/.  The rules common to the
union (customs valuation, duty relief and the EUR 3 flat duty, IOSS, excise
goods, tariff) live in the hand-written data/countries/EU.ini; a member
state's file names the union and holds its own VAT rates, plus the few
national rules listed in NATIONAL below (written by hand here, each with its
source).  Edit this script, not the generated files.

VAT source: GitHub ibericode/vat-rates, vat-rates.json at commit
5abb1e1be91faa42d21c743c603a0aec9b5bab70 (MIT), copied unchanged as
shared/data/vat/eu_vat_rates_ibericode.json.  Each period of a country
becomes one [tax XX-VAT-YYYYMMDD] rule valid from its effective_from until
the next period begins; "0000-01-01" (since an unknown date) becomes an open
start and the id XX-VAT-BASE.  Rates named reduced, reduced1, reduced2 and
press_publications are listed as reduced rates.  Regional exceptions
(Canary Islands, Heligoland, ...) are not carried: the engine does not use
the buyer's postcode (see PROVENANCE.md).
"""

import json
import os
import sys
from decimal import Decimal

IBERICODE_COMMIT = "5abb1e1be91faa42d21c743c603a0aec9b5bab70"
IBERICODE_URL = ("https://github.com/ibericode/vat-rates/blob/" + IBERICODE_COMMIT +
                 "/vat-rates.json")
EC_VAT_URL = "https://taxation-customs.ec.europa.eu/taxation/vat/vat-directive/vat-rates_en"

# name, currency (ISO 4217 as the project's data/iso lists it today)
MEMBERS = {
    "AT": ("Austria", "EUR"), "BE": ("Belgium", "EUR"), "BG": ("Bulgaria", "EUR"),
    "CY": ("Cyprus", "EUR"), "CZ": ("Czechia", "CZK"), "DE": ("Germany", "EUR"),
    "DK": ("Denmark", "DKK"), "EE": ("Estonia", "EUR"), "ES": ("Spain", "EUR"),
    "FI": ("Finland", "EUR"), "FR": ("France", "EUR"), "GR": ("Greece", "EUR"),
    "HR": ("Croatia", "EUR"), "HU": ("Hungary", "HUF"), "IE": ("Ireland", "EUR"),
    "IT": ("Italy", "EUR"), "LT": ("Lithuania", "EUR"), "LU": ("Luxembourg", "EUR"),
    "LV": ("Latvia", "EUR"), "MT": ("Malta", "EUR"), "NL": ("Netherlands", "EUR"),
    "PL": ("Poland", "PLN"), "PT": ("Portugal", "EUR"), "RO": ("Romania", "RON"),
    "SE": ("Sweden", "SEK"), "SI": ("Slovenia", "EUR"), "SK": ("Slovakia", "EUR"),
}

# Notes on the profile itself, per state.
PROFILE_NOTES = {
    "BG": ["Bulgaria adopted the euro on 2026-01-01 (the ECB stopped quoting BGN then).",
           "BGN is not in the project's ISO 4217 list, so earlier days are also assessed in EUR."],
    "HR": ["Croatia adopted the euro on 2023-01-01, HRK is not in the project's ISO 4217",
           "list, so earlier days are also assessed in EUR."],
}

# Hand-written national rules (INI lines), each with its source.
NATIONAL = {
    "FR": """
; La taxe sur les petits colis (TPC): EUR 2 per item category (distinct
; tariff line) of a consignment under EUR 150 from outside the EU, due by
; the seller or platform, from 2026-03-01.  Only secondary sources were
; reachable: the amount, the scope and "under" (< 150, written as
; value_upto 149.99 EUR) are not checked against the finance law text.
[fee FR-TPC-2026]
name = Taxe sur les petits colis (TPC)
amount = 2.00 EUR
per = line
value = intrinsic
value_upto = 149.99 EUR
payer = vendor
when = always
valid_from = 2026-03-01
basis = Loi de finances pour 2026 (taxe sur les petits colis), per secondary sources
source = https://www.boursorama.com/budget/conso/actualites/taxe-sur-les-petits-colis-allez-vous-payer-plus-cher-vos-achats-en-ligne-a-partir-du-1er-mars-506ae298e84f16ccf1be58903981153f
source = https://www.commentcamarche.net/applis-sites/37159-taxe-petits-colis/
verified = no
note = Secondary sources only (press): the law text was not read.
""",
    "IT": """
; Italy: a EUR 2 charge per low-value consignment from outside the EU from
; 2026-01-01, reported by a UK trade adviser; not checked against the
; budget law.  Scope taken as consignments of intrinsic value <= EUR 150.
[fee IT-LVC-2026]
name = Contributo sulle spedizioni di modico valore
amount = 2.00 EUR
per = consignment
value = intrinsic
value_upto = 150.00 EUR
when = always
valid_from = 2026-01-01
basis = Legge di bilancio 2026, per a secondary source
source = https://fiscalsolutions.co.uk/news/eu-confirms-3-flat-rate-customs-duty-on-low-value-imports-from-july-2026
verified = no
note = One secondary source: the amount, the scope and the date are unverified.
""",
}


class ConvertError(Exception):
    pass


def fail(msg):
    raise ConvertError(msg)


def pct(v):
    d = Decimal(str(v)).normalize()
    return format(d, "f")


def periods(items):
    """[(from or None, to or None, rates)] oldest first."""
    ps = sorted(items, key=lambda p: p["effective_from"])
    out = []
    for i, p in enumerate(ps):
        start = p["effective_from"]
        start = None if start == "0000-01-01" else start
        end = ps[i + 1]["effective_from"] if i + 1 < len(ps) else None
        out.append((start, end, p["rates"]))
    return out


def render(code, name, currency, items):
    lines = [
        f"; {code}.ini - {name}: own VAT rates; the common rules are in EU.ini.",
        "; Generated by tools/convert-eu-profiles.py from ibericode/vat-rates",
        "; (MIT).  Edit the script, not this file.  Format: docs/countries.md.",
        "",
        "[profile]",
        f"country = {code}",
        "kind = country",
        f"name = {name}",
        "union = EU",
        f"currency = {currency}",
        f"source = {EC_VAT_URL}",
    ]
    for n in PROFILE_NOTES.get(code, []):
        lines.append(f"note = {n}")
    for start, end, rates in periods(items):
        std = rates.get("standard")
        if std is None:
            fail(f"{code}: a period without a standard rate")
        reduced = sorted({Decimal(str(v)) for k, v in rates.items()
                          if k in ("reduced", "reduced1", "reduced2", "press_publications")})
        unknown = set(rates) - {"standard", "reduced", "reduced1", "reduced2",
                                "press_publications", "super_reduced", "parking"}
        if unknown:
            fail(f"{code}: unknown rate names {sorted(unknown)}")
        rid = f"{code}-VAT-" + (start.replace("-", "") if start else "BASE")
        lines += ["", f"[tax {rid}]", f"rate = {pct(std)}"]
        if reduced:
            lines.append("reduced = " + " ".join(pct(r) for r in reduced))
        if "super_reduced" in rates:
            lines.append(f"super_reduced = {pct(rates['super_reduced'])}")
        if "parking" in rates:
            lines.append(f"parking = {pct(rates['parking'])}")
        if start:
            lines.append(f"valid_from = {start}")
        if end:
            lines.append(f"valid_to = {end}")
        lines.append(f"basis = VAT law of {name}, rates under Council Directive 2006/112/EC, "
                     "arts 96-99 and 132")
        lines.append(f"source = {IBERICODE_URL}")
        lines.append(f"source = {EC_VAT_URL}")
        if not start:
            lines.append("note = In force since before the start of the source's history.")
    text = "\n".join(lines) + "\n"
    if code in NATIONAL:
        text += NATIONAL[code]
    for ln in text.splitlines():
        if len(ln.encode()) > 199:
            fail(f"{code}: line longer than 199 bytes: {ln[:40]}...")
    return text


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = os.path.join(argv[1], "vat", "eu_vat_rates_ibericode.json")
    out = argv[2] if len(argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "countries")
    with open(src, encoding="utf-8") as f:
        items = json.load(f)["items"]
    if set(items) != set(MEMBERS) | {"GB"}:
        fail(f"{src}: countries {sorted(items)} are not the EU-27 plus GB")
    os.makedirs(out, exist_ok=True)
    for code, (name, currency) in sorted(MEMBERS.items()):
        text = render(code, name, currency, items[code])
        path = os.path.join(out, f"{code}.ini")
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    print(f"wrote {len(MEMBERS)} member-state profiles to {out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except ConvertError as e:
        print(f"convert-eu-profiles: {e}", file=sys.stderr)
        sys.exit(1)
