"""One settings object, validated when built: CLI options over environment over config file."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from geomap.errors import UsageError

_ENV_PREFIX = "GEOMAP_"
CONFIG_NAME = "geomap.toml"
#: The largest ``max_bytes``: 1 TiB, far above any article; a larger one cannot be read.
MAX_BYTES_LIMIT = 2**40
#: CLI options whose name is not the setting's (``out_dir`` is ``--out``).
_OPTIONS = {"out_dir": "--out", "layers_dir": "--layers"}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}
_KINDS = {bool: "true or false", float: "a number", int: "a whole number"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run may be told, with its defaults.

    Read by :meth:`load`: values given to it (the CLI's options) win over ``GEOMAP_*``
    environment variables, which win over ``geomap.toml`` in the working folder or the user
    config folder, which win over these defaults.
    """

    out_dir: Path = Path("out")
    store: Path | str | None = None
    layers_dir: Path | None = None
    geocoder: str = "offline"
    cache_dir: Path | None = None
    timeout: float = 10.0
    max_bytes: int = 8 * 1024 * 1024
    self_contained: bool = False
    lock_wait: float = 60.0
    title: str | None = None

    @property
    def store_path(self) -> Path:
        """The GeoPackage store: ``store`` or ``out_dir/geomap.gpkg`` (see :attr:`store_url`)."""
        return self.store if isinstance(self.store, Path) else self.out_dir / "geomap.gpkg"

    @property
    def store_url(self) -> str | None:
        """The PostGIS store's ``postgresql://`` URL, when ``store`` (``--store``,
        ``GEOMAP_STORE``) names a database rather than a file."""
        return self.store if isinstance(self.store, str) else None

    @property
    def store_location(self) -> Path | str:
        """The store, a database URL or a GeoPackage path."""
        return self.store_url or self.store_path

    @classmethod
    def load(cls, **given: Any) -> Settings:
        """Combine defaults, config file, environment and ``given`` (``None`` means not given).

        Raises
        ------
        UsageError
            When a value has the wrong type or range, or the config file is malformed.
        """
        values = _gathered(given)
        settings = cls()
        for item in fields(cls):
            if item.name in values:
                settings = replace(settings, **{item.name: _valid(item.name, *values[item.name])})
        return settings


def _gathered(given: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """Each setting's winning value and where it was given, for messages."""
    config_path, config = _from_config()
    values = {k: (v, f"setting {k} in {config_path}") for k, v in config.items()}
    values |= {k: (v, f"environment variable {_env_name(k)}") for k, v in _from_env().items()}
    values |= {k: (v, f"option {_option(k)}") for k, v in given.items() if v is not None}
    return values


def _valid(name: str, value: Any, where: str) -> Any:
    """``value`` as the setting's type, in its range; else a message naming ``where``."""
    converted = _coerce(name, value, where=where)
    wanted = _out_of_range(name, converted)
    if wanted is not None:
        msg = f"{where} has the value {value!r}; it must be {wanted}"
        raise UsageError(msg)
    return converted


def _env_name(name: str) -> str:
    return f"{_ENV_PREFIX}{name.upper()}"


def _option(name: str) -> str:
    return _OPTIONS.get(name, "--" + name.replace("_", "-"))


def _coerce(name: str, value: Any, *, where: str) -> Any:
    """``value`` as the type of the setting; ``where`` (its origin) names it in the error."""
    default = getattr(Settings(), name)
    kind = _KINDS.get(type(default), "a path")
    try:
        if name == "store" and str(value).startswith(("postgresql://", "postgres://")):
            return str(value)  # a PostGIS database, kept as its URL
        if name in {"store", "layers_dir", "cache_dir", "out_dir"}:
            return Path(value).expanduser()
        if isinstance(default, bool):
            word = str(value).lower()
            if isinstance(value, bool) or word in _TRUE | _FALSE:
                return value if isinstance(value, bool) else word in _TRUE
            raise ValueError(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, int):
            return int(value)
    except (TypeError, ValueError):
        example = f" such as {default}" if type(default) in (int, float) else ""
        msg = f"{where} has the value {value!r}, which is not {kind}; set {kind}{example}"
        raise UsageError(msg) from None
    return str(value)


def _out_of_range(name: str, value: Any) -> str | None:
    """What a value of the right type that cannot work (a timeout of 0, 10**23 bytes) must be."""
    if name == "timeout" and not (value > 0 and math.isfinite(value)):
        return "a number of seconds above 0, such as 10"
    if name == "lock_wait" and not (value >= 0 and math.isfinite(value)):
        return "a number of seconds, 0 or more, such as 60"
    if name == "max_bytes" and not 1 <= value <= MAX_BYTES_LIMIT:
        return f"a number of bytes from 1 to {MAX_BYTES_LIMIT}, such as 8388608 (8 MB)"
    return None


def _from_env() -> dict[str, Any]:
    names = {f.name for f in fields(Settings)}
    return {
        key[len(_ENV_PREFIX) :].lower(): value
        for key, value in os.environ.items()
        if key.startswith(_ENV_PREFIX) and key[len(_ENV_PREFIX) :].lower() in names
    }


def _from_config() -> tuple[Path | None, dict[str, Any]]:
    """The first ``geomap.toml`` found (working folder, then user config folder) and its values."""
    for folder in (Path.cwd(), Path(platformdirs.user_config_dir("geomap"))):
        path = folder / CONFIG_NAME
        if path.is_file():
            import tomllib  # only with a file to read: its import compiles regexes (10 ms)

            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                msg = f"cannot read {path}: {exc}; fix or remove it"
                raise UsageError(msg) from exc
            names = {f.name for f in fields(Settings)}
            unknown = sorted(set(data) - names)
            if unknown:
                msg = f"{path}: unknown setting {unknown[0]!r}; known: {', '.join(sorted(names))}"
                raise UsageError(msg)
            return path, dict(data)
    return None, {}
