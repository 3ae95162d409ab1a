"""The demo's datacenter: one room, two racks, a shelf, a dozen machines (called by ``load_demo``)."""

from datetime import timedelta

from coin.members.models import Member
from coin.offers import services as offer_services
from coin.offers.models import Offer

from . import services
from .models import PDU, Outlet, Port, Rack, Room, Shelf, Site, Switch

# owner username (None: the association), description, rack index or "shelf", unit or slot, U, W
MACHINES = [
    (None, "Routeur de bordure", 0, 40, 1, 60),
    (None, "Switch d'agrégation", 0, 38, 1, 40),
    (None, "Hyperviseur asso (vm1)", 0, 30, 2, 220),
    (None, "Sauvegardes (nas1)", 1, 20, 2, 120),
    ("fabrique", "Serveur web de La Fabrique", 0, 20, 1, 90),
    ("fabrique", "Stockage de La Fabrique", 0, 12, 4, 250),
    ("alix", "Serveur mail d'Alix", 0, 5, 1, 70),
    ("chloe", "Machine de calcul de Chloé", 1, 10, 3, 300),
    ("farid", "Serveur Farid (1U)", 1, 30, 1, 80),
    ("alix", "Raspberry Pi d'Alix", "shelf", 1, None, 8),
    ("chloe", "Mini-PC de Chloé", "shelf", 2, None, 25),
    (None, "Sonde de température", "shelf", 4, None, 5),
]


def load_demo_datacenter(today):
    """Create the room with its racks, shelf, switch, PDUs and machines (the system acting)."""
    site = Site.objects.create(name="Local associatif", address="12 rue des Serveurs\n69007 Lyon")
    room = Room.objects.create(
        site=site,
        name="Salle 1",
        access_instructions=(
            "Sur rendez-vous avec un bénévole du groupe datacenter, du lundi au samedi, "
            "9 h – 20 h. Badge à l'accueil, pièce d'identité demandée."
        ),
    )
    racks = [
        Rack.objects.create(room=room, name="Baie A", height_u=42, power_budget_w=2000),
        Rack.objects.create(
            room=room,
            name="Baie B",
            height_u=42,
            power_budget_w=1500,
            notes="Porte arrière fragile.",
        ),
    ]
    shelf = Shelf.objects.create(room=room, name="Étagère", slots=8, power_budget_w=200)
    switch = Switch.objects.create(room=room, rack=racks[0], name="sw-salle1")
    ports = [Port.objects.create(switch=switch, name=f"ge-0/0/{n}") for n in range(24)]
    outlets = []
    for rack in racks:
        pdu = PDU.objects.create(rack=rack, name=f"pdu-{rack.name[-1].lower()}")
        outlets += [Outlet.objects.create(pdu=pdu, number=n) for n in range(1, 13)]
    housing = Offer.objects.get(code="housing-1u")
    subscriptions = {}
    for index, (username, description, where, position, height, watts) in enumerate(MACHINES):
        subscription = None
        if username is not None:
            if username not in subscriptions:
                member = Member.objects.get(username=username)
                subscriptions[username] = member.subscriptions.filter(
                    offer=housing
                ).first() or offer_services.subscribe(
                    member, housing, actor=None, starts_on=today - timedelta(days=200)
                )
            subscription = subscriptions[username]
        placement = (
            {"shelf": shelf, "slot": position}
            if where == "shelf"
            else {"rack": racks[where], "first_unit": position, "height_u": height}
        )
        machine = services.arrive(
            actor=None,
            subscription=subscription,
            description=description,
            declared_power_w=watts,
            arrived_on=today - timedelta(days=150 - 10 * index),
            access_contacts="" if username is None else f"{username}@example.org",
            **placement,
        )
        services.patch_port(machine, ports[index], actor=None)
        if where != "shelf":
            services.plug_outlet(machine, outlets[index], actor=None)
