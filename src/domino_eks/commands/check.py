"""`domino-eks check` and `domino-eks snapshot`: the catalogue against a live cluster and account, or a dump."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

import click

from domino_eks.commands.options import (
    emit,
    endpoint_url_option,
    findings_format_option,
    in_order,
    output_option,
    profile_option,
    region_option,
    strict_option,
)
from domino_eks.errors import ExitCode, InputError, Problem, write_output
from domino_eks.model import BUCKET_ROLES
from domino_eks.report.result import FindingsResult

if TYPE_CHECKING:  # for the annotations only: the collectors load boto3 and kubernetes when a command runs
    from domino_eks.collect import AwsAccess, Expected, KubeAccess
    from domino_eks.model import Deployment
    from domino_eks.rules.base import Finding

DEFAULT_PROBE_IMAGE = "public.ecr.aws/docker/library/busybox:1.37"

CHECK_EPILOG = """\b
Findings besides the catalogue's (ids outside it, in every format):
  DRIFT-*  with --spec: the live cluster differs from the spec (a pool missing,
           in other zones, of another size or instance type, or not in the spec).
  PROBE-*  with --probe: what a short-lived namespace proved or disproved.

\b
Exit codes: 0 no errors, 1 the tool failed (e.g. the API server cannot be
reached), 2 unusable input, 3 errors found, 4 warnings with --strict.
"""


live_options = in_order(
    click.option("--kubeconfig", type=click.Path(dir_okay=False),
                 help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)."),
    click.option("--context", help="kubeconfig context (default: the current one)."),
    region_option("AWS region (default: the spec's, the EKS context's, then AWS_REGION)."),
    profile_option("AWS profile (default: the usual boto3 credential chain)."),
    endpoint_url_option("One endpoint for every AWS service (an emulator or proxy)."),
    click.option("--refresh-insights", is_flag=True,
                 help="Have EKS run its cluster insights again (StartInsightsRefresh) and wait until they are done "
                      "before reading them (G006); otherwise EKS's last daily run is read."),
)
expected_options = in_order(
    click.option("--spec", "spec_file", type=click.Path(dir_okay=False), metavar="FILE",
                 help="The intended spec: names what should exist, and adds DRIFT-* findings."),
    click.option("--cluster", help="EKS cluster name (default: the spec's, or the EKS context's)."),
    click.option("--fqdn", help="The name Domino will serve from (default: the spec's)."),
    click.option("--bucket", "buckets", multiple=True, metavar="ROLE=NAME",
                 help="An S3 bucket by role: user-data, logs or backups (repeatable; default: the spec's)."),
    click.option("--efs-id", help="The Datasets EFS (default: the one file system in the cluster's VPC)."),
    click.option("--registry", metavar="KIND=NAME",
                 help="Domino's registry storage: s3=BUCKET or ecr=REPOSITORY (default: the spec's)."),
)


@click.command(epilog=CHECK_EPILOG)
@click.option("--from-file", "files", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Check a dump offline: a `domino-eks snapshot` file, or the output of `kubectl get "
                   "nodes,storageclasses,namespaces,daemonsets,csidrivers -A -o json` (Kubernetes rules only). "
                   "Repeatable: a kubectl dump beside a snapshot gives both sides.")
@live_options
@expected_options
@findings_format_option()
@strict_option
@click.option("--probe", is_flag=True,
              help="Also prove it on the cluster: in a short-lived namespace, a block PVC binds on a default "
                   "node, EFS is writable from two pods, a default-deny NetworkPolicy blocks traffic, a GPU "
                   "pod schedules. Needs a reachable cluster and rights to create namespaces; cleans up after "
                   "itself, also when interrupted.")
@click.option("--probe-image", default=DEFAULT_PROBE_IMAGE, show_default=True,
              help="Image with a POSIX shell and wget the probe pods run (mirror it for private registries).")
@click.option("--probe-timeout", type=click.IntRange(10, 3600), default=180, show_default=True,
              help="Seconds each probe may take.")
def check(files: tuple[str, ...], kubeconfig: str | None, context: str | None, region: str | None,
          profile: str | None, endpoint_url: str | None, refresh_insights: bool, spec_file: str | None,
          cluster: str | None,
          fqdn: str | None, buckets: tuple[str, ...], efs_id: str | None, registry: str | None, fmt: str,
          strict: bool, probe: bool,
          probe_image: str, probe_timeout: int) -> None:
    """Check a live cluster and account — or a dump of them — against every rule of the catalogue.

    Live: the Kubernetes API through your kubeconfig (nodes, storage classes, CSI drivers, namespaces,
    daemon sets, the aws-auth ConfigMap) and AWS through boto3 (the EKS cluster with its access entries,
    add-ons and insights, subnets with their routes, NAT gateways and VPC endpoints, security groups, EFS,
    the three buckets, node roles, Auto Scaling groups, vCPU quotas, the certificate for the FQDN). A fact
    your credentials may not read is reported: the rules that need it are skipped with the reason, never
    passed.
    """
    from domino_eks import rules

    intended = _intended(spec_file)
    expected = _expected(intended, cluster, region, fqdn, buckets, efs_id, registry)
    kube = None  # a dump is read without the collectors, which --probe needs and --from-file refuses
    if files:
        _refuse_with_files(kubeconfig=kubeconfig, context=context, profile=profile, endpoint_url=endpoint_url,
                           refresh_insights=refresh_insights, probe=probe)
        source, deployment = _dumped(files, expected)
    else:
        from domino_eks.collect import AwsAccess, KubeAccess

        kube = KubeAccess(kubeconfig, context)
        source, deployment = _live(expected, kube, AwsAccess(region, profile, endpoint_url, refresh_insights))
    findings = rules.REGISTRY.evaluate(deployment)
    if intended is not None:
        from domino_eks.rules import drift

        findings += drift.evaluate(intended, deployment)
    if probe and kube is not None:
        findings += _probed(kube, deployment, probe_image, probe_timeout)
    emit(FindingsResult(command="check", source=source, findings=tuple(findings)), fmt, strict)


@click.command()
@output_option("Where to write the snapshot (JSON).", required=True)
@live_options
@expected_options
def snapshot(output: str, kubeconfig: str | None, context: str | None, region: str | None, profile: str | None,
             endpoint_url: str | None, refresh_insights: bool, spec_file: str | None, cluster: str | None,
             fqdn: str | None,
             buckets: tuple[str, ...], efs_id: str | None, registry: str | None) -> None:
    """Collect the live cluster and account into one JSON file, for `check --from-file` and support cases.

    The file holds the facts the rules read (nodes pruned to labels, taints, conditions and resources;
    AWS describe responses, the launch templates' user data included) and, for each part that could not be
    read, why. Review it before sharing: it names your account's resources.
    """
    from domino_eks.collect import AwsAccess, KubeAccess

    expected = _expected(_intended(spec_file), cluster, region, fqdn, buckets, efs_id, registry)
    collected = _collected(expected, KubeAccess(kubeconfig, context),
                           AwsAccess(region, profile, endpoint_url, refresh_insights))
    write_output(output, json.dumps(collected, indent=1, sort_keys=True))
    nodes = len((collected.get("kubernetes") or {}).get("nodes") or ())
    click.echo(f"wrote {output}: {nodes} nodes, AWS facts {'collected' if 'aws' in collected else 'missing'}",
               err=True)
    for part, why in sorted(collected["errors"].items()):
        click.echo(f"  not collected: {part}: {why}", err=True)
    raise SystemExit(ExitCode.OK)


def _intended(spec_file: str | None) -> Deployment | None:
    if spec_file is None:
        return None
    from domino_eks.sources import spec

    return spec.load(spec_file)


def _expected(intended: Deployment | None, cluster: str | None, region: str | None, fqdn: str | None,
              buckets: tuple[str, ...], efs_id: str | None, registry: str | None = None) -> Expected:
    """What should exist: the spec's names, overridden by the options given."""
    from domino_eks.collect import Expected

    planned = Expected() if intended is None else Expected(
        cluster=intended.cluster.name,
        region=intended.cluster.region,
        fqdn=intended.domain.fqdn,
        buckets={b.role: b.name for b in intended.storage.buckets or ()},
        block_class=intended.storage.block_class.name if intended.storage.block_class else None,
        registry={"kind": intended.domino.registry.kind, "name": intended.domino.registry.name}
        if intended.domino.registry else {},
        reserved_cidrs=intended.network.reserved_cidrs,
        data_key={"key": intended.hardening.data_key, "stores": list(intended.hardening.data_key_stores or ())},
    )
    # each name given overrides the planned one
    if registry:
        planned = replace(planned, registry=_registry(registry))
    return replace(planned, buckets={**planned.buckets, **_bucket_names(buckets)},
                   cluster=cluster or planned.cluster, region=region or planned.region, fqdn=fqdn or planned.fqdn,
                   efs_id=efs_id or planned.efs_id)


def _bucket_names(pairs: tuple[str, ...]) -> dict[str, str]:
    """Bucket names by the model's role, from ROLE=NAME pairs whose roles are spelt as options are (user-data)."""
    names: dict[str, str] = {}
    for pair in pairs:
        option_role, _, name = pair.partition("=")
        role = option_role.replace("-", "_")
        if role not in BUCKET_ROLES or not name:
            allowed = ", ".join(r.replace("_", "-") for r in BUCKET_ROLES)
            raise click.BadParameter(f"{pair!r}: expected ROLE=NAME with ROLE one of {allowed}",
                                     param_hint="--bucket")
        names[role] = name
    return names


def _registry(pair: str) -> dict[str, str]:
    kind, _, name = pair.partition("=")
    if kind not in ("s3", "ecr") or not name:
        raise click.BadParameter(f"{pair!r}: expected s3=BUCKET or ecr=REPOSITORY", param_hint="--registry")
    return {"kind": kind, "name": name}


def _refuse_with_files(**live_only: str | bool | None) -> None:
    given = [f"--{name.replace('_', '-')}" for name, value in live_only.items() if value]
    if given:
        raise InputError([Problem("--from-file", f"cannot be combined with {', '.join(given)}: a dump is "
                                                 f"checked offline, without a cluster")])


def _dumped(files: tuple[str, ...], expected: Expected) -> tuple[str, Deployment]:
    """(source, deployment) of the dump files, the names given now overriding those recorded in them. Facts
    stand as of the day the snapshot was taken; a kubectl List does not say, so as of today."""
    from domino_eks.memory import collector_paused
    from domino_eks.sources import dump
    from domino_eks.sources import snapshot as snapshots

    source = ", ".join(files)
    # a dump becomes objects that are all kept: frozen on the way out, or the collector's first pass walks them
    with collector_paused(freeze=True):
        read = dump.read_all(files)
        read["target"] = {**read["target"], **expected.as_dict()}
        try:
            on = snapshots.collection_day(read) or date.today()
            return source, snapshots.to_deployment(read, on, file=source)
        # a hand-edited dump: an object without a field it needs, or a value of another shape (a date, a number)
        except (KeyError, TypeError, AttributeError, ValueError):
            raise InputError([Problem(source, "not shaped as `domino-eks snapshot` or kubectl write it: an object "
                                              "lacks a field it needs, or holds a value of another type")]) from None


def _live(expected: Expected, kube: KubeAccess, aws: AwsAccess) -> tuple[str, Deployment]:
    """(source, deployment) of the cluster and account the options reach, as of the day they were read."""
    from domino_eks.sources import snapshot as snapshots

    collected = _collected(expected, kube, aws)
    source = (f"cluster {collected['target'].get('cluster', '(unnamed)')}, "
              f"kubeconfig context {kube.context or '(current)'}")
    day = snapshots.collection_day(collected)
    assert day is not None  # gather stamps every collection with its collected_at
    return source, snapshots.to_deployment(collected, day)


def _collected(expected: Expected, kube: KubeAccess, aws: AwsAccess) -> dict:
    from domino_eks.collect import gather

    return gather(expected, kube, aws, datetime.now(timezone.utc))


def _probed(kube: KubeAccess, deployment: Deployment, image: str, timeout: int) -> list[Finding]:
    from kubernetes.config.config_exception import ConfigException

    from domino_eks import probe
    from domino_eks.collect import kube as kube_collector
    from domino_eks.errors import ToolError

    try:
        api = kube_collector.api_client(kube)
    except (ConfigException, OSError) as exc:
        raise ToolError(f"--probe needs a reachable cluster: {exc}") from None
    with api:
        return probe.run(api, deployment, image=image, timeout=timeout)
