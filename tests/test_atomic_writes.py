"""Exports and the public site are written beside their target and renamed into place only when the work
succeeded (core/atomic.py): on a full filesystem (a 512 KB tmpfs filled up) `dudao export ledger` and
`dudao publish` fail with one line and exit 1, leaving nothing behind and an earlier site whole; a symbolic
link as --out is followed, a dangling one refused with one line."""

import errno
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlmodel import func, select

from core.atomic import atomic_file, atomic_folder
from core.db import session_scope
from models import AuditEvent
from tests.conftest import run_cli


def _env(settings) -> dict:
    return {"DUDAO_VAR_DIR": str(settings.var_dir), "DUDAO_DATABASE_URL": settings.ledger_url}


def _events() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def _fill(disk: Path) -> None:
    """Write until the filesystem refuses: nothing more fits."""
    with open(disk / "filler", "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    with open(disk / "filler", "ab", buffering=0) as filler:  # the last few bytes of a partial block
        try:
            while True:
                filler.write(b"\0")
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def small_disk(tmp_path):
    """A 512 KB tmpfs (the tests run as root in the sandbox; mounting is how a full disk is real)."""
    disk = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.decode().strip()}): "
                    "test_a_failed_write_leaves_nothing covers the same code by injecting ENOSPC")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_export_ledger_on_a_full_disk_leaves_nothing(seeded, small_disk):
    _fill(small_disk)
    before = _events()
    result = run_cli("export", "ledger", "--year", "2026", "-o", str(small_disk / "台账.xlsx"), env=_env(seeded))
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr.count("\n") == 1 and "磁盘已满" in result.stderr and "Traceback" not in result.stderr
    assert sorted(os.listdir(small_disk)) == ["filler"]
    assert _events() == before


def test_publish_on_a_full_disk_keeps_the_old_site_whole(seeded, small_disk):
    site = small_disk / "site"
    built = run_cli("publish", "--out", str(site), "--as-of", "2026-12-31", env=_env(seeded))
    assert built.returncode == 0, built.stderr[-2000:]
    old = _listing(site)
    assert "index.html" in old
    _fill(small_disk)
    before = _events()
    again = run_cli("publish", "--out", str(site), "--as-of", "2026-12-31", env=_env(seeded))
    assert again.returncode == 1, again.stderr[-2000:]
    assert again.stderr.count("\n") == 1 and "磁盘已满" in again.stderr and "Traceback" not in again.stderr
    assert sorted(os.listdir(small_disk)) == ["filler", "site"]  # no .site.building left behind
    assert _listing(site) == old
    assert _events() == before


def test_publish_follows_a_symbolic_link_and_refuses_a_dangling_one(seeded, tmp_path):
    real = tmp_path / "www" / "site"
    real.mkdir(parents=True)
    link = tmp_path / "current"
    link.symlink_to(real)
    built = run_cli("publish", "--out", str(link), "--as-of", "2026-12-31", env=_env(seeded))
    assert built.returncode == 0, built.stderr[-2000:]
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert (real / "index.html").is_file()
    again = run_cli("publish", "--out", str(link), "--as-of", "2026-12-31", env=_env(seeded))
    assert again.returncode == 0 and link.is_symlink() and (real / "index.html").is_file()
    assert sorted(os.listdir(tmp_path / "www")) == ["site"]

    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    refused = run_cli("publish", "--out", str(dangling), "--as-of", "2026-12-31", env=_env(seeded))
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "指向不存在位置" in refused.stderr
    assert dangling.is_symlink() and not (tmp_path / "nowhere").exists()
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no .dangling.building left


def test_a_failed_write_leaves_nothing_backend_cannot_matter(tmp_path):
    """The same guarantee without a tmpfs: a writer that fails half-way with ENOSPC."""
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(OSError), atomic_file(target) as temp:
        temp.write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_bytes() == b"old" and sorted(os.listdir(tmp_path)) == ["out.xlsx"]
    site = tmp_path / "site"
    with atomic_folder(site) as staging:
        (staging / "index.html").write_text("v1")
    with pytest.raises(OSError), atomic_folder(site) as staging:
        (staging / "index.html").write_text("v2")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert (site / "index.html").read_text() == "v1" and sorted(os.listdir(tmp_path)) == ["out.xlsx", "site"]
    with atomic_folder(site) as staging:
        (staging / "index.html").write_text("v3")
    assert (site / "index.html").read_text() == "v3" and sorted(os.listdir(tmp_path)) == ["out.xlsx", "site"]
