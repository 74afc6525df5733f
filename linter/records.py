"""Record classes: the part of the standard library's ``dataclasses`` the engine uses, made at a
fraction of its cost at start-up.

``@dataclass`` compiles five or six functions per class from source (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, and for a frozen class ``__setattr__`` and
``__delattr__``), and importing it imports ``inspect`` (with ``ast``, ``dis`` and
``tokenize``). For the engine's classes that was about 40 ms of every run, a quarter of a small
template's whole check (docs/performance.md). Here only ``__init__`` is compiled, as its
signature is the class's own (a frozen record's writes its fields into the record's
``__dict__``, past the frozen guard, a third faster than ``object.__setattr__`` per field, which
a slotted one still uses); equality, hashing, ``repr`` and the frozen guard are shared functions
that read a record's fields with one ``operator.attrgetter``.

What a record does is what a dataclass with the same arguments does, for the features used
here: fields in annotation order (``ClassVar`` annotations are not fields), defaults and
``field(default=..., default_factory=...)``, ``__post_init__``, ``frozen`` (assigning or
deleting a field raises :class:`FrozenInstanceError`; the record is then hashable by its
fields), ``slots`` (the class is made again with ``__slots__``), equality with a record of
the same class by its fields, ``repr`` ``Name(field=value, ...)``, ``__match_args__``, pickling
and copying, and :func:`replace`. A record does not inherit fields from a record base class
(none does; :func:`record` refuses it rather than get the order wrong).
"""

from __future__ import annotations

import operator
from typing import Any, Callable, TypeVar

T = TypeVar("T")


class FrozenInstanceError(AttributeError):
    """A field of a frozen record was assigned or deleted."""


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()   # no default given


class Field:
    """A field's default or default factory, as :func:`field` declares it."""

    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any, default_factory: Any) -> None:
        self.default = default
        self.default_factory = default_factory


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] | Any = MISSING) -> Any:
    """A field's default (``default``) or a function making one per record
    (``default_factory``: for a list or dict, which must not be shared)."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory)


def record(cls: type[T] | None = None, /, *, frozen: bool = False, slots: bool = False) -> Any:
    """Make ``cls`` a record: ``@record`` or ``@record(frozen=True, slots=True)``."""
    def wrap(cls: type[T]) -> type[T]:
        return _make(cls, frozen, slots)
    return wrap if cls is None else wrap(cls)


def fields(record_or_class: Any) -> tuple[str, ...]:
    """The names of a record's fields, in order."""
    names = getattr(record_or_class, "_record_fields", None)
    if names is None:
        raise TypeError(f"{record_or_class!r} is not a record")
    return names


def replace(obj: T, /, **changes: Any) -> T:
    """A new record like ``obj`` with ``changes`` (its ``__init__`` and ``__post_init__`` run)."""
    names = fields(obj)
    unknown = set(changes).difference(names)
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no field {sorted(unknown)[0]!r}")
    values = dict(zip(names, obj._record_key(obj)))  # type: ignore[attr-defined]
    values.update(changes)
    return obj.__class__(**values)


# -- the shared methods -------------------------------------------------------------------------

def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self._record_key
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self._record_key(self))


def _repr(self: Any) -> str:
    # one %-format made per class: "%s(a=%r, b=%r)" (the class's name is a subclass's if so)
    return self._record_format % ((self.__class__.__qualname__,) + self._record_key(self))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: Any) -> tuple:
    return self._record_key(self)


def _setstate(self: Any, state: tuple) -> None:
    for name, value in zip(self._record_fields, state):
        object.__setattr__(self, name, value)


def _key(names: tuple[str, ...]) -> Any:
    """The fields' values as a tuple (what equality, hashing and ``repr`` compare and show),
    as a class attribute that is not a method."""
    if len(names) > 1:
        return operator.attrgetter(*names)   # a tuple already, made in C; not a descriptor
    if names:
        get = operator.attrgetter(names[0])
        return staticmethod(lambda obj: (get(obj),))
    return staticmethod(lambda obj: ())


# -- making a record ----------------------------------------------------------------------------

