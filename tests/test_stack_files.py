"""Stack files as users write them, broken in every way we could think of - and in the ways
hypothesis finds: one line per problem naming the file and the key (or the line and column),
exit status 2, no traceback, nothing registered."""

import contextlib
import copy
import io
import json
import runpy

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offline.__main__ import main
from offline.harness import PROJECT_DIR, evaluate
from offline.mocks import AwsLikeMocks, RecordingMonitor
from stack_config import ConfigError, read_stack_file


def run(path):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(path)])
    return code, out.getvalue(), err.getvalue()


def refused(tmp_path, text, name="Pulumi.broken.yaml"):
    path = tmp_path / name
    path.write_text(text)
    code, out, err = run(path)
    assert code == 2 and out == "" and "Traceback" not in err, (code, err)
    lines = err.strip().splitlines()
    assert lines and all(line.startswith(str(path)) for line in lines), lines
    return [line.removeprefix(str(path)) for line in lines]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("config:\n  aws:region: us-east-2\n  ipv6-eks:vpcs: {a: 1\n", ":4:1: not valid YAML (while parsing a flow mapping"),
        ("config:\n\taws:region: us-east-2\n", ":2:1: not valid YAML (while scanning for the next token found character '\\t'"),
        ("config:\n  cidrs: [0.0.0.0/0, ::/0]\n", ":2:22: not valid YAML"),
        (
            "config:\n  aws:region: us-east-2\n  aws:region: eu-west-1\n",
            ":3:3: not valid YAML (key 'aws:region' appears twice (first on line 2))",
        ),
        ("- config\n- vpcs\n", ": the file is a list, not a mapping; allowed: a mapping with a config: section"),
        ("just text\n", ": the file is a string, not a mapping"),
        ("config: [aws:region]\n", ": config is a list; allowed: a mapping of keys such as aws:region and ipv6-eks:vpcs"),
        ("config: 3\n", ": config is a number"),
        ("config:\n  1: x\n", ": config key 1 is a number; allowed: names such as aws:region and ipv6-eks:vpcs"),
        ("config:\n  ? [a, b]\n  : x\n", ":2:5: not valid YAML (a key is list, not a name)"),
        ("config: {aws:region: us-east-2, ipv6-eks:vpcs: [a]}\n", ": ipv6-eks:vpcs: ['a'] is a list; allowed: a mapping"),
        ("\x00\x01", ":1:1: not valid YAML"),
    ],
)
def test_malformed_files_are_one_line_naming_the_file(tmp_path, text, expected):
    lines = refused(tmp_path, text)
    assert lines[0].startswith(expected), lines


def test_an_empty_file_is_a_stack_with_nothing_configured(tmp_path):
    assert refused(tmp_path, "") == [
        ": aws:region: missing; allowed: an AWS region such as us-east-2 (pulumi config set aws:region us-east-2)",
        ": ipv6-eks:vpcs: missing; allowed: this key is required",
    ]


def test_unreadable_and_misnamed_files(tmp_path):
    binary = tmp_path / "Pulumi.bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    code, _, err = run(binary)
    assert code == 2 and err.startswith(f"{binary}: cannot be read") and "Traceback" not in err
    misnamed = tmp_path / "stack.yaml"
    misnamed.write_text((PROJECT_DIR / "Pulumi.dev.yaml").read_text())
    code, _, err = run(misnamed)
    assert (code, err) == (2, f"{misnamed}: not a stack file name; allowed: Pulumi.<stack>.yaml\n")


def test_dates_stay_strings_as_the_cli_reads_them(tmp_path):
    text = (PROJECT_DIR / "Pulumi.dev.yaml").read_text().replace('kubernetesVersion: "1.34"', "kubernetesVersion: 2024-01-01", 1)
    assert refused(tmp_path, text) == [
        ": ipv6-eks:clusters.legacy.kubernetesVersion: '2024-01-01' is not a Kubernetes version EKS supports; allowed: 1.32, 1.33, 1.34, 1.35, 1.36 (as a string)"
    ]


