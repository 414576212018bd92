"""Words the extractor knows, per language: counts, verbs, qualifiers, dates, actors.

Data, not logic. Each table maps a folded word (or a word prefix ending in ``*``) to what it
means. Languages share a table where their words do not collide.
"""

from __future__ import annotations

import re

# What a count is of, from the noun that follows the number.
PEOPLE = frozenset(
    "mennesker personer folk people persons civilians sivile человек человека людей граждан "
    "menschen personen personnes manniskor civila "
    "personar youths youngsters ungdommer ungdomar unge jugendliche jeunes individus "
    "individuals молодых подростков "
    "workers miners students teachers farmers women men residents supporters activists "
    "villagers citizens inhabitants arbeidere gruvearbeidere studenter elever laerere bonder "
    "kvinner menn innbyggere tilhengere aktivister arbejdere minearbejdere studerende kvinder "
    "maend indbyggere tilhaengere arbetare gruvarbetare kvinnor invanare anhangare arbeiter "
    "bergleute schuler frauen manner einwohner bewohner anhanger aktivisten ouvriers mineurs "
    "etudiants eleves femmes hommes habitants partisans militants рабочих шахтеров студентов "
    "женщин мужчин жителей сторонников активистов".split()
)
#: Words before the first number of a range joined by *and* (*between 174 and 2,500*).
BETWEEN = frozenset("between mellom mellan imellem zwischen entre между от".split())
COUNT_NOUNS: dict[str, str] = {
    **dict.fromkeys(
        "soldater soldat soldiers soldier troops tropper militaere servicemen fredsbevarere "
        "peacekeepers военнослужащих военнослужащие военных солдат миротворцев soldaten "
        "soldats militaires trupper gendarmes poliser politibetjente polizisten policiers".split(),
        "troops",
    ),
    **dict.fromkeys(
        "shopping centres centers malls торговых центров kjopesentre kjopesenter banklokaler butikker butikk bankbygninger bygninger bygg buildings building "
        "shops stores banks offices зданий здания магазинов банков офисов gebaude geschafte "
        "batiments commerces magasins byggnader butiker stations supermarkets".split(),
        "buildings_damaged",
    ),
    **dict.fromkeys(
        "biler bil politibiler cars car vehicles автомобилей автомобиля машин машины autos "
        "fahrzeuge voitures vehicules bilar fordon polisfordon polisbilar".split(),
        "vehicles_damaged",
    ),
}
#: Aircraft (*two helicopters downed*): a count of them is no count of people.
AIRCRAFT = frozenset(
    "helicopter helicopters helikopter helikoptre helikoptrene helikoptrar helikoptere "
    "hubschrauber helicopteres helicoptere вертолет вертолета вертолетов вертолеты "
    "plane planes aircraft jet jets drone drones fly flyet flygplan flugzeuge flugzeug "
    "avion avions drones droner dronar самолет самолета самолетов самолеты "
    "беспилотник беспилотника беспилотников".split()
)
#: A vehicle noun after one of these words counts military vehicles.
MILITARY = frozenset(
    "militaere military armoured armored военной военных бронетехники техники "
    "militarfahrzeuge militaires militara pansrade".split()
)
MILITARY_VEHICLE_NOUNS = frozenset(
    "kjoretoy kjoretoyer vehicles techniki техники единиц бронетехники fahrzeuge vehicules".split()
)

