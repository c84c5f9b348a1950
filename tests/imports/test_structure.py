"""The importer stays readable: no function in ``watchworthy/imports/`` is longer
than one screen (60 lines, from its ``def`` line to its last line)."""

from __future__ import annotations

import ast
from pathlib import Path

import watchworthy.imports

PACKAGE = Path(watchworthy.imports.__file__).resolve().parent
MAX_LINES = 60


def long_functions(root: Path, limit: int) -> list[str]:
    """``path:line name (N lines)`` for every function or method over ``limit`` lines,
    nested ones included."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    where = path.relative_to(root.parent)
                    found.append(f"{where}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_in_the_importer_is_longer_than_a_screen():
    found = long_functions(PACKAGE, MAX_LINES)
    assert not found, f"over {MAX_LINES} lines, split them:\n" + "\n".join(found)


def test_the_check_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x{n} = {n}" for n in range(MAX_LINES))
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "long.py").write_text(f"def short():\n    pass\n\n\ndef long():\n{body}\n")
    assert long_functions(tmp_path / "pkg", MAX_LINES) == ["pkg/long.py:5 long (61 lines)"]
