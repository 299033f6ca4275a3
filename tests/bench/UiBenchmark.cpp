// The UI suite (scripts/bench ui): what the views cost on the GUI thread.
//
//  (a) The leak table at a million rows: the model's reset, sorts and filters through
//      LeakFilterProxyModel, beside a plain QSortFilterProxyModel sorting the same rows through
//      QVariant (the peer). Target: sort and filter <= 200 ms.
//  (b) Frame time while a producer thread feeds synthetic but realistic MemoryEvents (pool
//      rents and returns of image buffers, unpooled and small buffers, each with a stack and a
//      tag, a few leaked) into a SessionState at 100k and 1M events/s, and the GUI thread takes
//      a snapshot 30 times a second, hands it to the views and renders them (grab). A frame is
//      setSnapshot on every view plus the render. Target: frames <= 33 ms at 1M events/s.
//      Beside the frames, the CPU the ingest costs per second: the session state's applies on
//      the producer thread and the GUI thread's snapshots and views (the producer's own making
//      of events is left out: a real program's engine does that).
//  (c) The idle window (IdleWindowBenchmark.cpp): the whole MainWindow after a 1.2M-operation
//      stress run, left alone; the process's CPU as a share of one core. Target: <= 1%.
//
// Lines: "FIGURE <case> <metric> <value>" for a measured figure, and
// "RATIO <case> <ours>/<peer> <value>", value = the peer's median divided by ours (above 1: the
// peer took longer; for a target, the peer is the target's budget). Medians over kRepetitions.

#include <QApplication>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QVBoxLayout>
#include <QWidget>

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "IdleWindowBenchmark.h"
#include "Percentile.h"
#include "models/LeakFilterProxyModel.h"
#include "models/LeakTableModel.h"
#include "session/SessionState.h"
#include "views/LeakView.h"
#if __has_include("views/PoolMapView.h")
#include "views/PoolMapView.h"
#define POOLSCOPE_BENCH_HAS_POOL_MAP 1
#endif
#if __has_include("views/TimelineView.h")
#include "views/TimelineView.h"
#define POOLSCOPE_BENCH_HAS_TIMELINE 1
#endif

namespace poolscope::bench {

namespace {

constexpr int kRepetitions = 5;
constexpr int kPeerRepetitions = 1;
constexpr int kTableRows = 1'000'000;
constexpr int kStacks = 2'000;
constexpr int kTags = 24;
constexpr double kSortFilterTargetMilliseconds = 200.0;
constexpr double kFrameTargetMilliseconds = 33.0;
constexpr double kIngestSeconds = 5.0;
constexpr int kFramesPerSecond = 30;
constexpr std::uint16_t kPoolSource = 1;
constexpr int kPoolSlots = 1024;
constexpr std::uint64_t kChunkBytes = 4u << 20;
constexpr std::int64_t kSecond = 1'000'000'000;

const char* const kFunctions[] = {
    "poolscope::ThumbnailCache::store",      "poolscope::PngDecoder::decodeRows",
    "poolscope::JpegDecoder::readScanlines", "poolscope::ResizeProcessor::apply",
    "poolscope::GaussianBlur::horizontal",   "poolscope::PreviewWindow::show",
    "poolscope::BatchResize::processOne",    "poolscope::ImageCache::insert",
    "poolscope::Compositor::blend",          "poolscope::TileRenderer::renderTile"};
const char* const kCallers[] = {"poolscope::Pipeline::run", "poolscope::Worker::loop",
                                "poolscope::Session::step", "main"};

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() / 2];
}

std::vector<Frame> framesOf(StackId id) {
    std::vector<Frame> frames;
    const std::size_t function = id % std::size(kFunctions);
    frames.push_back(
        {kFunctions[function], "engine/imaging/stage" + std::to_string(function) + ".cpp",
         static_cast<int>(40 + id % 400), "libpoolscope_engine.so", 0x400000u + id * 64u});
    for (int depth = 0; depth < 6; ++depth) {
        const char* caller = kCallers[(id + static_cast<StackId>(depth)) % std::size(kCallers)];
        frames.push_back({caller, "app/pipeline.cpp", 100 + depth, "poolscope",
                          0x500000u + id * 64u + static_cast<std::uint64_t>(depth)});
    }
    return frames;
}

