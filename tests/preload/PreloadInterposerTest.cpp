#include <QtTest>

#include <cerrno>

#include <csignal>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "PreloadRun.h"

using namespace poolscope;
using poolscope::test::CollectedRecords;
using poolscope::test::PreloadRun;
namespace wire = poolscope::PreloadWire;

namespace {

PreloadRun probe(const std::vector<std::string>& arguments,
                 const std::vector<std::pair<std::string, std::string>>& environment = {}) {
    return PreloadRun::start(POOLSCOPE_PRELOAD_LIBRARY, POOLSCOPE_PRELOAD_PROBE, arguments,
                             environment);
}

std::uint64_t addressOf(const std::string& text) {
    return std::stoull(text, nullptr, 16);
}

// The allocation records of the program's own account, matched by address and size.
const wire::Allocation* allocationAt(const CollectedRecords& records, std::uint64_t address,
                                     std::uint64_t bytes) {
    for (const wire::Allocation& allocation : records.allocations) {
        if (allocation.address == address && allocation.bytes == bytes) {
            return &allocation;
        }
    }
    return nullptr;
}

const CollectedRecords::Module* moduleHolding(const CollectedRecords& records,
                                              std::uint64_t address) {
    for (const CollectedRecords::Module& module : records.modules) {
        if (address >= module.record.startAddress && address < module.record.endAddress) {
            return &module;
        }
    }
    return nullptr;
}

bool endsWith(const std::string& text, const std::string& end) {
    return text.size() >= end.size() &&
           text.compare(text.size() - end.size(), end.size(), end) == 0;
}

// What every run must show: a hello (one per program image), a clean end, nothing refused,
// nothing dropped, and every free of an address that is live at that point of the one order.
void checkStream(const PreloadRun& run, std::size_t images = 1) {
    QVERIFY2(run.streamError.empty(), run.streamError.c_str());
    QCOMPARE(run.records.hellos.size(), images);
    QVERIFY(run.endedCleanly);
    QVERIFY(run.records.drops.empty());
    for (const wire::Allocation& allocation : run.records.allocations) {
        QVERIFY(allocation.stackId == 0 || run.records.stacks.count(allocation.stackId) == 1);
    }
}

// Replays the stream's heap records: the addresses live at the end, and whether any free named
// an address that was live (a free the program made of memory the interposer saw allocated).
std::map<std::uint64_t, std::uint64_t> liveAtEnd(const CollectedRecords& records,
                                                 std::size_t& pairedFrees) {
    std::map<std::uint64_t, std::uint64_t> live;
    pairedFrees = 0;
    for (const auto& [kind, index] : records.order) {
        if (kind == wire::RecordKind::Allocate) {
            const wire::Allocation& allocation = records.allocations[index];
            live[allocation.address] = allocation.bytes;
        } else if (kind == wire::RecordKind::Free) {
            pairedFrees += live.erase(records.releases[index].address);
        }
    }
    return live;
}

}  // namespace

class PreloadInterposerTest : public QObject {
    Q_OBJECT

private slots:
    void interposer_recordsEveryHeapCallWithItsBytes() {
        const PreloadRun run = probe({"heap"});
        QCOMPARE(run.exitCode, 0);
        checkStream(run);
        const std::map<std::string, wire::HeapCall> calls{
            {"malloc", wire::HeapCall::Malloc},
            {"new", wire::HeapCall::New},
            {"newarray", wire::HeapCall::NewArray},
            {"realloc", wire::HeapCall::Realloc},
            {"calloc", wire::HeapCall::Calloc},
            {"posix_memalign", wire::HeapCall::PosixMemalign},
            {"aligned_alloc", wire::HeapCall::AlignedAlloc},
            {"memalign", wire::HeapCall::Memalign},
            {"valloc", wire::HeapCall::Valloc},
            {"new_aligned", wire::HeapCall::New},
            {"newarray_nothrow", wire::HeapCall::NewArray},
            {"leak", wire::HeapCall::Malloc}};
        for (const auto& [word, call] : calls) {
            const auto lines = run.lines(word);
            QVERIFY2(!lines.empty(), word.c_str());
            for (const auto& line : lines) {
                const wire::Allocation* allocation =
                    allocationAt(run.records, addressOf(line[1]), std::stoull(line[2]));
                QVERIFY2(allocation != nullptr, (word + " " + line[1]).c_str());
                QCOMPARE(allocation->header.call, static_cast<std::uint8_t>(call));
            }
        }
        QCOMPARE(
            allocationAt(run.records, addressOf(run.lines("new_aligned")[0][1]), 96)->alignment,
            64u);
        std::size_t pairedFrees = 0;
        const auto live = liveAtEnd(run.records, pairedFrees);
        // Everything the sequence made was given back but the one leak.
        const std::uint64_t leak = addressOf(run.lines("leak")[0][1]);
        QCOMPARE(live.count(leak), std::size_t{1});
        QCOMPARE(live.at(leak), std::uint64_t{4242});
        for (const char* word : {"malloc", "new", "newarray", "calloc", "posix_memalign",
                                 "aligned_alloc", "memalign", "valloc", "new_aligned"}) {
            QCOMPARE(live.count(addressOf(run.lines(word)[0][1])), std::size_t{0});
        }
        QVERIFY(pairedFrees >= 12);
    }

