"""`make backup` and `make restore`: a copy of the portal's database in one file, and that file put back.

    python scripts/backup.py backup [--output PATH]   # writes var/backups/kmportal-YYYYMMDD-HHMMSS.<ext>, prints it
    python scripts/backup.py restore FILE [--force]   # refuses a database that already holds tables without --force

The database is the one DATABASE_URL names, or the SQLite file var/kmportal.sqlite3, as in kmportal/settings.py.

- PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore --clean --if-exists --no-owner` in a single
  transaction, so that a restore that fails half-way leaves the database as it was. The password travels in
  PGPASSWORD, never on the command line, where any user of the machine could read it in `ps`.
- SQLite: the online backup API (`sqlite3.Connection.backup`), which copies a consistent snapshot while the portal
  keeps running, for the backup and for the restore.

Backups hold personal data: the folder is made readable by its owner only, and so is every file written.
"""

import argparse
import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
BACKUP_DIR = VAR_DIR / "backups"
# Uploaded files (lesson photos and documents) when stored on the file system (MEDIA_ROOT): kept beside the
# database file as <backup>.media.tar. An S3-compatible store is backed up by the store itself.
MEDIA_DIR = VAR_DIR / "media"

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# libpq connection keywords that may come in DATABASE_URL's query string (?sslmode=require); Django's own
# OPTIONS (isolation_level, pool, ...) mean nothing to pg_dump.
LIBPQ_OPTIONS = {
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "connect_timeout", "application_name", "options",
    "target_session_attrs", "gssencmode", "channel_binding", "service", "passfile",
}  # fmt: skip


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def database_settings() -> dict:
    """The database settings as kmportal/settings.py reads them (ENGINE, NAME, USER, PASSWORD, HOST, PORT, OPTIONS).

    Parsed here rather than by importing the settings module, which needs DJANGO_SECRET_KEY and the rest of the
    production environment: a backup from cron needs only DATABASE_URL. tests/kmportal/test_backup.py checks that
    both read the same database.
    """
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        url = f"sqlite:///{VAR_DIR / 'kmportal.sqlite3'}"
    try:
        return dj_database_url.parse(url)
    except ValueError as exc:
        raise BackupError(f"DATABASE_URL is not a database URL: {exc}") from None


def _vendor(settings: dict) -> str:
    engine = settings["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith(("postgresql", "postgis")):
        return "postgresql"
    raise BackupError(f"Backups are for PostgreSQL or SQLite, not {engine}.")


def default_output(settings: dict, now: dt.datetime | None = None) -> Path:
    extension = "sqlite3" if _vendor(settings) == "sqlite" else "pgdump"
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return BACKUP_DIR / f"kmportal-{stamp}.{extension}"


# Backup -------------------------------------------------------------------------------------------------------


def backup(settings: dict, output: Path | None = None, media_dir: Path = MEDIA_DIR) -> Path:
    """Writes a backup of the database (and of the media folder beside it) and returns its path. The file
    appears only once complete."""
    output = Path(output) if output else default_output(settings)
    if output.exists():
        raise BackupError(f"{output} already exists; choose another --output.")
    if not output.parent.exists():
        output.parent.mkdir(parents=True, mode=0o700)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if _vendor(settings) == "sqlite":
            _backup_sqlite(Path(settings["NAME"]), partial)
        else:
            _backup_postgresql(settings, partial)
        partial.chmod(0o600)
        _backup_media(Path(media_dir), media_archive(output))
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return output


def media_archive(backup_file: Path) -> Path:
    return Path(backup_file).with_name(Path(backup_file).name + ".media.tar")


def _backup_media(media_dir: Path, archive: Path):
    import tarfile

    if not media_dir.is_dir() or not any(media_dir.iterdir()):
        return
    partial = archive.with_name(archive.name + ".partial")
    partial.unlink(missing_ok=True)
    # Created readable by the owner only before anything is written: the photos may show people.
    partial.touch(mode=0o600)
    with tarfile.open(partial, "w") as tar:
        tar.add(media_dir, arcname="media")
    partial.replace(archive)


def _restore_media(archive: Path, media_dir: Path):
    import tarfile

    if not archive.is_file():
        return
    media_dir.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        # The "data" filter refuses absolute paths, links out of the folder and device files.
        members = [m for m in tar.getmembers() if m.name == "media" or m.name.startswith("media/")]
        for member in members:  # into the folder of this installation, whatever its name
            member.name = media_dir.name + member.name.removeprefix("media")
        tar.extractall(media_dir.parent, members=members, filter="data")


def _backup_sqlite(database: Path, output: Path):
    if not database.is_file():
        raise BackupError(f"There is no SQLite database at {database}.")
    source = sqlite3.connect(database)
    target = sqlite3.connect(output)
    try:
        # All pages in one step: the copy is a snapshot under one read lock, whatever the portal writes meanwhile.
        source.backup(target)
        # The backup is one self-contained file, not a WAL database that expects a -wal file beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(target, output)
    finally:
        target.close()
        source.close()


def _check_sqlite(connection: sqlite3.Connection, path: Path):
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")


def _libpq(settings: dict) -> tuple[str, dict]:
    """A libpq connection string without the password, and the environment that carries the password."""
    from psycopg2.extensions import make_dsn

    options = settings.get("OPTIONS") or {}
    params = {
        "dbname": settings.get("NAME"),
        "user": settings.get("USER"),
        "host": settings.get("HOST"),
        "port": settings.get("PORT"),
        **{key: value for key, value in options.items() if key in LIBPQ_OPTIONS},
    }
    dsn = make_dsn(**{key: str(value) for key, value in params.items() if value not in (None, "")})
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return dsn, env


def _run(command: list[str], env: dict):
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client (apt-get install postgresql-client)."
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed:\n{result.stderr.strip()}")


def _backup_postgresql(settings: dict, output: Path):
    dsn, env = _libpq(settings)
    _run(["pg_dump", "--format=custom", f"--file={output}", f"--dbname={dsn}"], env)
    # A dump that pg_restore cannot list would fail on the day it is needed.
    _run(["pg_restore", "--list", str(output)], env)


# Restore ------------------------------------------------------------------------------------------------------


def table_count(settings: dict) -> int:
    """How many tables the database holds (0 for a database just created, or an SQLite file not there yet)."""
    if _vendor(settings) == "sqlite":
        path = Path(settings["NAME"])
        if not path.exists():
            return 0
        connection = sqlite3.connect(path)
        try:
            return connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
        finally:
            connection.close()
    import psycopg2

    dsn, env = _libpq(settings)
    try:
        connection = psycopg2.connect(dsn, password=env.get("PGPASSWORD"))
    except psycopg2.OperationalError as exc:
        raise BackupError(f"Cannot connect to the database: {str(exc).strip()}") from None
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            )
            return cursor.fetchone()[0]
    finally:
        connection.close()


