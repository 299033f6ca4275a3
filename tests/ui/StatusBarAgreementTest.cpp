// The status bar and the views agree on the same snapshot at every moment of a run: the
// undisposed count and bytes are the leak table's, the unpooled bytes the pool map's strip,
// even while the process-wide undisposed count and the pool's live counters run ahead of the
// allocation table.

#include <QLabel>
#include <QtTest>

#include <vector>

#include "TinyPoolSnapshot.h"
#include "models/DisplayFormat.h"
#include "session/SessionState.h"
#include "views/LeakView.h"
#include "views/PoolMapView.h"
#include "views/SessionStatusBar.h"

using namespace poolscope;
using namespace poolscope::testing;

class StatusBarAgreementTest : public QObject {
    Q_OBJECT

private slots:
    void statusBar_agreesWithTheLeakTableAndThePoolMap_atEveryMomentOfARun() {
        SessionState state({}, 0);
        state.followPool(kSource, 8, kChunk);
        SessionStatusBar status;
        PoolMapView pool;
        LeakView leaks;
        pool.resize(600, 400);
        leaks.resize(900, 400);
        auto* leakStatus = leaks.findChild<QLabel*>(QStringLiteral("leakStatus"));
        QVERIFY(leakStatus != nullptr);

        // Each moment adds an unpooled and a pooled allocation and frees an earlier one; the
        // process-wide count (other allocators of the process) says something else entirely.
        std::int64_t now = 0;
        AllocationId next = 100;
        std::vector<AllocationId> unpooled;
        for (int moment = 0; moment < 6; ++moment) {
            const AllocationId big = next++;
            state.apply(allocationEvent(MemoryEventKind::UnpooledAllocate, big, -1,
                                        (moment + 1) * 8u * kChunk, 0, 1, 0x40000000 + big));
            unpooled.push_back(big);
            state.apply(allocationEvent(MemoryEventKind::Rent, next++, moment % 8, kChunk, 0, 1,
                                        0x10000000 + moment));
            if (moment >= 2) {
                const AllocationId freed = unpooled[static_cast<std::size_t>(moment - 2)];
                state.apply(allocationEvent(MemoryEventKind::UnpooledFree, freed, -1,
                                            (moment - 1) * 8u * kChunk, 0, 1, 0x40000000 + freed));
            }
            state.setUndisposedAllocations(3 + moment * 7);
            // Every other moment comes before the allocation table's next refresh: its rows
            // are older than the pool's counters.
            now += moment % 2 == 0 ? SessionState::kAllocationTableIntervalNanoseconds : 1'000;
            const auto snapshot = state.takeSnapshot(now);

            status.showSnapshot(*snapshot);
            pool.setSnapshot(snapshot);
            leaks.setSnapshot(snapshot);
            const int rows = leaks.visibleRowCount();
            QCOMPARE(rows, static_cast<int>(snapshot->allocations->rows.size()));
            QVERIFY2(status.text().contains(QStringLiteral("%L1 undisposed").arg(rows)),
                     qPrintable(status.text()));
            // The leak table's bytes, the status bar's unpooled bytes and the pool map's strip.
            QVERIFY2(
                leakStatus->text().contains(DisplayFormat::bytes(snapshot->allocations->bytes) +
                                            QStringLiteral(" live")),
                qPrintable(leakStatus->text()));
            const QString unpooledBytes =
                DisplayFormat::bytes(snapshot->allocations->unpooledBytes);
            QVERIFY2(status.text().endsWith(QStringLiteral("unpooled ") + unpooledBytes),
                     qPrintable(status.text()));
            QVERIFY2(pool.unpooledText().endsWith(unpooledBytes), qPrintable(pool.unpooledText()));
        }
    }
};

QTEST_MAIN(StatusBarAgreementTest)
#include "StatusBarAgreementTest.moc"
