#!/usr/bin/python3
"""Transcribes the built-in carbon intensity zone table, data/zones.csv.

Run by hand when the reference data changes; the build only reads data/zones.csv.

  /usr/bin/python3 tools/make_zones.py [REFERENCE_DATA_DIR] [OUTPUT_CSV]

Sources (both attribution-only, CC BY 4.0; share-alike data is deliberately left out so the
compiled-in table can ship under the project's own licence):
  - countries and WORLD: Our World in Data "carbon-intensity-electricity" (Ember, Energy
    Institute), each country's latest year; lifecycle CO2e, production-based;
  - Canadian provinces, US states, Australian states: Green Algorithms CI_aggregated.csv
    (carbonfootprint.com, March 2022, from national inventories: Canada's UNFCCC submission,
    US EPA eGRID, Australian NGA factors). Those count combustion at the generator only,
    so their basis is "direct".
ISO-3 country codes are turned into ISO-2 with Debian's iso-codes database.
"""
import csv
import json
import os
import re
import sys

REF = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference-data"
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "data", "zones.csv")
ISO_JSON = "/usr/share/iso-codes/json/iso_3166-1.json"
ISO2_JSON = "/usr/share/iso-codes/json/iso_3166-2.json"

OWID_FILE = os.path.join(REF, "grid", "owid_carbon_intensity_electricity_2000_2024.csv")
GA_FILE = os.path.join(REF, "grid", "green_algorithms_CI_aggregated.csv")

OWID_SOURCE = ("Our World in Data, carbon-intensity-electricity "
               "(Ember Yearly Electricity Data; Energy Institute)")
CC_BY = "CC BY 4.0"

# OWID's own codes for entities without an ISO code that are countries, not aggregates.
# XK is the user-assigned code that the EU and most data providers use for Kosovo.
OWID_EXTRA = {"OWID_KOS": "XK"}

# Green Algorithms codes that differ from ISO 3166-2: it writes Manitoba as CA-MT.
GA_CODE_FIX = {"CA-MT": "CA-MB"}
# An obvious typo in the source's region name.
GA_NAME_FIX = {"Mississip": "Mississippi"}
# Sub-national rows we take (the countries come from OWID, which is newer).
GA_COUNTRIES = ("CA-", "US-", "AU-")


def iso3_to_iso2():
    with open(ISO_JSON, encoding="utf-8") as f:
        table = json.load(f)["3166-1"]
    return {c["alpha_3"]: c["alpha_2"] for c in table}


def iso_subdivisions():
    with open(ISO2_JSON, encoding="utf-8") as f:
        return {c["code"] for c in json.load(f)["3166-2"]}


def owid_rows():
    """Each ISO country's latest year, plus World."""
    to2 = iso3_to_iso2()
    latest = {}
    with open(OWID_FILE, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            code3 = r["Code"]
            value = r["Carbon intensity of electricity - gCO2/kWh"]
            if not code3 or value == "":
                continue  # aggregates ("Africa (Ember)", "ASEAN (Ember)") have no code
            if code3 == "OWID_WRL":
                code = "WORLD"
            elif code3 in OWID_EXTRA:
                code = OWID_EXTRA[code3]
            elif code3.startswith("OWID_"):
                continue  # any other OWID aggregate
            elif code3 in to2:
                code = to2[code3]
            else:
                sys.exit(f"make_zones: no ISO-2 code for {code3} ({r['Entity']})")
            year = int(r["Year"])
            if code not in latest or year > latest[code]["year"]:
                latest[code] = {"code": code, "name": r["Entity"], "value": value,
                                "year": year}
    rows = []
    for z in latest.values():
        rows.append({"code": z["code"], "name": z["name"],
                     "g_per_kwh": fmt_number(z["value"]), "basis": "lifecycle",
                     "year": z["year"], "source": OWID_SOURCE, "licence": CC_BY})
    return rows


def ga_rows():
    subdivisions = iso_subdivisions()
    with open(GA_FILE, encoding="utf-8", newline="") as f:
        lines = list(csv.reader(f))
    header = lines[1]  # the first row holds units and notes, the second the names
    rows = []
    for values in lines[2:]:
        r = dict(zip(header, values))
        code = r["location"]
        if not code.startswith(GA_COUNTRIES):
            continue
        code = GA_CODE_FIX.get(code, code)
        m = re.search(r"data from (\d{4})", r["source"])
        if not m:
            sys.exit(f"make_zones: no data year in the source of {code}")
        region = GA_NAME_FIX.get(r["regionName"], r["regionName"])
        # AU-NT2, AU-WA1, AU-WA2 are separate grids inside one state; they keep the
        # Green Algorithms code because ISO 3166-2 has none for them.
        if code not in subdivisions and code not in ("AU-NT2", "AU-WA1", "AU-WA2"):
            sys.exit(f"make_zones: {code} is not an ISO 3166-2 code")
        rows.append({"code": code, "name": f"{region}, {r['countryName']}",
                     "g_per_kwh": fmt_number(r["carbonIntensity"]), "basis": "direct",
                     "year": int(m.group(1)),
                     "source": "Green Algorithms CI_aggregated.csv (" + r["source"] + ")",
                     "licence": CC_BY})
    return rows


def fmt_number(text):
    """The published number to 0.01 g/kWh (OWID prints five decimals, false precision
    for a yearly national average); rejects anything that is not a number."""
    v = float(text)
    if not v >= 0:
        sys.exit(f"make_zones: bad intensity {text!r}")
    return repr(round(v, 2))


def main():
    rows = owid_rows() + ga_rows()
    codes = [r["code"] for r in rows]
    dup = {c for c in codes if codes.count(c) > 1}
    if dup:
        sys.exit(f"make_zones: duplicate codes {sorted(dup)}")
    if "WORLD" not in codes:
        sys.exit("make_zones: no World row")
    rows.sort(key=lambda r: r["code"])
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["code", "name", "g_per_kwh", "basis", "year",
                                          "source", "licence"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"make_zones: {len(rows)} zones -> {OUT}")


if __name__ == "__main__":
    main()
