"""Runs a query written by `accord compile --format sql` on a real engine.

    python3 sql.py ENGINE JOBS.json

ENGINE is `sqlite` (Python's sqlite3), `duckdb`, `duckdb-ansi` (DuckDB running the standard
dialect) or `spark` (PySpark in local mode, one session for every job). JOBS.json is a list of
jobs, each an object with `query` (a file), `columns` (the columns the query reads, as [name,
type] pairs with the types of an Accord table: `bool`, `count`, `date`, `enum`, `set`, plus
`id`), `transfers` (a JSON Lines file), `out` (the file to write) and, for SQLite, `table`
(`transfers` unless given). Each job's transfers are loaded into that table in the layout the
dialect documents (docs/sql.md); the query's output rows are written as JSON Lines, one object
per row with `id` and the decision columns, in `id` order.

A job's `mode` changes what is run: `check` runs a column check (`--check-columns`) and writes
its rows sorted by column; `file` (DuckDB) runs a query that reads the transfers file itself
(`--read-json`), with no table made, and reads each row's `id` from the line it keeps. An engine's
error (a missing column, say) ends the run with its message.
"""

import datetime
import json
import sys

OUTPUTS = ["problem", "table_row", "satisfied", "regime", "verdict", "require", "ordered",
           "obligations", "if_chosen", "rule", "cite", "met_by"]


def rows_for(columns, transfers, sets_as_text, dates_as_text, bools_as_int):
    for t in transfers:
        row = []
        for name, ty in columns:
            v = t.get(name)
            if v is not None and ty == "set" and sets_as_text:
                v = ";".join(v)
            elif v is not None and ty == "bool" and bools_as_int:
                v = 1 if v else 0
            elif v is not None and ty == "date" and not dates_as_text:
                v = datetime.date.fromisoformat(v)
            row.append(v)
        yield row


def sqlite(query, columns, transfers, table="transfers"):
    import sqlite3
    db = sqlite3.connect(":memory:")
    types = {"bool": "INTEGER", "count": "INTEGER", "date": "TEXT", "enum": "TEXT", "set": "TEXT",
             "id": "INTEGER"}
    db.execute('CREATE TABLE "%s" (%s)' % (table, ", ".join(
        '"%s" %s' % (n, types[t]) for n, t in columns)))
    db.executemany('INSERT INTO "%s" VALUES (%s)' % (table, ", ".join("?" * len(columns))),
                   rows_for(columns, transfers, True, True, True))
    cursor = db.execute(query)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor]


def duckdb_run(query, columns, path, sets_as_text):
    import duckdb
    db = duckdb.connect()
    types = {"bool": "BOOLEAN", "count": "BIGINT", "date": "DATE", "enum": "VARCHAR",
             "set": "VARCHAR[]", "id": "BIGINT"}
    spec = ", ".join("'%s': '%s'" % (n, types[t]) for n, t in columns)
    read = "read_json('%s', format = 'newline_delimited', columns = {%s})" % (path, spec)
    if sets_as_text:
        # The standard dialect's layout: each set as its members separated by `;`.
        select = ", ".join(
            ("CASE WHEN \"%s\" IS NULL THEN NULL ELSE COALESCE(array_to_string(\"%s\", ';'), '') END"
             " AS \"%s\"" % (n, n, n)) if t == "set" else '"%s"' % n
            for n, t in columns)
        db.execute("CREATE TABLE transfers AS SELECT %s FROM %s" % (select, read))
    else:
        db.execute("CREATE TABLE transfers AS SELECT * FROM %s" % read)
    cursor = db.execute(query)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def spark_session():
    from pyspark.sql import SparkSession
    session = (SparkSession.builder.master("local[2]").appName("accord-sql")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark(session, query, columns, path):
    from pyspark.sql import types as T
    types = {"bool": T.BooleanType(), "count": T.LongType(), "date": T.DateType(),
             "enum": T.StringType(), "set": T.ArrayType(T.StringType()), "id": T.LongType()}
    schema = T.StructType([T.StructField(n, types[t], True) for n, t in columns])
    frame = session.read.schema(schema).json(path)
    frame.createOrReplaceTempView("transfers")
    return [r.asDict() for r in session.sql(query).collect()]


def run(engine, job, session):
    query = open(job["query"], encoding="utf-8").read()
    columns = job["columns"]
    path = job["transfers"]
    if job.get("mode") == "file":
        import duckdb
        cursor = duckdb.connect().execute(query)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r), id=json.loads(dict(zip(names, r))["transfer"])["id"])
                for r in cursor.fetchall()]
    if engine == "sqlite":
        transfers = [json.loads(line) for line in open(path, encoding="utf-8")]
        return sqlite(query, columns, transfers, job.get("table", "transfers"))
    if engine == "duckdb":
        return duckdb_run(query, columns, path, False)
    if engine == "duckdb-ansi":
        return duckdb_run(query, columns, path, True)
    if engine == "spark":
        return spark(session, query, columns, path)
    sys.exit("unknown engine " + engine)


def main():
    engine, jobs_path = sys.argv[1:3]
    jobs = json.load(open(jobs_path, encoding="utf-8"))
    session = spark_session() if engine == "spark" else None
    for job in jobs:
        rows = run(engine, job, session)
        if job.get("mode") == "check":
            rows.sort(key=lambda r: r["column_name"])
            with open(job["out"], "w", encoding="utf-8") as out:
                for r in rows:
                    out.write(json.dumps({k: r[k] for k in ["column_name", "expected", "found", "rows"]}) + "\n")
            continue
        rows.sort(key=lambda r: r["id"])
        with open(job["out"], "w", encoding="utf-8") as out:
            for r in rows:
                record = {"id": r["id"]}
                for name in OUTPUTS:
                    v = r[name]
                    if name == "satisfied" and v is not None:
                        v = bool(v)
                    record[name] = v
                out.write(json.dumps(record) + "\n")
    if session is not None:
        session.stop()


main()
