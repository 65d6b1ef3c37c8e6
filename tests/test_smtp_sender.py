"""send_batch against a real aiosmtpd server: delivery, classification, reconnection, connection reuse."""

import pytest
from pydantic import SecretStr

from tasks.mail.messages import Attachment, build_message
from tasks.mail.smtp_sender import SendResult, SmtpConfig, send_batch

# The smtp_server fixture comes from tests/smtp_server.py through pytest_plugins in tests/conftest.py.
from tests.smtp_server import RecordingSmtpServer

REPORT_HTML = "<h1>督导意见书</h1><p>整改期限：三十日。</p>"


def notice(key: str = "notice:2026-017:notify:1", to: tuple[str, ...] = ("head@school1.example.cn",)):
    return build_message(
        key=key,
        sender="dudao@edu.example.cn",
        sender_name="区教育督导室",
        recipients=[(f"第{i + 1}中学 校长", address) for i, address in enumerate(to)],
        subject="关于开展2026年度学校综合督导评估工作的通知",
        text="各校：\n请于十月三十一日前完成自评。\n",
        html="<p>各校：请于十月三十一日前完成自评。</p>\n",
        attachments=[Attachment("../督导意见书（第一中学）.html", REPORT_HTML.encode(), "text/html")],
        domain="edu.example.cn",
    )


def config_for(server: RecordingSmtpServer, **overrides) -> SmtpConfig:
    return SmtpConfig(host=server.hostname, port=server.port, **{"timeout": 5.0, **overrides})


async def send_one(server: RecordingSmtpServer, key: str = "k1", **overrides) -> SendResult:
    [result] = await send_batch([(key, notice(key))], config_for(server, **overrides))
    return result


async def test_happy_path_delivers_chinese_headers_and_attachment_intact(smtp_server):
    message = notice()
    results = await send_batch([("notice:2026-017:notify:1", message)], config_for(smtp_server))
    assert results == [SendResult("notice:2026-017:notify:1", "sent")]
    [got] = smtp_server.received
    assert got["Subject"] == "关于开展2026年度学校综合督导评估工作的通知"
    assert got["From"].addresses[0].display_name == "区教育督导室"
    assert got["To"].addresses[0].display_name == "第1中学 校长"
    assert got["Message-ID"] == message["Message-ID"]
    assert got["X-Dudao-Key"] == "notice:2026-017:notify:1"
    assert got["Date"] is not None
    assert got.get_body(("plain",)).get_content() == "各校：\n请于十月三十一日前完成自评。\n"
    [attachment] = got.iter_attachments()
    assert attachment.get_filename() == "督导意见书（第一中学）.html"
    assert attachment.get_content() == REPORT_HTML


async def test_421_then_451_are_transient_then_sent_once(smtp_server):
    smtp_server.reply_to_data("421 try later", "451 local error in processing")
    first, second, third = [await send_one(smtp_server) for _ in range(3)]
    assert (first.status, second.status, third.status) == ("transient", "transient", "sent")
    assert first.reason.startswith("421") and "try later" in first.reason
    assert second.reason.startswith("451")
    assert smtp_server.count(notice("k1")["Message-ID"]) == 1


async def test_550_on_data_is_permanent_with_the_servers_reply(smtp_server):
    smtp_server.reply_to_data("550 no such user")
    result = await send_one(smtp_server)
    assert result.status == "permanent"
    assert "550" in result.reason and "no such user" in result.reason
    assert smtp_server.received == []


async def test_refused_recipients_are_classified_by_code(smtp_server):
    smtp_server.reply_to_recipient("gone@school9.example.cn", "550 5.1.1 no such user")
    smtp_server.reply_to_recipient("full@school8.example.cn", "452 mailbox full")
    gone, full, partly = await send_batch(
        [
            ("gone", notice("gone", to=("gone@school9.example.cn",))),
            ("full", notice("full", to=("full@school8.example.cn",))),
            ("partly", notice("partly", to=("head@school1.example.cn", "gone@school9.example.cn"))),
        ],
        config_for(smtp_server, concurrency=1),
    )
    assert gone.status == "permanent" and "550 5.1.1 no such user" in gone.reason
    assert full.status == "transient" and "452" in full.reason
    # Accepted by one recipient: never transient, a retry would send that recipient a second copy.
    assert partly.status == "permanent" and partly.reason.startswith("partly delivered")
    assert len(smtp_server.received) == 1


