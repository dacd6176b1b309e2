import BackstopCore
import BackstopStore
import Foundation
import Logging
import NIOPosix
import SQLiteNIO
import Synchronization

/// The embedded default store: one SQLite file in WAL mode with full fsync on commit, so an
/// acknowledged write survives a crash of the process or the machine.
public final class SQLiteStore: BackstopStore {
    public static let fileName = "backstop.sqlite"

    let writer: SQLiteWriter
    let reader: SQLiteConnection
    /// The store's own threads for SQLite's blocking calls (a commit's fsync, a statement, the
    /// writer waiting for a batch's next part): one each for the writer, the reader and the
    /// checkpointer, so a read never queues behind a write or a checkpoint, and no other store
    /// in the process (a test runs many) can take them.
    private let threads: NIOThreadPool
    /// Writers take turns here first. One gate per database file in the process, so that
    /// handles on one file (two nodes in one process, as tests run them) queue first come,
    /// first served: SQLite's own lock is not fair, and a handle committing back to back would
    /// otherwise keep winning it while the other waits out its 10 s. Writers in other processes
    /// still meet at SQLite's lock (see `writeTransaction`).
    let gate: AsyncGate
    private static let gates = Mutex<[String: AsyncGate]>([:])
    let announcer = Announcer()
    public let path: String
    /// Concurrent observation submissions share a transaction (see `GroupCommit`).
    /// What this store committed lately, for its intake feed (see `RecentIntake`).
    let recentIntake = RecentIntake()
    /// What this store wrote of incidents lately, for their changes (see `RecentIncidents`).
    let recentIncidents = RecentIncidents()
    let submissionQueue = GroupCommit<[ObservationSubmission], [SubmissionResult]>(limit: SQLiteStore.groupCommitRows, weight: { $0.count })

    /// Checkpoints the WAL beside the writer rather than inside its commits.
    let checkpointer: WALCheckpointer

    private init(path: String, writer: SQLiteWriter, reader: SQLiteConnection, checkpointing: SQLiteConnection, threads: NIOThreadPool) {
        self.threads = threads
        self.path = path
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        gate = Self.gates.withLock { gates in
            if let gate = gates[key] { return gate }
            let gate = AsyncGate()
            gates[key] = gate
            return gate
        }
        self.writer = writer
        self.reader = reader
        checkpointer = WALCheckpointer(connection: checkpointing, gate: gate)
    }

