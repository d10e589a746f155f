"""Cues of each intent in Spanish, English and Portuguese, as regular expressions.

They run on the normalised text (lower case, no accents, abbreviations spelled
out, number words as digits), so one cue covers "pagué", "pague" and "PAGUE".
Typos ("coutas", "asessor", "tranferi") are the typo corrector's business
(``nlu_text.Speller``): the cues spell each word once.
The rules that pick one intent when several cues match live in ``nlu``.
"""

import re


def _cues(*patterns):
    return re.compile("|".join("(?:%s)" % pattern for pattern in patterns))


# Word families that several cues share, so that one conjugation or synonym
# added here reaches every cue that uses it.
# "can you/they" in Spanish (tú, usted, ustedes, vos, conditional).
MODAL_YOU_ES = r"(?:puede|pueden|puedes|podes|podria|podrian|podrias|podran|podra)"
MODAL_YOU_PT = r"(?:pode|podem|poderia|poderiam|consegue|conseguem)"
# Contacting someone, as the customer asks a company to do or to stop doing
# (ustedes and tú forms; the usted form, spelled like "I sent" without its
# accent, counts only after "me": "no me llame" but not "no mandé").
CONTACT_ES = (
    r"(?:escriban|escribas|manden|mandes|llamen|llames|contacten|contactes|molesten|"
    r"molestes|busquen|busques|marquen|marques|envien|jodan|jodas|hostiguen|acosen|"
    r"me (?:escriba|mande|llame|contacte|moleste|busque|marque|envie))"
)
CONTACT_PT = (
    r"(?:mandem|liguem|enviem|escrevam|perturbem|encham|procurem|contatem|contactem|"
    r"incomodem|chamem|me (?:mande|ligue|envie|escreva|procure|contate|incomode))"
)
# Paying, as a verb or as the act ("hacer el pago", "fazer o pix").
PAY_ACT = (
    r"(?:pagar|pagarlo|pagarla|pagarte|pagarle|pagarles|depositar|transferir|abonar|"
    r"(?:hacer|realizar|efectuar|hago|realizo|efectuo|mandar|enviar)\s(?:el|la|un|"
    r"una)\s(?:pago|deposito|transferencia|abono)|"
    r"(?:fazer|faco|realizar|efetuar|mandar)\s(?:o|a|um|uma)\s(?:pagamento|pix|"
    r"deposito|transferencia)|quitar|"
    r"pay|make (?:a|the) payment|send (?:the|a) payment|send the money|transfer)"
)
# Money trouble in so many words: "problemas económicos", "financial trouble".
MONEY_ADJ = (
    r"(?:economic\w*|financier\w*|financeir\w*|financial\w*|de dinero|de plata|"
    r"de lana|de guita|de dinheiro|de grana|money)"
)


# A phone line, as a wrong person names the one that was reached.
PHONE = (
    r"(?:numero|number|phone|phone number|cell|cellphone|celular|telefono|telefone|"
    r"movil|linea|linha|whatsapp|zap)"
)


OPT_OUT = _cues(
    r"^\W*(?:(?:por favor|please|porfa|pls)\W+)?(?:baja|stop|sair|alto|unsubscribe|"
    r"parar|pare|parem|cancelar|"
    r"basta de mensajes|"
    r"remove|remover|end|quit|unsub|descadastrar)(?:\W+(?:por favor|porfa|please|"
    r"gracias|thanks|obrigad[oa]|ya|now|agora|ahora|ja))?\W*$",
    r"\bme\sdescadastr(?:a|e|em|ar|em)\b|\bdescadastr(?:a|e|em)\s(?:me|meu|o meu)\b",
    r"\b(?:no|nao|nunca mas)\s(?:me\s)?(?:vuelvan a\s|sigan\s)?%s\b" % CONTACT_ES,
    r"\b(?:nao|nunca mais)\s(?:me\s)?%s\b" % CONTACT_PT,
    r"\bdej(?:en|a|e|ar)\s(?:de\s)?(?:escribir|llamar|mandar|molestar|contactar|"
    r"joder|enviar|hostigar|acosar|buscar)(?:me|nos)?\b",
    r"\b(?:dar(?:me)?|darse|doy|den(?:me)?)\sde\sbaja\b|\bla baja\b|\bbaja\s(?:de|"
    r"del)\b",
    r"\b(?:elimin|borr|quit|sac)(?:en|ar|a|e)(?:me)?\s(?:mi\s|mis\s)?(?:numero|datos|"
    r"telefono|contacto|informacion|de (?:la|su|sus) (?:lista|base))",
    r"\b(?:no|nao)\s(?:quiero|quero)\s(?:mas\s|mais\s)?(?:mensajes|mensagens|messages|"
    r"llamadas|ligacoes|sms)\b",
    r"\bstop\s(?:texting|calling|messaging|contacting|sending|harassing|bothering|"
    r"writing|it|this|these)\b|\bquit\s(?:ringing|calling|texting|messaging|"
    r"contacting|bothering|bugging|harassing)\s(?:me|us)\b",
    r"\bunsubscribe\b|\bremove me\b|\bopt(?:\s|-)?out\b|\btake me off\b",
    r"\b(?:do not|don't|never)\s(?:contact|text|call|message|email|write)\s(?:me|us)\b",
    r"\bpar(?:em|e|ar|a)\sde\s(?:mandar|ligar|enviar|me\s(?:mandar|ligar|encher|"
    r"perturbar|incomodar)|encher|perturbar|incomodar)",
    r"\bnao\squero\s(?:mais\s)?receber\b|\bsair da lista\b|\bme tir(?:a|e|"
    r"em)\sda lista\b",
    r"\b(?:no|nao|nunca mas|nunca mais)\s(?:quiero que\s|quero que\s)?(?:me\s)?"
    r"(?:vuelvan a|vuelva a|vuelvas a|sigan|sigas|siga|voltem a|continuem a|"
    r"continuem|fiquem)\s(?:escribir|llamar|mandar|contactar|molestar|enviar|buscar|"
    r"escribiendo|llamando|mandando|molestando|contactando|enviando|escrever|ligar|"
    r"ligando|escrevendo|enviando|perturbar|perturbando)(?:me|nos)?\b",
    r"\bno\squiero\s(?:recibir|que (?:me )?(?:sigan\s|vuelvan a\s)?%s)\b|\bno more "
    r"(?:texts|messages|calls)\b" % CONTACT_ES,
    r"\bnao\squero\sque\s(?:voces\s)?(?:me\s)?%s\b" % CONTACT_PT,
    r"\b(?:remove|delete|take|erase)\s(?:my (?:number|phone|contact|info|details)|me)\s"
    r"(?:from|off)\b|\b(?:remove|delete|erase) my (?:number|phone number|contact)\b",
    r"\bno (?:mas|more|mais) (?:mensajes|mensagens|messages|texts|llamadas|ligacoes|"
    r"sms)\b",
)

WRONG_PERSON = _cues(
    r"\bno\ssoy\s(?!responsable|yo\b|de\b|quien|el que|la que|el deudor|la deudora|"
    r"capaz|tu\b|su\b|un\b|una\b|nadie|culpable|millonari|rico|rica)[a-z]+",
    r"\bno es (?:el|la) (?:senor|senora|sr|sra|don|dona)\b|\bnao e (?:o|a) (?:senhor|"
    r"senhora|sr|sra|dona)\b",
    r"\bnumero\s(?:equivocado|errado|incorrecto|erroneo)\b|\bwrong\s(?:number|person|"
    r"guy|girl|house)\b|\bequivocad[oa]s?\sde\s(?:numero|persona)\b|\bse equivocaron\b",
    r"\bequivoc\w*\sde\s(?:numero|persona|contacto)\b",
    r"\b(?:no|ya no|nao|nao mais)\s(?:vive|mora|trabaja|trabalha)\s(?:mas\s|mais\s)?"
    r"(?:aqui|aca|en esta casa|nesta casa)\b|\b(?:doesn't|does not|doesnt|no longer)\s"
    r"(?:live|work|lives|works)\s(?:here|at this)",
    r"\b(?:aqui|aca)\sno\ses\b|\b(?:no|nao)\s(?:es|e|soy|sou)\s(?:esa|essa|esta|la|a)\s"
    r"(?:persona|pessoa)\b",
    r"\bnao\ssou\s(?!responsavel|eu que|quem|capaz|devedor)(?:o\s|a\s)?[a-z]+",
    r"\bno\sconozco\s(?:a\s)?(?:esa|ese|esta|este|ningun|ninguna|al|a la)?\s?"
    r"(?:persona|senor|senora|tal|muchacho|chica|nadie)|\bnao conheco\b",
    r"\bi'?m not (?:the person|who you|the one you|him|her|the account holder|"
    r"the owner|that person|mr|mrs|ms|miss)\b|\bnobody (?:by that name|named)\b|"
    r"\bno one (?:by that name|named|here)\b|\bdon't know (?:that|this|any) "
    r"(?:person|guy|man|woman|lady)\b|\bnever heard of (?:him|her|them|that person)\b",
    r"\b(?:aqui|aca|here)\s(?:no\s)?(?:vive|mora|lives)\b|\bya no (?:vive|trabaja|"
    r"usa este)\b"
    r"|\bnao mora\b|\bnao e (?:meu|o meu) nome\b|\bno es mi nombre\b|\bnot my name\b"
    r"|\bpessoa errada\b|\bpersona equivocada\b",
    r"\b(?:guy|bloke|man|woman|lady|person|fella|chap|gentleman)\s(?:that\s|who\s)?"
    r"(?:you're|you are|youre|ur)\s(?:after|looking for|trying to reach)\b[^?]*\b"
    r"(?:left|moved|died|passed|gone|doesn't|does not|isn't|not here|no longer)\b",
    # the phone is someone else's: "this isn't her phone", "no es su celular",
    # "esse telefone não é dele"
    r"\b(?:this|that|it)(?:'s| is|s)?\s?(?:not|n't|isn't|isnt|aint|ain't)\s(?:his|her|"
    r"their)\s(?:\w+\s)?%s\b" % PHONE,
    r"\b(?:no es|nao e)\s(?:su|el|o|a)\s%s\s?(?:de (?:el|ella)|del[ae]|\?|$|,|\.)|"
    r"\bno es su %s\b|\bnao e (?:o |a )?%s del[ae]\b" % (PHONE, PHONE, PHONE),
    r"\b%s\s(?:ya\s)?(?:no es|nao e|is not|isn't|isnt)\s(?:de|d[ao]|del[ae]|his|"
    r"her)\b" % PHONE,
    r"\bno soy yo\b(?!\s(?:quien|el que|la que))|\bnao sou eu\b|\bit'?s not me\b",
    r"\b(?:don't|dont|do not) know (?:who (?:that|this|he|she) is|(?:him|her|them))\b|"
    r"\bno se quien es\b|\bnao sei quem e\b|\bte equivocaste\b|\bvoces erraram\b",
    r"\bno conozco a (?:ningun|ninguna)\s[a-z]+|\bnao conheco (?:nenhum|nenhuma)\b|"
    r"\b(?:don't|dont|do not) know any(?:one|body| one)? (?:named|called|by)\b|"
    r"\b(?:no hay|no existe|nao tem|nao existe) (?:ningun|ninguna|nenhum|nenhuma|nadie|"
    r"ninguem) (?:\w+ )?(?:aqui|aca|con ese nombre|com esse nome|here)\b|"
    # a new number: "just got this number", "compré este número hace poco"
    r"\b(?:just|recently) got (?:this|a new) (?:number|phone)\b|\b(?:este|esse|this|"
    r"el|o)\s(?:numero|number|chip|linea|linha)\s(?:es|e|is)\s(?:\w+\s)?(?:nuevo|novo|"
    r"new)\b|\b(?:compre|comprei|acabo de comprar|acabei de comprar)\s(?:este|esse|el|"
    r"o|un|um)\s(?:numero|chip|linea|linha)\b|\bnew number\b|\bnumero nuevo\b|"
    r"\bnumero novo\b|\b(?:this|the) number(?:'s| is|s) mine now\b|\b(?:this|"
    r"it)(?:'s| is|s) my number now\b|\b(?:este|el) numero "
    r"(?:es|ya es) mio\b|\b(?:esse|este|o) numero (?:agora )?e meu (?:agora)?\b|"
    # a name said alone at the end: "i don't know any rachel"
    r"\b(?:don't|dont|do not) know (?:any|no)\s(?!(?:way|more|better|details?|"
    r"things?|of|"
    r"one|body|other|info|payment|debt|charge|bill|account|loan)\b)[a-z]{3,}\W*$|"
    r"\bengano\b|\bgot the wrong\b|\bthere'?s no [a-z]+ here\b|\bno [a-z]+ here\b",
    r"^\W*(?:no es (?:aqui|aca)|nao e (?:aqui|daqui|esse numero)|"
    r"not (?:here|this number))\W*$",
)

