"""Profile a cfn-trailwatch scan in-process, to target the engine work (issue 6, item 3).

    python bench/profile_scan.py                    # the corpus, cProfile, top 25 two ways
    python bench/profile_scan.py --generated 600    # a generated template with 600 trails
    python bench/profile_scan.py --pyinstrument     # also pyinstrument's call tree, if installed
    python bench/profile_scan.py --importtime       # also the heaviest imports at start-up
    python bench/profile_scan.py FILE...            # given files

(``python bench/run.py --profile [--profile-args ...]`` runs this script.)

The scan is ``cfn_trailwatch.cli.main(["--format", "json", FILES...])`` with its output thrown
away, in a fresh interpreter, the import of ``cfn_trailwatch.cli`` included in the profile
(``--no-import`` imports it first, outside the profile). cProfile prints the top functions by
cumulative time (where the time goes, callees included) and by own time (what to make faster);
cProfile's own overhead inflates many small calls, so read the ranking more than the seconds.
pyinstrument (a sampling profiler, ``pip install pyinstrument``) is optional: without it the
script works the same and says so.

``--importtime`` runs ``python -X importtime -c "import cfn_trailwatch.cli"`` in a child and lists
the heaviest imports (cumulative and own microseconds) on the start-up path.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import gen_trails  # noqa: E402
from run import child_env, corpus_files  # noqa: E402


def _scan(files: list[str]) -> int:
    import cfn_trailwatch.cli as cli
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):
        return cli.main(["--format", "json", *files])


def run_cprofile(files: list[str], top: int, with_import: bool) -> None:
    if not with_import:
        import cfn_trailwatch.cli  # noqa: F401
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    code = _scan(files)
    profiler.disable()
    elapsed = time.perf_counter() - start
    print(f"cProfile: {len(files)} files, exit {code}, {elapsed:.3f} s under the profiler "
          f"({'import included' if with_import else 'import excluded'})")
    stats = pstats.Stats(profiler)
    stats.strip_dirs()
    for key, title in (("cumulative", "by cumulative time"), ("tottime", "by own time")):
        print(f"\n### top {top} {title}\n")
        buffer = io.StringIO()
        stats.stream = buffer
        stats.sort_stats(key).print_stats(top)
        text = buffer.getvalue()
        # Keep the table, drop pstats' preamble.
        start_at = text.find("   ncalls")
        print(text[start_at:].rstrip() if start_at >= 0 else text.rstrip())


def run_pyinstrument(files: list[str], with_import: bool) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("\n(pyinstrument is not installed: `pip install pyinstrument` for its call tree)")
        return
    if not with_import:
        import cfn_trailwatch.cli  # noqa: F401
    profiler = Profiler(interval=0.0005)
    profiler.start()
    _scan(files)
    profiler.stop()
    print("\n### pyinstrument call tree\n")
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def importtime(top: int) -> None:
    env = child_env(pyc_cache=True)
    command = [sys.executable, "-X", "importtime", "-c", "import cfn_trailwatch.cli"]
    subprocess.run(command, env=env, capture_output=True)  # warm the byte-code cache
    rows = []
    for _ in range(3):
        err = subprocess.run(command, env=env, capture_output=True, text=True).stderr
        rows.append(_parse_importtime(err))
    # Median of three runs per module.
    merged: dict[str, tuple[int, int, int]] = {}
    for name in rows[0]:
        selfs = sorted(r[name][0] for r in rows if name in r)
        cums = sorted(r[name][1] for r in rows if name in r)
        merged[name] = (selfs[len(selfs) // 2], cums[len(cums) // 2], rows[0][name][2])
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import cfn_trailwatch.cli"], env=env)
    total = time.perf_counter() - start
    bare_start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], env=env)
    bare = time.perf_counter() - bare_start
    print(f"\n### imports on the start-up path (python -X importtime -c \"import "
          f"cfn_trailwatch.cli\", median of 3)\n")
    print(f"whole process: {total * 1000:.0f} ms; bare interpreter (python -c pass): "
          f"{bare * 1000:.0f} ms")
    print(f"\ntop {top} by cumulative time (us), top-level and first-level imports:")
    print(f"{'cumulative':>11} {'self':>8}  module")
    shallow = [(n, v) for n, v in merged.items() if v[2] <= 1]
    for name, (own, cum, depth) in sorted(shallow, key=lambda item: -item[1][1])[:top]:
        print(f"{cum:>11} {own:>8}  {'  ' * depth}{name}")
    print(f"\ntop {top} by own time (us):")
    print(f"{'self':>8} {'cumulative':>11}  module")
    for name, (own, cum, depth) in sorted(merged.items(), key=lambda item: -item[1][0])[:top]:
        print(f"{own:>8} {cum:>11}  {name}")


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def _parse_importtime(text: str) -> dict[str, tuple[int, int, int]]:
    found: dict[str, tuple[int, int, int]] = {}
    for line in text.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            depth = (len(match.group(3)) - 1) // 2
            found[match.group(4)] = (int(match.group(1)), int(match.group(2)), depth)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/profile_scan.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="templates (default: the whole corpus)")
    parser.add_argument("--generated", type=int, metavar="N",
                        help="profile a generated template with N trails instead")
    parser.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    parser.add_argument("--no-import", action="store_true",
                        help="import cfn_trailwatch.cli before profiling")
    parser.add_argument("--pyinstrument", action="store_true",
                        help="also profile with pyinstrument (sampling), if installed")
    parser.add_argument("--importtime", action="store_true",
                        help="also list the heaviest imports on the start-up path")
    args = parser.parse_args(argv)

    os.chdir(REPO)
    # Start from compiled byte code, as bench/run.py does (and as after a pip install): the
    # import in the profile should not be charged a compilation of every module.
    env = child_env(pyc_cache=True)
    sys.pycache_prefix = env["PYTHONPYCACHEPREFIX"]
    sys.dont_write_bytecode = False
    subprocess.run([sys.executable, "-c", "import cfn_trailwatch.cli"], env=env, check=False)
    with tempfile.TemporaryDirectory(prefix="cfn-trailwatch-profile-") as tmp:
        if args.generated:
            files = [gen_trails.write(args.generated,
                                      os.path.join(tmp, f"trails-{args.generated}.yaml"))]
        else:
            files = args.files or corpus_files()
        if args.pyinstrument:
            # A separate interpreter, so that both profiles see a cold import.
            cmd = [sys.executable, __file__, "--pyinstrument-only", *files]
            if args.no_import:
                cmd.insert(2, "--no-import")
            run_cprofile(files, args.top, with_import=not args.no_import)
            sys.stdout.flush()
            subprocess.run(cmd, env=env)
        else:
            run_cprofile(files, args.top, with_import=not args.no_import)
    if args.importtime:
        importtime(args.top)
    return 0


if __name__ == "__main__":
    if "--pyinstrument-only" in sys.argv:
        sys.argv.remove("--pyinstrument-only")
        no_import = "--no-import" in sys.argv
        if no_import:
            sys.argv.remove("--no-import")
        run_pyinstrument(sys.argv[1:], with_import=not no_import)
        sys.exit(0)
    sys.exit(main())
