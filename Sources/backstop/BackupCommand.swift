import ArgumentParser
import BackstopPostgres
import BackstopSQLite
import BackstopStore
import Foundation

/// A consistent copy of a running store: SQLite's `VACUUM INTO` (an online snapshot), or
/// `pg_dump` for PostgreSQL. Either can be taken while the servers keep writing.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Write a consistent backup of the store to a new file.")

    @OptionGroup var dataDirectory: DataDirectoryOption
    @Option(help: "The backup file to write (must not exist).") var to: String

    func run() async throws {
        do {
            if let url = dataDirectory.postgresURL {
                let location = try PostgresLocation.parse(url)
                try PostgresBackup.dump(location, to: to)
            } else {
                let store = try await SQLiteStore.open(directory: dataDirectory.path)
                defer { Task { try? await store.close() } }
                try await store.migrate()
                try await store.backup(to: to)
            }
        } catch let error as StoreError {
            throw CLIError("backup failed: \(error)")
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: to)[.size]) as? NSNumber)?.intValue ?? 0
        print("backed up \(dataDirectory.description) to \(to) (\(size) bytes); restore with: backstop restore --from \(to) \(dataDirectory.postgresURL == nil ? "--data-dir NEW_DIRECTORY" : "--database postgres://.../NEW_DATABASE")")
    }
}

/// Restores a backup into an empty store of the same kind, then counts what it holds.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a backup into an empty data directory or database.")

    @OptionGroup var dataDirectory: DataDirectoryOption
    @Option(help: "The backup file (from backstop backup).") var from: String

    func run() async throws {
        do {
            if let url = dataDirectory.postgresURL {
                try await PostgresBackup.restore(try PostgresLocation.parse(url), from: from)
            } else {
                try SQLiteStore.restore(backup: from, into: dataDirectory.path)
            }
            let store = try await dataDirectory.open()
            let (observations, agreements, tokens) = (try await store.observationCount(), try await store.allAgreementVersions().count, try await store.tokenCount())
            try await store.close()
            print("restored \(from) into \(dataDirectory.description): \(observations) observations, \(agreements) agreement versions, \(tokens) tokens")
        } catch let error as StoreError {
            throw CLIError("restore failed: \(error)")
        }
    }
}
