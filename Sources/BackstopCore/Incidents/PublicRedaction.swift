import Foundation

/// What the public may see of a released incident: no reporter, team, note, grade or member
/// record; the place coarsened to a grid cell's centre (about 5 km by default) or to "near" the
/// nearest settlement; times to the hour; nothing until an embargo after the event has passed,
/// so that a report cannot be used to adjust fire.
public struct PublicRedaction: Sendable, Hashable {
    public enum Place: Sendable, Hashable {
        /// The centre of the grid cell holding the point.
        case grid(degrees: Double)
        /// "near <settlement>" for the nearest within `metres`; the grid cell beyond that.
        case nearestSettlement(withinMetres: Double, fallbackDegrees: Double)
    }

    public var place: Place
    public var embargo: TimeInterval

    public init(place: Place = .grid(degrees: 0.05), embargo: TimeInterval = 24 * 3600) {
        self.place = place
        self.embargo = embargo
    }

    /// Still withheld at `now`: the event ended less than the embargo ago. Counted from the
    /// end of the hour it ended in, so that the moment an incident appears does not tell the
    /// exact time the view rounds away.
    public func isEmbargoed(eventEnd: Date, now: Date) -> Bool {
        now.timeIntervalSince(Self.hour(eventEnd).addingTimeInterval(3600)) < embargo
    }

    /// How far (in degrees, either axis) the public's point may lie from the incident's: at most a grid cell.
    public var largestShiftDegrees: Double {
        switch place {
        case .grid(let degrees): degrees
        case .nearestSettlement(_, let fallback): fallback
        }
    }

    /// The start of the hour holding `date`.
    public static func hour(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
    }

    /// A point moved to the centre of its grid cell, rounded to the cell's precision.
    public static func snap(_ point: GeoPoint, degrees: Double) -> GeoPoint {
        func centre(_ value: Double) -> Double {
            let snapped = ((value / degrees).rounded(.down) + 0.5) * degrees
            return (snapped * 10_000).rounded() / 10_000
        }
        // A cell at a pole or the antimeridian has its centre beyond: keep the point on the globe.
        return GeoPoint(lat: min(max(centre(point.lat), -90), 90), lon: min(max(centre(point.lon), -180), 180))
    }

    /// The coarse place: a snapped point, or a settlement's name.
    public func coarsen(_ point: GeoPoint, settlements: SettlementIndex?) -> (point: GeoPoint?, near: String?) {
        switch place {
        case .grid(let degrees):
            return (Self.snap(point, degrees: degrees), nil)
        case .nearestSettlement(let metres, let fallback):
            if let nearest = settlements?.nearest(to: point, within: metres) { return (nil, nearest.name) }
            return (Self.snap(point, degrees: fallback), nil)
        }
    }
}
