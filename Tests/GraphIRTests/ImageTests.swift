import Testing
@testable import GraphIR

private func decodeMessage(_ text: String, data: [UInt8] = []) -> String? {
    fileErrorMessage { _ = try PNMImage.decode(Array(text.utf8) + data, source: "i.ppm") }
}

/// Gray 8-bit image with sample(y, x).
private func gray(width: Int, height: Int, _ sample: (Int, Int) -> Int) -> PNMImage {
    PNMImage(width: width, height: height, channels: 1,
             samples: (0..<height).flatMap { y in (0..<width).map { x in UInt16(sample(y, x)) } })
}

private func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

@Suite struct ImageTests {
    @Test func roundTripsP6AndP5IncludingSixteenBit() throws {
        let images = [
            PNMImage(width: 2, height: 3, channels: 3, samples: (0..<18).map { UInt16($0 * 14) }),
            gray(width: 3, height: 2) { y, x in 40 * y + x },
            PNMImage(width: 2, height: 1, channels: 1, maxValue: 65535, samples: [258, 65535]),
        ]
        for image in images {
            #expect(try PNMImage.decode(image.encode(), source: "t") == image)
        }
        #expect(images[2].encode() == Array("P5\n2 1\n65535\n".utf8) + [1, 2, 255, 255])
    }

    @Test func skipsCommentsAndWhitespaceInTheHeader() throws {
        let bytes = Array("P5 # a comment\n#another\n 2\t# width\n1\r\n255\n".utf8) + [7, 9]
        #expect(try PNMImage.decode(bytes, source: "t") == gray(width: 2, height: 1) { _, x in x == 0 ? 7 : 9 })
    }

    @Test func rejectsBadInput() {
        #expect(fileErrorMessage { _ = try PNMImage.read(contentsOf: "/nonexistent/i.ppm") } == "/nonexistent/i.ppm: cannot read the image: no such file")
        #expect(decodeMessage("P3\n1 1\n255\n0 0 0") == "i.ppm: not a binary PPM (P6) or PGM (P5) image")
        #expect(decodeMessage("") == "i.ppm: not a binary PPM (P6) or PGM (P5) image")
        #expect(decodeMessage("P6\n4\n") == "i.ppm: malformed PPM/PGM header: expected the height as a decimal number")
        #expect(decodeMessage("P6\nx 4 255\n") == "i.ppm: malformed PPM/PGM header: expected the width as a decimal number")
        #expect(decodeMessage("P6 0 4 255\n") == "i.ppm: malformed PPM/PGM header: image is 0x4")
        #expect(decodeMessage("P6 99999999999 4 255\n") == "i.ppm: malformed PPM/PGM header: the width is too long a number")
        #expect(decodeMessage("P6 1 1 255", data: [1, 2, 3]) == "i.ppm: malformed PPM/PGM header: expected whitespace after maxval")
        #expect(decodeMessage("P6 1 1 0\n", data: [0, 0, 0]) == "i.ppm: maxval 0 is outside 1...65535")
        #expect(decodeMessage("P6 1 1 65536\n", data: [0, 0, 0]) == "i.ppm: maxval 65536 is outside 1...65535")
        #expect(decodeMessage("P5 2 2 100\n", data: [1, 2, 101, 3]) == "i.ppm: sample value 101 exceeds maxval 100")
    }

    @Test func rejectsTruncatedPixelData() {
        #expect(decodeMessage("P6\n2 2\n255\n", data: .init(repeating: 1, count: 11)) == "i.ppm: pixel data is truncated: expected 12 bytes, found 11")
        #expect(decodeMessage("P5\n2 2\n1000\n", data: .init(repeating: 1, count: 7)) == "i.ppm: pixel data is truncated: expected 8 bytes, found 7")
    }

    @Test func refusesHugeImagesBeforeAllocating() {
        let limit = "exceeds the limit of 16384 pixels per side and 100000000 pixels in all (set RESNETC_MAX_IMAGE_SIDE, RESNETC_MAX_IMAGE_PIXELS to change it)"
        #expect(decodeMessage("P6 16385 1 255\n") == "i.ppm: image 16385x1 \(limit)")
        #expect(decodeMessage("P5 16384 16384 255\n") == "i.ppm: image 16384x16384 \(limit)")
    }

