"""The arrows between bot's modules point one way: no import cycle anywhere in bot/ (an import inside a
function or under TYPE_CHECKING counts too), and the core never imports an adapter or Slack's SDK.

Read from the source (ast), so the check covers every module whether or not a test imports it.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"

# The core: no Slack here (adapters render and dispatch what it returns).
CORE = (
    "bot.answers",
    "bot.routing",
    "bot.flows",
    "bot.customers",
    "bot.feedback",
    "bot.conversation",
    "bot.models",
    "bot.privacy",
)
ADAPTERS = ("bot.slack", "bot.cli", "bot.console")
SLACK_LIBRARIES = ("slack_bolt", "slack_sdk")
# Routing is below the parts that use it.
ABOVE_ROUTING = ("bot.answers", "bot.flows", "bot.feedback", "bot.conversation")


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package at `root` (migration scripts aside:
    Alembic loads them by path)."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if "versions" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def imported_names(path: Path, module: str) -> set[str]:
    """Every module name `path` imports, wherever the import statement stands (relative ones resolved)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from bot.slack import stores` imports the module bot.slack.stores; `from bot.answers import
            # topics` the package bot.answers (`import_graph` cuts a name back to its module).
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (a name is cut back to the module that defines it)."""
    modules = module_files(root)

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = {owner(name) for name in imported_names(path, module)}
        graph[module] = {target for target in targets if target and target != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One import cycle per strongly connected group of modules (Tarjan), each as a path back to its start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(cycle_through(graph, set(group), min(group)))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def cycle_through(graph: dict[str, set[str]], group: set[str], start: str) -> list[str]:
    """A shortest import path from `start` back to itself inside `group` (for the failure message)."""
    paths = [[start]]
    while paths:
        path = paths.pop(0)
        for target in sorted(graph[path[-1]] & group):
            if target == start:
                return [*path, start]
            if target not in path:
                paths.append([*path, target])
    raise AssertionError(f"{start} is in no cycle of {sorted(group)}")


def within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def test_no_import_cycle_in_bot() -> None:
    assert cycles(import_graph(BOT)) == []


def test_the_core_imports_no_adapter_and_no_slack_library() -> None:
    offences = []
    for module, path in module_files(BOT).items():
        if not within(module, CORE):
            continue
        for name in imported_names(path, module):
            if within(name, ADAPTERS + SLACK_LIBRARIES):
                offences.append(f"{module} imports {name}")
    assert offences == []


def test_routing_imports_nothing_above_it() -> None:
    graph = import_graph(BOT)
    offences = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if within(module, ("bot.routing",))
        for target in targets
        if within(target, ABOVE_ROUTING)
    ]
    assert offences == []


def test_the_checks_see_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    package = tmp_path / "bot"
    (package / "slack").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "slack" / "__init__.py").write_text("")
    (package / "slack" / "work.py").write_text("from bot.slack.replies import answer\n")
    (package / "slack" / "replies.py").write_text("from . import listeners\n\ndef answer(): ...\n")
    (package / "slack" / "listeners.py").write_text("def run():\n    from bot.slack import work\n")
    (package / "routing.py").write_text("import bot.slack.work\n")
    graph = import_graph(package)
    assert graph["bot.routing"] == {"bot.slack.work"}
    assert cycles(graph) == [
        ["bot.slack.listeners", "bot.slack.work", "bot.slack.replies", "bot.slack.listeners"]
    ]
