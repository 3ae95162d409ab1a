"""``coin load_demo``: a small demo ISP with members, volunteers, pools, offers and subscriptions.

Safe to run twice: an existing demo is left as it is and its logins printed again.
Never run it on a production database: the demo accounts share one known password.
"""

from base64 import b32encode
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from billing.demo import load_demo_billing
from coin.federation.demo import load_demo_federation
from coin.members import audit, services
from coin.members.choices import AuditSource, MemberKind
from coin.members.models import Member, Role
from coin.offers import services as offer_services
from coin.offers.choices import OfferKind, PoolPurpose, Pricing
from coin.offers.models import Offer
from datacenter.demo import load_demo_datacenter
from netops.dsl.demo import load_demo_dsl
from netops.ipam import services as ipam_services
from netops.provisioning.choices import EndpointKind
from netops.provisioning.models import Endpoint
from netops.vpn.keys import generate_wireguard_keypair

DEMO_PASSWORD = "coin-demo-password"

POOLS = [
    # name, prefix, purpose, prefix length handed out
    ("VPN IPv4", "192.0.2.0/24", PoolPurpose.VPN, 32),
    ("VPN IPv6", "2001:db8:100::/40", PoolPurpose.VPN, 56),
    ("DSL IPv4", "198.51.100.0/24", PoolPurpose.DSL, 32),
    ("DSL IPv6", "2001:db8:200::/40", PoolPurpose.DSL, 56),
    ("Hébergement IPv4", "203.0.113.0/26", PoolPurpose.HOUSING, 32),
    ("Hébergement IPv6", "2001:db8:300::/40", PoolPurpose.HOUSING, 48),
    ("Infrastructure", "203.0.113.64/26", PoolPurpose.INFRASTRUCTURE, 32),
]

VOLUNTEERS = [
    # username, first name, last name, roles, TOTP key (hex, fixed so the demo is reproducible)
    ("camille", "Camille", "Martin", ["admissions"], "3132333435363738393031323334353637383930"),
    ("dominique", "Dominique", "Bernard", ["network"], "4142434445464748494a4b4c4d4e4f5051525354"),
    ("claude", "Claude", "Petit", ["finances"], "6162636465666768696a6b6c6d6e6f7071727374"),
    (
        "sasha",
        "Sasha",
        "Durand",
        ["board", "datacenter"],
        "2122232425262728292a2b2c2d2e2f3031323334",
    ),
]
MEMBERS = [
    ("alix", "Alix", "Robert", "Lyon"),
    ("benoit", "Benoît", "Richard", "Villeurbanne"),
    ("chloe", "Chloé", "Dubois", "Lyon"),
    ("david", "David", "Moreau", "Caluire-et-Cuire"),
    ("elise", "Élise", "Laurent", "Vénissieux"),
    ("farid", "Farid", "Simon", "Lyon"),
    ("gaelle", "Gaëlle", "Michel", "Bron"),
]
OFFERS = [
    {
        "code": "vpn",
        "name": "VPN",
        "kind": OfferKind.VPN,
        "pricing": Pricing.PAY_WHAT_YOU_WANT,
        "monthly_price": Decimal("5.00"),
        "price_floor": Decimal("2.00"),
        "address_plan": [
            {"purpose": "vpn", "family": 4, "prefix_length": 32},
            {"purpose": "vpn", "family": 6, "prefix_length": 56},
        ],
        "description": "Un accès VPN (WireGuard ou OpenVPN) avec une IPv4 fixe et un /56 IPv6.",
    },
    {
        "code": "vdsl",
        "name": "ADSL / VDSL",
        "kind": OfferKind.DSL,
        "pricing": Pricing.FIXED,
        "monthly_price": Decimal("32.00"),
        "setup_fee": Decimal("50.00"),
        "address_plan": [
            {"purpose": "dsl", "family": 4, "prefix_length": 32},
            {"purpose": "dsl", "family": 6, "prefix_length": 56},
        ],
        "description": "Une ligne xDSL en collecte, IPv4 fixe et /56 IPv6.",
    },
    {
        "code": "housing-1u",
        "name": "Hébergement 1U",
        "kind": OfferKind.HOUSING,
        "pricing": Pricing.FIXED,
        "monthly_price": Decimal("15.00"),
        "address_plan": [
            {"purpose": "housing", "family": 4, "prefix_length": 32},
            {"purpose": "housing", "family": 6, "prefix_length": 48},
        ],
        "description": "Une unité de baie au local associatif, 1 A, un port Gigabit.",
    },
]


