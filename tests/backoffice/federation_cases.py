"""The federation pages' cases of the back-office matrix (test_matrix.py adds them to CASES).

Every federation page belongs to the board. The world gets an ISP description, a covered
area, a draft and a published report, and a partner whose documents are never fetched
(its URLs are on 127.0.0.1, on a port nothing listens to; the matrix never fetches).
"""

from datetime import date

from coin.federation import services
from coin.federation.models import CoveredArea, IspProfile, Partner, Report


def fed(world):
    """The world's federation objects, made once."""
    if not hasattr(world, "federation"):
        services.update_profile(actor=None, name="Rézo Libre", email="contact@rezo.example")
        area = services.save_covered_area(actor=None, name="Lyon", technologies=["vpn"])
        draft = services.generate_report(
            actor=None, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31)
        )
        published = services.publish_report(
            services.generate_report(
                actor=None, period_start=date(2025, 10, 1), period_end=date(2025, 12, 31)
            ),
            actor=None,
        )
        partner = services.save_partner(
            actor=None, name="Partenaire", isp_json_url="http://127.0.0.1:9/isp.json"
        )
        world.federation = {
            "area": area,
            "draft": draft,
            "published": published,
            "partner": partner,
        }
    return world.federation


def _pk(name):
    return lambda w: [fed(w)[name].pk]


def federation_cases(Case):
    """{page name: Case} for the federation pages, built with test_matrix's Case."""
    return {
        "isp_profile": Case("board", args=lambda w: fed(w) and []),
        "isp_profile_edit": Case(
            "board",
            args=lambda w: fed(w) and [],
            data=lambda w: {
                "name": "Rézo Libre",
                "email": "contact@rezo.example",
                "shortname": "RL",
                "finance_sharing": "totals",
                "other_websites": "wiki = https://wiki.rezo.example/",
                "chatrooms": "irc://irc.example.net/#rezo",
            },
            done=lambda w: IspProfile.load().shortname == "RL",
        ),
        "covered_area_add": Case(
            "board",
            args=lambda w: fed(w) and [],
            data=lambda w: {"name": "Bron", "technologies": ["wifi"], "shape": "", "position": "2"},
            done=lambda w: CoveredArea.objects.filter(name="Bron").exists(),
        ),
        "covered_area_edit": Case(
            "board",
            args=_pk("area"),
            data=lambda w: {"name": "Lyon", "technologies": ["vpn", "dsl"], "position": "1"},
            done=lambda w: CoveredArea.objects.get(name="Lyon").technologies == ["vpn", "dsl"],
        ),
        "covered_area_remove": Case(
            "board",
            args=_pk("area"),
            data=lambda w: {"confirm": "on"},
            done=lambda w: not CoveredArea.objects.filter(name="Lyon").exists(),
        ),
        "report_list": Case("board", args=lambda w: fed(w) and []),
        "report_detail": Case("board", args=_pk("published")),
        "report_json": Case("board", args=_pk("published")),
        "report_pdf": Case("board", args=_pk("draft")),
        "report_generate": Case(
            "board",
            args=lambda w: fed(w) and [],
            data=lambda w: {"period_start": "2025-07-01", "period_end": "2025-09-30"},
            done=lambda w: Report.objects.filter(period_start=date(2025, 7, 1)).exists(),
        ),
        "report_publish": Case(
            "board",
            args=_pk("draft"),
            data=lambda w: {"confirm": "on"},
            done=lambda w: Report.objects.get(pk=fed(w)["draft"].pk).is_published,
        ),
        "report_discard": Case(
            "board",
            args=_pk("draft"),
            data=lambda w: {"confirm": "on"},
            done=lambda w: not Report.objects.filter(pk=fed(w)["draft"].pk).exists(),
        ),
        "partner_list": Case("board", args=lambda w: fed(w) and []),
        "partner_detail": Case("board", args=_pk("partner")),
        "partner_add": Case(
            "board",
            args=lambda w: fed(w) and [],
            data=lambda w: {
                "name": "Autre FAI",
                "isp_json_url": "https://autre.example/isp.json",
                "reports_url": "",
                "active": "on",
            },
            done=lambda w: Partner.objects.filter(name="Autre FAI").exists(),
        ),
        "partner_edit": Case(
            "board",
            args=_pk("partner"),
            data=lambda w: {
                "name": "Partenaire renommé",
                "isp_json_url": "http://127.0.0.1:9/isp.json",
                "reports_url": "",
            },
            done=lambda w: (
                Partner.objects.get(pk=fed(w)["partner"].pk).name == "Partenaire renommé"
            ),
        ),
        "partner_fetch": Case(
            "board",
            args=_pk("partner"),
            data=lambda w: {"confirm": "on"},
            # Port 9 of 127.0.0.1 refuses the connection: tried at once, marked unreachable.
            done=lambda w: (
                Partner.objects.get(pk=fed(w)["partner"].pk).sources.get().status == "unreachable"
            ),
        ),
        "federation_view": Case("board", args=lambda w: fed(w) and []),
    }
