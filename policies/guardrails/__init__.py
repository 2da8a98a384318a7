"""ipv6-eks CrossGuard rules: importable without starting the policy server."""
