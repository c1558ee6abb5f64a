"""Python objects as source a generated module can use from any folder: imported, or written out.

:func:`~slr_fsm.testing.pytest_writer.trace_to_pytest` writes tests that must run wherever they
are saved, so every function they call (a user's invariant, a world builder, a planted
lifecycle) is either *imported*, when its module imports the same way in a fresh interpreter
started in another folder (an installed package, ``pip install -e .`` included, or the standard
library), or *written out*: its source, without decorators, and, recursively, whatever it uses
from its module (the imports that module made, its other functions and classes, literal
constants). A function that cannot be carried over either way (a lambda, a closure over local
variables, an object without source or literal form) is refused with a
:class:`~slr_fsm.errors.UsageError` that says why and what to do.

>>> from slr_fsm.invariants import never_deleted_while_in_use
>>> export = SourceExport()
>>> export.use(never_deleted_while_in_use)
'never_deleted_while_in_use'
>>> export.import_lines()
['from slr_fsm.invariants import never_deleted_while_in_use']
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import importlib
import importlib.util
import inspect
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from types import ModuleType
from typing import Any

from slr_fsm.errors import UsageError
from slr_fsm.shown import shown

__all__ = ["SourceExport", "importable_anywhere", "python_literal"]

_FRESH_FIND = (
    "import importlib.util, sys\n"
    "try:\n"
    "    spec = importlib.util.find_spec(sys.argv[1])\n"
    "except Exception:\n"
    "    spec = None\n"
    "print(spec.origin if spec is not None and spec.origin else '')\n"
)


@functools.cache
def _site_directories() -> tuple[str, ...]:
    """Where installed distributions live (a module found there imports from any folder)."""
    paths = sysconfig.get_paths()
    found = {os.path.realpath(paths[key]) for key in ("purelib", "platlib") if key in paths}
    return tuple(sorted(found))


@functools.cache
def importable_anywhere(module_name: str) -> bool:
    """Whether ``module_name`` imports, as the module loaded here, in a fresh interpreter of
    this environment started in an empty folder (so not through the current folder, a
    script's folder or a path a test runner added): the standard library, ``slr_fsm``, a
    module installed in site-packages, or else what such an interpreter finds (an editable
    install, ``PYTHONPATH``), when it finds this very file."""
    top = module_name.partition(".")[0]
    if module_name == "__main__" or not top.isidentifier():
        return False
    if top in sys.stdlib_module_names or top == "slr_fsm":
        return True
    here = getattr(sys.modules.get(module_name), "__file__", None)
    if here is not None and os.path.realpath(here).startswith(
        tuple(site + os.sep for site in _site_directories())
    ):
        return True
    with tempfile.TemporaryDirectory() as empty:
        try:
            found = subprocess.run(
                [sys.executable, "-c", _FRESH_FIND, module_name],
                cwd=empty,
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return False
    if not found:
        return False
    return here is None or os.path.realpath(found) == os.path.realpath(here)


def _lookup(module_name: str, qualname: str) -> Any:
    try:
        value: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            value = getattr(value, part)
    except (ImportError, AttributeError):
        return None
    return value


class _FreeNames(ast.NodeVisitor):
    """The names a definition reads but does not bind itself, and apart from them those its
    annotations name (the generated module has ``from __future__ import annotations``, so
    those are imported when they can be and left out when they cannot)."""

    def __init__(self) -> None:
        self.loaded: set[str] = set()
        self.bound: set[str] = set()
        self.annotations = _Names()

    def visit_Name(self, node: ast.Name) -> None:
        (self.loaded if isinstance(node.ctx, ast.Load) else self.bound).add(node.id)

    def visit_arg(self, node: ast.arg) -> None:
        self.bound.add(node.arg)
        if node.annotation is not None:
            self.annotations.visit(node.annotation)

    def _definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.bound.add(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._inside(node)

    def _inside(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        if isinstance(node, ast.ClassDef):
            for base in (*node.bases, *node.keywords):
                self.visit(base)
        else:
            self.visit(node.args)
            if node.returns is not None:
                self.annotations.visit(node.returns)
        for statement in node.body:
            self.visit(statement)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _definition  # noqa: N815

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.target)
        self.annotations.visit(node.annotation)
        if node.value is not None:
            self.visit(node.value)


class _Names(ast.NodeVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        self.names.add(node.id)


def _free_names(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
) -> tuple[set[str], set[str]]:
    """What the definition's body (not its decorators, which are left out) reads from its
    module, and what its annotations alone name."""
    finder = _FreeNames()
    finder.bound.add(node.name)
    finder._inside(node)
    used = finder.loaded - finder.bound
    return used, finder.annotations.names - used - finder.bound


@functools.cache
def _module_bindings(module_name: str) -> dict[str, tuple[str, str | None]]:
    """How a module's top-level imports bind names: ``name -> (module, attribute or None)``."""
    module = sys.modules.get(module_name)
    try:
        tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    except (OSError, TypeError, SyntaxError):
        return {}
    package = getattr(module, "__package__", None) or ""
    bindings: dict[str, tuple[str, str | None]] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bindings[alias.asname] = (alias.name, None)
                else:
                    top = alias.name.partition(".")[0]
                    bindings[top] = (top, None)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            source = node.module or ""
            if node.level:
                try:
                    source = importlib.util.resolve_name("." * node.level + source, package)
                except (ImportError, ValueError):
                    continue
            for alias in node.names:
                bindings[alias.asname or alias.name] = (source, alias.name)
    return bindings


class SourceExport:
    """What a generated module must import and define to use some objects by name."""

    def __init__(self) -> None:
        self._imports: dict[str, dict[str, None]] = {}  # module -> names ("" for import M)
        self._plain: dict[str, None] = {}
        self._constants: list[str] = []
        self._definitions: list[str] = []
        self._names: dict[str, Any] = {}

    def import_lines(self) -> list[str]:
        """The import statements, sorted as isort sorts them (by module; constants, then
        classes, then functions)."""
        lines = {line.split()[1]: line for line in self._plain}
        for module, names in self._imports.items():
            ordered = sorted(names, key=lambda n: (not n.isupper(), not n[:1].isupper(), n))
            lines[module] = f"from {module} import {', '.join(ordered)}"
        return [lines[module] for module in sorted(lines)]

    def constants(self) -> list[str]:
        """The literal constants, one ``NAME = literal`` line each."""
        return list(self._constants)

    def definitions(self) -> list[str]:
        """The written-out functions and classes (and aliases), each after what it uses."""
        return list(self._definitions)

    def constant(self, name: str, value: Any, *, exactly: bool = False) -> str:
        """A constant ``name`` bound to the literal ``value``: the one already there if it has
        that value, else a new one (``NAME_2``... when ``name`` is taken, unless ``exactly``)."""
        literal = _literal(value)
        if literal is None:
            raise UsageError(f"{name} = {shown(value)} cannot be written as a Python literal.")
        for candidate in (name,) if exactly else (name, *(f"{name}_{n}" for n in range(2, 99))):
            if self._names.get(candidate) == ("literal", literal):
                return candidate
            if candidate not in self._names or exactly:
                self._claim(candidate, ("literal", literal))
                self._constants.append(f"{candidate} = {literal}")
                return candidate
        raise UsageError(f"No free name for the constant {name}.")

    def import_from(self, module: str, name: str, alias: str | None = None) -> str:
        """Import ``name`` from ``module`` (as ``alias``); return the name to use."""
        used = alias or name
        self._claim(used, ("from", module, name))
        self._imports.setdefault(module, {})[name if used == name else f"{name} as {used}"] = None
        return used

    def define(self, name: str, source: str, value: Any) -> str:
        """Add a definition of ``name`` (meaning ``value``) written as ``source``."""
        if self._claim(name, ("defined", id(value))):
            self._definitions.append(source)
        return name

    def use(self, value: Any) -> str:
        """A name bound to ``value`` (a function or class) in the generated module: imported
        from where it lives when that imports from anywhere, otherwise its source written out."""
        module = getattr(value, "__module__", None) or ""
        qualname = getattr(value, "__qualname__", "") or ""
        if (
            module
            and "<" not in qualname
            and "." not in qualname
            and importable_anywhere(module)
            and _lookup(module, qualname) is value
        ):
            return self.import_from(module, qualname)
        return self._write_out(value)

    # ---------------------------------------------------------------- internals

    def _claim(self, name: str, what: Any) -> bool:
        """Reserve ``name`` for ``what``; False when it is reserved for it already."""
        if name in self._names:
            if self._names[name] == what:
                return False
            raise UsageError(
                f"The generated test would need the name {name!r} for two different things; "
                "give one of them another name."
            )
        self._names[name] = what
        return True

    def _write_out(self, value: Any) -> str:
        name = getattr(value, "__name__", "") or ""
        code = getattr(value, "__code__", None)
        if name == "<lambda>" or not name.isidentifier():
            raise UsageError(
                f"{shown(value)} has no name a generated test can call it by; define it with "
                "def (at the top of a module) instead of lambda."
            )
        if code is not None and code.co_freevars:
            raise UsageError(
                f"{name} uses {', '.join(code.co_freevars)} from the function it is defined in, "
                "which a generated test cannot rebuild; define it at the top of a module."
            )
        try:
            source = textwrap.dedent(inspect.getsource(value))
            node = ast.parse(source).body[0]
        except (OSError, TypeError, SyntaxError, IndexError):
            raise UsageError(
                f"slr_fsm cannot read the source of {name}, so a generated test can neither "
                "import it nor write it out (it was typed at a prompt or read from stdin?); "
                "define it in a file: a module of an installed package is imported, any other "
                "file (a script, a test module) is copied into the test."
            ) from None
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            raise UsageError(f"The source found for {name} is not its definition.")
        if not self._claim(name, ("defined", id(value))):
            return name
        body = "\n".join(source.splitlines()[node.lineno - 1 :])  # decorators left out
        home = getattr(value, "__globals__", None)
        if home is None:
            home = vars(sys.modules[value.__module__]) if value.__module__ in sys.modules else {}
        used, annotations = _free_names(node)
        for free in sorted(used):
            if free in home:
                self._bind(free, home[free], value.__module__)
            elif not hasattr(builtins, free):
                raise UsageError(f"{name} uses {free}, which its module does not define.")
        for free in sorted(annotations):
            if free in home:
                with contextlib.suppress(UsageError):  # an annotation is never evaluated
                    self._bind(free, home[free], value.__module__)
        self._definitions.append(body)
        return name

    def _bind(self, name: str, value: Any, home: str) -> None:
        """Make ``name`` mean ``value`` in the generated module, as it does in ``home``."""
        if isinstance(value, ModuleType):
            self._bind_module(name, value)
            return
        source, attribute = _module_bindings(home).get(name, ("", None))
        if attribute and importable_anywhere(source) and _lookup(source, attribute) is value:
            self.import_from(source, attribute, name)
            return
        if inspect.isfunction(value) or inspect.isclass(value):
            used = self.use(value)
            if used != name:
                self.define(name, f"{name} = {used}", value)
            return
        if _literal(value) is not None:
            self.constant(name, value, exactly=True)
            return
        raise UsageError(
            f"The generated test needs {name} ({shown(value)}), which it can neither import "
            "from an installed module nor write out as a literal; import it in your module "
            "from an installed package, or pass it another way."
        )

    def _bind_module(self, name: str, module: ModuleType) -> None:
        full = module.__name__
        if not importable_anywhere(full):
            raise UsageError(
                f"The generated test would import {full}, which does not import from another "
                "folder; install it (pip install -e .) or keep what the test needs elsewhere."
            )
        if full == name:
            line = f"import {full}"
        elif full.rpartition(".")[2] == name:
            self.import_from(full.rpartition(".")[0], name)
            return
        else:
            line = f"import {full} as {name}"
        if self._claim(name, ("module", full)):
            self._plain[line] = None


def _literal(value: Any) -> str | None:
    """:func:`python_literal` of ``value`` when it reads back as ``value``."""
    plain = (str, bytes, int, float, complex, bool, tuple, list, dict, set)
    if value is not None and not isinstance(value, plain):
        return None
    try:
        text = python_literal(value)
        same = ast.literal_eval(text) == value
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return text if same and len(text) <= 10_000 else None


def python_literal(value: Any) -> str:
    """A Python literal for ``value``, strings in double quotes as ``ruff format`` writes them.

    >>> print(python_literal({"Key": "team", "Values": ("a",), "n": 1}))
    {"Key": "team", "Values": ("a",), "n": 1}
    """
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(item) for item in value) + "]"
    if isinstance(value, tuple):
        items = ", ".join(python_literal(item) for item in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, dict):
        pairs = (f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return repr(value)
