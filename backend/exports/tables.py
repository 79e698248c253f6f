"""Export jobs: a large list's file, written by a worker off the request
(backend/exports/jobs.py) and kept for a day."""

from enum import Enum

from piccolo.columns import UUID, BigInt, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class ExportStatus(str, Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ExportJob(Table, tablename="export_job"):
    """One export of one list by one user. Its id is the client's, so that a retry is
    the same job; ``query`` holds the list's query parameters (JSON text) as validated
    when the job was asked for. Its file is in the media store under the job's own key
    (jobs.file_key, variant "export") once it is done, ``file_sha256`` its bytes' hash;
    row and file go at ``expires_at``."""

    id = UUID(primary_key=True)
    requester = UUID(index=True)
    list_name = Varchar(length=40)
    format = Varchar(length=4)
    query = Text()
    status = Varchar(length=10, choices=ExportStatus, default=ExportStatus.queued)
    rows_done = Integer(default=0)
    rows_total = Integer(null=True, default=None)
    file_sha256 = Varchar(length=64, null=True, default=None, index=True)
    file_size = BigInt(null=True, default=None)
    error_code = Varchar(length=40, null=True, default=None)
    error_params = Text(default="{}")  # JSON: what the error's sentence names
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(index=True)
