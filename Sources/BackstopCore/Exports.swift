// Domain types use GeoPoint in their public API, so importers of the core get it too.
@_exported import BackstopGeo
