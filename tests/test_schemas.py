"""The JSON Schemas editors use agree with the content the loader accepts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import REPO, TESTS

KINDS = {
    "centres": "centres",
    "places": "places",
    "organisations": "organisations",
    "specialties": "specialties",
    "training": "training",
    "quality": "quality",
    "solutions": "solutions",
    "languages": "languages",
    "cancer_types": "cancer_types",
}


def files(root: Path) -> list[tuple[Path, str]]:
    out = [(root / "content.yaml", "content")]
    out += [(p, "intents") for p in sorted((root / "intents").glob("*.yaml"))]
    out += [(p, KINDS[p.stem]) for p in sorted((root / "catalogue").glob("*.yaml"))]
    return out


@pytest.mark.parametrize(("path", "kind"), files(REPO) + files(TESTS / "kb"), ids=lambda v: str(v)[-40:])
def test_content_files_validate_against_their_schema(path: Path, kind: str) -> None:
    schema = json.loads((REPO / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_schemas_reject_what_the_loader_rejects() -> None:
    schema = json.loads((REPO / "schemas" / "intents.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": 1, "intents": [{"id": "x", "title": {}, "colour": "blue"}]}, schema)
