"""The `email` policy notices are built with: the standard one, with a header factory that remembers.

Building a notice sets ~23 headers (each part's Content-Type, Content-Transfer-Encoding and MIME-Version, the
attachment's Content-Disposition, From, To, ...), and the standard `HeaderRegistry` parses every value it is
given and even makes a new header class on each call (~0.1 ms a header, half of building a message). Most
values repeat from notice to notice, and a header object is immutable once made (a `str` with its parse tree
and defects), so the same object can stand in every message that holds the same name and value.

The values that never repeat (Message-ID, X-Dudao-Key, Subject, To, the multipart Content-Types the generator
writes with a new random boundary) are made without a parse tree (tasks/mail/plain_headers.py): for values of those
plain shapes the package's parse gives back only the value itself, and the tree serves only to fold a header
that does not fit on one line.
"""

from __future__ import annotations

from email import policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry

from tasks.mail.plain_headers import plain_header, plain_variant, with_tree_on_fold

# ~4 MB a process; values that never repeat (To, Subject) only hold an entry until the next clear.
_REMEMBERED_MAX = 512


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
        """The class making this header of a plain value without a parse (tasks/mail/plain_headers.py), if any."""
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
