"""The picker's rules, without a database: filters read from a query string, and order."""

from dataclasses import dataclass
from datetime import UTC, datetime

from crampcare.routines.picker import Filters, pick


@dataclass
class Card:
    id: int
    slug: str
    title: str
    area: str
    difficulty: str
    seconds: int


CARDS = [
    Card(1, "a", "Alpha", "lower", "gentle", 300),
    Card(2, "b", "beta", "lower", "moderate", 301),
    Card(3, "c", "Gamma", "upper", "gentle", 600),
    Card(4, "d", "Delta", "whole", "advanced", 900),
]


def titles(cards) -> list[str]:
    return [card.title for card in cards]


def chosen(filters, **options) -> list[str]:
    return titles(pick(CARDS, filters, lambda card: card.seconds, **options))


def test_filters_read_only_the_values_offered():
    assert Filters.from_args({"minutes": "10", "area": "upper", "difficulty": "gentle"}) == (
        Filters(area="upper", difficulty="gentle", max_minutes=10)
    )
    assert Filters.from_args({"minutes": "7", "area": "feet", "difficulty": "x"}) == Filters()
    assert not Filters().any_set and Filters(favourites_only=True).any_set


def test_up_to_five_minutes_includes_five_minutes_exactly():
    assert chosen(Filters(max_minutes=5)) == ["Alpha"]
    assert chosen(Filters(max_minutes=10)) == ["Alpha", "beta", "Gamma"]
    assert chosen(Filters(max_minutes=15)) == ["Alpha", "beta", "Delta", "Gamma"]


def test_filters_combine():
    assert chosen(Filters(area="lower", difficulty="moderate")) == ["beta"]
    assert chosen(Filters(favourites_only=True), favourites={3, 4}) == ["Delta", "Gamma"]


def test_the_last_played_come_first_then_titles_regardless_of_case():
    played = {
        "d": datetime(2026, 3, 2, tzinfo=UTC),
        "c": datetime(2026, 3, 3, tzinfo=UTC),
    }
    assert chosen(Filters(), last_played=played) == ["Gamma", "Delta", "Alpha", "beta"]
