#pragma once

#include <vector>

#include "session/SessionSnapshot.h"

class QCPGraph;
class QCustomPlot;

namespace poolscope {

// A launched program's open descriptors on the timeline. They are a count, not bytes, so they
// are a line on an axis of their own at the right, not a band of the stack; both appear once a
// sample counts a descriptor.
class TimelineDescriptorLane {
public:
    explicit TimelineDescriptorLane(QCustomPlot& plot);

    void append(const std::vector<TimelineSample>& samples, bool sorted);
    void removeBefore(double seconds);
    void clear();
    // Puts the lane back in the legend after the legend was rebuilt, when it is shown.
    void addToLegend();
    bool shown() const { return seen_; }
    // The most descriptors any sample counted.
    double maximum() const { return maximum_; }

private:
    QCustomPlot& plot_;
    QCPGraph* graph_;
    bool seen_ = false;
    double maximum_ = 0.0;
};

}  // namespace poolscope
