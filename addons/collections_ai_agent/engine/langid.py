"""Language of a short customer message: Spanish, English or Portuguese.

Statistical detectors (langdetect, lingua) are unreliable on the two- or
three-word messages of a chat ("ok", "si", "ya pague") and slow to load, so
this scores the words typical of each language instead. Input is the
normalised text of ``nlu_text.normalise`` (lower case, no accents).

>>> detect("ya pague el viernes")
'es'
>>> detect("ja paguei ontem")
'pt'
>>> detect("i already paid")
'en'
>>> detect("ok", hint="pt_BR")
'pt'
"""

import re

LANGS = ("es", "en", "pt")

# Words that (almost) only one of the three languages uses; weight 2.
_STRONG = {
    "es": """
        que porque pague pagar pagare pago pagamos puedo quiero tengo estoy
        soy hoy manana pasado cuanto cuanta debo deuda cuotas cuota plata lana
        guita pasta luca lucas hola gracias senor senora usted ustedes
        dale vale claro bueno listo sale orale perfecto acuerdo ya yo mi mis
        hasta el los las del al lunes martes miercoles jueves viernes sabado
        semana mes fin quincena asesor persona hablar llamen llamar escriban
        molesten baja dejen trabajo sin dinero ahora ahorita despues luego
        tambien nada nunca numero equivocado mio mia eso esto esta este
        abonos mensualidades pesos plazo prorroga mas tiempo favor porfa
        ayer hice transferencia deposito comprobante enlace link mandame
        pasame manda envia enviame necesito podria puede pueden cobrar
        cobro reconozco jamas nadie alguien humano agente ejecutivo
        pendejos boludos huevones weones cabrones chinga verga mierda harto
        dias semanas meses proxima proximo siguiente cuando donde como
        pa pues nel simon chamba laburo curro pega dolares sueldo mitad
        tarjeta cuenta transferir depositar mandar enero febrero marzo
        mayo junio julio septiembre setiembre octubre noviembre diciembre
        abril agosto tres cuatro cinco seis ocho diez doce dos uno una
        primero hijo hijos enfermo desempleado despidieron quede perdi
        ningun ninguna hijos cancele deposite transferi realice
        cobren llamame atiende disculpa disculpe oiga oye mande te le les lo
        muy paguen cae plan pagos empresa escriben interesa quien jefe alto
        mensajes escribir llamen contacten comuniqueme comunica operador
        cuanta cuanto dice monto intereses abusivos firme saque credito
        equivocaron equivocado titular vive ningun buenas buenos jajaja jaja
        chance dame denme esperen aplazar posponer prorroga mandan manden
        tio chaval vale venga guay curro pasta hostia joder entendido negocio
        sueldo servicio llego llegaron recibi producto paquete mercaderia
        mercancia devolvi roto fallado danado
        doscientos trescientos cuatrocientos quinientos seiscientos setecientos
        ochocientos novecientos tienen
    """.split(),
    "en": """
        i you the and is are am will would can could pay paid payment
        already owe how much what when where why please pls thanks thank
        yes yeah yep yup nope sure okay tomorrow today week month friday
        monday tuesday wednesday thursday saturday sunday next end of my me
        it this that not don't dont can't cant won't wont it's im i'm
        i'll ill want need talk speak someone person agent human
        representative stop texting calling harassing leave alone wrong
        number who this debt owe balance installments payments plan split
        lost job unemployed sick hospital broke money afford extension
        time more give until by on the at send link now right away
        thousand hundred bucks dollars help do does did have has get got
        your you're youre u ur r bill days weeks months two three four
        five six twelve january february march april june july august
        september october november december first second off scam fraud
        never signed call back later maybe agree fine good great sounds
        correct right alright nah way interested unsubscribe remove
        idiots idiot fuck fucking shit damn enough hell yesterday with
        hi hello hey lol transfer customer service opt out who whats what's
        guys instead any chance push back due date absolutely wrong guy
        heard him her anymore receipt records sure nope nah
        here there there's these those was were been an any some about from
        into just only also really because if then than them they their our
        we us she his could should would won't isn't aren't wasn't
        haven't didn't doesn't i've i'd we'll we're they're that's there's
        who's let's nobody anyone someone anything nothing something
        received arrived order package item never returned damaged broken
    """.split(),
    "pt": """
        voce vc voces nao sim eu ja paguei pago pagar vou posso quero
        consigo tenho estou sou hoje amanha depois quanto devo divida
        parcelas parcela parcelar parcelado prestacoes vezes boleto pix
        chave oi ola obrigado obrigada obg beleza blz fechado combinado
        certo isso tá ta to pra pro falar atendente pessoa gente ligar
        liguem mandem parem sair receber mensagem mensagens desempregado
        demitido emprego trabalho grana dinheiro agora depois tambem tb
        nada nunca numero errado minha meu essa esse isso sexta segunda
        terca quarta quinta feira sabado semana mes fim dia proxima
        proximo que vem ate mais prazo tempo favor comprovante transferi
        fiz efetuei quitar quitei reais real onde como manda mande me
        manda link codigo barras doente hospital ontem cobranca indevida
        reconheco fiz contratei nao sei porra caralho merda saco chato
        chatos enchendo encher droga vcs voces dois duas tres quatro
        cinco seis dez doze janeiro fevereiro marco abril maio junho
        julho agosto setembro outubro novembro dezembro primeiro bom dia
        tarde noite ne né aí entao então tô pagamento mes quinzena uma um
        tudo obrigadu mano cara pode pagarei vai fica ficou valor em duas
        dois daqui vezes semanas kkkk kkk kk rs risos fala quem chama tira
        descadastrar jeito nem nenhum nenhuma alguem verdade ai tem vcs
        erraram mora pessoa ligacao ligar liga gerente conheco engano
        cobrado cobrada golpe indevida loja boa tarde noite valeu fechou
        demorou firmeza beleza entendi servico salario disso nisso desse dessa
        chegou chegaram veio vieram recebi recebemos encomenda produto mercadoria
        cancelei devolvi cobraram danificado danificada estragado
        duzentos trezentos quatrocentos quinhentos seiscentos setecentos
        oitocentos novecentos cartao aceita aceitam
    """.split(),
}

