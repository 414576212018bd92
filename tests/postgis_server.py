"""A throwaway PostgreSQL + PostGIS cluster for the store tests: initdb and pg_ctl in a
temporary folder, listening on 127.0.0.1 only, stopped and deleted afterwards.

Debian's server binaries live in /usr/lib/postgresql/VERSION/bin (the newest with PostGIS
is used). initdb refuses to run as root, so under uid 0 the cluster is made and run as the
``postgres`` user (or ``nobody``) through ``runuser``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def server_binaries() -> Path | None:
    """The bin folder of the newest installed PostgreSQL that has the PostGIS extension."""
    found = []
    for bin_dir in Path("/usr/lib/postgresql").glob("*/bin"):
        version = bin_dir.parent.name
        extension = Path(f"/usr/share/postgresql/{version}/extension/postgis.control")
        if (bin_dir / "initdb").exists() and (bin_dir / "pg_ctl").exists() and extension.exists():
            found.append((float(version) if version.replace(".", "").isdigit() else 0.0, bin_dir))
    return max(found)[1] if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def cluster(bin_dir: Path) -> Iterator[str]:
    """Start a cluster; yield the URL of its database ``geomap`` (user ``geomap``, trust)."""
    folder = Path(tempfile.mkdtemp(prefix="geomap-pg-"))
    data = folder / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = "postgres" if _has_user("postgres") else "nobody"
        account = pwd.getpwnam(user)
        os.chown(folder, account.pw_uid, account.pw_gid)
        prefix = ["runuser", "-u", user, "--"]
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "geomap", "-E", "UTF8")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
        run(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "start",
        )
        try:
            run(
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "geomap",
                "geomap",
            )
            yield f"postgresql://geomap@127.0.0.1:{port}/geomap"
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
