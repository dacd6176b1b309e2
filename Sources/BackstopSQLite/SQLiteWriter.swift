import Foundation
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization
import VaporCSQLite

/// The store's one write connection, on SQLite's C API (the library SQLiteNIO bundles), with
/// its statements prepared once and kept.
///
/// SQLiteNIO prepares every statement anew, and a batch's multi-row INSERTs of 200 records
/// (2,400 placeholders) cost it about as much to parse as to run; each statement also went to
/// the thread pool and back on its own. Here a statement is parsed once per connection, and
/// `statements` runs a whole part of a batch (its rows, their R*Tree rows, their audit
/// entries) in one visit to the thread pool.
///
/// Only one caller uses the connection at a time (writers take turns at the store's gate); the
/// mutex makes that a guarantee rather than a convention.
final class SQLiteWriter: SQLiteStatements {
    private let connection: Mutex<WriterConnection>
    private let threads: NIOThreadPool

    private init(connection: WriterConnection, threads: NIOThreadPool) {
        self.connection = Mutex(connection)
        self.threads = threads
    }

    static func open(path: String, threads: NIOThreadPool) async throws -> SQLiteWriter {
        try await threads.runIfActive {
            _ = libraryInitialized
            var handle: OpaquePointer?
            let options = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
            let opened = sqlite_nio_sqlite3_open_v2(path, &handle, options, nil)
            guard opened == SQLITE_OK, let handle else {
                let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0).map { String(cString: $0) } } ?? "code \(opened)"
                sqlite_nio_sqlite3_close(handle)
                throw SQLiteFailure(code: opened, message: "cannot open \(path): \(message)")
            }
            return SQLiteWriter(connection: WriterConnection(handle: handle), threads: threads)
        }
    }

    /// Runs one statement (kept prepared) and answers its rows.
    func query(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteValues] {
        try await statements { try $0.rows(sql, binds) }
    }

    /// Runs `body` on the store's thread pool with the connection: several statements in one
    /// visit.
    func statements<T: Sendable>(_ body: @escaping @Sendable (inout WriterConnection) throws -> T) async throws -> T {
        try await threads.runIfActive {
            try self.connection.withLock { try body(&$0) }
        }
    }

    func close() async throws {
        try await statements { $0.close() }
    }

    /// SQLite's global start-up, once in the process before the first connection: SQLiteNIO
    /// does it under a lock before its own first open, and this one may open first (a static
    /// is initialised once, under Swift's own lock).
    private static let libraryInitialized: Void = {
        _ = sqlite_nio_sqlite3_initialize()
    }()
}

/// What SQLite answered when a statement of the writer failed.
struct SQLiteFailure: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    var description: String { message }
    /// Another connection (another process) holds the lock.
    var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
}

/// The writer's handle and its prepared statements; used only inside `SQLiteWriter.statements`.
struct WriterConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var prepared: [String: OpaquePointer] = [:]
    /// Statements kept at most: those built for a varying number of rows come in a few sizes.
    private static let preparedLimit = 256

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    /// Runs `sql` with `binds`; answers how many rows it changed.
    @discardableResult
    mutating func execute(_ sql: String, _ binds: [SQLiteData]) throws -> Int {
        let statement = try self.statement(sql)
        defer { reset(statement) }
        try bind(binds, to: statement)
        while try step(statement) {}
        return Int(sqlite_nio_sqlite3_changes(handle))
    }

    /// Runs `sql` with `binds` and answers every row it returns.
    mutating func rows(_ sql: String, _ binds: [SQLiteData]) throws -> [SQLiteValues] {
        let statement = try self.statement(sql)
        defer { reset(statement) }
        try bind(binds, to: statement)
        let count = sqlite_nio_sqlite3_column_count(statement)
        let names = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
        var rows: [SQLiteValues] = []
        while try step(statement) {
            rows.append(SQLiteValues(names: names, values: try (0..<count).map { try value(statement, $0) }))
        }
        return rows
    }

    mutating func close() {
        for statement in prepared.values { sqlite_nio_sqlite3_finalize(statement) }
        prepared = [:]
        sqlite_nio_sqlite3_close(handle)
        handle = nil
    }

    private mutating func statement(_ sql: String) throws -> OpaquePointer {
        if let statement = prepared[sql] { return statement }
        guard handle != nil else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the store is closed") }
        var statement: OpaquePointer?
        let result = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard result == SQLITE_OK, let statement else { throw failure(result) }
        if prepared.count >= Self.preparedLimit {
            for kept in prepared.values { sqlite_nio_sqlite3_finalize(kept) }
            prepared = [:]
        }
        prepared[sql] = statement
        return statement
    }

    private func bind(_ binds: [SQLiteData], to statement: OpaquePointer) throws {
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch value {
            case .integer(let integer):
                result = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
            case .float(let double):
                result = sqlite_nio_sqlite3_bind_double(statement, index, double)
            case .text(let text):
                // Through `withCString`, which lends a native string's own bytes: passing the
                // String itself copied it into a new array first (SQLite copies it anyway).
                result = text.withCString { sqlite_nio_sqlite3_bind_text64(statement, index, $0, UInt64(text.utf8.count), transient, UInt8(SQLITE_UTF8)) }
            case .blob(let buffer):
                result = buffer.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
                }
            case .null:
                result = sqlite_nio_sqlite3_bind_null(statement, index)
            }
            guard result == SQLITE_OK else { throw failure(result) }
        }
    }

    /// True while the statement has a row to read.
    private func step(_ statement: OpaquePointer) throws -> Bool {
        switch sqlite_nio_sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let result: throw failure(result)
        }
    }

    private func reset(_ statement: OpaquePointer) {
        sqlite_nio_sqlite3_reset(statement)
        sqlite_nio_sqlite3_clear_bindings(statement)
    }

    private func value(_ statement: OpaquePointer, _ column: Int32) throws -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }

    /// The failure `code` reports, with the connection's message and extended code when they
    /// are about it (some failures, a misuse among them, leave the connection's last error as it
    /// was: then SQLite's text for the code itself).
    private func failure(_ code: Int32) -> SQLiteFailure {
        let latest = sqlite_nio_sqlite3_extended_errcode(handle)
        guard latest & 0xff == code & 0xff, let message = sqlite_nio_sqlite3_errmsg(handle) else {
            return SQLiteFailure(code: code, message: sqlite_nio_sqlite3_errstr(code).map { String(cString: $0) } ?? "SQLite error \(code)")
        }
        return SQLiteFailure(code: latest, message: String(cString: message))
    }
}

/// SQLite copies a bound value at once (`SQLITE_TRANSIENT`): the Swift string it came from may
/// go away before the statement runs.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A row read by the writer, read like SQLiteNIO's rows: a column by name.
struct SQLiteValues: SQLiteColumns, Sendable {
    let names: [String]
    let values: [SQLiteData]

    func column(_ name: String) -> SQLiteData? {
        names.firstIndex(of: name).map { values[$0] }
    }
}

/// A row, from the writer or from SQLiteNIO's reader.
protocol SQLiteColumns {
    func column(_ name: String) -> SQLiteData?
}

extension SQLiteRow: SQLiteColumns {}

/// A connection statements run on: the writer (in a write transaction) or SQLiteNIO's reader.
protocol SQLiteStatements: Sendable {
    associatedtype Row: SQLiteColumns & Sendable
    func query(_ sql: String, _ binds: [SQLiteData]) async throws -> [Row]
}

extension SQLiteStatements {
    func query(_ sql: String) async throws -> [Row] {
        try await query(sql, [])
    }
}

extension SQLiteConnection: SQLiteStatements {}