async def test_server_down_gives_transient_for_all_then_up_gives_sent(smtp_server):
    batch = [(f"k{i}", notice(f"k{i}")) for i in range(5)]
    smtp_server.stop()
    down = await send_batch(batch, config_for(smtp_server, concurrency=2))
    assert [r.status for r in down] == ["transient"] * 5
    assert all("cannot connect" in r.reason for r in down)
    smtp_server.start()
    up = await send_batch(batch, config_for(smtp_server, concurrency=2))
    assert [r.status for r in up] == ["sent"] * 5
    assert sorted(smtp_server.message_ids.values()) == [1] * 5


async def test_connections_are_reused(smtp_server):
    batch = [(f"k{i}", notice(f"k{i}")) for i in range(50)]
    results = await send_batch(batch, config_for(smtp_server, concurrency=4))
    assert [r.key for r in results] == [key for key, _ in batch]  # input order
    assert {r.status for r in results} == {"sent"}
    assert 1 <= smtp_server.connections <= 4
    assert len(smtp_server.message_ids) == 50 and set(smtp_server.message_ids.values()) == {1}


async def test_a_dead_connection_is_reopened_for_the_next_message(smtp_server):
    smtp_server.reply_to_data("421 closing connection")  # the client hangs up after a 421
    results = await send_batch(
        [("a", notice("a")), ("b", notice("b"))], config_for(smtp_server, concurrency=1)
    )
    assert [r.status for r in results] == ["transient", "sent"]
    assert smtp_server.connections == 2


async def test_timeout_is_transient(smtp_server):
    smtp_server.data_delay = 1.0
    result = await send_one(smtp_server, timeout=0.2)
    assert result.status == "transient" and "Timeout" in result.reason


async def test_on_result_is_called_as_each_message_finishes(smtp_server):
    seen: list[SendResult] = []
    smtp_server.reply_to_data("250 OK", "550 no such user")
    batch = [(f"k{i}", notice(f"k{i}")) for i in range(3)]
    results = await send_batch(batch, config_for(smtp_server, concurrency=1), on_result=seen.append)
    assert seen == results
    assert [r.status for r in results] == ["sent", "permanent", "sent"]


async def test_a_failing_on_result_stops_the_batch_and_is_raised(smtp_server):
    def record(result: SendResult) -> None:
        raise RuntimeError("database is locked")

    batch = [(f"k{i}", notice(f"k{i}")) for i in range(5)]
    with pytest.raises(RuntimeError, match="database is locked"):
        await send_batch(batch, config_for(smtp_server, concurrency=1), on_result=record)
    assert len(smtp_server.received) == 1


async def test_login_and_the_password_stays_secret():
    server = RecordingSmtpServer(credentials={"dudao": "s3cret-pw"})
    server.start()
    try:
        good = await send_one(server, username="dudao", password=SecretStr("s3cret-pw"))
        bad = await send_one(server, username="dudao", password=SecretStr("wrong-pw"))
    finally:
        server.stop()
    assert good.status == "sent"
    assert bad.status == "transient" and "535" in bad.reason and "wrong-pw" not in bad.reason
    config = config_for(server, username="dudao", password=SecretStr("s3cret-pw"))
    assert "s3cret-pw" not in repr(config)


def test_config_is_checked():
    with pytest.raises(ValueError, match="须同时设置"):
        SmtpConfig(host="127.0.0.1", port=25, username="dudao")
    with pytest.raises(ValueError, match="并发数"):
        SmtpConfig(host="127.0.0.1", port=25, concurrency=0)


async def test_empty_batch():
    assert await send_batch([], SmtpConfig(host="127.0.0.1", port=25)) == []
