#!/usr/bin/python3
"""Transcribes the accelerator and per-core CPU tables of `aimeter estimate`.

Run by hand when the reference data changes; the build only reads data/.

  /usr/bin/python3 tools/make_gpu_specs.py [REFERENCE_DATA_DIR] [DATA_DIR]

Writes
  data/gpu_specs.csv  one row per accelerator model in MODELS below: TDP, memory, peak
                      FP32 / FP16 / TF32 / dense FP16-BF16 tensor / FP8 TFLOPS, memory
                      bandwidth, release year. Every figure is read from a reference file:
                        - Epoch AI "Machine Learning Hardware" (epoch_ml_hardware.csv,
                          CC BY 4.0), the default source of every field;
                        - Green Algorithms TDP_gpu.csv (CC BY 4.0), for models Epoch lacks
                          and for the TDP of the A100 PCIe variants, whose Epoch row mixes
                          the 40 GB and 80 GB boards;
                        - gpu_datasheet_supplement.csv (vendor datasheets, transcribed), for
                          the L40S and MI250.
                      The source column names the file and row behind each field.
  data/cpu_cores.csv  Green Algorithms TDP_cpu.csv (CC BY 4.0): CPU model, package TDP,
                      cores and TDP per core, the inputs of Green Algorithms' CPU term.

Nothing is invented: a figure the sources do not give stays empty (unknown), and a model
without any TDP is left out because an estimate needs one. The aliases are the names users
and nvidia-smi print ("H100", "A100-SXM4-80GB", "Tesla T4"); the build checks that no alias
means two models (rule in src/lib/data/gpu_specs.h).
"""
import csv
import os
import sys

REF = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference-data"
DATA = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "data")
HW = os.path.join(REF, "hardware")

EPOCH = "Epoch AI, Data on Machine Learning Hardware (epoch.ai/data/machine-learning-hardware)"
GA_GPU = "Green Algorithms TDP_gpu.csv"
GA_CPU = "Green Algorithms TDP_cpu.csv"
SUPP = "vendor datasheet (gpu_datasheet_supplement.csv)"

# Output columns. The FLOPS columns are dense (no sparsity) peak figures in TFLOPS.
FIELDS = ["name", "aliases", "vendor", "kind", "tdp_w", "memory_gb", "fp32_tflops",
          "fp16_tflops", "tf32_tflops", "tensor_tflops", "fp8_tflops", "mem_bw_gbs", "year",
          "source", "licence"]
NUMERIC = ["tdp_w", "memory_gb", "fp32_tflops", "fp16_tflops", "tf32_tflops",
           "tensor_tflops", "fp8_tflops", "mem_bw_gbs", "year"]

EPOCH_COLS = {
    "tdp_w": ("TDP (W)", 1),
    "memory_gb": ("Memory (bytes)", 1e9),
    "fp32_tflops": ("FP32 (single precision) performance (FLOP/s)", 1e12),
    "fp16_tflops": ("FP16 (half precision) performance (FLOP/s)", 1e12),
    "tf32_tflops": ("TF32 (TensorFloat-32) performance (FLOP/s)", 1e12),
    "tensor_tflops": ("Tensor-FP16/BF16 performance (FLOP/s)", 1e12),
    "fp8_tflops": ("FP8 performance (FLOP/s)", 1e12),
    "mem_bw_gbs": ("Memory bandwidth (byte/s)", 1e9),
}
SUPP_COLS = {"tdp_w": "tdp_w", "memory_gb": "memory_gb", "fp32_tflops": "fp32_tflops",
             "fp16_tflops": "fp16_nontensor_tflops", "tf32_tflops": "tf32_tensor_tflops",
             "tensor_tflops": "fp16_bf16_tensor_tflops", "fp8_tflops": "fp8_tensor_tflops"}


def M(name, vendor, kind, aliases, epoch=None, ga=None, supp=None, ga_tdp=None,
      drop=(), memory_from_name=None):
    """One output row: its canonical name, the names users type, and where each field
    comes from (epoch=Epoch row name, ga=Green Algorithms row, supp=supplement row;
    ga_tdp takes only the TDP from Green Algorithms; drop leaves Epoch fields out;
    memory_from_name is the capacity the model name itself states)."""
    return dict(name=name, vendor=vendor, kind=kind, aliases=aliases, epoch=epoch, ga=ga,
                supp=supp, ga_tdp=ga_tdp, drop=set(drop), memory_from_name=memory_from_name)


