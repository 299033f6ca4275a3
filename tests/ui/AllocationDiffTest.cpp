// The difference of two snapshots' allocation tables, A before B: what B holds that A did not,
// with its chunks and bytes, and how many of A's allocations were gone by B.

#include <QtTest>

#include <initializer_list>

#include "models/AllocationDiff.h"

using namespace poolscope;

namespace {

// Allocation `id` of `id` KiB in `id % 3 + 1` chunks, whose slots number the id and the chunk.
AllocationTable tableOf(std::initializer_list<AllocationId> ids, std::int64_t time) {
    AllocationTable table;
    table.timeNanoseconds = time;
    for (const AllocationId id : ids) {
        LiveAllocation row;
        row.id = id;
        row.bytes = id * 1024;
        row.firstChunk = static_cast<std::uint32_t>(table.chunks.size());
        row.chunkCount = static_cast<std::uint32_t>(id % 3 + 1);
        for (std::uint32_t chunk = 0; chunk < row.chunkCount; ++chunk) {
            table.chunks.push_back({static_cast<std::int32_t>(id * 10 + chunk), 1024, 0});
        }
        table.rows.push_back(row);
    }
    return table;
}

}  // namespace

class AllocationDiffTest : public QObject {
    Q_OBJECT

private slots:
    void diff_holdsTheAllocationsOfBThatAHadNot() {
        const AllocationDiff diff(tableOf({1, 2, 4, 6}, 10), tableOf({2, 3, 4, 5, 7}, 20));
        const AllocationTable& table = *diff.newAllocations();
        QCOMPARE(table.rows.size(), std::size_t{3});
        QCOMPARE(table.rows[0].id, AllocationId{3});
        QCOMPARE(table.rows[1].id, AllocationId{5});
        QCOMPARE(table.rows[2].id, AllocationId{7});
        QCOMPARE(table.timeNanoseconds, std::int64_t{20});
        QCOMPARE(diff.newBytes(), std::uint64_t{(3 + 5 + 7) * 1024});
    }

    void diff_copiesEachNewAllocationsOwnChunks() {
        const AllocationDiff diff(tableOf({1}, 0), tableOf({1, 5, 8}, 0));
        const AllocationTable& table = *diff.newAllocations();
        QCOMPARE(table.chunks.size(), std::size_t{3 + 3});
        for (const LiveAllocation& row : table.rows) {
            for (std::uint32_t chunk = 0; chunk < row.chunkCount; ++chunk) {
                QCOMPARE(table.chunks[row.firstChunk + chunk].slot,
                         static_cast<std::int32_t>(row.id * 10 + chunk));
            }
        }
    }

    void diff_countsAsAllocationsGoneByB() {
        const AllocationDiff diff(tableOf({1, 2, 4, 6}, 0), tableOf({2, 3, 4, 5}, 0));
        QCOMPARE(diff.freedCount(), std::size_t{2});
    }

    void diff_ofEqualTablesIsEmpty() {
        const AllocationDiff diff(tableOf({1, 2, 3}, 0), tableOf({1, 2, 3}, 0));
        QVERIFY(diff.newAllocations()->rows.empty());
        QVERIFY(diff.newAllocations()->chunks.empty());
        QCOMPARE(diff.newBytes(), std::uint64_t{0});
        QCOMPARE(diff.freedCount(), std::size_t{0});
    }
};

QTEST_MAIN(AllocationDiffTest)
#include "AllocationDiffTest.moc"
