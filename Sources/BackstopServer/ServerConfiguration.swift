import BackstopCore
import BackstopStore
import Foundation

public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Bodies larger than this are refused with 413.
    public var maxBodyBytes: Int
    /// Observations one batch may carry.
    public var maxBatchSize: Int
    /// The server's clock; tests inject a fixed one.
    public var now: @Sendable () -> Date
    /// This process's name among the nodes on one database (host and process id by default).
    public var nodeName: String
    /// How long a node holds background work without renewing it; another node takes the work
    /// over this long after the holder dies.
    public var leaseSeconds: Double
    /// How often a node checks the store for other nodes' commits when no announcement came.
    public var followInterval: Duration
    /// A connection on which nothing arrives for this long is closed: a keep-alive connection
    /// between requests, or one whose request head is still incomplete.
    public var idleTimeout: Duration
    /// From a request's head to the end of its body; a slower body is given up and the
    /// connection closed.
    public var bodyTimeout: Duration
    /// When an answer goes out before its request's body was read (401, 404, 413…), up to
    /// this many bytes of the rest are read and discarded so the client reads the answer;
    /// then the connection is closed.
    public var drainBytes: Int
    /// How long the rest of such a body may take to arrive before the connection is closed.
    public var drainTimeout: Duration
    /// How long a read of incidents waits for fusion before answering from the last
    /// consistent state (see `Backstop-Incidents-Behind`).
    public var incidentsReadWait: Duration
    /// How the public view of an incident is coarsened, and the embargo before it is shown.
    public var publicRedaction = PublicRedaction()
    /// Settlements for "near <settlement>" places; needed only for that form of redaction.
    public var publicSettlements: SettlementIndex?
    /// Signs a checkpoint of the audit log's head every `checkpointEvery` entries (none
    /// without a signer).
    public var auditSigner: AuditSigner?
    public var checkpointEvery = 1_000
    /// How often escalation looks at new findings, the clock (levels falling, deadlines) and
    /// the outbox.
    public var escalationInterval: Duration = .seconds(1)
    public var deliveryInterval: Duration = .milliseconds(500)
    /// When failed webhook deliveries are tried again (Standard Webhooks' schedule by default).
    public var retrySchedule = RetrySchedule.standard
    /// Observations an export reads from the store at a time.
    public var exportPageSize = ObservationQuery.maximumLimit
    /// The daily report's time basis and its schedule.
    public var reports = ReportSettings()
    /// How long a console session lasts after sign-in.
    public var sessionLifetime: TimeInterval = 12 * 3600

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 8 * 1024 * 1024,
                maxBatchSize: Int = 1_000, now: @escaping @Sendable () -> Date = { Date() },
                nodeName: String = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)",
                leaseSeconds: Double = 15, followInterval: Duration = .seconds(2),
                idleTimeout: Duration = .seconds(30), bodyTimeout: Duration = .seconds(60),
                drainBytes: Int = 16 * 1024 * 1024, drainTimeout: Duration = .seconds(5),
                incidentsReadWait: Duration = .seconds(10)) {
        self.drainTimeout = drainTimeout
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.drainBytes = drainBytes
        self.incidentsReadWait = incidentsReadWait
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxBatchSize = maxBatchSize
        self.now = now
        self.nodeName = nodeName
        self.leaseSeconds = leaseSeconds
        self.followInterval = followInterval
    }
}

/// When the daily report is due and in which time zone it speaks: by default the 24 hours
/// ending at 19:30 mission time, drafted on that schedule by one node.
public struct ReportSettings: Sendable {
    public var timeZone: TimeZone
    public var hour: Int
    public var minute: Int
    /// Whether this node drafts the day's report when it is due (one node does, by a lease).
    public var draftsOnSchedule: Bool
    /// How often the schedule looks whether a report is due.
    public var interval: Duration

    public init(timeZone: TimeZone = TimeZone(identifier: "Europe/Kyiv") ?? .gmt, hour: Int = 19, minute: Int = 30,
                draftsOnSchedule: Bool = true, interval: Duration = .seconds(60)) {
        self.timeZone = timeZone
        self.hour = hour
        self.minute = minute
        self.draftsOnSchedule = draftsOnSchedule
        self.interval = interval
    }

    public var calendar: ReportCalendar { ReportCalendar(timeZone: timeZone) }

    /// The period a report drafted at `now` covers by default.
    public func defaultPeriod(before now: Date) -> ReportPeriod {
        ReportPeriod.daily(before: now, hour: hour, minute: minute, timeZone: timeZone)
    }

    /// The `count` daily periods up to the last reporting time before `now`, oldest first (a
    /// day with a clock change lasts 23 or 25 hours, as its report does).
    public func dailyPeriods(_ count: Int, before now: Date) -> [ReportPeriod] {
        var periods = [defaultPeriod(before: now)]
        while periods.count < count {
            periods.append(ReportPeriod.daily(before: periods.last!.start, hour: hour, minute: minute, timeZone: timeZone))
        }
        return periods.reversed()
    }
}
