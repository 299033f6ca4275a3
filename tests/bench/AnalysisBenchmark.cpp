// The analysis suite (scripts/bench analysis [--events N] [--recording FILE]): how long every
// analysis of a large recording takes (engine/analysis), against the goal of a recording of
// 1 GB: every analysis ready in at most 5 s, the first view (the flame graph, the window's
// first page) in at most 2 s.
//
// The recording holds N allocator events (6 million by default) of four threads over 20,000
// distinct stacks of 16 frames in this program: sizes from 16 bytes to 16 MiB in the three
// tiers, a third freed at once (temporary), the others later, some never. It is written as a
// run's recording is, with the analysis summary its writer works out as it goes
// (AnalysisSummarizer). Each step is timed once, in wall time and in the process's processor
// time (all threads): opening the recording, decoding its blocks, reading the summary (the
// allocation analysis; the what-if replay of its large buffers), the streaming pass that a
// recording without a summary (a killed run's) needs instead (the blocks decoded on every
// core, and as before, on one thread, as the peer), naming the stacks, then each analysis. Every
// figure ends in a line "TIME <step> ...". --recording FILE analyses FILE, written first when there
// is none (and then kept): --events 175000000 writes a recording of about 1 GB.
//
// The 1 GB figures: measured when the recording is within a tenth of 1 GB, otherwise scaled
// by the file's size from the steps that grow with it (opening; the what-if replay, as this
// recording's large buffers grow with its events; the passes), the others (reading the
// allocation summary, naming, the trees, which grow with the number of stacks) as measured.
// The first view and every analysis read the summary (the what-if as the window opens it, with
// the options the summary stores the replay of); the range lines (the first half of the time,
// whose pass goes on from the last resume point inside it and stops soon after it, the
// summary's ends settling the rest; the last half, which runs to the end, so that only its
// events up to the first resume point after its start and the stretches between points that may
// hold its peak are read (LongRangeAnalysis); a tenth in the middle, the same up to the last
// point inside it and a pass from there that stops soon after it) need the trees too, on the
// recording the window has open;
// "without_summary" is a copy never marked finished, as a killed run leaves it, opened a moment
// later: its allocation analyses (opening, a pass from the last resume point, naming, every tree)
// and its what-if (opening, a replay of the resume points' buffers) at once, as the window asks
// for them; and
// "whatif_other_options" the opening again (the file checked when it was first opened) and a
// replay of the stored buffers. The recording has
// resume points as far apart, for its share of the events, as a 1 GB one.
// The RATIO lines say which: "RATIO <case> ours/target <target / ours>", above 1 when the
// target is met.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "MedianCollector.h"
#include "analysis/AllocationAnalyzer.h"
#include "analysis/AnalysisSummarizer.h"
#include "analysis/AnalysisSummary.h"
#include "analysis/CallTree.h"
#include "analysis/CollapsedStacks.h"
#include "analysis/PeakConsumers.h"
#include "analysis/StackNames.h"
#include "analysis/WhatIfReplay.h"
#include "diagnostics/StackTable.h"
#include "recording/PassedIntegrityChecks.h"
#include "recording/RecordingEventBlocks.h"
#include "recording/RecordingEventPages.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingWriter.h"
#include "recording/SqliteDatabase.h"
#include "scenarios/TemporaryDirectory.h"

