import BackstopCore
import BackstopStore
import Foundation
import Hummingbird
import Prometheus

/// Health, metrics and the API description.
struct SystemController: Sendable {
    let store: any BackstopStore
    let metrics: ServerMetrics
    let node: String

    func register(with routes: RouteRegistrar) {
        routes.add(.health) { _, _, _ in try await health() }
        routes.add(.metrics) { _, _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
        routes.add(.openAPI) { _, _, _ in try openAPI() }
    }

    func health() async throws -> Response {
        do {
            let count = try await store.observationCount()
            return JSONResponse.make(.object(["status": .string("ok"), "observations": .integer(Int(count)), "node": .string(node)]))
        } catch {
            return JSONResponse.make(status: .serviceUnavailable, .object(["status": .string("unavailable"), "node": .string(node)]),
                                     headers: [.retryAfter: "5"])
        }
    }

    func openAPI() throws -> Response {
        guard let data = OpenAPIDocument.data else {
            throw APIError(.internalServerError, code: "internal", message: "the OpenAPI document is missing from the build")
        }
        return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The OpenAPI document shipped with the server.
public enum OpenAPIDocument {
    public static let data: Data? = Bundle.module.url(forResource: "openapi", withExtension: "yaml")
        .flatMap { try? Data(contentsOf: $0) }
}
