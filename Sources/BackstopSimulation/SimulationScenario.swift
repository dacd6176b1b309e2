import BackstopCore
import Foundation

/// What a simulated stretch of time along an agreement's line looks like: how often things
/// happen, who watches, and how their reports go wrong. The defaults are the default scenario
/// of `backstop simulate`, loosely scaled on a busy day of the OSCE mission in Donbas.
public struct SimulationScenario: Sendable {
    public var start: Date
    public var hours: Double
    public var seed: UInt64

    // Ground truth, over the whole line.
    /// Each exchange is two events: the launch (outgoing fire) and the impacts (incoming).
    public var shellingExchangesPerHour = 2.0
    public var smallArmsFirePerHour = 1.5
    public var weaponGroupsPerHour = 0.6
    public var uavFlightsPerHour = 0.4
    public var liveFireTrainingPerDay = 2.0
    public var movementRestrictionsPerDay = 1.5
    public var mineLayingPerDay = 0.5
    /// Share of fire that falls around a few hotspots rather than anywhere on the line.
    public var hotspotShare = 0.6
    public var hotspotCount = 6

    // Who watches.
    public var patrolCount = 24
    public var cameraCount = 10
    public var acousticArrayCount = 6
    /// Fixed cameras and acoustic sensors that give a bearing only (no distance): their records
    /// are placed by triangulation when two or more of them hear one event. None by default.
    public var bearingCameraCount = 0
    public var bearingAcousticCount = 0
    /// True bearing error (σ) of those; each reports ± twice its σ.
    public var bearingCameraNoiseDegrees = 1.0
    public var bearingAcousticNoiseDegrees = 2.0
    /// Outages of a bearing sensor per day (each 2–8 h, nothing reported meanwhile).
    public var sensorOutagesPerDay = 0.3

    // How reports go wrong.
    /// True bearing error of a patrol's ear or eye (σ); patrols report ±`reportedBearingErrorDegrees`.
    public var bearingNoiseDegrees = 4.0
    public var reportedBearingErrorDegrees = 10.0
    /// Spread of distance estimates by ear, as σ of the log of estimate / truth.
    public var distanceNoiseLog = 0.25
    /// σ of the error of a reported time.
    public var timeNoiseSeconds = 30.0
    /// Patrol records of explosions that did not happen (mishearing), as a share of patrol records.
    public var falseReportRate = 0.01
    /// Records filed a second time by the other member of a patrol, with a new id.
    public var duplicateRate = 0.03
    /// Records sent twice with the same id (a retry); the store keeps one.
    public var retryRate = 0.01
    /// Patrol records that give the place as "N km DIR of PLACE" instead of a bearing.
    public var placeReferenceRate = 0.2
    /// Allegations by the parties of shelling that did not happen, per hour.
    public var falseAllegationsPerHour = 0.3
    /// Share of impacts on a party's side that the party alleges.
    public var allegationRate = 0.25

    public init(start: Date, hours: Double, seed: UInt64) {
        self.start = start
        self.hours = hours
        self.seed = seed
    }

    /// 1 March 2021, after the July 2020 measures of the Donbas sample took effect.
    public static let defaultStart = Timestamp.parse("2021-03-01T00:00:00Z")!
}
