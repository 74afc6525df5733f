"""The scripted stand-in engine that CLI and adapter tests use."""

from __future__ import annotations

import pytest


@pytest.fixture
def scripted(monkeypatch):
    """Replace the engine with one that reports, for each trail, the rule IDs listed in its
    `Metadata: scripted:` (at the trail's Properties); the word `fail` makes it report that trail
    as not analysable, and `crash` makes it raise. The CLI and adapter mechanics (exit codes,
    order, reports, failures) are then tested apart from the analysis. Returns the list of
    Options the engine was called with."""
    from cfn_trailwatch import trail
    from cfn_trailwatch.findings import Finding

    calls = []

    def analyse(template, options=None, linked=None):
        calls.append(options)
        findings, errors = [], []
        trails = trail.trail_ids(template)
        for name in trails:
            for rule in (template["Resources"][name].get("Metadata") or {}).get("scripted", []):
                if rule == "crash":
                    raise RuntimeError("scripted crash")
                if rule == "fail":
                    errors.append((name, f"internal error while analysing trail {name}: "
                                         "ValueError: scripted failure"))
                    continue
                findings.append(Finding(rule, name, ("Resources", name, "Properties"),
                                        f"scripted {rule} on {name}",
                                        scenario=(("UseCloudWatch", False),),
                                        evidence=(f"trail {name}", "log group: none")))
        return trail.Analysis(findings, len(trails), errors)

    monkeypatch.setattr(trail, "analyse", analyse)
    return calls
