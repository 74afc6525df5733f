"""How much of one ``cfn-lint -a cfn_trailwatch.rules`` run is the cfn-trailwatch rules' own work.

    python bench/plugin_share.py FILE...

Section (d) of bench/run.py compares whole runs of cfn-lint with and without the rules; on a
shared machine cfn-lint's own run-to-run spread (often 10 % and more) is larger than the
overhead being measured. This script measures the overhead from inside one process instead:
cfn-lint is imported first (its cost is not ours), then the time to import the rules package
and the time spent in the rules' ``match`` (the engine's analysis included) are added up with
``time.perf_counter`` while cfn-lint's own ``main`` lints the files. Prints one JSON line:
``{"files", "total_s", "import_s", "match_s", "share"}``, where share is
``(import_s + match_s) / (total_s - import_s - match_s)``: the extra work over plain cfn-lint.
"""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str]) -> int:
    began = time.perf_counter()
    from cfnlint.runner import main as cfn_lint_main   # cfn-lint's own start-up: not ours

    imported = time.perf_counter()
    from cfn_trailwatch.rules import _adapter  # noqa: F401 - the import cfn-lint's -a would do
    import cfn_trailwatch.rules  # noqa: F401
    import_s = time.perf_counter() - imported

    in_match = [0.0]
    original = _adapter.TrailwatchRule.match

    def timed_match(self, cfn):
        start = time.perf_counter()
        try:
            return original(self, cfn)
        finally:
            in_match[0] += time.perf_counter() - start

    _adapter.TrailwatchRule.match = timed_match
    sys.argv = ["cfn-lint", "-a", "cfn_trailwatch.rules", "--", *argv]
    try:
        cfn_lint_main()
    except SystemExit:
        pass  # cfn-lint exits with its findings' code
    total_s = time.perf_counter() - began
    ours = import_s + in_match[0]
    print(json.dumps({"files": len(argv), "total_s": round(total_s, 4),
                      "import_s": round(import_s, 4), "match_s": round(in_match[0], 4),
                      "share": round(ours / (total_s - ours), 5)}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
