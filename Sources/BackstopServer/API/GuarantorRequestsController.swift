import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird

/// Requests to the guarantor partners. Analysts (or the rules) draft, a supervisor issues to
/// a partner (the policy's first for the type unless named) and may withdraw; the addressed
/// partner's liaison acknowledges, accepts or declines, and completes. Each step is checked
/// against the request as stored, inside the transaction that writes it with its audit entry
/// and its outbox message. A partner sees only the requests addressed to it (404 otherwise).
struct GuarantorRequestsController: Sendable {
    let store: any BackstopStore
    let now: @Sendable () -> Date
    /// A draft may carry a long polygon; the steps after it are small.
    let draftBodyLimit: Int

    static let bodyLimit = 64 * 1024

    func register(with routes: RouteRegistrar) {
        routes.add(.listRequests) { request, _, identity in try await list(request, EscalationCaller(identity: identity)) }
        routes.add(.draftRequest) { request, _, identity in try await draft(request, identity!) }
        routes.add(.getRequest) { _, context, identity in
            let found = try await visible(context, EscalationCaller(identity: identity))
            return try EscalationResponse.make(found, headers: [.eTag: "\"\(found.version)\""])
        }
        routes.add(.getRequestCAP) { _, context, identity in
            let found = try await visible(context, EscalationCaller(identity: identity))
            let partner = try await store.policy(id: found.policyId, version: nil).flatMap { try $0.policy().partner(found.partner ?? "")?.name }
            return EscalationResponse.xml(CAPMessage(request: found, partnerName: partner).xml(), contentType: "application/cap+xml; charset=utf-8")
        }
        routes.add(.issueRequest) { request, context, identity in
            let body = try await Self.body(request, context)
            let partner = body.reader?.string("partner", maxLength: 100)
            try body.finish()
            return try await step(request, context, identity!, event: "issued", form: body.fromForm, needsPolicy: true) { request, policy, time in
                try request.issue(by: identity!.name, to: partner, policy: policy!, at: time)
            }
        }
        routes.add(.withdrawRequest) { request, context, identity in
            let body = try await Self.body(request, context)
            let reason = body.reader?.string("reason", required: true, maxLength: 2_000)
            try body.finish()
            return try await step(request, context, identity!, event: "withdrawn", form: body.fromForm, note: reason) { request, _, time in try request.withdraw(reason: reason!, at: time) }
        }
        routes.add(.acknowledgeRequest) { request, context, identity in
            let body = try await Self.body(request, context, optional: true)
            try body.finish()
            return try await step(request, context, identity!, event: "acknowledged", form: body.fromForm, needsPolicy: true) { request, policy, time in
                try request.acknowledge(as: identity!.name, policy: policy!, at: time)
            }
        }
        routes.add(.acceptRequest) { request, context, identity in
            let body = try await Self.body(request, context, optional: true)
            try body.finish()
            return try await step(request, context, identity!, event: "accepted", form: body.fromForm, needsPolicy: true) { request, policy, time in
                try request.accept(as: identity!.name, policy: policy!, at: time)
            }
        }
        routes.add(.declineRequest) { request, context, identity in
            let body = try await Self.body(request, context)
            let reason = body.reader?.string("reason", required: true, maxLength: 2_000)
            try body.finish()
            return try await step(request, context, identity!, event: "declined", form: body.fromForm, note: reason) { request, _, time in
                try request.decline(as: identity!.name, reason: reason!, at: time)
            }
        }
        routes.add(.completeRequest) { request, context, identity in
            let body = try await Self.body(request, context, optional: true)
            let note = body.reader?.string("note", maxLength: 2_000)
            try body.finish()
            return try await step(request, context, identity!, event: "completed", form: body.fromForm, note: note) { request, _, time in
                try request.complete(as: identity!.name, note: note, at: time)
            }
        }
    }

    // MARK: Reading

