import BackstopCore
import BackstopStore
import Foundation
import Hummingbird

/// The escalation board: the sectors' alert levels, the guarantor requests with their
/// deadlines counting down, and the deliveries that failed. A partner's liaison sees the
/// requests addressed to that partner, with the steps it may take as forms that post to the
/// API's own endpoints.
struct EscalationBoardPage {
    let store: any BackstopStore
    let alerts: AlertsController
    let pages: PageRenderer
    let now: @Sendable () -> Date

    func response(_ context: AppRequestContext, identity: Identity) async throws -> Response {
        let caller = EscalationCaller(identity: identity)
        let time = now()
        var values = ConsoleFrame.values(caller.insideMission ? "Escalation board" : "Requests to \(identity.name)", context, identity: identity)
        if caller.insideMission {
            let sectors = try await alerts.sectorViews()
            values["hasSectors"] = !sectors.isEmpty
            values["sectors"] = sectors.map { sector in
                ["policy": sector.policyId, "name": sector.name, "level": sector.level, "levelName": sector.levelName,
                 "since": sector.since.map(Timestamp.format) ?? "", "raised": sector.level > 0] as [String: Any]
            }
        }
        let requests = try await store.escalationRecords(.request, ids: nil).map { try $0.decode(GuarantorRequest.self) }
            .filter { GuarantorRequestsController.isVisible($0, to: caller) && ($0.state.isOpen || caller.partner != nil) }
            .sorted { ($0.deadline ?? .distantFuture) < ($1.deadline ?? .distantFuture) }
        let supervisor = [Role.supervisor, .admin].contains(identity.role)
        let addressedHere = { (request: GuarantorRequest) in caller.partner != nil && request.partner == caller.partner }
        values["requests"] = requests.map { request in
            [
                "id": request.id.uuidString.lowercased(), "type": request.type.rawValue, "priority": request.priority.rawValue,
                "state": request.state.rawValue, "partner": request.partner ?? "not chosen yet", "text": request.text,
                "exercise": request.exercise, "version": request.version,
                "due": request.deadline.map { Self.countdown(to: $0, from: time, stage: request.deadlineStage) } ?? "",
                "overdue": request.deadline.map { $0 < time } ?? false,
                "canIssue": supervisor && request.state == .draft, "canWithdraw": supervisor && request.state.isOpen,
                "canAcknowledge": addressedHere(request) && request.state == .issued,
                "canAnswer": addressedHere(request) && request.state == .acknowledged,
                "canComplete": addressedHere(request) && request.state == .accepted,
            ] as [String: Any]
        }
        values["noRequests"] = requests.isEmpty
        if identity.role == .admin {
            let dead = try await store.deliveries(subscription: nil, state: .dead, limit: 100)
            values["dead"] = dead.map { delivery in
                ["id": delivery.id.uuidString.lowercased(), "event": delivery.event, "attempts": delivery.attempts.count,
                 "last": delivery.attempts.last.map { "\($0.status.map(String.init) ?? $0.error ?? "no answer") at \(Timestamp.format($0.at))" } ?? ""] as [String: Any]
            }
            values["admin"] = true
            values["hasDead"] = !dead.isEmpty
        }
        var response = pages.response("console-escalation", values)
        ConsoleFrame.secure(&response)
        return response
    }

    /// "acknowledge due in 1 h 05 min", or "acknowledge overdue by 12 min".
    static func countdown(to deadline: Date, from now: Date, stage: String?) -> String {
        let seconds = Int(deadline.timeIntervalSince(now).rounded())
        let span = abs(seconds)
        let text = span >= 3_600 ? "\(span / 3_600) h \(String(format: "%02d", span % 3_600 / 60)) min" : "\(max(span / 60, 0)) min"
        return "\(stage ?? "next step") " + (seconds >= 0 ? "due in \(text)" : "overdue by \(text)")
    }
}
