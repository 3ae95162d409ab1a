"""Fixtures of the federation tests: the ISP described, and schema validators built here
from the repository's copy of the FFDN files (not through the code under test)."""

import json
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from coin.federation import services
from coin.offers import services as offer_services

SCHEMAS = Path(__file__).resolve().parents[2] / "coin" / "federation" / "schemas"
FORMAT = SCHEMAS / "ispformat-0.1" / "schema"


def _json(path):
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def isp_schema_validator():
    """The ISP format 0.1 with its $refs resolved from the files beside it."""
    parts = {
        "http://json-schema.org/address": FORMAT / "address.json",
        "http://json-schema.org/geo": FORMAT / "geo.json",
    }
    for path in (FORMAT / "geojson").glob("*.json"):
        parts[f"http://json-schema.org/geojson/{path.name}"] = path
    registry = Registry().with_resources(
        (uri, Resource.from_contents(_json(path), default_specification=DRAFT4))
        for uri, path in parts.items()
    )
    return Draft4Validator(
        _json(FORMAT / "isp.json"), registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )


@pytest.fixture(scope="session")
def report_schema_validator():
    schema = _json(SCHEMAS / "report-1.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture
def profile(db):
    return services.update_profile(
        actor=None,
        name="Rézo Libre",
        shortname="RezoLibre",
        email="contact@rezo.example",
        website="https://rezo.example/",
        progress_status=7,
        street_address="12 rue des Lilas",
        postal_code="75020",
        locality="Paris",
        region="Île-de-France",
        country_name="France",
        latitude="48.864716",
        longitude="2.398400",
        chatrooms=["irc://irc.example.net/#rezo", "xmpp:membres@chat.rezo.example?join"],
    )


@pytest.fixture
def subscribe():
    def make(member, offer, starts_on=date(2026, 1, 1), **kwargs):
        return offer_services.subscribe(member, offer, actor=None, starts_on=starts_on, **kwargs)

    return make
