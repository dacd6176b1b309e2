import BackstopCore
import BackstopStore
import Foundation
import Logging

/// Background work done once for the whole mission, not once per node: logging each finding
/// as incidents first show it, the log that escalation reads. One node holds it at a time under
/// a lease in the store; the holder renews the lease on every tick, and if it dies another
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
    /// a long catch-up does not let its lease lapse.
    nonisolated func run() {
        let interval = Duration.milliseconds(Int(leaseDuration * 1000 / 3))
        Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                await self.renew()
                try? await Task.sleep(for: interval)
            }
        }
        Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                await self.work()
            }
        }
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
