"""``python -m mesh_check [STACK] [-n CALLS]``: after ``pulumi up``, call helloworld from the sleep
pod of every mesh member and print which versions answered where. Exit 0 only if every member
reached every version (M38); 1 if not; 2 if the check could not run."""

import argparse
import sys

from mesh_check import CheckError, check_mesh, expected_versions, report

EXIT_NOT_REACHED = 1
EXIT_CANNOT_CHECK = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mesh_check", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("stack", nargs="?", default="dev", help="the deployed stack (default dev)")
    parser.add_argument("-n", "--calls", type=int, default=10, help="calls from each member's sleep pod (default 10)")
    parser.add_argument("--cwd", help="the Pulumi project directory, if not the current one")
    parser.add_argument("--kubectl", default="kubectl", help="kubectl to use (default: from PATH)")
    parser.add_argument("--pulumi", default="pulumi", help="pulumi to use (default: from PATH)")
    args = parser.parse_args(argv)
    if args.calls < 1:
        parser.error("-n/--calls: at least 1")
    try:
        results = check_mesh(args.stack, args.calls, pulumi=args.pulumi, kubectl=args.kubectl, cwd=args.cwd)
    except CheckError as error:
        print(f"mesh check: {error}", file=sys.stderr)
        return EXIT_CANNOT_CHECK
    lines, ok = report(results, expected_versions([r.member for r in results]))
    print("\n".join(lines))
    return 0 if ok else EXIT_NOT_REACHED


if __name__ == "__main__":
    sys.exit(main())
