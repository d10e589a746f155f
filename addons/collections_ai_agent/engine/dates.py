"""Dates in a message, resolved against the day the message was received.

Hand rules rather than ``dateparser``: the forms of a payment promise are few
("el viernes", "el 15", "a fin de mes", "la quincena", "15/12"), must resolve
to the *next* such day and never swallow an amount ("pago 500 el 15"), and a
call must stay within a few milliseconds; dateparser needs ~1 s to load, tens
of milliseconds per call and reads "el 15" as this month's even when past.

Conventions: a weekday is the next one strictly after today ("el viernes"
said on a Friday is next week's); "el 15" is the next 15th strictly ahead; a
day and month ("5 de abril", "15/12") is this year's unless already past;
"la próxima semana" (or "la semana que viene/que entra", "semana que vem",
"next week") is next week's Monday, "el próximo mes" (or "el mes que
viene/que entra", "mês que vem", "next month") next month's 1st,
"el fin de semana" the coming Saturday; "la quincena" the 15th or the month's
last day, whichever comes first.

Input is the normalised text (lower case, no accents, number words as digits).
``find_date`` returns the date and the character span it used, so that the
amount finder does not read the day as money.

>>> from datetime import date
>>> friday = date(2026, 3, 6)
>>> find_date("te pago el viernes", friday)[0]
datetime.date(2026, 3, 13)
>>> find_date("pago 500 el 15", friday)[0]
datetime.date(2026, 3, 15)
>>> find_date("a fin de mes", friday)[0]
datetime.date(2026, 3, 31)
>>> find_date("la quincena", date(2026, 3, 20))[0]
datetime.date(2026, 3, 31)
"""

import calendar
import re
from datetime import date, timedelta

MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "janeiro": 1,
    "fevereiro": 2,
    "marco": 3,
    "maio": 5,
    "junho": 6,
    "julho": 7,
    "setembro": 9,
    "outubro": 10,
    "novembro": 11,
    "dezembro": 12,
    "ene": 1,
    "jan": 1,
    "feb": 2,
    "fev": 2,
    "mar": 3,
    "abr": 4,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "ago": 8,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "set": 9,
    "oct": 10,
    "out": 10,
    "nov": 11,
    "dic": 12,
    "dez": 12,
    "dec": 12,
}
WEEKDAYS = {
    "lunes": 0,
    "martes": 1,
    "miercoles": 2,
    "jueves": 3,
    "viernes": 4,
    "sabado": 5,
    "domingo": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thurs": 3,
    "fri": 4,
    "segunda": 0,
    "terca": 1,
    "quarta": 2,
    "quinta": 3,
    "sexta": 4,
}
# Portuguese weekdays double as ordinals ("segunda parcela"): they count as
# days only after a preposition or before "feira".
_PT_WEEKDAYS = ("segunda", "terca", "quarta", "quinta", "sexta")

_ORDINAL = r"(?:o|ro|do|to|vo|no|st|nd|rd|th|er)?"
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
# Before a day ("jan 30", "dec 20"), short names too, but those that are also
# words ("mar", "set", "out", "ago") only in full.
_MONTHS_BEFORE_A_DAY = "|".join(
    sorted(
        (m for m in MONTHS if m not in ("mar", "set", "out", "ago")),
        key=len,
        reverse=True,
    )
)
_WEEKDAY_NAMES = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_NEXT_WEEK = (
    r"(?:de\s|da\s)?(?:la\s|a\s)?(?:proxima semana|semana que viene|semana que vem|"
    r"otra semana|next week|semana siguiente|siguiente semana|semana que entra|"
    r"semana proxima|semana entrante|semana seguinte|following week|coming week)"
)

# What may follow a number that is no day: money, counts, clock times.
_NOT_A_DAY_AFTER = (
    r"\s?(?:%|de\s\d|cuotas|pagos|parcelas|x\b|vezes|dias|days|semanas|meses|mil|k\b|"
    r"lucas|pesos|reais|dolares|dollars|bucks|hijos|anos|years|horas|hours|pm|am|hs|"
    r"h\b|:|[.,]\d)"
)

