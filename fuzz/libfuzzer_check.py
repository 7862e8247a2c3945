"""One libFuzzer target over its seed corpus, once (-runs=0: every input executed, no
mutation), in a fuzz build: fails on a crash, a sanitizer report or a leak, and when the
target sees too few coverage counters, which means the library it calls was built without
instrumentation (issue 11: 9 counters instead of ~20,000; the fuzzer was blind).

usage: libfuzzer_check.py FUZZER CORPUS_DIR MIN_COUNTERS"""
import re
import subprocess
import sys

fuzzer, corpus, least = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = subprocess.run([fuzzer, "-runs=0", corpus], capture_output=True, text=True,
                   errors="replace")
m = re.search(r"INFO: Loaded \d+ modules?\s+\((\d+) inline 8-bit counters\)", r.stderr)
counters = int(m.group(1)) if m else 0
if r.returncode != 0:
    sys.stderr.write(r.stderr[-4000:])
    sys.exit(f"{fuzzer} failed over its corpus (exit {r.returncode})")
if counters < least:
    sys.exit(f"{fuzzer}: {counters} coverage counters, expected at least {least}: "
             "is the library instrumented (-fsanitize=fuzzer-no-link)?")
print(f"{fuzzer}: {counters} counters, corpus {corpus} replayed")
