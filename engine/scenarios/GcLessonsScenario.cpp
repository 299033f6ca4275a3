#include "scenarios/GcLessonsScenario.h"

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "gc/GcFrame.h"
#include "gc/GcHandle.h"
#include "gc/GcHeap.h"

namespace poolscope {

namespace {

// What the finalizers saw; shared with them, since the finalizer thread may outlive the run.
struct FinalizerLog {
    std::atomic<int> runs{0};
    std::atomic<bool> resurrect{false};
    std::atomic<int> shortAliveInFinalizer{-1};
    std::atomic<int> longAliveInFinalizer{-1};
    GcHandle* shortWeak = nullptr;
    GcHandle* longWeak = nullptr;
};

class Lessons {
public:
    Lessons(ScenarioContext& context, ScenarioOutcome& outcome, std::int64_t largeObjects,
            std::int64_t largeObjectBytes)
        : outcome_(outcome),
          largeObjects_(largeObjects),
          largeObjectBytes_(static_cast<std::uint64_t>(largeObjectBytes)) {
        GcHeap::Settings settings;
        settings.smallObjectReserveBytes = std::size_t{64} << 20;
        // The fragmentation lesson holds every large array at once and then places one half
        // as big again after them all, so the reservation is sized to hold that; address space
        // costs nothing until it is touched.
        const std::uint64_t arrayBytes = alignObjectSize(kArrayOverheadBytes + largeObjectBytes_);
        settings.largeObjectReserveBytes = std::max(
            std::size_t{1} << 30,
            static_cast<std::size_t>((static_cast<std::uint64_t>(largeObjects) + 2) * arrayBytes));
        heap_ = std::make_shared<GcHeap>(settings);
        context.attachHeap(heap_);
        plain_ = heap_->registerType(GcType{"Photo", 32, {}, {}});
        form_ = heap_->registerType(GcType{"Form", 64, {}, {}});
        const std::shared_ptr<FinalizerLog> log = log_;
        const GcHeap::StaticId graveyard = heap_->defineStatic("graveyard");
        resource_ = heap_->registerType(
            GcType{"FileHandle", 16, {}, [log, graveyard](GcHeap& heap, ObjectRef self) {
                       log->runs.fetch_add(1);
                       if (log->shortWeak != nullptr) {
                           log->shortAliveInFinalizer = log->shortWeak->isAlive() ? 1 : 0;
                           log->longAliveInFinalizer = log->longWeak->isAlive() ? 1 : 0;
                       }
                       if (log->resurrect.load()) {
                           heap.setStatic(graveyard, self);
                       }
                   }});
        graveyard_ = graveyard;
    }

    GcHeap& heap() { return *heap_; }

    void promotion() {
        GcFrame frame(*heap_, "promotion");
        const ObjectRef photo = heap_->allocate(frame, plain_);
        const int born = heap_->generationOf(photo);
        heap_->collect(0);
        const int afterGen0 = heap_->generationOf(photo);
        heap_->collect(1);
        const int afterGen1 = heap_->generationOf(photo);
        figure("promotionGenerations", std::to_string(born) + " -> " + std::to_string(afterGen0) +
                                           " -> " + std::to_string(afterGen1));
        figure("promotionFinalGeneration", std::int64_t{afterGen1});
    }

    void compaction() {
        GcFrame frame(*heap_, "compaction");
        const ObjectRef first = heap_->allocate(frame, plain_);
        const ObjectRef garbage = heap_->allocate(frame, plain_);
        const ObjectRef survivor = heap_->allocate(frame, plain_);
        static_cast<void>(first);
        const std::uintptr_t before = heap_->addressOf(survivor);
        frame.retire(garbage);
        heap_->collect(0);
        const std::uintptr_t after = heap_->addressOf(survivor);
        figure("compactionSurvivorMovedBytes", static_cast<std::int64_t>(before - after));
        figure("compactionObjectsMoved",
               static_cast<std::int64_t>(heap_->statistics().lastMovedObjects));
    }

    void finalizableDiesTwice() {
        const int runsBefore = log_->runs.load();
        GcHandle tracker = makeUnreachableResource();
        heap_->collect(2);
        const bool aliveAfterFirst = tracker.isAlive();
        heap_->waitForPendingFinalizers();
        heap_->collect(2);
        const bool aliveAfterSecond = tracker.isAlive();
        figure("finalizableAliveAfterFirstCollection", aliveAfterFirst);
        figure("finalizableAliveAfterSecondCollection", aliveAfterSecond);
        figure("finalizableFinalizerRuns", std::int64_t{log_->runs.load() - runsBefore});
    }

