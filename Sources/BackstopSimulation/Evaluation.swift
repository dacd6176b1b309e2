import BackstopCore
import Foundation

/// Runs fusion and compliance on simulated records and measures them against the truth.
///
/// - Association: pairwise precision and recall over records. A pair is "together" in the
///   truth when both records describe one event; false reports are alone. Retries (the same
///   id twice) count once, as the store keeps one.
/// - Event count: reportable incidents against the events the mission itself detected (at
///   least one record from a patrol, camera, acoustic array or the mission's UAV). An incident
///   is reportable when its confidence reaches `Incident.reportableConfidence`: a single party
///   allegation is not enough.
/// - Localisation: for each reportable incident, the distance from its position to the event
///   most of its records describe.
/// - Findings: each finding of a reportable incident is matched to the findings a perfect
///   observer would make on that event (same agreement, rule and kind); a finding repeated by
///   two incidents of one event matches once.
public struct Evaluation: Sendable {
    public let agreement: Agreement
    public let gazetteer: Gazetteer

    public init(agreement: Agreement, gazetteer: Gazetteer) {
        self.agreement = agreement
        self.gazetteer = gazetteer
    }

    public func run(observations arriving: [Observation], truth: SimulationTruth) throws -> JSONValue {
        var seen: Set<UUID> = []
        let observations = arriving.filter { seen.insert($0.id).inserted }
        let resolver = LocationResolver(places: PlaceResolver(gazetteer: gazetteer, areas: [AreaOfOperations(agreement)]))
        let records = observations.map { observation in
            let reporter = truth.reporters[observation.id] ?? SimulatedReporter(reporter: "unknown", team: nil)
            return FusionRecord(observation: observation, resolution: resolver.resolve(observation), reporter: reporter.reporter, reporterTeam: reporter.team)
        }
        let unresolved = records.filter { $0.point == nil }.count

        let clock = ContinuousClock()
        let compliance = MissionCompliance(agreements: [agreement], settlements: SettlementIndex(gazetteer))
        var book = IncidentBook(compliance: compliance)
        let fusionTime = clock.measure { book.add(records) }
        let incidents = book.incidents.values.sorted { UUIDOrder.less($0.id, $1.id) }
        var reversed = FusionEngine()
        for record in records.reversed() { reversed.add(record) }
        let reversedIncidents = reversed.incidents().sorted { UUIDOrder.less($0.id, $1.id) }
        let orderIndependent = reversedIncidents.map(\.memberIDs) == incidents.map(\.memberIDs)

        // Truth labels.
        var eventOf: [UUID: Int] = [:]
        for (index, event) in truth.events.enumerated() { for id in event.observationIDs { eventOf[id] = index } }
        let missionDetected = Set(truth.events.indices.filter { index in
            truth.events[index].observationIDs.contains { truth.reporters[$0]?.isMission == true }
        })

        let association = pairwise(incidents: incidents, eventOf: eventOf)

        let reportable = incidents.filter { $0.confidence >= Incident.reportableConfidence }
        let majority: [UUID: Int] = Dictionary(uniqueKeysWithValues: reportable.compactMap { incident in
            let labels = incident.memberIDs.compactMap { eventOf[$0] }
            guard !labels.isEmpty else { return nil }
            let counts = Dictionary(grouping: labels, by: { $0 }).mapValues(\.count)
            let best = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
            return (incident.id, best)
        })

        var errors: [Double] = []
        for incident in reportable {
            guard let point = incident.point, let event = majority[incident.id] else { continue }
            errors.append(Geodesic.wgs84.distance(from: point, to: truth.events[event].point))
        }
        errors.sort()
        let recordByID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
        let triangulation = triangulationAgainstBound(incidents: reportable, majority: majority, records: recordByID, truth: truth)

        // Findings, as the book keeps them up to date.
        var truthFindings: [String: Int] = [:]
        for index in missionDetected { for finding in truth.events[index].findings { truthFindings["\(index)|\(finding.key)", default: 0] += 1 } }
        let truthTotal = truthFindings.values.reduce(0, +)
        var predicted = 0, matched = 0
        var unmatched: [String: Int] = [:]
        var onFalseReports = 0
        for incident in reportable {
            for finding in book.findings(for: incident.id) {
                predicted += 1
                let key = "\(finding.agreementID)/\(finding.ruleID)/\(finding.kind.rawValue)"
                if let event = majority[incident.id], let remaining = truthFindings["\(event)|\(key)"], remaining > 0 {
                    truthFindings["\(event)|\(key)"] = remaining - 1
                    matched += 1
                } else {
                    unmatched[finding.kind.rawValue, default: 0] += 1
                    if majority[incident.id] == nil { onFalseReports += 1 }
                }
            }
        }
        var missed: [String: Int] = [:]
        for (key, remaining) in truthFindings where remaining > 0 {
            missed[String(key.split(separator: "/").last ?? ""), default: 0] += remaining
        }

        // The incidents that joined records of different events or false reports, for a person to read.
        var mixed: [JSONValue] = []
        for incident in incidents where mixed.count < 25 {
            let labels = incident.memberIDs.map { id in eventOf[id].map { truth.events[$0].id + ":" + truth.events[$0].category } ?? "false" }
            guard Set(labels).count > 1 else { continue }
            mixed.append(.object([
                "incident": .string(incident.id.uuidString.lowercased()),
                "members": .array(zip(incident.memberIDs, labels).map { id, label in
                    .string("\(label) \(truth.reporters[id]?.reporter ?? "?") \(book.reasons(forIncident: incident.id)[id] ?? "")")
                }),
            ]))
        }

        // Events whose records ended in more than one incident.
        var incidentOf: [UUID: UUID] = [:]
        for incident in incidents { for id in incident.memberIDs { incidentOf[id] = incident.id } }
        var split: [JSONValue] = []
        for event in truth.events where split.count < 25 {
            let present = event.observationIDs.filter { recordByID[$0] != nil }
            guard Set(present.compactMap { incidentOf[$0] }).count > 1 else { continue }
            split.append(.object([
                "event": .string(event.id + ":" + event.category),
                "records": .array(present.map { id in
                    let record = recordByID[id]!
                    let distance = record.point.map { Geodesic.wgs84.distance(from: $0, to: event.point) } ?? -1
                    return .string(String(format: "%@ in %@: %@ r=%.0f m, %.0f m off, t=%@..%@ ±%.0f s, %@", truth.reporters[id]?.reporter ?? "?",
                                          String(incidentOf[id]!.uuidString.prefix(8)), record.direction?.rawValue ?? "-", record.radiusMetres, distance,
                                          Timestamp.format(record.start), Timestamp.format(record.end), record.timeToleranceSeconds, String(id.uuidString.prefix(8))))
                }),
            ]))
        }

        func ratio(_ a: Int, _ b: Int) -> JSONValue { b == 0 ? .null : .number(Self.round(Double(a) / Double(b), 4)) }
        func percentile(_ p: Double) -> JSONValue {
            errors.isEmpty ? .null : .number(errors[min(errors.count - 1, Int((p * Double(errors.count - 1)).rounded()))].rounded())
        }
        let countError = missionDetected.isEmpty ? 0 : Double(reportable.count - missionDetected.count) / Double(missionDetected.count)
        return .object([
            "agreement": .string(agreement.id),
            "records": .integer(Int(observations.count)),
            "retries_ignored": .integer(Int(arriving.count - observations.count)),
            "unresolved_locations": .integer(Int(unresolved)),
            "incidents": .integer(Int(incidents.count)),
            "reportable_incidents": .integer(Int(reportable.count)),
            "association": .object([
                "precision": ratio(association.together, association.predictedPairs),
                "recall": ratio(association.together, association.truePairs),
                "f1": .number(Self.round(association.f1, 4)),
                "true_pairs": .integer(Int(association.truePairs)),
                "predicted_pairs": .integer(Int(association.predictedPairs)),
            ]),
            "event_count": .object([
                "true_events": .integer(Int(truth.events.count)),
                "detected_by_mission": .integer(Int(missionDetected.count)),
                "estimated": .integer(Int(reportable.count)),
                "relative_error": .number(Self.round(countError, 4)),
            ]),
            "localisation_error_m": .object([
                "incidents_measured": .integer(Int(errors.count)),
                "median": percentile(0.5),
                "p95": percentile(0.95),
            ]),
            "triangulation": triangulation,
            "findings": .object([
                "truth": .integer(Int(truthTotal)),
                "predicted": .integer(Int(predicted)),
                "matched": .integer(Int(matched)),
                "precision": ratio(matched, predicted),
                "recall": ratio(matched, truthTotal),
                "unmatched_by_kind": .object(unmatched.mapValues { .integer(Int($0)) }),
                "unmatched_on_false_reports": .integer(Int(onFalseReports)),
                "missed_by_kind": .object(missed.mapValues { .integer(Int($0)) }),
            ]),
            "order_independent": .bool(orderIndependent),
            "mixed_incidents": .array(mixed),
            "split_events": .array(split),
            "check_failures": .integer(Int(book.checkFailures.count)),
            "seconds_fusion_and_compliance": .number(Self.round(Self.seconds(fusionTime), 3)),
        ])
    }

