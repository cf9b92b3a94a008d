"""The JSON Schemas editors use agree with the content the loader accepts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.content.kinds import registered
from conftest import REPO, TESTS

# Each catalogue file's schema, as its kind declares it.
SCHEMAS = {kind.file_name: kind.schema_name for kind in registered()}


def files(root: Path) -> list[tuple[Path, str]]:
    out = [(root / "content.yaml", "content.schema.json")]
    out += [(p, "intents.schema.json") for p in sorted((root / "intents").glob("*.yaml"))]
    out += [(p, SCHEMAS[p.name]) for p in sorted((root / "catalogue").glob("*.yaml"))]
    return out


@pytest.mark.parametrize(("path", "schema_name"), files(REPO) + files(TESTS / "kb"), ids=lambda v: str(v)[-40:])
def test_content_files_validate_against_their_schema(path: Path, schema_name: str) -> None:
    schema = json.loads((REPO / "schemas" / schema_name).read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_every_kind_has_a_schema_and_every_schema_a_use() -> None:
    shipped = {p.name for p in (REPO / "schemas").glob("*.schema.json")}
    assert set(SCHEMAS.values()) | {"content.schema.json", "intents.schema.json"} == shipped


def test_schemas_reject_what_the_loader_rejects() -> None:
    schema = json.loads((REPO / "schemas" / "intents.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": 1, "intents": [{"id": "x", "title": {}, "colour": "blue"}]}, schema)
