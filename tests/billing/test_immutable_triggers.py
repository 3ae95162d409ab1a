"""Issue 12 item 14: the database itself refuses to change legal documents and payments.

PostgreSQL (the suite's database) refuses deleting or rewriting a payment whatever the path.
SQLite (development installs) gets the triggers PostgreSQL has: the project's migrations are
run into a real SQLite file, then raw SQL tries to rewrite what must never change.
"""

import os
import sqlite3
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from billing import services
from billing.models import ImmutableDocumentError, Payment

# The SQLite tests share one migrated file: keep them on one xdist worker, migrated once.
SQLITE_GROUP = pytest.mark.xdist_group("sqlite-triggers")


def test_postgresql_refuses_deleting_or_rewriting_a_payment(make_member, issued_invoice):
    assert connection.vendor == "postgresql"
    member = make_member()
    issued_invoice(member, "30.00")
    payment = services.record_payment(member, actor=None, amount="30", method="cash")
    with pytest.raises(ImmutableDocumentError):
        Payment.objects.filter(pk=payment.pk).delete()
    for sql in (
        "DELETE FROM billing_payment WHERE id = %s",
        "UPDATE billing_payment SET amount = 1 WHERE id = %s",
        "UPDATE billing_payment SET received_on = '2026-01-02' WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="never"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [payment.pk])
    payment.refresh_from_db()
    assert payment.amount == Decimal("30.00") and payment.received_on != date(2026, 1, 2)


def _insert(db, table, **values):
    """Insert a row giving every NOT NULL column without default a plain value of its type."""
    for _cid, name, kind, notnull, default, pk in db.execute(f"PRAGMA table_info({table})"):
        if name in values or pk or not notnull or default is not None:
            continue
        kind = kind.lower()
        if "date" in kind:
            values[name] = "2026-01-01"
        elif "text" in kind and name == "issuer":
            values[name] = "{}"
        elif any(word in kind for word in ("int", "decimal", "bool", "real")):
            values[name] = 0
        else:
            values[name] = ""
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    return db.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values())
    ).lastrowid


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "coin.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0"],
        env={**env, "DJANGO_SETTINGS_MODULE": "coin.settings"},
        cwd=settings.BASE_DIR,
        check=True,
        timeout=300,
    )
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = OFF")
    member = _insert(db, "members_member", username="m", email="m@example.org")
    invoice = _insert(
        db,
        "billing_invoice",
        member_id=member,
        status="issued",
        kind="invoice",
        number="2026-000001",
        issued_on="2026-01-01",
        total=10,
    )
    _insert(
        db,
        "billing_invoiceline",
        invoice_id=invoice,
        description="VPN",
        unit_price=5,
        quantity=2,
        amount=10,
    )
    note = _insert(
        db,
        "billing_creditnote",
        invoice_id=invoice,
        member_id=member,
        number="AV-2026-000001",
        amount=1,
    )
    payment = _insert(
        db, "billing_payment", member_id=member, kind="receipt", method="cash", amount=5
    )
    yield db, {"invoice": invoice, "note": note, "payment": payment}
    db.close()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE billing_creditnote SET amount = 999 WHERE id = :note",
        "DELETE FROM billing_creditnote WHERE id = :note",
        "UPDATE billing_invoice SET total = 999 WHERE id = :invoice",
        "DELETE FROM billing_invoice WHERE id = :invoice",
        "UPDATE billing_invoiceline SET amount = 999 WHERE invoice_id = :invoice",
        "DELETE FROM billing_invoiceline WHERE invoice_id = :invoice",
        "UPDATE billing_payment SET amount = 999 WHERE id = :payment",
        "DELETE FROM billing_payment WHERE id = :payment",
    ],
)
@SQLITE_GROUP
def test_sqlite_refuses_raw_changes_to_documents_and_payments(sqlite_db, sql):
    db, ids = sqlite_db
    with pytest.raises(sqlite3.IntegrityError, match="cannot|never"):
        db.execute(sql, ids)


@SQLITE_GROUP
def test_sqlite_still_lets_the_caches_move(sqlite_db):
    db, ids = sqlite_db
    db.execute("UPDATE billing_invoice SET amount_paid = 5 WHERE id = :invoice", ids)
    db.execute("UPDATE billing_creditnote SET email_status = 'sent' WHERE id = :note", ids)
    db.execute("UPDATE billing_payment SET refunded = 1 WHERE id = :payment", ids)
    assert db.execute("SELECT amount_paid FROM billing_invoice").fetchone()[0] == 5
