import Foundation

/// The documents of OGC API – Features that are not features: links, the landing page, the
/// conformance declaration and the collections' descriptions, as the standard's schemas name
/// their members.
enum FeaturesDocuments {
    struct Link: Codable, Sendable {
        var href: String
        var rel: String
        var type: String
        var title: String?
    }

    struct LandingPage: Codable, Sendable {
        var title: String
        var description: String
        var links: [Link]
    }

    struct Conformance: Codable, Sendable {
        var conformsTo: [String]
    }

    struct Extent: Codable, Sendable, Equatable {
        struct Spatial: Codable, Sendable, Equatable {
            var bbox: [[Double]]
            var crs: String
        }

        struct Temporal: Codable, Sendable, Equatable {
            var interval: [[String?]]
            var trs: String
        }

        var spatial: Spatial
        var temporal: Temporal
    }

    struct Collection: Codable, Sendable {
        var id: String
        var title: String
        var description: String
        var itemType: String
        var extent: Extent
        var crs: [String]
        var storageCrs: String
        var links: [Link]
    }

    struct Collections: Codable, Sendable {
        var links: [Link]
        var collections: [Collection]
    }

    /// The classes Backstop implements: Part 1's core, GeoJSON, HTML and OpenAPI 3.0, and Part 2's
    /// CRS (CRS84 and EPSG:4326 only).
    static let conformance = Conformance(conformsTo: [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    ])
}

/// The two coordinate reference systems Backstop serves: OGC's CRS84 (longitude, latitude: the
/// default, as GeoJSON) and EPSG:4326, the same datum with latitude first, as its definition says.
enum FeatureCRS: String, CaseIterable, Sendable {
    case crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    case epsg4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"

    /// Coordinates in this system's axis order.
    func coordinates(lat: Double, lon: Double) -> (Double, Double) {
        self == .crs84 ? (lon, lat) : (lat, lon)
    }

    static let trs = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
}
