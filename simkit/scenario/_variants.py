"""Which variants of a scenario to simulate side by side: the one rule.

``simkit.compare``, the report's comparison section, ``simkit plot --kind
compare``/``sources`` and ``simkit run``/``bench`` all choose their variants
through :func:`choose_variants`. It lives in the scenario layer because it
needs only a :class:`~simkit.scenario.Scenario` (its variant names and
:meth:`~simkit.scenario.Scenario.variant`), so every layer above can call it.
"""

from __future__ import annotations

from ..errors import SimkitError

__all__ = ["choose_variants", "BASE"]

#: The name of the scenario without a variant (unless a variant has that name).
BASE = "base"


def choose_variants(scenario, variants=None, *, minimum=2):
    """The variants to simulate side by side, as ``(name, Scenario)`` pairs.

    Parameters
    ----------
    scenario : Scenario
        A scenario as loaded (not one of its variants).
    variants : str or sequence of str, optional
        Variant names, or one comma-separated string (``"a,b"``).
        ``"base"`` means the scenario without a variant, unless the scenario
        defines a variant of that name. Default: every variant the scenario
        defines; when that is fewer than ``minimum``, ``"base"`` first and
        then every defined variant.
    minimum : int
        Fewest variants the caller needs: 2 to compare (the default), 1 to
        simulate (``simkit run``: the base alone when the file defines no
        variant).

    Returns
    -------
    tuple of (str, Scenario)
        In the order given (or defined), without repeats.

    Raises
    ------
    SimkitError
        An unknown or repeated name, fewer names than ``minimum``, or (by
        default) a scenario with nothing to compare.

    Examples
    --------
    >>> from simkit.scenario import choose_variants, load_scenario, scenario_from_dict
    >>> cva = load_scenario("scenarios/consistent_vs_adhoc.toml")
    >>> [n for n, _ in choose_variants(cva)]
    ['consistent', 'ad_hoc']
    >>> [(n, s.variant_name) for n, s in choose_variants(cva, "base, ad_hoc")]
    [('base', None), ('ad_hoc', 'ad_hoc')]
    >>> one = scenario_from_dict({"variants": {"big": {"creator":
    ...                                                {"followers": 90_000}}}})
    >>> [n for n, _ in choose_variants(one)]  # a single variant: against the base
    ['base', 'big']
    >>> [n for n, _ in choose_variants(one, minimum=1)]
    ['big']
    >>> [n for n, _ in choose_variants(scenario_from_dict({}), minimum=1)]
    ['base']
    >>> choose_variants(cva, ["consistent", "weekly"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simkit.errors.SimkitError: ...: unknown variant 'weekly': `variants` must be ...
    """
    defined = tuple(scenario.variants)
    source = getattr(scenario, "source", None) or scenario.name
    if isinstance(variants, str):
        variants = [v.strip() for v in variants.split(",") if v.strip()]
    if variants is None:
        if len(defined) >= minimum:
            names = defined
        elif defined or minimum <= 1:
            names = (BASE, *defined)
        else:
            raise SimkitError(f"{source}: no variants to compare; define "
                              "[variants.NAME] tables or pass `variants`")
    else:
        names = tuple(variants)
        if len(names) < minimum:
            raise SimkitError(f"`variants` must name at least {_count(minimum)} "
                              f"variant{'s' * (minimum != 1)}, got {list(names)!r}")
        if len(set(names)) != len(names):
            raise SimkitError(f"`variants` must not repeat a name, got {list(names)!r}")
    out = []
    for v in names:
        if v in defined:
            out.append((v, scenario.variant(v)))
        elif v == BASE:
            out.append((BASE, scenario))
        else:
            raise SimkitError(f"{source}: unknown variant {v!r}: `variants` must be "
                              f"one of: {', '.join(defined) or 'none defined'} "
                              f"(or {BASE!r})")
    return tuple(out)


def _count(n):
    return {1: "one", 2: "two"}.get(n, str(n))
