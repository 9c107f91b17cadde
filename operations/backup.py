"""``flask --app app backup PATH``: a consistent copy of the database while the site runs.

SQLite: the online backup API (``sqlite3.Connection.backup``), page by page, consistent even while others
write. PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot; restore with ``pg_restore``), the route
PostgreSQL documents; the connection comes from DATABASE_URL. Uploaded media (MEDIA_FOLDER) are files: back
them up beside it. The README describes the restore.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from extensions import db


def backup_sqlite(source: str, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
        src.backup(dst)  # in one step: a read snapshot (WAL: writers go on meanwhile), no restarts
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    check = sqlite3.connect(partial)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException("The copy failed its integrity check; nothing was written.")
    finally:
        check.close()
    partial.replace(target)


def backup_postgresql(url, target: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise click.ClickException("pg_dump is not installed (Debian: apt install postgresql-client).")
    env = dict(os.environ, PGPASSWORD=url.password or "")
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", "--host", url.host or "localhost",
               "--port", str(url.port or 5432), "--username", url.username or "postgres", url.database]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise click.ClickException(f"pg_dump failed: {result.stderr.strip()[:500]}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup(path: Path):
    """Write a consistent copy of the database to PATH (SQLite file, or a pg_dump custom-format archive)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        backup_sqlite(db.engine.url.database, path)
        how = "SQLite online backup"
    else:
        backup_postgresql(url, path)
        how = "pg_dump custom format"
    click.echo(f"Backup written to {path} ({how}, {path.stat().st_size:,} bytes).")
