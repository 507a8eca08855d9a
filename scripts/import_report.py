"""Import report for issue 20 (a core that knows no form kind): cycles, mutual apps, upward imports.

Run from the repository root:  .venv/bin/python scripts/import_report.py [--moves]

The graph is grimp's: every import statement of the first-party packages, including the ones
written inside functions and under `if TYPE_CHECKING:` (as lint-imports sees them). Tests,
migrations and bench are left out. Packages of the target layout that do not exist yet
(config, demo, kinds, common) are simply skipped.

Sections printed:
  1. import cycles: strongly connected components of more than one module in the module graph;
  2. pairs of apps importing each other (an app is a top-level package, or kinds.<x>);
  3. "upward" imports: a module of a lower layer importing a module of a higher one (LAYERS);
  4. imports from the core into a kind, and between two different kinds (KIND_OF).

--moves also counts section 3 as if the modules in MOVES had already moved (portal's project
shell into config, its demo data into demo): what is left is what the refactor must untangle.
"""

import argparse
import os
import sys
from collections import defaultdict
from importlib.util import find_spec

import grimp

# Layers, top first. A module may import its own layer and the layers below it, never above.
# Today's names sit beside the target ones: suppliers + sirene become kinds.tiers, service_done
# and fixed_assets move under kinds; portal (the organisations app) is counted as core.
# The order of pyproject.toml's layers contract (reports read across kinds; messaging and
# notifications hear of the core's events through cases.signals). The figures of issue 20's
# "before" were taken with the reports and messaging in one layer below the kinds
# (19 upward imports then, 4 of them reports -> kinds).
LAYERS = [
    ("top", ["config", "demo"]),
    ("reports", ["dashboards", "reminders"]),
    ("kinds", ["kinds", "suppliers", "sirene", "service_done", "fixed_assets"]),
    ("messaging", ["messaging"]),
    ("notifications", ["notifications"]),
    ("core", ["cases", "documents", "forms_catalog", "conventions", "portal", "common"]),
]

# Which kind a package belongs to (packages under `kinds.` are their own kind: kinds.<x>).
KIND_OF = {
    "suppliers": "tiers",
    "sirene": "tiers",
    "service_done": "service_done",
    "fixed_assets": "fixed_assets",
}

# Modules that the refactor moves out of the core (used with --moves only): module prefix -> app.
MOVES = {
    "portal.settings": "config",
    "portal.urls": "config",
    "portal.views": "config",
    "portal.wsgi": "config",
    "portal.asgi": "config",
    "portal.demo_data": "demo",
    "portal.management.commands.seed_demo": "demo",
}

EXCLUDED_PARTS = {"tests", "migrations", "bench", "conftest"}


def layer_of_package(package: str) -> int | None:
    for index, (_name, packages) in enumerate(LAYERS):
        if package in packages:
            return index
    return None


def is_excluded(module: str) -> bool:
    return any(part in EXCLUDED_PARTS or part.startswith("test_") for part in module.split("."))


def first_party_packages() -> list[str]:
    """The layered packages that exist, plus any other top-level package of the repository."""
    declared = [package for _name, packages in LAYERS for package in packages]
    found = []
    for package in declared:
        if find_spec(package) is not None and os.path.isdir(package):
            found.append(package)
    for entry in sorted(os.listdir(".")):
        if entry in declared or is_excluded(entry) or entry.startswith("."):
            continue
        if os.path.isfile(os.path.join(entry, "__init__.py")):
            found.append(entry)
    return found


def app_of(module: str, moves: dict[str, str]) -> str:
    """The app a module belongs to: its top-level package, or kinds.<x>, or where MOVES puts it."""
    for prefix, app in moves.items():
        if module == prefix or module.startswith(prefix + "."):
            return app
    parts = module.split(".")
    if parts[0] == "kinds" and len(parts) > 1:
        return "kinds." + parts[1]
    return parts[0]


def layer_of_app(app: str) -> int | None:
    return layer_of_package(app.split(".")[0])


def kind_of_app(app: str) -> str | None:
    if app.startswith("kinds."):
        return app.split(".", 1)[1]
    return KIND_OF.get(app)


def module_path(module: str) -> str | None:
    base = module.replace(".", os.sep)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(candidate):
            return candidate
    return None


_sources: dict[str, list[str]] = {}


def is_indented(module: str, line_number: int) -> bool:
    """Whether the import line is indented (inside a function, a class, a try or an if)."""
    if module not in _sources:
        path = module_path(module)
        _sources[module] = open(path, encoding="utf-8").read().splitlines() if path else []
    lines = _sources[module]
    if not 0 < line_number <= len(lines):
        return False
    line = lines[line_number - 1]
    return line[:1].isspace()


