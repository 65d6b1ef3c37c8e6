"""The `dudao` command line: the roof of the house (it may import every layer; nothing imports it).

Prefect reads its home, logging level and analytics switch when it is first imported, so the process is
configured here, before any command module imports a flow: importing `dudao` is where the CLI starts.
"""

from core.prefect_env import configure_prefect

configure_prefect()
