#!/usr/bin/env python3
"""Documents the XML representation in openapi/openapi.yaml beside the JSON one.

For every `application/json` content it adds `application/xml` with the same schema, for every
`application/problem+json` an `application/problem+xml`, and to every operation with a JSON
success document a `406` (NotAcceptable: text XML 1.0 cannot carry). It edits the text in place,
inserting lines and touching nothing else, so the file keeps its layout; it adds only what is
missing, so running it again changes nothing. `--check` changes nothing and exits 1 when something
is missing. What the XML documents look like is in the XSDs (scripts/xsd-from-openapi.py).
"""
import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "openapi.yaml"
PAIRS = {"application/json": "application/xml", "application/problem+json": "application/problem+xml"}
NOT_ACCEPTABLE = "'406':"
NOT_ACCEPTABLE_REF = "$ref: '#/components/responses/NotAcceptable'"
METHODS = ("get", "put", "post", "delete", "patch")


def indent_of(line):
    return len(line) - len(line.lstrip(" "))


def block_end(lines, start):
    """The index after the block that the key at `start` opens (lines indented deeper, or blank)."""
    indent = indent_of(lines[start])
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or indent_of(lines[end]) > indent):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def siblings(lines, start):
    """Keys at the same indent as `start` within its parent mapping."""
    indent = indent_of(lines[start])
    first = start
    while first > 0 and (not lines[first - 1].strip() or indent_of(lines[first - 1]) >= indent):
        first -= 1
    last = start
    while last < len(lines) and (not lines[last].strip() or indent_of(lines[last]) >= indent):
        last += 1
    return [lines[i].strip() for i in range(first, last) if lines[i].strip() and indent_of(lines[i]) == indent]


def add_media_types(lines):
    added = []
    i = 0
    while i < len(lines):
        match = re.fullmatch(r"( *)(application/json|application/problem\+json):\s*", lines[i])
        if not match:
            i += 1
            continue
        indent, media = match.group(1), match.group(2)
        xml = PAIRS[media]
        end = block_end(lines, i)
        if f"{xml}:" in siblings(lines, i):
            i = end
            continue
        schema = next((j for j in range(i + 1, end) if lines[j] == f"{indent}  schema:"), None)
        if schema is None:
            raise SystemExit(f"openapi-xml: line {i + 1}: {media} without a schema")
        schema_lines = lines[schema:block_end(lines, schema)]
        lines[end:end] = [f"{indent}{xml}:"] + schema_lines
        added.append(f"line {i + 1}: {xml}")
        i = end + 1 + len(schema_lines)
    return added


def add_not_acceptable(lines):
    added = []
    i = 0
    in_paths = False
    while i < len(lines):
        line = lines[i]
        if re.fullmatch(r"\S.*:\s*", line):
            in_paths = line.startswith("paths:")
        match = re.fullmatch(r"( {4})(get|put|post|delete|patch):\s*", line)
        if not (in_paths and match):
            i += 1
            continue
        end = block_end(lines, i)
        responses = next((j for j in range(i + 1, end) if lines[j] == "      responses:"), None)
        if responses is None:
            i = end
            continue
        statuses = [j for j in range(responses + 1, block_end(lines, responses)) if indent_of(lines[j]) == 8 and lines[j].strip()]
        keys = [lines[j].strip() for j in statuses]
        json_success = any(k.startswith("'2") for k in keys) and any(
            "application/json:" in lines[j] for j in range(responses, block_end(lines, responses)))
        if not json_success or NOT_ACCEPTABLE in keys:
            i = end
            continue
        lower = [j for j, k in zip(statuses, keys) if k.startswith("'") and k < NOT_ACCEPTABLE]
        position = block_end(lines, lower[-1]) if lower else statuses[0]
        lines[position:position] = [f"        {NOT_ACCEPTABLE}", f"          {NOT_ACCEPTABLE_REF}"]
        added.append(f"line {i + 1}: 406")
        i = end + 2
    return added


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when XML is not documented everywhere")
    args = parser.parse_args()
    text = SPEC.read_text(encoding="utf-8")
    lines = text.split("\n")
    added = add_media_types(lines) + add_not_acceptable(lines)
    if "  responses:\n    NotAcceptable:" not in "\n".join(lines) and not any(l == "    NotAcceptable:" for l in lines):
        raise SystemExit("openapi-xml: components/responses/NotAcceptable is missing (write it by hand once)")
    if args.check:
        for place in added:
            print(f"openapi-xml: openapi/openapi.yaml {place} is missing", file=sys.stderr)
        return 1 if added else 0
    if added:
        SPEC.write_text("\n".join(lines), encoding="utf-8")
    print(f"openapi-xml: {len(added)} additions to openapi/openapi.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
