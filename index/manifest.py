"""The index manifest: what an index was built from and with, and the files it consists of."""

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpus import ChunkingConfig
from index.errors import IndexDamagedError

FORMAT = "crosscheck-index"
# 2: BM25 postings saved as .npy files beside the chunks.
# 3: stories (stories.jsonl) and the article profiles they are grouped from
#    (story_profiles.jsonl, story_vectors.npy); optionally what an annotator stored for each
#    article (annotations.jsonl, listed in ``files`` like the others, the annotator named in
#    ``annotator``).
# 4: chunks as a table of int32 rows (chunks.npy, memory-mapped) instead of chunks.jsonl, and a
#    checksum of the manifest's own body (``checksum``), checked on every load. The data files'
#    SHA-256 digests are checked when a generation is written from another one and by
#    ``crosscheck index --verify``; a load checks only that each file is there with its size.
# 5: articles, their story profiles and annotations, and the stories in an SQLite article store
#    beside the generations (``store``, see ``index.article_store``), which the chunk table
#    points into by key; ingests and deletes written as segments beside the base generation
#    (``index.segments``); ``covers``: the last sequence number the base holds.
FORMAT_VERSION = 5
MANIFEST_FILE = "manifest.json"
# The manifest's last field: the checksum of the text before it.
_CHECKSUM = b',\n  "checksum": "'


@dataclass(frozen=True)
class FileDigest:
    """Size and SHA-256 of one index file: the size is checked on every load, the hash when
    the generation is verified (``index.loading.verify_generation``)."""

    bytes: int
    sha256: str


@dataclass(frozen=True)
class AnnotatorStamp:
    """Which annotator made a generation's annotations (``index.annotations``), and which
    version of it: annotations are used only by the same name and version."""

    name: str
    version: str


@dataclass(frozen=True)
class Manifest:
    """Everything needed to decide whether an index can be used as it is.

    ``store`` names the article store (a file beside the generations) and ``covers`` the last
    sequence number of its rows this generation holds; ``files`` maps each data file of the
    generation to its digest; ``annotator`` names what made its annotations (None: it has none).
    """

    model: str
    dimension: int
    tokenizer: str
    chunking: ChunkingConfig
    store: str
    covers: int
    article_count: int
    chunk_count: int
    files: dict[str, FileDigest]
    created: str
    format_version: int = FORMAT_VERSION
    annotator: AnnotatorStamp | None = None

    def to_json(self) -> dict[str, Any]:
        """The manifest as a JSON object (without its checksum, which ``write`` adds)."""
        return {"format": FORMAT, **asdict(self)}

    def write(self, path: Path) -> None:
        """Write the manifest to ``path`` (last: a generation without one is incomplete),
        sealed with the checksum of the text before it (``_CHECKSUM``)."""
        write_sealed(path, self.to_json())

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        """Read and check a manifest file.

        Raises:
            IndexDamagedError: missing, not JSON, not ours, of another format version, altered
                (its body does not match its checksum), or with missing or mistyped fields.
        """
        record = read_sealed(path, FORMAT)
        try:
            return cls(
                model=str(record["model"]),
                dimension=int(record["dimension"]),
                tokenizer=str(record["tokenizer"]),
                chunking=ChunkingConfig(**record["chunking"]),
                store=str(record["store"]),
                covers=int(record["covers"]),
                article_count=int(record["article_count"]),
                chunk_count=int(record["chunk_count"]),
                files={str(k): FileDigest(**v) for k, v in record["files"].items()},
                created=str(record["created"]),
                annotator=_stamp(record.get("annotator")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise IndexDamagedError(f"{path} has a malformed field ({error!r})") from None


def write_sealed(path: Path, record: dict[str, Any]) -> None:
    """Write ``record`` as indented JSON sealed with the checksum of the text before it."""
    body = json.dumps(record, indent=2, ensure_ascii=False).removesuffix("\n}").encode("utf-8")
    checksum = _CHECKSUM + f'{_checksum(body)}"\n}}\n'.encode()
    path.write_bytes(body + checksum)


def read_sealed(path: Path, kind: str) -> dict[str, Any]:
    """Read a file ``write_sealed`` wrote, of format ``kind`` and this format version.

    Raises:
        IndexDamagedError: missing, not JSON, not of ``kind``, of another format version, or
            altered (its body does not match its checksum).
    """
    try:
        raw = path.read_bytes()
        record = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise IndexDamagedError(f"{path} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise IndexDamagedError(f"{path} is unreadable ({error})") from None
    if not isinstance(record, dict) or record.get("format") != kind:
        raise IndexDamagedError(f"{path} is not a {kind} manifest")
    version = record.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexDamagedError(
            f"{path} has index format version {version!r}; this crosscheck reads version "
            f"{FORMAT_VERSION}"
        )
    body = raw[: raw.rfind(_CHECKSUM)]
    if record.get("checksum") != _checksum(body):
        raise IndexDamagedError(f"{path} does not match its checksum (altered or damaged)")
    return record


def _checksum(body: bytes) -> str:
    """SHA-256 of a manifest's text before its checksum: the text as written, so any edit
    (even of whitespace) is refused, and checking costs one pass over its bytes."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _stamp(record: Any) -> AnnotatorStamp | None:
    """The annotator stamp of a manifest record (absent or null: no annotations)."""
    if record is None:
        return None
    if not isinstance(record["name"], str) or not isinstance(record["version"], str):
        raise TypeError(f"annotator {record!r} needs a string name and version")
    return AnnotatorStamp(name=record["name"], version=record["version"])
