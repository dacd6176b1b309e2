import BackstopStore

/// The schema, as numbered steps (see `MigrationStep`).
enum SQLiteMigrations {
    static let steps: [MigrationStep] = [
        MigrationStep(version: 1, statements: [
            """
            CREATE TABLE observations (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                observed_at_ms INTEGER NOT NULL,
                received_at_ms INTEGER NOT NULL,
                reporter TEXT NOT NULL,
                reporter_team TEXT,
                digest TEXT NOT NULL,
                lat REAL,
                lon REAL,
                body TEXT NOT NULL,
                resolution TEXT NOT NULL
            )
            """,
            "CREATE INDEX observations_by_time ON observations (observed_at_ms, id)",
            "CREATE INDEX observations_by_reporter ON observations (reporter, observed_at_ms)",
            "CREATE INDEX observations_by_team ON observations (reporter_team, observed_at_ms)",
            "CREATE VIRTUAL TABLE observations_rtree USING rtree (seq, min_lat, max_lat, min_lon, max_lon)",
            """
            CREATE TABLE agreement_versions (
                agreement_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                document TEXT NOT NULL,
                saved_by TEXT NOT NULL,
                saved_at_ms INTEGER NOT NULL,
                PRIMARY KEY (agreement_id, version)
            )
            """,
            """
            CREATE TABLE access_tokens (
                hash TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                team TEXT,
                created_at_ms INTEGER NOT NULL
            )
            """,
        ]),
        // Visibility of partners' and parties' own records goes by the token name, so a name
        // may belong to one token only.
        MigrationStep(version: 2, statements: [
            "CREATE UNIQUE INDEX access_tokens_by_name ON access_tokens (name)",
        ]),
        // Background work held by one process at a time, and the findings log it writes.
        MigrationStep(version: 3, statements: [
            """
            CREATE TABLE work_leases (
                name TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                position INTEGER NOT NULL DEFAULT 0,
                expires_at_ms INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE finding_log (
                seq INTEGER PRIMARY KEY,
                incident_id TEXT NOT NULL,
                incident_start_ms INTEGER NOT NULL,
                agreement_id TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                party TEXT,
                text TEXT NOT NULL,
                recorded_at_ms INTEGER NOT NULL,
                recorded_by TEXT NOT NULL,
                UNIQUE (incident_id, agreement_id, rule_id, kind)
            )
            """,
        ]),
        // The audit log (a hash chain) and signed checkpoints of its head.
        MigrationStep(version: 4, statements: [
            """
            CREATE TABLE audit_log (
                seq INTEGER PRIMARY KEY,
                recorded_at_ms INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_log_by_subject ON audit_log (subject, seq)",
            """
            CREATE TABLE audit_checkpoints (
                seq INTEGER PRIMARY KEY,
                hash TEXT NOT NULL,
                signed_at_ms INTEGER NOT NULL,
                public_key TEXT NOT NULL,
                signature TEXT NOT NULL
            )
            """,
        ]),
        // Tokens can be revoked.
        MigrationStep(version: 5, statements: [
            "ALTER TABLE access_tokens ADD COLUMN revoked_at_ms INTEGER",
        ]),
        // Incidents as the mission keeps them, and a findings log that also says which
        // findings a supervisor confirmed and which were retracted.
        MigrationStep(version: 6, statements: [
            """
            CREATE TABLE incidents (
                id TEXT PRIMARY KEY,
                revision INTEGER NOT NULL UNIQUE,
                merged_into TEXT,
                document TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE finding_log_v6 (
                seq INTEGER PRIMARY KEY,
                incident_id TEXT NOT NULL,
                incident_start_ms INTEGER NOT NULL,
                agreement_id TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                party TEXT,
                text TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'detected',
                round INTEGER NOT NULL DEFAULT 0,
                recorded_at_ms INTEGER NOT NULL,
                recorded_by TEXT NOT NULL,
                UNIQUE (incident_id, agreement_id, rule_id, kind, status, round)
            )
            """,
            """
            INSERT INTO finding_log_v6 (seq, incident_id, incident_start_ms, agreement_id, rule_id, kind, party, text, recorded_at_ms, recorded_by)
            SELECT seq, incident_id, incident_start_ms, agreement_id, rule_id, kind, party, text, recorded_at_ms, recorded_by FROM finding_log
            """,
            "DROP TABLE finding_log",
            "ALTER TABLE finding_log_v6 RENAME TO finding_log",
            "ALTER TABLE work_leases ADD COLUMN agreement_revision INTEGER NOT NULL DEFAULT -1",
            """
            CREATE TABLE incident_pins (
                observation_id TEXT PRIMARY KEY,
                group_id TEXT NOT NULL,
                revision INTEGER NOT NULL
            )
            """,
            "CREATE INDEX incident_pins_by_revision ON incident_pins (revision)",
        ]),
        // Escalation's documents (policies, sectors, alerts, requests, subscriptions), the
        // outbox its changes write and the deliveries each message fans out to.
        MigrationStep(version: 7, statements: [
            """
            CREATE TABLE escalation_records (
                kind TEXT NOT NULL,
                id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                revision INTEGER NOT NULL,
                document TEXT NOT NULL,
                PRIMARY KEY (kind, id)
            )
            """,
            "CREATE INDEX escalation_records_by_seq ON escalation_records (kind, seq)",
            """
            CREATE TABLE outbox (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                document TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE deliveries (
                id TEXT PRIMARY KEY,
                subscription_id TEXT NOT NULL,
                message_seq INTEGER NOT NULL,
                state TEXT NOT NULL,
                document TEXT NOT NULL
            )
            """,
            "CREATE INDEX deliveries_by_state ON deliveries (state, subscription_id, message_seq)",
            "CREATE INDEX deliveries_by_subscription ON deliveries (subscription_id, message_seq)",
        ]),
    ]
}
