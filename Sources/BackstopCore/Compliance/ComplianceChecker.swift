import Foundation

/// Checks an incident against the agreement version in force at the incident's time. A rule
/// before its effective time produces nothing.
///
/// Checked: weapons inside their class's withdrawal distance on the bound party's side;
/// equipment in a zone above its cap, summed over the incidents current in the zone; fire
/// inside a demilitarised zone or disengagement area; prohibited firing, aerial vehicles,
/// mine-laying, heavy weapons near settlements and restrictions of the monitors; live-fire
/// training inside the security zone.
public struct ComplianceChecker: Sendable {
    public let geometry: AgreementGeometry
    public let settlements: SettlementIndex?
    /// Sightings this far apart in time count towards one zone total: a unit sighted today and
    /// a unit sighted three days ago may be the same unit, one sighted within the day is "current".
    public static let capWindowSeconds = 24 * 3_600.0

    /// The sightings that count with an incident towards a zone cap: those of the day before it.
    public static func currentForCaps(_ incident: Incident, among sightings: [Incident]) -> [Incident] {
        let windowStart = incident.start.addingTimeInterval(-capWindowSeconds)
        return sightings.filter { $0.id != incident.id && $0.start <= incident.start && $0.end >= windowStart }
    }

    public init(agreement: Agreement, settlements: SettlementIndex? = nil) {
        geometry = AgreementGeometry(agreement)
        self.settlements = settlements
    }

    var agreement: Agreement { geometry.agreement }

    public func isInForce(at time: Date) -> Bool {
        agreement.effectiveFrom <= time && (agreement.effectiveUntil.map { time < $0 } ?? true)
    }

    /// The findings for one incident. `current` are the other incidents that count towards zone
    /// caps (those within `capWindowSeconds` before it); the incident itself need not be among them.
    public func findings(for incident: Incident, current: [Incident] = []) throws -> [Finding] {
        try checkedFindings(for: incident, current: current).map { finding in
            var finding = finding
            finding.agreementID = agreement.id
            return finding
        }
    }

    private func checkedFindings(for incident: Incident, current: [Incident]) throws -> [Finding] {
        guard isInForce(at: incident.start) else { return [] }
        // The party on whose side of the contact line the incident lies, measured once.
        let party = try incident.point.map { try geometry.partyOn(contactSide($0)) } ?? nil
        var findings: [Finding] = []
        if let point = incident.point {
            findings += try withdrawalFindings(incident, at: point)
            findings += try zoneFindings(incident, at: point, party: party)
            findings += try liveFireFindings(incident, at: point)
            findings += try capFindings(incident, at: point, current: current)
            findings += settlementFindings(incident, at: point, party: party)
        }
        findings += try prohibitionFindings(incident, party: party)
        return findings
    }