REQUEST_HUMAN = _cues(
    r"\b(?:asesor|asesora|agente|ejecutiv[oa]|operador[a]?|humano|"
    r"humana|supervisor|supervisora|gerente|encargad[oa]|representante|atendente|"
    r"representative|operator|human|agent|supervisor|manager|advisor|adviser|"
    r"de carne y hueso|de carne e osso|flesh and blood)\b",
    r"\bpersona\s(?:real|de verdad|de carne)|\breal person\b|\bpessoa (?:real|"
    r"de verdade)\b",
    r"\bhablar\s(?:con|a)\s(?:alguien|una persona|un[a]? |tu jefe|su jefe|el jefe|"
    r"una persona|usted|ustedes)|\bfalar\scom\s(?:alguem|uma pessoa|um |o gerente|"
    r"atendente|voces)",
    r"\b(?:speak|talk)\s(?:to|with)\s(?:a |an |someone|somebody|a real|your|the)",
    r"\b(?:que me llamen|que me llame|llamame|llameme|llamenme|llamadme|marcame|"
    r"marquenme|"
    r"call me|me liga|me liguem|me ligue|give me a call|ring me)\b",
    r"\bme\s%s\s(?:llamar|marcar|hablar|telefonear)\b|\b%s\s(?:llamarme|marcarme|"
    r"telefonearme)\b|\b(?:alguien|alguem)\s(?:que\s)?(?:me\s)?(?:llame|pueda llamar|"
    r"puede llamar|ligue|pode ligar|possa ligar)\b" % (MODAL_YOU_ES, MODAL_YOU_ES),
    r"\b%s\s(?:me\s)?(?:ligar|telefonar|retornar)\b|\b(?:can|could|would)\s"
    r"(?:you|u|someone|somebody|anyone)\s(?:please\s)?(?:call|ring|phone)\s(?:me|us)\b"
    % MODAL_YOU_PT,
    r"\bquero ser atendid[oa]\b|\bquiero que me atienda\b|\batencion al cliente\b"
    r"|\bcustomer service\b|\batendimento\b",
    r"\bcon quien (?:hablo|puedo hablar)\b|\bcon alguien\b|\b(?:with whom|who)\s(?:can|"
    r"could|should|do)\s(?:i|we)\s(?:speak|talk)\b",
    r"\b(?:jefe|chefe|boss|superior)\b|\bcomuni(?:que|ca|quen|can)\w*\scon\b",
    r"\b(?:alguem|alguien|someone|somebody|anyone|anybody)\s(?:de verdad|de verdade|"
    r"real)\b",
    r"\b(?:someone|somebody|anyone|anybody|alguien|alguem)\s(?:i can |to |que |pra |"
    r"para |con quien |com quem |with whom )?"
    r"(?:puedo |pueda |possa |posso |could |can )?"
    r"(?:speak|talk|hablar|falar|atender)",
)

ALREADY_PAID = _cues(
    r"\bya\s(?:lo\s|la\s|les\s|le\s|te\s|se\s|me\s)?(?:pague|page|pagamos|pago|cancele|"
    r"deposite|transferi|abone|liquide|salde|cubri|hice (?:el|la|un) "
    r"(?:pago|deposito|transferencia)|realice el pago|quedo pagad|esta pagad|"
    r"estoy al dia|mande el comprobante|envie el comprobante|te (?:mande|envie)|"
    r"fue pagad|se pago)",
    r"\b(?:bill|it|account|debt|that|this)(?:'s| has| is|s)? (?:already )?been paid\b",
    r"\b(?:lo|la)\spague\b|\bpague\s(?:hoy|ayer|antier|anteayer|la semana pasada|"
    r"el mes pasado|"
    r"hace|el (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)|todo|en (?:el|"
    r"la) (?:banco|oxxo|tienda)|con|por)",
    r"\bhice\s(?:el|la)\s(?:pago|deposito|transferencia)\s(?:ayer|hace|el|la semana)",
    r"\b(?:comprobante|comprovante|recibo de pago|voucher)\b",
    r"\b(?:i|we)\s(?:already\s|just\s)?(?:paid|sent (?:the|you the|it|the money|"
    r"the payment|payment)(?!\s(?:\w+\s)?back\b)|made (?:the|a) payment|transferred|"
    r"settled|cleared)",
    r"\balready\s(?:paid|sent|settled|made the payment|been paid|took care)|"
    r"\b(?:i've|i have|we've|we have)\s(?:already\s)?(?:paid|settled|sent)",
    r"\b(?:it|this|that|debt|bill|balance)\s(?:is|was|has been)\s(?:already\s)?"
    r"(?:paid|settled)\b|(?<!\bgot )(?<!\bgotten )(?<!\bget )(?<!\bget it )"
    r"(?<!\bget this )(?<!\bget that )"
    r"\bpaid (?:it|this|that|in full|yesterday|last|off)\b",
    # "ya está cancelado", "ya quedó saldado", "já está pago"
    r"\b(?:ya|ja)\s(?:\w+\s)?(?:esta|quedo|fue|estaba|se|ta|foi|ficou)\s(?:\w+\s)?"
    r"(?:pagad|cancelad|saldad|liquidad|cubiert|abonad|pago\b|quitad)",
    r"\b(?:ya|ja) se (?:pago|cancelo|liquido|saldo|cubrio|abono|quitou|pagou)\b|"
    r"\b(?:ta|esta|ja esta|ja ta|foi)\spag[oa]\b",
    # "ya no debo nada", "I don't owe anything anymore"
    r"\bya no (?:le |les |te )?debo\b|\bja nao devo\b|\bnao devo mais\b|"
    r"\bdon't owe (?:\w+ )?(?:anything )?anymore\b",
    r"\b(?:payment|transfer|transferencia|pago|pagamento|it)\s(?:already\s)?(?:went "
    r"through|was processed|has cleared|cleared|posted|was received|ya se reflejo|"
    r"ja caiu|ja compensou)",
    r"\bja\s(?:paguei|pagamos|quitei|transferi|fiz o (?:pix|pagamento|deposito)|"
    r"efetuei|depositei|foi pag|esta pag|ta pag|realizei|mandei o comprovante|paguei)",
    r"\bpaguei\b|\bquitei\b|\bfiz o pix\b|\bja fiz\b|\bpagamento (?:ja foi )?(?:feito|"
    r"efetuado)\b|\bja esta quitad",
    r"\b(?:payment|pago|pagamento|transferencia|deposito)\s(?:was|has been|fue|foi|"
    r"ya fue|ja foi)\s(?:sent|made|done|completed|realizad|hech|enviad|feit|efetuad)",
    r"\b(?:it|this|that)(?:'s| is| was)\s(?:already\s)?paid\b|\bits paid\b|\breceipt\b|"
    r"\bcheck your records\b|\bpaid (?:it|this|that)?\s?(?:last|a while|months|weeks|"
    r"days)",
    r"\bya\s(?:\w+\s)?(?:lo |la )?(?:pague|transferi|deposite|realice|salde|liquide)\b",
)

# "No reconozco el número" is about who writes, not about the debt.
_A_NUMBER = (
    r"\s(?:(?:el|este|ese|su|tu|the|this|that|your|o|esse|este|seu)\s)?(?:numero|"
    r"number|phone|telefono|name|nombre|nome|contacto|contato)\b"
)

# Goods and services a customer buys, and the verbs of getting them: a story
# of what never came ("nunca me llegó el pedido", "the package never arrived").
GOODS = (
    r"(?:producto|productos|pedido|pedidos|compra|compras|paquete|mercancia|"
    r"mercaderia|articulo|equipo|orden|envio|encargo|servicio|produto|produtos|"
    r"encomenda|mercadoria|pacote|entrega|servico|aparelho|order|orders|product|"
    r"products|item|items|package|parcel|goods|delivery|purchase|merchandise|"
    r"shipment|stuff|device|service|suscripcion|assinatura|subscription|membresia|"
    r"membership)"
)
RECEIVED = (
    r"(?:llego|llegaron|entregaron|recibi|recibimos|vino|recebi|recebemos|chegou|"
    r"chegaram|entregaram|veio|received|got|gotten|get|receive|arrived|came|"
    r"showed up|delivered)"
)
# What a bill, a link or a salary is: never received, but no dispute of a debt.
_NOT_GOODS = (
    r"(?!\s(?:\w+\s)?(?:link|enlace|liga|boleto|pix|codigo|mensaje|mensajes|mensagem|"
    r"message|messages|text|sms|correo|mail|email|llamada|ligacao|call|paid|pago|"
    r"pagamento|payment|salario|sueldo|paycheck|datos|dados|details|around|round|to|"
    r"chance|a chance|the chance|time|factura|fatura|bill|invoice|statement|"
    r"recibo|estado)\b)"
)

