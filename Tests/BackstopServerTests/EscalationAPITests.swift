import BackstopCore
import BackstopServer
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Escalation over HTTP: a confirmed finding raises its sector and drafts a request, which a
/// supervisor issues and the partner answers; deadlines pass the request on; drills; every
/// refusal the issue names; CAP validated against the OASIS schema and the Atom feed parsed.
@Suite struct EscalationAPITests {
    typealias Call = (status: HTTPResponse.Status, json: JSONValue, headers: HTTPFields)

    /// A policy on the sample Donbas agreement: any confirmed finding near Horlivka raises the
    /// sector to 2 and drafts an ISR request; partners "partner" then "partner-2" provide it.
    static let policy = #"""
    {"id": "test-policy", "title": "Test policy", "agreement_id": "donbas-minsk-sample", "lower_after_hours": 1,
     "sectors": [{"id": "horlivka", "name": "Horlivka sector", "geometry": {"type": "Polygon", "coordinates": [[[37.5, 47.9], [38.2, 47.9], [38.2, 48.4], [37.5, 48.4], [37.5, 47.9]]]}},
                 {"id": "zolote", "name": "Zolote disengagement area", "zone": "zolote"}],
     "rules": [{"id": "any-finding", "description": "Any confirmed finding", "match": {"source": "confirmed_finding", "agreement_id": "donbas-minsk-sample"},
                "window_hours": 24, "levels": [{"level": 2, "at_least": 1}],
                "request": {"type": "isr", "priority": "priority", "text": "Imagery of the area, please."}}],
     "partners": [{"id": "partner", "name": "ISR cell", "provides": ["isr", "air_cover_standby"]},
                  {"id": "partner-2", "name": "ISR reserve", "provides": ["isr", "air_cover_standby"]}],
     "order": {"isr": ["partner", "partner-2"], "air_cover_standby": ["partner", "partner-2"]},
     "deadlines": [{"type": "isr", "priority": "priority", "acknowledge_minutes": 60},
                   {"type": "air_cover_standby", "priority": "immediate", "acknowledge_minutes": 5}]}
    """#

    static func server() async throws -> TestServer {
        var server = try await TestServer.make()
        try await server.addToken(name: "partner-2", role: .partner, team: nil)
        server.clock = TestClock(TestServer.now)
        return server
    }

    static func setUp(_ client: any TestClientProtocol, _ server: TestServer) async throws {
        #expect(try await client.call(.put, "/api/v1/agreements/donbas-minsk-sample", as: "admin", server: server, body: IncidentAPITests.donbas).status == .created)
        let saved = try await client.call(.put, "/api/v1/policies/test-policy", as: "supervisor", server: server, body: policy)
        #expect(saved.status == .created, "\(saved.json)")
    }

    static func eventually(_ what: String, within seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)")
    }

    static func text(_ client: any TestClientProtocol, _ path: String, as name: String?, server: TestServer) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        try await client.execute(uri: path, method: .get, headers: server.headers(name), body: nil) { response in
            (response.status, String(buffer: response.body), response.headers)
        }
    }

    // MARK: Tests

    @Test func aConfirmedFindingRaisesTheSectorAndItsDraftedRequestRunsItsCourse() async throws {
        let server = try await Self.server()
        try await server.run { client in
            let incident = try await IncidentWorkflowAPITests.incidentWithFinding(client, server)
            let saved = try await client.call(.put, "/api/v1/policies/test-policy", as: "supervisor", server: server, body: Self.policy)
            #expect(saved.status == .created, "\(saved.json)")
            _ = try await IncidentWorkflowAPITests.verify(client, server, incident)

            var sector: JSONValue?
            try await Self.eventually("the sector to rise") {
                let sectors = try await client.call(.get, "/api/v1/sectors", as: "analyst", server: server).json["sectors"]?.arrayValue ?? []
                sector = sectors.first { $0["sector_id"] == .string("horlivka") }
                return sector?["level"] == .integer(2)
            }
            #expect(sector?["level_name"] == .string("high"))
            let alerts = try await client.call(.get, "/api/v1/alerts", as: "analyst", server: server).json["alerts"]?.arrayValue ?? []
            let alert = try #require(alerts.first)
            #expect(alert["kind"] == .string("level_change") && alert["to_level"] == .integer(2) && alert["from_level"] == .integer(0))
            #expect(alert["incident_ids"]?.arrayValue?.contains(.string(incident)) == true)
            let alertID = try #require(alert["id"]?.stringValue)
            #expect(alertID == alertID.lowercased())
            // Released to partners, but the incident is not: the partner sees the alert without it.
            let asPartner = try await client.call(.get, "/api/v1/alerts/\(alertID)", as: "partner", server: server)
            #expect(asPartner.status == .ok && asPartner.json["incident_ids"] == .array([]))
            #expect(try await client.call(.get, "/api/v1/alerts/\(alertID)", as: nil, server: server).status == .notFound)
            let (capStatus, cap, capHeaders) = try await Self.text(client, "/api/v1/alerts/\(alertID)/cap", as: "partner", server: server)
            #expect(capStatus == .ok && capHeaders[.contentType]?.hasPrefix("application/cap+xml") == true)
            try CAPValidation.validate(cap)
            #expect(cap.contains("<scope>Restricted</scope>") && cap.contains("<msgType>Alert</msgType>") && cap.contains("<polygon>"))

            // The rule drafted an ISR request; partners do not see drafts.
            var requests = try await client.call(.get, "/api/v1/guarantor-requests", as: "supervisor", server: server).json["guarantor_requests"]?.arrayValue ?? []
            let draft = try #require(requests.first)
            #expect(draft["state"] == .string("draft") && draft["type"] == .string("isr") && draft["rule_id"] == .string("any-finding"))
            #expect(draft["alert_id"] == .string(alertID))
            let id = try #require(draft["id"]?.stringValue)
            requests = try await client.call(.get, "/api/v1/guarantor-requests", as: "partner", server: server).json["guarantor_requests"]?.arrayValue ?? []
            #expect(requests.isEmpty)

            #expect(try await client.call(.post, "/api/v1/guarantor-requests/\(id)/issue", as: "analyst", server: server, body: "{}").status == .forbidden)
            let issued = try await client.call(.post, "/api/v1/guarantor-requests/\(id)/issue", as: "supervisor", server: server, body: "{}")
            #expect(issued.status == .ok, "\(issued.json)")
            #expect(issued.json["state"] == .string("issued") && issued.json["partner"] == .string("partner") && issued.json["deadline_stage"] == .string("acknowledge"))
            #expect(issued.json["deadline"] == .string("2021-03-02T01:00:00.000Z"))

            // Another partner cannot see it, let alone acknowledge it.
            let other = try await client.call(.post, "/api/v1/guarantor-requests/\(id)/acknowledge", as: "partner-2", server: server)
            #expect(other.status == .notFound)
            let acknowledged = try await client.call(.post, "/api/v1/guarantor-requests/\(id)/acknowledge", as: "partner", server: server)
            #expect(acknowledged.status == .ok && acknowledged.json["state"] == .string("acknowledged"), "\(acknowledged.json)")
            let again = try await client.call(.post, "/api/v1/guarantor-requests/\(id)/acknowledge", as: "partner", server: server)
            #expect(again.status == .conflict && again.json["error"] == .string("illegal_transition"))
            #expect(try await client.call(.post, "/api/v1/guarantor-requests/\(id)/accept", as: "partner", server: server).status == .ok)
            let declineLate = try await client.call(.post, "/api/v1/guarantor-requests/\(id)/decline", as: "partner", server: server, body: #"{"reason": "no"}"#)
            #expect(declineLate.status == .conflict)
            let done = try await client.call(.post, "/api/v1/guarantor-requests/\(id)/complete", as: "partner", server: server, body: #"{"note": "imagery delivered"}"#)
            #expect(done.status == .ok && done.json["state"] == .string("completed") && done.json["reason"] == .string("imagery delivered"))
            let closed = try await client.call(.post, "/api/v1/guarantor-requests/\(id)/withdraw", as: "supervisor", server: server, body: #"{"reason": "too late"}"#)
            #expect(closed.status == .conflict, "acting on a closed request is refused")
            let (_, requestCAP, _) = try await Self.text(client, "/api/v1/guarantor-requests/\(id)/cap", as: "partner", server: server)
            try CAPValidation.validate(requestCAP)
            #expect(requestCAP.contains("<msgType>Update</msgType>") && requestCAP.contains("<references>"))

            // The rule still holds: it drafts a new request; the completed one stays as it was.
            try await Self.eventually("a second draft") {
                (try await client.call(.get, "/api/v1/guarantor-requests", as: "supervisor", server: server).json["guarantor_requests"]?.arrayValue?.count ?? 0) == 2
            }
            #expect(try await client.call(.get, "/api/v1/guarantor-requests/\(id)", as: "partner", server: server).json["state"] == .string("completed"))

            // Every step is in the audit log, under the request.
            let audit = try await client.call(.get, "/api/v1/audit?limit=1000", as: "admin", server: server).json["entries"]?.arrayValue ?? []
            let actions = audit.filter { $0["subject"] == .string("guarantor-request/\(id)") }.compactMap { $0["action"]?.stringValue }
            #expect(actions == ["guarantor_request.drafted", "guarantor_request.issued", "guarantor_request.acknowledged",
                                "guarantor_request.accepted", "guarantor_request.completed"])
            #expect(audit.contains { $0["action"] == .string("alert.raised") } && audit.contains { $0["action"] == .string("policy.saved") })

            // The partners' feed links the CAP message; the public's is empty.
            let (_, feed, _) = try await Self.text(client, "/api/v1/alerts/feed.atom", as: "partner", server: server)
            let links = try AtomLinks.parse(feed)
            #expect(links.count == 1 && links.first?.hasSuffix("/api/v1/alerts/\(alertID)/cap") == true)
            let (publicStatus, publicFeed, _) = try await Self.text(client, "/api/v1/alerts/feed.atom", as: nil, server: server)
            let publicLinks = try AtomLinks.parse(publicFeed)
            #expect(publicStatus == .ok && publicLinks.isEmpty)
        }
    }

    @Test func aMissedDeadlineIsAnAlertAndPassesTheRequestToTheNextPartner() async throws {
        let server = try await Self.server()
        try await server.run { client in
            try await Self.setUp(client, server)
            let body = #"{"policy_id": "test-policy", "type": "air_cover_standby", "priority": "immediate", "text": "Patrol under fire at Zolote", "window_start": "2021-03-02T00:00:00Z", "window_end": "2021-03-02T06:00:00Z", "area": {"type": "circle", "lat": 48.69, "lon": 38.53, "radius_km": 5}}"#
            let drafted = try await client.call(.post, "/api/v1/guarantor-requests", as: "analyst", server: server, body: body)
            #expect(drafted.status == .created, "\(drafted.json)")
            let id = try #require(drafted.json["id"]?.stringValue)
            let issued = try await client.call(.post, "/api/v1/guarantor-requests/\(id)/issue", as: "supervisor", server: server, body: "{}")
            #expect(issued.json["deadline"] == .string("2021-03-02T00:05:00.000Z"))
            server.clock!.advance(by: 6 * 60)
            var request: JSONValue = .null
            try await Self.eventually("the request to pass to partner-2") {
                request = try await client.call(.get, "/api/v1/guarantor-requests/\(id)", as: "supervisor", server: server).json
                return request["partner"] == .string("partner-2")
            }
            #expect(request["missed_deadlines"] == .integer(1) && request["partners_tried"] == .array([.string("partner"), .string("partner-2")]))
            #expect(request["deadline"] == .string("2021-03-02T00:11:00.000Z"))
            let alerts = try await client.call(.get, "/api/v1/alerts?kind=deadline_missed", as: "supervisor", server: server).json["alerts"]?.arrayValue ?? []
            #expect(alerts.count == 1 && alerts.first?["request_id"] == .string(id))
            // The first partner still reads it (it was addressed to it) but can no longer answer.
            #expect(try await client.call(.post, "/api/v1/guarantor-requests/\(id)/acknowledge", as: "partner", server: server).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/guarantor-requests/\(id)/acknowledge", as: "partner-2", server: server).status == .ok)

            // A supervisor withdraws it: its CAP message cancels the one issued.
            server.clock!.advance(by: 60 * 60)
            let withdrawn = try await client.call(.post, "/api/v1/guarantor-requests/\(id)/withdraw", as: "supervisor", server: server, body: #"{"reason": "monitors withdrew"}"#)
            #expect(withdrawn.status == .ok && withdrawn.json["state"] == .string("withdrawn"))
            let (_, cap, _) = try await Self.text(client, "/api/v1/guarantor-requests/\(id)/cap", as: "supervisor", server: server)
            try CAPValidation.validate(cap)
            #expect(cap.contains("<msgType>Cancel</msgType>"))
        }
    }

    @Test func aDrillIsAnExerciseAlertSentLikeAnyOther() async throws {
        let server = try await Self.server()
        try await server.run { client in
            try await Self.setUp(client, server)
            let drill = try await client.call(.post, "/api/v1/alerts/drill", as: "supervisor", server: server,
                                              body: #"{"policy_id": "test-policy", "sector_id": "zolote", "level": 3, "note": "Quarterly drill"}"#)
            #expect(drill.status == .created, "\(drill.json)")
            #expect(drill.json["exercise"] == .bool(true) && drill.json["kind"] == .string("drill"))
            let id = try #require(drill.json["id"]?.stringValue)
            let (_, cap, _) = try await Self.text(client, "/api/v1/alerts/\(id)/cap", as: "partner", server: server)
            try CAPValidation.validate(cap)
            #expect(cap.contains("<status>Exercise</status>"))
            let real = try await client.call(.get, "/api/v1/alerts?exercise=false", as: "analyst", server: server).json["alerts"]?.arrayValue ?? []
            #expect(real.isEmpty)
            let sectors = try await client.call(.get, "/api/v1/sectors", as: "analyst", server: server).json["sectors"]?.arrayValue ?? []
            #expect(sectors.allSatisfy { $0["level"] == .integer(0) }, "a drill changes no real level")
        }
    }

    @Test func badInputIsRefusedNamingTheFieldAndTheReason() async throws {
        let server = try await Self.server()
        try await server.run { client in
            try await Self.setUp(client, server)
            func refused(_ path: String, as name: String, _ body: String, field: String) async throws {
                let answer = try await client.call(.post, path, as: name, server: server, body: body)
                #expect(answer.status == .unprocessableContent, "\(path) \(body): \(answer.status)")
                #expect(answer.json["errors"]?.arrayValue?.contains { $0["path"] == .string(field) } == true, "\(answer.json)")
            }
            try await refused("/api/v1/subscriptions", as: "admin", #"{"url": "ftp://example.org/hook", "events": ["alert.level_change"]}"#, field: "url")
            try await refused("/api/v1/subscriptions", as: "admin", #"{"url": "file:///etc/passwd", "events": ["alert.level_change"]}"#, field: "url")
            try await refused("/api/v1/subscriptions", as: "admin", #"{"url": "http://127.0.0.1:9/hook", "events": ["alert.everything"]}"#, field: "events[0]")
            try await refused("/api/v1/subscriptions", as: "partner", #"{"url": "http://127.0.0.1:9/hook", "events": ["alert.drill"], "release_level": "internal"}"#,
                              field: "release_level")
            let draft = #"{"policy_id": "test-policy", "type": "isr", "partner": "nobody", "text": "x", "window_start": "2021-03-02T00:00:00Z", "window_end": "2021-03-02T06:00:00Z", "area": {"type": "circle", "lat": 48, "lon": 38, "radius_km": 5}}"#
            try await refused("/api/v1/guarantor-requests", as: "analyst", draft, field: "partner")
            try await refused("/api/v1/guarantor-requests", as: "analyst", draft.replacingOccurrences(of: #""partner": "nobody", "#, with: "")
                .replacingOccurrences(of: "radius_km\": 5", with: "radius_km\": -1"), field: "area.radius_km")
            let badPolicy = Self.policy.replacingOccurrences(of: #""source": "confirmed_finding", "agreement_id""#, with: #""source": "rumour", "agreement_id""#)
            let policy = try await client.call(.put, "/api/v1/policies/test-policy", as: "supervisor", server: server, body: badPolicy)
            #expect(policy.status == .unprocessableContent && policy.json["errors"]?.arrayValue?.first?["path"] == .string("rules[0].match.source"), "\(policy.json)")
            let stale = try await client.call(.put, "/api/v1/policies/test-policy", as: "supervisor", server: server,
                                              body: Self.policy.replacingOccurrences(of: #""title""#, with: #""version": 1, "title""#))
            #expect(stale.status == .conflict, "version 1 exists already")
            let zone = Self.policy.replacingOccurrences(of: #""zone": "zolote""#, with: #""zone": "atlantis""#)
            let unknownZone = try await client.call(.put, "/api/v1/policies/test-policy", as: "supervisor", server: server, body: zone)
            #expect(unknownZone.status == .unprocessableContent && unknownZone.json["errors"]?.arrayValue?.first?["path"] == .string("sectors[1].zone"))
            #expect(try await client.call(.post, "/api/v1/deliveries/\(UUID().uuidString)/redeliver", as: "admin", server: server).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/policies/test-policy", as: "partner", server: server).status == .forbidden)
        }
    }
}

/// Validates CAP messages against the OASIS schema with xmllint (libxml2-utils).
enum CAPValidation {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Schemas/cap-v1.2.xsd").path

    struct Invalid: Error, CustomStringConvertible { var description: String }

    static func validate(_ xml: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cap-\(UUID().uuidString).xml")
        try Data(xml.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xmllint", "--noout", "--schema", schema, file.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else { throw Invalid(description: "xmllint refused the CAP message (\(process.terminationStatus)): \(output)\n\(xml)") }
    }
}

/// The CAP links of an Atom feed, read with Foundation's XML parser.
final class AtomLinks: NSObject, XMLParserDelegate {
    private var links: [String] = []

    static func parse(_ xml: String) throws -> [String] {
        let parser = XMLParser(data: Data(xml.utf8))
        let delegate = AtomLinks()
        parser.delegate = delegate
        guard parser.parse() else { throw CAPValidation.Invalid(description: "the feed is not XML: \(parser.parserError.map { "\($0)" } ?? "")") }
        return delegate.links
    }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if element == "link", attributes["type"] == "application/cap+xml", let href = attributes["href"] { links.append(href) }
    }

    /// The maps draw the sectors from their outlines, and the mission lists the incidents of one sector.
    @Test func sectorsHaveOutlinesAndTheListingFiltersBySector() async throws {
        let server = try await EscalationAPITests.server()
        try await server.run { client in
            try await EscalationAPITests.setUp(client, server)
            let api = IncidentAPITests()
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: api.explosion(UUID(), lat: 48.10, lon: 37.80))
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor-b", server: server, body: api.explosion(UUID(), lat: 48.60, lon: 38.50, seconds: 30))
            let sectors = try #require(try await client.call(.get, "/api/v1/sectors", as: "analyst", server: server).json["sectors"]?.arrayValue)
            let horlivka = try #require(sectors.first { $0["sector_id"] == .string("horlivka") })
            #expect(horlivka["outline"]?.arrayValue?.count == 5)
            #expect(horlivka["outline"]?.arrayValue?.first?.arrayValue?.first?.doubleValue == 37.5, "longitude first")
            let zolote = try #require(sectors.first { $0["sector_id"] == .string("zolote") })
            #expect((zolote["outline"]?.arrayValue?.count ?? 0) >= 4, "a zone sector's outline comes from the agreement")

            let all = try await client.call(.get, "/api/v1/incidents", as: "analyst", server: server)
            #expect(all.json["incidents"]?.arrayValue?.count == 2)
            let inside = try await client.call(.get, "/api/v1/incidents?sector=test-policy/horlivka", as: "analyst", server: server)
            let found = try #require(inside.json["incidents"]?.arrayValue)
            #expect(found.count == 1)
            #expect(found.first?["location"]?["lat"]?.doubleValue.map { abs($0 - 48.10) < 0.01 } == true)
            let export = try await client.execute(uri: "/api/v1/incidents/export?format=ndjson&sector=test-policy/horlivka", method: .get,
                                                  headers: server.headers("analyst"), body: nil) { String(buffer: $0.body) }
            #expect(export.split(separator: "\n").count == 1, "the export takes the same filter")
            for (query, who) in [("sector=test-policy/nowhere", "analyst"), ("sector=horlivka", "analyst"), ("sector=test-policy/horlivka", "partner")] {
                let refused = try await client.call(.get, "/api/v1/incidents?\(query)", as: who, server: server)
                #expect(refused.status == .unprocessableContent, "\(query) as \(who)")
                #expect(refused.json["errors"]?.arrayValue?.first?["path"] == .string("sector"))
            }
        }
    }
}
