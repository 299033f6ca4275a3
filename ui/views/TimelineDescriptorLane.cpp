#include "views/TimelineDescriptorLane.h"

#include <QCoreApplication>

#include <algorithm>

#include <qcustomplot.h>

#include "views/ViewColors.h"

namespace poolscope {

TimelineDescriptorLane::TimelineDescriptorLane(QCustomPlot& plot)
    : plot_(plot), graph_(plot.addGraph(plot.xAxis, plot.yAxis2)) {
    graph_->setName(
        QCoreApplication::translate("poolscope::TimelineView", "Open descriptors (right axis)"));
    graph_->setPen(QPen(ViewColors::tier(MemoryTier::Descriptor), 2.0));
    graph_->setLineStyle(QCPGraph::lsStepRight);
    graph_->setVisible(false);
    graph_->removeFromLegend();
    plot_.yAxis2->setLabel(QCoreApplication::translate("poolscope::TimelineView", "Descriptors"));
    plot_.yAxis2->setRange(0.0, 1.0);
}

void TimelineDescriptorLane::append(const std::vector<TimelineSample>& samples, bool sorted) {
    if (samples.empty()) {
        return;
    }
    QVector<double> keys;
    QVector<double> counts;
    keys.reserve(static_cast<qsizetype>(samples.size()));
    counts.reserve(static_cast<qsizetype>(samples.size()));
    for (const TimelineSample& sample : samples) {
        keys.append(sample.seconds);
        counts.append(static_cast<double>(sample.descriptors));
        maximum_ = std::max(maximum_, static_cast<double>(sample.descriptors));
    }
    graph_->addData(keys, counts, sorted);
    if (!seen_ && maximum_ > 0.0) {
        seen_ = true;
        graph_->setVisible(true);
        plot_.yAxis2->setVisible(true);
        addToLegend();
    }
    if (seen_) {
        // Whole descriptors, with a little room above the highest.
        plot_.yAxis2->setRange(0.0, std::max(4.0, maximum_ * 1.15));
    }
}

void TimelineDescriptorLane::removeBefore(double seconds) {
    graph_->data()->removeBefore(seconds);
}

void TimelineDescriptorLane::clear() {
    graph_->data()->clear();
    graph_->setVisible(false);
    graph_->removeFromLegend();
    plot_.yAxis2->setVisible(false);
    seen_ = false;
    maximum_ = 0.0;
}

void TimelineDescriptorLane::addToLegend() {
    if (seen_) {
        graph_->addToLegend();
    }
}

}  // namespace poolscope