N, A, G, I, W, H = "NVIDIA", "AMD", "Google", "Intel", "Amazon", "Huawei"
MODELS = [
    # NVIDIA data-centre accelerators, newest first. A bare family name ("H100", "A100",
    # "V100") is an alias of the SXM board: the form 8-GPU servers and cloud instances use.
    M("NVIDIA B300", N, "gpu", ["B300", "B300 SXM"], epoch="NVIDIA B300 (Blackwell Ultra)"),
    M("NVIDIA GB200", N, "gpu", ["GB200"], epoch="NVIDIA GB200"),
    M("NVIDIA B200", N, "gpu", ["B200", "B200 SXM"], epoch="NVIDIA B200"),
    M("NVIDIA B100", N, "gpu", ["B100"], epoch="NVIDIA B100"),
    M("NVIDIA H200 SXM", N, "gpu", ["H200", "H200 SXM", "H200 SXM5"], epoch="NVIDIA H200 SXM"),
    M("NVIDIA GH200", N, "gpu", ["GH200", "GH200 Grace Hopper"], epoch="NVIDIA GH200"),
    M("NVIDIA H100 SXM5 80GB", N, "gpu",
      ["H100", "H100 SXM", "H100 SXM5", "H100 SXM 80GB", "H100 80GB HBM3", "H100-SXM5-80GB"],
      epoch="NVIDIA H100 SXM5 80GB"),
    M("NVIDIA H100 PCIe", N, "gpu", ["H100 PCIe", "H100 PCIe 80GB"], epoch="NVIDIA H100 PCIe"),
    M("NVIDIA H100 NVL", N, "gpu", ["H100 NVL", "H100 NVL 94GB"], epoch="NVIDIA H100 NVL"),
    M("NVIDIA H800 SXM5", N, "gpu", ["H800", "H800 SXM", "H800 SXM5"], epoch="NVIDIA H800 SXM5"),
    M("NVIDIA H20", N, "gpu", ["H20", "HGX H20"], epoch="NVIDIA HGX H20"),
    M("NVIDIA L40S", N, "gpu", ["L40S"], supp="NVIDIA L40S"),
    M("NVIDIA L40", N, "gpu", ["L40"], epoch="NVIDIA L40"),
    M("NVIDIA L20", N, "gpu", ["L20", "L20 PCIe"], epoch="NVIDIA L20 PCle"),
    M("NVIDIA L4", N, "gpu", ["L4"], epoch="NVIDIA L4"),
    M("NVIDIA A100 SXM4 80GB", N, "gpu",
      ["A100 80GB", "A100 SXM 80GB", "A100 SXM4 80GB", "A100-SXM4-80GB", "A100 80GB SXM"],
      epoch="NVIDIA A100 SXM4 80 GB"),
    M("NVIDIA A100 SXM4 40GB", N, "gpu",
      ["A100", "A100 SXM", "A100 SXM4", "A100 40GB", "A100 SXM 40GB", "A100 SXM4 40GB",
       "A100-SXM4-40GB", "A100 40GB SXM"],
      epoch="NVIDIA A100 SXM4 40 GB"),
    # Epoch's single "A100 PCIe" row has the 80 GB board's TDP and bandwidth with the 40 GB
    # board's memory; Green Algorithms gives each board's TDP with NVIDIA's datasheets.
    M("NVIDIA A100 PCIe 80GB", N, "gpu",
      ["A100 PCIe 80GB", "A100 80GB PCIe", "A100-PCIE-80GB"],
      epoch="NVIDIA A100 PCIe", ga_tdp="NVIDIA A100 80GB PCIe", drop=["memory_gb"],
      memory_from_name=80),
    M("NVIDIA A100 PCIe 40GB", N, "gpu",
      ["A100 PCIe 40GB", "A100 40GB PCIe", "A100-PCIE-40GB"],
      epoch="NVIDIA A100 PCIe", ga_tdp="NVIDIA A100 40GB PCIe",
      drop=["memory_gb", "mem_bw_gbs"], memory_from_name=40),
    M("NVIDIA A800 SXM", N, "gpu", ["A800", "A800 SXM"], epoch="NVIDIA A800 SXM"),
    M("NVIDIA A800 PCIe 80GB", N, "gpu", ["A800 PCIe 80GB"], epoch="NVIDIA A800 PCIe 80 GB",
      memory_from_name=80),
    M("NVIDIA A800 PCIe 40GB", N, "gpu", ["A800 PCIe 40GB"], epoch="NVIDIA A800 PCIe 40 GB",
      memory_from_name=40),
    M("NVIDIA A40", N, "gpu", ["A40", "A40 PCIe"], epoch="NVIDIA A40 PCIe"),
    M("NVIDIA A10G", N, "gpu", ["A10G"], epoch="NVIDIA A10G"),
    M("NVIDIA A10", N, "gpu", ["A10", "A10 PCIe"], epoch="NVIDIA A10 PCIe"),
    M("NVIDIA T4", N, "gpu", ["T4", "Tesla T4"], epoch="NVIDIA Tesla T4"),
    M("NVIDIA V100S PCIe 32GB", N, "gpu", ["V100S", "V100S PCIe", "V100S-PCIE-32GB"],
      epoch="NVIDIA Tesla V100S PCIe 32 GB"),
    M("NVIDIA V100 SXM2 32GB", N, "gpu",
      ["V100 32GB", "V100 SXM2 32GB", "V100-SXM2-32GB", "Tesla V100 32GB"],
      epoch="NVIDIA Tesla V100 SXM2 32 GB"),
    M("NVIDIA V100 SXM2 16GB", N, "gpu",
      ["V100", "V100 SXM2", "V100 16GB", "V100 SXM2 16GB", "V100-SXM2-16GB", "Tesla V100"],
      epoch="NVIDIA Tesla V100 SXM2"),
    M("NVIDIA V100 PCIe 32GB", N, "gpu", ["V100 PCIe 32GB", "V100-PCIE-32GB"],
      epoch="NVIDIA Tesla V100 PCIe 32 GB"),
    M("NVIDIA V100 PCIe 16GB", N, "gpu", ["V100 PCIe 16GB", "V100-PCIE-16GB"],
      epoch="NVIDIA Tesla V100 PCIe 16 GB"),
    M("NVIDIA P100 SXM2", N, "gpu", ["P100 SXM2", "P100-SXM2-16GB"],
      epoch="NVIDIA Tesla P100 SXM2"),
    M("NVIDIA P100 PCIe 16GB", N, "gpu",
      ["P100", "P100 PCIe", "P100 PCIe 16GB", "P100-PCIE-16GB", "Tesla P100"],
      epoch="NVIDIA P100 PCIe 16GB"),
    M("NVIDIA P40", N, "gpu", ["P40", "Tesla P40"], epoch="NVIDIA P40"),
    M("NVIDIA P4", N, "gpu", ["P4", "Tesla P4"], epoch="NVIDIA Tesla P4"),
    M("NVIDIA M60", N, "gpu", ["M60", "Tesla M60"], epoch="NVIDIA TESLA M60"),
    M("NVIDIA M40", N, "gpu", ["M40", "Tesla M40"], epoch="NVIDIA M40"),
    M("NVIDIA K80", N, "gpu", ["K80", "Tesla K80"], epoch="NVIDIA Tesla K80"),
    M("NVIDIA Jetson AGX Xavier", N, "gpu", ["Jetson AGX Xavier", "AGX Xavier"],
      ga="NVIDIA Jetson AGX Xavier"),
    # Workstation and consumer boards.
    M("NVIDIA RTX A6000", N, "gpu", ["RTX A6000", "A6000"], epoch="NVIDIA RTX A6000"),
    M("NVIDIA RTX A5000", N, "gpu", ["RTX A5000", "A5000"], epoch="NVIDIA RTX A5000"),
    M("NVIDIA RTX A4000", N, "gpu", ["RTX A4000", "A4000"], epoch="NVIDIA RTX A4000"),
    M("NVIDIA Quadro RTX 8000", N, "gpu", ["Quadro RTX 8000", "RTX 8000"],
      epoch="NVIDIA Quadro RTX 8000"),
    M("NVIDIA Quadro RTX 6000", N, "gpu", ["Quadro RTX 6000"], epoch="NVIDIA Quadro RTX 6000"),
    M("NVIDIA GeForce RTX 4090", N, "gpu", ["RTX 4090", "4090"], epoch="NVIDIA GeForce RTX 4090"),
    M("NVIDIA GeForce RTX 4080", N, "gpu", ["RTX 4080", "4080"], epoch="NVIDIA GeForce RTX 4080"),
    M("NVIDIA GeForce RTX 4070", N, "gpu", ["RTX 4070", "4070"], epoch="NVIDIA GeForce RTX 4070"),
    M("NVIDIA GeForce RTX 3090 Ti", N, "gpu", ["RTX 3090 Ti", "3090 Ti"],
      epoch="NVIDIA GeForce RTX 3090 Ti"),
    M("NVIDIA GeForce RTX 3090", N, "gpu", ["RTX 3090", "3090"], epoch="NVIDIA GeForce RTX 3090"),
    M("NVIDIA GeForce RTX 3080", N, "gpu", ["RTX 3080", "3080"], epoch="NVIDIA GeForce RTX 3080"),
    M("NVIDIA GeForce RTX 2080 Ti", N, "gpu", ["RTX 2080 Ti", "2080 Ti"],
      epoch="NVIDIA GeForce RTX 2080 Ti 11GB"),
    M("NVIDIA GeForce RTX 2080", N, "gpu", ["RTX 2080", "2080"], ga="NVIDIA RTX 2080"),
    M("NVIDIA GeForce GTX 1080 Ti", N, "gpu", ["GTX 1080 Ti", "1080 Ti"],
      epoch="NVIDIA GeForce GTX 1080 Ti"),
    M("NVIDIA GeForce GTX 1080", N, "gpu", ["GTX 1080", "1080"], epoch="NVIDIA GeForce GTX 1080"),
    M("NVIDIA Titan V", N, "gpu", ["Titan V"], epoch="NVIDIA Titan V"),
    M("NVIDIA Titan Xp", N, "gpu", ["Titan Xp"], epoch="NVIDIA TITAN Xp"),
    M("NVIDIA GeForce GTX Titan X", N, "gpu", ["GTX Titan X", "Titan X"],
      epoch="NVIDIA GeForce GTX TITAN X"),
    # AMD.
    M("AMD Instinct MI355X", A, "gpu", ["MI355X"], epoch="AMD Instinct MI355X"),
    M("AMD Instinct MI350X", A, "gpu", ["MI350X"], epoch="AMD Instinct MI350X"),
    M("AMD Instinct MI325X", A, "gpu", ["MI325X"], epoch="AMD Instinct MI325X"),
    M("AMD Instinct MI300X", A, "gpu", ["MI300X"], epoch="AMD Instinct MI300X"),
    M("AMD Instinct MI300A", A, "gpu", ["MI300A"], epoch="AMD Instinct MI300A"),
    M("AMD Instinct MI250X", A, "gpu", ["MI250X"], epoch="AMD Radeon Instinct MI250X"),
    M("AMD Instinct MI250", A, "gpu", ["MI250"], supp="AMD Instinct MI250 (OAM)"),
    M("AMD Radeon RX 7900 XTX", A, "gpu", ["RX 7900 XTX", "7900 XTX"],
      epoch="AMD Radeon RX 7900 XTX"),
    # Google TPUs (per chip). Epoch derives the TDPs of v4 and later from Google's stated
    # efficiency ratios; see docs/methodology.md for Green Algorithms' lower TPU figures.
    M("Google TPU v7 Ironwood", G, "tpu", ["TPU v7", "TPU v7x", "Ironwood"],
      epoch="Google TPU v7 Ironwood"),
    M("Google TPU v6e Trillium", G, "tpu", ["TPU v6e", "Trillium"], epoch="Google TPU v6e Trillium"),
    M("Google TPU v5p", G, "tpu", ["TPU v5p"], epoch="Google TPU v5p"),
    M("Google TPU v4", G, "tpu", ["TPU v4"], epoch="Google TPU v4"),
    M("Google TPU v4i", G, "tpu", ["TPU v4i"], epoch="Google TPU v4i"),
    M("Google TPU v3", G, "tpu", ["TPU v3"], epoch="Google TPU v3"),
    M("Google TPU v2", G, "tpu", ["TPU v2"], epoch="Google TPU v2"),
    # Other accelerators.
    M("Intel Gaudi 3", I, "accelerator", ["Gaudi 3", "Gaudi3", "HL-325L"],
      epoch="Intel Habana Gaudi3"),
    M("Intel Gaudi 2", I, "accelerator", ["Gaudi 2", "Gaudi2", "HL-225"],
      epoch="Intel Habana Gaudi2"),
    M("Intel Data Center GPU Max 1550", I, "gpu", ["Max 1550", "GPU Max 1550"],
      epoch="Intel Data Center GPU Max 1550"),
    M("Intel Data Center GPU Max 1100", I, "gpu", ["Max 1100", "GPU Max 1100"],
      epoch="Intel Data Center GPU Max 1100"),
    M("AWS Trainium3", W, "accelerator", ["Trainium3", "Trn3"], epoch="Amazon Trainium3"),
    M("AWS Trainium2", W, "accelerator", ["Trainium2", "Trn2"], epoch="Amazon Trainium2"),
    M("Huawei Ascend 910C", H, "accelerator", ["Ascend 910C", "910C"], epoch="Huawei Ascend 910C"),
    M("Huawei Ascend 910B", H, "accelerator", ["Ascend 910B", "910B"], epoch="Huawei Ascend 910B"),
]


