import BackstopStore
import Foundation
import PostgresNIO
import Synchronization

/// Backups of a PostgreSQL store with PostgreSQL's own tools: `pg_dump` in its custom format
/// (one consistent snapshot while the nodes keep writing) and `pg_restore` into a schema that
/// holds no Backstop tables yet.
public enum PostgresBackup {
    public static func dump(_ location: PostgresLocation, to file: String) throws {
        guard !FileManager.default.fileExists(atPath: file) else {
            throw StoreError.notEmpty("\(file) exists already; choose a new file name")
        }
        try run("pg_dump", ["--format=custom", "--no-owner", "--schema=\(location.schema)", "--file=\(file)"], location)
    }

    public static func restore(_ location: PostgresLocation, from file: String) async throws {
        guard FileManager.default.fileExists(atPath: file) else { throw StoreError.unavailable("no backup file at \(file)") }
        let store = try PostgresStore.open(url: location.url)
        do {
            try await store.prepareForRestore()
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
        // The schema `public` exists in every database already (PostGIS lives there): leave its
        // creation and comment out of the restore.
        let contents = try run("pg_restore", ["--list", file], location)
        let kept = contents.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains(" SCHEMA - public ") && !$0.contains(" COMMENT - SCHEMA public ") }
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("backstop-restore-\(UUID().uuidString).list").path
        guard FileManager.default.createFile(atPath: list, contents: Data(kept.joined(separator: "\n").utf8)) else {
            throw StoreError.unavailable("cannot write the restore list \(list)")
        }
        defer { try? FileManager.default.removeItem(atPath: list) }
        try run("pg_restore", ["--no-owner", "--exit-on-error", "--single-transaction", "--use-list=\(list)", "--dbname=\(location.database)", file], location)
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String], _ location: PostgresLocation) throws -> String {
        let process = Process()
        let candidates = ["/usr/lib/postgresql/15/bin/\(tool)", "/usr/bin/\(tool)"]
        guard let path = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw StoreError.unavailable("\(tool) is not installed (Debian: apt-get install postgresql-client-15)")
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(location.libpqEnvironment) { _, new in new }
        let (output, errors) = (Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes at once, or a full one would stall the tool.
        let printed = Mutex(Data())
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            printed.withLock { $0 = data }
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw StoreError.unavailable("\(tool) failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        reading.wait()
        return String(decoding: printed.withLock { $0 }, as: UTF8.self)
    }
}

extension PostgresStore {
    /// Makes sure PostGIS is there and the schema holds no Backstop tables, so a restore
    /// neither fails half-way nor mixes two missions' records.
    func prepareForRestore() async throws {
        try await transaction("prepare restore") { [logger, location] connection in
            try await connection.query("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public", logger: logger)
            let tables = try await connection.query(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = \(location.schema) AND table_name IN ('observations', 'schema_migrations')",
                logger: logger).collect()
            if try tables.first?.decode(Int.self) ?? 0 > 0 {
                throw StoreError.notEmpty("schema \(location.schema) of \(location.database) holds Backstop tables already; the backup recreates schema \(location.schema), so restore into a new database")
            }
        }
    }
}

extension PostgresLocation {
    /// The location as a URL again (with the password, for opening a store).
    var url: String {
        var text = "postgres://\(username)"
        if let password { text += ":" + (password.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed) ?? password) }
        text += "@\(host):\(port)/\(database)?schema=\(schema)&sslmode=\(sslMode)"
        if let socketDirectory { text += "&host=\(socketDirectory)" }
        return text
    }
}
