"""The header half of the e-mail fast path (tasks/mail/fast_path.py, whose docstring says what the whole
relies on and on which Python versions): the header factory notices are built with.

Building a notice sets ~23 headers (each part's Content-Type, Content-Transfer-Encoding and MIME-Version, the
attachment's Content-Disposition, From, To, ...), and the standard `HeaderRegistry` parses every value it is
given and even makes a new header class on each call (~0.1 ms a header, half of building a message). Most
values repeat from notice to notice, and a header object is immutable once made (a `str` with its parse tree
and defects), so the same object can stand in every message that holds the same name and value.

At province scale the other header values are new each time: the Message-ID and X-Dudao-Key, the Subject
and To, and the two multipart Content-Types the generator sets with a new random boundary. The package parses
each into a tree (20-70 µs) that serves only to fold the header, and folds it again (~15 µs) although a short
plain value folds to `Name: value` on one line. Here:

- a value of a plain shape (text without line breaks or encoded-word markers; `<id@host>`;
  `multipart/<sub>; boundary="<boundary>"`) becomes the package's own header class with the attributes its
  parse would give (the value itself, no defects, the boundary parameter), folded on one line (or, for the
  multipart type, the two the package writes) when it fits, and by the package's fold otherwise;
- an address header set from `Address` objects keeps the package's parse of them (groups, value) but makes
  the tree of the joined string only when it is folded: a To of Chinese names is folded by
  tasks/mail/encoded_words.py, and a From is folded once a process.

tests/test_plain_headers.py checks both against the package's headers for random values and policies.
"""

from __future__ import annotations

import re
import sys
from email import policy, utils
from email.headerregistry import (
    Address,
    AddressHeader,
    BaseHeader,
    ContentTypeHeader,
    HeaderRegistry,
    MessageIDHeader,
    UnstructuredHeader,
)

_MESSAGE_ID = re.compile(r"<[0-9A-Za-z]+@[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*>")
_MULTIPART = re.compile(r'multipart/([a-z][a-z0-9-]*); boundary="([0-9A-Za-z=._-]+)"')
# ~4 MB a process; values that never repeat (To, Subject) only hold an entry until the next clear.
_REMEMBERED_MAX = 512


class _TreeOnFold:
    """Header mixin: `_parse_tree` may be None, and is then made from the value when the header is folded."""

    def fold(self, *, policy) -> str:
        folded = self._folded_plainly(policy)
        if folded is not None:
            return folded
        if self._parse_tree is None:
            self._parse_tree = self.value_parser(str(self))
        return super().fold(policy=policy)

    def _folded_plainly(self, policy) -> str | None:
        return None


class _AddressesTreeOnFold(_TreeOnFold):
    """An address header set from Address objects: the package's groups and value, the tree when folded."""

    @classmethod
    def parse(cls, value, kwds) -> None:
        if not isinstance(value, str):
            kwds["parse_tree"] = None  # AddressHeader.parse makes no tree when given one
        super().parse(value, kwds)
        if kwds["parse_tree"] is None and utils._has_surrogates(kwds["decoded"]):
            kwds["parse_tree"] = cls.value_parser(kwds["decoded"])  # the header's value will be sanitized


class _Plain(_TreeOnFold):
    """A value the package's parse gives back as it is, with no defects."""

    @classmethod
    def fits(cls, value: str) -> bool:
        return bool(value) and value.isprintable() and "=?" not in value

    @classmethod
    def parse(cls, value, kwds) -> None:
        kwds["decoded"] = value
        kwds["parse_tree"] = None

    def _folded_plainly(self, policy) -> str | None:
        line = f"{self.name}: {self}"
        if line.isascii() and len(line) <= (policy.max_line_length or sys.maxsize):
            return line + policy.linesep
        return None


class _PlainMessageID(_Plain):
    @classmethod
    def fits(cls, value: str) -> bool:
        return _MESSAGE_ID.fullmatch(value) is not None


