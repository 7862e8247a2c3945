#!/usr/bin/python3
"""Build-time generator for the hardware tables of estimates (called by gen_tables.py):

  gen_tables.py gpu GPU_SPECS_CSV CPU_CORES_CSV OUT_C
  gen_tables.py embodied EMBODIED_CSV OUT_C

The declarations live in src/lib/data/gpu_specs.h and src/lib/data/embodied.h. As in
gen_tables.py, every row is validated so a bad edit fails the build with FILE:LINE. Names
are checked with the same key rule as the C lookup (gpu_specs.h): no two rows may share a
key, so every name and alias finds exactly one row.
"""
import csv
import math
import re

from gen_tables import HEADER, c_string, die, write

GPU_FIELDS = ["name", "aliases", "vendor", "kind", "tdp_w", "memory_gb", "fp32_tflops",
              "fp16_tflops", "tf32_tflops", "tensor_tflops", "fp8_tflops", "mem_bw_gbs", "year",
              "source", "licence"]
GPU_OPTIONAL = {"aliases", "memory_gb", "fp32_tflops", "fp16_tflops", "tf32_tflops",
                "tensor_tflops", "fp8_tflops", "mem_bw_gbs", "year"}
CPU_FIELDS = ["model", "tdp_w", "cores", "tdp_per_core_w", "source", "licence"]
EMBODIED_FIELDS = ["kind", "model", "kg_co2e", "unit", "lifetime_years", "scope", "source",
                   "url", "year", "lifetime_source", "licence"]

# The key rule of src/lib/data/gpu_specs.h, step for step.
BRANDS = {"nvidia", "amd", "google", "intel", "tesla", "geforce", "radeon", "instinct",
          "habana", "amazon", "aws", "huawei"}
KEY_MAX = 96  # AIM_HW_KEY_MAX, with its NUL


def name_key(name):
    text = re.sub(r"\((r|tm|c)\)", " ", name, flags=re.IGNORECASE)
    words = [w.lower() for w in re.split(r"[^0-9A-Za-z]+", text) if w]
    while words and words[0] in BRANDS:
        words.pop(0)
    words = [re.sub(r"^sxm[0-9]+$", "sxm", w) for w in words]
    memory = [w for w in words if re.fullmatch(r"[0-9]+gb", w)]
    return "".join([w for w in words if w not in memory] + memory)


