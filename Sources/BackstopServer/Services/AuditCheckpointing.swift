import BackstopCore
import BackstopStore
import Foundation
import Logging
import ServiceLifecycle

/// Signs the audit log's head every `every` entries, so that partners who collect the
/// checkpoints (`GET /api/v1/audit/checkpoints` later; `backstop audit export` now) can prove
/// history was not rewritten without anyone remembering to run `backstop audit checkpoint`.
/// Every node may sign; a checkpoint per sequence is kept once, and two nodes signing nearly
/// at once only add a second valid checkpoint.
struct AuditCheckpointing: Service {
    let store: any BackstopStore
    let signer: AuditSigner
    let every: Int64
    let interval: Duration
    let now: @Sendable () -> Date
    let logger = Logger(label: "backstop.audit")

    func run() async throws {
        await cancelWhenGracefulShutdown {
            repeat { await checkpointIfDue() } while (try? await Task.sleep(for: interval)) != nil
        }
    }

    /// Signs the head when `every` entries or more have been appended since the last checkpoint.
    func checkpointIfDue() async {
        do {
            guard let head = try await store.auditHead() else { return }
            let last = try await store.auditCheckpoints().last?.sequence ?? 0
            guard head.sequence - last >= every else { return }
            try await store.saveCheckpoint(try signer.sign(head, at: now()))
        } catch {
            logger.warning("audit checkpoint not signed; the next tick tries again", metadata: ["error": "\(error)"])
        }
    }
}
