"""Words the extractor knows, per language: counts, verbs, qualifiers, dates, actors.

Data, not logic. Each table maps a folded word (or a word prefix ending in ``*``) to what it
means. Languages share a table where their words do not collide.
"""

from __future__ import annotations

# What a count is of, from the noun that follows the number.
PEOPLE = frozenset(
    "mennesker personer folk people persons civilians sivile человек человека людей граждан "
    "menschen personen personnes manniskor civila".split()
)
COUNT_NOUNS: dict[str, str] = {
    **dict.fromkeys(
        "soldater soldat soldiers soldier troops tropper militaere servicemen fredsbevarere "
        "peacekeepers военнослужащих военнослужащие военных солдат миротворцев soldaten "
        "soldats militaires trupper".split(),
        "troops",
    ),
    **dict.fromkeys(
        "shopping centres centers malls торговых центров kjopesentre kjopesenter banklokaler butikker butikk bankbygninger bygninger bygg buildings building "
        "shops stores banks offices зданий здания магазинов банков офисов gebaude geschafte "
        "batiments commerces magasins byggnader butiker".split(),
        "buildings_damaged",
    ),
    **dict.fromkeys(
        "biler bil politibiler cars car vehicles автомобилей автомобиля машин машины autos "
        "fahrzeuge voitures vehicules bilar fordon".split(),
        "vehicles_damaged",
    ),
}
#: A vehicle noun after one of these words counts military vehicles.
MILITARY = frozenset(
    "militaere military armoured armored военной бронетехники militarfahrzeuge militaires".split()
)
MILITARY_VEHICLE_NOUNS = frozenset(
    "kjoretoy kjoretoyer vehicles techniki техники единиц бронетехники fahrzeuge vehicules".split()
)

# What happened to them, from a verb near the number.
COUNT_VERBS: dict[str, str] = {
    **dict.fromkeys(
        "livet drept drepte omkommet omkom dode dod killed dead died perished погибли погиб погибших "
        "убиты убито убитых погибло getotet tot tote starben tues morts dodade doda dodades".split(),
        "fatalities",
    ),
    **dict.fromkeys(
        "ранения skadet skadd skadde saret injured wounded hurt ранены ранено раненых пострадали "
        "пострадавших verletzt verletzte verwundet blesses skadades skadade".split(),
        "injured",
    ),
    **dict.fromkeys(
        "forvaring pagrepet pagrepne arrestert arresterte anholdt anholdte fengslet detained arrested held "
        "задержаны задержано задержанных арестованы арестовано festgenommen verhaftet "
        "interpelles arretes detenus gripna gripits greps anhallna".split(),
        "arrested",
    ),
    **dict.fromkeys(
        "demonstranter demonstrerte protesterte protesters demonstrators protested marched "
        "протестующих демонстрантов вышли demonstranten demonstrierten manifestants "
        "manifesterent demonstranter".split(),
        "crowd_size",
    ),
}
DAMAGE_VERBS = frozenset(
    "нападениям поджогам подверглись fyr brent angrepet angrepne plyndret patent brent odelagt attacked looted burned torched destroyed "
    "set vandalised vandalized damaged разграблены сожжены подожжены разгромлены повреждены "
    "атакованы angegriffen geplundert zerstort beschadigt pilles incendies detruits attaques "
    "plundrade brandes forstordes".split()
)
DEPLOY_VERBS = frozenset(
    "прибыли arrived sendt sendte sender sendes utplassert deployed sent dispatched sends deploy направила "
    "направили направлены направит ввела введены отправила entsandt entsandte schickte "
    "envoye envoyes deploye skickade skickat".split()
)
FORCE_NOUNS = frozenset(
    "styrker styrke tropper soldater forces force troops contingent peacekeepers силы контингент "
    "войска миротворцы truppen streitkrafte forces contingent trupper styrkor".split()
)

# Control of facilities (airports): what happened and to whom.
CONTROL_WORDS: dict[str, str] = {
    **dict.fromkeys(
        "okkupert okkuperte stormet occupied seized stormed overran захвачен захватили "
        "захватили заняли besetzt gesturmt occupe ockuperade stormade".split(),
        "occupied",
    ),
    **dict.fromkeys(
        "kontroll gjenerobret retook retaken recaptured regained освободили контроль "
        "kontrolle zuruckerobert repris kontrollen".split(),
        "retaken",
    ),
    **dict.fromkeys(
        "gjenopptatt gjenapnet apnet reopened resumed возобновлены возобновил открыт "
        "возобновились wiedereroffnet wiederaufgenommen rouvert reprise aterupptogs".split(),
        "reopened",
    ),
}

