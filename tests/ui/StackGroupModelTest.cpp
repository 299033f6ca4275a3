// StackGroupModel: passes QAbstractItemModelTester with real and changing data, orders stacks
// by bytes, limits the allocations shown under a stack, and finds an allocation's row.

#include <QAbstractItemModelTester>
#include <QtTest>

#include <memory>
#include <set>

#include "UiTestSupport.h"
#include "models/StackGroupModel.h"

using namespace poolscope;

namespace {

// `count` allocations spread over stacks 1..stacks, stack s holding allocations of s MiB.
std::shared_ptr<AllocationTable> tableOf(int count, int stacks) {
    auto table = std::make_shared<AllocationTable>();
    for (int i = 0; i < count; ++i) {
        LiveAllocation row;
        row.id = static_cast<AllocationId>(i + 1);
        row.stackId = static_cast<StackId>(i % stacks + 1);
        row.bytes = std::uint64_t{row.stackId} << 20;
        table->rows.push_back(row);
    }
    return table;
}

std::shared_ptr<StackCatalog> catalogOf(int stacks) {
    auto catalog = std::make_shared<StackCatalog>();
    for (int s = 1; s <= stacks; ++s) {
        catalog->stacks[static_cast<StackId>(s)] = {
            {"makeBuffer" + std::to_string(s), "buffer.cpp", s, {}, 0}};
    }
    return catalog;
}

}  // namespace

class StackGroupModelTest : public QObject {
    Q_OBJECT

private slots:
    void model_passesTheModelTesterWithScenarioDataAndChanges() {
        const auto run = testing::runScenarioSession("leak-hunt", {{"cached-images", "3"},
                                                                   {"subscribers", "2"},
                                                                   {"clean-images", "1"},
                                                                   {"width", "256"},
                                                                   {"height", "256"}});
        StackGroupModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setData(run.snapshot->allocations, run.snapshot->stacks);
        QVERIFY(model.groupCount() > 0);
        int grouped = 0;
        for (int g = 0; g < model.groupCount(); ++g) {
            grouped += static_cast<int>(model.groupAt(g).rows.size());
        }
        QCOMPARE(grouped, static_cast<int>(run.snapshot->allocations->rows.size()));
        model.setChildLimit(1);
        model.setData(tableOf(50, 4), catalogOf(4), [](int row) { return row % 2 == 0; });
        QCOMPARE(model.groupCount(), 2);  // even rows hold stacks 1 and 3 only
        model.setData(nullptr, nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void stackGroupModel_marksInlinedFramesAndShortensTemplatesWhenAsked() {
        auto catalog = std::make_shared<StackCatalog>();
        const Frame inlined{"fill<std::vector<int, std::allocator<int> > >(int)",
                            "fill.h",
                            7,
                            "app",
                            0x40,
                            0x10,
                            true};
        const Frame caller{
            "render<Rgba32>(Image<Rgba32>&)", "render.cpp", 30, "app", 0x40, 0x10, false};
        catalog->stacks[1] = {inlined, caller};
        StackGroupModel model;
        model.setData(tableOf(1, 1), catalog);
        const QString full = model.index(0, 0).data().toString();
        QVERIFY2(full.contains(QStringLiteral("fill<std::vector<int")), qPrintable(full));
        QVERIFY2(full.contains(QStringLiteral("[inlined]")), qPrintable(full));
        QCOMPARE(model.functionText(inlined),
                 QStringLiteral("fill<std::vector<int, std::allocator<int> > >(int) [inlined]"));
        QCOMPARE(model.functionText(caller), QStringLiteral("render<Rgba32>(Image<Rgba32>&)"));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setShortenTemplateArguments(true);
        QCOMPARE(changed.size(), 1);
        const QString shortened = model.index(0, 0).data().toString();
        QVERIFY2(shortened.startsWith(QStringLiteral("fill<…>")), qPrintable(shortened));
        QVERIFY2(shortened.contains(QStringLiteral("render<…>")), qPrintable(shortened));
        QCOMPARE(model.functionText(inlined), QStringLiteral("fill<…>(int) [inlined]"));
        QCOMPARE(model.functionText(caller), QStringLiteral("render<…>(Image<…>&)"));
    }

    void groups_areOrderedByBytesWithCounts() {
        StackGroupModel model;
        model.setData(tableOf(10, 3), catalogOf(3));
        // stack 1: ids 1,4,7,10 (4 MiB); stack 2: 2,5,8 (6 MiB); stack 3: 3,6,9 (9 MiB)
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, 0).data(StackGroupModel::StackIdRole).value<quint32>(), 3u);
        QCOMPARE(model.index(1, 0).data(StackGroupModel::StackIdRole).value<quint32>(), 2u);
        QCOMPARE(model.index(2, 0).data(StackGroupModel::StackIdRole).value<quint32>(), 1u);
        QCOMPARE(model.index(2, StackGroupModel::CountColumn).data().toString(),
                 QStringLiteral("4"));
        QCOMPARE(model.index(0, 0).data(StackGroupModel::BytesRole).value<quint64>(),
                 std::uint64_t{9} << 20);
        QVERIFY(model.index(0, 0).data().toString().startsWith(QStringLiteral("makeBuffer3")));
        const QModelIndex firstChild = model.index(0, 0, model.index(2, 0));
        QCOMPARE(model.allocationAt(firstChild), std::optional<AllocationId>(1));
    }

    void group_showsAMoreRowPastTheChildLimit() {
        StackGroupModel model;
        model.setChildLimit(5);
        model.setData(tableOf(12, 1), catalogOf(1));
        const QModelIndex stack = model.index(0, 0);
        QCOMPARE(model.rowCount(stack), 6);
        const QModelIndex more = model.index(5, 0, stack);
        QVERIFY(more.data(StackGroupModel::MoreRowRole).toBool());
        QCOMPARE(more.data().toString(), QStringLiteral("+7 more"));
        QVERIFY(!model.allocationAt(more).has_value());
        QCOMPARE(model.stackAt(more), std::optional<StackId>(1));
    }

    void model_findsTheRowOfAnAllocation() {
        StackGroupModel model;
        model.setChildLimit(2);
        model.setData(tableOf(10, 2), catalogOf(2));
        const QModelIndex found = model.indexOfAllocation(4);  // stack 2: ids 2, 4, 6, 8, 10
        QVERIFY(found.isValid());
        QCOMPARE(found.row(), 1);
        QCOMPARE(model.allocationAt(found), std::optional<AllocationId>(4));
        QVERIFY(!model.indexOfAllocation(6).isValid());   // past the limit
        QVERIFY(!model.indexOfAllocation(99).isValid());  // not live
    }
};

QTEST_MAIN(StackGroupModelTest)
#include "StackGroupModelTest.moc"
