"""Lindenmayer systems: parse rules, rewrite (deterministic or stochastic), draw with a turtle.

The turtle is vectorised: headings are one cumulative sum over the turn angles, positions
one cumulative sum over the steps, where each ``]`` carries the correction that undoes what
happened inside its brackets (the sums of a block are read from per-depth prefix sums), so
a million-segment system is drawn without a Python loop per symbol. Sizes are checked from
symbol counts before anything is rewritten: a system that would explode stops with a
:class:`UsageError` before it allocates.

Example::

    rules = parse_rules(("F=F+F--F+F",))
    text = rewrite("F", rules, 4, np.random.default_rng(0))
    geometry = turtle(text, angle=60)        # 4**4 segments
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core.errors import UsageError
from .configs import LsystemConfig
from .drawing import Drawing, Layer, Paths, ramp
from .fit import fit_points

DRAW = "FG"
MOVE = "f"
TURNS = "+-|"
STRING_FACTOR = 8  # the rewritten string may be this many times longer than the segment limit
ORDER_BANDS = 32  # colour bands along the path for systems without branches


@dataclass(frozen=True)
class Rule:
    """The successors of one symbol: one for a deterministic rule, several weighted for a stochastic one."""

    symbol: str
    successors: tuple[str, ...]
    weights: tuple[float, ...]


def parse_rules(texts: tuple[str, ...] | list[str]) -> dict[str, Rule]:
    """Rules ``A=succ`` or ``A=weight:succ`` (``->`` works as well as ``=``) by symbol.

    Raises:
        UsageError: naming the malformed rule.
    """
    found: dict[str, list[tuple[float, str]]] = {}
    for text in texts:
        symbol, weight, succ = _parse_rule(text)
        found.setdefault(symbol, []).append((weight, succ))
    return {
        s: Rule(s, tuple(x for _, x in alts), tuple(w / sum(w for w, _ in alts) for w, _ in alts))
        for s, alts in found.items()
    }


def _parse_rule(text: str) -> tuple[str, float, str]:
    raw = text.replace("->", "=").replace(" ", "")
    if raw.count("=") != 1:
        raise UsageError(f"lsystem rule {text!r}: expected 'A=successor' (one '=')")
    symbol, succ = raw.split("=")
    if len(symbol) != 1 or symbol in "[]=:":
        raise UsageError(f"lsystem rule {text!r}: the left side must be one symbol, got {symbol!r}")
    weight = 1.0
    if ":" in succ:
        head, succ = succ.split(":", 1)
        try:
            weight = float(head)
        except ValueError:
            raise UsageError(f"lsystem rule {text!r}: weight {head!r} is not a number") from None
        if not weight > 0:
            raise UsageError(f"lsystem rule {text!r}: the weight must be above 0")
    check_symbols(succ, f"lsystem rule {text!r}")
    return symbol, weight, succ


def check_symbols(text: str, where: str) -> None:
    """ASCII symbols and balanced brackets, else a UsageError naming ``where``."""
    if not text.isascii():
        raise UsageError(f"{where}: symbols must be ASCII characters")
    depth = 0
    for ch in text:
        depth += (ch == "[") - (ch == "]")
        if depth < 0:
            raise UsageError(f"{where}: ']' without a matching '['")
    if depth:
        raise UsageError(f"{where}: {depth} unclosed '['")


# ------------------------------------------------------------------------ size guard
def symbol_counts(axiom: str, rules: dict[str, Rule], iterations: int) -> list[dict[str, int]]:
    """Upper bounds of each symbol's count after 0..iterations rewrites.

    Exact for deterministic systems; for stochastic ones each symbol's count is the
    largest any choice of successors can give.
    """
    produce = {
        s: {c: max(x.count(c) for x in r.successors) for c in set("".join(r.successors))}
        for s, r in rules.items()
    }
    counts = {c: axiom.count(c) for c in set(axiom)}
    out = [counts]
    for _ in range(iterations):
        nxt: dict[str, int] = {}
        for s, n in counts.items():
            for c, k in produce.get(s, {s: 1}).items():
                nxt[c] = nxt.get(c, 0) + n * k
        counts = {c: n for c, n in nxt.items() if n}
        out.append(counts)
    return out


def check_size(axiom: str, rules: dict[str, Rule], iterations: int, max_segments: int) -> None:
    """Raise UsageError, before rewriting, if the system outgrows ``max_segments``."""
    history = symbol_counts(axiom, rules, iterations)
    fits = lambda c: _segments(c) <= max_segments and sum(c.values()) <= _max_length(max_segments)  # noqa: E731
    if fits(history[-1]):
        return
    last_ok = max((i for i, c in enumerate(history) if fits(c)), default=None)
    hint = f"; at most {last_ok} iterations fit" if last_ok is not None else ""
    raise UsageError(
        f"lsystem: {iterations} iterations would draw up to {_segments(history[-1]):.3g} segments "
        f"({sum(history[-1].values()):.3g} symbols), over max_segments {max_segments}{hint}"
    )


def _segments(counts: dict[str, int]) -> int:
    return sum(counts.get(c, 0) for c in DRAW)


def _max_length(max_segments: int) -> int:
    return max(max_segments * STRING_FACTOR, 1_000_000)


# -------------------------------------------------------------------------- rewriting
def rewrite_codes(axiom: str, rules: dict[str, Rule], iterations: int, rng: np.random.Generator) -> np.ndarray:
    """``axiom`` after ``iterations`` parallel rewrites, as ASCII codes (uint8).

    Every symbol's successor is gathered from one flat table of all successors: the
    output's index into it is the symbol's entry start repeated over its successor length
    plus a running offset, so a rewrite is a few numpy passes, not a Python loop per
    symbol. A stochastic symbol picks one of its entries per occurrence (from ``rng``).
    """
    flat, start, length, choices = _successor_table(rules)
    codes = np.frombuffer(axiom.encode("ascii"), dtype=np.uint8)
    for _ in range(iterations):
        entry = codes.astype(np.int64)
        for symbol, (first, weights) in choices.items():  # sorted: same seed, same picks
            where = np.flatnonzero(codes == ord(symbol))
            entry[where] = first + rng.choice(len(weights), size=len(where), p=weights)
        sizes = length[entry]
        ends = np.cumsum(sizes)
        index = np.repeat(start[entry] - (ends - sizes), sizes) + np.arange(int(ends[-1]) if len(ends) else 0)
        codes = flat[index]
    return codes


def rewrite(axiom: str, rules: dict[str, Rule], iterations: int, rng: np.random.Generator) -> str:
    """``axiom`` after ``iterations`` parallel rewrites; stochastic choices come from ``rng``."""
    return rewrite_codes(axiom, rules, iterations, rng).tobytes().decode("ascii")


def _successor_table(rules: dict[str, Rule]):
    """Flat successor bytes, each entry's start and length, and the stochastic entries.

    Entries 0..127 are the ASCII symbols (a symbol without a rule rewrites to itself);
    each alternative of a stochastic rule gets an entry from 128 on.
    """
    texts = [rules[chr(i)].successors[0] if chr(i) in rules and len(rules[chr(i)].successors) == 1 else chr(i)
             for i in range(128)]  # fmt: skip
    choices: dict[str, tuple[int, tuple[float, ...]]] = {}
    for symbol in sorted(rules):
        rule = rules[symbol]
        if len(rule.successors) > 1:
            choices[symbol] = (len(texts), rule.weights)
            texts.extend(rule.successors)
    length = np.array([len(t) for t in texts], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(length)[:-1]])
    flat = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8)
    return flat, start, length, choices


# ----------------------------------------------------------------------------- turtle
@dataclass(frozen=True, eq=False)
class TurtleGeometry:
    """Every drawn segment in drawing order: start/end points (y up) and bracket depth."""

    starts: np.ndarray  # (S, 2)
    ends: np.ndarray  # (S, 2)
    depth: np.ndarray  # (S,) int
    connected: np.ndarray  # (S,) bool: segment i continues segment i-1 without a pen lift


# Symbol classes; every other code is ignored by the turtle.
_DRAW, _MOVE, _LEFT, _RIGHT, _BACK, _OPEN, _CLOSE, _IGNORE = range(8)
_CLASS = np.full(256, _IGNORE, dtype=np.int8)
for _ch, _cls in [*[(c, _DRAW) for c in DRAW], (MOVE, _MOVE), ("+", _LEFT), ("-", _RIGHT),
                  ("|", _BACK), ("[", _OPEN), ("]", _CLOSE)]:  # fmt: skip
    _CLASS[ord(_ch)] = _cls


def turtle(
    text: str | np.ndarray,
    *,
    angle: float,
    heading: float = 0.0,
    step_decay: float = 1.0,
    angle_jitter: float = 0.0,
    rng: np.random.Generator | None = None,
) -> TurtleGeometry:
    """Interpret ``text`` (a string or its ASCII codes) with a turtle of unit step."""
    codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8) if isinstance(text, str) else text
    cls = _CLASS[codes]
    cls = cls[cls != _IGNORE]
    opens, closes = cls == _OPEN, cls == _CLOSE
    branched = bool(opens.any())
    depth = (np.cumsum(opens.astype(np.int32) - closes) - opens) if branched else np.zeros(len(cls), np.int32)
    pairs = _bracket_pairs(opens, closes, depth)
    turn = _turns(cls, angle, angle_jitter, rng)
    if branched:
        turn += _corrections(turn, depth, pairs, len(cls))
    head = np.cumsum(turn)
    head += np.radians(heading)
    # Positions change only at moves and at ']' (the jump back): work on those alone.
    keep = np.flatnonzero((cls <= _MOVE) | closes)
    kcls, kdepth = cls[keep], depth[keep]
    length = (kcls <= _MOVE) * (step_decay ** kdepth.astype(np.float64) if step_decay != 1 else 1.0)
    step = np.empty((len(keep), 2))
    np.multiply(length, np.cos(head[keep]), out=step[:, 0])
    np.multiply(length, np.sin(head[keep]), out=step[:, 1])
    if branched:
        kpairs = (np.searchsorted(keep, pairs[0]), np.searchsorted(keep, pairs[1]))
        for k in (0, 1):
            step[:, k] += _corrections(step[:, k], kdepth, kpairs, len(keep), inner_offset=1)
    pos = np.cumsum(step, axis=0)
    draws = np.flatnonzero(kcls == _DRAW)
    prev = pos[draws - 1]  # the pen before each draw; the first element starts at the origin
    if len(draws) and draws[0] == 0:
        prev[0] = 0.0
    lifts = np.cumsum((kcls == _CLOSE) | (kcls == _MOVE))
    connected = np.zeros(len(draws), dtype=bool)
    connected[1:] = lifts[draws[1:]] == lifts[draws[:-1]]
    return TurtleGeometry(prev, pos[draws], kdepth[draws], connected)


def _turns(cls: np.ndarray, angle: float, jitter: float, rng: np.random.Generator | None) -> np.ndarray:
    a = np.radians(angle)
    table = np.zeros(8)
    table[_LEFT], table[_RIGHT], table[_BACK] = a, -a, np.pi
    turn = table[cls]
    if jitter and rng is not None:
        turning = (cls == _LEFT) | (cls == _RIGHT)
        turn[turning] += np.radians(rng.uniform(-jitter, jitter, int(turning.sum())))
    return turn


def _bracket_pairs(opens: np.ndarray, closes: np.ndarray, depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(open positions, close positions) of matching brackets."""
    where = np.flatnonzero(opens | closes)
    if len(where) == 0:
        return where, where
    order = np.lexsort((where, depth[where]))  # by depth, then position: [ ] [ ] ... per depth
    pairs = where[order].reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