# Qualifiers before a number.
QUALIFIERS: dict[tuple[str, ...], str] = {
    ("minst",): "at least",
    ("at", "least"): "at least",
    ("не", "менее"): "at least",
    ("меньшей", "мере"): "at least",
    ("как", "минимум"): "at least",
    ("mindestens",): "at least",
    ("au", "moins"): "at least",
    ("over",): "over",
    ("mer", "enn"): "over",
    ("flere", "enn"): "over",
    ("more", "than"): "over",
    ("более",): "over",
    ("свыше",): "over",
    ("больше",): "over",
    ("uber",): "over",
    ("mehr", "als"): "over",
    ("plus", "de"): "over",
    ("mer", "an"): "over",
    ("nermere",): "nearly",
    ("naermere",): "nearly",
    ("nesten",): "nearly",
    ("nearly",): "nearly",
    ("almost",): "nearly",
    ("почти",): "nearly",
    ("fast",): "nearly",
    ("pres", "de"): "nearly",
    ("nastan",): "nearly",
    ("around",): "about",
    ("about",): "about",
    ("rundt",): "about",
    ("omkring",): "about",
    ("cirka",): "about",
    ("около",): "about",
    ("порядка",): "about",
    ("etwa",): "about",
    ("rund",): "about",
    ("environ",): "about",
    ("ungefar",): "about",
}

NUMBER_WORDS: dict[str, int] = {
    **dict(
        zip(
            "en ett to tre fire fem seks sju syv atte ni ti elleve tolv".split(),
            [1, 1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12],
            strict=True,
        )
    ),
    **dict(
        zip(
            "one two three four five six seven eight nine ten eleven twelve twenty fifty".split(),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20, 50],
            strict=True,
        )
    ),
    **dict(
        zip(
            "один два три четыре пять шесть семь восемь девять десять двадцать".split(),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20],
            strict=True,
        )
    ),
    **dict(zip("двое трое четверо пятеро".split(), [2, 3, 4, 5], strict=True)),
    **dict(
        zip(
            "eins zwei drei vier funf sechs sieben acht neun zehn zwanzig".split(),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20],
            strict=True,
        )
    ),
    **dict(
        zip(
            "deux trois quatre cinq six sept huit neuf dix vingt".split(),
            [2, 3, 4, 5, 6, 7, 8, 9, 10, 20],
            strict=True,
        )
    ),
    **dict(zip("tva fyra sex atta tio".split(), [2, 4, 6, 8, 10], strict=True)),
    "dozens": 24,
    "dusinvis": 24,
    "dutzende": 24,
}
MULTIPLIERS: dict[str, int] = {
    **dict.fromkeys("hundre hundred hundreds hundert cent cents hundra сотни".split(), 100),
    **dict.fromkeys(
        "tusen thousand thousands tausend mille tusentals тысяч тысячи тысяча тыс".split(), 1000
    ),
    **dict.fromkeys(
        "million millioner millions millionen миллион миллиона миллионов miljoner".split(),
        1_000_000,
    ),
}
#: A number followed by one of these is an age, a share or a time, not a count.
NOT_A_COUNT = frozenset(
    "ar aar years year prosent percent % процентов процента лет года год jahre jahren prozent "
    "ans pourcent procent timer hours часов stunden heures minutter minutes минут".split()
)

# Languages whose thousands separator is "." or a space (and decimal ","), versus ",".
COMMA_THOUSANDS = frozenset({"en"})

WEEKDAYS: dict[str, int] = {
    **dict(
        zip("mandag tirsdag onsdag torsdag fredag lordag sondag".split(), range(7), strict=True)
    ),
    **dict(
        zip(
            "mandagen tirsdagen onsdagen torsdagen fredagen lordagen sondagen".split(),
            range(7),
            strict=True,
        )
    ),
    **dict(
        zip(
            "monday tuesday wednesday thursday friday saturday sunday".split(),
            range(7),
            strict=True,
        )
    ),
    **dict(
        zip(
            "понедельник вторник среду четверг пятницу субботу воскресенье".split(),
            range(7),
            strict=True,
        )
    ),
    **dict(
        zip(
            "понедельника вторника среды четверга пятницы субботы воскресенья".split(),
            range(7),
            strict=True,
        )
    ),
    **dict(
        zip(
            "montag dienstag mittwoch donnerstag freitag samstag sonntag".split(),
            range(7),
            strict=True,
        )
    ),
    **dict(
        zip("lundi mardi mercredi jeudi vendredi samedi dimanche".split(), range(7), strict=True)
    ),
    **dict(zip("mandag tisdag onsdag torsdag fredag lordag sondag".split(), range(7), strict=True)),
    **dict(
        zip(
            "mandagen tisdagen onsdagen torsdagen fredagen lordagen sondagen".split(),
            range(7),
            strict=True,
        )
    ),
    **dict(zip("måndag måndagen".split(), (0, 0), strict=True)),
}
MONTHS: dict[str, int] = {}
for _names in (
    "januar februar mars april mai juni juli august september oktober november desember",
    "january february march april may june july august september october november december",
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "januar februar marz april mai juni juli august september oktober november dezember",
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
    "januari februari mars april maj juni juli augusti september oktober november december",
):
    for _number, _name in enumerate(_names.split(), 1):
        MONTHS[_name] = _number

