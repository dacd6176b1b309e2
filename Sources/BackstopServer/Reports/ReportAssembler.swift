import BackstopCore
import BackstopStore
import Foundation

/// Gathers what a daily report counts, edition by edition, from the same layer the API reads:
/// the incident board with the listings' release rules and redaction (`IncidentsController`:
/// the public edition holds only incidents released to the public, past the embargo, on the
/// public's grid, to the hour), the policies' sectors as regions, the agreement's disengagement
/// areas, and the period's records for the detail sections.
struct ReportAssembler: Sendable {
    let store: any BackstopStore
    let incidents: IncidentsController
    let calendar: ReportCalendar

    /// Sensors that filed records in this many days before a period, and none in it, are named as not reporting.
    static let silentLookbackDays = 7.0
    static let sensorModalities: Set<Modality> = [.camera, .acoustic, .uav, .radar]

    func draft(period: ReportPeriod, includeUnverified: Bool, number: Int, by actor: String, at time: Date) async throws -> DailyReport {
        let publicFrom = publicFrom(period, now: time)
        let (internalEdition, publicEdition) = try await editions(period: period, includeUnverified: includeUnverified, publicAt: publicFrom)
        var report = DailyReport(id: DailyReport.id(for: period), number: number, year: calendar.year(period.end), period: period,
                                 timeZone: calendar.timeZone.identifier, includesUnverified: includeUnverified,
                                 internalEdition: internalEdition, publicEdition: publicEdition, draftedBy: actor, draftedAt: time)
        report.publicFrom = publicFrom
        return report
    }

    /// When the public may read the period's report: once every incident that ended in the
    /// period is past the public embargo (counted, as for incidents, from the end of the hour).
    func publicFrom(_ period: ReportPeriod, now: Date) -> Date {
        max(now, PublicRedaction.hour(period.end.addingTimeInterval(-0.001)).addingTimeInterval(3600 + incidents.redaction.embargo))
    }

    /// Both editions. The public one holds what is released to the public and past the embargo
    /// at `publicAt`, the moment the public may read it.
    func editions(period: ReportPeriod, includeUnverified: Bool, publicAt: Date) async throws -> (ReportContent, ReportContent) {
        let maps = try await store.sectorMaps()
        let span = ReportPeriod(start: period.previous.start, end: period.end)
        let (redaction, settlements) = (incidents.redaction, incidents.settlements)
        let stored = try await incidents.board.read { entries in
            entries.values.map(\.incident).filter { !$0.isRetired && (span.contains($0.summary.startDate) || span.contains($0.released.startDate)) }
        }.0
        var staffIncidents: [ReportIncident] = [], publicIncidents: [ReportIncident] = []
        var publicMembers: Set<UUID> = []
        for incident in stored {
            let corrected = incident.corrected
            staffIncidents.append(reportIncident(incident, summary: corrected, at: corrected.location.map { GeoPoint(lat: $0.lat, lon: $0.lon) },
                                                 shownTime: corrected.startDate, place: nil, maps: maps, public: false))
            guard IncidentsController.visible(incident, to: .public, now: publicAt, redaction: redaction) else { continue }
            // Counted by its true start, so it falls in one period only; shown to the hour, at
            // the public's place; its region found from that place where there is one.
            let view = PublicIncidentView(incident, redaction: redaction, settlements: settlements)
            let released = incident.released
            let coarse = view.place.flatMap { place in place.lat.flatMap { lat in place.lon.map { GeoPoint(lat: lat, lon: $0) } } }
            publicIncidents.append(reportIncident(incident, summary: released, at: coarse ?? released.location.map { GeoPoint(lat: $0.lat, lon: $0.lon) },
                                                  shownTime: Timestamp.parse(view.start) ?? PublicRedaction.hour(released.startDate),
                                                  place: view.place, maps: maps, public: true))
            publicMembers.formUnion(released.observationIDs)
        }
        let (records, silent) = try await records(period)
        let publicRecords = records.filter { publicMembers.contains($0.id) }.map { Self.anonymised($0.record) }
        return (composer(staffIncidents, maps: maps, includeUnverified: includeUnverified)
                    .compose(period: period, incidents: staffIncidents, records: records.map(\.record), silent: silent),
                composer(publicIncidents, maps: maps, includeUnverified: includeUnverified)
                    .compose(period: period, incidents: publicIncidents, records: publicRecords, silent: silent, nameSilentSensors: false))
    }

    /// Ceasefire violations per reporting period (consecutive, oldest first) and per sector over
    /// all of them, as the mission counts them: verified incidents, and apart those not assessed yet.
    func violationStatistics(over periods: [ReportPeriod]) async throws -> ViolationStatistics {
        guard let first = periods.first, let last = periods.last else { return ViolationStatistics.tally([], days: []) }
        let span = ReportPeriod(start: first.start, end: last.end)
        let maps = try await store.sectorMaps()
        let stored = try await incidents.board.read { entries in
            entries.values.map(\.incident).filter { !$0.isRetired && span.contains($0.corrected.startDate) }
        }.0
        // Verified, or not assessed yet (no confirmed verdict); one found rejected, not verified
        // or inconclusive is not a violation the mission stands behind nor one it still checks.
        let counted = stored.filter { $0.workflow.holding == nil || $0.workflow.holding?.verdict == .verified }.map { incident in
            let corrected = incident.corrected
            return reportIncident(incident, summary: corrected, at: corrected.location.map { GeoPoint(lat: $0.lat, lon: $0.lon) },
                                  shownTime: corrected.startDate, place: nil, maps: maps, public: false)
        }
        return ViolationStatistics.tally(counted, days: periods)
    }