namespace poolscope::bench {

namespace {

constexpr std::size_t kDefaultEvents = 6'000'000;
constexpr int kStacks = 20'000;
constexpr int kStackDepth = 16;
constexpr int kAddresses = 4'000;
constexpr std::uint32_t kThreads = 4;
constexpr std::size_t kBatch = 65'536;
constexpr double kGigabyte = 1e9;
// Events of a 1 GB recording of this program's.
constexpr double kGigabyteEvents = 168.5e6;

double secondsSince(std::chrono::steady_clock::time_point started) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

// Stacks of return addresses inside this program's code, so that the recording names them as
// it names a real program's.
std::vector<StackId> internStacks(std::mt19937_64& random) {
    const auto base = reinterpret_cast<std::uintptr_t>(&internStacks);
    std::vector<StackId> stacks;
    std::uniform_int_distribution<int> address(0, kAddresses - 1);
    for (int i = 0; i < kStacks; ++i) {
        std::uintptr_t frames[kStackDepth];
        for (int depth = 0; depth < kStackDepth; ++depth) {
            frames[depth] = base + static_cast<std::uintptr_t>(address(random)) * 16 + 1;
        }
        stacks.push_back(StackTable::instance().intern(frames, kStackDepth));
    }
    return stacks;
}

struct Generator {
    std::mt19937_64 random{20261202};
    std::vector<StackId> stacks = internStacks(random);
    std::vector<MemoryEvent> live;
    AllocationId nextId = 1;
    std::int64_t time = 0;

    MemoryEvent allocation() {
        std::uniform_real_distribution<double> logSize(4.0, 24.0);  // 16 B to 16 MiB
        const auto bytes = static_cast<std::uint64_t>(std::exp2(logSize(random)));
        // Few stacks make most allocations, as in a real program.
        const double skew = std::uniform_real_distribution<double>(0.0, 1.0)(random);
        MemoryEvent event;
        event.allocationId = nextId++;
        event.bytes = bytes;
        event.stackId = stacks[static_cast<std::size_t>(skew * skew * skew * kStacks)];
        event.threadId = 1 + static_cast<std::uint32_t>(random() % kThreads);
        event.chunkCount = 1;
        if (bytes <= 1024 * 1024) {
            event.kind = MemoryEventKind::SmallRent;
            event.tier = MemoryTier::Small;
        } else if (bytes <= 4 * 1024 * 1024) {
            event.kind = MemoryEventKind::Rent;
            event.tier = MemoryTier::Pooled;
        } else {
            event.kind = MemoryEventKind::UnpooledAllocate;
            event.tier = MemoryTier::Unpooled;
        }
        return event;
    }

    static MemoryEvent freeOf(MemoryEvent event) {
        event.kind = event.kind == MemoryEventKind::SmallRent ? MemoryEventKind::SmallReturn
                     : event.kind == MemoryEventKind::Rent    ? MemoryEventKind::Return
                                                              : MemoryEventKind::UnpooledFree;
        return event;
    }