# What happened to them, from a verb near the number.
COUNT_VERBS: dict[str, str] = {
    **dict.fromkeys(
        # nb/da
        "livet drept drepte drepe drepne omkommet omkom dode dod dodd draept draebt draebte "
        "dodsfall skudt skutt ihjelskutt dodelig "
        # en
        "killed killing kill kills dead died perished deaths fatalities "
        # ru
        "погибли погиб погибла погибло погибших убиты убито убит убитых жизнь жизни "
        # de
        "getotet tot tote toten starben leben todesfalle todesopfer erschossen "
        # fr
        "tue tues tuee tuees morts mort decedes "
        # sv
        "dodade doda dodades dodats omkom dog".split(),
        "fatalities",
    ),
    **dict.fromkeys(
        "skadet skadd skadde saret sarede "
        "injured wounded hurt wounds injuries "
        "ранения ранены ранено раненых ранен пострадали пострадавших пострадал травмы травм "
        "verletzt verletzte verletzten verwundet verletzungen "
        "blesses blesse blessees "
        "skadades skadade skadats".split(),
        "injured",
    ),
    **dict.fromkeys(
        "forvaring pagrep pagrepet pagrepne arrestert arresterte arrestasjon anholdt anholdte "
        "fengslet innbrakt "
        "detained arrested arrest arrests held custody "
        "задержаны задержано задержанных задержали задержала задержал задержании задержания "
        "задержан арестованы арестовано арестовали задержаниях задержаний задержания "
        "festgenommen festnahmen fest verhaftet verhaftungen gewahrsam "
        "interpelles interpellees interpelle arretes arretees arrete detenus garde "
        "interpellations arrestations "
        "grep greps gripits gripna gripna anhallna anholls".split(),
        "arrested",
    ),
    **dict.fromkeys(
        "demonstranter demonstrerte protesterte deltok samlet deltakere deltagere "
        "protesters demonstrators protested marched rallied gathered joined drew attended "
        "participants rally "
        "протестующих демонстрантов вышли собрал собрали собралось участвовали участников "
        "demonstranten demonstrierten zogen beteiligt teilnehmer protestierenden "
        "manifestants manifesterent reuni defile "
        "demonstrerade deltog samlades".split(),
        "crowd_size",
    ),
}
DAMAGE_VERBS = frozenset(
    "fyr brann brent angrepet angrepne plyndret patent odelagt knust vandalisert "
    "attacked looted burned burnt torched destroyed set vandalised vandalized damaged smashed "
    "нападениям поджогам подверглись разграблены сожжены подожжены разгромлены повреждены "
    "атакованы разграбили подожгли сожгли разгромили атаковали повредили уничтожили "
    "angegriffen geplundert zerstort beschadigt brannten plunderten "
    "pilles pillees incendies incendiees detruits detruites attaques saccages "
    "plundrade brandes forstordes brann vandaliserades".split()
)
DEPLOY_VERBS = frozenset(
    "прибыли arrived sendt sendte sender sendes utplassert deployed sent dispatched sends deploy направила "
    "направили направлены направит ввела введены отправила entsandt entsandte schickte "
    "envoye envoyes deploye envoie envoient skickade skickat".split()
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

#: *took it back*: a taking verb up to three words before one of the ``BACK_WORDS``.
TAKE_VERBS = frozenset(
    "tok tatt tar took taken take takes взяли взял взята взят nahmen nahm genommen "
    "reprirent tog tagit".split()
)
BACK_WORDS = frozenset("tilbake back tillbaka zuruck обратно".split())
#: *flights again*: flights resumed, though the sentence has no resuming verb.
FLIGHT_WORDS = frozenset(
    "flyavganger flyavgangene flytrafikken flyvninger flights flight рейсы рейсов "
    "авиасообщение fluge flugverkehr vols flyg flygtrafiken flygningar".split()
)
AGAIN_WORDS = frozenset("igjen again вновь снова wieder nouveau igen".split())

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
    ("mindst",): "at least",
    ("wenigstens",): "at least",
    ("au", "minimum"): "at least",
    ("a", "minimum"): "at least",
    ("mere", "end"): "over",
    ("flere", "end"): "over",
    ("i", "overkant"): "over",
    ("drygt",): "over",
    ("droyt",): "over",
    ("godt",): "over",
    ("upwards", "of"): "over",
    ("more", "then"): "over",
    ("plus", "dun"): "over",
    ("naesten",): "nearly",
    ("knapt",): "nearly",
    ("knap",): "nearly",
    ("snaut",): "nearly",
    ("annahernd",): "nearly",
    ("knapp",): "nearly",
    ("beinahe",): "nearly",
    ("presque",): "nearly",
    ("pres", "d"): "nearly",
    ("close", "to"): "nearly",
    ("some",): "about",
    ("roughly",): "about",
    ("approximately",): "about",
    ("omtrent",): "about",
    ("anslagsvis",): "about",
    ("runt",): "about",
    ("ca",): "about",
    ("zirka",): "about",
    ("ungefahr",): "about",
    ("circa",): "about",
    ("quelque",): "about",
    ("quelques",): "about",
    ("примерно",): "about",
    ("приблизительно",): "about",
    ("up", "to"): "up to",
    ("opptil",): "up to",
    ("inntil",): "up to",
    ("op", "til"): "up to",
    ("op", "mod"): "up to",
    ("uppemot",): "up to",
    ("upp", "till"): "up to",
    ("bis", "zu"): "up to",
    ("jusqu", "a"): "up to",
    ("до",): "up to",
}


