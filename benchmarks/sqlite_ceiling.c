/* The raw SQLite ceiling for observation intake: inserts the rows a Backstop store holds
 * (its observations, their R*Tree entries and their audit-log entries, byte for byte) into a
 * new database with the same schema, WAL and synchronous=FULL, one transaction per batch,
 * through prepared statements of the SQLite C API. Nothing is parsed, validated, resolved or
 * hashed: this is what the database itself can take, the baseline Backstop's intake is
 * measured against (benchmarks/ingest.sh runs both in one run).
 *
 * Usage: sqlite_ceiling SOURCE.sqlite TARGET_DIRECTORY BATCH_SIZE FIRST_SEQ LAST_SEQ
 * (the observations whose sequence lies in FIRST_SEQ..LAST_SEQ: one phase of the benchmark).
 * Prints rows/s for the observations with their R*Tree rows, the same with their audit rows
 * (each the median of five runs), and how many observations were inserted. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { int type; sqlite3_int64 i; double f; char *text; int bytes; } Value;
typedef struct { Value *values; int columns; } Row;
typedef struct { Row *rows; int count, capacity, columns; } Table;

static void fail(sqlite3 *db, const char *what) {
    fprintf(stderr, "sqlite_ceiling: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
    exit(1);
}

static void run(sqlite3 *db, const char *sql) {
    char *error = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) { fprintf(stderr, "sqlite_ceiling: %s: %s\n", sql, error); exit(1); }
}

static Table load(sqlite3 *db, const char *sql, sqlite3_int64 first, sqlite3_int64 last) {
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK) fail(db, sql);
    sqlite3_bind_int64(statement, 1, first);
    sqlite3_bind_int64(statement, 2, last);
    Table table = {0};
    table.columns = sqlite3_column_count(statement);
    while (sqlite3_step(statement) == SQLITE_ROW) {
        if (table.count == table.capacity) {
            table.capacity = table.capacity ? table.capacity * 2 : 1024;
            table.rows = realloc(table.rows, sizeof(Row) * table.capacity);
        }
        Row row = { calloc(table.columns, sizeof(Value)), table.columns };
        for (int c = 0; c < table.columns; c++) {
            Value *v = &row.values[c];
            v->type = sqlite3_column_type(statement, c);
            if (v->type == SQLITE_INTEGER) v->i = sqlite3_column_int64(statement, c);
            else if (v->type == SQLITE_FLOAT) v->f = sqlite3_column_double(statement, c);
            else if (v->type == SQLITE_TEXT || v->type == SQLITE_BLOB) {
                v->bytes = sqlite3_column_bytes(statement, c);
                v->text = malloc(v->bytes + 1);
                memcpy(v->text, sqlite3_column_blob(statement, c), v->bytes);
                v->text[v->bytes] = 0;
            }
        }
        table.rows[table.count++] = row;
    }
    sqlite3_finalize(statement);
    return table;
}

static void bind(sqlite3_stmt *statement, Row *row) {
    for (int c = 0; c < row->columns; c++) {
        Value *v = &row->values[c];
        switch (v->type) {
            case SQLITE_INTEGER: sqlite3_bind_int64(statement, c + 1, v->i); break;
            case SQLITE_FLOAT: sqlite3_bind_double(statement, c + 1, v->f); break;
            case SQLITE_TEXT: sqlite3_bind_text(statement, c + 1, v->text, v->bytes, SQLITE_STATIC); break;
            case SQLITE_BLOB: sqlite3_bind_blob(statement, c + 1, v->text, v->bytes, SQLITE_STATIC); break;
            default: sqlite3_bind_null(statement, c + 1);
        }
    }
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK) fail(db, sql);
    return statement;
}

static void insert(sqlite3 *db, sqlite3_stmt *statement, Row *row) {
    bind(statement, row);
    if (sqlite3_step(statement) != SQLITE_DONE) fail(db, "insert");
    sqlite3_reset(statement);
}

/* Inserts every observation (and its R*Tree row, and with `audit` its audit-log row) in
 * transactions of `batch` observations into a new database at `path`; returns rows/s. */
