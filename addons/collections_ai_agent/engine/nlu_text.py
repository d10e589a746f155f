"""Normalise a chat message so that one set of rules reads every spelling.

Customers write "mñn", "xq", "vc", "siiii", "Mañana" or "MAÑANA": the rules
of the other modules only see lower case words without accents, with the
usual abbreviations spelled out and letters repeated for emphasis squeezed.

>>> normalise("Síii, mñn te pago xq hoy no puedo 👍")
'si , manana te pago porque hoy no puedo ok'
>>> normalise("vc pode me mandar o boleto pls?")
'voce pode me mandar o boleto please ?'
"""

import re
import unicodedata

# Spelled-out forms of chat abbreviations (whole words only).
ABBREVIATIONS = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "xk": "porque",
    "vc": "voce",
    "vcs": "voces",
    "tb": "tambien",
    "tmb": "tambien",
    "tbm": "tambem",
    "mnn": "manana",
    "mna": "manana",
    "mñn": "manana",
    "mañ": "manana",
    "pls": "please",
    "plz": "please",
    "pliz": "please",
    "u": "you",
    "ur": "your",
    "r": "are",
    "im": "i'm",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmw": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tomorow": "tomorrow",
    "hj": "hoje",
    "hrs": "horas",
    "d": "de",
    "x": "por",
    "xfa": "por favor",
    "porfa": "por favor",
    "porfis": "por favor",
    "pf": "por favor",
    "pfv": "por favor",
    "pfvr": "por favor",
    "obg": "obrigado",
    "vlw": "valeu",
    "blz": "beleza",
    "msj": "mensaje",
    "msg": "mensagem",
    "sq": "es que",
    "dps": "depois",
    "qdo": "quando",
    "qnd": "quando",
    "qto": "cuanto",
    "cto": "cuanto",
    "cuanto": "cuanto",
    "tqm": "",
    "ntp": "no te preocupes",
    "ok": "ok",
    "okey": "ok",
    "oki": "ok",
    "okis": "ok",
    "okay": "ok",
    "okk": "ok",
    "k.": "ok",
    "thx": "thanks",
    "ty": "thanks",
    "idk": "i don't know",
    "asap": "right now",
    "nd": "nada",
    "ta": "ta",
    "tá": "ta",
    "n": "nao",
    "ñ": "no",
    "naum": "nao",
    "nn": "nao",
    "s": "si",
    "yup": "yes",
    "yep": "yes",
    "ya'll": "you",
    "wanna": "want to",
    "gonna": "going to",
    "cant": "can't",
    "dont": "don't",
    "wont": "won't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "ill": "i'll",
    "ive": "i've",
    "hasta": "hasta",
}

# Emojis that carry an answer or a mood.
EMOJI_WORDS = {
    "👍": " ok ",
    "👌": " ok ",
    "✅": " ok ",
    "👎": " no ",
    "❌": " no ",
    "😡": " emoji_angry ",
    "🤬": " emoji_angry ",
    "😠": " emoji_angry ",
    "🖕": " emoji_angry ",
}

_REPEATS = re.compile(r"([a-z])\1{2,}")
# Punctuation becomes a word of its own, except a comma inside a number.
_PUNCT = re.compile(r"([?!¿¡;()\"]|,(?!\d))")
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"\S+")


def strip_accents(text):
    """Remove diacritics: "mañana" -> "manana", "não" -> "nao"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise(text):
    """Lower case, no accents, abbreviations expanded, spaces squeezed."""
    text = (text or "").lower()
    for emoji, word in EMOJI_WORDS.items():
        if emoji in text:
            text = text.replace(emoji, word)
    text = text.replace("mñn", "manana").replace("mñna", "manana")
    text = strip_accents(text)
    text = text.replace("’", "'").replace("´", "'").replace("`", "'")
    text = _PUNCT.sub(r" \1 ", text)
    # Laughter: "kkkk" is Brazilian, and must not read as "k" (que).
    text = re.sub(r"\bk{3,}\b", "risos", text)
    # Letters typed many times for emphasis ("siiii", "noooo") count once.
    text = _REPEATS.sub(r"\1", text)
    words = []
    for token in _TOKEN.findall(text):
        bare = token.rstrip(".:")
        expanded = ABBREVIATIONS.get(bare)
        if expanded is None:
            words.append(token)
        elif expanded:
            words.append(expanded + token[len(bare) :])
    text = " ".join(words)
    # Anything left that is not a letter, digit or useful sign is noise.
    text = re.sub(r"[^a-z0-9$%/.,:'?!+\-\s]", " ", text)
    return _SPACES.sub(" ", text).strip()