DISPUTE = _cues(
    r"\bno\s(?:es|era|son)\s(?:mi|mia|mio|mias|mios|nuestra)\b|\besa deuda no es\b"
    r"|\b(?:no|nunca)\s(?:le\s|les\s|te\s)?debo\b|\bno\sreconozco\b(?!%s)|"
    r"\bdesconozco\b(?!%s)" % (_A_NUMBER, _A_NUMBER),
    r"\b(?:yo\s)?nunca\s(?:saque|pedi|contrate|compre|tuve|firme|solicite|use|abri)\b"
    r"|\byo no (?:saque|pedi|contrate|compre|firme|solicite)\b",
    r"\bno tengo (?:ninguna|ningun|esa|una) (?:deuda|credito|prestamo|cuenta)\b",
    r"\b(?:es|hay) un error\b|\bestan? (?:mal|equivocad)|\b(?:monto|cobro|cargo|valor|"
    r"cantidad|saldo|cuenta|interes(?:es)?)\s(?:esta\s|es\s)?(?:mal|incorrect|"
    r"equivocad|indebid|injust|inflad|excesiv|de mas|abusiv)",
    r"\bcobr(?:o|an|aron)\s(?:de mas|mal|indebid|dos veces|doble)|\bfraude\b|\bestafa\b"
    r"|\busurer|\bno corresponde\b|\bno me corresponde\b|\bme estan cobrando (?:algo|"
    r"de mas)",
    r"\b(?:i\s)?(?:don't|dont|do not|never)\s(?:owe|recogni[sz]e(?!%s)|signed|opened|"
    r"took|borrowed|bought|ordered|had|applied|used)\b|\b(?:not|isn't|wasn't|aren't)"
    r" my (?:debt|account|loan|bill|charge|card|purchase)\b" % _A_NUMBER,
    r"\b(?:this|that|the amount|the balance|the charge|it)(?:\s?'s|\sis)\s(?:a mistake|"
    r"wrong|an error|incorrect|not mine|not right|not correct|a scam|fraud)\b|\bscam\b|"
    r"\bfraud\b"
    r"|\bwrong amount\b|\bi dispute\b|\bdispute\b|\bnot mine\b|\bcharged twice\b",
    r"\bnao\sreconheco\b(?!%s)" % _A_NUMBER,
    r"\bnao\s(?:devo|e minha|e meu|fiz essa|contratei|comprei|pedi)\b|"
    r"\bnunca "
    r"(?:fiz|contratei|comprei|pedi|tive)\b|\bcobranca indevida\b|\bvalor (?:errado|"
    r"incorreto|abusivo)\b|\besta errad[oa]\b|\bgolpe\b|\bnao tenho (?:divida|"
    r"nenhuma divida)",
    r"\bdivida nao e minha\b|\bessa divida\b.*\bnao\b|\bcobrado (?:a mais|"
    r"duas vezes)\b",
    r"\b(?:intereses|interes|juros|cobro|monto|valor|cargo|cobranca|charge|fee|fees|"
    r"interest)\s(?:\w+\s)?(?:son|es|esta|estan|e|sao|is|are)\s(?:\w+\s)?(?:muy\s|"
    r"mui\s|"
    r"too\s|muito\s|demasiado\s)?(?:abusiv|indebid|injust|excesiv|incorrect|errad|"
    r"equivocad|indevid|wrong|"
    r"high|alt)",
    r"\bindevid[ao]s?\b|\bcobrad[oa]s?\s(?:\d|duas|dos|two|twice|a mais|de mas)|"
    r"\bcobraron\s(?:\d|dos)\b|\bno me pertenece\b|\bno contrate\b|\bnao contratei\b",
    r"\bno estoy de acuerdo con (?:ese|el|la|esa) (?:monto|cobro|deuda|valor|cargo)",
    # "cobraram errado", "charged me twice"
    r"\bcobr\w*\s(?:\w+\s)?(?:de mas|mal|errad[oa]|a mais|indebid|indevid|doble|"
    r"dos veces|duas vezes)\b|\bcharg\w*\s(?:\w+\s){0,3}?(?:wrong|too much|twice|extra|"
    r"double)\b",
    r"\balready (?:been )?charged\b|\bcharged (?:\w+ )?(?:already|again)\b|"
    r"\bcobr\w* (?:otra vez|de nuevo|de novo|outra vez)\b",
    # "that's not what I owe", "yo debía mucho menos"
    r"\bnot what (?:i|we) owe\b|\bno es lo que (?:yo )?debo\b|"
    r"\bnao e o que (?:eu )?devo"
    r"\b|\b(?:i|we|yo|eu) (?:owe|owed|debia|debo|devia|devo) (?:\w+ )?(?:less|menos)\b",
    # a service cancelled before the charge
    r"\b(?:cancele|habia cancelado|cancelei|tinha cancelado|cancelled|canceled|"
    r"di de baja|dei baixa)\s(?:\w+\s)?(?:el|ese|este|la|esa|o|esse|a|the|that|this|my|"
    r"mi|meu|minha)?\s?(?:servicio|servico|contrato|plan|plano|suscripcion|assinatura|"
    r"subscription|service|membership|membresia|linea|linha)\b",
    # goods that never came: "nunca me llegó", "no recibí el pedido", "the
    # package never arrived", "algo que no pedí", "stuff I cancelled"
    r"\b(?:nunca|jamas|jamais|never)\s(?:me\s|nos\s|eu\s|i\s|we\s)?%s\b%s"
    % (RECEIVED, _NOT_GOODS),
    r"\b(?:no|nao|didn't|did not|haven't|have not|hasn't|has not)\s(?:me\s|nos\s|"
    r"eu\s|yet\s)?%s\s(?:\w+\s){0,2}?%s\b" % (RECEIVED, GOODS),
    r"\b%s\s(?:\w+\s){0,3}?(?:nunca|no|nao|never|didn't|did not|hasn't|has not|"
    r"wasn't|was not|still hasn't|still has not)\s(?:me\s|nos\s|been\s)?(?:\w+\s)?"
    r"(?:%s|arrive|come|show up|vino|fue entregad\w*|foi entregue|shipped|"
    r"dispatched|enviad[oa]|despachad[oa])\b" % (GOODS, RECEIVED),
    r"\b(?:algo|cosa|cosas|coisa|coisas|lo|eso|esto|isso|aquilo|something|things|"
    r"what|anything|"
    r"%s)\s(?:que\s|that\s|which\s)?(?:yo\s|eu\s|i\s|we\s)?(?:no|nao|nunca|jamas|"
    r"never|didn't|did not|don't|do not|haven't|have not|nem|ni|not even)\s(?:me\s)?"
    r"(?:recibi|pedi|"
    r"compre|use|contrate|solicite|autorice|llego|llegaron|recebi|comprei|usei|"
    r"contratei|solicitei|autorizei|chegou|receive|received|order|ordered|buy|"
    r"bought|use|used|authorized|authorize|sign up for|signed up for|get|got)\b"
    % GOODS,
    r"\b(?:algo|cosa|cosas|coisa|coisas|lo|eso|isso|something|things|what|%s)\s"
    r"(?:que\s|that\s|"
    r"which\s)?(?:yo\s|eu\s|i\s|we\s)?(?:ya\s|ja\s|already\s)?(?:devolvi|di de baja|"
    r"cancelei|dei baixa|cancell?ed|returned|sent back|gave back)\b" % GOODS,
    r"\b(?:devolvi|devolvimos|returned|sent back)\s(?:\w+\s)?%s\b" % GOODS,
    r"\b(?:i|we|eu|yo)\s(?:already\s|ja\s|ya\s)?(?:returned|devolvi|devolvimos)\s"
    r"(?:it|them|everything|all|tudo|todo)\b|\b(?:lo|la|los|las)\s(?:devolvi|"
    r"devolvimos)\b|\bsent (?:it|them|everything) back\b",
    # goods that came broken or wrong: "llegó roto", "veio com defeito", "not
    # what I ordered"
    r"\b%s\s(?:\w+\s){0,2}?(?:rot[oa]s?|danad[oa]s?|defectuos[oa]s?|fallad[oa]s?|"
    r"con (?:falla|fallas|defecto|defectos)|descompuest[oa]s?|averiad[oa]s?|damaged|"
    r"broken|defective|faulty|com defeito|danificad[oa]s?|estragad[oa]s?)\b" % GOODS,
    r"\b(?:llego|llegaron|vino|vinieron|arrived|came|chegou|chegaram|veio|vieram)\s"
    r"(?:\w+\s){0,3}?(?:rot[oa]s?|danad[oa]s?|defectuos[oa]s?|fallad[oa]s?|"
    r"quebrad[oa]s?|"
    r"damaged|broken|defective|faulty|com defeito|danificad[oa]s?|estragad[oa]s?|"
    r"incomplet[oa]s?|errad[oa]s?|equivocad[oa]s?|wrong|cracked|smashed|dented|"
    r"shattered|scratched|golpead[oa]s?|rayad[oa]s?|abollad[oa]s?|amassad[oa]s?|"
    r"rachad[oa]s?|trincad[oa]s?|riscad[oa]s?)\b",
    r"\b(?:never (?:worked|turned on|worked right)|nunca (?:funciono|funcionou|"
    r"prendio|ligou|sirvio)|(?:didn't|did not|doesn't|does not|no|nao) (?:work|worked|"
    r"funciono|funcionou) (?:from|since|desde) (?:day one|the (?:first|start)|el "
    r"(?:primer|principio)|o (?:primeiro|inicio)))\b|\b(?:i|we) owe (?:you )?nothing\b|"
    r"\b(?:no|nao) (?:le |te |lhe )?(?:debo|devo) (?:nada|ni un peso|um centavo)\b",
    r"\b(?:no es|no era|nao e|nao era|isn't|is not|wasn't|was not|not)\s(?:lo|o|what)"
    r"\s(?:que\s)?(?:yo\s|eu\s|i\s|we\s)?(?:pedi|compre|ordered|bought|comprei|"
    r"contrate|contratei|asked for|paid for)\b",
    # a debt never owed: "nunca le debí nada", "eu nunca devi isso", "never owed"
    r"\b(?:nunca|jamas)\s(?:le\s|les\s|te\s)?(?:debi|debia)\b|\b(?:nunca|jamais)\s"
    r"(?:\w+\s)?(?:devi|devia|fiquei devendo)\b|\bnever owed\b",
    r"(?<!numero )(?<!nome )\bta\s(?:\w+\s)?errad[oa]\b|\bdouble(?:\s|-)?"
    r"(?:charged|billed|charge|charging|billing)\b|\bbill\w*\s(?:\w+\s){0,3}?"
    r"(?:twice|double|wrong|too much)\b",
    r"\b(?:monto|cobro|cargo|valor|saldo|cantidad|cuenta|importe|total|amount|charge|"
    r"balance|bill|cobranca|divida|deuda)\s(?:\w+\s)?(?:no es|no esta|nao e|nao esta|"
    r"nao ta|is not|isn't|isnt|was not|wasn't)\s(?:nada\s)?(?:correct[oa]?|right|"
    r"certo|corret[oa]|exact[oa]|real|justo|accurate)\b",
)

# Identity theft and fraud contest the debt: "someone opened that in my name",
# "me clonaron la tarjeta", "abriram essa conta no meu nome".
IDENTITY_THEFT = _cues(
    r"\b(?:identity theft|stolen identity|stole my (?:identity|id|card|details|data)|"
    r"robo de identidad|robaron mi identidad|suplantacion|suplantaron|roubo de "
    r"identidade|roubaram (?:meus dados|minha identidade|meu cartao)|"
    r"clonaron|clonada|clonado|clonaram|hackearon|hackeada|hackeado|hackearam|"
    r"hacked)\b",
    r"\b(?:someone|somebody|alguien|alguem|they|ellos|eles)\s(?:\w+\s){0,3}?"
    r"(?:opened|took out|used|signed up|applied|abrio|saco|uso|usaron|abriu|fez|usou|"
    r"usaram|abriram|sacaron)\s(?:\w+\s){0,4}?(?:in my name|a mi nombre|en mi nombre|"
    r"con mis datos|no meu nome|em meu nome|com meus dados|with my (?:details|data|"
    r"name|card|info|social|ssn|id|identity|documents)|con mi (?:dni|curp|rfc|cedula|"
    r"credencial|ine)|com (?:meu|o meu) (?:cpf|rg|documento))\b",
    r"\b(?:used|usaron|usaram|usou|uso)\s(?:my|mi|mis|meu|meus|minha)\s(?:social|ssn|"
    r"social security|cpf|rg|dni|curp|rfc|cedula|documentos|documents|credencial|"
    r"ine)\b",
    r"\b(?:robaron (?:la|mi) identidad|usaron mis datos|usaram (?:meus dados|meu nome)|"
    r"used my (?:name|details|identity|data|card))\b",
    r"\b(?:opened|taken out|abierta|abierto|sacado|aberta|aberto|feita|feito|abriram|"
    r"abrieron)\s(?:\w+\s){0,3}?(?:in my name|a mi nombre|en mi nombre|no meu nome|"
    r"em meu nome)\b",
)

# A death in the customer's household, said plainly or indirectly: hardship,
# never a wrong person ("he is no longer with us and he paid the bills").
GRIEF = _cues(
    r"\b(?:falleci\w*|muri(?:o|eron)|morreu|morreram|faleceu|falecid[oa]|fallecid[oa]|"
    r"passed away|passed on|died|deceased|funeral|velorio|enterro|entierro|luto|"
    r"widow|widowed|viuda|viudo|viuva|viuvo|difunt[oa]|en paz descanse|que dios lo "
    r"tenga|que deus o tenha|rest in peace|condolencias|buried|enterre|enterramos|"
    r"enterrei|enterramos|sepulte|sepultei)\b",
    r"\b(?:acabo de|acabamos de|acabou de|acabei de|acabaram de|a gente acabou de|"
    r"just|we just)\s(?:enterrar|sepultar|bury|buried|velar)\b",
    r"\b(?:no longer with us|not with us anymore|not with us any more|left us|"
    r"lost (?:my|our) (?:husband|wife|mom|mum|mother|dad|father|son|daughter|"
    r"brother|sister|partner)|ya no esta (?:con nosotros|entre nosotros)|"
    r"se nos fue|nos dejo|nos dejaron|perdi a mi (?:esposo|esposa|mama|papa|madre|"
    r"padre|hijo|hija|marido|mujer)|nao esta mais (?:entre nos|com a gente|conosco)|"
    r"nao ta mais (?:entre nos|com a gente)|perdi (?:meu|minha) (?:marido|esposa|mae|"
    r"pai|filho|filha|esposo)|nos deixou|se foi|is in heaven|esta en el cielo|esta no "
    r"ceu|ta no ceu)\b",
    r"\b(?:husband|wife|mom|mum|mother|dad|father|son|daughter|brother|sister|"
    r"partner)\s(?:\w+\s)?(?:passed|is gone|went to heaven)\b",
)

# A person named as having said or approved something ("the manager approved
# 50% off"): a claim, not a request for a person.
CLAIMED_AUTHORITY = _cues(
    r"\b(?:manager|supervisor|agent|boss|gerente|supervisora|asesor|asesora|agente|"
    r"jefe|chefe|atendente|operador|operadora|representative|representante)\s"
    r"(?:\w+\s)?(?:approved|said|told me|authori[sz]ed|agreed|promised|already|gave|"
    r"offered|aprobo|dijo|autorizo|prometio|acepto|ofrecio|me dio|aprovou|disse|"
    r"autorizou|prometeu|aceitou|ofereceu|me deu)\b",
)

# The payment link asked for in so many words: "send me the link", "manda o
# link", "mándame el enlace". A request no model overrides.
LINK_REQUEST = _cues(
    r"\b(?:send|text|email|give|resend|manda|mandame|mandeme|mande|envia|enviame|"
    r"envie|pasame|pasa|passa|me manda|me passa|me envia|reenvia|reenviame|"
    r"me mandas|me pasas)\s(?:me\s|us\s)?(?:el|la|o|a|the|that|this|your|un|una|um|"
    r"uma|again the)?\s?(?:payment\s|pago\s)?(?:link|enlace|liga|boleto|pix|"
    r"link de pago|link de pagamento|payment link)\b",
)

# A change of mind inside the message: what follows replaces what came before
# ("el veinte, no, mejor el dieciocho", "the 20th, actually the 18th").
CORRECTION = _cues(
    r"\b(?:actually|i mean|no wait|wait no|scratch that|make that|make it|rather|"
    r"on second thought|or better|better yet|no mejor|mejor dicho|o mejor|"
    r"no perdon|perdon|digo|quiero decir|bueno no|ou melhor|nao melhor|melhor dizendo|"
    r"quer dizer|na verdade|alias|perdao|mejor|melhor)\b",
    # "dia cinco nao dia oito", "el 20 no el 18": a day said again after a no
    r"(?<=\d\s)(?:no|nao|not)(?=\s(?:no\s|nao\s)?(?:el|la|dia|o dia|the|on the|"
    r"on)\s\d)",
)

