"""Safe arithmetic formulas for custom attractors: parsed with ``ast``, never ``eval``-ed.

Only numbers, the names ``x, y, a, b, c, d`` (and the constants ``pi``, ``e``), the
operators ``+ - * / ** %`` and calls of a fixed list of math functions are accepted. The
accepted tree is turned into nested numpy closures (a tiny interpreter), so user text is
never compiled or executed as Python. Anything else -- attribute access, other names or
calls, subscripts, strings, lambdas, comparisons -- is a UsageError naming the part.

Example::

    f = compile_formula("sin(a*y) + c*cos(a*x)", where="formula_x")
    nx = f({"x": xs, "y": ys, "a": -1.4, "c": 1.0})
"""
from __future__ import annotations

import ast
from typing import Any, Callable, Mapping

import numpy as np

from ...core.errors import UsageError

VARIABLES = ("x", "y", "a", "b", "c", "d")
CONSTANTS = {"pi": float(np.pi), "e": float(np.e)}
FUNCTIONS: dict[str, tuple[Callable[..., Any], int]] = {
    "sin": (np.sin, 1), "cos": (np.cos, 1), "tan": (np.tan, 1),
    "asin": (np.arcsin, 1), "acos": (np.arccos, 1), "atan": (np.arctan, 1), "atan2": (np.arctan2, 2),
    "sinh": (np.sinh, 1), "cosh": (np.cosh, 1), "tanh": (np.tanh, 1),
    "exp": (np.exp, 1), "log": (np.log, 1), "sqrt": (np.sqrt, 1), "abs": (np.abs, 1),
    "floor": (np.floor, 1), "sign": (np.sign, 1), "min": (np.minimum, 2), "max": (np.maximum, 2),
}  # fmt: skip
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
    ast.Div: np.divide, ast.Pow: np.power, ast.Mod: np.mod,
}  # fmt: skip
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: np.negative, ast.UAdd: np.positive}
MAX_LENGTH = 500
Compiled = Callable[[Mapping[str, Any]], Any]


def compile_formula(text: str, *, where: str = "formula") -> Compiled:
    """Check ``text`` against the whitelist and return ``f(values) -> array``.

    Raises:
        UsageError: a syntax error, or the first part of ``text`` that is not allowed.
    """
    if len(text) > MAX_LENGTH:
        raise UsageError(f"{where}: formula longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise UsageError(f"{where}: invalid formula {text!r} ({exc.msg})") from None
    return _build(tree.body, text, where)


def _build(node: ast.AST, text: str, where: str) -> Compiled:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = float(node.value)
        return lambda env: value
    if isinstance(node, ast.Name):
        return _name(node, text, where)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        op, left, right = _BINARY[type(node.op)], _build(node.left, text, where), _build(node.right, text, where)
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        uop, operand = _UNARY[type(node.op)], _build(node.operand, text, where)
        return lambda env: uop(operand(env))
    if isinstance(node, ast.Call):
        return _call(node, text, where)
    raise _refuse(node, text, where, _KINDS.get(type(node), type(node).__name__))


def _name(node: ast.Name, text: str, where: str) -> Compiled:
    name = node.id
    if name in CONSTANTS:
        value = CONSTANTS[name]
        return lambda env: value
    if name in VARIABLES:
        return lambda env: env[name]
    allowed = ", ".join((*VARIABLES, *CONSTANTS))
    raise _refuse(node, text, where, f"unknown name (allowed: {allowed} and functions)")


def _call(node: ast.Call, text: str, where: str) -> Compiled:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        raise _refuse(node.func, text, where, f"not an allowed function (allowed: {', '.join(FUNCTIONS)})")
    fn, arity = FUNCTIONS[node.func.id]
    if node.keywords or len(node.args) != arity or any(isinstance(a, ast.Starred) for a in node.args):
        raise _refuse(node, text, where, f"{node.func.id} takes {arity} plain argument(s)")
    args = [_build(a, text, where) for a in node.args]
    if arity == 1:
        only = args[0]
        return lambda env: fn(only(env))
    first, second = args
    return lambda env: fn(first(env), second(env))


_KINDS = {
    ast.Attribute: "attribute access", ast.Subscript: "subscript", ast.Lambda: "lambda",
    ast.Compare: "comparison", ast.BoolOp: "boolean operator", ast.IfExp: "conditional",
    ast.List: "list", ast.Tuple: "tuple", ast.Dict: "dict", ast.Set: "set",
    ast.ListComp: "comprehension", ast.GeneratorExp: "comprehension", ast.NamedExpr: "assignment",
    ast.Constant: "constant that is not a number", ast.JoinedStr: "f-string", ast.Starred: "star",
    ast.BinOp: "operator", ast.UnaryOp: "operator",
}  # fmt: skip


def _refuse(node: ast.AST, text: str, where: str, why: str) -> UsageError:
    part = ast.get_source_segment(text.strip(), node) or type(node).__name__
    return UsageError(f"{where}: {part!r} is not allowed ({why})")
