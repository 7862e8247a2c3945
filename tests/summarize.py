"""Adds up meson test logs and pytest JUnit files into the one closing line CI reads."""
import glob
import json
import os
import sys
import xml.etree.ElementTree as ET

results = sys.argv[1]
passed = failed = skipped = 0
for path in sorted(glob.glob(os.path.join(results, "*.meson.json"))):
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)["result"]
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed += 1
for path in sorted(glob.glob(os.path.join(results, "*.junit.xml"))):
    root = ET.parse(path).getroot()
    for suite in root.iter("testsuite"):
        tests = int(suite.get("tests", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skip = int(suite.get("skipped", 0))
        failed += bad
        skipped += skip
        passed += tests - bad - skip
builds_failed = glob.glob(os.path.join(results, "*.failed"))
failed += len(builds_failed)
for b in builds_failed:
    print("BUILD FAILED:", os.path.basename(b)[: -len(".failed")])
line = f"aimeter tests: {passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print()
print(line)
sys.exit(1 if failed or passed == 0 else 0)
