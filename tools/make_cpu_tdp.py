#!/usr/bin/python3
"""Transcribes the hardware tables of the estimate source.

Run by hand when the reference data changes; the build only reads data/.

  /usr/bin/python3 tools/make_cpu_tdp.py [REFERENCE_DATA_DIR] [DATA_DIR]

Writes
  data/cpu_tdp.csv      CPU model -> TDP (W), from CodeCarbon's cpu_power.csv (MIT);
  data/power_model.csv  the constants of the estimate model, each with its derivation:
    cpu_idle_ratio  mean over every (cloud, architecture) row of the Cloud Carbon Footprint
                    coefficient files of Min Watts / Max Watts (Apache-2.0);
    vcpu_w_min/max  mean over the same rows of Min Watts and of Max Watts (per vCPU);
    dram_w_per_gb   Green Algorithms referenceValues.csv memoryPower (CC BY 4.0).
Constants are rounded to 4 decimals: the inputs are themselves averages of SPECpower runs,
so more digits would be noise, and round numbers keep the unit tests checkable by hand.
"""
import csv
import os
import sys

REF = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference-data"
DATA = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "data")
HW = os.path.join(REF, "hardware")

CODECARBON = "CodeCarbon cpu_power.csv (Intel ARK, AMD listings)"
CCF = "Cloud Carbon Footprint coefficients (SPECpower), ccf_coefficients_{aws,azure,gcp}_use.csv"
GA = "Green Algorithms referenceValues.csv, memoryPower"


def clean(name):
    """Two Ryzen names end in a zero-width space and four carry a "®": invisible or
    decorative characters that would stop a whole-token match against /proc/cpuinfo."""
    for junk in ("\u200b", "\ufeff"):
        name = name.replace(junk, "")
    for mark in ("\u00ae", "\u2122"):
        name = name.replace(mark, " ")
    return " ".join(name.split())


def cpu_tdp():
    rows, seen, skipped = [], {}, []
    with open(os.path.join(HW, "codecarbon_cpu_power.csv"), encoding="utf-8",
              newline="") as f:
        for r in csv.DictReader(f):
            model = clean(r["Name"])
            key = model.lower()
            if key in seen:
                # The source lists some parts twice ("i5-750S" and "i5-750s", or once with a
                # no-break space). The first row wins; a different TDP is reported.
                if float(seen[key]) != float(r["TDP"]):
                    print(f"make_cpu_tdp: {model}: kept {seen[key]} W, not {r['TDP']} W")
                continue
            try:
                tdp = float(r["TDP"])
            except ValueError:
                # Four old Celerons carry a mangled range ("27.29.5", likely 27.2-29.5 W):
                # no single number can be read from it, so the row is left out.
                skipped.append(model)
                continue
            if tdp == 0:
                skipped.append(model)  # a microcontroller listed at 0 W: an estimate of 0 W
                continue               # would read as "measured nothing"
            if not 0 < tdp < 2000:
                sys.exit(f"make_cpu_tdp: implausible TDP {r['TDP']!r} for {model}")
            seen[key] = r["TDP"]
            rows.append({"model": model, "tdp_w": f"{tdp:g}", "source": CODECARBON,
                         "licence": "MIT"})
    if skipped:
        print(f"make_cpu_tdp: left out (TDP not a usable number): {', '.join(skipped)}")
    rows.sort(key=lambda r: r["model"].lower())
    return rows


def ccf_constants():
    mins, maxs, ratios = [], [], []
    for cloud in ("aws", "azure", "gcp"):
        path = os.path.join(HW, f"ccf_coefficients_{cloud}_use.csv")
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                lo, hi = float(r["Min Watts"]), float(r["Max Watts"])
                mins.append(lo)
                maxs.append(hi)
                ratios.append(lo / hi)
    n = len(ratios)
    mean = lambda xs: sum(xs) / len(xs)
    how = f"arithmetic mean over the {n} (cloud, architecture) rows of the aws, azure, gcp files"
    return [
        {"key": "cpu_idle_ratio", "value": f"{mean(ratios):.4f}", "unit": "1",
         "source": CCF, "licence": "Apache-2.0",
         "derivation": "Min Watts / Max Watts, " + how},
        {"key": "vcpu_w_min", "value": f"{mean(mins):.4f}", "unit": "W",
         "source": CCF, "licence": "Apache-2.0", "derivation": "Min Watts, " + how},
        {"key": "vcpu_w_max", "value": f"{mean(maxs):.4f}", "unit": "W",
         "source": CCF, "licence": "Apache-2.0", "derivation": "Max Watts, " + how},
    ]


def dram_constant():
    path = os.path.join(HW, "green_algorithms_referenceValues.csv")
    with open(path, encoding="utf-8", newline="") as f:
        lines = list(csv.reader(f))
    header = lines[1]  # two header rows
    for values in lines[2:]:
        r = dict(zip(header, values))
        if r["variable"] == "memoryPower":
            return {"key": "dram_w_per_gb", "value": f"{float(r['value']):.4f}",
                    "unit": "W/GB", "source": GA, "licence": "CC BY 4.0",
                    "derivation": "as published (W per GB of memory in use, GB = 1e9 bytes)"}
    sys.exit("make_cpu_tdp: memoryPower not found")


def write(path, fields, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"make_cpu_tdp: {len(rows)} rows -> {path}")


def main():
    write(os.path.join(DATA, "cpu_tdp.csv"), ["model", "tdp_w", "source", "licence"],
          cpu_tdp())
    write(os.path.join(DATA, "power_model.csv"),
          ["key", "value", "unit", "source", "licence", "derivation"],
          ccf_constants() + [dram_constant()])


if __name__ == "__main__":
    main()
