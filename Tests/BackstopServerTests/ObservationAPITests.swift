import BackstopCore
import BackstopServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ObservationAPITests {
    func paths(_ json: JSONValue) -> [String] {
        json["errors"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
    }

    // MARK: Tests

    @Test func aSubmissionIsReadBackWithTheReporterFromTheToken() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let id = UUID()
            let created = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: Fixtures.observation(id: id))
            #expect(created.status == .created)
            #expect(created.headers[.location] == "/api/v1/observations/\(id.uuidString.lowercased())")
            let read = try await client.call(.get, "/api/v1/observations/\(id.uuidString.lowercased())", as: "analyst", server: server)
            #expect(read.status == .ok)
            #expect(read.json["reporter"] == .string("monitor"))
            #expect(read.json["reporter_team"] == .string("team-a"))
            #expect(read.json["received_at"] == .string("2021-03-02T00:00:00.000Z"))
            #expect(read.json["resolved_location"]?["status"] == .string("resolved"))
            #expect(read.json["count"] == .number(2))
        }
    }

    @Test func aRetryGetsTheStoredRecordAndAChangedBodyGetsAConflict() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let id = UUID()
            let body = Fixtures.observation(id: id)
            let first = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: body)
            let retry = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: body)
            #expect(first.status == .created)
            #expect(retry.status == .ok)
            #expect(retry.headers[.init("Idempotent-Replayed")!] == "true")
            #expect(retry.json == first.json)
            let changed = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: body.replacingOccurrences(of: "\"count\": 2", with: "\"count\": 3"))
            #expect(changed.status == .conflict)
            #expect(changed.json["error"] == .string("conflict"))
            let list = try await client.call(.get, "/api/v1/observations", as: "analyst", server: server)
            #expect(list.json["observations"]?.arrayValue?.count == 1)
        }
    }

    @Test func aBatchIsAtomicAndReportsEachRecord() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let ids = (0..<5).map { _ in UUID() }
            let batch = "{\"observations\": [" + ids.map { Fixtures.observation(id: $0) }.joined(separator: ",") + "]}"
            let created = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: batch)
            #expect(created.status == .created)
            #expect(created.json["created"] == .number(5))
            let again = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: batch)
            #expect(again.status == .ok)
            #expect(again.json["replayed"] == .number(5))

            let bad = "{\"observations\": [" + Fixtures.observation() + "," + Fixtures.observation().replacingOccurrences(of: "\"lat\": 48.10", with: "\"lat\": 148.10") + "]}"
            let refused = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: bad)
            #expect(refused.status == .unprocessableContent)
            #expect(paths(refused.json) == ["observations[1].location.lat"])
            let list = try await client.call(.get, "/api/v1/observations?limit=1000", as: "analyst", server: server)
            #expect(list.json["observations"]?.arrayValue?.count == 5, "nothing of a refused batch is stored")
        }
    }

    /// A large batch is stored while it is read, part by part: it must answer exactly as a
    /// small one — every record in order, a retry replayed, a refused element in any part or a
    /// conflict in a later part leaving nothing stored.
    @Test func aLargeBatchStoredAsItIsReadIsStillOneBatch() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            func batch(_ records: [String]) -> String { "{\"observations\": [" + records.joined(separator: ",") + "]}" }
            let ids = (0..<650).map { _ in UUID() }
            let records = ids.map { Fixtures.observation(id: $0) }
            let created = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: batch(records))
            #expect(created.status == .created)
            #expect(created.json["created"] == .number(650))
            #expect(created.json["results"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ids.map { $0.uuidString.lowercased() })
            let again = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: batch(records))
            #expect(again.status == .ok)
            #expect(again.json["replayed"] == .number(650))

            var refusedRecords = (0..<650).map { _ in Fixtures.observation() }
            refusedRecords[3] = refusedRecords[3].replacingOccurrences(of: "\"lat\": 48.10", with: "\"lat\": 148.10")
            refusedRecords[640] = refusedRecords[640].replacingOccurrences(of: "\"lat\": 48.10", with: "\"lat\": 148.10")
            let refused = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: batch(refusedRecords))
            #expect(refused.status == .unprocessableContent)
            #expect(paths(refused.json) == ["observations[3].location.lat", "observations[640].location.lat"])
            var lateRefusal = (0..<650).map { _ in Fixtures.observation() }
            lateRefusal[610] = lateRefusal[610].replacingOccurrences(of: "\"lat\": 48.10", with: "\"lat\": 148.10")
            let refusedLate = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: batch(lateRefusal))
            #expect(paths(refusedLate.json) == ["observations[610].location.lat"], "refused after three parts were written")

            // Elements are parsed as they are read: one that is not JSON, found after parts were
            // written, refuses the batch as a body parsed whole is refused (400 before any 422).
            var lateSyntax = (0..<650).map { _ in Fixtures.observation() }
            lateSyntax[3] = lateSyntax[3].replacingOccurrences(of: "\"lat\": 48.10", with: "\"lat\": 148.10")
            lateSyntax[610] = Fixtures.observation(extra: #", "count": 4"#)
            let malformed = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: batch(lateSyntax))
            #expect(malformed.status == .badRequest)
            #expect(malformed.json["error"] == .string("malformed_json"))
            #expect(paths(malformed.json) == ["observations[610].count"])

            var conflicting = (0..<650).map { _ in Fixtures.observation() }
            conflicting[500] = records[7].replacingOccurrences(of: "\"count\": 2", with: "\"count\": 3")
            let conflict = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: batch(conflicting))
            #expect(conflict.status == .conflict)
            var count = 0
            var cursor: String? = nil
            repeat {
                let page = try await client.call(.get, "/api/v1/observations?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? ""), as: "analyst", server: server)
                count += page.json["observations"]?.arrayValue?.count ?? 0
                cursor = page.json["next_cursor"]?.stringValue
            } while cursor != nil
            #expect(count == 650, "nothing of a refused or conflicting batch is stored")
        }
    }

    /// A batch's answer is written straight as bytes: the same bytes as the canonical JSON of
    /// what it says (keys sorted, nothing between tokens), for a batch created and replayed.
    @Test func aBatchAnswerIsCanonicalJSON() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let ids = (0..<3).map { _ in UUID() }
            let body = "{\"observations\": [" + ids.map { Fixtures.observation(id: $0) }.joined(separator: ",") + "]}"
            for expected in [HTTPResponse.Status.created, .ok] {
                try await client.execute(uri: "/api/v1/observations", method: .post, headers: server.headers("monitor"), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == expected)
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                    let bytes = Array(response.body.readableBytesView)
                    let answer = try JSONValue.parse(Data(bytes))
                    #expect(Array(answer.canonicalData()) == bytes)
                    let outcome = expected == .created ? "created" : "replayed"
                    #expect(answer == .object([
                        "created": .number(expected == .created ? 3 : 0), "replayed": .number(expected == .created ? 0 : 3),
                        "results": .array(ids.map { .object(["id": .string($0.uuidString.lowercased()), "status": .string(outcome)]) }),
                    ]))
                }
            }
        }
    }

    @Test func aBatchOverTheLimitIsRefused() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let one = Fixtures.observation()
            let batch = "{\"observations\": [" + Array(repeating: one, count: 1_001).joined(separator: ",") + "]}"
            let response = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: batch)
            #expect(response.status == .unprocessableContent)
            #expect(paths(response.json) == ["observations"])
        }
    }

    @Test(arguments: [
        ("", HTTPResponse.Status.badRequest, "empty_body"),
        ("{not json", .badRequest, "malformed_json"),
        ("[]", .unprocessableContent, "validation_failed"),
        ("42", .unprocessableContent, "validation_failed"),
        (#"{"observations": "many"}"#, .unprocessableContent, "validation_failed"),
        (#"{"observations": []}"#, .unprocessableContent, "validation_failed"),
    ] as [(String, HTTPResponse.Status, String)])
    func malformedBodiesGetClearErrors(body: String, status: HTTPResponse.Status, code: String) async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let response = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: body)
            #expect(response.status == status)
            #expect(response.json["error"] == .string(code))
        }
    }

    @Test func everyBadFieldIsListedWithItsPath() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let body = #"{"kind": "boom", "count": 0, "observed_at": "2031-01-01T00:00:00Z", "modality": "heard", "observer": {"lat": 91, "lon": 0}, "location": {"bearing_deg": 360, "distance_km": {"min": 5, "max": 1}}, "reporter": "x"}"#
            let response = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: body)
            #expect(response.status == .unprocessableContent)
            #expect(Set(paths(response.json)) == ["id", "kind", "count", "observed_at", "observer.lat", "location.bearing_deg", "location.distance_km.max", "reporter"])
        }
    }

    @Test func anOversizedBodyIs413() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let body = String(repeating: " ", count: 1_100_000)
            let response = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: body)
            #expect(response.status == .contentTooLarge)
            #expect(response.json["error"] == .string("too_large"))
        }
    }

    @Test func unknownRoutesAre404AndWrongMethods405() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let missing = try await client.call(.get, "/api/v1/nothing", as: "admin", server: server)
            #expect(missing.status == .notFound)
            #expect(missing.json["error"] == .string("not_found"))
            let wrong = try await client.call(.delete, "/api/v1/observations", as: "admin", server: server)
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "GET, POST")
            #expect(try await client.call(.post, "/api/v1/agreements/x", as: "admin", server: server).status == .methodNotAllowed)
            #expect(try await client.call(.get, "/api/v1/observations/\(UUID())", as: "admin", server: server).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/observations/not-a-uuid", as: "admin", server: server).status == .unprocessableContent)
        }
    }

    @Test func listingFiltersAndPagesOverHTTP() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            var expected: [String] = []
            for minute in 0..<25 {
                let id = UUID()
                let body = Fixtures.observation(id: id).replacingOccurrences(of: "2021-03-01T21:30:00Z", with: String(format: "2021-03-01T20:%02d:00Z", minute))
                _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: body)
                if minute >= 10 { expected.append(id.uuidString.lowercased()) }
            }
            var seen: [String] = []
            var uri = "/api/v1/observations?from=2021-03-01T20:10:00Z&kind=explosion,tracer&bbox=37.7,48.0,37.9,48.2&limit=4"
            while true {
                let page = try await client.call(.get, uri, as: "analyst", server: server)
                #expect(page.status == .ok)
                seen += page.json["observations"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                guard let cursor = page.json["next_cursor"]?.stringValue else { break }
                uri = "/api/v1/observations?from=2021-03-01T20:10:00Z&kind=explosion,tracer&bbox=37.7,48.0,37.9,48.2&limit=4&cursor=\(cursor)"
            }
            #expect(seen == expected)
            let outside = try await client.call(.get, "/api/v1/observations?bbox=30,40,31,41", as: "analyst", server: server)
            #expect(outside.json["observations"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test(arguments: [
        ("from=yesterday", "from"), ("bbox=1,2,3", "bbox"), ("bbox=10,0,5,1", "bbox"), ("kind=boom", "kind"),
        ("limit=0", "limit"), ("limit=5000", "limit"), ("cursor=garbage", "cursor"), ("sort=desc", "sort"),
        ("from=2021-03-02T00:00:00Z&to=2021-03-01T00:00:00Z", "to"),
    ])
    func badQueryParametersAreNamed(query: String, path: String) async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let response = try await client.call(.get, "/api/v1/observations?\(query)", as: "analyst", server: server)
            #expect(response.status == .unprocessableContent)
            #expect(paths(response.json) == [path])
        }
    }

    /// Mangled versions of a valid body never crash the server or produce a 500.
    @Test func mutatedBodiesNeverCauseA500() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let valid = Array(Fixtures.observation().utf8)
            var generator = SystemRandomNumberGenerator()
            let alphabet = Array("{}[]\":,0123456789.-eE truefalsnul\\u".utf8)
            for _ in 0..<300 {
                var bytes = valid
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    let index = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: bytes[index] = alphabet.randomElement(using: &generator)!
                    case 1: bytes.remove(at: index)
                    default: bytes.insert(alphabet.randomElement(using: &generator)!, at: index)
                    }
                    if bytes.isEmpty { bytes = valid }
                }
                let body = String(decoding: bytes, as: UTF8.self)
                let response = try await client.call(.post, "/api/v1/observations", as: "analyst", server: server, body: body)
                #expect([200, 201, 400, 409, 422].contains(response.status.code), "\(response.status.code) for \(body)")
            }
        }
    }

    @Test func metricsCountStoredObservations() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let body = Fixtures.observation()
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: body)
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: body)
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: server.headers("admin")) { String(buffer: $0.body) }
            #expect(metrics.contains(#"backstop_observations_stored_total{outcome="created"} 1"#))
            #expect(metrics.contains(#"backstop_observations_stored_total{outcome="replayed"} 1"#))
        }
    }
}

