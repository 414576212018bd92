"""Words that report an incident, per language: protests, riots, clashes, attacks, arrests …

Each table maps a folded word, or a stem ending in ``*`` (any word that starts with it), to a
*kind* of incident. A kind is not yet an ACLED type: :mod:`geomap.extract.events` decides the
type from the kinds of a sentence together (an attack on protesters by police is excessive
force, one by a mob is a riot, one with a bomb is an explosion).

Kinds
-----
``protest``  demonstrations, rallies, pickets, strikes
``riot``     riots, unrest, looting, arson, vandalism, mobs
``clash``    clashes and confrontations (a riot, or a battle when armed forces are named)
``attack``   attacks, raids, assaults
``bomb``     bombs, explosions, suicide attacks
``shoot``    shootings, massacres, people shot
``terror``   terrorist attacks
``abduct``   hostage-taking, abductions, disappearances
``sexual``   rape and sexual violence
``torture``  torture (in custody: violence against civilians)
``battle``   fighting and military operations
``arrest``   arrests and detentions
``deploy``   forces deployed or sent (only with a force noun in the sentence)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from geomap.extract.text import Token
from geomap.textnorm import fold

_TABLES: dict[str, dict[str, str]] = {
    "en": {
        "protest*": "protest",
        "demonstrat*": "protest",
        "rally": "protest",
        "rallies": "protest",
        "rallied": "protest",
        "picket*": "protest",
        "strikers": "protest",
        "walkout*": "protest",
        "sit-in*": "protest",
        "marched": "protest",
        "marchers": "protest",
        "marches": "protest",
        "marching": "protest",
        "riot*": "riot",
        "unrest": "riot",
        "violence": "riot",
        "loot*": "riot",
        "rampage*": "riot",
        "arson*": "riot",
        "vandal*": "riot",
        "mob": "riot",
        "clash*": "clash",
        "skirmish*": "clash",
        "attack*": "attack",
        "assault*": "attack",
        "raid": "attack",
        "raided": "attack",
        "raids": "attack",
        "stormed": "attack",
        "bomb*": "bomb",
        "explosion*": "bomb",
        "exploded": "bomb",
        "blast*": "bomb",
        "massacre*": "shoot",
        "shooting*": "shoot",
        "gunman": "shoot",
        "gunmen": "shoot",
        "gunfire": "shoot",
        "terrorist": "terror",
        "hostage*": "abduct",
        "abduct*": "abduct",
        "kidnap*": "abduct",
        "rape*": "sexual",
        "raped": "sexual",
        "fighting": "battle",
        "battle*": "battle",
        "offensive": "battle",
        "arrest*": "arrest",
        "detain*": "arrest",
        "deploy*": "deploy",
        "sent": "deploy",
        "dispatched": "deploy",
    },
    "nb": {
        "protest*": "protest",
        "demonstr*": "protest",
        "marsj*": "protest",
        "markering*": "protest",
        "streik*": "protest",
        "opptoy*": "riot",
        "uro": "riot",
        "uroen": "riot",
        "urolighet*": "riot",
        "plyndr*": "riot",
        "pabrent": "riot",
        "patent": "riot",
        "haerverk*": "riot",
        "mobb*": "riot",
        "sammenstot*": "clash",
        "angrep*": "attack",
        "angrip*": "attack",
        "angrepet": "attack",
        "stormet": "attack",
        "atak*": "attack",
        "bombe*": "bomb",
        "bilbombe*": "bomb",
        "bomba": "bomb",
        "bombinga": "bomb",
        "eksplosjon*": "bomb",
        "massakre*": "shoot",
        "skyting*": "shoot",
        "skytinga": "shoot",
        "terrorangrep*": "terror",
        "terroratak*": "terror",
        "gissel*": "abduct",
        "kidnapp*": "abduct",
        "voldtekt*": "sexual",
        "kamper": "battle",
        "kampene": "battle",
        "pagrep*": "arrest",
        "arrest*": "arrest",
        "anholdt*": "arrest",
        "innbrakt*": "arrest",
        "utplasser*": "deploy",
        "sendte": "deploy",
        "sendt": "deploy",
    },
    "da": {
        "protest*": "protest",
        "demonstr*": "protest",
        "march*": "protest",
        "strejk*": "protest",
        "optoj*": "riot",
        "uro": "riot",
        "uroligheder*": "riot",
        "plyndr*": "riot",
        "haervaerk*": "riot",
        "sammenstod*": "clash",
        "angreb*": "attack",
        "stormede": "attack",
        "bombe*": "bomb",
        "eksplosion*": "bomb",
        "massakre*": "shoot",
        "skyderi*": "shoot",
        "skudt": "shoot",
        "terrorangreb*": "terror",
        "gidsel*": "abduct",
        "voldtaegt*": "sexual",
        "kampe": "battle",
        "kampene": "battle",
        "anholdt*": "arrest",
        "arresteret": "arrest",
        "arrestation*": "arrest",
        "udstationer*": "deploy",
        "sendte": "deploy",
    },
    "sv": {
        "protest*": "protest",
        "demonstr*": "protest",
        "marsch*": "protest",
        "strejk*": "protest",
        "upplopp*": "riot",
        "kravall*": "riot",
        "oroligheter*": "riot",
        "oroligheterna": "riot",
        "plundr*": "riot",
        "skadegorelse*": "riot",
        "sammandrabbning*": "clash",
        "sammanstotning*": "clash",
        "attack*": "attack",
        "angrepp*": "attack",
        "angrep": "attack",
        "stormade": "attack",
        "bomb*": "bomb",
        "explosion*": "bomb",
        "massaker*": "shoot",
        "skottlossning*": "shoot",
        "terrorattack*": "terror",
        "terrordad*": "terror",
        "gisslan*": "abduct",
        "kidnapp*": "abduct",
        "valdtakt*": "sexual",
        "gripits": "arrest",
        "greps": "arrest",
        "gripna": "arrest",
        "arrester*": "arrest",
        "anhall*": "arrest",
        "gripande*": "arrest",
        "satta": "deploy",
        "skickade": "deploy",
        "sande": "deploy",
    },
    "de": {
        "protest*": "protest",
        "demonstr*": "protest",
        "marsch*": "protest",
        "kundgebung*": "protest",
        "streik*": "protest",
        "sitzblockade*": "protest",
        "krawall*": "riot",
        "ausschreitung*": "riot",
        "unruhen": "riot",
        "aufruhr*": "riot",
        "aufstand": "riot",
        "plunder*": "riot",
        "randal*": "riot",
        "brandstift*": "riot",
        "zusammensto*": "clash",
        "auseinandersetzung*": "clash",
        "angriff*": "attack",
        "angegriffen": "attack",
        "uberfall*": "attack",
        "gesturmt": "attack",
        "sturmten": "attack",
        "bombe*": "bomb",
        "bombenanschlag*": "bomb",
        "explosion*": "bomb",
        "sprengsatz*": "bomb",
        "massaker*": "shoot",
        "schusse": "shoot",
        "erschossen": "shoot",
        "anschlag*": "terror",
        "terroranschlag*": "terror",
        "terrorangriff*": "terror",
        "geisel*": "abduct",
        "entfuhr*": "abduct",
        "verschwanden": "abduct",
        "vergewaltig*": "sexual",
        "gefecht*": "battle",
        "kampfe": "battle",
        "festgenommen": "arrest",
        "festnahme*": "arrest",
        "verhaftet": "arrest",
        "verhaftung*": "arrest",
        "inhaftiert": "arrest",
        "eingesetzt": "deploy",
        "entsandt*": "deploy",
        "stationiert": "deploy",
    },
    "fr": {
        "manifest*": "protest",
        "protest*": "protest",
        "rassemblement*": "protest",
        "greve*": "protest",
        "emeute*": "riot",
        "violences": "riot",
        "pillage*": "riot",
        "pille*": "riot",
        "saccag*": "riot",
        "vandalisme": "riot",
        "incendies": "riot",
        "affrontement*": "clash",
        "heurts": "clash",
        "attaque*": "attack",
        "assaut*": "attack",
        "bombe*": "bomb",
        "explosion*": "bomb",
        "attentat*": "terror",
        "massacre*": "shoot",
        "fusillade*": "shoot",
        "otage*": "abduct",
        "enlev*": "abduct",
        "viol": "sexual",
        "viols": "sexual",
        "combat*": "battle",
        "interpell*": "arrest",
        "arrestation*": "arrest",
        "deploy*": "deploy",
        "envoy*": "deploy",
    },
    "ru": {
        "протест*": "protest",
        "демонстрац*": "protest",
        "демонстрант*": "protest",
        "митинг*": "protest",
        "пикет*": "protest",
        "акци*": "protest",
        "забастов*": "protest",
        "шестви*": "protest",
        "беспорядк*": "riot",
        "волнени*": "riot",
        "насили*": "riot",
        "погром*": "riot",
        "мародер*": "riot",
        "бунт*": "riot",
        "поджог*": "riot",
        "столкновени*": "clash",
        "стычк*": "clash",
        "нападени*": "attack",
        "напал*": "attack",
        "атак*": "attack",
        "штурм*": "attack",
        "взрыв*": "bomb",
        "бомб*": "bomb",
        "теракт*": "terror",
        "расстрел*": "shoot",
        "стрельб*": "shoot",
        "заложник*": "abduct",
        "похищ*": "abduct",
        "изнасил*": "sexual",
        "бои": "battle",
        "боев*": "battle",
        "задержал*": "arrest",
        "задержан": "arrest",
        "задержана": "arrest",
        "задержаны": "arrest",
        "задержано": "arrest",
        "задержани*": "arrest",
        "арестовал*": "arrest",
        "арестован": "arrest",
        "арестованы": "arrest",
        "ввели": "deploy",
        "направил*": "deploy",
        "введены": "deploy",
    },
}
#: Words a stem would take that name people or things, not an incident: the attackers, the
#: detained, the riot police.
_NOT_INCIDENTS = frozenset(
    fold(w)
    for w in (
        "attackers assailants angripere angriperne angripare angribere angreifer agresseurs "
        "attaquants нападавшие нападавших задержанные задержанных задержанным"
    ).split()
)
#: Words after which an incident word only qualifies a noun (*riot police*, *protest camp*).
_QUALIFIED = frozenset(
    fold(w) for w in "police gear squad polis politi polizei shield shields van vans".split()
)

#: Languages that share another's table.
_SHARED = {"nn": "nb", "no": "nb"}
#: Extra words of Nynorsk on top of the Bokmål table.
_EXTRA = {"nn": {"skaut": "shoot", "skyting": "shoot", "bomba": "bomb", "bombinga": "bomb"}}

#: Words that negate a trigger within the few words before it (*no clashes*, *ikke meldt om*).
NEGATIONS = frozenset(
    fold(w)
    for w in (
        "no not never without ikke ikkje aldri uten utan inte aldrig ingen inga intet "
        "nicht kein keine keinen keiner nie ohne pas jamais sans aucun aucune "
        "не нет без никаких"
    ).split()
)
_NEGATION_REACH = 3
_NEGATION_AFTER = 2

#: Nouns of forces that make a sending verb a deployment (*sent troops*, *sendte styrker*).
FORCE_WORDS = frozenset(
    fold(w)
    for w in (
        "troops soldiers forces force contingent police officers peacekeepers reinforcements "
        "styrker styrke tropper soldater politi poliser politifolk fredsbevarende "
        "styrkor trupper soldaterna polis poliser "
        "tropper soldater styrker politibetjente "
        "truppen soldaten streitkrafte polizei polizisten volkspolizei bundeswehr "
        "troupes soldats forces policiers gendarmes renforts "
        "войска войск военных солдат силы контингент полиция полицейских миротворцы"
    ).split()
)


_QUOTE_REACH = 400  # characters back where a quote around an incident word may open


def _whole_kind(tokens: Sequence[Token], index: int, half: str) -> str | None:
    """The kind of an incident told in two words, of which the word at ``index`` is one:
    *a military operation* (*opération militaire*, *военная операция*), German *stießen …
    zusammen*."""
    if half == _OPERATION:
        near = tokens[max(0, index - 1) : index + 2]
        return "battle" if any(t.key.startswith(_MILITARY_WORDS) for t in near) else None
    later = tokens[index + 1 : index + 1 + _PARTICLE_REACH]
    return "clash" if any(t.key == "zusammen" for t in later) else None


_OPERATION, _SPLIT = "operation?", "zusammen?"  # the first half of a kind told in two words
_HALVES = frozenset({_OPERATION, _SPLIT})
_PARTICLE_REACH = 15  # words between a German verb and its particle


def _in_a_post(text: str, start: int) -> bool:
    """Whether the sentence whose first word starts at ``start`` quotes a social-media post
    (*@someone: …*, *RT @someone: …*): somebody's words, as inside quotation marks."""
    return _POST.match(text, max(0, start - 1), start + _POST_HEAD) is not None