    void interposer_splitsReallocIntoReleaseAndAllocation() {
        const PreloadRun run = probe({"heap"});
        checkStream(run);
        const auto lines = run.lines("realloc");
        QCOMPARE(lines.size(), std::size_t{3});
        // realloc(p, 0) frees: the last block of the chain is released with Realloc.
        const std::uint64_t last = addressOf(lines[2][1]);
        bool releasedByRealloc = false;
        for (const wire::Release& release : run.records.releases) {
            releasedByRealloc |= release.address == last &&
                                 release.header.call == std::uint8_t(wire::HeapCall::Realloc);
        }
        QVERIFY(releasedByRealloc);
        std::size_t pairedFrees = 0;
        QCOMPARE(liveAtEnd(run.records, pairedFrees).count(last), std::size_t{0});
    }

    void interposer_stacksNameTheProgramNotTheInterposer() {
        const PreloadRun run = probe({"heap"});
        checkStream(run);
        const wire::Allocation* leak =
            allocationAt(run.records, addressOf(run.lines("leak")[0][1]), 4242);
        QVERIFY(leak != nullptr);
        QVERIFY(leak->stackId != 0);
        const std::vector<std::uint64_t>& frames = run.records.stacks.at(leak->stackId);
        QVERIFY(frames.size() >= 2);
        const CollectedRecords::Module* innermost = moduleHolding(run.records, frames[0]);
        QVERIFY(innermost != nullptr);
        QVERIFY2(endsWith(innermost->path, "/preload_probe"), innermost->path.c_str());
        // The return address lies just after the call, inside leakingFunction.
        const std::uint64_t function = addressOf(run.lines("leakfunction")[0][1]);
        QVERIFY(frames[0] > function && frames[0] < function + 256);
        for (const std::uint64_t frame : frames) {
            const CollectedRecords::Module* module = moduleHolding(run.records, frame);
            QVERIFY(module == nullptr || !endsWith(module->path, "libpoolscope_preload.so"));
        }
    }

    void interposer_announcesEveryStackAndModuleBeforeUse() {
        const PreloadRun run = probe({"heap"});
        checkStream(run);
        std::set<std::uint32_t> stacksSeen;
        std::set<std::uint32_t> modulesSeen;
        for (const auto& [kind, index] : run.records.order) {
            if (kind == wire::RecordKind::Module) {
                modulesSeen.insert(run.records.modules[index].record.index);
            } else if (kind == wire::RecordKind::Stack) {
                const std::uint32_t id = run.records.stackIds[index];
                for (const std::uint64_t frame : run.records.stacks.at(id)) {
                    const CollectedRecords::Module* module = moduleHolding(run.records, frame);
                    QVERIFY(module == nullptr || modulesSeen.count(module->record.index) == 1);
                }
                stacksSeen.insert(id);
            } else if (kind == wire::RecordKind::Allocate) {
                const std::uint32_t id = run.records.allocations[index].stackId;
                QVERIFY(id == 0 || stacksSeen.count(id) == 1);
            }
        }
        QVERIFY(!stacksSeen.empty());
    }

