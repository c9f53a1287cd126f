"""Discovery against a real moto server: complete however many resources a type has, and never reading the
whole account (it finds resources by tag or by the names apply gives them).

Emulator behaviour designed around (see design.md): DescribeLaunchTemplates answers at most 15 templates and
no continuation token unless a page size is given.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path

from domino_eks.provision import apply, kinds, plan
from domino_eks.provision.handlers import HANDLERS
from domino_eks.provision.walk import Silent
from domino_eks.sources import spec as spec_source
from tests.provision.support import aws_with_hooks, clients, write_spec

POOLS = 6  # x 3 zones: 18 self-managed groups, more than the emulator's first page of launch templates
# what reading the whole account takes: a call per role, policy, profile, certificate or key of everyone's
ACCOUNT_WIDE = {"ListRoles", "ListPolicies", "ListInstanceProfiles", "ListCertificates", "ListBuckets", "ListKeys"}


def many_pools(path: Path, name: str) -> Path:
    write_spec(path, name, zones=3)
    spec = json.loads(path.read_text())
    template = spec["nodePools"][1]
    spec["nodePools"] += [{**template, "name": f"extra{n}", "labels": {"domino/build-node": "true"}}
                          for n in range(POOLS - len(spec["nodePools"]))]
    path.write_text(json.dumps(spec))
    return path


class Calls:
    """A before-call hook counting the AWS operations made."""

    def __init__(self) -> None:
        self.made: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, model, **_) -> None:
        with self._lock:
            self.made[model.name] += 1


def survey(url: str, path: Path, calls: Calls | None = None, hooks: dict | None = None) -> plan.Survey:
    hooks = {"before-call": calls} if calls else hooks or {}
    return plan.survey(aws_with_hooks(url, **hooks), spec_source.load(str(path)))


def test_a_plan_right_after_applying_more_groups_than_one_page_of_templates_has_nothing_to_do(endpoint, name,
                                                                                               tmp_path):
    path = many_pools(tmp_path / "domino.yaml", name)
    before = survey(endpoint, path)
    templates = [c.key for c in before.plan.pending if c.key.type == kinds.LAUNCH_TEMPLATE]
    assert len(templates) == POOLS * 3

    applied = apply.run(aws_with_hooks(endpoint), before.graph, before.found, before.plan, Silent())
    assert applied.complete, (applied.walk.failures, applied.walk.blocked)  # else the plan below says only "create"

    after = survey(endpoint, path)
    assert [(c.action, str(c.key)) for c in after.plan.pending] == []
    assert sum(key.type == kinds.LAUNCH_TEMPLATE for key in after.found.found) == POOLS * 3


def test_discovery_reads_no_account_wide_listing_and_as_many_calls_however_full_the_account_is(endpoint, name,
                                                                                                tmp_path):
    path = write_spec(tmp_path / "domino.yaml", name, zones=3, registry="ecr")
    found = survey(endpoint, path)
    apply.run(aws_with_hooks(endpoint), found.graph, found.found, found.plan, Silent())

    quiet_account = Calls()
    survey(endpoint, path, quiet_account)
    c = clients(endpoint)
    for n in range(10):  # someone else's roles, certificates, keys and repositories, some named like ours
        c["iam"].create_role(RoleName=f"{name}-other-{n}", AssumeRolePolicyDocument="{}",
                             Tags=[{"Key": "team", "Value": "data"}])
        c["acm"].request_certificate(DomainName=f"other{n}.example.org", ValidationMethod="DNS")
        c["kms"].create_key(Description=f"{name}-other-{n}", Tags=[{"TagKey": "team", "TagValue": "data"}])
        c["ecr"].create_repository(repositoryName=f"{name}-other-{n}", tags=[{"Key": "team", "Value": "data"}])
    full_account = Calls()
    survey(endpoint, path, full_account)

    assert ACCOUNT_WIDE.isdisjoint(full_account.made)
    assert full_account.made == quiet_account.made


def test_discovery_calls_only_services_whose_clients_it_made_before_any_type_started(endpoint, name, tmp_path):
    """A service missing from a type's `discovers_with` gets its client made in the middle of discovery, while
    every other thread waits on the lock that guards the session."""
    services: set[str] = set()
    survey(endpoint, write_spec(tmp_path / "domino.yaml", name, zones=3, registry="ecr"),
           hooks={"before-call": lambda model, **_: services.add(model.service_model.service_name)})

    declared = {service for handler in HANDLERS.values() for service in handler.discovers_with}
    assert services - declared == set()
    assert services >= {"ec2", "iam", "sts", "eks", "autoscaling", "efs", "s3", "ecr", "logs",
                        "resourcegroupstaggingapi"}  # the hook saw discovery's calls


def test_every_type_found_through_another_names_a_registered_type_and_none_waits_for_a_wave():
    """Discovery orders types by `found_through` alone: a type declaring the old `wave` instead would start
    before its parent was found, and find nothing."""
    assert {kind: [parent for parent in handler.found_through if parent not in HANDLERS]
            for kind, handler in HANDLERS.items() if handler.found_through} == {
        kinds.EKS_NODEGROUP: [], kinds.EKS_ADDON: [], kinds.EKS_ACCESS_ENTRY: [], kinds.EKS_POD_IDENTITY: [],
        kinds.DNS_RECORD: [],
        kinds.EFS_ACCESS_POINT: [], kinds.S3_BUCKET_POLICY: []}
    assert [kind for kind, handler in HANDLERS.items() if hasattr(handler, "wave")] == []
