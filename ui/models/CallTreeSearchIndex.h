#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/CallTree.h"

namespace poolscope {

// What a search of a call tree reads of its frames: each frame's label (function, file and
// line) as a number among the tree's distinct labels, by the frame's CallTree::order, and those
// labels folded as a search folds what is typed. Made once per tree, with the tree, off the GUI
// thread (RecordingAnalysis): a tree of a hundred thousand stacks takes longer to index than a
// frame of the window may.
class CallTreeSearchIndex {
public:
    static CallTreeSearchIndex of(const CallTree& tree);

    // ASCII letters in lower case: frame labels are UTF-8 and mostly ASCII (C++ names, paths),
    // so folding them byte by byte matches what a person types without making a QString of
    // every frame of the tree.
    static std::string folded(const std::string& text);

    // The frames of the tree, its root included.
    std::size_t frames() const { return labelOf_.size(); }
    std::uint32_t labelOf(std::uint32_t order) const { return labelOf_[order]; }
    const std::vector<std::string>& foldedLabels() const { return foldedLabels_; }

private:
    std::vector<std::uint32_t> labelOf_;
    std::vector<std::string> foldedLabels_;
};

}  // namespace poolscope
