"""The project's own Python modules, parsed with ``ast`` (no import): names, trees, import edges."""

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The project's top-level packages (tests and scripts are not part of the import graph).
PACKAGES = ("coin", "billing", "netops", "datacenter", "monitoring", "demo")


@cache
def modules():
    """{dotted name: (path, is_package)} of every project module outside migrations."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if "migrations" in parts:
                continue
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            found[".".join(parts)] = (path, is_package)
    return found


@cache
def tree(name):
    """The parsed source of module ``name``."""
    return ast.parse(modules()[name][0].read_text(), filename=str(modules()[name][0]))


def targets(name, node):
    """The project modules an Import/ImportFrom node of module ``name`` imports."""
    known = modules()
    if isinstance(node, ast.Import):
        found = [alias.name for alias in node.names]
    else:
        base = name if known[name][1] else name.rpartition(".")[0]
        for _level in range(node.level - 1):
            base = base.rpartition(".")[0]
        source = node.module if not node.level else ".".join(filter(None, [base, node.module]))
        # "from package import module" imports the module; "from module import name" the module.
        found = [
            f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
            for alias in node.names
        ]
    return [target for target in found if target in known]


def module_level_imports(name):
    """Import nodes run when module ``name`` is imported (outside functions and classes)."""
    pending, found = list(tree(name).body), []
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If | ast.Try | ast.With):
            pending.extend(ast.iter_child_nodes(node))
        elif isinstance(node, ast.ExceptHandler):
            pending.extend(node.body)
    return found


def import_graph():
    """{module: set of project modules it imports when imported}."""
    return {
        name: {target for node in module_level_imports(name) for target in targets(name, node)}
        for name in modules()
    }


def function_local_imports():
    """[(module, function name, line, imported project modules)] for imports inside functions."""
    found = []
    for name in modules():
        for function in ast.walk(tree(name)):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and targets(name, node):
                    found.append((name, function.name, node.lineno, targets(name, node)))
    return found


def cycles(graph):
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph.get(node, ()):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found
