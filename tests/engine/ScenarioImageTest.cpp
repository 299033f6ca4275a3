#include <QtTest>

#include <QTemporaryDir>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "ScenarioTestSupport.h"
#include "imaging/Buffer2D.h"
#include "imaging/Image.h"
#include "imaging/Rgba32.h"
#include "imaging/codecs/ImageCodecs.h"
#include "memory/MemoryAllocator.h"
#include "scenarios/BatchResizeScenario.h"
#include "scenarios/ContiguousVsDiscontiguousScenario.h"
#include "scenarios/GcVsPoolScenario.h"
#include "scenarios/MakeSamplesScenario.h"
#include "scenarios/SampleImages.h"
#include "scenarios/ScenarioRunner.h"
#include "scenarios/WrapMemoryScenario.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

bool booleanFigure(const ScenarioOutcome& outcome, const std::string& name) {
    const ScenarioValue* value = figureValue(outcome, name);
    return value != nullptr && std::get<bool>(*value);
}

std::string textFigure(const ScenarioOutcome& outcome, const std::string& name) {
    const ScenarioValue* value = figureValue(outcome, name);
    return value != nullptr ? std::get<std::string>(*value) : std::string("(no figure)");
}

// Flat colour bands: quick to encode, and a resize has edges to work on.
void writeImage(const std::filesystem::path& path, int width, int height) {
    Image<Rgba32> image(width, height);
    for (int y = 0; y < height; ++y) {
        const auto band = static_cast<std::uint8_t>((y / 16) % 2 ? 200 : 40);
        for (int x = 0; x < width; ++x) {
            image.setPixel(x, y, Rgba32{band, static_cast<std::uint8_t>(x % 256), 90, 255});
        }
    }
    ImageCodecs::save(image, path);
}

void writeBytes(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

std::filesystem::path pathOf(const QTemporaryDir& directory, const char* name) {
    return std::filesystem::path(directory.filePath(QString::fromLatin1(name)).toStdString());
}

}  // namespace

class ScenarioImageTest : public QObject {
    Q_OBJECT

private slots:
    void theShippedSamplesAreMixedPhotoSizedAndSmall() {
        const std::filesystem::path directory = SampleImages::defaultDirectory();
        const std::vector<std::filesystem::path> files = SampleImages::listImageFiles(directory);
        QCOMPARE(files.size(), SampleImages::catalogue().size());
        std::uintmax_t total = 0;
        std::map<ImageFormat, int> formats;
        for (const std::filesystem::path& file : files) {
            total += std::filesystem::file_size(file);
            const ImageInfo info = ImageCodecs::identifyFile(file);
            formats[info.format] += 1;
            const std::int64_t pixels = std::int64_t{info.width} * info.height;
            QVERIFY2(pixels >= 1'000'000 && pixels <= 6'000'000, file.string().c_str());
        }
        QVERIFY2(total < 3u * 1024 * 1024, std::to_string(total).c_str());
        QVERIFY(formats[ImageFormat::Png] >= 2);
        QVERIFY(formats[ImageFormat::Jpeg] >= 2);
    }

    void makeSamplesDrawsTheSameFilesAsShipped() {
        QTemporaryDir output;
        ScenarioRunner runner(smallPool(128));
        MakeSamplesScenario scenario;
        const ScenarioRunReport report = runner.run(
            scenario, scenario.resolveParameters({{"output", output.path().toStdString()}}));
        QVERIFY2(report.error.empty(), report.error.c_str());
        QCOMPARE(integerFigure(report.outcome, "samplesWritten"),
                 static_cast<std::int64_t>(SampleImages::catalogue().size()));
        const std::filesystem::path shipped = SampleImages::defaultDirectory();
        for (const SampleImages::Sample& sample : SampleImages::catalogue()) {
            const std::vector<std::uint8_t> made =
                ImageCodecs::readFile(pathOf(output, sample.fileName.c_str()));
            QVERIFY2(made == ImageCodecs::readFile(shipped / sample.fileName),
                     sample.fileName.c_str());
        }
        QVERIFY(report.leaks.empty());
        // Drawn on the run's pool: the largest sample, 3000 x 2000 RGBA, took six chunks.
        QCOMPARE(report.pool.peakRentedBytes, std::uint64_t{6 * 4 * kMiB});
    }

