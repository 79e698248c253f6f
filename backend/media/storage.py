"""The media store the settings name: the object store when DOSSIER_S3_URL is set, else
the media folder (DOSSIER_MEDIA_ROOT, which also holds the object store's upload spool)."""

from __future__ import annotations

from backend.media.s3 import S3MediaStore
from backend.media.store import LocalMediaStore, MediaStore
from backend.settings import Settings


def media_store(settings: Settings) -> MediaStore:
    if settings.s3_url:
        return S3MediaStore.of(settings)
    return LocalMediaStore(settings.media_root)
