#include "native/NativeLiveState.h"

#include <algorithm>
#include <iterator>

namespace poolscope {

namespace {

using PreloadWire::DescriptorCall;
using PreloadWire::HeapCall;

// Tags by call: heap calls keep their wire numbers, mappings and descriptors follow apart.
constexpr std::uint16_t kMappingTag = 32;
constexpr std::uint16_t kRemappingTag = 33;
constexpr std::uint16_t kDescriptorTagBase = 64;

struct TagName {
    std::uint16_t id;
    const char* name;
};

constexpr TagName kTags[] = {
    {static_cast<std::uint16_t>(HeapCall::Malloc), "malloc"},
    {static_cast<std::uint16_t>(HeapCall::Calloc), "calloc"},
    {static_cast<std::uint16_t>(HeapCall::Realloc), "realloc"},
    {static_cast<std::uint16_t>(HeapCall::PosixMemalign), "posix_memalign"},
    {static_cast<std::uint16_t>(HeapCall::AlignedAlloc), "aligned_alloc"},
    {static_cast<std::uint16_t>(HeapCall::Memalign), "memalign"},
    {static_cast<std::uint16_t>(HeapCall::Valloc), "valloc"},
    {static_cast<std::uint16_t>(HeapCall::Pvalloc), "pvalloc"},
    {static_cast<std::uint16_t>(HeapCall::New), "new"},
    {static_cast<std::uint16_t>(HeapCall::NewArray), "new[]"},
    {kMappingTag, "mmap"},
    {kRemappingTag, "mremap"},
    {kDescriptorTagBase + static_cast<std::uint16_t>(DescriptorCall::Open), "file"},
    {kDescriptorTagBase + static_cast<std::uint16_t>(DescriptorCall::Fopen), "fopen"},
    {kDescriptorTagBase + static_cast<std::uint16_t>(DescriptorCall::Socket), "socket"},
    {kDescriptorTagBase + static_cast<std::uint16_t>(DescriptorCall::Accept), "accept"},
    {kDescriptorTagBase + static_cast<std::uint16_t>(DescriptorCall::Pipe), "pipe"},
    {kDescriptorTagBase + static_cast<std::uint16_t>(DescriptorCall::Dup), "dup"},
    {kDescriptorTagBase + static_cast<std::uint16_t>(DescriptorCall::EventFd), "eventfd"},
};

}  // namespace

NativeLiveState::NativeLiveState(LinkStackTable& stacks) : stacks_(stacks) {
    for (const TagName& tag : kTags) {
        stacks_.add(LinkTag{tag.id, tag.name});
    }
}

std::uint16_t NativeLiveState::heapTag(PreloadWire::HeapCall call) {
    return static_cast<std::uint16_t>(call);
}

std::uint16_t NativeLiveState::mappingTag(bool remapped) {
    return remapped ? kRemappingTag : kMappingTag;
}

std::uint16_t NativeLiveState::descriptorTag(PreloadWire::DescriptorCall call) {
    return static_cast<std::uint16_t>(kDescriptorTagBase + static_cast<std::uint16_t>(call));
}

NativeLiveState::Totals NativeLiveState::totals() const {
    return {heap_.size(), heapBytes_, regions_.size(), mappedBytes_, descriptors_.size()};
}

std::vector<NativeLiveState::Descriptor> NativeLiveState::openDescriptors() const {
    std::vector<Descriptor> open;
    open.reserve(descriptors_.size());
    for (const auto& [fd, descriptor] : descriptors_) {
        open.push_back(descriptor);
    }
    std::sort(open.begin(), open.end(),
              [](const Descriptor& a, const Descriptor& b) { return a.fd < b.fd; });
    return open;
}

std::vector<NativeLiveState::LiveItem> NativeLiveState::liveItems() const {
    std::vector<LiveItem> items;
    items.reserve(heap_.size() + regions_.size() + descriptors_.size());
    for (const auto& [address, item] : heap_) {
        items.push_back({item.allocationId, MemoryTier::NativeHeap, item.bytes, address,
                         item.stackId, item.tagId});
    }
    for (const auto& [address, region] : regions_) {
        items.push_back({region.allocationId, MemoryTier::Mapped, region.bytes, address,
                         region.stackId, region.tagId});
    }
    for (const auto& [fd, descriptor] : descriptors_) {
        items.push_back({descriptor.allocationId, MemoryTier::Descriptor, 0,
                         static_cast<std::uint64_t>(fd), descriptor.stackId, descriptor.tagId});
    }
    std::sort(items.begin(), items.end(),
              [](const LiveItem& a, const LiveItem& b) { return a.allocationId < b.allocationId; });
    return items;
}

void NativeLiveState::publish(MemoryEventKind kind, MemoryTier tier, const Item& item,
                              std::uint64_t address, const PreloadWire::RecordHeader& header) {
    if (!out_) {
        return;
    }
    MemoryEvent event;
    event.timeNanoseconds = header.timeNanoseconds;
    event.allocationId = item.allocationId;
    event.bytes = item.bytes;
    event.value = item.tagId;
    event.value2 = address;
    event.stackId = item.stackId;
    event.threadId = header.threadId;
    event.chunkCount = 1;
    event.kind = kind;
    event.tier = tier;
    out_->push_back(event);
}

void NativeLiveState::seen(const PreloadWire::RecordHeader& header) {
    latestNanoseconds_ = std::max(latestNanoseconds_, header.timeNanoseconds);
}

void NativeLiveState::hello(const PreloadWire::Hello& hello) {
    if (helloSeen_) {
        replaceImage(hello.startNanoseconds);
    }
    helloSeen_ = true;
    ++hellos_;
    pid_ = hello.pid;
    if (hello.pageBytes != 0) {
        pageBytes_ = hello.pageBytes;
    }
    latestNanoseconds_ = std::max(latestNanoseconds_, hello.startNanoseconds);
}

void NativeLiveState::allocated(const PreloadWire::Allocation& record) {
    seen(record.header);
    if (record.address == 0) {
        return;
    }
    if (const auto old = heap_.find(record.address); old != heap_.end()) {
        // Its free was lost: the block went before this one took its place.
        publish(MemoryEventKind::UnpooledFree, MemoryTier::NativeHeap, old->second, old->first,
                record.header);
        heapBytes_ -= old->second.bytes;
        heap_.erase(old);
    }
    const Item item{nextAllocationId_++, record.bytes, stackOf(record.stackId),
                    heapTag(static_cast<PreloadWire::HeapCall>(record.header.call))};
    heap_.emplace(record.address, item);
    heapBytes_ += item.bytes;
    publish(MemoryEventKind::UnpooledAllocate, MemoryTier::NativeHeap, item, record.address,
            record.header);
}

void NativeLiveState::released(const PreloadWire::Release& record) {
    seen(record.header);
    const auto it = heap_.find(record.address);
    if (it == heap_.end()) {
        return;  // free(NULL), or a block made before the interposer was ready
    }
    publish(MemoryEventKind::UnpooledFree, MemoryTier::NativeHeap, it->second, it->first,
            record.header);
    heapBytes_ -= it->second.bytes;
    heap_.erase(it);
}

void NativeLiveState::addRegion(std::uint64_t address, Region region,
                                const PreloadWire::RecordHeader& header) {
    // A MAP_FIXED mapping replaces what it covers.
    removeRange(address, region.end - address, header);
    region.allocationId = nextAllocationId_++;
    region.bytes = region.end - address;
    mappedBytes_ += region.bytes;
    publish(MemoryEventKind::UnpooledAllocate, MemoryTier::Mapped, region, address, header);
    regions_.emplace(address, region);
}

void NativeLiveState::removeRange(std::uint64_t address, std::uint64_t bytes,
                                  const PreloadWire::RecordHeader& header) {
    // The kernel unmaps whole pages.
    const std::uint64_t end = (address + bytes + pageBytes_ - 1) / pageBytes_ * pageBytes_;
    auto it = regions_.upper_bound(address);
    if (it != regions_.begin()) {
        --it;
    }
    std::vector<std::pair<std::uint64_t, Region>> remainders;
    while (it != regions_.end() && it->first < end) {
        if (it->second.end <= address) {
            ++it;
            continue;
        }
        const std::uint64_t start = it->first;
        const Region region = it->second;
        publish(MemoryEventKind::UnpooledFree, MemoryTier::Mapped, region, start, header);
        mappedBytes_ -= region.bytes;
        it = regions_.erase(it);
        if (start < address) {
            Region left = region;
            left.end = address;
            remainders.emplace_back(start, left);
        }
        if (region.end > end) {
            remainders.emplace_back(end, region);
        }
    }
    // What the call did not cover stays mapped, under the stack that mapped it.
    for (auto& [start, remainder] : remainders) {
        remainder.allocationId = nextAllocationId_++;
        remainder.bytes = remainder.end - start;
        mappedBytes_ += remainder.bytes;
        publish(MemoryEventKind::UnpooledAllocate, MemoryTier::Mapped, remainder, start, header);
        regions_.emplace(start, remainder);
    }
}

void NativeLiveState::mapped(const PreloadWire::Mapping& record) {
    seen(record.header);
    if (record.bytes == 0) {
        return;
    }
    Region region;
    region.stackId = stackOf(record.stackId);
    region.tagId = mappingTag(false);
    region.end = record.address + record.bytes;
    addRegion(record.address, region, record.header);
}

void NativeLiveState::unmapped(const PreloadWire::Unmapping& record) {
    seen(record.header);
    removeRange(record.address, record.bytes, record.header);
}

void NativeLiveState::remapped(const PreloadWire::Remapping& record) {
    seen(record.header);
    removeRange(record.oldAddress, record.oldBytes, record.header);
    if (record.newBytes == 0) {
        return;
    }
    Region region;
    region.stackId = stackOf(record.stackId);
    region.tagId = mappingTag(true);
    region.end = record.newAddress + record.newBytes;
    addRegion(record.newAddress, region, record.header);
}

void NativeLiveState::closeDescriptor(int fd, const PreloadWire::RecordHeader& header) {
    const auto it = descriptors_.find(fd);
    if (it == descriptors_.end()) {
        return;  // inherited, or opened before the interposer was ready
    }
    const Item item{it->second.allocationId, 0, it->second.stackId, it->second.tagId};
    publish(MemoryEventKind::UnpooledFree, MemoryTier::Descriptor, item,
            static_cast<std::uint64_t>(fd), header);
    descriptors_.erase(it);
}

void NativeLiveState::descriptorOpened(const PreloadWire::DescriptorOpened& record,
                                       std::string_view path) {
    seen(record.header);
    if (record.fd < 0) {
        return;
    }
    // dup2 onto an open descriptor closes it first.
    closeDescriptor(record.fd, record.header);
    // A dup onto a standard stream (a shell's `2>/dev/null`, a daemon sending its output to a
    // log) says where that stream goes: the stream is the process's for its whole life, open at
    // its end by design, not a resource it leaks.
    if (record.fd <= 2 && static_cast<DescriptorCall>(record.header.call) == DescriptorCall::Dup) {
        return;
    }
    Descriptor descriptor;
    descriptor.fd = record.fd;
    descriptor.path = std::string(path);
    descriptor.stackId = stackOf(record.stackId);
    descriptor.tagId = descriptorTag(static_cast<PreloadWire::DescriptorCall>(record.header.call));
    descriptor.allocationId = nextAllocationId_++;
    descriptor.openedNanoseconds = record.header.timeNanoseconds;
    const Item item{descriptor.allocationId, 0, descriptor.stackId, descriptor.tagId};
    descriptors_.emplace(record.fd, std::move(descriptor));
    publish(MemoryEventKind::UnpooledAllocate, MemoryTier::Descriptor, item,
            static_cast<std::uint64_t>(record.fd), record.header);
}

void NativeLiveState::descriptorClosed(const PreloadWire::DescriptorClosed& record) {
    seen(record.header);
    closeDescriptor(record.fd, record.header);
}

void NativeLiveState::stack(const PreloadWire::StackRecord& record,
                            std::span<const std::uint64_t> returnAddresses) {
    LinkStack stack;
    stack.id = stackOf(record.stackId);
    lastStackId_ = std::max(lastStackId_, stack.id);
    stack.frames.reserve(returnAddresses.size());
    for (const std::uint64_t address : returnAddresses) {
        LinkStackFrame frame;
        frame.address = address;
        auto it = modules_.upper_bound(address);
        if (it != modules_.begin() && std::prev(it)->second.end > address) {
            const ModuleRange& range = std::prev(it)->second;
            frame.module = range.index;
            frame.offset = address - range.loadAddress;
        }
        stack.frames.push_back(frame);
    }
    stacks_.add(stack);
}

void NativeLiveState::module(const PreloadWire::ModuleRecord& record, std::string_view path) {
    LinkModule module;
    module.index = record.index + moduleBase_;
    moduleEnd_ = std::max(moduleEnd_, module.index + 1);
    module.module.path = std::string(path);
    module.module.loadAddress = record.loadAddress;
    stacks_.add(module);
    modules_[record.startAddress] = {module.index, record.loadAddress, record.endAddress};
}

void NativeLiveState::streamEnded() {
    if (execPending_) {
        replaceImage(latestNanoseconds_);
    }
}

void NativeLiveState::replaceImage(std::int64_t timeNanoseconds) {
    // The new image starts with a heap and mappings of its own: what the old one held went with
    // it, by the exec, not lost by the program. Descriptors without close-on-exec stay; which
    // those are the tracer says (descriptorsAfterExec). Its interposer numbers stacks and
    // modules from the start again: they follow the old image's.
    PreloadWire::RecordHeader header{};
    header.timeNanoseconds = timeNanoseconds;
    for (const auto& [address, item] : heap_) {
        publish(MemoryEventKind::UnpooledFree, MemoryTier::NativeHeap, item, address, header);
    }
    for (const auto& [address, region] : regions_) {
        publish(MemoryEventKind::UnpooledFree, MemoryTier::Mapped, region, address, header);
    }
    heap_.clear();
    regions_.clear();
    heapBytes_ = 0;
    mappedBytes_ = 0;
    modules_.clear();
    stackBase_ = lastStackId_;
    moduleBase_ = moduleEnd_;
    execPending_ = false;
    ++images_;
    closeDescriptorsGoneWithExecs();
}

void NativeLiveState::descriptorsAfterExec(std::vector<int> open) {
    std::sort(open.begin(), open.end());
    openAfterExec_.push_back(std::move(open));
    closeDescriptorsGoneWithExecs();
}

void NativeLiveState::closeDescriptorsGoneWithExecs() {
    // Exec k is settled once the stream has shown image k + 1 and the tracer its descriptors.
    while (!openAfterExec_.empty() && execsSettled_ + 1 < images_) {
        const std::vector<int>& open = openAfterExec_.front();
        std::vector<int> gone;
        for (const auto& [fd, descriptor] : descriptors_) {
            if (!std::binary_search(open.begin(), open.end(), fd)) {
                gone.push_back(fd);
            }
        }
        std::sort(gone.begin(), gone.end());
        PreloadWire::RecordHeader header{};
        header.timeNanoseconds = latestNanoseconds_;
        for (const int fd : gone) {
            closeDescriptor(fd, header);
        }
        openAfterExec_.pop_front();
        ++execsSettled_;
    }
}

void NativeLiveState::dropped(const PreloadWire::DroppedRecords& record) {
    seen(record.header);
    droppedRecords_ += record.records;
}

void NativeLiveState::process(const PreloadWire::ProcessEvent& record) {
    seen(record.header);
    switch (record.header.kind) {
        case PreloadWire::RecordKind::Exec:
            // The image is replaced only once the exec succeeded: when the new image says hello
            // or, in an image the interposer is not in, when the stream ends.
            execPending_ = record.value == 0;
            break;
        case PreloadWire::RecordKind::Exit:
            exitStatus_ = record.value;
            break;
        case PreloadWire::RecordKind::Crash:
            crashSignal_ = static_cast<int>(record.value);
            break;
        default:
            break;
    }
}

}  // namespace poolscope