# Fillers and hesitations of speech, dropped before reading a transcript.
SPOKEN_FILLERS = re.compile(
    r"(?:^|(?<=\s))(?:e+h+m*|em{2,}|u{2,}m+|um{2,}|u+h+m*|a+h+n?|m{2,}|mh+m+|h+m+|"
    r"e+r+m+|o sea|you know|tipo assim)(?=\s|$)(?:\s,)?"
)
# A word or two said twice in a row as one thinks ("te pago te pago", "i i
# will"): said once.
SPOKEN_REPEAT = re.compile(r"\b([a-z']+(?:\s[a-z']+){0,2})(?:\s\1\b)+")

# Everyday talk about anything but the debt ("how about that game last
# night", "que calor hace", "vc viu o jogo?"): nothing to act on.
OFF_TOPIC = _cues(
    r"\b(?:the game|that game|el partido|o jogo|the match|la final|the weather|"
    r"el clima|que calor|que frio|o tempo|the score|el gol|o gol|touchdown|"
    r"world cup|mundial|copa do mundo|novela|netflix|la serie|the show|"
    r"my (?:dog|cat)|mi perro|mi gato|meu cachorro|meu gato|birthday party|"
    r"cumpleanos|aniversario|the traffic|el trafico|o transito|happy hour|"
    r"the movie|la pelicula|o filme|vacation|vacaciones|ferias|so hot|so cold|"
    r"hace calor|hace frio|que calor|que frio|calor hoje|frio hoje|nossa que calor|"
    r"i'm driving|estoy manejando|estoy conduciendo|to dirigindo|estou dirigindo|"
    r"can you hear me|me escucha|me escuchas|me oye|me ouvindo|me ouve|"
    r"are you a robot|eres un robot|es un robot|e um robo|voce e um robo|"
    r"barking|ladrando|latindo|hang on|"
    r"^\W*(?:(?:eh|perdon|disculpe|oiga|bueno|hola|alo|y|e|oi|ola)\W+)*(?:quien es|"
    r"quem e|quem fala)(?=\W*$)|"
    r"(?:somebody|someone)(?:'s| is) at the door|"
    r"que dia (?:corrido|puxado|cansativo|longo|pesado|largo)|"
    r"what a (?:day|week)|que semana (?:pesada|corrida|puxada)|"
    # who is calling, a test, a joke: nothing about the debt
    r"who(?:s|'s| is) (?:calling|this|speaking)|de (?:que|cual) (?:empresa|compania)|"
    r"quien (?:habla|me habla|llama|me llama|es usted)|(?:to|estou|estoy|i'm|im) "
    r"(?:no trabalho|en el trabajo|at work)|forget (?:your|all|the) (?:rules|"
    r"instructions)|olvida (?:tus|las) (?:reglas|instrucciones)|esquece (?:suas|as) "
    r"(?:regras|instrucoes)|tell me a story|cuentame una historia|"
    r"me conta uma historia|"
    r"quem (?:fala|ta falando|esta falando|"
    r"e voce)|de onde (?:fala|falam|voces falam)|tell me a joke|cuentame un chiste|"
    r"me conta uma piada|(?:ignore|ignora|ignorar) (?:all|todo|tudo|las|as|your|tus|"
    r"suas|previous|prior)|testing 1 2|probando 1 2|testando 1 2|blah blah|bla bla|"
    r"(?:to|estou|estoy|i'm|im) (?:no onibus|en el (?:bus|camion|metro)|on the (?:bus|"
    r"train)|no metro|no trem))\b",
)

REQUEST_INSTALLMENTS = _cues(
    r"\b(?:cuotas?|cuotitas?|en partes|por partes|a plazos|parcialidades|"
    r"abonos|mensualidades|plan de pagos?|planes de pago|financiar|financiamiento|"
    r"parte ahora y (?:parte|el resto|otra parte)|parte agora e (?:parte|o resto|"
    r"outra parte)|part now and (?:part|the rest)|monthly plan|"
    r"fraccionar|convenio|arreglo de pago|acuerdo de pago|de a poco|poco a poco|"
    r"de a poquito|pagos mensuales|pagos semanales|pagos quincenales|diferir|"
    r"a meses|meses sin intereses)\b",
    r"\bdividir\s(?:el pago|la deuda|en|lo|la|o|em|a divida|o valor)|"
    r"\b(?:dividir|fraccionar|parcelar|split)(?:lo|la|los|las)?\s?(?:\?|$)|"
    r"\bpartir el pago\b",
    r"\b(?:installments?|instalments?|payment plan|payment arrangement|"
    r"monthly payments|"
    r"split (?:it|the payment|the bill|the debt|this|payments)|in parts|pay (?:it )?in "
    r"(?:parts|pieces|chunks)|weekly payments|little by little|bit by bit)\b",
    r"\b(?:in|en|em)\s\d{1,2}\s(?:payments|pagos|pagamentos|partes|parts|vezes|meses|"
    r"quincenas)\b|\b(?:over|across)\s\d{1,2}\s(?:months|weeks)\b",
    r"\bparcel(?:as|a|ar|amento|ado|ada|ando)\b|\bprestacoes\b|\bprestacao\b|"
    r"\b\d{1,2}\s?x\b"
    r"|\bem (?:varias|algumas) vezes\b|\bacordo\b|\bnegociar\b|\bnegociacion\b",
    r"\b(?:each|every|per|a) (?:month|week|fortnight)\b(?!'s|\ss\b)|\bcada mes\b|"
    r"\bpor mes\b|"
    r"\bal mes\b|\btodo mes\b|\bdivid\w*\s(?:lo\s|la\s|o\s)?(?:en|em)\s\d",
    r"\b(?:do|make|set up|start)\s(?:\w+\s)?payments\b|"
    r"\b(?:hacer|dar|fazer)\s(?:unos\s|uns\s|varios\s)?(?:pagos|abonos|pagamentos)\b",
    # "la mitad ahora y la otra mitad después", "some now and the rest later"
    r"\bmitad\b.{0,40}\bmitad\b|\bhalf\b.{0,40}\bhalf\b|\bmetade\b.{0,40}\bmetade\b|"
    r"\b(?:una parte|parte|part|some|un poco|algo|a bit|um pouco|a little|half|"
    r"la mitad|metade)\s(?:\w+\s)?"
    r"(?:ahora|now|agora|hoy|today|hoje)\s(?:y|and|e)\s(?:el resto|the rest|o resto|"
    r"la otra parte|the other|the remainder|lo demas|o restante|the balance)\b",
    # "no puedo pagar todo junto": not all at once, so in parts.
    r"\b(?:can't|cannot|not|no|nao)\s(?:\w+\s){0,3}?(?:all|everything|todo|tudo|"
    r"el total|o total|the whole thing|the full amount)\s(?:\w+\s)?(?:at once|"
    r"in one go|in one payment|junto|de una vez|de una sola vez|de un solo pago|"
    r"de golpe|de uma vez|de uma so vez|num pagamento so)\b",
    r"\b(?:monthly|weekly|biweekly|fortnightly|mensualmente|semanalmente|"
    r"quincenalmente|"
    r"mensalmente|quinzenalmente|mes a mes|semana a semana|mes a mes|todo mes|"
    r"por mes|cada mes)\b",
    r"\b(?:pag\w*|abon\w*|dar|doy|deposit\w*|pay\w*|\d+)\s(?:\w+\s){0,3}?(?:cada|por|"
    r"toda|todas las|every|each|per|a la|por)\s(?:\d{1,2}\s)?(?:semana|semanas|"
    r"quincena|"
    r"quinzena|week|weeks|two weeks|fortnight|payday|quincena|dias|days)\b",
)

REQUEST_EXTENSION = _cues(
    r"\b(?:hang on|hold on|hold off|wait)\s(?:(?:a|just a)\s)?(?:little|bit|"
    r"few (?:more )?"
    r"days|while)?\s?longer\b|\bgive me (?:a|one|two|another|\d) (?:more )?"
    r"(?:months?|weeks?)\b|\b(?:segurar|segurarem|segura|esperar|esperarem|aguardar|"
    r"aguardarem)\s(?:mais\s)?(?:um pouco|uns dias|um pouquinho)(?: mais)?\b",
    r"\bme\s(?:da|de|dao|dá)\s(?:mais\s)?(?:um|uma|uns|umas|outro|outra)\s(?:mes|semana|"
    r"semaninha|dias|prazo|tempinho)\b",
    r"\bme\s(?:das|da|dan|den|puedes dar|puede dar|pueden dar|podrias dar|podria dar|"
    r"esperas|espera|esperan|aguantas|aguanta|aguantan|dejas|deja|dejan|regalas|"
    r"regala|regalan|concedes|concede|conceden|extiendes|extiende|"
    r"extienden)\s(?:chance\s|"
    r"tiempo\s|plazo\s|unos dias\s|mas\s|un\s|una\s|oportunidad\s)?(?:hasta|para|"
    r"mas|unos|un|una|chance|tiempo|plazo|oportunidad)\b",
    r"\b(?:me\s)?%s\s(?:dar(?:me)?|esperar(?:me)?|aguantar(?:me)?|tener paciencia|"
    r"dejar(?:me)? pagar|conceder(?:me)?|regalar(?:me)?)\s(?:chance\s|tiempo\s|plazo\s|"
    r"un poco\s|unos dias\s|mas\s)?(?:hasta|para|mas|unos|un|una|chance|tiempo|plazo|"
    r"oportunidad|otra|otro)\b" % MODAL_YOU_ES,
    r"\b(?:me\s)?%s\s(?:me\s)?(?:dar|esperar|aguardar|segurar|conceder)\s(?:\w+\s)?"
    r"(?:ate|para|mais|uns|um|uma|prazo|tempo)\b" % MODAL_YOU_PT,
    r"\b(?:mas|mais|more|extra|additional)\s(?:tiempo|plazo|dias|tempo|prazo|time|"
    r"days)\b|\bprorroga\b|\bprorrogar\b|\bextension\b|\bextend\b|\bpostpone\b|"
    r"\bposponer\b|\baplazar\b|\bpostergar\b|\badiar\b|\bgrace\b|\bcarencia\b|"
    r"\bperiodo de gracia\b|\bdelay (?:the|my|it|this|"
    r"payment|paying)\b|\bprazo\b|\bplazo\b",
    r"\b(?:can|could|may)\s(?:i|we)\s(?:pay|have|get|do it|send)\s(?:it\s|you\s|"
    r"the payment\s)?"
    r"(?:later|next|until|till|at the end|after|a (?:bit|little) later|another)\b",
    r"\b(?:allow|let) me (?:until|till|to pay (?:on|by|at|in|until|next|later))\b|"
    r"\b(?:can|could|would)\s(?:you|u)\s(?:wait|give me|hold off|let me)\b|\bgive me "
    r"(?:until|till|a few|some|more|another|one more)\b|\bwait (?:until|till)\b",
    r"\b(?:puedo|podria|podemos|puedes|se puede|sera que puedo|habra chance de|"
    r"hay chance de)\s"
    r"(?:pagar(?:te|le|les)?|pagarlo|pagarla|depositar|abonar|cancelar|hacer el pago)\s"
    r"(?:\d+\s)?(?:(?:mejor|hasta|recien|solo)\s)?(?:hasta|despues|luego|mas adelante|"
    r"mas tarde|otro dia|a fin|a finales|a principios|pasado|manana|la otra|el otro|"
    r"la proxima|el proximo|la semana|el mes)\b.*\?",
    r"\b(?:posso|podemos|da pra|daria pra|consigo)\s(?:pagar|depositar|quitar|fazer o "
    r"(?:pix|pagamento))\s(?:so\s)?(?:\d+\s)?(?:ate|depois|mais tarde|mais pra frente|"
    r"semana|mes|outro dia|outra semana|outro mes|amanha)\b.*\?",
    r"\b(?:pode|podem|da para|da pra)\s(?:esperar|aguardar|me dar)\b|"
    r"\b(?:voces|vcs|voce|vc)\sme\s(?:dao|da)\s(?:ate|mais)\b|"
    r"\b(?:espera|aguarda)(?:r|m|n|s)?\s(?:ate|mais|hasta)\b"
    r"|\bme (?:espera|esperam|aguarda|aguardam)\b",
    r"\b(?:mas|mais|more|a bit more|un poco mas de|um pouco mais de)\s(?:margen|margem|"
    r"room|leeway|breathing room)\b|\b(?:este mes|this month|esse mes|este mes)\s"
    r"(?:no llego|no alcanzo|i won't make it|i can't make it|nao consigo|"
    r"nao vai dar)\b|"
    r"\bnecesito\s(?:unos dias|un poco|tiempo|mas)|\bpreciso de (?:mais|um pouco)\b"
    r"|\bi need (?:more|a few|some) (?:time|days|weeks)\b",
    r"\b(?:hasta|ate)\s(?:el|la|o|a)?\s?\w+\s?\?",
    r"\b(?:until|till)\s\w+(?:\s\w+)?\s?\?",
    r"\b(?:unos|algunos|uns|alguns|a few|some|couple of|un par de|\d{1,2})\s(?:dias|"
    r"days|"
    r"semanas|weeks)\s(?:mas|mais|more)\b|\bmais uns dias\b|\bmas dias\b",
    r"\bdame chance\b|\bdenme chance\b|\besperar\s(?:un\s|um\s|a\s)?(?:poco|poquito|"
    r"pouco|pouquinho|bit|little)\b|\bwait a (?:bit|little)\b",
    r"\b(?:any chance|is it ok if|is it okay if|would it be ok if|is it possible to|"
    r"would it be possible to)\s(?:i\s)?(?:can\s|could\s)?pay\b",
    r"\bpush\s(?:it|the (?:due )?date|the payment|the deadline|back)\b|\bextend the\b",
)