# Words shared by two languages: they only add a point to each.
_SHARED = {
    "es": "no si de la en por para con un a o dia mes semana como".split(),
    "pt": "no de a o por para com um dia como e".split(),
    "en": "no ok a on in to for".split(),
}

_WORD = re.compile(r"[a-z']+")
_CONTRACTION = re.compile(r"[a-z](?:'s|n't|'re|'ll|'ve|'m|'d)$")
_ES_CHARS = re.compile("[ñ¿¡]")
_PT_CHARS = re.compile("[ãõçêô]|ão|r\\$")


def _weights():
    """Build once the word -> {lang: weight} table from the lists above.

    A word listed as strong in two languages is shared between them, so a
    word like "pago" (es and pt) never decides alone.
    """
    table = {}
    for lang, words in _STRONG.items():
        for word in words:
            table.setdefault(word, {})[lang] = 2
    for langs in table.values():
        if len(langs) > 1:
            for lang in langs:
                langs[lang] = 1
    for lang, words in _SHARED.items():
        for word in words:
            table.setdefault(word, {}).setdefault(lang, 1)
    return table


_TABLE = _weights()
# Every word the detector knows: real words, which the typo corrector keeps.
VOCABULARY = frozenset(_TABLE)


def normalise_hint(hint):
    """Turn "es_MX", "pt-BR", "EN" into "es"/"pt"/"en"; anything else -> None.

    >>> normalise_hint("pt_BR"), normalise_hint("es-AR"), normalise_hint("fr")
    ('pt', 'es', None)
    """
    if not hint:
        return None
    code = str(hint).strip().lower().replace("-", "_").split("_")[0]
    return code if code in LANGS else None


def scores(text, raw=""):
    """Score of each language for a normalised text (and its raw form)."""
    result = dict.fromkeys(LANGS, 0)
    for word in _WORD.findall(text):
        weights = _TABLE.get(word)
        if weights is None and _CONTRACTION.search(word):
            weights = {"en": 2}  # "there's", "you've": only English writes these
        for lang, weight in (weights or {}).items():
            result[lang] += weight
    if raw:
        lowered = raw.lower()
        if _ES_CHARS.search(lowered):
            result["es"] += 3
        if _PT_CHARS.search(lowered):
            result["pt"] += 3
    return result


def detect(text, hint=None, raw="", guess=None):
    """Most likely language of ``text``; ``hint`` wins when the text is unclear.

    ``guess`` (text -> language), when given, settles a message whose words
    tell nothing or tie; without evidence, hint nor guess the answer is
    Spanish, the main market.
    """
    hint = normalise_hint(hint)
    result = scores(text, raw)
    best = max(LANGS, key=lambda lang: result[lang])
    top = result[best]
    if hint:
        # The channel knows the customer's language: a short reply ("ok",
        # "stop", "yes") does not overturn it, only clear evidence does.
        return best if top - result[hint] >= 3 else hint
    tied = [lang for lang in LANGS if result[lang] == top]
    if len(tied) > 1 and guess is not None:
        guessed = guess(text)
        if guessed in tied:
            return guessed
    if top == 0:
        return "es"
    if len(tied) > 1:
        return "es" if "es" in tied else tied[0]
    return best
