"""linter/records.py: records behave as the standard library's dataclasses with the same
arguments (the oracle here), for every feature the engine uses."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import ClassVar

import pytest

from cfn_trailwatch import records
from cfn_trailwatch.records import FrozenInstanceError, field, record


@record(frozen=True, slots=True)
class Point:
    """A frozen, slotted record (as values.model's atoms)."""

    x: int
    y: str = "origin"


@dataclasses.dataclass(frozen=True, slots=True)
class PointOracle:
    """The same as a dataclass."""

    x: int
    y: str = "origin"


@record(frozen=True)
class Tagged:
    """Frozen, with a dict."""

    name: str
    tags: tuple[str, ...] = ()


@record
class Bag:
    """Mutable, with defaults made per record."""

    items: list[int] = field(default_factory=list)
    count: int = field(default=3)
    limit: ClassVar[int] = 10   # not a field


@record
class Checked:
    """With __post_init__."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError("low above high")


@record(frozen=True)
class One:
    """A single field (its key is made apart)."""

    value: object


@record(frozen=True)
class Empty:
    """No field at all."""


def test_init_defaults_and_fields_in_annotation_order() -> None:
    assert records.fields(Point) == ("x", "y")
    assert records.fields(Point(1)) == ("x", "y")
    assert Point(1).y == "origin"
    assert Point(1, "b").y == "b"
    assert Point(y="c", x=2) == Point(2, "c")
    assert Point.__match_args__ == ("x", "y")
    assert Point.__init__.__qualname__ == "Point.__init__"
    with pytest.raises(TypeError):
        Point()  # x has no default
    with pytest.raises(TypeError):
        Point(1, "b", "extra")


def test_repr_is_the_dataclass_repr() -> None:
    assert repr(Point(1, "a'b")) == repr(PointOracle(1, "a'b")).replace("PointOracle", "Point")
    assert repr(Bag()) == "Bag(items=[], count=3)"
    assert repr(One(None)) == "One(value=None)"
    assert repr(Empty()) == "Empty()"
    assert str(Tagged("n", ("a",))) == "Tagged(name='n', tags=('a',))"


def test_equality_by_fields_and_same_class_only() -> None:
    assert Point(1, "a") == Point(1, "a")
    assert Point(1, "a") != Point(1, "b")
    assert Point(1, "a") != Point(2, "a")
    assert Point(1, "origin") != PointOracle(1, "origin")   # another class
    assert Point(1).__eq__((1, "origin")) is NotImplemented
    assert One(1) == One(1) and One(1) != One(2)
    assert Empty() == Empty()
    assert Bag([1]) == Bag([1]) and Bag([1]) != Bag([2])


def test_frozen_records_hash_by_fields_and_refuse_changes() -> None:
    assert hash(Point(1, "a")) == hash(Point(1, "a")) == hash(PointOracle(1, "a"))
    assert len({Point(1), Point(1), Point(2)}) == 2
    assert hash(One("v")) == hash(("v",))
    assert hash(Empty()) == hash(())
    point = Point(1)
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'x'"):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError, match="cannot delete field 'y'"):
        del point.y  # type: ignore[misc]
    tagged = Tagged("n")
    with pytest.raises(FrozenInstanceError):
        tagged.name = "m"  # type: ignore[misc]
    with pytest.raises(AttributeError):   # the error is an AttributeError, as dataclasses'
        tagged.other = 1  # type: ignore[attr-defined]
    assert isinstance(FrozenInstanceError(), AttributeError)


def test_mutable_records_are_unhashable_and_assignable() -> None:
    bag = Bag()
    bag.count = 4
    assert bag.count == 4
    with pytest.raises(TypeError, match="unhashable"):
        hash(bag)


def test_slots_and_class_attributes() -> None:
    assert Point.__slots__ == ("x", "y")
    assert not hasattr(Point(1), "__dict__")
    assert "y" not in Point.__dict__ or not isinstance(Point.__dict__["y"], str)
    assert Tagged.tags == ()         # a plain default stays the class attribute
    assert Bag.count == 3            # field(default=...) becomes one
    assert not hasattr(Bag, "items")  # a factory leaves none
    assert Bag.limit == 10 and records.fields(Bag) == ("items", "count")


def test_default_factory_makes_one_per_record() -> None:
    first, second = Bag(), Bag()
    first.items.append(1)
    assert second.items == []
    given = [5]
    assert Bag(given).items is given


def test_post_init_runs_after_the_fields_are_set() -> None:
    assert Checked(1, 2).high == 2
    with pytest.raises(ValueError, match="low above high"):
        Checked(3, 2)


def test_replace_makes_a_new_record_through_init() -> None:
    point = Point(1, "a")
    moved = records.replace(point, y="b")
    assert moved == Point(1, "b") and point == Point(1, "a")
    assert records.replace(point) == point and records.replace(point) is not point
    with pytest.raises(ValueError, match="low above high"):
        records.replace(Checked(1, 2), low=5)
    with pytest.raises(TypeError, match="Point has no field 'z'"):
        records.replace(point, z=1)
    with pytest.raises(TypeError, match="is not a record"):
        records.replace(PointOracle(1))


def test_pickle_and_copy_keep_frozen_records() -> None:
    for value in (Point(1, "a"), Tagged("n", ("t",)), Bag([1], 2), One(Point(2)), Empty()):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.copy(value) == value
        assert copy.deepcopy(value) == value
    restored = pickle.loads(pickle.dumps(Point(1)))
    with pytest.raises(FrozenInstanceError):
        restored.x = 3  # type: ignore[misc]


def test_what_the_class_defines_it_keeps() -> None:
    @record(frozen=True)
    class Own:
        """Its own repr, equality and hash."""

        a: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 7

    assert repr(Own(1)) == "own" and Own(1) == Own(2) and hash(Own(1)) == 7

    @record
    class OwnEq:
        """Its own equality and no hash: unhashable, as Python makes it."""

        a: int

        def __eq__(self, other: object) -> bool:
            return False

    assert OwnEq(1) != OwnEq(1)
    with pytest.raises(TypeError):
        hash(OwnEq(1))


def test_mistakes_are_refused_as_dataclasses_refuses_them() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @record
        class Order:
            """A field without a default after one with."""

            a: int = 1
            b: int

    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @record
        class OrderAfterFactory:
            """The same after a factory."""

            a: list = field(default_factory=list)
            b: int = field()

    with pytest.raises(ValueError, match="mutable default <class 'list'> for field a"):
        @record
        class Shared:
            """A list as a default would be shared by every record."""

            a: list = []  # noqa: RUF012

    with pytest.raises(TypeError, match="a field's name cannot start with _record"):
        @record
        class Reserved:
            """A field named as the record's own helpers."""

            _record_dict: int

    with pytest.raises(ValueError, match="both default and default_factory"):
        field(default=1, default_factory=list)

    with pytest.raises(TypeError, match=r"\.<locals>\.Child inherits from record Point"):
        @record
        class Child(Point):  # type: ignore[misc]
            """Fields of a record base are not gathered: refused."""

            z: int = 0


def test_the_engine_no_longer_imports_dataclasses_or_inspect() -> None:
    """What the records are for: a fresh interpreter importing the CLI loads neither."""
    import subprocess
    import sys

    code = ("import sys, cfn_trailwatch.cli; "
            "print(sorted(m for m in ('dataclasses', 'inspect') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