#: What else may happen to people counted in a sentence of violence: a number these words
#: describe is none of the counts (*2000 missing*, *120 were rescued*, *70 vergewaltigt*).
FATE_WORDS = frozenset(
    "missing displaced evacuated rescued released freed raped hostages hostage homeless "
    "refugees prisoners fled captured kidnapped abducted "
    "savnet savnede savnes evakuert evakuerte reddet loslatt forsvunnet forsvunne gisler "
    "flyktninger fordrevne voldtatt kidnappet bortfort "
    "saknade saknas saknad evakuerades evakuerade raddades slapptes frigivna gisslan "
    "flyktingar fordrivna valdtogs kidnappades "
    "savnede evakueret reddede loesladt gidsler "
    "vermisst vermissten evakuiert gerettet freigelassen geiseln fluchtlinge vertriebene "
    "vergewaltigt entfuhrt "
    "disparus disparues evacues evacuees sauves liberes liberees otages prisonniers "
    "refugies deplaces violees enleves "
    "пропали пропавших пропавшими эвакуированы эвакуировано спасены спасено освобождены "
    "освобождено отпущены заложников заложники беженцев беженцами похищены "
    "convicted sentenced indicted domt domte tiltalt dombt domda atalade verurteilt "
    "angeklagt condamnes coupables inculpes осуждены осуждено приговорены".split()
)
#: *The death(s) of N* after one of these words is what set off the incident the sentence
#: tells of, or what it only refers to (*riots after the death of two teenagers*,
#: *consécutivement à la mort de deux adolescents*, *a trial over the deaths of three*): not
#: a toll the sentence reports.
DEATH_REFERENCES = frozenset(
    "after following over regarding concerning etter efter om angaende nach wegen uber "
    "apres suite consecutivement sur после вслед по".split()
)
#: Deaths by one's own hand (*døde av selvmord*, *died by suicide*): no toll of an incident.
SUICIDE_WORDS = frozenset(
    "suicide suicides selvmord sjalvmord selbstmord suizid самоубийства самоубийство".split()
)
#: The words before a suicide word that say it is how someone died (*by*, *av*, *durch*).
BY_WORDS = frozenset("by of av af ved durch par через от".split())
DEATH_NOUNS = frozenset(
    "death deaths killing killings dod doden dodsfall dodsfallet mord mort morts deces "
    "tod todes tode смерти смертью гибели убийства убийство".split()
)
#: Verbs of arrest that, with one person as their object, count one arrest (*police
#: detained a man*, *полиция задержала Ивана Петрова*).
ARREST_VERBS = frozenset(
    "arrested detained pagrep pagrepet arresterte anholdt anholdte greb anholdt grep greps "
    "gripits festgenommen verhaftet interpelle interpellee arrete arretee задержала задержали "
    "задержал задержан задержана арестовали арестован арестована".split()
)
#: One person, as the object of an arrest: *a man*, *einen Mann*, *местного жителя*.
ONE_PERSON = frozenset(
    "man woman person suspect activist protester demonstrator teenager journalist student "
    "boy girl mann kvinne mistenkt aktivist demonstrant gutt jente mand kvinde mistaenkt "
    "kvinna misstankt frau verdachtigen aktivisten demonstranten journalisten homme femme "
    "individu manifestant militant journaliste мужчину женщину жителя жительницу активиста "
    "активистку пикетчика участника участницу журналиста студента подозреваемого".split()
)
#: Words that deny a count outright: *no one was killed*, *ingen ble skadet*, *никто не
#: пострадал* give that count as 0. ``no`` needs *one* or a count word after it.
ZERO_WORDS = frozenset(
    "nobody none ingen inga inget ingenting niemand kein keine keiner keinen aucun aucune "
    "никто ни".split()
)
#: Words between the number and the total it is a part of: *3 000 of the 26 000 miners*.
PARTITIVES = frozenset("of af av из von sur".split())
#: Hedges inside a range or an alternative (*817 and more likely at least 1,000*).
RANGE_HEDGES = frozenset(
    "more likely possibly perhaps maybe probably even up und og och et eller oder ou "
    "kanskje kanske vielleicht peut etre возможно".split()
)


