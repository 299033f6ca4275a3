// FlatIdMap, the analyses' map of ids, holds what a std::unordered_map given the same inserts
// and erases holds, whatever the order the ids come and go in; cleared, it holds nothing.

#include <QtTest>

#include <cstdint>
#include <random>
#include <unordered_map>

#include "analysis/FlatIdMap.h"

using namespace poolscope;

class FlatIdMapTest : public QObject {
    Q_OBJECT

private slots:
    void map_holdsWhatAnUnorderedMapHoldsThroughInsertsAndErases() {
        std::mt19937_64 random(16);
        FlatIdMap<std::uint64_t> map;
        std::unordered_map<std::uint64_t, std::uint64_t> expected;
        std::uint64_t nextId = 0;  // 0 is an id as well
        for (int step = 0; step < 200'000; ++step) {
            // Rising ids as allocation ids are, with a live set that grows and shrinks, and
            // now and then a key far from the others.
            const bool grow = (step / 20'000) % 2 == 0;
            if (expected.empty() || random() % 100 < (grow ? 60u : 35u)) {
                const std::uint64_t key = random() % 50 == 0 ? random() : nextId++;
                const std::uint64_t value = random();
                const auto [found, made] = map.tryEmplace(key, value);
                const auto [reference, referenceMade] = expected.try_emplace(key, value);
                QCOMPARE(made, referenceMade);
                QCOMPARE(*found, reference->second);
            } else {
                auto victim = expected.begin();
                std::advance(victim, static_cast<std::ptrdiff_t>(
                                         random() % std::min<std::size_t>(expected.size(), 8)));
                map.erase(victim->first);
                expected.erase(victim);
            }
            QCOMPARE(map.size(), expected.size());
        }
        for (const auto& [key, value] : expected) {
            const std::uint64_t* found = map.find(key);
            QVERIFY(found != nullptr);
            QCOMPARE(*found, value);
        }
        std::size_t visited = 0;
        map.forEach([&](std::uint64_t key, std::uint64_t value) {
            ++visited;
            QCOMPARE(expected.at(key), value);
        });
        QCOMPARE(visited, expected.size());
        QVERIFY(map.find(nextId + 1) == nullptr);
    }

    void clear_leavesNoEntry_andTheMapTakesNewOnes() {
        FlatIdMap<std::uint64_t> map;
        for (std::uint64_t key = 1; key <= 1000; ++key) {
            map.tryEmplace(key, key * 2);
        }
        map.clear();
        QCOMPARE(map.size(), std::size_t{0});
        QVERIFY(map.find(1) == nullptr);
        QVERIFY(map.find(1000) == nullptr);
        std::size_t visited = 0;
        map.forEach([&visited](std::uint64_t, std::uint64_t) { ++visited; });
        QCOMPARE(visited, std::size_t{0});
        const auto [value, made] = map.tryEmplace(500, 7);
        QVERIFY(made);
        QCOMPARE(*value, std::uint64_t{7});
        QCOMPARE(map.size(), std::size_t{1});
    }
};

QTEST_GUILESS_MAIN(FlatIdMapTest)
#include "FlatIdMapTest.moc"
