#!/usr/bin/env python3
"""The XML contract of the API, derived from its JSON contract (openapi/openapi.yaml).

Writes schemas/api/<root>.xsd, one self-contained XSD for every document the API reads or
writes (every request body, every success response, and problem.xsd for errors), and
schemas/api/index.json, which names each operation's request and response documents for the
server. `--check` writes nothing and exits 1 when a file is missing, stale or left over
(the Swift test suite runs it so).

The canonical mapping of a JSON value to XML (README.md, "XML"), the one the server applies:
- the document is one element named after the schema component (`Building`, `CreateRoom`) in the
  namespace urn:estate:api:v1; a problem is `problem` in urn:ietf:rfc:7807 (RFC 9457, appendix B);
- an object is an element whose children are its members, one element per member, in any order;
- an array is an element whose children are its items, each an element `i`;
- a string, a number or a boolean is the element's text (`true`/`false`);
- an absent member is an absent element; `null` is an empty element with xsi:nil="true";
- all elements are in the document's namespace, and there are no attributes (xsi:nil aside).

Each XSD types every element (objects are xs:all, arrays xs:sequence of `i`, scalars xs:string,
xs:integer, xs:decimal, xs:boolean, xs:date or xs:dateTime with the schema's facets). What XSD
1.0 cannot say (oneOf/anyOf alternatives, if/then, not, uniqueItems, dependent requirements) is
left out, so an XSD refuses nothing the JSON Schema allows (the formats `date`, `date-time` and
`uuid` are checked, as xs:date, xs:dateTime and a pattern, where the server checks them anyway):
the server decodes a valid XML body through the JSON path, which checks every rule as it does for
JSON. Patterns are translated from ECMA-262 to XSD regular expressions; one that cannot be
translated without refusing a value the JSON Schema allows stops the generator.
"""
import argparse
import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "openapi.yaml"
OUT = ROOT / "schemas" / "api"

NAMESPACE = "urn:estate:api:v1"
PROBLEM_NAMESPACE = "urn:ietf:rfc:7807"
PROBLEM_SCHEMA = "Problem"
PROBLEM_ROOT = "problem"
ITEM = "i"
METHODS = ("get", "put", "post", "delete", "patch")


class SpecError(Exception):
    pass


def ref_name(ref):
    if not ref.startswith("#/components/schemas/"):
        raise SpecError(f"unsupported $ref {ref}")
    return ref.rsplit("/", 1)[1]


