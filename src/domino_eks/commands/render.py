"""`domino-eks render`: every file a deployment needs, from a spec or an eksctl ClusterConfig."""

from __future__ import annotations

from pathlib import Path

import click

from domino_eks import sources
from domino_eks.commands.options import output_option
from domino_eks.errors import ExitCode
from domino_eks.render.manifests import FILL
from domino_eks.render.writer import render_all


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@output_option("Where to write. The files listed above are replaced; anything else in DIR is left alone.",
               directory=True)
def render(file: str, out_dir: Path) -> None:
    """Write the files that build FILE's deployment: FILE is a domino-eks spec or an eksctl ClusterConfig.

    \b
    eksctl/cluster.yaml                    cluster and node groups for `eksctl create cluster -f`:
                                           the page's samples, their mistakes fixed and listed on top
    kubernetes/storageclass-block.yaml     EBS StorageClass for execution volumes (EBS CSI driver,
                                           volume type under parameters, where Kubernetes reads it)
    kubernetes/storageclass-shared.yaml    EFS StorageClass for Datasets
    kubernetes/networkpolicy-compute.yaml  default deny in Domino's compute namespace, then DNS and
                                           platform traffic (namespaces by Domino release, or declared)
    iam/s3-access-policy.json              platform nodes' access to the three buckets and nothing else
    iam/compute-s3-access-policy.json      compute nodes' access to the user-data bucket only (from a spec)
    iam/registry-access-policy.json        platform nodes' access to the registry's bucket or ECR repository
    iam/autoscaler-policy.json             Cluster Autoscaler's own role (unless the spec turns it off);
                                           its writes only on this cluster's groups
    installer/domino.yml                   values for Domino's installer: schema 1.16 (Platform Operator)
                                           for Domino 6.2, schema 1.2 for the page's releases

    An eksctl FILE keeps every key it has in cluster.yaml; the header names the keys the render changed.
    A value FILE cannot know is marked __FILL__ and says what fills it: EFS ids exist only after
    `domino-eks apply`, and an eksctl file names no buckets and no FQDN.
    """
    deployment, document = sources.read_file(file)
    written = render_all(deployment, out_dir, document if deployment.source.kind == "eksctl" else None)
    for path in written:
        click.echo(str(path))
    marked = [str(path) for path in written if FILL in path.read_text(encoding="utf-8")]
    if marked:
        click.echo(f"{FILL} marks values not known yet, in: {', '.join(marked)}", err=True)
    raise SystemExit(ExitCode.OK)