def _corrections(
    values: np.ndarray, depth: np.ndarray, pairs: tuple[np.ndarray, np.ndarray], n: int, *, inner_offset: int = 1
) -> np.ndarray:
    """At each ``]``: minus the sum of ``values`` directly inside its block.

    Nested blocks already cancel themselves, so only symbols one level deeper than the
    bracket count: their sum comes from a prefix sum over that depth alone. ``pairs`` are
    positions of matching ``[`` and ``]`` in ``values``; a ``[`` that is not in the
    sequence is given as the position of the next element that is.
    """
    out = np.zeros(n)
    o, c = pairs
    if len(c) == 0:
        return out
    inner = depth[c] + inner_offset
    for d in np.unique(inner):
        at = np.flatnonzero(depth == d)
        prefix = np.concatenate([[0.0], np.cumsum(values[at])])
        sel = inner == d
        lo = np.searchsorted(at, o[sel])
        hi = np.searchsorted(at, c[sel])
        out[c[sel]] = -(prefix[hi] - prefix[lo])
    return out


# ------------------------------------------------------------------------- the drawing
def generate(config: LsystemConfig) -> Drawing:
    """The L-system of ``config`` as a drawing (one layer per colour band)."""
    rules = parse_rules(config.rules)
    check_symbols(config.axiom, "lsystem axiom")
    check_size(config.axiom, rules, config.iterations, config.max_segments)
    rng = np.random.default_rng(config.seed)
    codes = rewrite_codes(config.axiom, rules, config.iterations, rng)
    geo = turtle(
        codes, angle=config.angle, heading=config.heading, step_decay=config.step_decay,
        angle_jitter=config.angle_jitter, rng=rng,
    )  # fmt: skip
    if len(geo.depth) == 0:
        raise UsageError(f"lsystem: {config.axiom!r} with these rules draws nothing (no F or G)")
    (starts, ends), (w, h), scale = fit_points((geo.starts * [1, -1], geo.ends * [1, -1]))
    bands, widths = _bands(geo, config, scale)
    colors = ramp(config.colors, int(bands.max()) + 1)
    layers = []
    for b in np.unique(bands):
        sel = np.flatnonzero(bands == b)
        joined = geo.connected[sel] & (np.diff(sel, prepend=-2) == 1)  # consecutive, no lift
        layers.append(Layer(colors[b], float(widths[b]), _runs(starts[sel], ends[sel], joined)))
    return Drawing(w, h, background=config.background, layers=tuple(layers))


def _bands(geo: TurtleGeometry, config: LsystemConfig, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Colour band of each segment: its bracket depth, or its place along an unbranched path."""
    if geo.depth.max() > 0:
        bands = geo.depth.astype(np.int64)
        widths = config.width * config.width_decay ** np.arange(bands.max() + 1)
        return bands, widths
    n = len(geo.depth)
    count = min(ORDER_BANDS, n) if len(config.colors) > 1 else 1
    bands = np.arange(n) * count // n
    return bands, np.full(count, config.width)


def _runs(starts: np.ndarray, ends: np.ndarray, joined: np.ndarray) -> Paths:
    """Ragged polylines from segments: a new path wherever ``joined`` is False."""
    begins = ~joined
    total = len(ends) + int(begins.sum())
    end_at = np.arange(len(ends)) + np.cumsum(begins)
    points = np.empty((total, 2))
    points[end_at] = ends
    points[end_at[begins] - 1] = starts[begins]
    path_starts = np.append(end_at[begins] - 1, total)
    return Paths(points, path_starts.astype(np.int64))
