#include "models/CallTreeSearchIndex.h"

#include <algorithm>
#include <unordered_map>

namespace poolscope {

std::string CallTreeSearchIndex::folded(const std::string& text) {
    std::string result = text;
    std::transform(result.begin(), result.end(), result.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return result;
}

CallTreeSearchIndex CallTreeSearchIndex::of(const CallTree& tree) {
    CallTreeSearchIndex index;
    std::unordered_map<std::string, std::uint32_t> distinct;
    const auto visit = [&](const auto& self, const CallTree& node) -> void {
        if (node.order >= index.labelOf_.size()) {
            index.labelOf_.resize(node.order + 1);
        }
        const auto [found, added] = distinct.try_emplace(
            node.frame, static_cast<std::uint32_t>(index.foldedLabels_.size()));
        if (added) {
            index.foldedLabels_.push_back(folded(node.frame));
        }
        index.labelOf_[node.order] = found->second;
        for (const CallTree& child : node.children) {
            self(self, child);
        }
    };
    visit(visit, tree);
    return index;
}

}  // namespace poolscope
