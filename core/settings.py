"""Settings from the environment (prefix DUDAO_), with embedded defaults for a laptop."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.paths import REPO_ROOT
from core.toml_input import root_keys


def sender_name(district_path: Path) -> str:
    """The name mail goes out under unless DUDAO_SMTP_FROM_NAME says otherwise: the district's supervision
    office (江北区 → 江北区政府教育督导室), named after the district file's `district`; none if it names none."""
    district = root_keys(district_path).get("district")
    return f"{district}政府教育督导室" if isinstance(district, str) and district.strip() else ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DUDAO_", env_file=".env", extra="ignore")

    var_dir: Path = REPO_ROOT / "var"
    database_url: str = ""
    # PostgreSQL's connection pool of each process (None: SQLAlchemy's, 5 kept and 10 more at need); a request
    # finding every connection taken waits up to db_pool_timeout seconds for one rather than opening another.
    # `dudao portal serve` sets both for its workers from portal_db_connections (portal/serving.py).
    db_pool_size: int | None = None
    db_max_overflow: int | None = None
    db_pool_timeout: float = 30.0
    timezone: str = "Asia/Shanghai"
    policy_path: Path = REPO_ROOT / "data" / "policy.toml"
    calendar_override_path: Path | None = None
    district_path: Path = REPO_ROOT / "data" / "nanan.toml"
    indicators_path: Path = REPO_ROOT / "data" / "indicators"  # indicator frameworks, one TOML per version

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: Literal["none", "starttls", "ssl"] = "none"
    smtp_from: str = "dudao@jdz.nanan.example.cn"
    smtp_from_name: str = Field(default_factory=lambda data: sender_name(data["district_path"]))
    smtp_concurrency: int = 8
    smtp_password_block: str | None = None  # name of a Prefect Secret block holding the password instead
    smtp_timeout: float = 30.0
    smtp_max_attempts: int = 5  # transient failures after this many attempts: the notice is reported stuck
    smtp_claim_seconds: int = 600  # a notice left `sending` this long by a run elsewhere is taken again
    mail_domain: str = "dudao.nanan.example.cn"
    # notices built by tasks/mail/fast_path.py (on tested Pythons only); false: by the stdlib's own generation
    mail_fast_path: bool = True
    # the memory allocator of the worker processes (core/worker_processes.py): jemalloc where the system has it
    # (Debian's libjemalloc2), else the C library's; "system": always the C library's
    worker_allocator: Literal["jemalloc", "system"] = "jemalloc"
    # where var/out is served over HTTP for operators (links in Prefect artifacts); None: file:// links
    documents_url: str | None = None
    # the office's alert webhook (a work group's robot): Prefect automations post failures there (deployments/alerts)
    alert_webhook_url: str | None = None
    # the web portal (portal/): the address people open, which `dudao portal link` prints links under; its
    # secret signs links and sessions (None: a random one kept in var/portal/secret, mode 600)
    portal_base_url: str = "http://127.0.0.1:8000"
    portal_secret: SecretStr | None = None
    portal_link_days: int = 30  # a sign-in link's life unless `--days` says otherwise
    portal_evidence_max_mb: int = 10  # the largest evidence file a report may carry
    # PostgreSQL connections all the portal's workers together may hold (None: half of what the server allows
    # ordinary users, the rest left to the flows, the sweep and the operators; rules/connection_budget.py)
    portal_db_connections: int | None = None
    # channels beside e-mail (tasks/channels/): an SMS gateway over HTTP (JSON POST, bearer token); the robots'
    # addresses are the units' (district file). Timeout of one request; where units open a filed document
    # ({channel_link_url}/{its path}: the link a message carries; none: no link)
    sms_gateway_url: str | None = None
    sms_token: SecretStr | None = None
    channel_timeout: float = 10.0
    channel_link_url: str | None = None

    @property
    def ledger_url(self) -> str:
        """The ledger database: DUDAO_DATABASE_URL, or a SQLite file under var/."""
        return self.database_url or f"sqlite:///{self.var_dir / 'dudao.db'}"

    @property
    def out_dir(self) -> Path:
        return self.var_dir / "out"

    @property
    def outbox_dir(self) -> Path:
        return self.var_dir / "outbox"


@lru_cache
def get_settings() -> Settings:
    return Settings()
