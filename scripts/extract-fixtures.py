#!/usr/bin/env python3
"""Extracts every JSON example of the Redis Software 8.2 REST API reference into test fixtures.

usage: scripts/extract-fixtures.py REFERENCE_DIR   (e.g. ../shared/reference)

For each operation of the reference inventory, the JSON code blocks under its Request and
Response headings are read and become tests/fixtures/{requests,responses}/8.2/<operation_id>[-N].json,
where operation_id comes from spec/redis-enterprise.yaml (same method, same path once parameter
names are ignored). tests/fixtures/index.json records the page and anchor of every fixture.

Many examples are not valid JSON as printed: they carry `//` comments, `...` or
`"// additional fields..."` placeholder members, trailing commas, duplicate members. Those are
repaired here, and only as far as the repair needs (never by inventing content):
- mechanically (`repair`): comments removed, placeholder and ellipsis members removed, trailing
  commas removed, duplicate members reduced to the last one (what JSON parsers keep);
- by the explicit per-example table `FIXES` where no mechanical rule applies.
Each fixture lists in index.json what was repaired (`"repaired": [...]`). An example that cannot
be used is listed under `skipped` with its `reason` (from `SKIPS`, or the parse error when no
rule or table entry repairs it: the fixture test rejects an example skipped for that).
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

# Labels of the repairs, as recorded in index.json.
COMMENT = "comment removed"
ELLIPSIS = "ellipsis member removed"
PLACEHOLDER = "placeholder member removed"
TRAILING_COMMA = "trailing comma removed"
DUPLICATE = "duplicate member removed (the last one kept)"

# Per-example repairs no mechanical rule covers: (doc, part, n-th JSON block of that part, from 1)
# -> [(text as printed, replacement, label)]. Each must apply, or the script fails.
# Empty for the 8.2 reference: every invalid example is repaired by the rules of `repair` or
# listed in SKIPS.
FIXES = {}

# Examples that cannot be used, with the reason: (doc, part, n) -> reason.
SKIPS = {
    ("requests/users/authorize.md#post-authorize", "requests", 1):
        "the only member's value is a placeholder (`<time_in_seconds>`), not JSON; removing it leaves an empty body that pins nothing",
    ("requests/usage_report/_index.md#get-usage-report", "responses", 1):
        "an NDJSON stream (two records, `...`, an MD5 line), not one JSON document; the operation's body is application/x-ndjson, which has no JSON codec",
}


def strip_comments(text):
    """Removes `//` comments outside strings."""
    out, i, in_string = [], 0, False
    while i < len(text):
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def strip_trailing_commas(text):
    """Removes a comma followed (after blanks) by `}` or `]`, outside strings."""
    out, i, in_string = [], 0, False
    while i < len(text):
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif c == "," and re.match(r"\s*[}\]]", text[i + 1:]):
            pass
        else:
            out.append(c)
        i += 1
    return "".join(out)


def repair(raw):
    """The example as JSON text, with the list of repairs it needed."""
    done = []
    text = strip_comments(raw)
    if text != raw:
        done.append(COMMENT)
    # A line holding only a placeholder: `"..."`, `...`, or a string that is a comment.
    kept = []
    for line in text.split("\n"):
        if re.fullmatch(r'\s*("\.\.\.+"|\.\.\.+)\s*,?\s*', line):
            done.append(ELLIPSIS)
        elif re.fullmatch(r'\s*"//[^"]*"\s*,?\s*', line):
            done.append(PLACEHOLDER)
        else:
            kept.append(line)
    text = "\n".join(kept)
    # `{ "..." }` inline: the object's members are elided.
    text, n = re.subn(r'\{\s*"\.\.\.+"\s*\}', "{}", text)
    done += [ELLIPSIS] * n
    fixed = strip_trailing_commas(text)
    if fixed != text:
        done.append(TRAILING_COMMA)
    return fixed, sorted(set(done))


def load_checking_duplicates(text):
    """Parses JSON; the second value tells whether an object had a member twice."""
    duplicates = []

    def pairs(items):
        keys = [k for k, _ in items]
        if len(set(keys)) != len(keys):
            duplicates.append(True)
        return dict(items)

    return json.loads(text, object_pairs_hook=pairs), bool(duplicates)


index = {"fixtures": [], "skipped": []}
used_fixes, used_skips = set(), set()
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
        index["skipped"].append({"doc": op["doc"], "error": "section or operation not found"})
        continue
    part = None
    block = None
    counts = {"requests": 0, "responses": 0}
    blocks = {"requests": 0, "responses": 0}
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
                    blocks[part] += 1
                    key = (op["doc"], part, blocks[part])
                    raw = "\n".join(block)
                    if key in SKIPS:
                        used_skips.add(key)
                        index["skipped"].append({"doc": op["doc"], "part": part, "block": blocks[part], "reason": SKIPS[key]})
                        block = None
                        continue
                    repaired = []
                    for before, after, label in FIXES.get(key, []):
                        if before not in raw:
                            sys.exit(f"{key}: the fix {label!r} no longer applies (the reference changed?)")
                        raw = raw.replace(before, after)
                        repaired.append(label)
                    if key in FIXES:
                        used_fixes.add(key)
                    try:
                        value, duplicates = load_checking_duplicates(raw)
                    except ValueError:
                        text, mechanical = repair(raw)
                        repaired += mechanical
                        try:
                            value, duplicates = load_checking_duplicates(text)
                        except ValueError as e:
                            index["skipped"].append({"doc": op["doc"], "part": part, "block": blocks[part], "error": "not valid JSON after repair: " + str(e)})
                            block = None
                            continue
                    if duplicates:
                        repaired.append(DUPLICATE)
                    counts[part] += 1
                    n = counts[part]
                    name = f"{oid}.json" if n == 1 else f"{oid}-{n}.json"
                    with open(os.path.join(ROOT, "tests", "fixtures", part, "8.2", name), "w") as fh:
                        json.dump(value, fh, indent=2, ensure_ascii=False)
                        fh.write("\n")
                    entry = {"file": f"{part}/8.2/{name}", "operation": oid, "doc": op["doc"]}
                    if repaired:
                        entry["repaired"] = sorted(set(repaired))
                    index["fixtures"].append(entry)
                block = None
            continue
        if isinstance(block, list):
            block.append(l)

for key in sorted(set(FIXES) - used_fixes) + sorted(set(SKIPS) - used_skips):
    sys.exit(f"{key}: table entry matches no example (the reference changed?)")
index["fixtures"].sort(key=lambda f: f["file"])
with open(os.path.join(ROOT, "tests", "fixtures", "index.json"), "w") as fh:
    json.dump(index, fh, indent=2)
    fh.write("\n")
repaired = sum(1 for f in index["fixtures"] if "repaired" in f)
print(f"{len(index['fixtures'])} fixtures ({repaired} repaired), {len(index['skipped'])} skipped")
