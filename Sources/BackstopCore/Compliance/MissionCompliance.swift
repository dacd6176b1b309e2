import Foundation

/// Checks incidents against every agreement the mission monitors: each incident against the
/// agreements whose area of operations holds it and that are in force at its time. An
/// incident without a location is checked only when one agreement alone is in force, since
/// nothing else tells which agreement it falls under.
public struct MissionCompliance: Sendable {
    struct Entry: Sendable {
        var area: AreaOfOperations
        var checker: ComplianceChecker
    }

    let entries: [Entry]

    public init(agreements: [Agreement], settlements: SettlementIndex? = nil) {
        entries = agreements.map { Entry(area: AreaOfOperations($0), checker: ComplianceChecker(agreement: $0, settlements: settlements)) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    public func findings(for incident: Incident, current: [Incident] = []) throws -> [Finding] {
        let inForce = entries.filter { $0.checker.isInForce(at: incident.start) }
        let applicable: [Entry]
        if let point = incident.point {
            applicable = inForce.filter { $0.area.contains(point) }
        } else {
            applicable = inForce.count == 1 ? inForce : []
        }
        return try applicable.flatMap { try $0.checker.findings(for: incident, current: current) }
    }

    /// Whether an incident may count towards another's zone caps: only sightings can.
    public static func countsTowardsCaps(_ incident: Incident) -> Bool {
        !ComplianceChecker.capSubjects(of: incident).isEmpty
    }
}
