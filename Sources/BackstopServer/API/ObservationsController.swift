import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird
import Prometheus
import Synchronization

/// Intake and retrieval of observations.
struct ObservationsController: Sendable {
    let store: any BackstopStore
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    let resolvers: LocationResolverCache
    let intake: IntakeActivity

    func register(with routes: RouteRegistrar) {
        routes.add(.submitObservations) { request, _, identity in try await submit(request, identity: identity!) }
        routes.add(.listObservations) { request, _, identity in try await list(request, identity: identity!) }
        routes.add(.getObservation) { _, context, identity in try await get(context, identity: identity!) }
    }

    // MARK: Submit

    func submit(_ request: Request, identity: Identity) async throws -> Response {
        intake.began()
        var accepted = 0
        defer { intake.ended(accepted: accepted) }
        // A batch's elements are parsed as they are read, each on one core (see `readAndStore`).
        var (body, elements) = try await RequestBody.json(request, limit: configuration.maxBodyBytes, deferringElementsOf: "observations")
        let now = configuration.now()
        // A sensor's token: its registration (looked up once) places its records and hears its reports.
        let sensor = identity.role == .sensor ? try await store.sensors().first(where: { $0.sensor.token == identity.name })?.sensor : nil
        if let sensor { body = Self.observed(from: sensor, body) }
        var placed: (@Sendable (JSONValue) -> JSONValue)?
        if let sensor { placed = { record in Self.placed(record, from: sensor) } }
        let resolver = try await resolvers.resolver()
        // A registered camera's record that does not fit its field of view is kept, flagged.
        // Each record is read, located, written in its stored form and hashed on its own, in
        // one go (see `readAndStore`).
        let results: [SubmissionResult], isBatch: Bool
        do {
            (results, isBatch) = try await readAndStore(body, elements: elements, placed: placed, identity: identity, now: now) { observation in
                ObservationSubmission(observation: observation, reporter: identity.name, reporterTeam: identity.team, receivedAt: now,
                                      resolution: resolver.resolve(observation).flagged(sensor?.viewProblem(of: observation)))
            }
        } catch let error as StoreError {
            if case .conflict = error { metrics.observationConflicts.increment() }
            throw error
        }
        let created = results.count { $0.outcome == .created }
        accepted = created
        if let sensor {
            let outsideView = results.filter { $0.outcome == .created && sensor.viewProblem(of: $0.stored.observation) != nil }.count
            if outsideView > 0 { metrics.sensorRecordsOutsideView.increment(by: Int64(outsideView)) }
        }
        // The records are stored already: a liveness that cannot be written now is written by the next report.
        if let sensor, created > 0 { _ = try? await store.sensorSeen(id: sensor.id, at: now) }
        metrics.observationsCreated.increment(by: Int64(created))
        metrics.observationsReplayed.increment(by: Int64(results.count - created))

        let status: HTTPResponse.Status = created > 0 ? .created : .ok
        if !isBatch, let result = results.first {
            var headers: HTTPFields = [.location: "/api/v1/observations/\(result.stored.observation.id.uuidString.lowercased())"]
            if result.outcome == .replayed { headers[.idempotentReplayed] = "true" }
            return JSONResponse.make(status: status, result.stored.jsonValue, headers: headers)
        }
        let answer = JSONResponse.make(status: status, json: BatchSubmissionAnswer.bytes(results))
        // A thousand results are freed off the answer's path.
        freeLater(consume results)
        return answer
    }

    /// A registered sensor's records stand where the sensor stands: a record that names no
    /// observer takes the sensor's registered position (one that names its own keeps it).
    /// A batch whose elements are parsed later has them placed then (`placed`).
    static func observed(from sensor: Sensor, _ body: JSONValue) -> JSONValue {
        guard case .object(var root) = body, case .array(let records)? = root["observations"] else { return placed(body, from: sensor) }
        root["observations"] = .array(records.map { placed($0, from: sensor) })
        return .object(root)
    }

    /// One record placed at `sensor` unless it names its observer; anything else as it is.
    static func placed(_ record: JSONValue, from sensor: Sensor) -> JSONValue {
        guard case .object(var fields) = record, fields["observer"] == nil || fields["observer"] == .null else { return record }
        fields["observer"] = .object(["lat": .number(sensor.position.lat), "lon": .number(sensor.position.lon),
                                      "accuracy_m": .number(sensor.position.accuracyM)])
        return .object(fields)
    }

    /// Elements of a batch read and made into submissions at a time, on all cores; a batch of
    /// at least two parts is stored as it is read (`ObservationStore.submit(parts:)`): the
    /// store writes one part while the cores read the next.
    static let partSize = 100
    /// The first and the last part of a batch are this short: the writer waits for the first
    /// part to be read before it starts, and what is left once the last part is read is its
    /// write, before the commit.
    static let edgePartSize = 25

