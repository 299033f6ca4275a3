// SessionState rebuilds what the views show from events alone; these feed it hand-made events
// and check each thing a view relies on.

#include <QtTest>

#include <memory>

#include "session/SessionState.h"

using namespace poolscope;

namespace {

constexpr std::uint16_t kPool = 7;
constexpr std::uint64_t kChunk = 4u << 20;
constexpr std::int64_t kSecond = 1'000'000'000;

MemoryEvent makeEvent(MemoryEventKind kind, AllocationId id, std::int32_t slot = -1,
                      std::uint64_t bytes = kChunk, std::int64_t time = 0) {
    MemoryEvent e;
    e.kind = kind;
    e.allocationId = id;
    e.slot = slot;
    e.bytes = bytes;
    e.sourceId = kPool;
    e.timeNanoseconds = time;
    e.tier = slot >= 0 ? MemoryTier::Pooled : MemoryTier::Unpooled;
    return e;
}

MemoryEvent rent(AllocationId id, std::int32_t slot, std::uint32_t index, std::uint32_t count,
                 std::uint64_t address, std::uint16_t tag = 0, StackId stack = 0) {
    MemoryEvent e = makeEvent(MemoryEventKind::Rent, id, slot);
    e.chunkIndex = index;
    e.chunkCount = count;
    e.value = tag;
    e.value2 = address;
    e.stackId = stack;
    return e;
}

SessionState makeState(int* stackLookups = nullptr) {
    SessionState::Resolvers resolvers;
    resolvers.stack = [stackLookups](StackId id) {
        if (stackLookups != nullptr) {
            ++*stackLookups;
        }
        return std::vector<Frame>{{"makeThumbnail" + std::to_string(id), "a.cpp", 10, {}, 0x10},
                                  {{}, {}, 0, "libx.so", 0x20}};
    };
    resolvers.tag = [](std::uint16_t tag) { return QStringLiteral("tag-%1").arg(tag); };
    SessionState state(resolvers, 0);
    state.followPool(kPool, 8, kChunk);
    return state;
}

}  // namespace

class SessionStateTest : public QObject {
    Q_OBJECT

private slots:
    void rentedSlots_nameTheirOwnerUntilReturned() {
        SessionState state = makeState();
        state.apply(rent(41, 2, 0, 2, 0x1000));
        state.apply(rent(41, 5, 1, 2, 0x2000));
        auto snapshot = state.takeSnapshot(kSecond);
        QCOMPARE(snapshot->slotOwners[2], AllocationId{41});
        QCOMPARE(snapshot->slotOwners[5], AllocationId{41});
        QCOMPARE(snapshot->pool.rentedChunks, 2);

        state.apply(makeEvent(MemoryEventKind::Return, 41, 2));
        snapshot = state.takeSnapshot(2 * kSecond);
        QCOMPARE(snapshot->slotOwners[2], AllocationId{0});
        QCOMPARE(snapshot->slotStates[2], SlotState::Retained);
        QCOMPARE(snapshot->slotOwners[5], AllocationId{41});
    }

    void liveAllocation_keepsEveryChunkWithItsAddress() {
        SessionState state = makeState();
        state.apply(rent(9, 0, 0, 3, 0xa000, 3, 77));
        state.apply(rent(9, 1, 1, 3, 0xb000, 3, 77));
        state.apply(rent(9, 4, 2, 3, 0xc000, 3, 77));
        MemoryEvent image = makeEvent(MemoryEventKind::ImageBufferCreated, 9, -1, 3 * kChunk);
        image.value = 2000;
        image.value2 = 1500;
        image.chunkIndex = static_cast<std::uint32_t>(PixelTypeId::Rgba32);
        state.apply(image);

        const auto snapshot = state.takeSnapshot(kSecond);
        const LiveAllocation* row = snapshot->allocations->find(9);
        QVERIFY(row != nullptr);
        QCOMPARE(row->bytes, 3 * kChunk);
        QCOMPARE(row->chunkCount, 3u);
        QCOMPARE(row->imageWidth, 2000);
        QCOMPARE(row->imageHeight, 1500);
        QCOMPARE(row->pixelType, PixelTypeId::Rgba32);
        QCOMPARE(snapshot->chunksOf(*row).size(), std::size_t{3});
        QCOMPARE(snapshot->chunksOf(*row)[1].address, std::uint64_t{0xb000});
        QCOMPARE(snapshot->chunksOf(*row)[2].slot, 4);
        QCOMPARE(snapshot->stacks->tagName(3), QStringLiteral("tag-3"));
        QCOMPARE(snapshot->stacks->topFrame(77).function, std::string("makeThumbnail77"));
    }

