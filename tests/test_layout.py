"""The package's folders are its architecture: a module imports only from its own stage and the
stages below it, in the order the package docstring gives."""

from __future__ import annotations

import ast
from pathlib import Path

import rehearse

PACKAGE = Path(rehearse.__file__).resolve().parent

# Lowest first: a module may import from its own layer and the layers before it.
LAYERS = [
    {"errors", "models", "rubric", "paths", "clock", "files"},
    {"audio"},
    {"speech"},
    {"delivery"},
    {"voice"},
    {"star"},
    {"pipeline"},
    {"history"},
    {"interview"},
    {"practice"},
    {"report"},
    {"web"},
    {"commands", "cli", "__main__"},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _top(module: str) -> str | None:
    """'rehearse.speech.model' -> 'speech'; None for anything outside the package."""
    parts = module.split(".")
    return parts[1] if parts[0] == "rehearse" and len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every rehearse module `path` imports (at any depth, inside functions too), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            found.append((node.lineno, base))
            if base == "rehearse":  # from rehearse import rubric, ...
                found += [(node.lineno, f"rehearse.{a.name}") for a in node.names]
    return found


def _owner(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def test_every_module_belongs_to_a_layer():
    owners = {_owner(p) for p in PACKAGE.rglob("*.py")} - {"__init__"}
    assert owners <= set(RANK), f"not in any layer: {sorted(owners - set(RANK))}"


def test_no_module_imports_from_a_stage_above_it():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        owner = _owner(path)
        if owner == "__init__":
            continue
        for line, module in _imports(path):
            top = _top(module)
            if top is not None and top in RANK and RANK[top] > RANK[owner]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({owner}) imports {module} ({top})")
    assert not wrong, "imports from a stage above:\n" + "\n".join(wrong)


def test_the_package_docstring_gives_the_same_order():
    """Each indented line of the docstring starts with a layer's name; they come in layer order."""
    named = [line.split()[0].rstrip(",") for line in rehearse.__doc__.splitlines() if line.startswith("    ")]
    ranks = [RANK[name] for name in named]
    assert ranks == sorted(ranks) and set(ranks) == set(range(len(LAYERS))), named


def _rehearse_names(path: Path) -> tuple[list[str], list[tuple[int, str, str]]]:
    """What `path` takes from the package: missing imports, and (line, module, attribute) for every
    `module.attribute` read where `module` is a rehearse module it imported by name."""
    import importlib
    import types

    tree = ast.parse(path.read_text())
    missing, modules, reads = [], {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "rehearse":
            try:
                parent = importlib.import_module(node.module)
            except ImportError as exc:
                missing.append(f"{path.name}:{node.lineno} {node.module} ({exc})")
                continue
            for alias in node.names:
                obj = getattr(parent, alias.name, None)
                if obj is None:
                    try:
                        obj = importlib.import_module(f"{node.module}.{alias.name}")
                    except ImportError:
                        missing.append(f"{path.name}:{node.lineno} {node.module}.{alias.name}")
                        continue
                if isinstance(obj, types.ModuleType):
                    modules[alias.asname or alias.name] = obj
    rebound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for name in rebound:  # a local variable of the same name (`trained = score_star(...)`) is not the module
        modules.pop(name, None)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and isinstance(node.ctx, ast.Load)):
            reads.append((node.lineno, node.value.id, node.attr))
    return missing, [(n, m, a) for n, m, a in reads if not hasattr(modules[m], a)]


def test_scripts_and_tests_use_only_what_the_package_has():
    """The evaluation and benchmark scripts are not imported by the tests, so a module moved or
    renamed in the package would break them unseen (scripts/eval/whisper_cache.py once did)."""
    root = PACKAGE.parent
    broken = []
    for path in sorted([*(root / "scripts").rglob("*.py"), *(root / "tests").glob("*.py")]):
        missing, reads = _rehearse_names(path)
        broken += missing + [f"{path.name}:{line} {module}.{attr}" for line, module, attr in reads]
    assert not broken, broken
