import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// OGC API – Features, Part 1, at `/ogc`: the landing page, the conformance declaration, the
/// collections and their items, each as JSON (GeoJSON for features) or HTML from the same handler
/// (`?f=json|html`, or `Accept`). What each caller sees is what the API's listings show them
/// (`FeatureSources`); anonymous callers read what was released to the public.
struct FeaturesController: Sendable {
    let sources: FeatureSources
    let pages: PageRenderer
    let now: @Sendable () -> Date

    enum Format: String, Representation {
        case json, html

        var acceptedTypes: [String] { self == .json ? ["application/json", "application/geo+json"] : ["text/html"] }
        var aliases: [String] { self == .json ? ["geojson"] : [] }
    }

    func register(with routes: RouteRegistrar) {
        routes.add(.featuresLanding) { request, _, _ in try landing(request) }
        routes.add(.featuresAPI) { request, _, _ in try apiDefinition(request) }
        routes.add(.featuresConformance) { request, _, _ in try conformance(request) }
        routes.add(.featuresCollections) { request, _, identity in try await collections(request, audience: Self.audience(identity)) }
        routes.add(.featuresCollection) { request, context, identity in
            try await collection(request, context, audience: Self.audience(identity))
        }
        routes.add(.featuresItems) { request, context, identity in try await items(request, context, audience: Self.audience(identity)) }
        routes.add(.featuresItem) { request, context, identity in try await item(request, context, audience: Self.audience(identity)) }
    }

    static func audience(_ identity: Identity?) -> ReleaseLevel {
        identity.flatMap { ReleaseLevel.audience(of: $0.role) } ?? .public
    }

    // MARK: Documents

    func landing(_ request: Request) throws -> Response {
        let format = try Self.format(request)
        let base = Self.base(request)
        let page = FeaturesDocuments.LandingPage(
            title: "Backstop: ceasefire monitoring",
            description: "Incidents, compliance findings and (for the mission's staff) observations along the contact line, as OGC API – Features.",
            links: [
                .init(href: "\(base)/ogc?f=json", rel: format == .json ? "self" : "alternate", type: "application/json", title: "This document"),
                .init(href: "\(base)/ogc?f=html", rel: format == .html ? "self" : "alternate", type: "text/html", title: "This document as HTML"),
                .init(href: "\(base)/ogc/api", rel: "service-desc", type: Self.openAPIType, title: "The API definition (OpenAPI 3.0)"),
                .init(href: "\(base)/ogc/conformance", rel: "conformance", type: "application/json", title: "Conformance classes"),
                .init(href: "\(base)/ogc/collections", rel: "data", type: "application/json", title: "The collections"),
            ]
        )
        guard format == .html else { return try Self.json(page) }
        return pages.response("features-landing", Self.pageContext(request, title: page.title, crumbs: [], extra: [
            "description": page.description,
            "links": page.links.filter { $0.rel != "self" }.map { ["href": $0.href, "rel": $0.rel, "type": $0.type, "title": $0.title ?? $0.href] },
        ]))
    }

    static let openAPIType = "application/vnd.oai.openapi+json;version=3.0"

    /// The OpenAPI 3.0 definition of these endpoints (`service-desc`), shipped with the server.
    static let definition: Data? = Bundle.module.url(forResource: "ogc-openapi", withExtension: "json").flatMap { try? Data(contentsOf: $0) }