    void interposer_recordsMappingsAndDescriptors() {
        const PreloadRun run = probe({"resources"});
        QCOMPARE(run.exitCode, 0);
        checkStream(run);
        const auto maps = run.lines("mmap");
        QCOMPARE(maps.size(), std::size_t{2});
        std::map<std::uint64_t, std::uint64_t> mapped;
        for (const wire::Mapping& mapping : run.records.mappings) {
            mapped[mapping.address] = mapping.bytes;
        }
        QCOMPARE(mapped.at(addressOf(maps[0][1])), std::uint64_t{8192});
        QCOMPARE(mapped.at(addressOf(maps[1][1])), std::uint64_t{4096});
        QCOMPARE(run.records.unmappings.size(), std::size_t{1});
        QCOMPARE(run.records.unmappings[0].address, addressOf(maps[1][1]));
        const auto remap = run.lines("mremap");
        QCOMPARE(remap.size(), std::size_t{1});
        QCOMPARE(run.records.remappings.size(), std::size_t{1});
        QCOMPARE(run.records.remappings[0].oldAddress, addressOf(remap[0][1]));
        QCOMPARE(run.records.remappings[0].oldBytes, std::uint64_t{4096});
        QCOMPARE(run.records.remappings[0].newAddress, addressOf(remap[0][2]));
        QCOMPARE(run.records.remappings[0].newBytes, std::uint64_t{65536});

        // Replay descriptors: what stays open at the end is the /dev/null never closed.
        std::map<int, std::string> open;
        for (const auto& [kind, index] : run.records.order) {
            if (kind == wire::RecordKind::DescriptorOpen) {
                open[run.records.opened[index].record.fd] = run.records.opened[index].path;
            } else if (kind == wire::RecordKind::DescriptorClose) {
                open.erase(run.records.closed[index].fd);
            }
        }
        const int leaked = std::stoi(run.lines("open")[0][1]);
        QCOMPARE(open.size(), std::size_t{1});
        QCOMPARE(open.at(leaked), std::string("/dev/null"));
        std::map<std::uint8_t, int> opensByCall;
        for (const CollectedRecords::Opened& opened : run.records.opened) {
            ++opensByCall[opened.record.header.call];
            QVERIFY(opened.record.stackId != 0);
        }
        QCOMPARE(opensByCall[std::uint8_t(wire::DescriptorCall::Open)], 2);
        QCOMPARE(opensByCall[std::uint8_t(wire::DescriptorCall::Pipe)], 2);
        QCOMPARE(opensByCall[std::uint8_t(wire::DescriptorCall::Socket)], 1);
        QCOMPARE(opensByCall[std::uint8_t(wire::DescriptorCall::Dup)], 1);
        QCOMPARE(opensByCall[std::uint8_t(wire::DescriptorCall::EventFd)], 1);
        QCOMPARE(opensByCall[std::uint8_t(wire::DescriptorCall::Fopen)], 1);
    }

    void interposer_keepsEveryThreadsRecords() {
        constexpr int kThreads = 8;
        constexpr int kPairs = 20000;
        const PreloadRun run = probe({"threads", std::to_string(kThreads), std::to_string(kPairs)});
        QCOMPARE(run.exitCode, 0);
        checkStream(run);
        std::map<std::uint32_t, int> threadOfIndex;
        for (const auto& line : run.lines("thread")) {
            threadOfIndex[static_cast<std::uint32_t>(std::stoul(line[2]))] = std::stoi(line[1]);
        }
        QCOMPARE(threadOfIndex.size(), std::size_t{kThreads});
        std::map<int, int> allocationsOfIndex;
        for (const wire::Allocation& allocation : run.records.allocations) {
            const auto thread = threadOfIndex.find(allocation.header.threadId);
            if (thread != threadOfIndex.end() && allocation.bytes == 1000u + thread->second) {
                ++allocationsOfIndex[thread->second];
            }
        }
        for (int index = 0; index < kThreads; ++index) {
            QCOMPARE(allocationsOfIndex[index], kPairs);
        }
        // In the one order no thread's block is freed before it was made, nor made twice.
        std::set<std::uint64_t> live;
        std::size_t threadFrees = 0;
        for (const auto& [kind, index] : run.records.order) {
            if (kind == wire::RecordKind::Allocate) {
                const wire::Allocation& allocation = run.records.allocations[index];
                if (threadOfIndex.count(allocation.header.threadId) == 1) {
                    QVERIFY(live.insert(allocation.address).second);
                }
            } else if (kind == wire::RecordKind::Free) {
                const wire::Release& release = run.records.releases[index];
                if (threadOfIndex.count(release.header.threadId) == 1) {
                    QVERIFY(live.erase(release.address) == 1);
                    ++threadFrees;
                }
            }
        }
        QCOMPARE(threadFrees, std::size_t{kThreads} * kPairs);
    }