PAY_NOW = _cues(
    r"\b(?:link|enlace|liga de pago|liga para pagar|clabe|cbu|cvu|alias|pix|boleto|"
    r"codigo de barras|numero de cuenta|datos (?:bancarios|para (?:pagar|transferir|"
    r"depositar|el pago))|cuenta (?:bancaria|para (?:depositar|transferir|pagar))|"
    r"chave pix|chave|dados bancarios|qr|payment link|account number|routing number|"
    r"bank details|card details|referencia de pago|codigo de pago|convenio de pago)\b",
    r"\b(?:como|donde|adonde|a donde|por donde|de que (?:forma|manera|modo)|onde|"
    r"de que jeito|how|where)\s(?:(?:puedo|podemos|podria|se puede|debo|tengo que|"
    r"hay que|le|te|les|lo|la|se|eu|posso|podemos|devo|tenho que|faco para|faco pra|"
    r"hago para|hago pa|can|do|should|would|could|i|we|else)\s){0,3}(?:pago|deposito|"
    r"transfiero|abono|faco o pagamento|faco o pix|quito|%s)\b" % PAY_ACT,
    r"\b(?:a|en|para|de)\s(?:que|cual)\s(?:cuenta|numero|banco)\b|\bwhich (?:account|"
    r"bank)\b|\b(?:qual|que|para qual|em qual)\s(?:e\s)?(?:a\s)?(?:conta|banco)\b",
    r"\b(?:quiero|quisiera|deseo|voy a|quero|vou|i want to|i'd like to|i would like to|"
    r"let me|i'll|i will|i can|puedo|posso|da pra|da para|se puede|can i|could i)\s"
    r"(?:pagar|pagarlo|pagarla|pagar todo|"
    r"liquidar|cancelar|saldar|quitar|pay|pay it|pay off|pay the|pay my|settle)\b"
    r"(?:\s[a-z'\d]+){0,3}?\s(?:ya|ahora|ahorita|agora|now|right now|right away|"
    r"immediately|de inmediato|ya mismo|ahora mismo|hoy mismo|de una|todo|tudo|"
    r"everything|in full|the full|all|de contado|a vista|full|agorinha)\b",
    r"\b(?:pay now|pagar ya|pagar ahora|pagar agora|pago ya|pago ahora|pago agora|"
    r"pagar de una|pay right now|pay it now|paying now|pay in full|"
    r"pay the full|pay everything|pago total|pagar todo|quitar tudo|pagar tudo|a vista|"
    r"de contado|pagamento total|quitar a divida)\b",
    r"\b(?:manda|mandame|mandeme|mande|envia|enviame|envie|enviar|pasame|pasa|paseme|"
    r"passa|me manda|me passa|me envia|send|send me|text me|me mandas|me pasas|"
    r"mandar|me pueden mandar|me puedes mandar|pode mandar|pode me mandar)\s(?:me\s)?"
    r"(?:el|la|los|las|o|a|os|the|a|un|una|um|uma|tu|your|sus|seus)?\s?(?:link|enlace|"
    r"liga|datos|numero de cuenta|cuenta|clabe|cbu|cvu|alias|pix|boleto|codigo|dados|"
    r"chave|info|details|bank|payment|qr|referencia)",
    r"^\W*(?:quiero pagar|quero pagar|i want to pay|i wanna pay|want to pay|"
    r"deseo pagar|quisiera pagar|voy a pagar ya|vou pagar agora|i'd like to pay)\W*$",
    r"\b(?:get|have) (?:this|it|that|the debt|the balance) paid(?: off)?\b|"
    r"\blet'?s (?:pay|settle|get)\b|\ba nombre de quien\b|\bem nome de quem\b|"
    r"\bwho (?:do|should) i (?:make|pay|send)"
    r"|\b(?:ready to pay|listo para pagar|lista para pagar|pront[oa] para pagar|"
    r"pront[oa] pra pagar)\b",
    r"\b(?:tienen|tiene|tenes|tienes|tem|tenem|do you have|have you got)\s"
    r"(?:una\s|um\s|a\s)?(?:cuenta|clabe|cbu|alias|pix|chave|link|enlace|boleto|paypal|"
    r"zelle|venmo)\b",
    r"\b(?:do|can|will|would)\s(?:you|u)(?:\s(?:guys|all|folks))?\s(?:take|accept)\b",
    r"\b(?:aceptan|aceitam|do you (?:take|accept)|puedo pagar con|posso pagar com|"
    r"can i pay (?:with|by|using))\b",
    r"\bcomo\s(?:le\s)?hago\s(?:para|pa|pra)\s(?:pagar|el pago|depositar)\b|"
    r"\b(?:easiest|best|fastest) way to pay\b|\bpagar en linea\b|\bpago en linea\b",
    r"^\W*(?:(?:hola|oi|ola|hi|hello|buenas|buenos dias|bom dia)\W+)?(?:quiero|quero|"
    r"deseo|quisiera|i want to|i'd like to|i wanna)\spagar\W*$",
)

PROMISE_VERBS = _cues(
    r"\b(?:te|le|les|se|lo|la)?\s?(?:pago|pagare|pagaria|pagamos|deposito|depositare|"
    r"transfiero|transferire|abono|cancelo|liquido|cubro|mando|envio)\b",
    r"(?<!\bno )\b(?:voy a|vamos a|puedo|podria|podre|pienso|tengo pensado|quiero|"
    r"quisiera|"
    r"me comprometo a|prometo|espero|trato de|intento|alcanzo a|tengo para)\s"
    r"(?:pagar|depositar|transferir|abonar|cancelar|liquidar|hacer el pago|mandar|"
    r"mandarte|pagarte|pagarle|pagarles|pagarlo|pagarla|hacerte el deposito|saldar)",
    r"\b(?:hago|haremos|realizo) (?:el|la) (?:pago|deposito|transferencia)\b",
    r"\b(?:faco|farei|faremos|fazemos) (?:o|a) (?:pagamento|pix|deposito|"
    r"transferencia)\b",
    # the English progressive as a plan: "paying soon", "I'm paying on Friday"
    r"(?<!not )(?<!n't )\b(?:paying|sending|transferring) (?:it |you |the \w+ )?"
    r"(?:soon|tomorrow|today|tonight|later|next|on|by|this|first thing|asap|"
    r"right after)\b",
    r"\b(?:i'll|i will|i can|i could|i'm going to|i am going to|we'll|we will|we can|"
    r"going to|gonna|i promise to|i plan to|i should be able to|i'll be able to|"
    r"i'll try to|i expect to|i might|i may|let me)\s(?:pay|send|transfer|make|"
    r"deposit|settle|cover|get you|have)",
    r"(?<!\bnao )\b(?:vou|vamos|posso|consigo|pretendo|prometo|irei|devo conseguir|"
    r"vou conseguir|"
    r"consigo|tento)\s(?:pagar|depositar|transferir|fazer o (?:pix|pagamento|deposito)|"
    r"quitar|mandar|te pagar|efetuar)",
    r"\b(?:pago|pagarei|pagamos|deposito|transfiro|faco o pix|mando o pix|quito)\b",
    r"\bno\s(?:puedo|podre|voy a poder|alcanzo a|tengo para)\s(?:pagar|depositar|"
    r"abonar|hacer el pago)\s(?:\w+\s)?(?:hasta|sino hasta|antes del?|antes de)\b",
    r"\b(?:can't|cannot|can not|won't be able to)\s(?:pay|send|make it)\s(?:\w+\s)?"
    r"(?:until|till|before)\b|\bnao\s(?:consigo|posso|vou conseguir)\s(?:pagar|"
    r"depositar)\s(?:\w+\s)?(?:ate|antes d)",
    r"\bcuando (?:me paguen|cobre|cobro|me depositen)\b|\bwhen i get paid\b|\bquando "
    r"(?:receber|eu receber|cair o salario)\b|\bme pagan el\b|\bcobro el\b",
    r"\bpayday\b|\bday of payment\b|\bsin falta\b|\bwithout fail\b|\bsem falta\b|"
    r"\bte lo prometo\b|\bte prometo\b|\bcuenta con eso\b|\bcount on\b|\bpode contar\b",
    r"\b(?:i can|i could|i'll|i will|we can)\s(?:do|give you|send you|manage)\s\$?\d"
    r"|\b(?:puedo|podria|te puedo|le puedo|les puedo|posso|consigo)\s(?:dar|darte|"
    r"darle|darles|abonar|dar uns|te dar|pagar uns)\s\$?\d",
)

