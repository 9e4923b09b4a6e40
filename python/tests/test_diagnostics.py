"""Scenario files that do not check raise `ScenarioError` with the report and diagnostics."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import shopops


def test_a_misspelt_check_raises_the_report_and_diagnostics(tmp_path: Path) -> None:
    broken = tmp_path / "scenarios"
    shutil.copytree(shopops.SHIPPED, broken)
    cases = broken / "data" / "refund_policy_recovery.yaml"
    text = cases.read_text()
    assert "checks: [order, policy, history]" in text
    cases.write_text(
        text.replace("checks: [order, policy, history]", "checks: [order, polcy, history]")
    )

    with pytest.raises(shopops.ScenarioError) as raised:
        shopops.load(broken)
    error = raised.value
    assert "unknown check `polcy`" in error.report
    assert "did you mean `policy`?" in error.report
    assert error.report in str(error)
    [diagnostic] = error.diagnostics
    assert diagnostic["code"] == "SHOP004"
    assert diagnostic["severity"] == "error"
    assert diagnostic["file"] == str(cases)
    assert (diagnostic["line"], diagnostic["column"]) == (30, 23)
    assert diagnostic["help"] == "did you mean `policy`?"
    with pytest.raises(shopops.ScenarioError):
        shopops.Env("refund_policy_recovery", scenarios=broken)


def test_a_file_of_the_set_loads_alone_and_a_missing_path_is_an_os_error(tmp_path: Path) -> None:
    one = shopops.load(shopops.SHIPPED / "refund_policy_recovery.shop")
    assert one.ids() == ["refund_policy_recovery"]
    with pytest.raises(OSError):
        shopops.load(tmp_path / "missing")
    with pytest.raises(KeyError, match="unknown task `nope`"):
        shopops.Env("nope")
