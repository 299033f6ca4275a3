#include <QtTest>

#include <cerrno>
#include <vector>

#include "native/NativeLiveState.h"

using namespace poolscope;
using namespace poolscope::PreloadWire;

namespace {

constexpr std::uint64_t kPage = 4096;

RecordHeader header(RecordKind kind, std::uint8_t call = 0, std::int64_t time = 100) {
    RecordHeader header{};
    header.kind = kind;
    header.call = call;
    header.threadId = 7;
    header.timeNanoseconds = time;
    return header;
}

Allocation allocation(std::uint64_t address, std::uint64_t bytes, std::uint32_t stackId,
                      HeapCall call = HeapCall::Malloc) {
    Allocation record{};
    record.header = header(RecordKind::Allocate, static_cast<std::uint8_t>(call));
    record.address = address;
    record.bytes = bytes;
    record.stackId = stackId;
    return record;
}

Release release(std::uint64_t address) {
    Release record{};
    record.header = header(RecordKind::Free, static_cast<std::uint8_t>(HeapCall::Free));
    record.address = address;
    return record;
}

Mapping mapping(std::uint64_t address, std::uint64_t bytes, std::uint32_t stackId) {
    Mapping record{};
    record.header = header(RecordKind::Map);
    record.address = address;
    record.bytes = bytes;
    record.stackId = stackId;
    record.fd = -1;
    return record;
}

Unmapping unmapping(std::uint64_t address, std::uint64_t bytes) {
    Unmapping record{};
    record.header = header(RecordKind::Unmap);
    record.address = address;
    record.bytes = bytes;
    return record;
}

DescriptorOpened opened(int fd, std::uint32_t stackId, DescriptorCall call = DescriptorCall::Open) {
    DescriptorOpened record{};
    record.header = header(RecordKind::DescriptorOpen, static_cast<std::uint8_t>(call));
    record.fd = fd;
    record.stackId = stackId;
    return record;
}

DescriptorClosed closed(int fd) {
    DescriptorClosed record{};
    record.header =
        header(RecordKind::DescriptorClose, static_cast<std::uint8_t>(DescriptorCall::Close));
    record.fd = fd;
    return record;
}

ProcessEvent exec(std::int64_t error) {
    ProcessEvent record{};
    record.header = header(RecordKind::Exec);
    record.value = error;
    return record;
}

Hello helloAt(std::int64_t time) {
    Hello hello{};
    hello.pid = 42;
    hello.pageBytes = kPage;
    hello.startNanoseconds = time;
    return hello;
}

ModuleRecord moduleAt(std::uint32_t index, std::uint64_t loadAddress) {
    ModuleRecord module{};
    module.header = header(RecordKind::Module);
    module.index = index;
    module.loadAddress = loadAddress;
    module.startAddress = loadAddress;
    module.endAddress = loadAddress + 0x1000;
    return module;
}

StackRecord stackRecord(std::uint32_t id) {
    StackRecord stack{};
    stack.header = header(RecordKind::Stack);
    stack.stackId = id;
    stack.depth = 1;
    return stack;
}

struct Fixture {
    LinkStackTable stacks;
    NativeLiveState state{stacks};
    std::vector<MemoryEvent> events;
    Fixture() {
        state.setOutput(&events);
        Hello hello{};
        hello.pid = 42;
        hello.pageBytes = kPage;
        state.hello(hello);
    }
};

}  // namespace

class NativeLiveStateTest : public QObject {
    Q_OBJECT

private slots:
    void heapBlock_makesAllocateAndFreeEventsWithItsAddressAndTag() {
        Fixture f;
        f.state.allocated(allocation(0x1000, 48, 3, HeapCall::New));
        f.state.released(release(0x1000));
        QCOMPARE(f.events.size(), std::size_t{2});
        const MemoryEvent& made = f.events[0];
        QCOMPARE(made.kind, MemoryEventKind::UnpooledAllocate);
        QCOMPARE(made.tier, MemoryTier::NativeHeap);
        QCOMPARE(made.bytes, std::uint64_t{48});
        QCOMPARE(made.address(), std::uint64_t{0x1000});
        QCOMPARE(made.stackId, StackId{3});
        QCOMPARE(made.threadId, std::uint32_t{7});
        QCOMPARE(f.stacks.tagName(made.tagId()), std::string("new"));
        QCOMPARE(f.events[1].kind, MemoryEventKind::UnpooledFree);
        QCOMPARE(f.events[1].allocationId, made.allocationId);
        QCOMPARE(f.state.totals().heapBlocks, std::uint64_t{0});
    }

