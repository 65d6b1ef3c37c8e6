"""The simulated units raise issues (四级议题上报) reading only the items opened since the day before: every day
of a simulated year, the findings raised are exactly those that reading every open item would raise."""

from datetime import date

from sqlmodel import select

from flows.simulate_year import simulate_days, start_or_resume
from models import Finding, Inspection, RectificationItem, Submission, Unit
from models.lifecycles import ItemStage
from rules import behaviour
from tasks.simulation import ladder as simulated_ladder


def _open_before_the_ladder(session) -> dict[int, RectificationItem]:
    """The unbounded read, by finding id: every open item before the ladder whose finding is not raised."""
    rows = session.exec(select(Finding.id, RectificationItem).join(
        RectificationItem, RectificationItem.finding_id == Finding.id).where(
        RectificationItem.stage == ItemStage.OPEN, RectificationItem.ladder_step == "none",
        Finding.needs_escalation.is_(False))).all()
    return dict(rows)


def _raisable(session, seed: int, items: dict[int, RectificationItem]) -> set[int]:
    """Those whose unit raises the finding and that raise_issue accepts (not rising, below level 4, kept)."""
    raisable = set()
    for finding_id, item in items.items():
        finding, kind = session.get(Finding, finding_id), session.get(Unit, item.unit_id).kind
        key = behaviour.finding_key(session.get(Inspection, finding.inspection_id).code, finding.seq)
        if behaviour.raises_issue(seed, key, kind) and finding.escalate_on is None and finding.level < 4 \
                and not finding.withdrawn:
            raisable.add(finding_id)
    return raisable


def _raised(session) -> set[int]:
    return set(session.exec(select(Finding.id).where(Finding.needs_escalation.is_(True))).all())


def _reopened(session, item: RectificationItem) -> bool:
    """Open again after a relapse or a rejected report (not just opened with its 督导意见书)."""
    return item.reopen_count > 0 or session.exec(select(Submission.id).where(
        Submission.item_id == item.id, Submission.decision == "rejected")).first() is not None


def test_every_day_of_a_year_raises_what_reading_every_open_item_would(seeded, monkeypatch):
    real = simulated_ladder._raise_issues
    seen_open: set[int] = set()  # findings whose item was open before the ladder at the day before's read
    raised, reopened = 0, 0

    def checked(session, seed, as_of, rt):
        nonlocal seen_open, raised, reopened
        every = _open_before_the_ladder(session)
        newly = {f.id for f, *_ in simulated_ladder.newly_open(session, as_of)}
        # what the bound must not miss: items open now that were not open at the day before's read
        assert set(every) - seen_open <= newly, as_of
        reopened += sum(_reopened(session, every[f]) for f in set(every) - seen_open)
        expected, before = _raisable(session, seed, every), _raised(session)
        real(session, seed, as_of, rt)
        assert _raised(session) - before == expected, as_of
        raised += len(expected)
        seen_open = set(_open_before_the_ladder(session))

    monkeypatch.setattr(simulated_ladder, "_raise_issues", checked)
    first = start_or_resume(2026, 2026)
    assert first == date(2026, 1, 1)
    simulate_days.fn(2026, first, date(2026, 12, 31))
    assert raised >= 5 and reopened >= 5, (raised, reopened)  # both ways into the read were exercised
