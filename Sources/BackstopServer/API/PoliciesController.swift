import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Escalation policies: versioned like agreements (a stale `version` is 409), checked against
/// the agreement whose zones they name, every save audited.
struct PoliciesController: Sendable {
    let store: any BackstopStore
    let configuration: ServerConfiguration

    func register(with routes: RouteRegistrar) {
        routes.add(.listPolicies) { _, _, _ in try await list() }
        routes.add(.getPolicy) { request, context, _ in try await get(request, context) }
        routes.add(.putPolicy) { request, context, identity in try await put(request, context, identity: identity!) }
    }

    struct Summary: Encodable {
        var id: String
        var version: Int
        var title: String
        var agreementId: String?
        var sectors: Int
        var rules: Int
        var savedBy: String
        var savedAt: Date
    }

    func list() async throws -> Response {
        let summaries = try await store.latestPolicies().map { stored in
            let policy = try stored.policy()
            return Summary(id: stored.id, version: stored.version, title: policy.title, agreementId: policy.agreementID, sectors: policy.sectors.count,
                           rules: policy.rules.count, savedBy: stored.savedBy, savedAt: stored.savedAt)
        }
        return try EscalationResponse.make(["policies": summaries])
    }

    func get(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.getPolicy.queryParameters)
        let version = parameters.int("version", range: 1...Int(Int32.max))
        try parameters.check()
        let id = context.parameters.get("id") ?? ""
        guard let stored = try await store.policy(id: id, version: version) else {
            throw APIError.notFound(version.map { "policy \(id) has no version \($0)" } ?? "no policy \(id)")
        }
        return JSONResponse.make(try stored.json, headers: [.eTag: "\"\(stored.version)\""])
    }

    func put(_ request: Request, _ context: AppRequestContext, identity: Identity) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let document = try await RequestBody.json(request, limit: configuration.maxBodyBytes)
        let policy = try EscalationPolicyParser().parse(document)
        guard policy.id == id else { throw APIError.validation(path: "id", "is '\(policy.id)' but the URL names '\(id)'") }
        let agreement = try await policy.agreementID.asyncMap { try await store.agreement(id: $0, version: nil)?.agreement() } ?? nil
        try EscalationPolicyParser().check(policy, against: agreement)
        let stored = try await store.savePolicy(document, policy: policy, savedBy: identity.name, at: configuration.now())
        return JSONResponse.make(status: stored.version == 1 ? .created : .ok, try stored.json,
                                 headers: [.eTag: "\"\(stored.version)\"", .location: "/api/v1/policies/\(id)?version=\(stored.version)"])
    }
}

/// Answers in escalation's JSON form (snake_case, RFC 3339 times, sorted keys).
enum EscalationResponse {
    static func make(status: HTTPResponse.Status = .ok, _ value: some Encodable, headers extra: HTTPFields = [:]) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        for field in extra { headers[field.name] = field.value }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try EscalationJSON.data(value))))
    }

    static func xml(_ text: String, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Who a caller is to escalation: the audience they read as (the public without a token) and,
/// for a partner's liaison, the partner they speak for (their token's name).
struct EscalationCaller {
    var identity: Identity?

    var role: Role { identity?.role ?? .public }
    var audience: ReleaseLevel { ReleaseLevel.audience(of: role) ?? .public }
    var partner: String? { role == .partner ? identity?.name : nil }
    var insideMission: Bool { audience == .internal }
}
