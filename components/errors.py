"""The one error type every component, planner and the stack configuration raise for bad input.

An ``ArgumentError`` knows where the bad value sits (a path of field names and list indexes),
what is wrong with it and what would be allowed, so each caller can render it in its own
vocabulary: a component names its argument (``tiers[1].ipv4_prefix_length``), the stack
configuration names the key in the stack file (``ipv6-eks:vpcs.shared.tiers[1].ipv4PrefixLength``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

PathPart = str | int
_SNAKE_WORD = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)+\b")  # not x86_64


def render_path(path: Sequence[PathPart], *, camel: bool = False) -> str:
    """``("tiers", 1, "ipv4_prefix_length")`` -> ``tiers[1].ipv4_prefix_length``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = snake_to_camel(part) if camel else part
            out += f".{name}" if out else name
    return out


def snake_to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


class ArgumentError(ValueError):
    """A bad argument: ``path`` locates it, ``problem`` says what is wrong, ``allowed`` what is not."""

    def __init__(self, path: Sequence[PathPart], problem: str, allowed: str) -> None:
        self.path = tuple(path)
        self.problem = problem
        self.allowed = allowed
        super().__init__(self.render())

    def render(self, *, camel: bool = False) -> str:
        where = render_path(self.path, camel=camel) or "(top level)"
        problem, allowed = self.problem, self.allowed
        if camel:  # the prose names fields too: speak the stack file's camelCase there as well
            problem, allowed = (_SNAKE_WORD.sub(lambda m: snake_to_camel(m.group(0)), t) for t in (problem, allowed))
        return f"{where}: {problem}; {allowed}"

    def under(self, *prefix: PathPart) -> ArgumentError:
        """The same error, located under ``prefix`` (a component's argument, a config key)."""
        return ArgumentError((*prefix, *self.path), self.problem, self.allowed)


class ArgumentErrors(ValueError):
    """Several independent bad arguments, reported together (one line each)."""

    def __init__(self, errors: Iterable[ArgumentError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(e.render() for e in self.errors))


def raise_if_any(errors: Sequence[ArgumentError]) -> None:
    """Raise the single error, or all of them together; do nothing when there are none."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ArgumentErrors(errors)