    void batchResizeResizesEveryGoodFileAndReportsTheBadOneWithItsError() {
        QTemporaryDir input;
        QTemporaryDir output;
        writeImage(pathOf(input, "wide.png"), 300, 100);
        writeImage(pathOf(input, "tall.jpg"), 90, 270);
        writeImage(pathOf(input, "square.PNG"), 128, 128);
        writeBytes(pathOf(input, "truncated.png"), "\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        writeBytes(pathOf(input, "notes.txt"), "not an image and not listed");
        ScenarioRunner runner(smallPoolWithoutStacks(64));
        BatchResizeScenario scenario;

        const ScenarioRunReport report = runner.run(
            scenario, scenario.resolveParameters({{"input", input.path().toStdString()},
                                                  {"output", output.path().toStdString()},
                                                  {"width", "60"},
                                                  {"blur", "1.2"},
                                                  {"threads", "3"}}));

        QVERIFY2(report.error.empty(), report.error.c_str());
        QVERIFY(report.outcome.images.has_value());
        const ImageResults& images = *report.outcome.images;
        QCOMPARE(images.processed, std::int64_t{3});
        QCOMPARE(images.failed.size(), std::size_t{1});
        QCOMPARE(images.failed.front().file, pathOf(input, "truncated.png").string());
        QVERIFY2(images.failed.front().error.find("truncated.png") != std::string::npos,
                 images.failed.front().error.c_str());
        QCOMPARE(integerFigure(report.outcome, "imagesPlanned"), std::int64_t{4});
        const std::map<std::string, std::pair<int, int>> expected = {
            {"wide.png", {60, 20}}, {"tall.jpg", {60, 180}}, {"square.PNG", {60, 60}}};
        for (const auto& [file, size] : expected) {
            const ImageInfo info = ImageCodecs::identifyFile(pathOf(output, file.c_str()));
            QCOMPARE(info.width, size.first);
            QCOMPARE(info.height, size.second);
        }
        QVERIFY(!std::filesystem::exists(pathOf(output, "truncated.png")));
        // Every decoded and resized image was disposed, the bad one's memory too.
        QVERIFY(report.leaks.empty());
        QCOMPARE(report.undisposedAtEnd, std::int64_t{0});
        QCOMPARE(runner.allocator()->pool().stats().rented, 0);
    }

    void batchResize_reportsUnreadableEntriesAndOversizedImages_eachWithItsReason() {
        QTemporaryDir input;
        QTemporaryDir output;
        writeImage(pathOf(input, "small.png"), 40, 30);
        writeImage(pathOf(input, "large.jpg"), 200, 100);
        std::filesystem::create_symlink(pathOf(input, "missing.png"),
                                        pathOf(input, "dangling.png"));
        std::filesystem::create_symlink(pathOf(input, "loop.jpg"), pathOf(input, "loop.jpg"));
        std::filesystem::create_directory(pathOf(input, "folder.png"));
        ScenarioRunner runner(smallPoolWithoutStacks(64));
        BatchResizeScenario scenario;

        const ScenarioRunReport report = runner.run(
            scenario, scenario.resolveParameters({{"input", input.path().toStdString()},
                                                  {"output", output.path().toStdString()},
                                                  {"width", "20"},
                                                  {"max-pixels", "10000"}}));

        QVERIFY2(report.error.empty(), report.error.c_str());
        const ImageResults& images = *report.outcome.images;
        QCOMPARE(images.processed, std::int64_t{1});
        QCOMPARE(integerFigure(report.outcome, "imagesPlanned"), std::int64_t{4});
        std::map<std::string, std::string> failed;
        for (const ImageFailure& failure : images.failed) {
            failed[std::filesystem::path(failure.file).filename().string()] = failure.error;
        }
        QCOMPARE(failed.size(), std::size_t{3});
        QVERIFY2(failed["dangling.png"].find("No such file") != std::string::npos,
                 failed["dangling.png"].c_str());
        QVERIFY2(failed["loop.jpg"].find("symbolic links") != std::string::npos,
                 failed["loop.jpg"].c_str());
        QVERIFY2(failed["large.jpg"].find("20000 pixels exceed the decode limit of 10000 pixels") !=
                     std::string::npos,
                 failed["large.jpg"].c_str());
        QCOMPARE(ImageCodecs::identifyFile(pathOf(output, "small.png")).width, 20);
        QVERIFY(report.leaks.empty());
    }

    void batchResizeInStepModeTakesOneImagePerStep() {
        QTemporaryDir input;
        QTemporaryDir output;
        for (const char* name : {"a.png", "b.png", "c.png"}) {
            writeImage(pathOf(input, name), 64, 32);
        }
        MemoryAllocatorOptions allocatorOptions;
        allocatorOptions.maximumPoolSizeMegabytes = 32;
        ScenarioContext::Options options;
        options.allocator = MemoryAllocator::create(allocatorOptions);
        options.stepMode = true;
        ScenarioContext context(options);
        BatchResizeScenario scenario;
        const ScenarioParameters parameters =
            scenario.resolveParameters({{"input", input.path().toStdString()},
                                        {"output", output.path().toStdString()},
                                        {"width", "16"},
                                        {"threads", "1"}});
        ScenarioOutcome outcome;
        std::thread run([&] { outcome = scenario.run(context, parameters); });

        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().completed, std::int64_t{0});
        context.step();
        QTRY_COMPARE(context.progress().completed, std::int64_t{1});
        QTRY_VERIFY(context.waitingAtCheckpoint());
        QCOMPARE(context.progress().completed, std::int64_t{1});  // held before the second
        context.cancel();
        run.join();
        QVERIFY(outcome.cancelled);
        QCOMPARE(outcome.images->processed, std::int64_t{1});
    }

