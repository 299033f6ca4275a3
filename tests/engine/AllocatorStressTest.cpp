#include <QtTest>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "TestAllocators.h"
#include "diagnostics/MemoryDiagnostics.h"
#include "memory/MemoryAllocator.h"
#include "memory/OsMemory.h"

using namespace poolscope;
using poolscope::testing::tinySettings;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int kOperations = 150'000;  // sanitizers run 5-20x slower; the interleavings still vary
#else
constexpr int kOperations = 1'000'000;
#endif
constexpr int kHeldPerThread = 8;

// What a thread holds: a group whose chunks carry the thread's signature.
struct Held {
    MemoryGroup group;
    std::uint64_t signature = 0;
    std::uint64_t bytes = 0;
    int pooledChunks = 0;
};

void sign(const MemoryGroup& group, std::uint64_t signature) {
    for (int i = 0; i < group.count(); ++i) {
        const std::span<std::byte> chunk = group.chunkBytes(i);
        if (chunk.size() >= 2 * sizeof signature) {
            std::memcpy(chunk.data(), &signature, sizeof signature);
            std::memcpy(chunk.data() + chunk.size() - sizeof signature, &signature,
                        sizeof signature);
        }
    }
}

bool signedBy(const MemoryGroup& group, std::uint64_t signature) {
    for (int i = 0; i < group.count(); ++i) {
        const std::span<std::byte> chunk = group.chunkBytes(i);
        if (chunk.size() >= 2 * sizeof signature) {
            std::uint64_t head = 0;
            std::uint64_t tail = 0;
            std::memcpy(&head, chunk.data(), sizeof head);
            std::memcpy(&tail, chunk.data() + chunk.size() - sizeof tail, sizeof tail);
            if (head != signature || tail != signature) {
                return false;
            }
        }
    }
    return true;
}

}  // namespace

class AllocatorStressTest : public QObject {
    Q_OBJECT

private slots:
    void randomRentReturn_neverSharesChunks_andAccountsExactly_data();
    void randomRentReturn_neverSharesChunks_andAccountsExactly();
};

void AllocatorStressTest::randomRentReturn_neverSharesChunks_andAccountsExactly_data() {
    QTest::addColumn<int>("threads");
    for (int threads : {2, 4, 8, 16}) {
        QTest::addRow("%d threads", threads) << threads;
    }
}

void AllocatorStressTest::randomRentReturn_neverSharesChunks_andAccountsExactly() {
    QFETCH(int, threads);
    // 64 KiB chunks, 48 of them: threads compete for the pool, and groups of up to six chunks
    // fall back to unpooled memory when it runs dry.
    PooledMemoryAllocator allocator(tinySettings(4 * 1024, 64 * 1024, 48, 128 * 1024));
    const auto undisposedBefore = MemoryDiagnostics::totalUndisposedAllocationCount();
    const std::int64_t mappingsBefore = OsMemory::outstandingMappings();
    const LeakMark mark = MemoryDiagnostics::mark();

    std::atomic<int> corrupted{0};
    std::atomic<int> pooledGroups{0};
    std::atomic<int> unpooledGroups{0};
    std::vector<std::vector<Held>> holdings(static_cast<std::size_t>(threads));
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            std::mt19937_64 random(static_cast<std::uint64_t>(t) * 7919 + 1);
            std::vector<Held>& held = holdings[static_cast<std::size_t>(t)];
            const int operations = kOperations / threads;
            for (int op = 0; op < operations; ++op) {
                const bool allocate =
                    held.empty() || (held.size() < kHeldPerThread && random() % 2 == 0);
                if (allocate) {
                    static constexpr std::int64_t kSizes[] = {100,       3000,    40'000,
                                                              64 * 1024, 150'000, 380'000};
                    const std::int64_t width = 100;
                    const std::int64_t bytes = kSizes[random() % std::size(kSizes)] / width * width;
                    Held item;
                    item.group = allocator.allocateGroup(bytes, 1, width);
                    item.signature =
                        (static_cast<std::uint64_t>(t) << 40) | static_cast<std::uint64_t>(op);
                    item.bytes = static_cast<std::uint64_t>(bytes);
                    if (item.group.tier() == MemoryTier::Pooled) {
                        item.pooledChunks = item.group.count();
                        ++pooledGroups;
                    } else if (item.group.tier() == MemoryTier::Unpooled) {
                        ++unpooledGroups;
                    }
                    sign(item.group, item.signature);
                    held.push_back(std::move(item));
                } else {
                    const std::size_t index = random() % held.size();
                    if (!signedBy(held[index].group, held[index].signature)) {
                        ++corrupted;  // another thread was handed the same chunk
                    }
                    held[index].group.dispose();
                    held.erase(held.begin() + static_cast<std::ptrdiff_t>(index));
                }
                if (op % 50'000 == 49'999) {
                    allocator.releaseRetainedResources();  // races with rents and returns
                }
            }
        });
    }
    for (auto& worker : workers) {
        worker.join();
    }
    QCOMPARE(corrupted.load(), 0);
    QVERIFY(pooledGroups.load() > 0);
    QVERIFY(unpooledGroups.load() > 0);

    // Quiescent: what the threads hold is exactly what the pool and the registry say is out.
    std::uint64_t heldBytes = 0;
    int heldPooledChunks = 0;
    for (const auto& held : holdings) {
        for (const Held& item : held) {
            QVERIFY(signedBy(item.group, item.signature));
            heldBytes += item.bytes;
            heldPooledChunks += item.pooledChunks;
        }
    }
    QCOMPARE(allocator.pool().stats().rented, heldPooledChunks);
    std::uint64_t registeredBytes = 0;
    for (const LeakGroup& group : MemoryDiagnostics::leakCheckpoint(mark)) {
        registeredBytes += group.bytes;
    }
    QCOMPARE(registeredBytes, heldBytes);

    holdings.clear();
    QCOMPARE(allocator.pool().stats().rented, 0);
    QVERIFY(MemoryDiagnostics::leakCheckpoint(mark).empty());
    QCOMPARE(MemoryDiagnostics::totalUndisposedAllocationCount(), undisposedBefore);
    const auto stats = allocator.pool().stats();
    QCOMPARE(OsMemory::outstandingMappings() - mappingsBefore, stats.retained);
    QCOMPARE(stats.slotsCreated - stats.chunksFreed, static_cast<std::uint64_t>(stats.retained));
}

QTEST_GUILESS_MAIN(AllocatorStressTest)
#include "AllocatorStressTest.moc"
