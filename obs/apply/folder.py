"""Files obs writes into a folder another program reads (Prometheus rule files, ElastAlert
rules, the Alertmanager config), without ever touching a file it does not own.

Ownership is a manifest in the folder, `.obs-<project>.json`, listing the files this project
wrote; a file it does not list is never changed or removed. Every write is atomic (a temporary
file, fsynced, renamed over the old one, the folder fsynced), keeps the mode asked for and the
owner of the file it replaces, and the manifest lists old and new files *before* any write —
so a crash (even `kill -9`) leaves every file old or new and whole, and no owned file unlisted;
the next run converges. A Transaction remembers what it replaced and can put it all back.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Collection
from pathlib import Path

from obs.apply import Change, Observed, fingerprint
from obs.apply.pusher import PushFailed

#: test hook: `write` pauses after the first file written, so a test can kill obs mid-apply
PAUSE_ENV = "OBS_TEST_PAUSE_AFTER"


def atomic_write(path: Path, content: bytes, mode: int = 0o644) -> None:
    existing = path.stat() if path.exists() else None
    owner = existing or path.parent.stat()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        if os.geteuid() == 0:  # root replacing a server's file: keep it readable by the server's user
            try:
                os.chown(tmp, owner.st_uid, owner.st_gid)
            except OSError:
                pass
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class OwnedFolder:
    def __init__(self, path: Path, project: str, mode: int = 0o644) -> None:
        self.path, self.project, self.mode = path, project, mode
        self.manifest = path / f".obs-{project}.json"

    def owned(self) -> set[str]:
        try:
            doc = json.loads(self.manifest.read_text("utf-8"))
            return {f for f in doc.get("files", []) if isinstance(f, str) and "/" not in f and f}
        except (OSError, ValueError, AttributeError):
            return set()

    def others(self) -> dict[str, str]:
        """Files other obs projects own here: name → project (for clearer conflicts)."""
        out = {}
        for m in sorted(self.path.glob(".obs-*.json")):
            if m == self.manifest:
                continue
            try:
                doc = json.loads(m.read_text("utf-8"))
            except (OSError, ValueError):
                continue
            for f in doc.get("files", []) if isinstance(doc, dict) else []:
                out[f] = str(doc.get("project", m.stem[5:]))
        return out

    def read(self, name: str) -> bytes | None:
        try:
            return (self.path / name).read_bytes()
        except FileNotFoundError:
            return None

    def name_for(self, rel: str) -> str:
        """The file an out/ file becomes here: prefixed, so projects sharing a folder never collide."""
        return f"obs-{self.project}-{rel.rsplit('/', 1)[-1]}"

    def observe(self, wanted: Collection[str],
                parts: Callable[[str, bytes], dict] | None = None) -> dict[str, Observed]:
        """What the folder holds of the owned and wanted files, fingerprinted (`parts` adds more
        facts, e.g. whether Prometheus loaded the file); another project's file says whose it is."""
        owned, others = self.owned(), self.others()
        out = {}
        for name in sorted(owned | set(wanted)):
            content = self.read(name)
            if content is None:
                continue
            facts = {"content": fingerprint(content), **(parts(name, content) if parts else {})}
            shown = content.decode("utf-8", "replace")
            if name not in owned and name in others:
                shown = f"# owned by obs project {others[name]}\n" + shown
            out[name] = Observed(name, facts, name in owned, shown)
        return out

    def mode_of(self, name: str) -> int | None:
        try:
            return (self.path / name).stat().st_mode & 0o777
        except FileNotFoundError:
            return None

    def record(self, names: set[str]) -> None:
        doc = {"project": self.project, "writtenBy": "obs apply", "files": sorted(names)}
        atomic_write(self.manifest, (json.dumps(doc, indent=2) + "\n").encode("utf-8"))

    def write(self, name: str, content: bytes) -> None:
        atomic_write(self.path / name, content, self.mode)

    def remove(self, name: str) -> None:
        (self.path / name).unlink(missing_ok=True)
        _sync_dir(self.path)

    def clean_temporaries(self, names: set[str]) -> None:
        """Temporary files a killed run left behind for the files it owns (they are never read: *.tmp)."""
        for name in names:
            for tmp in self.path.glob(f".{name}.*.tmp"):
                tmp.unlink(missing_ok=True)


class Transaction:
    """Writes and removals in one folder that can be undone as a whole."""

    def __init__(self, folder: OwnedFolder) -> None:
        self.folder = folder
        self.before_owned = folder.owned()
        self._had_manifest = folder.manifest.exists()
        self._saved: dict[str, bytes | None] = {}
        self._paused = False

    def begin(self, names: set[str]) -> None:
        """Own every file about to be touched before touching any (the crash-safe order)."""
        self.folder.clean_temporaries(self.before_owned | names)
        self.folder.record(self.before_owned | names)

    def write(self, name: str, content: bytes) -> None:
        self._save(name)
        self.folder.write(name, content)
        self._pause()

    def remove(self, name: str) -> None:
        self._save(name)
        self.folder.remove(name)

    def commit(self, names: set[str]) -> None:
        self.folder.record(names)

    def rollback(self) -> None:
        """Put back every file as it was and the manifest as it was."""
        for name, old in self._saved.items():
            if old is None:
                self.folder.remove(name)
            else:
                self.folder.write(name, old)
        if self._had_manifest:
            self.folder.record(self.before_owned)
        else:
            self.folder.manifest.unlink(missing_ok=True)

    def _save(self, name: str) -> None:
        if name not in self._saved:
            self._saved[name] = self.folder.read(name)

    def _pause(self) -> None:
        if os.environ.get(PAUSE_ENV) == "write" and not self._paused:
            self._paused = True
            sys.stderr.write(f"obs: paused after writing a file ({PAUSE_ENV})\n")
            sys.stderr.flush()
            time.sleep(float(os.environ.get("OBS_TEST_PAUSE_SECONDS", "60")))


def write_files(tx: Transaction, writes: list[Change], deletes: list[Change], after: set[str]) -> None:
    """The file part of a folder target's apply; a failed write puts everything back first."""
    try:
        tx.begin({c.key for c in writes + deletes})
        for c in writes:
            if tx.folder.read(c.key) != c.desired.payload:
                tx.write(c.key, c.desired.payload)
        for c in deletes:
            tx.remove(c.key)
        tx.commit(after)
    except OSError as e:
        try:
            tx.rollback()
            back = "the previous files are back"
        except OSError as again:
            back = f"putting the previous files back failed too ({again.strerror}): check the folder by hand"
        raise PushFailed(f"cannot write into {tx.folder.path}: {e.strerror or e}; {back}",
                         rolled_back=back.startswith("the previous")) from None
