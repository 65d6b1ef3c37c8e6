"""Which evidence files are taken: the type is read from the content (its first bytes), never from the name,
and the name must agree with it; a name is cleaned of any path and of control characters. Pure: bytes and
strings in, an answer out."""

import unicodedata

# media type: (magic bytes at the start, the extensions its name may carry, what people call it)
KINDS = {
    "application/pdf": (b"%PDF-", (".pdf",), "PDF"),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",), "PNG 图片"),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg"), "JPEG 图片"),
}
MAX_NAME = 100


def media_type_of(head: bytes) -> str | None:
    """The media type the first bytes of a file say, among those taken, or None."""
    return next((media for media, (magic, _, _) in KINDS.items() if head.startswith(magic)), None)


def clean_name(raw: str) -> str:
    """The file's own name: the last part of any path (either slash), no control characters, at most MAX_NAME
    characters (the extension kept)."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:MAX_NAME - len(ext) - 1]}.{ext}" if dot and len(ext) <= 8 else name[:MAX_NAME]
    return name


def file_problem(name: str, head: bytes, size: int, max_bytes: int) -> str | None:
    """What is wrong with an uploaded file (one Chinese line naming it), or None when it is taken."""
    if not name:
        return "附件缺少文件名。"
    if size == 0:
        return f"附件“{name}”是空文件。"
    if size > max_bytes:
        return f"附件“{name}”超过 {max_bytes // (1024 * 1024)} MB。"
    media = media_type_of(head)
    allowed = "、".join(label for _, _, label in KINDS.values())
    if media is None:
        return f"附件“{name}”的内容不是可接受的类型（{allowed}）。"
    if not name.lower().endswith(KINDS[media][1]):
        return f"附件“{name}”的文件名与内容不符（内容为 {KINDS[media][2]}）。"
    return None