    void contiguousBuffersGiveSingleMemoryAndCostPooling() {
        QTemporaryDir input;
        // 1200 x 1000 RGBA is 4.8 MB: two 4 MiB pool chunks as a group of rows, or one exact-size
        // buffer outside the pool when contiguous. 200 x 100 fits one small buffer either way.
        writeImage(pathOf(input, "large.png"), 1200, 1000);
        writeImage(pathOf(input, "small.png"), 200, 100);
        ScenarioRunner runner(smallPool(64));
        ContiguousVsDiscontiguousScenario scenario;

        const ScenarioRunReport report = runner.run(
            scenario, scenario.resolveParameters({{"input", input.path().toStdString()}}));

        QVERIFY2(report.error.empty(), report.error.c_str());
        QCOMPARE(scenario.records().size(), std::size_t{2});
        const auto& large = scenario.records()[0];
        QCOMPARE(large.file, std::string("large.png"));
        const std::int64_t rowsPerChunk = 4 * kMiB / (1200 * 4);
        QCOMPARE(large.discontiguous.chunks, 2);
        QCOMPARE(large.discontiguous.rowsPerChunk, rowsPerChunk);
        QVERIFY(!large.discontiguous.singlePixelMemory);
        QCOMPARE(large.discontiguous.unpooledBytes, std::uint64_t{0});
        QCOMPARE(large.contiguous.chunks, 1);
        QVERIFY(large.contiguous.singlePixelMemory);
        QCOMPARE(large.contiguous.unpooledBytes, std::uint64_t{1200 * 1000 * 4});
        const auto& small = scenario.records()[1];
        QCOMPARE(small.discontiguous.chunks, 1);
        QVERIFY(small.discontiguous.singlePixelMemory);
        QVERIFY(small.contiguous.singlePixelMemory);
        QCOMPARE(small.contiguous.unpooledBytes, std::uint64_t{0});

        QCOMPARE(integerFigure(report.outcome, "singlePixelMemoryDefault"), std::int64_t{1});
        QCOMPARE(integerFigure(report.outcome, "singlePixelMemoryContiguous"), std::int64_t{2});
        QCOMPARE(integerFigure(report.outcome, "poolingLostBytes"), std::int64_t{1200 * 1000 * 4});
        QCOMPARE(report.outcome.images->processed, std::int64_t{2});
        QVERIFY(report.leaks.empty());
    }