    void interposer_forkedChildStaysUntracked() {
        const PreloadRun run = probe({"fork"});
        QCOMPARE(run.exitCode, 0);
        checkStream(run);
        const int child = std::stoi(run.lines("child")[0][1]);
        QCOMPARE(run.records.processes.front().header.kind, wire::RecordKind::Fork);
        QCOMPARE(run.records.processes.front().value, std::int64_t{child});
        for (const wire::Allocation& allocation : run.records.allocations) {
            QVERIFY(allocation.header.threadId != static_cast<std::uint32_t>(child));
            QVERIFY(allocation.bytes != 502);
        }
        QVERIFY(allocationAt(run.records, addressOf(run.lines("before")[0][1]), 501) != nullptr);
        QVERIFY(allocationAt(run.records, addressOf(run.lines("after")[0][1]), 503) != nullptr);
    }

    void interposer_forkedChildThatAllocatesAndExitsLeavesTheParentsStreamWhole() {
        for (const char* mode : {"fork-both", "underscore-fork-both"}) {
            const PreloadRun run = probe({mode});
            QCOMPARE(run.exitCode, 0);
            checkStream(run);
            QCOMPARE(run.lines("child-status")[0][1], std::string("0"));
            const auto child = static_cast<std::uint32_t>(std::stoi(run.lines("child")[0][1]));
            std::map<std::uint64_t, std::size_t> madeOfSize;
            for (const wire::Allocation& allocation : run.records.allocations) {
                QVERIFY(allocation.header.threadId != child);
                ++madeOfSize[allocation.bytes];
            }
            // Nothing of the child's; everything of the parent's, on both of its threads.
            QCOMPARE(madeOfSize[602], std::size_t{0});
            QCOMPARE(madeOfSize[603], std::size_t{0});
            QCOMPARE(madeOfSize[604], std::size_t{5000});
            if (std::string(mode) == "fork-both") {
                QCOMPARE(madeOfSize[611], std::size_t{20000});
            }
            QVERIFY(allocationAt(run.records, addressOf(run.lines("before")[0][1]), 601));
            QVERIFY(allocationAt(run.records, addressOf(run.lines("after")[0][1]), 605));
            for (const CollectedRecords::Opened& opened : run.records.opened) {
                QVERIFY(opened.record.header.threadId != child);
            }
            // One Fork record naming the child, and the parent's Exit alone ends the stream.
            std::size_t exits = 0;
            for (const wire::ProcessEvent& process : run.records.processes) {
                exits += process.header.kind == wire::RecordKind::Exit ? 1 : 0;
            }
            QCOMPARE(exits, std::size_t{1});
            QCOMPARE(run.records.processes.front().header.kind, wire::RecordKind::Fork);
            QCOMPARE(run.records.processes.front().value, std::int64_t{child});
            QCOMPARE(run.records.processes.back().header.kind, wire::RecordKind::Exit);
        }
    }

    void interposer_programStartedBySpawnOrSystemLeavesAPipeAtTheStreamsOldNumberAlone() {
        for (const char* mode : {"spawn-pipe", "system-pipe"}) {
            const PreloadRun run = probe({mode});
            QCOMPARE(run.exitCode, 0);
            checkStream(run);
            QCOMPARE(run.lines("started").size(), std::size_t{1});
            QCOMPARE(run.lines("status")[0][1], std::string("0"));
            QCOMPARE(run.lines("foreign-bytes")[0][1], std::string("0"));
        }
    }

    void interposer_survivesClosingEveryDescriptor() {
        for (const char* mode : {"closeall", "closerange"}) {
            const PreloadRun run = probe({mode});
            QCOMPARE(run.exitCode, 0);
            checkStream(run);
            QVERIFY(allocationAt(run.records, addressOf(run.lines("after")[0][1]), 777) != nullptr);
            QCOMPARE(run.records.processes.back().header.kind, wire::RecordKind::Exit);
            // The program gets the descriptor numbers it would get untracked.
            QCOMPARE(run.lines("open")[0][1], std::string("3"));
        }
    }

    void interposer_movesItsStreamBeforeADup2OntoIt() {
        const PreloadRun run = probe({"dup2top"});
        QCOMPARE(run.exitCode, 0);
        checkStream(run);
        QVERIFY(allocationAt(run.records, addressOf(run.lines("after")[0][1]), 888) != nullptr);
        QCOMPARE(run.records.processes.back().header.kind, wire::RecordKind::Exit);
    }

