#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "diagnostics/MemoryEvent.h"
#include "link/LinkStackTable.h"
#include "native/PreloadStreamDecoder.h"

namespace poolscope {

// What a launched program holds, kept from its interposer's records, and the MemoryEvents they
// make: UnpooledAllocate/UnpooledFree with the tier NativeHeap for heap blocks, Mapped for
// mappings and Descriptor for descriptors (bytes 0), each live item with an allocationId of its
// own, its address (or descriptor number) in value2 and the call that made it as its tag.
// Modules and stacks go to the stack table, named from the program's binaries.
//
// A munmap of part of a mapping, or an mremap, gives back what it covers; what remains of the
// mapping stays live under the stack that made it, as new items. A block or descriptor made
// again before it was seen to go (a lost record, dup2 onto an open descriptor) is first given
// back, so nothing is counted twice. Not thread-safe: its owner serializes.
class NativeLiveState final : public PreloadRecordVisitor {
public:
    struct Descriptor {
        int fd = -1;
        std::string path;
        StackId stackId = 0;
        std::uint16_t tagId = 0;
        AllocationId allocationId = 0;
        std::int64_t openedNanoseconds = 0;
    };

    // A block, mapping or descriptor still live: at the end, what the program left behind.
    struct LiveItem {
        AllocationId allocationId = 0;
        MemoryTier tier = MemoryTier::NativeHeap;
        std::uint64_t bytes = 0;
        std::uint64_t address = 0;  // the descriptor's number for a descriptor
        StackId stackId = 0;
        std::uint16_t tagId = 0;
    };

    struct Totals {
        std::uint64_t heapBlocks = 0;
        std::uint64_t heapBytes = 0;
        std::uint64_t mappings = 0;
        std::uint64_t mappedBytes = 0;
        std::uint64_t descriptors = 0;
    };

    // Registers the call tags in `stacks`.
    explicit NativeLiveState(LinkStackTable& stacks);

    // Where the events of the records visited from now on go.
    void setOutput(std::vector<MemoryEvent>* out) { out_ = out; }

    Totals totals() const;
    std::vector<Descriptor> openDescriptors() const;
    // In the order they were made.
    std::vector<LiveItem> liveItems() const;
    std::uint64_t droppedRecords() const { return droppedRecords_; }
    // The interposer's hello arrived; its pid and clock.
    bool helloSeen() const { return helloSeen_; }
    std::uint32_t pid() const { return pid_; }
    std::int64_t latestNanoseconds() const { return latestNanoseconds_; }
    // The program said how it ends: exit() with a status, or a fatal signal.
    std::int64_t exitStatus() const { return exitStatus_; }
    // How many program images the stream has shown: 1, and one more for each exec followed.
    std::uint32_t images() const { return images_; }
    // How many images said hello: the launched one and each exec'd one the interposer went
    // with (an exec into an image without it replaces the image but says nothing).
    std::uint32_t hellos() const { return hellos_; }
    // The stream ended: after an exec into an image the interposer is not in (a static or setuid
    // program, an environment without the stream), the old image's memory went with the exec.
    void streamEnded();
    // The descriptors open in the image an exec made, as the tracer found them before that
    // image ran (/proc/PID/fd at the exec): those the program had made close-on-exec went with
    // the exec, which the records do not say. Told once for each exec that worked, in order,
    // before or after the stream shows the exec; applied when both have come.
    void descriptorsAfterExec(std::vector<int> open);
    int crashSignal() const { return crashSignal_; }

    // The tag the stack table names a call by.
    static std::uint16_t heapTag(PreloadWire::HeapCall call);
    static std::uint16_t mappingTag(bool remapped);
    static std::uint16_t descriptorTag(PreloadWire::DescriptorCall call);

    void hello(const PreloadWire::Hello& hello) override;
    void allocated(const PreloadWire::Allocation& record) override;
    void released(const PreloadWire::Release& record) override;
    void mapped(const PreloadWire::Mapping& record) override;
    void unmapped(const PreloadWire::Unmapping& record) override;
    void remapped(const PreloadWire::Remapping& record) override;
    void descriptorOpened(const PreloadWire::DescriptorOpened& record,
                          std::string_view path) override;
    void descriptorClosed(const PreloadWire::DescriptorClosed& record) override;
    void stack(const PreloadWire::StackRecord& record,
               std::span<const std::uint64_t> returnAddresses) override;
    void module(const PreloadWire::ModuleRecord& record, std::string_view path) override;
    void dropped(const PreloadWire::DroppedRecords& record) override;
    void process(const PreloadWire::ProcessEvent& record) override;

private:
    struct Item {
        AllocationId allocationId = 0;
        std::uint64_t bytes = 0;
        StackId stackId = 0;
        std::uint16_t tagId = 0;
    };
    struct Region : Item {
        std::uint64_t end = 0;  // one past the last byte
    };
    struct ModuleRange {
        std::uint32_t index = 0;
        std::uint64_t loadAddress = 0;
        std::uint64_t end = 0;
    };

    void publish(MemoryEventKind kind, MemoryTier tier, const Item& item, std::uint64_t address,
                 const PreloadWire::RecordHeader& header);
    void seen(const PreloadWire::RecordHeader& header);
    void addRegion(std::uint64_t address, Region region, const PreloadWire::RecordHeader& header);
    void removeRange(std::uint64_t address, std::uint64_t bytes,
                     const PreloadWire::RecordHeader& header);
    void closeDescriptor(int fd, const PreloadWire::RecordHeader& header);
    void replaceImage(std::int64_t timeNanoseconds);
    void closeDescriptorsGoneWithExecs();
    // The stack id of the current image's `id` among all images' (0 stays "none").
    StackId stackOf(std::uint32_t id) const { return id == 0 ? 0 : id + stackBase_; }

    LinkStackTable& stacks_;
    std::vector<MemoryEvent>* out_ = nullptr;
    AllocationId nextAllocationId_ = 1;
    std::unordered_map<std::uint64_t, Item> heap_;
    std::map<std::uint64_t, Region> regions_;  // by start address, never overlapping
    std::unordered_map<int, Descriptor> descriptors_;
    std::map<std::uint64_t, ModuleRange> modules_;  // by start address
    std::uint64_t heapBytes_ = 0;
    std::uint64_t mappedBytes_ = 0;
    std::uint64_t droppedRecords_ = 0;
    bool helloSeen_ = false;
    std::uint32_t pid_ = 0;
    std::uint64_t pageBytes_ = 4096;
    std::int64_t latestNanoseconds_ = 0;
    std::int64_t exitStatus_ = -1;
    int crashSignal_ = 0;
    bool execPending_ = false;
    std::uint32_t images_ = 1;
    // Per exec the tracer saw and the stream has not yet shown, the descriptors left open.
    std::deque<std::vector<int>> openAfterExec_;
    std::uint32_t execsSettled_ = 0;  // the execs whose close-on-exec descriptors are closed
    std::uint32_t hellos_ = 0;
    StackId stackBase_ = 0;
    StackId lastStackId_ = 0;
    std::uint32_t moduleBase_ = 0;
    std::uint32_t moduleEnd_ = 0;
};

}  // namespace poolscope
