import BackstopCore
import BackstopStore
import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The store for a mission on several machines: PostgreSQL with PostGIS, shared by any number
/// of Backstop nodes. Commits are durable when PostgreSQL says so (`synchronous_commit` as the
/// server is configured; on by default). Observation writes take a table lock, so the intake
/// sequence commits in order and a node following it never skips a late-committing record.
public final class PostgresStore: BackstopStore {
    /// Changes to observations and agreements are announced here on commit.
    static let channel = "backstop_changes"

    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    /// Concurrent observation submissions share a transaction (see `GroupCommit`).
    let submissionQueue = GroupCommit<[ObservationSubmission], [SubmissionResult]>(limit: PostgresStore.groupCommitRows, weight: { $0.count })
    /// How long one operation may wait for the database before it fails as unavailable (the
    /// pool itself would queue requests for a minute while the server is down).
    let operationTimeout: Duration
    let announcer = Announcer()
    private let runner: Task<Void, Never>
    private let listener: Task<Void, Never>

    private init(location: PostgresLocation, client: PostgresClient, logger: Logger, operationTimeout: Duration) {
        self.location = location
        self.client = client
        self.logger = logger
        self.operationTimeout = operationTimeout
        runner = Task { await client.run() }
        listener = Task { [announcer] in await Self.listen(client: client, announcer: announcer, logger: logger) }
    }

    public static func open(url: String, operationTimeout: Duration = .seconds(5),
                            logger: Logger = Logger(label: "backstop.postgres")) throws -> PostgresStore {
        let location = try PostgresLocation.parse(url)
        var configuration: PostgresClient.Configuration
        if let socket = location.socketDirectory {
            configuration = .init(unixSocketPath: "\(socket)/.s.PGSQL.\(location.port)", username: location.username,
                                  password: location.password, database: location.database)
        } else {
            let tls: PostgresClient.Configuration.TLS = switch location.sslMode {
            case "disable": .disable
            case "require": .require(.makeClientConfiguration())
            default: .prefer(.makeClientConfiguration())
            }
            configuration = .init(host: location.host, port: location.port, username: location.username,
                                  password: location.password, database: location.database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.maximumConnections = 16
        configuration.options.additionalStartupParameters = [("search_path", "\(location.schema), public"),
                                                             ("application_name", "backstop")]
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return PostgresStore(location: location, client: client, logger: logger, operationTimeout: operationTimeout)
    }

    /// Ends the listener and the pool. The listener is not awaited: a LISTEN that the closing
    /// pool cuts off may not notice its cancellation, and a shutdown must not wait on it.
    /// The pool gets a few seconds to close its connections; a process shutting down does not
    /// wait longer than that for a database that may be gone.
    public func close() async throws {
        listener.cancel()
        announcer.finish()
        runner.cancel()
        let closed = Task<Void, any Error> { [runner] in await runner.value }
        _ = await Self.first(closed, within: .seconds(3))
    }

    public func announcements() -> AsyncStream<Void> { announcer.stream() }

    /// Follows the change channel on a connection of its own, reconnecting after failures. A
    /// reconnect announces once, since notifications sent while it was away are lost.
    private static func listen(client: PostgresClient, announcer: Announcer, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        announcer.announce()
                        for try await _ in notifications { announcer.announce() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("change listener reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Runs one operation with the store's deadline, turning database failures into
    /// `StoreError.unavailable` (a 503 with Retry-After at the API). The deadline holds even
    /// when the operation ignores cancellation (a query on a connection the server dropped
    /// mid-restart): the caller is answered and the operation is left to end on its own.
    func guarded<T: Sendable>(_ what: String, timeout: Duration? = nil, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = timeout ?? operationTimeout
        let work = Task { try await body() }
        guard let outcome = await Self.first(work, within: timeout) else {
            work.cancel()
            throw StoreError.unavailable("\(what): no answer from the database within \(timeout)")
        }
        do {
            return try outcome.get()
        } catch let error as PSQLError {
            throw StoreError.unavailable("\(what): \(Self.describe(error))")
        } catch let error as PostgresTransactionError {
            // The store's own refusals (a conflict, a stale version) pass through unchanged.
            if let refusal = error.closureError as? StoreError { throw refusal }
            // So do the caller's own (a workflow rule refusing a change).
            if let refusal = error.closureError, !(refusal is PSQLError) { throw refusal }
            let cause = [error.beginError, error.closureError, error.commitError].compactMap { $0 }.first
            throw StoreError.unavailable("\(what): \(cause.map { ($0 as? PSQLError).map(Self.describe) ?? "\($0)" } ?? "transaction failed")")
        } catch is CancellationError {
            throw StoreError.unavailable("\(what): cancelled")
        }
    }

    /// The task's result, or nil when `delay` passes first (or the caller is cancelled).
    static func first<T: Sendable>(_ task: Task<T, any Error>, within delay: Duration) async -> Result<T, any Error>? {
        let (stream, continuation) = AsyncStream<Result<T, any Error>?>.makeStream()
        let waiter = Task { continuation.yield(await task.result) }
        let timer = Task {
            try? await Task.sleep(for: delay)
            continuation.yield(nil)
        }
        var iterator = stream.makeAsyncIterator()
        let outcome = await iterator.next() ?? nil
        timer.cancel()
        _ = waiter
        continuation.finish()
        return outcome
    }

    func transaction<T: Sendable>(_ what: String, timeout: Duration? = nil,
                                  _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await guarded(what, timeout: timeout) { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    func rows(_ what: String, _ query: PostgresQuery) async throws -> [PostgresRow] {
        try await guarded(what) { [client] in try await client.query(query).collect() }
    }

    static func describe(_ error: PSQLError) -> String {
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        }
        return "\(error.code)"
    }

    public func migrate() async throws {
        // A migration may rebuild an index on a large table: it gets minutes, not seconds.
        try await transaction("install PostGIS", timeout: .seconds(300)) { [logger] connection in
            let installed = try await connection.query("SELECT 1 FROM pg_extension WHERE extname = 'postgis'", logger: logger).collect()
            guard installed.isEmpty else { return }
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('backstop-postgis'))", logger: logger)
            try await connection.query("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public", logger: logger)
        }
        try await transaction("migrate", timeout: .seconds(300)) { [location, logger] connection in
            // One node migrates a schema at a time; the others wait and then find nothing to do.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('backstop-migrate:' || \(location.schema)))", logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(location.schema)"), logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            for step in PostgresMigrations.steps where !applied.contains(step.version) {
                for statement in step.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(step.version))", logger: logger)
            }
        }
    }
}

extension PostgresStore {
    /// The placeholders `$(n+1)…$(n+count)` of one row of a multi-row statement whose bindings
    /// held `n` values before the row.
    static func placeholders(after n: Int, count: Int) -> [String] {
        (1...count).map { "$\(n + $0)" }
    }

    /// The same, as the row's parenthesised list.
    static func row(after n: Int, count: Int) -> String {
        "(" + placeholders(after: n, count: count).joined(separator: ",") + ")"
    }
}
