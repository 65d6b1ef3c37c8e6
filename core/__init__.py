"""The floor of the house: settings, the one clock, the ledger's engine and sessions, errors, and reading
files people wrote. Every layer imports it; it imports nothing of ours (`make lint` checks)."""
