"""Numbers in a message: number words to digits, amounts, installment counts.

Number words go through ``text2num`` (``alpha2digit``) for the big ones
("dos mil", "mil quinientos", "quinhentos"); the small ones it leaves alone
("dos", "una", "duas") are turned into digits here when a unit follows
("dos cuotas", "una semana"), so that "uno" or "a" elsewhere stay words.

>>> parse_amount("3.250"), parse_amount("2.850,50"), parse_amount("1,500")
(Decimal('3250'), Decimal('2850.50'), Decimal('1500'))
>>> parse_amount("1.200,00"), parse_amount("12.5"), parse_amount("1,50")
(Decimal('1200.00'), Decimal('12.5'), Decimal('1.50'))
"""

import logging
import re
from decimal import Decimal, InvalidOperation

from text_to_num import alpha2digit

from .dates import MONTHS

_logger = logging.getLogger(__name__)

SMALL_NUMBERS = {
    "un": 1,
    "uno": 1,
    "una": 1,
    "one": 1,
    "a": 1,
    "an": 1,
    "um": 1,
    "uma": 1,
    "dos": 2,
    "two": 2,
    "dois": 2,
    "duas": 2,
    "tres": 3,
    "three": 3,
    "cuatro": 4,
    "four": 4,
    "quatro": 4,
    "cinco": 5,
    "five": 5,
    "seis": 6,
    "six": 6,
    "siete": 7,
    "seven": 7,
    "sete": 7,
    "ocho": 8,
    "eight": 8,
    "oito": 8,
    "nueve": 9,
    "nine": 9,
    "nove": 9,
    "diez": 10,
    "ten": 10,
    "dez": 10,
    "once": 11,
    "eleven": 11,
    "onze": 11,
    "doce": 12,
    "twelve": 12,
    "doze": 12,
    "par": 2,
    "couple": 2,
}

# Nouns after which a small number word is a count, not a word.
_COUNTED = (
    r"cuotas?|pagos?|partes?|abonos?|mensualidades|parcelas?|prestacoes|vezes|"
    r"installments?|payments?|parts?|dias?|days?|semanas?|weeks?|meses|mes|"
    r"months?|lucas?|palos?|quincenas?|diitas|diazinhos|diasinhos|semanitas?|"
    r"semaninhas|of"
)
_ORDINAL_WORDS = re.compile(
    r"\b(segunda|terca|tercera|quarta|cuarta|quinta|sexta|septima|setima|"
    r"primera|primero|primeira|primeiro|segundo|tercero|terceiro)\b"
)
_PROTECTED = re.compile(r"zq([a-z]+)zq")
_DIGITS_MIL = re.compile(r"\b(\d+(?:[.,]\d+)?)\s?mil\b")
_PAIR_OF = re.compile(r"\b(?:(?:un|um|uns)\s)?par\sde\s(?=(?:%s)\b)" % _COUNTED)
_SMALL_BEFORE_UNIT = re.compile(
    r"\b(%s)\s+(?:(?:more|extra|mas|mais)\s)?(?=(%s)\b)"
    % ("|".join(SMALL_NUMBERS), _COUNTED)
)
# Articles are numbers only before a singular noun ("una semana", "a week"),
# never before a plural ("a cuotas", "a plazos"); the English "a"/"an" only
# before a span of time ("a week"), not "make a payment".
_ARTICLES = {"un", "una", "a", "an", "um", "uma"}
_TIME_UNITS = re.compile(r"dias?|days?|semanas?|weeks?|mes|meses|months?|quincenas?")


_AFTER_AMOUNT = re.compile(r"\d(?:\s?(?:k|mil|pesos|dollars|bucks|reais|usd))?\s$")


def _small_number(match):
    word, unit = match.group(1), match.group(2)
    if word in ("a", "an") and _AFTER_AMOUNT.search(match.string, 0, match.start()):
        return match.group(0)  # "$100 a month" is a rate, not one month
    if word in _ARTICLES:
        plural = unit.endswith("s") and unit not in ("mes", "vezes", "of")
        if plural or (word in ("a", "an") and not _TIME_UNITS.fullmatch(unit)):
            return match.group(0)
    more = match.group(0)[len(word) :].strip()
    return "%d %s" % (SMALL_NUMBERS[word], more + " " if more else "")


