#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks docs/openapi.yaml, and answers of levee serve against it.

    openapi_check.py SPEC                         the document itself
    openapi_check.py SPEC METHOD PATH STATUS FILE an answer's body

The document: OpenAPI 3.1, every operation with responses, every $ref
resolving, every schema a valid JSON Schema (2020-12, as OpenAPI 3.1 uses).
An answer: the status is one the operation lists, and a JSON body validates
against that response's application/json schema. Exit 0, or 1 saying why.
Needs python3-yaml and python3-jsonschema (scripts/deps.sh).
"""
import json
import sys
import warnings

import jsonschema
import yaml

# RefResolver is deprecated in newer jsonschema; Debian 12's has nothing else.
warnings.filterwarnings("ignore", category=DeprecationWarning)

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def fail(why):
    print(f"openapi_check: {why}", file=sys.stderr)
    sys.exit(1)


def resolve(doc, node):
    """node with a local $ref followed (one level is enough here)."""
    if isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            fail(f"non-local $ref {ref}")
        cur = doc
        for part in ref[2:].split("/"):
            if not isinstance(cur, dict) or part not in cur:
                fail(f"$ref {ref} does not resolve")
            cur = cur[part]
        return cur
    return node


def all_refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                out.append(v)
            else:
                all_refs(v, out)
    elif isinstance(node, list):
        for v in node:
            all_refs(v, out)


def check_document(doc):
    if not str(doc.get("openapi", "")).startswith("3.1"):
        fail("not an OpenAPI 3.1 document")
    for key in ("info", "paths"):
        if key not in doc:
            fail(f"no {key}")
    refs = []
    all_refs(doc, refs)
    for ref in refs:
        resolve(doc, {"$ref": ref})
    for path, item in doc["paths"].items():
        if not path.startswith("/"):
            fail(f"path {path} does not start with /")
        ops = [m for m in item if m in METHODS]
        if not ops:
            fail(f"{path}: no operation")
        for m in ops:
            responses = item[m].get("responses")
            if not responses:
                fail(f"{m.upper()} {path}: no responses")
            for status in responses:
                if not (status == "default" or (len(status) == 3 and status.isdigit())):
                    fail(f"{m.upper()} {path}: bad status {status}")
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            fail(f"schema {name}: {e.message}")


def check_answer(doc, method, path, status, body_file):
    item = doc["paths"].get(path)
    if item is None or method.lower() not in item:
        fail(f"{method} {path} is not in the document")
    responses = item[method.lower()]["responses"]
    if status not in responses:
        fail(f"{method} {path}: status {status} is not documented")
    response = resolve(doc, responses[status])
    media = response.get("content", {}).get("application/json")
    if media is None:
        return
    with open(body_file, "rb") as f:
        try:
            body = json.loads(f.read().decode("utf-8"))
        except ValueError as e:
            fail(f"{method} {path} {status}: the body is not JSON: {e}")
    # The schema, with the document's components reachable from it.
    schema = dict(resolve(doc, media["schema"]))
    schema["components"] = doc.get("components", {})
    validator = jsonschema.Draft202012Validator(
        schema,
        resolver=jsonschema.RefResolver.from_schema(doc),
    )
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        fail(f"{method} {path} {status}: {'/'.join(map(str, e.path))}: {e.message}")


def main():
    if len(sys.argv) not in (2, 6):
        fail("usage: openapi_check.py SPEC [METHOD PATH STATUS FILE]")
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    check_document(doc)
    if len(sys.argv) == 6:
        check_answer(doc, sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])


if __name__ == "__main__":
    main()