# Actors: folded word → actor name (ACLED style).
ACTORS: dict[str, str] = {
    **dict.fromkeys(
        "sikkerhetsstyrker sikkerhetsstyrkene security силовики sicherheitskrafte forces".split(),
        "Security forces",
    ),
    **dict.fromkeys(
        "politi politiet police полиция полиции полицейские polizei gendarmes polisen".split(),
        "Police forces",
    ),
    **dict.fromkeys(
        "demonstranter demonstrantene demonstranter protesters demonstrators протестующие протестующих демонстранты demonstranten manifestants demonstranterna".split(),
        "Protesters",
    ),
    **dict.fromkeys(
        "opprorere militante rioters militants мародеры боевики погромщики randalierer emeutiers".split(),
        "Rioters",
    ),
    **dict.fromkeys(
        "soldater soldatene soldiers troops военные военнослужащие солдаты soldaten soldats soldaterna".split(),
        "Military forces",
    ),
    **dict.fromkeys(
        "myndighetene authorities government власти правительство behorden autorites myndigheterna".split(),
        "Government",
    ),
}
#: Alliances and organisations, matched on the surface form (case kept).
ORGANISATIONS: dict[str, str] = {
    "CSTO": "CSTO",
    "ОДКБ": "CSTO",
    "OVKS": "CSTO",
    "OTSC": "CSTO",
    "NATO": "NATO",
    "НАТО": "NATO",
    "OTAN": "NATO",
    "UN": "United Nations",
    "FN": "United Nations",
    "ООН": "United Nations",
    "EU": "European Union",
    "ЕС": "European Union",
}

# Protest and riot words, for the event type of a sentence.
PROTEST_WORDS = frozenset(
    "protester protestene protest protests protesters demonstrasjoner demonstrasjonene demonstrations "
    "demonstranter rally rallies протесты протестов протестующие акции митинг демонстрации "
    "proteste demonstrationen kundgebung manifestations manifestation protesterna demonstrationer".split()
)
RIOT_WORDS = frozenset(
    "opptoyer opptoyene uro uroen riots riot rioting unrest clashes sammenstot беспорядки "
    "беспорядков беспорядках погромы столкновения krawalle ausschreitungen unruhen emeutes "
    "affrontements upplopp oroligheter kravaller".split()
)

#: Words before a name that make it a person, not a place.
PERSON_TITLES = frozenset(
    "president presidenten statsminister minister innenriksminister utenriksminister leder "
    "lederen general generalen prime premier minister leader spokesman spokeswoman mr mrs ms dr "
    "президент премьер министр глава лидер генерал präsident prasident kanzler bundeskanzler "
    "ministre chef statsministern presidenten ministern".split()
)

#: Bare facility words that point to the facility of a place just named (*flyplassen*).
FACILITY_WORDS: dict[str, str] = dict.fromkeys(
    "flyplassen lufthavnen flygplatsen airport аэропорт аэропорта аэропорту аэропорте flughafen "
    "aeroport".split(),
    "airport",
)

#: Prepositions of place before a name (*i*, *in*, *в*): the event happened there.
LOCATIVE = frozenset("i pa in at inside в во на im in a en dans".split())
#: Prepositions of direction before a name (*til*, *to*, *в*): a destination.
DESTINATION = frozenset("til to into в во nach in au en till".split())


def _refold() -> None:
    """Fold every key the way article words are folded (``й`` → ``и``, ``ø`` → ``o``)."""
    from geomap.textnorm import fold

    module = globals()
    for name, table in list(module.items()):
        if name.startswith("_") or name == "ORGANISATIONS":
            continue
        if isinstance(table, frozenset):
            module[name] = frozenset(fold(word) for word in table)
        elif isinstance(table, dict):
            module[name] = {
                (tuple(fold(w) for w in key) if isinstance(key, tuple) else fold(key)): value
                for key, value in table.items()
            }


_refold()
