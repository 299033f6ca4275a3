// The Analyses dock on a recording of known allocations (tests/engine/AnalysisTestSupport.h):
// the call-site table's figures, the flame graph's widths, zoom, search and selection, the
// pages of the peak and temporary allocations, the call trees and the sizes with the figures
// they show, a call site shown in the trees, a time range restricting every page, and the
// latest request winning over an older one.

#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QLineEdit>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QTreeView>
#include <QtTest>

#include <map>
#include <memory>
#include <vector>

#include "analysis/CallTree.h"
#include "diagnostics/StackTable.h"
#include "models/CallSiteModel.h"
#include "models/CallTreeModel.h"
#include "models/DisplayFormat.h"
#include "models/PeakConsumerModel.h"
#include "models/TemporaryAllocationModel.h"
#include "recording/RecordingReader.h"
#include "session/EngineSession.h"
#include "session/RecordingAnalysis.h"
#include "views/AnalysesView.h"
#include "views/CallSitesPage.h"
#include "views/CallTreePage.h"
#include "views/FlameGraphView.h"
#include "views/MainWindow.h"
#include "views/PeakTemporaryPage.h"
#include "views/SizeHistogramView.h"
#include "views/TimelineView.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

constexpr int kAnalysisTimeoutMilliseconds = 30'000;
constexpr int kFlameWidth = 600;

Frame named(const char* function) {
    Frame frame;
    frame.function = function;
    return frame;
}

// The known pattern's stacks, innermost first, under three different outermost frames; stack 4
// has none.
StackNames patternNames() {
    static const std::map<StackId, std::vector<Frame>> stacks = {
        {1, {named("makeThumbnail"), named("main")}},
        {2, {named("decodePng"), named("load")}},
        {3, {named("renderTile"), named("render")}},
    };
    return StackNames([](StackId stackId) {
        const auto found = stacks.find(stackId);
        return found == stacks.end() ? std::vector<Frame>{} : found->second;
    });
}

// The figures of a row, as the table sorts them.
std::vector<qulonglong> figuresOf(const QAbstractItemModel& model, int row) {
    std::vector<qulonglong> figures;
    for (int column = CallSiteModel::Allocations; column < CallSiteModel::ColumnCount; ++column) {
        figures.push_back(
            model.data(model.index(row, column), CallSiteModel::kSortRole).toULongLong());
    }
    return figures;
}

std::vector<QString> framesOf(const std::vector<FlameGraphView::Box>& boxes, int depth) {
    std::vector<QString> frames;
    for (const FlameGraphView::Box& box : boxes) {
        if (box.depth == depth) {
            frames.push_back(QString::fromStdString(box.node->frame));
        }
    }
    return frames;
}

// Stacks captured here, so that the recording names real frames: one allocating function called
// from two callers, and another site; noipa, so that the optimizer neither inlines them nor
// folds the identical ones into one.
[[gnu::noipa]] StackId allocatingLeaf() {
    volatile StackId stackId = captureStack();
    return stackId;
}

[[gnu::noipa]] StackId decodeCaller() {
    volatile StackId stackId = allocatingLeaf();
    return stackId;
}

[[gnu::noipa]] StackId renderCaller() {
    volatile StackId stackId = allocatingLeaf();
    return stackId;
}

[[gnu::noipa]] StackId otherSite() {
    volatile StackId stackId = captureStack();
    return stackId;
}

// The known pattern with its stacks named (decodeCaller's for stack 1, renderCaller's for 2,
// otherSite's for 3, none for the descriptor) and its times in seconds: the allocations at 1, 3,
// 4, 5, 6.5 and 8 s, 0, 2, 3, 4, 5.5 and 7 s after its first event.
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kNamedOrigin = 1 * kSecond;
constexpr std::uint64_t kPeak = 2 * kMiB + 300 + 8 * kMiB;

