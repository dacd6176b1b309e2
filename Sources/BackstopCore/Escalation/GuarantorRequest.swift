import Foundation

/// A request to a guarantor partner: what is asked (type, area, time window, text), of whom,
/// how urgently, and why (the incidents, alert or rule behind it), with where it stands.
public struct GuarantorRequest: Sendable, Hashable, Codable {
    public enum State: String, CaseIterable, Sendable, Codable {
        case draft, issued, acknowledged, accepted, declined, completed, withdrawn

        public var isOpen: Bool { [.draft, .issued, .acknowledged, .accepted].contains(self) }
    }

    public var id: UUID
    public var type: RequestType
    public var priority: RequestPriority
    /// The partner it is addressed to (chosen when issued, from the policy's order unless named).
    public var partner: String?
    public var partnersTried: [String]
    public var area: RequestArea
    public var windowStart: Date
    public var windowEnd: Date
    public var text: String
    public var incidentIds: [UUID]
    public var observationIds: [UUID]
    public var alertId: UUID?
    public var ruleId: String?
    public var sectorId: String?
    public var policyId: String
    public var exercise: Bool
    public var state: State
    /// Grows with every change; `If-Match` names it.
    public var version: Int
    public var draftedBy: String
    public var draftedAt: Date
    public var issuedBy: String?
    public var issuedAt: Date?
    public var acknowledgedAt: Date?
    public var acceptedAt: Date?
    public var closedAt: Date?
    /// Why it was declined or withdrawn; what was done, when completed.
    public var reason: String?
    /// The step now awaited and when it is due.
    public var deadlineStage: String?
    public var deadline: Date?
    public var missedDeadlines: Int
    /// Every partner in the order missed its deadline: the request waits on the last one.
    public var overdue: Bool

    public init(id: UUID, type: RequestType, priority: RequestPriority, partner: String? = nil, area: RequestArea, windowStart: Date, windowEnd: Date,
                text: String, incidentIds: [UUID] = [], observationIds: [UUID] = [], alertId: UUID? = nil, ruleId: String? = nil,
                sectorId: String? = nil, policyId: String, exercise: Bool, draftedBy: String, draftedAt: Date) {
        self.id = id
        self.type = type
        self.priority = priority
        self.partner = partner
        partnersTried = []
        self.area = area
        self.windowStart = Timestamp.normalised(windowStart)
        self.windowEnd = Timestamp.normalised(windowEnd)
        self.text = text
        self.incidentIds = incidentIds
        self.observationIds = observationIds
        self.alertId = alertId
        self.ruleId = ruleId
        self.sectorId = sectorId
        self.policyId = policyId
        self.exercise = exercise
        state = .draft
        version = 1
        self.draftedBy = draftedBy
        self.draftedAt = Timestamp.normalised(draftedAt)
        missedDeadlines = 0
        overdue = false
    }

    /// The key rules use to draft no second request while one is open.
    public var draftKey: String? { ruleId.flatMap { rule in sectorId.map { "\(rule)/\($0)" } } }
}

/// Why a request cannot take a step.
public enum RequestRefusal: Error, Equatable, CustomStringConvertible {
    case wrongState(action: String, state: GuarantorRequest.State)
    case notAddressee(partner: String)
    case unknownPartner(String)
    case partnerDoesNotProvide(partner: String, type: RequestType)
    case noPartner(RequestType)

    public var description: String {
        switch self {
        case .wrongState(let action, let state): "a request that is \(state.rawValue) cannot be \(action)"
        case .notAddressee(let partner): "this request is addressed to another partner, not \(partner)"
        case .unknownPartner(let id): "the policy lists no partner '\(id)'"
        case .partnerDoesNotProvide(let partner, let type): "partner '\(partner)' does not provide \(type.rawValue)"
        case .noPartner(let type): "the policy orders no partner for \(type.rawValue); name one"
        }
    }
}

