#!/usr/bin/env python3
"""Validates copybench results against docs/result.schema.json (Debian: python3-jsonschema).

usage: validate_results.py SCHEMA FILE...   A FILE holds one result object (run --json), or a
sweep's results.json, whose "runs" are result objects. Exit 0: all valid; 1: the errors, one line
each; 77: jsonschema is not installed (ctest's skip)."""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("skip: python3-jsonschema is not installed")
    sys.exit(77)


def results_in(document):
    if isinstance(document, dict) and document.get("kind") == "copybench sweep":
        return [(f"runs[{i}].result", run["result"]) for i, run in enumerate(document["runs"])]
    return [("", document)]


def main():
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=jsonschema.FormatChecker())
    errors = 0
    checked = 0
    for path in sys.argv[2:]:
        with open(path) as f:
            document = json.load(f)
        for where, result in results_in(document):
            checked += 1
            for error in validator.iter_errors(result):
                # oneOf (null or an object) says little: name the deepest cause instead.
                while error.context:
                    error = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
                location = "/".join(str(p) for p in error.absolute_path)
                print(f"{path}{' ' + where if where else ''}: /{location}: {error.message[:300]}")
                errors += 1
    print(f"{checked} results checked, {errors} errors")
    return 1 if errors or not checked else 0


sys.exit(main())
