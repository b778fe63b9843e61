#!/usr/bin/env python3
"""Validates copybench results against docs/result.schema.json (Debian: python3-jsonschema).

usage: validate_results.py SCHEMA FILE...   A FILE holds one result object (run --json), a
sweep's results.json, whose "runs" are result objects, or one --json-stream line: an "interval"
event (its interval against $defs/interval) or the "result" event (its result, whose status the
event repeats). Exit 0: all valid; 1: the errors, one line each, or no result in the files;
77: jsonschema is not installed (ctest's skip)."""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("skip: python3-jsonschema is not installed")
    sys.exit(77)


SIDES = {"sender", "receiver"}
DIRECTIONS = {"forward", "reverse"}


def results_in(document):
    """(where, what, sub-schema) for each thing to check: a result against the whole schema, an
    interval against $defs/interval."""
    if isinstance(document, dict) and document.get("kind") == "copybench sweep":
        return [(f"runs[{i}].result", run["result"], None) for i, run in enumerate(document["runs"])]
    if isinstance(document, dict) and "event" in document:
        if document["event"] == "interval":
            return [("interval event", document.get("interval"), "interval")]
        if document["event"] == "result":
            return [("result event", document.get("result"), None)]
    return [("", document, None)]


def event_errors(document):
    """What the schema cannot say of a --json-stream line: its event, side and direction."""
    if not isinstance(document, dict) or "event" not in document:
        return []
    event = document["event"]
    if event == "interval":
        errors = [] if document.get("side") in SIDES else [f"side {document.get('side')!r} is not sender or receiver"]
        if document.get("direction") not in DIRECTIONS:
            errors.append(f"direction {document.get('direction')!r} is not forward or reverse")
        return errors
    if event == "result":
        result = document.get("result")
        status = result.get("status") if isinstance(result, dict) else None
        return [] if document.get("status") == status else [f"status {document.get('status')!r} is not the result's {status!r}"]
    return [f"unknown event {event!r}"]


def main():
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=jsonschema.FormatChecker())
    # A definition of the schema on its own, its references resolved within the whole schema.
    part = {"$defs": schema["$defs"], "$schema": schema.get("$schema")}
    part_validators = {name: validator_class({**part, "$ref": f"#/$defs/{name}"},
                                             format_checker=jsonschema.FormatChecker())
                       for name in ("interval",)}
    errors = 0
    checked = 0
    for path in sys.argv[2:]:
        with open(path) as f:
            document = json.load(f)
        for message in event_errors(document):
            print(f"{path}: {message}")
            errors += 1
        for where, result, definition in results_in(document):
            checked += 1
            check = part_validators[definition] if definition else validator
            for error in check.iter_errors(result):
                # oneOf (null or an object) says little: name the deepest cause instead.
                while error.context:
                    error = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
                location = "/".join(str(p) for p in error.absolute_path)
                print(f"{path}{' ' + where if where else ''}: /{location}: {error.message[:300]}")
                errors += 1
    print(f"{checked} results checked, {errors} errors")
    return 1 if errors or not checked else 0


sys.exit(main())
