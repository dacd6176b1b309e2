import ArgumentParser
import BackstopPostgres
import BackstopSQLite
import BackstopStore
import Foundation

@main
struct Backstop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backstop",
        abstract: "Ceasefire monitoring: observations, incidents and agreements.",
        subcommands: [ServeCommand.self, BackupCommand.self, RestoreCommand.self, MigrateStoreCommand.self, AgreementCommand.self, PolicyCommand.self, SensorCommand.self, TokenCommand.self, AuditCommand.self, ImportCommand.self, GeoCommand.self, SimulateCommand.self, EvaluateCommand.self, BenchCommand.self]
    )
}

/// Where the embedded store lives; shared by every command that opens it.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory of the embedded SQLite store.")
    var path: String = "./backstop-data"

    @Option(name: .customLong("database"),
            help: "A PostgreSQL database instead of the embedded store: postgres://user[:password]@host:port/database[?schema=NAME]. Also read from BACKSTOP_DATABASE_URL.")
    var databaseURL: String?

    var postgresURL: String? { databaseURL ?? ProcessInfo.processInfo.environment["BACKSTOP_DATABASE_URL"] }

    /// The store these options name, migrated and ready.
    func open() async throws -> any BackstopStore {
        try await StoreLocation(postgresURL ?? path).open()
    }

    /// Opens the store, runs `body` with it and closes it, also when `body` throws.
    func withStore<T>(_ body: (any BackstopStore) async throws -> T) async throws -> T {
        let store = try await open()
        let result: T
        do { result = try await body(store) } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        return result
    }

    /// Where the store is, for messages (never with a password).
    var description: String {
        if let url = postgresURL { return (try? PostgresLocation.parse(url).redacted) ?? url }
        return path
    }
}
