"""The ISP's isp.json (FFDN ISP format 0.1) from the board's profile and live counts."""

import hashlib
import json

from coin.members.choices import MemberStatus
from coin.members.models import Member

from .models import CoveredArea, IspProfile
from .schema import isp_validator, schema_errors
from .sections import subscriber_count

FORMAT_VERSION = 0.1


def _address(profile):
    fields = {
        "street-address": profile.street_address,
        "extended-address": profile.extended_address,
        "postal-code": profile.postal_code,
        "locality": profile.locality,
        "region": profile.region,
        "country-name": profile.country_name,
    }
    address = {key: value for key, value in fields.items() if value}
    # The address schema requires these three when an address is given at all.
    return address if {"locality", "region", "country-name"} <= set(address) else None


def build_isp_document(profile=None, areas=None):
    """The isp.json document (a dict), or None when the board has not described the ISP yet.

    ``memberCount``: active members; ``subscriberCount``: members with a current VPN or DSL
    subscription. Optional fields appear only when filled in. Three queries.
    """
    profile = profile or IspProfile.load()
    if profile is None:
        return None
    areas = list(CoveredArea.objects.all()) if areas is None else areas
    document = {
        "name": profile.name,
        "email": profile.email,
        "memberCount": Member.objects.filter(status=MemberStatus.ACTIVE).count(),
        "subscriberCount": subscriber_count(),
        "coveredAreas": [
            {"name": area.name, "technologies": list(area.technologies)}
            | ({"area": area.area} if area.area else {})
            for area in areas
        ],
        "version": FORMAT_VERSION,
    }
    optional = {
        "shortname": profile.shortname,
        "description": profile.description,
        "logoURL": profile.logo_url,
        "website": profile.website,
        "otherWebsites": profile.other_websites or None,
        "mainMailingList": profile.main_mailing_list,
        "creationDate": profile.creation_date.isoformat() if profile.creation_date else None,
        "ffdnMemberSince": (
            profile.ffdn_member_since.isoformat() if profile.ffdn_member_since else None
        ),
        "progressStatus": profile.progress_status,
        "chatrooms": profile.chatrooms or None,
        "registeredOffice": _address(profile),
    }
    document |= {key: value for key, value in optional.items() if value}
    if profile.latitude is not None and profile.longitude is not None:
        document["coordinates"] = {
            "latitude": float(profile.latitude),
            "longitude": float(profile.longitude),
        }
    return document


def isp_document_errors(document):
    """Why ``document`` is not a valid isp.json (an empty list when it is)."""
    return schema_errors(isp_validator(), document)


def serialise(document):
    """The bytes served and the ETag they get (a hash of the bytes: any change changes it)."""
    body = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