# "el dos del mes que viene": a day text2num leaves as a word.
_SMALL_DAY = re.compile(r"\b(el|dia|the)\s(dos|uno|un)\s(?=(?:del?|of)\s)")
# Number words of each language that are no word of another, to read the
# numbers a customer says in a second language ("te pago four hundred", "i
# can pay cuatrocientos").
_TENS_AND_HUNDREDS = {
    "es": "veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa cien "
    "ciento doscientos trescientos cuatrocientos quinientos seiscientos setecientos "
    "ochocientos novecientos veintiuno veintidos veintitres veinticuatro veinticinco "
    "dieciseis diecisiete dieciocho diecinueve quince catorce trece",
    "pt": "vinte trinta quarenta cinquenta sessenta oitenta noventa cem cento "
    "duzentos trezentos quatrocentos quinhentos seiscentos setecentos oitocentos "
    "novecentos dezesseis dezessete dezoito dezenove quinze catorze quatorze treze",
    "en": "twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen",
}
_OTHER_NUMBER_WORDS = {
    lang: re.compile(r"\b(?:%s)\b" % "|".join(words.split()))
    for lang, words in _TENS_AND_HUNDREDS.items()
}
# "two fifty", "twelve fifty", "nine ninety-nine": hundreds said as two
# numbers in English speech (not a clock time: "at two thirty").
_EN_UNITS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_SPOKEN_HUNDREDS = re.compile(
    r"(?<!\bat )(?<!\bby )(?<!\baround )(?<!\babout )(?<!\buntil )(?<!\btill )"
    r"\b(%s)\s(%s|ten|eleven|twelve|%s)(?:[\s-](one|two|three|four|five|six|seven|"
    r"eight|nine)\b(?!\s(?:hundred|thousand))|(?![\s-](?:one|two|three|four|five|"
    r"six|seven|eight|nine)\b)(?!\s(?:and\b)))\b(?!\s(?:hundred|thousand|o'clock|am|"
    r"pm|percent|minutes|days|weeks|months|payments|installments|of\b))"
    % ("|".join(_EN_UNITS), "|".join(_EN_TENS), "|".join(_EN_UNITS[12:]))
)
# "two grand", "five k", "dos lucas": a small number before a multiplier.
_SMALL_BEFORE_MULTIPLIER = re.compile(
    r"(?<!point )(?<!punto )(?<!ponto )(?<!ty )(?<!\by )(?<!\be )(?<!\band )\b(%s)\s"
    r"(?=(?:grand|k|lucas|palos|bucks|dollars|pesos|reais)\b)"
    % "|".join(w for w in SMALL_NUMBERS if w not in ("a", "an", "un", "um", "par"))
)


_ABOUT_A_NUMBER = re.compile(
    r"\b(?:unos|unas|uns|umas)\s(?=(?:dos|tres|cuatro|cinco|seis|siete|ocho|nueve|"
    r"diez|doce|quince|veinte|treinta|cien|dois|duas|quatro|sete|oito|nove|dez|"
    r"vinte|trinta|\d)\b)"
)
# text2num knows "veintidós" only with its accent, which transcripts drop.
_ACCENTED = {
    "veintidos": "veintidós",
    "veintitres": "veintitrés",
    "veintiseis": "veintiséis",
    "dieciseis": "dieciséis",
}
_UNACCENTED = re.compile(r"\b(?:%s)\b" % "|".join(_ACCENTED))


def _spoken_hundreds(match):
    value = (_EN_UNITS.index(match.group(1)) + 1) * 100
    second = match.group(2)
    if second in _EN_TENS:
        value += (_EN_TENS.index(second) + 2) * 10
    else:
        value += _EN_UNITS.index(second) + 1
    if match.group(3):
        value += _EN_UNITS.index(match.group(3)) + 1
    return str(value)


