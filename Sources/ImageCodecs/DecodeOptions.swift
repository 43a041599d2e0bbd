/// Safety limits applied while decoding.
public struct DecodeOptions: Sendable, Equatable {
    /// Largest width x height accepted, checked from the file header before any
    /// pixel memory is allocated. The default, 178,956,970 pixels (about
    /// 179 MP, e.g. 16384 x 10922), is where Pillow refuses an image outright
    /// (twice its `MAX_IMAGE_PIXELS` warning threshold). Decoding an image this
    /// large needs about 4 bytes per pixel at peak (RGBA for PNGs with alpha).
    public var maxPixels: Int = 178_956_970

    /// Most scans a progressive JPEG may have. Each scan costs a pass over the
    /// whole coefficient buffer, so a small file with thousands of tiny scans
    /// could otherwise take minutes ("scan bomb"); real files have about 10.
    public var maxJPEGScans: Int = 256

    /// Whether to honour the EXIF orientation tag of JPEG files (default true:
    /// phone photos come out upright).
    public var appliesEXIFOrientation: Bool = true

    /// Creates options; every parameter defaults to the documented default.
    public init(maxPixels: Int = 178_956_970, maxJPEGScans: Int = 256, appliesEXIFOrientation: Bool = true) {
        self.maxPixels = maxPixels
        self.maxJPEGScans = maxJPEGScans
        self.appliesEXIFOrientation = appliesEXIFOrientation
    }
}