    void resurrection() {
        log_->resurrect = true;
        GcHandle tracker = makeUnreachableResource();
        heap_->collect(2);
        heap_->waitForPendingFinalizers();
        log_->resurrect = false;
        heap_->collect(2);
        bool reachableFromStatic = false;
        {
            GcFrame frame(*heap_, "resurrection");
            reachableFromStatic = !heap_->loadStatic(frame, graveyard_).isNull();
        }
        figure("resurrectedObjectAlive", tracker.isAlive() && reachableFromStatic);
        // Let it go for good: it was not re-registered, so no finalizer runs again.
        heap_->setStatic(graveyard_, ObjectRef{});
        heap_->collect(2);
        figure("resurrectedObjectGoneOnceReleased", !tracker.isAlive());
    }

    void weakReferences() {
        GcHandle shortWeak;
        GcHandle longWeak;
        {
            GcFrame frame(*heap_, "weak references");
            const ObjectRef resource = heap_->allocate(frame, resource_);
            shortWeak = heap_->allocateHandle(resource, GcHandleKind::WeakShort);
            longWeak = heap_->allocateHandle(resource, GcHandleKind::WeakLong);
        }
        log_->shortWeak = &shortWeak;
        log_->longWeak = &longWeak;
        heap_->collect(2);
        const bool shortAfterFirst = shortWeak.isAlive();
        const bool longAfterFirst = longWeak.isAlive();
        heap_->waitForPendingFinalizers();
        log_->shortWeak = nullptr;
        log_->longWeak = nullptr;
        heap_->collect(2);
        figure("shortWeakAliveAfterFirstCollection", shortAfterFirst);
        figure("longWeakAliveAfterFirstCollection", longAfterFirst);
        figure("longWeakAliveAfterFinalizerAndSecondCollection", longWeak.isAlive());
    }

    void largeObjectHeapFragmentation() {
        const GcHeap::StaticId album = heap_->defineStatic("album");
        {
            GcFrame frame(*heap_, "large objects");
            const ObjectRef list =
                heap_->allocateReferenceArray(frame, static_cast<std::uint64_t>(largeObjects_));
            heap_->setStatic(album, list);
            for (std::int64_t i = 0; i < largeObjects_; ++i) {
                heap_->setReference(list, static_cast<std::size_t>(i),
                                    heap_->allocateByteArray(frame, largeObjectBytes_));
            }
            // Every other one is let go; the last stays, so no hole is at the end.
            for (std::int64_t i = largeObjects_ - 2; i >= 0; i -= 2) {
                heap_->setReference(list, static_cast<std::size_t>(i), ObjectRef{});
            }
        }
        heap_->collect(2);
        GcHeapSnapshot fragmented = heap_->snapshot();
        const std::uint64_t lohBefore = fragmented.generationBytes[3];
        {
            // Bigger than any hole: it cannot use the free space and goes to the end.
            GcFrame frame(*heap_, "large objects");
            const ObjectRef bigger = heap_->allocateByteArray(frame, largeObjectBytes_ * 3 / 2);
            heap_->setReference(heap_->loadStatic(frame, album), 0, bigger);
        }
        const std::uint64_t lohAfter = heap_->snapshot().generationBytes[3];
        figure("lohFreeBlocks", static_cast<std::int64_t>(fragmented.largeObjectFreeBlocks.size()));
        figure("lohFreeBytes", static_cast<std::int64_t>(fragmented.largeObjectFreeBytes));
        figure("lohGrewDespiteFreeBytes", lohAfter > lohBefore);
    }

    void staticListLeak() {
        const GcHeap::StaticId openedForms = heap_->defineStatic("openedForms");
        constexpr int kForms = 3;
        GcHandle lastForm;
        {
            GcFrame frame(*heap_, "open forms");
            const ObjectRef list = heap_->allocateReferenceArray(frame, kForms);
            heap_->setStatic(openedForms, list);
            for (int i = 0; i < kForms; ++i) {
                const ObjectRef form = heap_->allocate(frame, form_);
                heap_->setReference(list, static_cast<std::size_t>(i), form);
                lastForm = heap_->allocateHandle(form, GcHandleKind::WeakShort);
            }
            // The forms are closed here; nobody takes them out of the list.
        }
        heap_->collect(2);
        std::string path = "(unreachable)";
        {
            GcFrame frame(*heap_, "inspect");
            const ObjectRef form = lastForm.target(frame);
            if (!form.isNull()) {
                if (const auto retention = heap_->retentionPath(form, "static openedForms")) {
                    path = retention->toString();
                }
            }
        }
        figure("staticListFormAliveAfterClose", lastForm.isAlive());
        figure("staticListRetentionPath", path);
    }

private:
    // A FileHandle that nothing references, tracked by a long weak handle.
    GcHandle makeUnreachableResource() {
        GcFrame frame(*heap_, "open file");
        return heap_->allocateHandle(heap_->allocate(frame, resource_), GcHandleKind::WeakLong);
    }

