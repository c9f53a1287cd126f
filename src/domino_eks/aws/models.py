"""botocore's data files (service models, endpoint rules, the endpoints table) read as plain dicts.

botocore decodes each with `json.loads(..., object_pairs_hook=OrderedDict)`, a Python call per JSON object:
the EC2 model and the endpoints table alone take 0.2 s that way, about six times a plain decode, and every
command pays it again for each service it makes a client of. Dicts keep their insertion order, which is all
botocore relies on, so a session reads its files through `PlainJsonFiles` instead (botocore's Loader takes
any object with `exists` and `load_file` as its `file_loader`).

Which services there are botocore learns by walking its data directory — 400 services, each version's files
looked for one by one — once for every kind of file it loads (service models, endpoint rules, paginators,
waiters): 20 ms each. `ModelFiles` walks it once and answers every kind from that.

A service's model files are decoded once per process: every session's loader hands out the same dicts, as one
botocore Loader already does to all the clients of its session, so the commands a library user or a test runs one
after another in a process do not decode the EC2 model again each time. The shared tables (the endpoints table
above all) are read afresh by each session: botocore writes what it resolves for a region into them.
"""

from __future__ import annotations

import functools
import gzip
import os
from pathlib import Path
from typing import Any

import msgspec

SUFFIXES = (".json", ".json.gz")  # the suffixes botocore's own loader tries, in its order
# the files of a service's directory (botocore/data/<service>/<api version>/) that botocore only reads
SERVICE_MODEL_FILES = frozenset({"service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2"})


class PlainJsonFiles:
    """The `file_loader` of a botocore Loader; `file_path` is a data file's path without its suffix."""

    def exists(self, file_path: str) -> bool:
        return any(os.path.isfile(file_path + suffix) for suffix in SUFFIXES)

    def load_file(self, file_path: str) -> Any:
        if os.path.basename(file_path) in SERVICE_MODEL_FILES:
            return decoded_model(file_path)
        return _decoded(file_path)


@functools.cache
def decoded_model(file_path: str) -> Any:
    """`_decoded`, once per process. `decoded_model.cache_clear()` makes the next session decode its models again,
    as a new process would."""
    return _decoded(file_path)


def _decoded(file_path: str) -> Any:
    """The data file at `file_path` (without its suffix) decoded, or None if there is none."""
    for suffix in SUFFIXES:
        path = Path(file_path + suffix)
        if path.is_file():
            data = path.read_bytes()
            return msgspec.json.decode(gzip.decompress(data) if suffix.endswith(".gz") else data)
    return None


@functools.cache
def _model_files_class() -> type:
    """`ModelFiles`, defined on first use: botocore is imported only by the commands that call AWS."""
    from botocore.loaders import Loader, instance_cache

    class ModelFiles(Loader):
        """botocore's Loader, listing the services that have a kind of file from one walk of its search path."""

        @instance_cache
        def list_available_services(self, type_name: str) -> list[str]:
            names = {type_name + suffix for suffix in SUFFIXES}
            return sorted(service for service, files in self._files_by_service().items() if files & names)

        @instance_cache
        def _files_by_service(self) -> dict[str, set[str]]:
            """The names of the files in every version directory of each service, across the search path."""
            found: dict[str, set[str]] = {}
            for root in self._potential_locations():
                with os.scandir(root) as services:
                    for service in (entry for entry in services if entry.is_dir()):
                        files = found.setdefault(service.name, set())
                        with os.scandir(service.path) as versions:
                            for version in (entry for entry in versions if entry.is_dir()):
                                files.update(os.listdir(version.path))
            return found

    return ModelFiles


def core_session(profile: str | None = None, session_vars: dict[str, tuple] | None = None) -> Any:
    """A new botocore Session on `profile` (None: the environment's or the default) whose data loader reads through
    `PlainJsonFiles`, for a boto3 Session to wrap. The loader reads its search path from the profile's config, so a
    profile that is not configured raises ProfileNotFound here, as boto3's own Session would. `session_vars`
    overrides where botocore looks for its settings (botocore.session.Session's own parameter)."""
    import botocore.session

    core = botocore.session.Session(session_vars=session_vars)
    if profile is not None:
        core.set_config_variable("profile", profile)
    botocores_own = core.get_component("data_loader")  # its search path, from the profile's data_path setting
    core.register_component("data_loader", _model_files_class()(
        extra_search_paths=botocores_own.search_paths, include_default_search_paths=False,
        file_loader=PlainJsonFiles()))
    return core
