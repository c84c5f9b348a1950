"""The example objects of ``fediverse-pasture-inputs`` (MIT; pinned in pyproject's
``[tool.watchworthy] no-deps-test-data``): what real servers put in a Note —
content warnings, mentions, replies, HTML of every kind — as data.

The package's own import pulls in its runner (``fediverse-pasture``, then
``bovine``), whose ``cryptography`` range excludes ours, so it is installed without
its dependencies and **never imported**: each ``inputs/*.py`` is parsed with ``ast``,
and only module-level names bound to plain data (literals, lists, dicts, f-strings
and comprehensions over them: no calls, attributes or imports of code) are
evaluated; ``examples=`` of its ``InputData(...)`` is read from those names.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
from pathlib import Path
from typing import Any

DATA_NODES = (
    ast.Expression, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Constant, ast.Name,
    ast.Load, ast.Store, ast.ListComp, ast.comprehension, ast.JoinedStr,
    ast.FormattedValue, ast.BinOp, ast.Add,
)  # fmt: skip


class NotData(ValueError):
    pass


def inputs_folder() -> Path | None:
    """Where the package's ``inputs`` are, or None when it is not installed (found
    without importing it)."""
    spec = importlib.util.find_spec("fediverse_pasture_inputs")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "inputs"


def _value(node: ast.expr, names: dict[str, Any]) -> Any:
    for inner in ast.walk(node):
        if not isinstance(inner, DATA_NODES):
            raise NotData(type(inner).__name__)
    code = compile(ast.Expression(node), "<pasture data>", "eval")
    return eval(code, {"__builtins__": {}}, dict(names))  # noqa: S307 (data nodes only)


def _names(folder: Path, module: str) -> tuple[dict[str, Any], ast.Module]:
    tree = ast.parse((folder / f"{module}.py").read_text(encoding="utf-8"))
    names: dict[str, Any] = {}
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.level == 1 and statement.module:
            imported, _ = _names(folder, statement.module)
            for alias in statement.names:
                if alias.name in imported:
                    names[alias.asname or alias.name] = imported[alias.name]
        elif (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            with contextlib.suppress(NotData):  # a Details(...), a function: not data
                names[statement.targets[0].id] = _value(statement.value, names)
    return names, tree


def examples(module: str) -> list[dict[str, Any]]:
    """The ``examples`` of ``inputs/<module>.py``'s ``InputData``."""
    folder = inputs_folder()
    assert folder is not None
    names, tree = _names(folder, module)
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            for keyword in statement.value.keywords:
                if keyword.arg == "examples":
                    found = _value(keyword.value, names)
                    assert isinstance(found, list) and found, module
                    return found
    raise LookupError(f"no examples in {module}")