SessionState::Resolvers syntheticResolvers() {
    SessionState::Resolvers resolvers;
    resolvers.stack = framesOf;
    resolvers.tag = [](std::uint16_t tag) { return QStringLiteral("workload-tag-%1").arg(tag); };
    return resolvers;
}

std::shared_ptr<StackCatalog> syntheticCatalog() {
    auto catalog = std::make_shared<StackCatalog>();
    for (StackId id = 1; id <= kStacks; ++id) {
        catalog->stacks.emplace(id, framesOf(id));
    }
    for (std::uint16_t tag = 1; tag <= kTags; ++tag) {
        catalog->tagNames.emplace(tag, QStringLiteral("workload-tag-%1").arg(tag));
    }
    return catalog;
}

// A million live allocations as a long leak-hunting session would show them: sizes from 64 B
// to 64 MiB, a few thousand stacks, a few dozen tags, all tiers, created over ten minutes.
std::shared_ptr<AllocationTable> millionRowTable(std::uint64_t seed) {
    std::mt19937_64 random(seed);
    auto table = std::make_shared<AllocationTable>();
    table->rows.reserve(kTableRows);
    std::int64_t created = kSecond;
    for (int i = 0; i < kTableRows; ++i) {
        LiveAllocation row;
        row.id = static_cast<AllocationId>(i) * 3 + 1;
        row.bytes = std::uint64_t{64} << (random() % 21);
        row.bytes += random() % row.bytes;
        created += static_cast<std::int64_t>(random() % 1'200'000);
        row.createdNanoseconds = created;
        row.threadId = static_cast<std::uint32_t>(1000 + random() % 16);
        row.stackId = static_cast<StackId>(1 + random() % kStacks);
        row.tagId = static_cast<std::uint16_t>(1 + random() % kTags);
        row.tier = static_cast<MemoryTier>(random() % 3);
        if (random() % 2 == 0) {
            row.imageWidth = static_cast<std::int32_t>(64 + random() % 4096);
            row.imageHeight = static_cast<std::int32_t>(64 + random() % 4096);
            row.pixelType = static_cast<PixelTypeId>(1 + random() % 6);
        }
        table->rows.push_back(row);
    }
    table->timeNanoseconds = created;
    return table;
}