    /// For the reportable incidents placed by lines of bearing: the distance from the fix to
    /// the event, next to the Cramér–Rao bound for the same geometry (the incident's sensors
    /// and the event's true place) and the sensors' true noise. The bound's errors are drawn
    /// from the bound's covariance (200 per incident), so its median and 95th percentile are
    /// those of an ideal estimator over the same incidents.
    func triangulationAgainstBound(incidents: [Incident], majority: [UUID: Int], records: [UUID: FusionRecord], truth: SimulationTruth) -> JSONValue {
        var random = SplitMix64(seed: 0x6372_6c62)
        var errors: [Double] = [], bound: [Double] = []
        var triangulated = 0
        for incident in incidents {
            guard let fix = incident.triangulation else { continue }
            triangulated += 1
            guard let event = majority[incident.id] else { continue }
            let truthPoint = truth.events[event].point
            let bearings = incident.memberIDs.compactMap { id -> BearingObservation? in
                guard let line = records[id]?.lineOfBearing, let name = truth.reporters[id]?.reporter, let sensor = truth.sensors[name] else { return nil }
                return BearingObservation(observer: line.observer, bearingDegrees: 0, sigmaDegrees: sensor.bearingNoiseDegrees)
            }
            guard bearings.count == fix.bearings, let covariance = try? Triangulation.cramerRaoBound(truth: truthPoint, bearings: bearings) else { continue }
            errors.append(Geodesic.wgs84.distance(from: fix.point, to: truthPoint))
            bound.append(contentsOf: Gaussian.radialErrors(covariance: covariance, count: 200, random: &random))
        }
        let lines = records.values.filter { $0.lineOfBearing != nil }
        var placed: Set<UUID> = []
        for incident in incidents where incident.point != nil { placed.formUnion(incident.memberIDs) }
        func metres(_ values: [Double], _ q: Double) -> JSONValue { values.isEmpty ? .null : .number(Gaussian.quantile(values, q).rounded()) }
        let ratio: JSONValue = errors.isEmpty ? .null : .number(Self.round(Gaussian.quantile(errors, 0.5) / Gaussian.quantile(bound, 0.5), 3))
        return .object([
            "bearing_records": .integer(lines.count),
            "bearing_records_in_located_incidents": .integer(lines.filter { placed.contains($0.id) }.count),
            "incidents_triangulated": .integer(triangulated),
            "incidents_measured": .integer(errors.count),
            "median_error_m": metres(errors, 0.5),
            "p95_error_m": metres(errors, 0.95),
            "crlb_median_m": metres(bound, 0.5),
            "crlb_p95_m": metres(bound, 0.95),
            "median_ratio_to_crlb": ratio,
        ])
    }

    struct PairCounts {
        var together = 0
        var predictedPairs = 0
        var truePairs = 0

        var f1: Double {
            guard predictedPairs > 0, truePairs > 0, together > 0 else { return 0 }
            let precision = Double(together) / Double(predictedPairs), recall = Double(together) / Double(truePairs)
            return 2 * precision * recall / (precision + recall)
        }
    }

    /// Pair counts from the contingency table of incidents × events, never from all pairs.
    func pairwise(incidents: [Incident], eventOf: [UUID: Int]) -> PairCounts {
        func pairs(_ n: Int) -> Int { n * (n - 1) / 2 }
        var counts = PairCounts()
        var eventSizes: [Int: Int] = [:]
        for incident in incidents {
            counts.predictedPairs += pairs(incident.memberIDs.count)
            var cells: [Int: Int] = [:]
            for id in incident.memberIDs {
                guard let event = eventOf[id] else { continue }
                cells[event, default: 0] += 1
                eventSizes[event, default: 0] += 1
            }
            counts.together += cells.values.reduce(0) { $0 + pairs($1) }
        }
        counts.truePairs = eventSizes.values.reduce(0) { $0 + pairs($1) }
        return counts
    }

    static func round(_ value: Double, _ places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
