// The interposer suite (scripts/bench interposer): preload_probe_rate makes kPairs malloc/free
// pairs on one thread, untracked and under libpoolscope_preload.so with a PreloadStreamDecoder
// reading the stream as the launcher does, alternating, kRepetitions of each. The rate is the
// records decoded over the program's own loop time (2 a pair, with stacks of the default depth);
// a run that dropped anything does not count as a rate. The loop also waits for the reader when
// the pipe is full, so the records per second of the program's CPU time are given too: what
// the interposer costs, apart from how fast the reader reads on a busy machine. Medians.
//
// Every comparison ends in one line "RATIO <case> <ours>/<peer> <value>", value = the peer's
// median divided by ours (above 1: the peer took longer), as the other suites print them.

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "MedianCollector.h"
#include "PreloadRun.h"

namespace poolscope::bench {

namespace {

namespace wire = PreloadWire;

constexpr int kRepetitions = 5;
constexpr long kPairs = 2'000'000;

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// Counts, keeping nothing: millions of records.
class CountingVisitor : public PreloadRecordVisitor {
public:
    std::uint64_t heapRecords = 0;
    std::uint64_t droppedRecords = 0;

    void hello(const wire::Hello&) override {}
    void allocated(const wire::Allocation&) override { ++heapRecords; }
    void released(const wire::Release&) override { ++heapRecords; }
    void mapped(const wire::Mapping&) override {}
    void unmapped(const wire::Unmapping&) override {}
    void remapped(const wire::Remapping&) override {}
    void descriptorOpened(const wire::DescriptorOpened&, std::string_view) override {}
    void descriptorClosed(const wire::DescriptorClosed&) override {}
    void stack(const wire::StackRecord&, std::span<const std::uint64_t>) override {}
    void module(const wire::ModuleRecord&, std::string_view) override {}
    void dropped(const wire::DroppedRecords& record) override { droppedRecords += record.records; }
    void process(const wire::ProcessEvent&) override {}
};

// The program's own account of its loop: "pairs N seconds S".
double loopSeconds(const std::string& output) {
    long pairs = 0;
    double seconds = 0;
    if (std::sscanf(output.c_str(), "pairs %ld seconds %lf", &pairs, &seconds) != 2 ||
        pairs != kPairs) {
        throw std::runtime_error("preload_probe_rate said: " + output);
    }
    return seconds;
}

double plainSeconds() {
    // The interposer without a stream stays inert: the program as it runs untracked.
    const test::PreloadRun run =
        test::PreloadRun::start(POOLSCOPE_PRELOAD_LIBRARY, POOLSCOPE_PRELOAD_RATE,
                                {std::to_string(kPairs)}, {{wire::kFdVariable, "-1"}});
    return loopSeconds(run.output);
}

int run(int /*argc*/, char** /*argv*/) {
    std::printf(
        "== PoolScope interposer benchmark: %ld malloc/free pairs on one thread, untracked and "
        "under libpoolscope_preload.so, %d repetitions each way\n",
        kPairs, kRepetitions);
    std::vector<double> plain;
    std::vector<double> tracked;
    std::vector<double> rates;
    std::vector<double> cpuRates;
    for (int repetition = 0; repetition < kRepetitions; ++repetition) {
        plain.push_back(plainSeconds());
        CountingVisitor counts;
        // The interposer's own drop budget, not the tests' long one.
        const test::PreloadRun run = test::PreloadRun::start(
            POOLSCOPE_PRELOAD_LIBRARY, POOLSCOPE_PRELOAD_RATE, {std::to_string(kPairs)},
            {{wire::kDropAfterVariable, "200"}}, test::PreloadRun::Reader::Prompt, &counts);
        if (!run.streamError.empty()) {
            throw std::runtime_error(run.streamError);
        }
        const double seconds = loopSeconds(run.output);
        tracked.push_back(seconds);
        if (counts.droppedRecords == 0) {
            rates.push_back(static_cast<double>(counts.heapRecords) / seconds);
            cpuRates.push_back(static_cast<double>(counts.heapRecords) / run.cpuSeconds);
        }
        std::printf(
            "repetition %d: untracked %.3f s, tracked %.3f s (CPU %.3f s), %llu records, %llu "
            "dropped\n",
            repetition + 1, plain.back(), seconds, run.cpuSeconds,
            static_cast<unsigned long long>(counts.heapRecords),
            static_cast<unsigned long long>(counts.droppedRecords));
    }
    if (rates.empty()) {
        std::printf("interposer: every tracked run dropped records; no rate\n");
    } else {
        std::printf(
            "interposer: %.2f million records/s on one thread with nothing dropped "
            "(median of %zu runs; goal 5)\n",
            median(rates) / 1e6, rates.size());
        std::printf("interposer: %.2f million records a second of the program's CPU time\n",
                    median(cpuRates) / 1e6);
    }
    std::printf("RATIO interposer_loop tracked/untracked %.4f\n", median(plain) / median(tracked));
    std::fflush(stdout);
    return 0;
}

}  // namespace

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    return poolscope::bench::benchmarkMain("interposer_bench", argc, argv, poolscope::bench::run);
}
