import Foundation

/// Drafts a daily report's content from the incidents and records an edition may show. Pure:
/// the same inputs give the same report. Counts are of events (an incident's estimated events),
/// never of records, and only of verified incidents unless the report says it includes others.
///
/// The bullets follow the OSCE mission's order for every region: ceasefire violations ("N,
/// including M explosions", against the previous period of the same length; live-fire training
/// counted but apart), civilian casualties and damage, disengagement areas, weapons in
/// violation of withdrawal lines, weapons beyond them but outside storage sites, and
/// restrictions of the monitors' freedom of movement (marked with an asterisk; GPS
/// interference is reported there).
public struct DailyReportComposer: Sendable {
    /// The regions (the policy's sectors), in the order the report lists them.
    public var regions: [String]
    public var includeUnverified: Bool
    public var calendar: ReportCalendar

    /// Where incidents outside every region are summarised.
    public static let elsewhere = "Elsewhere in the area of operations"

    public init(regions: [String], includeUnverified: Bool, calendar: ReportCalendar) {
        self.regions = regions
        self.includeUnverified = includeUnverified
        self.calendar = calendar
    }

    /// `incidents` may hold both periods' incidents (and others): each is counted in the period
    /// that holds its start, so an incident is never counted in two reports. `records` are the
    /// period's records for the detail sections. `nameSilentSensors` false says only how many
    /// were silent (the public edition: which camera is down, and since when, is the mission's own).
    public func compose(period: ReportPeriod, incidents: [ReportIncident], records: [ReportRecord], silent: [SilentSensor],
                        nameSilentSensors: Bool = true) -> ReportContent {
        let previousPeriod = period.previous
        let counted = { (incident: ReportIncident) in includeUnverified || incident.verified }
        let current = incidents.filter { period.contains($0.start) }.sorted { ($0.shownTime, $0.id.uuidString) < ($1.shownTime, $1.id.uuidString) }
        let previous = incidents.filter { previousPeriod.contains($0.start) && counted($0) }
        let shown = current.filter(counted)

        var names = regions
        if shown.contains(where: { $0.region == nil }) || previous.contains(where: { $0.region == nil }) || names.isEmpty {
            names.append(regions.isEmpty ? "The area of operations" : Self.elsewhere)
        }
        let regionOf = { (incident: ReportIncident) in incident.region ?? names.last! }
        let summary = names.map { name in
            ReportContent.Region(name: name, bullets: bullets(shown.filter { regionOf($0) == name }, previous: previous.filter { regionOf($0) == name },
                                                              period: period))
        }
        let violations = shown.filter { $0.isCeasefireViolation && !$0.liveFireTraining }
        let previousViolations = previous.filter { $0.isCeasefireViolation && !$0.liveFireTraining }
        let civilians = shown.filter(\.civilianCasualties)
        let totals = ReportContent.Totals(
            ceasefireViolations: violations.map(\.events).reduce(0, +),
            explosions: violations.filter { $0.kind == "explosion" }.map(\.events).reduce(0, +),
            previousCeasefireViolations: previousViolations.map(\.events).reduce(0, +),
            previousExplosions: previousViolations.filter { $0.kind == "explosion" }.map(\.events).reduce(0, +),
            liveFireTraining: shown.filter { $0.isCeasefireViolation && $0.liveFireTraining }.map(\.events).reduce(0, +),
            civilianKilled: civilians.map(\.killed).reduce(0, +), civilianInjured: civilians.map(\.injured).reduce(0, +),
            freedomOfMovementRestrictions: shown.filter(Self.isRestriction).count,
            incidents: shown.count, unverifiedLeftOut: current.count - shown.count
        )
        return ReportContent(summary: summary, details: details(records),
                             caveats: caveats(silent: silent, named: nameSilentSensors, totals: totals, period: period),
                             annex: shown.map { annexRow($0, region: regionOf($0)) }, totals: totals)
    }

    // MARK: Summary

    func bullets(_ incidents: [ReportIncident], previous: [ReportIncident], period: ReportPeriod) -> [ReportContent.Bullet] {
        ReportContent.Topic.allCases.map { topic in
            ReportContent.Bullet(topic: topic, text: text(topic, incidents, previous: previous, period: period))
        }
    }

