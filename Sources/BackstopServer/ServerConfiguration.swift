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

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 8 * 1024 * 1024,
                maxBatchSize: Int = 1_000, now: @escaping @Sendable () -> Date = { Date() }) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxBatchSize = maxBatchSize
        self.now = now
    }
}
