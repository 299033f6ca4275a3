#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "gc/GcHandleKind.h"
#include "gc/GcObjectHeader.h"
#include "gc/ObjectRef.h"

namespace poolscope {

class GcFrame;

// The handle table: every slot an ObjectRef names, be it a frame's local, a GC handle (strong,
// pinned, short or long weak) or the object a running finalizer holds. Code reaches objects only
// through these slots, which is what lets the collector move objects: it rewrites the slot,
// never the code's reference. Also knows the live frames, whose names name their locals.
// Not synchronised: the GcHeap's lock covers it.
class GcHandleTable {
public:
    struct Slot {
        GcObjectHeader* target = nullptr;
        GcHandleKind kind = GcHandleKind::FrameLocal;
        bool inUse = false;
        std::uint32_t frameId = 0;  // for FrameLocal: the owning frame
    };

    std::uint32_t add(GcObjectHeader* target, GcHandleKind kind, std::uint32_t frameId = 0);
    // A slot that is not in use is left alone, so freeing twice is harmless.
    void free(std::uint32_t slot);
    // A handle given a name ("cache", "pixel pin") shows it in snapshots and retention paths.
    void setName(std::uint32_t slot, std::string name);

    // Throws std::logic_error for a null ref or one whose frame or handle is gone.
    Slot& at(ObjectRef ref);
    // Null for a null ref or a cleared handle.
    GcObjectHeader* target(ObjectRef ref) { return ref.isNull() ? nullptr : at(ref).target; }
    // Throws std::invalid_argument for a null ref or a cleared handle.
    GcObjectHeader* object(ObjectRef ref);
    // The target of a slot its GcHandle owns, so known to be in use.
    GcObjectHeader* targetOf(std::uint32_t slot) const { return slots_[slot].target; }

    std::uint32_t addFrame(GcFrame& frame);
    void removeFrame(std::uint32_t frameId) { frames_.erase(frameId); }
    // Throws std::out_of_range for a frame that is gone.
    GcFrame& frame(std::uint32_t frameId) const { return *frames_.at(frameId); }

    // What a root held by `slot` is called: "frame main", "strong handle cache", ...
    std::string rootName(std::uint32_t slot) const;
    // The name given to `slot`, or null.
    const std::string* nameOf(std::uint32_t slot) const;

    // Every slot that keeps a non-null object alive (weak handles do not), in slot order:
    // visit(target, slotIndex).
    template <class Visit>
    void forEachRoot(Visit&& visit) const {
        for (std::uint32_t i = 0; i < slots_.size(); ++i) {
            const Slot& slot = slots_[i];
            if (slot.inUse && keepsAlive(slot.kind) && slot.target != nullptr) {
                visit(slot.target, i);
            }
        }
    }
    // Every slot in use, in slot order: visit(slot, slotIndex).
    template <class Visit>
    void forEachInUse(Visit&& visit) {
        for (std::uint32_t i = 0; i < slots_.size(); ++i) {
            if (slots_[i].inUse) {
                visit(slots_[i], i);
            }
        }
    }
    // Clears the weak handles of `kind` whose object isDead(target) says is dying; returns how
    // many it cleared.
    template <class IsDead>
    std::uint64_t clearWeak(GcHandleKind kind, IsDead&& isDead) {
        std::uint64_t cleared = 0;
        for (Slot& slot : slots_) {
            if (slot.inUse && slot.kind == kind && slot.target != nullptr && isDead(slot.target)) {
                slot.target = nullptr;
                ++cleared;
            }
        }
        return cleared;
    }

private:
    static bool keepsAlive(GcHandleKind kind) {
        return kind != GcHandleKind::WeakShort && kind != GcHandleKind::WeakLong;
    }

    std::vector<Slot> slots_;
    std::vector<std::uint32_t> freeSlots_;
    // Names of the handles that were given one, by slot; most handles have none.
    std::unordered_map<std::uint32_t, std::string> names_;
    std::unordered_map<std::uint32_t, GcFrame*> frames_;
    std::uint32_t nextFrameId_ = 1;
};

}  // namespace poolscope