    func text(_ topic: ReportContent.Topic, _ incidents: [ReportIncident], previous: [ReportIncident], period: ReportPeriod) -> String {
        switch topic {
        case .ceasefireViolations:
            let violations = incidents.filter { $0.isCeasefireViolation && !$0.liveFireTraining }
            let total = violations.map(\.events).reduce(0, +)
            let explosions = violations.filter { $0.kind == "explosion" }.map(\.events).reduce(0, +)
            let earlier = previous.filter { $0.isCeasefireViolation && !$0.liveFireTraining }
            let earlierTotal = earlier.map(\.events).reduce(0, +)
            let earlierExplosions = earlier.filter { $0.kind == "explosion" }.map(\.events).reduce(0, +)
            let hours = Int((period.duration / 3600).rounded())
            let window = hours == 24 ? "In the previous 24 hours" : "In the previous \(hours) hours"
            var text = "The Mission recorded \(ReportText.counted(total, "ceasefire violation", "ceasefire violations"))"
            text += total == 0 ? ". " : explosions == 0 ? ", none of them explosions. " : ", including \(ReportText.counted(explosions, "explosion", "explosions")). "
            text += "\(window), it recorded \(earlierTotal)" + (earlierTotal > 0 ? " (including \(ReportText.counted(earlierExplosions, "explosion", "explosions")))." : ".")
            let training = incidents.filter { $0.isCeasefireViolation && $0.liveFireTraining }.map(\.events).reduce(0, +)
            if training > 0 { text += " It also recorded \(ReportText.counted(training, "violation", "violations")) assessed as live-fire training." }
            return text
        case .civilianCasualties:
            let casualties = incidents.filter(\.civilianCasualties)
            let killed = casualties.map(\.killed).reduce(0, +), injured = casualties.map(\.injured).reduce(0, +)
            let damage = incidents.filter { $0.kind == "damage" }.count
            var text = killed + injured == 0 ? "The Mission did not record civilian casualties."
                : "The Mission recorded \(ReportText.counted(killed + injured, "civilian casualty", "civilian casualties")) (\(ReportText.count(killed)) killed, \(ReportText.count(injured)) injured)."
            text += damage == 0 ? " It did not record damage to civilian property." : " It recorded damage to civilian property in \(ReportText.counted(damage, "place", "places"))."
            return text
        case .disengagementAreas:
            let inside = incidents.filter { $0.inDisengagementArea && $0.isCeasefireViolation }.map(\.events).reduce(0, +)
            let other = incidents.filter { $0.inDisengagementArea && !$0.isCeasefireViolation }.count
            var text = inside == 0 ? "The Mission did not record ceasefire violations inside the disengagement areas."
                : "The Mission recorded \(ReportText.counted(inside, "ceasefire violation", "ceasefire violations")) inside the disengagement areas."
            if other > 0 { text += " It recorded \(ReportText.counted(other, "other incident", "other incidents")) there." }
            return text
        case .weaponsInViolation:
            let weapons = Self.weaponCounts(incidents.filter(Self.breachesWithdrawal))
            return weapons.isEmpty ? "The Mission did not see weapons in violation of the withdrawal lines."
                : "The Mission saw \(ReportText.list(weapons)) in violation of the withdrawal lines."
        case .weaponsBeyondWithdrawal:
            let weapons = Self.weaponCounts(incidents.filter { $0.kind == "weapon_sighting" && !Self.breachesWithdrawal($0) })
            return weapons.isEmpty ? "The Mission did not see weapons beyond the withdrawal lines outside designated storage sites."
                : "The Mission saw \(ReportText.list(weapons)) beyond the withdrawal lines but outside designated storage sites."
        case .freedomOfMovement:
            let restrictions = incidents.filter(Self.isRestriction).count
            let interference = incidents.filter { $0.kind == "gps_interference" }.count
            var text = restrictions == 0 ? "The Mission's freedom of movement was not restricted."
                : "The Mission's freedom of movement was restricted \(restrictions == 1 ? "once" : "\(ReportText.count(restrictions)) times").*"
            if interference > 0 { text += " Its UAVs met GPS signal interference \(interference == 1 ? "once" : "\(ReportText.count(interference)) times")." }
            return text
        }
    }

    static func breachesWithdrawal(_ incident: ReportIncident) -> Bool {
        incident.findings.contains { $0.kind == "weapon_inside_withdrawal_distance" }
    }

    static func isRestriction(_ incident: ReportIncident) -> Bool {
        incident.kind == "freedom_of_movement_restriction" || incident.findings.contains { $0.kind == "monitors_restricted" }
    }

    /// "12 multiple launch rocket systems", by class, largest first.
    static func weaponCounts(_ incidents: [ReportIncident]) -> [String] {
        var counts: [String: Int] = [:]
        for weapon in incidents.flatMap(\.weapons) { counts[weapon.class, default: 0] += max(weapon.quantity, 1) }
        return counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { name, count in
            let (one, many) = ReportText.weapon(name)
            return ReportText.counted(count, one, many)
        }
    }