HARDSHIP = _cues(
    r"\b(?:sin|sem)\s(?:trabajo|empleo|chamba|laburo|curro|pega|chamba|jale|trabalho|"
    r"emprego|job|plata|dinero|lana|guita|pasta|grana|dinheiro|un peso|un peso partido|"
    r"un mango|un cobre|un quinto|un real|um real|um centavo|um tostao|tostao|"
    r"trabajar|laburar|trabalhar|chambear|work|cobrar|sueldo|receber|"
    r"un centavo|ingresos|renda|sueldo|salario|billete|varo|feria)\b",
    r"\b(?:desemplead[oa]|desempregad[oa]|cesante|parad[oa]|desocupad[oa]|"
    r"desenpleado)\b",
    r"\b(?:perdi|perdio|perdimos|quede sin|me quede sin|me quedo sin)\s(?:el|mi|o|meu|"
    r"la|minha)?\s?(?:trabajo|empleo|chamba|laburo|curro|pega|trabalho|emprego|"
    r"negocio)\b",
    r"\bme\s(?:despidieron|echaron|corrieron|botaron|liquidaron|descansaron)\b|\bfui "
    r"(?:demitid|mandad)|\bme mandaron a la casa\b",
    r"\b(?:enferm[oa]|hospital|hospitalizad\w*|operacion|cirugia|cancer|accidente|"
    r"incapacidad|doente|internad\w*|cirurgia|falleci|murio|fallecio|luto|divorcio|"
    r"embarazada|gravida|desastre|inundacion|incendio|robaron|quiebra|quebrad[oa]|"
    r"en la ruina|sick|illness|surgery|accident|passed away|died|funeral|divorce|"
    r"pregnant|bankrupt|evicted|laid off|furloughed|disability|disabled|"
    r"sick leave|medical leave|incapacitad[oa]|licencia medica|afastad[oa]|"
    r"auxilio doenca)\b",
    r"\bno\s(?:tengo|tenemos|hay)\s(?:ni\s)?(?:plata|dinero|lana|guita|pasta|un peso|"
    r"para pagar|con que pagar|como pagar|trabajo|empleo|ingresos|billete|un centavo|"
    r"ni un|un mango|un peso|nada|recursos|los recursos|el dinero|la plata|varo|"
    r"feria)\b",
    r"\b(?:leucemia|leukemia|stroke|derrame|avc|infarto|heart attack|cancer|"
    r"taking care of (?:him|her|my \w+) full time|cuidando a mi (?:mama|papa|esposo|"
    r"esposa|hijo|hija|madre|padre)|cuidando d[oa] (?:meu|minha) \w+)\b|"
    r"\b(?:nothing (?:is )?coming in|no (?:money|income) coming in|no entra nada|nao "
    r"entra nada|no (?:nos )?entra (?:dinero|plata)|nao entra (?:dinheiro|grana)|"
    r"paycheck to paycheck|check to check|de quincena en quincena|nothing left "
    r"(?:over|at the end|after)|theres? (?:just )?nothing left|no (?:me |"
    r"nos )?(?:queda|"
    r"sobra) nada|nao (?:me |nos )?sobra nada|nao sobra (?:nada|um real)|"
    r"(?:solo|apenas|so) (?:me quedan?|tengo|tenho|me sobran?|sobrou|sobram) (?:como |"
    r"unos |uns |umas |unas )?\$?\d+\s(?:pesos|reais|dolares|dollars|bucks|lucas)?\s?"
    r"(?:para|pra|pro|hasta|ate|until|for)|quimio\w*|chemo\w*|dialisis|dialise|"
    r"hemodialise|tratamiento (?:de|contra) (?:cancer|la|el)|tratamento (?:de|contra) "
    r"(?:cancer|a|o)|(?:las|as) (?:cosas|coisas) (?:aqui |alla |la )?(?:en|em|en la|"
    r"na) casa\s"
    r"(?:no|nao)\s(?:estan|andan|tao|estao|van|vao|ta)\b)",
    r"\bno\s(?:me\s)?(?:alcanza|ajusta|llega|da)\b|\bestoy\s(?:corto|cort[oa]|"
    r"apretad[oa]|"
    r"pelad[oa]|quebrad[oa]|mal de plata|sin un peso|en la lona|en crisis|pasando)",
    r"\b(?:situacion|momento|epoca|racha)\s(?:muy\s)?(?:dificil|complicad[oa]|mala|"
    r"critica|dura|jodida|fea)\b|\bcrisis\b|\bnecesidad\b",
    r"\bme (?:van a )?operar(?:on)?\b|\bfui operad[oa]\b|\b(?:negocio|empresa|local|"
    r"business|loja|comercio|restaurant)\s(?:\w+\s){0,3}?(?:quebro|cerro|fracaso|faliu|"
    r"fechou|failed|closed|went under|went bankrupt)\b",
    r"\b(?:hours|shifts|salary|pay|wages|sueldo|salario|horas|turnos)\s(?:got |were |"
    r"was |have been |fueron |foram )?(?:cut|reduced|reducid[oa]s?|recortad[oa]s?|"
    r"cortad[oa]s?|reduzid[oa]s?)\b|\b(?:cut|reduced) my (?:hours|pay|salary)\b|"
    r"\bme (?:bajaron|redujeron|recortaron) (?:el sueldo|el salario|las horas)\b|"
    r"\b(?:reduziram|cortaram) (?:o |meu )?(?:salario|horas)\b",
    r"\bno me (?:han |habian )?pagad[oa]\b|\bno me (?:pagan|pagaron)\b|\bnao me "
    r"(?:pagaram|pagam)\b|\b(?:haven't|have not|hasn't|has not) (?:been|gotten) paid\b|"
    r"\b(?:didn't|did not|don't|won't|never) (?:get|got|gotten) paid\b|"
    r"\bnao recebi (?:o |meu )?(?:salario|pagamento)\b|"
    r"\batras\w* (?:o |meu )?salario\b",
    r"\b(?:lost|lose) my (?:job|work|income|house)\b|\bunemployed\b|\bout of work\b|"
    r"\bjobless\b|\bbroke\b|\bskint\b|\bstony broke\b|"
    r"\b(?:no|don't have (?:the|any)?|have no|haven't got)\s?"
    r"(?:money|income|job|cash|funds)\b|\bcan'?t afford\b|\bcannot afford\b|\bhard "
    r"times\b|\bstruggling\b|\btough (?:time|spot|situation)\b|\bmedical bills\b",
    r"\b(?:problemas?|dificultad(?:es)?|apuros?|aprietos?|crisis|problems?|trouble|"
    r"difficult(?:y|ies)|dificuldades?|apertos?|issues?|struggles?|situacion|situacao|"
    r"situation)\s(?:\w+\s)?%s" % MONEY_ADJ,
    r"\b(?:money|cash|things|budget|finances|funds)(?:\sis|\sare|'s|'re)?\s(?:\w+\s)?"
    r"(?:tight|short|low|scarce)\b|\b(?:short|tight) on (?:money|cash|funds)\b",
    r"\b(?:to|tou|estou|ando|fiquei|t[oa] meio)\s(?:\w+\s)?(?:duro|dura|liso|lisa|"
    r"zerad[oa]|pelad[oa]|na pior|na lona|no vermelho|quebrad[oa]|falid[oa])\b",
    r"\b(?:ni|nem|not even)\s(?:para|pra|pa|for)\s(?:comer|la comida|el pasaje|"
    r"a comida|o aluguel|el alquiler|la renta|food|rent|groceries)\b",
    r"\bfinancial(?:ly)?\s(?:\w+\s)?(?:problems?|trouble|difficult\w*|hardship|issues?|"
    r"crisis|struggl\w*|strain|stress|situation)\b",
    r"\b(?:mal|fatal|apretad[oa]s?|complicad[oa]s?|jodid[oa]s?|cort[oa]s?|ruim|"
    r"apertad[oa]s?|enrolad[oa]s?|tight|bad|struggling)\s(?:\w+\s)?(?:economicamente|"
    r"financieramente|financeiramente|financially|de (?:dinero|plata|lana|guita|"
    r"dinheiro|grana|pasta|billete|varo)|with money|on (?:money|cash))\b",
    r"\b(?:hard|tough|difficult|rough|bad)\s(?:times?|patch|spot|period|moment|month|"
    r"year|situation)\b|\b(?:mal|malos|dificil|duro|complicado|pesimo|mala|dura|"
    r"dificiles|duros)\s(?:momentos?|rachas?|epoca|situacion|tiempos?)\b",
    r"\b(?:momento|fase|situacao|epoca)\s(?:\w+\s)?(?:dificil|complicad[oa]|ruim|"
    r"apertad[oa]|critic[oa])\b|\b(?:passando|atravessando|pasando|atravesando)\s"
    r"(?:por\s)?(?:um\s|uma\s|un\s|una\s)?(?:momento|fase|dificuldade|aperto|"
    r"situacao|crisis|apuro|mala racha)\b",
    r"\b(?:nao tenho|to sem|estou sem|tô sem|fiquei sem)\s(?:dinheiro|grana|emprego|"
    r"trabalho|como pagar|condicoes|renda|um real)\b|\bsem condicoes\b|\bapertad[oa]\b|"
    r"\bdificuldade|\bdureza\b|\bliso\b|\bquebrad[oa]\b|\bsituacao (?:dificil|"
    r"complicada)",
    r"\b(?:no|nao)\s(?:puedo|podre|tengo como|consigo|posso|tenho como)\s(?:pagar|"
    r"pagarlo|"
    r"pagarles|pagar nada|depositar)\b|\b(?:can't|cannot|can not|unable to)\s(?:pay|"
    r"afford)\b",
)

BALANCE_INQUIRY = _cues(
    r"\bcuanto\s(?:es|seria|sale|queda|quedo|tengo|les|le|te|debo|debemos|adeudo|"
    r"falta|me falta|va|llevo|dice|hay|estoy debiendo|es lo que debo|es el total|"
    r"es la deuda|seria el total|es el monto|me cobran|pago|tengo que pagar|"
    r"debo pagar)",
    r"\b(?:saldo|adeudo|monto total|monto adeudado|monto de la deuda|total de la deuda|"
    r"estado de cuenta|detalle de (?:la|mi) deuda|cual es (?:mi|la) deuda|de cuanto es|"
    r"cual es el (?:monto|total|saldo)|cuanto debo|monto pendiente|lo que debo)\b",
    r"\bhow much\b|\bwhat do i owe\b|\bwhat(?:'s| is) (?:my|the) (?:balance|total|"
    r"amount|debt)\b|\bbalance\b|\bamount (?:due|owed)\b|\bstatement\b|\bwhat i owe\b",
    r"\bquanto\s(?:e|eu devo|devo|ta|esta|fica|falta|que eu|da|deu|tenho que pagar|"
    r"preciso pagar|ficou)\b|\bvalor\s(?:da divida|total|do debito|atualizado|"
    r"em aberto|"
    r"devido|que devo)\b|\bqual (?:o|e o) (?:valor|saldo|total)\b|\bextrato\b|\bsaldo\b"
    r"|\bquanto\b",
    r"\bcuanto\b.*\?|\bcuanto debo\b|\bla deuda de cuanto\b",
    r"\b[cq]uant[ao]s?\s(?:\w+\s){0,2}?(?:debo|adeudo|debemos|devo|devemos)\b|"
    r"\bwhat'?s the amount\b|\bwhat is the amount\b|\basciende\b",
    # a lone noun asked: "total?", "valor?", "la deuda?"
    r"^\W*(?:el |la |o |a |the |my |mi )?(?:total|valor|monto|importe|amount|saldo|"
    r"deuda|divida|debt|balance)\s?\?",
    r"\b(?:monto|saldo|valor|importe|amount|balance|total)\s(?:\w+\s)?(?:pendiente|"
    r"pending|pendente|outstanding|adeudado|devido|owed|due|em aberto)\b",
    r"\b(?:dice|diga|dices|pasa|pasas|das|da|manda|mandas|informa|confirma|passa|"
    r"tell me|give me)\s(?:me\s)?(?:el|mi|o|meu|the|my)\s(?:total|monto|importe|valor|"
    r"amount|total amount)\b",
    r"\b(?:what'?s|what is|whats)\s(?:the|my)\s(?:\w+\s)?(?:amount|balance|total)\b|"
    r"\bpay ?off amount\b|\bpayoff\b",
    # what is left to pay: "cuánto me queda", "quanto resta", "what's left"
    r"\b[cq]uanto\s(?:(?:me|nos|le|les|te|os|ainda|todavia|aun)\s)?(?:queda|quedan|"
    r"falta|faltan|resta|restan|sobra)\b|\b(?:lo|o) que (?:me |nos |ainda )?(?:queda|"
    r"falta|resta) (?:por |de |pra |para )?(?:pagar|saldar|quitar)\b",
    r"\bde (?:que|donde) es (?:este|ese|el|esta|esa) (?:cobro|cargo|monto|deuda|"
    r"saldo|mensaje|factura)\b|\ba (?:cual|que) (?:cuenta |factura )?corresponde\b|"
    r"\bwhat(?:'s| is|s) (?:this|that|the) (?:charge|amount|bill|debt) for\b|"
    r"\bdiscriminacao\b|\bdetalhamento\b|\bencargos\b|\bdesglose\b|"
    r"\bfull amount\b|\binterest on top\b|\b(?:is|are) there (?:any )?(?:interest|"
    r"fees|late fees|charges)\b|\b(?:hay|tiene|tem|incluye|inclui)\s(?:\w+\s)?"
    r"(?:intereses|recargos|juros|multa)\b",
    r"\b(?:enviar|mandar|mandan|envian|manda|envia|send|email|passa|pasa|pasan)\s"
    r"(?:me\s|nos\s|lo\s|la\s)?(?:a |la |the |uma |una |a copy of (?:the |my )?|"
    r"copia de (?:la )?|una copia de (?:la )?|segunda via da )?(?:fatura|factura|"
    r"invoice|statement|estado de cuenta|extrato|detalle|desglose|breakdown|"
    r"itemi[sz]ed bill)\b",
    r"\bwhat(?:'s|s| is)? (?:still )?(?:left|remaining|outstanding|pending)\b|"
    r"\bwhat (?:do|did|does) (?:i|we) (?:still )?owe\b|\bwhat (?:i|we) still owe\b",
    # why the sum is what it is, what was bought: "why is it 1250", "por que ta
    # 1500", "what did i even buy", "o que eu comprei"
    r"\bwhy (?:is|s) it (?:\w+\s)?\d|\bpor ?que (?:ta|esta|e|es|sale|sai|fica|da|"
    r"quedo|ficou|deu) (?:\w+\s)?\d|\bwhat did (?:i|we) (?:even |actually )?(?:buy|"
    r"purchase|order|get)\b|\bwhat (?:was|is|s) (?:this|that|it) (?:even |actually )?"
    r"for\b|\b(?:o )?que (?:foi (?:que )?)?(?:eu )?comprei\b|\bque "
    r"(?:fue lo que |es lo que )?compre\b",
)

# The sum to pay asked for a case ("what's the total if I pay today?"): a
# question about the balance, not a wish to pay now.
TOTAL_IF_PAID = _cues(
    r"\b[cq]uanto\s(?:es|e|seria|fica|sai|sale|seria)\s(?:pra|para|pa)\s(?:quitar|"
    r"liquidar|saldar|pagar)\s(?:todo|tudo|el total|o total|la deuda|a divida)\b|"
    r"\bhow much (?:is it|would it be|to) (?:to )?(?:pay (?:it )?off|settle|clear)\b|"
    r"\bwhere (?:does|did) (?:this|that|the)\s(?:\S+\s){0,3}?come from\b|"
    r"\bde donde (?:sale|salio|viene) (?:este|ese|el|esta|esa)\b|\bde onde (?:vem|veio|"
    r"saiu) (?:esse|essa|este|esta|o|a)\b",
    r"\bwhat(?:'s| is|s)? the (?:total|amount|balance|payoff)\s(?:\w+\s)?if\b|"
    r"\b[cq]uanto\s(?:seria|saldria|quedaria|es|fica|ficaria|seria o total|daria)\s"
    r"(?:el total |o total |todo |tudo )?(?:si|se)\s(?:\w+\s)?(?:pago|pagar|pagase|"
    r"pagasse|quito|quitar|liquido|liquidar)\b",
    r"\b[cq]uanto\s(?:fica|ficaria|sale|saldria|queda|quedaria|seria|sai|es|e)\s(?:com|"
    r"con)\s(?:o |el |un |um |a |la )?(?:desconto|descuento)\b|\bhow much (?:is it |"
    r"would "
    r"it be |with )?(?:with )?(?:the |a )?discount\b",
)

