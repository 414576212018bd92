"""The bounded memos of recognition give the function's answers, full or forgotten."""

from __future__ import annotations

import pytest

from geomap.extract.text import sentences
from geomap.gazetteer import Gazetteer, default_index_path
from geomap.recognise import features
from geomap.recognise.features import iter_features, text_features
from geomap.recognise.learned import PlaceTagger
from geomap.recognise.memo import remember, remembered, remembered_by_argument


def test_a_remembered_function_is_called_once_per_arguments_until_full() -> None:
    calls: list[tuple[int, int]] = []

    @remembered(3)
    def add(a: int, b: int) -> int:
        calls.append((a, b))
        return a + b

    assert [add(1, 2), add(1, 2), add(2, 2)] == [3, 3, 4]
    assert calls == [(1, 2), (2, 2)]
    for n in range(10):
        assert add(n, 1) == n + 1
    assert len(add.memo) <= 3  # type: ignore[attr-defined]
    assert add(1, 2) == 3  # forgotten and found again


def test_a_function_of_one_argument_is_remembered_by_the_argument_itself() -> None:
    calls: list[str] = []

    @remembered_by_argument(2)
    def shout(word: str) -> str:
        calls.append(word)
        return word.upper()

    assert [shout("oslo"), shout("oslo"), shout("bergen")] == ["OSLO", "OSLO", "BERGEN"]
    assert calls == ["oslo", "bergen"]
    assert shout.memo == {"oslo": "OSLO", "bergen": "BERGEN"}  # type: ignore[attr-defined]
    assert shout("tromsø") == "TROMSØ"
    assert shout.memo == {"tromsø": "TROMSØ"}  # type: ignore[attr-defined]


def test_remember_empties_a_full_memo_before_storing() -> None:
    memo = {"a": 1, "b": 2}
    assert remember(memo, "c", 3, 2) == 3
    assert memo == {"c": 3}
    assert remember(memo, "d", 4, 2) == 4
    assert memo == {"c": 3, "d": 4}


def test_features_from_small_forgetful_memos_are_the_features_from_full_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gazetteer = Gazetteer.open(default_index_path())
    text = (
        "Riot police moved into Kisumu and Eldoret at dawn. In Kisumu the crowd dispersed; "
        "in Eldoret, Mayor Wanjiru Kamau asked for calm.\nNo trains ran to Nakuru."
    )
    parts = sentences(text)
    vocabulary = PlaceTagger.default().vocabulary
    full_plain = text_features(text, parts, language="en", gazetteer=gazetteer)
    full_fast = list(
        iter_features(text, parts, language="en", gazetteer=gazetteer, vocabulary=vocabulary)
    )
    monkeypatch.setattr(features, "_MEMO_KEPT", 2)
    features._PLAIN.token.clear()
    features._PLAIN.left.clear()
    small_plain = text_features(text, parts, language="en", gazetteer=gazetteer)
    assert small_plain == full_plain
    assert len(features._PLAIN.token) <= 2 and len(features._PLAIN.left) <= 2
    if vocabulary is not None:
        vocabulary.memos.token.clear()
        vocabulary.memos.left.clear()
        fast = iter_features(text, parts, language="en", gazetteer=gazetteer, vocabulary=vocabulary)
        assert list(fast) == full_fast
        assert len(vocabulary.memos.token) <= 2