_POST = re.compile(r"@\w+:|\W?RT @\w+:")
_POST_HEAD = 64  # characters: a handle and its colon


def _named_or_quoted(text: str, tokens: Sequence[Token], index: int) -> bool:
    start = tokens[index].start
    if index and text[start - 1 : start] == "-" and tokens[index - 1].is_capitalised:
        return True  # Marikana-massakren: the name of the event
    opening = text[max(tokens[0].start, start - _QUOTE_REACH) : start]  # bounded: linear work
    quotes = opening.count('"') % 2 == 1
    return (
        quotes or opening.count("«") > opening.count("»") or opening.count("“") > opening.count("”")
    )


_CACHE_LIMIT = 1 << 17  # words remembered per language before the memory starts afresh
#: Per language: the words already looked up, and those among them that are incident words.
_SEEN: dict[str, set[str]] = {}
_HITS: dict[str, dict[str, str]] = {}


def _kinds(keys: frozenset[str], language: str) -> dict[str, str]:
    """The incident words among a sentence's ``keys`` and their kinds. Each distinct word is
    looked up once and remembered, so a sentence costs two set operations in C."""
    seen = _SEEN.setdefault(language, set())
    hits = _HITS.setdefault(language, {})
    if len(seen) > _CACHE_LIMIT:
        seen.clear()
        hits.clear()
    for key in keys - seen:
        seen.add(key)
        kind = kind_of(key, language)
        if kind is not None:
            hits[key] = kind
    found = keys & hits.keys()
    return {key: hits[key] for key in found} if found else {}


