"""One channel message over HTTP: to a work group's robot (WeCom/DingTalk style) or to the SMS gateway.

Every request carries the message's key in `Idempotency-Key`, so a receiver that deduplicates drops a second
copy: a retry after a timeout, or after a run died between the answer and its record. A message is `sent`
only on a 2xx answer, and for a robot only when the answer's `errcode` is 0 (both platforms answer 200 with an
error code when they refuse). A timeout, a connection failure, a 5xx, 408 or 429, or a robot's rate limit is
transient (tried again later); any other refusal is permanent, with the reason as the receiver gave it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote, quote_plus

import httpx

from core.settings import Settings
from models import ChannelMessage, Unit

IDEMPOTENCY_HEADER = "Idempotency-Key"
# Robot error codes that mean "not now": DingTalk's 130101 (sending too fast), WeCom's 45009 (over the
# frequency limit), -1 (system busy, both).
RATE_LIMITED = {130101, 45009, -1}
_TRANSIENT_HTTP = {408, 425, 429}

Outcome = tuple[str, str]  # (sent | transient | permanent, reason)


def dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}"))."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str | None, timestamp_ms: int | None = None) -> str:
    """The robot's address, with `timestamp` and `sign` as URL-encoded query parameters where a secret is set."""
    if not secret:
        return url
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    sign = quote_plus(dingtalk_signature(secret, timestamp_ms))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def idempotency_key(message: ChannelMessage) -> str:
    """The message's key as a header value (percent-encoded where it is not plain ASCII)."""
    return quote(message.key, safe=":|/#-_.@")


def send(client: httpx.Client, message: ChannelMessage, unit: Unit | None, settings: Settings) -> Outcome:
    if message.channel == "webhook":
        return send_to_robot(client, message, unit)
    return send_sms(client, message, unit, settings)


def send_to_robot(client: httpx.Client, message: ChannelMessage, unit: Unit | None) -> Outcome:
    if unit is None or not unit.robot_url:
        return "permanent", "单位未配置群机器人地址（区县数据文件的 robot）"
    payload = {"msgtype": "text", "text": {"content": message.text}}
    outcome = _post(client, signed_url(unit.robot_url, unit.robot_secret), payload,
                    {IDEMPOTENCY_HEADER: idempotency_key(message)})
    if isinstance(outcome, tuple):
        return outcome
    try:
        answer = outcome.json()
        code = int(answer.get("errcode"))
    except (ValueError, TypeError, AttributeError):
        return "permanent", f"机器人的回复不是预期的 JSON（HTTP {outcome.status_code}）：{outcome.text[:200]}"
    if code == 0:
        return "sent", ""
    reason = f"机器人拒收：errcode {code} {answer.get('errmsg', '')}".strip()
    return ("transient" if code in RATE_LIMITED else "permanent"), reason


def send_sms(client: httpx.Client, message: ChannelMessage, unit: Unit | None, settings: Settings) -> Outcome:
    if not settings.sms_gateway_url:
        return "permanent", "未配置短信网关（DUDAO_SMS_GATEWAY_URL）"
    if unit is None or not unit.mobile:
        return "permanent", "单位未配置手机号码（区县数据文件的 mobile）"
    headers = {IDEMPOTENCY_HEADER: idempotency_key(message)}
    if settings.sms_token is not None:
        headers["Authorization"] = f"Bearer {settings.sms_token.get_secret_value()}"
    outcome = _post(client, settings.sms_gateway_url, {"mobile": unit.mobile, "content": message.text}, headers)
    return outcome if isinstance(outcome, tuple) else ("sent", "")


def _post(client: httpx.Client, url: str, payload: dict, headers: dict) -> httpx.Response | Outcome:
    """The 2xx answer, or the outcome of a failed request."""
    try:
        response = client.post(url, json=payload, headers=headers)
    except httpx.TimeoutException:
        return "transient", f"超时（{client.timeout.read} 秒内无回复）"
    except httpx.HTTPError as exc:
        return "transient", f"连接失败：{type(exc).__name__} {exc}"[:500]
    if response.is_success:
        return response
    reason = f"HTTP {response.status_code}：{response.text[:200]}"
    transient = response.status_code >= 500 or response.status_code in _TRANSIENT_HTTP
    return ("transient" if transient else "permanent"), reason
