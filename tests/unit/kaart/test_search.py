"""The sociale-kaart search: forgiving matching, ranking, filters, determinism."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from benchmarks.kaart_corpus import generate
from gpdesk.kaart.search.index import (
    NAME_START_BONUS,
    Hit,
    SearchFilters,
    SearchIndex,
    Synonyms,
    pc4_of,
)
from gpdesk.kaart.textnorm import fold, words

RECORDS: list[dict[str, Any]] = [
    {
        "id": "schuld-oost",
        "name": "Schuldhulpverlening Oost",
        "organization": "Stichting Welzijn Schiedam",
        "description": "Hulp bij betalingsachterstanden en aanmaningen.",
        "themes": ["Schulden", "Geldzaken"],
        "contacts": ["Jan de Vries"],
        "pc4_ranges": [(3118, 3119)],
        "min_age": 18,
        "has_capacity": True,
    },
    {
        "id": "mantelzorg",
        "name": "Mantelzorgsteunpunt Schiedam",
        "organization": "Minters",
        "description": "Ondersteuning en respijt voor wie zorgt voor een naaste.",
        "themes": ["Mantelzorg"],
        "has_capacity": False,
    },
    {
        "id": "brug",
        "name": "Buurtcentrum De Brug",
        "organization": "Stichting Welzijn Schiedam",
        "description": "Koffieochtend en activiteiten tegen eenzaamheid.",
        "themes": ["Ontmoeting", "Eenzaamheid"],
        "pc4_ranges": [(3121, 3122)],
        "open_now": True,
    },
    {
        "id": "jongeren-groenoord",
        "name": "Jongerenwerk Groenoord",
        "organization": "Minters",
        "description": "Sport, spel en een luisterend oor voor jongeren.",
        "themes": ["Jeugd"],
        "pc4_ranges": [(3121, 3122)],
        "min_age": 12,
        "max_age": 23,
    },
    {
        "id": "jongeren-oost",
        "name": "Jongerenwerk Oost",
        "organization": "Minters",
        "description": "Straatcoaches en een jongerenraad.",
        "themes": ["Jeugd"],
        "pc4_ranges": [(3118, 3119)],
        "min_age": 12,
        "max_age": 23,
        "walk_in_today": True,
    },
    {
        "id": "taalhuis",
        "name": "Taalhuis Schiedam",
        "organization": "Bibliotheek Schiedam",
        "description": "Beter lezen, schrijven en rekenen; Nederlands leren met een taalmaatje.",
        "themes": ["Taal"],
        "min_age": 16,
    },
    {
        "id": "veilig-thuis",
        "name": "Veilig Thuis Rotterdam Rijnmond",
        "description": "Advies- en meldpunt.",
        "themes": ["Huiselijk geweld"],
    },
    {
        "id": "cjg",
        "name": "Centrum voor Jeugd en Gezin",
        "alternate_name": "CJG Schiedam",
        "description": "Opvoedvragen van ouders met kinderen tot 23 jaar.",
        "themes": ["Opvoeding", "Jeugd"],
        "max_age": 23,
    },
    {
        "id": "ouderen",
        "name": "Ouderenadviseur Nieuwland",
        "description": "Langer thuis wonen.",
        "themes": ["Ouderen"],
        "pc4_ranges": [(3118, 3119)],
        "min_age": 65,
        "has_capacity": False,
    },
    {
        "id": "voedselbank",
        "name": "Voedselbank Schiedam",
        "description": "Voedselpakketten voor wie moeilijk rondkomt.",
        "themes": ["Armoede"],
    },
    {
        "id": "ggz",
        "name": "GGZ-inloop De Horizon",
        "organization": "Bouman GGZ",
        "description": "Inloop bij somberheid.",
        "themes": ["GGZ"],
        "contacts": ["Fatma Öztürk"],
        "min_age": 18,
    },
    {
        "id": "wmo",
        "name": "Wmo-loket Sociale Plein",
        "organization": "Gemeente Schiedam",
        "description": "Hulpmiddelen en huishoudelijke hulp.",
        "themes": ["Wmo"],
        "kind": "centraal_loket",
    },
    {
        "id": "budget",
        "name": "Budgetcoaching Financiën op Orde",
        "organization": "Humanitas",
        "description": "Een vrijwilliger helpt met uw administratie.",
        "themes": ["Geldzaken"],
        "has_capacity": True,
    },
    {
        "id": "huishouden",
        "name": "Hulp bij het Huishouden",
        "organization": "Careyn",
        "description": "Schoonmaken en boodschappen.",
        "themes": ["Wmo"],
    },
    {
        "id": "een-op-een",
        "name": "Eén op Eén Maatjes",
        "organization": "Humanitas",
        "description": "Een vaste vrijwilliger komt bij u op bezoek.",
        "themes": ["Eenzaamheid"],
    },
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(RECORDS)


def ids(hits: list[Hit]) -> list[str]:
    return [hit.id for hit in hits]


# -- normalisation -----------------------------------------------------------------------------


def test_folding_removes_case_and_diacritics() -> None:
    assert fold("één") == "een"
    assert fold("Öztürk") == "ozturk"
    assert fold("financiën") == "financien"
    assert fold("Ærø Łódź") == "aero lodz"
    assert words("GGZ-inloop 'De Horizon'") == ["ggz", "inloop", "de", "horizon"]


def test_diacritics_do_not_matter_either_way(index: SearchIndex) -> None:
    assert ids(index.search("ozturk"))[0] == "ggz"
    assert ids(index.search("ÖZTÜRK"))[0] == "ggz"
    assert ids(index.search("financien"))[0] == "budget"
    assert ids(index.search("financiën"))[0] == "budget"
    assert ids(index.search("een op een"))[0] == "een-op-een"


# -- matching ------------------------------------------------------------------------------------


def test_word_order_does_not_matter(index: SearchIndex) -> None:
    assert ids(index.search("jongerenwerk oost")) == ids(index.search("oost jongerenwerk"))
    assert ids(index.search("oost jongerenwerk"))[0] == "jongeren-oost"


def test_every_keystroke_from_three_letters_finds_the_service_first(index: SearchIndex) -> None:
    word = "schuldhulpverlening"
    for end in range(3, len(word) + 1):
        assert ids(index.search(word[:end]))[:1] == ["schuld-oost"], word[:end]


def test_last_word_is_a_prefix_while_typing_the_second_word(index: SearchIndex) -> None:
    assert ids(index.search("jongerenwerk gr"))[0] == "jongeren-groenoord"
    assert ids(index.search("jongerenwerk o"))[0] == "jongeren-oost"


def test_earlier_words_may_be_prefixes_too(index: SearchIndex) -> None:
    assert ids(index.search("jong groen"))[0] == "jongeren-groenoord"


def test_typos_are_forgiven(index: SearchIndex) -> None:
    assert "mantelzorg" in ids(index.search("mantlzorg"))[:3]
    assert ids(index.search("eenzaamheit"))[0] in {"brug", "een-op-een"}
    assert set(ids(index.search("eenzaamheit"))[:2]) == {"brug", "een-op-een"}
    assert ids(index.search("ouderenadvisuer"))[0] == "ouderen"  # swapped letters
    assert ids(index.search("voedselbnk"))[0] == "voedselbank"


def test_typo_ranks_below_an_exact_match(index: SearchIndex) -> None:
    exact = index.search("taalhuis")[0]
    typo = index.search("taalhuiz")[0]
    assert exact.id == typo.id == "taalhuis"
    assert typo.score < exact.score


def test_compound_part_matches_below_an_exact_word(index: SearchIndex) -> None:
    hits = index.search("hulp")
    found = ids(hits)
    assert found[0] == "huishouden"  # "Hulp" as a word in the name
    assert "schuld-oost" in found  # "hulp" inside "Schuldhulpverlening"
    assert hits[0].score > hits[found.index("schuld-oost")].score


def test_exact_beats_prefix_beats_synonym_beats_typo_in_the_same_field() -> None:
    records: list[dict[str, Any]] = [
        {"id": "exact", "name": "Geld"},
        {"id": "prefix", "name": "Geldwijzer"},
        {"id": "synonym", "name": "Armoede"},
        {"id": "typo", "name": "Gelt"},
    ]
    index = SearchIndex.build(records, Synonyms([["geld", "armoede"]]))
    assert ids(index.search("geld")) == ["exact", "prefix", "synonym", "typo"]


def test_name_outweighs_other_fields() -> None:
    records: list[dict[str, Any]] = [
        {"id": "description", "name": "A", "description": "taalcafe"},
        {"id": "organization", "name": "B", "organization": "taalcafe"},
        {"id": "theme", "name": "C", "themes": ["taalcafe"]},
        {"id": "name", "name": "Z taalcafe"},
    ]
    found = ids(SearchIndex.build(records).search("taalcafe"))
    assert found == ["name", "theme", "organization", "description"]


def test_synonyms_find_services_by_another_word(index: SearchIndex) -> None:
    found = ids(index.search("geldzorgen"))
    assert set(found[:2]) == {"schuld-oost", "budget"}  # schuldhulp(verlening), financiën
    assert "voedselbank" in found  # armoede
    assert ids(index.search("senioren"))[0] == "ouderen"
    assert ids(index.search("opvoedondersteuning"))[0] == "cjg"
    assert ids(index.search("mishandeling"))[0] == "veilig-thuis"  # phrase "veilig thuis"


def test_multi_word_synonym_in_the_query(index: SearchIndex) -> None:
    assert ids(index.search("zorgen voor naaste"))[0] == "mantelzorg"
    assert ids(index.search("psychische klachten"))[0] == "ggz"


def test_function_words_are_optional(index: SearchIndex) -> None:
    hits = index.search("hulp bij schulden")
    assert hits[0].id == "schuld-oost"
    assert all(hit.complete for hit in hits)


def test_a_stray_word_does_not_empty_the_list(index: SearchIndex) -> None:
    hits = index.search("taalhuis qqqzzz")
    assert ids(hits)[0] == "taalhuis"
    assert not hits[0].complete
    assert index.search("qqqzzz") == []


def test_hit_says_where_and_what_matched(index: SearchIndex) -> None:
    hit = index.search("ozturk")[0]
    assert hit.matched_fields == ("contacts",)
    assert hit.matched_terms == ("ozturk",)
    hit = index.search("jongerenwerk jeugd")[0]
    assert hit.matched_fields == ("name", "themes")
    assert hit.area is None


def test_typing_a_name_puts_it_first(index: SearchIndex) -> None:
    hits = index.search("buurtcentrum de b")
    assert hits[0].id == "brug"
    assert hits[0].score >= NAME_START_BONUS


# -- filters -----------------------------------------------------------------------------------


def test_theme_filter_is_an_exact_term(index: SearchIndex) -> None:
    hits = index.search("schiedam", filters=SearchFilters(theme="geldzaken"))
    assert set(ids(hits)) == {"schuld-oost"}
    hits = index.search("", filters=SearchFilters(theme="Jeugd"))
    assert ids(hits) == ["cjg", "jongeren-groenoord", "jongeren-oost"]
    assert index.search("", filters=SearchFilters(theme="jeu")) == []


def test_age_filter_drops_services_outside_their_ages(index: SearchIndex) -> None:
    found = ids(index.search("", filters=SearchFilters(age=10), limit=100))
    assert "jongeren-oost" not in found
    assert "schuld-oost" not in found
    assert "cjg" in found
    assert "voedselbank" in found
    found = ids(index.search("", filters=SearchFilters(age=70), limit=100))
    assert "ouderen" in found
    assert "cjg" not in found
    assert "jongeren-oost" in ids(index.search("jongeren", filters=SearchFilters(age=23)))


def test_postcode_ranks_covering_first_and_drops_excluded_areas(index: SearchIndex) -> None:
    hits = index.search("jongerenwerk", filters=SearchFilters(postcode="3118 ab"))
    assert ids(hits)[0] == "jongeren-oost"
    assert "jongeren-groenoord" not in ids(hits)
    assert hits[0].area == "covers"
    hits = index.search("schiedam", filters=SearchFilters(postcode=3121))
    found = ids(hits)
    assert "schuld-oost" not in found  # 3118-3119 only
    assert {hit.area for hit in hits if hit.id == "taalhuis"} == {"unrestricted"}


def test_postcode_boost_is_five_quarters() -> None:
    records: list[dict[str, Any]] = [
        {"id": "a", "name": "Taalhuis Noord"},
        {"id": "b", "name": "Taalhuis Zuid", "pc4_ranges": [(3000, 3100)]},
    ]
    index = SearchIndex.build(records)
    plain = {hit.id: hit.score for hit in index.search("taalhuis")}
    assert plain["a"] == plain["b"]
    boosted = index.search("taalhuis", filters=SearchFilters(postcode="3050XY"))
    assert ids(boosted) == ["b", "a"]
    assert boosted[0].score == plain["b"] * 5 // 4


def test_empty_query_with_postcode_lists_covering_then_unrestricted_by_name(
    index: SearchIndex,
) -> None:
    hits = index.search("", filters=SearchFilters(postcode=3118), limit=100)
    found = ids(hits)
    assert found[:3] == ["jongeren-oost", "ouderen", "schuld-oost"]
    assert all(hit.area == "covers" for hit in hits[:3])
    assert all(hit.area == "unrestricted" for hit in hits[3:])
    assert "brug" not in found
    assert found[3:] == sorted(found[3:], key=lambda i: fold(_name(i)))


def test_capacity_filter_keeps_only_services_with_room(index: SearchIndex) -> None:
    hits = index.search("", filters=SearchFilters(has_capacity=True))
    assert ids(hits) == ["budget", "schuld-oost"]


def test_open_now_and_walk_in_use_flags_or_live_callbacks(index: SearchIndex) -> None:
    assert ids(index.search("", filters=SearchFilters(open_now=True))) == ["brug"]
    assert ids(index.search("", filters=SearchFilters(walk_in_today=True))) == ["jongeren-oost"]
    asked: list[str] = []

    def is_open(service_id: str) -> bool:
        asked.append(service_id)
        return service_id in {"taalhuis", "voedselbank"}

    filters = SearchFilters(open_now=True, is_open_now=is_open)
    assert ids(index.search("schiedam", filters=filters)) == ["taalhuis", "voedselbank"]
    assert ids(index.search("schiedam", filters=filters, limit=1)) == ["taalhuis"]
    assert set(asked) <= {record["id"] for record in RECORDS}


def test_empty_query_without_filters_lists_everything_by_name(index: SearchIndex) -> None:
    found = ids(index.search("", limit=100))
    assert len(found) == len(RECORDS)
    assert found == sorted(found, key=lambda i: (fold(_name(i)), i))
    assert ids(index.search("   ", limit=2)) == found[:2]


def test_postcode_parsing() -> None:
    assert pc4_of("3118AB") == pc4_of("3118 ab") == pc4_of(3118) == pc4_of(" 3118 ") == 3118
    for bad in ("311", "ABCD", "0118AB", 99999, "3118ABC"):
        with pytest.raises(ValueError, match="Postcode"):
            SearchFilters(postcode=bad)


# -- building and determinism --------------------------------------------------------------------


def test_records_need_id_and_name_and_unique_ids() -> None:
    with pytest.raises(ValueError, match="id en een naam"):
        SearchIndex.build([{"id": "x"}])
    with pytest.raises(ValueError, match="hetzelfde id"):
        SearchIndex.build([{"id": "x", "name": "A"}, {"id": "x", "name": "B"}])
    assert SearchIndex.build([]).search("iets") == []


def test_limit(index: SearchIndex) -> None:
    assert len(index.search("schiedam", limit=2)) == 2
    assert index.search("schiedam", limit=0) == []


def test_find_counts_what_a_capped_list_leaves_out(index: SearchIndex) -> None:
    everything = index.search("schiedam", limit=100)
    found = index.find("schiedam", limit=2)
    assert ids(found.hits) == ids(everything[:2])
    assert found.total == len(everything) and found.more == len(everything) - 2
    whole = index.find("schiedam", limit=100)
    assert whole.more == 0 and whole.total == len(everything)
    browse = index.find("", limit=3)
    assert browse.total == len(RECORDS) and browse.more == len(RECORDS) - 3

    def is_open(service_id: str) -> bool:
        return service_id in {"taalhuis", "voedselbank", "brug"}

    live = SearchFilters(open_now=True, is_open_now=is_open)
    assert index.find("", filters=live, limit=1).total == 3
    open_schiedam = index.search("schiedam", filters=live, limit=100)
    assert index.find("schiedam", filters=live, limit=1).total == len(open_schiedam)
    assert index.find("xqzwv", limit=5).total == 0
    assert SearchIndex.build([]).find("iets").total == 0


def test_ties_are_broken_by_name_whatever_the_input_order() -> None:
    shuffled = list(RECORDS)
    random.Random(3).shuffle(shuffled)
    first, second = SearchIndex.build(RECORDS), SearchIndex.build(shuffled)
    for query in ("schiedam", "s", "minters", "jeugd", "hulp", "", "zorg"):
        assert first.search(query) == second.search(query)
    hits = first.search("minters")
    assert len({hit.score for hit in hits}) == 1
    assert ids(hits) == sorted(ids(hits), key=lambda i: fold(_name(i)))


def test_synonym_file_parsing() -> None:
    synonyms = Synonyms.parse("# comment\nGeld, Financiën , schuld hulp # rest\n\nalleen\n")
    assert synonyms.alternatives(("financien",)) == (("geld",), ("schuld", "hulp"))
    assert synonyms.alternatives(("alleen",)) == ()
    assert synonyms.phrase_lengths == (2,)


def test_default_synonyms_hold_the_curated_groups() -> None:
    synonyms = Synonyms.default()
    for term, other in [
        ("geldzorgen", "schuldhulp"),
        ("eenzaam", "isolement"),
        ("cjg", "opvoeding"),
        ("mantelzorger", "zorgen voor naaste"),
        ("senioren", "ouderen"),
        ("ggz", "psychische klachten"),
        ("drugs", "verslaving"),
        ("veilig thuis", "mishandeling"),
        ("uitkering", "baan"),
        ("woning", "huisvesting"),
        ("sport", "leefstijl"),
        ("laaggeletterdheid", "nederlands leren"),
        ("wmo", "sociale plein"),
    ]:
        assert tuple(words(other)) in synonyms.alternatives(tuple(words(term))), term


def test_concurrent_searches_give_the_same_answers(index: SearchIndex) -> None:
    queries = ["s", "sc", "sch", "mantlzorg", "jongerenwerk o", "geldzorgen", "hulp", ""] * 20
    expected = [index.search(query) for query in queries]
    fresh = SearchIndex.build(RECORDS)  # cold caches, filled from several threads at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(fresh.search, queries)) == expected


# -- a generated kaart ---------------------------------------------------------------------------


def test_generated_corpus_smoke() -> None:
    records = generate(2000, seed=5)
    assert records == generate(2000, seed=5)
    index = SearchIndex.build(records)
    assert len(index) == 2000
    by_id = {record["id"]: record for record in records}
    for query in ("schuldhulp", "mantelzorg ondersteuning", "jongerenwerk oost", "taalhuis"):
        for end in range(1, len(query) + 1):
            hits = index.search(query[:end])
            assert hits, query[:end]
            scores = [hit.score for hit in hits]
            assert scores == sorted(scores, reverse=True)
    top = by_id[index.search("jongerenwerk oost")[0].id]
    assert top["name"].startswith("Jongerenwerk Oost")
    assert "antelzorg" in by_id[index.search("mantlzorg")[0].id]["name"]
    filters = SearchFilters(age=8, postcode="3050AB", theme="Jeugd")
    hits = index.search("", filters=filters, limit=500)
    assert hits
    for hit in hits:
        record = by_id[hit.id]
        assert "Jeugd" in record["themes"]
        assert record["min_age"] is None or record["min_age"] <= 8
        assert record["max_age"] is None or record["max_age"] >= 8
        ranges = record["pc4_ranges"]
        assert not ranges or any(low <= 3050 <= high for low, high in ranges)
        assert hit.area == ("covers" if ranges else "unrestricted")


def _name(service_id: str) -> str:
    return next(str(record["name"]) for record in RECORDS if record["id"] == service_id)


# --- temporarily closed services, former names ------------------------------------------------

CLOSING: list[dict[str, Any]] = [
    {
        "id": "poort",
        "name": "Buurthuis De Poort",
        "organization": "Stichting Welzijn Waterweg",
        "description": "Koffie-inloop en activiteiten.",
        "themes": ["Eenzaamheid"],
        "status": "temporarily closed",
        "open_now": False,
    },
    {
        "id": "oost",
        "name": "Buurthuis Oost",
        "organization": "Stichting Welzijn Waterweg",
        "description": "Koffie-inloop en activiteiten.",
        "themes": ["Eenzaamheid"],
        "status": "active",
    },
    {
        "id": "brug",
        "name": "Buurtcentrum De Brug",
        "organization": "Stichting Welzijn Waterweg",
        "description": "Koffie-inloop; ook een buurthuis voor jong en oud.",
        "themes": ["Eenzaamheid"],
        "status": "active",
    },
    {
        "id": "nieuwland",
        "name": "Wijkteam Nieuwland",
        "former_names": ["WOT Nieuwland", "Buurtteam Nieuwland"],
        "organization": "Stichting Wijkteams Schiedam",
        "organization_names": ["SWS", "Wijkzorg Schiedam"],
        "themes": ["Multiprobleem"],
    },
]


def test_a_closed_service_is_found_but_after_open_ones_that_match_as_well() -> None:
    index = SearchIndex.build(CLOSING)
    assert [h.id for h in index.search("buurthuis")] == ["oost", "poort", "brug"]
    # Its own name still finds it first, ahead of a weak description match.
    assert index.search("de poort")[0].id == "poort"
    # By theme, without words: every open one first, then the closed one.
    themed = index.search("", filters=SearchFilters(theme="eenzaamheid"))
    assert [h.id for h in themed] == ["brug", "oost", "poort"]
    assert index.find("", filters=SearchFilters(theme="eenzaamheid")).total == 3


def test_alleen_open_leaves_closed_services_out() -> None:
    index = SearchIndex.build(CLOSING)
    only_open = SearchFilters(only_open=True)
    assert "poort" not in [h.id for h in index.search("buurthuis", filters=only_open)]
    assert index.search("poort", filters=only_open) == []
    assert only_open.labels() == ("Alleen open",)
    themed = SearchFilters(theme="eenzaamheid", only_open=True)
    assert [h.id for h in index.search("", filters=themed)] == ["brug", "oost"]


def test_a_former_name_or_another_name_of_the_organisation_finds_the_service() -> None:
    index = SearchIndex.build(CLOSING)
    [hit] = index.search("wot")
    assert hit.id == "nieuwland" and hit.matched_fields == ("former_names",)
    assert index.search("buurtteam nieuwland")[0].id == "nieuwland"
    assert [h.id for h in index.search("wijkzorg")] == ["nieuwland"]
    assert index.search("sws")[0].matched_fields == ("organization",)
