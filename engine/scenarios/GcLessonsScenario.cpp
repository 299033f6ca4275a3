#include "scenarios/GcLessonsScenario.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>

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

// Keeps the finalizer thread from starting finalizers until the lesson lets them run, so the
// f-reachable queue is on screen at the step that speaks of it; a lesson left early lets go.
class FinalizerHold {
public:
    explicit FinalizerHold(GcHeap& heap) : heap_(heap) { heap_.holdFinalizers(true); }
    ~FinalizerHold() { heap_.holdFinalizers(false); }
    FinalizerHold(const FinalizerHold&) = delete;
    FinalizerHold& operator=(const FinalizerHold&) = delete;

    // Lets the finalizer thread run what is pending and holds it again once all has run.
    void runFinalizers() {
        heap_.holdFinalizers(false);
        heap_.waitForPendingFinalizers();
        heap_.holdFinalizers(true);
    }

private:
    GcHeap& heap_;
};

class Lessons {
public:
    Lessons(ScenarioContext& context, ScenarioOutcome& outcome, std::int64_t largeObjects,
            std::int64_t largeObjectBytes)
        : context_(context),
          outcome_(outcome),
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
        for (const GcLessonsScenario::Lesson& lesson : GcLessonsScenario::lessons()) {
            planned_ += static_cast<std::int64_t>(lesson.steps.size());
        }
    }

    std::int64_t lessonsGiven() const { return static_cast<std::int64_t>(lesson_); }
    std::int64_t stepsShown() const { return shown_; }

    // Frees what the previous lesson let go, so a lesson's first picture holds its own objects
    // only. Collects only when something is left, so a clean heap counts no collection.
    void clearBoard() {
        if (!heap_->snapshot().objects.empty()) {
            heap_->collect(2);
        }
    }

    bool promotion() {
        GcFrame frame(*heap_, "promotion");
        const ObjectRef a = heap_->allocate(frame, plain_);
        const ObjectRef b = heap_->allocate(frame, plain_);
        const ObjectRef c = heap_->allocate(frame, plain_);
        static_cast<void>(c);
        const int born = heap_->generationOf(a);
        if (!show()) {
            return false;
        }
        frame.retire(b);
        if (!show()) {
            return false;
        }
        heap_->collect(0);
        const int afterGen0 = heap_->generationOf(a);
        figure("promotionSurvivorsOfFirstCollection",
               static_cast<std::int64_t>(heap_->snapshot().objects.size()));
        if (!show()) {
            return false;
        }
        heap_->collect(1);
        const int afterGen1 = heap_->generationOf(a);
        figure("promotionGenerations", std::to_string(born) + " -> " + std::to_string(afterGen0) +
                                           " -> " + std::to_string(afterGen1));
        figure("promotionFinalGeneration", std::int64_t{afterGen1});
        return show();
    }

    bool compaction() {
        GcFrame frame(*heap_, "compaction");
        const ObjectRef first = heap_->allocate(frame, plain_);
        const ObjectRef garbage = heap_->allocate(frame, plain_);
        const ObjectRef survivor = heap_->allocate(frame, plain_);
        static_cast<void>(first);
        if (!show()) {
            return false;
        }
        frame.retire(garbage);
        if (!show()) {
            return false;
        }
        if (!show()) {  // the mark, drawn over the same heap
            return false;
        }
        const std::uintptr_t before = heap_->addressOf(survivor);
        heap_->collect(0);
        const std::uintptr_t after = heap_->addressOf(survivor);
        figure("compactionSurvivorMovedBytes", static_cast<std::int64_t>(before - after));
        figure("compactionObjectsMoved",
               static_cast<std::int64_t>(heap_->statistics().lastMovedObjects));
        return show();
    }

    bool finalizableDiesTwice() {
        const int runsBefore = log_->runs.load();
        FinalizerHold hold(*heap_);
        dropNewResource();
        if (!show()) {
            return false;
        }
        heap_->collect(2);
        figure("finalizableAliveAfterFirstCollection", resourcesAlive() == 1);
        if (!show()) {
            return false;
        }
        hold.runFinalizers();
        if (!show()) {
            return false;
        }
        heap_->collect(2);
        figure("finalizableAliveAfterSecondCollection", resourcesAlive() == 1);
        figure("finalizableFinalizerRuns", std::int64_t{log_->runs.load() - runsBefore});
        return show();
    }

    bool resurrection() {
        FinalizerHold hold(*heap_);
        log_->resurrect = true;
        dropNewResource();
        heap_->collect(2);
        if (!show()) {
            return false;
        }
        hold.runFinalizers();
        log_->resurrect = false;
        heap_->collect(2);
        {
            GcFrame frame(*heap_, "resurrection");
            const bool reachableFromStatic = !heap_->loadStatic(frame, graveyard_).isNull();
            figure("resurrectedObjectAlive", resourcesAlive() == 1 && reachableFromStatic);
        }
        if (!show()) {
            return false;
        }
        {
            GcFrame frame(*heap_, "resurrection");
            heap_->reRegisterForFinalize(heap_->loadStatic(frame, graveyard_));
        }
        if (!show()) {
            return false;
        }
        heap_->setStatic(graveyard_, ObjectRef{});
        heap_->collect(2);
        if (!show()) {
            return false;
        }
        hold.runFinalizers();
        heap_->collect(2);
        figure("resurrectedObjectGoneOnceReleased", resourcesAlive() == 0);
        return show();
    }

    bool weakReferences() {
        FinalizerHold hold(*heap_);
        GcHandle shortWeak;
        GcHandle longWeak;
        {
            GcFrame frame(*heap_, "weak references");
            const ObjectRef resource = heap_->allocate(frame, resource_);
            shortWeak = heap_->allocateHandle(resource, GcHandleKind::WeakShort, "short weak");
            longWeak = heap_->allocateHandle(resource, GcHandleKind::WeakLong, "long weak");
        }
        log_->shortWeak = &shortWeak;
        log_->longWeak = &longWeak;
        // The finalizer reads the handles, so they must be forgotten before they go.
        struct Forget {
            FinalizerLog& log;
            ~Forget() {
                log.shortWeak = nullptr;
                log.longWeak = nullptr;
            }
        } forget{*log_};
        if (!show()) {
            return false;
        }
        heap_->collect(2);
        figure("shortWeakAliveAfterFirstCollection", shortWeak.isAlive());
        figure("longWeakAliveAfterFirstCollection", longWeak.isAlive());
        if (!show()) {
            return false;
        }
        hold.runFinalizers();
        figure("shortWeakAliveInFinalizer", log_->shortAliveInFinalizer.load() == 1);
        figure("longWeakAliveInFinalizer", log_->longAliveInFinalizer.load() == 1);
        if (!show()) {
            return false;
        }
        heap_->collect(2);
        figure("longWeakAliveAfterFinalizerAndSecondCollection", longWeak.isAlive());
        return show();
    }

    bool disposePattern() {
        const int runsBefore = log_->runs.load();
        FinalizerHold hold(*heap_);
        {
            GcFrame frame(*heap_, "open files");
            const ObjectRef disposed = heap_->allocate(frame, resource_);
            heap_->allocate(frame, resource_);
            if (!show()) {
                return false;
            }
            heap_->suppressFinalize(disposed);
            figure("disposeFinalizationQueueAfterDispose",
                   static_cast<std::int64_t>(heap_->snapshot().finalizationQueue.size()));
        }
        if (!show()) {
            return false;
        }
        heap_->collect(2);
        figure("disposeObjectsAfterFirstCollection", static_cast<std::int64_t>(resourcesAlive()));
        if (!show()) {
            return false;
        }
        hold.runFinalizers();
        if (!show()) {
            return false;
        }
        heap_->collect(2);
        figure("disposeObjectsAfterSecondCollection", static_cast<std::int64_t>(resourcesAlive()));
        figure("disposeFinalizerRuns", std::int64_t{log_->runs.load() - runsBefore});
        return show();
    }

    bool largeObjectHeapFragmentation() {
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
        }
        if (!show()) {
            return false;
        }
        {
            GcFrame frame(*heap_, "large objects");
            const ObjectRef list = heap_->loadStatic(frame, album);
            // Every other one is let go; the last stays, so no hole is at the end.
            for (std::int64_t i = largeObjects_ - 2; i >= 0; i -= 2) {
                heap_->setReference(list, static_cast<std::size_t>(i), ObjectRef{});
            }
        }
        heap_->collect(2);
        const GcHeapSnapshot fragmented = heap_->snapshot();
        figure("lohFreeBlocks", static_cast<std::int64_t>(fragmented.largeObjectFreeBlocks.size()));
        figure("lohFreeBytes", static_cast<std::int64_t>(fragmented.largeObjectFreeBytes));
        if (!show()) {
            return false;
        }
        {
            // Bigger than any hole: it cannot use the free space and goes to the end.
            GcFrame frame(*heap_, "large objects");
            const ObjectRef bigger = heap_->allocateByteArray(frame, largeObjectBytes_ * 3 / 2);
            heap_->setReference(heap_->loadStatic(frame, album), 0, bigger);
        }
        const std::uint64_t lohAfter =
            heap_->snapshot().generationBytes[GcHeapSnapshot::kLargeObjectHeap];
        figure("lohGrewDespiteFreeBytes",
               lohAfter > fragmented.generationBytes[GcHeapSnapshot::kLargeObjectHeap]);
        const bool shown = show();
        // The album goes with the lesson, so the next one starts on a clean board.
        heap_->setStatic(album, ObjectRef{});
        return shown;
    }

    bool staticListLeak() {
        const GcHeap::StaticId openedForms = heap_->defineStatic("openedForms");
        constexpr int kForms = 3;
        {
            GcFrame frame(*heap_, "open forms");
            const ObjectRef list = heap_->allocateReferenceArray(frame, kForms);
            heap_->setStatic(openedForms, list);
            for (int i = 0; i < kForms; ++i) {
                heap_->setReference(list, static_cast<std::size_t>(i),
                                    heap_->allocate(frame, form_));
            }
        }
        if (!show()) {
            return false;
        }
        // The forms are closed here; nobody takes them out of the list.
        heap_->collect(2);
        std::string path = "(unreachable)";
        bool lastFormAlive = false;
        {
            GcFrame frame(*heap_, "inspect");
            const ObjectRef list = heap_->loadStatic(frame, openedForms);
            const ObjectRef form = heap_->getReference(frame, list, kForms - 1);
            lastFormAlive = !form.isNull();
            if (lastFormAlive) {
                if (const auto retention = heap_->retentionPath(form, "static openedForms")) {
                    path = retention->toString();
                }
            }
        }
        figure("staticListFormAliveAfterClose", lastFormAlive);
        if (!show()) {
            return false;
        }
        figure("staticListRetentionPath", path);
        return show();
    }

