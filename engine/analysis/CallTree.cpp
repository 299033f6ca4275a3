#include "analysis/CallTree.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

namespace poolscope {

namespace {

// Children found by frame while the tree grows, so that many stacks under one frame do not
// make building the tree quadratic.
struct Growing {
    CallSiteCost cost;
    std::unordered_map<StackNames::FrameId, std::unique_ptr<Growing>> children;
};

CallTree grown(const StackNames& names, StackNames::FrameId id, const Growing& node) {
    CallTree tree{names.label(id), node.cost, {}};
    tree.children.reserve(node.children.size());
    for (const auto& [childId, child] : node.children) {
        tree.children.push_back(grown(names, childId, *child));
    }
    std::sort(tree.children.begin(), tree.children.end(), [](const CallTree& a, const CallTree& b) {
        return a.cost.bytes != b.cost.bytes ? a.cost.bytes > b.cost.bytes : a.frame < b.frame;
    });
    return tree;
}

CallTree build(const AllocationAnalysis& analysis, StackNames& names, bool innermostFirst) {
    Growing root;
    for (const CallSiteCost& site : analysis.sites) {
        root.cost += site;
        const std::vector<StackNames::FrameId>& frames = names.frameIds(site.stackId);
        Growing* node = &root;
        for (std::size_t step = 0; step < frames.size(); ++step) {
            const std::size_t index = innermostFirst ? step : frames.size() - 1 - step;
            std::unique_ptr<Growing>& child = node->children[frames[index]];
            if (!child) {
                child = std::make_unique<Growing>();
            }
            node = child.get();
            node->cost += site;
        }
    }
    CallTree tree = grown(names, StackNames::kNoStack, root);
    tree.frame.clear();
    tree.numberNodes();
    return tree;
}

}  // namespace

void CallTree::numberNodes() {
    std::uint32_t next = 0;
    const auto number = [&next](const auto& self, CallTree& node) -> void {
        node.order = next++;
        for (CallTree& child : node.children) {
            self(self, child);
        }
    };
    number(number, *this);
}

CallTree CallTree::bottomUp(const AllocationAnalysis& analysis, StackNames& names) {
    return build(analysis, names, true);
}

CallTree CallTree::topDown(const AllocationAnalysis& analysis, StackNames& names) {
    return build(analysis, names, false);
}

}  // namespace poolscope
