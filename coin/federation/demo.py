"""Demo data of the federation: the ISP's description with two covered areas, the report of
the last quarter (published), and two partner ISPs with documents as if fetched."""

from datetime import timedelta

from django.utils import timezone

from . import services
from .choices import DocumentKind, FinanceSharing
from .models import PartnerSource

# Central Lyon, roughly (longitude, latitude): a small polygon, closed.
LYON = {
    "type": "Polygon",
    "coordinates": [[[4.79, 45.72], [4.90, 45.72], [4.90, 45.80], [4.79, 45.80], [4.79, 45.72]]],
}
PARTNERS = [
    {
        "name": "Aquilenet (démo)",
        "isp": {
            "name": "Aquilenet (démo)",
            "shortname": "Aquilenet",
            "email": "contact@aquilenet.example",
            "website": "https://aquilenet.example/",
            "memberCount": 410,
            "subscriberCount": 160,
            "progressStatus": 7,
            "coveredAreas": [
                {"name": "Gironde", "technologies": ["dsl", "vpn", "wifi"]},
            ],
            "version": 0.1,
        },
    },
    {
        "name": "Rhizome (démo)",
        "isp": {
            "name": "Rhizome (démo)",
            "email": "bonjour@rhizome.example",
            "memberCount": 95,
            "subscriberCount": 38,
            "progressStatus": 6,
            "coveredAreas": [{"name": "Compiègne", "technologies": ["vpn", "ftth"]}],
            "version": 0.1,
        },
    },
]


def load_demo_federation(today):
    """Describe the demo ISP, publish its last quarter's report, register two partners."""
    services.update_profile(
        actor=None,
        name="Rézo Libre (démo)",
        shortname="RezoLibre",
        description="Fournisseur d'accès associatif à Lyon (démonstration).",
        email="contact@rezo-libre.example",
        website="https://rezo-libre.example/",
        main_mailing_list="discussion@listes.rezo-libre.example",
        creation_date=today.replace(year=today.year - 5, month=1, day=15),
        ffdn_member_since=today.replace(year=today.year - 4, month=3, day=1),
        progress_status=7,
        chatrooms=["irc://irc.example.net/#rezolibre"],
        other_websites={"wiki": "https://wiki.rezo-libre.example/"},
        street_address="1 rue de la République",
        postal_code="69001",
        locality="Lyon",
        region="Auvergne-Rhône-Alpes",
        country_name="France",
        finance_sharing=FinanceSharing.TOTALS,
    )
    services.save_covered_area(
        actor=None, name="Lyon", technologies=["vpn", "dsl"], shape=LYON, position=1
    )
    services.save_covered_area(actor=None, name="France (VPN)", technologies=["vpn"], position=2)
    first, _last = services.quarter_of(today)
    start, end = services.quarter_of(first - timedelta(days=1))
    report = services.generate_report(
        actor=None, period_start=start, period_end=end, kind="quarter"
    )
    services.publish_report(report, actor=None)
    now = timezone.now()
    for entry in PARTNERS:
        slug = entry["name"].split()[0].lower()
        partner = services.save_partner(
            actor=None,
            name=entry["name"],
            isp_json_url=f"https://{slug}.example/isp.json",
            reports_url=f"https://{slug}.example/federation/reports/latest.json",
        )
        source = PartnerSource.objects.get(partner=partner, kind=DocumentKind.ISP)
        services.record_document(source, entry["isp"], now=now)