    /// Where the parts of a batch of `count` elements begin and end: one part up to
    /// `partSize`; otherwise a short first part, parts of `partSize`, and a short last part.
    static func partBounds(count: Int) -> [Range<Int>] {
        guard count > partSize else { return count > 0 ? [0..<count] : [] }
        var bounds = [0..<edgePartSize]
        var start = edgePartSize
        while count - start > partSize + edgePartSize {
            bounds.append(start..<start + partSize)
            start += partSize
        }
        // What is left is more than a short part and at most a part and a short part.
        bounds.append(start..<count - edgePartSize)
        bounds.append(count - edgePartSize..<count)
        return bounds
    }

    /// One observation, or `{"observations": [...]}`, each made into a submission by `submission`,
    /// and stored; every refused field of every element is reported, in the elements' order,
    /// and then nothing is stored. Each element is read start to end on one core: with
    /// `elements` (the batch's elements left unparsed), parsed there too, then `placed`, read,
    /// and its parsed value freed at once. An element that is not JSON refuses the batch with
    /// the body's first syntax error, as a body parsed whole is refused.
    private func readAndStore(_ body: JSONValue, elements deferred: StrictJSONParser.DeferredElements?,
                              placed: (@Sendable (JSONValue) -> JSONValue)?, identity: Identity, now: Date,
                              submission: @escaping @Sendable (Observation) -> ObservationSubmission) async throws -> ([SubmissionResult], Bool) {
        let sink = ErrorSink()
        guard body.objectValue?.keys.contains("observations") == true else {
            let (observation, errors) = Self.read(body, path: FieldPath(), identity: identity, now: now)
            guard let observation, errors.isEmpty else { throw rejected(errors) }
            return (try await store.submit([submission(observation)]), false)
        }
        guard let root = ObjectReader(body, path: FieldPath(), sink: sink),
              let elements = root.array("observations", required: true, maxCount: configuration.maxBatchSize)
        else {
            if let deferred, (0..<deferred.count).contains(where: { (try? deferred.element($0)) == nil }) {
                throw RequestBody.malformed(deferred.exactError())
            }
            throw rejected(sink.errors)
        }
        root.finish(explanations: ["id": "a batch is {\"observations\": [...]}; send a single observation on its own"])
        if elements.isEmpty { sink.add(FieldPath("observations"), "must contain at least one observation") }
        // Once an element is refused the others are only read, for their errors.
        let refused = Atomic(!sink.errors.isEmpty)
        let malformed = Atomic(false)
        let all = elements.enumerated().map { Element(path: $0.element.0, value: $0.element.1, index: $0.offset) }
        let parts = Self.partBounds(count: all.count).map { all[$0] }
        func read(_ part: ArraySlice<Element>) async -> (submissions: [ObservationSubmission], errors: [FieldError]) {
            let read = await Array(part).concurrentMap(minimumPart: 32) { element -> (submission: ObservationSubmission?, errors: [FieldError]) in
                let sink = ErrorSink()
                let object: ObjectReader?
                if let deferred {
                    // Read member by member when it is an observation's shape (see
                    // `FlatJSONObject`) and nothing is added to it; as a tree otherwise.
                    if placed == nil, let flat = deferred.flatObject(element.index) {
                        object = ObjectReader(flat, path: element.path, sink: sink)
                    } else {
                        guard let parsed = try? deferred.element(element.index) else {
                            malformed.store(true, ordering: .relaxed)
                            refused.store(true, ordering: .relaxed)
                            return (nil, [])
                        }
                        object = ObjectReader(placed?(parsed) ?? parsed, path: element.path, sink: sink)
                    }
                } else {
                    object = ObjectReader(element.value, path: element.path, sink: sink)
                }
                let (observation, errors) = Self.read(object, sink: sink, identity: identity, now: now)
                guard let observation, errors.isEmpty else {
                    refused.store(true, ordering: .relaxed)
                    return (nil, errors)
                }
                return (refused.load(ordering: .relaxed) ? nil : submission(observation), [])
            }
            return (read.compactMap(\.submission), read.flatMap(\.errors))
        }
        /// The body's first syntax error (400) before any field's (422), as for a body parsed whole.
        func refusal(_ errors: [FieldError]) -> any Error {
            if let deferred, malformed.load(ordering: .relaxed) { return RequestBody.malformed(deferred.exactError()) }
            return rejected(errors)
        }
        guard parts.count > 1 else {
            // A small batch waits to share a commit with others (see `GroupCommit`).
            let (submissions, errors) = await read(parts.first ?? [])
            if !(sink.errors + errors).isEmpty || malformed.load(ordering: .relaxed) { throw refusal(sink.errors + errors) }
            return (try await store.submit(submissions), true)
        }
        var errors = sink.errors
        let (stream, stored) = AsyncThrowingStream<[ObservationSubmission], any Error>.makeStream()
        return try await withThrowingTaskGroup(of: [SubmissionResult].self) { group in
            var storing = false
            for part in parts {
                let (submissions, partErrors) = await read(part)
                errors += partErrors
                guard errors.isEmpty, !malformed.load(ordering: .relaxed) else {
                    stored.finish(throwing: BatchRefused())
                    continue
                }
                stored.yield(submissions)
                if !storing {
                    // The first part is ready: only now is the writer taken.
                    group.addTask { try await store.submit(parts: stream) }
                    storing = true
                }
            }
            stored.finish()
            guard errors.isEmpty, !malformed.load(ordering: .relaxed) else {
                // The store undoes what it wrote of the first parts.
                while true {
                    do { if try await group.next() == nil { break } } catch {}
                }
                throw refusal(errors)
            }
            return (try await group.next() ?? [], true)
        }
    }

