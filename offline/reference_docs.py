"""``python -m offline.reference_docs [--write]``: the README's component reference, generated from
the package schema Pulumi builds from the components themselves (their TypedDict arguments,
annotated outputs and docstrings) - the schema other languages' SDKs are generated from.

Without ``--write`` it checks: exit 1 and name the blocks that differ when the README has
drifted from the components. The README marks each block ``<!-- schema:<Component> -->`` ...
``<!-- /schema -->``; everything outside the markers is prose and left alone.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from functools import cache
from typing import Any

from offline.harness import PROJECT_DIR

README = PROJECT_DIR / "README.md"
PACKAGE = "ipv6-eks"
BLOCK = re.compile(r"(<!-- schema:(?P<name>\w+) -->\n)(?P<body>.*?)(<!-- /schema -->)", re.S)


@cache
def package_schema() -> dict[str, Any]:
    """The schema ``pulumi package get-schema`` would print for the plugin, without the CLI."""
    from pulumi.provider.experimental.component import ComponentProvider

    import ipv6_eks

    return json.loads(ComponentProvider(list(ipv6_eks.COMPONENTS), PACKAGE, version=ipv6_eks.__version__).schema)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def one_line(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def type_of(prop: dict[str, Any]) -> str:
    ref = prop.get("$ref", "")
    if ref.startswith("#/types/"):
        return ref.rsplit(":", 1)[-1]
    if ref == "pulumi.json#/Any":
        return "any"
    if ref:
        return ref.rsplit("/", 1)[-1].replace("pulumi:providers:", "") + " provider"
    if prop.get("type") == "array":
        return f"list of {type_of(prop.get('items', {}))}"
    if prop.get("type") == "object":
        return f"map of {type_of(prop.get('additionalProperties', {}))}"
    return str(prop.get("type", "any"))


def _types_used(props: dict[str, Any], schema: dict[str, Any], seen: list[str]) -> list[str]:
    for prop in props.values():
        for ref in re.findall(r'"#/types/([^"]+)"', json.dumps(prop)):
            if ref not in seen:
                seen.append(ref)
                _types_used(schema["types"][ref].get("properties", {}), schema, seen)
    return seen


def render(component: str) -> str:
    """The reference block of one component: arguments, the types they use, outputs."""
    schema = package_schema()
    resource = schema["resources"][f"{PACKAGE}:index:{component}"]
    required = set(resource.get("requiredInputs", []))
    lines = ["| argument | type | required | description |", "|---|---|---|---|"]
    for name, prop in resource.get("inputProperties", {}).items():
        lines.append(f"| `{snake(name)}` | {type_of(prop)} | {'yes' if name in required else ''} | {one_line(prop.get('description'))} |")
    for token in _types_used(resource.get("inputProperties", {}), schema, []):
        kind = schema["types"][token]
        needed = set(kind.get("required", []))
        lines += ["", f"`{token.rsplit(':', 1)[-1]}`: {one_line(kind.get('description'))}", ""]
        lines += ["| field | type | required | description |", "|---|---|---|---|"]
        for name, prop in kind.get("properties", {}).items():
            lines.append(f"| `{snake(name)}` | {type_of(prop)} | {'yes' if name in needed else ''} | {one_line(prop.get('description'))} |")
    lines += ["", "| output | type | description |", "|---|---|---|"]
    for name, prop in resource.get("properties", {}).items():
        lines.append(f"| `{snake(name)}` | {type_of(prop)} | {one_line(prop.get('description'))} |")
    return "\n".join(lines) + "\n"


def refreshed(text: str) -> tuple[str, list[str]]:
    """The README with every schema block regenerated, and the names of the blocks that changed."""
    changed: list[str] = []

    def replace(match: re.Match[str]) -> str:
        body = render(match["name"])
        if body != match["body"]:
            changed.append(match["name"])
        return match.group(1) + body + match.group(4)

    return BLOCK.sub(replace, text), changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.reference_docs", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the README's schema blocks")
    args = parser.parse_args(argv)
    text = README.read_text()
    updated, changed = refreshed(text)
    if args.write:
        README.write_text(updated)
        print(f"README.md: {len(changed)} block(s) rewritten" + (f": {', '.join(changed)}" if changed else ""))
        return 0
    if changed:
        print(
            f"README.md: the component reference of {', '.join(changed)} differs from the components; run python -m offline.reference_docs --write"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