template <typename Work>
double milliseconds(Work&& work) {
    QElapsedTimer timer;
    timer.start();
    work();
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

void printFigure(const std::string& caseName, const std::vector<double>& runs) {
    std::printf("FIGURE %s median_ms %.1f (min %.1f, max %.1f, %zu runs)\n", caseName.c_str(),
                median(runs), *std::min_element(runs.begin(), runs.end()),
                *std::max_element(runs.begin(), runs.end()), runs.size());
}

void printTargetRatio(const std::string& caseName, double oursMilliseconds, double target) {
    std::printf("RATIO %s poolscope/target_%.0fms %.3f\n", caseName.c_str(), target,
                target / oursMilliseconds);
}

void measureLeakTable() {
    std::printf("\n== (a) Leak table at %d rows (%d stacks, %d tags); medians over %d runs\n",
                kTableRows, kStacks, kTags, kRepetitions);
    const std::shared_ptr<const StackCatalog> catalog = syntheticCatalog();
    const std::shared_ptr<const AllocationTable> first = millionRowTable(1);
    const std::shared_ptr<const AllocationTable> second = millionRowTable(2);
    const std::int64_t now = first->timeNanoseconds;

    LeakTableModel model;
    LeakFilterProxyModel proxy;
    proxy.setSourceModel(&model);

    // The model alone: a new table is a reset, nothing made per row.
    std::vector<double> reset;
    for (int run = 0; run < kRepetitions; ++run) {
        reset.push_back(milliseconds([&] {
            model.setData(run % 2 == 0 ? second : first, catalog, now);
            (void)proxy.rowCount();  // the proxy maps lazily; a view asks at once
        }));
    }
    printFigure("leak_model_reset_1M", reset);

    const auto sortRuns = [&](int column) {
        std::vector<double> runs;
        for (int run = 0; run < kRepetitions; ++run) {
            const Qt::SortOrder order = run % 2 == 0 ? Qt::DescendingOrder : Qt::AscendingOrder;
            runs.push_back(milliseconds([&] { proxy.sort(column, order); }));
        }
        return runs;
    };
    std::vector<double> sortSize = sortRuns(LeakTableModel::SizeColumn);
    printFigure("leak_sort_size_1M", sortSize);
    std::vector<double> sortAge = sortRuns(LeakTableModel::AgeColumn);
    printFigure("leak_sort_age_1M", sortAge);
    std::vector<double> sortFrame = sortRuns(LeakTableModel::TopFrameColumn);
    printFigure("leak_sort_top_frame_1M", sortFrame);

    // Filters with the table sorted by size, as the view keeps it: each change refilters and
    // re-sorts what passes.
    proxy.sort(LeakTableModel::SizeColumn, Qt::DescendingOrder);
    const auto filterRuns = [&](const std::function<void(bool)>& apply) {
        std::vector<double> runs;
        for (int run = 0; run < kRepetitions; ++run) {
            // The proxy maps lazily; a view asks for the rows at once, so the timing does too.
            runs.push_back(milliseconds([&] {
                apply(true);
                (void)proxy.rowCount();
            }));
            apply(false);
            (void)proxy.rowCount();
        }
        return runs;
    };
    int textRows = 0;
    std::vector<double> filterText = filterRuns([&](bool on) {
        proxy.setTextFilter(on ? QStringLiteral("decoder") : QString());
        textRows = on ? proxy.rowCount() : textRows;
    });
    printFigure("leak_filter_text_1M", filterText);
    std::vector<double> filterSize =
        filterRuns([&](bool on) { proxy.setMinimumBytes(on ? std::uint64_t{1} << 20 : 0); });
    printFigure("leak_filter_min_size_1M", filterSize);
    std::vector<double> filterTime = filterRuns([&](bool on) {
        if (on) {
            proxy.setTimeRange(100.0, 200.0, 0);
        } else {
            proxy.clearTimeRange();
        }
    });
    printFigure("leak_filter_time_range_1M", filterTime);
    std::vector<double> filterSuppress = filterRuns([&](bool on) {
        proxy.setSuppressedSignatures(
            on ? QSet<QString>{LeakTableModel::stackSignature(framesOf(7))} : QSet<QString>{});
    });
    printFigure("leak_filter_suppress_1M", filterSuppress);
    // A live refresh: a new table arrives while the view is sorted by size.
    std::vector<double> refresh;
    for (int run = 0; run < kRepetitions; ++run) {
        refresh.push_back(milliseconds([&] {
            model.setData(run % 2 == 0 ? first : second, catalog, now);
            (void)proxy.rowCount();  // the proxy maps lazily; a view asks at once
        }));
    }
    printFigure("leak_refresh_sorted_by_size_1M", refresh);
    std::printf("text filter 'decoder' kept %d of %d rows\n", textRows, kTableRows);

    // The peer: Qt's own proxy sorting the same model through QVariant raw values.
    QSortFilterProxyModel peer;
    peer.setSourceModel(&model);
    peer.setSortRole(LeakTableModel::BytesRole);
    std::vector<double> peerSort;
    for (int run = 0; run < kPeerRepetitions; ++run) {
        const Qt::SortOrder order = run % 2 == 0 ? Qt::DescendingOrder : Qt::AscendingOrder;
        peerSort.push_back(milliseconds([&] { peer.sort(LeakTableModel::SizeColumn, order); }));
    }
    printFigure("leak_sort_size_1M_qvariant_peer", peerSort);

    std::printf("\n");
    printTargetRatio("leak_sort_size_1M", median(sortSize), kSortFilterTargetMilliseconds);
    printTargetRatio("leak_sort_age_1M", median(sortAge), kSortFilterTargetMilliseconds);
    printTargetRatio("leak_sort_top_frame_1M", median(sortFrame), kSortFilterTargetMilliseconds);
    printTargetRatio("leak_filter_text_1M", median(filterText), kSortFilterTargetMilliseconds);
    printTargetRatio("leak_filter_min_size_1M", median(filterSize), kSortFilterTargetMilliseconds);
    printTargetRatio("leak_filter_time_range_1M", median(filterTime),
                     kSortFilterTargetMilliseconds);
    printTargetRatio("leak_filter_suppress_1M", median(filterSuppress),
                     kSortFilterTargetMilliseconds);
    std::printf("RATIO leak_sort_size_1M poolscope/qvariant_proxy %.3f\n",
                median(peerSort) / median(sortSize));
}

// Events of an imaging workload: image buffers of 1 to 6 pool chunks (or unpooled when the
// pool is full or the image is large), small scratch buffers, each image described by an
// ImageBufferCreated event; most given back after a while, one in 400 leaked.
class WorkloadGenerator {
public:
    WorkloadGenerator() {
        for (int slot = kPoolSlots - 1; slot >= 0; --slot) {
            freeSlots_.push_back(slot);
        }
    }

    // Appends about `count` events stamped `time`.
    void generate(std::vector<MemoryEvent>& out, std::size_t count, std::int64_t time) {
        const std::size_t target = out.size() + count;
        while (out.size() < target) {
            if (live_.size() > kWindow) {
                release(out, live_.front(), time);
                live_.pop_front();
            } else {
                allocate(out, time);
            }
        }
    }

private:
    struct Live {
        AllocationId id = 0;
        MemoryTier tier = MemoryTier::Pooled;
        std::vector<std::int32_t> chunkSlots;
        std::uint64_t bytes = 0;
        StackId stack = 0;
        std::uint16_t tag = 0;
    };
    static constexpr std::size_t kWindow = 3000;

    MemoryEvent base(MemoryEventKind kind, const Live& live, std::int64_t time) const {
        MemoryEvent event;
        event.kind = kind;
        event.timeNanoseconds = time;
        event.allocationId = live.id;
        event.stackId = live.stack;
        event.threadId = static_cast<std::uint32_t>(100 + live.id % 4);
        event.sourceId = kPoolSource;
        event.tier = live.tier;
        event.value = live.tag;
        return event;
    }

    void allocate(std::vector<MemoryEvent>& out, std::int64_t time) {
        Live live;
        live.id = ++nextId_;
        live.stack = static_cast<StackId>(1 + random_() % 400);
        live.tag = static_cast<std::uint16_t>(1 + random_() % 12);
        const std::uint64_t kind = random_() % 10;
        if (kind < 5) {  // small scratch buffer
            live.tier = MemoryTier::Small;
            live.bytes = 256u << (random_() % 12);
            MemoryEvent event = base(MemoryEventKind::SmallRent, live, time);
            event.bytes = live.bytes;
            out.push_back(event);
        } else {
            const int chunks = static_cast<int>(1 + random_() % 6);
            const int width = 1024 + static_cast<int>(random_() % 3072);
            if (kind < 9 && freeSlots_.size() >= static_cast<std::size_t>(chunks)) {
                live.tier = MemoryTier::Pooled;
                for (int c = 0; c < chunks; ++c) {
                    live.chunkSlots.push_back(freeSlots_.back());
                    freeSlots_.pop_back();
                    MemoryEvent event = base(MemoryEventKind::Rent, live, time);
                    event.slot = live.chunkSlots.back();
                    event.bytes = kChunkBytes;
                    event.chunkIndex = static_cast<std::uint32_t>(c);
                    event.chunkCount = static_cast<std::uint32_t>(chunks);
                    event.value2 =
                        0x7f0000000000u + static_cast<std::uint64_t>(event.slot) * kChunkBytes;
                    out.push_back(event);
                }
                live.bytes = kChunkBytes * static_cast<std::uint64_t>(chunks);
            } else {
                live.tier = MemoryTier::Unpooled;
                live.bytes = kChunkBytes * static_cast<std::uint64_t>(chunks) + 4096;
                MemoryEvent event = base(MemoryEventKind::UnpooledAllocate, live, time);
                event.bytes = live.bytes;
                out.push_back(event);
            }
            MemoryEvent image = base(MemoryEventKind::ImageBufferCreated, live, time);
            image.value = static_cast<std::uint64_t>(width);
            image.value2 = live.bytes / 4 / static_cast<std::uint64_t>(width);
            image.chunkIndex = static_cast<std::uint32_t>(PixelTypeId::Rgba32);
            image.chunkCount = 1;
            image.bytes = live.bytes;
            out.push_back(image);
        }
        if (random_() % 400 != 0) {
            live_.push_back(std::move(live));
        }
    }

    void release(std::vector<MemoryEvent>& out, const Live& live, std::int64_t time) {
        switch (live.tier) {
            case MemoryTier::Small: {
                MemoryEvent event = base(MemoryEventKind::SmallReturn, live, time);
                event.bytes = live.bytes;
                out.push_back(event);
                break;
            }
            case MemoryTier::Pooled:
                for (const std::int32_t slot : live.chunkSlots) {
                    MemoryEvent event = base(MemoryEventKind::Return, live, time);
                    event.slot = slot;
                    event.bytes = kChunkBytes;
                    out.push_back(event);
                    freeSlots_.push_back(slot);
                }
                break;
            default: {
                MemoryEvent event = base(MemoryEventKind::UnpooledFree, live, time);
                event.bytes = live.bytes;
                out.push_back(event);
                break;
            }
        }
    }

    std::mt19937_64 random_{42};
    AllocationId nextId_ = 0;
    std::deque<Live> live_;
    std::vector<std::int32_t> freeSlots_;
};

std::int64_t steadyNanoseconds() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double cpuSeconds(clockid_t clock) {
    timespec time{};
    clock_gettime(clock, &time);
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_nsec) / 1e9;
}