class Model:
    """Normalises the spec's JSON Schemas to the shapes the mapping knows."""

    def __init__(self, spec):
        self.spec = spec
        self.components = spec["components"]["schemas"]

    def resolve(self, schema):
        while "$ref" in schema:
            schema = self.components[ref_name(schema["$ref"])]
        return schema

    @staticmethod
    def types(schema):
        kind = schema.get("type")
        if kind is None:
            return []
        return list(kind) if isinstance(kind, list) else [kind]

    def nullable(self, schema):
        schema = self.resolve(schema)
        if "null" in self.types(schema):
            return True
        for key in ("oneOf", "anyOf"):
            if any(self.nullable(part) for part in schema.get(key, [])):
                return True
        return False

    def kind(self, schema, where):
        """object, array, string, integer, number, boolean or any (a free-form object)."""
        schema = self.resolve(schema)
        kinds = [k for k in self.types(schema) if k != "null"]
        if len(kinds) > 1:
            raise SpecError(f"{where}: more than one type {kinds}")
        if kinds:
            kind = kinds[0]
        elif "properties" in schema or "allOf" in schema or self.alternatives(schema):
            kind = "object"
        elif "const" in schema or "enum" in schema:
            values = [v for v in (schema.get("enum") or [schema.get("const")]) if v is not None]
            kind = {bool: "boolean", int: "integer", float: "number", str: "string"}[type(values[0])]
        else:
            raise SpecError(f"{where}: no type")
        if kind == "object" and not self.object_members(schema, where)[2]:
            return "any"
        return kind

    def alternatives(self, schema):
        """oneOf/anyOf alternatives that describe members (not just `required` constraints)."""
        parts = schema.get("oneOf", []) + schema.get("anyOf", [])
        return [p for p in parts if "$ref" in p or "properties" in p or "allOf" in p or "type" in p]

    def object_members(self, schema, where):
        """(members {name: schema} in order, required names, closed): the union of allOf parts
        and of oneOf/anyOf alternatives; a member is required when every alternative requires it."""
        schema = self.resolve(schema)
        members = {}
        required = set(schema.get("required", []))
        closed = "properties" in schema or schema.get("additionalProperties") is False
        for name, member in schema.get("properties", {}).items():
            members[name] = member
        for part in schema.get("allOf", []):
            part_members, part_required, part_closed = self.object_members(part, where)
            closed = closed or part_closed
            for name, member in part_members.items():
                members[name] = self.merge(members.get(name), member, f"{where}.{name}")
            required |= part_required
        alternatives = self.alternatives(schema)
        if alternatives:
            common = None
            for part in alternatives:
                part_members, part_required, part_closed = self.object_members(part, where)
                closed = closed or part_closed
                for name, member in part_members.items():
                    members[name] = self.merge(members.get(name), member, f"{where}.{name}")
                common = part_required if common is None else common & part_required
            required |= common or set()
        return members, required, closed

    def merge(self, first, second, where):
        """One schema for a member two alternatives describe: the same, or a string enum of both."""
        if first is None or first == second:
            return second
        a, b = self.resolve(first), self.resolve(second)
        kind_a, kind_b = self.kind(a, where), self.kind(b, where)
        if kind_a != kind_b:
            # A free-form object refined by an alternative (an event's `data`): free-form it stays.
            if {kind_a, kind_b} == {"any", "object"}:
                return first if kind_a == "any" else second
            raise SpecError(f"{where}: alternatives give it different types ({kind_a}, {kind_b})")
        values_a, values_b = self.enumeration(a), self.enumeration(b)
        merged = {"type": kind_a}
        if values_a is not None and values_b is not None:
            merged["enum"] = values_a + [v for v in values_b if v not in values_a]
        if self.nullable(a) or self.nullable(b):
            merged["type"] = [kind_a, "null"]
        return merged

    @staticmethod
    def enumeration(schema):
        if "const" in schema:
            return [schema["const"]]
        if "enum" in schema:
            return list(schema["enum"])
        return None


