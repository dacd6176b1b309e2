import ArgumentParser
import BackstopCore
import BackstopSQLite
import BackstopStore
import Foundation

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self, Revoke.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a bearer token and print it once; only its hash is stored.")

        @OptionGroup var dataDirectory: DataDirectoryOption

        @Option(help: "One of: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
        var role: String

        @Option(help: "Who holds the token; observations they file name this reporter.")
        var name: String

        @Option(help: "Patrol team (monitors see their team's observations).")
        var team: String?

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role '\(role)' is not a role; expected one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 200 else {
                throw ValidationError("--name must be 1 to 200 characters")
            }
            if team != nil, role != Role.monitor.rawValue {
                throw ValidationError("--team is for monitors (patrol teams); a \(role) sees only its own records")
            }
        }

        func run() async throws {
            let store = try await dataDirectory.open()
            let token = AccessTokens.generate()
            let identity = Identity(name: name, role: Role(rawValue: role)!, team: team)
            do {
                try await store.insertToken(AccessTokenRecord(hash: AccessTokens.hash(token), identity: identity, createdAt: Date()))
            } catch StoreError.duplicateToken {
                try await store.close()
                throw CLIError("a token named '\(name)' exists already; names identify reporters, so choose another --name")
            }
            try await store.close()
            print(token)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by its name: every node refuses it from the next request on. Audited.")

        @OptionGroup var dataDirectory: DataDirectoryOption

        @Argument(help: "The token's name.")
        var name: String

        func run() async throws {
            let revoked = try await dataDirectory.withStore { try await $0.revokeToken(name: name, by: "command-line", at: Date()) }
            guard let revoked else { throw CLIError("no token is named '\(name)'") }
            print("token '\(name)' (\(revoked.identity.role.rawValue)) revoked at \(Timestamp.format(revoked.revokedAt!))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens: name, role, team, created, revoked (never secrets).")

        @OptionGroup var dataDirectory: DataDirectoryOption

        func run() async throws {
            let tokens = try await dataDirectory.withStore { try await $0.allTokens() }
            for token in tokens {
                let revoked = token.revokedAt.map { "revoked \(Timestamp.format($0))" } ?? "active"
                print([token.identity.name, token.identity.role.rawValue, token.identity.team ?? "-", Timestamp.format(token.createdAt), revoked]
                    .joined(separator: "\t"))
            }
        }
    }
}
