#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "gc/GcHeap.h"

using namespace poolscope;

namespace {

// The model: what the test believes the heap holds, kept apart from the heap so that the
// reachability it computes owes nothing to the collector's own marking.
struct ModelObject {
    GcHandle tracker;             // long weak: observes liveness without keeping the object alive
    std::vector<int> references;  // model ids, -1 for null; one per reference slot
    std::vector<std::byte> payload;  // what was written, kept to compare after every collection
    bool alive = true;
    std::optional<std::uintptr_t> pinnedAddress;
};

struct RootSet {
    std::vector<std::pair<int, std::unique_ptr<GcFrame>>> frameLocals;  // frame per root
    std::vector<std::pair<int, GcHandle>> handles;                      // strong and pinned
    std::vector<std::pair<int, GcHeap::StaticId>> statics;
};

std::byte patternByte(std::uint64_t seed, std::uint64_t index) {
    return static_cast<std::byte>((seed * 0x9E3779B97F4A7C15ull + index * 0x2545F4914F6CDD1Dull) >>
                                  56);
}

std::vector<std::byte> pattern(std::uint64_t seed, std::uint64_t bytes) {
    std::vector<std::byte> data(bytes);
    for (std::uint64_t i = 0; i < bytes; ++i) {
        data[i] = patternByte(seed, i);
    }
    return data;
}

}  // namespace

class GcPropertyTest : public QObject {
    Q_OBJECT

private slots:
    void randomGraphs_survivorsEqualTheReachabilitySet_andPayloadsStayIntact_data();
    void randomGraphs_survivorsEqualTheReachabilitySet_andPayloadsStayIntact();
};

void GcPropertyTest::randomGraphs_survivorsEqualTheReachabilitySet_andPayloadsStayIntact_data() {
    QTest::addColumn<std::uint32_t>("seed");
    // 12 x 200 rounds: 2,400 graphs, in rows short enough for a sanitizer build's watchdog.
    for (std::uint32_t seed = 1; seed <= 12; ++seed) {
        QTest::addRow("seed %u", seed) << seed;
    }
}