private:
    // Publishes the heap as the current step left it and stops at that step's checkpoint;
    // false when the run was cancelled there.
    bool show() {
        const auto& all = GcLessonsScenario::lessons();
        const GcLessonsScenario::Lesson& lesson = all.at(lesson_);
        const std::string name = GcLessonsScenario::checkpointName(lesson, step_);
        const std::string& explanation = lesson.steps[step_].explanation;
        context_.publishHeap(*heap_, lesson.steps[step_].marksGeneration);
        shown_ += 1;
        context_.reportProgress(shown_, planned_, name, explanation);
        if (!context_.checkpoint(name, explanation)) {
            return false;
        }
        step_ += 1;
        if (step_ == lesson.steps.size()) {
            lesson_ += 1;
            step_ = 0;
        }
        return true;
    }

    // A FileHandle that nothing references, on the finalization queue since its birth.
    void dropNewResource() {
        GcFrame frame(*heap_, "open file");
        heap_->allocate(frame, resource_);
    }

    std::size_t resourcesAlive() {
        const GcHeapSnapshot snapshot = heap_->snapshot();
        return static_cast<std::size_t>(std::count_if(
            snapshot.objects.begin(), snapshot.objects.end(),
            [&](const GcHeapSnapshot::Object& object) { return object.typeId == resource_; }));
    }

    void figure(std::string name, ScenarioValue value) {
        outcome_.addFigure(std::move(name), std::move(value));
    }

    ScenarioContext& context_;
    ScenarioOutcome& outcome_;
    std::int64_t largeObjects_;
    std::uint64_t largeObjectBytes_;
    std::shared_ptr<GcHeap> heap_;
    std::shared_ptr<FinalizerLog> log_ = std::make_shared<FinalizerLog>();
    GcTypeId plain_ = 0;
    GcTypeId form_ = 0;
    GcTypeId resource_ = 0;
    GcHeap::StaticId graveyard_ = 0;
    std::int64_t planned_ = 0;
    std::int64_t shown_ = 0;
    std::size_t lesson_ = 0;
    std::size_t step_ = 0;
};

}  // namespace