def digits_for_words(text, lang):
    """Write number words as digits: "dos mil" -> "2000", "tres pagos" -> "3 pagos".

    >>> digits_for_words("pago dos mil el viernes en tres cuotas", "es")
    'pago 2000 el viernes en 3 cuotas'
    >>> digits_for_words("em duas semanas", "pt")
    'em 2 semanas'
    """
    # Ordinals that name weekdays ("sexta", "quinta") must stay words, and
    # "10 mil" must not become "10 1000".
    text = _ORDINAL_WORDS.sub(r"zq\1zq", text)
    # "unas dos semanas": about two, not one and two; "veintidos" as said
    # without its accent
    text = _ABOUT_A_NUMBER.sub("", text)
    text = _UNACCENTED.sub(lambda match: _ACCENTED[match.group(0)], text)
    text = _SMALL_DAY.sub(
        lambda match: "%s %d " % (match.group(1), SMALL_NUMBERS[match.group(2)]), text
    )
    text = _DIGITS_MIL.sub(r"\1 kmil", text)
    if lang == "en" or _OTHER_NUMBER_WORDS["en"].search(text):
        text = _EN_SPOKEN_HUNDREDS.sub(_spoken_hundreds, text)
    text = _SMALL_BEFORE_MULTIPLIER.sub(
        lambda match: "%d " % SMALL_NUMBERS[match.group(1)], text
    )
    languages = [lang] + [
        other
        for other, words in _OTHER_NUMBER_WORDS.items()
        if other != lang and words.search(text)
    ]
    for language in languages:
        try:
            text = alpha2digit(text, language)
        except Exception:  # noqa: BLE001 - a library hiccup must not lose the message
            _logger.debug("text2num could not read %r", text, exc_info=True)
    text = _PROTECTED.sub(r"\1", text)
    text = _SPLIT_SMALL.sub(
        lambda match: match.group(1) + str(SMALL_NUMBERS[match.group(2)]), text
    )
    # "a couple of weeks" -> "2 of weeks" -> "2 weeks"
    text = _SMALL_BEFORE_UNIT.sub(_small_number, text)
    text = re.sub(r"\b(\d+) of (?=weeks|days|months|payments)", r"\1 ", text)
    # "un par de semanas", "um par de dias": two of them.
    return _PAIR_OF.sub("2 ", text)


def parse_amount(number):
    """Read "3.250", "2.850,50", "1,500.75", "12.5" as a Decimal.

    One kind of separator followed by exactly three digits groups thousands;
    otherwise it is the decimal mark. With both, the last one is decimal.
    """
    number = number.strip()
    dots, commas = number.count("."), number.count(",")
    if dots and commas:
        decimal_mark = "." if number.rfind(".") > number.rfind(",") else ","
        thousands = "," if decimal_mark == "." else "."
        number = number.replace(thousands, "").replace(decimal_mark, ".")
    elif dots or commas:
        mark = "." if dots else ","
        head, _, tail = number.rpartition(mark)
        if dots + commas > 1 or len(tail) == 3:
            number = number.replace(mark, "")
        else:
            number = head.replace(mark, "") + "." + tail
    try:
        return Decimal(number)
    except InvalidOperation:
        return None


_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CURRENCY_BEFORE = r"(?:us\$|r\$|usd|mxn|cop|clp|ars|brl|eur|s/|\$|€|£)"
_MULTIPLIERS = {
    "kmil": 1000,
    "mil": 1000,
    "k": 1000,
    "thousand": 1000,
    "grand": 1000,
    "lucas": 1000,
    "luca": 1000,
    "millones": 1000000,
    "millon": 1000000,
    "million": 1000000,
    "millions": 1000000,
    "milhoes": 1000000,
    "milhao": 1000000,
    "palos": 1000000,
    "palo": 1000000,
}
_CURRENCY_AFTER = (
    r"pesos?|dolares|dolar|dollars?|bucks|reais|real|euros?|soles|usd|mxn|"
    r"cop|clp|ars|brl|eur|lana|plata|varos|pila|conto"
)
AMOUNT = re.compile(
    r"(?P<cur>%s)?\s?(?<![\w.,/])(?P<num>%s)(?:(?=k\b|mil\b)|(?![\w/]|[.,]\d))"
    r"(?:\s?(?P<mult>%s)\b)?(?:\s?(?P<after>%s)\b)?"
    % (
        _CURRENCY_BEFORE,
        _NUMBER,
        "|".join(sorted(_MULTIPLIERS, key=len, reverse=True)),
        _CURRENCY_AFTER,
    )
)
# A lone "luca"/"una luca", "a grand" mean a thousand.
_LUCA = re.compile(r"\b(?:una|1)?\s?luca\b|\ba grand\b(?!\stotal)")

