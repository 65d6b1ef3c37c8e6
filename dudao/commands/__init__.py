"""Subcommands of `dudao`, one module per area; each module has `register(subparsers)`.

To add an area, write its module here and add its name to MODULES.
"""

MODULES = [
    "dudao.commands.core",
    "dudao.commands.ladder",
    "dudao.commands.planning",
    "dudao.commands.inspectors",
    "dudao.commands.visits",
    "dudao.commands.data",
    "dudao.commands.audit",
    "dudao.commands.documents",
    "dudao.commands.publish",
    "dudao.commands.notices",
    "dudao.commands.serve",
]
