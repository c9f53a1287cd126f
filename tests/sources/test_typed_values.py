"""Values are typed where they are parsed: each refusal is file:line:column, what was expected, exit 2."""

from __future__ import annotations

import pytest

from tests.sources.console import run

SPEC = """\
apiVersion: domino-eks.io/v1alpha1
kind: DominoCluster
metadata:
  name: demo
  region: us-west-2
  tags: {team: data}
availabilityZones: [us-west-2a]
network:
  vpcCidr: 10.0.0.0/16
  reservedCidrs: [192.168.0.0/16]
nodePools:
  - name: platform
    instanceType: m5.2xlarge
    volumeSize: 128
    minSize: 1
    maxSize: 3
    labels: {example.com/tier: gold}
    taints: [{key: dedicated, value: platform, effect: NoSchedule}]
"""


def refusal(tmp_path, old: str, new: str) -> tuple[int, str]:
    assert old in SPEC
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.replace(old, new))
    done = run("validate", str(path))
    assert "Traceback" not in done.stderr
    return done.returncode, done.stderr.replace(str(path), "spec.yaml")


CASES = {
    "host bits": ("vpcCidr: 10.0.0.0/16", "vpcCidr: 10.0.0.1/16",
                  "spec.yaml:9:3: 'network.vpcCidr': Value error, expected a network address with no host bits set, "
                  "e.g. 10.0.0.0/16 (got '10.0.0.1/16')"),
    "prefix too wide": ("vpcCidr: 10.0.0.0/16", "vpcCidr: 10.0.0.0/8",
                        "spec.yaml:9:3: 'network.vpcCidr': Value error, expected a prefix between /16 and "
                        "/28, as AWS allows "
                        "for a VPC (got '10.0.0.0/8')"),
    "ipv6 vpc": ("vpcCidr: 10.0.0.0/16", "vpcCidr: 'fd00::/56'",
                 "spec.yaml:9:3: 'network.vpcCidr': Value error, IPv6 is not supported for the VPC: "
                 "expected an IPv4 CIDR such "
                 "as 10.0.0.0/16 (got 'fd00::/56')"),
    "not a cidr": ("reservedCidrs: [192.168.0.0/16]", "reservedCidrs: [office]",
                   "spec.yaml:10:19: 'network.reservedCidrs[0]': Value error, expected an IPv4 CIDR such as "
                   "10.0.0.0/16 for a "
                   "reserved range (got 'office')"),
    "empty zone": ("availabilityZones: [us-west-2a]", "availabilityZones: ['']",
                   "spec.yaml:7:21: 'availabilityZones[0]': Value error, expected an availability zone name "
                   "such as us-west-2a "
                   "(got '')"),
    "zone of another region": ("availabilityZones: [us-west-2a]", "availabilityZones: [eu-west-1b]",
                               "spec.yaml:7:21: 'availabilityZones[0]': expected a zone of the region us-west-2 "
                               "(us-west-2a, us-west-2b, us-west-2c, us-west-2d); 'eu-west-1b' is a zone of "
                               "eu-west-1 (did you mean 'us-west-2b'?)"),
    "zone the region lacks": ("    maxSize: 3\n", "    maxSize: 3\n    availabilityZones: [us-west-2e]\n",
                              "spec.yaml:17:25: 'nodePools[0].availabilityZones[0]': expected a zone of the region "
                              "us-west-2 (us-west-2a, us-west-2b, us-west-2c, us-west-2d); 'us-west-2e' is not a "
                              "zone of it (did you mean 'us-west-2d'?)"),
    "huge max": ("maxSize: 3", "maxSize: 100000000000000000000000000000",
                 "spec.yaml:16:5: 'nodePools[0].maxSize': Input should be less than or equal to 2147483647 "
                 "(got 100000000000000000000000000000)"),
    "negative min": ("minSize: 1", "minSize: -1",
                     "spec.yaml:15:5: 'nodePools[0].minSize': Input should be greater than or equal to 0 (got -1)"),
    "volume": ("volumeSize: 128", "volumeSize: 70000",
               "spec.yaml:14:5: 'nodePools[0].volumeSize': Input should be less than or equal to 65536 (got 70000)"),
    "aws tag": ("tags: {team: data}", "tags: {'aws:team': data}",
                "spec.yaml:6:10: 'metadata.tags.aws:team': Value error, the 'aws:' prefix is reserved for "
                "AWS's own tags; choose "
                "another key (got 'aws:team')"),
    "long tag value": ("tags: {team: data}", f"tags: {{team: {'x' * 257}}}",
                       "spec.yaml:6:10: 'metadata.tags.team': Value error, expected a tag value of at most "
                       "256 characters "
                       f"(got '{'x' * 257}')"),
    "tag chars": ("tags: {team: data}", "tags: {team: 'a;b'}",
                  "spec.yaml:6:10: 'metadata.tags.team': Value error, expected letters, digits, spaces and "
                  "_ . : / = + - @ in a "
                  "tag value (got 'a;b')"),
    "label key": ("labels: {example.com/tier: gold}", "labels: {'Example.com/tier': gold}",
                  "spec.yaml:17:14: 'nodePools[0].labels.Example.com/tier': Value error, expected a key "
                  "prefix that is a DNS "
                  "subdomain (lowercase, e.g. example.com/) before '/' (got 'Example.com/tier')"),
    "label value": ("labels: {example.com/tier: gold}", "labels: {example.com/tier: -gold}",
                    "spec.yaml:17:14: 'nodePools[0].labels.example.com/tier': Value error, expected a value "
                    "of 1 to 63 letters, "
                    "digits, '-', '_' or '.', beginning and ending with a letter or digit (got '-gold')"),
    "taint key": ("key: dedicated", "key: 'a b'",
                  "spec.yaml:18:15: 'nodePools[0].taints[0].key': Value error, expected a key name of 1 to "
                  "63 letters, digits, "
                  "'-', '_' or '.', beginning and ending with a letter or digit (got 'a b')"),
    "pool name": ("- name: platform", "- name: Platform_1",
                  "spec.yaml:12:5: 'nodePools[0].name': String should match pattern "
                  "'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' (got 'Platform_1')"),
    "cluster name": ("name: demo", "name: '-demo'",
                     "spec.yaml:4:3: 'metadata.name': String should match pattern '^[0-9A-Za-z][A-Za-z0-9_-]*$' "
                     "(got '-demo')"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_value_aws_or_kubernetes_would_refuse_is_refused_where_it_is_written(tmp_path, case):
    old, new, message = CASES[case]
    code, stderr = refusal(tmp_path, old, new)
    assert (code, stderr) == (2, f"error: {message}\n")


def test_every_zone_outside_the_region_is_named_at_once(tmp_path):
    code, stderr = refusal(tmp_path, "availabilityZones: [us-west-2a]",
                           "availabilityZones: [us-west-2a]\ncontrolPlaneZones: [us-west-2a, us-east-1f, us-west-2z]")
    assert code == 2
    expected = "expected a zone of the region us-west-2 (us-west-2a, us-west-2b, us-west-2c, us-west-2d)"
    assert stderr == (f"error: spec.yaml:8:33: 'controlPlaneZones[1]': {expected}; 'us-east-1f' is a zone of "
                      "us-east-1 (did you mean 'us-west-2d'?)\n"
                      f"error: spec.yaml:8:45: 'controlPlaneZones[2]': {expected}; 'us-west-2z' is not a zone of it "
                      "(did you mean 'us-west-2d'?)\n")


def test_a_zone_of_a_region_the_tool_does_not_know_is_left_to_g002(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.replace("region: us-west-2", "region: us-wst-2").replace("us-west-2a", "us-wst-2a"))
    done = run("validate", str(path))
    assert done.returncode == 3, done.stderr
    assert "G002" in done.stdout and "'us-wst-2' is not an AWS region (did you mean 'us-west-2'?)" in done.stdout


def test_a_storage_class_whose_parameters_nest_is_refused(tmp_path):
    code, stderr = refusal(tmp_path, "network:\n", "storage:\n  blockStorageClass:\n    metadata: {name: fast}\n"
                                                  "    parameters: {type: [gp3]}\nnetwork:\n")
    assert (code, stderr) == (2, "error: spec.yaml:9:3: 'storage.blockStorageClass': Value error, expected "
                                 "parameters to map "
                                 "names to strings\n")


def test_a_storage_class_name_kubernetes_refuses_is_refused(tmp_path):
    code, stderr = refusal(tmp_path, "network:\n", "storage:\n  blockStorageClass:\n    metadata: {name: Fast_Disk}\n"
                                                  "network:\n")
    assert (code, stderr) == (2, "error: spec.yaml:9:3: 'storage.blockStorageClass': Value error, expected "
                                 "metadata.name to be a "
                                 "DNS subdomain (lowercase letters, digits, '-', '.')\n")


def test_the_valid_values_pass(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    done = run("validate", str(path))
    assert done.returncode in (0, 3), done.stderr
    assert done.stderr == ""