def read_two_header_csv(path):
    """Green Algorithms files carry a units row above the real header."""
    with open(path, encoding="utf-8", newline="") as f:
        lines = list(csv.reader(f))
    header = [h.strip() for h in lines[1]]
    return [dict(zip(header, (v.strip() for v in row))) for row in lines[2:] if row]


def num(text):
    """A reference cell as a float, None when empty."""
    text = (text or "").strip()
    return float(text) if text else None


def fmt(v):
    """Shortest text for a transcribed figure; rounding to 6 significant digits only drops
    the float noise of a unit conversion (66910000000000 / 1e12)."""
    return "" if v is None else f"{float(f'{v:.6g}'):g}"


def load():
    with open(os.path.join(HW, "epoch_ml_hardware.csv"), encoding="utf-8", newline="") as f:
        epoch = {r["Hardware name"]: r for r in csv.DictReader(f)}
    ga = {r["model"]: r for r in read_two_header_csv(os.path.join(HW, "green_algorithms_TDP_gpu.csv"))}
    with open(os.path.join(HW, "gpu_datasheet_supplement.csv"), encoding="utf-8", newline="") as f:
        supp = {r["name"]: r for r in csv.DictReader(f)}
    return epoch, ga, supp


def build_row(m, epoch, ga, supp):
    vals = {k: None for k in NUMERIC}
    parts = []
    licences = set()
    if m["epoch"]:
        e = epoch[m["epoch"]]  # KeyError: the reference changed, fix MODELS
        took = []
        for k, (col, scale) in EPOCH_COLS.items():
            v = num(e[col])
            if v is not None and k not in m["drop"] and v > 0:
                vals[k] = v / scale
                took.append(k)
        if e["Release date"][:4].isdigit():
            vals["year"] = int(e["Release date"][:4])
            took.append("year")
        parts.append(f"{EPOCH}: {m['epoch']}")
        licences.add("CC BY 4.0")
    if m["ga"]:
        r = ga[m["ga"]]
        vals["tdp_w"] = num(r["TDP"])
        parts.append(f"{GA_GPU}: {m['ga']} (TDP)")
        licences.add("CC BY 4.0")
    if m["ga_tdp"]:
        vals["tdp_w"] = num(ga[m["ga_tdp"]]["TDP"])
        parts.append(f"{GA_GPU}: {m['ga_tdp']} (TDP, from NVIDIA's datasheet)")
        licences.add("CC BY 4.0")
    if m["supp"]:
        r = supp[m["supp"]]
        for k, col in SUPP_COLS.items():
            v = num(r[col])
            if v is not None:
                vals[k] = v
        parts.append(f"{SUPP}: {m['supp']}, {r['source']}")
        licences.add("facts (vendor datasheet)")
    if m["memory_from_name"] is not None:
        vals["memory_gb"] = m["memory_from_name"]
        parts.append("memory: from the model name")
    if not vals["tdp_w"]:
        sys.exit(f"make_gpu_specs: {m['name']}: no TDP in the sources")
    row = {"name": m["name"], "aliases": "|".join(m["aliases"]), "vendor": m["vendor"],
           "kind": m["kind"], "source": "; ".join(parts),
           "licence": " + ".join(sorted(licences))}
    for k in NUMERIC:
        v = vals[k]
        row[k] = "" if v is None else (str(v) if k == "year" else fmt(v))
    return row


def cpu_rows():
    rows = []
    for r in read_two_header_csv(os.path.join(HW, "green_algorithms_TDP_cpu.csv")):
        model = " ".join(r["model"].split())
        if not model:
            continue
        tdp, cores, per_core = num(r["TDP"]), num(r["n_cores"]), num(r["TDP_per_core"])
        if per_core is None:
            sys.exit(f"make_gpu_specs: CPU {model}: no TDP per core")
        rows.append({"model": model, "tdp_w": fmt(tdp), "cores": "" if cores is None else str(int(cores)),
                     "tdp_per_core_w": fmt(per_core), "source": GA_CPU, "licence": "CC BY 4.0"})
    return rows


def write(path, fields, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"make_gpu_specs: {len(rows)} rows -> {path}")


def main():
    epoch, ga, supp = load()
    write(os.path.join(DATA, "gpu_specs.csv"), FIELDS,
          [build_row(m, epoch, ga, supp) for m in MODELS])
    write(os.path.join(DATA, "cpu_cores.csv"),
          ["model", "tdp_w", "cores", "tdp_per_core_w", "source", "licence"], cpu_rows())


if __name__ == "__main__":
    main()
