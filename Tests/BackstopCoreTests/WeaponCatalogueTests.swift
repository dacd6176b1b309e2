import BackstopCore
import Testing

@Suite struct WeaponCatalogueTests {
    @Test(arguments: [
        ("BM-21 Grad", WeaponClass.mlrs), ("bm21", .mlrs), ("Grad", .mlrs),
        ("2S1 Gvozdika", .artillery100mmPlus), ("T-72", .tank), ("2B11", .mortar),
        ("Smerch", .heavyMLRS), ("Tochka-U", .tacticalMissile), ("MT-12", .artillery100mmPlus),
    ])
    func mapsModelsToClasses(model: String, expected: WeaponClass) {
        #expect(WeaponCatalogue.standard.entry(forModel: model)?.weaponClass == expected)
    }

    @Test func anUnknownModelHasNoEntry() {
        #expect(WeaponCatalogue.standard.entry(forModel: "Zeppelin") == nil)
    }

    @Test func anAgreementCanAddModels() {
        var catalogue = WeaponCatalogue.standard
        catalogue.add(.init(model: "K9 Thunder", weaponClass: .artillery100mmPlus, calibreMillimetres: 155, aliases: ["K9"]))
        #expect(catalogue.entry(forModel: "k9")?.calibreMillimetres == 155)
    }
}