    void heapBlock_madeAgainAtItsAddressIsFirstFreed() {
        Fixture f;
        f.state.allocated(allocation(0x1000, 10, 1));
        f.state.allocated(allocation(0x1000, 20, 2));
        QCOMPARE(f.events.size(), std::size_t{3});
        QCOMPARE(f.events[1].kind, MemoryEventKind::UnpooledFree);
        QVERIFY(f.events[2].allocationId != f.events[0].allocationId);
        QCOMPARE(f.state.totals().heapBytes, std::uint64_t{20});
    }

    void freeOfUnknownBlock_makesNoEvent() {
        Fixture f;
        f.state.released(release(0x5000));
        f.state.released(release(0));
        QVERIFY(f.events.empty());
    }

    void partialMunmap_keepsWhatRemainsUnderItsStack() {
        Fixture f;
        f.state.mapped(mapping(0x10000, 3 * kPage, 5));
        f.state.unmapped(unmapping(0x10000 + kPage, kPage));
        const std::vector<NativeLiveState::LiveItem> live = f.state.liveItems();
        QCOMPARE(live.size(), std::size_t{2});
        QCOMPARE(live[0].address, std::uint64_t{0x10000});
        QCOMPARE(live[0].bytes, kPage);
        QCOMPARE(live[1].address, std::uint64_t{0x10000 + 2 * kPage});
        QCOMPARE(live[1].bytes, kPage);
        for (const NativeLiveState::LiveItem& item : live) {
            QCOMPARE(item.stackId, StackId{5});
            QCOMPARE(item.tier, MemoryTier::Mapped);
        }
        QCOMPARE(f.state.totals().mappedBytes, 2 * kPage);
        // Every byte given out was given back or is still live: the events balance.
        std::int64_t balance = 0;
        for (const MemoryEvent& event : f.events) {
            balance += event.kind == MemoryEventKind::UnpooledAllocate
                           ? static_cast<std::int64_t>(event.bytes)
                           : -static_cast<std::int64_t>(event.bytes);
        }
        QCOMPARE(balance, static_cast<std::int64_t>(2 * kPage));
    }

    void munmapAcrossMappings_givesBackEachItCovers() {
        Fixture f;
        f.state.mapped(mapping(0x10000, kPage, 1));
        f.state.mapped(mapping(0x11000, 2 * kPage, 2));
        f.state.unmapped(unmapping(0x10000, 2 * kPage));
        const std::vector<NativeLiveState::LiveItem> live = f.state.liveItems();
        QCOMPARE(live.size(), std::size_t{1});
        QCOMPARE(live[0].address, std::uint64_t{0x12000});
        QCOMPARE(live[0].stackId, StackId{2});
    }

    void mremap_movesTheMappingUnderTheRemapsStack() {
        Fixture f;
        f.state.mapped(mapping(0x10000, kPage, 1));
        Remapping record{};
        record.header = header(RecordKind::Remap);
        record.oldAddress = 0x10000;
        record.oldBytes = kPage;
        record.newAddress = 0x80000;
        record.newBytes = 4 * kPage;
        record.stackId = 9;
        f.state.remapped(record);
        const std::vector<NativeLiveState::LiveItem> live = f.state.liveItems();
        QCOMPARE(live.size(), std::size_t{1});
        QCOMPARE(live[0].address, std::uint64_t{0x80000});
        QCOMPARE(live[0].bytes, 4 * kPage);
        QCOMPARE(f.stacks.tagName(live[0].tagId), std::string("mremap"));
    }

    void descriptor_keepsItsPathUntilClosedAndCountsNoBytes() {
        Fixture f;
        f.state.descriptorOpened(opened(5, 2), "/tmp/data.txt");
        f.state.descriptorOpened(opened(6, 3, DescriptorCall::Socket), "");
        f.state.descriptorClosed(closed(6));
        const std::vector<NativeLiveState::Descriptor> open = f.state.openDescriptors();
        QCOMPARE(open.size(), std::size_t{1});
        QCOMPARE(open[0].fd, 5);
        QCOMPARE(open[0].path, std::string("/tmp/data.txt"));
        QCOMPARE(open[0].stackId, StackId{2});
        QCOMPARE(f.stacks.tagName(open[0].tagId), std::string("file"));
        QCOMPARE(f.events[0].tier, MemoryTier::Descriptor);
        QCOMPARE(f.events[0].bytes, std::uint64_t{0});
        QCOMPARE(f.events[0].address(), std::uint64_t{5});
        QCOMPARE(f.stacks.tagName(f.events[1].tagId()), std::string("socket"));
    }

