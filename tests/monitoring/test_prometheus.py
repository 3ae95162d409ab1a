"""A real Prometheus (Debian's) scrapes coin's /metrics with the token; the alert rules pass
``promtool check`` and ``promtool test``; rules and dashboards use only metrics coin exports.

Prometheus listens on 127.0.0.1 only and scrapes the test's live server on 127.0.0.1.
"""

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from coin.members.choices import MemberStatus
from monitoring.collector import METRICS

RULES = Path(django_settings.BASE_DIR) / "monitoring" / "prometheus"
DASHBOARDS = Path(django_settings.BASE_DIR) / "monitoring" / "grafana"
TOKEN = "scrape-token-for-prometheus"
# Metrics Prometheus makes itself, which rules may use.
PROMETHEUS_OWN = {"up"}


def _binary(name):
    path = shutil.which(name)
    assert path, f"{name} is missing: scripts/common.sh installs Debian's prometheus"
    return path


def test_the_alert_rules_are_valid_and_their_unit_tests_pass():
    promtool = _binary("promtool")
    subprocess.run([promtool, "check", "rules", "rules.yml"], cwd=RULES, check=True)
    result = subprocess.run(
        [promtool, "test", "rules", "rules_test.yml"], cwd=RULES, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _names_in(expression):
    words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", re.sub(r'"[^"]*"', "", expression)))
    return {word for word in words if word.startswith("coin_") or word in PROMETHEUS_OWN}


def test_rules_and_dashboards_use_only_metrics_coin_exports():
    used = set()
    for line in (RULES / "rules.yml").read_text().splitlines():
        if line.strip().startswith("expr:"):
            used |= _names_in(line.split("expr:", 1)[1])
    for dashboard in DASHBOARDS.glob("*.json"):
        for panel in json.loads(dashboard.read_text())["panels"]:
            for target in panel["targets"]:
                used |= _names_in(target["expr"])
    assert used, "no metric found: the check itself is broken"
    assert used - set(METRICS) - PROMETHEUS_OWN == set()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _query(port, expression):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)["data"]["result"]


@pytest.mark.django_db(transaction=True)
def test_prometheus_scrapes_the_figures_with_the_token(
    live_server, make_member, tmp_path, settings
):
    prometheus = _binary("prometheus")
    for _i in range(3):
        make_member()
    make_member(status=MemberStatus.RESIGNED)
    settings.COIN_METRICS_TOKEN = TOKEN
    target = live_server.url.split("//", 1)[1].replace("localhost", "127.0.0.1")
    (tmp_path / "token").write_text(TOKEN)
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: coin\n"
        "    authorization: {type: Bearer, credentials_file: " + str(tmp_path / "token") + "}\n"
        f"    static_configs: [{{targets: ['{target}']}}]\n"
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            prometheus,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline, result = time.monotonic() + 60, []
        while time.monotonic() < deadline:
            try:
                result = _query(port, 'coin_members{status="active"}')
            except OSError:
                result = []
            if result:
                break
            time.sleep(0.5)
        assert result, "Prometheus never got coin's figures"
        assert float(result[0]["value"][1]) == 3
        assert _query(port, 'up{job="coin"}')[0]["value"][1] == "1"
    finally:
        server.terminate()
        server.wait(timeout=20)
