"""Counts agree with their noun in French: "1 préfixe", "2 préfixes", never "1 préfixes"."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext


def usage(count):
    return SimpleNamespace(
        allocations=count,
        allocated_percent=1.5,
        reserved_percent=0,
        quarantined_percent=0,
        free_percent=98.5,
    )


@pytest.mark.parametrize(
    ("count", "expected"), [(1, "1 préfixe ·"), (3, "3 préfixes ·"), (0, "0 préfixe ·")]
)
def test_a_pools_usage_counts_its_prefixes_in_good_french(count, expected):
    with translation.override("fr"):
        html = render_to_string("netops/ipam/usage_bar.html", {"usage": usage(count)})
    assert expected in html


def test_a_pools_usage_in_english_says_prefix_for_one():
    with translation.override("en"):
        assert "1 prefix ·" in render_to_string("netops/ipam/usage_bar.html", {"usage": usage(1)})


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((1, 1, 1), "1 ligne lue, 1 nouvelle, 1 rapprochée d'une facture."),
        ((5, 2, 2), "5 lignes lues, 2 nouvelles, 2 rapprochées de factures."),
    ],
)
def test_the_statement_import_summary_agrees_with_each_count(counts, expected):
    from billing.jobs import import_summary

    result = SimpleNamespace(line_count=counts[0], new_count=counts[1], matched_count=counts[2])
    with translation.override("fr"):
        assert import_summary(result) == expected


def test_a_provisioning_jobs_changes_agree_with_their_counts():
    from netops.provisioning.admin import ProvisioningJobAdmin

    job = SimpleNamespace(
        changed_files=["wg0.conf"], removed_files=[], routes_added=["a", "b"], routes_removed=[]
    )
    with translation.override("fr"):
        summary = ProvisioningJobAdmin.changed_summary(None, job)
    assert summary == "1 fichier écrit, 0 supprimé ; 2 routes ajoutées, 0 route retirée"


@pytest.mark.parametrize(
    ("message", "name", "wrong"),
    [
        ("Add %s", "abonnement", "Ajout de abonnement"),
        ("Change %s", "offre", "Modification de offre"),
        ("View %s", "entrée du journal d'audit", "Affichage de entrée"),
    ],
)
def test_the_volunteer_areas_titles_fit_any_model_name(message, name, wrong):
    with translation.override("fr"):
        title = gettext(message) % name
    assert wrong not in title and name in title


def test_deleting_a_selection_does_not_guess_the_nouns_gender():
    with translation.override("fr"):
        label = gettext("Delete selected %(verbose_name_plural)s") % {
            "verbose_name_plural": "factures"
        }
    assert "sélectionnés" not in label and "factures" in label


def test_the_add_page_of_a_subscription_has_a_french_title(make_member, login):
    from django.urls import reverse

    client = login(make_member(roles=["admissions"], language="fr"))
    page = client.get(reverse("admin:offers_subscription_add")).content.decode()
    assert "Ajout : abonnement" in page and "Ajout de abonnement" not in page
