// Built with -O2 -g: captures a stack inside helpers the compiler inlines and records it, so
// that StackSymbolizationTest can check every frame against the lines marked here.
//
//   inline-stacks record FILE          records, naming stacks in the background, and finishes
//   inline-stacks record-unnamed FILE  records modules and offsets only, and finishes
//   inline-stacks record-and-wait FILE records, prints "committed" once every stack is
//                                      committed with its names, then waits to be killed

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "diagnostics/StackTable.h"
#include "recording/RecordingWriter.h"

using poolscope::StackId;

namespace {

[[gnu::always_inline]] inline StackId innermostHelper() {
    return poolscope::captureStack();  // MARK:innermostHelper
}

// Called once and small: inlined at -O2 without being asked to.
inline StackId middleHelper() {
    return innermostHelper();  // MARK:middleHelper
}

// Not merged with otherFunction, whose code is the same once the helpers are inlined.
[[gnu::noinline, gnu::no_icf]] StackId outerFunction() {
    const StackId id = middleHelper();  // MARK:outerFunction
    // Work after the call keeps it a call, not a jump: the frame stays on the stack.
    asm volatile("" : : "r"(id) : "memory");
    return id;
}

[[gnu::noinline, gnu::no_icf]] StackId otherFunction() {
    const StackId id = poolscope::captureStack();  // MARK:otherFunction
    asm volatile("" : : "r"(id) : "memory");
    return id;
}

poolscope::MemoryEvent allocationEvent(poolscope::AllocationId id, StackId stack) {
    poolscope::MemoryEvent event;
    event.kind = poolscope::MemoryEventKind::UnpooledAllocate;
    event.tier = poolscope::MemoryTier::Unpooled;
    event.allocationId = id;
    event.bytes = 4096;
    event.stackId = stack;
    event.timeNanoseconds = static_cast<std::int64_t>(id) * 1000;
    return event;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s record|record-unnamed|record-and-wait FILE\n", argv[0]);
        return 2;
    }
    const std::string mode = argv[1];
    poolscope::RecordingWriter::Options options;
    options.symbolizeInBackground = mode != "record-unnamed";
    options.commitInterval = std::chrono::milliseconds(10);
    poolscope::RecordingWriter writer(argv[2], {{"scenario", "inline-stacks"}}, options);
    const StackId inlined = outerFunction();  // MARK:main
    const StackId other = otherFunction();    // MARK:main calling otherFunction
    const poolscope::MemoryEvent events[] = {allocationEvent(1, inlined),
                                             allocationEvent(2, other)};
    writer.consume(events);
    if (mode != "record-and-wait") {
        writer.finish({}, 0);
        return 0;
    }
    while (writer.committedEvents() < std::size(events) || writer.unnamedAddresses() != 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::printf("committed\n");
    std::fflush(stdout);
    for (;;) {
        pause();
    }
}