    void wrapMemoryWorksInPlaceAndRefusesAResizeWithTheExactError() {
        ScenarioRunner runner(smallPool(32));
        WrapMemoryScenario scenario;
        const ScenarioRunReport report =
            runner.run(scenario, scenario.resolveParameters({{"width", "64"}, {"height", "48"}}));

        QVERIFY2(report.error.empty(), report.error.c_str());
        QCOMPARE(integerFigure(report.outcome, "inPlaceOperationsSucceeded"), std::int64_t{4});
        QCOMPARE(integerFigure(report.outcome, "inPlaceOperationsThatChangedTheExternalBuffer"),
                 std::int64_t{4});
        for (const char* operation :
             {"flipInPlace", "rotate180InPlace", "blurInPlace", "grayscaleInPlace"}) {
            QCOMPARE(textFigure(report.outcome, operation), std::string("succeeded"));
        }
        QVERIFY(booleanFigure(report.outcome, "resizeRefused"));
        QCOMPARE(scenario.resizeError(),
                 std::string("Trying to copy/swap incompatible buffers. This is most likely "
                             "caused by applying an unsupported processor to wrapped-memory "
                             "images."));
        QCOMPARE(textFigure(report.outcome, "resizeError"), scenario.resizeError());
        QVERIFY(booleanFigure(report.outcome, "imageUsableAfterRefusal"));
        QCOMPARE(integerFigure(report.outcome, "externalBufferBytes"), std::int64_t{64 * 48 * 4});
        QVERIFY(report.leaks.empty());
    }

    void gcVsPoolRunsBothSidesInLockStepAndTheHeapHoldsWhatThePoolGaveBack() {
        QTemporaryDir input;
        for (const char* name : {"one.png", "two.png", "three.png"}) {
            writeImage(pathOf(input, name), 1200, 1000);
        }
        ScenarioRunner::Options options = smallPool(64);
        int snapshots = 0;
        std::vector<std::int64_t> progress;
        options.onHeapSnapshot = [&](std::shared_ptr<const GcHeapSnapshot>) { snapshots += 1; };
        options.onProgress = [&](const ScenarioProgress& step) {
            progress.push_back(step.completed);
        };
        ScenarioRunner runner(options);
        GcVsPoolScenario scenario;

        const ScenarioRunReport report = runner.run(
            scenario,
            scenario.resolveParameters({{"input", input.path().toStdString()}, {"width", "300"}}));

        QVERIFY2(report.error.empty(), report.error.c_str());
        QCOMPARE(integerFigure(report.outcome, "imagesPerSide"), std::int64_t{3});
        QCOMPARE(progress, (std::vector<std::int64_t>{1, 2, 3}));
        QCOMPARE(snapshots, 3);  // one per step
        // Every image is a large object; far below the LOH budget, nothing collected them.
        QCOMPARE(integerFigure(report.outcome, "gcCollectionsGen2"), std::int64_t{0});
        const std::int64_t decodedBytes = 1200 * 1000 * 4;
        QVERIFY(scenario.gc().retainedBytesAtEnd >= 3 * decodedBytes);
        // The pool gave every image back and keeps its chunks for reuse: two for a decoded
        // image (reused by the next one), one for a resized one.
        QVERIFY(scenario.pool().retainedBytesAtEnd <= 3 * 4 * kMiB);
        QVERIFY(scenario.pool().retainedBytesAtEnd < scenario.gc().retainedBytesAtEnd);
        QVERIFY(scenario.gc().peakBytes >= scenario.gc().retainedBytesAtEnd);
        QVERIFY(scenario.pool().peakBytes > 0);
        QCOMPARE(integerFigure(report.outcome, "gcRetainedBytesAtEnd"),
                 static_cast<std::int64_t>(scenario.gc().retainedBytesAtEnd));
        QVERIFY(report.leaks.empty());
        // The run counts the pool's chunks out and back: each one rented came back.
        QVERIFY(report.pool.chunkRents > 0);
        QCOMPARE(report.pool.chunkReturns, report.pool.chunkRents);
    }
};

QTEST_GUILESS_MAIN(ScenarioImageTest)
#include "ScenarioImageTest.moc"
