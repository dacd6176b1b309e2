import BackstopCore
import BackstopServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// OGC API – Features at /ogc: the documents clients start from, the items as the listings show
/// each caller (same filters, same release rules and redaction), the standard's refusals (400),
/// both CRSs, paging by next links, and HTML from the same handlers. GDAL, OWSLib and the
/// ogctests suite read a real server in scripts/features-test.sh.
@Suite struct FeaturesAPITests {
    static func get(_ client: any TestClientProtocol, _ server: TestServer, _ uri: String, as name: String?,
                    accept: String? = nil) async throws -> (status: HTTPResponse.Status, text: String, json: JSONValue, headers: HTTPFields) {
        var headers = server.headers(name)
        if let accept { headers[.accept] = accept }
        return try await client.execute(uri: uri, method: .get, headers: headers, body: nil) { response in
            let text = String(buffer: response.body)
            return (response.status, text, (try? JSONValue.parse(text)) ?? .null, response.headers)
        }
    }

    /// Every feature id, following the next links from `uri`, with the first page's numberMatched.
    static func follow(_ client: any TestClientProtocol, _ server: TestServer, _ uri: String, as name: String?) async throws -> (ids: [String], matched: Int?) {
        var ids: [String] = []
        var next: String? = uri
        var matched: Int?
        var pages = 0
        while let current = next, pages < 100 {
            let page = try await get(client, server, current, as: name)
            #expect(page.status == .ok, "\(current): \(page.text)")
            ids += page.json["features"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            matched = matched ?? page.json["numberMatched"]?.intValue
            #expect(page.json["numberReturned"]?.intValue == page.json["features"]?.arrayValue?.count)
            let href = page.json["links"]?.arrayValue?.first { $0["rel"] == .string("next") }?["href"]?.stringValue
            next = href.map { String($0[$0.range(of: "/ogc/")!.lowerBound...]) }
            pages += 1
        }
        return (ids, matched)
    }

    /// A server whose clock is past the public's embargo on what `populate` releases.
    static func afterTheEmbargo() async throws -> TestServer {
        var later = try await TestServer.make()
        later.now = TestServer.now.addingTimeInterval(2 * 86_400)
        return later
    }

    // MARK: Tests

    @Test func theLandingPageAndTheDefinitionAreWhatClientsStartFrom() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let landing = try await Self.get(client, server, "/ogc", as: nil)
            #expect(landing.status == .ok && landing.headers[.contentType] == "application/json")
            let links = landing.json["links"]?.arrayValue ?? []
            for rel in ["self", "alternate", "service-desc", "conformance", "data"] {
                #expect(links.contains { $0["rel"] == .string(rel) && $0["type"] != nil }, "\(rel)")
            }
            let description = try #require(links.first { $0["rel"] == .string("service-desc") })
            #expect(description["type"] == .string("application/vnd.oai.openapi+json;version=3.0"))
            let api = try await Self.get(client, server, "/ogc/api", as: nil)
            #expect(api.status == .ok && api.json["openapi"] == .string("3.0.3"))
            let paths = Set(api.json["paths"]?.objectValue?.keys.map { $0 } ?? [])
            // Every /ogc operation the server has is in its own definition.
            for endpoint in Endpoint.features {
                let path = String(endpoint.path.dropFirst("/ogc".count))
                #expect(paths.contains(path.isEmpty ? "/" : path), "\(endpoint.path)")
            }
            #expect(try await Self.get(client, server, "/ogc/api?f=html", as: nil).status == .notAcceptable)
            let conformance = try await Self.get(client, server, "/ogc/conformance", as: "partner")
            let classes = conformance.json["conformsTo"]?.arrayValue?.compactMap(\.stringValue) ?? []
            for part in ["core", "geojson", "html", "oas30"] {
                #expect(classes.contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/\(part)"))
            }
            #expect(classes.contains("http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"))
        }
    }

    @Test func observationsAreACollectionForTheMissionOnly() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            _ = try await IncidentExportTests.populate(client, server)
            for (name, expected) in [("analyst", ["incidents", "findings", "observations"]), ("partner", ["incidents", "findings"]),
                                     ("party", ["incidents", "findings"]), (nil, ["incidents", "findings"])] as [(String?, [String])] {
                let collections = try await Self.get(client, server, "/ogc/collections", as: name)
                #expect(collections.json["collections"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == expected, "\(name ?? "anonymous")")
                let observations = try await Self.get(client, server, "/ogc/collections/observations/items", as: name)
                #expect(observations.status == (name == "analyst" ? .ok : .notFound), "\(name ?? "anonymous")")
            }
            // The collection's own description is the one in the list (clients compare them).
            let all = try await Self.get(client, server, "/ogc/collections", as: "analyst")
            let one = try await Self.get(client, server, "/ogc/collections/incidents", as: "analyst")
            #expect(all.json["collections"]?.arrayValue?.first?["extent"] == one.json["extent"])
            #expect(one.json["crs"]?.arrayValue?.first == .string("http://www.opengis.net/def/crs/OGC/1.3/CRS84"))
            #expect(try await Self.get(client, server, "/ogc/collections/tanks", as: "analyst").status == .notFound)
        }
    }

    @Test func itemsAreTheIncidentsTheListingShowsForTheSameFilters() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            _ = try await IncidentExportTests.populate(client, server)
            let cases: [(ogc: String, listing: String)] = [
                ("", ""), ("bbox=37.5,47.8,38.1,48.2", "bbox=37.5,47.8,38.1,48.2"), ("kind=explosion", "kind=explosion"),
                ("datetime=2021-03-01T11:00:00Z/..", "from=2021-03-01T11:00:00Z"), ("datetime=../2021-03-01T12:00:00Z", "to=2021-03-01T12:00:00.001Z"),
                ("datetime=2021-03-01T11:00:00Z/2021-03-01T12:30:00Z", "from=2021-03-01T11:00:00Z&to=2021-03-01T12:30:00.001Z"),
                ("bbox=37.5,47.8,0,38.1,48.2,100&datetime=2021-03-01", "bbox=37.5,47.8,38.1,48.2&from=2021-03-01T00:00:00Z&to=2021-03-02T00:00:00Z"),
            ]
            for (ogc, listing) in cases {
                let expected = try await IncidentExportTests.listed(client, server, listing, as: "analyst")
                let (ids, matched) = try await Self.follow(client, server, "/ogc/collections/incidents/items?limit=2&\(ogc)", as: "analyst")
                #expect(ids == expected && matched == expected.count, "\(ogc)")
            }
            let (all, _) = try await Self.follow(client, server, "/ogc/collections/incidents/items", as: "analyst")
            #expect(all.count >= 4)
            // Findings: one feature per finding, paged by offset, each readable by its id.
            let (findings, matched) = try await Self.follow(client, server, "/ogc/collections/findings/items?limit=1", as: "analyst")
            #expect(!findings.isEmpty && findings.count == matched && Set(findings).count == findings.count)
            let finding = try await Self.get(client, server, "/ogc/collections/findings/items/\(findings[0])", as: "analyst")
            #expect(finding.status == .ok && finding.json["properties"]?["rule"] != nil && finding.json["properties"]?["text"] != nil)
            #expect(finding.json["links"]?.arrayValue?.contains { $0["rel"] == .string("collection") } == true)
            let observations = try await Self.get(client, server, "/ogc/collections/observations/items?limit=3", as: "analyst")
            #expect(observations.json["features"]?.arrayValue?.count == 3 && observations.json["numberMatched"] == nil)
        }
    }

    @Test func refusalsAre400AndNameTheParameter() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            for (query, path) in [("ooga=booga", "ooga"), ("limit=0", "limit"), ("limit=10001", "limit"), ("limit=unlimited", "limit"),
                                  ("bbox=1,2,3", "bbox"), ("bbox=40,48,38,49", "bbox"), ("datetime=yesterday", "datetime"), ("datetime=../..", "datetime"),
                                  ("datetime=2021-03-02T00:00:00Z/2021-03-01T00:00:00Z", "datetime"), ("crs=EPSG:3857", "crs"),
                                  ("bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326", "bbox-crs"), ("f=xml", "f"), ("kind=tank", "kind"),
                                  ("cursor=nonsense", "cursor"), ("offset=3", "offset")] {
                let answer = try await Self.get(client, server, "/ogc/collections/incidents/items?\(query)", as: nil)
                #expect(answer.status == .badRequest, "\(query): \(answer.text)")
                #expect(answer.json["errors"]?.arrayValue?.contains { $0["path"] == .string(path) } == true, "\(query): \(answer.text)")
            }
            #expect(try await Self.get(client, server, "/ogc/collections?limit=3", as: nil).status == .badRequest)
            // The rest of the API keeps its 422.
            #expect(try await Self.get(client, server, "/api/v1/incidents?ooga=booga", as: nil).status == .unprocessableContent)
        }
    }

    @Test func epsg4326IsLatitudeFirstBothWays() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            _ = try await IncidentExportTests.populate(client, server)
            let epsg = "http://www.opengis.net/def/crs/EPSG/0/4326"
            let crs84 = try await Self.get(client, server, "/ogc/collections/incidents/items?bbox=37.5,47.8,38.1,48.2", as: "analyst")
            #expect(crs84.headers[HTTPField.Name("Content-Crs")!] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>")
            let swapped = try await Self.get(client, server, "/ogc/collections/incidents/items?bbox=47.8,37.5,48.2,38.1&bbox-crs=\(epsg)&crs=\(epsg)", as: "analyst")
            #expect(swapped.headers[HTTPField.Name("Content-Crs")!] == "<\(epsg)>")
            let first = crs84.json["features"]?.arrayValue ?? [], second = swapped.json["features"]?.arrayValue ?? []
            #expect(!first.isEmpty && first.map { $0["id"] } == second.map { $0["id"] })
            let one = try #require(first.first?["id"]?.stringValue)
            let item = try await Self.get(client, server, "/ogc/collections/incidents/items/\(one)?crs=%5B\(epsg)%5D", as: "analyst")
            #expect(item.status == .ok && item.json["geometry"] == second.first?["geometry"], "the bracketed form too")
            for (a, b) in zip(first, second) {
                let lonLat = a["geometry"]?["coordinates"]?.arrayValue ?? [], latLon = b["geometry"]?["coordinates"]?.arrayValue ?? []
                #expect(lonLat.count == 2 && lonLat == latLon.reversed())
            }
        }
    }

    @Test func thePublicReadsWhatWasReleasedRedacted() async throws {
        let server = try await Self.afterTheEmbargo()
        try await server.run { client in
            let released = try await IncidentExportTests.populate(client, server)
            let staff = try await IncidentExportTests.listed(client, server, "", as: "analyst")
            let (ids, matched) = try await Self.follow(client, server, "/ogc/collections/incidents/items", as: nil)
            #expect(ids == [released] && matched == 1)
            let feature = try await Self.get(client, server, "/ogc/collections/incidents/items/\(released)", as: nil)
            #expect(feature.status == .ok && feature.json["properties"]?["observation_ids"] == nil && feature.json["properties"]?["confidence"] == nil)
            // On the public grid (0.05°), as GET /api/v1/incidents/{id} shows it.
            let listed = try await client.call(.get, "/api/v1/incidents/\(released)", as: nil, server: server)
            let coordinates = feature.json["geometry"]?["coordinates"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            #expect(coordinates == [listed.json["place"]?["lon"]?.doubleValue, listed.json["place"]?["lat"]?.doubleValue].compactMap { $0 })
            for other in staff where other != released {
                #expect(try await Self.get(client, server, "/ogc/collections/incidents/items/\(other)", as: nil).status == .notFound)
                #expect(try await Self.get(client, server, "/ogc/collections/findings/items/\(other)-0", as: nil).status == .notFound)
            }
            let findings = try await Self.get(client, server, "/ogc/collections/findings/items", as: nil)
            let publicFindings = findings.json["features"]?.arrayValue ?? []
            #expect(!publicFindings.isEmpty && publicFindings.allSatisfy { $0["properties"]?["incident"] == .string(released) && $0["properties"]?["text"] == nil })
            #expect(try await Self.get(client, server, "/ogc/collections/incidents/items/not-an-id", as: nil).status == .notFound)
        }
    }

    @Test func htmlIsTheSameResourceAsJSON() async throws {
        let server = try await Self.afterTheEmbargo()
        try await server.run { client in
            let released = try await IncidentExportTests.populate(client, server)
            for uri in ["/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/incidents", "/ogc/collections/incidents/items",
                        "/ogc/collections/incidents/items/\(released)"] {
                let page = try await Self.get(client, server, uri + (uri.contains("?") ? "&" : "?") + "f=html", as: nil)
                #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=utf-8", "\(uri)")
                #expect(page.text.hasPrefix("<!DOCTYPE html>") && page.text.contains("</html>"), "\(uri)")
                // Links point at this server; nothing is loaded from anywhere (no script, stylesheet or image).
                #expect(!page.text.contains("<script") && !page.text.contains("<link") && !page.text.contains("<img") && !page.text.contains("@import"),
                        "nothing loaded from elsewhere: \(uri)")
                let browser = try await Self.get(client, server, uri, as: nil, accept: "text/html,application/xhtml+xml,*/*;q=0.8")
                #expect(browser.text == page.text, "Accept: text/html gives the page: \(uri)")
            }
            let items = try await Self.get(client, server, "/ogc/collections/incidents/items?f=html", as: nil)
            #expect(items.text.contains(released))
            // Templates escape what they show: the query echoed into the page's links is HTML-escaped.
            let filtered = try await Self.get(client, server, "/ogc/collections/incidents/items?f=html&kind=explosion&limit=5", as: "analyst")
            #expect(filtered.text.contains("kind=explosion&amp;limit=5") && !filtered.text.contains("kind=explosion&limit"))
        }
    }
}
