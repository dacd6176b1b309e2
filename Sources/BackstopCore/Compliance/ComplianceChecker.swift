import Foundation

/// Checks an incident against the agreement version in force at the incident's time. A rule
/// before its effective time produces nothing.
///
/// Checked so far: weapons inside their class's withdrawal distance on the bound party's side;
/// fire inside a demilitarised zone or disengagement area; prohibited firing, aerial vehicles,
/// mine-laying and restrictions of the monitors; live-fire training inside the security zone.
/// Not yet: caps summed over incidents, heavy weapons near settlements.
public struct ComplianceChecker: Sendable {
    public let geometry: AgreementGeometry

    public init(agreement: Agreement) {
        geometry = AgreementGeometry(agreement)
    }

    var agreement: Agreement { geometry.agreement }

    public func isInForce(at time: Date) -> Bool {
        agreement.effectiveFrom <= time && (agreement.effectiveUntil.map { time < $0 } ?? true)
    }

    public func findings(for incident: Incident) throws -> [Finding] {
        guard isInForce(at: incident.start) else { return [] }
        // The party on whose side of the contact line the incident lies, measured once.
        let party = try incident.point.map { try geometry.partyOn(contactSide($0)) } ?? nil
        var findings: [Finding] = []
        if let point = incident.point {
            findings += try withdrawalFindings(incident, at: point)
            findings += try zoneFindings(incident, at: point, party: party)
            findings += try liveFireFindings(incident, at: point)
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
