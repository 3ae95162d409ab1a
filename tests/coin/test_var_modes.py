"""A fresh start creates var/ and everything in it owner-only, whatever the caller's umask."""

import stat

from .startup import run_coin

# What a first run writes besides the database: an invoice PDF (through the storage invoices
# use, into a new year directory) and a message in the Celery queue.
STORE_A_PDF_AND_QUEUE_A_TASK = """
from django.core.files.base import ContentFile
from billing.models import Invoice
from netops.ipam.tasks import end_quarantines
Invoice._meta.get_field("pdf").storage.save("billing/invoices/2026/F-1.pdf", ContentFile(b"%PDF-"))
end_quarantines.delay()
"""


def test_a_fresh_start_creates_var_owner_only(tmp_path):
    var = tmp_path / "var"
    env = {"COIN_VAR_DIR": str(var), "COIN_DEBUG": "1"}
    for args in (
        ("migrate", "--noinput", "-v", "0"),
        ("shell", "-c", STORE_A_PDF_AND_QUEUE_A_TASK),
    ):
        done = run_coin(*args, env=env, umask=0o022)
        assert done.returncode == 0, done.stderr

    created = [var, *var.rglob("*")]
    names = {path.name for path in created}
    # The files that hold secrets are among those checked.
    assert {"coin.sqlite3", "secret_key", "coin_encryption_keys"} <= names
    assert any(path.suffix == ".pdf" for path in created)
    assert any(path.parent.name == "queue" and path.is_file() for path in created)
    readable_by_others = {
        str(path.relative_to(tmp_path)): oct(stat.S_IMODE(path.stat().st_mode))
        for path in created
        if path.stat().st_mode & 0o077
    }
    assert readable_by_others == {}
    assert stat.S_IMODE(var.stat().st_mode) == 0o700


def test_an_existing_world_readable_var_is_narrowed(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    done = run_coin("check", env={"COIN_VAR_DIR": str(var)})
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
