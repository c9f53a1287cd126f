"""The embedded local AWS: a moto server on 127.0.0.1 that lives as long as one command (or one test session).

`--target local` is the default target of plan/apply/destroy, so a newcomer runs the whole job with no
account and no cost. moto keeps its state in process memory: the emulator starts empty every time, and
`domino-eks emulator` runs the same server in the foreground to keep state from one command to the next.

The server runs in a child process (`python -m domino_eks.aws.emulator`), started before the command reads
its spec: moto's import and its first EC2 request take seconds of CPU, which a second process spends on the
other core while the command reads and judges the spec. The command stops the child when it is done; the child
also ends when its stdin closes, so it goes with the command however the command ends.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from domino_eks.aws import models
from domino_eks.errors import ToolError

LOOPBACK = "127.0.0.1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
SETTINGS = {
    # moto would parse every AWS-managed policy (about 1,600) in the first request of any service; the emulator
    # creates only those the tool attaches (`managed_policies`)
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "false",
    # moto would build its catalogue of public AMIs in each region's first EC2 request. Nodes name their image
    # "resolve:ssm:...", which moto stores as given (it validates no AMI unless MOTO_ENABLE_AMI_VALIDATION)
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
FAILED = "failed: "  # how the child's one line on stdout begins when it cannot serve
# The first request of a service builds moto's backend for it (imports, and the service model its answers are
# serialized with) under the lock every request waits on: the child makes one read-only call of each service the
# tool calls as soon as it listens, as botocore would send it (the service's signing name in the credential scope;
# a query-protocol form, a JSON target, or a REST path). EC2 first: it is most of the time, and needed first.
WARMING = (  # (signing name, method, path, X-Amz-Target, body)
    ("ec2", "POST", "/", None, "Action=DescribeAvailabilityZones&Version=2016-11-15"),
    ("servicequotas", "POST", "/", "ServiceQuotasV20190624.ListAWSDefaultServiceQuotas", '{"ServiceCode": "ec2"}'),
    ("iam", "POST", "/", None, "Action=ListRoles&Version=2010-05-08"),
    ("sts", "POST", "/", None, "Action=GetCallerIdentity&Version=2011-06-15"),
    ("autoscaling", "POST", "/", None, "Action=DescribeAutoScalingGroups&Version=2011-01-01"),
    ("eks", "GET", "/clusters", None, ""),
    ("elasticfilesystem", "GET", "/2015-02-01/file-systems", None, ""),
    ("s3", "GET", "/", None, ""),
    ("route53", "GET", "/2013-04-01/hostedzone", None, ""),
    ("acm", "POST", "/", "CertificateManager.ListCertificates", "{}"),
    ("ssm", "POST", "/", "AmazonSSM.DescribeParameters", "{}"),
    ("kms", "POST", "/", "TrentService.ListKeys", "{}"),
    ("logs", "POST", "/", "Logs_20140328.DescribeLogGroups", "{}"),
    ("ecr", "POST", "/", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}"),
    ("tagging", "POST", "/", "ResourceGroupsTaggingAPI_20170126.GetResources", "{}"),
)
WARMING_REGION = "us-east-1"  # moto builds every service's routes from its us-east-1 backend in any case


class Emulator:
    """A started emulator process; `url()` waits until it listens."""

    def __init__(self, process: subprocess.Popen[str]):
        self._process = process
        self._url: str | None = None

    def url(self) -> str:
        if self._url is None:
            assert self._process.stdout is not None
            line = self._process.stdout.readline().strip()
            if not line.startswith("http://"):
                reason = line.removeprefix(FAILED) or f"it exited with code {self._process.wait()}"
                raise ToolError(f"cannot start the local AWS emulator on {LOOPBACK}: {reason}")
            self._url = line
        return self._url

    def stop(self) -> None:
        """At once, even while it still starts: its state lives in memory and is meant to go with it."""
        self._process.terminate()
        self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            assert pipe is not None
            pipe.close()


@contextmanager
def started(managed_policies: Iterable[str], port: int = 0) -> Iterator[Emulator]:
    """Start moto on a loopback port (0: a free one) serving the AWS-managed policies named (as
    `service-role/AmazonEBSCSIDriverPolicy`, the part after `policy/` of their ARN); stop it on the way out.
    Returns at once: the process imports moto while the caller goes on."""
    command = [sys.executable, "-m", __name__, "--port", str(port), *(f"--policy={p}" for p in managed_policies)]
    # its own session: Ctrl-C in the terminal reaches the command, which stops the child in its own time
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               env=_child_environment(), start_new_session=True)
    emulator = Emulator(process)
    try:
        yield emulator
    finally:
        emulator.stop()


def _child_environment() -> dict[str, str]:
    """The command's environment with the emulator's settings, without a profile to read: moto's boto3 sessions
    would fail on a profile that is not configured, and an emulator needs none."""
    kept = {name: value for name, value in os.environ.items() if name not in PROFILE_VARIABLES}
    return {**kept, **SETTINGS}


@contextmanager
def running(managed_policies: Iterable[str], port: int = 0) -> Iterator[str]:
    """`started`, once it listens: yields its endpoint URL."""
    with started(managed_policies, port) as emulator:
        yield emulator.url()


def _serve(port: int, managed_policies: list[str]) -> int:
    """The child: serve until stdin closes. Its one line on stdout is the URL, or why it cannot serve."""
    # moto prints to stdout now and then (a request for a host it does not know): after the one line, stderr
    # takes it, where no pipe can fill up unread
    announce, sys.stdout = sys.stdout, sys.stderr
    try:  # the port first, before seconds of imports: a port taken is said at once
        listening = socket.create_server((LOOPBACK, port))
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)  # not the address again, as Python adds it
        print(f"{FAILED}port {port}: {reason}", file=announce, flush=True)
        return 1
    _decode_botocore_data_plainly()  # before moto loads: it reads service models as it imports
    from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    # one access-log line per AWS call otherwise, and a traceback for every call moto does not implement
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    bound = listening.getsockname()[1]
    server = make_server(LOOPBACK, bound, DomainDispatcherApplication(create_backend_app), threaded=True,
                         request_handler=MotoRequestHandler, fd=listening.fileno())
    _share_one_boto3_session()  # before the server answers and before moto's EC2 module loads
    import moto.ec2.models  # noqa: F401  (the largest part of the first EC2 request: see WARMING)
    _create_aws_managed_policies(managed_policies)  # before the URL is out: no attach can come first
    url = f"http://{LOOPBACK}:{bound}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(url, file=announce, flush=True)
    threading.Thread(target=warm, args=(bound,), daemon=True).start()
    sys.stdin.read()  # the end of input: the command that started this process has ended
    return 0


def _decode_botocore_data_plainly() -> None:
    """moto reads botocore's service models (to build each backend's regions, to parse requests and serialize
    answers) through botocore's own loader, an OrderedDict per JSON object: in this process every botocore Loader
    reads through `models.PlainJsonFiles`, as the tool's own sessions do."""
    import botocore.loaders

    setattr(botocore.loaders.Loader, "FILE_LOADER_CLASS", models.PlainJsonFiles)  # noqa: B010