    func apiDefinition(_ request: Request) throws -> Response {
        guard try Self.format(request) == .json else {
            throw APIError(.notAcceptable, code: "not_acceptable", message: "the API definition is served as JSON (OpenAPI 3.0) only")
        }
        guard let data = Self.definition else { throw APIError(.internalServerError, code: "internal", message: "the API definition is missing") }
        return Response(status: .ok, headers: [.contentType: Self.openAPIType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    func conformance(_ request: Request) throws -> Response {
        guard try Self.format(request) == .html else { return try Self.json(FeaturesDocuments.conformance) }
        return pages.response("features-conformance", Self.pageContext(request, title: "Conformance", crumbs: [("Landing page", "/ogc")], extra: [
            "conformsTo": FeaturesDocuments.conformance.conformsTo,
        ]))
    }

    func collections(_ request: Request, audience: ReleaseLevel) async throws -> Response {
        let format = try Self.format(request)
        let base = Self.base(request)
        let extent = try await sources.extent(audience: audience)
        let described = FeatureCollectionID.allCases.filter { $0.readable(by: audience) }.map { describe($0, base: base, extent: extent) }
        let document = FeaturesDocuments.Collections(links: Self.selfLinks(base, "/ogc/collections", format: format, json: "application/json"),
                                                     collections: described)
        guard format == .html else { return try Self.json(document) }
        return pages.response("features-collections", Self.pageContext(request, title: "Collections", crumbs: [("Landing page", "/ogc")], extra: [
            "collections": described.map { Self.collectionContext($0, base: base) },
        ]))
    }

    func collection(_ request: Request, _ context: AppRequestContext, audience: ReleaseLevel) async throws -> Response {
        let format = try Self.format(request)
        let id = try Self.collectionID(context, audience: audience)
        let base = Self.base(request)
        let described = describe(id, base: base, extent: try await sources.extent(audience: audience))
        guard format == .html else { return try Self.json(described) }
        var extra = Self.collectionContext(described, base: base)
        extra["crs"] = described.crs
        return pages.response("features-collection", Self.pageContext(request, title: described.title,
                                                                      crumbs: [("Landing page", "/ogc"), ("Collections", "/ogc/collections")], extra: extra))
    }

    private func describe(_ id: FeatureCollectionID, base: String, extent: FeaturesDocuments.Extent) -> FeaturesDocuments.Collection {
        let path = "\(base)/ogc/collections/\(id.rawValue)"
        return FeaturesDocuments.Collection(
            id: id.rawValue, title: id.title, description: id.description, itemType: "feature", extent: extent,
            crs: FeatureCRS.allCases.map(\.rawValue), storageCrs: FeatureCRS.crs84.rawValue,
            links: [
                .init(href: "\(path)?f=json", rel: "self", type: "application/json", title: "This collection"),
                .init(href: "\(path)?f=html", rel: "alternate", type: "text/html", title: "This collection as HTML"),
                .init(href: "\(path)/items?f=json", rel: "items", type: "application/geo+json", title: "The features (GeoJSON)"),
                .init(href: "\(path)/items?f=html", rel: "items", type: "text/html", title: "The features (HTML)"),
            ]
        )
    }

    // MARK: Features

    func items(_ request: Request, _ context: AppRequestContext, audience: ReleaseLevel) async throws -> Response {
        let format = try Self.format(request)
        let query = try FeaturesQuery(request)
        let id = try Self.collectionID(context, audience: audience)
        let page: FeaturePage = switch id {
        case .incidents: try await sources.incidentPage(query, audience: audience)
        case .findings: try await sources.findingPage(query, audience: audience)
        case .observations: try await sources.observationPage(query)
        }
        let base = Self.base(request)
        let path = "/ogc/collections/\(id.rawValue)/items"
        var links = Self.selfLinks(base, path, format: format, json: "application/geo+json", query: Self.query(request))
        var nextHref: String?
        if let next = page.next {
            var parameters = Self.query(request).filter { $0.0 != "cursor" && $0.0 != "offset" && $0.0 != "f" }
            parameters.append((next.name, next.value))
            nextHref = Self.href(base, path, parameters + [("f", format.rawValue)])
            links.append(.init(href: nextHref!, rel: "next", type: format == .json ? "application/geo+json" : "text/html", title: "The next page"))
        }
        links.append(.init(href: "\(base)/ogc/collections/\(id.rawValue)?f=json", rel: "collection", type: "application/json", title: id.title))
        guard format == .json else {
            return pages.response("features-items", Self.pageContext(request, title: "\(id.title): features", crumbs: Self.crumbs(id), extra: [
                "numberReturned": String(page.features.count),
                "numberMatched": page.matched.map(String.init) as Any,
                "next": nextHref as Any,
                "features": page.features.map { feature in
                    [
                        "id": feature.id, "title": feature.title, "href": "\(base)/ogc/collections/\(id.rawValue)/items/\(feature.id)?f=html",
                        "lon": feature.point.map { Self.number($0.lon) } ?? "–", "lat": feature.point.map { Self.number($0.lat) } ?? "–",
                    ]
                },
            ]))
        }
        var text = #"{"type":"FeatureCollection","features":["#
        for (index, feature) in page.features.enumerated() {
            if index > 0 { text += "," }
            text += Self.featureJSON(feature, crs: query.crs, links: nil)
        }
        text += #"],"links":"# + String(decoding: try Self.encoder.encode(links), as: UTF8.self)
        text += #","timeStamp":"\#(Timestamp.format(now()))","numberReturned":\#(page.features.count)"#
        if let matched = page.matched { text += #","numberMatched":\#(matched)"# }
        text += "}"
        return Self.geoJSON(text, crs: query.crs)
    }

    func item(_ request: Request, _ context: AppRequestContext, audience: ReleaseLevel) async throws -> Response {
        let format = try Self.format(request)
        var parameters = QueryParameters(request, allowed: Endpoint.featuresItem.queryParameters)
        let crs = FeaturesQuery.crs(&parameters, "crs")
        try parameters.check()
        let id = try Self.collectionID(context, audience: audience)
        let featureID = context.parameters.get("featureId") ?? ""
        let found: ServedFeature? = switch id {
        case .incidents: try await sources.incidentFeature(id: featureID, audience: audience)
        case .findings: try await sources.findingFeature(id: featureID, audience: audience)
        case .observations: try await sources.observationFeature(id: featureID)
        }
        // A feature the caller may not see does not exist for them.
        guard let feature = found else { throw APIError.notFound("no feature '\(featureID)' in collection \(id.rawValue)") }
        let base = Self.base(request)
        let path = "/ogc/collections/\(id.rawValue)/items/\(feature.id)"
        var links = Self.selfLinks(base, path, format: format, json: "application/geo+json")
        links.append(.init(href: "\(base)/ogc/collections/\(id.rawValue)?f=json", rel: "collection", type: "application/json", title: id.title))
        guard format == .json else {
            let properties = (try? JSONValue.parse(feature.properties).objectValue) ?? [:]
            return pages.response("features-item", Self.pageContext(request, title: feature.title,
                                                                    crumbs: Self.crumbs(id) + [(id.title, "/ogc/collections/\(id.rawValue)/items")], extra: [
                "id": feature.id,
                "lon": feature.point.map { Self.number($0.lon) } as Any, "lat": feature.point.map { Self.number($0.lat) } as Any,
                "properties": properties.keys.sorted().map { key in ["name": key, "value": Self.display(properties[key]!)] },
            ]))
        }
        return Self.geoJSON(Self.featureJSON(feature, crs: crs, links: links), crs: crs)
    }

    // MARK: Helpers

    static func featureJSON(_ feature: ServedFeature, crs: FeatureCRS, links: [FeaturesDocuments.Link]?) -> String {
        let geometry = feature.point.map { point -> String in
            let (first, second) = crs.coordinates(lat: point.lat, lon: point.lon)
            return #"{"type":"Point","coordinates":[\#(number(first)),\#(number(second))]}"#
        } ?? "null"
        var text = #"{"type":"Feature","id":"\#(feature.id)","geometry":\#(geometry),"properties":\#(feature.properties)"#
        if let links, let data = try? encoder.encode(links) { text += #","links":"# + String(decoding: data, as: UTF8.self) }
        return text + "}"
    }

    static func number(_ value: Double) -> String { IncidentExportRows.number(value) }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The standard's documents are `application/json` exactly (clients compare the header).
    static func json(_ value: some Encodable) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func geoJSON(_ text: String, crs: FeatureCRS) -> Response {
        Response(status: .ok, headers: [.contentType: "application/geo+json", .contentCRS: "<\(crs.rawValue)>"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func format(_ request: Request) throws -> Format { try Format.chosen(by: request) }

    static func collectionID(_ context: AppRequestContext, audience: ReleaseLevel) throws -> FeatureCollectionID {
        let raw = context.parameters.get("collectionId") ?? ""
        guard let id = FeatureCollectionID(rawValue: raw), id.readable(by: audience) else { throw APIError.notFound("no collection '\(raw)'") }
        return id
    }

    /// The scheme and authority the client used, so that links work from where it stands.
    static func base(_ request: Request) -> String {
        let scheme = request.headers[.xForwardedProto] == "https" ? "https" : (request.head.scheme ?? "http")
        return "\(scheme)://\(request.head.authority ?? "127.0.0.1")"
    }

    static func query(_ request: Request) -> [(String, String)] {
        request.uri.queryParameters.map { (String($0.key), String($0.value)) }
    }

    static func href(_ base: String, _ path: String, _ parameters: [(String, String)]) -> String {
        var components = URLComponents()
        components.queryItems = parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
        // A `+` in a value (a time zone offset) is a space to form decoders: escape it.
        let query = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        return base + path + (query.isEmpty ? "" : "?" + query)
    }

    static func selfLinks(_ base: String, _ path: String, format: Format, json: String, query: [(String, String)] = []) -> [FeaturesDocuments.Link] {
        let kept = query.filter { $0.0 != "f" }
        return [
            .init(href: href(base, path, kept + [("f", "json")]), rel: format == .json ? "self" : "alternate", type: json, title: "As JSON"),
            .init(href: href(base, path, kept + [("f", "html")]), rel: format == .html ? "self" : "alternate", type: "text/html", title: "As HTML"),
        ]
    }

    static func crumbs(_ id: FeatureCollectionID) -> [(String, String)] {
        [("Landing page", "/ogc"), ("Collections", "/ogc/collections"), (id.title, "/ogc/collections/\(id.rawValue)")]
    }

    static func pageContext(_ request: Request, title: String, crumbs: [(String, String)], extra: [String: Any]) -> [String: Any] {
        let base = base(request)
        let kept = query(request).filter { $0.0 != "f" }
        var context = extra
        context["title"] = title
        context["base"] = base
        context["crumbs"] = crumbs.map { ["name": $0.0, "href": base + $0.1 + "?f=html"] }
        context["alternates"] = [["href": href(base, request.uri.path, kept + [("f", "json")]), "type": "application/json", "title": "JSON"]]
        return context
    }

    static func collectionContext(_ collection: FeaturesDocuments.Collection, base: String) -> [String: Any] {
        let bbox = collection.extent.spatial.bbox.first ?? []
        let interval = collection.extent.temporal.interval.first ?? []
        return [
            "title": collection.title, "description": collection.description,
            "href": "\(base)/ogc/collections/\(collection.id)?f=html", "items": "\(base)/ogc/collections/\(collection.id)/items?f=html",
            "bbox": bbox.map(number).joined(separator: ", "),
            "interval": interval.map { $0 ?? ".." }.joined(separator: " – "),
        ]
    }

    /// A property's value as a person reads it: text as it is, anything else as JSON.
    static func display(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return String(decoding: JSONValue.prettyData(value), as: UTF8.self)
    }
}

extension HTTPField.Name {
    static let contentCRS = HTTPField.Name("Content-Crs")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
