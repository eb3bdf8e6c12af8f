#!/usr/bin/env python3
"""Builds tests/benches/data/bdb.json: one database object shaped like a real GET /v1/bdbs/{uid}
answer, for the decoding benchmarks. It starts from the reference's example (uid, name) and fills
every scalar field the spec documents for Bdb with its documented default (x-default) or a
plausible value of its type, enums with their first documented value, and a few typical nested
objects, until it is about 4 KB. Deterministic: same spec, same file."""
import json, os, yaml
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = yaml.safe_load(open(os.path.join(ROOT, "spec", "redis-enterprise.yaml")))
schemas = spec["components"]["schemas"]
bdb = {"uid": 1, "name": "name of database #1"}
def value(prop):
    if "$ref" in prop:
        target = schemas[prop["$ref"].split("/")[-1]]
        if "enum" in target:
            return target["enum"][0]
        return None
    if "x-default" in prop:
        return prop["x-default"]
    t = prop.get("type")
    return {"integer": 1024, "number": 0.5, "boolean": False, "string": "value"}.get(t)
for name, prop in sorted(schemas["Bdb"]["properties"].items()):
    if name in bdb:
        continue
    v = value(prop)
    if v is not None:
        bdb[name] = v
    if len(json.dumps(bdb)) > 3600:
        break
bdb["endpoints"] = [{"uid": "1:1", "dns_name": "redis-12000.cluster.local", "port": 12000, "addr": ["10.0.0.1"], "addr_type": "internal", "proxy_policy": "single"}]
bdb["shard_list"] = [1, 2]
bdb["module_list"] = [{"module_name": "search", "module_args": "", "semantic_version": "8.2.0"}]
bdb["tags"] = [{"key": "team", "value": "payments"}]
os.makedirs(os.path.join(ROOT, "tests", "benches", "data"), exist_ok=True)
with open(os.path.join(ROOT, "tests", "benches", "data", "bdb.json"), "w") as fh:
    json.dump(bdb, fh, indent=1, sort_keys=True)
    fh.write("\n")
print(len(json.dumps(bdb)), "bytes,", len(bdb), "fields")
