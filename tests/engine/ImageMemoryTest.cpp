#include <QtTest>

#include <cstdint>
#include <vector>

#include "ImagingTestSupport.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "imaging/ColorAdjustments.h"
#include "imaging/Convolution.h"
#include "imaging/Image.h"
#include "imaging/Resize.h"
#include "imaging/Transforms.h"
#include "memory/InvalidMemoryOperation.h"
#include "memory/MemoryAllocator.h"

using namespace poolscope;
using poolscope::testing::contiguousConfiguration;
using poolscope::testing::tinyChunkConfiguration;

namespace {

template <class Action>
QString invalidMemoryMessage(Action action) {
    try {
        action();
    } catch (const InvalidMemoryOperation& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

template <class Exception, class Action>
QString argumentMessage(Action action) {
    try {
        action();
    } catch (const Exception& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

const QString kIncompatible = QString::fromLatin1(Buffer2D<Rgba32>::kIncompatibleBuffersMessage);

std::vector<Rgba32> numberedPixels(int count) {
    std::vector<Rgba32> pixels(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        pixels[static_cast<std::size_t>(i)] = {static_cast<std::uint8_t>(i), 0, 0, 255};
    }
    return pixels;
}

}  // namespace

class ImageMemoryTest : public QObject {
    Q_OBJECT

private slots:
    void newImage_isClearedToTransparentBlack() {
        const Configuration configuration = tinyChunkConfiguration(1);
        Image<Rgba32> image(configuration, 37, 11);
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                QCOMPARE(image.pixel(x, y), Rgba32{});
            }
        }
    }

    void chunkedImage_rowsNeverStraddleChunks_andIteratorCoversEveryRowOnce() {
        const Configuration configuration = tinyChunkConfiguration(1);
        Image<Rgba32> image(configuration, 7, 30);  // 28 bytes a row: 9 rows per 256-byte chunk
        const Buffer2D<Rgba32>& buffer = image.pixelBuffer();
        QCOMPARE(buffer.rowsPerChunk(), 9);
        QCOMPARE(buffer.chunkCount(), 4);
        int nextRow = 0;
        for (const auto& chunk : buffer.chunks()) {
            QCOMPARE(chunk.firstRow, nextRow);
            QCOMPARE(static_cast<qsizetype>(chunk.pixels.size()),
                     static_cast<qsizetype>(chunk.rowCount * 7));
            for (int i = 0; i < chunk.rowCount; ++i) {
                QCOMPARE(chunk.row(i).data(), buffer.rowSpan(chunk.firstRow + i).data());
            }
            nextRow += chunk.rowCount;
        }
        QCOMPARE(nextRow, 30);
        QCOMPARE(buffer.rowChunk(3).rowCount, 3);
    }

    void rowAccess_outsideTheImage_isRefused() {
        Image<L8> image(tinyChunkConfiguration(1), 4, 4);
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, image.pixelBuffer().rowSpan(4));
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, image.pixel(-1, 0));
        image.processPixelRows([](PixelAccessor<L8>& rows) {
            QVERIFY_THROWS_EXCEPTION(std::out_of_range, rows.getRowSpan(-1));
        });
    }

