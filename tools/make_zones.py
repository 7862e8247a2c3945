#!/usr/bin/python3
"""Transcribes the built-in carbon intensity tables of data/ from the reference files.

Run by hand when the reference data changes; the build only reads the files in data/.

  /usr/bin/python3 tools/make_zones.py [REFERENCE_DATA_DIR] [DATA_DIR]

One output file per source, so that each file has one licence and the files' order is the
lookup precedence (data/README.md; data/meson.build passes them to tools/gen_tables.py in
that order):

  zones.csv           countries and WORLD: Our World in Data "carbon-intensity-electricity"
                      (Ember, Energy Institute), each country's latest year; lifecycle,
                      production-based. CC BY 4.0.
  zones_odbl.csv      every Electricity Maps zone: 2025 yearly lifecycle (co2.js copy) and
                      2024 yearly direct (data version 2025-01-27). ODbL 1.0 (share-alike,
                      hence its own file).
  zones_egrid.csv     US EPA eGRID2022 subregions, total output CO2e; direct. Public domain.
  zones_china.csv     China MEE/NBS provincial and regional-grid factors 2022; direct.
  zones_ga.csv        Green Algorithms CI_aggregated.csv: Canadian provinces, US states,
                      Australian states (2019-2020 data); direct. CC BY 4.0.
  zones_marginal.csv  UNFCCC/IFI harmonised default grid factors 2021 v3.1, operating margin,
                      per country; signal "marginal", direct.
  zones_history.csv   every country-year of the same OWID file (2000-2024), for
                      `whatif --zones FR@2010`; a table of its own, outside the lookup
                      precedence. CC BY 4.0.
  zones_history_odbl.csv  every Electricity Maps zone, 2021-2025 yearly lifecycle (co2.js
                      copies); ODbL 1.0, hence its own file.
  cloud_regions.csv   AWS, GCP, Azure (and OVH, ...) regions -> Electricity Maps zone, from
                      the Electricity Maps data-centre list as joined in the reference file
                      cloud_regions_electricitymaps_intensity_2021_2025.csv. ODbL 1.0.

Country names are turned into ISO 3166 codes with Debian's iso-codes database; the few
names it does not know are mapped by hand below (never through co2.js's ISO columns, which
put the Cayman Islands at CY and the Canary Islands at KY).
"""
import csv
import json
import os
import re
import sys

REF = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference-data"
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "data")
ISO_JSON = "/usr/share/iso-codes/json/iso_3166-1.json"
ISO2_JSON = "/usr/share/iso-codes/json/iso_3166-2.json"

OWID_FILE = os.path.join(REF, "grid", "owid_carbon_intensity_electricity_2000_2024.csv")
GA_FILE = os.path.join(REF, "grid", "green_algorithms_CI_aggregated.csv")
EM_YEARLY_FILE = os.path.join(REF, "grid", "electricitymaps_yearly_2025.json")
EM_HISTORY_YEARS = range(2021, 2026)  # electricitymaps_yearly_<year>.json
EM_DIRECT_FILE = os.path.join(REF, "grid", "electricitymaps_2024_zones_direct_lifecycle.csv")
EGRID_FILE = os.path.join(REF, "grid", "egrid2022_subregion_output_emission_rates.csv")
CHINA_FILE = os.path.join(REF, "grid", "china_grid_emission_factors_2021_2022.csv")
IFI_FILE = os.path.join(REF, "marginal", "IFI_Default_Grid_Factors_2021_v3.1_unfccc.csv")
CLOUD_FILE = os.path.join(REF, "cloud", "cloud_regions_electricitymaps_intensity_2021_2025.csv")

ZONE_FIELDS = ["code", "name", "g_per_kwh", "signal", "basis", "year", "source", "licence"]
CLOUD_FIELDS = ["provider", "region", "zone", "location", "lat", "lon", "source", "licence"]

OWID_SOURCE = ("Our World in Data, carbon-intensity-electricity "
               "(Ember Yearly Electricity Data; Energy Institute)")