def restore(path: Path, settings: dict, force: bool = False, media_dir: Path = MEDIA_DIR):
    """Restores a backup into the database (and its media files, when the backup has them). Refuses a
    database that holds tables unless force is given."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    vendor = _vendor(settings)
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    expected = SQLITE_MAGIC if vendor == "sqlite" else PG_DUMP_MAGIC
    if not head.startswith(expected):
        kind = "an SQLite database" if vendor == "sqlite" else "a pg_dump custom-format file"
        raise BackupError(
            f"{path} is not {kind}: the database is {vendor}, the backup must be of the same kind."
        )
    tables = table_count(settings)
    if tables and not force:
        raise BackupError(
            f"The database {settings['NAME']} is not empty ({tables} tables): restoring would overwrite it. "
            "Restore into an empty database, or add --force (make restore FORCE=1) to overwrite it."
        )
    if vendor == "sqlite":
        _restore_sqlite(path, Path(settings["NAME"]))
    else:
        _restore_postgresql(path, settings)
    _restore_media(media_archive(path), Path(media_dir))


def _restore_sqlite(path: Path, database: Path):
    database.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(path)
    try:
        _check_sqlite(source, path)
        target = sqlite3.connect(database, timeout=20)
        try:
            # The backup API writes the whole file under the database's own lock: the portal's connections see
            # the old data or the restored data, never a mix.
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _restore_postgresql(path: Path, settings: dict):
    dsn, env = _libpq(settings)
    _run(
        [
            "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
            f"--dbname={dsn}", str(path),
        ],
        env,
    )  # fmt: skip


# Command line -------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Back up or restore the portal's database (DATABASE_URL).")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write a backup file and print its path")
    make.add_argument(
        "--output", type=Path, help="the file to write (default: var/backups/kmportal-<time>.*)"
    )
    put_back = commands.add_parser("restore", help="restore a backup file into the database")
    put_back.add_argument("file", type=Path)
    put_back.add_argument("--force", action="store_true", help="overwrite a database that is not empty")
    args = parser.parse_args(argv)
    try:
        settings = database_settings()
        if args.command == "backup":
            print(backup(settings, args.output))
        else:
            restore(args.file, settings, force=args.force)
            print(f"Restored {args.file} into {settings['NAME']}.")
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