    void next(std::vector<MemoryEvent>& batch) {
        time += 100;
        if (live.size() > 10'000 && random() % 100 < 50) {
            const std::size_t index = random() % live.size();
            MemoryEvent freed = freeOf(live[index]);
            live[index] = live.back();
            live.pop_back();
            freed.timeNanoseconds = time;
            batch.push_back(freed);
            return;
        }
        MemoryEvent made = allocation();
        made.timeNanoseconds = time;
        batch.push_back(made);
        if (random() % 3 == 0) {
            MemoryEvent freed = freeOf(made);
            freed.timeNanoseconds = time + 50;
            batch.push_back(freed);
        } else {
            live.push_back(made);
        }
    }
};

void writeRecording(const std::string& path, std::size_t events) {
    Generator generator;
    // As a recording of a run is written: with its analysis summary.
    RecordingWriter::Options options = AnalysisSummarizer::recordingOptions();
    // Resume points as far apart for its share of the events as a 1 GB recording's.
    options.resumePointEvents = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(static_cast<double>(options.resumePointEvents) *
                                      static_cast<double>(events) / kGigabyteEvents));
    RecordingWriter writer(path, {{"scenario", "analysis_bench"}}, options);
    std::vector<MemoryEvent> batch;
    std::size_t written = 0;
    while (written < events) {
        batch.clear();
        while (batch.size() < kBatch && written + batch.size() < events) {
            generator.next(batch);
        }
        writer.consume(batch);
        written += batch.size();
        // Handing the writer no more than it can queue: the bench measures analyses, not drops.
        while (written - writer.committedEvents() > options.queueCapacityEvents / 2) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    writer.finish({}, 0);
    if (writer.droppedEvents() != 0) {
        std::fprintf(stderr, "the writer dropped %llu events\n",
                     static_cast<unsigned long long>(writer.droppedEvents()));
    }
}

struct Timing {
    double wall = 0;
    double processor = 0;
};

// Wall time, and the process's processor time beside it (all its threads): on a machine other
// jobs share, the second says what the step itself cost; the first is what a user waits for,
// with the step's threads on up to four cores.
template <typename Step>
Timing timed(const char* name, Step step) {
    const auto started = std::chrono::steady_clock::now();
    const std::clock_t processor = std::clock();
    step();
    Timing timing;
    timing.wall = secondsSince(started);
    timing.processor =
        static_cast<double>(std::clock() - processor) / static_cast<double>(CLOCKS_PER_SEC);
    std::printf("TIME %-36s %8.3f s  cpu %7.3f s\n", name, timing.wall, timing.processor);
    return timing;
}

// The step applied to every event of the recording, on one thread as the pass read them
// before: pages of RecordingEventPages, each decoded while the one before is visited.
AllocationAnalysis passOnOneThread(const RecordingReader& reader) {
    AllocationAnalyzer analyzer({}, reader.metaInteger("chunk_bytes"));
    RecordingEventPages::forEach(reader, [&analyzer](const std::vector<RecordedEvent>& page) {
        for (const RecordedEvent& recorded : page) {
            analyzer.apply(recorded.event);
        }
    });
    return analyzer.finish();
}

int run(int argc, char** argv) {
    std::size_t events = kDefaultEvents;
    std::string given;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--events") == 0) {
            events = std::stoull(argv[i + 1]);
        } else if (std::strcmp(argv[i], "--recording") == 0) {
            given = argv[i + 1];
        }
    }
    const std::filesystem::path scratch = TemporaryDirectory::create("poolscope-analysis-bench");
    const std::string path = given.empty() ? (scratch / "large.psrec").string() : given;
    if (!std::filesystem::exists(path)) {
        std::printf("== PoolScope analysis benchmark: %zu events, %d stacks of %d frames\n", events,
                    kStacks, kStackDepth);
        const auto started = std::chrono::steady_clock::now();
        writeRecording(path, events);
        std::printf("recording written in %.3f s\n", secondsSince(started));
    }

    std::unique_ptr<RecordingReader> reader;
    const Timing open = timed("open", [&] { reader = std::make_unique<RecordingReader>(path); });
    events = static_cast<std::size_t>(reader->lastEventSequence());
    const double fileBytes = static_cast<double>(std::filesystem::file_size(path));
    const bool measured = std::abs(fileBytes - kGigabyte) <= kGigabyte / 10;
    const double scale = measured ? 1.0 : kGigabyte / fileBytes;
    std::printf(
        "%s: %.1f MB, %zu events, %.1f bytes per event; a 1 GB recording holds about "
        "%.1f million events; %u cores\n",
        path.c_str(), fileBytes / 1e6, events, fileBytes / static_cast<double>(events),
        static_cast<double>(events) * kGigabyte / fileBytes / 1e6,
        std::thread::hardware_concurrency());
    timed("decoding, one thread (pages)", [&] {
        std::uint64_t read = 0;
        RecordingEventPages::forEach(
            *reader, [&read](const std::vector<RecordedEvent>& page) { read += page.size(); });
    });
    timed("decoding, blocks on up to four cores", [&] {
        std::uint64_t read = 0;
        RecordingEventBlocks::forEach(*reader, [&read](std::span<const MemoryEvent> block) {
            read += block.size();
            return true;
        });
    });
    // What the window and the report read first: the summary stored with the recording.
    std::optional<AllocationAnalysis> stored;
    const Timing summary = timed("allocation summary (read, decode)",
                                 [&] { stored = AnalysisSummary::allocationsOf(*reader); });
    if (!stored) {
        std::fprintf(stderr, "the recording has no analysis summary\n");
        return 1;
    }
    const AllocationAnalysis& analysis = *stored;
    // The what-if the window opens with, stored replayed; other options replay the buffers.
    std::optional<WhatIfResult> storedWhatIf;
    const Timing whatIfStored = timed("what-if stored replay (read, decode)", [&] {
        storedWhatIf = AnalysisSummary::whatIfResultOf(*reader);
    });
    WhatIfEvents buffers;
    const Timing whatIfRead =
        timed("what-if summary (read, decode)", [&] { buffers = WhatIfReplay::eventsOf(*reader); });
    WhatIfResult whatIf;
    const Timing whatIfReplay = timed("what-if replay of its buffers", [&] {
        whatIf = WhatIfReplay::of(buffers, WhatIfReplay::Options{});
    });
    if (!storedWhatIf ||
        *storedWhatIf != WhatIfReplay::of(buffers, WhatIfReplay::summaryOptions())) {
        std::fprintf(stderr, "the stored what-if is not the replay of the stored buffers\n");
        return 1;
    }
    // What the window does when the options change: the stored buffers decoded as the
    // replay goes.
    if (WhatIfReplay::isReplayWith(*storedWhatIf, WhatIfReplay::Options{})) {
        std::fprintf(stderr, "the default options are the stored replay's\n");
        return 1;
    }
    // The window's what-if opens the recording a reader of its own, as the file its analyses
    // opened (and checked) before.
    const Timing reopen =
        timed("open again (checked before)", [&] { const RecordingReader again(path); });
    const Timing whatIfStreamed = timed("what-if with other options (streamed)", [&] {
        WhatIfReplay::of(*reader, WhatIfReplay::Options{});
    });
    const double whatIfOtherOptions = whatIfStreamed.wall;

