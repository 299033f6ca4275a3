#include "analysis/CallTree.h"

#include <algorithm>
#include <map>
#include <memory>

namespace poolscope {

namespace {

// Children found by name while the tree grows, so that many stacks under one frame do not
// make building the tree quadratic.
struct Growing {
    CallSiteCost cost;
    std::map<std::string, std::unique_ptr<Growing>> children;
};

CallTree grown(std::string frame, const Growing& node) {
    CallTree tree{std::move(frame), node.cost, {}};
    tree.children.reserve(node.children.size());
    for (const auto& [name, child] : node.children) {
        tree.children.push_back(grown(name, *child));
    }
    std::stable_sort(
        tree.children.begin(), tree.children.end(),
        [](const CallTree& a, const CallTree& b) { return a.cost.bytes > b.cost.bytes; });
    return tree;
}

CallTree build(const AllocationAnalysis& analysis, StackNames& names, bool innermostFirst) {
    Growing root;
    for (const CallSiteCost& site : analysis.sites) {
        root.cost += site;
        const std::vector<Frame>& frames = names.frames(site.stackId);
        const std::size_t depth = std::max<std::size_t>(frames.size(), 1);
        Growing* node = &root;
        for (std::size_t step = 0; step < depth; ++step) {
            const std::size_t index = innermostFirst ? step : depth - 1 - step;
            std::unique_ptr<Growing>& child = node->children[StackNames::label(frames, index)];
            if (!child) {
                child = std::make_unique<Growing>();
            }
            node = child.get();
            node->cost += site;
        }
    }
    return grown(std::string(), root);
}

}  // namespace

CallTree CallTree::bottomUp(const AllocationAnalysis& analysis, StackNames& names) {
    return build(analysis, names, true);
}

CallTree CallTree::topDown(const AllocationAnalysis& analysis, StackNames& names) {
    return build(analysis, names, false);
}

}  // namespace poolscope
