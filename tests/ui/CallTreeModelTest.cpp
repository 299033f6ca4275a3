// The call trees' model without widgets: bottom-up rows are the frames that allocated with their
// callers below, top-down rows the outermost frames with their callees below, every figure
// exact, a path of frames found again, sorting through a proxy by figure, and the search proxy
// keeping the matching frames with those above and below them.

#include <QAbstractItemModelTester>
#include <QFont>
#include <QSortFilterProxyModel>
#include <QtTest>

#include <map>
#include <memory>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/CallTree.h"
#include "models/CallTreeModel.h"
#include "models/CallTreeSearchIndex.h"
#include "models/CallTreeSearchProxy.h"
#include "models/DisplayFormat.h"

#include "AnalysisTestSupport.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

Frame named(const char* function) {
    Frame frame;
    frame.function = function;
    return frame;
}

// The known pattern (AnalysisTestSupport.h) with its first two stacks sharing their allocating
// frame: makeThumbnail, called from main (3 allocations, 450 bytes) and from batch (2 MiB).
StackNames sharedLeafNames() {
    static const std::map<StackId, std::vector<Frame>> stacks = {
        {1, {named("makeThumbnail"), named("main")}},
        {2, {named("makeThumbnail"), named("batch"), named("main")}},
        {3, {named("renderTile"), named("render"), named("main")}},
    };
    return StackNames([](StackId stackId) {
        const auto found = stacks.find(stackId);
        return found == stacks.end() ? std::vector<Frame>{} : found->second;
    });
}

AllocationAnalysis patternAnalysis() {
    AllocationAnalyzer analyzer;
    for (const MemoryEvent& event : knownAllocationPattern()) {
        analyzer.apply(event);
    }
    return analyzer.finish();
}

std::shared_ptr<const CallTree> bottomUpTree() {
    StackNames names = sharedLeafNames();
    return std::make_shared<const CallTree>(CallTree::bottomUp(patternAnalysis(), names));
}

std::shared_ptr<const CallTree> topDownTree() {
    StackNames names = sharedLeafNames();
    return std::make_shared<const CallTree>(CallTree::topDown(patternAnalysis(), names));
}

QString text(const QAbstractItemModel& model, const QModelIndex& index, int column = 0) {
    return model.data(model.index(index.row(), column, index.parent())).toString();
}

qulonglong figure(const QAbstractItemModel& model, const QModelIndex& index, int column) {
    return model.data(model.index(index.row(), column, index.parent()), CallTreeModel::kSortRole)
        .toULongLong();
}

QStringList childFrames(const QAbstractItemModel& model, const QModelIndex& parent) {
    QStringList frames;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        frames.append(model.data(model.index(row, 0, parent)).toString());
    }
    return frames;
}

}  // namespace

