"""The offline plan: the README's main job, as a user runs it."""

import json
import subprocess
import sys

import pytest
import yaml

from offline.__main__ import main
from offline.harness import PROJECT_DIR


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "offline", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)


def test_dev_plan_prints_the_tree_and_the_addressing_table():
    result = run_cli("dev")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Offline plan of stack 'dev' in us-east-2" in out
    assert "shared  ipv6-eks:index:DualStackVpc" in out
    assert "Addressing plan of VPC shared (10.230.0.0/16, IPv6 2600:1f16:5de:8b00::/56):" in out
    assert (
        "shared-private-us-east-2a   private (private)    us-east-2a  10.230.16.0/22  2600:1f16:5de:8b03::/64  off    "
        "0.0.0.0/0 -> nat:shared-nat-us-east-2a, ::/0 -> eigw:shared-eigw"
    ) in out
    assert (
        "shared-public-us-east-2c    public (public)      us-east-2c  10.230.2.0/24   2600:1f16:5de:8b02::/64  off    0.0.0.0/0 -> igw:shared-igw, ::/0 -> igw:shared-igw"
        in out
    )
    assert "shared-database-us-east-2b  database (isolated)  us-east-2b  10.230.32.0/22  2600:1f16:5de:8b07::/64  off    (none)" in out
    assert result.stderr == ""


def test_json_plan_is_machine_readable(capsys):
    assert main(["prod", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["stack"] == "prod" and document["region"] == "us-east-2"
    subnets = {s["name"]: s for s in document["subnets"]}
    row = subnets["modern-private-us-east-2b"]
    assert row["ipv4_cidr"] == "10.41.32.0/20" and row["auto_assign_ipv6"] is True and row["dns64"] is False
    assert set(row["routes"]) == {"0.0.0.0/0", "::/0"}
    assert row["routes"]["::/0"].startswith("eigw-") and row["routes"]["0.0.0.0/0"].startswith("nat-")
    vpcs = [r for r in document["resources"] if r["type"] == "aws:ec2/vpc:Vpc"]
    assert len(vpcs) == 2 and all(r["protect"] for r in vpcs)


def test_plan_is_deterministic(capsys):
    main(["dev", "--json"])
    first = capsys.readouterr().out
    main(["dev", "--json"])
    assert capsys.readouterr().out == first


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        (
            "ipv4Cidr: 10.230.0.0/16",
            "ipv4Cidr: 10.230.0.0/33",
            "Pulumi.broken.yaml: ipv6-eks:vpcs.shared.ipv4Cidr: '10.230.0.0/33' is not an IPv4 network",
        ),
        ("azSlots: 3", "azSlot: 3", "Pulumi.broken.yaml: ipv6-eks:vpcs.shared.azSlot: unknown key; did you mean 'azSlots'?"),
        (
            "ipv4PrefixLength: 24",
            "ipv4PrefixLength: twenty-four",
            "Pulumi.broken.yaml: ipv6-eks:vpcs.shared.tiers[0].ipv4PrefixLength: 'twenty-four' is a string; allowed: a whole number",
        ),
    ],
)
def test_config_errors_exit_2_with_one_line_each_and_no_traceback(tmp_path, replace, by, expected):
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text((PROJECT_DIR / "Pulumi.dev.yaml").read_text().replace(replace, by))
    result = run_cli(str(broken))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{broken.parent}/{expected}"), result.stderr  # the file as given
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_unknown_stack_is_a_clear_error():
    result = run_cli("staging")
    assert result.returncode == 2
    assert "Pulumi.staging.yaml: no such stack file" in result.stderr


def test_plan_prints_policy_findings_and_passes_dev():
    result = run_cli("dev")
    assert result.returncode == 0
    assert "Policy findings (0 mandatory, 2 advisory):\n" in result.stdout
    assert (
        "ADVISORY  api-endpoint-restricted [modern-eks]: eks:index:Cluster 'modern-eks': opens its public API endpoint to 0.0.0.0/0, ::/0"
        in result.stdout
    )


def test_a_mandatory_violation_exits_3(tmp_path):
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"all": "mandatory"}))
    result = run_cli("dev", "--policy-config", str(strict))
    assert result.returncode == 3
    assert (
        "MANDATORY cluster-ip-family [legacy-eks]: eks:index:Cluster 'legacy-eks': is an IPv4 cluster that is not a declared migration source"
        in result.stdout
    )
    # this file lists no migration sources: the IPv4 cluster, and dev's endpoints open to every laptop
    assert "3 mandatory policy violation(s); pulumi preview --policy-pack policies would refuse this stack" in result.stderr