AFFIRM = _cues(
    r"^(?:si|sip|sii|sipi|sipo|sisi|fechou|demorou|firmeza|claro|claro que si|dale|"
    r"entendido|entendi|got it|understood|noted|anotado|anotei|copy that|"
    r"ok|okay|va|vale|sale|orale|listo|perfecto|"
    r"de acuerdo|deacuerdo|bueno|esta bien|ta bien|esta bueno|correcto|exacto|eso|"
    r"afirmativo|por supuesto|obvio|simon|aja|confirmo|confirmado|acepto|me parece|"
    r"me parece bien|hecho|trato hecho|de una|sale y vale|ya|yes|yeah|yea|ya|sure|"
    r"of course|alright|all right|right|correct|agreed|i agree|deal|sounds good|"
    r"fine|that works|works for me|absolutely|definitely|ok then|perfect|great|"
    r"sim|beleza|fechado|combinado|certo|isso|exato|pode ser|ta bom|ta|ta certo|"
    r"com certeza|claro que sim|pode|bora|uhum|aham|joia|show|valeu|otimo|perfeito|"
    r"aceito|concordo|isso mesmo|positivo|okey|oks|vamos|vamo|sim senhor|si senor|"
    r"si senora|yes sir|yes please|si por favor|sim por favor|yes i do|si claro|"
    r"claro que puedo|of course i will|va que va|sale pues|dale pues|esta bien pues|"
    r"ok ok|si si|sim sim|yes yes)\b",
)

DENY = _cues(
    r"^(?:no|nop|nope|nel|nah|nao|negativo|para nada|not at all|nada disso|"
    r"de modo algum|de ninguna forma|ni de chiste|de ninguna manera|ni loco|ni loca|"
    r"ni de broma|jamas|nunca|no way|not really|not now|ahora no|agora nao|tampoco|"
    r"no quiero|nao quero|i don't want|i dont want|no me interesa|not interested|"
    r"nao tenho interesse|no acepto|nao aceito|no estoy de acuerdo|i disagree|"
    r"no gracias|no thanks|no thank you|nao obrigado|de jeito nenhum|nem pensar|"
    r"negative|no sir|no senor|no senora|claro que no|of course not|absolutely not|"
    r"definitely not|nem a pau|que no|dije que no|i said no|eu disse que nao|"
    r"no por ahora|not at the moment|por ahora no|todavia no|ainda nao|not yet|"
    r"aun no|no puedo aceptar|no es posible|no se puede)\b",
)

# An offer turned down and nothing asked instead: "no, ese plan de 500 al mes
# no me sirve", "no, $300 a month doesn't work for me".
OFFER_REFUSED = _cues(
    r"^\W*(?:no|nope|nah|nao|nel)\b.{0,60}\b(?:no me sirve|no me conviene|no me "
    r"funciona|doesn'?t work for (?:me|us)|does not work for (?:me|us)|won'?t work for "
    r"(?:me|us)|nao me serve|nao serve (?:pra|para) mim|nao da (?:pra|para) mim|nao "
    r"funciona (?:pra|para) mim)\W*$",
)

# Words that make any message angry or fed up, whatever its intent.
FRUSTRATION = _cues(
    r"\b(?:ya basta|basta ya|basta|estoy harto|estoy harta|harto|harta|hartos|"
    r"me tienen "
    r"(?:harto|harta|hasta la madre|podrido|podrida|cansado|cansada|hinchado)|hasta la "
    r"madre|que hinchada|que hincha|que joda|que saco|saco cheio|to de saco cheio|"
    r"que chato|chega|cansei|enough|fed up|sick of|tired of|stop harassing|harass|"
    r"harassing|harassment|acoso|acosando|acosar|hostigando|hostigamiento|"
    r"leave me alone|"
    r"dejenme en paz|dejame en paz|me deixa em paz|me deixem em paz|no jodan|"
    r"no me jodan|dejen de joder|que pesados|pesados|que fastidio|fastidio|molestando|"
    r"molestos|ridiculo|ridiculous|absurdo|absurd|inaceptable|unacceptable|"
    r"a cada rato|todo el dia|every day|all day|toda hora|o tempo todo|"
    r"otra vez|de nuevo con|again\?|cuantas veces|how many times|quantas vezes)\b",
    r"\b(?:idiota|idiotas|pendejo|pendejos|pendeja|imbecil|imbeciles|estupido|"
    r"estupidos|estupida|boludo|boludos|pelotudo|pelotudos|huevon|huevones|weon|"
    r"weones|gilipollas|cabron|cabrones|hijos de puta|hijo de puta|hdp|hp|malparido|"
    r"malparidos|gonorrea|carajo|mierda|chinga|chingada|chinguen|verga|puta|puto|"
    r"putos|coño|joder|jodido|ladron|ladrones|rateros|sinverguenzas|sinverguenza|"
    r"desgraciados|desgraciado|malditos|maldito|basura|lacras|lacra|mamones|ctm|"
    r"conchetumare|concha|forros|forro|tarados|idiot|idiots|stupid|moron|morons|"
    r"fuck|fucking|fucked|fck|fk|wtf|shit|bullshit|damn|crap|assholes|asshole|"
    r"bastards|bastard|scumbags|scumbag|thieves|crooks|jerks|bitch|hell|porra|caralho|"
    r"merda|filhos da puta|filho da puta|fdp|vsf|pqp|puta que pariu|otarios|otario|"
    r"ladroes|ladrao|vagabundos|vagabundo|safados|safado|idiotas|babacas|babaca|"
    r"emoji_angry|cacete|droga)\b",
)

# Words that open a reply without meaning yes or no ("bueno, no", "well no").
FILLER = (
    r"(?:(?:pues|bueno|eh|ah|mm+|hm+|uh|um|well|olha|entao|mira|la verdad|"
    r"sinceramente|honestly|hmm+|ahh?|oh|ay|ai|pois|bom)\W+)"
)

# "Claro que no", "absolutely not": a yes-word that says no.
NEGATED_AFFIRM = _cues(
    r"^(?:claro que no|por supuesto que no|obvio que no|of course not|absolutely not|"
    r"definitely not|certainly not|sure not|claro que nao|com certeza nao)\b",
    # "mejor no", "melhor não", "I'd rather not": a polite no.
    r"^(?:%s)?(?:mejor no|melhor nao|better not|(?:i'd|i would) rather not|"
    r"prefiero (?:que )?no|prefiro (?:que )?nao|i'll pass|paso|mejor lo dejamos|"
    r"deixa pra la|deja asi|deixa assim)\b" % FILLER,
    # "bueno, no", "pues no", "well no": a filler before the no.
    r"^(?:%s)(?:no|nao|nope|nah|not really|not now|todavia no|ainda nao)\b(?!\s?se\b)"
    % FILLER,
)

# "No sé", "não sei": not a refusal, just no answer.
DONT_KNOW = _cues(
    r"^\W*(?:%s)?(?:no se|no lo se|ni idea|nao sei|sei la|i don't know|i dont know|"
    r"no idea|dunno|not sure|no estoy segur[oa]|nao tenho certeza)\W*$" % FILLER,
    # "eh? no entendí el mensaje", "não entendi", "what do you mean?"
    r"\b(?:no|nao)\s(?:te\s|le\s|les\s|lo\s|\w+\s)?entend\w*(?:\s(?:nada|el mensaje|"
    r"la mensagem|a mensagem|o que)\b)?|\b(?:didn'?t|don'?t|do not|did not) "
    r"(?:understand|get)\s(?:your|the|this|what|it|that)\b|\bwhat do (?:you|u) mean\b",
)

# Payment means asked for: these make a message pay_now even with a reason.
PAYMENT_MEANS = _cues(
    r"\b(?:link|enlace|liga|clabe|cbu|cvu|alias|pix|boleto|codigo de barras|qr|"
    r"numero de cuenta|datos bancarios|dados bancarios|account number|bank details|"
    r"referencia|paypal|tarjeta|cartao|card|efectivo|cash|debito|debit|credito|credit|"
    r"oxxo|mercado pago|mercadopago|zelle|venmo|nequi|yape|spei|picpay|walmart|"
    r"7 eleven|seven eleven|cvs|walgreens|loterica|farmacia|transferencia "
    r"bancaria|bank transfer|wire|cheque|upi|pse|bizum|sinpe|plin)\b",
)

# Asking leave: a question with one of these is a request, not a promise.
PERMISSION = _cues(
    r"\b(?:puedo|podria|podemos|se puede|seria posible|habra chance|hay chance|"
    r"posso|podemos|da pra|daria pra|pode ser|can i|could i|can we|could we|may i|"
    r"any chance|is it ok|is it okay|would it be|is that ok|ok if|esta bien si|"
    r"te parece si|le parece si|tudo bem se|consigo|hay forma|hay manera|hay modo|"
    r"is there a way|is there any way|tem como|tem jeito|could it|can it|would it|"
    r"habria (?:la )?posibilidad|hay (?:la |alguna )?posibilidad|existe la posibilidad|"
    r"aceptan que|acepta que|aceitam que|aceita que|teria como|"
    r"(?:would|will|do|could) (?:you|u) accept)\b",
)

# A payment told in the past tense ("hice la transferencia", "mandei o pix",
# "I sent the money"): already paid when the message also says when, in the
# past ("ayer", "last week", "ontem"). "Hice el pago" alone is past already.
PAID_ACT = _cues(
    r"\b(?:pague|page|pagamos|deposite|transferi|abone|cancele|liquide|salde|"
    r"(?:hice|realice|efectue|mande|envie|hicimos|realizamos)\s(?:el|la|un|una|"
    r"los|las)\s(?:pago|deposito|transferencia|abono|pagos|depositos|bizum|giro|"
    r"yape|plin|nequi|sinpe)|"
    r"paguei|depositei|transferi|quitei|(?:fiz|mandei|enviei|efetuei|realizei)\s"
    r"(?:o|a|um|uma)\s(?:pix|pagamento|deposito|transferencia|ted|doc)|"
    r"paid|sent(?!\s(?:\w+\s)?back\b)|made (?:a|the) payment|transferred|deposited|"
    r"did (?:a |the |my )?payment|bizum\w*|"
    r"wired|went through)\b",
)
PAST_TIME = _cues(
    r"\b(?:ayer|anteayer|antier|anoche|ontem|anteontem|yesterday|last (?:night|week|"
    r"month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"(?:semana|mes|quincena|viernes|lunes|martes|miercoles|jueves|sabado|domingo)\s"
    r"pasad[oa]|(?:semana|mes|sexta|segunda|terca|quarta|quinta)\s(?:feira\s)?"
    r"passad[oa]|hace\s(?:\d+|un|una|unos|unas|rato|tiempo)|faz\s(?:\d+|um|uma|"
    r"uns|umas|tempo)|\w+ ago|this morning|esta manana|hoje cedo|hoy temprano)\b",
    # earlier the same day: "hoy a la mañana", "hoje mais cedo", "earlier today"
    r"\b(?:hoy (?:a|en|por) la manana|hoy al mediodia|temprano hoy|earlier today|"
    r"earlier this morning|hoje (?:de|pela) manha|hoje mais cedo|mais cedo|"
    r"hace (?:un )?rato|ha pouco|agora pouco|just now)\b",
    r"\bhice\s(?:el|la|un|una)\s(?:pago|deposito|transferencia|abono)\b",
)

# A refusal to pay, without a day: "no pienso pagar", "não vou pagar isso",
# "I won't pay". A "no", not a promise; "no voy a pagar hasta el 15" is one.
REFUSAL = _cues(
    r"\b(?:no|nao)\s(?:le\s|les\s|te\s|lhe\s|lhes\s|te\s)?(?:voy a|vamos a|pienso|"
    r"pensamos|vou|vamos|penso em|pretendo|quiero|quero)\s(?:\w+\s)?(?:pagar|pagarlo|"
    r"pagarla|pagarles|pagarle|pagarte|quitar)\b(?!\s(?:\w+\s)?(?:hasta|ate|antes|"
    r"sino|hoy|hoje|todavia|ainda|ahora|agora|ya|ja|todo de una|tudo de uma)\b)",
    r"\b(?:no|nao)\s(?:le\s|les\s|te\s|lhe\s)?(?:pago|pagamos)\s(?:nada|nunca|"
    r"eso|esto|isso|isto|ni)\b",
    # "ni en pedo pago eso", "ni de coña", "nem fodendo", "no way I'm paying"
    r"^\W*(?:ni en pedo|ni a palos|ni de cona|ni cagando|ni muerto|ni muerta|ni loco|"
    r"ni loca|ni de chiste|ni soñando|ni sonando|nem fodendo|nem morto|nem morta|"
    r"nem a pau|nem ferrando|nem sonhando|no way|not a chance|hell no|fat chance)\b",
    r"\b(?:me niego|nos negamos|me recuso|nos recusamos|recuso-me)\s(?:a\s)?pagar\b|"
    r"\b(?:i|we)\s(?:refuse|will not|won't|am not going to|ain't)\s(?:to\s)?pay\b"
    r"(?!\s(?:\w+\s)?(?:until|till|before|today|now|yet|all)\b)|\b(?:i'm|i am|we're|"
    r"we are)\snot\s(?:going to\s)?pay(?:ing)?\s(?:you\s|u\s)?(?:anything|a dime|"
    r"a cent|that|this|it|shit|for)\b",
)