    // The fallback, for a recording without a summary (a killed run's, an older one's).
    AllocationAnalysis before;
    const Timing onePass =
        timed("streaming pass, one thread", [&] { before = passOnOneThread(*reader); });
    AllocationAnalysis passed;
    const Timing pass =
        timed("streaming pass", [&] { passed = AllocationAnalyzer::everyEvent(*reader); });
    timed("what-if by a pass (collect, replay)",
          [&] { WhatIfReplay::of(WhatIfReplay::everyEvent(*reader), WhatIfReplay::Options{}); });
    for (const AllocationAnalysis* other : {&before, &passed}) {
        if (analysis.sites != other->sites || analysis.peakBytes != other->peakBytes ||
            analysis.peakNanoseconds != other->peakNanoseconds ||
            analysis.events != other->events) {
            std::fprintf(stderr, "the summary and the passes disagree\n");
            return 1;
        }
    }
    std::optional<StackNames> read;
    const Timing naming = timed("naming stacks", [&] { read.emplace(StackNames::of(*reader)); });
    StackNames& names = *read;
    // The flame graph, the window's first page, is the top-down tree.
    const Timing firstView =
        timed("top-down tree (flame graph)", [&] { CallTree::topDown(analysis, names); });
    double others = 0;
    PeakConsumers consumers;
    others += timed("peak consumers", [&] { consumers = PeakConsumers::of(analysis, names); }).wall;
    others += timed("bottom-up tree", [&] { CallTree::bottomUp(analysis, names); }).wall;
    for (const auto& [name, cost] :
         {std::pair{"collapsed stacks allocations", CollapsedStacks::Cost::Allocations},
          std::pair{"collapsed stacks leaked", CollapsedStacks::Cost::Leaked},
          std::pair{"collapsed stacks peak", CollapsedStacks::Cost::Peak}}) {
        others += timed(name, [&] { CollapsedStacks::of(analysis, names, cost); }).wall;
    }
    others += timed("size histogram", [&] { analysis.sizes.buckets(); }).wall;
    // The ranges are shares of the time from the first event to the last.
    const std::int64_t first = analysis.firstEventNanoseconds;
    const std::vector<RecordedEvent> lastEvent = reader->events(reader->lastEventSequence() - 1, 1);
    const std::int64_t span =
        lastEvent.empty() ? 0 : lastEvent.back().event.timeNanoseconds - first;
    const AnalysisRange half{first, first + span / 2};
    const Timing halfPass =
        timed("streaming pass, half range", [&] { AllocationAnalyzer::of(*reader, half); });
    // The second half: the blocks before it are skipped unread.
    const AnalysisRange lastHalf{half.toNanoseconds, AnalysisRange{}.toNanoseconds};
    const Timing lastHalfPass = timed("streaming pass, last half range",
                                      [&] { AllocationAnalyzer::of(*reader, lastHalf); });
    // A tenth in the middle, as a selection of one phase of a run: the blocks before it are
    // skipped, and those after it settled from the summary's ends, unread.
    const AnalysisRange middleTenth{first + span / 100 * 45, first + span / 100 * 55};
    const Timing tenthPass = timed("streaming pass, middle tenth range",
                                   [&] { AllocationAnalyzer::of(*reader, middleTenth); });