    void interposer_announcesModulesLoadedLater() {
        const PreloadRun run = probe({"dlopen", POOLSCOPE_PRELOAD_PROBE_PLUGIN});
        QCOMPARE(run.exitCode, 0);
        checkStream(run);
        const wire::Allocation* block =
            allocationAt(run.records, addressOf(run.lines("plugin")[0][1]), 555);
        QVERIFY(block != nullptr);
        const CollectedRecords::Module* module =
            moduleHolding(run.records, run.records.stacks.at(block->stackId).front());
        QVERIFY(module != nullptr);
        QVERIFY2(endsWith(module->path, "preload_probe_plugin.so"), module->path.c_str());
    }

    void interposer_keepsRecordsUpToACrash() {
        const PreloadRun run = probe({"crash"});
        QCOMPARE(run.signal, SIGSEGV);
        checkStream(run);
        QVERIFY(allocationAt(run.records, addressOf(run.lines("malloc")[0][1]), 321) != nullptr);
        QCOMPARE(run.records.processes.back().header.kind, wire::RecordKind::Crash);
        QCOMPARE(run.records.processes.back().value, std::int64_t{SIGSEGV});
    }

    void interposer_execdImageIsFollowedOnTheSameStream() {
        const PreloadRun run = probe({"exec"});
        QCOMPARE(run.exitCode, 0);
        checkStream(run, 2);
        QCOMPARE(run.records.hellos[1].pid, run.records.hellos[0].pid);
        // The old image's block, then Exec, then the new image's own records and its exit.
        QCOMPARE(run.records.processes.size(), std::size_t{2});
        QCOMPARE(run.records.processes[0].header.kind, wire::RecordKind::Exec);
        QCOMPARE(run.records.processes[0].value, std::int64_t{0});
        QCOMPARE(run.records.processes[1].header.kind, wire::RecordKind::Exit);
        QCOMPARE(run.records.processes[1].value, std::int64_t{0});
        const wire::Allocation* before =
            allocationAt(run.records, addressOf(run.lines("before")[0][1]), 77);
        const wire::Allocation* execd =
            allocationAt(run.records, addressOf(run.lines("execd")[0][1]), 64);
        QVERIFY(before != nullptr);
        QVERIFY(execd != nullptr);
        // In the one order: the old image's block, its Exec, then the new image's block.
        const auto position = [&](wire::RecordKind kind, const void* record) {
            for (std::size_t i = 0; i < run.records.order.size(); ++i) {
                const auto& [at, index] = run.records.order[i];
                if (at == kind &&
                    ((kind == wire::RecordKind::Allocate &&
                      &run.records.allocations[index] == record) ||
                     (kind == wire::RecordKind::Exec && &run.records.processes[index] == record))) {
                    return i;
                }
            }
            return run.records.order.size();
        };
        const std::size_t exec = position(wire::RecordKind::Exec, &run.records.processes[0]);
        QVERIFY(position(wire::RecordKind::Allocate, before) < exec);
        QVERIFY(exec < position(wire::RecordKind::Allocate, execd));
        QVERIFY(position(wire::RecordKind::Allocate, execd) < run.records.order.size());
        // The new image names its stacks afresh: the execd block has one of its own.
        QVERIFY(execd->stackId != 0);
    }

