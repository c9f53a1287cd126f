"""Sources turn an input (a spec, an eksctl ClusterConfig, a live cluster, a dump) into a Deployment."""

from __future__ import annotations

from datetime import date

from domino_eks.errors import InputError, Problem
from domino_eks.model import Deployment


def load_file(path: str, today: date | None = None) -> Deployment:
    """A spec or an eksctl ClusterConfig, told apart by apiVersion / kind."""
    return read_file(path, today)[0]


def read_file(path: str, today: date | None = None) -> tuple[Deployment, dict]:
    """The deployment of a spec or eksctl ClusterConfig, and the parsed file (a render keeps an eksctl file's keys)."""
    # here, not at the top: reading a dump (sources.dump) needs none of them, and eksctl's schema takes a tenth
    # of a second to import
    from domino_eks.sources import eksctl, spec, yamlfile

    document, file = yamlfile.read(path)
    if spec.is_spec(document):
        return spec.from_document(document, file, today), document
    if eksctl.is_cluster_config(document):
        return eksctl.from_document(document, file, today), document
    line, column = yamlfile.position(document, ("apiVersion",))
    raise InputError([Problem(
        file,
        f"unrecognised file: apiVersion {document.get('apiVersion')!r}, kind {document.get('kind')!r}; "
        f"expected a domino-eks spec ({spec.API_VERSION}, kind {spec.KIND}) "
        f"or an eksctl ClusterConfig ({eksctl.API_VERSION}, kind {eksctl.KIND})",
        line, column,
    )])