// Each round adds a random graph of new objects wired to each other and to survivors of
// earlier rounds (old-to-young stores exercise the write barrier), pins and roots some of them
// at random, drops others, and runs a collection of a random generation. Afterwards:
//  - an object is alive exactly when it is reachable from the roots or from an object the
//    collection did not condemn (older than the collected generation): the remembered set
//    keeps young objects referenced from old ones, dead or not, until the old one is collected;
//  - every survivor's payload and references are what was written, wherever it moved to;
//  - pinned survivors have not moved.
void GcPropertyTest::randomGraphs_survivorsEqualTheReachabilitySet_andPayloadsStayIntact() {
    QFETCH(std::uint32_t, seed);
    constexpr int kRounds = 200;
    GcHeap::Settings settings;
    settings.gen0BudgetBytes = 16 * 1024;  // budget collections also strike mid-round
    settings.gen1BudgetBytes = 64 * 1024;
    settings.gen2BudgetBytes = 256 * 1024;
    settings.largeObjectBudgetBytes = 1024 * 1024;
    settings.smallObjectReserveBytes = 256u << 20;
    settings.largeObjectReserveBytes = 256u << 20;
    GcHeap heap(settings);
    std::mt19937_64 random(seed);
    const auto chance = [&](double p) {
        return std::uniform_real_distribution<>(0, 1)(random) < p;
    };
    const auto below = [&](std::size_t n) {
        return static_cast<std::size_t>(
            std::uniform_int_distribution<std::size_t>(0, n - 1)(random));
    };

    // Types with 0..3 reference fields between their data, so fields are not all up front.
    std::vector<GcTypeId> types;
    for (std::uint32_t fields = 0; fields <= 3; ++fields) {
        GcType type;
        type.name = "T" + std::to_string(fields);
        type.payloadBytes = 8 + fields * 16;
        for (std::uint32_t f = 0; f < fields; ++f) {
            type.referenceFields.push_back({"f" + std::to_string(f), 8 + f * 16});
        }
        types.push_back(heap.registerType(type));
    }

    std::vector<ModelObject> model;
    RootSet roots;
    std::vector<int> liveIds;
    std::uint64_t collectionsChecked = 0;

    for (int round = 0; round < kRounds; ++round) {
        {
            GcFrame construction(heap, "construction");
            // Earlier survivors stay rooted while the round builds, so that a budget
            // collection striking mid-round cannot free what the model still counts.
            for (int id : liveIds) {
                construction.local(model[id].tracker.ref());
            }
            std::vector<std::pair<int, ObjectRef>> fresh;
            const std::size_t count = 1 + below(40);
            for (std::size_t i = 0; i < count; ++i) {
                const int id = static_cast<int>(model.size());
                ModelObject object;
                ObjectRef ref;
                const double kind = std::uniform_real_distribution<>(0, 1)(random);
                if (kind < 0.12) {
                    const std::uint64_t length = chance(0.08) ? 85000 + below(40000) : below(300);
                    ref = heap.allocateByteArray(construction, length);
                    object.payload = pattern(random(), length);
                    heap.writeBytes(ref, 0, object.payload);
                } else if (kind < 0.25) {
                    const std::uint64_t length = below(12);
                    ref = heap.allocateReferenceArray(construction, length);
                    object.references.assign(length, -1);
                } else {
                    const std::size_t t = below(types.size());
                    ref = heap.allocate(construction, types[t]);
                    object.references.assign(t, -1);
                    // The first 8 bytes hold data; the rest interleaves with the references,
                    // which writeBytes must not touch, so only the leading word is patterned.
                    object.payload = pattern(random(), 8);
                    heap.writeBytes(ref, 0, object.payload);
                }
                object.tracker = heap.allocateHandle(ref, GcHandleKind::WeakLong);
                model.push_back(std::move(object));
                fresh.emplace_back(id, ref);
            }
            // Wire: new -> new, new -> old survivor, and old survivor -> new (barrier).
            const auto refOf = [&](int id, GcFrame& frame) {
                return model[id].tracker.target(frame);
            };
            for (auto& [id, ref] : fresh) {
                for (std::size_t slot = 0; slot < model[id].references.size(); ++slot) {
                    if (chance(0.3)) {
                        continue;
                    }
                    int target = -1;
                    if (!liveIds.empty() && chance(0.3)) {
                        target = liveIds[below(liveIds.size())];
                    } else {
                        target = fresh[below(fresh.size())].first;
                    }
                    heap.setReference(ref, slot, refOf(target, construction));
                    model[id].references[slot] = target;
                }
            }
            for (int store = 0; store < 4 && !liveIds.empty(); ++store) {
                const int holder = liveIds[below(liveIds.size())];
                if (model[holder].references.empty()) {
                    continue;
                }
                const std::size_t slot = below(model[holder].references.size());
                const int target = chance(0.2) ? -1 : fresh[below(fresh.size())].first;
                heap.setReference(refOf(holder, construction), slot,
                                  target < 0 ? ObjectRef{} : refOf(target, construction));
                model[holder].references[slot] = target;
            }
            // Roots: add some among the new objects, drop some old ones.
            for (auto& [id, ref] : fresh) {
                const double kind = std::uniform_real_distribution<>(0, 1)(random);
                if (kind < 0.08) {
                    auto frame = std::make_unique<GcFrame>(heap, "root");
                    frame->local(ref);
                    roots.frameLocals.emplace_back(id, std::move(frame));
                } else if (kind < 0.12) {
                    roots.handles.emplace_back(id, heap.allocateHandle(ref, GcHandleKind::Strong));
                } else if (kind < 0.14) {
                    roots.handles.emplace_back(id, heap.allocateHandle(ref, GcHandleKind::Pinned));
                } else if (kind < 0.17) {
                    const GcHeap::StaticId slot = heap.defineStatic("s" + std::to_string(id));
                    heap.setStatic(slot, ref);
                    roots.statics.emplace_back(id, slot);
                }
            }
            const auto dropSome = [&](auto& list, auto&& release) {
                for (std::size_t i = list.size(); i-- > 0;) {
                    if (chance(0.1)) {
                        release(list[i]);
                        list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
                    }
                }
            };
            dropSome(roots.frameLocals, [](auto&) {});
            dropSome(roots.handles, [](auto& root) { root.second.free(); });
            dropSome(roots.statics, [&](auto& root) { heap.setStatic(root.second, ObjectRef{}); });
        }

        // Generations before the collection decide what it condemns.
        const int generation = chance(0.5) ? 0 : chance(0.6) ? 1 : 2;
        std::vector<int> seeds;
        for (auto& root : roots.frameLocals)
            seeds.push_back(root.first);
        for (auto& root : roots.handles)
            seeds.push_back(root.first);
        for (auto& root : roots.statics)
            seeds.push_back(root.first);
        for (std::size_t id = 0; id < model.size(); ++id) {
            ModelObject& object = model[id];
            if (!object.alive) {
                continue;
            }
            // The collector sees what the tracker sees: a dead object cannot be alive here.
            QVERIFY(object.tracker.isAlive());
            const int objectGeneration = std::min(heap.generationOf(object.tracker.ref()), 2);
            if (objectGeneration > generation) {
                seeds.push_back(static_cast<int>(id));
            }
            object.pinnedAddress.reset();
        }
        for (auto& [id, handle] : roots.handles) {
            if (handle.kind() == GcHandleKind::Pinned) {
                model[id].pinnedAddress = heap.addressOf(handle.ref());
            }
        }
        std::vector<bool> expected(model.size(), false);
        while (!seeds.empty()) {
            const int id = seeds.back();
            seeds.pop_back();
            if (id < 0 || expected[id]) {
                continue;
            }
            expected[id] = true;
            for (int target : model[id].references) {
                seeds.push_back(target);
            }
        }

        heap.collect(generation);
        ++collectionsChecked;

        liveIds.clear();
        GcFrame look(heap, "look");
        for (std::size_t id = 0; id < model.size(); ++id) {
            ModelObject& object = model[id];
            if (!object.alive) {
                continue;
            }
            const bool alive = object.tracker.isAlive();
            QVERIFY2(
                alive == expected[id],
                qPrintable(QString("round %1, gen %2 collection: object %3 is %4 but should be %5")
                               .arg(round)
                               .arg(generation)
                               .arg(id)
                               .arg(alive ? "alive" : "dead")
                               .arg(expected[id] ? "alive" : "dead")));
            if (!alive) {
                object.alive = false;
                object.tracker.free();
                continue;
            }
            liveIds.push_back(static_cast<int>(id));
            if (object.pinnedAddress) {
                QCOMPARE(heap.addressOf(object.tracker.ref()), *object.pinnedAddress);
            }
            if (!object.payload.empty()) {
                std::vector<std::byte> data(object.payload.size());
                heap.readBytes(object.tracker.ref(), 0, data);
                QVERIFY(data == object.payload);
            }
            for (std::size_t slot = 0; slot < object.references.size(); ++slot) {
                const ObjectRef target = heap.getReference(look, object.tracker.ref(), slot);
                const int targetId = object.references[slot];
                if (targetId < 0) {
                    QVERIFY(target.isNull());
                } else {
                    QVERIFY(heap.sameObject(target, model[targetId].tracker.ref()));
                    look.retire(target);
                }
            }
        }
        // The heap holds nothing the model does not know about.
        std::size_t snapshotObjects = heap.snapshot().objects.size();
        QCOMPARE(snapshotObjects, liveIds.size());
    }
    QCOMPARE(collectionsChecked, std::uint64_t{kRounds});
    QVERIFY(heap.statistics().collections[0] > 0);
    QVERIFY(heap.statistics().collections[2] > 0);
}

QTEST_GUILESS_MAIN(GcPropertyTest)
#include "GcPropertyTest.moc"