    void descriptor_openedAgainOverAnOpenOneClosesItFirst() {
        Fixture f;
        f.state.descriptorOpened(opened(5, 2), "/a");
        f.state.descriptorOpened(opened(5, 3, DescriptorCall::Dup), "/b");
        QCOMPARE(f.events.size(), std::size_t{3});
        QCOMPARE(f.events[1].kind, MemoryEventKind::UnpooledFree);
        QCOMPARE(f.state.openDescriptors().at(0).path, std::string("/b"));
    }

    void stack_namesFramesByModuleAndOffset() {
        Fixture f;
        ModuleRecord module{};
        module.header = header(RecordKind::Module);
        module.index = 4;
        module.loadAddress = 0x400000;
        module.startAddress = 0x401000;
        module.endAddress = 0x402000;
        f.state.module(module, "/usr/bin/program");
        StackRecord stack{};
        stack.header = header(RecordKind::Stack);
        stack.stackId = 1;
        stack.depth = 2;
        const std::uint64_t addresses[] = {0x401234, 0x900000};
        f.state.stack(stack, addresses);
        const std::vector<LocatedFrame> frames = f.stacks.stack(1);
        QCOMPARE(frames.size(), std::size_t{2});
        QVERIFY(frames[0].location.has_value());
        QCOMPARE(frames[0].location->module, std::uint32_t{4});
        QCOMPARE(frames[0].location->offset, std::uint64_t{0x1234});
        QVERIFY(!frames[1].location.has_value());
        QCOMPARE(f.stacks.module(4).path, std::string("/usr/bin/program"));
    }

    void exec_followedByTheNewImagesHello_givesBackTheHeapAndMappingsButNotDescriptors() {
        Fixture f;
        f.state.allocated(allocation(0x1000, 10, 1));
        f.state.mapped(mapping(0x10000, kPage, 1));
        f.state.descriptorOpened(opened(5, 2), "/a");
        f.state.process(exec(0));
        // Until the exec is known to have worked, the old image still holds all of it.
        QCOMPARE(f.state.totals().heapBlocks, std::uint64_t{1});
        QCOMPARE(f.state.totals().mappings, std::uint64_t{1});
        const std::size_t before = f.events.size();
        f.state.hello(helloAt(500));
        const NativeLiveState::Totals totals = f.state.totals();
        QCOMPARE(totals.heapBlocks, std::uint64_t{0});
        QCOMPARE(totals.mappings, std::uint64_t{0});
        QCOMPARE(totals.descriptors, std::uint64_t{1});
        QCOMPARE(f.state.images(), std::uint32_t{2});
        QCOMPARE(f.events.size(), before + 2);
        for (std::size_t i = before; i < f.events.size(); ++i) {
            QCOMPARE(f.events[i].kind, MemoryEventKind::UnpooledFree);
            QCOMPARE(f.events[i].timeNanoseconds, std::int64_t{500});
        }
    }

    void exec_closesTheDescriptorsTheTracerFoundGone_whicheverComesFirst() {
        for (const bool tracerFirst : {true, false}) {
            Fixture f;
            f.state.descriptorOpened(opened(5, 2), "/close-on-exec");
            f.state.descriptorOpened(opened(6, 2), "/inherited");
            f.state.process(exec(0));
            if (tracerFirst) {
                // The tracer reads the new image's descriptors before it runs, often before
                // the stream shows the exec worked: nothing is closed until it has.
                f.state.descriptorsAfterExec({6, 2, 1, 0});
                QCOMPARE(f.state.totals().descriptors, std::uint64_t{2});
                f.state.hello(helloAt(500));
            } else {
                f.state.hello(helloAt(500));
                QCOMPARE(f.state.totals().descriptors, std::uint64_t{2});
                f.state.descriptorsAfterExec({0, 1, 2, 6});
            }
            const std::vector<NativeLiveState::Descriptor> open = f.state.openDescriptors();
            QCOMPARE(open.size(), std::size_t{1});
            QCOMPARE(open.front().fd, 6);
            QCOMPARE(f.events.back().kind, MemoryEventKind::UnpooledFree);
            QCOMPARE(f.events.back().tier, MemoryTier::Descriptor);
            QCOMPARE(f.events.back().value2, std::uint64_t{5});
        }
    }