# Words before a number that make it a reference, not money.
_NOT_MONEY_BEFORE = re.compile(
    r"(?:(?:#|\b(?:nro\.?|no\.|numero|number|factura|cliente|contrato|contract|ref|"
    r"referencia|reference|folio|cedula|dni|cpf|cnpj|rg|rut|ssn|nit|curp|rfc|invoice|"
    r"account|accounts|order|pedido|protocolo|cuenta|conta|operacion|operation|"
    r"transaccion|transacao|transaction|comprobante|comprovante|confirmation|case|"
    r"caso|ticket|chamado|recibo|receipt|id))(?:\s(?:es|is|e|era|was|number|numero|nro|"
    r"no\.?|num|n|el|la|o|a|de|do|da|del|of)){0,3}\s?[:#]?|"
    r"(?:que\s)?termina(?:da|do)?\s(?:en|em|com|in)|ending(?: in)?|"
    r"ends (?:in|with)|(?:cartao|tarjeta|card)\s(?:con\s|com\s)?final|"
    # "la cuota 4 de 12", "parcela 3 de 12": a count of payments
    r"(?:cuota|parcela|prestacao|installment|payment)\s\d{1,2}\s(?:de|of|/))\s*$"
)
# "una cuenta de 1800", "essa conta de 1800": a bill of that sum.
_BILL_OF = re.compile(
    r"\b(?:una|la|esa|esta|essa|esta|uma|a)\s(?:cuenta|conta)\sde\s*$"
)
# A year after "in", "desde", "back in" ("moved out in 2024") is no money.
_YEAR = re.compile(r"(?:19[5-9]\d|20[0-4]\d)$")
_BEFORE_A_YEAR = re.compile(
    r"\b(?:in|en|em|since|desde|del|de|back in|year|ano|for|of|para|%s)\s*$"
    % "|".join(MONTHS)
)
# Phone numbers ("+56 9 8765 4321", "55 1234 5678", "07700 900123"), codes
# ("F001-2231", "A12") and long bare digit runs (a receipt's 88213457) are
# never money: blanked before amounts are looked for.
_NOT_MONEY_SPANS = re.compile(
    r"\+\d[\d\s-]{6,}\d|(?<![\w.,])\d{2,5}(?:[\s-]\d{3,5}){2,}(?![\w.,])"
    r"|\(\d{2,3}\)\s?\d{4,5}[\s-]?\d{4}\b|(?<![\w.,$])\d{3,}-\d{1,}(?:-\d+)*\b"
    r"|(?<![\w.,])0\d{3,4}\s\d{5,7}\b|\b[a-z]+\d*[-/]?\d+\b|(?<![\w.,])\d{8,}\b"
)
# Words before an hour or a day ("a las 5", "at 3", "los 15"): a number that
# could be one is no money there, a bigger one is ("te pago los 1.500").
_CLOCK_BEFORE = re.compile(r"\b(?:las|los|a las|at|as)\s*$")
_LARGEST_HOUR_OR_DAY = 31
# Words after a number that make it a count of something else.
_NOT_MONEY_AFTER = re.compile(
    r"^\s*(?:(?:more|extra|additional|mas|mais)\s)?(?:%|hijos?|anos|years?|horas?|hours?|hs\b|h\b|am\b|pm\b|personas|"
    r"people|kids|children|filhos|veces|times|minutos|minutes|mins?\b|"
    r"dias|days|semanas|weeks|meses|months|x\b|vezes)"
)


