"""The one rule that picks which variants are simulated side by side."""

import pytest

from simkit.errors import SimkitError
from simkit.scenario import choose_variants, load_scenario, scenario_from_dict

CVA = "scenarios/consistent_vs_adhoc.toml"


def _names(pairs):
    return [n for n, _ in pairs]


@pytest.fixture(scope="module")
def cva():
    return load_scenario(CVA)


@pytest.fixture(scope="module")
def one():
    return scenario_from_dict({"variants": {"big": {"creator": {"followers": 90_000}}}})


def test_default_is_every_defined_variant(cva):
    pairs = choose_variants(cva)
    assert _names(pairs) == list(cva.variants)
    assert [s.variant_name for _, s in pairs] == list(cva.variants)


def test_single_variant_is_compared_with_the_base(one):
    pairs = choose_variants(one)
    assert _names(pairs) == ["base", "big"]
    assert pairs[0][1] is one and pairs[1][1]["creator.followers"] == 90_000
    # to simulate (run, bench): the variant alone; no variant: the base alone
    assert _names(choose_variants(one, minimum=1)) == ["big"]
    bare = scenario_from_dict({})
    assert _names(choose_variants(bare, minimum=1)) == ["base"]


def test_names_in_the_order_given(cva):
    assert _names(choose_variants(cva, ["ad_hoc", "consistent"])) == ["ad_hoc",
                                                                       "consistent"]
    assert _names(choose_variants(cva, " base , ad_hoc ")) == ["base", "ad_hoc"]


def test_a_variant_named_base_wins_over_the_base():
    sc = scenario_from_dict({"variants": {"base": {"creator": {"followers": 500}},
                                          "x": {}}})
    pairs = dict(choose_variants(sc, ["base", "x"]))
    assert pairs["base"].variant_name == "base"


@pytest.mark.parametrize("names, match", [
    (["consistent", "weekly"], "unknown variant 'weekly': `variants` must be one of: "
                               "consistent, ad_hoc"),
    (["consistent"], "at least two variants"),
    (",", "at least two variants"),
    (["ad_hoc", "ad_hoc"], "must not repeat"),
])
def test_refusals(cva, names, match):
    with pytest.raises(SimkitError, match=match):
        choose_variants(cva, names)


def test_nothing_to_compare_names_the_file():
    with pytest.raises(SimkitError, match=r"<dict>: no variants to compare"):
        choose_variants(scenario_from_dict({}))
