#!/usr/bin/env python3
"""Extracts every valid JSON example of the Redis Software 8.2 REST API reference into test fixtures.

usage: scripts/extract-fixtures.py REFERENCE_DIR   (e.g. ../shared/reference)

For each operation of the reference inventory, the JSON code blocks under its Request and
Response headings are read; each one that parses as JSON becomes
tests/fixtures/{requests,responses}/8.2/<operation_id>[-N].json, where operation_id comes from
spec/redis-enterprise.yaml (same method, same path once parameter names are ignored).
tests/fixtures/index.json records the page and anchor of every fixture, and the examples that are
not valid JSON (skipped). The fixtures are the reference's data, unchanged: never invent one.
"""
import json, os, re, sys
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ref = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "reference")
inventory = json.load(open(os.path.join(ref, "inventory", "operations.json")))["operations"]
spec = yaml.safe_load(open(os.path.join(ROOT, "spec", "redis-enterprise.yaml")))

def norm(path):
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/"))

ops = {}
for path, item in spec["paths"].items():
    for method, op in item.items():
        if isinstance(op, dict) and "operationId" in op:
            ops[(method.upper(), norm(path))] = op["operationId"]

def section(text, anchor):
    """The markdown of the section whose heading carries {#anchor}, up to the next heading of the same or higher level."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(#+)\s.*\{#" + re.escape(anchor) + r"\}\s*$", line)
        if not m:
            # Headings without an explicit anchor get Hugo's slug of their text.
            h = re.match(r"^(#+)\s+([^{]*?)\s*$", line)
            if h and re.sub(r"[^a-z0-9]+", "-", h.group(2).lower()).strip("-") == anchor:
                m = h
        if m:
            level = len(m.group(1))
            out = []
            for l in lines[i + 1:]:
                h = re.match(r"^(#+)\s", l)
                if h and len(h.group(1)) <= level:
                    break
                out.append(l)
            return out
    return None

index = {"fixtures": [], "skipped": []}
for kind in ("requests", "responses"):
    d = os.path.join(ROOT, "tests", "fixtures", kind, "8.2")
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))

for op in inventory:
    if op.get("source") != "markdown" or op.get("removed_in"):
        continue
    oid = ops.get((op["method"], norm(op["path"])))
    page, _, anchor = op["doc"].partition("#")
    text = open(os.path.join(ref, "rest-api", "8.2", page)).read()
    lines = section(text, anchor)
    if lines is None or oid is None:
        index["skipped"].append({"doc": op["doc"], "why": "section or operation not found"})
        continue
    part = None
    block = None
    counts = {"requests": 0, "responses": 0}
    for l in lines:
        h = re.match(r"^#+\s+(.*)$", l)
        if h and block is None:
            title = h.group(1).lower()
            if "request" in title and "example requests" not in title:
                part = "requests"
            elif "response" in title:
                part = "responses"
            elif "example requests" in title or "status code" in title or "error code" in title:
                part = None
            continue
        if l.strip().startswith("```"):
            if block is None:
                block = [] if l.strip() == "```json" else None
                if l.strip() != "```json":
                    block = "skip"
            else:
                if block != "skip" and part:
                    raw = "\n".join(block)
                    try:
                        value = json.loads(raw)
                    except ValueError as e:
                        index["skipped"].append({"doc": op["doc"], "part": part, "why": "not valid JSON: " + str(e)})
                    else:
                        counts[part] += 1
                        n = counts[part]
                        name = f"{oid}.json" if n == 1 else f"{oid}-{n}.json"
                        with open(os.path.join(ROOT, "tests", "fixtures", part, "8.2", name), "w") as fh:
                            json.dump(value, fh, indent=2, ensure_ascii=False)
                            fh.write("\n")
                        index["fixtures"].append({"file": f"{part}/8.2/{name}", "operation": oid, "doc": op["doc"]})
                block = None
            continue
        if isinstance(block, list):
            block.append(l)

index["fixtures"].sort(key=lambda f: f["file"])
with open(os.path.join(ROOT, "tests", "fixtures", "index.json"), "w") as fh:
    json.dump(index, fh, indent=2)
    fh.write("\n")
print(f"{len(index['fixtures'])} fixtures, {len(index['skipped'])} skipped")