    @Test func aConstantImageGivesTheNormalizedConstant() throws {
        let image = PNMImage(width: 5, height: 9, channels: 3, samples: (0..<135).map { [UInt16(51), 102, 204][$0 % 3] })
        let tensor = try ImagePreprocessing.inputTensor(from: image, source: "t", channels: 3, height: 4, width: 4)
        #expect(tensor.shape == [1, 3, 4, 4])
        let expected: [Float] = [(0.2 - 0.485) / 0.229, (0.4 - 0.456) / 0.224, (0.8 - 0.406) / 0.225]
        #expect(close(tensor.data, expected.flatMap { [Float](repeating: $0, count: 16) }))
    }

    @Test func grayImagesAreReplicatedForThreeChannelModels() throws {
        let tensor = try ImagePreprocessing.inputTensor(from: gray(width: 3, height: 3) { _, _ in 255 }, source: "t", channels: 3, height: 2, width: 2)
        let expected: [Float] = [(1 - 0.485) / 0.229, (1 - 0.456) / 0.224, (1 - 0.406) / 0.225]
        #expect(close(tensor.data, expected.flatMap { [Float](repeating: $0, count: 4) }))
    }

    @Test func rgbImagesAreConvertedToGrayForOneChannelModels() throws {
        let image = PNMImage(width: 1, height: 1, channels: 3, samples: [255, 0, 0])
        let red = try ImagePreprocessing.inputTensor(from: image, source: "t", channels: 1, height: 1, width: 1)
        #expect(close(red.data, [0.299]))
    }

    @Test func upsamplesBilinearlyWithHalfPixelCenters() throws {
        // 4x4 → resized 8x8 (round(7 · 256/224) = 8), cropped at offset round(0.5) = 0.
        // Source coordinates 0.5·dst − 0.25 clamped at 0: the image is linear
        // (10y + x), so each output is 10·sy + sx.
        let tensor = try ImagePreprocessing.inputTensor(from: gray(width: 4, height: 4) { y, x in 10 * y + x }, source: "t", channels: 1, height: 7, width: 7)
        let coordinates: [Float] = [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75]
        let expected = coordinates.flatMap { sy in coordinates.map { sx in (10 * sy + sx) / 255 } }
        #expect(close(tensor.data, expected))
    }

    @Test func keepsTheAspectRatioAndCropsTheCenter() throws {
        // 6 wide x 3 tall → resized 16x8; left offset round(4.5) = 4 (half to even).
        // Columns 4...10 sample x = 0.375·(dst + 0.5) − 0.5.
        let image = PNMImage(width: 6, height: 3, channels: 3, samples: (0..<18).flatMap { i in [UInt16](repeating: UInt16(i % 6), count: 3) })
        let tensor = try ImagePreprocessing.inputTensor(from: image, source: "t", channels: 1, height: 7, width: 7)
        let row: [Float] = [1.1875, 1.5625, 1.9375, 2.3125, 2.6875, 3.0625, 3.4375].map { $0 / 255 }
        #expect(close(tensor.data, (0..<7).flatMap { _ in row }, tolerance: 1e-6))
    }

    @Test func padsWithZerosWhenTheResizedImageIsSmallerThanTheCrop() throws {
        // A 3-wide, 1-tall image for a 1x4 input: the short side becomes
        // round(256/224) = 1, the long one 3 < 4: one zero column, on the
        // right ((4 − 3) / 2 = 0 on the left, as CenterCrop pads).
        let tensor = try ImagePreprocessing.inputTensor(from: gray(width: 3, height: 1) { _, _ in 255 }, source: "t", channels: 1, height: 1, width: 4)
        #expect(tensor.data == [1, 1, 1, 0])
    }

    @Test func readsImagesFromFilesAndRejectsUnsupportedChannelCounts() throws {
        #expect(fileErrorMessage { _ = try ImagePreprocessing.inputTensor(from: gray(width: 1, height: 1) { _, _ in 0 }, source: "i.pgm", channels: 4, height: 1, width: 1) }
            == "i.pgm: the model's input has 4 channels; images feed only 1 (gray) or 3 (RGB)")
        #expect(fileErrorMessage { _ = try ImagePreprocessing.inputTensor(fromImageAt: "/nonexistent/i.pgm", channels: 3, height: 1, width: 1) }
            == "/nonexistent/i.pgm: cannot read the image: no such file")
    }
}
