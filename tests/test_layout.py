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