/// The steps of a request, each checked against its state and its addressee.
extension GuarantorRequest {
    public mutating func issue(by actor: String, to named: String?, policy: EscalationPolicy, at time: Date) throws(RequestRefusal) {
        guard state == .draft else { throw .wrongState(action: "issued", state: state) }
        let chosen = named ?? policy.nextPartner(for: type, after: [])
        guard let chosen else { throw .noPartner(type) }
        guard let partner = policy.partner(chosen) else { throw .unknownPartner(chosen) }
        guard partner.provides.contains(type) else { throw .partnerDoesNotProvide(partner: chosen, type: type) }
        self.partner = chosen
        partnersTried = [chosen]
        state = .issued
        issuedBy = actor
        issuedAt = Timestamp.normalised(time)
        setDeadline(stage: "acknowledge", minutes: policy.deadline(for: type, priority: priority)?.acknowledgeMinutes, from: time)
        version += 1
    }

    public mutating func acknowledge(as partner: String, policy: EscalationPolicy, at time: Date) throws(RequestRefusal) {
        try checkAddressee(partner)
        guard state == .issued else { throw .wrongState(action: "acknowledged", state: state) }
        state = .acknowledged
        acknowledgedAt = Timestamp.normalised(time)
        setDeadline(stage: "accept", minutes: policy.deadline(for: type, priority: priority)?.acceptMinutes, from: time)
        version += 1
    }

    public mutating func accept(as partner: String, policy: EscalationPolicy, at time: Date) throws(RequestRefusal) {
        try checkAddressee(partner)
        guard state == .issued || state == .acknowledged else { throw .wrongState(action: "accepted", state: state) }
        if acknowledgedAt == nil { acknowledgedAt = Timestamp.normalised(time) }
        state = .accepted
        acceptedAt = Timestamp.normalised(time)
        setDeadline(stage: "complete", minutes: policy.deadline(for: type, priority: priority)?.completeHours.map { $0 * 60 }, from: time)
        version += 1
    }

    public mutating func decline(as partner: String, reason: String, at time: Date) throws(RequestRefusal) {
        try checkAddressee(partner)
        guard state == .issued || state == .acknowledged else { throw .wrongState(action: "declined", state: state) }
        close(.declined, reason: reason, at: time)
    }

    public mutating func complete(as partner: String, note: String?, at time: Date) throws(RequestRefusal) {
        try checkAddressee(partner)
        guard state == .accepted else { throw .wrongState(action: "completed", state: state) }
        close(.completed, reason: note, at: time)
    }

    public mutating func withdraw(reason: String, at time: Date) throws(RequestRefusal) {
        guard state.isOpen else { throw .wrongState(action: "withdrawn", state: state) }
        close(.withdrawn, reason: reason, at: time)
    }

    /// Whether its deadline has passed at `time`.
    public func isPastDeadline(at time: Date) -> Bool {
        state.isOpen && state != .draft && (deadline.map { $0 <= time } ?? false)
    }

    /// A missed deadline: the request goes to the next partner in the policy's order (and
    /// that partner's clock starts), or, when none is left, stays with this one, overdue.
    /// Returns the partner it went to.
    @discardableResult
    public mutating func missDeadline(policy: EscalationPolicy, at time: Date) -> String? {
        missedDeadlines += 1
        version += 1
        if let next = policy.nextPartner(for: type, after: partnersTried) {
            partner = next
            partnersTried.append(next)
            state = .issued
            issuedAt = Timestamp.normalised(time)
            acknowledgedAt = nil
            acceptedAt = nil
            setDeadline(stage: "acknowledge", minutes: policy.deadline(for: type, priority: priority)?.acknowledgeMinutes, from: time)
            return next
        }
        overdue = true
        deadline = nil
        return nil
    }

    private func checkAddressee(_ caller: String) throws(RequestRefusal) {
        guard partner == caller else { throw .notAddressee(partner: caller) }
    }

    private mutating func setDeadline(stage: String, minutes: Double?, from time: Date) {
        deadlineStage = minutes == nil ? nil : stage
        deadline = minutes.map { Timestamp.normalised(time.addingTimeInterval($0 * 60)) }
    }

    private mutating func close(_ closing: State, reason: String?, at time: Date) {
        state = closing
        self.reason = reason
        closedAt = Timestamp.normalised(time)
        deadline = nil
        deadlineStage = nil
        version += 1
    }
}