    void nonPositiveSize_isRefused() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 (Image<L8>(tinyChunkConfiguration(1), 0, 3)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 (Image<L8>(tinyChunkConfiguration(1), 3, -1)));
    }

    void dangerousTryGetSinglePixelMemory_failsForChunkedImage() {
        Image<Rgba32> image(tinyChunkConfiguration(1), 7, 30);
        MemoryGroupView<Rgba32> memory;
        QVERIFY(!image.dangerousTryGetSinglePixelMemory(memory));
        QVERIFY(!memory.isValid());
    }

    void dangerousTryGetSinglePixelMemory_succeedsForOneChunk_rowMajorPacked() {
        Image<Rgba32> image(tinyChunkConfiguration(1), 4, 3);  // 48 bytes: one small buffer
        image.setPixel(2, 1, {9, 8, 7, 6});
        MemoryGroupView<Rgba32> memory;
        QVERIFY(image.dangerousTryGetSinglePixelMemory(memory));
        QCOMPARE(static_cast<int>(memory.length()), 12);
        QCOMPARE(memory.span()[1 * 4 + 2], (Rgba32{9, 8, 7, 6}));
    }

    void defaultAllocator_2048x2048_isFourChunks_butOneBufferWithPreferContiguous() {
        Configuration configuration;
        configuration.allocator = MemoryAllocator::create();
        MemoryGroupView<Rgba32> memory;
        {
            Image<Rgba32> image(configuration, 2048, 2048);
            QCOMPARE(image.pixelBuffer().chunkCount(), 4);
            QVERIFY(!image.dangerousTryGetSinglePixelMemory(memory));
        }
        configuration.preferContiguousImageBuffers = true;
        Image<Rgba32> image(configuration, 2048, 2048);
        QVERIFY(image.dangerousTryGetSinglePixelMemory(memory));
        QCOMPARE(static_cast<qsizetype>(memory.length()), qsizetype{2048} * 2048);
    }

    void preferContiguous_isOneBufferUpTo1GiB_andRefusedAbove() {
        Configuration configuration;
        configuration.allocator = MemoryAllocator::create();
        configuration.preferContiguousImageBuffers = true;
        {
            Image<Rgba32> image(configuration, 16384, 16384);  // exactly 1 GiB
            MemoryGroupView<Rgba32> memory;
            QVERIFY(image.dangerousTryGetSinglePixelMemory(memory));
            QCOMPARE(static_cast<qint64>(memory.length()), qint64{16384} * 16384);
        }
        const QString message =
            invalidMemoryMessage([&] { Image<Rgba32> tooBig(configuration, 16384, 16385); });
        QVERIFY2(message.contains("exceeded the limit 1073741824"), qPrintable(message));
    }

    void view_isInvalidated_byDispose() {
        Image<Rgba32> image(tinyChunkConfiguration(1), 4, 3);
        MemoryGroupView<Rgba32> memory;
        QVERIFY(image.dangerousTryGetSinglePixelMemory(memory));
        image.dispose();
        QVERIFY(!memory.isValid());
        QCOMPARE(invalidMemoryMessage([&] { memory.span(); }),
                 QString("Can not access an invalidated MemoryGroupView!"));
    }

    void view_isInvalidated_byProcessorThatSwapsTheBuffer() {
        Image<Rgba32> image(tinyChunkConfiguration(1), 4, 3);
        MemoryGroupView<Rgba32> before;
        QVERIFY(image.dangerousTryGetSinglePixelMemory(before));
        resize(image, 2, 2, ResamplerKind::Bilinear);
        QVERIFY(!before.isValid());
        MemoryGroupView<Rgba32> after;
        QVERIFY(image.dangerousTryGetSinglePixelMemory(after));
        QCOMPARE(static_cast<int>(after.length()), 4);
    }

    void dispose_twice_isHarmless_andReleasesEveryAllocation() {
        const std::int64_t before = MemoryDiagnostics::totalUndisposedAllocationCount();
        Image<Rgba32> image(tinyChunkConfiguration(1), 37, 40);
        QVERIFY(MemoryDiagnostics::totalUndisposedAllocationCount() > before);
        image.dispose();
        image.dispose();
        QVERIFY(image.isDisposed());
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before);
    }

    void accessAfterDispose_raisesInvalidMemoryOperation() {
        Image<Rgba32> image(tinyChunkConfiguration(1), 4, 4);
        image.dispose();
        QVERIFY(!invalidMemoryMessage([&] { image.pixel(0, 0); }).isEmpty());
        QVERIFY(!invalidMemoryMessage([&] { flip(image, FlipMode::Vertical); }).isEmpty());
        QVERIFY(!invalidMemoryMessage([&] { gaussianBlur(image, 1.0f); }).isEmpty());
        QVERIFY(!invalidMemoryMessage([&] { image.pin(); }).isEmpty());
    }

    void processPixelRows_keepsMemoryAlive_whenImageIsDisposedInside() {
        const std::int64_t before = MemoryDiagnostics::totalUndisposedAllocationCount();
        Image<Rgba32> image(tinyChunkConfiguration(1), 37, 40);
        image.processPixelRows([&](PixelAccessor<Rgba32>& rows) {
            image.dispose();
            // Still this image's memory (ASan would flag a use after free).
            for (int y = 0; y < rows.height(); ++y) {
                for (Rgba32& pixel : rows.getRowSpan(y)) {
                    pixel = {1, 2, 3, 4};
                }
            }
        });
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before);
    }

    void pin_keepsMemoryAlive_pastDispose() {
        Image<Rgba32> image(tinyChunkConfiguration(1), 4, 4);
        MemoryGroupView<Rgba32> memory;
        QVERIFY(image.dangerousTryGetSinglePixelMemory(memory));
        Rgba32* pixels = memory.span().data();
        MemoryPin pin = image.pin();
        QVERIFY(pin.isPinned());
        image.dispose();
        pixels[15] = {5, 5, 5, 5};  // pinned: still valid memory
        QCOMPARE(pixels[15], (Rgba32{5, 5, 5, 5}));
        pin.unpin();
    }

    void clone_copiesPixels_intoIndependentMemory() {
        Image<Rgba32> image = testing::randomImage<Rgba32>(tinyChunkConfiguration(1), 9, 13, 5);
        Image<Rgba32> copy = image.clone(contiguousConfiguration(1));
        QCOMPARE(testing::pixelBytes(copy), testing::pixelBytes(image));
        copy.setPixel(0, 0, {1, 1, 1, 1});
        QVERIFY(testing::pixelBytes(copy) != testing::pixelBytes(image));
        Image<L8> gray = image.cloneAs<L8>();
        QCOMPARE(gray.pixel(3, 4), PixelConverter::convert<L8>(image.pixel(3, 4)));
    }

    void configuration_clone_isIndependent_andDefaultIsShared() {
        Configuration local = Configuration::defaultInstance().clone();
        local.preferContiguousImageBuffers = !local.preferContiguousImageBuffers;
        QVERIFY(local.preferContiguousImageBuffers !=
                Configuration::defaultInstance().preferContiguousImageBuffers);
        QCOMPARE(local.allocator.get(), Configuration::defaultInstance().allocator.get());
        QCOMPARE(&Configuration::defaultInstance(), &Configuration::defaultInstance());
        QVERIFY(Configuration::defaultInstance().maxDegreeOfParallelism >= 1);
        Configuration broken = local;
        broken.maxDegreeOfParallelism = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, (Image<L8>(broken, 2, 2)));
    }

    // wrapMemory ------------------------------------------------------------------------------

    void wrapSpan_tooShort_isRefusedWithReferenceMessage() {
        std::vector<Rgba32> pixels(11);
        const QString message = argumentMessage<std::invalid_argument>([&] {
            Image<Rgba32>::wrapMemory(Configuration::defaultInstance(), std::span<Rgba32>(pixels),
                                      4, 3);
        });
        QVERIFY2(message.startsWith(
                     "The length of the input memory is less than the specified image size"),
                 qPrintable(message));
        QVERIFY(message.contains("11 pixels for 4x3"));
    }

    void wrapSpan_longerThanNeeded_isAccepted() {
        std::vector<Rgba32> pixels(13);
        Image<Rgba32> image = Image<Rgba32>::wrapMemory(Configuration::defaultInstance(),
                                                        std::span<Rgba32>(pixels), 4, 3);
        QCOMPARE(image.width(), 4);
    }

    void wrapPointer_null_isRefused() {
        const QString message = argumentMessage<std::invalid_argument>([] {
            Image<Rgba32>::wrapMemory(Configuration::defaultInstance(), nullptr, 1024, 4, 4);
        });
        QCOMPARE(message, QString("Pointer must be not null"));
    }

    void wrapPointer_bufferSizeTooSmall_isOutOfRange() {
        std::vector<Rgba32> pixels(12);
        const QString message = argumentMessage<std::out_of_range>([&] {
            Image<Rgba32>::wrapMemory(Configuration::defaultInstance(), pixels.data(), 47, 4, 3);
        });
        QVERIFY2(message.startsWith(
                     "The length of the input memory is less than the specified image size"),
                 qPrintable(message));
        QVERIFY(message.contains("47 bytes"));
        Image<Rgba32> exact =
            Image<Rgba32>::wrapMemory(Configuration::defaultInstance(), pixels.data(), 48, 4, 3);
        QCOMPARE(exact.height(), 3);
    }

    void wrap_pixelCountOverflow_isRefused() {
        Rgba32 pixel;
        const QString message = argumentMessage<std::invalid_argument>([&] {
            Image<Rgba32>::wrapMemory(Configuration::defaultInstance(), &pixel, SIZE_MAX, 50000,
                                      50000);
        });
        QVERIFY2(message.startsWith("Total amount of pixels exceeds int.MaxValue"),
                 qPrintable(message));
    }

    void wrapNonOwning_writesGoToCallerMemory_andDisposeLeavesItAlone() {
        std::vector<Rgba32> pixels = numberedPixels(12);
        {
            Image<Rgba32> image = Image<Rgba32>::wrapMemory(Configuration::defaultInstance(),
                                                            std::span<Rgba32>(pixels), 4, 3);
            image.setPixel(1, 2, {200, 201, 202, 203});
            MemoryGroupView<Rgba32> memory;
            QVERIFY(image.dangerousTryGetSinglePixelMemory(memory));
            QCOMPARE(memory.span().data(), pixels.data());
            QVERIFY(!image.pin().isPinned());  // nothing to pin: the caller owns it
        }
        QCOMPARE(pixels[9], (Rgba32{200, 201, 202, 203}));
    }

    void wrapOwning_disposesTheOwnerWithTheImage() {
        const Configuration configuration = tinyChunkConfiguration(1);
        const std::int64_t before = MemoryDiagnostics::totalUndisposedAllocationCount();
        MemoryOwner owner = configuration.allocator->allocate<Rgba32>(12);
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before + 1);
        Image<Rgba32> image = Image<Rgba32>::wrapMemory(configuration, std::move(owner), 4, 3);
        QVERIFY(image.pin().isPinned());
        QVERIFY(!image.pixelBuffer().isSwappable());
        image.dispose();
        image.dispose();
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before);
    }

    void wrapOwning_ofBytes_viewsThemAsPixels_andDisposesOwnerWhenChecksFail() {
        const Configuration configuration = tinyChunkConfiguration(1);
        const std::int64_t before = MemoryDiagnostics::totalUndisposedAllocationCount();
        {
            Image<Rgba32> image = Image<Rgba32>::wrapMemory(
                configuration, configuration.allocator->allocate<std::uint8_t>(48), 4, 3);
            QCOMPARE(image.pixelBuffer().totalLength(), 12);
        }
        QVERIFY_THROWS_EXCEPTION(
            std::invalid_argument,
            Image<Rgba32>::wrapMemory(configuration,
                                      configuration.allocator->allocate<std::uint8_t>(47), 4, 3));
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before);
    }

    void wrapped_sizeKeepingProcessors_workInPlace() {
        std::vector<Rgba32> pixels = numberedPixels(12);
        Image<Rgba32> image = Image<Rgba32>::wrapMemory(Configuration::defaultInstance(),
                                                        std::span<Rgba32>(pixels), 4, 3);
        flip(image, FlipMode::Horizontal);
        QCOMPARE(int(pixels[0].r), 3);
        flip(image, FlipMode::Vertical);
        QCOMPARE(int(pixels[0].r), 11);
        rotate(image, RotateMode::Rotate180);
        QCOMPARE(int(pixels[0].r), 0);
        grayscale(image);
        QCOMPARE(pixels[5], (Rgba32{1, 1, 1, 255}));  // 0.2126 * 5 = 1.06
        gaussianBlur(image, 0.8f);
        boxBlur(image, 1);
        adjustBrightnessContrast(image, 1.2f, 0.9f);
        MemoryGroupView<Rgba32> memory;
        QVERIFY(image.dangerousTryGetSinglePixelMemory(memory));
        QCOMPARE(memory.span().data(), pixels.data());  // still the caller's memory
    }

    void wrapped_rotate90_copiesBackWithSwappedDimensions() {
        std::vector<Rgba32> pixels = numberedPixels(6);  // 3x2: 0 1 2 / 3 4 5
        Image<Rgba32> image = Image<Rgba32>::wrapMemory(Configuration::defaultInstance(),
                                                        std::span<Rgba32>(pixels), 3, 2);
        rotate(image, RotateMode::Rotate90);
        QCOMPARE(image.width(), 2);
        QCOMPARE(image.height(), 3);
        // Clockwise: 3 0 / 4 1 / 5 2, in the caller's memory.
        const int expected[6] = {3, 0, 4, 1, 5, 2};
        for (int i = 0; i < 6; ++i) {
            QCOMPARE(int(pixels[static_cast<std::size_t>(i)].r), expected[i]);
        }
    }

    void wrapped_sizeChangingProcessors_raiseIncompatibleBuffers_andLeaveImageIntact() {
        std::vector<Rgba32> pixels = numberedPixels(12);
        Image<Rgba32> image = Image<Rgba32>::wrapMemory(Configuration::defaultInstance(),
                                                        std::span<Rgba32>(pixels), 4, 3);
        QCOMPARE(invalidMemoryMessage([&] { resize(image, 2, 2, ResamplerKind::Bicubic); }),
                 kIncompatible);
        QCOMPARE(invalidMemoryMessage([&] { resize(image, 8, 6, ResamplerKind::NearestNeighbor); }),
                 kIncompatible);
        QCOMPARE(invalidMemoryMessage([&] { crop(image, {0, 0, 2, 2}); }), kIncompatible);
        QCOMPARE(invalidMemoryMessage([&] { pad(image, 6, 6, Rgba32{}); }), kIncompatible);
        QCOMPARE(image.width(), 4);
        QCOMPARE(int(image.pixel(3, 2).r), 11);
    }

    void wrapped_resizeToSamePixelCount_isCopiedBack() {
        std::vector<Rgba32> pixels = numberedPixels(12);
        Image<Rgba32> image = Image<Rgba32>::wrapMemory(Configuration::defaultInstance(),
                                                        std::span<Rgba32>(pixels), 4, 3);
        resize(image, 6, 2, ResamplerKind::NearestNeighbor);
        QCOMPARE(image.width(), 6);
        QCOMPARE(image.height(), 2);
        QCOMPARE(image.pixel(0, 0).r, pixels[0].r);
    }

    void ownedImages_sizeChangingProcessors_releaseTheOldBuffer() {
        const std::int64_t before = MemoryDiagnostics::totalUndisposedAllocationCount();
        {
            Image<Rgba32> image =
                testing::randomImage<Rgba32>(tinyChunkConfiguration(2), 37, 29, 1);
            resize(image, 20, 50, ResamplerKind::Lanczos3);
            crop(image, {1, 2, 10, 30});
            pad(image, 16, 32, Rgba32{});
            rotate(image, RotateMode::Rotate270);
            gaussianBlur(image, 2.0f);
            QCOMPARE(image.width(), 32);
            QCOMPARE(image.height(), 16);
        }
        QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), before);
    }
};

QTEST_GUILESS_MAIN(ImageMemoryTest)
#include "ImageMemoryTest.moc"