struct FrameFigures {
    std::vector<double> frames;
    std::vector<double> snapshots;
    std::vector<double> applies;  // setSnapshot on every view
    std::vector<double> renders;  // pending events and the grab
    double eventsPerSecond = 0.0;
    std::size_t liveRows = 0;
    // CPU seconds per second of ingest: SessionState::apply on the producer thread, and the
    // GUI thread's snapshots, views and renders.
    double applyCores = 0.0;
    double guiCores = 0.0;
};

FrameFigures ingestAndRender(double targetEventsPerSecond) {
    const std::int64_t origin = steadyNanoseconds();
    SessionState state(syntheticResolvers(), origin);
    state.followPool(kPoolSource, kPoolSlots, kChunkBytes);
    std::mutex stateMutex;
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> produced{0};
    double applyCpuSeconds = 0.0;  // the producer's, read after it is joined

    QWidget window;
    window.resize(1280, 800);
    auto* layout = new QVBoxLayout(&window);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* top = new QSplitter(Qt::Horizontal, &window);
    auto* leaks = new LeakView(&window);
    std::vector<std::function<void(const std::shared_ptr<const SessionSnapshot>&)>> views;
    views.push_back([leaks](const auto& snapshot) { leaks->setSnapshot(snapshot); });
#ifdef POOLSCOPE_BENCH_HAS_POOL_MAP
    auto* poolMap = new PoolMapView(&window);
    top->addWidget(poolMap);
    views.push_back([poolMap](const auto& snapshot) { poolMap->setSnapshot(snapshot); });
#endif
#ifdef POOLSCOPE_BENCH_HAS_TIMELINE
    auto* timeline = new TimelineView(&window);
    top->addWidget(timeline);
    views.push_back([timeline](const auto& snapshot) { timeline->setSnapshot(snapshot); });
#endif
    if (top->count() > 0) {
        layout->addWidget(top, 1);
    } else {
        delete top;
    }
    layout->addWidget(leaks, 1);
    window.show();

    std::thread producer([&] {
        WorkloadGenerator generator;
        std::vector<MemoryEvent> batch;
        const std::size_t batchSize =
            std::max<std::size_t>(100, static_cast<std::size_t>(targetEventsPerSecond / 1000));
        const auto start = std::chrono::steady_clock::now();
        while (!stop.load(std::memory_order_relaxed)) {
            const double elapsed =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (static_cast<double>(produced.load()) >= elapsed * targetEventsPerSecond) {
                std::this_thread::sleep_for(std::chrono::microseconds(200));
                continue;
            }
            batch.clear();
            generator.generate(batch, batchSize, steadyNanoseconds());
            {
                std::lock_guard lock(stateMutex);
                const double before = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
                state.apply(batch);
                applyCpuSeconds += cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - before;
            }
            produced.fetch_add(batch.size(), std::memory_order_relaxed);
        }
    });

    FrameFigures figures;
    const auto start = std::chrono::steady_clock::now();
    const auto frameInterval = std::chrono::nanoseconds(kSecond / kFramesPerSecond);
    auto nextFrame = start;
    std::uint64_t appliedAtStart = 0;
    {
        std::lock_guard lock(stateMutex);
        appliedAtStart = state.eventsApplied();
    }
    const auto ingestStart = std::chrono::steady_clock::now();
    const double guiCpuStart = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    while (std::chrono::steady_clock::now() - start <
           std::chrono::duration<double>(kIngestSeconds)) {
        std::this_thread::sleep_until(nextFrame);
        nextFrame += frameInterval;
        std::shared_ptr<const SessionSnapshot> snapshot;
        figures.snapshots.push_back(milliseconds([&] {
            std::lock_guard lock(stateMutex);
            snapshot = state.takeSnapshot(steadyNanoseconds());
        }));
        const double apply = milliseconds([&] {
            for (const auto& view : views) {
                view(snapshot);
            }
        });
        const double render = milliseconds([&] {
            QApplication::processEvents();
            const QPixmap frame = window.grab();
            (void)frame;
        });
        figures.applies.push_back(apply);
        figures.renders.push_back(render);
        figures.frames.push_back(apply + render);
        if (snapshot->allocations) {
            figures.liveRows = snapshot->allocations->rows.size();
        }
    }
    const double guiCpu = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - guiCpuStart;
    stop = true;
    producer.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - ingestStart).count();
    figures.eventsPerSecond = static_cast<double>(state.eventsApplied() - appliedAtStart) / seconds;
    figures.applyCores = applyCpuSeconds / seconds;
    figures.guiCores = guiCpu / seconds;
    return figures;
}

