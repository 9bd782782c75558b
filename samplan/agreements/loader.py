"""Loading the agreement files and choosing the version in force.

One TOML file per county in ``data/``; the file name (without ``.toml``) is the county key. A file
holds the county's name and one or more ``[[versions]]``, listed by ``valid_from``, never
overlapping. Every error names the file and the field, e.g.::

    AgreementError: gavleborg.toml: versions[2024-01-01].deadlines.admission_notice.amount:
    måste vara ett positivt heltal
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from samplan.agreements.schema import (
    Agreement,
    AgreementError,
    AgreementVersion,
    NoVersionInForce,
    to_local,
)

__all__ = [
    "DATA_DIR",
    "clear_cache",
    "get_agreement",
    "load_agreement_file",
    "load_agreements",
    "version_in_force",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

_RESERVED_TOP = ("county_key",)
_RESERVED_IN_VERSION = ("county_key", "county", "version_id")
_INHERITED = ("county_key", "county")
"""Keys every version takes from the top of the file."""
_COUNTY_KEY = re.compile(r"[a-z][a-z0-9_]*")


def load_agreement_file(path: Path) -> Agreement:
    """Read and validate one agreement file; raise :class:`AgreementError` naming file and field."""
    name = path.name
    if not _COUNTY_KEY.fullmatch(path.stem):
        raise AgreementError(f"{name}: filnamnet ska vara länets nyckel (a–z, 0–9, _) + .toml")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise AgreementError(f"{name}: ogiltig TOML: {error}") from error
    _reject_reserved(name, raw)
    try:
        return Agreement.model_validate({**raw, "county_key": path.stem})
    except ValidationError as error:
        errors = _without_echoes(error.errors())
        raise _file_error(name, [(_path(e, raw), _message(e)) for e in errors]) from None


def load_agreements(directory: Path | str | None = None) -> Mapping[str, Agreement]:
    """Every county's agreement in ``directory`` (default: the shipped ``data/``), by county key.

    Cached per directory and the files' sizes and modification times: the files are read again
    only when one is added, removed or changed (a newly published version takes effect without a
    restart), otherwise the same mapping is returned."""
    path = Path(directory).resolve() if directory is not None else DATA_DIR
    return _load_directory(path, _signature(path))


def _signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise AgreementError(f"{directory}: inga överenskommelser (*.toml) hittades")
    return tuple((f.name, (stat := f.stat()).st_mtime_ns, stat.st_size) for f in files)


@functools.lru_cache(maxsize=8)
def _load_directory(
    directory: Path, signature: tuple[tuple[str, int, int], ...]
) -> Mapping[str, Agreement]:
    return MappingProxyType(
        {Path(name).stem: load_agreement_file(directory / name) for name, _m, _s in signature}
    )


def clear_cache() -> None:
    """Forget loaded files, e.g. after a test wrote a new agreement directory."""
    _load_directory.cache_clear()


def get_agreement(county_key: str, directory: Path | str | None = None) -> Agreement:
    """The agreement of ``county_key``; :class:`AgreementError` if there is none."""
    agreements = load_agreements(directory)
    try:
        return agreements[county_key]
    except KeyError:
        known = ", ".join(sorted(agreements))
        raise AgreementError(f"ingen överenskommelse för {county_key!r} (finns: {known})") from None


def version_in_force(
    agreement: Agreement | Sequence[AgreementVersion], at: datetime
) -> AgreementVersion:
    """The version in force at the moment ``at`` (aware), judged by its Stockholm date."""
    versions = agreement.versions if isinstance(agreement, Agreement) else agreement
    day = to_local(at).date()
    for version in versions:
        if version.in_force_on(day):
            return version
    ids = ", ".join(v.version_id for v in versions) or "inga versioner"
    raise NoVersionInForce(f"ingen version gällde {day.isoformat()} ({ids})")


# --- Error messages ---------------------------------------------------------------------------


def _reject_reserved(name: str, raw: dict[str, Any]) -> None:
    problems = [
        (key, "sätts från filnamnet och får inte anges") for key in _RESERVED_TOP if key in raw
    ]
    versions = raw.get("versions")
    if isinstance(versions, list):
        for i, version in enumerate(versions):
            if isinstance(version, dict):
                problems += [
                    (f"{_version_label(raw, i)}.{key}", "sätts automatiskt och får inte anges")
                    for key in _RESERVED_IN_VERSION
                    if key in version
                ]
    if problems:
        raise _file_error(name, problems)


def _file_error(name: str, problems: list[tuple[str, str]]) -> AgreementError:
    if len(problems) == 1:
        path, message = problems[0]
        return AgreementError(f"{name}: {path}: {message}")
    lines = "\n".join(f"  {path}: {message}" for path, message in problems)
    return AgreementError(f"{name}: {len(problems)} fel:\n{lines}")


_MESSAGES = {
    "missing": "saknas",
    "extra_forbidden": "okänd nyckel",
    "int_type": "måste vara ett heltal",
    "int_parsing": "måste vara ett heltal",
    "int_from_float": "måste vara ett heltal",
    "bool_type": "måste vara true eller false",
    "string_type": "måste vara en text",
    "string_too_short": "får inte vara tom",
    "string_pattern_mismatch": "har fel format (små bokstäver a–z, siffror och _; färger #rrggbb)",
    "date_type": "måste vara ett datum, t.ex. 2024-01-01",
    "date_parsing": "måste vara ett datum, t.ex. 2024-01-01",
    "date_from_datetime_inexact": "måste vara ett datum utan klockslag",
    "time_type": "måste vara ett klockslag, t.ex. 12:00:00",
    "time_parsing": "måste vara ett klockslag, t.ex. 12:00:00",
    "too_short": "för få element",
    "model_type": "måste vara en tabell",
    "dict_type": "måste vara en tabell",
    "tuple_type": "måste vara en lista",
    "greater_than": "måste vara större än {gt}",
    "greater_than_equal": "måste vara minst {ge}",
    "less_than_equal": "får vara högst {le}",
    "literal_error": "måste vara en av: {expected}",
    "enum": "måste vara en av: {expected}",
}


def _without_echoes(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop errors that only repeat another one: "too few items" for a list whose items failed
    (the item errors say it all), and a version's county or county key when the file's own
    (which every version inherits) is already reported."""
    top_level = {error["loc"] for error in errors if len(error["loc"]) == 1}

    def echoes(error: ErrorDetails) -> bool:
        loc = error["loc"]
        if len(loc) == 3 and loc[0] == "versions" and loc[2] in _INHERITED:
            return (loc[2],) in top_level
        return error["type"] == "too_short" and any(
            other["loc"][: len(loc)] == loc and len(other["loc"]) > len(loc) for other in errors
        )

    return [e for e in errors if not echoes(e)]


def _message(error: ErrorDetails) -> str:
    context = error.get("ctx", {})
    if error["type"] == "agreement":
        return str(context["detail"])
    template = _MESSAGES.get(error["type"])
    return template.format(**context) if template else error["msg"]


def _path(error: ErrorDetails, raw: dict[str, Any]) -> str:
    parts: list[str | int] = list(error["loc"])
    if error["type"] == "agreement":
        parts += [
            int(index) if index else key
            for key, index in re.findall(r"(\w+)|\[(\d+)\]", str(error["ctx"]["path"]))
        ]
    text = ""
    for position, part in enumerate(parts):
        if isinstance(part, int) and position == 1 and parts[0] == "versions":
            text = _version_label(raw, part)
        elif isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(filen)"


def _version_label(raw: dict[str, Any], index: int) -> str:
    """``versions[2024-01-01]`` when the version's ``valid_from`` is a date, else by index."""
    versions = raw.get("versions")
    if isinstance(versions, list) and index < len(versions):
        version = versions[index]
        if isinstance(version, dict) and isinstance(version.get("valid_from"), date):
            return f"versions[{version['valid_from'].isoformat()}]"
    return f"versions[{index}]"
