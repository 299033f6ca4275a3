#include "scenarios/StressScenario.h"

#include <algorithm>
#include <exception>
#include <random>
#include <span>
#include <thread>
#include <variant>

#include "diagnostics/MemoryDiagnostics.h"
#include "memory/InvalidMemoryOperation.h"
#include "scenarios/ScenarioError.h"

namespace poolscope {

namespace {

constexpr std::size_t kProbeBytes = 64;
constexpr int kPoolCheckEvery = 64;
constexpr std::size_t kViolationsKept = 16;

// Stamps the start, middle and end of a span: enough to see another owner writing into the
// same memory, without turning the stress run into a memory bandwidth test.
void stamp(std::span<std::byte> bytes, std::uint8_t value) {
    const std::size_t probe = std::min(kProbeBytes, bytes.size());
    std::fill_n(bytes.begin(), probe, std::byte{value});
    std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2 - probe / 2), probe,
                std::byte{value});
    std::fill(bytes.end() - static_cast<std::ptrdiff_t>(probe), bytes.end(), std::byte{value});
}

bool stampIntact(std::span<const std::byte> bytes, std::uint8_t value) {
    const std::size_t probe = std::min(kProbeBytes, bytes.size());
    const auto same = [value](std::span<const std::byte> part) {
        return std::all_of(part.begin(), part.end(),
                           [value](std::byte b) { return b == std::byte{value}; });
    };
    return same(bytes.first(probe)) && same(bytes.subspan(bytes.size() / 2 - probe / 2, probe)) &&
           same(bytes.last(probe));
}

struct Held {
    std::variant<MemoryOwner, MemoryGroup> memory;
    std::uint8_t stampValue = 0;

    std::vector<std::span<std::byte>> spans() const {
        std::vector<std::span<std::byte>> parts;
        if (const auto* owner = std::get_if<MemoryOwner>(&memory)) {
            parts.push_back(owner->bytes());
        } else {
            const auto& group = std::get<MemoryGroup>(memory);
            for (int i = 0; i < group.count(); ++i) {
                parts.push_back(group.chunkBytes(i));
            }
        }
        return parts;
    }
    void dispose() {
        std::visit([](auto& m) { m.dispose(); }, memory);
    }
};

}  // namespace

std::string StressScenario::description() const {
    return "N threads rent, write, check and dispose buffers and groups of every tier at random, "
           "checking the allocator's invariants as they go.";
}

std::vector<ScenarioParameter> StressScenario::parameters() const {
    return {
        ScenarioParameter::integer("threads", "threads working at once", 4, 1, 256),
        ScenarioParameter::integer("operations", "operations per thread", 2000, 1, 100'000'000),
        ScenarioParameter::integer("max-held", "buffers a thread holds at most", 8, 1, 1024),
        ScenarioParameter::integer("seed", "seed of the random operations", 1, 0, UINT32_MAX),
    };
}

void StressScenario::reportViolation(std::string message) {
    std::lock_guard lock(violationsMutex_);
    if (violations_.size() < kViolationsKept) {
        violations_.push_back(std::move(message));
    }
}

void StressScenario::runThread(ScenarioContext& context, int thread, std::int64_t operations,
                               int maxHeld, std::uint32_t seed, Counts& counts) {
    const AllocationTagScope tag(kTag);
    MemoryAllocator& allocator = context.allocator();
    auto* pooled = dynamic_cast<PooledMemoryAllocator*>(&allocator);
    std::minstd_rand random(seed + static_cast<std::uint32_t>(thread) * 7919u);
    const auto uniform = [&random](std::int64_t low, std::int64_t high) {
        return std::uniform_int_distribution<std::int64_t>(low, high)(random);
    };
    std::vector<Held> held;
    std::uint8_t nextStamp = static_cast<std::uint8_t>(thread * 37 + 1);

    const auto disposeOne = [&](std::size_t index) {
        Held& victim = held[index];
        for (const std::span<std::byte> part : victim.spans()) {
            if (!stampIntact(part, victim.stampValue)) {
                reportViolation("thread " + std::to_string(thread) +
                                ": memory of a live owner was overwritten by someone else");
            }
        }
        victim.dispose();
        victim.dispose();  // a second dispose must be harmless
        try {
            (void)victim.spans();
            reportViolation("thread " + std::to_string(thread) +
                            ": access after dispose was not refused");
        } catch (const InvalidMemoryOperation&) {
            counts.refusedAccessesAfterDispose += 1;
        }
        held.erase(held.begin() + static_cast<std::ptrdiff_t>(index));
        counts.disposes += 1;
    };

    for (std::int64_t op = 0; op < operations && !context.cancelled(); ++op) {
        const std::int64_t choice = uniform(0, 9);
        if ((choice < 4 || static_cast<int>(held.size()) >= maxHeld) && !held.empty()) {
            disposeOne(
                static_cast<std::size_t>(uniform(0, static_cast<std::int64_t>(held.size()) - 1)));
        } else {
            Held item{MemoryOwner(), nextStamp++};
            if (nextStamp == 0) {
                nextStamp = 1;
            }
            if (choice < 6) {
                item.memory = allocator.allocate(uniform(1, 64 * 1024), 1);
                counts.smallRents += 1;
            } else if (choice < 8) {
                item.memory = allocator.allocate(uniform(1024 * 1024 + 1, 4 * 1024 * 1024), 1);
                counts.chunkRents += 1;
            } else {
                const std::int64_t width = uniform(256, 2048);
                const std::int64_t height = uniform(64, 2048);
                item.memory = allocator.allocateGroup(width * height, 4, width);
                counts.groupRents += 1;
            }
            for (const std::span<std::byte> part : item.spans()) {
                stamp(part, item.stampValue);
            }
            held.push_back(std::move(item));
        }
        if (pooled != nullptr && op % kPoolCheckEvery == 0) {
            const UniformChunkPool::Stats stats = pooled->pool().stats();
            if (stats.rented + stats.retained > stats.capacity || stats.rented < 0 ||
                stats.retained < 0) {
                reportViolation("the pool holds " + std::to_string(stats.rented) + " rented and " +
                                std::to_string(stats.retained) + " retained chunks, over its " +
                                "capacity of " + std::to_string(stats.capacity));
            }
        }
        counts.operations += 1;
        operationsDone_.fetch_add(1, std::memory_order_relaxed);
    }
    while (!held.empty()) {
        disposeOne(held.size() - 1);
    }
}