def _numbers(words: str, values: list[int]) -> dict[str, int]:
    return dict(zip(words.split(), values, strict=True))


_TEENS_TENS = [13, 14, 15, 16, 17, 18, 19, 20, 30, 40, 50, 60, 70, 80, 90]
#: Spelled-out numbers per language (articles such as *en*, *a*, *un*, *ein* are left out:
#: they are rarely a count). Languages without a table read digits only.
NUMBER_WORDS: dict[str, dict[str, int]] = {
    "nb": {
        **_numbers(
            "ett to tre fire fem seks sju syv atte ni ti elleve tolv",
            [1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12],
        ),
        **_numbers(
            "tretten fjorten femten seksten sytten atten nitten tjue tretti forti femti seksti sytti atti nitti",
            _TEENS_TENS,
        ),
        **_numbers("tyve tredve forty tjuge hundre tusen", [20, 30, 40, 20, 100, 1000]),
        **_numbers("eitt", [1]),
    },
    "da": {
        **_numbers(
            "to tre fire fem seks syv otte ni ti elleve tolv", [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        ),
        **_numbers(
            "tretten fjorten femten seksten sytten atten nitten tyve tredive fyrre halvtreds tres "
            "halvfjerds firs halvfems",
            _TEENS_TENS,
        ),
        **_numbers("hundrede tusind tusinde", [100, 1000, 1000]),
    },
    "en": {
        **_numbers(
            "one two three four five six seven eight nine ten eleven twelve", list(range(1, 13))
        ),
        **_numbers(
            "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety",
            _TEENS_TENS,
        ),
    },
    "ru": {
        **_numbers("один одна одно одного одному одном одной", [1] * 7),
        **_numbers(
            "два две двух трех четырех пяти шести семи восьми девяти десяти",
            [2, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        ),
        **_numbers(
            "три четыре пять шесть семь восемь девять десять одиннадцать двенадцать",
            list(range(3, 13)),
        ),
        **_numbers(
            "тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто",
            _TEENS_TENS,
        ),
        **_numbers("двое трое четверо пятеро шестеро семеро сто", [2, 3, 4, 5, 6, 7, 100]),
        **_numbers(
            "одиннадцати двенадцати тринадцати четырнадцати пятнадцати шестнадцати семнадцати "
            "восемнадцати девятнадцати двадцати тридцати сорока пятидесяти шестидесяти "
            "семидесяти восьмидесяти девяноста ста тысяча",
            [*range(11, 21), 30, 40, 50, 60, 70, 80, 90, 100, 1000],
        ),
    },
    "de": {
        **_numbers(
            "eins zwei drei vier funf sechs sieben acht neun zehn elf zwolf", list(range(1, 13))
        ),
        **_numbers(
            "dreizehn vierzehn funfzehn sechzehn siebzehn achtzehn neunzehn zwanzig dreissig vierzig funfzig sechzig siebzig achtzig neunzig",
            _TEENS_TENS,
        ),
        **_numbers("hundert tausend", [100, 1000]),
    },
    "sv": {
        **_numbers("tva tre fyra fem sex sju atta nio tio elva tolv", list(range(2, 13))),
        "hundratal": 100,
        **_numbers("hundra tusen", [100, 1000]),
        **_numbers(
            "tretton fjorton femton sexton sjutton arton nitton tjugo trettio fyrtio femtio sextio sjuttio attio nittio",
            _TEENS_TENS,
        ),
    },
    "fr": {
        **_numbers("deux trois quatre cinq six sept huit neuf dix onze douze", list(range(2, 13))),
        **_numbers(
            "treize quatorze quinze seize dix-sept dix-huit dix-neuf vingt trente quarante cinquante soixante soixante-dix quatre-vingt quatre-vingt-dix",
            _TEENS_TENS,
        ),
        **_numbers("vingts cent mille", [20, 100, 1000]),
    },
}
#: Languages that read another's number words.
NUMBER_LANGUAGE = {"nn": "nb", "no": "nb"}


def number_words(language: str) -> dict[str, int]:
    """The spelled-out numbers of ``language`` (empty when it has no table)."""
    return NUMBER_WORDS.get(NUMBER_LANGUAGE.get(language, language), {})


MULTIPLIERS: dict[str, int] = {
    **dict.fromkeys(
        "hundre hundred hundreds hundert cent cents hundra hundrede сотни".split(), 100
    ),
    **dict.fromkeys(
        "tusen thousand thousands tausend mille tusentals tusind tusinde тысяч тысячи тысяча "
        "тыс".split(),
        1000,
    ),
    **dict.fromkeys(
        "million millioner millions millionen миллион миллиона миллионов miljoner miljon mio "
        "mill".split(),
        1_000_000,
    ),
}
#: Indefinite articles (*a*, *en*, *ett*, *ein*, *une*), which never begin a place's name.
INDEFINITE_ARTICLES = frozenset("a an en ei et ett ein eine un une".split())
#: Words that make a multiplier a number (*a hundred*, *ein tausend*, *one million*).
INDEFINITE = INDEFINITE_ARTICLES | {"one"}
#: A number followed by one of these is an age, a share or a time, not a count.
NOT_A_COUNT = frozenset(
    "ar aar years year prosent percent % процентов процента лет года год jahre jahren prozent "
    "ans pourcent procent timer hours часов часа stunden heures minutter minutes минут "
    "dager dogn days day weeks uker maneder months дня дней суток недели недель месяцев "
    "tage tagen wochen monate jours semaines mois dagar veckor manader "
    "kroner kr dollars euro euros рублей тенге km kilometer kilometres метров".split()
)
#: A word before a number that denies it (*no one was injured*).
NEGATIONS = frozenset("no ingen ikke not kein keine aucun ни".split())

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
    "januar februar marts april maj juni juli august september oktober november december",
    "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь",
    "январе феврале марте апреле мае июне июле августе сентябре октябре ноябре декабре",
):
    for _number, _name in enumerate(_names.split(), 1):
        MONTHS[_name] = _number

#: Words after which the numbers of a sentence are parts of the total before them.
PART_WORDS = frozenset(
    "herav herunder inkludert inkl darunter davon dont including incl varav bland inklusive".split()
)
PART_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    tuple(phrase.split())
    for phrase in (
        "among them",
        "of whom",
        "of which",
        "blant dem",
        "blant disse",
        "av dem",
        "af dem",
        "bland dem",
        "из них",
        "в том",
        "parmi lesquels",
        "parmi eux",
        "unter ihnen",
        "von denen",
    )
)
#: The years a four-digit number may be in an article about unrest.
FIRST_YEAR, LAST_YEAR = 1900, 2100
#: Words a year follows (*the riots of 2011*, *since 2014*, *fra 2019*, *seit 2020*).
YEAR_PREPOSITIONS = frozenset(
    "of since from until fra siden til av sedan fran von seit bis depuis de с до".split()
)
#: Words that say a figure is for the whole country (*nationwide*, *i landet*).
COUNTRYWIDE_WORDS = frozenset(
    "nationwide countrywide landsdekkende landsomfattende landsdaekkende rikstackande "
    "landesweit bundesweit общенациональный".split()
)
COUNTRYWIDE_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    tuple(phrase.split())
    for phrase in (
        "the country",
        "i landet",
        "hele landet",
        "heile landet",
        "hela landet",
        "i landet",
        "im land",
        "ganzen land",
        "des landes",
        "du pays",
        "le pays",
        "всей стране",
        "по стране",
        "в стране",
    )
)
#: Words between the two ends of a range (*150.000 bis 300.000*, *mellan 174 och 2500*).
RANGE_WORDS = frozenset("to bis til till a à до и och og and ou or eller oder или und et".split())
#: Verbs that may follow a bare number that counts people (*2,000 were*, *3 000 var*).
AUXILIARIES = frozenset(
    "was were are is had have var ble blev vart er sind waren wurden war est sont etaient "
    "ont furent были был была было есть".split()
)

