// The memory-testing API in Qt Test, as a project's own tests would use it:
// QVERIFY2(result.passed(), result.message.c_str()), whose failure lists each leak with its
// stack.
#include <QtTest>

#include <poolscope/LeakCheckpoint.h>
#include <poolscope/imaging/Image.h>
#include <poolscope/imaging/Rgba32.h>

#include <memory>
#include <vector>

namespace {

using poolscope::Image;
using poolscope::Rgba32;

[[gnu::noinline]] void cacheThumbnailForever(std::vector<std::unique_ptr<Image<Rgba32>>>& cache) {
    cache.push_back(std::make_unique<Image<Rgba32>>(320, 240));
}

[[gnu::noinline]] void makeThumbnailAndDropIt() {
    const Image<Rgba32> thumbnail(320, 240);
}

}  // namespace

class LeakCheckpointQtTest : public QObject {
    Q_OBJECT

private slots:
    void cleanRun_passes() {
        const poolscope::LeakCheckpoint checkpoint;
        makeThumbnailAndDropIt();
        const poolscope::LeakCheckResult result = checkpoint.check();
        QVERIFY2(result.passed(), result.message.c_str());
    }

    void realLeak_failsListingItsStack() {
        std::vector<std::unique_ptr<Image<Rgba32>>> cache;
        const poolscope::LeakCheckpoint checkpoint;
        cacheThumbnailForever(cache);
        const poolscope::LeakCheckResult result = checkpoint.check();
        QVERIFY(result.message.find("cacheThumbnailForever") != std::string::npos);
        QVERIFY(result.message.find("  at ") != std::string::npos);
        // The check a test writes fails on this leak.
        QEXPECT_FAIL("", "the leak of cacheThumbnailForever is a real one", Continue);
        QVERIFY2(result.passed(), result.message.c_str());
    }

    void leakOfAnotherTag_passesTheTagFilter() {
        std::vector<std::unique_ptr<Image<Rgba32>>> cache;
        const poolscope::LeakCheckpoint checkpoint;
        {
            const poolscope::AllocationTagScope tag("cache");
            cacheThumbnailForever(cache);
        }
        QVERIFY(checkpoint.check({"resize", 0}).passed());
        QVERIFY(!checkpoint.check({"cache", 0}).passed());
    }
};

QTEST_APPLESS_MAIN(LeakCheckpointQtTest)
#include "LeakCheckpointQtTest.moc"