ScenarioOutcome StressScenario::run(ScenarioContext& context,
                                    const ScenarioParameters& parameters) {
    const int threads = static_cast<int>(parameters.integer("threads"));
    const std::int64_t operations = parameters.integer("operations");
    const int maxHeld = static_cast<int>(parameters.integer("max-held"));
    const auto seed = static_cast<std::uint32_t>(parameters.integer("seed"));
    const std::int64_t planned = operations * threads;
    violations_.clear();
    operationsDone_ = 0;

    ScenarioOutcome outcome;
    if (!context.checkpoint("start the threads")) {
        outcome.cancelled = true;
        return outcome;
    }
    std::vector<Counts> counts(static_cast<std::size_t>(threads));
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
    {
        std::vector<std::jthread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                try {
                    runThread(context, t, operations, maxHeld, seed, counts[t]);
                } catch (...) {
                    errors[t] = std::current_exception();
                }
            });
        }
        // The calling thread reports progress while the workers run.
        while (operationsDone_.load(std::memory_order_relaxed) < planned && !context.cancelled()) {
            context.reportProgress(operationsDone_.load(std::memory_order_relaxed), planned,
                                   "random rent/return/dispose");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            if (std::any_of(errors.begin(), errors.end(),
                            [](const auto& e) { return e != nullptr; })) {
                break;
            }
        }
    }
    for (const std::exception_ptr& error : errors) {
        if (error) {
            std::rethrow_exception(error);
        }
    }
    context.reportProgress(operationsDone_.load(), planned, "random rent/return/dispose");
    outcome.cancelled = context.cancelled();

    // Every thread has disposed everything it held, so nothing of this allocator may be live.
    if (auto* pooled = dynamic_cast<PooledMemoryAllocator*>(&context.allocator())) {
        const int rented = pooled->pool().stats().rented;
        if (rented != 0) {
            reportViolation(std::to_string(rented) + " pool chunks are still rented at the end");
        }
    }
    std::int64_t stillLive = 0;
    for (const AllocationInfo& allocation : MemoryDiagnostics::liveAllocations()) {
        stillLive += allocation.sourceId == context.allocator().sourceId() &&
                             allocation.tagId == MemoryDiagnostics::internTag(kTag)
                         ? 1
                         : 0;
    }
    if (stillLive != 0) {
        reportViolation(std::to_string(stillLive) + " allocations are still live at the end");
    }

    Counts total;
    for (const Counts& c : counts) {
        total.operations += c.operations;
        total.smallRents += c.smallRents;
        total.chunkRents += c.chunkRents;
        total.groupRents += c.groupRents;
        total.disposes += c.disposes;
        total.refusedAccessesAfterDispose += c.refusedAccessesAfterDispose;
    }
    if (!violations_.empty()) {
        throw ScenarioError("stress: " + std::to_string(violations_.size()) +
                            " invariant violations; the first: " + violations_.front());
    }
    outcome.addFigure("operations", total.operations);
    outcome.addFigure("smallRents", total.smallRents);
    outcome.addFigure("chunkRents", total.chunkRents);
    outcome.addFigure("groupRents", total.groupRents);
    outcome.addFigure("disposes", total.disposes);
    outcome.addFigure("refusedAccessesAfterDispose", total.refusedAccessesAfterDispose);
    outcome.addFigure("invariantViolations", std::int64_t{0});
    return outcome;
}

}  // namespace poolscope