/// What a lenient server would quietly reinterpret is refused with the field and the reason.
@Suite struct StrictBodyTests {
    func post(_ client: some TestClientProtocol, _ server: TestServer, body: String, headers extra: HTTPFields) async throws -> (HTTPResponse.Status, JSONValue) {
        var headers = server.headers("monitor")
        for field in extra { headers[field.name] = field.value }
        return try await client.execute(uri: "/api/v1/observations", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            (response.status, (try? JSONValue.parse(String(buffer: response.body))) ?? .null)
        }
    }

    // MARK: Tests

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x"])
    func aBodyNotDeclaredAsJSONIs415(contentType: String) async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let (status, json) = try await post(client, server, body: Fixtures.observation(), headers: [.contentType: contentType])
            #expect(status == .unsupportedMediaType)
            #expect(json["errors"]?.arrayValue?.first?["path"] == .string("Content-Type"))
        }
    }

    @Test func aCompressedBodyIs415AndJSONWithParametersIsAccepted() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let (gzip, _) = try await post(client, server, body: Fixtures.observation(), headers: [.contentEncoding: "gzip"])
            #expect(gzip == .unsupportedMediaType)
            let (plain, _) = try await post(client, server, body: Fixtures.observation(), headers: [.contentType: "application/json; charset=utf-8"])
            #expect(plain == .created)
        }
    }

    @Test func aDuplicateKeyIs400WithItsPath() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let body = Fixtures.observation(extra: #", "location": {"lat": 48.2, "lon": 37.9}"#)
            let (status, json) = try await post(client, server, body: body, headers: [:])
            #expect(status == .badRequest)
            #expect(json["error"] == .string("malformed_json"))
            #expect(json["errors"]?.arrayValue?.first?["path"] == .string("location"))
        }
    }

    @Test(arguments: ["2021-02-29T21:30:00Z", "2021-03-01T25:00:00Z", "2021-03-01T23:60:00Z", "2021-03-01T23:59:61Z",
                      "0000-03-01T21:30:00Z", "2021-03-01T21:30:00+0530"])
    func anImpossibleTimeIs422NotRolledOver(time: String) async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let body = Fixtures.observation().replacingOccurrences(of: "2021-03-01T21:30:00Z", with: time)
            let (status, json) = try await post(client, server, body: body, headers: [:])
            #expect(status == .unprocessableContent)
            #expect(json["errors"]?.arrayValue?.first?["path"] == .string("observed_at"))
        }
    }

    @Test func largeIntegersComeBackExactly() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            for after in ["9223372036854775807", "9007199254740993"] {
                let text = try await client.execute(uri: "/api/v1/findings?after=\(after)", method: .get, headers: server.headers("analyst")) { String(buffer: $0.body) }
                #expect(text.contains(#""next_after":\#(after)"#), "\(text)")
            }
        }
    }

    @Test func headOptionsAndTraceOnAKnownPathAre405WithAllow() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            for method in [HTTPRequest.Method.head, .options, .trace] {
                try await client.execute(uri: "/healthz", method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method)")
                    #expect(response.headers[.allow] == "GET")
                }
            }
        }
    }
}

