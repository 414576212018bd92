"""Bounded memos for the pure functions recognition calls for every word.

:func:`functools.lru_cache` keeps its entries in a linked list in the order of use and moves
an entry at each hit: with tens of thousands of words remembered, that touches memory all
over the heap, and a hit cost several times a dictionary lookup. These memos are plain
dictionaries, forgotten all at once when full (as the gazetteer's row cache is); what they
hold is recomputed on demand, so forgetting changes no answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

_F = TypeVar("_F", bound=Callable[..., Any])


def remembered(maxsize: int) -> Callable[[_F], _F]:
    """A decorator: the function's results by its positional arguments (hashable), up to
    ``maxsize`` of them, then forgotten all at once. The function must never return ``None``
    (that is how a miss is told) and is called with positional arguments only."""

    def decorate(function: _F) -> _F:
        memo: dict[Any, Any] = {}
        get = memo.get

        @functools.wraps(function)
        def wrapper(*args: Any) -> Any:
            found = get(args)
            return remember(memo, args, function(*args), maxsize) if found is None else found

        wrapper.memo = memo  # type: ignore[attr-defined]
        return cast(_F, wrapper)

    return decorate


def remembered_by_argument(maxsize: int) -> Callable[[_F], _F]:
    """Like :func:`remembered`, for a function of one argument, which is the key itself: its
    memo (``function.memo``) may then be read inline, ``memo.get(argument)``."""

    def decorate(function: _F) -> _F:
        memo: dict[Any, Any] = {}
        get = memo.get

        @functools.wraps(function)
        def wrapper(argument: Any) -> Any:
            found = get(argument)
            return remember(memo, argument, function(argument), maxsize) if found is None else found

        wrapper.memo = memo  # type: ignore[attr-defined]
        return cast(_F, wrapper)

    return decorate


def remember(memo: dict[Any, Any], key: Any, value: Any, maxsize: int) -> Any:
    """Store ``value`` under ``key`` in a memo of at most ``maxsize`` entries (emptied first
    when full) and return it: the miss path of a memo read inline."""
    if len(memo) >= maxsize:
        memo.clear()
    memo[key] = value
    return value