static double measure(const char *schema_source, const char *path, Table *observations, Table *rtree, Table *audit, int batch, int with_audit) {
    remove(path);
    char wal[4096], shm[4096];
    snprintf(wal, sizeof wal, "%s-wal", path); snprintf(shm, sizeof shm, "%s-shm", path);
    remove(wal); remove(shm);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) fail(db, path);
    run(db, "PRAGMA journal_mode = WAL");
    run(db, "PRAGMA synchronous = FULL");
    /* The same tables and indexes as the store's, read from its own schema. */
    sqlite3 *source;
    if (sqlite3_open_v2(schema_source, &source, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) fail(source, schema_source);
    sqlite3_stmt *schema = prepare(source,
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND (tbl_name IN ('observations', 'audit_log') OR name = 'observations_rtree') ORDER BY rowid");
    while (sqlite3_step(schema) == SQLITE_ROW) run(db, (const char *)sqlite3_column_text(schema, 0));
    sqlite3_finalize(schema);
    sqlite3_close(source);

    sqlite3_stmt *insert_observation = prepare(db,
        "INSERT INTO observations (seq, id, kind, observed_at_ms, received_at_ms, reporter, reporter_team, digest, lat, lon, body, resolution) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    sqlite3_stmt *insert_rtree = prepare(db, "INSERT INTO observations_rtree (seq, min_lat, max_lat, min_lon, max_lon) VALUES (?,?,?,?,?)");
    sqlite3_stmt *insert_audit = prepare(db,
        "INSERT INTO audit_log (seq, recorded_at_ms, actor, action, subject, body, previous_hash, hash) VALUES (?,?,?,?,?,?,?,?)");
    struct timespec began, ended;
    clock_gettime(CLOCK_MONOTONIC, &began);
    int r = 0, a = 0;
    for (int o = 0; o < observations->count; o += batch) {
        run(db, "BEGIN IMMEDIATE");
        int end = o + batch < observations->count ? o + batch : observations->count;
        sqlite3_int64 last_seq = observations->rows[end - 1].values[0].i;
        for (int i = o; i < end; i++) insert(db, insert_observation, &observations->rows[i]);
        for (; r < rtree->count && rtree->rows[r].values[0].i <= last_seq; r++) insert(db, insert_rtree, &rtree->rows[r]);
        if (with_audit) for (int i = o; i < end && a < audit->count; i++, a++) insert(db, insert_audit, &audit->rows[a]);
        run(db, "COMMIT");
    }
    clock_gettime(CLOCK_MONOTONIC, &ended);
    sqlite3_finalize(insert_observation); sqlite3_finalize(insert_rtree); sqlite3_finalize(insert_audit);
    sqlite3_close(db);
    double seconds = (ended.tv_sec - began.tv_sec) + (ended.tv_nsec - began.tv_nsec) / 1e9;
    return observations->count / seconds;
}

#define RUNS 5

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 6 || atoi(argv[3]) < 1) {
        fprintf(stderr, "usage: sqlite_ceiling SOURCE.sqlite TARGET_DIRECTORY BATCH_SIZE FIRST_SEQ LAST_SEQ\n");
        return 2;
    }
    int batch = atoi(argv[3]);
    sqlite3_int64 first = atoll(argv[4]), last = atoll(argv[5]);
    sqlite3 *source;
    if (sqlite3_open_v2(argv[1], &source, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) fail(source, argv[1]);
    Table observations = load(source,
        "SELECT seq, id, kind, observed_at_ms, received_at_ms, reporter, reporter_team, digest, lat, lon, body, resolution "
        "FROM observations WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq", first, last);
    Table rtree = load(source, "SELECT seq, min_lat, max_lat, min_lon, max_lon FROM observations_rtree WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
                       first, last);
    Table audit = load(source,
        "SELECT a.seq, a.recorded_at_ms, a.actor, a.action, a.subject, a.body, a.previous_hash, a.hash FROM audit_log a "
        "JOIN observations o ON a.subject = 'observation/' || o.id WHERE o.seq BETWEEN ?1 AND ?2 AND a.action = 'observation.accepted' ORDER BY a.seq",
        first, last);
    sqlite3_close(source);
    if (observations.count == 0) { fprintf(stderr, "sqlite_ceiling: %s holds no observations in that range\n", argv[1]); return 1; }
    char path[4096];
    snprintf(path, sizeof path, "%s/ceiling.sqlite", argv[2]);
    /* The median of five runs of each: one run's fsyncs alone vary by a third on a shared disk. */
    double plain[RUNS], audited[RUNS];
    for (int run = 0; run < RUNS; run++) {
        plain[run] = measure(argv[1], path, &observations, &rtree, &audit, batch, 0);
        audited[run] = measure(argv[1], path, &observations, &rtree, &audit, batch, 1);
    }
    qsort(plain, RUNS, sizeof(double), by_value);
    qsort(audited, RUNS, sizeof(double), by_value);
    printf("%.0f %.0f %d\n", plain[RUNS / 2], audited[RUNS / 2], observations.count);
    return 0;
}
