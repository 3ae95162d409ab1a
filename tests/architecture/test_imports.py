"""No import cycle in the project, and none hidden inside a function.

How: every module is parsed with ``ast`` (nothing imported), the imports run at
module load give a graph whose strongly connected components must be single
modules; imports inside functions are refused outright (except in
``AppConfig.ready``, which Django calls once every model is loaded). Then a
fresh interpreter imports every module, to show the graph is complete and true.
"""

import subprocess
import sys

from .sources import ROOT, cycles, function_local_imports, import_graph, modules

# Django runs AppConfig.ready after every app's models are loaded: importing
# models, receivers and panels there is its documented place, not a cycle.
ALLOWED_FUNCTIONS = {"ready"}


def test_no_function_imports_a_project_module():
    local = [
        f"{module}.{function}() line {line}: {', '.join(targets)}"
        for module, function, line, targets in function_local_imports()
        if function not in ALLOWED_FUNCTIONS
    ]
    assert local == []


def test_the_module_import_graph_has_no_cycle():
    assert cycles(import_graph()) == []


def _component(module):
    """The unit a layer rule speaks of: netops.vpn, netops.provisioning, billing, coin..."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "netops" and len(parts) > 1 else parts[0]


def test_layers_point_one_way():
    """Core never imports the apps, netops never imports billing, provisioning never imports vpn."""
    forbidden = {
        "coin": {"billing", "netops", "datacenter", "monitoring", "demo"},
        "netops": {"billing", "datacenter", "monitoring", "demo"},
        "billing": {"datacenter", "monitoring", "demo"},
        "datacenter": {"monitoring", "demo"},
        "netops.provisioning": {"netops.vpn"},
        "netops.ipam": {"netops.vpn", "netops.provisioning"},
    }
    wrong = sorted(
        f"{source} -> {target}"
        for source, imported in import_graph().items()
        for target in imported
        for rule, banned in forbidden.items()
        if (source == rule or source.startswith(rule + "."))
        and (_component(target) in banned or target.split(".")[0] in banned)
    )
    assert wrong == []


def test_netops_sub_apps_do_not_depend_on_each_other_both_ways():
    graph = {}
    for source, imported in import_graph().items():
        for target in imported:
            a, b = _component(source), _component(target)
            if a != b and a.startswith("netops.") and b.startswith("netops."):
                graph.setdefault(a, set()).add(b)
    assert cycles(graph) == []


def test_every_module_imports():
    """A fresh interpreter imports each module after django.setup(): none fails."""
    names = sorted(name for name in modules() if name != "coin.manage")
    script = (
        "import importlib, sys, django\n"
        "django.setup()\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
