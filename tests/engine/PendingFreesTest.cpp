// PendingFrees, the what-if replay's queue of buffers waiting to be freed, gives them back in the
// order of their sequences, as a sorted list of every free would, however makings and frees
// interleave: short-lived buffers freed before the earliest one pending, long-lived ones far
// ahead, and a damaged list's free before its making, which comes next. A free that comes before
// every pending one is told apart, so that it need not wait among them.

#include <QtTest>

#include <cstdint>
#include <random>
#include <set>
#include <unordered_set>
#include <utility>

#include "analysis/PendingFrees.h"

using namespace poolscope;

class PendingFreesTest : public QObject {
    Q_OBJECT

private slots:
    void frees_comeInTheOrderOfTheirSequences_whateverTheirLifetimes() {
        std::mt19937_64 random(23);
        PendingFrees pending;
        std::set<std::pair<std::int64_t, std::uint32_t>> expected;
        std::unordered_set<std::int64_t> used;
        std::int64_t now = 0;  // the sequence of the last step
        std::uint32_t slot = 0;
        std::uint64_t taken = 0;
        for (int step = 0; step < 200'000; ++step) {
            // The replay asks for the earliest before every step.
            if (!expected.empty()) {
                QCOMPARE(pending.nextSequence(), expected.begin()->first);
            }
            // A making as often as a free: freed a step or two later, or thousands, or
            // millions of events later.
            if (expected.empty() || random() % 2 == 0) {
                ++now;
                const std::uint64_t lifetime = random() % 4 == 0   ? 1 + random() % 3
                                               : random() % 2 == 0 ? 1 + random() % 5'000
                                                                   : 1 + random() % 5'000'000;
                // Each event frees one buffer at most: sequences are unique.
                std::int64_t freedAt = now + static_cast<std::int64_t>(lifetime) * 7;
                while (!used.insert(freedAt).second) {
                    ++freedAt;
                }
                pending.add(freedAt, slot);
                expected.emplace(freedAt, slot);
                ++slot;
                continue;
            }
            QVERIFY(!pending.empty());
            const auto earliest = *expected.begin();
            QCOMPARE(pending.nextSequence(), earliest.first);
            QCOMPARE(pending.take(), earliest.second);
            expected.erase(expected.begin());
            now = earliest.first;
            ++taken;
        }
        while (!expected.empty()) {
            QCOMPARE(pending.nextSequence(), expected.begin()->first);
            QCOMPARE(pending.take(), expected.begin()->second);
            expected.erase(expected.begin());
        }
        QVERIFY(pending.empty());
        QVERIFY(taken > 10'000);
    }

    void aFreeBeforeTheLastOneTaken_isTakenNext() {
        PendingFrees pending;
        pending.add(100, 1);
        pending.add(200, 2);
        QCOMPARE(pending.take(), std::uint32_t{1});
        pending.add(50, 3);  // a damaged list's: freed before the free just taken
        QCOMPARE(pending.nextSequence(), std::int64_t{100});
        QCOMPARE(pending.take(), std::uint32_t{3});
        QCOMPARE(pending.take(), std::uint32_t{2});
        QVERIFY(pending.empty());
    }

    void aFreeFreesFirst_onlyBeforeEveryPendingOneAndNotBeforeTheLastTaken() {
        PendingFrees pending;
        QVERIFY(pending.freesFirst(0));  // nothing pending, nothing taken
        pending.add(100, 1);
        pending.add(200, 2);
        QVERIFY(pending.freesFirst(99));
        QVERIFY(!pending.freesFirst(100));  // a tie waits for the one pending
        QVERIFY(!pending.freesFirst(150));
        pending.freedNow(99);  // taken without waiting: later frees are measured from it
        QVERIFY(!pending.freesFirst(98));
        QCOMPARE(pending.take(), std::uint32_t{1});
        QVERIFY(!pending.freesFirst(99));  // before the free taken last
        QVERIFY(pending.freesFirst(150));
        pending.freedNow(150);
        // A damaged list's free before it is still taken next, as it was before.
        pending.add(120, 3);
        QCOMPARE(pending.nextSequence(), std::int64_t{150});
        QCOMPARE(pending.take(), std::uint32_t{3});
        QCOMPARE(pending.take(), std::uint32_t{2});
        QVERIFY(pending.empty());
    }
};

QTEST_GUILESS_MAIN(PendingFreesTest)
#include "PendingFreesTest.moc"
