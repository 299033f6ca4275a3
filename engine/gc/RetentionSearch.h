#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gc/RetentionPath.h"

namespace poolscope {

// The breadth-first search behind every retention path, over any view of the object graph:
// the live heap (nodes are object headers) or a snapshot of it (nodes are indices into its
// objects). Roots are added in the collector's order and searched from all at once, so the
// first visit of a node is by a shortest path and, among equally short ones, by the earliest
// root and field: the heap and its snapshot name the same path.
template <class Node>
class RetentionSearch {
public:
    // A node an earlier root holds keeps that root; returns whether this one was taken.
    bool addRoot(Node node, std::string name) {
        const Link link{node, static_cast<std::uint32_t>(rootNames_.size()), true};
        if (!visited_.emplace(node, link).second) {
            return false;
        }
        rootNames_.push_back(std::move(name));
        queue_.push_back(node);
        return true;
    }

    // The shortest path from the roots to `wanted`, or none when no root reaches it.
    // forEachEdge(node, edge) calls edge(child, field) for each reference of the node, in field
    // order; describe(node) gives a step's address and type; fieldName(parent, field) names the
    // field through which a step is reached.
    template <class ForEachEdge, class Describe, class FieldName>
    std::optional<RetentionPath> pathTo(Node wanted, ForEachEdge&& forEachEdge, Describe&& describe,
                                        FieldName&& fieldName) {
        while (!queue_.empty() && !visited_.contains(wanted)) {
            const Node parent = queue_.front();
            queue_.pop_front();
            forEachEdge(parent, [&](Node child, std::uint32_t field) {
                if (visited_.emplace(child, Link{parent, field, false}).second) {
                    queue_.push_back(child);
                }
            });
        }
        if (!visited_.contains(wanted)) {
            return std::nullopt;
        }
        RetentionPath path;
        for (Node node = wanted;;) {
            const Link& link = visited_.at(node);
            RetentionPath::Step step = describe(node);
            if (link.isRoot) {
                path.steps.push_back(std::move(step));
                path.rootName = rootNames_[link.via];
                break;
            }
            step.viaField = fieldName(link.parent, link.via);
            path.steps.push_back(std::move(step));
            node = link.parent;
        }
        std::reverse(path.steps.begin(), path.steps.end());
        return path;
    }

private:
    struct Link {
        Node parent;
        std::uint32_t via;  // the field in the parent; for a root, the index into rootNames_
        bool isRoot;
    };

    std::unordered_map<Node, Link> visited_;
    std::deque<Node> queue_;
    std::vector<std::string> rootNames_;
};

}  // namespace poolscope
