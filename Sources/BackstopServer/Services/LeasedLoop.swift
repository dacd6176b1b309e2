import BackstopStore
import Logging
import ServiceLifecycle

/// The loop of work done on one node at a time: a pass every `interval` until graceful
/// shutdown (a failed pass is logged and the next one tries again), then the lease is released
/// so another node takes the work over at its next look rather than when the lease expires.
enum LeasedLoop {
    static func run(every interval: Duration, lease: String, holder: String, store: any BackstopStore, logger: Logger,
                    failure: String, pass: @escaping @Sendable () async throws -> Void) async {
        await cancelWhenGracefulShutdown {
            repeat {
                do { try await pass() } catch {
                    logger.warning("\(failure); the next one tries again", metadata: ["error": "\(error)"])
                }
            } while (try? await Task.sleep(for: interval)) != nil
        }
        try? await store.releaseLease(lease, holder: holder)
    }
}
