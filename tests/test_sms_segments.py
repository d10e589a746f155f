"""How many SMS a text takes: GSM-7 (160 alone, 153 per part), UCS-2 as soon
as one character is outside the GSM alphabet (70 alone, 67 per part), the
two-place characters of either never cut between two parts."""

import pytest
from collections_automation_engine import sms


@pytest.mark.parametrize(
    ("length", "segments"),
    [
        (0, 0),
        (1, 1),
        (160, 1),
        (161, 2),
        (306, 2),
        (307, 3),
        (459, 3),
        (460, 4),
    ],
)
def test_gsm7_segments(length, segments):
    size = sms.measure("a" * length)
    assert (size.encoding, size.units, size.segments) == ("gsm7", length, segments)
    assert size.non_gsm == ()


@pytest.mark.parametrize(
    ("length", "segments"),
    [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_ucs2_segments(length, segments):
    size = sms.measure("á" + "a" * (length - 1))
    assert (size.encoding, size.units, size.segments) == ("ucs2", length, segments)
    assert size.non_gsm == ("á",)


def test_characters_per_sms_follow_the_size():
    assert sms.measure("a" * 160).per_segment == 160
    assert sms.measure("a" * 161).per_segment == 153
    assert sms.measure("ó" * 70).per_segment == 70
    assert sms.measure("ó" * 71).per_segment == 67
    assert sms.measure("").per_segment == 160


def test_the_gsm_alphabet_keeps_its_accents_and_symbols():
    # Spanish ñ, é and ¿ are GSM; á, í, ó, ú are not
    assert sms.measure("¿Señor Pérez? Ça va, Müller: 100 £ / 5 $ @ ¥ §").encoding == (
        "gsm7"
    )
    assert sms.measure("Está vencido").non_gsm == ("á",)
    assert sms.measure("línea, opción, última").non_gsm == ("í", "ó", "ú")


def test_extended_characters_take_two_places():
    assert sms.measure("€").units == 2
    assert sms.measure("{}[]~^|\\").units == 16
    assert sms.measure("€" * 80).segments == 1
    assert sms.measure("€" * 80 + "a").segments == 2


def test_a_two_place_character_is_not_cut_between_two_parts():
    # 306 places: 2 x 153 would do, but the € would fall across the cut
    assert sms.measure("a" * 153 + "a" * 153).segments == 2
    assert sms.measure("a" * 152 + "€" + "a" * 152).segments == 3


def test_an_emoji_takes_two_places_and_is_not_cut():
    assert sms.measure("👋").units == 2
    assert sms.measure("👋" * 35).segments == 1
    assert sms.measure("👋" * 36).segments == 2
    # 66 places, then an emoji that does not fit in the one place left
    assert sms.measure("a" * 66 + "👋" + "a" * 66).segments == 3


def test_curly_quotes_and_line_breaks():
    assert sms.measure("line\nline\r").encoding == "gsm7"
    assert sms.measure("it’s due").non_gsm == ("’",)


def test_a_text_beyond_the_limit_is_too_long():
    assert sms.MAX_SEGMENTS == 3
    assert not sms.measure("a" * 459).too_long()
    assert sms.measure("a" * 460).too_long()
    assert sms.measure("a" * 161).too_long(limit=1)


def test_lookalikes_get_their_gsm_twins_and_letters_stay():
    # Odoo writes amounts with a no-break space: left in, the SMS is Unicode
    assert sms.measure("Debe 1.180,00\xa0€").encoding == "ucs2"
    assert sms.replace_lookalikes("Debe 1.180,00\xa0€") == "Debe 1.180,00 €"
    assert sms.replace_lookalikes("-\ufeff5,00\u202f€") == "-5,00 €"
    assert (
        sms.replace_lookalikes("\u201cit\u2019s due\u201d \u2013 now\u2026")
        == '"it\'s due" - now...'
    )
    assert sms.replace_lookalikes("Está vencido, señora") == "Está vencido, señora"
    assert sms.replace_lookalikes(None) == ""
    assert all(sms.measure(twin).encoding == "gsm7" for twin in sms.LOOKALIKES.values())