@dataclass(frozen=True, slots=True)
class Trigger:
    """A word at token ``index`` that reports an incident of ``kind``."""

    index: int
    kind: str


def _compile(table: dict[str, str]) -> tuple[dict[str, str], dict[str, str], tuple[int, ...]]:
    words: dict[str, str] = {}
    stems: dict[str, str] = {}
    for word, kind in table.items():
        if word.endswith("*"):
            stems[fold(word[:-1]).replace(" ", "")] = kind
        else:
            words[fold(word).replace(" ", "")] = kind
    lengths = tuple(sorted({len(stem) for stem in stems}, reverse=True))
    return words, stems, lengths


_COMPILED = {language: _compile(table) for language, table in _TABLES.items()}
_COMPILED["nn"] = _compile({**_TABLES["nb"], **_EXTRA["nn"]})


def languages() -> frozenset[str]:
    """The languages with a table of their own or shared."""
    return frozenset(_COMPILED) | frozenset(_SHARED)


#: Petrol bombs in every language (*firebombs*, *brannbomber*, *Brandsätze*, *cocktails
#: Molotov*, *коктейли Молотова*): thrown by a crowd, they tell of a riot, not an explosion.
_FIRE_BOMBS = tuple(
    fold(stem)
    for stem in (
        "firebomb molotov molotow молотов brannbomb brandbomb brandsatz brandsätz "
        "benzinbomb bensinbomb"
    ).split()
)
#: Torture in every language (*tortured*, *torturert*, *tortyr*, *Folter*, *пытки*).
_TORTURE = tuple(fold(stem) for stem in "tortur tortyr folter gefoltert пытк".split())
#: Military operations written as one word (*Militäroperation*, *militæroperasjon*,
#: *спецоперация*); *military operation* in two words is read in :func:`find_triggers`.
_MILITARY_OPERATIONS = tuple(
    fold(stem)
    for stem in "militäroperation militaeroperation militæroperasjon militäroperasjon "
    "militaroperation спецоперац".split()
)
#: Words of the army that make the operation after or before them a battle.
_MILITARY_WORDS = ("milit", "воен")
_OPERATIONS = ("operation", "operasjon", "операци")
#: German verbs of clashing split from their particle (*stießen … zusammen*).
_SPLIT_CLASHES = frozenset(fold(w) for w in "stießen stieß stoßen stößt".split())
#: Words that make the bomb after them a petrol bomb (*petrol bombs*, *incendiary bombs*).
_FIRE_WORDS = frozenset("petrol gasoline incendiary fire molotov incendiaires".split())


