"""The floor of the house: settings, the one clock, the ledger's engine and sessions, errors, and reading
files people wrote. Every layer imports it; it imports nothing of ours (`make lint` checks).

Importing it levels our loggers for a served run's logs (core/run_logging.py): every flow-run process
imports `core` before its flow does anything."""

from core.run_logging import level_our_loggers

level_our_loggers()
