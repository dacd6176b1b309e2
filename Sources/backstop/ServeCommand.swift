import ArgumentParser
import BackstopCore
import BackstopData
import BackstopServer
import BackstopSQLite
import BackstopStore
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP server.")

    @OptionGroup var dataDirectory: DataDirectoryOption

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one and prints it).")
    var port = 8080

    @Flag(help: "On an empty store, add demo observations along the sample contact line.")
    var demo = false

    @Option(help: "This node's name among several on one database (default: host name and process id).")
    var nodeName: String?

    @Option(help: "Seconds a node holds background work without renewing it; another node takes over this long after it dies.")
    var leaseSeconds: Double = 15

    @Option(help: "Seconds a connection may stay idle (between requests, or with its request head unfinished) before it is closed.")
    var idleTimeout: Double = 30

    @Option(help: "Seconds a request's body may take to arrive, from its head; a slower one is given up and the connection closed.")
    var bodyTimeout: Double = 60

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "The public view's place: the centre of a grid cell this many degrees wide (0.05 is about 5 km).")
    var publicGridDegrees = 0.05

    @Flag(help: "The public view names the nearest settlement within 10 km (\"near <settlement>\") instead of a grid cell.")
    var publicNearSettlement = false

    @Option(help: "Hours after an incident ends before the public sees it.")
    var publicEmbargoHours = 24.0

    @Option(help: "Sign a checkpoint of the audit log's head every N entries (0: only `backstop audit checkpoint`).")
    var checkpointEvery = 1_000

    @Option(help: "The mission's audit signing key (created, mode 600, if missing). Default: audit-signing-key in the data directory; with --database, checkpoints are signed only when this is given.")
    var auditKey: String?

    @Option(help: "Seconds before each webhook delivery attempt, comma-separated (default: Standard Webhooks' schedule, 0,5,300,1800,7200,18000,36000,50400,72000,86400); after the last the delivery is dead.")
    var retrySchedule: String?

    @Option(help: "The mission's time zone (an IANA name): the daily report's times and its reporting time are in it.")
    var missionTimeZone = "Europe/Kyiv"

    @Option(help: "The daily report's reporting time, HH:MM in mission time: a report covers the 24 hours to it and is drafted when it passes.")
    var reportTime = "19:30"

    @Flag(help: "Do not draft the day's report on the schedule (reports are then drafted on demand only).")
    var noScheduledReports = false

    @Option(help: "How many hours a web console session lasts after sign-in.")
    var sessionHours = 12.0

    /// `HH:MM` as hour and minute, nil when it is not a time of day.
    static func timeOfDay(_ text: String) -> (hour: Int, minute: Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        return (hour, minute)
    }

    func validate() throws {
        guard TimeZone(identifier: missionTimeZone) != nil else {
            throw ValidationError("--mission-time-zone must be an IANA time zone such as Europe/Kyiv or Africa/Cairo (got '\(missionTimeZone)')")
        }
        guard sessionHours > 0, sessionHours <= 24 * 30 else { throw ValidationError("--session-hours must be above 0 and at most 720 (got \(sessionHours))") }
        guard Self.timeOfDay(reportTime) != nil else { throw ValidationError("--report-time must be HH:MM, such as 19:30 (got '\(reportTime)')") }
        if let retrySchedule, RetrySchedule(parsing: retrySchedule) == nil {
            throw ValidationError("--retry-schedule must be seconds separated by commas, each from 0 to 604800, such as 0,1,2,5 (got '\(retrySchedule)')")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535 (got \(port))") }
        guard !host.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--host must not be empty") }
        guard leaseSeconds >= 1, leaseSeconds <= 3600 else { throw ValidationError("--lease-seconds must be between 1 and 3600 (got \(leaseSeconds))") }
        if let nodeName, nodeName.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--node-name must not be empty") }
        guard idleTimeout >= 0.1, idleTimeout <= 3600 else { throw ValidationError("--idle-timeout must be between 0.1 and 3600 seconds (got \(idleTimeout))") }
        guard bodyTimeout >= 0.1, bodyTimeout <= 3600 else { throw ValidationError("--body-timeout must be between 0.1 and 3600 seconds (got \(bodyTimeout))") }
        guard publicGridDegrees >= 0.001, publicGridDegrees <= 10 else { throw ValidationError("--public-grid-degrees must be between 0.001 and 10 (got \(publicGridDegrees))") }
        guard publicEmbargoHours >= 0, publicEmbargoHours <= 8_760 else { throw ValidationError("--public-embargo-hours must be between 0 and 8760 (got \(publicEmbargoHours))") }
        guard (0...100_000_000).contains(checkpointEvery) else { throw ValidationError("--checkpoint-every must be between 0 and 100000000 (got \(checkpointEvery))") }
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of: trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "backstop")

        let store = try await dataDirectory.open()
        let report = try await FirstStart.prepare(store: store, now: Date(), demo: demo)
        if !report.loadedAgreements.isEmpty {
            say("Loaded sample agreements: \(report.loadedAgreements.joined(separator: ", "))")
        }
        if !report.loadedPolicies.isEmpty {
            say("Loaded sample escalation policies: \(report.loadedPolicies.joined(separator: ", "))")
        }
        if let token = report.adminToken {
            try? FileManager.default.createDirectory(atPath: dataDirectory.path, withIntermediateDirectories: true)
            let tokenFile = URL(fileURLWithPath: dataDirectory.path).appendingPathComponent("admin-token")
            FileManager.default.createFile(atPath: tokenFile.path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
            say("Admin token (shown once; also saved to \(tokenFile.path)):\n  \(token)")
        }
        if report.demoObservations > 0 { say("Added \(report.demoObservations) demo observations.") }

        // Parse the gazetteer before accepting traffic, not on the first submission.
        _ = try BundledGazetteer.load()
        var configuration = ServerConfiguration(host: host, port: port, leaseSeconds: leaseSeconds,
                                                idleTimeout: .milliseconds(Int(idleTimeout * 1000)),
                                                bodyTimeout: .milliseconds(Int(bodyTimeout * 1000)))
        if let nodeName { configuration.nodeName = nodeName }
        configuration.checkpointEvery = checkpointEvery
        let reportTime = Self.timeOfDay(reportTime)!
        configuration.reports = ReportSettings(timeZone: TimeZone(identifier: missionTimeZone)!, hour: reportTime.hour, minute: reportTime.minute,
                                               draftsOnSchedule: !noScheduledReports)
        configuration.sessionLifetime = sessionHours * 3600
        if let retrySchedule { configuration.retrySchedule = RetrySchedule(parsing: retrySchedule)! }
        configuration.publicRedaction = PublicRedaction(
            place: publicNearSettlement ? .nearestSettlement(withinMetres: 10_000, fallbackDegrees: publicGridDegrees) : .grid(degrees: publicGridDegrees),
            embargo: publicEmbargoHours * 3600)
        if publicNearSettlement { configuration.publicSettlements = SettlementIndex(try BundledGazetteer.load()) }
        let keyFile = auditKey ?? (dataDirectory.postgresURL == nil
            ? URL(fileURLWithPath: dataDirectory.path).appendingPathComponent("audit-signing-key").path : nil)
        if checkpointEvery > 0, let keyFile {
            configuration.auditSigner = AuditSigner(key: try AuditCommand.Checkpoint.loadOrCreateKey(at: keyFile))
        }
        let node = configuration.nodeName
        let app = buildApplication(store: store, configuration: configuration, registry: registry, logger: logger) { channel in
            let port = channel.localAddress?.port ?? port
            say("backstop listening on http://\(host):\(port) (node \(node), data in \(dataDirectory.description))")
        }
        // SIGTERM: stop accepting, finish requests in flight, stop background work and release
        // its lease; whatever is still running after the bound is cancelled.
        var groupConfiguration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(7)
        groupConfiguration.maximumCancellationDuration = .seconds(1)
        try await ServiceGroup(configuration: groupConfiguration).run()
        try await store.close()
    }
}

/// Writes a line to standard output at once: a supervisor (or a test) waits for these lines.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
