"""``python -m offline.timing [STACK] [-n RUNS]``: how long the offline plan takes, next to how long
merely importing the Pulumi SDK modules it uses takes (both as fresh processes, medians).

The SDK modules are found by running the plan once and listing every module of the Pulumi SDKs
(``pulumi``, ``pulumi_aws``, ``pulumi_eks``, ...) it executed, so the baseline is exactly
"import what the plan needs, and nothing else".
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import time

from offline.harness import PROJECT_DIR

SDK_PACKAGES = ("pulumi", "pulumi_aws", "pulumi_eks", "pulumi_kubernetes", "pulumi_tls", "pulumi_policy")


def sdk_modules_used(stack: str) -> list[str]:
    """Every Pulumi SDK module a plan of ``stack`` actually executes (not the lazy stubs)."""
    from pulumi._utils import _LazyModule

    from offline.__main__ import main

    with contextlib.redirect_stdout(io.StringIO()):
        main([stack])
    return sorted(
        name
        for name, module in list(sys.modules.items())
        if name.split(".")[0] in SDK_PACKAGES and module is not None and not isinstance(module, _LazyModule)
    )


def median_seconds(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT_DIR, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.timing", description=__doc__.splitlines()[0])
    parser.add_argument("stack", nargs="?", default="dev")
    parser.add_argument("-n", "--runs", type=int, default=15)
    args = parser.parse_args(argv)
    modules = sdk_modules_used(args.stack)
    # pulumi_aws loads its service modules lazily: touch each so it really executes.
    # (any ordinary attribute access makes a lazy module execute; introspection ones do not).
    imports = [sys.executable, "-c", f"import importlib\nfor m in {modules!r}: getattr(importlib.import_module(m), 'load', None)"]
    plan = [sys.executable, "-m", "offline", args.stack]
    median_seconds(plan, 1)  # warm the file cache and the bytecode of both
    importing = median_seconds(imports, args.runs)
    planning = median_seconds(plan, args.runs)
    packages = sorted({m.split(".")[0] for m in modules})
    print(f"SDK modules the plan executes: {len(modules)}, of {', '.join(packages)}")
    print(
        f"median of {args.runs}: importing them {importing:.3f} s; offline plan of {args.stack} {planning:.3f} s; ratio {planning / importing:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