# Later without a day: "pronto", "em breve", "soon". Paying then is a promise
# even with a payment means named ("em breve faço o pix").
SOON = _cues(
    r"\b(?:pronto|prontito|en un rato|al rato|mas tarde|em breve|daqui a pouco|"
    r"mais tarde|soon|later|in a bit|in a while)\b"
)

# Hardship beyond doubt, said without asking for anything: an illness and its
# treatment, no income at all, living from one pay to the next. The rules keep
# it over the model's guess.
HARDSHIP_SURE = _cues(
    r"\b(?:quimio\w*|chemo\w*|dialisis|dialysis|dialise|hemodialise|radioterapia|"
    r"radiation therapy|cancer|tumor|internad[oa]s?|hospitalizad[oa]s?|en el hospital|"
    r"in the hospital|no hospital|en terapia intensiva|na uti|in the icu|"
    r"paycheck to paycheck|check to check|nothing (?:is )?coming in|no (?:money|"
    r"income) "
    r"coming in|no entra nada|nao entra nada|no (?:me |nos )?(?:queda|sobra) nada|"
    r"nao (?:me |nos )?sobra nada|nao sobra (?:nada|um real)|laid off|lost my job|"
    r"me despidieron|me corrieron del trabajo|perdi (?:el|mi) (?:trabajo|empleo)|"
    r"perdi (?:o|meu) (?:emprego|trabalho)|fui demitid[oa]|fui mandad[oa] embora|"
    r"desemplead[oa]|desempregad[oa]|unemployed|out of work)\b",
    r"\b(?:hospital bed|cama de hospital|cama del hospital|leito de hospital|"
    r"flood|flooded|floods|enchente|alagou|inundacion|inundo|se nos inundo|"
    r"lost everything|perdimos todo|perdemos tudo|perdi tudo|perdi todo|"
    r"(?:got|been|was|were) let go|(?:let|laid) me (?:go|off)|(?:mandou|"
    r"mandaram)\s(?:\w+\s)"
    r"{0,3}?(?:pessoal|funcionarios|gente|empregados) embora|(?:got|been|was|"
    r"were) let go|me dejaron sin (?:trabajo|chamba|empleo)|"
    r"(?:cut|laid off|let go)\s(?:\w+\s){0,2}?(?:staff|workers|people|employees|jobs)|"
    r"(?:cortou|cortaram|demitiu|demitiram|mandou embora|mandaram embora)\s(?:\w+\s)"
    r"{0,2}?(?:pessoal|funcionarios|gente|empregados)|(?:recortaron|corrieron|"
    r"despidieron|echaron)\s(?:\w+\s){0,2}?(?:personal|empleados|trabajadores|gente))\b",
    r"\b(?:solo|apenas|so) (?:me quedan?|tengo|tenho|me sobran?|sobrou|"
    r"sobram) (?:como |"
    r"unos |uns |umas |unas )?\$?\d+\s(?:pesos|reais|dolares|dollars|bucks|lucas)?\s?"
    r"(?:para|pra|pro|hasta|ate|until|for)\b",
    r"\b(?:las|as) (?:cosas|coisas) (?:aqui |alla |la )?(?:en|em|en la|na) casa\s(?:no|"
    r"nao)\s(?:estan|andan|tao|estao|van|vao|ta)\b",
)
# An explicit plan asked for: a hardship story with one is a plan request.
PLAN_ASKED = _cues(
    r"\b(?:cuotas?|parcel\w*|installments?|payment plan|plan de pagos?|dividir|"
    r"split|en partes|em partes|in parts|prestacoes|a plazos|financiar|monthly plan|"
    r"monthly payments?|plan mensual|pagos mensuales|pagamentos mensais|"
    r"mensalidades)\b",
)

# Leave asked at the start of a sentence said aloud, where no question mark
# is written ("puedo pagar el quince", "da pra pagar so em duas semanas", "is
# it cool if i pay on the tenth").
OPENING_PERMISSION = _cues(
    r"^\W*(?:(?:eh|ahn|ah|so|oye|oiga|mire|mira|olha|entao|hey|oi|hola|bueno|pues|este|"
    r"and|y|e|listen|look|ok|okay|well|ouve|escuche|"
    r"pls|please|por favor|senor|senora|senhor|senhora|moca|ma'am|sir)\s)*"
    r"(?:(?:y|e|and)\s)?(?:puedo|podria|podemos|se puede|se podria|se pudiera|"
    r"y si (?:mejor )?(?:le |te |les )?pago|seria (?:mucha )?(?:molestia|problema) si|"
    r"would it be (?:a problem|too much trouble) if i|tem problema se eu|"
    r"e se eu pagar|what if i pay|i was hoping i could|"
    r"seria posible|habra chance|"
    r"hay chance|sera que puedo|posso|podemos|da pra|daria pra|da para|pode ser|"
    r"tem como|"
    r"tem jeito|teria como|can i|could i|can we|could we|may i|any chance|is it ok|"
    r"is it okay|is it cool|is it alright|is it possible|would it be|is that ok|"
    r"would you let me|"
    r"hay forma|hay manera|is there a way|no hay forma|voces esperam|ustedes esperan)\b"
)
# The English asking forms: a question whatever sum it names ("can i pay the
# 300 on monday instead").
ASKING_IN_ENGLISH = _cues(
    r"^\W*(?:\w+\s)?(?:can i|could i|can we|could we|may i|any chance|is it ok|"
    r"is it okay|is it cool|is it alright|is it possible|would it be|is that ok)\b"
)

# An English question by its word order, without a question mark.
INVERTED_QUESTION = _cues(
    r"^\W*(?:\w+\W+)?(?:can|could|may|would|will)\s(?:i|we|you|u)\b"
)

# Paying, as a verb or an act, anywhere in a message.
PAY_ACT_CUE = _cues(r"\b%s\b" % PAY_ACT)

# Words of a yes-or-no that the weak pay wish ("quiero pagar") is made of.
WEAK_PAY_WISH = _cues(
    r"\b(?:quiero|quisiera|deseo|quero|gostaria de|i want to|i'd like to|"
    r"i would like to|"
    r"i wanna|want to)\s(?:pagar|pay|quitar|liquidar|saldar)\b",
)

# Everyday words near a keyword that are no typo of it ("duda" is no "deuda",
# "cuando" no "cuanto"): the typo corrector leaves them alone. The last block
# lists the real words one slip away from a keyword found by running the
# corrector over a large es/pt/en vocabulary (Odoo's own translations).
COMMON_WORDS = frozenset(
    """
    duda dudas cuando quando casa cara caro cosa cosas vida mismo misma pena
    pasa paso pase pasar pasado pasada pues puse pone pongo ponen poner toda
    todas todos tanto tanta poco poca pocos bien bueno buena malo mala nuevo
    nueva hora horas ahora otro otra otros otras algo alguna alguno nunca
    siempre donde adonde entonces aunque pero sino solo sola ella ellos ellas
    nosotros usted ustedes vamos vaya vean verdad favor gracias hola chao
    chau saludos tarde tardes noche noches ayer anoche hace hacer hago hizo
    dijo dije digo decir dicen sabe saben saber creo cree creer parece queda
    quedo quede estar estoy estas esta estan estaba estuve fueron fuimos
    tienen tiene tengo tenia tener tenemos puede pueden puedo poder podemos
    quiero quiere quieren querer necesito necesita mandar manda mando mande
    llamo llama llamar trabajo trabajar trabaja casa familia esposa esposo
    hijo hija hijos hijas mama papa madre padre hermano hermana banco bancos
    carta cartas cuenta cuentas claro clara listo lista sale salir venga
    this that there these those where when what which while with would
    could should about after again also always another because before being
    between both cannot come comes coming does doing done down each even
    every from have having here into just know last like little long look
    made make many maybe more most much must never next only other over
    please really right same since some still such sure take than thank
    thanks their them then they thing things think those though through
    time today told until very want wanted week well were what whatever
    your yours work working call called calling text texted money phone
    number name guys mine credit ready whole
    voce voces quando onde como porque porem mas mesmo mesma coisa coisas
    tudo todo toda todos todas nada muito muita pouco pouca agora ontem hoje
    amanha semana mes ano dia dias hora horas tarde noite obrigado obrigada
    favor certo certa claro boa bom bem mal casa banco conta contas cartao
    pagar pago paguei pagamento dinheiro grana trabalho emprego familia
    filho filha filhos mae pai irmao irma esposa marido gente pessoa pessoas
    falar falou fala ligar ligou liga mandar mandou manda saber sabe sei
    passado passada passou passar nessa nesse desse dessa isso essa esse
    contar llegar dejar quedar pasar llevar tomar tratar buscar esperar hablar
    llamar mandar enviar cobrar ganar gastar comprar vender usar entrar salir
    volver poner tener hacer decir poder querer saber venir vivir escribir
    recibir abrir seguir pedir sentir dormir comer beber correr creer mirar
    ayudar arreglar revisar cambiar pensar entender trabajar necesitar
    cuento cuentas cuenta cuentan vuelvo vuelve vuelven pienso piensa
    entiendo entiende siento siente sigo sigue siguen pido pide piden digo
    dice dicen hago hace hacen vengo viene vienen tengo tiene tienen pongo
    ficar chegar deixar levar tentar falar ligar ganhar vender voltar fazer
    dizer viver escrever receber abrir morar trabalhar precisar achar olhar
    mudar resolver lembrar esquecer conseguir consigo consegue conseguem
    acreditar ajudar esperar mandar pedir pegar
    work works worked check checked checking send sending sent keep keeping
    leave leaving help helping wait waiting start started stop stopped
    saludo saludos cierto cierta cuadro tienes bienes aceite contra correcta
    cerrado cerrada fallido fallida reglas medida comparar reminder shift potted
    salad filed lateral financieras financeiras comparte commerce converte
    converse operate
    abierto actualizado algum algunas alunos aumento belleza borra caliente
    canada canto capas carbon cereza ciente clave compare connect conosco
    contagem contatar contato contra contract contraste correto cuarto
    debido devemos duvida efetivo ello exact exist extracto fatura
    financiamento foros fully gracas height hockey imediato ingresso
    ingressos interesses konta latter liquidez loose mandate maneira mantera
    manzana mount older paisaje parede pausada pendente perdido pertence
    pesado playing precios projeto quant quarto quebra quiera reverencia
    sound sstart tempos testing tienden trees perdidos perdida perdidas autorize
    recurso recursos detective viram shopped
    perdon perdao disculpa desculpa sorry mejor melhor actually
    """.split()
)


# A message that tries to steer the agent ("ignore your instructions", "olvida
# tus reglas"): what the customer says after taking it back is what counts.
INJECTION = _cues(
    r"\b(?:ignore|ignora|ignorar|ignoren|forget|olvida|olvidate|esquece|esqueca)\s"
    r"(?:\w+\s){0,2}?(?:instructions|instrucciones|instrucoes|rules|reglas|regras|"
    r"previous|prior|anteriores|anteriormente|lo que te dijeron|o que te disseram|"
    r"what you were told)\b",
)
# Taking it back: "no mentira", "just kidding", "bueno no, en serio", "ok fine".
RETRACTION = _cues(
    r"\b(?:no mentira|es mentira|mentira|just kidding|kidding|jk|j/k|en serio|"
    r"hablando en serio|falando serio|serio agora|brincadeira|to brincando|"
    r"brincadeirinha|ok fine|okay fine|fine|alright|seriously|bueno no|ta bom|"
    r"broma|es broma|era broma)\b",
)
# A message sent to the wrong chat: "wrong chat, that was for my sister",
# "msg errada kkk era pro grupo", "perdón, estaba hablando con mi hijo".
MISSENT = _cues(
    r"\bwrong (?:chat|convo|conversation|group|thread|window|text)\b|"
    r"\b(?:chat|grupo|conversa|conversacion|group) (?:equivocad[oa]|errad[oa])\b|"
    r"\b(?:msg|mensagem|mensaje|mensage|audio|message|text|zap) (?:errad[oa]|"
    r"equivocad[oa])\b|\b(?:that|this|it|eso|esto|isso|esse|ese|ese audio|esse audio|"
    r"el audio|o audio)\s(?:was|era|iba)\s(?:meant\s)?(?:for|para|pra|pro|pa)\s(?:my|"
    r"mi|"
    r"minha|meu|o grupo|el grupo|a minha|o meu|el|la)\b|"
    r"\b(?:estaba|estava|tava|taba|was)\s(?:hablando|falando|talking)\s(?:con|com|to|"
    r"with)\s(?:mi|meu|minha|my|el|la|o|a)\s(?:hij|filh|son|daughter|kid|esposo|esposa|"
    r"marido|mujer|mulher|wife|husband|mama|mae|mom|hermana?|irma|sister|brother|"
    r"amig|friend|vecin|vizinh|neighbo)"
)