    void stackCatalog_carriesWhyFramesWentUnnamed() {
        SessionState::Resolvers resolvers;
        resolvers.stack = [](StackId) {
            return std::vector<Frame>{{{}, {}, 0, "/usr/lib/libx.so", 0x20, 0x20, false}};
        };
        resolvers.missingSymbols = [] {
            return std::vector<ModuleSymbolStatus>{
                {"/usr/lib/libx.so", 1, 0, "no symbol table and no debug information"}};
        };
        SessionState state(resolvers, 0);
        state.followPool(kPool, 8, kChunk);
        state.apply(rent(9, 0, 0, 1, 0xa000, 3, 77));
        const auto snapshot = state.takeSnapshot(kSecond);
        QCOMPARE(snapshot->stacks->missingSymbols, 1);
        QCOMPARE(snapshot->stacks->missingSymbolModules.size(), std::size_t{1});
        QCOMPARE(snapshot->stacks->missingSymbolModules[0].module, std::string("/usr/lib/libx.so"));
        QCOMPARE(snapshot->stacks->missingSymbolModules[0].reason,
                 std::string("no symbol table and no debug information"));
    }

    void allocation_leavesTheTableWhenItsLastChunkIsReleased() {
        SessionState state = makeState();
        state.apply(rent(5, 0, 0, 2, 1));
        state.apply(rent(5, 1, 1, 2, 2));
        state.apply(makeEvent(MemoryEventKind::Return, 5, 0));
        QVERIFY(state.takeSnapshot(kSecond)->allocations->find(5) != nullptr);
        state.apply(makeEvent(MemoryEventKind::Return, 5, 1));
        QVERIFY(state.takeSnapshot(2 * kSecond)->allocations->find(5) == nullptr);
    }

    void memoryReleasedWithoutDispose_staysListedAsALeak() {
        SessionState state = makeState();
        state.apply(rent(6, 3, 0, 1, 1));
        state.apply(makeEvent(MemoryEventKind::Undisposed, 6));
        state.apply(makeEvent(MemoryEventKind::Return, 6, 3));
        const auto snapshot = state.takeSnapshot(kSecond);
        const LiveAllocation* row = snapshot->allocations->find(6);
        QVERIFY(row != nullptr);
        QVERIFY(row->releasedWithoutDispose);
        QCOMPARE(snapshot->pool.rentedChunks, 0);
    }

    void allocationTable_isRebuiltAtMostFourTimesASecond() {
        SessionState state = makeState();
        state.apply(rent(1, 0, 0, 1, 1));
        const auto first = state.takeSnapshot(kSecond);
        state.apply(rent(2, 1, 0, 1, 2));
        const auto soon = state.takeSnapshot(kSecond + kSecond / 10);
        QCOMPARE(soon->allocations, first->allocations);  // too soon: the same table
        const auto later = state.takeSnapshot(kSecond + kSecond / 2);
        QVERIFY(later->allocations != first->allocations);
        QVERIFY(later->allocations->find(2) != nullptr);
        const auto unchanged = state.takeSnapshot(3 * kSecond);
        QCOMPARE(unchanged->allocations, later->allocations);  // nothing changed: shared
        state.apply(rent(3, 2, 0, 1, 3));
        state.refreshAllocationTableAtNextSnapshot();
        const auto forced = state.takeSnapshot(3 * kSecond + 1);  // within the interval
        QVERIFY(forced->allocations->find(3) != nullptr);
    }

    void eachStack_isResolvedOnceAndMissingFunctionsAreCounted() {
        int lookups = 0;
        SessionState state = makeState(&lookups);
        state.apply(rent(1, 0, 0, 1, 1, 0, 5));
        state.apply(rent(2, 1, 0, 1, 2, 0, 5));
        state.apply(rent(3, 2, 0, 1, 3, 0, 6));
        const auto snapshot = state.takeSnapshot(kSecond);
        QCOMPARE(lookups, 2);
        QCOMPARE(snapshot->stacks->missingSymbols, 2);  // one unnamed frame per stack
    }

