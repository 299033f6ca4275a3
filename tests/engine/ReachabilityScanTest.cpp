#include <QtTest>

#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "native/ReachabilityScan.h"

using namespace poolscope;

namespace {

// Roots of this process for the scan: a global that points at a block, which points at another.
// Thread-local roots: one of this (the main) thread, one of a thread parked during the scan.
thread_local void* volatile tHeld = nullptr;

// Volatile: a global nothing reads is otherwise removed by the optimizer, store and all, and the
// scan then finds the block only if some stale copy of its address happens to lie in a root.
void* volatile gHeld = nullptr;

}  // namespace

class ReachabilityScanTest : public QObject {
    Q_OBJECT

private slots:
    void parseMaps_readsRangesPermissionsAndPaths() {
        const std::vector<ReachabilityScan::Region> regions = ReachabilityScan::parseMaps(
            "55d0-55e0 r--p 00000000 08:01 12 /usr/bin/tool\n"
            "55e0-55f0 rw-p 00001000 08:01 12 /usr/bin/tool\n"
            "55f0-5600 rw-p 00000000 00:00 0 \n"
            "7ff0-8000 rw-p 00000000 00:00 0                          [stack]\n");
        QCOMPARE(regions.size(), std::size_t{4});
        QCOMPARE(regions[1].start, std::uint64_t{0x55e0});
        QCOMPARE(regions[1].end, std::uint64_t{0x55f0});
        QVERIFY(regions[1].writable);
        QVERIFY(!regions[0].writable);
        QCOMPARE(regions[1].path, std::string("/usr/bin/tool"));
        QVERIFY(regions[2].path.empty());
        QCOMPARE(regions[3].path, std::string("[stack]"));
    }

    void roots_areModuleDataAndBssNotHeapStackOrTheInterposer() {
        const std::vector<ReachabilityScan::Region> regions = ReachabilityScan::parseMaps(
            "1000-2000 r--p 00000000 08:01 12 /usr/bin/tool\n"
            "2000-3000 rw-p 00001000 08:01 12 /usr/bin/tool\n"
            "3000-4000 rw-p 00000000 00:00 0 \n"
            "5000-6000 rw-p 00000000 00:00 0 [heap]\n"
            "7000-8000 rw-p 00000000 00:00 0 \n"
            "8000-9000 rw-p 00001000 08:01 13 /opt/lib/libpoolscope_preload.so\n"
            "9000-a000 rw-p 00000000 00:00 0 \n"
            "b000-c000 rw-p 00000000 08:01 14 /usr/lib/libz.so\n"
            "c000-d000 rw-p 00000000 00:00 0 \n"
            "f000-10000 rw-p 00000000 00:00 0 [stack]\n");
        // The anonymous region after libz holds libz's bss and, merged into it by the kernel,
        // a mapping the program made: the bss around it is a root, the mapping is not.
        const std::vector<ReachabilityScan::Block> blocks{{0xc100, 0x200, 1}};
        const std::vector<ReachabilityScan::Region> roots =
            ReachabilityScan::roots(regions, blocks, 0x5000);
        std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
        for (const ReachabilityScan::Region& root : roots) {
            ranges.emplace_back(root.start, root.end);
        }
        QCOMPARE(ranges, (std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0x2000, 0x3000},
                                                                               {0x3000, 0x4000},
                                                                               {0xb000, 0xc000},
                                                                               {0xc000, 0xc100},
                                                                               {0xc300, 0xd000}}));
    }

    void roots_holdTheBssPartOfAHeapGrownStraightOutOfIt() {
        // Address randomization off: the brk heap starts right at the end of the executable's
        // bss, and /proc lists bss and heap as one "[heap]" region.
        const std::vector<ReachabilityScan::Region> regions = ReachabilityScan::parseMaps(
            "1000-2000 r--p 00000000 08:01 12 /usr/bin/tool\n"
            "2000-3000 rw-p 00001000 08:01 12 /usr/bin/tool\n"
            "3000-9000 rw-p 00000000 00:00 0 [heap]\n"
            "f000-10000 rw-p 00000000 00:00 0 [stack]\n");
        const std::vector<ReachabilityScan::Block> blocks{{0x5010, 16, 1}};
        const std::vector<ReachabilityScan::Region> roots =
            ReachabilityScan::roots(regions, blocks, 0x5000);
        QCOMPARE(roots.size(), std::size_t{2});
        QCOMPARE(roots[0].start, std::uint64_t{0x2000});
        QCOMPARE(roots[1].start, std::uint64_t{0x3000});
        QCOMPARE(roots[1].end, std::uint64_t{0x5000});
        // Where the heap was moved away, none of it is a root.
        QCOMPARE(ReachabilityScan::roots(regions, blocks, 0x3000).size(), std::size_t{1});
    }

    void reachable_followsGlobalsThroughBlocksAndNotTheStack() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        // The scan reads a launched program, which never carries a sanitizer runtime (the
        // interposer must be the first library loaded); a sanitizer's allocator and shadow
        // mappings (terabytes of them under TSan) are not such a program's layout, so this
        // process cannot stand in for one.
        QSKIP("the scan of this process is meaningless under a sanitizer's memory layout");
