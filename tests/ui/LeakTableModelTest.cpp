// LeakTableModel and LeakFilterProxyModel: pass QAbstractItemModelTester with real and changing
// data, sort on raw values, and filter by text, size, time, suppressed stack and checkpoint.

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QStringListModel>
#include <QtTest>

#include <memory>
#include <set>
#include <vector>

#include "UiTestSupport.h"
#include "models/LeakFilterProxyModel.h"
#include "models/LeakTableModel.h"
#include "scenarios/LeakHuntScenario.h"

using namespace poolscope;

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::int64_t kOrigin = 1'000'000'000;

// Three stacks, two tags; sizes whose text order differs from their numeric order.
struct HandMadeData {
    std::shared_ptr<AllocationTable> table = std::make_shared<AllocationTable>();
    std::shared_ptr<StackCatalog> stacks = std::make_shared<StackCatalog>();
};

HandMadeData handMadeData() {
    HandMadeData data;
    data.stacks->stacks[1] = {{"cacheThumbnail", "cache.cpp", 10, "libapp.so", 0x10},
                              {"main", "main.cpp", 3, "app", 0x11}};
    data.stacks->stacks[2] = {{"decodePng", "png.cpp", 20, "libapp.so", 0x20},
                              {"main", "main.cpp", 4, "app", 0x21}};
    data.stacks->stacks[3] = {{"allocateScratch", "scratch.cpp", 30, "libapp.so", 0x30}};
    data.stacks->tagNames[1] = "thumbnails";
    data.stacks->tagNames[2] = "decoder";
    const struct {
        std::uint64_t bytes;
        StackId stack;
        std::uint16_t tag;
        MemoryTier tier;
        double seconds;
    } rows[] = {
        {9, 3, 0, MemoryTier::Small, 0.5},            // id 1
        {10 * kMiB, 1, 1, MemoryTier::Pooled, 1.0},   // id 2
        {100, 3, 0, MemoryTier::Small, 1.5},          // id 3
        {2 * kMiB, 2, 2, MemoryTier::Unpooled, 2.0},  // id 4
        {4 * kMiB, 1, 1, MemoryTier::Pooled, 2.5},    // id 5
        {8 * kMiB, 2, 2, MemoryTier::Pooled, 3.0},    // id 6
    };
    AllocationId id = 0;
    for (const auto& row : rows) {
        LiveAllocation allocation;
        allocation.id = ++id;
        allocation.bytes = row.bytes;
        allocation.stackId = row.stack;
        allocation.tagId = row.tag;
        allocation.tier = row.tier;
        allocation.threadId = static_cast<std::uint32_t>(100 + id % 2);
        allocation.createdNanoseconds = kOrigin + static_cast<std::int64_t>(row.seconds * 1e9);
        if (id == 6) {
            allocation.imageWidth = 1024;
            allocation.imageHeight = 768;
            allocation.pixelType = PixelTypeId::Rgba32;
        }
        data.table->rows.push_back(allocation);
    }
    data.table->timeNanoseconds = kOrigin + 4'000'000'000;
    return data;
}

std::vector<AllocationId> proxyIds(const LeakFilterProxyModel& proxy) {
    std::vector<AllocationId> ids;
    for (int row = 0; row < proxy.rowCount(); ++row) {
        ids.push_back(proxy.index(row, 0).data(LeakTableModel::AllocationIdRole).value<quint64>());
    }
    return ids;
}

}  // namespace

class LeakTableModelTest : public QObject {
    Q_OBJECT

private slots:
    void model_passesTheModelTesterWithScenarioDataAndATableChange() {
        const auto first = testing::runScenarioSession(
            "leak-hunt",
            {{"cached-images", "2"}, {"clean-images", "1"}, {"width", "256"}, {"height", "256"}});
        const auto second = testing::runScenarioSession("leak-hunt", {{"cached-images", "4"},
                                                                      {"subscribers", "2"},
                                                                      {"clean-images", "1"},
                                                                      {"width", "128"},
                                                                      {"height", "128"}});
        LeakTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setData(first.snapshot->allocations, first.snapshot->stacks, 0);
        QVERIFY(model.rowCount() > 0);
        for (int row = 0; row < model.rowCount(); ++row) {
            for (int column = 0; column < model.columnCount(); ++column) {
                QVERIFY(model.index(row, column).data().isValid());
            }
        }
        model.setData(second.snapshot->allocations, second.snapshot->stacks, 0);
        QCOMPARE(model.rowCount(), static_cast<int>(second.snapshot->allocations->rows.size()));
        model.setData(nullptr, nullptr, 0);
        QCOMPARE(model.rowCount(), 0);
    }