    /// The regions are the sectors of the policies whose sectors hold any of the edition's
    /// incidents (a sample policy of another agreement adds none, nor does an incident the
    /// edition does not show).
    private func composer(_ incidents: [ReportIncident], maps: [SectorMap], includeUnverified: Bool) -> DailyReportComposer {
        let used = Set(incidents.compactMap(\.region))
        let regions = maps.map { $0.policy.sectors.map(\.name) }.filter { !used.isDisjoint(with: $0) }.flatMap { $0 }
        return DailyReportComposer(regions: regions, includeUnverified: includeUnverified, calendar: calendar)
    }

    private func reportIncident(_ incident: StoredIncident, summary: IncidentSummary, at point: GeoPoint?, shownTime: Date,
                                place: PublicIncidentView.Place?, maps: [SectorMap], public isPublic: Bool) -> ReportIncident {
        let region = point.flatMap { point in
            maps.lazy.compactMap { map in map.sectors(containing: point).first.flatMap { id in map.policy.sector(id)?.name } }.first
        }
        let inDisengagement = point.map { point in maps.contains { $0.zoneKinds(containing: point).contains(.disengagementArea) } } ?? false
        let findings = isPublic ? incident.confirmedFindings : summary.findings
        let placeText: String
        if let near = place?.near {
            placeText = "near \(near)"
        } else if let place, let lat = place.lat, let lon = place.lon {
            placeText = Self.coordinates(GeoPoint(lat: lat, lon: lon), digits: 2)
        } else if isPublic || point == nil {
            placeText = "location not established"
        } else {
            placeText = Self.coordinates(point!, digits: 4)
        }
        return ReportIncident(
            id: incident.id, kind: summary.kind, start: summary.startDate, end: summary.endDate, shownTime: shownTime, region: region,
            place: placeText, events: summary.estimatedEvents, verified: incident.workflow.holding?.verdict == .verified,
            killed: summary.casualties?.killed ?? 0, injured: summary.casualties?.injured ?? 0,
            civilianCasualties: summary.casualties?.civilian == true, weapons: summary.weapons,
            findings: findings.map { ReportIncident.Finding(kind: $0.kind, rule: $0.rule, text: isPublic ? nil : $0.text) },
            inDisengagementArea: inDisengagement, direction: summary.direction,
            // The public view does not say how an incident was observed; the summary's counts of weapons it does.
            modalities: isPublic ? [] : summary.modalities, liveFireTraining: summary.liveFireTraining
        )
    }

    /// "48.1084° N, 37.7249° E"
    static func coordinates(_ point: GeoPoint, digits: Int) -> String {
        String(format: "%.\(digits)f° %@, %.\(digits)f° %@", abs(point.lat), point.lat >= 0 ? "N" : "S", abs(point.lon), point.lon >= 0 ? "E" : "W")
    }

    /// The period's records for the detail sections, and the sensors that fell silent.
    private func records(_ period: ReportPeriod) async throws -> ([(id: UUID, record: ReportRecord)], [SilentSensor]) {
        var query = ObservationQuery()
        query.from = period.start.addingTimeInterval(-Self.silentLookbackDays * 86_400)
        query.to = period.end
        query.limit = ObservationQuery.maximumLimit
        var inPeriod: [(id: UUID, record: ReportRecord)] = []
        var lastBefore: [String: (modality: String, last: Date)] = [:]
        var reporting: Set<String> = []
        while true {
            let page = try await store.observations(matching: query)
            for stored in page.items {
                let observation = stored.observation
                if period.contains(observation.observedAt) {
                    reporting.insert(stored.reporter)
                    var bearing: Double?, distance: ClosedRange<Double>?
                    if case .relativeToObserver(let fix) = observation.location {
                        bearing = fix.bearingDegrees
                        distance = fix.distance.map { $0.minKm...max($0.minKm, $0.maxKm) }
                    }
                    inPeriod.append((observation.id, ReportRecord(reporter: stored.reporter, modality: observation.modality.rawValue,
                                                                  kind: observation.kind.rawValue, subkind: observation.subkind, count: observation.count,
                                                                  bearingDegrees: bearing, distanceKm: distance)))
                } else if Self.sensorModalities.contains(observation.modality) {
                    let last = max(lastBefore[stored.reporter]?.last ?? observation.observedAt, observation.observedAt)
                    lastBefore[stored.reporter] = (observation.modality.rawValue, last)
                }
            }
            guard let next = page.next else { break }
            query.after = next
        }
        // The registry knows which sensors were silent and for how long; without one, a sensor that
        // filed in the week before the period and not in it is named.
        let registered = try await store.sensors()
        guard registered.isEmpty else {
            let now = incidents.now()
            let silent = registered.compactMap { stored -> SilentSensor? in
                let seconds = stored.liveness.silentSeconds(of: stored.sensor, within: period, at: now)
                return seconds > 0 ? SilentSensor(name: stored.sensor.name, modality: stored.sensor.kind.rawValue, lastReport: stored.liveness.lastSeen,
                                                  silentSeconds: seconds) : nil
            }
            return (inPeriod, silent)
        }
        let silent = lastBefore.filter { !reporting.contains($0.key) }.map { SilentSensor(name: $0.key, modality: $0.value.modality, lastReport: $0.value.last) }
        return (inPeriod, silent)
    }

    /// The public edition does not name patrols: it says what kind of observer made the record.
    static func anonymised(_ record: ReportRecord) -> ReportRecord {
        var record = record
        record.reporter = switch record.modality {
        case "heard", "saw", "saw_and_heard": "Patrols"
        case "camera": "Cameras"
        case "uav": "UAVs"
        case "acoustic": "Acoustic sensors"
        case "radar": "Radars"
        default: "Other sources"
        }
        return record
    }
}
