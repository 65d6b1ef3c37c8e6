"""Compare two ledgers row by row, whatever database each is on: every table, every column but the
wall-clock ones (when a row was written differs between runs; what it says must not)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import MetaData, create_engine, select

VOLATILE = {"recorded_at", "sent_at", "created_at", "updated_at", "hash", "prev_hash"}
SKIP_TABLES = {"alembic_version"}


def _normal(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    return value


def ledger_rows(url: str) -> dict[str, list[tuple]]:
    """Each table's rows (stable columns only, normalised), sorted."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    rows = {}
    with engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            if name in SKIP_TABLES:
                continue
            columns = [c for c in table.columns if c.name not in VOLATILE]
            fetched = conn.execute(select(*columns)).all()
            rows[name] = sorted((tuple(_normal(v) for v in row) for row in fetched), key=repr)
    engine.dispose()
    return rows


def differences(left: dict[str, list[tuple]], right: dict[str, list[tuple]], limit: int = 5) -> list[str]:
    """Readable differences: tables missing on one side, row counts, the first rows that differ."""
    found = []
    for table in sorted(set(left) | set(right)):
        a, b = left.get(table), right.get(table)
        if a is None or b is None:
            found.append(f"{table}: only in {'right' if a is None else 'left'}")
        elif a != b:
            only_a = [r for r in a if r not in b][:limit]
            only_b = [r for r in b if r not in a][:limit]
            found.append(f"{table}: {len(a)} vs {len(b)} rows; left only {only_a}; right only {only_b}")
    return found
