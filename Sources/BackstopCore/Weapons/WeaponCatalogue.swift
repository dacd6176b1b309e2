/// Maps weapon models, as monitors write them, to their class and calibre.
public struct WeaponCatalogue: Sendable {
    public struct Entry: Sendable, Hashable {
        public var model: String
        public var weaponClass: WeaponClass
        public var calibreMillimetres: Double?
        public var aliases: [String]

        public init(model: String, weaponClass: WeaponClass, calibreMillimetres: Double? = nil, aliases: [String] = []) {
            self.model = model
            self.weaponClass = weaponClass
            self.calibreMillimetres = calibreMillimetres
            self.aliases = aliases
        }
    }

    public private(set) var entries: [Entry]
    private var byKey: [String: Int]

    public init(entries: [Entry]) {
        self.entries = []
        self.byKey = [:]
        for entry in entries { add(entry) }
    }

    /// Adds or replaces an entry (an agreement may extend the built-in catalogue).
    public mutating func add(_ entry: Entry) {
        let index: Int
        if let existing = byKey[Self.key(entry.model)] {
            entries[existing] = entry
            index = existing
        } else {
            entries.append(entry)
            index = entries.count - 1
        }
        for name in [entry.model] + entry.aliases { byKey[Self.key(name)] = index }
    }

    /// The entry for a model name, ignoring case, spaces, hyphens and dots ("bm21" finds "BM-21 Grad").
    public func entry(forModel model: String) -> Entry? {
        byKey[Self.key(model)].map { entries[$0] }
    }

    static func key(_ name: String) -> String {
        String(name.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// Common systems on the contact lines the sample agreements describe.
    public static let standard = WeaponCatalogue(entries: [
        Entry(model: "BM-21 Grad", weaponClass: .mlrs, calibreMillimetres: 122, aliases: ["BM-21", "Grad", "9K51"]),
        Entry(model: "BM-27 Uragan", weaponClass: .heavyMLRS, calibreMillimetres: 220, aliases: ["BM-27", "Uragan", "9P140"]),
        Entry(model: "BM-30 Smerch", weaponClass: .heavyMLRS, calibreMillimetres: 300, aliases: ["BM-30", "Smerch", "9A52"]),
        Entry(model: "9A52-4 Tornado", weaponClass: .heavyMLRS, calibreMillimetres: 300, aliases: ["Tornado-S", "Tornado"]),
        Entry(model: "OTR-21 Tochka-U", weaponClass: .tacticalMissile, calibreMillimetres: 650, aliases: ["Tochka-U", "Tochka", "9K79", "9K79-1"]),
        Entry(model: "2S1 Gvozdika", weaponClass: .artillery100mmPlus, calibreMillimetres: 122, aliases: ["2S1", "Gvozdika"]),
        Entry(model: "2S3 Akatsiya", weaponClass: .artillery100mmPlus, calibreMillimetres: 152, aliases: ["2S3", "Akatsiya"]),
        Entry(model: "2S19 Msta-S", weaponClass: .artillery100mmPlus, calibreMillimetres: 152, aliases: ["2S19", "Msta-S"]),
        Entry(model: "2A65 Msta-B", weaponClass: .artillery100mmPlus, calibreMillimetres: 152, aliases: ["2A65", "Msta-B"]),
        Entry(model: "2A36 Giatsint-B", weaponClass: .artillery100mmPlus, calibreMillimetres: 152, aliases: ["2A36", "Giatsint-B"]),
        Entry(model: "D-30", weaponClass: .artillery100mmPlus, calibreMillimetres: 122, aliases: ["2A18", "D30"]),
        Entry(model: "D-20", weaponClass: .artillery100mmPlus, calibreMillimetres: 152),
        Entry(model: "MT-12 Rapira", weaponClass: .artillery100mmPlus, calibreMillimetres: 100, aliases: ["MT-12", "Rapira", "2A29"]),
        Entry(model: "ZiS-3", weaponClass: .artilleryUnder100mm, calibreMillimetres: 76),
        Entry(model: "2B11 Sani", weaponClass: .mortar, calibreMillimetres: 120, aliases: ["2B11", "Sani", "PM-38", "M120"]),
        Entry(model: "2B14 Podnos", weaponClass: .mortar, calibreMillimetres: 82, aliases: ["2B14", "Podnos"]),
        Entry(model: "2B9 Vasilek", weaponClass: .mortar, calibreMillimetres: 82, aliases: ["2B9", "Vasilek"]),
        Entry(model: "T-64", weaponClass: .tank, calibreMillimetres: 125, aliases: ["T-64BV", "T-64B"]),
        Entry(model: "T-72", weaponClass: .tank, calibreMillimetres: 125, aliases: ["T-72B", "T-72B3"]),
        Entry(model: "T-80", weaponClass: .tank, calibreMillimetres: 125),
        Entry(model: "T-90", weaponClass: .tank, calibreMillimetres: 125),
        Entry(model: "M1A1 Abrams", weaponClass: .tank, calibreMillimetres: 120, aliases: ["M1A1", "Abrams"]),
        Entry(model: "K2 Black Panther", weaponClass: .tank, calibreMillimetres: 120, aliases: ["K2"]),
        Entry(model: "BMP-1", weaponClass: .armouredVehicle, calibreMillimetres: 73),
        Entry(model: "BMP-2", weaponClass: .armouredVehicle, calibreMillimetres: 30),
        Entry(model: "BTR-80", weaponClass: .armouredVehicle, calibreMillimetres: 14.5),
        Entry(model: "MT-LB", weaponClass: .armouredVehicle),
        Entry(model: "ZU-23-2", weaponClass: .antiAircraft, calibreMillimetres: 23, aliases: ["ZU-23"]),
        Entry(model: "ZSU-23-4 Shilka", weaponClass: .antiAircraft, calibreMillimetres: 23, aliases: ["ZSU-23-4", "Shilka"]),
        Entry(model: "9K35 Strela-10", weaponClass: .antiAircraft, aliases: ["Strela-10", "9K35"]),
        Entry(model: "9K38 Igla", weaponClass: .manpads, aliases: ["Igla", "9K38"]),
        Entry(model: "SPG-9", weaponClass: .antiTankGun, calibreMillimetres: 73),
        Entry(model: "Orlan-10", weaponClass: .uav),
    ])
}
