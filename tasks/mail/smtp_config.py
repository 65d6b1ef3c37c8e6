"""The SMTP connection from the settings, checked once at the start of a delivery run.

The password comes from DUDAO_SMTP_PASSWORD (a SecretStr) or from the Prefect Secret block named by
DUDAO_SMTP_PASSWORD_BLOCK; it stays wrapped until tasks/mail/smtp_sender.py logs in, and is never logged,
put in an artifact or passed as a flow parameter.
"""

from __future__ import annotations

from pydantic import SecretStr

from core.errors import InputError
from core.settings import Settings
from tasks.mail.smtp_sender import SmtpConfig


def _password(settings: Settings) -> SecretStr | None:
    if settings.smtp_password is not None and settings.smtp_password.get_secret_value():
        return settings.smtp_password
    if not settings.smtp_password_block:
        return None
    from prefect.blocks.system import Secret

    try:
        value = Secret.load(settings.smtp_password_block).get()
    except ValueError as exc:  # no such block (the message names the block, not its value)
        raise InputError(f"SMTP 设置：DUDAO_SMTP_PASSWORD_BLOCK：{exc}") from None
    return SecretStr(str(value)) if value else None


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """The connection to use, or None when no SMTP host is set (the Maildir outbox).

    Raises:
        InputError: naming the settings that do not fit together, e.g. a username without a password.
    """
    if not settings.smtp_host:
        return None
    username = settings.smtp_username or None
    password = _password(settings)
    if username and password is None:
        raise InputError("SMTP 设置：设置了 DUDAO_SMTP_USERNAME 却没有密码"
                         "（请设置 DUDAO_SMTP_PASSWORD，或将 DUDAO_SMTP_PASSWORD_BLOCK 设为一个 Prefect Secret 块）")
    if password is not None and not username:
        raise InputError("SMTP 设置：设置了密码却没有设置 DUDAO_SMTP_USERNAME")
    try:
        return SmtpConfig(host=settings.smtp_host, port=settings.smtp_port, username=username, password=password,
                          tls=settings.smtp_tls, timeout=settings.smtp_timeout,
                          concurrency=settings.smtp_concurrency)
    except InputError as exc:
        raise InputError(f"SMTP 设置（DUDAO_SMTP_*）：{exc}") from None
