"""The index directory on disk: generations, the CURRENT pointer, the writer lock.

Layout::

    INDEX_DIR/
        CURRENT             the live base generation and its segments, replaced atomically
        lock                held (flock) by whoever writes
        store-000007.sqlite the article store the live generation names (``index.article_store``)
        gen-000007/         the live base generation: manifest.json and its data files
        seg-000008/         a segment written since (``index.segments``), one per ingest or delete
        gen-000009.tmp-…/   a generation or segment being written (by the process numbered …);
                            never read

A writer builds a whole generation, or a segment, beside the live ones, fsyncs it, renames it into
place, then replaces CURRENT with ``os.replace`` and fsyncs the directory. A reader follows
CURRENT. A process killed at any point leaves either the old or the new version live, never a mix.
Generations and segments share one sequence of numbers, so the newest name is the version.
"""

import contextlib
import fcntl
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.errors import IndexNotFoundError, IndexWriteError

CURRENT_FILE = "CURRENT"
LOCK_FILE = "lock"
_GENERATION = re.compile(r"gen-(\d{6})")
_SEGMENT = re.compile(r"seg-(\d{6})")
_NUMBERED = re.compile(r"(?:gen|seg)-(\d{6})")
_TEMPORARY = re.compile(r"(?:gen|seg)-\d{6}\.tmp-(\d+)")
_STORE = re.compile(r"store-\d{6}\.sqlite(?:-wal|-shm)?")


@dataclass(frozen=True)
class LiveState:
    """What CURRENT names: the base generation's folder and its segments' folders, oldest first."""

    base: Path
    segments: tuple[Path, ...] = ()

    @property
    def version(self) -> str:
        """The newest name: the version of the index that readers see."""
        return (self.segments[-1] if self.segments else self.base).name

    def names(self) -> list[str]:
        """The folder names, base first."""
        return [self.base.name, *(segment.name for segment in self.segments)]


class IndexDirectory:
    """An index directory; cheap to construct, touches the disk only when asked."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def live_state(self) -> LiveState:
        """The live base generation and segments.

        Raises:
            IndexNotFoundError: no generation has been published here.
        """
        try:
            names = (self.path / CURRENT_FILE).read_text(encoding="utf-8").split()
        except FileNotFoundError:
            raise IndexNotFoundError(f"no index has been built in {self.path}") from None
        except OSError as error:
            raise IndexNotFoundError(f"cannot read the index in {self.path}: {error}") from None
        if not names or not _GENERATION.fullmatch(names[0]):
            raise IndexNotFoundError(
                f"{self.path / CURRENT_FILE} names {' '.join(names)!r}, not an index generation"
            )
        if not all(_SEGMENT.fullmatch(name) for name in names[1:]):
            raise IndexNotFoundError(
                f"{self.path / CURRENT_FILE} names {' '.join(names)!r}, not index segments"
            )
        return LiveState(self.path / names[0], tuple(self.path / name for name in names[1:]))

    def live_generation(self) -> Path:
        """The folder of the live base generation.

        Raises:
            IndexNotFoundError: no generation has been published here.
        """
        return self.live_state().base

    def live_version(self) -> str:
        """The name of the newest live generation or segment.

        Raises:
            IndexNotFoundError: no generation has been published here.
        """
        return self.live_state().version

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

    def new_generation(self, kind: str = "gen") -> Path:
        """Create an empty temporary folder for the next generation (``kind`` "gen") or
        segment ("seg"), numbered after everything here (hold the lock)."""
        number = self.last_number() + 1
        path = self.path / f"{kind}-{number:06d}.tmp-{os.getpid()}"
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def publish(
        self, temporary: Path, segments: Sequence[Path] = (), keep: Sequence[str] = ()
    ) -> Path:
        """Make a fully written temporary generation live with ``segments`` after it (hold the
        lock), then delete the generations, segments, stores and leftovers it replaces, but the
        files named ``keep``. Returns the generation's final folder.
        """
        final = self._place(temporary)
        self._point(LiveState(final, tuple(segments)))
        self._remove_stale(keep={final.name, *(s.name for s in segments), *keep})
        return final

    def publish_segment(self, temporary: Path) -> LiveState:
        """Make a fully written temporary segment live after the live ones (hold the lock).

        Raises:
            IndexNotFoundError: there is no live generation to add it to.
        """
        live = self.live_state()
        final = self._place(temporary)
        state = LiveState(live.base, (*live.segments, final))
        self._point(state)
        return state

    def _place(self, temporary: Path) -> Path:
        for file in temporary.iterdir():
            fsync_file(file)
        fsync_dir(temporary)
        final = self.path / temporary.name.split(".tmp-", 1)[0]
        os.rename(temporary, final)
        fsync_dir(self.path)
        return final

    def _point(self, state: LiveState) -> None:
        pointer = self.path / f"{CURRENT_FILE}.tmp-{os.getpid()}"
        pointer.write_text(" ".join(state.names()) + "\n", encoding="utf-8")
        fsync_file(pointer)
        os.replace(pointer, self.path / CURRENT_FILE)
        fsync_dir(self.path)

    def replace_with(self, write: Callable[[Path], Sequence[str]]) -> Path:
        """Write a new generation with ``write(folder)`` and make it live (hold the lock);
        ``write`` returns the names of the files beside it that it also needs (its store).
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
            keep = write(temporary)
            return self.publish(temporary, keep=keep)
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

    def last_number(self) -> int:
        """The highest number any generation or segment here has, written or being written."""
        numbers = [
            int(match.group(1))
            for entry in self.path.iterdir()
            if (match := _NUMBERED.match(entry.name))
        ]
        return max(numbers, default=0)

    def remove_unpublished(self) -> None:
        """Delete generations and segments CURRENT does not name, and the leftovers of writers
        that died (hold the lock)."""
        try:
            live = self.live_state()
        except IndexNotFoundError:
            return
        self._remove_stale(set(live.names()), stores=False)

    def _remove_stale(self, keep: set[str], stores: bool = True) -> None:
        for entry in self.path.iterdir():
            name = entry.name
            temporary = _TEMPORARY.fullmatch(name)
            if temporary is not None:
                if not _alive(int(temporary.group(1))):
                    shutil.rmtree(entry, ignore_errors=True)
            elif _NUMBERED.fullmatch(name) and name not in keep:
                shutil.rmtree(entry, ignore_errors=True)
            elif stores and _STORE.fullmatch(name) and name[:19] not in keep:
                entry.unlink(missing_ok=True)  # a store, its log or shared memory: "store-…sqlite"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a writer's leftovers are kept while it does)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
