"""Run a command against PostgreSQL: python tests/pg_cluster.py COMMAND...

With DATABASE_URL set, against the server it names. Otherwise against a throwaway cluster in a
temporary folder, listening only on a Unix socket there: COMMAND gets DATABASE_URL pointing at
it, and the cluster and its folder are gone when COMMAND ends. Running as root, the server runs
as the `postgres` account (initdb refuses root). Without PostgreSQL's server programs the
command is not run: a note says how to install them, and with CI=true that is an error.
"""

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

INSTALL_HINT = "apt-get install postgresql"
# A throwaway cluster needs no durability: skipping it makes the suite much faster.
FAST = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]


def server_bin_dir():
    """Where initdb and pg_ctl are: on PATH, or Debian's newest /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def as_server_user(command):
    """initdb and postgres refuse to run as root: hand them to the `postgres` account."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def main(command):
    if os.environ.get("DATABASE_URL"):
        print("Running against the database DATABASE_URL names.", flush=True)
        return subprocess.run(command).returncode
    bin_dir = server_bin_dir()
    if bin_dir is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            print(
                f"ERROR: PostgreSQL is not installed, and CI must run the tests on it ({INSTALL_HINT}).",
                file=sys.stderr,
            )
            return 1
        print(f"SKIPPED: PostgreSQL is not installed, so the tests did not run on it ({INSTALL_HINT} adds them).")
        return 0
    with tempfile.TemporaryDirectory(prefix="archive-pg-") as name:
        folder = Path(name)
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(folder, account.pw_uid, account.pw_gid)
        data, log = folder / "data", folder / "server.log"
        subprocess.run(
            as_server_user(
                [bin_dir / "initdb", "-D", data, "-U", "archive", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = " ".join([f"-k {folder}", "-c listen_addresses=''", *FAST])
        start = as_server_user([bin_dir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start"])
        if subprocess.run(start, stdout=subprocess.DEVNULL).returncode:
            print(
                "ERROR: the PostgreSQL server did not start.", log.read_text() if log.exists() else "", file=sys.stderr
            )
            return 1
        try:
            url = f"postgres://archive@{quote(str(folder), safe='')}/archive"
            print(f"Throwaway PostgreSQL cluster ({bin_dir}) in {folder}: {' '.join(command)}", flush=True)
            return subprocess.run(command, env={**os.environ, "DATABASE_URL": url}).returncode
        finally:
            subprocess.run(
                as_server_user([bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "stop"]), stdout=subprocess.DEVNULL
            )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
