// Moving about the Analyses dock on a recording of known allocations
// (tests/engine/AnalysisTestSupport.h with real frames): the search narrowing the call trees to
// the matching frames, opened down to them, and a tree row or a peak-table row shown in the
// flame graph, zoomed into that frame.

#include <QAction>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include <vector>

#include "analysis/CallTree.h"
#include "diagnostics/StackTable.h"
#include "models/CallSiteModel.h"
#include "models/CallTreeModel.h"
#include "models/CallTreeSearchProxy.h"
#include "views/AnalysesView.h"
#include "views/CallTreePage.h"
#include "views/FlameGraphView.h"
#include "views/PeakTemporaryPage.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

constexpr int kAnalysisTimeoutMilliseconds = 30'000;

// Stacks captured here, so that the recording names real frames: one allocating function called
// from two callers, and another site; noipa, so that the optimizer neither inlines them nor
// folds the identical ones into one.
[[gnu::noipa]] StackId navigationLeaf() {
    volatile StackId stackId = captureStack();
    return stackId;
}

[[gnu::noipa]] StackId navigationDecode() {
    volatile StackId stackId = navigationLeaf();
    return stackId;
}

[[gnu::noipa]] StackId navigationRender() {
    volatile StackId stackId = navigationLeaf();
    return stackId;
}

[[gnu::noipa]] StackId navigationOther() {
    volatile StackId stackId = captureStack();
    return stackId;
}

// The known pattern with navigationDecode's stack for its first site (3 allocations, 450
// bytes), navigationRender's for its second (2 MiB) and navigationOther's for the third (8 MiB,
// all of it held at the peak).
std::vector<MemoryEvent> namedPattern() {
    return knownAllocationPattern({navigationDecode(), navigationRender(), navigationOther(), 0});
}

QString frameOf(const QModelIndex& index) {
    return index.siblingAtColumn(CallTreeModel::Frame).data().toString();
}

// The first row below `parent` whose frame holds `text`, invalid when none.
QModelIndex childHolding(const QAbstractItemModel& model, const QModelIndex& parent,
                         const char* text) {
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex child = model.index(row, 0, parent);
        if (frameOf(child).contains(QLatin1String(text))) {
            return child;
        }
    }
    return {};
}

// Depth first, the first row of the whole tree whose frame holds `text`.
QModelIndex rowHolding(const QAbstractItemModel& model, const char* text,
                       const QModelIndex& parent = {}) {
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex child = model.index(row, 0, parent);
        if (frameOf(child).contains(QLatin1String(text))) {
            return child;
        }
        const QModelIndex below = rowHolding(model, text, child);
        if (below.isValid()) {
            return below;
        }
    }
    return {};
}

}  // namespace

class AnalysesNavigationTest : public QObject {
    Q_OBJECT

    QTemporaryDir directory_;
    QString recording_;

    void showAnalysed(AnalysesView& view) {
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showRecording(recording_);
        QTRY_COMPARE_WITH_TIMEOUT(view.callSites()->rowCount(), 4, kAnalysisTimeoutMilliseconds);
    }

private slots:
    void initTestCase() {
        // The dock remembers its page; these tests must not change the person's.
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QVERIFY(directory_.isValid());
        recording_ = directory_.filePath(QStringLiteral("named.psrec"));
        writeRecording(recording_.toStdString(), namedPattern());
    }

    void analysesView_searchOnATreePageKeepsTheMatchingFramesOpenedDownToThem() {
        AnalysesView view;
        view.pages()->setCurrentIndex(AnalysesView::BottomUpTab);
        showAnalysed(view);
        QVERIFY(view.searchBox()->isEnabled());
        QTreeView* tree = view.bottomUp()->view();
        const QAbstractItemModel& rows = *tree->model();
        QCOMPARE(rows.rowCount(), 3);

        QTest::keyClicks(view.searchBox(), QStringLiteral("navigationrender"));
        // Bottom-up: the allocating frame the render caller called, alone, opened down to the
        // caller, which is the only one of its callers left and the only bold row.
        QCOMPARE(rows.rowCount(), 1);
        const QModelIndex leaf = rows.index(0, 0);
        QVERIFY2(frameOf(leaf).contains(QLatin1String("navigationLeaf")),
                 qPrintable(frameOf(leaf)));
        QVERIFY(tree->isExpanded(leaf));
        QCOMPARE(rows.rowCount(leaf), 1);
        const QModelIndex caller = rows.index(0, 0, leaf);
        QVERIFY(frameOf(caller).contains(QLatin1String("navigationRender")));
        QVERIFY(view.bottomUp()->searched()->matches(caller));
        QVERIFY(!view.bottomUp()->searched()->matches(leaf));
        QCOMPARE(view.bottomUp()
                     ->model()
                     ->node(view.bottomUp()->sorted()->mapToSource(caller))
                     ->cost.bytes,
                 2 * kMiB);
        QVERIFY(!tree->isExpanded(caller));

        // Top-down: the render caller is opened to from the outermost frame down, and every
        // stack that does not pass through it is gone.
        view.pages()->setCurrentIndex(AnalysesView::TopDownTab);
        QVERIFY(view.searchBox()->isEnabled());
        QTreeView* topDown = view.topDown()->view();
        const QModelIndex render = rowHolding(*topDown->model(), "navigationRender");
        QVERIFY(render.isValid());
        for (QModelIndex above = render.parent(); above.isValid(); above = above.parent()) {
            QVERIFY(topDown->isExpanded(above));
            QCOMPARE(topDown->model()->rowCount(above), 1);
        }
        QVERIFY(!rowHolding(*topDown->model(), "navigationDecode").isValid());
        QVERIFY(!rowHolding(*topDown->model(), "navigationOther").isValid());
        QVERIFY(childHolding(*topDown->model(), render, "navigationLeaf").isValid());

        // Cleared, the trees show every frame again; the sizes have nothing to search.
        view.searchBox()->clear();
        QVERIFY(rowHolding(*topDown->model(), "navigationDecode").isValid());
        view.pages()->setCurrentIndex(AnalysesView::BottomUpTab);
        QCOMPARE(rows.rowCount(), 3);
        view.pages()->setCurrentIndex(AnalysesView::SizesTab);
        QVERIFY(!view.searchBox()->isEnabled());
    }

