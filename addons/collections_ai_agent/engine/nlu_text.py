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
    "qnto": "quanto",
    "qnt": "quanto",
    "cnto": "cuanto",
    "cunto": "cuanto",
    "hw": "how",
    "mch": "much",
    "wat": "what",
    "wht": "what",
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
    "payed": "paid",
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
# A word that says a number, after which "k" means thousands.
_SAYS_A_NUMBER = re.compile(
    r"\d$|^(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|dos|tres|cuatro|cinco|seis|siete|"
    r"ocho|nueve|diez|veinte|treinta|cuarenta|cincuenta|dois|duas|quatro|sete|oito|"
    r"nove|dez|vinte|trinta|quarenta|cinquenta)$"
)
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
        if bare == "k" and words and _SAYS_A_NUMBER.search(words[-1]):
            expanded = None  # "1.5 k", "five k": thousands, not "que"
        if expanded is None:
            words.append(token)
        elif expanded:
            words.append(expanded + token[len(bare) :])
    text = " ".join(words)
    # Anything left that is not a letter, digit or useful sign is noise.
    text = re.sub(r"[^a-z0-9$%/.,:'?!+\-\s]", " ", text)
    return _SPACES.sub(" ", text).strip()


# --- Typos -----------------------------------------------------------------
#
# "cuoats", "extention", "alredy", "represntative", "kiero": a word the rules
# do not know is replaced by the one keyword of the rules it is a typo of.
# A word is a typo of a keyword when it sounds the same ("kiero"/"quiero",
# "cuotaz"/"cuotas", "equibocado"/"equivocado"), or, from six letters, when it
# is one slip of the fingers away: a letter added, dropped, swapped with the
# next one, or replaced by a neighbour on the keyboard. Known words are never
# touched, nor is a word under five letters, nor a first letter, nor an ending
# that makes another form of a word ("escribo" is no typo of "escriba"); an
# ambiguous typo is left alone.

_ESCAPES = re.compile(r"\\[sbwdSWDB]")
# A literal word of a pattern: letters not glued to a character class or a
# group ("desemplead[oa]" is a stem, not a word); a trailing "s?" gives both.
_LITERAL = re.compile(r"(?<![a-z\])])([a-z]{4,}?)(s\?)?(?![a-z\[(?*+{])")
_PHONETIC = [
    (re.compile(r"qu"), "k"),
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"g(?=[ei])"), "j"),
    (re.compile(r"[sc]h"), "x"),
    (re.compile(r"c"), "k"),
    (re.compile(r"z"), "s"),
    (re.compile(r"v"), "b"),
    (re.compile(r"ll"), "y"),
    (re.compile(r"^h"), ""),
    (re.compile(r"([a-z])\1+"), r"\1"),
]
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# Letters a finger slips between: keyboard neighbours, and letters that
# sound alike in Spanish or Portuguese.
_SLIPS = {(a, b) for a, b in ("bv", "sz", "sc", "ck", "iy", "gj", "ts")}


def _keyboard_slips():
    slips = set()
    for row, letters in enumerate(_KEYBOARD_ROWS):
        for index, letter in enumerate(letters):
            near = [letters[index - 1 : index], letters[index + 1 : index + 2]]
            if row:
                above = _KEYBOARD_ROWS[row - 1]
                near.append(above[index : index + 2])
            if row < 2:
                below = _KEYBOARD_ROWS[row + 1]
                near.append(below[max(0, index - 1) : index + 1])
            slips.update((letter, other) for other in "".join(near))
    return slips


_SLIPS |= _keyboard_slips()
_SLIPS |= {(b, a) for a, b in _SLIPS}


def phonetic_key(word):
    """Spelling-independent key: "kuotas"/"cuotaz" -> "kuotas", "hise" -> "ise".

    >>> phonetic_key("quiero") == phonetic_key("kiero")
    True
    >>> phonetic_key("prorroga") == phonetic_key("prorrogha")
    False
    >>> phonetic_key("equibocado") == phonetic_key("equivocado")
    True
    """
    for pattern, replacement in _PHONETIC:
        word = pattern.sub(replacement, word)
    return word


# A stem with its endings: "parcel(?:as|a|ar)", "desemplead[oa]s?".
_STEM_GROUP = re.compile(
    r"(?<![a-z\])])([a-z]{3,})\(\?:([a-z|]+)\)(\?)?(?![a-z\[(*+{])"
)
_STEM_CLASS = re.compile(r"(?<![a-z\])])([a-z]{3,})\[([a-z]+)\](s\?)?(?![a-z\[(?*+{])")


def words_of_patterns(patterns):
    """Literal words (4+ letters) of regular expression sources.

    >>> sorted(words_of_patterns([r"\\b(?:cuotas?|parcel(?:as|ar)|cobrad[oa])\\b"]))
    ['cobrada', 'cobrado', 'cuota', 'cuotas', 'parcelar', 'parcelas']
    """
    words = set()
    for source in patterns:
        source = _ESCAPES.sub(" ", source)
        for match in _LITERAL.finditer(source):
            words.add(match.group(1))
            if match.group(2):
                words.add(match.group(1) + "s")
        for match in _STEM_GROUP.finditer(source):
            stem = match.group(1)
            words.update(stem + ending for ending in match.group(2).split("|"))
            if match.group(3):
                words.add(stem)
        for match in _STEM_CLASS.finditer(source):
            stem = match.group(1)
            for letter in match.group(2):
                words.add(stem + letter)
                if match.group(3):
                    words.add(stem + letter + "s")
    return {word for word in words if len(word) >= 4}


