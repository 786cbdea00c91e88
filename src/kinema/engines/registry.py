"""Engines are found by name through the ``kinema.engines`` entry-point group, so an
engine can live in another package: add an entry point and it appears here."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from kinema.engines.base import Engine, EngineError


class UnknownEngine(EngineError):
    pass


def available_engines() -> list[str]:
    return sorted({ep.name for ep in entry_points(group="kinema.engines")})


@cache
def get_engine(name: str) -> Engine:
    """The engine registered as ``name``, built once per process and kept warm."""
    matches = [ep for ep in entry_points(group="kinema.engines") if ep.name == name]
    if not matches:
        known = ", ".join(available_engines()) or "none"
        raise UnknownEngine(f"Unknown engine {name!r}; available engines: {known}.")
    factory = matches[0].load()
    engine = factory()
    if not isinstance(engine, Engine):
        raise UnknownEngine(f"Entry point {name!r} does not provide an engine.")
    return engine