    // A killed run's recording: this one, never marked finished, so without its summary. The
    // window analyses its allocations and replays its what-if at once, each on a thread of its
    // own, both from the recording's last resume point.
    const std::filesystem::path killed = scratch / "killed.psrec";
    std::filesystem::copy_file(path, killed, std::filesystem::copy_options::overwrite_existing);
    SqliteDatabase(killed.string(), SqliteDatabase::Mode::CreateNew)
        .execute("DELETE FROM meta WHERE key = 'finished'");
    // Opened a moment after the run's end, as a user opens a killed run's file: one of its two
    // readers checks it, the other waits for that check (PassedIntegrityChecks).
    std::this_thread::sleep_for(PassedIntegrityChecks::kSettled + std::chrono::milliseconds(500));
    double allocationsKilled = 0;
    double whatIfKilled = 0;
    WhatIfResult killedWhatIf;
    bool killedAgrees = true;
    const auto killedStarted = std::chrono::steady_clock::now();
    std::thread whatIfOfKilled([&] {
        const RecordingReader cut(killed.string());
        killedWhatIf = WhatIfReplay::of(cut, WhatIfReplay::summaryOptions());
        whatIfKilled = secondsSince(killedStarted);
    });
    {
        const RecordingReader cut(killed.string());
        const AllocationAnalysis resumed = AllocationAnalyzer::of(cut);
        killedAgrees = !cut.finished() && resumed.sites == analysis.sites &&
                       resumed.peakBytes == analysis.peakBytes && resumed.events == analysis.events;
        StackNames cutNames = StackNames::of(cut);
        CallTree::topDown(resumed, cutNames);
        PeakConsumers::of(resumed, cutNames);
        CallTree::bottomUp(resumed, cutNames);
        for (const CollapsedStacks::Cost cost :
             {CollapsedStacks::Cost::Allocations, CollapsedStacks::Cost::Leaked,
              CollapsedStacks::Cost::Peak}) {
            CollapsedStacks::of(resumed, cutNames, cost);
        }
        resumed.sizes.buckets();
        allocationsKilled = secondsSince(killedStarted);
    }
    whatIfOfKilled.join();
    std::filesystem::remove(killed);
    if (!killedAgrees || killedWhatIf != *storedWhatIf) {
        std::fprintf(stderr, "the killed run's analyses disagree with the summary\n");
        return 1;
    }
    std::printf(
        "TIME killed run (no summary), at once:  allocation analyses %.3f s, what-if %.3f s\n",
        allocationsKilled, whatIfKilled);

    const CallSiteCost all = analysis.total();
    std::printf(
        "analysed: %zu call sites, %llu allocations, %llu temporary, %llu leaked, peak "
        "%.1f MB held by %zu stacks; what-if: %llu large buffers\n",
        analysis.sites.size(), static_cast<unsigned long long>(all.allocations),
        static_cast<unsigned long long>(all.temporaryAllocations),
        static_cast<unsigned long long>(all.leakedAllocations),
        static_cast<double>(analysis.peakBytes) / 1e6, consumers.stacks.size(),
        static_cast<unsigned long long>(whatIf.largeRequests));
    std::printf(
        "pass: %.1f ns an event (wall), %.1f ns an event (cpu); on one thread before: "
        "%.1f ns (wall)\n",
        pass.wall * 1e9 / static_cast<double>(events),
        pass.processor * 1e9 / static_cast<double>(events),
        onePass.wall * 1e9 / static_cast<double>(events));

