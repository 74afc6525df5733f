"""The Security Hub CloudWatch.1-CloudWatch.14 controls and their accepted filter patterns.

The data (``data/securityhub-cloudwatch-controls.json``) names for each control its rule
(WT3001-WT3014), the CIS AWS Foundations Benchmark numbers and other requirements as Security Hub
lists them, and the filter pattern variants accepted, each with its source and whether it is the
current form. :func:`classify` says which control a pattern is an accepted variant of, or how it
differs from the closest one. Pure: no template, no cfnlint.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from . import patterns
from .records import record

DATA_FILE = "securityhub-cloudwatch-controls.json"


@record(frozen=True)
class Variant:
    """An accepted form of a control's filter pattern and where it comes from."""
    text: str
    source: str
    url: str
    version: str
    current: bool

    @functools.cached_property
    def pattern(self) -> patterns.Pattern:
        return patterns.parse(self.text)

    # Computed once per variant: every classification compares with all of them.
    @functools.cached_property
    def normal(self) -> patterns.Pattern:
        return patterns.normal(self.pattern)

    @functools.cached_property
    def atom_keys(self) -> set[str]:
        return _atom_keys(self.pattern)

    @functools.cached_property
    def selector_values(self) -> set[str]:
        return _selector_values(self.pattern)


@record(frozen=True)
class Control:
    """A Security Hub CloudWatch control, its rule and its accepted pattern variants."""
    id: str
    rule: str
    title: str
    securityhub_title: str
    cis: dict
    pci_dss: tuple[str, ...]
    nist_800_171_r2: tuple[str, ...] | None   # None: not verified
    variants: tuple[Variant, ...]

    @property
    def current(self) -> Variant:
        return next(v for v in self.variants if v.current)


@record(frozen=True)
class Classification:
    """``status``: ``current`` (equivalent to the current variant), ``older`` (equivalent to an
    older accepted variant; ``note`` names the newer form), ``differs`` (``differences`` against
    the closest control's current form), ``not-json`` or ``invalid`` (``note`` says why)."""

    status: str
    control: Control | None
    variant: Variant | None
    differences: tuple[str, ...] = ()
    note: str = ""


@functools.lru_cache(maxsize=1)
def load() -> dict:
    """The raw data file."""
    text = resources.files(__package__).joinpath("data", DATA_FILE).read_text("utf-8")
    return json.loads(text)


@functools.lru_cache(maxsize=1)
def controls() -> tuple[Control, ...]:
    out = []
    for c in load()["controls"]:
        out.append(Control(
            id=c["id"], rule=c["rule"], title=c["title"],
            securityhub_title=c["securityhub_title"], cis=dict(c["cis"]),
            pci_dss=tuple(c["pci_dss"]),
            nist_800_171_r2=None if c["nist_800_171_r2"] is None else tuple(c["nist_800_171_r2"]),
            variants=tuple(Variant(v["text"], v["source"], v["url"], v["version"], v["current"])
                           for v in c["variants"])))
    return tuple(out)


def control(control_id: str) -> Control:
    """A control by its Security Hub ID (``CloudWatch.3``) or rule ID (``WT3003``)."""
    for c in controls():
        if control_id in (c.id, c.rule):
            return c
    raise KeyError(control_id)


def _atom_keys(pattern: patterns.Pattern) -> set[str]:
    return {patterns.term(a) for a in patterns.atoms(pattern)}


def _selector_values(pattern: patterns.Pattern) -> set[str]:
    out = set()
    for a in patterns.atoms(pattern):
        if isinstance(a, patterns.Compare):
            value = a.value.text.strip("*").replace(" ", "").lower()
        else:
            value = a.test
        out.add(f"{a.selector}|{value}")
    return out


def classify(text: str | patterns.Pattern, only: str | None = None) -> Classification:
    """Which control's accepted variant the pattern is, or the difference to the closest.
    ``only`` restricts the comparison to one control (an ID or rule ID)."""
    if isinstance(text, str):
        return _classify_text(text, only)
    return _classify(text, only)


@functools.lru_cache(maxsize=4096)
def _classify_text(text: str, only: str | None) -> Classification:
    """Pure and asked again for every trail and control that meets the same filter: kept."""
    return _classify(text, only)


def _classify(text: str | patterns.Pattern, only: str | None) -> Classification:
    if isinstance(text, str):
        try:
            pattern = patterns.parse(text)
        except patterns.NotJsonPattern as err:
            return Classification("not-json", None, None, note=err.message)
        except patterns.PatternError as err:
            return Classification("invalid", None, None, note=str(err))
    else:
        pattern = text
    candidates = [control(only)] if only else list(controls())
    form = patterns.normal(pattern)
    for c in candidates:
        for v in c.variants:
            if v.normal == form:
                note = "" if v.current else (
                    f"an older accepted form of {c.id}; the current form is "
                    f"{patterns.render(c.current.pattern)}")
                return Classification("current" if v.current else "older", c, v, note=note)
    keys, loose = _atom_keys(pattern), _selector_values(pattern)

    def closeness(pair: tuple[Control, Variant]) -> tuple[float, float]:
        variant = pair[1]
        exact = len(keys & variant.atom_keys) / len(keys | variant.atom_keys)
        near = len(loose & variant.selector_values) / len(loose | variant.selector_values)
        return near, exact

    pairs = [(c, v) for c in candidates for v in c.variants]
    best_control, best_variant = max(pairs, key=closeness)
    if closeness((best_control, best_variant)) == (0.0, 0.0):
        return Classification("differs", None, None,
                              note="no term in common with any CloudWatch.1-14 pattern")
    target = best_control.current
    return Classification("differs", best_control, target,
                          differences=tuple(patterns.diff(pattern, target.pattern)))