class Command(BaseCommand):
    help = "Load a demo ISP (members, volunteers with roles and 2FA, offers, subscriptions)."

    def handle(self, *args, **options):
        if not settings.DEBUG and not options.get("force"):
            raise CommandError(
                "Refusing to load demo accounts with DEBUG off (production?). Use --force."
            )
        if Member.objects.filter(username="camille").exists():
            self.stdout.write("The demo is already loaded.")
        else:
            with transaction.atomic(), audit.acting_as(source=AuditSource.COMMAND):
                self._load()
            self.stdout.write(self.style.SUCCESS("Demo ISP loaded."))
        self._print_logins()

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even with DEBUG off.")

    def _member(self, username, first, last, city, kind=MemberKind.PERSON, organisation=""):
        member = services.create_member(
            actor=None,
            username=username,
            email=f"{username}@example.org",
            kind=kind,
            first_name=first,
            last_name=last,
            organisation_name=organisation,
            address_line1="1 rue de la République",
            postal_code="69001",
            city=city,
        )
        member.set_password(DEMO_PASSWORD)
        member.save(update_fields=["password"])
        return member

    def _load(self):
        today = date.today()
        # A WireGuard concentrator to show VPN configurations. Its host key is not pinned,
        # so coin never connects to it: its jobs stop at "host key not confirmed".
        Endpoint.objects.create(
            name="vpn1",
            kind=EndpointKind.WIREGUARD,
            ssh_host="vpn1.example.net",
            reload_command="/etc/coin/wireguard-sync coin0",
            public_host="vpn.example.net",
            server_public_key=generate_wireguard_keypair()[1],
            client_dns="192.0.2.53",
        )
        for name, prefix, purpose, length in POOLS:
            ipam_services.create_pool(
                actor=None, name=name, prefix=prefix, purpose=purpose, default_prefix_length=length
            )
        offers = {spec["code"]: Offer.objects.create(**spec) for spec in OFFERS}
        roles = {role.slug: role for role in Role.objects.all()}
        for username, first, last, role_slugs, key in VOLUNTEERS:
            member = self._member(username, first, last, "Lyon")
            services.admit_member(member, actor=None, on=today - timedelta(days=900))
            for slug in role_slugs:
                # The system (actor=None) grants at once: demo volunteers hold confirmed roles.
                services.propose_role_assignment(
                    member, roles[slug], actor=None, decision="AG du 14 juin 2025, résolution 3"
                )
            TOTPDevice.objects.create(user=member, name="demo", key=key, confirmed=True)
            offer_services.subscribe(
                member, offers["vpn"], actor=None, starts_on=today - timedelta(days=400)
            )
        for index, (username, first, last, city) in enumerate(MEMBERS):
            member = self._member(username, first, last, city)
            services.admit_member(member, actor=None, on=today - timedelta(days=100 + 40 * index))
            offer_services.subscribe(
                member,
                offers["vpn"],
                actor=None,
                starts_on=today - timedelta(days=90 + 30 * index),
                monthly_price=Decimal("2.00") + index,
            )
            if index % 2 == 0:
                offer_services.subscribe(
                    member, offers["vdsl"], actor=None, starts_on=today - timedelta(days=60)
                )
        organisation = self._member(
            "fabrique",
            "",
            "",
            "Lyon",
            kind=MemberKind.ORGANISATION,
            organisation="Association La Fabrique",
        )
        services.admit_member(organisation, actor=None, on=today - timedelta(days=500))
        offer_services.subscribe(
            organisation, offers["housing-1u"], actor=None, starts_on=today - timedelta(days=480)
        )
        offer_services.subscribe(
            organisation, offers["vpn"], actor=None, starts_on=today - timedelta(days=480)
        )
        self._member("henri", "Henri", "Garnier", "Lyon")  # an applicant waiting for admission
        load_demo_dsl(today)  # a RADIUS server, DSL lines ordered, scheduled, active, in fault
        load_demo_billing(
            today
        )  # settings, invoices of the last two months, payments, a SEPA mandate
        load_demo_datacenter(today)  # a room, two racks, a shelf, a dozen machines
        load_demo_federation(today)  # isp.json, the last quarter's report, two partner ISPs

    def _print_logins(self):
        write = self.stdout.write
        write("")
        write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        write(
            "  members:    "
            + ", ".join(username for username, *_ in MEMBERS)
            + ", fabrique (organisation), henri (applicant)"
        )
        write("  volunteers (two-factor code needed; `oathtool --totp -b KEY` prints it):")
        for username, _first, _last, roles, key in VOLUNTEERS:
            write(
                f"    {username:<10} roles: {', '.join(roles):<20} "
                f"TOTP key: {b32encode(bytes.fromhex(key)).decode()}"
            )