    func list(_ request: Request, _ caller: EscalationCaller) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.listRequests.queryParameters)
        let states = Set(parameters.values("state").compactMap { raw -> GuarantorRequest.State? in
            if let state = GuarantorRequest.State(rawValue: raw) { return state }
            parameters.fail("state", "unknown state '\(raw)'; expected one of: \(GuarantorRequest.State.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        })
        let types = Set(parameters.values("type").compactMap { raw -> RequestType? in
            if let type = RequestType(rawValue: raw) { return type }
            parameters.fail("type", "unknown request type '\(raw)'; expected one of: \(RequestType.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        })
        let partner = parameters.value("partner")
        let exercise = parameters.value("exercise").flatMap { raw -> Bool? in
            if let value = Bool(raw) { return value }
            parameters.fail("exercise", "must be true or false")
            return nil
        }
        let limit = parameters.int("limit", range: 1...ObservationQuery.maximumLimit) ?? ObservationQuery.defaultLimit
        try parameters.check()
        let requests = try await store.escalationRecords(.request, ids: nil).map { try $0.decode(GuarantorRequest.self) }.filter { request in
            Self.isVisible(request, to: caller) && (states.isEmpty || states.contains(request.state)) && (types.isEmpty || types.contains(request.type))
                && (partner == nil || request.partner == partner) && (exercise == nil || request.exercise == exercise)
        }
        return try EscalationResponse.make(["guarantor_requests": Array(requests.suffix(limit).reversed())])
    }

    /// The mission sees every request; a partner, those addressed to it now or before.
    static func isVisible(_ request: GuarantorRequest, to caller: EscalationCaller) -> Bool {
        if caller.insideMission { return true }
        guard let partner = caller.partner, request.state != .draft else { return false }
        return request.partner == partner || request.partnersTried.contains(partner)
    }

    private func stored(_ context: AppRequestContext) async throws -> GuarantorRequest {
        let id = try Self.id(context)
        guard let record = try await store.escalationRecords(.request, ids: [id.uuidString.lowercased()]).first else {
            throw APIError.notFound("no guarantor request \(id.uuidString.lowercased())")
        }
        return try record.decode(GuarantorRequest.self)
    }

    private func visible(_ context: AppRequestContext, _ caller: EscalationCaller) async throws -> GuarantorRequest {
        let request = try await stored(context)
        guard Self.isVisible(request, to: caller) else { throw APIError.notFound("no guarantor request \(request.id.uuidString.lowercased())") }
        return request
    }

    static func id(_ context: AppRequestContext) throws -> UUID {
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw) else { throw APIError.validation(path: "id", "'\(raw)' is not a UUID") }
        return id
    }

    // MARK: Writing

    /// A body read as an object whose unknown fields are refused; optional for steps that
    /// need nothing (an empty body is then fine).
    struct Body {
        var reader: ObjectReader?
        var sink: ErrorSink
        /// Sent by the console's form: answered by sending the browser back to the board.
        var fromForm = false

        func finish() throws {
            reader?.finish()
            try sink.check()
        }
    }

    static func body(_ request: Request, _ context: AppRequestContext, optional: Bool = false) async throws -> Body {
        let sink = ErrorSink()
        let read = try await DecisionBody.read(request, context, limit: bodyLimit, required: !optional)
        // A form's empty fields are fields not given.
        var json = read.json
        if read.fromForm, case .object(let fields)? = json { json = .object(fields.filter { $0.value != .string("") && $0.key != "version" }) }
        return Body(reader: json.flatMap { ObjectReader($0, path: FieldPath(), sink: sink) }, sink: sink, fromForm: read.fromForm)
    }

    /// One step of a request, decided on the request as stored in the transaction.
    private func step(_ request: Request, _ context: AppRequestContext, _ identity: Identity, event: String, form: Bool = false, note: String? = nil,
                      needsPolicy: Bool = false,
                      _ apply: @escaping @Sendable (inout GuarantorRequest, EscalationPolicy?, Date) throws -> Void) async throws -> Response {
        let caller = EscalationCaller(identity: identity)
        let before = try await visible(context, caller)
        let expected = try Self.expectedVersion(request)
        let policy = try await store.policy(id: before.policyId, version: nil).map { try $0.policy() }
        if needsPolicy, policy == nil { throw APIError(.conflict, code: "no_policy", message: "the request's policy \(before.policyId) is no longer stored") }
        let key = EscalationKey(.request, before.id.uuidString.lowercased())
        let time = now()
        let written = try await store.changeEscalation([key], fence: nil) { current in
            guard var request = try current[key]?.decode(GuarantorRequest.self) else { throw APIError.notFound("no guarantor request \(key.id)") }
            if let expected, expected != request.version {
                throw APIError(.conflict, code: "stale_version", message: "the request is at version \(request.version), not \(expected)",
                               headers: [.eTag: "\"\(request.version)\""])
            }
            do { try apply(&request, policy, time) } catch let refusal as RequestRefusal { throw Self.refusal(refusal) }
            var write = EscalationWrite()
            try RequestChange(request: request, event: event, actor: identity.name, note: note, now: time).add(to: &write)
            return write
        }
        guard let record = written?.first else { throw StoreError.unavailable("the request was not written") }
        let request = try record.decode(GuarantorRequest.self)
        if form { return ConsoleController.redirect(to: "/console/escalation") }
        return try EscalationResponse.make(request, headers: [.eTag: "\"\(request.version)\""])
    }

    static func expectedVersion(_ request: Request) throws -> Int? {
        guard let header = request.headers[.ifMatch] else { return nil }
        let inner = header.trimmingCharacters(in: CharacterSet(charactersIn: " \"W/"))
        guard let version = Int(inner), version >= 1 else { throw APIError.validation(path: "If-Match", "must be the request's ETag, such as \"2\"") }
        return version
    }

    static func refusal(_ refusal: RequestRefusal) -> APIError {
        switch refusal {
        case .wrongState: APIError(.conflict, code: "illegal_transition", message: refusal.description)
        case .notAddressee: APIError(.forbidden, code: "not_addressee", message: refusal.description)
        case .unknownPartner, .partnerDoesNotProvide, .noPartner: APIError.validation(path: "partner", refusal.description)
        }
    }

    func draft(_ request: Request, _ identity: Identity) async throws -> Response {
        let sink = ErrorSink()
        let json = try await RequestBody.json(request, limit: draftBodyLimit)
        let body = Body(reader: ObjectReader(json, path: FieldPath(), sink: sink), sink: sink)
        guard let reader = body.reader else { try body.finish(); return Response(status: .badRequest) }
        let type = reader.choice("type", RequestType.self, required: true, noun: "request type")
        let priority = reader.choice("priority", RequestPriority.self, noun: "priority") ?? .priority
        let policyID = reader.string("policy_id", required: true, maxLength: 100)
        let partner = reader.string("partner", maxLength: 100)
        let text = reader.string("text", required: true, maxLength: 4_000)
        let start = reader.timestamp("window_start", required: true)
        let end = reader.timestamp("window_end", required: true)
        let area = reader.object("area", required: true).flatMap(Self.area)
        let exercise = reader.bool("exercise") ?? false
        let sectorID = reader.string("sector_id", maxLength: 100)
        var incidents: [UUID] = []
        for (path, value) in reader.array("incident_ids", maxCount: 500) ?? [] {
            if let id = value.stringValue.flatMap(UUID.init(uuidString:)) { incidents.append(id) } else { sink.add(path, "must be an incident id (a UUID)") }
        }
        try body.finish()
        if let start, let end, end <= start { throw APIError.validation(path: "window_end", "must be after window_start") }
        guard let stored = try await store.policy(id: policyID!, version: nil) else { throw APIError.validation(path: "policy_id", "no policy '\(policyID!)' is stored") }
        let policy = try stored.policy()
        if let partner {
            guard let known = policy.partner(partner) else { throw APIError.validation(path: "partner", RequestRefusal.unknownPartner(partner).description) }
            guard known.provides.contains(type!) else {
                throw APIError.validation(path: "partner", RequestRefusal.partnerDoesNotProvide(partner: partner, type: type!).description)
            }
        }
        if let sectorID, policy.sector(sectorID) == nil { throw APIError.validation(path: "sector_id", "policy \(policy.id) has no sector '\(sectorID)'") }
        for (index, id) in incidents.enumerated() where try await store.storedIncident(id: id) == nil {
            throw APIError.validation(path: "incident_ids[\(index)]", "no incident \(id.uuidString.lowercased())")
        }
        let time = now()
        var drafted = GuarantorRequest(id: UUID(), type: type!, priority: priority, partner: partner, area: area!, windowStart: start!, windowEnd: end!,
                                       text: text!, incidentIds: incidents, sectorId: sectorID, policyId: policy.id, exercise: exercise,
                                       draftedBy: identity.name, draftedAt: time)
        drafted.version = 1
        let request = drafted
        let written = try await store.changeEscalation([], fence: nil) { _ in
            var write = EscalationWrite()
            try RequestChange(request: request, event: "drafted", actor: identity.name, note: nil, now: time).add(to: &write)
            return write
        }
        guard written != nil else { throw StoreError.unavailable("the request was not written") }
        return try EscalationResponse.make(status: .created, drafted,
                                           headers: [.eTag: "\"1\"", .location: "/api/v1/guarantor-requests/\(drafted.id.uuidString.lowercased())"])
    }

    /// `{"type": "circle", "lat", "lon", "radius_km"}` or `{"type": "polygon", "coordinates": [[lon, lat], …]}`.
    static func area(_ object: ObjectReader) -> RequestArea? {
        let type = object.string("type", required: true, maxLength: 20)
        switch type {
        case "circle":
            let lat = object.double("lat", required: true, rule: .latitude)
            let lon = object.double("lon", required: true, rule: .longitude)
            let radius = object.double("radius_km", required: true, rule: .within(0.01...1_000, unit: " km"))
            object.finish()
            guard let lat, let lon, let radius else { return nil }
            return .circle(lat: lat, lon: lon, radiusKm: radius)
        case "polygon":
            var ring: [GeoPoint] = []
            for (path, value) in object.array("coordinates", required: true, maxCount: 10_000) ?? [] {
                guard let pair = value.arrayValue, pair.count == 2, let lon = pair[0].doubleValue, let lat = pair[1].doubleValue,
                      (-180...180).contains(lon), (-90...90).contains(lat) else {
                    object.sink.add(path, "must be a [lon, lat] pair")
                    continue
                }
                ring.append(GeoPoint(lat: lat, lon: lon))
            }
            object.finish()
            if ring.count < 4 || ring.first != ring.last {
                object.sink.add(object.path.key("coordinates"), "must be a closed ring of at least 4 positions (the first repeated last)")
                return nil
            }
            return .polygon(ring)
        case nil: object.finish(); return nil
        case let other?:
            object.sink.add(object.path.key("type"), "unknown area type '\(other)'; expected circle or polygon")
            object.finish()
            return nil
        }
    }
}
