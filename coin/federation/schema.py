"""The JSON Schemas the federation's documents are checked against, resolved offline.

The FFDN ISP format 0.1 (``schemas/ispformat-0.1``, a copy of the federation's files with
their licence) is draft-04 and names its parts by URI (``http://json-schema.org/address``,
``.../geojson/geometry.json#``...); every one is registered here from the local copy, so
validating never touches the network. Our report format has its own schema
(``schemas/report-1.json``).
"""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator, Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ISP_FORMAT = SCHEMAS / "ispformat-0.1" / "schema"
REPORT_SCHEMA = SCHEMAS / "report-1.json"

# The URIs the ISP format's schemas use for each other, and the local file of each.
ISP_FORMAT_PARTS = {
    "http://json-schema.org/address": "address.json",
    "http://json-schema.org/geo": "geo.json",
    "http://json-schema.org/geojson/geojson.json": "geojson/geojson.json",
    "http://json-schema.org/geojson/geometry.json": "geojson/geometry.json",
    "http://json-schema.org/geojson/crs.json": "geojson/crs.json",
    "http://json-schema.org/geojson/bbox.json": "geojson/bbox.json",
}
MAX_ERRORS = 5


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _registry():
    resources = [
        (uri, Resource.from_contents(_load(ISP_FORMAT / name), default_specification=DRAFT4))
        for uri, name in ISP_FORMAT_PARTS.items()
    ]
    return Registry().with_resources(resources)


@cache
def isp_validator():
    """A validator of isp.json documents (format 0.1), with format checks (URIs, e-mails)."""
    return Draft4Validator(
        _load(ISP_FORMAT / "isp.json"),
        registry=_registry(),
        format_checker=Draft4Validator.FORMAT_CHECKER,
    )


@cache
def geojson_validator():
    """A validator of one GeoJSON object (the ISP format's ``coveredAreas[].area``)."""
    return Draft4Validator(
        {"$ref": "http://json-schema.org/geojson/geojson.json#"}, registry=_registry()
    )


@cache
def report_validator():
    """A validator of our report documents (``schemas/report-1.json``)."""
    return Draft202012Validator(
        _load(REPORT_SCHEMA), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def schema_errors(validator, document):
    """At most MAX_ERRORS readable errors of ``document`` ('' when it is valid), each naming
    where it is (``coveredAreas/0/technologies/1: 'fibre' is not one of ...``)."""
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
    return [
        f"{'/'.join(str(part) for part in error.path) or '(document)'}: {error.message[:200]}"
        for error in errors[:MAX_ERRORS]
    ]