    void sameTableWithALaterTime_onlyAnnouncesNewText() {
        const HandMadeData data = handMadeData();
        LeakTableModel model;
        model.setData(data.table, data.stacks, kOrigin + 4'000'000'000);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy text(&model, &LeakTableModel::textChanged);
        const QModelIndex age = model.index(0, LeakTableModel::AgeColumn);
        QCOMPARE(age.data().toString(), QStringLiteral("3.5 s"));
        model.setData(data.table, data.stacks, kOrigin + 10'500'000'000);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(text.count(), 1);
        QCOMPARE(age.data().toString(), QStringLiteral("10.0 s"));
        model.setData(std::make_shared<AllocationTable>(*data.table), data.stacks, 0);
        QCOMPARE(resets.count(), 1);
    }

    void cells_showWhatTheRowHolds() {
        const HandMadeData data = handMadeData();
        LeakTableModel model;
        model.setData(data.table, data.stacks, data.table->timeNanoseconds);
        const int row = model.rowOfAllocation(6);
        QCOMPARE(row, 5);
        QCOMPARE(model.index(row, LeakTableModel::ImageColumn).data().toString(),
                 QStringLiteral("1024x768 Rgba32"));
        QCOMPARE(model.index(row, LeakTableModel::TagColumn).data().toString(),
                 QStringLiteral("decoder"));
        QVERIFY(model.index(row, LeakTableModel::TopFrameColumn)
                    .data()
                    .toString()
                    .startsWith(QStringLiteral("decodePng (png.cpp:20)")));
        QCOMPARE(model.index(row, LeakTableModel::TierColumn).data().toString(),
                 QStringLiteral("pooled"));
        QCOMPARE(model.index(row, 0).data(LeakTableModel::BytesRole).value<quint64>(), 8 * kMiB);
        QCOMPARE(model.rowOfAllocation(99), -1);
    }

    void proxy_passesTheModelTesterThroughSortsAndFilters() {
        const auto run = testing::runScenarioSession("leak-hunt", {{"cached-images", "3"},
                                                                   {"subscribers", "2"},
                                                                   {"never-disposed", "2"},
                                                                   {"clean-images", "1"},
                                                                   {"width", "256"},
                                                                   {"height", "128"}});
        LeakTableModel model;
        LeakFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setData(run.snapshot->allocations, run.snapshot->stacks, 0);
        const int all = proxy.rowCount();
        QVERIFY(all > 0);
        for (int column = 0; column < LeakTableModel::ColumnCount; ++column) {
            proxy.sort(column, Qt::AscendingOrder);
            proxy.sort(column, Qt::DescendingOrder);
        }
        proxy.setTextFilter(QString::fromLatin1(LeakHuntScenario::kForgottenCacheTag));
        QVERIFY(proxy.rowCount() > 0);
        QVERIFY(proxy.rowCount() < all);
        proxy.setTextFilter(QString());
        QCOMPARE(proxy.rowCount(), all);
        const auto hand = handMadeData();
        model.setData(hand.table, hand.stacks, hand.table->timeNanoseconds);
        QCOMPARE(proxy.rowCount(), 6);
    }

    void proxy_sortsBySizeNumericallyNotByText() {
        const HandMadeData data = handMadeData();
        LeakTableModel model;
        LeakFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        model.setData(data.table, data.stacks, data.table->timeNanoseconds);
        proxy.sort(LeakTableModel::SizeColumn, Qt::AscendingOrder);
        QCOMPARE(proxyIds(proxy), (std::vector<AllocationId>{1, 3, 4, 5, 6, 2}));
        proxy.sort(LeakTableModel::AgeColumn, Qt::AscendingOrder);  // youngest first
        QCOMPARE(proxyIds(proxy), (std::vector<AllocationId>{6, 5, 4, 3, 2, 1}));
    }

    void proxy_sortsTextColumnsByNameWithIdOrderAmongEquals() {
        const HandMadeData data = handMadeData();
        LeakTableModel model;
        LeakFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        model.setData(data.table, data.stacks, data.table->timeNanoseconds);
        proxy.sort(LeakTableModel::TopFrameColumn, Qt::AscendingOrder);
        // allocateScratch (1, 3), cacheThumbnail (2, 5), decodePng (4, 6)
        QCOMPARE(proxyIds(proxy), (std::vector<AllocationId>{1, 3, 2, 5, 4, 6}));
        proxy.sort(LeakTableModel::TagColumn, Qt::AscendingOrder);
        // "" (1, 3), decoder (4, 6), thumbnails (2, 5)
        QCOMPARE(proxyIds(proxy), (std::vector<AllocationId>{1, 3, 4, 6, 2, 5}));
    }

    void proxy_filtersByTextSizeTimeSuppressionAndCheckpoint() {
        const HandMadeData data = handMadeData();
        LeakTableModel model;
        LeakFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(LeakTableModel::IdColumn, Qt::AscendingOrder);
        model.setData(data.table, data.stacks, data.table->timeNanoseconds);

        proxy.setTextFilter(QStringLiteral("THUMB"));  // tag and top frame, any case
        QCOMPARE(proxyIds(proxy), (std::vector<AllocationId>{2, 5}));
        proxy.setTextFilter(QStringLiteral("unpooled"));  // tier
        QCOMPARE(proxyIds(proxy), (std::vector<AllocationId>{4}));
        proxy.setTextFilter(QStringLiteral("scratch"));  // top frame only
        QCOMPARE(proxyIds(proxy), (std::vector<AllocationId>{1, 3}));
        proxy.setTextFilter(QString());

        proxy.setMinimumBytes(4 * kMiB);
        QCOMPARE(proxyIds(proxy), (std::vector<AllocationId>{2, 5, 6}));
        proxy.setMinimumBytes(0);

        proxy.setTimeRange(1.2, 2.6, kOrigin);
        QCOMPARE(proxyIds(proxy), (std::vector<AllocationId>{3, 4, 5}));
        proxy.clearTimeRange();

        proxy.setSuppressedSignatures({LeakTableModel::stackSignature(data.stacks->stacks.at(2))});
        QCOMPARE(proxyIds(proxy), (std::vector<AllocationId>{1, 2, 3, 5}));
        QVERIFY(!proxy.acceptsSourceRow(3));
        proxy.setSuppressedSignatures({});

        proxy.setCheckpointMark(4);
        QCOMPARE(proxyIds(proxy), (std::vector<AllocationId>{5, 6}));
        proxy.setCheckpointMark(0);
        QCOMPARE(proxy.rowCount(), 6);
    }

    void proxy_rejectsASourceThatIsNotALeakTable() {
        LeakFilterProxyModel proxy;
        QStringListModel other;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, proxy.setSourceModel(&other));
    }
};

QTEST_MAIN(LeakTableModelTest)
#include "LeakTableModelTest.moc"
