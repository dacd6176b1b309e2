import BackstopCore
import BackstopServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

/// The document must describe the server as it is: the same operations, the same roles, and
/// nothing fetched from elsewhere.
@Suite struct OpenAPITests {
    func document() throws -> [String: Any] {
        let data = try #require(OpenAPIDocument.data)
        return try #require(try Yams.load(yaml: String(decoding: data, as: UTF8.self)) as? [String: Any])
    }

    func references(in value: Any) -> [String] {
        switch value {
        case let dictionary as [String: Any]:
            return dictionary.flatMap { key, value in key == "$ref" ? [value as? String ?? ""] : references(in: value) }
        case let array as [Any]:
            return array.flatMap(references)
        default:
            return []
        }
    }

    // MARK: Tests

    @Test func theDocumentListsExactlyTheServersOperationsAndRoles() throws {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        var documented: [String: Set<String>] = [:]
        for (path, operations) in paths {
            for (method, operation) in operations {
                let roles = ((operation as? [String: Any])?["x-backstop-roles"] as? [String]) ?? []
                documented["\(method.uppercased()) \(path)"] = Set(roles)
            }
        }
        var served: [String: Set<String>] = [:]
        for endpoint in Endpoint.all {
            served["\(endpoint.method.rawValue) \(endpoint.path)"] = endpoint.roles.map { Set($0.map(\.rawValue)) } ?? ["anonymous"]
        }
        #expect(documented == served)
    }

    /// The query parameters the server accepts (the registrar refuses any other) are the ones
    /// the document names, operation by operation.
    @Test func theDocumentNamesExactlyTheQueryParametersEachOperationAccepts() throws {
        let document = try document()
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        func resolve(_ parameter: Any) -> [String: Any]? {
            guard let object = parameter as? [String: Any] else { return nil }
            guard let ref = object["$ref"] as? String else { return object }
            var node: Any? = document
            for key in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(key)] }
            return node as? [String: Any]
        }
        for endpoint in Endpoint.all {
            let operation = paths[endpoint.path]?[endpoint.method.rawValue.lowercased()] as? [String: Any]
            let parameters = ((operation?["parameters"] as? [Any]) ?? []).compactMap(resolve)
            let documented = Set(parameters.filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String })
            #expect(documented == endpoint.queryParameters, "\(endpoint.method) \(endpoint.path)")
        }
    }

    @Test func theDocumentSaysWhichOperationsAnswerWithoutAToken() throws {
        let document = try document()
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        for endpoint in Endpoint.all where endpoint.roles != nil {
            let operation = paths[endpoint.path]?[endpoint.method.rawValue.lowercased()] as? [String: Any]
            // `security: [{bearer: []}, {}]`: a token, or none at all.
            let optional = (operation?["security"] as? [[String: Any]])?.contains { $0.isEmpty } ?? false
            #expect(optional == endpoint.admitsAnonymous, "\(endpoint.method) \(endpoint.path)")
        }
    }

    @Test func everyReferenceIsLocalAndResolves() throws {
        let document = try document()
        let refs = references(in: document)
        #expect(!refs.isEmpty)
        for ref in refs {
            #expect(ref.hasPrefix("#/"), "\(ref) is not local")
            var node: Any? = document
            for key in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(key)] }
            #expect(node != nil, "\(ref) does not resolve")
        }
    }

    @Test func theServerServesTheDocument() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
                #expect(Data(String(buffer: response.body).utf8) == OpenAPIDocument.data)
            }
        }
    }
}
