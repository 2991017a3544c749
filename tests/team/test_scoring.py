"""The subsidy scheme on hand-built months, with the amounts worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from geogrid.errors import ConfigurationError
from geogrid.team.scoring import SHIPPED, load_scheme, score_month

MONTH = {
    "acceptance_on_time": 0.9,  # weight 10 -> 9.00
    "handling_on_time": 0.8,  # weight 15 -> 12.00
    "closure": 0.5,  # weight 10 -> 5.00
    "patrol_coverage": None,  # weight 20 -> no data, 0
    "registry_completeness": 0.75,  # weight 20 -> 15.00
    "training_hours": 6,  # target 4, weight 10 -> capped at 10.00
    "worklog_days": 11,  # target 22, weight 15 -> 7.50
}


def test_a_month_below_the_pass_score_earns_only_its_rewards():
    scored = score_month(load_scheme(), MONTH, Decimal(200), Decimal(0))
    assert scored.score == Decimal("58.50")  # 9 + 12 + 5 + 0 + 15 + 10 + 7.5
    assert scored.performance_yuan == 0  # under the pass score of 60
    assert scored.amount == Decimal("200.00")
    patrol = next(p for p in scored.parts if p.name == "patrol_coverage")
    assert (patrol.shown, patrol.points) == ("no data", 0)


def test_a_full_month_with_rewards_and_a_deduction():
    scored = score_month(load_scheme(), MONTH | {"patrol_coverage": 1.0}, Decimal(500),
                         Decimal(50))  # fmt: skip
    assert scored.score == Decimal("78.50")  # 58.5 + 20
    assert scored.performance_yuan == Decimal("471.00")  # 600 x 78.5 / 100
    assert scored.amount == Decimal("921.00")  # 471 + 500 - 50


def test_rewards_are_capped_and_the_amount_stays_between_zero_and_the_maximum():
    full = dict.fromkeys(MONTH, 1.0) | {"training_hours": 4, "worklog_days": 22}
    capped = score_month(load_scheme(), full, Decimal(2000))
    assert capped.score == 100 and capped.rewards_yuan == 1000
    assert capped.amount == Decimal("1500.00")  # 600 + 1000 = 1600 over the maximum
    assert score_month(load_scheme(), {}, Decimal(0), Decimal(80)).amount == 0


def test_a_scheme_whose_weights_do_not_make_100_is_refused(tmp_path: Path):
    bad = tmp_path / "subsidy.toml"
    bad.write_text(SHIPPED.read_text(encoding="utf-8").replace("weight = 15", "weight = 16", 1),
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(ConfigurationError, match="add up to 101"):
        load_scheme(bad)
    bad.write_text("[amount]\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not a subsidy scheme"):
        load_scheme(bad)
