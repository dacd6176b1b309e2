import ArgumentParser
import BackstopPostgres
import BackstopSQLite
import BackstopStore
import Foundation

/// A store named on the command line: a SQLite data directory, or a PostgreSQL URL.
struct StoreLocation: ExpressibleByArgument, CustomStringConvertible {
    enum Kind {
        case sqlite(directory: String)
        case postgres(url: String)
    }

    let kind: Kind

    init(_ text: String) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            kind = .postgres(url: text)
        } else {
            kind = .sqlite(directory: text.hasPrefix("sqlite:") ? String(text.dropFirst("sqlite:".count)) : text)
        }
    }

    init?(argument: String) {
        guard !argument.isEmpty else { return nil }
        self.init(argument)
    }

    var description: String {
        switch kind {
        case .sqlite(let directory): "SQLite in \(directory)"
        case .postgres(let url): "PostgreSQL at " + ((try? PostgresLocation.parse(url).redacted) ?? url)
        }
    }

    func open() async throws -> any BackstopStore {
        let store: any BackstopStore = switch kind {
        case .sqlite(let directory): try await SQLiteStore.open(directory: directory)
        case .postgres(let url): try PostgresStore.open(url: url)
        }
        do {
            try await store.migrate()
        } catch {
            try? await store.close()
            throw error
        }
        return store
    }
}