    void analysesView_treeRowShownInTheFlameGraphIsTheFrameZoomedInto() {
        AnalysesView view;
        view.pages()->setCurrentIndex(AnalysesView::TopDownTab);
        showAnalysed(view);

        // A top-down row is the flame graph's own frame.
        QTreeView* topDown = view.topDown()->view();
        const QModelIndex decode = rowHolding(*topDown->model(), "navigationDecode");
        QVERIFY(decode.isValid());
        topDown->setCurrentIndex(decode);
        const CallTree* row = view.topDown()->selectedNode();
        QVERIFY(row != nullptr);
        view.topDown()->flameGraphAction()->trigger();
        QCOMPARE(view.pages()->currentIndex(), int{AnalysesView::FlameGraphTab});
        QCOMPARE(view.flameGraph()->zoomed(), row);
        QCOMPARE(view.flameGraph()->selected(), row);
        const std::vector<FlameGraphView::Box>& boxes = view.flameGraph()->boxes();
        QVERIFY(!boxes.empty());
        QCOMPARE(boxes.front().node, row);
        QCOMPARE(boxes.front().depth, 0);
        // Its callee, the allocating frame, is drawn below it across the whole width.
        QVERIFY(std::any_of(boxes.begin(), boxes.end(), [&](const FlameGraphView::Box& box) {
            return box.depth == 1 && box.rect.width() == boxes.front().rect.width() &&
                   box.node->frame.find("navigationLeaf") != std::string::npos;
        }));
        // The top row zooms out one frame: to the decode frame's caller.
        view.flameGraph()->zoomOut();
        QVERIFY(view.flameGraph()->zoomed() != row);
        QCOMPARE(
            view.flameGraph()->zoomed(),
            view.topDown()->model()->node(view.topDown()->sorted()->mapToSource(decode.parent())));

        // A bottom-up row: the render caller of the allocating frame, the same frame in the
        // flame graph, with the render stack's figures.
        view.pages()->setCurrentIndex(AnalysesView::BottomUpTab);
        QTreeView* bottomUp = view.bottomUp()->view();
        const QModelIndex leaf = rowHolding(*bottomUp->model(), "navigationLeaf");
        const QModelIndex render = childHolding(*bottomUp->model(), leaf, "navigationRender");
        QVERIFY(render.isValid());
        bottomUp->setCurrentIndex(render);
        const CallTree* bottomUpRow = view.bottomUp()->selectedNode();
        view.bottomUp()->flameGraphAction()->trigger();
        QCOMPARE(view.pages()->currentIndex(), int{AnalysesView::FlameGraphTab});
        const CallTree* zoomed = view.flameGraph()->zoomed();
        QVERIFY(zoomed != nullptr);
        QCOMPARE(zoomed->frame, bottomUpRow->frame);
        QCOMPARE(zoomed->cost.bytes, 2 * kMiB);
        QCOMPARE(zoomed->cost.allocations, std::uint64_t{1});
        QCOMPARE(view.flameGraph()->boxes().front().node, zoomed);
        // The top-down tree selects the same frame.
        QCOMPARE(view.topDown()->selectedNode(), zoomed);
    }

    void analysesView_peakTableRowShownInTheFlameGraphIsSelectedThere() {
        AnalysesView view;
        view.pages()->setCurrentIndex(AnalysesView::PeakTab);
        showAnalysed(view);
        QTableView* peak = view.peakAndTemporary()->peakTable();
        // Most bytes first: the other site's 8 MiB.
        peak->setCurrentIndex(peak->model()->index(0, 0));
        const QList<QAction*> actions = view.peakAndTemporary()->siteActions(peak);
        QCOMPARE(actions.size(), 3);
        actions.at(2)->trigger();
        QCOMPARE(view.pages()->currentIndex(), int{AnalysesView::FlameGraphTab});
        const CallTree* selected = view.flameGraph()->selected();
        QVERIFY(selected != nullptr);
        QVERIFY2(selected->frame.find("navigationOther") != std::string::npos,
                 selected->frame.c_str());
        QCOMPARE(selected->cost.peakBytes, 8 * kMiB);
        const std::vector<FlameGraphView::Box>& boxes = view.flameGraph()->boxes();
        QVERIFY(std::any_of(boxes.begin(), boxes.end(), [selected](const FlameGraphView::Box& box) {
            return box.selected && box.node == selected;
        }));
        // The top-down action of a temporary row selects its site there.
        QTableView* temporary = view.peakAndTemporary()->temporaryTable();
        temporary->setCurrentIndex(temporary->model()->index(0, 0));
        view.peakAndTemporary()->siteActions(temporary).at(1)->trigger();
        QCOMPARE(view.pages()->currentIndex(), int{AnalysesView::TopDownTab});
        QVERIFY(view.topDown()->selectedNode()->frame.find("navigationLeaf") != std::string::npos);
    }
};

QTEST_MAIN(AnalysesNavigationTest)
#include "AnalysesNavigationTest.moc"