def _make(cls: type[T], frozen: bool, slots: bool) -> type[T]:
    for base in cls.__mro__[1:]:
        if "_record_fields" in base.__dict__:
            raise TypeError(f"record {cls.__qualname__} inherits from record {base.__qualname__}")
    own = cls.__dict__
    names: list[str] = []
    defaults: dict[str, Any] = {}     # name -> default value
    factories: dict[str, Any] = {}    # name -> default factory
    for name, annotation in own.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        if name.startswith("_record"):   # the names __init__ and the class use themselves
            raise TypeError(f"field {name!r}: a field's name cannot start with _record")
        names.append(name)
        if name not in own:
            if defaults or factories:
                raise TypeError(f"non-default argument {name!r} follows default argument")
            continue
        value = own[name]
        if isinstance(value, Field):
            if value.default_factory is not MISSING:
                factories[name] = value.default_factory
            elif value.default is not MISSING:
                defaults[name] = value.default
            elif defaults or factories:
                raise TypeError(f"non-default argument {name!r} follows default argument")
        elif isinstance(value, (list, dict, set)):
            raise ValueError(f"mutable default {type(value)} for field {name} is not allowed: "
                             "use default_factory")
        else:
            defaults[name] = value
    field_names = tuple(names)

    # What the class defines itself it keeps, as with dataclasses.
    methods: dict[str, Any] = {
        "_record_fields": field_names, "_record_key": _key(field_names),
        "_record_format": "%s(" + ", ".join(f"{name}=%r" for name in field_names) + ")",
        "__match_args__": field_names,
        "__init__": _init(cls, field_names, defaults, factories, frozen, slots,
                          "__post_init__" in own),
        "__repr__": _repr, "__eq__": _eq}
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    if not explicit_hash:
        methods["__hash__"] = _hash if frozen else None   # unhashable when mutable
    if frozen:
        methods.update(__setattr__=_frozen_setattr, __delattr__=_frozen_delattr)
        if slots:   # pickle and copy restore a slotted record's fields by setattr: not frozen ones
            methods.update(__getstate__=_getstate, __setstate__=_setstate)
    methods = {name: value for name, value in methods.items()
               if name not in own or name == "__hash__"}

    if not slots:
        for name in field_names:   # the class attribute is the default, as in dataclasses
            if name in factories:
                delattr(cls, name)
            elif isinstance(own.get(name), Field):
                setattr(cls, name, defaults[name])
        for name, value in methods.items():
            setattr(cls, name, value)
        return cls
    # __slots__ must be there when the class is made: make it again (as dataclasses does)
    namespace = {name: value for name, value in own.items()
                 if name not in field_names and name not in ("__dict__", "__weakref__")}
    namespace.update(methods, __slots__=field_names)
    made = type(cls)(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    return made


def _is_class_var(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "_name", "")
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _init(cls: type, names: tuple[str, ...], defaults: dict[str, Any],
          factories: dict[str, Any], frozen: bool, slots: bool,
          post_init: bool) -> Callable[..., None]:
    """``__init__(self, field, ..., field=default, ...)``, compiled from source: the one
    function whose signature is the class's own."""
    scope: dict[str, Any] = {"_record_set": object.__setattr__, "_record_factory": MISSING}
    parameters, body = [], []
    for name in names:
        if name in factories:
            scope[f"_record_factory_{name}"] = factories[name]
            parameters.append(f"{name}=_record_factory")
            value = f"_record_factory_{name}() if {name} is _record_factory else {name}"
        else:
            if name in defaults:
                scope[f"_record_default_{name}"] = defaults[name]
                parameters.append(f"{name}=_record_default_{name}")
            else:
                parameters.append(name)
            value = name
        body.append(f"_record_dict[{name!r}] = {value}" if frozen and not slots else
                    f"_record_set(self, {name!r}, {value})" if frozen
                    else f"self.{name} = {value}")
    if frozen and not slots and names:   # past the frozen guard: the record's own dict
        body.insert(0, "_record_dict = self.__dict__")
    if post_init:
        body.append("self.__post_init__()")
    source = (f"def __init__(self, {', '.join(parameters)}):\n    "
              + ("\n    ".join(body) or "pass") + "\n")
    exec(source, scope)   # noqa: S102 - the text is made above from the class's own field names
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init
