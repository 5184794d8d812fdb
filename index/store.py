"""The index directory on disk: generations, the CURRENT pointer, the writer lock.

Layout::

    INDEX_DIR/
        CURRENT            name of the live generation, replaced atomically
        lock               held (flock) by whoever writes
        gen-000007/        the live generation: manifest.json and its data files
        gen-000008.tmp-…/  a generation being written; never read

A writer builds a whole generation beside the live one, fsyncs it, renames it into place, then
replaces CURRENT with ``os.replace`` and fsyncs the directory. A reader follows CURRENT. A process
killed at any point leaves either the old or the new generation live, never a mix.
"""

import contextlib
import fcntl
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from index.errors import IndexNotFoundError, IndexWriteError

CURRENT_FILE = "CURRENT"
LOCK_FILE = "lock"
_GENERATION = re.compile(r"gen-(\d{6})")
_TEMPORARY = re.compile(r"gen-\d{6}\.tmp-.*")


class IndexDirectory:
    """An index directory; cheap to construct, touches the disk only when asked."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def live_generation(self) -> Path:
        """The folder of the live generation.

        Raises:
            IndexNotFoundError: no generation has been published here.
        """
        try:
            name = (self.path / CURRENT_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise IndexNotFoundError(f"no index has been built in {self.path}") from None
        except OSError as error:
            raise IndexNotFoundError(f"cannot read the index in {self.path}: {error}") from None
        if not _GENERATION.fullmatch(name):
            raise IndexNotFoundError(
                f"{self.path / CURRENT_FILE} names {name!r}, not an index generation"
            )
        return self.path / name

    def exists(self) -> bool:
        """Whether a generation has been published here."""
        return (self.path / CURRENT_FILE).is_file()

    @contextlib.contextmanager
    def write_lock(self, timeout: float = 600.0) -> Iterator[None]:
        """Hold the directory's writer lock; other writers wait up to ``timeout`` seconds.

        Raises:
            IndexWriteError: the directory cannot be created, or the lock was not free in time.
        """
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            handle = open(self.path / LOCK_FILE, "a+b")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise IndexWriteError(f"cannot write the index in {self.path}: {error}") from None
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexWriteError(
                            f"another process has been writing the index in {self.path} for "
                            f"over {timeout:.0f} s"
                        ) from None
                    time.sleep(0.05)
            yield
        finally:
            handle.close()  # closing releases the flock

    def new_generation(self) -> Path:
        """Create an empty temporary folder for the next generation (hold the lock)."""
        number = self._live_number() + 1
        path = self.path / f"gen-{number:06d}.tmp-{os.getpid()}"
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def publish(self, temporary: Path) -> Path:
        """Make a fully written temporary generation live (hold the lock), then delete the
        generations and leftovers it replaces. Returns the generation's final folder.
        """
        for file in temporary.iterdir():
            fsync_file(file)
        final = self.path / temporary.name.split(".tmp-", 1)[0]
        os.rename(temporary, final)
        fsync_dir(self.path)
        pointer = self.path / f"{CURRENT_FILE}.tmp-{os.getpid()}"
        pointer.write_text(final.name + "\n", encoding="utf-8")
        fsync_file(pointer)
        os.replace(pointer, self.path / CURRENT_FILE)
        fsync_dir(self.path)
        self._remove_stale(keep=final.name)
        return final

    def replace_with(self, write: Callable[[Path], None]) -> Path:
        """Write a new generation with ``write(folder)`` and make it live (hold the lock).
        Returns the new generation's folder.

        Raises:
            IndexWriteError: writing or publishing failed (disk full, no permission); the
                half-written generation is removed and the previous one stays live.
        """
        try:
            temporary = self.new_generation()
        except OSError as error:
            raise IndexWriteError(f"cannot write the index in {self.path}: {error}") from None
        try:
            write(temporary)
            return self.publish(temporary)
        except OSError as error:
            self.discard(temporary)
            raise IndexWriteError(
                f"writing the index in {self.path} failed ({error}); the previous index is intact"
            ) from None
        except BaseException:
            self.discard(temporary)
            raise

    def discard(self, temporary: Path) -> None:
        """Delete a temporary generation that will not be published."""
        shutil.rmtree(temporary, ignore_errors=True)

    def _live_number(self) -> int:
        numbers = [
            int(match.group(1))
            for entry in self.path.iterdir()
            if (match := re.match(r"gen-(\d{6})", entry.name))
        ]
        return max(numbers, default=0)

    def _remove_stale(self, keep: str) -> None:
        for entry in self.path.iterdir():
            stale_generation = _GENERATION.fullmatch(entry.name) and entry.name != keep
            if stale_generation or _TEMPORARY.fullmatch(entry.name):
                shutil.rmtree(entry, ignore_errors=True)


def fsync_file(path: Path) -> None:
    """Flush a file's data to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (renames, new files) to disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