CC_BY = "CC BY 4.0"
ODBL = "ODbL 1.0 (Electricity Maps)"
EM_YEARLY_SOURCE = ("Electricity Maps yearly carbon intensity 2025 "
                    "(co2.js data/output/electricity-maps)")
# The year is in each row's year column: one source text for every year keeps a zone's
# history one series in the compiled table (tools/gen_tables.py).
EM_HISTORY_SOURCE = ("Electricity Maps yearly carbon intensity "
                     "(co2.js data/output/electricity-maps)")
EM_DIRECT_SOURCE = ("Electricity Maps 2024 yearly data, version 2025-01-27, direct "
                    "(Electricity_Maps_CI_Table fallbackCIDataTable.csv)")
EGRID_SOURCE = ("US EPA eGRID2022 subregion total output rates, GHG Emission Factors Hub 2024 "
                "Table 6; CO2e with AR5 GWPs (CH4 28, N2O 265)")
EGRID_LICENCE = "Public domain (US Government)"
CHINA_SOURCE = ("China MEE/NBS electricity CO2 emission factors 2022 "
                "(published 2024; transcribed)")
CHINA_LICENCE = "MEE/NBS publication, no licence stated"
IFI_SOURCE = ("UNFCCC/IFI Harmonized Default Grid Emission Factors 2021 v3.1, "
              "operating margin")
IFI_LICENCE = "UNFCCC dataset, no licence stated"
CLOUD_SOURCE = ("Electricity Maps data-centre list (electricitymaps-contrib "
                "config/data_centers), via cloud_regions_electricitymaps_intensity_2021_2025.csv")

# OWID's own codes for entities without an ISO code that are countries, not aggregates.
# XK is the user-assigned code that the EU and most data providers use for Kosovo.
OWID_EXTRA = {"OWID_KOS": "XK"}

# Green Algorithms codes that differ from ISO 3166-2: it writes Manitoba as CA-MT.
GA_CODE_FIX = {"CA-MT": "CA-MB"}
# An obvious typo in the source's region name.
GA_NAME_FIX = {"Mississip": "Mississippi"}
# Sub-national rows we take (the countries come from OWID, which is newer).
GA_COUNTRIES = ("CA-", "US-", "AU-")

# China MEE English names -> ISO 3166-2 (iso-codes writes "Nei Mongol Zizhiqu", not
# "Inner Mongolia", so a name match would miss several).
CHINA_PROVINCES = {
    "Anhui": "CN-AH", "Beijing": "CN-BJ", "Chongqing": "CN-CQ", "Fujian": "CN-FJ",
    "Gansu": "CN-GS", "Guangdong": "CN-GD", "Guangxi": "CN-GX", "Guizhou": "CN-GZ",
    "Hainan": "CN-HI", "Hebei": "CN-HE", "Heilongjiang": "CN-HL", "Henan": "CN-HA",
    "Hubei": "CN-HB", "Hunan": "CN-HN", "Inner Mongolia": "CN-NM", "Jiangsu": "CN-JS",
    "Jiangxi": "CN-JX", "Jilin": "CN-JL", "Liaoning": "CN-LN", "Ningxia": "CN-NX",
    "Qinghai": "CN-QH", "Shaanxi": "CN-SN", "Shandong": "CN-SD", "Shanghai": "CN-SH",
    "Shanxi": "CN-SX", "Sichuan": "CN-SC", "Tianjin": "CN-TJ", "Xinjiang": "CN-XJ",
    "Yunnan": "CN-YN", "Zhejiang": "CN-ZJ",
}
# The seven regional grids have no ISO code; CN-GRID-<name> cannot clash with one.
CHINA_GRIDS = {
    "North China grid": "CN-GRID-NORTH", "Northeast China grid": "CN-GRID-NORTHEAST",
    "East China grid": "CN-GRID-EAST", "Central China grid": "CN-GRID-CENTRAL",
    "Northwest China grid": "CN-GRID-NORTHWEST", "China Southern grid": "CN-GRID-SOUTH",
    "Southwest China grid": "CN-GRID-SOUTHWEST",
}

