"""Channels beside e-mail (issue 18 part 4): a work group's robot (WeCom/DingTalk style, signed) and an SMS
gateway, each message its own deliverable in the outbox. Real HTTP servers on 127.0.0.1 fail with 500, time out
and answer twice; each message arrives once, the signature verifies, the ledger shows status and attempts, and a
stuck message is reported."""

import os
import subprocess
import sys
from datetime import date

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import select

from core.db import session_scope
from core.settings import get_settings
from models import ChannelMessage, Unit
from tasks.channels.delivery import deliver_channel_messages
from tasks.channels.report import stuck_messages
from tasks.channels.senders import dingtalk_signature, signed_url
from tasks.operator.alerts import queue_alert
from tests.channel_server import ChannelServer, start
from tests.conftest import REPO, run_cli
from tests.delivery_support import AS_OF, queue_notices

SECRET = "SECexample0123456789"
REPO_DATA = REPO / "data"


@pytest.fixture
def serve():
    running = []

    def make(**options) -> ChannelServer:
        server = ChannelServer(**options)
        running.append(start(server)[0])
        return server

    yield make
    for http in running:
        http.shutdown()
        http.server_close()


def _settings(monkeypatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"DUDAO_{name.upper()}", value)
    get_settings.cache_clear()


def _unit(code: str, **columns) -> None:
    with session_scope() as session:
        session.execute(update(Unit).where(Unit.code == code).values(**columns))


def _alert(occurrence: str) -> int:
    with session_scope() as session:
        return queue_alert(session, "run-failed", occurrence, f"运行 {occurrence}", AS_OF)


def _messages() -> list[ChannelMessage]:
    with session_scope() as session:
        rows = session.exec(select(ChannelMessage).order_by(ChannelMessage.id)).all()
        session.expunge_all()
    return list(rows)


def _state(message: ChannelMessage) -> tuple:
    return message.status, message.attempts


def test_the_policy_chooses_the_kinds_and_each_message_is_queued_once(seeded, serve, monkeypatch):
    gateway = serve()
    _settings(monkeypatch, sms_gateway_url=gateway.url("/sms"), channel_link_url="https://portal.example.cn/docs")
    _unit("OFFICE", robot_url="https://oapi.example.cn/robot/send?access_token=x", mobile="13800000000")
    _unit("S001", robot_url="https://qyapi.example.cn/cgi-bin/webhook/send?key=y", mobile="13900000000")
    queue_notices(1)  # a 整改提醒 to S001: routine, e-mail only ([channels] does not name `reminder`)
    assert _messages() == []
    notice_id = _alert("run-1")  # an alert to the office: robot and SMS beside the e-mail
    assert _alert("run-1") is None  # the same occurrence again files nothing, and queues nothing
    webhook, sms = _messages()
    assert (webhook.channel, sms.channel) == ("webhook", "sms") and webhook.notice_id == sms.notice_id == notice_id
    assert webhook.key == "alert:run-failed:run-1|webhook|OFFICE" and sms.key == "alert:run-failed:run-1|sms|OFFICE"
    assert (webhook.status, webhook.attempts, webhook.kind) == ("pending", 0, "alert")
    assert sms.text.startswith("【南岸区政府教育督导室】【系统告警：运行失败】南岸区政府教育督导室")
    assert "详见：https://portal.example.cn/docs/2026/OFFICE/alert_run-failed_run-1.html" in sms.text
    assert len(sms.text) <= 140
    assert "一次工作流运行失败或崩溃" in webhook.text and "查看原文：https://portal.example.cn/docs/" in webhook.text
    monkeypatch.delenv("DUDAO_SMS_GATEWAY_URL")
    get_settings.cache_clear()
    _alert("run-2")  # no SMS gateway configured: the robot only
    assert [m.channel for m in _messages()][2:] == ["webhook"]


def test_a_signed_robot_gets_the_message_once_after_a_500(seeded, serve, monkeypatch):
    robot = serve(secret=SECRET, script=["500"])  # a robot that does not deduplicate: raw receipts count
    _unit("OFFICE", robot_url=robot.url(), robot_secret=SECRET)
    _alert("run-1")
    [message] = _messages()
    first = deliver_channel_messages(AS_OF)
    assert (first.counts, first.retry_wanted) == ({"sent": 0, "transient": 1, "permanent": 0}, True)
    [message] = _messages()
    assert _state(message) == ("pending", 1) and message.last_error.startswith("HTTP 500")
    assert deliver_channel_messages(AS_OF).counts == {"sent": 1, "transient": 0, "permanent": 0}
    [message] = _messages()
    assert _state(message) == ("sent", 2) and message.last_error == "" and message.sent_at is not None
    assert len(robot.raw) == 2 and len(robot.delivered) == 1 and robot.bad_signatures == 0
    [got] = robot.delivered
    assert got.path == "/robot/send" and got.query["access_token"] == ["t0k3n"]  # the robot's own query kept
    assert got.headers["Idempotency-Key"] == message.key
    assert got.body["msgtype"] == "text" and got.body["text"]["content"].startswith("【系统告警：运行失败】")
    assert deliver_channel_messages(AS_OF).counts["sent"] == 0 and len(robot.raw) == 2  # sent: never again


