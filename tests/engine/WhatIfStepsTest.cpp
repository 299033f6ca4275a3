// WhatIfSteps puts a recording's large buffers and its pool releases into the replay's order:
// every making, free and release in the order of their sequences, as one sorted list of them all
// would give, however the buffers come in chunks and however long they live (freed at once,
// later, much later, never), each free naming the slot its making was given and no slot held
// by two live buffers.

#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "analysis/WhatIfSteps.h"

using namespace poolscope;

namespace {

constexpr std::uint64_t kChunkBytes = 4u << 20;

struct Expected {
    WhatIfStep::Kind kind;
    std::int64_t nanoseconds;
    std::uint64_t buffer;  // its bytes, which tell the buffers apart; 0 for a release
};

}  // namespace

class WhatIfStepsTest : public QObject {
    Q_OBJECT

private slots:
    void steps_comeInTheOrderOfTheirSequences_whateverTheChunksAndLifetimes() {
        std::mt19937_64 random(41);
        std::vector<WhatIfBuffer> buffers;
        std::vector<WhatIfRelease> releases;
        std::set<std::int64_t> used;
        std::map<std::int64_t, Expected> expected;  // by sequence
        std::int64_t made = 0;
        for (std::uint64_t index = 1; index <= 60'000; ++index) {
            made += 1 + static_cast<std::int64_t>(random() % 20);
            while (!used.insert(made).second) {
                ++made;
            }
            WhatIfBuffer buffer;
            buffer.stackId = static_cast<StackId>(random() % 50);
            buffer.bytes = index;  // each buffer's own
            buffer.pieces = 1;
            buffer.madeSequence = made;
            buffer.madeNanoseconds = made;
            const std::uint64_t lifetime = random() % 6;
            if (lifetime < 5) {
                // Freed at once (before the next making, or after it), a little later, much
                // later, or never.
                std::int64_t freed =
                    made + (lifetime == 0   ? 1
                            : lifetime == 1 ? 1 + static_cast<std::int64_t>(random() % 40)
                            : lifetime == 2 ? 1 + static_cast<std::int64_t>(random() % 5'000)
                                            : 1 + static_cast<std::int64_t>(random() % 500'000));
                while (!used.insert(freed).second) {
                    ++freed;
                }
                buffer.freedSequence = freed;
                buffer.freedNanoseconds = freed;
                expected[freed] = {WhatIfStep::Kind::Free, freed, index};
            }
            expected[made] = {WhatIfStep::Kind::Make, made, index};
            buffers.push_back(buffer);
        }
        // Releases among them, some just before a buffer's free.
        std::vector<std::int64_t> releaseSequences;
        for (int i = 0; i < 400; ++i) {
            std::int64_t sequence = 1 + static_cast<std::int64_t>(random() % (made + 1000));
            while (!used.insert(sequence).second) {
                ++sequence;
            }
            releaseSequences.push_back(sequence);
        }
        std::sort(releaseSequences.begin(), releaseSequences.end());
        for (const std::int64_t sequence : releaseSequences) {
            releases.push_back({sequence, sequence});
            expected[sequence] = {WhatIfStep::Kind::Release, sequence, 0};
        }

        // The buffers in chunks of any size from one on; the steps asked for likewise.
        std::size_t at = 0;
        WhatIfSteps steps(
            [&](std::vector<WhatIfBuffer>& chunk, std::size_t) {
                const std::size_t count =
                    std::min<std::size_t>(1 + random() % 3'000, buffers.size() - at);
                chunk.assign(buffers.begin() + static_cast<std::ptrdiff_t>(at),
                             buffers.begin() + static_cast<std::ptrdiff_t>(at + count));
                at += count;
            },
            releases, kChunkBytes);
        std::map<std::uint32_t, std::uint64_t> liveSlots;  // slot: the buffer in it
        auto next = expected.begin();
        std::vector<WhatIfStep> chunk;
        for (steps.next(chunk, 1 + random() % 5'000); !chunk.empty();
             steps.next(chunk, 1 + random() % 5'000)) {
            for (const WhatIfStep& step : chunk) {
                QVERIFY(next != expected.end());
                const Expected& wanted = next->second;
                QCOMPARE(step.kind, wanted.kind);
                QCOMPARE(step.nanoseconds, wanted.nanoseconds);
                if (step.kind == WhatIfStep::Kind::Make) {
                    QCOMPARE(step.bytes, wanted.buffer);
                    QCOMPARE(step.chunks, std::uint64_t{1});
                    QVERIFY(liveSlots.emplace(step.slot, wanted.buffer).second);
                } else if (step.kind == WhatIfStep::Kind::Free) {
                    const auto slot = liveSlots.find(step.slot);
                    QVERIFY(slot != liveSlots.end());
                    QCOMPARE(slot->second, wanted.buffer);
                    liveSlots.erase(slot);
                }
                ++next;
            }
        }
        QVERIFY(next == expected.end());
        // The buffers never freed hold their slots to the end.
        const auto neverFreed = static_cast<std::size_t>(
            std::count_if(buffers.begin(), buffers.end(),
                          [](const WhatIfBuffer& buffer) { return buffer.freedSequence < 0; }));
        QCOMPARE(liveSlots.size(), neverFreed);
        QVERIFY(neverFreed > 1'000);
    }
};

QTEST_GUILESS_MAIN(WhatIfStepsTest)
#include "WhatIfStepsTest.moc"