def find_amount(text):
    """First money amount in ``text`` (dates and counts already blanked).

    A number with a currency sign, a currency word or a multiplier is money;
    a bare number is money from 10 up, unless it names a reference or a
    count ("factura 1234", "2 hijos").

    >>> find_amount("pago 500 el ___"), find_amount("$1,500")
    (Decimal('500'), Decimal('1500'))
    >>> find_amount("R$ 1.200,00 na sexta"), find_amount("2 lucas")
    (Decimal('1200'), Decimal('2000'))
    >>> find_amount("tengo 2 hijos") is None
    True
    >>> find_amount("a las 5 te pago los 1.500"), find_amount("a las 18") is None
    (Decimal('1500'), True)
    """
    candidates = []
    text = _NOT_MONEY_SPANS.sub(lambda match: "_" * len(match.group(0)), text)
    for match in AMOUNT.finditer(text):
        value = parse_amount(match.group("num"))
        if value is None:
            continue
        multiplier = match.group("mult")
        if multiplier:
            value *= _MULTIPLIERS[multiplier]
        marked = bool(match.group("cur") or match.group("after") or multiplier)
        if not marked:
            before = text[: match.start("num")]
            after = text[match.end("num") :]
            if (
                _NOT_MONEY_BEFORE.search(before) and not _BILL_OF.search(before)
            ) or _NOT_MONEY_AFTER.match(after):
                continue
            if _YEAR.match(match.group("num")) and _BEFORE_A_YEAR.search(before):
                continue
            if _CLOCK_BEFORE.search(before) and value <= _LARGEST_HOUR_OR_DAY:
                continue
            if value < 10:
                continue
        candidates.append((not marked, match.start(), value))
    if not candidates:
        if _LUCA.search(text):
            return Decimal(1000)
        return None
    candidates.sort(key=lambda item: (item[0], item[1]))
    value = candidates[0][2]
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


# Words after a number that make it something other than installments.
_NOT_COUNTS = (
    r"dias|days|semanas|weeks|meses|months|mes|anos|years|horas|hours|pesos|"
    r"reais|dolares|dollars|bucks|euros|mil|kmil|k\b|lucas|enero|febrero|marzo|"
    r"abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
    r"janeiro|fevereiro|marco|maio|junho|julho|setembro|outubro|novembro|dezembro"
)
_INSTALLMENT_NOUNS = (
    r"cuotas|cuotitas|pagos|partes|abonos|mensualidades|parcelas|prestacoes|vezes|"
    r"installments|instalments|payments|monthly payments|parts|pagamentos|"
    r"meses sin intereses"
)
_INSTALLMENT_ADJECTIVES = (
    r"(?:(?:monthly|weekly|equal|fixed|mensuales|semanales|quincenales|iguales|"
    r"fijas|mensais|iguais|fixas)\s)?"
)
INSTALLMENTS = re.compile(
    r"\b(?P<n>\d{1,2})\s?%s(?:%s)\b|\b(?P<x>\d{1,2})\s?x\b(?!\d)"
    r"|\b(?:divid\w*|split|parcel(?!as?\b)\w*|fraccion\w*|partir\w*|break)\s"
    r"(?:it\s|lo\s|la\s|o\s|a\s|(?:the|los|las|el|os|as|o|a)\s\$?\d+\s)?"
    r"(?:en|em|in|into|a)?\s?(?P<split>\d{1,2})\b(?!\s?(?:de\s|of\s)?(?:%s))"
    % (_INSTALLMENT_ADJECTIVES, _INSTALLMENT_NOUNS, _NOT_COUNTS)
)
# "en 12 meses", "over 12 months", "maybe 10 months": a count of months to pay in.
PERIOD_BEFORE = (
    r"\b(?:en|em|in|into|a|over|across|maybe|like|about|unos|uns|tipo|capaz|quizas|"
    r"do|for)\s"
)
# "in two weeks" is a day ahead, "over 8 weeks" a count.
_WEEKS_BEFORE = r"\b(?:over|across|maybe|like|about|unos|uns|tipo|capaz|quizas)\s"
PERIOD = re.compile(
    r"%s\d{1,2}\s(?:meses|months|quincenas)\b|%s\d{1,2}\s(?:semanas|weeks)\b"
    % (PERIOD_BEFORE, _WEEKS_BEFORE)
)
# "en 3" alone, "a 12 meses", "over 6 months", "5 de 200": installments only
# when the message is about them already.
PLAIN_COUNT = re.compile(
    r"\b(?:en|em|in|into|a)\s(?P<plain>\d{1,2})\b(?!\s?(?:%s|[.,]\d|\d|%%|de\s|of\s))"
    r"|%s(?P<period>\d{1,2})\s(?:meses|months|quincenas)\b"
    r"|%s(?P<weeks>\d{1,2})\s(?:semanas|weeks)\b"
    r"|\b(?P<maybe>\d{1,2})\s(?:capaz|quizas|quiza|maybe|talvez|tal vez)\b"
    # "in installments, like 5 of them", "en cuotas, unas 4 de ellas"
    r"|\b(?P<them>\d{1,2})\s(?:of them|de ellas|de elas)\b"
    r"|(?<!cuota )(?<!parcela )(?<!installment )\b(?P<each>\d{1,2})\s(?:de|of)\s"
    r"(?:\$\s?)?\d{2,}" % (_NOT_COUNTS, PERIOD_BEFORE, _WEEKS_BEFORE)
)
# "half now and half on the 1st", "la mitad ahora y la otra mitad", "metade agora".
HALVES = re.compile(r"\b(?:half|mitad|metade)\b.*\b(?:half|mitad|metade|rest|resto)\b")
# "£200 on Friday and the other £200 at the end of the month", "150 now and
# 150 on the 1st": two payments.
_THE_OTHER_SUM = re.compile(
    r"\b(?:the other|el otro|la otra|o outro|a outra)\s(?=(?:[$£€]|r\$)?\s?\d)"
    r"|(?<=\d\s)(?:now|ahora|agora|hoy|today|hoje)\s(?:and|y|e)\s"
    r"(?=(?:[$£€]|r\$)?\s?\d)"
    r"|\b(?:and|y|e)\s(?:the rest|el resto|o resto|lo demas|o restante)\s"
    r"(?=(?:on|el|en|no|dia|at|by|a|para|pro)\s|_)"
)
# The first payment made now: "half now", "la mitad ahora", "500 agora".
FIRST_NOW = re.compile(
    r"\b(?:half|mitad|metade|una|uma|one|parte|part|some|algo|[\d][\d.,]*)\s"
    r"(?:now|ahora|agora|hoy|today|hoje)\b"
)
# "split it in two", "dividir em duas": the count after a verb of splitting.
_SPLIT_SMALL = re.compile(
    r"\b((?:divid|split|parcel(?!amento|as?\b)|fraccion|partir|break)\w*\s"
    r"(?:(?:it|lo|la|o|a|(?:the|los|las|el|os|as|o|a)\s\$?\d+)\s)?"
    r"(?:(?:en|em|in|into)\s)?)(%s)\b(?!\s(?:partir|part|parte|la|el|o|os|as|the))"
    % "|".join(w for w in SMALL_NUMBERS if w not in ("a", "an", "par", "couple"))
)

