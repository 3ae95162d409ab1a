"""docs/ stands on its own: no page points outside the repository."""

from .sources import ROOT

DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]


def test_docs_never_point_outside_the_repository():
    outside = [
        doc.name for doc in DOCS if any(mark in doc.read_text() for mark in ("../", "/work/"))
    ]
    assert outside == []


def test_adding_an_app_is_documented():
    checklist = (ROOT / "docs" / "adding-an-app.md").read_text()
    for step in ("audit.register", '"apps"', "panels.register", "ID_URLS", "translating.md"):
        assert step in checklist or step.strip('"') in checklist, step
