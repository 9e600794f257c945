"""A consistent copy of the database, taken while the site runs, and putting one back
(`manage.py backup PATH`, `manage.py restore PATH`).

SQLite      the online backup API copies one snapshot of the database (readers and writers go on
            meanwhile: the database is in WAL mode) into a single self-contained file; a restore
            copies a backup back into the live database the same way, in one step.
PostgreSQL  pg_dump's custom format (one snapshot, in a repeatable-read transaction); a restore is
            pg_restore --clean in a single transaction: all of it, or nothing.

The search index is not in the copy: it is derived from the database, and rebuilt after a restore
(`manage.py rebuild_index`). A copy is written beside PATH and renamed onto it once complete, so
PATH is always a whole backup.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections

PG_CLIENT_HINT = "apt-get install postgresql-client"


class BackupError(Exception):
    pass


def describe(using=DEFAULT_DB_ALIAS) -> str:
    """The database a backup is taken from or restored into, as an operator knows it."""
    connection = connections[using]
    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        return f"the PostgreSQL database {name!r} on {connection.settings_dict['HOST'] or 'localhost'}"
    return f"the {connection.display_name} database {name}"


def backup(path: Path, using=DEFAULT_DB_ALIAS) -> int:
    """Write a backup of the database to `path`; returns its size in bytes."""
    connection = connections[using]
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        _vendor(connection, _sqlite_backup, _pg_dump)(connection, partial)
        os.replace(partial, path)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(str(exc)) from exc
    finally:
        partial.unlink(missing_ok=True)
    return path.stat().st_size


def check(path: Path, using=DEFAULT_DB_ALIAS) -> None:
    """Raise BackupError unless `path` is a backup this database can be restored from."""
    connection = connections[using]
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    _vendor(connection, _sqlite_check_file, _pg_check_file)(path)


def restore(path: Path, using=DEFAULT_DB_ALIAS) -> None:
    """Replace the database's contents with the backup at `path`."""
    check(path, using)
    connection = connections[using]
    try:
        _vendor(connection, _sqlite_restore, _pg_restore)(connection, path)
    except sqlite3.Error as exc:
        raise BackupError(str(exc)) from exc


def _vendor(connection, sqlite, postgresql):
    if connection.vendor == "sqlite":
        return sqlite
    if connection.vendor == "postgresql":
        return postgresql
    raise BackupError(f"Backing up {connection.display_name} is not supported: only SQLite and PostgreSQL.")


# --- SQLite ---------------------------------------------------------------------------------
def _sqlite_verify(database: sqlite3.Connection) -> None:
    try:
        (result,) = database.execute("PRAGMA quick_check").fetchone()
        migrations = database.execute("SELECT count(*) FROM sqlite_master WHERE name = 'django_migrations'")
        (has_migrations,) = migrations.fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"not a readable SQLite database ({exc})") from exc
    if result != "ok":
        raise BackupError(f"the SQLite integrity check failed: {result}")
    if not has_migrations:
        raise BackupError("a SQLite database, but not this site's (it has no django_migrations table)")


def _sqlite_backup(connection, target_path: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(target_path)
    try:
        connection.connection.backup(target)  # all pages in one step: a single snapshot
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        _sqlite_verify(target)
    finally:
        target.close()


def _sqlite_check_file(path: Path) -> None:
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _sqlite_verify(source)
    except BackupError as exc:
        raise BackupError(f"{path}: {exc}") from exc
    finally:
        source.close()


def _sqlite_restore(connection, path: Path) -> None:
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)  # in one step, under the database's write lock
    finally:
        source.close()


# --- PostgreSQL -----------------------------------------------------------------------------
def _pg_program(name: str) -> str:
    program = shutil.which(name)
    if not program:
        raise BackupError(f"{name} is not installed ({PG_CLIENT_HINT}).")
    return program


def _pg_environment(connection) -> dict:
    """libpq's variables for the connection (the password stays out of the command line)."""
    config = connection.settings_dict
    variables = {
        "PGHOST": config["HOST"],
        "PGPORT": config["PORT"],
        "PGUSER": config["USER"],
        "PGPASSWORD": config["PASSWORD"],
        "PGDATABASE": config["NAME"],
        "PGSSLMODE": config.get("OPTIONS", {}).get("sslmode"),
    }
    return {**os.environ, **{name: str(value) for name, value in variables.items() if value}}


def _run(command, environment=None) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.returncode}")


def _pg_dump(connection, target_path: Path) -> None:
    _run(
        [_pg_program("pg_dump"), "--format=custom", "--no-password", f"--file={target_path}"],
        _pg_environment(connection),
    )


def _pg_check_file(path: Path) -> None:
    _run([_pg_program("pg_restore"), "--list", str(path)])


def _pg_restore(connection, path: Path) -> None:
    connection.close()  # this process holds no lock on the tables that are replaced
    _run(
        [
            _pg_program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        ],
        _pg_environment(connection),
    )
