"""Agreement files on disk for tests: a copy of the shipped directory, which the loader is pointed
at, to edit or publish a version in the way a county's administrator would."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

from samplan.agreements.loader import DATA_DIR


class AgreementFiles:
    """The county files in ``directory``; point ``settings.SAMPLAN_AGREEMENT_DIR`` at it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        for path in DATA_DIR.glob("*.toml"):
            shutil.copy(path, directory / path.name)

    def text(self, county: str) -> str:
        return (self.directory / f"{county}.toml").read_text(encoding="utf-8")

    def write(self, county: str, text: str) -> None:
        """Write the file anew. The loader rereads a file whose size or modification time
        changed; file times are coarse, so an edit of the same size also moves the time."""
        path = self.directory / f"{county}.toml"
        before = path.stat().st_mtime_ns
        path.write_text(text, encoding="utf-8")
        if path.stat().st_mtime_ns <= before:
            os.utime(path, ns=(before + 1_000_000, before + 1_000_000))

    def edit(self, county: str, old: str, new: str) -> None:
        """Replace ``old`` (found exactly once) in the file."""
        text = self.text(county)
        assert text.count(old) == 1, old
        self.write(county, text.replace(old, new))

    def publish(self, county: str, valid_from: date, changes: dict[str, str]) -> None:
        """Publish a new last version from ``valid_from``: the current last version ends the day
        before, and the new one is a copy of it with ``changes`` (old text → new) made."""
        text = self.text(county)
        start = text.rindex("[[versions]]\n")
        last = text[start:]
        header = re.match(r"\[\[versions\]\]\nvalid_from = (\S+)\n", last)
        assert header is not None
        assert "valid_to" not in last.split("\n[", 1)[0], "the last version must be open-ended"
        ended = last.replace(
            header.group(0),
            f"{header.group(0)}valid_to = {(valid_from - timedelta(days=1)).isoformat()}\n",
            1,
        )
        new = last.replace(header.group(0), f"[[versions]]\nvalid_from = {valid_from}\n", 1)
        for old, replacement in changes.items():
            assert new.count(old) == 1, old
            new = new.replace(old, replacement)
        self.write(county, text[:start] + ended + "\n" + new)