void measureFrames() {
    std::printf(
        "\n== (b) Frames while ingesting: producer thread -> SessionState, GUI thread takes a "
        "snapshot at %d Hz, applies it to LeakView%s%s and renders (grab) at 1280x800; %.0f s "
        "per rate\n",
        kFramesPerSecond,
#ifdef POOLSCOPE_BENCH_HAS_POOL_MAP
        ", PoolMapView",
#else
        "",
#endif
#ifdef POOLSCOPE_BENCH_HAS_TIMELINE
        ", TimelineView",
#else
        "",
#endif
        kIngestSeconds);
    double frameAtMillion = 0.0;
    for (const double rate : {100'000.0, 1'000'000.0}) {
        const FrameFigures figures = ingestAndRender(rate);
        const std::string caseName = rate >= 1e6 ? std::string("frame_at_1M_events_per_s")
                                                 : std::string("frame_at_100k_events_per_s");
        std::printf("FIGURE %s median_ms %.1f p95_ms %.1f max_ms %.1f (%zu frames)\n",
                    caseName.c_str(), median(figures.frames), percentile(figures.frames, 0.95),
                    *std::max_element(figures.frames.begin(), figures.frames.end()),
                    figures.frames.size());
        std::printf(
            "FIGURE %s apply_median_ms %.1f p95_ms %.1f, render_median_ms %.1f p95_ms %.1f\n",
            caseName.c_str(), median(figures.applies), percentile(figures.applies, 0.95),
            median(figures.renders), percentile(figures.renders, 0.95));
        std::printf("FIGURE %s snapshot_take_median_ms %.2f p95_ms %.2f (worker side in the app)\n",
                    caseName.c_str(), median(figures.snapshots),
                    percentile(figures.snapshots, 0.95));
        std::printf("FIGURE %s events_per_s_ingested %.0f (target %.0f), live rows at end %zu\n",
                    caseName.c_str(), figures.eventsPerSecond, rate, figures.liveRows);
        std::printf(
            "FIGURE %s cpu_per_s %.1f%% of a core (state applies %.1f%%, GUI thread %.1f%%)\n",
            caseName.c_str(), 100.0 * (figures.applyCores + figures.guiCores),
            100.0 * figures.applyCores, 100.0 * figures.guiCores);
        if (rate >= 1e6) {
            frameAtMillion = percentile(figures.frames, 0.95);
        }
        printTargetRatio(caseName + "_p95", percentile(figures.frames, 0.95),
                         kFrameTargetMilliseconds);
    }
    std::printf("frames at 1M events/s, p95 %.1f ms, target <= %.0f ms: %s\n", frameAtMillion,
                kFrameTargetMilliseconds,
                frameAtMillion <= kFrameTargetMilliseconds ? "met" : "MISSED");
}

}  // namespace

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("PoolScopeBench"));
    std::printf("== PoolScope UI benchmarks (Qt %s, platform %s, %u hardware threads)\n",
                qVersion(), qPrintable(QGuiApplication::platformName()),
                std::thread::hardware_concurrency());
    const std::string only = argc > 1 ? std::string(argv[1]) : std::string();
    if (only.empty() || only == "--table-only") {
        poolscope::bench::measureLeakTable();
    }
    if (only.empty() || only == "--frames-only") {
        poolscope::bench::measureFrames();
    }
    if (only.empty() || only == "--idle-only") {
        poolscope::bench::measureIdleWindow();
    }
    return 0;
}