    // MARK: Details

    /// One section per reporter: what it heard, saw or recorded, with directions and distances
    /// as its records give them ("heard two undetermined explosions 2-4 km north-east"), the
    /// ceasefire violations first.
    func details(_ records: [ReportRecord]) -> [ReportContent.Detail] {
        let reporters = Dictionary(grouping: records, by: \.reporter)
        let kindOrder = ObservationKind.allCases.map(\.rawValue)
        let modalityOrder = Modality.allCases.map(\.rawValue)
        return reporters.keys.sorted().map { reporter in
            let groups = Dictionary(grouping: reporters[reporter]!) { GroupKey(modality: $0.modality, kind: $0.kind, subkind: $0.kind == "explosion" ? $0.subkind : nil, relative: $0.relative) }
            let ordered = groups.keys.sorted { a, b in
                let ka = (ObservationKind(rawValue: a.kind)?.isCeasefireViolation == true ? 0 : 1, kindOrder.firstIndex(of: a.kind) ?? 99)
                let kb = (ObservationKind(rawValue: b.kind)?.isCeasefireViolation == true ? 0 : 1, kindOrder.firstIndex(of: b.kind) ?? 99)
                if ka != kb { return ka < kb }
                let (ma, mb) = (modalityOrder.firstIndex(of: a.modality) ?? 99, modalityOrder.firstIndex(of: b.modality) ?? 99)
                if ma != mb { return ma < mb }
                return (a.subkind ?? "", a.relative ?? "") < (b.subkind ?? "", b.relative ?? "")
            }
            let lines = ordered.map { key in
                let (one, many) = ReportText.kind(key.kind, subkind: key.subkind)
                let total = groups[key]!.map(\.count).reduce(0, +)
                return "\(Self.verb(key.modality)) \(ReportText.counted(total, one, many))" + (key.relative.map { " \($0)" } ?? "")
            }
            return ReportContent.Detail(heading: reporter, lines: lines)
        }
    }

    private struct GroupKey: Hashable {
        var modality: String
        var kind: String
        var subkind: String?
        var relative: String?
    }

    /// How a line starts: "heard", "saw", "saw and heard", "recorded (camera)".
    static func verb(_ modality: String) -> String {
        switch modality {
        case "heard", "saw": modality
        case "saw_and_heard": "saw and heard"
        default: "recorded (\(ReportText.modality(modality)))"
        }
    }

    // MARK: Caveats and annex

    func caveats(silent: [SilentSensor], named: Bool, totals: ReportContent.Totals, period: ReportPeriod) -> [String] {
        var caveats: [String] = []
        if !silent.isEmpty, !named {
            caveats.append("\(ReportText.counted(silent.count, "camera or sensor", "cameras and sensors").capitalizingFirst) of the Mission did not report during the period, so the counts may be low.")
        } else if !silent.isEmpty {
            let named = silent.sorted { $0.name < $1.name }.map { sensor in
                "\(sensor.name) (\(ReportText.modality(sensor.modality))" + (sensor.silentSeconds.map { ", silent \(ReportText.duration($0))" } ?? "")
                    + (sensor.lastReport.map { ", last report \(calendar.short($0))" } ?? "") + ")"
            }
            caveats.append("Not reporting during the period, so the counts may be low where they watch: \(ReportText.list(named)).")
        }
        if includeUnverified {
            caveats.append("This report counts incidents that are not yet verified; figures may change.")
        } else if totals.unverifiedLeftOut > 0 {
            let left = totals.unverifiedLeftOut
            caveats.append("Counts are of verified incidents only; \(ReportText.counted(left, "incident", "incidents")) of the period awaiting verification \(left == 1 ? "is" : "are") not counted.")
        }
        caveats.append("Counts are of events, not of reports: several patrols hearing one explosion count once.")
        return caveats
    }

    func annexRow(_ incident: ReportIncident, region: String) -> ReportContent.AnnexRow {
        let (one, many) = ReportText.kind(incident.kind)
        return ReportContent.AnnexRow(
            incident: incident.id.uuidString.lowercased(), time: calendar.dayAndTime(incident.shownTime), region: region, place: incident.place,
            kind: incident.events == 1 ? one : many, events: incident.events,
            weapons: Self.weaponCounts([incident]).joined(separator: ", "), direction: incident.direction ?? "",
            observedBy: incident.modalities.map(ReportText.modality).joined(separator: ", "),
            findings: incident.findings.map { "\($0.kind.replacingOccurrences(of: "_", with: " ")) (\($0.rule))" }.joined(separator: "; "),
            verified: incident.verified
        )
    }
}
