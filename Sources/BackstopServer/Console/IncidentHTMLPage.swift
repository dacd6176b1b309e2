import BackstopCore
import BackstopStore
import Foundation
import Hummingbird

/// The incident's page: the same view the API answers with as JSON (encoded, then shown), its
/// audit trail for the mission, and the decisions the reader's role may take as forms that post
/// to the API's own endpoints.
struct IncidentHTMLPage {
    enum Format: String, Representation {
        case json, html

        var acceptedTypes: [String] {
            switch self {
            case .json: ["application/json"]
            case .html: ["text/html"]
            }
        }
    }

    let pages: PageRenderer

    func response(view: some Encodable, incident: StoredIncident, identity: Identity?, context: AppRequestContext,
                  trail: [AuditEntry], problem: String?, mergeCandidates: [StoredIncident] = []) throws -> Response {
        let json = try JSONValue.parse(JSONEncoder().encode(view))
        let role = identity?.role ?? .public
        let staff = ReleaseLevel.audience(of: role) == .internal
        let supervisor = [Role.supervisor, .admin].contains(role)
        let id = incident.id.uuidString.lowercased()
        let pending = incident.workflow.pending
        let summary = json["location"] == nil ? nil : json
        var values: [String: Any] = [
            "id": id, "kind": json["kind"]?.stringValue ?? "", "start": json["start"]?.stringValue ?? "", "end": json["end"]?.stringValue ?? "",
            "state": json["state"]?.stringValue ?? json["verdict"]?.stringValue ?? "", "release": json["release_level"]?.stringValue,
            "version": json["version"]?.intValue, "staff": staff,
            "problem": problem.flatMap { DecisionBody.problems[$0] },
            "location": Self.place(summary?["location"] ?? json["place"]),
            "unlocated": json["unlocated_reason"]?.stringValue,
            "facts": Self.facts(json),
            "findings": (json["findings"]?.arrayValue ?? []).map { finding in
                ["kind": finding["kind"]?.stringValue ?? "", "rule": finding["rule"]?.stringValue ?? "", "agreement": finding["agreement"]?.stringValue ?? "",
                 "measured": finding["measured"]?.doubleValue.map { String(format: "%.0f", $0) } ?? "", "limit": finding["limit"]?.doubleValue.map { String(format: "%.0f", $0) } ?? "",
                 "text": finding["text"]?.stringValue ?? ""] as [String: Any]
            },
            "records": (json["observations"]?.arrayValue ?? []).map(Self.record),
            "assessments": (json["assessments"]?.arrayValue ?? []).map { assessment in
                ["number": assessment["number"]?.intValue ?? 0, "verdict": assessment["verdict"]?.stringValue ?? "", "status": assessment["status"]?.stringValue ?? "",
                 "note": assessment["note"]?.stringValue ?? "", "by": assessment["proposed_by"]?.stringValue ?? "", "at": assessment["proposed_at"]?.stringValue ?? "",
                 "decidedBy": assessment["decided_by"]?.stringValue ?? "", "reason": assessment["return_reason"]?.stringValue ?? ""] as [String: Any]
            },
            "trail": trail.map { entry in
                ["at": Timestamp.format(entry.recordedAt), "actor": entry.actor, "action": entry.action] as [String: Any]
            },
            "csrf": context.session?.csrf,
            "verdicts": Verdict.allCases.map(\.rawValue),
            "levels": ReleaseLevel.allCases.filter { $0 != .internal }.map(\.rawValue),
        ]
        // Mustache has no "if not empty": say which lists hold anything.
        for key in ["findings", "records", "assessments", "trail"] {
            values["has" + key.prefix(1).uppercased() + key.dropFirst()] = (values[key] as? [Any])?.isEmpty == false
        }
        if staff {
            values["canPropose"] = pending == nil
            if let pending {
                values["pending"] = ["number": pending.number, "verdict": pending.verdict.rawValue, "by": pending.proposedBy] as [String: Any]
                values["ownProposal"] = pending.proposedBy == identity?.name
                values["canDecide"] = supervisor && pending.proposedBy != identity?.name
            }
            values["canRelease"] = supervisor && incident.workflow.holding?.verdict == .verified
            // Merging and splitting: the analysts' correction of what fusion joined or kept apart.
            let here = incident.corrected
            values["mergeCandidates"] = mergeCandidates.map { other -> [String: Any] in
                let facts = other.corrected
                var text = "\(facts.kind), \(facts.start)"
                if let a = here.location, let b = facts.location {
                    text += String(format: ", %.1f km away", Geodesic.wgs84.distance(from: GeoPoint(lat: a.lat, lon: a.lon), to: GeoPoint(lat: b.lat, lon: b.lon)) / 1_000)
                }
                return ["id": other.id.uuidString.lowercased(), "text": text + " (\(facts.recordCount) record\(facts.recordCount == 1 ? "" : "s"), \(other.state.rawValue))"]
            }
            values["canMerge"] = !mergeCandidates.isEmpty
            values["canSplit"] = here.recordCount > 1
        }
        var frame = ConsoleFrame.values("Incident \(id.prefix(8))", context, identity: identity)
        frame.merge(values) { $1 }
        frame["leaflet"] = true
        var response = pages.response("console-incident", frame)
        ConsoleFrame.secure(&response)
        return response
    }

