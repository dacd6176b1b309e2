import Foundation

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

    /// Runs a shell command line (pg_ctl as test.sh wrote it), off the cooperative threads.
    static func shell(_ command: String) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/bin/sh")
                    process.arguments = ["-c", command]
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    process.waitUntilExit()
                    return process.terminationStatus
                })
            }
        }
    }
}
