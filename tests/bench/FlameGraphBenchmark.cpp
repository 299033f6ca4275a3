// The flame graph suite (scripts/bench flamegraph): the Analyses dock at a hundred thousand
// distinct stacks, as a large native program's recording gives them, on the GUI thread.
//
//  (a) The flame graph's first frame: a new tree laid out and painted.
//  (b) Zoom: clicking down one heavy stack frame by frame, into a narrow deep frame ("Show in
//      Flame Graph" of a light stack), and back out to the whole, each step one frame.
//  (c) Search: typing a function's name a letter at a time, each letter highlighting the
//      matching frames, then clearing it.
//  (d) The call-tree page's search over the same tree: narrowing it to the matching frames and
//      opening the rows down to them, a letter at a time, with the tree's search index made
//      beforehand, as the window makes it with the tree off the GUI thread (its time a FIGURE).
// A frame is the change plus the view's layout and paint (grab), at 1600 x 700. Targets: 33 ms
// a frame for zoom (30 frames a second), 100 ms a letter for search.
//
// Lines: "FIGURE <case> <metric> <value>" for a measured figure, and
// "RATIO <case> poolscope/target_<N>ms <value>", value = the target divided by our p95 (above
// 1: within the budget).

#include <QApplication>
#include <QElapsedTimer>
#include <QPixmap>
#include <QTreeView>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "Percentile.h"
#include "analysis/CallTree.h"
#include "models/CallTreeSearchIndex.h"
#include "views/CallTreePage.h"
#include "views/FlameGraphView.h"

namespace poolscope::bench {

namespace {

// How many callees each frame of a level calls, outermost level first (1: a wrapper that calls
// one function): 100,000 distinct stacks of 14 frames under main.
constexpr int kFanOut[] = {1, 4, 5, 5, 1, 5, 1, 4, 1, 5, 2, 5, 1, 1};
constexpr int kDistinctFunctions = 3000;
constexpr int kRepetitions = 5;
constexpr int kWidth = 1600;
constexpr int kHeight = 700;
constexpr double kZoomTargetMilliseconds = 33.0;
constexpr double kSearchTargetMilliseconds = 100.0;
const char* const kModules[] = {"Decoder", "Resize", "Pipeline", "Cache",  "Compositor",
                                "Tile",    "Png",    "Jpeg",     "Worker", "Session"};

struct SyntheticProgram {
    std::mt19937_64 random{7};
    std::size_t stacks = 0;
    std::size_t frames = 0;

    // A function of a large C++ program as StackNames labels it: scope, name, file and line.
    // Functions repeat across stacks, as a program's helpers do.
    std::string label(std::uint64_t function) const {
        const char* module = kModules[function % std::size(kModules)];
        return "poolscope::" + std::string(module) + "::step" + std::to_string(function) +
               "(int, unsigned long) at engine/" + module + "/Step" +
               std::to_string(function % 97) + ".cpp:" + std::to_string(40 + function % 900);
    }

