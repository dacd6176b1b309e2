import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The databases test.sh starts (see scripts/test-postgres.sh). In CI they must be there: a
/// PostgreSQL test that cannot run fails instead of being skipped.
enum TestPostgres {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let url = ProcessInfo.processInfo.environment["BACKSTOP_TEST_POSTGRES_URL"]
    static let restartURL = ProcessInfo.processInfo.environment["BACKSTOP_TEST_RESTART_POSTGRES_URL"]
    static let restartControl = ProcessInfo.processInfo.environment["BACKSTOP_TEST_RESTART_PG_CTL"]

    static var available: Bool { url != nil || isCI }
    static var restartAvailable: Bool { (restartURL != nil && restartControl != nil) || isCI }

    struct Missing: Error, CustomStringConvertible {
        let variable: String
        var description: String { "\(variable) is not set: run ./scripts/test.sh, which starts a throwaway PostgreSQL" }
    }

    /// A schema of its own in the test database, so runs never see each other's rows.
    static func freshSchema(of base: String? = url, variable: String = "BACKSTOP_TEST_POSTGRES_URL") throws -> String {
        guard let base else { throw Missing(variable: variable) }
        let schema = "p_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    /// Runs a shell command line (pg_ctl as test.sh wrote it) and waits for it, off the
    /// cooperative threads. posix_spawn rather than Foundation's Process: `pg_ctl start` leaves
    /// a server running behind it, and Process on Linux then never saw the shell exit.
    static func shell(_ command: String) async throws -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var pid: pid_t = 0
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
                let words: [String] = ["/bin/sh", "-c", command]
                let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) }
                defer { arguments.forEach { free($0) } }
                let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, arguments + [nil], environ)
                posix_spawn_file_actions_destroy(&actions)
                guard spawned == 0 else { return continuation.resume(returning: -1) }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: (status >> 8) & 0xff)
            }
        }
    }
}
