"""The budget for slow templates counts work done, not time the machine spent elsewhere."""

from __future__ import annotations

import itertools

import pytest

from engine.recipes import templates
from engine.recipes.templates import Templates


def test_a_busy_machine_does_not_use_up_the_slow_render_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every reading of the wall clock jumps 0.1 s ahead, as on a machine whose other jobs take the CPU
    # between two readings: wall time says each compile was slow though it did little work.
    ticks = itertools.count()
    monkeypatch.setattr(templates.time, "monotonic", lambda: next(ticks) * 0.1)
    renderer = Templates()
    rendered = [renderer.render(f"ITEM-{n}-{{{{ size | lower }}}}", {"size": "XL"}) for n in range(200)]
    assert rendered[-1] == "ITEM-199-xl"
