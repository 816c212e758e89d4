"""CloudWatch metric math, evaluated over minute series: the subset Kickoff's alarms use, and a little more.

A series is a numpy array of one value per datapoint, NaN where the metric has no datapoint. The semantics
follow CloudWatch's documentation: between two series, a missing value counts as 0 where the other series has a
datapoint (a timestamp neither has stays missing), and a scalar keeps a series' gaps; division by zero drops
the datapoint; comparisons and ``AND``/``OR``/``NOT`` give 1 or 0; ``FILL(m, v)`` replaces missing datapoints with
``v``; ``IF(c, a, b)`` takes ``a`` where ``c`` is non-zero (0 where ``a`` is missing) and ``b`` where it is zero
(missing where ``b`` or ``c`` is); ``EPOCH(m)`` is each datapoint's timestamp in seconds since 1970;
``MIN``/``MAX`` (of several series, ``MAX([a, b])``, per datapoint)/``ABS``. Anything else raises
``Unsupported``, so an expression the twin cannot evaluate is reported, never guessed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

Series = np.ndarray


class Unsupported(ValueError):
    """An expression the twin cannot evaluate (a function or token it does not model)."""


_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>>=|<=|==|!=|<|>|[-+*/(),^\[\]]))"
)
_PRECEDENCE = {"OR": 1, "AND": 2, "==": 3, "!=": 3, "<": 3, ">": 3, "<=": 3, ">=": 3, "+": 4, "-": 4, "*": 5, "/": 5}


@dataclass(frozen=True)
class Node:
    """A parsed expression: a number, a metric id, a unary or binary operator, or a function call."""

    kind: str  # "num" | "id" | "unary" | "binary" | "call"
    value: str | float
    args: tuple[Node, ...] = ()


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise Unsupported(f"cannot read {text[pos:]!r} in {text!r}")
        out.append(match.group(match.lastgroup or "op"))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise Unsupported(f"expected {expected or 'a term'} in {self.text!r}")
        self.pos += 1
        return token

    def expression(self, floor: int = 0) -> Node:
        left = self.unary()
        while True:
            op = self.peek()
            level = _PRECEDENCE.get(op.upper() if op else "")
            if op is None or level is None or level <= floor:
                return left
            self.take()
            left = Node("binary", op.upper(), (left, self.expression(level)))

    def unary(self) -> Node:
        token = self.peek()
        if token == "-":
            self.take()
            return Node("unary", "-", (self.unary(),))
        if token is not None and token.upper() == "NOT":
            self.take()
            return Node("unary", "NOT", (self.unary(),))
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token == "(":
            node = self.expression()
            self.take(")")
            return node
        if re.fullmatch(r"\d.*", token):
            return Node("num", float(token))
        if not re.fullmatch(r"[A-Za-z_]\w*", token):
            raise Unsupported(f"unexpected {token!r} in {self.text!r}")
        if self.peek() == "(":
            self.take("(")
            args = []
            if self.peek() == "[":
                # MIN([a, b]) / MAX([a, b]): the lowest or highest of several series at each datapoint.
                self.take("[")
                args.append(self.expression())
                while self.peek() == ",":
                    self.take(",")
                    args.append(self.expression())
                self.take("]")
            elif self.peek() != ")":
                args.append(self.expression())
                while self.peek() == ",":
                    self.take(",")
                    args.append(self.expression())
            self.take(")")
            return Node("call", token.upper(), tuple(args))
        return Node("id", token)


@functools.lru_cache(maxsize=1024)
def parse(text: str) -> Node:
    """The expression tree of ``text``; ``Unsupported`` if it cannot be read."""
    parser = _Parser(text)
    node = parser.expression()
    if parser.peek() is not None:
        raise Unsupported(f"unexpected {parser.peek()!r} in {text!r}")
    return node


def identifiers(node: Node) -> set[str]:
    """Metric ids an expression reads."""
    if node.kind == "id":
        return {str(node.value)}
    return set().union(*(identifiers(a) for a in node.args)) if node.args else set()


_BINARY: dict[str, Callable[[Series, Series], Series]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": lambda a, b: np.divide(a, b, out=np.full_like(a, np.nan), where=b != 0),
    "<": lambda a, b: (a < b).astype(float),
    ">": lambda a, b: (a > b).astype(float),
    "<=": lambda a, b: (a <= b).astype(float),
    ">=": lambda a, b: (a >= b).astype(float),
    "==": lambda a, b: (a == b).astype(float),
    "!=": lambda a, b: (a != b).astype(float),
    "AND": lambda a, b: ((a != 0) & (b != 0)).astype(float),
    "OR": lambda a, b: ((a != 0) | (b != 0)).astype(float),
}


def evaluate(node: Node, series: Mapping[str, Series], epoch: Series) -> Series:
    """The series ``node`` gives over ``series`` (metric id -> values) at timestamps ``epoch`` (s since 1970)."""
    out = _ev(node, series, epoch)
    return np.full(len(epoch), float(out)) if isinstance(out, float) else out


Value = Series | float


def _ev(n: Node, series: Mapping[str, Series], epoch: Series) -> Value:  # noqa: C901, PLR0911 - one case per node kind
    if n.kind == "num":
        return float(n.value)
    if n.kind == "id":
        if n.value not in series:
            raise Unsupported(f"no metric with id {n.value}")
        return np.asarray(series[str(n.value)], dtype=float)
    if n.kind == "unary":
        x = _ev(n.args[0], series, epoch)
        if n.value == "-":
            return -x
        return float(x == 0) if isinstance(x, float) else np.where(np.isnan(x), np.nan, (x == 0).astype(float))
    if n.kind == "binary":
        return _binary(str(n.value), _ev(n.args[0], series, epoch), _ev(n.args[1], series, epoch))
    name, args = str(n.value), n.args
    if name == "FILL" and len(args) == 2:
        x, fill = _array(_ev(args[0], series, epoch), epoch), _ev(args[1], series, epoch)
        return np.where(np.isnan(x), fill, x)
    if name == "IF" and len(args) in (2, 3):
        cond = _array(_ev(args[0], series, epoch), epoch)
        a = np.nan_to_num(_array(_ev(args[1], series, epoch), epoch), nan=0.0)  # a missing true branch gives 0
        b = _array(_ev(args[2], series, epoch), epoch) if len(args) == 3 else np.full(len(epoch), np.nan)
        return np.where(np.isnan(cond), np.nan, np.where(cond != 0, a, b))
    if name == "EPOCH" and len(args) == 1:
        x = _array(_ev(args[0], series, epoch), epoch)
        return np.where(np.isnan(x), np.nan, epoch.astype(float))
    if name in ("MIN", "MAX") and args:
        stacked = np.vstack([_array(_ev(a, series, epoch), epoch) for a in args])
        present = ~np.isnan(stacked)
        filled = np.where(present, stacked, np.inf if name == "MIN" else -np.inf)
        best = filled.min(axis=0) if name == "MIN" else filled.max(axis=0)
        return np.where(present.any(axis=0), best, np.nan)
    if name == "ABS" and len(args) == 1:
        return np.abs(_ev(args[0], series, epoch))
    raise Unsupported(f"metric math function {name} with {len(args)} arguments is not modelled")


def _array(x: Value, epoch: Series) -> Series:
    return np.full(len(epoch), x) if isinstance(x, float) else x


def _binary(op: str, a: Value, b: Value) -> Value:
    """CloudWatch: between two series a missing value counts as 0 where the other has a datapoint (a timestamp
    neither has stays missing); a scalar keeps the series' gaps; division by zero drops the datapoint."""
    if isinstance(a, float) and isinstance(b, float):
        with np.errstate(invalid="ignore", divide="ignore"):
            out = _BINARY[op](np.array([a]), np.array([b]))
        return float(out[0])
    gap = (np.isnan(a) if not isinstance(a, float) else False) & (np.isnan(b) if not isinstance(b, float) else False)
    if isinstance(a, float) or isinstance(b, float):
        gap = np.isnan(a) if not isinstance(a, float) else np.isnan(b)  # type: ignore[arg-type]
    a0 = a if isinstance(a, float) else np.nan_to_num(a, nan=0.0)
    b0 = b if isinstance(b, float) else np.nan_to_num(b, nan=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = _BINARY[op](np.asarray(a0, dtype=float), np.asarray(b0, dtype=float))
    return np.where(gap, np.nan, out)
