import BackstopGeo

/// Where the observer stood when the record was made.
public struct ObserverPosition: Sendable, Hashable {
    public var point: GeoPoint
    public var accuracyMetres: Double?

    public init(point: GeoPoint, accuracyMetres: Double? = nil) {
        self.point = point
        self.accuracyMetres = accuracyMetres
    }
}

/// An assessed distance band such as "3-5 km".
public struct DistanceBand: Sendable, Hashable {
    public var minKm: Double
    public var maxKm: Double

    public init(minKm: Double, maxKm: Double) {
        self.minKm = minKm
        self.maxKm = maxKm
    }
}

/// A bearing (degrees from true north) with its assessed error and an optional distance band.
public struct BearingFix: Sendable, Hashable {
    public var bearingDegrees: Double
    public var bearingErrorDegrees: Double?
    public var distance: DistanceBand?

    public init(bearingDegrees: Double, bearingErrorDegrees: Double? = nil, distance: DistanceBand? = nil) {
        self.bearingDegrees = bearingDegrees
        self.bearingErrorDegrees = bearingErrorDegrees
        self.distance = distance
    }
}

/// Where the observed thing was, in the form the reporter gave it. Kept as given; the
/// geometry engine resolves relative forms into a point with an uncertainty.
public enum ObservationLocation: Sendable, Hashable {
    case absolute(point: GeoPoint, accuracyMetres: Double?)
    case relativeToObserver(BearingFix)
    /// A place name, optionally with a bearing and distance from it ("2 km NW of Avdiivka").
    case relativeToPlace(place: String, bearingDegrees: Double?, distance: DistanceBand?)

    public var formName: String {
        switch self {
        case .absolute: "absolute"
        case .relativeToObserver: "relative_to_observer"
        case .relativeToPlace: "relative_to_place"
        }
    }

    public var absolutePoint: GeoPoint? {
        if case .absolute(let point, _) = self { return point }
        return nil
    }
}

/// Direction of flight of a projectile or aircraft, as bearings from the observer.
public struct Flight: Sendable, Hashable {
    public var fromBearingDegrees: Double?
    public var toBearingDegrees: Double?

    public init(fromBearingDegrees: Double?, toBearingDegrees: Double?) {
        self.fromBearingDegrees = fromBearingDegrees
        self.toBearingDegrees = toBearingDegrees
    }
}

public struct WeaponReport: Sendable, Hashable {
    public var model: String?
    public var weaponClass: WeaponClass?
    public var calibreMillimetres: Double?
    public var quantity: Int?

    public init(model: String? = nil, weaponClass: WeaponClass? = nil, calibreMillimetres: Double? = nil, quantity: Int? = nil) {
        self.model = model
        self.weaponClass = weaponClass
        self.calibreMillimetres = calibreMillimetres
        self.quantity = quantity
    }
}

public struct Casualties: Sendable, Hashable {
    public var killed: Int
    public var injured: Int
    public var civilian: Bool?

    public init(killed: Int, injured: Int, civilian: Bool?) {
        self.killed = killed
        self.injured = injured
        self.civilian = civilian
    }
}