#: Words for a day relative to the report's: how many days back.
RELATIVE_DAYS: dict[str, int] = {
    **dict.fromkeys("today idag tonight сегодня heute aujourdhui".split(), 0),
    **dict.fromkeys("yesterday igar вчера gestern".split(), 1),
}
#: Two-word forms of the same (*i går*, *last night*).
RELATIVE_PHRASES: dict[tuple[str, ...], int] = {
    ("i", "dag"): 0,
    ("i", "gar"): 1,
    ("i", "natt"): 1,
    ("last", "night"): 1,
    ("this", "morning"): 0,
    ("в", "ночь"): 1,
}

# Actors: folded word → actor name (ACLED style).
ACTORS: dict[str, str] = {
    **dict.fromkeys(
        "sikkerhetsstyrker sikkerhetsstyrkene силовики силовиков силовых sicherheitskrafte "
        "sakerhetsstyrkor sakerhetsstyrkorna".split(),
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
#: Actor words that also qualify a noun (*police cars*, *government buildings*).
ATTRIBUTIVE_ACTORS = frozenset("police army military government security".split())
#: Two-word actors, checked before single words.
ACTOR_PHRASES: dict[tuple[str, ...], str] = {
    ("security", "forces"): "Security forces",
    ("forces", "de"): "Security forces",  # forces de l'ordre, forces de sécurité
    ("riot", "police"): "Police forces",
    ("armed", "forces"): "Military forces",
    ("interior", "ministry"): "Government",
    ("силы", "безопасности"): "Security forces",
}
#: Words that introduce the source of a statement (*according to*), not an actor.
SOURCE_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    tuple(phrase.split())
    for phrase in (
        "according to",
        "ifolge",
        "iflg",
        "по данным",
        "по словам",
        "по информации",
        "nach angaben",
        "laut",
        "selon",
        "d apres",
        "enligt",
    )
)
#: Articles that may stand between a source phrase and its noun (*according to the police*).
DETERMINERS = frozenset("the der die des la le les l den det de".split())
#: Verbs of saying after an actor word: the actor is the source (*officials said*).
SAY_VERBS = frozenset(
    "said say says reported reports told announced stated sa sier opplyser oppgir meldte "
    "melder opplyste uttalte сообщили сообщила сообщил сообщает заявили заявила заявил "
    "sagte sagten teilte teilten meldete erklarte indique annonce declare sade "
    "uppgav uppger meddelade rapporterade".split()
)

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

#: Words that refer back to an organisation named earlier (*the alliance*, *блок*).
ALLIANCE_WORDS = frozenset(
    "alliance alliansen allianse alliansens militaeralliansen militaerallianse organisasjonen "
    "bloc blokken blocket alliansen alliansens союз союза союзу союзом блок блока блоку "
    "союзники союзников альянс альянса организация организации bundnis bundnisses allianz "
    "allies allierte allierade verbundeten".split()
)

# Protest and riot words, for the event type of a sentence.
PROTEST_WORDS = frozenset(
    "protester protestene protest protests protesters demonstrasjoner demonstrasjonene demonstrations "
    "demonstranter rally rallies протесты протестов протестующие акции митинг демонстрации "
    "proteste demonstrationen kundgebung manifestations manifestation protesterna demonstrationer".split()
)
#: Gatherings whose size a number after :data:`SIZE_OF` gives (*a rally of 2,000*).
GATHERING_NOUNS = frozenset(
    "rally rallies crowd crowds march marches protest protests demonstration demonstrations "
    "gathering vigil demonstrasjon demonstrasjonen demonstrasjoner folkemengde markering "
    "demonstrationen demonstrationer folkmassa folkemaengde kundgebung menschenmenge "
    "manifestation manifestations rassemblement foule cortege marche".split()
)
#: Words between a gathering and its size: *of*, *på*, *med*, *von*, *de*.
SIZE_OF = frozenset("of pa med av af von de".split())
RIOT_WORDS = frozenset(
    "opptoyer opptoyene uro uroen riots riot rioting unrest clashes sammenstot беспорядки "
    "беспорядков беспорядках погромы столкновения krawalle ausschreitungen unruhen emeutes "
    "affrontements upplopp oroligheter kravaller".split()
)

#: Words of a street, square or station whose name follows them, as a genitive or after *de*
#: (*площади Европы*, *улица Пушкина*, *rue de Paris*): the name is the street's, no place.
STREET_WORDS = frozenset(
    "площадь площади площадью улица улице улицы улицу проспект проспекте проспекта бульвар "
    "бульваре переулок переулке набережная набережной шоссе метро станция станции "
    "rue avenue boulevard".split()
)
#: Words of a disease named after a place, after its name (*Marburg virus*, *Lassa fever*,
#: *Zika-viruset*) or before it (*вирус Эбола*, *fièvre Ebola*), folded: the name is the
#: disease's, no place.
DISEASE_WORDS_AFTER = frozenset(
    "virus viruses fever disease encephalitis hemorrhagic haemorrhagic "
    "viruset feber febern sykdom sykdommen sjukdom sjukdomen".split()
)
DISEASE_WORDS_BEFORE = frozenset(
    "вирус вируса вирусом вирусе вирусу лихорадка лихорадки лихорадкой лихорадку virus "
    "fievre".split()
)
#: Compass adjectives that are a place's name only as part of a longer one (*Western Cape*);
#: before a word in lower case they are adjectives (*Western diplomats*, *Eastern media*).
COMPASS_ADJECTIVES = frozenset("western eastern northern southern".split())
#: Words before a name that make it a person, not a place.
PERSON_TITLES = frozenset(
    "president presidenten statsminister minister innenriksminister utenriksminister leder "
    "lederen general generalen prime premier minister leader spokesman spokeswoman mr mrs ms dr "
    "президент премьер министр глава лидер генерал präsident prasident kanzler bundeskanzler "
    "ministre chef statsministern presidenten ministern".split()
)

#: Lower-case words inside place names (*Sistan og Baluchistan*, *Rio de Janeiro*,
#: *Frankfurt am Main*, *Bosnia and Herzegovina*).
NAME_PARTICLES = frozenset(
    "og and of de del della la le les du des di da do dos das am an der im upon on en et y "
    "i и на sur d l".split()  # d, l: elided before an apostrophe (Val d'Oise, L'Aquila)
)

#: Languages that capitalise every noun, where a capital inside a sentence says little.
NOUN_CAPITALS = frozenset({"de", "lb"})

#: Bare facility words that point to the facility of a place just named (*flyplassen*).
FACILITY_WORDS: dict[str, str] = dict.fromkeys(
    "flyplassen lufthavnen flygplatsen airport аэропорт аэропорта аэропорту аэропорте flughafen "
    "aeroport".split(),
    "airport",
)

#: Prepositions of place before a name (*i*, *in*, *в*): the event happened there.
LOCATIVE = frozenset("i pa in at inside в во на im in a en dans".split())
#: Nouns of a kind of settlement or area, after which (and *of*, *de*) a name is a place's: *the
#: island of Java*, *i byen Molde*, *в городе Грозном*, *la ville de Homs* (folded).
PLACE_NOUNS = frozenset(
    "city town village island province region state county district capital port "
    "byen bygda landsbyen oya oyen provinsen regionen fylket kommunen hovedstaden "
    "staden staderna byn on landskapet huvudstaden kommun "
    "stadt dorf insel provinz hauptstadt "
    "ville village ile capitale "
    "город города городе городу городом село селе деревня деревне поселок поселке "
    "остров острове столица столице столицы".split()
)
#: Words between such a noun and the name (*the island of Java*, *la ville de Homs*).
PLACE_NOUN_LINKS = frozenset("of de d di".split())
#: Prepositions of origin or opposition before a name (*from*, *fra*, *из*, *against*): the
#: place sends or is opposed, it is not where the event happened.
NOT_HERE = frozenset(
    "from fra fran fraa fra из от von aus de des du mot against против gegen contre av by "
    "af par support stotte stod unterstutzung soutien solidarity solidaritet поддержку "
    "поддержке солидарности".split()
)
#: Words that open a clause telling of another event's time or setting.
SUBORDINATORS = frozenset(
    "after when since before while although because once "
    "etter etterat da for mens fordi efter nar innan eftersom medan "
    "nachdem als bevor wahrend weil seit "
    "apres lorsque quand avant pendant puisque "
    "после когда хотя пока прежде".split()
)
#: Words that join two places of one list (*Osh and Jalal-Abad*, *West Bromwich och …*).
CONNECTORS = frozenset("and og och und et и или or eller sowie samt".split())
#: Words naming armed forces or groups: a clash with them is a battle, not a riot.
ARMED_STEMS = (
    "army",
    "armed",
    "military",
    "militar",
    "rebel",
    "separatist",
    "insurgent",
    "militia",
    "milits",
    "militant",
    "jihad",
    "армия",
    "армии",
    "военн",
    "боевик",
    "сепаратист",
    "повстан",
    "armee",
    "hær",
    "haer",
    "opprorer",
    "terrorist",
)
#: Words of armed groups that are not the state: their attack on protesters is violence
#: against civilians, not excessive force.
NON_STATE_STEMS = (
    "paramilitar",
    "separatist",
    "militia",
    "milits",
    "gunm",
    "rebel",
    "jihad",
    "боевик",
    "сепаратист",
    "opprorer",
)
#: Words of suicide attacks (a bomb carried by its attacker).
SUICIDE_STEMS = (
    "suicide",
    "selvmordsangrep",
    "selvmordsbomb",
    "selvmordsaksjon",
    "selvmordsangreb",
    "sjalvmordsattack",
    "sjalvmordsbomb",
    "selbstmordanschlag",
    "selbstmordattentat",
    "kamikaze",
    "смертник",
)
#: Nouns for police officers (as the counted victims of a crowd's violence).
POLICE_NOUNS = frozenset(
    "police policemen policewomen officers politifolk politimenn politibetjenter poliser "
    "polismän polisman polizisten polizeibeamte policiers gendarmes полицейских полицейские "
    "сотрудников".split()
)
#: Words of a running tally (*so far*, *hittills*, *к вечеру 27 апреля*): its date is when
#: the figures were counted, not one day of the incident, so it is known to the week only.
CUMULATIVE_WORDS = frozenset(
    "hitherto hittil hittills hitintills hidtil bislang insgesamt jusquici totalt "
    "altogether".split()
)
CUMULATIVE_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    tuple(phrase.split())
    for phrase in (
        "so far",
        "to date",
        "as of",
        "by the",
        "til nå",
        "så langt",
        "до сих",
        "к вечеру",
        "к утру",
        "к концу",
        "по состоянию",
        "fra og",
        "frem til",
        "fram til",
        "bis zum",
        "jusqu au",
    )
)
#: Words of disasters: the dead of a landslide are no political violence.
DISASTER_STEMS = (
    "landslide",
    "earthquake",
    "flood",
    "hurricane",
    "avalanche",
    "jordskred",
    "jordskjelv",
    "flom",
    "skred",
    "jordskalv",
    "oversvom",
    "erdrutsch",
    "erdbeben",
    "hochwasser",
    "lawine",
    "seisme",
    "glissement",
    "inondation",
    "tremblement",
    "оползн",
    "землетрясен",
    "наводнен",
    "лавин",
)

