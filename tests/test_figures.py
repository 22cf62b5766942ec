"""The figures of one event, as real coverage words them, are one figure; different ones are not."""

import pytest

from monitor.figures import figure_range, figures_agree


@pytest.mark.parametrize("other", [
    {"value": 6000, "qualifier": "more than"},
    {"value": 6000, "qualifier": "over"},
    {"value": 6200, "qualifier": "nearly"},
    {"value": 6000, "qualifier": "más de"},
    {"value": 2000, "qualifier": "thousands"},
    6252,
    6300,
])
def test_coverage_of_one_exposure_agrees_with_the_exact_figure(other):
    assert figures_agree(6252, other)


@pytest.mark.parametrize("other", [30000, 2000, {"value": 7000, "qualifier": "more than"}])
def test_a_different_quantity_does_not_agree(other):
    assert not figures_agree(6252, other)


def test_a_bare_figure_reaches_five_percent_either_way():
    assert figure_range(1000) == (950.0, 1050.0)


def test_an_unknown_qualifier_counts_as_bare():
    assert figure_range(1000, "exactly") == figure_range(1000)
