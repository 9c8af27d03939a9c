#!/usr/bin/python3
"""Validates policy files against policies/policy.schema.json (JSON Schema 2020-12).

Usage: validate_schema.py SCHEMA EXPECT FILE...   EXPECT is "valid" or "invalid".
Dates stay strings, as in YAML 1.2 and as editors read them.
"""
import json
import sys

import jsonschema
import yaml


class Loader(yaml.SafeLoader):
    pass


# YAML 1.2 has no timestamp type; drop PyYAML's YAML 1.1 resolver for it.
Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def main():
    schema_path, expect, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=Loader)
        errors = list(validator.iter_errors(doc))
        if expect == "valid" and errors:
            failures += 1
            for e in errors:
                print(f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
        if expect == "invalid" and not errors:
            failures += 1
            print(f"{path}: expected the schema to reject it, but it passed")
    print(f"{len(files) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