    void stackResolutionBudget_defersNamesButNotTheSnapshot() {
        int lookups = 0;
        SessionState state = makeState(&lookups);
        state.setStackResolutionBudget(std::chrono::nanoseconds(0));
        state.apply(rent(1, 0, 0, 1, 1, 0, 5));
        const auto deferred = state.takeSnapshot(kSecond);
        QVERIFY(deferred->allocations->find(1) != nullptr);  // the row is there at once
        QVERIFY(deferred->stacks->stack(5) == nullptr);      // its name comes later
        QCOMPARE(state.pendingStackCount(), std::size_t{1});
        state.setStackResolutionBudget(std::chrono::seconds(1));
        const auto named = state.takeSnapshot(2 * kSecond);
        QVERIFY(named->stacks->stack(5) != nullptr);
        QCOMPARE(lookups, 1);
        QCOMPARE(state.pendingStackCount(), std::size_t{0});
    }

    void timelineSamplesAndMarkers_arriveOnceInOrder() {
        SessionState state = makeState();
        state.apply(rent(1, 0, 0, 1, 1));
        MemoryEvent trim = makeEvent(MemoryEventKind::Trim, 0, -1, 0, kSecond / 2);
        trim.value = 3;
        state.apply(trim);
        MemoryEvent gc = makeEvent(MemoryEventKind::GcEnd, 1, -1, 0, kSecond / 2);
        gc.sourceId = 0;
        gc.chunkIndex = 2;
        state.apply(gc);
        const auto first = state.takeSnapshot(kSecond);
        QCOMPARE(first->firstSampleIndex, std::uint64_t{0});
        QCOMPARE(first->newSamples.size(), std::size_t{1});
        QCOMPARE(first->newSamples[0].rentedBytes, kChunk);
        QCOMPARE(first->newSamples[0].seconds, 1.0);
        QCOMPARE(first->newMarkers.size(), std::size_t{2});
        QCOMPARE(first->newMarkers[0].kind, TimelineMarker::Kind::Trim);
        QCOMPARE(first->newMarkers[1].kind, TimelineMarker::Kind::Collection);
        QCOMPARE(first->newMarkers[1].generation, 2);
        QCOMPARE(first->gcCollections[2], std::uint64_t{1});

        state.sample(kSecond + kSecond / 4);
        const auto second = state.takeSnapshot(2 * kSecond);
        QCOMPARE(second->firstSampleIndex, std::uint64_t{1});
        QCOMPARE(second->newSamples.size(), std::size_t{2});
        QVERIFY(second->newMarkers.empty());
    }

    void sample_holdsTheRentedPeakSinceThePreviousSample() {
        SessionState state = makeState();
        state.apply(rent(1, 0, 0, 3, 1));
        state.apply(rent(1, 1, 1, 3, 2));
        state.apply(rent(1, 2, 2, 3, 3));
        for (int slot = 0; slot < 3; ++slot) {
            state.apply(makeEvent(MemoryEventKind::Return, 1, slot));
        }
        const auto burst = state.takeSnapshot(kSecond);
        QCOMPARE(burst->pool.rentedChunks, 0);                       // the present: all returned
        QCOMPARE(burst->newSamples.back().rentedBytes, 3 * kChunk);  // the burst still shows
        QCOMPARE(burst->newSamples.back().retainedBytes, std::uint64_t{0});
        const auto after = state.takeSnapshot(2 * kSecond);
        QCOMPARE(after->newSamples.back().rentedBytes, std::uint64_t{0});
        QCOMPARE(after->newSamples.back().retainedBytes, 3 * kChunk);
    }

    void newPool_isFollowedFromItsFirstEventOn() {
        SessionState state = makeState();
        state.apply(rent(1, 0, 0, 1, 1));
        state.followPoolFromItsFirstEvent(8, 4, kChunk);
        // Still the old pool's event: it counts for the old pool.
        state.apply(makeEvent(MemoryEventKind::Return, 1, 0));
        MemoryEvent newRent = rent(2, 3, 0, 1, 9);
        newRent.sourceId = 8;
        state.apply(newRent);
        const auto snapshot = state.takeSnapshot(kSecond);
        QCOMPARE(snapshot->pool.capacityChunks, 4);
        QCOMPARE(snapshot->pool.rentedChunks, 1);
        QCOMPARE(snapshot->slotOwners[3], AllocationId{2});
    }
};

QTEST_GUILESS_MAIN(SessionStateTest)
#include "SessionStateTest.moc"