def test_an_sms_is_short_and_keeps_its_link_whole():
    from tasks.channels.queue import message_text

    link = "https://portal.example.cn/docs/2026/S001/item_812_urge_2026-05-06.html"
    text = message_text("sms", "【督办通知】" + "很长的单位名称" * 30, "正文", link, "南岸区政府教育督导室")
    assert len(text) == 140 and text.startswith("【南岸区政府教育督导室】【督办通知】很长") and text.endswith("…，详见：" + link)
    assert message_text("sms", "【督办通知】某校", "正文", None, "") == "【督办通知】某校，详见电子邮件。"


def test_the_dingtalk_signature_is_the_documented_one():
    # base64(HMAC-SHA256(secret, "timestamp\nsecret")), URL-encoded into the query; the value as openssl makes it:
    # printf '1700000000000\nSEC123' | openssl dgst -sha256 -hmac SEC123 -binary | base64
    assert dingtalk_signature("SEC123", 1700000000000) == "lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ="
    url = signed_url("https://oapi.example.cn/robot/send?access_token=a", "SEC123", 1700000000000)
    assert url == ("https://oapi.example.cn/robot/send?access_token=a&timestamp=1700000000000"
                   "&sign=lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ%3D")
    assert signed_url("https://qyapi.example.cn/webhook/send?key=b", None) == "https://qyapi.example.cn/webhook/send?key=b"


def test_a_gateway_that_times_out_still_sends_one_sms(seeded, serve, monkeypatch):
    gateway = serve(token="gw-token", dedup=True, script=["sleep"], sleep_seconds=1.5)
    _settings(monkeypatch, sms_gateway_url=gateway.url("/sms/send"), sms_token="gw-token", channel_timeout="0.5")
    _unit("OFFICE", mobile="13800000000")
    _alert("run-1")
    assert deliver_channel_messages(AS_OF).counts["transient"] == 1
    [message] = _messages()
    assert _state(message) == ("pending", 1) and message.last_error.startswith("超时")
    assert deliver_channel_messages(AS_OF).counts["sent"] == 1  # the retry carries the same key
    [message] = _messages()
    assert _state(message) == ("sent", 2)
    assert len(gateway.raw) == 2 and gateway.deliveries_by_key() == {message.key: 1}  # the phone got it once
    [got] = gateway.delivered
    assert got.body == {"mobile": "13800000000", "content": message.text}
    assert got.headers["Authorization"] == "Bearer gw-token"


def test_an_answer_lost_and_a_run_killed_after_sending_resend_with_the_same_key(seeded, serve, monkeypatch):
    gateway = serve(dedup=True, script=["lost"])  # takes the message, answers 503
    _settings(monkeypatch, sms_gateway_url=gateway.url("/sms"))
    _unit("OFFICE", mobile="13800000000")
    _alert("run-1")
    _alert("run-2")
    first, second = _messages()
    # run-2's message: a run sent it (the gateway has it) and was killed before recording the answer
    httpx.post(gateway.url("/sms"), json={"mobile": "13800000000", "content": second.text},
               headers={"Idempotency-Key": second.key})
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with session_scope() as session:
        session.execute(update(ChannelMessage).where(ChannelMessage.id == second.id).values(
            status="sending", attempt_token=f"{os.uname().nodename[:40]}/{dead.pid}/killed", claimed_at=None))
    gateway.script = ["lost"]
    assert deliver_channel_messages(AS_OF).counts == {"sent": 1, "transient": 1, "permanent": 0}
    assert deliver_channel_messages(AS_OF).counts == {"sent": 1, "transient": 0, "permanent": 0}
    assert [_state(m) for m in _messages()] == [("sent", 2), ("sent", 1)]
    assert len(gateway.raw) == 4  # two copies of each arrived...
    assert gateway.deliveries_by_key() == {first.key: 1, second.key: 1}  # ...and each was delivered once


def test_robot_error_codes_decide_retry_or_failure(seeded, serve, monkeypatch):
    robot = serve(secret=SECRET, script=["errcode:130101"])  # DingTalk: sending too fast
    _unit("OFFICE", robot_url=robot.url(), robot_secret=SECRET)
    _alert("run-1")
    assert deliver_channel_messages(AS_OF).counts["transient"] == 1
    assert deliver_channel_messages(AS_OF).counts["sent"] == 1
    _unit("OFFICE", robot_secret="SECwrong")  # a secret that does not match: the platform refuses, for good
    _alert("run-2")
    assert deliver_channel_messages(AS_OF).counts == {"sent": 0, "transient": 0, "permanent": 1}
    refused = _messages()[1]
    assert _state(refused) == ("failed", 1) and refused.last_error == "机器人拒收：errcode 310000 sign not match"
    assert robot.bad_signatures == 1 and len(robot.delivered) == 1
    result = run_cli("channels", "--failed")
    assert result.returncode == 0 and "alert:run-failed:run-2|webhook|OFFICE" in result.stdout
    _unit("OFFICE", robot_secret=SECRET)  # the secret corrected (re-seeded): sent again by hand
    result = run_cli("channels", "retry", str(refused.id))
    assert result.returncode == 0 and result.stdout.strip() == f"渠道消息 {refused.id}：sent", result.stderr
    assert _state(_messages()[1]) == ("sent", 2) and len(robot.delivered) == 2 and robot.bad_signatures == 1
    again = run_cli("channels", "retry", str(refused.id))
    assert again.returncode == 2 and "不重复发送" in again.stderr + again.stdout


