import BackstopCore
import BackstopStore
import Foundation
import Hummingbird

/// Agreements: listed as summaries, read as documents (any version), changed by supervisors.
struct AgreementsController: Sendable {
    let store: any BackstopStore
    let configuration: ServerConfiguration
    let resolvers: LocationResolverCache

    func register(with routes: RouteRegistrar) {
        routes.add(.listAgreements) { request, _, _ in try await list(request) }
        routes.add(.getAgreement) { request, context, _ in try await get(request, context) }
        routes.add(.getAgreementGeometry) { request, context, _ in try await geometry(request, context) }
        routes.add(.putAgreement) { request, context, identity in try await put(request, context, identity: identity!) }
    }

    func list(_ request: Request) async throws -> Response {
        let summaries = try await store.latestAgreements().map { stored in
            var summary = AgreementSummary(try stored.agreement())
            summary.version = stored.version
            return summary.jsonValue
        }
        return JSONResponse.make(.object(["agreements": .array(summaries)]))
    }

    func get(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let stored = try await requested(request, context)
        return JSONResponse.make(stored.document, headers: [.eTag: "\"\(stored.version)\""])
    }

    /// Lines, zones and withdrawal areas as GeoJSON, derived from the requested version.
    func geometry(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let stored = try await requested(request, context)
        let collection = try AgreementGeometry(try stored.agreement()).featureCollection()
        return JSONResponse.make(collection, headers: [.eTag: "\"\(stored.version)\"", .contentType: "application/geo+json"])
    }

    /// The agreement version a GET names: `?version=N`, or the latest.
    private func requested(_ request: Request, _ context: AppRequestContext) async throws -> StoredAgreement {
        var parameters = QueryParameters(request, allowed: Endpoint.getAgreement.queryParameters)
        let version = parameters.int("version", range: 1...Int(Int32.max))
        try parameters.check()
        let id = context.parameters.get("id") ?? ""
        guard let stored = try await store.agreement(id: id, version: version) else {
            throw APIError.notFound(version.map { "agreement \(id) has no version \($0)" } ?? "no agreement \(id)")
        }
        return stored
    }

    /// Saves a new version. A `version` in the body is the version the client expects to
    /// create; a stale one gets 409, so two supervisors cannot silently overwrite each other.
    func put(_ request: Request, _ context: AppRequestContext, identity: Identity) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let document = try await RequestBody.json(request, limit: configuration.maxBodyBytes)
        let agreement = try AgreementParser().parse(document)
        guard agreement.id == id else {
            throw APIError.validation(path: "id", "is '\(agreement.id)' but the URL names '\(id)'")
        }
        let record = AgreementRecord(document: document, agreement: agreement, savedBy: identity.name, savedAt: configuration.now())
        let stored = try await store.saveAgreement(record, expectedVersion: agreement.version)
        await resolvers.invalidate()
        return JSONResponse.make(
            status: stored.version == 1 ? .created : .ok, stored.document,
            headers: [.eTag: "\"\(stored.version)\"", .location: "/api/v1/agreements/\(id)?version=\(stored.version)"]
        )
    }
}