    /// Opens (creating if needed) the store in `directory`.
    public static func open(directory: String, logger: Logger = Logger(label: "backstop.sqlite")) async throws -> SQLiteStore {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.unavailable("cannot create the data directory \(directory): \(error.localizedDescription)")
        }
        let path = URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
        return try await open(file: path, logger: logger)
    }

    public static func open(file path: String, logger: Logger = Logger(label: "backstop.sqlite")) async throws -> SQLiteStore {
        let threads = NIOThreadPool(numberOfThreads: 3)
        threads.start()
        var opened: [SQLiteConnection] = []
        var writer: SQLiteWriter?
        do {
            let writing = try await SQLiteWriter.open(path: path, threads: threads)
            writer = writing
            try await configure(writing, journal: true)
            let reader = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: logger,
                                                         on: MultiThreadedEventLoopGroup.singleton.any())
            opened.append(reader)
            try await configure(reader, journal: false)
            let checkpointing = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: logger,
                                                                on: MultiThreadedEventLoopGroup.singleton.any())
            opened.append(checkpointing)
            try await configure(checkpointing, journal: false)
            _ = try await writing.query("PRAGMA wal_autocheckpoint = 0")
            return SQLiteStore(path: path, writer: writing, reader: reader, checkpointing: checkpointing, threads: threads)
        } catch {
            for connection in opened { try? await connection.close() }
            try? await writer?.close()
            try? await threads.shutdownGracefully()
            if let error = error as? SQLiteError { throw StoreError.unavailable("cannot open \(path): \(error.message)") }
            if let error = error as? SQLiteFailure { throw StoreError.unavailable("cannot open \(path): \(error.message)") }
            throw error
        }
    }

    /// `journal`: the writer's connection (it sets the journal mode).
    private static func configure(_ connection: some SQLiteStatements, journal: Bool) async throws {
        if journal { _ = try await connection.query("PRAGMA journal_mode = WAL") }
        _ = try await connection.query("PRAGMA synchronous = FULL")
        // SQLite waits for a lock by sleeping in the calling thread, and SQLiteNIO's calls run
        // on a small thread pool (two threads per store): two connections waiting there
        // for each other's lock would block the pool that the holder needs to finish. So SQLite
        // waits only briefly and `writeTransaction` waits for the write lock asynchronously.
        _ = try await connection.query("PRAGMA busy_timeout = 50")
        _ = try await connection.query("PRAGMA foreign_keys = ON")
        // A batch is a few multi-row statements; each keeps a statement journal so that a
        // failing row undoes only its statement. Kept in memory, not in a temporary file
        // written to disk and thrown away. And the pages a batch of 1,000 changes (rows,
        // indexes, R*Tree, audit) stay in the writer's cache until the commit instead of
        // spilling to the WAL mid-transaction: 32 MiB, SQLite's default being 2 MiB (the
        // readers keep the default: a start reads every incident once).
        _ = try await connection.query("PRAGMA temp_store = MEMORY")
        if journal { _ = try await connection.query("PRAGMA cache_size = -32768") }
    }

    public func close() async throws {
        announcer.finish()
        try await checkpointer.close()
        try await reader.close()
        try await writer.close()
        try await threads.shutdownGracefully()
    }

    /// Runs `body` in one write transaction; BEGIN IMMEDIATE takes the write lock up front so a
    /// second process (an import beside the server) waits instead of failing half-way.
    ///
    /// The transaction runs in a task of its own, which the caller's cancellation does not
    /// reach: SQLiteNIO runs statements through `NIOThreadPool.runIfActive`, which refuses the
    /// work of a cancelled task, and a transaction once begun must still end in its COMMIT or
    /// its ROLLBACK on the one writer connection (a request given up while its batch is stored
    /// in parts is written whole or not at all, see `submit(parts:)`).
    ///
    /// The task runs on the writer's own event loop (`EventLoopTaskExecutor`): on the
    /// cooperative threads, busy reading the batch's next part, it waited milliseconds to start
    /// and again after each statement.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (SQLiteWriter) async throws -> T) async throws -> T {
        try await Task(executorPreference: EventLoopTaskExecutor.writer) { try await self.transaction(body) }.value
    }

    private func transaction<T: Sendable>(_ body: @escaping @Sendable (SQLiteWriter) async throws -> T) async throws -> T {
        try await gate.withLock { [writer, checkpointer] in
            // Another connection or process may hold the write lock: wait for it off the thread
            // pool (see `configure`), for up to 10 s.
            let deadline = ContinuousClock.now + .seconds(10)
            while true {
                do {
                    _ = try await writer.query("BEGIN IMMEDIATE")
                    break
                } catch let error as SQLiteFailure {
                    guard ContinuousClock.now < deadline, error.isBusy else {
                        throw StoreError.unavailable("cannot start a write: \(error.message)")
                    }
                    try await Task.sleep(for: .milliseconds(Int.random(in: 5...25)))
                }
            }
            do {
                let result = try await body(writer)
                _ = try await writer.query("COMMIT")
                checkpointer.committed()
                return result
            } catch {
                _ = try? await writer.query("ROLLBACK")
                if let error = error as? SQLiteFailure { throw StoreError.unavailable(error.message) }
                throw error
            }
        }
    }

    public nonisolated func announcements() -> AsyncStream<Void> { announcer.stream() }

    /// A consistent copy of the whole database while it stays in use (`VACUUM INTO` reads one
    /// snapshot; writers carry on).
    public func backup(to file: String) async throws {
        guard !FileManager.default.fileExists(atPath: file) else {
            throw StoreError.notEmpty("\(file) exists already; choose a new file name")
        }
        _ = try await read("VACUUM INTO ?", [.text(file)])
    }

    /// Puts a backup file in place as the store of `directory`, which must hold none yet.
    public static func restore(backup file: String, into directory: String) throws {
        let target = URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
        guard FileManager.default.fileExists(atPath: file) else { throw StoreError.unavailable("no backup file at \(file)") }
        guard !FileManager.default.fileExists(atPath: target) else {
            throw StoreError.notEmpty("\(target) exists; restore into a new data directory")
        }
        guard let header = FileHandle(forReadingAtPath: file)?.readData(ofLength: 16), header == Data("SQLite format 3\0".utf8) else {
            throw StoreError.corrupt("\(file) is not a SQLite database")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: file, toPath: target)
        } catch {
            throw StoreError.unavailable("cannot write \(target): \(error.localizedDescription)")
        }
    }

    public func migrate() async throws {
        try await writeTransaction { db in
            _ = try await db.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)")
            let applied = Set(try await db.query("SELECT version FROM schema_migrations").compactMap { $0.column("version")?.integer })
            for step in SQLiteMigrations.steps where !applied.contains(step.version) {
                for statement in step.statements { _ = try await db.query(statement) }
                _ = try await db.query(
                    "INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?, ?)",
                    [.integer(step.version), .integer(Int(Timestamp.milliseconds(Date())))]
                )
            }
        }
    }
}