@lru_cache(maxsize=1 << 16)
def kind_of(key: str, language: str) -> str | None:
    """The incident kind a folded word reports in ``language``; ``None`` for most words."""
    compiled = _COMPILED.get(language) or _COMPILED.get(
        _SHARED.get(language, "en"), _COMPILED["en"]
    )
    words, stems, lengths = compiled
    if key in _NOT_INCIDENTS:
        return None
    if key.startswith(_FIRE_BOMBS):
        return "riot"  # a crowd's weapon, not a remote explosive
    if key.startswith(_TORTURE):
        return "torture"
    if key.startswith(_MILITARY_OPERATIONS):
        return "battle"
    if key.startswith(_OPERATIONS):
        return _OPERATION
    if language == "de" and key in _SPLIT_CLASHES:
        return _SPLIT
    kind = words.get(key)
    if kind is not None:
        return kind
    for length in lengths:
        if len(key) >= length:
            kind = stems.get(key[:length])
            if kind is not None:
                return kind
    return None


def find_triggers(
    tokens: Sequence[Token],
    language: str,
    *,
    text: str = "",
    keys: frozenset[str] | None = None,
) -> list[Trigger]:
    """The incident words of a sentence, without those negated (*no new clashes*), those
    that qualify a noun (*riot police*), those in the name of an event already told
    (*Marikana-massakren*), those inside quotation marks (a speaker's words) and those of a
    quoted social-media post (*@someone: I hear gunfire*).

    ``keys`` are the sentence's folded words when already known (``Sentence.keys``).
    """
    found: list[Trigger] = []
    kinds = _kinds(keys if keys is not None else frozenset(t.key for t in tokens), language)
    if not kinds or (text and _in_a_post(text, tokens[0].start)):
        return found
    for index, token in enumerate(tokens):
        kind = kinds.get(token.key)
        if kind in _HALVES:
            kind = _whole_kind(tokens, index, kind)
        if kind is None or token.is_number:
            continue
        around = (
            *tokens[max(0, index - _NEGATION_REACH) : index],
            *tokens[index + 1 : index + 1 + _NEGATION_AFTER],
        )
        if any(t.key in NEGATIONS for t in around):
            continue  # *no new clashes*, *о столкновениях не сообщалось*
        if index + 1 < len(tokens) and tokens[index + 1].key in _QUALIFIED:
            continue
        if text and _named_or_quoted(text, tokens, index):
            continue
        if kind == "deploy" and not any(t.key in FORCE_WORDS for t in tokens):
            continue
        if kind == "bomb" and index and tokens[index - 1].key in _FIRE_WORDS:
            kind = "riot"  # *petrol bombs*
        found.append(Trigger(index, kind))
    return found
