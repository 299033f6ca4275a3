#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

#include "TinyPoolSnapshot.h"
#include "UiTestSupport.h"
#include "memory/InvalidMemoryOperation.h"
#include "memory/LayoutCalculator.h"
#include "views/LayoutView.h"
#include "views/Theme.h"

using namespace poolscope;

class LayoutViewTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        // A 4000x3000 RGBA image left in leak-hunt's forgotten cache: 48,000,000 bytes in
        // twelve pooled chunks of a 128 MiB pool.
        run_ = testing::runScenarioSession("leak-hunt",
                                           {{"width", "4000"},
                                            {"height", "3000"},
                                            {"cached-images", "1"},
                                            {"subscribers", "0"},
                                            {"never-disposed", "0"},
                                            {"clean-images", "1"}},
                                           128);
        QVERIFY(run_.snapshot && run_.snapshot->allocations);
    }

    void pooledGroupImage_showsOneBandPerChunkWithItsRows() {
        LayoutView view;
        view.setSnapshot(testing::tinyPoolSnapshot());
        view.setSelectedAllocation(10);
        QCOMPARE(view.shownAllocation(), quint64{10});
        QCOMPARE(view.bandCount(), 3);
        const QStringList labels = view.bandLabels();
        QVERIFY2(labels[0].contains(QStringLiteral("rows 0\u2013261 (262 rows)")),
                 qPrintable(labels[0]));
        QVERIFY2(labels[1].contains(QStringLiteral("rows 262\u2013523 (262 rows)")),
                 qPrintable(labels[1]));
        QVERIFY2(labels[2].contains(QStringLiteral("rows 524\u2013599 (76 rows)")),
                 qPrintable(labels[2]));
        QVERIFY2(labels[2].contains(QStringLiteral("slot 2")), qPrintable(labels[2]));
        QVERIFY2(labels[1].contains(QStringLiteral("0x10400000")), qPrintable(labels[1]));
        QVERIFY2(view.singlePixelMemoryText().contains(QStringLiteral("returns false")),
                 qPrintable(view.singlePixelMemoryText()));
    }

    void contiguousImage_isOneBandAndGivesItsSinglePixelMemory() {
        LayoutView view;
        view.setSnapshot(testing::tinyPoolSnapshot());
        view.setSelectedAllocation(11);
        QCOMPARE(view.bandCount(), 1);
        QVERIFY(view.bandLabels()[0].contains(QStringLiteral("rows 0\u2013199 (200 rows)")));
        QVERIFY2(view.singlePixelMemoryText().contains(QStringLiteral("returns true")),
                 qPrintable(view.singlePixelMemoryText()));
    }

    void unpooledGroupImage_gathersItsChunkAllocations() {
        LayoutView view;
        view.setSnapshot(testing::tinyPoolSnapshot());
        view.setSelectedAllocation(21);
        QCOMPARE(view.bandCount(), 2);
        const QStringList labels = view.bandLabels();
        QVERIFY2(labels[0].contains(QStringLiteral("rows 0\u20131,023 (1,024 rows)")) ||
                     labels[0].contains(QStringLiteral("(1024 rows)")),
                 qPrintable(labels[0]));
        QVERIFY2(labels[1].contains(QStringLiteral("(476 rows)")), qPrintable(labels[1]));
        QVERIFY2(labels[1].contains(QStringLiteral("unpooled")), qPrintable(labels[1]));
        QVERIFY(view.singlePixelMemoryText().contains(QStringLiteral("returns false")));
    }

    void allocationThatIsNoImage_showsItsChunksWithoutRows() {
        LayoutView view;
        view.setSnapshot(testing::tinyPoolSnapshot());
        view.setSelectedAllocation(12);
        QCOMPARE(view.bandCount(), 2);
        for (const QString& label : view.bandLabels()) {
            QVERIFY2(!label.contains(QStringLiteral("rows")), qPrintable(label));
        }
        QVERIFY(view.singlePixelMemoryText().contains(QStringLiteral("Not an image buffer")));
    }

    void view_withNothingSelected_showsTheLargestImage() {
        LayoutView view;
        view.setSnapshot(testing::tinyPoolSnapshot());
        // #20/#21 hold 8192 x 1500 x 4 B, more than #10's 4000 x 600 x 4 B.
        QVERIFY(view.shownAllocation() == 20 || view.shownAllocation() == 21);
        QCOMPARE(view.bandCount(), 2);
    }

    void realRunsLiveGroup_showsOneBandPerChunk() {
        LayoutView view;
        view.setSnapshot(run_.snapshot);
        const LiveAllocation* row = run_.snapshot->allocations->find(view.shownAllocation());
        QVERIFY(row != nullptr);
        QCOMPARE(row->bytes, std::uint64_t{48'000'000});
        QCOMPARE(static_cast<int>(row->chunkCount), 12);
        QCOMPARE(view.bandCount(), 12);
        view.setSelectedAllocation(row->id);
        QCOMPARE(view.bandCount(), 12);
    }

    void calculator_matchesLayoutCalculator_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("bytesPerPixel");
        QTest::addColumn<int>("poolMegabytes");
        QTest::addColumn<bool>("contiguous");
        QTest::newRow("camera RGBA, pooled group") << 4000 << 3000 << 4 << 128 << false;
        QTest::newRow("exactly one chunk") << 1024 << 1024 << 4 << 128 << false;
        QTest::newRow("small L8") << 100 << 100 << 1 << 128 << false;
        QTest::newRow("too big for the pool: unpooled") << 8192 << 8192 << 16 << 64 << false;
        QTest::newRow("contiguous preferred") << 4000 << 3000 << 4 << 128 << true;
        QTest::newRow("no pool at all") << 2000 << 2000 << 3 << 0 << false;
    }

    void calculator_matchesLayoutCalculator() {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, bytesPerPixel);
        QFETCH(int, poolMegabytes);
        QFETCH(bool, contiguous);
        ImageLayoutRequest request;
        request.width = width;
        request.height = height;
        request.bytesPerPixel = bytesPerPixel;
        request.maximumPoolSizeMegabytes = poolMegabytes;
        request.preferContiguous = contiguous;
        const ImageLayout expected = LayoutCalculator::calculate(request);

        LayoutView view;
        view.showCalculation(request);
        QVERIFY(view.calculatorShown());
        QCOMPARE(view.bandCount(), static_cast<int>(expected.chunks.size()));
        const QStringList labels = view.bandLabels();
        for (std::size_t i = 0; i < expected.chunks.size(); ++i) {
            const QString rows = QStringLiteral("(%1 rows)")
                                     .arg(QLocale().toString(qlonglong{expected.chunks[i].rows}));
            QVERIFY2(labels[static_cast<int>(i)].contains(rows),
                     qPrintable(labels[static_cast<int>(i)] + " / " + rows));
        }
        QCOMPARE(view.singlePixelMemoryText().contains(QStringLiteral("would return true")),
                 expected.singlePixelMemory);

        // The form holds the request: calculating from it gives the same layout.
        auto* calculate = view.findChild<QPushButton*>(QStringLiteral("calculateButton"));
        QVERIFY(calculate != nullptr);
        calculate->click();
        QCOMPARE(view.bandCount(), static_cast<int>(expected.chunks.size()));
        QCOMPARE(view.bandLabels(), labels);
    }

    void calculator_showsTheRefusalOfATooLargeImage() {
        ImageLayoutRequest request;
        request.width = 100'000;
        request.height = 100'000;
        request.bytesPerPixel = 4;
        request.maximumPoolSizeMegabytes = 128;
        QString message;
        try {
            LayoutCalculator::calculate(request);
        } catch (const InvalidMemoryOperation& refusal) {
            message = QString::fromStdString(refusal.what());
        }
        QVERIFY(!message.isEmpty());
        LayoutView view;
        view.setSnapshot(testing::tinyPoolSnapshot());
        view.showCalculation(request);
        QCOMPARE(view.bandCount(), 0);
        QVERIFY2(view.singlePixelMemoryText().contains(message),
                 qPrintable(view.singlePixelMemoryText()));
        // Leaving the calculator shows the live allocations again.
        view.setSelectedAllocation(10);
        QVERIFY(!view.calculatorShown());
        QCOMPARE(view.bandCount(), 3);
    }

    void screenshot_ofARealRun() {
        const QTemporaryDir screenshots;
        LayoutView view;
        view.resize(900, 500);
        view.setSnapshot(run_.snapshot);
        QVERIFY(
            testing::renderWidget(view).save(screenshots.filePath(QStringLiteral("layout.png"))));
        view.setPalette(Theme::darkPalette());
        QCoreApplication::processEvents();
        const QImage dark = testing::renderWidget(view);
        QCOMPARE(dark.pixelColor(2, dark.height() - 2).rgb(),
                 Theme::darkPalette().color(QPalette::Window).rgb());
        QVERIFY(dark.save(screenshots.filePath(QStringLiteral("layout-dark.png"))));
        ImageLayoutRequest request;
        request.width = 6000;
        request.height = 4000;
        request.bytesPerPixel = 4;
        request.maximumPoolSizeMegabytes = 256;
        view.setPalette(QPalette());
        view.showCalculation(request);
        QVERIFY(testing::renderWidget(view).save(
            screenshots.filePath(QStringLiteral("layout-calculator.png"))));
        request.width = 100'000;
        request.height = 100'000;
        view.showCalculation(request);
        QVERIFY(testing::renderWidget(view).save(
            screenshots.filePath(QStringLiteral("layout-refused.png"))));
    }

private:
    testing::ScenarioSessionResult run_;
};

QTEST_MAIN(LayoutViewTest)
#include "LayoutViewTest.moc"
