"""Validators of the federation's fields: what reaches isp.json must be valid in the ISP format."""

import json
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from .choices import Technology
from .schema import geojson_validator, schema_errors

MAX_AREA_BYTES = 256 * 1024  # a town's or a département's outline; bigger is a mistake
MAX_LIST = 20
# A URI with a scheme (irc://, xmpp:, matrix:, https://), no spaces nor control characters.
URI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s\x00-\x1f\x7f]+$", re.IGNORECASE)
WEB = URLValidator(schemes=["http", "https"])


def validate_other_websites(value):
    """A mapping of a short name to an http(s) URL, at most MAX_LIST of them."""
    if not isinstance(value, dict) or len(value) > MAX_LIST:
        raise ValidationError(_("At most %(n)s websites, each a name and a URL.") % {"n": MAX_LIST})
    for name, url in value.items():
        if not isinstance(name, str) or not name.strip() or len(name) > 50:
            raise ValidationError(_("Each website needs a name of at most 50 characters."))
        if not isinstance(url, str) or len(url) > 300:
            raise ValidationError(_("%(name)s: the URL is missing or too long.") % {"name": name})
        try:
            WEB(url)
        except ValidationError:
            raise ValidationError(
                _("%(name)s: %(url)s is not an http(s) URL.") % {"name": name, "url": url}
            ) from None


def validate_chatrooms(value):
    """A list of distinct URIs (irc://…, xmpp:…?join, https://…), at most MAX_LIST."""
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise ValidationError(_("At most %(n)s chat rooms.") % {"n": MAX_LIST})
    for uri in value:
        if not isinstance(uri, str) or len(uri) > 300 or not URI.match(uri):
            raise ValidationError(
                _("%(uri)s is not a URI (such as irc://irc.example.net/#isp).") % {"uri": uri}
            )
    if len(set(value)) != len(value):
        raise ValidationError(_("A chat room is listed twice."))


def validate_technologies(value):
    """A non-empty list of distinct technologies of the ISP format."""
    allowed = set(Technology.values)
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one technology."))
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise ValidationError(
            _("Unknown technologies: %(names)s.") % {"names": ", ".join(map(str, unknown))}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A technology is listed twice."))


def validate_geojson_area(value):
    """A GeoJSON Polygon or MultiPolygon (the ISP format's rule), valid and not too large."""
    if value is None:
        return
    if len(json.dumps(value)) > MAX_AREA_BYTES:
        raise ValidationError(
            _("The area is larger than %(kb)s KB: simplify its outline.")
            % {"kb": MAX_AREA_BYTES // 1024}
        )
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(_("The area must be a GeoJSON Polygon or MultiPolygon."))
    errors = schema_errors(geojson_validator(), value)
    if errors:
        raise ValidationError(
            _("The area is not valid GeoJSON: %(errors)s") % {"errors": "; ".join(errors)}
        )


def parse_geojson(text):
    """The GeoJSON object in ``text`` (as pasted in a form), or a ValidationError saying why not."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_AREA_BYTES:
        raise ValidationError(
            _("The area is larger than %(kb)s KB: simplify its outline.")
            % {"kb": MAX_AREA_BYTES // 1024}
        )
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ValidationError(_("This is not JSON: %(error)s") % {"error": error}) from None
    validate_geojson_area(value)
    return value