# The sources, for the typo corrector's list of keywords.
PATTERN_SOURCES = [
    _SMALL_BEFORE_UNIT.pattern,
    AMOUNT.pattern,
    INSTALLMENTS.pattern,
    PLAIN_COUNT.pattern,
    HALVES.pattern,
    _NOT_MONEY_BEFORE.pattern,
    _CLOCK_BEFORE.pattern,
]


def find_installments(text, installment_context=False):
    """Number of installments asked for, and the span it took (or None).

    "en 3" counts only when the message is about installments already.

    >>> find_installments("quiero pagar en 3 cuotas")[0]
    3
    >>> find_installments("parcelar em 6x")[0], find_installments("in 4 payments")[0]
    (6, 4)
    """
    patterns = (INSTALLMENTS, PLAIN_COUNT) if installment_context else (INSTALLMENTS,)
    for pattern in patterns:
        for match in pattern.finditer(text):
            count = int(next(group for group in match.groups() if group))
            if 1 <= count <= 72:
                # "5 de 200": the 200 is still the amount
                # "5 de 200", "split the 900 into 4": the sum is still the amount
                named = match.groupdict()
                group = next((g for g in ("each", "split") if named.get(g)), 0)
                return count, match.span(group)
    halves = HALVES.search(text)
    if halves:
        return 2, halves.span()
    other = _THE_OTHER_SUM.search(text)
    if other and re.search(r"\d", text[: other.start()]):
        return 2, other.span()
    return None, None