#: Prepositions of direction before a name (*til*, *to*, *в*): a destination.
#: Words of unrest spreading to other places (*spread to*, *propagées aux*, *spred sig till*).
SPREAD_WORDS = frozenset(
    "spread spreading spreads spredte spredt spreder spred spridit spreds spredtes spredte "
    "propagees propagee propages propage propagent etendues etendue "
    "ausgebreitet ausbreiteten breitete breiteten ubergegriffen griffen "
    "распространились распространилась распространились перекинулись перекинулась".split()
)
DESTINATION = frozenset("til to into в во nach in au en till".split())


#: Words that fold to themselves: small Latin letters and digits, small Russian letters
#: other than ``й`` (which folds to ``и``; ``ё`` lies outside the range). Most of the tables'
#: words: folding them (Russian ones through Unicode decomposition) took 2.5 ms at import.
_FOLDED = re.compile("[a-z0-9а-ик-я]+")


def _refold() -> None:
    """Fold every key the way article words are folded (``й`` → ``и``, ``ø`` → ``o``)."""
    from geomap.textnorm import fold as fold_text

    folded = _FOLDED.fullmatch

    def fold(word: str) -> str:
        return word if folded(word) else fold_text(word)

    module = globals()
    for name, table in list(module.items()):
        if name.startswith("_") or name == "ORGANISATIONS":
            continue
        if isinstance(table, frozenset):
            module[name] = frozenset(
                tuple(fold(w) for w in word) if isinstance(word, tuple) else fold(word)
                for word in table
            )
        elif name == "NUMBER_WORDS":
            module[name] = {
                language: {fold(word): value for word, value in words.items()}
                for language, words in table.items()
            }
        elif isinstance(table, dict):
            module[name] = {
                (tuple(fold(w) for w in key) if isinstance(key, tuple) else fold(key)): value
                for key, value in table.items()
            }


_refold()