class _PlainMultipart(_Plain):
    """`multipart/<sub>; boundary="<boundary>"`, as Message.set_boundary writes it."""

    @classmethod
    def fits(cls, value: str) -> bool:
        return _MULTIPART.fullmatch(value) is not None

    @classmethod
    def parse(cls, value, kwds) -> None:
        subtype, boundary = _MULTIPART.fullmatch(value).groups()
        super().parse(value, kwds)
        kwds["params"] = {"boundary": boundary}
        kwds["subtype"] = subtype

    def init(self, *args, subtype: str, **kw) -> None:
        super(ContentTypeHeader, self).init(*args, **kw)  # ContentTypeHeader.init reads the types off the tree
        self._maintype, self._subtype = "multipart", subtype

    def _folded_plainly(self, policy) -> str | None:
        """One line when it fits, else the parameter on a line of its own (RFC 2231 sections: the package)."""
        one_line = super()._folded_plainly(policy)
        if one_line is not None or not self.name.isascii():
            return one_line
        maxlen = policy.max_line_length or sys.maxsize
        first, second = f"{self.name}: multipart/{self._subtype};", f' boundary="{self._params["boundary"]}"'
        if len(first) < maxlen and len(second) + 1 <= maxlen:
            return first + policy.linesep + second + policy.linesep
        return None


def with_tree_on_fold(cls: type) -> type:
    """The registry's header class, making its tree when folded if it is an address header."""
    if issubclass(cls, AddressHeader):
        return type(cls.__name__, (_AddressesTreeOnFold, *cls.__bases__), {})
    return cls


def plain_variant(cls: type) -> type | None:
    """The class making `cls`'s headers of a plain value without a parse; None when it has no plain shape."""
    for kind, plain in ((MessageIDHeader, _PlainMessageID), (ContentTypeHeader, _PlainMultipart),
                        (UnstructuredHeader, _Plain)):
        if issubclass(cls, kind):
            return type(cls.__name__, (plain, *cls.__bases__), {})
    return None


def plain_header(plain: type | None, name: str, value):
    """The header of a plain value made by `plain` (from plain_variant); None for any other value."""
    if plain is None or not isinstance(value, str) or not plain.fits(value):
        return None
    return plain(name, value)


def tree_deferred(header: BaseHeader) -> bool:
    """Whether `header` was made without its parse tree, which its fold will make (tests/test_plain_headers.py
    checks that the fast path is taken where it should be)."""
    return isinstance(header, _TreeOnFold) and header._parse_tree is None


class RememberedHeaders(HeaderRegistry):
    """A `HeaderRegistry` returning the header object it made before for the same name and value.

    The key holds the name as given (case included: a header folds with its own name) and the value: a
    string, or the address(es) a From/To is set from. Other values are parsed each time, as before. A value of
    a plain shape is made without a parse and not remembered (it is cheaper to make than to look up).
    """

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}
        self._plain_classes: dict[str, type | None] = {}
        self._made: dict[tuple, BaseHeader] = {}

    def __getitem__(self, name: str) -> type:
        lowered = name.lower()
        cls = self._classes.get(lowered)
        if cls is None:
            cls = self._classes[lowered] = with_tree_on_fold(super().__getitem__(name))
        return cls

    def plain_class(self, name: str) -> type | None:
        """The class making this header of a plain value without a parse (plain_variant), if any."""
        lowered = name.lower()
        if lowered not in self._plain_classes:
            self._plain_classes[lowered] = plain_variant(super().__getitem__(name))
        return self._plain_classes[lowered]

    def __call__(self, name: str, value) -> BaseHeader:
        key = _value_key(value)
        made = None if key is None else self._made.get((name, key))
        if made is None:
            made = plain_header(self.plain_class(name), name, value)
        if made is None:
            made = super().__call__(name, value)
            if key is not None:
                self._remember((name, key), made)
        return made

    def forget(self) -> None:
        """Drop every header and class made so far (bench/message_build.py starts each round cold)."""
        self._made.clear()
        self._classes.clear()

    def _remember(self, key: tuple, made: BaseHeader) -> None:
        if len(self._made) >= _REMEMBERED_MAX:
            self._made.clear()
        self._made[key] = made


def _value_key(value) -> tuple | None:
    """What makes two values give the same header; None when it cannot be told (the value is parsed)."""
    if isinstance(value, str):
        return ("str", value)
    addresses = [value] if isinstance(value, Address) else value
    if isinstance(addresses, list | tuple) and all(type(item) is Address for item in addresses):
        return ("addresses", *((a.display_name, a.username, a.domain) for a in addresses))
    return None


BUILD = policy.default.clone(header_factory=RememberedHeaders())
"""policy.default, remembering the headers it made: the fast path builds notices with it."""
