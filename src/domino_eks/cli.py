"""The `domino-eks` command line: a click group that imports each command only when it runs.

Commands raise `InputError` (exit 2) or `ToolError` (exit 1); this module is the one place that turns
them into messages, so no user ever sees a traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from domino_eks import __version__
from domino_eks.errors import ExitCode, InputError, ToolError, did_you_mean

# name: (module:function, one-line help shown by `domino-eks --help` without importing the module)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("domino_eks.commands.authoring:init", "Write a commented starter spec."),
    "schema": ("domino_eks.commands.authoring:schema", "Print the spec's JSON Schema."),
    "validate": ("domino_eks.commands.validate:validate",
                 "Check a spec or eksctl ClusterConfig against the catalogue."),
    "rules": ("domino_eks.commands.catalogue:rules", "List the rule catalogue."),
    "explain": ("domino_eks.commands.catalogue:explain", "Explain one rule: why it exists and how to fix it."),
    "render": ("domino_eks.commands.render:render", "Write eksctl, Kubernetes, IAM and installer files."),
    "plan": ("domino_eks.commands.provision:plan", "Show what apply would create, update or delete."),
    "apply": ("domino_eks.commands.provision:apply", "Create or update the AWS environment."),
    "destroy": ("domino_eks.commands.provision:destroy", "Remove everything apply created."),
    "check": ("domino_eks.commands.check:check", "Check a live cluster and account, or a dump, against the catalogue."),
    "snapshot": ("domino_eks.commands.check:snapshot", "Collect the live state into one JSON file."),
    "emulator": ("domino_eks.commands.emulator:emulator", "Run the local AWS emulator until Ctrl-C, for state kept "
                 "across commands."),
}

EPILOG = """\b
Typical flow:
  domino-eks init --zones 3 --gpu > domino.yaml   # start a spec
  domino-eks validate domino.yaml                 # the catalogue, before anything exists
  domino-eks render domino.yaml -o out            # eksctl, Kubernetes, IAM, installer files
  domino-eks plan domino.yaml                     # against the local emulator by default
  domino-eks check --from-file cluster.json       # a cluster someone already built

Exit codes: 0 pass, 1 tool failed, 2 unusable input, 3 errors found, 4 warnings (--strict).
"""


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, _, attribute = COMMANDS[name][0].partition(":")
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else None
        if name and not name.startswith("-") and name not in COMMANDS:
            ctx.fail(f"no such command '{name}'{did_you_mean(name, COMMANDS)}. See 'domino-eks --help'.")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="domino-eks")
def cli() -> None:
    """Design, validate, provision and verify an Amazon EKS environment for Domino Data Lab.

    One spec file describes the node pools, network, storage, IAM and domain that the admin page
    "Domino on EKS" asks for; every command reads it (or an eksctl ClusterConfig, or a live cluster).
    """


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="domino-eks", standalone_mode=False)
    except InputError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(ExitCode.BAD_INPUT)
    except ToolError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(ExitCode.TOOL_FAILED)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:  # usage errors: unknown option, missing argument
        exc.show()
        sys.exit(ExitCode.BAD_INPUT)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(ExitCode.OK)


if __name__ == "__main__":
    main()
