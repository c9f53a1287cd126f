"""`make demo`: the whole job on the embedded AWS emulator, through the same commands a user types.

    python -m domino_eks.demo SPEC OUTDIR

validate -> render into OUTDIR -> plan -> apply -> plan again (must show no changes) -> the installer
values apply recorded -> destroy. One emulator serves every step, so each sees what the last one made.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from domino_eks import cli
from domino_eks.aws import emulator
from domino_eks.errors import ExitCode
from domino_eks.knowledge import iam
from domino_eks.provision import recorded


def run_command(console: Console, title: str, args: list[str]) -> int:
    console.rule(f"[bold]{title}[/]  [dim]domino-eks {' '.join(args)}[/]")
    try:
        cli.main(args)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else ExitCode.TOOL_FAILED
    return ExitCode.OK


def no_changes_left(url: str, spec: str) -> bool:
    """Read the plan the way `plan` does, and say whether it is all unchanged."""
    from domino_eks.aws import session
    from domino_eks.provision import plan
    from domino_eks.sources import spec as spec_source

    deployment = spec_source.load(spec)
    assert deployment.cluster.region is not None  # a spec requires metadata.region
    aws = session.Aws(session.static_session(deployment.cluster.region), url, retries=session.PROVISIONING)
    return not plan.survey(aws, deployment).plan.pending


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m domino_eks.demo SPEC OUTDIR", file=sys.stderr)
        return ExitCode.BAD_INPUT
    spec, out_dir = argv
    console = Console()
    if run_command(console, "1. validate the spec against the catalogue", ["validate", spec]) != ExitCode.OK:
        console.print("[red]The spec has errors: the demo stops before creating anything.[/]")
        return ExitCode.FAILED
    if run_command(console, "2. render every artifact", ["render", spec, "-o", out_dir]) != ExitCode.OK:
        return ExitCode.TOOL_FAILED
    with emulator.running(iam.AWS_MANAGED_POLICIES) as url:
        target = ["--endpoint-url", url]
        steps = [
            ("3. plan: everything is to be created", ["plan", spec, *target]),
            ("4. apply", ["apply", spec, *target, "--auto-approve", "-o", out_dir]),
            ("5. plan again: nothing left to do", ["plan", spec, *target]),
        ]
        for title, args in steps:
            if run_command(console, title, args) != ExitCode.OK:
                return ExitCode.TOOL_FAILED
        if not no_changes_left(url, spec):
            console.print("[red]The plan after apply still has changes: apply did not converge.[/]")
            return ExitCode.TOOL_FAILED
        console.rule("[bold]6. installer values apply recorded[/]")
        console.print((Path(out_dir) / recorded.INSTALLER_FILE).read_text(encoding="utf-8"),
                      markup=False, highlight=False, soft_wrap=True)
        code = run_command(console, "7. destroy, data included",
                           ["destroy", spec, *target, "--auto-approve", "--delete-data"])
    console.rule("[bold green]Done[/]" if code == ExitCode.OK else "[bold red]destroy failed[/]")
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
