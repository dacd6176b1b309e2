import BackstopCore
import BackstopStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Decides escalation, on one node at a time (the `escalation-work` lease): reads the findings
/// log (confirmed and retracted findings) and the intake (monitors under fire), keeps the
/// events inside the rules' windows, and on every tick lets each policy's engine decide what
/// changes, and finds requests past their deadline. Each decision is written with its audit
/// entries and outbox messages in one fenced transaction, with the work's cursor.
struct EscalationWork: Service {
    let store: any BackstopStore
    let node: String
    let leaseDuration: Double
    let interval: Duration
    let now: @Sendable () -> Date
    let logger = Logger(label: "backstop.escalation")
    private let engines = EngineCache()
    private let lease = LeaseRenewal()

    func run() async throws {
        // Shown at 0 before the first miss.
        Counter(label: "backstop_guarantor_deadlines_missed_total").increment(by: 0)
        await LeasedLoop.run(every: interval, lease: EscalationLeases.escalation, holder: node, store: store, logger: logger,
                             failure: "escalation tick failed") { try await tick() }
    }

    /// One pass; false when another node holds the work.
    @discardableResult
    func tick() async throws -> Bool {
        guard try await lease.holds(EscalationLeases.escalation, holder: node, duration: leaseDuration, in: store) else { return false }
        let time = now()
        let stored = try await store.escalationRecords(.cursor, ids: [EscalationCursor.key.id]).first
        // A first start counts monitors under fire from now on, not from the start of the record.
        let intakeHead = stored == nil ? try await store.latestIntakeSequence() : 0
        var cursor = try stored?.decode(EscalationCursor.self) ?? EscalationCursor(findingsAfter: 0, intakeAfter: intakeHead, events: [])
        let before = (cursor.findingsAfter, cursor.intakeAfter, cursor.events.count)
        let policies = try await activePolicies()
        try await readFindings(into: &cursor)
        try await readIntake(into: &cursor)
        let horizon = policies.flatMap { $0.policy.rules.map(\.windowHours) }.max() ?? 0
        cursor.events.removeAll { $0.time <= time.addingTimeInterval(-max(horizon, 1) * 3600) }
        let changed = stored == nil || before != (cursor.findingsAfter, cursor.intakeAfter, cursor.events.count)

        // Every request (closed ones too: a rule's next draft is numbered after them).
        let requests = try await store.escalationRecords(.request, ids: nil)
        let keys = [EscalationCursor.key] + requests.map(\.key) + policies.flatMap { active in active.policy.sectors.map { active.sectorKey($0.id) } }
        // A look at what is due on the records as they are now: with nothing read and nothing
        // due, no transaction is opened. How widely the incidents behind a level change are
        // released (an alert's message names only those released as wide as the alert) is read
        // only for those; one whose release changes in between is treated as not released,
        // which names fewer incidents, never more.
        let looking = EscalationDecisions(policies: policies, events: cursor.events, releases: [:], now: time, node: node)
        let due = try looking.due(sectors: try await store.escalationRecords(.sector, ids: nil), requests: requests)
        guard changed || due.anything else { return true }
        var releases: [UUID: ReleaseLevel] = [:]
        for id in due.incidents {
            releases[id] = try await store.storedIncident(id: id)?.workflow.releaseLevel
        }
        let decisions = EscalationDecisions(policies: policies, events: cursor.events, releases: releases, now: time, node: node)
        let finalCursor = cursor
        let written = try await store.changeEscalation(keys, fence: WorkFence(lease: EscalationLeases.escalation, holder: node)) { current in
            try decisions.write(current: current, cursor: finalCursor, cursorChanged: changed)
        }
        for record in written ?? [] where record.key.kind == .alert {
            guard let alert = try? record.decode(Alert.self), !alert.exercise else { continue }
            Counter(label: "backstop_alerts_total", dimensions: [("kind", alert.kind.rawValue)]).increment()
            if alert.kind == .deadlineMissed { Counter(label: "backstop_guarantor_deadlines_missed_total").increment() }
            logger.notice("alert", metadata: ["alert": "\(alert.id)", "headline": "\(alert.headline)"])
        }
        return written != nil
    }

    /// The latest policies, each with its engine; rebuilt only when a policy or agreement changed.
    private func activePolicies() async throws -> [ActivePolicy] {
        let revision = try await store.agreementRevision()
        var active: [ActivePolicy] = []
        for stored in try await store.latestPolicies() {
            if let ready = engines.get(stored, agreementRevision: revision) {
                active.append(ready)
                continue
            }
            do {
                let policy = try stored.policy()
                let agreement = try await policy.agreementID.asyncMap { try await store.agreement(id: $0, version: nil)?.agreement() } ?? nil
                let ready = ActivePolicy(stored: stored, engine: EscalationEngine(map: SectorMap(policy: policy, agreement: agreement)))
                engines.put(ready, agreementRevision: revision)
                active.append(ready)
            } catch {
                logger.error("policy skipped", metadata: ["policy": "\(stored.id)", "error": "\(error)"])
            }
        }
        return active
    }

    private func readFindings(into cursor: inout EscalationCursor) async throws {
        var located: [UUID: GeoPoint?] = [:]
        while true {
            let page = try await store.findingLog(after: cursor.findingsAfter, limit: 1_000)
            for entry in page {
                let finding = entry.finding
                let key = EscalationEvent.findingKey(incident: finding.incidentID, agreement: finding.agreementID, rule: finding.ruleID, kind: finding.kind)
                switch finding.status {
                case .detected: break
                case .retracted: cursor.events.removeAll { $0.key == key }
                case .confirmed:
                    if located[finding.incidentID] == nil {
                        located[finding.incidentID] = try await store.storedIncident(id: finding.incidentID)?.released.location.map { GeoPoint(lat: $0.lat, lon: $0.lon) }
                    }
                    let point = located[finding.incidentID].flatMap { $0 }
                    cursor.events.removeAll { $0.key == key }
                    cursor.events.append(.confirmedFinding(incident: finding.incidentID, start: finding.incidentStart, agreement: finding.agreementID,
                                                           rule: finding.ruleID, kind: finding.kind, at: point))
                }
                cursor.findingsAfter = entry.sequence
            }
            if page.count < 1_000 { return }
        }
    }

    private func readIntake(into cursor: inout EscalationCursor) async throws {
        while true {
            let page = try await store.intake(after: cursor.intakeAfter, limit: 1_000)
            for entry in page {
                if let event = EscalationEvent.monitorsUnderFire(entry.stored.observation, at: entry.stored.resolution.point) {
                    cursor.events.append(event)
                }
                cursor.intakeAfter = entry.sequence
            }
            if page.count < 1_000 { return }
        }
    }
}

/// Engines by policy version and agreement revision: building one parses the agreement and
/// prepares its zones, which need not happen every tick.
private final class EngineCache: Sendable {
    private let entries = Mutex<[String: (version: Int, agreementRevision: Int, active: ActivePolicy)]>([:])

    func get(_ stored: StoredPolicy, agreementRevision: Int) -> ActivePolicy? {
        entries.withLock { entries in
            guard let entry = entries[stored.id], entry.version == stored.version, entry.agreementRevision == agreementRevision else { return nil }
            return entry.active
        }
    }

    func put(_ active: ActivePolicy, agreementRevision: Int) {
        entries.withLock { $0[active.stored.id] = (active.stored.version, agreementRevision, active) }
    }
}