# IFI names that iso-codes does not know. Islands that belong to a country but have their
# own factor take the Electricity Maps code where it has one (PT-MA, ES-CN as the prefix of
# its ES-CN-* islands), else ISO 3166-2 (PT-20). A row naming two places (Channel Islands;
# China with Hong Kong) gives each its own row.
IFI_NAMES = {
    "Azores (Portugal)": ["PT-20"], "Bonaire (Netherland)": ["BQ"],
    "Canary Islands (Spain)": ["ES-CN"], "Cape Verde": ["CV"], "Cayman Islands": ["KY"],
    "Channel Islands (U.K)": ["JE", "GG"], "China (PRC and Hong Kong)": ["CN", "HK"], "Congo, Democratic Republic of": ["CD"],
    "Congo, Republic of": ["CG"], "Curacao/Netherlands Antilles": ["CW"],
    "Falkland Islands (U.K.)": ["FK"],
    "Korea (North), Democratic People's Republic of": ["KP"],
    "Korea (South), Republic of": ["KR"], "Kosovo": ["XK"], "Madeira (Portugal)": ["PT-MA"],
    "Micronesia": ["FM"], "North Macedonia, Republic of": ["MK"],
    "Palestinian Authority": ["PS"], "Reunion (France)": ["RE"],
    "Saint Helena (U.K.)": ["SH"], "Saint Martin (France)": ["MF"],
    "Saint Vincent and Grenadines": ["VC"], "Sao Tomé & Principe": ["ST"],
    "Sint Martin (Netherlands)": ["SX"], "Turkey": ["TR"], "Vanatu": ["VU"],
    "Virgin Islands (U.S.)": ["VI"],
}
IFI_SKIP = {"Memo:  EU 27"}  # an aggregate, not a grid


def iso_countries():
    with open(ISO_JSON, encoding="utf-8") as f:
        return json.load(f)["3166-1"]


def iso3_to_iso2():
    return {c["alpha_3"]: c["alpha_2"] for c in iso_countries()}


def iso_subdivisions():
    with open(ISO2_JSON, encoding="utf-8") as f:
        return {c["code"] for c in json.load(f)["3166-2"]}


def zone_row(code, name, value, basis, year, source, licence, signal="average", digits=2):
    return {"code": code, "name": name, "g_per_kwh": fmt_number(value, digits),
            "signal": signal, "basis": basis, "year": int(year), "source": source,
            "licence": licence}


def owid_history():
    """Every year of every ISO country, plus World: {code: {year: (name, value)}}."""
    to2 = iso3_to_iso2()
    years = {}
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
            if year in years.setdefault(code, {}):
                sys.exit(f"make_zones: OWID {code} {year} twice")
            years[code][year] = (r["Entity"], value)
    return years


def owid_rows():
    """Each ISO country's latest year, plus World."""
    rows = []
    for code, years in owid_history().items():
        year = max(years)
        name, value = years[year]
        rows.append(zone_row(code, name, value, "lifecycle", year, OWID_SOURCE, CC_BY))
    return rows


def owid_history_rows():
    """Every country-year, with the same codes, names and rounding as owid_rows()."""
    return [zone_row(code, name, value, "lifecycle", year, OWID_SOURCE, CC_BY)
            for code, years in owid_history().items()
            for year, (name, value) in sorted(years.items())]


def em_yearly(path):
    """An Electricity Maps yearly file: {code: (name, lifecycle g/kWh)}."""
    with open(path, encoding="utf-8") as f:
        yearly = json.load(f)
    country_names = {c["alpha_2"]: c.get("common_name", c["name"]) for c in iso_countries()}
    zones = {}
    for code, z in yearly.items():
        ci = z["carbonIntensity"]
        if ci["unit"] != "gCO2eq/kWh":
            sys.exit(f"make_zones: {path}: {code}: unit {ci['unit']}")
        name = z["zone"]["zoneName"]
        display = z["zone"].get("displayName")
        if display and display != name:
            name = f"{name} ({display})"
        if "-" in code:  # a sub-zone: say which country, as the user may not know "RU-1"
            country = z["zone"].get("countryName") or country_names[code.split("-")[0]]
            name = f"{name}, {country}"
        zones[code] = (name, ci["value"])
    return zones


