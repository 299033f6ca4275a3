// The Analyses dock on a recording of known allocations (tests/engine/AnalysisTestSupport.h):
// the call-site table's figures, the flame graph's widths, zoom and search, and the latest
// request winning over an older one.

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLineEdit>
#include <QProgressBar>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include <map>
#include <memory>
#include <vector>

#include "analysis/CallTree.h"
#include "models/CallSiteModel.h"
#include "models/DisplayFormat.h"
#include "recording/RecordingReader.h"
#include "session/EngineSession.h"
#include "session/RecordingAnalysis.h"
#include "views/AnalysesView.h"
#include "views/FlameGraphView.h"
#include "views/MainWindow.h"

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

private:
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