    void exec_descriptorsOfALaterExec_waitForThatExec() {
        Fixture f;
        f.state.descriptorOpened(opened(5, 2), "/a");
        f.state.descriptorOpened(opened(6, 2), "/b");
        f.state.process(exec(0));
        f.state.descriptorsAfterExec({5, 6});
        f.state.descriptorsAfterExec({6});
        f.state.hello(helloAt(500));
        QCOMPARE(f.state.totals().descriptors, std::uint64_t{2});
        f.state.process(exec(0));
        f.state.hello(helloAt(900));
        QCOMPARE(f.state.openDescriptors().size(), std::size_t{1});
        QCOMPARE(f.state.openDescriptors().front().fd, 6);
    }

    void dupOntoAStandardStream_isNoDescriptorToLeak() {
        Fixture f;
        f.state.descriptorOpened(opened(2, 3, DescriptorCall::Dup), "/dev/null");
        f.state.descriptorOpened(opened(1, 3, DescriptorCall::Dup), "/tmp/log");
        QCOMPARE(f.state.totals().descriptors, std::uint64_t{0});
        // An open that lands on a standard stream's number (the stream was closed) is a file
        // like any other, and a dup onto another number a descriptor like any other.
        f.state.descriptorOpened(opened(0, 3), "/tmp/data");
        f.state.descriptorOpened(opened(7, 3, DescriptorCall::Dup), "/tmp/data");
        QCOMPARE(f.state.totals().descriptors, std::uint64_t{2});
        // A dup onto a standard stream that was a tracked file closes that file.
        f.state.descriptorOpened(opened(0, 3, DescriptorCall::Dup), "/dev/null");
        QCOMPARE(f.state.openDescriptors().size(), std::size_t{1});
        QCOMPARE(f.state.openDescriptors().front().fd, 7);
    }

    void exec_thatFailed_keepsWhatTheImageHolds() {
        Fixture f;
        f.state.allocated(allocation(0x1000, 10, 1));
        f.state.process(exec(0));
        f.state.process(exec(ENOENT));
        f.state.streamEnded();
        QCOMPARE(f.state.totals().heapBlocks, std::uint64_t{1});
        QCOMPARE(f.state.images(), std::uint32_t{1});
        QCOMPARE(f.state.liveItems().size(), std::size_t{1});
    }

    void exec_intoAnImageWithoutTheInterposer_givesBackTheHeapWhenTheStreamEnds() {
        Fixture f;
        f.state.allocated(allocation(0x1000, 10, 1));
        f.state.process(exec(0));
        f.state.streamEnded();
        QCOMPARE(f.state.totals().heapBlocks, std::uint64_t{0});
        QVERIFY(f.state.liveItems().empty());
        // A stream that ends without an exec under way keeps what was left: those are leaks.
        Fixture g;
        g.state.allocated(allocation(0x1000, 10, 1));
        g.state.streamEnded();
        QCOMPARE(g.state.totals().heapBlocks, std::uint64_t{1});
    }

    void newImage_numbersItsStacksAndModulesAfterTheOldOnes() {
        Fixture f;
        f.state.module(moduleAt(0, 0x400000), "/usr/bin/sh");
        f.state.stack(stackRecord(1), std::vector<std::uint64_t>{0x400100});
        f.state.stack(stackRecord(2), std::vector<std::uint64_t>{0x400200});
        f.state.process(exec(0));
        f.state.hello(helloAt(500));
        // The new image's interposer starts again at module 0 and stack 1.
        f.state.module(moduleAt(0, 0x400000), "/usr/bin/program");
        f.state.stack(stackRecord(1), std::vector<std::uint64_t>{0x400300});
        f.state.allocated(allocation(0x2000, 20, 1));
        const MemoryEvent& made = f.events.back();
        QCOMPARE(made.stackId, StackId{3});
        const std::vector<LocatedFrame> oldFrames = f.stacks.stack(1);
        const std::vector<LocatedFrame> newFrames = f.stacks.stack(3);
        QCOMPARE(oldFrames.size(), std::size_t{1});
        QCOMPARE(newFrames.size(), std::size_t{1});
        QCOMPARE(f.stacks.module(oldFrames[0].location->module).path, std::string("/usr/bin/sh"));
        QCOMPARE(f.stacks.module(newFrames[0].location->module).path,
                 std::string("/usr/bin/program"));
        QCOMPARE(newFrames[0].location->offset, std::uint64_t{0x300});
    }

    void dropped_countsTheInterposersLostRecords() {
        Fixture f;
        DroppedRecords dropped{};
        dropped.header = header(RecordKind::Dropped);
        dropped.records = 12;
        f.state.dropped(dropped);
        f.state.dropped(dropped);
        QCOMPARE(f.state.droppedRecords(), std::uint64_t{24});
    }
};

QTEST_GUILESS_MAIN(NativeLiveStateTest)
#include "NativeLiveStateTest.moc"
