import BackstopStore
import Foundation

/// Where the PostgreSQL store lives, from a `postgres://user:password@host:port/database` URL.
/// Query parameters: `schema` (default `public`; several missions or test runs can share one
/// database), `sslmode` (`disable`, `prefer`, `require`; default `prefer`, `disable` on
/// loopback) and `host` (a Unix socket directory, as libpq takes it).
public struct PostgresLocation: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var socketDirectory: String?
    public var username: String
    public var password: String?
    public var database: String
    public var schema: String
    public var sslMode: String

    public static func parse(_ text: String) throws -> PostgresLocation {
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw StoreError.unavailable("the database URL must look like postgres://user@host:port/database (got \(text))")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let unknown = Set(query.keys).subtracting(["schema", "sslmode", "host"])
        guard unknown.isEmpty else {
            throw StoreError.unavailable("unknown database URL parameter \(unknown.sorted().joined(separator: ", ")); known: schema, sslmode, host")
        }
        let host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw StoreError.unavailable("the database URL names no database (postgres://user@host:port/DATABASE)") }
        let schema = query["schema"] ?? "public"
        guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw StoreError.unavailable("schema must be lower-case letters, digits and underscores (got \(schema))")
        }
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(host)
        let sslMode = query["sslmode"] ?? (loopback ? "disable" : "prefer")
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw StoreError.unavailable("sslmode must be disable, prefer or require (got \(sslMode))")
        }
        return PostgresLocation(
            host: host, port: url.port ?? 5432, socketDirectory: query["host"].flatMap { $0.isEmpty ? nil : $0 },
            username: url.user ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres",
            password: url.password, database: database, schema: schema, sslMode: sslMode
        )
    }

    /// The URL without the password, for logs and messages.
    public var redacted: String {
        "postgres://\(username)@\(host):\(port)/\(database)?schema=\(schema)"
    }

    /// The environment libpq's tools (pg_dump, pg_restore, psql) read.
    public var libpqEnvironment: [String: String] {
        var environment = ["PGHOST": socketDirectory ?? host, "PGPORT": String(port), "PGUSER": username, "PGDATABASE": database,
                           "PGSSLMODE": sslMode]
        if let password { environment["PGPASSWORD"] = password }
        return environment
    }
}
