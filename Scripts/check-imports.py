#!/usr/bin/env python3
"""Checks that every Swift target declares, in Package.swift, each module its sources import,
and imports each target it declares (a module reached only through another's dependencies
builds today and breaks when that other target changes).

    python3 Scripts/check-imports.py        # from the package root; exit 1 on a mismatch

Allowed: system modules; C targets (their sources #include the system libraries'
headers); a test target's dependency on an executable it runs (declared to build it first)."""
import glob
import json
import re
import subprocess
import sys

SYSTEM = {"Foundation", "FoundationNetworking", "Dispatch", "Glibc", "Musl", "Darwin", "XCTest", "Testing",
          "Synchronization", "_Concurrency"}
IMPORT = re.compile(r"^\s*(?:@\w+(?:\([\w, ]*\))?\s+)*import\s+(?:(?:struct|class|enum|func|var|protocol)\s+)?(\w+)", re.M)

package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True, capture_output=True, text=True).stdout)
executables = {t["name"] for t in package["targets"] if t["type"] == "executable"}
problems = []
for target in package["targets"]:
    if target["type"] in ("system-target", "plugin", "binary"):
        continue
    name = target["name"]
    path = target.get("path") or ("Tests/" if target["type"] == "test" else "Sources/") + name
    swift = glob.glob(path + "/**/*.swift", recursive=True)
    if not swift:
        continue  # a C target
    declared = set()
    for dependency in target["dependencies"]:
        for kind in ("byName", "product", "target"):
            if kind in dependency:
                declared.add(dependency[kind][0])
    imported = set()
    for file in swift:
        with open(file, encoding="utf-8") as f:
            imported.update(IMPORT.findall(f.read()))
    missing = sorted(imported - declared - SYSTEM - {name})
    unused = sorted(declared - imported - executables)
    if missing:
        problems.append(f"{name} imports {', '.join(missing)} without declaring it in Package.swift")
    if unused:
        problems.append(f"{name} declares {', '.join(unused)} but imports it nowhere")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