def em_history_rows():
    """Every Electricity Maps zone, every year of the yearly files; each zone under the
    name the latest file gives it, so that a zone's rows agree."""
    years = {y: em_yearly(os.path.join(REF, "grid", f"electricitymaps_yearly_{y}.json"))
             for y in EM_HISTORY_YEARS}
    names = {}
    for y in EM_HISTORY_YEARS:
        names.update({code: name for code, (name, _) in years[y].items()})
    return [zone_row(code, names[code], value, "lifecycle", y, EM_HISTORY_SOURCE, ODBL)
            for y in EM_HISTORY_YEARS for code, (_, value) in years[y].items()]


def em_rows():
    """Every Electricity Maps zone: the 2025 lifecycle value, then the 2024 direct one."""
    names = {}
    rows = []
    for code, (name, value) in em_yearly(EM_YEARLY_FILE).items():
        names[code] = name
        rows.append(zone_row(code, name, value, "lifecycle", 2025, EM_YEARLY_SOURCE, ODBL))
    with open(EM_DIRECT_FILE, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            code = r["Zone id"]
            if code == "GLOBAL":
                continue  # 480/480: a placeholder, not a measurement (reference notes §1.2)
            if not r["Datetime (UTC)"].startswith("2024-"):
                sys.exit(f"make_zones: {code}: not 2024 data")
            direct = next(v for k, v in r.items() if k.endswith("(direct)"))
            name = names.get(code) or r["Zone name"]
            rows.append(zone_row(code, name, direct, "direct", 2024, EM_DIRECT_SOURCE, ODBL))
    return rows


def egrid_rows():
    rows = []
    with open(EGRID_FILE, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            sub = r["subregion"]
            # "US-EGRID-XXXX": the acronym users know, under a prefix that says whose
            # subregion it is and cannot clash with an ISO or Electricity Maps code.
            code = "US-EGRID" if sub == "US" else f"US-EGRID-{sub}"
            name = f"eGRID {r['subregion_name']}" if sub != "US" else "eGRID U.S. average"
            if sub != "US":
                name += f" ({sub}), USA"
            rows.append(zone_row(code, name, r["co2e_g_per_kwh_ar5"], "direct",
                                 r["data_year"], EGRID_SOURCE, EGRID_LICENCE))
    return rows


def china_rows():
    subdivisions = iso_subdivisions()
    rows = []
    with open(CHINA_FILE, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            name = r["name_en"]
            if r["level"] == "province":
                code = CHINA_PROVINCES[name]
                if code not in subdivisions:
                    sys.exit(f"make_zones: {code} is not an ISO 3166-2 code")
                label = f"{name}, China"
            elif r["level"] == "regional_grid":
                code = CHINA_GRIDS[name]
                label = f"{name}, China"
            else:
                sys.exit(f"make_zones: China level {r['level']!r}")
            rows.append(zone_row(code, label, r["g_per_kwh_2022"], "direct", 2022,
                                 CHINA_SOURCE, CHINA_LICENCE))
    if len(rows) != 37:
        sys.exit(f"make_zones: {len(rows)} China rows, expected 30 provinces + 7 grids")
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
        rows.append(zone_row(code, f"{region}, {r['countryName']}", r["carbonIntensity"],
                             "direct", m.group(1),
                             "Green Algorithms CI_aggregated.csv (" + r["source"] + ")", CC_BY))
    return rows


def ifi_rows():
    by_name = {}
    for c in iso_countries():
        for k in ("name", "official_name", "common_name"):
            if k in c:
                by_name[c[k].lower()] = c["alpha_2"]
    with open(IFI_FILE, encoding="utf-8", newline="") as f:
        lines = list(csv.reader(f))
    # Three header rows: margin type, then sub-columns, then "Country / Territory / Island".
    if not lines[0][5].startswith("Operating Margin") or \
            not lines[2][0].startswith("Country / Territory"):
        sys.exit("make_zones: the IFI file's header changed")
    rows = []
    for r in lines[3:]:
        if len(r) < 6 or not r[0]:
            continue
        if not re.fullmatch(r"\d+(\.\d+)?", r[5].strip()):
            if r[0].startswith("Note"):
                continue  # the notes under the table
            sys.exit(f"make_zones: IFI {r[0]!r}: operating margin {r[5]!r}")
        name = r[0].strip()
        if name in IFI_SKIP:
            continue
        base = re.sub(r"\s*\(.*\)$", "", name)  # "Bermuda (U.K.)" -> "Bermuda"
        codes = IFI_NAMES.get(r[0]) or IFI_NAMES.get(name)
        if not codes:
            code = by_name.get(name.lower()) or by_name.get(base.lower())
            if not code:
                sys.exit(f"make_zones: no ISO code for IFI country {name!r}")
            codes = [code]
        for code in codes:
            rows.append(zone_row(code, name, r[5].strip(), "direct", 2021, IFI_SOURCE,
                                 IFI_LICENCE, signal="marginal"))
    return rows


def cloud_rows(zone_codes):
    rows = []
    with open(CLOUD_FILE, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["em_zone"] not in zone_codes:
                sys.exit(f"make_zones: {r['provider']}:{r['region']} -> unknown zone "
                         f"{r['em_zone']}")
            rows.append({"provider": r["provider"], "region": r["region"],
                         "zone": r["em_zone"], "location": r["display_name"],
                         "lat": fmt_number_signed(r["lat"]), "lon": fmt_number_signed(r["lon"]),
                         "source": CLOUD_SOURCE, "licence": ODBL})
    rows.sort(key=lambda r: (r["provider"], r["region"]))
    return rows


def fmt_number(text, digits=2):
    """The published number to 0.01 g/kWh (OWID prints five decimals, false precision
    for a yearly national average); rejects anything that is not a number."""
    v = float(text)
    if not v >= 0:
        sys.exit(f"make_zones: bad intensity {text!r}")
    return repr(round(v, digits))


def fmt_number_signed(text):
    v = float(text)
    if not -180 <= v <= 180:
        sys.exit(f"make_zones: bad coordinate {text!r}")
    return repr(round(v, 4))


def check_unique(name, rows, keys=("code", "signal", "basis")):
    keys = [tuple(r[k] for k in keys) for r in rows]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        sys.exit(f"make_zones: {name}: duplicate rows {sorted(dup)}")


def write(name, fields, rows):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"make_zones: {len(rows)} rows -> {path}")


def main():
    files = [
        ("zones.csv", owid_rows()),
        ("zones_odbl.csv", em_rows()),
        ("zones_egrid.csv", egrid_rows()),
        ("zones_china.csv", china_rows()),
        ("zones_ga.csv", ga_rows()),
        ("zones_marginal.csv", ifi_rows()),
    ]
    codes = set()
    for name, rows in files:
        check_unique(name, rows)
        # Sorted by code, the lifecycle row before the direct one: gen_tables keeps this
        # order, and the first row that matches is the one a lookup returns.
        rows.sort(key=lambda r: (r["code"], r["basis"] != "lifecycle"))
        codes.update(r["code"] for r in rows if r["signal"] == "average")
        write(name, ZONE_FIELDS, rows)
    if "WORLD" not in codes:
        sys.exit("make_zones: no World row")
    write("cloud_regions.csv", CLOUD_FIELDS, cloud_rows(codes))
    # The yearly history: a zone's years in order, zones sorted by code.
    for name, rows in (("zones_history.csv", owid_history_rows()),
                       ("zones_history_odbl.csv", em_history_rows())):
        check_unique(name, rows, ("code", "year"))
        rows.sort(key=lambda r: (r["code"], r["year"]))
        write(name, ZONE_FIELDS, rows)


if __name__ == "__main__":
    main()
