#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gc/ObjectRef.h"

namespace poolscope {

class GcHeap;

// A stack frame of running code: pushed on construction, popped on destruction. Its locals are
// roots while the frame lives, named "frame <name>" in retention paths. A frame belongs to the
// thread that made it; frames of different threads are independent.
class GcFrame {
public:
    GcFrame(GcHeap& heap, std::string name);
    ~GcFrame();
    GcFrame(const GcFrame&) = delete;
    GcFrame& operator=(const GcFrame&) = delete;

    // A new local holding what `value` holds (null stays null).
    ObjectRef local(ObjectRef value);
    // The local is dead from here on, as the JIT stops reporting a local after its last use.
    void retire(ObjectRef local);

    GcHeap& heap() const { return heap_; }
    std::uint32_t id() const { return id_; }
    const std::string& name() const { return name_; }

private:
    friend class GcHeap;
    GcHeap& heap_;
    std::string name_;
    std::uint32_t id_;
    std::vector<std::uint32_t> slots_;
};

}  // namespace poolscope