    void grow(CallTree& node, int level, std::uint64_t seed) {
        ++frames;
        if (level == static_cast<int>(std::size(kFanOut))) {
            ++stacks;
            // Heavy-tailed costs: most stacks allocate little, a few a lot, as real programs'.
            const double share = std::pow(std::uniform_real_distribution<double>(0, 1)(random), 8);
            node.cost.allocations = 1 + static_cast<std::uint64_t>(share * 200'000);
            node.cost.bytes = node.cost.allocations * (16 + random() % 65'536);
            node.cost.temporaryAllocations = node.cost.allocations / 3;
            node.cost.leakedBytes = random() % 8 == 0 ? node.cost.bytes / 4 : 0;
            node.cost.peakBytes = node.cost.bytes / 2;
            return;
        }
        const int callees = kFanOut[level];
        node.children.resize(static_cast<std::size_t>(callees));
        for (int i = 0; i < callees; ++i) {
            CallTree& child = node.children[static_cast<std::size_t>(i)];
            const std::uint64_t childSeed = seed * 31 + static_cast<std::uint64_t>(i) + 1;
            child.frame = label(childSeed % kDistinctFunctions);
            grow(child, level + 1, childSeed);
            node.cost.allocations += child.cost.allocations;
            node.cost.bytes += child.cost.bytes;
            node.cost.temporaryAllocations += child.cost.temporaryAllocations;
            node.cost.leakedBytes += child.cost.leakedBytes;
            node.cost.peakBytes += child.cost.peakBytes;
        }
        // Most bytes first, as CallTree orders them.
        std::sort(node.children.begin(), node.children.end(),
                  [](const CallTree& a, const CallTree& b) { return a.cost.bytes > b.cost.bytes; });
    }
};

double milliseconds(const auto& work) {
    QElapsedTimer timer;
    timer.start();
    work();
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

void report(const char* caseName, const std::vector<double>& frames, double target) {
    std::printf("FIGURE %s median_ms %.1f p95_ms %.1f max_ms %.1f (%zu frames)\n", caseName,
                percentile(frames, 0.5), percentile(frames, 0.95),
                *std::max_element(frames.begin(), frames.end()), frames.size());
    std::printf("RATIO %s poolscope/target_%.0fms %.3f\n", caseName, target,
                target / percentile(frames, 0.95));
}

// One frame: the change, then the layout and paint the screen would get.
double frame(QWidget& view, const auto& change) {
    return milliseconds([&] {
        change();
        const QPixmap painted = view.grab();
        (void)painted;
    });
}

const QStringList kTyped = {"D", "De", "Dec", "Deco", "Decod", "Decode", "Decoder::step12"};

}  // namespace

int run() {
    SyntheticProgram program;
    auto tree = std::make_shared<CallTree>();
    const double built = milliseconds([&] {
        program.grow(*tree, 0, 0);
        tree->numberNodes();
    });
    std::printf(
        "== Flame graph at %zu distinct stacks (%zu frames in the tree, built in %.0f ms); "
        "%d x %d, %d repetitions\n",
        program.stacks, program.frames - 1, built, kWidth, kHeight, kRepetitions);
    const std::shared_ptr<const CallTree> shown = tree;

    FlameGraphView view;
    view.resize(kWidth, kHeight);
    view.show();
    QApplication::processEvents();

    std::vector<double> first;
    for (int run = 0; run < kRepetitions; ++run) {
        first.push_back(frame(view, [&] { view.setTree(shown); }));
    }
    std::printf("FIGURE flamegraph_boxes_drawn_whole %zu\n", view.boxes().size());
    report("flamegraph_first_frame_100k_stacks", first, kZoomTargetMilliseconds);

    // Down the heaviest stack a frame at a time, into the lightest stack's deepest caller, then
    // back out a frame at a time.
    std::vector<const CallTree*> heavy;
    for (const CallTree* at = shown.get(); !at->children.empty();) {
        at = &at->children.front();
        heavy.push_back(at);
    }
    std::vector<const CallTree*> light;
    for (const CallTree* at = shown.get(); !at->children.empty();) {
        at = &at->children.back();
        light.push_back(at);
    }
    light.pop_back();
    std::vector<double> zoom;
    for (int run = 0; run < kRepetitions; ++run) {
        view.zoomToPath({});
        for (const CallTree* node : heavy) {
            zoom.push_back(frame(view, [&] { view.zoomTo(node); }));
        }
        for (std::size_t i = 0; i < heavy.size(); ++i) {
            zoom.push_back(frame(view, [&] { view.zoomOut(); }));
        }
        zoom.push_back(frame(view, [&] { view.zoomToPath(light); }));
        zoom.push_back(frame(view, [&] { view.zoomToPath({}); }));
    }
    report("flamegraph_zoom_100k_stacks", zoom, kZoomTargetMilliseconds);

    std::vector<double> search;
    for (int run = 0; run < kRepetitions; ++run) {
        for (const QString& text : kTyped) {
            search.push_back(frame(view, [&] { view.setSearch(text); }));
        }
        search.push_back(frame(view, [&] { view.setSearch(QString()); }));
    }
    view.setSearch(kTyped.back());
    const std::vector<FlameGraphView::Box>& boxes = view.boxes();
    std::printf("FIGURE flamegraph_search_highlighted %lld of %zu drawn frames for '%s'\n",
                static_cast<long long>(std::count_if(boxes.begin(), boxes.end(),
                                                     [](const auto& box) { return box.matches; })),
                boxes.size(), qPrintable(kTyped.back()));
    report("flamegraph_search_100k_stacks", search, kSearchTargetMilliseconds);
    view.hide();

    CallTreePage page(QStringLiteral("Top-down"));
    page.resize(kWidth, kHeight);
    page.show();
    // The window makes the search's index with the tree, off the GUI thread
    // (RecordingAnalysis); its cost is shown, not counted in a letter's frame.
    QElapsedTimer indexing;
    indexing.start();
    const auto searchIndex =
        std::make_shared<const CallTreeSearchIndex>(CallTreeSearchIndex::of(*shown));
    std::printf("FIGURE calltree_search_index_off_gui_thread_ms %.1f (%zu frames, %zu labels)\n",
                static_cast<double>(indexing.nsecsElapsed()) / 1e6, searchIndex->frames(),
                searchIndex->foldedLabels().size());
    page.setTree(shown, searchIndex);
    QApplication::processEvents();
    std::vector<double> treeSearch;
    // Per step of the typing, the last one the clearing: which letters cost most.
    std::vector<std::vector<double>> steps(static_cast<std::size_t>(kTyped.size()) + 1);
    for (int run = 0; run < kRepetitions; ++run) {
        for (qsizetype step = 0; step <= kTyped.size(); ++step) {
            const QString text = step < kTyped.size() ? kTyped[step] : QString();
            const double ms = frame(page, [&] { page.setSearch(text); });
            treeSearch.push_back(ms);
            steps[static_cast<std::size_t>(step)].push_back(ms);
        }
    }
    for (qsizetype step = 0; step <= kTyped.size(); ++step) {
        std::printf("FIGURE calltree_search_step '%s' median_ms %.1f max_ms %.1f\n",
                    step < kTyped.size() ? qPrintable(kTyped[step]) : "",
                    percentile(steps[static_cast<std::size_t>(step)], 0.5),
                    percentile(steps[static_cast<std::size_t>(step)], 1.0));
    }
    report("calltree_search_100k_stacks", treeSearch, kSearchTargetMilliseconds);
    return 0;
}

}  // namespace poolscope::bench

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    QApplication app(argc, argv);
    std::printf("== PoolScope flame graph benchmark (Qt %s, platform %s, %u hardware threads)\n",
                qVersion(), qPrintable(QGuiApplication::platformName()),
                std::thread::hardware_concurrency());
    return poolscope::bench::run();
}
