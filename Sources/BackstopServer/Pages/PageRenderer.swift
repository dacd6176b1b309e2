import Foundation
import Hummingbird
import Mustache
import NIOCore

/// Server-rendered pages: the Mustache templates shipped in `Resources/Templates`, loaded once,
/// escaped by default (`{{value}}`). A page is a view of the resource its handler answers with
/// as JSON, so the two cannot drift apart.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// The templates bundled with the server; a missing or broken template stops the server at
    /// start, not at the first request.
    static let bundled: PageRenderer = {
        var library = MustacheLibrary()
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil),
              let files = try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil) else {
            fatalError("the server's page templates are missing from its bundle")
        }
        for file in files where file.pathExtension == "mustache" {
            do {
                try library.register(String(contentsOf: file, encoding: .utf8), named: file.deletingPathExtension().lastPathComponent)
            } catch {
                fatalError("page template \(file.lastPathComponent) does not parse: \(error)")
            }
        }
        return PageRenderer(library: library)
    }()

    func render(_ template: String, _ context: [String: Any]) -> String {
        guard let text = library.render(Self.present(context), withTemplate: template) else {
            fatalError("no page template named \(template)")
        }
        return text
    }

    /// The context without absent values: a missing key is false to a section, as nil should
    /// be (an `Optional` inside `Any` would otherwise render as "nil").
    static func present(_ value: Any) -> Any {
        switch value {
        case let dictionary as [String: Any]:
            return dictionary.compactMapValues { unwrapped($0).map(present) }
        case let array as [Any]:
            return array.compactMap { unwrapped($0).map(present) }
        default:
            return value
        }
    }

    private static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.map { unwrapped($0.value) } ?? nil
    }

    func response(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: render(template, context))))
    }
}