def test_a_receiver_down_leaves_messages_stuck_and_reported(seeded, serve, monkeypatch):
    robot = serve(script=["500"] * 100)
    _settings(monkeypatch, smtp_max_attempts="2")
    _unit("OFFICE", robot_url=robot.url())
    for n in range(4):
        _alert(f"run-{n}")
    first = deliver_channel_messages(AS_OF)
    assert first.counts["transient"] == 3 and first.stopped_early  # the fourth is not tried while it is down
    deliver_channel_messages(AS_OF)
    assert [_state(m) for m in _messages()] == [("pending", 2)] * 3 + [("pending", 0)]
    with session_scope() as session:
        total, stuck = stuck_messages(session, 2)
        from tasks.operator.sweep_table import channel_rows
        rows = channel_rows(session)
    assert total == 3 and [m.key for m in stuck] == [f"alert:run-failed:run-{n}|webhook|OFFICE" for n in range(3)]
    assert [r["类别"] for r in rows] == ["滞留渠道消息"] * 3 and rows[0]["明细"].startswith("群机器人：HTTP 500")
    result = run_cli("channels", "--stuck", env={"DUDAO_SMTP_MAX_ATTEMPTS": "2"})
    assert result.returncode == 0, result.stderr
    assert "滞留的渠道消息 3 条" in result.stdout and "尝试 2 次" in result.stdout
    assert len(robot.delivered) == 0 and len(robot.raw) == 6


def test_the_deliver_outbox_flow_retries_a_robot_with_backoff(seeded, prefect_harness, serve, monkeypatch):
    from flows.deliver_outbox import deliver_outbox

    robot = serve(secret=SECRET, script=["500"])
    _unit("OFFICE", robot_url=robot.url(), robot_secret=SECRET)
    _alert("run-1")
    counts = deliver_outbox(AS_OF)
    assert counts == {"sent": 1, "transient": 0, "permanent": 0, "stuck": 0, "channel_sent": 1, "channel_transient": 1}
    [message] = _messages()
    assert _state(message) == ("sent", 2) and len(robot.delivered) == 1 and robot.bad_signatures == 0


def test_held_messages_wait_for_their_day(seeded, serve, monkeypatch):
    robot = serve()
    _unit("OFFICE", robot_url=robot.url())
    _alert("run-1")
    with session_scope() as session:
        session.execute(update(ChannelMessage).values(hold_until=date(2026, 6, 1)))
    assert sum(deliver_channel_messages(AS_OF).counts.values()) == 0
    assert deliver_channel_messages(date(2026, 6, 1)).counts["sent"] == 1 and len(robot.delivered) == 1


def test_the_district_file_gives_robots_and_mobiles_optionally(ledger, tmp_path):
    from core.errors import InputError
    from tasks.exchange.district_file import DistrictFile, load_district, load_entries, read_district_file

    text = (REPO_DATA / "nanan.toml").read_text(encoding="utf-8").replace(
        'email = "duddaoshi@nanan.example.cn"\n',
        'email = "duddaoshi@nanan.example.cn"\nrobot = "https://oapi.example.cn/robot/send?access_token=a"\n'
        'robot_secret = "SECabc"\nmobile = "13800000000"\n', 1)
    path = tmp_path / "district.toml"
    path.write_text(text, encoding="utf-8")
    district = read_district_file(path)
    with session_scope() as session:
        load_district(session, district)
    with session_scope() as session:
        office = session.exec(select(Unit).where(Unit.code == "OFFICE")).one()
        school = session.exec(select(Unit).where(Unit.code == "S001")).one()
        assert (office.robot_url, office.robot_secret, office.mobile) == (
            "https://oapi.example.cn/robot/send?access_token=a", "SECabc", "13800000000")
        assert (school.robot_url, school.robot_secret, school.mobile) == (None, None, None)  # optional
        # a roster import that does not name the channels keeps them
        entry = district.units[0].model_dump(exclude={"robot", "robot_secret", "mobile"})
        load_entries(session, DistrictFile(schema_version=1, district="南岸区", units=[entry]))
    with session_scope() as session:
        assert session.exec(select(Unit.mobile).where(Unit.code == "OFFICE")).one() == "13800000000"
    for wrong, what in (('mobile = "13800000000"', 'mobile = "138-0000"'),
                        ('robot = "https://oapi.example.cn/robot/send?access_token=a"\n', "")):
        path.write_text(text.replace(wrong, what, 1), encoding="utf-8")
        with pytest.raises(InputError, match="units.0|mobile|robot_secret"):
            read_district_file(path)
