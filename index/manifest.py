"""The index manifest: what an index was built from and with, and the files it consists of."""

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpus import ChunkingConfig
from index.errors import IndexDamagedError

FORMAT = "crosscheck-index"
# 2: BM25 postings saved as .npy files beside the chunks.
FORMAT_VERSION = 2
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class FileDigest:
    """Size and SHA-256 of one index file, checked on load."""

    bytes: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """Everything needed to decide whether an index can be used as it is.

    ``articles`` maps each doc id to its content hash (``Article.content_hash``); ``files`` maps
    each data file of the index to its digest.
    """

    model: str
    dimension: int
    tokenizer: str
    chunking: ChunkingConfig
    articles: dict[str, str]
    chunk_count: int
    files: dict[str, FileDigest]
    created: str
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        """The manifest as a JSON object."""
        record = asdict(self)
        return {"format": FORMAT, **record}

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        """Read and check a manifest file.

        Raises:
            IndexDamagedError: missing, not JSON, not ours, of another format version, or with
                missing or mistyped fields.
        """
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexDamagedError(f"{path} is missing") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise IndexDamagedError(f"{path} is unreadable ({error})") from None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise IndexDamagedError(f"{path} is not a crosscheck index manifest")
        version = record.get("format_version")
        if version != FORMAT_VERSION:
            raise IndexDamagedError(
                f"{path} has index format version {version!r}; this crosscheck reads version "
                f"{FORMAT_VERSION}"
            )
        try:
            return cls(
                model=str(record["model"]),
                dimension=int(record["dimension"]),
                tokenizer=str(record["tokenizer"]),
                chunking=ChunkingConfig(**record["chunking"]),
                articles={str(k): str(v) for k, v in record["articles"].items()},
                chunk_count=int(record["chunk_count"]),
                files={str(k): FileDigest(**v) for k, v in record["files"].items()},
                created=str(record["created"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise IndexDamagedError(f"{path} has a malformed field ({error!r})") from None