    void figure(std::string name, ScenarioValue value) {
        outcome_.addFigure(std::move(name), std::move(value));
    }

    ScenarioOutcome& outcome_;
    std::int64_t largeObjects_;
    std::uint64_t largeObjectBytes_;
    std::shared_ptr<GcHeap> heap_;
    std::shared_ptr<FinalizerLog> log_ = std::make_shared<FinalizerLog>();
    GcTypeId plain_ = 0;
    GcTypeId form_ = 0;
    GcTypeId resource_ = 0;
    GcHeap::StaticId graveyard_ = 0;
};

}  // namespace

const std::vector<GcLessonsScenario::Lesson>& GcLessonsScenario::lessons() {
    static const std::vector<Lesson> all = {
        {"Promotion",
         "A new object is born in generation 0. When a collection finds it still in use, it is "
         "promoted: moved up to generation 1, and after the next one to generation 2. Old "
         "objects are looked at less often, because most objects die young."},
        {"Compaction",
         "Three objects sit side by side and the middle one is no longer needed. The collector "
         "slides the survivor down into the gap and fixes every reference to it, so free memory "
         "is one block again and new objects are cheap to place."},
        {"A finalizable object dies twice",
         "This object has a finalizer. The first collection finds it dead but cannot free it: "
         "it goes on the finalizer queue and stays alive until its finalizer has run. Only the "
         "next collection really frees it, so finalizers make objects live longer."},
        {"Resurrection",
         "This finalizer stores its own object in a static field. After the finalizer runs, "
         "the object is reachable again: it has come back from the dead. Its finalizer will "
         "not run a second time unless it registers again."},
        {"Short and long weak references",
         "Two weak references watch a finalizable object. A short weak reference is cleared as "
         "soon as the object is found dead, before its finalizer runs. A long weak reference "
         "follows it through finalization and is cleared only when the object is really gone."},
        {"Large object heap fragmentation",
         "Big arrays go to the large object heap, which is never compacted. Every other one is "
         "freed, leaving holes. A larger array does not fit in any hole, so the heap grows even "
         "though plenty of memory is free: that is fragmentation."},
        {"A static list leak and its retention path",
         "Forms are opened and added to a static list, then closed, but nobody takes them out of "
         "the list. The collector must keep them: they are still reachable. The retention path "
         "shows the chain from the static field to the form, which is how a profiler finds the "
         "leak."},
    };
    return all;
}

std::vector<std::string> GcLessonsScenario::checkpointNames() const {
    std::vector<std::string> titles;
    for (const Lesson& lesson : lessons()) {
        titles.push_back(lesson.title);
    }
    return titles;
}

std::string GcLessonsScenario::description() const {
    return "A steppable tour of the managed heap, one lesson per concept: promotion, "
           "compaction, a finalizable object dying twice, resurrection, short and long weak "
           "references, LOH fragmentation, and a static-list leak with its retention path.";
}

std::vector<ScenarioParameter> GcLessonsScenario::parameters() const {
    return {
        ScenarioParameter::integer("large-objects", "arrays on the large object heap", 6, 3, 64),
        ScenarioParameter::integer("large-object-bytes", "size of each large array", 200'000,
                                   85'000, 64 * 1024 * 1024),
    };
}

ScenarioOutcome GcLessonsScenario::run(ScenarioContext& context,
                                       const ScenarioParameters& parameters) {
    ScenarioOutcome outcome;
    Lessons script(context, outcome, parameters.integer("large-objects"),
                   parameters.integer("large-object-bytes"));
    const std::vector<void (Lessons::*)()> steps = {
        &Lessons::promotion,      &Lessons::compaction,     &Lessons::finalizableDiesTwice,
        &Lessons::resurrection,   &Lessons::weakReferences, &Lessons::largeObjectHeapFragmentation,
        &Lessons::staticListLeak,
    };
    const auto planned = static_cast<std::int64_t>(steps.size());
    context.publishHeap(script.heap());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const Lesson& lesson = lessons()[i];
        if (!context.checkpoint(lesson.title, lesson.explanation)) {
            outcome.cancelled = true;
            break;
        }
        (script.*steps[i])();
        context.reportProgress(static_cast<std::int64_t>(i + 1), planned, lesson.title,
                               lesson.explanation);
        context.publishHeap(script.heap());
    }
    outcome.addFigure("lessonsGiven", static_cast<std::int64_t>(context.progress().completed));
    return outcome;
}

}  // namespace poolscope