def describe(graph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    places = []
    for detail in details:
        number = detail["line_number"]
        local = " local" if is_indented(importer, number) else ""
        places.append(f"l.{number}{local}")
    where = f" ({', '.join(places)})" if places else ""
    return f"{importer} -> {imported}{where}"


def strongly_connected_components(nodes, edges) -> list[list[str]]:
    """Tarjan's algorithm, iterative (a recursive one could hit Python's recursion limit)."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components = []
    counter = 0
    for root in sorted(nodes):
        if root in index_of:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index_of:
                    index_of[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(edges[successor]))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index_of[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", action="store_true",
                        help="also count upward imports as if the modules in MOVES had moved")
    parser.add_argument("--brief", action="store_true", help="figures only, no lists")
    args = parser.parse_args()

    sys.path.insert(0, os.getcwd())
    packages = first_party_packages()
    if not packages:
        print("No first-party package found: run this from the repository root.", file=sys.stderr)
        return 2
    graph = grimp.build_graph(*packages, cache_dir=None)
    modules = {module for module in graph.modules if not is_excluded(module)}
    edges: dict[str, set[str]] = {module: set() for module in modules}
    for importer in modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            if imported in modules and imported != importer:
                edges[importer].add(imported)
    imports = sorted((a, b) for a, edges_of_a in edges.items() for b in edges_of_a)

    declared = {package for _name, layer_packages in LAYERS for package in layer_packages}
    absent = sorted(package for package in declared if package not in packages)
    unlayered = sorted(package for package in packages if package not in declared)
    print(f"Import report (grimp {getattr(grimp, '__version__', '?')})")
    print(f"Packages analysed: {', '.join(packages)}")
    print(f"Declared but absent (skipped): {', '.join(absent) or '-'}")
    print(f"Present but in no layer: {', '.join(unlayered) or '-'}")
    print(f"Modules: {len(modules)}; imports between them: {len(imports)} "
          "(tests, migrations and bench excluded)")
    print("Layers (top first): " + "  >  ".join(
        f"{name} [{', '.join(p for p in layer_packages if p in packages) or '-'}]"
        for name, layer_packages in LAYERS))
    print()

    # 1. Cycles.
    cycles = [c for c in strongly_connected_components(modules, edges) if len(c) > 1]
    cycles.sort(key=lambda component: (-len(component), component))
    in_cycles = sum(len(component) for component in cycles)
    print(f"== 1. Import cycles (strongly connected components > 1 module): {len(cycles)}, "
          f"{in_cycles} modules in them")
    for number, component in enumerate(cycles, 1):
        apps = sorted({app_of(module, {}) for module in component})
        print(f"  #{number}: {len(component)} modules across {len(apps)} apps ({', '.join(apps)})")
        if not args.brief:
            for module in component:
                print(f"      {module}")
    print()

    # 2. Mutual app pairs.
    between_apps: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for importer, imported in imports:
        pair = (app_of(importer, {}), app_of(imported, {}))
        if pair[0] != pair[1]:
            between_apps[pair].append((importer, imported))
    mutual = sorted({tuple(sorted(pair)) for pair in between_apps if pair[::-1] in between_apps})
    print(f"== 2. Apps importing each other: {len(mutual)} pairs")
    for first, second in mutual:
        forth, back = between_apps[(first, second)], between_apps[(second, first)]
        print(f"  {first} <-> {second}: {len(forth)} imports {first}->{second}, "
              f"{len(back)} {second}->{first}")
        if not args.brief:
            for importer, imported in forth + back:
                print(f"      {describe(graph, importer, imported)}")
    print()

    # 3. Upward imports.
    def upward(moves: dict[str, str]) -> list[tuple[str, str, str, str]]:
        found = []
        for importer, imported in imports:
            source, target = app_of(importer, moves), app_of(imported, moves)
            source_layer, target_layer = layer_of_app(source), layer_of_app(target)
            if source_layer is None or target_layer is None:
                continue
            if target_layer < source_layer:
                found.append((importer, imported, source, target))
        return found

    def print_upward(found, title):
        print(f"== {title}: {len(found)}")
        by_pair: dict[tuple[str, str], list] = defaultdict(list)
        for importer, imported, source, target in found:
            by_pair[(source, target)].append((importer, imported))
        for (source, target), pairs in sorted(by_pair.items(), key=lambda item: -len(item[1])):
            source_layer = LAYERS[layer_of_app(source)][0]
            target_layer = LAYERS[layer_of_app(target)][0]
            print(f"  {source} ({source_layer}) -> {target} ({target_layer}): {len(pairs)}")
            if not args.brief:
                for importer, imported in pairs:
                    print(f"      {describe(graph, importer, imported)}")
        print()

    print_upward(upward({}), "3. Upward imports (a lower layer importing a higher one)")
    if args.moves:
        print_upward(upward(MOVES), "3b. Upward imports left once MOVES are applied "
                     f"({', '.join(sorted(MOVES))})")

    # 4. Core -> kind and kind -> other kind.
    core_layer = len(LAYERS) - 1
    core_to_kind, kind_to_kind = [], []
    for importer, imported in imports:
        source, target = app_of(importer, {}), app_of(imported, {})
        target_kind = kind_of_app(target)
        if target_kind is None:
            continue
        if layer_of_app(source) == core_layer:
            core_to_kind.append((importer, imported))
        source_kind = kind_of_app(source)
        if source_kind is not None and source_kind != target_kind:
            kind_to_kind.append((importer, imported))
    for title, found in (("4a. Core -> kind imports", core_to_kind),
                         ("4b. Imports between two different kinds", kind_to_kind)):
        print(f"== {title}: {len(found)}")
        by_pair = defaultdict(list)
        for importer, imported in found:
            by_pair[(app_of(importer, {}), app_of(imported, {}))].append((importer, imported))
        for (source, target), pairs in sorted(by_pair.items(), key=lambda item: -len(item[1])):
            print(f"  {source} -> {target}: {len(pairs)}")
            if not args.brief:
                for importer, imported in pairs:
                    print(f"      {describe(graph, importer, imported)}")
        print()

    print("== Summary")
    print(f"  cycles: {len(cycles)} ({in_cycles} modules)")
    print(f"  mutual app pairs: {len(mutual)}")
    print(f"  upward imports: {len(upward({}))}"
          + (f" ({len(upward(MOVES))} once MOVES are applied)" if args.moves else ""))
    print(f"  core -> kind imports: {len(core_to_kind)}")
    print(f"  kind -> other kind imports: {len(kind_to_kind)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
