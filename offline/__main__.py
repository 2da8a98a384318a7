"""``python -m offline [STACK] [--json] [--policy-config FILE]``: the offline plan of a stack.

STACK is a stack name (``dev``, looked up as ``Pulumi.dev.yaml``) or a path to a stack file.
The plan runs the ipv6-eks policy pack over what the stack registers (configured by
``policies/config.json`` unless ``--policy-config`` names another file, in the format of
``pulumi preview --policy-pack-config``).
Exit status: 0 planned; 2 the stack file has configuration errors (one line each on stderr);
3 a mandatory policy is violated.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from dataclasses import asdict
from pathlib import Path

from offline.harness import PROJECT_DIR, evaluate_stack
from offline.plan import plan_document, render_text
from offline.quotas import quota_usage

EXIT_CONFIG_ERROR = 2
EXIT_MANDATORY_VIOLATION = 3


def stack_file(argument: str) -> Path:
    path = Path(argument)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return PROJECT_DIR / f"Pulumi.{argument}.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline", description=__doc__.splitlines()[0])
    parser.add_argument("stack", nargs="?", default="dev", help="stack name or path to Pulumi.<stack>.yaml (default: dev)")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.add_argument("--policy-config", type=Path, help="policy pack configuration (default: policies/config.json)")
    args = parser.parse_args(argv)

    path = stack_file(args.stack)
    if not path.is_file():
        print(
            f"{path}: no such stack file; allowed: a stack name with a Pulumi.<stack>.yaml beside Pulumi.yaml, or a path", file=sys.stderr
        )
        return EXIT_CONFIG_ERROR

    import stack_config  # after argument parsing: importing it loads the Pulumi SDKs
    from ipv6_eks.errors import ArgumentError, ArgumentErrors
    from offline.policy_run import DEFAULT_POLICY_CONFIG, PolicyConfigError, load_policy_config, run_policies

    try:
        policy_config = load_policy_config(args.policy_config or DEFAULT_POLICY_CONFIG)
    except PolicyConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG_ERROR

    # The SDKs are hundreds of thousands of long-lived objects. Freezing them keeps the cyclic
    # garbage collector from rescanning them on every collection while the stack is evaluated
    # and at exit, which otherwise costs about a third of the run.
    gc.freeze()
    try:
        evaluation = evaluate_stack(path)
    except stack_config.ConfigError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except (ArgumentError, ArgumentErrors) as error:
        # A component refused an argument the stack file gave it: still the user's input, one line each.
        for line in str(error).splitlines():
            print(f"{path}: {line}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    findings = [asdict(f) for f in run_policies(evaluation, policy_config)]
    if args.json:
        json.dump(plan_document(evaluation, findings), sys.stdout, indent=2, sort_keys=True, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(evaluation, findings))
    for use in quota_usage(evaluation):
        if use.exceeds:
            print(
                f"quota: this stack needs {use.used} of {use.quota.name} (default {use.quota.default}); raise {use.quota.code} "
                f"({use.quota.service}) in Service Quotas before pulumi up, or it fails half-way",
                file=sys.stderr,
            )
    if any(f["level"] == "mandatory" for f in findings):
        print(
            f"{sum(f['level'] == 'mandatory' for f in findings)} mandatory policy violation(s); pulumi preview --policy-pack policies would refuse this stack",
            file=sys.stderr,
        )
        return EXIT_MANDATORY_VIOLATION
    return 0


if __name__ == "__main__":
    sys.exit(main())