def _deletions(word):
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_slip(typed, word):
    """Whether ``typed`` is ``word`` with one slip of the fingers.

    >>> one_slip("cuoats", "cuotas"), one_slip("alredy", "already")
    (True, True)
    >>> one_slip("numbwr", "number"), one_slip("cuadro", "cuatro")
    (True, False)
    """
    if abs(len(typed) - len(word)) > 1 or typed == word:
        return False
    if len(typed) != len(word):
        longer, shorter = (typed, word) if len(typed) > len(word) else (word, typed)
        return shorter in _deletions(longer)
    diffs = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
    if len(diffs) == 1:
        return (typed[diffs[0]], word[diffs[0]]) in _SLIPS
    first, second = diffs[0], diffs[-1]
    return (
        len(diffs) == 2
        and second == first + 1
        and typed[first] == word[second]
        and typed[second] == word[first]
    )


# Letters of the endings and enclitic pronouns of Spanish and Portuguese,
# and of English endings ("-ed", "-ly").
_INFLECTION = set("aeiouslmnrtdy")


def _other_form(token, word):
    """Whether ``token`` reads as another word rather than a typo of ``word``.

    Typos rarely hit the first letter ("hagamos" is no "pagamos"), and two
    words that differ only in their last letters, when these are letters of
    endings or pronouns, are two forms of one word ("escribo"/"escriba",
    "buscan"/"busquen", "transferirte"/"transferire"), not a typo.
    """
    if token[0] != word[0]:
        return True
    if sorted(token) == sorted(word):
        return False  # two letters swapped: "cuotsa"
    common = 0
    for a, b in zip(token, word):  # noqa: B905 - the shorter one ends it
        if a != b:
            break
        common += 1
    endings = token[common:] + word[common:]
    return common >= max(len(token), len(word)) - 2 and set(endings) <= _INFLECTION


# Endings of the Spanish and Portuguese forms of a verb ("pagar" -> "pagado",
# "pagando", "paguen"...): real words, which the typo corrector keeps.
_VERB_ENDINGS = {
    "ar": "a as an amos o e es en emos ado ada ados adas ando aba aban ei ou "
    "aram amos aste aron ara aran aria arian ava avam ando ado",
    "er": "e es en emos o a as an ido ida idos idas iendo ia ian i eu eram "
    "imos iste ieron era eran eria erian endo",
    "ir": "e es en imos o a as an ido ida idos idas iendo ia ian i iu iram "
    "iste ieron ira iran iria irian indo",
}


def with_pronouns(words):
    """Infinitives among ``words`` with an enclitic pronoun ("mandarme").

    >>> sorted(with_pronouns({"llamar", "cuotas"}))[:3]
    ['llamarla', 'llamarlas', 'llamarle']
    """
    return {
        word + pronoun
        for word in words
        if len(word) >= 6 and word[-2:] in _VERB_ENDINGS
        for pronoun in ("me", "te", "le", "lo", "la", "nos", "les", "los", "las", "se")
    }


def verb_forms(words):
    """Common conjugated forms of the infinitives among ``words``.

    >>> sorted(verb_forms({"pagar"}))[:4]
    ['paga', 'pagaba', 'pagaban', 'pagada']
    """
    forms = set()
    for word in words:
        ending = word[-2:]
        if len(word) >= 5 and ending in _VERB_ENDINGS:
            stem = word[:-2]
            forms.update(stem + suffix for suffix in _VERB_ENDINGS[ending].split())
    return forms


class Speller:
    """Corrects typos of the ``keywords`` in a normalised text.

    ``known`` words (real words of the three languages) are never corrected.

    >>> speller = Speller({"cuotas", "extension", "already"}, {"cuando"})
    >>> speller.correct("puedo pagar en cuoats ? i alredy asked for an extention")
    'puedo pagar en cuotas ? i already asked for an extension'
    """

    def __init__(self, keywords, known=()):
        self.known = set(known) | set(keywords)
        self.sounds = {}
        self.deleted = {}
        for word in keywords:
            if len(word) < 4:
                continue
            self.sounds.setdefault(phonetic_key(word), set()).add(word)
            if len(word) >= 6:
                for shorter in _deletions(word) | {word}:
                    self.deleted.setdefault(shorter, set()).add(word)
        self.cache = {}

    def word(self, token):
        """The keyword ``token`` is a typo of, or ``token`` itself."""
        if len(token) < 4 or token in self.known or not token.isalpha():
            return token
        found = self.cache.get(token)
        if found is None:
            found = self._lookup(token)
            if len(self.cache) < 20000:
                self.cache[token] = found
        return found

    def _lookup(self, token):
        candidates = set()
        if len(token) >= 5:
            candidates = set(self.sounds.get(phonetic_key(token), ()))
        if not candidates and len(token) == 5 and token[-1] not in "aeiosn":
            # "bolet", "numbr": a letter short of a keyword of six.
            candidates = {
                word for word in self.deleted.get(token, ()) if len(word) == 6
            }
        if not candidates and len(token) >= 6:
            near = set(self.deleted.get(token, ()))
            for shorter in _deletions(token):
                near |= self.deleted.get(shorter, set())
            candidates = {
                word
                for word in near
                if one_slip(token, word) and not _other_form(token, word)
            }
        if len(candidates) == 1:
            return candidates.pop()
        # Plural and singular of one word ("cuota"/"cuotas") are one choice.
        stems = {word.rstrip("s") for word in candidates}
        if len(stems) == 1 and candidates:
            return min(candidates, key=lambda word: abs(len(word) - len(token)))
        return token

    def correct(self, text):
        """``text`` with each unknown word replaced by the keyword it misspells."""
        return " ".join(self.word(token) for token in text.split(" "))
