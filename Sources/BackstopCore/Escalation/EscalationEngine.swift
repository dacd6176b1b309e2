import BackstopGeo
import Foundation

/// A sector's alert level as escalation keeps it: 0 calm, 1 elevated, 2 high, 3 critical.
public struct SectorState: Sendable, Hashable, Codable {
    public var sectorId: String
    public var policyId: String
    public var level: Int
    /// When the sector reached this level.
    public var since: Date
    /// The alert that set the level (a later change references it).
    public var alertId: UUID?
    /// When that alert was raised (a CAP update names the message it updates by its time).
    public var alertAt: Date?

    public init(sectorId: String, policyId: String, level: Int = 0, since: Date, alertId: UUID? = nil) {
        self.sectorId = sectorId
        self.policyId = policyId
        self.level = level
        self.since = since
        self.alertId = alertId
    }
}

/// A level a rule set off, with the events behind it.
public struct LevelChange: Sendable, Hashable {
    public var sectorId: String
    public var from: Int
    public var to: Int
    public var reasons: [String]
    public var ruleIds: [String]
    public var incidentIds: [UUID]
    public var observationIds: [UUID]
}

/// A request a rule drafts for a supervisor to issue.
public struct RequestDraft: Sendable, Hashable {
    public var ruleId: String
    public var sectorId: String
    public var type: RequestType
    public var priority: RequestPriority
    public var area: RequestArea
    public var windowStart: Date
    public var windowEnd: Date
    public var text: String
    public var incidentIds: [UUID]
    public var observationIds: [UUID]

    /// One open draft per rule and sector: a rule that keeps firing adds no second request.
    public var key: String { "\(ruleId)/\(sectorId)" }
}

/// The decisions for one moment.
public struct EscalationOutcome: Sendable, Hashable {
    public var levelChanges: [LevelChange] = []
    public var drafts: [RequestDraft] = []
}

/// The rules engine: given the live events, the sectors' levels, the open drafts and the
/// time, what changes. Pure and deterministic: the same inputs give the same decisions, so a
/// node taking the work over decides as the last one would have.
///
/// A level rises as soon as a rule's count reaches a step's `at_least`, and falls only once no
/// rule has held it (count at `hold_at_least` or more) for the policy's `lower_after_hours`;
/// when that started is computed from the events themselves (the moment the k-th most recent
/// event left the window), not from when the engine last looked.
public struct EscalationEngine: Sendable {
    public let map: SectorMap

    public init(map: SectorMap) {
        self.map = map
    }

    public var policy: EscalationPolicy { map.policy }

    public func evaluate(events: [EscalationEvent], sectors states: [String: SectorState], openRequests: Set<String>, now: Date) -> EscalationOutcome {
        var outcome = EscalationOutcome()
        let located = events.compactMap { event in event.point.map { (event, map.sectors(containing: $0)) } }
        for sector in policy.sectors {
            let inSector = located.filter { $0.1.contains(sector.id) }.map(\.0)
            var counted: [(rule: EscalationRule, events: [EscalationEvent])] = []
            for rule in policy.rules {
                let matching = inSector.filter { map.matches(rule, $0) && $0.time <= now }.sorted { $0.time > $1.time }
                counted.append((rule, matching))
            }
            let state = states[sector.id] ?? SectorState(sectorId: sector.id, policyId: policy.id, since: .distantPast)
            if let change = levelChange(sector: sector.id, state: state, counted: counted, now: now) {
                outcome.levelChanges.append(change)
            }
            for (rule, matching) in counted {
                guard let template = rule.request else { continue }
                let recent = matching.filter { inWindow($0, rule, now) }
                guard recent.count >= template.atLeast, !openRequests.contains("\(rule.id)/\(sector.id)") else { continue }
                outcome.drafts.append(RequestDraft(
                    ruleId: rule.id, sectorId: sector.id, type: template.type, priority: template.priority,
                    area: .around(recent.compactMap(\.point)), windowStart: now, windowEnd: now.addingTimeInterval(template.windowHours * 3600),
                    text: template.text, incidentIds: Self.unique(recent.compactMap(\.incidentId)), observationIds: Self.unique(recent.compactMap(\.observationId))
                ))
            }
        }
        return outcome
    }

    private func inWindow(_ event: EscalationEvent, _ rule: EscalationRule, _ now: Date) -> Bool {
        event.time > now.addingTimeInterval(-rule.windowHours * 3600)
    }

    private func levelChange(sector: String, state: SectorState, counted: [(rule: EscalationRule, events: [EscalationEvent])], now: Date) -> LevelChange? {
        var demanded = 0
        var held = 0
        var reasons: [(rule: EscalationRule, events: [EscalationEvent], level: Int)] = []
        for (rule, matching) in counted {
            let count = matching.filter { inWindow($0, rule, now) }.count
            for step in rule.levels {
                if count >= step.atLeast {
                    demanded = max(demanded, step.level)
                    reasons.append((rule, Array(matching.prefix(count)), step.level))
                }
                if count >= step.holdAtLeast { held = max(held, step.level) }
            }
        }
        if demanded > state.level {
            let behind = reasons.filter { $0.level == demanded }
            return LevelChange(
                sectorId: sector, from: state.level, to: demanded,
                reasons: behind.map { "\($0.rule.description): \($0.events.count) in the last \(NumberRule.format($0.rule.windowHours)) h" },
                ruleIds: behind.map(\.rule.id), incidentIds: Self.unique(behind.flatMap { $0.events.compactMap(\.incidentId) }),
                observationIds: Self.unique(behind.flatMap { $0.events.compactMap(\.observationId) })
            )
        }
        guard held < state.level else { return nil }
        // When the current level was last held: the latest moment any rule's count for a step
        // at this level or above was still at its hold threshold.
        var lastHeld = state.since
        for (rule, matching) in counted {
            for step in rule.levels where step.level >= state.level && matching.count >= step.holdAtLeast {
                lastHeld = max(lastHeld, matching[step.holdAtLeast - 1].time.addingTimeInterval(rule.windowHours * 3600))
            }
        }
        guard now >= lastHeld.addingTimeInterval(policy.lowerAfterHours * 3600) else { return nil }
        return LevelChange(sectorId: sector, from: state.level, to: held,
                           reasons: ["no rule has held level \(state.level) since \(Timestamp.format(lastHeld)) (\(NumberRule.format(policy.lowerAfterHours)) h calm)"],
                           ruleIds: [], incidentIds: [], observationIds: [])
    }

    static func unique(_ ids: [UUID]) -> [UUID] {
        var seen: Set<UUID> = []
        return ids.filter { seen.insert($0).inserted }
    }
}

/// The area a request covers: a polygon (a sector's outline) or a circle.
public enum RequestArea: Sendable, Hashable, Codable {
    case circle(lat: Double, lon: Double, radiusKm: Double)
    case polygon([GeoPoint])

    /// A circle around points, 2 km wider than the farthest of them from their centre.
    public static func around(_ points: [GeoPoint]) -> RequestArea {
        guard !points.isEmpty else { return .circle(lat: 0, lon: 0, radiusKm: 0) }
        let centre = GeoPoint(lat: points.map(\.lat).reduce(0, +) / Double(points.count), lon: points.map(\.lon).reduce(0, +) / Double(points.count))
        let farthest = points.map { Geodesic.wgs84.distance(from: centre, to: $0) }.max() ?? 0
        return .circle(lat: (centre.lat * 1e5).rounded() / 1e5, lon: (centre.lon * 1e5).rounded() / 1e5, radiusKm: ((farthest / 1000 + 2) * 10).rounded() / 10)
    }
}
