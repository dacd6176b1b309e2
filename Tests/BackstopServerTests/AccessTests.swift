import BackstopCore
import BackstopServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Walks every role (and no token at all) against every endpoint in the table. What each
/// audience sees of incidents at each release level is walked in `IncidentReleaseTests`.
@Suite struct AccessTests {
    /// A request that succeeds for a caller the endpoint admits.
    func request(for endpoint: Endpoint, role: Role?, existingID: UUID, incidentID: String) -> (uri: String, body: String?) {
        let path = endpoint.path
            .replacingOccurrences(of: "/incidents/{id}", with: "/incidents/\(incidentID)")
            .replacingOccurrences(of: "/observations/{id}", with: "/observations/\(existingID.uuidString.lowercased())")
            .replacingOccurrences(of: "/agreements/{id}", with: "/agreements/test-agreement")
            .replacingOccurrences(of: "/tokens/{name}", with: "/tokens/monitor-solo")  // a token the walk does not use
            .replacingOccurrences(of: "{collectionId}", with: "incidents")
            .replacingOccurrences(of: "{featureId}", with: incidentID)
            .replacingOccurrences(of: "/assets/images/{name}", with: "/assets/images/layers.png")
            .replacingOccurrences(of: "/assets/{name}", with: "/assets/console.css")
            .replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())  // escalation's records: none by that id
        if endpoint == .exportIncidents || endpoint == .exportObservations || endpoint == .exportFindings { return (path + "?format=ndjson", nil) }
        if endpoint == .incidentEvents { return (path + "?timeout=0", nil) }   // the catch-up answer, not a stream left open
        switch (endpoint.method, endpoint.path) {
        case (.post, "/signin"), (.post, "/signout"): return (path, nil)   // forms; the walk sends none
        case (.post, _): return (path, Fixtures.observation(modality: Fixtures.modality(for: role ?? .admin)))
        case (.put, _): return (path, Fixtures.agreement)
        default: return (path, nil)
        }
    }

    /// Escalation's and the reports' endpoints that name a record or need a body the walk does
    /// not make: an admitted caller reaches the endpoint's own checks (a 404, 400 or 422),
    /// never a 401 or 403.
    static let recordOrBodyEndpoints: Set<Endpoint> = [
        .getPolicy, .putPolicy, .getAlert, .getAlertCAP, .drillAlert, .draftRequest, .getRequest, .getRequestCAP, .issueRequest, .withdrawRequest,
        .acknowledgeRequest, .acceptRequest, .declineRequest, .completeRequest, .createSubscription, .getSubscription, .deleteSubscription,
        .listSubscriptionDeliveries, .redeliver, .draftReport, .getReport, .editReport, .redraftReport, .approveReport, .correctReport,
        .registerSensor, .getSensor, .sensorHeartbeat, .reportPage,
    ]

    // MARK: Tests

    @Test func everyRoleOnEveryEndpointGetsWhatTheTableSays() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            // something to read: an observation by every reporter, and an agreement
            let existing = UUID()
            for name in ["admin", "monitor", "partner", "party"] {
                let id = name == "admin" ? existing : UUID()
                let role = Role(rawValue: name)!
                let created = try await client.call(.post, "/api/v1/observations", as: name, server: server, body: Fixtures.observation(id: id, modality: Fixtures.modality(for: role)))
                #expect(created.status == .created)
            }
            #expect(try await client.call(.put, "/api/v1/agreements/test-agreement", as: "admin", server: server, body: Fixtures.agreement).status == .created)
            for endpoint in Endpoint.all {
                for role in [nil] + Role.allCases.map(Optional.some) {
                    // Posts in this walk fuse into incidents and may retire an id: read a current one.
                    let incidents = try await client.call(.get, "/api/v1/incidents", as: "admin", server: server)
                    let incidentID = try #require(incidents.json["incidents"]?.arrayValue?.first?["id"]?.stringValue)
                    let (uri, body) = request(for: endpoint, role: role, existingID: existing, incidentID: incidentID)
                    let response = try await client.call(endpoint.method, uri, as: role?.rawValue, server: server, body: body)
                    let label = "\(role?.rawValue ?? "no token") \(endpoint.method) \(endpoint.path) → \(response.status.code) \(response.json)"
                    guard let roles = endpoint.roles else {
                        // Signing in needs the form the sign-in page makes (its cookie and field).
                        #expect(response.status == (endpoint == .signIn ? .forbidden : .ok), "\(label)")
                        continue
                    }
                    // The console answers some requests by sending the browser on.
                    let redirects = endpoint == .signOut || (endpoint == .home && (ReleaseLevel.audience(of: role ?? .public) == .internal || role == .monitor))
                    // The walk's incident is neither verified nor released: outside the mission it does not exist.
                    let audience = ReleaseLevel.audience(of: role ?? .public)
                    let unreleasedRead = (endpoint == .getIncident || endpoint == .featuresItem) && audience != .internal
                    let workflowWrite = [Endpoint.proposeAssessment, .confirmAssessment, .returnAssessment, .releaseIncident, .mergeIncident, .splitIncident].contains(endpoint)
                        || Self.recordOrBodyEndpoints.contains(endpoint)
                    if role == nil, endpoint.admitsAnonymous, Self.recordOrBodyEndpoints.contains(endpoint) {
                        #expect([.notFound, .unprocessableContent].contains(response.status), "no alert has a random id: \(label)")
                    } else if role == nil, endpoint.admitsAnonymous {
                        #expect(response.status == (unreleasedRead ? .notFound : .ok), "the public needs no token: \(label)")
                    } else if redirects, let role, roles.contains(role) {
                        #expect(response.status == .seeOther, "\(label)")
                    } else if role == nil {
                        #expect(response.status == .unauthorized, "\(label)")
                        #expect(response.headers[.wwwAuthenticate] != nil)
                    } else if roles.contains(role!) {
                        let isMonitorReadingAdminsRecord = endpoint == .getObservation && !role!.seesAllObservations
                        if isMonitorReadingAdminsRecord {
                            #expect(response.status == .notFound, "records of others are hidden: \(label)")
                        } else if unreleasedRead {
                            #expect(response.status == .notFound, "an unreleased incident is not shown outside the mission: \(label)")
                        } else if workflowWrite {
                            // The walk sends no valid decision: admitted, the request reaches the workflow's own checks.
                            #expect((400...499).contains(response.status.code) && response.status != .unauthorized
                                    && response.json["error"] != .string("forbidden"), "\(label)")
                        } else {
                            #expect((200...201).contains(response.status.code), "\(label)")
                        }
                    } else {
                        #expect(response.status == .forbidden, "\(label)")
                        #expect(response.json["error"] == .string("forbidden"))
                    }
                }
            }
        }
    }

    @Test func anUnknownOrMalformedTokenIsUnauthorised() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            for header in ["Bearer bst_nope", "Basic YWRtaW46YWRtaW4=", "Bearer", "bearer  "] {
                let status = try await client.execute(uri: "/api/v1/agreements", method: .get, headers: [.authorization: header]) { $0.status }
                #expect(status == .unauthorized, "header \(header)")
            }
        }
    }

    @Test func monitorsSeeTheirTeamAndOthersOnlyTheirOwn() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let byTeamA = UUID(), byTeamB = UUID(), byPartner = UUID(), bySolo = UUID()
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: Fixtures.observation(id: byTeamA))
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor-b", server: server, body: Fixtures.observation(id: byTeamB))
            _ = try await client.call(.post, "/api/v1/observations", as: "partner", server: server, body: Fixtures.observation(id: byPartner))
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor-solo", server: server, body: Fixtures.observation(id: bySolo))

            func listed(_ name: String) async throws -> Set<String> {
                let response = try await client.call(.get, "/api/v1/observations", as: name, server: server)
                return Set(response.json["observations"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
            }
            let ids = [byTeamA, byTeamB, byPartner, bySolo].map { $0.uuidString.lowercased() }
            #expect(try await listed("analyst") == Set(ids))
            #expect(try await listed("monitor") == [ids[0]])
            #expect(try await listed("monitor-b") == [ids[1]])
            #expect(try await listed("partner") == [ids[2]])
            #expect(try await listed("monitor-solo") == [ids[3]])
            #expect(try await client.call(.get, "/api/v1/observations/\(ids[1])", as: "monitor", server: server).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/observations/\(ids[1])", as: "monitor-b", server: server).status == .ok)
            #expect(try await client.call(.get, "/api/v1/observations?reporter=monitor", as: "partner", server: server).status == .forbidden)
        }
    }

    @Test func sensorsAndPartiesFileOnlyWhatTheirRoleAllows() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let sensor = try await client.call(.post, "/api/v1/observations", as: "sensor", server: server, body: Fixtures.observation(modality: "heard"))
            #expect(sensor.status == .unprocessableContent)
            #expect(sensor.json["errors"]?.arrayValue?.first?["path"] == .string("modality"))
            let party = try await client.call(.post, "/api/v1/observations", as: "party", server: server, body: Fixtures.observation(modality: "saw"))
            #expect(party.status == .unprocessableContent)
        }
    }
}
