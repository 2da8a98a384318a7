"""Offline evaluation of ipv6-eks stacks: AWS-like mocks, the plan command, the policy run."""