def test_json_plan_carries_findings(capsys):
    assert main(["prod", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["findings"] == []
    assert {c["name"] for c in document["clusters"]} == {"prod-legacy", "prod-modern"}


def test_addressing_titles_name_byoip_blocks_and_adopted_vpcs(reference):
    from ipv6_eks.dual_stack_vpc import DualStackVpc
    from offline.plan import render_text
    from tests.conftest import run_program

    byoip = {"source": "byoip", "pool_id": "ipv6pool-ec2-0123456789abcdef0", "cidr": "2600:1f16:5de:9a00::/56"}
    tiers = [
        {"name": "public", "role": "public", "ipv4_prefix_length": 24},
        {"name": "private", "role": "private", "ipv4_prefix_length": 20},
    ]
    args = {"ipv4_cidr": "10.0.0.0/16", "availability_zones": ["us-east-2a", "us-east-2b"], "tiers": tiers, "ipv6": byoip}
    text = render_text(run_program(lambda: DualStackVpc("owned", args)))
    # the block comes through the BYOIP association, not the VPC (which has none of its own)
    assert "Addressing plan of VPC owned (10.0.0.0/16, IPv6 2600:1f16:5de:9a00::/56):" in text
    assert "Addressing plan of adopted VPC vpc-0a1b2c3d4e5f60718 (not created by this stack):" in render_text(reference)


def test_the_quota_report_flags_prods_elastic_ips_and_names_the_code(capsys):
    assert main(["prod", "--json"]) == 0
    captured = capsys.readouterr()
    quotas = {q["code"]: q for q in json.loads(captured.out)["quotas"]}
    # a NAT gateway per AZ in two VPCs: 6 Elastic IPs against a default of 5 per Region
    assert (quotas["L-0263D0A3"]["used"], quotas["L-0263D0A3"]["default"], quotas["L-0263D0A3"]["exceeds"]) == (6, 5, True)
    assert (quotas["L-F678F1CE"]["used"], quotas["L-A4707A72"]["used"], quotas["L-45FE3B85"]["used"]) == (2, 2, 2)
    assert (quotas["L-FE5A380F"]["used"], quotas["L-FE5A380F"]["scope"]) == (2, "Availability Zone")  # one per VPC in each AZ
    assert quotas["L-1194D53C"]["used"] == 2 and quotas["L-6D54EA21"]["used"] == 1 and quotas["L-2AFB9258"]["used"] == 1
    assert not any(q["exceeds"] for code, q in quotas.items() if code != "L-0263D0A3")
    assert (
        "quota: this stack needs 6 of EC2-VPC Elastic IPs (default 5); raise L-0263D0A3 (ec2) in Service Quotas before pulumi up"
        in captured.err
    )


def test_dev_fits_the_default_quotas():
    result = run_cli("dev")
    assert "EC2-VPC Elastic IPs                          1 of 5    L-0263D0A3  ok" in result.stdout
    assert "EXCEEDS" not in result.stdout and "quota:" not in result.stderr


def test_an_estate_of_four_vpcs_and_eight_clusters_is_planned(tmp_path):
    """Once a RecursionError: every registration ran nested inside the one before it."""
    from offline.benchmark import estate

    path = tmp_path / "Pulumi.estate.yaml"
    path.write_text(yaml.safe_dump({"config": estate(4)}))
    result = run_cli(str(path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Resources (368):" in result.stdout
    assert result.stdout.count("  dev-") == 0 and result.stdout.count("Addressing plan of VPC net") == 4


@pytest.mark.parametrize(
    ("stack", "first_line"),
    [("dev", "Addressing plan of VPC shared"), ("dev", "Clusters and capacity:"), ("prod", "Istio mesh mesh1 (multi network")],
)
def test_the_readmes_plan_excerpts_are_what_the_plan_prints(stack, first_line, capsys):
    """The README's abridged plans are lines of the real plan, so they cannot drift from it."""
    readme = (PROJECT_DIR / "README.md").read_text()
    start = readme.index("```\n" + first_line) + 4
    excerpt = readme[start : readme.index("```", start)].splitlines()
    assert main([stack]) == 0
    printed = set(capsys.readouterr().out.splitlines())
    assert [line for line in excerpt if line not in printed] == []