    private func withdrawalFindings(_ incident: Incident, at point: GeoPoint) throws -> [Finding] {
        var findings: [Finding] = []
        for (weaponClass, tally) in incident.weaponsByClass.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for rule in agreement.withdrawalRules where rule.weaponClasses.contains(weaponClass) && rule.effectiveFrom <= incident.start {
                for party in agreement.parties where rule.parties.isEmpty || rule.parties.contains(party.id) {
                    guard let line = agreement.lines.first(where: { $0.id == party.measuresFrom }) else { continue }
                    let measured = try LineGeometry.distance(from: point, to: line.points)
                    guard measured.side == party.side, !measured.beyondEnd, measured.distanceMetres < rule.distanceKm * 1000 else { continue }
                    let km = (measured.distanceMetres / 100).rounded() / 10
                    let models = tally.models.isEmpty ? "" : " (\(tally.models.joined(separator: ", ")))"
                    findings.append(Finding(
                        kind: .weaponInsideWithdrawalDistance, ruleID: rule.id, party: party.id, measured: km, limit: rule.distanceKm,
                        text: "\(tally.quantity) × \(weaponClass.rawValue)\(models) sighted \(NumberRule.format(km)) km from \(line.id) on \(party.name)'s side; the limit for \(weaponClass.rawValue) is \(NumberRule.format(rule.distanceKm)) km"
                    ))
                }
            }
        }
        return findings
    }

    private func zoneFindings(_ incident: Incident, at point: GeoPoint, party: String?) throws -> [Finding] {
        guard incident.kind.isCeasefireViolation, !incident.liveFireTraining else { return [] }
        return try agreement.zones
            .filter { [.demilitarisedZone, .disengagementArea].contains($0.kind) && $0.effectiveFrom <= incident.start }
            .filter { try geometry.contains($0, point) }
            .map { zone in
                Finding(kind: .fireInProtectedZone, ruleID: zone.id, party: party, measured: nil, limit: nil,
                        text: "\(incident.kind.rawValue.replacingOccurrences(of: "_", with: " ")) inside \(zone.name) (\(zone.kind.rawValue.replacingOccurrences(of: "_", with: " ")))")
            }
    }

    private func liveFireFindings(_ incident: Incident, at point: GeoPoint) throws -> [Finding] {
        guard incident.liveFireTraining, let contact = agreement.contactLine else { return [] }
        let rules = agreement.withdrawalRules.filter { $0.effectiveFrom <= incident.start }
        guard let widest = rules.max(by: { $0.distanceKm < $1.distanceKm }) else { return [] }
        let measured = try LineGeometry.distance(from: point, to: contact.points)
        guard !measured.beyondEnd, measured.distanceMetres < widest.distanceKm * 1000 else { return [] }
        let km = (measured.distanceMetres / 100).rounded() / 10
        return [Finding(kind: .liveFireInSecurityZone, ruleID: widest.id, party: geometry.partyOn(measured.side), measured: km, limit: widest.distanceKm,
                        text: "live-fire training \(NumberRule.format(km)) km from the contact line, inside the \(NumberRule.format(widest.distanceKm)) km security zone")]
    }

    /// A zone's cap on a weapon class (or on troops) is exceeded when the quantities sighted in
    /// the zone by the incidents of the last `capWindowSeconds`, this one included, add up to
    /// more than the cap. Sightings of one unit by two incidents are counted twice: the total
    /// is what was seen, for an analyst to judge.
    private func capFindings(_ incident: Incident, at point: GeoPoint, current: [Incident]) throws -> [Finding] {
        let subjects = Self.capSubjects(of: incident)
        guard !subjects.isEmpty else { return [] }
        var findings: [Finding] = []
        for zone in agreement.zones where zone.effectiveFrom <= incident.start && !zone.caps.isEmpty {
            let caps = zone.caps.filter { subjects[$0.subject] != nil }
            guard !caps.isEmpty, try geometry.contains(zone, point) else { continue }
            var others: [Incident] = []
            for other in Self.currentForCaps(incident, among: current) {
                if let otherPoint = other.point, try geometry.contains(zone, otherPoint) { others.append(other) }
            }
            for cap in caps {
                let counted = [incident] + others.filter { Self.capSubjects(of: $0)[cap.subject] != nil }
                let total = counted.reduce(0) { $0 + (Self.capSubjects(of: $1)[cap.subject] ?? 0) }
                guard total > cap.maximum else { continue }
                let across = counted.count == 1 ? "" : " across \(counted.count) incidents"
                findings.append(Finding(
                    kind: .zoneCapExceeded, ruleID: "\(zone.id)/\(cap.subject)", party: zone.party, measured: Double(total), limit: Double(cap.maximum),
                    text: "\(total) × \(cap.subject) sighted in \(zone.name) in the 24 h to \(Timestamp.format(incident.start))\(across); the cap is \(cap.maximum)"
                ))
            }
        }
        return findings
    }

    /// What an incident counts towards zone caps: weapons by class, troops from troop movements.
    static func capSubjects(of incident: Incident) -> [CapSubject: Int] {
        var subjects: [CapSubject: Int] = [:]
        for (weaponClass, tally) in incident.weaponsByClass { subjects[.weapon(weaponClass)] = tally.quantity }
        if incident.kind == .troopMovement { subjects[.force(.troops)] = incident.estimatedEvents }
        return subjects
    }

    private func settlementFindings(_ incident: Incident, at point: GeoPoint, party: String?) -> [Finding] {
        guard let settlements else { return [] }
        let heavy = incident.weaponsByClass.filter { $0.key.isHeavyWeapon }.sorted { $0.key.rawValue < $1.key.rawValue }
        guard !heavy.isEmpty else { return [] }
        return agreement.prohibitions.compactMap { prohibition in
            guard prohibition.activity == .heavyWeaponsNearSettlements, prohibition.effectiveFrom <= incident.start,
                  let limitKm = prohibition.distanceKm,
                  let nearby = settlements.nearest(to: point, within: limitKm * 1_000) else { return nil }
            let weapons = heavy.map { "\($0.value.quantity) × \($0.key.rawValue)" + ($0.value.models.isEmpty ? "" : " (\($0.value.models.joined(separator: ", ")))") }
            let km = (nearby.edgeDistanceMetres / 100).rounded() / 10
            let where_ = nearby.edgeDistanceMetres == 0
                ? "inside \(nearby.name) (within its estimated extent of \(NumberRule.format((nearby.extentMetres / 100).rounded() / 10)) km)"
                : "\(NumberRule.format(km)) km from the estimated edge of \(nearby.name)"
            return Finding(kind: .heavyWeaponNearSettlement, ruleID: prohibition.id, party: party, measured: km, limit: limitKm,
                           text: "\(weapons.joined(separator: ", ")) sighted \(where_); heavy weapons must stay \(NumberRule.format(limitKm)) km from settlements")
        }
    }

    private func prohibitionFindings(_ incident: Incident, party: String?) throws -> [Finding] {
        var findings: [Finding] = []
        for prohibition in agreement.prohibitions where prohibition.effectiveFrom <= incident.start {
            let applies: Bool = switch prohibition.activity {
            case .firing, .hostileActs: incident.kind.isCeasefireViolation && !incident.liveFireTraining
            case .aerialVehicleUse: incident.kind == .uavOverflight
            case .mineLaying: incident.kind == .mine
            case .restrictingMonitors: incident.kind == .freedomOfMovementRestriction || incident.kind == .gpsInterference
            default: false
            }
            guard applies else { continue }
            if let zoneID = prohibition.zone {
                guard let zone = agreement.zones.first(where: { $0.id == zoneID }), let point = incident.point, try geometry.contains(zone, point) else { continue }
            }
            let kind: Finding.Kind = prohibition.activity == .restrictingMonitors ? .monitorsRestricted : .prohibitedActivity
            findings.append(Finding(kind: kind, ruleID: prohibition.id, party: party, measured: nil, limit: nil,
                                    text: "\(incident.kind.rawValue.replacingOccurrences(of: "_", with: " ")) breaks '\(prohibition.activity.rawValue.replacingOccurrences(of: "_", with: " "))' (\(prohibition.id), in force since \(Timestamp.format(prohibition.effectiveFrom)))"))
        }
        return findings
    }

    private func contactSide(_ point: GeoPoint) throws -> SideOfLine? {
        guard let contact = agreement.contactLine else { return nil }
        return try LineGeometry.distance(from: point, to: contact.points).side
    }
}