const std::vector<GcLessonsScenario::Lesson>& GcLessonsScenario::lessons() {
    static const std::vector<Lesson> all = {
        {"Promotion",
         "A new object is born in generation 0. When a collection finds it still in use, it is "
         "promoted: moved up to generation 1, and after the next one to generation 2. Old "
         "objects are looked at less often, because most objects die young.",
         {
             {"three objects in generation 0",
              "A, B and C were just allocated. New objects are born in generation 0, side by "
              "side in the order they were made, and a local variable holds each of them."},
             {"B loses its root",
              "The variable that held B was cleared. B is still in memory, but nothing refers "
              "to it any more: it is garbage waiting for a collection."},
             {"a collection promotes the survivors",
              "A generation 0 collection kept A and C, moved them up into generation 1 and "
              "freed B. Generation 0 is empty again, ready for new objects."},
             {"and promotes them again",
              "A generation 1 collection found A and C still in use and moved them on to "
              "generation 2, where old objects live and are looked at least often."},
         }},
        {"Compaction",
         "Three objects sit side by side and the middle one is no longer needed. The collector "
         "slides the survivor down into the gap and fixes every reference to it, so free memory "
         "is one block again and new objects are cheap to place.",
         {
             {"three objects side by side",
              "Three photos sit next to each other in generation 0, each held by a local "
              "variable."},
             {"the middle one is no longer needed",
              "The middle photo lost its variable. It still takes up its place between the "
              "other two until a collection runs."},
             {"the collector marks what it can reach",
              "A collection starts by marking: from every root (local variables, statics, "
              "handles) it follows each reference and marks the object it reaches. The first "
              "and last photos are marked; the middle one is not, so it is garbage.",
              0},
             {"the survivor slides into the gap",
              "The collection freed the middle photo and slid the last one down into the gap, "
              "fixing every reference to it. The two survivors sit together in generation 1 "
              "with no hole between them."},
         }},
        {"A finalizable object dies twice",
         "This object has a finalizer. The first collection finds it dead but cannot free it: "
         "it goes on the f-reachable queue and stays alive until its finalizer has run. Only "
         "the next collection really frees it, so finalizers make objects live longer.",
         {
             {"an unreachable object on the finalization queue",
              "A FileHandle was allocated and dropped: nothing refers to it. Its type has a "
              "finalizer, so it has been on the finalization queue since it was born."},
             {"the collection moves it to the f-reachable queue",
              "The collection found it dead but could not free it: it moved from the "
              "finalization queue to the f-reachable queue, which keeps it alive until its "
              "finalizer has run."},
             {"the finalizer thread runs its finalizer",
              "The finalizer thread took it off the f-reachable queue and ran its finalizer. "
              "The object is still in memory: no collection has run since."},
             {"the next collection frees it",
              "The second collection found it dead with its finalizer done and freed it. The "
              "heap is empty: the finalizer made the object outlive one collection."},
         }},
        {"Resurrection",
         "This finalizer stores its own object in a static field. After the finalizer runs, "
         "the object is reachable again: it has come back from the dead. Its finalizer will "
         "not run a second time unless it registers again.",
         {
             {"found dead, waiting for its finalizer",
              "A FileHandle whose finalizer stores its own object in the static field "
              "graveyard was dropped and collected. It waits on the f-reachable queue for the "
              "finalizer thread."},
             {"the finalizer brings it back",
              "Its finalizer stored the object in graveyard, and the collection after it kept "
              "the object: it is alive again. It is on neither queue, so its finalizer will "
              "not run again."},
             {"registered for finalization again",
              "Code that holds the object called ReRegisterForFinalize: it is back on the "
              "finalization queue, and its finalizer will run when it dies again."},
             {"let go, found dead once more",
              "graveyard was cleared and a collection found the object dead again. Being "
              "registered, it moved to the f-reachable queue instead of being freed."},
             {"finalized again and freed",
              "Its finalizer ran a second time, this time without bringing it back, and the "
              "next collection freed it. The heap is empty."},
         }},
        {"Short and long weak references",
         "Two weak references watch a finalizable object. A short weak reference is cleared as "
         "soon as the object is found dead, before its finalizer runs. A long weak reference "
         "follows it through finalization and is cleared only when the object is really gone.",
         {
             {"a short and a long weak handle watch a FileHandle",
              "A FileHandle with a finalizer was dropped. Two GC handles still point at it, a "
              "short weak one and a long weak one, and neither keeps it alive."},
             {"the collection clears the short handle",
              "The collection found the object dead and put it on the f-reachable queue. The "
              "short weak handle was cleared at once; the long one still points at the object "
              "waiting for its finalizer."},
             {"the finalizer runs while the long handle still sees it",
              "The finalizer ran. Inside it the short handle was already empty, while the long "
              "handle saw the object, as it still does."},
             {"the next collection clears the long handle",
              "The second collection freed the object and cleared the long weak handle too. "
              "Both handles are left empty."},
         }},
        {"The dispose pattern",
         "Two files are opened. One is closed with Dispose, which calls SuppressFinalize; the "
         "other is forgotten. The disposed one skips the finalizer and dies in the first "
         "collection; the forgotten one waits for the finalizer thread and a second collection.",
         {
             {"two open files on the finalization queue",
              "Two FileHandles were opened. Their type has a finalizer, so both are on the "
              "finalization queue."},
             {"one disposed, one forgotten",
              "The first file was closed with Dispose, which called SuppressFinalize: it left "
              "the finalization queue. The second was forgotten and is still listed. Both are "
              "now dropped."},
             {"the collection frees the disposed file",
              "The collection freed the disposed file at once. The forgotten one was found dead "
              "too, but moved to the f-reachable queue to wait for its finalizer."},
             {"the finalizer closes the forgotten file",
              "The finalizer thread ran the forgotten file's finalizer, which closes what "
              "Dispose would have closed, only later. The object is still in memory."},
             {"the next collection frees it",
              "Only the second collection freed the forgotten file. The heap is empty."},
         }},
        {"Large object heap fragmentation",
         "Big arrays go to the large object heap, which is never compacted. Every other one is "
         "freed, leaving holes. A larger array does not fit in any hole, so the heap grows even "
         "though plenty of memory is free: that is fragmentation.",
         {
             {"large arrays side by side",
              "Large byte arrays were allocated one after another on the large object heap, "
              "and a static list, album, holds them all."},
             {"every other one freed leaves holes",
              "Every other array was dropped and a full collection freed them. The large "
              "object heap is never compacted, so the survivors stay where they are and the "
              "freed arrays leave holes between them."},
             {"a bigger array does not fit in any hole",
              "An array half as big again as the others fits in no hole, so it went to the "
              "end: the large object heap grew although plenty of its memory is free. That is "
              "fragmentation."},
         }},
        {"A static list leak and its retention path",
         "Forms are opened and added to a static list, then closed, but nobody takes them out of "
         "the list. The collector must keep them: they are still reachable. The retention path "
         "shows the chain from the static field to the form, which is how a profiler finds the "
         "leak.",
         {
             {"three forms listed in a static",
              "Three forms were opened, and each was added to the list in the static field "
              "openedForms."},
             {"closed, but still in the list",
              "The forms were closed and a full collection ran, but nobody took them out of the "
              "list, so the collector kept all three. That is the leak."},
             {"the retention path names who keeps them",
              "The retention path of the last form runs from the static field openedForms "
              "through the list to the form: the chain a profiler shows to find what keeps a "
              "leaked object alive."},
         }},
    };
    return all;
}