class Writer:
    """Writes one self-contained XSD: the root element and the named types it uses."""

    def __init__(self, model, root_schema, root_element, namespace, request):
        self.model = model
        self.root_schema = root_schema
        self.root_element = root_element
        self.namespace = namespace
        self.request = request
        self.named = {}        # component name -> list of lines (filled as reached)
        self.pending = []

    def document(self):
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f"<!-- Generated by scripts/xsd-from-openapi.py from openapi/openapi.yaml "
            f"(components/schemas/{self.root_schema}); do not edit. -->",
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"'
            f' xmlns:t="{self.namespace}" targetNamespace="{self.namespace}"'
            ' elementFormDefault="qualified" attributeFormDefault="unqualified">',
            f'  <xs:element name="{self.root_element}" type="t:{self.use(self.root_schema)}"/>',
        ]
        while self.pending:
            name = self.pending.pop(0)
            self.named[name] = self.named_type(name)
        for name in sorted(self.named):
            lines += ["  " + line for line in self.named[name]]
        lines.append("</xs:schema>")
        return "\n".join(lines) + "\n"

    def use(self, component):
        if component not in self.named and component not in self.pending:
            self.pending.append(component)
        return component

    def named_type(self, name):
        schema = self.model.components[name]
        where = f"components/schemas/{name}"
        kind = self.model.kind(schema, where)
        if kind in ("object", "array", "any"):
            return self.complex_type(schema, kind, where, name=name)
        return self.simple_type(schema, kind, where, name=name)

    # -- types ---------------------------------------------------------------------------------

    def type_reference(self, schema, where):
        """(type attribute or None, inline type lines) for a member's or an item's schema."""
        if "$ref" in schema:
            return f"t:{self.use(ref_name(schema['$ref']))}", []
        kind = self.model.kind(schema, where)
        if kind in ("object", "array", "any"):
            return None, self.complex_type(schema, kind, where)
        builtin, facets = self.simple_facets(schema, kind, where)
        if not facets:
            return builtin, []
        return None, self.simple_type(schema, kind, where)

    def complex_type(self, schema, kind, where, name=None):
        opening = f'<xs:complexType name="{name}">' if name else "<xs:complexType>"
        if kind == "any":
            if self.request:
                raise SpecError(f"{where}: a free-form object cannot be read from XML (give it properties)")
            return [opening,
                    "  <xs:sequence>",
                    '    <xs:any namespace="##any" processContents="skip" minOccurs="0" maxOccurs="unbounded"/>',
                    "  </xs:sequence>",
                    "</xs:complexType>"]
        if kind == "array":
            schema = self.model.resolve(schema)
            items = schema.get("items")
            if items is None:
                raise SpecError(f"{where}: an array without items")
            low = schema.get("minItems", 0)
            high = schema.get("maxItems", "unbounded")
            element = self.element(ITEM, items, f"{where}[]", min_occurs=low, max_occurs=high)
            return [opening, "  <xs:sequence>"] + ["    " + line for line in element] + ["  </xs:sequence>", "</xs:complexType>"]
        members, required, _ = self.model.object_members(schema, where)
        if not members:
            return [opening[:-1] + "/>"]
        lines = [opening, "  <xs:all>"]
        for member, member_schema in members.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", member):
                raise SpecError(f"{where}: member {member!r} is not an XML name")
            lines += ["    " + line for line in self.element(member, member_schema, f"{where}.{member}",
                                                             min_occurs=1 if member in required else 0)]
        return lines + ["  </xs:all>", "</xs:complexType>"]

    def element(self, name, schema, where, min_occurs, max_occurs=1):
        attributes = f'name="{name}"'
        type_name, inline = self.type_reference(schema, where)
        if type_name:
            attributes += f' type="{type_name}"'
        if min_occurs != 1:
            attributes += f' minOccurs="{min_occurs}"'
        if max_occurs != 1:
            attributes += f' maxOccurs="{max_occurs}"'
        if self.model.nullable(schema):
            attributes += ' nillable="true"'
        if not inline:
            return [f"<xs:element {attributes}/>"]
        return [f"<xs:element {attributes}>"] + ["  " + line for line in inline] + ["</xs:element>"]

    def simple_type(self, schema, kind, where, name=None):
        builtin, facets = self.simple_facets(schema, kind, where)
        opening = f'<xs:simpleType name="{name}">' if name else "<xs:simpleType>"
        if not facets:
            return [opening, f'  <xs:restriction base="{builtin}"/>', "</xs:simpleType>"]
        return ([opening, f'  <xs:restriction base="{builtin}">']
                + [f"    {facet}" for facet in facets]
                + ["  </xs:restriction>", "</xs:simpleType>"])

    def simple_facets(self, schema, kind, where):
        schema = self.model.resolve(schema)
        facets = []
        values = self.model.enumeration(schema)
        if kind == "string":
            form = schema.get("format")
            builtin = {"date": "xs:date", "date-time": "xs:dateTime"}.get(form, "xs:string")
            if builtin == "xs:string":
                if "minLength" in schema:
                    facets.append(f'<xs:minLength value="{schema["minLength"]}"/>')
                if "maxLength" in schema:
                    facets.append(f'<xs:maxLength value="{schema["maxLength"]}"/>')
            pattern = schema.get("pattern")
            if pattern is None and form == "uuid":
                pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
            if pattern is not None:
                facets.append(f'<xs:pattern value="{attribute(xsd_pattern(pattern, where))}"/>')
        elif kind in ("integer", "number"):
            builtin = "xs:integer" if kind == "integer" else "xs:decimal"
            for key, facet in (("minimum", "minInclusive"), ("maximum", "maxInclusive"),
                               ("exclusiveMinimum", "minExclusive"), ("exclusiveMaximum", "maxExclusive")):
                if key in schema and not isinstance(schema[key], bool):
                    facets.append(f'<xs:{facet} value="{schema[key]}"/>')
        elif kind == "boolean":
            builtin = "xs:boolean"
        else:
            raise SpecError(f"{where}: {kind} is not a scalar")
        if values is not None:
            for value in values:
                if value is None:
                    continue
                text = ("true" if value else "false") if isinstance(value, bool) else str(value)
                facets.append(f'<xs:enumeration value="{attribute(text)}"/>')
        return builtin, facets