    /// Ends the parts of a batch that has a refused element: nothing of it is stored.
    private struct BatchRefused: Error {}

    private struct Element: Sendable {
        var path: FieldPath
        /// The element, or null when it is parsed as it is read (`elements` of `readAndStore`).
        var value: JSONValue
        var index: Int
    }

    /// One record read and checked against the caller's role: the observation, or what is wrong with it.
    private static func read(_ value: JSONValue, path: FieldPath, identity: Identity, now: Date) -> (observation: Observation?, errors: [FieldError]) {
        let sink = ErrorSink()
        return read(ObjectReader(value, path: path, sink: sink), sink: sink, identity: identity, now: now)
    }

    /// `object` reads into `sink`; it is nil when the value is not an object (`sink` says so).
    private static func read(_ object: ObjectReader?, sink: ErrorSink, identity: Identity, now: Date) -> (observation: Observation?, errors: [FieldError]) {
        let observation = object.flatMap { ObservationParser().read($0, now: now) }
        if let observation, let object { checkRole(observation, identity: identity, path: object.path, sink: sink) }
        return (observation, sink.errors)
    }

    private func rejected(_ errors: [FieldError]) -> APIError {
        metrics.observationsRejected.increment()
        return .validation(errors)
    }

    /// Sensors report what their instrument recorded; parties file allegations.
    private static func checkRole(_ observation: Observation, identity: Identity, path: FieldPath, sink: ErrorSink) {
        switch identity.role {
        case .sensor where ![.camera, .uav, .acoustic, .radar, .satellite].contains(observation.modality):
            sink.add(path.key("modality"), "a sensor may report only camera, uav, acoustic, radar or satellite records")
        case .party where observation.modality != .partyAllegation:
            sink.add(path.key("modality"), "a party may file only party_allegation records")
        default:
            break
        }
    }

    // MARK: Read


    func list(_ request: Request, identity: Identity) async throws -> Response {
        let query = try query(request, identity: identity)
        let page = try await store.observations(matching: query)
        return JSONResponse.make(.object([
            "observations": .array(page.items.map(\.jsonValue)),
            "next_cursor": page.next.map { .string($0.token) } ?? .null,
        ]))
    }

    /// The listing's filters, read and checked, narrowed to what the caller may see (an export
    /// reads the same ones).
    func query(_ request: Request, identity: Identity, allowed: Set<String> = Endpoint.listObservations.queryParameters) throws -> ObservationQuery {
        var parameters = QueryParameters(request, allowed: allowed)
        var query = ObservationQuery()
        query.from = parameters.timestamp("from")
        query.to = parameters.timestamp("to")
        if let from = query.from, let to = query.to, to <= from { parameters.fail("to", "must be after from") }
        if let raw = parameters.value("bbox") {
            switch BoundingBox.parse(raw) {
            case .success(let bbox): query.bbox = bbox
            case .failure(let error): parameters.fail(error.path, error.reason)
            }
        }
        for raw in parameters.values("kind") {
            if let kind = ObservationKind(rawValue: raw) {
                query.kinds.insert(kind)
            } else {
                parameters.fail("kind", "unknown kind '\(raw)'; expected one of: \(ObservationKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        query.reporter = parameters.value("reporter")
        query.limit = parameters.int("limit", range: 1...ObservationQuery.maximumLimit) ?? ObservationQuery.defaultLimit
        if let raw = parameters.value("cursor") {
            if let cursor = ObservationCursor(token: raw) { query.after = cursor } else { parameters.fail("cursor", "is not a cursor this server issued") }
        }
        try parameters.check()
        try restrict(&query, to: identity)
        return query
    }

    /// Narrows a query to what the caller may see.
    private func restrict(_ query: inout ObservationQuery, to identity: Identity) throws {
        guard !identity.role.seesAllObservations else { return }
        if identity.role == .monitor, let team = identity.team {
            query.reporterTeam = team
            return
        }
        if let reporter = query.reporter, reporter != identity.name {
            throw APIError(.forbidden, code: "forbidden", message: "role \(identity.role.rawValue) may list only its own observations")
        }
        query.reporter = identity.name
    }

    private func isVisible(_ stored: StoredObservation, to identity: Identity) -> Bool {
        if identity.role.seesAllObservations { return true }
        if identity.role == .monitor, let team = identity.team { return stored.reporterTeam == team }
        return stored.reporter == identity.name
    }

    func get(_ context: AppRequestContext, identity: Identity) async throws -> Response {
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw) else { throw APIError.validation(path: "id", "'\(raw)' is not a UUID") }
        // An observation the caller may not see is reported as absent, not as forbidden.
        guard let stored = try await store.observation(id: id), isVisible(stored, to: identity) else {
            throw APIError.notFound("no observation \(id.uuidString.lowercased())")
        }
        return JSONResponse.make(stored.jsonValue)
    }
}

extension HTTPField.Name {
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