/// What the contract check (schemathesis) found at the HTTP edge, each kept fixed.
@Suite struct ContractEdgeTests {
    @Test func anEmptyCursorIsTheFirstPageAndAnUnknownParameterIsRefusedEverywhere() async throws {
        let server = try await TestServer.make()
        try await server.run { client async throws in
            #expect(try await client.call(.get, "/api/v1/observations?cursor=", as: "analyst", server: server).status == .ok, "an empty cursor is the first page")
            #expect(try await client.call(.get, "/api/v1/observations?to=", as: "analyst", server: server).status == .unprocessableContent, "an empty time is no time")
            #expect(try await client.call(.get, "/api/v1/incidents?cursor=", as: "analyst", server: server).status == .ok)
            #expect(try await client.call(.post, "/api/v1/observations?x=1", as: "monitor", server: server, body: Fixtures.observation()).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/observations/\(UUID().uuidString)?x=1", as: "analyst", server: server).status == .unprocessableContent)
            #expect(try await client.call(.get, "/healthz?x=1", as: nil, server: server).status == .unprocessableContent)
        }
    }

    @Test(arguments: ["QUERY", "PROPFIND", "MKCOL", "BREW"])
    func anyOtherMethodOnAKnownPathIs405(method: String) async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            for path in ["/healthz", "/api/v1/observations/\(UUID().uuidString.lowercased())", "/api/v1/tokens/someone/revoke"] {
                try await client.execute(uri: path, method: HTTPRequest.Method(method)!, headers: server.headers("admin")) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(response.headers[.allow] != nil)
                }
            }
            try await client.execute(uri: "/no/such/path", method: HTTPRequest.Method(method)!) { #expect($0.status == .notFound) }
        }
    }
}
