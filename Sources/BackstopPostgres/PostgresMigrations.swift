import BackstopStore

/// The schema, as numbered steps (see `MigrationStep`).
/// Times are whole milliseconds since 1970 (as in the SQLite store, so both order and page
/// identically); points are also kept as PostGIS geometry with a GiST index.
enum PostgresMigrations {
    static let steps: [MigrationStep] = [
        MigrationStep(version: 1, statements: [
            """
            CREATE TABLE observations (
                seq BIGSERIAL PRIMARY KEY,
                id UUID NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                observed_at_ms BIGINT NOT NULL,
                received_at_ms BIGINT NOT NULL,
                reporter TEXT NOT NULL,
                reporter_team TEXT,
                digest TEXT NOT NULL,
                lat DOUBLE PRECISION,
                lon DOUBLE PRECISION,
                location geometry(Point, 4326),
                body TEXT NOT NULL,
                resolution TEXT NOT NULL
            )
            """,
            "CREATE INDEX observations_by_time ON observations (observed_at_ms, id)",
            "CREATE INDEX observations_by_reporter ON observations (reporter, observed_at_ms)",
            "CREATE INDEX observations_by_team ON observations (reporter_team, observed_at_ms)",
            "CREATE INDEX observations_by_location ON observations USING GIST (location)",
            """
            CREATE TABLE agreement_versions (
                agreement_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                document TEXT NOT NULL,
                saved_by TEXT NOT NULL,
                saved_at_ms BIGINT NOT NULL,
                PRIMARY KEY (agreement_id, version)
            )
            """,
            """
            CREATE TABLE access_tokens (
                hash TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL,
                team TEXT,
                created_at_ms BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE work_leases (
                name TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                position BIGINT NOT NULL DEFAULT 0,
                expires_at TIMESTAMPTZ NOT NULL
            )
            """,
            """
            CREATE TABLE finding_log (
                seq BIGSERIAL PRIMARY KEY,
                incident_id UUID NOT NULL,
                incident_start_ms BIGINT NOT NULL,
                agreement_id TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                party TEXT,
                text TEXT NOT NULL,
                recorded_at_ms BIGINT NOT NULL,
                recorded_by TEXT NOT NULL,
                UNIQUE (incident_id, agreement_id, rule_id, kind)
            )
            """,
        ]),
        // The audit log (a hash chain) and signed checkpoints of its head.
        MigrationStep(version: 2, statements: [
            """
            CREATE TABLE audit_log (
                seq BIGINT PRIMARY KEY,
                recorded_at_ms BIGINT NOT NULL,
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
                seq BIGINT PRIMARY KEY,
                hash TEXT NOT NULL,
                signed_at_ms BIGINT NOT NULL,
                public_key TEXT NOT NULL,
                signature TEXT NOT NULL
            )
            """,
        ]),
        // Tokens can be revoked.
        MigrationStep(version: 3, statements: [
            "ALTER TABLE access_tokens ADD COLUMN revoked_at_ms BIGINT",
        ]),
        // Incidents as the mission keeps them, and a findings log that also says which
        // findings a supervisor confirmed and which were retracted.
        MigrationStep(version: 4, statements: [
            """
            CREATE TABLE incidents (
                id UUID PRIMARY KEY,
                revision BIGINT NOT NULL UNIQUE,
                merged_into UUID,
                document TEXT NOT NULL
            )
            """,
            "ALTER TABLE finding_log ADD COLUMN status TEXT NOT NULL DEFAULT 'detected'",
            "ALTER TABLE finding_log ADD COLUMN round INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE finding_log DROP CONSTRAINT finding_log_incident_id_agreement_id_rule_id_kind_key",
            "ALTER TABLE work_leases ADD COLUMN agreement_revision INTEGER NOT NULL DEFAULT -1",
            """
            CREATE TABLE incident_pins (
                observation_id UUID PRIMARY KEY,
                group_id UUID NOT NULL,
                revision BIGINT NOT NULL
            )
            """,
            "CREATE INDEX incident_pins_by_revision ON incident_pins (revision)",
            "ALTER TABLE finding_log ADD CONSTRAINT finding_log_entry UNIQUE (incident_id, agreement_id, rule_id, kind, status, round)",
        ]),
        // Escalation's documents (policies, sectors, alerts, requests, subscriptions), the
        // outbox its changes write and the deliveries each message fans out to. Ids are text
        // (UUIDs lowercased), as in the SQLite store, so both order identically.
        MigrationStep(version: 5, statements: [
            """
            CREATE TABLE escalation_records (
                kind TEXT NOT NULL,
                id TEXT NOT NULL,
                seq BIGINT NOT NULL,
                revision BIGINT NOT NULL,
                document TEXT NOT NULL,
                PRIMARY KEY (kind, id)
            )
            """,
            "CREATE INDEX escalation_records_by_seq ON escalation_records (kind, seq)",
            """
            CREATE TABLE outbox (
                seq BIGINT PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                document TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE deliveries (
                id TEXT PRIMARY KEY,
                subscription_id TEXT NOT NULL,
                message_seq BIGINT NOT NULL,
                state TEXT NOT NULL,
                document TEXT NOT NULL
            )
            """,
            "CREATE INDEX deliveries_by_state ON deliveries (state, subscription_id, message_seq)",
            "CREATE INDEX deliveries_by_subscription ON deliveries (subscription_id, message_seq)",
        ]),
    ]
}