def _share_one_boto3_session() -> None:
    """moto asks a new boto3 or botocore Session for AWS's regions, partitions or service names as its EC2 module
    loads (three times, for EC2's regions), in every EKS request naming a role (to validate its ARN's partition) and
    in every error it answers (to name the service), and each new session parses botocore's endpoints table
    (megabytes of JSON) or lists its data directories again: a quarter of the emulator's CPU in an apply. In this
    process, which serves moto and nothing else, such a Session asked for without arguments is moto's own shared
    one; a Session asked for with arguments is made as usual."""
    import boto3
    import moto.core.utils
    from moto.core.base_backend import AccountSpecificBackend

    shared = AccountSpecificBackend.get_session()
    new_session = boto3.Session

    def shared_when_plain(*arguments: Any, **settings: Any) -> Any:
        return new_session(*arguments, **settings) if arguments or settings else shared

    # moto's modules bind `Session` as they load (`from boto3 import Session`): those to come see this one
    setattr(boto3, "Session", shared_when_plain)  # noqa: B010  (mypy refuses an assignment to a class)
    setattr(moto.core.utils, "Session", lambda: shared._session)  # noqa: B010  (botocore's, bound already)


def _create_aws_managed_policies(names: list[str]) -> None:
    """The named AWS-managed policies, in every partition, with the documents moto carries for them."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.iam.models import AWSManagedPolicy, iam_backends
    from moto.utilities.utils import PARTITION_NAMES

    known = json.loads(aws_managed_policies_data)
    for partition in PARTITION_NAMES:
        backend = iam_backends[DEFAULT_ACCOUNT_ID][partition]
        for name in names:
            short = name.rsplit("/", 1)[-1]  # moto keys its documents by the name without the path
            policy = AWSManagedPolicy.from_data(short, DEFAULT_ACCOUNT_ID, backend.region_name, known[short])
            assert policy.arn == f"arn:{partition}:iam::aws:policy/{name}", f"{policy.arn} is not {name}"
            backend.aws_managed_policies.append(policy)
            backend.managed_policies[policy.arn] = policy


def warm(port: int) -> list[tuple[str, int]]:
    """Each call of WARMING, made as a client would (moto checks no signature); (service, HTTP status) of each."""
    answered = []
    for service, method, path, target, body in WARMING:
        scope = f"{CREDENTIALS['aws_access_key_id']}/20260101/{WARMING_REGION}/{service}/aws4_request"
        headers = {"Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"}
        if target:
            headers.update({"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
        elif body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(LOOPBACK, port)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            answer = connection.getresponse()
            answer.read()
            answered.append((service, answer.status))
        finally:
            connection.close()
    return answered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {__name__}", description=_serve.__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--policy", action="append", default=[], help="an AWS-managed policy to create")
    options = parser.parse_args(argv)
    return _serve(options.port, options.policy)


if __name__ == "__main__":
    sys.exit(main())
