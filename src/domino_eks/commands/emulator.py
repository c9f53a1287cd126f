"""`domino-eks emulator`: the embedded local AWS, in the foreground, so its state outlives one command."""

from __future__ import annotations

import threading

import click

from domino_eks.commands.options import ENDPOINT_URL_VARIABLE
from domino_eks.errors import ExitCode

DEFAULT_PORT = 5000


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Loopback port to listen on (0: any free port).")
def emulator(port: int) -> None:
    """Run the local AWS emulator on 127.0.0.1 until Ctrl-C, configured as `--target local` runs it for one
    command (with the AWS-managed IAM policies apply attaches), so plan, apply and destroy share its state.

    \b
    domino-eks emulator &                               # or in a second terminal
    export DOMINO_EKS_ENDPOINT_URL=http://127.0.0.1:5000
    domino-eks apply domino.yaml --auto-approve         # every AWS call goes to the emulator
    domino-eks plan domino.yaml                         # ... which still holds what apply made

    Its state lives in memory: stopping it forgets everything.
    """
    from domino_eks.aws import emulator as local_aws
    from domino_eks.knowledge import iam

    with local_aws.running(iam.AWS_MANAGED_POLICIES, port) as endpoint:
        click.echo(f"AWS emulator listening on {endpoint} (Ctrl-C stops it). In another shell:")
        click.echo(f"export {ENDPOINT_URL_VARIABLE}={endpoint}", nl=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("AWS emulator stopped.", err=True)
    raise SystemExit(ExitCode.OK)
