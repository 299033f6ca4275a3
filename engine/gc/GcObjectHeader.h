#pragma once

#include <cstddef>
#include <cstdint>

namespace poolscope {

using GcTypeId = std::uint32_t;

// An object a collection moved: where it was and where it is now.
struct GcObjectMove {
    std::uintptr_t from = 0;
    std::uintptr_t to = 0;
};

// Type ids the heap itself uses; registered types start at kFirstUserTypeId.
inline constexpr GcTypeId kFreeBlockTypeId = 0;  // LOH free block, or a gap of >= 24 bytes
inline constexpr GcTypeId kGapTypeId = 1;        // an 8- or 16-byte gap left by a pin
inline constexpr GcTypeId kByteArrayTypeId = 2;
inline constexpr GcTypeId kReferenceArrayTypeId = 3;
inline constexpr GcTypeId kFirstUserTypeId = 4;

// Every object on the managed heap starts with this header, as a .NET object starts with its
// method table pointer and sync block. Objects are 8-byte aligned and at least kMinObjectBytes,
// so the heap can be walked object by object from any generation start.
struct GcObjectHeader {
    enum Flag : std::uint32_t {
        Marked = 1u << 0,
        PinnedDuringGc = 1u << 1,       // set only while a collection plans its compaction
        FinalizerRegistered = 1u << 2,  // on the finalization queue
        FinalizeSuppressed = 1u << 3,
        FinalizerRan = 1u << 4,  // a later survival is a resurrection
        Remembered = 1u << 5,    // in the remembered set (holds a younger reference)
    };
    // The top byte of `flags` counts the collections the object survived, as .NET's profilers
    // show an object's age; it saturates rather than wrapping into the flags below it.
    static constexpr int kAgeShift = 24;
    static constexpr std::uint32_t kMaxAge = 0xffu;

    GcTypeId typeId;
    // For a gap, its size in bytes: an 8-byte gap has room for nothing else.
    std::uint32_t flags;
    std::uint64_t sizeBytes;  // the whole object, header included
    // Where compaction will move the object; meaningful only during a collection.
    std::uint64_t forwardingAddress;

    bool has(Flag flag) const { return (flags & flag) != 0; }
    void set(Flag flag) { flags |= flag; }
    void clear(Flag flag) { flags &= ~static_cast<std::uint32_t>(flag); }
    std::uint32_t age() const { return flags >> kAgeShift; }
    void noteSurvival() {
        if (age() < kMaxAge) {
            flags += 1u << kAgeShift;
        }
    }

    std::byte* payload() { return reinterpret_cast<std::byte*>(this + 1); }
    std::byte* end() { return reinterpret_cast<std::byte*>(this) + walkSize(); }
    // The distance to the next object, for gaps too.
    std::uint64_t walkSize() const { return typeId == kGapTypeId ? flags : sizeBytes; }
    bool isFree() const { return typeId == kFreeBlockTypeId || typeId == kGapTypeId; }
    bool isArray() const { return typeId == kByteArrayTypeId || typeId == kReferenceArrayTypeId; }
    // Arrays keep their element count in the first payload word, before the elements.
    std::uint64_t arrayLength() const { return *reinterpret_cast<const std::uint64_t*>(this + 1); }
    std::byte* arrayData() { return payload() + sizeof(std::uint64_t); }
    GcObjectHeader** referenceElements() { return reinterpret_cast<GcObjectHeader**>(arrayData()); }
};

static_assert(sizeof(GcObjectHeader) == 24);
inline constexpr std::uint64_t kObjectAlignment = 8;
inline constexpr std::uint64_t kMinObjectBytes = sizeof(GcObjectHeader);
inline constexpr std::uint64_t kArrayOverheadBytes = sizeof(GcObjectHeader) + sizeof(std::uint64_t);

inline constexpr std::uint64_t alignObjectSize(std::uint64_t bytes) {
    return (bytes + kObjectAlignment - 1) & ~(kObjectAlignment - 1);
}

// Turns [start, start + bytes) into something the heap walk steps over.
inline void writeFiller(std::byte* start, std::uint64_t bytes) {
    auto* header = reinterpret_cast<GcObjectHeader*>(start);
    if (bytes >= sizeof(GcObjectHeader)) {
        header->typeId = kFreeBlockTypeId;
        header->flags = 0;
        header->sizeBytes = bytes;
        header->forwardingAddress = 0;
    } else if (bytes > 0) {
        header->typeId = kGapTypeId;
        header->flags = static_cast<std::uint32_t>(bytes);
    }
}

// visit(header) for every object and gap in [from, to), in address order.
template <class Visit>
void forEachObjectIn(std::byte* from, std::byte* to, Visit&& visit) {
    for (std::byte* at = from; at < to;) {
        auto* header = reinterpret_cast<GcObjectHeader*>(at);
        at += header->walkSize();
        visit(header);
    }
}

}  // namespace poolscope