    static func place(_ location: JSONValue?) -> [String: Any]? {
        guard let location, let lat = location["lat"]?.doubleValue, let lon = location["lon"]?.doubleValue else {
            if let near = location?["near"]?.stringValue { return ["text": "near \(near)"] }
            return nil
        }
        var text = String(format: "%.4f, %.4f", lat, lon)
        if let radius = location["radius_m"]?.doubleValue { text += String(format: " ± %.0f m", radius) }
        if let fix = location["triangulation"], let bearings = fix["bearings"]?.intValue {
            text += String(format: "; %d bearings cross there, 95 %% ellipse %.0f × %.0f m", bearings,
                           fix["semi_major_m"]?.doubleValue ?? 0, fix["semi_minor_m"]?.doubleValue ?? 0)
        }
        return ["text": text]
    }

    static func facts(_ json: JSONValue) -> [[String: Any]] {
        var rows: [[String: Any]] = []
        func add(_ name: String, _ value: String?) { if let value, !value.isEmpty { rows.append(["name": name, "value": value]) } }
        add("Records", json["record_count"]?.intValue.map(String.init))
        add("Estimated events", json["estimated_events"]?.intValue.map(String.init))
        add("Independent sources", json["independent_sources"]?.intValue.map(String.init))
        add("Sources", json["sources"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", "))
        add("Modalities", json["modalities"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", "))
        add("Confidence", json["confidence"]?.doubleValue.map { String(format: "%.2f", $0) })
        add("Direction", json["direction"]?.stringValue)
        add("Weapons", json["weapons"]?.arrayValue?.map { "\($0["quantity"]?.intValue ?? 0) × \($0["class"]?.stringValue ?? "")" }.joined(separator: ", "))
        return rows
    }

    static func record(_ record: JSONValue) -> [String: Any] {
        let resolved = record["resolved_location"]
        let how: String = {
            guard let resolved else { return "" }
            if resolved["status"]?.stringValue == "resolved" {
                return [resolved["method"]?.stringValue, resolved["detail"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            }
            return "not located: " + (resolved["reason"]?.stringValue ?? "")
        }()
        return ["id": record["id"]?.stringValue ?? "", "reporter": record["reporter"]?.stringValue ?? "",
                "modality": record["modality"]?.stringValue ?? "", "at": record["observed_at"]?.stringValue ?? "",
                "count": record["count"]?.intValue ?? 1, "how": how, "joined": record["joined_because"]?.stringValue ?? "first record"]
    }
}
