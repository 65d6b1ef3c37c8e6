"""Subcommands of `dudao`, one module per area; each module has `register(subparsers)`.

A command imports only its own module (and so only the layers it needs): `dudao calendar add` must not pay
for Prefect, matplotlib and WeasyPrint. So the table below names each module's commands; `dudao --help` and a
mistyped command import them all. `tests/test_cli.py` checks the table against what each module registers.
To add a command, register it in its module and name it here.
"""

COMMANDS: dict[str, tuple[str, ...]] = {
    "dudao.commands.year": ("migrate", "seed", "simulate", "sweep", "summary"),
    "dudao.commands.ladder": ("rectification", "review", "finding", "policy", "calendar"),
    "dudao.commands.steps": ("rebuttal", "recheck"),
    "dudao.commands.interviews": ("interview", "accountability"),
    "dudao.commands.self_evaluation": ("self-evaluation",),
    "dudao.commands.planning": ("plan", "cycle", "special", "emergency"),
    "dudao.commands.inspectors": ("inspectors",),
    "dudao.commands.visits": ("visits",),
    "dudao.commands.data": ("import", "export"),
    "dudao.commands.audit": ("audit",),
    "dudao.commands.documents": ("pdf", "year-end"),
    "dudao.commands.publish": ("release", "publish"),
    "dudao.commands.notices": ("notices",),
    "dudao.commands.channels": ("channels",),
    "dudao.commands.serve": ("serve", "alerts", "approve"),
    "dudao.commands.portal": ("portal",),
}
MODULES = list(COMMANDS)


def modules_for(argv: list[str]) -> list[str]:
    """The one module that owns the command in `argv`, or every module when there is none (help, a typo)."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    owner = [module for module, names in COMMANDS.items() if first in names]
    return owner or MODULES