    void interposer_execWithoutTheStreamInItsEnvironmentLeavesTheNewImageUntracked() {
        const PreloadRun run = probe({"exec-unnamed"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.lines("execd").size(), std::size_t{1});
        checkStream(run);
        QCOMPARE(run.records.processes.size(), std::size_t{1});
        QCOMPARE(run.records.processes[0].header.kind, wire::RecordKind::Exec);
        QCOMPARE(run.records.order.back().first, wire::RecordKind::Exec);
    }

    void interposer_failedExecIsReportedAndTrackingGoesOn() {
        const PreloadRun run = probe({"exec-fails"});
        QCOMPARE(run.exitCode, 0);
        checkStream(run);
        QCOMPARE(run.records.processes.size(), std::size_t{3});
        QCOMPARE(run.records.processes[0].header.kind, wire::RecordKind::Exec);
        QCOMPARE(run.records.processes[0].value, std::int64_t{0});
        QCOMPARE(run.records.processes[1].header.kind, wire::RecordKind::Exec);
        QCOMPARE(run.records.processes[1].value, std::int64_t{ENOENT});
        QCOMPARE(run.records.processes[2].header.kind, wire::RecordKind::Exit);
        QVERIFY(allocationAt(run.records, addressOf(run.lines("after")[0][1]), 888) != nullptr);
    }

    void interposer_vforkChildLeavesTheStreamAlone() {
        const PreloadRun run = probe({"vfork"});
        QCOMPARE(run.exitCode, 0);
        checkStream(run);
        QVERIFY(allocationAt(run.records, addressOf(run.lines("after")[0][1]), 999) != nullptr);
        QCOMPARE(run.records.processes.size(), std::size_t{1});
        QCOMPARE(run.records.processes[0].header.kind, wire::RecordKind::Exit);
        QCOMPARE(run.records.processes[0].value, std::int64_t{0});
    }

    void interposer_vforkChildThatExecsLeavesTheProgramTracked() {
        // The child runs on the program's thread memory until its exec: what the exec hook
        // marks there must not outlive it, or the program's own thread records nothing after.
        const PreloadRun run = probe({"vfork-exec"});
        QCOMPARE(run.exitCode, 0);
        checkStream(run);
        QVERIFY(allocationAt(run.records, addressOf(run.lines("after")[0][1]), 999) != nullptr);
        QCOMPARE(run.records.processes.size(), std::size_t{1});
        QCOMPARE(run.records.processes[0].header.kind, wire::RecordKind::Exit);
    }

    void interposer_reportsTheExitStatus() {
        for (const char* how : {"exit", "return"}) {
            const PreloadRun run = probe({how, "7"});
            QCOMPARE(run.exitCode, 7);
            checkStream(run);
            QCOMPARE(run.records.processes.back().header.kind, wire::RecordKind::Exit);
            QCOMPARE(run.records.processes.back().value, std::int64_t{7});
        }
    }

    void interposer_withoutStackDepthSendsNoStacks() {
        const PreloadRun run = probe({"heap"}, {{wire::kStackDepthVariable, "0"}});
        checkStream(run);
        QVERIFY(run.records.stacks.empty());
        QVERIFY(!run.records.allocations.empty());
    }

    void interposer_dropsWholePacketsWhenTheReaderFallsBehind() {
        constexpr std::uint64_t kPairs = 300000;
        const PreloadRun run =
            PreloadRun::start(POOLSCOPE_PRELOAD_LIBRARY, POOLSCOPE_PRELOAD_PROBE,
                              {"threads", "1", std::to_string(kPairs)},
                              {{wire::kDropAfterVariable, "200"}}, PreloadRun::Reader::Pauses);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.streamError.empty(), run.streamError.c_str());
        QVERIFY(run.endedCleanly);
        QVERIFY(!run.records.drops.empty());
        std::uint64_t dropped = 0;
        for (const wire::DroppedRecords& drop : run.records.drops) {
            dropped += drop.records;
        }
        const auto thread = static_cast<std::uint32_t>(std::stoul(run.lines("thread")[0][2]));
        std::uint64_t seen = 0;
        for (const wire::Allocation& allocation : run.records.allocations) {
            seen += allocation.header.threadId == thread && allocation.bytes == 1000;
            // Stacks announced in a dropped packet were sent again before their next use.
            QVERIFY(allocation.stackId == 0 || run.records.stacks.count(allocation.stackId) == 1);
        }
        for (const wire::Release& release : run.records.releases) {
            seen += release.header.threadId == thread;
        }
        // Never silent: what did not arrive is counted.
        QVERIFY(seen < 2 * kPairs);
        QVERIFY(seen + dropped >= 2 * kPairs);
        QCOMPARE(run.records.processes.back().header.kind, wire::RecordKind::Exit);
    }

    void interposer_programRunsOnWhenTheReaderLeaves() {
        const PreloadRun run =
            PreloadRun::start(POOLSCOPE_PRELOAD_LIBRARY, POOLSCOPE_PRELOAD_PROBE,
                              {"threads", "2", "100000"}, {}, PreloadRun::Reader::Leaves);
        QCOMPARE(run.signal, 0);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.lines("thread").size(), std::size_t{2});
    }

    void interposer_staysInertOnAForeignDescriptor() {
        // The variable names standard input, which is not a pipe the launcher made for writing.
        const PreloadRun run =
            PreloadRun::start(POOLSCOPE_PRELOAD_LIBRARY, "/bin/sh",
                              {"-c", "exec 9</dev/null; echo ran"}, {{wire::kFdVariable, "9"}});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.output, std::string("ran\n"));
        QVERIFY(run.records.hellos.empty());
    }
};

QTEST_GUILESS_MAIN(PreloadInterposerTest)
#include "PreloadInterposerTest.moc"
