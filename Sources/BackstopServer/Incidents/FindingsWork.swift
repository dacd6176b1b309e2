import BackstopCore
import BackstopStore
import Foundation
import Logging
import ServiceLifecycle

/// Background work done once for the whole mission, not once per node: logging each finding
/// as incidents first show it, the log that escalation reads. One node holds it at a time under
/// a lease in the store; the holder renews it three times per lease period, and if it dies another
/// node takes the lease over once it expires and resumes from the position the last holder
/// recorded. Writes are fenced by the lease, so a node that lost it writes nothing.
actor FindingsWork {
    static let leaseName = "findings-log"

    private let store: any BackstopStore
    private let board: IncidentBoard
    private let node: String
    private let leaseDuration: TimeInterval
    private let logger: Logger
    private(set) var holding = false
    /// The agreement revision whose findings were logged in full; a change logs all again.
    private var loggedRevision = -1

    init(store: any BackstopStore, board: IncidentBoard, node: String, leaseDuration: TimeInterval,
         logger: Logger = Logger(label: "backstop.findings")) {
        self.store = store
        self.board = board
        self.node = node
        self.leaseDuration = leaseDuration
        self.logger = logger
    }

    /// The lease as last claimed or renewed; nil while another node holds it.
    private var lease: WorkLease?

    /// Renews three times per lease period, apart from the work itself, so a holder busy with
    /// a long catch-up does not let its lease lapse. At graceful shutdown both loops stop and
    /// the lease is released, so another node takes the work over at once rather than after
    /// the lease expires.
    func runUntilShutdown() async {
        let interval = Duration.milliseconds(Int(leaseDuration * 1000 / 3))
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    repeat { await self.renew() } while (try? await Task.sleep(for: interval)) != nil
                }
                group.addTask {
                    while (try? await Task.sleep(for: interval)) != nil { await self.work() }
                }
            }
        }
        await release()
    }

    /// Gives the lease up (at shutdown); a failure only means the lease runs out by itself.
    func release() async {
        guard lease != nil || holding else { return }
        do {
            try await store.releaseLease(Self.leaseName, holder: node)
            logger.info("findings work released", metadata: ["node": "\(node)"])
        } catch {
            logger.warning("findings lease not released; another node takes over when it expires", metadata: ["error": "\(error)"])
        }
        lease = nil
        holding = false
    }

    func renew() async {
        do {
            lease = try await store.claimLease(Self.leaseName, holder: node, duration: leaseDuration)
        } catch {
            lease = nil
            logger.warning("findings lease not renewed; the next tick tries again", metadata: ["error": "\(error)"])
        }
        if lease == nil, holding {
            logger.info("another node holds the findings work now")
            holding = false
        }
    }

    /// Logs what is new since the lease's position (everything, on taking over).
    func work() async {
        guard let lease else { return }
        do {
            let takenOver = !holding
            if takenOver { logger.info("this node holds the findings work", metadata: ["node": "\(node)", "from": "\(lease.position)"]) }
            holding = true
            try await board.caughtUp()
            let revision = await board.revision
            // On taking over (the last holder may have died between computing and writing) and
            // after an agreement change, every incident's findings are logged; entries already
            // there are kept as they are.
            let everything = takenOver || revision != loggedRevision
            let (findings, position) = await board.findings(after: everything ? nil : lease.position)
            guard !findings.isEmpty || position != lease.position else {
                loggedRevision = revision
                return
            }
            let chunks = findings.isEmpty ? [[]] : findings.chunked(into: 500).map(Array.init)
            for (index, chunk) in chunks.enumerated() {
                let reached = index == chunks.count - 1 ? position : lease.position
                guard try await store.recordFindings(chunk, lease: Self.leaseName, holder: node, position: reached) else {
                    logger.info("the findings lease was lost before the write; nothing written")
                    holding = false
                    self.lease = nil
                    return
                }
            }
            if let current = self.lease { self.lease?.position = max(current.position, position) }
            loggedRevision = revision
        } catch {
            logger.warning("findings work did not advance; the next tick tries again", metadata: ["error": "\(error)"])
        }
    }
}

extension FindingsWork: Service {
    nonisolated func run() async throws {
        await runUntilShutdown()
    }
}
