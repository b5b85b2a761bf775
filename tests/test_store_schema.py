import subprocess
import sys

import duckdb
import pytest

from marsad.batch.extract import to_record
from marsad.errors import StoreError
from marsad.store import Store, schema
from store_helpers import syria_article, yemen_article


def test_store_schema_new_database_has_every_migration(tmp_path):
    with Store(tmp_path / "m.duckdb") as store:
        assert store.version == schema.LATEST
        versions = store.con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        assert [v for (v,) in versions] == [n for n, _, _ in schema.MIGRATIONS]
        tables = {r[0] for r in store.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert tables >= {"articles", "events", "event_sources", "figures", "quotes", "actors", "places", "entities",
                      "layers", "runs", "errors", "schema_version"}


def test_store_schema_upgrades_a_v1_database_and_backfills_event_sources(tmp_path):
    path = str(tmp_path / "v1.duckdb")
    with Store(path, target=1) as old:
        assert old.version == 1 and "event_sources" not in old._arrow
        old.write([to_record(syria_article()), to_record(yemen_article())])   # as a v1 marsad stored them
    with Store(path) as store:
        assert store.version == schema.LATEST
        links = store.con.execute("SELECT s.event_id, s.article_key, s.evidence_text = e.evidence_text "
                                  "FROM event_sources s JOIN events e USING (event_id) ORDER BY 1").fetchall()
        assert len(links) == 4 and all(same for _, _, same in links)
        assert store.count("articles") == 2


def test_store_schema_failed_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    path = str(tmp_path / "m.duckdb")
    Store(path).close()

    def broken(con):
        con.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("migration bug")
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, (schema.LATEST + 1, "broken", broken)])
    monkeypatch.setattr(schema, "LATEST", schema.LATEST + 1)
    with pytest.raises(RuntimeError):
        Store(path)
    monkeypatch.undo()
    with Store(path) as store:
        assert store.version == schema.LATEST
        assert not store.con.execute("SELECT * FROM information_schema.tables WHERE table_name = 'half_done'"
                                     ).fetchall()


def test_store_schema_refuses_a_newer_database(tmp_path):
    path = tmp_path / "m.duckdb"
    with Store(path) as store:
        store.con.execute("INSERT INTO schema_version VALUES (99, now()::TIMESTAMP, 'from the future')")
    with pytest.raises(StoreError, match=r"\[E604\].*schema version 99"):
        Store(path)


def test_store_schema_refuses_another_programs_database(tmp_path):
    path = str(tmp_path / "other.duckdb")
    duckdb.connect(path).execute("CREATE TABLE customers (id INTEGER)").close()
    with pytest.raises(StoreError, match=r"\[E603\].*not marsad's"):
        Store(path)


@pytest.mark.parametrize("content,code", [(b"just some text, not a database\n" * 10, "E605")])
def test_store_schema_refuses_a_file_that_is_not_duckdb(tmp_path, content, code):
    path = tmp_path / "notes.duckdb"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=code):
        Store(path)


def test_store_schema_names_the_process_holding_the_database(tmp_path):
    path = tmp_path / "m.duckdb"
    Store(path).close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(30)", str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        for read_only in (False, True):
            with pytest.raises(StoreError, match=rf"\[E602\].*PID {holder.pid}.*one\s+process at a time"):
                Store(path, read_only=read_only)
    finally:
        holder.kill()
        holder.wait()


def test_store_schema_read_only_open_of_a_missing_file_says_how_to_create_it(tmp_path):
    with pytest.raises(StoreError, match=r"\[E601\].*marsad ingest"):
        Store(tmp_path / "missing.duckdb", read_only=True)


def test_store_schema_upgrade_to_v3_backfills_place_columns_from_data(tmp_path):
    path = str(tmp_path / "v2.duckdb")
    with Store(path, target=2) as old:
        assert "name_ar" not in old.columns("places")
        old.write([to_record(syria_article())])
    with Store(path) as store:
        assert store.version >= 3
        assert store.con.execute("SELECT name, name_ar, confidence FROM places ORDER BY idx").fetchall() == \
            [("الباغوز", "الباغوز فوقاني", 0.9), ("الحسكة", None, None)]
        assert store.con.execute("SELECT location_name_ar, location_confidence FROM events ORDER BY idx"
                                 ).fetchall() == [("الباغوز فوقاني", 0.9), (None, None)]