class CallTreeModelTest : public QObject {
    Q_OBJECT

private slots:
    void callTreeModel_passesTheModelTesterOnBothTreesAndTheirProxy() {
        CallTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setTree(bottomUpTree());
        QSortFilterProxyModel sorted;
        QAbstractItemModelTester sortedTester(
            &sorted, QAbstractItemModelTester::FailureReportingMode::QtTest);
        sorted.setSourceModel(&model);
        sorted.setSortRole(CallTreeModel::kSortRole);
        sorted.sort(CallTreeModel::Allocations, Qt::DescendingOrder);
        model.setTree(topDownTree());
        sorted.sort(CallTreeModel::Frame, Qt::AscendingOrder);
        model.setTree(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void callTreeModel_bottomUpExpandsAnAllocatingFrameToItsCallersWithTheirCounts() {
        CallTreeModel model;
        model.setTree(bottomUpTree());
        // Most bytes first: renderTile 8 MiB, makeThumbnail 2 MiB + 450, no stack 0.
        QCOMPARE(childFrames(model, {}),
                 (QStringList{"renderTile", "makeThumbnail", "[no stack]"}));
        const QModelIndex thumbnail = model.index(1, 0);
        QCOMPARE(figure(model, thumbnail, CallTreeModel::Allocations), qulonglong{4});
        QCOMPARE(figure(model, thumbnail, CallTreeModel::Bytes), qulonglong{2 * kMiB + 450});
        QCOMPARE(figure(model, thumbnail, CallTreeModel::Temporary), qulonglong{2});
        QCOMPARE(figure(model, thumbnail, CallTreeModel::LeakedBytes), qulonglong{2 * kMiB + 50});
        QCOMPARE(figure(model, thumbnail, CallTreeModel::PeakBytes), qulonglong{2 * kMiB + 300});
        QCOMPARE(text(model, thumbnail, CallTreeModel::Bytes),
                 DisplayFormat::bytes(2 * kMiB + 450));

        // Its callers: batch (the 2 MiB) and main (three allocations of 450 bytes).
        QCOMPARE(childFrames(model, thumbnail), (QStringList{"batch", "main"}));
        const QModelIndex batch = model.index(0, 0, thumbnail);
        const QModelIndex main = model.index(1, 0, thumbnail);
        QCOMPARE(figure(model, batch, CallTreeModel::Allocations), qulonglong{1});
        QCOMPARE(figure(model, batch, CallTreeModel::Bytes), qulonglong{2 * kMiB});
        QCOMPARE(figure(model, main, CallTreeModel::Allocations), qulonglong{3});
        QCOMPARE(figure(model, main, CallTreeModel::Bytes), qulonglong{450});
        QCOMPARE(figure(model, main, CallTreeModel::Temporary), qulonglong{2});
        QCOMPARE(model.rowCount(main), 0);
        // batch's caller, main, one level further.
        QCOMPARE(childFrames(model, batch), QStringList{"main"});
        QCOMPARE(model.parent(model.index(0, 0, batch)), batch);
        QCOMPARE(model.parent(batch), thumbnail);
        QCOMPARE(model.parent(thumbnail), QModelIndex());
    }

    void callTreeModel_topDownExpandsMainToItsCallees() {
        CallTreeModel model;
        model.setTree(topDownTree());
        QCOMPARE(childFrames(model, {}), (QStringList{"main", "[no stack]"}));
        const QModelIndex main = model.index(0, 0);
        QCOMPARE(figure(model, main, CallTreeModel::Allocations), qulonglong{5});
        QCOMPARE(figure(model, main, CallTreeModel::Bytes), qulonglong{10 * kMiB + 450});
        QCOMPARE(childFrames(model, main), (QStringList{"render", "batch", "makeThumbnail"}));
        const QModelIndex batch = model.index(1, 0, main);
        QCOMPARE(childFrames(model, batch), QStringList{"makeThumbnail"});
        QCOMPARE(figure(model, model.index(0, 0, batch), CallTreeModel::LeakedBytes),
                 qulonglong{2 * kMiB});
        QCOMPARE(figure(model, model.index(2, 0, main), CallTreeModel::LeakedBytes),
                 qulonglong{50});
    }

    void callTreeModel_findsTheRowOfAPathOfFrames() {
        CallTreeModel model;
        model.setTree(bottomUpTree());
        const QModelIndex found = model.indexOfPath({"makeThumbnail", "batch", "main"});
        QVERIFY(found.isValid());
        QCOMPARE(text(model, found), QStringLiteral("main"));
        QCOMPARE(text(model, found.parent()), QStringLiteral("batch"));
        QCOMPARE(text(model, found.parent().parent()), QStringLiteral("makeThumbnail"));
        QCOMPARE(figure(model, found, CallTreeModel::Bytes), qulonglong{2 * kMiB});
        QVERIFY(!model.indexOfPath({"makeThumbnail", "render"}).isValid());
        QVERIFY(!model.indexOfPath({}).isValid());

        const std::vector<const CallTree*> nodes =
            CallTreeModel::nodesOfPath(*model.tree(), {"makeThumbnail", "main"});
        QCOMPARE(nodes.size(), std::size_t{2});
        QCOMPARE(nodes[1], model.node(model.indexOfPath({"makeThumbnail", "main"})));
        QCOMPARE(nodes[1]->cost.allocations, std::uint64_t{3});
        QVERIFY(CallTreeModel::nodesOfPath(*model.tree(), {"main"}).empty());
    }

    void callTreeModel_sortsEachLevelByFigureThroughTheProxy() {
        CallTreeModel model;
        model.setTree(bottomUpTree());
        QSortFilterProxyModel sorted;
        sorted.setSourceModel(&model);
        sorted.setSortRole(CallTreeModel::kSortRole);
        sorted.sort(CallTreeModel::Allocations, Qt::DescendingOrder);
        // makeThumbnail 4, renderTile 1, no stack 1 (a tie keeps the tree's order).
        QCOMPARE(childFrames(sorted, {}).front(), QStringLiteral("makeThumbnail"));
        QCOMPARE(childFrames(sorted, sorted.index(0, 0)), (QStringList{"main", "batch"}));
        sorted.sort(CallTreeModel::Frame, Qt::AscendingOrder);
        QCOMPARE(childFrames(sorted, {}),
                 (QStringList{"[no stack]", "makeThumbnail", "renderTile"}));
    }

    void callTreeSearch_keepsTheMatchingFramesWithTheFramesAboveAndBelowThem() {
        CallTreeModel model;
        model.setTree(bottomUpTree());
        CallTreeSearchProxy searched;
        QAbstractItemModelTester tester(&searched,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        searched.setSourceModel(&model);
        searched.setSearch(QStringLiteral("BATCH"));
        // batch is one of makeThumbnail's callers: makeThumbnail stays above it, main below it;
        // main calling makeThumbnail directly, renderTile and the stackless site go.
        QCOMPARE(childFrames(searched, {}), QStringList{"makeThumbnail"});
        const QModelIndex thumbnail = searched.index(0, 0);
        QCOMPARE(childFrames(searched, thumbnail), QStringList{"batch"});
        const QModelIndex batch = searched.index(0, 0, thumbnail);
        QCOMPARE(childFrames(searched, batch), QStringList{"main"});
        QCOMPARE(searched.matchCount(), std::size_t{1});
        QVERIFY(searched.matches(batch));
        QVERIFY(!searched.matches(thumbnail));
        QVERIFY(searched.leadsToMatch(thumbnail));
        QVERIFY(!searched.leadsToMatch(batch));
        QCOMPARE(searched.rowsLeadingToMatches(10), std::vector<QModelIndex>{thumbnail});
        QVERIFY(searched.data(batch, Qt::FontRole).value<QFont>().bold());
        QVERIFY(!searched.data(thumbnail, Qt::FontRole).isValid());
        QCOMPARE(figure(searched, batch, CallTreeModel::Bytes), qulonglong{2 * kMiB});

        searched.setSearch(QString());
        QCOMPARE(childFrames(searched, {}),
                 (QStringList{"renderTile", "makeThumbnail", "[no stack]"}));
        QCOMPARE(searched.matchCount(), std::size_t{0});
    }

    void callTreeSearch_aMatchOnTopKeepsEverythingBelowIt() {
        CallTreeModel model;
        model.setTree(topDownTree());
        CallTreeSearchProxy searched;
        searched.setSourceModel(&model);
        searched.setSearch(QStringLiteral("main"));
        QCOMPARE(childFrames(searched, {}), QStringList{"main"});
        const QModelIndex main = searched.index(0, 0);
        QCOMPARE(childFrames(searched, main), (QStringList{"render", "batch", "makeThumbnail"}));
        QCOMPARE(childFrames(searched, searched.index(1, 0, main)), QStringList{"makeThumbnail"});
        // Nothing leads to a match below the top row: nothing to open.
        QVERIFY(searched.rowsLeadingToMatches(10).empty());
        searched.setSearch(QStringLiteral("no such frame"));
        QCOMPARE(searched.rowCount(), 0);
    }

    void callTreeSearch_withTheIndexMadeWithTheTree_findsWhatItsOwnIndexFinds() {
        const std::shared_ptr<const CallTree> tree = topDownTree();
        const auto index =
            std::make_shared<const CallTreeSearchIndex>(CallTreeSearchIndex::of(*tree));
        // Every frame of the tree, the root included (root; main; render, renderTile; batch,
        // makeThumbnail; makeThumbnail; [no stack]), and its distinct labels (makeThumbnail
        // once).
        QCOMPARE(index->frames(), std::size_t{8});
        QCOMPARE(index->foldedLabels().size(), std::size_t{7});
        QCOMPARE(index->foldedLabels()[index->labelOf(tree->children[0].order)],
                 std::string("main"));
        CallTreeModel given;
        given.setTree(tree, index);
        QCOMPARE(given.searchIndex(), index);
        CallTreeModel own;
        own.setTree(tree);
        QVERIFY(!own.searchIndex());
        CallTreeSearchProxy withGiven;
        withGiven.setSourceModel(&given);
        CallTreeSearchProxy withOwn;
        withOwn.setSourceModel(&own);
        for (const QString& typed : {QStringLiteral("THUMB"), QStringLiteral("render"),
                                     QStringLiteral("a"), QStringLiteral("[no")}) {
            withGiven.setSearch(typed);
            withOwn.setSearch(typed);
            QVERIFY(withGiven.matchCount() > 0);
            QCOMPARE(withGiven.matchCount(), withOwn.matchCount());
            QCOMPARE(childFrames(withGiven, {}), childFrames(withOwn, {}));
            const std::vector<QModelIndex> opened = withGiven.rowsLeadingToMatches(10);
            const std::vector<QModelIndex> ownOpened = withOwn.rowsLeadingToMatches(10);
            QCOMPARE(opened.size(), ownOpened.size());
            for (std::size_t i = 0; i < opened.size(); ++i) {
                QCOMPARE(text(withGiven, opened[i]), text(withOwn, ownOpened[i]));
            }
        }
        // A tree shown without its index drops the one given with the tree before.
        given.setTree(bottomUpTree());
        QVERIFY(!given.searchIndex());
    }

    void callTreeSearch_searchesANewTreeAsSoonAsTheModelShowsIt() {
        CallTreeModel model;
        model.setTree(bottomUpTree());
        CallTreeSearchProxy searched;
        QAbstractItemModelTester tester(&searched,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        searched.setSourceModel(&model);
        searched.setSortRole(CallTreeModel::kSortRole);
        searched.sort(CallTreeModel::Allocations, Qt::DescendingOrder);
        searched.setSearch(QStringLiteral("render"));
        QCOMPARE(childFrames(searched, {}), QStringList{"renderTile"});
        // The top-down tree of the same stacks: render is now under main, and renderTile (which
        // holds the text too) under render.
        model.setTree(topDownTree());
        QCOMPARE(childFrames(searched, {}), QStringList{"main"});
        const QModelIndex render = searched.index(0, 0, searched.index(0, 0));
        QCOMPARE(text(searched, render), QStringLiteral("render"));
        QVERIFY(searched.matches(render));
        QCOMPARE(childFrames(searched, render), QStringList{"renderTile"});
        QCOMPARE(searched.matchCount(), std::size_t{2});
        model.setTree(nullptr);
        QCOMPARE(searched.rowCount(), 0);
        QCOMPARE(searched.matchCount(), std::size_t{0});
    }
};

QTEST_GUILESS_MAIN(CallTreeModelTest)
#include "CallTreeModelTest.moc"
