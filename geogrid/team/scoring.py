"""The subsidy scoring scheme (geogrid/data/subsidy.toml, or GEOGRID_SUBSIDY_FILE) and the
pure arithmetic of one assistant's month: metrics in, score and amount out.

Money is Decimal, rounded half up to the fen, so a hand-worked month gives the same figures.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from geogrid.errors import ConfigurationError

SHIPPED = Path(__file__).parents[1] / "data" / "subsidy.toml"
FEN = Decimal("0.01")


@dataclass(frozen=True)
class Metric:
    """One weighted metric: a rate (no target) or a count measured against its target."""

    name: str
    label: str
    weight: Decimal
    target: Decimal | None = None


@dataclass(frozen=True)
class Scheme:
    """The metrics and the amount's rules."""

    metrics: tuple[Metric, ...]
    base_yuan: Decimal
    pass_score: Decimal
    reward_cap_yuan: Decimal
    max_yuan: Decimal


@dataclass(frozen=True)
class Part:
    """One metric of a month: its value (None: no data), share of the target, points."""

    name: str
    value: float | None
    share: Decimal
    points: Decimal

    @property
    def shown(self) -> str:
        """The value as a sheet shows it ("no data" rather than a silent zero)."""
        return "no data" if self.value is None else f"{self.value:g}"


@dataclass(frozen=True)
class Scored:
    """A month's score and amount, with every part that made them."""

    score: Decimal
    performance_yuan: Decimal
    rewards_yuan: Decimal
    deductions_yuan: Decimal
    amount: Decimal
    parts: list[Part] = field(default_factory=list)


def score_month(
    scheme: Scheme,
    metrics: dict[str, float | None],
    rewards: Decimal = Decimal(0),
    deductions: Decimal = Decimal(0),
) -> Scored:
    """Score one assistant's month by the scheme (see subsidy.toml for the rules)."""
    parts = [_part(metric, metrics.get(metric.name)) for metric in scheme.metrics]
    score = sum((p.points for p in parts), Decimal(0)).quantize(FEN, ROUND_HALF_UP)
    performance = Decimal(0)
    if score >= scheme.pass_score:
        performance = (scheme.base_yuan * score / 100).quantize(FEN, ROUND_HALF_UP)
    rewards = min(Decimal(rewards), scheme.reward_cap_yuan)
    total = performance + rewards - Decimal(deductions)
    amount = min(max(total, Decimal(0)), scheme.max_yuan).quantize(FEN, ROUND_HALF_UP)
    return Scored(score, performance, rewards, Decimal(deductions), amount, parts)


def _part(metric: Metric, value: float | None) -> Part:
    if value is None:
        return Part(metric.name, None, Decimal(0), Decimal(0))
    raw = Decimal(str(value))
    share = raw / metric.target if metric.target else raw
    share = min(max(share, Decimal(0)), Decimal(1))
    return Part(metric.name, value, share, (metric.weight * share).quantize(FEN, ROUND_HALF_UP))


def load_scheme(path: Path | None = None) -> Scheme:
    """The scheme in `path` (the shipped one when None), checked: weights add up to 100."""
    path = path or SHIPPED
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        metrics = tuple(
            Metric(m["name"], m.get("label", m["name"]), _dec(m["weight"]),
                   _dec(m["target"]) if "target" in m else None)
            for m in data["metric"]
        )  # fmt: skip
        amount = data["amount"]
        scheme = Scheme(metrics, _dec(amount["base_yuan"]), _dec(amount["pass_score"]),
                        _dec(amount["reward_cap_yuan"]), _dec(amount["max_yuan"]))  # fmt: skip
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ArithmeticError) as exc:
        raise ConfigurationError(f"{path}: not a subsidy scheme ({exc!r})") from None
    weights = sum((m.weight for m in metrics), Decimal(0))
    if weights != 100:
        raise ConfigurationError(f"{path}: the metrics' weights add up to {weights}, not 100")
    if len({m.name for m in metrics}) != len(metrics):
        raise ConfigurationError(f"{path}: a metric is named twice")
    return scheme


def _dec(value) -> Decimal:
    return Decimal(str(value))
