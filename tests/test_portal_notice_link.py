"""The unit's sign-in link in its e-mails (SQLite and PostgreSQL): the 督导通知书 delivered into the Maildir carries
a link that signs that unit in, and only that unit; the link is made when the message is built, so the notice's
stored body stays as filed; a notice of another kind carries none, and revoking the unit's links ends the mailed
one too."""

from datetime import date

import pytest
from sqlmodel import select

from core.db import session_scope
from models import Notice, Unit
from portal.links import revoke
from tasks.access.notice_links import LINKED_KINDS, with_portal_links
from tasks.mail.delivery import deliver_batch_to_maildir
from tasks.mail.notice_build import MessageSpec
from tests.unit_forms_support import BASE, client_on, delivered, links_in, notified

VISIT = date(2026, 4, 14)
DAY = date(2026, 4, 1)


@pytest.fixture
def mailed(seeded, runtime):
    ours = notified(runtime, "S001", "2026-ZH-001", VISIT)
    theirs = notified(runtime, "S002", "2026-ZH-002", VISIT)
    counts = deliver_batch_to_maildir(ours.notice_on)
    assert counts["sent"] >= 2, counts
    return ours, theirs


def _link(code: str) -> str:
    text_links, html_links = links_in(delivered(f"inspection:{code}:notice"))
    assert len(text_links) == 1 and html_links == text_links
    assert text_links[0].startswith(f"{BASE}/link/")
    return text_links[0]


def test_the_link_in_a_units_notice_signs_that_unit_in_and_only_that_unit(mailed):
    ours, theirs = mailed
    link, other = _link("2026-ZH-001"), _link("2026-ZH-002")
    assert link != other
    text = delivered("inspection:2026-ZH-001:notice").get_body(("plain",)).get_content()
    assert "南坪育才小学（示例）登录督导门户（本单位专用，30 天内有效" in text and other not in text
    browser = client_on(DAY)
    home = browser.get(link.removeprefix(BASE))
    assert home.status_code == 200 and home.url.path == "/unit"
    assert "南坪育才小学（示例）" in home.text and f'href="/unit/inspections/{ours.id}"' in home.text
    assert browser.get(f"/unit/inspections/{ours.id}").status_code == 200
    assert browser.get(f"/unit/inspections/{theirs.id}").status_code == 404
    stranger = client_on(DAY)
    page = stranger.get(other.removeprefix(BASE))
    assert "花园路明德小学（示例）" in page.text and "南坪育才小学（示例）" not in page.text
    assert stranger.get(f"/unit/inspections/{ours.id}").status_code == 404


def test_the_stored_notice_stays_as_filed(mailed):
    with session_scope() as session:
        bodies = session.exec(select(Notice.body_text, Notice.body_html)).all()
    assert bodies and not any("/link/" in text or "/link/" in html for text, html in bodies)


def test_revoking_the_units_links_ends_the_mailed_one(mailed):
    link = _link("2026-ZH-001")
    with session_scope() as session:
        revoke(session, session.exec(select(Unit).where(Unit.code == "S001")).one(), actor="operator")
    answer = client_on(DAY).get(link.removeprefix(BASE))
    assert answer.status_code == 403 and "已被督导室收回" in answer.text


def _spec(notice: Notice, recipients) -> MessageSpec:
    return MessageSpec(key=notice.key, sender="a@b.cn", sender_name="督导室", recipients=recipients, subject="s",
                       text=notice.body_text, html=notice.body_html, attachments=(), domain="b.cn")


def test_only_notices_reminders_and_urges_of_a_unit_carry_a_link(seeded):
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == "S001")).one()
        kinds = ["notice", "reminder", "urge", "feedback", "report", "circular"]
        notices = [Notice(key=f"k:{kind}", kind=kind, subject="s", recipients="[]", body_text="正文",
                          body_html="<html><body><p>正文</p></body></html>", unit_id=unit.id, created_on=DAY,
                          message_id="<m@x>") for kind in kinds]
        specs = [_spec(n, ((unit.name, "u@b.cn"),)) for n in notices]
        built = with_portal_links(session, notices, specs)
    linked = {spec.key.removeprefix("k:") for spec in built if "/link/" in spec.text}
    assert linked == set(LINKED_KINDS) == {"notice", "reminder", "urge"}
    for spec in built:
        if "/link/" in spec.text:  # the HTML's link sits inside its body
            assert spec.html.index('class="portal-link"') < spec.html.index("</body>")


def test_a_message_copied_to_the_superior_carries_no_link_but_where_to_find_it(seeded):
    """The link signs in as the unit: a 督办 sent to the unit and its superior in one message would hand the
    superior that key, so it says where the unit finds its link instead."""
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == "S001")).one()
        urge = Notice(key="k:urge", kind="urge", subject="s", recipients="[]", body_text="正文",
                      body_html="<html><body><p>正文</p></body></html>", unit_id=unit.id, created_on=DAY,
                      message_id="<m@x>")
        alone, copied = with_portal_links(session, [urge, urge], [
            _spec(urge, ((unit.name, "u@b.cn"),)), _spec(urge, ((unit.name, "u@b.cn"), ("南岸区教育委员会", "j@b.cn")))])
    assert "/link/" in alone.text and "/link/" in alone.html
    assert "/link/" not in copied.text and "/link/" not in copied.html
    assert f"{unit.name}登录督导门户的专用链接附在发给本单位的督导通知书和整改提醒中" in copied.text
    assert copied.html.index('class="portal-link"') < copied.html.index("</body>")
