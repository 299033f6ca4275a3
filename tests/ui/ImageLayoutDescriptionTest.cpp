// How an image buffer lies in memory, worked out without widgets: the chunk group of a live
// image with each chunk's rows, the choice of what to show, and the calculator's answers
// through the session's door.

#include <QtTest>

#include "TinyPoolSnapshot.h"
#include "models/ImageLayoutDescription.h"
#include "session/LayoutCalculation.h"

using namespace poolscope;

namespace {

ImageLayoutRequest request(std::int64_t width, std::int64_t height) {
    ImageLayoutRequest asked;
    asked.width = width;
    asked.height = height;
    asked.bytesPerPixel = 4;
    asked.maximumPoolSizeMegabytes = 128;
    return asked;
}

}  // namespace

class ImageLayoutDescriptionTest : public QObject {
    Q_OBJECT

private slots:
    void layoutCalculation_answersALayoutTheAllocatorWouldGive() {
        const LayoutCalculation calculation = LayoutCalculation::of(request(4000, 3000));
        QCOMPARE(calculation.outcome, LayoutCalculation::Outcome::Calculated);
        QVERIFY(calculation.error.isEmpty());
        std::int64_t rows = 0;
        for (const ImageLayout::Chunk& chunk : calculation.layout.chunks) {
            rows += chunk.rows;
        }
        QCOMPARE(rows, std::int64_t{3000});
    }

    void layoutCalculation_refusal_isAnAnswerWithTheAllocatorsMessage() {
        const LayoutCalculation calculation = LayoutCalculation::of(request(100'000, 100'000));
        QCOMPARE(calculation.outcome, LayoutCalculation::Outcome::Refused);
        QVERIFY(!calculation.error.isEmpty());
        QVERIFY(calculation.layout.chunks.empty());
    }

    void layoutCalculation_invalidRequest_isAnAnswerToo() {
        const LayoutCalculation calculation = LayoutCalculation::of(request(0, 10));
        QCOMPARE(calculation.outcome, LayoutCalculation::Outcome::Invalid);
        QVERIFY(!calculation.error.isEmpty());
    }

    void ofAllocation_pooledGroup_givesEachChunkItsRowRange() {
        const auto snapshot = testing::tinyPoolSnapshot();
        const ImageLayoutDescription description =
            ImageLayoutDescription::ofAllocation(snapshot->allocations.get(), 10);
        QCOMPARE(description.shownAllocation, quint64{10});
        QCOMPARE(description.bands.size(), std::size_t{3});
        QVERIFY(description.bands[0].heading.contains(QStringLiteral("rows 0\u2013261")));
        QVERIFY(description.bands[1].heading.contains(QStringLiteral("rows 262\u2013523")));
        QVERIFY(description.bands[2].heading.contains(QStringLiteral("(76 rows)")));
        QCOMPARE(description.bands[2].tier, MemoryTier::Pooled);
        QVERIFY(description.bands[2].details.contains(QStringLiteral("slot 2")));
        QVERIFY(description.singlePixelText.contains(QStringLiteral("returns false")));
    }

    void ofAllocation_unpooledGroup_gathersTheImagesChunkAllocations() {
        const auto snapshot = testing::tinyPoolSnapshot();
        const ImageLayoutDescription description =
            ImageLayoutDescription::ofAllocation(snapshot->allocations.get(), 20);
        QCOMPARE(description.bands.size(), std::size_t{2});
        QVERIFY2(description.bands[1].heading.contains(QStringLiteral("allocation #21")),
                 qPrintable(description.bands[1].heading));
        QVERIFY(description.bands[1].heading.contains(QStringLiteral("(476 rows)")));
        QCOMPARE(description.bands[1].tier, MemoryTier::Unpooled);
    }

    void ofAllocation_withoutSelection_showsTheLargestLiveImage() {
        const auto snapshot = testing::tinyPoolSnapshot();
        const ImageLayoutDescription description =
            ImageLayoutDescription::ofAllocation(snapshot->allocations.get(), 0);
        // 8192 x 1500 RGBA, the two unpooled allocations of one image.
        QVERIFY(description.shownAllocation == 20 || description.shownAllocation == 21);
        QVERIFY2(description.title.contains(QStringLiteral("the largest live image buffer")),
                 qPrintable(description.title));
    }

    void ofAllocation_selectionNoLongerLive_saysSoAndShowsTheLargest() {
        const auto snapshot = testing::tinyPoolSnapshot();
        const ImageLayoutDescription description =
            ImageLayoutDescription::ofAllocation(snapshot->allocations.get(), 99);
        QVERIFY2(description.title.contains(QStringLiteral("#99 is no longer live")),
                 qPrintable(description.title));
        QVERIFY(description.shownAllocation != 0);
    }

    void ofAllocation_withoutTable_hasNoBandsAndSaysWhy() {
        const ImageLayoutDescription description = ImageLayoutDescription::ofAllocation(nullptr, 0);
        QVERIFY(description.bands.empty());
        QCOMPARE(description.shownAllocation, quint64{0});
        QVERIFY(!description.emptyText.isEmpty());
    }

    void ofRequest_numbersTheRowsAcrossTheChunks() {
        const ImageLayoutRequest asked = request(4000, 600);
        const ImageLayoutDescription description = ImageLayoutDescription::ofRequest(asked);
        QCOMPARE(description.bands.size(), LayoutCalculation::of(asked).layout.chunks.size());
        QVERIFY(description.bands.front().heading.contains(QStringLiteral("rows 0\u2013")));
        QVERIFY(description.bands.back().heading.contains(QStringLiteral("\u2013599")));
        QVERIFY(description.title.contains(QStringLiteral("nothing allocated")));
    }

    void ofRequest_refusal_hasNoBandsAndNamesTheRefusal() {
        const ImageLayoutRequest asked = request(100'000, 100'000);
        const ImageLayoutDescription description = ImageLayoutDescription::ofRequest(asked);
        QVERIFY(description.bands.empty());
        QVERIFY(description.title.contains(QStringLiteral("refused")));
        QVERIFY(description.singlePixelText.contains(LayoutCalculation::of(asked).error));
    }
};

QTEST_MAIN(ImageLayoutDescriptionTest)
#include "ImageLayoutDescriptionTest.moc"