std::string GcLessonsScenario::checkpointName(const Lesson& lesson, std::size_t step) {
    return lesson.title + " " + std::to_string(step + 1) + "/" +
           std::to_string(lesson.steps.size()) + ": " + lesson.steps.at(step).title;
}

std::vector<std::string> GcLessonsScenario::checkpointNames() const {
    std::vector<std::string> names;
    for (const Lesson& lesson : lessons()) {
        for (std::size_t step = 0; step < lesson.steps.size(); ++step) {
            names.push_back(checkpointName(lesson, step));
        }
    }
    return names;
}

std::string GcLessonsScenario::description() const {
    return "A steppable tour of the managed heap, one lesson per concept, each drawn step by "
           "step: promotion, compaction, a finalizable object dying twice, resurrection, short "
           "and long weak references, the dispose pattern, LOH fragmentation, and a static-list "
           "leak with its retention path.";
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
    // In the order of lessons().
    const std::vector<bool (Lessons::*)()> given = {
        &Lessons::promotion,
        &Lessons::compaction,
        &Lessons::finalizableDiesTwice,
        &Lessons::resurrection,
        &Lessons::weakReferences,
        &Lessons::disposePattern,
        &Lessons::largeObjectHeapFragmentation,
        &Lessons::staticListLeak,
    };
    for (const auto lesson : given) {
        script.clearBoard();
        if (!(script.*lesson)()) {
            outcome.cancelled = true;
            break;
        }
    }
    outcome.addFigure("lessonsGiven", script.lessonsGiven());
    outcome.addFigure("stepsShown", script.stepsShown());
    return outcome;
}

}  // namespace poolscope
