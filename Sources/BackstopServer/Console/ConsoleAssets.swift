import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// What the console's pages load, all served by Backstop itself (nothing from the internet):
/// its own stylesheet, scripts and base map from the bundle, Leaflet and Chart.js from Debian's
/// `libjs-leaflet` and `libjs-chart.js` (installed by `scripts/serve.sh` and `scripts/test.sh`).
struct ConsoleAssets: Sendable {
    static let debianScripts = "/usr/share/javascript"

    /// Name → where the file is and its media type.
    static let files: [String: (path: String, type: String)] = {
        var files: [String: (String, String)] = [
            "leaflet.js": ("\(debianScripts)/leaflet/leaflet.js", "text/javascript; charset=utf-8"),
            "leaflet.css": ("\(debianScripts)/leaflet/leaflet.css", "text/css; charset=utf-8"),
            "chart.js": ("\(debianScripts)/chart.js/chart.min.js", "text/javascript; charset=utf-8"),
        ]
        if let folder = Bundle.module.url(forResource: "Console", withExtension: nil),
           let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            for name in names {
                let type = switch URL(fileURLWithPath: name).pathExtension {
                case "js": "text/javascript; charset=utf-8"
                case "css": "text/css; charset=utf-8"
                case "geojson": "application/geo+json"
                case "json", "webmanifest": "application/manifest+json"
                case "svg": "image/svg+xml"
                default: "application/octet-stream"
                }
                files[name] = (folder.appendingPathComponent(name).path, type)
            }
        }
        return files
    }()

    func asset(_ name: String) throws -> Response {
        guard let (path, type) = Self.files[name] else { throw APIError.notFound("no asset '\(name)'") }
        return try serve(path, type: type, name: name)
    }

    /// Leaflet's control images, as its stylesheet names them (`images/…`).
    func image(_ name: String) throws -> Response {
        guard name.range(of: #"^[a-z0-9-]+(@2x)?\.png$"#, options: .regularExpression) != nil else { throw APIError.notFound("no image '\(name)'") }
        return try serve("\(Self.debianScripts)/leaflet/images/\(name)", type: "image/png", name: name)
    }

    private func serve(_ path: String, type: String, name: String) throws -> Response {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APIError.notFound("asset '\(name)' is not installed here (\(path); scripts/serve.sh installs libjs-leaflet and libjs-chart.js)")
        }
        var headers: HTTPFields = [.contentType: type, .cacheControl: "public, max-age=3600"]
        // The field form's service worker serves the form's own path, above its folder.
        if name == "field-sw.js" {
            headers[HTTPField.Name("Service-Worker-Allowed")!] = "/console/field"
            headers[.cacheControl] = "no-cache"
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
