import Foundation
import Logging

/// Prints a page to PDF with headless Chromium (Debian's `chromium`, installed by the project's
/// scripts): the same HTML a browser shows, paginated by the page's print CSS (page numbers in
/// the margin, table headers repeated on each page). One print at a time: each is a browser
/// process, and the machine has two cores. Chromium is told to resolve no host, so a page can
/// load nothing from anywhere.
actor PDFPrinter {
    enum Failure: Error, CustomStringConvertible {
        case noBrowser
        case failed(String)
        case timedOut

        var description: String {
            switch self {
            case .noBrowser: "no Chromium to print with (install Debian's chromium, or set BACKSTOP_CHROMIUM to its path)"
            case .failed(let reason): "Chromium did not print the page (\(reason)); the server's log says why"
            case .timedOut: "Chromium did not print the page within its time"
            }
        }
    }

    static let shared = PDFPrinter()
    let timeout: Duration = .seconds(90)
    private let logger = Logger(label: "backstop.pdf")

    /// The browser: BACKSTOP_CHROMIUM, else the first of Debian's names found on PATH.
    nonisolated static func browser() -> String? {
        if let configured = ProcessInfo.processInfo.environment["BACKSTOP_CHROMIUM"], !configured.isEmpty { return configured }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in path + ["/usr/bin"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") { return "\(folder)/\(name)" }
        }
        return nil
    }

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Prints one page at a time: each print is a browser process, and the machine has two cores.
    func print(html: String) async throws -> Data {
        while busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        return try await printNow(html: html)
    }

    private func printNow(html: String) async throws -> Data {
        guard let browser = Self.browser() else { throw Failure.noBrowser }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backstop-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("report.html"), output = folder.appendingPathComponent("report.pdf")
        try Data(html.utf8).write(to: page)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
            "--no-pdf-header-footer", "--print-to-pdf=\(output.path)", page.absoluteString,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = folder.path
        process.environment = environment
        // To a file, not a pipe: a browser that logs much would fill a pipe and wait for ever.
        let log = folder.appendingPathComponent("chromium.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let errors = try FileHandle(forWritingTo: log)
        defer { try? errors.close() }
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished.continuation.yield($0.terminationStatus); finished.continuation.finish() }
        do {
            try process.run()
        } catch {
            logger.warning("chromium could not be started", metadata: ["browser": "\(browser)", "error": "\(error)"])
            throw Failure.failed("it could not be started")
        }
        // The browser never outlives the print: a timeout or a caller gone (cancellation) kills it.
        let status = await withTaskCancellationHandler {
            await withTaskGroup(of: Int32?.self) { group in
                group.addTask { for await status in finished.stream { return status }; return nil }
                group.addTask { [timeout] in try? await Task.sleep(for: timeout); return nil }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
        } onCancel: {
            kill(process.processIdentifier, SIGKILL)
        }
        guard let status else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw Task.isCancelled ? CancellationError() : Failure.timedOut
        }
        let message = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0, let pdf = try? Data(contentsOf: output), pdf.starts(with: Data("%PDF".utf8)) else {
            logger.warning("chromium failed", metadata: ["status": "\(status)", "stderr": "\(message.suffix(2_000))"])
            throw Failure.failed("exit \(status)")
        }
        return pdf
    }
}

/// PDFs of published versions, which never change: printed once per version and edition, kept
/// for the next reader (the newest few; a draft is printed anew each time).
actor PublishedPDFs {
    private var kept: [String: Data] = [:]
    private var order: [String] = []
    private var printing: [String: Task<Data, any Error>] = [:]
    let capacity = 32

    /// The kept PDF, or the print under way for it (readers arriving meanwhile share it), or a new print.
    func pdf(for key: String, print: @escaping @Sendable () async throws -> Data) async throws -> Data {
        if let pdf = kept[key] { return pdf }
        if let running = printing[key] { return try await running.value }
        let task = Task { try await print() }
        printing[key] = task
        defer { printing[key] = nil }
        let pdf = try await task.value
        if kept[key] == nil {
            kept[key] = pdf
            order.append(key)
            if order.count > capacity { kept[order.removeFirst()] = nil }
        }
        return pdf
    }
}