    // Opening grows with the file; the allocation summary, naming, the trees and the stored
    // what-if (its series has at most a few samples a column of the plot) with the number of
    // stacks; the what-if buffers with the number of large buffers, which in this recording
    // grow with its events (a fifth of its allocations are over 1 MiB), so their read and
    // replay are scaled with the file too; the passes grow with the file.
    const double firstViewSeconds = open.wall * scale + summary.wall + naming.wall + firstView.wall;
    const double allocationsReadySeconds = firstViewSeconds + others;
    const double readySeconds = allocationsReadySeconds + whatIfStored.wall;
    const double otherOptionsSeconds = reopen.wall * scale + whatIfOtherOptions * scale;
    // The killed run's two analyses grow with the events after the last resume point and with
    // the large buffers, both with the file.
    const double passReadySeconds = std::max(allocationsKilled, whatIfKilled) * scale;
    // A time range is selected on a recording the window has open: its reader and its stacks'
    // names are kept from the analysis before (OpenRecording).
    const double rangeReadySeconds = halfPass.wall * scale + firstView.wall + others;
    const double lastHalfReadySeconds = lastHalfPass.wall * scale + firstView.wall + others;
    const double tenthReadySeconds = tenthPass.wall * scale + firstView.wall + others;
    const char* how = measured ? "measured" : "scaled";
    std::printf(
        "1 GB recording (%s%s): first view %.3f s (target <= 2 s), every analysis "
        "%.3f s (target <= 5 s), of its first half %.3f s, of its last half %.3f s, of a tenth in "
        "its middle %.3f s; without a summary (a killed run) %.3f s; the what-if with other "
        "options than the window's %.3f s\n",
        how, measured ? "" : " by the file's size", firstViewSeconds, readySeconds,
        rangeReadySeconds, lastHalfReadySeconds, tenthReadySeconds, passReadySeconds,
        otherOptionsSeconds);
    std::printf("RATIO analysis_1GB_%s_first_view ours/target_2s %.3f\n", how,
                2.0 / firstViewSeconds);
    std::printf("RATIO analysis_1GB_%s_every_analysis ours/target_5s %.3f\n", how,
                5.0 / readySeconds);
    // Every analysis but the what-if replay, which grows with the large buffers alone.
    std::printf("RATIO analysis_1GB_%s_allocation_analyses ours/target_5s %.3f\n", how,
                5.0 / allocationsReadySeconds);
    std::printf("RATIO analysis_1GB_%s_every_analysis_half_range ours/target_5s %.3f\n", how,
                5.0 / rangeReadySeconds);
    std::printf("RATIO analysis_1GB_%s_every_analysis_last_half_range ours/target_5s %.3f\n", how,
                5.0 / lastHalfReadySeconds);
    std::printf("RATIO analysis_1GB_%s_every_analysis_middle_tenth_range ours/target_5s %.3f\n",
                how, 5.0 / tenthReadySeconds);
    std::printf("RATIO analysis_1GB_%s_every_analysis_without_summary ours/target_5s %.3f\n", how,
                5.0 / passReadySeconds);
    std::printf("RATIO analysis_1GB_%s_whatif_other_options ours/target_5s %.3f\n", how,
                5.0 / otherOptionsSeconds);
    std::printf("RATIO streaming_pass_time ours/one_thread %.3f\n", onePass.wall / pass.wall);
    std::filesystem::remove_all(scratch);
    return 0;
}

}  // namespace

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    return poolscope::bench::benchmarkMain("analysis_bench", argc, argv, poolscope::bench::run);
}