def attribute(text):
    """An attribute value: markup escaped, control characters as character references."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return "".join(f"&#x{ord(c):X};" if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F else c for c in escaped)


# -- patterns ----------------------------------------------------------------------------------

def xml_char(code):
    """A code point as it may stand in an XSD pattern (escaped where it is a metacharacter);
    None for one that XML 1.0 cannot carry at all (so no document can contain it)."""
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF:
        if chr(code) in "\\|.-^?*+{}()[]":
            return "\\" + chr(code)
        return chr(code)
    return None


def xml_ranges(low, high):
    """The parts of low-high that XML can carry, as XSD class items."""
    items = []
    start = None
    for code in list(range(low, high + 1)) + [None]:
        ok = code is not None and xml_char(code) is not None
        if ok and start is None:
            start = code
        if not ok and start is not None:
            end = code - 1 if code is not None else high
            items.append(xml_char(start) if start == end else f"{xml_char(start)}-{xml_char(end)}")
            start = None
    return items


def xsd_pattern(pattern, where):
    """Translates an ECMA-262 pattern to an XSD one that accepts at least what it accepts.

    XSD patterns match the whole value; `\\s` and `\\d` are wider in XSD (Unicode), never narrower.
    `\\xHH` becomes a character reference; characters XML cannot carry are dropped from classes.
    """
    body = pattern
    anchored_start = body.startswith("^")
    anchored_end = body.endswith("$") and not body.endswith("\\$")
    if anchored_start:
        body = body[1:]
    if anchored_end:
        body = body[:-1]
    out = []
    i = 0
    depth = 0
    in_class = False
    top_level_bar = False

    def escape(i):
        c = body[i + 1]
        if c == "x":
            return int(body[i + 2:i + 4], 16), i + 4
        if c in "sSdD":
            return "\\" + c, i + 2
        if c in ".-^$?*+{}()[]|\\/":
            return ord(c) if c != "/" else ord("/"), i + 2
        if c == "n":
            return 0xA, i + 2
        if c == "t":
            return 0x9, i + 2
        if c == "r":
            return 0xD, i + 2
        raise SpecError(f"{where}: pattern {pattern!r}: escape \\{c} has no XSD equivalent")

    while i < len(body):
        c = body[i]
        if in_class:
            if c == "]":
                in_class = False
                out.append("]")
                i += 1
                continue
            if c == "\\":
                value, i = escape(i)
            else:
                value, i = ord(c), i + 1
            if isinstance(value, str):
                out.append(value)
                continue
            if i < len(body) - 1 and body[i] == "-" and body[i + 1] != "]":
                if body[i + 1] == "\\":
                    high, i = escape(i + 1)
                else:
                    high, i = ord(body[i + 1]), i + 2
                out += xml_ranges(value, high)
            else:
                out += xml_ranges(value, value)
            continue
        if c == "[":
            in_class = True
            out.append("[")
            i += 1
            if i < len(body) and body[i] == "^":
                out.append("^")
                i += 1
            continue
        if c == "(":
            if body.startswith("(?:", i):
                i += 3
            elif body.startswith("(?", i):
                raise SpecError(f"{where}: pattern {pattern!r}: lookaround has no XSD equivalent")
            else:
                i += 1
            out.append("(")
            depth += 1
            continue
        if c == ")":
            depth -= 1
        if c == "|" and depth == 0:
            top_level_bar = True
        if c in "^$":
            raise SpecError(f"{where}: pattern {pattern!r}: an anchor inside the pattern has no XSD equivalent")
        if c == "\\":
            value, i = escape(i)
            if isinstance(value, str):
                out.append(value)
            else:
                char = xml_char(value)
                if char is None:
                    raise SpecError(f"{where}: pattern {pattern!r}: \\x{value:02X} cannot appear in XML")
                out.append(char)
            continue
        out.append(c)
        i += 1
    result = "".join(out)
    if top_level_bar:
        result = f"({result})"
    if not anchored_start:
        result = "[\\s\\S]*" + result
    if not anchored_end:
        result += "[\\s\\S]*"
    # An empty class (every character dropped) would match nothing; XML forbids what it named.
    if "[]" in result or "[^]" in result:
        raise SpecError(f"{where}: pattern {pattern!r}: a class left empty")
    return result


# -- documents ---------------------------------------------------------------------------------

def root_element(schema_name):
    return PROBLEM_ROOT if schema_name == PROBLEM_SCHEMA else schema_name


def schema_of(content, media, where):
    entry = content.get(media)
    if entry is None:
        return None
    schema = entry.get("schema", {})
    if "$ref" not in schema:
        raise SpecError(f"{where}: the {media} schema must be a $ref to a component (it names the XML document)")
    return ref_name(schema["$ref"])


def operations(spec):
    """Each operation's request and success-response documents, and the set of each kind."""
    responses = spec["components"].get("responses", {})
    index = {}
    requests, replies = set(), {PROBLEM_SCHEMA}
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            key = f"{method.upper()} {path}"
            entry = {}
            body = op.get("requestBody")
            if body is not None:
                name = schema_of(body.get("content", {}), "application/json", key)
                if name:
                    entry["request"] = name
                    requests.add(name)
            success = set()
            for status, response in op.get("responses", {}).items():
                if "$ref" in response:
                    response = responses[response["$ref"].rsplit("/", 1)[1]]
                content = response.get("content", {})
                if status.startswith("2"):
                    name = schema_of(content, "application/json", f"{key} {status}")
                    if name:
                        success.add(name)
                elif "application/problem+json" in content and schema_of(content, "application/problem+json", key) != PROBLEM_SCHEMA:
                    raise SpecError(f"{key} {status}: problems must use components/schemas/{PROBLEM_SCHEMA}")
            if len(success) > 1:
                raise SpecError(f"{key}: success responses with different schemas {sorted(success)}")
            if success:
                entry["response"] = success.pop()
                replies.add(entry["response"])
            index[key] = entry
    return index, requests, replies