std::vector<MemoryEvent> namedPatternInSeconds() {
    std::vector<MemoryEvent> events =
        knownAllocationPattern({decodeCaller(), renderCaller(), otherSite(), 0});
    for (MemoryEvent& event : events) {
        event.timeNanoseconds *= 1'000'000;
    }
    return events;
}

// The row of a model whose first column holds `text`.
int rowHolding(const QAbstractItemModel& model, const QString& text,
               const QModelIndex& parent = {}) {
    for (int row = 0; row < model.rowCount(parent); ++row) {
        if (model.data(model.index(row, 0, parent)).toString().contains(text)) {
            return row;
        }
    }
    return -1;
}

QString shown(const QAbstractItemModel& model, int row, int column,
              const QModelIndex& parent = {}) {
    return model.data(model.index(row, column, parent)).toString();
}

const FlameGraphView::Box& boxOf(const std::vector<FlameGraphView::Box>& boxes, const char* frame) {
    for (const FlameGraphView::Box& box : boxes) {
        if (box.node->frame == frame) {
            return box;
        }
    }
    qFatal("no frame %s", frame);
}

}  // namespace

class AnalysesViewTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        // The dock remembers its page; these tests must not change the person's.
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void init() { QVERIFY(directory_.isValid()); }

    void callSiteModel_givesEverySiteWithItsExactFigures() {
        CallSiteModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows(RecordingAnalysis::analyse(recordingOfPattern()).sites);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.columnCount(), int{CallSiteModel::ColumnCount});
        // allocations, bytes, temporary, leaked bytes, peak bytes; stack N in row N - 1.
        const std::vector<std::vector<qulonglong>> expected = {
            {3, 450, 2, 50, 300},
            {1, 2 * kMiB, 0, 2 * kMiB, 2 * kMiB},
            {1, 8 * kMiB, 0, 0, 8 * kMiB},
            {1, 0, 0, 0, 0},
        };
        for (int row = 0; row < model.rowCount(); ++row) {
            QCOMPARE(model.row(row).cost.stackId, static_cast<StackId>(row + 1));
            QCOMPARE(figuresOf(model, row), expected[static_cast<std::size_t>(row)]);
        }
        QCOMPARE(model.data(model.index(1, CallSiteModel::LeakedBytes)).toString(),
                 DisplayFormat::bytes(2 * kMiB));
        QCOMPARE(model.data(model.index(0, CallSiteModel::Site)).toString(),
                 QStringLiteral("[no stack]"));
        QCOMPARE(model.data(model.index(0, CallSiteModel::Allocations)).toString(),
                 DisplayFormat::count(3));
    }

    void callSiteModel_sortsByFigureThroughTheProxy() {
        CallSiteModel model;
        model.setRows(RecordingAnalysis::analyse(recordingOfPattern()).sites);
        QSortFilterProxyModel sorted;
        QAbstractItemModelTester tester(&sorted,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        sorted.setSourceModel(&model);
        sorted.setSortRole(CallSiteModel::kSortRole);
        sorted.sort(CallSiteModel::Bytes, Qt::DescendingOrder);
        QCOMPARE(figuresOf(sorted, 0)[1], qulonglong{8 * kMiB});
        QCOMPARE(figuresOf(sorted, 1)[1], qulonglong{2 * kMiB});
        QCOMPARE(figuresOf(sorted, 2)[1], qulonglong{450});
        QCOMPARE(figuresOf(sorted, 3)[1], qulonglong{0});
    }

    void callSiteModel_namesASiteByItsFrameAndItsCaller() {
        const RecordingReader reader(recordingOfPattern().toStdString());
        StackNames names = patternNames();
        CallSiteModel model;
        model.setRows(CallSiteModel::rowsOf(AllocationAnalyzer::of(reader), names));
        QCOMPARE(model.data(model.index(1, CallSiteModel::Site)).toString(),
                 QStringLiteral("decodePng ← load"));
        QCOMPARE(model.data(model.index(1, CallSiteModel::Site), Qt::ToolTipRole).toString(),
                 QStringLiteral("decodePng\nload"));
        QCOMPARE(model.data(model.index(3, CallSiteModel::Site)).toString(),
                 QStringLiteral("[no stack]"));
    }

    void analysesView_fillsTheTableOffTheGuiThreadWithABusyIndicator() {
        AnalysesView view;
        view.showRecording(recordingOfPattern());
        QVERIFY(view.analysis().busy());
        QVERIFY(view.busyIndicator()->isVisibleTo(&view));
        QTRY_COMPARE_WITH_TIMEOUT(view.callSites()->rowCount(), 4, kAnalysisTimeoutMilliseconds);
        QVERIFY(!view.analysis().busy());
        QVERIFY(!view.busyIndicator()->isVisibleTo(&view));
        QCOMPARE(view.sortedCallSites()->rowCount(), 4);
    }

    void flameGraph_topFramesAreAsWideAsTheirShareOfTheCost() {
        FlameGraphView view;
        view.resize(kFlameWidth, 200);
        view.setTree(patternTree());
        // Allocations: main 3 (stack 1), load 1, render 1, no stack 1, of 6.
        const std::vector<FlameGraphView::Box>& boxes = view.boxes();
        QCOMPARE(framesOf(boxes, 0), std::vector<QString>{QString()});
        QCOMPARE(boxes.front().rect.width(), double{kFlameWidth});
        QCOMPARE(framesOf(boxes, 1).size(), std::size_t{4});
        QCOMPARE(boxOf(boxes, "main").rect.width(), kFlameWidth * 3.0 / 6.0);
        QCOMPARE(boxOf(boxes, "load").rect.width(), kFlameWidth * 1.0 / 6.0);
        QCOMPARE(boxOf(boxes, "render").rect.width(), kFlameWidth * 1.0 / 6.0);
        QCOMPARE(boxOf(boxes, "[no stack]").rect.width(), kFlameWidth * 1.0 / 6.0);

        // Leaked bytes: load 2 MiB, main 50, too narrow to draw (under half a pixel); render
        // and the frameless stack leaked nothing.
        view.setCost(CollapsedStacks::Cost::Leaked);
        const std::vector<FlameGraphView::Box>& leaked = view.boxes();
        QCOMPARE(framesOf(leaked, 1), std::vector<QString>{"load"});
        QCOMPARE(boxOf(leaked, "load").rect.width(),
                 kFlameWidth * (2.0 * kMiB) / (2.0 * kMiB + 50));
    }

    void flameGraph_clickZoomsIntoAFrameAndTheTopRowZoomsOut() {
        FlameGraphView view;
        view.resize(kFlameWidth, 200);
        view.setTree(patternTree());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QPoint load = boxOf(view.boxes(), "load").rect.center().toPoint();
        QTest::mouseClick(&view, Qt::LeftButton, {}, load);
        const std::vector<FlameGraphView::Box>& zoomed = view.boxes();
        QCOMPARE(zoomed.front().node->frame, std::string("load"));
        QCOMPARE(zoomed.front().rect.width(), double{kFlameWidth});
        QCOMPARE(framesOf(zoomed, 1), std::vector<QString>{"decodePng"});
        QCOMPARE(boxOf(zoomed, "decodePng").rect.width(), double{kFlameWidth});

        QTest::mouseClick(&view, Qt::LeftButton, {}, zoomed.front().rect.center().toPoint());
        QCOMPARE(view.boxes().front().node->frame, std::string());
        QCOMPARE(framesOf(view.boxes(), 1).size(), std::size_t{4});
    }

    void flameGraph_searchHighlightsTheMatchingFrames() {
        AnalysesView view;
        view.resize(kFlameWidth, 400);
        view.flameGraph()->setTree(patternTree());
        view.searchBox()->setText(QStringLiteral("RENDER"));
        std::vector<QString> highlighted;
        for (const FlameGraphView::Box& box : view.flameGraph()->boxes()) {
            if (box.matches) {
                highlighted.push_back(QString::fromStdString(box.node->frame));
            }
        }
        QCOMPARE(highlighted, (std::vector<QString>{"render", "renderTile"}));
        view.searchBox()->clear();
        for (const FlameGraphView::Box& box : view.flameGraph()->boxes()) {
            QVERIFY(!box.matches);
        }
    }

    void flameGraph_tooltipGivesAFramesExactFigures() {
        FlameGraphView view;
        view.resize(kFlameWidth, 200);
        view.setTree(patternTree());
        const QString tip = view.toolTipOf(*boxOf(view.boxes(), "load").node);
        QVERIFY2(tip.startsWith(QStringLiteral("load\n")), qPrintable(tip));
        QVERIFY2(tip.contains(DisplayFormat::exactBytes(2 * kMiB)), qPrintable(tip));
    }

    void recordingAnalysis_aNewerRequestSupersedesAnOlderOne() {
        const QString other = directory_.filePath(QStringLiteral("other.psrec"));
        const std::vector<MemoryEvent> events = {
            allocationEvent(MemoryEventKind::UnpooledAllocate, 1, 4096, 7, 1, 10)};
        writeRecording(other.toStdString(), events);
        RecordingAnalysis analysis;
        QSignalSpy ready(&analysis, &RecordingAnalysis::ready);
        analysis.request(recordingOfPattern());
        analysis.request(other);
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kAnalysisTimeoutMilliseconds);
        // Once both analyses are done and every result delivered, only the newer one was shown.
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        QCOMPARE(ready.count(), 1);
        const auto result =
            ready.front().front().value<std::shared_ptr<const RecordingAnalysisResult>>();
        QCOMPARE(result->recordingPath, other);
        QCOMPARE(result->sites.size(), std::size_t{1});
        QCOMPARE(result->sites.front().cost.bytes, std::uint64_t{4096});
        QVERIFY(!analysis.busy());
    }

    void mainWindow_analysesTheRecordingItOpens() {
        EngineSession session;
        MainWindow window(session);
        session.openRecording(recordingOfPattern());
        QTRY_COMPARE_WITH_TIMEOUT(window.analysesView()->callSites()->rowCount(), 4,
                                  kAnalysisTimeoutMilliseconds);
        QVERIFY(MainWindow::viewNames().contains(QStringLiteral("analyses")));
    }

    void flameGraph_selectingAFrameZoomsIntoItsCallerAndMarksIt() {
        FlameGraphView view;
        view.resize(kFlameWidth, 200);
        const std::shared_ptr<const CallTree> tree = patternTree();
        view.setTree(tree);
        const std::vector<const CallTree*> path =
            CallTreeModel::nodesOfPath(*tree, {"load", "decodePng"});
        QCOMPARE(path.size(), std::size_t{2});
        view.select(path);
        QCOMPARE(view.selected(), path.back());
        const std::vector<FlameGraphView::Box>& boxes = view.boxes();
        QCOMPARE(boxes.front().node, path.front());  // zoomed into load
        QVERIFY(boxOf(boxes, "decodePng").selected);
        QVERIFY(!boxes.front().selected);
        view.select({});
        QCOMPARE(view.selected(), nullptr);
        QCOMPARE(view.boxes().front().node, tree.get());
    }

    void analysesView_peakPageShowsTheSitesHoldingThePeakAndTheTemporaryAllocations() {
        AnalysesView view;
        view.setTimeOrigin(kNamedOrigin);
        view.showRecording(namedRecording());
        PeakTemporaryPage* page = view.peakAndTemporary();
        QTRY_COMPARE_WITH_TIMEOUT(page->sortedPeakConsumers()->rowCount(), 3,
                                  kAnalysisTimeoutMilliseconds);
        const QAbstractItemModel& peak = *page->sortedPeakConsumers();
        // Most bytes first: otherSite's two chunks, renderCaller's 2 MiB, decodeCaller's 300.
        QVERIFY2(shown(peak, 0, PeakConsumerModel::Site).contains("otherSite"),
                 qPrintable(shown(peak, 0, PeakConsumerModel::Site)));
        QCOMPARE(shown(peak, 0, PeakConsumerModel::Bytes), DisplayFormat::bytes(8 * kMiB));
        QVERIFY(shown(peak, 1, PeakConsumerModel::Site).contains("renderCaller"));
        QCOMPARE(shown(peak, 1, PeakConsumerModel::Bytes), DisplayFormat::bytes(2 * kMiB));
        QVERIFY(shown(peak, 2, PeakConsumerModel::Site).contains("decodeCaller"));
        QCOMPARE(shown(peak, 2, PeakConsumerModel::Bytes), DisplayFormat::bytes(300));
        QCOMPARE(shown(peak, 2, PeakConsumerModel::Allocations), DisplayFormat::count(1));
        // The peak is reached at 5.001 s, 4.001 s after the first event.
        const QString summary = page->peakSummary();
        QVERIFY2(summary.contains(DisplayFormat::exactBytes(kPeak)), qPrintable(summary));
        QVERIFY2(summary.contains(QLocale().toString(4.001, 'f', 3) + QStringLiteral(" s")),
                 qPrintable(summary));

        const QAbstractItemModel& temporary = *page->sortedTemporary();
        QCOMPARE(temporary.rowCount(), 1);
        QVERIFY(shown(temporary, 0, TemporaryAllocationModel::Site).contains("decodeCaller"));
        QCOMPARE(shown(temporary, 0, TemporaryAllocationModel::Temporary), DisplayFormat::count(2));
        QCOMPARE(shown(temporary, 0, TemporaryAllocationModel::Allocations),
                 DisplayFormat::count(3));
        QCOMPARE(shown(temporary, 0, TemporaryAllocationModel::Bytes), DisplayFormat::bytes(400));
        QVERIFY2(page->temporarySummary().contains(QStringLiteral("2 of 6")),
                 qPrintable(page->temporarySummary()));
    }

    void analysesView_bottomUpTreeExpandsTheAllocatingFrameToItsCallers() {
        AnalysesView view;
        view.showRecording(namedRecording());
        const QAbstractItemModel& tree = *view.bottomUp()->sorted();
        QTRY_COMPARE_WITH_TIMEOUT(tree.rowCount(), 3, kAnalysisTimeoutMilliseconds);
        // otherSite 8 MiB, allocatingLeaf 2 MiB + 450, the descriptor without a stack.
        QVERIFY(shown(tree, 0, CallTreeModel::Frame).contains("otherSite"));
        const int leafRow = rowHolding(tree, QStringLiteral("allocatingLeaf"));
        QCOMPARE(leafRow, 1);
        const QModelIndex leaf = tree.index(leafRow, 0);
        QCOMPARE(shown(tree, leafRow, CallTreeModel::Allocations), DisplayFormat::count(4));
        QCOMPARE(shown(tree, leafRow, CallTreeModel::Bytes), DisplayFormat::bytes(2 * kMiB + 450));
        // Its callers, most bytes first: renderCaller (one of 2 MiB), decodeCaller (three, two
        // of them temporary).
        QCOMPARE(tree.rowCount(leaf), 2);
        QVERIFY(shown(tree, 0, CallTreeModel::Frame, leaf).contains("renderCaller"));
        QCOMPARE(shown(tree, 0, CallTreeModel::Allocations, leaf), DisplayFormat::count(1));
        QCOMPARE(shown(tree, 0, CallTreeModel::Bytes, leaf), DisplayFormat::bytes(2 * kMiB));
        QVERIFY(shown(tree, 1, CallTreeModel::Frame, leaf).contains("decodeCaller"));
        QCOMPARE(shown(tree, 1, CallTreeModel::Allocations, leaf), DisplayFormat::count(3));
        QCOMPARE(shown(tree, 1, CallTreeModel::Bytes, leaf), DisplayFormat::bytes(450));
        QCOMPARE(shown(tree, 1, CallTreeModel::Temporary, leaf), DisplayFormat::count(2));

        // Top-down, the same allocating frame is under each caller.
        const QAbstractItemModel& topDown = *view.topDown()->sorted();
        QCOMPARE(topDown.rowCount(), 2);  // main, and the descriptor without a stack
        QCOMPARE(
            topDown.data(topDown.index(0, CallTreeModel::Allocations), CallTreeModel::kSortRole)
                .toULongLong(),
            qulonglong{5});
    }

    void analysesView_doubleClickOnASiteShowsItInTheTreesAndTheFlameGraph() {
        AnalysesView view;
        view.resize(1000, 700);
        view.pages()->setCurrentIndex(AnalysesView::CallSitesTab);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showRecording(namedRecording());
        QTRY_COMPARE_WITH_TIMEOUT(view.callSites()->rowCount(), 4, kAnalysisTimeoutMilliseconds);
        QTableView* table = view.callSitesPage()->table();
        const int decode = rowHolding(*table->model(), QStringLiteral("decodeCaller"));
        QVERIFY(decode >= 0);
        const QRect cell = table->visualRect(table->model()->index(decode, CallSiteModel::Site));
        // A double-click is a press, a release, and a second press that comes as a double-click.
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, cell.center());

        QCOMPARE(view.pages()->currentIndex(), int{AnalysesView::BottomUpTab});
        // Bottom-up: the site as the table names it, the allocating frame and its caller.
        const CallTree* bottomUp = view.bottomUp()->selectedNode();
        QVERIFY(bottomUp != nullptr);
        QVERIFY2(QString::fromStdString(bottomUp->frame).contains("decodeCaller"),
                 bottomUp->frame.c_str());
        QCOMPARE(bottomUp->cost.allocations, std::uint64_t{3});
        const QModelIndex current = view.bottomUp()->view()->currentIndex();
        QVERIFY(current.parent().data().toString().contains("allocatingLeaf"));
        QVERIFY(view.bottomUp()->view()->isExpanded(current.parent()));
        // Top-down and the flame graph: the allocating frame at the end of decodeCaller's stack.
        const CallTree* topDown = view.topDown()->selectedNode();
        QVERIFY(topDown != nullptr);
        QVERIFY(QString::fromStdString(topDown->frame).contains("allocatingLeaf"));
        QCOMPARE(topDown->cost.allocations, std::uint64_t{3});
        QCOMPARE(topDown->cost.bytes, std::uint64_t{450});
        QCOMPARE(view.flameGraph()->selected(), topDown);

        // The context action on renderCaller's site turns to the flame graph, selected there.
        view.pages()->setCurrentIndex(AnalysesView::CallSitesTab);
        const int render = rowHolding(*table->model(), QStringLiteral("renderCaller"));
        table->setCurrentIndex(table->model()->index(render, 0));
        view.callSitesPage()->siteActions().at(2)->trigger();
        QCOMPARE(view.pages()->currentIndex(), int{AnalysesView::FlameGraphTab});
        const CallTree* flame = view.flameGraph()->selected();
        QVERIFY(flame != nullptr);
        QVERIFY(QString::fromStdString(flame->frame).contains("allocatingLeaf"));
        QCOMPARE(flame->cost.bytes, 2 * kMiB);
        const std::vector<FlameGraphView::Box>& boxes = view.flameGraph()->boxes();
        QVERIFY(std::any_of(boxes.begin(), boxes.end(), [flame](const FlameGraphView::Box& box) {
            return box.selected && box.node == flame;
        }));
        QCOMPARE(view.topDown()->selectedNode(), flame);
        // A double-click on a row of the temporary allocations shows its site bottom-up too.
        view.pages()->setCurrentIndex(AnalysesView::PeakTab);
        QTableView* temporary = view.peakAndTemporary()->temporaryTable();
        const QRect row = temporary->visualRect(temporary->model()->index(0, 0));
        QTest::mouseClick(temporary->viewport(), Qt::LeftButton, {}, row.center());
        QTest::mouseDClick(temporary->viewport(), Qt::LeftButton, {}, row.center());
        QCOMPARE(view.pages()->currentIndex(), int{AnalysesView::BottomUpTab});
        QVERIFY(QString::fromStdString(view.bottomUp()->selectedNode()->frame)
                    .contains("decodeCaller"));
    }

    void analysesView_sizesPageDrawsTheBucketCountsAndThePoolsThresholds() {
        AnalysesView view;
        view.resize(1000, 600);
        view.pages()->setCurrentIndex(AnalysesView::SizesTab);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showRecording(namedRecording());
        SizeHistogramView* sizes = view.sizes();
        QTRY_COMPARE_WITH_TIMEOUT(sizes->drawnValues().size(), std::size_t{18},
                                  kAnalysisTimeoutMilliseconds);
        // 50, 100, 300 bytes, 2 MiB and the group of 8 MiB, in buckets from (32, 64] bytes to
        // (4, 8] MiB.
        std::vector<double> expected(18, 0.0);
        expected[0] = expected[1] = expected[3] = expected[15] = expected[17] = 1.0;
        QCOMPARE(sizes->drawnValues(), expected);
        QCOMPARE(sizes->lineLabels(), (QStringList{"1 MiB: small buffers", "4 MiB: pool chunk"}));
        QCOMPARE(sizes->linePositions(), (std::vector<double>{14.5, 16.5}));
        const QString tip = sizes->toolTipAt(sizes->pointOfBar(17));
        QVERIFY2(tip.startsWith(QStringLiteral("Over 4 MiB, up to 8 MiB")), qPrintable(tip));
        QVERIFY2(tip.contains(DisplayFormat::exactBytes(8 * kMiB)), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("Unpooled")), qPrintable(tip));
        QVERIFY(sizes->toolTipAt(sizes->pointOfBar(0)).contains(QStringLiteral("up to 64 B")));

        sizes->setMeasure(SizeHistogramView::Measure::Bytes);
        expected = std::vector<double>(18, 0.0);
        expected[0] = 50;
        expected[1] = 100;
        expected[3] = 300;
        expected[15] = 2.0 * kMiB;
        expected[17] = 8.0 * kMiB;
        QCOMPARE(sizes->drawnValues(), expected);
        // Linear as logarithmic: the same heights.
        QVERIFY(sizes->logarithmic());
        sizes->setLogarithmic(false);
        QCOMPARE(sizes->drawnValues(), expected);
    }

    void analysesView_timeRangeRestrictsEveryPageAndTheTitleSaysWhich() {
        AnalysesView view;
        view.setTimeOrigin(kNamedOrigin);
        view.showRecording(namedRecording());
        QTRY_COMPARE_WITH_TIMEOUT(view.callSites()->rowCount(), 4, kAnalysisTimeoutMilliseconds);
        QVERIFY2(view.title().contains(QStringLiteral("whole run")), qPrintable(view.title()));

        // 2.5 to 5 s: decodeCaller's 300 bytes (3 s) and otherSite's chunks (4 s); renderCaller's
        // 2 MiB (2 s) and the descriptor (7 s) are out.
        view.setTimeRange(2.5, 5.0);
        QTRY_COMPARE_WITH_TIMEOUT(view.callSites()->rowCount(), 2, kAnalysisTimeoutMilliseconds);
        const QString range =
            QStringLiteral("%1 – %2 s")
                .arg(QLocale().toString(2.5, 'f', 2), QLocale().toString(5.0, 'f', 2));
        QVERIFY2(view.title().contains(range), qPrintable(view.title()));
        QVERIFY2(view.windowTitle().contains(range), qPrintable(view.windowTitle()));
        QCOMPARE(rowHolding(*view.callSites(), QStringLiteral("renderCaller")), -1);
        const int decode = rowHolding(*view.callSites(), QStringLiteral("decodeCaller"));
        QCOMPARE(view.callSites()->row(decode).cost.allocations, std::uint64_t{1});
        QCOMPARE(view.peakAndTemporary()->peakConsumers()->rowCount(), 2);
        QCOMPARE(view.peakAndTemporary()->peakConsumers()->peakBytes(), 8 * kMiB + 300);
        QCOMPARE(view.peakAndTemporary()->temporary()->row(0).cost.temporaryAllocations,
                 std::uint64_t{1});
        QCOMPARE(view.bottomUp()->model()->rowCount(), 2);
        // From (256, 512] bytes, 300 bytes, to (4, 8] MiB, the group of 8 MiB.
        std::vector<double> sizes(15, 0.0);
        sizes.front() = sizes.back() = 1.0;
        QCOMPARE(view.sizes()->drawnValues(), sizes);

        view.clearTimeRange();
        QTRY_COMPARE_WITH_TIMEOUT(view.callSites()->rowCount(), 4, kAnalysisTimeoutMilliseconds);
        QVERIFY2(view.windowTitle().contains(QStringLiteral("whole run")),
                 qPrintable(view.windowTitle()));
        QCOMPARE(view.peakAndTemporary()->temporary()->row(0).cost.temporaryAllocations,
                 std::uint64_t{2});
    }

    void mainWindow_timelineRangeRestrictsTheAnalysesAndNamesItInTheDockTitle() {
        EngineSession session;
        MainWindow window(session);
        session.openRecording(namedRecording());
        AnalysesView* view = window.analysesView();
        QTRY_COMPARE_WITH_TIMEOUT(view->callSites()->rowCount(), 4, kAnalysisTimeoutMilliseconds);
        // The timeline's seconds count from the recording's first event.
        QTRY_COMPARE_WITH_TIMEOUT(view->timeOrigin().value_or(0), kNamedOrigin,
                                  kAnalysisTimeoutMilliseconds);
        auto* dock = window.findChild<QDockWidget*>(QStringLiteral("analysesDock"));
        QVERIFY(dock != nullptr);
        QVERIFY2(dock->windowTitle().contains(QStringLiteral("whole run")),
                 qPrintable(dock->windowTitle()));

        // As the timeline announces a dragged range (TimelineViewTest drags it).
        emit window.timelineView()->timeRangeSelected(2.5, 5.0);
        QTRY_COMPARE_WITH_TIMEOUT(view->callSites()->rowCount(), 2, kAnalysisTimeoutMilliseconds);
        QVERIFY2(dock->windowTitle().contains(QLocale().toString(2.5, 'f', 2)),
                 qPrintable(dock->windowTitle()));
        emit window.timelineView()->timeRangeCleared();
        QTRY_COMPARE_WITH_TIMEOUT(view->callSites()->rowCount(), 4, kAnalysisTimeoutMilliseconds);
        QVERIFY2(dock->windowTitle().contains(QStringLiteral("whole run")),
                 qPrintable(dock->windowTitle()));
    }

private:
    QString namedRecording() const {
        const QString path = directory_.filePath(QStringLiteral("named.psrec"));
        if (!QFile::exists(path)) {
            writeRecording(path.toStdString(), namedPatternInSeconds());
        }
        return path;
    }

    QString recordingOfPattern() const {
        const QString path = directory_.filePath(QStringLiteral("pattern.psrec"));
        if (!QFile::exists(path)) {
            writeRecording(path.toStdString(), knownAllocationPattern());
        }
        return path;
    }

    std::shared_ptr<const CallTree> patternTree() const {
        const RecordingReader reader(recordingOfPattern().toStdString());
        StackNames names = patternNames();
        return std::make_shared<const CallTree>(
            CallTree::topDown(AllocationAnalyzer::of(reader), names));
    }

    QTemporaryDir directory_;
};

QTEST_MAIN(AnalysesViewTest)
#include "AnalysesViewTest.moc"
