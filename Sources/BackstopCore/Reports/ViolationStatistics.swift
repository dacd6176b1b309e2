import Foundation

/// Ceasefire violations per reporting day and per region (sector), counted as the daily
/// report counts them: estimated events of ceasefire-violation kinds, live-fire training apart,
/// each incident by its start, verified and not yet verified kept apart so a chart can show
/// both without mixing what the mission stands behind with what it still checks.
public struct ViolationStatistics: Sendable, Hashable, Codable {
    public struct Tally: Sendable, Hashable, Codable {
        public var verified = 0
        public var unverified = 0

        public var total: Int { verified + unverified }

        mutating func add(_ incident: ReportIncident) {
            if incident.verified { verified += incident.events } else { unverified += incident.events }
        }
    }

    public struct Day: Sendable, Hashable, Codable {
        public var period: ReportPeriod
        public var tally: Tally
    }

    public struct Region: Sendable, Hashable, Codable {
        /// A sector's name, or nil for incidents in no sector (or with no place).
        public var name: String?
        public var tally: Tally
    }

    public var days: [Day]
    /// Every region that holds a violation in the span, most violations first (ties by name);
    /// the incidents in no sector last.
    public var regions: [Region]
    public var liveFireTraining: Int

    /// `days` are consecutive reporting periods, oldest first; an incident outside them is not counted.
    public static func tally(_ incidents: [ReportIncident], days periods: [ReportPeriod]) -> ViolationStatistics {
        var days = periods.map { Day(period: $0, tally: Tally()) }
        var regions: [String?: Tally] = [:]
        var training = 0
        for incident in incidents where incident.isCeasefireViolation {
            guard let index = periods.firstIndex(where: { $0.contains(incident.start) }) else { continue }
            if incident.liveFireTraining {
                training += incident.events
                continue
            }
            days[index].tally.add(incident)
            regions[incident.region, default: Tally()].add(incident)
        }
        let ordered = regions.map { Region(name: $0.key, tally: $0.value) }.sorted { a, b in
            if (a.name == nil) != (b.name == nil) { return b.name == nil }
            if a.tally.total != b.tally.total { return a.tally.total > b.tally.total }
            return (a.name ?? "") < (b.name ?? "")
        }
        return ViolationStatistics(days: days, regions: ordered, liveFireTraining: training)
    }
}