def generate(spec):
    model = Model(spec)
    index, requests, replies = operations(spec)
    both = requests & replies
    if both:
        raise SpecError(f"schemas used both as request and response documents: {sorted(both)}")
    files = {}
    documents = {}
    for name in sorted(requests | replies):
        root = root_element(name)
        namespace = PROBLEM_NAMESPACE if name == PROBLEM_SCHEMA else NAMESPACE
        if model.kind(model.components[name], name) != "object":
            raise SpecError(f"components/schemas/{name}: a document must be an object")
        files[f"{root}.xsd"] = Writer(model, name, root, namespace, request=name in requests).document()
        documents[name] = {"root": root, "namespace": namespace, "file": f"{root}.xsd"}
    files["index.json"] = json.dumps({
        "comment": "Generated by scripts/xsd-from-openapi.py from openapi/openapi.yaml; do not edit.",
        "item": ITEM,
        "problem": PROBLEM_SCHEMA,
        "documents": documents,
        "operations": {key: index[key] for key in sorted(index)},
    }, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when schemas/api is not current")
    args = parser.parse_args()
    try:
        files = generate(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
    except SpecError as error:
        print(f"xsd-from-openapi: {error}", file=sys.stderr)
        return 2
    existing = {p.name for p in OUT.glob("*") if p.is_file()} if OUT.is_dir() else set()
    stale = sorted(n for n, text in files.items() if not (OUT / n).is_file() or (OUT / n).read_text(encoding="utf-8") != text)
    extra = sorted(existing - set(files))
    if args.check:
        if stale or extra:
            for name in stale:
                print(f"xsd-from-openapi: schemas/api/{name} is missing or stale", file=sys.stderr)
            for name in extra:
                print(f"xsd-from-openapi: schemas/api/{name} is not generated from the spec", file=sys.stderr)
            print("xsd-from-openapi: run `make schemas` and commit the result", file=sys.stderr)
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (OUT / name).write_text(files[name], encoding="utf-8")
    for name in extra:
        (OUT / name).unlink()
    print(f"xsd-from-openapi: {len(files)} files in schemas/api ({len(stale)} written, {len(extra)} removed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
