"""``coin render_reverse_zones DIR``: write the reverse DNS zone files of every pool."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from netops.ipam import rdns
from netops.ipam.models import IPPool


class Command(BaseCommand):
    help = "Write the reverse DNS zones (in-addr.arpa, RFC 2317, ip6.arpa) of every pool into DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--serial", type=int, default=None, help="SOA serial (default: the current Unix time)."
        )

    def handle(self, directory, serial=None, **options):
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        files = rdns.render_all(IPPool.objects.all(), serial or int(time.time()))
        for name, text in files.items():
            (target / name).write_text(text)
            self.stdout.write(str(target / name))
