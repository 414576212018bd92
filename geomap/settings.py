"""One settings object, validated when built: CLI options over environment over config file."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from geomap.errors import UsageError

_ENV_PREFIX = "GEOMAP_"
CONFIG_NAME = "geomap.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run may be told, with its defaults.

    Read by :meth:`load`: values given to it (the CLI's options) win over ``GEOMAP_*``
    environment variables, which win over ``geomap.toml`` in the working folder or the user
    config folder, which win over these defaults.
    """

    out_dir: Path = Path("out")
    store: Path | None = None
    layers_dir: Path | None = None
    geocoder: str = "offline"
    cache_dir: Path | None = None
    timeout: float = 10.0
    max_bytes: int = 8 * 1024 * 1024
    self_contained: bool = False
    lock_wait: float = 60.0

    @property
    def store_path(self) -> Path:
        """The GeoPackage store: ``store`` or ``out_dir/geomap.gpkg``."""
        return self.store or self.out_dir / "geomap.gpkg"

    @classmethod
    def load(cls, **given: Any) -> Settings:
        """Combine defaults, config file, environment and ``given`` (``None`` means not given).

        Raises
        ------
        UsageError
            When a value has the wrong type or range, or the config file is malformed.
        """
        values: dict[str, Any] = {}
        values |= _from_config()
        values |= _from_env()
        values |= {k: v for k, v in given.items() if v is not None}
        settings = cls()
        for item in fields(cls):
            if item.name in values:
                settings = replace(settings, **{item.name: _coerce(item.name, values[item.name])})
        if settings.timeout <= 0 or settings.max_bytes <= 0 or settings.lock_wait < 0:
            msg = "timeout and max_bytes must be positive, lock_wait zero or more"
            raise UsageError(msg)
        return settings


def _coerce(name: str, value: Any) -> Any:
    default = getattr(Settings(), name)
    try:
        if name in {"store", "layers_dir", "cache_dir", "out_dir"}:
            return Path(value).expanduser()
        if isinstance(default, bool):
            return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
        if isinstance(default, float):
            return float(value)
        if isinstance(default, int):
            return int(value)
    except (TypeError, ValueError):
        msg = f"setting {name} has the value {value!r}, which is not a {type(default).__name__}"
        raise UsageError(msg) from None
    return str(value)


def _from_env() -> dict[str, Any]:
    names = {f.name for f in fields(Settings)}
    return {
        key[len(_ENV_PREFIX) :].lower(): value
        for key, value in os.environ.items()
        if key.startswith(_ENV_PREFIX) and key[len(_ENV_PREFIX) :].lower() in names
    }


def _from_config() -> dict[str, Any]:
    for folder in (Path.cwd(), Path(platformdirs.user_config_dir("geomap"))):
        path = folder / CONFIG_NAME
        if path.is_file():
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
            return dict(data)
    return {}
