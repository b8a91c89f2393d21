"""The throwaway PostgreSQL fixture really gives isolated, dumpable databases."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.pg_server import PostgresServer

pytestmark = pytest.mark.postgres


def test_create_table_via_sqlalchemy(postgresql_url: str) -> None:
    engine = create_engine(postgresql_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE patient (id serial PRIMARY KEY, naam text NOT NULL)"))
            conn.execute(text("INSERT INTO patient (naam) VALUES ('Jansen')"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT naam FROM patient")).scalar_one() == "Jansen"
            assert conn.execute(text("SHOW fsync")).scalar_one() == "off"
    finally:
        engine.dispose()


def test_databases_are_isolated(postgres_server: PostgresServer, postgresql_url: str) -> None:
    other_url = postgres_server.create_database()
    first = create_engine(postgresql_url)
    second = create_engine(other_url)
    try:
        assert first.url.database != second.url.database
        with first.begin() as conn:
            conn.execute(text("CREATE TABLE alleen_hier (x int)"))
        with second.connect() as conn:
            found = conn.execute(text("SELECT to_regclass('public.alleen_hier')")).scalar_one()
            assert found is None
    finally:
        first.dispose()
        second.dispose()
        assert second.url.database is not None
        postgres_server.drop_database(second.url.database)


def test_password_is_required_over_tcp(postgres_server: PostgresServer) -> None:
    bad = postgres_server.url("postgres").replace(postgres_server.password, "wrong")
    engine = create_engine(bad)
    try:
        with pytest.raises(Exception, match="password authentication failed"):
            engine.connect()
    finally:
        engine.dispose()


def test_dump_contains_row_text(postgres_server: PostgresServer, postgresql_url: str) -> None:
    engine = create_engine(postgresql_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notitie (tekst text)"))
            conn.execute(text("INSERT INTO notitie VALUES ('terugkoppeling-wijkteam-42')"))
    finally:
        engine.dispose()
    dbname = create_engine(postgresql_url).url.database
    assert dbname is not None
    dump = postgres_server.dump(dbname)
    assert b"CREATE TABLE public.notitie" in dump
    assert b"terugkoppeling-wijkteam-42" in dump
