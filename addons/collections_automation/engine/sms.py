"""How many SMS a text takes, as the phone network counts them.

An SMS carries 140 bytes. A text written only with the GSM 03.38 alphabet
(GSM-7) fits 160 characters in one SMS; a longer one is split into parts of
153 characters each (the rest of every part says where it belongs). Some
characters of that alphabet (``€ [ ] { } ^ ~ | \\`` and the form feed) take
two places, and a part never ends between those two. A single character
outside the alphabet (``á``, ``ó``, a curly quote, an emoji...) sends the
whole text as UCS-2: 70 characters in one SMS, 67 per part once split, an
emoji counting as two.

>>> measure("Pay here: https://example.com/p/1").segments
1
>>> size = measure("x" * 161)
>>> (size.encoding, size.units, size.segments, size.per_segment)
('gsm7', 161, 2, 153)
>>> size = measure("Su pago está vencido")
>>> (size.encoding, size.segments, size.per_segment, size.non_gsm)
('ucs2', 1, 70, ('á',))
>>> measure("€" * 80).units  # two places each
160
>>> measure("x" * 500).too_long()
True
>>> measure("").segments
0
"""

from dataclasses import dataclass

GSM7 = "gsm7"
UCS2 = "ucs2"

#: Characters per SMS: (alone in one SMS, per part of a longer text).
PER_SEGMENT = {GSM7: (160, 153), UCS2: (70, 67)}

#: Beyond this many SMS a text is worth a warning: each part is billed, and
#: a long text arrives in pieces some phones show out of order.
MAX_SEGMENTS = 3

#: The longest text an SMS provider takes: Twilio refuses a longer one
#: (error 21617), whatever the encoding.
MAX_CHARACTERS = 1600

#: Characters outside the GSM alphabet with a twin inside it that a reader
#: cannot tell apart: Odoo writes amounts with a non-breaking space
#: (``1.180,00\xa0€``), pasted text brings curly quotes and dashes. One of
#: them would send the whole SMS as Unicode, 70 characters per SMS instead
#: of 160: :func:`replace_lookalikes` puts their twins in.
LOOKALIKES = {
    "\u00a0": " ",  # no-break space
    "\u2007": " ",  # figure space
    "\u2009": " ",  # thin space
    "\u202f": " ",  # narrow no-break space
    "\u200b": "",  # zero width space
    "\u2060": "",  # word joiner
    "\ufeff": "",  # zero width no-break space
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
}
_LOOKALIKES_TABLE = str.maketrans(LOOKALIKES)

#: The GSM 03.38 basic alphabet: one place each.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

#: Its extension table: two places each (an escape, then the character).
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")


@dataclass(frozen=True)
class SmsSize:
    """The size of a text sent by SMS.

    ``units``: the places it takes (GSM-7 septets, or UTF-16 code units in
    UCS-2); ``segments``: the SMS it is sent as (0 for an empty text);
    ``non_gsm``: the characters outside the GSM alphabet that make it UCS-2,
    each once, in the order they appear."""

    encoding: str
    units: int
    segments: int
    non_gsm: tuple = ()

    @property
    def per_segment(self):
        """Characters per SMS at this size: 160 or 70 for a text that fits
        in one, 153 or 67 per part of a longer one."""
        single, multi = PER_SEGMENT[self.encoding]
        return single if self.segments <= 1 else multi

    def too_long(self, limit=MAX_SEGMENTS):
        """Whether the text takes more than ``limit`` SMS.

        >>> measure("x" * 459).too_long(), measure("x" * 460).too_long()
        (False, True)
        """
        return self.segments > limit


def non_gsm_characters(text):
    """The characters of ``text`` outside the GSM alphabet, each once, in
    the order they appear.

    >>> non_gsm_characters("Olá, “João” 👋 ok")
    ('á', '“', 'ã', '”', '👋')
    """
    seen = {}
    for char in text:
        if char not in GSM7_BASIC and char not in GSM7_EXTENDED:
            seen.setdefault(char, None)
    return tuple(seen)


def replace_lookalikes(text):
    """``text`` with the :data:`LOOKALIKES` replaced by their GSM twins;
    letters (an ``á``, an ``ñ``) are kept: they are the customer's language.

    >>> replace_lookalikes("Debe 1.180,00\xa0€ \u2013 it\u2019s due\u2026")
    "Debe 1.180,00 € - it's due..."
    >>> measure(replace_lookalikes("1.180,00\xa0€")).encoding
    'gsm7'
    """
    return (text or "").translate(_LOOKALIKES_TABLE)


def _places(char, encoding):
    if encoding == GSM7:
        return 2 if char in GSM7_EXTENDED else 1
    return 2 if ord(char) > 0xFFFF else 1  # a surrogate pair in UTF-16


def measure(text):
    """The :class:`SmsSize` of ``text``.

    A two-place character is never cut between two parts: the part closes
    one place early and the character opens the next.

    >>> size = measure("x" * 152 + "€" + "x" * 152)  # 306 places: 2 x 153
    >>> size.units, size.segments  # but the € cannot be cut: 152, 153, 1
    (306, 3)
    >>> [measure(text).segments for text in ("é" * 70, "ó" * 70, "ó" * 71)]
    [1, 1, 2]
    >>> measure("👋" * 35).segments, measure("👋" * 36).segments
    (1, 2)
    """
    text = text or ""
    strange = non_gsm_characters(text)
    encoding = UCS2 if strange else GSM7
    places = [_places(char, encoding) for char in text]
    units = sum(places)
    single, multi = PER_SEGMENT[encoding]
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    else:
        segments, room = 1, multi
        for size in places:
            if size > room:
                segments, room = segments + 1, multi
            room -= size
    return SmsSize(encoding, units, segments, strange)
