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

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 8 * 1024 * 1024,
                maxBatchSize: Int = 1_000, now: @escaping @Sendable () -> Date = { Date() },
                nodeName: String = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)",
                leaseSeconds: Double = 15, followInterval: Duration = .seconds(2)) {
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