def read_lenient(path, fields, optional):
    """gen_tables.read() refuses every empty cell; these tables have optional ones."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != fields:
            die(path, 1, f"columns must be {','.join(fields)}, not {reader.fieldnames}")
        rows = []
        for r in reader:
            line = reader.line_num
            if None in r or any(v is None for v in r.values()):
                die(path, line, "wrong number of fields")
            for k in fields:
                if k not in optional and not r[k].strip():
                    die(path, line, f"empty {k}")
            rows.append((line, r))
        return rows


def number(path, line, text, what, required=False, positive=False):
    """A C double literal, NAN for an empty optional cell."""
    if not text.strip():
        if required:
            die(path, line, f"empty {what}")
        return "NAN"
    try:
        v = float(text)
    except ValueError:
        die(path, line, f"{what} {text!r} is not a number")
    if not math.isfinite(v) or v < 0 or (positive and v == 0):
        die(path, line, f"{what} {text!r} must be finite and {'positive' if positive else 'not negative'}")
    return repr(v)


def year(path, line, text):
    if not text.strip():
        return "0"
    if not re.fullmatch(r"(19|20)\d\d", text):
        die(path, line, f"year {text!r}")
    return str(int(text))


def check_key(path, line, text, seen, owner):
    key = name_key(text)
    if not key:
        die(path, line, f"name {text!r} has no letter or digit")
    if len(key) >= KEY_MAX:
        die(path, line, f"name {text!r} is too long for a lookup key")
    if key in seen and seen[key] != owner:
        die(path, line, f"{text!r} means the same as {seen[key][1]!r} (line {seen[key][0]})")
    seen[key] = owner


def gen_gpu(src, cpu_src, out):
    lines = [HEADER.format(src="data/gpu_specs.csv and data/cpu_cores.csv"),
             "#include <math.h>\n\n", '#include "data/gpu_specs.h"\n\n',
             "const aim_gpu_info aim_gpu_spec_table[] = {\n"]
    seen = {}
    for line, r in read_lenient(src, GPU_FIELDS, GPU_OPTIONAL):
        owner = (line, r["name"])
        check_key(src, line, r["name"], seen, owner)
        for alias in filter(None, r["aliases"].split("|")):
            check_key(src, line, alias, seen, owner)
        if r["kind"] not in ("gpu", "tpu", "accelerator"):
            die(src, line, f"kind {r['kind']!r} must be gpu, tpu or accelerator")
        nums = {k: number(src, line, r[k], k, required=(k == "tdp_w"), positive=(k == "tdp_w"))
                for k in GPU_FIELDS[4:12]}
        lines.append(
            f"    {{ .name = {c_string(r['name'])}, .aliases = {c_string(r['aliases'])}, "
            f".vendor = {c_string(r['vendor'])}, .kind = {c_string(r['kind'])}, "
            + "".join(f".{k} = {v}, " for k, v in nums.items())
            + f".year = {year(src, line, r['year'])}, .source = {c_string(r['source'])}, "
            f".licence = {c_string(r['licence'])} }},\n")
    lines.append("};\n")
    lines.append("const size_t aim_gpu_spec_table_count = "
                 "sizeof aim_gpu_spec_table / sizeof aim_gpu_spec_table[0];\n\n")
    lines.append("const aim_cpu_core_spec aim_cpu_core_table[] = {\n")
    seen = {}
    for line, r in read_lenient(cpu_src, CPU_FIELDS, {"tdp_w", "cores"}):
        check_key(cpu_src, line, r["model"], seen, (line, r["model"]))
        cores = r["cores"].strip() or "0"
        if not re.fullmatch(r"\d{1,4}", cores):
            die(cpu_src, line, f"cores {r['cores']!r}")
        lines.append(
            f"    {{ .model = {c_string(r['model'])}, "
            f".tdp_w = {number(cpu_src, line, r['tdp_w'], 'tdp_w')}, .cores = {int(cores)}, "
            f".tdp_per_core_w = {number(cpu_src, line, r['tdp_per_core_w'], 'tdp_per_core_w', True, True)}, "
            f".source = {c_string(r['source'])}, .licence = {c_string(r['licence'])} }},\n")
    lines.append("};\n")
    lines.append("const size_t aim_cpu_core_table_count = "
                 "sizeof aim_cpu_core_table / sizeof aim_cpu_core_table[0];\n")
    write(out, lines)


def gen_embodied(src, out):
    lines = [HEADER.format(src="data/embodied.csv"), '#include "data/embodied.h"\n\n',
             "const aim_embodied_info aim_embodied_table[] = {\n"]
    seen, kinds, defaults = {}, set(), set()
    for line, r in read_lenient(src, EMBODIED_FIELDS, {"year"}):
        kind = r["kind"]
        if kind not in ("gpu", "cpu", "server", "dram"):
            die(src, line, f"kind {kind!r} must be gpu, cpu, server or dram")
        kinds.add(kind)
        if r["model"] == "any":
            if kind in defaults:
                die(src, line, f"a second 'any' row for {kind}")
            defaults.add(kind)
        else:
            check_key(src, line, r["model"], seen.setdefault(kind, {}), (line, r["model"]))
        if r["unit"] not in ("device", "GB"):
            die(src, line, f"unit {r['unit']!r} must be device or GB")
        if not r["url"].startswith("https://"):
            die(src, line, f"url {r['url']!r}: every figure needs its source's address")
        kg = number(src, line, r["kg_co2e"], "kg_co2e", True, True)
        life = number(src, line, r["lifetime_years"], "lifetime_years", True, True)
        lines.append(
            f"    {{ .kind = {c_string(kind)}, .model = {c_string(r['model'])}, "
            f".kg_co2e = {kg}, .unit = {c_string(r['unit'])}, .lifetime_years = {life}, "
            f".scope = {c_string(r['scope'])}, .source = {c_string(r['source'])}, "
            f".url = {c_string(r['url'])}, .year = {year(src, line, r['year'])}, "
            f".lifetime_source = {c_string(r['lifetime_source'])}, "
            f".licence = {c_string(r['licence'])} }},\n")
    for kind in sorted(kinds - defaults):
        die(src, 1, f"kind {kind} has no 'any' row (the fallback of its lookups)")
    lines.append("};\n")
    lines.append("const size_t aim_embodied_table_count = "
                 "sizeof aim_embodied_table / sizeof aim_embodied_table[0];\n")
    write(out, lines)


def main(argv):
    """Returns False when argv is not one of this file's commands."""
    if len(argv) == 5 and argv[1] == "gpu":
        gen_gpu(argv[2], argv[3], argv[4])
    elif len(argv) == 4 and argv[1] == "embodied":
        gen_embodied(argv[2], argv[3])
    else:
        return False
    return True
