"""Opt-out words: a customer who answers STOP, BAJA or SAIR wants no more.

A message counts as an opt-out when, once accents, case, punctuation and
emojis are gone and a polite word or two ("por favor", "please", "pls") is
set aside, what is left is one of the keywords of Spanish, Portuguese or
English. Only the whole message counts: "quiero cancelar la deuda" is a
customer who wants to pay, not to leave.

>>> is_opt_out("STOP")
True
>>> is_opt_out("Baja por favor!!")
True
>>> is_opt_out("sair")
True
>>> is_opt_out("No me escriban más")
True
>>> is_opt_out("No me escriban más, por favor")
True
>>> is_opt_out("Não me mandem mais mensagens, obrigado")
True
>>> is_opt_out("quiero cancelar la deuda")
False
>>> keyword_language("Descadastrar")
'pt'
"""

import re
import unicodedata

KEYWORDS = {
    "en": (
        "stop",
        "stopall",
        "stop all",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "opt out",
        "optout",
        "revoke",
        "remove me",
        "stop messaging me",
        "stop texting me",
        "do not contact me",
        "dont contact me",
        "no more messages",
    ),
    "es": (
        "baja",
        "dar de baja",
        "darme de baja",
        "de baja",
        "alto",
        "parar",
        "para",
        "cancelar suscripcion",
        "desuscribir",
        "desuscribirme",
        "no mas mensajes",
        "no mas",
        "no me escriban mas",
        "no me escriban",
        "no me contacten",
        "no me contacten mas",
        "no quiero mas mensajes",
        "no quiero recibir mensajes",
        "no quiero recibir mas mensajes",
        "eliminar",
    ),
    "pt": (
        "sair",
        "parar",
        "pare",
        "cancelar inscricao",
        "descadastrar",
        "descadastre",
        "descadastrar me",
        "nao quero mais mensagens",
        "nao quero receber mensagens",
        "nao me mandem mais mensagens",
        "remover",
    ),
}
#: Politeness around the keyword that does not change its meaning.
FILLERS = frozenset(
    {"por", "favor", "porfa", "pf", "pfv", "please", "pls", "plz", "thanks", "gracias"}
    | {"obrigado", "obrigada", "ya", "ja", "now", "ahora", "agora", "me"}
)


def _without_fillers(words: str) -> str:
    """``words`` (normalized) without the polite ones.

    >>> _without_fillers("remove me please")
    'remove'
    """
    return " ".join(word for word in words.split() if word not in FILLERS)


# each keyword as written and without its polite words, since a message
# is compared without them ("no me contacten por favor")
_KEYWORD_LANGUAGE = {}
for _lang, _words in KEYWORDS.items():
    for _word in _words:
        for _form in (_word, _without_fillers(_word)):
            _KEYWORD_LANGUAGE.setdefault(_form, _lang)


def normalize(text: str) -> str:
    """Lower case, no accents, words separated by single spaces.

    >>> normalize("  ¡NO me escriban MÁS! 🙏 ")
    'no me escriban mas'
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[a-z0-9]+", plain.lower()))


def keyword_language(text: str) -> str | None:
    """The language of the opt-out keyword the message is, or None."""
    words = normalize(text)
    if words in _KEYWORD_LANGUAGE:
        return _KEYWORD_LANGUAGE[words]
    return _KEYWORD_LANGUAGE.get(_without_fillers(words))


def is_opt_out(text: str) -> bool:
    """Whether the whole message asks to stop receiving messages."""
    return keyword_language(text) is not None
