#include "analysis/CallTree.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "analysis/FlatIdMap.h"

namespace poolscope {

namespace {

// The tree as it grows: its nodes in one array, each one's children chained from it, and a
// child found by its parent and frame in one map, so that many stacks under one frame do not
// make building the tree quadratic, nor does each node cost allocations of its own.
struct Growing {
    static constexpr std::uint32_t kNone = UINT32_MAX;
    struct Node {
        CallSiteCost cost;
        StackNames::FrameId frame = StackNames::kNoStack;
        std::uint32_t firstChild = kNone;
        std::uint32_t nextSibling = kNone;
        std::uint32_t children = 0;
    };
    std::vector<Node> nodes{Node{}};   // the root first
    FlatIdMap<std::uint32_t> childOf;  // by parent (high 32 bits) and frame

    std::uint32_t child(std::uint32_t parent, StackNames::FrameId frame) {
        const std::uint64_t key = (static_cast<std::uint64_t>(parent) << 32) | frame;
        const auto [found, made] =
            childOf.tryEmplace(key, static_cast<std::uint32_t>(nodes.size()));
        const std::uint32_t index = *found;
        if (made) {
            Node node;
            node.frame = frame;
            node.nextSibling = nodes[parent].firstChild;
            nodes.push_back(node);
            nodes[parent].firstChild = index;
            nodes[parent].children += 1;
        }
        return index;
    }
};

CallTree grown(const StackNames& names, const Growing& growing, std::uint32_t index) {
    const Growing::Node& node = growing.nodes[index];
    CallTree tree{names.label(node.frame), node.cost, {}};
    tree.children.reserve(node.children);
    for (std::uint32_t child = node.firstChild; child != Growing::kNone;
         child = growing.nodes[child].nextSibling) {
        tree.children.push_back(grown(names, growing, child));
    }
    std::sort(tree.children.begin(), tree.children.end(), [](const CallTree& a, const CallTree& b) {
        return a.cost.bytes != b.cost.bytes ? a.cost.bytes > b.cost.bytes : a.frame < b.frame;
    });
    return tree;
}

CallTree build(const AllocationAnalysis& analysis, StackNames& names, bool innermostFirst) {
    Growing growing;
    for (const CallSiteCost& site : analysis.sites) {
        growing.nodes[0].cost += site;
        const std::vector<StackNames::FrameId>& frames = names.frameIds(site.stackId);
        std::uint32_t node = 0;
        for (std::size_t step = 0; step < frames.size(); ++step) {
            const std::size_t index = innermostFirst ? step : frames.size() - 1 - step;
            node = growing.child(node, frames[index]);
            growing.nodes[node].cost += site;
        }
    }
    CallTree tree = grown(names, growing, 0);
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
