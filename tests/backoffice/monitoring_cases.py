"""The incident pages' cases of the back-office matrix (test_matrix.py adds them to CASES)."""

from monitoring import incidents
from monitoring.models import Incident


def incident(world):
    """An open incident naming no endpoint, made once per world."""
    if not hasattr(world, "incident"):
        world.incident = incidents.post_incident(
            actor=None, title="Coupure électrique", text="La salle est sans courant."
        )
    return world.incident


def monitoring_cases(Case):
    """{page name: Case} for the incident pages, built with test_matrix's Case."""
    return {
        "incident_list": Case("network"),
        "incident_detail": Case("network", args=lambda w: [incident(w).pk]),
        "incident_add": Case(
            "network",
            data=lambda w: {"title": "Travaux", "text": "Maintenance du serveur VPN ce soir."},
            done=lambda w: Incident.objects.filter(title="Travaux").exists(),
        ),
        "incident_close": Case(
            "network",
            args=lambda w: [incident(w).pk],
            data=lambda w: {"confirm": "on"},
            done=lambda w: Incident.objects.get(pk=incident(w).pk).ends_at is not None,
        ),
    }
