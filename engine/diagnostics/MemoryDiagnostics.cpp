#include "diagnostics/MemoryDiagnostics.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <unordered_map>

#include "diagnostics/AllocationRegistry.h"
#include "diagnostics/StackFrameSelection.h"
#include "diagnostics/StackTable.h"
#include "diagnostics/Symbolizer.h"

namespace poolscope {

namespace {

std::atomic<int> g_captureRequests{0};

struct CallbackList {
    std::mutex mutex;
    std::map<std::uint64_t, MemoryDiagnostics::UndisposedCallback> callbacks;
    std::uint64_t nextKey = 1;
};

CallbackList& callbackList() {
    static CallbackList* list = new CallbackList();
    return *list;
}

struct TagTable {
    std::mutex mutex;
    std::vector<std::string> names{""};
    std::unordered_map<std::string, std::uint16_t> ids;
};

TagTable& tagTable() {
    static TagTable* table = new TagTable();
    return *table;
}

thread_local std::uint16_t t_currentTag = 0;

class UndisposedSubscription final : public MemoryDiagnostics::Subscription {
public:
    explicit UndisposedSubscription(std::uint64_t key) : key_(key) {}
    ~UndisposedSubscription() override {
        {
            CallbackList& list = callbackList();
            std::lock_guard lock(list.mutex);
            list.callbacks.erase(key_);
        }
        g_captureRequests.fetch_sub(1);
    }

private:
    std::uint64_t key_;
};

class CaptureRequest final : public MemoryDiagnostics::Subscription {
public:
    CaptureRequest() { g_captureRequests.fetch_add(1); }
    ~CaptureRequest() override { g_captureRequests.fetch_sub(1); }
};

}  // namespace

std::int64_t MemoryDiagnostics::totalUndisposedAllocationCount() {
    return AllocationRegistry::instance().undisposedCount();
}

std::unique_ptr<MemoryDiagnostics::Subscription> MemoryDiagnostics::subscribeUndisposed(
    UndisposedCallback callback) {
    CallbackList& list = callbackList();
    std::uint64_t key = 0;
    {
        std::lock_guard lock(list.mutex);
        key = list.nextKey++;
        list.callbacks.emplace(key, std::move(callback));
    }
    g_captureRequests.fetch_add(1);
    return std::make_unique<UndisposedSubscription>(key);
}

std::unique_ptr<MemoryDiagnostics::Subscription> MemoryDiagnostics::enableStackCapture() {
    return std::make_unique<CaptureRequest>();
}

bool MemoryDiagnostics::stackCaptureActive() {
    return g_captureRequests.load(std::memory_order_relaxed) != 0;
}

LeakMark MemoryDiagnostics::mark() {
    return LeakMark{AllocationRegistry::instance().peekNextId()};
}

std::vector<AllocationInfo> MemoryDiagnostics::liveAllocations() {
    return AllocationRegistry::instance().liveSince(0);
}

std::vector<LeakGroup> MemoryDiagnostics::leakCheckpoint(LeakMark since) {
    std::map<StackId, LeakGroup> byStack;
    for (AllocationInfo& info : AllocationRegistry::instance().liveSince(since.firstId)) {
        LeakGroup& group = byStack[info.stackId];
        group.stackId = info.stackId;
        group.count += 1;
        group.bytes += info.bytes;
        group.allocations.push_back(std::move(info));
    }
    std::vector<LeakGroup> groups;
    groups.reserve(byStack.size());
    for (auto& [stackId, group] : byStack) {
        groups.push_back(std::move(group));
    }
    std::stable_sort(groups.begin(), groups.end(),
                     [](const LeakGroup& a, const LeakGroup& b) { return a.bytes > b.bytes; });
    return groups;
}

std::vector<Frame> MemoryDiagnostics::symbolizedStack(StackId stackId, int maxFrames) {
    const std::vector<std::uintptr_t> addresses = StackTable::instance().frames(stackId);
    return StackFrameSelection::select(
        addresses.size(),
        [&addresses](std::size_t i) { return Symbolizer::instance().symbolize(addresses[i]); },
        maxFrames);
}

std::string MemoryDiagnostics::formatStack(StackId stackId, int maxFrames) {
    std::string text;
    for (const Frame& frame : symbolizedStack(stackId, maxFrames)) {
        text += "  at " + frame.toString() + "\n";
    }
    return text;
}

std::uint16_t MemoryDiagnostics::internTag(std::string_view name) {
    if (name.empty()) {
        return 0;
    }
    TagTable& table = tagTable();
    std::lock_guard lock(table.mutex);
    const std::string key(name);
    if (auto it = table.ids.find(key); it != table.ids.end()) {
        return it->second;
    }
    if (table.names.size() >= 0xffff) {
        return 0;
    }
    const auto id = static_cast<std::uint16_t>(table.names.size());
    table.names.push_back(key);
    table.ids.emplace(key, id);
    return id;
}

std::string MemoryDiagnostics::tagName(std::uint16_t tagId) {
    TagTable& table = tagTable();
    std::lock_guard lock(table.mutex);
    return tagId < table.names.size() ? table.names[tagId] : std::string();
}

std::uint16_t MemoryDiagnostics::currentTag() {
    return t_currentTag;
}

void MemoryDiagnostics::noteReleasedUndisposed(const TrackedAllocation& allocation) {
    std::vector<UndisposedCallback> callbacks;
    {
        CallbackList& list = callbackList();
        std::lock_guard lock(list.mutex);
        for (const auto& [key, callback] : list.callbacks) {
            callbacks.push_back(callback);
        }
    }
    if (callbacks.empty()) {
        return;
    }
    const UndisposedAllocation report{allocation.info()};
    for (const UndisposedCallback& callback : callbacks) {
        callback(report);
    }
}

AllocationTagScope::AllocationTagScope(std::string_view tag) : previous_(t_currentTag) {
    t_currentTag = MemoryDiagnostics::internTag(tag);
}

AllocationTagScope::~AllocationTagScope() {
    t_currentTag = previous_;
}

}  // namespace poolscope
