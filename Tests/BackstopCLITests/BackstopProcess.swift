import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Every test that starts `backstop` processes runs one at a time: a child started while
/// another test's pipes are open can inherit them and hold them open, and a hang must end as
/// a failure, not as a stuck CI run.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ProcessTests {}

/// Runs the real `backstop` executable that `swift build` put beside the test bundle.
enum BackstopProcess {
    static var executable: URL {
        if let override = ProcessInfo.processInfo.environment["BACKSTOP_BINARY"] { return URL(fileURLWithPath: override) }
        let candidates = [Bundle.main.executableURL, Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])]
            .compactMap { $0?.deletingLastPathComponent().appendingPathComponent("backstop") }
        for product in [Bundle.main.bundleURL] + candidates.map({ $0.deletingLastPathComponent() }) {
            var directory = product
            for _ in 0..<3 {
                let binary = directory.appendingPathComponent("backstop")
                if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
                directory = directory.deletingLastPathComponent()
            }
        }
        return candidates[0]
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a command to completion, off Swift's cooperative threads (it blocks while waiting).
    static func run(_ arguments: [String]) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("backstop-cli-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A `backstop serve` process on a free port.
final class RunningServer: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var output = ""
    private(set) var baseURL: URL?

    init(dataDirectory: String, arguments: [String] = []) throws {
        process.executableURL = BackstopProcess.executable
        process.arguments = ["serve", "--data-dir", dataDirectory, "--port", "0", "--log-level", "warning"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.output += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    var printed: String { lock.withLock { output } }

    /// Waits until the server prints its address; fails if it exits first.
    func waitUntilListening(deadline: Date = Date().addingTimeInterval(120)) async throws -> URL {
        while Date() < deadline {
            if let range = printed.range(of: #"listening on (http://[0-9.]+:[0-9]+)"#, options: .regularExpression) {
                let text = String(printed[range]).replacingOccurrences(of: "listening on ", with: "")
                baseURL = URL(string: text)
                return baseURL!
            }
            guard process.isRunning else { throw ServerError("the server exited early: \(printed)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerError("the server did not start: \(printed)")
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, and a failed expectation (then SIGKILL) if the server has not shut down
    /// within 20 s: a stuck shutdown is a bug to see, not a test run to hang.
    func stop() {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            Issue.record("the server did not shut down within 20 s of SIGTERM")
            Foundation.kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

enum HTTP {
    static func send(_ method: String, _ url: URL, token: String?, body: Data? = nil) async throws -> (status: Int, body: Data) {
        let (status, body, _) = try await exchange(method, url, token: token, body: body)
        return (status, body)
    }

    static func exchange(_ method: String, _ url: URL, token: String?, body: Data? = nil) async throws -> (status: Int, body: Data, headers: [String: String]) {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 30
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        let headers = (http?.allHeaderFields ?? [:]).reduce(into: [String: String]()) { $0["\($1.key)".lowercased()] = "\($1.value)" }
        return (http?.statusCode ?? 0, data, headers)
    }
}