_PATTERNS = [
    ("after_tomorrow", r"\b(?:pasado\s?manana|day after tomorrow|depois de amanha)\b"),
    (
        "before_yesterday",
        r"\b(?:anteayer|antier|antes de ayer|anteontem|antes de ontem|"
        r"(?:the\s)?day before yesterday)\b",
    ),
    ("day_month_year", r"\b(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})\b"),
    ("day_month_year", r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"),
    ("day_month", r"(?<![\d$.,])\b(\d{1,2})/(\d{1,2})\b(?![/\d])"),
    (
        "day_name_month",
        r"\b(?:(\d{1,2})%s|primero|primeiro|first)\s*(?:de\s|del\s|of\s)?(%s)\b"
        r"(?:\s*(?:de|del|,)?\s*(\d{4}))?" % (_ORDINAL, _MONTH_NAMES),
    ),
    (
        "month_name_day",
        r"\b(%s)\.?\s(\d{1,2})%s\b(?:,?\s(\d{4}))?" % (_MONTHS_BEFORE_A_DAY, _ORDINAL),
    ),
    ("weekday_next_week", r"\b(%s)(?:[\s-]feira)?\s%s" % (_WEEKDAY_NAMES, _NEXT_WEEK)),
    # "el martes 17", "sexta dia 20", "Friday the 13th": the day number decides.
    (
        "weekday_day",
        r"\b(?:%s)(?:[\s-]feira)?,?\s(?:dia\s|the\s)?(\d{1,2})%s\b(?!%s)"
        % (_WEEKDAY_NAMES, _ORDINAL, _NOT_A_DAY_AFTER),
    ),
    # "el 10 del próximo mes", "the 5th of next month"
    (
        "day_next_month",
        r"\b(\d{1,2})%s\s(?:de|del|do|of)\s(?:el\s|o\s)?(?:proximo mes|mes que viene|"
        r"mes que vem|next month|mes siguiente|the next month|mes que entra|"
        r"mes proximo|mes entrante|mes seguinte|the following month)\b" % _ORDINAL,
    ),
    (
        "weekday",
        r"\b(?:(el|la|este|esta|proximo|next|this|on|na|no|nesta|neste|proxima|"
        r"ate|hasta|para|pra|a|de|by|until|till|coming|essa|esse|dia)\s)?"
        r"(%s)\b(?:[\s-](feira))?(?:\sque\s(?:viene|vem)|\s(passad[ao]))?"
        % _WEEKDAY_NAMES,
    ),
    (
        "end_of_month",
        r"\b(?:a\s)?(?:fin|fines|finales|final|fim)\s(?:de|del|do)\s?mes\b",
    ),
    ("end_of_month", r"\b(?:the\s)?end of (?:the |this )?month\b|\bmonth end\b"),
    ("end_of_month", r"\bultimo dia del? mes\b|\blast day of (?:the )?month\b"),
    ("quincena", r"\b(?:quincena|quinsena|quinzena)\b"),
    (
        "in_units",
        r"\b(?:en|dentro de|in|em|daqui a|daqui|within|de aqui a)\s(\d{1,3})\s"
        r"(dias?|days?|semanas?|weeks?|mes|meses|months?)\b",
    ),
    ("in_units_one", r"\b(?:a|one)\s(week|month)\s(?:from (?:now|today))\b"),
    ("in_units", r"\b(\d{1,3})\s(days?|weeks?)\sfrom (?:now|today)\b"),
    ("next_week", r"\b%s\b" % _NEXT_WEEK),
    (
        "next_month",
        r"\b(?:el\s|o\s)?(?:proximo mes|mes que viene|mes que vem|next month|"
        r"mes siguiente|otro mes|mes que entra|mes proximo|mes entrante|mes seguinte|"
        r"following month|coming month)\b",
    ),
    (
        "weekend",
        r"\b(?:este |el |this |the |no |neste )?(?:fin de semana|finde|weekend|"
        r"fim de semana)\b",
    ),
    (
        "today",
        r"\b(?:hoy|today|hoje|tonight|esta noche|hoy mismo|ainda hoje|this morning|"
        r"this afternoon|earlier today|esta manana|esta tarde|hoje cedo|"
        r"hoje de manha|hace un rato|hace un ratito|(?:a )?(?:few )?(?:\d{1,3} )?"
        r"(?:mins?|minutes?) ago|(?:an|one|\d{1,2}) (?:hour|hr|hours|hrs) ago|"
        r"(?:hace|faz|ha) (?:una|uma|\d{1,2}) (?:hora|horas)|"
        r"(?:hace|faz|ha) (?:unos |uns |alguns |algunos )?(?:\d{1,2} )?min\w*|"
        r"(?:faz|ha|agora) pouco|agorinha|just now)\b",
    ),
    ("yesterday", r"\b(?:ayer|yesterday|ontem|anoche|last night)\b"),
    (
        "ago",
        r"\b(?:hace|faz|ha)\s(\d{1,2})\s(dias?|semanas?)\b|\b(\d{1,2})\s(days?|weeks?)"
        r"\sago\b",
    ),
    (
        "tomorrow",
        r"\b(?:tomorrow|amanha)\b|(?<!\bla )(?<!\besta )(?<!\bpor la )(?<!\bde la )"
        r"(?<!\ben la )\bmanana\b",
    ),
    (
        "day_only",
        r"\b(?:el|del|al|dia|the|on the|on|ate o|ate|no|hasta el|antes del|by the|"
        r"before the|until the|para el|pro dia|o dia|a partir del)\s(?:dia\s)?"
        r"(\d{1,2})%s\b(?!\s?(?:%%|de\s\d|cuotas|pagos|parcelas|x\b|vezes|dias|"
        r"days|semanas|meses|mil|k\b|lucas|pesos|reais|dolares|dollars|bucks|grand|"
        r"hijos|anos|years|horas|hours|pm|am|hs|h\b|:|[.,]\d))" % _ORDINAL,
    ),
    ("day_only", r"\b(\d{1,2})(?:st|nd|rd|th)\b"),
    (
        "first_day",
        r"\b(?:el|o|dia|on the|the|para el|hasta el|ate o)\s(?:dia\s)?(?:primero|"
        r"primeiro|"
        r"first|1ro|1o|1st)\b(?!\s(?:de|of|cuota|parcela|pago|payment|installment))",
    ),
]
_COMPILED = [(kind, re.compile(pattern)) for kind, pattern in _PATTERNS]
# The sources, for the typo corrector's list of keywords.
PATTERN_SOURCES = [pattern for _, pattern in _PATTERNS]
_TIME = re.compile(
    r"\b(?:a las|as|at|a la|around|por las|tipo)\s\d{1,2}(?::\d{2})?\s?(?:h|hs|am|"
    r"pm)?\b(?!\s?(?:x\b|vezes|veces|cuotas|parcelas|pagos|payments|meses|months|"
    r"de\s\d|of\s\d))"
    r"|\b\d{1,2}(?::\d{2})\s?(?:h|hs|am|pm)?\b|\b\d{1,2}\s?(?:am|pm|hs|h)\b"
)


def last_day(year, month):
    """Last day of a month (leap years included)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _clamped(year, month, day):
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def next_day_of_month(day, today, past=False):
    """Next ``day`` of a month strictly after today (last day if the month is short).

    >>> next_day_of_month(15, date(2026, 3, 10))
    datetime.date(2026, 3, 15)
    >>> next_day_of_month(15, date(2026, 3, 15))
    datetime.date(2026, 4, 15)
    >>> next_day_of_month(30, date(2028, 2, 10))
    datetime.date(2028, 2, 29)
    """
    if past:
        candidate = _clamped(today.year, today.month, day)
        if candidate > today:
            candidate = _clamped(*_month_shift(today, -1), day)
        return candidate
    candidate = _clamped(today.year, today.month, day)
    if candidate <= today or candidate.day != day and today.day >= candidate.day:
        candidate = _clamped(*_month_shift(today, 1), day)
    return candidate


def _ahead(today, count, unit):
    """Today plus ``count`` days, weeks or months (the unit as written)."""
    if unit.startswith("d"):
        return today + timedelta(days=count)
    if unit.startswith(("s", "w")):
        return today + timedelta(weeks=count)
    return _add_months(today, count)


def _month_shift(today, months):
    shifted = _add_months(today.replace(day=1), months)
    return shifted.year, shifted.month


def next_weekday(weekday, today, past=False):
    """Next such weekday strictly after today (a week ahead if it is today)."""
    if past:
        return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _day_month(day, month, year, today, past, two_digit_year=False):
    if year is not None:
        year = int(year)
        if year < 100 or two_digit_year:
            year += 2000
        try:
            return date(year, month, day)
        except ValueError:
            return None
    try:
        candidate = date(today.year, month, day)
    except ValueError:
        if (month, day) != (2, 29) or past:
            return None  # "30/2" is no day at all
        # 29 February outside a leap year: the next year that has it.
        year = today.year + 1
        while not calendar.isleap(year):
            year += 1
        return date(year, 2, 29)
    if past and candidate > today:
        return candidate.replace(year=today.year - 1)
    if not past and candidate < today:
        return _clamped(today.year + 1, month, day)
    return candidate


def _numeric(first, second, year, today, past, month_first):
    """Read "15/12" day-first, or month-first when asked (English) or forced."""
    first, second = int(first), int(second)
    orders = (
        [(second, first), (first, second)]
        if month_first
        else [(first, second), (second, first)]
    )
    for day, month in orders:
        if 1 <= month <= 12 and 1 <= day <= 31:
            return _day_month(day, month, year, today, past)
    return None


# After a Portuguese weekday that opens a message, words that make it a day
# ("segunda eu pago") rather than an ordinal ("segunda parcela").
_AFTER_OPENING_WEEKDAY = re.compile(
    r"\s*(?:$|[,.!?]|(?:eu|te|lhe|vou|pago|faco|deposito|transfiro|quito|mando|"
    r"sem falta|de manha|cedo|a tarde|a noite|ta|fica|pode|consigo|posso|ok|sim|"
    r"entao|mesmo|nao|tampouco|nem)\b)"
)


# "a segunda parcela", "a quinta vez": the Portuguese weekday is an ordinal.
_ORDINAL_NOUN = re.compile(
    r"\s(?:parcela|parcelas|prestacao|vez|via|opcao|cobranca|mensagem|fatura|boleto|"
    r"tentativa|pessoa|conta)\b"
)


# "paguei segunda", "primeira parcela sexta": a weekday after paying.
_PAYING_BEFORE = re.compile(
    r"\b(?:paguei|pago|pagarei|pagar|depositei|deposito|transferi|parcela|comecando|"
    r"a partir de)\s$"
)


def _after_a_payment(match):
    return bool(_PAYING_BEFORE.search(match.string, 0, match.start()))


_OPENING_YES_NO = re.compile(r"(?:sim|nao|si|no|ok|beleza|blz|pode ser)\W+$")


def _opens_a_promise(match):
    opening = match.start() == 0 or _OPENING_YES_NO.fullmatch(
        match.string, 0, match.start()
    )
    return bool(opening) and bool(
        _AFTER_OPENING_WEEKDAY.match(match.string, match.end())
    )


def _resolve(kind, match, today, past, lang):  # noqa: C901 - one branch per form
    groups = match.groups()
    if kind == "today":
        return today
    if kind == "yesterday":
        return today - timedelta(days=1)
    if kind == "before_yesterday":
        return today - timedelta(days=2)
    if kind == "tomorrow":
        return today + timedelta(days=1)
    if kind == "after_tomorrow":
        return today + timedelta(days=2)
    if kind == "day_month_year":
        return _numeric(groups[0], groups[1], groups[2], today, past, lang == "en")
    if kind == "day_month":
        return _numeric(groups[0], groups[1], None, today, past, lang == "en")
    if kind == "day_name_month":
        day = int(groups[0]) if groups[0] else 1
        return _day_month(day, MONTHS[groups[1]], groups[2], today, past)
    if kind == "month_name_day":
        return _day_month(int(groups[1]), MONTHS[groups[0]], groups[2], today, past)
    if kind == "weekday_next_week":
        monday = today + timedelta(days=7 - today.weekday())
        return monday + timedelta(days=WEEKDAYS[groups[0]])
    if kind == "weekday_day":
        return next_day_of_month(int(groups[0]), today, past)
    if kind == "day_next_month":
        year, month = _month_shift(today, 1)
        return _clamped(year, month, int(groups[0]))
    if kind == "weekday":
        before, name, feira, last = groups
        if name in _PT_WEEKDAYS and (
            not (
                feira
                or before
                or last
                or _opens_a_promise(match)
                or _after_a_payment(match)
            )
            or _ORDINAL_NOUN.match(match.string, match.end())
        ):
            return None
        if name in ("mon", "wed", "thu", "tue") and lang != "en":
            return None
        return next_weekday(WEEKDAYS[name], today, past)
    if kind == "ago":
        if not past:
            return None  # "hace 3 días" dates only a payment already made
        count, unit = (groups[0], groups[1]) if groups[0] else (groups[2], groups[3])
        days = int(count) * (1 if unit.startswith("d") else 7)
        return today - timedelta(days=days)
    if kind == "end_of_month":
        return last_day(today.year, today.month)
    if kind == "quincena":
        if today.day < 15:
            return today.replace(day=15)
        end = last_day(today.year, today.month)
        if today < end:
            return end
        return _clamped(*_month_shift(today, 1), 15)
    if kind == "in_units":
        return _ahead(today, int(groups[0]), groups[1])
    if kind == "in_units_one":
        return (
            today + timedelta(weeks=1) if groups[0] == "week" else _add_months(today, 1)
        )
    if kind == "next_week":
        return today + timedelta(days=7 - today.weekday())
    if kind == "next_month":
        return _add_months(today.replace(day=1), 1)
    if kind == "weekend":
        return today + timedelta(days=(5 - today.weekday()) % 7)
    if kind == "first_day":
        return next_day_of_month(1, today, past)
    if kind == "day_only":
        day = int(groups[0])
        if 1 <= day <= 31:
            return next_day_of_month(day, today, past)
    return None


_SPECIFIC = {
    "day_month_year",
    "day_month",
    "day_name_month",
    "month_name_day",
    "weekday_day",
    "day_only",
}


def find_date(text, today, lang="es", past=False):
    """First date named in ``text`` and the spans of every date-like phrase.

    Specific forms win over the vague ones they overlap ("el 5 de abril" over
    "el 5"); "today" yields to any other day ("hoy no, mañana") but
    "yesterday" ("ayer no pude, hoy pago"), unless ``past``. ``past``
    resolves toward the past ("el lunes" = last Monday), for messages that
    report a payment already made.
    """
    text = _TIME.sub(lambda m: "#" * len(m.group(0)), text)
    found = []
    for kind, pattern in _COMPILED:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(
                start < other_end and other_start < end
                for _, _, (other_start, other_end) in found
            ):
                continue
            resolved = _resolve(kind, match, today, past, lang)
            if resolved is not None:
                found.append((kind, resolved, (start, end)))
    if not found:
        return None, []
    spans = [span for _, _, span in found]
    # "el viernes 20 de marzo": a weekday right before a fuller date yields.
    found = [
        item
        for item in found
        if item[0] != "weekday"
        or not any(
            other[0] in _SPECIFIC and 0 <= other[2][0] - item[2][1] <= 6
            for other in found
        )
    ]
    chosen = [item for item in found if item[0] not in ("today", "yesterday")]
    if not chosen:
        # "ayer no pude, hoy te pago": today, unless a past payment is told
        preferred = "yesterday" if past else "today"
        chosen = [item for item in found if item[0] == preferred] or found
    chosen.sort(key=lambda item: item[2][0])
    return chosen[0][1], spans


# More time asked as a span ("dame 1 mes", "2 semanitas", "a fortnight",
# "mais uns 5 dias"): today plus the span, for a request for time only.
_SPAN = re.compile(
    r"(?<!hace )(?<!faz )\b(\d{1,2})\s(?:mas\s|more\s|extra\s)?(dias?|diitas|"
    r"diazinhos|diasinhos|days?|semanas?|semanitas?|semaninhas?|weeks?|mes|meses|"
    r"months?)\b(?!\sago\b)"
    r"|\b(fortnight)\b|\b(?:another|one more|otro|outro|otra|outra)\s(week|month|mes|"
    r"semana|semanita|semaninha)\b"
)


def span_ahead(text, today):
    """Today plus the first span of time named ("1 mes", "2 weeks"), or None."""
    match = _SPAN.search(text)
    if not match:
        return None
    if match.group(3):
        return today + timedelta(weeks=2)
    if match.group(4):
        return _ahead(today, 1, match.group(4))
    return _ahead(today, int(match.group(1)), match.group(2))


def time_spans(text):
    """Spans of clock times ("a las 3", "15:00", "3pm"), which are not money."""
    return [match.span() for match in _TIME.finditer(text)]