#endif
        auto* outer = static_cast<void**>(std::malloc(64));
        void* inner = std::malloc(32);
        void* lost = std::malloc(48);
        outer[0] = static_cast<char*>(inner) + 4;  // a pointer into a block holds it
        gHeld = outer;
        const std::vector<AllocationId> reached =
            ReachabilityScan::reachable(::getpid(),
                                        {{reinterpret_cast<std::uint64_t>(outer), 64, 1},
                                         {reinterpret_cast<std::uint64_t>(inner), 32, 2},
                                         {reinterpret_cast<std::uint64_t>(lost), 48, 3}},
                                        {});
        QVERIFY(std::find(reached.begin(), reached.end(), AllocationId{1}) != reached.end());
        QVERIFY(std::find(reached.begin(), reached.end(), AllocationId{2}) != reached.end());
        QVERIFY(std::find(reached.begin(), reached.end(), AllocationId{3}) == reached.end());
        gHeld = nullptr;
        std::free(outer);
        std::free(inner);
        std::free(lost);
    }

    void roots_holdThreadLocalStorageBelowEachThreadPointerAndAtTheTopOfThreadStacks() {
        const std::vector<ReachabilityScan::Region> regions = ReachabilityScan::parseMaps(
            "100000-140000 rw-p 00000000 00:00 0 \n"
            "200000-201000 ---p 00000000 00:00 0 \n"
            "201000-300000 rw-p 00000000 00:00 0 \n"
            "400000-500000 rw-p 00000000 00:00 0 \n");
        QVERIFY(regions[1].inaccessible);
        QVERIFY(!regions[2].inaccessible);
        // A thread pointer at 0x130000: 64 KiB below it and its descriptor's 4 KiB above. A
        // block the program mapped in that window is not a root.
        const std::vector<ReachabilityScan::Block> blocks{{0x128000, 0x1000, 1}};
        const std::vector<ReachabilityScan::Region> roots =
            ReachabilityScan::roots(regions, blocks, 0, {0x130000});
        std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
        for (const ReachabilityScan::Region& root : roots) {
            ranges.emplace_back(root.start, root.end);
        }
        QCOMPARE(ranges, (std::vector<std::pair<std::uint64_t, std::uint64_t>>{
                             {0x120000, 0x128000},
                             {0x129000, 0x131000},
                             // The stack above the guard: its top, where TLS lies.
                             {0x2f0000, 0x300000}}));
    }

    void reachable_followsThreadLocalPointersOfEveryThread() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        QSKIP("the scan of this process is meaningless under a sanitizer's memory layout");
#endif
        void* mainBlock = std::malloc(80);
        void* workerBlock = std::malloc(96);
        tHeld = mainBlock;
        std::mutex mutex;
        std::condition_variable changed;
        bool set = false;
        bool done = false;
        std::thread worker([&] {
            tHeld = workerBlock;
            std::unique_lock lock(mutex);
            set = true;
            changed.notify_all();
            changed.wait(lock, [&] { return done; });
            tHeld = nullptr;
        });
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return set; });
        }
        const std::vector<ReachabilityScan::Block> blocks{
            {reinterpret_cast<std::uint64_t>(mainBlock), 80, 1},
            {reinterpret_cast<std::uint64_t>(workerBlock), 96, 2}};
        const auto threadPointer = reinterpret_cast<std::uint64_t>(__builtin_thread_pointer());
        const std::vector<AllocationId> withPointer =
            ReachabilityScan::reachable(::getpid(), blocks, {threadPointer});
        const std::vector<AllocationId> without =
            ReachabilityScan::reachable(::getpid(), blocks, {});
        {
            std::lock_guard lock(mutex);
            done = true;
        }
        changed.notify_all();
        worker.join();
        tHeld = nullptr;
        std::free(mainBlock);
        std::free(workerBlock);
        // The worker's TLS at the top of its stack is found without its pointer; the main
        // thread's is found through its pointer.
        QVERIFY(std::find(withPointer.begin(), withPointer.end(), AllocationId{1}) !=
                withPointer.end());
        QVERIFY(std::find(withPointer.begin(), withPointer.end(), AllocationId{2}) !=
                withPointer.end());
        QVERIFY(std::find(without.begin(), without.end(), AllocationId{2}) != without.end());
    }
};

QTEST_GUILESS_MAIN(ReachabilityScanTest)
#include "ReachabilityScanTest.moc"