def test_a_bad_policy_configuration_is_one_line_too(tmp_path):
    for text, expected in [
        ("{", ":1:2: not valid JSON"),
        ("[]", ": the file is not a JSON object"),
        ('{"cni-ipv6-iamm": "mandatory"}', ": cni-ipv6-iamm: not a policy of the pack; did you mean 'cni-ipv6-iam'?"),
        ('{"all": "strict"}', ": all: 'strict' is not an enforcement level"),
        (
            '{"api-endpoint-restricted": {"allowedPublicAccessCidrs": "10.0.0.0/8"}}',
            ": api-endpoint-restricted.allowedPublicAccessCidrs: '10.0.0.0/8' is not of type array",
        ),
        ('{"api-endpoint-restricted": {"allowed": []}}', ": api-endpoint-restricted.allowed: not a setting of this policy"),
    ]:
        config = tmp_path / "policy.json"
        config.write_text(text)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["dev", "--policy-config", str(config)])
        assert code == 2 and err.getvalue().startswith(f"{config}{expected}"), err.getvalue()


# ---- hypothesis: the shipped stack files, broken at random ---------------------------------------

SHIPPED = {name: read_stack_file(PROJECT_DIR / f"Pulumi.{name}.yaml") for name in ("dev", "prod")}
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "x", "0.0.0.0/0", "::/0", "10.0.0.0/33", "fd00::/8", "1.34", "sg-1", "arn:aws:iam::1:role/x", "ipv6", "private"]),
    st.text(max_size=8),
    st.lists(st.sampled_from(["a", 1, None, "10.0.0.0/8"]), max_size=3),
    st.dictionaries(st.sampled_from(["a", "name", "role", "cidrs"]), st.sampled_from([1, "x", None, []]), max_size=2),
)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


@st.composite
def broken_configs(draw):
    config = copy.deepcopy(SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        candidates = [p for p in paths(config) if p]
        where = draw(st.sampled_from(candidates))
        parent = config
        for key in where[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "rename"]))
        if action == "replace":
            parent[where[-1]] = draw(ODD_VALUES)
        elif action == "delete" and isinstance(parent, dict):
            del parent[where[-1]]
        elif action == "rename" and isinstance(parent, dict):
            parent[f"{where[-1]}x"] = parent.pop(where[-1])
    return config


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(config=broken_configs())
def test_any_broken_stack_is_planned_or_refused_one_line_at_a_time(tmp_path_factory, config):
    path = tmp_path_factory.mktemp("fuzz") / "Pulumi.fuzz.yaml"
    path.write_text(yaml.safe_dump({"config": config}, allow_unicode=True))
    code, _, err = run(path)
    assert "Traceback" not in err
    assert code in (0, 2, 3), (code, err)
    if code == 2:
        lines = err.strip().splitlines()
        assert lines and all(line.startswith(f"{path}: ") or line.startswith(f"{path}:") for line in lines), lines
        assert all("; allowed" in line or "allowed:" in line for line in lines), lines
        # and nothing was registered before the refusal
        monitor = RecordingMonitor(AwsLikeMocks())
        with pytest.raises(ConfigError):
            evaluate(lambda: runpy.run_path(str(PROJECT_DIR / "__main__.py")), stack="fuzz", config=read_stack_file(path), monitor=monitor)
        assert monitor.recorded == {}


def test_the_fuzzer_reaches_real_refusals():
    """The strategy is not vacuous: a typical draw breaks a key the configuration checks."""
    config = copy.deepcopy(SHIPPED["dev"])
    config["ipv6-eks:vpcs"]["shared"]["tiers"][0]["role"] = 1
    with pytest.raises(ConfigError) as info:
        evaluate(lambda: runpy.run_path(str(PROJECT_DIR / "__main__.py")), stack="fuzz", config=config)
    assert info.value.lines == [
        "Pulumi.fuzz.yaml: ipv6-eks:vpcs.shared.tiers[0].role: 1 is not allowed; allowed: 'public', 'private' or 'isolated'"
    ]
    assert json.dumps(SHIPPED["dev"])  # the shipped files are plain data
