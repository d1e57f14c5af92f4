"""The bundled example scenarios: where they live and how a name finds one."""

from __future__ import annotations

import difflib
from pathlib import Path

from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.scenario.files import refuse_escaping_link

SCENARIO_SUFFIXES = (".yaml", ".yml", ".py")


def bundled_dir() -> Path:
    """Inside the wheel: gradexplain/scenarios; in a source checkout: the repo's scenarios/."""
    package = Path(__file__).resolve().parents[1]  # gradexplain/
    packaged = package / "scenarios"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "scenarios"


def bundled_names() -> list[str]:
    folder = bundled_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir() if p.suffix in SCENARIO_SUFFIXES)


def bundled_descriptions(lang: str) -> dict[str, str]:
    """Each bundled example's `description:` in `lang` (or its only one), by name; an
    example that does not load has none here (running it says why)."""
    # The loader (and PyYAML) only when descriptions are asked for: finding a bundled name
    # stays cheap.
    from gradexplain.limits import Limits  # noqa: PLC0415
    from gradexplain.scenario.loader import load_scenario  # noqa: PLC0415

    found = {}
    for name in bundled_names():
        path = find_bundled(name)
        try:
            scenario = load_scenario(path, Limits()) if path is not None else None
        except GradexplainError:
            continue
        text = scenario and (scenario.descriptions.get(lang) or scenario.description)
        if text:
            found[name] = " ".join(text.split())
    return found


def find_bundled(name: str) -> Path | None:
    folder = bundled_dir()
    for suffix in SCENARIO_SUFFIXES:
        candidate = folder / f"{name}{suffix}"
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # a name too long for the file system is no bundled example
            return None
    return None


def expand_paths(arguments: list[str]) -> list[Path]:
    """Files as given, directories' scenario files sorted by name, bundled names resolved."""
    result: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        try:
            path.exists()
        except OSError as err:  # a name too long for the file system, say
            raise GradexplainError(
                "invalid_scenario", f"cannot use '{argument[:80]}': {err.strerror or err}",
                SourceLocation(argument[:80]), "check the path",
                {"path": argument[:200]}) from None
        if path.is_dir():
            entries = sorted(p for p in path.iterdir() if p.suffix in SCENARIO_SUFFIXES)
            for entry in entries:
                refuse_escaping_link(path, entry)
            result.extend(p for p in entries if p.is_file())
        elif path.exists():
            result.append(path)
        else:
            found = find_bundled(argument)
            if found is None:
                raise missing(argument)
            result.append(found)
    return result


def missing(argument: str) -> GradexplainError:
    close = difflib.get_close_matches(Path(argument).stem, bundled_names(), n=1)
    hint = f"did you mean the bundled example '{close[0]}'? (gradexplain run {close[0]})" \
        if close else "run `gradexplain run` with no path to list the bundled examples"
    return GradexplainError(
        "invalid_scenario", f"no such file, directory or bundled example: '{argument}'",
        SourceLocation(argument), hint, {"path": argument},
    )
